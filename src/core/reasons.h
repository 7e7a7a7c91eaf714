/* reasons.h - lookup over reasons.def, the single list of stable reason codes. */
#ifndef XY_REASONS_H
#define XY_REASONS_H

#include <stddef.h>

enum reason_kind { REASON_ERROR, REASON_WARNING, REASON_FATAL };

struct reason_info {
	const char *code;
	enum reason_kind kind;
	unsigned http_status; /* of an API error with this code */
	const char *summary;
};

/* The whole table, in reasons.def order. */
const struct reason_info *reasons_all(size_t *count);
/* NULL when `code` is not a known reason. */
const struct reason_info *reasons_find(const char *code);
/* The HTTP status declared for `code` in reasons.def.  A code missing from the table is
 * a bug that tests/unit/test_reason_sources.c exists to catch; should one slip through
 * it is answered as what it is, an internal error: 500. */
unsigned reasons_http_status(const char *code);

#endif
