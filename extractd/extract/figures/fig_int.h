/* fig_int.h - what figure.c and num.c share: exact decimal numbers.
 *
 * num.c reads the number at the start of a string: Arabic digits (ASCII
 * or full-width, one decimal point, thousands separators) or Chinese
 * numerals (一千二百, 三万五千, 两, 十三), and the magnitude words (百 千
 * 万 亿) that may follow an Arabic number. Values are exact integers
 * scaled by a power of ten, never binary floating point.
 *
 * Does not: decide whether a number is a figure (figure.c does), know any
 * unit, or look before its start. */
#ifndef FIG_INT_H
#define FIG_INT_H

#include <stddef.h>
#include <stdint.h>

/* Caps that keep page junk out and int64 safe: more integer digits than
 * NUM_MAX_INT is a serial number, not a quantity. */
#define NUM_MAX_INT 13
#define NUM_MAX_FRAC 5
#define NUM_MAX_CHINESE 24 /* code points in one Chinese numeral */

enum {
	NUM_ARABIC = 1,  /* digits */
	NUM_CHINESE = 2, /* Chinese numerals */
	NUM_BIG = 4,     /* the numeral itself holds 万 or 亿 (三万) */
	NUM_ONE = 8,     /* exactly the numeral 一 */
};

struct num {
	int64_t mant; /* value = mant / 10^scale */
	int scale;
	unsigned flags;
	size_t len; /* bytes of the run read, also when it is invalid, so
	               the caller can skip the whole run at once */
};

/* Reads a number at s (len bytes). Returns 0 and fills *n, or -1 when s
 * does not start a number or the run is not a valid number (too long,
 * 十三五, 三三两两); n->len is then the run to skip (0: not a number). */
int num_parse(const char *s, size_t len, struct num *n);

/* Reads magnitude words at s: 百 千 万 亿 and their compounds (千万,
 * 百万, 万亿). Returns the power of ten (2..12) and sets *used, or 0 when
 * there is none. only_big: accept 万/亿 words only. */
int num_magnitude(const char *s, size_t len, int only_big, size_t *used);

/* Multiplies n by 10^exp exactly (exp >= 0); -1 on int64 overflow. */
int num_scale(struct num *n, int exp);

/* Drops trailing zeros of the fraction: 1.50 -> 1.5, 5.0 -> 5. */
void num_norm(struct num *n);

/* Is the code point a digit (ASCII or full-width)? Its value, else -1. */
int num_digit_cp(uint32_t cp);
/* Value of a Chinese numeral code point: 0..9 for digits, 10/100/1000 for
 * 十百千, 10000/100000000 for 万亿; -1 otherwise. */
long num_chinese_cp(uint32_t cp);

#endif
