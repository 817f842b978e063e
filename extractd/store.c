/* store.c - writes articles and their extraction results to PostgreSQL.
 *
 * Round trips. store_put() sends nothing but the batch's BEGIN (its first
 * article): it keeps a copy of the article's articles row (the upsert's
 * parameters) and of its pairing_rows, figure_sets and flow_rows lines
 * (COPY text, without the article id, which is known only at COMMIT).
 * store_commit() then writes the batch in one savepoint (b): one pipeline
 * asks which of its articles are stored already and reserves ids for the
 * others from the identity's sequence; the new ones go in by COPY, one
 * statement per table (articles first, then the child tables in the order
 * of their foreign keys); RELEASE and COMMIT share the last pipeline. So
 * a batch of new articles costs seven round trips and one subtransaction,
 * whatever its size (docs/SCHEMA.md "Writing" has the measurements).
 *
 * The upsert way, article by article, each in its own savepoint (a): an
 * article stored already (a duplicate, or an older version whose rows
 * are replaced), a second copy in the same batch, one whose rows the
 * server would refuse for a reason visible here (rows_risky()), and every
 * article of the batch when a COPY fails with a data error (back to
 * savepoint b first): a data error of one article then rejects that
 * article only (recorded in ingest_errors, store_commit_revised()). Every
 * statement but COPY is prepared, even BEGIN and SAVEPOINT; no temporary
 * tables (the writer role cannot create any), no SQL text built from
 * data.
 *
 * Races. Two workers with the same new article both COPY it: the second
 * waits on the first one's index entry until it commits, then fails with
 * a unique violation, goes back to savepoint b and takes the upsert way,
 * which finds the article stored. The upsert is INSERT ... ON CONFLICT
 * (sha256) DO UPDATE ... WHERE <ours is newer>: it waits the same way and
 * locks the row even when WHERE is false. New articles are COPYed in
 * sha256 order, so two batches lock the same ones in the same order.
 *
 * Pipelines hold a few statements whose results are a few bytes, so
 * blocking mode cannot deadlock on full socket buffers (the server never
 * waits for us to read while we write), however large the parameters;
 * the server reads COPY data as it goes and only answers at its end. */
#include "store.h"
#include "store_int.h"

#include "err.h"
#include "extract/extract.h"
#include "log.h"

#include <libpq-fe.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sentences longer than this (code points) are stored as a window of
 * WINDOW_CP on each side of the figure or pairing: one 40,000-clause
 * sentence must not be copied once per figure it holds. */
#define SENT_MAX_CP 1000
#define WINDOW_CP 200
/* Raw bytes kept in ingest_errors up to this size. */
#define ERR_RAW_MAX (4u << 20)
#define ERR_RAW_MAX_SQL "4194304"
#define MAX_PARAMS 10 /* article and error text parameters */
/* A batch's buffers larger than this are freed after it (sb_trim()). */
#define BUF_KEEP (4u << 20)
/* Columns of articles (article_cols: id, then the parameters of
 * upsert_article), pairing_rows, figure_sets and flow_rows. */
#define A_COLS 19
#define N_ART (A_COLS - 1)
#define P_COLS 13
#define F_COLS 17
#define FL_COLS 12
#define N_CHILD 3
/* Text longer than this in a column that was indexed before migration
 * 007 (pairings.helper, figures.unit + category), or that an operator may
 * index again, might not fit a btree entry (54000): such an article goes
 * the way whose errors name it (the upsert, in its own savepoint). */
#define INDEXED_MAX 2000

/* An article store_put() took, written by store_commit(). Its
 * upsert_article parameters are in store.art (off[k], len[k] bytes;
 * SIZE_MAX: NULL), its child rows are COPY text lines in store.rows[t]
 * from r0[t] to r1[t], each line without its article_id (it starts with
 * the tab after it): the id is known only at COMMIT. */
struct pend {
	size_t off[N_ART];
	size_t len[N_ART];
	size_t r0[N_CHILD], r1[N_CHILD];
	int64_t received_us;
	bool risky; /* the server may refuse its rows: the upsert way */
	bool slow;  /* at COMMIT: written by the upsert, not by COPY */
	int64_t id; /* at COMMIT, when COPYed */
};

/* An article store_put() said was stored and the COMMIT found otherwise:
 * a duplicate after all, or rejected. */
struct revised {
	char sha256[65];
	enum store_status status;
	char reason[512]; /* as check_pipe() wrote it */
};

struct store {
	PGconn *conn;
	int version;
	char *data_hash;
	bool in_tx;
	bool broken;    /* an error left the transaction unusable */
	bool timed_out; /* the last transient failure was statement_timeout */
	store_cancel_fn cancel_fn; /* asked while a statement runs */
	void *cancel_ctx;
	bool cancelled;            /* a statement was cancelled: no timeout */
	const char *release;       /* a RELEASE the next pipeline sends first */
	size_t pending;            /* articles in the open batch */
	char rx_after[65];         /* re-extraction keyset, committed */
	char rx_pending[65];       /* ... advanced in the open batch */
	struct sb buf[MAX_PARAMS]; /* parameter buffers, reused */
	struct sb art;             /* parameters of the pending articles */
	struct sb rows[N_CHILD];   /* their child rows, COPY text */
	struct sb data;            /* one COPY's data */
	struct sb col[F_COLS];     /* figure_sets columns of one article */
	char *copy_sql[1 + N_CHILD]; /* COPY articles, then child_tables */
	struct pend *pend;
	size_t n_pend, cap_pend;
	int64_t *ids; /* article ids reserved (nextval) and not used yet */
	size_t n_ids, cap_ids;
	struct revised *rev; /* of the last store_commit() */
	size_t n_rev, cap_rev;
};

/* One statement of a pipeline: prepared (name) or with its SQL. */
struct stmt {
	const char *name;
	const char *sql;
	int n;
	const char *const *vals;
	const int *lens;
	const int *fmts;
	bool article; /* a data error here is the article's fault */
};

/* A column of a table store.c writes: its name and SQL type. */
struct col {
	const char *name;
	const char *type;
};

/* The columns of articles that store.c writes, in the order of
 * upsert_article's parameters ($1 is sha256), after the id that only COPY
 * gives (the upsert gets it from the identity). stored_at and
 * extracted_at are the COMMIT's transaction time (now()). */
static const struct col article_cols[A_COLS] = {
	{ "id", "bigint" },
	{ "sha256", "text" },
	{ "raw", "bytea" },
	{ "text", "text" },
	{ "title", "text" },
	{ "source", "text" },
	{ "published", "date" },
	{ "reporters", "text[]" },
	{ "editors", "text[]" },
	{ "charset", "text" },
	{ "charset_hint", "text" },
	{ "converted", "boolean" },
	{ "uri", "text" },
	{ "feed", "text" },
	{ "content_type", "text" },
	{ "main_region", "text" },
	{ "extractor_version", "integer" },
	{ "data_hash", "text" },
	{ "received_at", "timestamptz" },
};
/* Indexes of some of those parameters (article_cols less the id). */
enum {
	A_SHA,
	A_RAW,
	A_TEXT,
	A_CHARSET_HINT = 9,
	A_URI = 11,
	A_FEED,
	A_CONTENT_TYPE
};

/* The child tables' columns, written once: the COPY statements are built
 * from these lists (copy_sql()), and add_pairings(), add_figures() and
 * add_flows() write their rows in this order, the article (articles.id)
 * first and its ord second. figure_sets keeps an article's figures in one
 * row of arrays, one element per figure in ord order, without the ord
 * (the position is the ord). The sentence of a figure or pairing is not
 * stored: the views cut it out of articles.text from sentence_start and
 * sentence_end (migration 007); figure_sets.text and pairing_rows.evidence
 * are NULL unless the extractor's differ from what the offsets give. */
static const struct col pairing_cols[P_COLS] = {
	{ "article_id", "bigint" },    { "ord", "integer" },
	{ "start_offset", "integer" }, { "end_offset", "integer" },
	{ "sentence_ord", "integer" }, { "sentence_start", "integer" },
	{ "sentence_end", "integer" }, { "helper", "text" },
	{ "helper_code", "text" },     { "recipient", "text" },
	{ "recipient_code", "text" },  { "relation", "text" },
	{ "evidence", "text" },
};
static const struct col figure_cols[F_COLS] = {
	{ "article_id", "bigint" },
	{ "ord", "integer" },
	{ "start_offset", "integer" },
	{ "end_offset", "integer" },
	{ "sentence_ord", "integer" },
	{ "sentence_start", "integer" },
	{ "sentence_end", "integer" },
	{ "year", "integer" },
	{ "pairing_ord", "integer" },
	{ "approx", "boolean" },
	{ "value", "numeric" },
	{ "unit", "text" },
	{ "metric", "text" },
	{ "category", "text" },
	{ "region_codes", "text" }, /* an array literal per figure */
	{ "text", "text" },
	{ "sentence", "text" },
};
static const struct col flow_cols[FL_COLS] = {
	{ "article_id", "bigint" },  { "ord", "integer" },
	{ "figure_ord", "integer" }, { "year", "integer" },
	{ "part_of", "integer" },    { "value", "numeric" },
	{ "helper", "text" },        { "helper_code", "text" },
	{ "recipient", "text" },     { "recipient_code", "text" },
	{ "category", "text" },      { "rule", "text" },
};

/* In the order of their foreign keys: figures point at pairings, flows at
 * figures and at flows of the same statement (checked at its end). */
