/* decimal.c - exact decimals (struct ext_decimal, extract.h) as text and
 * as double, and whole numbers as digits. */
#include "base.h"
#include "extract.h"

#include <stdint.h>
#include <string.h>

size_t
exi_u64_digits(uint64_t v, char *out)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

char *
ext_decimal_str(struct ext_decimal d, char *buf)
{
	char digits[32];
	uint64_t u = d.mant < 0 ? 0 - (uint64_t)d.mant : (uint64_t)d.mant;
	int scale = d.scale < 0 ? 0 : d.scale > 18 ? 18 : d.scale;
	size_t n, o = 0;

	n = exi_u64_digits(u, digits);
	if (d.mant < 0)
		buf[o++] = '-';
	if ((size_t)scale >= n) {
		/* 0.05: pad with zeros */
		buf[o++] = '0';
		buf[o++] = '.';
		for (size_t z = n; z < (size_t)scale; z++)
			buf[o++] = '0';
		memcpy(buf + o, digits, n);
		o += n;
	} else {
		memcpy(buf + o, digits, n - (size_t)scale);
		o += n - (size_t)scale;
		if (scale) {
			buf[o++] = '.';
			memcpy(buf + o, digits + n - scale, (size_t)scale);
			o += (size_t)scale;
		}
	}
	buf[o] = '\0';
	/* Trailing zeros after the point say nothing: 8442.80 -> 8442.8. */
	if (strchr(buf, '.')) {
		while (o > 0 && buf[o - 1] == '0')
			buf[--o] = '\0';
		if (o > 0 && buf[o - 1] == '.')
			buf[--o] = '\0';
	}
	return buf;
}

double
ext_decimal_double(struct ext_decimal d)
{
	double v = (double)d.mant;
	int s;

	for (s = 0; s < d.scale; s++)
		v /= 10.0;
	return v;
}
