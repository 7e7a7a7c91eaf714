/*
 * audit_checkpoint.c - the audit signing key file, and Ed25519 checkpoints and prune
 * anchors; see audit_checkpoint.h.
 */
#include "audit_checkpoint.h"

#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECKPOINT_TAG "xinyong-audit-checkpoint v1"
#define ANCHOR_TAG "xinyong-audit-anchor v1"
#define KEY_SEED_BYTES crypto_sign_SEEDBYTES
#define KEY_FILE_MAX 256 /* a seed line is 65 bytes; anything far larger is not a key file */

/* ---- Small checks ---------------------------------------------------------------------- */

/* Non-zero when s is exactly n lowercase hex characters. */
static int checkpoint_is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/* The timestamp is one token of the text form, so it may hold no space. */
static int checkpoint_at_is_valid(const char *at)
{
	size_t i;

	for (i = 0; at[i]; i++)
		if (at[i] < 0x21 || at[i] > 0x7e || i + 1 >= AUDIT_AT_MAX)
			return 0;
	return i > 0;
}

static int checkpoint_message(long long seq, const char *head, const char *at, char *buf,
			      size_t size)
{
	return snprintf(buf, size, CHECKPOINT_TAG "\nseq=%lld\nhead=%s\nat=%s\n", seq, head, at);
}

static int anchor_message(const struct audit_anchor *a, char *buf, size_t size)
{
	return snprintf(buf, size, ANCHOR_TAG "\nseq=%lld\nhead=%s\nentry_at=%s\npruned_at=%s\n",
			a->seq, a->hash, a->entry_at, a->pruned_at);
}

/* ---- The key file ---------------------------------------------------------------------- */

/* Derives the key pair from the hex seed in text[0..len) (trailing whitespace allowed). */
static int key_from_text(const char *path, const char *text, size_t len,
			 struct audit_keypair *out, struct err *e)
{
	unsigned char seed[KEY_SEED_BYTES];
	size_t bin_len = 0;
	int rc;

	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
			   text[len - 1] == '\t'))
		len--;
	if (len != 2 * KEY_SEED_BYTES)
		return err_set(e, "audit.key",
			       "审计签名密钥文件“%s”内容有误：应为一行 64 位十六进制字符", path);
	rc = sodium_hex2bin(seed, sizeof seed, text, len, NULL, &bin_len, NULL);
	if (rc != 0 || bin_len != sizeof seed) {
		sodium_memzero(seed, sizeof seed);
		return err_set(e, "audit.key", "审计签名密钥文件“%s”内容有误：含有非十六进制字符",
			       path);
	}
	crypto_sign_seed_keypair(out->pk, out->sk, seed);
	sodium_memzero(seed, sizeof seed);
	return 0;
}

/* Reads and checks the key file.  *missing is set when it does not exist. */
static int key_read(const char *path, struct audit_keypair *out, int *missing, struct err *e)
{
	char text[KEY_FILE_MAX + 1];
	char why[128];
	struct stat st;
	size_t got = 0;
	int fd, saved, result = -1;

	*missing = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		saved = errno;
		*missing = fd < 0 && saved == ENOENT;
		err_set(e, "audit.key", "无法读取审计签名密钥文件“%s”：%s", path,
			strerror_r(saved, why, sizeof why));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, "audit.key", "审计签名密钥文件“%s”不是普通文件", path);
		goto out;
	}
	if (st.st_mode & 077) {
		err_set(e, "audit.key",
			"审计签名密钥文件“%s”的权限过宽（%04o）："
			"同组或其他用户可以访问，请改为 0600",
			path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, text + got, sizeof text - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			err_set(e, "audit.key", "无法读取审计签名密钥文件“%s”：%s", path,
				strerror_r(saved, why, sizeof why));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == sizeof text) {
			err_set(e, "audit.key", "审计签名密钥文件“%s”过大，不像密钥文件", path);
			goto out;
		}
	}
	result = key_from_text(path, text, got, out, e);
