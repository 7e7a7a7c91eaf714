/* test_reasons.c - the reason-code table (src/core/reasons.def) is well formed, every
 * code declares its HTTP status, and the table and its documentation
 * (docs/reason-codes.md) agree. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reasons.h"
#include "core/text.h"
#include "read_text.h"

#define REASON_DOC XY_SOURCE_ROOT "/docs/reason-codes.md"

Test(reasons, table_not_empty)
{
	size_t n = 0;
	const struct reason_info *all = reasons_all(&n);

	cr_assert_not_null(all);
	cr_assert_gt(n, 0);
}

Test(reasons, entries_well_formed)
{
	size_t n, i;
	const struct reason_info *all = reasons_all(&n);

	for (i = 0; i < n; i++) {
		const char *c = all[i].code;

		cr_assert_not_null(c);
		/* Codes are "area.detail" in lower case: they are part of the interface. */
		cr_assert(strchr(c, '.') != NULL && c[0] != '.', "code \"%s\" has no area", c);
		cr_assert_eq(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789._"), strlen(c),
			     "code \"%s\" holds characters other than [a-z0-9._]", c);
		cr_assert(all[i].kind == REASON_ERROR || all[i].kind == REASON_WARNING ||
			  all[i].kind == REASON_FATAL, "code \"%s\" has a bad kind", c);
		cr_assert_not_null(all[i].summary);
		cr_assert_neq(all[i].summary[0], '\0', "code \"%s\" has no summary", c);
		cr_assert(text_is_utf8(all[i].summary, strlen(all[i].summary)));
	}
}

/* The server has no status mapping of its own (http_reply_error asks the table), so a
 * row without a real status would only show up as a wrong answer at run time. */
Test(reasons, every_code_has_status)
{
	size_t n, i;
	const struct reason_info *all = reasons_all(&n);

	for (i = 0; i < n; i++) {
		unsigned s = all[i].http_status;

		cr_expect(s >= 200 && s <= 599, "code \"%s\" has no HTTP status in 200..599 (%u)",
			  all[i].code, s);
		/* An error document is never a success. */
		cr_expect(s >= 400, "code \"%s\" maps to %u, which is not an error status",
			  all[i].code, s);
		cr_expect_eq(reasons_http_status(all[i].code), s);
	}
}

/* The statuses clients and the HTTP suites rely on. */
Test(reasons, http_status)
{
	cr_assert_eq(reasons_http_status("request.invalid"), 400);
	cr_assert_eq(reasons_http_status("date.unparseable"), 400);
	cr_assert_eq(reasons_http_status("record.other_dept"), 400);
	cr_assert_eq(reasons_http_status("auth.required"), 401);
	cr_assert_eq(reasons_http_status("auth.csrf"), 403);
	cr_assert_eq(reasons_http_status("access.purpose_required"), 403);
	cr_assert_eq(reasons_http_status("subject.not_found"), 404);
	cr_assert_eq(reasons_http_status("method.not_allowed"), 405);
	cr_assert_eq(reasons_http_status("request.media_type"), 415);
	cr_assert_eq(reasons_http_status("file.format"), 422);
	cr_assert_eq(reasons_http_status("auth.locked"), 423);
	cr_assert_eq(reasons_http_status("rate.limited"), 429);
	cr_assert_eq(reasons_http_status("request.head_too_large"), 431);
	cr_assert_eq(reasons_http_status("store.error"), 500);
	cr_assert_eq(reasons_http_status("store.unavailable"), 503);
	cr_assert_eq(reasons_http_status("spool.full"), 507);
	/* Not a code: a bug, answered as one. */
	cr_assert_eq(reasons_http_status("no.such_code"), 500);
	cr_assert_eq(reasons_http_status(""), 500);
}

Test(reasons, codes_unique)
{
	size_t n, i, j;
	const struct reason_info *all = reasons_all(&n);

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			cr_assert_str_neq(all[i].code, all[j].code, "code \"%s\" is listed twice",
					  all[i].code);
}

Test(reasons, find)
{
	size_t n, i;
	const struct reason_info *all = reasons_all(&n);
	const struct reason_info *r;

	for (i = 0; i < n; i++)
		cr_assert_eq(reasons_find(all[i].code), &all[i]);
	r = reasons_find("date.unparseable");
	cr_assert_not_null(r);
	cr_assert_eq(r->kind, REASON_ERROR);
	r = reasons_find("region.unknown");
	cr_assert_not_null(r);
	cr_assert_eq(r->kind, REASON_WARNING);
	r = reasons_find("file.unreadable");
	cr_assert_not_null(r);
	cr_assert_eq(r->kind, REASON_FATAL);
	cr_assert_null(reasons_find("no.such_code"));
	cr_assert_null(reasons_find(""));
	cr_assert_null(reasons_find("date"));
}

/* Reads docs/reason-codes.md whole; fails the test with the path when it is missing. */
static char *reasons_read_doc(void)
{
	return test_read_text(REASON_DOC, "every code in src/core/reasons.def must be "
					  "documented there");
}

static const char *reasons_kind_name(enum reason_kind k)
{
	return k == REASON_ERROR ? "error" : k == REASON_WARNING ? "warning" : "fatal";
}

Test(reasons, every_code_documented)
{
	char *doc = reasons_read_doc();
	size_t n, i;
	const struct reason_info *all = reasons_all(&n);

	for (i = 0; i < n; i++) {
		char row[160];
		const char *p;

		/* A table row "| `code` | kind | status |", so that a mention in passing does
		 * not count as documentation and the kind and status are checked too. */
		snprintf(row, sizeof row, "\n| `%s` | %s | %u |", all[i].code,
			 reasons_kind_name(all[i].kind), all[i].http_status);
		p = strstr(doc, row);
		if (p)
			continue;
		snprintf(row, sizeof row, "`%s`", all[i].code);
		if (strstr(doc, row))
			cr_expect(0,
				  "%s mentions code \"%s\" but has no table row \"| `%s` | %s | %u |\"",
				  REASON_DOC, all[i].code, all[i].code,
				  reasons_kind_name(all[i].kind), all[i].http_status);
		else
			cr_expect(0, "%s does not document code \"%s\" (from src/core/reasons.def)",
				  REASON_DOC, all[i].code);
	}
	free(doc);
}

Test(reasons, every_documented_code_exists)
{
	char *doc = reasons_read_doc();
	const char *p = doc;

	/* Each table row that starts with a code must name a code of reasons.def. */
	while ((p = strstr(p, "\n| `")) != NULL) {
		const char *start = p + 4, *end = strchr(start, '`');
		char code[96];
		size_t len;

		cr_assert_not_null(end);
		len = (size_t)(end - start);
		cr_assert_lt(len, sizeof code);
		memcpy(code, start, len);
		code[len] = '\0';
		cr_expect_not_null(reasons_find(code),
				   "%s documents \"%s\", which src/core/reasons.def does not define",
				   REASON_DOC, code);
		p = end;
	}
	free(doc);
}
