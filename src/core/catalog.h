/*
 * catalog.h - the information catalog: which categories of record exist, their fields,
 * nature, disclosure level and publicity rule.
 *
 * A category is defined by a JSON document (data/catalog/<id>.json; docs/data-formats.md
 * describes the format).  catalog_parse turns it into a `struct category` with field
 * references resolved to indexes, so the ingest hot path never looks names up.
 */
#ifndef XY_CATALOG_H
#define XY_CATALOG_H

#include <stddef.h>

struct err;

enum catalog_nature { NATURE_BASIC, NATURE_POSITIVE, NATURE_NEGATIVE, NATURE_NEUTRAL };
enum catalog_disclosure { DISCLOSURE_PUBLIC, DISCLOSURE_SHARED, DISCLOSURE_AUTHORIZED };

enum field_type {
	FIELD_TEXT,
	FIELD_ENUM,       /* one value of a code table */
	FIELD_ENUM_MULTI, /* several values separated by ; ；, ， or | */
	FIELD_DATE,
	FIELD_MONEY,     /* 万元 */
	FIELD_USCC,      /* a unified social credit code */
	FIELD_ID_NUMBER, /* a document number, checked as a resident ID when its type says so */
};

struct catalog_value_alias {
	char *from;
	char *to;
};

struct catalog_field {
	char *id;
	char *name; /* national-standard Chinese name */
	char **aliases;
	size_t naliases;
	enum field_type type;
	int required;
	int required_if_field; /* index of the field the condition reads, -1 when none */
	char **required_if_any; /* required when that field holds any of these values */
	size_t nrequired_if_any;
	char **values; /* code table for enum fields */
	size_t nvalues;
	struct catalog_value_alias *value_aliases;
	size_t nvalue_aliases;
	int max_chars;    /* 0: no limit */
	int not_future;   /* a date after today is refused */
	int not_before;   /* index of a date field this one may not precede, -1 when none */
	int id_type_field;/* for FIELD_ID_NUMBER: index of its document-type field, -1 */
	int nfkc;         /* NFKC-normalise the value (names) */
	int personal;     /* personal data: masked in public output */
};

struct category {
	char *id;
	char *name;
	char *group;
	char *description;
	enum catalog_nature nature;
	enum catalog_disclosure disclosure;
	struct catalog_field *fields;
	size_t nfields;
	/* Subject roles, as field indexes (-1 when the category has no such field). */
	int subject_name;
	int subject_type;
	int subject_code;
	int subject_id_type;
	int subject_id_number;
	char *default_subject_type; /* used when there is no type field or it is empty */
	int *key; /* business key fields, besides the subject */
	size_t nkey;
	int decision_date;
	/* Publicity: from `start`, until the first of `end` (or `end_alt` when `end` is
	 * empty) and start + max_months; open-ended when none applies. */
	int publicity_start;
	int publicity_end;
	int publicity_end_alt;
	int publicity_max_months;
	/* Publicity by the regime in force on the decision date (core/publicity_period.h),
	 * when the category's publicity names "rules": the fields that class a record and
	 * pick its period (-1 when absent).  The max_months above then only covers decisions
	 * older than every regime. */
	int publicity_by_rules;
	int publicity_severity; /* 失信严重程度: 轻微/一般/严重 as the department says */
	int publicity_types;    /* penalty types, ';'-separated */
	int publicity_fine;     /* a money field (万元) */
	int publicity_sector;   /* 行业领域, for a regime's special sectors */
};

/* Parses a category definition.  *out is owned by the caller: catalog_free.  Fails with
 * `catalog.invalid` and a message naming the bad member. */
int catalog_parse(const char *json, struct category **out, struct err *e);
void catalog_free(struct category *cat);

/* Index of the field with this id, or -1. */
int catalog_field_index(const struct category *cat, const char *id);

/* Canonical value for an enum field: the value itself, or what an alias maps to; NULL
 * when the value is not in the code table.  Comparison is exact after trimming. */
const char *catalog_enum_value(const struct catalog_field *f, const char *value);

const char *catalog_nature_name(enum catalog_nature n);
const char *catalog_disclosure_name(enum catalog_disclosure d);

/* Whether a subject type (行政相对人类别 value) denotes a natural person. */
int catalog_type_is_person(const char *subject_type);

#endif
