/* reg_ac.c - Aho-Corasick over code points for the gazetteer and the cue
 * words: a trie whose edges live in one open-addressing hash table keyed
 * by (state, code point), failure and dictionary links set by a
 * breadth-first pass. */
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

struct acnode {
	/* Bit cp % 64 of every edge out of this state: most states have one
	 * or two edges, so one test spares the hash probe of nearly every
	 * code point that leaves the state by its failure link. */
	uint64_t kids;
	uint32_t fail;
	uint32_t dict;    /* nearest proper suffix state that is a pattern */
	uint32_t child;   /* first child (building only) */
	uint32_t sibling; /* next sibling (building only) */
	uint32_t cp;      /* the code point on the edge into this state */
	uint32_t val;     /* the pattern's value when term */
	uint16_t blen;    /* bytes from the root */
	uint8_t term;
};

struct reg_ac {
	struct acnode *nodes;
	size_t n, cap;
	uint64_t *keys; /* (state << 21 | cp) + 1; 0 is empty */
	uint32_t *vals;
	size_t hcap, hn; /* hcap a power of two */
	uint16_t maxlen;
	/* Fast paths for the Basic Multilingual Plane, where nearly all text
	 * is: the root's edges as an array, and which code points occur in
	 * any pattern at all (any other one sends the scan to the root). */
	uint32_t *root;  /* 65536 */
	uint64_t *alpha; /* 65536 bits */
};

#define BMP 65536

static uint64_t
mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static uint32_t
edge_get(const struct reg_ac *ac, uint32_t st, uint32_t cp)
{
	uint64_t key = (((uint64_t)st << 21) | cp) + 1;
	size_t m = ac->hcap - 1, i = mix(key) & m;

	for (;; i = (i + 1) & m) {
		if (ac->keys[i] == key)
			return ac->vals[i];
		if (ac->keys[i] == 0)
			return 0;
	}
}

static int
edge_grow(struct reg_ac *ac)
{
	size_t ncap = ac->hcap ? ac->hcap * 2 : 1024, i;
	uint64_t *k = calloc(ncap, sizeof(*k));
	uint32_t *v = malloc(ncap * sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return EXT_ENOMEM;
	}
	for (i = 0; i < ac->hcap; i++) {
		size_t j;

		if (!ac->keys[i])
			continue;
		for (j = mix(ac->keys[i]) & (ncap - 1); k[j];
		     j = (j + 1) & (ncap - 1))
			;
		k[j] = ac->keys[i];
		v[j] = ac->vals[i];
	}
	free(ac->keys);
	free(ac->vals);
	ac->keys = k;
	ac->vals = v;
	ac->hcap = ncap;
	return 0;
}

static int
edge_put(struct reg_ac *ac, uint32_t st, uint32_t cp, uint32_t to)
{
	uint64_t key = (((uint64_t)st << 21) | cp) + 1;
	size_t i;

	if ((ac->hn + 1) * 2 > ac->hcap && edge_grow(ac) != 0)
		return EXT_ENOMEM;
	for (i = mix(key) & (ac->hcap - 1); ac->keys[i];
	     i = (i + 1) & (ac->hcap - 1))
		;
	ac->keys[i] = key;
	ac->vals[i] = to;
	ac->hn++;
	return 0;
}

static uint32_t
node_new(struct reg_ac *ac)
{
	if (ac->n == ac->cap) {
		size_t ncap = ac->cap ? ac->cap * 2 : 1024;
		struct acnode *p = realloc(ac->nodes, ncap * sizeof(*p));

		if (!p)
			return 0;
		ac->nodes = p;
		ac->cap = ncap;
	}
	memset(&ac->nodes[ac->n], 0, sizeof(ac->nodes[0]));
	return (uint32_t)ac->n++;
}

struct reg_ac *
reg_ac_new(void)
{
	struct reg_ac *ac = calloc(1, sizeof(*ac));

	if (!ac)
		return NULL;
	/* The root is state 0; edge_get's 0 means "no edge". */
	if (node_new(ac) != 0 || edge_grow(ac) != 0) {
		reg_ac_free(&ac);
		return NULL;
	}
	return ac;
}

void
reg_ac_free(struct reg_ac **self_p)
{
	struct reg_ac *ac;

	if (!self_p || !*self_p)
		return;
	ac = *self_p;
	free(ac->nodes);
	free(ac->keys);
	free(ac->vals);
	free(ac->root);
	free(ac->alpha);
	free(ac);
	*self_p = NULL;
}

