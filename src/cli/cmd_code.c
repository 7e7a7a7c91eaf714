/*
 * cmd_code.c - `xinyong code check CODE...` (or one code per line on stdin) and
 * `xinyong code exceptions list|add`: the operator-maintained list of legally issued
 * codes that fail the check character.
 */
#include "cli.h"

#include "core/code.h"
#include "core/err.h"
#include "service/codes.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct code_check_run {
	struct store *store;
	enum code_kind force;
	int all_valid;
};

static void code_check_one(struct code_check_run *run, const char *input)
{
	json_t *res = run->store ? codes_check(run->store, input, run->force) :
				   codes_check_with(input, run->force, codes_builtin_exception, NULL);

	if (!json_is_true(json_object_get(res, "valid")))
		run->all_valid = 0;
	cli_print_json(res, 0);
	json_decref(res);
}

/* Without --db, a database is used only when one is configured or already exists, so
 * that checking a code never creates a file. */
static struct store *code_open_store(const char *db)
{
	if (!db && !getenv("XINYONG_DB") && access("var/xinyong.db", F_OK) != 0)
		return NULL;
	return cli_open_store(db);
}

static int code_check_command(int argc, char **argv, const char *db, enum code_kind force)
{
	struct code_check_run run = { NULL, force, 1 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int i;

	run.store = code_open_store(db);
	if (!run.store && (db || getenv("XINYONG_DB")))
		return CLI_EXIT_USAGE; /* a database was asked for and could not be opened */
	for (i = 0; i < argc; i++)
		code_check_one(&run, argv[i]);
	if (argc == 0) {
		while ((n = getline(&line, &cap, stdin)) > 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			if (n > 0)
				code_check_one(&run, line);
		}
		free(line);
	}
	store_close(run.store);
	return run.all_valid ? CLI_EXIT_OK : CLI_EXIT_CHECK;
}

static int code_print_exception(void *ctx, const char *code, const char *note,
				const char *added_at)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "code", code, "note", note, "added_at", added_at);

	(void)ctx;
	cli_print_json(o, 0);
	json_decref(o);
	return 0;
}

static int code_exceptions_command(int argc, char **argv, const char *db, const char *note)
{
	struct store *s;
	struct err e;
	int rc = 0;

	if (argc < 1 || (strcmp(argv[0], "list") == 0 && argc != 1) ||
	    (strcmp(argv[0], "add") == 0 && argc != 2) ||
	    (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "add") != 0))
		return cli_usage("xinyong code exceptions list | add CODE [--note TEXT] [--db DB]");
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	if (strcmp(argv[0], "add") == 0) {
		char code[CODE_MAX];

		code_normalize(argv[1], code, sizeof code);
		if (strlen(code) != 18)
			rc = err_set(&e, "code.length", "“%s”不是18位统一社会信用代码", argv[1]);
		else
			rc = store_code_exception_add(s, code, note ? note : "", &e);
		if (rc == 0)
			printf("added %s\n", code);
	} else {
		rc = store_code_exception_list(s, code_print_exception, NULL, &e);
	}
	store_close(s);
	return rc < 0 ? cli_fail(&e) : CLI_EXIT_OK;
}

int cmd_code(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "kind", required_argument, NULL, 'k' },
					      { "note", required_argument, NULL, 'n' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "xinyong code check [--kind uscc|resident_id|other] [--db DB] [CODE...]\n"
			    "       xinyong code exceptions list | add CODE [--note TEXT]";
	enum code_kind force = CODE_KIND_AUTO;
	const char *db = NULL, *note = NULL;
	int c;

	/* GNU getopt permutes, so options may stand before or after the subcommand. */
	while ((c = cli_getopt(argc, argv, "d:k:n:h", opts)) != -1) {
		if (c == 'd') {
			db = optarg;
		} else if (c == 'n') {
			note = optarg;
		} else if (c == 'k') {
			if (strcmp(optarg, "uscc") == 0)
				force = CODE_KIND_USCC;
			else if (strcmp(optarg, "resident_id") == 0)
				force = CODE_KIND_RESIDENT_ID;
			else if (strcmp(optarg, "other") == 0)
				force = CODE_KIND_OTHER;
			else
				return cli_bad_value("--kind", optarg, "uscc、resident_id 或 other");
		} else {
			return c == 'h' ? (cli_help(argv[0], usage), CLI_EXIT_OK) : cli_usage(usage);
		}
	}
	if (optind < argc && strcmp(argv[optind], "check") == 0)
		return code_check_command(argc - optind - 1, argv + optind + 1, db, force);
	if (optind < argc && strcmp(argv[optind], "exceptions") == 0)
		return code_exceptions_command(argc - optind - 1, argv + optind + 1, db, note);
	return cli_usage(usage);
}
