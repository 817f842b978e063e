/* extract.c - runs the stages of the library in order and links their
 * results: each figure gets the regions and the pairing of its sentence,
 * byte offsets become code point offsets. */
#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

const char *
ext_strerror(int err)
{
	switch (err) {
	case EXT_OK:
		return "ok";
	case EXT_ENOMEM:
		return "out of memory";
	case EXT_EDECODE:
		return "undecodable bytes";
	case EXT_ETOOBIG:
		return "article too large";
	case EXT_EEMPTY:
		return "no text";
	case EXT_EDATA:
		return "malformed data file";
	case EXT_EINVAL:
		return "invalid argument";
	case EXT_ECONVERT:
		return "script conversion failed";
	}
	return "unknown error";
}

struct ext_tables *
ext_tables_new(void)
{
	return calloc(1, sizeof(struct ext_tables));
}

void
ext_tables_destroy(struct ext_tables **self_p)
{
	struct ext_tables *t;

	if (!self_p || !*self_p)
		return;
	t = *self_p;
	txt_tables_free(&t->txt);
	fig_tables_free(&t->fig);
	reg_tables_free(&t->reg);
	flow_tables_free(&t->flow);
	free(t);
	*self_p = NULL;
}

int
ext_tables_add(struct ext_tables *self, const char *name, const char *buf,
               size_t len, size_t *errline)
{
	int rc;

	if (!self || !name || (!buf && len))
		return EXT_EINVAL;
	rc = txt_tables_add(&self->txt, name, buf, len, errline);
	if (rc == 1)
		rc = fig_tables_add(&self->fig, name, buf, len, errline);
	if (rc == 1)
		rc = reg_tables_add(&self->reg, name, buf, len, errline);
	if (rc == 1)
		rc = flow_tables_add(&self->flow, name, buf, len, errline);
	return rc == 1 ? 0 : rc;
}

void
ext_tables_set_t2s(struct ext_tables *self, ext_convert_fn fn, void *ctx)
{
	/* txt.c (txt_int.h): learns which code points fn changes. */
	void txt_tables_set_t2s(struct txt_tables **, ext_convert_fn, void *);

	self->t2s = fn;
	self->t2s_ctx = ctx;
	txt_tables_set_t2s(&self->txt, fn, ctx);
}

long
ext_tables_t2s_phrases(const struct ext_tables *self)
{
	return self ? txt_tables_t2s_phrases(self->txt) : -1;
}

int
ext_tables_finish(struct ext_tables *self, const char **missing)
{
	int rc = txt_tables_check(self->txt, missing);

	if (rc == 0)
		rc = fig_tables_check(self->fig, missing);
	if (rc == 0)
		rc = reg_tables_check(self->reg, missing);
	if (rc == 0)
		rc = flow_tables_check(self->flow, missing);
	return rc;
}

/* Byte offsets to code points: the code points before each 64-byte
 * block are counted once, so each offset counts at most 63 bytes more,
 * in any order; a result with many figures in one huge sentence stays
 * linear, with no sort. */
struct off_ref {
	size_t *p;
};

static int
to_codepoints(const char *text, size_t len, struct off_ref *refs, size_t n)
{
	size_t nb = len / 64 + 1, i, *cum = malloc(nb * sizeof(*cum));

	if (!cum)
		return EXT_ENOMEM;
	cum[0] = 0;
	for (i = 1; i < nb; i++)
		cum[i] = cum[i - 1] + exi_u8_count(text + (i - 1) * 64, 64);
	for (i = 0; i < n; i++) {
		size_t b = *refs[i].p, blk;

		if (b > len)
			b = len;
		blk = b / 64;
		*refs[i].p =
		    cum[blk] + exi_u8_count(text + blk * 64, b - blk * 64);
	}
	free(cum);
	return 0;
}

static int
year_of(const char *date)
{
	if (!date || strlen(date) < 4)
		return 0;
	return atoi(date);
}

