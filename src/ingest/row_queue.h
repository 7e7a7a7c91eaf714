/*
 * row_queue.h - a bounded queue of prepared rows between the preparer thread (one
 * producer) and the writer (one consumer).
 *
 * Slots are reused, so a row's buffers are allocated once per slot, not once per row.
 * The producer fills the slot row_queue_slot() returns, then row_queue_push(); the
 * consumer reads the slot row_queue_peek() returns, then row_queue_pop().  Either side
 * can end the exchange: the producer with row_queue_finish (no more rows), the
 * consumer with row_queue_abandon (it failed; the producer should stop).
 */
#ifndef XY_ROW_QUEUE_H
#define XY_ROW_QUEUE_H

#include <pthread.h>

#include "prepare.h"

#define ROW_QUEUE_SLOTS 512
/* A waiting side is woken only once this many rows (or free slots) are ready, so that
 * the threads trade rows in runs instead of waking each other for every row. */
#define ROW_QUEUE_WAKE 64

struct row_queue {
	struct prepared_row slots[ROW_QUEUE_SLOTS];
	unsigned long head; /* next slot to consume */
	unsigned long tail; /* next slot to fill */
	int finished;
	int abandoned;
	int consumer_waiting;
	int producer_waiting;
	pthread_mutex_t lock;
	pthread_cond_t filled; /* the consumer waits on it */
	pthread_cond_t freed;  /* the producer waits on it */
};

int row_queue_init(struct row_queue *q);
void row_queue_free(struct row_queue *q);

/* Producer: waits for a free slot; NULL when the consumer abandoned the queue. */
struct prepared_row *row_queue_slot(struct row_queue *q);
void row_queue_push(struct row_queue *q);
void row_queue_finish(struct row_queue *q);

/* Consumer: waits for a filled slot; NULL when the producer finished and all rows were
 * consumed. */
struct prepared_row *row_queue_peek(struct row_queue *q);
/* Consumer: how many filled rows are waiting now (without waiting), and the i-th of
 * them (0 is the one row_queue_peek returns), valid until it is popped. */
size_t row_queue_ready(struct row_queue *q);
struct prepared_row *row_queue_at(struct row_queue *q, size_t i);
void row_queue_pop(struct row_queue *q);
void row_queue_abandon(struct row_queue *q);

#endif
