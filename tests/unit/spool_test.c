/* spool_test.c - the spool directory in a mkdtemp() folder: folders made
 * at open and tmp/ cleaned, an accepted article written through tmp/ and
 * renamed into incoming/ with its sidecar, the scan (dot-files, *.tmp,
 * sidecars and .error files are not articles), inspect and read with
 * their limits, done/ and failed/ moves with NAME.error, attempts files
 * that survive a reopen, the done/ sweep, the notices of refused files
 * (failed/.NAME.notice: made, read with a prefix, scanned, settled;
 * large ones hashed off the caller's thread, also after a reopen). */
#define _GNU_SOURCE
#include "err.h"
#include "flatjson.h"
#include "log.h"
#include "sha256.h"
#include "spool.h"
#include "spooltest.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
put_file(const char *rel, const void *data, size_t len)
{
	FILE *f = fopen(path(rel), "wb");

	if (!f || fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

/* The file's contents (malloc'd, NUL-terminated) or NULL. */
static char *
get_file(const char *rel, size_t *len)
{
	FILE *f = fopen(path(rel), "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static bool
exists(const char *rel)
{
	struct stat st;

	return lstat(path(rel), &st) == 0;
}

/* Names in a sub-folder, sorted, space-separated (dot-files included). */
static char *
listing(const char *sub)
{
	static char out[2048];
	struct dirent **ents;
	size_t len = 0;
	int n = scandir(path(sub), &ents, NULL, alphasort);

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") &&
		    strcmp(ents[i]->d_name, ".."))
			len += (size_t)snprintf(out + len, sizeof(out) - len,
			                        "%s%s", len ? " " : "",
			                        ents[i]->d_name);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	return out;
}

static void
scan_collect(void *ctx, const char *name)
{
	char *out = ctx;
	size_t n = strlen(out);

	snprintf(out + n, 1024 - n, "%s%s", n ? " " : "", name);
}

static void
test_open(void)
{
	spool_t *sp;

	/* a spool folder that does not exist yet, with stale temp files */
	CHECK(spool_open("/proc/no/such/dir") == NULL, "unwritable parent");
	sp = spool_open(s_dir);
	CHECK(sp != NULL);
	CHECK_STR(listing(""), "done failed incoming tmp");
	CHECK_STR(spool_incoming_path(sp), path("incoming"));
	spool_close(&sp);
	CHECK(sp == NULL);
	spool_close(&sp);
	put_file("tmp/abc.body", "half", 4);
	put_file("tmp/.x.meta", "half", 4);
	sp = spool_open(s_dir);
	CHECK_STR(listing("tmp"), "", "tmp/ emptied at open");
	spool_close(&sp);
}

static void
test_article_names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "article.txt", true },  { "5d3d27540e34edbe", true },
		{ "a.tmp.txt", true },    { "x.meta.json.txt", true },
		{ "a.error.bak", true },  { ".hidden", false },
		{ ".a.txt.part", false }, { ".NAME.attempts", false },
		{ "upload.tmp", false },  { "a.meta.json", false },
		{ "a.error", false },     { "", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(spool_is_article_name(cases[i].name) == cases[i].ok,
		      "\"%s\"", cases[i].name);
}

static void
test_write_read(void)
{
	static const char body[] = "\xd6\xd0\xce\xc4 GBK bytes\0and a NUL";
	struct spool_meta meta = { "https://a.cn/1", "gx\"feed",
		                   "text/plain; charset=gbk", "gbk",
		                   1768984927113000LL };
	struct spool_meta got = { 0 };
	char id[SHA256_HEX_LEN + 1], id2[SHA256_HEX_LEN + 1], *s, rel[128];
	const char *why = NULL;
	spool_t *sp = spool_open(s_dir);
	uint64_t size = 0;
	void *b = NULL;
	size_t len = 0;
	flatjson_t *j = NULL;

	sha256_hex(body, sizeof(body) - 1, id);
	CHECK_INT(spool_write(sp, id, body, sizeof(body) - 1, &meta), 0);
	/* the body and the sidecar are in incoming/, nothing left in tmp/ */
	snprintf(rel, sizeof(rel), "incoming/%s", id);
	s = get_file(rel, &len);
	CHECK(s && len == sizeof(body) - 1 && !memcmp(s, body, len));
	free(s);
	CHECK_STR(listing("tmp"), "");
	snprintf(rel, sizeof(rel), "incoming/%s.meta.json", id);
	s = get_file(rel, &len);
	CHECK(s && flatjson_parse(s, len, &j, NULL) == 0, "%s", s);
	if (j) {
		CHECK_STR(flatjson_get(j, "uri", NULL), "https://a.cn/1");
		CHECK_STR(flatjson_get(j, "feed", NULL), "gx\"feed");
		CHECK_STR(flatjson_get(j, "charset", NULL), "gbk");
		CHECK_STR(flatjson_get(j, "received_us", NULL),
		          "1768984927113000");
	}
	flatjson_destroy(&j);
	free(s);

	/* inspect hashes the file: the id is the sha256 of its bytes */
	CHECK_INT(spool_inspect(sp, id, 1000, id2, &size, &why), 0);
	CHECK_STR(id2, id);
	CHECK_INT(size, sizeof(body) - 1);
	CHECK_INT(spool_inspect(sp, id, 10, id2, &size, &why), ERR_TOOBIG);
	CHECK_INT(size, sizeof(body) - 1, "size set when too big");
	CHECK_INT(spool_inspect(sp, "gone", 1000, id2, &size, &why),
	          ERR_NOTFOUND);

	/* read: body and sidecar */
	CHECK_INT(spool_read(sp, id, 1000, &b, &len, &got), 0);
	CHECK(b && len == sizeof(body) - 1 && !memcmp(b, body, len));
	CHECK_STR(got.uri, "https://a.cn/1");
	CHECK_STR(got.feed, "gx\"feed");
	CHECK_STR(got.content_type, "text/plain; charset=gbk");
	CHECK_STR(got.charset, "gbk");
	CHECK_INT(got.received_us, 1768984927113000LL);
	spool_meta_clear(&got);
	CHECK(got.uri == NULL);
	free(b);
	CHECK_INT(spool_read(sp, id, 10, &b, &len, &got), ERR_TOOBIG);
	CHECK_INT(spool_read(sp, "gone", 10, &b, &len, &got), ERR_NOTFOUND);

	/* a file dropped without a sidecar: empty strings, mtime as time */
	put_file("incoming/dropped.txt", "hello", 5);
	CHECK_INT(spool_read(sp, "dropped.txt", 100, &b, &len, &got), 0);
	CHECK_STR(got.uri, "");
	CHECK_STR(got.feed, "");
	CHECK_STR(got.charset, "");
	CHECK(got.received_us > 1600000000LL * 1000000 &&
	          got.received_us <= (int64_t)time(NULL) * 1000000 + 1000000,
	      "mtime %lld", (long long)got.received_us);
	spool_meta_clear(&got);
	free(b);

	/* received_us out of range or not a number: the mtime instead */
	{
		static const char *const bad[] = {
			"{\"received_us\":\"9223372036854775807\"}",
			"{\"received_us\":-5}",
			"{\"received_us\":1e15}",
			"{\"received_us\":\"\"}",
			"{\"received_us\":1768984927113}", /* milliseconds */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			put_file("incoming/dropped.txt.meta.json", bad[i],
			         strlen(bad[i]));
			log_setup(LOG_ERROR, LOG_PLAIN, "spool_test");
			CHECK_INT(
			    spool_read(sp, "dropped.txt", 100, &b, &len, &got),
			    0);
			log_setup(LOG_INFO, LOG_PLAIN, "spool_test");
			CHECK(got.received_us > 1600000000LL * 1000000 &&
			          got.received_us <=
			              (int64_t)time(NULL) * 1000000 + 1000000,
			      "%s: %lld", bad[i], (long long)got.received_us);
			spool_meta_clear(&got);
			free(b);
		}
		static const char good[] = "{\"received_us\":1768984927113000}";

		put_file("incoming/dropped.txt.meta.json", good,
		         sizeof(good) - 1);
		CHECK_INT(spool_read(sp, "dropped.txt", 100, &b, &len, &got),
		          0);
		CHECK_INT(got.received_us, 1768984927113000LL, "a valid one");
		spool_meta_clear(&got);
		free(b);
	}

	/* a malformed sidecar is logged; the article still reads */
	put_file("incoming/dropped.txt.meta.json", "{not json", 9);
	log_setup(LOG_ERROR, LOG_PLAIN, "spool_test");
	CHECK_INT(spool_read(sp, "dropped.txt", 100, &b, &len, &got), 0);
	log_setup(LOG_INFO, LOG_PLAIN, "spool_test");
	CHECK_STR(got.uri, "");
	spool_meta_clear(&got);
	free(b);

	/* symlinks and folders are not articles */
	CHECK(symlink("/etc/passwd", path("incoming/link")) == 0);
	CHECK(mkdir(path("incoming/folder"), 0750) == 0);
	CHECK_INT(spool_inspect(sp, "link", 1 << 20, id2, &size, &why),
	          ERR_INVAL);
	CHECK(why && strstr(why, "symbolic link"), "%s", why);
	CHECK_INT(spool_inspect(sp, "folder", 1 << 20, id2, &size, &why),
	          ERR_INVAL);
	CHECK(why && strstr(why, "directory"), "%s", why);
	/* read refuses it too, as an i/o error (inspect says NOTFOUND) */
	b = NULL;
	CHECK(spool_read(sp, "link", 1 << 20, &b, &len, &got) != 0 && !b);
	unlink(path("incoming/link"));
	rmdir(path("incoming/folder"));
	unlink(path("incoming/dropped.txt.meta.json"));
	unlink(path("incoming/dropped.txt"));
	spool_close(&sp);
}

static void
test_scan(void)
{
	static const char *const names[] = {
		"b.txt", "a.txt",       ".hidden", ".a.txt.part",
		"x.tmp", "a.meta.json", "a.error", ".a.txt.attempts",
	};
	char seen[1024] = "", sorted[1024] = "";
	spool_t *sp = spool_open(s_dir);
	char *dup, *tok, *save;
	const char *want[8];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "incoming/%s", names[i]);
		put_file(rel, "x", 1);
	}
	CHECK_INT(spool_scan(sp, scan_collect, seen), 0);
	/* readdir order is the file system's: sort what came back */
	dup = strdup(seen);
	for (tok = strtok_r(dup, " ", &save); tok && n < 8;
	     tok = strtok_r(NULL, " ", &save))
		want[n++] = tok;
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (strcmp(want[k], want[i]) < 0) {
				const char *t = want[i];

				want[i] = want[k];
				want[k] = t;
			}
	for (size_t i = 0; i < n; i++)
		snprintf(sorted + strlen(sorted),
		         sizeof(sorted) - strlen(sorted), "%s%s", i ? " " : "",
		         want[i]);
	free(dup);
	/* the id written by test_write_read is there too */
	CHECK(strstr(sorted, "a.txt b.txt") == sorted ||
	          strstr(sorted, " a.txt b.txt") != NULL,
	      "%s", sorted);
	CHECK(!strstr(seen, "hidden") && !strstr(seen, "part") &&
	          !strstr(seen, "tmp") && !strstr(seen, "meta") &&
	          !strstr(seen, "error") && !strstr(seen, "attempts"),
	      "%s", seen);
	CHECK_INT(n, 3, "%s", seen);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "incoming/%s", names[i]);
		unlink(path(rel));
	}
	spool_close(&sp);
}

