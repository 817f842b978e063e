/* intake.c - inotify on incoming/ and JSON lines on stdin. */
#include "intake.h"
#include "err.h"
#include "flatjson.h"
#include "log.h"
#include "sha256.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/time.h>
#include <unistd.h>

struct intake {
	struct intake_opts o;
	spool_t *sp;
	queue_t *q;
	struct intake_metrics m;
	int ifd;
	bool stdin_open;
	bool stopped;
	bool rescan;
	atomic_bool disk_ok;
	atomic_bool spool_ok;
	int64_t last_check_ms;
	char *line; /* stdin bytes not yet ending in a newline */
	size_t len, cap, max_line;
	bool skipping; /* inside a line that was too long */
};

static int64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Refuses incoming/NAME by the spool contract: into failed/ with the
 * reason in NAME.error, so it is never taken again nor left unexplained. */
static void
refuse(intake_t *self, const char *name, const char *why)
{
	int rc;

	log_warn("spool.refused", LF_STR("name", name), LF_STR("reason", why));
	rc = spool_fail(self->sp, name, "", why, 0);
	if (rc == 0)
		metrics_add(self->m.failed, 1);
	else if (rc == ERR_IO)
		self->rescan = true; /* try again at the next tick */
}

/* One file in incoming/, from an event (its inotify mask) or a scan (0).
 * The contract (docs/OPERATIONS.md): a feeder writes elsewhere and
 * renames the finished file in (IN_MOVED_TO); a file written in place
 * (IN_CLOSE_WRITE) may be one of several writes and is refused. */
static void
take_file(intake_t *self, const char *name, uint32_t mask)
{
	char id[SHA256_HEX_LEN + 1], why[160];
	const char *dup = NULL, *bad = NULL;
	uint64_t size = 0;
	int rc;

	if (!spool_is_article_name(name) ||
	    queue_find_name(self->q, name, NULL))
		return; /* a new file over a queued name: see spool_done() */
	if (mask & IN_CLOSE_WRITE) {
		refuse(self, name,
		       "written in place (closed in incoming/): write it "
		       "elsewhere on the same file system and rename(2) it "
		       "in");
		return;
	}
	rc = spool_inspect(self->sp, name, (uint64_t)self->o.max_article_bytes,
	                   id, &size, &bad);
	/* Created by open(2): its IN_CLOSE_WRITE follows. By link(2),
	 * symlink(2) or mkfifo(3): nothing else will, judge it now. */
	if ((mask & IN_CREATE) && rc != ERR_INVAL)
		return;
	if (rc == ERR_NOTFOUND || rc == ERR_IO)
		return;
	if (rc == ERR_INVAL) {
		refuse(self, name, bad);
		return;
	}
	if (rc == ERR_TOOBIG) {
		snprintf(why, sizeof(why),
		         "too big: %llu bytes, --max-article-bytes is %ld",
		         (unsigned long long)size, self->o.max_article_bytes);
		log_warn("article.too_big", LF_STR("name", name),
		         LF_INT("bytes", size));
		if (spool_fail(self->sp, name, "", why, 0) == ERR_IO)
			self->rescan = true;
		metrics_add(self->m.too_big, 1);
		metrics_add(self->m.failed, 1);
		return;
	}
	rc = queue_add(self->q, id, name, size,
	               spool_attempts_get(self->sp, name), &dup);
	if (rc == ERR_INVAL) {
		/* Same bytes, another name: one article. The database would
		 * say "duplicate" anyway; this saves the round trip. */
		log_info("spool.duplicate", LF_STR("name", name),
		         LF_STR("same_as", dup), LF_STR("id", id));
		spool_done(self->sp, name, id, self->o.done_retention_h);
		metrics_add(self->m.duplicate, 1);
		return;
	}
	if (rc != 0)
		return;
	metrics_add(self->m.received_spool, 1);
	log_debug("spool.accepted", LF_STR("id", id), LF_STR("name", name),
	          LF_INT("bytes", size));
}

