/*
 * cmd_demo.c - `xinyong demo --db DB --subjects N [--seed S]` fills a database with
 * realistic synthetic data (after the built-in holiday calendar, as `init` loads it);
 * `xinyong demo --penalties N` writes a penalty CSV to stdout
 * (used by the benchmark).
 */
#include "cli.h"

#include "core/err.h"
#include "service/calendar.h"
#include "service/report_keys.h"
#include "service/rules.h"
#include "service/demo.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "subjects", required_argument, NULL, 'n' },
					      { "penalties", required_argument, NULL, 'p' },
					      { "seed", required_argument, NULL, 's' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong demo [--db DB] --subjects N [--seed S]\n"
			    "       xinyong demo --penalties N [--seed S] > penalties.csv";
	struct demo_options dopts = { 1000, 1 };
	const char *db = NULL;
	long penalties = -1;
	struct store *s;
	json_t *summary;
	struct err e;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "d:n:p:s:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': dopts.subjects = atoi(optarg); break;
		case 'p': penalties = atol(optarg); break;
		case 's': dopts.seed = strtoul(optarg, NULL, 10); break;
		case 'h': cli_help(argv[0], usage); return CLI_EXIT_OK;
		default: return cli_usage(usage);
		}
	}
	if (optind != argc || dopts.subjects < 1)
		return cli_usage(usage);
	err_clear(&e);
	if (penalties >= 0) {
		if (demo_write_penalties(stdout, penalties, dopts.seed, &e) < 0)
			return cli_fail(&e);
		return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (!(s = cli_open_store_create(db)))
		return CLI_EXIT_USAGE;
	rc = calendar_install_builtin(s, NULL, &e);
	if (rc == 0)
		rc = rules_install_builtin(s, &e);
	if (rc == 0)
		rc = report_keys_ensure(s, "肇庆市公共信用信息共享平台", &e);
	if (rc == 0)
		rc = demo_generate(s, &dopts, &summary, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(summary, 0);
	json_decref(summary);
	return CLI_EXIT_OK;
}
