/* reg_load.c - builds the gazetteer, organisation, cue and official
 * pairing tables from the data files (see data/README.md and
 * data/DIVISIONS.md for their formats).
 *
 * The files arrive one by one in name order; their contents are kept
 * until all of them are there, then everything is built at once (again
 * if a file comes twice). */
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const files[] = {
	"divisions.tsv",
	"province_abbrev.tsv",
	"short_name_collisions.tsv",
	"official_pairings.tsv",
	"region_aliases.tsv",
	"region_roles.tsv",
	"abbrev_patterns.tsv",
	"organisations.tsv",
	"org_suffixes.tsv",
	"pairing_cues.tsv",
};
enum {
	F_DIV,
	F_ABBREV,
	F_COLL,
	F_OFFICIAL,
	F_ALIAS,
	F_ROLES,
	F_PATTERNS,
	F_ORGS,
	F_SUFFIX,
	F_CUES,
	N_FILES
};

/* ---- TSV lines ------------------------------------------------------- */
#define MAXF 8

struct line {
	char *f[MAXF];
	size_t n;
	size_t lineno;
};

/* The next data line of buf (modified in place, see exi_tsv_split()), the
 * first line (the header) skipped; missing fields are "". Returns false at
 * the end. */
static bool
next_line(char **pos, char *end, struct line *l)
{
	size_t n;

	while ((n = exi_tsv_split(pos, end, l->f, MAXF, &l->lineno)) > 0) {
		if (l->lineno == 1)
			continue;
		l->n = n < MAXF ? n : MAXF;
		for (size_t i = l->n; i < MAXF; i++)
			l->f[i] = "";
		return true;
	}
	return false;
}

static bool
is_code(const char *s)
{
	size_t i;

	for (i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[6] == '\0';
}

/* ---- building helpers ------------------------------------------------ */
static int
cmp_region(const void *a, const void *b)
{
	return strcmp(((const struct region *)a)->code,
	              ((const struct region *)b)->code);
}

static const struct region *
find_code(const struct reg_tables *t, const char *code)
{
	struct region key;

	if (!t->regions || strlen(code) != 6)
		return NULL;
	memcpy(key.code, code, 7);
	return bsearch(&key, t->regions, t->n_regions, sizeof(key), cmp_region);
}

const struct region *
reg_by_code(const struct reg_tables *rt, const char *code)
{
	return rt && code ? find_code(rt, code) : NULL;
}

static int
push_ent(struct reg_tables *t, struct gaz_ent e, uint32_t *idx)
{
	if (t->n_ents == t->cap_ents) {
		size_t nc = t->cap_ents ? 2 * t->cap_ents : 4096;
		struct gaz_ent *p = realloc(t->ents, nc * sizeof(*p));

		if (!p)
			return EXT_ENOMEM;
		t->ents = p;
		t->cap_ents = nc;
	}
	t->ents[t->n_ents] = e;
	*idx = (uint32_t)t->n_ents++;
	return 0;
}

static int
push_cand(struct reg_tables *t, uint32_t r)
{
	if (t->n_cand == t->cap_cand) {
		size_t nc = t->cap_cand ? 2 * t->cap_cand : 4096;
		uint32_t *p = realloc(t->cand, nc * sizeof(*p));

		if (!p)
			return EXT_ENOMEM;
		t->cand = p;
		t->cap_cand = nc;
	}
	t->cand[t->n_cand++] = r;
	return 0;
}

/* Adds a gazetteer pattern naming one region. A full name shared by
 * several divisions (鼓楼区) gets all of them as candidates; any other
 * clash keeps the first pattern (blocks, aliases and full names are added
 * before short and derived forms, so they win). */
static int
add_region_pat(struct reg_tables *t, const char *s, size_t len, uint32_t r,
               bool merge)
{
	uint32_t idx, old;
	struct gaz_ent e = { GZ_REGION, 0, 1, 0, 0 };
	int rc;

	if (merge) {
		/* A shared full name: the candidates of one entry must be
		 * contiguous, so rebuild its list at the end of cand. */
		idx = (uint32_t)t->n_ents;
		rc = reg_ac_add(t->gaz, s, len, idx, &old);
		if (rc == 1) {
			struct gaz_ent *o = &t->ents[old];
			size_t a = t->n_cand, k;

			if (o->kind != GZ_REGION)
				return 0;
			for (k = 0; k < o->n; k++)
				if ((rc = push_cand(t, t->cand[o->a + k])) != 0)
					return rc;
			if ((rc = push_cand(t, r)) != 0)
				return rc;
			o = &t->ents[old];
			o->a = (uint32_t)a;
			o->n++;
			return 0;
		}
		if (rc != 0)
			return rc;
		e.a = (uint32_t)t->n_cand;
		if ((rc = push_cand(t, r)) != 0)
			return rc;
		return push_ent(t, e, &idx);
	}
	idx = (uint32_t)t->n_ents;
	rc = reg_ac_add(t->gaz, s, len, idx, &old);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	e.a = (uint32_t)t->n_cand;
	if ((rc = push_cand(t, r)) != 0)
		return rc;
	return push_ent(t, e, &idx);
}

/* Adds a pattern with a prepared entry (its candidates already pushed). */
static int
add_pat(struct reg_tables *t, const char *s, size_t len, struct gaz_ent e)
{
	uint32_t idx = (uint32_t)t->n_ents, old;
	int rc = reg_ac_add(t->gaz, s, len, idx, &old);

	if (rc == 1)
		return 0;
	if (rc != 0)
		return rc;
	return push_ent(t, e, &idx);
}

static bool
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && memcmp(s + a - b, suf, b) == 0;
}

