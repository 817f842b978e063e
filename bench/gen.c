/* gen.c - deterministic benchmark corpus from the sample articles.
 *
 *   gen [--seed N] [--count N] [--mix su=55,sg=15,tu=20,tb=10] [--first N]
 *       SRC_DIR OUT_DIR
 *
 * The samples are first made Simplified (OpenCC t2s: some are Traditional
 * already), and a Traditional twin of each is made with s2t.
 * Article i is built from a sample article of SRC_DIR picked by a generator
 * seeded with (seed, i) only, so a smaller corpus is a prefix of a larger
 * one and two runs give the same bytes. In each body paragraph (a line with
 * a 。) the sentences are shuffled and the ASCII numbers varied (years stay
 * years); other lines (title, source, date, page junk) are kept, so the
 * metadata stays readable. Then the article takes one of four classes:
 *   su  Simplified, UTF-8        sg  Simplified, GBK
 *   tu  Traditional (the Simplified sample through s2t), UTF-8
 *   tb  Traditional, Big5
 * A character that GBK or Big5 cannot encode is dropped and counted.
 * Files are NNNNNN_CLASS.txt, written as .NAME.tmp and renamed, so OUT_DIR
 * may be a live spool's incoming/. Varied numbers make every article
 * distinct (checked at the end: a repeated body is an error).
 *
 * Does not: time anything. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <opencc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum cls { C_SU, C_SG, C_TU, C_TB, C_N };
static const char *const cls_name[C_N] = { "su", "sg", "tu", "tb" };

struct src {
	char *name;
	char *buf;
	size_t len;
};

struct buf {
	char *p;
	size_t n, cap;
};

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

static uint64_t
fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct src *)a)->name,
	              ((const struct src *)b)->name);
}

static int
load_sources(const char *dir, struct src **out, size_t *n_out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct src *v = NULL;
	size_t n = 0;

	if (!d) {
		fprintf(stderr, "gen: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		size_t l = strlen(de->d_name);
		FILE *f;
		struct buf b = { 0 };
		char tmp[65536];
		size_t r;

		if (de->d_name[0] == '.' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".txt") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
			closedir(d);
			return -1;
		}
		while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
			buf_add(&b, tmp, r);
		fclose(f);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].name = strdup(de->d_name);
		v[n].buf = b.p;
		v[n].len = b.n;
		n++;
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "gen: no *.txt in %s\n", dir);
		return -1;
	}
	qsort(v, n, sizeof(*v), cmp_name);
	*out = v;
	*n_out = n;
	return 0;
}

/* A sentence ends after 。！？ and any closing quotes or brackets that
 * follow it, so “...。” stays whole. */
static size_t
sentence_end(const char *s, size_t len, size_t i)
{
	static const char *const stops[] = { "。", "！", "？" };
	static const char *const closers[] = {
		"”", "’", "」", "』", "）", ")"
	};

	while (i < len) {
		bool hit = false;

		for (size_t k = 0; k < 3; k++) {
			size_t l = strlen(stops[k]);

			if (i + l <= len && memcmp(s + i, stops[k], l) == 0) {
				i += l;
				hit = true;
				break;
			}
		}
		if (!hit) {
			i++;
			continue;
		}
		for (;;) {
			bool more = false;

			for (size_t k = 0; k < 6; k++) {
				size_t l = strlen(closers[k]);

				if (i + l <= len &&
				    memcmp(s + i, closers[k], l) == 0) {
					i += l;
					more = true;
				}
			}
			if (!more)
				break;
		}
		return i;
	}
	return len;
}

/* Varies every ASCII digit run: a 4-digit 19xx/20xx becomes a year of
 * 2016-2024, others keep their length (and a leading non-zero), so a
 * figure stays a figure of the same magnitude. */
static void
vary_numbers(char *s, size_t len, uint64_t *rng)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		if (s[i] < '0' || s[i] > '9') {
			i++;
			continue;
		}
		while (j < len && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j - i == 4 && (memcmp(s + i, "19", 2) == 0 ||
		                   memcmp(s + i, "20", 2) == 0)) {
			char y[5];

			snprintf(y, sizeof(y), "%04u",
			         2016 + rng_below(rng, 9));
			memcpy(s + i, y, 4);
		} else {
			for (size_t k = i; k < j; k++) {
				bool lead = k == i && j - i > 1;

				s[k] = (char)(lead ? '1' + rng_below(rng, 9)
				                   : '0' + rng_below(rng, 10));
			}
		}
		i = j;
	}
}

