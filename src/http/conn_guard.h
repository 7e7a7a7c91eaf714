/*
 * conn_guard.h - deadlines and a fair share of the connection table, against clients
 * that hold connections without finishing requests (slowloris).
 *
 * libmicrohttpd's own timeout is one of inactivity: a client sending one header byte
 * every few seconds never trips it.  The guard tracks every connection in one of three
 * phases and closes those that overstay theirs:
 *
 *   head  from the accept (or, on a kept-alive connection, from the arrival of the next
 *         request line) until the request head is complete: at most `head_ms`;
 *   busy  a request is being read, handled or answered: no deadline here (the daemon's
 *         inactivity timeout applies);
 *   idle  a kept-alive connection between requests: at most `idle_ms`.
 *
 * The table holds at most `limit` connections.  A connection that arrives when it is
 * full takes the place of the one that has waited longest in the head or idle phase; if
 * every connection is busy, the newcomer is refused.  A connection is closed with
 * shutdown(2) on its socket, which makes libmicrohttpd see the end of the stream and
 * close it as if the client had gone: the guard never frees what the daemon owns.  A
 * socket is only touched under the guard's lock, and the daemon reports a connection
 * closed (conn_guard_close) before it closes its socket, so a descriptor number that
 * was reused is never shut down by mistake.
 *
 * A connection is known by a ticket (conn_guard_open), kept as the daemon's socket
 * context.  A dropped connection's slot goes at once to the next newcomer; the ticket
 * carries the slot's generation, so the dropped connection's late reports (busy, idle,
 * closed) touch nothing.
 *
 * All functions are thread-safe; a thread of the guard's own checks the deadlines.
 */
#ifndef XY_CONN_GUARD_H
#define XY_CONN_GUARD_H

#include <stddef.h>

struct conn_guard;

struct conn_guard_stats {
	unsigned long long head_timeouts; /* closed for an unfinished head */
	unsigned long long idle_timeouts; /* kept-alive connections closed for idleness */
	unsigned long long evicted;       /* made room for a newcomer in a full table */
	unsigned long long refused;       /* newcomers refused: the table was full of busy ones */
	size_t open;                      /* connections tracked now */
};

/* Creates a guard and starts its thread.  Returns 0, or -1 (errno) when memory or the
 * thread cannot be had; the caller frees it with conn_guard_free. */
int conn_guard_create(size_t limit, unsigned head_ms, unsigned idle_ms,
		      struct conn_guard **out);
/* Stops the thread and frees the guard.  Every connection must be closed already (the
 * daemon stopped).  NULL is allowed. */
void conn_guard_free(struct conn_guard *g);

/* A new connection on socket fd, in the head phase.  Returns its ticket, or NULL when
 * it was refused (its socket is then shut down already). */
void *conn_guard_open(struct conn_guard *g, int fd);
/* The connection's request head is complete: busy. */
void conn_guard_busy(struct conn_guard *g, void *ticket);
/* A request line arrived: an idle connection starts its head phase. */
void conn_guard_line(struct conn_guard *g, void *ticket);
/* A request was answered: the connection waits, idle, for the next. */
void conn_guard_idle(struct conn_guard *g, void *ticket);
/* The daemon closed the connection.  NULL is allowed. */
void conn_guard_close(struct conn_guard *g, void *ticket);

void conn_guard_get_stats(struct conn_guard *g, struct conn_guard_stats *out);

#endif
