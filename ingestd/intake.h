/* intake.h - how articles get into the spool and the queue: files dropped
 * into incoming/ (inotify, and a rescan at start and after the kernel's
 * event queue overflowed), and JSON lines on stdin (--stdin).
 *
 * Does: counts an article once it is durable in incoming/; hashes each
 * file to get its id, so the same bytes under two names are one article
 * (the second file goes to done/ as a duplicate); refuses files above the
 * size limit into failed/ with a NAME.error; reports a malformed stdin
 * line (log + counter) and goes on; stops reading stdin while the disk
 * is nearly full.
 * Does not: dispatch (broker.h) or parse article bodies. */
#ifndef INGESTD_INTAKE_H
#define INGESTD_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "queue.h"
#include "spool.h"

typedef struct intake intake_t;

struct intake_opts {
	bool read_stdin;
	long max_article_bytes;
	long min_free_mb;
	long done_retention_h;
};

struct intake_metrics {
	metric_t *received_spool;
	metric_t *received_stdin;
	metric_t *duplicate;
	metric_t *too_big;
	metric_t *failed;    /* moved to failed/ */
	metric_t *malformed; /* stdin lines */
	metric_t *free_bytes;
	metric_t *overflows;
};

/* Starts watching incoming/ and reads what is already there. NULL on
 * failure (logged). */
intake_t *intake_new(const struct intake_opts *opts, spool_t *spool,
                     queue_t *queue, const struct intake_metrics *m);
void intake_destroy(intake_t **self_p);

/* File descriptors to poll for reading; -1 when there is none now (stdin
 * closed, at EOF, or paused while the disk is nearly full). */
int intake_inotify_fd(const intake_t *self);
int intake_stdin_fd(const intake_t *self);
void intake_on_inotify(intake_t *self);
void intake_on_stdin(intake_t *self);
/* Checks the free space (once a second) and rescans when needed. */
void intake_tick(intake_t *self, int64_t now_ms);
/* Looks at incoming/NAME as a scan would (the broker found other bytes
 * under a name it was settling). */
void intake_take(intake_t *self, const char *name);
/* Stops taking new articles (shutdown). */
void intake_stop(intake_t *self);
/* Readiness: the spool is readable and the disk not nearly full; *why
 * says which is not (static string). */
bool intake_ready(const intake_t *self, const char **why);

#endif
