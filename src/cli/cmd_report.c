/*
 * cmd_report.c - `xinyong report`: issue a credit report, and check one offline
 * (src/service/report.h).
 *
 *   report CODE [--format json|html|pdf] [--out FILE] [--purpose TEXT] [--from DATE]
 *               [--chapters 1,2,4] [--url BASE]
 *        without --purpose the public report (what anyone may download); with it the
 *        government's shared report, the purpose recorded in the audit trail and the
 *        subject's access log.  Writes FILE (default: stdout) and prints the number and
 *        verification code on stderr when writing a file.
 *   report verify FILE
 *        checks a PDF or JSON report against this platform's keys and the keys it
 *        trusts: prints the finding as JSON; exit 0 genuine, 1 not (naming what failed),
 *        2 when FILE is not a report at all.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "service/principal.h"
#include "service/report.h"
#include "service/report_output.h"
#include "store/store.h"

#define REPORT_USAGE                                                                        \
	"xinyong report CODE [--format json|html|pdf] [--out FILE] [--purpose TEXT]\n"          \
	"                    [--from YYYY-MM-DD] [--chapters 1,2,...] [--url BASE] [--db DB]\n" \
	"       xinyong report verify FILE [--db DB]"

static int report_read_file(const char *path, struct buf *b, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return err_set(e, "file.unreadable", "无法打开文件 %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return buf_failed(b) ? err_set(e, "file.unreadable", "文件 %s 过大（上限 64 MB）", path) : 0;
}

static int report_verify_cmd(struct store *s, const char *path)
{
	struct buf b;
	struct err e;
	json_t *verdict = NULL;
	int rc;

	err_clear(&e);
	buf_init(&b, 0);
	if (report_read_file(path, &b, &e) < 0 ||
	    report_verify_file(s, (const unsigned char *)b.data, b.len, &verdict, &e) < 0) {
		buf_free(&b);
		return cli_fail(&e);
	}
	buf_free(&b);
	cli_print_json(verdict, 1);
	rc = json_is_true(json_object_get(verdict, "genuine")) ? CLI_EXIT_OK : CLI_EXIT_CHECK;
	if (rc != CLI_EXIT_OK)
		fprintf(stderr, "xinyong: 报告未通过验证：%s\n",
			json_string_value(json_object_get(verdict, "message")));
	json_decref(verdict);
	return rc;
}

static int report_issue_cmd(struct store *s, const char *code, const struct report_request *rq,
			    const char *purpose, const char *url, const char *out)
{
	struct principal who;
	struct buf b;
	struct err e;
	json_t *doc = NULL;
	int rc = CLI_EXIT_OK;

	err_clear(&e);
	/* The public's report unless a purpose says a government reader asks. */
	if (purpose && *purpose)
		principal_cli(&who, purpose);
	else
		principal_anonymous(&who, "cli");
	buf_init(&b, 0);
	if (report_issue(s, &who, rq, &doc, &e) < 0 ||
	    report_output(s, doc, rq->format, url, &b, NULL, &e) < 0 || cli_write_file(out, &b, &e) < 0) {
		rc = cli_fail(&e);
	} else if (out) {
		fprintf(stderr, "报告编号 %s  验证码 %s  已写入 %s\n",
			json_string_value(json_object_get(doc, "number")),
			json_string_value(json_object_get(doc, "verification_code")), out);
	}
	buf_free(&b);
	json_decref(doc);
	(void)code;
	return rc;
}

int cmd_report(int argc, char **argv)
{
	enum { O_FROM = 256, O_CHAPTERS, O_URL };
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "format", required_argument, NULL, 'f' },
					      { "out", required_argument, NULL, 'o' },
					      { "purpose", required_argument, NULL, 'p' },
					      { "from", required_argument, NULL, O_FROM },
					      { "chapters", required_argument, NULL, O_CHAPTERS },
					      { "url", required_argument, NULL, O_URL },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct report_request rq = { NULL, "json", NULL, NULL };
	const char *db = NULL, *out = NULL, *purpose = NULL, *url = NULL;
	int opt, rc, issuing_opts = 0;
	struct store *s;

	while ((opt = cli_getopt(argc, argv, "d:f:o:p:h", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'f': rq.format = optarg; issuing_opts = 1; break;
		case 'o': out = optarg; issuing_opts = 1; break;
		case 'p': purpose = optarg; issuing_opts = 1; break;
		case O_FROM: rq.from = optarg; issuing_opts = 1; break;
		case O_CHAPTERS: rq.chapters = optarg; issuing_opts = 1; break;
		case O_URL: url = optarg; issuing_opts = 1; break;
		case 'h': return cli_help(argv[0], REPORT_USAGE);
		default: return cli_usage(REPORT_USAGE);
		}
	}
	if (strcmp(rq.format, "json") && strcmp(rq.format, "html") && strcmp(rq.format, "pdf"))
		return cli_bad_value("--format", rq.format, "json、html 或 pdf");
	if (argc - optind == 2 && strcmp(argv[optind], "verify") == 0) {
		if (issuing_opts)
			return cli_usage(REPORT_USAGE);
		if (!(s = cli_open_store(db)))
			return CLI_EXIT_USAGE;
		rc = report_verify_cmd(s, argv[optind + 1]);
	} else if (argc - optind == 1) {
		if (!(s = cli_open_store(db)))
			return CLI_EXIT_USAGE;
		rq.code = argv[optind];
		rc = report_issue_cmd(s, rq.code, &rq, purpose, url, out);
	} else {
		return cli_usage(REPORT_USAGE);
	}
	store_close(s);
	return rc;
}
