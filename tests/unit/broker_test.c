/* broker_test.c - the lease table of docs/PROTOCOL.md, row by row, with
 * real ZeroMQ sockets (inproc) standing in for workers and a clock the
 * test moves: who may settle a lease (only its holder; others' ACKs are
 * ignored), what counts an attempt (FAILED, a loss holding that article
 * alone, a lease past --max-lease-ms) and what does not (RELEASED, a loss
 * holding several: those become suspect and go out alone), and credit
 * capped at max_credit; the notice of a refused file leased like an
 * article and settled only by its holder. */
#define _GNU_SOURCE
#include "broker.h"
#include "err.h"
#include "log.h"
#include "mq.h"
#include "queue.h"
#include "sha256.h"
#include "spool.h"
#include "test.h"
#include "wire.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CREDIT 8
#define LEASE_MS 600000
#define TIMEOUT_MS 30000

static char s_dir[512];
static char s_retaken[256]; /* the last name given to retake() */

static void
retake(void *ctx, const char *name)
{
	(void)ctx;
	snprintf(s_retaken, sizeof(s_retaken), "%s", name);
}
static mq_ctx_t *s_ctx;
static int s_run;

struct fix {
	char dir[600];
	char ep[64];
	spool_t *sp;
	queue_t *q;
	mq_t *router;
	broker_t *b;
	int64_t now;
	char ids[200][SHA256_HEX_LEN + 1];
	size_t n_ids;
};

static void
fix_new(struct fix *f, size_t articles)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s/run%d", s_dir, ++s_run);
	snprintf(f->ep, sizeof(f->ep), "inproc://broker_test%d", s_run);
	f->sp = spool_open(f->dir);
	f->q = queue_new();
	f->router = mq_router_new(s_ctx, f->ep, 64 * 1024, NULL);
	f->b =
	    broker_new(&(struct broker_opts){ .epoch = 1,
	                                      .heartbeat_ms = 1000,
	                                      .worker_timeout_ms = TIMEOUT_MS,
	                                      .max_attempts = 5,
	                                      .max_article_bytes = 1 << 20,
	                                      .done_retention_h = 24,
	                                      .max_credit = MAX_CREDIT,
	                                      .max_lease_ms = LEASE_MS,
	                                      .retake = retake },
	               f->router, f->q, f->sp, &(struct broker_metrics){ 0 });
	f->now = 1000000;
	for (size_t i = 0; i < articles; i++) {
		char body[64];
		struct spool_meta meta = { "", "", "", "", 1 };

		snprintf(body, sizeof(body), "article %zu", i);
		sha256_hex(body, strlen(body), f->ids[i]);
		if (spool_write(f->sp, f->ids[i], body, strlen(body), &meta) !=
		        0 ||
		    queue_add(f->q, f->ids[i], f->ids[i], strlen(body), 0,
		              NULL) != 0)
			abort();
	}
	f->n_ids = articles;
}

static void
fix_destroy(struct fix *f)
{
	broker_destroy(&f->b);
	mq_destroy(&f->router);
	queue_destroy(&f->q);
	spool_close(&f->sp);
}

/* One turn of ingestd's loop, the clock moved by step_ms. */
static void
turn(struct fix *f, int64_t step_ms)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	f->now += step_ms;
	broker_recv(f->b, f->now);
	broker_tick(f->b, f->now, false);
	nanosleep(&ts, NULL);
}

static void
send_msg(mq_t *d, const struct wire_msg *m)
{
	void *buf;
	size_t len;

	if (wire_pack(m, &buf, &len) != 0 || mq_send(d, NULL, 0, buf, len) != 0)
		abort();
	free(buf);
}

static mq_t *
worker_new(struct fix *f, uint32_t credit)
{
	mq_t *d = mq_dealer_new(s_ctx, f->ep, 16 << 20, 0, NULL);
	size_t before = broker_workers(f->b);
	struct wire_msg m = { .type = WIRE_READY, .credit = credit };

	send_msg(d, &m);
	for (int i = 0; i < 5000 && broker_workers(f->b) == before; i++)
		turn(f, 0);
	CHECK(broker_workers(f->b) == before + 1, "worker joined");
	return d;
}