/* ---- the files ------------------------------------------------------- */
struct tmpreg {
	struct region r;
	char pcode[7];
};

static int
cmp_tmpreg(const void *a, const void *b)
{
	return strcmp(((const struct tmpreg *)a)->r.code,
	              ((const struct tmpreg *)b)->r.code);
}

static int
load_divisions(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	size_t n = 0, i;
	struct tmpreg *tmp;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	tmp = calloc(n + 1, sizeof(*tmp));
	t->regions = calloc(n + 1, sizeof(*t->regions));
	if (!tmp || !t->regions) {
		free(tmp);
		return EXT_ENOMEM;
	}
	n = 0;
	while (next_line(&pos, buf + len, &l)) {
		struct tmpreg *x = &tmp[n];
		const char *lv = l.f[3];

		if (l.n < 4 || !is_code(l.f[0]) || !*l.f[1] || !*l.f[2] ||
		    (*l.f[4] && !is_code(l.f[4]))) {
			*errline = l.lineno;
			free(tmp);
			return EXT_EDATA;
		}
		memcpy(x->r.code, l.f[0], 7);
		x->r.name = l.f[1];
		x->r.short_name = l.f[2];
		x->r.level = !strcmp(lv, "province")     ? REG_PROVINCE
		             : !strcmp(lv, "prefecture") ? REG_PREFECTURE
		                                         : REG_COUNTY;
		memcpy(x->pcode, *l.f[4] ? l.f[4] : "", *l.f[4] ? 7 : 1);
		n++;
	}
	qsort(tmp, n, sizeof(*tmp), cmp_tmpreg);
	for (i = 0; i < n; i++)
		t->regions[i] = tmp[i].r;
	t->n_regions = n;
	for (i = 0; i < n; i++) {
		if (!tmp[i].pcode[0])
			continue;
		t->regions[i].parent = find_code(t, tmp[i].pcode);
		if (!t->regions[i].parent) {
			free(tmp);
			*errline = 0;
			return EXT_EDATA;
		}
	}
	free(tmp);
	return 0;
}

/* Abbreviations: abbr[i] is the official one of province i (or 0),
 * alt lists every (abbreviation, province) row. */
struct abbrevs {
	struct {
		char s[8];
		uint32_t r;
		bool primary;
	} row[64];
	size_t n;
};

