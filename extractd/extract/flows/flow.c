/* flow.c - aid flows (SPEC "Aid flows"): which sums of money an analyst
 * adds up, and between which two sides.
 *
 * Does: for each figure in 元, read the words of its clause (flow_words.tsv)
 * to decide whether it is aid money (and its category) or not (an
 * increase, a plan, a share, the recipient's own economy, a rate); find
 * the helper and the recipient at the level the sentence names them (the
 * clause of the amount, else the sentence's subject, else the article's
 * side when all its helpers or recipients lie within one); keep one flow
 * per fact. Every flow made and every amount refused gets an --explain
 * note.
 * Does not: find regions, organisations or pairings (it reads the
 * mentions and pairings of the other stages, so better ones improve it),
 * or date amounts (year.c does; a flow takes its figure's year). */
#define _GNU_SOURCE /* memmem */
#include "extract_int.h"
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

enum fw_kind {
	FW_FISCAL,
	FW_SOCIAL,
	FW_CONSUMPTION,
	FW_INVESTMENT,
	FW_PLAN,
	FW_GIVEN,
	FW_NOT,
	FW_NOT_AFTER,
	FW_GROUP_H,
	FW_GROUP_R,
	FW_OWN_H,
	FW_OWN_R,
	FW_MOBILISE,
	FW_HELPER_VERB,
	FW_NOT_SIDE,
	FW_PARTS_AFTER,
	FW_SIGNED,
	FW_TO,
	FW_WEAK,
	FW_NOT_SIDE_PRE,
	FW_SPAN,
	FW_N
};
#define FW_CATS                                                                \
	(1u << FW_FISCAL | 1u << FW_SOCIAL | 1u << FW_CONSUMPTION |            \
	 1u << FW_INVESTMENT)
#define HAS(mask, k) (((mask) >> (k)) & 1u)

static const char *const fw_names[FW_N] = {
	"fiscal",      "social", "consumption", "investment",  "plan",
	"given",       "not",    "not_after",   "group_h",     "group_r",
	"own_h",       "own_r",  "mobilise",    "helper_verb", "not_side",
	"parts_after", "signed", "to",          "weak",        "not_side_pre",
	"span",
};

static const char *const cat_names[4] = { "fiscal_aid", "social_aid",
	                                  "consumption", "investment" };

struct fw {
	const char *w;
	size_t len;
	unsigned kinds; /* bit per enum fw_kind: a word may have several */
};

struct flow_tables {
	char *buf;
	struct fw *w;
	size_t n;
	/* the first code points of the words, by their low 12 bits: most
	 * text starts none, and is passed over without a search */
	uint64_t first[64];
	/* The run of words sharing each first three bytes (words of three
	 * bytes or more), in an open-addressing table keyed by key3() + 1:
	 * word_at()'s candidates without a search. */
	struct krun {
		uint32_t key, lo, hi;
	} * runs;
	size_t runs_cap; /* a power of two */
};

static inline uint32_t
key3(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return ((uint32_t)u[0] << 16 | (uint32_t)u[1] << 8 | u[2]) + 1;
}

static inline size_t
key_slot(uint32_t key, size_t cap)
{
	return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 40) &
	       (cap - 1);
}

/* The first code point of the UTF-8 at s (len > 0), cheaply. */
static inline uint32_t
first_cp(const char *s, size_t len)
{
	size_t n;

	return exi_u8_dec(s, len, &n);
}

static inline bool
may_start(const struct flow_tables *ft, uint32_t cp)
{
	return (ft->first[(cp >> 6) & 63] >> (cp & 63)) & 1u;
}

/* How far back from an amount its clause and subject are read: a bound
 * that keeps a huge unpunctuated sentence linear. */
#define WIN 600

/* Orders words by their first three bytes (shorter words first where one
 * is a prefix of the other's key). */
static int
key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t ka = al < 3 ? al : 3, kb = bl < 3 ? bl : 3;
	int d = memcmp(a, b, ka < kb ? ka : kb);

	if (d)
		return d;
	return ka < kb ? -1 : ka > kb;
}

static int
fw_cmp(const void *x, const void *y)
{
	const struct fw *a = x, *b = y;

	return key_cmp(a->w, a->len, b->w, b->len);
}

int
flow_tables_add(struct flow_tables **tp, const char *name, const char *buf,
                size_t len, size_t *errline)
{
	struct flow_tables *t;
	char *pos, *f[2];
	size_t lineno = 0, cap = 0, nf, i;
	bool header = true;

	if (strcmp(name, "flow_words.tsv") != 0)
		return 1;
	flow_tables_free(tp);
	t = calloc(1, sizeof(*t));
	if (!t || !(t->buf = malloc(len + 1))) {
		free(t);
		return EXT_ENOMEM;
	}
	memcpy(t->buf, buf, len);
	t->buf[len] = '\0';
	pos = t->buf;
	while ((nf = exi_tsv_split(&pos, t->buf + len, f, 2, &lineno)) > 0) {
		int k;

		if (header) {
			header = false;
			if (!strcmp(f[0], "kind"))
				continue;
		}
		for (k = 0; k < FW_N && (nf < 2 || strcmp(f[0], fw_names[k]));
		     k++)
			;
		if (k == FW_N || !*f[1]) {
			if (errline)
				*errline = lineno;
			flow_tables_free(&t);
			return EXT_EDATA;
		}
		for (i = 0; i < t->n; i++)
			if (!strcmp(t->w[i].w, f[1]))
				break;
		if (i < t->n) {
			t->w[i].kinds |= 1u << k;
			continue;
		}
		if (t->n == cap) {
			struct fw *w;

			cap = cap ? 2 * cap : 64;
			w = realloc(t->w, cap * sizeof(*w));
			if (!w) {
				flow_tables_free(&t);
				return EXT_ENOMEM;
			}
			t->w = w;
		}
		t->w[t->n].w = f[1];
		t->w[t->n].len = strlen(f[1]);
		t->w[t->n++].kinds = 1u << k;
	}
	if (t->n > 1)
		qsort(t->w, t->n, sizeof(*t->w), fw_cmp);
	for (i = 0; i < t->n; i++) {
		uint32_t cp = first_cp(t->w[i].w, t->w[i].len);

		t->first[(cp >> 6) & 63] |= 1ull << (cp & 63);
	}
	for (t->runs_cap = 16; t->runs_cap < 2 * t->n; t->runs_cap *= 2)
		;
	t->runs = calloc(t->runs_cap, sizeof(*t->runs));
	if (!t->runs) {
		flow_tables_free(&t);
		return EXT_ENOMEM;
	}
	/* sorted by their first three bytes: equal keys are neighbours */
	for (i = 0; i < t->n; i++) {
		uint32_t key;
		size_t j;

		if (t->w[i].len < 3)
			continue;
		key = key3(t->w[i].w);
		for (j = key_slot(key, t->runs_cap);
		     t->runs[j].key && t->runs[j].key != key;
		     j = (j + 1) & (t->runs_cap - 1))
			;
		if (!t->runs[j].key) {
			t->runs[j].key = key;
			t->runs[j].lo = (uint32_t)i;
		}
		t->runs[j].hi = (uint32_t)i + 1;
	}
	*tp = t;
	return 0;
}

