/* reg_int.h - what the gazetteer (region.c, reg_load.c), its string
 * matcher (reg_ac.c) and the pairing finder (pairing.c) share.
 *
 * Does: define the built tables (divisions, aliases, organisations, cue
 * words, the official pairing list) and an Aho-Corasick automaton over
 * code points with leftmost-longest and per-end scans.
 * Does not: know any article; everything here is read-only once built. */
#ifndef REG_INT_H
#define REG_INT_H

#include "extract_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the matcher: reg_ac.c ------------------------------------------ */
/* Patterns are non-empty UTF-8 strings of at most REG_AC_MAXLEN bytes,
 * each with a 32-bit value. Matching is linear in the text: one hash
 * probe per code point plus the failure steps (amortised) plus the
 * matches reported. */
#define REG_AC_MAXLEN 240
struct reg_ac;
struct reg_ac *reg_ac_new(void); /* NULL on ENOMEM */
void reg_ac_free(struct reg_ac **self_p);
/* Returns 0 (added), 1 (already there: *old gets its value, nothing
 * changes), EXT_EDATA (empty or too long), EXT_ENOMEM. */
int reg_ac_add(struct reg_ac *ac, const char *pat, size_t len, uint32_t val,
               uint32_t *old);
int reg_ac_build(struct reg_ac *ac); /* after the last add; 0 or ENOMEM */

/* fn returns 0 to go on, anything else stops the scan with that value. */
typedef int (*reg_ac_fn)(void *ctx, size_t b0, size_t b1, uint32_t val);
/* Non-overlapping leftmost-longest matches, in text order. */
int reg_ac_longest(const struct reg_ac *ac, const char *text, size_t len,
                   reg_ac_fn fn, void *ctx);
/* For every end position, the longest pattern ending there, in order of
 * end. */
int reg_ac_ends(const struct reg_ac *ac, const char *text, size_t len,
                reg_ac_fn fn, void *ctx);

/* ---- tables ------------------------------------------------------------ */
enum reg_role { ROLE_NONE = 0, ROLE_EAST = 1, ROLE_WEST = 2 };

/* What a gazetteer pattern names. */
enum gaz_kind {
	GZ_REGION = 1, /* cand[a .. a+n): one region, or several to resolve */
	GZ_AMBIG,      /* a stripped base shared by several: needs context */
	GZ_MULTI,      /* an alias naming several regions at once (张承保) */
	GZ_COMPOUND,   /* two abbreviations: helper a, recipient b (粤桂) */
	GZ_PATTERN,    /* a fixed pattern naming one province a (入黔) */
	GZ_JOINT,      /* several helper provinces cand[a .. a+n) (京津) */
	GZ_ORG,        /* a curated organisation, orgs[a] */
	GZ_BLOCK,      /* a word that only stops the names inside it */
};

struct gaz_ent {
	uint8_t kind;
	uint8_t role; /* GZ_PATTERN: ROLE_EAST (helper) or ROLE_WEST */
	uint16_t n;
	uint32_t a, b;
};

/* Organisation types (struct mention.org_type holds one, with the role
 * bits below). */
enum org_type {
	ORG_MINISTRY = 1,
	ORG_CENTRAL,
	ORG_SOE,
	ORG_ENTERPRISE,
	ORG_UNIVERSITY,
	ORG_RESEARCH,
	ORG_HOSPITAL,
	ORG_SCHOOL,
	ORG_CENTRE,
	ORG_BOUNDARY, /* org_suffixes.tsv only: a verb ending the left context
	               */
	ORG_ZONE, /* a development zone or 兵团: not a division, on the side of
	             the division its name holds or it is listed with */
};
#define ORG_TYPE_MASK 0xff
#define ORG_F_HELPER 0x100 /* may help */
#define ORG_F_RECIP 0x200  /* may be helped (schools, hospitals) */
#define ORG_F_REF 0x400    /* 该集团: a word naming one written before */

