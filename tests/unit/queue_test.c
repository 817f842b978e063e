/* queue_test.c - ingestd's in-memory queue: FIFO order, dedupe by id and
 * by name, leases and their end (ACK, failure, a lost worker: expiry is
 * the broker giving a silent worker's leases back), attempts, re-keying,
 * and a queue large enough to grow its tables. */
#include "err.h"
#include "queue.h"
#include "test.h"

#include <stdio.h>

/* A 64-hex id from a number. */
static const char *
id_of(unsigned n, char *buf)
{
	snprintf(buf, 65, "%064x", n);
	return buf;
}

/* The waiting FIFO as names, by leasing everything to worker 99 and
 * giving it back in the same order (at the tail). */
static char *
order(queue_t *q)
{
	static char out[1024];
	struct queue_item it;
	char ids[64][65];
	size_t n = 0, len = 0;

	out[0] = '\0';
	while (n < 64 && queue_lease(q, 99, &it) == 0) {
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
		                        n ? " " : "", it.name);
		memcpy(ids[n++], it.id, 65);
	}
	for (size_t i = 0; i < n; i++)
		queue_unlease(q, ids[i], false, false);
	return out;
}

static void
test_order_and_dedupe(void)
{
	static const struct {
		unsigned id;
		const char *name;
		int rc;
		const char *dup; /* the name reported for ERR_INVAL */
	} adds[] = {
		{ 1, "a.txt", 0, NULL },
		{ 2, "b.txt", 0, NULL },
		{ 3, "c.txt", 0, NULL },
		{ 2, "b-copy.txt", ERR_INVAL, "b.txt" }, /* same bytes */
		{ 9, "a.txt", ERR_AGAIN, NULL },         /* same name */
		{ 1, "a.txt", ERR_AGAIN, NULL },
		{ 4, "d.txt", 0, NULL },
	};
	queue_t *q = queue_new();
	struct queue_item it;
	char id[65];

	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		const char *dup = NULL;

		CHECK_INT(queue_add(q, id_of(adds[i].id, id), adds[i].name,
		                    100 * adds[i].id, adds[i].id == 3 ? 2 : 0,
		                    &dup),
		          adds[i].rc, "add %zu", i);
		CHECK_STR(dup, adds[i].dup, "add %zu", i);
	}
	CHECK_INT(queue_add(q, id_of(2, id), "again.txt", 1, 0, NULL),
	          ERR_INVAL, "dup_name may be NULL");
	CHECK_INT(queue_waiting(q), 4);
	CHECK_INT(queue_leased(q), 0);
	CHECK_INT(queue_bytes(q), 100 + 200 + 300 + 400);
	CHECK(queue_find(q, id_of(3, id), &it));
	CHECK_STR(it.name, "c.txt");
	CHECK_INT(it.size, 300);
	CHECK_INT(it.attempts, 2);
	CHECK_INT(it.worker, 0);
	CHECK(queue_find_name(q, "d.txt", &it));
	CHECK_STR(it.id, id_of(4, id));
	CHECK(!queue_find(q, id_of(9, id), NULL));
	CHECK(!queue_find_name(q, "b-copy.txt", NULL));
	CHECK(queue_find(q, id_of(1, id), NULL), "out may be NULL");
	CHECK_STR(order(q), "a.txt b.txt c.txt d.txt");
	queue_destroy(&q);
	CHECK(q == NULL);
	queue_destroy(&q);
}