void
flow_tables_free(struct flow_tables **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->buf);
	free((*tp)->w);
	free((*tp)->runs);
	free(*tp);
	*tp = NULL;
}

int
flow_tables_check(const struct flow_tables *t, const char **missing)
{
	if (t && t->n)
		return 0;
	if (missing)
		*missing = "flow_words.tsv";
	return EXT_EDATA;
}

/* ---- words --------------------------------------------------------------
 */

struct hit {
	size_t b0, b1;
	unsigned kinds;
};

/* Words read around one amount at most (words_in's max). */
#define MAX_HITS 96

/* The kinds of the longest word of flow_words.tsv starting at p (before
 * end), or 0. */
static unsigned
word_at(const struct flow_tables *ft, const char *text, size_t p, size_t end,
        size_t *len)
{
	unsigned best = 0;
	size_t lo = 0, hi = ft->n, k = end - p < 3 ? end - p : 3;

	*len = 0;
	if (!may_start(ft, first_cp(text + p, end - p)))
		return 0;
	/* words are sorted by their first three bytes: only those that
	 * share them with the text are compared, found by the hash table
	 * (or, for the last bytes of the text, a search) */
	if (k == 3) {
		uint32_t key = key3(text + p);
		size_t j = key_slot(key, ft->runs_cap);

		for (; ft->runs[j].key != key; j = (j + 1) & (ft->runs_cap - 1))
			if (!ft->runs[j].key)
				return 0;
		lo = ft->runs[j].lo;
		hi = ft->runs[j].hi;
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (key_cmp(ft->w[mid].w, ft->w[mid].len, text + p, k) <
			    0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (hi = lo; hi < ft->n && key_cmp(ft->w[hi].w, ft->w[hi].len,
		                                    text + p, k) == 0;
		     hi++)
			;
	}
	for (size_t i = lo; i < hi; i++) {
		const struct fw *w = &ft->w[i];

		if (w->len > *len && p + w->len <= end &&
		    !memcmp(text + p, w->w, w->len)) {
			best = w->kinds;
			*len = w->len;
		}
	}
	return best;
}

/* The words of [a, b), in text order, into h (at most max); returns how
 * many. A word is taken whole: the words inside it are not read again. */
static size_t
words_in(const struct flow_tables *ft, const char *text, size_t a, size_t b,
         struct hit *h, size_t max)
{
	size_t n = 0, p = a, k;

	while (p < b && n < max) {
		unsigned kinds = word_at(ft, text, p, b, &k);

		if (kinds) {
			h[n].b0 = p;
			h[n].b1 = p + k;
			h[n++].kinds = kinds;
			p += k;
			continue;
		}
		exi_u8_dec(text + p, b - p, &k);
		p += k;
	}
	return n;
}

static bool
is_clause_end(const char *text, size_t p)
{
	char c = text[p];

	return c == ',' || c == ';' || c == ':' || c == '\n' ||
	       !memcmp(text + p, "。", 3);
}

/* Start of the clause holding p (not before lo). */
static size_t
clause_start(const char *text, size_t lo, size_t p)
{
	size_t q = p;

	while (q > lo) {
		size_t r = q - 1;

		while (r > lo && ((unsigned char)text[r] & 0xC0) == 0x80)
			r--;
		if (is_clause_end(text, r))
			return q;
		q = r;
	}
	return lo;
}

static size_t
clause_stop(const char *text, size_t p, size_t hi)
{
	while (p < hi && !is_clause_end(text, p))
		p++;
	return p;
}

/* Is p inside brackets opened in [lo, p)? */
static bool
in_parens(const char *text, size_t lo, size_t p)
{
	int depth = 0;

	/* asides in brackets are short: look back a bounded way, so that
	 * many names in one long clause cost no more than a few each */
	if (p > lo + 150)
		lo = p - 150;
	for (size_t q = lo; q < p; q++) {
		if (text[q] == '(')
			depth++;
		else if (text[q] == ')' && depth > 0)
			depth--;
	}
	return depth > 0;
}

/* ---- sides ----------------------------------------------------------------
 */

enum { S_H = 1, S_R = 2 };

/* One side: a division, a unit that is not one, or null. */
struct side {
	const struct region *r;
	const char *org;
	int org_type;    /* of org */
	bool set;        /* decided (possibly null) */
	const char *how; /* static: which rule decided */
};

struct fctx {
	const struct flow_tables *ft;
	const struct reg_tables *rt;
	const char *text;
	const struct sent *sents;
	size_t n_sents;
	const struct mention *m;
	size_t n_m;
	size_t *msent;  /* first mention of each sentence, n_sents + 1 */
	uint8_t *mside; /* side_of() of each mention */
	bool abbrev;    /* side_in() may take halves of pair abbreviations */
	const struct ext_result *res;
	/* counted groups the article places (内蒙古31个国贫旗县): the count,
	 * the division, where */
	struct place {
		int64_t n;
		const struct region *r;
		size_t at;
	} places[32];
	size_t n_places;
	struct xpl *xpl;
	/* the provinces of the article's helpers and recipients */
	const struct region *hprov[16], *rprov[16];
	size_t n_hprov, n_rprov;
	struct side art_h, art_r; /* the article's sides */
	/* The words of the last window read in each of two places (the
	 * amount's, the sentence before's): the amounts of one sentence
	 * read the same window, and its words once. */
	struct wcache {
		size_t a, b, n;
		bool ok;
		struct hit h[MAX_HITS];
	} wc[2];
};

static bool
in_list(const struct region *const *l, size_t n, const struct region *r)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == r)
			return true;
	return false;
}