int
reg_ac_add(struct reg_ac *ac, const char *pat, size_t len, uint32_t val,
           uint32_t *old)
{
	uint32_t st = 0;
	size_t i = 0;

	if (len == 0 || len > REG_AC_MAXLEN)
		return EXT_EDATA;
	while (i < len) {
		size_t k;
		uint32_t cp = exi_u8_dec(pat + i, len - i, &k), nx;

		i += k;
		nx = edge_get(ac, st, cp);
		if (!nx) {
			nx = node_new(ac);
			if (!nx || edge_put(ac, st, cp, nx) != 0)
				return EXT_ENOMEM;
			ac->nodes[nx].cp = cp;
			ac->nodes[nx].blen = (uint16_t)i;
			ac->nodes[nx].sibling = ac->nodes[st].child;
			ac->nodes[st].child = nx;
			ac->nodes[st].kids |= (uint64_t)1 << (cp % 64);
		}
		st = nx;
	}
	if (ac->nodes[st].term) {
		if (old)
			*old = ac->nodes[st].val;
		return 1;
	}
	ac->nodes[st].term = 1;
	ac->nodes[st].val = val;
	if (len > ac->maxlen)
		ac->maxlen = (uint16_t)len;
	return 0;
}

int
reg_ac_build(struct reg_ac *ac)
{
	uint32_t *queue = malloc(ac->n * sizeof(*queue));
	size_t head = 0, tail = 0;
	uint32_t c;

	free(ac->root);
	free(ac->alpha);
	ac->root = calloc(BMP, sizeof(*ac->root));
	ac->alpha = calloc(BMP / 64, sizeof(*ac->alpha));
	if (!queue || !ac->root || !ac->alpha) {
		free(queue);
		return EXT_ENOMEM;
	}
	for (c = 1; c < ac->n; c++)
		if (ac->nodes[c].cp < BMP)
			ac->alpha[ac->nodes[c].cp / 64] |=
			    (uint64_t)1 << (ac->nodes[c].cp % 64);
	for (c = ac->nodes[0].child; c; c = ac->nodes[c].sibling) {
		if (ac->nodes[c].cp < BMP)
			ac->root[ac->nodes[c].cp] = c;
		ac->nodes[c].fail = 0;
		ac->nodes[c].dict = 0;
		queue[tail++] = c;
	}
	while (head < tail) {
		uint32_t st = queue[head++];

		for (c = ac->nodes[st].child; c; c = ac->nodes[c].sibling) {
			uint32_t f = ac->nodes[st].fail, nx;

			for (;;) {
				nx = edge_get(ac, f, ac->nodes[c].cp);
				if (nx || f == 0)
					break;
				f = ac->nodes[f].fail;
			}
			ac->nodes[c].fail = nx;
			ac->nodes[c].dict =
			    ac->nodes[nx].term ? nx : ac->nodes[nx].dict;
			queue[tail++] = c;
		}
	}
	free(queue);
	return 0;
}

/* cp occurs in some pattern (next_hot() passed it): the alphabet is not
 * tested again. */
static inline uint32_t
step(const struct reg_ac *ac, uint32_t st, uint32_t cp)
{
	for (; st; st = ac->nodes[st].fail) {
		uint32_t nx;

		if (!(ac->nodes[st].kids >> (cp % 64) & 1))
			continue;
		nx = edge_get(ac, st, cp);
		if (nx)
			return nx;
	}
	return cp < BMP ? ac->root[cp] : edge_get(ac, 0, cp);
}

/* Decodes the code points from *i on until one that occurs in some
 * pattern (or the end: returns false). The others send the automaton to
 * the root and end no match, so they are passed over without stepping:
 * *st becomes 0 when any was. Nearly all of a text is such code points
 * for the cue and suffix automata, many for the gazetteer. */
static inline bool
next_hot(const struct reg_ac *ac, const char *text, size_t len, size_t *i,
         uint32_t *st, uint32_t *cp_out, size_t *k_out)
{
	size_t j = *i, k;
	uint32_t cp;

	while (j < len) {
		const unsigned char *u = (const unsigned char *)text + j;

		/* three-byte code points (Han) first, without exi_u8_dec()'s
		 * branches */
		if ((u[0] & 0xF0) == 0xE0 && len - j >= 3) {
			cp = ((uint32_t)(u[0] & 0x0F) << 12) |
			     ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
			k = 3;
		} else {
			cp = exi_u8_dec(text + j, len - j, &k);
		}
		if (cp >= BMP || (ac->alpha[cp / 64] >> (cp % 64) & 1)) {
			if (j != *i)
				*st = 0;
			*i = j;
			*cp_out = cp;
			*k_out = k;
			return true;
		}
		j += k;
	}
	if (j != *i)
		*st = 0;
	*i = j;
	return false;
}

