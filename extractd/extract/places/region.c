/* region.c - finds divisions and organisations named in an article and
 * the region the article is about.
 *
 * Does: one leftmost-longest scan of the gazetteer (full, short, derived
 * and alias names, abbreviation compounds, curated organisations, and
 * blocking words that contain names: 搬迁 stops 迁安); names shared by
 * several divisions (鼓楼区, or 台江 for 台江县/台江区) resolve by a parent
 * written right before them, else by the other divisions the article
 * names, else are dropped; one scan of organisation suffixes finds
 * schools, hospitals, enterprises, development zones ... and their names
 * (a province before a division of it dropped), and words that refer
 * back (该集团, a bare 医院 opening a clause) to the last organisation of
 * their kind; a short form (交行) of a unit whose full name the article
 * also writes takes the full name.
 * Does not: guess divisions from context alone (全区, 我省: pairing.c reads
 * those), or resolve a name that no table knows. */
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

struct raw {
	size_t b0, b1;
	uint32_t ent;
};

struct scan_ctx {
	struct vec *raws;
};

static int
on_gaz(void *ctx, size_t b0, size_t b1, uint32_t val)
{
	struct scan_ctx *c = ctx;
	struct raw *r = exi_vec_push(c->raws);

	if (!r)
		return EXT_ENOMEM;
	r->b0 = b0;
	r->b1 = b1;
	r->ent = val;
	return 0;
}

static void
count_up(uint32_t *ctx, const struct reg_tables *rt, const struct region *r)
{
	for (; r; r = r->parent)
		ctx[reg_index(rt, r)]++;
}

/* The candidate the article's context supports: a parent written right
 * before the name wins; else the best score of parent (twice) and
 * province mentions elsewhere, if it is unique and not zero. */
static const struct region *
resolve(const struct reg_tables *rt, const struct gaz_ent *e,
        const uint32_t *ctx, const struct region *prev_adjacent)
{
	const struct region *best = NULL;
	uint32_t best_s = 0;
	bool tie = false;
	size_t k;

	if (prev_adjacent)
		for (k = 0; k < e->n; k++) {
			const struct region *c =
			    &rt->regions[rt->cand[e->a + k]];

			if (c->parent && reg_contains(prev_adjacent, c->parent))
				return c;
		}
	for (k = 0; k < e->n; k++) {
		const struct region *c = &rt->regions[rt->cand[e->a + k]];
		const struct region *p = c->parent, *pv = reg_province(c);
		uint32_t s = 0;

		if (p && p != pv)
			s += 2 * ctx[reg_index(rt, p)];
		if (pv && pv != c)
			s += ctx[reg_index(rt, pv)];
		if (s > best_s) {
			best = c;
			best_s = s;
			tie = false;
		} else if (s == best_s) {
			tie = true;
		}
	}
	return best && !tie ? best : NULL;
}

/* A county's short name right before 镇 乡 村 街 路 names a town,
 * village or street (湄潭县永兴镇 is not 永兴县). */
static bool
town_name(const struct region *r, const char *text, size_t len, size_t b0,
          size_t b1)
{
	static const char *const next[] = { "镇", "乡", "村", "街", "路" };
	size_t k;

	if (r->level != REG_COUNTY || strlen(r->short_name) != b1 - b0 ||
	    memcmp(text + b0, r->short_name, b1 - b0) != 0 || b1 + 3 > len)
		return false;
	for (k = 0; k < sizeof(next) / sizeof(next[0]); k++)
		if (!memcmp(text + b1, next[k], 3))
			return true;
	return false;
}

/* A county named by two characters (如东, 金安, 康县) is one only when the
 * article names something else in its province: alone, such names are
 * mostly parts of words (资金安排, 奔小康县市). */
#define SHORT_ALONE_BYTES 6

static bool
is_short_county(const struct region *r, size_t b0, size_t b1)
{
	return r->level == REG_COUNTY && b1 - b0 <= SHORT_ALONE_BYTES;
}

