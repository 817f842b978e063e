/* spool.c - the spool's files, through directory fds (openat, renameat),
 * so a path is built once and every name is relative to its folder. */
#define _GNU_SOURCE /* renameat2 */
#include "spool.h"
#include "err.h"
#include "flatjson.h"
#include "log.h"
#include "nhash.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define META_SUFFIX ".meta.json"
#define META_MAX (64 * 1024)

struct spool {
	char *dir;
	char *incoming_path;
	int fd_in, fd_done, fd_failed, fd_tmp;
	nhash_t *hasher;          /* refused files above hash_inline_max */
	uint64_t hash_inline_max; /* hashed in the caller's thread up to */
};

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

static void
log_errno(const char *event, const char *path, int e)
{
	log_error(event, LF_STR("path", path), LF_STR("err", strerror(e)));
}

static int
open_sub(const char *dir, const char *sub)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		log_errno("spool.mkdir", path, errno);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		log_errno("spool.open", path, errno);
	return fd;
}

/* tmp/ holds only our half-written files: anything there at start is
 * garbage from a crash. */
static void
clean_tmp(spool_t *self)
{
	int fd = dup(self->fd_tmp);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' ||
		    (de->d_name[1] != '\0' && strcmp(de->d_name, "..") != 0))
			unlinkat(self->fd_tmp, de->d_name, 0);
	closedir(d);
}

spool_t *
spool_open(const char *dir)
{
	spool_t *self = calloc(1, sizeof(*self));
	char path[4096];

	if (!self)
		abort();
	self->fd_in = self->fd_done = self->fd_failed = self->fd_tmp = -1;
	self->dir = xstrdup(dir);
	snprintf(path, sizeof(path), "%s/incoming", dir);
	self->incoming_path = xstrdup(path);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_errno("spool.mkdir", dir, errno);
		goto fail;
	}
	self->fd_in = open_sub(dir, "incoming");
	self->fd_done = open_sub(dir, "done");
	self->fd_failed = open_sub(dir, "failed");
	self->fd_tmp = open_sub(dir, "tmp");
	if (self->fd_in < 0 || self->fd_done < 0 || self->fd_failed < 0 ||
	    self->fd_tmp < 0)
		goto fail;
	clean_tmp(self);
	self->hash_inline_max = SPOOL_HASH_INLINE_MAX;
	self->hasher = nhash_new(self->fd_failed);
	if (!self->hasher) {
		log_errno("spool.hasher", dir, errno);
		goto fail;
	}
	return self;
fail:
	spool_close(&self);
	return NULL;
}

void
spool_close(spool_t **self_p)
{
	spool_t *self = *self_p;

	if (!self)
		return;
	nhash_destroy(&self->hasher);
	if (self->fd_in >= 0)
		close(self->fd_in);
	if (self->fd_done >= 0)
		close(self->fd_done);
	if (self->fd_failed >= 0)
		close(self->fd_failed);
	if (self->fd_tmp >= 0)
		close(self->fd_tmp);
	free(self->dir);
	free(self->incoming_path);
	free(self);
	*self_p = NULL;
}