static void
test_leases(void)
{
	queue_t *q = queue_new();
	struct queue_item it;
	char id[65];

	CHECK_INT(queue_lease(q, 1, &it), ERR_NOTFOUND, "empty");
	for (unsigned i = 1; i <= 5; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%u", i);
		queue_add(q, id_of(i, id), name, 10, 0, NULL);
	}
	/* FIFO across workers */
	CHECK_INT(queue_lease(q, 7, &it), 0);
	CHECK_STR(it.name, "n1");
	CHECK_INT(it.worker, 7);
	CHECK_INT(queue_lease(q, 8, &it), 0);
	CHECK_STR(it.name, "n2");
	CHECK_INT(queue_lease(q, 7, &it), 0);
	CHECK_STR(it.name, "n3");
	CHECK_INT(queue_waiting(q), 2);
	CHECK_INT(queue_leased(q), 3);
	CHECK_INT(queue_bytes(q), 50, "leased bytes still count");
	CHECK(queue_find(q, id_of(2, id), &it) && it.worker == 8);

	/* RELEASED / EAGAIN: back at the head, no attempt */
	CHECK_INT(queue_unlease(q, id_of(2, id), false, true), 0);
	CHECK_STR(order(q), "n2 n4 n5");
	/* FAILED: at the tail, one attempt */
	CHECK_INT(queue_unlease(q, id_of(3, id), true, false), 1);
	CHECK_STR(order(q), "n2 n4 n5 n3");
	CHECK(queue_find(q, id_of(3, id), &it) && it.attempts == 1 &&
	      it.worker == 0);
	/* not leased, or unknown: nothing to give back */
	CHECK_INT(queue_unlease(q, id_of(3, id), true, false), ERR_NOTFOUND);
	CHECK_INT(queue_unlease(q, id_of(42, id), true, false), ERR_NOTFOUND);
	CHECK(queue_find(q, id_of(3, id), &it) && it.attempts == 1);

	/* ACK: forgotten, leased or not */
	CHECK_INT(queue_remove(q, id_of(1, id)), 0);
	CHECK_INT(queue_remove(q, id_of(1, id)), ERR_NOTFOUND);
	CHECK_INT(queue_remove(q, id_of(5, id)), 0);
	CHECK(!queue_find_name(q, "n5", NULL));
	CHECK_INT(queue_waiting(q), 3);
	CHECK_INT(queue_leased(q), 0);
	CHECK_INT(queue_bytes(q), 30);
	/* a name is free again once its entry is gone */
	CHECK_INT(queue_add(q, id_of(55, id), "n5", 1, 0, NULL), 0);
	queue_destroy(&q);
}

struct expire_ctx {
	queue_t *q;
	int calls;
	char seen[256];
};

/* What the broker does for a worker that went silent: each lease back
 * at the head with an attempt counted. */
static void
expire_one(void *ctx, const char *id)
{
	struct expire_ctx *c = ctx;
	struct queue_item it;
	size_t n = strlen(c->seen);

	c->calls++;
	if (queue_find(c->q, id, &it))
		snprintf(c->seen + n, sizeof(c->seen) - n, "%s%s", n ? " " : "",
		         it.name);
	queue_unlease(c->q, id, true, true);
}

static void
remove_one(void *ctx, const char *id)
{
	struct expire_ctx *c = ctx;

	c->calls++;
	queue_remove(c->q, id);
}

