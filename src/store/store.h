/*
 * store.h - the one persistence interface.  Everything above src/store talks to the
 * database through these functions only, whichever backend holds the data: an SQLite
 * file or a PostgreSQL database (plain, or distributed with Citus: docs/scaling.md).
 * Both backends give the same answers for the same data.
 *
 * Conventions: functions return 0 (or a documented positive value) on success and -1
 * with reason `store.error` on failure.  Lookups return 1 when found, 0 when not.
 * Strings passed in are borrowed for the duration of the call.  Strings handed to
 * callbacks are valid only during the callback.  Structs filled by the store that own
 * memory say so and have a *_clear function.  Callbacks return 0 to go on, non-zero to
 * stop the iteration (which then returns 0).
 *
 * Every table that grows with the data is keyed by subject code, so that a distributed
 * backend can place a subject's whole archive on one shard.
 */
#ifndef XY_STORE_H
#define XY_STORE_H

#include <stdint.h>

#include "core/audit.h"
#include "core/audit_checkpoint.h"
#include "core/code.h"

struct err;
struct store;

/* Opens the database named by `url` and applies pending migrations:
 *   postgresql://user@host:port/dbname (or postgres://, or any libpq "key=value"
 *   connection string starting with "postgresql:") selects PostgreSQL; the database
 *   must exist;
 *   sqlite:PATH, sqlite:///ABSOLUTE/PATH or a plain path selects SQLite; the file is
 *   created when missing, its directory never is (`store.not_found` naming it).
 * `url` NULL or "" selects $XINYONG_DB, else var/xinyong.db. */
int store_open(const char *url, struct store **out, struct err *e);
/* The same, but a SQLite file that does not exist is `store.not_found` naming the path
 * (nothing is created): every command but init, demo and serve --init opens this way. */
int store_open_existing(const char *url, struct store **out, struct err *e);
void store_close(struct store *s);
/* Opens another handle on the database `s` was opened on (a server's pool of handles;
 * the URL, password included, stays inside the store). */
int store_open_another(const struct store *s, struct store **out, struct err *e);
/* The location actually opened: the file path, or the URL without its password. */
const char *store_location(const struct store *s);
/* "sqlite" or "postgresql". */
const char *store_backend_name(const struct store *s);

/* One transaction at a time per store handle.  Writes may be buffered by the backend
 * (PostgreSQL sends a batch's rows with COPY); every read through the same handle, and
 * the commit, sees them. */
int store_begin(struct store *s, struct err *e);
/* The same for a batch (an ingest, a page of a copy): waits for the write lock as long
 * as another batch may take, where store_begin gives up after a few seconds with
 * `store.unavailable` (SQLite has one writer at a time). */
int store_begin_batch(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);

/* ---- catalog ---------------------------------------------------------------------- */

/* Inserts or replaces a category definition (JSON text, see data/catalog/). */
int store_category_put(struct store *s, const char *id, const char *json, struct err *e);
/* 1 and *json_out (malloc'd, caller frees) when found, 0 when not. */
int store_category_get(struct store *s, const char *id, char **json_out, struct err *e);
int store_category_list(struct store *s,
			int (*cb)(void *ctx, const char *id, const char *json), void *ctx,
			struct err *e);

/* ---- code exceptions (legally issued codes that fail the check character) ---------- */

int store_code_exception_add(struct store *s, const char *code, const char *note,
			     struct err *e);
/* 1 when listed, 0 otherwise (also on error). Usable as code_options.is_exception with
 * the store as ctx. */
int store_code_exception_has(void *store, const char *code);
int store_code_exception_list(struct store *s,
			      int (*cb)(void *ctx, const char *code, const char *note,
					const char *added_at),
			      void *ctx, struct err *e);

/* ---- the holiday calendar (core/workday.h; service/calendar.h reads it) ------------ */

/* Removes every listed day of `year`.  Call with store_calendar_put in one transaction
 * to replace a year whole. */
int store_calendar_delete_year(struct store *s, int year, struct err *e);
/* Lists day `day` ("YYYY-MM-DD", not yet listed) as `kind` ("holiday" or "workday"). */
int store_calendar_put(struct store *s, const char *day, const char *kind, struct err *e);
/* Every listed day, in date order; updated_at is when its year was last loaded. */
int store_calendar_list(struct store *s,
			int (*cb)(void *ctx, const char *day, const char *kind,
				  const char *updated_at),
			void *ctx, struct err *e);

