/* mq.c - libzmq behind mq.h, and the ZAP handler for CURVE clients. */
#include "mq.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"

#include <zmq.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* ZMTP heartbeats, answered by libzmq's I/O thread: they tell a dead or
 * unreachable peer (the connection is dropped, and a ROUTER send to it
 * fails with EHOSTUNREACH) from one whose application thread is busy, for
 * example blocked in a slow PostgreSQL call. */
#define ZMTP_HEARTBEAT_IVL_MS 1000
#define ZMTP_HEARTBEAT_TIMEOUT_MS 5000
#define ZMTP_HEARTBEAT_TTL_MS 10000
#define ZAP_DOMAIN "ingest"

struct mq_ctx {
	void *zctx;
};

struct zap {
	void *rep; /* owned by the thread once it runs */
	pthread_t thread;
	atomic_bool stop;
	unsigned char (*keys)[32];
	size_t n_keys;
	struct metric *denied;
};

struct mq {
	void *sock;
	int type;
	char endpoint[512];
	char bound[512];
	struct zap *zap; /* ROUTER with an allow-list */
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

mq_ctx_t *
mq_ctx_new(void)
{
	mq_ctx_t *self = xcalloc(1, sizeof(*self));
	sigset_t saved;

	/* libzmq's I/O threads must not take our SIGTERM. */
	sig_block_all(&saved);
	self->zctx = zmq_ctx_new();
	if (self->zctx)
		zmq_ctx_set(self->zctx, ZMQ_IO_THREADS, 1);
	sig_restore(&saved);
	if (!self->zctx) {
		log_error("mq.ctx_failed", LF_STR("err", zmq_strerror(errno)));
		free(self);
		return NULL;
	}
	return self;
}

void
mq_ctx_destroy(mq_ctx_t **self_p)
{
	mq_ctx_t *self = *self_p;

	if (!self)
		return;
	zmq_ctx_term(self->zctx);
	free(self);
	*self_p = NULL;
}

/* The first line of a file that is not blank or a comment, trimmed, into
 * buf. 0, or -1 (logged). */
static int
read_key_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];

	if (!f) {
		log_error("mq.key_file", LF_STR("path", path),
		          LF_STR("err", strerror(errno)));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		snprintf(buf, len, "%s", s);
		fclose(f);
		return 0;
	}
	fclose(f);
	log_error("mq.key_file", LF_STR("path", path),
	          LF_STR("err", "no key in file"));
	return -1;
}

static bool
z85_key(const char *s, unsigned char bin[32])
{
	return strlen(s) == MQ_KEY_Z85_LEN && zmq_z85_decode(bin, s) != NULL;
}

static bool
given(const char *s)
{
	return s && *s;
}

/* Loads the allow-list: one Z85 key per line; blank lines and '#'
 * comments are skipped, text after the key (a name) is allowed after
 * whitespace. A malformed line is an error: a typo must not lock a
 * worker out silently. */
static int
load_allow(struct zap *z, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t lineno = 0, cap = 0;

	if (!f) {
		log_error("mq.allow_file", LF_STR("path", path),
		          LF_STR("err", strerror(errno)));
		return ERR_INVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, key[MQ_KEY_Z85_LEN + 1];
		size_t n;

		lineno++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		n = strcspn(s, " \t\r\n");
		if (n != MQ_KEY_Z85_LEN) {
			log_error("mq.allow_file", LF_STR("path", path),
			          LF_INT("line", lineno),
			          LF_STR("err", "not a 40-character Z85 key"));
			fclose(f);
			return ERR_INVAL;
		}
		memcpy(key, s, n);
		key[n] = '\0';
		if (z->n_keys == cap) {
			cap = cap ? cap * 2 : 16;
			z->keys = realloc(z->keys, cap * sizeof(*z->keys));
			if (!z->keys)
				abort();
		}
		if (!z85_key(key, z->keys[z->n_keys])) {
			log_error("mq.allow_file", LF_STR("path", path),
			          LF_INT("line", lineno),
			          LF_STR("err", "not a Z85 key"));
			fclose(f);
			return ERR_INVAL;
		}
		z->n_keys++;
	}
	fclose(f);
	log_info("mq.allow_list", LF_STR("path", path),
	         LF_INT("keys", z->n_keys));
	return 0;
}