static const struct child_table {
	const char *table;
	const struct col *cols;
	int n;
	bool per_article; /* one row of arrays per article, no ord */
} child_tables[N_CHILD] = {
	{ "pairing_rows", pairing_cols, P_COLS, false },
	{ "figure_sets", figure_cols, F_COLS, true },
	{ "flow_rows", flow_cols, FL_COLS, false },
};

/* One error row per article and stage: a repeat keeps what it knew and
 * counts the attempt (shared by put_error and the batch's reject path). */
#define ERR_UPSERT_SQL                                                         \
	" ON CONFLICT (sha256, stage) DO UPDATE SET reason = EXCLUDED.reason," \
	" raw = coalesce(EXCLUDED.raw, ingest_errors.raw),"                    \
	" raw_size = EXCLUDED.raw_size,"                                       \
	" uri = coalesce(EXCLUDED.uri, ingest_errors.uri),"                    \
	" feed = coalesce(EXCLUDED.feed, ingest_errors.feed),"                 \
	" content_type = coalesce(EXCLUDED.content_type,"                      \
	" ingest_errors.content_type),"                                        \
	" charset_hint = coalesce(EXCLUDED.charset_hint,"                      \
	" ingest_errors.charset_hint),"                                        \
	" extractor_version = EXCLUDED.extractor_version,"                     \
	" data_hash = EXCLUDED.data_hash,"                                     \
	" received_at = coalesce(ingest_errors.received_at,"                   \
	" EXCLUDED.received_at),"                                              \
	" at = now(), attempts = ingest_errors.attempts + 1"

static const struct {
	const char *name;
	const char *sql;
} prepared[] = {
	{ "upsert_article",
	  "INSERT INTO articles (sha256, raw, text, title, source, published,"
	  " reporters, editors, charset, charset_hint, converted, uri, feed,"
	  " content_type, main_region, extractor_version, data_hash,"
	  " received_at, stored_at, extracted_at)"
	  " VALUES ($1, $2, $3, $4, $5, $6::date, $7::text[], $8::text[], $9,"
	  " $10, $11::boolean, $12, $13, $14, $15, $16::integer, $17,"
	  " $18::timestamptz, now(), now())"
	  " ON CONFLICT (sha256) DO UPDATE SET text = EXCLUDED.text,"
	  " title = EXCLUDED.title, source = EXCLUDED.source,"
	  " published = EXCLUDED.published, reporters = EXCLUDED.reporters,"
	  " editors = EXCLUDED.editors, charset = EXCLUDED.charset,"
	  " charset_hint = coalesce(EXCLUDED.charset_hint,"
	  " articles.charset_hint),"
	  " converted = EXCLUDED.converted,"
	  " uri = coalesce(articles.uri, EXCLUDED.uri),"
	  " feed = coalesce(articles.feed, EXCLUDED.feed),"
	  " content_type = coalesce(articles.content_type,"
	  " EXCLUDED.content_type),"
	  " main_region = EXCLUDED.main_region,"
	  " extractor_version = EXCLUDED.extractor_version,"
	  " data_hash = EXCLUDED.data_hash,"
	  " received_at = coalesce(articles.received_at, EXCLUDED.received_at),"
	  " extracted_at = now()"
	  " WHERE articles.extractor_version < EXCLUDED.extractor_version"
	  " OR (articles.extractor_version = EXCLUDED.extractor_version"
	  " AND articles.data_hash <> EXCLUDED.data_hash)"
	  /* A new row has no xmax; an updated one carries the lock that
	   * ON CONFLICT took on it. */
	  " RETURNING id, xmax = 0" },
	{ "delete_flows", "DELETE FROM flow_rows WHERE article_id = $1" },
	{ "delete_figures", "DELETE FROM figure_sets WHERE article_id = $1" },
	{ "delete_pairings", "DELETE FROM pairing_rows WHERE article_id = $1" },
	/* Which of a batch's articles are stored already (those go the
	 * upsert way; the others are COPYed): one probe of the primary key
	 * per element, which a subquery per element keeps whatever the
	 * statistics say. */
	{ "lookup",
	  "SELECT u.s FROM unnest($1::text[]) AS u (s)"
	  " WHERE (SELECT true FROM articles a WHERE a.sha256 = u.s)" },
	/* Ids for the articles to COPY: the identity's sequence, so the
	 * upsert and COPY never give one id twice. */
	{ "reserve_ids",
	  "SELECT nextval((SELECT pg_get_serial_sequence('articles', 'id'))"
	  "::regclass) FROM generate_series(1, $1::integer)" },
	/* Transaction control, prepared like the rest: no parse per use. */
	{ "begin", "BEGIN" },
	{ "commit", "COMMIT" },
	{ "savepoint_a", "SAVEPOINT a" },
	{ "release_a", "RELEASE SAVEPOINT a" },
	{ "savepoint_b", "SAVEPOINT b" },
	{ "release_b", "RELEASE SAVEPOINT b" },
	{ "put_error",
	  "INSERT INTO ingest_errors (sha256, stage, reason, raw, raw_size, "
	  "uri,"
	  " feed, content_type, charset_hint, extractor_version, data_hash,"
	  " received_at)"
	  " VALUES ($1, $2, $3, $4, $5::bigint, $6, $7, $8, $9, $10::integer,"
	  " $11, $12::timestamptz)" ERR_UPSERT_SQL },
	{ "reextract_select",
	  "SELECT sha256, raw, uri, feed, content_type, charset_hint,"
	  " (extract(epoch FROM received_at) * 1000000)::bigint"
	  " FROM articles"
	  " WHERE (extractor_version < $1::integer"
	  " OR (extractor_version = $1::integer AND data_hash <> $2))"
	  " AND sha256 > $3 ORDER BY sha256 LIMIT $4::bigint"
	  " FOR UPDATE SKIP LOCKED" },
};

/* -- small buffers ------------------------------------------------------ */

void
store_sb_reserve(struct sb *b, size_t n)
{
	size_t cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = realloc(b->p, cap);
	if (b->p == NULL)
		abort(); /* daemons abort on OOM (STYLE.md 4) */
	b->cap = cap;
}

void
store_sb_putn(struct sb *b, const char *s, size_t n)
{
	store_sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
	store_sb_putn(b, s, strlen(s));
}

static void sb_printf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		store_sb_putn(b, tmp,
		              (size_t)n < sizeof(tmp) ? (size_t)n
		                                      : sizeof(tmp) - 1);
}

static void
sb_clear(struct sb *b)
{
	b->len = 0;
	store_sb_reserve(b, 0);
	b->p[0] = '\0';
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid.
 * Rejects what PostgreSQL rejects: overlongs, surrogates, > U+10FFFF, NUL. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;
		if (c == 0xED && s[1] >= 0xA0)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

bool
store_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80 && p[i] != 0) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* How sb_put_text() escapes: not at all, as an array literal's quoted
 * element, as a field of COPY's text format, or as an array element inside
 * such a field (array escapes, then COPY's). */
enum { ESC_NONE, ESC_ARRAY, ESC_COPY, ESC_ARRAY_COPY };

/* The escape of ASCII byte c in mode esc, NULL when c stands as is. */
static const char *
esc_of(unsigned char c, int esc)
{
	if (esc == ESC_NONE)
		return NULL;
	if (esc != ESC_ARRAY) {
		if (c == '\t')
			return "\\t";
		if (c == '\n')
			return "\\n";
		if (c == '\r')
			return "\\r";
	}
	if (c == '\\')
		return esc == ESC_ARRAY_COPY ? "\\\\\\\\" : "\\\\";
	if (c == '"' && esc != ESC_COPY)
		return esc == ESC_ARRAY ? "\\\"" : "\\\\\"";
	return NULL;
}

/* Appends n bytes of s as valid UTF-8 (a bad byte becomes U+FFFD, NUL is
 * dropped), escaped as esc says. NUL bytes and broken sequences never
 * reach a text column, whatever the extractor or ingestd hand us. */
static void
sb_put_text(struct sb *b, const char *s, size_t n, int esc)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	const char *e;

	store_sb_reserve(b, n + 2);
	while (i < n) {
		if (p[i] >= 0x80 || p[i] == 0) {
			k = utf8_seq(p + i, n - i);
			if (k == 0) {
				store_sb_putn(b, s + run, i - run);
				if (p[i] != 0)
					sb_puts(b, "\xEF\xBF\xBD");
				run = ++i;
				continue;
			}
			i += k;
			continue;
		}
		if (p[i] < 0x5D && (e = esc_of(p[i], esc)) != NULL) {
			store_sb_putn(b, s + run, i - run);
			sb_puts(b, e);
			run = i + 1;
		}
		i++;
	}
	store_sb_putn(b, s + run, i - run);
}

/* Array literal helpers: "{", then elements, then "}". */
static void
arr_sep(struct sb *b)
{
	if (b->len > 1)
		store_sb_putn(b, ",", 1);
}

/* A quoted element; esc is ESC_ARRAY or ESC_ARRAY_COPY. */
static void
arr_str(struct sb *b, const char *s, int esc)
{
	arr_sep(b);
	if (s == NULL) {
		sb_puts(b, "NULL");
		return;
	}
	store_sb_putn(b, "\"", 1);
	sb_put_text(b, s, strlen(s), esc);
	store_sb_putn(b, "\"", 1);
}

static void
arr_long(struct sb *b, long long v, bool null)
{
	arr_sep(b);
	if (null)
		sb_puts(b, "NULL");
	else
		sb_printf(b, "%lld", v);
}

/* COPY text fields, each after its tab (a row's first field, the
 * article_id, is written at COMMIT). */