/* Figures get the divisions of their sentence. The figures of one
 * sentence share one array (read-only for consumers), made once per
 * sentence, so a long sentence with many figures and many mentions costs
 * its mentions once, not once per figure. */
static int
link_figures(struct ext_result *res, const struct mention *m, size_t n_m,
             const struct region *main_region, struct arena *ar)
{
	size_t i, j, k = 0, p = 0, last_sent = SIZE_MAX;
	char(*codes)[7] = NULL;
	size_t n_codes = 0;

	/* Figures, mentions and pairings are all in sentence order. */
	for (i = 0; i < res->n_figures; i++) {
		struct ext_figure *f = &res->figures[i];

		if (f->sentence != last_sent) {
			size_t first, cnt = 0;

			last_sent = f->sentence;
			codes = NULL;
			n_codes = 0;
			while (k < n_m && m[k].sent < f->sentence)
				k++;
			first = k;
			for (j = first; j < n_m && m[j].sent == f->sentence;
			     j++)
				cnt += m[j].r != NULL;
			if (cnt == 0 && main_region)
				cnt = 1;
			if (cnt) {
				codes = exi_ar_alloc(ar, cnt * 7);
				if (!codes)
					return EXT_ENOMEM;
			}
			for (j = first; j < n_m && m[j].sent == f->sentence;
			     j++) {
				size_t x;

				if (!m[j].r)
					continue;
				/* distinct divisions are few; mentions of
				 * the same one repeat */
				for (x = 0; x < n_codes; x++)
					if (!memcmp(codes[x], m[j].r->code, 7))
						break;
				if (x == n_codes)
					memcpy(codes[n_codes++], m[j].r->code,
					       7);
			}
			if (n_codes == 0 && main_region)
				memcpy(codes[n_codes++], main_region->code, 7);
		}
		f->region_codes = codes;
		f->n_region_codes = n_codes;
		while (p < res->n_pairings &&
		       res->pairings[p].sentence < f->sentence)
			p++;
		f->pairing = p < res->n_pairings &&
		                     res->pairings[p].sentence == f->sentence
		                 ? (long)p
		                 : -1;
	}
	return 0;
}

