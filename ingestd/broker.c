/* broker.c - workers, credit, leases and ACKs over the ROUTER socket. */
#include "broker.h"
#include "err.h"
#include "log.h"
#include "sha256.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A worker's messages are small; anything bigger is not from a worker. */
#define MAX_INBOUND (64 * 1024)
#define RECV_BATCH 512
#define SEND_BATCH 256

struct worker {
	uint32_t no; /* never reused, so a stale lease cannot match */
	unsigned char rid[MQ_PEER_MAX];
	size_t rid_len;
	uint32_t window; /* credit granted (absolute) */
	uint32_t leased;
	uint32_t suspects; /* suspect articles among its leases (0 or 1) */
	int64_t last_seen_ms;
	bool blocked;  /* its queue was full at the last send */
	char name[16]; /* for logs: hex of the routing id's tail */
};

struct broker {
	struct broker_opts o;
	mq_t *mq;
	queue_t *q;
	spool_t *sp;
	struct broker_metrics m;
	struct worker *w;
	size_t n_w, cap_w;
	uint32_t next_no;
	size_t rr; /* round-robin position */
	int64_t last_hb_ms;
};

broker_t *
broker_new(const struct broker_opts *opts, mq_t *router, queue_t *queue,
           spool_t *spool, const struct broker_metrics *m)
{
	broker_t *self = calloc(1, sizeof(*self));

	if (!self)
		abort();
	self->o = *opts;
	self->mq = router;
	self->q = queue;
	self->sp = spool;
	self->m = *m;
	self->next_no = 1;
	return self;
}

void
broker_destroy(broker_t **self_p)
{
	broker_t *self = *self_p;

	if (!self)
		return;
	free(self->w);
	free(self);
	*self_p = NULL;
}

size_t
broker_workers(const broker_t *self)
{
	return self->n_w;
}

static void
gauges(broker_t *self)
{
	metrics_set(self->m.leases, (double)queue_leased(self->q));
	metrics_set(self->m.workers, (double)self->n_w);
}

static struct worker *
find_worker(broker_t *self, const unsigned char *rid, size_t len)
{
	for (size_t i = 0; i < self->n_w; i++)
		if (self->w[i].rid_len == len &&
		    !memcmp(self->w[i].rid, rid, len))
			return &self->w[i];
	return NULL;
}

static struct worker *
find_no(broker_t *self, uint32_t no)
{
	for (size_t i = 0; i < self->n_w; i++)
		if (self->w[i].no == no)
			return &self->w[i];
	return NULL;
}

static struct worker *
add_worker(broker_t *self, const unsigned char *rid, size_t len, int64_t now_ms)
{
	struct worker *w;

	if (self->n_w == self->cap_w) {
		self->cap_w = self->cap_w ? self->cap_w * 2 : 8;
		self->w = realloc(self->w, self->cap_w * sizeof(*self->w));
		if (!self->w)
			abort();
	}
	w = &self->w[self->n_w++];
	memset(w, 0, sizeof(*w));
	w->no = self->next_no++;
	memcpy(w->rid, rid, len);
	w->rid_len = len;
	w->last_seen_ms = now_ms;
	for (size_t i = 0; i < 6 && i < len; i++)
		snprintf(w->name + 2 * i, 3, "%02x", rid[len - 1 - i]);
	log_info("worker.joined", LF_STR("worker", w->name),
	         LF_INT("no", w->no));
	gauges(self);
	return w;
}

/* The entry of id is settled, but its name holds other bytes now: forget
 * the entry and have the new file looked at like any other. */
static void
replaced(broker_t *self, const char *id, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		abort();
	queue_remove(self->q, id);
	if (self->o.retake)
		self->o.retake(self->o.retake_ctx, copy);
	free(copy);
}

