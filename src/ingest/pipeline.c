/*
 * pipeline.c - ingesting one file as one atomic batch; see pipeline.h.
 *
 * Two threads share the work: a preparer (prepare.c) reads, cleans and validates rows
 * and builds the records, and the calling thread writes them (subjects, records,
 * problems) inside the batch's transaction.  They meet in a bounded queue
 * (row_queue.c), so memory stays bounded and, on a machine with two cores, cleaning a
 * row costs no time the writer waits for.  Only the writer touches the database.
 */
#include "pipeline.h"

#include "core/buf.h"
#include "core/catalog.h"
#include "core/err.h"
#include "core/reasons.h"
#include "core/rejects_csv.h"
#include "core/text.h"
#include "prepare.h"
#include "row_queue.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The operator's code exceptions, read once before the batch: the preparer thread
 * checks codes and must not use the writer's database connection. */
struct exception_list {
	char **codes; /* sorted */
	size_t n, cap;
	int failed; /* out of memory while loading */
};

/* How often one reason was left out of the problem list past the batch's cap, or how
 * often it rejected a row of the sample (the first PIPELINE_SAMPLE_ROWS rows).  Reasons
 * are static strings from reasons.def, so a few dozen at most. */
#define PIPELINE_REASONS_MAX 64

struct reason_count {
	const char *reason;
	int warning;
	long n;
	long first_row;     /* the sample: the first row refused for it, and why */
	char example[384];
};

struct reason_tally {
	struct reason_count v[PIPELINE_REASONS_MAX];
	size_t n;
	long other; /* past PIPELINE_REASONS_MAX distinct reasons (never in practice) */
};

struct pipeline {
	struct store *store;
	const struct pipeline_request *req;
	const struct category *cat;
	struct reader *reader;
	struct preparer preparer;
	struct row_queue queue;
	struct store_batch *batch;
	struct buf line; /* one rejects CSV line */
	/* The batch's rejects, copied to the caller's rejects file only once the batch is
	 * committed: a rolled-back batch must not leave lines behind. */
	FILE *rejects_tmp;
	/* The subject of the previous row: files are often sorted by subject, and this
	 * saves a lookup per row for them. */
	char last_code[CODE_MAX];
	char last_kind[16];
	char *last_name;
	/* The preparer thread's outcome. */
	int prepare_rc;
	struct err prepare_err;
	/* Problems listed so far, the cap, and what was left out past it. */
	long problems_listed, problems_cap;
	struct reason_tally omitted;
	/* Rejected rows of the sample, by the first reason that rejected them. */
	long sample_rejected;
	struct reason_tally sample;
	/* Why the writer refused the current row (NULL: it did not). */
	const char *refused_reason;
	char refused_message[384];
};

static struct reason_count *reason_tally_of(struct reason_tally *t, const char *reason,
					    int warning)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].warning == warning && strcmp(t->v[i].reason, reason) == 0)
			return &t->v[i];
	if (t->n == PIPELINE_REASONS_MAX) {
		t->other++;
		return NULL;
	}
	memset(&t->v[t->n], 0, sizeof t->v[t->n]);
	t->v[t->n].reason = reason;
	t->v[t->n].warning = warning;
	return &t->v[t->n++];
}

static int exception_list_add(void *ctx, const char *code, const char *note,
			      const char *added_at)
{
	struct exception_list *l = ctx;

	(void)note;
	(void)added_at;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->codes, cap * sizeof *v);

		if (!v)
			return l->failed = 1;
		l->codes = v;
		l->cap = cap;
	}
	if (!(l->codes[l->n] = strdup(code)))
		return l->failed = 1;
	l->n++;
	return 0;
}

static int exception_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int exception_list_has(void *ctx, const char *code)
{
	const struct exception_list *l = ctx;

	return l->n && bsearch(&code, l->codes, l->n, sizeof *l->codes, exception_cmp) != NULL;
}

static void exception_list_free(struct exception_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->codes[i]);
	free(l->codes);
}

