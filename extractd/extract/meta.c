/* meta.c - reads an article's metadata from its normalised lines and marks
 * the lines that only carry metadata, so txt.c drops them.
 *
 * Does: labelled fields (txt_meta.tsv: 来源:, 发布时间:, 责任编辑:, 记者,
 * ...) on lines shaped like metadata (short, no full stop, starting with a
 * label, a date or an outlet's byline), date-only lines, bylines in
 * brackets ("(记者 张三)"), "X供稿", agency datelines (新华社...电), a
 * site-name footer "X网(domain)", and the title: the headline-like line
 * just above the first metadata lines of the page head, else the first
 * line when it is headline-like.
 * Does not: read dates from the body, or guess a title from a paragraph. */
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
	static const char *const open[] = { "【", "[", "(", " ", "《", "〔" };

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

/* "2020-01-21 08:42", "2020年1月21日 星期二": a line that is a date. */
static bool
date_line(const char *s, size_t n, struct date *d)
{
	size_t i = skip_brackets(s, n, 0), k;

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
		} else {
			return false;
		}
	}
	return true;
}

bool
txt_date_line(const char *s, size_t n)
{
	struct date d;

	return date_line(s, n, &d);
}

/* ---- labels and fields --------------------------------------------------- */

/* The longest label at s[i..n), or -1. */
static long
label_at(const struct txt_tables *tt, const char *s, size_t n, size_t i)
{
	long k, best = -1;

	for (k = ps_first(&tt->ml_set, s + i, n - i); k >= 0;
	     k = ps_next(&tt->ml_set, k, s + i, n - i))
		if (best < 0 || tt->ml[k].len > tt->ml[best].len)
			best = k;
	return best;
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
	if (find_date(s, ls, &d, NULL, NULL) && u8_count(s, ls) <= 30)
		return true;
	if ((f == MF_REPORTER || f == MF_EDITOR) && u8_count(s, ls) <= 16 &&
	    !has_cp(s, ls, ",") && !has_cp(s, ls, "。"))
		return true;
	return false;
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
	if (!(slot = vec_push(&nm->v)))
		return EXT_ENOMEM;
	*slot = ar_strndup(ar, s, n);
	return *slot ? 0 : EXT_ENOMEM;
}