static void
add_prov(const struct region **l, size_t *n, const struct region *r)
{
	r = reg_province(r);
	if (r && *n < 16 && !in_list(l, *n, r))
		l[(*n)++] = r;
}

static unsigned word_at(const struct flow_tables *ft, const char *text,
                        size_t p, size_t end, size_t *len);

/* Which side a mention can stand for: S_H, S_R or 0. */
static int
side_compute(const struct fctx *c, const struct mention *e, size_t end)
{
	const struct region *p;
	bool h, r;
	size_t k;
	unsigned after = word_at(c->ft, c->text, e->b1, end, &k);

	if (HAS(after, FW_NOT_SIDE) ||
	    HAS(word_at(c->ft, c->text, e->b0, e->b1, &k), FW_NOT_SIDE))
		return 0;
	for (size_t back = 3; back <= 9 && back <= e->b0; back += 3)
		if (HAS(word_at(c->ft, c->text, e->b0 - back, e->b0, &k),
		        FW_NOT_SIDE_PRE) &&
		    k == back)
			return 0;
	/* schools and hospitals are sites of help in money matters */
	if (e->kind == MEN_ORG)
		return (e->org_type & ORG_F_HELPER) &&
		               !(e->org_type & ORG_F_RECIP)
		           ? S_H
		           : 0;
	/* 黑龙江省对口援藏: a division no pairing places acts as a helper
	 * before a helper's verb */
	if (e->r && e->kind == MEN_REGION && HAS(after, FW_HELPER_VERB) &&
	    !in_list(c->hprov, c->n_hprov, reg_province(e->r)) &&
	    !in_list(c->rprov, c->n_rprov, reg_province(e->r)))
		return S_H;
	if (!e->r)
		return 0;
	if (e->kind == MEN_ABBREV) {
		if (e->org_type == ABV_COMPOUND_H || e->org_type == ABV_JOINT)
			return S_H;
		if (e->org_type == ABV_COMPOUND_R)
			return S_R;
	}
	p = reg_province(e->r);
	h = in_list(c->hprov, c->n_hprov, p);
	r = in_list(c->rprov, c->n_rprov, p);
	if (h != r)
		return h ? S_H : S_R;
	if (!h && (c->n_hprov || c->n_rprov) &&
	    c->rt->role[reg_index(c->rt, p)] != ROLE_EAST)
		/* a place outside both sides of every pairing: a stray
		 * name more often than a recipient */
		return c->n_rprov ? 0 : S_R;
	return c->rt->role[reg_index(c->rt, p)] == ROLE_EAST ? S_H : S_R;
}

static int
side_of(const struct fctx *c, const struct mention *e)
{
	return c->mside[e - c->m];
}

/* The smallest division holding a and b, or NULL. */
static const struct region *
common(const struct region *a, const struct region *b)
{
	for (; a; a = a->parent)
		if (reg_contains(a, b))
			return a;
	return NULL;
}

/* Only list words or nothing between two mentions of one list. */
static bool
joins(const char *text, size_t a, size_t b)
{
	static const char *const sep[] = { "、", "和", "与", "及", "以及" };
	size_t p = a;

	if (b < a || b - a > 9)
		return false;
	while (p < b) {
		size_t i, n = 0;

		for (i = 0; i < sizeof(sep) / sizeof(sep[0]); i++) {
			size_t l = strlen(sep[i]);

			if (p + l <= b && !memcmp(text + p, sep[i], l)) {
				n = l;
				break;
			}
		}
		if (!n)
			return false;
		p += n;
	}
	return true;
}

/* The side named by the list of mentions of kind `want` around anchor
 * (joined by 、和与及, within [lo, hi), outside brackets): one unit, or
 * the smallest division holding them all, or null. */
static struct side
resolve_list(const struct fctx *c, size_t anchor, int want, size_t lo,
             size_t hi, const char *how)
{
	struct side sd = { NULL, NULL, 0, true, how };
	size_t a = anchor, b = anchor, i;
	const struct region *r = NULL;
	const char *org = NULL;
	bool mixed = false;

	while (a > 0 && c->m[a - 1].b0 >= lo &&
	       side_of(c, &c->m[a - 1]) == want &&
	       (c->m[a - 1].b1 > c->m[a].b0 ||
	        joins(c->text, c->m[a - 1].b1, c->m[a].b0)))
		a--;
	while (b + 1 < c->n_m && c->m[b + 1].b1 <= hi &&
	       side_of(c, &c->m[b + 1]) == want &&
	       (c->m[b + 1].b0 < c->m[b].b1 ||
	        joins(c->text, c->m[b].b1, c->m[b + 1].b0)))
		b++;
	for (i = a; i <= b; i++) {
		const struct mention *e = &c->m[i];

		if (side_of(c, e) != want)
			continue;
		/* 福建恒安集团: a place written into an organisation's name */
		if (e->kind == MEN_REGION &&
		    ((i + 1 <= b && c->m[i + 1].kind == MEN_ORG &&
		      c->m[i + 1].b0 <= e->b1) ||
		     (i > a && c->m[i - 1].kind == MEN_ORG &&
		      c->m[i - 1].b1 >= e->b1)))
			continue;
		/* 广西河池: a province written before its prefecture names
		 * the prefecture; 粤桂 counts only without a full name */
		if (e->r && i + 1 <= b && c->m[i + 1].r &&
		    reg_contains(e->r, c->m[i + 1].r) &&
		    c->m[i + 1].b0 <= e->b1 + 3)
			continue;
		if (e->kind == MEN_ORG) {
			if (r || (org && strcmp(org, e->org)))
				mixed = true;
			org = e->org;
			sd.org_type = e->org_type & ORG_TYPE_MASK;
		} else if (org) {
			mixed = true;
		} else if (!r || !reg_contains(e->r, r)) {
			r = r ? common(r, e->r) : e->r;
			if (!r)
				mixed = true;
		}
	}
	if (!mixed) {
		sd.r = r;
		sd.org = org;
	}
	return sd;
}