static const char *pipeline_reason_summary(const char *reason)
{
	const struct reason_info *info = reasons_find(reason);

	return info ? info->summary : "";
}

/* Writes one problem line, unless the batch's list is full: then it is only counted
 * under its reason, for the summary lines pipeline_write_omitted adds at the end. */
static int pipeline_problem_line(struct pipeline *p, long row, const char *field,
				 const char *reason, const char *message, int warning,
				 struct err *e)
{
	struct store_problem prob = { p->batch->id, row, field, reason, message, warning, 0 };

	if (p->problems_listed >= p->problems_cap) {
		struct reason_count *c = reason_tally_of(&p->omitted, reason, warning);

		if (c)
			c->n++;
		return 0;
	}
	p->problems_listed++;
	if (!warning && p->rejects_tmp) {
		buf_reset(&p->line);
		rejects_csv_line(&p->line, row, field, reason, message);
		fwrite(p->line.data, 1, p->line.len, p->rejects_tmp);
	}
	return store_problem_add(p->store, &prob, e);
}

static int pipeline_problem(struct pipeline *p, long row, const char *field, const char *reason,
			    const char *message, int warning, struct err *e)
{
	if (warning)
		p->batch->warnings++;
	return pipeline_problem_line(p, row, field, reason, message, warning, e);
}

/* A row's own problems, at most PIPELINE_ROW_PROBLEMS of them: a row that breaks every
 * field says enough with the first twenty.  The rest still count as warnings. */
static int pipeline_write_problems(struct pipeline *p, const struct prepared_row *r,
				   struct err *e)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++) {
		const struct prepared_problem *pp = &r->problems[i];

		if (i >= PIPELINE_ROW_PROBLEMS) {
			p->batch->warnings += pp->warning != 0;
			continue;
		}
		if (pipeline_problem(p, r->row, prepared_str(r, pp->field), pp->reason,
				     prepared_str(r, pp->message), pp->warning, e) < 0)
			return -1;
	}
	return 0;
}

/* One line per reason left out past the batch's cap, at row 0, after all the rows. */
static int pipeline_write_omitted(struct pipeline *p, struct err *e)
{
	char msg[512];
	size_t i;

	for (i = 0; i < p->omitted.n; i++) {
		const struct reason_count *c = &p->omitted.v[i];

		snprintf(msg, sizeof msg, "另有 %ld 条“%s”（%s）问题未逐条列出：每批最多列出 %ld 条问题。"
			 "请先改正已列出的问题，再重新报送", c->n, c->reason,
			 pipeline_reason_summary(c->reason), p->problems_cap);
		p->problems_cap = LONG_MAX; /* the summary lines themselves are always listed */
		if (pipeline_problem_line(p, 0, "", c->reason, msg, c->warning, e) < 0)
			return -1;
	}
	return 0;
}

/* Notes a rejected row of the sample; returns -1 with `file.mostly_rejected` once the
 * sample is complete and one reason rejected nearly all of it. */
static int pipeline_sample_row(struct pipeline *p, const struct prepared_row *r,
			       const char *reason, const char *message, struct err *e)
{
	const struct reason_count *top = NULL;
	struct reason_count *c;
	size_t i;

	if (p->batch->rows > PIPELINE_SAMPLE_ROWS)
		return 0;
	if (reason) {
		p->sample_rejected++;
		c = reason_tally_of(&p->sample, reason, 0);
		if (c && c->n++ == 0) {
			c->first_row = r->row;
			snprintf(c->example, sizeof c->example, "%.*s", (int)sizeof c->example - 1,
				 message);
			text_utf8_clip(c->example);
		}
	}
	if (p->batch->rows < PIPELINE_SAMPLE_ROWS)
		return 0;
	for (i = 0; i < p->sample.n; i++)
		if (!top || p->sample.v[i].n > top->n)
			top = &p->sample.v[i];
	if (!top || top->n * 100 <= (long)PIPELINE_SAMPLE_ROWS * PIPELINE_SAMPLE_PERCENT)
		return 0;
	return err_set(e, "file.mostly_rejected",
		       "文件前 %d 行中有 %ld 行因同一原因被拒收：“%s”（%s），例如第 %ld 行：%s。"
		       "这通常是选错了信息类、表头与信息类不符或文件本身有误；本文件未入库任何数据，"
		       "请核对后重新报送",
		       PIPELINE_SAMPLE_ROWS, top->n, top->reason, pipeline_reason_summary(top->reason),
		       top->first_row, top->example);
}

