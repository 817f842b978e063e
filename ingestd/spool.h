/* spool.h - ingestd's spool directory: DIR/incoming (accepted, not yet
 * acked), DIR/done, DIR/failed (with NAME.error), DIR/tmp (our temp files,
 * same file system so rename(2) is atomic).
 *
 * Does: everything that touches those files. An article is NAME in
 * incoming/; beside it may be NAME.meta.json (uri, feed, content_type,
 * charset, received_us) and .NAME.attempts (how many attempts have been
 * counted against it, so a restart does not reset them). Writes are
 * durable before they return (fsync of the file and of the directory).
 * Does not: keep state beyond its directory fds, parse article bodies, or
 * decide what to do (main.c, broker.c). */
#ifndef INGESTD_SPOOL_H
#define INGESTD_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct spool spool_t;

struct spool_meta {
	char *uri; /* all malloc'd, never NULL after spool_read() */
	char *feed;
	char *content_type;
	char *charset;
	int64_t received_us;
};

/* Opens (creating what is missing) the spool at dir and removes temp files
 * left over in tmp/. NULL on failure (logged). */
spool_t *spool_open(const char *dir);
void spool_close(spool_t **self_p);
const char *spool_incoming_path(const spool_t *self); /* borrowed */

/* Whether a directory entry of incoming/ may be an article: not a
 * dot-file, *.tmp, *.meta.json or *.error. */
bool spool_is_article_name(const char *name);

/* Looks at incoming/NAME at intake, never blocking (a FIFO) and never
 * following a symbolic link: 0 with *size and id (65 bytes) of a regular
 * file with one name; ERR_NOTFOUND when it is gone; ERR_INVAL with *why
 * (static) when it is no article by the spool contract (a symbolic link,
 * a FIFO, socket, device or directory, a hard link); ERR_TOOBIG (*size
 * set) when larger than max_bytes; ERR_IO. */
int spool_inspect(spool_t *self, const char *name, uint64_t max_bytes, char *id,
                  uint64_t *size, const char **why);

/* Accepts an article from stdin: writes body (and meta) into tmp/, fsyncs,
 * renames into incoming/ID (+ ID.meta.json), fsyncs the directory. 0 or
 * ERR_IO (logged; nothing is left in incoming/). */
int spool_write(spool_t *self, const char *id, const void *body, size_t len,
                const struct spool_meta *meta);

/* Reads incoming/NAME (at most max_bytes: ERR_TOOBIG above) and its
 * sidecar for dispatch. *body is malloc'd (caller frees); meta must be
 * cleared with spool_meta_clear(). ERR_NOTFOUND when the file is gone. */
int spool_read(spool_t *self, const char *name, size_t max_bytes, void **body,
               size_t *len, struct spool_meta *meta);
void spool_meta_clear(struct spool_meta *meta);
/* A sidecar's received_us: decimal microseconds since 1970, from 2000 to
 * a day from now. 0 and *out, or ERR_INVAL (*out untouched: spool_read()
 * keeps the file's mtime and logs spool.meta_invalid). */
int spool_received_us_ok(const char *text, int64_t *out);

/* Acked: moves NAME (and its sidecar) into done/, or deletes it when
 * retention_hours is 0; drops its attempts file. With an id (not NULL or
 * ""), only when NAME still holds those bytes: ERR_AGAIN (logged, nothing
 * moved) when another file took the name meanwhile. 0 (also when NAME is
 * gone), ERR_AGAIN or ERR_IO (logged). */
int spool_done(spool_t *self, const char *name, const char *id,
               long retention_hours);
/* Gives up: moves NAME and its sidecar into failed/, then writes
 * failed/DEST.error (name, id, reason, attempts, time; one line each,
 * control bytes blanked). DEST is NAME, shortened when NAME.meta.json
 * would not fit in NAME_MAX, with a suffix (the id's first 12 digits,
 * else a number) when an earlier refusal holds it. With an id, ERR_AGAIN
 * as spool_done(). Once the article left incoming/ it returns 0 even if
 * the .error could not be written (logged). 0, ERR_AGAIN, ERR_NOTFOUND
 * (NAME is gone: nothing written) or ERR_IO. */
