/* sha256_test.c - article ids: FIPS 180-2 / NIST vectors, one-shot equals
 * incremental at every split, hex validation. */
#include "sha256.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in;
	const char *hex;
} s_vectors[] = {
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	/* UTF-8 Chinese: the id covers bytes, not characters. */
	{ "\xe4\xb8\xad\xe6\x96\x87",
	  "72726d8818f693066ceb69afa364218b692e62ea92b385782363780f47529c21" },
};

static void
test_vectors(void)
{
	char hex[SHA256_HEX_LEN + 1];

	for (size_t i = 0; i < sizeof(s_vectors) / sizeof(s_vectors[0]); i++) {
		sha256_hex(s_vectors[i].in, strlen(s_vectors[i].in), hex);
		CHECK_STR(hex, s_vectors[i].hex, "vector %zu", i);
		CHECK(sha256_valid_hex(hex), "vector %zu", i);
	}
}

/* A million 'a' fed in uneven pieces (the NIST long vector). */
static void
test_million(void)
{
	static const size_t pieces[] = { 1, 63, 64, 65, 4096, 65536, 7 };
	char *buf = malloc(1000000), hex[SHA256_HEX_LEN + 1];
	struct sha256 h;
	size_t off = 0, k = 0;

	if (!buf)
		abort();
	memset(buf, 'a', 1000000);
	sha256_init(&h);
	while (off < 1000000) {
		size_t n = pieces[k++ % 7];

		if (n > 1000000 - off)
			n = 1000000 - off;
		sha256_update(&h, buf + off, n);
		off += n;
	}
	sha256_final_hex(&h, hex);
	CHECK_STR(
	    hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_hex(buf, 1000000, hex);
	CHECK_STR(
	    hex,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

/* Every split of a message with a NUL inside gives the one-shot value. */
static void
test_splits(void)
{
	static const char msg[] = "a\0b\xff\x01 binary body with a NUL";
	size_t len = sizeof(msg) - 1;
	char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];

	sha256_hex(msg, len, want);
	for (size_t cut = 0; cut <= len; cut++) {
		struct sha256 h;

		sha256_init(&h);
		sha256_update(&h, msg, cut);
		sha256_update(&h, msg + cut, 0);
		sha256_update(&h, msg + cut, len - cut);
		sha256_final_hex(&h, got);
		CHECK_STR(got, want, "split at %zu", cut);
	}
	sha256_hex(msg, 1, got);
	CHECK(strcmp(got, want) != 0, "bytes after a NUL count");
}

static void
test_valid_hex(void)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b855",
		  true },
		{ "000000000000000000000000000000000000000000000000000000000000"
		  "0000",
		  true },
		/* uppercase is another spelling: refused */
		{ "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852"
		  "B855",
		  false },
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b85",
		  false },
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b8555",
		  false },
		{ "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b855",
		  false },
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852"
		  "b85 ",
		  false },
		{ "../../etc/passwd", false },
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(sha256_valid_hex(cases[i].s) == cases[i].ok,
		      "case %zu: %s", i, cases[i].s);
	CHECK(!sha256_valid_hex(NULL));
}

int
main(void)
{
	test_vectors();
	test_million();
	test_splits();
	test_valid_hex();
	return test_done("sha256_test");
}
