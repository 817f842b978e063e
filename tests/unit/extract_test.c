/* extract_test.c - the library's own glue: decimals, JSON shape, offsets
 * in code points, tables errors, and that a result is stable. */
#include "extload.h"
#include "extract.h"
#include "extract_int.h"
#include "test.h"

static void
test_decimal(void)
{
	static const struct {
		int64_t mant;
		int scale;
		const char *want;
	} cases[] = {
		{ 472000000, 0, "472000000" },
		{ 84428, 1, "8442.8" },
		{ 5, 2, "0.05" },
		{ 1500, 3, "1.5" },
		{ 2000, 3, "2" },
		{ -25, 1, "-2.5" },
		{ 0, 0, "0" },
		{ INT64_MAX, 0, "9223372036854775807" },
	};
	char buf[48];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ext_decimal d = { cases[i].mant, cases[i].scale };

		CHECK_STR(ext_decimal_str(d, buf), cases[i].want);
	}
	CHECK(ext_decimal_double((struct ext_decimal){ 84428, 1 }) == 8442.8);
}

static void
test_utf8(void)
{
	const char *s = "a粤𠀀b";
	size_t n;
	char out[4];

	CHECK_INT(exi_u8_count(s, strlen(s)), 4);
	CHECK_INT(exi_u8_dec(s + 1, strlen(s + 1), &n), 0x7CA4);
	CHECK_INT(n, 3);
	CHECK_INT(exi_u8_dec(s + 4, strlen(s + 4), &n), 0x20000);
	CHECK_INT(n, 4);
	CHECK_INT(exi_u8_enc(0x20000, out), 4);
	CHECK(memcmp(out, s + 4, 4) == 0);
}

static void
test_arena(void)
{
	struct arena *ar = exi_ar_new();
	struct vec v = VEC_INIT(int);
	int *big, *arr;

	CHECK(ar != NULL);
	/* Larger than a block: must still work and be zeroed. */
	big = exi_ar_alloc(ar, 1u << 20);
	CHECK(big && big[1000] == 0);
	for (int i = 0; i < 1000; i++)
		*(int *)exi_vec_push(&v) = i;
	CHECK_INT(v.n, 1000);
	arr = exi_vec_to_arena(&v, ar);
	CHECK(arr && arr[999] == 999 && v.p == NULL);
	CHECK_STR(exi_ar_strndup(ar, "粤桂协作", 6), "粤桂");
	exi_ar_destroy(&ar);
	CHECK(ar == NULL);
}

static void
test_json(const struct extload *el)
{
	const char *doc = "标题\n\n广东投入资金4.72亿元。\n";
	struct ext_result *res = NULL;
	char *json;
	int rc;

	rc = ext_extract(el->tables, doc, strlen(doc), NULL, &res, NULL);
	CHECK_INT(rc, 0);
	if (rc != 0)
		return;
	json = ext_result_json(res, "a\"b.txt", false);
	CHECK(json != NULL);
	CHECK(strstr(json, "{\"file\":\"a\\\"b.txt\"") == json, "%s", json);
	CHECK(strstr(json, "\"figures\":[") != NULL);
	CHECK(strstr(json, "\"pairings\":[") != NULL);
	/* The normalised text is the last member, and only on request. */
	CHECK(strstr(json, "],\"text\":") == NULL);
	free(json);
	json = ext_result_json(res, "x", true);
	CHECK(json && strstr(json, "],\"text\":\"标题") != NULL);
	free(json);
	/* Offsets are code points of res->text and in order. */
	for (size_t i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];

		CHECK(f->start < f->end);
		CHECK(f->end <= exi_u8_count(res->text, res->text_len));
		CHECK(f->category != NULL);
	}
	for (size_t i = 0; i < res->n_sentences; i++)
		CHECK(res->sentences[i].start <= res->sentences[i].end);
	ext_result_destroy(&res);
	CHECK(res == NULL);
}

/* Strings in the JSON line escaped as a byte-by-byte escape would, at
 * every position within the eight-byte words json.c scans (file names go
 * through the same escape as the text). */
