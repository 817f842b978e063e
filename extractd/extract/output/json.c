/* json.c - the result as one JSON line (SPEC.md's shape). */
#include "extract_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sb {
	char *p;
	size_t n, cap;
	bool oom;
};

static void
sb_put(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->n <= n) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap - b->n <= n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_cat(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* The decimal digits of v into out (at least 20 bytes, not terminated);
 * returns how many. */
static void
sb_fmt_size(struct sb *b, size_t v)
{
	char tmp[24];

	/* by hand: printf's machinery costs more than the rest of a number's
	 * output (an article prints a few hundred of them) */
	sb_put(b, tmp, exi_u64_digits((uint64_t)v, tmp));
}

/* The text is valid UTF-8 without NUL; only controls, quotes and
 * backslashes need escaping. */
static void
sb_str(struct sb *b, const char *s)
{
	const char *run;

	if (!s) {
		sb_cat(b, "null");
		return;
	}
	sb_put(b, "\"", 1);
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		/* bytes of multi-byte code points (most of the text) first */
		if (c >= 0x80 || (c >= 0x20 && c != '"' && c != '\\'))
			continue;
		sb_put(b, run, (size_t)(s - run));
		switch (c) {
		case '"':
			sb_put(b, "\\\"", 2);
			break;
		case '\\':
			sb_put(b, "\\\\", 2);
			break;
		case '\n':
			sb_put(b, "\\n", 2);
			break;
		case '\t':
			sb_put(b, "\\t", 2);
			break;
		case '\r':
			sb_put(b, "\\r", 2);
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_cat(b, esc);
		}
		run = s + 1;
	}
	sb_put(b, run, (size_t)(s - run));
	sb_put(b, "\"", 1);
}

static void
sb_code(struct sb *b, const char *code)
{
	sb_str(b, code[0] ? code : NULL);
}

static void
sb_list(struct sb *b, char **v, size_t n)
{
	size_t i;

	sb_put(b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i)
			sb_put(b, ",", 1);
		sb_str(b, v[i]);
	}
	sb_put(b, "]", 1);
}

char *
ext_result_json(const struct ext_result *res, const char *file, bool with_text)
{
	struct sb b = { 0 };
	const struct ext_meta *m = &res->meta;
	char num[48];
	size_t i, j;

	sb_cat(&b, "{\"file\":");
	sb_str(&b, file);
	sb_cat(&b, ",\"charset\":");
	sb_str(&b, res->charset);
	sb_cat(&b, ",\"meta\":{\"title\":");
	sb_str(&b, m->title);
	sb_cat(&b, ",\"source\":");
	sb_str(&b, m->source);
	sb_cat(&b, ",\"published\":");
	sb_str(&b, m->published);
	sb_cat(&b, ",\"reporters\":");
	sb_list(&b, m->reporters, m->n_reporters);
	sb_cat(&b, ",\"editors\":");
	sb_list(&b, m->editors, m->n_editors);
	sb_cat(&b, "},\"main_region\":");
	sb_code(&b, res->main_region);
	sb_cat(&b, ",\"figures\":[");
	for (i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];

		if (i)
			sb_put(&b, ",", 1);
		sb_cat(&b, "{\"text\":");
		sb_str(&b, f->text);
		sb_cat(&b, ",\"value\":");
		sb_cat(&b, ext_decimal_str(f->value, num));
		sb_cat(&b, ",\"unit\":");
		sb_str(&b, f->unit);
		sb_cat(&b,
		       f->approx ? ",\"approx\":true" : ",\"approx\":false");
		sb_cat(&b, ",\"metric\":");
		sb_str(&b, f->metric);
		sb_cat(&b, ",\"category\":");
		sb_str(&b, f->category);
		sb_cat(&b, ",\"year\":");
		if (f->year)
			sb_fmt_size(&b, (size_t)f->year);
		else
			sb_cat(&b, "null");
		sb_cat(&b, ",\"start\":");
		sb_fmt_size(&b, f->start);
		sb_cat(&b, ",\"end\":");
		sb_fmt_size(&b, f->end);
		sb_cat(&b, ",\"region_codes\":[");
		for (j = 0; j < f->n_region_codes; j++) {
			if (j)
				sb_put(&b, ",", 1);
			sb_str(&b, f->region_codes[j]);
		}
		sb_cat(&b, "],\"pairing\":");
		if (f->pairing >= 0)
			sb_fmt_size(&b, (size_t)f->pairing);
		else
			sb_cat(&b, "null");
		sb_put(&b, "}", 1);
	}
	sb_cat(&b, "],\"pairings\":[");
	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];

		if (i)
			sb_put(&b, ",", 1);
		sb_cat(&b, "{\"helper\":");
		sb_str(&b, p->helper);
		sb_cat(&b, ",\"helper_code\":");
		sb_code(&b, p->helper_code);
		sb_cat(&b, ",\"recipient\":");
		sb_str(&b, p->recipient);
		sb_cat(&b, ",\"recipient_code\":");
		sb_code(&b, p->recipient_code);
		sb_cat(&b, ",\"relation\":");
		sb_str(&b, p->relation);
		sb_cat(&b, ",\"start\":");
		sb_fmt_size(&b, p->start);
		sb_cat(&b, ",\"end\":");
		sb_fmt_size(&b, p->end);
		sb_cat(&b, ",\"evidence\":");
		sb_str(&b, p->evidence);
		sb_put(&b, "}", 1);
	}
	sb_cat(&b, "],\"flows\":[");
	for (i = 0; i < res->n_flows; i++) {
		const struct ext_flow *fl = &res->flows[i];

		if (i)
			sb_put(&b, ",", 1);
		sb_cat(&b, "{\"figure\":");
		sb_fmt_size(&b, fl->figure);
		sb_cat(&b, ",\"value\":");
		sb_cat(&b, ext_decimal_str(fl->value, num));
		sb_cat(&b, ",\"helper\":");
		sb_str(&b, fl->helper);
		sb_cat(&b, ",\"helper_code\":");
		sb_code(&b, fl->helper_code);
		sb_cat(&b, ",\"recipient\":");
		sb_str(&b, fl->recipient);
		sb_cat(&b, ",\"recipient_code\":");
		sb_code(&b, fl->recipient_code);
		sb_cat(&b, ",\"year\":");
		if (fl->year)
			sb_fmt_size(&b, (size_t)fl->year);
		else
			sb_cat(&b, "null");
		sb_cat(&b, ",\"category\":");
		sb_str(&b, fl->category);
		sb_cat(&b, ",\"part_of\":");
		if (fl->part_of >= 0)
			sb_fmt_size(&b, (size_t)fl->part_of);
		else
			sb_cat(&b, "null");
		sb_put(&b, "}", 1);
	}
	sb_put(&b, "]", 1);
	if (with_text) {
		sb_cat(&b, ",\"text\":");
		sb_str(&b, res->text);
	}
	sb_put(&b, "}", 1);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
