/* intake.h - the one way an article gets into ingestd: intake_accept(),
 * called by every intake (the spool watcher, stdin, POST /articles), and
 * what main.c needs to run an intake from its table.
 *
 * Does: the accept path every intake shares: the size limit, the SHA-256
 * id, the metadata sidecar and spool_write() (durable before it returns),
 * the refusals with their logs and counters, and, on the loop thread, the
 * queue (with its duplicate check). Watches the spool's free space (once
 * a second) and says whether intake is ready.
 * Does not: read from anything (each intake does, in its own file: watch.c,
 * stdinin.c, httpin.c), dispatch (broker.h) or parse article bodies.
 *
 * Threads: intake_new(), intake_tick() and an on_loop source's
 * intake_accept() run on the loop thread only (they touch the queue); an
 * intake on another thread (HTTP) calls intake_accept() with a source
 * whose on_loop is false: that touches only the spool (its directory fds:
 * openat and renameat are thread-safe), metrics and atomics, and the loop
 * queues the article when the watcher sees incoming/ID appear (inotify
 * IN_MOVED_TO, or the rescan at start after a crash). */
#ifndef INGESTD_INTAKE_H
#define INGESTD_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "queue.h"
#include "sha256.h"
#include "spool.h"

typedef struct intake intake_t;

struct intake_opts {
	long max_article_bytes;
	long min_free_mb;
	long done_retention_h;
};

/* Spool-wide metrics; any may be NULL. */
struct intake_metrics {
	metric_t *free_bytes;
};

/* What one intake counts; any may be NULL. Each intake says in its header
 * which metric stands behind which field. */
struct intake_counters {
	metric_t *accepted;     /* durable in incoming/ (queued when on_loop) */
	metric_t *duplicate;    /* the same bytes were already queued */
	metric_t *too_big;      /* above --max-article-bytes */
	metric_t *refused;      /* bytes: empty, or the disk nearly full */
	metric_t *to_failed;    /* a file moved to failed/ (refused, too big) */
	metric_t *write_failed; /* bytes: spool_write() failed */
	metric_t *lost;         /* events the intake lost and made up for
	                         * (inotify overflows: a rescan) */
};

/* One intake as intake_accept() sees it. */
struct intake_source {
	const char *name; /* "spool", "stdin", "http": the logs' source */
	bool on_loop;     /* runs on the loop thread: queues at once */
	bool check_free;  /* refuse bytes that would leave less than
	                   * --min-free-mb (a client can send them again;
	                   * stdin cannot, it pauses instead) */
	struct intake_counters c;
};

/* An article arriving: either bytes in memory (body and len, meta), or a
 * file already durable in incoming/ (name). body may be NULL when len is
 * above the limit and the bytes were not kept (HTTP). */
struct intake_article {
	const void *body;
	size_t len;
	const struct spool_meta *meta; /* borrowed; NULL: no sidecar fields */
	const char *name;              /* incoming/NAME instead of bytes */
};

/* Loop thread. queue and spool are borrowed and must outlive it. Reads
 * the free space at once. Never NULL (aborts on OOM). */
intake_t *intake_new(const struct intake_opts *opts, spool_t *spool,
                     queue_t *queue, const struct intake_metrics *m);
void intake_destroy(intake_t **self_p);

/* Accepts one article from src. 0: it is in incoming/ (for bytes: under
 * its id, with its sidecar, fsynced; for a file: under its name), and
 * queued when src->on_loop; or it was a duplicate (same bytes already
 * queued: logged spool.duplicate, counted; a duplicate file goes to done/).
 * id (SHA256_HEX_LEN + 1 bytes) is set then. Otherwise, logged and counted
 * as the refusal says, nothing queued:
 *   ERR_TOOBIG   above --max-article-bytes (article.too_big; a file goes
 *                to failed/ with the reason in NAME.error, and its notice
 *                is queued for ingest_errors: spool_refuse())
 *   ERR_INVAL    an empty body, or a file that is no article by the spool
 *                contract (into failed/ with the reason)
 *   ERR_AGAIN    bytes: the spool disk is nearly full (check_free); a
 *                file: its refusal could not be written (rescan later)
 *   ERR_IO       the spool could not write or read it (logged there)
 *   ERR_NOTFOUND the file is gone */
int intake_accept(intake_t *self, const struct intake_source *src,
                  const struct intake_article *a, char *id);
/* Loop thread: refuses incoming/NAME by the spool contract, into failed/
 * with why in NAME.error, so it is never taken again nor left
 * unexplained. 0, or ERR_AGAIN when that could not be written. */
int intake_refuse(intake_t *self, const struct intake_source *src,
                  const char *name, const char *why);

/* Queues the notices whose refused files the spool has hashed; checks
 * the free space, at most once a second. */
void intake_tick(intake_t *self, int64_t now_ms);
/* Whether the disk has --min-free-mb (any thread). */
bool intake_disk_ok(const intake_t *self);
/* Queues the notice of a refused file (spool_refuse()) for a worker to
 * record in ingest_errors; a notice of bytes already queued is dropped
 * (that one records them). Loop thread. */
void intake_queue_notice(intake_t *self, const struct spool_notice *n);
/* At start: queues every notice left in failed/ (not yet recorded). */
void intake_queue_notices(intake_t *self);
/* The watcher says whether incoming/ could be read (any thread). */
void intake_set_spool_ok(intake_t *self, bool ok);
/* Readiness: the spool is readable and the disk not nearly full; *why
 * says which is not (static string). Any thread. */
bool intake_ready(const intake_t *self, const char **why);
long intake_max_bytes(const intake_t *self);
long intake_done_retention(const intake_t *self);
queue_t *intake_queue(const intake_t *self);
spool_t *intake_spool(const intake_t *self);

/* An intake as main.c's table runs it. Every function runs on the loop
 * thread; start() gets the counters main.c registered for it and returns
 * the intake's own object (NULL on failure, logged). fd (NULL: none) is
 * what the loop polls for it (-1: nothing now), on_readable is called when
 * it is readable, tick (may be NULL) on every turn of the loop. stop()
 * stops taking articles (draining); destroy() runs after the HTTP server
 * stopped, frees and NULLs *self_p. */
struct intake_driver {
	const char *name;
	void *(*start)(intake_t *seam, const struct intake_counters *c);
	int (*fd)(void *self);
	void (*on_readable)(void *self);
	void (*tick)(void *self, int64_t now_ms);
	void (*stop)(void *self);
	void (*destroy)(void **self_p);
};

#endif
