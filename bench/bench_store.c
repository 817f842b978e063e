/* bench_store.c - database writing alone, beside a plain COPY.
 *
 *   bench_store --db CONNINFO [--conns N] [--batch B] [--data DIR] CORPUS
 *   bench_store --db CONNINFO --copy
 *   bench_store --db CONNINFO --migrate MIGRATIONS_DIR DIVISIONS_TSV
 *
 * First form: extracts every article of CORPUS (untimed, as gen wrote it),
 * then N forked processes, each with its own store (store.h, the code
 * extractd runs), write their share (article i goes to process i mod N)
 * with store_put() and a store_commit() every B articles, as a worker
 * does. The clock runs from the moment every process has connected to the
 * moment the last one has committed. Also prints the CPU time per article
 * spent in the writers and in PostgreSQL's processes over that window
 * (for docs/SCALING.md's arithmetic). The database must hold the schema and
 * no articles (run.sh makes a fresh one from a migrated template).
 *
 * Second form, on the database the first form filled: reads the rows of
 * articles, pairing_rows, figure_sets and flow_rows (every column that
 * is not generated)
 * into memory with COPY TO, TRUNCATEs them, and times writing the same
 * rows back with COPY FROM in one transaction on one connection: the
 * ceiling for those rows on that server. (This COPY is why a benchmark,
 * unlike the daemons, talks to libpq outside store.c.)
 *
 * Third form: store_migrate(), what extractd --migrate runs.
 *
 * Prints a line, then "@ KEY VALUE" lines for run.sh. */
#define _GNU_SOURCE
#include "benchutil.h"
#include "extload.h"
#include "extract/extract.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct art {
	char name[64];
	char sha[65];
	char *buf;
	size_t len;
	struct ext_result *res; /* NULL: extraction failed, rc says why */
	int rc;
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
cpu_self(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of one PostgreSQL server: its postmaster
 * and the postmaster's children (backends, WAL writer, checkpointer...).
 * Other clusters on the machine (test suites) do not count. Needs to read
 * their /proc/PID/stat (same user, or root). */
static double
server_cpu(long postmaster)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	double ticks = 0;

	if (!d || postmaster <= 0) {
		if (d)
			closedir(d);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[1024], *p;
		unsigned long ut, st;
		long pid, ppid;
		FILE *f;
		size_t r;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		r = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[r] = '\0';
		pid = atol(buf);
		/* After "(comm) ": state ppid ...; utime is the 12th. */
		p = strrchr(buf, ')');
		if (p &&
		    sscanf(p + 2,
		           "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		           "%lu %lu",
		           &ppid, &ut, &st) == 3 &&
		    (pid == postmaster || ppid == postmaster))
			ticks += (double)(ut + st);
	}
	closedir(d);
	return ticks / (double)sysconf(_SC_CLK_TCK);
}

/* The postmaster of the server at conninfo: our backend's parent. */
static long
postmaster_pid(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	long pid = 0, ppid = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t r;

	if (PQstatus(c) == CONNECTION_OK)
		pid = PQbackendPID(c);
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = pid ? fopen(path, "r") : NULL;
	if (f) {
		r = fread(buf, 1, sizeof(buf) - 1, f);
		buf[r] = '\0';
		fclose(f);
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 2, "%*c %ld", &ppid) != 1)
			ppid = 0;
	}
	PQfinish(c);
	return ppid;
}

static int
load(const char *dir, struct art **out, size_t *n_out)
{
	size_t n;
	char **names = bench_list("bench_store", dir, bench_is_article, &n);
	struct art *v;

	if (!names)
		return -1;
	v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		unsigned char h[crypto_hash_sha256_BYTES];

		v[i].buf = bench_read("bench_store", dir, names[i], &v[i].len);
		if (!v[i].buf)
			return -1;
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
		crypto_hash_sha256(h, (unsigned char *)v[i].buf, v[i].len);
		for (int k = 0; k < 32; k++)
			sprintf(v[i].sha + 2 * k, "%02x", h[k]);
	}
	bench_free_names(names, n);
	*out = v;
	*n_out = n;
	return 0;
}

