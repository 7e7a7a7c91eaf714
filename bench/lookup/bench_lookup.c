/*
 * bench_lookup.c - subject lookup and name search latency through store.h, against a
 * baseline measured in the same run on the same handle.  See bench/README.md.
 *
 *   xinyong-bench-lookup --db URL [--queries N] [--search-queries M] [--seed S]
 *                        [--sample-key TEXT]
 *   xinyong-bench-lookup --db URL --counts
 *
 * Sampling.  store.h has no way to list or sample subjects, so the subjects are
 * enumerated with store_subject_search: every public subject whose name contains
 * --sample-key (default "有限", which every company name of the demo data holds), in
 * the store's ranking order, which is a total order (rank, name length, code) and so the
 * same for the same data on any backend.  A reservoir sample of them is drawn with a
 * generator seeded by --seed, then shuffled: the same seed on the same data gives the
 * same subjects and the same search keys.
 *
 * Operations, each timed alone with CLOCK_MONOTONIC:
 *   baseline  store_subject_get of a code that is not there (a sampled code with another
 *             check character, which no stored code can have): one prepared statement,
 *             one probe of the subjects' code index, no row.  The floor of any query
 *             through this handle; run interleaved with the lookups.
 *   lookup    what GET /api/v1/subjects/{code} asks of the store: store_subject_get, then
 *             store_records_of_subject (records are touched, not parsed).
 *   search_2, search_3_4, search_6_plus
 *             what GET /api/v1/subjects?q=KEY does: store_subject_search with the search
 *             key of KEY, its normalized form as the code, limit 20, persons left out.
 *             KEY is a substring of a sampled subject's name of 2, 3-4 or 6-8 characters
 *             at a random place in the name (drawn again when it holds punctuation, as
 *             the brackets of "(集团)"); the three kinds are interleaved.
 * Before each group, 1% of its queries (at least one) are run untimed on other subjects.
 *
 * Prints one JSON object: per operation count, p50, p90, p99, max, mean (microseconds,
 * nearest-rank percentiles), the database's counts and the URL scheme of the backend.
 */
#include "core/code.h"
#include "core/err.h"
#include "core/rng.h"
#include "core/text.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEARCH_LIMIT 20 /* the API's default limit (SUBJECTS_SEARCH_DEFAULT_LIMIT) */

static const char usage[] =
	"usage: xinyong-bench-lookup --db URL [--queries N] [--search-queries M] [--seed S]\n"
	"                            [--sample-key TEXT]\n"
	"       xinyong-bench-lookup --db URL --counts\n";

static uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "xinyong-bench-lookup: %s: %s%s%s\n", what, e ? e->message : "",
		e && e->reason[0] ? " " : "", e ? e->reason : "");
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory", NULL);
	return p;
}

/* ---- sampling ----------------------------------------------------------------------- */

struct subject_ref {
	char code[CODE_MAX];
	char *name;
};

struct sampler {
	struct subject_ref *v;
	size_t want, have;
	long long seen;
	uint64_t rng;
};

/* A first page of key (and code), without filters. */
static int bench_search(struct store *s, const char *key, const char *code, int limit,
			int (*cb)(void *ctx, const struct store_search_hit *hit), void *ctx,
			struct err *e)
{
	struct store_search q;

	store_search_init(&q, key, code, limit, 0);
	return store_subject_search(s, &q, cb, ctx, e);
}

/* Reservoir sampling (Algorithm R) over the enumeration. */
static int sample_hit(void *ctx, const struct store_search_hit *hit)
{
	struct sampler *sm = ctx;
	size_t slot;

	sm->seen++;
	if (sm->have < sm->want) {
		slot = sm->have++;
	} else {
		uint64_t j = rng_below(&sm->rng, (uint64_t)sm->seen);

		if (j >= sm->want)
			return 0;
		slot = (size_t)j;
		free(sm->v[slot].name);
	}
	snprintf(sm->v[slot].code, sizeof sm->v[slot].code, "%s", hit->code);
	sm->v[slot].name = strdup(hit->name);
	if (!sm->v[slot].name)
		die("out of memory", NULL);
	return 0;
}

