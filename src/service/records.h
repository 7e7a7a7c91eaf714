/*
 * records.h - one record and its history: who holds it, what it said before, and the
 * operator's transfer of a record from one department to another.
 *
 * A record belongs to the department that provided it (store.h, store_record_put): only
 * that department's batches update it, and every earlier content is kept.  When a
 * department is reorganised, or a record was filed by the wrong one, the platform
 * operator transfers it explicitly; the transfer is audited and the earlier holder stays
 * in the record's history.
 */
#ifndef XY_SERVICE_RECORDS_H
#define XY_SERVICE_RECORDS_H

#include <jansson.h>
#include <stdint.h>

struct err;
struct principal;
struct store;

/* Record `id` as it is now ("record") and its earlier versions, newest first
 * ("versions"); *out is new.  The console, operators and administrators see any
 * record's history, a department's users and tokens only their own records' (others
 * are `record.not_found`).  The record and each version carry "dept_name" beside
 * "dept": the department directory's name of the code, or null when it lists none
 * (depts.h).  The read is audited (record.history). */
int records_history(struct store *s, const struct principal *who, int64_t id, json_t **out,
		    struct err *e);

/* Gives record `id` to department `to_dept` (a unified social credit code) for
 * `reason`; only the console and operators may.  *out is new: the record, the
 * departments it went from and to, and the reason.  Audited (record.transfer). */
int records_transfer(struct store *s, const struct principal *who, int64_t id,
		     const char *to_dept, const char *reason, json_t **out, struct err *e);

/* Sets the subject's statement on its record `id` (at most RECORDS_STATEMENT_MAX_CHARS
 * characters; "" removes it), shown with the record wherever it is shown.  The record's
 * subject's accounts and operators may (403 otherwise); `record.not_found` for a record
 * nobody may see.  Audited (record.statement).  *out: {"record", "statement"}. */
#define RECORDS_STATEMENT_MAX_CHARS 500
int records_statement(struct store *s, const struct principal *who, int64_t id,
		      const char *text, json_t **out, struct err *e);

#endif