out:
	sodium_memzero(text, sizeof text);
	if (fd >= 0)
		close(fd);
	return result;
}

static int key_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Makes the new file's directory entry durable.  Best effort: some file systems refuse
 * fsync on a directory, and the file's own content is already on disk. */
static void key_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash) {
		memcpy(dir, ".", 2);
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/* Creates the key file with a new seed.  *exists is set when another file got there first. */
static int key_create(const char *path, struct audit_keypair *out, int *exists, struct err *e)
{
	unsigned char seed[KEY_SEED_BYTES];
	char line[2 * KEY_SEED_BYTES + 2];
	char why[128];
	int fd, saved, result = -1;

	*exists = 0;
	randombytes_buf(seed, sizeof seed);
	sodium_bin2hex(line, sizeof line, seed, sizeof seed);
	line[2 * KEY_SEED_BYTES] = '\n'; /* replaces the NUL: the file holds 65 bytes */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		saved = errno;
		*exists = saved == EEXIST;
		err_set(e, "audit.key", "无法创建审计签名密钥文件“%s”：%s", path,
			strerror_r(saved, why, sizeof why));
		goto out;
	}
	if (key_write_all(fd, line, 2 * KEY_SEED_BYTES + 1) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		fd = -1;
		unlink(path); /* a half-written key must not be loaded next time */
		err_set(e, "audit.key", "无法写入审计签名密钥文件“%s”：%s", path,
			strerror_r(saved, why, sizeof why));
		goto out;
	}
	key_sync_dir(path);
	crypto_sign_seed_keypair(out->pk, out->sk, seed);
	result = 0;
out:
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(line, sizeof line);
	if (fd >= 0 && close(fd) < 0 && result == 0) {
		saved = errno;
		result = err_set(e, "audit.key", "无法写入审计签名密钥文件“%s”：%s", path,
				 strerror_r(saved, why, sizeof why));
	}
	return result;
}

int audit_key_load(const char *path, int create, struct audit_keypair *out, struct err *e)
{
	struct audit_keypair kp;
	int missing, exists, result;

	if (sodium_init() < 0)
		return err_set(e, "audit.key", "密码库 libsodium 初始化失败");
	result = key_read(path, &kp, &missing, e);
	if (result < 0 && missing && create) {
		result = key_create(path, &kp, &exists, e);
		if (result < 0 && exists)
			result = key_read(path, &kp, &missing, e);
	}
	if (result == 0)
		*out = kp;
	audit_key_wipe(&kp);
	return result;
}

void audit_key_public_hex(const struct audit_keypair *kp, char out[AUDIT_KEY_HEX])
{
	sodium_bin2hex(out, AUDIT_KEY_HEX, kp->pk, sizeof kp->pk);
}

void audit_key_wipe(struct audit_keypair *kp)
{
	sodium_memzero(kp, sizeof *kp);
}

/* ---- Checkpoints ----------------------------------------------------------------------- */

int audit_checkpoint_sign(const struct audit_keypair *kp, long long seq, const char *head_hash,
			  const char *at, struct audit_checkpoint *out)
{
	struct audit_checkpoint c;
	unsigned char sig[crypto_sign_BYTES];
	char msg[256];
	int len;

	if (seq < 0 || !head_hash || !checkpoint_is_hex(head_hash, AUDIT_HASH_HEX - 1) || !at ||
	    !checkpoint_at_is_valid(at) || sodium_init() < 0)
		return -1;
	memset(&c, 0, sizeof c);
	c.seq = seq;
	memcpy(c.head_hash, head_hash, AUDIT_HASH_HEX);
	memcpy(c.at, at, strlen(at) + 1);
	len = checkpoint_message(seq, head_hash, at, msg, sizeof msg);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (unsigned long long)len,
			     kp->sk);
	audit_key_public_hex(kp, c.public_key);
	sodium_bin2hex(c.signature, sizeof c.signature, sig, sizeof sig);
	*out = c;
	return 0;
}