static void
test_attempts(void)
{
	spool_t *sp = spool_open(s_dir);
	char *s;

	put_file("incoming/p.txt", "poison", 6);
	CHECK_INT(spool_attempts_get(sp, "p.txt"), 0);
	CHECK_INT(spool_attempts_set(sp, "p.txt", 2, "worker died"), 0);
	CHECK_INT(spool_attempts_get(sp, "p.txt"), 2);
	s = get_file("incoming/.p.txt.attempts", NULL);
	CHECK_STR(s, "2\nworker died\n");
	free(s);
	CHECK_STR(listing("tmp"), "");
	spool_close(&sp);
	/* a restart reads the same count */
	sp = spool_open(s_dir);
	CHECK_INT(spool_attempts_get(sp, "p.txt"), 2);
	CHECK_INT(spool_attempts_set(sp, "p.txt", 3, NULL), 0);
	spool_close(&sp);
	sp = spool_open(s_dir);
	CHECK_INT(spool_attempts_get(sp, "p.txt"), 3);
	/* failing it takes the attempts file along */
	CHECK_INT(spool_fail(sp, "p.txt", "", "gave up after 3 attempts", 3),
	          0);
	CHECK(!exists("incoming/.p.txt.attempts"));
	CHECK(!exists("incoming/p.txt"));
	CHECK(exists("failed/p.txt"));
	CHECK_INT(spool_attempts_get(sp, "p.txt"), 0);
	spool_close(&sp);
}

