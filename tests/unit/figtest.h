/* figtest.h - what number_test.c and figure_test.c share: figure tables
 * built from the data directory's own files (EXTRACTD_DATA, set by ctest),
 * and a runner that formats the figures of a text compactly:
 * "472000000 元;27 %;~230000 人" ("~" marks approx). */
#ifndef FIGTEST_H
#define FIGTEST_H

#include "extract_int.h"
#include "test.h"

static struct fig_tables *
figtest_tables(void)
{
	static const char *const files[] = { "units.tsv", "categories.tsv",
		                             "figure_words.tsv" };
	const char *dir = getenv("EXTRACTD_DATA");
	struct fig_tables *ft = NULL;

	if (!dir || !*dir)
		dir = "data";
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096], *buf;
		size_t errline = 0;
		long n;
		FILE *f;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		f = fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "cannot open %s\n", path);
			exit(2);
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)n + 1);
		if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
			exit(2);
		fclose(f);
		rc = fig_tables_add(&ft, files[i], buf, (size_t)n, &errline);
		free(buf);
		if (rc != 0) {
			fprintf(stderr, "%s:%zu: error %d\n", path, errline,
			        rc);
			exit(2);
		}
	}
	if (fig_tables_check(ft, NULL) != 0)
		exit(2);
	return ft;
}

/* Runs fig_find on text as one sentence; writes the figures into out. */
static struct ext_figure *
figtest_run(const struct fig_tables *ft, const char *text, int year,
            struct arena *ar, size_t *n)
{
	struct vec v = VEC_INIT(struct ext_figure);
	struct sent s = { 0, strlen(text) };
	int rc = fig_find(ft, text, strlen(text), &s, 0, year, ar, &v);

	CHECK(rc == 0, "fig_find(%s) = %d", text, rc);
	*n = v.n;
	return exi_vec_to_arena(&v, ar);
}

static void
figtest_format(const struct ext_figure *f, size_t n, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++) {
		char num[48];

		used += (size_t)snprintf(out + used, cap - used, "%s%s%s %s",
		                         i ? ";" : "", f[i].approx ? "~" : "",
		                         ext_decimal_str(f[i].value, num),
		                         f[i].unit);
	}
}

#endif
