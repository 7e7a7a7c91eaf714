/*
 * server.c - the daemon: start and stop, and what the rest of the program and the
 * handlers may ask of a running server (its port, web root, counters, state).
 *
 * Threads.  A pool of daemon threads (MHD_OPTION_THREAD_POOL_SIZE), each watching its
 * connections with epoll: a thousand connections, most of them idle or slow, cost
 * sockets and memory pools, not threads.  An upload's handler runs in a thread of its
 * own (server_lifecycle.c); stopping waits for those.  The connection guard
 * (conn_guard.h) gives request heads and kept-alive connections their deadlines, which
 * the daemon's inactivity timeout cannot, and decides whom to drop when the table is
 * full.
 *
 * The server's files, one job each: server_lifecycle.c (a request's way through
 * libmicrohttpd's callbacks), server_body.c (the body: limits, spooling),
 * server_response.c (error documents, response headers), server_pool.c (the store
 * handles), http_request.c (what handlers ask of a request), http_log.c (log lines);
 * server_int.h holds the state they share.
 *
 * The holiday calendar (service/calendar.h) is read once, from the first handle, when
 * the server starts, and never changes while it runs: /healthz reports it from memory,
 * and a yearly `xinyong calendar import` takes effect at the next start.
 */
#include "http/http.h"
#include "http/server_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/workday.h"
#include "http/conn_guard.h"
#include "http/http_log.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/spool.h"
#include "http/tls.h"
#include "service/calendar.h"
#include "store/store.h"

#define SERVER_TIMEOUT_SECONDS 120u
/* TLS 1.2 and 1.3 only: every browser that can run the web page speaks them. */
#define SERVER_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

const char *http_server_web_root(const struct http_server *srv)
{
	return srv->web_root;
}

int http_server_tls(const struct http_server *srv)
{
	return srv->tls;
}

struct metrics *http_server_metrics(const struct http_server *srv)
{
	return srv->metrics;
}

void http_server_get_status(struct http_server *srv, struct http_server_status *out)
{
	struct conn_guard_stats g;

	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&srv->pool_lock);
	out->store_ok = srv->store_ok;
	out->handles_open = srv->nopen;
	out->handles_free = srv->npool;
	out->handles_max = srv->pool_cap;
	pthread_mutex_unlock(&srv->pool_lock);
	conn_guard_get_stats(srv->guard, &g);
	out->connections_open = g.open;
	out->head_timeouts = g.head_timeouts;
	out->idle_timeouts = g.idle_timeouts;
	out->evicted = g.evicted;
	out->refused = g.refused;
	out->spool_used = spool_used(srv->spool);
	out->spool_quota = spool_quota(srv->spool);
}

/* Splits "host:port" or "[v6]:port" and resolves it (numeric or a local name). */
static int server_resolve(const char *listen, struct addrinfo **out, struct err *e)
{
	struct addrinfo hints;
	char host[256];
	const char *start = listen, *end, *port;
	int rc;

	if (listen[0] == '[') {
		start = listen + 1;
		end = strchr(start, ']');
		if (!end || end[1] != ':')
			goto bad;
		port = end + 2;
	} else {
		end = strrchr(listen, ':');
		if (!end)
			goto bad;
		port = end + 1;
	}
	if (end == start || (size_t)(end - start) >= sizeof host || !*port || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535)
		goto bad;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, out);
	if (rc != 0)
		return err_set(e, "request.invalid", "无法解析监听地址“%s”：%s", listen,
			       gai_strerror(rc));
	return 0;
bad:
	return err_set(e, "request.invalid", "监听地址“%s”无效，应为“主机:端口”，例如 127.0.0.1:8080",
		       listen);
}

static void server_free(struct http_server *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < srv->npool; i++)
		if (srv->pool[i] != srv->seed)
			store_close(srv->pool[i]);
	pthread_cond_destroy(&srv->pool_freed);
	pthread_mutex_destroy(&srv->pool_lock);
	pthread_cond_destroy(&srv->work_done);
	pthread_mutex_destroy(&srv->work_lock);
	conn_guard_free(srv->guard);
	metrics_free(srv->metrics);
	free(srv->pool);
	free(srv->web_root);
	ratelimit_free(srv->anon_limit);
	spool_free(srv->spool);
	tls_clear_pair(&srv->tls_pair);
	workday_calendar_free(srv->calendar);
	free(srv);
}

/* Loads the holiday calendar from the first handle and logs the years it lacks that
 * matter now (service/calendar.h; /healthz repeats them). */
