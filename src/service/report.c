/*
 * report.c - the credit report: built from an archive view, signed, recorded, checked
 * (report.h).
 */
#include "report.h"

#include "archive_view.h"
#include "audit_trail.h"
#include "codes.h"
#include "depts.h"
#include "principal.h"
#include "report_keys.h"
#include "subject_labels.h"

#include "core/clock.h"
#include "core/date.h"
#include "core/err.h"
#include "core/report_chapters.h"
#include "core/report_seal.h"
#include "store/store.h"
#include "render/report_pdf.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_VERSION "2022"

enum report_kind { REPORT_PUBLIC, REPORT_SHARED, REPORT_OWN };

static const char *const kind_names[] = { "public", "shared", "own" };
static const char *const kind_labels[] = { "公开版", "政务共享版", "主体自查版" };
static atomic_ullong issued[3];

void report_issued_counts(unsigned long long out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = atomic_load(&issued[i]);
}

/* What the view shows decides the report's kind: the public's, the subject's own (the
 * only one with repaired records), or a government or authorized reader's. */
static enum report_kind report_kind_of(const struct access_view *v)
{
	if (!v->nonpublic)
		return REPORT_PUBLIC;
	return v->repaired ? REPORT_OWN : REPORT_SHARED;
}

/* "1,2,4" -> bit n per archive chapter n; 0 and `report.invalid` on anything else. */
static int report_chapter_mask(const char *list, unsigned *mask, struct err *e)
{
	size_t n;
	const struct report_chapter *c = report_chapters(&n);
	unsigned all = 0;

	for (size_t i = 0; i < n; i++)
		if (c[i].archive)
			all |= 1u << c[i].number;
	*mask = all;
	if (!list || !*list)
		return 0;
	*mask = 0;
	for (const char *p = list; *p;) {
		char *end;
		long k = strtol(p, &end, 10);

		if (end == p || k < 1 || k > 31 || !(all >> k & 1) || (*end && *end != ','))
			return err_set_field(e, "report.invalid", "chapters",
					     "章节“%s”不正确：请用逗号分隔的章节序号 1 至 9，如 1,2,4",
					     list);
		*mask |= 1u << k;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* The span's first day: `from`, no more than REPORT_MAX_YEARS back; default that far. */
static int report_span_from(const char *from, const char *today, char out[11], struct err *e)
{
	struct date t, f, earliest;

	date_parse_iso(today, &t);
	earliest = date_add_months(t, -12 * REPORT_MAX_YEARS);
	if (!from || !*from) {
		date_format(earliest, out);
		return 0;
	}
	if (date_parse_iso(from, &f) < 0)
		return err_set_field(e, "report.invalid", "from",
				     "起始日期“%s”不正确：请写成 YYYY-MM-DD", from);
	if (date_cmp(f, earliest) < 0 || date_cmp(f, t) > 0) {
		char first[11];

		date_format(earliest, first);
		return err_set_field(e, "report.invalid", "from",
				     "信息时间范围最多为近 %d 年：起始日期应在 %s 至 %s 之间",
				     REPORT_MAX_YEARS, first, today);
	}
	date_format(f, out);
	return 0;
}

/* Every value of the signed document is a string (report.h). */
static json_t *report_text(const json_t *v)
{
	char tmp[64];

	switch (json_typeof(v)) {
	case JSON_STRING: return json_string(json_string_value(v));
	case JSON_INTEGER:
		snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
		return json_string(tmp);
	case JSON_REAL:
		snprintf(tmp, sizeof tmp, "%.17g", json_real_value(v));
		return json_string(tmp);
	case JSON_TRUE: return json_string("是");
	case JSON_FALSE: return json_string("否");
	default: return json_string("");
	}
}

static json_t *report_count(size_t n)
{
	char tmp[24];

	snprintf(tmp, sizeof tmp, "%zu", n);
	return json_string(tmp);
}

static void report_pair(json_t *list, const char *label, const char *value)
{
	if (value && *value)
		json_array_append_new(list, json_pack("{s:s, s:s}", "label", label, "value", value));
}

/* The fields of a record in the catalog's order, named as the catalog names them. */
static json_t *report_fields(const struct category *cat, const json_t *fields)
{
	json_t *out = json_array();

	for (size_t i = 0; i < cat->nfields; i++) {
		const json_t *v = json_object_get(fields, cat->fields[i].id);
		json_t *text;

		if (!v || json_is_null(v))
			continue;
		text = report_text(v);
		if (*json_string_value(text))
			json_array_append_new(out, json_pack("{s:s, s:o}", "label",
							     cat->fields[i].name, "value", text));
		else
			json_decref(text);
	}
	return out;
}

static const char *report_status_label(enum publicity_status p)
{
	switch (p) {
	case PUBLICITY_PUBLISHED: return "公示中";
	case PUBLICITY_ENDED: return "公示期满";
	case PUBLICITY_NOT_PUBLIC: return "不予公开";
	case PUBLICITY_NOT_PUBLISHED: return "不予公示";
	case PUBLICITY_REPAIRED: return "已修复";
	}
	return "";
}

static json_t *report_item(const struct archive_category *c, const struct archive_record *r,
			   const struct depts_directory *dir)
{
	json_t *marks = json_array(), *dept = depts_directory_name_json(dir, r->dept_code);
	json_t *item;

	if (r->disputed)
		json_array_append_new(marks, json_string("存在异议，正在核查"));
	if (r->name_conflict)
		json_array_append_new(marks, json_string("名称与登记信息不一致"));
	if (r->publicity == PUBLICITY_REPAIRED && r->repaired_on[0]) {
		char text[64];

		snprintf(text, sizeof text, "%s 完成信用修复", r->repaired_on);
		json_array_append_new(marks, json_string(text));
	}
	if (r->facts.regime && *severity_label(r->facts.severity)) {
		char text[64];

		snprintf(text, sizeof text, "失信程度：%s", severity_label(r->facts.severity));
		json_array_append_new(marks, json_string(text));
	}
	item = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "title", c->cat->name, "dept",
			 json_is_string(dept) ? json_string_value(dept) : r->dept_code, "date",
			 r->decision_date, "status", publicity_status_name(r->publicity),
			 "status_label", report_status_label(r->publicity), "marks", marks,
			 "statement", r->statement ? r->statement : "", "fields",
			 report_fields(c->cat, r->fields));
	json_decref(dept);
	return item;
}

/* A record is in the span when it was decided on or after its first day.  Registration
 * (chapter 1) is who the subject is, not an event: always in, however old. */
static int report_in_span(const struct archive_record *r, int chapter, const char *from)
{
	return chapter == 1 || !r->decision_date[0] || strcmp(r->decision_date, from) >= 0;
}

struct report_tally {
	size_t per_chapter[11];
	size_t negative_in_force, disputed, repaired;
	int abnormal, dishonest;
};

static json_t *report_sections(const struct archive_view *v, int chapter, const char *from,
			       const struct depts_directory *dir, struct report_tally *t)
{
	json_t *sections = json_array();

	for (size_t i = 0; i < v->ncategories; i++) {
		const struct archive_category *c = &v->categories[i];
		json_t *items;

		if (report_chapter_of_group(c->cat->group)->number != chapter)
			continue;
		items = json_array();
		for (size_t j = 0; j < c->nrecords; j++) {
			const struct archive_record *r = &c->records[j];

			if (!report_in_span(r, chapter, from))
				continue;
			json_array_append_new(items, report_item(c, r, dir));
			t->per_chapter[chapter]++;
			t->disputed += r->disputed != 0;
			t->repaired += r->publicity == PUBLICITY_REPAIRED;
			if (c->cat->nature == NATURE_NEGATIVE && r->publicity == PUBLICITY_PUBLISHED)
				t->negative_in_force++;
			t->dishonest |= chapter == 4;
			t->abnormal |= chapter == 5;
		}
		if (json_array_size(items) == 0) {
			json_decref(items);
			continue;
		}
		json_array_append_new(sections, json_pack("{s:s, s:s, s:o, s:o}", "category",
							  c->cat->id, "name", c->cat->name, "count",
							  report_count(json_array_size(items)),
							  "items", items));
	}
	return sections;
}

/* 信用状况提升建议: what this archive suggests the subject do, in the standard's spirit. */
static json_t *report_advice(const struct report_tally *t, enum report_kind kind)
{
	json_t *a = json_array();
	char text[512];

	if (t->dishonest)
		json_array_append_new(a, json_string(
			"该主体被列入严重失信主体名单。应按照列入决定纠正失信行为、履行相关义务，"
			"满足移出条件后可向认定部门申请提前移出名单。"));
	if (t->abnormal)
		json_array_append_new(a, json_string(
			"该主体被列入经营异常名录。应及时报送年度报告、公示相关信息或更正住所，"
			"并向登记机关申请移出经营异常名录。"));
	if (t->negative_in_force) {
		snprintf(text, sizeof text,
			 "报告期内有 %zu 条失信信息正在公示。已纠正失信行为、履行法定义务的，"
			 "可在最短公示期满后通过本平台或“信用中国”网站申请信用修复。",
			 t->negative_in_force);
		json_array_append_new(a, json_string(text));
	}
	if (t->disputed)
		json_array_append_new(a, json_string(
			"报告中标注“存在异议”的信息正在核查，核查结果将在办理期限内更新。"));
	if (kind == REPORT_OWN && t->repaired)
		json_array_append_new(a, json_string(
			"标注“已修复”的信息已停止公示，仅在本主体自查版报告中显示。"));
	if (json_array_size(a) == 0)
		json_array_append_new(a, json_string(
			"报告期内未发现正在公示的失信信息。建议继续保持良好信用记录，"
			"并可通过自愿注册补充荣誉、资质等守信信息。"));
	return a;
}

static json_t *report_notes(const char *issuer, const char *from, const char *to,
			    enum report_kind kind, unsigned mask, unsigned all)
{
	json_t *n = json_array();
	char text[768];

	snprintf(text, sizeof text,
		 "本报告由%s依据各部门归集的公共信用信息生成，客观记录信息主体的信用信息，"
		 "不作信用评分，也不作评价结论。",
		 issuer);
	json_array_append_new(n, json_string(text));
	snprintf(text, sizeof text, "本报告信息时间范围为 %s 至 %s，所载信息截至报告生成时间。%s",
		 from, to,
		 kind == REPORT_PUBLIC ? "本报告为公开版，仅包含依法公开且在公示期内的信息。"
		 : kind == REPORT_OWN  ? "本报告为主体自查版，仅供信息主体本人使用。"
				       : "本报告为政务共享版，仅限查询事由所述用途使用，不得对外提供。");
	json_array_append_new(n, json_string(text));
	if (mask != all)
		json_array_append_new(n, json_string(
			"本报告按申请人的选择只包含部分章节，未选择的章节未列出。"));
	json_array_append_new(n, json_string(
		"信息主体对报告所列信息有异议的，可向本平台或信息提供单位提出异议申请；"
		"符合条件的失信信息可依法申请信用修复。"));
	json_array_append_new(n, json_string(
		"本报告经平台电子签名。可扫描报告首页二维码，或在平台“报告验证”页面输入报告编号和验证码，"
		"核验报告真伪；内容被改动的报告无法通过验证。"));
	return n;
}

/* The subject block: identity, labels and the basic data of its registration. */
static json_t *report_subject(const struct archive_view *v)
{
	const struct store_subject *sj = &v->subject;
	json_t *region = codes_region_json(sj->region_code), *labels = json_array();
	json_t *basics = json_array(), *view_labels = subject_labels_json(v), *l;
	size_t i;

	json_array_foreach(view_labels, i, l)
		json_array_append(labels, json_object_get(l, "text"));
	json_decref(view_labels);
	report_pair(basics, v->person ? "证件号码" : "统一社会信用代码", sj->code);
	report_pair(basics, "主体类型", sj->subject_type);
	report_pair(basics, "所属地区", json_string_value(json_object_get(region, "name")));
	for (i = 0; i < v->ncategories; i++) {
		const struct archive_category *c = &v->categories[i];
		static const char *const wanted[] = { "legal_rep", "established", "capital",
						      "status", "address", "registration_authority" };

		if (strcmp(c->cat->id, "registration") != 0 || c->nrecords == 0)
			continue;
		for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++) {
			int f = catalog_field_index(c->cat, wanted[w]);
			json_t *text;

			if (f < 0)
				continue;
			text = report_text(json_object_get(c->records[0].fields, wanted[w]));
			report_pair(basics, c->cat->fields[f].name, json_string_value(text));
			json_decref(text);
		}
	}
	l = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "code", sj->code, "name", sj->name,
		      "kind", sj->kind, "subject_type", sj->subject_type, "region",
		      json_is_object(region) ? json_string_value(json_object_get(region, "name"))
					     : "",
		      "labels", labels, "basics", basics);
	json_decref(region);
	return l;
}

