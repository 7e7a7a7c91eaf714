/*
 * http.h - the HTTP face of Xinyong: the JSON API under /api/v1, /healthz and the static
 * web pages, served by libmicrohttpd.
 *
 * This is the only header the rest of the program needs (cmd_serve uses it).  The
 * pieces inside src/http share http_int.h.
 *
 * Threads and the store: the daemon runs a pool of `threads` threads, each serving many
 * connections with epoll; an upload's handler runs in a thread of its own.  A SQLite
 * handle must not be used by two threads at once, nor a PostgreSQL connection, so the
 * server keeps a pool of store handles on the same database, at most `db_pool` of them;
 * a request checks one out when its handler first needs it (waiting up to 10 s when all
 * are busy, then 503) and gives it back when the request completes.  See server_pool.c.
 */
#ifndef XY_HTTP_H
#define XY_HTTP_H

#include <jansson.h>
#include <stdint.h>

struct err;
struct store;
struct http_server;

#define HTTP_DEFAULT_LISTEN "127.0.0.1:8080"
#define HTTP_DEFAULT_MAX_BODY ((unsigned long long)512 << 20) /* 512 MiB */
/* Connections in all, and from one client address.  A connection costs a socket and
 * 32 KiB of memory, not a thread, so the table can be large. */
#define HTTP_DEFAULT_CONNECTIONS 1024
#define HTTP_DEFAULT_PER_ADDRESS 128
/* Threads of the daemon, each serving many connections (uploads are ingested in threads
 * of their own). */
#define HTTP_DEFAULT_THREADS 8
/* Seconds a client has to send a whole request head, and a kept-alive connection may
 * wait for its next request. */
#define HTTP_DEFAULT_HEAD_TIMEOUT 10
#define HTTP_DEFAULT_IDLE_TIMEOUT 30
/* Bytes all uploads in flight may hold in the spool directory together: four uploads of
 * the default maximum. */
#define HTTP_DEFAULT_SPOOL_QUOTA (4 * HTTP_DEFAULT_MAX_BODY)
/* Database handles (PostgreSQL connections) the server keeps at most.  Requests beyond
 * it wait for a free handle; 16 keeps a PostgreSQL server's connection count modest
 * while the SQLite readers of a city's traffic rarely queue. */
#define HTTP_DEFAULT_DB_POOL 16
/* A person searching does not reach 120 queries a minute; a scraper does. */
#define HTTP_DEFAULT_RATE_LIMIT 120
struct http_config {
	const char *listen;           /* "HOST:PORT", "[V6]:PORT"; port 0 picks a free one */
	const char *web_root;         /* directory of the static pages */
	unsigned long long max_body;  /* upload limit in bytes; 0 selects the default */
	/* Where uploads wait until ingested (spool.h); NULL selects
	 * "$TMPDIR/xinyong-spool-UID".  The quota of all of them together in bytes; 0
	 * selects HTTP_DEFAULT_SPOOL_QUOTA, and it may not be below max_body. */
	const char *spool_dir;
	unsigned long long spool_quota;
	unsigned max_connections;     /* 0 selects HTTP_DEFAULT_CONNECTIONS */
	unsigned max_per_address;     /* 0 selects HTTP_DEFAULT_PER_ADDRESS */
	unsigned threads;             /* 0 selects HTTP_DEFAULT_THREADS */
	unsigned head_timeout;        /* seconds; 0 selects HTTP_DEFAULT_HEAD_TIMEOUT */
	unsigned idle_timeout;        /* seconds; 0 selects HTTP_DEFAULT_IDLE_TIMEOUT */
	unsigned db_pool;             /* 0 selects HTTP_DEFAULT_DB_POOL */
	/* HTTPS: PEM files of the certificate (its chain may follow it) and of the
	 * unencrypted private key, both or neither; NULL/NULL serves plain HTTP.  Read
	 * once at start: a renewed certificate takes a restart. */
	const char *tls_cert;
	const char *tls_key;
	/* Anonymous searches, archive views and login attempts per client address and
	 * minute (a burst of as many is allowed); beyond it 429.  0 turns the limit off. */
	unsigned rate_limit;
	int rate_limit_set; /* rate_limit was given (else HTTP_DEFAULT_RATE_LIMIT) */
};

/* Starts the daemon.  `store` is borrowed: it becomes the pool's first handle and must
 * stay open until http_server_stop returns; further handles are opened with
 * store_open_another and closed by http_server_stop.  The strings of `cfg` are
 * copied.  Fails with `request.invalid` (a bad listen address or web root),
 * `config.spool` (the spool directory is unusable, its quota below max_body),
 * `config.tls` (only one of tls_cert and tls_key, a file unreadable, empty, not PEM or
 * not matching the other, or a libmicrohttpd built without TLS) or `internal.error`
 * (the daemon could not start, e.g. the port is taken). */
int http_server_start(struct store *store, const struct http_config *cfg,
		      struct http_server **out, struct err *e);

/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *srv);

/* 1 when the server speaks HTTPS (cookies get `Secure`, responses HSTS), else 0. */
int http_server_is_tls(const struct http_server *srv);

/* Stops accepting, waits for the requests in flight, closes the extra store handles
 * and frees the server.  NULL is allowed. */
void http_server_stop(struct http_server *srv);

/* The route table with its access rules, one object per route: {"method", "path",
 * "anonymous": bool, "roles": [...], "any_token": bool, "scopes": [...]} (a new
 * reference).  `xinyong routes` prints it; the route test walks it. */
json_t *http_routes_json(void);

/* Parses a size such as "1048576", "64K", "16M", "1G" (binary units) into *out.
 * Fails with `request.invalid`. */
int http_parse_size(const char *text, unsigned long long *out, struct err *e);

#endif