static void
test_done_failed(void)
{
	spool_t *sp = spool_open(s_dir);
	char id[SHA256_HEX_LEN + 1], rel[128];
	struct stat st;
	char *s;

	/* done/ keeps the article and its sidecar; the attempts go */
	put_file("incoming/d.txt", "done", 4);
	put_file("incoming/d.txt.meta.json", "{}", 2);
	spool_attempts_set(sp, "d.txt", 1, "x");
	CHECK_INT(spool_done(sp, "d.txt", NULL, 24), 0);
	CHECK(exists("done/d.txt") && exists("done/d.txt.meta.json"));
	CHECK(!exists("incoming/d.txt") && !exists("incoming/d.txt.meta.json"));
	CHECK(!exists("incoming/.d.txt.attempts"));
	CHECK_INT(spool_done(sp, "d.txt", NULL, 24), 0, "already moved: fine");

	/* retention 0: deleted at once */
	put_file("incoming/z.txt", "zero", 4);
	put_file("incoming/z.txt.meta.json", "{}", 2);
	CHECK_INT(spool_done(sp, "z.txt", NULL, 0), 0);
	CHECK(!exists("incoming/z.txt") && !exists("done/z.txt"));
	CHECK(!exists("incoming/z.txt.meta.json"));

	/* failed/ with a readable reason */
	put_file("incoming/f.txt", "bad", 3);
	put_file("incoming/f.txt.meta.json", "{}", 2);
	sha256_hex("bad", 3, id);
	CHECK_INT(spool_fail(sp, "f.txt", id,
	                     "undecodable: not UTF-8, GB18030 or Big5", 1),
	          0);
	CHECK(exists("failed/f.txt") && exists("failed/f.txt.meta.json"));
	s = get_file("failed/f.txt.error", NULL);
	CHECK(s && strstr(s, "article: f.txt\n") && strstr(s, id) &&
	          strstr(s, "reason: undecodable: not UTF-8, GB18030 or "
	                    "Big5\n") &&
	          strstr(s, "attempts: 1\n") && strstr(s, "time: 20"),
	      "%s", s ? s : "(none)");
	free(s);
	/* the same name failing again gets a suffix from its id */
	put_file("incoming/f.txt", "bad again", 9);
	sha256_hex("bad again", 9, id);
	CHECK_INT(spool_fail(sp, "f.txt", id, "again", 2), 0);
	snprintf(rel, sizeof(rel), "failed/f.txt.%.12s", id);
	CHECK(exists(rel), "%s", rel);
	snprintf(rel, sizeof(rel), "failed/f.txt.%.12s.error", id);
	s = get_file(rel, NULL);
	CHECK(s && strstr(s, "reason: again\n"), "%s", s ? s : "(none)");
	free(s);
	s = get_file("failed/f.txt", NULL);
	CHECK_STR(s, "bad", "the first one is kept");
	free(s);
	CHECK_STR(listing("tmp"), "");

	/* the sweep removes what is older than the retention */
	put_file("done/old.txt", "old", 3);
	{
		struct timespec ts[2] = { { time(NULL) - 48 * 3600, 0 },
			                  { time(NULL) - 48 * 3600, 0 } };

		utimensat(AT_FDCWD, path("done/old.txt"), ts, 0);
	}
	CHECK_INT(spool_sweep_done(sp, 24), 1);
	CHECK(!exists("done/old.txt"));
	CHECK(exists("done/d.txt"), "moved now: retention counts from now");
	CHECK(stat(path("done/d.txt"), &st) == 0 &&
	      st.st_mtime >= time(NULL) - 60);
	CHECK_INT(spool_sweep_done(sp, 24), 0);
	spool_close(&sp);
}

