/*
 * cmd_credit_code.c - `xinyong credit-code`: make a legal person's credit code (信用码),
 * and check one offline (src/service/credit_code.h).
 *
 *   credit-code CODE [--format svg|png|json] [--out FILE] [--url BASE]
 *        the card (SVG), the coloured QR code alone (PNG), or what it states (JSON);
 *        FILE defaults to stdout; the colour and the link go to stderr with a file.
 *        --url is the site's address for the link when the signing key has none.
 *   credit-code verify TOKEN-OR-LINK
 *        checks the token (or the link a scanner read, …?cc=TOKEN…) against this
 *        platform's keys and the keys it trusts: prints the finding as JSON; exit 0
 *        genuine, 1 not (naming why), 2 when it is no credit code at all.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "service/credit_code.h"
#include "store/store.h"

#define CREDIT_CODE_USAGE                                                                 \
	"xinyong credit-code CODE [--format svg|png|json] [--out FILE] [--url BASE] [--db DB]\n" \
	"       xinyong credit-code verify TOKEN-OR-LINK [--db DB]"

static int credit_code_verify_cmd(struct store *s, const char *text)
{
	struct err e;
	json_t *verdict = NULL;
	int rc;

	err_clear(&e);
	if (credit_code_check(s, text, &verdict, &e) < 0)
		return cli_fail(&e);
	cli_print_json(verdict, 1);
	rc = json_is_true(json_object_get(verdict, "genuine")) ? CLI_EXIT_OK : CLI_EXIT_CHECK;
	if (rc != CLI_EXIT_OK)
		fprintf(stderr, "xinyong: 信用码未通过验证：%s\n",
			json_string_value(json_object_get(verdict, "message")));
	json_decref(verdict);
	return rc;
}

static int credit_code_issue_cmd(struct store *s, const char *code, const char *format,
				 const char *url, const char *out)
{
	struct buf b;
	struct err e;
	const char *type;
	json_t *meta = NULL;
	int rc = CLI_EXIT_OK;

	err_clear(&e);
	buf_init(&b, 0);
	if (credit_code_issue(s, code, format, url, &b, &type, &meta, &e) < 0 ||
	    cli_write_file(out, &b, &e) < 0)
		rc = cli_fail(&e);
	else if (out)
		fprintf(stderr, "%s（%s）%s  已写入 %s\n",
			json_string_value(json_object_get(meta, "colour_label")),
			json_string_value(json_object_get(meta, "meaning")),
			json_string_value(json_object_get(meta, "url")), out);
	json_decref(meta);
	buf_free(&b);
	return rc;
}

int cmd_credit_code(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "format", required_argument, NULL, 'f' },
					      { "out", required_argument, NULL, 'o' },
					      { "url", required_argument, NULL, 'u' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *out = NULL, *url = NULL, *format = "svg";
	int opt, rc, issuing_opts = 0;
	struct store *s;

	while ((opt = cli_getopt(argc, argv, "d:f:o:u:h", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'f': format = optarg; issuing_opts = 1; break;
		case 'o': out = optarg; issuing_opts = 1; break;
		case 'u': url = optarg; issuing_opts = 1; break;
		case 'h': return cli_help(argv[0], CREDIT_CODE_USAGE);
		default: return cli_usage(CREDIT_CODE_USAGE);
		}
	}
	if (strcmp(format, "svg") && strcmp(format, "png") && strcmp(format, "json"))
		return cli_bad_value("--format", format, "svg、png 或 json");
	if (argc - optind == 2 && strcmp(argv[optind], "verify") == 0) {
		if (issuing_opts)
			return cli_usage(CREDIT_CODE_USAGE);
		if (!(s = cli_open_store(db)))
			return CLI_EXIT_USAGE;
		rc = credit_code_verify_cmd(s, argv[optind + 1]);
	} else if (argc - optind == 1) {
		if (!(s = cli_open_store(db)))
			return CLI_EXIT_USAGE;
		rc = credit_code_issue_cmd(s, argv[optind], format, url, out);
	} else {
		return cli_usage(CREDIT_CODE_USAGE);
	}
	store_close(s);
	return rc;
}
