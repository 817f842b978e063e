/* sha256.c - SHA-256: one-shot through OpenSSL's libcrypto, incremental
 * through libsodium. */
#include "sha256.h"

#include <openssl/sha.h>
#include <sodium.h>
#include <string.h>

_Static_assert(sizeof(crypto_hash_sha256_state) <=
                   sizeof(((struct sha256 *)0)->state),
               "struct sha256 too small for libsodium's state");

void
sha256_init(struct sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)h->state);
}

void
sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)h->state, buf,
	                          len);
}

void
sha256_final_hex(struct sha256 *h, char *hex)
{
	unsigned char out[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final((crypto_hash_sha256_state *)h->state, out);
	sodium_bin2hex(hex, SHA256_HEX_LEN + 1, out, sizeof(out));
}

/* Every article is hashed this way, by ingestd before leasing it and by
 * the worker on receipt: libcrypto uses the CPU's SHA extensions where
 * there are some (4 us for 6.5 KB against libsodium's portable 19 us). Its
 * incremental API wants a context freed after use, which sha256_update()'s
 * callers (reading files in chunks) would have to manage, so they stay on
 * libsodium; the unit test checks that both agree. */
void
sha256_hex(const void *buf, size_t len, char *hex)
{
	unsigned char out[SHA256_DIGEST_LENGTH];

	SHA256(buf, len, out);
	sodium_bin2hex(hex, SHA256_HEX_LEN + 1, out, sizeof(out));
}

bool
sha256_valid_hex(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++)
		if (i >= SHA256_HEX_LEN || !((s[i] >= '0' && s[i] <= '9') ||
		                             (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == SHA256_HEX_LEN;
}
