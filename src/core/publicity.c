/* publicity.c - publicity status of a record; see publicity.h. */
#include "publicity.h"

#include <string.h>

enum publicity_status publicity_status_of(const char *today, const char *end, int person,
					  int unpublished, int repaired)
{
	/* A repair is what its subject asked for: it wins over every other state. */
	if (repaired)
		return PUBLICITY_REPAIRED;
	if (person)
		return PUBLICITY_NOT_PUBLIC;
	if (unpublished)
		return PUBLICITY_NOT_PUBLISHED;
	/* The end date is the last day shown: ISO dates compare as text. */
	if (!end || !*end || strcmp(today, end) <= 0)
		return PUBLICITY_PUBLISHED;
	return PUBLICITY_ENDED;
}

const char *publicity_status_name(enum publicity_status s)
{
	static const char *const names[] = { "published", "ended", "not_public", "not_published",
					     "repaired" };

	return names[s];
}
