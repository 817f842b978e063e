/* test.h - table-driven unit tests without a framework: CHECK macros that
 * count, and a closing "N passed, N failed" line that CI reads. */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			t_pass++;                                              \
		} else {                                                       \
			t_fail++;                                              \
			fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, \
			        __LINE__, #cond);                              \
			fprintf(stderr, " " __VA_ARGS__);                      \
			fputc('\n', stderr);                                   \
		}                                                              \
	} while (0)

#define CHECK_STR(got, want, ...)                                              \
	do {                                                                   \
		const char *g__ = (got), *w__ = (want);                        \
		int ok__ = (g__ == NULL && w__ == NULL) ||                     \
		           (g__ && w__ && strcmp(g__, w__) == 0);              \
		CHECK(ok__, "got \"%s\" want \"%s\" " __VA_ARGS__,             \
		      g__ ? g__ : "(null)", w__ ? w__ : "(null)");             \
	} while (0)

#define CHECK_INT(got, want, ...)                                              \
	do {                                                                   \
		long long g__ = (long long)(got), w__ = (long long)(want);     \
		CHECK(g__ == w__, "got %lld want %lld " __VA_ARGS__, g__,      \
		      w__);                                                    \
	} while (0)

static inline int
test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