static void
on_alarm(int sig)
{
	(void)sig;
	fputs("spool_test: blocked (a FIFO opened without O_NONBLOCK?)\n",
	      stderr);
	_exit(1);
}

/* What the spool contract refuses, and never blocks on: FIFOs (as the
 * article, its sidecar or its attempts file), symbolic links, hard links. */
static void
test_contract_refusals(void)
{
	spool_t *sp = spool_open(s_dir);
	char id[SHA256_HEX_LEN + 1];
	struct spool_meta got = { 0 };
	const char *why = NULL;
	uint64_t size = 0;
	size_t len = 0;
	void *b = NULL;

	signal(SIGALRM, on_alarm);
	alarm(20);
	CHECK(mkfifo(path("incoming/fifo"), 0640) == 0);
	CHECK_INT(spool_inspect(sp, "fifo", 1 << 20, id, &size, &why),
	          ERR_INVAL);
	CHECK(why && strstr(why, "FIFO"), "%s", why ? why : "(null)");
	CHECK_INT(spool_read(sp, "fifo", 1 << 20, &b, &len, &got),
	          ERR_NOTFOUND);
	CHECK(b == NULL);
	/* a FIFO as sidecar or attempts file of a real article */
	put_file("incoming/real.txt", "real", 4);
	CHECK(mkfifo(path("incoming/real.txt.meta.json"), 0640) == 0);
	CHECK(mkfifo(path("incoming/.real.txt.attempts"), 0640) == 0);
	CHECK_INT(spool_attempts_get(sp, "real.txt"), 0);
	CHECK_INT(spool_read(sp, "real.txt", 1 << 20, &b, &len, &got), 0);
	CHECK_STR(got.uri, "");
	spool_meta_clear(&got);
	free(b);
	b = NULL;
	/* refused: into failed/ with the reason, never blocking */
	CHECK_INT(spool_fail(sp, "fifo", "", why, 0), 0);
	CHECK(exists("failed/fifo") && !exists("incoming/fifo"));
	alarm(0);

	/* a hard link to a file outside incoming/ */
	put_file("secret", "not yours", 9);
	CHECK(link(path("secret"), path("incoming/hl.txt")) == 0);
	CHECK_INT(spool_inspect(sp, "hl.txt", 1 << 20, id, &size, &why),
	          ERR_INVAL);
	CHECK(why && strstr(why, "hard link"), "%s", why ? why : "(null)");
	unlink(path("incoming/hl.txt"));
	unlink(path("secret"));
	unlink(path("incoming/real.txt"));
	unlink(path("incoming/real.txt.meta.json"));
	unlink(path("incoming/.real.txt.attempts"));
	spool_close(&sp);
}

