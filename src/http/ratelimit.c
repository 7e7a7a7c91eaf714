/*
 * ratelimit.c - token buckets per client address in a fixed-size table (ratelimit.h).
 *
 * Tokens are counted in integer units of 1/60000 token, so that `rate_per_minute` is
 * exactly the units gained per millisecond: no floating point, no drift, and a bucket
 * refilled over 1000 ms at 60 per minute holds exactly one token again.
 *
 * The table: `slots` entries allocated once, a bucket array of chained indices
 * (a power of two at least as large, so chains stay short), and a doubly linked list of
 * the entries in order of last use, whose tail is the entry to forget when a new
 * address needs a slot.  Hashing is SipHash (libsodium's crypto_shorthash) with a key
 * drawn at creation: IPv6 prefixes are chosen by whoever holds them, and a fixed hash
 * would let one crowd them into a single chain.
 */
#include "http/ratelimit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RL_UNITS_PER_TOKEN 60000ULL /* ms per minute: one token is 60000 units */
#define RL_NONE SIZE_MAX
#define RL_TEXT_MAX 64 /* longer than any textual IPv6 address with a zone */

enum rl_kind { RL_OTHER, RL_IPV4, RL_IPV6 };

/* What a bucket belongs to: an IPv4 address, an IPv6 /64 (the low 8 bytes zero), or
 * "anything that is no address". */
struct rl_key {
	unsigned char kind;
	unsigned char addr[16];
};

struct rl_entry {
	struct rl_key key;
	unsigned long long units;   /* tokens * RL_UNITS_PER_TOKEN */
	unsigned long long last_ms; /* when units was last brought up to date */
	size_t chain;               /* next entry in the same hash bucket */
	size_t newer, older;        /* the use-order list */
};

struct ratelimit {
	pthread_mutex_t lock;
	unsigned long long rate; /* units gained per ms (= tokens per minute); 0: disabled */
	unsigned long long cap;  /* burst * RL_UNITS_PER_TOKEN */
	struct rl_entry *entries; /* `slots` of them; the first `used` are in the table */
	size_t slots, used;
	size_t *buckets; /* nbuckets chain heads */
	size_t nbuckets; /* a power of two */
	size_t newest, oldest;
	unsigned char seed[crypto_shorthash_KEYBYTES];
};

int ratelimit_create(unsigned rate_per_minute, unsigned burst, size_t slots,
		     struct ratelimit **out)
{
	struct ratelimit *rl;
	size_t i;

	*out = NULL;
	if (rate_per_minute && !slots) {
		errno = EINVAL;
		return -1;
	}
	if (sodium_init() < 0) {
		errno = ENOMEM;
		return -1;
	}
	rl = calloc(1, sizeof *rl);
	if (!rl)
		return -1;
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate_per_minute;
	rl->cap = (unsigned long long)(burst ? burst : 1) * RL_UNITS_PER_TOKEN;
	rl->newest = rl->oldest = RL_NONE;
	if (rate_per_minute) {
		rl->slots = slots;
		rl->nbuckets = 1;
		while (rl->nbuckets < slots && rl->nbuckets <= SIZE_MAX / 4)
			rl->nbuckets <<= 1;
		rl->entries = calloc(slots, sizeof *rl->entries);
		rl->buckets = calloc(rl->nbuckets, sizeof *rl->buckets);
		if (!rl->entries || !rl->buckets) {
			ratelimit_free(rl);
			errno = ENOMEM;
			return -1;
		}
		for (i = 0; i < rl->nbuckets; i++)
			rl->buckets[i] = RL_NONE;
		randombytes_buf(rl->seed, sizeof rl->seed);
	}
	*out = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->entries);
	free(rl->buckets);
	free(rl);
}

/* The bucket key of a textual address.  Brackets and a zone ("%eth0") are dropped: the
 * same host reached through another interface is still the same host. */
static void rl_key_parse(const char *client, struct rl_key *key)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char text[RL_TEXT_MAX];
	size_t n;

	memset(key, 0, sizeof *key);
	key->kind = RL_OTHER;
	if (!client)
		return;
	if (*client == '[')
		client++;
	n = strcspn(client, "]%");
	if (n >= sizeof text)
		return;
	memcpy(text, client, n);
	text[n] = '\0';
	if (inet_pton(AF_INET, text, key->addr) == 1) {
		key->kind = RL_IPV4;
		return;
	}
	if (inet_pton(AF_INET6, text, key->addr) != 1) {
		memset(key->addr, 0, sizeof key->addr);
		return;
	}
	/* A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d. */
	if (memcmp(key->addr, v4mapped, sizeof v4mapped) == 0) {
		memmove(key->addr, key->addr + 12, 4);
		memset(key->addr + 4, 0, 12);
		key->kind = RL_IPV4;
		return;
	}
	memset(key->addr + 8, 0, 8);
	key->kind = RL_IPV6;
}