/* MEN_ABBREV mentions: org_type says which kind of abbreviation. */
enum abv_kind {
	ABV_COMPOUND_H =
	    1,          /* the helper half of a pair compound (粤 of 粤桂) */
	ABV_COMPOUND_R, /* the recipient half (桂 of 粤桂) */
	ABV_PATTERN,    /* a fixed pattern (入黔, 粤企) */
	ABV_JOINT,      /* one of several helpers named together (京津) */
};

struct org_ent {
	const char *name;
	int type;
	const char *full; /* a short form's full name, or NULL */
	int32_t full_idx; /* its row in orgs, or -1 */
};

struct suf_ent {
	int type;
	bool need_region;
	bool ref; /* 该集团: names the last organisation of its type */
};

enum cue_kind {
	CUE_ASSIST = 1,
	CUE_FUNDS,
	CUE_PASSIVE,
	CUE_CONT,
	CUE_SELF,
	CUE_JOIN,
	CUE_FILLER,
	CUE_BLOCK,
	CUE_UNDER,
	CUE_EACH,    /* 分别: the helpers go one by one with the recipients */
	CUE_PAIRREF, /* 两地: the two sides of the article's pairing (a
	                filler between names and cues) */
	CUE_THIS,    /* 该市: the helper of that level named last */
	CUE_HERE,    /* 这里: the place below province level named last */
};
#define CUE_F_MAIN 1
#define CUE_F_DESIGNATED 2
#define CUE_F_HANDOVER 4
#define CUE_F_WEAK 8 /* alone, not enough for a central unit */
/* 援建: a school or hospital named after it is the project; its site is
 * the recipient */
#define CUE_F_BUILD 16
#define CUE_F_REGION 32 /* 签订: enough between divisions only */
/* 对口支援, 援藏 ...: relation other unless the two sides are an East-West
 * pair (SPEC rule 14) */
#define CUE_F_OTHER 64
/* 两省, 两地: the two sides of a pair just named (鲁青两省) or of the
 * article's pairing */
#define CUE_F_PAIR 128

struct cue_ent {
	uint8_t kind, flags;
	uint8_t len; /* bytes */
};

#define PERIOD_2016 1 /* 2016-2020 */
#define PERIOD_2021 2 /* 2021- */

struct official {
	uint32_t h, r; /* region indices */
	unsigned period;
};

struct reg_tables {
	/* Raw copies of the data files until every one is there. */
	char *raw[12];
	size_t raw_len[12];
	bool built;

	struct region *regions; /* sorted by code */
	size_t n_regions;
	uint8_t *role; /* per region, by its province */
	char *pool;    /* region names */

	struct reg_ac *gaz, *suf, *cue;
	struct gaz_ent *ents;
	size_t n_ents, cap_ents;
	uint32_t *cand;
	size_t n_cand, cap_cand;
	struct org_ent *orgs;
	size_t n_orgs;
	char *org_pool;
	struct suf_ent *sufs;
	size_t n_sufs;
	struct cue_ent *cues;
	size_t n_cues;
	struct official *off;
	size_t n_off;
	/* Every province abbreviation (province_abbrev.tsv): 援藏 names
	 * Tibet's side in pairing.c. */
	struct {
		char s[8];
		uint32_t r; /* region index */
	} abv[64];
	size_t n_abv;
};

/* Index of r in rt->regions. */
static inline uint32_t
reg_index(const struct reg_tables *rt, const struct region *r)
{
	return (uint32_t)(r - rt->regions);
}

/* True when a is b or one of b's ancestors. */
static inline bool
reg_contains(const struct region *a, const struct region *b)
{
	for (; b; b = b->parent)
		if (a == b)
			return true;
	return false;
}

/* A province-level city (北京市, 重庆市): its name ends in 市. */
static inline bool
reg_is_city(const struct region *r)
{
	size_t n = strlen(r->name);

	return n >= 3 && !memcmp(r->name + n - 3, "市", 3);
}

static inline const struct region *
reg_province(const struct region *r)
{
	while (r && r->parent)
		r = r->parent;
	return r;
}

#endif
