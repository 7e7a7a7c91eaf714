/* cmd_subject.c - `xinyong subject show CODE`: a subject's archive as JSON. */
#include "cli.h"

#include "core/err.h"
#include "service/principal.h"
#include "service/subjects.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_subject(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "compact", no_argument, NULL, 'c' },
					      { "purpose", required_argument, NULL, 'p' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong subject show [--db DB] [--purpose TEXT] [--compact] CODE";
	const char *db = NULL, *purpose = NULL;
	struct principal who;
	int c, pretty = 1, rc;
	struct store *s;
	json_t *doc;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:cp:h", opts)) != -1) {
		if (c == 'd')
			db = optarg;
		else if (c == 'c')
			pretty = 0;
		else if (c == 'p')
			purpose = optarg;
		else
			return c == 'h' ? (cli_help(argv[0], usage), CLI_EXIT_OK) : cli_usage(usage);
	}
	if (argc - optind != 2 || strcmp(argv[optind], "show") != 0)
		return cli_usage(usage);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	/* The console holds the database: it sees the whole archive, and the look is
	 * recorded in the audit trail with the purpose given. */
	principal_cli(&who, purpose);
	rc = subjects_show(s, argv[optind + 1], &who, &doc, &e);
	store_close(s);
	if (rc < 0) {
		cli_fail(&e);
		return strcmp(e.reason, "subject.not_found") == 0 ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
	}
	cli_print_json(doc, pretty);
	json_decref(doc);
	return CLI_EXIT_OK;
}
