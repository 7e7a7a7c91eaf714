/*
 * catalogs.h - the catalog as a service: built-in categories, listing, showing,
 * importing operator-defined categories, and loading a category for ingestion.
 */
#ifndef XY_SERVICE_CATALOGS_H
#define XY_SERVICE_CATALOGS_H

#include <jansson.h>

struct category;
struct err;
struct store;
struct principal;

/* Loads the built-in categories (data/catalog/, compiled in) and code exceptions that
 * the store does not have yet; never overwrites what an operator imported. */
int catalogs_install_builtin(struct store *s, struct err *e);

/* *out is owned by the caller (catalog_free).  `catalog.unknown_category` when missing. */
int catalogs_load(struct store *s, const char *id, struct category **out, struct err *e);

/* [{"id","name","group","nature","disclosure","fields"}], sorted by id. */
int catalogs_list(struct store *s, json_t **out, struct err *e);
/* The category's definition as stored. */
int catalogs_show(struct store *s, const char *id, json_t **out, struct err *e);
/* Validates a definition file and stores it (adding or replacing the category);
 * *out is {"id", "name", "fields", "replaced"}. */
int catalogs_import(struct store *s, const struct principal *who, const char *path,
		    json_t **out, struct err *e);

#endif
