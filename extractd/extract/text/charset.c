/* charset.c - decodes an article's bytes into UTF-8.
 *
 * Does: strict UTF-8 validation (no overlongs, surrogates or code points
 * above U+10FFFF), GB18030 (which reads GBK and GB2312) and Big5 (with the
 * HKSCS and ETEN extensions) through glibc's iconv, and detection when no
 * usable hint is given: valid UTF-8 first; else whichever of GB18030 and
 * Big5 decodes cleanly, and when both do, the one that yields more
 * frequent characters (txt_common.tsv).
 * Does not: drop NUL or control bytes (clean.c does, after decoding, so
 * error offsets stay those of the raw bytes), or guess other charsets. */
#include "txt_int.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t
txt_utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];

		if (b < 0x80) {
			/* ASCII runs are most of many articles. */
			while (i + 8 <= len) {
				uint64_t w;

				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			while (i < len && s[i] < 0x80)
				i++;
			continue;
		}
		/* Runs of Han and CJK punctuation: three-byte sequences whose
		 * lead byte puts no bound on the second byte (E1-EC, EE, EF).
		 */
		while (len - i >= 3 && s[i] >= 0xE1 && s[i] != 0xED &&
		       s[i] <= 0xEF && (s[i + 1] & 0xC0) == 0x80 &&
		       (s[i + 2] & 0xC0) == 0x80)
			i += 3;
		if (i >= len)
			break;
		b = s[i];
		if (b < 0x80)
			continue;
		if (b >= 0xC2 && b <= 0xDF) {
			if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80)
				return i;
			i += 2;
		} else if (b >= 0xE0 && b <= 0xEF) {
			unsigned char lo = b == 0xE0 ? 0xA0 : 0x80;
			unsigned char hi = b == 0xED ? 0x9F : 0xBF;

			if (i + 2 >= len || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xC0) != 0x80)
				return i;
			i += 3;
		} else if (b >= 0xF0 && b <= 0xF4) {
			unsigned char lo = b == 0xF0 ? 0x90 : 0x80;
			unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;

			if (i + 3 >= len || s[i + 1] < lo || s[i + 1] > hi ||
			    (s[i + 2] & 0xC0) != 0x80 ||
			    (s[i + 3] & 0xC0) != 0x80)
				return i;
			i += 4;
		} else {
			return i;
		}
	}
	return len;
}

/* Decodes all of raw from the iconv charset cs into a malloc'd UTF-8
 * buffer. Returns 0, EXT_EDECODE (*bad = offset of the first byte it
 * cannot read) or EXT_ENOMEM. */
static int
iconv_all(const char *cs, const unsigned char *raw, size_t len, char **out,
          size_t *out_len, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", cs);
	char *in = (char *)raw, *buf, *o;
	size_t left = len, cap, room;
	int rc = 0;

	if (cd == (iconv_t)-1) {
		*bad = 0; /* glibc without the module: reads nothing */
		return errno == ENOMEM ? EXT_ENOMEM : EXT_EDECODE;
	}
	/* Two bytes become at most three, one or four stay as many. */
	cap = len + len / 2 + 16;
	buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return EXT_ENOMEM;
	}
	o = buf;
	room = cap;
	while (left > 0) {
		size_t r = iconv(cd, &in, &left, &o, &room);

		if (r != (size_t)-1)
			break;
		if (errno == E2BIG) {
			size_t used = (size_t)(o - buf);
			char *p = realloc(buf, cap * 2);

			if (!p) {
				rc = EXT_ENOMEM;
				break;
			}
			buf = p;
			o = buf + used;
			room += cap;
			cap *= 2;
			continue;
		}
		/* EILSEQ, or EINVAL: a sequence cut off at the end. */
		*bad = (size_t)((unsigned char *)in - raw);
		rc = EXT_EDECODE;
		break;
	}
	iconv_close(cd);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = (size_t)(o - buf);
	return 0;
}

/* Frequent characters in the decoded text: the detection score. */
static size_t
common_count(const struct txt_tables *tt, const char *s, size_t n)
{
	size_t i = 0, k = 0;

	while (i < n) {
		uint32_t c = txt_next(s, n, &i);

		if (c < 0x10000 && (tt->cpf[c] & TF_COMMON))
			k++;
	}
	return k;
}

enum cs_id { CS_DETECT, CS_UTF8, CS_GB, CS_BIG5 };

static enum cs_id
hint_id(const char *h)
{
	static const struct {
		const char *name;
		enum cs_id id;
	} names[] = {
		{ "utf-8", CS_UTF8 }, { "utf8", CS_UTF8 },
		{ "gb18030", CS_GB }, { "gbk", CS_GB },
		{ "gb2312", CS_GB },  { "cp936", CS_GB },
		{ "x-gbk", CS_GB },   { "euc-cn", CS_GB },
		{ "big5", CS_BIG5 },  { "big5-hkscs", CS_BIG5 },
		{ "cp950", CS_BIG5 }, { "x-x-big5", CS_BIG5 },
	};

	if (!h)
		return CS_DETECT;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcasecmp(h, names[i].name))
			return names[i].id;
	/* Unknown or empty: servers often send a wrong charset (ISO-8859-1
	 * for a UTF-8 page), so the bytes decide. */
	return CS_DETECT;
}

