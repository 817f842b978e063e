/* spool.c - the spool's files, through directory fds (openat, renameat),
 * so a path is built once and every name is relative to its folder. */
#include "spool.h"
#include "err.h"
#include "flatjson.h"
#include "log.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

int
spool_inspect(spool_t *self, const char *name, uint64_t max_bytes, char *id,
              uint64_t *size)
{
	struct sha256 h;
	struct stat st;
	char buf[65536];
	ssize_t r;
	int fd;

	fd = openat(self->fd_in, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT || errno == ELOOP)
			return ERR_NOTFOUND;
		log_errno("spool.open", name, errno);
		return ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ERR_NOTFOUND;
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
	size_t n = 0;
	char *p;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return ERR_NOTFOUND;
	}
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
	if (rus)
		meta->received_us = strtoll(rus, NULL, 10);
	else /* dropped into incoming/: when it was written */
		meta->received_us = (int64_t)st.st_mtim.tv_sec * 1000000 +
		                    st.st_mtim.tv_nsec / 1000;
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

int
spool_done(spool_t *self, const char *name, long retention_hours)
{
	char mname[4096], aname[4096];

	snprintf(mname, sizeof(mname), "%s" META_SUFFIX, name);
	attempts_name(name, aname, sizeof(aname));
	unlinkat(self->fd_in, aname, 0);
	if (retention_hours <= 0) {
		unlinkat(self->fd_in, mname, 0);
		if (unlinkat(self->fd_in, name, 0) != 0 && errno != ENOENT) {
			log_errno("spool.unlink", name, errno);
			return ERR_IO;
		}
		return 0;
	}
	if (renameat(self->fd_in, mname, self->fd_done, mname) == 0)
		utimensat(self->fd_done, mname, NULL, 0);
	if (renameat(self->fd_in, name, self->fd_done, name) != 0) {
		if (errno == ENOENT)
			return 0;
		log_errno("spool.rename", name, errno);
		return ERR_IO;
	}
	/* Retention counts from now, not from when the file was written. */
	utimensat(self->fd_done, name, NULL, 0);
	return 0;
}

int
spool_fail(spool_t *self, const char *name, const char *id, const char *reason,
           unsigned attempts)
{
	char dest[4096], ename[4200], tmp[128], mname[4096], mdest[4200];
	char when[64], *text = NULL;
	size_t tlen;
	struct stat st;
	struct timeval tv;
	struct tm tm;
	FILE *f;
	int rc;

	snprintf(dest, sizeof(dest), "%s", name);
	if (fstatat(self->fd_failed, dest, &st, AT_SYMLINK_NOFOLLOW) == 0)
		snprintf(dest, sizeof(dest), "%s.%.12s", name,
		         id && *id ? id : "dup");
	snprintf(ename, sizeof(ename), "%s.error", dest);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	f = open_memstream(&text, &tlen);
	if (!f)
		abort();
	fprintf(f, "article: %s\nid: %s\nreason: %s\nattempts: %u\ntime: %s\n",
	        name, id && *id ? id : "-", reason ? reason : "-", attempts,
	        when);
	fclose(f);
	snprintf(tmp, sizeof(tmp), "error.%ld", (long)getpid());
	rc = write_durable(self, tmp, self->fd_failed, ename, text, tlen);
	free(text);
	if (rc != 0)
		return rc;
	snprintf(mname, sizeof(mname), "%s" META_SUFFIX, name);
	snprintf(mdest, sizeof(mdest), "%s" META_SUFFIX, dest);
	renameat(self->fd_in, mname, self->fd_failed, mdest);
	if (renameat(self->fd_in, name, self->fd_failed, dest) != 0 &&
	    errno != ENOENT) {
		log_errno("spool.rename", name, errno);
		return ERR_IO;
	}
	attempts_name(name, mname, sizeof(mname));
	unlinkat(self->fd_in, mname, 0);
	return 0;
}

unsigned
spool_attempts_get(spool_t *self, const char *name)
{
	char aname[4096], buf[64];
	ssize_t n;
	int fd;

	attempts_name(name, aname, sizeof(aname));
	fd = openat(self->fd_in, aname, O_RDONLY | O_CLOEXEC);
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
