/*
 * server_int.h - what the files of the server itself share (server.c, server_pool.c,
 * server_body.c, server_response.c, server_lifecycle.c): the server's state and one
 * request's state.  Handlers never see these: they have http_int.h and its accessors.
 */
#ifndef XY_SERVER_INT_H
#define XY_SERVER_INT_H

#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "http/http_int.h"
#include "http/request_head.h"
#include "http/tls.h"

struct err;
struct store;

/* A request head (request line and headers) may take SERVER_HEAD_MAX bytes, its request
 * line SERVER_URI_MAX; over them the server answers 431 or 414 itself, with its error
 * document and security headers.  libmicrohttpd keeps a connection's head in one memory
 * pool, and answers a head that does not fit with a fixed page of its own that no
 * callback can add headers to; the pool is twice our limit, so that only heads of more
 * than about 60 KiB meet that page.  Bodies do not count: they are handed over piece by
 * piece. */
#define SERVER_HEAD_MAX ((size_t)32 << 10)
#define SERVER_URI_MAX ((size_t)8 << 10)
#define SERVER_MEMORY_LIMIT (2 * SERVER_HEAD_MAX)

struct workday_calendar;

struct http_server {
	struct MHD_Daemon *daemon;
	int tls; /* 1 when serving HTTPS */
	/* The PEM texts given to libmicrohttpd, which keeps the pointers: they live until
	 * the daemon stopped, then the key is wiped (server_free). */
	struct tls_pair tls_pair;
	char *web_root; /* canonical (realpath) */
	unsigned long long max_body;
	uint16_t port;
	struct store *seed; /* borrowed from the caller: never closed here */
	struct ratelimit *anon_limit; /* ROUTE_LIMITED routes, anonymous callers; NULL: off */
	struct spool *spool;          /* where uploads wait (BODY_UPLOAD routes only) */
	struct conn_guard *guard;     /* head and idle deadlines, the connection table */
	struct metrics *metrics;      /* counters for GET /metrics */
	/* Upload handlers run in threads of their own (server_finish); stopping waits for
	 * them, since the daemon may not stop while a connection is suspended. */
	pthread_mutex_t work_lock;
	pthread_cond_t work_done;
	unsigned working;
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_freed; /* a handle was given back */
	struct store **pool; /* free handles */
	size_t npool;
	size_t nopen; /* handles opened so far, seed included */
	size_t pool_cap;
	/* 0 once a handle could not be had (every one busy for the whole wait, or the
	 * database refused a new one) until one is had again: /healthz reports it. */
	int store_ok;
	/* The platform's holiday calendar, loaded at start; read-only afterwards, so any
	 * thread may read it without a lock. */
	struct workday_calendar *calendar;
};

enum ctx_state {
	CTX_NEW,  /* no call of the access handler yet */
	CTX_BODY, /* routed; receiving (or discarding) the body */
	CTX_WORKING, /* an upload's handler runs in its own thread; the connection is suspended */
	CTX_READY,   /* that handler is done: its response waits in ctx->res */
	CTX_DONE, /* a response is queued */
};

/* One request.  Allocated by server_on_uri, freed by server_on_completed. */
struct http_ctx {
	struct http_server *srv;
	struct timespec started;
	enum ctx_state state;
	char method[HTTP_METHOD_MAX + 1];
	int raw_nul;    /* the raw path holds an encoded NUL (%00) */
	size_t uri_len; /* of the request target as sent, query included */
	char *path;     /* decoded */
	char *scratch;  /* decoded copy the router cuts parameters out of */
	const struct route *route;
	const char *params[HTTP_MAX_PARAMS];
	size_t nparams;
	unsigned long long body_max; /* the route's limit, BODY_UPLOAD resolved */
	int spool_fd;
	char spool_path[PATH_MAX];
	unsigned long long reserved; /* bytes of the spool quota this upload holds */
	struct buf body;             /* the body of a BODY_JSON route */
	unsigned long long received;
	int spool_full;  /* the quota ran out mid-body: the rest is discarded, then 507 */
	int spool_failed;
	unsigned status; /* 0 until a response is queued */
	unsigned retry_after; /* for a 429 */
	/* The handler's view of the request, filled once routed; its store handle goes
	 * back to the pool on completion. */
	struct http_request req;
	struct http_response res; /* an upload handler's answer (CTX_READY) */
};

/* ---- server_pool.c: the store handles -------------------------------------------- */

/* A free handle, a new one while fewer than pool_cap are open, or, when all are busy,
 * the first one given back within SERVER_POOL_WAIT_SECONDS; NULL with
 * `store.unavailable` (all busy) or the store's error (a new one could not be opened). */
struct store *server_pool_take(struct http_server *srv, struct err *e);
/* Gives back a handle that server_pool_take returned. */
void server_pool_give(struct http_server *srv, struct store *s);

/* ---- server_body.c: the request body --------------------------------------------- */

/* Settles the body on the request head: its limit, a declared length over it (413
 * before a byte is read), the spool quota for an upload of declared length (507), and
 * where the body will go.  Queues the refusal itself. */
enum MHD_Result server_body_begin(struct http_ctx *ctx, struct MHD_Connection *conn);
/* Takes one piece of the body.  Returns 0, or -1 when the body passed the route's
 * limit: the caller cuts the connection. */
int server_body_take(struct http_ctx *ctx, const char *data, size_t n);
/* Deletes the upload's spool file, if any, and gives its quota back. */
void server_body_drop(struct http_ctx *ctx);
/* Fills e with `spool.full`; returns -1. */
int server_body_full(const struct http_server *srv, struct err *e);

/* ---- server_response.c: sending a response --------------------------------------- */

void server_response_init(struct http_response *res);
/* Frees the body and closes the file of res; it may be initialised again. */
void server_response_clear(struct http_response *res);
/* Queues `res` on the connection with the security headers; res is cleared either way.
 * On success ctx records the status and is CTX_DONE. */
enum MHD_Result server_response_queue(struct http_ctx *ctx, struct MHD_Connection *conn,
				      struct http_response *res);
/* Queues the error document of e; `allow` (or NULL) becomes the Allow header. */
enum MHD_Result server_response_queue_error(struct http_ctx *ctx,
					    struct MHD_Connection *conn, const struct err *e,
					    const char *allow);

/* ---- server_lifecycle.c: libmicrohttpd's callbacks ------------------------------- */

void server_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code);
void *server_on_uri(void *cls, const char *uri, struct MHD_Connection *conn);
enum MHD_Result server_on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls);
void server_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe);

#endif
