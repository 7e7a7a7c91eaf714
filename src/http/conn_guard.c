/*
 * conn_guard.c - connection deadlines and eviction (conn_guard.h).
 *
 * A fixed array of slots, scanned linearly: with the default 1024 connections a scan is
 * a few microseconds, done once per new connection and once per tick of the checker,
 * which is cheaper than keeping ordered lists in step from the daemon's threads.
 */
#include "http/conn_guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

enum guard_phase { GUARD_FREE, GUARD_HEAD, GUARD_BUSY, GUARD_IDLE };

struct guard_slot {
	enum guard_phase phase;
	int fd;
	uint32_t gen;   /* bumped whenever the slot is given up: old tickets no longer match */
	uint64_t since; /* ms, when the phase began */
};

/* A ticket is (generation << GUARD_INDEX_BITS | index) + 1, never NULL. */
#define GUARD_INDEX_BITS 24

struct conn_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* stopping */
	pthread_t checker;
	int stopping;
	struct guard_slot *slots;
	size_t limit;
	size_t open;
	unsigned head_ms, idle_ms;
	struct conn_guard_stats stats;
};

static uint64_t guard_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Gives a slot up (lock held). */
static void guard_release(struct conn_guard *g, struct guard_slot *s)
{
	s->phase = GUARD_FREE;
	s->fd = -1;
	s->gen++;
	g->open--;
}

/* Closes a connection (lock held).  The daemon still owns it until it reports it closed,
 * which the bumped generation makes a no-op. */
static void guard_drop(struct conn_guard *g, struct guard_slot *s)
{
	shutdown(s->fd, SHUT_RDWR);
	guard_release(g, s);
}

/* The slot a ticket names, if the ticket is still current (lock held). */
static struct guard_slot *guard_find(struct conn_guard *g, void *ticket)
{
	uintptr_t t = (uintptr_t)ticket;
	size_t index;
	struct guard_slot *s;

	if (!t)
		return NULL;
	t--;
	index = (size_t)(t & ((1u << GUARD_INDEX_BITS) - 1));
	if (index >= g->limit)
		return NULL;
	s = &g->slots[index];
	return s->phase != GUARD_FREE && s->gen == (uint32_t)(t >> GUARD_INDEX_BITS) ? s : NULL;
}

/* How often deadlines are checked: a quarter of the shorter one, 50 ms to 1 s, so that
 * a connection overstays by at most a quarter. */
static unsigned guard_tick_ms(const struct conn_guard *g)
{
	unsigned t = (g->head_ms < g->idle_ms ? g->head_ms : g->idle_ms) / 4;

	return t < 50 ? 50 : t > 1000 ? 1000 : t;
}

static void *guard_check(void *arg)
{
	struct conn_guard *g = arg;
	unsigned tick = guard_tick_ms(g);

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec until;
		unsigned long long head = 0, idle = 0;
		uint64_t now = guard_now_ms();
		size_t i;

		for (i = 0; i < g->limit; i++) {
			struct guard_slot *s = &g->slots[i];

			if (s->phase == GUARD_HEAD && now - s->since >= g->head_ms) {
				guard_drop(g, s);
				head++;
			} else if (s->phase == GUARD_IDLE && now - s->since >= g->idle_ms) {
				guard_drop(g, s);
				idle++;
			}
		}
		g->stats.head_timeouts += head;
		g->stats.idle_timeouts += idle;
		if (head)
			fprintf(stderr, "event=conn_drop reason=head_timeout count=%llu\n", head);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)tick * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int conn_guard_create(size_t limit, unsigned head_ms, unsigned idle_ms,
		      struct conn_guard **out)
{
	struct conn_guard *g = calloc(1, sizeof *g);
	size_t i;
	int rc;