/* A named division right before a group word (北京市社会各界, 陕西贫困地区,
 * 内蒙古31个国贫旗县): the mention, else SIZE_MAX. */
/* The first mention of sentence s_index that starts at or after pos (a
 * binary search, so that a huge sentence is not walked per amount). */
static size_t
m_from(const struct fctx *c, size_t s_index, size_t pos)
{
	size_t lo = c->msent[s_index], hi = c->msent[s_index + 1];

	/* no arithmetic on the NULL of an article without mentions */
	return hi > lo ? lo + men_lower(c->m + lo, hi - lo, pos) : lo;
}

static size_t
owner_of_group(const struct fctx *c, size_t g0, int want, size_t lo,
               size_t s_index)
{
	size_t best = SIZE_MAX;

	for (size_t i = m_from(c, s_index, lo);
	     i < c->msent[s_index + 1] && c->m[i].b1 <= g0; i++) {
		size_t p, n = 0;
		bool plain = true;

		if (c->m[i].b0 < lo || side_of(c, &c->m[i]) != want)
			continue;
		for (p = c->m[i].b1; p < g0 && n <= 8; n++) {
			size_t k;

			if (is_clause_end(c->text, p) ||
			    !memcmp(c->text + p, "、", 3) ||
			    !memcmp(c->text + p, "向", 3) ||
			    !memcmp(c->text + p, "在", 3))
				plain = false;
			exi_u8_dec(c->text + p, g0 - p, &k);
			p += k;
		}
		if (plain && n <= 8)
			best = i;
	}
	return best;
}

/* The figure that ends at most a few bytes before p (a count before a
 * group word: 31个国贫旗县), or NULL. */
static const struct ext_figure *
count_before(const struct ext_result *res, size_t p)
{
	size_t lo = 0, hi = res->n_figures;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (res->figures[mid].start < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	if (res->figures[lo - 1].end <= p && res->figures[lo - 1].end + 12 >= p)
		return &res->figures[lo - 1];
	return NULL;
}

/* A counted group of divisions (the group word at g0) that the article
 * placed earlier with the same count (内蒙古31个国贫旗县 ... 31个国贫旗县):
 * that division, else NULL. */
static const struct region *
placed(const struct fctx *c, size_t g0)
{
	const struct ext_figure *f = count_before(c->res, g0);

	if (!f || f->value.scale != 0)
		return NULL;
	for (size_t i = 0; i < c->n_places; i++)
		if (c->places[i].n == f->value.mant &&
		    c->places[i].at < f->start)
			return c->places[i].r;
	return NULL;
}

/* Records the counted groups the article places: a recipient division
 * right before a count right before a group word. */
static void
find_places(struct fctx *c)
{
	size_t i, k = 0;

	for (i = 0; i < c->res->n_figures && c->n_places < 32; i++) {
		const struct ext_figure *f = &c->res->figures[i];
		size_t n, gl;
		const struct mention *e = NULL;

		if (f->value.scale != 0 || f->value.mant <= 0)
			continue;
		while (k < c->n_m && c->m[k].b1 <= f->start) {
			e = &c->m[k];
			k++;
		}
		if (!e && k > 0)
			e = &c->m[k - 1];
		if (!e || e->kind != MEN_REGION || !e->r ||
		    c->mside[e - c->m] != S_R || e->b1 + 6 < f->start)
			continue;
		/* a group word within a few characters after the count */
		for (n = f->end; n < f->end + 12 && n < c->res->text_len;
		     n += gl ? gl : 1) {
			unsigned kinds =
			    word_at(c->ft, c->text, n, c->res->text_len, &gl);

			if (HAS(kinds, FW_GROUP_R)) {
				c->places[c->n_places].n = f->value.mant;
				c->places[c->n_places].r = e->r;
				c->places[c->n_places++].at = f->start;
				break;
			}
			if (!gl)
				exi_u8_dec(c->text + n, c->res->text_len - n,
				           &gl);
		}
	}
}

/* The candidates of one side in [a, b): mentions of that side and its
 * group and own words, outside brackets opened after lo. Picks the last
 * one (last) or the first. Returns false when there is none. */
static bool
side_in(const struct fctx *c, int want, size_t a, size_t b, size_t lo,
        bool last, const struct hit *w, size_t n_w, size_t s_index,
        struct side *out, const char *how)
{
	size_t best_m = SIZE_MAX, best_w = SIZE_MAX, best_pos = 0, i;
	bool found = false;
	int gk = want == S_H ? FW_GROUP_H : FW_GROUP_R;
	int ok = want == S_H ? FW_OWN_H : FW_OWN_R;
	/* the halves of a pair abbreviation (粤桂) only where no name is
	 * written in full */
	for (int pass = 0; pass < 1 + c->abbrev && !found; pass++)
		for (i = m_from(c, s_index, a);
		     i < c->msent[s_index + 1] && c->m[i].b0 < b; i++) {
			const struct mention *e = &c->m[i];

			if (e->b0 < a || e->b1 > b || side_of(c, e) != want ||
			    (e->kind == MEN_ABBREV) != (pass == 1) ||
			    in_parens(c->text, lo, e->b0))
				continue;
			if (!found ||
			    (last ? e->b0 >= best_pos : e->b0 < best_pos)) {
				best_m = i;
				best_w = SIZE_MAX;
				best_pos = e->b0;
				found = true;
			}
		}
	for (i = 0; i < n_w; i++) {
		if (!(HAS(w[i].kinds, gk) || HAS(w[i].kinds, ok)) ||
		    w[i].b0 < a || w[i].b1 > b ||
		    in_parens(c->text, lo, w[i].b0))
			continue;
		/* 引导社会各界捐资: the subject mobilised the group */
		if (i > 0 && HAS(w[i - 1].kinds, FW_MOBILISE) &&
		    w[i - 1].b1 == w[i].b0)
			continue;
		if (!found ||
		    (last ? w[i].b0 > best_pos : w[i].b0 < best_pos)) {
			best_w = i;
			best_m = SIZE_MAX;
			best_pos = w[i].b0;
			found = true;
		}
	}
	if (!found)
		return false;
	if (best_w != SIZE_MAX) {
		size_t o = owner_of_group(c, w[best_w].b0, want, lo, s_index);

		if (o != SIZE_MAX) {
			*out = resolve_list(c, o, want, lo, b, how);
			return true;
		}
		if (HAS(w[best_w].kinds, ok)) {
			*out = want == S_H ? c->art_h : c->art_r;
			out->how = "own word";
			return true;
		}
		memset(out, 0, sizeof(*out));
		out->r = placed(c, w[best_w].b0);
		if (out->r) {
			out->set = true;
			out->how = "counted group placed before";
			return true;
		}
		out->set = true;
		out->how = "group";
		return true;
	}
	*out = resolve_list(c, best_m, want, lo, b, how);
	return true;
}

/* The deepest division that holds at least num/den of the n divisions in
 * l (a side named again and again, with a stray name or two), or NULL. */
static const struct region *
dominant(const struct region *const *l, size_t n, size_t num, size_t den)
{
	const struct region *best = NULL;

	for (size_t i = 0; i < n; i++)
		for (const struct region *a = l[i]; a; a = a->parent) {
			size_t in = 0;

			if (best && (a->level <= best->level || a == best))
				break;
			for (size_t j = 0; j < n; j++)
				in += reg_contains(a, l[j]);
			if (in * den >= n * num) {
				best = a;
				break;
			}
		}
	return best;
}

#define MAX_SIDE_LIST 256

/* How many divisions the article names that may be recipients (not on the
 * helper side) lie within r (all of them when r is NULL). */
static size_t
recipients_within(const struct fctx *c, const struct region *r)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_m; i++) {
		const struct mention *e = &c->m[i];
		const struct region *p;

		if (e->kind != MEN_REGION || !e->r || c->mside[i] == S_H)
			continue;
		p = reg_province(e->r);
		if (in_list(c->hprov, c->n_hprov, p) ||
		    c->rt->role[reg_index(c->rt, p)] == ROLE_EAST)
			continue;
		n += !r || reg_contains(r, e->r);
	}
	return n;
}