static void
test_json_escape(const struct extload *el)
{
	static const char *const piece[] = {
		"中",   "\"", "\\", "\n", "\t",   "\r", "\x01",
		"\x1f", "a",  " ",  "é",  "\x7f", "~",  "\xf0\x9f\x98\x80",
	};
	const char *doc = "标题\n\n广东投入资金4.72亿元。\n";
	struct ext_result *res = NULL;
	uint32_t x = 88172645u;
	int bad = 0;

	if (ext_extract(el->tables, doc, strlen(doc), NULL, &res, NULL) != 0) {
		CHECK(0, "extract");
		return;
	}
	for (int t = 0; t < 3000; t++) {
		char name[256], want[1024], *json;
		size_t n = 0, w = 0;
		int len = t % 40;

		for (int k = 0; k < len; k++) {
			const char *p;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			p = piece[x % (sizeof(piece) / sizeof(*piece))];
			memcpy(name + n, p, strlen(p));
			n += strlen(p);
		}
		name[n] = '\0';
		w = (size_t)snprintf(want, sizeof(want), "{\"file\":\"");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)name[i];

			if (c == '"' || c == '\\')
				w += (size_t)snprintf(
				    want + w, sizeof(want) - w, "\\%c", c);
			else if (c == '\n')
				w += (size_t)snprintf(want + w,
				                      sizeof(want) - w, "\\n");
			else if (c == '\t')
				w += (size_t)snprintf(want + w,
				                      sizeof(want) - w, "\\t");
			else if (c == '\r')
				w += (size_t)snprintf(want + w,
				                      sizeof(want) - w, "\\r");
			else if (c < 0x20)
				w += (size_t)snprintf(
				    want + w, sizeof(want) - w, "\\u%04x", c);
			else
				want[w++] = (char)c;
		}
		w += (size_t)snprintf(want + w, sizeof(want) - w, "\",");
		json = ext_result_json(res, name, false);
		if (!json || strncmp(json, want, w) != 0) {
			if (bad++ < 3)
				fprintf(stderr, "escape: want %s\n got %.*s\n",
				        want, (int)w, json ? json : "(null)");
		}
		free(json);
	}
	CHECK_INT(bad, 0);
	ext_result_destroy(&res);
}

/* The text stage's data files: the line of the first bad byte or row;
 * headers, comments, blank lines and CR LF are fine. */
