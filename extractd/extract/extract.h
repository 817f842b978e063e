/* extract.h - the extraction library: raw article bytes to normalised text,
 * metadata, figures and pairings (the contract is docs/EXTRACTION.md).
 *
 * Does: decode (UTF-8, GB18030, Big5), clean page junk, normalise Unicode,
 * convert Traditional to Simplified, split sentences, read metadata, find
 * figures, regions and pairings. Pure: no files, sockets, clock,
 * environment, logging or mutable globals; everything it knows comes in
 * through struct ext_tables, built from data files by the caller
 * (extload.h does that for the daemons, tests and fuzzers).
 *
 * Does not: read files, open OpenCC dictionaries, or keep state between
 * calls. Tables are read-only once built and may be shared by threads. */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT_VERSION 2 /* bump when extraction output changes */

struct ext_tables;

/* Errors (negative). ext_strerror() names them. */
enum {
	EXT_OK = 0,
	EXT_ENOMEM = -1,
	EXT_EDECODE = -2,  /* bytes are not valid in any accepted charset */
	EXT_ETOOBIG = -3,  /* article above the configured size limit */
	EXT_EEMPTY = -4,   /* nothing left after cleaning */
	EXT_EDATA = -5,    /* a data file is malformed (tables building) */
	EXT_EINVAL = -6,   /* bad argument */
	EXT_ECONVERT = -7, /* script conversion failed */
};
const char *ext_strerror(int err);

/* Tables: built once from data files' contents, then read-only. */
struct ext_tables *ext_tables_new(void); /* NULL on ENOMEM */
void ext_tables_destroy(struct ext_tables **self_p);
/* Hands the contents of one data file (its base name, e.g. "divisions.tsv")
 * to the module that understands it; unknown names are ignored (returns 0).
 * On EXT_EDATA, *errline (if not NULL) is set to the 1-based line. The
 * buffer is copied where needed; the caller may free it afterwards. */
int ext_tables_add(struct ext_tables *self, const char *name, const char *buf,
                   size_t len, size_t *errline);
/* The Traditional-to-Simplified converter: fn converts len bytes of UTF-8
 * at in and returns a malloc'd NUL-terminated UTF-8 string (caller frees),
 * or NULL on failure. It must be safe to call from several threads at once.
 * Without one, Traditional text is left as it is. */
typedef char *(*ext_convert_fn)(void *ctx, const char *in, size_t len);
void ext_tables_set_t2s(struct ext_tables *self, ext_convert_fn fn, void *ctx);
/* With t2s_phrases.tsv loaded (the phrase keys of the converter's phrase
 * dictionary; load it only for the converter it was made from), clauses
 * holding none of the phrases it converts as a whole are converted
 * character by character from what fn made of each character alone, at
 * set time. Returns how many phrases go to fn, or -1 when that path is
 * off (no phrase list, no converter, or fn's answers did not line up). */
long ext_tables_t2s_phrases(const struct ext_tables *self);
/* Checks that every required table is present; 0 or EXT_EDATA. Call after
 * the last ext_tables_add(). missing (if not NULL) names the first
 * missing table (static string). */
int ext_tables_finish(struct ext_tables *self, const char **missing);

/* Options of one extraction. */
struct ext_options {
	const char *charset; /* hint: "utf-8", "gb18030", "gbk", "big5", or
	                        NULL/"" to detect */
	size_t max_bytes;    /* 0: no limit; else EXT_ETOOBIG above it */
	bool explain;        /* keep notes of what each stage found and
	                        decided (ext_result.notes); slower */
};

struct ext_meta {
	char *title;     /* NULL when the text has none */
	char *source;    /* NULL when none */
	char *published; /* "YYYY-MM-DD" or NULL */
	char **reporters;
	size_t n_reporters;
	char **editors;
	size_t n_editors;
};

/* A decimal value, exact: value = mant / 10^scale. */
struct ext_decimal {
	int64_t mant;
	int scale; /* 0..18 */
};

