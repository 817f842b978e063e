/* bench_e2e.c - end to end: drops articles into a live spool and times
 * each one from its acceptance to its commit.
 *
 *   bench_e2e --spool DIR --stage DIR [--count N] [--rate R] [--tag T]
 *             [--timeout S] [--duration S] [--lat FILE]
 *
 * STAGE holds articles written by gen on the same file system as the spool
 * (and synced). The first N of them (by name) are renamed into
 * SPOOL/incoming/, all at once (rate 0, "full speed") or R per second
 * evenly spaced. accept = the moment rename() returned (the article is in
 * incoming/, which is ingestd's definition of accepted). commit = the
 * moment the file shows up in SPOOL/done/ (or failed/): ingestd moves it
 * there when the worker's ACK arrives, and a worker ACKs only after its
 * COMMIT, so this is commit + ACK + one rename: an upper bound of the
 * commit time, and the moment the service itself considers it done.
 * A file in done/ is matched by name, or by a 64-hex sha256 in its name.
 *
 * Articles/s = N / (last commit - first accept). With --duration S it
 * stops waiting S seconds after the first accept (a backfill that would
 * take too long to drain): articles/s is then those done over S, and the
 * rest stays waiting in the spool. Prints a line, then
 * "@ e2e.T.KEY VALUE" lines for run.sh. Exit 1 if some articles never
 * came out within S seconds of no progress (default 60). */
#define _GNU_SOURCE
#include "benchutil.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct item {
	char name[64];
	char sha[65];
	double accept, commit; /* monotonic seconds; 0 not yet */
	bool failed;
};

static struct item *items;
static size_t n_items;
static size_t *by_name, *by_sha; /* indexes sorted by name, by sha */
static atomic_size_t n_done;
static atomic_bool stop;
static atomic_ulong overflows, unmatched;

static int
cmp_by_name(const void *a, const void *b)
{
	return strcmp(items[*(const size_t *)a].name,
	              items[*(const size_t *)b].name);
}

static int
cmp_by_sha(const void *a, const void *b)
{
	return strcmp(items[*(const size_t *)a].sha,
	              items[*(const size_t *)b].sha);
}

static long
find(const char *name)
{
	size_t lo = 0, hi = n_items;
	size_t l = strlen(name);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(items[by_name[mid]].name, name);

		if (c == 0)
			return (long)by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = 0; i + 64 <= l; i++) {
		size_t k = 0;

		while (k < 64 && name[i + k] &&
		       strchr("0123456789abcdef", name[i + k]))
			k++;
		if (k < 64)
			continue;
		lo = 0, hi = n_items;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strncmp(items[by_sha[mid]].sha, name + i, 64);

			if (c == 0)
				return (long)by_sha[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return -1;
	}
	return -1;
}

static void
mark(const char *name, bool failed, double t)
{
	long i = find(name);

	if (i < 0) {
		if (strstr(name, ".error") == NULL && name[0] != '.')
			atomic_fetch_add(&unmatched, 1);
		return;
	}
	if (items[i].commit == 0) {
		items[i].commit = t;
		items[i].failed = failed;
		atomic_fetch_add(&n_done, 1);
	}
}

struct watch {
	int fd, wd_done, wd_failed;
};

static void *
watcher(void *arg)
{
	struct watch *w = arg;
	char buf[65536] __attribute__((aligned(8)));

	while (!atomic_load(&stop)) {
		ssize_t r = read(w->fd, buf, sizeof(buf));
		double t = bench_now();

		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				usleep(200);
				continue;
			}
			break;
		}
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW)
				atomic_fetch_add(&overflows, 1);
			else if (ev->len)
				mark(ev->name, ev->wd == w->wd_failed, t);
			p += sizeof(*ev) + ev->len;
		}
	}
	return NULL;
}

static int
load_stage(const char *stage, size_t want)
{
	size_t n;
	char **names = bench_list("bench_e2e", stage, bench_is_article, &n);

	if (!names)
		return -1;
	if (want == 0 || want > n)
		want = n;
	items = calloc(want ? want : 1, sizeof(*items));
	by_name = calloc(want ? want : 1, sizeof(*by_name));
	by_sha = calloc(want ? want : 1, sizeof(*by_sha));
	for (size_t i = 0; i < want; i++) {
		unsigned char h[crypto_hash_sha256_BYTES];
		size_t len;
		char *buf = bench_read("bench_e2e", stage, names[i], &len);

		if (!buf)
			return -1;
		crypto_hash_sha256(h, (unsigned char *)buf, len);
		free(buf);
		snprintf(items[i].name, sizeof(items[i].name), "%s", names[i]);
		for (int k = 0; k < 32; k++)
			sprintf(items[i].sha + 2 * k, "%02x", h[k]);
		by_name[i] = by_sha[i] = i;
	}
	bench_free_names(names, n);
	n_items = want;
	qsort(by_name, n_items, sizeof(*by_name), cmp_by_name);
	qsort(by_sha, n_items, sizeof(*by_sha), cmp_by_sha);
	return n_items ? 0 : -1;
}

