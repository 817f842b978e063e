/* httpin_test.c - POST /articles through the real HTTP server (http.c's
 * POST route) on 127.0.0.1:0 into a spool in a mkdtemp() folder: 202 with
 * the id once the article and its sidecar are in incoming/, the charset
 * parameter as the hint, 400 empty, 413 by Content-Length and by a chunked
 * body, 405 for GET, 503 once stopped, 507 when the disk is "full" (a
 * --min-free-mb larger than any disk). */
#define _GNU_SOURCE
#include "flatjson.h"
#include "httpin.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "sha256.h"
#include "spool.h"
#include "test.h"
#include "testhttp.h"

#include <sys/stat.h>
#include <unistd.h>

static char s_dir[256];

static int
post(int port, const char *headers, const void *body, size_t len, char **resp)
{
	char *req = NULL;
	size_t rlen = 0;
	FILE *f = open_memstream(&req, &rlen);
	int st;

	fprintf(f,
	        "POST /articles HTTP/1.1\r\nHost: localhost\r\n"
	        "Connection: close\r\nContent-Length: %zu\r\n%s\r\n",
	        len, headers);
	fwrite(body, 1, len, f);
	fclose(f);
	st = http_request(port, req, rlen, resp);
	free(req);
	return st;
}

static char *
read_rel(const char *rel)
{
	char p[512], *buf;
	FILE *f;
	long n;

	snprintf(p, sizeof(p), "%s/%s", s_dir, rel);
	f = fopen(p, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	return buf;
}

static void
test_charset_and_meta(int port)
{
	static const struct {
		const char *ctype; /* NULL: no header */
		const char *charset;
	} cases[] = {
		{ "text/plain; charset=gbk", "gbk" },
		{ "text/html;charset=\"GB18030\"", "gb18030" },
		{ "text/plain; format=flowed; Charset = Big5 ", "big5" },
		{ "text/plain; charset=utf-8; q=1", "utf-8" },
		{ "text/plain", "" },
		{ "text/plain; charset=", "" },
		{ "text/plain; charset=a\"b", "" },
		{ NULL, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[64], hdr[256], want[128], id[SHA256_HEX_LEN + 1];
		char rel[128], *resp, *s;
		flatjson_t *j = NULL;
		int st;

		snprintf(body, sizeof(body), "article %zu 中文", i);
		sha256_hex(body, strlen(body), id);
		hdr[0] = '\0';
		if (cases[i].ctype)
			snprintf(hdr, sizeof(hdr),
			         "Content-Type: %s\r\nX-Article-URI: "
			         "https://a.cn/%zu\r\nX-Article-Feed: f%zu\r\n",
			         cases[i].ctype, i, i);
		st = post(port, hdr, body, strlen(body), &resp);
		CHECK_INT(st, 202, "case %zu", i);
		snprintf(want, sizeof(want), "{\"id\":\"%s\"}\n", id);
		CHECK_STR(resp, want, "case %zu", i);
		free(resp);
		/* durable before the answer: both files are there now */
		snprintf(rel, sizeof(rel), "spool/incoming/%s", id);
		s = read_rel(rel);
		CHECK_STR(s, body, "case %zu", i);
		free(s);
		snprintf(rel, sizeof(rel), "spool/incoming/%s.meta.json", id);
		s = read_rel(rel);
		CHECK(s && flatjson_parse(s, strlen(s), &j, NULL) == 0,
		      "case %zu: %s", i, s ? s : "(no sidecar)");
		if (j) {
			char uri[64], feed[16];

			snprintf(uri, sizeof(uri), "https://a.cn/%zu", i);
			snprintf(feed, sizeof(feed), "f%zu", i);
			CHECK_STR(flatjson_get(j, "charset", NULL),
			          cases[i].charset, "case %zu", i);
			CHECK_STR(flatjson_get(j, "content_type", NULL),
			          cases[i].ctype ? cases[i].ctype : "",
			          "case %zu", i);
			CHECK_STR(flatjson_get(j, "uri", NULL),
			          cases[i].ctype ? uri : "", "case %zu", i);
			CHECK_STR(flatjson_get(j, "feed", NULL),
			          cases[i].ctype ? feed : "", "case %zu", i);
			CHECK(flatjson_get(j, "received_us", NULL) != NULL);
		}
		flatjson_destroy(&j);
		free(s);
	}
}

static void
test_refusals(int port, httpin_t *h)
{
	static const char chunked[] = "POST /articles HTTP/1.1\r\nHost: "
	                              "localhost\r\nConnection: close\r\n"
	                              "Transfer-Encoding: chunked\r\n\r\n"
	                              "300\r\n%s\r\n300\r\n%s\r\n0\r\n\r\n";
	char *resp, *big = malloc(2048), *req = malloc(8192);
	int st;

	if (!big || !req)
		abort();
	/* at the limit (1 KiB) is fine, one byte more is not */
	memset(big, 'x', 2048);
	st = post(port, "", big, 1024, &resp);
	CHECK_INT(st, 202);
	free(resp);
	st = post(port, "", big, 1025, &resp);
	CHECK_INT(st, 413);
	CHECK(resp && strstr(resp, "max-article-bytes"), "%s", resp);
	free(resp);
	/* answered before the body: a client that waits for 100 Continue,
	 * and one that announces far too much */
	static const char *const early[] = {
		"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n"
		"Expect: 100-continue\r\n\r\n",
		"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: "
		"100000000\r\n\r\n",
	};
	for (size_t i = 0; i < 2; i++) {
		st = http_request(port, early[i], strlen(early[i]), &resp);
		CHECK_INT(st, 413, "early %zu", i);
		free(resp);
	}
	/* chunked, no length announced: 2 x 768 bytes */
	memset(big, 'y', 768);
	big[768] = '\0';
	snprintf(req, 8192, chunked, big, big);
	st = http_request(port, req, strlen(req), &resp);
	CHECK_INT(st, 413, "chunked body above the limit");
	free(resp);
	snprintf(req, 8192,
	         "POST /articles HTTP/1.1\r\nHost: localhost\r\nConnection: "
	         "close\r\nTransfer-Encoding: chunked\r\n\r\n"
	         "10\r\n0123456789abcdef\r\n0\r\n\r\n");
	st = http_request(port, req, strlen(req), &resp);
	CHECK_INT(st, 202, "small chunked body");
	free(resp);

	st = post(port, "", "", 0, &resp);
	CHECK_INT(st, 400);
	CHECK_STR(resp, "{\"error\":\"empty body\"}\n");
	free(resp);
	snprintf(req, 8192,
	         "GET /articles HTTP/1.1\r\nHost: x\r\n"
	         "Connection: close\r\n\r\n");
	st = http_request(port, req, strlen(req), &resp);
	CHECK_INT(st, 405);
	free(resp);
	/* the other endpoints are untouched */
	snprintf(req, 8192,
	         "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	         "Connection: close\r\n\r\n");
	st = http_request(port, req, strlen(req), &resp);
	CHECK_INT(st, 200);
	free(resp);
	st = http_request(
	    port,
	    "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "Connection: close\r\n\r\nx",
	    strlen("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
	           "1\r\nConnection: close\r\n\r\nx"),
	    &resp);
	CHECK_INT(st, 405);
	free(resp);

	httpin_stop(h);
	st = post(port, "", "late", 4, &resp);
	CHECK_INT(st, 503);
	CHECK_STR(resp, "{\"error\":\"draining\"}\n");
	free(resp);
	free(big);
	free(req);
}

/* The handler alone: a disk below --min-free-mb gets 507 and nothing is
 * written. */
static void
test_disk_full(spool_t *sp)
{
	struct intake_counters m = { 0 };
	intake_t *seam;
	queue_t *q = queue_new();
	httpin_t *h;
	struct http_post req = { "/articles", "body", 4, NULL };
	struct http_reply rep;

	m.refused = metrics_counter("t_http_refused_total", NULL, "");
	seam = intake_new(&(struct intake_opts){ 1024, 1L << 40, 24 }, sp, q,
	                  NULL);
	h = httpin_new(seam, &m);
	memset(&rep, 0, sizeof(rep));
	httpin_handle(h, &req, &rep);
	CHECK_INT(rep.status, 507);
	CHECK_STR(rep.body, "{\"error\":\"spool disk nearly full\"}\n");
	CHECK_STR(rep.content_type, "application/json");
	CHECK(metrics_value(m.refused) == 1);
	/* too big as metrics.c reports it: body NULL */
	req.body = NULL;
	req.len = 5000;
	memset(&rep, 0, sizeof(rep));
	rep.status = 413;
	httpin_handle(h, &req, &rep);
	CHECK_INT(rep.status, 413);
	httpin_destroy(&h);
	CHECK(h == NULL);
	intake_destroy(&seam);
	queue_destroy(&q);
}

int
main(void)
{
	char base[] = "/tmp/httpin_test.XXXXXX", cmd[300];
	struct intake_counters m = { 0 };
	spool_t *sp;
	queue_t *q;
	intake_t *seam;
	httpin_t *h;
	int port = 0;

	if (!mkdtemp(base))
		abort();
	snprintf(s_dir, sizeof(s_dir), "%s", base);
	log_setup(LOG_ERROR, LOG_PLAIN, "httpin_test");
	snprintf(cmd, sizeof(cmd), "%s/spool", base);
	sp = spool_open(cmd);
	CHECK(sp != NULL);
	if (!sp)
		return test_done("httpin_test");
	m.accepted = metrics_counter("t_http_accepted_total", NULL, "");
	m.too_big = metrics_counter("t_http_too_big_total", NULL, "");
	q = queue_new();
	seam = intake_new(&(struct intake_opts){ 1024, 1, 24 }, sp, q, NULL);
	h = httpin_new(seam, &m);
	CHECK_INT(httpin_register(h, "/articles"), 0);
	CHECK_INT(http_set_post_handler("relative", httpin_handle, h, 1), -1);
	CHECK_INT(http_serve("127.0.0.1:0", NULL, NULL, NULL, &port), 0);
	test_charset_and_meta(port);
	test_refusals(port, h);
	CHECK(metrics_value(m.accepted) == 8 + 2, "accepted %g",
	      metrics_value(m.accepted));
	CHECK(metrics_value(m.too_big) == 4, "too big %g",
	      metrics_value(m.too_big));
	http_stop();
	/* the route can be removed */
	CHECK_INT(http_set_post_handler("/articles", NULL, NULL, 0), 0);
	httpin_destroy(&h);
	intake_destroy(&seam);
	queue_destroy(&q);
	test_disk_full(sp);
	spool_close(&sp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return test_done("httpin_test");
}