/* The article's side: the one helper (recipient) of its pairings that
 * holds all the others; else the division that holds most of them, or
 * (recipients) most of the places the article names on that side; else
 * null. */
static struct side
article_side(const struct fctx *c, const struct ext_result *res, bool helper)
{
	struct side sd = { NULL, NULL, 0, true, "article" };
	const struct region *top = NULL, *l[MAX_SIDE_LIST];
	const char *org = NULL;
	bool bad = false;
	size_t n = 0, i;

	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];
		const char *code = helper ? p->helper_code : p->recipient_code;
		const char *name = helper ? p->helper : p->recipient;
		const struct region *r =
		    code[0] ? reg_by_code(c->rt, code) : NULL;

		if (r && n < MAX_SIDE_LIST)
			l[n++] = r;
		if (r) {
			if (org)
				bad = true;
			else if (!top || reg_contains(r, top))
				top = r;
			else if (!reg_contains(top, r))
				bad = true;
		} else if (name) {
			if (top || (org && strcmp(org, name)))
				bad = true;
			org = name;
		}
	}
	if (!bad && org) {
		sd.org = org;
		return sd;
	}
	if (!bad && top &&
	    (helper ||
	     recipients_within(c, top) * 2 >= recipients_within(c, NULL))) {
		sd.r = top;
		return sd;
	}
	if (!bad && top) {
		/* the article names recipients all over: its pairings saw
		 * only some of them */
		sd.how = "article (places all over)";
		return sd;
	}
	if (!helper) {
		const struct region *ml[MAX_SIDE_LIST], *d;
		size_t mn = 0;

		for (i = 0; i < c->n_m && mn < MAX_SIDE_LIST; i++)
			if (c->m[i].kind == MEN_REGION && c->m[i].r &&
			    c->mside[i] == S_R)
				ml[mn++] = c->m[i].r;
		d = mn >= 3 ? dominant(ml, mn, 1, 2) : NULL;
		if (d) {
			sd.r = d;
			sd.how = "article (most places named)";
			return sd;
		}
	}
	if (n >= 3 && (sd.r = dominant(l, n, 3, 4)) != NULL)
		sd.how = "article (most pairings)";
	return sd;
}

/* ---- one amount -------------------------------------------------------------
 */

struct cand {
	struct side h, r;
	int cat;
	bool span; /* a word of several years before it (期间, 累计) */
	const char *why; /* refused: why; NULL when a flow */
};

/* words_in(a, b) by way of cache slot: the same words for the same
 * window. */
static const struct hit *
words_of(struct fctx *c, int slot, size_t a, size_t b, size_t *n)
{
	struct wcache *w = &c->wc[slot];

	if (!w->ok || w->a != a || w->b != b) {
		w->n = words_in(c->ft, c->text, a, b, w->h, MAX_HITS);
		w->a = a;
		w->b = b;
		w->ok = true;
	}
	*n = w->n;
	return w->h;
}

