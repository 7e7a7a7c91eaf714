/*
 * ratelimit.h - a token bucket per client address, for the requests anyone may send
 * without an account (searches).
 *
 * Each address has a bucket of at most `burst` tokens, refilled at `rate_per_minute`; a
 * request takes one token or is refused (HTTP 429, reason `rate.limited`) with the
 * seconds until the next token.  IPv4 addresses are tracked one by one; IPv6 ones per
 * /64 prefix, because a single host or home network usually holds a whole /64 and could
 * otherwise rotate addresses to get fresh buckets.
 *
 * Memory is fixed at creation: at most `slots` addresses are tracked.  When a new
 * address arrives and every slot is taken, the address seen least recently is forgotten
 * (it gets a full bucket if it comes back), so a flood of addresses costs nothing but
 * the slots.  All functions are thread-safe: one mutex, held for a few hundred
 * instructions per call.
 */
#ifndef XY_RATELIMIT_H
#define XY_RATELIMIT_H

#include <stddef.h>

struct ratelimit;

/* Creates a limiter; the caller frees it with ratelimit_free.  rate_per_minute 0 disables
 * limiting (ratelimit_take always allows, nothing is tracked).  A burst of 0 counts as 1.
 * Returns -1 (errno EINVAL) when slots is 0 while limiting is enabled, or (errno ENOMEM)
 * when memory is short; *out is then NULL. */
int ratelimit_create(unsigned rate_per_minute, unsigned burst, size_t slots,
		     struct ratelimit **out);

/* Takes one token for `client`, a textual address as the socket reports it: "192.0.2.7",
 * "2001:db8::1", "[2001:db8::1]", "fe80::1%eth0" or "::ffff:192.0.2.7" (the same as
 * "192.0.2.7").  Text that is no address (NULL included) shares one bucket: a caller
 * should always pass the socket's address.  now_ms is a monotonic clock in milliseconds;
 * a clock that goes back is treated as standing still.
 * Returns 1 when allowed (*retry_after_s set to 0); 0 when limited, with *retry_after_s
 * the whole seconds, at least 1, until a token is available.  retry_after_s may be NULL. */
int ratelimit_take(struct ratelimit *rl, const char *client, unsigned long long now_ms,
		   unsigned *retry_after_s);

/* How many addresses are tracked now (never more than `slots`): for tests and metrics. */
size_t ratelimit_tracked(struct ratelimit *rl);

/* NULL is allowed. */
void ratelimit_free(struct ratelimit *rl);

#endif
