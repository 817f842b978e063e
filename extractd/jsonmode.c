/* jsonmode.c - extractd --json. */
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

int
jsonmode_run(const struct extload *el, char **files, size_t n, size_t max_bytes,
             const char *charset, bool with_text)
{
	int status = 0;

	for (size_t i = 0; i < n; i++) {
		const char *path = files[i];
		const char *base = strrchr(path, '/');
		FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
		struct ext_options opt = { charset, max_bytes };
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
