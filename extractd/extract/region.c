/* region.c - STUB: gazetteer (to be replaced). */
#include "extract_int.h"

int
reg_tables_add(struct reg_tables **tp, const char *name, const char *buf,
	       size_t len, size_t *errline)
{
	(void)tp, (void)name, (void)buf, (void)len, (void)errline;
	return 1;
}

void
reg_tables_free(struct reg_tables **tp)
{
	(void)tp;
}

int
reg_tables_check(const struct reg_tables *t, const char **missing)
{
	(void)t, (void)missing;
	return 0;
}

int
reg_find(const struct reg_tables *rt, const char *text, size_t len,
	 const struct sent *sents, size_t n_sents, struct arena *ar,
	 struct mention **out, size_t *n)
{
	(void)rt, (void)text, (void)len, (void)sents, (void)n_sents, (void)ar;
	*out = NULL;
	*n = 0;
	return 0;
}

const struct region *
reg_main(const struct reg_tables *rt, const char *text,
	 const struct ext_doc *doc, const struct mention *m, size_t n)
{
	(void)rt, (void)text, (void)doc, (void)m, (void)n;
	return NULL;
}

const struct region *
reg_by_code(const struct reg_tables *rt, const char *code)
{
	(void)rt, (void)code;
	return NULL;
}
