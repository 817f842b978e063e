/* sentence_test.c - txt_sentences(): terminators, line ends, quotes and
 * brackets within the window, empty sentences, and linear cost on a
 * 40,000-clause sentence and 10,000 nested brackets. */
#include "extract_int.h"
#include "test.h"

#include <stdlib.h>

/* Splits text and joins the sentences with '|'. */
static char *
split(const char *text)
{
	struct arena *ar = exi_ar_new();
	struct sent *s = NULL;
	size_t n = 0, i, len = strlen(text), k = 0;
	char *out = malloc(2 * len + 2);
	int rc = txt_sentences(text, len, ar, &s, &n);

	CHECK_INT(rc, 0);
	for (i = 0; i < n; i++) {
		CHECK(s[i].b0 < s[i].b1 && s[i].b1 <= len);
		CHECK(i == 0 || s[i].b0 >= s[i - 1].b1);
		if (i)
			out[k++] = '|';
		memcpy(out + k, text + s[i].b0, s[i].b1 - s[i].b0);
		k += s[i].b1 - s[i].b0;
	}
	out[k] = '\0';
	exi_ar_destroy(&ar);
	return out;
}

static void
expect(const char *text, const char *want)
{
	char *got = split(text);

	CHECK_STR(got, want);
	free(got);
}

static void
test_basic(void)
{
	expect("两省协作深化。园区投产!成效如何?继续推进;再看明年",
	       "两省协作深化。|园区投产!|成效如何?|继续推进;|再看明年");
	expect("第一行\n第二行。\n\n  \n第三行", "第一行|第二行。|第三行");
	expect("真的吗?!是的。。", "真的吗?!|是的。。");
	/* Decimal points and commas do not end sentences. */
	expect("投入4.72亿元,增长1,000倍。", "投入4.72亿元,增长1,000倍。");
	expect("", "");
	expect("\n\n。\n", "。");
}

static void
test_quotes(void)
{
	/* A terminator inside a quote does not split; a quote closed right
	 * after one ends the sentence. */
	expect("他说:“我们要脱贫。一起干!”大家鼓掌。",
	       "他说:“我们要脱贫。一起干!”|大家鼓掌。");
	expect("项目(含一期;二期)已完工。下一步扩建。",
	       "项目(含一期;二期)已完工。|下一步扩建。");
	expect("打造“菜篮子”。建设基地。", "打造“菜篮子”。|建设基地。");
	/* A line end always splits and resets the brackets. */
	expect("未闭合(括号\n下一行。另一句。",
	       "未闭合(括号|下一行。|另一句。");
}

static void
test_window(void)
{
	/* An unclosed bracket suppresses splits only within the window. */
	char text[8192];
	size_t k = 0;
	char *got;
	size_t bars = 0;

	k += (size_t)snprintf(text + k, sizeof(text) - k, "开头(");
	for (int i = 0; i < 400; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "字");
	for (int i = 0; i < 5; i++)
		k += (size_t)snprintf(text + k, sizeof(text) - k, "一句。");
	got = split(text);
	for (char *p = got; *p; p++)
		bars += *p == '|';
	CHECK(bars >= 4, "bars=%zu", bars);
	free(got);
}

static void
test_big(void)
{
	/* 40,000 clauses in one sentence, 10,000 nested brackets: linear. */
	size_t n = 40000 * 9 + 16, k = 0;

	char *text = malloc(n);
	struct arena *ar = exi_ar_new();
	struct sent *s;
	size_t ns;

	for (int i = 0; i < 40000; i++) {
		memcpy(text + k, "协作,", 7);
		k += 7;
	}
	memcpy(text + k, "。", 3);
	k += 3;
	CHECK_INT(txt_sentences(text, k, ar, &s, &ns), 0);
	CHECK_INT(ns, 1);
	k = 0;
	for (int i = 0; i < 10000; i++)
		text[k++] = '(';
	for (int i = 0; i < 10000; i++) {
		memcpy(text + k, "句。", 6);
		k += 6;
	}
	/* Past the window the brackets no longer hold the sentences. */
	CHECK_INT(txt_sentences(text, k, ar, &s, &ns), 0);
	CHECK(ns > 9000 && ns <= 10000, "ns=%zu", ns);
	free(text);
	exi_ar_destroy(&ar);
}

int
main(void)
{
	test_basic();
	test_quotes();
	test_window();
	test_big();
	return test_done("sentence_test");
}
