/*
 * markup.h - text into HTML and SVG: the characters that would end it escaped.
 */
#ifndef XY_RENDER_MARKUP_H
#define XY_RENDER_MARKUP_H

struct buf;

/* Appends s (NULL as nothing) with & < > " as entities: safe in element content and in
 * a double-quoted attribute of HTML and SVG. */
void markup_text(struct buf *b, const char *s);

#endif
