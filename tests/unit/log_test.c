/* log_test.c - one event per line on stderr: the plain and JSON formats,
 * quoting and escaping of quotes, newlines, backslashes and control bytes,
 * level filtering, a line cut at its buffer but still ending in a newline.
 * stderr is captured with a pipe and dup2(). */
#include "log.h"
#include "test.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

static int s_saved = -1, s_pipe[2];

static void
capture_begin(void)
{
	if (pipe(s_pipe) != 0)
		abort();
	s_saved = dup(STDERR_FILENO);
	dup2(s_pipe[1], STDERR_FILENO);
	close(s_pipe[1]);
}

/* Everything written to stderr since capture_begin() (malloc'd). The
 * lines are short, so the pipe's buffer holds them. */
static char *
capture_end(void)
{
	char *out = NULL;
	size_t n = 0, cap = 0;
	ssize_t r;

	dup2(s_saved, STDERR_FILENO); /* closes the pipe's last writer */
	close(s_saved);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap * 2 + 8192;
			out = realloc(out, cap);
			if (!out)
				abort();
		}
		r = read(s_pipe[0], out + n, cap - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(s_pipe[0]);
	out[n] = '\0';
	return out;
}

/* The line without its timestamp: "2026-01-21T08:42:07.113Z " is
 * checked for shape and skipped. */
static const char *
after_ts(const char *line)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ ";

	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' ? (line[i] < '0' || line[i] > '9')
		                    : line[i] != shape[i])
			return NULL;
	}
	return line + sizeof(shape) - 1;
}

/* Cut at the line's first newline, so a check sees one line. */
static char *
first_line(char *s)
{
	char *nl = strchr(s, '\n');

	if (nl)
		nl[1] = '\0';
	return s;
}

static void
test_plain(void)
{
	static const struct {
		const char *value;
		const char *want; /* as it appears after "k=" */
	} cases[] = {
		{ "simple", "simple" },
		{ "5d3d27", "5d3d27" },
		{ "two words", "\"two words\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "a=b", "\"a=b\"" },
		{ "line\nbreak", "\"line\\nbreak\"" },
		{ "tab\there", "\"tab\\there\"" },
		{ "bell\x07", "\"bell\\u0007\"" },
		{ "back\\slash", "back\\slash" }, /* no space: left alone */
		{ "", "\"\"" },
		{ "中文", "中文" },
	};
	char want[256], *out;
	const char *rest;

	log_setup(LOG_DEBUG, LOG_PLAIN, "test");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		capture_begin();
		log_info("t.event", LF_STR("k", cases[i].value));
		out = capture_end();
		rest = after_ts(out);
		CHECK(rest != NULL, "timestamp of %s", out);
		snprintf(want, sizeof(want), "info t.event k=%s\n",
		         cases[i].want);
		CHECK_STR(rest, want, "case %zu", i);
		free(out);
	}

	capture_begin();
	log_warn("t.mixed", LF_STR("s", NULL), LF_INT("n", -42),
	         LF_INT("big", 9007199254740993LL), LF_DBL("d", 0.25),
	         LF_DBL("nan", NAN));
	log_error("t.bare");
	out = capture_end();
	CHECK(strstr(out, " error t.bare\n") != NULL, "%s", out);
	rest = after_ts(first_line(out));
	CHECK_STR(rest, "warn t.mixed s=- n=-42 big=9007199254740993 d=0.25 "
	                "nan=null\n");
	free(out);
}

static void
test_json(void)
{
	static const struct {
		const char *value;
		const char *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "line\nbreak\r", "\"line\\nbreak\\r\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "中文", "\"中文\"" },
		{ "", "\"\"" },
	};
	char want[512], *out;
	const char *p;

	log_setup(LOG_INFO, LOG_JSON, "ingestd");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		capture_begin();
		log_info("t.json", LF_STR("k", cases[i].value), LF_INT("n", 7));
		out = capture_end();
		CHECK(!strncmp(out, "{\"ts\":\"", 7), "%s", out);
		p = strstr(out, "\",\"level\"");
		CHECK(p && p - out == 7 + 24, "timestamp length: %s", out);
		snprintf(want, sizeof(want),
		         "\",\"level\":\"info\",\"program\":\"ingestd\","
		         "\"event\":\"t.json\",\"k\":%s,\"n\":7}\n",
		         cases[i].want);
		CHECK_STR(p, want, "case %zu", i);
		free(out);
	}
	capture_begin();
	log_warn("t.null", LF_STR("s", NULL), LF_DBL("inf", INFINITY),
	         LF_STR("we\"ird", "v"));
	out = capture_end();
	p = strstr(out, "\"event\"");
	CHECK_STR(p, "\"event\":\"t.null\",\"s\":null,\"inf\":null,"
	             "\"we\\\"ird\":\"v\"}\n");
	free(out);
}