/* strong: mentions counted as in ctx, but not those of such counties
 * (乌兰 and 达日 in 乌兰哈达苏木阿达日嘎查 do not hold each other up). */
static bool
short_alone(const struct reg_tables *rt, const struct region *r,
            const uint32_t *strong, size_t b0, size_t b1)
{
	const struct region *pv = reg_province(r);

	if (!is_short_county(r, b0, b1) || !pv)
		return false;
	return strong[reg_index(rt, pv)] == 0;
}

/* The name at raws[i] stands in a list with another name (黔西南州和万州,
 * 普格、布拖): joined by 、 和 与 及. */
static bool
joined(const char *text, size_t a1, size_t b0)
{
	static const char *const j[] = { "、", "和", "与", "及" };
	size_t k;

	if (a1 + 3 != b0)
		return false;
	for (k = 0; k < sizeof(j) / sizeof(j[0]); k++)
		if (!memcmp(text + a1, j[k], 3))
			return true;
	return false;
}

static bool
listed_with_name(const char *text, const struct raw *raws, size_t n, size_t i)
{
	return (i > 0 && raws[i - 1].b1 <= raws[i].b0 &&
	        joined(text, raws[i - 1].b1, raws[i].b0)) ||
	       (i + 1 < n && joined(text, raws[i].b1, raws[i + 1].b0));
}

struct first_ctx {
	struct raw got;
	bool found;
};

static int
on_first(void *ctx, size_t b0, size_t b1, uint32_t val)
{
	struct first_ctx *f = ctx;

	f->got.b0 = b0;
	f->got.b1 = b1;
	f->got.ent = val;
	f->found = true;
	return 1; /* stop */
}

/* A name that starts at the second character of raws[i], ends after it
 * and before raws[i + 1]. Looks at REG_AC_MAXLEN bytes only. */
static bool
shifted_name(const struct reg_tables *rt, const char *text, size_t len,
             const struct raw *raws, size_t n, size_t i, struct raw *out)
{
	size_t p, k;
	struct first_ctx f = { { 0, 0, 0 }, false };

	exi_u8_dec(text + raws[i].b0, len - raws[i].b0, &k);
	p = raws[i].b0 + k;
	if (reg_ac_longest(rt->gaz, text + p,
	                   len - p < REG_AC_MAXLEN ? len - p : REG_AC_MAXLEN,
	                   on_first, &f) < 0 ||
	    !f.found || f.got.b0 != 0 || p + f.got.b1 <= raws[i].b1 ||
	    (i + 1 < n && raws[i + 1].b0 < p + f.got.b1))
		return false;
	out->b0 = p;
	out->b1 = p + f.got.b1;
	out->ent = f.got.ent;
	return true;
}

/* mention.org_type of a division that counts only inside an
 * organisation's name (独山三中), see short_alone(). */
#define REG_WEAK 1

static int
push_mention(struct vec *out, size_t b0, size_t b1, enum mention_kind kind,
             const struct region *r, int sub)
{
	struct mention *m = exi_vec_push(out);

	if (!m)
		return EXT_ENOMEM;
	m->b0 = b0;
	m->b1 = b1;
	m->kind = kind;
	m->r = r;
	m->org_type = sub;
	return 0;
}

static int
org_flags(int type)
{
	switch (type) {
	case ORG_HOSPITAL:
	case ORG_SCHOOL:
	case ORG_ZONE:
		return type | ORG_F_HELPER | ORG_F_RECIP;
	default:
		return type | ORG_F_HELPER;
	}
}

/* ---- organisations by suffix ------------------------------------------ */
#define ORG_MAX_CPS 16

struct org_ctx {
	const struct reg_tables *rt;
	const char *text;
	const struct mention *men; /* regions, sorted by b0 */
	size_t n_men;
	struct vec *orgs;
	const struct mention *cur; /* curated organisations, by b0 */
	size_t n_cur;
	struct arena *ar;
	size_t last_boundary; /* end of the last boundary word */
};