static void
build_body(const struct src *src, uint64_t *rng, struct buf *out)
{
	const char *s = src->buf;
	size_t len = src->len, i = 0;

	out->n = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) : len;
		size_t ll = e - i;

		if (ll > 0 && memmem(s + i, ll, "。", 3) != NULL) {
			size_t starts[512], ends[512], n = 0, p = i;
			uint32_t order[512];
			char *para = malloc(ll);

			while (p < e && n < 512) {
				size_t q = sentence_end(s, e, p);

				starts[n] = p;
				ends[n] = q;
				order[n] = (uint32_t)n;
				n++;
				p = q;
			}
			for (size_t k = n; k > 1; k--) {
				uint32_t r = rng_below(rng, (uint32_t)k);
				uint32_t t = order[k - 1];

				order[k - 1] = order[r];
				order[r] = t;
			}
			p = 0;
			for (size_t k = 0; k < n; k++) {
				size_t sl = ends[order[k]] - starts[order[k]];

				memcpy(para + p, s + starts[order[k]], sl);
				p += sl;
			}
			if (p < ll) { /* beyond 512 sentences: as it was */
				memcpy(para + p, s + i + p, ll - p);
			}
			vary_numbers(para, ll, rng);
			buf_add(out, para, ll);
			free(para);
		} else {
			buf_add(out, s + i, ll);
		}
		if (nl)
			buf_add(out, "\n", 1);
		i = e + 1;
	}
}

/* UTF-8 to a legacy charset; characters it cannot encode are dropped. */
static size_t
encode(iconv_t cd, const struct buf *in, struct buf *out)
{
	char *ip = in->p;
	size_t il = in->n, dropped = 0;

	iconv(cd, NULL, NULL, NULL, NULL);
	out->n = 0;
	while (il > 0) {
		char tmp[8192], *op = tmp;
		size_t ol = sizeof(tmp);
		size_t r = iconv(cd, &ip, &il, &op, &ol);

		buf_add(out, tmp, (size_t)(op - tmp));
		if (r == (size_t)-1 && errno == EILSEQ) {
			size_t k = 1;

			while (k < il && ((unsigned char)ip[k] & 0xc0) == 0x80)
				k++;
			ip += k;
			il -= k;
			dropped++;
		} else if (r == (size_t)-1 && errno != E2BIG) {
			fprintf(stderr, "gen: iconv: %s\n", strerror(errno));
			exit(1);
		}
	}
	return dropped;
}