/* A new file moved over a name whose old bytes are being settled: the
 * settlement does not carry the new bytes away. */
static void
test_replaced_name(void)
{
	spool_t *sp = spool_open(s_dir);
	char old_id[SHA256_HEX_LEN + 1], new_id[SHA256_HEX_LEN + 1];
	char *s;

	sha256_hex("old bytes", 9, old_id);
	sha256_hex("new bytes", 9, new_id);
	for (long keep = 0; keep <= 24; keep += 24) {
		put_file("incoming/.r.part", "new bytes", 9);
		CHECK(rename(path("incoming/.r.part"),
		             path("incoming/r.txt")) == 0);
		CHECK_INT(spool_done(sp, "r.txt", old_id, keep), ERR_AGAIN,
		          "retention %ld", keep);
		CHECK_INT(spool_fail(sp, "r.txt", old_id, "rejected", 1),
		          ERR_AGAIN);
		s = get_file("incoming/r.txt", NULL);
		CHECK_STR(s, "new bytes", "retention %ld", keep);
		free(s);
		CHECK(!exists("done/r.txt") && !exists("failed/r.txt"));
		CHECK_INT(spool_done(sp, "r.txt", new_id, keep), 0);
		CHECK(!exists("incoming/r.txt"));
		CHECK(exists("done/r.txt") == (keep > 0));
	}
	/* gone already: nothing to do, fine */
	CHECK_INT(spool_done(sp, "r.txt", old_id, 24), 0);
	CHECK_STR(listing("tmp"), "");
	spool_close(&sp);
}

