/*
 * fuzz.h - what the libFuzzer targets share.
 */
#ifndef XY_FUZZ_H
#define XY_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

/* Aborts, naming the broken promise, so that a finding says what went wrong. */
#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, #c); \
			abort(); \
		} \
	} while (0)

#endif
