/* test_conn_guard.c - the connection table's deadlines and evictions
 * (src/http/conn_guard.c), on socket pairs: a connection the guard closes reads as the
 * end of the stream on the pair's other end. */
#include <criterion/criterion.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/conn_guard.h"

struct pair {
	int server, client;
};

static struct pair make_pair(void)
{
	int fds[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	return (struct pair){ fds[0], fds[1] };
}

/* 1 when the guard shut the server end down: the client reads end of stream at once. */
static int was_closed(const struct pair *p)
{
	struct pollfd pfd = { p->client, POLLIN, 0 };
	char c;

	return poll(&pfd, 1, 0) == 1 && read(p->client, &c, 1) == 0;
}

static void close_pair(struct pair *p)
{
	close(p->server);
	close(p->client);
}

static struct conn_guard *make(size_t limit, unsigned head_ms, unsigned idle_ms)
{
	struct conn_guard *g = NULL;

	cr_assert_eq(conn_guard_create(limit, head_ms, idle_ms, &g), 0);
	return g;
}

Test(conn_guard, full_table_drops_the_oldest_waiting)
{
	struct conn_guard *g = make(3, 60000, 60000);
	struct pair p[5];
	void *t[5];
	struct conn_guard_stats st;
	int i;

	for (i = 0; i < 5; i++)
		p[i] = make_pair();
	for (i = 0; i < 3; i++) {
		t[i] = conn_guard_open(g, p[i].server);
		cr_assert_not_null(t[i]);
		usleep(2000); /* distinct start times */
	}
	/* The oldest is busy: the next oldest still waiting for its head goes. */
	conn_guard_busy(g, t[0]);
	t[3] = conn_guard_open(g, p[3].server);
	cr_assert_not_null(t[3]);
	cr_assert(!was_closed(&p[0]));
	cr_assert(was_closed(&p[1]));
	cr_assert(!was_closed(&p[2]));
	/* The dropped one's late reports touch nothing: its slot is the newcomer's now. */
	conn_guard_busy(g, t[1]);
	conn_guard_close(g, t[1]);
	conn_guard_get_stats(g, &st);
	cr_assert_eq(st.open, 3);
	cr_assert_eq(st.evicted, 1);
	/* Every connection busy: the newcomer is refused, nobody else is dropped. */
	conn_guard_busy(g, t[2]);
	conn_guard_busy(g, t[3]);
	cr_assert_null(conn_guard_open(g, p[4].server));
	cr_assert(was_closed(&p[4]));
	cr_assert(!was_closed(&p[0]) && !was_closed(&p[2]) && !was_closed(&p[3]));
	conn_guard_get_stats(g, &st);
	cr_assert_eq(st.refused, 1);
	for (i = 0; i < 4; i++)
		if (i != 1)
			conn_guard_close(g, t[i]);
	conn_guard_get_stats(g, &st);
	cr_assert_eq(st.open, 0);
	conn_guard_free(g);
	for (i = 0; i < 5; i++)
		close_pair(&p[i]);
}

Test(conn_guard, heads_and_idle_connections_have_deadlines)
{
	struct conn_guard *g = make(8, 300, 1200);
	struct pair head = make_pair(), busy = make_pair(), idle = make_pair();
	void *th = conn_guard_open(g, head.server);
	void *tb = conn_guard_open(g, busy.server);
	void *ti = conn_guard_open(g, idle.server);
	struct conn_guard_stats st;

	conn_guard_busy(g, tb);
	conn_guard_busy(g, ti);
	conn_guard_idle(g, ti);
	/* A request line on a connection still in its first head does not restart it. */
	conn_guard_line(g, th);
	usleep(600 * 1000);
	cr_assert(was_closed(&head));
	cr_assert(!was_closed(&idle));
	usleep(1000 * 1000);
	cr_assert(was_closed(&idle));
	cr_assert(!was_closed(&busy));
	conn_guard_get_stats(g, &st);
	cr_assert_eq(st.head_timeouts, 1);
	cr_assert_eq(st.idle_timeouts, 1);
	cr_assert_eq(st.open, 1);
	conn_guard_close(g, th);
	conn_guard_close(g, ti);
	conn_guard_close(g, tb);
	conn_guard_free(g);
	close_pair(&head);
	close_pair(&busy);
	close_pair(&idle);
}

Test(conn_guard, an_idle_connection_starts_a_new_head_on_its_next_request_line)
{
	struct conn_guard *g = make(8, 600, 60000);
	struct pair p = make_pair();
	void *t = conn_guard_open(g, p.server);

	conn_guard_busy(g, t);
	conn_guard_idle(g, t);
	usleep(400 * 1000);
	conn_guard_line(g, t); /* the head clock starts now, not at the accept */
	usleep(300 * 1000);
	cr_assert(!was_closed(&p));
	usleep(700 * 1000);
	cr_assert(was_closed(&p));
	conn_guard_close(g, t);
	conn_guard_free(g);
	close_pair(&p);
}
