/* clean.c - normalises the lines of an article and marks page furniture.
 *
 * Does, per line: drops control and invisible characters (NUL included),
 * turns white space into ' ', applies NFKC (by substitution when no code
 * point can interact with its neighbours, else through utf8proc), removes
 * pinyin annotations (協(xié)作) and censor marks (*), collapses and trims
 * spaces, converts Traditional to Simplified on the clauses that hold a
 * code point the converter changes, and folds variants (variants.tsv).
 * Then marks furniture lines: boilerplate.tsv's patterns, junk digit
 * runs, URL- or e-mail-only lines, phone lines, breadcrumbs, button
 * rows, newspaper page bars, forum floors, menus of short words and
 * markup left-overs.
 * Does not: read metadata (meta.c) or drop lines (txt.c). */
#define _GNU_SOURCE /* memmem */
#include "txt_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- NFKC and characters ------------------------------------------------ */

static uint32_t
variant_of(const struct txt_tables *tt, uint32_t c)
{
	size_t lo = 0, hi = tt->n_var;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (tt->var[mid].from == c)
			return tt->var[mid].to;
		if (tt->var[mid].from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c;
}

static int
nfkc_slow(const struct txt_tables *tt, const char *in, size_t n,
          struct sbuf *out)
{
	utf8proc_uint8_t *r = NULL;
	utf8proc_ssize_t k;
	size_t i = 0;
	int rc;

	out->n = 0;
	if (exi_sb_reserve(out, n + 1) != 0)
		return EXT_ENOMEM;
	while (i < n) {
		size_t s = i;
		uint32_t c = txt_next(in, n, &i);

		if (c < 0x10000 && (tt->cpf[c] & TF_DROP))
			continue;
		if (c < 0x10000 && (tt->cpf[c] & TF_SPACE))
			out->p[out->n++] = ' ';
		else {
			memcpy(out->p + out->n, in + s, i - s);
			out->n += i - s;
		}
	}
	k = utf8proc_map((const utf8proc_uint8_t *)out->p,
	                 (utf8proc_ssize_t)out->n, &r,
	                 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
	if (k < 0)
		return k == UTF8PROC_ERROR_NOMEM ? EXT_ENOMEM : EXT_EDECODE;
	out->n = 0;
	rc = exi_sb_put(out, r, (size_t)k);
	free(r);
	return rc;
}

/* Flags that make the fast path do more than copy a code point. */
#define TF_NFKC_WORK                                                           \
	(TF_SLOW | TF_MAP | TF_DROP | TF_SPACE | TF_VARIANT | TF_NOFOLD)

/* Sanitises and normalises in into out (cleared first). Han and CJK
 * punctuation, nearly all of an article, are three-byte sequences that
 * NFKC keeps: runs of them are copied whole. */
static int
nfkc_line(const struct txt_tables *tt, const char *in, size_t n,
          struct sbuf *out)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i = 0;
	bool folded = false, nofold = false;

	out->n = 0;
	if (exi_sb_reserve(out, n + 1) != 0)
		return EXT_ENOMEM;
	while (i < n) {
		size_t s = i;
		uint32_t c;
		uint8_t f;

		if (u[i] >= 0x20 && u[i] < 0x7F) {
			/* Printable ASCII runs: NFKC leaves them. */
			while (i < n && u[i] >= 0x20 && u[i] < 0x7F)
				i++;
			memcpy(out->p + out->n, in + s, i - s);
			out->n += i - s;
			continue;
		}
		while (i + 3 <= n && (u[i] & 0xF0) == 0xE0) {
			c = ((uint32_t)(u[i] & 0x0F) << 12) |
			    ((uint32_t)(u[i + 1] & 0x3F) << 6) |
			    (u[i + 2] & 0x3F);
			if (tt->cpf[c] & TF_NFKC_WORK)
				break;
			i += 3;
		}
		if (i > s) {
			memcpy(out->p + out->n, in + s, i - s);
			out->n += i - s;
			continue;
		}
		c = txt_next(in, n, &i);
		if (c >= 0x10000) {
			uint32_t v = tt->n_var ? variant_of(tt, c) : c;

			if (c < 0x20000 || c >= 0x40000)
				return nfkc_slow(tt, in, n, out);
			if (v != c) {
				if (nofold)
					return nfkc_slow(tt, in, n, out);
				folded = true;
			}
			if (exi_sb_reserve(out, n - i + 4) != 0)
				return EXT_ENOMEM;
			out->n += exi_u8_enc(v, out->p + out->n);
			continue;
		}
		f = tt->cpf[c];
		if (f & TF_SLOW)
			return nfkc_slow(tt, in, n, out);
		if (f & TF_DROP)
			continue;
		if (f & TF_SPACE) {
			out->p[out->n++] = ' ';
		} else if (f & TF_VARIANT) {
			/* Variants are characters the converter leaves
			 * alone, so folding them first is the same. */
			if (nofold)
				return nfkc_slow(tt, in, n, out);
			folded = true;
			if (exi_sb_reserve(out, n - i + 4) != 0)
				return EXT_ENOMEM;
			out->n +=
			    exi_u8_enc(variant_of(tt, c), out->p + out->n);
		} else if (f & TF_MAP) {
			size_t x = tt->nfkc_idx[c];
			size_t a = tt->nfkc_off[x], b = tt->nfkc_off[x + 1];

			if (exi_sb_put(out, tt->nfkc_str + a, b - a) != 0)
				return EXT_ENOMEM;
			/* The input may still need n - i bytes. */
			if (exi_sb_reserve(out, n - i + 1) != 0)
				return EXT_ENOMEM;
		} else {
			if (f & TF_NOFOLD) {
				if (folded)
					return nfkc_slow(tt, in, n, out);
				nofold = true;
			}
			memcpy(out->p + out->n, in + s, i - s);
			out->n += i - s;
		}
	}
	return 0;
}

int
txt_nfkc(const struct txt_tables *tt, const char *in, size_t n,
         struct sbuf *out)
{
	return nfkc_line(tt, in, n, out);
}

static bool
is_alnum(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* A pinyin letter: a-z, ü, and the vowels with tone marks (NFC). */
static int
pinyin_letter(uint32_t c)
{
	static const uint32_t toned[] = {
		0x0101, 0x00E1, 0x01CE, 0x00E0, 0x0113, 0x00E9, 0x011B,
		0x00E8, 0x012B, 0x00ED, 0x01D0, 0x00EC, 0x014D, 0x00F3,
		0x01D2, 0x00F2, 0x016B, 0x00FA, 0x01D4, 0x00F9, 0x01D6,
		0x01D8, 0x01DA, 0x01DC, 0x00FC, 0x0144, 0x0148, 0x01F9,
	};

	if (c >= 'a' && c <= 'z')
		return 1;
	for (size_t i = 0; i < sizeof(toned) / sizeof(*toned); i++)
		if (c == toned[i])
			return 2;
	return 0;
}

/* Bytes of a pinyin annotation "(xié)" at s (s[0] == '('), or 0. One
 * syllable: at most 6 letters, at least one with a tone mark. */
static size_t
pinyin_len(const char *s, size_t n)
{
	size_t i = 1, letters = 0;
	bool tone = false;

	while (i < n && letters <= 6) {
		uint32_t c = txt_next(s, n, &i);
		int k;

		if (c == ')')
			return tone && letters ? i : 0;
		k = pinyin_letter(c);
		if (!k)
			return 0;
		tone |= k == 2;
		letters++;
	}
	return 0;
}

/* An HTML character reference at s (s[0] == '&'): &nbsp; &amp; &#12290;
 * &#x3002; and a few more that crawlers leave in text. Returns its length
 * in bytes and the code point in *c, or 0. */
static size_t
entity_len(const char *s, size_t n, uint32_t *c)
{
	static const struct {
		const char *name;
		uint32_t c;
	} names[] = {
		{ "nbsp", ' ' },      { "amp", '&' },       { "lt", '<' },
		{ "gt", '>' },        { "quot", '"' },      { "apos", '\'' },
		{ "ldquo", 0x201C },  { "rdquo", 0x201D },  { "lsquo", 0x2018 },
		{ "rsquo", 0x2019 },  { "mdash", 0x2014 },  { "ndash", 0x2013 },
		{ "middot", 0x00B7 }, { "hellip", 0x2026 }, { "ensp", ' ' },
		{ "emsp", ' ' },      { "times", 0x00D7 },  { "deg", 0x00B0 },
	};
	size_t e, k;

	for (e = 1; e < n && e < 10 && s[e] != ';'; e++)
		;
	if (e >= n || s[e] != ';' || e < 2)
		return 0;
	if (s[1] == '#') {
		uint32_t v = 0;
		bool hex = e > 2 && (s[2] == 'x' || s[2] == 'X');

		for (k = hex ? 3 : 2; k < e; k++) {
			char d = s[k];
			uint32_t x;

			if (d >= '0' && d <= '9')
				x = (uint32_t)(d - '0');
			else if (hex && d >= 'a' && d <= 'f')
				x = (uint32_t)(d - 'a' + 10);
			else if (hex && d >= 'A' && d <= 'F')
				x = (uint32_t)(d - 'A' + 10);
			else
				return 0;
			v = v * (hex ? 16 : 10) + x;
		}
		if (k == (hex ? 3u : 2u) || v == 0 || v > 0x10FFFF ||
		    (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*c = v;
		return e + 1;
	}
	for (k = 0; k < sizeof(names) / sizeof(*names); k++)
		if (strlen(names[k].name) == e - 1 &&
		    !memcmp(s + 1, names[k].name, e - 1)) {
			*c = names[k].c;
			return e + 1;
		}
	return 0;
}

/* Appends the code point a character reference stands for, normalised
 * like the text around it (NFKC by substitution, controls dropped). */
static int
put_entity(const struct txt_tables *tt, uint32_t c, struct sbuf *out,
           bool *space)
{
	char e[4];
	uint8_t f = c < 0x10000 ? tt->cpf[c] : 0;

	if (f & TF_DROP)
		return 0;
	if (c == ' ' || (f & TF_SPACE)) {
		*space = true;
		return 0;
	}
	if (*space && exi_sb_put(out, " ", 1) != 0)
		return EXT_ENOMEM;
	*space = false;
	if (f & TF_MAP) {
		size_t x = tt->nfkc_idx[c];

		return exi_sb_put(out, tt->nfkc_str + tt->nfkc_off[x],
		                  tt->nfkc_off[x + 1] - tt->nfkc_off[x]);
	}
	return exi_sb_put(out, e, exi_u8_enc(c, e));
}

static bool
tidy_special(char b)
{
	unsigned char u = (unsigned char)b;

	/* one test passes over the rest (Han bytes, letters, digits) */
	return u <= '*' && (u == ' ' || u == '*' || u == '(' || u == '&');
}

/* Pinyin annotations, censor marks, character references and spaces;
 * appends in to out. Linear: each byte is looked at a bounded number of
 * times. */
static int
tidy_line(const struct txt_tables *tt, const char *in, size_t n,
          struct sbuf *out)
{
	size_t i = 0, base = out->n;
	uint32_t prev = 0;
	bool space = false;

	while (i < n) {
		size_t s = i, k;
		uint32_t c;

		if (exi_sb_reserve(out, n - i + 8) != 0)
			return EXT_ENOMEM;
		if (!tidy_special(in[i])) {
			/* A run of ordinary text: copied whole. */
			while (i < n && !tidy_special(in[i]))
				i++;
			if (space)
				out->p[out->n++] = ' ';
			space = false;
			memcpy(out->p + out->n, in + s, i - s);
			out->n += i - s;
			k = i;
			prev = txt_prev(in, &k);
			continue;
		}
		c = txt_next(in, n, &i);
		if (c == ' ') {
			space = out->n > base;
			continue;
		}
		if (c == '&' && (k = entity_len(in + s, n - s, &c)) != 0) {
			bool sp = space && out->n > base;
			size_t before = out->n;

			if (put_entity(tt, c, out, &sp) != 0)
				return EXT_ENOMEM;
			space = sp && out->n > base;
			if (out->n > before)
				prev = c;
			i = s + k;
			continue;
		}
		if (c == '*') {
			size_t j = i;
			uint32_t next = 0;

			while (j < n && in[j] == '*')
				j++;
			if (j < n) {
				size_t t = j;

				next = txt_next(in, n, &t);
			}
			/* Kept between letters or digits (3*4); elsewhere
			 * a star masks a word. Either way the run is done. */
			i = j;
			if (!(is_alnum(prev) && !space && is_alnum(next)))
				continue;
		}
		if (c == '(' && !space && txt_is_cjk(prev) &&
		    (k = pinyin_len(in + s, n - s)) != 0) {
			i = s + k;
			continue;
		}
		if (space)
			out->p[out->n++] = ' ';
		space = false;
		memcpy(out->p + out->n, in + s, i - s);
		out->n += i - s;
		prev = c;
	}
	return 0;
}

/* Appends s, folding variants. */
static int
put_folded(const struct txt_tables *tt, struct sbuf *out, const char *s,
           size_t n, bool check)
{
	size_t i = 0, run = 0; /* s[run, i) is copied as it is */

	if (!check || tt->n_var == 0)
		return exi_sb_put(out, s, n);
	/* room for the rest of s is kept throughout */
	if (exi_sb_reserve(out, n + 4) != 0)
		return EXT_ENOMEM;
	while (i < n) {
		size_t st = i;
		uint32_t c = txt_next(s, n, &i), v;

		if (c >= 0x80 &&
		    ((c < 0x10000 && (tt->cpf[c] & TF_VARIANT)) ||
		     (c >= 0x10000 && (v = variant_of(tt, c)) != c))) {
			char e[4];
			size_t k;

			memcpy(out->p + out->n, s + run, st - run);
			out->n += st - run;
			v = variant_of(tt, c);
			k = exi_u8_enc(v, e);
			if (exi_sb_reserve(out, n - i + k) != 0)
				return EXT_ENOMEM;
			memcpy(out->p + out->n, e, k);
			out->n += k;
			run = i;
		}
	}
	memcpy(out->p + out->n, s + run, n - run);
	out->n += n - run;
	return 0;
}

static bool
needs_t2s(const struct txt_conv *cv, uint32_t c)
{
	if (c < 0x80)
		return false;
	if (cv->all)
		return true;
	if (c < 0x10000)
		return cv->tt->cpf[c] & TF_T2S;
	if (c >= 0x20000 && c < 0x40000)
		return cv->tt->t2s_hi[(c - 0x20000) >> 3] >> (c & 7) & 1;
	return false;
}

/* Clause ends: phrases never span them. */
static bool
clause_end(uint32_t c)
{
	if (c < 0x80)
		return !is_alnum(c);
	return (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F);
}

/* Appends the converter's output for s[0..n) (checked: it becomes our
 * text, so it must be as valid as what it was given). */
static int
convert_one(struct txt_conv *cv, const char *s, size_t n, struct sbuf *out)
{
	char *r = cv->t2s(cv->ctx, s, n);
	size_t k;
	int rc;

	if (!r)
		return EXT_ECONVERT;
	k = strlen(r);
	if (txt_utf8_valid_prefix((unsigned char *)r, k) != k ||
	    memchr(r, '\n', k)) {
		free(r);
		return EXT_ECONVERT;
	}
	if (k != n || memcmp(r, s, n) != 0)
		cv->converted = true;
	rc = put_folded(cv->tt, out, r, k, true);
	free(r);
	return rc;
}

struct seg {
	size_t b0, b1;
	bool cc; /* for the converter (else the character table) */
};

/* Whether s[0..n), a clause that holds a TF_T2S code point, holds a phrase
 * that the character table would get wrong (txt.c gives every such phrase
 * a TF_T2S code point, so no other clause can). */
static bool
clause_has_phrase(const struct txt_conv *cv, const char *s, size_t n)
{
	const struct txt_tables *tt = cv->tt;
	size_t i = 0;

	while (i < n) {
		size_t at = i;
		uint32_t c = txt_next(s, n, &i);

		/* the probe did not ask about Han extensions B to H */
		if (c >= 0x20000 && c < TXT_T2S_HI_END)
			return true;
		if ((c < 0x10000 ? tt->phr_first[c >> 6] >> (c & 63) & 1
		                 : tt->phr_first_hi) &&
		    exi_ps_lookup(&tt->t2s_phr, s + at, n - at) >= 0)
			return true;
	}
	return false;
}

/* The clauses of s that hold a code point the converter changes, adjacent
 * ones merged; never across a line break. A segment goes to the converter
 * when one of its clauses holds a phrase it converts as a whole, or when
 * there is no character table. */
static int
find_segments(const struct txt_conv *cv, const char *s, size_t n,
              struct vec *segs)
{
	size_t i = 0;
	struct seg *last = NULL;

	while (i < n) {
		size_t cs = i;
		bool need = false, cc;

		if (s[i] == '\n') {
			i++;
			last = NULL;
			continue;
		}
		while (i < n && s[i] != '\n') {
			const unsigned char *u = (const unsigned char *)s + i;
			uint32_t c;

			/* Han (lead bytes E4-E9) never ends a clause. */
			if (u[0] >= 0xE4 && u[0] <= 0xE9 && n - i >= 3) {
				c = ((uint32_t)(u[0] & 0x0F) << 12) |
				    ((uint32_t)(u[1] & 0x3F) << 6) |
				    (u[2] & 0x3F);
				need |= cv->all || (cv->tt->cpf[c] & TF_T2S);
				i += 3;
				continue;
			}
			c = txt_next(s, n, &i);

			need |= needs_t2s(cv, c);
			if (clause_end(c))
				break;
		}
		if (!need) {
			last = NULL;
			continue;
		}
		cc = !cv->charwise || clause_has_phrase(cv, s + cs, i - cs);
		if (last && last->b1 == cs) {
			last->b1 = i;
			last->cc |= cc;
		} else {
			if (!(last = exi_vec_push(segs)))
				return EXT_ENOMEM;
			last->b0 = cs;
			last->b1 = i;
			last->cc = cc;
		}
	}
	return 0;
}

/* The converter's segments in one call (each call to OpenCC has a fixed
 * cost that dwarfs a clause): joined by line breaks, which no phrase spans.
 * (*at)[j] is where the j-th of them starts in *res. */
static int
convert_batch(struct txt_conv *cv, const char *s, const struct seg *sg,
              size_t ns, struct sbuf *joined, char **res, const char ***at)
{
	const char **pos;
	char *r, *p;
	size_t i, k, nc = 0;

	joined->n = 0;
	for (i = 0; i < ns; i++) {
		if (!sg[i].cc)
			continue;
		nc++;
		if (exi_sb_put(joined, s + sg[i].b0, sg[i].b1 - sg[i].b0) !=
		        0 ||
		    exi_sb_put(joined, "\n", 1) != 0)
			return EXT_ENOMEM;
	}
	if (nc == 0)
		return 0;
	r = cv->t2s(cv->ctx, joined->p, joined->n);
	if (!r)
		return EXT_ECONVERT;
	k = strlen(r);
	pos = malloc((nc + 1) * sizeof(*pos));
	if (!pos) {
		free(r);
		return EXT_ENOMEM;
	}
	for (i = 0, p = r; i < nc && p; i++) {
		pos[i] = p;
		p = memchr(p, '\n', k - (size_t)(p - r));
		if (p)
			p++;
	}
	if (i < nc || !p || (size_t)(p - r) != k ||
	    txt_utf8_valid_prefix((unsigned char *)r, k) != k) {
		/* Lines lost or added: fall back to one call per segment. */
		free(pos);
		free(r);
		*res = NULL;
		*at = NULL;
		return 0;
	}
	pos[nc] = r + k;
	*res = r;
	*at = pos;
	return 0;
}

int
txt_script(struct txt_conv *cv, const char *s, size_t n, struct sbuf *out)
{
	struct vec segs = VEC_INIT(struct seg);
	struct sbuf joined = { 0 }, cw = { 0 };
	const struct seg *sg;
	const char **at = NULL;
	char *res = NULL;
	size_t i, j = 0, prev = 0;
	int rc = 0;

	out->n = 0;
	if (!cv->t2s)
		return exi_sb_put(out, s, n);
	rc = find_segments(cv, s, n, &segs);
	sg = segs.p;
	if (rc == 0 && segs.n)
		rc = convert_batch(cv, s, sg, segs.n, &joined, &res, &at);
	if (rc == 0 && exi_sb_reserve(out, n + n / 2) != 0)
		rc = EXT_ENOMEM;
	for (i = 0; i < segs.n && rc == 0; i++) {
		const char *a = s + sg[i].b0;
		size_t l = sg[i].b1 - sg[i].b0;

		rc = exi_sb_put(out, s + prev, sg[i].b0 - prev);
		if (rc != 0)
			break;
		if (!sg[i].cc) {
			cw.n = 0;
			rc = txt_t2s_chars(cv->tt, a, l, &cw, &cv->converted);
			if (rc == 0)
				rc = put_folded(cv->tt, out, cw.p, cw.n, true);
		} else if (res) {
			size_t k = (size_t)(at[j + 1] - at[j]) - 1;

			if (k != l || memcmp(at[j], a, l) != 0)
				cv->converted = true;
			rc = put_folded(cv->tt, out, at[j], k, true);
			j++;
		} else {
			rc = convert_one(cv, a, l, out);
		}
		prev = sg[i].b1;
	}
	if (rc == 0)
		rc = exi_sb_put(out, s + prev, n - prev);
	free(res);
	free(at);
	exi_vec_free(&segs);
	exi_sb_free(&joined);
	exi_sb_free(&cw);
	return rc;
}

int
txt_norm_line(struct txt_conv *cv, const char *in, size_t n, struct sbuf *out,
              struct sbuf *tmp)
{
	int rc = nfkc_line(cv->tt, in, n, tmp);

	if (rc == 0)
		rc = tidy_line(cv->tt, tmp->p, tmp->n, out);
	return rc;
}

/* ---- furniture ------------------------------------------------------------
 */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
txt_is_junk_line(const char *s, size_t n, size_t cps)
{
	size_t i, digits = 0, other = 0;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (is_digit((char)b))
			digits++;
		else if (b >= 0x80 || (b >= 'a' && b <= 'z') ||
		         (b >= 'A' && b <= 'Z'))
			return false; /* words */
		else if (b != ' ')
			other++;
	}
	/* A long digit run (page junk), or a few signs ("+1", "|"). */
	return (digits >= 12 && other == 0) || (cps <= 4 && digits < 4);
}

static bool
url_char(char c)
{
	return is_alnum((unsigned char)c) || c == '.' || c == '@' || c == '-' ||
	       c == '_' || c == '/' || c == ':' || c == '%' || c == '?' ||
	       c == '=' || c == '&' || c == '#' || c == '~' || c == '+';
}

/* A phone number: 7 or more digits in a run that may hold '-', ' ', '(' or
 * ')' (010-84883777, 400 123 4567). */
static bool
has_phone(const char *s, size_t n)
{
	size_t i, digits = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (is_digit(c)) {
			if (++digits >= 7)
				return true;
		} else if (!(c == '-' || c == ' ' || c == '(' || c == ')')) {
			digits = 0;
		}
	}
	return false;
}

/* Whether what is left of the line besides its URLs, e-mail addresses and
 * a short label is nothing. Each ASCII token is looked at once. */
static bool
url_only(const char *s, size_t n)
{
	size_t i = 0, rest = 0, urls = 0;

	while (i < n && rest <= 6) {
		size_t j = i, dots = 0;
		bool at = false;

		while (j < n && url_char(s[j])) {
			dots += s[j] == '.';
			at |= s[j] == '@';
			j++;
		}
		if (j > i) {
			bool scheme =
			    (j - i >= 4 && !memcmp(s + i, "http", 4)) ||
			    (j - i >= 4 && !memcmp(s + i, "www.", 4)) ||
			    (j - i >= 6 && !memcmp(s + i, "//www.", 6));

			if (j - i >= 5 && dots && (scheme || at))
				urls++;
			else
				rest += j - i;
			i = j;
			continue;
		}
		if (s[i] != ' ')
			rest++;
		txt_next(s, n, &i);
	}
	return urls > 0 && rest <= 6;
}

/* Navigation: "首页 > 新闻 > 正文", "首页 | 国内 | 国际"; one separator
 * is enough when the line names the home page or the reader's place
 * ("您现在的位置: 首页> 要闻"), and items may then be longer. */
static bool
breadcrumb(const char *s, size_t n, size_t cps)
{
	size_t i = 0, seps = 0, item = 0, longest = 0;
	bool home;

	if (cps > 80)
		return false;
	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if (c == '>' || c == '|' || c == 0x203A || c == 0x00BB ||
		    c == 0x2192) {
			seps++;
			item = 0;
		} else if (c == 0x3002 || c == ',') {
			return false;
		} else if (c != ' ') {
			if (++item > longest)
				longest = item;
		}
	}
	if (seps >= 2 && longest <= 10 && cps <= 60)
		return true;
	home = memmem(s, n, "首页", 6) || memmem(s, n, "位置", 6) ||
	       (n >= 6 && !memcmp(s + n - 6, "正文", 6));
	return seps >= 1 && home && longest <= 24;
}

/* A row of buttons: bracketed words with little else ("【打 印】 【关闭】",
 * a row whose first bracket was cut off). */
static bool
button_row(const char *s, size_t n, size_t cps)
{
	size_t i = 0, brackets = 0, run = 0, longest = 0;

	if (cps > 40)
		return false;
	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if (c == 0x3010 || c == 0x3011 || c == '[' || c == ']') {
			brackets++;
			run = 0;
		} else if (c != ' ') {
			if (++run > longest)
				longest = run;
		}
	}
	return brackets >= 4 && longest <= 8;
}