static void
test_expiry_and_attempts(void)
{
	queue_t *q = queue_new();
	struct expire_ctx c = { q, 0, "" };
	struct queue_item it;
	char id[65];

	for (unsigned i = 1; i <= 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "e%u", i);
		/* e4 comes back from the spool with 3 attempts already */
		queue_add(q, id_of(i, id), name, 1, i == 4 ? 3 : 0, NULL);
	}
	queue_lease(q, 1, &it); /* e1 */
	queue_lease(q, 2, &it); /* e2 */
	queue_lease(q, 1, &it); /* e3 */
	CHECK_INT(queue_each_leased(q, 1, expire_one, &c), 2);
	CHECK_INT(c.calls, 2);
	CHECK_STR(c.seen, "e1 e3");
	CHECK_INT(queue_leased(q), 1);
	/* each went to the head in turn: the last one given back is first */
	CHECK_STR(order(q), "e3 e1 e4");
	CHECK(queue_find_name(q, "e1", &it) && it.attempts == 1);
	CHECK(queue_find_name(q, "e3", &it) && it.attempts == 1);
	CHECK(queue_find_name(q, "e2", &it) && it.attempts == 0 &&
	      it.worker == 2);
	CHECK_INT(queue_each_leased(q, 1, expire_one, &c), 0,
	          "nothing left for worker 1");

	/* attempts accumulate over leases: e4 started at 3 */
	for (int round = 0; round < 2; round++) {
		while (queue_lease(q, 3, &it) == 0 && strcmp(it.name, "e4"))
			queue_unlease(q, it.id, false, false);
		CHECK_STR(it.name, "e4");
		CHECK_INT(queue_unlease(q, it.id, true, false), 4 + 2 * round);
		while (queue_lease(q, 3, &it) == 0)
			;
		CHECK_INT(queue_each_leased(q, 3, expire_one, &c), 3);
	}
	CHECK(queue_find_name(q, "e4", &it) && it.attempts == 7,
	      "3 + 2 failures + 2 expiries: %u", it.attempts);

	/* the callback may remove what it is given */
	while (queue_lease(q, 5, &it) == 0)
		;
	c.calls = 0;
	CHECK_INT(queue_each_leased(q, 5, remove_one, &c), 3);
	CHECK_INT(c.calls, 3);
	CHECK_INT(queue_waiting(q) + queue_leased(q), 1, "e2 is left");
	queue_destroy(&q);
}

static void
test_rekey(void)
{
	queue_t *q = queue_new();
	struct queue_item it;
	char a[65], b[65], c[65];

	queue_add(q, id_of(1, a), "file", 5, 1, NULL);
	queue_add(q, id_of(2, b), "other", 5, 0, NULL);
	/* the file changed: same name, new bytes */
	CHECK_INT(queue_rekey(q, id_of(1, a), id_of(3, c)), 0);
	CHECK(!queue_find(q, id_of(1, a), NULL));
	CHECK(queue_find(q, id_of(3, c), &it));
	CHECK_STR(it.name, "file");
	CHECK_INT(it.attempts, 1);
	CHECK_INT(queue_rekey(q, id_of(3, c), id_of(2, b)), ERR_INVAL,
	          "new id taken");
	CHECK_INT(queue_rekey(q, id_of(9, a), id_of(8, b)), ERR_NOTFOUND);
	CHECK(queue_find(q, id_of(3, c), NULL));
	CHECK_INT(queue_remove(q, id_of(3, c)), 0);
	CHECK(!queue_find_name(q, "file", NULL));
	queue_destroy(&q);
}

/* Past the first table size (1024): every entry still found by id and by
 * name, the FIFO intact. */
static void
test_growth(void)
{
	enum { N = 5000 };
	queue_t *q = queue_new();
	struct queue_item it;
	char id[65], name[32];
	int found = 0, in_order = 0;

	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "g%05u", i);
		queue_add(q, id_of(i + 1, id), name, 1, 0, NULL);
	}
	CHECK_INT(queue_waiting(q), N);
	CHECK_INT(queue_bytes(q), N);
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "g%05u", i);
		if (queue_find(q, id_of(i + 1, id), &it) &&
		    !strcmp(it.name, name) && queue_find_name(q, name, &it) &&
		    !strcmp(it.id, id))
			found++;
	}
	CHECK_INT(found, N);
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "g%05u", i);
		if (queue_lease(q, 1, &it) == 0 && !strcmp(it.name, name))
			in_order++;
		if (i % 2)
			queue_remove(q, it.id);
	}
	CHECK_INT(in_order, N);
	CHECK_INT(queue_leased(q), N / 2);
	CHECK_INT(queue_waiting(q), 0);
	queue_destroy(&q);
}

int
main(void)
{
	test_order_and_dedupe();
	test_leases();
	test_expiry_and_attempts();
	test_rekey();
	test_growth();
	return test_done("queue_test");
}
