/*
 * report_html.c - the credit report as an HTML page (report_html.h).
 */
#include "report_html.h"

#include "markup.h"
#include "qr.h"

#include "core/buf.h"
#include "core/err.h"

#include <string.h>

static const char report_css[] =
	"body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#1f2933;"
	"background:#f3f5f8;margin:0;line-height:1.6}"
	".sheet{max-width:820px;margin:24px auto;background:#fff;padding:40px 48px;"
	"box-shadow:0 1px 4px rgba(0,0,0,.12)}"
	".top{display:flex;justify-content:space-between;gap:24px;border-bottom:3px solid #1d4f91;"
	"padding-bottom:16px}"
	"h1{font-size:28px;margin:0;color:#1d4f91;letter-spacing:4px}"
	".view{color:#52606d;margin:4px 0 12px}"
	".meta{margin:0;display:grid;grid-template-columns:auto 1fr;gap:2px 12px;font-size:14px}"
	".meta dt{color:#52606d}.meta dd{margin:0}"
	".qr{text-align:center;font-size:12px;color:#52606d}.qr svg{display:block}"
	".code{font-family:monospace;font-size:14px;color:#1f2933;letter-spacing:1px}"
	".name{font-size:22px;font-weight:700;margin:20px 0 4px}"
	".tag{display:inline-block;border-radius:12px;padding:0 10px;margin:0 6px 6px 0;"
	"font-size:13px;background:#e4e7eb}"
	".tag.bad{background:#fde8e8;color:#9b1c1c}.tag.good{background:#e3f6ea;color:#1e6b3a}"
	"table{width:100%;border-collapse:collapse;margin:8px 0 16px;font-size:14px}"
	"th,td{border:1px solid #cbd2d9;padding:6px 8px;text-align:left;vertical-align:top}"
	"th{background:#eaf1fb;width:30%;font-weight:500;color:#334e68}"
	"thead th{background:#1d4f91;color:#fff;width:auto}"
	"h2{font-size:18px;color:#1d4f91;border-left:6px solid #1d4f91;padding-left:10px;"
	"margin:28px 0 8px}"
	"h3{font-size:15px;margin:12px 0 4px}.empty{color:#7b8794}"
	".mark{color:#b42318;font-weight:600}.notes{font-size:13px;color:#52606d}"
	"@media print{body{background:#fff}.sheet{box-shadow:none;margin:0;max-width:none}}"
	"@media (max-width:600px){.sheet{padding:16px}.top{flex-direction:column}}";

/* Appends s with &, <, > and " escaped. */
static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void html_row(struct buf *b, const char *label, const char *value)
{
	if (!*value)
		return;
	buf_puts(b, "<tr><th>");
	markup_text(b, label);
	buf_puts(b, "</th><td>");
	markup_text(b, value);
	buf_puts(b, "</td></tr>");
}

/* A label's tone by its words: listed or abnormal is bad, honours good. */
static const char *tag_tone(const char *text)
{
	static const char *const bad[] = { "失信", "异常", "吊销", "注销", "撤销", "严重" };

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (strstr(text, bad[i]))
			return " bad";
	return strstr(text, "守信") || strstr(text, "红名单") || strstr(text, "存续") ? " good" : "";
}