static int
load_abbrevs(struct reg_tables *t, char *buf, size_t len, struct abbrevs *ab,
             size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;

	ab->n = 0;
	while (next_line(&pos, buf + len, &l)) {
		const struct region *r = find_code(t, l.f[0]);
		size_t k;
		bool primary = true;

		if (!r || !*l.f[1] || strlen(l.f[1]) >= 8 ||
		    ab->n == sizeof(ab->row) / sizeof(ab->row[0])) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		for (k = 0; k < ab->n; k++)
			if (ab->row[k].r == reg_index(t, r))
				primary = false;
		strcpy(ab->row[ab->n].s, l.f[1]);
		ab->row[ab->n].r = reg_index(t, r);
		ab->row[ab->n].primary = primary;
		ab->n++;
	}
	return 0;
}

static int
load_official(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	t->off = calloc(n + 1, sizeof(*t->off));
	if (!t->off)
		return EXT_ENOMEM;
	while (next_line(&pos, buf + len, &l)) {
		const struct region *h = find_code(t, l.f[1]);
		const struct region *r = find_code(t, l.f[3]);
		unsigned p = !strcmp(l.f[0], "2016-2020") ? PERIOD_2016
		             : !strcmp(l.f[0], "2021-")   ? PERIOD_2021
		                                          : 0;

		if (!h || !r || !p) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		t->off[t->n_off].h = reg_index(t, h);
		t->off[t->n_off].r = reg_index(t, r);
		t->off[t->n_off].period = p;
		t->n_off++;
	}
	return 0;
}

static int
set_roles(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	uint8_t *prov_role;
	size_t i;

	t->role = calloc(t->n_regions + 1, 1);
	prov_role = calloc(t->n_regions + 1, 1);
	if (!t->role || !prov_role) {
		free(prov_role);
		return EXT_ENOMEM;
	}
	for (i = 0; i < t->n_off; i++) {
		uint32_t hp =
		    reg_index(t, reg_province(&t->regions[t->off[i].h]));
		uint32_t rp =
		    reg_index(t, reg_province(&t->regions[t->off[i].r]));

		prov_role[hp] = ROLE_EAST;
		if (prov_role[rp] != ROLE_EAST)
			prov_role[rp] = ROLE_WEST;
	}
	while (next_line(&pos, buf + len, &l)) {
		const struct region *r = find_code(t, l.f[0]);

		if (!r || r->parent ||
		    (strcmp(l.f[1], "east") && strcmp(l.f[1], "west"))) {
			*errline = l.lineno;
			free(prov_role);
			return EXT_EDATA;
		}
		prov_role[reg_index(t, r)] =
		    !strcmp(l.f[1], "east") ? ROLE_EAST : ROLE_WEST;
	}
	for (i = 0; i < t->n_regions; i++)
		t->role[i] =
		    prov_role[reg_index(t, reg_province(&t->regions[i]))];
	free(prov_role);
	return 0;
}

/* Blocks and generic words first: they must win over the names they
 * contain or equal. Then aliases (one or several codes). */
static int
load_aliases(struct reg_tables *t, char *buf, size_t len, bool blocks,
             size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	int rc;

	while (next_line(&pos, buf + len, &l)) {
		const char *kind = l.f[2];
		bool blk = !strcmp(kind, "block") || !strcmp(kind, "generic");
		struct gaz_ent e = { 0, 0, 0, 0, 0 };
		char *c;

		if (!blk && strcmp(kind, "alias") && strcmp(kind, "old")) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		if (blk != blocks)
			continue;
		if (blk) {
			e.kind = GZ_BLOCK;
			if ((rc = add_pat(t, l.f[0], strlen(l.f[0]), e)) != 0)
				goto bad;
			continue;
		}
		e.kind = GZ_REGION;
		e.a = (uint32_t)t->n_cand;
		for (c = l.f[1]; *c;) {
			char code[7];
			const struct region *r;

			memcpy(code, c, 6);
			code[6] = '\0';
			r = strlen(c) >= 6 ? find_code(t, code) : NULL;
			if (!r || (c[6] && c[6] != ',')) {
				*errline = l.lineno;
				return EXT_EDATA;
			}
			if ((rc = push_cand(t, reg_index(t, r))) != 0)
				return rc;
			e.n++;
			c += c[6] ? 7 : 6;
		}
		if (e.n == 0) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		if (e.n > 1)
			e.kind = GZ_MULTI;
		if ((rc = add_pat(t, l.f[0], strlen(l.f[0]), e)) != 0)
			goto bad;
	}
	return 0;
bad:
	*errline = l.lineno;
	return rc;
}