/* Refusals always leave incoming/: a name too long for NAME.error, the
 * same name refused three times, a reason with forged lines. */
static void
test_refusal_names(void)
{
	spool_t *sp = spool_open(s_dir);
	char name[251], rel[300], *s;
	int n = 0;

	memset(name, 'n', 250);
	name[250] = '\0';
	snprintf(rel, sizeof(rel), "incoming/%s", name);
	put_file(rel, "long", 4);
	CHECK_INT(spool_fail(sp, name, "", "too big", 0), 0);
	CHECK(!exists(rel), "the long name left incoming/");
	snprintf(rel, sizeof(rel), "failed/%.228s.error", name);
	s = get_file(rel, NULL);
	CHECK(s && strstr(s, "reason: too big\n") && strstr(s, name), "%s",
	      s ? s : "(none)");
	free(s);

	for (int i = 0; i < 3; i++) {
		put_file("incoming/big.txt",
		         i == 0   ? "a"
		         : i == 1 ? "b"
		                  : "c",
		         1);
		CHECK_INT(spool_fail(sp, "big.txt", "",
		                     "too big\nreason: forged\r", 0),
		          0);
	}
	CHECK(strstr(listing("failed"),
	             "big.txt big.txt.1 big.txt.1.error big.txt.2 "
	             "big.txt.2.error big.txt.error ") != NULL,
	      "%s", listing("failed"));
	s = get_file("failed/big.txt.2", NULL);
	CHECK_STR(s, "c", "the third one kept");
	free(s);
	s = get_file("failed/big.txt.1.error", NULL);
	CHECK(s && strstr(s, "reason: too big reason: forged \n"), "%s",
	      s ? s : "(none)");
	for (const char *p = s; p && (p = strstr(p, "\nreason:")); p++)
		n++;
	CHECK_INT(n, 1, "one reason line");
	free(s);
	spool_close(&sp);
}

/* A file's bytes that no other test's repeat. */
static void
pattern(unsigned char *b, size_t n, unsigned mul, unsigned div)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(i * mul + i / div);
}

struct notices {
	char names[1024];
	char id[SHA256_HEX_LEN + 1];
	uint64_t size;
};

static void
notice_collect(void *ctx, const struct spool_notice *n)
{
	struct notices *c = ctx;

	scan_collect(c->names, n->marker);
	snprintf(c->id, sizeof(c->id), "%s", n->id);
	c->size = n->size;
}

