/* metrics_test.c - the registry, the exposition text, the stats line's
 * pace, and the HTTP server (http.c) on 127.0.0.1:0 fetched with a raw
 * socket; `promtool check metrics` over
 * the output when promtool is on PATH. */
#define _GNU_SOURCE
#include "http.h"
#include "metrics.h"
#include "test.h"
#include "testhttp.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static metric_t *s_stored, *s_rejected, *s_inflight, *s_latency, *s_plain;

static bool s_ready;

static bool
healthz(void *ctx, const char **reason)
{
	(void)ctx;
	(void)reason;
	return true;
}

static bool
readyz(void *ctx, const char **reason)
{
	CHECK_STR((const char *)ctx, "ctx");
	if (s_ready)
		return true;
	*reason = "postgres down";
	return false;
}

/* One request on a fresh connection; returns the status code and sets
 * *body (malloc'd) to what follows the header block. */
static int
fetch(int port, const char *method, const char *path, char **body)
{
	char req[256];

	snprintf(req, sizeof(req),
	         "%s %s HTTP/1.1\r\nHost: localhost\r\n"
	         "Content-Length: 0\r\nConnection: close\r\n\r\n",
	         method, path);
	return http_request(port, req, strlen(req), body);
}

static void *
hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		metrics_add(s_stored, 1);
		metrics_add(s_inflight, 1);
		metrics_add(s_inflight, -1);
		metrics_observe(s_latency, 0.002);
	}
	return NULL;
}

