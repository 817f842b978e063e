/* figure.c - finds figures: quantities with a unit or measure word, their
 * exact value, unit, approximation, metric, category and year.
 *
 * Does: read units.tsv (measure words), categories.tsv (keywords to
 * category) and figure_words.tsv (approximation markers, exclusion
 * contexts, people nouns) into code point tries at load time; scan each
 * sentence once for keywords, labels and short quotations, then once for
 * numbers, looking only a bounded distance before and after each one, so
 * the cost is linear in the sentence.
 *
 * Does not: know any word itself (all words come from the data files),
 * link figures to regions or pairings (extract.c), or convert offsets to
 * code points. */
#include "extract_int.h"
#include "fig_int.h"

#include <stdlib.h>
#include <string.h>

#define TRIE_MAX_DEPTH 32  /* code points in one data key */
#define TRIE_DENSE_ROOT 32 /* root edges that earn a direct table */
#define QUOTE_MAX 16       /* code points: a longer quotation is speech */
#define PEOPLE_WINDOW 8    /* code points between 万 and its noun */
#define RANGE_MAX 8        /* numbers chained by 至 、 - before a unit */
#define METRIC_MAX 12      /* code points of a metric */
/* A keyword in the figure's own clause outranks one elsewhere in the
 * sentence by this much (categories.tsv priorities are on this scale). */
#define CLAUSE_BONUS 20
/* categories.tsv category "-": a keyword that hides the shorter ones in
 * it and gives no category (下降到 is a level, not the fall 下降) */
#define CAT_NONE (-2)

/* ---- vocabularies fixed by the contract -------------------------------- */

static const char *const cat_names[] = {
	"fiscal_aid",    "social_aid",  "investment",     "enterprises",
	"projects",      "consumption", "employment",     "training",
	"personnel",     "population",  "infrastructure", "education_health",
	"pairing_count", "share",       "growth",         "other",
};
#define N_CATS (int)(sizeof(cat_names) / sizeof(cat_names[0]))
#define CAT_OTHER (N_CATS - 1)

/* Kinds of unit, the link between units.tsv and categories.tsv. */
static const char *const kind_names[] = {
	"money",   "people", "household", "count", "place",  "org",    "event",
	"percent", "point",  "multiple",  "area",  "length", "weight", "volume",
	"variety", "level",  "energy",    "time",  "other",
};
#define N_KINDS (int)(sizeof(kind_names) / sizeof(kind_names[0]))
/* indices into kind_names */
#define KIND_PEOPLE 1
#define KIND_PLACE 4
#define KIND_PERCENT 7
#define KIND_POINT 8
#define KIND_TIME 17

/* Classes of figure_words.tsv, and where each is looked up: before the
 * number (keys stored reversed), after it, or everywhere in the sentence. */
enum {
	DIR_BACK = 1,
	DIR_FWD = 2,
	DIR_SCAN = 4,
	DIR_PEOPLE = 8,
	DIR_PREFIX = 16,
	DIR_CATB = 32,
	DIR_UNITB = 64
};
enum {
	W_APPROX_BEFORE,
	W_NOT_APPROX,
	W_APPROX_MID,
	W_APPROX_AFTER,
	W_ORDINAL,
	W_VAGUE,
	W_ONE_COUNT,
	W_ARTICLE_UNIT,
	W_LABEL,
	W_AFTER_BLOCK,
	W_RANGE,
	W_PEOPLE,
	W_PREFIX_UNIT,
	W_TRIM,
	W_CLAUSE_CONT,
	W_CAT_BEFORE,
	W_UNIT_NOUN,
	W_UNIT_BEFORE,
	W_ONE_BLOCK,
	N_WCLASS
};
static const struct {
	const char *name;
	int dir;
	int payload; /* the third column is required */
} wclasses[N_WCLASS] = {
	{ "approx_before", DIR_BACK, 0 },
	{ "not_approx", DIR_BACK, 0 },
	{ "approx_mid", DIR_FWD, 0 },
	{ "approx_after", DIR_FWD, 0 },
	{ "ordinal_before", DIR_BACK, 0 },
	{ "vague_before", DIR_BACK, 0 },
	{ "one_count_before", DIR_BACK, 0 },
	{ "article_unit", DIR_FWD, 0 },
	{ "label", DIR_SCAN, 0 },
	{ "after_block", DIR_FWD, 0 },
	{ "range", DIR_FWD, 0 },
	{ "people_noun", DIR_PEOPLE, 1 },
	{ "prefix_unit", DIR_PREFIX, 1 },
	{ "metric_trim", DIR_FWD | DIR_BACK, 0 },
	{ "clause_continue", DIR_FWD, 0 },
	{ "category_before", DIR_CATB, 1 },
	{ "unit_noun", DIR_PEOPLE, 1 },
	{ "unit_before", DIR_UNITB, 1 },
	{ "one_block_before", DIR_BACK, 0 },
};

/* ---- tries over code points ----------------------------------------------
 * Built once from sorted keys, so each node's edges are contiguous and
 * sorted: a lookup is a binary search per code point. */

struct tnode {
	uint32_t e0, ne;
	int32_t val;
	int term;
};
struct tedge {
	uint32_t cp, child;
};
struct trie {
	struct tnode *nodes;
	struct tedge *edges;
	size_t n_nodes, n_edges;
	/* first code points of keys (BMP): most text positions start no key,
	 * and one bit test rejects them before any search */
	uint64_t root[0x10000 / 64];
	/* the root's children by code point (BMP), when it has many edges:
	 * child index, 0 for none (the root is nobody's child) */
	uint32_t *root_child;
};
struct tkey {
	uint32_t cp[TRIE_MAX_DEPTH];
	int n;
	int32_t val;
	size_t ord;
};
struct tmatch {
	int32_t val;
	size_t len; /* bytes */
};

