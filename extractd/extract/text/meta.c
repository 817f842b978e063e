/* meta.c - reads an article's metadata from its normalised lines and marks
 * the lines that only carry metadata, so txt.c drops them.
 *
 * Does: labelled fields (txt_meta.tsv: 来源:, 发布时间:, 责任编辑:, 记者,
 * ...) on lines shaped like metadata (short, no full stop, starting with a
 * label, a bullet, a date, an outlet's byline or an info line's outlet
 * and web address), date-only lines (after a web address, before an
 * outlet's name), bylines in brackets ("(记者 张三)"), "X供稿", datelines
 * ("新华社...电", "某某网某地M月D日电 (张三)", "某某报讯", "...电 题:X"),
 * bylines that open the first paragraph ("A报、B网 记者X报道  ..."), bare
 * author lines under a dateline or over a date line, a site-name footer
 * "X网(domain)", the page header's outlet, and the title: the
 * headline-like line just above the first metadata lines of the page head,
 * else a dateline's 题:, else 原标题, else the first line when it is
 * headline-like; a □ byline and a forum section are cut from it. Outlets
 * are told by their last word (txt_meta.tsv "outlet"), bare names by a
 * surname ("surname").
 * Does not: read dates from the body or from a dateline without a year,
 * take names from photo credits, or guess a title from a paragraph. */
#include "txt_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 8
#define META_MAX_CPS 100 /* longer lines are text, whatever they hold */
#define HEAD_LINES 20    /* non-blank lines of the page head, at most */
#define HEAD_LONG 3      /* ... or until the third paragraph */

struct field {
	enum meta_field f;
	size_t ls, vs, ve; /* label start, value [vs, ve) */
};

