/* spooltest.h - what spool_test.c, watch_test.c and intake_test.c share:
 * the test's spool folder (a mkdtemp() folder, set by the test) and paths in
 * it. */
#ifndef SPOOLTEST_H
#define SPOOLTEST_H

#include <stdio.h>

static char s_dir[256];

/* s_dir/rel, in one of four rotating buffers (up to four in one call). */
static inline char *
path(const char *rel)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", s_dir, rel);
	return buf[k];
}

#endif