/* One writer: connects, says so, waits for the start, writes its share. */
static int
writer(const struct store_opts *so, struct art *v, size_t n, int k, int conns,
       int batch, int ready_fd, int go_fd)
{
	store_t *st = store_new(so);
	char c = 1;
	double rec = -1, cpu0;
	size_t in_batch = 0, stored = 0, dup = 0, rej = 0;

	if (!st) {
		fprintf(stderr, "bench_store: writer %d: cannot connect\n", k);
		return 1;
	}
	if (write(ready_fd, &rec, sizeof(rec)) != sizeof(rec) ||
	    read(go_fd, &c, 1) != 1)
		return 1;
	cpu0 = cpu_self();
	for (size_t i = (size_t)k; i < n; i += (size_t)conns) {
		struct store_article a = { 0 };
		enum store_status status = 0;
		char uri[128];
		int rc;

		snprintf(uri, sizeof(uri), "bench:%s", v[i].name);
		a.sha256 = v[i].sha;
		a.raw = v[i].buf;
		a.raw_len = v[i].len;
		a.uri = uri;
		a.feed = "bench";
		a.content_type = "text/plain";
		a.received_us = now_us();
		if (v[i].res) {
			rc = store_put(st, &a, v[i].res, &status);
		} else {
			rc = store_reject(st, &a, "extract",
			                  ext_strerror(v[i].rc));
			status = STORE_REJECTED;
		}
		if (rc != 0) {
			fprintf(stderr, "bench_store: writer %d: %s: rc %d\n",
			        k, v[i].name, rc);
			return 1;
		}
		stored += status == STORE_STORED;
		dup += status == STORE_DUPLICATE;
		rej += status == STORE_REJECTED;
		if (++in_batch == (size_t)batch) {
			if (store_commit(st) != 0) {
				fprintf(stderr, "bench_store: commit failed\n");
				return 1;
			}
			in_batch = 0;
		}
	}
	if (in_batch && store_commit(st) != 0) {
		fprintf(stderr, "bench_store: commit failed\n");
		return 1;
	}
	/* Done: report this process's CPU, and keep the session open until
	 * the parent has read the server's CPU (a backend's time vanishes
	 * from /proc when it exits). */
	rec = cpu_self() - cpu0;
	if (write(ready_fd, &rec, sizeof(rec)) != sizeof(rec) ||
	    read(go_fd, &c, 1) != 1)
		return 1;
	store_destroy(&st);
	if (dup || rej)
		fprintf(stderr,
		        "bench_store: writer %d: %zu stored, %zu duplicate, "
		        "%zu rejected\n",
		        k, stored, dup, rej);
	return 0;
}

