/* worker.h - extractd's worker: asks ingestd for articles, extracts them,
 * writes them in batches and ACKs each after COMMIT (docs/PROTOCOL.md).
 *
 * Does: one DEALER per endpoint (an ACK goes back on the socket its WORK
 * came from); grants its credit window with READY only while the
 * PostgreSQL session is up, and again on a new epoch or after the peer's
 * heartbeats stopped; commits a batch as soon as no more WORK is waiting
 * (group commit: one article at low load, up to --batch-size under load);
 * keeps every article in memory until its batch committed, so a lost
 * session (rollback, reconnect with capped backoff) redoes the batch
 * instead of losing it; records an article that cannot
 * be extracted in ingest_errors (ACK rejected); drains on SIGTERM.
 * Does not: retry an article the database refuses (that is rejected), or
 * share anything between threads (one thread, one loop). */
#ifndef EXTRACTD_WORKER_H
#define EXTRACTD_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "mq.h"
#include "store.h"

struct extload;

typedef struct worker worker_t;

struct worker_opts {
	char **connect; /* endpoints */
	size_t n_connect;
	struct mq_curve curve;
	struct store_opts store; /* conninfo, version, data hash, timeouts */
	const struct extload *el;
	long inflight;        /* credit window per endpoint */
	long batch_size;      /* at most this many articles per transaction */
	long batch_ms;        /* at most this long while work keeps arriving */
	long batch_linger_ms; /* an idle batch younger than this waits */
	long max_article_bytes;
	long max_rows; /* figures + pairings + flows per article; 0: any */
	long heartbeat_ms;
	long peer_timeout_ms; /* no heartbeat this long: peer lost */
	long backoff_max_ms;  /* cap of the reconnect backoff */
	long drain_ms;
	long ready_stall_ms; /* /readyz 503 past this wait on a batch; 0 off */
};

/* Registers the metrics and connects the sockets (the database session
 * is opened by the loop). NULL on failure (logged). */
worker_t *worker_new(const struct worker_opts *opts);
void worker_destroy(worker_t **self_p);
/* The loop, until SIGTERM/SIGINT and the drain. 0, or 1 on a fatal
 * error. */
int worker_run(worker_t *self);

/* HTTP probes (any thread; they read atomics). healthz: the loop turns
 * (or waits for a statement in 100 ms slices); readyz: a live PostgreSQL
 * session, no batch waiting on it longer than ready_stall_ms (a lock held
 * by a frozen peer: one long wait, or lock_timeout and retries), an
 * ingestd heard from recently, not draining. */
bool worker_healthz(void *self, const char **why);
bool worker_readyz(void *self, const char **why);

#endif
