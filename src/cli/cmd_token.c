/*
 * cmd_token.c - `xinyong token issue|revoke|list`: API tokens for business systems and
 * credit service agencies (docs/security.md).
 *
 *   token issue (--dept CODE | --agency CODE) --scopes S[,S] [--expires 30d] [--note TEXT]
 *        prints the token's record, then the token itself alone on the last line: it is
 *        shown this once and stored only as a hash.
 *   token revoke ID
 *   token list
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
	"       xinyong token [--db DB] list"

int cmd_token(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "dept", required_argument, NULL, 'D' },
					      { "agency", required_argument, NULL, 'a' },
					      { "scopes", required_argument, NULL, 's' },
					      { "expires", required_argument, NULL, 'x' },
					      { "note", required_argument, NULL, 'n' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct token_request r = { NULL, NULL, NULL, NULL, NULL };
	char secret[SECRET_TOKEN_MAX] = "";
	const char *db = NULL, *sub;
	int c, rc, nargs;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;

	while ((c = cli_getopt(argc, argv, "d:D:a:s:x:n:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'D': r.dept_code = optarg; break;
		case 'a': r.agency_code = optarg; break;
		case 's': r.scopes = optarg; break;
		case 'x': r.expires = optarg; break;
		case 'n': r.note = optarg; break;
		case 'h': printf("usage: %s\n", TOKEN_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(TOKEN_USAGE);
		}
	}
	if (optind >= argc)
		return cli_usage(TOKEN_USAGE);
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (!((strcmp(sub, "issue") == 0 && nargs == 0 && r.scopes) ||
	      (strcmp(sub, "revoke") == 0 && nargs == 1) || (strcmp(sub, "list") == 0 && nargs == 0)))
		return cli_usage(TOKEN_USAGE);
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
	cli_print_json(doc, 0);
	json_decref(doc);
	/* The token alone on the last line, so that scripts take it with `tail -n 1`. */
	if (secret[0])
		printf("%s\n", secret);
	memset(secret, 0, sizeof secret);
	return CLI_EXIT_OK;
}
