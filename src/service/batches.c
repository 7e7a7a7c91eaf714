/* batches.c - the batch service; see batches.h. */
#include "batches.h"

#include "access.h"
#include "audit_trail.h"
#include "cases.h"
#include "catalogs.h"
#include "depts.h"
#include "core/catalog.h"
#include "core/code.h"
#include "core/err.h"
#include "core/publicity_period.h"
#include "core/text.h"
#include "ingest/mapping.h"
#include "ingest/pipeline.h"
#include "ingest/reader.h"
#include "principal.h"
#include "rules.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static json_t *batches_summary(const struct store_batch *b)
{
	return json_pack("{s:I, s:i, s:i, s:i, s:i, s:i}", "batch", (json_int_t)b->id, "rows",
			 (int)b->rows, "accepted", (int)b->accepted, "duplicates",
			 (int)b->duplicates, "rejected", (int)b->rejected, "warnings",
			 (int)b->warnings);
}

/* The summary with what the batch was: batches_show's and each of batches_list's. */
static json_t *batches_detail(const struct store_batch *b)
{
	json_t *o = batches_summary(b);

	json_object_set_new(o, "category", json_string(b->category));
	json_object_set_new(o, "dept", json_string(b->dept_code));
	json_object_set_new(o, "source", json_string(b->source));
	json_object_set_new(o, "format", json_string(b->format));
	json_object_set_new(o, "encoding", json_string(b->encoding));
	json_object_set_new(o, "created_at", json_string(b->created_at));
	return o;
}

/* The submitting department is identified by its unified social credit code. */
static int batches_check_dept(struct store *s, const char *dept, char out[CODE_MAX],
			      struct err *e)
{
	struct code_options opts = { CODE_KIND_USCC, store_code_exception_has, s };
	struct code_result res;

	if (!dept || !*dept)
		return err_set(e, "dept.invalid", "缺少报送部门代码（--dept），应为部门的统一社会信用代码");
	code_check(dept, &opts, &res);
	if (!res.valid)
		return err_set(e, "dept.invalid", "报送部门代码“%s”无效：%s", dept, res.message);
	memcpy(out, res.normalized, CODE_MAX);
	return 0;
}

static const char *batches_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int batches_audit(struct store *s, const struct store_batch *b, void *ctx,
			 struct err *e)
{
	const struct principal *who = ctx;
	json_t *detail;
	int rc;

	if (!who)
		return 0;
	detail = json_pack("{s:I, s:s, s:s, s:i, s:i, s:i}", "batch", (json_int_t)b->id,
			   "category", b->category, "source", b->source, "rows", (int)b->rows,
			   "accepted", (int)b->accepted, "rejected", (int)b->rejected);
	rc = audit_trail_record(s, who, "batch.create", NULL, detail, e);
	json_decref(detail);
	return rc;
}

/* Before a batch commits: its audit entry, and what it did to records under a case. */
static int batches_before_commit(struct store *s, const struct store_batch *b, void *ctx,
				 struct err *e)
{
	const struct principal *who = ctx;

	if (batches_audit(s, b, ctx, e) < 0)
		return -1;
	return who ? cases_on_batch(s, who, b, e) : 0;
}

/* A department's user or token sees its own department's batches only. */
static int batches_visible(const struct principal *who, const struct store_batch *b)
{
	const struct access_target t = { NULL, b->dept_code };

	return access_may(who, ACCESS_BATCH_READ, &t);
}

/* Whether `who` may submit as `dept`, the code as given (before it is normalized, as
 * the API always compared it): a department submits its own data only. */
static int batches_may_submit(const struct principal *who, const char *dept, struct err *e)
{
	const struct access_target t = { NULL, dept };

	if (!who)
		return err_set(e, "auth.forbidden", "报送数据须说明报送者身份");
	if (access_judge(who, ACCESS_BATCH_SUBMIT, &t) == ACCESS_NOT_OWN)
		return err_set_field(e, "auth.forbidden", "dept", "只能报送本部门（%s）的数据",
				     who->dept_code);
	return access_check(who, ACCESS_BATCH_SUBMIT, &t, e);
}

/* The category whose fields the file's header names most (batches_header_hint). */
struct header_fit {
	const struct reader *reader;
	const char *chosen;
	int best;
	char best_id[64];
	char best_name[128];
};

/* How many of the reader's columns name a field of `cat`; -1 when it cannot tell. */
static int batches_columns_fit(const struct category *cat, const struct reader *r)
{
	struct mapping m;
	struct err e;
	int n = -1;

	err_clear(&e);
	if (mapping_init(&m, cat, &e) == 0 && mapping_update(&m, r, &e) == 0)
		n = mapping_count_columns(&m);
	if (m.cat)
		mapping_free(&m);
	return n;
}

static int batches_fit_one(void *ctx, const char *id, const char *json)
{
	struct header_fit *f = ctx;
	struct category *cat;
	int n;

	if (strcmp(id, f->chosen) == 0 || catalog_parse(json, &cat, NULL) < 0)
		return 0;
	n = batches_columns_fit(cat, f->reader);
	if (n > f->best) {
		f->best = n;
		snprintf(f->best_id, sizeof f->best_id, "%s", id);
		snprintf(f->best_name, sizeof f->best_name, "%s", cat->name);
	}
	catalog_free(cat);
	return 0;
}

