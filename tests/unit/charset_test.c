/* charset_test.c - decoding: UTF-8 with and without BOM, GBK and Big5
 * versions of seed articles made here with iconv, detection without a
 * hint, wrong hints, invalid and truncated input with its offset, NUL. */
#include "extload.h"
#include "extract_int.h"
#include "test.h"
#include "txt_int.h"

#include <errno.h>
#include <iconv.h>

static struct extload el;

/* Runs the text stage; returns its code, the doc in *doc. */
static int
norm(const void *raw, size_t len, const char *hint, struct arena *ar,
     struct ext_doc *doc, size_t *off)
{
	struct ext_options opt = { hint, 0, false };
	const struct ext_tables *t = el.tables;

	memset(doc, 0, sizeof(*doc));
	*off = (size_t)-1;
	return txt_normalise(t->txt, t->t2s, t->t2s_ctx, raw, len, &opt, ar,
	                     doc, off);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long l;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	l = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)l + 1);
	*n = fread(b, 1, (size_t)l, f);
	fclose(f);
	return b;
}

/* The first seed whose name starts with prefix. */
static char *
seed(const char *prefix, size_t *n)
{
	static const char *const names[] = {
		"000_5d3d27540e34edbe.txt", "001_b14426188eb44478.txt",
		"002_b25889819c5a190c.txt", "003_55ce7229d6292ffa.txt",
		"004_ba25ca3f9cb6ca53.txt",
	};
	const char *src = getenv("TEST_SOURCE_DIR");
	char path[4096];

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strncmp(names[i], prefix, strlen(prefix))) {
			snprintf(path, sizeof(path), "%s/tests/corpus/%s",
			         src ? src : ".", names[i]);
			return slurp(path, n);
		}
	return NULL;
}

/* Converts UTF-8 to cs with iconv; characters cs lacks are skipped (the
 * count in *lost). Caller frees. */
static char *
encode(const char *cs, const char *in, size_t n, size_t *out_n, size_t *lost)
{
	iconv_t cd = iconv_open(cs, "UTF-8");
	char *buf = malloc(2 * n + 16), *o = buf, *ip = (char *)in;
	size_t room = 2 * n + 16, left = n;

	*lost = 0;
	while (left > 0) {
		if (iconv(cd, &ip, &left, &o, &room) != (size_t)-1)
			break;
		if (errno != EILSEQ)
			break;
		/* Skip the code point cs lacks. */
		do {
			ip++;
			left--;
		} while (left && ((unsigned char)*ip & 0xC0) == 0x80);
		(*lost)++;
	}
	iconv_close(cd);
	*out_n = (size_t)(o - buf);
	return buf;
}

static void
test_utf8(void)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	size_t off;
	const char bom[] = "\xEF\xBB\xBF"
	                   "对口帮扶工作取得新进展。";
	const char bad[] = "对口帮扶\xFF工作";
	const char overlong[] = "abc\xC0\xAF";
	const char surrogate[] = "ab\xED\xA0\x80";

	CHECK_INT(norm("东西部协作持续深化。", strlen("东西部协作持续深化。"),
	               NULL, ar, &d, &off),
	          0);
	CHECK_STR(d.charset, "utf-8");
	CHECK_STR(d.text, "东西部协作持续深化。");
	CHECK_INT(norm(bom, strlen(bom), NULL, ar, &d, &off), 0);
	CHECK_STR(d.text, "对口帮扶工作取得新进展。");
	CHECK_STR(d.charset, "utf-8");
	/* A BOM outweighs a wrong hint. */
	CHECK_INT(norm(bom, strlen(bom), "big5", ar, &d, &off), 0);
	CHECK_STR(d.text, "对口帮扶工作取得新进展。");
	/* A lone 0xFF is no charset's: the offset is the first byte nothing
	 * reads. */
	CHECK_INT(norm(bad, strlen(bad), NULL, ar, &d, &off), EXT_EDECODE);
	CHECK(off <= strlen("对口帮扶"), "off=%zu", off);
	CHECK_INT(norm(bad, strlen(bad), "utf-8", ar, &d, &off), EXT_EDECODE);
	/* Overlong forms and surrogates are not UTF-8 (GB18030 may still
	 * read the bytes: the hint is a hint). */
	CHECK_INT(txt_utf8_valid_prefix((const unsigned char *)overlong,
	                                strlen(overlong)),
	          3);
	CHECK_INT(txt_utf8_valid_prefix((const unsigned char *)surrogate,
	                                strlen(surrogate)),
	          2);
	CHECK_INT(
	    txt_utf8_valid_prefix((const unsigned char *)"\xF4\x90\x80\x80", 4),
	    0);
	CHECK_INT(txt_utf8_valid_prefix(
	              (const unsigned char *)"a\xF0\x9F\x98\x80", 5),
	          5);
	/* A UTF-8 article cut inside its last character. */
	CHECK_INT(norm("对口帮扶工作", strlen("对口帮扶工作") - 1, NULL, ar, &d,
	               &off),
	          EXT_EDECODE);
	CHECK_INT(off, strlen("对口帮扶工"));
	CHECK_INT(norm("", 0, NULL, ar, &d, &off), EXT_EEMPTY);
	exi_ar_destroy(&ar);
}