static int
cmp_tkey(const void *a, const void *b)
{
	const struct tkey *x = a, *y = b;
	int i;

	for (i = 0; i < x->n && i < y->n; i++)
		if (x->cp[i] != y->cp[i])
			return x->cp[i] < y->cp[i] ? -1 : 1;
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Keys [lo, hi) share their first depth code points. Duplicates either
 * OR their values (masks) or the later one wins. */
static void
trie_build_node(struct trie *t, const struct tkey *k, size_t lo, size_t hi,
                int depth, uint32_t node, int or_merge)
{
	size_t i = lo, j, ng = 0, e;

	t->nodes[node].val = 0;
	t->nodes[node].term = 0;
	while (i < hi && k[i].n == depth) {
		if (or_merge && t->nodes[node].term)
			t->nodes[node].val |= k[i].val;
		else
			t->nodes[node].val = k[i].val;
		t->nodes[node].term = 1;
		i++;
	}
	for (j = i; j < hi;) {
		uint32_t cp = k[j].cp[depth];

		ng++;
		while (j < hi && k[j].cp[depth] == cp)
			j++;
	}
	t->nodes[node].e0 = (uint32_t)t->n_edges;
	t->nodes[node].ne = (uint32_t)ng;
	e = t->n_edges;
	t->n_edges += ng;
	for (j = i; j < hi; e++) {
		uint32_t cp = k[j].cp[depth];
		size_t j2 = j;
		uint32_t child;

		while (j2 < hi && k[j2].cp[depth] == cp)
			j2++;
		child = (uint32_t)t->n_nodes++;
		t->edges[e].cp = cp;
		t->edges[e].child = child;
		trie_build_node(t, k, j, j2, depth + 1, child, or_merge);
		j = j2;
	}
}

static void
trie_free(struct trie *t)
{
	free(t->nodes);
	free(t->edges);
	free(t->root_child);
	memset(t, 0, sizeof(*t));
}

static bool
trie_may_start(const struct trie *t, uint32_t cp)
{
	return cp >= 0x10000 || (t->root[cp >> 6] >> (cp & 63) & 1);
}

static int
trie_build(struct trie *t, struct tkey *k, size_t n, int or_merge)
{
	size_t total = 0, i;

	trie_free(t);
	for (i = 0; i < n; i++)
		total += (size_t)k[i].n;
	t->nodes = calloc(total + 1, sizeof(*t->nodes));
	t->edges = calloc(total + 1, sizeof(*t->edges));
	if (!t->nodes || !t->edges) {
		trie_free(t);
		return EXT_ENOMEM;
	}
	qsort(k, n, sizeof(*k), cmp_tkey);
	for (i = 0; i < n; i++)
		if (k[i].cp[0] < 0x10000)
			t->root[k[i].cp[0] >> 6] |= 1ull << (k[i].cp[0] & 63);
	t->n_nodes = 1;
	trie_build_node(t, k, 0, n, 0, 0, or_merge);
	if (t->nodes[0].ne >= TRIE_DENSE_ROOT) {
		const struct tedge *e = t->edges + t->nodes[0].e0;

		t->root_child = calloc(0x10000, sizeof(*t->root_child));
		if (!t->root_child) {
			trie_free(t);
			return EXT_ENOMEM;
		}
		for (i = 0; i < t->nodes[0].ne; i++)
			if (e[i].cp < 0x10000)
				t->root_child[e[i].cp] = e[i].child;
	}
	return 0;
}

static int32_t
trie_child(const struct trie *t, uint32_t node, uint32_t cp)
{
	const struct tedge *e = t->edges + t->nodes[node].e0;
	size_t lo = 0, hi = t->nodes[node].ne;

	if (node == 0 && cp < 0x10000 && t->root_child)
		return t->root_child[cp] ? (int32_t)t->root_child[cp] : -1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (e[mid].cp == cp)
			return (int32_t)e[mid].child;
		if (e[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Every key that is a prefix of s, shortest first (at most max). */
static size_t
trie_fwd(const struct trie *t, const char *s, size_t len, struct tmatch *m,
         size_t max)
{
	size_t i = 0, nm = 0;
	uint32_t node = 0;

	if (!t->nodes)
		return 0;
	while (i < len) {
		size_t k;
		uint32_t cp = exi_u8_dec(s + i, len - i, &k);
		int32_t c;

		if (i == 0 && !trie_may_start(t, cp))
			return 0;
		c = trie_child(t, node, cp);

		if (c < 0)
			break;
		node = (uint32_t)c;
		i += k;
		if (t->nodes[node].term) {
			if (nm == max)
				nm--;
			m[nm].val = t->nodes[node].val;
			m[nm++].len = i;
		}
	}
	return nm;
}

/* Every key that ends at end (not reaching below floor), shortest first;
 * keys of a backward trie are stored reversed. */
static size_t
trie_back(const struct trie *t, const char *floor, const char *end,
          struct tmatch *m, size_t max)
{
	const char *p = end;
	size_t nm = 0;
	uint32_t node = 0;

	if (!t->nodes)
		return 0;
	while (p > floor) {
		const char *q = p - 1;
		size_t k;
		uint32_t cp;
		int32_t c;

		while (q > floor && ((unsigned char)*q & 0xC0) == 0x80)
			q--;
		cp = exi_u8_dec(q, (size_t)(p - q), &k);
		c = trie_child(t, node, cp);
		if (c < 0)
			break;
		node = (uint32_t)c;
		p = q;
		if (t->nodes[node].term) {
			if (nm == max)
				nm--;
			m[nm].val = t->nodes[node].val;
			m[nm++].len = (size_t)(end - p);
		}
	}
	return nm;
}

/* Longest key at s; -1 when none. */
static int32_t
trie_longest(const struct trie *t, const char *s, size_t len, size_t *mlen)
{
	struct tmatch m[TRIE_MAX_DEPTH];
	size_t n = trie_fwd(t, s, len, m, TRIE_MAX_DEPTH);

	if (n == 0)
		return -1;
	*mlen = m[n - 1].len;
	return m[n - 1].val;
}

/* Mask of the classes of every key at s, and the longest length of one
 * holding class bit. */
static uint32_t
fwd_classes(const struct trie *t, const char *s, size_t len, int bit,
            size_t *blen)
{
	struct tmatch m[TRIE_MAX_DEPTH];
	size_t n = trie_fwd(t, s, len, m, TRIE_MAX_DEPTH), i;
	uint32_t mask = 0;

	*blen = 0;
	for (i = 0; i < n; i++) {
		mask |= (uint32_t)m[i].val;
		if ((uint32_t)m[i].val & (1u << bit))
			*blen = m[i].len;
	}
	return mask;
}

/* ---- tables ---------------------------------------------------------- */

struct unit_ent {
	const char *surface;
	const char *unit; /* NULL: a unit of time, never a figure */
	int kind;
	size_t slen;
};
struct cat_ent {
	const char *kw; /* "*": the default for its kinds */
	int cat;
	int prio;
	uint32_t kinds;
};
struct word_ent {
	const char *w;
	int cls;
	const char *val;
};

struct fig_file {
	char *buf; /* the file's copy; entries point into it */
	size_t n;
	void *ents;
};

struct fig_tables {
	struct fig_file units, cats, words;
	struct trie t_unit;   /* surface -> units index */
	struct trie t_scan;   /* keyword (2*i) or label (1) */
	struct trie t_fwd;    /* class masks of words after a position */
	struct trie t_back;   /* class masks of words before (reversed) */
	struct trie t_people; /* noun -> words index */
	struct trie t_prefix; /* prefix (reversed) -> words index */
	struct trie t_catb;   /* category_before (reversed) -> words index */
	struct trie t_unitb;  /* unit_before (reversed) -> words index */
	/* code points that can start a number (BMP; none is above it) */
	uint64_t num_start[0x10000 / 64];
	int def_cat[N_KINDS], def_prio[N_KINDS];
};

/* The next data line of [*cur, end) (exi_tsv_split()): its number of fields,
 * max + 1 when it has more, 0 at the end. */
static int
next_line(char **cur, char *end, char **f, int max, size_t *line)
{
	size_t n = exi_tsv_split(cur, end, f, (size_t)max, line);

	return n > (size_t)max ? max + 1 : (int)n;
}

static int
kind_of(const char *s)
{
	for (int i = 0; i < N_KINDS; i++)
		if (!strcmp(s, kind_names[i]))
			return i;
	return -1;
}

static int
cat_of(const char *s)
{
	for (int i = 0; i < N_CATS; i++)
		if (!strcmp(s, cat_names[i]))
			return i;
	return -1;
}

static int
to_key(const char *s, int reverse, int32_t val, size_t ord, struct tkey *k)
{
	size_t len = strlen(s), i = 0, n;

	k->n = 0;
	while (i < len) {
		if (k->n == TRIE_MAX_DEPTH)
			return -1;
		k->cp[k->n++] = exi_u8_dec(s + i, len - i, &n);
		i += n;
	}
	if (k->n == 0)
		return -1;
	if (reverse)
		for (int a = 0, b = k->n - 1; a < b; a++, b--) {
			uint32_t c = k->cp[a];

			k->cp[a] = k->cp[b];
			k->cp[b] = c;
		}
	k->val = val;
	k->ord = ord;
	return 0;
}

static int
parse_units(struct fig_file *f, size_t *errline)
{
	char *cur = f->buf, *lim = cur + strlen(cur), *fl[4];
	size_t line = 0, cap = 0;
	struct unit_ent *u = NULL;
	int n;

	while ((n = next_line(&cur, lim, fl, 3, &line)) > 0) {
		int kind;

		if (n != 3 || (kind = kind_of(fl[2])) < 0 || !*fl[0] ||
		    !*fl[1] || strlen(fl[0]) > 64)
			goto bad;
		if (f->n == cap) {
			void *p =
			    realloc(u, (cap = cap ? 2 * cap : 64) * sizeof(*u));
			if (!p) {
				free(u);
				return EXT_ENOMEM;
			}
			u = p;
		}
		u[f->n].surface = fl[0];
		u[f->n].slen = strlen(fl[0]);
		u[f->n].unit = strcmp(fl[1], "-") ? fl[1] : NULL;
		u[f->n].kind = kind;
		if (!u[f->n].unit && kind != KIND_TIME)
			goto bad;
		f->n++;
	}
	f->ents = u;
	return 0;
bad:
	free(u);
	if (errline)
		*errline = line;
	return EXT_EDATA;
}

static int
parse_kinds(char *s, uint32_t *mask)
{
	*mask = 0;
	if (!strcmp(s, "*")) {
		*mask = (1u << N_KINDS) - 1;
		return 0;
	}
	while (s && *s) {
		char *c = strchr(s, ',');
		int k;

		if (c)
			*c = '\0';
		if ((k = kind_of(s)) < 0)
			return -1;
		*mask |= 1u << k;
		s = c ? c + 1 : NULL;
	}
	return *mask ? 0 : -1;
}

static int
parse_cats(struct fig_file *f, size_t *errline)
{
	char *cur = f->buf, *lim = cur + strlen(cur), *fl[5];
	size_t line = 0, cap = 0;
	struct cat_ent *c = NULL;
	int n;

	while ((n = next_line(&cur, lim, fl, 4, &line)) > 0) {
		char *end;
		long prio;
		int cat;
		uint32_t kinds;

		if (n != 4 || !*fl[0])
			goto bad;
		cat = strcmp(fl[1], "-") ? cat_of(fl[1]) : CAT_NONE;
		if (cat == -1 || (cat == CAT_NONE && !strcmp(fl[0], "*")))
			goto bad;
		prio = strtol(fl[2], &end, 10);
		if (*end || end == fl[2] || prio < 0 || prio > 1000 ||
		    parse_kinds(fl[3], &kinds) != 0)
			goto bad;
		if (f->n == cap) {
			void *p =
			    realloc(c, (cap = cap ? 2 * cap : 64) * sizeof(*c));
			if (!p) {
				free(c);
				return EXT_ENOMEM;
			}
			c = p;
		}
		c[f->n].kw = fl[0];
		c[f->n].cat = cat;
		c[f->n].prio = (int)prio;
		c[f->n].kinds = kinds;
		f->n++;
	}
	f->ents = c;
	return 0;
bad:
	free(c);
	if (errline)
		*errline = line;
	return EXT_EDATA;
}

static int
parse_words(struct fig_file *f, size_t *errline)
{
	char *cur = f->buf, *lim = cur + strlen(cur), *fl[4];
	size_t line = 0, cap = 0;
	struct word_ent *w = NULL;
	int n;

	while ((n = next_line(&cur, lim, fl, 3, &line)) > 0) {
		int cls;

		if (n < 2 || !*fl[0])
			goto bad;
		for (cls = 0; cls < N_WCLASS; cls++)
			if (!strcmp(fl[1], wclasses[cls].name))
				break;
		if (cls == N_WCLASS || (wclasses[cls].payload && n != 3) ||
		    (!wclasses[cls].payload && n != 2) ||
		    (cls == W_CAT_BEFORE && cat_of(fl[2]) < 0))
			goto bad;
		if (f->n == cap) {
			void *p = realloc(w, (cap = cap ? 2 * cap : 128) *
			                         sizeof(*w));
			if (!p) {
				free(w);
				return EXT_ENOMEM;
			}
			w = p;
		}
		w[f->n].w = fl[0];
		w[f->n].cls = cls;
		w[f->n].val = n == 3 ? fl[2] : NULL;
		f->n++;
	}
	f->ents = w;
	return 0;
bad:
	free(w);
	if (errline)
		*errline = line;
	return EXT_EDATA;
}

/* Rebuilds every trie from the files loaded so far (a handful of small
 * files, so rebuilding after each one costs nothing worth saving). */
static int
rebuild(struct fig_tables *t)
{
	const struct unit_ent *u = t->units.ents;
	const struct cat_ent *c = t->cats.ents;
	const struct word_ent *w = t->words.ents;
	size_t cap = t->units.n + t->cats.n + t->words.n + 1, i, n;
	struct tkey *k = calloc(cap, sizeof(*k));
	int rc = 0, kd;

	if (!k)
		return EXT_ENOMEM;
	for (n = 0, i = 0; i < t->units.n; i++)
		if (to_key(u[i].surface, 0, (int32_t)i, i, &k[n]) == 0)
			n++;
	rc = trie_build(&t->t_unit, k, n, 0);
	for (kd = 0; kd < N_KINDS; kd++) {
		t->def_cat[kd] = CAT_OTHER;
		t->def_prio[kd] = -1;
	}
	for (n = 0, i = 0; rc == 0 && i < t->cats.n; i++) {
		if (!strcmp(c[i].kw, "*")) {
			for (kd = 0; kd < N_KINDS; kd++)
				if ((c[i].kinds >> kd & 1) &&
				    c[i].prio > t->def_prio[kd]) {
					t->def_prio[kd] = c[i].prio;
					t->def_cat[kd] = c[i].cat;
				}
			continue;
		}
		if (to_key(c[i].kw, 0, (int32_t)(2 * i), i, &k[n]) == 0)
			n++;
	}
	for (i = 0; rc == 0 && i < t->words.n; i++)
		if (w[i].cls == W_LABEL &&
		    to_key(w[i].w, 0, 1, t->cats.n + i, &k[n]) == 0)
			n++;
	if (rc == 0)
		rc = trie_build(&t->t_scan, k, n, 0);
	for (int dir = DIR_BACK; rc == 0 && dir <= DIR_UNITB; dir <<= 1) {
		struct trie *tr = dir == DIR_BACK     ? &t->t_back
		                  : dir == DIR_FWD    ? &t->t_fwd
		                  : dir == DIR_SCAN   ? NULL
		                  : dir == DIR_PEOPLE ? &t->t_people
		                  : dir == DIR_PREFIX ? &t->t_prefix
		                  : dir == DIR_CATB   ? &t->t_catb
		                                      : &t->t_unitb;
		int masks = dir == DIR_BACK || dir == DIR_FWD;
		int rev = dir != DIR_FWD && dir != DIR_PEOPLE;

		if (!tr)
			continue;
		for (n = 0, i = 0; i < t->words.n; i++) {
			int32_t val =
			    masks ? (int32_t)(1u << w[i].cls) : (int32_t)i;

			if (!(wclasses[w[i].cls].dir & dir))
				continue;
			if (to_key(w[i].w, rev, val, i, &k[n]) == 0)
				n++;
		}
		rc = trie_build(tr, k, n, masks);
	}
	free(k);
	return rc;
}

int
fig_tables_add(struct fig_tables **tp, const char *name, const char *buf,
               size_t len, size_t *errline)
{
	struct fig_tables *t = *tp;
	struct fig_file *f, nf = { NULL, 0, NULL };
	int rc;

	if (strcmp(name, "units.tsv") && strcmp(name, "categories.tsv") &&
	    strcmp(name, "figure_words.tsv"))
		return 1;
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return EXT_ENOMEM;
		for (uint32_t c = 0; c < 0x10000; c++)
			if (num_digit_cp(c) >= 0 || num_chinese_cp(c) >= 0)
				t->num_start[c >> 6] |= 1ull << (c & 63);
		*tp = t;
	}
	f = !strcmp(name, "units.tsv")        ? &t->units
	    : !strcmp(name, "categories.tsv") ? &t->cats
	                                      : &t->words;
	nf.buf = malloc(len + 1);
	if (!nf.buf)
		return EXT_ENOMEM;
	if (len)
		memcpy(nf.buf, buf, len);
	nf.buf[len] = '\0';
	if (memchr(nf.buf, '\0', len)) {
		free(nf.buf);
		if (errline)
			*errline = 0;
		return EXT_EDATA;
	}
	rc = f == &t->units  ? parse_units(&nf, errline)
	     : f == &t->cats ? parse_cats(&nf, errline)
	                     : parse_words(&nf, errline);
	if (rc != 0) {
		free(nf.buf);
		return rc;
	}
	free(f->buf);
	free(f->ents);
	*f = nf;
	return rebuild(t);
}

void
fig_tables_free(struct fig_tables **tp)
{
	struct fig_tables *t;

	if (!tp || !*tp)
		return;
	t = *tp;
	free(t->units.buf);
	free(t->units.ents);
	free(t->cats.buf);
	free(t->cats.ents);
	free(t->words.buf);
	free(t->words.ents);
	trie_free(&t->t_unit);
	trie_free(&t->t_scan);
	trie_free(&t->t_fwd);
	trie_free(&t->t_back);
	trie_free(&t->t_people);
	trie_free(&t->t_prefix);
	trie_free(&t->t_catb);
	trie_free(&t->t_unitb);
	free(t);
	*tp = NULL;
}

int
fig_tables_check(const struct fig_tables *t, const char **missing)
{
	const char *m = NULL;

	if (!t || !t->units.buf)
		m = "units.tsv";
	else if (!t->cats.buf)
		m = "categories.tsv";
	else if (!t->words.buf)
		m = "figure_words.tsv";
	if (m && missing)
		*missing = m;
	return m ? EXT_EDATA : 0;
}

/* ---- finding figures ------------------------------------------------- */

struct span {
	size_t b0, b1;
};
struct kwm {
	size_t b0;
	uint32_t ent;
};
struct best {
	int prio[N_KINDS];
	int cat[N_KINDS];
};

struct cand {
	size_t s0, s1;       /* span of the figure */
	size_t n_end;        /* end of number and magnitude */
	size_t noun0, noun1; /* the people noun, when it gave the unit */
	struct num v;
	struct num raw; /* v before the magnitude */
	const char *unit;
	int kind;
	int exp; /* magnitude applied */
	bool approx;
};

struct scan {
	const struct fig_tables *ft;
	const char *text;
	size_t b0, b1;
	struct vec kw, ex, bnd, hard;
	size_t ex_i, ex_end;
	size_t bnd_i, hard_i;
	size_t c0, c1, ss0, ss1;
	bool have_c, have_ss;
	struct best cb, sb;
	int ss_year;
};

enum { R_NONE, R_FIG, R_TIME };

static bool
is_ascii_alpha(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

/* Clauses (for categories) end at , ; : only: 、 joins the parts of one
 * list, whose items share the clause's subject and verb. */
static bool
is_clause_delim(uint32_t cp)
{
	return cp == ',' || cp == ';' || cp == ':' || cp == 0xFF0C ||
	       cp == 0xFF1B || cp == 0xFF1A;
}

/* Phrases (metrics, people nouns) also end at 、 and brackets. */
static bool
is_phrase_delim(uint32_t cp)
{
	return is_clause_delim(cp) || cp == 0x3001 || cp == '(' || cp == ')' ||
	       cp == 0x201C || cp == 0x201D;
}

static bool
is_hard_delim(uint32_t cp)
{
	return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == '!' ||
	       cp == '?' || cp == '\n';
}

static uint32_t
quote_close(uint32_t cp)
{
	switch (cp) {
	case 0x201C:
		return 0x201D; /* “ ” */
	case 0x300A:
		return 0x300B; /* 《 》 */
	case 0x300C:
		return 0x300D; /* 「 」 */
	case 0x300E:
		return 0x300F; /* 『 』 */
	case 0x3008:
		return 0x3009; /* 〈 〉 */
	case 0x2018:
		return 0x2019; /* ‘ ’ */
	}
	return 0;
}

/* The start of the code point that ends at p (floor when none). */
static const char *
prev_cp_at(const char *floor, const char *p)
{
	const char *q;

	if (p <= floor)
		return floor;
	q = p - 1;
	while (q > floor && ((unsigned char)*q & 0xC0) == 0x80)
		q--;
	return q;
}

static uint32_t
prev_cp(const char *floor, const char *p)
{
	const char *q;
	size_t k;

	if (p <= floor)
		return 0;
	q = p - 1;
	while (q > floor && ((unsigned char)*q & 0xC0) == 0x80)
		q--;
	return exi_u8_dec(q, (size_t)(p - q), &k);
}

/* Pass one: keywords, labels, short quotations, clause and sentence
 * boundaries, in text order. */
static int
scan_sentence(struct scan *sc)
{
	const struct fig_tables *ft = sc->ft;
	const char *text = sc->text;
	size_t i = sc->b0, k, kw_end = 0;
	uint32_t prev = 0;

	while (i < sc->b1) {
		uint32_t cp = exi_u8_dec(text + i, sc->b1 - i, &k), close;
		struct tmatch m[TRIE_MAX_DEPTH];
		size_t nm, j;

		if ((close = quote_close(cp)) != 0) {
			size_t q = i + k, kk;
			int n = 0;

			while (q < sc->b1 && n <= QUOTE_MAX) {
				uint32_t c2 =
				    exi_u8_dec(text + q, sc->b1 - q, &kk);

				q += kk;
				if (c2 == close) {
					struct span *s = exi_vec_push(&sc->ex);

					if (!s)
						return EXT_ENOMEM;
					s->b0 = i;
					s->b1 = q;
					break;
				}
				if (is_hard_delim(c2))
					break;
				n++;
			}
		}
		nm = trie_may_start(&ft->t_scan, cp)
		         ? trie_fwd(&ft->t_scan, text + i, sc->b1 - i, m,
		                    TRIE_MAX_DEPTH)
		         : 0;
		for (j = 0; j < nm; j++) {
			bool longest_kw = true;

			/* a keyword inside a longer one is not a word of
			 * the text: 帮扶 in 对口帮扶, 结对 in 结对市县 */
			for (size_t j2 = j + 1; j2 < nm; j2++)
				longest_kw &= (m[j2].val & 1) != 0;
			if (!(m[j].val & 1) &&
			    (!longest_kw || i + m[j].len <= kw_end))
				continue;
			if (m[j].val & 1) {
				struct span *s = exi_vec_push(&sc->ex);

				if (!s)
					return EXT_ENOMEM;
				s->b0 = i;
				s->b1 = i + m[j].len;
			} else {
				struct kwm *w = exi_vec_push(&sc->kw);

				if (!w)
					return EXT_ENOMEM;
				kw_end = i + m[j].len;
				w->b0 = i;
				w->ent = (uint32_t)(m[j].val >> 1);
			}
		}
		if (is_hard_delim(cp) ||
		    (is_clause_delim(cp) &&
		     !(cp == ',' && num_digit_cp(prev) >= 0 && i + 1 < sc->b1 &&
		       text[i + 1] >= '0' && text[i + 1] <= '9'))) {
			size_t *b = exi_vec_push(&sc->bnd);

			if (!b)
				return EXT_ENOMEM;
			*b = i + k;
			if (is_hard_delim(cp)) {
				b = exi_vec_push(&sc->hard);
				if (!b)
					return EXT_ENOMEM;
				*b = i + k;
			}
		}
		prev = cp;
		i += k;
	}
	return 0;
}

static bool
excluded(struct scan *sc, size_t p)
{
	const struct span *s = sc->ex.p;

	while (sc->ex_i < sc->ex.n && s[sc->ex_i].b0 <= p) {
		if (s[sc->ex_i].b1 > sc->ex_end)
			sc->ex_end = s[sc->ex_i].b1;
		sc->ex_i++;
	}
	return p < sc->ex_end;
}

static void
best_of(const struct scan *sc, size_t a, size_t b, struct best *out)
{
	const struct kwm *w = sc->kw.p;
	const struct cat_ent *ce = sc->ft->cats.ents;
	size_t lo = 0, hi = sc->kw.n;

	for (int k = 0; k < N_KINDS; k++) {
		out->prio[k] = -1;
		out->cat[k] = CAT_OTHER;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w[mid].b0 < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sc->kw.n && w[lo].b0 < b; lo++) {
		const struct cat_ent *e = &ce[w[lo].ent];

		if (e->cat < 0)
			continue;
		for (int k = 0; k < N_KINDS; k++)
			if ((e->kinds >> k & 1) && e->prio > out->prio[k]) {
				out->prio[k] = e->prio;
				out->cat[k] = e->cat;
			}
	}
}

/* The first 19xx年 / 20xx年 of [a, b). */
static int
year_in(const char *text, size_t a, size_t b)
{
	/* 年 is E5 B9 B4: only the bytes B4, a few per hundred characters,
	 * can end one */
	for (size_t x = a + 6; x < b; x++) {
		const char *b4 = memchr(text + x, 0xB4, b - x), *s;
		size_t i;

		if (!b4)
			break;
		x = (size_t)(b4 - text);
		i = x - 6;
		s = text + i;

		if ((s[0] == '1' || s[0] == '2') && s[1] >= '0' &&
		    s[1] <= '9' && s[2] >= '0' && s[2] <= '9' && s[3] >= '0' &&
		    s[3] <= '9' && !memcmp(s + 4, "\xE5\xB9\xB4", 3) &&
		    (i == a || s[-1] < '0' || s[-1] > '9')) {
			int y = atoi(s);

			if (y >= 1900 && y <= 2100)
				return y;
		}
	}
	return 0;
}

/* Moves the clause and sentence scopes to the ones holding p. */
static void
scopes_at(struct scan *sc, size_t p)
{
	const size_t *bd = sc->bnd.p, *hd = sc->hard.p;
	size_t c0, c1, s0, s1, k;

	while (sc->bnd_i < sc->bnd.n && bd[sc->bnd_i] <= p)
		sc->bnd_i++;
	while (sc->hard_i < sc->hard.n && hd[sc->hard_i] <= p)
		sc->hard_i++;
	c0 = sc->bnd_i ? bd[sc->bnd_i - 1] : sc->b0;
	c1 = sc->bnd_i < sc->bnd.n ? bd[sc->bnd_i] : sc->b1;
	s0 = sc->hard_i ? hd[sc->hard_i - 1] : sc->b0;
	s1 = sc->hard_i < sc->hard.n ? hd[sc->hard_i] : sc->b1;
	/* 其中 ("of which") continues the clause before it */
	if (sc->bnd_i && c0 > s0 &&
	    (fwd_classes(&sc->ft->t_fwd, sc->text + c0, c1 - c0, W_CLAUSE_CONT,
	                 &k) &
	     (1u << W_CLAUSE_CONT)))
		c0 = sc->bnd_i >= 2 ? bd[sc->bnd_i - 2] : sc->b0;
	if (!sc->have_ss || s0 != sc->ss0) {
		sc->ss0 = s0;
		sc->ss1 = s1;
		sc->have_ss = true;
		best_of(sc, s0, s1, &sc->sb);
		sc->ss_year = year_in(sc->text, s0, s1);
	}
	if (!sc->have_c || c0 != sc->c0 || c1 != sc->c1) {
		sc->c0 = c0;
		sc->c1 = c1;
		sc->have_c = true;
		best_of(sc, c0, c1, &sc->cb);
	}
}

static int
unit_at(const struct fig_tables *ft, const char *s, size_t len,
        const struct unit_ent **u)
{
	size_t ml;
	int32_t i = trie_longest(&ft->t_unit, s, len, &ml);

	*u = i >= 0 ? &((const struct unit_ent *)ft->units.ents)[i] : NULL;
	return i >= 0;
}

static int
kind_of_unit(const struct fig_tables *ft, const char *unit)
{
	const struct unit_ent *u;

	if (unit_at(ft, unit, strlen(unit), &u) && u->unit)
		return u->kind;
	return N_KINDS - 1;
}

/* Looks for a people or household noun just after a number with 万/亿
 * ("129.3万建档立卡贫困人口"); Chinese needs no measure word there. */
static const struct word_ent *
people_after(const struct scan *sc, size_t p, size_t *n0, size_t *n1)
{
	const struct fig_tables *ft = sc->ft;
	const struct word_ent *w = ft->words.ents, *found = NULL;
	size_t i = p, k, ml;
	int steps = 0;

	while (i < sc->b1 && steps++ < PEOPLE_WINDOW) {
		uint32_t cp = exi_u8_dec(sc->text + i, sc->b1 - i, &k);
		int32_t e;

		if (is_phrase_delim(cp) || is_hard_delim(cp) ||
		    num_digit_cp(cp) >= 0 || num_chinese_cp(cp) >= 0)
			return NULL;
		e = trie_longest(&ft->t_people, sc->text + i, sc->b1 - i, &ml);
		if (e >= 0) {
			found = &w[e];
			*n0 = i;
			*n1 = i + ml;
			/* the head is the last of adjacent nouns: 贫困户学生 */
			while ((e = trie_longest(&ft->t_people, sc->text + *n1,
			                         sc->b1 - *n1, &ml)) >= 0) {
				found = &w[e];
				*n1 += ml;
			}
			return found;
		}
		i += k;
	}
	return NULL;
}

static int resolve(struct scan *sc, size_t i, const struct num *n, int depth,
                   struct cand *c);

/* Does a clause or the sentence end at p? */
static bool
clause_ends_at(const struct scan *sc, size_t p)
{
	size_t k;
	uint32_t cp;

	if (p >= sc->b1)
		return true;
	cp = exi_u8_dec(sc->text + p, sc->b1 - p, &k);
	return is_clause_delim(cp) || is_hard_delim(cp);
}

/* The kind of the unit written exactly as [a, b), or -1. */
static int
unit_kind_exact(const struct fig_tables *ft, const char *text, size_t a,
                size_t b)
{
	const struct unit_ent *u;

	if (a >= b || !unit_at(ft, text + a, b - a, &u) || !u->unit ||
	    u->slen != b - a)
		return -1;
	return u->kind;
}

/* Is a single Chinese numeral with a place unit written right before i
 * (the 三县 of 三县一市)? Then the numeral at i continues a list of
 * places and counts, 一 included. */
static bool
place_list_before(const struct scan *sc, size_t i)
{
	const char *text = sc->text, *floor = text + sc->b0;
	size_t a = i;

	for (int len = 1; len <= 2 && a > sc->b0; len++) {
		uint32_t cp;
		long v;

		a = (size_t)(prev_cp_at(floor, text + a) - text);
		if (unit_kind_exact(sc->ft, text, a, i) != KIND_PLACE)
			continue;
		cp = prev_cp(floor, text + a);
		v = num_chinese_cp(cp);
		if (v >= 1 && v <= 10)
			return true;
	}
	return false;
}

/* A single Chinese numeral with its measure word that names rather than
 * counts: 二 before a measure word is an ordinal or a name (counts say
 * 两: 两区, 两个), and a numeral in a numbered run of the same word
 * (一区二区三区) is a label. */
static bool
numbered_name(const struct scan *sc, size_t i, const struct num *n,
              const struct unit_ent *u)
{
	const char *text = sc->text;
	size_t k;
	uint32_t cp = exi_u8_dec(text + i, n->len, &k);
	long v = num_chinese_cp(cp), pv;

	if (!(n->flags & NUM_CHINESE) || k != n->len || v < 1 || v > 10)
		return false;
	if (cp == 0x4E8C) /* 二 */
		return true;
	if (i < sc->b0 + u->slen + 3 ||
	    memcmp(text + i - u->slen, u->surface, u->slen))
		return false;
	pv = num_chinese_cp(prev_cp(text + sc->b0, text + i - u->slen));
	return pv == v - 1 && pv >= 0;
}

/* 3至5个, 3-5万元, 3、5个: the first number takes the unit (and the
 * magnitude, if it has none) of the next one. */
static int
resolve_range(struct scan *sc, size_t p, struct cand *c, int depth)
{
	const char *text = sc->text;
	size_t cl;
	struct num m;
	struct cand c2;
	int r;

	if (depth >= RANGE_MAX ||
	    !(fwd_classes(&sc->ft->t_fwd, text + p, sc->b1 - p, W_RANGE, &cl) &
	      (1u << W_RANGE)) ||
	    cl == 0)
		return R_NONE;
	if (num_parse(text + p + cl, sc->b1 - p - cl, &m) != 0)
		return R_NONE;
	r = resolve(sc, p + cl, &m, depth + 1, &c2);
	if (r != R_FIG)
		return r;
	/* 3至5万元 is 3万 to 5万; 5000至1万元 is 5000 to 1万 */
	if (c->exp == 0 && c2.exp > 0 && !(c->v.flags & NUM_BIG) &&
	    ext_decimal_double((struct ext_decimal){ c->v.mant, c->v.scale }) <
	        ext_decimal_double(
	            (struct ext_decimal){ c2.raw.mant, c2.raw.scale })) {
		if (num_scale(&c->v, c2.exp) != 0)
			return R_NONE;
		c->exp = c2.exp;
	}
	c->unit = c2.unit;
	c->kind = c2.kind;
	c->s1 = p;
	return R_FIG;
}

/* Decides whether the number n at i is a figure, and reads its unit,
 * magnitude and approximation. Looks at most a few words either side. */
static bool approx_before_at(const struct scan *sc, size_t p);
static size_t bound_start(const struct scan *sc, size_t p);

static int
resolve(struct scan *sc, size_t i, const struct num *n, int depth,
        struct cand *c)
{
	const struct fig_tables *ft = sc->ft;
	const char *text = sc->text;
	struct tmatch bm[TRIE_MAX_DEPTH];
	size_t nb, j, p = i + n->len, ml, len_cls[N_WCLASS] = { 0 };
	const struct unit_ent *u = NULL;
	uint32_t cp, mask, bmask = 0;
	bool mid = false, one_ok;
	int32_t pre;
	size_t k;

	memset(c, 0, sizeof(*c));
	c->v = c->raw = *n;
	c->s0 = i;
	c->kind = N_KINDS - 1;
	cp = prev_cp(text + sc->b0, text + i);
	if (is_ascii_alpha(cp) || cp == '+' || cp == '.' || cp == '_' ||
	    cp == '/' || cp == '#' || cp == '@')
		return R_NONE;
	nb =
	    trie_back(&ft->t_back, text + sc->b0, text + i, bm, TRIE_MAX_DEPTH);
	for (j = 0; j < nb; j++) {
		bmask |= (uint32_t)bm[j].val;
		for (int b = 0; b < N_WCLASS; b++)
			if ((uint32_t)bm[j].val & (1u << b))
				len_cls[b] = bm[j].len;
	}
	if (bmask & (1u << W_ORDINAL))
		return R_NONE;
	if ((bmask & (1u << W_VAGUE)) && (n->flags & NUM_CHINESE))
		return R_NONE;
	if ((bmask & (1u << W_APPROX_BEFORE)) &&
	    len_cls[W_NOT_APPROX] < len_cls[W_APPROX_BEFORE]) {
		c->approx = true;
		c->s0 = i - len_cls[W_APPROX_BEFORE];
	}
	one_ok = (bmask & (1u << W_ONE_COUNT)) != 0;
	if (p < sc->b1) {
		cp = exi_u8_dec(text + p, sc->b1 - p, &k);
		if (is_ascii_alpha(cp) || cp == '+')
			return R_NONE; /* 5G, 4A, 5+2 */
	}
	mask = fwd_classes(&ft->t_fwd, text + p, sc->b1 - p, W_APPROX_MID, &ml);
	if (mask & (1u << W_APPROX_MID)) {
		c->approx = mid = true;
		p += ml;
	}
	/* a unit that starts like a magnitude (千米, 百分点) wins over it */
	if (!unit_at(ft, text + p, sc->b1 - p, &u) ||
	    num_chinese_cp(exi_u8_dec(u->surface, u->slen, &k)) < 100) {
		int exp = num_magnitude(text + p, sc->b1 - p,
		                        (n->flags & NUM_CHINESE) || mid, &ml);

		if (exp) {
			if (num_scale(&c->v, exp) != 0)
				return R_NONE;
			c->exp = exp;
			p += ml;
			if (!mid) {
				mask =
				    fwd_classes(&ft->t_fwd, text + p,
				                sc->b1 - p, W_APPROX_MID, &ml);
				if (mask & (1u << W_APPROX_MID)) {
					c->approx = true;
					p += ml;
				}
			}
		}
		unit_at(ft, text + p, sc->b1 - p, &u);
	}
	c->n_end = p;
	if (u) {
		if (!u->unit)
			return R_TIME;
		mask = fwd_classes(&ft->t_fwd, text + p, sc->b1 - p,
		                   W_AFTER_BLOCK, &ml);
		/* 10万苗族群众: no measure word, but after 万 a noun may
		 * still give the unit (below) */
		if ((mask & (1u << W_AFTER_BLOCK)) &&
		    !(c->exp >= 4 || (n->flags & NUM_BIG)))
			return R_NONE;
		if (mask & (1u << W_AFTER_BLOCK))
			u = NULL;
	}
	if (u) {
		if (numbered_name(sc, i, n, u))
			return R_NONE;
		if (u->kind == KIND_PLACE && (n->flags & NUM_CHINESE) &&
		    place_list_before(sc, i))
			one_ok = true; /* the 一市 of 三县一市 */
		/* 建设冷链仓储设施一座。: an article needs a noun after it
		 * (not for people and places: 不落下一人; nor after
		 * one_block_before words: 后一篇) */
		if ((n->flags & NUM_ONE) && clause_ends_at(sc, p + u->slen) &&
		    u->kind != KIND_PEOPLE && u->kind != KIND_PLACE)
			one_ok = true;
		if ((n->flags & NUM_ONE) && (bmask & (1u << W_ONE_BLOCK)))
			one_ok = false;
		if ((n->flags & NUM_ONE) && c->exp == 0 &&
		    (!one_ok || (mask & (1u << W_ARTICLE_UNIT))))
			return R_NONE;
		if ((n->flags & NUM_CHINESE) && p + u->slen < sc->b1) {
			/* 四个一百, 五个一批: a numeral right after the
			 * measure word makes a slogan; a list of places
			 * (三县一市) does not */
			size_t q = p + u->slen, q2;
			long v = num_chinese_cp(
			    exi_u8_dec(text + q, sc->b1 - q, &k));
			const struct unit_ent *u2;

			q2 = q + k;
			if (v >= 0 && v <= 10 &&
			    !(u->kind == KIND_PLACE && v >= 1 &&
			      unit_at(ft, text + q2, sc->b1 - q2, &u2) &&
			      u2->unit && u2->kind == KIND_PLACE))
				return R_NONE;
		}
		/* 0条, 0个: nothing counted is no figure (a page's comment
		 * counter); 0% stays a share */
		if (c->v.mant == 0 && u->kind != KIND_PERCENT &&
		    u->kind != KIND_POINT)
			return R_NONE;
		c->unit = u->unit;
		c->kind = u->kind;
		p += u->slen;
		mask = fwd_classes(&ft->t_fwd, text + p, sc->b1 - p,
		                   W_APPROX_AFTER, &ml);
		if (mask & (1u << W_APPROX_AFTER)) {
			c->approx = true;
			p += ml;
		}
		c->s1 = p;
		return R_FIG;
	}
	if ((n->flags & NUM_ONE) && c->exp == 0)
		return R_NONE;
	nb = trie_back(&ft->t_prefix, text + sc->b0, text + i, bm,
	               TRIE_MAX_DEPTH);
	if (nb) {
		/* 百分之三十 */
		pre = bm[nb - 1].val;
		c->unit = ((const struct word_ent *)ft->words.ents)[pre].val;
		c->kind = kind_of_unit(ft, c->unit);
		c->s0 = i - bm[nb - 1].len;
		c->s1 = p;
		/* 约百分之三十: the bound stands before the unit word */
		if (approx_before_at(sc, c->s0)) {
			c->approx = true;
			c->s0 = bound_start(sc, c->s0);
		}
		/* 百分之九十以上 */
		mask = fwd_classes(&ft->t_fwd, text + p, sc->b1 - p,
		                   W_APPROX_AFTER, &ml);
		if (mask & (1u << W_APPROX_AFTER)) {
			c->approx = true;
			c->s1 = p + ml;
		}
		return R_FIG;
	}
	{
		int r = resolve_range(sc, p, c, depth);

		if (r != R_NONE)
			return r;
	}
	if (c->exp >= 4 || (n->flags & NUM_BIG)) {
		const struct word_ent *w =
		    people_after(sc, p, &c->noun0, &c->noun1);

		if (w) {
			c->unit = w->val;
			c->kind = kind_of_unit(ft, c->unit);
			c->s1 = p;
			return R_FIG;
		}
		/* 投入帮扶资金5408.14万 at the end of its clause: the noun
		 * before gives the unit ("资金3万用于修路" stays no figure) */
		nb = clause_ends_at(sc, p)
		         ? trie_back(&ft->t_unitb, text + sc->b0, text + c->s0,
		                     bm, TRIE_MAX_DEPTH)
		         : 0;
		if (nb) {
			pre = bm[nb - 1].val;
			c->unit =
			    ((const struct word_ent *)ft->words.ents)[pre].val;
			c->kind = kind_of_unit(ft, c->unit);
			c->s1 = p;
			return R_FIG;
		}
	}
	return R_NONE;
}

static bool
is_trim_at(const struct fig_tables *ft, const char *text, size_t a, size_t b,
           size_t *len)
{
	return (fwd_classes(&ft->t_fwd, text + a, b - a, W_TRIM, len) &
	        (1u << W_TRIM)) &&
	       *len > 0;
}

/* Strips words of class metric_trim from the end of [a, *b). */
static void
trim_tail(const struct fig_tables *ft, const char *text, size_t a, size_t *b)
{
	struct tmatch m[TRIE_MAX_DEPTH];

	for (int guard = 0; guard < 4 && a < *b; guard++) {
		size_t best = 0, n = trie_back(&ft->t_back, text + a, text + *b,
		                               m, TRIE_MAX_DEPTH);

		for (size_t j = 0; j < n; j++)
			if ((uint32_t)m[j].val & (1u << W_TRIM))
				best = m[j].len;
		if (!best)
			break;
		*b -= best;
	}
}

static bool
metric_char(uint32_t cp)
{
	return cp >= 0x3400 && !is_phrase_delim(cp) && !is_hard_delim(cp) &&
	       num_chinese_cp(cp) < 0;
}

/* The noun phrase that says what was counted: the words right after the
 * figure when it modifies them (1666名贫困人口就业, up to a verb or
 * conjunction of metric_trim), else the words before it in its phrase
 * after the last such verb (引进广东企业281家 -> 广东企业). */
static void
metric_span(const struct scan *sc, const struct cand *c, size_t prev_end,
            size_t *ma, size_t *mb)
{
	const struct fig_tables *ft = sc->ft;
	const char *text = sc->text;
	size_t a, b, i, k, tl, lo;
	int n = 0;

	if (c->noun1) {
		a = c->s1;
		b = c->noun1;
	} else {
		a = b = c->s1;
		while (b < sc->ss1 && n < METRIC_MAX &&
		       metric_char(exi_u8_dec(text + b, sc->ss1 - b, &k)) &&
		       !is_trim_at(ft, text, b, sc->ss1, &tl)) {
			b += k;
			n++;
		}
	}
	if (a == b) {
		lo = sc->ss0 > prev_end ? sc->ss0 : prev_end;
		b = a = c->s0;
		for (n = 0; a > lo && n < METRIC_MAX; n++) {
			uint32_t cp;

			i = a - 1;
			while (i > lo &&
			       ((unsigned char)text[i] & 0xC0) == 0x80)
				i--;
			cp = exi_u8_dec(text + i, a - i, &k);
			if (cp == ')' && n == 0) {
				/* 社会帮扶资金(含捐物折款)1087万元 */
				size_t q = i;

				while (q > lo && a - q < 4 * METRIC_MAX &&
				       text[q] != '(')
					q--;
				if (text[q] == '(' && q < i) {
					a = q;
					continue;
				}
			}
			if (!metric_char(cp))
				break;
			a = i;
		}
		for (i = a; i < b;) {
			if (is_trim_at(ft, text, i, b, &tl)) {
				i += tl;
				a = i;
			} else {
				exi_u8_dec(text + i, b - i, &k);
				i += k;
			}
		}
	}
	trim_tail(ft, text, a, &b);
	*ma = a;
	*mb = a < b ? b : a;
}

/* The figure's category: a word of class category_before right before it
 * (同比增加6.85亿元 is growth) decides; else the highest keyword for its
 * kind, where one in its clause counts CLAUSE_BONUS more than one
 * elsewhere in its sentence. */
static int
category_of(const struct scan *sc, const struct cand *c)
{
	const struct fig_tables *ft = sc->ft;
	struct tmatch bm[TRIE_MAX_DEPTH];
	int kind = c->kind, s = sc->sb.prio[kind], cl = sc->cb.prio[kind];
	size_t nb = trie_back(&ft->t_catb, sc->text + sc->b0, sc->text + c->s0,
	                      bm, TRIE_MAX_DEPTH);

	if (nb) {
		const struct word_ent *w = ft->words.ents;

		return cat_of(w[bm[nb - 1].val].val);
	}
	if (cl >= 0 && cl + CLAUSE_BONUS >= s)
		return sc->cb.cat[kind];
	if (s >= 0)
		return sc->sb.cat[kind];
	return ft->def_cat[kind];
}

static int
emit(struct scan *sc, const struct cand *c, size_t s_index, int article_year,
     size_t prev_end, struct arena *ar, struct vec *out)
{
	struct ext_figure *f;
	size_t ma, mb;

	scopes_at(sc, c->s0);
	f = exi_vec_push(out);
	if (!f)
		return EXT_ENOMEM;
	f->text = exi_ar_strndup(ar, sc->text + c->s0, c->s1 - c->s0);
	f->unit = exi_ar_strdup(ar, c->unit);
	if (!f->text || !f->unit)
		return EXT_ENOMEM;
	f->value.mant = c->v.mant;
	f->value.scale = c->v.scale;
	f->approx = c->approx;
	metric_span(sc, c, prev_end, &ma, &mb);
	f->metric = ma < mb ? exi_ar_strndup(ar, sc->text + ma, mb - ma) : NULL;
	if (ma < mb && !f->metric)
		return EXT_ENOMEM;
	f->category = cat_names[category_of(sc, c)];
	f->year = sc->ss_year ? sc->ss_year : article_year;
	f->start = c->s0;
	f->end = c->s1;
	f->sentence = s_index;
	f->pairing = -1;
	return 0;
}

/* The length of the bound or estimate word (近, 约, 逾) that ends right
 * before p, or 0 (also when a longer word such as 节约 ends there). */
static size_t
bound_len(const struct scan *sc, size_t p)
{
	struct tmatch bm[TRIE_MAX_DEPTH];
	size_t nb, j, la = 0, ln = 0;

	nb = trie_back(&sc->ft->t_back, sc->text + sc->b0, sc->text + p, bm,
	               TRIE_MAX_DEPTH);
	for (j = 0; j < nb; j++) {
		if ((uint32_t)bm[j].val & (1u << W_APPROX_BEFORE))
			la = bm[j].len;
		if ((uint32_t)bm[j].val & (1u << W_NOT_APPROX))
			ln = bm[j].len;
	}
	return la > ln ? la : 0;
}

static bool
approx_before_at(const struct scan *sc, size_t p)
{
	return bound_len(sc, p) != 0;
}

static size_t
bound_start(const struct scan *sc, size_t p)
{
	return p - bound_len(sc, p);
}

static bool
approx_mid_at(const struct scan *sc, size_t p)
{
	size_t ml;

	return p < sc->b1 && (fwd_classes(&sc->ft->t_fwd, sc->text + p,
	                                  sc->b1 - p, W_APPROX_MID, &ml) &
	                      (1u << W_APPROX_MID));
}

static bool
prefix_unit_before(const struct scan *sc, size_t i)
{
	struct tmatch bm[TRIE_MAX_DEPTH];

	return trie_back(&sc->ft->t_prefix, sc->text + sc->b0, sc->text + i, bm,
	                 TRIE_MAX_DEPTH) != 0;
}

/* The number at i is only a magnitude (百, 千, 万, 亿; 百万 after a bound)
 * that states a count: 百余人, or 近千人 and 过亿元 with the bound before
 * it. Not after
 * another numeral (三百余), and not 百分之 (a unit word, read at its
 * numeral). */
static bool
lone_magnitude(const struct scan *sc, size_t i, uint32_t cp, size_t k,
               const struct num *n)
{
	const char *text = sc->text;
	uint32_t pc = prev_cp(text + sc->b0, text + i);
	size_t used = 0;
	long v = num_chinese_cp(cp);

	if (v < 100 || v > 100000000 || num_digit_cp(pc) >= 0 ||
	    num_chinese_cp(pc) >= 0)
		return false;
	if (n->len == k && approx_mid_at(sc, i + k))
		return true;
	if (i + k + 6 <= sc->b1 && !memcmp(text + i + k, "分之", 6))
		return false;
	/* 百分之百: the numeral after a unit word such as 百分之 */
	if (n->len == k && prefix_unit_before(sc, i))
		return true;
	/* 上百家, 上千人: 上 is "over" before a lone magnitude only */
	return num_magnitude(text + i, sc->b1 - i, 0, &used) &&
	       used == n->len && (approx_before_at(sc, i) || pc == 0x4E0A);
}

/* The first position in [i, end) whose code point can start a number, or
 * end: most of a sentence is skipped without looking at its words. */
static size_t
next_number(const struct fig_tables *ft, const char *text, size_t i, size_t end)
{
	const unsigned char *u = (const unsigned char *)text;

	while (i < end) {
		size_t k;
		uint32_t cp;

		if (u[i] < 0x80) {
			if (u[i] >= '0' && u[i] <= '9')
				return i;
			i++;
			continue;
		}
		cp = exi_u8_dec(text + i, end - i, &k);
		if (cp < 0x10000 && (ft->num_start[cp >> 6] >> (cp & 63) & 1))
			return i;
		i += k;
	}
	return end;
}

int
fig_find(const struct fig_tables *ft, const char *text, size_t len,
         const struct sent *s, size_t s_index, int article_year,
         struct arena *ar, struct vec *out)
{
	struct scan sc;
	size_t i, k, prev_end = 0;
	int rc = 0;

	if (!ft || !text || !s || !out || s->b1 > len || s->b0 > s->b1)
		return EXT_EINVAL;
	memset(&sc, 0, sizeof(sc));
	sc.ft = ft;
	sc.text = text;
	sc.b0 = s->b0;
	sc.b1 = s->b1;
	sc.kw = (struct vec)VEC_INIT(struct kwm);
	sc.ex = (struct vec)VEC_INIT(struct span);
	sc.bnd = (struct vec)VEC_INIT(size_t);
	sc.hard = (struct vec)VEC_INIT(size_t);
	/* The words, quotations and clauses of the sentence matter only
	 * around numbers: a sentence without one is not scanned. */
	i = next_number(ft, text, sc.b0, sc.b1);
	if (i < sc.b1)
		rc = scan_sentence(&sc);
	for (; rc == 0 && (i = next_number(ft, text, i, sc.b1)) < sc.b1;) {
		uint32_t cp = exi_u8_dec(text + i, sc.b1 - i, &k);
		struct num n;
		struct cand c;

		if (excluded(&sc, i)) {
			i += k;
			continue;
		}
		if (num_parse(text + i, sc.b1 - i, &n) == 0 &&
		    resolve(&sc, i, &n, 0, &c) == R_FIG) {
			rc = emit(&sc, &c, s_index, article_year, prev_end, ar,
			          out);
			prev_end = c.s1;
		} else if (lone_magnitude(&sc, i, cp, k, &n)) {
			/* 百余人, 千余名, 万余人: one hundred, thousand,
			 * ten thousand and more; 近千人, 约百万人: about that
			 * many; a lone 百万 stays a word */
			struct num one = { 1, 0, NUM_ARABIC, 0 };

			if (resolve(&sc, i, &one, 0, &c) == R_FIG) {
				if (c.s0 == i &&
				    prev_cp(text + sc.b0, text + i) == 0x4E0A) {
					c.approx = true; /* 上千人 */
					c.s0 = i - 3;
				}
				rc = emit(&sc, &c, s_index, article_year,
				          prev_end, ar, out);
				prev_end = c.s1;
			}
		}
		i += n.len ? n.len : k;
		if (prev_end > i)
			i = prev_end; /* past the unit of the figure found */
	}
	exi_vec_free(&sc.kw);
	exi_vec_free(&sc.ex);
	exi_vec_free(&sc.bnd);
	exi_vec_free(&sc.hard);
	return rc;
}
