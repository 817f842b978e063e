/* metrics.h - the registry of Prometheus metrics, its exposition text
 * (served by http.h) and the periodic "stats" log line.
 *
 * Metrics are registered once at start (not thread-safe), then updated
 * from any thread (lock-free atomics for counters and gauges, a mutex per
 * histogram).
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
