/* extract_int.h - what the modules of the extraction library share.
 *
 * The pipeline (extract.c) is:
 *   txt_normalise()  bytes -> decoded, cleaned, normalised text + metadata
 *   txt_sentences()  text -> sentences
 *   reg_find()       text -> region and organisation mentions
 *   reg_main()       the region the article is about
 *   pair_find()      sentences + mentions -> pairings
 *   fig_find()       sentences -> figures
 *   year_resolve()   figures and flows -> their years
 *   flow_find()      figures + pairings -> aid flows
 * then extract.c links figures to regions and pairings and turns byte
 * offsets into code point offsets. Each stage is a folder (text/,
 * places/, figures/, flows/, output/) over base/ (base.h: the exi_
 * helpers); no file calls into a later stage.
 *
 * Every module works in bytes of the normalised UTF-8 text; all memory it
 * returns comes from the arena of the result, so nothing is freed one by
 * one. Each module owns its tables (built by X_tables_add from data files)
 * and must stay linear in the length of its input. */
#ifndef EXTRACT_INT_H
#define EXTRACT_INT_H

#include "base.h"
#include "extract.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- text: txt.c and friends (decode, clean, normalise, meta) ---------- */
struct txt_tables;
/* Returns 0 when name was consumed, 1 when it is not this module's file,
 * negative EXT_* on error. */
int txt_tables_add(struct txt_tables **tp, const char *name, const char *buf,
                   size_t len, size_t *errline);
void txt_tables_free(struct txt_tables **tp);
int txt_tables_check(const struct txt_tables *t, const char **missing);
/* ext_tables_t2s_phrases() of the text stage's tables. */
long txt_tables_t2s_phrases(const struct txt_tables *t);

/* ---- explain notes: xpl.c ---------------------------------------------
 * Stages record what they found and decided for extractd --explain. Every
 * call is a no-op when x is NULL (ext_options.explain off), so stages call
 * it unconditionally; format the arguments only where cheap. */
struct xpl {
	struct vec notes; /* struct ext_note */
	struct arena *ar;
	bool oom;
};
void xpl_add(struct xpl *x, size_t sent, const char *stage, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));
/* Like xpl_add, with a span of text (bytes [b0, b1)) quoted in front. */
void xpl_span(struct xpl *x, size_t sent, const char *stage, const char *text,
              size_t b0, size_t b1, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

struct ext_doc {
	struct xpl *xpl; /* NULL unless explaining */
	char *text;      /* NUL-terminated, valid UTF-8, no NUL inside */
	size_t len;
	const char *charset; /* static string */
	bool converted;
	struct ext_meta meta; /* strings in the arena */
};

/* Decodes raw (see ext_options for the charset), cleans and normalises
 * it, and reads metadata before dropping metadata lines from the body.
 * t2s may be NULL (no conversion). On EXT_EDECODE sets *err_offset. */
int txt_normalise(const struct txt_tables *tt, ext_convert_fn t2s,
                  void *t2s_ctx, const void *raw, size_t len,
                  const struct ext_options *opt, struct arena *ar,
                  struct ext_doc *doc, size_t *err_offset);

struct sent {
	size_t b0, b1; /* bytes in text, end exclusive */
};
/* Splits text into sentences (at 。！？; and line ends, not inside
 * quotes/brackets of bounded size); empty ones are skipped. */
int txt_sentences(const char *text, size_t len, struct arena *ar,
                  struct sent **out, size_t *n);

/* ---- regions and organisations: region.c -------------------------------- */
struct reg_tables;
int reg_tables_add(struct reg_tables **tp, const char *name, const char *buf,
                   size_t len, size_t *errline);
void reg_tables_free(struct reg_tables **tp);
int reg_tables_check(const struct reg_tables *t, const char **missing);

enum reg_level { REG_PROVINCE = 1, REG_PREFECTURE = 2, REG_COUNTY = 3 };

struct region {
	char code[7];
	const char *name; /* full official name */
	const char *short_name;
	enum reg_level level;
	const struct region *parent; /* NULL for provinces */
};

enum mention_kind {
	MEN_REGION = 1, /* a division, by full, short or alias name */
	MEN_ABBREV,     /* a province abbreviation inside a compound (粤桂) */
	MEN_ORG,        /* a ministry, enterprise, school, hospital ... */
};

struct mention {
	size_t b0, b1; /* bytes in text */
	size_t sent;   /* sentence index */
	enum mention_kind kind;
	const struct region *r; /* MEN_REGION, MEN_ABBREV */
	const char *org;        /* MEN_ORG: the name as written (arena) */
	int org_type;           /* MEN_ORG: module-defined */
};

/* Index of the first of the n mentions m (in text order) that starts at
 * or after b; n when none does. */
static inline size_t
men_lower(const struct mention *m, size_t n, size_t b)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].b0 < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Finds the mentions in text, in text order. */
int reg_find(const struct reg_tables *rt, const char *text, size_t len,
             const struct sent *sents, size_t n_sents, struct arena *ar,
             struct mention **out, size_t *n);