/* The lowest category bit of a word's kinds, or -1. */
static int
cat_of(unsigned kinds)
{
	for (int k = FW_FISCAL; k <= FW_INVESTMENT; k++)
		if (HAS(kinds, k))
			return k;
	return -1;
}

/* Does the sentence make a recipient its subject before p, spending its
 * own money (广西投入71亿元, 全区共整合…资金)? A recipient after 向, 为,
 * 在 ... is where money went, not who spent it. */
static bool
own_spending(const struct fctx *c, size_t s_index, size_t lo, size_t p,
             const struct hit *w, size_t n_w)
{
	size_t i, first = SIZE_MAX;

	for (i = m_from(c, s_index, lo);
	     i < c->msent[s_index + 1] && c->m[i].b0 < p; i++)
		if (c->m[i].b0 >= lo && c->m[i].b1 <= p &&
		    c->m[i].kind == MEN_REGION && side_of(c, &c->m[i]) == S_R) {
			first = c->m[i].b0;
			break;
		}
	for (i = 0; i < n_w && w[i].b1 <= p; i++)
		if (HAS(w[i].kinds, FW_OWN_R) && w[i].b0 < first)
			first = w[i].b0;
	if (first == SIZE_MAX)
		return false;
	for (i = 0; i < n_w && w[i].b1 <= first; i++)
		if (HAS(w[i].kinds, FW_TO) && first - w[i].b1 <= 6)
			return false;
	return true;
}

static void
judge(struct fctx *c, const struct ext_figure *f, struct cand *out)
{
	const struct sent *s = &c->sents[f->sentence];
	const char *t = c->text;
	size_t lo = f->start > s->b0 + WIN ? f->start - WIN : s->b0;
	size_t hi = s->b1 < f->end + WIN ? s->b1 : f->end + WIN;
	size_t c0 = clause_start(t, lo, f->start);
	size_t c1 = clause_stop(t, f->end, hi);
	size_t n_w, i;
	const struct hit *w = words_of(c, 0, lo, hi, &n_w);
	int cat = -1, plan = -1, given = -1;
	size_t cat_end = 0;
	bool cat_weak = true, strong = false;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n_w; i++) {
		const struct hit *h = &w[i];
		unsigned k = h->kinds;

		if (h->b1 <= f->start && (k & FW_CATS) && !HAS(k, FW_WEAK))
			strong = true; /* aid wording in the sentence */
		if (h->b1 <= f->start && HAS(k, FW_SPAN))
			out->span = true;
		if (h->b1 <= f->start) {
			/* plans reach over the sentence (力争…, 落实资金);
			 * pledges and the rest over the amount's clause */
			if (HAS(k, FW_PLAN) ||
			    (HAS(k, FW_SIGNED) && h->b0 >= c0))
				plan = (int)i;
			/* a given word in the plan's own clause (计划投入) is
			 * part of the plan */
			if (HAS(k, FW_GIVEN) &&
			    (plan < 0 ||
			     clause_start(t, lo, h->b0) > w[plan].b0))
				given = (int)i;
			if (h->b0 < c0)
				continue;
			/* the nearest word decides; a weak one (资金) only
			 * where there is no other */
			if ((k & FW_CATS) &&
			    (HAS(k, FW_WEAK) ? cat_weak && h->b1 >= cat_end
			                     : cat_weak || h->b1 >= cat_end)) {
				cat = cat_of(k);
				cat_end = h->b1;
				cat_weak = HAS(k, FW_WEAK);
			}
			if (HAS(k, FW_NOT))
				out->why = "not aid money (an increase, share, "
				           "rate, own economy or project size)";
		} else if (h->b0 >= f->end && h->b1 <= c1 && (k & FW_CATS) &&
		           (cat < 0 || (cat_weak && !HAS(k, FW_WEAK) &&
		                        cat_end == SIZE_MAX))) {
			cat = cat_of(k);
			cat_end = SIZE_MAX;
			cat_weak = HAS(k, FW_WEAK);
		} else if (h->b0 >= f->end && h->b1 <= c1 &&
		           HAS(k, FW_NOT_AFTER)) {
			out->why = "a starting or ending value (增长到)";
		} else if (h->b0 >= f->end && HAS(k, FW_PARTS_AFTER)) {
			out->why = "a part told apart by its use (分别占)";
		}
	}
	if (!out->why && plan >= 0 && given < plan)
		out->why = "only planned, pledged or signed";
	if (!out->why && cat < 0) {
		for (i = 0; i < 4; i++)
			if (!strcmp(f->category, cat_names[i]))
				cat = (int)i;
		if (cat < 0)
			out->why = "no aid wording";
	}
	if (out->why)
		return;
	out->cat = cat;
	/* helper: in the clause before the amount (nearest), else the
	 * sentence's subject, else the sentence before in the same
	 * paragraph; names in full first, then the halves of a pair
	 * abbreviation (苏陕扶贫资金); else the article's */
	for (c->abbrev = false;; c->abbrev = true) {
		if (side_in(c, S_H, c0, f->start, lo, true, w, n_w, f->sentence,
		            &out->h, "clause") ||
		    side_in(c, S_H, lo, c0, lo, false, w, n_w, f->sentence,
		            &out->h, "subject"))
			break;
		if (!c->abbrev)
			continue;
		if (own_spending(c, f->sentence, lo, f->start, w, n_w)) {
			out->why = "the recipient's own spending";
			return;
		}
		/* no helper named in the sentence and only generic money
		 * words (资金, 投资): as likely the recipient's own money */
		if (cat_weak && !strong) {
			out->why = "no helper named and no aid wording";
			return;
		}
		if (f->sentence > 0 &&
		    !memchr(t + c->sents[f->sentence - 1].b1, '\n',
		            s->b0 - c->sents[f->sentence - 1].b1)) {
			const struct sent *p = &c->sents[f->sentence - 1];
			size_t pn;
			const struct hit *pw = words_of(
			    c, 1, p->b0,
			    p->b1 < p->b0 + WIN ? p->b1 : p->b0 + WIN, &pn);

			if (side_in(c, S_H, p->b0, p->b1, p->b0, false, pw, pn,
			            f->sentence - 1, &out->h,
			            "sentence before"))
				break;
		}
		out->h = c->art_h;
		break;
	}
	/* recipient: in the clause (before the amount, else after it), else
	 * the sentence before the clause, else the site the sentence names
	 * after it (投入…,在X县建设); names in full first; else the
	 * article's */
	for (c->abbrev = false;; c->abbrev = true) {
		if (side_in(c, S_R, c0, f->start, lo, true, w, n_w, f->sentence,
		            &out->r, "clause") ||
		    side_in(c, S_R, f->end, c1, lo, false, w, n_w, f->sentence,
		            &out->r, "clause after") ||
		    side_in(c, S_R, lo, c0, lo, true, w, n_w, f->sentence,
		            &out->r, "sentence") ||
		    side_in(c, S_R, c1, hi, lo, false, w, n_w, f->sentence,
		            &out->r, "sentence after"))
			break;
		if (c->abbrev) {
			out->r = c->art_r;
			break;
		}
	}
	/* money a ministry hands out to counties at large is no pairing's */
	if (out->h.org && out->h.org_type == ORG_MINISTRY && !out->r.r &&
	    !out->r.org) {
		out->why = "a ministry's money for counties at large";
		return;
	}
	/* the aid money of enterprises is social aid */
	if (out->h.org && cat == FW_FISCAL &&
	    (out->h.org_type == ORG_SOE || out->h.org_type == ORG_ENTERPRISE))
		out->cat = FW_SOCIAL;
}

