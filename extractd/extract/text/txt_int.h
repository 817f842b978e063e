/* txt_int.h - what the files of the text stage share (charset.c,
 * txt_tables.c, t2s.c, clean.c, meta.c, sentence.c, txt.c). Nothing here is
 * seen outside the text stage.
 *
 * The stage runs line by line: decode the bytes (charset.c), split lines,
 * normalise each line (clean.c: drop controls, NFKC, strip pinyin and
 * censor marks, Traditional to Simplified on the clauses that need it,
 * fold variants; t2s.c holds the character table), mark page furniture
 * (clean.c), read metadata and mark metadata lines (meta.c), then join the
 * lines that are left (txt.c). txt_tables.c loads the tables. */
#ifndef TXT_INT_H
#define TXT_INT_H

#include "extract_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per code point flags of the Basic Multilingual Plane. */
enum {
	TF_SLOW = 1,     /* NFKC may interact with neighbours: utf8proc */
	TF_MAP = 2,      /* NFKC maps it, alone, to the string nfkc_map[] */
	TF_DROP = 4,     /* control or invisible: removed */
	TF_SPACE = 8,    /* white space: becomes ' ' */
	TF_T2S = 16,     /* the t2s converter changes it */
	TF_VARIANT = 32, /* variants.tsv folds it */
	TF_COMMON = 64,  /* a frequent character (charset detection) */
	/* NFKC keeps it as it is and it interacts with nothing, but it
	 * decomposes (é, ǎ: the pinyin of page junk), which once sent its
	 * line to utf8proc; that path folds no variants, so a line holding
	 * one still does not (the fast path copies it unless the line also
	 * has a variant, and then takes utf8proc's path). */
	TF_NOFOLD = 128,
};

/* boilerplate.tsv */
enum bp_kind {
	BP_LINE = 1, /* the whole line (bar punctuation and spaces) */
	BP_PREFIX,   /* the line starts with it */
	BP_CONTAINS, /* the line contains it */
	BP_BLOCK,    /* starts a link list: drops it and the short lines
	                after it */
	BP_PHONE,    /* a label that, with a phone number, makes a line
	                furniture */
};

struct bp_rule {
	const char *pat; /* NUL-terminated, in txt_tables.strings */
	size_t len;      /* bytes */
	enum bp_kind kind;
	size_t max_cps; /* 0: any line length */
};

/* txt_meta.tsv */
enum meta_field {
	MF_SOURCE = 1, /* 来源: X */
	MF_DATE,       /* 发布时间: X */
	MF_EDITOR,     /* 责任编辑: X */
	MF_REPORTER,   /* 记者 X */
	MF_ROLE,      /* other bylines (通讯员): end a value, read nothing */
	MF_AGENCY,    /* a news agency's dateline: 新华社北京1月2日电 */
	MF_SUPPLIER,  /* X供稿 */
	MF_ORIGTITLE, /* 原标题: X */
	MF_NAMESUFFIX, /* 报道 in 记者张三报道: not part of the name */
	MF_OUTLET,     /* 日报, 网: an outlet's name ends with one */
	MF_SURNAME,    /* 王, 欧阳: a bare name starts with one */
	MF_SECTION,    /* 新闻 in a forum title's "[纪实·新闻]" */
	MF_WELCOME,    /* 欢迎访问 in a header "欢迎访问某某网!" */
};

struct meta_label {
	const char *s;
	size_t len;
	enum meta_field field;
};

/* Han extensions B to H end here; the converter is asked about clauses
 * holding one of 0x20000 to this, never the character table. */
#define TXT_T2S_HI_END 0x32400

struct txt_tables {
	uint8_t cpf[0x10000]; /* TF_* */
	uint16_t nfkc_idx[0x10000];
	uint32_t *nfkc_off; /* n_nfkc + 1 offsets into nfkc_str */
	char *nfkc_str;
	size_t n_nfkc;
	/* TF_T2S above the BMP: set on all of 0x20000 to TXT_T2S_HI_END,
	 * which the probe does not ask about */
	uint8_t t2s_hi[(0x40000 - 0x20000) / 8];
	ext_convert_fn probed_fn; /* the converter probed */
	void *probed_ctx;
	bool probe_ok;

	/* The character-wise path of the t2s stage (txt.c, "the t2s probe").
	 * t2s_phrases.tsv lists the phrase keys of the converter's phrase
	 * dictionary; the probe keeps what the converter makes of each
	 * changed code point alone (t2s_map, an open-addressing table of
	 * t2s_mask + 1 slots: code point, then offset << 8 | length in
	 * t2s_pool) and the phrases it converts otherwise than character by
	 * character (t2s_phr). A clause holding none of those is converted
	 * here, character by character; the others go to the converter. */
	const char **phr; /* t2s_phrases.tsv, in strings */
	size_t *phr_len;
	size_t n_phr;
	bool have_phrases;
	uint32_t (*t2s_map)[2];
	size_t t2s_mask;
	char *t2s_pool;
	struct patset t2s_phr;
	size_t n_t2s_phr;
	/* bit c: a phrase of t2s_phr starts with BMP code point c;
	 * phr_first_hi: one starts above the BMP */
	uint64_t phr_first[0x10000 / 64];
	bool phr_first_hi;
	bool charwise; /* the path above is on */