static void
cp_long(struct sb *b, long long v, bool null)
{
	if (null)
		sb_puts(b, "\t\\N");
	else
		sb_printf(b, "\t%lld", v);
}

static void
cp_str(struct sb *b, const char *s)
{
	if (s == NULL) {
		sb_puts(b, "\t\\N");
		return;
	}
	store_sb_putn(b, "\t", 1);
	sb_put_text(b, s, strlen(s), ESC_COPY);
}

/* A scalar text parameter: s itself when it is valid UTF-8, else a cleaned
 * copy in b. NULL stays NULL. */
static const char *
text_param(struct sb *b, const char *s)
{
	if (s == NULL)
		return NULL;
	if (store_utf8_valid(s, strlen(s)))
		return s;
	sb_clear(b);
	sb_put_text(b, s, strlen(s), ESC_NONE);
	return b->p;
}

/* "YYYY-MM-DD" of a real date, else NULL: a wrong date from the text
 * must not cost the article (22008 would reject it). */
static const char *
date_param(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30,
		                     31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return NULL;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return NULL;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return NULL;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return NULL;
	return s;
}

static const char *
time_param(char *buf, size_t len, int64_t us)
{
	time_t t;
	struct tm tm;

	if (us <= 0)
		return NULL;
	t = (time_t)(us / 1000000);
	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(us % 1000000));
	return buf;
}

static bool
is_code(const char *s)
{
	int i;

	for (i = 0; i < 6; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[6] == '\0';
}

/* -- errors -------------------------------------------------------------- */

const char *
store_pg_sqlstate(const PGresult *r)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return s ? s : "";
}

const char *
store_pg_message(PGconn *conn, const PGresult *r)
{
	const char *s =
	    r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (s == NULL)
		s = PQerrorMessage(conn);
	return s && *s ? s : "unknown error";
}

/* Data errors (class 22 data exception, 23 integrity violation, 54
 * program limit exceeded) belong to one article: no retry can help it.
 * Everything else, including a lost connection (class 08, or no SQLSTATE
 * at all), serialization failures and deadlocks (40001, 40P01),
 * lock_timeout (55P03), statement_timeout (57014), shutdown and crash
 * (57P01-03) and resource trouble (class 53), is transient: the batch is
 * redone later. So is a permission or schema problem (class 42): it is
 * the deployment's fault, not the article's, and rejecting articles for
 * it would move healthy ones to failed/. */
static int
classify(PGconn *conn, const PGresult *r)
{
	const char *st;

	if (PQstatus(conn) != CONNECTION_OK)
		return CLASS_TRANSIENT;
	st = store_pg_sqlstate(r);
	if (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0 ||
	    strncmp(st, "54", 2) == 0)
		return CLASS_DATA;
	return CLASS_TRANSIENT;
}

bool
store_pg_ok(const PGresult *r)
{
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* Runs n statements in one pipeline (one round trip) and stores their
 * results in res[] (caller clears them). Returns the index of the first
 * failed statement, or -1 when all succeeded. A statement that could not
 * even be sent leaves NULL results from there on. */
/* PQgetResult(), which blocks while the server works; with a cancel
 * function set, waits in slices of 100 ms and asks it between them, and
 * on true cancels the statement (PQcancel: the server answers with
 * 57014 at once). */
static PGresult *
wait_result(store_t *self, PGconn *conn)
{
	while (self && self->cancel_fn && PQisBusy(conn)) {
		struct pollfd p = { PQsocket(conn), POLLIN, 0 };
		int rc;

		if (p.fd < 0)
			break;
		rc = poll(&p, 1, 100);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && !PQconsumeInput(conn))
			break;
		if (!self->cancelled && self->cancel_fn(self->cancel_ctx)) {
			PGcancel *c = PQgetCancel(conn);
			char err[256] = "";

			self->cancelled = true;
			if (!c || !PQcancel(c, err, sizeof(err)))
				log_warn("store.cancel_failed",
				         LF_STR("error", err));
			else
				log_warn("store.cancelled",
				         LF_STR("why", "drain time over"));
			PQfreeCancel(c);
		}
	}
	return PQgetResult(conn);
}

static int
pipe_run(store_t *self, const struct stmt *st, int n, PGresult **res)
{
	PGconn *conn = self->conn;
	int i, got = 0, nulls = 0, failed = -1;
	bool synced = false;

	for (i = 0; i < n; i++)
		res[i] = NULL;
	if (!PQenterPipelineMode(conn))
		return 0;
	for (i = 0; i < n; i++) {
		int ok = st[i].name
		             ? PQsendQueryPrepared(conn, st[i].name, st[i].n,
		                                   st[i].vals, st[i].lens,
		                                   st[i].fmts, 0)
		             : PQsendQueryParams(conn, st[i].sql, st[i].n, NULL,
		                                 st[i].vals, st[i].lens,
		                                 st[i].fmts, 0);
		if (!ok)
			break;
	}
	if (i < n || !PQpipelineSync(conn)) {
		/* The connection is gone; nothing to collect. */
		PQexitPipelineMode(conn);
		return i < n ? i : 0;
	}
	/* Each statement yields its result then NULL; the sync yields
	 * PGRES_PIPELINE_SYNC. A dead connection yields NULLs forever. */
	while (!synced) {
		PGresult *r = wait_result(self, conn);

		if (r == NULL) {
			if (PQstatus(conn) != CONNECTION_OK || ++nulls > 2)
				break;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			synced = true;
			PQclear(r);
		} else if (got < n) {
			res[got++] = r;
		} else {
			PQclear(r);
		}
	}
	PQexitPipelineMode(conn);
	for (i = 0; i < n; i++)
		if (!store_pg_ok(res[i])) {
			failed = i;
			break;
		}
	return failed;
}

static void
clear_all(PGresult **res, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		PQclear(res[i]);
		res[i] = NULL;
	}
}

/* Runs a simple command; 0, or the class of its failure. */
int
store_pg_exec(PGconn *conn, const char *sql, const char *event)
{
	PGresult *r = PQexec(conn, sql);
	int cls = CLASS_OK;

	if (!store_pg_ok(r)) {
		cls = classify(conn, r);
		log_warn(event, LF_STR("sqlstate", store_pg_sqlstate(r)),
		         LF_STR("error", store_pg_message(conn, r)));
	}
	PQclear(r);
	return cls;
}

/* -- connection ------------------------------------------------------------ */

PGconn *
store_pg_connect(const char *conninfo)
{
	/* Later keywords override earlier ones: the deployment's conninfo
	 * may lower connect_timeout, but the encoding is ours. The session's
	 * application_name is the conninfo's, else PGAPPNAME (the pod name in
	 * Kubernetes), else "extractd": never SET afterwards. */
	const char *const keys[] = { "connect_timeout", "dbname",
		                     "fallback_application_name",
		                     "client_encoding", NULL };
	const char *const vals[] = { "10", conninfo ? conninfo : "", "extractd",
		                     "UTF8", NULL };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);

	if (conn == NULL)
		abort(); /* libpq's OOM */
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[512];
		size_t len;

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		len = strlen(msg);
		while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';
		log_warn("store.connect_failed", LF_STR("error", msg));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* What the server says between statements (the FATAL of a shutdown that
 * store_ping() reads) is a log event, not a raw line on stderr. */
static void
notice_log(void *arg, const char *msg)
{
	char buf[512];
	size_t len;

	(void)arg;
	snprintf(buf, sizeof(buf), "%s", msg);
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	log_warn("db.notice", LF_STR("message", buf));
}

/* COPY <table> (<cols>) FROM STDIN, text format. A per_article table has
 * no ord column (the ord is the position in its arrays). Caller frees. */
static char *
copy_sql(const char *table, const struct col *cols, int n, bool per_article)
{
	struct sb b = { 0 };
	int k;
	bool first = true;

	sb_printf(&b, "COPY %s (", table);
	for (k = 0; k < n; k++) {
		if (per_article && k == 1)
			continue;
		sb_printf(&b, "%s%s", first ? "" : ", ", cols[k].name);
		first = false;
	}
	sb_puts(&b, ") FROM STDIN");
	return b.p;
}

