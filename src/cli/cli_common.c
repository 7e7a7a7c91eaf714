/* cli_common.c - helpers shared by the commands; see cli.h. */
#include "cli.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/text.h"
#include "service/catalogs.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const struct err *e)
{
	fprintf(stderr, "xinyong: %s: %s\n", e->reason[0] ? e->reason : "error", e->message);
	return CLI_EXIT_USAGE;
}

int cli_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	return CLI_EXIT_USAGE;
}

static struct store *cli_open(const char *db, int create)
{
	struct store *s = NULL;
	struct err e;

	err_clear(&e);
	if ((create ? store_open(db, &s, &e) : store_open_existing(db, &s, &e)) < 0 ||
	    catalogs_install_builtin(s, &e) < 0) {
		store_close(s);
		cli_fail(&e);
		return NULL;
	}
	return s;
}

struct store *cli_open_store(const char *db)
{
	return cli_open(db, 0);
}

struct store *cli_open_store_create(const char *db)
{
	return cli_open(db, 1);
}

/* The long option whose value is `val`, or NULL. */
static const struct option *cli_long_of(const struct option *longopts, int val)
{
	for (; longopts && longopts->name; longopts++)
		if (longopts->val == val)
			return longopts;
	return NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char spec[128];
	const struct option *lo;
	const char *arg;
	int c;

	/* A leading ':' makes getopt tell a missing value (':') from an unknown option. */
	snprintf(spec, sizeof spec, ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	lo = cli_long_of(longopts, optopt);
	if (c == ':') {
		if (lo && strncmp(arg, "--", 2) == 0)
			fprintf(stderr, "xinyong %s: 选项 --%s 缺少取值（写作 --%s VALUE）\n", argv[0],
				lo->name, lo->name);
		else
			fprintf(stderr, "xinyong %s: 选项 -%c 缺少取值\n", argv[0], optopt);
	} else if (optopt && lo && strncmp(arg, "--", 2) == 0 && strchr(arg, '=')) {
		fprintf(stderr, "xinyong %s: 选项 --%s 不带取值（“%s”多了“=”后的部分）\n", argv[0],
			lo->name, arg);
	} else if (optopt && strncmp(arg, "--", 2) != 0) {
		fprintf(stderr, "xinyong %s: 不认识的选项 -%c\n", argv[0], optopt);
	} else {
		fprintf(stderr, "xinyong %s: 不认识的选项 %s（本命令没有这个选项）\n", argv[0], arg);
	}
	fprintf(stderr, "运行 xinyong %s --help 查看全部选项、取值与示例。\n", argv[0]);
	return '?';
}

int cli_bad_value(const char *opt, const char *value, const char *allowed)
{
	fprintf(stderr, "xinyong: 选项 %s 的值“%s”无效：应为 %s\n", opt, value, allowed);
	return CLI_EXIT_USAGE;
}

/* Display width of UTF-8 text: two columns for each character of three or more bytes
 * (CJK and full-width forms), one for the rest. */
static size_t cli_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x80)
			w++;
		else if (c >= 0xE0)
			w += 2;
		else if (c >= 0xC0)
			w++;
	}
	return w;
}

/* The cell of `row` for `key`, written into out. */
static void cli_cell(const json_t *row, const char *key, char *out, size_t size)
{
	const char *dot = strchr(key, '.');
	const json_t *v, *x;
	size_t i, n = 0;

	if (dot) {
		char head[64];

		snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
		v = json_object_get(json_object_get(row, head), dot + 1);
	} else {
		v = json_object_get(row, key);
	}
	out[0] = '\0';
	if (json_is_string(v))
		snprintf(out, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(out, size, "%s", json_is_true(v) ? "是" : "否");
	else if (json_is_array(v))
		json_array_foreach(v, i, x) {
			if (n < size)
				n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "",
						      json_is_string(x) ? json_string_value(x) : "?");
		}
	if (!out[0])
		snprintf(out, size, "-");
}

#define CLI_CELL_MAX 256

void cli_print_table(const json_t *rows, const struct cli_column *cols, size_t ncols)
{
	size_t nrows = json_array_size(rows), *width, r, c, pad;
	char *cells;

	width = calloc(ncols ? ncols : 1, sizeof *width);
	cells = calloc((nrows + 1) * (ncols ? ncols : 1), CLI_CELL_MAX);
	if (!width || !cells)
		goto out;
	for (c = 0; c < ncols; c++)
		snprintf(cells + c * CLI_CELL_MAX, CLI_CELL_MAX, "%s", cols[c].header);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			cli_cell(json_array_get(rows, r), cols[c].key,
				 cells + ((r + 1) * ncols + c) * CLI_CELL_MAX, CLI_CELL_MAX);
	for (r = 0; r <= nrows; r++)
		for (c = 0; c < ncols; c++) {
			char *v = cells + (r * ncols + c) * CLI_CELL_MAX;

			text_utf8_clip(v);
			if (cli_width(v) > width[c])
				width[c] = cli_width(v);
		}
	for (r = 0; r <= nrows; r++) {
		for (c = 0; c < ncols; c++) {
			const char *v = cells + (r * ncols + c) * CLI_CELL_MAX;

			fputs(v, stdout);
			if (c + 1 < ncols) {
				for (pad = cli_width(v); pad < width[c] + 2; pad++)
					putchar(' ');
			}
		}
		putchar('\n');
		if (r == 0) {
			for (c = 0; c < ncols; c++)
				for (pad = 0; pad < width[c] + (c + 1 < ncols ? 2 : 0); pad++)
					putchar(c + 1 < ncols && pad >= width[c] ? ' ' : '-');
			putchar('\n');
		}
	}
	fflush(stdout);
out:
	free(cells);
	free(width);
}

void cli_print_json(const json_t *doc, int pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT);

	json_dumpf(doc, stdout, flags);
	fputc('\n', stdout);
	fflush(stdout);
}

int cli_write_file(const char *path, const struct buf *b, struct err *e)
{
	FILE *f = path ? fopen(path, "wb") : stdout;

	if (!f)
		return err_set(e, "file.unwritable", "无法写入文件 %s", path);
	if (fwrite(b->data, 1, b->len, f) != b->len || (path ? fclose(f) : fflush(f)) != 0) {
		if (path)
			remove(path);
		return err_set(e, "file.unwritable", "写入 %s 失败", path ? path : "标准输出");
	}
	return 0;
}
