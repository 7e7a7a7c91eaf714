/*
 * mask.h - masking personal identifiers and names for public output.
 *
 * A natural person's document number or name is personal information: public pages and
 * exports show only enough of it to tell two people apart.  Pure functions; the caller
 * owns `out`.
 */
#ifndef XY_MASK_H
#define XY_MASK_H

#include <stddef.h>

/* Masks a document number, counting UTF-8 characters (each masked character becomes one
 * '*'):
 *   - 18 characters (resident ID): keeps the first 4 and the last 4;
 *   - 15 characters (old resident ID): keeps the first 4 and the last 3;
 *   - any other number of 8 or more characters: keeps the first 2 and the last 2;
 *   - 2 to 7 characters: keeps only the last one; a single character becomes "*".
 * An invalid UTF-8 byte counts as one character and, where kept, is written as U+FFFD, so
 * the result is always valid UTF-8.  Writes at most `size` bytes, always NUL-terminated
 * when size > 0; when out is too small the result is cut on a character boundary.
 * NULL or "" gives "". */
void mask_identifier(const char *id, char *out, size_t size);

/* Keeps a name's first character and writes '*' for each following one: "张三丰" ->
 * "张**", "欧阳娜娜" -> "欧***"; a one-character name becomes "*".  Same UTF-8, size
 * and NULL rules as mask_identifier. */
void mask_person_name(const char *name, char *out, size_t size);

#endif
