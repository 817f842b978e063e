/* metrics.c - a registry of counters, gauges and histograms, rendered in
 * the Prometheus text format 0.0.4 (served by http.c) and logged as the
 * stats line.
 *
 * Counters and gauges keep a double as its bit pattern in an atomic
 * uint64, so updates never take a lock (a compare-and-swap loop for adds).
 * A histogram has several fields that must agree (buckets, sum, count), so
 * it takes its own mutex. The registry is a list appended at its tail;
 * each link is published with release order, so a scrape that runs while
 * a late registration happens sees either the old or the new list, never a
 * half-built metric. Registrations themselves are not thread-safe. */
#define _GNU_SOURCE
#include "metrics.h"

#include "log.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_COUNTER, K_GAUGE, K_HISTOGRAM };

static const char *const s_type_names[] = { "counter", "gauge", "histogram" };

struct metric {
	enum kind kind;
	char *name;
	char *labels; /* "" when none */
	char *help;
	bool first; /* first registered with its name: prints HELP/TYPE */
	_Atomic uint64_t bits; /* counter or gauge: a double */
	/* Histogram, under mu. counts[i] counts observations <= bounds[i]
	 * only (not cumulative); counts[n_bounds] is the +Inf bucket. */
	pthread_mutex_t mu;
	double *bounds;
	size_t n_bounds;
	uint64_t *counts;
	double sum;
	uint64_t count;
	_Atomic(struct metric *) next;
};

static _Atomic(struct metric *) s_head;
static struct metric *s_tail;

static uint64_t
to_bits(double v)
{
	uint64_t b;

	memcpy(&b, &v, sizeof(b));
	return b;
}

