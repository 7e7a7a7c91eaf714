/* cmd_catalog.c - `xinyong catalog list | show ID | import FILE...`. */
#include "cli.h"

#include "core/err.h"
#include "service/catalogs.h"
#include "service/principal.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_catalog(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong catalog [--db DB] list | show ID | import FILE...";
	const char *db = NULL, *sub;
	int c, i, rc = 0, nargs;
	struct store *s;
	json_t *doc;
	struct principal who;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:h", opts)) != -1) {
		if (c == 'd')
			db = optarg;
		else
			return c == 'h' ? (cli_help(argv[0], usage), CLI_EXIT_OK) : cli_usage(usage);
	}
	if (optind >= argc)
		return cli_usage(usage);
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (!((strcmp(sub, "list") == 0 && nargs == 0) || (strcmp(sub, "show") == 0 && nargs == 1) ||
	      (strcmp(sub, "import") == 0 && nargs >= 1)))
		return cli_usage(usage);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	principal_cli(&who, NULL);
	if (strcmp(sub, "list") == 0) {
		rc = catalogs_list(s, &doc, &e);
		if (rc == 0) {
			for (i = 0; i < (int)json_array_size(doc); i++)
				cli_print_json(json_array_get(doc, (size_t)i), 0);
			json_decref(doc);
		}
	} else if (strcmp(sub, "show") == 0) {
		rc = catalogs_show(s, argv[optind + 1], &doc, &e);
		if (rc == 0) {
			cli_print_json(doc, 1);
			json_decref(doc);
		}
	} else {
		for (i = optind + 1; i < argc && rc == 0; i++) {
			rc = catalogs_import(s, &who, argv[i], &doc, &e);
			if (rc == 0) {
				cli_print_json(doc, 0);
				json_decref(doc);
			}
		}
	}
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}
