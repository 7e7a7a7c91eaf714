/*
 * cli_help.c - the `--help` text of the commands that keep it here rather than beside
 * their parser: one line per option with its valid values, then examples.  Every
 * command's text says that the database must already exist (only init, demo and
 * serve --init create one).  tests/integration/test_cli.py checks each command's help.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define DB_OPTION                                                                           \
	"  --db DB              the platform database: a SQLite file (PATH or sqlite:PATH)\n"   \
	"                       or postgresql://USER@HOST:PORT/NAME; default $XINYONG_DB,\n"   \
	"                       else var/xinyong.db.  It must exist: only init, demo and\n"     \
	"                       serve --init create one (store.not_found otherwise)\n"
#define HELP_OPTION "  --help               this text\n"

struct cli_help_text {
	const char *command;
	const char *text;
};

static const struct cli_help_text help_texts[] = {
	{ "init",
	  "Creates the platform database with the built-in catalog, holiday calendar and case\n"
	  "rules, or adds what is missing of them to an existing one.  A SQLite file is created\n"
	  "readable by its owner only; its directory must exist (it is never created).\n\n"
	  "options:\n"
	  "  --db DB              the database to create (default $XINYONG_DB, else\n"
	  "                       var/xinyong.db)\n" HELP_OPTION
	  "\nexamples:\n"
	  "  mkdir -p var && xinyong init --db var/xinyong.db\n"
	  "  xinyong init --db postgresql://xinyong@127.0.0.1:5432/xinyong\n" },
	{ "code",
	  "Checks unified social credit codes (GB 32100) and resident ID numbers (GB 11643):\n"
	  "one JSON line per code (from the arguments, else one per line of stdin); exit 1\n"
	  "when one is invalid.  The kind is judged by shape: 18 characters a USCC or an ID\n"
	  "number, 15 digits an old ID number; any other length is invalid\n"
	  "(code.kind_unknown) unless --kind other.  Spaces inside a code are removed, with\n"
	  "the warning code.inner_space.  exceptions: the operator's list of legally issued\n"
	  "codes whose check character fails.\n\n"
	  "options:\n"
	  "  --kind KIND          uscc, resident_id or other (passports, permits): judge as\n"
	  "                       that kind instead of by shape\n"
	  "  --note TEXT          exceptions add: why the code is an exception\n" DB_OPTION
	  "                       (check without --db uses it only when it exists)\n" HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong code check 91440300708461136T 440524188001010014\n"
	  "  xinyong code check --kind other E12345678\n"
	  "  xinyong code exceptions add 91350100M000100Y43 --note 早期代码 --db var/xinyong.db\n" },
	{ "catalog",
	  "The catalog's categories: list (one JSON line each), show ID (its definition),\n"
	  "import FILE... (add or replace operator-defined categories, docs/data-formats.md).\n"
	  "Built in: penalty (行政处罚), license (行政许可) and the rest of `catalog list`.\n\n"
	  "options:\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong catalog list\n"
	  "  xinyong catalog show penalty\n"
	  "  xinyong catalog import data/catalog/my-category.json\n" },
	{ "subject",
	  "Shows a subject's archive as JSON, as the console sees it (audited).\n\n"
	  "options:\n"
	  "  --purpose TEXT       the 查询事由 recorded in the audit trail\n"
	  "  --compact            one line of JSON instead of indented\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong subject show 91441200MA00000001 --purpose 行政审批核查\n" },
	{ "record",
	  "A record's history (every earlier content), and the operator's transfer of a\n"
	  "record to another department.\n\n"
	  "options:\n"
	  "  --to DEPT            transfer: the receiving department's USCC\n"
	  "  --reason TEXT        transfer: why (recorded in the audit trail)\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong record history 42\n"
	  "  xinyong record transfer 42 --to 11441200MB2C12340X --reason 职能划转\n" },
	{ "search",
	  "Finds subjects by a full code or part of the name (two characters or more).\n\n"
	  "options:\n"
	  "  --limit N            at most N results, 1-100 (default 20)\n"
	  "  --region CODE        only this division: 2, 4 or 6 digits (4412 肇庆市)\n"
	  "  --type TYPE          法人及非法人组织, 个体工商户 or 自然人\n"
	  "  --cursor NEXT        the page after the one whose \"next\" this is\n"
	  "  --purpose TEXT       the 查询事由 recorded in the audit trail\n"
	  "  --compact            one line of JSON instead of indented\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong search 建材 --limit 5\n"
	  "  xinyong search 有限公司 --region 441202 --limit 50\n" },
	{ "demo",
	  "Fills a database with realistic synthetic subjects, records, departments and\n"
	  "cases (creating the SQLite file when missing, never its directory), or with\n"
	  "--penalties writes a penalty CSV to stdout without touching a database.\n\n"
	  "options:\n"
	  "  --subjects N         subjects to make, at least 1 (default 1000)\n"
	  "  --penalties N        write N penalty rows as CSV to stdout instead\n"
	  "  --seed S             the random seed, a number (default 1): same seed, same data\n"
	  "  --db DB              the database to fill (default $XINYONG_DB, else\n"
	  "                       var/xinyong.db)\n" HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong demo --db var/demo.db --subjects 3000\n"
	  "  xinyong demo --penalties 1000 --seed 7 > penalties.csv\n" },
	{ "migrate",
	  "Copies a whole platform to another database (SQLite to PostgreSQL or back) and\n"
	  "verifies every table by count and digest.  The source must exist; the target is\n"
	  "created (a SQLite file in an existing directory) or must be empty.  Exit 0 when\n"
	  "every table matches, 1 when one differs or the copy stopped (run it again to\n"
	  "resume), 2 on bad arguments.\n\n"
	  "options:\n"
	  "  --from URL           the source: sqlite:PATH, a file path, or\n"
	  "                       postgresql://USER@HOST:PORT/DB\n"
	  "  --to URL             the target, written the same way\n"
	  "  --page N             rows per page, each page one transaction (default 1000)\n"
	  "  --verify-only        only compare the two databases, table by table\n" HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong migrate --from var/xinyong.db --to postgresql://xinyong@127.0.0.1/xinyong\n" },
	{ "audit",
	  "The audit trail: verify the hash chain (and its signed checkpoints), sign a\n"
	  "checkpoint, list entries as JSON lines, prune entries older than N years behind a\n"
	  "signed anchor.\n\n"
	  "options:\n"
	  "  --key FILE           the Ed25519 signing key (default var/audit.key)\n"
	  "  --public-key HEX     verify: check signatures with this public key instead\n"
	  "  --checkpoint FILE    verify: also check this exported checkpoint\n"
	  "  --after SEQ          list: entries after sequence number SEQ\n"
	  "  --limit N            list: at most N entries\n"
	  "  --years N            prune: keep the last N years\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong audit verify\n"
	  "  xinyong audit list --after 100 --limit 50\n"
	  "  xinyong audit prune --years 5 --key var/audit.key\n" },
	{ "report",
	  "Issues the standard public credit report (公共信用信息报告) of a subject, signed with\n"
	  "the platform's key, and records its number and digest; or checks a report file.\n"
	  "Without --purpose it is the public report (a legal person's only; a person's is\n"
	  "subject.not_found); with it the government's shared report, the purpose recorded\n"
	  "in the audit trail and the subject's access log.  verify exits 0 when the file is\n"
	  "genuine, 1 when it is not (naming what failed: bad_signature, code_mismatch,\n"
	  "key_expired, unknown_key), 2 when the file is no report at all.\n\n"
	  "options:\n"
	  "  --format FORMAT      json (default), html or pdf\n"
	  "  --out FILE           write the report to FILE (default: stdout); the number and\n"
	  "                       验证码 are printed on stderr\n"
	  "  --purpose TEXT       查询事由: issue the shared report for this purpose\n"
	  "  --from YYYY-MM-DD    the span's first day, at most 5 years back (default)\n"
	  "  --chapters LIST      archive chapters 1-9 to include, e.g. 1,2,4 (default all)\n"
	  "  --url BASE           the platform's public address for the QR code and the\n"
	  "                       verification link (default: the signing key's, keys\n"
	  "                       generate --url)\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong report 91441200MA4UJ2RX1B --format pdf --out report.pdf\n"
	  "  xinyong report 91441200MA4UJ2RX1B --purpose 行政许可审查 --format html --out r.html\n"
	  "  xinyong report verify report.pdf\n" },
	{ "credit-code",
	  "Makes the credit code (信用码) of a legal person: a QR code whose link opens its\n"
	  "public page and carries a token signed with the platform's key, stating its code,\n"
	  "its status colour today (green: no negative record in force; yellow: negative\n"
	  "records in force; red: on the list of seriously dishonest subjects) and the date,\n"
	  "as the public sees it.  verify checks a token, or the link a scanner read, against\n"
	  "this platform's keys and the keys it trusts: exit 0 genuine, 1 not (bad_signature,\n"
	  "unknown_key, key_expired), 2 when it is no credit code at all.\n\n"
	  "options:\n"
	  "  --format FORMAT      svg (default: a card with the name and the colour's meaning),\n"
	  "                       png (the coloured QR code alone) or json (what it states)\n"
	  "  --out FILE           write it to FILE (default: stdout)\n"
	  "  --url BASE           the platform's public address for the link when the signing\n"
	  "                       key has none (keys generate --url)\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong credit-code 91441200MA4UJ2RX1B --out code.svg\n"
	  "  xinyong credit-code verify 'https://xy.example.gov.cn/?cc=XYCC1.eyJ...#/subject/...'\n" },
	{ "keys",
	  "The Ed25519 keys that sign credit reports and credit codes.  generate makes the first key (init,\n"
	  "demo and serve make one when there is none); rotate retires the key in force and\n"
	  "signs with a new one from now (reports signed before still verify); list shows\n"
	  "every key (never a secret); export prints the published key list, the document of\n"
	  "/.well-known/xinyong-keys.json; trust adds another platform's published list, so\n"
	  "that its reports verify here as from that issuer (异地互认).\n\n"
	  "options:\n"
	  "  --issuer NAME        generate, rotate: the platform's name printed as 出具机构\n"
	  "                       (default $XINYONG_ISSUER, else 公共信用信息共享平台)\n"
	  "  --url BASE           generate, rotate: the platform's public address, for the\n"
	  "                       verification link and QR code of its reports\n"
	  "  --url-or-file FILE   trust: the other platform's key list, downloaded (the\n"
	  "                       platform opens no outgoing connection: curl -o it first)\n"
	  "  --name NAME          trust: the issuer's name, instead of the file's\n"
	  "  --out FILE           export: write the list to FILE\n"
	  "  --json               list: the JSON document instead of a table\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong keys generate --issuer 肇庆市公共信用信息共享平台 --url https://xy.zhaoqing.gov.cn\n"
	  "  xinyong keys rotate\n"
	  "  xinyong keys export --out xinyong-keys.json\n"
	  "  curl -o gz.json https://xy.gz.gov.cn/.well-known/xinyong-keys.json\n"
	  "  xinyong keys trust --url-or-file gz.json --name 广州市\n" },
	{ "dept",
	  "The department directory (部门目录), which gives department codes their names.\n"
	  "add lists or updates one department (options not given keep their value);\n"
	  "import FILE lists every department of a CSV or JSON file, all or nothing; list\n"
	  "prints a tab-separated table, or JSON with --json.\n\n"
	  "options:\n"
	  "  --name NAME          add: the department's name (needed for a new one)\n"
	  "  --short-name S       add: its short name\n"
	  "  --region R           add: its six-digit division code, e.g. 441200\n"
	  "  --parent P           add: the parent department's USCC\n"
	  "  --contact C          add: a telephone or address\n"
	  "  --sector S           add: its 行业领域, e.g. 食品, 安全生产, 生态环境\n"
	  "  --json               list: JSON instead of a table\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong dept add 11441200MB2C12340X --name 肇庆市市场监督管理局 --region 441200\n"
	  "  xinyong dept import depts.csv\n"
	  "  xinyong dept list --json\n" },
	{ "calendar",
	  "The holiday calendar that counts working days: import FILE (date,kind lines with\n"
	  "kind holiday or workday; replaces each year it holds), add DATE N (the date N\n"
	  "working days after DATE), status (the years known).\n\n"
	  "options:\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong calendar import data/calendar/cn-workdays.csv\n"
	  "  xinyong calendar add 2026-09-30 15\n"
	  "  xinyong calendar status\n" },
	{ "case",
	  "Cases (objections, credit repair) from the console, which has every party's\n"
	  "rights and is audited as cli:$USER.  Each command prints one line of JSON.\n\n"
	  "options:\n"
	  "  --kind K             objection (default) or repair\n"
	  "  --record ID          file: the record the case is about\n"
	  "  --grounds G          file, objection: error, omission, duplicate,\n"
	  "                       past_publicity, wrongly_listed or other\n"
	  "  --text T             file: the applicant's statement\n"
	  "  --commitment         file, repair: the signed credit commitment is given\n"
	  "  --contact C          file: how to reach the applicant\n"
	  "  --note N             file, act: a note for the record of the step\n"
	  "  --reason R           act: why (refuse, forward, revoke)\n"
	  "  --outcome O          act decide, objection: correct, supplement, delete,\n"
	  "                       stop_publicity, remove_from_list or reject\n"
	  "  --field ID=VALUE     act decide correct: a corrected field (repeatable)\n"
	  "  --status S           list: submitted, accepted, forwarded, decided, refused,\n"
	  "                       withdrawn or revoked\n"
	  "  --overdue            list: only cases past their due date\n"
	  "  --dept D             list: only cases at department D\n"
	  "  --after ID, --limit N  list: paging\n" DB_OPTION HELP_OPTION
	  "ACTION: accept, refuse, forward, decide, review, revoke or withdraw, as the\n"
	  "case's rules allow in its state (xinyong rules show KIND).\n"
	  "\nexamples:\n"
	  "  xinyong case file --record 42 --grounds error --text 处罚金额登记有误\n"
	  "  xinyong case list --status submitted --overdue\n"
	  "  xinyong case act 7 decide --outcome correct --field fine_amount=2.5\n" },
	{ "rules",
	  "The rules of each kind of case (data/rules/, docs/data-formats.md \"Case rules\"):\n"
	  "list, show KIND (objection, repair, or a publicity regime), import FILE (stores it\n"
	  "under its kind and effective date).\n\n"
	  "options:\n" DB_OPTION HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong rules list\n"
	  "  xinyong rules show objection\n"
	  "  xinyong rules import objection-2027.json\n" },
	{ "routes",
	  "Lists the HTTP routes and who may call each (roles and token scopes); needs no\n"
	  "database.\n\n"
	  "options:\n" HELP_OPTION
	  "\nexamples:\n"
	  "  xinyong routes\n" },
};

int cli_help(const char *command, const char *usage)
{
	size_t i;

	printf("usage: %s\n\n", usage);
	for (i = 0; i < sizeof help_texts / sizeof *help_texts; i++)
		if (strcmp(help_texts[i].command, command) == 0)
			fputs(help_texts[i].text, stdout);
	fflush(stdout);
	return CLI_EXIT_OK;
}
