/*
 * request_head.h - the server's own judgments of a request head, made before any
 * handler runs: the method, the declared body length, the path of a static file.
 *
 * libmicrohttpd splits the head into method, target and headers and decodes the path;
 * what it accepts is judged here.  Pure functions of their arguments, so that the
 * libFuzzer target fuzz/fuzz_http_head.c can drive them with any bytes.
 */
#ifndef XY_REQUEST_HEAD_H
#define XY_REQUEST_HEAD_H

#include <stddef.h>

/* The longest method kept (the request's copy holds it and a NUL). */
#define HTTP_METHOD_MAX 15

/* 1 when method is an HTTP token (RFC 9110, 5.6.2: ASCII letters, digits and
 * "!#$%&'*+-.^_`|~") of 1..HTTP_METHOD_MAX characters, else 0.  Anything else is no
 * method any route knows, and could not be quoted in a JSON error document. */
int http_head_method_ok(const char *method);

/* Reads a Content-Length value: decimal digits only, no sign, no spaces.  Returns 0
 * with *out, 1 when the digits are valid but do not fit (*out is then ULLONG_MAX: over
 * any limit), or -1 when the text is no length. */
int http_head_parse_length(const char *text, unsigned long long *out);

/* 1 when every segment of a decoded path is harmless for the static file route: it
 * starts with "/", no segment is "." or ".." or starts with a dot (.git, .env), and it
 * holds no backslash and no control character. */
int http_head_static_path_ok(const char *path);

#endif