/* The content of the report (everything but the seal). */
static json_t *report_content(const struct archive_view *v, const struct depts_directory *dir,
			      const char *number, const char *now, const char *issuer,
			      const char *from, const char *today, unsigned mask, unsigned all)
{
	enum report_kind kind = report_kind_of(&v->view);
	struct report_tally t = { 0 };
	json_t *chapters = json_array(), *summary = json_array(), *doc;
	size_t n;
	const struct report_chapter *c = report_chapters(&n);

	for (size_t i = 0; i < n; i++) {
		json_t *ch;
		char num[4];

		if (c[i].archive && !(mask >> c[i].number & 1))
			continue;
		snprintf(num, sizeof num, "%d", c[i].number);
		ch = json_pack("{s:s, s:s, s:s}", "number", num, "numeral", c[i].numeral, "title",
			       c[i].title);
		if (c[i].archive) {
			json_object_set_new(ch, "sections",
					    report_sections(v, c[i].number, from, dir, &t));
			json_object_set_new(ch, "advice", json_array());
			json_array_append_new(summary,
					      json_pack("{s:s, s:s, s:s, s:o}", "number", num,
							"numeral", c[i].numeral, "title", c[i].title,
							"count", report_count(t.per_chapter[c[i].number])));
		} else {
			json_object_set_new(ch, "sections", json_array());
			json_object_set_new(ch, "advice", report_advice(&t, kind));
		}
		json_array_append_new(chapters, ch);
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o}",
			"number", number, "generated_at", now, "version", REPORT_VERSION,
			"issuer", issuer, "view", kind_names[kind], "view_label", kind_labels[kind],
			"purpose", kind == REPORT_PUBLIC ? "" : v->view.purpose, "span", "from",
			from, "to", today, "subject", report_subject(v), "summary", summary,
			"chapters", chapters, "notes",
			report_notes(issuer, from, today, kind, mask, all));
	return doc;
}

