/* sentence.c - splits the normalised text into sentences.
 *
 * Does: splits at 。！？!?；; (and any run of them, with the closing
 * quotes and brackets that follow) and at line ends; a terminator inside
 * quotes or brackets opened less than SENT_WINDOW bytes before does not
 * split, so “……。”他说 stays whole while an unclosed bracket cannot
 * swallow the rest of the article. One pass, no look-ahead: linear.
 * Does not: split at commas, however long the sentence. */
#include "txt_int.h"

#define SENT_WINDOW 600 /* bytes: about 200 Han characters */

static bool
is_term(uint32_t c)
{
	return c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == '!' ||
	       c == '?' || c == ';' || c == 0xFF1B || c == 0xFF61;
}

static bool
is_open(uint32_t c)
{
	return c == '(' || c == '[' || c == 0x201C || c == 0x2018 ||
	       c == 0x3010 || c == 0x300A || c == 0x300C || c == 0x300E ||
	       c == 0x3014 || c == 0x3008 || c == 0xFF08;
}

static bool
is_close(uint32_t c)
{
	return c == ')' || c == ']' || c == 0x201D || c == 0x2019 ||
	       c == 0x3011 || c == 0x300B || c == 0x300D || c == 0x300F ||
	       c == 0x3015 || c == 0x3009 || c == 0xFF09;
}

/* ASCII that none of the tests above cares about (not '\n', not a
 * terminator, bracket or space): a bit per byte value below 0x80. */
static bool
ascii_plain(unsigned char b)
{
	static const uint64_t special[2] = {
		(1ull << '\n') | (1ull << ' ') | (1ull << '!') | (1ull << '(') |
		    (1ull << ')') | (1ull << ';') | (1ull << '?'),
		(1ull << ('[' - 64)) | (1ull << (']' - 64)),
	};

	return !(special[b >> 6] >> (b & 63) & 1);
}

static int
emit(struct vec *v, const char *s, size_t b, size_t e)
{
	struct sent *x;

	while (b < e && (s[b] == ' ' || s[b] == '\t'))
		b++;
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	if (e <= b)
		return 0;
	if (!(x = exi_vec_push(v)))
		return EXT_ENOMEM;
	x->b0 = b;
	x->b1 = e;
	return 0;
}

int
txt_sentences(const char *text, size_t len, struct arena *ar, struct sent **out,
              size_t *n)
{
	struct vec v = VEC_INIT(struct sent);
	size_t i = 0, start = 0, open_at = 0;
	size_t depth = 0;
	bool last_term = false; /* the last code point but spaces ends one */
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned char b = (unsigned char)text[i];
		size_t at = i;
		uint32_t c;

		/* Most code points are Han (lead bytes E4-E9: U+4000-9FFF)
		 * or plain ASCII, which only stop the last one being a
		 * terminator. */
		if (b >= 0xE4 && b <= 0xE9 && len - i >= 3) {
			last_term = false;
			i += 3;
			continue;
		}
		if (b < 0x80 && ascii_plain(b)) {
			last_term = false;
			i++;
			continue;
		}
		c = txt_next(text, len, &i);

		if (c == '\n') {
			rc = emit(&v, text, start, at);
			start = i;
			depth = 0;
		} else if (is_open(c)) {
			if (depth++ == 0)
				open_at = at;
		} else if (is_close(c)) {
			/* “……。” closes a quoted sentence: split after it. */
			if (depth && --depth == 0 && last_term) {
				rc = emit(&v, text, start, i);
				start = i;
			}
		} else if (is_term(c) &&
		           (depth == 0 || at - open_at > SENT_WINDOW)) {
			depth = 0;
			while (i < len) {
				size_t j = i;
				uint32_t d = txt_next(text, len, &j);

				if (!is_term(d) && !is_close(d))
					break;
				i = j;
			}
			rc = emit(&v, text, start, i);
			start = i;
		}
		if (c != ' ')
			last_term = is_term(c);
	}
	if (rc == 0)
		rc = emit(&v, text, start, len);
	if (rc != 0) {
		exi_vec_free(&v);
		return rc;
	}
	*n = v.n;
	*out = exi_vec_to_arena(&v, ar);
	return *n && !*out ? EXT_ENOMEM : 0;
}