int spool_fail(spool_t *self, const char *name, const char *id,
               const char *reason, unsigned attempts);

/* A refused file's notice to the workers (docs/PROTOCOL.md, "Notices of
 * refusal"): failed/.DEST.notice, written beside the refused failed/DEST
 * and its .error, kept until a worker has recorded the refusal in
 * ingest_errors, so it survives a restart (spool_scan_notices()). */
#define SPOOL_NOTICE_PREFIX (64 * 1024) /* bytes of the file it carries */
struct spool_notice {
	char marker[300];   /* .DEST.notice: its name in failed/ and queue */
	char id[65];        /* SHA-256 of the whole file, hex */
	uint64_t size;      /* of the whole file */
	int64_t refused_us; /* when, unix microseconds */
	char dest[260];     /* failed/DEST */
	char reason[512];   /* why it was refused */
};
/* Whether name is a notice's (.DEST.notice), never an article's. */
bool spool_is_notice_name(const char *name);
/* spool_fail() without an id, then the notice: hashes the whole file
 * (now failed/DEST) and writes failed/.DEST.notice durably. 0 and *out
 * (out->marker "" when the file was refused but the notice could not be
 * made: logged, the refusal is then in failed/ only; out->id "" when the
 * file is longer than the inline limit and the hasher has it), or
 * spool_fail()'s errors. */
int spool_refuse(spool_t *self, const char *name, const char *reason,
                 struct spool_notice *out);
/* Refused files longer than this are hashed by a thread of the spool's,
 * not by spool_refuse()'s caller: their marker is written at once with an
 * empty id ("still to hash", out->id "") and completed by
 * spool_notices_hashed(). 64 MiB is well under a second of reading. */
#define SPOOL_HASH_INLINE_MAX (64u << 20)
void spool_set_hash_inline_max(spool_t *self, uint64_t bytes);
/* Completes the notices whose files the thread has hashed (their markers
 * rewritten with the id, durably) and calls fn for each, as
 * spool_scan_notices() does; a file that could not be read (gone,
 * unreadable) loses its marker, logged. Returns how many were made. Call
 * it from the loop. */
int spool_notices_hashed(spool_t *self,
                         void (*fn)(void *ctx, const struct spool_notice *n),
                         void *ctx);
/* Notices still being hashed (submitted, not yet completed). */
size_t spool_notices_hashing(spool_t *self);
/* Reads the notice marker and up to max bytes of the start of
 * failed/DEST (*prefix, malloc'd, caller frees; none when DEST is gone).
 * 0, ERR_NOTFOUND (no such notice) or ERR_IO. */
int spool_notice_read(spool_t *self, const char *marker, size_t max,
                      struct spool_notice *out, void **prefix, size_t *len);
/* The refusal is recorded: removes the marker. 0 (also when gone). */
int spool_notice_done(spool_t *self, const char *marker);
/* Calls fn for every notice in failed/ (unreadable ones are logged and
 * skipped); those still to hash go to the hasher instead and come back
 * through spool_notices_hashed(). 0 or ERR_IO. */
int spool_scan_notices(spool_t *self,
                       void (*fn)(void *ctx, const struct spool_notice *n),
                       void *ctx);

/* .NAME.attempts: the count (0 when there is none). */
unsigned spool_attempts_get(spool_t *self, const char *name);
int spool_attempts_set(spool_t *self, const char *name, unsigned n,
                       const char *reason);

/* Calls fn for every article name in incoming/. 0 or ERR_IO. */
int spool_scan(spool_t *self, void (*fn)(void *ctx, const char *name),
               void *ctx);
/* Bytes available to us on the spool's file system; ERR_IO if it cannot
 * be read. */
int spool_free_bytes(spool_t *self, uint64_t *out);
/* Deletes files in done/ older than retention_hours. Returns how many. */
size_t spool_sweep_done(spool_t *self, long retention_hours);

#endif
