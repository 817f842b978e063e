/* extload.c - reads the data directory's .tsv files into the extraction
 * tables and opens OpenCC. */
#include "extload.h"
#include "extract/extract.h"
#include "sha256.h"

#include <dirent.h>
#include <errno.h>
#include <opencc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef EXTRACTD_SOURCE_DATA
#define EXTRACTD_SOURCE_DATA ""
#endif
#ifndef OPENCC_DICT_DIR
#define OPENCC_DICT_DIR "/usr/share/opencc"
#endif
#ifndef EXTRACTD_INSTALL_DATA
#define EXTRACTD_INSTALL_DATA "/usr/local/share/extractd/data"
#endif

static int
is_dir(const char *p)
{
	struct stat st;

	return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
extload_default_dir(void)
{
	const char *env = getenv("EXTRACTD_DATA");

	if (env && *env)
		return env;
	if (is_dir(EXTRACTD_SOURCE_DATA))
		return EXTRACTD_SOURCE_DATA;
	return EXTRACTD_INSTALL_DATA;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *p;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	p = malloc((size_t)n + 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	p[n] = '\0';
	*buf = p;
	*len = (size_t)n;
	return 0;
}

static uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* t2s_phrases.tsv describes one OpenCC dictionary: it is handed to the
 * tables only when OpenCC runs its default t2s configuration and the
 * installed phrase dictionary is the one the file records (line
 * "# opencc-tsphrases-sha256: HEX"). Otherwise the note says why the
 * character-wise path is off; conversion stays exact either way. */
static bool
phrases_match(const char *buf, size_t len, const char *opencc_config,
              char *note, size_t notelen)
{
	static const char tag[] = "# opencc-tsphrases-sha256:";
	const char *dict = OPENCC_DICT_DIR "/TSPhrases.ocd2";
	const char *p = buf, *end = buf + len;
	char want[SHA256_HEX_LEN + 1] = "", have[SHA256_HEX_LEN + 1];
	char *d;
	size_t n;

	if (opencc_config && strcmp(opencc_config, "t2s.json") != 0) {
		snprintf(note, notelen,
		         "OpenCC configuration %s is not t2s.json",
		         opencc_config);
		return false;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);

		if (l > sizeof(tag) - 1 &&
		    memcmp(p, tag, sizeof(tag) - 1) == 0) {
			const char *v = p + sizeof(tag) - 1;

			while (v < p + l && *v == ' ')
				v++;
			if ((size_t)(p + l - v) >= SHA256_HEX_LEN) {
				memcpy(want, v, SHA256_HEX_LEN);
				want[SHA256_HEX_LEN] = '\0';
			}
			break;
		}
		p = nl ? nl + 1 : end;
	}
	if (!sha256_valid_hex(want)) {
		snprintf(note, notelen,
		         "t2s_phrases.tsv records no dictionary "
		         "sha256");
		return false;
	}
	if (read_file(dict, &d, &n) != 0) {
		snprintf(note, notelen, "%s: %s", dict, strerror(errno));
		return false;
	}
	sha256_hex(d, n, have);
	free(d);
	if (strcmp(want, have) != 0) {
		snprintf(
		    note, notelen,
		    "%s is not the dictionary t2s_phrases.tsv was made from",
		    dict);
		return false;
	}
	return true;
}

/* OpenCC's C API is the one place conversion happens. opencc_convert_utf8
 * is const on the converter, so one handle serves every caller. */
static char *
convert(void *ctx, const char *in, size_t len)
{
	char *o = opencc_convert_utf8((opencc_t)ctx, in, len);
	char *copy;

	/* OpenCC's buffer must go back through its own free. */
	if (!o)
		return NULL;
	copy = strdup(o);
	opencc_convert_utf8_free(o);
	return copy;
}

int
extload_open(struct extload *el, const char *dir, const char *opencc_config,
             char *err, size_t errlen)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *missing = NULL;
	long nphr;
	int rc = -1;

	memset(el, 0, sizeof(*el));
	if (!dir || !*dir)
		dir = extload_default_dir();
	snprintf(el->data_dir, sizeof(el->data_dir), "%s", dir);
	el->tables = ext_tables_new();
	if (!el->tables) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "data directory %s: %s", dir,
		         strerror(errno));
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".tsv") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 16) *
			                              sizeof(*names));
			if (!p)
				goto oom;
			names = p;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char path[8192];
		char *buf = NULL;
		size_t len = 0, line = 0;
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (read_file(path, &buf, &len) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		h = fnv1a(h, names[i], strlen(names[i]) + 1);
		h = fnv1a(h, buf, len);
		if (strcmp(names[i], "t2s_phrases.tsv") == 0 &&
		    !phrases_match(buf, len, opencc_config, el->t2s_note,
		                   sizeof(el->t2s_note))) {
			free(buf);
			continue;
		}
		r = ext_tables_add(el->tables, names[i], buf, len, &line);
		free(buf);
		if (r != 0) {
			snprintf(err, errlen, "%s:%zu: %s", path, line,
			         ext_strerror(r));
			goto done;
		}
	}
	if (ext_tables_finish(el->tables, &missing) != 0) {
		snprintf(err, errlen, "data directory %s: missing %s", dir,
		         missing ? missing : "a table");
		goto done;
	}
	snprintf(el->data_hash, sizeof(el->data_hash), "%016llx",
	         (unsigned long long)h);
	if (!opencc_config || *opencc_config) {
		opencc_t cc =
		    opencc_open(opencc_config ? opencc_config : "t2s.json");

		if (cc == (opencc_t)-1) {
			snprintf(err, errlen, "OpenCC %s: %s",
			         opencc_config ? opencc_config : "t2s.json",
			         opencc_error());
			goto done;
		}
		el->opencc = cc;
		ext_tables_set_t2s(el->tables, convert, cc);
		nphr = ext_tables_t2s_phrases(el->tables);
		if (nphr >= 0)
			snprintf(el->t2s_note, sizeof(el->t2s_note),
			         "character table; %ld phrases through OpenCC",
			         nphr);
		else if (!el->t2s_note[0])
			snprintf(el->t2s_note, sizeof(el->t2s_note),
			         "no character table: every clause with a "
			         "changing character through OpenCC");
	} else {
		snprintf(el->t2s_note, sizeof(el->t2s_note), "off");
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "out of memory");
done:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != 0)
		extload_close(el);
	return rc;
}

void
extload_close(struct extload *el)
{
	if (el->opencc)
		opencc_close((opencc_t)el->opencc);
	el->opencc = NULL;
	ext_tables_destroy(&el->tables);
}
