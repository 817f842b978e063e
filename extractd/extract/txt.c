/* txt.c - the text stage: its tables (variants, boilerplate, metadata
 * labels, frequent characters, per code point flags, the probe of the t2s
 * converter) and txt_normalise(), which runs decoding, line normalisation,
 * furniture and metadata and joins what is left. */
#define _GNU_SOURCE /* memmem */
#include "txt_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- buffers ----------------------------------------------------------- */

int
sb_reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->cap - b->n > more)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap - b->n <= more) {
		if (cap > SIZE_MAX / 2)
			return EXT_ENOMEM;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		return EXT_ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
sb_put(struct sbuf *b, const void *p, size_t n)
{
	if (sb_reserve(b, n) != 0)
		return EXT_ENOMEM;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

void
sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* ---- pattern sets ------------------------------------------------------- */

int
ps_build(struct patset *ps, const char **pats, const size_t *lens, size_t n)
{
	size_t i;

	memset(ps, 0, sizeof(*ps));
	ps->head = calloc(PS_BUCKETS, sizeof(*ps->head));
	ps->next = calloc(n ? n : 1, sizeof(*ps->next));
	ps->pat = malloc((n ? n : 1) * sizeof(*ps->pat));
	ps->len = malloc((n ? n : 1) * sizeof(*ps->len));
	ps->lead2 = calloc(0x10000 / 64, sizeof(*ps->lead2));
	if (!ps->head || !ps->next || !ps->pat || !ps->len || !ps->lead2) {
		ps_free(ps);
		return EXT_ENOMEM;
	}
	ps->n = n;
	/* Insert backwards so each bucket lists patterns in table order. */
	for (i = n; i-- > 0;) {
		unsigned b = ps_bucket(pats[i]);

		const unsigned char *u = (const unsigned char *)pats[i];
		unsigned l2 = (unsigned)u[0] << 8 | u[1];

		ps->lead2[l2 >> 6] |= 1ull << (l2 & 63);
		ps->pat[i] = pats[i];
		ps->len[i] = lens[i];
		ps->next[i] = ps->head[b];
		ps->head[b] = (uint32_t)i + 1;
	}
	return 0;
}

void
ps_free(struct patset *ps)
{
	free(ps->head);
	free(ps->next);
	free(ps->pat);
	free(ps->len);
	free(ps->lead2);
	memset(ps, 0, sizeof(*ps));
}

static long
ps_scan(const struct patset *ps, uint32_t e, const char *s, size_t n)
{
	for (; e; e = ps->next[e - 1]) {
		size_t k = e - 1;

		if (ps->len[k] <= n && memcmp(ps->pat[k], s, ps->len[k]) == 0)
			return (long)k;
	}
	return -1;
}

long
ps_lookup(const struct patset *ps, const char *s, size_t n)
{
	if (!ps->head || n < 3)
		return -1;
	return ps_scan(ps, ps->head[ps_bucket(s)], s, n);
}

long
ps_next(const struct patset *ps, long k, const char *s, size_t n)
{
	return ps_scan(ps, ps->next[k], s, n);
}

/* ---- code point flags ------------------------------------------------------
 */

static bool
is_jamo(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97F) ||
	       (c >= 0xD7B0 && c <= 0xD7FF);
}

/* Whether NFKC may change c together with its neighbours: combining marks,
 * conjoining jamo, and anything that is not the first character of a
 * canonical decomposition (those can compose with what precedes them). */
static bool
interacts(uint32_t c, const uint8_t *second)
{
	const utf8proc_property_t *p = utf8proc_get_property((int32_t)c);

	if (p->combining_class != 0 || is_jamo(c))
		return true;
	if (p->category == UTF8PROC_CATEGORY_MN ||
	    p->category == UTF8PROC_CATEGORY_MC ||
	    p->category == UTF8PROC_CATEGORY_ME)
		return true;
	return c < 0x10000 && (second[c >> 3] >> (c & 7) & 1);
}

static bool
is_drop(uint32_t c)
{
	const utf8proc_property_t *p;

	if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
		return false;
	if (c >= 0xFE00 && c <= 0xFE0F) /* variation selectors */
		return true;
	if (c == 0x3164 || c == 0xFFA0 || c == 0x115F || c == 0x1160)
		return true; /* Hangul fillers: invisible */
	p = utf8proc_get_property((int32_t)c);
	return p->category == UTF8PROC_CATEGORY_CC ||
	       p->category == UTF8PROC_CATEGORY_CF;
}

/* Whether NFKC leaves c (which interacts with nothing) as it is in any
 * line of code points that interact with nothing, although c decomposes
 * (é is e + U+0301, which composes back): NFKC of c alone is c, and the
 * first code point of its decomposition (d0) is a starter that composes
 * with nothing before it. What follows c starts with a starter that is
 * the second of no composition, so nothing composes across c's ends. */
static bool
nfkc_keeps(uint32_t c, utf8proc_int32_t d0, const uint8_t *second)
{
	char e[5];
	utf8proc_uint8_t *r;
	size_t k = u8_enc(c, e);
	bool same;

	if (d0 < 0 || interacts((uint32_t)d0, second))
		return false;
	e[k] = '\0';
	r = utf8proc_NFKC((const utf8proc_uint8_t *)e);
	same = r && strlen((const char *)r) == k && memcmp(r, e, k) == 0;
	free(r);
	return same;
}

/* Builds cpf[] (TF_SLOW, TF_MAP, TF_DROP, TF_SPACE) and the map strings.
 * A code point gets TF_MAP when NFKC maps it alone to a string of code
 * points that are stable and interact with nothing; then a line made of
 * such code points is normalised by substitution, which is NFKC exactly.
 * Costs some tens of milliseconds, once per tables. */
static int
build_cpflags(struct txt_tables *t)
{
	uint8_t *second = calloc(0x10000 / 8, 1);
	struct sbuf str = { 0 };
	struct vec off = VEC_INIT(uint32_t);
	utf8proc_int32_t buf[64];
	uint32_t c, *o;
	int rc = EXT_ENOMEM;

	if (!second)
		return EXT_ENOMEM;
	for (c = 0; c < 0x30000; c++) {
		int opt = 0;
		utf8proc_ssize_t r, k;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		r = utf8proc_decompose_char((utf8proc_int32_t)c, buf, 64,
		                            UTF8PROC_DECOMPOSE, &opt);
		for (k = 1; k < r && r <= 64; k++)
			if (buf[k] < 0x10000)
				second[buf[k] >> 3] |=
				    (uint8_t)(1 << (buf[k] & 7));
	}
	if (!(o = vec_push(&off)))
		goto done;
	*o = 0;
	for (c = 0; c < 0x10000; c++) {
		int opt = 0;
		utf8proc_ssize_t r, k;
		bool plain = true;

		if (c >= 0xD800 && c <= 0xDFFF) {
			t->cpf[c] = TF_DROP; /* never in valid UTF-8 */
			continue;
		}
		if (c == '\t' || c == '\v' || c == '\f' ||
		    utf8proc_category((int32_t)c) == UTF8PROC_CATEGORY_ZS) {
			t->cpf[c] = TF_SPACE;
			continue;
		}
		if (is_drop(c)) {
			t->cpf[c] = TF_DROP;
			continue;
		}
		if (interacts(c, second)) {
			t->cpf[c] = TF_SLOW;
			continue;
		}
		r = utf8proc_decompose_char(
		    (utf8proc_int32_t)c, buf, 64,
		    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT, &opt);
		if (r == 1 && (uint32_t)buf[0] == c)
			continue;
		if (r <= 0 || r > 64) {
			t->cpf[c] = TF_SLOW;
			continue;
		}
		for (k = 0; k < r && plain; k++) {
			uint32_t d = (uint32_t)buf[k];
			int opt2 = 0;
			utf8proc_int32_t b2[4];

			plain = !interacts(d, second) && !is_drop(d) &&
			        d != '\n' && d != '\r' &&
			        utf8proc_decompose_char(
			            (utf8proc_int32_t)d, b2, 4,
			            UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT,
			            &opt2) == 1 &&
			        (uint32_t)b2[0] == d;
		}
		if (!plain && nfkc_keeps(c, buf[0], second)) {
			t->cpf[c] = TF_NOFOLD;
			continue;
		}
		if (!plain || off.n >= 0xFFFF) {
			t->cpf[c] = TF_SLOW;
			continue;
		}
		for (k = 0; k < r; k++) {
			char e[4];

			if (sb_put(&str, e, u8_enc((uint32_t)buf[k], e)) != 0)
				goto done;
		}
		if (!(o = vec_push(&off)))
			goto done;
		*o = (uint32_t)str.n;
		t->cpf[c] = TF_MAP;
		t->nfkc_idx[c] = (uint16_t)(off.n - 2);
	}
	t->n_nfkc = off.n - 1;
	t->nfkc_off = off.p;
	off.p = NULL;
	t->nfkc_str = str.p ? str.p : malloc(1);
	str.p = NULL;
	rc = t->nfkc_str ? 0 : EXT_ENOMEM;
done:
	free(second);
	sb_free(&str);
	vec_free(&off);
	return rc;
}

/* ---- tables -------------------------------------------------------------- */

static struct txt_tables *
tables_new(void)
{
	struct txt_tables *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->strings.elt = sizeof(char *);
	if (build_cpflags(t) != 0) {
		free(t->nfkc_off);
		free(t->nfkc_str);
		free(t);
		return NULL;
	}
	return t;
}

static int
get_tables(struct txt_tables **tp)
{
	if (!*tp)
		*tp = tables_new();
	return *tp ? 0 : EXT_ENOMEM;
}

void
txt_tables_free(struct txt_tables **tp)
{
	struct txt_tables *t;
	size_t i;

	if (!tp || !*tp)
		return;
	t = *tp;
	for (i = 0; i < t->strings.n; i++)
		free(((char **)t->strings.p)[i]);
	vec_free(&t->strings);
	free(t->nfkc_off);
	free(t->nfkc_str);
	free(t->var);
	free(t->bp);
	free(t->ml);
	ps_free(&t->bp_set);
	ps_free(&t->ml_set);
	free(t->phr);
	free(t->phr_len);
	free(t->t2s_map);
	free(t->t2s_pool);
	ps_free(&t->t2s_phr);
	free(t);
	*tp = NULL;
}

/* A tab-separated data file, line by line (tsv_split() over a copy):
 * comment lines start with '#', blank lines are skipped, and so is a first
 * line that names the columns (header, given by the caller). Up to four
 * fields. */
struct tsv {
	char *p, *end;
	size_t line;
	char *f[4];
	size_t nf;
};

static int
tsv_next(struct tsv *r)
{
	size_t n;

	while ((n = tsv_split(&r->p, r->end, r->f, 4, &r->line)) > 0) {
		if (r->line == 1 && r->f[0][0] == '\xEF')
			continue; /* BOM line: never data */
		r->nf = n < 4 ? n : 4;
		return 1;
	}
	return 0;
}

/* The 1-based line of buf[off]. */
static size_t
line_at(const char *buf, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

static char *
keep_str(struct txt_tables *t, const char *s)
{
	char *d = strdup(s), **slot;

	if (!d)
		return NULL;
	slot = vec_push(&t->strings);
	if (!slot) {
		free(d);
		return NULL;
	}
	*slot = d;
	return d;
}

/* One code point, the whole string. */
static bool
one_cp(const char *s, uint32_t *c)
{
	size_t n = strlen(s), k;

	if (n == 0)
		return false;
	*c = u8_dec(s, n, &k);
	return k == n && *c > 0x7F;
}

static int
cmp_var(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
load_variants(struct txt_tables *t, struct tsv *r)
{
	struct vec v = { NULL, 0, 0, sizeof(*t->var) };
	int rc;

	while ((rc = tsv_next(r)) == 1) {
		uint32_t from, to, *e;

		if (!strcmp(r->f[0], "variant"))
			continue;
		if (r->nf < 2 || !one_cp(r->f[0], &from) ||
		    !one_cp(r->f[1], &to) || from == to) {
			rc = EXT_EDATA;
			break;
		}
		if (!(e = vec_push(&v))) {
			rc = EXT_ENOMEM;
			break;
		}
		e[0] = from;
		e[1] = to;
	}
	if (rc != 0) {
		vec_free(&v);
		return rc;
	}
	qsort(v.p, v.n, v.elt, cmp_var);
	free(t->var);
	t->var = v.p;
	t->n_var = v.n;
	for (size_t i = 0; i < v.n; i++) {
		if (i && t->var[i].from == t->var[i - 1].from) {
			r->line = 0; /* a duplicate: no single line to blame */
			return EXT_EDATA;
		}
		if (t->var[i].from < 0x10000)
			t->cpf[t->var[i].from] |= TF_VARIANT;
	}
	return 0;
}

static const struct {
	const char *name;
	enum bp_kind kind;
} bp_kinds[] = {
	{ "line", BP_LINE },         { "prefix", BP_PREFIX },
	{ "contains", BP_CONTAINS }, { "block", BP_BLOCK },
	{ "phone", BP_PHONE },
};

/* (Re)builds a pattern set over the elements of v, whose pattern pointer
 * and byte length sit at the given offsets of each element. */
static int
build_set(struct patset *set, const struct vec *v, size_t pat_off,
          size_t len_off)
{
	const char **pats = malloc((v->n ? v->n : 1) * sizeof(*pats));
	size_t *lens = malloc((v->n ? v->n : 1) * sizeof(*lens));
	int rc = EXT_ENOMEM;

	if (pats && lens) {
		for (size_t i = 0; i < v->n; i++) {
			const char *e = (const char *)v->p + i * v->elt;

			memcpy(&pats[i], e + pat_off, sizeof(pats[i]));
			memcpy(&lens[i], e + len_off, sizeof(lens[i]));
		}
		ps_free(set);
		rc = ps_build(set, pats, lens, v->n);
	}
	free(pats);
	free(lens);
	return rc;
}

static int
load_boilerplate(struct txt_tables *t, struct tsv *r)
{
	struct vec v = VEC_INIT(struct bp_rule);
	int rc;

	while ((rc = tsv_next(r)) == 1) {
		struct bp_rule *b;
		size_t k;

		if (!strcmp(r->f[0], "kind"))
			continue;
		if (!(b = vec_push(&v))) {
			rc = EXT_ENOMEM;
			break;
		}
		for (k = 0; k < sizeof(bp_kinds) / sizeof(*bp_kinds); k++)
			if (!strcmp(r->f[0], bp_kinds[k].name))
				b->kind = bp_kinds[k].kind;
		if (r->nf < 2 || !b->kind || strlen(r->f[1]) < 3) {
			rc = EXT_EDATA;
			break;
		}
		if (r->nf > 2 && r->f[2][0]) {
			char *end;

			b->max_cps = strtoul(r->f[2], &end, 10);
			if (*end) {
				rc = EXT_EDATA;
				break;
			}
		}
		b->len = strlen(r->f[1]);
		if (!(b->pat = keep_str(t, r->f[1]))) {
			rc = EXT_ENOMEM;
			break;
		}
	}
	if (rc == 0)
		rc = build_set(&t->bp_set, &v, offsetof(struct bp_rule, pat),
		               offsetof(struct bp_rule, len));
	if (rc != 0) {
		vec_free(&v);
		return rc;
	}
	free(t->bp);
	t->n_bp = v.n;
	t->bp = v.p;
	return 0;
}

static const struct {
	const char *name;
	enum meta_field field;
} meta_fields[] = {
	{ "source", MF_SOURCE },
	{ "date", MF_DATE },
	{ "editor", MF_EDITOR },
	{ "reporter", MF_REPORTER },
	{ "role", MF_ROLE },
	{ "agency", MF_AGENCY },
	{ "supplier", MF_SUPPLIER },
	{ "origtitle", MF_ORIGTITLE },
	{ "namesuffix", MF_NAMESUFFIX },
	{ "outlet", MF_OUTLET },
	{ "surname", MF_SURNAME },
	{ "section", MF_SECTION },
	{ "welcome", MF_WELCOME },
};

static int
load_meta(struct txt_tables *t, struct tsv *r)
{
	struct vec v = VEC_INIT(struct meta_label);
	int rc;

	while ((rc = tsv_next(r)) == 1) {
		struct meta_label *m;
		size_t k;

		if (!strcmp(r->f[0], "field"))
			continue;
		if (!(m = vec_push(&v))) {
			rc = EXT_ENOMEM;
			break;
		}
		for (k = 0; k < sizeof(meta_fields) / sizeof(*meta_fields); k++)
			if (!strcmp(r->f[0], meta_fields[k].name))
				m->field = meta_fields[k].field;
		if (r->nf < 2 || !m->field || strlen(r->f[1]) < 3) {
			rc = EXT_EDATA;
			break;
		}
		m->len = strlen(r->f[1]);
		if (!(m->s = keep_str(t, r->f[1]))) {
			rc = EXT_ENOMEM;
			break;
		}
	}
	if (rc == 0)
		rc = build_set(&t->ml_set, &v, offsetof(struct meta_label, s),
		               offsetof(struct meta_label, len));
	if (rc != 0) {
		vec_free(&v);
		return rc;
	}
	free(t->ml);
	t->n_ml = v.n;
	t->ml = v.p;
	return 0;
}

static int
load_common(struct txt_tables *t, struct tsv *r)
{
	int rc;

	while ((rc = tsv_next(r)) == 1) {
		for (size_t f = 0; f < r->nf; f++) {
			const char *s = r->f[f];
			size_t i = 0, n = strlen(s);

			while (i < n) {
				uint32_t c = txt_next(s, n, &i);

				if (c >= 0x80 && c < 0x10000)
					t->cpf[c] |= TF_COMMON;
				else if (c != ' ')
					return EXT_EDATA;
			}
		}
	}
	return rc;
}

/* t2s_phrases.tsv: one phrase a line, two Han characters or more (a
 * phrase never spans a clause end, which txt_script() relies on). */
static int
load_phrases(struct txt_tables *t, struct tsv *r)
{
	struct vec v = VEC_INIT(const char *);
	const char **pp;
	size_t i;
	int rc;

	while ((rc = tsv_next(r)) == 1) {
		const char *s = r->f[0];
		size_t n = strlen(s), cps = 0;

		if (!strcmp(s, "phrase"))
			continue;
		for (i = 0; i < n && txt_is_cjk(txt_next(s, n, &i));)
			cps++;
		if (r->nf != 1 || cps < 2 || cps != u8_count(s, n)) {
			rc = EXT_EDATA;
			break;
		}
		if (!(pp = vec_push(&v)) || !(*pp = keep_str(t, s))) {
			rc = EXT_ENOMEM;
			break;
		}
	}
	if (rc == 0 &&
	    !(t->phr_len = malloc((v.n ? v.n : 1) * sizeof(*t->phr_len))))
		rc = EXT_ENOMEM;
	if (rc != 0) {
		vec_free(&v);
		return rc;
	}
	t->phr = v.p;
	t->n_phr = v.n;
	for (i = 0; i < v.n; i++)
		t->phr_len[i] = strlen(t->phr[i]);
	return 0;
}

int
txt_tables_add(struct txt_tables **tp, const char *name, const char *buf,
               size_t len, size_t *errline)
{
	struct tsv r;
	const char *nul;
	char *copy;
	size_t bad;
	int rc;

	if (strcmp(name, "variants.tsv") && strcmp(name, "boilerplate.tsv") &&
	    strcmp(name, "txt_meta.tsv") && strcmp(name, "txt_common.tsv") &&
	    strcmp(name, "t2s_phrases.tsv"))
		return 1;
	if ((rc = get_tables(tp)) != 0)
		return rc;
	/* Text, every byte of it: no NUL, valid UTF-8. */
	bad = txt_utf8_valid_prefix((const unsigned char *)buf, len);
	if ((nul = memchr(buf, '\0', len)) != NULL && (size_t)(nul - buf) < bad)
		bad = (size_t)(nul - buf);
	if (bad < len) {
		if (errline)
			*errline = line_at(buf, bad);
		return EXT_EDATA;
	}
	if (!(copy = malloc(len + 1)))
		return EXT_ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	memset(&r, 0, sizeof(r));
	r.p = copy;
	r.end = copy + len;
	if (!strcmp(name, "variants.tsv")) {
		rc = load_variants(*tp, &r);
		(*tp)->have_variants = rc == 0;
	} else if (!strcmp(name, "boilerplate.tsv")) {
		rc = load_boilerplate(*tp, &r);
		(*tp)->have_boilerplate = rc == 0;
	} else if (!strcmp(name, "txt_meta.tsv")) {
		rc = load_meta(*tp, &r);
		(*tp)->have_meta = rc == 0;
	} else if (!strcmp(name, "t2s_phrases.tsv")) {
		free((*tp)->phr);
		free((*tp)->phr_len);
		(*tp)->phr = NULL;
		(*tp)->phr_len = NULL;
		(*tp)->n_phr = 0;
		rc = load_phrases(*tp, &r);
		(*tp)->have_phrases = rc == 0;
	} else {
		rc = load_common(*tp, &r);
		(*tp)->have_common = rc == 0;
	}
	free(copy);
	if (rc == EXT_EDATA && errline)
		*errline = r.line;
	return rc;
}

int
txt_tables_check(const struct txt_tables *t, const char **missing)
{
	const char *m = NULL;

	if (!t || !t->have_variants)
		m = "variants.tsv";
	else if (!t->have_boilerplate)
		m = "boilerplate.tsv";
	else if (!t->have_meta)
		m = "txt_meta.tsv";
	else if (!t->have_common)
		m = "txt_common.tsv";
	if (m && missing)
		*missing = m;
	return m ? EXT_EDATA : 0;
}

/* ---- the t2s probe --------------------------------------------------------
 * OpenCC costs about a millisecond per 8 KB, and most of a Simplified
 * article has nothing it would change. So the converter is asked once, when
 * it is set, about every code point that could be Han (each alone on a
 * line): those it changes get TF_T2S, and what each becomes is kept.
 *
 * OpenCC's t2s is a phrase dictionary over a character dictionary: the
 * text is cut into the longest phrases of the first, the rest goes
 * character by character through the second. So a clause that holds no
 * phrase converting otherwise than its characters would comes out of
 * OpenCC as the concatenation of its characters' conversions, which is
 * what the table above gives without calling it. t2s_phrases.tsv lists
 * the dictionary's phrases; the probe converts them too and keeps those
 * that convert differently (瞭解 -> 了解 where 瞭 alone stays, 乾燥 ->
 * 干燥). Clauses holding one of those go to the converter, the rest are
 * converted here; with no phrase list every clause holding a TF_T2S code
 * point goes to the converter. */

static void
set_t2s_bit(struct txt_tables *t, uint32_t c)
{
	if (c < 0x10000)
		t->cpf[c] |= TF_T2S;
	else if (c >= 0x20000 && c < 0x40000)
		t->t2s_hi[(c - 0x20000) >> 3] |= (uint8_t)(1 << (c & 7));
}

/* What the probe learns of one changed code point: its conversion alone,
 * at off in the pool. */
struct probe_ent {
	uint32_t c, off, len;
};

struct probe {
	struct sbuf in, pool;
	struct vec ents;
	bool lost; /* a range came back garbled: no character table */
};

static bool
probe_range(struct txt_tables *t, ext_convert_fn fn, void *ctx, uint32_t lo,
            uint32_t hi, struct probe *pr)
{
	struct sbuf *in = &pr->in;
	const char *p, *end;
	char *out;
	uint32_t c;

	in->n = 0;
	for (c = lo; c < hi; c++) {
		char e[5];
		size_t k = u8_enc(c, e);

		e[k++] = '\n';
		if (sb_put(in, e, k) != 0)
			return false;
	}
	out = fn(ctx, in->p, in->n);
	if (!out)
		return false;
	p = out;
	end = out + strlen(out);
	for (c = lo; c < hi && p < end; c++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char e[4];
		size_t k = u8_enc(c, e), m;
		struct probe_ent *pe;

		if (!nl)
			break;
		m = (size_t)(nl - p);
		if (m != k || memcmp(p, e, k) != 0) {
			set_t2s_bit(t, c);
			if (m == 0 || m > 255 ||
			    txt_utf8_valid_prefix((const unsigned char *)p,
			                          m) != m ||
			    !(pe = vec_push(&pr->ents))) {
				pr->lost = true;
			} else {
				pe->c = c;
				pe->off = (uint32_t)pr->pool.n;
				pe->len = (uint32_t)m;
				if (sb_put(&pr->pool, p, m) != 0)
					pr->lost = true;
			}
		}
		p = nl + 1;
	}
	/* Lines lost or added: no line matches its code point any more, so
	 * the whole range counts as changed (converting too much is only
	 * slower), and only the converter knows what into. */
	if (c < hi || p != end) {
		for (c = lo; c < hi; c++)
			set_t2s_bit(t, c);
		pr->lost = true;
	}
	free(out);
	return true;
}

static inline size_t
t2s_slot(uint32_t c, size_t mask)
{
	return (size_t)((c * 2654435761u) >> 7) & mask;
}

/* The probed converter's output for code point c alone, when it changes
 * c: *s (not NUL-terminated) and *n. */
static bool
t2s_char(const struct txt_tables *t, uint32_t c, const char **s, size_t *n)
{
	size_t i;

	if (!t->t2s_map)
		return false;
	for (i = t2s_slot(c, t->t2s_mask); t->t2s_map[i][0];
	     i = (i + 1) & t->t2s_mask)
		if (t->t2s_map[i][0] == c) {
			*s = t->t2s_pool + (t->t2s_map[i][1] >> 8);
			*n = t->t2s_map[i][1] & 0xFF;
			return true;
		}
	return false;
}

int
txt_t2s_chars(const struct txt_tables *t, const char *s, size_t n,
              struct sbuf *out, bool *changed)
{
	size_t i = 0, run = 0; /* s[run, i) is copied as it is */

	if (sb_reserve(out, n) != 0)
		return EXT_ENOMEM;
	while (i < n) {
		size_t st = i, k;
		uint32_t c = txt_next(s, n, &i);
		const char *r;

		/* the table holds only code points with TF_T2S (the
		 * probe sets it for each): the others, most of a text, skip
		 * its hash probes */
		if (c >= 0x2E80 && (c >= 0x10000 || (t->cpf[c] & TF_T2S)) &&
		    t2s_char(t, c, &r, &k)) {
			if (sb_put(out, s + run, st - run) != 0 ||
			    sb_put(out, r, k) != 0)
				return EXT_ENOMEM;
			run = i;
			*changed = true;
		}
	}
	return sb_put(out, s + run, n - run);
}

/* The character table from the probe's findings. */
static int
build_t2s_map(struct txt_tables *t, struct probe *pr)
{
	const struct probe_ent *pe = pr->ents.p;
	size_t size = 64, i;

	while (size < 2 * pr->ents.n)
		size *= 2;
	t->t2s_map = calloc(size, sizeof(*t->t2s_map));
	if (!t->t2s_map)
		return EXT_ENOMEM;
	t->t2s_mask = size - 1;
	for (i = 0; i < pr->ents.n; i++) {
		size_t j = t2s_slot(pe[i].c, t->t2s_mask);

		while (t->t2s_map[j][0])
			j = (j + 1) & t->t2s_mask;
		t->t2s_map[j][0] = pe[i].c;
		t->t2s_map[j][1] = pe[i].off << 8 | pe[i].len;
	}
	t->t2s_pool = pr->pool.p;
	pr->pool.p = NULL;
	pr->pool.n = pr->pool.cap = 0;
	return 0;
}

/* A phrase the character table would get wrong: its first code point goes
 * into phr_first, and unless one of its code points has TF_T2S already,
 * one gets it (a rare one, not TF_COMMON, where there is one), so that the
 * clause scan, which looks only at clauses holding a TF_T2S code point,
 * sees every clause that holds the phrase. The table has no entry for that
 * code point, so character by character it stays as it is. */
static bool
is_common(const struct txt_tables *t, uint32_t c)
{
	return c < 0x10000 && (t->cpf[c] & TF_COMMON);
}

static void
mark_phrase(struct txt_tables *t, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t c, pick = 0;

	while (i < n) {
		bool first = i == 0;

		c = txt_next(s, n, &i);
		if (first) {
			if (c < 0x10000)
				t->phr_first[c >> 6] |= 1ull << (c & 63);
			else
				t->phr_first_hi = true;
		}
		/* Phrases are Han (load_phrases()): BMP or 0x20000-0x3FFFF. */
		if (c < 0x10000
		        ? (t->cpf[c] & TF_T2S)
		        : (t->t2s_hi[(c - 0x20000) >> 3] >> (c & 7) & 1))
			return;
		if (!pick || (is_common(t, pick) && !is_common(t, c)))
			pick = c;
	}
	if (pick)
		set_t2s_bit(t, pick);
}

/* The phrases of t2s_phrases.tsv that the converter makes into something
 * else than their characters would be one by one: all in one call, one a
 * line; they go into t2s_phr. Returns false when the converter's answer
 * does not line up (then the character-wise path stays off). */
static bool
probe_phrases(struct txt_tables *t, ext_convert_fn fn, void *ctx,
              struct sbuf *in)
{
	const char **dp = NULL;
	size_t *dl = NULL, nd = 0, i, k;
	struct sbuf cw = { 0 };
	char *out, *p, *end;
	bool ok = false, changed;

	in->n = 0;
	for (i = 0; i < t->n_phr; i++)
		if (sb_put(in, t->phr[i], t->phr_len[i]) != 0 ||
		    sb_put(in, "\n", 1) != 0)
			return false;
	if (!(out = fn(ctx, in->p ? in->p : "", in->n)))
		return false;
	dp = malloc((t->n_phr + 1) * sizeof(*dp));
	dl = malloc((t->n_phr + 1) * sizeof(*dl));
	if (!dp || !dl)
		goto done;
	p = out;
	end = out + strlen(out);
	for (i = 0; i < t->n_phr; i++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			goto done;
		k = (size_t)(nl - p);
		cw.n = 0;
		changed = false;
		if (txt_t2s_chars(t, t->phr[i], t->phr_len[i], &cw, &changed) !=
		    0)
			goto done;
		if (cw.n != k || memcmp(cw.p, p, k) != 0) {
			mark_phrase(t, t->phr[i], t->phr_len[i]);
			dp[nd] = t->phr[i];
			dl[nd++] = t->phr_len[i];
		}
		p = nl + 1;
	}
	if (p != end || ps_build(&t->t2s_phr, dp, dl, nd) != 0)
		goto done;
	t->n_t2s_phr = nd;
	ok = true;
done:
	free(dp);
	free(dl);
	sb_free(&cw);
	free(out);
	return ok;
}

void
txt_tables_set_t2s(struct txt_tables **tp, ext_convert_fn fn, void *ctx)
{
	/* The Basic Multilingual Plane only: Han extensions B to H (0x20000
	 * to TXT_T2S_HI_END) are three quarters of the code points and
	 * nearly never met in text, so they are not probed; every clause
	 * holding one goes to the converter (clause_has_phrase() in clean.c).
	 */
	static const uint32_t ranges[][2] = {
		{ 0x2E80, 0xA000 }, /* radicals, CJK symbols, kana, Han */
		{ 0xF900, 0xFB00 }, /* compatibility ideographs */
		{ 0xFE30, 0xFE50 }, /* compatibility forms */
	};
	struct txt_tables *t;
	struct probe pr;
	size_t r;
	uint32_t c;
	bool ok = true;

	if (get_tables(tp) != 0)
		return; /* txt_normalise() then converts every Han clause */
	t = *tp;
	for (c = 0; c < 0x10000; c++)
		t->cpf[c] &= (uint8_t)~TF_T2S;
	memset(t->t2s_hi, 0, sizeof(t->t2s_hi));
	free(t->t2s_map);
	free(t->t2s_pool);
	ps_free(&t->t2s_phr);
	memset(t->phr_first, 0, sizeof(t->phr_first));
	t->phr_first_hi = false;
	t->t2s_map = NULL;
	t->t2s_pool = NULL;
	t->n_t2s_phr = 0;
	t->charwise = false;
	t->probed_fn = fn;
	t->probed_ctx = ctx;
	t->probe_ok = false;
	if (!fn)
		return;
	memset(&pr, 0, sizeof(pr));
	pr.ents.elt = sizeof(struct probe_ent);
	for (r = 0; ok && r < sizeof(ranges) / sizeof(*ranges); r++)
		for (c = ranges[r][0]; ok && c < ranges[r][1]; c += 4096) {
			uint32_t hi = c + 4096;

			if (hi > ranges[r][1])
				hi = ranges[r][1];
			ok = probe_range(t, fn, ctx, c, hi, &pr);
		}
	/* TF_T2S on the unprobed extensions: clauses holding one reach the
	 * converter. */
	for (c = 0x20000; c < TXT_T2S_HI_END; c++)
		set_t2s_bit(t, c);
	t->probe_ok = ok;
	/* The character-wise path needs the phrase list, every changed code
	 * point's conversion and the phrases' conversions. */
	if (ok && t->have_phrases && !pr.lost && pr.ents.n < (1u << 24) &&
	    pr.pool.n < (1u << 24) && build_t2s_map(t, &pr) == 0)
		t->charwise = probe_phrases(t, fn, ctx, &pr.in);
	sb_free(&pr.in);
	sb_free(&pr.pool);
	vec_free(&pr.ents);
}

long
txt_tables_t2s_phrases(const struct txt_tables *t)
{
	return t && t->charwise ? (long)t->n_t2s_phr : -1;
}

/* ---- txt_normalise ------------------------------------------------------- */

/* The next line break at or after i (n if none); its length in *brk. */
static size_t
next_break(const char *s, size_t n, size_t i, size_t *brk)
{
	for (; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b == '\n' || b == '\r') {
			*brk =
			    b == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			return i;
		}
		if (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
			*brk = 2;
			return i;
		}
		if (b == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xA8 ||
		     (unsigned char)s[i + 2] == 0xA9)) {
			*brk = 3;
			return i;
		}
	}
	return n;
}

/* Whether s holds NEL (C2 85), LS or PS (E2 80 A8/A9). memchr for their
 * lead bytes: C2 is rare in Chinese text and E2 (quotes, dashes) a few
 * times a line at most, where memmem would start a match at every byte. */
static bool
has_other_break(const char *s, size_t n)
{
	const char *p, *end = s + n;

	for (p = s; (p = memchr(p, 0xC2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 2 && (unsigned char)p[1] == 0x85)
			return true;
	for (p = s; (p = memchr(p, 0xE2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 3 && (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0xA8 ||
		     (unsigned char)p[2] == 0xA9))
			return true;
	return false;
}

/* Splits at LF, CR LF, CR, NEL, LS and PS and normalises each line into
 * out, lines ending in '\n'. */
static int
norm_lines(struct txt_conv *cv, const char *s, size_t n, struct sbuf *out)
{
	struct sbuf tmp = { 0 };
	size_t i = 0, start = 0;
	int rc = 0;
	/* Most articles break lines with LF alone: memchr finds them. */
	bool lf_only = !memchr(s, '\r', n) && !has_other_break(s, n);

	while (rc == 0 && start <= n) {
		size_t brk = 0;

		if (lf_only) {
			const char *nl = memchr(s + start, '\n', n - start);

			i = nl ? (size_t)(nl - s) : n;
			brk = 1;
		} else {
			i = next_break(s, n, start, &brk);
		}
		rc = txt_norm_line(cv, s + start, i - start, out, &tmp);
		if (rc == 0)
			rc = sb_put(out, "\n", 1);
		if (i >= n)
			break;
		start = i + brk;
	}
	sb_free(&tmp);
	return rc;
}

int
txt_normalise(const struct txt_tables *tt, ext_convert_fn t2s, void *t2s_ctx,
              const void *raw, size_t len, const struct ext_options *opt,
              struct arena *ar, struct ext_doc *doc, size_t *err_offset)
{
	struct txt_conv cv;
	const char *text;
	char *owned = NULL, *o;
	size_t tlen, i, n_lines, total = 0, start;
	struct sbuf mid = { 0 }, out = { 0 };
	struct tline *tl = NULL;
	struct ext_meta meta;
	const char *charset;
	int rc;

	if (!tt)
		return EXT_EINVAL;
	rc = txt_decode(tt, raw, len, opt ? opt->charset : NULL, &text, &tlen,
	                &owned, &charset, err_offset);
	if (rc != 0)
		return rc;
	memset(&cv, 0, sizeof(cv));
	cv.tt = tt;
	cv.t2s = t2s;
	cv.ctx = t2s_ctx;
	cv.all = t2s && (!tt->probe_ok || tt->probed_fn != t2s ||
	                 tt->probed_ctx != t2s_ctx);
	cv.charwise = t2s && !cv.all && tt->charwise;
	rc = norm_lines(&cv, text, tlen, &mid);
	free(owned);
	if (rc == 0)
		rc = txt_script(&cv, mid.p, mid.n, &out);
	sb_free(&mid);
	if (rc != 0)
		goto done;
	n_lines = 0;
	for (const char *nl = out.p;
	     out.n && (nl = memchr(nl, '\n', out.n - (size_t)(nl - out.p)));
	     nl++)
		n_lines++;
	tl = calloc(n_lines ? n_lines : 1, sizeof(*tl));
	if (!tl) {
		rc = EXT_ENOMEM;
		goto done;
	}
	for (i = 0, start = 0; i < n_lines; i++) {
		const char *nl = memchr(out.p + start, '\n', out.n - start);
		size_t end = (size_t)(nl - out.p);

		tl[i].s = out.p + start;
		tl[i].n = end - start;
		tl[i].cps = u8_count(tl[i].s, tl[i].n);
		tl[i].kind = tl[i].n ? LK_TEXT : LK_BLANK;
		start = end + 1;
	}
	txt_furniture(tt, tl, n_lines);
	memset(&meta, 0, sizeof(meta));
	rc = txt_meta(tt, tl, n_lines, ar, &meta);
	if (rc != 0)
		goto done;
	for (i = 0; i < n_lines; i++)
		if (tl[i].kind == LK_TEXT)
			total += tl[i].n + 1;
	if (total == 0) {
		rc = EXT_EEMPTY;
		goto done;
	}
	o = ar_alloc(ar, total);
	if (!o) {
		rc = EXT_ENOMEM;
		goto done;
	}
	doc->text = o;
	for (i = 0; i < n_lines; i++) {
		if (tl[i].kind != LK_TEXT)
			continue;
		if (o != doc->text)
			*o++ = '\n';
		memcpy(o, tl[i].s, tl[i].n);
		o += tl[i].n;
	}
	*o = '\0';
	doc->len = (size_t)(o - doc->text);
	doc->charset = charset;
	doc->converted = cv.converted;
	doc->meta = meta;
done:
	free(tl);
	sb_free(&out);
	return rc;
}
