/*
 * cmd_batch.c - `xinyong batch list|show|rejects`: the batches departments sent, as the
 * console sees them (service/batches.h).
 *
 *   batch list [--json] [--limit N] [--after ID]
 *        newest first: a table of id, time, category, department, rows, accepted,
 *        duplicates, rejected; with --json the document GET /api/v1/batches answers.
 *   batch show ID          the batch's summary as JSON (GET /api/v1/batches/{id})
 *   batch rejects ID [--json]
 *        every rejected row's problems as the rejects CSV (row,field,reason,message), or
 *        one JSON object per problem.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/rejects_csv.h"
#include "service/batches.h"
#include "service/principal.h"
#include "store/store.h"

#define BATCH_USAGE                                                                         \
	"xinyong batch [--db DB] list [--json] [--limit N] [--after ID]\n"                     \
	"       xinyong batch [--db DB] show ID\n"                                             \
	"       xinyong batch [--db DB] rejects ID [--json]"

#define BATCH_HELP                                                                          \
	"usage: " BATCH_USAGE "\n"                                                           \
	"\n"                                                                                 \
	"The batches departments sent (one per file ingested), newest first.\n"               \
	"\n"                                                                                 \
	"subcommands:\n"                                                                     \
	"  list                 a table: id, time, category, department, rows, accepted,\n"     \
	"                       duplicates, rejected\n"                                         \
	"  show ID              one batch's summary as JSON\n"                                 \
	"  rejects ID           its rejected rows' problems as CSV (row,field,reason,message)\n" \
	"\n"                                                                                 \
	"options:\n"                                                                         \
	"  --db DB              the platform database (default $XINYONG_DB, else\n"             \
	"                       var/xinyong.db); it must exist\n"                               \
	"  --json               list: the JSON document of GET /api/v1/batches;\n"              \
	"                       rejects: one JSON object per problem\n"                         \
	"  --limit N            list: at most N batches, 1-1000 (default 50)\n"                  \
	"  --after ID           list: the batches older than batch ID (the next page)\n"          \
	"  --help               this text\n"                                                   \
	"\n"                                                                                 \
	"examples:\n"                                                                        \
	"  xinyong batch list --db var/xinyong.db\n"                                          \
	"  xinyong batch show 12\n"                                                           \
	"  xinyong batch rejects 12 > batch-12-rejects.csv\n"

static const struct cli_column batch_columns[] = {
	{ "批次", "batch" },      { "时间", "created_at" },  { "信息类", "category" },
	{ "报送部门", "dept" },   { "文件", "source" },      { "行数", "rows" },
	{ "入库", "accepted" },   { "重复", "duplicates" },  { "拒收", "rejected" },
};

static int batch_list_cmd(struct store *s, const struct principal *who, int as_json,
			  long limit, const char *after)
{
	json_t *doc = NULL;
	const char *next;
	struct err e;

	err_clear(&e);
	if (batches_list(s, who, after, limit, &doc, &e) < 0)
		return cli_fail(&e);
	if (as_json) {
		cli_print_json(doc, 0);
	} else {
		cli_print_table(json_object_get(doc, "batches"), batch_columns,
				sizeof batch_columns / sizeof *batch_columns);
		if ((next = json_string_value(json_object_get(doc, "next"))))
			printf("（更早的批次：xinyong batch list --after %s）\n", next);
	}
	json_decref(doc);
	return CLI_EXIT_OK;
}

/* Every page of the batch's rejects, as CSV or as JSON lines. */
static int batch_rejects_cmd(struct store *s, const struct principal *who, int64_t id,
			     int as_json)
{
	char after[48] = "";
	json_t *page = NULL, *p;
	const char *next;
	struct buf line;
	struct err e;
	size_t i;
	int rc = CLI_EXIT_OK;

	buf_init(&line, 0);
	if (!as_json)
		fputs(REJECTS_CSV_HEADER, stdout);
	do {
		err_clear(&e);
		if (batches_problems_page(s, who, id, 0, after, BATCHES_PAGE_MAX, &page, &e) < 0) {
			rc = cli_fail(&e);
			break;
		}
		json_array_foreach(json_object_get(page, "rejects"), i, p) {
			if (as_json) {
				cli_print_json(p, 0);
				continue;
			}
			buf_reset(&line);
			rejects_csv_line(&line, (long)json_integer_value(json_object_get(p, "row")),
					 json_string_value(json_object_get(p, "field")),
					 json_string_value(json_object_get(p, "reason")),
					 json_string_value(json_object_get(p, "message")));
			fwrite(line.data, 1, line.len, stdout);
		}
		next = json_string_value(json_object_get(page, "next"));
		snprintf(after, sizeof after, "%s", next ? next : "");
		json_decref(page);
	} while (after[0]);
	buf_free(&line);
	fflush(stdout);
	return rc;
}