/* A newspaper's page bar: "第A16版:国内新闻", "第3版 要闻". */
static bool
page_bar(const char *s, size_t n, size_t cps)
{
	size_t i = 3, k = 0;

	if (cps > 40 || n < 7 || memcmp(s, "第", 3))
		return false;
	while (i < n && k < 5 && is_alnum((unsigned char)s[i])) {
		i++;
		k++;
	}
	return k > 0 && n - i >= 3 && !memcmp(s + i, "版", 3);
}

/* A forum post's floor and poster: "1# 某某", "2楼 某某". */
static bool
forum_floor(const char *s, size_t n, size_t cps)
{
	size_t i = 0;

	if (cps > 20)
		return false;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == 0 || i > 4 || i >= n)
		return false;
	return (s[i] == '#' && i + 1 < n && s[i + 1] == ' ') ||
	       (n - i >= 3 && !memcmp(s + i, "楼", 3) &&
	        (n - i == 3 || s[i + 3] == ' '));
}

/* A menu: five or more short words side by side, no signs ("视频 时评
 * 本地 专题 图片"), or eight and more words of up to 12 characters; a
 * headline of four parts stays. */
static bool
menu_row(const char *s, size_t n, size_t cps)
{
	size_t i = 0, items = 0, item = 0, longest = 0;

	if (cps > 120)
		return false;
	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if (c == ' ') {
			item = 0;
			continue;
		}
		if (!(txt_is_cjk(c) || is_alnum(c) || c == 0x00B7))
			return false;
		if (item++ == 0)
			items++;
		if (item > longest)
			longest = item;
	}
	return (items >= 5 && longest <= 8) || (items >= 8 && longest <= 12);
}

