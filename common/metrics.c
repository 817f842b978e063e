/* metrics.c - a registry of counters, gauges and histograms, rendered in
 * the Prometheus text format 0.0.4 and served by libmicrohttpd.
 *
 * Counters and gauges keep a double as its bit pattern in an atomic
 * uint64, so updates never take a lock (a compare-and-swap loop for adds).
 * A histogram has several fields that must agree (buckets, sum, count), so
 * it takes its own mutex. The registry is a list appended at its tail;
 * each link is published with release order, so a scrape that runs while
 * a late registration happens sees either the old or the new list, never a
 * half-built metric. Registrations themselves are not thread-safe.
 *
 * POST routes: the body is collected in the request's own buffer over
 * MHD's repeated calls (MHD's thread only), then the route's handler
 * answers; what it may share with the daemon's loop is its business. */
#define _GNU_SOURCE
#include "metrics.h"

#include "log.h"

#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

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

static struct MHD_Daemon *s_daemon;
static metrics_probe_fn s_healthz, s_readyz;
static void *s_probe_ctx;

#define MAX_ROUTES 4
/* 413: MHD_HTTP_CONTENT_TOO_LARGE, a name older libmicrohttpd lacks. */
#define HTTP_TOO_LARGE 413

static struct route {
	char path[128];
	metrics_post_fn fn;
	void *ctx;
	size_t max_bytes;
} s_routes[MAX_ROUTES];

/* One POST in progress: its route and the body so far. */
struct post {
	const struct route *r;
	char *buf;
	size_t len, cap;
	size_t seen; /* bytes received, kept beyond max_bytes */
	bool too_big;
};

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

/* ---- HTTP ---- */

static enum MHD_Result
reply_allow(struct MHD_Connection *c, unsigned int status, const char *ctype,
            const char *body, bool owned, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	/* owned: body is malloc'd and MHD frees it; else MHD copies it. */
	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	                                    owned ? MHD_RESPMEM_MUST_FREE
	                                          : MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (owned)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int status, const char *ctype,
      const char *body, bool owned)
{
	return reply_allow(c, status, ctype, body, owned, "GET, HEAD");
}

static enum MHD_Result
probe(struct MHD_Connection *c, metrics_probe_fn fn)
{
	const char *reason = NULL;
	char body[256];

	if (!fn || fn(s_probe_ctx, &reason))
		return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
		             "ok\n", false);
	snprintf(body, sizeof(body), "%s\n", reason ? reason : "not ok");
	return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
	             "text/plain; charset=utf-8", body, false);
}

int
metrics_set_post_handler(const char *path, metrics_post_fn fn, void *ctx,
                         size_t max_bytes)
{
	struct route *free_slot = NULL;

	if (!path || path[0] != '/' || strlen(path) >= sizeof(s_routes[0].path))
		return -1;
	for (int i = 0; i < MAX_ROUTES; i++) {
		struct route *r = &s_routes[i];

		if (r->fn && !strcmp(r->path, path)) {
			free_slot = r;
			break;
		}
		if (!r->fn && !free_slot)
			free_slot = r;
	}
	if (!free_slot)
		return fn ? -1 : 0;
	if (!fn) {
		if (!strcmp(free_slot->path, path))
			memset(free_slot, 0, sizeof(*free_slot));
		return 0;
	}
	snprintf(free_slot->path, sizeof(free_slot->path), "%s", path);
	free_slot->fn = fn;
	free_slot->ctx = ctx;
	free_slot->max_bytes = max_bytes;
	return 0;
}

const char *
metrics_post_header(const struct metrics_post *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn_, MHD_HEADER_KIND, name);
}

static const struct route *
find_route(const char *url)
{
	for (int i = 0; i < MAX_ROUTES; i++)
		if (s_routes[i].fn && !strcmp(s_routes[i].path, url))
			return &s_routes[i];
	return NULL;
}

static enum MHD_Result
post_answer(struct MHD_Connection *c, struct post *p, const char *url)
{
	struct metrics_reply rep;
	struct metrics_post req;

	memset(&rep, 0, sizeof(rep));
	req.path = url;
	req.body = p->too_big ? NULL : (p->buf ? p->buf : "");
	req.len = p->too_big ? p->seen : p->len;
	req.conn_ = c;
	if (p->too_big) {
		rep.status = HTTP_TOO_LARGE;
		snprintf(rep.body, sizeof(rep.body),
		         "body above the limit of %zu bytes\n",
		         p->r->max_bytes);
	}
	p->r->fn(p->r->ctx, &req, &rep);
	if (p->too_big)
		rep.status = HTTP_TOO_LARGE;
	/* The body is no longer needed while the reply goes out. */
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
	return reply(
	    c, rep.status ? rep.status : MHD_HTTP_INTERNAL_SERVER_ERROR,
	    rep.content_type ? rep.content_type : "text/plain; charset=utf-8",
	    rep.body, false);
}

/* Called by MHD first with the headers (*req_cls NULL), then once per
 * piece of the body, then once more with *upload_size 0. */
