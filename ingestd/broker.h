/* broker.h - ingestd's side of the protocol (docs/PROTOCOL.md): workers,
 * their credit and heartbeats, leases, ACKs, attempts and poison.
 *
 * Does: hands waiting articles only to workers with free credit (window,
 * capped at max_credit, minus leases), reading each body from the spool
 * when it is sent; keeps a lease while its holder heartbeats, up to
 * max_lease_ms; settles a lease only on its holder's ACK (others are
 * ignored and counted); gives leases back when the holder is gone (an
 * attempt only when it held that one alone, see drop_worker()) or reports
 * FAILED (an attempt); moves acked articles to done/ or failed/; gives up
 * after max_attempts.
 * Does not: accept articles (intake.c) or own the socket, queue or
 * spool (main.c does). */
#ifndef INGESTD_BROKER_H
#define INGESTD_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "mq.h"
#include "queue.h"
#include "spool.h"
#include "wire.h"

typedef struct broker broker_t;

struct broker_opts {
	uint64_t epoch;         /* our start time, unix microseconds */
	long heartbeat_ms;      /* how often we send heartbeats */
	long worker_timeout_ms; /* silence after which a worker is gone */
	long max_attempts;      /* attempts before an article is poison */
	long max_article_bytes;
	long done_retention_h;
	/* Called with a spool name whose file no longer holds the bytes of
	 * the article being settled (a new file took the name): the entry
	 * is gone from the queue, the new file is to be looked at. */
	void (*retake)(void *ctx, const char *name);
	void *retake_ctx;
	long max_credit;   /* a worker's window is capped at this */
	long max_lease_ms; /* a lease older than this is taken back (an
	                      attempt); 0: no limit */
};

struct broker_metrics {
	metric_t *dispatched;
	metric_t *acked[WIRE_STATUS_N]; /* by enum wire_status */
	metric_t *redelivered;
	metric_t *poison;
	metric_t *failed;  /* everything moved to failed/ */
	metric_t *refused; /* too big at dispatch */
	metric_t *leases;
	metric_t *workers;
	metric_t *malformed;
	metric_t *acks_ignored;  /* ACKs from a peer not holding the lease */
	metric_t *lease_expired; /* leases taken back for their age */
};

broker_t *broker_new(const struct broker_opts *opts, mq_t *router,
                     queue_t *queue, spool_t *spool,
                     const struct broker_metrics *m);
void broker_destroy(broker_t **self_p);

/* Handles what the socket has (at most a bounded number of messages per
 * call, so intake is not starved). */
void broker_recv(broker_t *self, int64_t now_ms);
/* Heartbeats, lost workers and, unless draining, dispatching. */
void broker_tick(broker_t *self, int64_t now_ms, bool draining);
size_t broker_workers(const broker_t *self);

#endif