/* When the file's header names more fields of another category than of the one it was
 * sent as, says so in `out` ("表头与行政许可不符…"); "" otherwise, and whenever the
 * file cannot be read again.  Only the header is read (and a JSON file's first
 * object, whose keys are its columns). */
static void batches_header_hint(struct store *s, const struct category *cat,
				const struct ingest_request *req, char *out, size_t size)
{
	struct header_fit f = { NULL, cat->id, 0, "", "" };
	struct reader *r = NULL;
	struct reader_row row;
	struct err e;
	int mine;

	out[0] = '\0';
	err_clear(&e);
	if (reader_open_named(req->path, req->source_name, req->format, &r, &e) < 0)
		return;
	if (reader_column_count(r) == 0 && reader_next(r, &row, &e) < 0)
		goto out;
	f.reader = r;
	mine = batches_columns_fit(cat, r);
	f.best = mine;
	if (mine < 0 || store_category_list(s, batches_fit_one, &f, &e) < 0 || !f.best_id[0])
		goto out;
	snprintf(out, size,
		 "表头与%s（%s）不符：文件的 %zu 列中只有 %d 列是%s的字段，却有 %d 列是%s（%s）的字段。"
		 "请确认信息类是否选对，如确为%s，请改按信息类 %s 报送",
		 cat->name, cat->id, reader_column_count(r), mine, cat->name, f.best, f.best_name,
		 f.best_id, f.best_name, f.best_id);
	text_utf8_clip(out);
out:
	reader_close(r);
}

int batches_ingest(struct store *s, const struct ingest_request *req, json_t **summary,
		   struct err *e)
{
	struct pipeline_request preq;
	struct store_batch batch;
	struct pipeline_stats stats;
	struct category *cat = NULL;
	struct publicity_regimes regimes = { NULL, 0 };
	char dept[CODE_MAX], sector[DEPT_SECTOR_SIZE] = "", hint[ERR_MESSAGE_MAX] = "";
	int rc;

	*summary = NULL;
	if (batches_may_submit(req->who, req->dept_code, e) < 0 ||
	    catalogs_load(s, req->category ? req->category : "", &cat, e) < 0)
		return -1;
	if (batches_check_dept(s, req->dept_code, dept, e) < 0 ||
	    (cat->publicity_by_rules && (rules_publicity_regimes(s, &regimes, e) < 0 ||
					 depts_sector_of(s, dept, sector, e) < 0))) {
		publicity_regimes_free(&regimes);
		catalog_free(cat);
		return -1;
	}
	memset(&preq, 0, sizeof preq);
	preq.cat = cat;
	preq.dept_code = dept;
	preq.path = req->path;
	preq.source_name = req->source_name ? req->source_name : batches_base_name(req->path);
	/* An upload is named by its own name, never by where the server spooled it. */
	preq.shown_name = req->source_name;
	preq.format = req->format;
	preq.rejects_csv = req->rejects_csv;
	preq.regimes = &regimes;
	/* The directory's sector of the providing department: Order No. 58 publishes a
	 * food or work-safety department's penalties for at least a year. */
	preq.dept_sector = sector;
	preq.before_commit = batches_before_commit;
	preq.before_commit_ctx = (void *)req->who;
	rc = pipeline_run(s, &preq, &batch, &stats, e);
	publicity_regimes_free(&regimes);
	if (rc < 0 && (strcmp(e->reason, "file.no_columns") == 0 ||
		       strcmp(e->reason, "file.mostly_rejected") == 0)) {
		/* The likelier mistake first: the message has room for one of the two. */
		batches_header_hint(s, cat, req, hint, sizeof hint);
		if (hint[0]) {
			char was[ERR_MESSAGE_MAX], reason[sizeof e->reason];

			snprintf(was, sizeof was, "%s", e->message);
			snprintf(reason, sizeof reason, "%s", e->reason);
			err_set(e, reason, "%s。%s", hint, was);
		}
	} else if (rc == 0 && batch.rejected > 0) {
		batches_header_hint(s, cat, req, hint, sizeof hint);
	}
	catalog_free(cat);
	if (rc < 0)
		return -1;
	*summary = batches_summary(&batch);
	if (hint[0])
		json_object_set_new(*summary, "header_hint", json_string(hint));
	if (stats.problems_omitted) {
		json_object_set_new(*summary, "problems_omitted",
				    json_integer(stats.problems_omitted));
		json_object_set_new(*summary, "problems_cap", json_integer(stats.problems_cap));
	}
	return 0;
}

int batches_show(struct store *s, const struct principal *who, int64_t id, json_t **out,
		 struct err *e)
{
	struct store_batch b;
	int found = store_batch_get(s, id, &b, e);

	if (found < 0)
		return -1;
	if (!found || !batches_visible(who, &b))
		return err_set(e, "batch.not_found", "批次 %lld 不存在", (long long)id);
	*out = batches_detail(&b);
	return 0;
}

