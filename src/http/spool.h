/*
 * spool.h - the server's spool directory: where uploads wait on disk until they are
 * ingested, within a quota.
 *
 * Only upload routes spool (router.c, BODY_UPLOAD); JSON bodies stay in memory.  The
 * directory belongs to the platform's server alone: it is created with mode 0700, and
 * an existing one must be a real directory (not a symbolic link) owned by the server's
 * user, so that nobody else on the machine can read an upload or plant a file there.
 *
 * Files are named "upload-PID-XXXXXX[.ext]".  A server that crashed leaves its files
 * behind; spool_open removes every file whose PID is not a running process (or is the
 * opener's own, which can only be a dead predecessor's), so two servers may share a
 * directory without removing each other's uploads.
 *
 * The quota counts the bytes reserved by uploads in flight: an upload with a declared
 * length reserves it whole before a byte is read, a chunked one piece by piece.  The
 * functions are thread-safe.
 */
#ifndef XY_SPOOL_H
#define XY_SPOOL_H

#include <stddef.h>

struct err;
struct spool;

/* Opens (creating when missing) the spool directory `dir` with a quota in bytes
 * (quota > 0) and removes the stale files of dead servers.  The caller frees *out with
 * spool_free.  Fails with `config.spool` (the directory cannot be created, is not a
 * directory, is a symbolic link, belongs to another user) or `internal.error`. */
int spool_open(const char *dir, unsigned long long quota, struct spool **out, struct err *e);
void spool_free(struct spool *sp);

/* Takes n bytes of the quota: 0, or -1 when they do not fit (nothing taken). */
int spool_reserve(struct spool *sp, unsigned long long n);
/* Gives back n bytes taken by spool_reserve. */
void spool_release(struct spool *sp, unsigned long long n);
/* Bytes reserved now, and the quota. */
unsigned long long spool_used(struct spool *sp);
unsigned long long spool_quota(const struct spool *sp);

/* Creates a new empty spool file with the given suffix ("" or ".csv"); its path is
 * written to path[size].  Returns the descriptor (O_CLOEXEC, mode 0600), or -1 with
 * `internal.error`. */
int spool_create(struct spool *sp, const char *suffix, char *path, size_t size,
		 struct err *e);

/* The default directory: "$TMPDIR/xinyong-spool-UID" ("/tmp" without TMPDIR). */
void spool_default_dir(char *out, size_t size);

#endif