/* The base of a same-level clash (台江 for 台江县 and 台江区) names one of
 * them: which, the article's other regions decide. Ordinary words and
 * forms that yield to a higher level are not added. */
static int
load_collisions(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	int rc;

	while (next_line(&pos, buf + len, &l)) {
		const struct region *r = find_code(t, l.f[1]);
		uint32_t idx = (uint32_t)t->n_ents, old;
		struct gaz_ent e = { GZ_AMBIG, 0, 1, 0, 0 };

		if (!r) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		if (!strstr(l.f[4], "same-level"))
			continue;
		rc = reg_ac_add(t->gaz, l.f[0], strlen(l.f[0]), idx, &old);
		if (rc == 1) {
			struct gaz_ent *o = &t->ents[old];
			size_t a = t->n_cand, k;

			if (o->kind != GZ_AMBIG)
				continue;
			for (k = 0; k < o->n; k++)
				if ((rc = push_cand(t, t->cand[o->a + k])) != 0)
					return rc;
			if ((rc = push_cand(t, reg_index(t, r))) != 0)
				return rc;
			o = &t->ents[old];
			o->a = (uint32_t)a;
			o->n++;
			continue;
		}
		if (rc != 0)
			return rc;
		e.a = (uint32_t)t->n_cand;
		if ((rc = push_cand(t, reg_index(t, r))) != 0 ||
		    (rc = push_ent(t, e, &idx)) != 0)
			return rc;
	}
	return 0;
}

static const char *
find_abbrev(const struct abbrevs *ab, uint32_t prov, bool primary_only)
{
	size_t k;

	for (k = 0; k < ab->n; k++)
		if (ab->row[k].r == prov &&
		    (!primary_only || ab->row[k].primary))
			return ab->row[k].s;
	return NULL;
}

static int
add_compound(struct reg_tables *t, const char *a, const char *b, uint32_t h,
             uint32_t r)
{
	char s[16];
	struct gaz_ent e = { GZ_COMPOUND, 0, 0, h, r };

	if (strlen(a) + strlen(b) >= sizeof(s))
		return 0;
	strcpy(s, a);
	strcat(s, b);
	return add_pat(t, s, strlen(s), e);
}

/* Pair compounds from the official list (粤桂, 津冀 ...), then the fixed
 * patterns of abbrev_patterns.tsv. */
