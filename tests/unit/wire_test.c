/* wire_test.c - every message packed and unpacked again, and what a peer
 * must refuse: truncated frames, garbage, another version, an unknown or
 * missing message type, bad ids and statuses (ERR_PROTO), frames above
 * the limit (ERR_TOOBIG). Odd frames are written byte by byte from the
 * protobuf encoding of proto/ingest.proto, so the test does not need the
 * generated code. */
#include "err.h"
#include "test.h"
#include "wire.h"

#include <stdint.h>

#define ID_A "5d3d27540e34edbe5d3d27540e34edbe5d3d27540e34edbe5d3d27540e34edbe"
#define ID_B "0000000000000000000000000000000000000000000000000000000000000000"

static size_t
pack_ok(const struct wire_msg *m, void **buf)
{
	size_t len = 0;

	CHECK_INT(wire_pack(m, buf, &len), 0, "pack %s",
	          wire_type_str(m->type));
	return len;
}

static void
test_round_trip(void)
{
	static const unsigned char body[] = "\xd6\xd0\xce\xc4\0GBK\xff";
	struct wire_msg in, out;
	void *buf;
	size_t len;

	memset(&in, 0, sizeof(in));
	in.type = WIRE_READY;
	in.credit = 16;
	len = pack_ok(&in, &buf);
	CHECK_INT(wire_unpack(buf, len, 1024, &out), 0);
	CHECK_INT(out.type, WIRE_READY);
	CHECK_INT(out.credit, 16);
	wire_msg_clear(&out);
	free(buf);

	/* credit 0 (a withdrawal) is a value, not "absent" */
	in.credit = 0;
	len = pack_ok(&in, &buf);
	CHECK_INT(wire_unpack(buf, len, 1024, &out), 0);
	CHECK_INT(out.type, WIRE_READY);
	CHECK_INT(out.credit, 0);
	wire_msg_clear(&out);
	free(buf);

	memset(&in, 0, sizeof(in));
	in.type = WIRE_HEARTBEAT;
	in.epoch = 1768984927113000ULL;
	in.credit = 8;
	in.in_hand = 3;
	len = pack_ok(&in, &buf);
	CHECK_INT(wire_unpack(buf, len, 1024, &out), 0);
	CHECK_INT(out.type, WIRE_HEARTBEAT);
	CHECK(out.epoch == 1768984927113000ULL);
	CHECK_INT(out.credit, 8);
	CHECK_INT(out.in_hand, 3);
	wire_msg_clear(&out);
	free(buf);

	memset(&in, 0, sizeof(in));
	in.type = WIRE_WORK;
	in.art.id = ID_A;
	in.art.uri = "https://example.cn/a?b=1";
	in.art.feed = "广西日报";
	in.art.received_us = -5; /* int64: keeps its sign */
	in.art.content_type = "text/plain; charset=gbk";
	in.art.charset = "gbk";
	in.art.body = body;
	in.art.body_len = sizeof(body) - 1;
	in.art.attempt = 4;
	in.art.size = 5000000000ULL; /* a notice: the whole file's size */
	in.art.refused = "too big: 5000000000 bytes";
	len = pack_ok(&in, &buf);
	CHECK_INT(wire_unpack(buf, len, len, &out), 0, "limit == length");
	CHECK_INT(out.type, WIRE_WORK);
	CHECK_STR(out.art.id, ID_A);
	CHECK_STR(out.art.uri, "https://example.cn/a?b=1");
	CHECK_STR(out.art.feed, "广西日报");
	CHECK_INT(out.art.received_us, -5);
	CHECK_STR(out.art.content_type, "text/plain; charset=gbk");
	CHECK_STR(out.art.charset, "gbk");
	CHECK_INT(out.art.body_len, sizeof(body) - 1);
	CHECK(!memcmp(out.art.body, body, sizeof(body) - 1), "body bytes");
	CHECK_INT(out.art.attempt, 4);
	CHECK_INT(out.art.size, 5000000000LL);
	CHECK_STR(out.art.refused, "too big: 5000000000 bytes");
	wire_msg_clear(&out);
	CHECK(out.priv_ == NULL && out.art.id == NULL, "cleared");
	free(buf);

	/* NULL strings pack as ""; an empty body unpacks as "" of length 0 */
	memset(&in, 0, sizeof(in));
	in.type = WIRE_WORK;
	in.art.id = ID_B;
	len = pack_ok(&in, &buf);
	CHECK_INT(wire_unpack(buf, len, 1024, &out), 0);
	CHECK_STR(out.art.uri, "");
	CHECK_STR(out.art.feed, "");
	CHECK_STR(out.art.content_type, "");
	CHECK_STR(out.art.charset, "");
	CHECK(out.art.body != NULL);
	CHECK_INT(out.art.body_len, 0);
	CHECK_INT(out.art.attempt, 0);
	CHECK_INT(out.art.size, 0);
	CHECK_STR(out.art.refused, "", "an article, not a notice");
	wire_msg_clear(&out);
	free(buf);

	for (int st = WIRE_STORED; st <= WIRE_RELEASED; st++) {
		memset(&in, 0, sizeof(in));
		in.type = WIRE_ACK;
		in.id = ID_A;
		in.status = (enum wire_status)st;
		in.reason = st == WIRE_REJECTED ? "undecodable: \"x\"\n" : NULL;
		len = pack_ok(&in, &buf);
		CHECK_INT(wire_unpack(buf, len, 1024, &out), 0, "status %d",
		          st);
		CHECK_INT(out.type, WIRE_ACK);
		CHECK_STR(out.id, ID_A);
		CHECK_INT(out.status, st);
		CHECK_STR(out.reason,
		          st == WIRE_REJECTED ? "undecodable: \"x\"\n" : "");
		wire_msg_clear(&out);
		free(buf);
	}
	wire_msg_clear(&out); /* twice is harmless */
}

