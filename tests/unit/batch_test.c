/* batch_test.c - the worker's decisions (extractd/batch.h), row by row,
 * without PostgreSQL or ZeroMQ: when the open batch grows, lingers or
 * commits; how a statement_timeout shrinks the batch down to one article,
 * which is then charged, and how it grows back; what becomes of the
 * articles in hand on SIGTERM and when a waiting statement is cancelled;
 * the credit granted, enforced and reported; when a wait makes the worker
 * unready. */
#include "batch.h"
#include "test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct batch_policy pol = {
	.batch_size = 16,
	.batch_ms = 200,
	.batch_linger_ms = 0,
	.inflight = 32,
	.heartbeat_ms = 1000,
	.drain_ms = 20000,
	.ready_stall_ms = 10000,
};

static const char *
step_str(enum batch_step s)
{
	static const char *const names[] = { "none", "grow", "linger",
		                             "commit" };

	return names[s];
}

static void
test_next(void)
{
	static const struct {
		long linger_ms;
		struct batch_view v; /* in_hand put cap session draining idle
		                      * age */
		enum batch_step want;
	} rows[] = {
		/* nothing to commit */
		{ 0, { 0, 0, 0, true, false, false, 0 }, BATCH_NONE },
		{ 0, { 3, 0, 0, true, false, false, 0 }, BATCH_NONE },
		{ 0, { 3, 3, 0, false, false, false, 0 }, BATCH_NONE },
		/* WORK may be waiting: read it before committing */
		{ 0, { 1, 1, 0, true, false, false, 0 }, BATCH_GROW },
		{ 0, { 15, 15, 0, true, false, false, 199 }, BATCH_GROW },
		/* nothing waits: a lone article commits at once */
		{ 0, { 1, 1, 0, true, false, true, 0 }, BATCH_COMMIT },
		/* ... unless --batch-linger-ms holds it open */
		{ 50, { 1, 1, 0, true, false, true, 0 }, BATCH_LINGER },
		{ 50, { 1, 1, 0, true, false, true, 49 }, BATCH_LINGER },
		{ 50, { 1, 1, 0, true, false, true, 50 }, BATCH_COMMIT },
		/* full at --batch-size: commits, lingers never */
		{ 0, { 16, 16, 0, true, false, false, 0 }, BATCH_COMMIT },
		{ 50, { 20, 16, 0, true, false, true, 0 }, BATCH_COMMIT },
		/* --batch-ms old while work keeps arriving */
		{ 0, { 5, 5, 0, true, false, false, 200 }, BATCH_COMMIT },
		/* articles in hand not in the batch: it does not grow */
		{ 0, { 5, 3, 0, true, false, false, 0 }, BATCH_COMMIT },
		/* a smaller limit after timeouts */
		{ 0, { 2, 2, 2, true, false, false, 0 }, BATCH_COMMIT },
		{ 0, { 1, 1, 2, true, false, false, 0 }, BATCH_GROW },
		{ 50, { 1, 1, 1, true, false, true, 0 }, BATCH_COMMIT },
		/* draining: neither grows nor lingers */
		{ 0, { 1, 1, 0, true, true, false, 0 }, BATCH_COMMIT },
		{ 50, { 1, 1, 0, true, true, true, 0 }, BATCH_COMMIT },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_policy p = pol;
		enum batch_step got;

		p.batch_linger_ms = rows[r].linger_ms;
		got = batch_next(&p, &rows[r].v);
		CHECK_STR(step_str(got), step_str(rows[r].want), "next row %zu",
		          r);
	}
}