/* Decodes the statement's public key (`what` names the statement in messages) into pk;
 * when trusted_pk_hex is not NULL, the key must be that one. */
static int signed_key(const char *what, const char *pk_hex, const char *trusted_pk_hex,
		      unsigned char pk[crypto_sign_PUBLICKEYBYTES], struct err *e)
{
	unsigned char trusted[crypto_sign_PUBLICKEYBYTES];
	size_t n;

	if (sodium_init() < 0)
		return err_set(e, "internal.error", "密码库 libsodium 初始化失败");
	if (!checkpoint_is_hex(pk_hex, AUDIT_KEY_HEX - 1) ||
	    sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, pk_hex, AUDIT_KEY_HEX - 1, NULL, &n,
			   NULL) != 0)
		return err_set(e, "audit.key", "%s的公钥格式有误", what);
	if (trusted_pk_hex) {
		if (strlen(trusted_pk_hex) != AUDIT_KEY_HEX - 1 ||
		    sodium_hex2bin(trusted, sizeof trusted, trusted_pk_hex, AUDIT_KEY_HEX - 1, NULL,
				   &n, NULL) != 0 || n != sizeof trusted)
			return err_set(e, "audit.key",
				       "受信任的审计公钥格式有误：应为 64 位十六进制字符");
		if (sodium_memcmp(pk, trusted, sizeof trusted) != 0)
			return err_set(e, "audit.key",
				       "%s由另一把密钥签名（%.16s…），不是受信任的审计公钥", what,
				       pk_hex);
	}
	return 0;
}

/* Checks sig_hex over msg[0..len) with pk: 0 valid, -1 malformed, -2 does not match. */
static int signed_check(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], const char *sig_hex,
			const char *msg, int len)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t n;

	if (!checkpoint_is_hex(sig_hex, AUDIT_SIGNATURE_HEX - 1) ||
	    sodium_hex2bin(sig, sizeof sig, sig_hex, AUDIT_SIGNATURE_HEX - 1, NULL, &n, NULL) != 0)
		return -1;
	if (len < 0 ||
	    crypto_sign_verify_detached(sig, (const unsigned char *)msg, (unsigned long long)len,
					pk) != 0)
		return -2;
	return 0;
}

int audit_checkpoint_verify(const struct audit_checkpoint *c, const char *trusted_pk_hex,
			    struct err *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char msg[256];
	int rc;

	if (signed_key("检查点", c->public_key, trusted_pk_hex, pk, e) < 0)
		return -1;
	if (c->seq < 0 || !checkpoint_is_hex(c->head_hash, AUDIT_HASH_HEX - 1) ||
	    !checkpoint_at_is_valid(c->at))
		return err_set(e, "audit.broken", "检查点内容格式有误");
	rc = signed_check(pk, c->signature, msg,
			  checkpoint_message(c->seq, c->head_hash, c->at, msg, sizeof msg));
	if (rc == -1)
		return err_set(e, "audit.broken", "检查点的签名格式有误");
	if (rc < 0)
		return err_set(e, "audit.broken",
			       "第 %lld 条的审计检查点签名无效：内容被改动或签名有误", c->seq);
	return 0;
}

/* ---- Prune anchors --------------------------------------------------------------------- */

static int anchor_is_valid(const struct audit_anchor *a)
{
	return a->seq >= 0 && checkpoint_is_hex(a->hash, AUDIT_HASH_HEX - 1) &&
	       checkpoint_at_is_valid(a->entry_at) && checkpoint_at_is_valid(a->pruned_at);
}

int audit_anchor_sign(const struct audit_keypair *kp, struct audit_anchor *a)
{
	unsigned char sig[crypto_sign_BYTES];
	char msg[256];
	int len;

	if (!anchor_is_valid(a) || sodium_init() < 0)
		return -1;
	len = anchor_message(a, msg, sizeof msg);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, (unsigned long long)len,
			     kp->sk);
	audit_key_public_hex(kp, a->public_key);
	sodium_bin2hex(a->signature, sizeof a->signature, sig, sizeof sig);
	return 0;
}

