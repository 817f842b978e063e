/* mq.h - ZeroMQ for the daemons (the only user of <zmq.h>): a ROUTER for
 * ingestd, one DEALER per endpoint for extractd, CURVE encryption with a
 * ZAP allow-list, polling sockets together with file descriptors.
 *
 * Does: one frame of payload per message (plus the routing id on the
 * ROUTER), non-blocking sends, ROUTER_MANDATORY (a send to a gone peer is
 * an error, not a silent drop), ZMTP heartbeats (a peer silent for 5 s at
 * the connection level is disconnected, whatever its application does), an
 * inbound size limit per socket (a peer sending more is disconnected by libzmq
 * before we allocate), the ZAP handler thread that admits CURVE clients whose
 * public key is listed. Does not: know the messages (wire.h), retry, or share a
 * socket between threads. */
#ifndef COMMON_MQ_H
#define COMMON_MQ_H

#include <stdbool.h>
#include <stddef.h>

struct metric;

typedef struct mq_ctx mq_ctx_t;
typedef struct mq mq_t;

#define MQ_KEY_Z85_LEN 40
#define MQ_PEER_MAX 255

/* CURVE settings; every member "" or NULL means "not given". CURVE is on
 * when secret_key_file is given. Files hold a Z85 key on their first line
 * that is neither empty nor a '#' comment (what --keygen prints). */
struct mq_curve {
	const char *secret_key_file; /* this side's secret key */
	const char *public_key_file; /* client: its public key; optional,
	                                derived from the secret key */
	const char *server_key;      /* client: the server's public key,
	                                Z85 text or a file holding it */
	const char *allow_file;      /* server: one client key per line */
	struct metric *denied;       /* server: counter of refused clients */
};

mq_ctx_t *mq_ctx_new(void); /* NULL on failure (logged) */
/* Closes the context; every socket must be destroyed before. */
void mq_ctx_destroy(mq_ctx_t **self_p);

/* Binds a ROUTER to endpoint. max_msg: largest inbound frame accepted.
 * With CURVE on, the allow-list is required (ERR_INVAL otherwise: a CURVE
 * server without one would admit anyone who knows its public key). NULL
 * on failure (logged). */
mq_t *mq_router_new(mq_ctx_t *ctx, const char *endpoint, long max_msg,
                    const struct mq_curve *curve);
/* Connects a DEALER to endpoint (libzmq reconnects by itself). linger_ms:
 * how long mq_destroy() waits to deliver what is queued. */
mq_t *mq_dealer_new(mq_ctx_t *ctx, const char *endpoint, long max_msg,
                    long linger_ms, const struct mq_curve *curve);
void mq_destroy(mq_t **self_p);
const char *mq_endpoint(const mq_t *self); /* as configured; borrowed */
/* The endpoint actually bound ("tcp://127.0.0.1:5555"), for port 0 or
 * '*' binds. Borrowed, "" when unknown. */
const char *mq_bound_endpoint(const mq_t *self);

/* Sends one message without blocking. ROUTER: peer/peer_len name the
 * receiver; DEALER: peer is NULL. 0, ERR_AGAIN (the peer's queue is full),
 * ERR_NOTFOUND (ROUTER: no such peer connected), ERR_ZMQ (logged). */
int mq_send(mq_t *self, const void *peer, size_t peer_len, const void *data,
            size_t len);

/* One received message; mq_msg_clear() frees it. */
struct mq_msg {
	unsigned char peer[MQ_PEER_MAX];
	size_t peer_len; /* 0 on a DEALER */
	void *data;
	size_t len;
};
/* Receives one message without blocking: 0, ERR_AGAIN (nothing there),
 * ERR_PROTO (a message with the wrong number of frames; dropped),
 * ERR_ZMQ. */
int mq_recv(mq_t *self, struct mq_msg *out);
void mq_msg_clear(struct mq_msg *m);

/* Waits for readability of sockets and file descriptors: each item has
 * either sock or fd (>= 0, with sock NULL). Sets readable. Returns the
 * number of ready items, 0 on timeout or EINTR (check your stop flag), or
 * ERR_ZMQ (logged); ERR_INVAL for more than MQ_POLL_MAX items. */
#define MQ_POLL_MAX 16
struct mq_pollitem {
	mq_t *sock;
	int fd;
	bool readable;
};
int mq_poll(struct mq_pollitem *items, size_t n, long timeout_ms);

/* A new CURVE key pair in Z85 (41 bytes each, NUL-terminated). 0 or
 * ERR_ZMQ (libzmq built without CURVE). */
int mq_keygen(char *pub, char *sec);

#endif
