/* worker.c - the worker's loop: sockets, credit, batches, ACKs. */
#include "worker.h"
#include "batch.h"
#include "err.h"
#include "extload.h"
#include "extract/extract.h"
#include "log.h"
#include "metrics.h"
#include "sha256.h"
#include "sig.h"
#include "wire.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PEERS 15 /* one poll item each */
_Static_assert(MAX_PEERS <= MQ_POLL_MAX, "one mq_poll() serves all peers");
#define RECV_BATCH 256

struct peer {
	mq_t *sock;
	const char *endpoint;
	uint64_t epoch;     /* 0: none seen (or lost since) */
	int64_t last_hb_ms; /* last heartbeat from ingestd */
	long granted;       /* credit last sent; -1 unknown */
	int64_t last_sent_ms;
	int64_t silent_since_ms; /* no heartbeat heard since; 0 when heard */
	int64_t silent_told_ms;  /* last peer.silent line */
};

enum item_state {
	ITEM_NEW, /* in hand, not in the open transaction */
	ITEM_PUT, /* written in the open transaction, waiting for COMMIT */
};

struct item {
	struct item *next;
	size_t peer;
	struct wire_msg msg; /* WORK, owns the body */
	struct ext_result *res;
	bool extracted;
	int ext_rc;
	char reason[256];
	enum item_state state;
	enum store_status status;
};

struct metrics_set {
	metric_t *processed[WIRE_STATUS_N];
	metric_t *extract_s;
	metric_t *commit_s;
	metric_t *reconnects;
	metric_t *figures;
	metric_t *pairings;
	metric_t *credit;
	metric_t *in_hand;
	metric_t *malformed;
	metric_t *over_credit;
	metric_t *db_up;
	metric_t *ready;
};

