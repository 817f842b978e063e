/* util_test.c - the library's helpers against naive versions: exi_u8_count
 * (eight bytes at a time) on random UTF-8 of every length around its
 * blocks, and reg_ac_longest/reg_ac_ends (which skip code points that no
 * pattern holds) against a quadratic leftmost-longest on random texts
 * with long runs of such code points between matches. */
#include "extract_int.h"
#include "reg_int.h"
#include "test.h"

static uint32_t rs = 2463534242u;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static size_t
naive_count(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static void
test_u8_count(void)
{
	static const uint32_t cps[] = { 'a', 0xE9, 0x4E00, 0x3002, 0x20000 };
	char *buf = malloc(8 * 300 * 4 + 64);
	int bad = 0;

	for (int t = 0; t < 400; t++) {
		size_t n = 0, want = 0, len = (size_t)t * 7 % 2600;

		while (n < len) {
			n += exi_u8_enc(cps[rnd() % 5], buf + n);
			want++;
		}
		/* Every offset and a cut end: counts lead bytes only. */
		for (size_t off = 0; off < 9 && off < n; off += 4)
			bad += exi_u8_count(buf + off, n - off) !=
			       naive_count(buf + off, n - off);
		bad += exi_u8_count(buf, n) != want;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(exi_u8_count("", 0), 0);
	free(buf);
}

struct hit {
	size_t b0, b1;
	uint32_t val;
};

struct hits {
	struct hit h[4096];
	size_t n;
};

static int
on_hit(void *ctx, size_t b0, size_t b1, uint32_t val)
{
	struct hits *hs = ctx;

	if (hs->n < 4096)
		hs->h[hs->n++] = (struct hit){ b0, b1, val };
	return 0;
}

static bool
same_hits(const struct hits *a, const struct hits *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->h[i].b0 != b->h[i].b0 || a->h[i].b1 != b->h[i].b1 ||
		    a->h[i].val != b->h[i].val)
			return false;
	return true;
}

static void
test_ac(void)
{
	/* Patterns from a small alphabet (甲乙丙丁 and 'x'), the text also
	 * from 戊 (in no pattern) in long runs. */
	static const char *const pats[] = { "甲乙", "乙丙丁", "甲", "丁x丁",
		                            "甲乙丙丁甲乙丙丁甲乙丙丁" };
	static const char *const alpha[] = {
		"甲", "乙", "丙", "丁", "x", "戊"
	};
	struct reg_ac *ac = reg_ac_new();
	size_t np = sizeof(pats) / sizeof(*pats);
	char *text = malloc(20000);
	struct hits *got = malloc(sizeof(*got)), *want = malloc(sizeof(*want));
	int bad = 0;

	for (size_t p = 0; p < np; p++)
		reg_ac_add(ac, pats[p], strlen(pats[p]), (uint32_t)p, NULL);
	CHECK_INT(reg_ac_build(ac), 0);
	for (int t = 0; t < 300; t++) {
		size_t n = 0, i = 0;

		while (n < 15000) {
			const char *a = alpha[rnd() % 6];
			size_t run = rnd() % 4 == 0 ? rnd() % 400 : 1;

			if (rnd() % 3 == 0)
				a = "戊";
			for (size_t r = 0; r < run && n < 15000; r++) {
				memcpy(text + n, a, strlen(a));
				n += strlen(a);
			}
		}
		/* Leftmost-longest, the slow way. */
		want->n = 0;
		while (i < n) {
			size_t best = 0, bv = 0, k;

			for (size_t p = 0; p < np; p++) {
				size_t l = strlen(pats[p]);

				if (l <= n - i && l > best &&
				    !memcmp(text + i, pats[p], l)) {
					best = l;
					bv = p;
				}
			}
			if (best) {
				want->h[want->n++] =
				    (struct hit){ i, i + best, (uint32_t)bv };
				i += best;
			} else {
				exi_u8_dec(text + i, n - i, &k);
				i += k;
			}
			if (want->n == 4096)
				break;
		}
		got->n = 0;
		reg_ac_longest(ac, text, n, on_hit, got);
		/* Field by field: the struct's padding is not initialised. */
		if (want->n < 4096 && !same_hits(got, want))
			bad++;
		/* Per end: the longest pattern ending there. */
		got->n = 0;
		reg_ac_ends(ac, text, n, on_hit, got);
		for (size_t h = 0; h < got->n; h++) {
			size_t e = got->h[h].b1, best = 0;

			for (size_t p = 0; p < np; p++) {
				size_t l = strlen(pats[p]);

				if (l <= e && l > best &&
				    !memcmp(text + e - l, pats[p], l))
					best = l;
			}
			bad += got->h[h].b0 != e - best;
		}
	}
	CHECK_INT(bad, 0);
	free(text);
	free(got);
	free(want);
	reg_ac_free(&ac);
}

int
main(void)
{
	test_u8_count();
	test_ac();
	return test_done("util_test");
}
