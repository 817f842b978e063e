/* t2s.c - Traditional to Simplified: the probe of the converter (OpenCC
 * behind ext_convert_fn) when it is set, and the character table that
 * converts the clauses it need not see. */
#include "txt_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- the t2s probe --------------------------------------------------------
 * OpenCC costs about a millisecond per 8 KB, and most of a Simplified
 * article has nothing it would change. So the converter is asked once, when
 * it is set, about every code point that could be Han (each alone on a
 * line): those it changes get TF_T2S, and what each becomes is kept.
 *
 * OpenCC's t2s is a phrase dictionary over a character dictionary: the
 * text is cut into the longest phrases of the first, the rest goes
 * character by character through the second. So a clause that holds no
 * phrase converting otherwise than its characters would comes out of
 * OpenCC as the concatenation of its characters' conversions, which is
 * what the table above gives without calling it. t2s_phrases.tsv lists
 * the dictionary's phrases; the probe converts them too and keeps those
 * that convert differently (瞭解 -> 了解 where 瞭 alone stays, 乾燥 ->
 * 干燥). Clauses holding one of those go to the converter, the rest are
 * converted here; with no phrase list every clause holding a TF_T2S code
 * point goes to the converter. */

static void
set_t2s_bit(struct txt_tables *t, uint32_t c)
{
	if (c < 0x10000)
		t->cpf[c] |= TF_T2S;
	else if (c >= 0x20000 && c < 0x40000)
		t->t2s_hi[(c - 0x20000) >> 3] |= (uint8_t)(1 << (c & 7));
}

/* What the probe learns of one changed code point: its conversion alone,
 * at off in the pool. */
struct probe_ent {
	uint32_t c, off, len;
};

struct probe {
	struct sbuf in, pool;
	struct vec ents;
	bool lost; /* a range came back garbled: no character table */
};

static bool
probe_range(struct txt_tables *t, ext_convert_fn fn, void *ctx, uint32_t lo,
            uint32_t hi, struct probe *pr)
{
	struct sbuf *in = &pr->in;
	const char *p, *end;
	char *out;
	uint32_t c;

	in->n = 0;
	for (c = lo; c < hi; c++) {
		char e[5];
		size_t k = exi_u8_enc(c, e);

		e[k++] = '\n';
		if (exi_sb_put(in, e, k) != 0)
			return false;
	}
	out = fn(ctx, in->p, in->n);
	if (!out)
		return false;
	p = out;
	end = out + strlen(out);
	for (c = lo; c < hi && p < end; c++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char e[4];
		size_t k = exi_u8_enc(c, e), m;
		struct probe_ent *pe;

		if (!nl)
			break;
		m = (size_t)(nl - p);
		if (m != k || memcmp(p, e, k) != 0) {
			set_t2s_bit(t, c);
			if (m == 0 || m > 255 ||
			    txt_utf8_valid_prefix((const unsigned char *)p,
			                          m) != m ||
			    !(pe = exi_vec_push(&pr->ents))) {
				pr->lost = true;
			} else {
				pe->c = c;
				pe->off = (uint32_t)pr->pool.n;
				pe->len = (uint32_t)m;
				if (exi_sb_put(&pr->pool, p, m) != 0)
					pr->lost = true;
			}
		}
		p = nl + 1;
	}
	/* Lines lost or added: no line matches its code point any more, so
	 * the whole range counts as changed (converting too much is only
	 * slower), and only the converter knows what into. */
	if (c < hi || p != end) {
		for (c = lo; c < hi; c++)
			set_t2s_bit(t, c);
		pr->lost = true;
	}
	free(out);
	return true;
}

static inline size_t
t2s_slot(uint32_t c, size_t mask)
{
	return (size_t)((c * 2654435761u) >> 7) & mask;
}

/* The probed converter's output for code point c alone, when it changes
 * c: *s (not NUL-terminated) and *n. */
static bool
t2s_char(const struct txt_tables *t, uint32_t c, const char **s, size_t *n)
{
	size_t i;

	if (!t->t2s_map)
		return false;
	for (i = t2s_slot(c, t->t2s_mask); t->t2s_map[i][0];
	     i = (i + 1) & t->t2s_mask)
		if (t->t2s_map[i][0] == c) {
			*s = t->t2s_pool + (t->t2s_map[i][1] >> 8);
			*n = t->t2s_map[i][1] & 0xFF;
			return true;
		}
	return false;
}

