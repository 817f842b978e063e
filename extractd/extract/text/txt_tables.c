/* txt_tables.c - the tables of the text stage: per code point flags
 * (NFKC, controls, spaces, variants, frequent characters) and what the data
 * files give (variants.tsv, boilerplate.tsv, txt_meta.tsv,
 * txt_common.tsv, t2s_phrases.tsv). */
#include "txt_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

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
	size_t k = exi_u8_enc(c, e);
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
	if (!(o = exi_vec_push(&off)))
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

			if (exi_sb_put(&str, e,
			               exi_u8_enc((uint32_t)buf[k], e)) != 0)
				goto done;
		}
		if (!(o = exi_vec_push(&off)))
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
	exi_sb_free(&str);
	exi_vec_free(&off);
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

int
txt_tables_get(struct txt_tables **tp)
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
	exi_vec_free(&t->strings);
	free(t->nfkc_off);
	free(t->nfkc_str);
	free(t->var);
	free(t->bp);
	free(t->ml);
	exi_ps_free(&t->bp_set);
	exi_ps_free(&t->ml_set);
	free(t->phr);
	free(t->phr_len);
	free(t->t2s_map);
	free(t->t2s_pool);
	exi_ps_free(&t->t2s_phr);
	free(t);
	*tp = NULL;
}

/* A tab-separated data file, line by line (exi_tsv_split() over a copy):
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

	while ((n = exi_tsv_split(&r->p, r->end, r->f, 4, &r->line)) > 0) {
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
	slot = exi_vec_push(&t->strings);
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
	*c = exi_u8_dec(s, n, &k);
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
		if (!(e = exi_vec_push(&v))) {
			rc = EXT_ENOMEM;
			break;
		}
		e[0] = from;
		e[1] = to;
	}
	if (rc != 0) {
		exi_vec_free(&v);
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
		exi_ps_free(set);
		rc = exi_ps_build(set, pats, lens, v->n);
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
		if (!(b = exi_vec_push(&v))) {
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
		exi_vec_free(&v);
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
		if (!(m = exi_vec_push(&v))) {
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
		exi_vec_free(&v);
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
		if (r->nf != 1 || cps < 2 || cps != exi_u8_count(s, n)) {
			rc = EXT_EDATA;
			break;
		}
		if (!(pp = exi_vec_push(&v)) || !(*pp = keep_str(t, s))) {
			rc = EXT_ENOMEM;
			break;
		}
	}
	if (rc == 0 &&
	    !(t->phr_len = malloc((v.n ? v.n : 1) * sizeof(*t->phr_len))))
		rc = EXT_ENOMEM;
	if (rc != 0) {
		exi_vec_free(&v);
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
	if ((rc = txt_tables_get(tp)) != 0)
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