store_t *
store_new(const struct store_opts *opts)
{
	store_t *self;
	char sql[512];
	PGresult *res[8];
	struct stmt st[8];
	const size_t n_prep = sizeof(prepared) / sizeof(prepared[0]);
	size_t i;
	int failed;

	if (opts == NULL || opts->data_hash == NULL)
		return NULL;
	self = calloc(1, sizeof(*self));
	if (self == NULL)
		abort();
	self->version = opts->extractor_version;
	self->data_hash = strdup(opts->data_hash);
	if (self->data_hash == NULL)
		abort();
	self->cancel_fn = opts->cancel;
	self->cancel_ctx = opts->cancel_ctx;
	self->copy_sql[0] = copy_sql("articles", article_cols, A_COLS, false);
	for (i = 0; i < N_CHILD; i++)
		self->copy_sql[1 + i] =
		    copy_sql(child_tables[i].table, child_tables[i].cols,
		             child_tables[i].n, child_tables[i].per_article);
	self->conn = store_pg_connect(opts->conninfo);
	if (self->conn == NULL)
		goto fail;
	PQsetNoticeProcessor(self->conn, notice_log, NULL);
	snprintf(sql, sizeof(sql),
	         "SET TimeZone = 'UTC';"
	         " SET lock_timeout = %ld; SET statement_timeout = %ld;"
	         " SET idle_in_transaction_session_timeout = %ld",
	         opts->lock_timeout_ms > 0 ? opts->lock_timeout_ms : 0,
	         opts->statement_timeout_ms > 0 ? opts->statement_timeout_ms
	                                        : 0,
	         opts->idle_tx_timeout_ms > 0 ? opts->idle_tx_timeout_ms : 0);
	if (store_pg_exec(self->conn, sql, "store.session_failed") != CLASS_OK)
		goto fail;
	/* All statements prepared in one round trip. */
	memset(st, 0, sizeof(st));
	if (PQenterPipelineMode(self->conn)) {
		int ok = 1;

		for (i = 0; i < n_prep; i++)
			ok = ok && PQsendPrepare(self->conn, prepared[i].name,
			                         prepared[i].sql, 0, NULL);
		ok = ok && PQpipelineSync(self->conn);
		failed = ok ? -1 : 0;
		for (i = 0; ok && i < n_prep; i++) {
			res[0] = wait_result(self, self->conn);
			if (!store_pg_ok(res[0]) && failed < 0) {
				failed = (int)i;
				log_error(
				    "store.prepare_failed",
				    LF_STR("statement", prepared[i].name),
				    LF_STR("sqlstate",
				           store_pg_sqlstate(res[0])),
				    LF_STR("error", store_pg_message(self->conn,
				                                     res[0])));
			}
			PQclear(res[0]);
			while ((res[0] = wait_result(self, self->conn)) != NULL)
				PQclear(res[0]); /* the NULL after each */
		}
		while (ok && (res[0] = wait_result(self, self->conn)) != NULL) {
			bool sync =
			    PQresultStatus(res[0]) == PGRES_PIPELINE_SYNC;

			PQclear(res[0]);
			if (sync)
				break;
		}
		PQexitPipelineMode(self->conn);
		if (failed >= 0)
			goto fail;
	} else {
		goto fail;
	}
	log_info("store.connected",
	         LF_STR("db", PQdb(self->conn) ? PQdb(self->conn) : ""),
	         LF_INT("server_version", PQserverVersion(self->conn)));
	return self;
fail:
	store_destroy(&self);
	return NULL;
}

void
store_destroy(store_t **self_p)
{
	store_t *self;
	int i;

	if (self_p == NULL || *self_p == NULL)
		return;
	self = *self_p;
	if (self->conn)
		PQfinish(self->conn); /* an open transaction rolls back */
	for (i = 0; i < MAX_PARAMS; i++)
		free(self->buf[i].p);
	free(self->art.p);
	for (i = 0; i < N_CHILD; i++)
		free(self->rows[i].p);
	free(self->data.p);
	for (i = 0; i < F_COLS; i++)
		free(self->col[i].p);
	for (i = 0; i < 1 + N_CHILD; i++)
		free(self->copy_sql[i]);
	free(self->pend);
	free(self->ids);
	free(self->rev);
	free(self->data_hash);
	free(self);
	*self_p = NULL;
}

bool
store_alive(store_t *self)
{
	return self && self->conn && PQstatus(self->conn) == CONNECTION_OK &&
	       !self->broken &&
	       PQtransactionStatus(self->conn) != PQTRANS_INERROR;
}

bool
store_ping(store_t *self)
{
	if (self && self->conn && PQstatus(self->conn) == CONNECTION_OK &&
	    !PQisBusy(self->conn))
		(void)PQconsumeInput(self->conn); /* EOF: CONNECTION_BAD */
	return store_alive(self);
}

size_t
store_pending(const store_t *self)
{
	return self ? self->pending : 0;
}

/* Gives back a buffer that one batch of large articles grew past keep
 * bytes, so that it does not stay the worker's size from then on. */