static int server_load_calendar(struct http_server *srv, struct err *e)
{
	char today_text[11];
	struct date today;
	int missing[2], n, i;

	if (calendar_load(srv->seed, &srv->calendar, e) < 0)
		return -1;
	clock_today(today_text);
	if (date_parse_iso(today_text, &today) < 0)
		return 0;
	n = calendar_missing_years(srv->calendar, today, missing);
	for (i = 0; i < n; i++)
		fprintf(stderr, "event=calendar warning=year_missing year=%d\n", missing[i]);
	return 0;
}

const struct workday_calendar *http_server_calendar(const struct http_server *srv)
{
	return srv->calendar;
}

/* Loads the certificate and key when the configuration names them and fills `opts`
 * (room for 4) with the daemon options that serve them; with neither, opts holds only
 * the end marker. */
static int server_tls_options(struct http_server *srv, const struct http_config *cfg,
			      struct MHD_OptionItem *opts, unsigned *flags, struct err *e)
{
	size_t n = 0;

	if (cfg->tls_cert || cfg->tls_key) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return err_set(e, "config.tls",
				       "本程序使用的 libmicrohttpd 不支持 HTTPS：请去掉 --tls-cert 和 "
				       "--tls-key，或由反向代理提供 HTTPS");
		if (tls_load_pair(cfg->tls_cert, cfg->tls_key, &srv->tls_pair, e) < 0)
			return -1;
		srv->tls = 1;
		*flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_pair.key };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
						     srv->tls_pair.cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)SERVER_TLS_PRIORITIES };
	}
	opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return 0;
}

/* Each connection is a descriptor: raise the soft limit towards the hard one so that
 * the table's `conns` (and the daemon's room beyond them, the database, the spool) fit.
 * When the hard limit is lower, the server still runs, with the kernel's limit. */
static void server_raise_fd_limit(unsigned conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conns * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		fprintf(stderr, "event=config warning=fd_limit limit=%llu wanted=%llu\n",
			(unsigned long long)rl.rlim_cur, (unsigned long long)want);
}

/* Opens the spool directory.  A quota smaller than one upload could never be met: that
 * is a configuration mistake, said at start rather than as 507 on every large upload. */
static int server_spool_start(struct http_server *srv, const struct http_config *cfg,
			      struct err *e)
{
	unsigned long long quota = cfg->spool_quota ? cfg->spool_quota : HTTP_DEFAULT_SPOOL_QUOTA;
	char dir[PATH_MAX];

	if (quota < srv->max_body)
		return err_set(e, "config.spool",
			       "上传暂存配额（%llu 字节）小于单个上传的上限 --max-body（%llu 字节）",
			       quota, srv->max_body);
	if (cfg->spool_dir && *cfg->spool_dir)
		snprintf(dir, sizeof dir, "%s", cfg->spool_dir);
	else
		spool_default_dir(dir, sizeof dir);
	return spool_open(dir, quota, &srv->spool, e);
}

int http_server_start(struct store *store, const struct http_config *cfg,
		      struct http_server **out, struct err *e)
{
	struct http_server *srv;
	struct addrinfo *ai = NULL;
	struct stat st;
	const union MHD_DaemonInfo *info;
	struct MHD_OptionItem tls_opts[4];
	unsigned conns = cfg->max_connections ? cfg->max_connections : HTTP_DEFAULT_CONNECTIONS;
	unsigned per_addr = cfg->max_per_address ? cfg->max_per_address : HTTP_DEFAULT_PER_ADDRESS;
	unsigned threads = cfg->threads ? cfg->threads : HTTP_DEFAULT_THREADS;
	unsigned head_s = cfg->head_timeout ? cfg->head_timeout : HTTP_DEFAULT_HEAD_TIMEOUT;
	unsigned idle_s = cfg->idle_timeout ? cfg->idle_timeout : HTTP_DEFAULT_IDLE_TIMEOUT;
	/* A few threads, each watching many connections with epoll: a connection costs a
	 * socket and a memory pool, not a thread, so idle or slow ones are cheap. */
	unsigned flags = (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES
				  ? MHD_USE_EPOLL_INTERNAL_THREAD
				  : MHD_USE_POLL_INTERNAL_THREAD) |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	unsigned rate;
	size_t nroutes;

