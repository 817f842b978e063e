/* stdinin.h - articles as JSON lines on standard input (--stdin): one
 * object per line, {"body": "..."} or {"body_b64": "..."}, with optional
 * uri, feed, content_type and charset (docs/PROTOCOL.md).
 *
 * Does: reads stdin without blocking, a bounded number of lines per call;
 * hands each body to intake_accept() (which queues it at once); reports a
 * malformed line (stdin.malformed and a counter) and goes on; stops
 * reading while the spool's disk is nearly full, since a line cannot be
 * asked for again.
 * Does not: write the spool itself.
 *
 * Counters (struct intake_counters): accepted is
 * ingestd_articles_received_total{source="stdin"}, duplicate, too_big,
 * refused (ingestd_stdin_malformed_total: malformed lines). Loop thread
 * only. */
#ifndef INGESTD_STDININ_H
#define INGESTD_STDININ_H

#include "intake.h"

typedef struct stdinin stdinin_t;

/* Makes stdin non-blocking; when it cannot, logs stdin.unusable and
 * reads nothing (ingestd goes on with its other intakes). Never NULL. */
stdinin_t *stdinin_new(intake_t *seam, const struct intake_counters *c);
void stdinin_destroy(stdinin_t **self_p);

/* STDIN_FILENO, or -1 when there is nothing to read now (stopped, at EOF,
 * or paused while the disk is nearly full). */
int stdinin_fd(const stdinin_t *self);
void stdinin_on_readable(stdinin_t *self);
void stdinin_stop(stdinin_t *self);

/* For main.c's table of intakes ("stdin", --stdin). */
extern const struct intake_driver stdinin_driver;

#endif