static void
sb_trim(struct sb *b, size_t keep)
{
	if (b->cap <= keep)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void
batch_reset(store_t *self)
{
	int t;

	self->in_tx = false;
	self->broken = false;
	self->release = NULL;
	self->pending = 0;
	self->n_pend = 0;
	sb_trim(&self->art, BUF_KEEP);
	sb_trim(&self->data, BUF_KEEP);
	for (t = 0; t < N_CHILD; t++)
		sb_trim(&self->rows[t], BUF_KEEP);
	memcpy(self->rx_pending, self->rx_after, sizeof(self->rx_pending));
}

void
store_rollback(store_t *self)
{
	if (self == NULL)
		return;
	if (self->conn && PQstatus(self->conn) == CONNECTION_OK &&
	    PQtransactionStatus(self->conn) != PQTRANS_IDLE)
		(void)store_pg_exec(self->conn, "ROLLBACK",
		                    "store.rollback_failed");
	self->n_rev = 0;
	batch_reset(self);
}

static int commit_batch(store_t *self);

bool
store_timed_out(const store_t *self)
{
	return self && self->timed_out;
}

int
store_commit(store_t *self)
{
	int rc;

	if (self == NULL || self->conn == NULL)
		return ERR_INVAL;
	self->n_rev = 0;
	if (!self->in_tx)
		return 0;
	if (self->broken) {
		store_rollback(self);
		return ERR_DB_TRANSIENT;
	}
	rc = commit_batch(self);
	if (rc == 0) {
		memcpy(self->rx_after, self->rx_pending,
		       sizeof(self->rx_after));
	} else {
		self->n_rev = 0;
		if (PQstatus(self->conn) == CONNECTION_OK &&
		    PQtransactionStatus(self->conn) != PQTRANS_IDLE)
			(void)store_pg_exec(self->conn, "ROLLBACK",
			                    "store.rollback_failed");
	}
	batch_reset(self);
	return rc;
}

const char *
store_commit_revised(const store_t *self, size_t i, enum store_status *status,
                     const char **reason)
{
	if (self == NULL || i >= self->n_rev)
		return NULL;
	if (status)
		*status = self->rev[i].status;
	if (reason)
		*reason = self->rev[i].reason;
	return self->rev[i].sha256;
}

/* -- writing --------------------------------------------------------------- */

/* Prepends what every pipeline of a batch may need first: BEGIN for the
 * first article, the RELEASE a savepoint left for us. Returns the number
 * of statements written to st. */
static int
batch_prologue(store_t *self, struct stmt *st)
{
	int n = 0;

	if (!self->in_tx) {
		st[n++] = (struct stmt){ .name = "begin" };
	} else if (self->release) {
		st[n++] = (struct stmt){ .name = self->release };
	}
	return n;
}

static void
batch_prologue_done(store_t *self, int n, PGresult **res)
{
	if (n > 0 && store_pg_ok(res[0])) {
		self->in_tx = true;
		self->release = NULL;
	}
}

/* Records a run of pipeline results: which failed and how. On a transient
 * failure the batch is broken. Returns CLASS_*. */
static int
check_pipe(store_t *self, const struct stmt *st, int failed, PGresult **res,
           const char *id, char *reason, size_t reason_len)
{
	int cls;

	if (failed < 0)
		return CLASS_OK;
	cls = classify(self->conn, res[failed]);
	if (!st[failed].article)
		cls = CLASS_TRANSIENT;
	snprintf(reason, reason_len, "%s%s%s", store_pg_sqlstate(res[failed]),
	         *store_pg_sqlstate(res[failed]) ? ": " : "",
	         store_pg_message(self->conn, res[failed]));
	if (cls == CLASS_TRANSIENT) {
		self->broken = true;
		self->timed_out =
		    !strcmp(store_pg_sqlstate(res[failed]), "57014") &&
		    !self->cancelled;
		log_warn(
		    "store.transient", LF_STR("id", id),
		    LF_STR("sqlstate", store_pg_sqlstate(res[failed])),
		    LF_STR("error", store_pg_message(self->conn, res[failed])));
	}
	return cls;
}

static int
record_error(store_t *self, const struct store_article *a, const char *stage,
             const char *reason, bool at_commit)
{
	char size[32], ver[16], when[96];
	const char *vals[12];
	int lens[12] = { 0 }, fmts[12] = { 0 };
	struct stmt st[4];
	PGresult *res[4];
	char why[512];
	int n, k, failed, cls;

	n = batch_prologue(self, st);
	k = n;
	snprintf(size, sizeof(size), "%llu",
	         (unsigned long long)(a->raw_size ? a->raw_size : a->raw_len));
	snprintf(ver, sizeof(ver), "%d", self->version);
	vals[0] = text_param(&self->buf[0], a->sha256);
	vals[1] = text_param(&self->buf[1], stage ? stage : "unknown");
	vals[2] =
	    text_param(&self->buf[2], reason && *reason ? reason : "unknown");
	vals[3] = a->raw && a->raw_len <= ERR_RAW_MAX ? a->raw : NULL;
	lens[3] = (int)a->raw_len;
	fmts[3] = 1;
	vals[4] = size;
	vals[5] = text_param(&self->buf[3], a->uri);
	vals[6] = text_param(&self->buf[4], a->feed);
	vals[7] = text_param(&self->buf[5], a->content_type);
	vals[8] = text_param(&self->buf[6], a->charset_hint);
	vals[9] = ver;
	vals[10] = text_param(&self->buf[7], self->data_hash);
	vals[11] = time_param(when, sizeof(when), a->received_us);
	st[n++] = (struct stmt){ .sql = "SAVEPOINT e" };
	st[n++] = (struct stmt){ .name = "put_error",
		                 .n = 12,
		                 .vals = vals,
		                 .lens = lens,
		                 .fmts = fmts,
		                 .article = true };
	st[n++] = (struct stmt){ .sql = "RELEASE SAVEPOINT e" };
	failed = pipe_run(self, st, n, res);
	batch_prologue_done(self, k, res);
	cls = check_pipe(self, st, failed, res, a->sha256, why, sizeof(why));
	clear_all(res, n);
	if (cls == CLASS_TRANSIENT)
		return ERR_DB_TRANSIENT;
	if (cls == CLASS_DATA) {
		log_error("store.reject_failed", LF_STR("id", a->sha256),
		          LF_STR("error", why));
		if (store_pg_exec(
		        self->conn,
		        "ROLLBACK TO SAVEPOINT e; RELEASE SAVEPOINT e",
		        "store.rollback_failed") != CLASS_OK) {
			self->broken = true;
			return ERR_DB_TRANSIENT;
		}
		return ERR_DB_PERMANENT;
	}
	self->pending += !at_commit;
	if (at_commit)
		log_info("store.rejected", LF_STR("id", a->sha256),
		         LF_STR("stage", stage ? stage : "unknown"),
		         LF_STR("reason", reason ? reason : ""),
		         LF_STR("at", "commit"));
	else
		log_info("store.rejected", LF_STR("id", a->sha256),
		         LF_STR("stage", stage ? stage : "unknown"),
		         LF_STR("reason", reason ? reason : ""));
	return 0;
}

int
store_reject(store_t *self, const struct store_article *a, const char *stage,
             const char *reason)
{
	if (self == NULL || a == NULL || a->sha256 == NULL)
		return ERR_INVAL;
	if (!store_alive(self))
		return ERR_DB_TRANSIENT;
	return record_error(self, a, stage, reason, false);
}

/* Where one figure's or pairing's sentence lies in the text. */
struct span {
	size_t s0, s1;   /* the whole sentence, code points */
	size_t cp0, cp1; /* the window of it, code points */
	size_t b0, b1;   /* bytes, filled by map_offsets() */
	size_t xb0, xb1; /* the item itself, bytes */
	bool cut0, cut1; /* text left out before / after */
	bool ok;
};

struct mark {
	size_t cp;
	size_t *dst;
};

static int
mark_cmp(const void *x, const void *y)
{
	const struct mark *a = x, *b = y;

	return a->cp < b->cp ? -1 : a->cp > b->cp;
}

/* Turns code point offsets into byte offsets in one pass over the text
 * (sorted marks), so the cost stays linear however many figures share a
 * huge sentence. */
static void
map_offsets(const char *text, size_t len, struct mark *m, size_t n)
{
	size_t cp = 0, i = 0, k = 0;

	qsort(m, n, sizeof(*m), mark_cmp);
	while (k < n) {
		if (m[k].cp <= cp || i >= len) {
			*m[k].dst = i;
			k++;
			continue;
		}
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		cp++;
	}
}

/* The window of a sentence [s0, s1) to store for an item at [x0, x1). */
static void
span_init(struct span *sp, size_t s0, size_t s1, size_t x0, size_t x1)
{
	sp->ok = false;
	sp->cut0 = sp->cut1 = false;
	if (s1 < s0)
		return;
	sp->ok = true;
	sp->s0 = s0;
	sp->s1 = s1;
	sp->cp0 = s0;
	sp->cp1 = s1;
	if (s1 - s0 <= SENT_MAX_CP)
		return;
	if (x0 < s0 || x0 > s1 || x1 < x0) {
		sp->cp1 = s0 + SENT_MAX_CP;
	} else {
		sp->cp0 = x0 - s0 > WINDOW_CP ? x0 - WINDOW_CP : s0;
		sp->cp1 = s1 - (x1 < s1 ? x1 : s1) > WINDOW_CP
		              ? (x1 < s1 ? x1 : s1) + WINDOW_CP
		              : s1;
	}
	sp->cut0 = sp->cp0 > s0;
	sp->cut1 = sp->cp1 < s1;
}

/* Whether the window of sp is the n bytes at s (what the view cuts out
 * of articles.text equals what the extractor gave). */
static bool
span_is(const char *text, const struct span *sp, const char *s, size_t n)
{
	static const char ell[] = "\xE2\x80\xA6";
	size_t k = sp->cut0 ? 3 : 0, m = sp->b1 - sp->b0;

	if (!sp->ok || sp->b1 < sp->b0 || n != k + m + (sp->cut1 ? 3 : 0))
		return false;
	return (!sp->cut0 || memcmp(s, ell, 3) == 0) &&
	       memcmp(s + k, text + sp->b0, m) == 0 &&
	       (!sp->cut1 || memcmp(s + k + m, ell, 3) == 0);
}

/* The sentence bounds of sp as two COPY fields: NULL when it has none. */
static void
cp_sentence(struct sb *b, const struct span *sp)
{
	cp_long(b, (long long)sp->s0, !sp->ok);
	cp_long(b, (long long)sp->s1, !sp->ok);
}

/* An article's pairings: lines of pairing_rows, less the article_id. */
static void
add_pairings(struct sb *b, const struct ext_result *res, const struct span *sp)
{
	size_t i;

	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];
		bool ev_fits =
		    p->evidence &&
		    (strlen(p->evidence) <= SENT_MAX_CP || !sp[i].ok);

		cp_long(b, (long long)i, false);
		cp_long(b, (long long)p->start, false);
		cp_long(b, (long long)p->end, false);
		cp_long(b, (long long)p->sentence,
		        p->sentence >= res->n_sentences);
		cp_sentence(b, &sp[i]);
		cp_str(b, p->helper ? p->helper : "");
		cp_str(b, is_code(p->helper_code) ? p->helper_code : NULL);
		cp_str(b, p->recipient ? p->recipient : "");
		cp_str(b,
		       is_code(p->recipient_code) ? p->recipient_code : NULL);
		cp_str(b, p->relation ? p->relation : "other");
		/* The evidence is the sentence's window unless the extractor
		 * gave one of its own that differs. */
		cp_str(b, ev_fits && !span_is(res->text, &sp[i], p->evidence,
		                              strlen(p->evidence))
		              ? p->evidence
		              : NULL);
		store_sb_putn(b, "\n", 1);
	}
}

/* An article's figures: its line of figure_sets (one array per column,
 * built in col[0..F_COLS - 2)), less the article_id; none without
 * figures. */
static void
add_figures(struct sb *b, struct sb *col, const struct ext_result *res,
            const struct span *sp)
{
	const int nc = F_COLS - 2;
	struct sb rc = { 0 };
	char num[64];
	size_t i, j;
	int k;

	if (res->n_figures == 0)
		return;
	for (k = 0; k < nc; k++) {
		sb_clear(&col[k]);
		store_sb_putn(&col[k], "{", 1);
	}
	for (i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];
		const char *t = f->text ? f->text : "";
		size_t tn = strlen(t);
		size_t xn = sp[i].xb1 > sp[i].xb0 ? sp[i].xb1 - sp[i].xb0 : 0;

		arr_long(&col[0], (long long)f->start, false);
		arr_long(&col[1], (long long)f->end, false);
		arr_long(&col[2], (long long)f->sentence,
		         f->sentence >= res->n_sentences);
		arr_long(&col[3], (long long)sp[i].s0, !sp[i].ok);
		arr_long(&col[4], (long long)sp[i].s1, !sp[i].ok);
		arr_long(&col[5], f->year, f->year == 0);
		arr_long(&col[6], f->pairing,
		         f->pairing < 0 ||
		             (size_t)f->pairing >= res->n_pairings);
		arr_sep(&col[7]);
		sb_puts(&col[7], f->approx ? "t" : "f");
		arr_sep(&col[8]);
		sb_puts(&col[8], ext_decimal_str(f->value, num));
		arr_str(&col[9], f->unit ? f->unit : "", ESC_ARRAY_COPY);
		arr_str(&col[10], f->metric, ESC_ARRAY_COPY);
		arr_str(&col[11], f->category ? f->category : "other",
		        ESC_ARRAY_COPY);
		/* region_codes: an array literal inside an array element. */
		sb_clear(&rc);
		store_sb_putn(&rc, "{", 1);
		for (j = 0; j < f->n_region_codes; j++) {
			if (!is_code(f->region_codes[j]))
				continue;
			arr_sep(&rc);
			sb_puts(&rc, f->region_codes[j]);
		}
		store_sb_putn(&rc, "}", 1);
		arr_str(&col[12], rc.p, ESC_ARRAY_COPY);
		/* Its text only where the offsets do not give it back. */
		arr_str(&col[13],
		        tn == xn && memcmp(t, res->text + sp[i].xb0, xn) == 0
		            ? NULL
		            : t,
		        ESC_ARRAY_COPY);
		arr_str(&col[14], NULL, ESC_ARRAY_COPY);
	}
	free(rc.p);
	for (k = 0; k < nc; k++) {
		store_sb_putn(b, "\t", 1);
		store_sb_putn(b, col[k].p, col[k].len);
		store_sb_putn(b, "}", 1);
	}
	store_sb_putn(b, "\n", 1);
}

/* An article's flows: lines of flow_rows, less the article_id. A side's
 * code is NULL unless it is six digits, its name NULL when the extractor
 * gave none or "" (a group, or no side at all), so that IS NULL finds it. */