static bool
is_function_cp(uint32_t cp)
{
	/* Characters that end a name on its left: grammar, not names. */
	static const char fn[] = "与和及同在由的如对向为把被将是从让给等了并";
	char buf[4];
	size_t n;

	if (cp < 0x80 || (cp >= 0x2000 && cp < 0x2070) ||
	    (cp >= 0x3000 && cp < 0x3040) || (cp >= 0xFF00 && cp < 0xFFF0))
		return true; /* ASCII, punctuation, CJK and full-width marks */
	n = exi_u8_enc(cp, buf);
	for (size_t i = 0; i + n <= sizeof(fn) - 1; i += n)
		if (!memcmp(fn + i, buf, n))
			return true;
	return false;
}

/* First region mention inside [a, b), or -1. */
static long
first_region_in(const struct org_ctx *c, size_t a, size_t b)
{
	size_t lo = men_lower(c->men, c->n_men, a);

	for (; lo < c->n_men && c->men[lo].b0 < b; lo++)
		if (c->men[lo].kind == MEN_REGION && c->men[lo].b1 <= b)
			return (long)lo;
	return -1;
}

static int
add_org(struct org_ctx *c, size_t b0, size_t b1, const char *name, size_t nlen,
        int type)
{
	struct mention *m;
	struct mention *last =
	    c->orgs->n ? (struct mention *)c->orgs->p + (c->orgs->n - 1) : NULL;

	/* A longer name ending later replaces one it contains (广大附中 in
	 * 广州市广大附中教育集团); one overlapping it otherwise is dropped. */
	if (last && last->b1 > b0) {
		if (b0 <= last->b0 && b1 > last->b1)
			c->orgs->n--;
		else
			return 0;
	}
	m = exi_vec_push(c->orgs);
	if (!m)
		return EXT_ENOMEM;
	m->b0 = b0;
	m->b1 = b1;
	m->kind = MEN_ORG;
	m->org = exi_ar_strndup(c->ar, name, nlen);
	m->org_type = org_flags(type);
	return m->org ? 0 : EXT_ENOMEM;
}

/* First curated organisation inside [a, b), or NULL. */
static const struct mention *
first_curated_in(const struct org_ctx *c, size_t a, size_t b)
{
	size_t lo = men_lower(c->cur, c->n_cur, a);

	return lo < c->n_cur && c->cur[lo].b1 <= b ? &c->cur[lo] : NULL;
}

/* A curated organisation that contains [s0, s1) and ends at s1. */
static bool
curated_ends_at(const struct org_ctx *c, size_t s0, size_t s1)
{
	size_t lo = 0, hi = c->n_cur;

	/* The first curated name ending at or after s1; names do not nest,
	 * so it is the only candidate. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->cur[mid].b1 < s1)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n_cur && c->cur[lo].b1 == s1 && c->cur[lo].b0 <= s0;
}

/* ---- words that refer back to an organisation --------------------------
 * 该集团, 该行, and a bare suffix word opening a clause (,公司还援建...)
 * name the last organisation of their kind written before them, within
 * REF_MAX_BYTES. */
#define REF_MAX_BYTES 1500
#define REF_MAX_STEPS 8

/* An organisation of type o can be what a word of type t refers to. */
static bool
ref_compatible(int t, int o)
{
	if (t == o)
		return true;
	if (t == ORG_ENTERPRISE)
		return o == ORG_SOE || o == ORG_CENTRAL;
	if (t == ORG_RESEARCH)
		return o == ORG_UNIVERSITY || o == ORG_CENTRAL;
	if (t == ORG_SCHOOL) /* 该校, 学校: a university too */
		return o == ORG_UNIVERSITY;
	return false;
}

/* The last organisation of c->cur (curated) and c->orgs (by suffix) that
 * ends at or before s0 and that type t may refer to, or NULL. */
static const struct mention *
ref_target(const struct org_ctx *c, size_t s0, int t)
{
	const struct mention *best = NULL;
	size_t lo = 0, hi = c->n_cur, k, steps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->cur[mid].b1 <= s0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo, steps = 0; k > 0 && steps < REF_MAX_STEPS; k--, steps++) {
		const struct mention *m = &c->cur[k - 1];

		if (m->b1 + REF_MAX_BYTES < s0)
			break;
		if (m->b1 <= s0 &&
		    ref_compatible(t, m->org_type & ORG_TYPE_MASK)) {
			best = m;
			break;
		}
	}
	for (k = c->orgs->n, steps = 0; k > 0 && steps < REF_MAX_STEPS;
	     k--, steps++) {
		const struct mention *m = (struct mention *)c->orgs->p + k - 1;

		if (m->b1 > s0)
			continue;
		if (m->b1 + REF_MAX_BYTES < s0 || (best && m->b1 <= best->b1))
			break;
		if (ref_compatible(t, m->org_type & ORG_TYPE_MASK)) {
			best = m;
			break;
		}
	}
	return best;
}

