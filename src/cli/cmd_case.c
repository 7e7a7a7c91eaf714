/*
 * cmd_case.c - `xinyong case`: cases from the console (src/service/cases.h), with the
 * same members as the API.  The console has every party's rights and is audited as
 * cli:$USER.  Each command prints one line of JSON.
 *
 *   case file --record ID --grounds G --text T [--contact C] [--note N] [--kind K]
 *   case file --kind repair --record ID --text T --commitment [--contact C]
 *   case list [--kind K] [--status S] [--overdue] [--dept D] [--after ID] [--limit N]
 *   case show ID
 *   case act ID ACTION [--note N] [--reason R] [--outcome O] [--field ID=VALUE ...]
 *   case attach ID FILE
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachment.h"
#include "core/err.h"
#include "core/workday.h"
#include "service/calendar.h"
#include "service/cases.h"
#include "service/principal.h"
#include "store/store.h"

#define CASE_USAGE                                                                          \
	"xinyong case [--db DB] file --record ID --grounds G --text T [--contact C] [--note N]\n" \
	"       xinyong case [--db DB] file --kind repair --record ID --text T --commitment "    \
	"[--contact C]\n"                                                                     \
	"       xinyong case [--db DB] list [--kind K] [--status S] [--overdue] [--dept D] "       \
	"[--after ID] [--limit N]\n"                                                          \
	"       xinyong case [--db DB] show ID\n"                                              \
	"       xinyong case [--db DB] act ID ACTION [--note N] [--reason R] [--outcome O] "      \
	"[--field ID=VALUE ...]\n"                                                            \
	"       xinyong case [--db DB] attach ID FILE"

struct case_args {
	const char *db, *kind, *record, *grounds, *text, *contact, *note, *reason, *outcome;
	const char *status, *dept, *after, *limit;
	int overdue;
	int commitment; /* --commitment: the applicant at the window signed the commitment */
	json_t *fields; /* --field ID=VALUE, collected */
};

static int case_parse_id(const char *text, const char *what, int64_t *out, struct err *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end || v <= 0)
		return err_set(e, "request.invalid", "%s“%s”无效，应为正整数", what, text);
	*out = v;
	return 0;
}

/* A member of the body, when given. */
static void case_put(json_t *body, const char *key, const char *value)
{
	if (value)
		json_object_set_new(body, key, json_string(value));
}

static int case_file(const struct case_ctx *x, const struct case_args *a, json_t **out,
		     struct err *e)
{
	json_t *body = json_object();
	int64_t record;
	int rc;

	if (!a->record || case_parse_id(a->record, "记录编号", &record, e) < 0) {
		json_decref(body);
		return a->record ? -1 : err_set_field(e, "request.invalid", "record",
						      "请用 --record 给出信用记录编号");
	}
	json_object_set_new(body, "kind", json_string(a->kind ? a->kind : "objection"));
	json_object_set_new(body, "record", json_integer(record));
	case_put(body, "grounds", a->grounds);
	case_put(body, "text", a->text);
	case_put(body, "contact", a->contact);
	case_put(body, "note", a->note);
	if (a->commitment)
		json_object_set_new(body, "commitment", json_true());
	rc = cases_file(x, body, NULL, out, e);
	json_decref(body);
	return rc;
}

static int case_act(const struct case_ctx *x, const struct case_args *a, int64_t id,
		    const char *action, json_t **out, struct err *e)
{
	json_t *body = json_object();
	int rc;

	case_put(body, "note", a->note);
	case_put(body, "reason", a->reason);
	case_put(body, "outcome", a->outcome);
	if (a->fields)
		json_object_set(body, "fields", a->fields);
	rc = cases_act(x, id, action, body, NULL, out, e);
	json_decref(body);
	return rc;
}

static int case_list(const struct case_ctx *x, const struct case_args *a, json_t **out,
		     struct err *e)
{
	struct cases_query q;
	int64_t n;

	memset(&q, 0, sizeof q);
	q.kind = a->kind;
	q.status = a->status;
	q.dept = a->dept;
	q.overdue = a->overdue;
	if (a->after) {
		if (case_parse_id(a->after, "--after", &n, e) < 0)
			return -1;
		q.after = n;
	}
	if (a->limit) {
		if (case_parse_id(a->limit, "--limit", &n, e) < 0)
			return -1;
		q.limit = (long)n;
	}
	return cases_list(x, &q, out, e);
}

