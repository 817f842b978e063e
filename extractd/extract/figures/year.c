/* year.c - the calendar year an amount is for (SPEC "Aid flows", year).
 *
 * Does: read the time words of each sentence in order (2019年, 今年,
 * 去年, 同年, 以来, 累计, N年来, 截至...) and give every figure the year
 * that is in force where it stands: 2019年 and 今年 (from the article's
 * date only) name one year; 同年 and 当年 take the last year named; a
 * span (X年以来 in a later year, N年来, 期间, 累计 with no year named,
 * 截至X年, X年至Y年, X年、Y年) gives none. A chain of clauses joined by
 * ';' keeps the year of its first clause; a new sentence keeps the year
 * of the one before only inside its paragraph, or when that year is the
 * article's own (a report on the year it was written in).
 * Does not: guess the publication year for a figure the text does not
 * date, or read years written in Chinese numerals. */
#include "extract_int.h"

#include <stdint.h>
#include <string.h>

enum { Y_NONE, Y_YEAR, Y_SPAN };

struct ystate {
	int kind;
	int year;
	bool named; /* set by a year written in this sentence chain */
};

static bool
at(const char *text, size_t p, size_t end, const char *w)
{
	size_t n = strlen(w);

	return p + n <= end && !memcmp(text + p, w, n);
}

/* Does the word w end right at p (within [b0, p))? */
static bool
before(const char *text, size_t b0, size_t p, const char *w)
{
	size_t n = strlen(w);

	return p >= b0 + n && !memcmp(text + p - n, w, n);
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 2019年 at p: the year, else 0. */
static int
year_at(const char *text, size_t b0, size_t p, size_t end)
{
	int y;

	if (p + 7 > end || !is_digit(text[p]) || !is_digit(text[p + 1]) ||
	    !is_digit(text[p + 2]) || !is_digit(text[p + 3]) ||
	    memcmp(text + p + 4, "年", 3) || (p > b0 && is_digit(text[p - 1])))
		return 0;
	y = (text[p] - '0') * 1000 + (text[p + 1] - '0') * 100 +
	    (text[p + 2] - '0') * 10 + (text[p + 3] - '0');
	return y >= 1949 && y <= 2100 ? y : 0;
}

static bool
clause_end(const char *text, size_t p)
{
	unsigned char c = (unsigned char)text[p];

	return c == ',' || c == ';' || c == ':' || c == '.' ||
	       !memcmp(text + p, "。", 3);
}

/* A year written inside an attribute (2013年投入使用的幼儿园, 于2017年建成)
 * dates that thing, not the money. */
static bool
attributive(const char *text, size_t b0, size_t p, size_t end)
{
	size_t q = p + 7, n = 0;

	if (before(text, b0, p, "于"))
		return true;
	if (at(text, q, end, "的") || at(text, q, end, "底") ||
	    at(text, q, end, "末"))
		return false;
	for (; q < end && n < 12 && !clause_end(text, q); n++) {
		size_t k;

		exi_u8_dec(text + q, end - q, &k);
		if (at(text, q, end, "的"))
			return n > 0;
		q += k;
	}
	return false;
}

struct yscan {
	const char *text;
	int pub;       /* the article's year, 0: unknown */
	int last;      /* the last year named in the article */
	int prev_year; /* the year of the last year word, for ranges */
	size_t prev_end;
	struct ystate st;
};

static void
set_year(struct yscan *ys, int y, bool named)
{
	ys->st.kind = y ? Y_YEAR : Y_SPAN;
	ys->st.year = y;
	ys->st.named = named;
}

/* The first characters of step()'s time words (all but a year's), once:
 * today 今年 去年 上年度 同年 当年 全年 该年 截至 以来 至今 年来 期间
 * 历年 十三五 迄今 累计 总计 目前. */
#define TIME_LEADS(X)                                                          \
	X(0x4ECA)                                                              \
	/* 今 */ X(0x53BB) /* 去 */ X(0x4E0A)               /* 上 */          \
	    X(0x540C) /* 同 */ X(0x5F53) /* 当 */ X(0x5168) /* 全 */          \
	    X(0x8BE5) /* 该 */ X(0x622A) /* 截 */ X(0x4EE5) /* 以 */          \
	    X(0x81F3) /* 至 */ X(0x5E74) /* 年 */ X(0x671F) /* 期 */          \
	    X(0x5386) /* 历 */ X(0x5341) /* 十 */ X(0x8FC4) /* 迄 */          \
	    X(0x7D2F) /* 累 */ X(0x603B) /* 总 */ X(0x76EE) /* 目 */

/* A sieve over them by the low six bits of their second and third UTF-8
 * bytes: it lets about one code point in twenty through to the exact
 * test. */
#define LEAD_LO(cp) | (1ull << ((cp)&63))
#define LEAD_HI(cp) | (1ull << (((cp) >> 6) & 63))
#define LEAD_LO_BITS (0 TIME_LEADS(LEAD_LO))
#define LEAD_HI_BITS (0 TIME_LEADS(LEAD_HI))
#define LEAD_CASE(cp) case cp:

/* Could a time word of step() start at p? Every one but a year starts
 * with one of TIME_LEADS; most text starts none. */
static inline bool
may_start(const char *t, size_t p, size_t end)
{
	const unsigned char *u = (const unsigned char *)t + p;
	uint32_t cp;

	if (p + 3 > end || (u[0] & 0xF0) != 0xE0 ||
	    !((LEAD_LO_BITS >> (u[2] & 63)) & (LEAD_HI_BITS >> (u[1] & 63)) &
	      1u))
		return false;
	cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) |
	     (u[2] & 0x3F);
	switch (cp) {
		TIME_LEADS(LEAD_CASE)
		return true;
	default:
		return false;
	}
}