/* "2026-12-03T11:15:00+08:00" -> "20261203111500". */
static void report_stamp(const char *now, char out[15])
{
	int k = 0;

	for (const char *p = now; *p && *p != '+' && k < 14; p++)
		if (isdigit((unsigned char)*p))
			out[k++] = *p;
	out[k] = '\0';
}

static int report_record(struct store *s, const struct principal *who, const json_t *doc,
			 const struct report_seal *seal, const char *format, struct err *e)
{
	const json_t *subject = json_object_get(doc, "subject");
	char actor[128];
	struct store_report row = {
		json_string_value(json_object_get(doc, "number")),
		json_string_value(json_object_get(subject, "code")),
		json_string_value(json_object_get(subject, "name")),
		json_string_value(json_object_get(doc, "view")),
		format,
		seal->digest,
		seal->code,
		seal->key_id,
		json_string_value(json_object_get(doc, "generated_at")),
		actor,
	};

	principal_actor(who, actor, sizeof actor);
	return store_report_put(s, &row, e);
}

int report_issue(struct store *s, const struct principal *who, const struct report_request *rq,
		 json_t **out, struct err *e)
{
	const char *format = rq->format && *rq->format ? rq->format : "json";
	struct report_keyring ring = { 0 };
	const struct report_key *signer;
	struct depts_directory *dir = NULL;
	struct archive_view v;
	struct report_seal seal;
	char now[26], today[11], from[11], stamp[15], number[REPORT_NUMBER_LEN + 1];
	unsigned mask, all;
	json_t *doc = NULL, *extra;
	int rc = -1;

	*out = NULL;
	memset(&v, 0, sizeof v);
	if (strcmp(format, "json") && strcmp(format, "html") && strcmp(format, "pdf"))
		return err_set_field(e, "report.invalid", "format",
				     "不支持的报告格式“%s”：可选 json、html、pdf", format);
	clock_timestamp(now);
	clock_today(today);
	report_stamp(now, stamp);
	if (report_chapter_mask(NULL, &all, e) < 0 || report_chapter_mask(rq->chapters, &mask, e) < 0 ||
	    report_span_from(rq->from, today, from, e) < 0)
		return -1;
	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	signer = report_keyring_signer(&ring, now);
	if (!signer) {
		report_keyring_free(&ring);
		return err_set(e, "keys.missing",
			       "平台尚无可用的报告签名密钥，无法出具报告；请运维人员执行 xinyong keys generate");
	}
	report_number_make(stamp, number);
	extra = json_pack("{s:s, s:s}", "report", number, "format", format);
	if (archive_view_build_for(s, who, rq->code, "report.issue", extra, &v, e) < 0 ||
	    depts_directory_load(s, &dir, e) < 0)
		goto done;
	doc = report_content(&v, dir, number, now, signer->issuer, from, today, mask, all);
	if (!doc) {
		err_set(e, "internal.error", "内存不足，无法生成报告");
		goto done;
	}
	if (report_seal_make(doc, signer->sk, signer->pk, &seal, e) < 0 ||
	    report_seal_attach(doc, &seal) < 0 || report_record(s, who, doc, &seal, format, e) < 0)
		goto done;
	atomic_fetch_add(&issued[report_kind_of(&v.view)], 1);
	*out = doc;
	doc = NULL;
	rc = 0;
done:
	json_decref(extra);
	json_decref(doc);
	depts_directory_free(dir);
	archive_view_free(&v);
	report_keyring_free(&ring);
	return rc;
}