/* ---- the department directory (core/dept.h; service/depts.h reads it) --------------- */

/* One department as stored; every string is "" when not given. */
struct store_dept {
	const char *code;
	const char *name;
	const char *short_name;
	const char *region_code;
	const char *parent_code;
	const char *contact;
	const char *sector;
	const char *updated_at; /* set by store_dept_put: now */
};

/* Inserts department d, or replaces every member of the one with its code. */
int store_dept_put(struct store *s, const struct store_dept *d, struct err *e);
/* 1 and cb called once with the department of `code` (strings valid during the call),
 * 0 when the directory does not list it. */
int store_dept_get(struct store *s, const char *code,
		   int (*cb)(void *ctx, const struct store_dept *d), void *ctx, struct err *e);
/* Every department, by code. */
int store_dept_list(struct store *s, int (*cb)(void *ctx, const struct store_dept *d),
		    void *ctx, struct err *e);

/* ---- report signing keys and issued reports (service/report_keys.h, report.h) ------- */

/* One signing key as stored; strings are "" when not given. */
struct store_signing_key {
	const char *id;          /* core/report_seal.h report_key_id */
	const char *issuer;
	const char *url;
	const char *public_key;  /* 64 hex digits */
	const char *secret_key;  /* own keys: the seed in hex; "" for a trusted platform's */
	int own;
	const char *valid_from;  /* "YYYY-MM-DDTHH:MM:SS+08:00" */
	const char *valid_until; /* "" while in force */
	const char *added_at;    /* set by store_key_put on insert: now */
};

/* Inserts key k, or updates the issuer, address and validity of the one with its id. */
int store_key_put(struct store *s, const struct store_signing_key *k, struct err *e);
/* Every key: own keys first, then by valid_from.  Strings valid during the call. */
int store_key_list(struct store *s, int (*cb)(void *ctx, const struct store_signing_key *k),
		   void *ctx, struct err *e);

/* One issued report (the document itself is not kept). */
struct store_report {
	const char *number;
	const char *subject_code;
	const char *subject_name;
	const char *view;   /* public, shared, own */
	const char *format; /* json, html, pdf */
	const char *digest;
	const char *verification_code;
	const char *key_id;
	const char *generated_at;
	const char *actor;
};

int store_report_put(struct store *s, const struct store_report *r, struct err *e);
/* 1 and cb called with the report of `number`, 0 when none has it. */
int store_report_get(struct store *s, const char *number,
		     int (*cb)(void *ctx, const struct store_report *r), void *ctx,
		     struct err *e);

/* ---- subjects --------------------------------------------------------------------- */

struct store_subject {
	char code[CODE_MAX];   /* normalized code: the subject key */
	char kind[16];         /* "uscc", "resident_id" or "other" */
	char subject_type[40]; /* 法人及非法人组织 | 自然人 | 个体工商户 | "" */
	char region_code[7];   /* "" when the code carries none */
	char created_at[26];
	char updated_at[26];
	char *name; /* owned: store_subject_clear frees it */
};

void store_subject_clear(struct store_subject *subj);

/* 1 and *out filled when found, 0 when not. */
int store_subject_get(struct store *s, const char *code, struct store_subject *out,
		      struct err *e);
/* Inserts a new subject; name is taken from subj->name (not freed). */
int store_subject_insert(struct store *s, const struct store_subject *subj, struct err *e);
/* A hint that the subjects of `codes` are about to be looked up (the next rows of a
 * batch): a backend across a network fetches them in one round trip.  Only lookups
 * made before the next prefetch or the end of the transaction use the answer. */
int store_subjects_prefetch(struct store *s, const char *const *codes, size_t n,
			    struct err *e);

struct store_search_hit {
	const char *code;
	const char *name;
	const char *kind;
	const char *subject_type;
	const char *region_code;
	int match; /* 0 code, 1 whole name, 2 name prefix, 3 part of the name */
};

/* A name search (store_subject_search).  Ranked: the subject whose code equals `code`
 * (may be NULL; first page only), then names equal to the key, starting with it, holding
 * it; shorter names first within a rank, then by code.  `key` is a name search key
 * (text_search_key) of at least two characters.  `include_persons` zero leaves out
 * natural persons (kind resident_id, or subject type 自然人 whatever their document). */
struct store_search {
	const char *key;
	const char *code;
	int limit;
	int include_persons;
	const char *region;	  /* a division code prefix ("4412", "441202"); NULL any */
	const char *subject_type; /* NULL any */
	/* A page after the hit ranked (after_match, after_name_chars, after_code);
	 * after_match < 0 from the start. */
	int after_match;
	int after_name_chars;
	const char *after_code;
};

