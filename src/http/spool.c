/*
 * spool.c - the spool directory and its quota (spool.h).
 */
#include "http/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

#define SPOOL_PREFIX "upload-"

struct spool {
	char *dir;
	unsigned long long quota;
	pthread_mutex_t lock;
	unsigned long long used;
};

void spool_default_dir(char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, size, "%s/xinyong-spool-%u", tmp && *tmp ? tmp : "/tmp",
		 (unsigned)geteuid());
}

/* Creates dir when missing and checks that it is ours alone: a directory, not a link,
 * owned by us; its mode is narrowed to 0700 if someone widened it. */
static int spool_check_dir(const char *dir, struct err *e)
{
	struct stat st;
	char why[128];
	int fd, rc = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set(e, "config.spool", "无法创建上传暂存目录“%s”：%s", dir,
			       strerror_r(errno, why, sizeof why));
	/* O_NOFOLLOW: a symbolic link planted in a shared /tmp must not redirect uploads. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, "config.spool", "上传暂存目录“%s”无法打开（不是目录或是符号链接）：%s",
			       dir, strerror_r(errno, why, sizeof why));
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid())
		rc = err_set(e, "config.spool", "上传暂存目录“%s”不属于运行服务的用户，拒绝使用", dir);
	else if ((st.st_mode & 077) && fchmod(fd, 0700) < 0)
		rc = err_set(e, "config.spool", "无法把上传暂存目录“%s”的权限改为 0700：%s", dir,
			     strerror_r(errno, why, sizeof why));
	close(fd);
	return rc;
}

/* 1 when `name` is a spool file of a server that no longer runs. */
static int spool_is_stale(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, SPOOL_PREFIX, sizeof SPOOL_PREFIX - 1) != 0)
		return 0;
	pid = strtol(name + sizeof SPOOL_PREFIX - 1, &end, 10);
	if (end == name + sizeof SPOOL_PREFIX - 1 || *end != '-' || pid <= 0)
		return 0;
	if ((pid_t)pid == getpid())
		return 1;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static void spool_remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	unsigned removed = 0;

	if (!d)
		return;
	while ((ent = readdir(d)))
		if (spool_is_stale(ent->d_name) && unlinkat(dirfd(d), ent->d_name, 0) == 0)
			removed++;
	closedir(d);
	if (removed)
		fprintf(stderr, "event=spool_cleanup removed=%u\n", removed);
}

int spool_open(const char *dir, unsigned long long quota, struct spool **out, struct err *e)
{
	struct spool *sp;

	*out = NULL;
	if (spool_check_dir(dir, e) < 0)
		return -1;
	sp = calloc(1, sizeof *sp);
	if (!sp || !(sp->dir = strdup(dir))) {
		free(sp);
		return err_set(e, "internal.error", "内存不足");
	}
	sp->quota = quota;
	pthread_mutex_init(&sp->lock, NULL);
	spool_remove_stale(dir);
	*out = sp;
	return 0;
}

void spool_free(struct spool *sp)
{
	if (!sp)
		return;
	pthread_mutex_destroy(&sp->lock);
	free(sp->dir);
	free(sp);
}

int spool_reserve(struct spool *sp, unsigned long long n)
{
	int rc = -1;

	pthread_mutex_lock(&sp->lock);
	if (n <= sp->quota - sp->used) {
		sp->used += n;
		rc = 0;
	}
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

void spool_release(struct spool *sp, unsigned long long n)
{
	pthread_mutex_lock(&sp->lock);
	sp->used -= n <= sp->used ? n : sp->used;
	pthread_mutex_unlock(&sp->lock);
}

unsigned long long spool_used(struct spool *sp)
{
	unsigned long long n;

	pthread_mutex_lock(&sp->lock);
	n = sp->used;
	pthread_mutex_unlock(&sp->lock);
	return n;
}

unsigned long long spool_quota(const struct spool *sp)
{
	return sp->quota;
}

int spool_create(struct spool *sp, const char *suffix, char *path, size_t size,
		 struct err *e)
{
	char why[128];
	int n, fd;

	n = snprintf(path, size, "%s/" SPOOL_PREFIX "%ld-XXXXXX%s", sp->dir, (long)getpid(),
		     suffix);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			path[0] = '\0';
		return err_set(e, "internal.error", "上传暂存目录路径过长");
	}
	fd = mkostemps(path, (int)strlen(suffix), O_CLOEXEC);
	if (fd < 0) {
		int saved = errno;

		path[0] = '\0';
		return err_set(e, "internal.error", "无法创建上传暂存文件：%s",
			       strerror_r(saved, why, sizeof why));
	}
	return fd;
}