/* WORK received by d until none arrives for a while: ids into got (up to
 * max), how many. */
static size_t
take_work(struct fix *f, mq_t *d, char got[][SHA256_HEX_LEN + 1], size_t max)
{
	size_t n = 0;
	int idle = 0;

	while (idle < 100) {
		struct mq_msg raw;
		struct wire_msg m;

		turn(f, 0);
		if (mq_recv(d, &raw) != 0) {
			idle++;
			continue;
		}
		idle = 0;
		if (wire_unpack(raw.data, raw.len, 16 << 20, &m) == 0) {
			if (m.type == WIRE_WORK) {
				if (n < max)
					snprintf(got[n], SHA256_HEX_LEN + 1,
					         "%s", m.art.id);
				n++;
			}
			wire_msg_clear(&m);
		}
		mq_msg_clear(&raw);
	}
	return n;
}

static void
ack(struct fix *f, mq_t *d, const char *id, enum wire_status st,
    const char *reason)
{
	struct wire_msg m = {
		.type = WIRE_ACK, .id = id, .status = st, .reason = reason
	};

	send_msg(d, &m);
	for (int i = 0; i < 50; i++)
		turn(f, 0);
}

static bool
in(struct fix *f, const char *sub, const char *name)
{
	char p[1200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s/%s", f->dir, sub, name);
	return lstat(p, &st) == 0;
}

/* Keeps a worker's side alive: heartbeats for ms of the test's clock. */
static void
alive(struct fix *f, mq_t *d, int64_t ms, uint32_t credit)
{
	struct wire_msg hb = { .type = WIRE_HEARTBEAT, .credit = credit };

	for (int64_t t = 0; t < ms; t += 1000) {
		send_msg(d, &hb);
		turn(f, 1000);
		turn(f, 0);
	}
}

enum who { HOLDER, OTHER };

static void
test_ack_table(void)
{
	static const struct {
		enum who from;
		enum wire_status st;
		const char *where; /* incoming (still queued), done, failed */
		int leased;        /* after the ACK */
		unsigned attempts;
	} rows[] = {
		{ HOLDER, WIRE_STORED, "done", 0, 0 },
		{ HOLDER, WIRE_DUPLICATE, "done", 0, 0 },
		{ HOLDER, WIRE_REJECTED, "failed", 0, 0 },
		/* back in line, and out again to the only worker with room */
		{ HOLDER, WIRE_FAILED, "incoming", 1, 1 },
		{ HOLDER, WIRE_RELEASED, "incoming", 1, 0 },
		/* from a peer that does not hold the lease: ignored */
		{ OTHER, WIRE_STORED, "incoming", 1, 0 },
		{ OTHER, WIRE_DUPLICATE, "incoming", 1, 0 },
		{ OTHER, WIRE_REJECTED, "incoming", 1, 0 },
		{ OTHER, WIRE_FAILED, "incoming", 1, 0 },
		{ OTHER, WIRE_RELEASED, "incoming", 1, 0 },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct fix f;
		char got[4][SHA256_HEX_LEN + 1];
		struct queue_item it;
		mq_t *a, *o;
		size_t n;

		fix_new(&f, 1);
		a = worker_new(&f, 1);
		n = take_work(&f, a, got, 4);
		o = worker_new(&f, 0); /* no credit: never a holder */
		CHECK_INT(n, 1, "row %zu", r);
		ack(&f, rows[r].from == HOLDER ? a : o, f.ids[0], rows[r].st,
		    "bad\nreason: forged");
		CHECK(in(&f, rows[r].where, f.ids[0]), "row %zu: in %s", r,
		      rows[r].where);
		CHECK_INT(queue_leased(f.q), rows[r].leased, "row %zu", r);
		if (strcmp(rows[r].where, "incoming") == 0) {
			CHECK(queue_find(f.q, f.ids[0], &it), "row %zu", r);
			CHECK_INT(it.attempts, rows[r].attempts, "row %zu", r);
			CHECK_INT(spool_attempts_get(f.sp, f.ids[0]),
			          rows[r].attempts, "row %zu", r);
		} else {
			CHECK(!queue_find(f.q, f.ids[0], NULL), "row %zu", r);
		}
		mq_destroy(&a);
		mq_destroy(&o);
		fix_destroy(&f);
	}
}

/* Lost workers: alone with an article, it is charged; with several, none
 * is, they become suspect, and a suspect goes out alone. */
static void
test_lost(void)
{
	static const struct {
		uint32_t credit;
		bool disconnect; /* else: silent past the worker timeout */
		unsigned attempts;
		bool suspect;
	} rows[] = {
		{ 1, true, 1, false },
		{ 1, false, 1, false },
		{ 3, true, 0, true },
		{ 3, false, 0, true },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		char got[8][SHA256_HEX_LEN + 1];
		struct queue_item it;
		struct fix f;
		mq_t *a, *b;
		size_t n;

		fix_new(&f, 3);
		a = worker_new(&f, rows[r].credit);
		n = take_work(&f, a, got, 8);
		CHECK_INT(n, rows[r].credit, "row %zu", r);
		if (rows[r].disconnect) {
			mq_destroy(&a);
			for (int i = 0; i < 2000 && broker_workers(f.b) > 0;
			     i++)
				turn(&f, 100);
		} else {
			turn(&f, TIMEOUT_MS + 1);
		}
		CHECK_INT(broker_workers(f.b), 0, "row %zu: lost", r);
		CHECK_INT(queue_leased(f.q), 0, "row %zu", r);
		CHECK(queue_find(f.q, got[0], &it), "row %zu", r);
		CHECK_INT(it.attempts, rows[r].attempts, "row %zu", r);
		CHECK(it.suspect == rows[r].suspect, "row %zu", r);
		if (rows[r].suspect) {
			/* a worker with room for 3 gets the suspect alone */
			b = worker_new(&f, 3);
			n = take_work(&f, b, got, 8);
			CHECK_INT(n, 1, "row %zu: suspect alone", r);
			ack(&f, b, got[0], WIRE_STORED, "");
			n = take_work(&f, b, got, 8);
			CHECK_INT(n, 1, "row %zu: the next suspect alone", r);
			mq_destroy(&b);
			/* lost again holding it alone: now it is charged */
			for (int i = 0; i < 2000 && broker_workers(f.b) > 0;
			     i++)
				turn(&f, 100);
			CHECK(queue_find(f.q, got[0], &it), "row %zu", r);
			CHECK_INT(it.attempts, 1, "row %zu: charged", r);
		}
		if (a)
			mq_destroy(&a);
		fix_destroy(&f);
	}
}

static void
test_lease_age_and_credit(void)
{
	char got[200][SHA256_HEX_LEN + 1];
	struct queue_item it;
	struct fix f;
	mq_t *a;
	size_t n;

	/* a holder that heartbeats but never settles */
	fix_new(&f, 1);
	a = worker_new(&f, 1);
	CHECK_INT(take_work(&f, a, got, 200), 1);
	alive(&f, a, LEASE_MS - 5000, 1);
	CHECK_INT(queue_leased(f.q), 1, "young lease kept");
	alive(&f, a, 10000, 0); /* no credit: it stays back in line */
	CHECK(queue_find(f.q, f.ids[0], &it));
	CHECK_INT(it.attempts, 1, "taken back, an attempt");
	CHECK_INT(spool_attempts_get(f.sp, f.ids[0]), 1);
	/* its late ACK is not the holder's any more */
	ack(&f, a, f.ids[0], WIRE_STORED, "");
	CHECK(in(&f, "incoming", f.ids[0]) && !in(&f, "done", f.ids[0]) &&
	      queue_find(f.q, f.ids[0], NULL));
	mq_destroy(&a);
	fix_destroy(&f);

	/* a window of four billion is capped */
	fix_new(&f, 100);
	a = worker_new(&f, 4000000000u);
	n = take_work(&f, a, got, 200);
	CHECK_INT(n, MAX_CREDIT);
	CHECK_INT(queue_leased(f.q), MAX_CREDIT);
	mq_destroy(&a);
	fix_destroy(&f);
}

/* A new file moved over a leased article's name: the holder's ACK for the
 * old bytes settles nothing of the new ones (they stay in incoming/ and
 * are looked at again), whatever the ACK says. */
static void
test_reused_name(void)
{
	static const enum wire_status st[] = { WIRE_STORED, WIRE_REJECTED };

	for (size_t r = 0; r < 2; r++) {
		char got[4][SHA256_HEX_LEN + 1], src[1300], dst[1300];
		struct fix f;
		FILE *fp;
		mq_t *a;

		fix_new(&f, 1);
		a = worker_new(&f, 1);
		CHECK_INT(take_work(&f, a, got, 4), 1);
		snprintf(src, sizeof(src), "%s/incoming/.new.part", f.dir);
		snprintf(dst, sizeof(dst), "%s/incoming/%s", f.dir, f.ids[0]);
		fp = fopen(src, "w");
		CHECK(fp && fputs("new bytes", fp) >= 0);
		if (fp)
			fclose(fp);
		CHECK(rename(src, dst) == 0);
		s_retaken[0] = '\0';
		ack(&f, a, f.ids[0], st[r], "old bytes");
		CHECK(in(&f, "incoming", f.ids[0]), "row %zu: new bytes kept",
		      r);
		CHECK(!in(&f, "done", f.ids[0]) && !in(&f, "failed", f.ids[0]),
		      "row %zu", r);
		CHECK(!queue_find(f.q, f.ids[0], NULL), "row %zu: old settled",
		      r);
		CHECK_STR(s_retaken, f.ids[0], "row %zu: looked at again", r);
		mq_destroy(&a);
		fix_destroy(&f);
	}
}

/* A waiting article's file replaced by a FIFO: dispatch neither blocks
 * nor sends it; the name is looked at again (and refused by intake). */
static void
test_replaced_by_fifo(void)
{
	char got[4][SHA256_HEX_LEN + 1], p[1300];
	struct fix f;
	mq_t *a;

	fix_new(&f, 1);
	snprintf(p, sizeof(p), "%s/incoming/%s", f.dir, f.ids[0]);
	CHECK(unlink(p) == 0 && mkfifo(p, 0640) == 0);
	s_retaken[0] = '\0';
	alarm(60);
	a = worker_new(&f, 1);
	CHECK_INT(take_work(&f, a, got, 4), 0, "nothing sent");
	alarm(0);
	CHECK(!queue_find(f.q, f.ids[0], NULL));
	CHECK_STR(s_retaken, f.ids[0]);
	mq_destroy(&a);
	fix_destroy(&f);
}

/* A notice queued for a refused file in failed/: the WORK the holder
 * gets, and what each ACK does to its marker (failed/.big.notice). */
static struct spool_notice
notice_new(struct fix *f)
{
	static char big[70000];
	struct spool_notice n;
	char p[1300];
	FILE *fp;

	memset(big, 'x', sizeof(big));
	snprintf(p, sizeof(p), "%s/incoming/big", f->dir);
	fp = fopen(p, "wb");
	if (!fp || fwrite(big, 1, sizeof(big), fp) != sizeof(big))
		abort();
	fclose(fp);
	if (spool_refuse(f->sp, "big", "too big: 70000 bytes", &n) != 0 ||
	    strcmp(n.marker, ".big.notice") != 0 ||
	    queue_add(f->q, n.id, n.marker, SPOOL_NOTICE_PREFIX, 0, NULL) != 0)
		abort();
	return n;
}

/* The WORK of a notice received by d: 1 with its fields checked, or 0. */
static int
take_notice(struct fix *f, mq_t *d, const struct spool_notice *n)
{
	for (int i = 0; i < 200; i++) {
		struct mq_msg raw;
		struct wire_msg m;
		int got = 0;

		turn(f, 0);
		if (mq_recv(d, &raw) != 0)
			continue;
		if (wire_unpack(raw.data, raw.len, 16 << 20, &m) == 0 &&
		    m.type == WIRE_WORK) {
			CHECK_STR(m.art.id, n->id);
			CHECK_STR(m.art.refused, "too big: 70000 bytes");
			CHECK_INT(m.art.size, 70000);
			CHECK_INT(m.art.body_len, SPOOL_NOTICE_PREFIX,
			          "its first 64 KiB");
			got = 1;
		}
		wire_msg_clear(&m);
		mq_msg_clear(&raw);
		if (got)
			return 1;
	}
	return 0;
}

static void
test_notice_table(void)
{
	static const struct {
		enum who from;
		enum wire_status st;
		bool marker; /* after the ACK */
		bool queued;
	} rows[] = {
		{ HOLDER, WIRE_REJECTED, false, false },
		{ HOLDER, WIRE_STORED, false, false },
		{ HOLDER, WIRE_FAILED, true, true },
		{ HOLDER, WIRE_RELEASED, true, true },
		{ OTHER, WIRE_REJECTED, true, true },
		{ OTHER, WIRE_STORED, true, true },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct spool_notice n;
		struct queue_item it;
		struct fix f;
		mq_t *a, *o;

		fix_new(&f, 0);
		n = notice_new(&f);
		a = worker_new(&f, 1);
		CHECK_INT(take_notice(&f, a, &n), 1, "row %zu", r);
		o = worker_new(&f, 0);
		ack(&f, rows[r].from == HOLDER ? a : o, n.id, rows[r].st, "");
		CHECK(in(&f, "failed", ".big.notice") == rows[r].marker,
		      "row %zu: marker", r);
		CHECK(queue_find(f.q, n.id, &it) == rows[r].queued,
		      "row %zu: queued", r);
		CHECK(in(&f, "failed", "big") && in(&f, "failed", "big.error"),
		      "row %zu: the refusal stays", r);
		mq_destroy(&a);
		mq_destroy(&o);
		fix_destroy(&f);
	}
}

/* A worker that cannot record notices (FAILED each time): given up after
 * max_attempts in this run, its marker kept for the next. */
static void
test_notice_given_up(void)
{
	struct spool_notice n;
	struct fix f;
	mq_t *a;
	int sent = 0;

	fix_new(&f, 0);
	n = notice_new(&f);
	a = worker_new(&f, 1);
	for (int i = 0; i < 10 && take_notice(&f, a, &n); i++) {
		sent++;
		ack(&f, a, n.id, WIRE_FAILED, "id is not the SHA-256");
	}
	CHECK_INT(sent, 5, "--max-attempts deliveries");
	CHECK(!queue_find(f.q, n.id, NULL), "given up");
	CHECK(in(&f, "failed", ".big.notice"), "marker kept");
	CHECK_INT(spool_attempts_get(f.sp, ".big.notice"), 0,
	          "no attempts file");
	mq_destroy(&a);
	fix_destroy(&f);
}

int
main(void)
{
	char base[] = "/tmp/broker_test.XXXXXX";
	char cmd[600];

	if (!mkdtemp(base))
		abort();
	snprintf(s_dir, sizeof(s_dir), "%s", base);
	log_setup(LOG_ERROR, LOG_PLAIN, "broker_test");
	s_ctx = mq_ctx_new();
	test_ack_table();
	test_lost();
	test_lease_age_and_credit();
	test_reused_name();
	test_replaced_by_fifo();
	test_notice_table();
	test_notice_given_up();
	mq_ctx_destroy(&s_ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return test_done("broker_test");
}
