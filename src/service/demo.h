/*
 * demo.h - realistic synthetic data: companies with valid unified social credit codes in
 * Zhaoqing's real divisions, plausible names, registration basics, licences and
 * penalties from several departments over several years, a few entries on the
 * abnormal-operation and serious-dishonesty lists, and data of the two non-public levels:
 * social insurance arrears (shared) for about one company in ten, utility payments
 * (authorized) for about one subject in four, persons included.
 *
 * The departments (six city bureaus, and the two that submit the non-public levels) are
 * named in the department directory with their short names, division 441200, sector
 * (行业领域) and contact.
 *
 * The data goes through the real ingestion pipeline (as CSV files in the national
 * layout), so a demo database is exactly what departments' files would produce.
 */
#ifndef XY_SERVICE_DEMO_H
#define XY_SERVICE_DEMO_H

#include <jansson.h>
#include <stdio.h>

struct err;
struct store;

struct demo_options {
	int subjects;      /* companies to create (persons are added at 1 in 20) */
	unsigned long seed;/* the same seed gives the same data */
};

/* Generates and ingests the demo data; *summary lists the batches. */
int demo_generate(struct store *s, const struct demo_options *opts, json_t **summary,
		  struct err *e);

/* The demo accounts' password (demo databases only: docs/operations.md). */
#define DEMO_PASSWORD "Demo-Xinyong-2026"

/* Adds the demo's accounts (demo-company, demo-operator, demo-handler) and objections in
 * every state to a database demo_generate filled; notes them in summary ("accounts",
 * "cases").  A demo too small to hold a company with penalties gets neither. */
int demo_generate_cases(struct store *s, json_t *summary, struct err *e);

/* Writes `rows` penalty records as a UTF-8 CSV in the national 双公示 layout, for
 * benchmarks and tests: about three records per subject, all valid. */
int demo_write_penalties(FILE *out, long rows, unsigned long seed, struct err *e);

#endif
