/*
 * cmd_ingest.c - `xinyong ingest --category CAT --dept CODE [--rejects OUT.csv]
 * [--strict] FILE...`
 *
 * Each file becomes one batch; one JSON summary line per file on stdout.  Without
 * --rejects, the first INGEST_SHOWN problems of each file go to stderr with their row,
 * column and reason code; a header that fits another category better is said there too.
 *
 * Exit status, the worst over the files: 0 when the batch committed, rejected rows and
 * all (a file sent again, all duplicates, is 0 too); 1 when every data row of a file was
 * rejected, or with --strict when any row was (the good rows are still committed); 2 on
 * a usage error or a file that could not be used at all (nothing of it written).
 */
#include "cli.h"

#include "core/err.h"
#include "core/rejects_csv.h"
#include "service/batches.h"
#include "service/principal.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Problems shown on stderr per file when there is no --rejects file. */
#define INGEST_SHOWN 20

static int ingest_parse_format(const char *s, enum reader_format *out)
{
	if (strcmp(s, "csv") == 0)
		*out = READER_CSV;
	else if (strcmp(s, "json") == 0)
		*out = READER_JSON;
	else if (strcmp(s, "ndjson") == 0 || strcmp(s, "jsonl") == 0)
		*out = READER_NDJSON;
	else
		return -1;
	return 0;
}

/* The rejects file repeats rejected rows, ID numbers and names included: it is made
 * readable by its owner only, also when it existed before (then it is emptied).  A
 * device (/dev/stdout, /dev/null) is written as it is. */
static FILE *ingest_open_rejects(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 ||
	    (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, 0600) < 0) ||
	    !(f = fdopen(fd, "w"))) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	return f;
}

#define INGEST_USAGE                                                                        \
	"xinyong ingest [--db DB] --category CAT --dept DEPT_CODE [--rejects OUT.csv] "      \
	"[--format csv|json|ndjson] [--strict] FILE..."

#define INGEST_HELP                                                                         \
	"usage: " INGEST_USAGE "\n"                                                          \
	"\n"                                                                                 \
	"Ingests each FILE as one batch, all of it or nothing (docs/data-formats.md), and\n"    \
	"prints one JSON summary line per file: batch, rows, accepted, duplicates, rejected,\n" \
	"warnings.  The database must exist (xinyong init).\n"                                \
	"\n"                                                                                 \
	"options:\n"                                                                         \
	"  --db DB              the platform database (default $XINYONG_DB, else\n"             \
	"                       var/xinyong.db)\n"                                              \
	"  --category CAT       the catalog category: penalty (行政处罚), license (行政许可),\n"  \
	"                       or any of `xinyong catalog list`\n"                               \
	"  --dept DEPT_CODE     the submitting department's unified social credit code\n"        \
	"  --rejects OUT.csv    write every rejected row's problems there (row,field,reason,\n"    \
	"                       message; mode 0600); without it the first 20 go to stderr\n"       \
	"  --format FORMAT      csv, json (an array of objects) or ndjson (also jsonl);\n"        \
	"                       default: judged from the name and the content\n"                  \
	"  --strict             exit 1 when any row is rejected (the good rows still commit)\n"    \
	"  --help               this text\n"                                                     \
	"\n"                                                                                 \
	"exit status: 0 the batch committed (rejected rows are reported, not an error; a\n"      \
	"file sent again, all duplicates, is 0); 1 every data row was rejected, or --strict\n"   \
	"and some were; 2 a usage error or a file that could not be used (nothing written).\n"   \
	"\n"                                                                                 \
	"examples:\n"                                                                        \
	"  xinyong ingest --db var/xinyong.db --category penalty \\\n"                        \
	"      --dept 11441200MB2C12340X --rejects rejects.csv penalties.csv\n"                  \
	"  xinyong ingest --category license --dept 11441200MB2C12340X --strict licences.json\n"

/* The first problems of the batch on stderr, with row, column and reason code, and how
 * to see the rest. */