const char *
spool_incoming_path(const spool_t *self)
{
	return self->incoming_path;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool
spool_is_article_name(const char *name)
{
	return name[0] != '.' && name[0] != '\0' && !ends_with(name, ".tmp") &&
	       !ends_with(name, META_SUFFIX) && !ends_with(name, ".error");
}

/* O_NONBLOCK: opening a FIFO for reading waits for a writer, and one
 * left in the spool would stop the event loop (and the start-up scan) for
 * good. O_NOFOLLOW, and the type checked on the open file (a name can be
 * replaced between an lstat and the open). */
static int
open_regular(int dirfd, const char *name, struct stat *st, const char **why)
{
	int fd =
	    openat(dirfd, name,
	           O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		if (errno == ELOOP) {
			*why = "a symbolic link (not followed): move the file "
			       "itself in";
			return ERR_INVAL;
		}
		if (errno == EACCES) {
			*why = "not readable by ingestd (permission denied)";
			return ERR_INVAL;
		}
		return ERR_IO;
	}
	if (fstat(fd, st) != 0) {
		close(fd);
		return ERR_IO;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		*why = S_ISDIR(st->st_mode) ? "a directory, not a file"
		                            : "not a regular file (FIFO, "
		                              "socket or device)";
		return ERR_INVAL;
	}
	return fd;
}

int
spool_inspect(spool_t *self, const char *name, uint64_t max_bytes, char *id,
              uint64_t *size, const char **why)
{
	struct sha256 h;
	struct stat st;
	char buf[65536];
	ssize_t r;
	int fd;

	*why = NULL;
	fd = open_regular(self->fd_in, name, &st, why);
	if (fd == ERR_IO)
		log_errno("spool.open", name, errno);
	if (fd < 0)
		return fd;
	/* A second name of a file we could not read otherwise (ln of
	 * something the feeder had no right to move) must not be taken. */
	if (st.st_nlink > 1) {
		close(fd);
		*why = "a hard link (more than one name): move the file in "
		       "with rename(2)";
		return ERR_INVAL;
	}
	*size = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size > max_bytes) {
		close(fd);
		return ERR_TOOBIG;
	}
	sha256_init(&h);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			log_errno("spool.read", name, errno);
			close(fd);
			return ERR_IO;
		}
		sha256_update(&h, buf, (size_t)r);
	}
	close(fd);
	sha256_final_hex(&h, id);
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* tmp/TMPNAME <- buf, fsync'd, then renamed to dirfd/NAME. */
static int
write_durable(spool_t *self, const char *tmpname, int dirfd, const char *name,
              const void *buf, size_t len)
{
	int fd = openat(self->fd_tmp, tmpname,
	                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

	if (fd < 0) {
		log_errno("spool.write", tmpname, errno);
		return ERR_IO;
	}
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
		log_errno("spool.write", tmpname, errno);
		close(fd);
		unlinkat(self->fd_tmp, tmpname, 0);
		return ERR_IO;
	}
	close(fd);
	if (renameat(self->fd_tmp, tmpname, dirfd, name) != 0) {
		log_errno("spool.rename", name, errno);
		unlinkat(self->fd_tmp, tmpname, 0);
		return ERR_IO;
	}
	return 0;
}

static char *
meta_json(const struct spool_meta *m, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	fputs("{\"uri\":", f);
	flatjson_put_str(f, m->uri);
	fputs(",\"feed\":", f);
	flatjson_put_str(f, m->feed);
	fputs(",\"content_type\":", f);
	flatjson_put_str(f, m->content_type);
	fputs(",\"charset\":", f);
	flatjson_put_str(f, m->charset);
	fprintf(f, ",\"received_us\":%lld}\n", (long long)m->received_us);
	fclose(f);
	return buf;
}

