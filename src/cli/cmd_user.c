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
 *   user list [--json]   a table of the accounts, or with --json the document
 *        GET /api/v1/users answers
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
	"       xinyong user [--db DB] list [--json]"

#define USER_HELP                                                                           \
	"usage: " USER_USAGE "\n"                                                            \
	"\n"                                                                                 \
	"Accounts of people (docs/security.md).  The database must exist (xinyong init).\n"    \
	"\n"                                                                                 \
	"subcommands:\n"                                                                     \
	"  add NAME             a new account; without --password-stdin it gets a one-time\n"  \
	"                       activation code, printed with it (POST /api/v1/activate)\n"    \
	"  passwd NAME          set the password (and unlock), or issue a new activation code\n" \
	"  disable NAME         disable the account and end its sessions\n"                     \
	"  list                 every account: a table, or JSON with --json\n"                  \
	"\n"                                                                                 \
	"options:\n"                                                                         \
	"  --db DB              the platform database (default $XINYONG_DB, else\n"             \
	"                       var/xinyong.db)\n"                                              \
	"  --roles R[,R]        add: roles, from subject, submitter, handler, dept_admin,\n"    \
	"                       operator, admin, auditor\n"                                    \
	"  --dept CODE          add: the department (USCC) a submitter, handler or\n"          \
	"                       dept_admin works for\n"                                         \
	"  --subject CODE       add: the subject (USCC or ID number) a subject account is\n"    \
	"  --display-name TEXT  add: the name shown for the account\n"                         \
	"  --password-stdin     add, passwd: read the password from the first line of stdin\n"  \
	"  --json               list: JSON instead of a table\n"                               \
	"  --help               this text\n"                                                   \
	"\n"                                                                                 \
	"examples:\n"                                                                        \
	"  xinyong user add li_ming --roles submitter --dept 11441200MB2C12340X \\\n"          \
	"      --display-name 李明\n"                                                          \
	"  printf '%s\\n' \"$PW\" | xinyong user passwd li_ming --password-stdin\n"             \
	"  xinyong user list --json\n"

static const struct cli_column user_columns[] = {
	{ "账号", "name" },          { "姓名", "display_name" }, { "角色", "roles" },
	{ "部门", "dept" },          { "主体", "subject" },      { "已激活", "activated" },
	{ "已停用", "disabled" },    { "锁定至", "locked_until" }, { "创建时间", "created_at" },
};

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
					      { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct account_new n = { NULL, NULL, NULL, NULL, NULL, NULL };
	char password[PASSWORD_MAX_BYTES + 2];
	const char *db = NULL, *sub;
	int c, from_stdin = 0, as_json = 0, rc, nargs;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:r:D:s:n:pjh", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'r': n.roles = optarg; break;
		case 'D': n.dept_code = optarg; break;
		case 's': n.subject_code = optarg; break;
		case 'n': n.display_name = optarg; break;
		case 'p': from_stdin = 1; break;
		case 'j': as_json = 1; break;
		case 'h': fputs(USER_HELP, stdout); return CLI_EXIT_OK;
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
	if (strcmp(sub, "add") == 0 && !n.roles) {
		fputs("xinyong user add: 缺少 --roles（角色，例如 submitter、handler、operator）\n", stderr);
		return cli_usage(USER_USAGE);
	}
	if (as_json && strcmp(sub, "list") != 0) {
		fputs("xinyong user: --json 只用于 list\n", stderr);
		return cli_usage(USER_USAGE);
	}
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
	if (strcmp(sub, "list") == 0 && !as_json)
		cli_print_table(json_object_get(doc, "users"), user_columns,
				sizeof user_columns / sizeof *user_columns);
	else
		cli_print_json(doc, 1);
	json_decref(doc);
	return CLI_EXIT_OK;
}
