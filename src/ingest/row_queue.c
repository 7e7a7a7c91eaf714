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
	if (pthread_cond_init(&q->changed, NULL) != 0) {
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
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
}

struct prepared_row *row_queue_slot(struct row_queue *q)
{
	struct prepared_row *r = NULL;

	pthread_mutex_lock(&q->lock);
	while (!q->abandoned && q->tail - q->head == ROW_QUEUE_SLOTS)
		pthread_cond_wait(&q->changed, &q->lock);
	/* The slot at tail is not the consumer's: it only reads slots before tail. */
	if (!q->abandoned)
		r = &q->slots[q->tail % ROW_QUEUE_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return r;
}

static void row_queue_update(struct row_queue *q, unsigned long *counter, int *flag)
{
	pthread_mutex_lock(&q->lock);
	if (counter)
		(*counter)++;
	if (flag)
		*flag = 1;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

void row_queue_push(struct row_queue *q)
{
	row_queue_update(q, &q->tail, NULL);
}

void row_queue_finish(struct row_queue *q)
{
	row_queue_update(q, NULL, &q->finished);
}

struct prepared_row *row_queue_peek(struct row_queue *q)
{
	struct prepared_row *r = NULL;

	pthread_mutex_lock(&q->lock);
	while (q->head == q->tail && !q->finished)
		pthread_cond_wait(&q->changed, &q->lock);
	if (q->head != q->tail)
		r = &q->slots[q->head % ROW_QUEUE_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return r;
}

void row_queue_pop(struct row_queue *q)
{
	row_queue_update(q, &q->head, NULL);
}

void row_queue_abandon(struct row_queue *q)
{
	row_queue_update(q, NULL, &q->abandoned);
}
