/* intake.c - the accept path every intake shares. */
#include "intake.h"
#include "err.h"
#include "log.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

struct intake {
	struct intake_opts o;
	spool_t *sp;
	queue_t *q;
	struct intake_metrics m;
	pthread_t loop; /* the thread that may touch the queue */
	atomic_bool disk_ok;
	atomic_bool spool_ok;
	int64_t last_check_ms;
};

static int64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void
check_disk(intake_t *self)
{
	uint64_t free_b;
	bool ok;

	if (spool_free_bytes(self->sp, &free_b) != 0) {
		atomic_store(&self->spool_ok, false);
		return;
	}
	metrics_set(self->m.free_bytes, (double)free_b);
	ok = free_b >= (uint64_t)self->o.min_free_mb * 1024 * 1024;
	if (ok != atomic_load(&self->disk_ok)) {
		if (ok)
			log_info("spool.disk_ok", LF_INT("free_bytes", free_b));
		else
			log_warn("spool.disk_full",
			         LF_INT("free_bytes", free_b),
			         LF_INT("min_free_mb", self->o.min_free_mb));
	}
	atomic_store(&self->disk_ok, ok);
}

intake_t *
intake_new(const struct intake_opts *opts, spool_t *spool, queue_t *queue,
           const struct intake_metrics *m)
{
	intake_t *self = calloc(1, sizeof(*self));

	if (!self)
		abort(); /* daemons abort on OOM */
	self->o = *opts;
	self->sp = spool;
	self->q = queue;
	if (m)
		self->m = *m;
	self->loop = pthread_self();
	atomic_init(&self->disk_ok, true);
	atomic_init(&self->spool_ok, true);
	check_disk(self);
	return self;
}

void
intake_destroy(intake_t **self_p)
{
	free(*self_p);
	*self_p = NULL;
}

void
intake_queue_notice(intake_t *self, const struct spool_notice *n)
{
	const char *dup = NULL;
	uint64_t size =
	    n->size < SPOOL_NOTICE_PREFIX ? n->size : SPOOL_NOTICE_PREFIX;
	int rc = queue_add(self->q, n->id, n->marker, size, 0, &dup);

	if (rc == ERR_INVAL) {
		log_info("notice.duplicate", LF_STR("name", n->marker),
		         LF_STR("same_as", dup), LF_STR("id", n->id));
		spool_notice_done(self->sp, n->marker);
		return;
	}
	if (rc == 0)
		log_info("notice.queued", LF_STR("name", n->marker),
		         LF_STR("id", n->id), LF_INT("bytes", n->size));
}

static void
queue_notice_cb(void *ctx, const struct spool_notice *n)
{
	intake_queue_notice(ctx, n);
}

void
intake_queue_notices(intake_t *self)
{
	spool_scan_notices(self->sp, queue_notice_cb, self);
}

int
intake_refuse(intake_t *self, const struct intake_source *src, const char *name,
              const char *why)
{
	int rc;

	log_warn("spool.refused", LF_STR("name", name), LF_STR("reason", why));
	rc = spool_fail(self->sp, name, "", why, 0);
	if (rc == 0)
		metrics_add(src->c.to_failed, 1);
	return rc == ERR_IO ? ERR_AGAIN : 0;
}

/* A file already durable in incoming/NAME: it only needs its id, the
 * limit and a place in the queue. */
static int
accept_file(intake_t *self, const struct intake_source *src, const char *name,
            char *id)
{
	char why[160];
	const char *dup = NULL, *bad = NULL;
	uint64_t size = 0;
	int rc;

	rc = spool_inspect(self->sp, name, (uint64_t)self->o.max_article_bytes,
	                   id, &size, &bad);
	if (rc == ERR_NOTFOUND || rc == ERR_IO)
		return rc;
	if (rc == ERR_INVAL)
		return intake_refuse(self, src, name, bad) ? ERR_AGAIN
		                                           : ERR_INVAL;
	if (rc == ERR_TOOBIG) {
		snprintf(why, sizeof(why),
		         "too big: %llu bytes, --max-article-bytes is %ld",
		         (unsigned long long)size, self->o.max_article_bytes);
		log_warn("article.too_big", LF_STR("name", name),
		         LF_INT("bytes", size));
		{
			struct spool_notice n;

			rc = spool_refuse(self->sp, name, why, &n);
			if (rc == 0 && *n.marker && *n.id)
				intake_queue_notice(self, &n);
		}
		metrics_add(src->c.too_big, 1);
		metrics_add(src->c.to_failed, 1);
		return rc == ERR_IO ? ERR_AGAIN : ERR_TOOBIG;
	}
	rc = queue_add(self->q, id, name, size,
	               spool_attempts_get(self->sp, name), &dup);
	if (rc == ERR_INVAL) {
		/* Same bytes, another name: one article. The database would
		 * say "duplicate" anyway; this saves the round trip. */
		log_info("spool.duplicate", LF_STR("name", name),
		         LF_STR("same_as", dup), LF_STR("id", id));
		spool_done(self->sp, name, id, self->o.done_retention_h);
		metrics_add(src->c.duplicate, 1);
		return 0;
	}
	if (rc != 0)
		return rc;
	metrics_add(src->c.accepted, 1);
	log_debug("spool.accepted", LF_STR("id", id), LF_STR("name", name),
	          LF_INT("bytes", size));
	return 0;
}