int
reg_ac_ends(const struct reg_ac *ac, const char *text, size_t len, reg_ac_fn fn,
            void *ctx)
{
	uint32_t st = 0;
	size_t i = 0;

	while (i < len) {
		size_t k;
		uint32_t cp, t;
		int rc;

		if (!next_hot(ac, text, len, &i, &st, &cp, &k))
			break;
		i += k;
		st = step(ac, st, cp);
		t = ac->nodes[st].term ? st : ac->nodes[st].dict;
		if (t) {
			rc =
			    fn(ctx, i - ac->nodes[t].blen, i, ac->nodes[t].val);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Leftmost-longest: the longest match per start position is kept in a
 * ring indexed by start; a start is final once the scan is more than the
 * longest pattern past it. Memory is bounded by the longest pattern, not
 * by the text. */
#define RING 256 /* > REG_AC_MAXLEN, a power of two */

struct slot {
	size_t start; /* + 1; 0 is empty */
	size_t end;
	uint32_t val;
};

int
reg_ac_longest(const struct reg_ac *ac, const char *text, size_t len,
               reg_ac_fn fn, void *ctx)
{
	struct slot ring[RING];
	/* Bit (p & mask) set while ring[p & mask] holds a start: the starts
	 * to finalise are found a word of bits at a time, not byte by
	 * byte. */
	uint64_t used[RING / 64] = { 0 };
	uint32_t st = 0;
	size_t i = 0, fin = 0, cursor = 0, live = 0, mask = 1, wbits;
	int rc;

	/* Only as much ring as the longest pattern needs: the cue scan runs
	 * once per sentence. */
	while (mask <= ac->maxlen)
		mask <<= 1;
	memset(ring, 0, mask * sizeof(ring[0]));
	wbits = mask < 64 ? mask : 64;
	mask--;
	for (;;) {
		size_t limit = i >= ac->maxlen ? i - ac->maxlen : 0;

		if (i >= len)
			limit = len;
		/* Starts before limit can get no more matches. */
		if (live == 0 && fin < limit)
			fin = limit;
		while (fin < limit) {
			size_t w = fin & mask, step_to;
			uint64_t bits = used[w / 64] >> (w % 64);
			struct slot *s;

			if (!bits) {
				/* none before the next word of the ring (or its
				 * end, when it is shorter than a word) */
				step_to = fin + (wbits - w % wbits);
				fin = step_to < limit ? step_to : limit;
				continue;
			}
			fin += (size_t)__builtin_ctzll(bits);
			if (fin >= limit) {
				fin = limit;
				break;
			}
			w = fin & mask;
			s = &ring[w];
			if (s->start != fin + 1) {
				fin++;
				continue;
			}
			s->start = 0;
			used[w / 64] &= ~((uint64_t)1 << (w % 64));
			live--;
			if (fin++ < cursor)
				continue;
			rc = fn(ctx, fin - 1, s->end, s->val);
			if (rc)
				return rc;
			cursor = s->end;
		}
		if (i >= len)
			break;
		{
			size_t k, from = i;
			uint32_t cp, t;

			/* After a skip, finalise up to the new position first:
			 * a start past the ring's reach of a pending one must
			 * not take its slot. With none pending, only fin
			 * moves. */
			if (!next_hot(ac, text, len, &i, &st, &cp, &k))
				continue;
			if (i != from) {
				if (live)
					continue;
				if (i >= ac->maxlen && fin < i - ac->maxlen)
					fin = i - ac->maxlen;
			}
			i += k;
			st = step(ac, st, cp);
			for (t = ac->nodes[st].term ? st : ac->nodes[st].dict;
			     t; t = ac->nodes[t].dict) {
				size_t b0 = i - ac->nodes[t].blen;
				struct slot *s = &ring[b0 & mask];

				if (s->start != b0 + 1 || s->end < i) {
					live += s->start != b0 + 1;
					s->start = b0 + 1;
					s->end = i;
					s->val = ac->nodes[t].val;
					used[(b0 & mask) / 64] |=
					    (uint64_t)1 << ((b0 & mask) % 64);
				}
			}
		}
	}
	return 0;
}
