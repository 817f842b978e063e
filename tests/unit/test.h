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

/* On failure: file:line, the expression, got and want, then the optional
 * printf-style message. */
#define T_FAIL_(expr, ...)                                                     \
	do {                                                                   \
		t_fail++;                                                      \
		fprintf(stderr, "%s:%d: %s failed:", __FILE__, __LINE__,       \
		        expr);                                                 \
		fprintf(stderr, " " __VA_ARGS__);                              \
		fputc('\n', stderr);                                           \
	} while (0)

#define CHECK_STR(got, want, ...)                                              \
	do {                                                                   \
		const char *g__ = (got), *w__ = (want);                        \
		if ((g__ == NULL && w__ == NULL) ||                            \
		    (g__ && w__ && strcmp(g__, w__) == 0)) {                   \
			t_pass++;                                              \
		} else {                                                       \
			fprintf(stderr, "got \"%s\" want \"%s\"\n",            \
			        g__ ? g__ : "(null)", w__ ? w__ : "(null)");   \
			T_FAIL_(#got " == " #want, ##__VA_ARGS__);             \
		}                                                              \
	} while (0)

#define CHECK_INT(got, want, ...)                                              \
	do {                                                                   \
		long long g__ = (long long)(got), w__ = (long long)(want);     \
		if (g__ == w__) {                                              \
			t_pass++;                                              \
		} else {                                                       \
			fprintf(stderr, "got %lld want %lld\n", g__, w__);     \
			T_FAIL_(#got " == " #want, ##__VA_ARGS__);             \
		}                                                              \
	} while (0)

static inline int
test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