/* ---- timing ------------------------------------------------------------------------- */

struct op {
	const char *name;
	const char *what;
	double *us;
	size_t n;
	double items; /* records (lookup) or hits (search) returned, summed */
	double found; /* lookups that found their subject; baseline probes that found one */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p% of the samples at or below it. */
static double percentile(const double *sorted, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return sorted[rank > n ? n - 1 : rank - 1];
}

static json_t *round1(double v)
{
	return json_real(round(v * 10) / 10);
}

static json_t *round2(double v)
{
	return json_real(round(v * 100) / 100);
}

static json_t *op_json(struct op *o)
{
	double sum = 0;
	size_t i;
	json_t *j;

	qsort(o->us, o->n, sizeof *o->us, cmp_double);
	for (i = 0; i < o->n; i++)
		sum += o->us[i];
	j = json_pack("{s:s, s:I}", "what", o->what, "count", (json_int_t)o->n);
	json_object_set_new(j, "p50_us", round1(percentile(o->us, o->n, 50)));
	json_object_set_new(j, "p90_us", round1(percentile(o->us, o->n, 90)));
	json_object_set_new(j, "p99_us", round1(percentile(o->us, o->n, 99)));
	json_object_set_new(j, "max_us", round1(o->n ? o->us[o->n - 1] : 0));
	json_object_set_new(j, "mean_us", round1(o->n ? sum / (double)o->n : 0));
	return j;
}

/* ---- the operations ----------------------------------------------------------------- */

struct touch {
	size_t items, bytes;
};

static int touch_record(void *ctx, const struct store_record *rec)
{
	struct touch *t = ctx;

	t->items++;
	t->bytes += strlen(rec->data) + strlen(rec->business_key);
	return 0;
}

static int touch_hit(void *ctx, const struct store_search_hit *hit)
{
	struct touch *t = ctx;

	t->items++;
	t->bytes += strlen(hit->name) + strlen(hit->code);
	return 0;
}

/* Returns 1 when the subject was found, 0 when not; *records gets the records read. */
static int do_lookup(struct store *s, const char *code, size_t *records)
{
	struct store_subject subj;
	struct touch t = { 0, 0 };
	struct err e;
	int found;

	err_clear(&e);
	memset(&subj, 0, sizeof subj);
	found = store_subject_get(s, code, &subj, &e);
	if (found < 0)
		die("store_subject_get", &e);
	if (found && store_records_of_subject(s, subj.code, touch_record, &t, &e) < 0)
		die("store_records_of_subject", &e);
	store_subject_clear(&subj);
	*records = t.items;
	return found;
}

static int do_probe(struct store *s, const char *code)
{
	struct store_subject subj;
	struct err e;
	int found;

	err_clear(&e);
	memset(&subj, 0, sizeof subj);
	found = store_subject_get(s, code, &subj, &e);
	if (found < 0)
		die("store_subject_get", &e);
	store_subject_clear(&subj);
	return found;
}

struct search_query {
	char *text; /* as typed */
	char *key;  /* text_search_key(text) */
	char code[CODE_MAX];
};

static size_t do_search(struct store *s, const struct search_query *q)
{
	struct touch t = { 0, 0 };
	struct err e;

	err_clear(&e);
	if (bench_search(s, q->key, q->code, SEARCH_LIMIT, touch_hit, &t, &e) < 0)
		die("store_subject_search", &e);
	return t.items;
}

/* A code no subject can have: the same code with another last (check) character. */
static void absent_code(const char *code, char out[CODE_MAX])
{
	size_t n;

	snprintf(out, CODE_MAX, "%s", code);
	n = strlen(out);
	if (n)
		out[n - 1] = out[n - 1] == '0' ? '1' : '0';
}

/* Byte offsets of the code points of s; returns their number (offs has n + 1 entries,
 * the last one the length). */
static size_t utf8_offsets(const char *s, size_t **offs)
{
	size_t len = strlen(s), n = 0, i;

	*offs = xmalloc((len + 1) * sizeof **offs);
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			(*offs)[n++] = i;
	(*offs)[n] = len;
	return n;
}

/* Whether a key holds punctuation ("(集团)" in a name): people search with the words of
 * a name, so such keys are drawn again. */
static int has_punctuation(const char *key)
{
	static const char *const cjk[] = { "（", "）", "【", "】", "〔", "〕", "·", "、", "，", "。" };
	const unsigned char *p;
	size_t i;

	for (p = (const unsigned char *)key; *p; p++)
		if (*p < 0x80 && !((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
			return 1;
	for (i = 0; i < sizeof cjk / sizeof *cjk; i++)
		if (strstr(key, cjk[i]))
			return 1;
	return 0;
}

/* A substring of some sampled name of min..max characters, without punctuation (shorter
 * names are passed over).  Returns 0, or -1 when no sampled name is long enough. */
static int make_query(const struct subject_ref *v, size_t nv, int min, int max, uint64_t *rng,
		      struct search_query *q)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		const char *name = v[rng_below(rng, nv)].name;
		size_t *offs, chars = utf8_offsets(name, &offs), want, start;

		want = (size_t)min + rng_below(rng, (uint64_t)(max - min + 1));
		if (chars < (size_t)min) {
			free(offs);
			continue;
		}
		if (want > chars)
			want = chars;
		start = rng_below(rng, chars - want + 1);
		q->text = strndup(name + offs[start], offs[start + want] - offs[start]);
		free(offs);
		if (!q->text)
			die("out of memory", NULL);
		if (has_punctuation(q->text)) {
			free(q->text);
			continue;
		}
		q->key = text_search_key(q->text);
		if (!q->key)
			die("a sampled name is not valid UTF-8", NULL);
		code_normalize(q->text, q->code, sizeof q->code);
		return 0;
	}
	return -1;
}

static const char *scheme_of(const char *url)
{
	if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0)
		return "postgresql";
	return "sqlite";
}

/* ---- main --------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "queries", required_argument, NULL, 'n' },
					      { "search-queries", required_argument, NULL, 'm' },
					      { "seed", required_argument, NULL, 's' },
					      { "sample-key", required_argument, NULL, 'k' },
					      { "counts", no_argument, NULL, 'c' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	static const struct {
		const char *name, *what;
		int min, max;
	} kinds[] = {
		{ "search_2", "store_subject_search, key of 2 characters from a real name, limit 20", 2, 2 },
		{ "search_3_4", "store_subject_search, key of 3-4 characters from a real name, limit 20", 3, 4 },
		{ "search_6_plus", "store_subject_search, key of 6-8 characters from a real name, limit 20", 6, 8 },
	};
	enum { NKINDS = sizeof kinds / sizeof *kinds };
	const char *db = NULL, *sample_text = "有限";
	long queries = 1000, search_queries = -1;
	unsigned long long seed = 1;
	int counts_only = 0, c, k;
	struct store *s;
	struct store_counts counts;
	struct sampler sm;
	struct search_query *sq[NKINDS];
	struct op lookup, base, search[NKINDS];
	size_t warm, wsearch, nsample, i, records;
	char *sample_key, probe[CODE_MAX];
	double t0, t, counts_s, sample_s;
	json_t *out, *ops;
	struct err e;

	while ((c = getopt_long(argc, argv, "d:n:m:s:k:ch", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': queries = atol(optarg); break;
		case 'm': search_queries = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'k': sample_text = optarg; break;
		case 'c': counts_only = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!db || optind != argc || queries < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (search_queries < 0)
		search_queries = queries;

	err_clear(&e);
	if (store_open(db, &s, &e) < 0)
		die("store_open", &e);
	t0 = now_us();
	if (store_counts(s, &counts, &e) < 0)
		die("store_counts", &e);
	counts_s = (now_us() - t0) / 1e6;
	out = json_pack("{s:s, s:s, s:s}", "benchmark", "lookup", "backend", scheme_of(db),
			"location", store_location(s));
	json_object_set_new(out, "counts",
			    json_pack("{s:I, s:I, s:I, s:I}", "subjects", (json_int_t)counts.subjects,
				      "records", (json_int_t)counts.records, "batches",
				      (json_int_t)counts.batches, "categories",
				      (json_int_t)counts.categories));
	json_object_set_new(out, "counts_seconds", round2(counts_s));
	if (counts_only) {
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		putchar('\n');
		json_decref(out);
		store_close(s);
		return 0;
	}

	/* Sample: the lookups, their warm-up, and names for the search keys. */
	warm = (size_t)(queries / 100 > 0 ? queries / 100 : 1);
	wsearch = (size_t)(search_queries / 100 > 0 ? search_queries / 100 : 1);
	nsample = (size_t)queries + warm;
	memset(&sm, 0, sizeof sm);
	sm.want = nsample;
	sm.v = xmalloc(nsample * sizeof *sm.v);
	sm.rng = seed * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
	sample_key = text_search_key(sample_text);
	if (!sample_key || text_utf8_length(sample_key) < 2) {
		fprintf(stderr, "xinyong-bench-lookup: --sample-key needs 2 characters or more\n");
		return 2;
	}
	t0 = now_us();
	if (bench_search(s, sample_key, NULL, INT_MAX, sample_hit, &sm, &e) < 0)
		die("store_subject_search (sampling)", &e);
	sample_s = (now_us() - t0) / 1e6;
	if (sm.have == 0) {
		fprintf(stderr,
			"xinyong-bench-lookup: no public subject's name contains \"%s\"; "
			"name a common part of the names with --sample-key\n",
			sample_text);
		return 1;
	}
	/* Fisher-Yates, so that the order owes nothing to the ranking. */
	for (i = sm.have; i > 1; i--) {
		size_t j = (size_t)rng_below(&sm.rng, i);
		struct subject_ref tmp = sm.v[i - 1];

		sm.v[i - 1] = sm.v[j];
		sm.v[j] = tmp;
	}
	json_object_set_new(out, "sample",
			    json_pack("{s:s, s:I, s:I, s:o, s:s}", "key", sample_text,
				      "population", (json_int_t)sm.seen, "drawn",
				      (json_int_t)sm.have, "seconds", round2(sample_s), "how",
				      "reservoir sample of the public subjects whose name "
				      "contains the key, enumerated by store_subject_search"));

