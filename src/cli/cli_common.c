/* cli_common.c - helpers shared by the commands; see cli.h. */
#include "cli.h"

#include "core/err.h"
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

void cli_print_table(const char *const *header, size_t ncols, const char *const *cells,
		     size_t nrows)
{
	size_t *width = calloc(ncols ? ncols : 1, sizeof *width);
	size_t r, c, pad;

	if (!width)
		return;
	for (c = 0; c < ncols; c++)
		width[c] = cli_width(header[c]);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			const char *v = cells[r * ncols + c];
			size_t w = cli_width(v ? v : "-");

			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r <= nrows + 1; r++) {
		for (c = 0; c < ncols; c++) {
			const char *v = r == 0 ? header[c] : r == 1 ? NULL : cells[(r - 2) * ncols + c];

			if (r == 1) {
				for (pad = 0; pad < width[c]; pad++)
					putchar('-');
			} else {
				v = v ? v : "-";
				fputs(v, stdout);
				if (c + 1 < ncols)
					for (pad = cli_width(v); pad < width[c]; pad++)
						putchar(' ');
			}
			if (c + 1 < ncols)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
	fflush(stdout);
	free(width);
}

void cli_print_json(const json_t *doc, int pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT);

	json_dumpf(doc, stdout, flags);
	fputc('\n', stdout);
	fflush(stdout);
}
