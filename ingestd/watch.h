/* watch.h - the spool watcher: files dropped into incoming/ by a feeder
 * (inotify, and a rescan at start and after the kernel's event queue
 * overflowed), and the articles stdin and HTTP wrote there.
 *
 * Does: hands every new name to intake_accept() (hashing the file for its
 * id, so the same bytes under two names are one article); refuses a file
 * written in place (closed in incoming/), a symbolic link, FIFO or hard
 * link the moment it appears, by the spool contract (docs/OPERATIONS.md).
 * Does not: write articles, or take a name already queued (a new file
 * over a queued name waits for spool_done()).
 *
 * Counters (struct intake_counters): accepted is
 * ingestd_articles_received_total{source="spool"}, duplicate, too_big and
 * to_failed (ingestd_articles_failed_total), lost
 * (ingestd_inotify_overflows_total). Loop thread only. */
#ifndef INGESTD_WATCH_H
#define INGESTD_WATCH_H

#include <stdint.h>

#include "intake.h"

typedef struct watch watch_t;

/* Starts watching incoming/, then reads what is already there (the watch
 * exists before the scan, so nothing written meanwhile is missed). NULL
 * on failure (logged). */
watch_t *watch_new(intake_t *seam, const struct intake_counters *c);
void watch_destroy(watch_t **self_p);

int watch_fd(const watch_t *self); /* -1 once stopped */
void watch_on_readable(watch_t *self);
/* Rescans, at most once a second, when an overflow or a failed refusal
 * asked for it. */
void watch_tick(watch_t *self, int64_t now_ms);
/* Looks at incoming/NAME as a scan would (the broker found other bytes
 * under a name it was settling). */
void watch_take(watch_t *self, const char *name);
void watch_stop(watch_t *self);

/* For main.c's table of intakes ("spool"). */
extern const struct intake_driver watch_driver;

#endif