/* A first page of `key` (and `code`, may be NULL), no filters. */
void store_search_init(struct store_search *q, const char *key, const char *code, int limit,
		       int include_persons);
/* The hits of q, at most q->limit, in rank order. */
int store_subject_search(struct store *s, const struct store_search *q,
			 int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
			 struct err *e);
/* How many subjects q finds on all its pages (the limit and the page ignored), counted
 * up to `cap`: *total <= cap. */
int store_subject_search_count(struct store *s, const struct store_search *q, long cap,
			       long *total, struct err *e);

/* ---- records ---------------------------------------------------------------------- */

#define STORE_RECORD_NAME_CONFLICT 1 /* the record's subject name differs from the stored */
/* Publicity, worked out at ingestion from the regime in force on the decision date
 * (core/publicity_period.h) and kept in the flags, so that every path that writes a
 * record (ingest, bulk COPY, amend, migrate) carries it without a column of its own: */
#define STORE_RECORD_UNPUBLISHED 4     /* the rules do not publish it (a 轻微 penalty) */
#define STORE_RECORD_REPAIRED 8        /* an approved credit repair took it off; a new
					* content of the record keeps the bit */
#define STORE_RECORD_SPECIAL_SECTOR 16 /* decided in a sector with a longer minimum */
#define STORE_RECORD_SEVERITY_SHIFT 8  /* 2 bits: enum severity (0: unclassed) */
#define STORE_RECORD_RULE_SHIFT 10     /* 6 bits: 0 the department declared the class,
					* n the n-th row of the regime's table gave it */
#define STORE_RECORD_SEVERITY(flags) (((flags) >> STORE_RECORD_SEVERITY_SHIFT) & 3)
#define STORE_RECORD_RULE(flags) (((flags) >> STORE_RECORD_RULE_SHIFT) & 63)
/* The bits a new content of the record recomputes. */
#define STORE_RECORD_PUBLICITY_BITS                                                       \
	(STORE_RECORD_UNPUBLISHED | STORE_RECORD_SPECIAL_SECTOR | (3 << STORE_RECORD_SEVERITY_SHIFT) | \
	 (63 << STORE_RECORD_RULE_SHIFT))

struct store_record {
	int64_t id;
	int64_t batch_id;
	const char *category;
	const char *subject_code;
	const char *dept_code;
	const char *business_key;   /* the category's key fields joined with U+001F */
	const char *data;           /* JSON object: field id -> cleaned value */
	const char *content_hash;   /* hex; equal hashes mean equal content */
	const char *decision_date;  /* "YYYY-MM-DD" or "" */
	const char *publicity_end;  /* "YYYY-MM-DD" or "" when open-ended */
	int flags;
	const char *created_at;
	const char *updated_at;
};

/* What store_record_put calls did, counted per handle. */
struct store_put_counts {
	long long inserted;
	long long updated;    /* same key, new content: the record was replaced */
	long long duplicates; /* same key and same content: nothing changed */
};

/* store_record_put's answer when the key's record is held by another department. */
#define STORE_PUT_OTHER_DEPT 1

/* Inserts a record or, when (subject, category, business key) exists, replaces it if its
 * content hash differs.  id/created_at/updated_at of `rec` are ignored.  The outcome is
 * counted, not returned, because a backend may write records in bulk: rows of one
 * batch are judged in the order they were put, exactly as if written one by one.
 * A record belongs to the department that provided it: when the stored record of the
 * key is held by a department other than rec->dept_code, nothing is written, `owner`
 * gets that department's code and the answer is STORE_PUT_OTHER_DEPT.  A replaced
 * record's earlier content is kept (store_record_versions). */
int store_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		     struct err *e);
/* A hint that records of department `dept_code` for the subjects `codes` are about to be
 * put (the next rows of a batch): a backend across a network learns in one round trip
 * which of those subjects' records other departments hold.  Only puts made before the
 * next hint or the end of the transaction use the answer. */
int store_records_prefetch_owners(struct store *s, const char *const *codes, size_t n,
				  const char *dept_code, struct err *e);
/* Drops the versions batch `batch_id` made of records it had written itself: content
 * that was never committed (the same key twice in one file).  Call in the batch's
 * transaction, after its last put, when any record was updated. */
