/* test_ratelimit.c - token buckets per client address (src/http/ratelimit.c), with the
 * clock injected: every time below is a made-up monotonic millisecond count. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>

#include "http/ratelimit.h"

static struct ratelimit *make(unsigned rate, unsigned burst, size_t slots)
{
	struct ratelimit *rl = NULL;

	cr_assert_eq(ratelimit_create(rate, burst, slots, &rl), 0);
	cr_assert_not_null(rl);
	return rl;
}

/* Takes as many tokens as `client` gets at time now, up to `limit`. */
static unsigned drain(struct ratelimit *rl, const char *client, unsigned long long now,
		      unsigned limit)
{
	unsigned n = 0;

	while (n < limit && ratelimit_take(rl, client, now, NULL))
		n++;
	return n;
}

Test(ratelimit, burst_then_limited)
{
	struct ratelimit *rl = make(60, 5, 16);
	unsigned retry = 99;

	cr_assert_eq(drain(rl, "192.0.2.1", 1000, 100), 5);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 1000, &retry), 0);
	cr_assert_eq(retry, 1);
	/* An allowed take reports no wait. */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.2", 1000, &retry), 1);
	cr_assert_eq(retry, 0);
	ratelimit_free(rl);
}

Test(ratelimit, refill_over_time)
{
	struct ratelimit *rl = make(60, 3, 16); /* one token per second */

	cr_assert_eq(drain(rl, "198.51.100.7", 0, 100), 3);
	cr_assert_eq(ratelimit_take(rl, "198.51.100.7", 999, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "198.51.100.7", 1000, NULL), 1);
	cr_assert_eq(ratelimit_take(rl, "198.51.100.7", 1000, NULL), 0);
	/* 2.5 s later: two whole tokens and half of the next one. */
	cr_assert_eq(drain(rl, "198.51.100.7", 3500, 100), 2);
	cr_assert_eq(ratelimit_take(rl, "198.51.100.7", 3999, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "198.51.100.7", 4000, NULL), 1);
	/* A long pause refills only up to the burst. */
	cr_assert_eq(drain(rl, "198.51.100.7", 4000 + 3600000, 100), 3);
	/* A huge jump in time cannot overflow into an empty or endless bucket. */
	cr_assert_eq(drain(rl, "198.51.100.7", 0xFFFFFFFFFFFFFFF0ULL, 100), 3);
	ratelimit_free(rl);
}

Test(ratelimit, retry_after_counts_whole_seconds)
{
	struct ratelimit *rl = make(1, 1, 4); /* one per minute */
	unsigned retry = 0;

	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 0, &retry), 1);
	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 0, &retry), 0);
	cr_assert_eq(retry, 60);
	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 30000, &retry), 0);
	cr_assert_eq(retry, 30);
	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 59001, &retry), 0);
	cr_assert_eq(retry, 1, "a partial second rounds up, never to 0");
	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 59999, &retry), 0);
	cr_assert_eq(retry, 1);
	cr_assert_eq(ratelimit_take(rl, "203.0.113.9", 60000, &retry), 1);
	ratelimit_free(rl);
}

Test(ratelimit, clock_going_back_stands_still)
{
	struct ratelimit *rl = make(60, 1, 4);

	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 10000, NULL), 1);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 5000, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 10999, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 11000, NULL), 1);
	ratelimit_free(rl);
}

Test(ratelimit, addresses_are_independent)
{
	struct ratelimit *rl = make(10, 2, 16);

	cr_assert_eq(drain(rl, "192.0.2.1", 0, 100), 2);
	cr_assert_eq(drain(rl, "192.0.2.2", 0, 100), 2);
	cr_assert_eq(drain(rl, "2001:db8::1", 0, 100), 2);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 0, NULL), 0);
	cr_assert_eq(ratelimit_tracked(rl), 3);
	ratelimit_free(rl);
}