static const char *
side_name(const struct side *s)
{
	return s->r ? s->r->name : s->org;
}

static bool
same_side(const struct side *a, const struct side *b)
{
	if (a->r || b->r)
		return a->r == b->r;
	if (a->org && b->org)
		return !strcmp(a->org, b->org);
	return !a->org && !b->org;
}

static int
set_side(struct arena *ar, const struct side *s, char **name, char code[7])
{
	const char *n = side_name(s);

	code[0] = '\0';
	*name = NULL;
	if (!n)
		return 0;
	*name = exi_ar_strdup(ar, n);
	if (!*name)
		return EXT_ENOMEM;
	if (s->r)
		memcpy(code, s->r->code, 7);
	return 0;
}

/* Is side a the same as b, or a division inside it? (A part named for a
 * wider place than its total is the same money told loosely; one for a
 * narrower place has a recipient of its own.) */
static bool
within(const struct side *a, const struct side *b)
{
	if (a->r && b->r)
		return reg_contains(b->r, a->r);
	return same_side(a, b);
}

static double
flow_value(const struct ext_flow *f)
{
	return ext_decimal_double(f->value);
}

/* Drops, in place, the flows that SPEC does not count: a total that the
 * flows after it split completely by helper (四省市、两企业…超过百亿元,
 * then each helper's amount), and a multi-year amount inside a multi-year
 * total of the same sides and category told before it. Keeps part_of
 * pointing at the kept flows (-1 where its total went). Returns how many
 * flows are left. */
static size_t
drop_totals(const struct fctx *c, const struct ext_result *res,
            struct ext_flow *fl, size_t n, const struct side *sides,
            const bool *spans)
{
	size_t i, j, k = 0;
	long *map;

	if (n == 0)
		return 0;
	map = malloc(n * sizeof(*map));
	if (!map)
		return n; /* keep them all rather than fail */
	for (i = 0; i < n; i++)
		map[i] = 0;
	for (i = 0; i < n; i++) {
		const struct side *h = &sides[2 * i];
		double v = flow_value(&fl[i]), sum = 0;
		size_t parts = 0;

		if (h->r || h->org)
			continue;
		for (j = i + 1; j < n && j < i + 16; j++) {
			const struct side *hj = &sides[2 * j];
			size_t x;
			bool again = false;

			if (!hj->r && !hj->org)
				break;
			for (x = i + 1; x < j; x++)
				again |= same_side(&sides[2 * x], hj);
			if (again)
				break;
			sum += flow_value(&fl[j]);
			parts++;
			if (sum >= 0.95 * v)
				break;
		}
		if (parts >= 2 && sum >= 0.95 * v &&
		    (sum <= 1.1 * v ||
		     (res->figures[fl[i].figure].approx && sum <= 1.3 * v))) {
			map[i] = -1;
			xpl_add(c->xpl, res->figures[fl[i].figure].sentence,
			        "refused",
			        "figure %zu %s: no flow, a total split "
			        "by helper into the %zu flows after it",
			        fl[i].figure, res->figures[fl[i].figure].text,
			        parts);
		}
	}
	for (i = 1; i < n; i++) {
		if (map[i] || fl[i].year || !spans[i])
			continue;
		for (j = i > 16 ? i - 16 : 0; j < i; j++)
			if (!map[j] && !fl[j].year &&
			    (fl[i].helper || fl[i].recipient) &&
			    same_side(&sides[2 * j], &sides[2 * i]) &&
			    within(&sides[2 * j + 1], &sides[2 * i + 1]) &&
			    !strcmp(fl[j].category, fl[i].category) &&
			    flow_value(&fl[j]) > flow_value(&fl[i]) &&
			    fl[i].part_of < 0) {
				map[i] = -1;
				xpl_add(
				    c->xpl, res->figures[fl[i].figure].sentence,
				    "refused",
				    "figure %zu %s: no flow, a multi-year "
				    "part of the multi-year total of figure "
				    "%zu",
				    fl[i].figure,
				    res->figures[fl[i].figure].text,
				    fl[j].figure);
				break;
			}
	}
	for (i = 0; i < n; i++) {
		if (map[i] < 0)
			continue;
		map[i] = (long)k;
		fl[k] = fl[i];
		if (fl[k].part_of >= 0)
			fl[k].part_of = map[fl[k].part_of];
		k++;
	}
	free(map);
	return k;
}