static void
test_timeout(void)
{
	static const struct {
		size_t put;
		bool writing;
		bool charge;
		long cap;
	} rows[] = {
		/* while writing: the article alone is charged; else the ones
		 * before it go by themselves */
		{ 0, true, true, 0 },
		{ 1, true, false, 1 },
		{ 15, true, false, 15 },
		/* at COMMIT: halved, down to one, which is charged */
		{ 0, false, true, 0 },
		{ 1, false, true, 0 },
		{ 2, false, false, 1 },
		{ 3, false, false, 2 },
		{ 16, false, false, 8 },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_timeout t =
		    batch_on_timeout(rows[r].put, rows[r].writing);

		CHECK(t.charge == rows[r].charge, "timeout row %zu", r);
		CHECK_INT(t.cap, rows[r].cap, "timeout row %zu", r);
	}
}

/* A batch of 16 whose COMMIT keeps timing out: 16, 8, 4, 2, 1, then the
 * one left is charged; batches that go through grow the limit back. */
static void
test_timeout_sequence(void)
{
	static const long shrink[] = { 8, 4, 2, 1 };
	static const long grow[] = { 2, 4, 8, 0 };
	size_t put = 16;
	long cap = 0;
	struct batch_timeout t;

	for (size_t i = 0; i < N(shrink); i++) {
		t = batch_on_timeout(put, false);
		CHECK(!t.charge, "shrink %zu", i);
		CHECK_INT(t.cap, shrink[i], "shrink %zu", i);
		cap = t.cap;
		put = batch_limit(&pol, cap);
	}
	CHECK_INT(put, 1, "down to one");
	t = batch_on_timeout(put, false);
	CHECK(t.charge, "the last one is charged");
	for (size_t i = 0; i < N(grow); i++) {
		cap = batch_cap_after_commit(&pol, cap);
		CHECK_INT(cap, grow[i], "grow %zu", i);
	}
	CHECK_INT(batch_limit(&pol, cap), 16, "back to --batch-size");
}

static void
test_cap_after_commit(void)
{
	static const struct {
		long size, cap, want;
	} rows[] = {
		{ 16, 0, 0 }, { 16, 1, 2 }, { 16, 7, 14 }, { 16, 8, 0 },
		{ 16, 9, 0 }, { 1, 1, 0 },  { 3, 1, 2 },   { 3, 2, 0 },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_policy p = pol;

		p.batch_size = rows[r].size;
		CHECK_INT(batch_cap_after_commit(&p, rows[r].cap), rows[r].want,
		          "cap row %zu", r);
		CHECK_INT(batch_limit(&p, rows[r].cap),
		          rows[r].cap ? rows[r].cap : rows[r].size,
		          "limit row %zu", r);
	}
}

static const char *
leave_str(enum batch_leave l)
{
	static const char *const names[] = { "stay", "leave", "release" };

	return names[l];
}

/* SIGTERM seen by the loop at T0 with articles in hand or not: the worker
 * stays while it has work and time (commits and ACKs it), leaves once
 * nothing is in hand and it listened a heartbeat (at most 500 ms) for WORK
 * on its way, and at the deadline gives the rest back untried. */
#define T0 100000
static void
test_drain(void)
{
	static const struct {
		long drain_ms, heartbeat_ms;
		int64_t stop_seen; /* 0: SIGTERM seen by the loop first */
		int64_t at;        /* now */
		size_t in_hand;
		enum batch_leave want;
	} rows[] = {
		{ 20000, 1000, 0, T0, 0, BATCH_STAY },
		{ 20000, 1000, 0, T0 + 499, 0, BATCH_STAY },
		{ 20000, 1000, 0, T0 + 500, 0, BATCH_LEAVE },
		{ 20000, 200, 0, T0 + 200, 0, BATCH_LEAVE },
		{ 20000, 1000, 0, T0 + 500, 3, BATCH_STAY },
		{ 20000, 1000, 0, T0 + 19999, 3, BATCH_STAY },
		{ 20000, 1000, 0, T0 + 20000, 3, BATCH_LEAVE_RELEASING },
		{ 20000, 1000, 0, T0 + 20000, 0, BATCH_LEAVE },
		/* a waiting statement saw SIGTERM 3 s before the loop did */
		{ 20000, 1000, T0 - 3000, T0 + 16999, 3, BATCH_STAY },
		{ 20000, 1000, T0 - 3000, T0 + 17000, 3,
		  BATCH_LEAVE_RELEASING },
		/* --drain-ms 0: what is in hand goes back at once */
		{ 0, 1000, 0, T0, 2, BATCH_LEAVE_RELEASING },
		{ 0, 1000, 0, T0, 0, BATCH_LEAVE },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_policy p = pol;
		struct batch_drain d;

		p.drain_ms = rows[r].drain_ms;
		p.heartbeat_ms = rows[r].heartbeat_ms;
		d = batch_drain_begin(&p, T0, rows[r].stop_seen);
		CHECK_STR(leave_str(batch_drain_leave(&d, rows[r].at,
		                                      rows[r].in_hand)),
		          leave_str(rows[r].want), "drain row %zu", r);
	}
}