void
intake_take(intake_t *self, const char *name)
{
	take_file(self, name, 0);
}

static void
scan_one(void *ctx, const char *name)
{
	take_file(ctx, name, 0);
}

static void
rescan(intake_t *self)
{
	size_t before = queue_waiting(self->q) + queue_leased(self->q);

	self->rescan = false;
	if (spool_scan(self->sp, scan_one, self) != 0) {
		atomic_store(&self->spool_ok, false);
		self->rescan = true; /* try again at the next tick */
		return;
	}
	atomic_store(&self->spool_ok, true);
	log_info("spool.scanned",
	         LF_INT("added", queue_waiting(self->q) +
	                             queue_leased(self->q) - before),
	         LF_INT("queued", queue_waiting(self->q)));
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
		abort();
	self->o = *opts;
	self->sp = spool;
	self->q = queue;
	self->m = *m;
	atomic_init(&self->disk_ok, true);
	atomic_init(&self->spool_ok, true);
	/* Room for a body at the limit written as JSON escapes or base64. */
	self->max_line = (size_t)opts->max_article_bytes * 3 + 64 * 1024;
	self->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (self->ifd < 0 ||
	    inotify_add_watch(self->ifd, spool_incoming_path(spool),
	                      IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		log_error("spool.inotify", LF_STR("err", strerror(errno)));
		intake_destroy(&self);
		return NULL;
	}
	if (opts->read_stdin) {
		int fl = fcntl(STDIN_FILENO, F_GETFL);

		if (fl >= 0 &&
		    fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
			self->stdin_open = true;
		else
			log_error("stdin.unusable",
			          LF_STR("err", strerror(errno)));
	}
	check_disk(self);
	/* The watch exists before the scan, so nothing written meanwhile
	 * is missed; what both see is deduplicated by name. */
	rescan(self);
	return self;
}

void
intake_destroy(intake_t **self_p)
{
	intake_t *self = *self_p;

	if (!self)
		return;
	if (self->ifd >= 0)
		close(self->ifd);
	free(self->line);
	free(self);
	*self_p = NULL;
}

int
intake_inotify_fd(const intake_t *self)
{
	return self->stopped ? -1 : self->ifd;
}

int
intake_stdin_fd(const intake_t *self)
{
	if (self->stopped || !self->stdin_open || !atomic_load(&self->disk_ok))
		return -1;
	return STDIN_FILENO;
}

void
intake_on_inotify(intake_t *self)
{
	_Alignas(struct inotify_event) char buf[64 * 1024];

	for (;;) {
		ssize_t n = read(self->ifd, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW) {
				log_warn("spool.inotify_overflow");
				metrics_add(self->m.overflows, 1);
				self->rescan = true;
			} else if (ev->len > 0) {
				take_file(self, ev->name, ev->mask);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	if (self->rescan)
		rescan(self);
}

static void
malformed(intake_t *self, const char *why, size_t at)
{
	log_warn("stdin.malformed", LF_STR("reason", why),
	         LF_INT("offset", at));
	metrics_add(self->m.malformed, 1);
}

static char *
dup_or_empty(const flatjson_t *j, const char *key)
{
	const char *v = flatjson_get(j, key, NULL);
	char *s = strdup(v ? v : "");

	if (!s)
		abort();
	return s;
}

static void
take_line(intake_t *self, const char *line, size_t len)
{
	flatjson_t *j = NULL;
	struct spool_meta meta = { 0 };
	const char *text, *b64;
	unsigned char *raw = NULL;
	const void *body;
	size_t at = 0, blen = 0, tlen = 0;
	char id[SHA256_HEX_LEN + 1];

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return; /* blank lines are fine */
	if (flatjson_parse(line, len, &j, &at) != 0) {
		malformed(self, "not a JSON object", at);
		return;
	}
	text = flatjson_get(j, "body", &tlen);
	b64 = flatjson_get(j, "body_b64", NULL);
	if (text && b64) {
		malformed(self, "both body and body_b64", 0);
		goto done;
	}
	if (b64) {
		size_t cap = strlen(b64) / 4 * 3 + 3;

		raw = malloc(cap);
		if (!raw)
			abort();
		if (sodium_base642bin(raw, cap, b64, strlen(b64), " \r\n",
		                      &blen, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0) {
			malformed(self, "body_b64 is not base64", 0);
			goto done;
		}
		body = raw;
	} else if (text) {
		body = text;
		blen = tlen;
	} else {
		malformed(self, "no body or body_b64", 0);
		goto done;
	}
	if (blen == 0) {
		malformed(self, "empty body", 0);
		goto done;
	}
	if (blen > (size_t)self->o.max_article_bytes) {
		log_warn("article.too_big", LF_STR("source", "stdin"),
		         LF_INT("bytes", blen));
		metrics_add(self->m.too_big, 1);
		goto done;
	}
	sha256_hex(body, blen, id);
	if (queue_find(self->q, id, NULL)) {
		log_info("spool.duplicate", LF_STR("id", id),
		         LF_STR("source", "stdin"));
		metrics_add(self->m.duplicate, 1);
		goto done;
	}
	meta.uri = dup_or_empty(j, "uri");
	meta.feed = dup_or_empty(j, "feed");
	meta.content_type = dup_or_empty(j, "content_type");
	meta.charset = dup_or_empty(j, "charset");
	meta.received_us = now_us();
	if (spool_write(self->sp, id, body, blen, &meta) != 0)
		goto done; /* logged; not accepted */
	if (queue_add(self->q, id, id, blen, 0, NULL) == 0) {
		metrics_add(self->m.received_stdin, 1);
		log_debug("spool.accepted", LF_STR("id", id),
		          LF_STR("source", "stdin"), LF_INT("bytes", blen));
	}
done:
	spool_meta_clear(&meta);
	free(raw);
	flatjson_destroy(&j);
}

void
intake_on_stdin(intake_t *self)
{
	char buf[65536];
	int lines = 0;

	/* A bounded amount per call, so the sockets keep being served. */
	while (lines < 256) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: later */
		if (n == 0) {
			if (self->len > 0 && !self->skipping)
				take_line(self, self->line, self->len);
			self->len = 0;
			self->stdin_open = false;
			log_info("stdin.closed");
			return;
		}
		for (ssize_t i = 0; i < n;) {
			char *nl = memchr(buf + i, '\n', (size_t)(n - i));
			size_t chunk =
			    nl ? (size_t)(nl - (buf + i)) : (size_t)(n - i);

			if (!self->skipping) {
				if (self->len + chunk > self->max_line) {
					malformed(self, "line too long",
					          self->len);
					self->skipping = true;
					self->len = 0;
				} else {
					if (self->len + chunk + 1 > self->cap) {
						self->cap =
						    (self->len + chunk + 1) * 2;
						self->line = realloc(self->line,
						                     self->cap);
						if (!self->line)
							abort();
					}
					memcpy(self->line + self->len, buf + i,
					       chunk);
					self->len += chunk;
				}
			}
			i += (ssize_t)chunk;
			if (nl) {
				if (!self->skipping) {
					take_line(self, self->line, self->len);
					lines++;
				}
				self->skipping = false;
				self->len = 0;
				i++;
				/* One huge line must not pin its buffer. */
				if (self->cap > (1u << 20)) {
					free(self->line);
					self->line = NULL;
					self->cap = 0;
				}
			}
		}
	}
}

void
intake_tick(intake_t *self, int64_t now_ms)
{
	if (now_ms - self->last_check_ms < 1000)
		return;
	self->last_check_ms = now_ms;
	check_disk(self);
	if (self->rescan && !self->stopped)
		rescan(self);
}

void
intake_stop(intake_t *self)
{
	self->stopped = true;
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