/* Persists a counted attempt, or gives up on the article. */
static void
after_attempt(broker_t *self, const char *id, int attempts, const char *reason)
{
	struct queue_item it;
	char why[600];

	if (attempts <= 0 || !queue_find(self->q, id, &it))
		return;
	if (spool_is_notice_name(it.name)) {
		/* A notice's attempts live in memory only: a worker that
		 * cannot record it (an older one ACKs FAILED) gets it at
		 * most --max-attempts times a run; the refusal itself stays
		 * in failed/ with its .error. */
		if (attempts >= self->o.max_attempts) {
			log_warn("notice.given_up", LF_STR("name", it.name),
			         LF_INT("attempts", attempts),
			         LF_STR("reason", reason));
			queue_remove(self->q, id);
		}
		return;
	}
	if (attempts >= self->o.max_attempts) {
		snprintf(why, sizeof(why),
		         "gave up after %d attempts; last: %s", attempts,
		         reason);
		log_warn("article.poison", LF_STR("id", id),
		         LF_STR("name", it.name), LF_INT("attempts", attempts),
		         LF_STR("reason", reason));
		if (spool_fail(self->sp, it.name, id, why,
		               (unsigned)attempts) == ERR_AGAIN) {
			replaced(self, id, it.name);
			return;
		}
		queue_remove(self->q, id);
		metrics_add(self->m.poison, 1);
		metrics_add(self->m.failed, 1);
		return;
	}
	spool_attempts_set(self->sp, it.name, (unsigned)attempts, reason);
	metrics_add(self->m.redelivered, 1);
}

struct lost_ctx {
	broker_t *self;
	const char *reason;
	bool alone; /* the worker held only this one */
};

static void
give_back(void *ctx, const char *id)
{
	struct lost_ctx *c = ctx;
	struct queue_item it;
	bool charge =
	    c->alone || (queue_find(c->self->q, id, &it) && it.suspect);
	int n;

	if (!charge)
		queue_set_suspect(c->self->q, id);
	n = queue_unlease(c->self->q, id, charge, true);
	if (charge)
		after_attempt(c->self, id, n, c->reason);
}

/* The worker is gone. Whether one of its articles caused it is known
 * only when it held one: that one counts an attempt. Held with others,
 * each becomes suspect (no attempt) and is dispatched alone from then on,
 * so the next loss it causes is charged to it and to nothing else. A peer
 * that takes a full window and disconnects poisons nothing. */
static void
drop_worker(broker_t *self, struct worker *w, const char *why)
{
	struct lost_ctx c = { self, why, w->leased <= 1 };
	size_t n, i = (size_t)(w - self->w);
	uint32_t no = w->no;

	log_warn("worker.lost", LF_STR("worker", w->name), LF_INT("no", no),
	         LF_STR("reason", why), LF_INT("leases", w->leased));
	self->w[i] = self->w[--self->n_w];
	n = queue_each_leased(self->q, no, give_back, &c);
	(void)n;
	gauges(self);
}

static int
send_msg(broker_t *self, struct worker *w, const struct wire_msg *m)
{
	void *buf;
	size_t len;
	int rc = wire_pack(m, &buf, &len);

	if (rc != 0)
		return rc;
	rc = mq_send(self->mq, w->rid, w->rid_len, buf, len);
	free(buf);
	return rc;
}

static void
finish(broker_t *self, const struct queue_item *it, enum wire_status st,
       const char *reason)
{
	int rc;

	if (spool_is_notice_name(it->name)) {
		/* Recorded in ingest_errors: the notice is settled. */
		spool_notice_done(self->sp, it->name);
		queue_remove(self->q, it->id);
		return;
	}
	if (st == WIRE_STORED || st == WIRE_DUPLICATE) {
		rc = spool_done(self->sp, it->name, it->id,
		                self->o.done_retention_h);
	} else {
		rc = spool_fail(self->sp, it->name, it->id,
		                reason && *reason ? reason
		                                  : "rejected by worker",
		                it->attempts + 1);
		if (rc != ERR_AGAIN)
			metrics_add(self->m.failed, 1);
	}
	if (rc == ERR_AGAIN)
		replaced(self, it->id, it->name);
	else
		queue_remove(self->q, it->id);
}

