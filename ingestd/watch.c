/* watch.c - inotify on incoming/ and the rescans. */
#include "watch.h"
#include "err.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct watch {
	intake_t *seam;
	struct intake_source src;
	int ifd;
	bool stopped;
	bool rescan;
	int64_t last_tick_ms;
};

/* One file in incoming/, from an event (its inotify mask) or a scan (0).
 * The contract (docs/OPERATIONS.md): a feeder writes elsewhere and
 * renames the finished file in (IN_MOVED_TO); a file written in place
 * (IN_CLOSE_WRITE) may be one of several writes and is refused. */
static void
take_file(watch_t *self, const char *name, uint32_t mask)
{
	char id[SHA256_HEX_LEN + 1];
	const char *bad = NULL;
	uint64_t size = 0;
	int rc;

	if (!spool_is_article_name(name) ||
	    queue_find_name(intake_queue(self->seam), name, NULL))
		return; /* a new file over a queued name: see spool_done() */
	if (mask & IN_CLOSE_WRITE) {
		if (intake_refuse(self->seam, &self->src, name,
		                  "written in place (closed in incoming/): "
		                  "write it elsewhere on the same file system "
		                  "and rename(2) it in") == ERR_AGAIN)
			self->rescan = true; /* try again at the next tick */
		return;
	}
	/* Created by open(2): its IN_CLOSE_WRITE follows. By link(2),
	 * symlink(2) or mkfifo(3): nothing else will, judge it now. */
	if ((mask & IN_CREATE) &&
	    spool_inspect(intake_spool(self->seam), name, 0, id, &size, &bad) !=
	        ERR_INVAL)
		return;
	rc = intake_accept(self->seam, &self->src,
	                   &(struct intake_article){ .name = name }, id);
	if (rc == ERR_AGAIN)
		self->rescan = true;
}

void
watch_take(watch_t *self, const char *name)
{
	take_file(self, name, 0);
}

static void
scan_one(void *ctx, const char *name)
{
	take_file(ctx, name, 0);
}

static void
rescan(watch_t *self)
{
	queue_t *q = intake_queue(self->seam);
	size_t before = queue_waiting(q) + queue_leased(q);

	self->rescan = false;
	if (spool_scan(intake_spool(self->seam), scan_one, self) != 0) {
		intake_set_spool_ok(self->seam, false);
		self->rescan = true; /* try again at the next tick */
		return;
	}
	intake_set_spool_ok(self->seam, true);
	log_info("spool.scanned",
	         LF_INT("added", queue_waiting(q) + queue_leased(q) - before),
	         LF_INT("queued", queue_waiting(q)));
}

watch_t *
watch_new(intake_t *seam, const struct intake_counters *c)
{
	watch_t *self = calloc(1, sizeof(*self));

	if (!self)
		abort();
	self->seam = seam;
	self->src = (struct intake_source){ "spool", true, false, { 0 } };
	if (c)
		self->src.c = *c;
	self->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (self->ifd < 0 ||
	    inotify_add_watch(self->ifd,
	                      spool_incoming_path(intake_spool(seam)),
	                      IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
		log_error("spool.inotify", LF_STR("err", strerror(errno)));
		watch_destroy(&self);
		return NULL;
	}
	/* What both the watch and the scan see is deduplicated by name. */
	rescan(self);
	return self;
}

void
watch_destroy(watch_t **self_p)
{
	watch_t *self = *self_p;

	if (!self)
		return;
	if (self->ifd >= 0)
		close(self->ifd);
	free(self);
	*self_p = NULL;
}

int
watch_fd(const watch_t *self)
{
	return self->stopped ? -1 : self->ifd;
}

void
watch_on_readable(watch_t *self)
{
	_Alignas(struct inotify_event) char buf[64 * 1024];

	for (;;) {
		ssize_t n = read(self->ifd, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW) {
				log_warn("spool.inotify_overflow");
				metrics_add(self->src.c.lost, 1);
				self->rescan = true;
			} else if (ev->len > 0) {
				take_file(self, ev->name, ev->mask);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	if (self->rescan)
		rescan(self);
}

void
watch_tick(watch_t *self, int64_t now_ms)
{
	if (now_ms - self->last_tick_ms < 1000)
		return;
	self->last_tick_ms = now_ms;
	if (self->rescan && !self->stopped)
		rescan(self);
}

void
watch_stop(watch_t *self)
{
	self->stopped = true;
}

static void *
drv_start(intake_t *seam, const struct intake_counters *c)
{
	return watch_new(seam, c);
}

static int
drv_fd(void *self)
{
	return watch_fd(self);
}

static void
drv_on_readable(void *self)
{
	watch_on_readable(self);
}

static void
drv_tick(void *self, int64_t now_ms)
{
	watch_tick(self, now_ms);
}

static void
drv_stop(void *self)
{
	watch_stop(self);
}

static void
drv_destroy(void **self_p)
{
	watch_t *w = *self_p;

	watch_destroy(&w);
	*self_p = NULL;
}

const struct intake_driver watch_driver = {
	"spool",  drv_start, drv_fd,      drv_on_readable,
	drv_tick, drv_stop,  drv_destroy,
};
