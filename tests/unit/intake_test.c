/* intake_test.c - the seam every intake goes through, intake_accept(), on
 * a real spool in a mkdtemp() folder: an oversized article is refused the
 * same way from stdin (on the loop) and from HTTP (on another thread),
 * with nothing written; accepted bytes are durable under their id with
 * their sidecar, queued at once only from the loop; the same bytes again
 * are one article; an empty body is refused; a nearly full disk refuses
 * HTTP but not stdin (which pauses instead); files already in incoming/
 * are queued, or moved to failed/ with the reason. */
#define _GNU_SOURCE
#include "err.h"
#include "intake.h"
#include "log.h"
#include "queue.h"
#include "sha256.h"
#include "spool.h"
#include "spooltest.h"
#include "test.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIMIT 1024

static bool
exists(const char *rel)
{
	struct stat st;

	return lstat(path(rel), &st) == 0;
}

static char *
read_rel(const char *rel)
{
	FILE *f = fopen(path(rel), "rb");
	char *buf = calloc(1, 8192);

	if (!buf)
		abort();
	if (f) {
		if (fread(buf, 1, 8191, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

static size_t
count_in(const char *rel)
{
	char cmd[600];
	FILE *p;
	size_t n = 0;
	int c;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", path(rel));
	p = popen(cmd, "r");
	if (!p)
		abort();
	while ((c = fgetc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

/* stderr into a pipe while a test runs (its few lines fit the pipe). */
static int s_saved = -1, s_pipe[2];

static void
capture_begin(void)
{
	fflush(stderr);
	if (pipe(s_pipe) != 0)
		abort();
	s_saved = dup(STDERR_FILENO);
	dup2(s_pipe[1], STDERR_FILENO);
	close(s_pipe[1]);
}

/* What was logged since capture_begin() (malloc'd). */
static char *
capture_end(void)
{
	char *out = calloc(1, 16384);
	size_t n = 0;
	ssize_t r;

	if (!out)
		abort();
	fflush(stderr);
	dup2(s_saved, STDERR_FILENO); /* closes the pipe's last writer */
	close(s_saved);
	while (n < 16383 && (r = read(s_pipe[0], out + n, 16383 - n)) > 0)
		n += (size_t)r;
	close(s_pipe[0]);
	return out;
}

static struct intake_counters
counters(const char *who)
{
	static const char *const f[] = {
		"accepted", "duplicate", "too_big",
		"refused",  "to_failed", "write_failed"
	};
	struct intake_counters c = { 0 };
	metric_t **m[] = { &c.accepted, &c.duplicate, &c.too_big,
		           &c.refused,  &c.to_failed, &c.write_failed };
	char label[64];

	for (size_t i = 0; i < 6; i++) {
		snprintf(label, sizeof(label), "who=\"%s\",what=\"%s\"", who,
		         f[i]);
		*m[i] = metrics_counter("t_intake_total", label, "");
	}
	return c;
}

/* What the HTTP thread does: intake_accept() off the loop. */
struct call {
	intake_t *seam;
	const struct intake_source *src;
	struct intake_article a;
	char id[SHA256_HEX_LEN + 1];
	int rc;
};

static void *
call_main(void *arg)
{
	struct call *c = arg;

	c->rc = intake_accept(c->seam, c->src, &c->a, c->id);
	return NULL;
}

static int
accept_off_loop(intake_t *seam, const struct intake_source *src,
                const void *body, size_t len, char *id)
{
	struct call c = { seam, src, { body, len, NULL, NULL }, "", 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, call_main, &c) != 0)
		abort();
	pthread_join(t, NULL);
	memcpy(id, c.id, sizeof(c.id));
	return c.rc;
}

static void
test_too_big_alike(intake_t *seam, queue_t *q, struct intake_source *in,
                   struct intake_source *http)
{
	char *big = malloc(LIMIT + 1), id[SHA256_HEX_LEN + 1], *log_text;
	size_t files = count_in("incoming");

	if (!big)
		abort();
	memset(big, 'x', LIMIT + 1);
	log_setup(LOG_WARN, LOG_PLAIN, "intake_test");
	capture_begin();
	CHECK_INT(intake_accept(
	              seam, in,
	              &(struct intake_article){ big, LIMIT + 1, NULL, NULL },
	              id),
	          ERR_TOOBIG, "stdin, one byte above");
	CHECK_INT(accept_off_loop(seam, http, big, LIMIT + 1, id), ERR_TOOBIG,
	          "http, one byte above");
	/* as http.c reports a body it did not keep */
	CHECK_INT(accept_off_loop(seam, http, NULL, 5000, id), ERR_TOOBIG,
	          "http, body dropped");
	log_text = capture_end();
	log_setup(LOG_ERROR, LOG_PLAIN, "intake_test");
	/* the same event and reason, whichever intake it came through */
	CHECK(
	    strstr(log_text, " warn article.too_big source=stdin bytes=1025\n"),
	    "%s", log_text);
	CHECK(
	    strstr(log_text, " warn article.too_big source=http bytes=1025\n"),
	    "%s", log_text);
	CHECK(
	    strstr(log_text, " warn article.too_big source=http bytes=5000\n"),
	    "%s", log_text);
	free(log_text);
	CHECK(metrics_value(in->c.too_big) == 1);
	CHECK(metrics_value(http->c.too_big) == 2);
	CHECK(metrics_value(in->c.refused) == 0 &&
	      metrics_value(http->c.refused) == 0);
	CHECK_INT(count_in("incoming"), files, "nothing written");
	CHECK_INT(count_in("tmp"), 0);
	CHECK_INT(queue_waiting(q), 0);
	/* at the limit is fine */
	CHECK_INT(intake_accept(
	              seam, in,
	              &(struct intake_article){ big, LIMIT, NULL, NULL }, id),
	          0);
	free(big);
}

int
main(void)
{
	char base[] = "/tmp/intake_test.XXXXXX", want[SHA256_HEX_LEN + 1];
	char id[SHA256_HEX_LEN + 1], rel[128], *s;
	struct intake_source in = { "stdin", true, false, counters("stdin") };
	struct intake_source http = { "http", false, true, counters("http") };
	struct intake_source sp_src = { "spool", true, false,
		                        counters("spool") };
	struct spool_meta meta = { "https://a.cn/1", "f", "text/plain", "gbk",
		                   0 };
	spool_t *sp;
	queue_t *q;
	intake_t *seam, *full;
	FILE *f;

	if (!mkdtemp(base))
		abort();
	snprintf(s_dir, sizeof(s_dir), "%s", base);
	log_setup(LOG_ERROR, LOG_PLAIN, "intake_test");
	sp = spool_open(s_dir);
	CHECK(sp != NULL);
	if (!sp)
		return test_done("intake_test");
	q = queue_new();
	seam = intake_new(&(struct intake_opts){ LIMIT, 0, 24 }, sp, q, NULL);
	CHECK(intake_max_bytes(seam) == LIMIT);

	test_too_big_alike(seam, q, &in, &http);
	CHECK_INT(queue_waiting(q), 1, "the article at the limit");
	CHECK(metrics_value(in.c.accepted) == 1);

	/* bytes from the loop: durable, with the sidecar, queued at once */
	sha256_hex("an article", 10, want);
	CHECK_INT(intake_accept(
	              seam, &in,
	              &(struct intake_article){ "an article", 10, &meta, NULL },
	              id),
	          0);
	CHECK_STR(id, want);
	snprintf(rel, sizeof(rel), "incoming/%s", id);
	s = read_rel(rel);
	CHECK_STR(s, "an article");
	free(s);
	snprintf(rel, sizeof(rel), "incoming/%s.meta.json", id);
	s = read_rel(rel);
	CHECK(strstr(s, "\"uri\":\"https://a.cn/1\"") &&
	          strstr(s, "\"charset\":\"gbk\"") &&
	          strstr(s, "\"received_us\":"),
	      "sidecar: %s", s);
	free(s);
	CHECK(queue_find(q, id, NULL), "queued");
	CHECK_INT(queue_waiting(q), 2);
	CHECK(metrics_value(in.c.accepted) == 2);
	/* the same bytes again: one article */
	CHECK_INT(intake_accept(
	              seam, &in,
	              &(struct intake_article){ "an article", 10, NULL, NULL },
	              id),
	          0);
	CHECK_INT(queue_waiting(q), 2);
	CHECK(metrics_value(in.c.duplicate) == 1);
	CHECK(metrics_value(in.c.accepted) == 2);

	/* bytes from another thread: durable, left to the watcher */
	CHECK_INT(accept_off_loop(seam, &http, "posted", 6, id), 0);
	sha256_hex("posted", 6, want);
	CHECK_STR(id, want);
	snprintf(rel, sizeof(rel), "incoming/%s", id);
	CHECK(exists(rel));
	CHECK(!queue_find(q, id, NULL), "not queued off the loop");
	CHECK(metrics_value(http.c.accepted) == 1);
	/* empty */
	CHECK_INT(accept_off_loop(seam, &http, "", 0, id), ERR_INVAL);
	CHECK(metrics_value(http.c.refused) == 1);

	/* a disk below --min-free-mb: HTTP is refused, stdin is not */
	full = intake_new(&(struct intake_opts){ LIMIT, 1L << 40, 24 }, sp, q,
	                  NULL);
	CHECK(!intake_disk_ok(full));
	CHECK_INT(accept_off_loop(full, &http, "late", 4, id), ERR_AGAIN);
	CHECK(metrics_value(http.c.refused) == 2);
	sha256_hex("late", 4, want);
	snprintf(rel, sizeof(rel), "incoming/%s", want);
	CHECK(!exists(rel));
	CHECK_INT(intake_accept(
	              full, &in,
	              &(struct intake_article){ "late", 4, NULL, NULL }, id),
	          0);
	CHECK(exists(rel));
	intake_destroy(&full);

	/* files already in incoming/ (the watcher's way in) */
	f = fopen(path("incoming/dropped.txt"), "w");
	CHECK(f && fputs("dropped article", f) >= 0);
	if (f)
		fclose(f);
	CHECK_INT(intake_accept(
	              seam, &sp_src,
	              &(struct intake_article){ .name = "dropped.txt" }, id),
	          0);
	sha256_hex("dropped article", 15, want);
	CHECK_STR(id, want);
	CHECK(queue_find_name(q, "dropped.txt", NULL));
	CHECK(metrics_value(sp_src.c.accepted) == 1);
	f = fopen(path("incoming/huge.txt"), "w");
	for (int i = 0; f && i <= LIMIT; i++)
		fputc('y', f);
	if (f)
		fclose(f);
	CHECK_INT(intake_accept(seam, &sp_src,
	                        &(struct intake_article){ .name = "huge.txt" },
	                        id),
	          ERR_TOOBIG);
	CHECK(!exists("incoming/huge.txt") && exists("failed/huge.txt"));
	s = read_rel("failed/huge.txt.error");
	CHECK(strstr(s, "too big: 1025 bytes, --max-article-bytes is 1024"),
	      "%s", s);
	free(s);
	CHECK(metrics_value(sp_src.c.too_big) == 1);
	CHECK(metrics_value(sp_src.c.to_failed) == 1);
	CHECK(symlink("/etc/passwd", path("incoming/link.txt")) == 0);
	CHECK_INT(intake_accept(seam, &sp_src,
	                        &(struct intake_article){ .name = "link.txt" },
	                        id),
	          ERR_INVAL);
	CHECK(exists("failed/link.txt") && !exists("incoming/link.txt"));
	CHECK(metrics_value(sp_src.c.to_failed) == 2);
	CHECK_INT(intake_accept(seam, &sp_src,
	                        &(struct intake_article){ .name = "gone.txt" },
	                        id),
	          ERR_NOTFOUND);

	intake_destroy(&seam);
	CHECK(seam == NULL);
	queue_destroy(&q);
	spool_close(&sp);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", base);
	}
	return test_done("intake_test");
}