int
txt_t2s_chars(const struct txt_tables *t, const char *s, size_t n,
              struct sbuf *out, bool *changed)
{
	size_t i = 0, run = 0; /* s[run, i) is copied as it is */

	if (exi_sb_reserve(out, n) != 0)
		return EXT_ENOMEM;
	while (i < n) {
		size_t st = i, k;
		uint32_t c = txt_next(s, n, &i);
		const char *r;

		/* the table holds only code points with TF_T2S (the
		 * probe sets it for each): the others, most of a text, skip
		 * its hash probes */
		if (c >= 0x2E80 && (c >= 0x10000 || (t->cpf[c] & TF_T2S)) &&
		    t2s_char(t, c, &r, &k)) {
			if (exi_sb_put(out, s + run, st - run) != 0 ||
			    exi_sb_put(out, r, k) != 0)
				return EXT_ENOMEM;
			run = i;
			*changed = true;
		}
	}
	return exi_sb_put(out, s + run, n - run);
}

/* The character table from the probe's findings. */
static int
build_t2s_map(struct txt_tables *t, struct probe *pr)
{
	const struct probe_ent *pe = pr->ents.p;
	size_t size = 64, i;

	while (size < 2 * pr->ents.n)
		size *= 2;
	t->t2s_map = calloc(size, sizeof(*t->t2s_map));
	if (!t->t2s_map)
		return EXT_ENOMEM;
	t->t2s_mask = size - 1;
	for (i = 0; i < pr->ents.n; i++) {
		size_t j = t2s_slot(pe[i].c, t->t2s_mask);

		while (t->t2s_map[j][0])
			j = (j + 1) & t->t2s_mask;
		t->t2s_map[j][0] = pe[i].c;
		t->t2s_map[j][1] = pe[i].off << 8 | pe[i].len;
	}
	t->t2s_pool = pr->pool.p;
	pr->pool.p = NULL;
	pr->pool.n = pr->pool.cap = 0;
	return 0;
}

/* A phrase the character table would get wrong: its first code point goes
 * into phr_first, and unless one of its code points has TF_T2S already,
 * one gets it (a rare one, not TF_COMMON, where there is one), so that the
 * clause scan, which looks only at clauses holding a TF_T2S code point,
 * sees every clause that holds the phrase. The table has no entry for that
 * code point, so character by character it stays as it is. */
static bool
is_common(const struct txt_tables *t, uint32_t c)
{
	return c < 0x10000 && (t->cpf[c] & TF_COMMON);
}

static void
mark_phrase(struct txt_tables *t, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t c, pick = 0;

	while (i < n) {
		bool first = i == 0;

		c = txt_next(s, n, &i);
		if (first) {
			if (c < 0x10000)
				t->phr_first[c >> 6] |= 1ull << (c & 63);
			else
				t->phr_first_hi = true;
		}
		/* Phrases are Han (load_phrases()): BMP or 0x20000-0x3FFFF. */
		if (c < 0x10000
		        ? (t->cpf[c] & TF_T2S)
		        : (t->t2s_hi[(c - 0x20000) >> 3] >> (c & 7) & 1))
			return;
		if (!pick || (is_common(t, pick) && !is_common(t, c)))
			pick = c;
	}
	if (pick)
		set_t2s_bit(t, pick);
}

/* The phrases of t2s_phrases.tsv that the converter makes into something
 * else than their characters would be one by one: all in one call, one a
 * line; they go into t2s_phr. Returns false when the converter's answer
 * does not line up (then the character-wise path stays off). */
static bool
probe_phrases(struct txt_tables *t, ext_convert_fn fn, void *ctx,
              struct sbuf *in)
{
	const char **dp = NULL;
	size_t *dl = NULL, nd = 0, i, k;
	struct sbuf cw = { 0 };
	char *out, *p, *end;
	bool ok = false, changed;

