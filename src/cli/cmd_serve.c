/*
 * cmd_serve.c - `xinyong serve`: the HTTP API and the web pages until SIGINT or SIGTERM.
 *
 *   xinyong serve [--db URL] [--init] [--listen HOST:PORT] [--web DIR] [--max-body SIZE]
 *                 [--max-connections N] [--db-pool N] [--tls-cert FILE --tls-key FILE]
 *
 * --spool-dir (or $XINYONG_SPOOL_DIR) is where uploads wait until ingested (default
 * "$TMPDIR/xinyong-spool-UID", mode 0700); --spool-quota (or $XINYONG_SPOOL_QUOTA) caps
 * the bytes all uploads in flight hold there (default 2G, at least --max-body).
 *
 * Against clients that hold connections (http.h has the defaults): --head-timeout
 * SECONDS for a whole request head (10), --idle-timeout SECONDS for a kept-alive
 * connection between requests (30), --max-connections N in all (1024),
 * --max-per-address N from one client address (128), --threads N of the daemon (8).
 *
 * --db-pool (or $XINYONG_DB_POOL) caps the database handles, i.e. the PostgreSQL
 * connections, the server keeps (default 16).
 *
 * --tls-cert and --tls-key (or $XINYONG_TLS_CERT and $XINYONG_TLS_KEY) serve HTTPS
 * with the PEM certificate and key; a flag overrides its variable, and giving only one
 * of the pair is an error (exit 2, `config.tls`).
 *
 * Prints one line when ready, "xinyong: serving http://HOST:PORT (db=..., web=...)"
 * ("https://" with a certificate),
 * with the real port (so `--listen 127.0.0.1:0` can be used by tests), then one log
 * line per request on stderr.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "http/http.h"
#include "http/http_config.h"
#include "service/audit_trail.h"
#include "service/calendar.h"
#include "service/report_keys.h"
#include "service/rules.h"
#include "store/store.h"

#define SERVE_USAGE                                                                        \
	"xinyong serve [--db URL] [--init] [--listen HOST:PORT] [--web DIR] [--max-body SIZE] "     \
	"[--max-connections N] [--db-pool N] [--tls-cert FILE --tls-key FILE] "           \
	"[--rate-limit N] [--audit-key FILE] [--checkpoint-every SECONDS] "                 \
	"[--spool-dir DIR] [--spool-quota SIZE] [--head-timeout SECONDS] "                 \
	"[--idle-timeout SECONDS] [--max-per-address N] [--threads N]"

#define SERVE_HELP                                                                          \
	"usage: " SERVE_USAGE "\n"                                                          \
	"\n"                                                                                 \
	"Serves the HTTP API (docs/api.md) and the web pages until SIGINT or SIGTERM.\n"      \
	"\n"                                                                                 \
	"options:\n"                                                                         \
	"  --db DB                 the platform database (default $XINYONG_DB, else\n"        \
	"                          var/xinyong.db); it must exist unless --init is given\n"    \
	"  --init                  create the SQLite file when missing (never its directory)\n" \
	"                          and load the built-in catalog, calendar and rules\n"      \
	"  --listen HOST:PORT      where to listen (default 127.0.0.1:8080; port 0: any)\n"   \
	"  --web DIR               the web pages' directory\n"                                \
	"  --max-body SIZE         largest request body, e.g. 1G, 512M (default 512M)\n"       \
	"  --max-connections N     connections in all, 1-10000 (default 1024)\n"             \
	"  --max-per-address N     connections from one address, 1-10000 (default 128)\n"     \
	"  --threads N             worker threads, 1-256 (default 8)\n"                      \
	"  --db-pool N             database handles kept, 1-10000 (default 16,\n"            \
	"                          $XINYONG_DB_POOL)\n"                                       \
	"  --tls-cert FILE         PEM certificate for HTTPS (with --tls-key;\n"             \
	"                          $XINYONG_TLS_CERT)\n"                                      \
	"  --tls-key FILE          PEM key for HTTPS ($XINYONG_TLS_KEY)\n"                    \
	"  --rate-limit N          anonymous requests a minute per address (default 120; 0: off)\n"     \
	"  --audit-key FILE        Ed25519 key to sign audit checkpoints\n"                 \
	"                          ($XINYONG_AUDIT_KEY)\n"                                    \
	"  --checkpoint-every S    seconds between checkpoints (default 600)\n"             \
	"  --spool-dir DIR         where uploads wait ($XINYONG_SPOOL_DIR)\n"               \
	"  --spool-quota SIZE      bytes all uploads in flight may hold (default 4 x --max-body)\n"    \
	"  --head-timeout S        seconds for a whole request head (default 10)\n"          \
	"  --idle-timeout S        seconds a kept-alive connection may idle (default 30)\n"   \
	"  --help                  this text\n"                                               \
	"\n"                                                                                 \
	"examples:\n"                                                                        \
	"  xinyong serve --db var/xinyong.db --listen 127.0.0.1:8080 --web web\n"              \
	"  xinyong serve --init --db /srv/xinyong/platform.db --listen 0.0.0.0:8080\n"

/* The options that take a value. */
static int serve_known(const char *opt)
{
	static const char *const known[] = {
		"--db", "--listen", "--web", "--max-body", "--spool-dir", "--spool-quota",
		"--max-connections", "--max-per-address", "--threads", "--head-timeout",
		"--idle-timeout", "--db-pool", "--tls-cert", "--tls-key", "--rate-limit",
		"--audit-key", "--checkpoint-every",
	};
	size_t i;

	for (i = 0; i < sizeof known / sizeof *known; i++)
		if (strcmp(opt, known[i]) == 0)
			return 1;
	return 0;
}

