/*
 * cmd_user.c - `xinyong user add|passwd|disable|list`: accounts, for operators at the
 * console (docs/security.md).
 *
 *   user add NAME --roles R[,R] [--dept CODE] [--subject CODE] [--display-name TEXT]
 *            [--password-stdin]
 *        Without --password-stdin the account gets a one-time activation code, printed
 *        with the account; the person sets the password with it (POST /api/v1/activate).
 *   user passwd NAME [--password-stdin]   set the password (unlocks the account), or
 *        without --password-stdin issue a new activation code
 *   user disable NAME
 *   user list
 * A password read from standard input is its first line, without the line ending.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/password.h"
#include "service/accounts.h"
#include "service/principal.h"
#include "store/store.h"

#define USER_USAGE                                                                          \
	"xinyong user [--db DB] add NAME --roles R[,R] [--dept CODE] [--subject CODE] "      \
	"[--display-name TEXT] [--password-stdin]\n"                                         \
	"       xinyong user [--db DB] passwd NAME [--password-stdin]\n"                     \
	"       xinyong user [--db DB] disable NAME\n"                                       \
	"       xinyong user [--db DB] list"

/* Reads one line of standard input into out; -1 when there is none or it is too long. */
static int user_read_password(char *out, size_t size)
{
	size_t n;

	if (!fgets(out, (int)size, stdin))
		return -1;
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == size - 1)
		return -1;
	out[n] = '\0';
	return 0;
}

int cmd_user(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "roles", required_argument, NULL, 'r' },
					      { "dept", required_argument, NULL, 'D' },
					      { "subject", required_argument, NULL, 's' },
					      { "display-name", required_argument, NULL, 'n' },
					      { "password-stdin", no_argument, NULL, 'p' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct account_new n = { NULL, NULL, NULL, NULL, NULL, NULL };
	char password[PASSWORD_MAX_BYTES + 2];
	const char *db = NULL, *sub;
	int c, from_stdin = 0, rc, nargs;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:r:D:s:n:ph", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r': n.roles = optarg; break;
		case 'D': n.dept_code = optarg; break;
		case 's': n.subject_code = optarg; break;
		case 'n': n.display_name = optarg; break;
		case 'p': from_stdin = 1; break;
		case 'h': printf("usage: %s\n", USER_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(USER_USAGE);
		}
	}
	if (optind >= argc)
		return cli_usage(USER_USAGE);
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (!(strcmp(sub, "list") == 0 ? nargs == 0
	      : (strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0 ||
		 strcmp(sub, "disable") == 0) && nargs == 1))
		return cli_usage(USER_USAGE);
	if (strcmp(sub, "add") == 0 && !n.roles)
		return cli_usage(USER_USAGE);
	if (from_stdin && user_read_password(password, sizeof password) < 0) {
		fprintf(stderr, "xinyong: request.invalid: 未能从标准输入读到密码（一行，不超过 %d 字节）\n",
			PASSWORD_MAX_BYTES);
		return CLI_EXIT_USAGE;
	}
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	principal_cli(&who, NULL);
	n.name = argv[optind + 1];
	n.password = from_stdin ? password : NULL;
	if (strcmp(sub, "add") == 0) {
		rc = accounts_add(s, &who, &n, &doc, &e);
	} else if (strcmp(sub, "passwd") == 0) {
		rc = from_stdin ? accounts_set_password(s, &who, n.name, password, &e)
				: accounts_reissue_activation(s, &who, n.name, &doc, &e);
		if (rc == 0 && !doc)
			doc = json_pack("{s:s, s:b}", "name", n.name, "password_set", 1);
	} else if (strcmp(sub, "disable") == 0) {
		rc = accounts_disable(s, &who, n.name, &e);
		if (rc == 0)
			doc = json_pack("{s:s, s:b}", "name", n.name, "disabled", 1);
	} else {
		rc = accounts_list(s, &who, &doc, &e);
	}
	memset(password, 0, sizeof password);
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, 1);
	json_decref(doc);
	return CLI_EXIT_OK;
}