/* The first reason that rejects a prepared row (not a warning), or NULL. */
static const struct prepared_problem *pipeline_first_error(const struct prepared_row *r)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		if (!r->problems[i].warning)
			return &r->problems[i];
	return NULL;
}

/* Finds or creates the row's subject.  Returns 0, 1 when the code is on record as
 * another kind of subject (the row must be refused), or -1.  Sets *conflict when the
 * stored name differs. */
static int pipeline_link_subject(struct pipeline *p, const struct prepared_row *r,
				 int *conflict, struct err *e)
{
	const char *code = prepared_str(r, r->code);
	const char *name = prepared_str(r, r->name);
	struct store_subject subj;
	int found;

	if (strcmp(p->last_code, code) != 0) {
		memset(&subj, 0, sizeof subj);
		found = store_subject_get(p->store, code, &subj, e);
		if (found < 0)
			return -1;
		if (!found) {
			snprintf(subj.code, sizeof subj.code, "%s", code);
			snprintf(subj.kind, sizeof subj.kind, "%s", prepared_str(r, r->kind_name));
			snprintf(subj.subject_type, sizeof subj.subject_type, "%s",
				 prepared_str(r, r->subject_type));
			snprintf(subj.region_code, sizeof subj.region_code, "%s",
				 prepared_str(r, r->region));
			subj.name = (char *)name;
			if (store_subject_insert(p->store, &subj, e) < 0)
				return -1;
			if (!(subj.name = strdup(name)))
				return err_set(e, "internal.error", "内存不足");
		}
		free(p->last_name);
		p->last_name = subj.name;
		snprintf(p->last_code, sizeof p->last_code, "%s", code);
		snprintf(p->last_kind, sizeof p->last_kind, "%s", subj.kind);
	}
	if (strcmp(p->last_kind, prepared_str(r, r->kind_name)) != 0)
		return 1;
	*conflict = strcmp(p->last_name, name) != 0;
	return 0;
}

/* Remembers why the writer refused the current row, for the sample. */
static void pipeline_note_refusal(struct pipeline *p, const char *reason, const char *message)
{
	p->refused_reason = reason;
	/* Cut to the buffer, then to whole characters: the message may be longer. */
	snprintf(p->refused_message, sizeof p->refused_message, "%.*s",
		 (int)sizeof p->refused_message - 1, message);
	text_utf8_clip(p->refused_message);
}

/* Refuses a row whose code belongs to another kind of subject. */
static int pipeline_refuse_kind(struct pipeline *p, const struct prepared_row *r,
				struct err *e)
{
	char msg[512];

	snprintf(msg, sizeof msg, "代码“%s”已登记为另一类主体（%s），与本行的主体类别不符，"
		 "请核对证件类型和号码", prepared_str(r, r->code), p->last_kind);
	p->batch->rejected++;
	pipeline_note_refusal(p, "subject.kind_conflict", msg);
	return pipeline_problem(p, r->row, prepared_str(r, r->code_label),
				"subject.kind_conflict", msg, 0, e);
}

/* Refuses a row whose record another department provided: only the provider updates a
 * record, and the stored one stays as it is. */
