/* httpin.c - POST /articles: a request body into the spool. */
#include "httpin.h"
#include "err.h"
#include "log.h"

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
	intake_t *seam;
	struct intake_source src;
	atomic_bool stopped;
};

httpin_t *
httpin_new(intake_t *seam, const struct intake_counters *c)
{
	httpin_t *self = calloc(1, sizeof(*self));

	if (!self)
		abort(); /* daemons abort on OOM */
	self->seam = seam;
	self->src = (struct intake_source){ "http", false, true, { 0 } };
	if (c)
		self->src.c = *c;
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
	                             (size_t)intake_max_bytes(self->seam));
}

void
httpin_stop(httpin_t *self)
{
	atomic_store(&self->stopped, true);
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
	int rc;

	/* body NULL: http.c refused it (413) before or while reading; the
	 * seam logs and counts it like any article above the limit. */
	if (req->body && atomic_load(&self->stopped)) {
		metrics_add(self->src.c.refused, 1);
		answer(rep, 503, "draining");
		return;
	}
	if (req->body && req->len > 0) {
		meta.uri = header_dup(req, "X-Article-URI");
		meta.feed = header_dup(req, "X-Article-Feed");
		meta.content_type = header_dup(req, "Content-Type");
		meta.charset = charset_of(meta.content_type);
	}
	rc = intake_accept(
	    self->seam, &self->src,
	    &(struct intake_article){ req->body, req->len, &meta, NULL }, id);
	switch (rc) {
	case 0:
		rep->status = 202;
		rep->content_type = "application/json";
		snprintf(rep->body, sizeof(rep->body), "{\"id\":\"%s\"}\n", id);
		break;
	case ERR_TOOBIG:
		answer(rep, 413, "body above --max-article-bytes");
		break;
	case ERR_INVAL:
		answer(rep, 400, "empty body");
		break;
	case ERR_AGAIN:
		answer(rep, 507, "spool disk nearly full");
		break;
	default:
		answer(rep, 500, "spool write failed");
		break;
	}
	spool_meta_clear(&meta);
}

static void *
drv_start(intake_t *seam, const struct intake_counters *c)
{
	httpin_t *self = httpin_new(seam, c);

	if (httpin_register(self, "/articles") != 0) {
		log_error("http_intake.failed");
		httpin_destroy(&self);
	}
	return self;
}

static void
drv_stop(void *self)
{
	httpin_stop(self);
}

static void
drv_destroy(void **self_p)
{
	httpin_t *h = *self_p;

	httpin_destroy(&h);
	*self_p = NULL;
}

const struct intake_driver httpin_driver = {
	"http", drv_start, NULL, NULL, NULL, drv_stop, drv_destroy,
};