struct date {
	int y, m, d;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
has_cp(const char *s, size_t n, const char *cp)
{
	size_t k = strlen(cp);

	for (size_t i = 0; i + k <= n; i++)
		if (s[i] == cp[0] && memcmp(s + i, cp, k) == 0)
			return true;
	return false;
}

/* ---- dates ----------------------------------------------------------------
 */

static size_t
digits_at(const char *s, size_t n, size_t i, size_t max, int *v)
{
	size_t k = 0;

	*v = 0;
	while (i + k < n && k < max && is_digit(s[i + k]))
		*v = *v * 10 + (s[i + k++] - '0');
	return k;
}

/* A date at s[i]: 2020-01-21, 2020/1/21, 2020.01.21 or 2020年1月21日.
 * Returns the bytes it spans, or 0. */
static size_t
date_at(const char *s, size_t n, size_t i, struct date *d)
{
	static const char nian[] = "年", yue[] = "月", ri[] = "日";
	size_t j = i, k;
	int y, m, dd;
	char sep;

	if (i > 0 && is_digit(s[i - 1]))
		return 0;
	if (digits_at(s, n, j, 5, &y) != 4)
		return 0;
	j += 4;
	if (j >= n)
		return 0;
	if (s[j] == '-' || s[j] == '/' || s[j] == '.') {
		sep = s[j++];
	} else if (n - j >= 3 && !memcmp(s + j, nian, 3)) {
		sep = 'y';
		j += 3;
	} else {
		return 0;
	}
	if (!(k = digits_at(s, n, j, 3, &m)) || k > 2)
		return 0;
	j += k;
	if (sep == 'y') {
		if (n - j < 3 || memcmp(s + j, yue, 3))
			return 0;
		j += 3;
	} else if (j >= n || s[j] != sep) {
		return 0;
	} else {
		j++;
	}
	if (!(k = digits_at(s, n, j, 3, &dd)) || k > 2)
		return 0;
	j += k;
	if (sep == 'y' && n - j >= 3 && !memcmp(s + j, ri, 3))
		j += 3;
	if (y < 1950 || y > 2100 || m < 1 || m > 12 || dd < 1 || dd > 31)
		return 0;
	d->y = y;
	d->m = m;
	d->d = dd;
	return j - i;
}

/* The first date in s[0..n); its offset in *at. */
static bool
find_date(const char *s, size_t n, struct date *d, size_t *at, size_t *len)
{
	for (size_t i = 0; i + 8 <= n; i++) {
		size_t k;

		if (!is_digit(s[i]))
			continue;
		if ((k = date_at(s, n, i, d)) != 0) {
			if (at)
				*at = i;
			if (len)
				*len = k;
			return true;
		}
	}
	return false;
}

static size_t
skip_brackets(const char *s, size_t n, size_t i)
{
	static const char *const open[] = { "【", "[", "(", " ", "《", "〔",
		                            "•",  "■", "□", "●", "◆",  "▪",
		                            "★",  "▶", "◇", "○" };

	for (;;) {
		size_t k, before = i;

		for (k = 0; k < sizeof(open) / sizeof(*open); k++) {
			size_t l = strlen(open[k]);

			if (n - i >= l && !memcmp(s + i, open[k], l))
				i += l;
		}
		if (i == before)
			return i;
	}
}

/* A web address or domain at s[i] ("http://www.x.com", "gy.x.com.cn")
 * followed by a space: the index after the spaces, else i. */
static size_t
skip_domain(const char *s, size_t n, size_t i)
{
	size_t j = i, dots = 0, letters = 0;

	while (j < n && s[j] != ' ' && (unsigned char)s[j] < 0x80) {
		dots += s[j] == '.';
		letters += (s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z';
		j++;
	}
	if (j == i || j >= n || s[j] != ' ' || dots == 0 || letters == 0)
		return i;
	while (j < n && s[j] == ' ')
		j++;
	return j;
}

/* "2020-01-21 08:42", "2020年1月21日 星期二": a line that is a date, maybe
 * after a web address ("http://www.x.com 2020-01-21"). With lead and tail,
 * a short first word before a space and a short last word after one (an
 * outlet's name: "某某报 2020-01-21", "2020-01-21 10:00 某某报") are
 * allowed: *lead is where the first word ends, *tail where the last
 * starts (0 when there is none); the caller checks them. */
static bool
date_line_at(const char *s, size_t n, struct date *d, size_t *lead,
             size_t *tail)
{
	size_t i = skip_brackets(s, n, 0), k;

	if (tail)
		*tail = *lead = 0;
	i = skip_domain(s, n, i);
	if (tail && i < n && !is_digit(s[i])) {
		/* "某某日报 2021年3月4日 星期四": a word before the date. */
		const char *sp = memchr(s + i, ' ', n - i);

		if (!sp || (size_t)(sp - s) == i ||
		    exi_u8_count(s + i, (size_t)(sp - s) - i) > 16)
			return false;
		*lead = (size_t)(sp - s);
		i = *lead;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (!(k = date_at(s, n, i, d)))
		return false;
	i += k;
	while (i < n) {
		if (s[i] == ' ' || s[i] == ':' || s[i] == ']' || s[i] == ')' ||
		    is_digit(s[i])) {
			i++;
		} else if (n - i >= 6 && !memcmp(s + i, "星期", 6)) {
			i += 9 <= n - i ? 9 : n - i;
		} else if (n - i >= 3 && !memcmp(s + i, "周", 3) &&
		           n - i >= 6) {
			i += 6;
		} else if (n - i >= 3 && !memcmp(s + i, "】", 3)) {
			i += 3;
		} else if (tail && s[i - 1] == ' ' &&
		           !memchr(s + i, ' ', n - i) &&
		           exi_u8_count(s + i, n - i) <= 16) {
			*tail = i;
			return true;
		} else {
			return false;
		}
	}
	return true;
}

static bool
date_line(const char *s, size_t n, struct date *d)
{
	return date_line_at(s, n, d, NULL, NULL);
}

bool
txt_date_line(const char *s, size_t n)
{
	struct date d;

	return date_line(s, n, &d);
}

/* ---- labels and fields --------------------------------------------------- */

static bool
word_field(enum meta_field f)
{
	return f == MF_OUTLET || f == MF_SURNAME || f == MF_SECTION ||
	       f == MF_WELCOME;
}

/* The longest label at s[i..n), or -1. Words (outlet, surname, section)
 * are not labels. */
static long
label_at(const struct txt_tables *tt, const char *s, size_t n, size_t i)
{
	long k, best = -1;

	for (k = exi_ps_first(&tt->ml_set, s + i, n - i); k >= 0;
	     k = exi_ps_next(&tt->ml_set, k, s + i, n - i))
		if (!word_field(tt->ml[k].field) &&
		    (best < 0 || tt->ml[k].len > tt->ml[best].len))
			best = k;
	return best;
}

/* Whether a word of kind f spans s[i..i+len) exactly. */
static bool
word_is(const struct txt_tables *tt, const char *s, size_t i, size_t len,
        enum meta_field f)
{
	for (long k = exi_ps_first(&tt->ml_set, s + i, len); k >= 0;
	     k = exi_ps_next(&tt->ml_set, k, s + i, len))
		if (tt->ml[k].field == f && tt->ml[k].len == len)
			return true;
	return false;
}

/* The bytes of the longest word of kind f at s[i..n), or 0. */
static size_t
word_at(const struct txt_tables *tt, const char *s, size_t n, size_t i,
        enum meta_field f)
{
	size_t best = 0;

	for (long k = exi_ps_first(&tt->ml_set, s + i, n - i); k >= 0;
	     k = exi_ps_next(&tt->ml_set, k, s + i, n - i))
		if (tt->ml[k].field == f && tt->ml[k].len > best)
			best = tt->ml[k].len;
	return best;
}

/* Whether s[0..n) is an outlet's name: Han characters (and letters or
 * digits) ending with an outlet word (日报, 网) after at least one more
 * character, or a news agency. "本报" and "本网" (this paper) are not a
 * name. At most 20 code points. */
static bool
outlet_name(const struct txt_tables *tt, const char *s, size_t n)
{
	size_t i = 0, cps = 0;
	long k;

	if (n == 0)
		return false;
	k = label_at(tt, s, n, 0);
	if (k >= 0 && tt->ml[k].field == MF_AGENCY && tt->ml[k].len == n)
		return true;
	while (i < n) {
		size_t at = i;
		uint32_t c = txt_next(s, n, &i);

		if (!txt_is_cjk(c) &&
		    !(c < 0x80 && (is_digit((char)c) ||
		                   ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))))
			return false;
		if (++cps > 20)
			return false;
		if (at > 0 && word_is(tt, s, at, n - at, MF_OUTLET))
			return !(cps == 2 && !memcmp(s, "本", 3));
	}
	return false;
}

/* The outlet in a byline's head ("南方日报" in "南方日报记者 X",
 * "新甘肃·甘肃经济日报", "A报、B网"): a list joined by 、 whose every
 * part is an outlet is kept whole; else the first part between / · | that
 * is one. Sets [*b, *e) and returns true, or false. */
static bool
outlet_part(const struct txt_tables *tt, const char *s, size_t n, size_t *b,
            size_t *e)
{
	size_t i = skip_brackets(s, n, 0), st;
	bool all = true;

	while (n > i && s[n - 1] == ' ')
		n--;
	if (i >= n || exi_u8_count(s + i, n - i) > 40)
		return false;
	for (st = i; st < n && all;) {
		size_t j = st, end = n;

		while (j < n) {
			size_t at = j;

			if (txt_next(s, n, &j) == 0x3001) { /* 、 */
				end = at;
				break;
			}
		}
		all = outlet_name(tt, s + st, end - st);
		st = j;
	}
	if (all) {
		*b = i;
		*e = n;
		return true;
	}
	for (st = i; st < n;) {
		size_t j = st, end = n;

		while (j < n) {
			size_t at = j;
			uint32_t c = txt_next(s, n, &j);

			if (c == '/' || c == 0x00B7 || c == '|' ||
			    c == 0x4E28) {
				end = at;
				break;
			}
		}
		if (outlet_name(tt, s + st, end - st)) {
			*b = st;
			*e = end;
			return true;
		}
		st = j;
	}
	return false;
}

static size_t
skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* The labelled fields of a line, in order; each value runs to the next
 * label. A label glued to the text before it counts once the line has
 * shown a field (每日甘肃网发布时间:...), and bylines may follow an
 * outlet's name (甘肃日报记者 X). */
static size_t
parse_fields(const struct txt_tables *tt, const char *s, size_t n,
             struct field *fs)
{
	size_t i = 0, nf = 0;
	uint32_t prev = 0;

	while (i < n && nf < MAX_FIELDS) {
		long k = label_at(tt, s, n, i);

		if (k >= 0) {
			const struct meta_label *m = &tt->ml[k];
			enum meta_field f = m->field;
			size_t v = skip_spaces(s, n, i + m->len);
			bool colon = v < n && s[v] == ':';
			bool byline =
			    f == MF_REPORTER || f == MF_EDITOR || f == MF_ROLE;
			bool ok = !txt_is_cjk(prev) || nf > 0 || byline;

			if (colon)
				v = skip_spaces(s, n, v + 1);
			if (f == MF_SUPPLIER && colon)
				f = MF_SOURCE;
			if (f == MF_AGENCY || f == MF_SUPPLIER ||
			    f == MF_NAMESUFFIX)
				ok = false;
			if (!byline && !colon)
				ok = false;
			if (ok) {
				if (nf)
					fs[nf - 1].ve = i;
				fs[nf].f = f;
				fs[nf].ls = i;
				fs[nf].vs = v;
				fs[nf].ve = n;
				nf++;
				i = v;
				prev = ':';
				continue;
			}
		}
		prev = txt_next(s, n, &i);
	}
	return nf;
}

/* What may stand before the first label of a metadata line: nothing but
 * brackets, a date and time, or (for a byline) an outlet's name. */
static bool
meta_prefix_ok(const char *s, size_t ls, enum meta_field f)
{
	size_t i = skip_brackets(s, ls, 0);
	struct date d;

	if (i == ls)
		return true;
	if (find_date(s, ls, &d, NULL, NULL) && exi_u8_count(s, ls) <= 30)
		return true;
	if ((f == MF_REPORTER || f == MF_EDITOR) && exi_u8_count(s, ls) <= 16 &&
	    !has_cp(s, ls, ",") && !has_cp(s, ls, "。"))
		return true;
	return false;
}

/* An info line's head before its first label: an outlet's name, maybe
 * followed by its web address ("某某中国 www.x.cn 时间: ..."). The name
 * in [*b, *e). */
static bool
info_prefix(const struct txt_tables *tt, const char *s, size_t ls, size_t *b,
            size_t *e)
{
	size_t i = skip_brackets(s, ls, 0), j, k, dots = 0, letters = 0;
	bool domain = false;

	while (ls > i && s[ls - 1] == ' ')
		ls--;
	for (j = i; j < ls && s[j] != ' '; j++)
		;
	if (j == i || exi_u8_count(s + i, j - i) > 12)
		return false;
	for (k = j; k < ls && s[k] == ' '; k++)
		;
	if (k < ls) {
		for (; k < ls; k++) {
			if (s[k] == ' ' || (unsigned char)s[k] >= 0x80)
				return false;
			dots += s[k] == '.';
			letters += (s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z';
		}
		if (!dots || !letters)
			return false;
		domain = true;
	}
	for (k = i; k < j;) {
		uint32_t c = txt_next(s, j, &k);

		if (!txt_is_cjk(c) && !(c < 0x80 && is_digit((char)c)) &&
		    !(c < 0x80 && (c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			return false;
	}
	if (!domain && !outlet_name(tt, s + i, j - i))
		return false;
	*b = i;
	*e = j;
	return true;
}

/* ---- names ------------------------------------------------------------------
 */

struct names {
	struct vec v; /* char * in the arena */
};

static int
add_name(struct names *nm, struct arena *ar, const char *s, size_t n)
{
	char **slot;

	for (size_t i = 0; i < nm->v.n; i++) {
		const char *o = ((char **)nm->v.p)[i];

		if (strlen(o) == n && !memcmp(o, s, n))
			return 0;
	}
	if (!(slot = exi_vec_push(&nm->v)))
		return EXT_ENOMEM;
	*slot = exi_ar_strndup(ar, s, n);
	return *slot ? 0 : EXT_ENOMEM;
}

/* Strips name suffixes (报道, 摄) from the end of a token. */
static size_t
strip_suffix(const struct txt_tables *tt, const char *s, size_t n)
{
	bool again = true;

	/* Suffixes are a few characters: look them up where they would
	 * start, not through every label. */
	while (again) {
		size_t at = n;

		again = false;
		for (int back = 0; back < 4 && at > 0 && !again; back++) {
			txt_prev(s, &at);
			if (at > 0 &&
			    word_is(tt, s, at, n - at, MF_NAMESUFFIX)) {
				n = at;
				again = true;
			}
		}
	}
	return n;
}

static bool
name_sep(uint32_t c)
{
	return c == ' ' || c == ',' || c == 0x3001 || c == '/' || c == ';';
}

/* A Han token at s[i..n): its end. */
static size_t
han_token(const char *s, size_t n, size_t i, size_t *cps, bool *dot)
{
	*cps = 0;
	while (i < n) {
		size_t at = i;
		uint32_t c = txt_next(s, n, &i);

		if (c == 0x00B7 || c == 0x30FB) {
			*dot = true;
		} else if (!txt_is_cjk(c)) {
			return at;
		}
		(*cps)++;
	}
	return i;
}

static size_t
skip_name_seps(const char *s, size_t n, size_t i)
{
	while (i < n) {
		size_t at = i;

		if (!name_sep(txt_next(s, n, &i)))
			return at;
	}
	return i;
}

/* Names in s[0..n): tokens of 2-4 Han characters (or longer ones with a
 * middle dot, 阿不都·热合曼) separated by spaces, 、 or commas; two
 * one-character tokens whose first is a surname are one name padded for
 * layout ("周 科"). Stops at the first token that is not a name. Strict:
 * every name must start with a surname (a bare author line, "(X)" after
 * a dateline). *end is where the names stop. */
static int
read_names_at(const struct txt_tables *tt, const char *s, size_t n,
              struct names *nm, struct arena *ar, bool strict, size_t *end)
{
	size_t i = 0;

	*end = 0;
	while (i < n) {
		size_t st, tl, cps, at;
		bool dot = false;
		int rc;

		st = i = skip_name_seps(s, n, i);
		i = han_token(s, n, st, &cps, &dot);
		if (cps == 0)
			break;
		if (cps == 1 && word_is(tt, s, st, i - st, MF_SURNAME)) {
			/* "周 科": the given name after a layout space. */
			size_t g = i, ge, gc;
			bool gd = false;

			while (g < n && s[g] == ' ')
				g++;
			ge = han_token(s, n, g, &gc, &gd);
			if (g > i && gc == 1 && !gd) {
				char buf[16];

				if (i - st + ge - g > sizeof(buf))
					break;
				memcpy(buf, s + st, i - st);
				memcpy(buf + (i - st), s + g, ge - g);
				if ((rc = add_name(nm, ar, buf,
				                   i - st + ge - g)) != 0)
					return rc;
				i = ge;
				*end = i;
				at = i;
				if (i < n && !name_sep(txt_next(s, n, &at)))
					break;
				continue;
			}
		}
		tl = strip_suffix(tt, s + st, i - st);
		cps = exi_u8_count(s + st, tl);
		if (cps < 2 || cps > (dot ? 12u : 4u))
			break;
		{
			/* Another byline's label (通讯员 in "记者 张三 通讯员
			 * 李四") ends the names; it is none itself. */
			long k = label_at(tt, s, n, st);

			if (k >= 0 && tt->ml[k].len == tl &&
			    (tt->ml[k].field == MF_ROLE ||
			     tt->ml[k].field == MF_REPORTER ||
			     tt->ml[k].field == MF_EDITOR))
				break;
		}
		if (strict && !dot) {
			size_t sl = word_at(tt, s, st + tl, st, MF_SURNAME);

			if (sl == 0 || sl >= tl)
				break;
		}
		if ((rc = add_name(nm, ar, s + st, tl)) != 0)
			return rc;
		*end = i;
		at = i;
		if (i < n && !name_sep(txt_next(s, n, &at)))
			break;
	}
	return 0;
}

static int
read_names(const struct txt_tables *tt, const char *s, size_t n,
           struct names *nm, struct arena *ar)
{
	size_t end;

	return read_names_at(tt, s, n, nm, ar, false, &end);
}

/* Whether s[0..n) is nothing but one to three names that start with a
 * surname ("李四", "张三 王五"): a bare author line. */
static bool
name_line(const struct txt_tables *tt, const char *s, size_t n,
          struct arena *ar)
{
	struct names tmp = { VEC_INIT(char *) };
	size_t end = 0, cps = exi_u8_count(s, n);
	bool ok;

	if (cps < 2 || cps > 14)
		return false;
	ok = read_names_at(tt, s, n, &tmp, ar, true, &end) == 0 &&
	     tmp.v.n >= 1 && tmp.v.n <= 3 && skip_name_seps(s, n, end) == n;
	exi_vec_free(&tmp.v);
	return ok;
}

/* Whether a byline's value is a photo credit ("张三 摄"): photographers
 * are no reporters and their outlet names no source. */
static bool
photo_credit(const char *s, size_t b, size_t e)
{
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == ')'))
		e--;
	return (e - b >= 3 && !memcmp(s + e - 3, "摄", 3)) ||
	       (e - b >= 6 && !memcmp(s + e - 6, "摄影", 6));
}

/* "(记者 张三 李四)" anywhere in a line, "(新华社记者 X)" too. */
static int
bracket_bylines(const struct txt_tables *tt, const char *s, size_t n,
                struct names *rep, struct arena *ar)
{
	int rc = 0;

	/* memchr finds the brackets: most lines have none */
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *q = memchr(s + i, '(', n - i);
		size_t j, lim, close;

		if (!q)
			break;
		i = (size_t)(q - s);
		lim = i + 1 + 3 * 12 < n ? i + 1 + 3 * 12 : n;
		for (j = i + 1; j < lim; j++) {
			long k;

			if (s[j] == ')' || s[j] == '(')
				break;
			k = label_at(tt, s, n, j);
			if (k >= 0 && tt->ml[k].field == MF_REPORTER) {
				size_t v = skip_spaces(s, n, j + tt->ml[k].len);

				if (v < n && s[v] == ':')
					v++;
				for (close = v; close < n && close < v + 120 &&
				                s[close] != ')';
				     close++)
					;
				if (close < n && s[close] == ')' &&
				    !photo_credit(s, v, close))
					rc = read_names(tt, s + v, close - v,
					                rep, ar);
				break;
			}
		}
	}
	return rc;
}

/* ---- values
 * ------------------------------------------------------------------- */

static bool
trim_char(uint32_t c)
{
	return c == ' ' || c == ':' || c == '|' || c == ',' || c == '-' ||
	       c == ';' || c == 0x3011 || c == 0x3010 || c == ']' || c == '[' ||
	       c == ')' || c == '(' || c == 0x300A || c == 0x300B ||
	       c == 0x3001 || c == 0x3002 || c == 0x4E28 /* 丨 */;
}

/* Trims signs and brackets around s[*b, *e). */
static void
trim(const char *s, size_t *b, size_t *e)
{
	for (;;) {
		size_t i = *b;

		if (*b >= *e || !trim_char(txt_next(s, *e, &i)))
			break;
		*b = i;
	}
	for (;;) {
		size_t i = *e;

		if (*e <= *b || !trim_char(txt_prev(s, &i)))
			break;
		*e = i;
	}
}

/* A source value: up to a date, a space or a sign; NULL if empty or too
 * long to be a name. */
static char *
source_value(const char *s, size_t b, size_t e, struct arena *ar,
             struct date *d, bool *dated)
{
	size_t at, i;

	trim(s, &b, &e);
	if (find_date(s + b, e - b, d, &at, NULL)) {
		*dated = true;
		e = b + at;
	}
	for (i = b; i < e; i++)
		if (s[i] == ' ' || s[i] == '|' ||
		    (e - i >= 3 && !memcmp(s + i, "丨", 3)))
			break;
	e = i;
	trim(s, &b, &e);
	if (e <= b || exi_u8_count(s + b, e - b) > 30)
		return NULL;
	return exi_ar_strndup(ar, s + b, e - b);
}

static bool
headline_like(const struct tline *l)
{
	size_t i = 0, han = 0;
	uint32_t c = 0, first = 0;
	struct date d;

	if (l->kind != LK_TEXT || l->cps < 4 || l->cps > 64)
		return false;
	if (has_cp(l->s, l->n, "。") || date_line(l->s, l->n, &d))
		return false;
	while (i < l->n) {
		c = txt_next(l->s, l->n, &i);
		if (!first)
			first = c;
		han += txt_is_cjk(c);
	}
	if (han < 2 || first == 0x2014 || first == '(' || first == '-' ||
	    photo_credit(l->s, 0, l->n))
		return false;
	return !(c == ',' || c == ':' || c == ';' || c == 0x3001);
}

static char *
date_str(struct arena *ar, const struct date *d)
{
	char buf[16];
	char *p = exi_ar_alloc(ar, 11);

	if (!p)
		return NULL;
	buf[0] = (char)('0' + d->y / 1000 % 10);
	buf[1] = (char)('0' + d->y / 100 % 10);
	buf[2] = (char)('0' + d->y / 10 % 10);
	buf[3] = (char)('0' + d->y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + d->m / 10);
	buf[6] = (char)('0' + d->m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d->d / 10);
	buf[9] = (char)('0' + d->d % 10);
	memcpy(p, buf, 10);
	p[10] = '\0';
	return p;
}

/* "(广东省某某工作队供稿)": the supplier, or NULL. */
static char *
supplier(const struct txt_tables *tt, const struct tline *l, struct arena *ar)
{
	size_t b = 0, e = l->n;

	if (l->cps > 40)
		return NULL;
	trim(l->s, &b, &e);
	for (size_t k = 0; k < tt->n_ml; k++) {
		const struct meta_label *m = &tt->ml[k];

		if (m->field == MF_SUPPLIER && e - b > m->len &&
		    !memcmp(l->s + e - m->len, m->s, m->len)) {
			e -= m->len;
			trim(l->s, &b, &e);
			if (e > b && exi_u8_count(l->s + b, e - b) <= 30 &&
			    !has_cp(l->s + b, e - b, ","))
				return exi_ar_strndup(ar, l->s + b, e - b);
		}
	}
	return NULL;
}

/* "新华社北京1月21日电": the agency, or NULL. */
static char *
agency(const struct txt_tables *tt, const struct tline *l, struct arena *ar)
{
	size_t i = skip_brackets(l->s, l->n, 0);
	long k = label_at(tt, l->s, l->n, i);
	size_t j, lim;

	if (k < 0 || tt->ml[k].field != MF_AGENCY)
		return NULL;
	j = i + tt->ml[k].len;
	lim = j + 3 * 24 < l->n ? j + 3 * 24 : l->n;
	for (; j + 3 <= lim; j++)
		if (!memcmp(l->s + j, "电", 3))
			return exi_ar_strndup(ar, tt->ml[k].s, tt->ml[k].len);
	return NULL;
}

/* "农业网(Agronet.com.cn)": the site's name, or NULL. */
static char *
site_footer(const struct tline *l, struct arena *ar)
{
	const char *s = l->s;
	size_t n = l->n;

	if (l->cps > META_MAX_CPS)
		return NULL;
	for (size_t i = 0; i + 4 <= n; i++) {
		size_t j, b, dots = 0, cps = 0;
		const char *q = memchr(s + i + 3, '(', n - i - 3);

		if (!q)
			break;
		i = (size_t)(q - s) - 3;
		if (memcmp(s + i, "网(", 4))
			continue;
		for (j = i + 4; j < n && s[j] != ')'; j++) {
			char c = s[j];

			if (c == '.')
				dots++;
			else if (!((c >= 'a' && c <= 'z') ||
			           (c >= 'A' && c <= 'Z') || is_digit(c) ||
			           c == '-'))
				break;
		}
		if (j >= n || s[j] != ')' || dots == 0 || j - i < 8)
			continue;
		b = i;
		while (b > 0 && cps < 12) {
			size_t p = b;

			if (!txt_is_cjk(txt_prev(s, &p)))
				break;
			b = p;
			cps++;
		}
		if (cps >= 1)
			return exi_ar_strndup(ar, s + b, i + 3 - b);
	}
	return NULL;
}

/* ---- datelines and titles -------------------------------------------- */

struct dateline {
	size_t ob, oe; /* the outlet's name, empty when none */
	size_t after;  /* just after 电, 讯 or 消息 */
};

/* A dateline at the start of s: "<outlet><place>M月D日电" (讯, 消息 too,
 * a year may stand before the month), or "<outlet>讯" / "<outlet>消息"
 * without a date. The outlet is the longest head of
 * the part before the date that is an outlet's name (新华社 in
 * 新华社成都, 某某网 in 某某网昆明). */
static bool
dateline_at(const struct txt_tables *tt, const char *s, size_t n,
            struct dateline *dl)
{
	size_t b = skip_brackets(s, n, 0), i = b, lim;

	lim = b + 3 * 30 < n ? b + 3 * 30 : n;
	/* "某某网讯", "某某网消息": an outlet's dateline without a date. */
	for (size_t q = b, cps = 0; q < lim && cps < 20; cps++) {
		size_t w = 0;

		if (n - q >= 3 && !memcmp(s + q, "讯", 3))
			w = 3;
		else if (n - q >= 6 && !memcmp(s + q, "消息", 6))
			w = 6;
		if (w && q > b && outlet_name(tt, s + b, q - b)) {
			dl->ob = b;
			dl->oe = q;
			dl->after = q + w;
			return true;
		}
		if (!txt_is_cjk(txt_next(s, n, &q)))
			break;
	}
	while (i < lim) {
		size_t at = i, ds, ps, j, k, q;
		uint32_t c = txt_next(s, n, &i);

		if (c != 0x6708) { /* 月 */
			if (!txt_is_cjk(c) && !(c < 0x80 && is_digit((char)c)))
				return false;
			continue;
		}
		for (ds = at; ds > b && is_digit(s[ds - 1]); ds--)
			;
		if (ds == at || at - ds > 2)
			return false;
		ps = ds;
		if (ps >= b + 3 && !memcmp(s + ps - 3, "年", 3)) {
			size_t y = ps - 3;

			while (y > b && is_digit(s[y - 1]))
				y--;
			if (ps - 3 - y == 4)
				ps = y;
		}
		for (j = k = i; k < n && is_digit(s[k]) && k - j < 2; k++)
			;
		if (k == j || n - k < 6 || memcmp(s + k, "日", 3))
			return false;
		k += 3;
		if (!memcmp(s + k, "电", 3) || !memcmp(s + k, "讯", 3))
			k += 3;
		else if (n - k >= 6 && !memcmp(s + k, "消息", 6))
			k += 6;
		else
			return false;
		if (ps <= b || exi_u8_count(s + b, ps - b) > 20)
			return false;
		dl->ob = dl->oe = b;
		dl->after = k;
		for (q = ps; q > b;) {
			if (outlet_name(tt, s + b, q - b)) {
				dl->oe = q;
				break;
			}
			txt_prev(s, &q);
		}
		return true;
	}
	return false;
}

/* Where a byline after a □ or ■ starts on a headline's line ("标题
 * □某某社记者 张三"), else n. */
static size_t
title_byline(const struct txt_tables *tt, const char *s, size_t n)
{
	for (size_t i = 3; i + 3 <= n; i++) {
		if (memcmp(s + i, "□", 3) && memcmp(s + i, "■", 3))
			continue;
		for (size_t j = i + 3; j < n && j < i + 3 + 3 * 16; j++) {
			long k = label_at(tt, s, n, j);

			if (k >= 0 && (tt->ml[k].field == MF_REPORTER ||
			               tt->ml[k].field == MF_EDITOR))
				return i;
		}
	}
	return n;
}

/* The title as kept: without a byline after □ on its line and without a
 * forum section in front ("[原创]", "[纪实·新闻" whose bracket the page
 * lost). NULL when nothing is left. */
static char *
clean_title(const struct txt_tables *tt, const char *s, size_t n,
            struct arena *ar)
{
	size_t b = 0, e = title_byline(tt, s, n);

	if (e > 0 && (s[0] == '[' || (e >= 3 && !memcmp(s, "【", 3)))) {
		size_t p = s[0] == '[' ? 1 : 3, w, words = 0;

		while (p < e && (w = word_at(tt, s, e, p, MF_SECTION)) != 0) {
			p += w;
			words++;
			if (e - p >= 2 && !memcmp(s + p, "·", 2))
				p += 2;
			else
				break;
		}
		if (words && p < e &&
		    (s[p] == ']' || (e - p >= 3 && !memcmp(s + p, "】", 3))))
			b = p + (s[p] == ']' ? 1 : 3);
		else if (words && !memchr(s, ']', e) && !has_cp(s, e, "】"))
			b = p;
	}
	while (b < e && s[b] == ' ')
		b++;
	while (e > b && s[e - 1] == ' ')
		e--;
	if (exi_u8_count(s + b, e - b) < 2)
		return NULL;
	return exi_ar_strndup(ar, s + b, e - b);
}

/* ---- txt_meta
 * ------------------------------------------------------------------ */

static int
finish_names(struct names *nm, struct arena *ar, char ***out, size_t *n)
{
	*n = nm->v.n;
	*out = exi_vec_to_arena(&nm->v, ar);
	return *n && !*out ? EXT_ENOMEM : 0;
}

static size_t
prev_nonblank(const struct tline *l, size_t i)
{
	while (i-- > 0)
		if (l[i].kind != LK_BLANK)
			return i;
	return SIZE_MAX;
}

static size_t
next_nonblank(const struct tline *l, size_t n, size_t i)
{
	while (++i < n)
		if (l[i].kind != LK_BLANK)
			return i;
	return SIZE_MAX;
}

/* A page header's outlet: the page's first line when it is nothing but an
 * outlet's name ("某某日报") or welcomes the reader to it ("欢迎访问某某网!",
 * txt_meta.tsv "welcome"), as text or as the furniture above a breadcrumb.
 * Its index and the name in [*b, *e), or SIZE_MAX. */
static size_t
header_outlet(const struct txt_tables *tt, const struct tline *l, size_t n,
              size_t *b, size_t *e)
{
	size_t i = next_nonblank(l, n, SIZE_MAX), w;

	if (i == SIZE_MAX || l[i].kind == LK_META || l[i].cps > 20)
		return SIZE_MAX;
	*b = 0;
	*e = l[i].n;
	if ((w = word_at(tt, l[i].s, l[i].n, 0, MF_WELCOME)) != 0) {
		*b = w;
		while (*e > *b &&
		       (l[i].s[*e - 1] == '!' || l[i].s[*e - 1] == '.' ||
		        l[i].s[*e - 1] == ' '))
			(*e)--;
		if (*e - *b >= 3 && !memcmp(l[i].s + *e - 3, "。", 3))
			*e -= 3;
	}
	if (exi_u8_count(l[i].s + *b, *e - *b) > 10 ||
	    !outlet_name(tt, l[i].s + *b, *e - *b))
		return SIZE_MAX;
	return i;
}

/* A line that is nothing but a short outlet's name ("某某网"): page
 * chrome, never the title. */
static bool
outlet_line(const struct txt_tables *tt, const struct tline *l)
{
	return l->cps <= 8 && outlet_name(tt, l->s, l->n);
}

/* An outlet's name written alone on a line: short, no signs but '+'. */
static bool
bare_outlet_line(const struct tline *l)
{
	size_t i = 0, han = 0;

	if (l->kind != LK_TEXT || l->cps < 2 || l->cps > 12)
		return false;
	while (i < l->n) {
		uint32_t c = txt_next(l->s, l->n, &i);

		if (txt_is_cjk(c))
			han++;
		else if (!(c == '+' || (c < 0x80 && ((c | 0x20) >= 'a' &&
		                                     (c | 0x20) <= 'z'))))
			return false;
	}
	return han >= 2;
}

/* "中国某报、某某网 张三、李四、记者王五报道  正文...": a byline that
 * opens the first paragraph, up to 报道 and a space. Its end, or 0. */
static size_t
lead_byline(const struct txt_tables *tt, const char *s, size_t n)
{
	size_t lim = n < 3 * 60 ? n : 3 * 60, i;
	static const char bd[] = "报道";

	for (i = 0; i + 7 <= lim; i++) {
		if (memcmp(s + i, bd, 6) || s[i + 6] != ' ')
			continue;
		if (has_cp(s, i, ",") || has_cp(s, i, "。") ||
		    has_cp(s, i, ":"))
			return 0;
		for (size_t j = 0; j < i; j++) {
			long k = label_at(tt, s, i, j);

			if (k >= 0 && tt->ml[k].field == MF_REPORTER)
				return i + 6;
		}
		return 0;
	}
	return 0;
}

int
txt_meta(const struct txt_tables *tt, struct tline *l, size_t n,
         struct arena *ar, struct ext_meta *meta)
{
	struct names rep = { VEC_INIT(char *) }, ed = { VEC_INIT(char *) };
	char *src_dated = NULL, *src_head = NULL, *src_any = NULL;
	char *src_supplier = NULL, *src_agency = NULL, *src_site = NULL;
	char *src_byline = NULL, *src_info = NULL;
	char *origtitle = NULL, *dl_title = NULL;
	struct date d_src, d_label, d_line, d_any;
	bool have_src = false, have_label = false, have_line = false,
	     have_any = false;
	size_t head_end = n, i, nonblank = 0, longs = 0, header;
	size_t hb = 0, he = 0, dl_line = SIZE_MAX;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (l[i].kind == LK_BLANK)
			continue;
		if (++nonblank > HEAD_LINES) {
			head_end = i;
			break;
		}
		/* Paragraphs end the head; a long row of words without a
		 * sign (a menu) does not. */
		if (l[i].kind == LK_TEXT &&
		    ((l[i].cps >= 60 && has_cp(l[i].s, l[i].n, ",")) ||
		     has_cp(l[i].s, l[i].n, "。")) &&
		    ++longs >= HEAD_LONG) {
			head_end = i;
			break;
		}
	}
	header = header_outlet(tt, l, n, &hb, &he);
	for (i = 0; i < n && rc == 0; i++) {
		struct tline *t = &l[i];
		struct field fs[MAX_FIELDS];
		size_t nf, f, lead, tail, ob, oe;
		bool head = i < head_end, dated = false;
		struct dateline dl;
		struct date d;
		char *v;

		if (t->kind == LK_BLANK)
			continue;
		if (!src_site)
			src_site = site_footer(t, ar);
		if (t->kind != LK_TEXT)
			continue;
		if (t->cps <= META_MAX_CPS && !has_cp(t->s, t->n, "。") &&
		    date_line_at(t->s, t->n, &d, &lead, &tail) &&
		    (!tail || outlet_name(tt, t->s + tail, t->n - tail)) &&
		    (!lead || (!tail && outlet_name(tt, t->s, lead)))) {
			t->kind = LK_META;
			if (head && !have_line) {
				d_line = d;
				have_line = true;
			}
			if (tail && !src_info)
				src_info = exi_ar_strndup(ar, t->s + tail,
				                          t->n - tail);
			if (lead && !src_info)
				src_info = exi_ar_strndup(ar, t->s, lead);
			continue;
		}
		if (head && !src_agency)
			src_agency = agency(tt, t, ar);
		if (head && dateline_at(tt, t->s, t->n, &dl)) {
			size_t a = skip_spaces(t->s, t->n, dl.after);

			if (dl_line == SIZE_MAX)
				dl_line = i;
			if (dl.oe > dl.ob && !src_byline)
				src_byline = exi_ar_strndup(ar, t->s + dl.ob,
				                            dl.oe - dl.ob);
			if (a < t->n && t->s[a] == '(') {
				/* "(张三)" after the dateline: the reporter. */
				const char *cl =
				    memchr(t->s + a, ')',
				           t->n - a < 48 ? t->n - a : 48);
				size_t end;

				if (cl && label_at(tt, t->s, t->n, a + 1) < 0 &&
				    (rc = read_names_at(
				         tt, t->s + a + 1,
				         (size_t)(cl - t->s) - a - 1, &rep, ar,
				         true, &end)) != 0)
					break;
			} else if (t->n - a > 4 &&
			           !memcmp(t->s + a, "题:", 4) && !dl_title &&
			           t->cps <= META_MAX_CPS &&
			           !has_cp(t->s, t->n, "。")) {
				/* "新华社某地5月1日电 题:标题" */
				struct tline o = { t->s + a + 4, t->n - a - 4,
					           0, LK_TEXT };

				o.cps = exi_u8_count(o.s, o.n);
				/* The line stays in the text like any
				 * headline. */
				if (headline_like(&o)) {
					dl_title =
					    clean_title(tt, o.s, o.n, ar);
					continue;
				}
			}
		}
		if (!src_supplier && (v = supplier(tt, t, ar)) != NULL) {
			src_supplier = v;
			t->kind = LK_META;
			continue;
		}
		/* A signature: "(张三)" alone on its line. */
		if (t->cps >= 4 && t->cps <= 6 && t->s[0] == '(' &&
		    t->s[t->n - 1] == ')') {
			size_t j = 1, han = 0;

			while (j < t->n - 1 &&
			       txt_is_cjk(txt_next(t->s, t->n, &j)))
				han++;
			if (j == t->n - 1 && han == t->cps - 2) {
				t->kind = LK_META;
				continue;
			}
		}
		rc = bracket_bylines(tt, t->s, t->n, &rep, ar);
		if (rc != 0)
			continue;
		if (head && (lead = lead_byline(tt, t->s, t->n)) != 0) {
			/* A byline opening the first paragraph: read, and the
			 * paragraph stays. */
			nf = parse_fields(tt, t->s, lead, fs);
			for (f = 0; f < nf && rc == 0; f++)
				if (fs[f].f == MF_REPORTER &&
				    !photo_credit(t->s, fs[f].vs, fs[f].ve))
					rc = read_names(tt, t->s + fs[f].vs,
					                fs[f].ve - fs[f].vs,
					                &rep, ar);
			if (nf && !src_byline) {
				size_t sp = 0;

				while (sp < fs[0].ls && t->s[sp] != ' ')
					sp++;
				if (sp < fs[0].ls &&
				    outlet_part(tt, t->s, sp, &ob, &oe) &&
				    ob == 0 && oe == sp)
					src_byline = exi_ar_strndup(
					    ar, t->s + ob, oe - ob);
			}
			continue;
		}
		if (t->cps > META_MAX_CPS || has_cp(t->s, t->n, "。"))
			continue;
		nf = parse_fields(tt, t->s, t->n, fs);
		if (nf == 0)
			continue;
		if (!meta_prefix_ok(t->s, fs[0].ls, fs[0].f)) {
			size_t cut;

			if (info_prefix(tt, t->s, fs[0].ls, &ob, &oe)) {
				/* "某某中国 www.x.cn 时间: ..." */
				if (!src_info)
					src_info = exi_ar_strndup(ar, t->s + ob,
					                          oe - ob);
			} else if (fs[0].f == MF_REPORTER &&
			           (cut = title_byline(tt, t->s, t->n)) <
			               fs[0].ls) {
				/* "标题 □某某社记者 张三": read the byline,
				 * keep the line for the title. */
				if (outlet_part(tt, t->s + cut + 3,
				                fs[0].ls - cut - 3, &ob, &oe) &&
				    !src_byline)
					src_byline = exi_ar_strndup(
					    ar, t->s + cut + 3 + ob, oe - ob);
				for (f = 0; f < nf && rc == 0; f++)
					if (fs[f].f == MF_REPORTER &&
					    !photo_credit(t->s, fs[f].vs,
					                  fs[f].ve))
						rc = read_names(
						    tt, t->s + fs[f].vs,
						    fs[f].ve - fs[f].vs, &rep,
						    ar);
				continue;
			} else {
				continue;
			}
		} else if (fs[0].f == MF_REPORTER && fs[0].ls > 0 &&
		           !src_byline &&
		           !photo_credit(t->s, fs[0].vs, fs[0].ve) &&
		           outlet_part(tt, t->s, fs[0].ls, &ob, &oe)) {
			/* "某某日报记者 张三" */
			src_byline = exi_ar_strndup(ar, t->s + ob, oe - ob);
		}
		if (fs[0].f == MF_ORIGTITLE) {
			if (!origtitle && head) {
				size_t b = fs[0].vs, e = fs[0].ve, k;

				for (k = b; k < e && t->s[k] != ' '; k++)
					;
				origtitle = exi_ar_strndup(ar, t->s + b, k - b);
			}
			continue;
		}
		for (f = 0; f < nf && rc == 0; f++) {
			const struct field *x = &fs[f];

			switch (x->f) {
			case MF_SOURCE:
				v = source_value(t->s, x->vs, x->ve, ar, &d,
				                 &dated);
				if (!v && x->vs >= x->ve) {
					/* "来源:" and the name on the next
					 * line. */
					size_t j = i + 1;

					while (j < n && l[j].kind == LK_BLANK)
						j++;
					if (j < n && l[j].kind == LK_TEXT &&
					    l[j].cps <= 20 &&
					    !has_cp(l[j].s, l[j].n, ",")) {
						v = source_value(l[j].s, 0,
						                 l[j].n, ar, &d,
						                 &dated);
						if (v)
							l[j].kind = LK_META;
					}
				}
				if (!dated)
					dated = find_date(t->s, t->n, &d, NULL,
					                  NULL);
				if (v && dated && !src_dated) {
					src_dated = v;
					d_src = d;
					have_src = true;
				}
				if (v && head && !src_head)
					src_head = v;
				if (v && !src_any)
					src_any = v;
				break;
			case MF_DATE:
				if (head && !have_label &&
				    find_date(t->s + x->vs, x->ve - x->vs,
				              &d_label, NULL, NULL))
					have_label = true;
				break;
			case MF_EDITOR:
				rc = read_names(tt, t->s + x->vs, x->ve - x->vs,
				                &ed, ar);
				break;
			case MF_REPORTER:
				if (!photo_credit(t->s, x->vs, x->ve))
					rc =
					    read_names(tt, t->s + x->vs,
					               x->ve - x->vs, &rep, ar);
				break;
			default:
				break;
			}
		}
		if (head && !have_any &&
		    find_date(t->s, t->n, &d, NULL, NULL)) {
			d_any = d;
			have_any = true;
		}
		t->kind = LK_META;
	}
	if (rc != 0)
		goto done;

	/* Bare author lines under a dateline ("李四") or over a date line
	 * ("某某+ / 张三 / 2022-01-02" info blocks). */
	for (i = 0; i < head_end && rc == 0; i++) {
		struct dateline dl;
		size_t p, q, end;

		if (l[i].kind != LK_TEXT || l[i].cps > 14 ||
		    !name_line(tt, l[i].s, l[i].n, ar))
			continue;
		p = prev_nonblank(l, i);
		q = next_nonblank(l, n, i);
		if (!(p != SIZE_MAX && l[p].kind != LK_FURNITURE &&
		      dateline_at(tt, l[p].s, l[p].n, &dl)) &&
		    !(q != SIZE_MAX && l[q].kind == LK_META &&
		      txt_date_line(l[q].s, l[q].n)))
			continue;
		rc = read_names_at(tt, l[i].s, l[i].n, &rep, ar, true, &end);
		l[i].kind = LK_META;
		if (p != SIZE_MAX && q != SIZE_MAX && l[q].kind == LK_META &&
		    txt_date_line(l[q].s, l[q].n) && bare_outlet_line(&l[p])) {
			if (!src_info)
				src_info = exi_ar_strndup(ar, l[p].s, l[p].n);
			l[p].kind = LK_META;
		}
	}
	if (rc != 0)
		goto done;

	meta->source = src_dated      ? src_dated
	               : src_head     ? src_head
	               : src_any      ? src_any
	               : src_supplier ? src_supplier
	               : src_agency   ? src_agency
	               : src_byline   ? src_byline
	               : src_info     ? src_info
	                              : src_site;
	if (have_src)
		meta->published = date_str(ar, &d_src);
	else if (have_label)
		meta->published = date_str(ar, &d_label);
	else if (have_line)
		meta->published = date_str(ar, &d_line);
	else if (have_any)
		meta->published = date_str(ar, &d_any);
	if ((have_src || have_label || have_line || have_any) &&
	    !meta->published) {
		rc = EXT_ENOMEM;
		goto done;
	}

	/* The title: a dateline's 题:, else the headline-like line just
	 * above a metadata line or the first dateline of the head (over blank
	 * lines, furniture, other metadata, a photo's caption and a "——"
	 * subtitle), else 原标题, else a headline-like first line; never the
	 * header's outlet nor another line that is only an outlet's name. */
	meta->title = dl_title;
	for (i = 0; i < head_end && !meta->title; i++) {
		size_t j = i, skips = 0;

		if (l[i].kind != LK_META && i != dl_line)
			continue;
		while (j-- > 0) {
			const struct tline *p = &l[j];

			if (p->kind == LK_BLANK)
				continue;
			if ((p->kind == LK_FURNITURE || p->kind == LK_META ||
			     (p->n >= 3 && !memcmp(p->s, "—", 3)) ||
			     photo_credit(p->s, 0, p->n)) &&
			    ++skips <= 4)
				continue;
			break;
		}
		if (j < i && j != header && !outlet_line(tt, &l[j]) &&
		    headline_like(&l[j])) {
			meta->title = clean_title(tt, l[j].s, l[j].n, ar);
		}
	}
	if (!meta->title && origtitle) {
		struct tline o = { origtitle, strlen(origtitle), 0, LK_TEXT };

		o.cps = exi_u8_count(o.s, o.n);
		if (headline_like(&o))
			meta->title = origtitle;
	}
	for (i = 0; i < head_end && !meta->title; i++) {
		if (l[i].kind != LK_TEXT || i == header ||
		    outlet_line(tt, &l[i]))
			continue;
		if (headline_like(&l[i])) {
			meta->title = clean_title(tt, l[i].s, l[i].n, ar);
		}
		break;
	}
	/* The header's outlet. */
	if (header != SIZE_MAX) {
		l[header].kind = LK_META;
		if (!meta->source && !(meta->source = exi_ar_strndup(
		                           ar, l[header].s + hb, he - hb)))
			rc = EXT_ENOMEM;
	}
	if (rc == 0)
		rc = finish_names(&rep, ar, &meta->reporters,
		                  &meta->n_reporters);
	if (rc == 0)
		rc = finish_names(&ed, ar, &meta->editors, &meta->n_editors);
done:
	exi_vec_free(&rep.v);
	exi_vec_free(&ed.v);
	return rc;
}
