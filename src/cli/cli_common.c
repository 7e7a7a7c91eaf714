/* cli_common.c - helpers shared by the commands; see cli.h. */
#include "cli.h"

#include "core/err.h"
#include "service/catalogs.h"
#include "store/store.h"

#include <stdio.h>

int cli_fail(const struct err *e)
{
	fprintf(stderr, "xinyong: %s: %s\n", e->reason[0] ? e->reason : "error", e->message);
	return CLI_EXIT_USAGE;
}

int cli_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	return CLI_EXIT_USAGE;
}

struct store *cli_open_store(const char *db)
{
	struct store *s = NULL;
	struct err e;

	err_clear(&e);
	if (store_open(db, &s, &e) < 0 || catalogs_install_builtin(s, &e) < 0) {
		store_close(s);
		cli_fail(&e);
		return NULL;
	}
	return s;
}

void cli_print_json(const json_t *doc, int pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT);

	json_dumpf(doc, stdout, flags);
	fputc('\n', stdout);
	fflush(stdout);
}