/* "2026-12-03T11:15:00+08:00", or a report's generated_at in another platform's form
 * ("2026-12-03 11:15:00"): the timestamp keys' validity is compared with. */
static void report_when(const char *generated_at, char out[26])
{
	snprintf(out, 26, "%s", generated_at ? generated_at : "");
	if (strlen(out) == 19 && out[10] == ' ') {
		out[10] = 'T';
		snprintf(out + 19, 7, "+08:00");
	}
}

static json_t *report_verdict(const json_t *doc, const struct report_key *k, const char *finding,
			      const char *message)
{
	const json_t *subject = json_object_get(doc, "subject");

	return json_pack("{s:b, s:s, s:s, s:s?, s:s?, s:s?, s:b, s:s?, s:{s:s?, s:s?}}", "genuine",
			 strcmp(finding, "genuine") == 0, "finding", finding, "message", message,
			 "number", json_string_value(json_object_get(doc, "number")),
			 "generated_at", json_string_value(json_object_get(doc, "generated_at")),
			 "issuer",
			 k ? k->issuer : json_string_value(json_object_get(doc, "issuer")), "own",
			 k && k->own, "key_id", json_string_value(json_object_get(doc, "key_id")),
			 "subject", "code", json_string_value(json_object_get(subject, "code")),
			 "name", json_string_value(json_object_get(subject, "name")));
}

