/*
 * cmd_token.c - `xinyong token issue|revoke|list`: API tokens for business systems and
 * credit service agencies (docs/security.md).
 *
 *   token issue (--dept CODE | --agency CODE) --scopes S[,S] [--expires 30d] [--note TEXT]
 *        prints the token's record, then the token itself alone on the last line: it is
 *        shown this once and stored only as a hash.
 *   token revoke ID
 *   token list [--json]   a table of the tokens, or with --json their JSON document
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "service/principal.h"
#include "service/tokens.h"
#include "store/store.h"

#define TOKEN_USAGE                                                                         \
	"xinyong token [--db DB] issue (--dept CODE | --agency CODE) --scopes S[,S] "        \
	"[--expires 30d] [--note TEXT]\n"                                                    \
	"       xinyong token [--db DB] revoke ID\n"                                         \
	"       xinyong token [--db DB] list [--json]"

#define TOKEN_HELP                                                                          \
	"usage: " TOKEN_USAGE "\n"                                                           \
	"\n"                                                                                 \
	"API tokens of business systems and credit service agencies (docs/security.md).\n"    \
	"issue prints the token's record, then the token alone on the last line: it is\n"     \
	"shown this once and stored only as a hash.  The database must exist.\n"             \
	"\n"                                                                                 \
	"subcommands:\n"                                                                     \
	"  issue                a new token for --dept or --agency with --scopes\n"             \
	"  revoke ID            revoke token ID (see list)\n"                                  \
	"  list                 every token: a table, or JSON with --json\n"                    \
	"\n"                                                                                 \
	"options:\n"                                                                         \
	"  --db DB              the platform database (default $XINYONG_DB, else\n"             \
	"                       var/xinyong.db)\n"                                              \
	"  --dept CODE          issue: for the department (USCC)\n"                            \
	"  --agency CODE        issue: for a credit service agency (USCC)\n"                   \
	"  --scopes S[,S]       issue: from subjects:read, batches:read, batches:write,\n"      \
	"                       checks:write\n"                                                \
	"  --expires DURATION   issue: lifetime such as 30d, 12h, 90d (default 90d)\n"         \
	"  --note TEXT          issue: what the token is for\n"                               \
	"  --json               list: JSON instead of a table\n"                               \
	"  --help               this text\n"                                                   \
	"\n"                                                                                 \
	"examples:\n"                                                                        \
	"  xinyong token issue --dept 11441200MB2C12340X --scopes batches:write,batches:read \\\n" \
	"      --expires 30d --note 执法系统\n"                                                 \
	"  xinyong token revoke 3\n"                                                          \
	"  xinyong token list\n"

static const struct cli_column token_columns[] = {
	{ "编号", "id" },          { "提示", "hint" },         { "持有方", "owner.kind" },
	{ "代码", "owner.code" },  { "权限", "scopes" },       { "状态", "state" },
	{ "到期", "expires_at" },  { "备注", "note" },
};

int cmd_token(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "dept", required_argument, NULL, 'D' },
					      { "agency", required_argument, NULL, 'a' },
					      { "scopes", required_argument, NULL, 's' },
					      { "expires", required_argument, NULL, 'x' },
					      { "note", required_argument, NULL, 'n' },
					      { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct token_request r = { NULL, NULL, NULL, NULL, NULL };
	char secret[SECRET_TOKEN_MAX] = "";
	const char *db = NULL, *sub;
	int c, rc, nargs, as_json = 0;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:D:a:s:x:n:jh", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'D': r.dept_code = optarg; break;
		case 'a': r.agency_code = optarg; break;
		case 's': r.scopes = optarg; break;
		case 'x': r.expires = optarg; break;
		case 'n': r.note = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': fputs(TOKEN_HELP, stdout); return CLI_EXIT_OK;
		default: return cli_usage(TOKEN_USAGE);
		}
	}
	if (optind >= argc)
		return cli_usage(TOKEN_USAGE);
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(sub, "issue") == 0 && nargs == 0 && !r.scopes) {
		fputs("xinyong token issue: 缺少 --scopes（例如 batches:write,batches:read）\n", stderr);
		return cli_usage(TOKEN_USAGE);
	}
	if (!((strcmp(sub, "issue") == 0 && nargs == 0 && r.scopes) ||
	      (strcmp(sub, "revoke") == 0 && nargs == 1) || (strcmp(sub, "list") == 0 && nargs == 0)))
		return cli_usage(TOKEN_USAGE);
	if (as_json && strcmp(sub, "list") != 0) {
		fputs("xinyong token: --json 只用于 list\n", stderr);
		return cli_usage(TOKEN_USAGE);
	}
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	principal_cli(&who, NULL);
	if (strcmp(sub, "issue") == 0) {
		rc = tokens_issue(s, &who, &r, &doc, secret, &e);
	} else if (strcmp(sub, "revoke") == 0) {
		char *end;
		long long id;

		errno = 0;
		id = strtoll(argv[optind + 1], &end, 10);
		if (errno || *end || id <= 0)
			rc = err_set(&e, "request.invalid", "令牌编号应为正整数");
		else
			rc = tokens_revoke(s, &who, id, &e);
		if (rc == 0)
			doc = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
	} else {
		rc = tokens_list(s, &who, &doc, &e);
	}
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	if (strcmp(sub, "list") == 0 && !as_json)
		cli_print_table(json_object_get(doc, "tokens"), token_columns,
				sizeof token_columns / sizeof *token_columns);
	else
		cli_print_json(doc, 0);
	json_decref(doc);
	/* The token alone on the last line, so that scripts take it with `tail -n 1`. */
	if (secret[0])
		printf("%s\n", secret);
	memset(secret, 0, sizeof secret);
	return CLI_EXIT_OK;
}