Test(ratelimit, disabled_always_allows)
{
	struct ratelimit *rl = make(0, 0, 0);
	unsigned retry = 7;

	cr_assert_eq(drain(rl, "192.0.2.1", 0, 10000), 10000);
	cr_assert_eq(ratelimit_take(rl, NULL, 0, &retry), 1);
	cr_assert_eq(retry, 0);
	cr_assert_eq(ratelimit_tracked(rl), 0);
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

Test(ratelimit, bad_arguments)
{
	struct ratelimit *rl = (struct ratelimit *)&rl;

	cr_assert_eq(ratelimit_create(60, 10, 0, &rl), -1);
	cr_assert_null(rl);
	/* A burst of 0 is one token. */
	rl = make(60, 0, 4);
	cr_assert_eq(drain(rl, "192.0.2.1", 0, 100), 1);
	ratelimit_free(rl);
}

Test(ratelimit, ipv6_limited_per_64)
{
	struct ratelimit *rl = make(60, 2, 16);

	cr_assert_eq(drain(rl, "2001:db8:1:2::1", 0, 100), 2);
	/* Another interface identifier in the same /64, written in every way. */
	cr_assert_eq(ratelimit_take(rl, "2001:db8:1:2:ffff:ffff:ffff:fffe", 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "2001:DB8:1:2:0:0:0:9", 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "[2001:db8:1:2::7]", 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "2001:db8:1:2::8%eth0", 0, NULL), 0);
	/* The neighbouring /64s are other buckets. */
	cr_assert_eq(drain(rl, "2001:db8:1:3::1", 0, 100), 2);
	cr_assert_eq(drain(rl, "2001:db8:1:1::1", 0, 100), 2);
	cr_assert_eq(ratelimit_tracked(rl), 3);
	ratelimit_free(rl);
}

Test(ratelimit, ipv4_mapped_is_ipv4)
{
	struct ratelimit *rl = make(60, 2, 16);

	cr_assert_eq(drain(rl, "::ffff:192.0.2.44", 0, 100), 2);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.44", 0, NULL), 0);
	/* IPv4 addresses are not grouped: the neighbour has its own bucket, although
	 * mapped addresses share their first 64 bits. */
	cr_assert_eq(drain(rl, "::ffff:192.0.2.45", 0, 100), 2);
	cr_assert_eq(drain(rl, "192.0.2.46", 0, 100), 2);
	ratelimit_free(rl);
}

Test(ratelimit, non_addresses_share_one_bucket)
{
	struct ratelimit *rl = make(60, 2, 16);

	cr_assert_eq(drain(rl, "unknown", 0, 100), 2);
	cr_assert_eq(ratelimit_take(rl, NULL, 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "", 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1:8080", 0, NULL), 0);
	cr_assert_eq(ratelimit_take(rl, "2001:db8::1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:0:1:2:3:4:5:6", 0,
				    NULL),
		     0);
	cr_assert_eq(ratelimit_tracked(rl), 1);
	ratelimit_free(rl);
}

Test(ratelimit, full_table_forgets_the_stalest)
{
	struct ratelimit *rl = make(1, 1, 2); /* one per minute: nothing refills below */

	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 0, NULL), 1);  /* A */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.2", 1, NULL), 1);  /* B */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 2, NULL), 0);  /* A used again: B stalest */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.3", 3, NULL), 1);  /* C replaces B */
	cr_assert_eq(ratelimit_tracked(rl), 2);
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 4, NULL), 0);  /* A is still tracked */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.3", 5, NULL), 0);  /* so is C; now A stalest */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.2", 6, NULL), 1);  /* B is new again, A goes */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.3", 7, NULL), 0);  /* C stays */
	cr_assert_eq(ratelimit_take(rl, "192.0.2.1", 8, NULL), 1);  /* A forgotten: full */
	cr_assert_eq(ratelimit_tracked(rl), 2);
	ratelimit_free(rl);
}