/* Whether a metadata label (记者, 来源) stands in the line: such a line is
 * left to meta.c. */
static bool
has_meta_label(const struct txt_tables *tt, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (long k = exi_ps_first(&tt->ml_set, s + i, n - i); k >= 0;
		     k = exi_ps_next(&tt->ml_set, k, s + i, n - i))
			if (tt->ml[k].field != MF_OUTLET &&
			    tt->ml[k].field != MF_SURNAME &&
			    tt->ml[k].field != MF_SECTION &&
			    tt->ml[k].field != MF_WELCOME)
				return true;
	return false;
}

/* Left-overs of markup: "<i id=x></i>", or one Latin word alone
 * ("Document", "EN"). */
static bool
markup_line(const char *s, size_t n)
{
	size_t i;

	if (n >= 4 && !memcmp(s, "•", 3)) { /* a list's bullet */
		s += 3;
		n -= 3;
		while (n > 0 && s[0] == ' ') {
			s++;
			n--;
		}
	}
	if (n >= 3 && s[0] == '<' && s[n - 1] == '>')
		return true;
	if (n > 12)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			return false;
	return n >= 2;
}

/* Skips leading brackets, bullets and spaces (【打印】 rules name them). */
static size_t
lead_skip(const char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		if (i < n && (s[i] == ' ' || s[i] == '[' || s[i] == '('))
			i++;
		else if (n - i >= 3 && !memcmp(s + i, "•", 3))
			i += 3;
		else
			return i;
	}
}

