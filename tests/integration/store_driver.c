/* store_driver.c - drives extractd/store.c from the integration tests
 * without ZeroMQ or ingestd: real extraction, real PostgreSQL.
 *
 *   store_driver [options] migrate MIGRATIONS_DIR DIVISIONS_TSV
 *   store_driver [options] put FILE...        one batch; "ID STATUS" lines
 *   store_driver [options] reject FILE STAGE REASON
 *   store_driver [options] reextract BATCH    "reextracted N"
 *   store_driver [options] bench FILE N BATCH N copies under fake ids
 *
 * Options: --db CONNINFO, --version N, --hash H, --hold MS (sleep before
 * COMMIT, to make two drivers overlap), --id ID (instead of the SHA-256),
 * --mangle (an offset out of integer range: a data error),
 * --lock-timeout MS, --synth 1 (a synthetic result instead of the
 * extractor's, so tests can assert exact rows: see synth()), --bad-flow 1
 * (the first flow points at no figure: a foreign key refuses it). Exit 0,
 * 1 on error, 3 on a transient database error.
 */
#include "err.h"
#include "extload.h"
#include "extract/extract.h"
#include "log.h"
#include "sha256.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct {
	const char *db;
	int version;
	const char *hash;
	long hold_ms;
	const char *id;
	int mangle;
	long lock_timeout_ms;
	int synth;
	int bad_flow;
} opt = { "", EXT_VERSION, NULL, 0, NULL, 0, 5000, 0, 0 };

/* A result the tests can predict, from UTF-8 raw bytes: sentences end at
 * 。 or a newline; every run of ASCII digits followed by one character is
 * a figure (value = the digits, unit = that character, category
 * fiscal_aid when the unit is 元); one pairing 广东省 -> 广西壮族自治区 in
 * the first sentence that holds "协作", which its figures point to; title
 * is the first line, published 2020-01-21, reporters 韦继川 and a name with
 * a quote and a backslash. Every figure in 元 is a flow: the first
 * 广东省 -> 广西壮族自治区, 2019, fiscal_aid; a later one in the same
 * sentence its part 深圳市 -> 河池市, 2019, fiscal_aid, part_of 0; one in
 * another sentence 广东省 -> a group (NULL), no year, social_aid. */
struct synth {
	struct ext_result r;
	struct ext_figure f[256];
	struct ext_flow fl[256];
	struct ext_pairing p[1];
	struct ext_sentence s[1024];
	char (*codes)[7];
	char *reporters[2];
	char units[256][8];
	char texts[256][32];
};

