/* watch_test.c - the spool contract at intake (docs/OPERATIONS.md): a
 * file renamed into incoming/ is queued; a file written in place (even in
 * two open/close cycles) is refused into failed/ with a reason, never
 * queued as half an article; symbolic links, FIFOs and hard links are
 * refused when they appear, without blocking; a file still open for
 * writing is left alone. */
#define _GNU_SOURCE
#include "err.h"
#include "intake.h"
#include "log.h"
#include "queue.h"
#include "spool.h"
#include "spooltest.h"
#include "test.h"
#include "watch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static void
write_cycle(const char *rel, const char *text, int flags)
{
	int fd = open(path(rel), O_WRONLY | O_CREAT | flags, 0640);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

static bool
exists(const char *rel)
{
	struct stat st;

	return lstat(path(rel), &st) == 0;
}

/* The .error beside a refused file mentions want. */
static bool
error_says(const char *rel, const char *want)
{
	char buf[4096];
	FILE *f = fopen(path(rel), "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, want) != NULL;
}

static void
on_alarm(int sig)
{
	(void)sig;
	fputs("watch_test: blocked\n", stderr);
	_exit(1);
}

int
main(void)
{
	char base[] = "/tmp/watch_test.XXXXXX";
	struct intake_counters c = { 0 };
	struct queue_item it;
	spool_t *sp;
	queue_t *q;
	intake_t *seam;
	watch_t *in;
	int fd;

	if (!mkdtemp(base))
		abort();
	snprintf(s_dir, sizeof(s_dir), "%s", base);
	log_setup(LOG_ERROR, LOG_PLAIN, "watch_test");
	signal(SIGALRM, on_alarm);
	alarm(60);
	sp = spool_open(s_dir);
	q = queue_new();
	seam = intake_new(&(struct intake_opts){ 1 << 20, 0, 24 }, sp, q, NULL);
	in = watch_new(seam, &c);
	CHECK(in != NULL);

	/* the contract: written elsewhere, renamed in */
	write_cycle("incoming/.good.part", "a whole article", O_TRUNC);
	CHECK(rename(path("incoming/.good.part"), path("incoming/good.txt")) ==
	      0);
	/* written in place in two open/close cycles */
	write_cycle("incoming/half.txt", "first half, ", O_TRUNC);
	watch_on_readable(in);
	write_cycle("incoming/half.txt", "second half", O_APPEND);
	watch_on_readable(in);
	/* a file still being written is left alone */
	fd = open(path("incoming/open.txt"), O_WRONLY | O_CREAT, 0640);
	CHECK(fd >= 0);
	/* what nothing else announces: a link, a FIFO, a hard link */
	CHECK(symlink("/etc/passwd", path("incoming/link.txt")) == 0);
	CHECK(mkfifo(path("incoming/fifo.txt"), 0640) == 0);
	write_cycle("outside.txt", "not the feeder's", O_TRUNC);
	CHECK(link(path("outside.txt"), path("incoming/hard.txt")) == 0);
	watch_on_readable(in);

	CHECK(queue_find_name(q, "good.txt", &it), "renamed in: queued");
	CHECK_INT(queue_waiting(q), 1);
	CHECK(!queue_find_name(q, "half.txt", NULL), "never half an article");
	CHECK(exists("failed/half.txt") && exists("failed/half.txt.1"),
	      "both halves refused");
	CHECK(error_says("failed/half.txt.error", "written in place"));
	CHECK(error_says("failed/half.txt.1.error", "written in place"));
	CHECK(exists("incoming/open.txt") && !exists("failed/open.txt"));
	CHECK(exists("failed/link.txt") && !exists("incoming/link.txt"));
	CHECK(error_says("failed/link.txt.error", "symbolic link"));
	CHECK(exists("failed/fifo.txt") && !exists("incoming/fifo.txt"));
	CHECK(error_says("failed/fifo.txt.error", "FIFO"));
	CHECK(exists("failed/hard.txt") && !exists("incoming/hard.txt"));
	CHECK(error_says("failed/hard.txt.error", "hard link"));
	/* the file being written, once closed in place, is refused too */
	close(fd);
	watch_on_readable(in);
	CHECK(exists("failed/open.txt"));

	/* a restart's scan: a FIFO left in incoming/ does not block it */
	CHECK(mkfifo(path("incoming/fifo2.txt"), 0640) == 0);
	watch_destroy(&in);
	intake_destroy(&seam);
	queue_destroy(&q);
	q = queue_new();
	seam = intake_new(&(struct intake_opts){ 1 << 20, 0, 24 }, sp, q, NULL);
	in = watch_new(seam, &c);
	CHECK(in != NULL);
	CHECK(exists("failed/fifo2.txt") && !exists("incoming/fifo2.txt"));
	CHECK(queue_find_name(q, "good.txt", NULL), "rescanned");
	alarm(0);

	watch_destroy(&in);
	intake_destroy(&seam);
	queue_destroy(&q);
	spool_close(&sp);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", base);
	}
	return test_done("watch_test");
}