Test(ratelimit, many_addresses_never_grow)
{
	struct ratelimit *rl = make(60, 3, 64);
	char addr[64];
	unsigned i;

	for (i = 0; i < 5000; i++) {
		snprintf(addr, sizeof addr, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		cr_assert_eq(ratelimit_take(rl, addr, i, NULL), 1);
		cr_assert_leq(ratelimit_tracked(rl), 64);
	}
	cr_assert_eq(ratelimit_tracked(rl), 64);
	/* The 64 most recent are the ones remembered, with one token taken each. */
	cr_assert_eq(drain(rl, "10.0.19.135", 5000, 100), 2); /* i = 4999 */
	cr_assert_eq(drain(rl, "10.0.19.72", 5000, 100), 2);  /* i = 4936, the oldest kept */
	ratelimit_free(rl);
}

/* ---- threads ------------------------------------------------------------------------ */

#define HAMMER_THREADS 8
#define HAMMER_TRIES 2000

struct hammer {
	struct ratelimit *rl;
	unsigned id;
	unsigned allowed; /* written by the thread only */
};

/* Every thread pounds one shared address and a few of its own at a fixed time, so the
 * totals are exact: each address yields its burst and not one token more. */
static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	char own[64];
	unsigned i;

	for (i = 0; i < HAMMER_TRIES; i++) {
		h->allowed += (unsigned)ratelimit_take(h->rl, "2001:db8:aa:bb::1", 1000, NULL);
		snprintf(own, sizeof own, "192.0.%u.%u", h->id, i % 4);
		h->allowed += (unsigned)ratelimit_take(h->rl, own, 1000, NULL);
	}
	return NULL;
}

Test(ratelimit, threads_take_exactly_the_burst)
{
	struct ratelimit *rl = make(60, 25, 1 + HAMMER_THREADS * 4);
	struct hammer h[HAMMER_THREADS];
	pthread_t t[HAMMER_THREADS];
	unsigned i, total = 0;

	for (i = 0; i < HAMMER_THREADS; i++) {
		h[i].rl = rl;
		h[i].id = i;
		h[i].allowed = 0;
		cr_assert_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		pthread_join(t[i], NULL);
		total += h[i].allowed;
	}
	cr_assert_eq(total, 25 + HAMMER_THREADS * 4 * 25, "allowed %u", total);
	cr_assert_eq(ratelimit_tracked(rl), 1 + HAMMER_THREADS * 4);
	ratelimit_free(rl);
}

/* With far fewer slots than addresses, eviction runs under contention; the table must
 * stay consistent (the sanitizers watch) and bounded. */
static void *churn_run(void *arg)
{
	struct hammer *h = arg;
	char addr[64];
	unsigned i;

	for (i = 0; i < HAMMER_TRIES * 2; i++) {
		snprintf(addr, sizeof addr, "2001:db8:%x:%x::1", h->id, i % 97);
		h->allowed += (unsigned)ratelimit_take(h->rl, addr, i, NULL);
	}
	return NULL;
}

Test(ratelimit, threads_churn_a_small_table)
{
	struct ratelimit *rl = make(60, 2, 16);
	struct hammer h[HAMMER_THREADS];
	pthread_t t[HAMMER_THREADS];
	unsigned i, total = 0;

	for (i = 0; i < HAMMER_THREADS; i++) {
		h[i].rl = rl;
		h[i].id = i;
		h[i].allowed = 0;
		cr_assert_eq(pthread_create(&t[i], NULL, churn_run, &h[i]), 0);
	}
	for (i = 0; i < HAMMER_THREADS; i++) {
		pthread_join(t[i], NULL);
		total += h[i].allowed;
	}
	cr_assert_gt(total, 0);
	cr_assert_leq(total, HAMMER_THREADS * HAMMER_TRIES * 2);
	cr_assert_eq(ratelimit_tracked(rl), 16);
	ratelimit_free(rl);
}