	*out = NULL;
	srv = calloc(1, sizeof *srv);
	if (!srv)
		return err_set(e, "internal.error", "内存不足");
	pthread_mutex_init(&srv->pool_lock, NULL);
	pthread_cond_init(&srv->pool_freed, NULL);
	pthread_mutex_init(&srv->work_lock, NULL);
	pthread_cond_init(&srv->work_done, NULL);
	srv->seed = store;
	srv->max_body = cfg->max_body ? cfg->max_body : HTTP_DEFAULT_MAX_BODY;
	/* More handles than connections could never be used at once. */
	srv->pool_cap = cfg->db_pool ? cfg->db_pool : HTTP_DEFAULT_DB_POOL;
	if (srv->pool_cap > (size_t)conns + 1)
		srv->pool_cap = (size_t)conns + 1;
	if (conn_guard_create(conns, head_s * 1000u, idle_s * 1000u, &srv->guard) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足或无法创建线程");
	}
	server_raise_fd_limit(conns);
	srv->pool = calloc(srv->pool_cap, sizeof *srv->pool);
	if (!srv->pool) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}
	srv->pool[srv->npool++] = store;
	srv->nopen = 1;
	srv->store_ok = 1;
	if (server_load_calendar(srv, e) < 0) {
		server_free(srv);
		return -1;
	}
	router_table(&nroutes);
	if (metrics_create(nroutes, &srv->metrics) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}
	rate = cfg->rate_limit_set ? cfg->rate_limit : HTTP_DEFAULT_RATE_LIMIT;
	/* 4096 addresses: a city's simultaneous searchers fit; beyond, the stalest go. */
	if (rate && ratelimit_create(rate, rate, 4096, &srv->anon_limit) < 0) {
		server_free(srv);
		return err_set(e, "internal.error", "内存不足");
	}

	if (server_spool_start(srv, cfg, e) < 0) {
		server_free(srv);
		return -1;
	}
	srv->web_root = realpath(cfg->web_root, NULL);
	if (!srv->web_root || stat(srv->web_root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, "request.invalid", "网站目录“%s”不存在或不是目录", cfg->web_root);
		server_free(srv);
		return -1;
	}
	if (server_tls_options(srv, cfg, tls_opts, &flags, e) < 0) {
		server_free(srv);
		return -1;
	}
	if (server_resolve(cfg->listen ? cfg->listen : HTTP_DEFAULT_LISTEN, &ai, e) < 0) {
		server_free(srv);
		return -1;
	}
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, server_on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
		http_log_mhd, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_URI_LOG_CALLBACK, server_on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED,
		server_on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, server_on_connection, srv,
		/* The guard keeps the real table of `conns`; the daemon's own limit leaves room
		 * for connections the guard dropped and the daemon has not yet closed, so that
		 * a newcomer reaches the guard (which picks whom to drop) instead of being
		 * refused by the daemon. */
		MHD_OPTION_CONNECTION_LIMIT, 2 * conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, SERVER_TIMEOUT_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, SERVER_MEMORY_LIMIT, MHD_OPTION_ARRAY, tls_opts,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!srv->daemon) {
		err_set(e, "internal.error", "无法在 %s 上启动服务（地址无效或端口已被占用）",
			cfg->listen ? cfg->listen : HTTP_DEFAULT_LISTEN);
		server_free(srv);
		return -1;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return 0;
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

int http_server_is_tls(const struct http_server *srv)
{
	return srv->tls;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	/* Uploads being ingested finish first: their connections are suspended, and the
	 * daemon may only stop once none is. */
	pthread_mutex_lock(&srv->work_lock);
	while (srv->working)
		pthread_cond_wait(&srv->work_done, &srv->work_lock);
	pthread_mutex_unlock(&srv->work_lock);
	/* Joins the daemon's threads; the completion callbacks give the store handles back,
	 * so after this the pool holds every handle that was opened. */
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
}

int http_parse_size(const char *text, unsigned long long *out, struct err *e)
{
	unsigned long long n, mult = 1;
	char *end;

	errno = 0;
	if (!text || !isdigit((unsigned char)*text))
		goto bad;
	n = strtoull(text, &end, 10);
	if (errno)
		goto bad;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': mult = 1ULL << 10; end++; break;
	case 'M': mult = 1ULL << 20; end++; break;
	case 'G': mult = 1ULL << 30; end++; break;
	default: goto bad;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || n == 0 || n > ULLONG_MAX / mult)
		goto bad;
	*out = n * mult;
	return 0;
bad:
	return err_set(e, "request.invalid", "大小“%s”无效，应为正整数，可带 K、M、G 单位",
		       text ? text : "");
}
