/* httpin.c - POST /articles: a request body into the spool. */
#include "httpin.h"
#include "err.h"
#include "log.h"
#include "sha256.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Header values kept in the sidecar are cut here: a URI or a feed name
 * is short, and the sidecar is read back with a 64 KiB limit. */
#define HDR_MAX 4096

struct httpin {
	struct httpin_opts o;
	spool_t *sp;
	struct httpin_metrics m;
	atomic_bool stopped;
};

httpin_t *
httpin_new(const struct httpin_opts *opts, spool_t *spool,
           const struct httpin_metrics *m)
{
	httpin_t *self = calloc(1, sizeof(*self));

	if (!self)
		abort(); /* daemons abort on OOM */
	self->o = *opts;
	self->sp = spool;
	if (m)
		self->m = *m;
	atomic_init(&self->stopped, false);
	return self;
}

void
httpin_destroy(httpin_t **self_p)
{
	free(*self_p);
	*self_p = NULL;
}

int
httpin_register(httpin_t *self, const char *path)
{
	return http_set_post_handler(path, httpin_handle, self,
	                             (size_t)self->o.max_article_bytes);
}

void
httpin_stop(httpin_t *self)
{
	atomic_store(&self->stopped, true);
}

static int64_t
now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* A header value for the sidecar: malloc'd, "" when absent, cut at
 * HDR_MAX bytes. */
static char *
header_dup(const struct http_post *req, const char *name)
{
	const char *v = req->conn_ ? http_post_header(req, name) : NULL;
	size_t n = v ? strnlen(v, HDR_MAX) : 0;
	char *s = malloc(n + 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, v, n);
	s[n] = '\0';
	return s;
}

/* The charset parameter of a Content-Type ("text/html; charset="GBK"" ->
 * "gbk"), lowercased; "" when there is none or it is not a plain token. */
static char *
charset_of(const char *ctype)
{
	const char *p = ctype;
	char *out = calloc(1, 41);

	if (!out)
		abort();
	while ((p = strchr(p, ';')) != NULL) {
		size_t n = 0;
		bool quoted;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		quoted = *p == '"';
		if (quoted)
			p++;
		while (n < 40 && p[n] != '\0' &&
		       (isalnum((unsigned char)p[n]) ||
		        strchr("-_.:+", p[n]) != NULL))
			n++;
		if (n == 0 || n == 40 ||
		    !(p[n] == '\0' || p[n] == ';' || p[n] == ' ' ||
		      p[n] == '\t' || (quoted && p[n] == '"')))
			break; /* not a token: no hint rather than a wrong one
			        */
		for (size_t i = 0; i < n; i++)
			out[i] = (char)tolower((unsigned char)p[i]);
		out[n] = '\0';
		return out;
	}
	out[0] = '\0';
	return out;
}

static void
answer(struct http_reply *rep, unsigned status, const char *error)
{
	rep->status = status;
	rep->content_type = "application/json";
	snprintf(rep->body, sizeof(rep->body), "{\"error\":\"%s\"}\n", error);
}

void
httpin_handle(void *ctx, const struct http_post *req, struct http_reply *rep)
{
	httpin_t *self = ctx;
	struct spool_meta meta = { 0 };
	char id[SHA256_HEX_LEN + 1];
	uint64_t free_b = 0;

	if (!req->body) {
		/* metrics.c refused it (413) before or while reading */
		log_warn("article.too_big", LF_STR("source", "http"),
		         LF_INT("bytes", req->len));
		metrics_add(self->m.too_big, 1);
		answer(rep, 413, "body above --max-article-bytes");
		return;
	}
	if (atomic_load(&self->stopped)) {
		metrics_add(self->m.refused, 1);
		answer(rep, 503, "draining");
		return;
	}
	if (req->len == 0) {
		metrics_add(self->m.refused, 1);
		answer(rep, 400, "empty body");
		return;
	}
	if (req->len > (size_t)self->o.max_article_bytes) {
		metrics_add(self->m.too_big, 1);
		answer(rep, 413, "body above --max-article-bytes");
		return;
	}
	/* The article must fit and leave --min-free-mb, as stdin intake
	 * stops below it. */
	if (spool_free_bytes(self->sp, &free_b) != 0 ||
	    free_b < (uint64_t)self->o.min_free_mb * 1024 * 1024 + req->len) {
		log_warn("http.disk_full", LF_INT("free_bytes", free_b),
		         LF_INT("min_free_mb", self->o.min_free_mb));
		metrics_add(self->m.refused, 1);
		answer(rep, 507, "spool disk nearly full");
		return;
	}
	sha256_hex(req->body, req->len, id);
	meta.uri = header_dup(req, "X-Article-URI");
	meta.feed = header_dup(req, "X-Article-Feed");
	meta.content_type = header_dup(req, "Content-Type");
	meta.charset = charset_of(meta.content_type);
	meta.received_us = now_us();
	/* Same bytes posted again: the same name, so the rename replaces
	 * the file (and its sidecar) and the queue still holds one entry;
	 * once stored, the database answers "duplicate". */
	if (spool_write(self->sp, id, req->body, req->len, &meta) != 0) {
		metrics_add(self->m.failed, 1);
		answer(rep, 500, "spool write failed");
		goto done;
	}
	metrics_add(self->m.accepted, 1);
	log_debug("spool.accepted", LF_STR("id", id), LF_STR("source", "http"),
	          LF_INT("bytes", req->len));
	rep->status = 202;
	rep->content_type = "application/json";
	snprintf(rep->body, sizeof(rep->body), "{\"id\":\"%s\"}\n", id);
done:
	spool_meta_clear(&meta);
}
