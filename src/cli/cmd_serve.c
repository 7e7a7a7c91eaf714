/*
 * cmd_serve.c - `xinyong serve`: the HTTP API and the web pages until SIGINT or SIGTERM.
 *
 *   xinyong serve [--db URL] [--listen HOST:PORT] [--web DIR] [--max-body SIZE]
 *                 [--max-connections N] [--db-pool N]
 *
 * --db-pool (or $XINYONG_DB_POOL) caps the database handles, i.e. the PostgreSQL
 * connections, the server keeps (default 16).
 *
 * Prints one line when ready, "xinyong: serving http://HOST:PORT (db=..., web=...)",
 * with the real port (so `--listen 127.0.0.1:0` can be used by tests), then one log
 * line per request on stderr.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "http/http.h"
#include "http/http_config.h"
#include "store/store.h"

#define SERVE_USAGE                                                                        \
	"xinyong serve [--db URL] [--listen HOST:PORT] [--web DIR] [--max-body SIZE] "     \
	"[--max-connections N] [--db-pool N]"

/* A count option's value, 1..10000; 0 when it is not one. */
static unsigned serve_count(const char *val)
{
	char *end;
	long n;

	if (!val || !*val)
		return 0;
	n = strtol(val, &end, 10);
	return *end || n < 1 || n > 10000 ? 0 : (unsigned)n;
}

/* The host part of HOST:PORT, for the ready line ("[::1]" keeps its brackets). */
static void serve_host(const char *listen, char *out, size_t size)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

	if (n >= size)
		n = size - 1;
	memcpy(out, listen, n);
	out[n] = '\0';
}

int cmd_serve(int argc, char **argv)
{
	struct http_config cfg = { HTTP_DEFAULT_LISTEN, XY_WEB_ROOT, 0, 0, 0 };
	struct http_server *srv = NULL;
	struct store *store = NULL;
	const char *db = NULL;
	sigset_t stop, old;
	struct err e;
	char host[256];
	int i, sig = 0, rc = CLI_EXIT_USAGE;

	err_clear(&e);
	/* Every option takes a value, so the arguments go in pairs. */
	for (i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			printf("usage: %s\n", SERVE_USAGE);
			return CLI_EXIT_OK;
		}
		if (!val)
			return cli_usage(SERVE_USAGE);
		if (strcmp(opt, "--db") == 0) {
			db = val;
		} else if (strcmp(opt, "--listen") == 0) {
			cfg.listen = val;
		} else if (strcmp(opt, "--web") == 0) {
			cfg.web_root = val;
		} else if (strcmp(opt, "--max-body") == 0) {
			if (http_parse_size(val, &cfg.max_body, &e) < 0)
				return cli_fail(&e);
		} else if (strcmp(opt, "--max-connections") == 0) {
			if (!(cfg.max_connections = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--db-pool") == 0) {
			if (!(cfg.db_pool = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else {
			return cli_usage(SERVE_USAGE);
		}
	}

	if (!cfg.db_pool && getenv("XINYONG_DB_POOL") &&
	    !(cfg.db_pool = serve_count(getenv("XINYONG_DB_POOL")))) {
		fprintf(stderr, "xinyong: XINYONG_DB_POOL 应为 1 到 10000 之间的整数\n");
		return CLI_EXIT_USAGE;
	}

	/* Block the stop signals before the daemon starts its threads, which inherit the
	 * mask: then only this thread receives them, in sigwait below, and the shutdown
	 * runs as ordinary code rather than inside a signal handler. */
	/* A shell starts background jobs with SIGINT ignored; sigwait needs the signals to
	 * be generated at all, so their disposition is reset (they stay blocked). */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	/* A client that hangs up mid-response must not kill the server. */
	signal(SIGPIPE, SIG_IGN);

	store = cli_open_store(db);
	if (!store)
		goto out;
	if (http_server_start(store, &cfg, &srv, &e) < 0) {
		cli_fail(&e);
		goto out;
	}
	serve_host(cfg.listen, host, sizeof host);
	printf("xinyong: serving http://%s:%u (db=%s, web=%s)\n", host,
	       (unsigned)http_server_port(srv), store_location(store), cfg.web_root);
	fflush(stdout);

	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "event=shutdown signal=%s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = CLI_EXIT_OK;

out:
	http_server_stop(srv);
	store_close(store);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