/* Bytes from a reader: written into the spool under their id. */
static int
accept_bytes(intake_t *self, const struct intake_source *src,
             const struct intake_article *a, char *id)
{
	static const struct spool_meta none = { "", "", "", "", 0 };
	struct spool_meta meta = a->meta ? *a->meta : none;
	uint64_t free_b = 0;

	if (!a->body || a->len > (size_t)self->o.max_article_bytes) {
		log_warn("article.too_big", LF_STR("source", src->name),
		         LF_INT("bytes", a->len));
		metrics_add(src->c.too_big, 1);
		return ERR_TOOBIG;
	}
	if (a->len == 0) {
		metrics_add(src->c.refused, 1);
		return ERR_INVAL;
	}
	/* The article must fit and leave --min-free-mb. */
	if (src->check_free &&
	    (spool_free_bytes(self->sp, &free_b) != 0 ||
	     free_b < (uint64_t)self->o.min_free_mb * 1024 * 1024 + a->len)) {
		char ev[48];

		snprintf(ev, sizeof(ev), "%s.disk_full", src->name);
		log_warn(ev, LF_INT("free_bytes", free_b),
		         LF_INT("min_free_mb", self->o.min_free_mb));
		metrics_add(src->c.refused, 1);
		return ERR_AGAIN;
	}
	sha256_hex(a->body, a->len, id);
	/* Off the loop the queue is out of reach: the same bytes again take
	 * the same name, so the rename replaces the file (and its sidecar)
	 * and the queue still holds one entry; once stored, the database
	 * answers "duplicate". */
	if (src->on_loop && queue_find(self->q, id, NULL)) {
		log_info("spool.duplicate", LF_STR("id", id),
		         LF_STR("source", src->name));
		metrics_add(src->c.duplicate, 1);
		return 0;
	}
	if (!meta.received_us)
		meta.received_us = now_us();
	if (spool_write(self->sp, id, a->body, a->len, &meta) != 0) {
		metrics_add(src->c.write_failed, 1);
		return ERR_IO; /* logged; not accepted */
	}
	if (src->on_loop && queue_add(self->q, id, id, a->len, 0, NULL) != 0)
		return 0; /* the watcher takes it from incoming/ */
	metrics_add(src->c.accepted, 1);
	log_debug("spool.accepted", LF_STR("id", id),
	          LF_STR("source", src->name), LF_INT("bytes", a->len));
	return 0;
}

int
intake_accept(intake_t *self, const struct intake_source *src,
              const struct intake_article *a, char *id)
{
	/* A source that queues must run where the queue lives. */
	assert(!src->on_loop || pthread_equal(pthread_self(), self->loop));
	assert(src->on_loop || !a->name);
	if (a->name)
		return accept_file(self, src, a->name, id);
	return accept_bytes(self, src, a, id);
}

void
intake_tick(intake_t *self, int64_t now_ms)
{
	/* Notices of large refused files whose hash is ready. */
	spool_notices_hashed(self->sp, queue_notice_cb, self);
	if (now_ms - self->last_check_ms < 1000)
		return;
	self->last_check_ms = now_ms;
	check_disk(self);
}

bool
intake_disk_ok(const intake_t *self)
{
	return atomic_load(&self->disk_ok);
}

void
intake_set_spool_ok(intake_t *self, bool ok)
{
	atomic_store(&self->spool_ok, ok);
}

bool
intake_ready(const intake_t *self, const char **why)
{
	if (!atomic_load(&self->spool_ok)) {
		*why = "spool not readable";
		return false;
	}
	if (!atomic_load(&self->disk_ok)) {
		*why = "spool disk nearly full";
		return false;
	}
	return true;
}

long
intake_max_bytes(const intake_t *self)
{
	return self->o.max_article_bytes;
}

long
intake_done_retention(const intake_t *self)
{
	return self->o.done_retention_h;
}

queue_t *
intake_queue(const intake_t *self)
{
	return self->q;
}

spool_t *
intake_spool(const intake_t *self)
{
	return self->sp;
}
