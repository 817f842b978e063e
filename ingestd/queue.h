/* queue.h - the articles ingestd holds in memory: waiting (FIFO) or
 * leased to one worker.
 *
 * Does: keeps only what dispatching needs (id, spool name, size, attempts,
 * lease holder), so 100,000 waiting articles cost a few MB; finds entries
 * by id (ACKs, dedupe) and by name (inotify events, rescans).
 * Does not: touch files (spool.h), know sockets or time. Workers are
 * plain numbers given by the caller (0 means "not leased"). */
#ifndef INGESTD_QUEUE_H
#define INGESTD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct queue queue_t;

/* A view of one entry; strings are borrowed until the entry is removed
 * or re-keyed. */
struct queue_item {
	const char *id;
	const char *name;
	uint64_t size;
	unsigned attempts;
	uint32_t worker;   /* lease holder, 0 when waiting */
	bool suspect;      /* held by a worker that was lost holding others */
	int64_t leased_ms; /* when leased (queue_lease_at), else stale */
};

queue_t *queue_new(void);
void queue_destroy(queue_t **self_p);

/* Adds a waiting article at the tail. 0; ERR_AGAIN when name is already
 * queued (nothing changes); ERR_INVAL when id is already queued under
 * another name (*dup_name, if not NULL, names it: the new file is a
 * duplicate). */
int queue_add(queue_t *self, const char *id, const char *name, uint64_t size,
              unsigned attempts, const char **dup_name);
bool queue_find(const queue_t *self, const char *id, struct queue_item *out);
bool queue_find_name(const queue_t *self, const char *name,
                     struct queue_item *out);

/* Leases the head of the FIFO to worker (> 0). 0 and *out, or
 * ERR_NOTFOUND when nothing waits. */
int queue_lease(queue_t *self, uint32_t worker, struct queue_item *out);
/* The same, noting when (the caller's clock): leases are kept in that
 * order, so queue_oldest_lease() is the one leased longest ago. */
int queue_lease_at(queue_t *self, uint32_t worker, int64_t now_ms,
                   struct queue_item *out);
/* The head of the waiting FIFO, or the oldest lease; false when none. */
bool queue_head(const queue_t *self, struct queue_item *out);
bool queue_oldest_lease(const queue_t *self, struct queue_item *out);
/* Marks an entry suspect (until it leaves the queue): it was held by a
 * worker that was lost together with others, so which of them caused it
 * is unknown. 0 or ERR_NOTFOUND. */
int queue_set_suspect(queue_t *self, const char *id);
/* Puts a leased article back. count_attempt: the holder failed on it or
 * died holding it (attempts + 1). at_head: first in line again (a send
 * that did not happen, a lost worker) instead of the tail (a failure).
 * Returns the entry's attempts, or ERR_NOTFOUND. */
int queue_unlease(queue_t *self, const char *id, bool count_attempt,
                  bool at_head);
/* Changes an entry's id (its file changed since it was queued). 0, or
 * ERR_INVAL when new_id is already queued. */
int queue_rekey(queue_t *self, const char *id, const char *new_id);
/* Forgets an entry (acked, failed, vanished). 0 or ERR_NOTFOUND. */
int queue_remove(queue_t *self, const char *id);

/* Calls fn for each article leased to worker (the caller may unlease or
 * remove the one it is given; ids are copied first). Returns how many. */
size_t queue_each_leased(queue_t *self, uint32_t worker,
                         void (*fn)(void *ctx, const char *id), void *ctx);

size_t queue_waiting(const queue_t *self);
size_t queue_leased(const queue_t *self);
uint64_t queue_bytes(const queue_t *self); /* waiting + leased */

#endif
