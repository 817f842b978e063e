/* store.h - writes articles and their extraction results to PostgreSQL
 * (the only user of <libpq-fe.h>).
 *
 * Does: one transaction per batch, so a crash never leaves half of an
 * article (its articles row, pairings, figures and flows commit together),
 * written by COPY, and article by article in savepoints only when that
 * fails, so one bad article does not sink the batch;
 * idempotent on articles.sha256; a newer extractor version replaces an
 * article's rows, an older one never overwrites a newer one; classifies
 * PostgreSQL errors as transient (connection, serialization, lock timeout:
 * the batch must be retried, nothing acked) or permanent for one article
 * (that article is recorded in ingest_errors and acked as rejected).
 * Does not: retry or reconnect by itself (worker.c decides when); share a
 * store between threads. */
#ifndef EXTRACTD_STORE_H
#define EXTRACTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ext_result;

typedef struct store store_t;

/* Asked every 100 ms while a statement of store_new(), store_put() or
 * store_commit() runs: true cancels it (the call then fails as transient,
 * and store_timed_out() stays false). The worker's answer is "SIGTERM
 * came and the drain time is over", so a statement blocked on a lock
 * cannot keep the process past --drain-ms. */
typedef bool (*store_cancel_fn)(void *ctx);

struct store_opts {
	const char *conninfo;    /* "" lets libpq read PG* variables */
	int extractor_version;   /* EXT_VERSION */
	const char *data_hash;   /* hash of the data files, hex */
	long lock_timeout_ms;    /* SET lock_timeout */
	long idle_tx_timeout_ms; /* idle_in_transaction_session_timeout */
	long statement_timeout_ms;
	store_cancel_fn cancel; /* NULL: never asked */
	void *cancel_ctx;
};

/* One article as it came from ingestd. Strings may be NULL. */
struct store_article {
	const char *sha256; /* 64 lowercase hex digits */
	const void *raw;
	size_t raw_len;
	const char *uri;
	const char *feed;
	const char *content_type;
	const char *charset_hint;
	int64_t received_us; /* unix time, microseconds; 0 unknown */
	/* store_reject() of a refused file: raw is only its beginning and
	 * raw_size its whole size (ingest_errors.raw_size); 0: raw_len */
	uint64_t raw_size;
};

enum store_status {
	STORE_STORED = 1,    /* new rows written */
	STORE_DUPLICATE = 2, /* same or newer version already there */
	STORE_REJECTED = 3,  /* recorded in ingest_errors */
};

/* Connects. NULL on failure (logged); the caller retries with backoff. */
store_t *store_new(const struct store_opts *opts);
void store_destroy(store_t **self_p);
bool store_alive(store_t *self); /* PQstatus is OK and no broken tx */
/* Whether the last transient failure (of store_put() or store_commit())
 * was statement_timeout (57014): the batch was too much work, not the
 * database's fault (worker.c splits it). Never after a cancel of ours. */
bool store_timed_out(const store_t *self);

/* Between statements: reads what the server sent unasked (the FATAL and
 * EOF of a shutdown, a terminated backend) without blocking or a round
 * trip, so an idle session that is gone is noticed. store_alive() after. */
bool store_ping(store_t *self);

/* Within the current batch (BEGIN on first use): takes the article (a
 * copy: a and res may go once it returns) for store_commit() to write, and
 * sets *status to STORE_STORED, which store_commit() may revise (see
 * there). Returns 0, or ERR_DB_TRANSIENT (the whole batch is lost: roll
 * back, reconnect, redo), or ERR_DB_PERMANENT only if even recording an
 * error failed. res may be NULL when extraction failed: recorded at once
 * as stage "extract", "no extraction result" (STORE_REJECTED); call
 * store_reject() instead to give the reason. store_reject() records in
 * ingest_errors (one row per sha256 and stage; a repeat bumps attempts)
 * and counts in the batch. */
int store_put(store_t *self, const struct store_article *a,
              const struct ext_result *res, enum store_status *status);
int store_reject(store_t *self, const struct store_article *a,
                 const char *stage, const char *reason);
/* Writes the batch and COMMITs it; then, and only then, ACK its
 * articles. 0 or ERR_DB_TRANSIENT. The articles not stored yet go in by
 * COPY, in a savepoint; one already stored (a duplicate, or an older
 * version to replace), or one the server may refuse for something
 * store.c can see, goes through the upsert in a savepoint of its own, and
 * so does every article of the batch when a COPY is refused (a racing
 * worker's unique violation, a data error nobody foresaw): a data error
 * (SQLSTATE class 22, 23 or 54) then rejects that article only (recorded
 * in ingest_errors, stage "store"), the others are committed. */
int store_commit(store_t *self);
/* After store_commit() returned 0: the id of the i-th article (from 0)
 * whose status is not the STORE_STORED store_put() gave, NULL past the
 * last; *status (if not NULL) gets it (STORE_DUPLICATE: same or newer
 * version already there; STORE_REJECTED: refused, *reason says why). ACK
 * those with that status. Borrowed, valid until the next store_commit()
 * or store_rollback(). */
const char *store_commit_revised(const store_t *self, size_t i,
                                 enum store_status *status,
                                 const char **reason);
void store_rollback(store_t *self);
size_t store_pending(const store_t *self); /* articles in the open batch */

/* Applies migrations/NNN_*.sql not yet recorded, in order, each in its own
 * transaction, under an advisory lock; seeds regions from the divisions
 * file (COPY). A migration cut by the lines "-- migrate: repeat" and
 * "-- migrate: then" runs in steps: its first part in a transaction, then
 * the statement between the lines, each time in a transaction of its own,
 * until it answers 0 (logged as migrate.batch), then the rest with its
 * record (007 converts a filled database in batches so). 0 or a negative
 * ERR_*. */
int store_migrate(const char *conninfo, const char *migrations_dir,
                  const char *divisions_tsv);

/* Re-extraction: calls fn for up to batch articles of an older version
 * (lower extractor_version, or the same with another data_hash; newer ones
 * are left alone), in sha256 order after the last one of the previous
 * committed call (keyset), locked FOR UPDATE SKIP LOCKED in the current
 * batch so several re-extractors share the work; fn re-extracts and
 * store_put()s them; store_commit() after each call. Returns the number
 * handled (0 when none is left: the next call starts a new pass) or a
 * negative ERR_* (fn's ERR_DB_* stop it; its other errors are logged). */
typedef int (*store_reextract_fn)(void *ctx, store_t *st,
                                  const struct store_article *a);
int store_reextract_batch(store_t *self, size_t batch, store_reextract_fn fn,
                          void *ctx);

#endif