static void
test_nul(void)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	size_t off;
	const char s[] = "帮扶\0资金\0\0到位。\n\0";

	/* NUL and other control bytes are dropped, never kept. */
	CHECK_INT(norm(s, sizeof(s) - 1, NULL, ar, &d, &off), 0);
	CHECK_STR(d.text, "帮扶资金到位。");
	CHECK_INT(strlen(d.text), d.len);
	CHECK_INT(norm("\0\0\0", 3, NULL, ar, &d, &off), EXT_EEMPTY);
	exi_ar_destroy(&ar);
}

/* A legacy encoding of a seed decodes, with and without a hint, to the
 * same text as the UTF-8 seed. */
static void
check_legacy(const char *prefix, const char *iconv_cs, const char *hint,
             const char *want_cs)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d8, d;
	size_t n, en, lost, off;
	char *u = seed(prefix, &n), *e;

	CHECK(u != NULL, "seed %s", prefix);
	if (!u) {
		exi_ar_destroy(&ar);
		return;
	}
	/* Some seeds hold characters the charset lacks (mojibake, a few
	 * Simplified ones): skipped, so the texts differ. */
	e = encode(iconv_cs, u, n, &en, &lost);
	CHECK(lost < n / 20, "%s lost %zu characters", iconv_cs, lost);
	CHECK_INT(norm(e, en, NULL, ar, &d, &off), 0, "%s detect", iconv_cs);
	CHECK_STR(d.charset, want_cs, "%s detected", iconv_cs);
	CHECK_INT(norm(e, en, hint, ar, &d, &off), 0, "%s hint", iconv_cs);
	CHECK_STR(d.charset, want_cs);
	if (lost == 0) {
		CHECK_INT(norm(u, n, NULL, ar, &d8, &off), 0);
		CHECK_STR(d.text, d8.text, "%s same text as UTF-8", iconv_cs);
		CHECK_STR(d.meta.title, d8.meta.title);
		CHECK_STR(d.meta.source, d8.meta.source);
	}
	/* Cut after the lead byte of a double-byte character: an error at
	 * the cut. */
	e = realloc(e, en + 1);
	e[en] = (char)0xA4;
	CHECK_INT(norm(e, en + 1, NULL, ar, &d, &off), EXT_EDECODE,
	          "%s truncated", iconv_cs);
	CHECK_INT(off, en, "%s truncated", iconv_cs);
	CHECK_INT(norm(e, en + 1, hint, ar, &d, &off), EXT_EDECODE);
	CHECK_INT(off, en);
	free(e);
	free(u);
	exi_ar_destroy(&ar);
}

static void
test_legacy(void)
{
	/* Simplified seed as GBK and GB18030. */
	check_legacy("000", "GBK", "gbk", "gb18030");
	check_legacy("004", "GB18030", "gb18030", "gb18030");
	/* Traditional seeds as Big5 (and the Traditional text as GBK). */
	check_legacy("001", "BIG5", "big5", "big5");
	check_legacy("003", "BIG5", "big5", "big5");
	check_legacy("003", "GBK", "gbk", "gb18030");
}

/* Big5 of a Traditional sentence decodes and becomes Simplified. */
static void
test_big5_sentence(void)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	const char *t =
	    "東西部協作和對口支援工作取得新進展，受援縣全部脫貧摘帽。"
	    "兩地共建產業園區，幫助貧困勞動力實現轉移就業。";
	size_t en, lost, off;
	char *e = encode("BIG5", t, strlen(t), &en, &lost);

	CHECK_INT(lost, 0);
	CHECK_INT(norm(e, en, NULL, ar, &d, &off), 0);
	CHECK_STR(d.charset, "big5");
	CHECK_STR(d.text,
	          "东西部协作和对口支援工作取得新进展,受援县全部脱贫摘帽。"
	          "两地共建产业园区,帮助贫困劳动力实现转移就业。");
	CHECK(d.converted);
	free(e);
	e = encode("GBK", t, strlen(t), &en, &lost);
	CHECK_INT(norm(e, en, NULL, ar, &d, &off), 0);
	CHECK_STR(d.charset, "gb18030");
	CHECK_STR(d.text,
	          "东西部协作和对口支援工作取得新进展,受援县全部脱贫摘帽。"
	          "两地共建产业园区,帮助贫困劳动力实现转移就业。");
	free(e);
	exi_ar_destroy(&ar);
}

static void
test_hints(void)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	size_t off;
	const char *u = "粤桂扶贫协作成效显著。";

	/* A hint the bytes contradict, or one we do not know: the bytes
	 * decide. */
	CHECK_INT(norm(u, strlen(u), "big5", ar, &d, &off), 0);
	CHECK_STR(d.text, u);
	CHECK_INT(norm(u, strlen(u), "iso-8859-1", ar, &d, &off), 0);
	CHECK_STR(d.charset, "utf-8");
	CHECK_INT(norm(u, strlen(u), "", ar, &d, &off), 0);
	CHECK_STR(d.charset, "utf-8");
	exi_ar_destroy(&ar);
}

static void
test_junk(void)
{
	struct arena *ar = exi_ar_new();
	struct ext_doc d;
	unsigned char junk[4096];
	uint32_t x = 2463534242u;
	size_t off;
	int rc;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (unsigned char)x;
	}
	rc = norm(junk, sizeof(junk), NULL, ar, &d, &off);
	CHECK_INT(rc, EXT_EDECODE);
	CHECK(off < sizeof(junk));
	exi_ar_destroy(&ar);
}

int
main(void)
{
	char err[512];

	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "charset_test: %s\n", err);
		return 1;
	}
	test_utf8();
	test_nul();
	test_legacy();
	test_big5_sentence();
	test_hints();
	test_junk();
	extload_close(&el);
	return test_done("charset_test");
}