static void
on_ack(broker_t *self, struct worker *w, const struct wire_msg *m)
{
	struct queue_item it;

	metrics_add(self->m.acked[m->status], 1);
	if (!queue_find(self->q, m->id, &it)) {
		/* Acked already, or from before a restart and done since. */
		log_debug("ack.unknown", LF_STR("id", m->id),
		          LF_STR("status", wire_status_str(m->status)));
		return;
	}
	if (it.worker == 0 || it.worker != w->no) {
		/* Only the lease holder settles a lease. Without CURVE any
		 * peer can send ACKs, and an id is no secret (the hash of the
		 * body). An honest old holder's ACK (it timed out, or the
		 * lease is from before our restart) loses nothing: the
		 * article is delivered again and stored as DUPLICATE. */
		metrics_add(self->m.acks_ignored, 1);
		log_debug("ack.not_holder", LF_STR("id", m->id),
		          LF_STR("worker", w->name),
		          LF_STR("status", wire_status_str(m->status)));
		return;
	}
	if (w->leased > 0)
		w->leased--;
	if (it.suspect && w->suspects > 0)
		w->suspects--;
	log_debug("ack", LF_STR("id", m->id), LF_STR("worker", w->name),
	          LF_STR("status", wire_status_str(m->status)));
	if (m->status == WIRE_RELEASED) {
		/* Untried (a worker stopping without a database): first in
		 * line again, no attempt. */
		queue_unlease(self->q, m->id, false, true);
	} else if (m->status == WIRE_FAILED) {
		int n;

		log_warn("article.failed", LF_STR("id", m->id),
		         LF_STR("worker", w->name),
		         LF_STR("reason", m->reason));
		n = queue_unlease(self->q, m->id, true, false);
		after_attempt(self, m->id, n,
		              *m->reason ? m->reason : "worker failed");
	} else {
		if (m->status == WIRE_REJECTED)
			log_warn("article.rejected", LF_STR("id", m->id),
			         LF_STR("name", it.name),
			         LF_STR("reason", m->reason));
		finish(self, &it, m->status, m->reason);
	}
	gauges(self);
}

void
broker_recv(broker_t *self, int64_t now_ms)
{
	for (int i = 0; i < RECV_BATCH; i++) {
		struct mq_msg raw;
		struct wire_msg m;
		struct worker *w;
		int rc = mq_recv(self->mq, &raw);

		if (rc == ERR_AGAIN || rc == ERR_ZMQ)
			break;
		if (rc != 0) {
			metrics_add(self->m.malformed, 1);
			log_warn("message.malformed",
			         LF_STR("err", err_str(rc)),
			         LF_STR("why", "frames"));
			continue;
		}
		rc = wire_unpack(raw.data, raw.len, MAX_INBOUND, &m);
		if (rc != 0) {
			metrics_add(self->m.malformed, 1);
			log_warn("message.malformed",
			         LF_STR("err", err_str(rc)),
			         LF_INT("bytes", raw.len));
			mq_msg_clear(&raw);
			continue;
		}
		w = find_worker(self, raw.peer, raw.peer_len);
		if (!w)
			w = add_worker(self, raw.peer, raw.peer_len, now_ms);
		w->last_seen_ms = now_ms;
		w->blocked = false;
		switch (m.type) {
		case WIRE_READY:
		case WIRE_HEARTBEAT: {
			/* Capped: a window is memory here (bodies in the
			 * socket's queue) and in the worker. */
			uint32_t c = m.credit > (uint32_t)self->o.max_credit
			                 ? (uint32_t)self->o.max_credit
			                 : m.credit;

			if (w->window != c)
				log_info("worker.credit",
				         LF_STR("worker", w->name),
				         LF_INT("credit", m.credit),
				         LF_INT("granted", c),
				         LF_INT("leased", w->leased));
			w->window = c;
			break;
		}
		case WIRE_ACK:
			on_ack(self, w, &m);
			break;
		default:
			metrics_add(self->m.malformed, 1);
			log_warn("message.unexpected",
			         LF_STR("worker", w->name),
			         LF_STR("type", wire_type_str(m.type)));
		}
		wire_msg_clear(&m);
		mq_msg_clear(&raw);
	}
}

/* Sends the notice of a refused file (leased as it) to w: the whole
 * file's id and size, its first bytes, the reason. A notice whose marker
 * is gone (settled by hand) or unreadable (logged) is forgotten for this
 * run rather than leased again and again. Returns as dispatch_one(). */
