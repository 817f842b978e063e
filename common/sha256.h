/* sha256.h - article ids: SHA-256 of the raw bytes as 64 lowercase hex
 * digits (one-shot: OpenSSL's libcrypto, the only user of its headers;
 * incremental: libsodium's crypto_hash_sha256, the only user of
 * <sodium.h> besides mq.c's key handling).
 *
 * Does not: read files (callers stream their bytes through update). */
#ifndef COMMON_SHA256_H
#define COMMON_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

/* Incremental hashing; the state is plain memory, no cleanup needed.
 * Aligned like libsodium's crypto_hash_sha256_state (104 bytes). */
struct sha256 {
	_Alignas(16) unsigned char state[128];
};

void sha256_init(struct sha256 *h);
void sha256_update(struct sha256 *h, const void *buf, size_t len);
/* Writes 64 hex digits and a NUL into hex (at least 65 bytes). */
void sha256_final_hex(struct sha256 *h, char *hex);
/* One-shot: hex of buf. */
void sha256_hex(const void *buf, size_t len, char *hex);
/* true when s is exactly 64 lowercase hex digits. */
bool sha256_valid_hex(const char *s);

#endif
