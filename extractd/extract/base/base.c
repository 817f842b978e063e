/* util.c - arena, growable arrays and UTF-8 helpers of the library. */
#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

/* Blocks grow geometrically so an article costs a handful of mallocs. */
struct arblock {
	struct arblock *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arblock *head;
	size_t next_cap;
};

struct arena *
exi_ar_new(void)
{
	struct arena *ar = calloc(1, sizeof(*ar));

	if (ar)
		ar->next_cap = 16384;
	return ar;
}

void
exi_ar_destroy(struct arena **self_p)
{
	struct arblock *b, *next;

	if (!self_p || !*self_p)
		return;
	for (b = (*self_p)->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(*self_p);
	*self_p = NULL;
}

void *
exi_ar_alloc(struct arena *ar, size_t n)
{
	struct arblock *b = ar->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (need < n)
		return NULL;
	if (!b || b->cap - b->used < need) {
		size_t cap = ar->next_cap;

		while (cap < need)
			cap *= 2;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = ar->head;
		ar->head = b;
		if (ar->next_cap < (size_t)1 << 24)
			ar->next_cap *= 2;
	}
	p = b->data + b->used;
	b->used += need;
	memset(p, 0, n);
	return p;
}

void *
exi_ar_memdup(struct arena *ar, const void *p, size_t n)
{
	void *q = exi_ar_alloc(ar, n ? n : 1);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

char *
exi_ar_strndup(struct arena *ar, const char *s, size_t n)
{
	char *q = exi_ar_alloc(ar, n + 1);

	if (q) {
		memcpy(q, s, n);
		q[n] = '\0';
	}
	return q;
}

char *
exi_ar_strdup(struct arena *ar, const char *s)
{
	return exi_ar_strndup(ar, s, strlen(s));
}

void *
exi_vec_push(struct vec *v)
{
	void *e;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->p, cap * v->elt);

		if (!p)
			return NULL;
		v->p = p;
		v->cap = cap;
	}
	e = (char *)v->p + v->n * v->elt;
	memset(e, 0, v->elt);
	v->n++;
	return e;
}

void
exi_vec_free(struct vec *v)
{
	free(v->p);
	v->p = NULL;
	v->n = v->cap = 0;
}

void *
exi_vec_to_arena(struct vec *v, struct arena *ar)
{
	void *p = NULL;

	if (v->n)
		p = exi_ar_memdup(ar, v->p, v->n * v->elt);
	exi_vec_free(v);
	return p;
}

size_t
exi_u8_enc(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t
exi_u8_count(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const uint64_t ones = 0x0101010101010101ULL;
	size_t i = 0, cont = 0;

	/* Every byte that is not a continuation byte (10xxxxxx) starts a
	 * code point. Eight bytes at a time: a byte's top bit set and the
	 * next one clear marks a continuation; per-byte counters take 255
	 * words before they are summed (in 16-bit lanes: up to 2040). */
	while (len - i >= 8) {
		uint64_t acc = 0;
		size_t words = (len - i) / 8;

		if (words > 255)
			words = 255;
		for (size_t w = 0; w < words; w++, i += 8) {
			uint64_t x;

			memcpy(&x, u + i, 8);
			acc += ((x & ~(x << 1)) >> 7) & ones;
		}
		acc = (acc & 0x00FF00FF00FF00FFULL) +
		      ((acc >> 8) & 0x00FF00FF00FF00FFULL);
		cont += (size_t)((acc * 0x0001000100010001ULL) >> 48);
	}
	for (; i < len; i++)
		cont += (u[i] & 0xC0) == 0x80;
	return len - cont;
}

size_t
exi_tsv_split(char **pos, char *end, char **f, size_t max, size_t *lineno)
{
	while (*pos < end) {
		char *s = *pos, *e = memchr(s, '\n', (size_t)(end - s)), *p;
		size_t n = 0;

		if (!e)
			e = end;
		*pos = e < end ? e + 1 : end;
		*e = '\0';
		if (e > s && e[-1] == '\r')
			e[-1] = '\0';
		(*lineno)++;
		if (*s == '\0' || *s == '#')
			continue;
		for (p = s;; n++) {
			char *t = strchr(p, '\t');

			if (n < max)
				f[n] = p;
			if (!t)
				return n + 1;
			*t = '\0';
			p = t + 1;
		}
	}
	return 0;
}

/* ---- buffers ----------------------------------------------------------- */

int
exi_sb_reserve(struct sbuf *b, size_t more)
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
exi_sb_put(struct sbuf *b, const void *p, size_t n)
{
	if (exi_sb_reserve(b, n) != 0)
		return EXT_ENOMEM;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

void
exi_sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* ---- pattern sets ------------------------------------------------------- */

int
exi_ps_build(struct patset *ps, const char **pats, const size_t *lens, size_t n)
{
	size_t i;

	memset(ps, 0, sizeof(*ps));
	ps->head = calloc(PS_BUCKETS, sizeof(*ps->head));
	ps->next = calloc(n ? n : 1, sizeof(*ps->next));
	ps->pat = malloc((n ? n : 1) * sizeof(*ps->pat));
	ps->len = malloc((n ? n : 1) * sizeof(*ps->len));
	ps->lead2 = calloc(0x10000 / 64, sizeof(*ps->lead2));
	if (!ps->head || !ps->next || !ps->pat || !ps->len || !ps->lead2) {
		exi_ps_free(ps);
		return EXT_ENOMEM;
	}
	ps->n = n;
	/* Insert backwards so each bucket lists patterns in table order. */
	for (i = n; i-- > 0;) {
		unsigned b = exi_ps_bucket(pats[i]);

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
exi_ps_free(struct patset *ps)
{
	free(ps->head);
	free(ps->next);
	free(ps->pat);
	free(ps->len);
	free(ps->lead2);
	memset(ps, 0, sizeof(*ps));
}

static long
exi_ps_scan(const struct patset *ps, uint32_t e, const char *s, size_t n)
{
	for (; e; e = ps->next[e - 1]) {
		size_t k = e - 1;

		if (ps->len[k] <= n && memcmp(ps->pat[k], s, ps->len[k]) == 0)
			return (long)k;
	}
	return -1;
}

long
exi_ps_lookup(const struct patset *ps, const char *s, size_t n)
{
	if (!ps->head || n < 3)
		return -1;
	return exi_ps_scan(ps, ps->head[exi_ps_bucket(s)], s, n);
}

long
exi_ps_next(const struct patset *ps, long k, const char *s, size_t n)
{
	return exi_ps_scan(ps, ps->next[k], s, n);
}