static int
load_patterns(struct reg_tables *t, char *buf, size_t len,
              const struct abbrevs *ab, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf, *never = NULL;
	size_t i, nlen = 0;
	int rc;

	for (i = 0; i < t->n_off; i++) {
		uint32_t hp =
		    reg_index(t, reg_province(&t->regions[t->off[i].h]));
		uint32_t rp =
		    reg_index(t, reg_province(&t->regions[t->off[i].r]));
		const char *a = find_abbrev(ab, hp, true);
		const char *b = find_abbrev(ab, rp, true);

		if (a && b && hp != rp &&
		    (rc = add_compound(t, a, b, hp, rp)) != 0)
			return rc;
	}
	/* First pass: the characters never used for '*'. */
	never = malloc(len + 1);
	if (!never)
		return EXT_ENOMEM;
	never[0] = '\0';
	{
		char *copy = malloc(len + 1), *p2;
		struct line l2 = { { 0 }, 0, 0 };

		if (!copy) {
			free(never);
			return EXT_ENOMEM;
		}
		memcpy(copy, buf, len);
		p2 = copy;
		while (next_line(&p2, copy + len, &l2))
			if (!strcmp(l2.f[1], "never")) {
				strcpy(never + nlen, l2.f[0]);
				nlen += strlen(l2.f[0]);
				never[nlen++] = '|';
				never[nlen] = '\0';
			}
		free(copy);
	}
	while (next_line(&pos, buf + len, &l)) {
		const char *pat = l.f[0], *role = l.f[1],
		           *star = strchr(pat, '*');

		if (!strcmp(role, "never"))
			continue;
		if (star &&
		    (!strcmp(role, "helper") || !strcmp(role, "recipient"))) {
			uint8_t want =
			    !strcmp(role, "helper") ? ROLE_EAST : ROLE_WEST;

			for (i = 0; i < ab->n; i++) {
				char s[32], probe[16];
				struct gaz_ent e = { GZ_PATTERN, want, 0,
					             ab->row[i].r, 0 };

				if (!ab->row[i].primary ||
				    t->role[ab->row[i].r] != want)
					continue;
				strcpy(probe, ab->row[i].s); /* < 8 bytes */
				strcat(probe, "|");
				if (strstr(never, probe) &&
				    (strstr(never, probe) == never ||
				     strstr(never, probe)[-1] == '|'))
					continue;
				if (strlen(pat) + strlen(ab->row[i].s) >=
				    sizeof(s))
					continue;
				memcpy(s, pat, (size_t)(star - pat));
				strcpy(s + (star - pat), ab->row[i].s);
				strcat(s, star + 1);
				if ((rc = add_pat(t, s, strlen(s), e)) != 0)
					goto bad;
			}
			continue;
		}
		if (star ||
		    (strcmp(role, "joint") && strcmp(role, "pair") &&
		     strcmp(role, "recipient") && strcmp(role, "helper"))) {
			rc = EXT_EDATA;
			goto bad;
		}
		{
			/* A literal: its abbreviations, in order. */
			uint32_t found[8];
			size_t nf = 0, off = 0, plen = strlen(pat);
			struct gaz_ent e = { 0, 0, 0, 0, 0 };

			while (off < plen && nf < 8) {
				size_t k, m = 0;

				for (k = 0; k < ab->n; k++) {
					size_t al = strlen(ab->row[k].s);

					if (!strncmp(pat + off, ab->row[k].s,
					             al)) {
						found[nf++] = ab->row[k].r;
						m = al;
						break;
					}
				}
				if (!m)
					exi_u8_dec(pat + off, plen - off, &m);
				off += m;
			}
			if (!strcmp(role, "pair")) {
				if (nf != 2) {
					rc = EXT_EDATA;
					goto bad;
				}
				e.kind = GZ_COMPOUND;
				e.a = found[0];
				e.b = found[1];
			} else if (!strcmp(role, "joint")) {
				e.kind = GZ_JOINT;
				e.a = (uint32_t)t->n_cand;
				for (i = 0; i < nf; i++)
					if ((rc = push_cand(t, found[i])) != 0)
						goto bad;
				e.n = (uint16_t)nf;
			} else {
				if (nf != 1) {
					rc = EXT_EDATA;
					goto bad;
				}
				e.kind = GZ_PATTERN;
				e.role = !strcmp(role, "helper") ? ROLE_EAST
				                                 : ROLE_WEST;
				e.a = found[0];
			}
			if (nf == 0) {
				rc = EXT_EDATA;
				goto bad;
			}
			if ((rc = add_pat(t, pat, plen, e)) != 0)
				goto bad;
		}
	}
	free(never);
	return 0;
bad:
	free(never);
	*errline = l.lineno;
	return rc;
}

static int
org_type_of(const char *s)
{
	static const char *const names[] = {
		"",           "ministry",   "central",  "soe",
		"enterprise", "university", "research", "hospital",
		"school",     "centre",     "boundary", "zone",
	};
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return 0;
}