static void
test_levels(void)
{
	static const struct {
		enum log_level min;
		const char *want; /* which of d, i, w, e came out */
	} cases[] = {
		{ LOG_DEBUG, "diwe" },
		{ LOG_INFO, "iwe" },
		{ LOG_WARN, "we" },
		{ LOG_ERROR, "e" },
	};
	char *out, got[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;

		log_setup(cases[i].min, LOG_PLAIN, "test");
		capture_begin();
		log_debug("lvl.d");
		log_info("lvl.i");
		log_warn("lvl.w");
		log_error("lvl.e");
		out = capture_end();
		for (const char *c = "diwe"; *c; c++) {
			char ev[8];

			snprintf(ev, sizeof(ev), "lvl.%c\n", *c);
			if (strstr(out, ev))
				got[n++] = *c;
		}
		got[n] = '\0';
		CHECK_STR(got, cases[i].want, "level %d", (int)cases[i].min);
		CHECK_INT(log_enabled(LOG_INFO), cases[i].min <= LOG_INFO);
		free(out);
	}
}

static void
test_parse(void)
{
	static const struct {
		const char *s;
		int rc;
		enum log_level want;
	} levels[] = {
		{ "debug", 0, LOG_DEBUG }, { "info", 0, LOG_INFO },
		{ "warn", 0, LOG_WARN },   { "error", 0, LOG_ERROR },
		{ "INFO", -1, LOG_INFO },  { "warning", -1, LOG_INFO },
		{ "", -1, LOG_INFO },      { NULL, -1, LOG_INFO },
	};
	enum log_format f = LOG_PLAIN;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		enum log_level l = LOG_INFO;

		CHECK_INT(log_parse_level(levels[i].s, &l), levels[i].rc,
		          "level %s", levels[i].s ? levels[i].s : "(null)");
		CHECK_INT(l, levels[i].want);
	}
	CHECK_INT(log_parse_format("json", &f), 0);
	CHECK_INT(f, LOG_JSON);
	CHECK_INT(log_parse_format("plain", &f), 0);
	CHECK_INT(f, LOG_PLAIN);
	CHECK_INT(log_parse_format("xml", &f), -1);
	CHECK_INT(log_parse_format(NULL, &f), -1);
	CHECK_INT(f, LOG_PLAIN);
}

/* A value longer than the line buffer is cut, and the line still ends in
 * exactly one newline (one write, never two half lines). */
static void
test_long_line(void)
{
	char *big = malloc(20000), *out;

	if (!big)
		abort();
	memset(big, 'x', 19999);
	big[19999] = '\0';
	for (int fmt = 0; fmt < 2; fmt++) {
		log_setup(LOG_INFO, fmt ? LOG_JSON : LOG_PLAIN, "test");
		capture_begin();
		log_info("t.long", LF_STR("v", big));
		log_info("t.after");
		out = capture_end();
		if (fmt) {
			/* JSON: the value is cut at 1024 bytes and marked,
			 * and the line still ends as an object. */
			char *nl = strchr(out, '\n');

			CHECK(nl && nl - out < 1200, "json line too long");
			CHECK(nl && nl >= out + 5 &&
			          !memcmp(nl - 5, "...\"}", 5),
			      "json line does not close");
		} else {
			/* Plain: the buffer's worth, the rest dropped. */
			CHECK(strchr(out, '\n') - out == 8190, "plain cut");
		}
		CHECK(strstr(out, "t.after\n") || strstr(out, "t.after\"}\n"),
		      "format %d", fmt);
		free(out);
	}
	free(big);
}

/* JSON fields that together overflow the line: the line keeps its fixed
 * members and says it was truncated, so it still parses. */
static void
test_too_many_fields(void)
{
	char *big = malloc(1001), *out, *nl;
	const char *t;

	if (!big)
		abort();
	memset(big, 'y', 1000);
	big[1000] = '\0';
	log_setup(LOG_INFO, LOG_JSON, "test");
	capture_begin();
	log_info("t.many", LF_STR("a", big), LF_STR("b", big), LF_STR("c", big),
	         LF_STR("d", big), LF_STR("e", big), LF_STR("f", big),
	         LF_STR("g", big), LF_STR("h", big), LF_STR("i", big),
	         LF_STR("j", big));
	out = capture_end();
	nl = strchr(out, '\n');
	t = strstr(out, "\",\"level\":\"info\",\"program\":\"test\","
	                "\"event\":\"t.many\",\"truncated\":true}\n");
	CHECK(!strncmp(out, "{\"ts\":\"", 7), "%s", out);
	CHECK(t && nl && t < nl, "%.200s", out);
	CHECK(nl && nl[1] == '\0', "one line");
	free(out);
	free(big);
}

int
main(void)
{
	test_plain();
	test_json();
	test_levels();
	test_parse();
	test_long_line();
	test_too_many_fields();
	log_setup(LOG_INFO, LOG_PLAIN, "test");
	return test_done("log_test");
}
