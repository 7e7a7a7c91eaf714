/*
 * cmd_rules.c - `xinyong rules`: the rules of each kind of case (src/service/rules.h).
 *
 *   rules list          every stored rules file, and which is in force
 *   rules show KIND     the rules of KIND in force today, whole
 *   rules import FILE   check FILE and store it under its kind and effective date
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "service/principal.h"
#include "service/rules.h"
#include "store/store.h"

#define RULES_USAGE                                                                         \
	"xinyong rules [--db DB] list\n"                                                     \
	"       xinyong rules [--db DB] show KIND\n"                                           \
	"       xinyong rules [--db DB] import FILE"

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *sub;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	int c, rc, nargs;

	while ((c = cli_getopt(argc, argv, "d:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': cli_help(argv[0], RULES_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(RULES_USAGE);
		}
	}
	nargs = argc - optind;
	sub = nargs > 0 ? argv[optind] : "";
	if (!((strcmp(sub, "list") == 0 && nargs == 1) || (strcmp(sub, "show") == 0 && nargs == 2) ||
	      (strcmp(sub, "import") == 0 && nargs == 2)))
		return cli_usage(RULES_USAGE);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	principal_cli(&who, NULL);
	if (strcmp(sub, "list") == 0)
		rc = rules_list(s, &doc, &e);
	else if (strcmp(sub, "show") == 0)
		rc = rules_show(s, argv[optind + 1], &doc, &e);
	else
		rc = rules_import(s, &who, argv[optind + 1], &doc, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}
