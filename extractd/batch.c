/* batch.c - the worker's batching, drain and credit decisions (batch.h). */
#include "batch.h"

enum batch_step
batch_next(const struct batch_policy *p, const struct batch_view *v)
{
	size_t limit = batch_limit(p, v->cap);

	if (!v->session || v->put == 0)
		return BATCH_NONE;
	/* in_hand == put: every article in hand is in the batch, so what
	 * waits on the sockets is the next to take */
	if (!v->idle && v->put < limit && !v->draining &&
	    v->age_ms < p->batch_ms && v->in_hand == v->put)
		return BATCH_GROW;
	/* --batch-linger-ms trades latency for fewer commits */
	if (!v->draining && v->put < limit && v->age_ms < p->batch_linger_ms)
		return BATCH_LINGER;
	return BATCH_COMMIT;
}

size_t
batch_limit(const struct batch_policy *p, long cap)
{
	return (size_t)(cap > 0 ? cap : p->batch_size);
}

struct batch_timeout
batch_on_timeout(size_t put, bool writing)
{
	struct batch_timeout t = { false, 0 };

	if (writing) {
		/* statement_timeout is per statement: this article's own
		 * writing took too long. Alone, it is charged; else the
		 * articles before it go first, by themselves, and it starts
		 * the next batch. */
		if (put == 0)
			t.charge = true;
		else
			t.cap = (long)put;
	} else if (put <= 1) {
		t.charge = true;
	} else {
		t.cap = (long)(put + 1) / 2;
	}
	return t;
}

long
batch_cap_after_commit(const struct batch_policy *p, long cap)
{
	if (cap <= 0)
		return 0;
	return cap * 2 >= p->batch_size ? 0 : cap * 2;
}

struct batch_drain
batch_drain_begin(const struct batch_policy *p, int64_t now,
                  int64_t stop_seen_ms)
{
	struct batch_drain d;

	d.until_ms = (stop_seen_ms ? stop_seen_ms : now) + p->drain_ms;
	d.min_ms = now + (p->heartbeat_ms < 500 ? p->heartbeat_ms : 500);
	return d;
}

enum batch_leave
batch_drain_leave(const struct batch_drain *d, int64_t now, size_t in_hand)
{
	if (in_hand == 0 && now >= d->min_ms)
		return BATCH_LEAVE;
	if (now >= d->until_ms)
		return in_hand ? BATCH_LEAVE_RELEASING : BATCH_LEAVE;
	return BATCH_STAY;
}

bool
batch_cancel_due(const struct batch_policy *p, int64_t stop_seen_ms,
                 int64_t now)
{
	int64_t margin = p->drain_ms / 4;

	if (margin > 1000)
		margin = 1000;
	return now >= stop_seen_ms + p->drain_ms - margin;
}

long
batch_window(const struct batch_policy *p, bool session, bool draining)
{
	return session && !draining ? p->inflight : 0;
}

bool
batch_over_credit(const struct batch_policy *p, size_t in_hand)
{
	return in_hand >= 2 * (size_t)p->inflight;
}

long
batch_credit_outstanding(const struct batch_policy *p, bool session,
                         bool draining, size_t live, size_t in_hand)
{
	long c =
	    (long)live * batch_window(p, session, draining) - (long)in_hand;

	return c > 0 ? c : 0;
}

int64_t
batch_stalled_ms(const struct batch_policy *p, int64_t wait_since_ms,
                 int64_t now)
{
	if (!wait_since_ms || p->ready_stall_ms <= 0 ||
	    now - wait_since_ms <= p->ready_stall_ms)
		return 0;
	return now - wait_since_ms;
}
