/*
 * rejects_csv.h - the one writer of the rejects CSV (docs/data-formats.md), shared by
 * `xinyong ingest --rejects` and GET /api/v1/batches/{id}/rejects?format=csv.
 *
 * RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, its
 * quotes doubled.  Department staff open the file in a spreadsheet, and a field and a
 * message quote what the department's file said: a text that begins like a formula
 * (=, +, -, @, TAB, CR) gets a leading apostrophe, so that the spreadsheet shows it and
 * never runs it.
 */
#ifndef XY_REJECTS_CSV_H
#define XY_REJECTS_CSV_H

#include "core/buf.h"

#define REJECTS_CSV_HEADER "row,field,reason,message\r\n"

/* Appends one line.  NULL strings are written empty.  Returns buf's state (0, or -1
 * once it failed to grow). */
int rejects_csv_line(struct buf *out, long row, const char *field, const char *reason,
		     const char *message);

/* Whether rejects_csv_line would put an apostrophe before `text`. */
int rejects_csv_is_formula(const char *text);

#endif