struct batch_page {
	json_t *arr;
	int64_t last;
};

static int batches_list_one(void *ctx, const struct store_batch *b)
{
	struct batch_page *pg = ctx;

	json_array_append_new(pg->arr, batches_detail(b));
	pg->last = b->id;
	return 0;
}

int batches_list(struct store *s, const struct principal *who, const char *after, long limit,
		 json_t **out, struct err *e)
{
	struct batch_page pg = { NULL, 0 };
	const char *dept = NULL;
	long long before = 0;
	char next[24];
	int used = 0;

	*out = NULL;
	if (limit < 0 || limit > BATCHES_LIST_MAX)
		return err_set_field(e, "request.invalid", "limit", "每页条数应为 1 到 %d",
				     BATCHES_LIST_MAX);
	if (after && *after &&
	    (sscanf(after, "%lld%n", &before, &used) != 1 || after[used] || before <= 0))
		return err_set_field(e, "request.invalid", "after",
				     "翻页位置“%s”无效：请使用上一页返回的 next 值", after);
	/* Every department's batches for whom no department binds (a NULL target is
	 * nobody's), else the caller's own department's. */
	if (!access_may(who, ACCESS_BATCH_READ, NULL)) {
		const struct access_target own = { NULL, who->dept_code };

		if (access_check(who, ACCESS_BATCH_READ, &own, e) < 0)
			return -1;
		dept = who->dept_code;
	}
	if (!limit)
		limit = BATCHES_LIST_DEFAULT;
	pg.arr = json_array();
	if (store_batch_list(s, dept, (int64_t)before, limit, batches_list_one, &pg, e) < 0) {
		json_decref(pg.arr);
		return -1;
	}
	/* A full page may be followed by more; the next page says when it is the last. */
	snprintf(next, sizeof next, "%lld", (long long)pg.last);
	*out = json_pack("{s:o, s:s?}", "batches", pg.arr, "next",
			 (long)json_array_size(pg.arr) == limit && pg.last > 1 ? next : NULL);
	return 0;
}

struct problem_list {
	json_t *arr;
	int failed;
	long row; /* the last one listed: where the next page starts */
	int64_t seq;
};

static int batches_add_problem(void *ctx, const struct store_problem *p)
{
	struct problem_list *l = ctx;

	/* json_pack refuses invalid UTF-8.  Messages are clipped to whole characters, so a
	 * failure here is a bug worth reporting rather than a silently shorter list. */
	if (json_array_append_new(l->arr, json_pack("{s:i, s:s, s:s, s:s, s:b}", "row",
						    (int)p->row, "field", p->field, "reason",
						    p->reason, "message", p->message, "warning",
						    p->warning)) != 0)
		l->failed = 1;
	l->row = p->row;
	l->seq = p->seq;
	return l->failed;
}

/* A cursor is "ROW.SEQ" of the last problem of the previous page. */
static int batches_parse_cursor(const char *after, struct store_problem_page *page,
				struct err *e)
{
	long long row, seq;
	int used = 0;

	if (!after || !*after)
		return 0;
	if (sscanf(after, "%lld.%lld%n", &row, &seq, &used) != 2 || after[used] || row < 0 ||
	    seq < 0)
		return err_set_field(e, "request.invalid", "after",
				     "翻页位置“%s”无效：请使用上一页返回的 next 值", after);
	page->after_row = (long)row;
	page->after_seq = seq;
	return 0;
}

int batches_problems_page(struct store *s, const struct principal *who, int64_t id,
			  int warnings, const char *after, long limit, json_t **out,
			  struct err *e)
{
	struct store_problem_page page = STORE_PROBLEMS_FROM_START;
	struct problem_list l = { NULL, 0, 0, 0 };
	struct store_batch b;
	char next[48];
	int found;

	*out = NULL;
	if (limit < 0 || limit > BATCHES_PAGE_MAX)
		return err_set_field(e, "request.invalid", "limit", "每页条数应为 1 到 %d",
				     BATCHES_PAGE_MAX);
	if (batches_parse_cursor(after, &page, e) < 0)
		return -1;
	page.limit = limit ? limit : BATCHES_PAGE_DEFAULT;
	found = store_batch_get(s, id, &b, e);
	if (found < 0)
		return -1;
	if (!found || !batches_visible(who, &b))
		return err_set(e, "batch.not_found", "批次 %lld 不存在", (long long)id);
	l.arr = json_array();
	if (store_problems_list(s, id, warnings, &page, batches_add_problem, &l, e) < 0 ||
	    (l.failed && err_set(e, "internal.error", "批次 %lld 的问题记录无法输出",
				 (long long)id) < 0)) {
		json_decref(l.arr);
		return -1;
	}
	/* A full page may be followed by more; the next page says when it is the last. */
	snprintf(next, sizeof next, "%ld.%lld", l.row, (long long)l.seq);
	*out = json_pack("{s:I, s:o, s:s?}", "batch", (json_int_t)id, "rejects", l.arr, "next",
			 (long)json_array_size(l.arr) == page.limit ? next : NULL);
	return 0;
}