/* Applies the time word at p, if any; returns its length in bytes (0:
 * none). */
static size_t
step(struct yscan *ys, size_t b0, size_t p, size_t end)
{
	const char *t = ys->text;
	int y = is_digit(t[p]) ? year_at(t, b0, p, end) : 0;

	if (y) {
		size_t q = p + 7;
		bool range = ys->prev_year && ys->prev_year != y &&
		             p >= ys->prev_end && p - ys->prev_end <= 6;

		ys->last = y;
		ys->prev_year = y;
		bool upto =
		    before(t, b0, p, "截至") || before(t, b0, p, "截止");

		/* 至2019年底: up to a year's end, a total; 减少到2019年的: in
		 * that year */
		if ((before(t, b0, p, "至") || before(t, b0, p, "到")) &&
		    (at(t, q, end, "底") || at(t, q, end, "末")))
			upto = true;
		while (at(t, q, end, "底") || at(t, q, end, "末") ||
		       at(t, q, end, "初") || at(t, q, end, "年"))
			q += 3;
		ys->prev_end = q;
		if (range || upto) {
			set_year(ys, 0, false); /* up to a year: a total */
			return q - p;
		}
		if (at(t, q, end, "以来") || at(t, q, end, "至今")) {
			set_year(ys, y == ys->pub ? y : 0, true);
			return q + 6 - p;
		}
		if (!attributive(t, b0, p, end))
			set_year(ys, y, true);
		return q - p;
	}
	if (!may_start(t, p, end))
		return 0;
	if (at(t, p, end, "今年以来")) {
		set_year(ys, ys->pub, true);
		return 12;
	}
	if (at(t, p, end, "今年")) {
		set_year(ys, ys->pub, true);
		return 6;
	}
	if (at(t, p, end, "去年") || at(t, p, end, "上年度")) {
		set_year(ys, ys->pub ? ys->pub - 1 : 0, true);
		return 6;
	}
	if (at(t, p, end, "同年") || at(t, p, end, "当年") ||
	    at(t, p, end, "全年") || at(t, p, end, "该年")) {
		if (ys->last)
			set_year(ys, ys->last, true);
		return 6;
	}
	if (at(t, p, end, "截至") || at(t, p, end, "截止")) {
		/* 截至9月底: this year, up to a month */
		size_t q = p + 6;

		while (q < end && is_digit(t[q]))
			q++;
		if (q > p + 6 && at(t, q, end, "月")) {
			set_year(ys, ys->pub, true);
			return q + 3 - p;
		}
		return 6;
	}
	if (at(t, p, end, "以来") || at(t, p, end, "至今")) {
		/* 2021年…以来 in an article of 2021 is that year */
		if (!(ys->st.kind == Y_YEAR && ys->st.named &&
		      ys->st.year == ys->pub))
			set_year(ys, 0, false);
		return 6;
	}
	if (at(t, p, end, "年来") || at(t, p, end, "期间") ||
	    at(t, p, end, "历年") || at(t, p, end, "十三五") ||
	    at(t, p, end, "十四五") || at(t, p, end, "十二五") ||
	    at(t, p, end, "迄今")) {
		set_year(ys, 0, false);
		return at(t, p, end, "十") ? 9 : 6;
	}
	if (at(t, p, end, "累计") || at(t, p, end, "总计") ||
	    at(t, p, end, "目前")) {
		/* within one named year, that year (2018年…累计) */
		if (!(ys->st.kind == Y_YEAR && ys->st.named))
			set_year(ys, 0, false);
		return 6;
	}
	return 0;
}

/* Is there a ';' between the two sentences (one chain of clauses), and a
 * line end (a new paragraph)? */