static int
run_store(const char *db, const char *data, int conns, int batch,
          const char *corpus)
{
	struct extload el;
	char err[512];
	struct art *v;
	size_t n, bytes = 0, figs = 0, pairs = 0, failed = 0;
	struct store_opts so = { 0 };
	int ready[2], go[2], status, bad = 0;
	pid_t pids[64];
	double t0, srv_cpu, cli_cpu = 0;
	long pm = postmaster_pid(db);

	if (load(corpus, &v, &n) != 0)
		return 1;
	if (extload_open(&el, data, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_store: %s\n", err);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct ext_options opt = { NULL, 4u << 20, false };

		v[i].rc = ext_extract(el.tables, v[i].buf, v[i].len, &opt,
		                      &v[i].res, NULL);
		if (v[i].rc != 0) {
			failed++;
			continue;
		}
		bytes += v[i].len;
		figs += v[i].res->n_figures;
		pairs += v[i].res->n_pairings;
	}
	so.conninfo = db;
	so.extractor_version = EXT_VERSION;
	so.data_hash = el.data_hash;
	so.lock_timeout_ms = 5000;
	so.idle_tx_timeout_ms = 60000;
	so.statement_timeout_ms = 60000;
	if (pipe(ready) != 0 || pipe(go) != 0) {
		perror("pipe");
		return 1;
	}
	fflush(NULL);
	for (int k = 0; k < conns; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			close(ready[0]);
			close(go[1]);
			_exit(writer(&so, v, n, k, conns, batch, ready[1],
			             go[0]));
		}
	}
	close(ready[1]);
	close(go[0]);
	/* Records of 8 bytes (< PIPE_BUF, so never interleaved): -1 when a
	 * writer has connected, then its CPU seconds when it has committed. */
	for (int k = 0; k < conns && !bad; k++) {
		double rec;

		if (read(ready[0], &rec, sizeof(rec)) != sizeof(rec))
			bad = 1;
	}
	srv_cpu = server_cpu(pm);
	t0 = bench_now();
	for (int k = 0; k < conns && !bad; k++)
		if (write(go[1], "g", 1) != 1)
			bad = 1;
	for (int k = 0; k < conns && !bad; k++) {
		double rec;

		if (read(ready[0], &rec, sizeof(rec)) != sizeof(rec))
			bad = 1;
		else
			cli_cpu += rec;
	}
	t0 = bench_now() - t0;
	srv_cpu = server_cpu(pm) - srv_cpu;
	for (int k = 0; k < conns; k++)
		if (write(go[1], "g", 1) != 1)
			bad = 1;
	close(go[1]);
	for (int k = 0; k < conns; k++) {
		waitpid(pids[k], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad = 1;
	}
	if (bad) {
		fprintf(stderr, "bench_store: a writer failed\n");
		return 1;
	}
	printf("store, %d connection(s), batches of %d: %zu articles "
	       "(%zu figures, %zu pairings, %zu rejected) in %.3f s: "
	       "%.0f articles/s, %.2f MB/s\n",
	       conns, batch, n, figs, pairs, failed, t0, (double)n / t0,
	       (double)bytes / 1e6 / t0);
	printf("@ store.c%d.aps %.6g\n", conns, (double)n / t0);
	printf("@ store.c%d.mbps %.6g\n", conns, (double)bytes / 1e6 / t0);
	printf("@ store.c%d.rowsps %.6g\n", conns,
	       (double)(n + figs + pairs) / t0);
	printf("CPU per article: %.0f us in the writers (store.c, libpq), "
	       "%.0f us in PostgreSQL (the server's processes)\n",
	       cli_cpu / (double)n * 1e6, srv_cpu / (double)n * 1e6);
	printf("@ store.c%d.client_us %.6g\n@ store.c%d.server_us %.6g\n",
	       conns, cli_cpu / (double)n * 1e6, conns,
	       srv_cpu / (double)n * 1e6);
	printf("@ store.n %zu\n@ store.figures %zu\n@ store.pairings %zu\n", n,
	       figs, pairs);
	for (size_t i = 0; i < n; i++) {
		ext_result_destroy(&v[i].res);
		free(v[i].buf);
	}
	free(v);
	extload_close(&el);
	return 0;
}

static PGresult *
exec_ok(PGconn *c, const char *sql, ExecStatusType want)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != want) {
		fprintf(stderr, "bench_store: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		return NULL;
	}
	return r;
}

struct table {
	const char *name;
	char cols[4096];
	char *data;
	size_t len, rows;
};