int
spool_write(spool_t *self, const char *id, const void *body, size_t len,
            const struct spool_meta *meta)
{
	/* Temp names carry a sequence number: stdin and the HTTP thread may
	 * write the same bytes (the same id) at the same moment. */
	static atomic_ulong s_seq;
	unsigned long seq = atomic_fetch_add(&s_seq, 1);
	char tmp[160], name[128];
	size_t mlen;
	char *mj;
	int rc;

	/* The sidecar first: once the article appears, its metadata is
	 * there for whoever reads it. */
	mj = meta_json(meta, &mlen);
	snprintf(tmp, sizeof(tmp), "%s.%lu.meta", id, seq);
	snprintf(name, sizeof(name), "%s" META_SUFFIX, id);
	rc = write_durable(self, tmp, self->fd_in, name, mj, mlen);
	free(mj);
	if (rc != 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.%lu.body", id, seq);
	rc = write_durable(self, tmp, self->fd_in, id, body, len);
	if (rc != 0) {
		unlinkat(self->fd_in, name, 0);
		return rc;
	}
	if (fsync(self->fd_in) != 0) {
		log_errno("spool.fsync", self->incoming_path, errno);
		return ERR_IO;
	}
	return 0;
}

static int
read_file(int dirfd, const char *name, size_t max, char **buf, size_t *len,
          struct stat *st)
{
	const char *why = NULL;
	size_t n = 0;
	char *p;
	int fd;

	fd = open_regular(dirfd, name, st, &why);
	if (fd == ERR_INVAL)
		return ERR_NOTFOUND;
	if (fd < 0)
		return fd;
	if ((uint64_t)st->st_size > max) {
		close(fd);
		return ERR_TOOBIG;
	}
	/* +1: notice a file that grew past max since fstat. */
	p = malloc((size_t)st->st_size + 2);
	if (!p)
		abort();
	for (;;) {
		ssize_t r = read(fd, p + n, (size_t)st->st_size + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(p);
			close(fd);
			return ERR_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (size_t)st->st_size) {
			free(p);
			close(fd);
			return ERR_AGAIN; /* still being written */
		}
	}
	close(fd);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

int
spool_received_us_ok(const char *text, int64_t *out)
{
	/* 2000-01-01 to a day from now: anything else is a feeder's slip
	 * (milliseconds, a year 294247) that would be stored as a fact. */
	const int64_t lo = 946684800LL * 1000000;
	int64_t hi = ((int64_t)time(NULL) + 86400) * 1000000;
	char *end = NULL;
	long long v;

	if (!*text || strspn(text, "0123456789") != strlen(text) ||
	    strlen(text) > 18)
		return ERR_INVAL;
	v = strtoll(text, &end, 10);
	if (v < lo || v > hi)
		return ERR_INVAL;
	*out = v;
	return 0;
}

static char *
meta_str(const flatjson_t *j, const char *key)
{
	const char *v = j ? flatjson_get(j, key, NULL) : NULL;

	return xstrdup(v ? v : "");
}

int
spool_read(spool_t *self, const char *name, size_t max_bytes, void **body,
           size_t *len, struct spool_meta *meta)
{
	char mname[4096], *mbuf = NULL, *b = NULL;
	flatjson_t *j = NULL;
	struct stat st, mst;
	size_t mlen;
	const char *rus;
	int rc;

	rc = read_file(self->fd_in, name, max_bytes, &b, len, &st);
	if (rc == ERR_IO)
		log_errno("spool.read", name, errno);
	if (rc != 0)
		return rc;
	snprintf(mname, sizeof(mname), "%s" META_SUFFIX, name);
	if (read_file(self->fd_in, mname, META_MAX, &mbuf, &mlen, &mst) == 0) {
		size_t at = 0;

		if (flatjson_parse(mbuf, mlen, &j, &at) != 0)
			log_warn("spool.meta_malformed", LF_STR("name", mname),
			         LF_INT("offset", at));
	}
	meta->uri = meta_str(j, "uri");
	meta->feed = meta_str(j, "feed");
	meta->content_type = meta_str(j, "content_type");
	meta->charset = meta_str(j, "charset");
	rus = j ? flatjson_get(j, "received_us", NULL) : NULL;
	meta->received_us =
	    (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
	if (rus && spool_received_us_ok(rus, &meta->received_us) != 0)
		log_warn("spool.meta_invalid", LF_STR("name", mname),
		         LF_STR("field", "received_us"),
		         LF_STR("reason", "not microseconds since 1970 between "
		                          "2000 and a day from now"));
	flatjson_destroy(&j);
	free(mbuf);
	*body = b;
	return 0;
}

void
spool_meta_clear(struct spool_meta *meta)
{
	free(meta->uri);
	free(meta->feed);
	free(meta->content_type);
	free(meta->charset);
	memset(meta, 0, sizeof(*meta));
}

static void
attempts_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, ".%s.attempts", name);
}

/* Whether incoming/NAME still holds the bytes whose id is id: a feeder
 * may have moved a new file over the name while the old one was leased,
 * and settling the old article must not carry the new bytes away. 0 and
 * *ino of what was checked; ERR_AGAIN when the bytes differ (or it is no
 * longer a regular file); ERR_NOTFOUND; ERR_IO. */
static int
verify(spool_t *self, const char *name, const char *id, ino_t *ino)
{
	char hex[SHA256_HEX_LEN + 1], buf[65536];
	const char *why = NULL;
	struct sha256 h;
	struct stat st;
	ssize_t r;
	int fd = open_regular(self->fd_in, name, &st, &why);

	if (fd == ERR_INVAL)
		return ERR_AGAIN;
	if (fd < 0)
		return fd;
	sha256_init(&h);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return ERR_IO;
		}
		sha256_update(&h, buf, (size_t)r);
	}
	close(fd);
	sha256_final_hex(&h, hex);
	*ino = st.st_ino;
	return strcmp(hex, id) == 0 ? 0 : ERR_AGAIN;
}

/* After renaming incoming/NAME to dirfd/DEST: if what arrived there is not
 * the inode verify() checked (a new file moved in between the two), it is
 * put back under its name (or beside it when yet another took the name)
 * and the caller learns ERR_AGAIN. */