static int report_verify_doc(struct store *s, const json_t *doc, json_t **out, struct err *e)
{
	struct report_keyring ring;
	const struct report_key *k;
	enum report_finding f;
	char digest[REPORT_DIGEST_HEX], when[26], message[256];

	if (report_keyring_load(s, &ring, e) < 0)
		return -1;
	k = report_keyring_find(&ring, json_string_value(json_object_get(doc, "key_id")));
	if (!k) {
		/* Not forged as far as anyone here can tell: signed by a key this platform
		 * neither holds nor trusts (another region's, not added with keys trust). */
		*out = report_verdict(doc, NULL, "unknown_key",
				      "报告的签名密钥不在本平台的密钥或已信任的外平台密钥中，无法判断真伪；"
				      "请向出具平台核验，或由运维人员用 xinyong keys trust 添加其公钥");
		report_keyring_free(&ring);
		return 0;
	}
	f = report_seal_check(doc, k->pk, digest);
	report_when(json_string_value(json_object_get(doc, "generated_at")), when);
	if (f == REPORT_GENUINE && !report_key_valid_at(k, when)) {
		snprintf(message, sizeof message,
			 "报告声称生成于 %s，但签名密钥 %s 的有效期为 %s 至 %s：报告不可信", when, k->id,
			 k->valid_from, k->valid_until[0] ? k->valid_until : "今");
		*out = report_verdict(doc, k, "key_expired", message);
	} else {
		*out = report_verdict(doc, k, report_finding_name(f), report_finding_text(f));
	}
	report_keyring_free(&ring);
	return 0;
}