static int
copy_out(PGconn *c, struct table *t)
{
	char sql[8192], *buf;
	PGresult *r;
	size_t cap = 1 << 20;
	int n;

	snprintf(sql, sizeof(sql),
	         "select string_agg(quote_ident(column_name), ',' order by "
	         "ordinal_position) from information_schema.columns where "
	         "table_schema = current_schema() and table_name = '%s' and "
	         "is_generated = 'NEVER'",
	         t->name);
	r = exec_ok(c, sql, PGRES_TUPLES_OK);
	if (!r)
		return -1;
	snprintf(t->cols, sizeof(t->cols), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	snprintf(sql, sizeof(sql), "copy %s (%s) to stdout", t->name, t->cols);
	r = exec_ok(c, sql, PGRES_COPY_OUT);
	if (!r)
		return -1;
	PQclear(r);
	t->data = malloc(cap);
	while ((n = PQgetCopyData(c, &buf, 0)) > 0) {
		if (t->len + (size_t)n > cap) {
			while (t->len + (size_t)n > cap)
				cap *= 2;
			t->data = realloc(t->data, cap);
		}
		memcpy(t->data + t->len, buf, (size_t)n);
		t->len += (size_t)n;
		t->rows++;
		PQfreemem(buf);
	}
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench_store: copy out %s: %s", t->name,
		        PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static int
copy_in(PGconn *c, struct table *t)
{
	char sql[8192];
	PGresult *r;
	size_t off = 0;

	snprintf(sql, sizeof(sql), "copy %s (%s) from stdin", t->name, t->cols);
	r = exec_ok(c, sql, PGRES_COPY_IN);
	if (!r)
		return -1;
	PQclear(r);
	while (off < t->len) {
		size_t k = t->len - off > 65536 ? 65536 : t->len - off;

		if (PQputCopyData(c, t->data + off, (int)k) != 1)
			return -1;
		off += k;
	}
	if (PQputCopyEnd(c, NULL) != 1)
		return -1;
	r = PQgetResult(c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench_store: copy in %s: %s", t->name,
		        PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static int
run_copy(const char *db)
{
	/* Parents first: figures refer to pairings and articles, flows to
	 * figures. */
	struct table t[4] = { { "articles" },
		              { "pairing_rows" },
		              { "figure_sets" },
		              { "flow_rows" } };
	PGconn *c = PQconnectdb(db);
	PGresult *r;
	double t0, srv;
	size_t bytes = 0, rows = 0;
	long pm = postmaster_pid(db);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench_store: %s", PQerrorMessage(c));
		return 1;
	}
	for (int i = 0; i < 4; i++) {
		if (copy_out(c, &t[i]) != 0)
			return 1;
		bytes += t[i].len;
		rows += t[i].rows;
	}
	r = exec_ok(c,
	            "truncate articles, pairing_rows, figure_sets, flow_rows",
	            PGRES_COMMAND_OK);
	if (!r)
		return 1;
	PQclear(r);
	r = exec_ok(c, "checkpoint", PGRES_COMMAND_OK);
	PQclear(r);
	srv = server_cpu(pm);
	t0 = bench_now();
	r = exec_ok(c, "begin", PGRES_COMMAND_OK);
	if (!r)
		return 1;
	PQclear(r);
	for (int i = 0; i < 4; i++)
		if (copy_in(c, &t[i]) != 0)
			return 1;
	r = exec_ok(c, "commit", PGRES_COMMAND_OK);
	if (!r)
		return 1;
	PQclear(r);
	t0 = bench_now() - t0;
	srv = server_cpu(pm) - srv;
	printf("plain COPY of the same rows, one connection, one transaction: "
	       "%zu articles, %zu rows (%.2f MB of COPY text) in %.3f s: "
	       "%.0f articles/s\n",
	       t[0].rows, rows, (double)bytes / 1e6, t0,
	       (double)t[0].rows / t0);
	printf("@ copy.aps %.6g\n@ copy.rowsps %.6g\n@ copy.mb %.6g\n",
	       (double)t[0].rows / t0, (double)rows / t0, (double)bytes / 1e6);
	printf("CPU per article in PostgreSQL: %.0f us\n",
	       srv / (double)t[0].rows * 1e6);
	printf("@ copy.server_us %.6g\n", srv / (double)t[0].rows * 1e6);
	for (int i = 0; i < 4; i++)
		free(t[i].data);
	PQfinish(c);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *data = NULL;
	int conns = 1, batch = 16, copy = 0, migrate = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--conns") && i + 1 < argc)
			conns = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--copy"))
			copy = 1;
		else if (!strcmp(argv[i], "--migrate"))
			migrate = 1;
		else
			break;
	}
	if (!db || conns < 1 || conns > 64 || batch < 1 ||
	    argc - i != (copy      ? 0
	                 : migrate ? 2
	                           : 1)) {
		fprintf(stderr, "usage: bench_store --db CONNINFO [--conns N] "
		                "[--batch B] [--data DIR] CORPUS_DIR\n"
		                "       bench_store --db CONNINFO --copy\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (migrate)
		return store_migrate(db, argv[i], argv[i + 1]) == 0 ? 0 : 1;
	return copy ? run_copy(db) : run_store(db, data, conns, batch, argv[i]);
}