/* The region the article is about (NULL if none stands out). */
const struct region *reg_main(const struct reg_tables *rt, const char *text,
                              const struct ext_doc *doc,
                              const struct mention *m, size_t n);
const struct region *reg_by_code(const struct reg_tables *rt, const char *code);

/* ---- pairings: pairing.c ------------------------------------------------- */
/* Appends struct ext_pairing elements to out, with start/end in BYTES and
 * sentence set; evidence may be left NULL (extract.c fills it). The
 * article date (doc->meta.published, may be NULL) picks the official
 * pairing list's period. */
int pair_find(const struct reg_tables *rt, const char *text, size_t len,
              const struct sent *sents, size_t n_sents, const struct mention *m,
              size_t n_m, const struct ext_doc *doc,
              const struct region *main_region, struct arena *ar,
              struct vec *out);

/* ---- figures: figure.c ----------------------------------------------------
 */
struct fig_tables;
int fig_tables_add(struct fig_tables **tp, const char *name, const char *buf,
                   size_t len, size_t *errline);
void fig_tables_free(struct fig_tables **tp);
int fig_tables_check(const struct fig_tables *t, const char **missing);

/* Appends struct ext_figure elements to out for the figures of sentence s,
 * with start/end in BYTES of text, sentence = s_index, text/unit/metric in
 * the arena, category set (never NULL), year from the sentence or else
 * article_year (0: unknown; extract.c passes 0 and year_resolve() sets
 * the final years by SPEC's rules). region_codes and pairing are left for
 * extract.c. */
int fig_find(const struct fig_tables *ft, const char *text, size_t len,
             const struct sent *s, size_t s_index, int article_year,
             struct arena *ar, struct vec *out);

/* ---- years: year.c ------------------------------------------------------
 * Sets the year of every figure (sorted by position, offsets in bytes) by
 * SPEC's year rules: the year named before it (2019年, 今年 and 去年 from
 * pub_year only, 同年/当年 the last year named), 0 for amounts over several
 * years (累计 with no year named, N年来, X年以来 before pub_year, 截至X年,
 * 期间) or with no year in force. Linear in the text. Always 0. */
int year_resolve(const char *text, const struct sent *sents, size_t n_sents,
                 int pub_year, struct ext_figure *f, size_t n_f);

/* ---- aid flows: flow.c ----------------------------------------------------
 * flow_words.tsv: the words that make an amount aid money (and its
 * category) or not, and the group words of the sides. */
struct flow_tables;
int flow_tables_add(struct flow_tables **tp, const char *name, const char *buf,
                    size_t len, size_t *errline);
void flow_tables_free(struct flow_tables **tp);
int flow_tables_check(const struct flow_tables *t, const char **missing);
/* Sets res->flows from res->figures (final: sorted, years set, offsets
 * still in bytes) and res->pairings, reading the mentions for the sides;
 * notes every flow and every refused amount in doc->xpl. Flows live in
 * ar. 0 or EXT_ENOMEM. */
int flow_find(const struct flow_tables *ft, const struct reg_tables *rt,
              const struct ext_doc *doc, const struct sent *sents,
              size_t n_sents, const struct mention *m, size_t n_m,
              struct ext_result *res, struct arena *ar);

/* ---- tables ----------------------------------------------------------------
 */
struct ext_tables {
	struct txt_tables *txt;
	struct fig_tables *fig;
	struct reg_tables *reg;
	struct flow_tables *flow;
	ext_convert_fn t2s;
	void *t2s_ctx;
};

#endif
