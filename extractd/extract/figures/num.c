/* num.c - exact numbers: Arabic and Chinese numerals, magnitudes. */
#include "extract_int.h"
#include "fig_int.h"

#include <stdbool.h>

int
num_digit_cp(uint32_t cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0xFF10 && cp <= 0xFF19) /* full-width ０..９ */
		return (int)(cp - 0xFF10);
	return -1;
}

/* The financial forms (壹 贰 ... 陆 伍 拾) are left out: news text does not
 * use them, and as ordinary characters (陆续, 队伍) they would start
 * false numbers. */
long
num_chinese_cp(uint32_t cp)
{
	switch (cp) {
	case 0x3007: /* 〇 */
	case 0x96F6: /* 零 */
		return 0;
	case 0x4E00: /* 一 */
		return 1;
	case 0x4E8C: /* 二 */
	case 0x4E24: /* 两 */
		return 2;
	case 0x4E09: /* 三 */
		return 3;
	case 0x56DB: /* 四 */
		return 4;
	case 0x4E94: /* 五 */
		return 5;
	case 0x516D: /* 六 */
		return 6;
	case 0x4E03: /* 七 */
		return 7;
	case 0x516B: /* 八 */
		return 8;
	case 0x4E5D: /* 九 */
		return 9;
	case 0x5341: /* 十 */
		return 10;
	case 0x767E: /* 百 */
		return 100;
	case 0x5343: /* 千 */
		return 1000;
	case 0x4E07: /* 万 */
		return 10000;
	case 0x4EBF: /* 亿 */
		return 100000000;
	}
	return -1;
}

static uint32_t
dec_at(const char *s, size_t len, size_t i, size_t *n)
{
	return exi_u8_dec(s + i, len - i, n);
}

/* A run of digits, '.', and ',' between digit groups. Separators only
 * count when every group after the first has exactly three digits and the
 * first has one to three: "1,234" is a number, "2019,120个" is two. */
static int
parse_arabic(const char *s, size_t len, struct num *n)
{
	size_t i = 0, k;
	int n_int = 0, n_frac = 0, group = 0, first_group = -1;
	bool frac = false, bad = false;
	int64_t mant = 0;
	uint32_t cp;
	int d;

	while (i < len) {
		cp = dec_at(s, len, i, &k);
		d = num_digit_cp(cp);
		if (d >= 0) {
			if (frac) {
				if (++n_frac > NUM_MAX_FRAC)
					bad = true;
			} else {
				if (++n_int > NUM_MAX_INT)
					bad = true;
				group++;
			}
			if (!bad)
				mant = mant * 10 + d;
			i += k;
			continue;
		}
		if ((cp == '.' || cp == 0xFF0E) && !frac && i + k < len) {
			size_t k2;
			uint32_t nx = dec_at(s, len, i + k, &k2);

			if (num_digit_cp(nx) >= 0) {
				if (first_group >= 0 && group != 3)
					bad = true;
				frac = true;
				i += k;
				continue;
			}
			break;
		}
		if (cp == ',' && !frac && (first_group < 0 || group == 3) &&
		    (first_group >= 0 || group <= 3)) {
			/* exactly three digits, then no digit */
			size_t j = i + 1, m = 0;

			while (j < len && m < 4 && s[j] >= '0' && s[j] <= '9')
				j++, m++;
			if (m == 3) {
				if (first_group < 0)
					first_group = group;
				group = 0;
				i++;
				continue;
			}
		}
		break;
	}
	/* swallow the rest of a long run so it is skipped in one step */
	while (i < len) {
		cp = dec_at(s, len, i, &k);
		if (num_digit_cp(cp) < 0)
			break;
		bad = true;
		i += k;
	}
	n->len = i;
	if (bad || n_int == 0)
		return -1;
	n->mant = mant;
	n->scale = n_frac;
	n->flags = NUM_ARABIC;
	num_norm(n);
	return 0;
}

/* Chinese numerals, strictly: digits and 十百千 in falling order within a
 * section, sections closed by 万/亿, 零 only as a gap. Colloquial and
 * vague runs (一千二, 三五, 十三五) are refused rather than guessed. */
