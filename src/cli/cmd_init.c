/* cmd_init.c - `xinyong init --db DB`: an empty platform with the built-in catalog and
 * holiday calendar.  On an existing platform it adds what is missing of them (a year of
 * the built-in calendar the database lacks) and changes nothing else.  With demo and
 * serve --init, the only commands that create a SQLite file (never its directory). */
#include "cli.h"

#include "core/err.h"
#include "service/calendar.h"
#include "service/report_keys.h"
#include "service/rules.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong init [--db DB]";
	const char *db = NULL;
	struct store *s;
	struct err e;
	int c;

	while ((c = cli_getopt(argc, argv, "d:h", opts)) != -1) {
		if (c == 'd')
			db = optarg;
		else
			return c == 'h' ? (cli_help(argv[0], usage), CLI_EXIT_OK) : cli_usage(usage);
	}
	if (optind != argc)
		return cli_usage(usage);
	s = cli_open_store_create(db);
	if (!s)
		return CLI_EXIT_USAGE;
	err_clear(&e);
	if (calendar_install_builtin(s, NULL, &e) < 0 || rules_install_builtin(s, &e) < 0 ||
	    report_keys_ensure(s, NULL, &e) < 0) {
		store_close(s);
		return cli_fail(&e);
	}
	printf("initialized %s\n", store_location(s));
	store_close(s);
	return CLI_EXIT_OK;
}
