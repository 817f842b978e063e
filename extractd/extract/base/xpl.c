/* xpl.c - notes for extractd --explain (see extract_int.h).
 *
 * Does: keep one formatted line per finding or decision, tagged with its
 * sentence and stage, in the result's arena.
 * Does not: print anything (extractd does), or cost anything when off. */
#include "extract_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
xpl_vadd(struct xpl *x, size_t sent, const char *stage, const char *pre,
         size_t pre_len, const char *fmt, va_list ap)
{
	char buf[512];
	struct ext_note *n;
	size_t k = 0;
	int w;

	if (pre_len) {
		k = pre_len < 200 ? pre_len : 200;
		/* never cut a code point */
		while (k > 0 && k < pre_len &&
		       ((unsigned char)pre[k] & 0xC0) == 0x80)
			k--;
		buf[0] = '"';
		memcpy(buf + 1, pre, k);
		buf[k + 1] = '"';
		buf[k + 2] = ' ';
		k += 3;
	}
	w = vsnprintf(buf + k, sizeof(buf) - k, fmt, ap);
	if (w > 0)
		k += (size_t)w < sizeof(buf) - k ? (size_t)w
		                                 : sizeof(buf) - k - 1;
	n = exi_vec_push(&x->notes);
	if (!n) {
		x->oom = true;
		return;
	}
	n->sentence = sent;
	n->stage = stage;
	n->text = exi_ar_strndup(x->ar, buf, k);
	if (!n->text) {
		x->notes.n--;
		x->oom = true;
	}
}

void
xpl_add(struct xpl *x, size_t sent, const char *stage, const char *fmt, ...)
{
	va_list ap;

	if (!x)
		return;
	va_start(ap, fmt);
	xpl_vadd(x, sent, stage, NULL, 0, fmt, ap);
	va_end(ap);
}

void
xpl_span(struct xpl *x, size_t sent, const char *stage, const char *text,
         size_t b0, size_t b1, const char *fmt, ...)
{
	va_list ap;

	if (!x)
		return;
	va_start(ap, fmt);
	xpl_vadd(x, sent, stage, text + b0, b1 > b0 ? b1 - b0 : 0, fmt, ap);
	va_end(ap);
}