/* How often the server signs the audit trail's head when it has the key. */
#define SERVE_CHECKPOINT_SECONDS 600

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

/* How often the keeper chains the audit entries that reads queued during a batch. */
#define SERVE_DRAIN_SECONDS 1

/* Waits for SIGINT or SIGTERM and returns it.  Meanwhile, on its own store handle (the
 * pool's belong to the request threads), the keeper chains every second the audit
 * entries that reads queued while a batch held SQLite's write lock, and with an audit
 * key signs a checkpoint of the trail every `every` seconds, so that a trail cut or
 * rewritten after a checkpoint is caught by `xinyong audit verify`. */
static int serve_wait(const sigset_t *stop, struct store *keeper, const char *key,
		      unsigned every)
{
	struct timespec wait = { SERVE_DRAIN_SECONDS, 0 };
	unsigned since_checkpoint = 0;
	int sig;

	for (;;) {
		struct audit_checkpoint c;
		struct err e;

		sig = sigtimedwait(stop, NULL, &wait);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig < 0 && errno != EAGAIN)
			continue;
		err_clear(&e);
		if (store_audit_drain(keeper, &e) < 0 && strcmp(e.reason, "store.unavailable") != 0)
			fprintf(stderr, "event=audit_drain status=failed reason=%s\n", e.reason);
		since_checkpoint += SERVE_DRAIN_SECONDS;
		if (!key || !*key || since_checkpoint < every)
			continue;
		since_checkpoint = 0;
		err_clear(&e);
		if (audit_trail_checkpoint(keeper, key, &c, &e) < 0 &&
		    strcmp(e.reason, "request.invalid") != 0)
			fprintf(stderr, "event=audit_checkpoint status=failed reason=%s\n", e.reason);
	}
	return sig;
}

