/*
 * rules.h - the rules of each kind of case (core/case_rules.h) and the publicity regimes
 * (core/publicity_period.h, kind "publicity") as the platform holds them: files imported by an operator (`xinyong rules import`), each with an effective
 * date, and the built-in ones (data/rules/) for a kind nobody imported.
 *
 * A case keeps the effective date of the rules it was filed under (cases.rules_from), so
 * that a rule changed later applies to cases filed from its effective date, and a case
 * under way finishes under the rules it started with.
 */
#ifndef XY_SERVICE_RULES_H
#define XY_SERVICE_RULES_H

#include <jansson.h>

struct case_rules;
struct err;
struct publicity_regimes;
struct principal;
struct store;

/* The rules of `kind` in force on `day` (YYYY-MM-DD): the stored file with the latest
 * effective date not after `day`; else the built-in rules when their date is not after
 * it.  *out is the caller's (case_rules_free).  Fails `case.kind_unknown` when no rules
 * of the kind are in force. */
int rules_in_force(struct store *s, const char *kind, const char *day,
		   struct case_rules **out, struct err *e);

/* The rules of `kind` effective from exactly `from`: the ones a case was filed under. */
int rules_of_case(struct store *s, const char *kind, const char *from,
		  struct case_rules **out, struct err *e);

/* Stores each built-in rules file whose (kind, effective date) the store lacks, so that
 * `rules list` shows what is in force; never replaces an imported file. */
int rules_install_builtin(struct store *s, struct err *e);

/* Checks the rules file at `path` (core/case_rules.h: `rules.invalid` naming the member)
 * and stores it under its kind and effective date, replacing a file of the same two, in
 * one transaction with its audit entry (`rules.import`).  A publicity regime must take
 * effect after today (`rules.in_force`).  Only the console may.  *out:
 * {"kind", "name", "effective_from", "replaced"}. */
int rules_import(struct store *s, const struct principal *who, const char *path,
		 json_t **out, struct err *e);

/* {"rules": [{"kind", "name", "effective_from", "imported_at", "imported_by",
 * "in_force"}]}: every stored file, and the built-in ones not stored. */
int rules_list(struct store *s, json_t **out, struct err *e);

/* The rules of `kind` in force today, whole: {"kind", "effective_from", "rules": {...}}. */
int rules_show(struct store *s, const char *kind, json_t **out, struct err *e);

/* Every publicity regime (core/publicity_period.h): the built-in ones and the files of
 * kind "publicity" an operator imported, by effective date.  *set is the caller's
 * (publicity_regimes_free), also filled on failure's cleanup. */
int rules_publicity_regimes(struct store *s, struct publicity_regimes *set, struct err *e);

#endif