/* s0 opens a clause: the text or a mark of punctuation comes before. */
static bool
clause_start(const char *text, size_t s0)
{
	size_t p = s0, n;
	uint32_t cp;

	while (p > 0 && text[p - 1] == ' ')
		p--;
	if (p == 0 || text[p - 1] == '\n')
		return true;
	while (--p > 0 && ((unsigned char)text[p] & 0xC0) == 0x80)
		;
	cp = exi_u8_dec(text + p, s0 - p, &n);
	return cp == ',' || cp == ';' || cp == 0xFF0C || cp == 0xFF1B ||
	       cp == 0x3002 || cp == ':' || cp == 0xFF1A;
}

static int
add_ref(struct org_ctx *c, size_t s0, size_t s1, int type)
{
	const struct mention *t = ref_target(c, s0, type);
	struct mention *m;
	const char *org;
	int org_type;

	if (!t)
		return 0;
	/* t may lie in c->orgs, which exi_vec_push moves. */
	org = t->org;
	org_type = t->org_type;
	if (c->orgs->n &&
	    ((struct mention *)c->orgs->p)[c->orgs->n - 1].b1 > s0)
		return 0;
	m = exi_vec_push(c->orgs);
	if (!m)
		return EXT_ENOMEM;
	m->b0 = s0;
	m->b1 = s1;
	m->kind = MEN_ORG;
	m->org = org;
	m->org_type = org_type | ORG_F_REF;
	return 0;
}

/* A province written right before a division of it in a name is dropped
 * (SPEC rule 13: 江苏省南通市经济技术开发区 is 南通市经济技术开发区); a
 * city (北京朝阳医院) stays. */
static long
drop_province(const struct org_ctx *c, long j, size_t s0)
{
	const struct mention *m = &c->men[j];

	if (m->r && m->r->level == REG_PROVINCE && !reg_is_city(m->r) &&
	    (size_t)j + 1 < c->n_men && c->men[j + 1].kind == MEN_REGION &&
	    c->men[j + 1].b0 == m->b1 && c->men[j + 1].b1 <= s0 &&
	    reg_contains(m->r, c->men[j + 1].r))
		return j + 1;
	return j;
}