static int
parse_chinese(const char *s, size_t len, struct num *n)
{
	size_t i = 0, k, cps = 0;
	int64_t total = 0, section = 0;
	long digit = -1, last_small = 100000, last_big = 0;
	bool bad = false, zero_gap = false, any = false, big = false;
	long v;

	while (i < len) {
		uint32_t cp = dec_at(s, len, i, &k);

		v = num_chinese_cp(cp);
		if (v < 0)
			break;
		i += k;
		if (++cps > NUM_MAX_CHINESE)
			bad = true;
		if (bad)
			continue;
		if (v == 0) {
			if (digit >= 0 || !any)
				bad = true; /* 二〇一九, or a leading 零 */
			zero_gap = true;
			continue;
		}
		if (v < 10) {
			if (digit >= 0)
				bad = true;
			digit = v;
			any = true;
			continue;
		}
		if (v <= 1000) {
			if (v >= last_small)
				bad = true;
			else if (digit >= 0)
				section += digit * v;
			else if (v == 10 && section == 0 && !zero_gap)
				section += 10; /* 十三: a leading 十 */
			else
				bad = true;
			digit = -1;
			last_small = v;
			zero_gap = false;
			any = true;
			continue;
		}
		/* 万 or 亿 */
		if (digit >= 0)
			section += digit;
		digit = -1;
		if (v == 10000) {
			if (section == 0 || last_big == 10000)
				bad = true;
			else
				total += section * 10000;
		} else {
			/* 亿 after 万 only as 万亿, directly */
			if (section == 0 && !(last_big == 10000 && total > 0))
				bad = true;
			else if (total + section > INT64_MAX / 100000000)
				bad = true;
			else
				total = (total + section) * 100000000;
		}
		section = 0;
		last_big = v;
		last_small = 100000;
		zero_gap = false;
		big = true;
	}
	n->len = i;
	if (!any || bad)
		return -1;
	if (digit >= 0) {
		/* 一千二 (1200, colloquial) and 三万五 are refused: a digit
		 * after a unit other than 十 needs a 零 gap to be units */
		if (last_small < 100000 && last_small > 10 && !zero_gap)
			return -1;
		if (last_small == 100000 && last_big && !zero_gap)
			return -1;
		section += digit;
	}
	n->mant = total + section;
	n->scale = 0;
	n->flags = NUM_CHINESE | (big ? NUM_BIG : 0);
	if (cps == 1 && n->mant == 1)
		n->flags |= NUM_ONE;
	return 0;
}

int
num_parse(const char *s, size_t len, struct num *n)
{
	size_t k;
	uint32_t cp;
	long v;

	n->len = 0;
	if (len == 0)
		return -1;
	cp = exi_u8_dec(s, len, &k);
	if (num_digit_cp(cp) >= 0)
		return parse_arabic(s, len, n);
	v = num_chinese_cp(cp);
	if (v < 0)
		return -1;
	if (v >= 100) {
		/* 百万, 千方百计, 万人: a run that starts with a magnitude is
		 * hyperbole or a word, not a count */
		parse_chinese(s, len, n);
		return -1;
	}
	return parse_chinese(s, len, n);
}

int
num_magnitude(const char *s, size_t len, int only_big, size_t *used)
{
	size_t i = 0, k;
	int exp = 0, small = 0, bigs = 0;

	while (i < len) {
		uint32_t cp = exi_u8_dec(s + i, len - i, &k);
		long v = num_chinese_cp(cp);

		if (v == 100 || v == 1000) {
			if (small || bigs || only_big)
				break;
			small = v == 100 ? 2 : 3;
		} else if (v == 10000) {
			if (bigs)
				break; /* 万万 */
			bigs = 4;
		} else if (v == 100000000) {
			if (bigs == 8)
				break;
			bigs += 8; /* 亿, or 万亿 */
		} else {
			break;
		}
		i += k;
	}
	exp = small + bigs;
	if (exp == 0)
		return 0;
	*used = i;
	return exp;
}

int
num_scale(struct num *n, int exp)
{
	while (exp > 0 && n->scale > 0) {
		n->scale--;
		exp--;
	}
	while (exp-- > 0) {
		if (n->mant > INT64_MAX / 10 || n->mant < INT64_MIN / 10)
			return -1;
		n->mant *= 10;
	}
	return 0;
}

void
num_norm(struct num *n)
{
	while (n->scale > 0 && n->mant % 10 == 0) {
		n->mant /= 10;
		n->scale--;
	}
}
