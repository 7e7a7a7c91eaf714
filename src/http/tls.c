/*
 * tls.c - reads and checks the HTTPS certificate and key (tls.h).
 *
 * libmicrohttpd only says "the daemon did not start" when GnuTLS refuses its
 * certificate, which an operator cannot tell from a port already taken.  So the files
 * are checked here first, with GnuTLS itself (the library libmicrohttpd hands them to),
 * one at a time and then as a pair, and each failure names the file and the problem.
 *
 * The key text stays in memory for as long as the daemon runs (libmicrohttpd keeps the
 * pointer it was given), in one buffer that is never reallocated, so that wiping it on
 * release leaves no copy behind.
 */
#include "http/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"

/* A certificate chain is a few KiB; anything far larger is the wrong file. */
#define TLS_PEM_MAX (1u << 20)

static void tls_wipe_free(char *text, size_t len)
{
	if (!text)
		return;
	sodium_memzero(text, len);
	free(text);
}

/* Reads the whole of a regular file into a NUL-terminated buffer allocated once. */
static int tls_read_file(const char *path, const char *what, char **out, size_t *len,
			 struct err *e)
{
	struct stat st;
	char why[128];
	char *text = NULL;
	size_t size, got = 0;
	int fd, saved;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		return err_set(e, "config.tls", "无法读取%s文件“%s”：%s", what, path,
			       strerror_r(saved, why, sizeof why));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "config.tls", "%s文件“%s”不是普通文件", what, path);
	}
	if (st.st_size > (off_t)TLS_PEM_MAX) {
		close(fd);
		return err_set(e, "config.tls", "%s文件“%s”过大（超过 %u 字节），不像 PEM 文件",
			       what, path, TLS_PEM_MAX);
	}
	size = (size_t)st.st_size;
	text = malloc(size + 1);
	if (!text) {
		close(fd);
		return err_set(e, "config.tls", "读取%s文件“%s”时内存不足", what, path);
	}
	while (got < size) {
		ssize_t n = read(fd, text + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			tls_wipe_free(text, size + 1);
			return err_set(e, "config.tls", "无法读取%s文件“%s”：%s", what, path,
				       strerror_r(saved, why, sizeof why));
		}
		if (n == 0)
			break; /* the file shrank since fstat: use what is there */
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	*out = text;
	*len = got;
	return 0;
}

/* The PEM shape: text (no NUL, which would end it early for libmicrohttpd) holding a
 * block of the expected kind: `needle` is found in its BEGIN line, `label` names it. */
static int tls_check_pem(const char *text, size_t len, const char *path, const char *what,
			 const char *needle, const char *label, struct err *e)
{
	if (len == 0 || strspn(text, " \t\r\n") == len)
		return err_set(e, "config.tls", "%s文件“%s”为空", what, path);
	if (memchr(text, '\0', len) || !strstr(text, "-----BEGIN "))
		return err_set(e, "config.tls",
			       "%s文件“%s”不是 PEM 格式（应以 -----BEGIN 开头；DER 格式请先用 "
			       "openssl 转换）",
			       what, path);
	if (!strstr(text, needle))
		return err_set(e, "config.tls", "%s文件“%s”中没有 %s（是否把证书和私钥弄反了？）",
			       what, path, label);
	return 0;
}

static int tls_check_cert(const char *text, size_t len, const char *path, struct err *e)
{
	gnutls_datum_t d = { (unsigned char *)text, (unsigned)len };
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = 0, i;
	int rc;

	if (tls_check_pem(text, len, path, "HTTPS 证书", "-----BEGIN CERTIFICATE-----",
			  "BEGIN CERTIFICATE 块", e) < 0)
		return -1;
	rc = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0)
		return err_set(e, "config.tls", "HTTPS 证书文件“%s”无法解析：%s", path,
			       gnutls_strerror(rc));
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return 0;
}

static int tls_check_key(const char *text, size_t len, const char *path, struct err *e)
{
	gnutls_datum_t d = { (unsigned char *)text, (unsigned)len };
	gnutls_x509_privkey_t key;
	int rc;

	if (tls_check_pem(text, len, path, "HTTPS 私钥", "PRIVATE KEY-----", "PRIVATE KEY 块",
			  e) < 0)
		return -1;
	if (strstr(text, "ENCRYPTED"))
		return err_set(e, "config.tls",
			       "HTTPS 私钥文件“%s”已加密：请提供不加密的私钥，并用文件权限保护它",
			       path);
	if (gnutls_x509_privkey_init(&key) < 0)
		return err_set(e, "config.tls", "读取 HTTPS 私钥时内存不足");
	rc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_x509_privkey_deinit(key);
	if (rc < 0)
		return err_set(e, "config.tls", "HTTPS 私钥文件“%s”无法解析：%s", path,
			       gnutls_strerror(rc));
	return 0;
}

/* What libmicrohttpd will do with the pair: any refusal here would stop the daemon. */
static int tls_check_pair(const struct tls_pair *pair, const char *cert_path,
			  const char *key_path, struct err *e)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert = { (unsigned char *)pair->cert, (unsigned)strlen(pair->cert) };
	gnutls_datum_t key = { (unsigned char *)pair->key, (unsigned)pair->key_len };
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return err_set(e, "config.tls", "检查 HTTPS 证书时内存不足");
	rc = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL,
						  0);
	gnutls_certificate_free_credentials(cred);
	if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
		return err_set(e, "config.tls", "HTTPS 证书“%s”与私钥“%s”不匹配", cert_path,
			       key_path);
	if (rc < 0)
		return err_set(e, "config.tls", "HTTPS 证书“%s”和私钥“%s”无法使用：%s", cert_path,
			       key_path, gnutls_strerror(rc));
	return 0;
}

int tls_load_pair(const char *cert_path, const char *key_path, struct tls_pair *pair,
		  struct err *e)
{
	size_t cert_len;

	memset(pair, 0, sizeof *pair);
	if (!cert_path && !key_path)
		return 0;
	if (!cert_path || !*cert_path)
		return err_set(e, "config.tls", "启用 HTTPS 需要同时提供证书和私钥：缺少证书文件");
	if (!key_path || !*key_path)
		return err_set(e, "config.tls", "启用 HTTPS 需要同时提供证书和私钥：缺少私钥文件");
	if (tls_read_file(cert_path, "HTTPS 证书", &pair->cert, &cert_len, e) < 0 ||
	    tls_check_cert(pair->cert, cert_len, cert_path, e) < 0 ||
	    tls_read_file(key_path, "HTTPS 私钥", &pair->key, &pair->key_len, e) < 0 ||
	    tls_check_key(pair->key, pair->key_len, key_path, e) < 0 ||
	    tls_check_pair(pair, cert_path, key_path, e) < 0) {
		tls_clear_pair(pair);
		return -1;
	}
	return 0;
}

void tls_clear_pair(struct tls_pair *pair)
{
	free(pair->cert);
	tls_wipe_free(pair->key, pair->key_len + 1);
	memset(pair, 0, sizeof *pair);
}