static int
moved_checked(spool_t *self, const char *name, int dirfd, const char *dest,
              ino_t ino)
{
	struct stat st;

	if (fstatat(dirfd, dest, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_ino == ino)
		return 0;
	if (renameat2(dirfd, dest, self->fd_in, name, RENAME_NOREPLACE) != 0) {
		char alt[NAME_MAX + 1];

		snprintf(alt, sizeof(alt), "%.200s.%ld", name, (long)st.st_ino);
		if (renameat2(dirfd, dest, self->fd_in, alt,
		              RENAME_NOREPLACE) != 0)
			log_errno("spool.rename", dest, errno);
	}
	return ERR_AGAIN;
}

int
spool_done(spool_t *self, const char *name, const char *id,
           long retention_hours)
{
	char mname[4096], aname[4096], gone[64];
	static unsigned long s_gone;
	ino_t ino = 0;
	int rc;

	if (id && *id) {
		rc = verify(self, name, id, &ino);
		if (rc == ERR_AGAIN) {
			log_warn("spool.replaced", LF_STR("name", name),
			         LF_STR("id", id));
			return rc;
		}
		if (rc == ERR_NOTFOUND)
			id = NULL;
	}
	snprintf(mname, sizeof(mname), "%s" META_SUFFIX, name);
	attempts_name(name, aname, sizeof(aname));
	if (retention_hours <= 0) {
		/* Through tmp/, so that what is deleted is what was checked. */
		snprintf(gone, sizeof(gone), "gone.%ld.%lu", (long)getpid(),
		         s_gone++);
		if (renameat(self->fd_in, name, self->fd_tmp, gone) != 0) {
			if (errno == ENOENT)
				goto meta;
			log_errno("spool.unlink", name, errno);
			return ERR_IO;
		}
		if (id && *id &&
		    moved_checked(self, name, self->fd_tmp, gone, ino) != 0)
			return ERR_AGAIN;
		unlinkat(self->fd_tmp, gone, 0);
	meta:
		unlinkat(self->fd_in, aname, 0);
		unlinkat(self->fd_in, mname, 0);
		return 0;
	}
	if (renameat(self->fd_in, name, self->fd_done, name) != 0) {
		if (errno == ENOENT)
			goto sidecars;
		log_errno("spool.rename", name, errno);
		return ERR_IO;
	}
	if (id && *id && moved_checked(self, name, self->fd_done, name, ino))
		return ERR_AGAIN;
	/* Retention counts from now, not from when the file was written. */
	utimensat(self->fd_done, name, NULL, 0);
sidecars:
	unlinkat(self->fd_in, aname, 0);
	if (renameat(self->fd_in, mname, self->fd_done, mname) == 0)
		utimensat(self->fd_done, mname, NULL, 0);
	return 0;
}

/* Whether failed/NAME or failed/NAME.error exists. */
static bool
failed_taken(spool_t *self, const char *name)
{
	char ename[NAME_MAX + 16];
	struct stat st;

	snprintf(ename, sizeof(ename), "%s.error", name);
	return fstatat(self->fd_failed, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	       fstatat(self->fd_failed, ename, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A name in failed/ for NAME that no earlier refusal holds, short enough
 * that DEST.meta.json and DEST.error fit in NAME_MAX: NAME, else NAME.ID12,
 * else NAME.N. */
static void
failed_name(spool_t *self, const char *name, const char *id, char *dest,
            size_t len)
{
	/* 255 - ".meta.json" - "." and 12 hex digits (or a number) */
	char base[NAME_MAX + 1];
	size_t n = strlen(name);

	if (n > 228) {
		n = 228;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 sequence */
	}
	memcpy(base, name, n);
	base[n] = '\0';
	snprintf(dest, len, "%s", base);
	if (!failed_taken(self, dest))
		return;
	if (id && *id) {
		snprintf(dest, len, "%.228s.%.12s", base, id);
		if (!failed_taken(self, dest))
			return;
	}
	for (unsigned k = 1;; k++) {
		snprintf(dest, len, "%.228s.%u", base, k);
		if (!failed_taken(self, dest) || k > 1000000)
			return;
	}
}

/* Text from outside (a worker's reason, a file name) on one line: control
 * bytes become spaces, so a reason cannot forge lines of NAME.error. */
static void
put_line(FILE *f, const char *key, const char *s, size_t max)
{
	fprintf(f, "%s: ", key);
	for (size_t i = 0; s[i] && i < max; i++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i],
		      f);
	fputc('\n', f);
}

/* spool_fail(), and the name it was given in failed/ (dest). */
static int
fail_as(spool_t *self, const char *name, const char *id, const char *reason,
        unsigned attempts, char *dest)
{
	char ename[NAME_MAX + 16], tmp[128];
	char mname[4096], mdest[NAME_MAX + 16], when[64], *text = NULL;
	static unsigned long s_seq;
	size_t tlen;
	ino_t ino = 0;
	bool check = id && *id;
	struct timeval tv;
	struct tm tm;
	FILE *f;
	int rc;

	if (check) {
		rc = verify(self, name, id, &ino);
		if (rc == ERR_AGAIN) {
			log_warn("spool.replaced", LF_STR("name", name),
			         LF_STR("id", id));
			return rc;
		}
		check = rc == 0;
	}
	failed_name(self, name, id, dest, NAME_MAX + 1);
	/* The article first: once it has left incoming/ it is never refused
	 * again, even when its .error cannot be written (disk full). */
	if (renameat(self->fd_in, name, self->fd_failed, dest) != 0) {
		if (errno == ENOENT)
			return ERR_NOTFOUND; /* gone: nothing to explain */
		log_errno("spool.rename", name, errno);
		return ERR_IO;
	} else if (check &&
	           moved_checked(self, name, self->fd_failed, dest, ino)) {
		return ERR_AGAIN;
	}
	snprintf(mname, sizeof(mname), "%s" META_SUFFIX, name);
	snprintf(mdest, sizeof(mdest), "%s" META_SUFFIX, dest);
	renameat(self->fd_in, mname, self->fd_failed, mdest);
	attempts_name(name, mname, sizeof(mname));
	unlinkat(self->fd_in, mname, 0);

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	f = open_memstream(&text, &tlen);
	if (!f)
		abort();
	put_line(f, "article", name, 4096);
	if (strcmp(dest, name) != 0)
		put_line(f, "stored_as", dest, 4096);
	put_line(f, "id", id && *id ? id : "-", 64);
	put_line(f, "reason", reason && *reason ? reason : "-", 1000);
	fprintf(f, "attempts: %u\ntime: %s\n", attempts, when);
	fclose(f);
	snprintf(ename, sizeof(ename), "%s.error", dest);
	snprintf(tmp, sizeof(tmp), "error.%ld.%lu", (long)getpid(), s_seq++);
	rc = write_durable(self, tmp, self->fd_failed, ename, text, tlen);
	free(text);
	if (rc != 0)
		log_error("spool.error_unwritten", LF_STR("name", dest),
		          LF_STR("reason", reason ? reason : "-"));
	return 0;
}

int
spool_fail(spool_t *self, const char *name, const char *id, const char *reason,
           unsigned attempts)
{
	char dest[NAME_MAX + 1];

	return fail_as(self, name, id, reason, attempts, dest);
}

bool
spool_is_notice_name(const char *name)
{
	size_t n = strlen(name);

	return n > 8 && name[0] == '.' && ends_with(name, ".notice");
}

/* The marker's text: one "key: value" line each, values on one line. */
static char *
notice_text(const struct spool_notice *n, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		abort();
	put_line(f, "id", n->id, 64);
	fprintf(f, "size: %llu\nrefused_us: %lld\n",
	        (unsigned long long)n->size, (long long)n->refused_us);
	put_line(f, "stored_as", n->dest, sizeof(n->dest) - 1);
	put_line(f, "reason", n->reason, sizeof(n->reason) - 1);
	fclose(f);
	return text;
}

static int
notice_parse(const char *text, struct spool_notice *n)
{
	const char *p = text;
	bool id = false, dest = false;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *colon = memchr(p, ':', len);

		if (colon && colon[1] == ' ') {
			size_t k = (size_t)(colon - p), vlen = len - k - 2;
			const char *v = colon + 2;

#define KEY(s) (k == sizeof(s) - 1 && memcmp(p, s, k) == 0)
			if (KEY("id") && vlen == 64) {
				memcpy(n->id, v, 64);
				n->id[64] = '\0';
				id = sha256_valid_hex(n->id);
			} else if (KEY("id") && vlen == 0) {
				n->id[0] = '\0'; /* still to hash */
				id = true;
			} else if (KEY("size")) {
				n->size = strtoull(v, NULL, 10);
			} else if (KEY("refused_us")) {
				n->refused_us = strtoll(v, NULL, 10);
			} else if (KEY("stored_as") && vlen < sizeof(n->dest)) {
				memcpy(n->dest, v, vlen);
				n->dest[vlen] = '\0';
				dest = vlen > 0 && !strchr(n->dest, '/');
			} else if (KEY("reason")) {
				if (vlen >= sizeof(n->reason))
					vlen = sizeof(n->reason) - 1;
				memcpy(n->reason, v, vlen);
				n->reason[vlen] = '\0';
			}
#undef KEY
		}
		p += len + (eol != NULL);
	}
	return id && dest ? 0 : ERR_INVAL;
}

/* Writes n's marker durably (failed/.DEST.notice). 0 or ERR_IO. */
static int
write_notice(spool_t *self, const struct spool_notice *n)
{
	static unsigned long s_seq;
	char tmp[128], *text;
	size_t len;
	int rc;

	text = notice_text(n, &len);
	snprintf(tmp, sizeof(tmp), "notice.%ld.%lu", (long)getpid(), s_seq++);
	rc = write_durable(self, tmp, self->fd_failed, n->marker, text, len);
	free(text);
	return rc;
}

int
spool_refuse(spool_t *self, const char *name, const char *reason,
             struct spool_notice *out)
{
	struct spool_notice n;
	struct stat st;
	const char *why = NULL;
	bool later;
	int fd, rc;

	memset(&n, 0, sizeof(n));
	memset(out, 0, sizeof(*out));
	rc = fail_as(self, name, "", reason, 0, n.dest);
	if (rc != 0)
		return rc;
	snprintf(n.reason, sizeof(n.reason), "%s", reason ? reason : "");
	snprintf(n.marker, sizeof(n.marker), ".%s.notice", n.dest);
	n.refused_us = (int64_t)time(NULL) * 1000000;
	/* The whole file's hash is its id: the one ingest_errors and a
	 * later article of the same bytes would have. */
	fd = open_regular(self->fd_failed, n.dest, &st, &why);
	if (fd < 0) {
		log_warn("spool.notice_unmade", LF_STR("name", n.dest),
		         LF_STR("reason", why ? why : "cannot open"));
		return 0;
	}
	/* Too long to read here: the marker says "still to hash" (an
	 * empty id) and the hasher reads it off the loop;
	 * spool_notices_hashed() completes it. */
	later = (uint64_t)st.st_size > self->hash_inline_max;
	if (later) {
		n.size = (uint64_t)st.st_size;
	} else if ((rc = nhash_fd(fd, n.id, &n.size, NULL, NULL)) != 0) {
		log_errno("spool.read", n.dest, rc);
		close(fd);
		return 0;
	}
	close(fd);
	if (write_notice(self, &n) != 0)
		return 0;
	if (later)
		nhash_submit(self->hasher, n.dest, n.marker);
	*out = n;
	return 0;
}

int
spool_notice_read(spool_t *self, const char *marker, size_t max,
                  struct spool_notice *out, void **prefix, size_t *len)
{
	struct spool_notice n;
	struct stat st;
	const char *why = NULL;
	char *text = NULL, *p;
	size_t tlen, got = 0;
	int fd, rc;

	if (!spool_is_notice_name(marker))
		return ERR_NOTFOUND;
	rc = read_file(self->fd_failed, marker, 8192, &text, &tlen, &st);
	if (rc == ERR_NOTFOUND)
		return rc;
	if (rc != 0)
		return ERR_IO;
	memset(&n, 0, sizeof(n));
	rc = notice_parse(text, &n);
	free(text);
	if (rc != 0) {
		log_warn("spool.notice_invalid", LF_STR("name", marker));
		return ERR_IO;
	}
	snprintf(n.marker, sizeof(n.marker), "%s", marker);
	p = malloc(max + 1);
	if (!p)
		abort();
	/* Gone (replayed, deleted): the notice goes out without bytes. */
	fd = open_regular(self->fd_failed, n.dest, &st, &why);
	while (fd >= 0 && got < max) {
		ssize_t r = read(fd, p + got, max - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	*out = n;
	*prefix = p;
	*len = got;
	return 0;
}

int
spool_notice_done(spool_t *self, const char *marker)
{
	if (!spool_is_notice_name(marker))
		return ERR_INVAL;
	if (unlinkat(self->fd_failed, marker, 0) != 0 && errno != ENOENT) {
		log_errno("spool.unlink", marker, errno);
		return ERR_IO;
	}
	return 0;
}

int
spool_scan_notices(spool_t *self,
                   void (*fn)(void *ctx, const struct spool_notice *n),
                   void *ctx)
{
	int fd = dup(self->fd_failed);
	DIR *d;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		log_errno("spool.scan", "failed", errno);
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct spool_notice n;
		void *prefix = NULL;
		size_t len;

		if (!spool_is_notice_name(de->d_name) ||
		    spool_notice_read(self, de->d_name, 0, &n, &prefix, &len) !=
		        0)
			continue;
		free(prefix);
		if (!*n.id) {
			nhash_submit(self->hasher, n.dest, de->d_name);
			continue;
		}
		fn(ctx, &n);
	}
	closedir(d);
	return 0;
}

unsigned
spool_attempts_get(spool_t *self, const char *name)
{
	char aname[4096], buf[64];
	ssize_t n;
	int fd;

	const char *why = NULL;
	struct stat st;

	attempts_name(name, aname, sizeof(aname));
	fd = open_regular(self->fd_in, aname, &st, &why);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (unsigned)strtoul(buf, NULL, 10);
}

int
spool_attempts_set(spool_t *self, const char *name, unsigned n,
                   const char *reason)
{
	char aname[4096], tmp[128], buf[1024];
	int len;

	attempts_name(name, aname, sizeof(aname));
	snprintf(tmp, sizeof(tmp), "attempts.%ld", (long)getpid());
	len =
	    snprintf(buf, sizeof(buf), "%u\n%.900s\n", n, reason ? reason : "");
	return write_durable(self, tmp, self->fd_in, aname, buf,
	                     (size_t)len < sizeof(buf) ? (size_t)len
	                                               : sizeof(buf) - 1);
}

int
spool_scan(spool_t *self, void (*fn)(void *ctx, const char *name), void *ctx)
{
	int fd = dup(self->fd_in);
	DIR *d;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		log_errno("spool.scan", self->incoming_path, errno);
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	rewinddir(d);
	while ((de = readdir(d)))
		if (spool_is_article_name(de->d_name))
			fn(ctx, de->d_name);
	closedir(d);
	return 0;
}

int
spool_free_bytes(spool_t *self, uint64_t *out)
{
	struct statvfs sv;

	if (fstatvfs(self->fd_in, &sv) != 0)
		return ERR_IO;
	*out = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

size_t
spool_sweep_done(spool_t *self, long retention_hours)
{
	int fd = dup(self->fd_done);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t cutoff = time(NULL) - (time_t)retention_hours * 3600;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(self->fd_done, de->d_name, &st,
		            AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime < cutoff &&
		    unlinkat(self->fd_done, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int
spool_notices_hashed(spool_t *self,
                     void (*fn)(void *ctx, const struct spool_notice *n),
                     void *ctx)
{
	struct nhash_job jobs[16];
	size_t k;
	int made = 0;

	while ((k = nhash_take(self->hasher, jobs, 16)) > 0) {
		for (size_t i = 0; i < k; i++) {
			struct nhash_job *j = &jobs[i];
			struct spool_notice n;
			void *prefix = NULL;
			size_t len;

			if (spool_notice_read(self, j->marker, 0, &n, &prefix,
			                      &len) != 0)
				continue; /* settled by hand meanwhile */
			free(prefix);
			if (j->err != 0) {
				/* The refusal stays in failed/ with its
				 * .error; without the file's hash there is
				 * no row to make. */
				log_warn("spool.notice_unmade",
				         LF_STR("name", n.dest),
				         LF_STR("reason", strerror(j->err)));
				spool_notice_done(self, j->marker);
				continue;
			}
			memcpy(n.id, j->id, sizeof(n.id));
			n.size = j->size;
			if (write_notice(self, &n) == 0) {
				made++;
				fn(ctx, &n);
			}
		}
	}
	return made;
}

size_t
spool_notices_hashing(spool_t *self)
{
	return nhash_pending(self->hasher);
}

void
spool_set_hash_inline_max(spool_t *self, uint64_t bytes)
{
	self->hash_inline_max = bytes;
}