static bool
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static int
count_of(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
test_registry(void)
{
	static const double buckets[] = { 0.001, 0.01, 0.1, 1 };
	metric_t *again;

	s_stored = metrics_counter("t_articles_total", "status=\"stored\"",
	                           "Articles by outcome.");
	s_inflight = metrics_gauge("t_leases_in_flight", NULL,
	                           "Leases held.\nSecond line \\ here.");
	s_latency =
	    metrics_histogram("t_extract_seconds", NULL,
	                      "Time to extract one article.", buckets, 4);
	/* Same name, another label set, registered after other names: it
	 * must still print under the first HELP/TYPE. */
	s_rejected = metrics_counter("t_articles_total", "status=\"rejected\"",
	                             "ignored: the first help wins");
	s_plain = metrics_counter("t_reconnects_total", NULL, "Reconnects.");
	CHECK(s_stored && s_inflight && s_latency && s_rejected && s_plain);
	again = metrics_counter("t_articles_total", "status=\"stored\"", "x");
	CHECK(again == s_stored, "same series, same metric");

	metrics_add(NULL, 1);
	metrics_set(NULL, 1);
	metrics_observe(NULL, 1);
	CHECK(metrics_value(NULL) == 0);

	metrics_add(s_rejected, 2);
	metrics_add(s_rejected, -5); /* counters never go down */
	CHECK(metrics_value(s_rejected) == 2);
	metrics_add(s_plain, 0.5);
	metrics_set(s_inflight, 7);
	metrics_add(s_inflight, -2);
	CHECK(metrics_value(s_inflight) == 5);
	metrics_set(s_stored, 100); /* not a gauge: ignored */
	CHECK(metrics_value(s_stored) == 0);

	metrics_observe(s_latency, 0.001); /* on a bound: le is inclusive */
	metrics_observe(s_latency, 0.05);
	metrics_observe(s_latency, 5);
}

static void
test_threads(void)
{
	pthread_t th[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK(metrics_value(s_stored) == 400000, "lost updates: %.0f",
	      metrics_value(s_stored));
	CHECK(metrics_value(s_inflight) == 5);
}

static void
test_render(void)
{
	char *text = metrics_render();

	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(count_of(text, "# HELP t_articles_total ") == 1);
	CHECK(count_of(text, "# TYPE t_articles_total counter") == 1);
	CHECK(has_line(text, "# HELP t_articles_total Articles by outcome."));
	CHECK(has_line(text, "t_articles_total{status=\"stored\"} 400000"));
	CHECK(has_line(text, "t_articles_total{status=\"rejected\"} 2"));
	/* Both series of one name follow their header, before other names. */
	CHECK(strstr(text, "{status=\"rejected\"}") <
	      strstr(text, "# HELP t_leases_in_flight"));
	CHECK(has_line(text, "# HELP t_leases_in_flight Leases held.\\nSecond "
	                     "line \\\\ here."));
	CHECK(has_line(text, "# TYPE t_leases_in_flight gauge"));
	CHECK(has_line(text, "t_leases_in_flight 5"));
	CHECK(has_line(text, "t_reconnects_total 0.5"));
	CHECK(has_line(text, "# TYPE t_extract_seconds histogram"));
	CHECK(has_line(text, "t_extract_seconds_bucket{le=\"0.001\"} 1"));
	CHECK(has_line(text, "t_extract_seconds_bucket{le=\"0.01\"} 400001"));
	CHECK(has_line(text, "t_extract_seconds_bucket{le=\"0.1\"} 400002"));
	CHECK(has_line(text, "t_extract_seconds_bucket{le=\"1\"} 400002"));
	CHECK(has_line(text, "t_extract_seconds_bucket{le=\"+Inf\"} 400003"));
	CHECK(has_line(text, "t_extract_seconds_count 400003"));
	CHECK(strstr(text, "t_extract_seconds_sum ") != NULL);
	CHECK(text[strlen(text) - 1] == '\n');
	free(text);
}

static void
test_labelled_histogram(void)
{
	static const double b[] = { 0.5, INFINITY }; /* +Inf is ours */
	metric_t *h = metrics_histogram("t_commit_seconds", "db=\"main\"",
	                                "Commit time.", b, 2);
	char *text;

	metrics_observe(h, 0.25);
	text = metrics_render();
	CHECK(has_line(text, "t_commit_seconds_bucket{db=\"main\",le=\"0.5\"} "
	                     "1"));
	CHECK(has_line(text, "t_commit_seconds_bucket{db=\"main\",le=\"+Inf\"} "
	                     "1"));
	CHECK(count_of(text, "le=\"+Inf\"") == 2, "one +Inf per histogram");
	CHECK(has_line(text, "t_commit_seconds_sum{db=\"main\"} 0.25"));
	CHECK(has_line(text, "t_commit_seconds_count{db=\"main\"} 1"));
	free(text);
}

static void
promtool_check(const char *text)
{
	char path[] = "/tmp/metrics_test.XXXXXX", cmd[512];
	int fd, st;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		printf("metrics_test: promtool not on PATH, skipping its "
		       "check\n");
		return;
	}
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	st = system(cmd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "promtool check metrics failed on %s", path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		printf("metrics_test: promtool check metrics: ok\n");
		unlink(path);
	}
}

static void
test_http(void)
{
	char *body;
	int port = -1, st;

	CHECK(http_serve("nonsense", NULL, NULL, NULL, NULL) == -1);
	CHECK(http_serve("127.0.0.1:99999", NULL, NULL, NULL, NULL) == -1);
	CHECK(http_serve("127.0.0.1:", NULL, NULL, NULL, NULL) == -1);
	CHECK(http_serve("127.0.0.1:0", healthz, readyz, "ctx", &port) == 0);
	CHECK(port > 0, "port %d", port);
	/* A second server would fight over the same callbacks. */
	CHECK(http_serve("127.0.0.1:0", NULL, NULL, NULL, NULL) == -1);

	st = fetch(port, "GET", "/metrics", &body);
	CHECK_INT(st, 200);
	CHECK(body && has_line(body, "t_leases_in_flight 5"));
	if (body)
		promtool_check(body);
	free(body);

	st = fetch(port, "GET", "/healthz", &body);
	CHECK_INT(st, 200);
	CHECK_STR(body, "ok\n");
	free(body);

	s_ready = false;
	st = fetch(port, "GET", "/readyz", &body);
	CHECK_INT(st, 503);
	CHECK_STR(body, "postgres down\n");
	free(body);
	s_ready = true;
	st = fetch(port, "GET", "/readyz", &body);
	CHECK_INT(st, 200);
	CHECK_STR(body, "ok\n");
	free(body);

	st = fetch(port, "GET", "/nope", &body);
	CHECK_INT(st, 404);
	free(body);
	st = fetch(port, "POST", "/metrics", &body);
	CHECK_INT(st, 405);
	free(body);
	st = fetch(port, "HEAD", "/healthz", &body);
	CHECK_INT(st, 200);
	CHECK_STR(body, "");
	free(body);

	http_stop();
	http_stop(); /* idempotent */
	st = fetch(port, "GET", "/healthz", &body);
	CHECK_INT(st, -1, "stopped server still answers");
	free(body);
}

/* "localhost" and "[::1]" go through getaddrinfo; a host without IPv6
 * only skips the second. */
static void
test_addresses(void)
{
	int port = -1, fd;

	CHECK(http_serve("localhost:0", NULL, NULL, NULL, &port) == 0);
	CHECK(port > 0);
	http_stop();
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0) {
		struct sockaddr_in6 sa;
		int ok;

		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_addr = in6addr_loopback;
		ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok) {
			port = -1;
			CHECK(http_serve("[::1]:0", NULL, NULL, NULL, &port) ==
			      0);
			CHECK(port > 0);
			http_stop();
		}
	}
	port = -1;
	CHECK(http_serve(":0", NULL, NULL, NULL, &port) == 0);
	CHECK(port > 0);
	http_stop();
}

/* The stats line comes once per METRICS_STATS_MS, counted from the
 * first turn of the loop, whatever the loop's pace. */
static void
test_stats_tick(void)
{
	int64_t t0 = 5000;

	CHECK(!metrics_stats_tick(t0), "the first turn only starts the clock");
	CHECK(!metrics_stats_tick(t0 + 250));
	CHECK(!metrics_stats_tick(t0 + METRICS_STATS_MS - 1));
	CHECK(metrics_stats_tick(t0 + METRICS_STATS_MS), "due at 60 s");
	CHECK(!metrics_stats_tick(t0 + METRICS_STATS_MS + 250));
	CHECK(metrics_stats_tick(t0 + 2 * METRICS_STATS_MS + 7), "again");
	CHECK(!metrics_stats_tick(t0 + 2 * METRICS_STATS_MS + 8));
}

int
main(void)
{
	test_registry();
	test_threads();
	test_render();
	test_labelled_histogram();
	test_http();
	test_addresses();
	metrics_log_stats();
	test_stats_tick();
	return test_done("metrics_test");
}
