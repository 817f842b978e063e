/* wire.c - protobuf-c behind struct wire_msg. */
#include "wire.h"
#include "err.h"
#include "sha256.h"

#include "ingest.pb-c.h"

#include <stdlib.h>
#include <string.h>

static char *
str_or_empty(const char *s)
{
	/* protobuf-c packs char * fields; it never writes through them. */
	return (char *)(s ? s : "");
}

int
wire_pack(const struct wire_msg *m, void **buf, size_t *len)
{
	Ingest__Envelope env = INGEST__ENVELOPE__INIT;
	Ingest__Ready ready = INGEST__READY__INIT;
	Ingest__Heartbeat hb = INGEST__HEARTBEAT__INIT;
	Ingest__Work work = INGEST__WORK__INIT;
	Ingest__RawArticle art = INGEST__RAW_ARTICLE__INIT;
	Ingest__Ack ack = INGEST__ACK__INIT;
	size_t n;
	void *p;

	env.version = WIRE_VERSION;
	switch (m->type) {
	case WIRE_READY:
		ready.credit = m->credit;
		env.msg_case = INGEST__ENVELOPE__MSG_READY;
		env.ready = &ready;
		break;
	case WIRE_HEARTBEAT:
		hb.epoch = m->epoch;
		hb.credit = m->credit;
		hb.in_hand = m->in_hand;
		env.msg_case = INGEST__ENVELOPE__MSG_HEARTBEAT;
		env.heartbeat = &hb;
		break;
	case WIRE_WORK:
		if (!sha256_valid_hex(m->art.id))
			return ERR_INVAL;
		art.id = str_or_empty(m->art.id);
		art.source_uri = str_or_empty(m->art.uri);
		art.feed = str_or_empty(m->art.feed);
		art.received_us = m->art.received_us;
		art.content_type = str_or_empty(m->art.content_type);
		art.charset_hint = str_or_empty(m->art.charset);
		art.body.data = (uint8_t *)m->art.body;
		art.body.len = m->art.body_len;
		art.attempt = m->art.attempt;
		art.size = m->art.size;
		art.refused = str_or_empty(m->art.refused);
		work.article = &art;
		env.msg_case = INGEST__ENVELOPE__MSG_WORK;
		env.work = &work;
		break;
	case WIRE_ACK:
		if (!sha256_valid_hex(m->id) || m->status < WIRE_STORED ||
		    m->status > WIRE_RELEASED)
			return ERR_INVAL;
		ack.id = str_or_empty(m->id);
		ack.status = (Ingest__AckStatus)m->status;
		ack.reason = str_or_empty(m->reason);
		env.msg_case = INGEST__ENVELOPE__MSG_ACK;
		env.ack = &ack;
		break;
	default:
		return ERR_INVAL;
	}
	n = ingest__envelope__get_packed_size(&env);
	p = malloc(n ? n : 1);
	if (!p)
		abort(); /* daemons abort on OOM */
	ingest__envelope__pack(&env, p);
	*buf = p;
	*len = n;
	return 0;
}

static int
fill(struct wire_msg *out, const Ingest__Envelope *env)
{
	const Ingest__RawArticle *a;

	if (env->version != WIRE_VERSION)
		return ERR_PROTO;
	switch (env->msg_case) {
	case INGEST__ENVELOPE__MSG_READY:
		out->type = WIRE_READY;
		out->credit = env->ready->credit;
		return 0;
	case INGEST__ENVELOPE__MSG_HEARTBEAT:
		out->type = WIRE_HEARTBEAT;
		out->epoch = env->heartbeat->epoch;
		out->credit = env->heartbeat->credit;
		out->in_hand = env->heartbeat->in_hand;
		return 0;
	case INGEST__ENVELOPE__MSG_WORK:
		a = env->work->article;
		if (!a || !sha256_valid_hex(a->id))
			return ERR_PROTO;
		out->type = WIRE_WORK;
		out->art.id = a->id;
		out->art.uri = a->source_uri;
		out->art.feed = a->feed;
		out->art.received_us = a->received_us;
		out->art.content_type = a->content_type;
		out->art.charset = a->charset_hint;
		/* protobuf-c gives NULL data for an empty bytes field. */
		out->art.body = a->body.data ? (const void *)a->body.data : "";
		out->art.body_len = a->body.len;
		out->art.attempt = a->attempt;
		out->art.size = a->size;
		out->art.refused = a->refused ? a->refused : "";
		return 0;
	case INGEST__ENVELOPE__MSG_ACK:
		if (!sha256_valid_hex(env->ack->id) ||
		    env->ack->status < INGEST__ACK_STATUS__ACK_STATUS_STORED ||
		    env->ack->status > INGEST__ACK_STATUS__ACK_STATUS_RELEASED)
			return ERR_PROTO;
		out->type = WIRE_ACK;
		out->id = env->ack->id;
		out->status = (enum wire_status)env->ack->status;
		out->reason = env->ack->reason;
		return 0;
	default:
		return ERR_PROTO; /* unknown or missing message type */
	}
}

int
wire_unpack(const void *buf, size_t len, size_t max_len, struct wire_msg *out)
{
	Ingest__Envelope *env;
	struct wire_msg m;
	int rc;

	if (len > max_len)
		return ERR_TOOBIG;
	env = ingest__envelope__unpack(NULL, len, buf);
	if (!env)
		return ERR_PROTO;
	memset(&m, 0, sizeof(m));
	rc = fill(&m, env);
	if (rc != 0) {
		ingest__envelope__free_unpacked(env, NULL);
		return rc;
	}
	m.priv_ = env;
	*out = m;
	return 0;
}

void
wire_msg_clear(struct wire_msg *m)
{
	if (m->priv_)
		ingest__envelope__free_unpacked(m->priv_, NULL);
	memset(m, 0, sizeof(*m));
}

const char *
wire_status_str(enum wire_status s)
{
	switch (s) {
	case WIRE_STORED:
		return "stored";
	case WIRE_DUPLICATE:
		return "duplicate";
	case WIRE_REJECTED:
		return "rejected";
	case WIRE_FAILED:
		return "failed";
	case WIRE_RELEASED:
		return "released";
	}
	return "unknown";
}

const char *
wire_type_str(enum wire_type t)
{
	switch (t) {
	case WIRE_READY:
		return "ready";
	case WIRE_HEARTBEAT:
		return "heartbeat";
	case WIRE_WORK:
		return "work";
	case WIRE_ACK:
		return "ack";
	}
	return "unknown";
}
