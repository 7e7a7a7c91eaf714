/* reasons.c - the reason-code table generated from reasons.def. */
#include "reasons.h"

#include <string.h>

#define ERROR REASON_ERROR
#define WARNING REASON_WARNING
#define FATAL REASON_FATAL
static const struct reason_info reason_table[] = {
#define REASON(code, kind, status, summary) { code, kind, status, summary },
#include "reasons.def"
#undef REASON
};
#undef ERROR
#undef WARNING
#undef FATAL

const struct reason_info *reasons_all(size_t *count)
{
	*count = sizeof reason_table / sizeof reason_table[0];
	return reason_table;
}

const struct reason_info *reasons_find(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof reason_table / sizeof reason_table[0]; i++)
		if (strcmp(reason_table[i].code, code) == 0)
			return &reason_table[i];
	return NULL;
}

unsigned reasons_http_status(const char *code)
{
	const struct reason_info *info = reasons_find(code);

	return info ? info->http_status : 500;
}