static int
load_orgs(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	size_t n = 0, i;
	int rc;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	t->orgs = calloc(n + 1, sizeof(*t->orgs));
	if (!t->orgs)
		return EXT_ENOMEM;
	while (next_line(&pos, buf + len, &l)) {
		int type = org_type_of(l.f[1]);
		struct gaz_ent e = { GZ_ORG, 0, 0, (uint32_t)t->n_orgs, 0 };

		if (!type || type == ORG_BOUNDARY || !*l.f[0]) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		t->orgs[t->n_orgs].name = l.f[0];
		t->orgs[t->n_orgs].type = type;
		t->orgs[t->n_orgs].full = *l.f[2] ? l.f[2] : NULL;
		t->orgs[t->n_orgs].full_idx = -1;
		t->n_orgs++;
		if ((rc = add_pat(t, l.f[0], strlen(l.f[0]), e)) != 0)
			goto bad;
		if (ends_with(l.f[0], "部")) {
			char s[REG_AC_MAXLEN + 8];
			struct gaz_ent b = { GZ_BLOCK, 0, 0, 0, 0 };

			if (strlen(l.f[0]) + 4 < sizeof(s)) {
				strcpy(s, l.f[0]);
				strcat(s, "门");
				if ((rc = add_pat(t, s, strlen(s), b)) != 0)
					goto bad;
			}
		}
	}
	/* A short form's full name must be a row of its own. */
	for (i = 0; i < t->n_orgs; i++) {
		size_t k;

		if (!t->orgs[i].full)
			continue;
		for (k = 0; k < t->n_orgs; k++)
			if (!strcmp(t->orgs[k].name, t->orgs[i].full))
				t->orgs[i].full_idx = (int32_t)k;
		if (t->orgs[i].full_idx < 0)
			return EXT_EDATA;
	}
	return 0;
bad:
	*errline = l.lineno;
	return rc;
}

static int
load_suffixes(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	size_t n = 0, i;
	int rc;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	t->sufs = calloc(n + 1, sizeof(*t->sufs));
	if (!t->sufs)
		return EXT_ENOMEM;
	while (next_line(&pos, buf + len, &l)) {
		int type = org_type_of(l.f[1]);
		uint32_t old;

		if (!type || type == ORG_MINISTRY || type == ORG_CENTRAL ||
		    type == ORG_SOE ||
		    (strcmp(l.f[2], "any") && strcmp(l.f[2], "region") &&
		     strcmp(l.f[2], "ref"))) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		t->sufs[t->n_sufs].type = type;
		t->sufs[t->n_sufs].need_region = !strcmp(l.f[2], "region");
		t->sufs[t->n_sufs].ref = !strcmp(l.f[2], "ref");
		rc = reg_ac_add(t->suf, l.f[0], strlen(l.f[0]),
		                (uint32_t)t->n_sufs, &old);
		if (rc < 0) {
			*errline = l.lineno;
			return rc;
		}
		t->n_sufs += rc == 0;
	}
	return 0;
}

