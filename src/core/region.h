/*
 * region.h - administrative division codes (GB/T 2260), from data/regions/ compiled into
 * the program as a sorted constant table (see scripts/gen_regions.py).
 */
#ifndef XY_REGION_H
#define XY_REGION_H

struct region {
	char code[7];     /* six digits */
	const char *name; /* full name, e.g. "广东省肇庆市端州区"; static storage */
};

/* Looks up a six-digit code (province "440000" and city "441200" levels included).
 * Returns NULL for an unknown or malformed code.  The result points into static data. */
const struct region *region_lookup(const char *code6);

/* Number of county-level entries, and the i-th one (for demo data generation). */
int region_county_count(void);
const struct region *region_county_at(int i);

#endif
