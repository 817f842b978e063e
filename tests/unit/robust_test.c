/* robust_test.c - ext_extract() with real tables on hostile input: empty,
 * binary junk, NUL bytes, invalid UTF-8, truncated GBK, a 20 MB article,
 * a 100,000-digit run, 10,000 nested brackets, and mutations of an
 * article. No crash, errors where expected, and every result's text is
 * valid UTF-8 without NUL. one() has the shape of a libFuzzer target. */
#include "extload.h"
#include "extract_int.h"
#include "test.h"
#include "txt_int.h"

#include <errno.h>
#include <iconv.h>

static struct extload el;

/* Runs one input; returns the code. Checks what must hold for any input. */
static int
one(const uint8_t *data, size_t size, size_t *err_offset)
{
	struct ext_result *res = NULL;
	size_t off = (size_t)-1;
	int rc = ext_extract(el.tables, data, size, NULL, &res, &off);

	CHECK(rc == 0 || rc == EXT_EDECODE || rc == EXT_EEMPTY, "rc=%d", rc);
	if (rc == 0) {
		CHECK(res != NULL);
		CHECK_INT(strlen(res->text), res->text_len);
		CHECK_INT(txt_utf8_valid_prefix((unsigned char *)res->text,
		                                res->text_len),
		          res->text_len);
		for (size_t i = 0; i < res->n_sentences; i++)
			CHECK(res->sentences[i].start < res->sentences[i].end);
		ext_result_destroy(&res);
	} else {
		CHECK(res == NULL);
		if (rc == EXT_EDECODE)
			CHECK(off <= size, "off=%zu size=%zu", off, size);
	}
	if (err_offset)
		*err_offset = off;
	return rc;
}

static const char para[] =
    "今年以来,东部某市与西部某县深化协作,共建产业园区三个,引进企业十二家,"
    "投入帮扶资金5.6亿元,帮助2.3万人实现就业。";

static void
test_small(void)
{
	const char nul[] = "两地\0协作\0成效\0显著。";
	const char bad[] = "协作成效显著\xC3\x28。";
	unsigned char junk[65536];
	uint32_t x = 1234567u;
	size_t off;

	CHECK_INT(one((const uint8_t *)"", 0, NULL), EXT_EEMPTY);
	CHECK_INT(one((const uint8_t *)"\n\n \n", 4, NULL), EXT_EEMPTY);
	CHECK_INT(one((const uint8_t *)nul, sizeof(nul) - 1, NULL), 0);
	CHECK_INT(one((const uint8_t *)bad, sizeof(bad) - 1, &off),
	          EXT_EDECODE);
	for (size_t i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char)(x >> 16);
	}
	CHECK_INT(one(junk, sizeof(junk), NULL), EXT_EDECODE);
	/* Junk made only of high bytes and line breaks. */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = i % 97 == 0 ? '\n' : (unsigned char)(0x80 | junk[i]);
	one(junk, sizeof(junk), NULL);
}

static void
test_gbk(void)
{
	iconv_t cd = iconv_open("GBK", "UTF-8");
	char in[sizeof(para)], out[2 * sizeof(para)];
	char *ip = in, *op = out;
	size_t il = sizeof(para) - 1, ol = sizeof(out), n, off;

	memcpy(in, para, sizeof(para));
	CHECK(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	n = (size_t)(op - out);
	CHECK_INT(one((const uint8_t *)out, n, NULL), 0);
	/* Cut after the lead byte of the last character: 。 is two bytes. */
	CHECK_INT(one((const uint8_t *)out, n - 1, &off), EXT_EDECODE);
	CHECK_INT(off, n - 2);
}

static void
test_big(void)
{
	size_t plen = strlen(para), n = 0, cap = 20u << 20;
	char *buf = malloc(cap + 1024);

	/* 20 MB of paragraphs. */
	while (n + plen + 1 < cap) {
		memcpy(buf + n, para, plen);
		n += plen;
		buf[n++] = '\n';
	}
	CHECK_INT(one((const uint8_t *)buf, n, NULL), 0);
	/* The same as one 20 MB line. */
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	CHECK_INT(one((const uint8_t *)buf, n, NULL), 0);
	/* A 100,000-digit run inside a sentence, and alone on a line. */
	n = 0;
	memcpy(buf + n, "投入", 6);
	n += 6;
	memset(buf + n, '7', 100000);
	n += 100000;
	memcpy(buf + n, "元。\n", 7);
	n += 7;
	CHECK_INT(one((const uint8_t *)buf, n, NULL), 0);
	memset(buf, '0', 100000);
	CHECK_INT(one((const uint8_t *)buf, 100000, NULL), EXT_EEMPTY);
	/* 10,000 nested brackets, full-width and ASCII, with pinyin-like
	 * content and censor marks. */
	n = 0;
	for (int i = 0; i < 10000; i++) {
		memcpy(buf + n, i % 2 ? "(" : "协(", i % 2 ? 1 : 4);
		n += i % 2 ? 1 : 4;
	}
	for (int i = 0; i < 10000; i++) {
		memcpy(buf + n, i % 3 ? ")" : "*)", i % 3 ? 1 : 2);
		n += i % 3 ? 1 : 2;
	}
	memcpy(buf + n, "。", 3);
	n += 3;
	CHECK_INT(one((const uint8_t *)buf, n, NULL), 0);
	free(buf);
}

static void
test_mutations(void)
{
	const char *src =
	    "两地协作结出硕果\n来源: 某某日报 2021-01-02\n"
	    "協(xié)作項目投入資金3.5億元,帶動1.2萬人就業。(記者 張三)\n"
	    "分享到\n责任编辑:李四\n";
	size_t n = strlen(src);
	uint8_t buf[512];
	uint32_t x = 42u;

	for (int t = 0; t < 3000; t++) {
		memcpy(buf, src, n);
		for (int k = 0; k < 1 + t % 4; k++) {
			x = x * 1664525u + 1013904223u;
			buf[(x >> 8) % n] = (uint8_t)(x >> 24);
		}
		x = x * 1664525u + 1013904223u;
		one(buf, t % 2 ? n : (x >> 8) % n, NULL);
	}
}

int
main(void)
{
	char err[512];

	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "robust_test: %s\n", err);
		return 1;
	}
	test_small();
	test_gbk();
	test_big();
	test_mutations();
	extload_close(&el);
	return test_done("robust_test");
}