static int
write_file(const char *dir, const char *name, const char *p, size_t n)
{
	char tmp[4096], path[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* One sample through OpenCC; in and out may be the same. */
static int
convert(opencc_t cc, const struct src *in, struct src *out)
{
	char *t = opencc_convert_utf8(cc, in->buf, in->len);
	size_t n;

	if (!t) {
		fprintf(stderr, "gen: OpenCC: %s\n", opencc_error());
		return -1;
	}
	n = strlen(t);
	if (out == in)
		free(out->buf);
	else
		out->name = NULL;
	out->buf = xrealloc(NULL, n + 1);
	memcpy(out->buf, t, n + 1);
	out->len = n;
	opencc_convert_utf8_free(t);
	return 0;
}

static int
parse_mix(const char *s, unsigned share[C_N])
{
	unsigned total = 0;

	memset(share, 0, C_N * sizeof(share[0]));
	while (*s) {
		int k, used = 0;
		unsigned v;
		char key[3];

		if (sscanf(s, "%2[a-z]=%u%n", key, &v, &used) != 2)
			return -1;
		for (k = 0; k < C_N && strcmp(key, cls_name[k]) != 0; k++)
			;
		if (k == C_N)
			return -1;
		share[k] = v;
		total += v;
		s += used;
		if (*s == ',')
			s++;
	}
	return total > 0 ? 0 : -1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	uint64_t seed = 20240101;
	unsigned long count = 2000, first = 0;
	unsigned share[C_N], total = 0;
	const char *mix = "su=55,sg=15,tu=20,tb=10";
	struct src *srcs, *trad;
	size_t n_src, dropped[C_N] = { 0 }, bytes[C_N] = { 0 };
	unsigned long made[C_N] = { 0 };
	opencc_t s2t, t2s;
	iconv_t to_gbk, to_big5;
	struct buf body = { 0 }, enc = { 0 };
	uint64_t *seen;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--first") && i + 1 < argc)
			first = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--mix") && i + 1 < argc)
			mix = argv[++i];
		else
			break;
	}
	if (argc - i != 2 || parse_mix(mix, share) != 0) {
		fprintf(stderr,
		        "usage: gen [--seed N] [--count N] [--first N] "
		        "[--mix su=55,sg=15,tu=20,tb=10] SRC_DIR OUT_DIR\n");
		return 2;
	}
	for (int k = 0; k < C_N; k++)
		total += share[k];
	if (load_sources(argv[i], &srcs, &n_src) != 0)
		return 1;
	if (mkdir(argv[i + 1], 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "gen: %s: %s\n", argv[i + 1], strerror(errno));
		return 1;
	}
	s2t = opencc_open("s2t.json");
	t2s = opencc_open("t2s.json");
	if (s2t == (opencc_t)-1 || t2s == (opencc_t)-1) {
		fprintf(stderr, "gen: opencc_open(s2t.json, t2s.json): %s\n",
		        opencc_error());
		return 1;
	}
	/* Some samples are (partly) Traditional already: Simplified ones
	 * are the samples through t2s, Traditional ones those through s2t. */
	trad = xrealloc(NULL, n_src * sizeof(*trad));
	for (size_t k = 0; k < n_src; k++) {
		if (convert(t2s, &srcs[k], &srcs[k]) != 0 ||
		    convert(s2t, &srcs[k], &trad[k]) != 0)
			return 1;
	}
	to_gbk = iconv_open("GBK", "UTF-8");
	to_big5 = iconv_open("BIG5", "UTF-8");
	if (to_gbk == (iconv_t)-1 || to_big5 == (iconv_t)-1) {
		fprintf(stderr, "gen: iconv_open: %s\n", strerror(errno));
		return 1;
	}
	seen = xrealloc(NULL, count * sizeof(*seen));
	for (unsigned long a = 0; a < count; a++) {
		uint64_t idx = first + a;
		uint64_t rng = seed * 0x100000001b3ULL ^ (idx + 1) * 0x9e37ULL;
		const struct src *src;
		unsigned pick;
		enum cls c = C_SU;
		const struct buf *outb;
		char name[64];

		rng_next(&rng);
		src = &srcs[rng_below(&rng, (uint32_t)n_src)];
		pick = rng_below(&rng, total);
		for (int k = 0; k < C_N; k++) {
			if (pick < share[k]) {
				c = (enum cls)k;
				break;
			}
			pick -= share[k];
		}
		/* s2t keeps digits and 。, so shuffling and varying the
		 * converted sample once is the same as converting each
		 * article, and five times cheaper than OpenCC per article. */
		build_body(c == C_TU || c == C_TB ? &trad[src - srcs] : src,
		           &rng, &body);
		seen[a] = fnv1a(body.p, body.n);
		outb = &body;
		if (c == C_SG) {
			dropped[c] += encode(to_gbk, outb, &enc);
			outb = &enc;
		} else if (c == C_TB) {
			dropped[c] += encode(to_big5, outb, &enc);
			outb = &enc;
		}
		snprintf(name, sizeof(name), "%06lu_%s.txt", (unsigned long)idx,
		         cls_name[c]);
		if (write_file(argv[i + 1], name, outb->p, outb->n) != 0)
			return 1;
		made[c]++;
		bytes[c] += outb->n;
	}
	/* Distinct bodies give distinct sha256 ids; a repeat would turn into
	 * a duplicate downstream and skew the database numbers. */
	qsort(seen, count, sizeof(*seen), cmp_u64);
	for (unsigned long a = 1; a < count; a++) {
		if (seen[a] == seen[a - 1]) {
			fprintf(stderr, "gen: two identical bodies; change "
			                "--seed\n");
			return 1;
		}
	}
	for (int k = 0; k < C_N; k++)
		fprintf(stderr,
		        "gen: %-2s %7lu articles %10zu bytes (%zu characters "
		        "not encodable, dropped)\n",
		        cls_name[k], made[k], bytes[k], dropped[k]);
	opencc_close(s2t);
	opencc_close(t2s);
	iconv_close(to_gbk);
	iconv_close(to_big5);
	free(seen);
	free(body.p);
	free(enc.p);
	for (size_t k = 0; k < n_src; k++) {
		free(srcs[k].name);
		free(srcs[k].buf);
		free(trad[k].buf);
	}
	free(srcs);
	free(trad);
	return 0;
}
