/*
 * cmd_migrate.c - `xinyong migrate --from URL --to URL [--page N] [--verify-only]`:
 * copies a whole platform from one store to another (SQLite to PostgreSQL or back) and
 * verifies every table by count and digest (service/migrate.h).
 *
 * Progress goes to stderr, one line per page copied and per table compared; the report
 * goes to stdout as JSON.  Exit 0 when every table matches, 1 when a table differs or
 * the copy stopped (running the same command again resumes it), 2 when the arguments or
 * the databases cannot be used at all.
 */
#include "cli.h"

#include "core/err.h"
#include "service/migrate.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIGRATE_PAGE_MAX 1000000L

static void migrate_print_progress(void *ctx, enum migrate_phase phase, const char *table,
				   long long rows, int match)
{
	(void)ctx;
	if (phase == MIGRATE_COPYING)
		fprintf(stderr, "xinyong: %s：已复制 %lld 行\n", table, rows);
	else
		fprintf(stderr, "xinyong: %s：%s（源库 %lld 行）\n", table,
			match ? "校验一致" : "校验不一致", rows);
	fflush(stderr);
}

static int migrate_is_pg(const char *url)
{
	return strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0;
}

/* Opening an SQLite path creates the file: a mistyped source must not become an empty
 * platform that is then "migrated" (nor a checked target an empty file). */
static int migrate_db_exists(const char *url)
{
	if (migrate_is_pg(url))
		return 1;
	if (strncmp(url, "sqlite:", 7) == 0) {
		url += 7;
		if (strncmp(url, "//", 2) == 0)
			url += 2;
	}
	return access(url, F_OK) == 0;
}

int cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = { { "from", required_argument, NULL, 'f' },
					      { "to", required_argument, NULL, 't' },
					      { "page", required_argument, NULL, 'p' },
					      { "verify-only", no_argument, NULL, 'v' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong migrate --from URL --to URL [--page N] [--verify-only]";
	struct migrate_options mopts = { 0, 0, migrate_print_progress, NULL };
	struct store *from = NULL, *to = NULL;
	const char *from_url = NULL, *to_url = NULL;
	struct migrate_report report;
	json_t *doc;
	struct err e;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "f:t:p:vh", opts)) != -1) {
		switch (c) {
		case 'f': from_url = optarg; break;
		case 't': to_url = optarg; break;
		case 'v': mopts.verify_only = 1; break;
		case 'p': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || n < 1 || n > MIGRATE_PAGE_MAX) {
				fprintf(stderr,
					"xinyong: request.invalid: --page 应为 1 到 %ld 之间的整数\n",
					MIGRATE_PAGE_MAX);
				return CLI_EXIT_USAGE;
			}
			mopts.page = n;
			break;
		}
		case 'h': cli_help(argv[0], usage); return CLI_EXIT_OK;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc || !from_url || !*from_url || !to_url || !*to_url)
		return cli_usage(usage);
	err_clear(&e);
	if (!migrate_db_exists(from_url)) {
		err_set(&e, "request.invalid", "源数据库 %s 不存在，请检查 --from", from_url);
		return cli_fail(&e);
	}
	if (mopts.verify_only && !migrate_db_exists(to_url)) {
		err_set(&e, "request.invalid", "目标数据库 %s 不存在，请检查 --to", to_url);
		return cli_fail(&e);
	}
	/* store_open, not cli_open_store: the built-in catalog must not be written into
	 * either side, the target receives the source's catalog. */
	if (store_open(from_url, &from, &e) < 0 || store_open(to_url, &to, &e) < 0) {
		store_close(from);
		return cli_fail(&e);
	}
	if (migrate_same_location(from, to)) {
		err_set(&e, "migrate.same_location",
			"源库与目标库是同一个数据库（%s），请为 --to 指定另一个数据库",
			store_location(from));
		store_close(to);
		store_close(from);
		return cli_fail(&e);
	}
	fprintf(stderr, "xinyong: %s %s（%s）%s %s（%s）\n", mopts.verify_only ? "校验" : "迁移",
		store_location(from), store_backend_name(from), mopts.verify_only ? "与" : "→",
		store_location(to), store_backend_name(to));
	rc = migrate_run(from, to, &mopts, &report, &e);
	doc = migrate_report_json(from, to, &report);
	if (rc < 0)
		json_object_set_new(doc, "error", json_pack("{s:s, s:s}", "code", e.reason,
							    "message", e.message));
	cli_print_json(doc, 1);
	json_decref(doc);
	store_close(to);
	store_close(from);
	if (rc < 0) {
		cli_fail(&e);
		return CLI_EXIT_CHECK;
	}
	return CLI_EXIT_OK;
}