int cmd_serve(int argc, char **argv)
{
	struct http_config cfg = { .listen = HTTP_DEFAULT_LISTEN, .web_root = XY_WEB_ROOT };
	struct http_server *srv = NULL;
	struct store *store = NULL;
	const char *db = NULL, *audit_key = getenv("XINYONG_AUDIT_KEY");
	unsigned checkpoint_every = SERVE_CHECKPOINT_SECONDS;
	struct store *keeper = NULL;
	sigset_t stop, old;
	struct err e;
	char host[256];
	int i, sig = 0, init = 0, rc = CLI_EXIT_USAGE;

	err_clear(&e);
	/* Every option takes a value, so the arguments go in pairs. */
	for (i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			fputs(SERVE_HELP, stdout);
			return CLI_EXIT_OK;
		}
		if (strcmp(opt, "--init") == 0) {
			init = 1;
			i--; /* a flag: the next argument is an option again */
			continue;
		}
		if (strncmp(opt, "--", 2) != 0 || !serve_known(opt)) {
			fprintf(stderr, "xinyong serve: 不认识的选项 %s（本命令没有这个选项）\n"
				"运行 xinyong serve --help 查看全部选项、取值与示例。\n", opt);
			return cli_usage(SERVE_USAGE);
		}
		if (!val) {
			fprintf(stderr, "xinyong serve: 选项 %s 缺少取值\n", opt);
			return cli_usage(SERVE_USAGE);
		}
		if (strcmp(opt, "--db") == 0) {
			db = val;
		} else if (strcmp(opt, "--listen") == 0) {
			cfg.listen = val;
		} else if (strcmp(opt, "--web") == 0) {
			cfg.web_root = val;
		} else if (strcmp(opt, "--max-body") == 0) {
			if (http_parse_size(val, &cfg.max_body, &e) < 0)
				return cli_fail(&e);
		} else if (strcmp(opt, "--spool-dir") == 0) {
			cfg.spool_dir = val;
		} else if (strcmp(opt, "--spool-quota") == 0) {
			if (http_parse_size(val, &cfg.spool_quota, &e) < 0)
				return cli_fail(&e);
		} else if (strcmp(opt, "--max-connections") == 0) {
			if (!(cfg.max_connections = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--max-per-address") == 0) {
			if (!(cfg.max_per_address = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--threads") == 0) {
			if (!(cfg.threads = serve_count(val)) || cfg.threads > 256)
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--head-timeout") == 0) {
			if (!(cfg.head_timeout = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--idle-timeout") == 0) {
			if (!(cfg.idle_timeout = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--db-pool") == 0) {
			if (!(cfg.db_pool = serve_count(val)))
				return cli_usage(SERVE_USAGE);
		} else if (strcmp(opt, "--tls-cert") == 0) {
			cfg.tls_cert = val;
		} else if (strcmp(opt, "--tls-key") == 0) {
			cfg.tls_key = val;
		} else if (strcmp(opt, "--rate-limit") == 0) {
			/* 0 is allowed here: it turns the limit off. */
			if (strcmp(val, "0") != 0 && !serve_count(val))
				return cli_usage(SERVE_USAGE);
			cfg.rate_limit = serve_count(val);
			cfg.rate_limit_set = 1;
		} else if (strcmp(opt, "--audit-key") == 0) {
			audit_key = val;
		} else if (strcmp(opt, "--checkpoint-every") == 0) {
			if (!(checkpoint_every = serve_count(val)))
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
	if (!cfg.spool_dir && getenv("XINYONG_SPOOL_DIR") && *getenv("XINYONG_SPOOL_DIR"))
		cfg.spool_dir = getenv("XINYONG_SPOOL_DIR");
	if (!cfg.spool_quota && getenv("XINYONG_SPOOL_QUOTA") && *getenv("XINYONG_SPOOL_QUOTA") &&
	    http_parse_size(getenv("XINYONG_SPOOL_QUOTA"), &cfg.spool_quota, &e) < 0)
		return cli_fail(&e);
	/* An empty variable counts as unset: `XINYONG_TLS_CERT= xinyong serve` is plain HTTP. */
	if (!cfg.tls_cert && getenv("XINYONG_TLS_CERT") && *getenv("XINYONG_TLS_CERT"))
		cfg.tls_cert = getenv("XINYONG_TLS_CERT");
	if (!cfg.tls_key && getenv("XINYONG_TLS_KEY") && *getenv("XINYONG_TLS_KEY"))
		cfg.tls_key = getenv("XINYONG_TLS_KEY");

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

	store = init ? cli_open_store_create(db) : cli_open_store(db);
	if (!store)
		goto out;
	/* A platform without a report signing key gets one, init or not (report_keys.h). */
	if ((init && (calendar_install_builtin(store, NULL, &e) < 0 ||
		      rules_install_builtin(store, &e) < 0)) ||
	    report_keys_ensure(store, NULL, &e) < 0) {
		cli_fail(&e);
		goto out;
	}
	if (http_server_start(store, &cfg, &srv, &e) < 0) {
		cli_fail(&e);
		goto out;
	}
	serve_host(cfg.listen, host, sizeof host);
	printf("xinyong: serving %s://%s:%u (db=%s, web=%s)\n",
	       http_server_is_tls(srv) ? "https" : "http", host,
	       (unsigned)http_server_port(srv), store_location(store), cfg.web_root);
	fflush(stdout);

	if (store_open_another(store, &keeper, &e) < 0) {
		cli_fail(&e);
		goto out;
	}
	sig = serve_wait(&stop, keeper, audit_key, checkpoint_every);
	fprintf(stderr, "event=shutdown signal=%s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = CLI_EXIT_OK;

out:
	http_server_stop(srv);
	/* What reads queued in the last moments is chained before the server goes. */
	if (keeper) {
		err_clear(&e);
		store_audit_drain(keeper, &e);
	}
	store_close(keeper);
	store_close(store);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