static int
load_cues(struct reg_tables *t, char *buf, size_t len, size_t *errline)
{
	static const char *const kinds[] = {
		"",     "assist",  "funds",  "passive", "cont",
		"self", "join",    "filler", "block",   "under",
		"each", "pairref", "this",   "here",
	};
	struct line l = { { 0 }, 0, 0 };
	char *pos = buf;
	size_t n = 0, i;
	int rc;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	t->cues = calloc(n + 1, sizeof(*t->cues));
	if (!t->cues)
		return EXT_ENOMEM;
	while (next_line(&pos, buf + len, &l)) {
		int kind = 0;
		uint8_t flags = 0;
		uint32_t old;

		for (i = 1; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(l.f[1], kinds[i]))
				kind = (int)i;
		if (strstr(l.f[2], "main"))
			flags |= CUE_F_MAIN;
		if (strstr(l.f[2], "designated"))
			flags |= CUE_F_DESIGNATED;
		if (strstr(l.f[2], "handover"))
			flags |= CUE_F_HANDOVER;
		if (strstr(l.f[2], "weak"))
			flags |= CUE_F_WEAK;
		if (strstr(l.f[2], "build"))
			flags |= CUE_F_BUILD;
		if (strstr(l.f[2], "regions"))
			flags |= CUE_F_REGION;
		if (strstr(l.f[2], "other"))
			flags |= CUE_F_OTHER;
		if (strstr(l.f[2], "pair"))
			flags |= CUE_F_PAIR;
		if (!kind || !*l.f[0] || strlen(l.f[0]) > 64) {
			*errline = l.lineno;
			return EXT_EDATA;
		}
		t->cues[t->n_cues].kind = (uint8_t)kind;
		t->cues[t->n_cues].flags = flags;
		t->cues[t->n_cues].len = (uint8_t)strlen(l.f[0]);
		rc = reg_ac_add(t->cue, l.f[0], strlen(l.f[0]),
		                (uint32_t)t->n_cues, &old);
		if (rc < 0) {
			*errline = l.lineno;
			return rc;
		}
		t->n_cues += rc == 0;
	}
	return 0;
}

/* Derived forms: an autonomous prefecture as <short>州 (临夏州), an
 * autonomous county or banner as <short>县 / <short>旗 (三都县). */
static int
add_derived(struct reg_tables *t)
{
	size_t i;
	int rc;

	for (i = 0; i < t->n_regions; i++) {
		const struct region *r = &t->regions[i];
		const char *add = NULL;
		char s[REG_AC_MAXLEN + 8];

		if (!strcmp(r->short_name, r->name))
			continue;
		if (ends_with(r->name, "自治州"))
			add = "州";
		else if (ends_with(r->name, "自治县"))
			add = "县";
		else if (ends_with(r->name, "自治旗"))
			add = "旗";
		if (!add || strlen(r->short_name) + 4 >= sizeof(s))
			continue;
		strcpy(s, r->short_name);
		strcat(s, add);
		if ((rc = add_region_pat(t, s, strlen(s), (uint32_t)i,
		                         false)) != 0)
			return rc;
	}
	return 0;
}

static void
clear_built(struct reg_tables *t)
{
	free(t->regions);
	free(t->role);
	free(t->pool);
	reg_ac_free(&t->gaz);
	reg_ac_free(&t->suf);
	reg_ac_free(&t->cue);
	free(t->ents);
	free(t->cand);
	free(t->orgs);
	free(t->org_pool);
	free(t->sufs);
	free(t->cues);
	free(t->off);
	memset(&t->regions, 0,
	       sizeof(*t) - offsetof(struct reg_tables, regions));
	t->built = false;
}

/* The pool holds one writable copy of every file: the names point into
 * it. */