static int
dispatch_notice(broker_t *self, struct worker *w, const struct queue_item *it)
{
	struct spool_notice n;
	struct wire_msg m;
	char id[SHA256_HEX_LEN + 1];
	void *prefix = NULL;
	size_t len = 0;
	bool suspect = it->suspect;
	unsigned attempts = it->attempts;
	int rc;

	snprintf(id, sizeof(id), "%s", it->id);
	rc = spool_notice_read(self->sp, it->name, SPOOL_NOTICE_PREFIX, &n,
	                       &prefix, &len);
	if (rc != 0) {
		queue_remove(self->q, id);
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_WORK;
	m.art.id = id;
	m.art.received_us = n.refused_us;
	m.art.body = prefix;
	m.art.body_len = len;
	m.art.attempt = attempts + 1;
	m.art.size = n.size;
	m.art.refused = *n.reason ? n.reason : "refused at intake";
	rc = send_msg(self, w, &m);
	free(prefix);
	if (rc != 0) {
		queue_unlease(self->q, id, false, true);
		return rc;
	}
	w->leased++;
	if (suspect)
		w->suspects++;
	metrics_add(self->m.dispatched, 1);
	log_debug("notice.dispatched", LF_STR("id", id),
	          LF_STR("worker", w->name), LF_INT("bytes", len));
	return 0;
}

/* Sends one article to w. Returns 0 (sent or settled otherwise), ERR_AGAIN
 * (w cannot take it now), ERR_NOTFOUND (w is gone), ERR_STOPPED (nothing
 * waits). */
static int
dispatch_one(broker_t *self, struct worker *w, int64_t now_ms)
{
	struct queue_item it;
	struct spool_meta meta = { 0 };
	struct wire_msg m;
	char id[SHA256_HEX_LEN + 1], hex[SHA256_HEX_LEN + 1];
	void *body = NULL;
	size_t len;
	int rc;

	if (queue_lease_at(self->q, w->no, now_ms, &it) != 0)
		return ERR_STOPPED;
	snprintf(id, sizeof(id), "%s", it.id);
	if (spool_is_notice_name(it.name))
		return dispatch_notice(self, w, &it);
	rc = spool_read(self->sp, it.name, (size_t)self->o.max_article_bytes,
	                &body, &len, &meta);
	if (rc == ERR_NOTFOUND) {
		/* Gone, or replaced by something that is no article (a FIFO,
		 * a link): what is there now is judged like a new file. */
		log_warn("spool.vanished", LF_STR("name", it.name));
		replaced(self, id, it.name);
		return 0;
	}
	if (rc == ERR_TOOBIG) {
		/* It grew past the limit since intake. */
		struct spool_notice n;
		char name[300];

		log_warn("article.too_big", LF_STR("name", it.name));
		snprintf(name, sizeof(name), "%s", it.name);
		queue_remove(self->q, id);
		if (spool_refuse(self->sp, name,
		                 "article larger than --max-article-bytes",
		                 &n) == 0 &&
		    *n.marker && *n.id &&
		    queue_add(self->q, n.id, n.marker,
		              n.size < SPOOL_NOTICE_PREFIX
		                  ? n.size
		                  : SPOOL_NOTICE_PREFIX,
		              0, NULL) == ERR_INVAL)
			spool_notice_done(self->sp, n.marker);
		metrics_add(self->m.refused, 1);
		metrics_add(self->m.failed, 1);
		return 0;
	}
	if (rc != 0) { /* being rewritten, or an I/O error: later */
		queue_unlease(self->q, id, false, false);
		return 0;
	}
	sha256_hex(body, len, hex);
	if (strcmp(hex, id) != 0) {
		/* Rewritten in place since intake: its id is its content. */
		log_warn("spool.changed", LF_STR("name", it.name),
		         LF_STR("old", id), LF_STR("new", hex));
		if (queue_rekey(self->q, id, hex) != 0) {
			/* Now the bytes of another queued article. */
			if (spool_done(self->sp, it.name, hex,
			               self->o.done_retention_h) == ERR_AGAIN)
				replaced(self, id, it.name);
			else
				queue_remove(self->q, id);
			goto out;
		}
		snprintf(id, sizeof(id), "%s", hex);
	}
	memset(&m, 0, sizeof(m));
	m.type = WIRE_WORK;
	m.art.id = id;
	m.art.uri = meta.uri;
	m.art.feed = meta.feed;
	m.art.received_us = meta.received_us;
	m.art.content_type = meta.content_type;
	m.art.charset = meta.charset;
	m.art.body = body;
	m.art.body_len = len;
	m.art.attempt = it.attempts + 1;
	rc = send_msg(self, w, &m);
	if (rc != 0) {
		queue_unlease(self->q, id, false, true);
		goto out;
	}
	w->leased++;
	if (it.suspect)
		w->suspects++;
	metrics_add(self->m.dispatched, 1);
	log_debug("article.dispatched", LF_STR("id", id),
	          LF_STR("worker", w->name), LF_INT("bytes", len));
out:
	free(body);
	spool_meta_clear(&meta);
	return rc;
}

static void
dispatch(broker_t *self, int64_t now_ms)
{
	struct queue_item head;
	int sent = 0;

	while (sent < SEND_BATCH && queue_waiting(self->q) > 0) {
		bool any = false;

		for (size_t k = 0; k < self->n_w && sent < SEND_BATCH; k++) {
			size_t i = (self->rr + k) % self->n_w;
			struct worker *w = &self->w[i];
			int rc;

			if (w->blocked || w->leased >= w->window ||
			    w->suspects > 0)
				continue;
			/* A suspect goes alone to a worker holding nothing. */
			if (w->leased > 0 && queue_head(self->q, &head) &&
			    head.suspect)
				continue;
			rc = dispatch_one(self, w, now_ms);
			if (rc == ERR_STOPPED)
				return;
			if (rc == ERR_AGAIN) {
				w->blocked = true;
				continue;
			}
			if (rc == ERR_NOTFOUND) {
				drop_worker(self, w, "disconnected");
				break; /* the array changed */
			}
			any = true;
			sent++;
			self->rr = i + 1;
		}
		if (!any)
			break;
	}
}

/* A lease that its holder keeps alive by heartbeats but never settles
 * (an article that makes every batch time out, a holder that hoards) is
 * taken back after max_lease_ms, as the holder's failure. */
static void
expire_leases(broker_t *self, int64_t now_ms)
{
	struct queue_item it;
	char id[SHA256_HEX_LEN + 1];

	while (self->o.max_lease_ms > 0 && queue_oldest_lease(self->q, &it) &&
	       now_ms - it.leased_ms > self->o.max_lease_ms) {
		struct worker *h = find_no(self, it.worker);
		int n;

		snprintf(id, sizeof(id), "%s", it.id);
		if (h && h->leased > 0)
			h->leased--;
		if (h && it.suspect && h->suspects > 0)
			h->suspects--;
		log_warn("lease.expired", LF_STR("id", id),
		         LF_STR("name", it.name),
		         LF_STR("worker", h ? h->name : "-"),
		         LF_INT("age_ms", now_ms - it.leased_ms));
		metrics_add(self->m.lease_expired, 1);
		n = queue_unlease(self->q, id, true, false);
		after_attempt(self, id, n, "lease older than --max-lease-ms");
	}
}

void
broker_tick(broker_t *self, int64_t now_ms, bool draining)
{
	for (size_t i = 0; i < self->n_w;) {
		struct worker *w = &self->w[i];

		if (now_ms - w->last_seen_ms > self->o.worker_timeout_ms) {
			drop_worker(self, w, "no heartbeat");
			continue;
		}
		i++;
	}
	if (now_ms - self->last_hb_ms >= self->o.heartbeat_ms) {
		struct wire_msg m;

		memset(&m, 0, sizeof(m));
		m.type = WIRE_HEARTBEAT;
		m.epoch = self->o.epoch;
		self->last_hb_ms = now_ms;
		for (size_t i = 0; i < self->n_w;) {
			struct worker *w = &self->w[i];
			int rc = send_msg(self, w, &m);

			if (rc == ERR_NOTFOUND) {
				drop_worker(self, w, "disconnected");
				continue;
			}
			w->blocked = false;
			i++;
		}
	}
	expire_leases(self, now_ms);
	if (!draining)
		dispatch(self, now_ms);
	gauges(self);
}
