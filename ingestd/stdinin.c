/* stdinin.c - JSON lines on stdin into intake_accept(). */
#include "stdinin.h"
#include "flatjson.h"
#include "log.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct stdinin {
	intake_t *seam;
	struct intake_source src;
	bool open;
	bool stopped;
	char *line; /* stdin bytes not yet ending in a newline */
	size_t len, cap, max_line;
	bool skipping; /* inside a line that was too long */
};

stdinin_t *
stdinin_new(intake_t *seam, const struct intake_counters *c)
{
	stdinin_t *self = calloc(1, sizeof(*self));
	int fl = fcntl(STDIN_FILENO, F_GETFL);

	if (!self)
		abort();
	self->seam = seam;
	self->src = (struct intake_source){ "stdin", true, false, { 0 } };
	if (c)
		self->src.c = *c;
	/* Unusable: logged, and the other intakes go on without it. */
	if (fl >= 0 && fcntl(STDIN_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
		self->open = true;
	else
		log_error("stdin.unusable", LF_STR("err", strerror(errno)));
	/* Room for a body at the limit written as JSON escapes or base64. */
	self->max_line = (size_t)intake_max_bytes(seam) * 3 + 64 * 1024;
	return self;
}

void
stdinin_destroy(stdinin_t **self_p)
{
	stdinin_t *self = *self_p;

	if (!self)
		return;
	free(self->line);
	free(self);
	*self_p = NULL;
}

int
stdinin_fd(const stdinin_t *self)
{
	if (self->stopped || !self->open || !intake_disk_ok(self->seam))
		return -1;
	return STDIN_FILENO;
}

void
stdinin_stop(stdinin_t *self)
{
	self->stopped = true;
}

static void
malformed(stdinin_t *self, const char *why, size_t at)
{
	log_warn("stdin.malformed", LF_STR("reason", why),
	         LF_INT("offset", at));
	metrics_add(self->src.c.refused, 1);
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
take_line(stdinin_t *self, const char *line, size_t len)
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
	meta.uri = dup_or_empty(j, "uri");
	meta.feed = dup_or_empty(j, "feed");
	meta.content_type = dup_or_empty(j, "content_type");
	meta.charset = dup_or_empty(j, "charset");
	/* Refusals are logged and counted there; a line is not asked for
	 * again, so there is nothing more to do with one. */
	intake_accept(self->seam, &self->src,
	              &(struct intake_article){ body, blen, &meta, NULL }, id);
done:
	spool_meta_clear(&meta);
	free(raw);
	flatjson_destroy(&j);
}

void
stdinin_on_readable(stdinin_t *self)
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
			self->open = false;
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

static void *
drv_start(intake_t *seam, const struct intake_counters *c)
{
	return stdinin_new(seam, c);
}

static int
drv_fd(void *self)
{
	return stdinin_fd(self);
}

static void
drv_on_readable(void *self)
{
	stdinin_on_readable(self);
}

static void
drv_stop(void *self)
{
	stdinin_stop(self);
}

static void
drv_destroy(void **self_p)
{
	stdinin_t *s = *self_p;

	stdinin_destroy(&s);
	*self_p = NULL;
}

const struct intake_driver stdinin_driver = {
	"stdin", drv_start, drv_fd,      drv_on_readable,
	NULL,    drv_stop,  drv_destroy,
};