static int pipeline_refuse_other_dept(struct pipeline *p, const struct prepared_row *r,
				      const char *owner, struct err *e)
{
	const char *field = p->cat->nkey ? p->cat->fields[p->cat->key[0]].name
					 : prepared_str(r, r->code_label);
	char msg[768];

	snprintf(msg, sizeof msg, "该记录（同一主体、同一%s）已由部门“%s”报送，只能由报送部门更新；"
		 "本行未入库，原记录保持不变。如属本部门的另一条记录，请核对%s；如确需由本部门接管，"
		 "请联系平台运营方办理记录移交", field, owner, field);
	text_utf8_clip(msg);
	p->batch->rejected++;
	pipeline_note_refusal(p, "record.other_dept", msg);
	return pipeline_problem(p, r->row, field, "record.other_dept", msg, 0, e);
}

static int pipeline_write_record(struct pipeline *p, const struct prepared_row *r,
				 struct err *e)
{
	struct store_record rec;
	char owner[CODE_MAX];
	int conflict = 0, rc;

	rc = pipeline_link_subject(p, r, &conflict, e);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return pipeline_refuse_kind(p, r, e);
	memset(&rec, 0, sizeof rec);
	rec.batch_id = p->batch->id;
	rec.category = p->cat->id;
	rec.subject_code = prepared_str(r, r->code);
	rec.dept_code = p->req->dept_code;
	rec.business_key = prepared_str(r, r->key);
	rec.data = prepared_str(r, r->data);
	rec.content_hash = prepared_str(r, r->hash);
	rec.decision_date = prepared_str(r, r->decision_date);
	rec.publicity_end = prepared_str(r, r->publicity_end);
	rec.flags = (conflict ? STORE_RECORD_NAME_CONFLICT : 0) | r->flags;
	/* Accepted and duplicate rows are counted by the store (pipeline_count_records).  The
	 * record is put before the row's warnings are written: a refused row is rejected, and
	 * its warnings would say nothing about a kept record. */
	rc = store_record_put(p->store, &rec, owner, e);
	if (rc < 0)
		return -1;
	if (rc == STORE_PUT_OTHER_DEPT)
		return pipeline_refuse_other_dept(p, r, owner, e);
	if (conflict) {
		char msg[1024];

		snprintf(msg, sizeof msg, "主体名称“%s”与平台已登记的名称“%s”不一致，记录已保留并标记，"
			 "请核对", prepared_str(r, r->name), p->last_name);
		text_utf8_clip(msg);
		if (pipeline_problem(p, r->row, prepared_str(r, r->name_label),
				     "subject.name_conflict", msg, 1, e) < 0)
			return -1;
	}
	return pipeline_write_problems(p, r, e);
}

static int pipeline_write_row(struct pipeline *p, const struct prepared_row *r, struct err *e)
{
	const struct prepared_problem *first;

	/* A break counts as a rejected row, so that rows = accepted + duplicates + rejected. */
	p->batch->rows++;
	p->refused_reason = NULL;
	if (r->kind == PREPARED_RECORD) {
		if (pipeline_write_record(p, r, e) < 0)
			return -1;
	} else {
		p->batch->rejected++;
		if (pipeline_write_problems(p, r, e) < 0)
			return -1;
		if ((first = pipeline_first_error(r)) != NULL)
			pipeline_note_refusal(p, first->reason, prepared_str(r, first->message));
	}
	return pipeline_sample_row(p, r, p->refused_reason, p->refused_message, e);
}

static void *pipeline_prepare_thread(void *arg)
{
	struct pipeline *p = arg;
	struct prepared_row *slot;
	int rc = 0;

	while ((slot = row_queue_slot(&p->queue)) != NULL) {
		rc = preparer_next(&p->preparer, slot, &p->prepare_err);
		if (rc <= 0)
			break;
		row_queue_push(&p->queue);
	}
	p->prepare_rc = rc < 0 ? -1 : 0;
	row_queue_finish(&p->queue);
	return NULL;
}

/* Tells the store which subjects the rows waiting in the queue will look up, so that a
 * database across the network answers them in one round trip.  Returns how many rows
 * the hint covers (at least 1), or 0 on error. */