static void
add_flows(struct sb *b, const struct ext_result *res)
{
	char num[64];
	size_t i;

	for (i = 0; i < res->n_flows; i++) {
		const struct ext_flow *f = &res->flows[i];

		cp_long(b, (long long)i, false);
		cp_long(b, (long long)f->figure, false);
		cp_long(b, f->year, f->year == 0);
		cp_long(b, f->part_of, f->part_of < 0);
		store_sb_putn(b, "\t", 1);
		sb_puts(b, ext_decimal_str(f->value, num));
		cp_str(b, f->helper && *f->helper ? f->helper : NULL);
		cp_str(b, is_code(f->helper_code) ? f->helper_code : NULL);
		cp_str(b, f->recipient && *f->recipient ? f->recipient : NULL);
		cp_str(b,
		       is_code(f->recipient_code) ? f->recipient_code : NULL);
		cp_str(b, f->category ? f->category : "other");
		cp_str(b, f->rule);
		store_sb_putn(b, "\n", 1);
	}
}

/* Whether the server could refuse an article's figures, pairings or flows
 * for something we can see here (an integer out of range, a value too long
 * for its index, a flow pointing at no figure or flow of the article):
 * such an article goes the upsert way at COMMIT, in its own savepoint, so
 * that its error rejects it and not its batch's COPY. What cannot be
 * foreseen fails the COPY, and the batch then goes that way too. */
static bool
rows_risky(const struct ext_result *res)
{
	const size_t imax = 2147483647;
	size_t i;

	if (res->n_pairings > imax || res->n_figures > imax ||
	    res->n_flows > imax)
		return true;
	/* A flow must point at one of the article's figures and at one of
	 * its flows (or none): else a foreign key refuses it. */
	for (i = 0; i < res->n_flows; i++) {
		const struct ext_flow *f = &res->flows[i];

		if (f->figure >= res->n_figures || f->part_of < -1 ||
		    (f->part_of >= 0 && (size_t)f->part_of >= res->n_flows))
			return true;
	}
	for (i = 0; i < res->n_pairings; i++) {
		const struct ext_pairing *p = &res->pairings[i];

		if (p->start > imax || p->end > imax ||
		    (p->sentence > imax && p->sentence < res->n_sentences) ||
		    (p->helper && strlen(p->helper) > INDEXED_MAX))
			return true;
	}
	for (i = 0; i < res->n_figures; i++) {
		const struct ext_figure *f = &res->figures[i];
		size_t n = (f->unit ? strlen(f->unit) : 0) +
		           (f->category ? strlen(f->category) : 0);

		if (f->start > imax || f->end > imax ||
		    (f->sentence > imax && f->sentence < res->n_sentences) ||
		    n > INDEXED_MAX)
			return true;
	}
	return false;
}

/* Sentence windows of every pairing (sp[0..np)) and figure
 * (sp[np..np+nf)). Caller frees. */
static struct span *
build_spans(const struct ext_result *res)
{
	size_t np = res->n_pairings, nf = res->n_figures, i, n = 0;
	struct span *sp = calloc(np + nf + 1, sizeof(*sp));
	struct mark *m = calloc(4 * (np + nf) + 1, sizeof(*m));

	if (sp == NULL || m == NULL)
		abort();
	for (i = 0; i < np + nf; i++) {
		size_t s, x0, x1;

		if (i < np) {
			s = res->pairings[i].sentence;
			x0 = res->pairings[i].start;
			x1 = res->pairings[i].end;
		} else {
			s = res->figures[i - np].sentence;
			x0 = res->figures[i - np].start;
			x1 = res->figures[i - np].end;
		}
		m[n++] = (struct mark){ x0, &sp[i].xb0 };
		m[n++] = (struct mark){ x1, &sp[i].xb1 };
		if (s >= res->n_sentences)
			continue;
		span_init(&sp[i], res->sentences[s].start,
		          res->sentences[s].end, x0, x1);
		if (!sp[i].ok)
			continue;
		m[n++] = (struct mark){ sp[i].cp0, &sp[i].b0 };
		m[n++] = (struct mark){ sp[i].cp1, &sp[i].b1 };
	}
	map_offsets(res->text, res->text_len, m, n);
	free(m);
	return sp;
}

/* Parameter k of pending article p (NULL stays NULL). */
static const char *
pend_val(const store_t *self, const struct pend *p, int k)
{
	return p->off[k] == SIZE_MAX ? NULL : self->art.p + p->off[k];
}

/* Pending article p as store_put() was given it, for ingest_errors. */
static void
pend_article(const store_t *self, const struct pend *p, struct store_article *a)
{
	memset(a, 0, sizeof(*a));
	a->sha256 = pend_val(self, p, A_SHA);
	a->raw = pend_val(self, p, A_RAW);
	a->raw_len = p->len[A_RAW];
	a->uri = pend_val(self, p, A_URI);
	a->feed = pend_val(self, p, A_FEED);
	a->content_type = pend_val(self, p, A_CONTENT_TYPE);
	a->charset_hint = pend_val(self, p, A_CHARSET_HINT);
	a->received_us = p->received_us;
}

/* What the COMMIT found for pending article p, when not "stored". */
static void
revise(store_t *self, const struct pend *p, enum store_status status,
       const char *reason)
{
	struct revised *v;
	const char *sha;

	if (self->n_rev == self->cap_rev) {
		self->cap_rev = self->cap_rev ? self->cap_rev * 2 : 8;
		self->rev =
		    realloc(self->rev, self->cap_rev * sizeof(*self->rev));
		if (self->rev == NULL)
			abort();
	}
	v = &self->rev[self->n_rev++];
	sha = pend_val(self, p, A_SHA);
	snprintf(v->sha256, sizeof(v->sha256), "%s", sha ? sha : "");
	v->status = status;
	snprintf(v->reason, sizeof(v->reason), "%s", reason ? reason : "");
}

int
store_put(store_t *self, const struct store_article *a,
          const struct ext_result *res, enum store_status *status)
{
	const char *av[N_ART];
	char ver[16], when[96], why[512];
	struct stmt st[1];
	PGresult *r[1];
	struct span *sp;
	struct pend *p;
	int n, k, failed, cls, rc;
	size_t i;

	if (self == NULL || a == NULL || a->sha256 == NULL || status == NULL)
		return ERR_INVAL;
	if (!store_alive(self))
		return ERR_DB_TRANSIENT;
	if (res == NULL) {
		rc = record_error(self, a, "extract", "no extraction result",
		                  false);
		if (rc == 0)
			*status = STORE_REJECTED;
		return rc;
	}
	if (res->text == NULL || strlen(res->text) != res->text_len) {
		/* A NUL inside the text would silently cut it short. */
		rc = record_error(self, a, "store", "NUL byte in the text",
		                  false);
		if (rc == 0)
			*status = STORE_REJECTED;
		return rc;
	}
	/* The batch's transaction starts with its first article, so that
	 * idle_in_transaction_session_timeout watches a worker that holds
	 * one; the article itself waits for store_commit(). */
	if (!self->in_tx) {
		n = batch_prologue(self, st);
		failed = pipe_run(self, st, n, r);
		batch_prologue_done(self, n, r);
		cls = check_pipe(self, st, failed, r, a->sha256, why,
		                 sizeof(why));
		clear_all(r, n);
		if (cls != CLASS_OK)
			return ERR_DB_TRANSIENT;
	}

	snprintf(ver, sizeof(ver), "%d", self->version);
	for (i = 0; i < 2; i++) {
		struct sb *b = &self->buf[7 + i];
		char **names = i ? res->meta.editors : res->meta.reporters;
		size_t nn = i ? res->meta.n_editors : res->meta.n_reporters;
		size_t j;

		sb_clear(b);
		store_sb_putn(b, "{", 1);
		for (j = 0; j < nn; j++)
			arr_str(b, names[j] ? names[j] : "", ESC_ARRAY);
		store_sb_putn(b, "}", 1);
	}
	av[A_SHA] = a->sha256;
	av[A_RAW] = a->raw ? a->raw : "";
	av[A_TEXT] = text_param(&self->buf[0], res->text);
	av[3] = text_param(&self->buf[1], res->meta.title);
	av[4] = text_param(&self->buf[2], res->meta.source);
	av[5] = date_param(res->meta.published);
	av[6] = self->buf[7].p;
	av[7] = self->buf[8].p;
	av[8] = text_param(&self->buf[3], res->charset);
	av[A_CHARSET_HINT] = text_param(&self->buf[4], a->charset_hint);
	av[10] = res->converted ? "t" : "f";
	av[A_URI] = text_param(&self->buf[5], a->uri);
	av[A_FEED] = text_param(&self->buf[6], a->feed);
	av[A_CONTENT_TYPE] = text_param(&self->buf[9], a->content_type);
	av[14] = is_code(res->main_region) ? res->main_region : NULL;
	av[15] = ver;
	av[16] = self->data_hash;
	av[17] = time_param(when, sizeof(when), a->received_us);

	if (self->n_pend == 0) {
		sb_clear(&self->art);
		for (k = 0; k < N_CHILD; k++)
			sb_clear(&self->rows[k]);
	}
	if (self->n_pend == self->cap_pend) {
		self->cap_pend = self->cap_pend ? self->cap_pend * 2 : 32;
		self->pend =
		    realloc(self->pend, self->cap_pend * sizeof(*self->pend));
		if (self->pend == NULL)
			abort();
	}
	p = &self->pend[self->n_pend++];
	memset(p, 0, sizeof(*p));
	/* Each value NUL-terminated: the upsert reads them as strings. */
	for (k = 0; k < N_ART; k++) {
		if (av[k] == NULL) {
			p->off[k] = SIZE_MAX;
			continue;
		}
		p->off[k] = self->art.len;
		p->len[k] = k == A_RAW ? a->raw_len : strlen(av[k]);
		store_sb_putn(&self->art, av[k], p->len[k]);
		store_sb_putn(&self->art, "", 1);
	}
	p->received_us = a->received_us;
	/* An id that is not UTF-8 would be cleaned on its way into COPY
	 * and stored under another name: the upsert sends it as it is, and
	 * the server refuses it. */
	p->risky =
	    rows_risky(res) || !store_utf8_valid(a->sha256, strlen(a->sha256));
	sp = build_spans(res);
	for (k = 0; k < N_CHILD; k++)
		p->r0[k] = self->rows[k].len;
	add_pairings(&self->rows[0], res, sp);
	add_figures(&self->rows[1], self->col, res, sp + res->n_pairings);
	add_flows(&self->rows[2], res);
	for (k = 0; k < N_CHILD; k++)
		p->r1[k] = self->rows[k].len;
	free(sp);
	self->pending++;
	*status = STORE_STORED;
	return 0;
}