	/* Search queries, prepared before any timing. */
	for (k = 0; k < NKINDS; k++) {
		size_t nq = (size_t)search_queries + wsearch;

		sq[k] = xmalloc(nq * sizeof *sq[k]);
		for (i = 0; i < nq; i++)
			if (make_query(sm.v, sm.have, kinds[k].min, kinds[k].max, &sm.rng,
				       &sq[k][i]) < 0)
				die("no sampled name is long enough for the search keys", NULL);
	}

	/* Lookups, with the baseline interleaved: the sampled subject i (wrapping round
	 * when the population was smaller than the sample). */
	memset(&lookup, 0, sizeof lookup);
	memset(&base, 0, sizeof base);
	lookup.name = "lookup";
	lookup.what = "store_subject_get + store_records_of_subject of an existing subject "
		      "(GET /api/v1/subjects/{code})";
	base.name = "baseline";
	base.what = "store_subject_get of an absent code: one prepared point query on the "
		    "subjects' code index, no row";
	lookup.us = xmalloc((size_t)queries * sizeof *lookup.us);
	base.us = xmalloc((size_t)queries * sizeof *base.us);
	for (i = 0; i < warm; i++) {
		const char *code = sm.v[((size_t)queries + i) % sm.have].code;

		absent_code(code, probe);
		do_probe(s, probe);
		do_lookup(s, code, &records);
	}
	for (i = 0; i < (size_t)queries; i++) {
		const char *code = sm.v[i % sm.have].code;
		int found;

		absent_code(code, probe);
		t = now_us();
		found = do_probe(s, probe);
		base.us[base.n++] = now_us() - t;
		base.found += found;

		t = now_us();
		found = do_lookup(s, code, &records);
		lookup.us[lookup.n++] = now_us() - t;
		lookup.found += found;
		lookup.items += (double)records;
	}

