/* bench_extract.c - extraction alone, one process, beside its baselines.
 *
 *   bench_extract [--runs N] [--procs P] [--data DIR] [--only CLASS]
 *                 [--loops N] CORPUS_DIR
 *
 * Loads the corpus written by gen (NNNNNN_CLASS.txt) into memory, then for
 * each class (su sg tu tb, see gen.c) and for the whole mix measures, as
 * the median of N timed runs after one warm-up run:
 *   extract  ext_extract() + ext_result_destroy() over every article, with
 *            the tables and OpenCC converter that extractd uses (extload);
 *   json     the same plus ext_result_json() (what --json adds);
 *   decode   a plain pass over the same bytes: UTF-8 validation for UTF-8
 *            files, iconv to UTF-8 for GBK (GB18030) and Big5 files;
 *   t2s      the bare OpenCC t2s pass over the same bytes (iconv first
 *            for GBK and Big5 files: OpenCC reads only UTF-8).
 * MB are 10^6 bytes of raw input. Wall time is the figure; the rates per
 * CPU-second are printed beside it for a machine shared with other work. With
 * --procs P, the mix is also extracted by P forked processes at once (each a
 * 1/P share of the articles, copy-on-write), and the rate is the total bytes
 * over the slowest process's time. --only CLASS --loops N [--json] runs only
 * the extraction (and ext_result_json) of one class N times, untimed, for
 * profilers (callgrind, perf).
 *
 * Prints a table, then one "@ KEY VALUE" line per figure for run.sh. */
#define _GNU_SOURCE
#include "benchutil.h"
#include "extload.h"
#include "extract/extract.h"

#include <dirent.h>
#include <errno.h>
#include <iconv.h>
#include <opencc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { C_SU, C_SG, C_TU, C_TB, C_ALL, C_N };
static const char *const cls_name[C_N] = { "su", "sg", "tu", "tb", "all" };
static const char *const cls_desc[C_N] = { "Simplified UTF-8", "Simplified GBK",
	                                   "Traditional UTF-8",
	                                   "Traditional Big5", "mix" };

struct art {
	char *buf;
	size_t len;
	int cls;
};

struct corpus {
	struct art *a;
	size_t n;
	size_t bytes[C_N];
	size_t count[C_N];
};

enum pass { P_EXTRACT, P_JSON, P_DECODE, P_T2S };

struct ctx {
	struct extload el;
	opencc_t t2s;
	iconv_t from_gbk, from_big5;
	long errors;
};

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the last pass_time(): on a machine shared with other
 * work, wall time counts their time slices too; CPU time does not. */
static double last_cpu;

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
class_of(const char *name)
{
	const char *u = strrchr(name, '_');

	for (int c = 0; u && c < C_ALL; c++)
		if (strncmp(u + 1, cls_name[c], 2) == 0 && u[3] == '.')
			return c;
	return -1;
}

static int
class_by_name(const char *s)
{
	for (int c = 0; c < C_N; c++)
		if (strcmp(s, cls_name[c]) == 0)
			return c;
	return -2;
}

static bool
is_classed(const char *name)
{
	return name[0] != '.' && class_of(name) >= 0;
}

static int
load(const char *dir, struct corpus *co)
{
	size_t n;
	char **names;

	memset(co, 0, sizeof(*co));
	names = bench_list("bench_extract", dir, is_classed, &n);
	if (!names)
		return -1;
	co->a = calloc(n ? n : 1, sizeof(*co->a));
	for (size_t i = 0; i < n; i++) {
		struct art *a = &co->a[co->n];

		a->buf = bench_read("bench_extract", dir, names[i], &a->len);
		if (!a->buf)
			return -1;
		a->cls = class_of(names[i]);
		co->bytes[a->cls] += a->len;
		co->count[a->cls]++;
		co->bytes[C_ALL] += a->len;
		co->count[C_ALL]++;
		co->n++;
	}
	bench_free_names(names, n);
	if (co->n == 0) {
		fprintf(stderr, "bench_extract: no NNNNNN_CLASS.txt in %s\n",
		        dir);
		return -1;
	}
	return 0;
}

/* A plain UTF-8 validation: what any decoder must at least do. */
static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, cp = c & 0x07;
		else
			return false;
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += k + 1;
	}
	return true;
}

/* iconv into a reused buffer; returns the UTF-8 length or (size_t)-1. */
static size_t
decode_legacy(iconv_t cd, const struct art *a, char **out, size_t *cap)
{
	char *ip = a->buf, *op;
	size_t il = a->len, ol;

	if (*cap < a->len * 2 + 16) {
		*cap = a->len * 2 + 16;
		*out = realloc(*out, *cap);
	}
	op = *out;
	ol = *cap - 1;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		return (size_t)-1;
	*op = '\0';
	return (size_t)(op - *out);
}

static volatile size_t sink;