/* Strips name suffixes (报道, 摄) from the end of a token. */
static size_t
strip_suffix(const struct txt_tables *tt, const char *s, size_t n)
{
	bool again = true;

	while (again) {
		again = false;
		for (size_t k = 0; k < tt->n_ml; k++) {
			const struct meta_label *m = &tt->ml[k];

			if (m->field == MF_NAMESUFFIX && m->len < n &&
			    !memcmp(s + n - m->len, m->s, m->len)) {
				n -= m->len;
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

/* Names in s[0..n): tokens of 2-4 Han characters (or longer ones with a
 * middle dot, 阿不都·热合曼) separated by spaces, 、 or commas. Stops at
 * the first token that is not a name. */
static int
read_names(const struct txt_tables *tt, const char *s, size_t n,
           struct names *nm, struct arena *ar)
{
	size_t i = 0;

	while (i < n) {
		size_t st, at, tl, cps = 0;
		bool dot = false;
		int rc;

		while (i < n) {
			at = i;
			if (!name_sep(txt_next(s, n, &i))) {
				i = at;
				break;
			}
		}
		st = i;
		while (i < n) {
			uint32_t c;

			at = i;
			c = txt_next(s, n, &i);
			if (c == 0x00B7 || c == 0x30FB) {
				dot = true;
			} else if (!txt_is_cjk(c)) {
				i = at;
				break;
			}
			cps++;
		}
		if (cps == 0)
			break;
		tl = strip_suffix(tt, s + st, i - st);
		cps = u8_count(s + st, tl);
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
		if ((rc = add_name(nm, ar, s + st, tl)) != 0)
			return rc;
		at = i;
		if (i < n && !name_sep(txt_next(s, n, &at)))
			break;
	}
	return 0;
}

/* "(记者 张三 李四)" anywhere in a line, "(新华社记者 X)" too. */
static int
bracket_bylines(const struct txt_tables *tt, const char *s, size_t n,
                struct names *rep, struct arena *ar)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t j, lim, close;

		if (s[i] != '(')
			continue;
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
				if (close < n && s[close] == ')')
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
	       c == 0x3001 || c == 0x3002;
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
		if (s[i] == ' ' || s[i] == '|')
			break;
	e = i;
	trim(s, &b, &e);
	if (e <= b || u8_count(s + b, e - b) > 30)
		return NULL;
	return ar_strndup(ar, s + b, e - b);
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
	if (han < 2 || first == 0x2014 || first == '(' || first == '-')
		return false;
	return !(c == ',' || c == ':' || c == ';' || c == 0x3001);
}

static char *
date_str(struct arena *ar, const struct date *d)
{
	char buf[16];
	char *p = ar_alloc(ar, 11);

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
			if (e > b && u8_count(l->s + b, e - b) <= 30 &&
			    !has_cp(l->s + b, e - b, ","))
				return ar_strndup(ar, l->s + b, e - b);
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
			return ar_strndup(ar, tt->ml[k].s, tt->ml[k].len);
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
			return ar_strndup(ar, s + b, i + 3 - b);
	}
	return NULL;
}

/* ---- txt_meta
 * ------------------------------------------------------------------ */

static int
finish_names(struct names *nm, struct arena *ar, char ***out, size_t *n)
{
	*n = nm->v.n;
	*out = vec_to_arena(&nm->v, ar);
	return *n && !*out ? EXT_ENOMEM : 0;
}

int
txt_meta(const struct txt_tables *tt, struct tline *l, size_t n,
         struct arena *ar, struct ext_meta *meta)
{
	struct names rep = { VEC_INIT(char *) }, ed = { VEC_INIT(char *) };
	char *src_dated = NULL, *src_head = NULL, *src_any = NULL;
	char *src_supplier = NULL, *src_agency = NULL, *src_site = NULL;
	char *origtitle = NULL;
	struct date d_src, d_label, d_line, d_any;
	bool have_src = false, have_label = false, have_line = false,
	     have_any = false;
	size_t head_end = n, i, nonblank = 0, longs = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (l[i].kind == LK_BLANK)
			continue;
		if (++nonblank > HEAD_LINES) {
			head_end = i;
			break;
		}
		if (l[i].kind == LK_TEXT &&
		    (l[i].cps >= 60 || has_cp(l[i].s, l[i].n, "。")) &&
		    ++longs >= HEAD_LONG) {
			head_end = i;
			break;
		}
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct tline *t = &l[i];
		struct field fs[MAX_FIELDS];
		size_t nf, f;
		bool head = i < head_end, dated = false;
		struct date d;
		char *v;

		if (t->kind == LK_BLANK)
			continue;
		if (!src_site)
			src_site = site_footer(t, ar);
		if (t->kind != LK_TEXT)
			continue;
		if (t->cps <= META_MAX_CPS && !has_cp(t->s, t->n, "。") &&
		    date_line(t->s, t->n, &d)) {
			t->kind = LK_META;
			if (head && !have_line) {
				d_line = d;
				have_line = true;
			}
			continue;
		}
		if (head && !src_agency)
			src_agency = agency(tt, t, ar);
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
		if (rc != 0 || t->cps > META_MAX_CPS ||
		    has_cp(t->s, t->n, "。"))
			continue;
		nf = parse_fields(tt, t->s, t->n, fs);
		if (nf == 0 || !meta_prefix_ok(t->s, fs[0].ls, fs[0].f))
			continue;
		if (fs[0].f == MF_ORIGTITLE) {
			if (!origtitle && head) {
				size_t b = fs[0].vs, e = fs[0].ve, k;

				for (k = b; k < e && t->s[k] != ' '; k++)
					;
				origtitle = ar_strndup(ar, t->s + b, k - b);
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
				rc = read_names(tt, t->s + x->vs, x->ve - x->vs,
				                &rep, ar);
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

	meta->source = src_dated      ? src_dated
	               : src_head     ? src_head
	               : src_any      ? src_any
	               : src_supplier ? src_supplier
	               : src_agency   ? src_agency
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

	/* The title: the headline-like line just above a metadata line of
	 * the head (over blank lines, furniture, other metadata and a
	 * "——" subtitle), else 原标题, else a headline-like first line. */
	for (i = 0; i < head_end && !meta->title; i++) {
		size_t j = i, skips = 0;

		if (l[i].kind != LK_META)
			continue;
		while (j-- > 0) {
			const struct tline *p = &l[j];

			if (p->kind == LK_BLANK)
				continue;
			if ((p->kind == LK_FURNITURE || p->kind == LK_META ||
			     (p->n >= 3 && !memcmp(p->s, "—", 3))) &&
			    ++skips <= 4)
				continue;
			break;
		}
		if (j < i && headline_like(&l[j]))
			meta->title = ar_strndup(ar, l[j].s, l[j].n);
	}
	if (!meta->title && origtitle) {
		struct tline o = { origtitle, strlen(origtitle), 0, LK_TEXT };

		o.cps = u8_count(o.s, o.n);
		if (headline_like(&o))
			meta->title = origtitle;
	}
	for (i = 0; i < head_end && !meta->title; i++) {
		if (l[i].kind != LK_TEXT)
			continue;
		if (headline_like(&l[i]))
			meta->title = ar_strndup(ar, l[i].s, l[i].n);
		break;
	}
	rc = finish_names(&rep, ar, &meta->reporters, &meta->n_reporters);
	if (rc == 0)
		rc = finish_names(&ed, ar, &meta->editors, &meta->n_editors);
done:
	vec_free(&rep.v);
	vec_free(&ed.v);
	return rc;
}