static int
on_suffix(void *ctx, size_t s0, size_t s1, uint32_t val)
{
	struct org_ctx *c = ctx;
	const struct suf_ent *se = &c->rt->sufs[val];
	size_t start = s0, cps = 0;
	bool bounded = false, cur_start = false;
	long j;
	int rc;

	if (se->type == ORG_BOUNDARY) {
		c->last_boundary = s1;
		return 0;
	}
	/* The suffix ends a curated name (清华大学): that name stands as it
	 * is, and words before it (教育部直属高校) are not part of it. */
	if (curated_ends_at(c, s0, s1))
		return 0;
	if (se->ref)
		return add_ref(c, s0, s1, se->type);
	/* Back to the nearest boundary, at most ORG_MAX_CPS characters. */
	while (start > 0 && cps < ORG_MAX_CPS) {
		size_t p = start - 1, n;
		uint32_t cp;

		while (p > 0 && ((unsigned char)c->text[p] & 0xC0) == 0x80)
			p--;
		cp = exi_u8_dec(c->text + p, start - p, &n);
		if (is_function_cp(cp) ||
		    (c->last_boundary && start <= c->last_boundary)) {
			bounded = true;
			break;
		}
		start = p;
		cps++;
	}
	if (start == 0)
		bounded = true;
	if (c->last_boundary > start && c->last_boundary <= s0)
		start = c->last_boundary;
	/* A curated name can begin a longer one (浙江大学 + 医学院附属第一
	 * 医院); the earlier of it and a division starts the name. */
	j = first_region_in(c, start, s0);
	{
		const struct mention *cu = first_curated_in(c, start, s0);

		if (cu && (j < 0 || cu->b0 < c->men[j].b0)) {
			j = -1;
			start = cu->b0;
			bounded = true;
			cur_start = true;
		}
	}
	/* So can one found by its suffix (南方医科大学 + 南方医院). */
	if (!cur_start && c->orgs->n) {
		const struct mention *lo =
		    (struct mention *)c->orgs->p + (c->orgs->n - 1);

		if (!(lo->org_type & ORG_F_REF) && lo->b0 >= start &&
		    lo->b1 <= s0 && (j < 0 || lo->b0 < c->men[j].b0)) {
			j = -1;
			start = lo->b0;
			bounded = true;
			cur_start = true;
		}
	}
	if (j >= 0) {
		const struct mention *m;
		size_t k;

		j = drop_province(c, j, s0);
		m = &c->men[j];

		start = m->b0;
		/* "毕节、黔南妇幼保健院": the suffix serves the whole list
		 * (not a zone's: 喀什地区、喀什经济开发区). */
		for (k = (size_t)j;
		     se->type != ORG_ZONE && k > 0 && (size_t)j - k < 8; k--) {
			const struct mention *p = &c->men[k - 1];
			const struct mention *q = &c->men[k];

			if (p->kind != MEN_REGION || p->b1 + 3 != q->b0 ||
			    memcmp(c->text + p->b1, "、", 3) != 0)
				break;
		}
		for (; k < (size_t)j; k++) {
			const struct mention *p = &c->men[k];
			size_t nl = (p->b1 - p->b0) + (s1 - m->b1);
			char *nm = exi_ar_alloc(c->ar, nl + 1);

			if (!nm)
				return EXT_ENOMEM;
			memcpy(nm, c->text + p->b0, p->b1 - p->b0);
			memcpy(nm + (p->b1 - p->b0), c->text + m->b1,
			       s1 - m->b1);
			if ((rc = add_org(c, p->b0, p->b1, nm, nl, se->type)) !=
			    0)
				return rc;
		}
	} else if (start == s0 && bounded && clause_start(c->text, s0)) {
		/* ,医院派驻...: the hospital named before. */
		return add_ref(c, s0, s1, se->type);
	} else if (start == s0 && se->type == ORG_ZONE && s0 >= 3 &&
	           !memcmp(c->text + s0 - 3, "、", 3)) {
		/* 珠海市斗门区、高新区: the zone listed with a division. */
	} else if ((se->need_region && !cur_start) || !bounded || start == s0) {
		return 0;
	}
	return add_org(c, start, s1, c->text + start, s1 - start, se->type);
}

static int
cmp_mention(const void *a, const void *b)
{
	const struct mention *x = a, *y = b;

	if (x->b0 != y->b0)
		return x->b0 < y->b0 ? -1 : 1;
	if (x->b1 != y->b1)
		return x->b1 > y->b1 ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind > y->kind ? -1 : 1; /* orgs first */
	return x->r && y->r ? strcmp(x->r->code, y->r->code) : 0;
}

