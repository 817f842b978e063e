/* jsonmode.c - extractd --json and extractd --explain. */
#include "jsonmode.h"
#include "extload.h"
#include "extract/extract.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole stream, refusing more than max bytes (+1 to notice). */
static int
slurp(FILE *f, size_t max, char **buf, size_t *len, int *too_big)
{
	size_t cap = 65536, n = 0;
	char *p = malloc(cap);

	*too_big = 0;
	if (!p)
		return -1;
	for (;;) {
		size_t r;

		if (n == cap) {
			char *q;

			cap *= 2;
			q = realloc(p, cap);
			if (!q) {
				free(p);
				return -1;
			}
			p = q;
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
		if (max && n > max) {
			*too_big = 1;
			break;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		return -1;
	}
	*buf = p;
	*len = n;
	return 0;
}

static void
print_error(const char *file, const char *msg, long long offset)
{
	/* file names and messages here are ours or the user's paths: escape
	 * the two characters JSON cares about. */
	fputs("{\"file\":\"", stdout);
	for (const char *p = file; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		if ((unsigned char)*p >= 0x20)
			putchar(*p);
	}
	printf("\",\"error\":\"%s\"", msg);
	if (offset >= 0)
		printf(",\"offset\":%lld", offset);
	fputs("}\n", stdout);
}

/* The code point span [c0, c1) of text, as bytes. */
static void
put_cps(const char *text, size_t c0, size_t c1)
{
	size_t cp = 0;
	const unsigned char *p = (const unsigned char *)text, *b = NULL;

	for (; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		if (cp == c0)
			b = p;
		if (cp == c1)
			break;
		cp++;
	}
	if (!b)
		return;
	fwrite(b, 1, (size_t)(p - b), stdout);
}

static void
put_list(const char *name, char **v, size_t n)
{
	printf(" %s=", name);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", v[i]);
}

/* --explain: each sentence that a stage found something in, then what it
 * found and decided, in the stages' order. */
static void
explain_print(const struct ext_result *res, const char *file)
{
	const struct ext_meta *m = &res->meta;
	size_t i = 0, s;

	printf("== %s (%s%s)\n", file, res->charset,
	       res->converted ? ", converted from Traditional" : "");
	printf("meta: title=%s source=%s published=%s",
	       m->title ? m->title : "null", m->source ? m->source : "null",
	       m->published ? m->published : "null");
	put_list("reporters", m->reporters, m->n_reporters);
	put_list("editors", m->editors, m->n_editors);
	printf("\nmain region: %s\n",
	       res->main_region[0] ? res->main_region : "null");
	while (i < res->n_notes) {
		s = res->notes[i].sentence;
		if (s < res->n_sentences) {
			printf("\n[%zu] ", s);
			put_cps(res->text, res->sentences[s].start,
			        res->sentences[s].end);
			putchar('\n');
		}
		for (; i < res->n_notes && res->notes[i].sentence == s; i++)
			printf("  %-8s %s\n", res->notes[i].stage,
			       res->notes[i].text);
	}
	printf("\n%zu figures, %zu pairings, %zu flows\n\n", res->n_figures,
	       res->n_pairings, res->n_flows);
}

int
jsonmode_run(const struct extload *el, char **files, size_t n, size_t max_bytes,
             const char *charset, bool with_text, bool explain)
{
	int status = 0;

	for (size_t i = 0; i < n; i++) {
		const char *path = files[i];
		const char *base = strrchr(path, '/');
		FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
		struct ext_options opt = { charset, max_bytes, explain };
		struct ext_result *res = NULL;
		char *buf = NULL, *json;
		size_t len = 0, off = 0;
		int too_big = 0, rc;

		base = base ? base + 1 : path;
		if (!f) {
			print_error(base, strerror(errno), -1);
			status = 1;
			continue;
		}
		rc = slurp(f, max_bytes, &buf, &len, &too_big);
		if (f != stdin)
			fclose(f);
		if (rc != 0) {
			print_error(base, "read error", -1);
			status = 1;
			continue;
		}
		if (too_big) {
			print_error(base, ext_strerror(EXT_ETOOBIG), -1);
			free(buf);
			status = 1;
			continue;
		}
		rc = ext_extract(el->tables, buf, len, &opt, &res, &off);
		free(buf);
		if (rc != 0) {
			print_error(base, ext_strerror(rc),
			            rc == EXT_EDECODE ? (long long)off : -1);
			status = 1;
			continue;
		}
		if (explain) {
			explain_print(res, base);
			ext_result_destroy(&res);
			continue;
		}
		json = ext_result_json(res, base, with_text);
		ext_result_destroy(&res);
		if (!json) {
			print_error(base, ext_strerror(EXT_ENOMEM), -1);
			status = 1;
			continue;
		}
		puts(json);
		free(json);
	}
	fflush(stdout);
	return status;
}