int store_batch_drop_own_versions(struct store *s, int64_t batch_id, struct err *e);
/* The outcomes counted since the last call (after sending buffered writes), and resets
 * them. */
int store_put_counts_take(struct store *s, struct store_put_counts *out, struct err *e);

/* A subject's records, by category, then decision date (newest first). */
int store_records_of_subject(struct store *s, const char *subject_code,
			     int (*cb)(void *ctx, const struct store_record *rec), void *ctx,
			     struct err *e);
/* The record with id `id`: 1 and cb called once with it, 0 when there is none. */
int store_record_get(struct store *s, int64_t id,
		     int (*cb)(void *ctx, const struct store_record *rec), void *ctx,
		     struct err *e);
/* Gives record `id` of subject `subject_code` to department `dept_code` (its earlier
 * holder stays in the record's versions).  1 when done, 0 when there is no such record. */
int store_record_transfer(struct store *s, const char *subject_code, int64_t id,
			  const char *dept_code, struct err *e);

/* An earlier content of a record: what it said, who held it, and from when until when. */
struct store_record_version {
	int64_t id;
	int64_t record_id;
	int64_t batch_id;          /* the batch that had written this content */
	const char *dept_code;     /* who held the record then */
	const char *data;
	const char *content_hash;
	const char *decision_date;
	const char *publicity_end;
	int flags;
	const char *valid_from;    /* when this content was written */
	const char *replaced_at;   /* when it stopped being the record's */
};

/* The earlier versions of record `record_id` of subject `subject_code`, newest first. */
int store_record_versions(struct store *s, const char *subject_code, int64_t record_id,
			  int (*cb)(void *ctx, const struct store_record_version *v), void *ctx,
			  struct err *e);

/* ---- the portal's 双公示 ------------------------------------------------------------ */

struct store_disclosure_query {
	const char *category;
	const char *dept_code; /* NULL any */
	const char *from, *to; /* decision dates, YYYY-MM-DD, inclusive */
	const char *today;
	const char *after_date; /* a page after (after_date, after_id); NULL from the start */
	int64_t after_id;
	int limit;
};

struct store_disclosure {
	int64_t id;
	const char *subject_code, *subject_name, *dept_code, *decision_date, *publicity_end;
	const char *data;
};

/* The records of q's category the public sees today, newest decision first. */
int store_disclosures(struct store *s, const struct store_disclosure_query *q,
		      int (*cb)(void *ctx, const struct store_disclosure *d), void *ctx,
		      struct err *e);
/* How many records of `category` were decided from `from` to `to` (not deleted,
 * unpublished or repaired). */
int store_disclosures_count(struct store *s, const char *category, const char *from,
			    const char *to, long long *n, struct err *e);

/* ---- batches ---------------------------------------------------------------------- */

struct store_batch {
	int64_t id;
	char category[64];
	char dept_code[CODE_MAX];
	char source[256]; /* file name as submitted */
	char format[8];   /* csv, json, ndjson */
	char encoding[12];/* utf-8, gb18030 */
	long rows, accepted, duplicates, rejected, warnings;
	char created_at[26];
};

/* Inserts a batch; sets b->id.  Call inside the batch's transaction. */
int store_batch_insert(struct store *s, struct store_batch *b, struct err *e);
/* Writes the counters and the encoding of b (by b->id). */
int store_batch_update(struct store *s, const struct store_batch *b, struct err *e);
int store_batch_get(struct store *s, int64_t id, struct store_batch *out, struct err *e);
/* Batches newest first: of department `dept` (NULL or "": every department's), those
 * with an id below `before` (0: from the newest), at most `limit`.  cb returns non-zero
 * to stop. */
int store_batch_list(struct store *s, const char *dept, int64_t before, long limit,
		     int (*cb)(void *ctx, const struct store_batch *b), void *ctx,
		     struct err *e);

struct store_problem {
	int64_t batch_id;
	long row;
	const char *field;
	const char *reason;
	const char *message;
	int warning; /* 0 for a rejection, 1 for a warning on a kept row */
	int64_t seq; /* listing: the problem's place in its batch (ignored by add) */
};

int store_problem_add(struct store *s, const struct store_problem *p, struct err *e);

/* A page of a batch's problems: those after (after_row, after_seq) in (row, seq) order,
 * at most `limit` (0: all).  STORE_PROBLEMS_FROM_START is the first page: summary lines
 * sit at row 0, before every row of the file. */
