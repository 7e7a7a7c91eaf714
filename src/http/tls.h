/*
 * tls.h - the HTTPS certificate and private key of `xinyong serve`, read from PEM files
 * and checked before the daemon starts, so that a wrong file is reported by name
 * (reason `config.tls`) instead of as a daemon that would not start.
 */
#ifndef XY_TLS_H
#define XY_TLS_H

#include <stddef.h>

struct err;

/* Both PEM texts, NUL-terminated as libmicrohttpd wants them (it reads them with strlen).
 * Owned: release with tls_clear_pair, which wipes the key before freeing it. */
struct tls_pair {
	char *cert;
	char *key;
	size_t key_len;
};

/* Reads cert_path (the certificate, optionally followed by its chain) and key_path (an
 * unencrypted private key) and checks that they parse and belong together.  Both paths
 * or neither must be given: with neither, *pair is left empty and 0 returned.  Fails
 * with `config.tls` naming the file and the problem; *pair is then empty. */
int tls_load_pair(const char *cert_path, const char *key_path, struct tls_pair *pair,
		  struct err *e);

/* Wipes the key, frees both texts and empties *pair.  An empty pair is allowed. */
void tls_clear_pair(struct tls_pair *pair);

#endif