	struct {
		uint32_t from, to;
	} * var; /* sorted by from */
	size_t n_var;
	bool have_variants, have_boilerplate, have_meta, have_common;

	struct bp_rule *bp;
	size_t n_bp;
	struct patset bp_set;

	struct meta_label *ml;
	size_t n_ml;
	struct patset ml_set;

	struct vec strings; /* char * owned copies, freed with the tables */
};

/* The hook of ext_tables_set_t2s(): probes fn (see txt.c). */
void txt_tables_set_t2s(struct txt_tables **tp, ext_convert_fn fn, void *ctx);
/* Appends s[0..n) converted character by character from what the probed
 * converter made of each code point alone (sets *changed when something
 * changed). */
int txt_t2s_chars(const struct txt_tables *t, const char *s, size_t n,
                  struct sbuf *out, bool *changed);

/* charset.c: decodes raw into UTF-8. On success *out and *out_len are either
 * raw itself (valid UTF-8, BOM skipped; *owned NULL) or a malloc'd buffer
 * (*owned, caller frees). */
int txt_decode(const struct txt_tables *tt, const void *raw, size_t len,
               const char *hint, const char **out, size_t *out_len,
               char **owned, const char **charset, size_t *err_offset);
/* The offset of the first byte that is not valid UTF-8, or len. */
size_t txt_utf8_valid_prefix(const unsigned char *s, size_t len);

/* clean.c: the text stage's view of the converter. */
struct txt_conv {
	const struct txt_tables *tt;
	ext_convert_fn t2s;
	void *ctx;
	bool all; /* the converter was not probed: convert all CJK clauses */
	bool charwise; /* tt->charwise and the converter is the probed one */
	bool converted;
};
/* NFKC of one line, controls dropped and white space made ' ' (out is
 * cleared); the fast path and utf8proc's agree (clean_test.c checks). */
int txt_nfkc(const struct txt_tables *tt, const char *in, size_t n,
             struct sbuf *out);
/* Normalises one line (no line breaks inside: controls dropped, NFKC,
 * pinyin, censor marks and spaces) and appends it to out; tmp is scratch
 * kept between calls. */
int txt_norm_line(struct txt_conv *cv, const char *in, size_t n,
                  struct sbuf *out, struct sbuf *tmp);
/* Converts to Simplified the clauses of s (lines of txt_norm_line()) that
 * need it, in one call of the converter, and folds variants: s -> out
 * (cleared). Line breaks stay where they were. */
int txt_script(struct txt_conv *cv, const char *s, size_t n, struct sbuf *out);

/* One line of the normalised text. */
enum line_kind {
	LK_TEXT = 0,
	LK_BLANK,
	LK_FURNITURE, /* page chrome: dropped */
	LK_META,      /* a metadata line, read then dropped */
};

struct tline {
	const char *s;
	size_t n;   /* bytes */
	size_t cps; /* code points */
	enum line_kind kind;
};

/* txt_tables.c: *tp, made (flags built, no data yet) when NULL. */
int txt_tables_get(struct txt_tables **tp);

/* Marks furniture lines (boilerplate.tsv and the built-in rules). */
void txt_furniture(const struct txt_tables *tt, struct tline *l, size_t n);
/* Whether the line is a junk run of digits, a lone "+1", etc. */
bool txt_is_junk_line(const char *s, size_t n, size_t cps);

/* meta.c: whether the line is a date ("2020-01-21 08:42"). */
bool txt_date_line(const char *s, size_t n);
/* meta.c: reads metadata into meta (strings in ar) and marks the metadata
 * lines LK_META. */
int txt_meta(const struct txt_tables *tt, struct tline *l, size_t n,
             struct arena *ar, struct ext_meta *meta);

/* Code point classes. */
static inline bool
txt_is_cjk(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Decodes the code point at s[i] (valid UTF-8) and advances *i. */
static inline uint32_t
txt_next(const char *s, size_t n, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	size_t k;
	uint32_t c;

	if (u[0] < 0x80) {
		(*i)++;
		return u[0];
	}
	/* Han and CJK punctuation: three bytes, most of every article. */
	if ((u[0] & 0xF0) == 0xE0 && n - *i >= 3) {
		*i += 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) |
		       ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	c = exi_u8_dec((const char *)u, n - *i, &k);
	*i += k;
	return c;
}

/* Decodes the code point that ends just before s[i] and moves *i back. */
static inline uint32_t
txt_prev(const char *s, size_t *i)
{
	size_t j = *i, k;

	if (j == 0)
		return 0;
	j--;
	while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80)
		j--;
	*i = j;
	return exi_u8_dec(s + j, 4, &k);
}

#endif
