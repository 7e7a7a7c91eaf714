/*
 * cmd_keys.c - `xinyong keys`: the keys that sign credit reports, and the keys of other
 * platforms whose reports this one recognises (src/service/report_keys.h).
 *
 *   keys generate [--issuer NAME] [--url BASE]  the first signing key (init makes one)
 *   keys rotate [--issuer NAME] [--url BASE]    retire the key in force, sign with a new one
 *   keys list                                   every key, own and trusted (no secrets)
 *   keys export [--out FILE]                    the published key list
 *                                               (/.well-known/xinyong-keys.json)
 *   keys trust --url-or-file FILE [--name NAME] add another platform's published keys
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "service/report_keys.h"
#include "store/store.h"

#define KEYS_USAGE                                                                          \
	"xinyong keys generate|rotate [--issuer NAME] [--url BASE] [--db DB]\n"                 \
	"       xinyong keys list [--json] [--db DB]\n"                                         \
	"       xinyong keys export [--out FILE] [--db DB]\n"                                   \
	"       xinyong keys trust --url-or-file FILE [--name NAME] [--db DB]"

static char *keys_read(const char *path, struct err *e)
{
	FILE *f;
	struct buf b;
	char chunk[8192];
	size_t n;

	/* Fetching over the network is left to curl or a browser: an operator adds what
	 * it checked, and the platform opens no outgoing connection. */
	if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
		err_set(e, "file.unreadable",
			"请先下载对方平台的公钥文件再导入，例如：curl -o keys.json %s", path);
		return NULL;
	}
	if (!(f = fopen(path, "rb"))) {
		err_set(e, "file.unreadable", "无法打开公钥文件 %s", path);
		return NULL;
	}
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (buf_failed(&b) || b.len == 0) {
		buf_free(&b);
		err_set(e, "keys.invalid", "公钥文件 %s 为空或超过 1 MB", path);
		return NULL;
	}
	return buf_detach(&b);
}

static void keys_print_table(const json_t *doc)
{
	static const struct cli_column cols[] = {
		{ "密钥", "id" },	{ "签发平台", "issuer" },	{ "本平台", "own" },
		{ "生效", "valid_from" }, { "失效", "valid_until" }, { "使用中", "in_force" },
	};

	cli_print_table(json_object_get(doc, "keys"), cols, sizeof cols / sizeof *cols);
}

int cmd_keys(int argc, char **argv)
{
	enum { O_ISSUER = 256, O_URL, O_FROM, O_NAME };
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "issuer", required_argument, NULL, O_ISSUER },
					      { "url", required_argument, NULL, O_URL },
					      { "url-or-file", required_argument, NULL, O_FROM },
					      { "name", required_argument, NULL, O_NAME },
					      { "out", required_argument, NULL, 'o' },
					      { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *issuer = NULL, *url = NULL, *from = NULL, *name = NULL;
	const char *out = NULL, *sub;
	int opt, rc = CLI_EXIT_OK, as_json = 0;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	char *text;

	while ((opt = cli_getopt(argc, argv, "d:o:jh", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case O_ISSUER: issuer = optarg; break;
		case O_URL: url = optarg; break;
		case O_FROM: from = optarg; break;
		case O_NAME: name = optarg; break;
		case 'o': out = optarg; break;
		case 'j': as_json = 1; break;
		case 'h': return cli_help(argv[0], KEYS_USAGE);
		default: return cli_usage(KEYS_USAGE);
		}
	}
	if (argc - optind != 1)
		return cli_usage(KEYS_USAGE);
	sub = argv[optind];
	/* Each option belongs to its subcommand. */
	if (!(((strcmp(sub, "generate") == 0 || strcmp(sub, "rotate") == 0) && !from && !name &&
	       !out && !as_json) ||
	      (strcmp(sub, "list") == 0 && !issuer && !url && !from && !name && !out) ||
	      (strcmp(sub, "export") == 0 && !issuer && !url && !from && !name && !as_json) ||
	      (strcmp(sub, "trust") == 0 && from && !issuer && !url && !out && !as_json)))
		return cli_usage(KEYS_USAGE);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	if (strcmp(sub, "generate") == 0) {
		rc = report_keys_generate(s, issuer, url, &doc, &e);
	} else if (strcmp(sub, "rotate") == 0) {
		rc = report_keys_rotate(s, issuer, url, &doc, &e);
	} else if (strcmp(sub, "list") == 0) {
		rc = report_keys_list(s, &doc, &e);
	} else if (strcmp(sub, "export") == 0) {
		rc = report_keys_export(s, &doc, &e);
	} else {
		text = keys_read(from, &e);
		rc = text ? report_keys_trust(s, name, text, &doc, &e) : -1;
		free(text);
	}
	if (rc < 0) {
		rc = cli_fail(&e);
	} else if (strcmp(sub, "list") == 0 && !as_json) {
		keys_print_table(doc);
	} else if (out) {
		FILE *f = fopen(out, "w");

		if (!f || json_dumpf(doc, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF ||
		    fclose(f) != 0) {
			err_set(&e, "file.unwritable", "无法写入 %s", out);
			rc = cli_fail(&e);
		}
	} else {
		cli_print_json(doc, strcmp(sub, "export") == 0);
	}
	json_decref(doc);
	store_close(s);
	return rc;
}