/* The rest of the line after a pattern holds no words. */
static bool
only_punct(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if (is_alnum(c) || txt_is_cjk(c))
			return false;
	}
	return true;
}

/* No letters or Han: digits and signs only. */
static bool
no_words(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if ((is_alnum(c) && !is_digit((char)c)) || txt_is_cjk(c))
			return false;
	}
	return true;
}

static bool
bp_line(const struct txt_tables *tt, const struct tline *l, bool *block)
{
	const char *s = l->s;
	size_t n = l->n, i = 0, lead = lead_skip(s, n);
	bool phone_checked = false, phone = false;

	while (i < n) {
		long k;

		for (k = exi_ps_first(&tt->bp_set, s + i, n - i); k >= 0;
		     k = exi_ps_next(&tt->bp_set, k, s + i, n - i)) {
			const struct bp_rule *r = &tt->bp[k];
			bool at_start = i == lead || i == 0;

			if (r->max_cps && l->cps > r->max_cps)
				continue;
			switch (r->kind) {
			case BP_LINE:
				if (at_start &&
				    only_punct(s + i + r->len, n - i - r->len))
					return true;
				break;
			case BP_BLOCK:
				if (at_start) {
					*block = true;
					return true;
				}
				break;
			case BP_PREFIX:
				if (at_start)
					return true;
				break;
			case BP_CONTAINS:
				return true;
			case BP_PHONE:
				if (!phone_checked)
					phone = has_phone(s, n);
				phone_checked = true;
				if (phone)
					return true;
				break;
			}
		}
		txt_next(s, n, &i);
	}
	return false;
}