int
reg_find(const struct reg_tables *rt, const char *text, size_t len,
         const struct sent *sents, size_t n_sents, struct arena *ar,
         struct mention **out, size_t *n)
{
	struct vec raws = VEC_INIT(struct raw);
	struct vec men = VEC_INIT(struct mention);
	struct vec orgs = VEC_INIT(struct mention);
	struct scan_ctx sc = { &raws };
	uint32_t *ctx = NULL, *strong;
	bool *present = NULL; /* curated organisations the article names */
	const struct region *prev_r = NULL;
	size_t prev_b1 = (size_t)-1, i, s;
	struct mention *all = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!rt || !rt->built)
		return 0;
	rc = reg_ac_longest(rt->gaz, text, len, on_gaz, &sc);
	if (rc)
		goto done;
	ctx = calloc(2 * (rt->n_regions + 1), sizeof(*ctx));
	if (!ctx) {
		rc = EXT_ENOMEM;
		goto done;
	}
	strong = ctx + rt->n_regions + 1;
	present = calloc(rt->n_orgs + 1, sizeof(*present));
	if (!present) {
		rc = EXT_ENOMEM;
		goto done;
	}
	for (i = 0; i < raws.n; i++) {
		const struct raw *r = (struct raw *)raws.p + i;
		const struct gaz_ent *e = &rt->ents[r->ent];

		if (e->kind == GZ_ORG)
			present[e->a] = true;
		if ((e->kind == GZ_REGION && e->n == 1) ||
		    e->kind == GZ_PATTERN) {
			const struct region *g =
			    &rt->regions[e->kind == GZ_REGION ? rt->cand[e->a]
			                                      : e->a];

			count_up(ctx, rt, g);
			if (!is_short_county(g, r->b0, r->b1))
				count_up(strong, rt, g);
			continue;
		}
		if (e->kind == GZ_COMPOUND) {
			count_up(ctx, rt, &rt->regions[e->a]);
			count_up(ctx, rt, &rt->regions[e->b]);
			count_up(strong, rt, &rt->regions[e->a]);
			count_up(strong, rt, &rt->regions[e->b]);
		} else if (e->kind == GZ_MULTI || e->kind == GZ_JOINT)
			for (size_t k = 0; k < e->n; k++) {
				count_up(ctx, rt,
				         &rt->regions[rt->cand[e->a + k]]);
				count_up(strong, rt,
				         &rt->regions[rt->cand[e->a + k]]);
			}
	}
	for (i = 0; i < raws.n && rc == 0; i++) {
		const struct raw *r = (struct raw *)raws.p + i;
		const struct gaz_ent *e = &rt->ents[r->ent];
		struct raw alt;

		/* 如东丽区: a two-character county that cannot stand gives
		 * way to a longer name starting at its second character. */
		if (e->kind == GZ_REGION && e->n == 1 &&
		    short_alone(rt, &rt->regions[rt->cand[e->a]], strong, r->b0,
		                r->b1) &&
		    !listed_with_name(text, raws.p, raws.n, i) &&
		    shifted_name(rt, text, len, raws.p, raws.n, i, &alt)) {
			r = &alt;
			e = &rt->ents[r->ent];
		}
		const struct region *adj = prev_b1 == r->b0 ? prev_r : NULL;
		const struct region *got = NULL;
		size_t k, half;

		switch (e->kind) {
		case GZ_REGION:
		case GZ_AMBIG:
			got = e->n == 1 && e->kind == GZ_REGION
			          ? &rt->regions[rt->cand[e->a]]
			          : resolve(rt, e, ctx, adj);
			if (got && town_name(got, text, len, r->b0, r->b1))
				got = NULL;
			if (got)
				rc = push_mention(
				    &men, r->b0, r->b1, MEN_REGION, got,
				    e->kind == GZ_REGION &&
				            short_alone(rt, got, strong, r->b0,
				                        r->b1) &&
				            !listed_with_name(text, raws.p,
				                              raws.n, i)
				        ? REG_WEAK
				        : 0);
			break;
		case GZ_MULTI:
			for (k = 0; k < e->n && rc == 0; k++)
				rc = push_mention(
				    &men, r->b0, r->b1, MEN_REGION,
				    &rt->regions[rt->cand[e->a + k]], 0);
			break;
		case GZ_COMPOUND:
			exi_u8_dec(text + r->b0, r->b1 - r->b0, &half);
			rc = push_mention(&men, r->b0, r->b0 + half, MEN_ABBREV,
			                  &rt->regions[e->a], ABV_COMPOUND_H);
			if (rc == 0)
				rc = push_mention(
				    &men, r->b0 + half, r->b1, MEN_ABBREV,
				    &rt->regions[e->b], ABV_COMPOUND_R);
			break;
		case GZ_PATTERN:
			rc = push_mention(&men, r->b0, r->b1, MEN_ABBREV,
			                  &rt->regions[e->a], ABV_PATTERN);
			break;
		case GZ_JOINT: {
			size_t p = r->b0;

			for (k = 0; k < e->n && rc == 0; k++) {
				exi_u8_dec(text + p, r->b1 - p, &half);
				rc = push_mention(
				    &men, p, p + half, MEN_ABBREV,
				    &rt->regions[rt->cand[e->a + k]],
				    ABV_JOINT);
				p += half;
			}
			break;
		}
		case GZ_ORG: {
			struct mention *m = exi_vec_push(&orgs);

			if (!m) {
				rc = EXT_ENOMEM;
				break;
			}
			m->b0 = r->b0;
			m->b1 = r->b1;
			m->kind = MEN_ORG;
			/* A short form (交行) of a unit whose full name
			 * (交通银行) the article also writes takes it: one
			 * unit, one name. */
			if (rt->orgs[e->a].full_idx >= 0 &&
			    present[rt->orgs[e->a].full_idx])
				m->org = exi_ar_strdup(ar, rt->orgs[e->a].full);
			else
				m->org = exi_ar_strndup(ar, text + r->b0,
				                        r->b1 - r->b0);
			m->org_type = org_flags(rt->orgs[e->a].type);
			if (!m->org)
				rc = EXT_ENOMEM;
			break;
		}
		default:
			break;
		}
		prev_b1 = r->b1;
		prev_r = got;
	}
	if (rc)
		goto done;
	{
		struct vec sorgs = VEC_INIT(struct mention);
		struct org_ctx oc = { rt,     text,   men.p, men.n, &sorgs,
			              orgs.p, orgs.n, ar,    0 };
		size_t a = 0, b = 0;

		rc = reg_ac_ends(rt->suf, text, len, on_suffix, &oc);
		/* A suffix name that contains a curated one, or goes on right
		 * after it (华为 + 技术有限公司), replaces it; one that only
		 * overlaps it loses. */
		for (; rc == 0 && b < sorgs.n; b++) {
			struct mention *so = (struct mention *)sorgs.p + b;
			struct mention *co = orgs.p;
			bool clash = false;

			while (a < orgs.n && co[a].b1 < so->b0)
				a++;
			for (size_t k = a; !(so->org_type & ORG_F_REF) &&
			                   k < orgs.n && co[k].b0 <= so->b1;
			     k++) {
				if (co[k].b1 == so->b0) {
					so->b0 = co[k].b0;
					so->org = exi_ar_strndup(
					    ar, text + so->b0, so->b1 - so->b0);
					if (!so->org)
						rc = EXT_ENOMEM;
				} else if (co[k].b1 <= so->b0 ||
				           co[k].b0 >= so->b1) {
					continue;
				} else if (co[k].b0 < so->b0 ||
				           co[k].b1 > so->b1) {
					clash = true;
					continue;
				}
				co[k].kind = 0; /* replaced */
			}
			if (!clash && rc == 0) {
				struct mention *m = exi_vec_push(&men);

				if (!m)
					rc = EXT_ENOMEM;
				else
					*m = *so;
			}
		}
		exi_vec_free(&sorgs);
		if (rc)
			goto done;
	}
	for (i = 0; i < orgs.n; i++) {
		struct mention *m;

		if (((struct mention *)orgs.p)[i].kind == 0)
			continue;
		m = exi_vec_push(&men);
		if (!m) {
			rc = EXT_ENOMEM;
			goto done;
		}
		*m = ((struct mention *)orgs.p)[i];
	}
	if (men.n == 0)
		goto done;
	qsort(men.p, men.n, sizeof(struct mention), cmp_mention);
	{
		/* Weak names outside organisations' names go. */
		size_t k = 0, org_end = 0;

		for (i = 0; i < men.n; i++) {
			struct mention *m = (struct mention *)men.p + i;

			if (m->kind == MEN_ORG && m->b1 > org_end)
				org_end = m->b1;
			if (m->kind == MEN_REGION && m->org_type == REG_WEAK &&
			    m->b1 > org_end)
				continue;
			if (m->kind == MEN_REGION)
				m->org_type = 0;
			((struct mention *)men.p)[k++] = *m;
		}
		men.n = k;
		if (k == 0)
			goto done;
	}
	for (i = 0, s = 0; i < men.n; i++) {
		struct mention *m = (struct mention *)men.p + i;

		while (s + 1 < n_sents && sents[s].b1 <= m->b0)
			s++;
		m->sent = s;
	}
	*n = men.n;
	all = exi_vec_to_arena(&men, ar);
	if (!all) {
		*n = 0;
		rc = EXT_ENOMEM;
		goto done;
	}
	*out = all;