/* A batch id argument: a positive integer. */
static int batch_parse_id(const char *arg, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0) {
		fprintf(stderr, "xinyong batch: 批次编号“%s”无效：应为正整数，见 xinyong batch list\n", arg);
		return -1;
	}
	*out = v;
	return 0;
}

int cmd_batch(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "json", no_argument, NULL, 'j' },
					      { "limit", required_argument, NULL, 'l' },
					      { "after", required_argument, NULL, 'a' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *after = NULL, *sub;
	int c, rc, nargs, as_json = 0;
	struct principal who;
	long limit = 0;
	int64_t id = 0;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	char *end;

	while ((c = cli_getopt(argc, argv, "d:jl:a:h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': as_json = 1; break;
		case 'l':
			errno = 0;
			limit = strtol(optarg, &end, 10);
			if (errno || *end || limit < 1 || limit > BATCHES_LIST_MAX)
				return cli_bad_value("--limit", optarg, "1 到 1000 的整数");
			break;
		case 'a': after = optarg; break;
		case 'h': fputs(BATCH_HELP, stdout); return CLI_EXIT_OK;
		default: return cli_usage(BATCH_USAGE);
		}
	}
	if (optind >= argc) {
		fputs("xinyong batch: 缺少子命令：list、show 或 rejects\n", stderr);
		return cli_usage(BATCH_USAGE);
	}
	sub = argv[optind];
	nargs = argc - optind - 1;
	if (strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0 && strcmp(sub, "rejects") != 0) {
		fprintf(stderr, "xinyong batch: 不认识的子命令“%s”：应为 list、show 或 rejects\n", sub);
		return cli_usage(BATCH_USAGE);
	}
	if (strcmp(sub, "list") == 0 ? nargs != 0 : nargs != 1) {
		fprintf(stderr, "xinyong batch %s: %s\n", sub,
			strcmp(sub, "list") == 0 ? "不带参数" : "需要一个批次编号");
		return cli_usage(BATCH_USAGE);
	}
	if (strcmp(sub, "list") != 0 && (limit || after)) {
		fprintf(stderr, "xinyong batch %s: --limit 与 --after 只用于 list\n", sub);
		return cli_usage(BATCH_USAGE);
	}
	if (strcmp(sub, "show") == 0 && as_json) {
		fputs("xinyong batch show: 输出本来就是 JSON，不需要 --json\n", stderr);
		return cli_usage(BATCH_USAGE);
	}
	if (nargs == 1 && batch_parse_id(argv[optind + 1], &id) < 0)
		return CLI_EXIT_USAGE;
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	principal_cli(&who, NULL);
	if (strcmp(sub, "list") == 0) {
		rc = batch_list_cmd(s, &who, as_json, limit, after);
	} else if (strcmp(sub, "rejects") == 0) {
		rc = batch_rejects_cmd(s, &who, id, as_json);
	} else {
		err_clear(&e);
		if (batches_show(s, &who, id, &doc, &e) < 0) {
			rc = cli_fail(&e);
		} else {
			cli_print_json(doc, 1);
			json_decref(doc);
			rc = CLI_EXIT_OK;
		}
	}
	store_close(s);
	return rc;
}
