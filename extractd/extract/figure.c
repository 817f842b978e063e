/* figure.c - STUB: figures (to be replaced). */
#include "extract_int.h"

int
fig_tables_add(struct fig_tables **tp, const char *name, const char *buf,
	       size_t len, size_t *errline)
{
	(void)tp, (void)name, (void)buf, (void)len, (void)errline;
	return 1;
}

void
fig_tables_free(struct fig_tables **tp)
{
	(void)tp;
}

int
fig_tables_check(const struct fig_tables *t, const char **missing)
{
	(void)t, (void)missing;
	return 0;
}

int
fig_find(const struct fig_tables *ft, const char *text, size_t len,
	 const struct sent *s, size_t s_index, int article_year,
	 struct arena *ar, struct vec *out)
{
	(void)ft, (void)text, (void)len, (void)s, (void)s_index;
	(void)article_year, (void)ar, (void)out;
	return 0;
}
