/* httpin.h - POST /articles on ingestd's HTTP server (--http with
 * --http-intake): one raw article per request, for pods that cannot write
 * into ingestd's volume.
 *
 * Does: takes the body as the article's raw bytes and the optional
 * headers X-Article-URI, X-Article-Feed and Content-Type (its charset
 * parameter becomes the charset hint) and hands them to intake_accept(),
 * which writes them exactly as a stdin line is written (tmp/, fsync,
 * rename into incoming/ with its sidecar, fsync of the folder); answers
 * 202 {"id":"<sha256>"} only then. Refuses an empty body (400), one above
 * --max-article-bytes (413, read no further than the limit), a disk below
 * --min-free-mb after the write (507) and anything once draining (503).
 * Does not: touch the queue or any state of the event loop. It runs on the
 * HTTP thread (an intake_source with on_loop false); the loop learns of
 * the article from the spool watcher (watch.h), like a file a crawler
 * drops. Shared: the spool's directory fds and atomics.
 *
 * Counters (struct intake_counters), ingestd_http_articles_total by
 * status: accepted (202), too_big (413), refused (400 empty, 503
 * draining, 507 disk full), write_failed ("failed": 500). */
#ifndef INGESTD_HTTPIN_H
#define INGESTD_HTTPIN_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "intake.h"

typedef struct httpin httpin_t;

/* seam is borrowed and must outlive the HTTP server. Never NULL. */
httpin_t *httpin_new(intake_t *seam, const struct intake_counters *c);
/* Call after http_stop(): the handler must not run any more. */
void httpin_destroy(httpin_t **self_p);

/* Adds the POST route (before http_serve()). 0 or -1. */
int httpin_register(httpin_t *self, const char *path);
/* Draining: every later POST gets 503. Safe from any thread. */
void httpin_stop(httpin_t *self);

/* For main.c's table of intakes ("http", --http-intake): starts with the
 * route POST /articles registered; no fd of its own. */
extern const struct intake_driver httpin_driver;

/* The route's handler (http_post_fn), public for the unit test. */
void httpin_handle(void *ctx, const struct http_post *req,
                   struct http_reply *reply);

#endif
