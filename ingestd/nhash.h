/* nhash.h - hashes refused files off the event loop.
 *
 * A file refused for its size can be any size; its notice's id is the
 * SHA-256 of the whole file (spool.h, "notice"), and reading gigabytes in
 * the event loop would stop dispatch, heartbeats and /healthz for as long.
 * One thread reads and hashes the files it is given, in submission order,
 * and hands the results back to the loop, which takes them when it wakes
 * (at least every 250 ms).
 *
 * Does: open the file read-only under the directory it was made with
 * (O_NOFOLLOW, O_NONBLOCK, regular files only), hash it, report id and
 * size or an errno. Does not: write anything, touch the queue or log (the
 * caller does both with the results). Thread-safe between the loop thread
 * (nhash_submit, nhash_take, nhash_destroy) and its own thread. */
#ifndef INGESTD_NHASH_H
#define INGESTD_NHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nhash nhash_t;

/* Hashes what is left to read of fd: 0 and the hex SHA-256 in id (65
 * bytes) and the bytes read in *size; or the errno of a failed read, or
 * ECANCELED when stop(ctx) (may be NULL) said so between two reads. Any
 * thread; the one hashing both of spool_refuse() and of the thread. */
int nhash_fd(int fd, char *id, uint64_t *size, bool (*stop)(void *ctx),
             void *ctx);

struct nhash_job {
	char dest[260];   /* the file, under the directory */
	char marker[300]; /* the caller's tag: its notice's marker name */
	char id[65];      /* hex SHA-256 when err is 0 */
	uint64_t size;    /* bytes hashed */
	int err;          /* 0, or the errno that stopped it */
};

/* dirfd stays owned by the caller and open until nhash_destroy(). NULL
 * when the thread cannot start (logged by the caller). */
nhash_t *nhash_new(int dirfd);
/* Stops the thread between two reads (a job under way is dropped: its
 * marker says it is still to hash, and the next run hashes it again). */
void nhash_destroy(nhash_t **self_p);
/* Queues dest (and its tag) for hashing; a copy is kept. */
void nhash_submit(nhash_t *self, const char *dest, const char *marker);
/* Moves up to max finished jobs into out; returns how many. */
size_t nhash_take(nhash_t *self, struct nhash_job *out, size_t max);
/* Jobs submitted and not yet taken (waiting, under way or finished). */
size_t nhash_pending(nhash_t *self);

#endif