static void
sleep_until(double t)
{
	double d = t - bench_now();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	const char *spool = NULL, *stage = NULL, *tag = "run", *latf = NULL;
	size_t count = 0;
	double rate = 0, timeout = 60, duration = 0, t_first, t_last = 0;
	double last_progress;
	char done_dir[4096], failed_dir[4096], inc[4096];
	struct watch w;
	pthread_t th;
	double *lat;
	size_t n_lat = 0, n_failed = 0, seen;
	int i, rc = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--spool") && i + 1 < argc)
			spool = argv[++i];
		else if (!strcmp(argv[i], "--stage") && i + 1 < argc)
			stage = argv[++i];
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc)
			rate = atof(argv[++i]);
		else if (!strcmp(argv[i], "--tag") && i + 1 < argc)
			tag = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!strcmp(argv[i], "--duration") && i + 1 < argc)
			duration = atof(argv[++i]);
		else if (!strcmp(argv[i], "--lat") && i + 1 < argc)
			latf = argv[++i];
		else
			break;
	}
	if (!spool || !stage || i != argc || rate < 0) {
		fprintf(stderr, "usage: bench_e2e --spool DIR --stage DIR "
		                "[--count N] [--rate R] [--tag T] "
		                "[--timeout S] [--duration S] [--lat FILE]\n");
		return 2;
	}
	if (sodium_init() < 0 || load_stage(stage, count) != 0) {
		fprintf(stderr, "bench_e2e: nothing to drop in %s\n", stage);
		return 1;
	}
	snprintf(done_dir, sizeof(done_dir), "%s/done", spool);
	snprintf(failed_dir, sizeof(failed_dir), "%s/failed", spool);
	snprintf(inc, sizeof(inc), "%s/incoming", spool);
	mkdir(done_dir, 0755);
	mkdir(failed_dir, 0755);
	w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w.wd_done =
	    inotify_add_watch(w.fd, done_dir, IN_MOVED_TO | IN_CLOSE_WRITE);
	w.wd_failed =
	    inotify_add_watch(w.fd, failed_dir, IN_MOVED_TO | IN_CLOSE_WRITE);
	if (w.fd < 0 || w.wd_done < 0 || w.wd_failed < 0) {
		fprintf(stderr, "bench_e2e: inotify on %s: %s\n", done_dir,
		        strerror(errno));
		return 1;
	}
	pthread_create(&th, NULL, watcher, &w);
	t_first = bench_now();
	for (size_t k = 0; k < n_items; k++) {
		char from[4096], to[4200];

		if (rate > 0)
			sleep_until(t_first + (double)k / rate);
		snprintf(from, sizeof(from), "%s/%s", stage, items[k].name);
		snprintf(to, sizeof(to), "%s/%s", inc, items[k].name);
		if (rename(from, to) != 0) {
			fprintf(stderr, "bench_e2e: rename %s: %s\n", from,
			        strerror(errno));
			return 1;
		}
		items[k].accept = bench_now();
	}
	last_progress = bench_now();
	seen = 0;
	while (atomic_load(&n_done) < n_items) {
		size_t d = atomic_load(&n_done);

		if (duration > 0 && bench_now() - t_first >= duration) {
			t_last = bench_now();
			break;
		}
		if (d != seen) {
			seen = d;
			last_progress = bench_now();
		} else if (bench_now() - last_progress > timeout) {
			fprintf(stderr,
			        "bench_e2e: %zu of %zu articles never came "
			        "out (no progress for %.0f s)\n",
			        n_items - d, n_items, timeout);
			rc = 1;
			break;
		}
		usleep(2000);
	}
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	lat = calloc(n_items, sizeof(*lat));
	for (size_t k = 0; k < n_items; k++) {
		if (items[k].commit == 0)
			continue;
		/* A fast worker can commit before rename() returns to us. */
		lat[n_lat++] = items[k].commit > items[k].accept
		                   ? items[k].commit - items[k].accept
		                   : 0;
		n_failed += items[k].failed;
		if (items[k].commit > t_last && duration <= 0)
			t_last = items[k].commit;
	}
	qsort(lat, n_lat, sizeof(*lat), bench_cmp_dbl);
	if (latf) {
		FILE *f = fopen(latf, "w");

		for (size_t k = 0; f && k < n_items; k++)
			fprintf(f, "%s\t%.6f\t%.6f\n", items[k].name,
			        items[k].accept - t_first,
			        items[k].commit ? items[k].commit - t_first
			                        : -1.0);
		if (f)
			fclose(f);
	}
	if (n_lat > 0) {
		double span = t_last - t_first;
		double p50 = lat[(n_lat - 1) / 2];
		double p99 = lat[(size_t)((double)(n_lat - 1) * 0.99)];
		double mx = lat[n_lat - 1];

		printf(
		    "e2e %s: %zu of %zu articles (%zu failed) offered at %s, "
		    "done in %.3f s: %.0f articles/s; accept-to-commit p50 "
		    "%.1f ms, p99 %.1f ms, max %.1f ms\n",
		    tag, n_lat, n_items, n_failed,
		    rate > 0 ? "a fixed rate" : "full speed", span,
		    (double)n_lat / span, p50 * 1e3, p99 * 1e3, mx * 1e3);
		if (rate > 0)
			printf("@ e2e.%s.offered %.6g\n", tag, rate);
		printf("@ e2e.%s.n %zu\n@ e2e.%s.failed %zu\n", tag, n_lat, tag,
		       n_failed);
		printf("@ e2e.%s.dropped %zu\n", tag, n_items);
		printf("@ e2e.%s.aps %.6g\n", tag, (double)n_lat / span);
		printf("@ e2e.%s.p50ms %.6g\n@ e2e.%s.p99ms %.6g\n", tag,
		       p50 * 1e3, tag, p99 * 1e3);
		printf("@ e2e.%s.maxms %.6g\n", tag, mx * 1e3);
	}
	if (atomic_load(&overflows) || atomic_load(&unmatched))
		fprintf(stderr,
		        "bench_e2e: %lu inotify overflows, %lu unmatched "
		        "names in done/\n",
		        atomic_load(&overflows), atomic_load(&unmatched));
	free(lat);
	return rc;
}
