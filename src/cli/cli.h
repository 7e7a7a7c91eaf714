/*
 * cli.h - the command line: one cmd_<name>.c per command, each exposing
 * `int cmd_<name>(int argc, char **argv)` where argv[0] is the command name and the
 * return value is the process exit status.
 *
 * Exit statuses: 0 success; 1 a check failed (e.g. an invalid code); 2 the input or the
 * arguments could not be used at all (message on stderr).
 */
#ifndef XY_CLI_H
#define XY_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>

struct err;
struct store;

#define CLI_EXIT_OK 0
#define CLI_EXIT_CHECK 1
#define CLI_EXIT_USAGE 2

int cmd_audit(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_code(int argc, char **argv);
int cmd_credit_code(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_dept(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_subject(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_user(int argc, char **argv);

/* Prints "xinyong: <reason>: <message>" to stderr and returns CLI_EXIT_USAGE. */
int cli_fail(const struct err *e);
/* Prints `usage` and the command's help (cli_help.c: what it does, one line per option
 * with its valid values, examples) on stdout; returns CLI_EXIT_OK. */
int cli_help(const char *command, const char *usage);
/* Prints a usage line to stderr and returns CLI_EXIT_USAGE. */
int cli_usage(const char *usage);
/* Opens the store named by --db (may be NULL: $XINYONG_DB, else var/xinyong.db) and
 * makes sure the built-in catalog is loaded.  A SQLite file that does not exist is
 * `store.not_found` naming the path: only init, demo and serve --init create a database
 * (cli_open_store_create).  Returns NULL after printing the error. */
struct store *cli_open_store(const char *db);
/* The same, creating a missing SQLite file (never its directory). */
struct store *cli_open_store_create(const char *db);
/* getopt_long with its complaints in Chinese and naming the option: an unknown option, a
 * missing value, a value given to a flag.  Prints the complaint on stderr and returns '?'
 * for any of them (the caller then prints its usage); otherwise as getopt_long. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Prints "xinyong: 选项 OPT 的值“VALUE”无效：应为 ALLOWED" and returns CLI_EXIT_USAGE. */
int cli_bad_value(const char *opt, const char *value, const char *allowed);
/* One column of a readable table: its header and the member of each row object it
 * shows ("owner.code" reaches into a member object).  Strings print as they are,
 * integers in decimal, true/false as 是/否, arrays of strings joined by ",", null or a
 * missing member as "-". */
struct cli_column {
	const char *header;
	const char *key;
};
/* Prints the objects of `rows` as a table: the header first and underlined, each column
 * padded to its widest cell (a Chinese character counts two columns). */
void cli_print_table(const json_t *rows, const struct cli_column *cols, size_t ncols);

/* Writes b to the file `path` (NULL: stdout), removing a half-written file.  Fails with
 * `file.unwritable`. */
struct buf;
int cli_write_file(const char *path, const struct buf *b, struct err *e);

/* Prints a JSON document on stdout, indented when `pretty`, followed by a newline. */
void cli_print_json(const json_t *doc, int pretty);

#endif