static size_t rl_bucket(const struct ratelimit *rl, const struct rl_key *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;

	crypto_shorthash(h, (const unsigned char *)key, sizeof *key, rl->seed);
	memcpy(&v, h, sizeof v);
	return (size_t)(v & (rl->nbuckets - 1));
}

/* ---- the use-order list ------------------------------------------------------------- */

static void rl_list_unlink(struct ratelimit *rl, size_t i)
{
	struct rl_entry *en = &rl->entries[i];

	if (en->newer != RL_NONE)
		rl->entries[en->newer].older = en->older;
	else
		rl->newest = en->older;
	if (en->older != RL_NONE)
		rl->entries[en->older].newer = en->newer;
	else
		rl->oldest = en->newer;
}

static void rl_list_push(struct ratelimit *rl, size_t i)
{
	struct rl_entry *en = &rl->entries[i];

	en->newer = RL_NONE;
	en->older = rl->newest;
	if (rl->newest != RL_NONE)
		rl->entries[rl->newest].newer = i;
	rl->newest = i;
	if (rl->oldest == RL_NONE)
		rl->oldest = i;
}

/* ---- the table ---------------------------------------------------------------------- */

static size_t rl_find(const struct ratelimit *rl, size_t b, const struct rl_key *key)
{
	size_t i;

	for (i = rl->buckets[b]; i != RL_NONE; i = rl->entries[i].chain)
		if (memcmp(&rl->entries[i].key, key, sizeof *key) == 0)
			return i;
	return RL_NONE;
}

static void rl_chain_remove(struct ratelimit *rl, size_t i)
{
	size_t *link = &rl->buckets[rl_bucket(rl, &rl->entries[i].key)];

	while (*link != i)
		link = &rl->entries[*link].chain;
	*link = rl->entries[i].chain;
}

/* A slot for a new key in chain b, with a full bucket: a never used one, else the
 * least recently used entry's. */
static size_t rl_insert(struct ratelimit *rl, size_t b, const struct rl_key *key,
			unsigned long long now_ms)
{
	size_t i;

	if (rl->used < rl->slots) {
		i = rl->used++;
	} else {
		i = rl->oldest;
		rl_list_unlink(rl, i);
		rl_chain_remove(rl, i);
	}
	rl->entries[i].key = *key;
	rl->entries[i].units = rl->cap;
	rl->entries[i].last_ms = now_ms;
	rl->entries[i].chain = rl->buckets[b];
	rl->buckets[b] = i;
	rl_list_push(rl, i);
	return i;
}

/* Adds what accrued since last_ms, up to the cap, without overflowing: the product
 * elapsed * rate is only formed when it cannot exceed the room left. */
static void rl_refill(const struct ratelimit *rl, struct rl_entry *en,
		      unsigned long long now_ms)
{
	unsigned long long elapsed, room;

	if (now_ms <= en->last_ms)
		return;
	elapsed = now_ms - en->last_ms;
	en->last_ms = now_ms;
	room = rl->cap - en->units;
	if (elapsed >= room / rl->rate + 1)
		en->units = rl->cap;
	else
		en->units += elapsed * rl->rate;
}

int ratelimit_take(struct ratelimit *rl, const char *client, unsigned long long now_ms,
		   unsigned *retry_after_s)
{
	struct rl_key key;
	struct rl_entry *en;
	unsigned long long wait_ms, wait_s;
	size_t b, i;
	int allowed;

	if (retry_after_s)
		*retry_after_s = 0;
	if (!rl->rate)
		return 1;
	rl_key_parse(client, &key);
	pthread_mutex_lock(&rl->lock);
	b = rl_bucket(rl, &key);
	i = rl_find(rl, b, &key);
	if (i == RL_NONE) {
		i = rl_insert(rl, b, &key, now_ms);
	} else {
		rl_list_unlink(rl, i);
		rl_list_push(rl, i);
	}
	en = &rl->entries[i];
	rl_refill(rl, en, now_ms);
	allowed = en->units >= RL_UNITS_PER_TOKEN;
	if (allowed) {
		en->units -= RL_UNITS_PER_TOKEN;
	} else if (retry_after_s) {
		/* At most 60 s: even at 1 per minute a whole token accrues in 60000 ms. */
		wait_ms = (RL_UNITS_PER_TOKEN - en->units + rl->rate - 1) / rl->rate;
		wait_s = (wait_ms + 999) / 1000;
		*retry_after_s = wait_s < 1 ? 1 : (unsigned)wait_s;
	}
	pthread_mutex_unlock(&rl->lock);
	return allowed;
}

size_t ratelimit_tracked(struct ratelimit *rl)
{
	size_t n;

	pthread_mutex_lock(&rl->lock);
	n = rl->used;
	pthread_mutex_unlock(&rl->lock);
	return n;
}
