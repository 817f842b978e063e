/* httpin.h - POST /articles on ingestd's HTTP server (--http with
 * --http-intake): one raw article per request, for pods that cannot write
 * into ingestd's volume.
 *
 * Does: takes the body as the article's raw bytes and the optional
 * headers X-Article-URI, X-Article-Feed and Content-Type (its charset
 * parameter becomes the charset hint); writes it with spool_write(),
 * exactly as a stdin line is written (tmp/, fsync, rename into incoming/
 * with its sidecar, fsync of the folder), and answers 202 {"id":"<sha256>"}
 * only then. Refuses an empty body (400), one above --max-article-bytes
 * (413, read no further than the limit), a disk below --min-free-mb after
 * the write (507) and anything once draining (503).
 * Does not: touch the queue or any state of the event loop. It runs on the
 * HTTP thread; the loop learns of the article from inotify (IN_MOVED_TO
 * on incoming/ID), like a file a crawler drops, and a rescan at start
 * finds it after a crash. Shared: the spool's directory fds (openat and
 * renameat are thread-safe) and atomics. */
#ifndef INGESTD_HTTPIN_H
#define INGESTD_HTTPIN_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "metrics.h"
#include "spool.h"

typedef struct httpin httpin_t;

struct httpin_opts {
	long max_article_bytes;
	long min_free_mb;
};

/* ingestd_http_articles_total by outcome; any may be NULL. */
struct httpin_metrics {
	metric_t *accepted; /* 202 */
	metric_t *too_big;  /* 413 */
	metric_t *refused;  /* 400 empty, 503 draining, 507 disk full */
	metric_t *failed;   /* 500: the spool could not write it */
};

/* spool is borrowed and must outlive the HTTP server. */
httpin_t *httpin_new(const struct httpin_opts *opts, spool_t *spool,
                     const struct httpin_metrics *m);
/* Call after http_stop(): the handler must not run any more. */
void httpin_destroy(httpin_t **self_p);

/* Adds the POST route (before http_serve()). 0 or -1. */
int httpin_register(httpin_t *self, const char *path);
/* Draining: every later POST gets 503. Safe from any thread. */
void httpin_stop(httpin_t *self);

/* The route's handler (http_post_fn), public for the unit test. */
void httpin_handle(void *ctx, const struct http_post *req,
                   struct http_reply *reply);

#endif