void
txt_furniture(const struct txt_tables *tt, struct tline *l, size_t n)
{
	bool in_block = false, crumb_seen = false;
	size_t nonblank = 0;

	for (size_t i = 0; i < n; i++) {
		bool block = false;

		if (l[i].kind != LK_BLANK)
			nonblank++;
		if (l[i].kind != LK_TEXT)
			continue;
		if (in_block) {
			/* Links after 相关新闻: short lines that are not
			 * sentences. */
			if (l[i].cps <= 40 &&
			    !memmem(l[i].s, l[i].n, "。", 3)) {
				l[i].kind = LK_FURNITURE;
				continue;
			}
			in_block = false;
		}
		if (breadcrumb(l[i].s, l[i].n, l[i].cps) &&
		    !has_meta_label(tt, l[i].s, l[i].n)) {
			/* Short lines above the page's first breadcrumb are
			 * its header (site name, menu), not the article. */
			if (!crumb_seen && nonblank <= 10)
				for (size_t j = 0; j < i; j++)
					if (l[j].kind == LK_TEXT &&
					    l[j].cps <= 16)
						l[j].kind = LK_FURNITURE;
			crumb_seen = true;
			l[i].kind = LK_FURNITURE;
			continue;
		}
		if (txt_is_junk_line(l[i].s, l[i].n, l[i].cps) ||
		    url_only(l[i].s, l[i].n) ||
		    (button_row(l[i].s, l[i].n, l[i].cps) &&
		     !has_meta_label(tt, l[i].s, l[i].n)) ||
		    page_bar(l[i].s, l[i].n, l[i].cps) ||
		    forum_floor(l[i].s, l[i].n, l[i].cps) ||
		    (menu_row(l[i].s, l[i].n, l[i].cps) &&
		     !has_meta_label(tt, l[i].s, l[i].n)) ||
		    markup_line(l[i].s, l[i].n) ||
		    (l[i].cps <= 24 && has_phone(l[i].s, l[i].n) &&
		     no_words(l[i].s, l[i].n) &&
		     !txt_date_line(l[i].s, l[i].n)) ||
		    bp_line(tt, &l[i], &block)) {
			l[i].kind = LK_FURNITURE;
			in_block = block;
		}
	}
}