/* -- COMMIT ---------------------------------------------------------------- */

/* Appends to self->data the lines of child table t of pending article p,
 * each with its article_id in front. */
static void
data_rows(store_t *self, int t, const struct pend *p, int64_t id)
{
	const char *s = self->rows[t].p + p->r0[t];
	const char *end = self->rows[t].p + p->r1[t];
	char num[24];
	int nl = snprintf(num, sizeof(num), "%" PRId64, id);

	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t m = e ? (size_t)(e - s) + 1 : (size_t)(end - s);

		store_sb_putn(&self->data, num, (size_t)nl);
		store_sb_putn(&self->data, s, m);
		s += m;
	}
}

/* Appends to self->data the articles line of pending article p. */
static void
data_article(store_t *self, const struct pend *p, int64_t id)
{
	static const char hex[] = "0123456789abcdef";
	struct sb *b = &self->data;
	int k;

	sb_printf(b, "%" PRId64, id);
	for (k = 0; k < N_ART; k++) {
		const char *v = pend_val(self, p, k);
		const unsigned char *u = (const unsigned char *)v;
		size_t j, n = p->len[k];
		char *o;

		if (v == NULL) {
			sb_puts(b, "\t\\N");
		} else if (k == A_RAW) {
			sb_puts(b, "\t\\\\x");
			store_sb_reserve(b, 2 * n);
			o = b->p + b->len;
			for (j = 0; j < n; j++) {
				o[2 * j] = hex[u[j] >> 4];
				o[2 * j + 1] = hex[u[j] & 15];
			}
			b->len += 2 * n;
			b->p[b->len] = '\0';
		} else {
			store_sb_putn(b, "\t", 1);
			sb_put_text(b, v, n, ESC_COPY);
		}
	}
	store_sb_putn(b, "\n", 1);
}

/* COPY ... FROM STDIN of self->data; the class of the outcome (why gets
 * the error). Not in a pipeline: libpq has no COPY there. */
static int
copy_run(store_t *self, const char *sql, const char *id, char *why,
         size_t why_len)
{
	static const struct stmt one = { .article = true };
	PGconn *c = self->conn;
	PGresult *r, *x;
	size_t at = 0;
	int cls;

	if (!PQsendQuery(c, sql))
		return CLASS_TRANSIENT;
	r = wait_result(self, c);
	if (PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		while (at < self->data.len) {
			size_t m = self->data.len - at;

			m = m > (1u << 20) ? 1u << 20 : m;
			if (PQputCopyData(c, self->data.p + at, (int)m) != 1)
				break;
			at += m;
		}
		(void)PQputCopyEnd(c, at < self->data.len ? "not sent" : NULL);
		r = wait_result(self, c);
	}
	while ((x = wait_result(self, c)) != NULL)
		PQclear(x);
	cls = check_pipe(self, &one, store_pg_ok(r) ? -1 : 0, &r, id, why,
	                 why_len);
	PQclear(r);
	return cls;
}

/* A pending article the server refused: back to its savepoint, into
 * ingest_errors. */
static int
reject_pend(store_t *self, const struct pend *p, const char *why)
{
	struct store_article a;
	int rc;

	if (store_pg_exec(self->conn,
	                  "ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a",
	                  "store.rollback_failed") != CLASS_OK) {
		self->broken = true;
		return ERR_DB_TRANSIENT;
	}
	pend_article(self, p, &a);
	rc = record_error(self, &a, "store", why, true);
	if (rc == ERR_DB_TRANSIENT)
		return rc;
	/* Not stored either way; if even its error row was refused, the
	 * log has why (store.reject_failed). */
	revise(self, p, STORE_REJECTED, why);
	return 0;
}

/* Pending article p the way that names its errors: in its own savepoint,
 * the upsert (which also finds a duplicate or replaces an older version),
 * then its rows by COPY. 0 or ERR_DB_TRANSIENT. */
static int
put_slow(store_t *self, const struct pend *p)
{
	const char *av[N_ART], *sha = pend_val(self, p, A_SHA);
	int alens[N_ART] = { 0 }, afmts[N_ART] = { 0 };
	char why[512], id[24];
	const char *idv[1] = { id };
	struct stmt st[4];
	PGresult *r[4];
	int n, k, t, failed, cls;
	bool fresh;

	for (k = 0; k < N_ART; k++)
		av[k] = pend_val(self, p, k);
	alens[A_RAW] = (int)p->len[A_RAW];
	afmts[A_RAW] = 1;
	n = batch_prologue(self, st);
	k = n;
	st[n++] = (struct stmt){ .name = "savepoint_a" };
	st[n++] = (struct stmt){ .name = "upsert_article",
		                 .n = N_ART,
		                 .vals = av,
		                 .lens = alens,
		                 .fmts = afmts,
		                 .article = true };
	failed = pipe_run(self, st, n, r);
	batch_prologue_done(self, k, r);
	cls = check_pipe(self, st, failed, r, sha, why, sizeof(why));
	if (cls == CLASS_OK && PQntuples(r[n - 1]) == 0) {
		/* Same or newer version there: nothing to write. */
		clear_all(r, n);
		self->release = "release_a";
		revise(self, p, STORE_DUPLICATE, "");
		return 0;
	}
	fresh = cls == CLASS_OK && strcmp(PQgetvalue(r[n - 1], 0, 1), "t") == 0;
	if (cls == CLASS_OK)
		snprintf(id, sizeof(id), "%s", PQgetvalue(r[n - 1], 0, 0));
	clear_all(r, n);
	if (cls == CLASS_TRANSIENT)
		return ERR_DB_TRANSIENT;
	if (cls == CLASS_DATA)
		return reject_pend(self, p, why);
	if (!fresh) {
		/* A newer version: the older one's rows go first. */
		n = 0;
		st[n++] = (struct stmt){ .name = "delete_flows",
			                 .n = 1,
			                 .vals = idv,
			                 .article = true };
		st[n++] = (struct stmt){ .name = "delete_figures",
			                 .n = 1,
			                 .vals = idv,
			                 .article = true };
		st[n++] = (struct stmt){ .name = "delete_pairings",
			                 .n = 1,
			                 .vals = idv,
			                 .article = true };
		failed = pipe_run(self, st, n, r);
		cls = check_pipe(self, st, failed, r, sha, why, sizeof(why));
		clear_all(r, n);
		if (cls == CLASS_TRANSIENT)
			return ERR_DB_TRANSIENT;
		if (cls == CLASS_DATA)
			return reject_pend(self, p, why);
	}
	for (t = 0; t < N_CHILD; t++) {
		if (p->r1[t] == p->r0[t])
			continue;
		sb_clear(&self->data);
		data_rows(self, t, p, strtoll(id, NULL, 10));
		cls = copy_run(self, self->copy_sql[1 + t], sha, why,
		               sizeof(why));
		if (cls == CLASS_TRANSIENT)
			return ERR_DB_TRANSIENT;
		if (cls == CLASS_DATA)
			return reject_pend(self, p, why);
	}
	self->release = "release_a";
	return 0;
}

/* Entries of write_batch()'s ord: {sha256, its struct pend}. */
static int
sha_only_cmp(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(a[0], b[0]);
}

/* By sha256, then in the order store_put() took them (pend entries lie in
 * that order in store.pend). */
static int
sha_cmp(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;
	int c = strcmp(a[0], b[0]);

	return c ? c : (a[1] > b[1]) - (a[1] < b[1]);
}

/* The batch's pending articles, in one savepoint: which exist already
 * (one SELECT, with ids for the others from the identity's sequence in
 * the same round trip), then the new ones by COPY, articles and then each
 * child table, in sha256 order (two workers racing on the same articles
 * lock them in one order). A stored one, a second copy in the batch, or
 * one whose rows the server may refuse goes the upsert way, article by
 * article (put_slow()), and so does every article of the batch when a COPY
 * fails with a data error (a racing worker's unique violation, a row
 * nobody foresaw): back to the savepoint, and each article's error is its
 * own. 0 or ERR_DB_TRANSIENT. */
