/*
 * search_facts.h - what a search result shows beside a subject's name, so that two
 * companies of one name are told apart and a risky one stands out before it is opened:
 * the legal representative, the founding date and the registration status from its
 * registration record, and tags for the public list entries in force (严重失信,
 * 经营异常).  Only public categories are read, and nothing of a natural person.
 */
#ifndef XY_SERVICE_SEARCH_FACTS_H
#define XY_SERVICE_SEARCH_FACTS_H

#include <jansson.h>

struct err;
struct store;

/* Adds "legal_rep", "established", "status" (null when unknown) and "tags" (an array)
 * to `result`, the search hit of subject `code`; a person gets nulls and no tags. */
int search_facts_add(struct store *s, json_t *result, const char *code, int person,
		     const char *today, struct err *e);

#endif