static int
cmp_pairing(const void *a, const void *b)
{
	const struct ext_pairing *x = a, *y = b;

	if (x->sentence != y->sentence)
		return x->sentence < y->sentence ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int
cmp_figure(const void *a, const void *b)
{
	const struct ext_figure *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
offsets_to_cps(struct ext_result *res, struct arena *ar)
{
	size_t n = 2 * (res->n_figures + res->n_pairings + res->n_sentences);
	struct off_ref *refs;
	size_t i, k = 0;
	int rc;

	(void)ar;
	if (n == 0)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (!refs)
		return EXT_ENOMEM;
	for (i = 0; i < res->n_figures; i++) {
		refs[k++].p = &res->figures[i].start;
		refs[k++].p = &res->figures[i].end;
	}
	for (i = 0; i < res->n_pairings; i++) {
		refs[k++].p = &res->pairings[i].start;
		refs[k++].p = &res->pairings[i].end;
	}
	for (i = 0; i < res->n_sentences; i++) {
		refs[k++].p = &res->sentences[i].start;
		refs[k++].p = &res->sentences[i].end;
	}
	rc = to_codepoints(res->text, res->text_len, refs, k);
	free(refs);
	return rc;
}

/* --explain: the mentions of each sentence. */
static void
note_mentions(struct xpl *x, const char *text, const struct mention *m,
              size_t n_m, const struct region *main_region)
{
	static const char *level[] = { "", "province", "prefecture", "county" };
	size_t i;

	if (!x)
		return;
	if (main_region)
		xpl_add(x, 0, "main", "main region %s %s", main_region->name,
		        main_region->code);
	for (i = 0; i < n_m; i++) {
		const struct mention *e = &m[i];

		if (e->kind == MEN_ORG)
			xpl_span(x, e->sent, "org", text, e->b0, e->b1,
			         "organisation %s (type %d)",
			         e->org ? e->org : "", e->org_type);
		else if (e->r)
			xpl_span(x, e->sent, "region", text, e->b0, e->b1,
			         "%s%s %s %s",
			         e->kind == MEN_ABBREV ? "abbreviation of "
			                               : "",
			         e->r->name, e->r->code, level[e->r->level]);
	}
}

/* --explain: figures, pairings and flows, once they are final; then the
 * notes move into the result, ordered by sentence and, within one, in the
 * order the stages wrote them. */
struct note_key {
	size_t sentence, i;
};

static int
cmp_note(const void *a, const void *b)
{
	const struct note_key *x = a, *y = b;

	if (x->sentence != y->sentence)
		return x->sentence < y->sentence ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
note_results(struct xpl *x, struct ext_result *res)
{
	char num[48];
	size_t i;

	if (!x)
		return 0;
	for (i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];

		xpl_add(x, f->sentence, "figure",
		        "figure %zu: %s = %s %s%s, metric %s, category %s, "
		        "year %d, pairing %ld",
		        i, f->text, ext_decimal_str(f->value, num), f->unit,
		        f->approx ? " (approx)" : "",
		        f->metric ? f->metric : "-", f->category, f->year,
		        f->pairing);
	}
	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];

		xpl_add(x, p->sentence, "pairing",
		        "pairing %zu: %s (%s) -> %s (%s), %s, by rule %s", i,
		        p->helper, p->helper_code[0] ? p->helper_code : "null",
		        p->recipient,
		        p->recipient_code[0] ? p->recipient_code : "null",
		        p->relation, p->rule ? p->rule : "-");
	}
	if (x->oom)
		return EXT_ENOMEM;
	if (x->notes.n == 0)
		return 0;
	{
		const struct ext_note *src = x->notes.p;
		struct note_key *keys = malloc(x->notes.n * sizeof(*keys));

		res->notes =
		    exi_ar_alloc(x->ar, x->notes.n * sizeof(*res->notes));
		if (!keys || !res->notes) {
			free(keys);
			return EXT_ENOMEM;
		}
		for (i = 0; i < x->notes.n; i++) {
			keys[i].sentence = src[i].sentence;
			keys[i].i = i;
		}
		qsort(keys, x->notes.n, sizeof(*keys), cmp_note);
		for (i = 0; i < x->notes.n; i++)
			res->notes[i] = src[keys[i].i];
		res->n_notes = x->notes.n;
		free(keys);
	}
	return 0;
}