	/* Searches: the three kinds interleaved. */
	for (k = 0; k < NKINDS; k++) {
		memset(&search[k], 0, sizeof search[k]);
		search[k].name = kinds[k].name;
		search[k].what = kinds[k].what;
		search[k].us = xmalloc((size_t)search_queries * sizeof *search[k].us);
	}
	for (i = 0; i < wsearch; i++)
		for (k = 0; k < NKINDS; k++)
			do_search(s, &sq[k][(size_t)search_queries + i]);
	for (i = 0; i < (size_t)search_queries; i++)
		for (k = 0; k < NKINDS; k++) {
			size_t hits;

			t = now_us();
			hits = do_search(s, &sq[k][i]);
			search[k].us[search[k].n++] = now_us() - t;
			search[k].items += (double)hits;
		}

	ops = json_object();
	json_object_set_new(ops, "baseline", op_json(&base));
	json_object_set_new(json_object_get(ops, "baseline"), "found", json_integer((json_int_t)base.found));
	json_object_set_new(ops, "lookup", op_json(&lookup));
	json_object_set_new(json_object_get(ops, "lookup"), "found",
			    json_integer((json_int_t)lookup.found));
	json_object_set_new(json_object_get(ops, "lookup"), "mean_records",
			    round1(lookup.n ? lookup.items / (double)lookup.n : 0));
	for (k = 0; k < NKINDS; k++) {
		json_t *j = op_json(&search[k]);

		json_object_set_new(j, "mean_hits",
				    round1(search[k].n ? search[k].items / (double)search[k].n : 0));
		json_object_set_new(j, "example_keys", json_array());
		for (i = 0; i < 3 && i < search[k].n; i++)
			json_array_append_new(json_object_get(j, "example_keys"),
					      json_string(sq[k][i].text));
		json_object_set_new(ops, kinds[k].name, j);
	}
	json_object_set_new(out, "queries", json_integer(queries));
	json_object_set_new(out, "search_queries", json_integer(search_queries));
	json_object_set_new(out, "warmup", json_pack("{s:I, s:I}", "lookup", (json_int_t)warm,
						     "search", (json_int_t)wsearch));
	json_object_set_new(out, "seed", json_integer((json_int_t)seed));
	json_object_set_new(out, "operations", ops);
	{
		double bp = json_real_value(json_object_get(json_object_get(ops, "baseline"), "p50_us"));
		double lp = json_real_value(json_object_get(json_object_get(ops, "lookup"), "p50_us"));

		json_object_set_new(out, "lookup_p50_over_baseline_p50",
				    bp > 0 ? round2(lp / bp) : json_null());
	}
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	putchar('\n');

	json_decref(out);
	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < (size_t)search_queries + wsearch; i++) {
			free(sq[k][i].text);
			free(sq[k][i].key);
		}
		free(sq[k]);
		free(search[k].us);
	}
	for (i = 0; i < sm.have; i++)
		free(sm.v[i].name);
	free(sm.v);
	free(sample_key);
	free(lookup.us);
	free(base.us);
	store_close(s);
	return 0;
}