struct store_problem_page {
	long after_row;
	int64_t after_seq;
	long limit;
};
#define STORE_PROBLEMS_FROM_START { -1, 0, 0 }

/* In row order.  warnings: 0 rejections only, 1 warnings only, 2 both.  `page` NULL:
 * all of them.  Memory stays constant however many there are. */
int store_problems_list(struct store *s, int64_t batch_id, int warnings,
			const struct store_problem_page *page,
			int (*cb)(void *ctx, const struct store_problem *p), void *ctx,
			struct err *e);

/* ---- statistics ------------------------------------------------------------------- */

struct store_counts {
	long long subjects, records, batches, categories;
};
int store_counts(struct store *s, struct store_counts *out, struct err *e);

/* ---- accounts and sessions (store_accounts.c) -------------------------------------- */

struct store_user {
	int64_t id;
	char name[64];
	char roles[96];            /* "submitter,handler" (core/role.h names) */
	char dept_code[CODE_MAX];  /* department users, else "" */
	char subject_code[CODE_MAX]; /* subject accounts, else "" */
	char display_name[128];
	char password_hash[128];   /* Argon2id string, "" until set */
	char activation_hash[65];  /* hash of a one-time activation code, "" when none */
	char activation_expires[26];
	long failed_logins;        /* consecutive failed logins */
	char locked_until[26];     /* "" when not locked */
	int disabled;
	char created_at[26];
	char updated_at[26];
};

/* 1 and *out filled when found, 0 when not. */
int store_user_get(struct store *s, const char *name, struct store_user *out, struct err *e);
int store_user_get_id(struct store *s, int64_t id, struct store_user *out, struct err *e);
/* Inserts u (its name must be new: check with store_user_get in the same transaction);
 * sets u->id, created_at and updated_at. */
int store_user_insert(struct store *s, struct store_user *u, struct err *e);
/* Writes every mutable field of u (by id). */
int store_user_update(struct store *s, const struct store_user *u, struct err *e);
/* By name; only the users of `dept_code` unless it is NULL or "". */
int store_user_list(struct store *s, const char *dept_code,
		    int (*cb)(void *ctx, const struct store_user *u), void *ctx, struct err *e);

/* Sessions are stored by the hash of their token (core/secret.h). */
int store_session_insert(struct store *s, const char *token_hash, int64_t user_id,
			 const char *expires_at, const char *client, struct err *e);
/* 1 and the session's user when the session exists, has not expired at `now` and its
 * user is not disabled; 0 otherwise. */
int store_session_user(struct store *s, const char *token_hash, const char *now,
		       struct store_user *out, struct err *e);
int store_session_delete(struct store *s, const char *token_hash, struct err *e);
/* Ends every session of the user (and every session expired before `now`). */
int store_sessions_end_user(struct store *s, int64_t user_id, const char *now, struct err *e);

/* ---- API tokens ------------------------------------------------------------------- */

struct store_token {
	int64_t id;
	char hint[16];            /* the token's first characters, for lists */
	char owner_kind[8];       /* "dept" or "agency" */
	char owner_code[CODE_MAX];
	char scopes[96];          /* "batches:write,subjects:read" */
	char note[128];
	char created_at[26];
	char expires_at[26];
	char revoked_at[26];      /* "" while in force */
};

/* Inserts t under the hash of its secret; sets t->id and created_at. */
int store_token_insert(struct store *s, const char *token_hash, struct store_token *t,
		       struct err *e);
/* 1 and *out when a token has this hash (whatever its expiry or revocation), 0 when not. */
int store_token_find(struct store *s, const char *token_hash, struct store_token *out,
		     struct err *e);
int store_token_get(struct store *s, int64_t id, struct store_token *out, struct err *e);
/* 1 when the token was in force and is now revoked, 0 when no such token in force. */
int store_token_revoke(struct store *s, int64_t id, struct err *e);
int store_token_list(struct store *s, int (*cb)(void *ctx, const struct store_token *t),
		     void *ctx, struct err *e);

/* ---- authorizations: a subject lets a department or agency see its data ------------ */

struct store_authorization {
	int64_t id;
	char subject_code[CODE_MAX];
	char grantee_code[CODE_MAX];
	char purpose[512];
	char granted_at[26];
	char expires_at[26];
	char revoked_at[26];
	char recorded_by[96];
};

/* Sets a->id and granted_at. */
int store_authorization_insert(struct store *s, struct store_authorization *a,
			       struct err *e);