static int
write_batch(store_t *self)
{
	const size_t n = self->n_pend;
	const char *(*ord)[2] = calloc(n, sizeof(*ord));
	struct sb *shas = &self->buf[0];
	char need[24], why[512];
	const char *lv[1], *nv[1] = { need };
	struct stmt st[6];
	PGresult *r[6];
	int m, k, t, failed, cls, rc = 0;
	size_t i, j, nf = 0, want;

	if (ord == NULL)
		abort();
	sb_clear(shas);
	store_sb_putn(shas, "{", 1);
	for (i = 0; i < n; i++) {
		ord[i][0] = pend_val(self, &self->pend[i], A_SHA);
		ord[i][1] = (const char *)&self->pend[i];
		arr_str(shas, ord[i][0], ESC_ARRAY);
	}
	store_sb_putn(shas, "}", 1);
	lv[0] = shas->p;
	want = n > self->n_ids ? n - self->n_ids : 0;
	snprintf(need, sizeof(need), "%zu", want);
	m = batch_prologue(self, st);
	k = m;
	st[m++] = (struct stmt){ .name = "savepoint_b" };
	st[m++] = (struct stmt){ .name = "lookup", .n = 1, .vals = lv };
	if (want > 0)
		st[m++] =
		    (struct stmt){ .name = "reserve_ids", .n = 1, .vals = nv };
	failed = pipe_run(self, st, m, r);
	batch_prologue_done(self, k, r);
	cls = check_pipe(self, st, failed, r, "batch", why, sizeof(why));
	if (cls != CLASS_OK) {
		clear_all(r, m);
		free(ord);
		return ERR_DB_TRANSIENT;
	}
	self->release = "release_b";
	qsort(ord, n, sizeof(*ord), sha_cmp);
	for (i = 0; i < n; i++) {
		struct pend *p = (struct pend *)ord[i][1];

		p->slow = p->risky ||
		          (i > 0 && strcmp(ord[i - 1][0], ord[i][0]) == 0);
	}
	for (j = 0; j < (size_t)PQntuples(r[k + 1]); j++) {
		const char *key[2] = { PQgetvalue(r[k + 1], (int)j, 0), NULL };
		const char *(*hit)[2];

		hit = bsearch(key, ord, n, sizeof(*ord), sha_only_cmp);
		for (i = hit ? (size_t)(hit - ord) : n;
		     i > 0 && i < n && strcmp(ord[i - 1][0], key[0]) == 0; i--)
			;
		for (; i < n && strcmp(ord[i][0], key[0]) == 0; i++)
			((struct pend *)ord[i][1])->slow = true;
	}
	if (want > 0) {
		size_t got = (size_t)PQntuples(r[m - 1]);

		if (self->n_ids + got > self->cap_ids) {
			self->cap_ids = self->n_ids + got;
			self->ids = realloc(self->ids,
			                    self->cap_ids * sizeof(*self->ids));
			if (self->ids == NULL)
				abort();
		}
		for (j = 0; j < got; j++)
			self->ids[self->n_ids++] =
			    strtoll(PQgetvalue(r[m - 1], (int)j, 0), NULL, 10);
	}
	clear_all(r, m);

	/* The new ones, by COPY. */
	sb_clear(&self->data);
	for (i = 0; i < n; i++) {
		struct pend *p = (struct pend *)ord[i][1];

		if (!p->slow && self->n_ids == 0)
			p->slow = true; /* not expected: nextval gave fewer */
		if (p->slow)
			continue;
		p->id = self->ids[--self->n_ids];
		data_article(self, p, p->id);
		nf++;
	}
	cls = nf > 0
	          ? copy_run(self, self->copy_sql[0], "batch", why, sizeof(why))
	          : CLASS_OK;
	for (t = 0; t < N_CHILD && nf > 0 && cls == CLASS_OK; t++) {
		sb_clear(&self->data);
		for (i = 0; i < n; i++) {
			struct pend *p = (struct pend *)ord[i][1];

			if (!p->slow)
				data_rows(self, t, p, p->id);
		}
		if (self->data.len > 0)
			cls = copy_run(self, self->copy_sql[1 + t], "batch",
			               why, sizeof(why));
	}
	free(ord);
	if (cls == CLASS_TRANSIENT)
		return ERR_DB_TRANSIENT;
	if (cls == CLASS_DATA) {
		log_warn("store.batch_refused", LF_STR("error", why),
		         LF_INT("articles", nf));
		if (store_pg_exec(self->conn, "ROLLBACK TO SAVEPOINT b",
		                  "store.rollback_failed") != CLASS_OK) {
			self->broken = true;
			return ERR_DB_TRANSIENT;
		}
		for (i = 0; i < n; i++)
			self->pend[i].slow = true;
	}
	for (i = 0; i < n && rc == 0; i++)
		if (self->pend[i].slow)
			rc = put_slow(self, &self->pend[i]);
	return rc;
}

/* The batch's pending articles (write_batch()), then COMMIT, in the same
 * pipeline as the last RELEASE. */
static int
commit_batch(store_t *self)
{
	struct stmt st[2];
	PGresult *r[2];
	char why[512];
	int n, failed, cls, rc;

	if (self->n_pend > 0) {
		rc = write_batch(self);
		if (rc != 0)
			return rc;
	}
	n = batch_prologue(self, st);
	st[n++] = (struct stmt){ .name = "commit" };
	failed = pipe_run(self, st, n, r);
	cls = check_pipe(self, st, failed, r, "batch", why, sizeof(why));
	/* COMMIT of an aborted transaction "succeeds" with tag ROLLBACK. */
	rc = cls == CLASS_OK && strcmp(PQcmdStatus(r[n - 1]), "COMMIT") == 0
	         ? 0
	         : ERR_DB_TRANSIENT;
	if (rc != 0) {
		PGresult *x = r[failed >= 0 ? failed : n - 1];

		log_warn("store.commit_failed",
		         LF_STR("sqlstate", store_pg_sqlstate(x)),
		         LF_STR("error", store_pg_message(self->conn, x)),
		         LF_INT("articles", self->pending));
	}
	clear_all(r, n);
	return rc;
}

/* -- re-extraction --------------------------------------------------------- */

static int64_t
be64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | u[i];
	return (int64_t)v;
}

static const char *
field(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int
store_reextract_batch(store_t *self, size_t batch, store_reextract_fn fn,
                      void *ctx)
{
	char limit[32], ver[16];
	const char *vals[4];
	struct stmt st[3];
	PGresult *r[3];
	int n, k, failed, cls, rows, i, rc, handled = 0;
	char why[512];

	if (self == NULL || fn == NULL || batch == 0)
		return ERR_INVAL;
	if (!store_alive(self))
		return ERR_DB_TRANSIENT;
	snprintf(limit, sizeof(limit), "%zu", batch);
	snprintf(ver, sizeof(ver), "%d", self->version);
	vals[0] = ver;
	vals[1] = self->data_hash;
	vals[2] = self->rx_pending;
	vals[3] = limit;
	n = batch_prologue(self, st);
	k = n;
	st[n] =
	    (struct stmt){ .name = "reextract_select", .n = 4, .vals = vals };
	/* Binary results: raw as bytes, not hex. */
	n++;
	for (i = 0; i < n; i++)
		r[i] = NULL;
	if (!PQenterPipelineMode(self->conn)) {
		self->broken = true;
		return ERR_DB_TRANSIENT;
	}
	{
		/* pipe_run() asks for text results; this one wants binary. */
		int ok = 1, got = 0, nulls = 0;

		for (i = 0; ok && i < n; i++)
			ok = st[i].name
			         ? PQsendQueryPrepared(self->conn, st[i].name,
			                               st[i].n, st[i].vals,
			                               NULL, NULL, 1)
			         : PQsendQueryParams(self->conn, st[i].sql, 0,
			                             NULL, NULL, NULL, NULL, 0);
		ok = ok && PQpipelineSync(self->conn);
		while (ok) {
			PGresult *x = PQgetResult(self->conn);

			if (x == NULL) {
				if (PQstatus(self->conn) != CONNECTION_OK ||
				    ++nulls > 2)
					break;
				continue;
			}
			nulls = 0;
			if (PQresultStatus(x) == PGRES_PIPELINE_SYNC) {
				PQclear(x);
				break;
			}
			if (got < n)
				r[got++] = x;
			else
				PQclear(x);
		}
		PQexitPipelineMode(self->conn);
		failed = -1;
		for (i = 0; i < n; i++)
			if (!store_pg_ok(r[i])) {
				failed = i;
				break;
			}
	}
	batch_prologue_done(self, k, r);
	cls = check_pipe(self, st, failed, r, "reextract", why, sizeof(why));
	if (cls != CLASS_OK) {
		clear_all(r, n);
		self->broken = true;
		return ERR_DB_TRANSIENT;
	}
	rows = PQntuples(r[n - 1]);
	for (i = 0; i < rows; i++) {
		const PGresult *x = r[n - 1];
		struct store_article a = { 0 };
		const char *rx = field(x, i, 6);

		a.sha256 = field(x, i, 0);
		a.raw = PQgetvalue(x, i, 1);
		a.raw_len = (size_t)PQgetlength(x, i, 1);
		a.uri = field(x, i, 2);
		a.feed = field(x, i, 3);
		a.content_type = field(x, i, 4);
		a.charset_hint = field(x, i, 5);
		a.received_us = rx && PQgetlength(x, i, 6) == 8 ? be64(rx) : 0;
		if (a.sha256 == NULL || strlen(a.sha256) >= 65)
			continue;
		rc = fn(ctx, self, &a);
		snprintf(self->rx_pending, sizeof(self->rx_pending), "%s",
		         a.sha256);
		if (rc == ERR_DB_TRANSIENT || rc == ERR_DB_PERMANENT) {
			clear_all(r, n);
			return rc;
		}
		if (rc != 0)
			log_warn("store.reextract_failed",
			         LF_STR("id", a.sha256),
			         LF_STR("error", err_str(rc)));
		handled++;
	}
	clear_all(r, n);
	if (rows == 0) {
		/* The end: the next call starts a new pass. */
		self->rx_after[0] = self->rx_pending[0] = '\0';
	}
	return handled;
}
