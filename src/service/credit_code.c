/*
 * credit_code.c - making and checking credit codes (credit_code.h).
 */
#include "credit_code.h"

#include <stdio.h>
#include <string.h>

#include "archive_view.h"
#include "core/buf.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/report_chapters.h"
#include "principal.h"
#include "render/credit_code_image.h"
#include "report_keys.h"

enum credit_colour credit_code_colour(const struct archive_view *v)
{
	enum credit_colour colour = CREDIT_GREEN;

	for (size_t i = 0; i < v->ncategories; i++) {
		const struct archive_category *c = &v->categories[i];
		int chapter = report_chapter_of_group(c->cat->group)->number;

		if (c->cat->nature != NATURE_NEGATIVE && chapter != 4 && chapter != 5)
			continue;
		for (size_t j = 0; j < c->nrecords; j++) {
			if (c->records[j].publicity != PUBLICITY_PUBLISHED)
				continue;
			if (chapter == 4)
				return CREDIT_RED;
			colour = CREDIT_YELLOW;
		}
	}
	return colour;
}

int credit_code_issue(struct store *s, const char *code, const char *format,
		      const char *fallback_base, struct buf *out, const char **type,
		      json_t **meta, struct err *e)
{
	struct report_keyring ring = { 0 };
	const struct report_key *signer;
	struct principal anyone;
	struct archive_view v;
	struct credit_claim claim;
	struct buf token, url;
	char now[26];
	int rc = -1;

	if (meta)
		*meta = NULL;
	memset(&v, 0, sizeof v);
	buf_init(&token, 4096);
	buf_init(&url, 8192);
	if (strcmp(format, "svg") && strcmp(format, "png") && strcmp(format, "json"))
		return err_set_field(e, "request.invalid", "format",
				     "不支持的信用码格式“%s”：可选 svg、png、json", format);
	principal_anonymous(&anyone, NULL);
	if (archive_view_build(s, &anyone, code, &v, e) < 0)
		goto done;
	if (v.person) {
		/* The public never sees a person (archive_view), so this is a belt for braces. */
		err_set(e, "subject.not_found", "信用码只为法人和非法人组织生成");
		goto done;
	}
	if (report_keyring_load(s, &ring, e) < 0)
		goto done;
	clock_timestamp(now);
	signer = report_keyring_signer(&ring, now);
	if (!signer) {
		err_set(e, "keys.missing",
			"平台尚无可用的签名密钥，无法生成信用码；请运维人员执行 xinyong keys generate");
		goto done;
	}
	memset(&claim, 0, sizeof claim);
	snprintf(claim.code, sizeof claim.code, "%.18s", v.subject.code);
	claim.colour = credit_code_colour(&v);
	clock_today(claim.date);
	memcpy(claim.key_id, signer->id, sizeof claim.key_id);
	if (credit_code_make(&claim, signer->sk, &token, e) < 0)
		goto done;
	buf_printf(&url, "%s/?cc=%s#/subject/%s",
		   signer->url[0] ? signer->url : fallback_base ? fallback_base : "",
		   token.data, claim.code);
	if (buf_failed(&url)) {
		err_set(e, "internal.error", "内存不足，无法生成信用码");
		goto done;
	}
	{
		json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				      "code", claim.code, "name", v.subject.name ? v.subject.name : "",
				      "colour", credit_colour_name(claim.colour), "colour_label",
				      credit_colour_label(claim.colour), "meaning",
				      credit_colour_meaning(claim.colour), "date", claim.date, "token",
				      token.data, "url", url.data, "key_id", claim.key_id, "issuer",
				      signer->issuer);
		struct credit_card card = { url.data, v.subject.name ? v.subject.name : "",
					    claim.code, claim.colour, claim.date, signer->issuer };

		if (strcmp(format, "svg") == 0) {
			*type = "image/svg+xml";
			rc = credit_card_svg(&card, out, e);
		} else if (strcmp(format, "png") == 0) {
			*type = "image/png";
			rc = credit_card_png(&card, 8, out, e);
		} else {
			char *text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

			*type = "application/json";
			rc = text ? buf_puts(out, text) : -1;
			free(text);
			if (rc < 0)
				err_set(e, "internal.error", "内存不足，无法生成信用码");
		}
		if (rc == 0 && meta)
			*meta = m;
		else
			json_decref(m);
	}
done:
	report_keyring_free(&ring);
	archive_view_free(&v);
	buf_free(&token);
	buf_free(&url);
	return rc;
}

/* The token of a link that carries one (…?cc=TOKEN&…#…), else the text itself. */
static void credit_code_token_of(const char *text, char *out, size_t size)
{
	const char *p = strstr(text, "cc=");
	size_t n;

	while (p && p != text && p[-1] != '?' && p[-1] != '&')
		p = strstr(p + 3, "cc=");
	if (p)
		text = p + 3;
	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	n = strcspn(text, "&# \t\r\n");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), text);
}

int credit_code_check(struct store *s, const char *text, json_t **out, struct err *e)
{
	struct report_keyring ring = { 0 };
	const struct report_key *key;
	struct credit_claim claim;
	const char *finding, *message;
	char token[2048], from[11] = "", until[11] = "";

	*out = NULL;
	credit_code_token_of(text ? text : "", token, sizeof token);
	if (credit_code_read(token, &claim, e) < 0)
		return -1;
	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	key = report_keyring_find(&ring, claim.key_id);
	if (key) {
		snprintf(from, sizeof from, "%.10s", key->valid_from);
		snprintf(until, sizeof until, "%.10s", key->valid_until);
	}
	if (!key) {
		finding = "unknown_key";
		message = "签发该信用码的密钥不在本平台的信任列表中：它可能来自其他平台，"
			  "请到签发平台核验，或由运维人员执行 xinyong keys trust 加入该平台的公钥";
	} else if (!credit_code_signed_by(token, key->pk)) {
		finding = "bad_signature";
		message = "签名不符：信用码的内容被改动过，或不是由所称平台签发";
	} else if (strcmp(claim.date, from) < 0 || (until[0] && strcmp(claim.date, until) > 0)) {
		finding = "key_expired";
		message = "信用码的日期不在签名密钥的有效期内";
	} else {
		finding = "genuine";
		message = "信用码真实：由所列平台签发，内容未被改动";
	}
	*out = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}", "genuine",
			 strcmp(finding, "genuine") == 0, "finding", finding, "message", message,
			 "code", claim.code, "colour", credit_colour_name(claim.colour),
			 "colour_label", credit_colour_label(claim.colour), "date", claim.date,
			 "key_id", claim.key_id, "issuer", key ? key->issuer : NULL);
	report_keyring_free(&ring);
	return 0;
}
