/* flatjson_test.c - the flat JSON objects ingestd reads (stdin lines,
 * NAME.meta.json): escapes and \u surrogate pairs to UTF-8, NUL inside
 * values, numbers as text, nested values skipped up to the nesting limit
 * and refused past it, duplicate keys (the last wins), syntax errors with
 * their offset, huge inputs in bounded time and stack, and the writer's
 * strings read back. */
#include "err.h"
#include "flatjson.h"
#include "test.h"

#include <time.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Good objects: the value of "v" (and its length, which may count NULs). */
static void
test_values(void)
{
	static const struct {
		const char *json;
		const char *want; /* NULL: "v" absent or not a string */
		size_t len;
	} cases[] = {
		{ "{\"v\":\"plain\"}", "plain", 5 },
		{ " \t\r\n{ \"v\" : \"ws\" } \n", "ws", 2 },
		{ "{\"v\":\"\"}", "", 0 },
		{ "{\"v\":\"q\\\"b\\\\s\\/\"}", "q\"b\\s/", 6 },
		{ "{\"v\":\"\\b\\f\\n\\r\\t\"}", "\b\f\n\r\t", 5 },
		{ "{\"v\":\"\\u0041\\u00e9\\u4E2D\"}", "A\xc3\xa9\xe4\xb8\xad",
		  6 },
		/* U+1F600 as a surrogate pair, and U+10FFFF, the last one */
		{ "{\"v\":\"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80", 4 },
		{ "{\"v\":\"\\uDBFF\\uDFFF\"}", "\xf4\x8f\xbf\xbf", 4 },
		{ "{\"v\":\"a\\u0000b\"}", "a\0b", 3 },
		{ "{\"v\":\"中文\"}", "中文", 6 },
		{ "{\"v\":12}", "12", 2 },
		{ "{\"v\":-0.5e+3}", "-0.5e+3", 7 },
		{ "{\"v\":0}", "0", 1 },
		{ "{\"v\":true}", NULL, 0 },
		{ "{\"v\":null}", NULL, 0 },
		{ "{\"v\":{\"inner\":\"x\"}}", NULL, 0 },
		{ "{\"v\":[1,\"two\",{\"a\":[]}]}", NULL, 0 },
		{ "{\"v\":\"first\",\"v\":\"last\"}", "last", 4 },
		{ "{\"v\":\"first\",\"w\":1,\"v\":2}", "2", 1 },
		{ "{}", NULL, 0 },
		{ "{\"V\":\"case matters\"}", NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		flatjson_t *j = NULL;
		size_t at = 99, len = 99;
		const char *v;

		CHECK_INT(flatjson_parse(cases[i].json, strlen(cases[i].json),
		                         &j, &at),
		          0, "case %zu: %s (at %zu)", i, cases[i].json, at);
		if (!j)
			continue;
		v = flatjson_get(j, "v", &len);
		if (!cases[i].want) {
			CHECK(v == NULL, "case %zu", i);
		} else {
			CHECK(v != NULL, "case %zu", i);
			CHECK_INT(len, cases[i].len, "case %zu", i);
			CHECK(v && !memcmp(v, cases[i].want, cases[i].len) &&
			          v[len] == '\0',
			      "case %zu: %s", i, cases[i].json);
		}
		flatjson_destroy(&j);
		CHECK(j == NULL);
	}
	flatjson_destroy(&(flatjson_t *){ NULL });
}

/* A stdin line: every field, body_b64 left as text for the caller. */
static void
test_stdin_line(void)
{
	static const char line[] =
	    "{\"uri\":\"https://a.cn/x?y=1&z=\\u4e2d\",\"feed\":\"gx\","
	    "\"content_type\":\"text/html\",\"charset\":\"gbk\","
	    "\"body_b64\":\"1tDOxA==\",\"extra\":{\"ignored\":[1,2]},"
	    "\"received_us\":1768984927113000}";
	flatjson_t *j = NULL;

	CHECK_INT(flatjson_parse(line, sizeof(line) - 1, &j, NULL), 0);
	if (!j)
		return;
	CHECK_STR(flatjson_get(j, "uri", NULL), "https://a.cn/x?y=1&z=中");
	CHECK_STR(flatjson_get(j, "feed", NULL), "gx");
	CHECK_STR(flatjson_get(j, "content_type", NULL), "text/html");
	CHECK_STR(flatjson_get(j, "charset", NULL), "gbk");
	CHECK_STR(flatjson_get(j, "body_b64", NULL), "1tDOxA==");
	CHECK(flatjson_get(j, "body", NULL) == NULL);
	CHECK(flatjson_get(j, "extra", NULL) == NULL);
	CHECK(flatjson_get(j, "ignored", NULL) == NULL, "nested keys hidden");
	CHECK_STR(flatjson_get(j, "received_us", NULL), "1768984927113000");
	flatjson_destroy(&j);
}

/* Bad input: refused with ERR_PROTO; the offset points at the byte
 * where the parser saw the error. */
static void
test_errors(void)
{
	static const struct {
		const char *json;
		size_t at;
	} cases[] = {
		{ "", 0 },
		{ "   ", 3 },
		{ "[]", 0 },
		{ "\"v\"", 0 },
		{ "{", 1 },
		{ "{\"v\"}", 4 },
		{ "{\"v\":}", 5 },
		{ "{\"v\":1,}", 7 },
		{ "{\"v\":1 \"w\":2}", 7 },
		{ "{v:1}", 1 },
		{ "{'v':1}", 1 },
		{ "{\"v\":1}x", 7 },
		{ "{\"v\":1}{}", 7 },
		{ "{\"v\":01}", 6 },
		{ "{\"v\":1.}", 5 },
		{ "{\"v\":.5}", 5 },
		{ "{\"v\":+1}", 5 },
		{ "{\"v\":1e}", 5 },
		{ "{\"v\":tru}", 5 },
		{ "{\"v\":\"unterminated}", 19 },
		{ "{\"v\":\"raw\nnewline\"}", 9 },
		{ "{\"v\":\"tab\there\"}", 9 },
		{ "{\"v\":\"bad \\x escape\"}", 11 },
		{ "{\"v\":\"\\u12\"}", 7 },
		{ "{\"v\":\"\\u12G4\"}", 7 },
		{ "{\"v\":\"\\ud83d\"}", 11 },
		{ "{\"v\":\"\\ud83dx\"}", 11 },
		{ "{\"v\":\"\\ud83d\\u0041\"}", 11 },
		{ "{\"v\":\"\\ude00\"}", 11 },
		{ "{\"v\":[1,]}", 8 },
		{ "{\"v\":{\"a\"}}", 9 },
		{ "{\"v\":[}", 6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		flatjson_t *j = NULL;
		size_t at = 12345;

		CHECK_INT(flatjson_parse(cases[i].json, strlen(cases[i].json),
		                         &j, &at),
		          ERR_PROTO, "case %zu: %s", i, cases[i].json);
		CHECK(j == NULL, "case %zu: no object on error", i);
		CHECK_INT(at, cases[i].at, "case %zu: %s", i, cases[i].json);
		flatjson_destroy(&j);
	}
	/* Only len bytes count: a valid prefix of a longer buffer. */
	{
		flatjson_t *j = NULL;

		CHECK_INT(flatjson_parse("{\"v\":1}garbage", 7, &j, NULL), 0);
		flatjson_destroy(&j);
		CHECK_INT(flatjson_parse("{\"v\":1}", 6, &j, NULL), ERR_PROTO);
		CHECK_INT(flatjson_parse("{\"v\":1}", 6, &j, NULL), ERR_PROTO);
	}
}

/* Nesting is skipped up to 32 levels below the top object and refused
 * past it, without recursion deeper than that. */
static char *
nested(size_t depth)
{
	size_t n = 0;
	char *s = malloc(2 * depth + 16);

	if (!s)
		abort();
	n += (size_t)sprintf(s, "{\"v\":");
	for (size_t i = 0; i < depth; i++)
		s[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void
test_nesting(void)
{
	static const struct {
		size_t depth;
		int rc;
	} cases[] = {
		{ 1, 0 },
		{ 31, 0 },
		{ 32, 0 },
		{ 33, ERR_PROTO },
		{ 1000000, ERR_PROTO },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = nested(cases[i].depth);
		flatjson_t *j = NULL;

		CHECK_INT(flatjson_parse(s, strlen(s), &j, NULL), cases[i].rc,
		          "depth %zu", cases[i].depth);
		flatjson_destroy(&j);
		free(s);
	}
}

/* Large inputs: a 6 MiB value (an article escaped into a stdin line) and
 * many keys take time linear in their size. */
static void
test_huge(void)
{
	size_t n = 6u << 20, len = 0;
	char *s = malloc(n + 32);
	flatjson_t *j = NULL;
	const char *v;
	double t0;

	if (!s)
		abort();
	memcpy(s, "{\"body\":\"", 9);
	for (size_t i = 0; i < n; i += 6)
		memcpy(s + 9 + i, "\\u4e2d", 6);
	memcpy(s + 9 + n, "\"}", 3);
	t0 = now_s();
	CHECK_INT(flatjson_parse(s, n + 11, &j, NULL), 0);
	CHECK(now_s() - t0 < 5.0, "6 MiB of escapes took %.1fs", now_s() - t0);
	v = j ? flatjson_get(j, "body", &len) : NULL;
	CHECK_INT(len, n / 6 * 3);
	CHECK(v && !memcmp(v, "中中中", 9));
	flatjson_destroy(&j);

	/* Unterminated: refused at the opening quote, not read past n. */
	s[9 + n] = '\\';
	CHECK_INT(flatjson_parse(s, n + 10, &j, NULL), ERR_PROTO);
	free(s);
}

/* Seconds to parse an object of n distinct keys. */
static double
keys_time(size_t keys)
{
	size_t n = 0;
	char *s = malloc(keys * 32 + 8), want[32];
	flatjson_t *j = NULL;
	double t0, dt;

	if (!s)
		abort();
	s[n++] = '{';
	for (size_t i = 0; i < keys; i++)
		n += (size_t)sprintf(s + n, "%s\"k%zu\":%zu", i ? "," : "", i,
		                     i);
	s[n++] = '}';
	t0 = now_s();
	CHECK_INT(flatjson_parse(s, n, &j, NULL), 0);
	dt = now_s() - t0;
	snprintf(want, sizeof(want), "%zu", keys - 1);
	snprintf(s, 32, "k%zu", keys - 1);
	CHECK_STR(j ? flatjson_get(j, s, NULL) : NULL, want);
	flatjson_destroy(&j);
	free(s);
	return dt;
}

/* Many distinct keys in one line: duplicates are resolved when read, so
 * n keys cost linear time. The growth is printed, not asserted (a timed
 * check fails on busy machines); a quadratic parser would take hours on
 * the million-key line below and run into ctest's timeout. */
static void
test_many_keys(void)
{
	double small = keys_time(2500), big = keys_time(20000);
	double huge = keys_time(1000000);

	printf("flatjson_test: 2500 keys %.3fs, 20000 keys %.3fs, "
	       "1000000 keys %.3fs\n",
	       small, big, huge);
}

/* What flatjson_put_str writes, flatjson_parse reads back. */
static void
test_put_str(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\", "\"q\\\"b\\\\\"" },
		{ "nl\ncr\r\x01", "\"nl\\u000acr\\u000d\\u0001\"" },
		{ "中文/é", "\"中文/é\"" },
		{ "", "\"\"" },
		{ NULL, "\"\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL, *line = NULL;
		size_t blen = 0, llen = 0;
		FILE *f = open_memstream(&buf, &blen);
		flatjson_t *j = NULL;

		flatjson_put_str(f, cases[i].in);
		fclose(f);
		CHECK_STR(buf, cases[i].want, "case %zu", i);
		f = open_memstream(&line, &llen);
		fprintf(f, "{\"k\":%s}", buf);
		fclose(f);
		CHECK_INT(flatjson_parse(line, llen, &j, NULL), 0, "case %zu",
		          i);
		CHECK_STR(j ? flatjson_get(j, "k", NULL) : NULL,
		          cases[i].in ? cases[i].in : "", "case %zu", i);
		flatjson_destroy(&j);
		free(line);
		free(buf);
	}
}

int
main(void)
{
	test_values();
	test_stdin_line();
	test_errors();
	test_nesting();
	test_huge();
	test_many_keys();
	test_put_str();
	return test_done("flatjson_test");
}
