/*
 * report.h - the standard public credit report (公共信用信息报告, the 2022 national
 * layout, domain.md §12): built from the archive view of whoever asks, so it shows
 * exactly what that reader may see; signed (core/report_seal.h) with the platform's key
 * in force (report_keys.h); recorded by number and digest; and checked, offline against
 * the keys, online against what was recorded.
 *
 * The signed document (every value a string, so that no reader's arithmetic changes it):
 *   {"number", "generated_at": "YYYY-MM-DDTHH:MM:SS+08:00", "version": "2022",
 *    "issuer", "view": "public"|"shared"|"own", "view_label", "purpose",
 *    "span": {"from", "to"},
 *    "subject": {"code", "name", "kind", "subject_type", "region", "labels": [text],
 *                "basics": [{"label", "value"}]},
 *    "summary": [{"number", "numeral", "title", "count"}]    (the archive chapters shown)
 *    "chapters": [{"number", "numeral", "title",
 *                  "sections": [{"category", "name", "count",
 *                                "items": [{"title", "dept", "date", "status",
 *                                           "status_label", "marks": [text],
 *                                           "statement", "fields": [{"label", "value"}]}]}],
 *                  "advice": [text]}]                       (chapter 10 only advises)
 *    "notes": [text],                                        (报告说明)
 *    "verification_code", "key_id", "signature"}
 * A chapter with nothing to show has no sections; renderers print 暂无信息 for it.
 */
#ifndef XY_SERVICE_REPORT_H
#define XY_SERVICE_REPORT_H

#include <jansson.h>
#include <stddef.h>

struct err;
struct principal;
struct store;

#define REPORT_MAX_YEARS 5

struct report_request {
	const char *code;     /* the subject */
	const char *format;   /* json, html or pdf: recorded with the issuance */
	const char *from;     /* the span's first day "YYYY-MM-DD"; NULL: 5 years back */
	const char *chapters; /* "1,2,4": the archive chapters wanted; NULL or "": all */
};

/* Builds the report `who` may have of the subject, signs it and records its number and
 * digest; a look at non-public data is in the audit trail and the subject's access log
 * (archive_view.h), and the issuance itself is audited (`report.issue`) unless the
 * report is the public one, which is only counted.  *out: the signed document.  Fails
 * with the archive view's reasons (`subject.not_found` for a person and the public),
 * `report.invalid` naming `from`, `chapters` or `format`, or `keys.missing`. */
int report_issue(struct store *s, const struct principal *who, const struct report_request *rq,
		 json_t **out, struct err *e);

/* Checks a report file offline: the JSON document, or a PDF carrying it
 * (render/report_pdf.h).  *out: {"genuine": bool, "finding": genuine|malformed|
 * code_mismatch|bad_signature|unknown_key|key_expired, "message", "number",
 * "generated_at", "issuer", "own": bool (signed by this platform), "key_id",
 * "subject": {"code", "name"}}.  0 whenever a finding was made (genuine or not); -1 with
 * `report.invalid` when the bytes are neither a report nor a platform's PDF. */
int report_verify_file(struct store *s, const unsigned char *data, size_t len, json_t **out,
		       struct err *e);

/* The online check of GET /api/v1/reports/{number}?code=: *out {"genuine", "number",
 * "subject": {"code", "name"}, "generated_at", "issuer", "view"}; genuine when `code`
 * (spaces and case aside) is the verification code recorded for the number.  Fails with
 * `report.not_found`, or `report.invalid` for a malformed number. */
int report_check_online(struct store *s, const char *number, const char *code, json_t **out,
			struct err *e);

/* Reports issued since start, by view (public, shared, own): the metrics' counters. */
void report_issued_counts(unsigned long long out[3]);

#endif