static void html_item(struct buf *b, const json_t *item)
{
	const json_t *marks = json_object_get(item, "marks"), *fields = json_object_get(item, "fields");
	const json_t *v;
	size_t i;

	buf_puts(b, "<table><thead><tr><th colspan=\"2\">");
	markup_text(b, str(item, "dept"));
	if (*str(item, "date")) {
		buf_puts(b, " · ");
		markup_text(b, str(item, "date"));
	}
	buf_puts(b, " · ");
	markup_text(b, str(item, "status_label"));
	json_array_foreach(marks, i, v) {
		buf_puts(b, " <span class=\"mark\">");
		markup_text(b, json_string_value(v));
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</th></tr></thead><tbody>");
	json_array_foreach(fields, i, v)
		html_row(b, str(v, "label"), str(v, "value"));
	html_row(b, "主体说明", str(item, "statement"));
	buf_puts(b, "</tbody></table>");
}

static void html_chapter(struct buf *b, const json_t *ch)
{
	const json_t *sections = json_object_get(ch, "sections"), *advice = json_object_get(ch, "advice");
	const json_t *sec, *v;
	size_t i, j;

	buf_puts(b, "<section><h2>");
	markup_text(b, str(ch, "numeral"));
	buf_puts(b, "、");
	markup_text(b, str(ch, "title"));
	buf_puts(b, "</h2>");
	json_array_foreach(sections, i, sec) {
		buf_puts(b, "<h3>");
		markup_text(b, str(sec, "name"));
		buf_puts(b, "（");
		markup_text(b, str(sec, "count"));
		buf_puts(b, " 条）</h3>");
		json_array_foreach(json_object_get(sec, "items"), j, v)
			html_item(b, v);
	}
	json_array_foreach(advice, i, v) {
		buf_puts(b, "<p>");
		markup_text(b, json_string_value(v));
		buf_puts(b, "</p>");
	}
	if (json_array_size(sections) == 0 && json_array_size(advice) == 0)
		buf_puts(b, "<p class=\"empty\">暂无信息</p>");
	buf_puts(b, "</section>");
}

/* The signed document for a script element: "</" would end the element early. */
static int html_embedded_json(struct buf *b, const json_t *report)
{
	char *text = json_dumps(report, JSON_COMPACT);

	if (!text)
		return -1;
	for (const char *p = text; *p; p++) {
		if (p[0] == '<' && p[1] == '/')
			buf_puts(b, "<\\/"), p++;
		else
			buf_putc(b, *p);
	}
	free(text);
	return 0;
}

int report_html_render(const json_t *report, const char *verify_url, struct buf *out,
		       struct err *e)
{
	const json_t *subject = json_object_get(report, "subject"), *span = json_object_get(report, "span");
	const json_t *v;
	size_t i;

	buf_puts(out, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	markup_text(out, "公共信用信息报告 - ");
	markup_text(out, str(subject, "name"));
	buf_printf(out, "</title><style>%s</style></head><body><main class=\"sheet\">", report_css);
	buf_puts(out, "<div class=\"top\"><div><h1>公共信用信息报告</h1><p class=\"view\">（");
	markup_text(out, str(report, "view_label"));
	buf_puts(out, "）</p><dl class=\"meta\"><dt>报告编号</dt><dd class=\"code\">");
	markup_text(out, str(report, "number"));
	buf_puts(out, "</dd><dt>生成时间</dt><dd>");
	markup_text(out, str(report, "generated_at"));
	buf_puts(out, "</dd><dt>出具机构</dt><dd>");
	markup_text(out, str(report, "issuer"));
	buf_puts(out, "</dd><dt>报告版本</dt><dd>");
	markup_text(out, str(report, "version"));
	if (*str(report, "purpose")) {
		buf_puts(out, "</dd><dt>查询事由</dt><dd>");
		markup_text(out, str(report, "purpose"));
	}
	buf_puts(out, "</dd><dt>信息时间范围</dt><dd>");
	markup_text(out, str(span, "from"));
	buf_puts(out, " 至 ");
	markup_text(out, str(span, "to"));
	buf_puts(out, "</dd></dl></div><div class=\"qr\">");
	if (verify_url && *verify_url && qr_svg(verify_url, 120, 1, QR_BLACK, out, e) < 0)
		return -1;
	buf_puts(out, "扫码验证<br>验证码 <span class=\"code\">");
	markup_text(out, str(report, "verification_code"));
	buf_puts(out, "</span></div></div><p class=\"name\">");
	markup_text(out, str(subject, "name"));
	buf_puts(out, "</p><div>");
	json_array_foreach(json_object_get(subject, "labels"), i, v) {
		buf_printf(out, "<span class=\"tag%s\">", tag_tone(json_string_value(v)));
		markup_text(out, json_string_value(v));
		buf_puts(out, "</span>");
	}
	buf_puts(out, "</div><h2>基本信息</h2><table><tbody>");
	json_array_foreach(json_object_get(subject, "basics"), i, v)
		html_row(out, str(v, "label"), str(v, "value"));
	buf_puts(out, "</tbody></table><h2>信用信息概要</h2><table><thead><tr><th>章节</th>"
		      "<th>信息条数</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(report, "summary"), i, v) {
		buf_puts(out, "<tr><td>");
		markup_text(out, str(v, "numeral"));
		buf_puts(out, "、");
		markup_text(out, str(v, "title"));
		buf_puts(out, "</td><td>");
		markup_text(out, str(v, "count"));
		buf_puts(out, "</td></tr>");
	}
	buf_puts(out, "</tbody></table>");
	json_array_foreach(json_object_get(report, "chapters"), i, v)
		html_chapter(out, v);
	buf_puts(out, "<section class=\"notes\"><h2>报告说明</h2>");
	json_array_foreach(json_object_get(report, "notes"), i, v) {
		buf_puts(out, "<p>");
		markup_text(out, json_string_value(v));
		buf_puts(out, "</p>");
	}
	if (verify_url && *verify_url) {
		buf_puts(out, "<p>验证地址：");
		markup_text(out, verify_url);
		buf_puts(out, "</p>");
	}
	buf_puts(out, "</section></main><script type=\"application/json\" id=\"report\">");
	if (html_embedded_json(out, report) < 0)
		return err_set(e, "internal.error", "内存不足，无法输出报告");
	buf_puts(out, "</script></body></html>\n");
	if (buf_failed(out))
		return err_set(e, "internal.error", "内存不足，无法输出报告");
	return 0;
}