static struct synth *
synth(const char *raw, size_t len)
{
	struct synth *y = calloc(1, sizeof(*y));
	size_t i = 0, cp = 0, sent_start = 0;
	long pair_sentence = -1;
	char *text = malloc(len + 1), *nl;

	memcpy(text, raw, len);
	text[len] = '\0';
	y->r.text = text;
	y->r.text_len = strlen(text); /* a NUL inside shows as a mismatch */
	if (y->r.text_len != len)
		y->r.text_len = len;
	y->r.charset = "utf-8";
	memcpy(y->r.main_region, "450000", 7);
	nl = strchr(text, '\n');
	y->r.meta.title = strndup(text, nl ? (size_t)(nl - text) : len);
	y->r.meta.published = "2020-01-21";
	y->reporters[0] = "韦继川";
	y->reporters[1] = "a\"b\\c";
	y->r.meta.reporters = y->reporters;
	y->r.meta.n_reporters = 2;
	y->codes = calloc(2, sizeof(*y->codes));
	memcpy(y->codes[0], "440000", 7);
	memcpy(y->codes[1], "450000", 7);
	y->r.sentences = y->s;
	y->r.figures = y->f;
	y->r.pairings = y->p;
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		size_t k = 1;

		if (c >= 0xF0)
			k = 4;
		else if (c >= 0xE0)
			k = 3;
		else if (c >= 0xC0)
			k = 2;
		if (c >= '0' && c <= '9' && y->r.n_figures < 256) {
			struct ext_figure *f = &y->f[y->r.n_figures];
			size_t j = i, start = cp, u;
			long long v = 0;

			while (j < len && text[j] >= '0' && text[j] <= '9') {
				v = v * 10 + (text[j] - '0');
				j++;
				cp++;
			}
			u = j;
			k = 1;
			if (u < len) {
				unsigned char d = (unsigned char)text[u];
				k = d >= 0xF0   ? 4
				    : d >= 0xE0 ? 3
				    : d >= 0xC0 ? 2
				                : 1;
			}
			if (u >= len || text[u] == '\n' || u + k > len) {
				i = j;
				continue;
			}
			snprintf(y->units[y->r.n_figures], 8, "%.*s", (int)k,
			         text + u);
			snprintf(y->texts[y->r.n_figures], 32, "%.*s",
			         (int)(u + k - i), text + i);
			f->text = y->texts[y->r.n_figures];
			f->value.mant = v;
			f->unit = y->units[y->r.n_figures];
			f->category =
			    strcmp(f->unit, "元") == 0 ? "fiscal_aid" : "other";
			f->metric = "测试";
			f->year = 2019;
			f->start = start;
			f->end = cp + 1;
			f->sentence = y->r.n_sentences;
			f->region_codes = y->codes;
			f->n_region_codes = 2;
			f->pairing = -1;
			y->r.n_figures++;
			i = u + k;
			cp++;
			continue;
		}
		if ((k == 3 && memcmp(text + i, "。", 3) == 0) || c == '\n' ||
		    i + k >= len) {
			if (y->r.n_sentences < 1024) {
				y->s[y->r.n_sentences].start = sent_start;
				y->s[y->r.n_sentences].end = cp + 1;
				y->r.n_sentences++;
			}
			sent_start = cp + 1;
		}
		if (pair_sentence < 0 && k == 3 && i + 6 <= len &&
		    memcmp(text + i, "协作", 6) == 0) {
			pair_sentence = (long)y->r.n_sentences;
			y->p[0].helper = "广东省";
			memcpy(y->p[0].helper_code, "440000", 7);
			y->p[0].recipient = "广西壮族自治区";
			memcpy(y->p[0].recipient_code, "450000", 7);
			y->p[0].relation = "east_west";
			y->p[0].start = cp;
			y->p[0].end = cp + 2;
			y->p[0].sentence = y->r.n_sentences;
			y->p[0].evidence = "协作";
			y->r.n_pairings = 1;
		}
		i += k;
		cp++;
	}
	for (i = 0; i < y->r.n_figures; i++)
		if ((long)y->f[i].sentence == pair_sentence)
			y->f[i].pairing = 0;
	y->r.flows = y->fl;
	for (i = 0; i < y->r.n_figures; i++) {
		struct ext_flow *w = &y->fl[y->r.n_flows];

		if (strcmp(y->f[i].unit, "元") != 0)
			continue;
		w->figure = i;
		w->value = y->f[i].value;
		w->part_of = -1;
		w->rule = "synth";
		if (y->r.n_flows == 0) {
			w->helper = "广东省";
			memcpy(w->helper_code, "440000", 7);
			w->recipient = "广西壮族自治区";
			memcpy(w->recipient_code, "450000", 7);
			w->year = 2019;
			w->category = "fiscal_aid";
		} else if (y->f[i].sentence == y->f[y->fl[0].figure].sentence) {
			w->helper = "深圳市";
			memcpy(w->helper_code, "440300", 7);
			w->recipient = "河池市";
			memcpy(w->recipient_code, "451200", 7);
			w->year = 2019;
			w->category = "fiscal_aid";
			w->part_of = 0;
		} else {
			w->helper = "广东省";
			memcpy(w->helper_code, "440000", 7);
			w->category = "social_aid";
		}
		y->r.n_flows++;
	}
	return y;
}

