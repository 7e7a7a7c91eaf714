/*
 * cmd_record.c - `xinyong record history|transfer`: one record's earlier versions, and the
 * operator's transfer of a record to another department (src/service/records.h).
 *
 *   record history ID
 *   record transfer ID --to DEPT --reason TEXT
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "service/principal.h"
#include "service/records.h"
#include "store/store.h"

#define RECORD_USAGE                                                                        \
	"xinyong record [--db DB] history ID\n"                                              \
	"       xinyong record [--db DB] transfer ID --to DEPT --reason TEXT"

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "to", required_argument, NULL, 't' },
					      { "reason", required_argument, NULL, 'r' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *to = NULL, *reason = NULL, *sub;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	char *end;
	long long id;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "d:t:r:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 't': to = optarg; break;
		case 'r': reason = optarg; break;
		case 'h': cli_help(argv[0], RECORD_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(RECORD_USAGE);
		}
	}
	if (argc - optind != 2)
		return cli_usage(RECORD_USAGE);
	sub = argv[optind];
	if (!(strcmp(sub, "history") == 0 && !to && !reason) &&
	    !(strcmp(sub, "transfer") == 0 && to && reason))
		return cli_usage(RECORD_USAGE);
	err_clear(&e);
	errno = 0;
	id = strtoll(argv[optind + 1], &end, 10);
	if (errno || *end || id <= 0) {
		err_set(&e, "request.invalid", "记录编号“%s”无效，应为正整数", argv[optind + 1]);
		return cli_fail(&e);
	}
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	principal_cli(&who, NULL);
	if (strcmp(sub, "history") == 0)
		rc = records_history(s, &who, id, &doc, &e);
	else
		rc = records_transfer(s, &who, id, to, reason, &doc, &e);
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}
