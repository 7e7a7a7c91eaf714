/*
 * depts.h - the department directory (部门目录) as a service: adding and importing
 * departments (`xinyong dept add|import`, audited), the public list
 * (`GET /api/v1/depts`), the names every view puts next to a record's department code,
 * and a department's sector (行业领域) for whoever chooses by it (publicity periods).
 *
 * The directory names codes; it never decides which codes are accepted.  A department
 * code that is not listed stays valid everywhere (ingest, tokens, users), and views show
 * it as its code (`dept_name` null) until someone names it.
 *
 * Output documents (a department as JSON, "the department" below):
 *   {"code", "name", "short_name", "region_code", "parent_code", "contact", "sector"}
 *   every member a string, "" when not given.
 *   depts_list_json: {"depts": [the department, ...]} by code
 *   depts_get_json:  the department
 *   depts_add:       {"dept": the department, "created": true|false}
 *   depts_import:    {"file": PATH, "format": "csv"|"json", "depts": N, "added": N,
 *                     "updated": N}
 */
#ifndef XY_SERVICE_DEPTS_H
#define XY_SERVICE_DEPTS_H

#include <jansson.h>

#include "core/dept.h"

struct err;
struct principal;
struct store;

/* One department as an operator gives it: NULL members are not given.  A department
 * already listed keeps the members not given; "" clears one (the name excepted). */
struct depts_input {
	const char *code;
	const char *name;
	const char *short_name;
	const char *region_code;
	const char *parent_code;
	const char *contact;
	const char *sector;
};

/* Validates `in` (core/dept.h: `directory.invalid` naming the column; the code and the
 * parent's checked as unified social credit codes, the operator's exception list
 * included) and lists the department, or updates the listed one, in one transaction with
 * its audit entry (`dept.add`).  A new department needs a name.  *out: see above. */
int depts_add(struct store *s, const struct principal *who, const struct depts_input *in,
	      json_t **out, struct err *e);

/* Imports the directory file at `path` (core/dept.h dept_file_parse: a CSV with the
 * Chinese header, or a JSON array) whole or not at all: every department of the file is
 * listed or replaced, in one transaction with its audit entry (`dept.import`);
 * departments the file does not name stay.  A bad file writes nothing and fails with
 * `directory.invalid` (the message: how many problems, and the first, row and column
 * included); *problems (may be NULL) then gets every problem kept,
 * [{"row": N, "field": COLUMN, "message": ...}] (new reference; NULL otherwise).
 * `file.unreadable` when the file cannot be read. */
int depts_import(struct store *s, const struct principal *who, const char *path, json_t **out,
		 json_t **problems, struct err *e);

/* Lists or replaces department d (validated) inside the caller's transaction, without an
 * audit entry (demo data).  *created (may be NULL) is 1 when it was not listed. */
int depts_put(struct store *s, const struct dept *d, int *created, struct err *e);

/* {"depts": [...]}: the whole directory, by code. */
int depts_list_json(struct store *s, json_t **out, struct err *e);
/* The department of `code` (normalized first, as codes are: full-width, case), or
 * `dept.not_found` when the directory does not list it. */
int depts_get_json(struct store *s, const char *code, json_t **out, struct err *e);

/* A department's sector (行业领域), by code (normalized first): 1 and sector filled
 * (possibly "", a department listed without a sector), 0 when the directory does not
 * list the code (sector ""), -1 on a store error.  For callers that choose by sector,
 * such as the publicity period of a record (core/publicity_period.h). */
int depts_sector_of(struct store *s, const char *code, char sector[DEPT_SECTOR_SIZE],
		    struct err *e);

/* The directory's names, loaded once for a view that names many records' departments
 * (one query, not one per record).  Free with depts_directory_free. */
struct depts_directory;

int depts_directory_load(struct store *s, struct depts_directory **out, struct err *e);
/* The name of the department of `code` (an exact, normalized code), or NULL when the
 * directory does not list it; valid until the directory is freed.  dir may be NULL. */
const char *depts_directory_name(const struct depts_directory *dir, const char *code);
/* json_string of that name, or json_null() (new reference). */
json_t *depts_directory_name_json(const struct depts_directory *dir, const char *code);
void depts_directory_free(struct depts_directory *dir);

#endif
