/* regtest.h - what region_test.c and pairing_test.c share: a sentence
 * splitter for their own texts and the long input of their linear-time
 * checks. */
#ifndef REGTEST_H
#define REGTEST_H

#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

/* Sentences end at 。 (the text stage's splitter does more). */
static struct sent *
regtest_split(const char *text, size_t len, struct arena *ar, size_t *n)
{
	struct sent *s = ar_alloc(ar, (len / 3 + 2) * sizeof(*s));
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

/* The clause of the linear-time checks, n times (malloc'd, NUL-terminated;
 * its length in *len). */
#define REGTEST_CLAUSE "广州市帮扶毕节市七星关区,粤桂扶贫协作,"

static char *
regtest_repeat(size_t n, size_t *len)
{
	size_t cl = strlen(REGTEST_CLAUSE);
	char *text = malloc(cl * n + 1);

	if (!text)
		abort();
	for (size_t i = 0; i < n; i++)
		memcpy(text + i * cl, REGTEST_CLAUSE, cl);
	text[cl * n] = '\0';
	*len = cl * n;
	return text;
}

#endif