/* Reads FILE whole (at most one byte over the attachment limit, for its message). */
static int case_attach(const struct case_ctx *x, int64_t id, const char *path, json_t **out,
		       struct err *e)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	size_t len;
	const char *base = strrchr(path, '/');
	int rc;

	if (!f)
		return err_set(e, "file.unreadable", "无法读取附件 %s：%s", path, strerror(errno));
	data = malloc(ATTACHMENT_MAX_BYTES + 1);
	if (!data) {
		fclose(f);
		return err_set(e, "internal.error", "内存不足");
	}
	len = fread(data, 1, ATTACHMENT_MAX_BYTES + 1, f);
	if (ferror(f)) {
		rc = err_set(e, "file.unreadable", "无法读取附件 %s：%s", path, strerror(errno));
	} else {
		rc = cases_attach(x, id, data, len, base ? base + 1 : path, out, e);
	}
	fclose(f);
	free(data);
	return rc;
}

/* --field ID=VALUE into a->fields. */
static int case_add_field(struct case_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[128];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key)
		return -1;
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	if (!a->fields)
		a->fields = json_object();
	json_object_set_new(a->fields, key, json_string(eq + 1));
	return 0;
}

int cmd_case(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },	     { "kind", required_argument, NULL, 'k' },
		{ "record", required_argument, NULL, 'r' },  { "grounds", required_argument, NULL, 'g' },
		{ "text", required_argument, NULL, 't' },    { "contact", required_argument, NULL, 'c' },
		{ "note", required_argument, NULL, 'n' },    { "reason", required_argument, NULL, 'R' },
		{ "outcome", required_argument, NULL, 'o' }, { "field", required_argument, NULL, 'f' },
		{ "status", required_argument, NULL, 's' },  { "dept", required_argument, NULL, 'D' },
		{ "after", required_argument, NULL, 'a' },   { "limit", required_argument, NULL, 'l' },
		{ "overdue", no_argument, NULL, 'O' },	     { "help", no_argument, NULL, 'h' },
		{ "commitment", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct case_args a;
	struct workday_calendar *cal = NULL;
	struct principal who;
	struct case_ctx x;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	const char *sub;
	int64_t id = 0;
	int c, rc, nargs;

	memset(&a, 0, sizeof a);
	err_clear(&e);
	while ((c = cli_getopt(argc, argv, "d:k:r:g:t:c:n:R:o:f:s:D:a:l:OCh", opts)) != -1) {
		switch (c) {
		case 'd': a.db = optarg; break;
		case 'k': a.kind = optarg; break;
		case 'C': a.commitment = 1; break;
		case 'r': a.record = optarg; break;
		case 'g': a.grounds = optarg; break;
		case 't': a.text = optarg; break;
		case 'c': a.contact = optarg; break;
		case 'n': a.note = optarg; break;
		case 'R': a.reason = optarg; break;
		case 'o': a.outcome = optarg; break;
		case 'f':
			if (case_add_field(&a, optarg) < 0) {
				json_decref(a.fields);
				err_set(&e, "request.invalid", "--field 应写成 字段编号=新值，如 --field amount=5000");
				return cli_fail(&e);
			}
			break;
		case 's': a.status = optarg; break;
		case 'D': a.dept = optarg; break;
		case 'a': a.after = optarg; break;
		case 'l': a.limit = optarg; break;
		case 'O': a.overdue = 1; break;
		case 'h': cli_help(argv[0], CASE_USAGE); json_decref(a.fields); return CLI_EXIT_OK;
		default: json_decref(a.fields); return cli_usage(CASE_USAGE);
		}
	}
	nargs = argc - optind;
	sub = nargs > 0 ? argv[optind] : "";
	if (!((strcmp(sub, "file") == 0 && nargs == 1) || (strcmp(sub, "list") == 0 && nargs == 1) ||
	      (strcmp(sub, "show") == 0 && nargs == 2) || (strcmp(sub, "act") == 0 && nargs == 3) ||
	      (strcmp(sub, "attach") == 0 && nargs == 3))) {
		json_decref(a.fields);
		return cli_usage(CASE_USAGE);
	}
	if (nargs >= 2 && case_parse_id(argv[optind + 1], "申请编号", &id, &e) < 0) {
		json_decref(a.fields);
		return cli_fail(&e);
	}
	if (!(s = cli_open_store(a.db))) {
		json_decref(a.fields);
		return CLI_EXIT_USAGE;
	}
	principal_cli(&who, NULL);
	rc = calendar_load(s, &cal, &e);
	if (rc == 0) {
		cases_ctx_init(&x, s, &who, cal);
		if (strcmp(sub, "file") == 0)
			rc = case_file(&x, &a, &doc, &e);
		else if (strcmp(sub, "list") == 0)
			rc = case_list(&x, &a, &doc, &e);
		else if (strcmp(sub, "show") == 0)
			rc = cases_show(&x, id, &doc, &e);
		else if (strcmp(sub, "act") == 0)
			rc = case_act(&x, &a, id, argv[optind + 2], &doc, &e);
		else
			rc = case_attach(&x, id, argv[optind + 2], &doc, &e);
	}
	workday_calendar_free(cal);
	store_close(s);
	json_decref(a.fields);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}
