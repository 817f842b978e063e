/* queue.c - entries in two chained hash tables (by id, by name) and two
 * intrusive lists (waiting FIFO, leased). */
#include "queue.h"
#include "err.h"
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *prev, *next;     /* waiting or leased list */
	struct entry *by_id, *by_name; /* hash chains */
	uint64_t size;
	unsigned attempts;
	uint32_t worker;
	bool suspect;
	int64_t leased_ms;
	char id[SHA256_HEX_LEN + 1];
	char name[]; /* flexible: one allocation per article */
};

struct list {
	struct entry *head, *tail;
	size_t n;
};

struct queue {
	struct entry **t_id, **t_name;
	size_t buckets; /* power of two, both tables */
	size_t n;
	uint64_t bytes;
	struct list waiting, leased;
};

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		abort(); /* daemons abort on OOM */
	return p;
}

static size_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static void
list_unlink(struct list *l, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

static void
list_push(struct list *l, struct entry *e, bool at_head)
{
	if (at_head) {
		e->prev = NULL;
		e->next = l->head;
		if (l->head)
			l->head->prev = e;
		else
			l->tail = e;
		l->head = e;
	} else {
		e->next = NULL;
		e->prev = l->tail;
		if (l->tail)
			l->tail->next = e;
		else
			l->head = e;
		l->tail = e;
	}
	l->n++;
}

queue_t *
queue_new(void)
{
	queue_t *self = xcalloc(1, sizeof(*self));

	self->buckets = 1024;
	self->t_id = xcalloc(self->buckets, sizeof(*self->t_id));
	self->t_name = xcalloc(self->buckets, sizeof(*self->t_name));
	return self;
}

void
queue_destroy(queue_t **self_p)
{
	queue_t *self = *self_p;

	if (!self)
		return;
	for (size_t i = 0; i < self->buckets; i++) {
		struct entry *e = self->t_id[i], *next;

		for (; e; e = next) {
			next = e->by_id;
			free(e);
		}
	}
	free(self->t_id);
	free(self->t_name);
	free(self);
	*self_p = NULL;
}

static struct entry *
get_id(const queue_t *self, const char *id)
{
	struct entry *e = self->t_id[hash(id) & (self->buckets - 1)];

	while (e && strcmp(e->id, id))
		e = e->by_id;
	return e;
}

static struct entry *
get_name(const queue_t *self, const char *name)
{
	struct entry *e = self->t_name[hash(name) & (self->buckets - 1)];

	while (e && strcmp(e->name, name))
		e = e->by_name;
	return e;
}

static void
link_id(queue_t *self, struct entry *e)
{
	size_t b = hash(e->id) & (self->buckets - 1);

	e->by_id = self->t_id[b];
	self->t_id[b] = e;
}

static void
unlink_id(queue_t *self, struct entry *e)
{
	struct entry **pp = &self->t_id[hash(e->id) & (self->buckets - 1)];

	while (*pp != e)
		pp = &(*pp)->by_id;
	*pp = e->by_id;
}

static void
link_name(queue_t *self, struct entry *e)
{
	size_t b = hash(e->name) & (self->buckets - 1);

	e->by_name = self->t_name[b];
	self->t_name[b] = e;
}

static void
unlink_name(queue_t *self, struct entry *e)
{
	struct entry **pp = &self->t_name[hash(e->name) & (self->buckets - 1)];

	while (*pp != e)
		pp = &(*pp)->by_name;
	*pp = e->by_name;
}

/* Doubles both tables when the load passes 1. */
static void
grow(queue_t *self)
{
	size_t old = self->buckets;
	struct entry **t_id = self->t_id;

	self->buckets = old * 2;
	self->t_id = xcalloc(self->buckets, sizeof(*self->t_id));
	free(self->t_name);
	self->t_name = xcalloc(self->buckets, sizeof(*self->t_name));
	for (size_t i = 0; i < old; i++) {
		struct entry *e = t_id[i], *next;

		for (; e; e = next) {
			next = e->by_id;
			link_id(self, e);
			link_name(self, e);
		}
	}
	free(t_id);
}

static void
view(const struct entry *e, struct queue_item *out)
{
	out->id = e->id;
	out->name = e->name;
	out->size = e->size;
	out->attempts = e->attempts;
	out->worker = e->worker;
	out->suspect = e->suspect;
	out->leased_ms = e->leased_ms;
}

int
queue_add(queue_t *self, const char *id, const char *name, uint64_t size,
          unsigned attempts, const char **dup_name)
{
	struct entry *e;
	size_t nlen = strlen(name);

	if (get_name(self, name))
		return ERR_AGAIN;
	e = get_id(self, id);
	if (e) {
		if (dup_name)
			*dup_name = e->name;
		return ERR_INVAL;
	}
	if (self->n + 1 > self->buckets)
		grow(self);
	e = xcalloc(1, sizeof(*e) + nlen + 1);
	snprintf(e->id, sizeof(e->id), "%s", id);
	memcpy(e->name, name, nlen + 1);
	e->size = size;
	e->attempts = attempts;
	link_id(self, e);
	link_name(self, e);
	list_push(&self->waiting, e, false);
	self->n++;
	self->bytes += size;
	return 0;
}

bool
queue_find(const queue_t *self, const char *id, struct queue_item *out)
{
	struct entry *e = get_id(self, id);

	if (e && out)
		view(e, out);
	return e != NULL;
}

bool
queue_find_name(const queue_t *self, const char *name, struct queue_item *out)
{
	struct entry *e = get_name(self, name);

	if (e && out)
		view(e, out);
	return e != NULL;
}

int
queue_lease(queue_t *self, uint32_t worker, struct queue_item *out)
{
	return queue_lease_at(self, worker, 0, out);
}

int
queue_lease_at(queue_t *self, uint32_t worker, int64_t now_ms,
               struct queue_item *out)
{
	struct entry *e = self->waiting.head;

	if (!e)
		return ERR_NOTFOUND;
	list_unlink(&self->waiting, e);
	list_push(&self->leased, e, false);
	e->worker = worker;
	e->leased_ms = now_ms;
	view(e, out);
	return 0;
}

bool
queue_head(const queue_t *self, struct queue_item *out)
{
	if (self->waiting.head)
		view(self->waiting.head, out);
	return self->waiting.head != NULL;
}

bool
queue_oldest_lease(const queue_t *self, struct queue_item *out)
{
	if (self->leased.head)
		view(self->leased.head, out);
	return self->leased.head != NULL;
}

int
queue_set_suspect(queue_t *self, const char *id)
{
	struct entry *e = get_id(self, id);

	if (!e)
		return ERR_NOTFOUND;
	e->suspect = true;
	return 0;
}

int
queue_unlease(queue_t *self, const char *id, bool count_attempt, bool at_head)
{
	struct entry *e = get_id(self, id);

	if (!e || !e->worker)
		return ERR_NOTFOUND;
	list_unlink(&self->leased, e);
	list_push(&self->waiting, e, at_head);
	e->worker = 0;
	if (count_attempt)
		e->attempts++;
	return (int)e->attempts;
}

int
queue_rekey(queue_t *self, const char *id, const char *new_id)
{
	struct entry *e = get_id(self, id);

	if (!e)
		return ERR_NOTFOUND;
	if (get_id(self, new_id))
		return ERR_INVAL;
	unlink_id(self, e);
	snprintf(e->id, sizeof(e->id), "%s", new_id);
	link_id(self, e);
	return 0;
}

int
queue_remove(queue_t *self, const char *id)
{
	struct entry *e = get_id(self, id);

	if (!e)
		return ERR_NOTFOUND;
	list_unlink(e->worker ? &self->leased : &self->waiting, e);
	unlink_id(self, e);
	unlink_name(self, e);
	self->n--;
	self->bytes -= e->size;
	free(e);
	return 0;
}

size_t
queue_each_leased(queue_t *self, uint32_t worker,
                  void (*fn)(void *ctx, const char *id), void *ctx)
{
	char(*ids)[SHA256_HEX_LEN + 1];
	size_t n = 0;

	/* Copy first: fn may unlease or remove entries under us. */
	ids = xcalloc(self->leased.n + 1, sizeof(*ids));
	for (struct entry *e = self->leased.head; e; e = e->next)
		if (e->worker == worker)
			memcpy(ids[n++], e->id, sizeof(ids[0]));
	for (size_t i = 0; i < n; i++)
		fn(ctx, ids[i]);
	free(ids);
	return n;
}

size_t
queue_waiting(const queue_t *self)
{
	return self->waiting.n;
}

size_t
queue_leased(const queue_t *self)
{
	return self->leased.n;
}

uint64_t
queue_bytes(const queue_t *self)
{
	return self->bytes;
}
