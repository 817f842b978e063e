/* pairing.c - STUB: pairings (to be replaced). */
#include "extract_int.h"

int
pair_find(const struct reg_tables *rt, const char *text, size_t len,
	  const struct sent *sents, size_t n_sents, const struct mention *m,
	  size_t n_m, const struct ext_doc *doc,
	  const struct region *main_region, struct arena *ar, struct vec *out)
{
	(void)rt, (void)text, (void)len, (void)sents, (void)n_sents, (void)m;
	(void)n_m, (void)doc, (void)main_region, (void)ar, (void)out;
	return 0;
}
