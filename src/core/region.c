/*
 * region.c - lookups over the division table that scripts/gen_regions.py generates from
 * the CSV files in data/regions/ at build time (regions_table.c); see region.h.
 */
#include "region.h"

#include <string.h>

/* Defined in the generated regions_table.c: the table is sorted by code (byte order equals
 * numeric order for six ASCII digits), and region_county_index[] lists, in code order, the
 * table positions of the county-level entries. */
extern const struct region region_table[];
extern const int region_table_size;
extern const unsigned short region_county_index[];
extern const int region_county_size;

/* Exactly six ASCII digits and then the end of the string: anything else cannot be a
 * division code, and refusing it here keeps the binary search free of surprises. */
static int region_code_is_valid(const char *code6)
{
	int i;

	if (!code6)
		return 0;
	for (i = 0; i < 6; i++)
		if (code6[i] < '0' || code6[i] > '9')
			return 0;
	return code6[6] == '\0';
}

const struct region *region_lookup(const char *code6)
{
	int lo = 0, hi = region_table_size - 1;

	if (!region_code_is_valid(code6))
		return NULL;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int c = memcmp(code6, region_table[mid].code, 6);

		if (c == 0)
			return &region_table[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

int region_county_count(void)
{
	return region_county_size;
}

const struct region *region_county_at(int i)
{
	if (i < 0 || i >= region_county_size)
		return NULL;
	return &region_table[region_county_index[i]];
}