static void
between(const char *text, const struct sent *a, const struct sent *b,
        bool *chain, bool *para)
{
	size_t p = a->b1 > a->b0 ? a->b1 - 1 : a->b0;

	*chain = false;
	*para = false;
	for (; p < b->b0; p++) {
		if (text[p] == ';')
			*chain = true;
		if (text[p] == '\n')
			*para = true;
	}
	if (*para)
		*chain = false;
}

/* The year an article reports on: one year named at least three times,
 * more often than all the others together (a yearly report); else 0. */
static int
report_year(const char *text, const struct sent *sents, size_t n_sents)
{
	int years[8] = { 0 }, counts[8] = { 0 }, total = 0, best = 0;
	size_t i, p, n = 0;

	/* A year ends in 年 (E5 B9 B4): find the bytes B4, a few per
	 * hundred characters, and look at the seven bytes that end there. */
	for (i = 0; i < n_sents; i++)
		for (p = sents[i].b0 + 6; p < sents[i].b1; p++) {
			const char *b4 =
			    memchr(text + p, 0xB4, sents[i].b1 - p);
			int y;
			size_t k;

			if (!b4)
				break;
			p = (size_t)(b4 - text);
			y = year_at(text, sents[i].b0, p - 6, sents[i].b1);
			if (!y)
				continue;
			total++;
			for (k = 0; k < n && years[k] != y; k++)
				;
			if (k == n && n < 8)
				years[n++] = y;
			if (k < n)
				counts[k]++;
		}
	for (i = 0; i < n; i++)
		if (counts[i] >= 3 && 2 * counts[i] > total)
			best = years[i];
	return best;
}

/* The year of a figure standing where the scan is. */
static int
year_in_force(const struct yscan *ys, int passage, int *report,
              const char *text, const struct sent *sents, size_t n_sents)
{
	if (ys->st.kind == Y_YEAR)
		return ys->st.year;
	if (ys->st.kind == Y_SPAN)
		return 0;
	if (passage)
		return passage;
	if (*report < 0)
		*report = report_year(text, sents, n_sents);
	return *report;
}

int
year_resolve(const char *text, const struct sent *sents, size_t n_sents,
             int pub_year, struct ext_figure *f, size_t n_f)
{
	struct yscan ys;
	size_t i, k = 0;
	int passage = 0; /* the year of the sentences before */
	/* report_year() costs a pass over the text; most articles date
	 * every figure without it, so it is read at the first that needs
	 * it (-1: not yet). */
	int report = -1;

	if (n_f == 0)
		return 0;
	memset(&ys, 0, sizeof(ys));
	ys.text = text;
	ys.pub = pub_year;
	for (i = 0; i < n_sents; i++) {
		const struct sent *s = &sents[i];
		size_t p = s->b0;

		if (i > 0) {
			bool chain, para;

			between(text, &sents[i - 1], s, &chain, &para);
			if (ys.st.kind == Y_YEAR)
				passage = ys.st.year;
			else if (ys.st.kind == Y_SPAN)
				passage = 0;
			if (para && passage != pub_year)
				passage = 0;
			if (!chain)
				memset(&ys.st, 0, sizeof(ys.st));
			ys.prev_year = 0;
		}
		while (k < n_f && f[k].sentence < i)
			k++;
		while (p < s->b1) {
			size_t lim = s->b1, n;

			/* the figures before this word take the state so far
			 */
			while (k < n_f && f[k].sentence == i &&
			       f[k].start <= p) {
				f[k].year = year_in_force(&ys, passage, &report,
				                          text, sents, n_sents);
				k++;
			}
			if (k < n_f && f[k].sentence == i && f[k].start < lim)
				lim = f[k].start;
			/* most code points start no time word: skip them
			 * without decoding, up to the next figure */
			while (p < lim) {
				const unsigned char *u =
				    (const unsigned char *)text + p;
				unsigned char b = u[0];

				/* Han, most of the text: the sieve alone */
				if ((b & 0xF0) == 0xE0 && p + 3 <= s->b1 &&
				    !((LEAD_LO_BITS >> (u[2] & 63)) &
				      (LEAD_HI_BITS >> (u[1] & 63)) & 1u)) {
					p += 3;
					continue;
				}
				if (b < 0x80 ? is_digit((char)b)
				             : may_start(text, p, s->b1))
					break;
				n = b < 0x80   ? 1
				    : b < 0xE0 ? 2
				    : b < 0xF0 ? 3
				               : 4;
				p += n < s->b1 - p ? n : s->b1 - p;
			}
			if (p >= lim)
				continue;
			n = step(&ys, s->b0, p, s->b1);
			if (n == 0)
				exi_u8_dec(text + p, s->b1 - p, &n);
			p += n;
		}
		while (k < n_f && f[k].sentence == i) {
			f[k].year = year_in_force(&ys, passage, &report, text,
			                          sents, n_sents);
			k++;
		}
		/* the time words after the last figure date nothing */
		if (k == n_f)
			break;
	}
	return 0;
}
