/* metrics.h - Prometheus metrics and health endpoints over HTTP
 * (libmicrohttpd, its own thread).
 *
 * Metrics are registered once at start (not thread-safe), then updated
 * from any thread (lock-free atomics for counters and gauges, a mutex per
 * histogram). GET /metrics gives the Prometheus text format, /healthz and
 * /readyz call the daemon's callbacks, which must only read atomics.
 *
 * Does not: log by itself except the periodic "stats" line through
 * metrics_log_stats(), which the daemon calls from its loop. */
#ifndef COMMON_METRICS_H
#define COMMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct metric metric_t;

/* name: full Prometheus name ("extractd_articles_total"); labels: NULL or
 * a label set as written in the exposition ("status=\"stored\""). Several
 * metrics may share a name with different labels; help and type are then
 * printed once. Returns NULL only on ENOMEM. */
metric_t *metrics_counter(const char *name, const char *labels,
                          const char *help);
metric_t *metrics_gauge(const char *name, const char *labels, const char *help);
/* buckets: upper bounds, ascending (+Inf is added). */
metric_t *metrics_histogram(const char *name, const char *labels,
                            const char *help, const double *buckets,
                            size_t n_buckets);

void metrics_add(metric_t *m, double v);     /* counter or gauge; NULL ok */
void metrics_set(metric_t *m, double v);     /* gauge; NULL ok */
void metrics_observe(metric_t *m, double v); /* histogram; NULL ok */
double metrics_value(const metric_t *m);     /* counter or gauge */

/* Health: return true when healthy/ready; reason (static string) says why
 * not. */
typedef bool (*metrics_probe_fn)(void *ctx, const char **reason);

/* Starts the HTTP server at "HOST:PORT" (PORT 0: any free port; the port
 * bound is returned in *port_out if not NULL). 0 or -1 (logged). */
int metrics_serve(const char *hostport, metrics_probe_fn healthz,
                  metrics_probe_fn readyz, void *ctx, int *port_out);
void metrics_stop(void);
/* One POST request, complete, as a route's handler sees it. body is NULL
 * when the body was above the route's max_bytes (len then says how many
 * bytes were announced or received); it is not NUL-terminated. */
struct metrics_post {
	const char *path;
	const void *body;
	size_t len;
	void *conn_; /* for metrics_post_header() */
};

/* What the handler answers: status (500 when left 0), a body (text, ""
 * for none) and its content type (a static string; NULL: text/plain). */
struct metrics_reply {
	unsigned status;
	const char *content_type;
	char body[256];
};

/* Called on the HTTP thread, once per request, after the whole body has
 * arrived: it must only touch what is safe from another thread. For a
 * body above the limit it is called with body NULL and reply->status
 * already 413 (to count or log it); it should leave the status. */
typedef void (*metrics_post_fn)(void *ctx, const struct metrics_post *req,
                                struct metrics_reply *reply);

/* Serves POST path (exact match) with fn: the body is read into memory up
 * to max_bytes, then fn answers. Above it: 413, without keeping the body
 * (read and dropped, or refused before it is read when the client sent
 * "Expect: 100-continue" or announced more than 16 times the limit). Other
 * methods on path get 405. fn NULL removes the route. Call before
 * metrics_serve() (not thread-safe); at most 4 routes. 0, or -1 (table full,
 * path not starting with '/'). */
int metrics_set_post_handler(const char *path, metrics_post_fn fn, void *ctx,
                             size_t max_bytes);
/* A request header (case-insensitive name), or NULL. Valid during fn. */
const char *metrics_post_header(const struct metrics_post *req,
                                const char *name);

/* Logs every counter and gauge in one "stats" event. */
void metrics_log_stats(void);
/* The daemons' loops call this on each turn (one thread only): it logs
 * the "stats" event once every METRICS_STATS_MS, counted from the first
 * call. Returns whether it logged. */
#define METRICS_STATS_MS 60000
bool metrics_stats_tick(int64_t now_ms);
/* The exposition text (malloc'd, caller frees), as /metrics serves it. */
char *metrics_render(void);

#endif
