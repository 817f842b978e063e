/* pairing.c - directed assistance pairings (helper -> recipient) from the
 * mentions of each sentence and the cue words of pairing_cues.tsv.
 *
 * Does: split each sentence into clauses (at , ; : ! ?) and each clause
 * into segments, one per group of helpers (eastern divisions, central
 * units, enterprises, universities, hospitals, schools; joined by 、 和
 * 与 配合 ...). A segment with an assistance cue pairs its helpers with
 * the recipients (western divisions, hospitals, schools) named after
 * them, recipients named before a passive cue (得到, 受到), and the
 * article's own region for 我省. Which side a division is on comes from
 * the official pairing list (its helpers' provinces are east), so
 * "Y得到X帮扶" and "X与Y结对" come out right without reading the order.
 * Further: a clause with a cue but no helper goes on with the helper of
 * the clause before it (青岛市在继续帮扶陇南市的基础上,增加帮扶定西市); a
 * helper right before 帮建/援助资金... with no recipient named helps the
 * article's main region; pair compounds (粤桂) pair their provinces when
 * a cue follows within a few characters (not inside names like 粤桂粤黔
 * 现代农业产业园联合会); east·west names (东莞·铜仁) pair. Several helpers
 * for one recipient are filtered by the official list for the article's
 * period when it confirms any of them.
 * Real reporting (SPEC "More rules"): lists of pairs (具体为:X与Y,Z与W;
 * X与Y、Z与W结对; 济南—武隆); the prefecture a sentence names as holding
 * the counties paired (rule 1); 其中X市N个 (rule 2); funds named after a
 * helper or pair paying for a place (rule 8); 两地 and the latest
 * pairing's places (rule 11); the subject of the clause or sentence
 * before (负责对口支援..., 今年以来,累计向Y投入...), 该市, 我省/我市 as the
 * article's eastern side, 这里; help within a province and 对口支援
 * programmes as relation other (rule 14). Each pairing names its rule;
 * candidates turned down are explain notes of stage "refused". Every
 * look around a clause is bounded, so the pass stays linear.
 * Organisation sides (null code,
 * name as written) also pair by named rules: the passage's organisation
 * for a clause with no helper (org_subject), task lists (org_task_list),
 * counted designated counties (org_counted), places named as its
 * designated counties (org_named_as), teams stationed in a place
 * (org_work_team), units sending their people (org_sends) or serving
 * a place's poor households (org_beneficiaries), and any
 * helper's 援X项目/资金/范围 (aid_compound); zones count as places.
 * Does not: parse syntax; pair bare counts (137个经济强镇) or groups
 * (东部协作省市, 天津市3个区); read cues inside short quotations
 * (“产业+东西部协作”); take venues (在X举行) or datelines as sides. */
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

enum { IT_NONE = 0, IT_H = 1, IT_R = 2, IT_HR = 3 };

struct item {
	size_t b0, b1;
	int role;
	const struct region *r; /* NULL for organisations */
	const char *org;
	int org_type;
	bool inside_org; /* a division inside an organisation's name */
};

struct cue {
	size_t b0, b1;
	uint8_t kind, flags;
};

/* One pairing candidate side. */
struct side {
	const struct region *r;
	const char *org;
	int org_type;
	size_t b0, b1;
};

#define MAXSIDE 64

struct seg {
	size_t nh, nr;
	size_t h_end;    /* end of the last helper */
	bool assist;     /* an assistance cue after the helpers */
	bool main_ok;    /* such a cue right after them, with the flag */
	bool designated; /* 定点帮扶 */
	bool passive;    /* 得到, 受到 ... */
	bool r_joined;   /* recipients joined to the helpers (Y与X协作) */
	bool handover;   /* helpers joined by 接棒: the old and the new */
	bool under;  /* 在X的帮扶下: the next clause names the recipient */
	bool strong; /* a cue that is not only 支持, 合作 ... */
	bool org_ok; /* a cue that is not only 签订 (divisions only) */
	bool cont;   /* the clause starts with 推动, 助力 ... */
	bool any_item; /* something came before (for cont) */
	bool build; /* 援建: an organisation named after it is the project */
	bool each;  /* 分别: helper i goes with the i-th recipient */
	bool other; /* 对口支援, 援藏 ...: a programme of relation other */
	bool funds;    /* funds named after the helpers (山东援建资金) */
	bool loc_help; /* 助力 after helpers placed by the clause before */
	bool lead; /* the clause starts with its cue (负责对口支援...): its
	              subject is the helper of the clause before */
	size_t cue_b0, cue_b1;
	size_t nsite; /* western divisions inside organisations' names */
	struct side h[MAXSIDE], r[MAXSIDE]; /* last: resets skip them */
	struct side site[MAXSIDE];
};

static void
seg_reset(struct seg *g)
{
	memset(g, 0, offsetof(struct seg, h));
}

static void
seg_copy(struct seg *to, const struct seg *from)
{
	memcpy(to, from, offsetof(struct seg, h));
	memcpy(to->h, from->h, from->nh * sizeof(from->h[0]));
	memcpy(to->r, from->r, from->nr * sizeof(from->r[0]));
	memcpy(to->site, from->site, from->nsite * sizeof(from->site[0]));
}

struct pctx {
	const struct reg_tables *rt;
	const char *text;
	const struct region *main_region;
	struct xpl *xpl; /* explain notes, or NULL */
	unsigned period; /* PERIOD_* mask; 0: no list applies */
	struct arena *ar;
	struct vec *out;
	uint64_t *seen; /* hash set of emitted (helper, recipient) */
	size_t seen_cap, seen_n;
	size_t sent;
	const struct mention *sm;   /* the sentence's mentions */
	size_t snm, s0, s1;         /* how many; the sentence's bytes */
	bool sent_assist;           /* the sentence has an assistance cue */
	struct vec spairs;          /* struct spair: this sentence's pairings */
	struct side last_h, last_r; /* the latest division pairing */
	bool has_last;
	bool headline; /* the sentence is a headline */
	/* The eastern province and city the article names most: 我省, 我市
	 * when the article speaks for the helper. */
	const struct region *east_prov, *east_city;
	/* The last helper group of the sentence before, with its cue: the
	 * left-out subject of a sentence that names no helper. */
	struct seg prev;
	bool has_prev, from_prev;
	const struct region *last_east[4]; /* by level: for 该市 */
	const struct region *last_west;    /* for 这里 */
	size_t prev_sent;
	const char *rule; /* static: the rule emitting now */
	/* The previous clause's last helper group. */
	struct seg carry;
	bool has_carry, carry_pending;
	struct seg work[2]; /* the clause's prefix and current group */
	/* "在黔东南州从江县丙妹镇,佛山市援建的...": a clause that only places
	 * what follows lends its divisions to the next clause's helper. */
	struct side loc[MAXSIDE];
	size_t nloc;
	bool loc_pending, loc_live;
	/* The prefecture or county the article is about: the main region,
	 * or within a main province its division named most (set once). */
	const struct region *area;
	/* The organisation the passage is about: the first helper of the
	 * last sentence that named one, when it was an organisation
	 * (中国石油大力推进产业扶贫。援建河南台前县...). */
	struct side org_subj;
	size_t org_subj_sent;
	bool has_org_subj;
	/* The last organisations that helped in a pairing (names). */
	const char *org_helped[8];
	size_t n_org_helped;
};

/* A pairing of the current sentence, for rules that add to it. */
struct spair {
	struct side h, r;
};