/* 1 and the newest authorization of `grantee` by `subject` in force at `now`; 0 when none. */
int store_authorization_active(struct store *s, const char *subject, const char *grantee,
			       const char *now, struct store_authorization *out, struct err *e);
/* 1 when revoked, 0 when the subject has no such authorization in force. */
int store_authorization_revoke(struct store *s, const char *subject, int64_t id,
			       struct err *e);
int store_authorizations_of_subject(struct store *s, const char *subject,
				    int (*cb)(void *ctx, const struct store_authorization *a),
				    void *ctx, struct err *e);

/* ---- the audit trail (store_audit.c; the chain itself is core/audit.h) ------------- */

/* Appends an entry: assigns e->seq, prev_hash and hash (the strings it points them to
 * live in `storage` until the next append with it) and inserts it.  Inside a
 * transaction the entry commits or rolls back with the work it describes; outside one it
 * is its own transaction.  Appends are serialised across processes. */
struct store_audit_storage {
	char prev_hash[AUDIT_HASH_HEX];
	char hash[AUDIT_HASH_HEX];
	char at[26];
};
int store_audit_append(struct store *s, struct audit_entry *entry,
		       struct store_audit_storage *storage, struct err *e);
/* On SQLite, an entry appended in a transaction of its own while a batch holds the write
 * lock is kept durably in a queue beside the database (entry->seq is then 0) and chained
 * by the next append: a read never waits for a batch.  store_audit_drain chains what the
 * queue holds now (waiting briefly for the write lock), store_audit_pending says how
 * many entries wait.  Both do nothing on PostgreSQL, whose appends never wait for a
 * batch. */
int store_audit_drain(struct store *s, struct err *e);
int store_audit_pending(struct store *s, long long *n, struct err *e);
/* Entries after `after_seq` in chain order, at most `limit` (<= 0: all). */
int store_audit_scan(struct store *s, long long after_seq, long long limit,
		     int (*cb)(void *ctx, const struct audit_entry *entry), void *ctx,
		     struct err *e);
/* Entries with either of `actions` about `subject`, newest first, leaving out those whose
 * actor is `except_actor`; at most `limit`. */
int store_audit_of_subject(struct store *s, const char *subject, const char *const actions[3],
			   const char *except_actor, long long limit,
			   int (*cb)(void *ctx, const struct audit_entry *entry), void *ctx,
			   struct err *e);
/* The last entry (seq 0 and the anchor's or genesis hash when the trail is empty). */
int store_audit_head(struct store *s, long long *seq, char hash[AUDIT_HASH_HEX],
		     struct err *e);
/* Where verification starts: the last pruned entry, or 0 and the genesis hash. */
int store_audit_anchor(struct store *s, long long *seq, char hash[AUDIT_HASH_HEX],
		       struct err *e);
/* The anchor row whole, signature included: 1 and *out filled, 0 when the trail was
 * never pruned (*out zeroed). */
int store_audit_anchor_read(struct store *s, struct audit_anchor *out, struct err *e);
/* Removes the entries at or before the last entry dated before `before` (a timestamp),
 * and the checkpoints before it, recording that entry as the anchor signed with `kp`
 * (borrowed), in one transaction.  *removed_to gets the anchor's seq (0 when nothing was
 * old enough). */
int store_audit_prune(struct store *s, const char *before, const struct audit_keypair *kp,
		      long long *removed_to, struct err *e);
int store_audit_checkpoint_add(struct store *s, const struct audit_checkpoint *c,
			       struct err *e);
int store_audit_checkpoints(struct store *s,
			    int (*cb)(void *ctx, const struct audit_checkpoint *c), void *ctx,
			    struct err *e);
/* 1 and the stored hash of entry `seq`, 0 when there is none. */
int store_audit_entry_hash(struct store *s, long long seq, char hash[AUDIT_HASH_HEX],
			   struct err *e);

/* ---- cases: applications moved through their kind's rules (store_cases.c) -------- */

/* A kind's rules as imported (data/rules/): one row per effective date. */
struct store_case_rules {
	const char *kind;
	const char *effective_from; /* "YYYY-MM-DD" */
	const char *body;           /* the rules file, JSON */
	const char *imported_at;
	const char *imported_by;
};

/* Inserts or replaces the rules of (kind, effective_from). */
int store_case_rules_put(struct store *s, const struct store_case_rules *r, struct err *e);
/* Every stored rules file, by kind, then effective date. */
int store_case_rules_list(struct store *s,
			  int (*cb)(void *ctx, const struct store_case_rules *r), void *ctx,
			  struct err *e);