static void
one(struct ctx *x, const struct art *a, enum pass p, char **tmp, size_t *cap)
{
	struct ext_options opt = { NULL, 4u << 20, false };
	struct ext_result *res = NULL;
	const char *u = a->buf;
	size_t ul = a->len;
	iconv_t cd = a->cls == C_SG ? x->from_gbk : x->from_big5;
	char *s;

	switch (p) {
	case P_EXTRACT:
	case P_JSON:
		if (ext_extract(x->el.tables, a->buf, a->len, &opt, &res,
		                NULL) != 0) {
			x->errors++;
			return;
		}
		if (p == P_JSON) {
			s = ext_result_json(res, NULL, false);
			sink += s ? strlen(s) : 0;
			free(s);
		}
		sink += res->n_figures;
		ext_result_destroy(&res);
		return;
	case P_DECODE:
	case P_T2S:
		if (a->cls == C_SG || a->cls == C_TB) {
			ul = decode_legacy(cd, a, tmp, cap);
			if (ul == (size_t)-1) {
				x->errors++;
				return;
			}
			u = *tmp;
		} else if (p == P_DECODE) {
			sink += utf8_valid((const unsigned char *)u, ul);
			return;
		}
		if (p == P_DECODE) {
			sink += ul;
			return;
		}
		s = opencc_convert_utf8(x->t2s, u, ul);
		if (!s) {
			x->errors++;
			return;
		}
		sink += (unsigned char)s[0];
		opencc_convert_utf8_free(s);
		return;
	}
}

/* One pass over articles [lo, hi) of class cls (C_ALL: every one). */
static double
pass_time(struct ctx *x, const struct corpus *co, int cls, enum pass p,
          size_t lo, size_t hi)
{
	char *tmp = NULL;
	size_t cap = 0;
	double t0 = bench_now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	for (size_t i = lo; i < hi; i++)
		if (cls == C_ALL || co->a[i].cls == cls)
			one(x, &co->a[i], p, &tmp, &cap);
	t0 = bench_now() - t0;
	last_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	free(tmp);
	return t0;
}

static double
measure(struct ctx *x, const struct corpus *co, int cls, enum pass p, int runs,
        double *cpu)
{
	double t[64], c[64];

	if (runs > 64)
		runs = 64;
	pass_time(x, co, cls, p, 0, co->n); /* warm-up: caches, allocator */
	for (int r = 0; r < runs; r++) {
		t[r] = pass_time(x, co, cls, p, 0, co->n);
		c[r] = last_cpu;
	}
	*cpu = median(c, runs);
	return median(t, runs);
}

/* P processes, each extracting its share of the mix; per run, the slowest
 * one's time. They start together (fork) and run the same number of
 * passes, so their runs overlap. */
