/* txt.c - the text stage's driver: txt_normalise() runs decoding
 * (charset.c), line normalisation and script conversion (clean.c, t2s.c),
 * furniture and metadata (clean.c, meta.c) and joins what is left. */
#define _GNU_SOURCE /* memmem */
#include "txt_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- txt_normalise ------------------------------------------------------- */

/* The next line break at or after i (n if none); its length in *brk. */
static size_t
next_break(const char *s, size_t n, size_t i, size_t *brk)
{
	for (; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b == '\n' || b == '\r') {
			*brk =
			    b == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
			return i;
		}
		if (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) {
			*brk = 2;
			return i;
		}
		if (b == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xA8 ||
		     (unsigned char)s[i + 2] == 0xA9)) {
			*brk = 3;
			return i;
		}
	}
	return n;
}

/* Whether s holds NEL (C2 85), LS or PS (E2 80 A8/A9). memchr for their
 * lead bytes: C2 is rare in Chinese text and E2 (quotes, dashes) a few
 * times a line at most, where memmem would start a match at every byte. */
static bool
has_other_break(const char *s, size_t n)
{
	const char *p, *end = s + n;

	for (p = s; (p = memchr(p, 0xC2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 2 && (unsigned char)p[1] == 0x85)
			return true;
	for (p = s; (p = memchr(p, 0xE2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 3 && (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0xA8 ||
		     (unsigned char)p[2] == 0xA9))
			return true;
	return false;
}

/* Splits at LF, CR LF, CR, NEL, LS and PS and normalises each line into
 * out, lines ending in '\n'. */
static int
norm_lines(struct txt_conv *cv, const char *s, size_t n, struct sbuf *out)
{
	struct sbuf tmp = { 0 };
	size_t i = 0, start = 0;
	int rc = 0;
	/* Most articles break lines with LF alone: memchr finds them. */
	bool lf_only = !memchr(s, '\r', n) && !has_other_break(s, n);

	while (rc == 0 && start <= n) {
		size_t brk = 0;

		if (lf_only) {
			const char *nl = memchr(s + start, '\n', n - start);

			i = nl ? (size_t)(nl - s) : n;
			brk = 1;
		} else {
			i = next_break(s, n, start, &brk);
		}
		rc = txt_norm_line(cv, s + start, i - start, out, &tmp);
		if (rc == 0)
			rc = exi_sb_put(out, "\n", 1);
		if (i >= n)
			break;
		start = i + brk;
	}
	exi_sb_free(&tmp);
	return rc;
}

int
txt_normalise(const struct txt_tables *tt, ext_convert_fn t2s, void *t2s_ctx,
              const void *raw, size_t len, const struct ext_options *opt,
              struct arena *ar, struct ext_doc *doc, size_t *err_offset)
{
	struct txt_conv cv;
	const char *text;
	char *owned = NULL, *o;
	size_t tlen, i, n_lines, total = 0, start;
	struct sbuf mid = { 0 }, out = { 0 };
	struct tline *tl = NULL;
	struct ext_meta meta;
	const char *charset;
	int rc;

	if (!tt)
		return EXT_EINVAL;
	rc = txt_decode(tt, raw, len, opt ? opt->charset : NULL, &text, &tlen,
	                &owned, &charset, err_offset);
	if (rc != 0)
		return rc;
	memset(&cv, 0, sizeof(cv));
	cv.tt = tt;
	cv.t2s = t2s;
	cv.ctx = t2s_ctx;
	cv.all = t2s && (!tt->probe_ok || tt->probed_fn != t2s ||
	                 tt->probed_ctx != t2s_ctx);
	cv.charwise = t2s && !cv.all && tt->charwise;
	rc = norm_lines(&cv, text, tlen, &mid);
	free(owned);
	if (rc == 0)
		rc = txt_script(&cv, mid.p, mid.n, &out);
	exi_sb_free(&mid);
	if (rc != 0)
		goto done;
	n_lines = 0;
	for (const char *nl = out.p;
	     out.n && (nl = memchr(nl, '\n', out.n - (size_t)(nl - out.p)));
	     nl++)
		n_lines++;
	tl = calloc(n_lines ? n_lines : 1, sizeof(*tl));
	if (!tl) {
		rc = EXT_ENOMEM;
		goto done;
	}
	for (i = 0, start = 0; i < n_lines; i++) {
		const char *nl = memchr(out.p + start, '\n', out.n - start);
		size_t end = (size_t)(nl - out.p);

		tl[i].s = out.p + start;
		tl[i].n = end - start;
		tl[i].cps = exi_u8_count(tl[i].s, tl[i].n);
		tl[i].kind = tl[i].n ? LK_TEXT : LK_BLANK;
		start = end + 1;
	}
	txt_furniture(tt, tl, n_lines);
	memset(&meta, 0, sizeof(meta));
	rc = txt_meta(tt, tl, n_lines, ar, &meta);
	if (rc != 0)
		goto done;
	for (i = 0; i < n_lines; i++)
		if (tl[i].kind == LK_TEXT)
			total += tl[i].n + 1;
	if (total == 0) {
		rc = EXT_EEMPTY;
		goto done;
	}
	o = exi_ar_alloc(ar, total);
	if (!o) {
		rc = EXT_ENOMEM;
		goto done;
	}
	doc->text = o;
	for (i = 0; i < n_lines; i++) {
		if (tl[i].kind != LK_TEXT)
			continue;
		if (o != doc->text)
			*o++ = '\n';
		memcpy(o, tl[i].s, tl[i].n);
		o += tl[i].n;
	}
	*o = '\0';
	doc->len = (size_t)(o - doc->text);
	doc->charset = charset;
	doc->converted = cv.converted;
	doc->meta = meta;
done:
	free(tl);
	exi_sb_free(&out);
	return rc;
}