static void
test_pack_refuses(void)
{
	static const struct {
		enum wire_type type;
		const char *id;
		int status;
	} cases[] = {
		{ WIRE_WORK, NULL, 0 },
		{ WIRE_WORK, "abc", 0 },
		{ WIRE_WORK, ID_A "0", 0 },
		{ WIRE_ACK, NULL, WIRE_STORED },
		{ WIRE_ACK,
		  "5D3D27540E34EDBE5D3D27540E34EDBE5D3D27540E34EDBE5D3D27540E34"
		  "EDBE",
		  WIRE_STORED },
		{ WIRE_ACK, ID_A, 0 },
		{ WIRE_ACK, ID_A, 6 },
		{ (enum wire_type)0, ID_A, 0 },
		{ (enum wire_type)9, ID_A, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wire_msg m;
		void *buf = (void *)"untouched";
		size_t len = 12345;

		memset(&m, 0, sizeof(m));
		m.type = cases[i].type;
		m.art.id = cases[i].id;
		m.id = cases[i].id;
		m.status = (enum wire_status)cases[i].status;
		CHECK_INT(wire_pack(&m, &buf, &len), ERR_INVAL, "case %zu", i);
		CHECK(len == 12345 && !strcmp(buf, "untouched"),
		      "case %zu: outputs untouched", i);
	}
}

/* Every proper prefix of a valid frame is refused. */
static void
test_truncated(void)
{
	struct wire_msg in, out;
	void *buf;
	size_t len;

	memset(&in, 0, sizeof(in));
	in.type = WIRE_WORK;
	in.art.id = ID_A;
	in.art.uri = "u";
	in.art.body = "body";
	in.art.body_len = 4;
	in.art.attempt = 1;
	len = pack_ok(&in, &buf);
	for (size_t cut = 0; cut < len; cut++) {
		int rc = wire_unpack(buf, cut, 1024, &out);

		CHECK_INT(rc, ERR_PROTO, "prefix of %zu/%zu bytes", cut, len);
		if (rc == 0)
			wire_msg_clear(&out);
	}
	free(buf);

	memset(&in, 0, sizeof(in));
	in.type = WIRE_ACK;
	in.id = ID_A;
	in.status = WIRE_STORED;
	len = pack_ok(&in, &buf);
	for (size_t cut = 0; cut < len; cut++) {
		int rc = wire_unpack(buf, cut, 1024, &out);

		CHECK_INT(rc, ERR_PROTO, "ack prefix of %zu/%zu bytes", cut,
		          len);
		if (rc == 0)
			wire_msg_clear(&out);
	}
	free(buf);
}

/* Hand-encoded frames. Envelope: version = field 1 (tag 0x08), ready 10
 * (0x52), heartbeat 11 (0x5a), work 12 (0x62), ack 13 (0x6a). Ack: id 1
 * (0x0a), status 2 (0x10), reason 3 (0x1a). */
struct frame {
	const char *what;
	unsigned char b[96];
	size_t n;
	int rc;
	enum wire_type type;
};

static size_t
ack_frame(unsigned char *b, const char *id, unsigned status)
{
	size_t idlen = strlen(id), n = 0;

	b[n++] = 0x08;
	b[n++] = 0x01;
	b[n++] = 0x6a;
	b[n++] = (unsigned char)(2 + idlen + 2);
	b[n++] = 0x0a;
	b[n++] = (unsigned char)idlen;
	memcpy(b + n, id, idlen);
	n += idlen;
	b[n++] = 0x10;
	b[n++] = (unsigned char)status;
	return n;
}

static void
test_crafted(void)
{
	static const struct frame fixed[] = {
		{ "ready v1",
		  { 0x08, 0x01, 0x52, 0x02, 0x08, 0x05 },
		  6,
		  0,
		  WIRE_READY },
		{ "ready v2",
		  { 0x08, 0x02, 0x52, 0x02, 0x08, 0x05 },
		  6,
		  ERR_PROTO,
		  0 },
		{ "ready v0 (no version)",
		  { 0x52, 0x02, 0x08, 0x05 },
		  4,
		  ERR_PROTO,
		  0 },
		{ "no message", { 0x08, 0x01 }, 2, ERR_PROTO, 0 },
		{ "empty frame", { 0 }, 0, ERR_PROTO, 0 },
		{ "unknown oneof field 14",
		  { 0x08, 0x01, 0x72, 0x02, 0x08, 0x05 },
		  6,
		  ERR_PROTO,
		  0 },
		{ "work without article",
		  { 0x08, 0x01, 0x62, 0x00 },
		  4,
		  ERR_PROTO,
		  0 },
		{ "work, article without id",
		  { 0x08, 0x01, 0x62, 0x02, 0x0a, 0x00 },
		  6,
		  ERR_PROTO,
		  0 },
		{ "length past the end",
		  { 0x08, 0x01, 0x52, 0x7f, 0x08, 0x05 },
		  6,
		  ERR_PROTO,
		  0 },
		{ "bad wire type",
		  { 0x08, 0x01, 0x57, 0x02 },
		  4,
		  ERR_PROTO,
		  0 },
		{ "text", "hello, world", 12, ERR_PROTO, 0 },
		{ "ones",
		  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff },
		  11,
		  ERR_PROTO,
		  0 },
	};
	static const struct {
		const char *id;
		unsigned status;
		int rc;
	} acks[] = {
		{ ID_A, 1, 0 },
		{ ID_A, 5, 0 },
		{ ID_A, 0, ERR_PROTO }, /* unspecified */
		{ ID_A, 6, ERR_PROTO },
		{ ID_A, 99, ERR_PROTO },
		{ "5d3d27", 1, ERR_PROTO },
		{ "5D3D27540E34EDBE5D3D27540E34EDBE5D3D27540E34EDBE5D3D27540E34"
		  "EDBE",
		  1, ERR_PROTO },
		{ "../../../../../../../../../../../../../../../../../../../../"
		  "etc/",
		  1, ERR_PROTO },
	};
	struct wire_msg out;
	unsigned char b[128];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		int rc = wire_unpack(fixed[i].b, fixed[i].n, 1024, &out);

		CHECK_INT(rc, fixed[i].rc, "%s", fixed[i].what);
		if (rc == 0) {
			CHECK_INT(out.type, fixed[i].type, "%s", fixed[i].what);
			wire_msg_clear(&out);
		}
	}
	for (size_t i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
		size_t n = ack_frame(b, acks[i].id, acks[i].status);
		int rc = wire_unpack(b, n, 1024, &out);

		CHECK_INT(rc, acks[i].rc, "ack %zu", i);
		if (rc == 0) {
			CHECK_INT(out.status, acks[i].status);
			wire_msg_clear(&out);
		}
	}
}

