/*
 * static.c - the web pages: files under the web root, for every GET that no API route
 * takes.
 *
 * A path may never leave the web root.  It is refused (as "not found", so that probing
 * learns nothing) when a segment is "." or "..", begins with a dot (.git, .env), or
 * holds a backslash or a control character; libmicrohttpd has already decoded %2e%2e
 * into "..", and the server refuses %00 before routing.  A symbolic link inside the root
 * could still point outside, so the resolved path is checked against the root too.
 *
 * Only regular files are served.  A FIFO would block the thread that opens it (and
 * with it every connection that thread serves), a device could do anything on open,
 * and a directory or socket has nothing to send: the resolved path is looked at with
 * lstat before it is opened, and opened non-blocking so that a FIFO swapped in between
 * cannot block either; the opened file must be the regular file that was looked at.
 */
#include "http/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "http/request_head.h"

struct static_type {
	const char *ext;
	const char *type;
};

static const struct static_type static_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".htm", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".gif", "image/gif" },
	{ ".webp", "image/webp" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".csv", "text/csv; charset=utf-8" },
	{ ".pdf", "application/pdf" },
};

static const char *static_content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot && !strchr(dot, '/'))
		for (i = 0; i < sizeof static_types / sizeof *static_types; i++)
			if (strcasecmp(dot, static_types[i].ext) == 0)
				return static_types[i].type;
	return "application/octet-stream";
}

static int static_not_found(struct err *e)
{
	return err_set(e, "route.not_found", "页面不存在");
}

int http_static_serve(struct http_request *req, struct http_response *res, struct err *e)
{
	const char *root = http_server_web_root(req->srv);
	const char *inm;
	char want[PATH_MAX], *real = NULL;
	size_t rootlen = strlen(root);
	struct stat st, seen;
	struct tm tm;
	int n, fd = -1;

	if (!http_head_static_path_ok(req->path))
		return static_not_found(e);
	n = snprintf(want, sizeof want, "%s%s%s", root, req->path,
		     req->path[strlen(req->path) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof want)
		return static_not_found(e);
	if (stat(want, &st) == 0 && S_ISDIR(st.st_mode)) {
		/* "/docs" names a directory: serve its index, as "/docs/" would. */
		if ((size_t)n + sizeof "/index.html" > sizeof want)
			return static_not_found(e);
		memcpy(want + n, "/index.html", sizeof "/index.html");
	}
	real = realpath(want, NULL);
	if (!real || strncmp(real, root, rootlen) != 0 || real[rootlen] != '/')
		goto not_found;
	if (lstat(real, &seen) < 0 || !S_ISREG(seen.st_mode))
		goto not_found;
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != seen.st_dev ||
	    st.st_ino != seen.st_ino)
		goto not_found;

	/* A weak validator from size and modification time is enough for files that only
	 * change on deployment, and costs no read of the file. */
	snprintf(res->etag, sizeof res->etag, "W/\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec);
	if (gmtime_r(&st.st_mtim.tv_sec, &tm))
		strftime(res->last_modified, sizeof res->last_modified,
			 "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* Pages are revalidated every time, so a deployment shows at once; the rest may be
	 * reused for a few minutes. */
	res->content_type = static_content_type(real);
	res->cache_control = strncmp(res->content_type, "text/html", 9) == 0
				     ? "no-cache"
				     : "public, max-age=300";
	inm = http_request_header(req, "If-None-Match");
	if (inm && strcmp(inm, res->etag) == 0) {
		close(fd);
		res->status = 304;
	} else {
		res->fd = fd;
		res->fd_size = (uint64_t)st.st_size;
		res->status = 200;
	}
	free(real);
	return 0;

not_found:
	if (fd >= 0)
		close(fd);
	free(real);
	return static_not_found(e);
}
