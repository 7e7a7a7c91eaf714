/* row_queue.c - the preparer-to-writer queue; see row_queue.h. */
#include "row_queue.h"

#include <string.h>

int row_queue_init(struct row_queue *q)
{
	size_t i;

	memset(q, 0, sizeof *q);
	for (i = 0; i < ROW_QUEUE_SLOTS; i++)
		prepared_row_init(&q->slots[i]);
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&q->filled, NULL) != 0) {
		pthread_mutex_destroy(&q->lock);
		return -1;
	}
	if (pthread_cond_init(&q->freed, NULL) != 0) {
		pthread_cond_destroy(&q->filled);
		pthread_mutex_destroy(&q->lock);
		return -1;
	}
	return 0;
}

void row_queue_free(struct row_queue *q)
{
	size_t i;

	for (i = 0; i < ROW_QUEUE_SLOTS; i++)
		prepared_row_free(&q->slots[i]);
	pthread_cond_destroy(&q->freed);
	pthread_cond_destroy(&q->filled);
	pthread_mutex_destroy(&q->lock);
}

struct prepared_row *row_queue_slot(struct row_queue *q)
{
	struct prepared_row *r = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->tail - q->head == ROW_QUEUE_SLOTS) {
		q->producer_waiting = 1;
		while (!q->abandoned && ROW_QUEUE_SLOTS - (q->tail - q->head) < ROW_QUEUE_WAKE)
			pthread_cond_wait(&q->freed, &q->lock);
		q->producer_waiting = 0;
	}
	/* The slot at tail is not the consumer's: it only reads slots before tail. */
	if (!q->abandoned)
		r = &q->slots[q->tail % ROW_QUEUE_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return r;
}

void row_queue_push(struct row_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->tail++;
	if (q->consumer_waiting && q->tail - q->head >= ROW_QUEUE_WAKE)
		pthread_cond_signal(&q->filled);
	pthread_mutex_unlock(&q->lock);
}

void row_queue_finish(struct row_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->finished = 1;
	pthread_cond_signal(&q->filled);
	pthread_mutex_unlock(&q->lock);
}

struct prepared_row *row_queue_peek(struct row_queue *q)
{
	struct prepared_row *r = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->head == q->tail && !q->finished) {
		q->consumer_waiting = 1;
		while (!q->finished && q->tail - q->head < ROW_QUEUE_WAKE)
			pthread_cond_wait(&q->filled, &q->lock);
		q->consumer_waiting = 0;
	}
	if (q->head != q->tail)
		r = &q->slots[q->head % ROW_QUEUE_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return r;
}

size_t row_queue_ready(struct row_queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->tail - q->head;
	pthread_mutex_unlock(&q->lock);
	return n;
}

struct prepared_row *row_queue_at(struct row_queue *q, size_t i)
{
	/* head only moves when the consumer pops, and the consumer is the caller. */
	return &q->slots[(q->head + i) % ROW_QUEUE_SLOTS];
}

void row_queue_pop(struct row_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->head++;
	if (q->producer_waiting && ROW_QUEUE_SLOTS - (q->tail - q->head) >= ROW_QUEUE_WAKE)
		pthread_cond_signal(&q->freed);
	pthread_mutex_unlock(&q->lock);
}

void row_queue_abandon(struct row_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->abandoned = 1;
	pthread_cond_signal(&q->freed);
	pthread_mutex_unlock(&q->lock);
}