static void
synth_free(struct synth *y)
{
	if (y == NULL)
		return;
	free(y->r.text);
	free(y->r.meta.title);
	free(y->codes);
	free(y);
}

static const char *
status_name(enum store_status s)
{
	switch (s) {
	case STORE_STORED:
		return "stored";
	case STORE_DUPLICATE:
		return "duplicate";
	case STORE_REJECTED:
		return "rejected";
	}
	return "?";
}

static int
read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	rewind(f);
	*buf = malloc((size_t)n + 1);
	if (*buf == NULL || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		fclose(f);
		free(*buf);
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Extracts a and stores it (or its failure) in the open batch. */
static int
put_one(struct extload *el, store_t *st, const struct store_article *a,
        enum store_status *status)
{
	struct ext_options eo = { a->charset_hint, 4u << 20, false };
	struct ext_result *res = NULL;
	int rc;

	if (opt.synth) {
		struct synth *y = synth(a->raw, a->raw_len);

		if (opt.mangle && y->r.n_figures > 0)
			y->f[0].start = 3000000000u;
		if (opt.bad_flow && y->r.n_flows > 0)
			y->fl[0].figure = y->r.n_figures;
		rc = store_put(st, a, &y->r, status);
		synth_free(y);
		return rc;
	}
	rc = ext_extract(el->tables, a->raw, a->raw_len, &eo, &res, NULL);
	if (rc != 0) {
		rc = store_reject(st, a, "extract", ext_strerror(rc));
		*status = STORE_REJECTED;
		return rc;
	}
	if (opt.mangle && res->n_figures > 0)
		res->figures[0].start = 3000000000u;
	rc = store_put(st, a, res, status);
	ext_result_destroy(&res);
	return rc;
}

static int
reextract_fn(void *ctx, store_t *st, const struct store_article *a)
{
	enum store_status s;
	int rc = put_one(ctx, st, a, &s);

	if (rc == 0)
		printf("%s %s\n", a->sha256, status_name(s));
	return rc;
}

static int
exit_code(int rc)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "store_driver: %s\n", err_str(rc));
	return rc == ERR_DB_TRANSIENT ? 3 : 1;
}