done:
	free(ctx);
	free(present);
	exi_vec_free(&raws);
	exi_vec_free(&men);
	exi_vec_free(&orgs);
	return rc;
}

/* The region the article is about: the recipient-side (not eastern)
 * province named most (title mentions count three times), or one of its
 * prefectures when that prefecture (with its counties) takes most of the
 * province's mentions and is named more often than the province itself. */
const struct region *
reg_main(const struct reg_tables *rt, const char *text,
         const struct ext_doc *doc, const struct mention *m, size_t n)
{
	uint32_t *cnt, *own;
	size_t i, t0 = 0, t1 = 0;
	const struct region *best = NULL, *pbest = NULL;

	if (!rt || !rt->built || n == 0)
		return NULL;
	if (doc && doc->meta.title && *doc->meta.title) {
		const char *p = strstr(text, doc->meta.title);

		if (p) {
			t0 = (size_t)(p - text);
			t1 = t0 + strlen(doc->meta.title);
		}
	}
	cnt = calloc(2 * (rt->n_regions + 1), sizeof(*cnt));
	if (!cnt)
		return NULL;
	own = cnt + rt->n_regions + 1;
	for (i = 0; i < n; i++) {
		const struct region *r = m[i].r;
		uint32_t w = m[i].b0 >= t0 && m[i].b1 <= t1 && t1 > t0 ? 3 : 1;

		if (!r || rt->role[reg_index(rt, r)] == ROLE_EAST)
			continue;
		if (m[i].kind == MEN_ABBREV && m[i].org_type == ABV_JOINT)
			continue;
		/* 西藏日喀则: the province only qualifies the name after it. */
		if (r->level == REG_PROVINCE && i + 1 < n &&
		    m[i + 1].b0 == m[i].b1 && m[i + 1].r && m[i + 1].r != r &&
		    reg_contains(r, m[i + 1].r))
			continue;
		own[reg_index(rt, r)] += w;
		for (; r; r = r->parent)
			cnt[reg_index(rt, r)] += w;
	}
	for (i = 0; i < rt->n_regions; i++) {
		const struct region *r = &rt->regions[i];

		if (r->level == REG_PROVINCE && cnt[i] &&
		    (!best || cnt[i] > cnt[reg_index(rt, best)]))
			best = r;
	}
	if (best) {
		uint32_t bi = reg_index(rt, best);

		for (i = 0; i < rt->n_regions; i++) {
			const struct region *r = &rt->regions[i];

			if (r->level == REG_PREFECTURE && r->parent == best &&
			    cnt[i] &&
			    (!pbest || cnt[i] > cnt[reg_index(rt, pbest)]))
				pbest = r;
		}
		if (pbest && 2 * cnt[reg_index(rt, pbest)] > cnt[bi] &&
		    cnt[reg_index(rt, pbest)] > own[bi])
			best = pbest;
	}
	free(cnt);
	return best;
}
