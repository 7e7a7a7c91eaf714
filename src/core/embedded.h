/*
 * embedded.h - data files compiled into the program (scripts/embed.py): the built-in
 * catalog, the store's migrations, the code exceptions, the holiday calendar, the case
 * rules and the OpenAPI document.  Each table ends with an entry whose name is NULL.
 * `data` is NUL-terminated; `size` excludes the NUL.
 */
#ifndef XY_EMBEDDED_H
#define XY_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data;
	size_t size;
};

extern const struct embedded_file embedded_catalog[];
/* Each store backend's schema migrations (src/store/migrations/<backend>/). */
extern const struct embedded_file embedded_migrations_sqlite[];
extern const struct embedded_file embedded_migrations_postgresql[];
extern const struct embedded_file embedded_code_exceptions[];
/* data/calendar/cn-workdays.csv, the built-in holiday calendar (service/calendar.c). */
extern const struct embedded_file embedded_calendar[];
/* data/rules/<kind>.json, the built-in case rules, one file per kind (case_rules.h:
 * case_rules_builtin finds one by kind). */
extern const struct embedded_file embedded_rules[];
/* docs/openapi.json, served by the HTTP API (src/http/api_openapi.c). */
extern const struct embedded_file embedded_openapi[];

#endif
