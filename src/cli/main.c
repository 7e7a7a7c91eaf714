/*
 * main.c - `xinyong <command> ...`: dispatches to one cmd_<name>.c per command.
 */
#include "cli.h"
#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "init", cmd_init, "create an empty platform database with the built-in catalog" },
	{ "ingest", cmd_ingest, "ingest department files (CSV, JSON, NDJSON) as batches" },
	{ "batch", cmd_batch, "list batches; show one and its rejected rows" },
	{ "code", cmd_code, "check unified social credit codes and resident ID numbers" },
	{ "catalog", cmd_catalog, "list, show and import catalog categories" },
	{ "subject", cmd_subject, "show a subject's archive" },
	{ "record", cmd_record, "show a record's history; transfer a record to another department" },
	{ "search", cmd_search, "find subjects by code or part of the name" },
	{ "serve", cmd_serve, "serve the HTTP API and web pages" },
	{ "demo", cmd_demo, "fill a database with realistic synthetic data" },
	{ "migrate", cmd_migrate, "copy a platform to another database and verify the copy" },
	{ "user", cmd_user, "add, disable and list accounts; set passwords" },
	{ "token", cmd_token, "issue, revoke and list API tokens" },
	{ "audit", cmd_audit, "verify, sign, list and prune the audit trail" },
	{ "dept", cmd_dept, "add, import and list the department directory (names of codes)" },
	{ "calendar", cmd_calendar, "import the holiday calendar; count working days" },
	{ "case", cmd_case, "file, list, show and act on cases (objections)" },
	{ "rules", cmd_rules, "list, show and import the rules of each kind of case" },
	{ "report", cmd_report, "issue a signed credit report (JSON, HTML, PDF); verify one" },
	{ "keys", cmd_keys, "generate, rotate, list, export and trust report signing keys" },
	{ "credit-code", cmd_credit_code, "make a legal person's credit code (信用码) as SVG or PNG; check one" },
	{ "routes", cmd_routes, "list the HTTP routes and who may call them" },
};

static int main_usage(FILE *out)
{
	size_t i;

	fputs("usage: xinyong <command> [options]\n\ncommands:\n", out);
	for (i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun `xinyong <command> --help` for a command's options.\n"
	      "DB is an SQLite file (PATH or sqlite:PATH) or a PostgreSQL database\n"
	      "(postgresql://USER@HOST:PORT/NAME), given by --db, else $XINYONG_DB,\n"
	      "else var/xinyong.db.\n",
	      out);
	return out == stdout ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct err e;
	size_t i;

	err_clear(&e);
	if (argc < 2)
		return main_usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return main_usage(stdout);
	if (strcmp(argv[1], "--version") == 0) {
		puts("xinyong 0.1.0");
		return CLI_EXIT_OK;
	}
	if (clock_check_env(&e) < 0)
		return cli_fail(&e);
	for (i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "xinyong: unknown command '%s'\n\n", argv[1]);
	return main_usage(stderr);
}