static void
test_text_table_errors(void)
{
	static const struct {
		const char *file, *text;
		int rc;
		size_t line;
	} cases[] = {
		{ "variants.tsv", "# c\nvariant\tstandard\r\n\n陜\t陕\r\n", 0,
		  0 },
		{ "variants.tsv", "variant\tstandard\n陜\t陕\n陕\n", EXT_EDATA,
		  3 },
		{ "variants.tsv", "variant\tstandard\n# \xff\n陜\t陕\n",
		  EXT_EDATA, 2 },
		{ "t2s_phrases.tsv", "phrase\n瞭解\n瞭\n", EXT_EDATA, 3 },
		{ "t2s_phrases.tsv", "phrase\n瞭解\n瞭解a\n", EXT_EDATA, 3 },
		{ "t2s_phrases.tsv", "phrase\n瞭解\t\n", EXT_EDATA, 2 },
		{ "t2s_phrases.tsv", "phrase\n瞭解\n", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct ext_tables *t = ext_tables_new();
		size_t line = 0;

		CHECK_INT(ext_tables_add(t, cases[i].file, cases[i].text,
		                         strlen(cases[i].text), &line),
		          cases[i].rc, "case %zu", i);
		if (cases[i].rc)
			CHECK_INT(line, cases[i].line, "case %zu", i);
		ext_tables_destroy(&t);
	}
	{
		/* A NUL inside a line. */
		static const char nul[] = "variant\tstandard\n陜\0\t陕\n";
		struct ext_tables *t = ext_tables_new();
		size_t line = 0;

		CHECK_INT(ext_tables_add(t, "variants.tsv", nul,
		                         sizeof(nul) - 1, &line),
		          EXT_EDATA);
		CHECK_INT(line, 2);
		ext_tables_destroy(&t);
	}
}

static void
test_errors(const struct extload *el)
{
	struct ext_result *res = NULL;
	struct ext_options opt = { NULL, 4, false };
	struct ext_tables *t = ext_tables_new();

	CHECK_INT(ext_extract(el->tables, "12345", 5, &opt, &res, NULL),
	          EXT_ETOOBIG);
	CHECK(res == NULL);
	CHECK_INT(ext_extract(NULL, "x", 1, NULL, &res, NULL), EXT_EINVAL);
	CHECK_STR(ext_strerror(EXT_EDECODE), "undecodable bytes");
	/* Unknown data files are ignored, so a newer data dir loads. */
	CHECK_INT(ext_tables_add(t, "unknown.tsv", "a\tb\n", 4, NULL), 0);
	ext_tables_destroy(&t);
	test_text_table_errors();
	CHECK(t == NULL);
}

/* --explain: notes only when asked, grouped by sentence in stage order,
 * each pairing named with the rule that made it. */
static void
test_explain(const struct extload *el)
{
	static const char art[] =
	    "甲乙协作新篇\n"
	    "2021年,江苏省对口帮扶陕西省,投入财政帮扶资金3.5亿元。\n"
	    "今年已培训当地干部120人次。\n";
	struct ext_options opt = { NULL, 0, false };
	struct ext_result *res = NULL;
	size_t i, pairing_notes = 0, figure_notes = 0;

	CHECK_INT(ext_extract(el->tables, art, strlen(art), &opt, &res, NULL),
	          0);
	CHECK(res && res->n_notes == 0 && res->notes == NULL);
	CHECK(res && res->n_pairings >= 1);
	ext_result_destroy(&res);
	opt.explain = true;
	CHECK_INT(ext_extract(el->tables, art, strlen(art), &opt, &res, NULL),
	          0);
	if (!res)
		return;
	CHECK(res->n_notes > 0);
	for (i = 0; i < res->n_notes; i++) {
		const struct ext_note *n = &res->notes[i];

		CHECK(n->text && n->stage);
		CHECK(n->sentence < res->n_sentences);
		if (i)
			CHECK(res->notes[i - 1].sentence <= n->sentence);
		if (!strcmp(n->stage, "pairing")) {
			pairing_notes++;
			CHECK(strstr(n->text,
			             "江苏省 (320000) -> 陕西省 (610000)"),
			      "%s", n->text);
			CHECK(strstr(n->text, "by rule ") &&
			          !strstr(n->text, "by rule -"),
			      "%s", n->text);
		}
		if (!strcmp(n->stage, "figure"))
			figure_notes++;
	}
	CHECK_INT(pairing_notes, res->n_pairings);
	CHECK_INT(figure_notes, res->n_figures);
	ext_result_destroy(&res);
}

/* One long sentence with a mention and a figure in every clause: the
 * figures share one list of the sentence's divisions (made once, not once
 * per figure, which was quadratic in time and memory). */
static void
test_long_sentence(const struct extload *el)
{
	struct ext_options opt = { NULL, 0, false };
	struct ext_result *res = NULL;
	char *art = malloc(64 * 3000 + 64);
	size_t n = 0, i;

	if (!art)
		return;
	n += (size_t)sprintf(art, "标题\n");
	for (i = 0; i < 3000; i++)
		n += (size_t)sprintf(art + n, "%s浙江培训%zu人", i ? "," : "",
		                     i + 1);
	n += (size_t)sprintf(art + n, "。\n");
	CHECK_INT(ext_extract(el->tables, art, n, &opt, &res, NULL), 0);
	free(art);
	if (!res)
		return;
	CHECK_INT(res->n_figures, 3000);
	if (res->n_figures == 3000) {
		CHECK_INT(res->figures[0].n_region_codes, 1);
		CHECK_STR(res->figures[0].region_codes[0], "330000");
		CHECK(res->figures[0].region_codes ==
		      res->figures[2999].region_codes);
	}
	ext_result_destroy(&res);
}

int
main(void)
{
	struct extload el;
	char err[512];

	test_decimal();
	test_utf8();
	test_arena();
	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "extload: %s\n", err);
		return 1;
	}
	test_json(&el);
	test_json_escape(&el);
	test_errors(&el);
	test_explain(&el);
	test_long_sentence(&el);
	extload_close(&el);
	return test_done("extract");
}