struct worker {
	struct worker_opts o;
	struct batch_policy pol; /* the decisions' parameters, from o */
	mq_ctx_t *ctx;
	struct peer peers[MAX_PEERS];
	size_t n_peers;
	store_t *st;
	bool had_session; /* for counting reconnects */
	long backoff_ms;
	int64_t next_connect_ms;
	struct item *head, *tail;
	size_t n_items, n_put;
	uint64_t n_work; /* WORK messages received, ever */
	long batch_cap;  /* after a statement_timeout: a smaller batch; 0 */
	uint64_t n_over; /* WORK refused for being over our credit */
	int64_t batch_start_ms;
	bool draining;
	struct batch_drain drain;
	/* when a statement running at SIGTERM first saw it (drain_passed());
	 * the drain is counted from there */
	int64_t stop_seen_ms;
	struct metrics_set m;
	struct {
		long acked[WIRE_STATUS_N]; /* since start */
		long figures, pairings;
		char last[SHA256_HEX_LEN + 1]; /* last article stored */
		int64_t logged_ms;
		bool changed;
	} progress;
	atomic_llong loop_ms;
	/* When the open batch first wrote to PostgreSQL, 0 when none is
	 * open: kept across the retries of one batch (a lock_timeout, a lost
	 * session), cleared by its COMMIT; how long the worker waits on the
	 * database for /readyz */
	atomic_llong wait_since_ms;
	bool stall_told; /* worker.stalled logged for this wait */
	atomic_bool ready_db, ready_peer, ready_drain;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
register_metrics(struct metrics_set *m)
{
	static const double ext_b[] = { 0.001, 0.005, 0.01, 0.05, 0.1,
		                        0.25,  0.5,   1,    2.5,  5 };
	static const double commit_b[] = { 0.001, 0.005, 0.01, 0.025, 0.05,
		                           0.1,   0.25,  0.5,  1,     5 };
	char label[64];

	for (int i = 1; i < WIRE_STATUS_N; i++) {
		snprintf(label, sizeof(label), "status=\"%s\"",
		         wire_status_str((enum wire_status)i));
		m->processed[i] = metrics_counter(
		    "extractd_articles_total", label,
		    "Articles acked, by status (failed: gave up on it; "
		    "released: given back untried)");
	}
	m->extract_s = metrics_histogram("extractd_extract_seconds", NULL,
	                                 "Time to extract one article", ext_b,
	                                 sizeof(ext_b) / sizeof(ext_b[0]));
	m->commit_s = metrics_histogram("extractd_commit_seconds", NULL,
	                                "Time to COMMIT one batch", commit_b,
	                                sizeof(commit_b) / sizeof(commit_b[0]));
	m->reconnects = metrics_counter("extractd_pg_reconnects_total", NULL,
	                                "PostgreSQL sessions re-established");
	m->figures = metrics_counter("extractd_figures_written_total", NULL,
	                             "Figures in committed articles");
	m->pairings = metrics_counter("extractd_pairings_written_total", NULL,
	                              "Pairings in committed articles");
	m->credit = metrics_gauge("extractd_credit_outstanding", NULL,
	                          "Credit granted and not used (all peers)");
	m->in_hand = metrics_gauge("extractd_articles_in_hand", NULL,
	                           "Articles received and not yet acked");
	m->malformed = metrics_counter("extractd_messages_malformed_total",
	                               NULL, "Frames dropped as malformed");
	m->over_credit = metrics_counter(
	    "extractd_work_over_credit_total", NULL,
	    "WORK beyond twice our window, given back untried (RELEASED)");
	m->db_up = metrics_gauge("extractd_db_up", NULL,
	                         "1 while the PostgreSQL session is up");
	m->ready = metrics_gauge("extractd_ready", NULL,
	                         "1 while /readyz would answer 200");
}

static bool statement_waits(void *ctx);

worker_t *
worker_new(const struct worker_opts *opts)
{
	worker_t *self = calloc(1, sizeof(*self));
	long max_msg;

	if (!self)
		abort();
	self->o = *opts;
	self->pol =
	    (struct batch_policy){ opts->batch_size,      opts->batch_ms,
		                   opts->batch_linger_ms, opts->inflight,
		                   opts->heartbeat_ms,    opts->drain_ms,
		                   opts->ready_stall_ms };
	self->o.store.cancel = statement_waits;
	self->o.store.cancel_ctx = self;
	atomic_init(&self->loop_ms, now_ms());
	atomic_init(&self->wait_since_ms, 0);
	atomic_init(&self->ready_db, false);
	atomic_init(&self->ready_peer, false);
	atomic_init(&self->ready_drain, false);
	register_metrics(&self->m);
	if (opts->n_connect == 0 || opts->n_connect > MAX_PEERS) {
		log_error(
		    "worker.config",
		    LF_STR("err", "between 1 and 15 --connect endpoints"));
		goto fail;
	}
	self->ctx = mq_ctx_new();
	if (!self->ctx)
		goto fail;
	/* Twice the limit: a larger article still arrives, and is rejected
	 * with a reason instead of killing the connection. */
	max_msg = opts->max_article_bytes * 2 + WIRE_OVERHEAD;
	for (size_t i = 0; i < opts->n_connect; i++) {
		struct peer *p = &self->peers[i];

		p->endpoint = opts->connect[i];
		p->granted = -1;
		p->silent_since_ms = p->silent_told_ms = now_ms();
		p->sock =
		    mq_dealer_new(self->ctx, p->endpoint, max_msg,
		                  opts->drain_ms > 2000 ? 2000 : opts->drain_ms,
		                  &opts->curve);
		if (!p->sock)
			goto fail;
		self->n_peers++;
		log_info("peer.connecting", LF_STR("endpoint", p->endpoint));
	}
	return self;
fail:
	worker_destroy(&self);
	return NULL;
}

static void
item_free(struct item *it)
{
	ext_result_destroy(&it->res);
	wire_msg_clear(&it->msg);
	free(it);
}

void
worker_destroy(worker_t **self_p)
{
	worker_t *self = *self_p;

	if (!self)
		return;
	while (self->head) {
		struct item *it = self->head;

		self->head = it->next;
		item_free(it);
	}
	store_destroy(&self->st);
	for (size_t i = 0; i < self->n_peers; i++)
		mq_destroy(&self->peers[i].sock);
	mq_ctx_destroy(&self->ctx);
	free(self);
	*self_p = NULL;
}

bool
worker_healthz(void *ctx, const char **why)
{
	worker_t *self = ctx;

	if (now_ms() - atomic_load(&self->loop_ms) > 10000) {
		*why = "event loop stalled";
		return false;
	}
	return true;
}

/* How long the open batch has waited on PostgreSQL, when that is past
 * --ready-stall-ms; else 0. Any thread. */
static int64_t
stalled_ms(const worker_t *self, int64_t now)
{
	return batch_stalled_ms(&self->pol, atomic_load(&self->wait_since_ms),
	                        now);
}

bool
worker_readyz(void *ctx, const char **why)
{
	/* the reason outlives this call until the HTTP thread copied it */
	static _Thread_local char buf[160];
	worker_t *self = ctx;
	int64_t stalled;

	if (atomic_load(&self->ready_drain)) {
		*why = "draining";
		return false;
	}
	if (!atomic_load(&self->ready_db)) {
		*why = "no PostgreSQL session";
		return false;
	}
	stalled = stalled_ms(self, now_ms());
	if (stalled) {
		snprintf(buf, sizeof(buf),
		         "a batch has waited %lld ms on PostgreSQL (a lock?), "
		         "more than --ready-stall-ms %ld",
		         (long long)stalled, self->o.ready_stall_ms);
		*why = buf;
		return false;
	}
	if (!atomic_load(&self->ready_peer)) {
		*why = "no ingestd heard from recently";
		return false;
	}
	return worker_healthz(ctx, why);
}

static int
send_to(worker_t *self, size_t peer, const struct wire_msg *m)
{
	void *buf;
	size_t len;
	int rc = wire_pack(m, &buf, &len);

	if (rc != 0)
		return rc;
	rc = mq_send(self->peers[peer].sock, NULL, 0, buf, len);
	free(buf);
	return rc;
}

/* The window we grant now (batch_window()). */
static long
window(const worker_t *self)
{
	return batch_window(&self->pol, self->st != NULL, self->draining);
}

static void
grant(worker_t *self, size_t i, bool force)
{
	struct peer *p = &self->peers[i];
	struct wire_msg m;
	long w = window(self);

	if (!force && p->granted == w)
		return;
	memset(&m, 0, sizeof(m));
	m.type = WIRE_READY;
	m.credit = (uint32_t)w;
	if (send_to(self, i, &m) == 0) {
		if (p->granted != w)
			log_info("peer.ready", LF_STR("endpoint", p->endpoint),
			         LF_INT("credit", w));
		p->granted = w;
	}
}

static void
grant_all(worker_t *self, bool force)
{
	for (size_t i = 0; i < self->n_peers; i++)
		grant(self, i, force);
}

static void
ack(worker_t *self, struct item *it, enum wire_status st, const char *reason)
{
	struct wire_msg m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.type = WIRE_ACK;
	m.id = it->msg.art.id;
	m.status = st;
	m.reason = reason;
	rc = send_to(self, it->peer, &m);
	if (rc != 0) /* ingestd redelivers; the database says duplicate */
		log_warn("ack.not_sent", LF_STR("id", m.id),
		         LF_STR("err", err_str(rc)));
	metrics_add(self->m.processed[st], 1);
	self->progress.acked[st]++;
	self->progress.changed = true;
	if (st == WIRE_STORED)
		snprintf(self->progress.last, sizeof(self->progress.last), "%s",
		         m.id);
}

/* One info line with the counts since start, when they changed, at most
 * every 10 s (at once after a quiet spell, so an operator who drops one
 * file sees it stored), and at the end. */
static void
log_progress(worker_t *self, int64_t now, bool force)
{
	const long *n = self->progress.acked;

	if (!self->progress.changed ||
	    (!force && now - self->progress.logged_ms < 10000))
		return;
	log_info("worker.progress", LF_INT("stored", n[WIRE_STORED]),
	         LF_INT("duplicate", n[WIRE_DUPLICATE]),
	         LF_INT("rejected", n[WIRE_REJECTED]),
	         LF_INT("failed", n[WIRE_FAILED]),
	         LF_INT("figures", self->progress.figures),
	         LF_INT("pairings", self->progress.pairings),
	         LF_STR("last_stored", self->progress.last));
	self->progress.logged_ms = now;
	self->progress.changed = false;
}

static void
unlink_item(worker_t *self, struct item *it)
{
	struct item **pp = &self->head, *prev = NULL;

	while (*pp && *pp != it) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = it->next;
	if (self->tail == it)
		self->tail = prev;
	self->n_items--;
}

/* The session is gone: everything written in the open transaction is
 * lost and must be redone on the next session. */
static void
db_lost(worker_t *self, const char *why)
{
	if (self->st) {
		store_rollback(self->st);
		store_destroy(&self->st);
	}
	for (struct item *it = self->head; it; it = it->next)
		it->state = ITEM_NEW;
	self->n_put = 0;
	self->backoff_ms = 100;
	self->next_connect_ms = now_ms() + self->backoff_ms;
	atomic_store(&self->ready_db, false);
	metrics_set(self->m.db_up, 0);
	log_warn("db.lost", LF_STR("reason", why),
	         LF_INT("in_hand", self->n_items));
	grant_all(self, false); /* withdraw: credit 0 */
}

/* store.c asks while a statement runs: SIGTERM came and the drain time is
 * all but over (a quarter of it, at most a second, left for giving the
 * articles back), so the statement is cancelled and the loop leaves
 * within --drain-ms however long the statement would have waited. */
static bool
drain_passed(void *ctx)
{
	worker_t *self = ctx;
	int64_t now = now_ms();

	if (!sig_stopping())
		return false;
	if (!self->stop_seen_ms)
		self->stop_seen_ms =
		    self->draining ? self->drain.until_ms - self->o.drain_ms
		                   : now;
	return batch_cancel_due(&self->pol, self->stop_seen_ms, now);
}

/* The open batch's wait on PostgreSQL: begun (first write of a batch,
 * kept through its retries) or over (it committed, or nothing is in hand
 * any more). Logs a stall once it passed --ready-stall-ms, and its end. */
static void
wait_begins(worker_t *self, int64_t now)
{
	if (!atomic_load(&self->wait_since_ms))
		atomic_store(&self->wait_since_ms, now ? now : 1);
}

static void
wait_over(worker_t *self)
{
	int64_t since = atomic_load(&self->wait_since_ms);

	if (!since)
		return;
	if (self->stall_told)
		log_info("worker.unstalled",
		         LF_INT("waited_ms", now_ms() - since));
	self->stall_told = false;
	atomic_store(&self->wait_since_ms, 0);
}

static void
stall_check(worker_t *self, int64_t now)
{
	int64_t stalled = stalled_ms(self, now);

	if (!stalled || self->stall_told)
		return;
	self->stall_told = true;
	log_warn("worker.stalled", LF_INT("waited_ms", stalled),
	         LF_INT("in_hand", self->n_items),
	         LF_INT("ready_stall_ms", self->o.ready_stall_ms));
	metrics_set(self->m.ready, 0);
}

/* store.c asks every 100 ms while a statement runs: the loop is alive
 * (healthz: a long lock wait is not a hung process), a batch that waits
 * too long makes us unready, and SIGTERM may cancel the statement. */
static bool
statement_waits(void *ctx)
{
	worker_t *self = ctx;
	int64_t now = now_ms();

	atomic_store(&self->loop_ms, now);
	stall_check(self, now);
	return drain_passed(ctx);
}

static void
db_connect(worker_t *self, int64_t now)
{
	if (self->st || now < self->next_connect_ms)
		return;
	self->st = store_new(&self->o.store);
	if (!self->st) {
		self->backoff_ms =
		    self->backoff_ms ? self->backoff_ms * 2 : 100;
		if (self->backoff_ms > self->o.backoff_max_ms)
			self->backoff_ms = self->o.backoff_max_ms;
		self->next_connect_ms = now_ms() + self->backoff_ms;
		return;
	}
	if (self->had_session)
		metrics_add(self->m.reconnects, 1);
	self->had_session = true;
	self->backoff_ms = 0;
	atomic_store(&self->ready_db, true);
	metrics_set(self->m.db_up, 1);
	log_info("db.up", LF_INT("in_hand", self->n_items));
	grant_all(self, false);
}

static void
to_article(const struct item *it, struct store_article *a)
{
	const struct wire_article *w = &it->msg.art;

	memset(a, 0, sizeof(*a));
	a->sha256 = w->id;
	a->raw = w->body;
	a->raw_len = w->body_len;
	a->uri = *w->uri ? w->uri : NULL;
	a->feed = *w->feed ? w->feed : NULL;
	a->content_type = *w->content_type ? w->content_type : NULL;
	a->charset_hint = *w->charset ? w->charset : NULL;
	a->received_us = w->received_us;
	a->raw_size = *w->refused ? w->size : 0;
}

static void
extract(worker_t *self, struct item *it)
{
	struct ext_options eo = { 0 };
	size_t off = 0;
	double t0 = now_s();

	eo.charset = *it->msg.art.charset ? it->msg.art.charset : NULL;
	eo.max_bytes = (size_t)self->o.max_article_bytes;
	it->ext_rc = ext_extract(self->o.el->tables, it->msg.art.body,
	                         it->msg.art.body_len, &eo, &it->res, &off);
	metrics_observe(self->m.extract_s, now_s() - t0);
	it->extracted = true;
	if (it->ext_rc == EXT_EDECODE)
		snprintf(it->reason, sizeof(it->reason), "%s at byte %zu",
		         ext_strerror(it->ext_rc), off);
	else if (it->ext_rc == EXT_ETOOBIG)
		snprintf(it->reason, sizeof(it->reason),
		         "%s: %zu bytes, --max-article-bytes is %ld",
		         ext_strerror(it->ext_rc), it->msg.art.body_len,
		         self->o.max_article_bytes);
	else if (it->ext_rc != 0)
		snprintf(it->reason, sizeof(it->reason), "%s",
		         ext_strerror(it->ext_rc));
	if (it->ext_rc == 0 && self->o.max_rows > 0 &&
	    it->res->n_figures + it->res->n_pairings + it->res->n_flows >
	        (size_t)self->o.max_rows) {
		/* Bounded work: rows per article are time in one transaction
		 * and memory until COMMIT. Rejected, with the counts. */
		snprintf(it->reason, sizeof(it->reason),
		         "too many rows: %zu figures, %zu pairings, %zu flows; "
		         "--max-rows-per-article is %ld",
		         it->res->n_figures, it->res->n_pairings,
		         it->res->n_flows, self->o.max_rows);
		ext_result_destroy(&it->res);
		it->ext_rc = EXT_ETOOBIG;
	}
}

/* --batch-size, or less while batches time out (see timed_out()). */
static size_t
batch_max(const worker_t *self)
{
	return batch_limit(&self->pol, self->batch_cap);
}

/* The open batch failed with statement_timeout (batch_on_timeout()
 * decides): the article alone in it, or being written first (writing),
 * is given back FAILED; else the next batches are smaller. Call before
 * db_lost(). */
static void
timed_out(worker_t *self, struct item *writing)
{
	struct batch_timeout t = batch_on_timeout(self->n_put, writing);
	struct item *culprit = writing;

	if (!t.charge) {
		log_warn("batch.split",
		         LF_INT("size", self->n_put + (writing != NULL)),
		         LF_INT("next", t.cap));
		self->batch_cap = t.cap;
		return;
	}
	for (struct item *it = self->head; !culprit && it; it = it->next)
		if (it->state == ITEM_PUT)
			culprit = it;
	if (!culprit)
		return;
	log_warn("article.timeout", LF_STR("id", culprit->msg.art.id),
	         LF_INT("bytes", culprit->msg.art.body_len));
	if (culprit->state == ITEM_PUT)
		self->n_put--;
	ack(self, culprit, WIRE_FAILED,
	    "statement_timeout with the article alone in its batch");
	unlink_item(self, culprit);
	item_free(culprit);
}

/* Writes the items not yet in the open transaction, until the batch holds
 * batch_max() articles (the rest waits for the next one). */
static void
put_new(worker_t *self, int64_t now)
{
	for (struct item *it = self->head, *next;
	     it && self->st && self->n_put < batch_max(self); it = next) {
		struct store_article a;
		int rc;

		next = it->next;
		if (it->state != ITEM_NEW)
			continue;
		if (*it->msg.art.refused) { /* a notice: nothing to extract */
			it->extracted = true;
			snprintf(it->reason, sizeof(it->reason), "%s",
			         it->msg.art.refused);
		}
		if (!it->extracted)
			extract(self, it);
		if (it->ext_rc == EXT_ENOMEM) {
			/* Not the article's fault: give it back, counted. */
			ack(self, it, WIRE_FAILED, it->reason);
			unlink_item(self, it);
			item_free(it);
			continue;
		}
		to_article(it, &a);
		wait_begins(self, now);
		if (*it->msg.art.refused) {
			/* ingestd refused the file at intake; a repeat of the
			 * notice bumps the row's attempts, nothing more */
			rc = store_reject(self->st, &a, "intake", it->reason);
			it->status = STORE_REJECTED;
		} else if (it->ext_rc == 0) {
			rc = store_put(self->st, &a, it->res, &it->status);
		} else {
			rc = store_reject(self->st, &a, "extract", it->reason);
			it->status = STORE_REJECTED;
		}
		if (rc == ERR_DB_TRANSIENT) {
			if (store_timed_out(self->st))
				timed_out(self, it);
			db_lost(self, "write failed");
			return;
		}
		if (rc != 0) {
			/* Even recording the error failed: let ingestd count
			 * an attempt and try elsewhere, later. */
			ack(self, it, WIRE_FAILED,
			    "database refused the article");
			unlink_item(self, it);
			item_free(it);
			continue;
		}
		if (self->n_put == 0)
			self->batch_start_ms = now;
		it->state = ITEM_PUT;
		self->n_put++;
	}
}

static void
commit(worker_t *self)
{
	double t0 = now_s();
	int rc;

	if (!self->st || self->n_put == 0)
		return;
	rc = store_commit(self->st);
	if (rc != 0) {
		if (store_timed_out(self->st))
			timed_out(self, NULL);
		db_lost(self, "commit failed");
		return;
	}
	wait_over(self);
	self->batch_cap = batch_cap_after_commit(&self->pol, self->batch_cap);
	metrics_observe(self->m.commit_s, now_s() - t0);
	log_debug("batch.committed", LF_INT("articles", self->n_put));
	/* What the COMMIT found for articles store_put() said stored: a
	 * duplicate after all, or refused. */
	for (size_t i = 0;; i++) {
		const char *reason = NULL;
		enum store_status st = STORE_STORED;
		const char *id =
		    store_commit_revised(self->st, i, &st, &reason);

		if (!id)
			break;
		for (struct item *it = self->head; it; it = it->next)
			if (it->state == ITEM_PUT &&
			    it->status == STORE_STORED &&
			    strcmp(it->msg.art.id, id) == 0) {
				it->status = st;
				snprintf(it->reason, sizeof(it->reason), "%s",
				         reason ? reason : "");
			}
	}
	for (struct item *it = self->head, *next; it; it = next) {
		next = it->next;
		if (it->state != ITEM_PUT)
			continue;
		if (it->status == STORE_STORED && it->res) {
			metrics_add(self->m.figures,
			            (double)it->res->n_figures);
			metrics_add(self->m.pairings,
			            (double)it->res->n_pairings);
			self->progress.figures += (long)it->res->n_figures;
			self->progress.pairings += (long)it->res->n_pairings;
		}
		ack(self, it,
		    it->status == STORE_STORED      ? WIRE_STORED
		    : it->status == STORE_DUPLICATE ? WIRE_DUPLICATE
		                                    : WIRE_REJECTED,
		    it->status != STORE_REJECTED ? ""
		    : *it->reason
		        ? it->reason
		        : "refused by the database (see ingest_errors)");
		unlink_item(self, it);
		item_free(it);
	}
	self->n_put = 0;
}

static size_t
in_hand_from(const worker_t *self, size_t peer)
{
	size_t n = 0;

	for (const struct item *it = self->head; it; it = it->next)
		n += it->peer == peer;
	return n;
}

static void
on_work(worker_t *self, size_t peer, struct wire_msg *m)
{
	struct item *it = calloc(1, sizeof(*it));
	char hex[SHA256_HEX_LEN + 1];

	if (!it)
		abort();
	it->peer = peer;
	it->msg = *m;
	memset(m, 0, sizeof(*m)); /* the item owns it now */
	/* Our memory is bounded by our credit, whatever ingestd does: twice
	 * the window per endpoint is the most an honest one sends (old
	 * epoch's leases plus a new grant); beyond, given back untried. */
	if (batch_over_credit(&self->pol, in_hand_from(self, peer))) {
		metrics_add(self->m.over_credit, 1);
		if (self->n_over++ % 1000 == 0) /* a flood logs a sample */
			log_warn("work.over_credit",
			         LF_STR("endpoint", self->peers[peer].endpoint),
			         LF_STR("id", it->msg.art.id),
			         LF_INT("in_hand", self->n_items),
			         LF_INT("inflight", self->o.inflight),
			         LF_INT("count", self->n_over));
		ack(self, it, WIRE_RELEASED, "over the worker's credit");
		item_free(it);
		return;
	}
	/* A notice's body is the refused file's first bytes, not all of it:
	 * its id cannot be checked here (ingestd hashed the whole). */
	sha256_hex(it->msg.art.body, it->msg.art.body_len, hex);
	if (!*it->msg.art.refused && strcmp(hex, it->msg.art.id) != 0) {
		log_warn("article.id_mismatch", LF_STR("id", it->msg.art.id),
		         LF_STR("sha256", hex));
		ack(self, it, WIRE_FAILED, "id is not the SHA-256 of the body");
		item_free(it);
		return;
	}
	if (self->tail)
		self->tail->next = it;
	else
		self->head = it;
	self->tail = it;
	self->n_items++;
	self->n_work++;
}

static void
on_heartbeat(worker_t *self, size_t i, const struct wire_msg *m, int64_t now)
{
	struct peer *p = &self->peers[i];
	bool fresh = p->epoch != m->epoch;

	if (fresh)
		log_info("peer.epoch", LF_STR("endpoint", p->endpoint),
		         LF_INT("epoch", m->epoch),
		         LF_STR("seen", p->epoch ? "restarted" : "first"));
	p->epoch = m->epoch;
	p->last_hb_ms = now;
	/* A restarted ingestd, or one we had lost, knows nothing of our
	 * credit: grant the whole window again. */
	grant(self, i, fresh);
}

static void
recv_peer(worker_t *self, size_t i, int64_t now)
{
	size_t max = (size_t)self->o.max_article_bytes * 2 + WIRE_OVERHEAD;

	for (int n = 0; n < RECV_BATCH; n++) {
		struct mq_msg raw;
		struct wire_msg m;
		int rc = mq_recv(self->peers[i].sock, &raw);

		if (rc == ERR_AGAIN || rc == ERR_ZMQ)
			return;
		if (rc == 0)
			rc = wire_unpack(raw.data, raw.len, max, &m);
		if (rc != 0) {
			metrics_add(self->m.malformed, 1);
			log_warn("message.malformed",
			         LF_STR("endpoint", self->peers[i].endpoint),
			         LF_STR("err", err_str(rc)),
			         LF_INT("bytes", raw.len));
			mq_msg_clear(&raw);
			continue;
		}
		mq_msg_clear(&raw);
		switch (m.type) {
		case WIRE_HEARTBEAT:
			on_heartbeat(self, i, &m, now);
			break;
		case WIRE_WORK:
			on_work(self, i, &m);
			break;
		default:
			metrics_add(self->m.malformed, 1);
			log_warn("message.unexpected",
			         LF_STR("endpoint", self->peers[i].endpoint),
			         LF_STR("type", wire_type_str(m.type)));
		}
		wire_msg_clear(&m);
	}
}

/* Takes what is already waiting on every socket, without blocking.
 * Returns true when it held WORK. */
static bool
recv_waiting(worker_t *self, int64_t now)
{
	uint64_t before = self->n_work;

	for (size_t i = 0; i < self->n_peers; i++)
		recv_peer(self, i, now);
	return self->n_work != before;
}

/* Group commit that adapts to the load (batch_next()): a lone article at
 * low load commits at once instead of waiting out --batch-ms. */
static void
fill_and_commit(worker_t *self)
{
	int64_t now = now_ms();
	bool idle = false;

	put_new(self, now);
	for (;;) {
		struct batch_view v = { self->n_items,
			                self->n_put,
			                self->batch_cap,
			                self->st != NULL,
			                self->draining,
			                idle,
			                now - self->batch_start_ms };

		switch (batch_next(&self->pol, &v)) {
		case BATCH_GROW:
			if (recv_waiting(self, now)) {
				now = now_ms();
				put_new(self, now);
			} else {
				idle = true;
			}
			continue;
		case BATCH_COMMIT:
			commit(self);
			return;
		case BATCH_NONE:
		case BATCH_LINGER:
			return;
		}
		return;
	}
}

/* Our heartbeats keep our leases alive; a silent ingestd is lost. */
static void
heartbeats(worker_t *self, int64_t now)
{
	size_t live = 0;

	for (size_t i = 0; i < self->n_peers; i++) {
		struct peer *p = &self->peers[i];

		if (p->epoch && now - p->last_hb_ms > self->o.peer_timeout_ms) {
			log_warn("peer.lost", LF_STR("endpoint", p->endpoint),
			         LF_INT("silent_ms", now - p->last_hb_ms));
			p->epoch = 0; /* its next heartbeat is a fresh start */
			p->silent_since_ms = p->silent_told_ms = now;
		}
		/* Never heard (or lost): say so, with what usually causes
		 * it, every peer timeout. A CURVE handshake that fails (a
		 * wrong or missing key on either side) looks exactly like
		 * this from here: libzmq retries quietly. */
		if (!p->epoch &&
		    now - p->silent_told_ms >= self->o.peer_timeout_ms) {
			bool curve = self->o.curve.secret_key_file &&
			             *self->o.curve.secret_key_file;

			log_warn(
			    "peer.silent", LF_STR("endpoint", p->endpoint),
			    LF_INT("silent_ms", now - p->silent_since_ms),
			    LF_STR("curve", curve ? "on" : "off"),
			    LF_STR("hint",
			           curve ? "ingestd down or unreachable, or "
			                   "the CURVE handshake fails: check "
			                   "--curve-server-key is ingestd's "
			                   "public key and our public key is "
			                   "in its --curve-allow-file "
			                   "(ingestd logs mq.auth_denied)"
			                 : "ingestd down or unreachable, or "
			                   "it requires CURVE and we have no "
			                   "--curve-secret-key-file"));
			p->silent_told_ms = now;
		}
		if (p->epoch)
			live++;
		if (now - p->last_sent_ms >= self->o.heartbeat_ms) {
			struct wire_msg m;

			memset(&m, 0, sizeof(m));
			m.type = WIRE_HEARTBEAT;
			m.credit = (uint32_t)window(self);
			m.in_hand = (uint32_t)self->n_items;
			if (send_to(self, i, &m) == 0)
				p->granted = (long)m.credit;
			p->last_sent_ms = now;
		}
	}
	metrics_set(self->m.credit, (double)batch_credit_outstanding(
	                                &self->pol, self->st != NULL,
	                                self->draining, live, self->n_items));
	metrics_set(self->m.in_hand, (double)self->n_items);
	atomic_store(&self->ready_peer, live > 0);
	metrics_set(self->m.ready, live && self->st && !self->draining &&
	                                   !stalled_ms(self, now)
	                               ? 1
	                               : 0);
}

/* Leaving with articles not committed (the database is down, or the
 * drain deadline passed): give them back untried, so ingestd redelivers
 * them at once and counts no attempt against them. */
static void
release_all(worker_t *self)
{
	if (self->st && self->n_put > 0)
		store_rollback(self->st);
	while (self->head) {
		struct item *it = self->head;

		ack(self, it, WIRE_RELEASED, "worker stopping");
		unlink_item(self, it);
		item_free(it);
	}
	self->n_put = 0;
}

int
worker_run(worker_t *self)
{
	int64_t now = now_ms();

	log_info("worker.started", LF_INT("peers", self->n_peers),
	         LF_INT("inflight", self->o.inflight),
	         LF_INT("batch_size", self->o.batch_size));
	metrics_stats_tick(now);
	for (;;) {
		struct mq_pollitem it[MAX_PEERS];
		long timeout = 250;

		for (size_t i = 0; i < self->n_peers; i++)
			it[i] = (struct mq_pollitem){ self->peers[i].sock, -1,
				                      false };
		/* Articles in hand beyond the last batch: go on at once. */
		if (self->st && self->n_items > self->n_put)
			timeout = 0;
		if (mq_poll(it, self->n_peers, timeout) < 0)
			return 1;
		now = now_ms();
		atomic_store(&self->loop_ms, now);
		for (size_t i = 0; i < self->n_peers; i++)
			if (it[i].readable)
				recv_peer(self, i, now);
		if (sig_stopping() && !self->draining) {
			self->draining = true;
			self->drain = batch_drain_begin(&self->pol, now,
			                                self->stop_seen_ms);
			atomic_store(&self->ready_drain, true);
			log_info("worker.draining",
			         LF_INT("in_hand", self->n_items),
			         LF_INT("drain_ms", self->o.drain_ms));
			grant_all(self, true); /* credit 0 */
		}
		db_connect(self, now);
		/* An idle session hears of a server shutdown only by reading:
		 * without this, /readyz and extractd_db_up stay up through an
		 * outage until the next article. */
		if (self->st && self->n_put == 0 && !store_ping(self->st))
			db_lost(self, "session closed");
		fill_and_commit(self);
		now = now_ms();
		if (self->n_items == 0)
			wait_over(self); /* nothing left to wait for */
		stall_check(self, now);
		heartbeats(self, now);
		log_progress(self, now, false);
		metrics_stats_tick(now);
		if (self->draining) {
			enum batch_leave l =
			    batch_drain_leave(&self->drain, now, self->n_items);

			if (l == BATCH_LEAVE_RELEASING)
				log_warn("worker.drain_timeout",
				         LF_INT("in_hand", self->n_items));
			if (l != BATCH_STAY) {
				release_all(self);
				break;
			}
		}
	}
	log_progress(self, now, true);
	log_info("worker.stopped", LF_INT("in_hand", self->n_items));
	return 0;
}