static double
measure_procs(struct ctx *x, const struct corpus *co, int procs, int runs)
{
	double worst[64] = { 0 };
	int fds[64][2];
	pid_t pids[64];

	if (runs > 64)
		runs = 64;
	for (int k = 0; k < procs; k++) {
		size_t lo = co->n * (size_t)k / (size_t)procs;
		size_t hi = co->n * (size_t)(k + 1) / (size_t)procs;

		if (pipe(fds[k]) != 0) {
			perror("pipe");
			exit(1);
		}
		pids[k] = fork();
		if (pids[k] == 0) {
			double t[64];

			close(fds[k][0]);
			pass_time(x, co, C_ALL, P_EXTRACT, lo, hi);
			for (int r = 0; r < runs; r++)
				t[r] =
				    pass_time(x, co, C_ALL, P_EXTRACT, lo, hi);
			if (write(fds[k][1], t, sizeof(double) * (size_t)runs) <
			    0)
				_exit(1);
			_exit(0);
		}
		close(fds[k][1]);
	}
	for (int k = 0; k < procs; k++) {
		double t[64];
		size_t want = sizeof(double) * (size_t)runs, got = 0;

		while (got < want) {
			ssize_t r =
			    read(fds[k][0], (char *)t + got, want - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fds[k][0]);
		waitpid(pids[k], NULL, 0);
		for (int r = 0; r < runs && got == want; r++)
			if (t[r] > worst[r])
				worst[r] = t[r];
	}
	return median(worst, runs);
}

static void
put(const char *key, double v)
{
	printf("@ %s %.6g\n", key, v);
}

int
main(int argc, char **argv)
{
	int runs = 5, procs = 0, only = -1, with_json = 0, i;
	long loops = 0;
	const char *data = NULL;
	struct corpus co;
	struct ctx x;
	char err[512];
	double res[C_N][4], cpu[C_N][4];

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = class_by_name(argv[++i]);
		else if (!strcmp(argv[i], "--loops") && i + 1 < argc)
			loops = atol(argv[++i]);
		else if (!strcmp(argv[i], "--json"))
			with_json = 1;
		else
			break;
	}
	if (argc - i != 1 || runs < 1 || procs < 0 || procs > 64 ||
	    only == -2) {
		fprintf(stderr,
		        "usage: bench_extract [--runs N] [--procs P] "
		        "[--data DIR] [--only CLASS --loops N [--json]] "
		        "CORPUS_DIR\n");
		return 2;
	}
	if (load(argv[i], &co) != 0)
		return 1;
	memset(&x, 0, sizeof(x));
	if (extload_open(&x.el, data, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_extract: %s\n", err);
		return 1;
	}
	x.t2s = opencc_open("t2s.json");
	x.from_gbk = iconv_open("UTF-8", "GB18030");
	x.from_big5 = iconv_open("UTF-8", "BIG5");
	if (x.t2s == (opencc_t)-1 || x.from_gbk == (iconv_t)-1 ||
	    x.from_big5 == (iconv_t)-1) {
		fprintf(stderr, "bench_extract: OpenCC or iconv unavailable\n");
		return 1;
	}
	if (loops > 0) {
		/* For profilers: no warm-up, no timing, just the work. */
		for (long l = 0; l < loops; l++)
			pass_time(&x, &co, only < 0 ? C_ALL : only,
			          with_json ? P_JSON : P_EXTRACT, 0, co.n);
		fprintf(stderr, "bench_extract: %ld loops, %ld errors\n", loops,
		        x.errors);
		return 0;
	}
	printf("extraction alone, one process, median of %d runs "
	       "(MB = 10^6 raw bytes)\n",
	       runs);
	printf("%-18s %6s %8s | %8s %8s %8s | %8s %8s %8s | %7s %7s\n", "input",
	       "arts", "MB", "extr MB/s", "arts/s", "MB/cpu-s", "+json",
	       "decode", "t2s", "ex/dec", "ex/t2s");
	for (int c = 0; c < C_N; c++) {
		double mb = (double)co.bytes[c] / 1e6;

		if (co.count[c] == 0)
			continue;
		for (int p = 0; p < 4; p++)
			res[c][p] =
			    measure(&x, &co, c, (enum pass)p, runs, &cpu[c][p]);
		printf("%-18s %6zu %8.2f | %9.2f %8.0f %8.2f | %8.2f %8.2f "
		       "%8.2f | %7.3f %7.3f\n",
		       cls_desc[c], co.count[c], mb, mb / res[c][P_EXTRACT],
		       (double)co.count[c] / res[c][P_EXTRACT],
		       mb / cpu[c][P_EXTRACT], mb / res[c][P_JSON],
		       mb / res[c][P_DECODE], mb / res[c][P_T2S],
		       res[c][P_DECODE] / res[c][P_EXTRACT],
		       res[c][P_T2S] / res[c][P_EXTRACT]);
	}
	printf("errors: %ld (articles that failed to extract, all passes)\n",
	       x.errors);
	for (int c = 0; c < C_N; c++) {
		char k[64];
		double mb = (double)co.bytes[c] / 1e6;

		if (co.count[c] == 0)
			continue;
		snprintf(k, sizeof(k), "extract.%s.n", cls_name[c]);
		put(k, (double)co.count[c]);
		snprintf(k, sizeof(k), "extract.%s.mb", cls_name[c]);
		put(k, mb);
		snprintf(k, sizeof(k), "extract.%s.mbps", cls_name[c]);
		put(k, mb / res[c][P_EXTRACT]);
		snprintf(k, sizeof(k), "extract.%s.aps", cls_name[c]);
		put(k, (double)co.count[c] / res[c][P_EXTRACT]);
		snprintf(k, sizeof(k), "json.%s.mbps", cls_name[c]);
		put(k, mb / res[c][P_JSON]);
		snprintf(k, sizeof(k), "decode.%s.mbps", cls_name[c]);
		put(k, mb / res[c][P_DECODE]);
		snprintf(k, sizeof(k), "t2s.%s.mbps", cls_name[c]);
		put(k, mb / res[c][P_T2S]);
		/* The same per CPU-second, for a machine shared with others. */
		snprintf(k, sizeof(k), "extract.%s.cpu_mbps", cls_name[c]);
		put(k, mb / cpu[c][P_EXTRACT]);
		snprintf(k, sizeof(k), "t2s.%s.cpu_mbps", cls_name[c]);
		put(k, mb / cpu[c][P_T2S]);
		snprintf(k, sizeof(k), "decode.%s.cpu_mbps", cls_name[c]);
		put(k, mb / cpu[c][P_DECODE]);
	}
	put("extract.errors", (double)x.errors);
	if (procs > 0) {
		double t = measure_procs(&x, &co, procs, runs);
		char k[64];

		printf("mix on %d processes: %.2f MB/s, %.0f articles/s\n",
		       procs, (double)co.bytes[C_ALL] / 1e6 / t,
		       (double)co.n / t);
		snprintf(k, sizeof(k), "extract.all.p%d.mbps", procs);
		put(k, (double)co.bytes[C_ALL] / 1e6 / t);
		snprintf(k, sizeof(k), "extract.all.p%d.aps", procs);
		put(k, (double)co.n / t);
	}
	iconv_close(x.from_gbk);
	iconv_close(x.from_big5);
	opencc_close(x.t2s);
	extload_close(&x.el);
	for (size_t k = 0; k < co.n; k++)
		free(co.a[k].buf);
	free(co.a);
	return 0;
}