int report_verify_file(struct store *s, const unsigned char *data, size_t len, json_t **out,
		       struct err *e)
{
	char *text = NULL;
	json_error_t je;
	json_t *doc;
	int rc;

	*out = NULL;
	if (len >= 5 && memcmp(data, "%PDF-", 5) == 0) {
		if (report_pdf_extract(data, len, &text, e) < 0)
			return -1;
		doc = json_loads(text, 0, &je);
		free(text);
	} else {
		doc = json_loadb((const char *)data, len, 0, &je);
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return err_set(e, "report.invalid",
			       "文件不是信用报告：应为平台出具的 PDF 或 JSON 报告（%s）", je.text);
	}
	rc = report_verify_doc(s, doc, out, e);
	json_decref(doc);
	return rc;
}

struct online_ctx {
	const char *code;
	json_t *out;
	char key_id[REPORT_KEY_ID_LEN + 1];
};

static int online_row(void *ctx, const struct store_report *r)
{
	struct online_ctx *c = ctx;
	int genuine = c->code && strcmp(c->code, r->verification_code) == 0;

	/* Who the report is about is told only to whoever holds the report (its code). */
	c->out = json_pack("{s:b, s:s, s:o, s:s, s:s}", "genuine", genuine, "number", r->number,
			   "subject",
			   genuine ? json_pack("{s:s, s:s}", "code", r->subject_code, "name",
					       r->subject_name)
				   : json_null(),
			   "generated_at", r->generated_at, "view", r->view);
	snprintf(c->key_id, sizeof c->key_id, "%s", r->key_id);
	return 1;
}

int report_check_online(struct store *s, const char *number, const char *code, json_t **out,
			struct err *e)
{
	char typed[REPORT_CODE_LEN + 8];
	struct online_ctx c = { typed, NULL, "" };
	struct report_keyring ring;
	size_t k = 0;
	int found;

	*out = NULL;
	if (!report_number_valid(number))
		return err_set_field(e, "report.invalid", "number",
				     "报告编号“%s”不正确：应为 22 位，前 14 位为生成时间，后 8 位为数字或大写字母",
				     number ? number : "");
	/* As a person types it from paper: spaces dropped, lower case read as upper. */
	for (const char *p = code ? code : ""; *p && k < sizeof typed - 1; p++)
		if (!isspace((unsigned char)*p))
			typed[k++] = (char)toupper((unsigned char)*p);
	typed[k] = '\0';
	found = store_report_get(s, number, online_row, &c, e);
	if (found < 0)
		return -1;
	if (!found)
		return err_set(e, "report.not_found", "本平台未出具编号为 %s 的信用报告", number);
	/* The issuer is the one of the key that signed it (the platform may have been
	 * renamed since). */
	if (report_keyring_load(s, &ring, e) == 0) {
		const struct report_key *key = report_keyring_find(&ring, c.key_id);

		json_object_set_new(c.out, "issuer",
				    json_string(key ? key->issuer : REPORT_KEYS_DEFAULT_ISSUER));
		report_keyring_free(&ring);
	}
	*out = c.out;
	return 0;
}
