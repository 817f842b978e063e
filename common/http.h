/* http.h - the daemons' HTTP server (libmicrohttpd, its own thread; the
 * only <microhttpd.h> user): GET /metrics (metrics_render()), /healthz and
 * /readyz (the daemon's probes), and up to 4 POST routes (ingestd's
 * POST /articles).
 *
 * Does: read a POST body into memory up to the route's limit and call its
 * handler on the HTTP thread; answer 404/405 for the rest.
 * Does not: know what a route does with a body, or touch anything of the
 * daemon's loop; probes and handlers must only use what is safe from
 * another thread (atomics, the spool's fds). */
#ifndef COMMON_HTTP_H
#define COMMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* Health: return true when healthy/ready; reason (static string) says why
 * not. */
typedef bool (*http_probe_fn)(void *ctx, const char **reason);

/* Starts the HTTP server at "HOST:PORT" (PORT 0: any free port; the port
 * bound is returned in *port_out if not NULL). 0 or -1 (logged). */
int http_serve(const char *hostport, http_probe_fn healthz,
               http_probe_fn readyz, void *ctx, int *port_out);
/* Serves the POST routes on a listener of their own at "HOST:PORT", with
 * at most conn_limit connections (0: HTTP_CONN_LIMIT), so that whatever
 * their clients do (idle connections up to the limit) the probes and
 * /metrics on http_serve()'s listener still answer; that listener then
 * answers 404 on the routes, and this one 404 on everything else. Call
 * before http_serve(). 0 or -1 (logged). */
int http_serve_posts(const char *hostport, unsigned int conn_limit,
                     int *port_out);
/* Stops both listeners. */
void http_stop(void);
/* Connections a listener takes at once (then refuses more); each is
 * closed after 10 s without traffic. */
#define HTTP_CONN_LIMIT 64
/* One POST request, complete, as a route's handler sees it. body is NULL
 * when the body was above the route's max_bytes (len then says how many
 * bytes were announced or received); it is not NUL-terminated. */
struct http_post {
	const char *path;
	const void *body;
	size_t len;
	void *conn_; /* for http_post_header() */
};

/* What the handler answers: status (500 when left 0), a body (text, ""
 * for none) and its content type (a static string; NULL: text/plain). */
struct http_reply {
	unsigned status;
	const char *content_type;
	char body[256];
};

/* Called on the HTTP thread, once per request, after the whole body has
 * arrived: it must only touch what is safe from another thread. For a
 * body above the limit it is called with body NULL and reply->status
 * already 413 (to count or log it); it should leave the status. */
typedef void (*http_post_fn)(void *ctx, const struct http_post *req,
                             struct http_reply *reply);

/* Serves POST path (exact match) with fn: the body is read into memory up
 * to max_bytes, then fn answers. Above it: 413, without keeping the body
 * (read and dropped, or refused before it is read when the client sent
 * "Expect: 100-continue" or announced more than 16 times the limit). Other
 * methods on path get 405. fn NULL removes the route. Call before
 * http_serve() (not thread-safe); at most 4 routes. 0, or -1 (table full,
 * path not starting with '/'). */
int http_set_post_handler(const char *path, http_post_fn fn, void *ctx,
                          size_t max_bytes);
/* A request header (case-insensitive name), or NULL. Valid during fn. */
const char *http_post_header(const struct http_post *req, const char *name);

#endif