static void
test_notices(void)
{
	spool_t *sp = spool_open(s_dir);
	static unsigned char big[100000];
	char id[SHA256_HEX_LEN + 1];
	struct spool_notice n, r;
	struct notices c = { "", "", 0 };
	void *prefix = NULL;
	size_t len = 0;

	pattern(big, sizeof(big), 7, 256);
	sha256_hex(big, sizeof(big), id);
	CHECK(spool_is_notice_name(".huge.txt.notice"));
	CHECK(!spool_is_notice_name("huge.txt.notice"), "an article's name");
	CHECK(!spool_is_notice_name(".notice"));
	CHECK(!spool_is_notice_name(".huge.txt"));
	put_file("incoming/huge.txt", big, sizeof(big));
	/* a reason cannot forge the marker's lines */
	CHECK_INT(spool_refuse(sp, "huge.txt", "too big\nid: 0000", &n), 0);
	CHECK_STR(n.marker, ".huge.txt.notice");
	CHECK_STR(n.dest, "huge.txt");
	CHECK_STR(n.id, id, "the whole file's SHA-256");
	CHECK_INT(n.size, sizeof(big));
	CHECK(n.refused_us > 0);
	CHECK(!exists("incoming/huge.txt"));
	CHECK(exists("failed/huge.txt") && exists("failed/huge.txt.error") &&
	      exists("failed/.huge.txt.notice"));
	CHECK_INT(spool_notice_read(sp, n.marker, 1000, &r, &prefix, &len), 0);
	CHECK_INT(len, 1000, "the prefix only");
	CHECK(prefix && memcmp(prefix, big, 1000) == 0, "its first bytes");
	CHECK_STR(r.id, id);
	CHECK_INT(r.size, sizeof(big));
	CHECK_STR(r.reason, "too big id: 0000");
	CHECK_STR(r.dest, "huge.txt");
	CHECK_INT(r.refused_us, n.refused_us);
	free(prefix);
	prefix = NULL;
	/* a marker that is not a notice's is skipped by the scan */
	put_file("failed/.junk.notice", "size: 12\n", 9);
	CHECK_INT(spool_scan_notices(sp, notice_collect, &c), 0);
	CHECK_STR(c.names, ".huge.txt.notice");
	CHECK_STR(c.id, id);
	CHECK_INT(c.size, sizeof(big));
	/* the refused file gone (replayed by hand): a notice without bytes */
	unlink(path("failed/huge.txt"));
	CHECK_INT(spool_notice_read(sp, n.marker, 1000, &r, &prefix, &len), 0);
	CHECK_INT(len, 0);
	free(prefix);
	CHECK_INT(spool_notice_done(sp, n.marker), 0);
	CHECK(!exists("failed/.huge.txt.notice"));
	CHECK_INT(spool_notice_done(sp, n.marker), 0, "gone already: ok");
	prefix = NULL;
	CHECK_INT(spool_notice_read(sp, n.marker, 1000, &r, &prefix, &len),
	          ERR_NOTFOUND);
	CHECK_INT(spool_notice_done(sp, "huge.txt.error"), ERR_INVAL,
	          "never anything but a notice");
	CHECK(exists("failed/huge.txt.error"));
	unlink(path("failed/.junk.notice"));
	spool_close(&sp);
}

/* Waits (generously) until the hasher has completed one notice. */
static int
wait_hashed(spool_t *sp, struct notices *c)
{
	int made = 0;

	for (int i = 0; i < 6000 && made == 0; i++) {
		made = spool_notices_hashed(sp, notice_collect, c);
		if (made == 0)
			usleep(10000);
	}
	return made;
}

/* A refused file above the inline limit is hashed off the caller's
 * thread: the marker says "still to hash" at once, the notice is
 * completed later, and a marker left so by a stop is hashed after the
 * reopen. */