struct store_case {
	int64_t id;
	char subject_code[CODE_MAX];
	char kind[32];
	int64_t record_id;          /* 0: about no single record */
	char status[32];
	char dept_code[CODE_MAX];   /* the department responsible now; "" the platform */
	char due_date[11];          /* the current step's due date; "" when none is due */
	char rules_from[11];        /* the effective date of the rules that govern it */
	char applicant[96];         /* the actor who filed it ("user:NAME", "cli:NAME") */
	char channel[8];            /* "online", or "window" (filed by an operator) */
	long reviews;               /* reviews taken so far */
	char entered_at[26];        /* when the case entered its status */
	char created_at[26];
	char updated_at[26];
	char *data;                 /* owned: JSON object, what was applied for */
	char *outcome;              /* owned: JSON object once decided, else "" */
};

/* Frees data and outcome (and sets them to NULL). */
void store_case_clear(struct store_case *c);
/* Inserts c (its id, created_at, updated_at and entered_at are set here: now). */
int store_case_insert(struct store *s, struct store_case *c, struct err *e);
/* Writes status, dept_code, due_date, outcome, reviews, entered_at and data of c (by
 * subject and id) when the stored case is still in status `was`; updated_at becomes now.
 * 1 when written, 0 when there is no such case or another step moved it first. */
int store_case_update(struct store *s, struct store_case *c, const char *was, struct err *e);
/* 1 and *out filled (clear it after) when found, 0 when not. */
int store_case_get(struct store *s, int64_t id, struct store_case *out, struct err *e);
/* Inside a transaction: waits until no other transaction holds the cases of
 * `subject_code`, and holds them until this one ends, so that what a filing or an
 * attachment reads (the record's open cases, a step's attachments) is still so when it
 * writes.  SQLite's writers take turns already (BEGIN IMMEDIATE); PostgreSQL takes a
 * transaction-scoped advisory lock, always before the audit chain's. */
int store_case_lock(struct store *s, const char *subject_code, struct err *e);

/* Which cases a list holds: NULL or "" members are not filtered on.  `subject_code` set
 * reads one subject's cases only (one shard).  `overdue_on` (a "YYYY-MM-DD" day) keeps
 * the cases whose due date is before it.  Newest first, ids below `before_id` (0: from
 * the newest), at most `limit`. */
struct store_case_filter {
	const char *kind;
	const char *status;
	const char *dept_code;
	const char *subject_code;
	const char *overdue_on;
	int64_t before_id;
	long limit;
};
/* The cases handed to cb are valid during the call only. */
int store_case_list(struct store *s, const struct store_case_filter *f,
		    int (*cb)(void *ctx, const struct store_case *c), void *ctx, struct err *e);

/* For each kind and status: how many cases, and how many of them are past their due
 * date on `today`. */
int store_case_counts(struct store *s, const char *today,
		      int (*cb)(void *ctx, const char *kind, const char *status, long long n,
				long long overdue),
		      void *ctx, struct err *e);

struct store_case_step {
	int64_t case_id;
	long seq;                 /* 1, 2, ... within the case */
	const char *at;           /* set by store_case_step_add: now */
	const char *actor;
	const char *action;       /* "file", "accept", ... */
	const char *from_status;  /* "" for the filing */
	const char *to_status;
	const char *note;
	const char *detail;       /* JSON object */
};
/* Appends step st to case `case_id` of `subject_code` (st->at is ignored: now). */
int store_case_step_add(struct store *s, const char *subject_code,
			const struct store_case_step *st, struct err *e);
/* A case's steps in order. */
int store_case_steps(struct store *s, const char *subject_code, int64_t case_id,
		     int (*cb)(void *ctx, const struct store_case_step *st), void *ctx,
		     struct err *e);

struct store_attachment {
	int64_t id;
	int64_t case_id;
	long step_seq;            /* the step it was added to */
	const char *digest;       /* BLAKE2b-256, hex */
	const char *media_type;
	long long size;           /* bytes */
	const char *name;         /* the name the client gave, cleaned; may be "" */
	const char *added_by;
	const char *added_at;     /* set by the store on add */
};
/* Stores an attachment whose bytes are `content_b64` (base64); *id gets its id. */
int store_attachment_add(struct store *s, const char *subject_code,
			 const struct store_attachment *a, const char *content_b64, int64_t *id,
			 struct err *e);