static const char *const cs_iconv[] = { NULL, NULL, "GB18030", "BIG5-HKSCS" };
static const char *const cs_name[] = { NULL, "utf-8", "gb18030", "big5" };

int
txt_decode(const struct txt_tables *tt, const void *raw, size_t len,
           const char *hint, const char **out, size_t *out_len, char **owned,
           const char **charset, size_t *err_offset)
{
	const unsigned char *u = raw;
	enum cs_id want = hint_id(hint);
	char *buf[4] = { NULL, NULL, NULL, NULL };
	size_t blen[4] = { 0, 0, 0, 0 }, bad[4] = { 0, 0, 0, 0 };
	size_t score[4] = { 0, 0, 0, 0 }, valid, worst = 0;
	int rc[4] = { EXT_EDECODE, EXT_EDECODE, EXT_EDECODE, EXT_EDECODE };
	enum cs_id pick = CS_DETECT;
	int k;

	*owned = NULL;
	/* A byte order mark outweighs any hint. */
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		valid = txt_utf8_valid_prefix(u + 3, len - 3);
		if (valid != len - 3) {
			if (err_offset)
				*err_offset = valid + 3;
			return EXT_EDECODE;
		}
		*out = (const char *)u + 3;
		*out_len = len - 3;
		*charset = cs_name[CS_UTF8];
		return 0;
	}
	valid = txt_utf8_valid_prefix(u, len);
	if (valid == len && (want == CS_DETECT || want == CS_UTF8)) {
		*out = (const char *)u;
		*out_len = len;
		*charset = cs_name[CS_UTF8];
		return 0;
	}
	bad[CS_UTF8] = valid;
	/* Valid UTF-8 but for a sequence cut off at the very end: a truncated
	 * UTF-8 article, not a lucky GB18030 one. */
	if (want != CS_GB && want != CS_BIG5 && valid != len &&
	    len - valid < 4 && valid > 0 && u[valid] >= 0xC2 &&
	    u[valid] <= 0xF4 && txt_utf8_valid_prefix(u, valid) == valid) {
		bool cut = true;

		for (size_t i = valid + 1; i < len; i++)
			cut &= (u[i] & 0xC0) == 0x80;
		if (cut) {
			if (err_offset)
				*err_offset = valid;
			return EXT_EDECODE;
		}
	}
	/* A hinted legacy charset is tried first; when it fails, the bytes
	 * decide as if there were no hint. */
	if (want == CS_GB || want == CS_BIG5) {
		rc[want] = iconv_all(cs_iconv[want], u, len, &buf[want],
		                     &blen[want], &bad[want]);
		if (rc[want] == EXT_ENOMEM)
			goto nomem;
		if (rc[want] == 0)
			pick = want;
		else if (valid == len)
			pick = CS_UTF8;
	}
	for (k = CS_GB; pick == CS_DETECT && k <= CS_BIG5; k++) {
		if (k == (int)want)
			continue;
		rc[k] =
		    iconv_all(cs_iconv[k], u, len, &buf[k], &blen[k], &bad[k]);
		if (rc[k] == EXT_ENOMEM)
			goto nomem;
		if (rc[k] == 0)
			score[k] = common_count(tt, buf[k], blen[k]);
	}
	if (pick == CS_DETECT && rc[CS_GB] == 0 && rc[CS_BIG5] == 0)
		pick = score[CS_BIG5] > score[CS_GB] ? CS_BIG5 : CS_GB;
	else if (pick == CS_DETECT && rc[CS_GB] == 0)
		pick = CS_GB;
	else if (pick == CS_DETECT && rc[CS_BIG5] == 0)
		pick = CS_BIG5;
	if (pick == CS_UTF8) {
		free(buf[CS_GB]);
		free(buf[CS_BIG5]);
		*out = (const char *)u;
		*out_len = len;
		*charset = cs_name[CS_UTF8];
		return 0;
	}
	if (pick == CS_DETECT) {
		/* The first byte no accepted charset can read: each charset
		 * reads up to its own failure. */
		for (k = CS_UTF8; k <= CS_BIG5; k++)
			if (bad[k] > worst)
				worst = bad[k];
		if (err_offset)
			*err_offset = worst;
		free(buf[CS_GB]);
		free(buf[CS_BIG5]);
		return EXT_EDECODE;
	}
	/* The decoders pass bytes through as code points, so the result is
	 * valid UTF-8; check anyway, it is cheap and the text stage relies
	 * on it. */
	if (txt_utf8_valid_prefix((unsigned char *)buf[pick], blen[pick]) !=
	    blen[pick]) {
		if (err_offset)
			*err_offset = 0;
		free(buf[CS_GB]);
		free(buf[CS_BIG5]);
		return EXT_EDECODE;
	}
	*owned = buf[pick];
	*out = buf[pick];
	*out_len = blen[pick];
	*charset = cs_name[pick];
	buf[pick] = NULL;
	free(buf[CS_GB]);
	free(buf[CS_BIG5]);
	return 0;
nomem:
	free(buf[CS_GB]);
	free(buf[CS_BIG5]);
	return EXT_ENOMEM;
}