static double
from_bits(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

static bool
valid_name(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

static struct metric *
find(const char *name, const char *labels)
{
	for (struct metric *m = atomic_load(&s_head); m;
	     m = atomic_load(&m->next))
		if (!strcmp(m->name, name) && !strcmp(m->labels, labels))
			return m;
	return NULL;
}

static struct metric *
find_name(const char *name)
{
	for (struct metric *m = atomic_load(&s_head); m;
	     m = atomic_load(&m->next))
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static void
metric_free(struct metric *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->labels);
	free(m->help);
	free(m->bounds);
	free(m->counts);
	free(m);
}

/* Returns the metric for name and labels; *fresh says it is new and still
 * to be published (after the caller has finished setting it up). */
/* A bad name or a type clash is a bug in the daemon's source, found by
 * the first run of any test, so it stops the program in release builds
 * too rather than serving text Prometheus refuses. */
static void
bug(const char *what, const char *name)
{
	log_error("metrics.bug", LF_STR("err", what), LF_STR("name", name));
	abort();
}

/* Returns the metric for name and labels; *fresh says it is new and still
 * to be published (after the caller has finished setting it up). */
static struct metric *
reg(enum kind kind, const char *name, const char *labels, const char *help,
    bool *fresh)
{
	struct metric *m, *same;

	*fresh = false;
	if (!valid_name(name))
		bug("invalid metric name", name ? name : "(null)");
	if (!labels)
		labels = "";
	/* Registering the same series twice gives the same metric, so two
	 * modules may share a counter without passing pointers around. */
	m = find(name, labels);
	if (m) {
		if (m->kind != kind)
			bug("registered again with another type", name);
		return m;
	}
	same = find_name(name);
	if (same && same->kind != kind)
		bug("registered again with another type", name);
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->kind = kind;
	m->name = strdup(name);
	m->labels = strdup(labels);
	m->help = strdup(help ? help : "");
	m->first = same == NULL;
	if (!m->name || !m->labels || !m->help) {
		metric_free(m);
		return NULL;
	}
	atomic_init(&m->bits, to_bits(0.0));
	atomic_init(&m->next, NULL);
	*fresh = true;
	return m;
}

static void
publish(struct metric *m)
{
	if (s_tail)
		atomic_store_explicit(&s_tail->next, m, memory_order_release);
	else
		atomic_store_explicit(&s_head, m, memory_order_release);
	s_tail = m;
}

metric_t *
metrics_counter(const char *name, const char *labels, const char *help)
{
	bool fresh;
	struct metric *m = reg(K_COUNTER, name, labels, help, &fresh);

	if (fresh)
		publish(m);
	return m;
}

metric_t *
metrics_gauge(const char *name, const char *labels, const char *help)
{
	bool fresh;
	struct metric *m = reg(K_GAUGE, name, labels, help, &fresh);

	if (fresh)
		publish(m);
	return m;
}

metric_t *
metrics_histogram(const char *name, const char *labels, const char *help,
                  const double *buckets, size_t n_buckets)
{
	bool fresh;
	struct metric *m = reg(K_HISTOGRAM, name, labels, help, &fresh);

	if (!fresh)
		return m; /* NULL, or registered before */
	/* A trailing +Inf bound given by the caller is ours to add. */
	while (n_buckets > 0 && isinf(buckets[n_buckets - 1]))
		n_buckets--;
	for (size_t i = 1; i < n_buckets; i++)
		if (!(buckets[i - 1] < buckets[i]))
			bug("histogram buckets not ascending", name);
	m->n_bounds = n_buckets;
	m->bounds = calloc(n_buckets ? n_buckets : 1, sizeof(double));
	m->counts = calloc(n_buckets + 1, sizeof(uint64_t));
	if (!m->bounds || !m->counts || pthread_mutex_init(&m->mu, NULL) != 0) {
		metric_free(m);
		return NULL;
	}
	if (n_buckets)
		memcpy(m->bounds, buckets, n_buckets * sizeof(double));
	publish(m);
	return m;
}

void
metrics_add(metric_t *m, double v)
{
	uint64_t old, new_;

	if (!m || m->kind == K_HISTOGRAM)
		return;
	/* A counter only goes up; a negative or NaN add is a caller's slip
	 * that would make rate() see a reset, so it is dropped. */
	if (m->kind == K_COUNTER && !(v >= 0))
		return;
	old = atomic_load_explicit(&m->bits, memory_order_relaxed);
	do
		new_ = to_bits(from_bits(old) + v);
	while (!atomic_compare_exchange_weak_explicit(
	    &m->bits, &old, new_, memory_order_relaxed, memory_order_relaxed));
}

void
metrics_set(metric_t *m, double v)
{
	if (!m || m->kind != K_GAUGE)
		return;
	atomic_store_explicit(&m->bits, to_bits(v), memory_order_relaxed);
}

void
metrics_observe(metric_t *m, double v)
{
	size_t i;

	if (!m || m->kind != K_HISTOGRAM || isnan(v))
		return;
	/* Few buckets (about a dozen): a linear scan beats a binary search. */
	for (i = 0; i < m->n_bounds; i++)
		if (v <= m->bounds[i])
			break;
	pthread_mutex_lock(&m->mu);
	m->counts[i]++;
	m->sum += v;
	m->count++;
	pthread_mutex_unlock(&m->mu);
}

double
metrics_value(const metric_t *m)
{
	if (!m || m->kind == K_HISTOGRAM)
		return 0;
	return from_bits(atomic_load_explicit(&((struct metric *)m)->bits,
	                                      memory_order_relaxed));
}

/* ---- exposition ---- */

struct buf {
	char *p;
	size_t n, cap;
};

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort(); /* a bad format: our bug */
		if ((size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort(); /* daemons abort on OOM */
	}
}

/* Go's ParseFloat reads what we write: the shortest %g that gives the
 * same double back, so 0.1 stays "0.1" and 3 stays "3". */
static void
fmt_double(char *out, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* Counts print whole: the shortest %g of 400000 is "4e+05". */
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(out, size, "%.0f", v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* HELP text escapes backslash and newline only (format 0.0.4). */
static void
put_help(struct buf *b, const struct metric *m)
{
	buf_printf(b, "# HELP %s ", m->name);
	for (const char *s = m->help; *s; s++) {
		if (*s == '\\')
			buf_printf(b, "\\\\");
		else if (*s == '\n')
			buf_printf(b, "\\n");
		else
			buf_printf(b, "%c", *s);
	}
	buf_printf(b, "\n# TYPE %s %s\n", m->name, s_type_names[m->kind]);
}

static void
put_histogram(struct buf *b, struct metric *m)
{
	uint64_t *counts, count, cum = 0;
	double sum;
	char num[64];
	const char *sep = m->labels[0] ? "," : "";

	/* Copy under the lock so the buckets, sum and count of one scrape
	 * describe the same set of observations. */
	counts = calloc(m->n_bounds + 1, sizeof(uint64_t));
	if (!counts)
		abort();
	pthread_mutex_lock(&m->mu);
	memcpy(counts, m->counts, (m->n_bounds + 1) * sizeof(uint64_t));
	sum = m->sum;
	count = m->count;
	pthread_mutex_unlock(&m->mu);
	for (size_t i = 0; i <= m->n_bounds; i++) {
		cum += counts[i];
		if (i < m->n_bounds)
			fmt_double(num, sizeof(num), m->bounds[i]);
		else
			snprintf(num, sizeof(num), "+Inf");
		buf_printf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", m->name,
		           m->labels, sep, num, (unsigned long long)cum);
	}
	fmt_double(num, sizeof(num), sum);
	if (m->labels[0]) {
		buf_printf(b, "%s_sum{%s} %s\n", m->name, m->labels, num);
		buf_printf(b, "%s_count{%s} %llu\n", m->name, m->labels,
		           (unsigned long long)count);
	} else {
		buf_printf(b, "%s_sum %s\n", m->name, num);
		buf_printf(b, "%s_count %llu\n", m->name,
		           (unsigned long long)count);
	}
	free(counts);
}

static void
put_series(struct buf *b, struct metric *m)
{
	char num[64];

	if (m->kind == K_HISTOGRAM) {
		put_histogram(b, m);
		return;
	}
	fmt_double(num, sizeof(num), metrics_value(m));
	if (m->labels[0])
		buf_printf(b, "%s{%s} %s\n", m->name, m->labels, num);
	else
		buf_printf(b, "%s %s\n", m->name, num);
}

char *
metrics_render(void)
{
	struct buf b = { NULL, 0, 0 };

	b.cap = 4096;
	b.p = malloc(b.cap);
	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	/* The text format wants all series of one name together, under one
	 * HELP and TYPE, even when they were registered apart. */
	for (struct metric *m =
	         atomic_load_explicit(&s_head, memory_order_acquire);
	     m; m = atomic_load_explicit(&m->next, memory_order_acquire)) {
		if (!m->first)
			continue;
		put_help(&b, m);
		for (struct metric *s = m; s;
		     s = atomic_load_explicit(&s->next, memory_order_acquire))
			if (s == m || (!s->first && !strcmp(s->name, m->name)))
				put_series(&b, s);
	}
	return b.p;
}

/* ---- stats log line ---- */

/* "extractd_articles_total" + "status=\"stored\"" gives
 * "extractd_articles_total.stored": label values only, so the key needs no
 * quoting in the plain format. */
static char *
stats_key(const struct metric *m)
{
	size_t n = strlen(m->name) + strlen(m->labels) + 2;
	char *k = malloc(n), *o;
	const char *s;
	bool in_value = false;

	if (!k)
		abort();
	o = k + sprintf(k, "%s", m->name);
	for (s = m->labels; *s; s++) {
		if (!in_value) {
			if (*s == '"') {
				in_value = true;
				*o++ = '.';
			}
			continue;
		}
		if (*s == '\\' && s[1]) {
			s++;
		} else if (*s == '"') {
			in_value = false;
			continue;
		}
		*o++ = (*s == ' ' || *s == '=') ? '_' : *s;
	}
	*o = '\0';
	return k;
}

void
metrics_log_stats(void)
{
	struct log_field *f;
	char **keys;
	size_t n = 0, i = 0;

	if (!log_enabled(LOG_INFO))
		return;
	for (struct metric *m = atomic_load(&s_head); m;
	     m = atomic_load(&m->next))
		if (m->kind != K_HISTOGRAM)
			n++;
	f = calloc(n + 1, sizeof(*f));
	keys = calloc(n + 1, sizeof(*keys));
	if (!f || !keys)
		abort();
	for (struct metric *m = atomic_load(&s_head); m && i < n;
	     m = atomic_load(&m->next)) {
		double v;

		if (m->kind == K_HISTOGRAM)
			continue;
		v = metrics_value(m);
		keys[i] = stats_key(m);
		/* Integers stay integers: %.6g would print 1234567 as
		 * 1.23457e+06. */
		if (v == floor(v) && fabs(v) < 9007199254740992.0)
			f[i] = LF_INT(keys[i], (int64_t)v);
		else
			f[i] = LF_DBL(keys[i], v);
		i++;
	}
	log_emit(LOG_INFO, "stats", f, (int)i);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(f);
}

bool
metrics_stats_tick(int64_t now_ms)
{
	static bool s_started;
	static int64_t s_last_ms;

	if (!s_started) {
		s_started = true;
		s_last_ms = now_ms;
		return false;
	}
	if (now_ms - s_last_ms < METRICS_STATS_MS)
		return false;
	s_last_ms = now_ms;
	metrics_log_stats();
	return true;
}