/* A case's attachments (without their content), in the order they were added. */
int store_attachments_of_case(struct store *s, const char *subject_code, int64_t case_id,
			      int (*cb)(void *ctx, const struct store_attachment *a), void *ctx,
			      struct err *e);
/* 1 with the attachment of `digest` (cb gets it and its base64 content), 0 when none. */
int store_attachment_content(struct store *s, const char *subject_code, int64_t case_id,
			     const char *digest,
			     int (*cb)(void *ctx, const struct store_attachment *a,
				       const char *content_b64),
			     void *ctx, struct err *e);

/* A subject's statement on its record `record_id` (text "" removes it). */
int store_statement_put(struct store *s, const char *subject_code, int64_t record_id,
			const char *text, const char *author, struct err *e);
int store_statements_of_subject(struct store *s, const char *subject_code,
				int (*cb)(void *ctx, int64_t record_id, const char *text,
					  const char *author, const char *updated_at),
				void *ctx, struct err *e);

/* Flags of a record beyond STORE_RECORD_NAME_CONFLICT: deleted by a decided objection,
 * hidden from every view (the audit trail and the record's versions keep it). */
#define STORE_RECORD_DELETED 2

/* Rewrites record `id` of subject `subject_code` with rec's business key, data, content
 * hash, dates and flags (the earlier content is kept in its versions).  When
 * rec->subject_code is another subject (which must exist), the record and its versions
 * move to it, and the old subject's statement on it is removed.  1 when done, 0 when there is no such record, STORE_AMEND_KEY_TAKEN when
 * the target subject already holds another record of that key. */
#define STORE_AMEND_KEY_TAKEN 2
int store_record_amend(struct store *s, const char *subject_code, int64_t id,
		       const struct store_record *rec, struct err *e);

/* ---- copying a whole platform between backends (xinyong migrate) ---------------- */

/* Every table of the platform except sessions (short-lived logins: people log in again
 * after a move), schema_migrations (written by opening the target) and SQLite's name
 * search index (rebuilt by store_copy_finish). */
enum store_table {
	STORE_TABLE_CATEGORIES,
	STORE_TABLE_EXCEPTIONS,
	STORE_TABLE_CALENDAR,
	STORE_TABLE_DEPTS,
	STORE_TABLE_SUBJECTS,
	STORE_TABLE_BATCHES,
	STORE_TABLE_PROBLEMS,
	STORE_TABLE_RECORDS,
	STORE_TABLE_RECORD_VERSIONS,
	STORE_TABLE_USERS,
	STORE_TABLE_TOKENS,
	STORE_TABLE_AUTHORIZATIONS,
	STORE_TABLE_CASE_RULES,
	STORE_TABLE_CASES,
	STORE_TABLE_CASE_STEPS,
	STORE_TABLE_CASE_ATTACHMENTS,
	STORE_TABLE_STATEMENTS,
	STORE_TABLE_AUDIT_ANCHOR,
	STORE_TABLE_AUDIT_LOG,
	STORE_TABLE_AUDIT_CHECKPOINTS,
	STORE_TABLE_SIGNING_KEYS,
	STORE_TABLE_REPORTS,
	STORE_TABLE_COUNT
};

/* "subjects", ... */
const char *store_table_name(enum store_table t);

/* A table's row count and a BLAKE2b-256 digest of all its rows, each column as text, in
 * the order of the table's unique key: equal sums mean equal contents, whatever the
 * backend. */
struct store_table_sum {
	long long rows;
	unsigned char digest[32];
};

/* Copies table t from `from` into `to`, in key order, in pages of `page` rows, each page
 * one transaction on `to`.  Ids and timestamps are kept.  Copying resumes after the last
 * key `to` already holds, and rows already there are skipped, so an interrupted copy is
 * finished by running it again.  `progress` (may be NULL) is called after each page
 * with the rows copied so far in this call. */
int store_copy_table(struct store *from, struct store *to, enum store_table t, long page,
		     void (*progress)(void *ctx, enum store_table t, long long copied),
		     void *ctx, struct err *e);
/* Makes `to` ready for new writes after copies: PostgreSQL numbers new ids (records,
 * batches, problems, users, API tokens, authorizations) after the copied ones; SQLite
 * rebuilds its name search index.  (Audit entries need nothing: the next one follows the
 * last copied entry, store_audit_append.) */
int store_copy_finish(struct store *to, struct err *e);
int store_table_sum(struct store *s, enum store_table t, struct store_table_sum *out,
		    struct err *e);

#endif