static int
build(struct reg_tables *t, size_t *errline)
{
	size_t off[N_FILES], total = 0, i;
	char *b[N_FILES];
	struct abbrevs ab;
	int rc;

	for (i = 0; i < N_FILES; i++) {
		off[i] = total;
		total += t->raw_len[i] + 1;
	}
	t->pool = malloc(total);
	t->gaz = reg_ac_new();
	t->suf = reg_ac_new();
	t->cue = reg_ac_new();
	if (!t->pool || !t->gaz || !t->suf || !t->cue)
		return EXT_ENOMEM;
	for (i = 0; i < N_FILES; i++) {
		b[i] = t->pool + off[i];
		memcpy(b[i], t->raw[i], t->raw_len[i]);
		b[i][t->raw_len[i]] = '\0';
	}
#define LEN(k) t->raw_len[k]
	if ((rc = load_divisions(t, b[F_DIV], LEN(F_DIV), errline)) != 0 ||
	    (rc = load_official(t, b[F_OFFICIAL], LEN(F_OFFICIAL), errline)) ||
	    (rc = set_roles(t, b[F_ROLES], LEN(F_ROLES), errline)) ||
	    (rc = load_abbrevs(t, b[F_ABBREV], LEN(F_ABBREV), &ab, errline)))
		return rc;
	for (i = 0; i < ab.n; i++) {
		memcpy(t->abv[i].s, ab.row[i].s, sizeof(t->abv[i].s));
		t->abv[i].r = ab.row[i].r;
	}
	t->n_abv = ab.n;
	/* Aliases are parsed twice (blocks first), so keep a copy. */
	{
		char *copy = malloc(LEN(F_ALIAS) + 1);

		if (!copy)
			return EXT_ENOMEM;
		memcpy(copy, t->raw[F_ALIAS], LEN(F_ALIAS));
		rc = load_aliases(t, copy, LEN(F_ALIAS), true, errline);
		free(copy);
		if (rc)
			return rc;
	}
	if ((rc = load_orgs(t, b[F_ORGS], LEN(F_ORGS), errline)) ||
	    (rc = load_aliases(t, b[F_ALIAS], LEN(F_ALIAS), false, errline)))
		return rc;
	for (i = 0; i < t->n_regions; i++) {
		const char *nm = t->regions[i].name;

		if ((rc = add_region_pat(t, nm, strlen(nm), (uint32_t)i, true)))
			return rc;
	}
	for (i = 0; i < t->n_regions; i++) {
		const char *sn = t->regions[i].short_name;

		if (strcmp(sn, t->regions[i].name) &&
		    (rc =
		         add_region_pat(t, sn, strlen(sn), (uint32_t)i, false)))
			return rc;
	}
	if ((rc = load_collisions(t, b[F_COLL], LEN(F_COLL), errline)) ||
	    (rc = add_derived(t)) ||
	    (rc = load_patterns(t, b[F_PATTERNS], LEN(F_PATTERNS), &ab,
	                        errline)) ||
	    (rc = load_suffixes(t, b[F_SUFFIX], LEN(F_SUFFIX), errline)) ||
	    (rc = load_cues(t, b[F_CUES], LEN(F_CUES), errline)))
		return rc;
#undef LEN
	if ((rc = reg_ac_build(t->gaz)) || (rc = reg_ac_build(t->suf)) ||
	    (rc = reg_ac_build(t->cue)))
		return rc;
	t->built = true;
	return 0;
}

int
reg_tables_add(struct reg_tables **tp, const char *name, const char *buf,
               size_t len, size_t *errline)
{
	struct reg_tables *t;
	size_t i, k = N_FILES;
	char *copy;
	int rc;

	for (i = 0; i < N_FILES; i++)
		if (!strcmp(name, files[i]))
			k = i;
	if (k == N_FILES)
		return 1;
	if (!*tp && !(*tp = calloc(1, sizeof(**tp))))
		return EXT_ENOMEM;
	t = *tp;
	copy = malloc(len + 1);
	if (!copy)
		return EXT_ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	free(t->raw[k]);
	t->raw[k] = copy;
	t->raw_len[k] = len;
	for (i = 0; i < N_FILES; i++)
		if (!t->raw[i])
			return 0;
	clear_built(t);
	if (errline)
		*errline = 0;
	{
		size_t dummy = 0;

		rc = build(t, errline ? errline : &dummy);
	}
	if (rc != 0)
		clear_built(t);
	return rc;
}

void
reg_tables_free(struct reg_tables **tp)
{
	size_t i;

	if (!tp || !*tp)
		return;
	clear_built(*tp);
	for (i = 0; i < N_FILES; i++)
		free((*tp)->raw[i]);
	free(*tp);
	*tp = NULL;
}

int
reg_tables_check(const struct reg_tables *t, const char **missing)
{
	size_t i;

	for (i = 0; i < N_FILES; i++)
		if (!t || !t->raw[i]) {
			if (missing)
				*missing = files[i];
			return EXT_EDATA;
		}
	if (!t->built) {
		if (missing)
			*missing = "a consistent gazetteer";
		return EXT_EDATA;
	}
	return 0;
}
