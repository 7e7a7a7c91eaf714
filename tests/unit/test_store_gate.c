/* test_store_gate.c - the order in which a process's writers get one SQLite file
 * (src/store/sqlite_gate.c): a small write that arrives while a batch is being written
 * goes before the batches that were already waiting, so that a login waits for one
 * transaction, not for a queue of uploads. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "store/store.h"

static char dir[64];
static char path[128];

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/xy-test-gate-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/xinyong.db", dir);
	unsetenv("XINYONG_DB");
}

static void teardown(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(gate, .init = setup, .fini = teardown);

/* One writer in its own thread: begins (a batch or a small write), notes its place in
 * the order of those that got the lock, and commits at once. */
struct writer {
	struct store *st;
	int batch;
	int started; /* set just before it asks for the lock */
	int rc;
	int place;
	struct err e;
};

static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
static int order_next;

static void *writer_run(void *arg)
{
	struct writer *w = arg;

	__atomic_store_n(&w->started, 1, __ATOMIC_SEQ_CST);
	w->rc = w->batch ? store_begin_batch(w->st, &w->e) : store_begin(w->st, &w->e);
	pthread_mutex_lock(&order_lock);
	w->place = ++order_next;
	pthread_mutex_unlock(&order_lock);
	if (w->rc == 0)
		w->rc = store_commit(w->st, &w->e);
	return NULL;
}

static void writer_start(struct writer *w, pthread_t *t)
{
	cr_assert_eq(pthread_create(t, NULL, writer_run, w), 0);
	while (!__atomic_load_n(&w->started, __ATOMIC_SEQ_CST))
		usleep(1000);
	/* Long enough for the thread to be waiting inside store_begin. */
	usleep(300 * 1000);
}

Test(gate, small_write_goes_before_waiting_batches)
{
	struct store *holder = NULL;
	struct writer batch = { .batch = 1 }, small = { .batch = 0 };
	pthread_t tb, ts;
	char other_name[160];
	struct err e;

	err_clear(&e);
	cr_assert_eq(store_open(path, &holder, &e), 0, "%s", e.message);
	/* The same file under another name still shares the one gate. */
	snprintf(other_name, sizeof other_name, "%s/../%s/xinyong.db", dir, strrchr(dir, '/') + 1);
	cr_assert_eq(store_open(other_name, &batch.st, &e), 0, "%s", e.message);
	cr_assert_eq(store_open(path, &small.st, &e), 0, "%s", e.message);
	order_next = 0;

	cr_assert_eq(store_begin_batch(holder, &e), 0, "%s", e.message);
	writer_start(&batch, &tb); /* waits behind the holder's batch */
	writer_start(&small, &ts); /* arrives later */
	cr_assert_eq(order_next, 0, "nobody may write while the holder's batch is open");
	cr_assert_eq(store_commit(holder, &e), 0, "%s", e.message);
	pthread_join(ts, NULL);
	pthread_join(tb, NULL);

	cr_assert_eq(small.rc, 0, "%s: %s", small.e.reason, small.e.message);
	cr_assert_eq(batch.rc, 0, "%s: %s", batch.e.reason, batch.e.message);
	cr_assert_eq(small.place, 1, "the small write got the lock after the waiting batch");
	cr_assert_eq(batch.place, 2);
	store_close(small.st);
	store_close(batch.st);
	store_close(holder);
}

Test(gate, a_failed_begin_or_a_rollback_gives_the_turn_back)
{
	struct store *a = NULL, *b = NULL;
	struct err e;

	err_clear(&e);
	cr_assert_eq(store_open(path, &a, &e), 0, "%s", e.message);
	cr_assert_eq(store_open(path, &b, &e), 0, "%s", e.message);
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.message);
	store_rollback(a);
	/* Were the turn still a's, this would wait out the batch timeout (30 minutes). */
	cr_assert_eq(store_begin_batch(b, &e), 0, "%s", e.message);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.message);
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.message);
	cr_assert_eq(store_commit(a, &e), 0, "%s", e.message);
	/* A handle closed inside its transaction gives the turn back too. */
	cr_assert_eq(store_begin(a, &e), 0, "%s", e.message);
	store_close(a);
	cr_assert_eq(store_begin(b, &e), 0, "%s", e.message);
	cr_assert_eq(store_commit(b, &e), 0, "%s", e.message);
	store_close(b);
}
