/* cmd_search.c - `xinyong search TEXT`: subjects by code or part of the name. */
#include "cli.h"

#include "core/err.h"
#include "service/principal.h"
#include "service/subjects.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_search(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "limit", required_argument, NULL, 'n' },
					      { "compact", no_argument, NULL, 'c' },
					      { "purpose", required_argument, NULL, 'p' },
					      { "region", required_argument, NULL, 'r' },
					      { "type", required_argument, NULL, 't' },
					      { "cursor", required_argument, NULL, 'C' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong search [--db DB] [--limit N] [--region CODE] [--type TYPE] "
			    "[--cursor NEXT] [--purpose TEXT] [--compact] TEXT";
	const char *db = NULL, *purpose = NULL;
	struct principal who;
	struct subjects_query query = { 0 };
	int c, pretty = 1, limit = 0, rc;
	struct store *s;
	json_t *doc;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:n:cp:r:t:C:h", opts)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'n') {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || n < 1 || n > SUBJECTS_SEARCH_MAX_LIMIT) {
				fprintf(stderr, "xinyong: request.invalid: --limit 应为 1 到 %d 之间的整数\n",
					SUBJECTS_SEARCH_MAX_LIMIT);
				return CLI_EXIT_USAGE;
			}
			limit = (int)n;
		}
		else if (c == 'c')
			pretty = 0;
		else if (c == 'p')
			purpose = optarg;
		else if (c == 'r')
			query.region = optarg;
		else if (c == 't')
			query.subject_type = optarg;
		else if (c == 'C')
			query.cursor = optarg;
		else
			return c == 'h' ? (cli_help(argv[0], usage), CLI_EXIT_OK) : cli_usage(usage);
	}
	if (argc - optind != 1)
		return cli_usage(usage);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	/* Operators at the command line see persons too; the public API does not. */
	principal_cli(&who, purpose);
	query.text = argv[optind];
	query.limit = limit;
	rc = subjects_search(s, &query, &who, &doc, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, pretty);
	json_decref(doc);
	return CLI_EXIT_OK;
}
