/* txt.c - STUB: decoding, cleaning, normalisation, metadata (to be
 * replaced). */
#include "extract_int.h"

int
txt_tables_add(struct txt_tables **tp, const char *name, const char *buf,
	       size_t len, size_t *errline)
{
	(void)tp, (void)name, (void)buf, (void)len, (void)errline;
	return 1;
}

void
txt_tables_free(struct txt_tables **tp)
{
	(void)tp;
}

int
txt_tables_check(const struct txt_tables *t, const char **missing)
{
	(void)t, (void)missing;
	return 0;
}

int
txt_normalise(const struct txt_tables *tt, ext_convert_fn t2s, void *t2s_ctx,
	      const void *raw, size_t len, const struct ext_options *opt,
	      struct arena *ar, struct ext_doc *doc, size_t *err_offset)
{
	(void)tt, (void)t2s, (void)t2s_ctx, (void)opt, (void)err_offset;
	doc->text = ar_strndup(ar, raw, len);
	doc->len = len;
	doc->charset = "utf-8";
	return doc->text ? 0 : EXT_ENOMEM;
}

int
txt_sentences(const char *text, size_t len, struct arena *ar,
	      struct sent **out, size_t *n)
{
	(void)text;
	*out = ar_alloc(ar, sizeof(**out));
	if (!*out)
		return EXT_ENOMEM;
	(*out)[0].b0 = 0;
	(*out)[0].b1 = len;
	*n = 1;
	return 0;
}
