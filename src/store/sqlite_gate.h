/*
 * sqlite_gate.h - the in-process turn to write one SQLite file, small writes first.
 *
 * SQLite lets one writer at a time into a file, and hands the lock to whichever waiter's
 * busy handler polls first when the writer commits: a login that waits 5 s behind a
 * queue of uploads loses the race to the uploads that poll alongside it, and answers
 * 503.  Every handle of a process on the same file shares a gate; a transaction takes
 * the gate before it asks SQLite for the lock and gives it back when it ends, so that
 * within a process the writers queue here, where the queue has an order: a waiting small
 * write (a login, a password change) goes before every waiting batch, and so waits at
 * most for the transaction under way.  Writers of other processes (`xinyong ingest`
 * beside the server) still meet in SQLite's busy handler.
 */
#ifndef XINYONG_SQLITE_GATE_H
#define XINYONG_SQLITE_GATE_H

struct sqlite_gate;

enum sqlite_gate_turn {
	SQLITE_GATE_SMALL, /* goes before waiting batches */
	SQLITE_GATE_BATCH,
};

/* The gate of the database file at `path`, shared with every other handle of this
 * process on the same file (compared by device and inode), NULL for ":memory:" and
 * temporary databases or when out of memory (writes then go ungated).  Give it back
 * with sqlite_gate_put. */
struct sqlite_gate *sqlite_gate_get(const char *path);
void sqlite_gate_put(struct sqlite_gate *g);

/* Waits up to timeout_ms (0: not at all) for the turn to write.  0 when taken, -1 when
 * the time ran out.  A NULL gate is always taken. */
int sqlite_gate_enter(struct sqlite_gate *g, enum sqlite_gate_turn turn, int timeout_ms);
/* Gives the turn to the next waiter: a small write if one waits, else a batch. */
void sqlite_gate_leave(struct sqlite_gate *g);

#endif