struct ext_figure {
	char *text; /* the span of the normalised text */
	struct ext_decimal value;
	char *unit; /* Simplified, e.g. "元", "人", "%" */
	bool approx;
	char *metric;         /* NULL when unknown */
	const char *category; /* one of SPEC's categories; never NULL */
	int year;             /* 0 when unknown */
	size_t start, end;    /* code points in text, end exclusive */
	size_t sentence;      /* index in ext_result.sentences */
	char (*region_codes)[7];
	size_t n_region_codes;
	long pairing; /* index in ext_result.pairings, -1 for none */
};

struct ext_pairing {
	char *helper;
	char helper_code[7]; /* "" when the helper is not a division */
	char *recipient;
	char recipient_code[7];
	const char *relation; /* east_west designated institutional other */
	size_t start, end;    /* code points: the span that states it */
	size_t sentence;
	char *evidence;   /* the sentence */
	const char *rule; /* static: the name of the rule that made it */
};

/* An aid flow (SPEC "Aid flows"): money a helper gave, invested, raised or
 * bought for a recipient, once per article. A side is NULL (and its code
 * "") when the article names it only as a group or not at all. */
struct ext_flow {
	size_t figure; /* index in ext_result.figures */
	struct ext_decimal value;
	char *helper; /* NULL: unknown or a group */
	char helper_code[7];
	char *recipient;
	char recipient_code[7];
	int year;             /* 0 when unknown or several years */
	const char *category; /* fiscal_aid social_aid consumption investment */
	long part_of;     /* index in ext_result.flows of its total, or -1 */
	const char *rule; /* static: the name of the rule that made it */
};

/* With ext_options.explain: one line of what a stage found or decided
 * about a sentence ("region", "org", "cue", "number", "pairing", "flow",
 * ... and "refused" for candidates a rule turned down). */
struct ext_note {
	size_t sentence;   /* index in ext_result.sentences */
	const char *stage; /* static */
	char *text;
};

struct ext_sentence {
	size_t start, end; /* code points in text */
};

struct ext_result {
	char *text; /* normalised text, UTF-8, NUL-terminated, no NUL inside */
	size_t text_len;     /* bytes */
	const char *charset; /* detected or given: "utf-8" "gb18030" "big5" */
	bool converted;      /* Traditional script was converted */
	char main_region[7]; /* the region the article is about, or "" */
	struct ext_meta meta;
	struct ext_figure *figures;
	size_t n_figures;
	struct ext_pairing *pairings;
	size_t n_pairings;
	struct ext_sentence *sentences;
	size_t n_sentences;
	struct ext_flow *flows;
	size_t n_flows;
	struct ext_note *notes; /* only with ext_options.explain */
	size_t n_notes;
	void *priv; /* the library's allocations */
};

/* On success returns 0 and sets *out (free with ext_result_destroy()). On
 * error returns a negative EXT_* and leaves *out untouched; for
 * EXT_EDECODE, *err_offset (if not NULL) is the byte offset of the first
 * byte that no accepted charset can read. */
int ext_extract(const struct ext_tables *t, const void *raw, size_t len,
                const struct ext_options *opt, struct ext_result **out,
                size_t *err_offset);
void ext_result_destroy(struct ext_result **self_p);

/* Writes the result as one JSON object (SPEC.md's shape, plus "text" when
 * with_text) into a malloc'd NUL-terminated string; file is the "file"
 * member (may be NULL). Returns NULL on ENOMEM. Caller frees. */
char *ext_result_json(const struct ext_result *res, const char *file,
                      bool with_text);

/* Formats a decimal into buf (at least 48 bytes): "472000000", "8442.8".
 * Returns buf. */
char *ext_decimal_str(struct ext_decimal d, char *buf);
/* The decimal as a double (for metrics and JSON consumers). */
double ext_decimal_double(struct ext_decimal d);

#endif