static enum MHD_Result
on_post(struct MHD_Connection *c, const struct route *r, const char *url,
        const char *upload, size_t *upload_size, void **req_cls)
{
	struct post *p = *req_cls;

	if (!p) {
		const char *cl = MHD_lookup_connection_value(
		    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;

		p = calloc(1, sizeof(*p));
		if (!p)
			return MHD_NO;
		p->r = r;
		*req_cls = p; /* freed by on_completed */
		if (announced > r->max_bytes) {
			const char *expect = MHD_lookup_connection_value(
			    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

			p->too_big = true;
			/* A client waiting for "100 Continue", or one that
			 * announces something absurd, is answered before the
			 * body is read (MHD then closes the connection). Any
			 * other has started sending: the body is read and
			 * dropped, because closing a socket with unread data
			 * resets it and the client might lose the 413. */
			if (expect || announced / 16 > r->max_bytes) {
				p->seen = (size_t)announced;
				return post_answer(c, p, url);
			}
			return MHD_YES;
		}
		/* Reserve what was announced (capped by the limit). */
		if (announced > 0) {
			p->cap = (size_t)announced + 1;
			p->buf = malloc(p->cap);
			if (!p->buf)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		p->seen += n;
		*upload_size = 0;
		if (p->too_big)
			return MHD_YES;
		if (n > r->max_bytes - p->len) {
			/* Chunked or longer than announced: keep reading
			 * (and dropping) to answer 413 at the end. */
			p->too_big = true;
			free(p->buf);
			p->buf = NULL;
			p->len = p->cap = 0;
			return MHD_YES;
		}
		if (p->len + n + 1 > p->cap) {
			size_t cap = (p->len + n + 1) * 2;
			char *b;

			if (cap > r->max_bytes + 1)
				cap = r->max_bytes + 1;
			b = realloc(p->buf, cap);
			if (!b)
				return MHD_NO;
			p->buf = b;
			p->cap = cap;
		}
		memcpy(p->buf + p->len, upload, n);
		p->len += n;
		return MHD_YES;
	}
	return post_answer(c, p, url);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct post *p = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (p) {
		free(p->buf);
		free(p);
		*req_cls = NULL;
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **req_cls)
{
	const struct route *r;
	char *text;

	(void)cls;
	(void)version;
	if (*req_cls) /* a POST under way: its route was found before */
		return on_post(c, ((struct post *)*req_cls)->r, url, upload,
		               upload_size, req_cls);
	r = find_route(url);
	if (r) {
		if (!strcmp(method, MHD_HTTP_METHOD_POST))
			return on_post(c, r, url, upload, upload_size, req_cls);
		return reply_allow(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                   "text/plain; charset=utf-8",
		                   "method not allowed\n", false, "POST");
	}
	/* HEAD is GET without a body (MHD drops it), as HTTP requires. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		             "text/plain; charset=utf-8",
		             "method not allowed\n", false);
	if (!strcmp(url, "/metrics")) {
		text = metrics_render();
		if (!text)
			return MHD_NO;
		return reply(c, MHD_HTTP_OK,
		             "text/plain; version=0.0.4; charset=utf-8", text,
		             true);
	}
	if (!strcmp(url, "/healthz"))
		return probe(c, s_healthz);
	if (!strcmp(url, "/readyz"))
		return probe(c, s_readyz);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
	             "not found\n", false);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("metrics.http", LF_STR("msg", msg));
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "*:PORT" (all interfaces). The
 * port is the text after the last colon, so an unbracketed IPv6 address
 * still parses when it is followed by a port. */
static int
split_hostport(const char *hp, char *host, size_t host_size, char *port,
               size_t port_size)
{
	const char *colon = hp ? strrchr(hp, ':') : NULL;
	const char *h = hp;
	size_t hn;
	char *end;
	long p;

	if (!colon || !colon[1] || strlen(colon + 1) >= port_size)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	snprintf(port, port_size, "%ld", p);
	hn = (size_t)(colon - hp);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (hn >= host_size)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (!strcmp(host, "*"))
		host[0] = '\0';
	return 0;
}

int
metrics_serve(const char *hostport, metrics_probe_fn healthz,
              metrics_probe_fn readyz, void *ctx, int *port_out)
{
	char host[256], port[16];
	struct addrinfo hints, *res = NULL, *ai;
	int rc;
	const union MHD_DaemonInfo *info;

	if (s_daemon) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "already serving"));
		return -1;
	}
	if (split_hostport(hostport, host, sizeof(host), port, sizeof(port)) !=
	    0) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "want HOST:PORT"));
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", gai_strerror(rc)));
		return -1;
	}
	s_healthz = healthz;
	s_readyz = readyz;
	s_probe_ctx = ctx;
	/* For the wildcard, getaddrinfo lists 0.0.0.0 first; an IPv6 "::"
	 * in dual-stack mode would take both, but a host without IPv6 must
	 * still work, so take the addresses in order and keep the first
	 * that binds. */
	for (ai = res; ai && !s_daemon; ai = ai->ai_next) {
		unsigned int flags =
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

		if (ai->ai_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		else if (ai->ai_family != AF_INET)
			continue;
		s_daemon = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, NULL,
		    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		    MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
		    MHD_OPTION_END);
	}
	freeaddrinfo(res);
	if (!s_daemon) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "cannot bind"));
		return -1;
	}
	info = MHD_get_daemon_info(s_daemon, MHD_DAEMON_INFO_BIND_PORT);
	rc = info ? info->port : 0;
	if (port_out)
		*port_out = rc;
	log_info("metrics.serving", LF_STR("addr", hostport),
	         LF_INT("port", rc));
	return 0;
}

void
metrics_stop(void)
{
	if (!s_daemon)
		return;
	MHD_stop_daemon(s_daemon);
	s_daemon = NULL;
}