/* Pseudo-random bytes (fixed seed) never crash and never pass for a
 * message (odds of a valid version-1 envelope by chance are tiny, and
 * the seed is fixed). */
static void
test_garbage(void)
{
	uint32_t x = 2463534242u;
	unsigned char b[256];
	struct wire_msg out;
	int accepted = 0;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(round % 256);

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = (unsigned char)x;
		}
		if (wire_unpack(b, n, sizeof(b), &out) == 0) {
			accepted++;
			wire_msg_clear(&out);
		}
	}
	CHECK_INT(accepted, 0, "random frames accepted");
}

static void
test_oversized(void)
{
	struct wire_msg in, out;
	size_t big = 1 << 20, len;
	char *body = malloc(big);
	void *buf;

	if (!body)
		abort();
	memset(body, 'x', big);
	memset(&in, 0, sizeof(in));
	in.type = WIRE_WORK;
	in.art.id = ID_A;
	in.art.body = body;
	in.art.body_len = big;
	len = pack_ok(&in, &buf);
	CHECK(len > big);
	CHECK_INT(wire_unpack(buf, len, len - 1, &out), ERR_TOOBIG);
	CHECK_INT(wire_unpack(buf, len, big, &out), ERR_TOOBIG);
	CHECK_INT(wire_unpack(buf, len, big + WIRE_OVERHEAD, &out), 0);
	CHECK_INT(out.art.body_len, big);
	wire_msg_clear(&out);
	/* The limit comes first: garbage above it is TOOBIG, not PROTO. */
	CHECK_INT(wire_unpack("garbage!", 8, 4, &out), ERR_TOOBIG);
	CHECK_INT(wire_unpack("garbage!", 8, 0, &out), ERR_TOOBIG);
	free(buf);
	free(body);
}

static void
test_names(void)
{
	static const struct {
		int v;
		const char *status, *type;
	} cases[] = {
		{ 0, "unknown", "unknown" },     { 1, "stored", "ready" },
		{ 2, "duplicate", "heartbeat" }, { 3, "rejected", "work" },
		{ 4, "failed", "ack" },          { 5, "released", "unknown" },
		{ 6, "unknown", "unknown" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_STR(wire_status_str((enum wire_status)cases[i].v),
		          cases[i].status);
		CHECK_STR(wire_type_str((enum wire_type)cases[i].v),
		          cases[i].type);
	}
}

int
main(void)
{
	test_round_trip();
	test_pack_refuses();
	test_truncated();
	test_crafted();
	test_garbage();
	test_oversized();
	test_names();
	return test_done("wire_test");
}