static int
zap_frame(void *sock, zmq_msg_t *m)
{
	zmq_msg_init(m);
	return zmq_msg_recv(m, sock, 0);
}

static void
zap_send(void *sock, const void *p, size_t n, bool more)
{
	zmq_send(sock, p, n, more ? ZMQ_SNDMORE : 0);
}

/* ZAP (RFC 27): frames version, request id, domain, address, routing id,
 * mechanism, credentials...; reply version, request id, status code, status
 * text, user id, metadata. */
static void
zap_handle(struct zap *z)
{
	zmq_msg_t f[7];
	int nf = 0, more = 1;
	bool ok = false;
	char addr[64] = "", status_text[32] = "no key";

	while (more && nf < 7) {
		if (zap_frame(z->rep, &f[nf]) < 0)
			return;
		more = zmq_msg_more(&f[nf]);
		nf++;
	}
	while (more) { /* more credential frames than CURVE has */
		zmq_msg_t extra;

		if (zap_frame(z->rep, &extra) < 0)
			break;
		more = zmq_msg_more(&extra);
		zmq_msg_close(&extra);
	}
	if (nf >= 7 && zmq_msg_size(&f[5]) == 5 &&
	    !memcmp(zmq_msg_data(&f[5]), "CURVE", 5) &&
	    zmq_msg_size(&f[6]) == 32) {
		for (size_t i = 0; i < z->n_keys && !ok; i++)
			ok = !memcmp(z->keys[i], zmq_msg_data(&f[6]), 32);
		snprintf(status_text, sizeof(status_text), "%s",
		         ok ? "OK" : "key not allowed");
	}
	if (nf >= 4)
		snprintf(
		    addr, sizeof(addr), "%.*s",
		    (int)(zmq_msg_size(&f[3]) < 63 ? zmq_msg_size(&f[3]) : 63),
		    (const char *)zmq_msg_data(&f[3]));
	zap_send(z->rep, "1.0", 3, true);
	if (nf >= 2)
		zap_send(z->rep, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]),
		         true);
	else
		zap_send(z->rep, "", 0, true);
	zap_send(z->rep, ok ? "200" : "400", 3, true);
	zap_send(z->rep, status_text, strlen(status_text), true);
	zap_send(z->rep, "", 0, true);
	zap_send(z->rep, "", 0, false);
	if (!ok) {
		char z85[MQ_KEY_Z85_LEN + 1] = "";

		if (nf >= 7 && zmq_msg_size(&f[6]) == 32)
			zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
		log_warn("mq.auth_denied", LF_STR("address", addr),
		         LF_STR("key", z85), LF_STR("reason", status_text));
		metrics_add(z->denied, 1);
	} else {
		log_debug("mq.auth_ok", LF_STR("address", addr));
	}
	for (int i = 0; i < nf; i++)
		zmq_msg_close(&f[i]);
}

static void *
zap_main(void *arg)
{
	struct zap *z = arg;

	while (!atomic_load(&z->stop)) {
		zmq_pollitem_t it = { z->rep, 0, ZMQ_POLLIN, 0 };
		int rc = zmq_poll(&it, 1, 250);

		if (rc < 0 && errno == ETERM)
			break;
		if (rc > 0)
			zap_handle(z);
	}
	zmq_close(z->rep);
	z->rep = NULL;
	return NULL;
}

static void
zap_destroy(struct zap **zp)
{
	struct zap *z = *zp;

	if (!z)
		return;
	atomic_store(&z->stop, true);
	pthread_join(z->thread, NULL);
	free(z->keys);
	free(z);
	*zp = NULL;
}

