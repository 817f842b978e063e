/* http.c - the daemons' HTTP server (libmicrohttpd, its own thread):
 * GET /metrics, /healthz, /readyz and the POST routes a daemon adds.
 *
 * POST routes: the body is collected in the request's own buffer over
 * MHD's repeated calls (MHD's thread only), then the route's handler
 * answers; what it may share with the daemon's loop is its business. */
#define _GNU_SOURCE
#include "http.h"
#include "log.h"
#include "metrics.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

static struct MHD_Daemon *s_daemon;
/* The POST routes' own listener (http_serve_posts()), or NULL: then the
 * routes are served by s_daemon. Its connections never take one of the
 * probes' and /metrics' slots. */
static struct MHD_Daemon *s_post_daemon;
static http_probe_fn s_healthz, s_readyz;
static void *s_probe_ctx;

#define MAX_ROUTES 4
/* 413: MHD_HTTP_CONTENT_TOO_LARGE, a name older libmicrohttpd lacks. */
#define HTTP_TOO_LARGE 413

static struct route {
	char path[128];
	http_post_fn fn;
	void *ctx;
	size_t max_bytes;
} s_routes[MAX_ROUTES];

/* One POST in progress: its route and the body so far. */
struct post {
	const struct route *r;
	char *buf;
	size_t len, cap;
	size_t seen; /* bytes received, kept beyond max_bytes */
	bool too_big;
};

static enum MHD_Result
reply_allow(struct MHD_Connection *c, unsigned int status, const char *ctype,
            const char *body, bool owned, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	/* owned: body is malloc'd and MHD frees it; else MHD copies it. */
	r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	                                    owned ? MHD_RESPMEM_MUST_FREE
	                                          : MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (owned)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int status, const char *ctype,
      const char *body, bool owned)
{
	return reply_allow(c, status, ctype, body, owned, "GET, HEAD");
}

static enum MHD_Result
probe(struct MHD_Connection *c, http_probe_fn fn)
{
	const char *reason = NULL;
	char body[256];

	if (!fn || fn(s_probe_ctx, &reason))
		return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
		             "ok\n", false);
	snprintf(body, sizeof(body), "%s\n", reason ? reason : "not ok");
	return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
	             "text/plain; charset=utf-8", body, false);
}

int
http_set_post_handler(const char *path, http_post_fn fn, void *ctx,
                      size_t max_bytes)
{
	struct route *free_slot = NULL;

	if (!path || path[0] != '/' || strlen(path) >= sizeof(s_routes[0].path))
		return -1;
	for (int i = 0; i < MAX_ROUTES; i++) {
		struct route *r = &s_routes[i];

		if (r->fn && !strcmp(r->path, path)) {
			free_slot = r;
			break;
		}
		if (!r->fn && !free_slot)
			free_slot = r;
	}
	if (!free_slot)
		return fn ? -1 : 0;
	if (!fn) {
		if (!strcmp(free_slot->path, path))
			memset(free_slot, 0, sizeof(*free_slot));
		return 0;
	}
	snprintf(free_slot->path, sizeof(free_slot->path), "%s", path);
	free_slot->fn = fn;
	free_slot->ctx = ctx;
	free_slot->max_bytes = max_bytes;
	return 0;
}

const char *
http_post_header(const struct http_post *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn_, MHD_HEADER_KIND, name);
}

static const struct route *
find_route(const char *url)
{
	for (int i = 0; i < MAX_ROUTES; i++)
		if (s_routes[i].fn && !strcmp(s_routes[i].path, url))
			return &s_routes[i];
	return NULL;
}