	in->n = 0;
	for (i = 0; i < t->n_phr; i++)
		if (exi_sb_put(in, t->phr[i], t->phr_len[i]) != 0 ||
		    exi_sb_put(in, "\n", 1) != 0)
			return false;
	if (!(out = fn(ctx, in->p ? in->p : "", in->n)))
		return false;
	dp = malloc((t->n_phr + 1) * sizeof(*dp));
	dl = malloc((t->n_phr + 1) * sizeof(*dl));
	if (!dp || !dl)
		goto done;
	p = out;
	end = out + strlen(out);
	for (i = 0; i < t->n_phr; i++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			goto done;
		k = (size_t)(nl - p);
		cw.n = 0;
		changed = false;
		if (txt_t2s_chars(t, t->phr[i], t->phr_len[i], &cw, &changed) !=
		    0)
			goto done;
		if (cw.n != k || memcmp(cw.p, p, k) != 0) {
			mark_phrase(t, t->phr[i], t->phr_len[i]);
			dp[nd] = t->phr[i];
			dl[nd++] = t->phr_len[i];
		}
		p = nl + 1;
	}
	if (p != end || exi_ps_build(&t->t2s_phr, dp, dl, nd) != 0)
		goto done;
	t->n_t2s_phr = nd;
	ok = true;
done:
	free(dp);
	free(dl);
	exi_sb_free(&cw);
	free(out);
	return ok;
}

void
txt_tables_set_t2s(struct txt_tables **tp, ext_convert_fn fn, void *ctx)
{
	/* The Basic Multilingual Plane only: Han extensions B to H (0x20000
	 * to TXT_T2S_HI_END) are three quarters of the code points and
	 * nearly never met in text, so they are not probed; every clause
	 * holding one goes to the converter (clause_has_phrase() in clean.c).
	 */
	static const uint32_t ranges[][2] = {
		{ 0x2E80, 0xA000 }, /* radicals, CJK symbols, kana, Han */
		{ 0xF900, 0xFB00 }, /* compatibility ideographs */
		{ 0xFE30, 0xFE50 }, /* compatibility forms */
	};
	struct txt_tables *t;
	struct probe pr;
	size_t r;
	uint32_t c;
	bool ok = true;

	if (txt_tables_get(tp) != 0)
		return; /* txt_normalise() then converts every Han clause */
	t = *tp;
	for (c = 0; c < 0x10000; c++)
		t->cpf[c] &= (uint8_t)~TF_T2S;
	memset(t->t2s_hi, 0, sizeof(t->t2s_hi));
	free(t->t2s_map);
	free(t->t2s_pool);
	exi_ps_free(&t->t2s_phr);
	memset(t->phr_first, 0, sizeof(t->phr_first));
	t->phr_first_hi = false;
	t->t2s_map = NULL;
	t->t2s_pool = NULL;
	t->n_t2s_phr = 0;
	t->charwise = false;
	t->probed_fn = fn;
	t->probed_ctx = ctx;
	t->probe_ok = false;
	if (!fn)
		return;
	memset(&pr, 0, sizeof(pr));
	pr.ents.elt = sizeof(struct probe_ent);
	for (r = 0; ok && r < sizeof(ranges) / sizeof(*ranges); r++)
		for (c = ranges[r][0]; ok && c < ranges[r][1]; c += 4096) {
			uint32_t hi = c + 4096;

			if (hi > ranges[r][1])
				hi = ranges[r][1];
			ok = probe_range(t, fn, ctx, c, hi, &pr);
		}
	/* TF_T2S on the unprobed extensions: clauses holding one reach the
	 * converter. */
	for (c = 0x20000; c < TXT_T2S_HI_END; c++)
		set_t2s_bit(t, c);
	t->probe_ok = ok;
	/* The character-wise path needs the phrase list, every changed code
	 * point's conversion and the phrases' conversions. */
	if (ok && t->have_phrases && !pr.lost && pr.ents.n < (1u << 24) &&
	    pr.pool.n < (1u << 24) && build_t2s_map(t, &pr) == 0)
		t->charwise = probe_phrases(t, fn, ctx, &pr.in);
	exi_sb_free(&pr.in);
	exi_sb_free(&pr.pool);
	exi_vec_free(&pr.ents);
}

long
txt_tables_t2s_phrases(const struct txt_tables *t)
{
	return t && t->charwise ? (long)t->n_t2s_phr : -1;
}
