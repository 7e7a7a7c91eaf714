/*
 * pg_int.h - state shared by the PostgreSQL backend's files: pg.c (the libpq driver:
 * connection, reconnection, prepared statements, transactions), pg_bulk.c (buffered
 * writes and the subject prefetch cache) and pg_search.c (name search).
 *
 * Every statement of sql.def is prepared on first use under the name "xy<id>", and the
 * parameters are sent as text.  A handle is used by one thread at a time.
 */
#ifndef XY_STORE_PG_INT_H
#define XY_STORE_PG_INT_H

#include <libpq-fe.h>

#include "core/buf.h"
#include "store_int.h"

/* The subject prefetch cache: the subjects of the rows a batch is about to write,
 * fetched in one round trip (see pg_bulk.c).  Open addressing, cleared per window. */
#define PG_CACHE_SLOTS 2048

struct pg_cached {
	char code[CODE_MAX]; /* "" for a free slot */
	int found;
	struct store_subject subj; /* when found; subj.name owned */
};

/* Rows waiting to be sent with COPY. */
struct pg_copy {
	struct buf data; /* COPY text format lines */
	long rows;
};

/* New subjects waiting to be sent, one array literal per column: code, kind,
 * subject_type, name, name_key, region_code (sql.def: SUBJECTS_INSERT_MANY). */
#define PG_SUBJECT_COLUMNS 6
struct pg_arrays {
	struct buf col[PG_SUBJECT_COLUMNS];
	long rows;
};

/* What the last store_records_prefetch_owners learned (pg_owners.c). */
struct pg_owners {
	char dept[CODE_MAX]; /* the department asked for; "" when nothing is known */
	char **codes;        /* the subjects covered, sorted, owned */
	size_t ncodes, cap_codes;
	struct pg_held *held; /* their records held by other departments, sorted */
	size_t nheld, cap_held;
	int failed;           /* out of memory while reading the answer */
};

struct pg_store {
	PGconn *conn;
	char *conninfo;
	unsigned char prepared[SQL_COUNT];
	int in_tx;
	int staging_ready; /* the temporary staging tables exist in this session */
	long long seq;     /* staging order of the current transaction */
	size_t flush_bytes; /* a buffer this large is sent */
	struct pg_arrays subjects;
	struct pg_copy records, problems;
	struct pg_cached *cache; /* PG_CACHE_SLOTS entries, allocated on first prefetch */
	size_t cached;           /* used slots */
	struct pg_owners owners;
};

static inline struct pg_store *pg_of(struct store *s)
{
	return s->impl;
}

/* Runs statement `id` without sending buffered writes first (pg_bulk.c uses it for the
 * staging statements themselves). */
int pg_run(struct store *s, enum store_sql_id id, const struct store_param *p, int np,
	   store_row_cb cb, void *ctx, long long *changes, struct err *e);
/* Runs a script of statements without parameters (migrations, staging tables). */
int pg_exec(struct store *s, const char *sql, const char *what, struct err *e);
/* Fills e with "<what>失败：<libpq's message>".  Returns -1. */
int pg_fail(struct store *s, struct err *e, const char *what, const PGresult *res);

/* pg_bulk.c */
void pg_bulk_init(struct store *s);
int pg_subject_insert(struct store *s, const struct store_subject *subj, const char *name_key,
		      struct err *e);
int pg_record_put(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		  struct err *e);
/* Appends `v` to a PostgreSQL array literal (opened or continued; the caller closes it). */
void pg_array_element(struct buf *b, const char *v);

/* pg_owners.c */
int pg_owners_prefetch(struct store *s, const char *const *codes, size_t n,
		       const char *dept_code, struct err *e);
/* 1 and `owner` when another department than rec->dept_code holds rec's key, else 0. */
int pg_owner_of(struct store *s, const struct store_record *rec, char owner[CODE_MAX],
		struct err *e);
void pg_owners_clear(struct store *s);
void pg_owners_free(struct store *s);
int pg_problem_add(struct store *s, const struct store_problem *p, struct err *e);
/* Sends the buffered subjects (so that lookups see them), or everything buffered. */
int pg_flush_subjects(struct store *s, struct err *e);
int pg_flush(struct store *s, struct err *e);
/* Drops buffered writes and the cache (rollback, lost connection). */
void pg_bulk_discard(struct store *s);
void pg_bulk_free(struct store *s);
int pg_subject_cached(struct store *s, const char *code, struct store_subject *out,
		      struct err *e);
int pg_subjects_prefetch(struct store *s, const char *const *codes, size_t n, struct err *e);
void pg_cache_clear(struct store *s);

/* pg_search.c */
int pg_search(struct store *s, const struct store_search *q,
	      int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
	      struct err *e);
int pg_search_count(struct store *s, const struct store_search *q, long cap, long *total,
		    struct err *e);

#endif
