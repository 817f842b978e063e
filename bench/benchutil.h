/* benchutil.h - what the benchmark programs share: the clock, sorting
 * helpers, and reading a corpus directory (sorted file names, whole
 * files). Errors are printed with the program's name. */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on CLOCK_MONOTONIC. */
static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
bench_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int
bench_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* gen's article names: NNNNNN_CLASS.txt (and nothing hidden). */
static inline bool
bench_is_article(const char *name)
{
	size_t l = strlen(name);

	return name[0] != '.' && l >= 5 && l <= 60 &&
	       strcmp(name + l - 4, ".txt") == 0;
}

/* The names in dir that keep() accepts, sorted (malloc'd, each and the
 * array; free with bench_free_names()). NULL on error, with a message. */
static inline char **
bench_list(const char *prog, const char *dir, bool (*keep)(const char *),
           size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	*n_out = 0;
	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (!keep(de->d_name))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	if (!names && !(names = malloc(sizeof(*names))))
		abort();
	qsort(names, n, sizeof(*names), bench_cmp_str);
	*n_out = n;
	return names;
}

static inline void
bench_free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* dir/name read whole (malloc'd, NUL-terminated; its length in *len).
 * NULL on error, with a message. */
static inline char *
bench_read(const char *prog, const char *dir, const char *name, size_t *len)
{
	char path[4096], *buf;
	FILE *f;
	long l;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (l = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc((size_t)l + 1);
	if (!buf)
		abort();
	if (fread(buf, 1, (size_t)l, f) != (size_t)l) {
		fprintf(stderr, "%s: %s: short read\n", prog, path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[l] = '\0';
	*len = (size_t)l;
	return buf;
}

#endif