	*out = NULL;
	if (limit == 0 || limit >= (1u << GUARD_INDEX_BITS)) {
		free(g);
		errno = EINVAL;
		return -1;
	}
	if (!g || !(g->slots = calloc(limit, sizeof *g->slots))) {
		free(g);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < limit; i++)
		g->slots[i].fd = -1;
	g->limit = limit;
	g->head_ms = head_ms;
	g->idle_ms = idle_ms;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	rc = pthread_create(&g->checker, NULL, guard_check, g);
	if (rc != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g->slots);
		free(g);
		errno = rc;
		return -1;
	}
	*out = g;
	return 0;
}

void conn_guard_free(struct conn_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->checker, NULL);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}

/* The connection that has waited longest for a head (or idly for its next request),
 * or NULL (lock held). */
static struct guard_slot *guard_oldest_waiting(struct conn_guard *g)
{
	struct guard_slot *oldest = NULL;
	size_t i;

	for (i = 0; i < g->limit; i++) {
		struct guard_slot *s = &g->slots[i];

		if ((s->phase == GUARD_HEAD || s->phase == GUARD_IDLE) &&
		    (!oldest || s->since < oldest->since))
			oldest = s;
	}
	return oldest;
}

void *conn_guard_open(struct conn_guard *g, int fd)
{
	struct guard_slot *slot = NULL, *victim;
	uintptr_t ticket = 0;
	int evicted = 0;
	size_t i;

	pthread_mutex_lock(&g->lock);
	if (g->open >= g->limit) {
		victim = guard_oldest_waiting(g);
		if (victim) {
			guard_drop(g, victim);
			g->stats.evicted++;
			evicted = 1;
		}
	}
	if (g->open < g->limit)
		for (i = 0; i < g->limit && !slot; i++)
			if (g->slots[i].phase == GUARD_FREE)
				slot = &g->slots[i];
	if (slot) {
		slot->phase = GUARD_HEAD;
		slot->fd = fd;
		slot->since = guard_now_ms();
		g->open++;
		ticket = (((uintptr_t)slot->gen << GUARD_INDEX_BITS) | (uintptr_t)(slot - g->slots)) + 1;
	} else {
		shutdown(fd, SHUT_RDWR);
		g->stats.refused++;
	}
	pthread_mutex_unlock(&g->lock);
	if (evicted)
		fprintf(stderr, "event=conn_drop reason=table_full count=1\n");
	else if (!slot)
		fprintf(stderr, "event=conn_refused reason=table_full\n");
	return (void *)ticket;
}

/* Moves a connection to `phase` (from any phase when `from` is GUARD_FREE). */
static void guard_move(struct conn_guard *g, void *ticket, enum guard_phase from,
		       enum guard_phase phase)
{
	struct guard_slot *s;

	pthread_mutex_lock(&g->lock);
	s = guard_find(g, ticket);
	if (s && (from == GUARD_FREE || s->phase == from)) {
		s->phase = phase;
		s->since = guard_now_ms();
	}
	pthread_mutex_unlock(&g->lock);
}

void conn_guard_busy(struct conn_guard *g, void *ticket)
{
	guard_move(g, ticket, GUARD_FREE, GUARD_BUSY);
}

/* Only an idle connection starts a new head phase here: the first request's head is
 * timed from the accept, so that a client trickling its request line gains nothing. */
void conn_guard_line(struct conn_guard *g, void *ticket)
{
	guard_move(g, ticket, GUARD_IDLE, GUARD_HEAD);
}

void conn_guard_idle(struct conn_guard *g, void *ticket)
{
	guard_move(g, ticket, GUARD_FREE, GUARD_IDLE);
}

void conn_guard_close(struct conn_guard *g, void *ticket)
{
	struct guard_slot *s;

	if (!ticket)
		return;
	pthread_mutex_lock(&g->lock);
	s = guard_find(g, ticket);
	if (s)
		guard_release(g, s);
	pthread_mutex_unlock(&g->lock);
}

void conn_guard_get_stats(struct conn_guard *g, struct conn_guard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	out->open = g->open;
	pthread_mutex_unlock(&g->lock);
}