int audit_anchor_verify(const struct audit_anchor *a, const char *trusted_pk_hex,
			struct err *e)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char msg[256];
	int rc;

	if (!a->signature[0] && !a->public_key[0])
		return err_set(e, "audit.broken",
			       "清理锚点没有签名：可能是删除了最早的记录后伪造的锚点");
	if (signed_key("清理锚点", a->public_key, trusted_pk_hex, pk, e) < 0)
		return -1;
	if (!anchor_is_valid(a))
		return err_set(e, "audit.broken", "清理锚点内容格式有误");
	rc = signed_check(pk, a->signature, msg, anchor_message(a, msg, sizeof msg));
	if (rc == -1)
		return err_set(e, "audit.broken", "清理锚点的签名格式有误");
	if (rc < 0)
		return err_set(e, "audit.broken", "清理锚点签名无效：锚点被改动或伪造");
	return 0;
}

int audit_checkpoint_format(const struct audit_checkpoint *c, char *out, size_t size)
{
	int n = snprintf(out, size, CHECKPOINT_TAG " seq=%lld head=%s at=%s key=%s sig=%s", c->seq,
			 c->head_hash, c->at, c->public_key, c->signature);

	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

/* Reads " name=value" at *s into out (cap bytes with NUL); the value runs to the next
 * space or the end.  Advances *s past it. */
static int checkpoint_take(const char **s, const char *name, char *out, size_t cap)
{
	size_t nlen = strlen(name), vlen;
	const char *v;

	if ((*s)[0] != ' ' || strncmp(*s + 1, name, nlen) != 0 || (*s)[1 + nlen] != '=')
		return -1;
	v = *s + 2 + nlen;
	vlen = strcspn(v, " ");
	if (vlen == 0 || vlen >= cap)
		return -1;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	*s = v + vlen;
	return 0;
}

/* seq: decimal digits, no sign, no leading zero, no overflow. */
static int checkpoint_parse_seq(const char *s, long long *out)
{
	long long v = 0;
	size_t i;

	if (s[0] == '0' && s[1] != '\0')
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (LLONG_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return i > 0 ? 0 : -1;
}

int audit_checkpoint_parse(const char *line, struct audit_checkpoint *out, struct err *e)
{
	struct audit_checkpoint c;
	char text[AUDIT_CHECKPOINT_LINE];
	char seq[24];
	const char *s;
	size_t len = strlen(line);

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof text)
		goto bad;
	memcpy(text, line, len);
	text[len] = '\0';
	if (strncmp(text, CHECKPOINT_TAG, strlen(CHECKPOINT_TAG)) != 0)
		goto bad;
	memset(&c, 0, sizeof c);
	s = text + strlen(CHECKPOINT_TAG);
	if (checkpoint_take(&s, "seq", seq, sizeof seq) < 0 ||
	    checkpoint_take(&s, "head", c.head_hash, sizeof c.head_hash) < 0 ||
	    checkpoint_take(&s, "at", c.at, sizeof c.at) < 0 ||
	    checkpoint_take(&s, "key", c.public_key, sizeof c.public_key) < 0 ||
	    checkpoint_take(&s, "sig", c.signature, sizeof c.signature) < 0 || *s != '\0')
		goto bad;
	if (checkpoint_parse_seq(seq, &c.seq) < 0 ||
	    !checkpoint_is_hex(c.head_hash, AUDIT_HASH_HEX - 1) || !checkpoint_at_is_valid(c.at) ||
	    !checkpoint_is_hex(c.public_key, AUDIT_KEY_HEX - 1) ||
	    !checkpoint_is_hex(c.signature, AUDIT_SIGNATURE_HEX - 1))
		goto bad;
	*out = c;
	return 0;
bad:
	return err_set(e, "request.invalid",
		       "审计检查点格式有误：应为“" CHECKPOINT_TAG
		       " seq=序号 head=哈希 at=时间 key=公钥 sig=签名”，十六进制用小写");
}