int
main(int argc, char **argv)
{
	struct store_opts so = { 0 };
	struct extload el;
	char err[512];
	store_t *st = NULL;
	int i, rc = 0;

	log_setup(LOG_INFO, LOG_PLAIN, "store_driver");
	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--db") == 0)
			opt.db = argv[i + 1];
		else if (strcmp(argv[i], "--version") == 0)
			opt.version = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--hash") == 0)
			opt.hash = argv[i + 1];
		else if (strcmp(argv[i], "--hold") == 0)
			opt.hold_ms = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--id") == 0)
			opt.id = argv[i + 1];
		else if (strcmp(argv[i], "--mangle") == 0)
			opt.mangle = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--synth") == 0)
			opt.synth = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--bad-flow") == 0)
			opt.bad_flow = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--lock-timeout") == 0)
			opt.lock_timeout_ms = atol(argv[i + 1]);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: store_driver [options] "
		                "migrate|put|reject|reextract|bench ...\n");
		return 2;
	}
	if (strcmp(argv[i], "migrate") == 0) {
		if (i + 2 >= argc)
			return 2;
		return exit_code(
		    store_migrate(opt.db, argv[i + 1], argv[i + 2]));
	}
	if (extload_open(&el, NULL, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_driver: %s\n", err);
		return 1;
	}
	so.conninfo = opt.db;
	so.extractor_version = opt.version;
	so.data_hash = opt.hash ? opt.hash : el.data_hash;
	so.lock_timeout_ms = opt.lock_timeout_ms;
	so.idle_tx_timeout_ms = 60000;
	so.statement_timeout_ms = 60000;
	st = store_new(&so);
	if (st == NULL) {
		extload_close(&el);
		return 3;
	}
	if (strcmp(argv[i], "put") == 0 || strcmp(argv[i], "reject") == 0) {
		bool reject = strcmp(argv[i], "reject") == 0;
		int last = reject ? i + 1 : argc - 1, n_out = 0;
		/* Printed once committed, with what the COMMIT found. */
		struct {
			char id[65];
			enum store_status s;
		} *out = calloc((size_t)argc, sizeof(*out));

		if (out == NULL)
			abort();
		for (int k = i + 1; k <= last && k < argc && rc == 0; k++) {
			struct store_article a = { 0 };
			char id[65], *raw = NULL;
			enum store_status s = STORE_STORED;

			if (read_all(argv[k], &raw, &a.raw_len) != 0) {
				rc = ERR_IO;
				break;
			}
			a.raw = raw;
			sha256_hex(raw, a.raw_len, id);
			a.sha256 = opt.id ? opt.id : id;
			a.uri = argv[k];
			a.feed = "test";
			a.content_type = "text/plain";
			a.received_us = (int64_t)time(NULL) * 1000000 + 123456;
			if (reject && k + 2 < argc) {
				rc = store_reject(st, &a, argv[k + 1],
				                  argv[k + 2]);
				s = STORE_REJECTED;
			} else {
				rc = put_one(&el, st, &a, &s);
			}
			if (rc == 0) {
				snprintf(out[n_out].id, sizeof(out[n_out].id),
				         "%s", a.sha256);
				out[n_out++].s = s;
			}
			free(raw);
		}
		if (rc == 0 && opt.hold_ms > 0)
			sleep_ms(opt.hold_ms);
		if (rc == 0)
			rc = store_commit(st);
		else
			store_rollback(st);
		for (size_t v = 0; rc == 0; v++) {
			enum store_status s;
			const char *id = store_commit_revised(st, v, &s, NULL);

			if (id == NULL)
				break;
			for (int k = 0; k < n_out; k++)
				if (strcmp(out[k].id, id) == 0 &&
				    out[k].s == STORE_STORED)
					out[k].s = s;
		}
		for (int k = 0; rc == 0 && k < n_out; k++)
			printf("%s %s\n", out[k].id, status_name(out[k].s));
		free(out);
	} else if (strcmp(argv[i], "reextract") == 0 && i + 1 < argc) {
		long total = 0;
		int n;

		while ((n = store_reextract_batch(st, (size_t)atol(argv[i + 1]),
		                                  reextract_fn, &el)) > 0) {
			total += n;
			rc = store_commit(st);
			if (rc != 0)
				break;
		}
		if (n < 0)
			rc = n;
		if (rc == 0)
			rc = store_commit(st);
		printf("reextracted %ld\n", total);
	} else if (strcmp(argv[i], "bench") == 0 && i + 3 < argc) {
		struct store_article a = { 0 };
		char *raw = NULL, id[65], seed[96];
		long n = atol(argv[i + 2]), batch = atol(argv[i + 3]), k;
		struct timespec t0, t1;

		if (read_all(argv[i + 1], &raw, &a.raw_len) != 0)
			return 1;
		a.raw = raw;
		a.sha256 = id;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (k = 0; k < n && rc == 0; k++) {
			enum store_status s;

			snprintf(seed, sizeof(seed), "%ld-%ld",
			         (long)t0.tv_nsec, k);
			sha256_hex(seed, strlen(seed), id);
			rc = put_one(&el, st, &a, &s);
			if (rc == 0 && (k + 1) % batch == 0)
				rc = store_commit(st);
		}
		if (rc == 0)
			rc = store_commit(st);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("bench %ld articles %.3f s %.1f articles/s\n", n,
		       (double)(t1.tv_sec - t0.tv_sec) +
		           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		       (double)n / ((double)(t1.tv_sec - t0.tv_sec) +
		                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
		free(raw);
	} else {
		fprintf(stderr, "store_driver: unknown command %s\n", argv[i]);
		rc = ERR_INVAL;
	}
	store_destroy(&st);
	extload_close(&el);
	return exit_code(rc);
}
