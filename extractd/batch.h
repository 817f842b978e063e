/* batch.h - the worker's decisions about its work, apart from the work:
 * when the open batch grows, lingers or commits; how large the next batch
 * may be after a statement_timeout and who is charged for it; what
 * becomes of the articles in hand on SIGTERM; the credit a worker grants
 * and holds ingestd to; when a batch's wait on PostgreSQL makes the
 * worker unready.
 *
 * Does: pure functions of their arguments (times are given in ms of one
 * monotonic clock), so tests/unit/batch_test.c checks them row by row.
 * Does not: read a clock, touch a socket or PostgreSQL, log, or keep
 * state (worker.c holds it and acts on the answers). */
#ifndef EXTRACTD_BATCH_H
#define EXTRACTD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct batch_policy {
	long batch_size;      /* --batch-size: articles per transaction */
	long batch_ms;        /* --batch-ms: grow at most this long */
	long batch_linger_ms; /* --batch-linger-ms: an idle batch waits */
	long inflight;        /* --inflight: credit window per endpoint */
	long heartbeat_ms;    /* --heartbeat-ms */
	long drain_ms;        /* --drain-ms */
	long ready_stall_ms;  /* --ready-stall-ms; 0: never unready for it */
};

/* The open batch as the loop sees it. */
struct batch_view {
	size_t in_hand; /* articles received and not acked */
	size_t put;     /* of those, written in the open transaction */
	long cap;       /* the limit after timeouts (batch_on_timeout()); 0 */
	bool session;   /* a PostgreSQL session is up */
	bool draining;  /* SIGTERM came */
	bool idle;      /* the sockets were just read: no more WORK waits */
	int64_t age_ms; /* since the batch's first article was written */
};

enum batch_step {
	BATCH_NONE,   /* no open batch, or no session: nothing to do */
	BATCH_GROW,   /* read the WORK waiting on the sockets, write it too */
	BATCH_LINGER, /* leave it open: younger than --batch-linger-ms */
	BATCH_COMMIT, /* COMMIT now, then ACK */
};

/* Group commit that adapts to the load: the batch grows while WORK is
 * already waiting and it is under its limit and --batch-ms, and not
 * while draining; once nothing waits, it commits at once, unless
 * --batch-linger-ms holds an idle batch open that long. */
enum batch_step batch_next(const struct batch_policy *p,
                           const struct batch_view *v);

/* Articles the open batch may hold: --batch-size, or cap while batches
 * time out. */
size_t batch_limit(const struct batch_policy *p, long cap);

/* A statement_timeout struck the open batch: too much work in one
 * transaction, which redoing it whole would repeat forever. writing: it
 * struck while writing an article (put articles before it in the
 * transaction), else at COMMIT (put in the batch). */
struct batch_timeout {
	bool charge; /* one article alone: give it back FAILED (an attempt
	              * at ingestd, poison after --max-attempts): the one
	              * being written, else the batch's only one */
	long cap;    /* else the limit of the next batches (> 0) */
};
struct batch_timeout batch_on_timeout(size_t put, bool writing);

/* After a COMMIT that went through: the limit grows back (doubles; 0,
 * --batch-size, once it reaches it). */
long batch_cap_after_commit(const struct batch_policy *p, long cap);

/* SIGTERM: the drain's deadline is --drain-ms from when it was first
 * seen (stop_seen_ms, by a statement waiting then; 0: now), and the
 * worker listens at least a heartbeat (at most 500 ms) for WORK already
 * on its way. */
struct batch_drain {
	int64_t until_ms;
	int64_t min_ms;
};
struct batch_drain batch_drain_begin(const struct batch_policy *p, int64_t now,
                                     int64_t stop_seen_ms);

enum batch_leave {
	BATCH_STAY,            /* keep going: commit and ACK what is in hand */
	BATCH_LEAVE,           /* nothing in hand: stop */
	BATCH_LEAVE_RELEASING, /* deadline: give what is in hand back untried
	                        * (RELEASED, no attempt counted), stop */
};
enum batch_leave batch_drain_leave(const struct batch_drain *d, int64_t now,
                                   size_t in_hand);

/* While a statement waits after SIGTERM (first seen at stop_seen_ms):
 * cancel it once the drain time is all but over (a quarter of it, at
 * most a second, left for giving the articles back). */
bool batch_cancel_due(const struct batch_policy *p, int64_t stop_seen_ms,
                      int64_t now);

/* The credit granted to each endpoint: the window while we can store,
 * none while the session is down or we are draining. */
long batch_window(const struct batch_policy *p, bool session, bool draining);

/* WORK from an endpoint that already has in_hand articles with us: more
 * than an honest ingestd sends (twice the window: an old epoch's leases
 * plus a new grant) is given back untried, so memory stays bounded by our
 * credit whatever ingestd does. */
bool batch_over_credit(const struct batch_policy *p, size_t in_hand);

/* Credit granted and not used, over the endpoints heard from (live), for
 * extractd_credit_outstanding; never below 0. */
long batch_credit_outstanding(const struct batch_policy *p, bool session,
                              bool draining, size_t live, size_t in_hand);

/* How long the open batch has waited on PostgreSQL (since
 * wait_since_ms, its first write; 0: none open) when that is past
 * --ready-stall-ms: /readyz is then 503. Else 0. */
int64_t batch_stalled_ms(const struct batch_policy *p, int64_t wait_since_ms,
                         int64_t now);

#endif
