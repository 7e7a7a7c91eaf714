/*
 * rules_json.h - reading the members of a rules file (data/rules/): the helpers
 * that case_rules.c and publicity_period.c share, so that every kind of rules file
 * refuses a bad member with the same `rules.invalid` error, naming the member's path
 * ("states[2].due_days") and saying in Chinese what is wrong with it.
 *
 * Strings read from a file are borrowed from its json_t; `field` is always the member's
 * path for the message.
 */
#ifndef XY_RULES_JSON_H
#define XY_RULES_JSON_H

#include <jansson.h>
#include <stddef.h>

struct err;

/* Quotes a value from the file for a message: it may be long. */
#define RULES_QUOTE_MAX 48

/* Parses text into one JSON object (*root the caller's), refusing bytes that are not
 * UTF-8, duplicate keys and anything but an object. */
int rules_json_load(const char *json, json_t **root, struct err *e);

/* Sets `rules.invalid` with field = the member's path and a message that names it;
 * returns -1. */
int rules_fail(struct err *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int rules_oom(struct err *e);
/* "list[i].member", or "list[i]" when member is NULL. */
void rules_path(char *out, size_t n, const char *list, size_t i, const char *member);
/* Whether s is one of the NULL-terminated list. */
int rules_in(const char *const *list, const char *s);
/* Refuses a member of obj not in `known`, so that a typo ("fianl") is not silently
 * ignored.  prefix is the object's path ("" for the top level). */
int rules_only(json_t *obj, const char *prefix, const char *const *known, struct err *e);
/* A non-empty string member; NULL when absent and optional. */
int rules_string(json_t *obj, const char *key, const char *field, int required,
		 const char **out, struct err *e);
/* An id: [a-z][a-z0-9_]*, at most CASE_RULES_ID_MAX bytes. */
int rules_id(json_t *obj, const char *key, const char *field, const char **out,
	     struct err *e);
/* A required name of at most CASE_RULES_NAME_MAX characters. */
int rules_name(json_t *obj, const char *key, const char *field, const char **out,
	       struct err *e);
/* A number of days 0..CASE_RULES_DAYS_MAX; -1 when absent. */
int rules_days(json_t *obj, const char *key, const char *field, int *out, struct err *e);
/* A boolean; 0 when absent. */
int rules_flag(json_t *obj, const char *key, const char *field, int *out, struct err *e);
/* An array member with 1..max elements. */
int rules_array(json_t *obj, const char *key, const char *field, size_t max, json_t **out,
		struct err *e);
/* The non-empty string arr[i], refusing an earlier equal one. */
int rules_element(json_t *arr, size_t i, const char *field, const char **out, struct err *e);

#endif