static size_t pipeline_prefetch_subjects(struct pipeline *p, struct err *e)
{
	const char *codes[ROW_QUEUE_SLOTS];
	size_t n = row_queue_ready(&p->queue), i, m = 0;

	if (n > ROW_QUEUE_SLOTS)
		n = ROW_QUEUE_SLOTS;
	for (i = 0; i < n; i++) {
		const struct prepared_row *r = row_queue_at(&p->queue, i);
		const char *code;

		if (r->kind != PREPARED_RECORD)
			continue;
		code = prepared_str(r, r->code);
		/* Files sorted by subject repeat a code on consecutive rows. */
		if (m && strcmp(codes[m - 1], code) == 0)
			continue;
		codes[m++] = code;
	}
	if (store_subjects_prefetch(p->store, codes, m, e) < 0 ||
	    store_records_prefetch_owners(p->store, codes, m, p->req->dept_code, e) < 0)
		return 0;
	return n ? n : 1;
}

/* Writes every prepared row; stops the preparer when a write fails. */
static int pipeline_write_rows(struct pipeline *p, struct err *e)
{
	struct prepared_row *r;
	pthread_t thread;
	size_t window = 0; /* rows left that the last prefetch covered */
	int rc = 0;

	if (pthread_create(&thread, NULL, pipeline_prepare_thread, p) != 0)
		return err_set(e, "internal.error", "无法启动处理线程");
	while ((r = row_queue_peek(&p->queue)) != NULL) {
		if (window == 0 && (window = pipeline_prefetch_subjects(p, e)) == 0)
			rc = -1;
		else
			rc = pipeline_write_row(p, r, e);
		window--;
		row_queue_pop(&p->queue);
		if (rc < 0) {
			row_queue_abandon(&p->queue);
			break;
		}
	}
	pthread_join(thread, NULL);
	if (rc == 0 && p->prepare_rc < 0) {
		*e = p->prepare_err;
		rc = -1;
	}
	return rc;
}

static void pipeline_note_encoding(struct pipeline *p)
{
	snprintf(p->batch->encoding, sizeof p->batch->encoding, "%s",
		 reader_encoding_of(p->reader) == READER_GB18030 ? "gb18030" : "utf-8");
}

static int pipeline_copy_rejects(struct pipeline *p, struct err *e)
{
	char chunk[65536];
	size_t n;

	if (!p->rejects_tmp)
		return 0;
	rewind(p->rejects_tmp);
	while ((n = fread(chunk, 1, sizeof chunk, p->rejects_tmp)) > 0)
		if (fwrite(chunk, 1, n, p->req->rejects_csv) != n)
			return err_set(e, "file.unreadable", "写入拒收文件失败（批次 %lld 已入库）",
				       (long long)p->batch->id);
	return ferror(p->rejects_tmp) ? err_set(e, "file.unreadable", "读取拒收临时文件失败") : 0;
}

static const char *pipeline_format_name(enum reader_format f)
{
	return f == READER_JSON ? "json" : f == READER_NDJSON ? "ndjson" : "csv";
}

/* Rows that changed a record (new or updated) are accepted; the others duplicates.  A
 * batch that updated records drops the versions it made of its own rows. */
static int pipeline_count_records(struct pipeline *p, struct err *e)
{
	struct store_put_counts counts;

	if (store_put_counts_take(p->store, &counts, e) < 0)
		return -1;
	p->batch->accepted += (long)(counts.inserted + counts.updated);
	p->batch->duplicates += (long)counts.duplicates;
	return counts.updated ? store_batch_drop_own_versions(p->store, p->batch->id, e) : 0;
}

