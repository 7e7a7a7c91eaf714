/*
 * cmd_dept.c - `xinyong dept add|import|list`: the department directory (部门目录,
 * src/service/depts.h), which gives department codes their names.
 *
 *   dept add CODE [--name NAME] [--short-name S] [--region R] [--parent P] [--contact C]
 *                 [--sector S]
 *        lists the department, or updates the listed one: options not given keep their
 *        value, an empty one clears it.  A new department needs --name.  Prints
 *        {"dept": {...}, "created": true|false}.
 *   dept import FILE
 *        lists or replaces every department of FILE (CSV with the header
 *        统一社会信用代码,部门名称,简称,行政区划,上级部门,联系方式,行业领域, or a JSON array;
 *        docs/data-formats.md), all or nothing: a bad file writes nothing and every
 *        problem is printed on stderr with its row and column.
 *   dept list [--json]
 *        the directory, by code: a tab-separated table with a header row, or with --json
 *        the document GET /api/v1/depts answers.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/dept.h"
#include "core/err.h"
#include "service/depts.h"
#include "service/principal.h"
#include "store/store.h"

#define DEPT_USAGE                                                                          \
	"xinyong dept add CODE --name NAME [--short-name S] [--region R] [--parent P]\n"       \
	"                      [--contact C] [--sector S] [--db DB]\n"                           \
	"       xinyong dept import FILE [--db DB]\n"                                          \
	"       xinyong dept list [--json] [--db DB]"

static int dept_import_cmd(struct store *s, const char *path)
{
	struct principal who;
	json_t *doc = NULL, *problems = NULL, *p;
	struct err e;
	size_t i;

	err_clear(&e);
	principal_cli(&who, NULL);
	if (depts_import(s, &who, path, &doc, &problems, &e) < 0) {
		int rc = cli_fail(&e);

		/* Every problem, so that one correction pass fixes the file. */
		json_array_foreach(problems, i, p)
			fprintf(stderr, "  %s\n", json_string_value(json_object_get(p, "message")));
		json_decref(problems);
		return rc;
	}
	cli_print_json(doc, 0);
	json_decref(doc);
	return CLI_EXIT_OK;
}

static int dept_list_print(struct store *s, int as_json)
{
	json_t *doc = NULL, *d;
	struct err e;
	size_t i;
	int f;

	err_clear(&e);
	if (depts_list_json(s, &doc, &e) < 0)
		return cli_fail(&e);
	if (as_json) {
		cli_print_json(doc, 0);
	} else {
		for (f = 0; f < DEPT_FIELD_COUNT; f++)
			printf("%s%s", f ? "\t" : "", dept_field_label(f));
		putchar('\n');
		json_array_foreach(json_object_get(doc, "depts"), i, d) {
			for (f = 0; f < DEPT_FIELD_COUNT; f++)
				printf("%s%s", f ? "\t" : "",
				       json_string_value(json_object_get(d, dept_field_key(f))));
			putchar('\n');
		}
	}
	json_decref(doc);
	return CLI_EXIT_OK;
}

int cmd_dept(int argc, char **argv)
{
	enum { O_SHORT = 256, O_REGION, O_PARENT, O_CONTACT, O_SECTOR };
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "name", required_argument, NULL, 'n' },
					      { "short-name", required_argument, NULL, O_SHORT },
					      { "region", required_argument, NULL, O_REGION },
					      { "parent", required_argument, NULL, O_PARENT },
					      { "contact", required_argument, NULL, O_CONTACT },
					      { "sector", required_argument, NULL, O_SECTOR },
					      { "json", no_argument, NULL, 'j' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct depts_input in = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	const char *db = NULL, *sub;
	int opt, rc, args, as_json = 0, given = 0;
	struct principal who;
	struct store *s;
	json_t *doc = NULL;
	struct err e;

	while ((opt = cli_getopt(argc, argv, "d:n:jh", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'n': in.name = optarg; given = 1; break;
		case O_SHORT: in.short_name = optarg; given = 1; break;
		case O_REGION: in.region_code = optarg; given = 1; break;
		case O_PARENT: in.parent_code = optarg; given = 1; break;
		case O_CONTACT: in.contact = optarg; given = 1; break;
		case O_SECTOR: in.sector = optarg; given = 1; break;
		case 'j': as_json = 1; break;
		case 'h': cli_help(argv[0], DEPT_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(DEPT_USAGE);
		}
	}
	if (optind >= argc)
		return cli_usage(DEPT_USAGE);
	sub = argv[optind];
	args = argc - optind - 1;
	/* Options belong to one subcommand each: a --sector given to `list` is a mistake. */
	if (!((strcmp(sub, "add") == 0 && args == 1 && !as_json) ||
	      (strcmp(sub, "import") == 0 && args == 1 && !given && !as_json) ||
	      (strcmp(sub, "list") == 0 && args == 0 && !given)))
		return cli_usage(DEPT_USAGE);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	if (strcmp(sub, "import") == 0) {
		rc = dept_import_cmd(s, argv[optind + 1]);
	} else if (strcmp(sub, "list") == 0) {
		rc = dept_list_print(s, as_json);
	} else {
		err_clear(&e);
		principal_cli(&who, NULL);
		in.code = argv[optind + 1];
		if (depts_add(s, &who, &in, &doc, &e) < 0) {
			rc = cli_fail(&e);
		} else {
			cli_print_json(doc, 0);
			json_decref(doc);
			rc = CLI_EXIT_OK;
		}
	}
	store_close(s);
	return rc;
}
