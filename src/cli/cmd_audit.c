/*
 * cmd_audit.c - `xinyong audit verify|checkpoint|list|prune`: the audit trail
 * (docs/security.md, "The audit trail").
 *
 *   audit verify [--key FILE | --public-key HEX] [--checkpoint FILE]
 *        recomputes the chain and checks the stored checkpoints (and one kept elsewhere);
 *        prints the report; exit 0 intact, 1 altered (the first entry altered, removed
 *        or inserted is named on stderr).
 *   audit checkpoint [--key FILE]
 *        signs the chain's head; prints the checkpoint line to keep elsewhere.
 *   audit list [--after SEQ] [--limit N]
 *   audit prune [--years N] [--key FILE]   (N >= 3; default 5)
 *        removes the older entries; the last removed becomes the anchor, signed.
 * The signing key is --key, else $XINYONG_AUDIT_KEY, else var/audit.key (created, mode
 * 0600, by the first checkpoint or prune).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit_checkpoint.h"
#include "core/err.h"
#include "service/audit_trail.h"
#include "service/principal.h"
#include "store/store.h"

#define AUDIT_USAGE                                                                         \
	"xinyong audit [--db DB] verify [--key FILE | --public-key HEX] [--checkpoint FILE]\n" \
	"       xinyong audit [--db DB] checkpoint [--key FILE]\n"                            \
	"       xinyong audit [--db DB] list [--after SEQ] [--limit N]\n"                     \
	"       xinyong audit [--db DB] prune [--years N] [--key FILE]"
#define AUDIT_DEFAULT_KEY "var/audit.key"

static const char *audit_key_path(const char *given)
{
	const char *env = getenv("XINYONG_AUDIT_KEY");

	if (given)
		return given;
	return env && *env ? env : AUDIT_DEFAULT_KEY;
}

static int audit_number(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno || end == text || *end || *out < 0 ? -1 : 0;
}

/* Reads a checkpoint line kept elsewhere. */
static int audit_read_checkpoint(const char *path, struct audit_checkpoint *c, struct err *e)
{
	char line[AUDIT_CHECKPOINT_LINE + 8];
	FILE *f = fopen(path, "r");
	int rc;

	if (!f)
		return err_set(e, "request.invalid", "无法读取检查点文件 %s：%s", path, strerror(errno));
	rc = fgets(line, sizeof line, f) ? audit_checkpoint_parse(line, c, e)
					 : err_set(e, "request.invalid", "检查点文件 %s 为空", path);
	fclose(f);
	return rc;
}

static int audit_verify_cmd(struct store *s, const char *key, const char *public_key,
			    const char *checkpoint)
{
	char trusted[AUDIT_KEY_HEX];
	struct audit_checkpoint external;
	struct audit_keypair kp;
	json_t *report, *problem;
	struct err e;

	err_clear(&e);
	if (key) {
		if (audit_key_load(key, 0, &kp, &e) < 0)
			return cli_fail(&e);
		audit_key_public_hex(&kp, trusted);
		audit_key_wipe(&kp);
		public_key = trusted;
	}
	if (checkpoint && audit_read_checkpoint(checkpoint, &external, &e) < 0)
		return cli_fail(&e);
	if (audit_trail_verify(s, public_key, checkpoint ? &external : NULL, &report, &e) < 0)
		return cli_fail(&e);
	cli_print_json(report, 1);
	problem = json_object_get(report, "problem");
	if (problem)
		fprintf(stderr, "xinyong: audit.broken: %s\n",
			json_string_value(json_object_get(problem, "message")));
	json_decref(report);
	return problem ? CLI_EXIT_CHECK : CLI_EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "key", required_argument, NULL, 'k' },
					      { "public-key", required_argument, NULL, 'P' },
					      { "checkpoint", required_argument, NULL, 'c' },
					      { "after", required_argument, NULL, 'a' },
					      { "limit", required_argument, NULL, 'l' },
					      { "years", required_argument, NULL, 'y' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *db = NULL, *key = NULL, *public_key = NULL, *checkpoint = NULL, *sub;
	long long after = 0, limit = 100, years = AUDIT_RETENTION_DEFAULT_YEARS, removed;
	char line[AUDIT_CHECKPOINT_LINE];
	struct audit_checkpoint c;
	struct store *s;
	json_t *doc = NULL;
	struct err e;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "d:k:P:c:a:l:y:h", opts)) != -1) {
		switch (opt) {
		case 'd': db = optarg; break;
		case 'k': key = optarg; break;
		case 'P': public_key = optarg; break;
		case 'c': checkpoint = optarg; break;
		case 'a': if (audit_number(optarg, &after) < 0) return cli_usage(AUDIT_USAGE); break;
		case 'l': if (audit_number(optarg, &limit) < 0) return cli_usage(AUDIT_USAGE); break;
		case 'y': if (audit_number(optarg, &years) < 0) return cli_usage(AUDIT_USAGE); break;
		case 'h': cli_help(argv[0], AUDIT_USAGE); return CLI_EXIT_OK;
		default: return cli_usage(AUDIT_USAGE);
		}
	}
	if (argc - optind != 1 || (key && public_key))
		return cli_usage(AUDIT_USAGE);
	sub = argv[optind];
	if (strcmp(sub, "verify") && strcmp(sub, "checkpoint") && strcmp(sub, "list") &&
	    strcmp(sub, "prune"))
		return cli_usage(AUDIT_USAGE);
	if (!(s = cli_open_store(db)))
		return CLI_EXIT_USAGE;
	err_clear(&e);
	if (strcmp(sub, "verify") == 0) {
		rc = audit_verify_cmd(s, key, public_key, checkpoint);
		store_close(s);
		return rc;
	}
	if (strcmp(sub, "checkpoint") == 0) {
		rc = audit_trail_checkpoint(s, audit_key_path(key), &c, &e);
		store_close(s);
		if (rc < 0)
			return cli_fail(&e);
		audit_checkpoint_format(&c, line, sizeof line);
		printf("%s\n", line);
		return CLI_EXIT_OK;
	}
	if (strcmp(sub, "list") == 0) {
		struct principal who;

		principal_cli(&who, NULL);
		rc = audit_trail_list(s, &who, after, limit, &doc, &e);
	} else {
		rc = audit_trail_prune(s, (int)(years > 1000 ? 1000 : years), audit_key_path(key),
				       &removed, &e);
		if (rc == 0)
			doc = json_pack("{s:I, s:I}", "years", (json_int_t)years, "removed_to",
					(json_int_t)removed);
	}
	store_close(s);
	if (rc < 0)
		return cli_fail(&e);
	cli_print_json(doc, 1);
	json_decref(doc);
	return CLI_EXIT_OK;
}