static int pipeline_execute(struct pipeline *p, struct err *e)
{
	struct store_batch *b = p->batch;

	if (preparer_check_columns(&p->preparer, e) < 0)
		return -1;
	snprintf(b->category, sizeof b->category, "%s", p->cat->id);
	snprintf(b->dept_code, sizeof b->dept_code, "%s", p->req->dept_code);
	snprintf(b->source, sizeof b->source, "%s", p->req->source_name ? p->req->source_name : "");
	text_utf8_clip(b->source);
	snprintf(b->format, sizeof b->format, "%s", pipeline_format_name(reader_format_of(p->reader)));
	pipeline_note_encoding(p);
	if (store_begin_batch(p->store, e) < 0)
		return -1;
	if (store_batch_insert(p->store, b, e) < 0 || pipeline_write_rows(p, e) < 0 ||
	    pipeline_write_omitted(p, e) < 0)
		goto fail;
	/* The encoding is decided at the first non-ASCII byte, which may come late in the
	 * file: the batch records it again once the file has been read. */
	pipeline_note_encoding(p);
	if (pipeline_count_records(p, e) < 0 || store_batch_update(p->store, b, e) < 0 ||
	    (p->req->before_commit &&
	     p->req->before_commit(p->store, b, p->req->before_commit_ctx, e) < 0) ||
	    store_commit(p->store, e) < 0)
		goto fail;
	return pipeline_copy_rejects(p, e);
fail:
	store_rollback(p->store);
	return -1;
}

/* The batch's cap on listed problems: PIPELINE_BATCH_PROBLEMS, or less when
 * $XINYONG_BATCH_PROBLEMS says so (tests reach the cap with small files). */
static long pipeline_problems_cap(void)
{
	const char *v = getenv("XINYONG_BATCH_PROBLEMS");
	long n = v ? atol(v) : 0;

	return n > 0 && n < PIPELINE_BATCH_PROBLEMS ? n : PIPELINE_BATCH_PROBLEMS;
}

int pipeline_run(struct store *s, const struct pipeline_request *req, struct store_batch *batch,
		 struct pipeline_stats *stats, struct err *e)
{
	struct exception_list exceptions = { NULL, 0, 0, 0 };
	struct code_options opts = { CODE_KIND_AUTO, exception_list_has, &exceptions };
	struct pipeline p;
	int rc = -1;

	memset(&p, 0, sizeof p);
	memset(batch, 0, sizeof *batch);
	p.store = s;
	p.req = req;
	p.cat = req->cat;
	p.batch = batch;
	p.problems_cap = pipeline_problems_cap();
	buf_init(&p.line, 1 << 20);
	/* Hashes are computed in the preparer thread; sodium_init picks the fast
	 * implementation and is safe to call more than once. */
	if (sodium_init() < 0) {
		err_set(e, "internal.error", "libsodium 初始化失败");
		goto out;
	}
	if (store_code_exception_list(s, exception_list_add, &exceptions, e) < 0)
		goto out;
	if (exceptions.failed) {
		err_set(e, "internal.error", "内存不足，无法读取代码例外名单");
		goto out;
	}
	qsort(exceptions.codes, exceptions.n, sizeof *exceptions.codes, exception_cmp);
	if (req->rejects_csv && !(p.rejects_tmp = tmpfile())) {
		err_set(e, "file.unreadable", "无法创建拒收临时文件");
		goto out;
	}
	if (reader_open_named(req->path, req->shown_name ? req->shown_name : req->path, req->format,
			      &p.reader, e) < 0)
		goto out;
	if (row_queue_init(&p.queue) < 0) {
		err_set(e, "internal.error", "无法创建处理队列");
		goto out_reader;
	}
	if (preparer_init(&p.preparer, p.cat, p.reader, &opts, e) == 0) {
		p.preparer.regimes = req->regimes;
		p.preparer.dept_sector = req->dept_sector;
		rc = pipeline_execute(&p, e);
	}
	if (rc == 0 && stats) {
		size_t i;

		stats->problems_listed = p.problems_listed;
		stats->problems_cap = pipeline_problems_cap();
		stats->problems_omitted = p.omitted.other;
		for (i = 0; i < p.omitted.n; i++)
			stats->problems_omitted += p.omitted.v[i].n;
	}
	preparer_free(&p.preparer);
	row_queue_free(&p.queue);
out_reader:
	reader_close(p.reader);
out:
	if (p.rejects_tmp)
		fclose(p.rejects_tmp);
	exception_list_free(&exceptions);
	free(p.last_name);
	buf_free(&p.line);
	return rc;
}
