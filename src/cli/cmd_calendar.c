/*
 * cmd_calendar.c - `xinyong calendar import|add|status`: the holiday calendar that every
 * working-day deadline is counted by (docs/operations.md, "The holiday calendar").
 *
 *   calendar import FILE
 *        validates FILE (CSV `date,kind`, see data/calendar/README.md) and replaces each
 *        year it holds, whole, in one transaction; a bad file writes nothing and the
 *        error names the line and the column.  Prints {"file","years","days","replaced"}.
 *   calendar add DATE N
 *        prints the date N working days after DATE (DATE itself does not count).  A year
 *        the calendar lacks is counted Monday-Friday, with a warning on stderr.
 *   calendar status
 *        the years held and the warnings /healthz gives for today.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/workday.h"
#include "service/calendar.h"
#include "service/principal.h"
#include "store/store.h"

#define CALENDAR_USAGE                                                                      \
	"xinyong calendar [--db DB] import FILE\n"                                          \
	"       xinyong calendar [--db DB] add DATE N\n"                                      \
	"       xinyong calendar [--db DB] status"

static int calendar_import_cmd(struct store *s, const char *path)
{
	struct principal who;
	json_t *doc = NULL;
	struct err e;

	err_clear(&e);
	principal_cli(&who, NULL);
	if (calendar_import(s, &who, path, &doc, &e) < 0)
		return cli_fail(&e);
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}

static int calendar_add_cmd(struct store *s, const char *date_text, const char *n_text)
{
	struct workday_calendar *cal = NULL;
	struct date from, due;
	char *end, out[11];
	struct err e;
	long n;
	int fell_back = 0, rc;

	err_clear(&e);
	if (date_parse_iso(date_text, &from) < 0) {
		err_set(&e, "request.invalid", "日期“%s”无效，请写成 YYYY-MM-DD（如 2025-10-01）",
			date_text);
		return cli_fail(&e);
	}
	errno = 0;
	n = strtol(n_text, &end, 10);
	if (errno || end == n_text || *end || n < 0 || n > WORKDAY_ADD_MAX) {
		err_set(&e, "request.invalid", "工作日天数“%s”无效，应为 0 至 %d 的整数", n_text,
			WORKDAY_ADD_MAX);
		return cli_fail(&e);
	}
	if (calendar_load(s, &cal, &e) < 0)
		return cli_fail(&e);
	rc = calendar_add_workdays(cal, from, (int)n, &due, &fell_back, &e);
	workday_calendar_free(cal);
	if (rc < 0)
		return cli_fail(&e);
	if (fell_back)
		fprintf(stderr, "xinyong: calendar.year_missing: 节假日日历缺少所涉年份，按周一至周五"
				"计算；请用 xinyong calendar import 导入该年的放假安排\n");
	date_format(due, out);
	printf("%s\n", out);
	return CLI_EXIT_OK;
}

static int calendar_status_cmd(struct store *s)
{
	struct workday_calendar *cal = NULL;
	struct date today;
	char today_text[11];
	json_t *doc;
	struct err e;

	err_clear(&e);
	clock_today(today_text);
	if (date_parse_iso(today_text, &today) < 0 || calendar_load(s, &cal, &e) < 0)
		return cli_fail(&e);
	doc = calendar_status_json(cal, today);
	workday_calendar_free(cal);
	if (!doc) {
		err_set(&e, "internal.error", "内存不足");
		return cli_fail(&e);
	}
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}

int cmd_calendar(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *sub;
	struct store *s;
	int opt, rc, args;

	while ((opt = cli_getopt(argc, argv, "d:h", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'h': cli_help(argv[0], CALENDAR_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(CALENDAR_USAGE);
		}
	}
	if (optind >= argc)
		return cli_usage(CALENDAR_USAGE);
	sub = argv[optind];
	args = argc - optind - 1;
	if (!((strcmp(sub, "import") == 0 && args == 1) || (strcmp(sub, "add") == 0 && args == 2) ||
	      (strcmp(sub, "status") == 0 && args == 0)))
		return cli_usage(CALENDAR_USAGE);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	if (strcmp(sub, "import") == 0)
		rc = calendar_import_cmd(s, argv[optind + 1]);
	else if (strcmp(sub, "add") == 0)
		rc = calendar_add_cmd(s, argv[optind + 1], argv[optind + 2]);
	else
		rc = calendar_status_cmd(s);
	store_close(s);
	return rc;
}