/* A statement still waiting after SIGTERM is cancelled with a quarter of
 * the drain time (at most 1 s) left for giving the articles back. */
static void
test_cancel(void)
{
	static const struct {
		long drain_ms;
		int64_t at; /* ms after the statement saw SIGTERM */
		bool want;
	} rows[] = {
		{ 20000, 0, false },    { 20000, 18999, false },
		{ 20000, 19000, true }, { 3000, 2249, false },
		{ 3000, 2250, true },   { 0, 0, true },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_policy p = pol;

		p.drain_ms = rows[r].drain_ms;
		CHECK(batch_cancel_due(&p, 5000, 5000 + rows[r].at) ==
		          rows[r].want,
		      "cancel row %zu", r);
	}
}

static void
test_credit(void)
{
	static const struct {
		bool session, draining;
		size_t live, in_hand;
		long window, outstanding;
	} rows[] = {
		{ true, false, 1, 0, 32, 32 }, { true, false, 2, 10, 32, 54 },
		{ true, false, 0, 0, 32, 0 },  { true, false, 1, 40, 32, 0 },
		{ false, false, 1, 5, 0, 0 },  { true, true, 1, 5, 0, 0 },
		{ false, true, 2, 0, 0, 0 },
	};
	static const struct {
		long inflight;
		size_t in_hand;
		bool over;
	} over[] = {
		{ 32, 0, false },  { 32, 63, false }, { 32, 64, true },
		{ 32, 500, true }, { 1, 1, false },   { 1, 2, true },
	};

	for (size_t r = 0; r < N(rows); r++) {
		CHECK_INT(batch_window(&pol, rows[r].session, rows[r].draining),
		          rows[r].window, "window row %zu", r);
		CHECK_INT(batch_credit_outstanding(
		              &pol, rows[r].session, rows[r].draining,
		              rows[r].live, rows[r].in_hand),
		          rows[r].outstanding, "outstanding row %zu", r);
	}
	for (size_t r = 0; r < N(over); r++) {
		struct batch_policy p = pol;

		p.inflight = over[r].inflight;
		CHECK(batch_over_credit(&p, over[r].in_hand) == over[r].over,
		      "over-credit row %zu", r);
	}
}

static void
test_stall(void)
{
	static const struct {
		long limit;
		int64_t since; /* 0: no batch open */
		int64_t want;
	} rows[] = {
		{ 10000, 0, 0 },
		{ 10000, 100000 - 5000, 0 },
		{ 10000, 100000 - 10000, 0 },
		{ 10000, 100000 - 10001, 10001 },
		{ 10000, 100000 - 60000, 60000 },
		{ 0, 100000 - 60000, 0 },
	};

	for (size_t r = 0; r < N(rows); r++) {
		struct batch_policy p = pol;

		p.ready_stall_ms = rows[r].limit;
		CHECK_INT(batch_stalled_ms(&p, rows[r].since, 100000),
		          rows[r].want, "stall row %zu", r);
	}
}

int
main(void)
{
	test_next();
	test_timeout();
	test_timeout_sequence();
	test_cap_after_commit();
	test_drain();
	test_cancel();
	test_credit();
	test_stall();
	return test_done("batch_test");
}