static void
test_notice_hashed_later(void)
{
	spool_t *sp = spool_open(s_dir);
	static unsigned char big[300000];
	char id[SHA256_HEX_LEN + 1], *s;
	struct spool_notice n, r;
	struct notices c = { "", "", 0 };
	void *prefix = NULL;
	size_t len = 0;

	pattern(big, sizeof(big), 13, 512);
	sha256_hex(big, sizeof(big), id);
	spool_set_hash_inline_max(sp, 4096);
	put_file("incoming/vast.txt", big, sizeof(big));
	CHECK_INT(spool_refuse(sp, "vast.txt", "too big", &n), 0);
	CHECK_STR(n.marker, ".vast.txt.notice");
	CHECK_STR(n.id, "", "not hashed by the caller");
	CHECK_INT(n.size, sizeof(big));
	CHECK(exists("failed/vast.txt") && exists("failed/.vast.txt.notice"));
	CHECK_INT(wait_hashed(sp, &c), 1);
	CHECK_STR(c.names, ".vast.txt.notice");
	CHECK_STR(c.id, id, "the whole file's SHA-256, from the hasher");
	CHECK_INT(c.size, sizeof(big));
	CHECK_INT(spool_notice_read(sp, n.marker, 0, &r, &prefix, &len), 0);
	free(prefix);
	prefix = NULL;
	CHECK_STR(r.id, id, "the marker rewritten with it");
	CHECK_STR(r.reason, "too big");
	CHECK_INT(spool_notices_hashing(sp), 0);

	/* a marker still to hash when ingestd stopped: the scan after the
	 * reopen gives it to the hasher, not to the queue */
	s = get_file("failed/.vast.txt.notice", &len);
	CHECK(s != NULL);
	if (s) {
		char *idl = strstr(s, id);

		if (idl)
			memmove(idl, idl + 64, strlen(idl + 64) + 1);
		put_file("failed/.vast.txt.notice", s, strlen(s));
		free(s);
	}
	spool_close(&sp);
	sp = spool_open(s_dir);
	memset(&c, 0, sizeof(c));
	CHECK_INT(spool_scan_notices(sp, notice_collect, &c), 0);
	CHECK_STR(c.names, "", "not queued before it is hashed");
	CHECK_INT(wait_hashed(sp, &c), 1);
	CHECK_STR(c.names, ".vast.txt.notice");
	CHECK_STR(c.id, id);

	/* the refused file gone before it was hashed (a marker still to hash
	 * whose file was removed by hand): no notice, the marker removed */
	{
		static const char gone[] =
		    "id: \nsize: 300000\n"
		    "refused_us: 1\nstored_as: gone.txt\n"
		    "reason: too big\n";

		put_file("failed/.gone.txt.notice", gone, sizeof(gone) - 1);
	}
	memset(&c, 0, sizeof(c));
	CHECK_INT(spool_scan_notices(sp, notice_collect, &c), 0);
	CHECK_STR(c.names, ".vast.txt.notice", "the complete one only");
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 6000 && spool_notices_hashing(sp) > 0; i++) {
		spool_notices_hashed(sp, notice_collect, &c);
		usleep(10000);
	}
	CHECK_INT(spool_notices_hashed(sp, notice_collect, &c), 0);
	CHECK_INT(spool_notices_hashing(sp), 0);
	CHECK_STR(c.names, "", "no notice without the file");
	CHECK(!exists("failed/.gone.txt.notice"), "marker removed");
	spool_notice_done(sp, ".gone.txt.notice");
	spool_notice_done(sp, ".vast.txt.notice");
	spool_close(&sp);
}

static void
test_free_bytes(void)
{
	spool_t *sp = spool_open(s_dir);
	uint64_t n = 0;

	CHECK_INT(spool_free_bytes(sp, &n), 0);
	CHECK(n > 0);
	spool_close(&sp);
}

static int
rm_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int
main(void)
{
	char base[] = "/tmp/spool_test.XXXXXX";

	if (!mkdtemp(base))
		abort();
	/* the spool itself is a folder spool_open() has to make */
	snprintf(s_dir, sizeof(s_dir), "%s/spool", base);
	log_setup(LOG_WARN, LOG_PLAIN, "spool_test");
	test_open();
	test_article_names();
	test_write_read();
	test_scan();
	test_attempts();
	test_done_failed();
	test_contract_refusals();
	test_replaced_name();
	test_refusal_names();
	test_notices();
	test_notice_hashed_later();
	test_free_bytes();
	if (rm_tree(base) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return test_done("spool_test");
}
