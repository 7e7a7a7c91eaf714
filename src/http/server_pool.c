/*
 * server_pool.c - the server's pool of store handles.
 *
 * A SQLite connection must not be used from two threads at once, and one global mutex
 * around every handler would make every search wait behind an ingest.  So the server
 * keeps a pool: a request checks a handle out when its handler first asks for one
 * (http_request_store) and gives it back on completion, and handles are only opened
 * when none is free.  The pool never holds more than db_pool handles; readers run
 * concurrently under SQLite's WAL mode while an ingest writes.
 */
#include "http/server_int.h"

#include <pthread.h>
#include <time.h>

#include "core/err.h"
#include "http/metrics.h"
#include "store/store.h"

/* How long a request waits for a database handle when every pooled one is busy. */
#define SERVER_POOL_WAIT_SECONDS 10

static void server_pool_note_wait(struct http_server *srv, const struct timespec *began,
				  const struct timespec *ended, int timed_out)
{
	metrics_pool_wait(srv->metrics,
			  (double)(ended->tv_sec - began->tv_sec) +
				  (double)(ended->tv_nsec - began->tv_nsec) / 1e9,
			  timed_out);
}

struct store *server_pool_take(struct http_server *srv, struct err *e)
{
	struct store *s = NULL;
	struct timespec deadline, began, ended;
	int may_open = 0, waited = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SERVER_POOL_WAIT_SECONDS;
	pthread_mutex_lock(&srv->pool_lock);
	for (;;) {
		if (srv->npool) {
			s = srv->pool[--srv->npool];
			break;
		}
		if (srv->nopen < srv->pool_cap) {
			/* Count the handle before opening it so that concurrent openers cannot
			 * pass the cap; undone below when the open fails. */
			srv->nopen++;
			may_open = 1;
			break;
		}
		if (!waited) {
			waited = 1;
			clock_gettime(CLOCK_MONOTONIC, &began);
		}
		if (pthread_cond_timedwait(&srv->pool_freed, &srv->pool_lock, &deadline) != 0)
			break;
	}
	if (s)
		srv->store_ok = 1;
	else if (!may_open)
		srv->store_ok = 0;
	pthread_mutex_unlock(&srv->pool_lock);
	if (waited) {
		clock_gettime(CLOCK_MONOTONIC, &ended);
		server_pool_note_wait(srv, &began, &ended, !s && !may_open);
	}
	if (s || !may_open) {
		if (!s)
			err_set(e, "store.unavailable",
				"服务器繁忙：%zu 个数据库连接都在使用中，请稍后重试", srv->pool_cap);
		return s;
	}
	if (store_open_another(srv->seed, &s, e) < 0) {
		store_close(s);
		pthread_mutex_lock(&srv->pool_lock);
		srv->nopen--;
		srv->store_ok = 0;
		pthread_mutex_unlock(&srv->pool_lock);
		return NULL;
	}
	pthread_mutex_lock(&srv->pool_lock);
	srv->store_ok = 1;
	pthread_mutex_unlock(&srv->pool_lock);
	return s;
}

void server_pool_give(struct http_server *srv, struct store *s)
{
	pthread_mutex_lock(&srv->pool_lock);
	/* Cannot overflow: at most pool_cap handles exist, and the array holds pool_cap. */
	srv->pool[srv->npool++] = s;
	pthread_cond_signal(&srv->pool_freed);
	pthread_mutex_unlock(&srv->pool_lock);
}
