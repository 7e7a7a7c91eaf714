/* mapping.c - matching file columns to catalog fields; see mapping.h. */
#include "mapping.h"

#include "core/buf.h"
#include "core/catalog.h"
#include "core/err.h"
#include "core/text.h"
#include "reader.h"

#include <stdlib.h>
#include <string.h>

/* Builds "key\0key\0...\0\0" for the field's name and aliases. */
static char *mapping_field_keys(const struct catalog_field *f)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i <= f->naliases; i++) {
		char *k = text_header_key(i == 0 ? f->name : f->aliases[i - 1]);

		if (k) {
			buf_append(&b, k, strlen(k) + 1);
			free(k);
		}
	}
	buf_putc(&b, '\0');
	return buf_detach(&b);
}

int mapping_init(struct mapping *m, const struct category *cat, struct err *e)
{
	size_t i;

	memset(m, 0, sizeof *m);
	m->cat = cat;
	m->field_keys = calloc(cat->nfields, sizeof *m->field_keys);
	m->field_col = malloc(cat->nfields * sizeof *m->field_col);
	if (!m->field_keys || !m->field_col)
		goto oom;
	for (i = 0; i < cat->nfields; i++) {
		m->field_col[i] = -1;
		if (!(m->field_keys[i] = mapping_field_keys(&cat->fields[i])))
			goto oom;
	}
	return 0;
oom:
	mapping_free(m);
	return err_set(e, "internal.error", "内存不足");
}

static int mapping_match(const struct mapping *m, const char *column)
{
	char *key = text_header_key(column);
	int found = -1;
	size_t i;

	for (i = 0; key && found < 0 && i < m->cat->nfields; i++) {
		const char *k;

		for (k = m->field_keys[i]; *k; k += strlen(k) + 1)
			if (strcmp(k, key) == 0) {
				found = (int)i;
				break;
			}
	}
	free(key);
	return found;
}

int mapping_update(struct mapping *m, const struct reader *r, struct err *e)
{
	size_t n = reader_column_count(r);

	if (n > m->capcols) {
		int *p = realloc(m->col_field, n * sizeof *p);

		if (!p)
			return err_set(e, "internal.error", "内存不足");
		m->col_field = p;
		m->capcols = n;
	}
	for (; m->ncols < n; m->ncols++) {
		int f = mapping_match(m, reader_column_name(r, m->ncols));

		m->col_field[m->ncols] = f;
		if (f >= 0 && m->field_col[f] < 0)
			m->field_col[f] = (int)m->ncols;
	}
	return 0;
}

int mapping_count_required(const struct mapping *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->cat->nfields; i++)
		if ((m->cat->fields[i].required || m->cat->fields[i].required_if_field >= 0) &&
		    m->field_col[i] >= 0)
			n++;
	return n;
}

int mapping_count_columns(const struct mapping *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->ncols; i++)
		if (m->col_field[i] >= 0)
			n++;
	return n;
}

void mapping_describe_expected(const struct category *cat, struct buf *b)
{
	size_t i;
	int first = 1;

	for (i = 0; i < cat->nfields; i++) {
		if (!cat->fields[i].required && cat->fields[i].required_if_field < 0)
			continue;
		buf_printf(b, "%s%s", first ? "" : "、", cat->fields[i].name);
		first = 0;
	}
}

void mapping_free(struct mapping *m)
{
	size_t i;

	for (i = 0; m->field_keys && i < m->cat->nfields; i++)
		free(m->field_keys[i]);
	free(m->field_keys);
	free(m->col_field);
	free(m->field_col);
	memset(m, 0, sizeof *m);
}