/* First cue starting at or after b. */
static size_t
cue_lower(const struct cue *cues, size_t nc, size_t b)
{
	size_t lo = 0, hi = nc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cues[mid].b0 < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- dedup ------------------------------------------------------------- */
static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char *
side_key(const struct side *s)
{
	return s->r ? s->r->code : s->org;
}

/* Returns 1 when new (and remembers it), 0 when seen, <0 on ENOMEM. */
static int
seen_add(struct pctx *c, const struct side *h, const struct side *r)
{
	uint64_t k =
	    fnv(fnv(0xcbf29ce484222325ULL, side_key(h)) ^ 0x1f, side_key(r));
	size_t i;

	k |= 1;
	if ((c->seen_n + 1) * 2 > c->seen_cap) {
		size_t nc = c->seen_cap ? c->seen_cap * 2 : 64;
		uint64_t *ns = calloc(nc, sizeof(*ns));

		if (!ns)
			return EXT_ENOMEM;
		for (i = 0; i < c->seen_cap; i++) {
			size_t j;

			if (!c->seen[i])
				continue;
			for (j = c->seen[i] & (nc - 1); ns[j];
			     j = (j + 1) & (nc - 1))
				;
			ns[j] = c->seen[i];
		}
		free(c->seen);
		c->seen = ns;
		c->seen_cap = nc;
	}
	for (i = k & (c->seen_cap - 1); c->seen[i];
	     i = (i + 1) & (c->seen_cap - 1))
		if (c->seen[i] == k)
			return 0;
	c->seen[i] = k;
	c->seen_n++;
	return 1;
}

/* ---- the official list --------------------------------------------------- */
static unsigned
period_of(const char *date)
{
	int y, m;

	if (!date || strlen(date) < 7)
		return PERIOD_2016 | PERIOD_2021;
	y = atoi(date);
	m = atoi(date + 5);
	if (y >= 2021)
		return PERIOD_2021;
	if (y > 2016 || (y == 2016 && m == 12))
		return PERIOD_2016;
	return 0;
}

/* The list confirms h helping r: a row whose helper is h or contains it
 * and whose recipient is r, contains r or lies inside r. */
static bool
confirmed(const struct pctx *c, const struct region *h, const struct region *r)
{
	const struct reg_tables *rt = c->rt;
	size_t i;

	for (i = 0; i < rt->n_off; i++) {
		const struct official *o = &rt->off[i];
		const struct region *oh = &rt->regions[o->h];
		const struct region *orr = &rt->regions[o->r];

		if (!(o->period & c->period))
			continue;
		if (reg_contains(oh, h) &&
		    (reg_contains(orr, r) || reg_contains(r, orr)))
			return true;
	}
	return false;
}

/* ---- output -------------------------------------------------------------- */
static bool
is_central(int org_type)
{
	int t = org_type & ORG_TYPE_MASK;

	return t == ORG_MINISTRY || t == ORG_CENTRAL || t == ORG_SOE;
}

/* The official list pairs the provinces of h and r (any period). */
static bool
east_west(const struct reg_tables *rt, const struct region *h,
          const struct region *r)
{
	const struct region *ph = reg_province(h), *pr = reg_province(r);
	size_t i;

	for (i = 0; i < rt->n_off; i++)
		if (reg_province(&rt->regions[rt->off[i].h]) == ph &&
		    reg_province(&rt->regions[rt->off[i].r]) == pr)
			return true;
	return false;
}

/* A development zone (高新区) or 兵团 stands for a place: between it
 * and a division the relation is that of two divisions. */
static bool
is_zone(const struct side *s)
{
	return !s->r && (s->org_type & ORG_TYPE_MASK) == ORG_ZONE;
}

static const char *
relation(const struct pctx *c, const struct side *h, const struct side *r,
         bool designated)
{
	if ((is_zone(h) && (r->r || is_zone(r))) || (h->r && is_zone(r)))
		return "east_west";
	/* SPEC rule 14: help within a province, and between divisions
	 * whose provinces no East-West list pairs (援藏, 援疆, 三峡库区,
	 * 澳门), is other; 对口支援 inside an East-West pair stays
	 * east_west. */
	if (h->r && r->r &&
	    (reg_province(h->r) == reg_province(r->r) ||
	     !east_west(c->rt, h->r, r->r)))
		return "other";
	if (!h->r) {
		int t = h->org_type & ORG_TYPE_MASK;

		if (t == ORG_MINISTRY || t == ORG_CENTRAL || t == ORG_SOE ||
		    designated)
			return "designated";
		return "institutional";
	}
	return r->r ? "east_west" : "institutional";
}

static const char *
side_name(const struct side *s)
{
	return s->r ? s->r->name : s->org;
}

/* An explain note for a candidate a rule turned down. */
static void
refuse(struct pctx *c, const struct side *h, const struct side *r,
       const char *why)
{
	xpl_add(c->xpl, c->sent, "refused", "%s -> %s: %s", side_name(h),
	        side_name(r), why);
}

/* Remembers an organisation that helped (the last 8). */
static void
note_org_helper(struct pctx *c, const char *org)
{
	size_t n = sizeof(c->org_helped) / sizeof(c->org_helped[0]);

	for (size_t i = 0; i < n; i++)
		if (c->org_helped[i] && !strcmp(c->org_helped[i], org))
			return;
	c->org_helped[c->n_org_helped++ % n] = org;
}

static bool
org_has_helped(const struct pctx *c, const char *org)
{
	size_t n = sizeof(c->org_helped) / sizeof(c->org_helped[0]);

	for (size_t i = 0; i < n; i++)
		if (c->org_helped[i] && !strcmp(c->org_helped[i], org))
			return true;
	return false;
}

static int
emit1(struct pctx *c, const struct side *h, const struct side *r, size_t b0,
      size_t b1, bool designated)
{
	struct ext_pairing *p;
	int rc;

	if (h->r && r->r &&
	    (reg_contains(h->r, r->r) || reg_contains(r->r, h->r))) {
		refuse(c, h, r, "one holds the other");
		return 0;
	}
	if (!h->r && !r->r && !strcmp(h->org, r->org))
		return 0;
	rc = seen_add(c, h, r);
	if (rc <= 0)
		return rc;
	{
		struct spair *sp = exi_vec_push(&c->spairs);

		if (!sp)
			return EXT_ENOMEM;
		sp->h = *h;
		sp->r = *r;
	}
	if (h->r && r->r) {
		c->last_h = *h;
		c->last_r = *r;
		c->has_last = true;
	}
	p = exi_vec_push(c->out);
	if (!p)
		return EXT_ENOMEM;
	p->helper = exi_ar_strdup(c->ar, h->r ? h->r->name : h->org);
	p->recipient = exi_ar_strdup(c->ar, r->r ? r->r->name : r->org);
	if (!p->helper || !p->recipient)
		return EXT_ENOMEM;
	if (h->r)
		memcpy(p->helper_code, h->r->code, 7);
	if (r->r)
		memcpy(p->recipient_code, r->r->code, 7);
	p->relation = relation(c, h, r, designated);
	p->rule = c->rule ? c->rule : "clause";
	if (!h->r)
		note_org_helper(c, h->org);
	p->start = b0;
	p->end = b1;
	p->sentence = c->sent;
	return 0;
}

static size_t
min3(size_t a, size_t b, size_t d)
{
	size_t m = a < b ? a : b;

	return m < d ? m : d;
}

static size_t
max3(size_t a, size_t b, size_t d)
{
	size_t m = a > b ? a : b;

	return m > d ? m : d;
}

/* What the cues of a segment allow: 2 any helper, 1 not a central unit
 * (only 支持, 合作 ...), 0 divisions only (only 签订). */
static int
seg_level(const struct seg *g)
{
	return g->strong ? 2 : g->org_ok ? 1 : 0;
}

/* Every helper with every recipient; where several divisions help one
 * recipient and the official list confirms some of them, only those. */
static int
emit(struct pctx *c, const struct side *h, size_t nh, const struct side *r,
     size_t nr, size_t cue_b0, size_t cue_b1, bool designated, bool all,
     int level)
{
	size_t i, j, nreg = 0;
	int rc;

	for (i = 0; i < nh; i++)
		nreg += h[i].r != NULL;
	for (j = 0; j < nr; j++) {
		bool any = false;

		if (nreg > 1 && c->period && r[j].r && !all)
			for (i = 0; i < nh; i++)
				if (h[i].r && confirmed(c, h[i].r, r[j].r))
					any = true;
		for (i = 0; i < nh; i++) {
			if (any && h[i].r && !confirmed(c, h[i].r, r[j].r)) {
				refuse(c, &h[i], &r[j],
				       "official list names "
				       "other helpers");
				continue;
			}
			/* A ministry that only 支持 a province is policy, not
			 * assistance. */
			if (level < 2 && !h[i].r && is_central(h[i].org_type)) {
				refuse(c, &h[i], &r[j],
				       "weak cue, central unit");
				continue;
			}
			/* 某公司与毕节市签订协议 is business. */
			if (level < 1 && !h[i].r) {
				refuse(c, &h[i], &r[j],
				       "agreement, not division");
				continue;
			}
			rc = emit1(c, &h[i], &r[j],
			           min3(h[i].b0, r[j].b0, cue_b0),
			           max3(h[i].b1, r[j].b1, cue_b1), designated);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- text helpers -------------------------------------------------------- */
static bool
is_clause_end(uint32_t cp)
{
	switch (cp) {
	case ',':
	case ';':
	case ':':
	case '!':
	case '?':
	case 0xFF0C: /* ， */
	case 0xFF1B: /* ； */
	case 0xFF1A: /* ： */
	case 0xFF01:
	case 0xFF1F:
	case 0x3002: /* 。 */
		return true;
	}
	return false;
}

/* The lead byte of a character of U+2000..U+FFFF: Chinese characters and
 * the marks around them (” 」), not ASCII or Latin letters. */
static bool
is_wide_lead(char ch)
{
	unsigned char b = (unsigned char)ch;

	return b >= 0xE2 && b <= 0xEF;
}

/* A headline: no clause punctuation before its last character. Its halves
 * are runs of at least HEADLINE_HALF characters; "广州市 帮扶 毕节市"
 * (stray spaces of a page) is one clause. */
#define HEADLINE_HALF 5

static bool
is_headline(const char *text, const struct sent *s)
{
	size_t p = s->b0, n;

	while (p < s->b1) {
		uint32_t cp = exi_u8_dec(text + p, s->b1 - p, &n);

		if (is_clause_end(cp) && p + n < s->b1)
			return false;
		p += n;
	}
	return true;
}

/* Characters from p to the next space (at most HEADLINE_HALF counted). */
static size_t
wide_run(const char *text, size_t p, size_t b1)
{
	size_t k = 0, n;

	while (p < b1 && text[p] != ' ' && k < HEADLINE_HALF) {
		if (!is_wide_lead(text[p]))
			return 0;
		exi_u8_dec(text + p, b1 - p, &n);
		p += n;
		k++;
	}
	return k;
}

/* Bytes of a count at p (12个, 十二个), 0 if none. */
static size_t
count_len(const char *text, size_t p, size_t end)
{
	static const char digits[] = "一二三四五六七八九十两";
	size_t q = p, n = 0;

	while (q < end) {
		if (text[q] >= '0' && text[q] <= '9') {
			q++;
			n++;
			continue;
		}
		if (q + 3 <= end && (unsigned char)text[q] >= 0xE0) {
			const char *d;

			for (d = digits; *d; d += 3)
				if (!memcmp(text + q, d, 3))
					break;
			if (*d) {
				q += 3;
				n++;
				continue;
			}
		}
		break;
	}
	if (!n || q + 3 > end || memcmp(text + q, "个", 3))
		return 0;
	return q + 3 - p;
}

/* At most this many bytes of what a count after 等 counts
 * (南京等12个设区市和昆山). */
#define GROUP_NOUN_MAX 24

/* The gap [a, b) holds only join and filler words (and spaces), and
 * with joins allowed, a count after 等 (南京等12个设区市和昆山). */
static bool
gap_joinable(const struct pctx *c, const struct cue *cues, size_t nc, size_t a,
             size_t b, bool allow_join, bool *handover)
{
	size_t p = a, k = cue_lower(cues, nc, a);

	while (p < b) {
		if (c->text[p] == ' ') {
			p++;
			continue;
		}
		if (k < nc && cues[k].b0 == p && cues[k].b1 <= b &&
		    (cues[k].kind == CUE_FILLER || cues[k].kind == CUE_EACH ||
		     cues[k].kind == CUE_PAIRREF ||
		     (allow_join && cues[k].kind == CUE_JOIN))) {
			if (handover && (cues[k].flags & CUE_F_HANDOVER))
				*handover = true;
			p = cues[k].b1;
			k++;
			continue;
		}
		if (allow_join && p >= a + 3 &&
		    !memcmp(c->text + p - 3, "等", 3) &&
		    count_len(c->text, p, b)) {
			size_t lim = p + GROUP_NOUN_MAX;

			/* On to the join word after what is counted. */
			while (k < nc && cues[k].b0 < p)
				k++;
			while (k < nc && cues[k].b0 < b && cues[k].b0 <= lim &&
			       cues[k].kind != CUE_JOIN)
				k++;
			if (k < nc && cues[k].b0 < b && cues[k].b0 <= lim) {
				p = cues[k].b0;
				continue;
			}
		}
		return false;
	}
	return true;
}

static void
side_of(struct side *s, const struct item *it)
{
	s->r = it->r;
	s->org = it->org;
	s->org_type = it->org_type;
	s->b0 = it->b0;
	s->b1 = it->b1;
}

static void
push_r(struct seg *g, const struct item *it, const struct item *prev_r)
{
	/* A province written right before its prefecture or county adds
	 * nothing (广西河池); a prefecture before its county stays. */
	if (prev_r && g->nr && prev_r->r && it->r && prev_r->b1 == it->b0 &&
	    prev_r->r->level == REG_PROVINCE &&
	    reg_contains(prev_r->r, it->r) && g->r[g->nr - 1].r == prev_r->r)
		g->nr--;
	if (g->nr < MAXSIDE)
		side_of(&g->r[g->nr++], it);
}

/* "福州、厦门分别帮扶定西市、临夏州": the i-th helper helps the i-th
 * recipient, a county written right after its prefecture going with it.
 * When the counts differ, every helper helps every recipient. */
static int
emit_each(struct pctx *c, const struct seg *g, const struct side *rs, size_t nr)
{
	size_t start[2 * MAXSIDE + 2], ng = 0, i;
	int rc;

	for (i = 0; i < nr; i++) {
		const struct side *p = i ? &rs[i - 1] : NULL;

		if (!(p && p->r && rs[i].r && p->b1 == rs[i].b0 &&
		      reg_contains(p->r, rs[i].r)))
			start[ng++] = i;
	}
	start[ng] = nr;
	if (ng != g->nh)
		return emit(c, g->h, g->nh, rs, nr, g->cue_b0, g->cue_b1,
		            g->designated, g->handover, seg_level(g));
	for (i = 0; i < ng; i++) {
		rc = emit(c, &g->h[i], 1, rs + start[i],
		          start[i + 1] - start[i], g->cue_b0, g->cue_b1,
		          g->designated, true, seg_level(g));
		if (rc)
			return rc;
	}
	return 0;
}

/* The rules that look around a clause look at most this many bytes
 * back or ahead, so that they stay linear in the length of the text. */
#define NEAR_BYTES 900

/* Start of the clause holding byte p (after its opening mark), or
 * NEAR_BYTES before p. */
static size_t
clause_start(const struct pctx *c, size_t p)
{
	size_t lim = p > c->s0 + NEAR_BYTES ? p - NEAR_BYTES : c->s0;

	while (p > lim) {
		size_t q = p - 1, n;

		while (q > lim && ((unsigned char)c->text[q] & 0xC0) == 0x80)
			q--;
		if (is_clause_end(exi_u8_dec(c->text + q, p - q, &n)))
			break;
		p = q;
	}
	return p;
}

/* End of the clause holding byte p (its closing mark), or NEAR_BYTES
 * after p. */
static size_t
clause_end(const struct pctx *c, size_t p)
{
	const char *t = c->text;
	size_t end = p + NEAR_BYTES < c->s1 ? p + NEAR_BYTES : c->s1, n;

	while (p < end) {
		if (is_clause_end(exi_u8_dec(t + p, end - p, &n)))
			break;
		p += n;
	}
	return p;
}

/* Index of the first mention of the sentence starting at or after b. */
static size_t
sent_men_lower(const struct pctx *c, size_t b)
{
	return men_lower(c->sm, c->snm, b);
}

/* A western division below province level. */
static bool
west_site(const struct pctx *c, const struct mention *x)
{
	return x->kind == MEN_REGION && x->r && x->r->level != REG_PROVINCE &&
	       c->rt->role[reg_index(c->rt, x->r)] != ROLE_EAST;
}

/* The clause holding p names a helper before p (海淀区向察右后旗投入京蒙
 * 协作资金: the funds are 海淀区's, not 北京市's for the site). */
static bool
helper_before(const struct pctx *c, size_t p)
{
	size_t a = clause_start(c, p), i;

	for (i = sent_men_lower(c, a); i < c->snm && c->sm[i].b0 < p; i++) {
		const struct mention *x = &c->sm[i];

		/* A school or hospital there is the project. */
		if ((x->kind == MEN_ORG && !(x->org_type & ORG_F_RECIP)) ||
		    (x->kind != MEN_ORG && x->r &&
		     c->rt->role[reg_index(c->rt, x->r)] == ROLE_EAST))
			return true;
	}
	return false;
}

/* SPEC rule 8: funds named after a helper or a pair (全部为山东援建资金,
 * 由苏陕扶贫资金安排) go to the place whose project they pay for: the
 * western divisions below province level of the nearest clause before
 * pos in the sentence that names any. Returns 0 when it paired, 1 when
 * there was none, <0 on error. */
static int
funds_sites(struct pctx *c, const struct side *h, size_t nh, size_t pos,
            size_t cue_b1)
{
	struct side rs[MAXSIDE];
	size_t i = sent_men_lower(c, pos), nr = 0, a = 0, k;
	size_t lo = pos > c->s0 + NEAR_BYTES ? pos - NEAR_BYTES : c->s0;
	bool found = false;

	while (i > 0) {
		const struct mention *x = &c->sm[--i];

		if (x->b0 < lo)
			break;
		if (x->b1 > pos || !west_site(c, x))
			continue;
		if (!found) {
			a = clause_start(c, x->b0);
			found = true;
		}
		if (x->b0 < a)
			break;
		if (nr < MAXSIDE) {
			memset(&rs[nr], 0, sizeof(rs[nr]));
			rs[nr].r = x->r;
			rs[nr].b0 = x->b0;
			rs[nr].b1 = x->b1;
			nr++;
		}
	}
	for (i = 0; i < nr / 2; i++) { /* into text order */
		struct side t = rs[i];

		rs[i] = rs[nr - 1 - i];
		rs[nr - 1 - i] = t;
	}
	/* 投入山东援建资金345万元,实施...,为祁连县...: else the nearest
	 * clause after. */
	for (i = sent_men_lower(c, cue_b1); !nr && i < c->snm; i++) {
		const struct mention *x = &c->sm[i];
		size_t end;

		if (x->b0 > cue_b1 + NEAR_BYTES)
			break;
		if (!west_site(c, x))
			continue;
		end = clause_end(c, x->b1);
		for (k = i; k < c->snm && nr < MAXSIDE; k++) {
			const struct mention *y = &c->sm[k];

			if (y->b0 >= end)
				break;
			if (!west_site(c, y))
				continue;
			memset(&rs[nr], 0, sizeof(rs[nr]));
			rs[nr].r = y->r;
			rs[nr].b0 = y->b0;
			rs[nr].b1 = y->b1;
			nr++;
		}
	}
	if (!nr)
		return 1;
	c->rule = "funds_site";
	for (i = 0; i < nr; i++)
		for (k = 0; k < nh; k++) {
			int rc =
			    emit1(c, &h[k], &rs[i], rs[i].b0, cue_b1, false);

			if (rc)
				return rc;
		}
	return 0;
}

static int
finish_seg(struct pctx *c, struct seg *g, const struct seg *prefix)
{
	struct side rs[2 * MAXSIDE + 1];
	size_t nr = 0, i;

	if (!g->nh || !g->assist)
		return 0;
	for (i = 0; i < g->nr; i++) {
		size_t k, n0 = nr;

		/* What a helper built (西青区援建的天祝县第二中学) is a
		 * project: the divisions its name starts with are helped. */
		if (g->build && !g->r[i].r)
			for (k = 0; k < g->nsite; k++)
				if (g->site[k].b0 >= g->r[i].b0 &&
				    g->site[k].b1 <= g->r[i].b1)
					rs[nr++] = g->site[k];
		if (nr == n0)
			rs[nr++] = g->r[i];
	}
	/* Y得到X帮扶, Y与X协作, Y在X的帮扶下. */
	if (prefix && (prefix->passive || prefix->r_joined || g->under))
		for (i = 0; i < prefix->nr; i++)
			rs[nr++] = prefix->r[i];
	c->rule = prefix && (prefix->passive || prefix->r_joined || g->under) &&
	                  prefix->nr
	              ? "recipient_first"
	              : "helper_cue";
	if (g->each && nr == g->nr && g->nh > 1) {
		c->rule = "each";
		return emit_each(c, g, rs, nr);
	}
	if (nr == 0 && c->loc_live &&
	    (g->main_ok || g->strong || g->loc_help)) {
		c->rule = "place_before";
		for (i = 0; i < c->nloc; i++)
			rs[nr++] = c->loc[i];
	}
	if (nr == 0 && g->funds) {
		int rc = funds_sites(c, g->h, g->nh, g->h[0].b0, g->cue_b1);

		if (rc <= 0)
			return rc;
	}
	/* 深圳援疆十年 gives nothing to 新疆 (SPEC rule 5). */
	if (nr == 0 && g->main_ok && c->main_region && g->other &&
	    c->main_region->level == REG_PROVINCE)
		xpl_add(c->xpl, c->sent, "refused",
		        "%s: a programme's province (%s) is no recipient",
		        side_name(&g->h[0]), c->main_region->name);
	else if (nr == 0 && g->main_ok && c->main_region &&
	         c->rt->role[reg_index(c->rt, c->main_region)] != ROLE_EAST) {
		rs[0].r = c->main_region;
		rs[0].org = NULL;
		rs[0].b0 = g->cue_b0;
		rs[0].b1 = g->cue_b1;
		nr = 1;
		c->rule = "main_region";
	}
	return emit(c, g->h, g->nh, rs, nr, g->cue_b0, g->cue_b1, g->designated,
	            g->handover, seg_level(g));
}

/* Sides of one run of items [i0, i1) of one role: a helper at its most
 * specific level (天津市河西区), recipients as push_r() keeps them. */
static size_t
run_sides(const struct item *items, size_t i0, size_t i1, struct side *out)
{
	size_t n = 0, i;

	for (i = i0; i < i1 && n < MAXSIDE; i++) {
		const struct item *it = &items[i], *pv = i > i0 ? it - 1 : NULL;

		if (pv && pv->r && it->r && pv->b1 == it->b0 &&
		    reg_contains(pv->r, it->r) &&
		    (it->role == IT_H || pv->r->level == REG_PROVINCE))
			n--; /* the more specific replaces it */
		side_of(&out[n++], it);
	}
	return n;
}

/* "具体为:鄞州区与和龙市,慈溪市与龙井市", "崆峒区、庄浪县与河西区" and
 * "宝山区与宁洱县、静安区与镇沅县结对": in a sentence that states
 * assistance, a clause made only of lists of helpers and recipients
 * joined by 与 和 同 、 (and fillers), with at most a cue after the last,
 * pairs each list with the list of the other side next to it (the first
 * with the second, the third with the fourth ...), in either order.
 * Returns 0 when it did (the clause is done), 1 when the clause is not
 * such a list, <0 on error. */
#define PAIR_RUNS 16

static int
pair_list(struct pctx *c, const struct item *items, size_t ni,
          const struct cue *cues, size_t nc, size_t a, size_t b)
{
	struct side hs[MAXSIDE], rs[MAXSIDE];
	size_t i, run[PAIR_RUNS + 1], nrun = 0, end = b, k;
	int rc;

	if (ni < 2)
		return 1;
	for (i = 0; i < nc; i++) {
		if (cues[i].kind == CUE_JOIN || cues[i].kind == CUE_FILLER ||
		    cues[i].kind == CUE_PAIRREF)
			continue;
		if ((cues[i].kind == CUE_ASSIST || cues[i].kind == CUE_FUNDS) &&
		    cues[i].b0 >= items[ni - 1].b1) {
			if (end == b)
				end = cues[i].b0; /* the cue after the lists */
			continue;
		}
		return 1;
	}
	for (i = 0; i < ni; i++) {
		if (items[i].inside_org || !items[i].r ||
		    (items[i].role != IT_H && items[i].role != IT_R))
			return 1;
		if (!i || items[i].role != items[i - 1].role) {
			if (nrun == PAIR_RUNS)
				return 1;
			run[nrun++] = i;
		}
	}
	run[nrun] = ni;
	if (nrun < 2 || nrun % 2)
		return 1;
	/* Nothing but names, joins and fillers from end to end. */
	if (!gap_joinable(c, cues, nc, a, items[0].b0, false, NULL) ||
	    !gap_joinable(c, cues, nc, items[ni - 1].b1, end, false, NULL))
		return 1;
	for (i = 1; i < ni; i++)
		if (items[i - 1].b1 != items[i].b0 &&
		    !gap_joinable(c, cues, nc, items[i - 1].b1, items[i].b0,
		                  true, NULL))
			return 1;
	c->rule = "pair_list";
	for (k = 0; k < nrun; k += 2) {
		size_t x0 = run[k], x1 = run[k + 1], y1 = run[k + 2];
		size_t nh, nr;

		if (items[x0].role == IT_H) {
			nh = run_sides(items, x0, x1, hs);
			nr = run_sides(items, x1, y1, rs);
		} else {
			nr = run_sides(items, x0, x1, rs);
			nh = run_sides(items, x1, y1, hs);
		}
		rc = emit(c, hs, nh, rs, nr, items[x0].b0, items[y1 - 1].b1,
		          false, false, 2);
		if (rc)
			return rc;
	}
	return 0;
}

/* "东莞市对口帮扶韶关市": an eastern division named after the cue of
 * helpers of its own province, none holding another, is their recipient
 * (help within a province, SPEC rule 14). */
static bool
same_province_object(const struct seg *g, const struct item *it, size_t cue_b1)
{
	size_t i;

	if (!cue_b1 || !g->nh || !it->r || it->inside_org || it->b0 < cue_b1)
		return false;
	for (i = 0; i < g->nh; i++)
		if (!g->h[i].r ||
		    reg_province(g->h[i].r) != reg_province(it->r) ||
		    reg_contains(g->h[i].r, it->r) ||
		    reg_contains(it->r, g->h[i].r))
			return false;
	return true;
}

/* A preposition of giving (向 对 为 给) stands right before b0 (not
 * before a). */
static bool
to_recipient(const char *text, size_t b0, size_t a)
{
	static const char *const preps[] = { "向", "对", "为", "给" };
	size_t k;

	if (b0 < a + 3)
		return false;
	for (k = 0; k < sizeof(preps) / sizeof(preps[0]); k++)
		if (!memcmp(text + b0 - 3, preps[k], 3))
			return true;
	return false;
}

/* 按照国务院扶贫办的部署, 在X的指导下: a unit that guides, not the
 * actor. */
static bool
org_guides(const struct pctx *c, const struct item *it)
{
	static const char *const before[] = { "按照", "根据", "遵照", "落实" };
	static const char *const after[] = { "的部署", "的要求", "的安排",
		                             "的指导", "的号召", "的统一",
		                             "指导下" };
	size_t k;

	for (k = 0; k < sizeof(before) / sizeof(before[0]); k++)
		if (it->b0 >= 6 && !memcmp(c->text + it->b0 - 6, before[k], 6))
			return true;
	for (k = 0; k < sizeof(after) / sizeof(after[0]); k++)
		if (!strncmp(c->text + it->b1, after[k], strlen(after[k])))
			return true;
	return false;
}

/* At most this many characters before a cue that starts a clause. */
#define LEAD_MAX 3

/* Sets the rule name of the pairings out[n0..) made by an organisation
 * rule. */
static void
name_rule(struct pctx *c, size_t n0, const char *rule)
{
	for (size_t i = n0; i < c->out->n; i++)
		((struct ext_pairing *)c->out->p)[i].rule = rule;
}

/* Item h (an organisation or a division) helps rs[0..nr): the tail of
 * the organisation rules. */
static int
emit_item(struct pctx *c, const struct item *h, const struct side *rs,
          size_t nr, size_t b0, size_t b1, bool designated)
{
	struct side hs;

	side_of(&hs, h);
	return emit(c, &hs, 1, rs, nr, b0, b1, designated, true, 2);
}

/* Sentences an organisation stays the subject after it was named. */
#define ORG_SUBJ_SENTS 5

/* "2013年定点帮扶吉县以来,...": a clause with a cue and recipients but no
 * helper, in a passage about an organisation, is that organisation's
 * help. Only a clause with no helper carried from the one before. */
static int
org_subject_clause(struct pctx *c, const struct seg *prefix)
{
	size_t n0 = c->out->n, i;
	const struct side *h = &c->org_subj;
	int rc;

	/* "中国石化:定点帮扶岳西县", "公司投入资金5000万元,援建昭觉县的学
	 * 校": organisations named in the clause before, with no cue and no
	 * partner of their own, are the subject. */
	if (c->has_carry) {
		if (!c->carry_pending || c->carry.nr || c->carry.nh != 1)
			return 0;
		for (i = 0; i < c->carry.nh; i++)
			if (c->carry.h[i].r || (c->carry.h[i].org_type &
			                        ORG_TYPE_MASK) == ORG_ZONE)
				return 0;
		h = &c->carry.h[0];
	} else if (!c->has_org_subj ||
	           c->sent > c->org_subj_sent + ORG_SUBJ_SENTS) {
		return 0;
	}
	if (!prefix->assist || !prefix->nr || prefix->passive ||
	    !(prefix->strong || prefix->designated))
		return 0;
	if (!c->has_carry && !org_has_helped(c, h->org)) {
		/* Only a unit the article has shown helping (华为 named in
		 * passing in a city's article is no subject). */
		xpl_span(c->xpl, c->sent, "refused", c->text, prefix->cue_b0,
		         prefix->cue_b1,
		         "%s is no subject: it helped in no pairing before",
		         h->org);
		return 0;
	}
	/* The cue is the verb before its object (援建河南台前县), not a noun
	 * after the places (向遵义市等协作县区选派...). */
	if (prefix->cue_b0 > prefix->r[0].b0) {
		xpl_span(c->xpl, c->sent, "refused", c->text, prefix->r[0].b0,
		         prefix->cue_b1,
		         "no subject carried: the cue follows the places");
		return 0;
	}
	rc = emit(c, h, 1, prefix->r, prefix->nr, prefix->cue_b0,
	          prefix->cue_b1, prefix->designated, true, seg_level(prefix));
	name_rule(c, n0, "org_subject");
	return rc;
}

/* ",贵州雷山县、台江县。" after "X定点帮扶广西罗城县、环江县": a clause
 * that holds only places (recipients) and list words goes on with the
 * list of the clause before. Scans the clause once. */
static bool
list_only_clause(const struct pctx *c, const struct item *items, size_t ni,
                 size_t a)
{
	static const char *const words[] = {
		"、", "和", "及", "以及", "等", " "
	};
	size_t p = a, i = 0, k, n;

	if (!ni)
		return false;
	for (;;) {
		uint32_t cp;

		if (i < ni && items[i].b0 == p) {
			if (items[i].role != IT_R || !items[i].r)
				return false;
			/* "台江县,贵州省": where the places before lie, not
			 * more of them. */
			for (k = 0; k < c->carry.nr; k++)
				if (c->carry.r[k].r &&
				    reg_contains(items[i].r, c->carry.r[k].r))
					return false;
			p = items[i++].b1;
			continue;
		}
		if (!c->text[p])
			return i == ni;
		cp = exi_u8_dec(c->text + p, 4, &n);
		if (is_clause_end(cp))
			return i == ni;
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (!strncmp(c->text + p, words[k], strlen(words[k])))
				break;
		if (k == sizeof(words) / sizeof(words[0]))
			return false;
		p += strlen(words[k]);
	}
}

/* One clause: items[0..ni) and cues[0..nc) lie in [a, b). */
static int
do_clause(struct pctx *c, const struct item *items, size_t ni,
          const struct cue *cues, size_t nc, size_t a, size_t b)
{
	struct seg *prefix = &c->work[0], *g = &c->work[1], *cur = prefix;
	size_t ii = 0, ci = 0;
	const struct item *prev_r = NULL, *prev_h = NULL;
	bool have_group = false, first_group = true, from_prev;
	int rc = 0;

	size_t a_text = a;

	while (c->text[a_text] == ' ')
		a_text++;
	c->loc_live = c->loc_pending;
	c->loc_pending = false;
	if (c->sent_assist) {
		rc = pair_list(c, items, ni, cues, nc, a, b);
		if (rc <= 0)
			return rc < 0 ? rc : 0;
		rc = 0;
	}
	seg_reset(prefix);
	seg_reset(g);
	if (!nc && c->has_carry && !c->carry_pending &&
	    list_only_clause(c, items, ni, a_text))
		prefix->cont = true;
	while (ii < ni || ci < nc) {
		bool take_item =
		    ii < ni && (ci >= nc || items[ii].b0 < cues[ci].b0);

		if (take_item) {
			const struct item *it = &items[ii++];
			int role = it->role;

			if (it->inside_org) {
				/* Only a clause going on from the previous
				 * one counts these (助力台江县民族中学). */
				if (cur == prefix && prefix->cont && it->r &&
				    role == IT_R)
					push_r(prefix, it, NULL);
				if (it->r && role == IT_R &&
				    cur->nsite < MAXSIDE) {
					struct side *l =
					    cur->nsite
					        ? &cur->site[cur->nsite - 1]
					        : NULL;

					/* A province right before its
					 * prefecture adds nothing, as in
					 * push_r(). */
					if (l && l->b1 == it->b0 &&
					    l->r->level == REG_PROVINCE &&
					    reg_contains(l->r, it->r))
						cur->nsite--;
					side_of(&cur->site[cur->nsite++], it);
				}
				continue;
			}
			if (role == IT_HR)
				role =
				    !have_group && !cur->assist ? IT_H : IT_R;
			if (role == IT_H &&
			    (same_province_object(cur, it, cur->cue_b1) ||
			     (cur == prefix && c->has_carry && prefix->assist &&
			      same_province_object(&c->carry, it,
			                           prefix->cue_b1))))
				role = IT_R;
			if (role == IT_H) {
				bool ho = false;
				bool join =
				    have_group && !cur->assist &&
				    cur->nr == 0 && prev_h &&
				    (prev_h->b1 == it->b0 ||
				     gap_joinable(c, cues, nc, prev_h->b1,
				                  it->b0, true, &ho));

				if (join && ho)
					cur->handover = true;

				if (have_group && join && prev_h->r && it->r &&
				    prev_h->b1 == it->b0 &&
				    reg_contains(prev_h->r, it->r) && cur->nh) {
					/* 北京市大兴区: the most specific. */
					side_of(&cur->h[cur->nh - 1], it);
				} else if (join) {
					if (cur->nh < MAXSIDE)
						side_of(&cur->h[cur->nh++], it);
				} else {
					if (have_group) {
						rc = finish_seg(c, g,
						                first_group
						                    ? prefix
						                    : NULL);
						if (rc)
							goto done;
						first_group = false;
					}
					/* "Y与X协作": Y comes first. */
					if (!have_group && prefix->nr &&
					    gap_joinable(
					        c, cues, nc,
					        prefix->r[prefix->nr - 1].b1,
					        it->b0, true, NULL))
						prefix->r_joined = true;
					cur = g;
					seg_reset(g);
					side_of(&g->h[g->nh++], it);
					have_group = true;
				}
				cur->h_end = it->b1;
				prev_h = it;
				prev_r = NULL;
			} else if (role == IT_R) {
				push_r(cur, it, prev_r);
				prev_r = it;
			}
			cur->any_item = true;
		} else {
			const struct cue *q = &cues[ci++];

			switch (q->kind) {
			case CUE_ASSIST:
			case CUE_FUNDS:
			case CUE_UNDER:
				if (q->kind == CUE_UNDER)
					cur->under = true;
				if (cur == prefix && !prefix->any_item &&
				    !prefix->assist && q->kind == CUE_ASSIST &&
				    exi_u8_count(c->text + a, q->b0 - a) <=
				        LEAD_MAX)
					prefix->lead = true;
				if (!cur->assist) {
					cur->cue_b0 = q->b0;
					cur->cue_b1 = q->b1;
				}
				cur->assist = true;
				if (!(q->flags & (CUE_F_WEAK | CUE_F_REGION)))
					cur->strong = true;
				if (!(q->flags & CUE_F_REGION))
					cur->org_ok = true;
				if (q->flags & CUE_F_BUILD)
					cur->build = true;
				if (q->flags & CUE_F_OTHER)
					cur->other = true;
				if (q->flags & CUE_F_DESIGNATED)
					cur->designated = true;
				if ((q->flags & CUE_F_MAIN) && have_group &&
				    cur == g &&
				    gap_joinable(c, cues, nc, cur->h_end, q->b0,
				                 false, NULL)) {
					cur->main_ok = true;
					if (q->kind == CUE_FUNDS)
						cur->funds = true;
				}
				break;
			case CUE_PASSIVE:
				cur->passive = true;
				break;
			case CUE_EACH:
				if (cur == g && !cur->assist)
					cur->each = true;
				break;

			case CUE_CONT:
				if (cur == prefix && !prefix->any_item &&
				    !prefix->assist)
					prefix->cont = true;
				/* 在图木舒克,东莞助力打造...: help where the
				 * clause before placed it. */
				if (cur == g && have_group && c->loc_live &&
				    !cur->assist) {
					cur->assist = true;
					cur->loc_help = true;
					cur->cue_b0 = q->b0;
					cur->cue_b1 = q->b1;
				}
				break;
			case CUE_HERE:
				if (c->last_west) {
					struct item here = {
						q->b0,        q->b1, IT_R,
						c->last_west, NULL,  0,
						false
					};

					push_r(cur, &here, NULL);
				}
				break;
			case CUE_JOIN:
				/* ",以及新疆青河县...": the list of the clause
				 * before goes on. */
				if (cur == prefix && !prefix->any_item &&
				    !prefix->assist && q->b0 == a_text)
					prefix->cont = true;
				break;
			case CUE_SELF:
				if (c->main_region) {
					struct item self = {
						q->b0,          q->b1, IT_R,
						c->main_region, NULL,  0,
						false
					};

					if (c->rt->role[reg_index(
					        c->rt, c->main_region)] !=
					    ROLE_EAST)
						push_r(cur, &self, NULL);
				}
				break;
			default:
				break;
			}
		}
	}
	/* 在图木舒克,东莞从产业入手,助力打造...: the helper of the clause
	 * before helps where the clause before it placed it. */
	if (c->has_carry && c->carry_pending && !c->carry.nr && c->loc_live &&
	    !prefix->nr && (prefix->cont || prefix->assist)) {
		c->rule = "place_before";
		rc = emit(c, c->carry.h, c->carry.nh, c->loc, c->nloc,
		          c->carry.h[0].b0, c->carry.h[0].b1, false, false,
		          seg_level(prefix) > 1 ? seg_level(prefix) : 1);
		if (rc)
			goto done;
	}
	/* The prefix: the helpers come from the clause before. */
	/* A clause before without a cue lends its helpers only with the
	 * partner it named (松山湖材料实验室与贵州省科技厅..., 合作建设). */
	/* The subject of the sentence before goes on only into a clause
	 * that starts with its cue or gives help to someone (向恩施州投入). */
	from_prev = c->from_prev;
	if (c->from_prev && !prefix->lead &&
	    !(prefix->nr && prefix->assist &&
	      to_recipient(c->text, prefix->r[0].b0, a)))
		c->has_carry = false;
	c->from_prev = false;
	if (c->has_carry &&
	    (!c->carry_pending || c->carry.nr || prefix->lead) &&
	    (prefix->assist || (prefix->cont && !c->carry_pending) ||
	     (c->carry.under && c->carry.nr == 0))) {
		struct side rs[2 * MAXSIDE];
		size_t nr = 0, i;

		for (i = 0; i < prefix->nr; i++)
			rs[nr++] = prefix->r[i];
		if (c->carry_pending && prefix->assist)
			for (i = 0; i < c->carry.nr; i++)
				rs[nr++] = c->carry.r[i];
		c->rule = from_prev ? "previous_sentence" : "carried_helper";
		rc = emit(c, c->carry.h, c->carry.nh, rs, nr,
		          prefix->assist ? prefix->cue_b0 : c->carry.h[0].b0,
		          prefix->assist ? prefix->cue_b1 : c->carry.h[0].b1,
		          prefix->designated || c->carry.designated,
		          c->carry.handover,
		          seg_level(prefix) > seg_level(&c->carry)
		              ? seg_level(prefix)
		              : seg_level(&c->carry));
		if (rc)
			goto done;
	} else if (!have_group && (rc = org_subject_clause(c, prefix)) != 0)
		goto done;
	if (have_group) {
		rc = finish_seg(c, g, first_group ? prefix : NULL);
		if (rc)
			goto done;
		seg_copy(&c->carry, g);
		c->has_carry = true;
		c->carry_pending = !g->assist;
		/* The place still holds for the next clause. */
		if (c->loc_live && !g->assist && !g->nr)
			c->loc_pending = true;
	} else {
		/* A clause naming nothing (坚持先富帮后富) keeps the
		 * subject. */
		if (ni || c->carry.under)
			c->has_carry = false;
		while (c->text[a] == ' ')
			a++;
		/* 在四川凉山,佛山援建的...; a headline's half that names
		 * only the place (西双版纳州92个贫困村 上海帮扶全覆盖). */
		if (prefix->nr && !prefix->assist && !prefix->passive &&
		    !prefix->cont &&
		    (!memcmp(c->text + a, "在", 3) || c->headline)) {
			memcpy(c->loc, prefix->r,
			       prefix->nr * sizeof(c->loc[0]));
			c->nloc = prefix->nr;
			c->loc_pending = true;
		}
	}
done:
	return rc;
}

/* The clause [a, b) is a dateline (新华社成都5月13日电). */
static bool
dateline(const char *text, size_t a, size_t b)
{
	size_t p;

	/* 电 ends in the byte B5, a few per hundred characters: memchr
	 * finds each, and only there is 日电 compared */
	for (p = a + 5; p < b; p++) {
		const char *q = memchr(text + p, 0xB5, b - p);

		if (!q)
			return false;
		p = (size_t)(q - text);
		if (!memcmp(text + p - 5, "日电", 6))
			return true;
	}
	return false;
}

/* Spans of short quotations (names, slogans): cues inside do not count. */
#define QUOTE_MAX 60 /* bytes */

/* A quotation mark or clause punctuation opens or closes at p. */
static bool
is_comma(const char *text, size_t p)
{
	return text[p] == ',' || text[p] == ';' || !memcmp(text + p, "，", 3) ||
	       !memcmp(text + p, "；", 3);
}

/* The quotation opened before b0 closes within QUOTE_MAX bytes of b0
 * with no clause inside: a name or slogan, not speech. */
static bool
quote_closes(const char *text, size_t b0, size_t s1)
{
	size_t p, lim = b0 + QUOTE_MAX < s1 ? b0 + QUOTE_MAX : s1;

	for (p = b0; p + 3 <= lim; p++) {
		if (is_comma(text, p))
			return false;
		if (!memcmp(text + p, "”", 3) || !memcmp(text + p, "》", 3) ||
		    !memcmp(text + p, "」", 3))
			return true;
	}
	return false;
}

static bool
in_quote(const char *text, size_t b0, size_t s0, size_t s1)
{
	/* Look back for an opening mark not closed before b0. */
	size_t p = b0, lim = b0 > s0 + QUOTE_MAX ? b0 - QUOTE_MAX : s0;

	while (p > lim) {
		p--;
		/* A quotation with clauses in it is speech, not a name. */
		if (is_comma(text, p))
			return false;
		if ((unsigned char)text[p] != 0xE2 &&
		    (unsigned char)text[p] != 0xE3)
			continue;
		if (!memcmp(text + p, "”", 3) || !memcmp(text + p, "》", 3) ||
		    !memcmp(text + p, "」", 3))
			return false;
		if (!memcmp(text + p, "“", 3) || !memcmp(text + p, "《", 3) ||
		    !memcmp(text + p, "「", 3))
			return quote_closes(text, b0, s1);
	}
	return false;
}

struct cue_scan {
	const struct reg_tables *rt;
	struct vec *cues;
	size_t base;
};

static int
on_cue(void *ctx, size_t b0, size_t b1, uint32_t val)
{
	struct cue_scan *cs = ctx;
	const struct cue_ent *e = &cs->rt->cues[val];
	struct cue *q;

	if (e->kind == CUE_BLOCK)
		return 0;
	q = exi_vec_push(cs->cues);
	if (!q)
		return EXT_ENOMEM;
	q->b0 = cs->base + b0;
	q->b1 = cs->base + b1;
	q->kind = e->kind;
	q->flags = e->flags;
	return 0;
}

/* A compound (粤桂) pairs when an assistance cue follows within
 * COMPOUND_GAP characters of names and 、 (粤桂扶贫协作, 京冀、津冀年度扶贫
 * 协作), not when other words of a name follow (粤桂粤黔现代农业产业园联合会).
 */
#define COMPOUND_GAP 8

static const struct cue *
compound_cue(const struct pctx *c, size_t b1, const struct cue *cues, size_t nc)
{
	size_t k = cue_lower(cues, nc, b1), p = b1, cps = 0;

	while (cps <= COMPOUND_GAP) {
		size_t n;
		uint32_t cp;

		while (k < nc && cues[k].b0 < p)
			k++;
		if (k < nc && cues[k].b0 == p &&
		    (cues[k].kind == CUE_ASSIST || cues[k].kind == CUE_FUNDS))
			return &cues[k];
		/* 鲁青两省的工作安排: the two provinces of a pair. */
		if (k < nc && cues[k].b0 == p && p == b1 &&
		    (cues[k].flags & CUE_F_PAIR))
			return &cues[k];
		if (!c->text[p])
			return NULL;
		cp = exi_u8_dec(c->text + p, 4, &n);
		if (cp != 0x3001 && (cp < 0x3400 || is_clause_end(cp)))
			return NULL;
		p += n;
		cps++;
	}
	return NULL;
}

/* At most this many prefectures of a sentence are looked at. */
#define LISTED_MAX 16

/* SPEC rule 1: "我市10个区县将与延边州8个市县结对,具体为:鄞州区与和龙市":
 * a division helping a county whose prefecture the sentence names as a
 * recipient on its own (not right before one of its counties) also helps
 * that prefecture. */
static int
listed_prefecture(struct pctx *c, const struct item *items, size_t ni)
{
	struct side pf[LISTED_MAX];
	size_t n = c->spairs.n, npf = 0, i, k;
	int rc;

	for (k = 0; k < ni && npf < LISTED_MAX; k++) {
		const struct item *it = &items[k];

		if (it->inside_org || it->role != IT_R || !it->r ||
		    it->r->level != REG_PREFECTURE)
			continue;
		/* 兰州市皋兰县 names the prefecture of that county only. */
		if (k + 1 < ni && it[1].b0 == it->b1 && it[1].r &&
		    reg_contains(it->r, it[1].r))
			continue;
		for (i = 0; i < npf && pf[i].r != it->r; i++)
			;
		if (i == npf)
			side_of(&pf[npf++], it);
	}
	for (i = 0; i < n && npf; i++) {
		struct spair sp = ((struct spair *)c->spairs.p)[i];

		if (!sp.h.r || !sp.r.r || sp.r.r->level != REG_COUNTY)
			continue;
		for (k = 0; k < npf; k++) {
			if (!reg_contains(pf[k].r, sp.r.r))
				continue;
			c->rule = "listed_prefecture";
			rc = emit1(c, &sp.h, &pf[k], sp.h.b0, sp.h.b1, false);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

/* "天津市3个区结对帮扶...": the helpers are the counted districts, not the
 * division they are counted under. */
static bool
counted_after(const char *text, size_t p, size_t end)
{
	static const char *const units[] = { "区", "县", "市", "旗" };
	size_t n = count_len(text, p, end), k;

	if (!n || p + n + 3 > end)
		return false;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (!memcmp(text + p + n, units[k], 3))
			return true;
	return false;
}

/* ---- organisation sides ---------------------------------------------- */
/* A news agency's dateline (新华社成都5月13日电): the organisation is the
 * outlet, not a helper. True when b1 is followed, within a few
 * characters of a place name, by a date and 电. */
static bool
org_dateline(const char *text, size_t b1, size_t end)
{
	size_t p = b1, n, k = 0;
	uint32_t cp;
	bool digits = false;

	while (p < end && k < 8) {
		cp = exi_u8_dec(text + p, end - p, &n);
		if (cp >= '0' && cp <= '9')
			break;
		if (cp < 0x3400)
			return false;
		p += n;
		k++;
	}
	for (k = 0; p < end && k < 12; k++) {
		cp = exi_u8_dec(text + p, end - p, &n);
		if (cp >= '0' && cp <= '9')
			digits = true;
		else if (cp == 0x6708 /* 月 */ || cp == 0x65E5 /* 日 */ ||
		         cp == ' ')
			;
		else
			return digits && cp == 0x7535; /* 电 */
		p += n;
	}
	return false;
}

/* The side of a zone (开发区, 兵团): that of the division its name holds
 * (the mentions after x inside its span), else that of the division it is
 * listed with (斗门区、高新区), else either. */
static int
zone_role(const struct pctx *c, const struct mention *m, size_t nm, size_t i,
          const struct vec *items)
{
	const struct mention *x = &m[i];
	size_t k;

	for (k = i + 1; k < nm && m[k].b0 < x->b1; k++)
		if (m[k].kind == MEN_REGION && m[k].r && m[k].b1 <= x->b1)
			return c->rt->role[reg_index(c->rt, m[k].r)] ==
			               ROLE_EAST
			           ? IT_H
			           : IT_R;
	if (items->n) {
		const struct item *p = (struct item *)items->p + items->n - 1;

		if (p->r && !p->inside_org && p->b1 + 3 == x->b0 &&
		    !memcmp(c->text + p->b1, "、", 3))
			return p->role;
	}
	return IT_HR;
}

/* The separator of a list at p (、 和 及), its length, or 0. */
static size_t
list_sep(const char *text, size_t p, size_t end)
{
	static const char *const seps[] = { "、", "和", "及" };

	for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++)
		if (p + 3 <= end && !memcmp(text + p, seps[k], 3))
			return 3;
	return 0;
}

/* A zone listed with other places (喀什地区、喀什经济开发区, 兵团2个师和
 * 开发区): a list separator joins it to a place named before it in the
 * sentence or to the mention after it (SPEC rule 12: then a recipient in
 * its own right). */
static bool
zone_listed(const struct pctx *c, const struct mention *m, size_t nm, size_t i,
            const struct vec *items, size_t end)
{
	const struct mention *x = &m[i];
	size_t k, l;

	/* 、X开发区 after a place named before in the sentence. */
	if (items->n && x->b0 >= 3 && list_sep(c->text, x->b0 - 3, end)) {
		const struct item *p = items->p;

		for (k = items->n; k > 0; k--)
			if (p[k - 1].role == IT_R || p[k - 1].role == IT_HR)
				return true;
	}
	l = list_sep(c->text, x->b1, end);
	for (k = i + 1; l && k < nm && m[k].b0 <= x->b1 + l; k++)
		if (m[k].b0 == x->b1 + l)
			return true;
	return false;
}

/* Mention i sits in a chain of adjacent names that 在 opens and a verb of
 * events closes (联席会议在云南省文山州广南县举行): the venue. At most
 * VENUE_CHAIN names are looked at. */
#define VENUE_CHAIN 6

static bool
venue(const char *text, const struct mention *m, size_t nm, size_t i, size_t s0,
      size_t s1)
{
	static const char *const verbs[] = { "举行", "召开", "举办", "开幕",
		                             "启动" };
	size_t a = i, b = i, k;

	while (a > 0 && i - a < VENUE_CHAIN && m[a - 1].b1 == m[a].b0)
		a--;
	while (b + 1 < nm && b - i < VENUE_CHAIN && m[b + 1].b0 == m[b].b1)
		b++;
	if (m[a].b0 < s0 + 3 || memcmp(text + m[a].b0 - 3, "在", 3))
		return false;
	for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (m[b].b1 + 6 <= s1 && !memcmp(text + m[b].b1, verbs[k], 6))
			return true;
	return false;
}

/* SPEC rule 11: "在怒江州下辖的贡山县、福贡县…,凝结两地深厚情谊的故事": a
 * sentence that names no helper but speaks of the two sides of a pair
 * (两地) gives the latest pairing's helper the divisions it names inside
 * that pairing's recipient. */
static int
pair_places(struct pctx *c, const struct item *items, size_t ni,
            const struct cue *cues, size_t nc)
{
	bool pair = false;
	size_t i;
	int rc;
	struct side h, rr;

	if (!c->has_last)
		return 0;
	h = c->last_h; /* emit1() moves the latest pairing */
	rr = c->last_r;
	for (i = 0; i < nc; i++)
		pair |= cues[i].kind == CUE_PAIRREF;
	for (i = 0; i < ni && pair; i++)
		if (items[i].role == IT_H)
			return 0;
	for (i = 0; i < ni && pair; i++) {
		struct side r;

		if (items[i].inside_org || !items[i].r ||
		    items[i].role != IT_R || !reg_contains(rr.r, items[i].r))
			continue;
		side_of(&r, &items[i]);
		c->rule = "pair_places";
		rc = emit1(c, &h, &r, items[i].b0, items[i].b1, false);
		if (rc)
			return rc;
	}
	return 0;
}

/* Merges add (sorted by start) into items (sorted by start). */
static int
merge_items(struct vec *items, const struct vec *add)
{
	size_t n = items->n, i, j, k;
	struct item *it;
	const struct item *ad = add->p;

	if (!add->n)
		return 0;
	for (k = 0; k < add->n; k++)
		if (!exi_vec_push(items))
			return EXT_ENOMEM;
	it = items->p;
	i = n;
	j = add->n;
	k = items->n;
	while (j > 0) {
		if (i > 0 && it[i - 1].b0 > ad[j - 1].b0)
			it[--k] = it[--i];
		else
			it[--k] = ad[--j];
	}
	return 0;
}

/* Index of the first item starting at or after b. */
static size_t
item_lower(const struct vec *items, size_t b)
{
	const struct item *it = items->p;
	size_t lo = 0, hi = items->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (it[mid].b0 < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The eastern province and prefecture named most often (at least
 * twice) in the article. */
static int
east_sides(struct pctx *c, const struct mention *m, size_t n)
{
	const struct reg_tables *rt = c->rt;
	uint32_t *cnt = calloc(rt->n_regions + 1, sizeof(*cnt));
	uint32_t bp = 1, bc = 1;
	size_t i;

	if (!cnt)
		return EXT_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct region *r = m[i].r;

		if (m[i].kind != MEN_REGION || !r ||
		    rt->role[reg_index(rt, r)] != ROLE_EAST)
			continue;
		for (; r; r = r->parent) {
			uint32_t k = ++cnt[reg_index(rt, r)];

			if (r->level == REG_PROVINCE && k > bp) {
				bp = k;
				c->east_prov = r;
			} else if (r->level == REG_PREFECTURE && k > bc) {
				bc = k;
				c->east_city = r;
			}
		}
	}
	free(cnt);
	return 0;
}

/* "我市全面启动对延边州的对口帮扶": 我省 / 我市 in a clause that names no
 * helper but a recipient after it is the article's eastern side, when
 * the article names one; the cue no longer reads as the recipient. 该市
 * there is the eastern city named last. */
static int
self_helpers(struct pctx *c, struct vec *items, struct vec *cues)
{
	struct vec add = VEC_INIT(struct item);
	size_t k, i;
	int rc;

	for (k = 0; k < cues->n; k++) {
		struct cue *q = (struct cue *)cues->p + k;
		const struct region *r = NULL;
		size_t a, e, n = items->n;
		struct item *it;
		bool helper = false, recip = false;

		if ((q->kind != CUE_SELF && q->kind != CUE_THIS) ||
		    q->b1 - q->b0 < 3)
			continue;
		if (!memcmp(c->text + q->b1 - 3, "省", 3))
			r = q->kind == CUE_THIS ? c->last_east[REG_PROVINCE]
			                        : c->east_prov;
		else if (!memcmp(c->text + q->b1 - 3, "市", 3))
			r = q->kind == CUE_THIS ? c->last_east[REG_PREFECTURE]
			                        : c->east_city;
		else if (q->kind == CUE_THIS)
			r = c->last_east[REG_COUNTY];
		if (!r)
			continue;
		a = clause_start(c, q->b0);
		e = clause_end(c, q->b1);
		for (i = item_lower(items, a); i < n; i++) {
			const struct item *x = (struct item *)items->p + i;

			if (x->b0 >= e)
				break;
			if (x->inside_org)
				continue;
			if (x->role == IT_H || x->role == IT_HR)
				helper = true;
			else if (x->role == IT_R && x->b0 > q->b1)
				recip = true;
		}
		if (helper || !recip)
			continue;
		it = exi_vec_push(&add);
		if (!it) {
			exi_vec_free(&add);
			return EXT_ENOMEM;
		}
		it->b0 = q->b0;
		it->b1 = q->b1;
		it->role = IT_H;
		it->r = r;
		q->kind = CUE_FILLER;
		xpl_span(c->xpl, c->sent, "pairing", c->text, q->b0, q->b1,
		         "stands for %s", r->name);
	}
	rc = merge_items(items, &add);
	exi_vec_free(&add);
	return rc;
}

/* "江苏省南通市经济技术开发区", "贵州省台江县人民医院": the province
 * before an organisation whose name starts with a division of it is
 * dropped (SPEC rule 13), as the province before a prefecture is: the
 * previous item goes. */
static void
drop_province_before(struct vec *items, const struct mention *x,
                     const struct mention *m, size_t nm, size_t i)
{
	struct item *p;

	if (!items->n || i + 1 >= nm || m[i + 1].kind != MEN_REGION ||
	    !m[i + 1].r || m[i + 1].b0 != x->b0)
		return;
	p = (struct item *)items->p + items->n - 1;
	if (p->r && p->b1 == x->b0 && p->r->level == REG_PROVINCE &&
	    !reg_is_city(p->r) && reg_contains(p->r, m[i + 1].r))
		items->n--;
}

/* Text [p - n, p) is the UTF-8 string w (n its length); p >= lo. */
static bool
ends_with_at(const char *text, size_t lo, size_t p, const char *w)
{
	size_t n = strlen(w);

	return p >= lo + n && !memcmp(text + p - n, w, n);
}

/* "中国石化继续承担安徽岳西县、颍上县,湖南凤凰县的定点扶贫任务,以及西藏
 * 班戈县的对口支援任务": the places listed between 承担 and 的<cue>任务
 * (across commas) are the recipients of the sentence's first helper, an
 * organisation (else the passage's organisation). Walks back from each
 * such cue over places, list marks and earlier 的<cue>任务 to the verb. */
static int
org_task_lists(struct pctx *c, const struct sent *s, const struct vec *items,
               const struct vec *cues)
{
	static const char *const seps[] = { "、", ",",  "，", "以及",
		                            "及", "和", " " };
	static const char *const verbs[] = { "承担", "负责", "肩负", "承接" };
	const struct item *it = items->p;
	const struct cue *q = cues->p;
	size_t qi, n0 = c->out->n, first = (size_t)-1;
	int rc;

	for (qi = 0; qi < cues->n; qi++) {
		struct side rs[MAXSIDE], hs;
		size_t nr = 0, p, ii = items->n, k, verb = 0;
		bool ok = true;

		if (q[qi].kind != CUE_ASSIST ||
		    !ends_with_at(c->text, s->b0, q[qi].b0, "的") ||
		    q[qi].b1 + 6 > s->b1 ||
		    memcmp(c->text + q[qi].b1, "任务", 6))
			continue;
		p = q[qi].b0 - 3;
		/* Items before p (they are in text order). */
		ii = item_lower(items, p);
		while (ok && !verb) {
			while (ii > 0 && it[ii - 1].b1 > p)
				ii--;
			if (ii > 0 && it[ii - 1].b1 == p && it[ii - 1].r &&
			    it[ii - 1].role == IT_R && !it[ii - 1].inside_org) {
				const struct item *x = &it[ii - 1];

				/* 安徽岳西县: the province before its county
				 * adds nothing. */
				if (!(nr && rs[nr - 1].b0 == x->b1 &&
				      x->r->level == REG_PROVINCE &&
				      reg_contains(x->r, rs[nr - 1].r)) &&
				    nr < MAXSIDE)
					side_of(&rs[nr++], x);
				p = x->b0;
				continue;
			}
			for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
				if (ends_with_at(c->text, s->b0, p, verbs[k]))
					verb = p - strlen(verbs[k]);
			if (verb)
				break;
			for (k = 0; k < sizeof(seps) / sizeof(seps[0]); k++)
				if (ends_with_at(c->text, s->b0, p, seps[k]))
					break;
			if (k < sizeof(seps) / sizeof(seps[0])) {
				p -= strlen(seps[k]);
				continue;
			}
			/* An earlier 的<cue>任务 of the same list. */
			ok = false;
			if (ends_with_at(c->text, s->b0, p, "任务"))
				for (k = qi; k > 0; k--)
					if (q[k - 1].b1 == p - 6 &&
					    ends_with_at(c->text, s->b0,
					                 q[k - 1].b0, "的")) {
						p = q[k - 1].b0 - 3;
						ok = true;
						break;
					}
		}
		if (!verb || !nr)
			continue;
		/* The helper: the sentence's first, if an organisation. */
		if (first == (size_t)-1)
			for (first = 0; first < items->n; first++)
				if (!it[first].inside_org &&
				    it[first].role != IT_R)
					break;
		k = first;
		if (k < items->n && it[k].b0 < verb) {
			if (it[k].r)
				continue;
			side_of(&hs, &it[k]);
		} else if (c->has_org_subj &&
		           c->sent <= c->org_subj_sent + ORG_SUBJ_SENTS) {
			hs = c->org_subj;
		} else {
			continue;
		}
		k = c->out->n;
		rc = emit(c, &hs, 1, rs, nr, q[qi].b0, q[qi].b1,
		          (q[qi].flags & CUE_F_DESIGNATED) != 0, true, 2);
		if (rc)
			return rc;
		/* 对口支援 (援藏 ...) is relation other (SPEC rule 14). */
		if (q[qi].b1 - q[qi].b0 == 12 &&
		    !memcmp(c->text + q[qi].b0, "对口支援", 12))
			for (; k < c->out->n; k++)
				((struct ext_pairing *)c->out->p)[k].relation =
				    "other";
	}
	name_rule(c, n0, "org_task_list");
	return 0;
}

/* A small count at p: ASCII digits or one Chinese numeral (一 .. 十, 两),
 * then 个; sets *end past 个. 0 when none. */
static unsigned
count_at(const char *text, size_t p, size_t end, size_t *after)
{
	static const char *const cn[] = { "一", "二", "三", "四", "五", "六",
		                          "七", "八", "九", "十", "两" };
	unsigned v = 0;
	size_t k;

	while (p < end && text[p] >= '0' && text[p] <= '9' && v < 1000)
		v = v * 10 + (unsigned)(text[p++] - '0');
	if (!v)
		for (k = 0; k < sizeof(cn) / sizeof(cn[0]); k++)
			if (p + 3 <= end && !memcmp(text + p, cn[k], 3)) {
				v = k < 10 ? (unsigned)k + 1 : 2;
				p += 3;
				break;
			}
	if (!v || p + 3 > end || memcmp(text + p, "个", 3))
		return 0;
	*after = p + 3;
	return v;
}

/* "...宣布A县、B县、C县退出贫困县行列,至此,交通银行3个定点扶贫县全部
 * 脱贫": an organisation's counted designated counties (N个定点扶贫县)
 * are the N counties the sentence names, when it names exactly N. */
static int
org_counted(struct pctx *c, const struct sent *s, const struct vec *items,
            const struct vec *cues)
{
	const struct item *it = items->p;
	const struct cue *q = cues->p;
	size_t i, k, n0 = c->out->n;
	int rc;

	struct side rs[MAXSIDE];
	size_t nr = 0;
	bool listed = false;

	for (i = 0; i < items->n; i++) {
		size_t after, qi;
		unsigned n;

		if (it[i].r || it[i].inside_org || it[i].role == IT_R)
			continue;
		n = count_at(c->text, it[i].b1, s->b1, &after);
		if (!n)
			continue;
		qi = cue_lower(q, cues->n, after);
		if (qi >= cues->n || q[qi].b0 != after ||
		    !(q[qi].flags & CUE_F_DESIGNATED) || q[qi].b1 + 3 > s->b1 ||
		    memcmp(c->text + q[qi].b1, "县", 3))
			continue;
		/* The counties the sentence names, once. */
		for (k = 0; !listed && k < items->n; k++)
			if (it[k].r && it[k].role == IT_R &&
			    !it[k].inside_org && it[k].r->level == REG_COUNTY) {
				size_t j;

				for (j = 0; j < nr && rs[j].r != it[k].r; j++)
					;
				if (j == nr && nr < MAXSIDE)
					side_of(&rs[nr++], &it[k]);
			}
		listed = true;
		if (nr != n) {
			if (nr)
				xpl_span(c->xpl, c->sent, "refused", c->text,
				         it[i].b0, q[qi].b1,
				         "%u counted, %zu counties named", n,
				         nr);
			continue;
		}
		rc = emit_item(c, &it[i], rs, nr, q[qi].b0, q[qi].b1, true);
		if (rc)
			return rc;
	}
	name_rule(c, n0, "org_counted");
	return 0;
}

/* Words that end the name of a team a unit sends (SPEC rule 7). */
static const char *const team_words[] = { "工作队", "工作组", "帮扶队",
	                                  "工作站", "联络组", "指挥部" };
#define TEAM_GAP 8 /* characters between the place and the team word */

/* "国家电网驻黄平县扶贫工作队": a unit's team stationed in a place acts for
 * the unit (SPEC rule 7): the unit helps the place. */
static int
org_work_teams(struct pctx *c, const struct sent *s, const struct vec *items)
{
	const struct item *it = items->p;
	size_t i, n0 = c->out->n;
	int rc;

	for (i = 0; i < items->n; i++) {
		struct side rs[MAXSIDE];
		size_t nr = 0, k = i + 1, p, cps;
		bool team = false;

		if (it[i].r || it[i].inside_org || it[i].role == IT_R ||
		    it[i].b1 + 3 > s->b1 || memcmp(c->text + it[i].b1, "驻", 3))
			continue;
		p = it[i].b1 + 3;
		/* The places right after 驻, a province before its county
		 * adding nothing. */
		for (; k < items->n && it[k].b0 == p && it[k].r &&
		       it[k].role == IT_R && !it[k].inside_org;
		     k++) {
			if (nr && rs[nr - 1].r->level == REG_PROVINCE &&
			    reg_contains(rs[nr - 1].r, it[k].r))
				nr--;
			if (nr < MAXSIDE)
				side_of(&rs[nr++], &it[k]);
			p = it[k].b1;
		}
		for (cps = 0; nr && !team && cps <= TEAM_GAP && p < s->b1;
		     cps++) {
			size_t n, w;
			uint32_t cp;

			for (w = 0;
			     w < sizeof(team_words) / sizeof(team_words[0]);
			     w++)
				if (p + strlen(team_words[w]) <= s->b1 &&
				    !memcmp(c->text + p, team_words[w],
				            strlen(team_words[w])))
					team = true;
			cp = exi_u8_dec(c->text + p, s->b1 - p, &n);
			if (cp < 0x3400)
				break;
			p += n;
		}
		if (!team)
			continue;
		rc = emit_item(c, &it[i], rs, nr, it[i].b1, p, false);
		if (rc)
			return rc;
	}
	name_rule(c, n0, "org_work_team");
	return 0;
}

/* "宝钢集团对口援藏项目133个、援藏资金2.78亿元" in an article about a
 * prefecture of Tibet: a helper's 援X projects or funds (X a
 * province's abbreviation) went to the region the article is about,
 * when that is a prefecture or county of X (the province itself never
 * is, SPEC rule 5); its 援X范围 is the places of X and the zones the
 * clause lists after it. */
static int
aid_compound(struct pctx *c, const struct sent *s, const struct vec *items)
{
	/* Not 干部: staff nouns give nothing (SPEC rule 7). */
	static const char *const what[] = { "项目", "资金" };
	const struct item *it = items->p;
	const struct region *mr = c->area;
	size_t i, w, n0 = c->out->n;
	int rc;

	if (mr && c->rt->role[reg_index(c->rt, mr)] == ROLE_EAST)
		mr = NULL;
	for (i = 0; i < items->n; i++) {
		size_t p = it[i].b1, n, nr = 0, k;
		struct side hs, rs[MAXSIDE];
		const struct region *prov = NULL;

		if (it[i].inside_org || (!it[i].r && it[i].role == IT_R))
			continue;
		/* 宝钢集团(现为宝武集团)对口援藏: over a short aside. */
		if (p + 1 <= s->b1 && c->text[p] == '(') {
			size_t q = p + 1;

			for (k = 0; q < s->b1 && c->text[q] != ')' && k < 40;
			     k++)
				q++;
			if (q < s->b1 && c->text[q] == ')')
				p = q + 1;
		}
		if (p + 6 <= s->b1 && !memcmp(c->text + p, "对口", 6))
			p += 6;
		if (p + 3 > s->b1 || memcmp(c->text + p, "援", 3))
			continue;
		p += 3;
		if (p >= s->b1 ||
		    exi_u8_dec(c->text + p, s->b1 - p, &n) < 0x3400)
			continue;
		/* X: a province's abbreviation. */
		for (w = 0; w < c->rt->n_abv && !prov; w++)
			if (strlen(c->rt->abv[w].s) == n &&
			    !memcmp(c->text + p, c->rt->abv[w].s, n))
				prov = &c->rt->regions[c->rt->abv[w].r];
		/* The helper: any but a division of X's side (黑龙江省 and
		 * 吉林省 援藏 whatever side the official list gives them). */
		if (!prov || (it[i].r && it[i].role != IT_H &&
		              (it[i].r->level != REG_PROVINCE ||
		               reg_contains(it[i].r, prov) ||
		               reg_contains(prov, it[i].r))))
			continue;
		p += n;
		side_of(&hs, &it[i]);
		if (p + 6 <= s->b1 && !memcmp(c->text + p, "范围", 6)) {
			/* 江苏援疆范围扩展为伊犁州...、兵团和开发区: the
			 * places in X and the zones the clause lists. */
			size_t e = p;

			while (e < s->b1) {
				uint32_t cp =
				    exi_u8_dec(c->text + e, s->b1 - e, &n);

				if (is_clause_end(cp))
					break;
				e += n;
			}
			for (k = i + 1; k < items->n && it[k].b0 < e; k++) {
				const struct item *x = &it[k];

				if (x->b0 < p || nr == MAXSIDE ||
				    (x->r ? x->inside_org || x->role != IT_R ||
				                !reg_contains(prov, x->r)
				          : (x->org_type & ORG_TYPE_MASK) !=
				                ORG_ZONE))
					continue;
				side_of(&rs[nr++], x);
			}
			rc = emit(c, &hs, 1, rs, nr, it[i].b1, p + 6, false,
			          true, 2);
			if (rc)
				return rc;
			continue;
		}
		for (w = 0; w < sizeof(what) / sizeof(what[0]); w++)
			if (p + 6 <= s->b1 && !memcmp(c->text + p, what[w], 6))
				break;
		if (w == sizeof(what) / sizeof(what[0]) || !mr ||
		    !reg_contains(prov, mr))
			continue;
		memset(&rs[0], 0, sizeof(rs[0]));
		rs[0].r = mr;
		rs[0].b0 = it[i].b1;
		rs[0].b1 = p + 6;
		rc = emit(c, &hs, 1, rs, 1, it[i].b1, p + 6, false, true, 2);
		if (rc)
			return rc;
	}
	/* 对口支援 programmes are relation other (SPEC rule 14). */
	for (i = n0; i < c->out->n; i++)
		((struct ext_pairing *)c->out->p)[i].relation = "other";
	name_rule(c, n0, "aid_compound");
	return 0;
}

/* "医院派驻于都的专家", "公司选派技术员到临洮县": a unit (not a division:
 * 深圳挂职干部 gives nothing, SPEC rule 7) that sends its people to
 * places helps them. The verb follows the unit within the clause and
 * the places follow the verb (after 到 赴 至 or directly). */
#define SEND_GAP 12 /* characters between the unit and the verb */

static int
org_sends(struct pctx *c, const struct sent *s, const struct vec *items)
{
	static const char *const verbs[] = { "派驻", "选派", "派出", "派遣" };
	static const char *const to[] = { "到", "赴", "至", "" };
	const struct item *it = items->p;
	size_t i, n0 = c->out->n;
	int rc;

	for (i = 0; i < items->n; i++) {
		struct side rs[MAXSIDE];
		size_t p = it[i].b1, cps, k, v, nr = 0, n;
		bool found = false;

		if (it[i].r || it[i].inside_org || it[i].role == IT_R)
			continue;
		for (cps = 0; !found && cps <= SEND_GAP && p < s->b1; cps++) {
			uint32_t cp;

			for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
				if (p + 6 <= s->b1 &&
				    !memcmp(c->text + p, verbs[v], 6))
					found = true;
			if (found)
				break;
			cp = exi_u8_dec(c->text + p, s->b1 - p, &n);
			if (is_clause_end(cp) ||
			    (i + 1 < items->n && it[i + 1].b0 == p))
				break;
			p += n;
		}
		if (!found)
			continue;
		p += 6;
		/* 选派3名医生到: a short object before 到. */
		for (k = 0; k < sizeof(to) / sizeof(to[0]); k++) {
			size_t q = p, m = 0, tl = strlen(to[k]);

			while (tl && q < s->b1 && m < 8 &&
			       (q + tl > s->b1 ||
			        memcmp(c->text + q, to[k], tl))) {
				uint32_t cp =
				    exi_u8_dec(c->text + q, s->b1 - q, &n);

				if (is_clause_end(cp))
					break;
				q += n;
				m++;
			}
			if (tl &&
			    (q + tl > s->b1 || memcmp(c->text + q, to[k], tl)))
				continue;
			p = q + tl;
			break;
		}
		for (k = i + 1; k < items->n && it[k].b0 < p; k++)
			;
		for (; k < items->n && it[k].b0 == p && it[k].r &&
		       it[k].role == IT_R && !it[k].inside_org;
		     k++) {
			if (nr && rs[nr - 1].r->level == REG_PROVINCE &&
			    reg_contains(rs[nr - 1].r, it[k].r))
				nr--;
			if (nr < MAXSIDE)
				side_of(&rs[nr++], &it[k]);
			p = it[k].b1;
			/* 到临洮县、渭源县 */
			if (p + 3 <= s->b1 && !memcmp(c->text + p, "、", 3))
				p += 3;
		}
		if (!nr)
			continue;
		rc = emit_item(c, &it[i], rs, nr, it[i].b1, p, false);
		if (rc)
			return rc;
	}
	name_rule(c, n0, "org_sends");
	return 0;
}

/* "岳西县是中国石化定点帮扶县", "A县、B县作为国家电网的定点扶贫县": the
 * places right before 是 / 作为 / 系 / 为 are the organisation's
 * designated counties (or villages) named after it. */
static int
org_named_as(struct pctx *c, const struct sent *s, const struct vec *items,
             const struct vec *cues)
{
	static const char *const cop[] = { "作为", "是", "系", "为" };
	static const char *const noun[] = { "县", "村", "点", "单位" };
	const struct item *it = items->p;
	const struct cue *q = cues->p;
	size_t i, k, n0 = c->out->n;
	int rc;

	for (i = 1; i < items->n; i++) {
		struct side rs[MAXSIDE];
		size_t nr = 0, p = it[i].b1, qi, cl = 0, j;

		if (it[i].r || it[i].inside_org || it[i].role == IT_R)
			continue;
		if (p + 3 <= s->b1 && !memcmp(c->text + p, "的", 3))
			p += 3;
		qi = cue_lower(q, cues->n, p);
		if (qi >= cues->n || q[qi].b0 != p ||
		    !(q[qi].flags & CUE_F_DESIGNATED))
			continue;
		for (k = 0; k < sizeof(noun) / sizeof(noun[0]); k++)
			if (!strncmp(c->text + q[qi].b1, noun[k],
			             strlen(noun[k])))
				break;
		if (k == sizeof(noun) / sizeof(noun[0]))
			continue;
		for (k = 0; k < sizeof(cop) / sizeof(cop[0]) && !cl; k++)
			if (ends_with_at(c->text, s->b0, it[i].b0, cop[k]))
				cl = strlen(cop[k]);
		if (!cl)
			continue;
		/* The places before the copula: a list joined by 、. */
		p = it[i].b0 - cl;
		for (j = i; j > 0 && nr < MAXSIDE; j--) {
			const struct item *x = &it[j - 1];

			if (x->b1 != p || !x->r || x->role != IT_R ||
			    x->inside_org)
				break;
			if (!(nr && rs[nr - 1].b0 == x->b1 &&
			      x->r->level == REG_PROVINCE &&
			      reg_contains(x->r, rs[nr - 1].r)))
				side_of(&rs[nr++], x);
			p = x->b0;
			if (ends_with_at(c->text, s->b0, p, "、"))
				p -= 3;
		}
		if (!nr)
			continue;
		rc = emit_item(c, &it[i], rs, nr, q[qi].b0, q[qi].b1, true);
		if (rc)
			return rc;
	}
	name_rule(c, n0, "org_named_as");
	return 0;
}

/* "该公司借助…,对科左中旗贫困户开展技术培训": a unit that serves the poor
 * households (farmers, pupils ...) of a place helps the place. The unit
 * is the sentence's first helper; the place follows 对 / 为 / 向 and is
 * followed by the people. */
static int
org_beneficiaries(struct pctx *c, const struct sent *s, const struct vec *items)
{
	static const char *const prep[] = { "对", "为", "向" };
	static const char *const people[] = { "贫困户",  "贫困群众", "贫困人口",
		                              "脱贫户",  "农户",     "农牧民",
		                              "贫困学生" };
	const struct item *it = items->p;
	size_t i, k, h, n0 = c->out->n;
	int rc;

	for (h = 0; h < items->n; h++)
		if (!it[h].inside_org && it[h].role != IT_R)
			break;
	if (h == items->n || it[h].r || org_guides(c, &it[h]))
		return 0;
	for (i = h + 1; i < items->n; i++) {
		struct side hs, rs;
		size_t p = it[i].b1;
		bool ok = false;

		if (!it[i].r || it[i].role != IT_R || it[i].inside_org)
			continue;
		for (k = 0; k < sizeof(prep) / sizeof(prep[0]) && !ok; k++)
			ok = ends_with_at(c->text, s->b0, it[i].b0, prep[k]);
		if (!ok)
			continue;
		if (p + 3 <= s->b1 && !memcmp(c->text + p, "的", 3))
			p += 3;
		for (k = 0, ok = false;
		     k < sizeof(people) / sizeof(people[0]) && !ok; k++)
			ok =
			    !strncmp(c->text + p, people[k], strlen(people[k]));
		if (!ok)
			continue;
		side_of(&hs, &it[h]);
		side_of(&rs, &it[i]);
		rc = emit(c, &hs, 1, &rs, 1, it[i].b0, p, false, true, 2);
		if (rc)
			return rc;
	}
	name_rule(c, n0, "org_beneficiaries");
	return 0;
}

static void track_org_subject(struct pctx *c, const struct vec *items);
static int do_clauses(struct pctx *c, const struct sent *s, struct vec *items,
                      struct vec *cues);

static int
do_sentence(struct pctx *c, const struct sent *s, const struct mention *m,
            size_t nm, struct vec *items, struct vec *cues)
{
	struct cue_scan cs = { c->rt, cues, s->b0 };
	size_t i, org_end = 0, k, j;
	int rc;

	items->n = 0;
	cues->n = 0;
	c->has_carry = false;
	c->loc_pending = false;
	c->sent_assist = false;
	c->spairs.n = 0;
	rc = reg_ac_longest(c->rt->cue, c->text + s->b0, s->b1 - s->b0, on_cue,
	                    &cs);
	if (rc)
		return rc;
	/* Cues inside names or short quotations are not statements. */
	for (i = k = 0, j = 0; i < cues->n; i++) {
		struct cue *q = (struct cue *)cues->p + i;
		bool drop = false;

		for (; j < nm && m[j].b0 <= q->b0; j++)
			if (m[j].kind == MEN_ORG && m[j].b1 > org_end)
				org_end = m[j].b1;
		if (q->kind == CUE_ASSIST || q->kind == CUE_FUNDS)
			drop = in_quote(c->text, q->b0, s->b0, s->b1) ||
			       q->b1 <= org_end;
		if (!drop)
			((struct cue *)cues->p)[k++] = *q;
		if (!drop && (q->kind == CUE_ASSIST || q->kind == CUE_FUNDS))
			c->sent_assist = true;
	}
	cues->n = k;
	org_end = 0;
	for (i = 0; i < nm; i++) {
		const struct mention *x = &m[i];
		struct item *it;
		int role = IT_NONE;
		const struct region *r = x->r;

		if (x->kind == MEN_ORG) {
			role = (x->org_type & ORG_F_RECIP) ? IT_HR : IT_H;
			if ((x->org_type & ORG_TYPE_MASK) == ORG_CENTRAL &&
			    org_dateline(c->text, x->b1, s->b1)) {
				xpl_span(c->xpl, c->sent, "refused", c->text,
				         x->b0, x->b1, "a dateline's outlet");
				continue;
			}
			if ((x->org_type & ORG_TYPE_MASK) == ORG_ZONE) {
				role = zone_role(c, m, nm, i, items);
				/* A zone that is only a site counts through
				 * its division (SPEC rules 10, 12): the
				 * division inside its name stands. */
				if (role == IT_R &&
				    !zone_listed(c, m, nm, i, items, s->b1) &&
				    i + 1 < nm && m[i + 1].kind == MEN_REGION &&
				    m[i + 1].b1 <= x->b1 && m[i + 1].r &&
				    m[i + 1].r->level != REG_PROVINCE) {
					xpl_span(c->xpl, c->sent, "refused",
					         c->text, x->b0, x->b1,
					         "a zone alone: its division");
					continue;
				}
			}
			drop_province_before(items, x, m, nm, i);
		} else if (r) {
			role = c->rt->role[reg_index(c->rt, r)] == ROLE_EAST
			           ? IT_H
			           : IT_R;
			if (x->kind == MEN_ABBREV &&
			    (x->org_type == ABV_COMPOUND_H ||
			     x->org_type == ABV_COMPOUND_R)) {
				const struct mention *h = x, *y;
				const struct cue *q;
				struct side hs, rs2;

				if (x->org_type != ABV_COMPOUND_H ||
				    i + 1 >= nm)
					continue;
				y = &m[i + 1];
				q = compound_cue(c, y->b1, cues->p, cues->n);
				if (!q || !h->r || !y->r)
					continue;
				memset(&hs, 0, sizeof(hs));
				memset(&rs2, 0, sizeof(rs2));
				hs.r = h->r;
				hs.b0 = h->b0;
				hs.b1 = h->b1;
				rs2.r = y->r;
				rs2.b0 = y->b0;
				rs2.b1 = y->b1;
				c->rule = "pair_compound";
				rc = emit1(c, &hs, &rs2, h->b0, q->b1, false);
				if (rc)
					return rc;
				/* 延川县幼儿园由苏陕扶贫资金安排: the pair's
				 * funds pay for the place named before. */
				if (q->kind == CUE_FUNDS && q->b0 == y->b1 &&
				    !helper_before(c, h->b0)) {
					rc = funds_sites(c, &hs, 1, h->b0,
					                 q->b1);
					if (rc > 0)
						rc = 0;
					if (rc)
						return rc;
				}
				/* Both halves take part in the clause. */
				for (int half = 0; half < 2; half++) {
					const struct mention *z = half ? y : h;

					it = exi_vec_push(items);
					if (!it)
						return EXT_ENOMEM;
					memset(it, 0, sizeof(*it));
					it->b0 = z->b0;
					it->b1 = z->b1;
					it->r = z->r;
					it->role =
					    c->rt->role[reg_index(
					        c->rt, z->r)] == ROLE_EAST
					        ? IT_H
					        : IT_R;
				}
				i++;
				continue;
			}
		}
		/* 吉林省对口援藏: a province right before a programme's cue
		 * helps, whatever its side in East-West help, when the
		 * article is about another province. */
		if (role == IT_R && x->kind == MEN_REGION &&
		    r->level == REG_PROVINCE && c->main_region &&
		    !reg_contains(r, c->main_region)) {
			size_t qk = cue_lower(cues->p, cues->n, x->b1);
			/* no arithmetic on an empty vec's NULL array */
			const struct cue *q =
			    qk < cues->n ? (const struct cue *)cues->p + qk
			                 : NULL;

			if (q && q->b0 == x->b1 && q->kind == CUE_ASSIST &&
			    (q->flags & CUE_F_OTHER) && (q->flags & CUE_F_MAIN))
				role = IT_H;
		}
		if (role != IT_NONE && x->kind == MEN_REGION &&
		    venue(c->text, m, nm, i, s->b0, s->b1)) {
			xpl_span(c->xpl, c->sent, "refused", c->text, x->b0,
			         x->b1, "a venue (在X举行), not a side");
			role = IT_NONE;
		}
		if (role == IT_H && x->kind == MEN_REGION &&
		    counted_after(c->text, x->b1, s->b1)) {
			xpl_span(c->xpl, c->sent, "refused", c->text, x->b0,
			         x->b1, "helpers counted under it, not it");
			role = IT_NONE;
		}
		/* 贵州省级劳务品牌: a level of something, not a place helped.
		 */
		if (role == IT_R && x->kind == MEN_REGION &&
		    x->b1 + 3 <= s->b1 && !memcmp(c->text + x->b1, "级", 3))
			role = IT_NONE;
		if (role == IT_NONE)
			continue;
		it = exi_vec_push(items);
		if (!it)
			return EXT_ENOMEM;
		it->b0 = x->b0;
		it->b1 = x->b1;
		it->role = role;
		it->r = x->kind == MEN_ORG ? NULL : r;
		it->org = x->org;
		it->org_type = x->org_type;
		it->inside_org = x->kind != MEN_ORG && x->b1 <= org_end;
		if (x->kind == MEN_ORG && x->b1 > org_end)
			org_end = x->b1;
	}
	rc = self_helpers(c, items, cues);
	if (rc)
		return rc;
	/* "杭州市…。今年以来,累计向恩施州投入帮扶资金3亿元": no helper
	 * named, the subject of the sentence before goes on. */
	c->from_prev = false;
	if (c->has_prev && c->prev_sent + 1 == c->sent) {
		bool helper = false;

		for (i = 0; i < items->n; i++) {
			const struct item *x = (struct item *)items->p + i;

			if (!x->inside_org &&
			    (x->role == IT_H || x->role == IT_HR))
				helper = true;
		}
		if (!helper) {
			seg_copy(&c->carry, &c->prev);
			c->has_carry = true;
			c->carry_pending = false;
			c->from_prev = true;
		}
	}
	c->has_prev = false;
	/* East·west names (东莞·铜仁) pair. */
	for (i = 0; i + 1 < items->n; i++) {
		const struct item *a = (struct item *)items->p + i, *b = a + 1;
		/* 济南—武隆 in a list of pairs: the same. */
		static const char *const dots[] = { "·", "・", "•", "——",
			                            "—", "－", "-" };

		if (!a->r || !b->r || a->inside_org || b->inside_org ||
		    a->role != IT_H || b->role != IT_R)
			continue;
		for (k = 0; k < sizeof(dots) / sizeof(dots[0]); k++) {
			size_t dl = strlen(dots[k]);

			if (a->b1 + dl == b->b0 &&
			    !memcmp(c->text + a->b1, dots[k], dl)) {
				struct side hs, rs2;

				side_of(&hs, a);
				side_of(&rs2, b);
				c->rule = k < 3 ? "dot_name" : "dash_pair";
				rc = emit1(c, &hs, &rs2, a->b0, b->b1, false);
				if (rc)
					return rc;
			}
		}
	}
	rc = org_task_lists(c, s, items, cues);
	if (rc == 0)
		rc = org_counted(c, s, items, cues);
	if (rc == 0)
		rc = org_work_teams(c, s, items);
	if (rc == 0)
		rc = org_named_as(c, s, items, cues);
	if (rc == 0)
		rc = aid_compound(c, s, items);
	if (rc == 0)
		rc = org_sends(c, s, items);
	if (rc == 0)
		rc = org_beneficiaries(c, s, items);
	if (rc)
		return rc;
	/* Clause by clause; then the sentence's subject for the next ones. */
	rc = do_clauses(c, s, items, cues);
	if (rc == 0)
		track_org_subject(c, items);
	return rc;
}

/* The first helper the sentence names: an organisation becomes the
 * passage's subject, a division ends it. */
static void
track_org_subject(struct pctx *c, const struct vec *items)
{
	const struct item *it = items->p, *subj = NULL;
	size_t i;

	for (i = 0; i < items->n; i++) {
		if (it[i].inside_org ||
		    (it[i].role != IT_H && it[i].role != IT_HR))
			continue;
		if (it[i].r) {
			/* A division helper is the subject: none carried. */
			if (it[i].role == IT_H) {
				c->has_org_subj = false;
				return;
			}
			continue;
		}
		if (!subj && (it[i].org_type & ORG_TYPE_MASK) != ORG_ZONE &&
		    !org_guides(c, &it[i]))
			subj = &it[i];
	}
	if (!subj)
		return;
	side_of(&c->org_subj, subj);
	c->org_subj_sent = c->sent;
	c->has_org_subj = true;
}

static int
do_clauses(struct pctx *c, const struct sent *s, struct vec *items,
           struct vec *cues)
{
	size_t i;
	int rc;

	{
		const struct item *it = items->p;
		const struct cue *q = cues->p;
		size_t p = s->b0, a = s->b0, ia = 0, qa = 0, run = 0;
		bool prev_wide = false, headline = is_headline(c->text, s);

		c->headline = headline;

		while (p <= s->b1) {
			size_t n = 1;
			uint32_t cp = 0;
			bool end = p == s->b1;

			if (!end) {
				unsigned char b = (unsigned char)c->text[p];

				/* Clause ends are ASCII or start with E3/EF. */
				if (b < 0x80 || b == 0xE3 || b == 0xEF) {
					cp = exi_u8_dec(c->text + p, s->b1 - p,
					                &n);
					end = is_clause_end(cp);
					/* A space between Chinese words parts
					 * the halves of a headline (粤黔协作谱
					 * 新篇 毕节群众奔小康). */
					if (cp == ' ' && headline &&
					    prev_wide && run >= HEADLINE_HALF &&
					    wide_run(c->text, p + 1, s->b1) >=
					        HEADLINE_HALF)
						end = true;
				} else {
					n = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
					if (n > s->b1 - p)
						n = s->b1 - p;
				}
			}
			if (end) {
				size_t ib = ia, qb = qa;

				while (ib < items->n && it[ib].b0 < p)
					ib++;
				while (qb < cues->n && q[qb].b0 < p)
					qb++;
				if (dateline(c->text, a, p)) {
					/* 新华社成都5月13日电: a byline. */
					c->has_carry = false;
					c->loc_pending = false;
				} else if (ib > ia || qb > qa) {
					/* An empty vec has no array: no
					 * arithmetic on its NULL. */
					rc = do_clause(
					    c, it ? it + ia : NULL, ib - ia,
					    q ? q + qa : NULL, qb - qa, a, p);
					if (rc)
						return rc;
				} else {
					/* A clause of other words keeps the
					 * subject (not 在X帮扶下: that names
					 * the next clause's subject). */
					c->loc_pending = false;
					if (c->carry.under)
						c->has_carry = false;
				}
				ia = ib;
				qa = qb;
				a = p + n;
			}
			if (p == s->b1)
				break;
			prev_wide = is_wide_lead(c->text[p]);
			run = c->text[p] == ' ' ? 0 : run + 1;
			p += n;
		}
	}
	rc = listed_prefecture(c, items->p, items->n);
	if (rc == 0)
		rc = pair_places(c, items->p, items->n, cues->p, cues->n);
	for (i = 0; i < items->n; i++) {
		const struct item *x = (struct item *)items->p + i;

		if (x->r && x->role == IT_H && !x->inside_org &&
		    x->r->level <= REG_COUNTY)
			c->last_east[x->r->level] = x->r;
		if (x->r && x->role == IT_R && x->r->level != REG_PROVINCE &&
		    c->rt->role[reg_index(c->rt, x->r)] != ROLE_EAST)
			c->last_west = x->r;
	}
	if (c->has_carry && !c->carry_pending && !c->carry.under &&
	    !c->from_prev) {
		seg_copy(&c->prev, &c->carry);
		c->has_prev = true;
		c->prev_sent = c->sent;
	}
	return rc;
}

/* The prefecture or county the article is about: the main region when
 * it is one; within a main province, the prefecture or county of it
 * named most, strictly more often than any other and at least twice;
 * else NULL. Linear in the mentions (counts by region index). */
static const struct region *
article_area(const struct reg_tables *rt, const struct region *mr,
             const struct mention *m, size_t n_m)
{
	const struct region *best = NULL;
	uint32_t *cnt;
	uint32_t top = 0;
	bool tie = false;
	size_t i;

	if (!mr || mr->level != REG_PROVINCE)
		return mr;
	cnt = calloc(rt->n_regions, sizeof(*cnt));
	if (!cnt)
		return NULL;
	for (i = 0; i < n_m; i++) {
		const struct region *r = m[i].r;
		uint32_t k;

		if (m[i].kind != MEN_REGION || !r || r == mr ||
		    !reg_contains(mr, r))
			continue;
		k = ++cnt[reg_index(rt, r)];
		if (k > top) {
			top = k;
			best = r;
			tie = false;
		} else if (k == top && best != r) {
			tie = true;
		}
	}
	free(cnt);
	return best && !tie && top >= 2 ? best : NULL;
}

int
pair_find(const struct reg_tables *rt, const char *text, size_t len,
          const struct sent *sents, size_t n_sents, const struct mention *m,
          size_t n_m, const struct ext_doc *doc,
          const struct region *main_region, struct arena *ar, struct vec *out)
{
	struct pctx *c;
	struct vec items = VEC_INIT(struct item);
	struct vec cues = VEC_INIT(struct cue);
	size_t s, j = 0;
	int rc = 0;

	(void)len;
	if (!rt || !rt->built || n_m == 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return EXT_ENOMEM;
	c->rt = rt;
	c->text = text;
	c->main_region = main_region;
	c->xpl = doc ? doc->xpl : NULL;
	c->period = period_of(doc ? doc->meta.published : NULL);
	if (east_sides(c, m, n_m) != 0) {
		free(c);
		return EXT_ENOMEM;
	}
	c->ar = ar;
	c->out = out;
	c->spairs = (struct vec)VEC_INIT(struct spair);
	c->area = article_area(rt, main_region, m, n_m);
	for (s = 0; s < n_sents && rc == 0; s++) {
		size_t k = j;

		while (k < n_m && m[k].sent == s)
			k++;
		if (k > j) {
			c->sent = s;
			c->sm = m + j;
			c->snm = k - j;
			c->s0 = sents[s].b0;
			c->s1 = sents[s].b1;
			rc = do_sentence(c, &sents[s], m + j, k - j, &items,
			                 &cues);
		}
		j = k;
	}
	free(c->seen);
	exi_vec_free(&c->spairs);
	free(c);
	exi_vec_free(&items);
	exi_vec_free(&cues);
	return rc;
}