int
ext_extract(const struct ext_tables *t, const void *raw, size_t len,
            const struct ext_options *opt, struct ext_result **out,
            size_t *err_offset)
{
	static const struct ext_options defaults = { NULL, 0, false };
	struct arena *ar = NULL;
	struct ext_result *res;
	struct ext_doc doc;
	struct sent *sents = NULL;
	size_t n_sents = 0, n_m = 0, i;
	struct mention *m = NULL;
	const struct region *main_region;
	struct vec figs = VEC_INIT(struct ext_figure);
	struct vec pairs = VEC_INIT(struct ext_pairing);
	struct xpl xpl = { VEC_INIT(struct ext_note), NULL, false };
	int rc, year;

	if (!t || !out || (!raw && len))
		return EXT_EINVAL;
	if (!opt)
		opt = &defaults;
	if (opt->max_bytes && len > opt->max_bytes)
		return EXT_ETOOBIG;
	ar = exi_ar_new();
	if (!ar)
		return EXT_ENOMEM;
	res = exi_ar_alloc(ar, sizeof(*res));
	if (!res) {
		rc = EXT_ENOMEM;
		goto done;
	}
	memset(&doc, 0, sizeof(doc));
	if (opt->explain) {
		xpl.ar = ar;
		doc.xpl = &xpl;
	}
	rc = txt_normalise(t->txt, t->t2s, t->t2s_ctx, raw, len, opt, ar, &doc,
	                   err_offset);
	if (rc != 0)
		goto done;
	rc = txt_sentences(doc.text, doc.len, ar, &sents, &n_sents);
	if (rc != 0)
		goto done;
	rc = reg_find(t->reg, doc.text, doc.len, sents, n_sents, ar, &m, &n_m);
	if (rc != 0)
		goto done;
	main_region = reg_main(t->reg, doc.text, &doc, m, n_m);
	note_mentions(doc.xpl, doc.text, m, n_m, main_region);
	rc = pair_find(t->reg, doc.text, doc.len, sents, n_sents, m, n_m, &doc,
	               main_region, ar, &pairs);
	if (rc != 0)
		goto done;
	year = year_of(doc.meta.published);
	for (i = 0; i < n_sents && rc == 0; i++)
		rc = fig_find(t->fig, doc.text, doc.len, &sents[i], i, 0, ar,
		              &figs);
	if (rc != 0)
		goto done;

	res->text = doc.text;
	res->text_len = doc.len;
	res->charset = doc.charset;
	res->converted = doc.converted;
	res->meta = doc.meta;
	if (main_region)
		memcpy(res->main_region, main_region->code, 7);
	res->n_figures = figs.n;
	res->figures = exi_vec_to_arena(&figs, ar);
	res->n_pairings = pairs.n;
	res->pairings = exi_vec_to_arena(&pairs, ar);
	if ((res->n_figures && !res->figures) ||
	    (res->n_pairings && !res->pairings)) {
		rc = EXT_ENOMEM;
		goto done;
	}
	/* Stable order for consumers: figures by position, pairings by
	 * sentence then position. */
	if (res->n_figures > 1)
		qsort(res->figures, res->n_figures, sizeof(*res->figures),
		      cmp_figure);
	if (res->n_pairings > 1)
		qsort(res->pairings, res->n_pairings, sizeof(*res->pairings),
		      cmp_pairing);
	for (i = 0; i < res->n_pairings; i++) {
		struct ext_pairing *p = &res->pairings[i];

		if (!p->evidence && p->sentence < n_sents) {
			const struct sent *s = &sents[p->sentence];

			p->evidence =
			    exi_ar_strndup(ar, doc.text + s->b0, s->b1 - s->b0);
			if (!p->evidence) {
				rc = EXT_ENOMEM;
				goto done;
			}
		}
	}
	res->n_sentences = n_sents;
	res->sentences =
	    n_sents ? exi_ar_alloc(ar, n_sents * sizeof(*res->sentences))
	            : NULL;
	if (n_sents && !res->sentences) {
		rc = EXT_ENOMEM;
		goto done;
	}
	for (i = 0; i < n_sents; i++) {
		res->sentences[i].start = sents[i].b0;
		res->sentences[i].end = sents[i].b1;
	}
	rc = link_figures(res, m, n_m, main_region, ar);
	/* figures are sorted and final: their years, then the flows that
	 * point at them */
	if (rc == 0)
		rc = year_resolve(doc.text, sents, n_sents, year, res->figures,
		                  res->n_figures);
	if (rc == 0)
		rc = flow_find(t->flow, t->reg, &doc, sents, n_sents, m, n_m,
		               res, ar);
	if (rc == 0)
		rc = note_results(doc.xpl, res);
	if (rc == 0)
		rc = offsets_to_cps(res, ar);
	if (rc == 0) {
		res->priv = ar;
		ar = NULL;
		*out = res;
	}
done:
	exi_vec_free(&figs);
	exi_vec_free(&pairs);
	exi_vec_free(&xpl.notes);
	exi_ar_destroy(&ar);
	return rc;
}

void
ext_result_destroy(struct ext_result **self_p)
{
	struct arena *ar;

	if (!self_p || !*self_p)
		return;
	ar = (*self_p)->priv;
	exi_ar_destroy(&ar); /* the result itself lives in its arena */
	*self_p = NULL;
}