static void ingest_print_problems(struct store *s, const struct principal *who,
				  const char *file, const json_t *summary)
{
	json_int_t id = json_integer_value(json_object_get(summary, "batch"));
	json_int_t rejected = json_integer_value(json_object_get(summary, "rejected"));
	json_t *page = NULL, *p;
	struct err e;
	size_t i, n;

	if (rejected <= 0)
		return;
	err_clear(&e);
	if (batches_problems_page(s, who, (int64_t)id, 0, NULL, INGEST_SHOWN + 1, &page, &e) < 0) {
		fprintf(stderr, "xinyong: %s: %s: %s\n", file, e.reason, e.message);
		return;
	}
	n = json_array_size(json_object_get(page, "rejects"));
	fprintf(stderr, "xinyong: %s：批次 %lld 有 %lld 行被拒收%s：\n", file, (long long)id,
		(long long)rejected, n > INGEST_SHOWN ? "，前 20 条问题" : "");
	json_array_foreach(json_object_get(page, "rejects"), i, p) {
		json_int_t row = json_integer_value(json_object_get(p, "row"));
		const char *field = json_string_value(json_object_get(p, "field"));

		if (i == INGEST_SHOWN)
			break;
		if (row > 0)
			fprintf(stderr, "  第 %lld 行，列“%s”：%s：%s\n", (long long)row,
				field && *field ? field : "-",
				json_string_value(json_object_get(p, "reason")),
				json_string_value(json_object_get(p, "message")));
		else
			fprintf(stderr, "  %s：%s\n", json_string_value(json_object_get(p, "reason")),
				json_string_value(json_object_get(p, "message")));
	}
	if (n > INGEST_SHOWN)
		fprintf(stderr, "  ……全部问题：xinyong batch rejects %lld，或加 --rejects OUT.csv 写入文件\n",
			(long long)id);
	json_decref(page);
}

/* The exit status of one committed batch. */
static int ingest_status(const char *file, const json_t *summary, int strict)
{
	json_int_t rows = json_integer_value(json_object_get(summary, "rows"));
	json_int_t rejected = json_integer_value(json_object_get(summary, "rejected"));

	if (rows > 0 && rejected >= rows) {
		fprintf(stderr, "xinyong: %s：全部 %lld 行数据均被拒收，没有一行入库\n", file,
			(long long)rows);
		return CLI_EXIT_CHECK;
	}
	if (strict && rejected > 0) {
		fprintf(stderr, "xinyong: %s：%lld 行被拒收（--strict）；其余各行已入库\n", file,
			(long long)rejected);
		return CLI_EXIT_CHECK;
	}
	return CLI_EXIT_OK;
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "category", required_argument, NULL, 'c' },
					      { "dept", required_argument, NULL, 'p' },
					      { "rejects", required_argument, NULL, 'r' },
					      { "format", required_argument, NULL, 'f' },
					      { "strict", no_argument, NULL, 'S' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct ingest_request req;
	struct principal who;
	const char *db = NULL, *rejects = NULL;
	int c, i, strict = 0, status = CLI_EXIT_OK;
	struct store *s;

	memset(&req, 0, sizeof req);
	while ((c = cli_getopt(argc, argv, "d:c:p:r:f:Sh", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'c': req.category = optarg; break;
		case 'p': req.dept_code = optarg; break;
		case 'r': rejects = optarg; break;
		case 'S': strict = 1; break;
		case 'f':
			if (ingest_parse_format(optarg, &req.format) < 0)
				return cli_bad_value("--format", optarg, "csv、json 或 ndjson");
			break;
		case 'h': fputs(INGEST_HELP, stdout); return CLI_EXIT_OK;
		default: return cli_usage(INGEST_USAGE);
		}
	}
	if (!req.category || !req.dept_code || optind >= argc) {
		fprintf(stderr, "xinyong ingest: %s\n",
			!req.category ? "缺少 --category（信息类，例如 penalty、license）" :
			!req.dept_code ? "缺少 --dept（报送部门的统一社会信用代码）" :
					 "缺少要报送的文件");
		return cli_usage(INGEST_USAGE);
	}
	if (rejects) {
		if (!(req.rejects_csv = ingest_open_rejects(rejects))) {
			fprintf(stderr, "xinyong: file.unreadable: 无法写入拒收文件 %s：%s\n", rejects,
				strerror(errno));
			return CLI_EXIT_USAGE;
		}
		fputs(REJECTS_CSV_HEADER, req.rejects_csv);
	}
	principal_cli(&who, NULL);
	req.who = &who;
	if (!(s = cli_open_store(db))) {
		if (req.rejects_csv)
			fclose(req.rejects_csv);
		return CLI_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		json_t *summary;
		const char *hint;
		struct err e;
		int one;

		err_clear(&e);
		req.path = argv[i];
		if (batches_ingest(s, &req, &summary, &e) < 0) {
			fprintf(stderr, "xinyong: %s: %s: %s\n", argv[i], e.reason, e.message);
			status = CLI_EXIT_USAGE;
			continue;
		}
		cli_print_json(summary, 0);
		if ((hint = json_string_value(json_object_get(summary, "header_hint"))))
			fprintf(stderr, "xinyong: %s：%s\n", argv[i], hint);
		if (!req.rejects_csv)
			ingest_print_problems(s, &who, argv[i], summary);
		one = ingest_status(argv[i], summary, strict);
		if (one > status)
			status = one;
		json_decref(summary);
	}
	store_close(s);
	if (req.rejects_csv && fclose(req.rejects_csv) != 0) {
		fprintf(stderr, "xinyong: 写入拒收文件 %s 失败：%s\n", rejects, strerror(errno));
		status = CLI_EXIT_USAGE;
	}
	return status;
}
