/* base.h - the helpers every stage of the extraction library uses: an
 * arena, growable arrays and byte buffers, UTF-8, pattern sets matched by
 * their first bytes, and the splitting of data files (base.c). Like every
 * internal symbol of the library they carry the prefix exi_ (the public
 * API is ext_, extract.h); nothing here knows of articles. */
#ifndef EXTRACT_BASE_H
#define EXTRACT_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memory ------------------------------------------------------------
 * An arena: allocations live until exi_ar_destroy(). NULL on ENOMEM. */
struct arena;
struct arena *exi_ar_new(void);
void exi_ar_destroy(struct arena **self_p);
void *exi_ar_alloc(struct arena *ar, size_t n); /* zeroed, aligned to 16 */
char *exi_ar_strndup(struct arena *ar, const char *s, size_t n);
char *exi_ar_strdup(struct arena *ar, const char *s);
void *exi_ar_memdup(struct arena *ar, const void *p, size_t n);

/* A growable array of elements of one size (malloc'd; exi_vec_free() it, or
 * exi_vec_to_arena() to move its contents into an arena). */
struct vec {
	void *p;
	size_t n, cap, elt;
};
#define VEC_INIT(type)                                                         \
	{                                                                      \
		NULL, 0, 0, sizeof(type)                                       \
	}
void *exi_vec_push(struct vec *v); /* zeroed new element, or NULL on ENOMEM */
void exi_vec_free(struct vec *v);
void *exi_vec_to_arena(struct vec *v, struct arena *ar); /* frees v; NULL if
                                                        empty or ENOMEM */

/* ---- UTF-8 -------------------------------------------------------------- */
/* Decodes one code point of valid UTF-8 at s (len > 0); sets *n to its
 * length in bytes. The text the modules see is always valid UTF-8. */
static inline uint32_t
exi_u8_dec(const char *s, size_t len, size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;

	/* Inline: every module decodes the text code point by code point. */
	if (u[0] < 0x80 || len < 2) {
		*n = 1;
		return u[0];
	}
	if (u[0] < 0xE0) {
		*n = 2;
		return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	}
	if (u[0] < 0xF0 || len < 4) {
		if (len < 3) { /* cut short: the rest is one U+FFFD */
			*n = len;
			return 0xFFFD;
		}
		*n = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) |
		       ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	*n = 4;
	return ((uint32_t)(u[0] & 0x07) << 18) |
	       ((uint32_t)(u[1] & 0x3F) << 12) |
	       ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}
size_t exi_u8_enc(uint32_t cp, char *out); /* out: 4 bytes; returns length */
size_t exi_u8_count(const char *s, size_t len); /* code points */

/* ---- data files ------------------------------------------------------- */
/* The next data line of [*pos, end) (a modifiable buffer with *end ==
 * '\0'), split in place: tabs and the line end become NULs, a CR before
 * the line end is dropped. Blank lines and lines starting with '#' are
 * skipped; *lineno counts every line read. Stores the first max fields in
 * f and returns how many the line has (possibly more than max), 0 at the
 * end. Each module keeps its own policy on headers and values. */
size_t exi_tsv_split(char **pos, char *end, char **f, size_t max,
                     size_t *lineno);

/* ---- byte buffers ------------------------------------------------------ */
/* A growable byte buffer (malloc'd). */
struct sbuf {
	char *p;
	size_t n, cap;
};
int exi_sb_reserve(struct sbuf *b, size_t more); /* 0 or EXT_ENOMEM */
int exi_sb_put(struct sbuf *b, const void *p, size_t n);
void exi_sb_free(struct sbuf *b);

/* ---- pattern sets ------------------------------------------------------ */
/* A pattern set matched in one pass: buckets by the first three bytes
 * (patterns are at least three bytes long). */
struct patset {
	const char **pat; /* borrowed */
	size_t *len;
	size_t n;
	uint32_t *head; /* PS_BUCKETS entries: 1 + first pattern, 0: none */
	uint32_t *next; /* per pattern: 1 + next in the bucket, 0: end */
	/* bit (first byte << 8 | second byte) of every pattern: most text
	 * positions start none, and one test rejects them */
	uint64_t *lead2;
};
#define PS_BUCKETS 4096
/* Pattern sets: pats are borrowed and must outlive the set. */
int exi_ps_build(struct patset *ps, const char **pats, const size_t *lens,
                 size_t n);
void exi_ps_free(struct patset *ps);
/* Iterates the patterns that match at s[0..n): exi_ps_first() gives the first
 * index or -1, exi_ps_next() the one after k or -1. */
long exi_ps_lookup(const struct patset *ps, const char *s, size_t n);
long exi_ps_next(const struct patset *ps, long k, const char *s, size_t n);
/* The bucket of the pattern or text starting at s (three bytes). */
static inline unsigned
exi_ps_bucket(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return (((unsigned)u[0] * 31u + u[1]) * 31u + u[2]) % PS_BUCKETS;
}

static inline long
exi_ps_first(const struct patset *ps, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned l2;

	if (!ps->lead2 || n < 3)
		return -1;
	l2 = (unsigned)u[0] << 8 | u[1];
	if (!(ps->lead2[l2 >> 6] >> (l2 & 63) & 1))
		return -1;
	/* an empty bucket needs no call */
	if (!ps->head[exi_ps_bucket(s)])
		return -1;
	return exi_ps_lookup(ps, s, n);
}

/* ---- numbers ----------------------------------------------------------- */
/* The decimal digits of v into out (20 bytes), no NUL; returns how many. */
size_t exi_u64_digits(uint64_t v, char *out);

#endif