int
flow_find(const struct flow_tables *ft, const struct reg_tables *rt,
          const struct ext_doc *doc, const struct sent *sents, size_t n_sents,
          const struct mention *m, size_t n_m, struct ext_result *res,
          struct arena *ar)
{
	struct fctx c;
	struct vec out = VEC_INIT(struct ext_flow);
	struct side *sides = NULL; /* helper, recipient of each flow */
	bool *spans = NULL;        /* each flow's cand.span */
	size_t i, j, *msent, n_out;
	int rc = 0;

	if (!ft || !rt || !res)
		return EXT_EINVAL;
	memset(&c, 0, sizeof(c));
	c.ft = ft;
	c.rt = rt;
	c.text = doc->text;
	c.sents = sents;
	c.n_sents = n_sents;
	c.m = m;
	c.n_m = n_m;
	c.xpl = doc->xpl;
	msent = malloc((n_sents + 1) * sizeof(*msent));
	c.mside = malloc(n_m + 1);
	sides = malloc((res->n_figures + 1) * 2 * sizeof(*sides));
	spans = malloc(res->n_figures + 1);
	if (!msent || !sides || !c.mside || !spans) {
		rc = EXT_ENOMEM;
		goto done;
	}
	for (i = 0, j = 0; i <= n_sents; i++) {
		while (j < n_m && m[j].sent < i)
			j++;
		msent[i] = j;
	}
	c.msent = msent;
	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];

		if (p->helper_code[0])
			add_prov(c.hprov, &c.n_hprov,
			         reg_by_code(rt, p->helper_code));
		if (p->recipient_code[0])
			add_prov(c.rprov, &c.n_rprov,
			         reg_by_code(rt, p->recipient_code));
	}
	for (i = 0; i < n_m; i++)
		c.mside[i] = (uint8_t)side_compute(
		    &c, &m[i],
		    m[i].sent < n_sents ? sents[m[i].sent].b1 : m[i].b1);
	c.res = res;
	find_places(&c);
	c.art_h = article_side(&c, res, true);
	c.art_r = article_side(&c, res, false);

	for (i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];
		struct ext_flow *fl;
		struct cand k;
		long whole = -1;
		size_t dup = SIZE_MAX;

		if (strcmp(f->unit, "元") != 0 || f->value.mant <= 0 ||
		    f->sentence >= n_sents)
			continue;
		judge(&c, f, &k);
		if (k.why) {
			xpl_add(c.xpl, f->sentence, "refused",
			        "figure %zu %s: no flow, %s", i, f->text,
			        k.why);
			continue;
		}
		/* a fact told twice is one flow: the more exact statement
		 * (not approximate) stands. Repeats are looked for among the
		 * first flows (a title) and the latest ones, which keeps a
		 * huge article linear. */
		for (j = 0; j < out.n; j++) {
			const struct ext_flow *o;

			if (j == 32 && out.n > 32 + 256)
				j = out.n - 256;
			o = &((struct ext_flow *)out.p)[j];
			if (o->value.mant == f->value.mant &&
			    o->value.scale == f->value.scale &&
			    same_side(&sides[2 * j], &k.h) &&
			    same_side(&sides[2 * j + 1], &k.r) &&
			    (o->year == f->year || !o->year || !f->year)) {
				dup = j;
				break;
			}
		}
		if (dup != SIZE_MAX) {
			struct ext_flow *o = &((struct ext_flow *)out.p)[dup];

			if (res->figures[o->figure].approx && !f->approx) {
				o->figure = i;
				o->year = f->year ? f->year : o->year;
			}
			xpl_add(c.xpl, f->sentence, "refused",
			        "figure %zu %s: no flow, the fact of flow %zu "
			        "told again",
			        i, f->text, dup);
			continue;
		}
		/* 其中: a part of the flow before it in the sentence, a flow
		 * of its own only where a side or the category differs */
		if (out.n) {
			const struct ext_flow *o =
			    &((struct ext_flow *)out.p)[out.n - 1];
			const struct ext_figure *of = &res->figures[o->figure];

			if (of->sentence == f->sentence &&
			    memmem(doc->text + of->end, f->start - of->end,
			           "其中", 6)) {
				if (same_side(&sides[2 * (out.n - 1)], &k.h) &&
				    same_side(&sides[2 * (out.n - 1) + 1],
				              &k.r) &&
				    !strcmp(o->category, cat_names[k.cat])) {
					xpl_add(
					    c.xpl, f->sentence, "refused",
					    "figure %zu %s: no flow, a part "
					    "of flow %zu by its use only",
					    i, f->text, out.n - 1);
					continue;
				}
				whole = (long)(out.n - 1);
			}
		}
		fl = exi_vec_push(&out);
		if (!fl) {
			rc = EXT_ENOMEM;
			goto done;
		}
		fl->figure = i;
		fl->value = f->value;
		fl->year = f->year;
		fl->category = cat_names[k.cat];
		fl->part_of = whole;
		fl->rule = k.h.how;
		sides[2 * (out.n - 1)] = k.h;
		sides[2 * (out.n - 1) + 1] = k.r;
		spans[out.n - 1] = k.span;
		rc = set_side(ar, &k.h, &fl->helper, fl->helper_code);
		if (rc == 0)
			rc = set_side(ar, &k.r, &fl->recipient,
			              fl->recipient_code);
		if (rc != 0)
			goto done;
		xpl_add(c.xpl, f->sentence, "flow",
		        "flow from figure %zu %s: %s (%s) -> %s (%s), %s, year "
		        "%d%s",
		        i, f->text, fl->helper ? fl->helper : "null", k.h.how,
		        fl->recipient ? fl->recipient : "null", k.r.how,
		        fl->category, fl->year, whole >= 0 ? ", a part" : "");
	}
	n_out = drop_totals(&c, res, out.p, out.n, sides, spans);
	out.n = n_out;
	res->n_flows = out.n;
	res->flows = exi_vec_to_arena(&out, ar);
	if (res->n_flows && !res->flows)
		rc = EXT_ENOMEM;
done:
	exi_vec_free(&out);
	free(msent);
	free(c.mside);
	free(sides);
	free(spans);
	return rc;
}