static enum MHD_Result
post_answer(struct MHD_Connection *c, struct post *p, const char *url)
{
	struct http_reply rep;
	struct http_post req;

	memset(&rep, 0, sizeof(rep));
	req.path = url;
	req.body = p->too_big ? NULL : (p->buf ? p->buf : "");
	req.len = p->too_big ? p->seen : p->len;
	req.conn_ = c;
	if (p->too_big) {
		rep.status = HTTP_TOO_LARGE;
		snprintf(rep.body, sizeof(rep.body),
		         "body above the limit of %zu bytes\n",
		         p->r->max_bytes);
	}
	p->r->fn(p->r->ctx, &req, &rep);
	if (p->too_big)
		rep.status = HTTP_TOO_LARGE;
	/* The body is no longer needed while the reply goes out. */
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
	return reply(
	    c, rep.status ? rep.status : MHD_HTTP_INTERNAL_SERVER_ERROR,
	    rep.content_type ? rep.content_type : "text/plain; charset=utf-8",
	    rep.body, false);
}

/* Called by MHD first with the headers (*req_cls NULL), then once per
 * piece of the body, then once more with *upload_size 0. */
static enum MHD_Result
on_post(struct MHD_Connection *c, const struct route *r, const char *url,
        const char *upload, size_t *upload_size, void **req_cls)
{
	struct post *p = *req_cls;

	if (!p) {
		const char *cl = MHD_lookup_connection_value(
		    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;

		p = calloc(1, sizeof(*p));
		if (!p)
			return MHD_NO;
		p->r = r;
		*req_cls = p; /* freed by on_completed */
		if (announced > r->max_bytes) {
			const char *expect = MHD_lookup_connection_value(
			    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

			p->too_big = true;
			/* A client waiting for "100 Continue", or one that
			 * announces something absurd, is answered before the
			 * body is read (MHD then closes the connection). Any
			 * other has started sending: the body is read and
			 * dropped, because closing a socket with unread data
			 * resets it and the client might lose the 413. */
			if (expect || announced / 16 > r->max_bytes) {
				p->seen = (size_t)announced;
				return post_answer(c, p, url);
			}
			return MHD_YES;
		}
		/* Reserve what was announced (capped by the limit). */
		if (announced > 0) {
			p->cap = (size_t)announced + 1;
			p->buf = malloc(p->cap);
			if (!p->buf)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		p->seen += n;
		*upload_size = 0;
		if (p->too_big)
			return MHD_YES;
		if (n > r->max_bytes - p->len) {
			/* Chunked or longer than announced: keep reading
			 * (and dropping) to answer 413 at the end. */
			p->too_big = true;
			free(p->buf);
			p->buf = NULL;
			p->len = p->cap = 0;
			return MHD_YES;
		}
		if (p->len + n + 1 > p->cap) {
			size_t cap = (p->len + n + 1) * 2;
			char *b;

			if (cap > r->max_bytes + 1)
				cap = r->max_bytes + 1;
			b = realloc(p->buf, cap);
			if (!b)
				return MHD_NO;
			p->buf = b;
			p->cap = cap;
		}
		memcpy(p->buf + p->len, upload, n);
		p->len += n;
		return MHD_YES;
	}
	return post_answer(c, p, url);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct post *p = *req_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (p) {
		free(p->buf);
		free(p);
		*req_cls = NULL;
	}
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **req_cls)
{
	const struct route *r;
	char *text;
	/* cls: NULL on the main listener, non-NULL on the POST listener */
	bool posts_here = cls ? true : !s_post_daemon;

	(void)version;
	if (*req_cls) /* a POST under way: its route was found before */
		return on_post(c, ((struct post *)*req_cls)->r, url, upload,
		               upload_size, req_cls);
	r = posts_here ? find_route(url) : NULL;
	if (r) {
		if (!strcmp(method, MHD_HTTP_METHOD_POST))
			return on_post(c, r, url, upload, upload_size, req_cls);
		return reply_allow(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		                   "text/plain; charset=utf-8",
		                   "method not allowed\n", false, "POST");
	}
	if (cls) /* the POST listener serves nothing else */
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
		             "not found\n", false);
	/* HEAD is GET without a body (MHD drops it), as HTTP requires. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
		             "text/plain; charset=utf-8",
		             "method not allowed\n", false);
	if (!strcmp(url, "/metrics")) {
		text = metrics_render();
		if (!text)
			return MHD_NO;
		return reply(c, MHD_HTTP_OK,
		             "text/plain; version=0.0.4; charset=utf-8", text,
		             true);
	}
	if (!strcmp(url, "/healthz"))
		return probe(c, s_healthz);
	if (!strcmp(url, "/readyz"))
		return probe(c, s_readyz);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
	             "not found\n", false);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("metrics.http", LF_STR("msg", msg));
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" or "*:PORT" (all interfaces). The
 * port is the text after the last colon, so an unbracketed IPv6 address
 * still parses when it is followed by a port. */
static int
split_hostport(const char *hp, char *host, size_t host_size, char *port,
               size_t port_size)
{
	const char *colon = hp ? strrchr(hp, ':') : NULL;
	const char *h = hp;
	size_t hn;
	char *end;
	long p;

	if (!colon || !colon[1] || strlen(colon + 1) >= port_size)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	snprintf(port, port_size, "%ld", p);
	hn = (size_t)(colon - hp);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (hn >= host_size)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (!strcmp(host, "*"))
		host[0] = '\0';
	return 0;
}

/* Binds an MHD daemon at hostport (cls for on_request); NULL on error
 * (logged). *port_out: the port bound. */
static struct MHD_Daemon *
start_at(const char *hostport, void *cls, unsigned int conn_limit,
         int *port_out)
{
	char host[256], port[16];
	struct addrinfo hints, *res = NULL, *ai;
	struct MHD_Daemon *d = NULL;
	const union MHD_DaemonInfo *info;
	int rc;

	if (split_hostport(hostport, host, sizeof(host), port, sizeof(port)) !=
	    0) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "want HOST:PORT"));
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", gai_strerror(rc)));
		return NULL;
	}
	/* For the wildcard, getaddrinfo lists 0.0.0.0 first; an IPv6 "::"
	 * in dual-stack mode would take both, but a host without IPv6 must
	 * still work, so take the addresses in order and keep the first
	 * that binds. */
	for (ai = res; ai && !d; ai = ai->ai_next) {
		unsigned int flags =
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;

		if (ai->ai_family == AF_INET6)
			flags |= MHD_USE_IPv6;
		else if (ai->ai_family != AF_INET)
			continue;
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, cls,
		                     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
		                     NULL, MHD_OPTION_NOTIFY_COMPLETED,
		                     on_completed, NULL, MHD_OPTION_SOCK_ADDR,
		                     ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
		                     conn_limit, MHD_OPTION_CONNECTION_TIMEOUT,
		                     (unsigned int)10, MHD_OPTION_END);
	}
	freeaddrinfo(res);
	if (!d) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "cannot bind"));
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	rc = info ? info->port : 0;
	if (port_out)
		*port_out = rc;
	log_info("metrics.serving", LF_STR("addr", hostport),
	         LF_INT("port", rc), LF_STR("serves", cls ? "post" : "all"));
	return d;
}

int
http_serve(const char *hostport, http_probe_fn healthz, http_probe_fn readyz,
           void *ctx, int *port_out)
{
	if (s_daemon) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "already serving"));
		return -1;
	}
	s_healthz = healthz;
	s_readyz = readyz;
	s_probe_ctx = ctx;
	s_daemon = start_at(hostport, NULL, HTTP_CONN_LIMIT, port_out);
	return s_daemon ? 0 : -1;
}

int
http_serve_posts(const char *hostport, unsigned int conn_limit, int *port_out)
{
	static char posts_only; /* its address marks the POST listener */

	if (s_post_daemon || s_daemon) {
		log_error("metrics.serve", LF_STR("addr", hostport),
		          LF_STR("err", "call before http_serve(), once"));
		return -1;
	}
	s_post_daemon =
	    start_at(hostport, &posts_only,
	             conn_limit ? conn_limit : HTTP_CONN_LIMIT, port_out);
	return s_post_daemon ? 0 : -1;
}

void
http_stop(void)
{
	if (s_post_daemon) {
		MHD_stop_daemon(s_post_daemon);
		s_post_daemon = NULL;
	}
	if (!s_daemon)
		return;
	MHD_stop_daemon(s_daemon);
	s_daemon = NULL;
}