static struct zap *
zap_start(mq_ctx_t *ctx, const char *allow_file, struct metric *denied)
{
	struct zap *z = xcalloc(1, sizeof(*z));
	sigset_t saved;
	int linger = 0;

	atomic_init(&z->stop, false);
	z->denied = denied;
	if (load_allow(z, allow_file) != 0)
		goto fail;
	z->rep = zmq_socket(ctx->zctx, ZMQ_REP);
	if (!z->rep)
		goto fail_zmq;
	zmq_setsockopt(z->rep, ZMQ_LINGER, &linger, sizeof(linger));
	/* Bound here, before the ROUTER exists, so no handshake can slip
	 * through without a handler. */
	if (zmq_bind(z->rep, ZAP_ENDPOINT) != 0)
		goto fail_zmq;
	sig_block_all(&saved);
	if (pthread_create(&z->thread, NULL, zap_main, z) != 0) {
		sig_restore(&saved);
		goto fail_zmq;
	}
	sig_restore(&saved);
	return z;
fail_zmq:
	log_error("mq.zap_failed", LF_STR("err", zmq_strerror(errno)));
fail:
	if (z->rep)
		zmq_close(z->rep);
	free(z->keys);
	free(z);
	return NULL;
}

static int
set_curve_server(mq_t *self, const struct mq_curve *c)
{
	char sec[128];
	unsigned char bin[32];
	int one = 1;

	if (read_key_line(c->secret_key_file, sec, sizeof(sec)) != 0)
		return -1;
	if (!z85_key(sec, bin)) {
		log_error("mq.key_file", LF_STR("path", c->secret_key_file),
		          LF_STR("err", "not a 40-character Z85 key"));
		return -1;
	}
	if (zmq_setsockopt(self->sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
	    zmq_setsockopt(self->sock, ZMQ_CURVE_SECRETKEY, bin, 32) ||
	    zmq_setsockopt(self->sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
	                   strlen(ZAP_DOMAIN))) {
		log_error("mq.curve_failed",
		          LF_STR("err", zmq_strerror(errno)));
		return -1;
	}
	return 0;
}

static int
set_curve_client(mq_t *self, const struct mq_curve *c)
{
	char sec[128], pub[128], srv[128];
	unsigned char sec_b[32], pub_b[32], srv_b[32];

	if (read_key_line(c->secret_key_file, sec, sizeof(sec)) != 0)
		return -1;
	if (!z85_key(sec, sec_b)) {
		log_error("mq.key_file", LF_STR("path", c->secret_key_file),
		          LF_STR("err", "not a 40-character Z85 key"));
		return -1;
	}
	if (given(c->public_key_file)) {
		if (read_key_line(c->public_key_file, pub, sizeof(pub)) != 0)
			return -1;
	} else if (zmq_curve_public(pub, sec) != 0) {
		log_error("mq.curve_failed",
		          LF_STR("err", zmq_strerror(errno)));
		return -1;
	}
	if (!z85_key(pub, pub_b)) {
		log_error("mq.key_file", LF_STR("path", c->public_key_file),
		          LF_STR("err", "not a 40-character Z85 key"));
		return -1;
	}
	if (!given(c->server_key)) {
		log_error("mq.curve_failed",
		          LF_STR("err", "CURVE client needs the server's key "
		                        "(--curve-server-key)"));
		return -1;
	}
	if (strlen(c->server_key) == MQ_KEY_Z85_LEN &&
	    z85_key(c->server_key, srv_b)) {
		; /* given inline */
	} else if (read_key_line(c->server_key, srv, sizeof(srv)) != 0 ||
	           !z85_key(srv, srv_b)) {
		log_error("mq.key_file", LF_STR("path", c->server_key),
		          LF_STR("err", "server key is not a Z85 key"));
		return -1;
	}
	if (zmq_setsockopt(self->sock, ZMQ_CURVE_SERVERKEY, srv_b, 32) ||
	    zmq_setsockopt(self->sock, ZMQ_CURVE_PUBLICKEY, pub_b, 32) ||
	    zmq_setsockopt(self->sock, ZMQ_CURVE_SECRETKEY, sec_b, 32)) {
		log_error("mq.curve_failed",
		          LF_STR("err", zmq_strerror(errno)));
		return -1;
	}
	return 0;
}

static mq_t *
sock_new(mq_ctx_t *ctx, int type, const char *endpoint, long max_msg,
         int linger)
{
	mq_t *self = xcalloc(1, sizeof(*self));
	int64_t maxmsg = max_msg > 0 ? max_msg : -1;
	int hb_ivl = ZMTP_HEARTBEAT_IVL_MS,
	    hb_timeout = ZMTP_HEARTBEAT_TIMEOUT_MS;
	int hb_ttl = ZMTP_HEARTBEAT_TTL_MS;
	sigset_t saved;

	snprintf(self->endpoint, sizeof(self->endpoint), "%s", endpoint);
	self->type = type;
	sig_block_all(&saved);
	self->sock = zmq_socket(ctx->zctx, type);
	sig_restore(&saved);
	if (!self->sock) {
		log_error("mq.socket_failed",
		          LF_STR("err", zmq_strerror(errno)));
		free(self);
		return NULL;
	}
	zmq_setsockopt(self->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(self->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof(hb_ivl));
	zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout,
	               sizeof(hb_timeout));
	zmq_setsockopt(self->sock, ZMQ_HEARTBEAT_TTL, &hb_ttl, sizeof(hb_ttl));
	return self;
}

mq_t *
mq_router_new(mq_ctx_t *ctx, const char *endpoint, long max_msg,
              const struct mq_curve *curve)
{
	mq_t *self;
	int one = 1;
	size_t len;

	if (curve && given(curve->secret_key_file) &&
	    !given(curve->allow_file)) {
		log_error("mq.curve_failed",
		          LF_STR("err", "a CURVE server needs an allow-list "
		                        "(--curve-allow-file)"));
		return NULL;
	}
	self = sock_new(ctx, ZMQ_ROUTER, endpoint, max_msg, 0);
	if (!self)
		return NULL;
	zmq_setsockopt(self->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
	if (curve && given(curve->secret_key_file)) {
		self->zap = zap_start(ctx, curve->allow_file, curve->denied);
		if (!self->zap || set_curve_server(self, curve) != 0)
			goto fail;
	}
	if (zmq_bind(self->sock, endpoint) != 0) {
		log_error("mq.bind_failed", LF_STR("endpoint", endpoint),
		          LF_STR("err", zmq_strerror(errno)));
		goto fail;
	}
	len = sizeof(self->bound);
	if (zmq_getsockopt(self->sock, ZMQ_LAST_ENDPOINT, self->bound, &len))
		self->bound[0] = '\0';
	log_info("mq.bound", LF_STR("endpoint", self->bound),
	         LF_STR("curve", self->zap ? "on" : "off"));
	return self;
fail:
	mq_destroy(&self);
	return NULL;
}

mq_t *
mq_dealer_new(mq_ctx_t *ctx, const char *endpoint, long max_msg, long linger_ms,
              const struct mq_curve *curve)
{
	mq_t *self =
	    sock_new(ctx, ZMQ_DEALER, endpoint, max_msg, (int)linger_ms);
	int ivl = 100, ivl_max = 2000;

	if (!self)
		return NULL;
	zmq_setsockopt(self->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
	zmq_setsockopt(self->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max,
	               sizeof(ivl_max));
	if (curve && given(curve->secret_key_file) &&
	    set_curve_client(self, curve) != 0)
		goto fail;
	if (zmq_connect(self->sock, endpoint) != 0) {
		log_error("mq.connect_failed", LF_STR("endpoint", endpoint),
		          LF_STR("err", zmq_strerror(errno)));
		goto fail;
	}
	snprintf(self->bound, sizeof(self->bound), "%s", endpoint);
	return self;
fail:
	mq_destroy(&self);
	return NULL;
}

void
mq_destroy(mq_t **self_p)
{
	mq_t *self = *self_p;

	if (!self)
		return;
	if (self->sock)
		zmq_close(self->sock);
	zap_destroy(&self->zap);
	free(self);
	*self_p = NULL;
}

const char *
mq_endpoint(const mq_t *self)
{
	return self->endpoint;
}

const char *
mq_bound_endpoint(const mq_t *self)
{
	return self->bound;
}

int
mq_send(mq_t *self, const void *peer, size_t peer_len, const void *data,
        size_t len)
{
	if (self->type == ZMQ_ROUTER) {
		if (zmq_send(self->sock, peer, peer_len,
		             ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
			goto err;
	}
	if (zmq_send(self->sock, data, len, ZMQ_DONTWAIT) < 0)
		goto err;
	return 0;
err:
	if (errno == EAGAIN)
		return ERR_AGAIN;
	if (errno == EHOSTUNREACH)
		return ERR_NOTFOUND;
	log_warn("mq.send_failed", LF_STR("endpoint", self->endpoint),
	         LF_STR("err", zmq_strerror(errno)));
	return ERR_ZMQ;
}

/* Drops the rest of a multi-frame message. */
static void
drain(void *sock)
{
	int more = 1;
	size_t len = sizeof(more);

	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		zmq_msg_close(&m);
		len = sizeof(more);
	}
}

int
mq_recv(mq_t *self, struct mq_msg *out)
{
	zmq_msg_t m;
	size_t n;

	memset(out, 0, sizeof(*out));
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, self->sock, ZMQ_DONTWAIT) < 0) {
		int e = errno;

		zmq_msg_close(&m);
		if (e == EAGAIN || e == EINTR)
			return ERR_AGAIN;
		log_warn("mq.recv_failed", LF_STR("err", zmq_strerror(e)));
		return ERR_ZMQ;
	}
	if (self->type == ZMQ_ROUTER) {
		n = zmq_msg_size(&m);
		if (n > sizeof(out->peer))
			n = sizeof(out->peer);
		memcpy(out->peer, zmq_msg_data(&m), n);
		out->peer_len = n;
		if (!zmq_msg_more(&m)) {
			zmq_msg_close(&m);
			return ERR_PROTO;
		}
		zmq_msg_close(&m);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, self->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return ERR_PROTO;
		}
	}
	if (zmq_msg_more(&m)) {
		zmq_msg_close(&m);
		drain(self->sock);
		return ERR_PROTO;
	}
	n = zmq_msg_size(&m);
	out->data = malloc(n ? n : 1);
	if (!out->data)
		abort();
	memcpy(out->data, zmq_msg_data(&m), n);
	out->len = n;
	zmq_msg_close(&m);
	return 0;
}

void
mq_msg_clear(struct mq_msg *m)
{
	free(m->data);
	m->data = NULL;
	m->len = 0;
	m->peer_len = 0;
}

int
mq_poll(struct mq_pollitem *items, size_t n, long timeout_ms)
{
	zmq_pollitem_t it[MQ_POLL_MAX];
	int rc;

	if (n > MQ_POLL_MAX)
		return ERR_INVAL;
	for (size_t i = 0; i < n; i++) {
		it[i].socket = items[i].sock ? items[i].sock->sock : NULL;
		it[i].fd = items[i].sock ? 0 : items[i].fd;
		it[i].events = ZMQ_POLLIN;
		it[i].revents = 0;
		items[i].readable = false;
	}
	rc = zmq_poll(it, (int)n, timeout_ms);
	if (rc < 0) {
		if (errno == EINTR)
			return 0;
		log_error("mq.poll_failed", LF_STR("err", zmq_strerror(errno)));
		return ERR_ZMQ;
	}
	for (size_t i = 0; i < n; i++)
		items[i].readable = (it[i].revents & ZMQ_POLLIN) != 0;
	return rc;
}

int
mq_keygen(char *pub, char *sec)
{
	if (zmq_curve_keypair(pub, sec) != 0)
		return ERR_ZMQ;
	return 0;
}
