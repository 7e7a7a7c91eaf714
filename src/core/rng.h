/*
 * rng.h - a small deterministic pseudo-random generator (xorshift64*), for synthetic
 * data (service/demo.c) and benchmark sampling: the same seed gives the same sequence on
 * every machine.  Not for anything secret (libsodium's randombytes is).
 */
#ifndef XY_RNG_H
#define XY_RNG_H

#include <stdint.h>

/* The next number; *state must not be 0. */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ULL;
}

#endif
