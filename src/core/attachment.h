/*
 * attachment.h - what a case attachment may be, judged by its bytes alone.
 *
 * An objection (and any other case) carries evidence: a scanned decision, a payment
 * receipt, a photo of a licence.  The platform accepts PDF, JPEG and PNG, recognised by
 * their content, never by the name or Content-Type the client gave, so a text file
 * renamed "x.pdf" is refused.  Each file is at most ATTACHMENT_MAX_BYTES, a step of a
 * case holds at most ATTACHMENT_MAX_PER_STEP, and a file is known by its BLAKE2b-256
 * digest.  The name a client sends (`X-File-Name`) is only ever shown, never used as a
 * path, and attachment_name_clean makes it safe to show.
 *
 * Pure: no I/O, no allocation the caller has to free.
 */
#ifndef XY_ATTACHMENT_H
#define XY_ATTACHMENT_H

#include <stddef.h>

struct err;

#define ATTACHMENT_MAX_BYTES 10485760 /* 10 MB, each file */
#define ATTACHMENT_MAX_PER_STEP 5
/* 32 bytes of BLAKE2b as lower-case hex, and the NUL. */
#define ATTACHMENT_DIGEST_HEX 65
/* A display name holds at most this many characters (code points)... */
#define ATTACHMENT_NAME_CHARS 100
/* ...so this many bytes always hold one, with its NUL. */
#define ATTACHMENT_NAME_SIZE (4 * ATTACHMENT_NAME_CHARS + 1)

/* The media type of data[0..len) by its content: "application/pdf" ("%PDF-" and a
 * version digit, ".", digit, starting within the first 1024 bytes, as PDF readers
 * accept; no "%%EOF" is required), "image/jpeg" (FF D8 FF), "image/png" (the 8-byte
 * signature followed by a complete 13-byte IHDR chunk), or NULL for anything else.
 * The result is a static string.  data may be NULL when len is 0. */
const char *attachment_sniff(const unsigned char *data, size_t len);

/* Checks that data[0..len) may be attached: not empty, at most ATTACHMENT_MAX_BYTES, and
 * of a type attachment_sniff knows.  Returns 0 with *type (may be NULL) set to the
 * static media type, or -1 with e filled: `attachment.type` (empty, or not PDF, JPEG or
 * PNG) or `attachment.too_large`; *type is then left alone. */
int attachment_check(const unsigned char *data, size_t len, const char **type, struct err *e);

/* Checks that a step already holding `count` attachments may take one more.  Returns 0,
 * or -1 with `attachment.too_many` in e. */
int attachment_check_count(size_t count, struct err *e);

/* The BLAKE2b-256 digest of data[0..len) (libsodium crypto_generichash, no key) as 64
 * lower-case hex digits and a NUL, into the caller's hex. */
void attachment_digest(const unsigned char *data, size_t len, char hex[ATTACHMENT_DIGEST_HEX]);

/* Reduces a client-given file name (an `X-File-Name` header, percent-encoded UTF-8 or
 * plain) to a name safe to display and to put in a download's Content-Disposition:
 * percent-decoded (a "%" not followed by two hex digits stays as it is); only what
 * follows the last "/" or "\" (decoded ones count: "%2F" is a separator too); without
 * control characters (C0, DEL, C1) and the bidirectional controls that can make
 * "gpj.exe" read as "exe.jpg"; without bytes that are not valid UTF-8; trimmed of
 * surrounding whitespace; and at most ATTACHMENT_NAME_CHARS characters, cut on a
 * character boundary.  "." and ".." are names of nothing and give "".
 *
 * Writes the result into out (size bytes, ATTACHMENT_NAME_SIZE holds any result; a
 * smaller size cuts the name shorter, still on a character boundary).  Returns its
 * length in bytes, 0 when nothing is left (out is ""), or -1 when size is 0 or raw or
 * out is NULL (out is then untouched). */
int attachment_name_clean(const char *raw, char *out, size_t size);

#endif
