/*
 * dept.h - the department directory's records (部门目录), validated: a department's
 * unified social credit code, its name, short name, division, parent department, contact
 * and sector (行业领域), and the directory file (`xinyong dept import`, a CSV with a
 * Chinese header or a JSON array; docs/data-formats.md "Department directory").  Pure
 * functions: codes are checked with core/code.h and an exception callback the caller
 * gives; nothing here reads a file or the database.
 *
 * The directory names codes; it never decides which codes are accepted.  A code that is
 * not in it stays valid everywhere (ingest, tokens, users) and is shown as its code.
 */
#ifndef XY_DEPT_H
#define XY_DEPT_H

#include <stddef.h>

#include "core/code.h"
#include "core/err.h"

/* Limits in characters (code points); the arrays hold that many characters of UTF-8. */
#define DEPT_NAME_MAX_CHARS 100
#define DEPT_SHORT_NAME_MAX_CHARS 30
#define DEPT_CONTACT_MAX_CHARS 200
#define DEPT_SECTOR_MAX_CHARS 30

#define DEPT_NAME_SIZE (DEPT_NAME_MAX_CHARS * 4 + 1)
#define DEPT_SHORT_NAME_SIZE (DEPT_SHORT_NAME_MAX_CHARS * 4 + 1)
#define DEPT_CONTACT_SIZE (DEPT_CONTACT_MAX_CHARS * 4 + 1)
#define DEPT_SECTOR_SIZE (DEPT_SECTOR_MAX_CHARS * 4 + 1)

/* A directory file holds a few hundred departments; much more is not one. */
#define DEPT_FILE_MAX_BYTES (4L << 20)
#define DEPT_FILE_MAX_DEPTS 10000
/* The problems of a bad file kept for the operator (all are counted). */
#define DEPT_FILE_PROBLEMS_MAX 50

/* One department, every member trimmed and validated; "" when not given. */
struct dept {
	char code[CODE_MAX];          /* normalized USCC: the key */
	char name[DEPT_NAME_SIZE];    /* required: the full name */
	char short_name[DEPT_SHORT_NAME_SIZE];
	char region_code[7];          /* a known six-digit division (core/region.h) */
	char parent_code[CODE_MAX];   /* normalized USCC of the parent department */
	char contact[DEPT_CONTACT_SIZE];
	char sector[DEPT_SECTOR_SIZE]; /* 行业领域, free text: 食品, 药品, 安全生产 ... */
};

/* The members, in the order of the CSV header. */
enum dept_field {
	DEPT_FIELD_CODE,
	DEPT_FIELD_NAME,
	DEPT_FIELD_SHORT_NAME,
	DEPT_FIELD_REGION,
	DEPT_FIELD_PARENT,
	DEPT_FIELD_CONTACT,
	DEPT_FIELD_SECTOR,
	DEPT_FIELD_COUNT
};

/* The CSV column name (统一社会信用代码, 部门名称, 简称, 行政区划, 上级部门, 联系方式,
 * 行业领域), and the JSON member name (code, name, short_name, region_code, parent_code,
 * contact, sector) of a field; static strings. */
const char *dept_field_label(enum dept_field f);
const char *dept_field_key(enum dept_field f);

/* Builds *out from the raw texts of one department: values[f] for each field, NULL or ""
 * when not given.  Texts are trimmed (core/text.h text_trim); the code and the parent's
 * are checked as unified social credit codes with `opts` (its `force` is ignored) and
 * normalized.  Fails with `directory.invalid`, e->field the CSV column name, and a message
 * that says what is wrong and how to fix it (without a row: the caller adds one). */
int dept_from_values(const char *const values[DEPT_FIELD_COUNT], const struct code_options *opts,
		     struct dept *out, struct err *e);

/* One problem of a directory file: the row ("第 3 行" in a CSV, counting the header as
 * row 1; "第 3 项" of a JSON array, from 1; 0 for the file as a whole), the column name
 * ("" when none) and the message. */
struct dept_problem {
	long row;
	char field[ERR_FIELD_MAX];
	char message[ERR_MESSAGE_MAX];
};

/* A parsed directory file.  Free with dept_file_free. */
struct dept_file {
	struct dept *depts;     /* in file order, each code once */
	size_t n;
	struct dept_problem *problems; /* at most DEPT_FILE_PROBLEMS_MAX */
	size_t nproblems;
	size_t problems_total;  /* every problem found, kept or not */
	int json;               /* 1: the file was JSON, rows are "项" */
};

/* Parses a whole directory file (UTF-8, a BOM allowed): a JSON array of objects with the
 * JSON member names (or the document GET /api/v1/depts answers, {"depts": [...]}), else
 * a CSV whose first row names its columns with the CSV column names, in any order
 * (统一社会信用代码 and 部门名称 required, the others optional).  Every row is checked
 * and every problem kept in out->problems, so that one run names them all.  0 when the
 * file is good; -1 when it is not (`directory.invalid`, e's message the number of problems
 * and the first one, row and column included; out->problems has them all), or on
 * `internal.error`.  *out is filled either way; free it. */
int dept_file_parse(const char *text, size_t len, const struct code_options *opts,
		    struct dept_file *out, struct err *e);
void dept_file_free(struct dept_file *f);

#endif
