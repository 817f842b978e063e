/* wire.h - the messages between ingestd and extractd (proto/ingest.proto):
 * pack and unpack, with size limits and validation (the only user of the
 * generated *.pb-c.h).
 *
 * Does: one Envelope per ZeroMQ frame, a protocol version, checks that an
 * article id is 64 lowercase hex digits and that a frame is not larger
 * than the caller's limit before protobuf-c allocates anything.
 * Does not: send or receive (mq.h), or check that an id matches the body
 * (the worker does, with sha256.h). */
#ifndef COMMON_WIRE_H
#define COMMON_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION 1
/* Room for everything but the body in a WORK frame. */
#define WIRE_OVERHEAD (64 * 1024)

enum wire_type {
	WIRE_READY = 1,
	WIRE_HEARTBEAT = 2,
	WIRE_WORK = 3,
	WIRE_ACK = 4,
};

enum wire_status {
	WIRE_STORED = 1,
	WIRE_DUPLICATE = 2,
	WIRE_REJECTED = 3,
	WIRE_FAILED = 4,
	WIRE_RELEASED = 5, /* given back untried: no attempt counted */
};
/* Size of a table indexed by enum wire_status (index 0 unused). */
#define WIRE_STATUS_N (WIRE_RELEASED + 1)

/* A raw article. Strings are never NULL after wire_unpack() ("" when
 * absent); for wire_pack() NULL means "". */
struct wire_article {
	const char *id;
	const char *uri;
	const char *feed;
	int64_t received_us;
	const char *content_type;
	const char *charset;
	const void *body;
	size_t body_len;
	uint32_t attempt;
	/* A notice of an intake refusal (refused not ""): body is the first
	 * bytes of a file of size bytes whose SHA-256 is id. */
	uint64_t size;
	const char *refused;
};

/* One message. After wire_unpack(), pointers borrow from the message's
 * own storage: keep the struct until wire_msg_clear(). */
struct wire_msg {
	enum wire_type type;
	uint32_t credit;         /* READY, HEARTBEAT */
	uint64_t epoch;          /* HEARTBEAT */
	uint32_t in_hand;        /* HEARTBEAT from a worker */
	struct wire_article art; /* WORK */
	const char *id;          /* ACK */
	enum wire_status status; /* ACK */
	const char *reason;      /* ACK, "" when none */
	void *priv_;             /* the unpacked envelope */
};

/* Packs m into a malloc'd buffer (*buf, *len; caller frees). 0 or
 * ERR_INVAL (missing or bad id, unknown type). */
int wire_pack(const struct wire_msg *m, void **buf, size_t *len);
/* Unpacks one frame. max_len: frames above it are refused (ERR_TOOBIG)
 * before decoding. ERR_PROTO: not a protobuf Envelope, another version,
 * an unknown or missing message type, a WORK without article or with a
 * bad id, an ACK with a bad id or status. On success *out must be
 * cleared with wire_msg_clear(); on error it needs nothing. */
int wire_unpack(const void *buf, size_t len, size_t max_len,
                struct wire_msg *out);
void wire_msg_clear(struct wire_msg *m);

/* "stored", "duplicate", "rejected", "failed", "unknown" (static). */
const char *wire_status_str(enum wire_status s);
const char *wire_type_str(enum wire_type t);

#endif
