/*
 * sqlite_gate.c - the in-process turn to write one SQLite file; see sqlite_gate.h.
 */
#include "sqlite_gate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct sqlite_gate {
	struct sqlite_gate *next; /* in the registry */
	dev_t dev;
	ino_t ino;
	int refs; /* handles holding the gate (guarded by registry_lock) */

	pthread_mutex_t lock;
	pthread_cond_t turn; /* broadcast whenever `held` or `small_waiting` drops */
	int held;
	int small_waiting;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sqlite_gate *registry;

static struct sqlite_gate *gate_new(dev_t dev, ino_t ino)
{
	struct sqlite_gate *g = calloc(1, sizeof *g);
	pthread_condattr_t attr;

	if (!g)
		return NULL;
	g->dev = dev;
	g->ino = ino;
	/* A monotonic clock for the timeouts: a clock step must not shorten or stretch a
	 * wait. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->turn, &attr);
	pthread_condattr_destroy(&attr);
	return g;
}

struct sqlite_gate *sqlite_gate_get(const char *path)
{
	struct sqlite_gate *g;
	struct stat st;

	/* Every ":memory:" or "" connection is a database of its own: nothing to share. */
	if (!path || !*path || strcmp(path, ":memory:") == 0 || stat(path, &st) != 0)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	for (g = registry; g; g = g->next)
		if (g->dev == st.st_dev && g->ino == st.st_ino)
			break;
	if (!g && (g = gate_new(st.st_dev, st.st_ino))) {
		g->next = registry;
		registry = g;
	}
	if (g)
		g->refs++;
	pthread_mutex_unlock(&registry_lock);
	return g;
}

void sqlite_gate_put(struct sqlite_gate *g)
{
	struct sqlite_gate **p;

	if (!g)
		return;
	pthread_mutex_lock(&registry_lock);
	if (--g->refs == 0) {
		for (p = &registry; *p != g; p = &(*p)->next)
			;
		*p = g->next;
		pthread_cond_destroy(&g->turn);
		pthread_mutex_destroy(&g->lock);
		free(g);
	}
	pthread_mutex_unlock(&registry_lock);
}

/* Whether a waiter of this turn must go on waiting. */
static int gate_blocked(const struct sqlite_gate *g, enum sqlite_gate_turn turn)
{
	return g->held || (turn == SQLITE_GATE_BATCH && g->small_waiting > 0);
}

int sqlite_gate_enter(struct sqlite_gate *g, enum sqlite_gate_turn turn, int timeout_ms)
{
	struct timespec until;
	int rc = 0;

	if (!g)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&g->lock);
	if (turn == SQLITE_GATE_SMALL)
		g->small_waiting++;
	while (gate_blocked(g, turn) && rc == 0)
		if (timeout_ms <= 0 || pthread_cond_timedwait(&g->turn, &g->lock, &until) == ETIMEDOUT)
			rc = gate_blocked(g, turn) ? -1 : 0;
	if (turn == SQLITE_GATE_SMALL) {
		g->small_waiting--;
		/* A batch waiting behind this small write may go once it is the last one. */
		if (g->small_waiting == 0 && rc < 0)
			pthread_cond_broadcast(&g->turn);
	}
	if (rc == 0)
		g->held = 1;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void sqlite_gate_leave(struct sqlite_gate *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->held = 0;
	pthread_cond_broadcast(&g->turn);
	pthread_mutex_unlock(&g->lock);
}
