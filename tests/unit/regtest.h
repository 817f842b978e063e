/* regtest.h - what region_test.c, pairing_test.c and org_test.c share: a
 * sentence splitter for their own texts, the region and pairing stages run
 * on one text, and the long inputs of their linear-time checks. */
#ifndef REGTEST_H
#define REGTEST_H

#include "extract_int.h"
#include "reg_int.h"

#include <stdlib.h>
#include <string.h>

/* Sentences end at 。 (the text stage's splitter does more). */
static inline struct sent *
regtest_split(const char *text, size_t len, struct arena *ar, size_t *n)
{
	struct sent *s = exi_ar_alloc(ar, (len / 3 + 2) * sizeof(*s));
	size_t i, b0 = 0;

	*n = 0;
	for (i = 0; i + 3 <= len; i++)
		if (!memcmp(text + i, "。", 3)) {
			s[*n].b0 = b0;
			s[(*n)++].b1 = i + 3;
			b0 = i + 3;
		}
	if (b0 < len) {
		s[*n].b0 = b0;
		s[(*n)++].b1 = len;
	}
	return s;
}

/* Runs the region and pairing stages over text (date: the article's
 * publication date, or NULL); the pairings go to out, strings in ar. */
static inline int
regtest_pairings(const struct reg_tables *rt, const char *text,
                 const char *date, struct arena *ar, struct vec *out)
{
	size_t len = strlen(text), n_s, n_m;
	struct sent *s = regtest_split(text, len, ar, &n_s);
	struct mention *m;
	struct ext_doc doc;
	const struct region *main_region;
	int rc;

	memset(&doc, 0, sizeof(doc));
	doc.text = (char *)text;
	doc.len = len;
	doc.meta.published = (char *)date;
	rc = reg_find(rt, text, len, s, n_s, ar, &m, &n_m);
	if (rc)
		return rc;
	main_region = reg_main(rt, text, &doc, m, n_m);
	return pair_find(rt, text, len, s, n_s, m, n_m, &doc, main_region, ar,
	                 out);
}

/* clause n times, then tail (malloc'd, NUL-terminated; its length in
 * *len). */
static inline char *
regtest_repeat_of(const char *clause, size_t n, const char *tail, size_t *len)
{
	size_t cl = strlen(clause), tl = strlen(tail);
	char *text = malloc(cl * n + tl + 1);

	if (!text)
		abort();
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * cl, clause, cl);
	memcpy(text + cl * n, tail, tl + 1);
	*len = cl * n + tl;
	return text;
}

/* The clause of the region and pairing linear-time checks, n times. */
#define REGTEST_CLAUSE "广州市帮扶毕节市七星关区,粤桂扶贫协作,"

static inline char *
regtest_repeat(size_t n, size_t *len)
{
	return regtest_repeat_of(REGTEST_CLAUSE, n, "", len);
}

#endif
