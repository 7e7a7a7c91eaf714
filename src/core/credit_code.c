/*
 * credit_code.c - the credit code's signed token (credit_code.h).
 */
#include "credit_code.h"

#include "core/buf.h"
#include "core/canonical_json.h"
#include "core/err.h"

#include <jansson.h>
#include <string.h>

static const char *const colour_names[] = { "green", "yellow", "red" };
static const char *const colour_labels[] = { "绿码", "黄码", "红码" };
static const char *const colour_meanings[] = {
	"无在公示期内的失信信息",
	"有在公示期内的失信信息",
	"已列入严重失信主体名单",
};

const char *credit_colour_name(enum credit_colour c)
{
	return colour_names[c];
}

const char *credit_colour_label(enum credit_colour c)
{
	return colour_labels[c];
}

const char *credit_colour_meaning(enum credit_colour c)
{
	return colour_meanings[c];
}

/* The bytes signed: the context, then the canonical payload. */
static int credit_code_message(const json_t *payload, struct buf *msg, struct err *e)
{
	buf_puts(msg, CREDIT_CODE_CONTEXT);
	return canonical_json_write(payload, msg, e);
}

static int append_b64url(struct buf *out, const unsigned char *bin, size_t n)
{
	char text[512];

	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > sizeof text)
		return -1;
	sodium_bin2base64(text, sizeof text, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return buf_puts(out, text);
}

int credit_code_make(const struct credit_claim *claim,
		     const unsigned char sk[crypto_sign_SECRETKEYBYTES], struct buf *out,
		     struct err *e)
{
	struct buf msg;
	unsigned char sig[crypto_sign_BYTES];
	const size_t skip = sizeof CREDIT_CODE_CONTEXT - 1;
	json_t *payload = json_pack("{s:s, s:s, s:s, s:s}", "code", claim->code, "colour",
				    credit_colour_name(claim->colour), "date", claim->date,
				    "key_id", claim->key_id);
	int rc = -1;

	buf_init(&msg, 4096);
	if (!payload || credit_code_message(payload, &msg, e) < 0)
		goto done;
	if (buf_failed(&msg)) {
		err_set(e, "internal.error", "内存不足，无法生成信用码");
		goto done;
	}
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg.data, msg.len, sk);
	buf_puts(out, CREDIT_CODE_PREFIX);
	append_b64url(out, (const unsigned char *)msg.data + skip, msg.len - skip);
	buf_putc(out, '.');
	append_b64url(out, sig, sizeof sig);
	if (buf_failed(out))
		err_set(e, "internal.error", "内存不足，无法生成信用码");
	else
		rc = 0;
done:
	json_decref(payload);
	buf_free(&msg);
	return rc;
}

/* Splits a token into its payload bytes and signature.  0, or -1 when malformed. */
static int credit_code_split(const char *token, unsigned char *payload, size_t cap,
			     size_t *len, unsigned char sig[crypto_sign_BYTES])
{
	const char *body, *dot;
	size_t siglen;

	if (!token || strncmp(token, CREDIT_CODE_PREFIX, sizeof CREDIT_CODE_PREFIX - 1) != 0)
		return -1;
	body = token + sizeof CREDIT_CODE_PREFIX - 1;
	dot = strchr(body, '.');
	if (!dot || strchr(dot + 1, '.'))
		return -1;
	if (sodium_base642bin(payload, cap, body, (size_t)(dot - body), NULL, len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	if (sodium_base642bin(sig, crypto_sign_BYTES, dot + 1, strlen(dot + 1), NULL, &siglen,
			      NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    siglen != crypto_sign_BYTES)
		return -1;
	return 0;
}

static int copy_member(const json_t *o, const char *name, char *out, size_t size, size_t want)
{
	const char *v = json_string_value(json_object_get(o, name));

	if (!v || strlen(v) != want || want >= size)
		return -1;
	memcpy(out, v, want + 1);
	return 0;
}

int credit_code_read(const char *token, struct credit_claim *claim, struct err *e)
{
	unsigned char payload[1024], sig[crypto_sign_BYTES];
	size_t len;
	json_t *doc;
	const char *colour;
	int rc = -1;

	memset(claim, 0, sizeof *claim);
	if (credit_code_split(token, payload, sizeof payload, &len, sig) < 0)
		return err_set(e, "credit_code.invalid",
			       "不是本平台的信用码：应以 %s 开头，由两段 base64url 编码组成，以“.”分隔",
			       CREDIT_CODE_PREFIX);
	doc = json_loadb((const char *)payload, len, JSON_REJECT_DUPLICATES, NULL);
	colour = json_string_value(json_object_get(doc, "colour"));
	if (!json_is_object(doc) || json_object_size(doc) != 4 ||
	    copy_member(doc, "code", claim->code, sizeof claim->code, 18) < 0 ||
	    copy_member(doc, "date", claim->date, sizeof claim->date, 10) < 0 ||
	    copy_member(doc, "key_id", claim->key_id, sizeof claim->key_id, REPORT_KEY_ID_LEN) < 0 ||
	    !colour) {
		err_set(e, "credit_code.invalid",
			"信用码内容不完整：应有 code、colour、date、key_id 四项");
		goto done;
	}
	for (int c = CREDIT_GREEN; c <= CREDIT_RED; c++)
		if (strcmp(colour, colour_names[c]) == 0) {
			claim->colour = (enum credit_colour)c;
			rc = 0;
		}
	if (rc < 0)
		err_set(e, "credit_code.invalid", "信用码的颜色“%s”不正确：应为 green、yellow 或 red",
			colour);
done:
	json_decref(doc);
	return rc;
}

int credit_code_signed_by(const char *token, const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	unsigned char payload[1024], sig[crypto_sign_BYTES];
	unsigned char msg[sizeof CREDIT_CODE_CONTEXT - 1 + sizeof payload];
	const size_t skip = sizeof CREDIT_CODE_CONTEXT - 1;
	size_t len;

	if (credit_code_split(token, payload, sizeof payload, &len, sig) < 0)
		return 0;
	/* The signature covers the bytes as sent: re-canonicalizing is not needed, since
	 * only this platform's own writer makes tokens, and any other byte fails. */
	memcpy(msg, CREDIT_CODE_CONTEXT, skip);
	memcpy(msg + skip, payload, len);
	return crypto_sign_verify_detached(sig, msg, skip + len, pk) == 0;
}
