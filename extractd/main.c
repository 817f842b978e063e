/* main.c - extractd: configuration, modes, wiring, teardown.
 *
 *   extractd [--connect EP]...     worker (default): ingestd -> PostgreSQL
 *   extractd --json FILE...        extraction without database or ZeroMQ
 *   extractd --explain FILE...     the same, sentence by sentence, with rules
 *   extractd --migrate             apply migrations/, seed regions
 *   extractd --reextract           re-extract rows of older versions
 *   extractd --version             EXT_VERSION and the data files' hash
 *   extractd --keygen              a CURVE key pair */
#include "cfg.h"
#include "err.h"
#include "extload.h"
#include "extract/extract.h"
#include "http.h"
#include "jsonmode.h"
#include "log.h"
#include "metrics.h"
#include "mq.h"
#include "sig.h"
#include "store.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct {
	struct cfg_list connect;
	char *db;
	long inflight;
	long batch_size;
	long max_rows;
	long batch_ms;
	long batch_linger_ms;
	long max_article_bytes;
	long heartbeat_ms;
	long peer_timeout_ms;
	long db_backoff_max_ms;
	long drain_ms;
	long lock_timeout_ms;
	long statement_timeout_ms;
	long idle_tx_timeout_ms;
	long ready_stall_ms;
	char *data;
	char *migrations;
	char *charset;
	char *http;
	char *log_format;
	char *log_level;
	char *curve_secret_key_file;
	char *curve_public_key_file;
	char *curve_server_key;
	bool json;
	bool explain;
	bool text;
	bool migrate;
	bool reextract;
	bool version;
	bool keygen;
} cfg;

static const struct cfg_opt opts[] = {
	{ "connect", CFG_LIST, &cfg.connect, "tcp://127.0.0.1:5555",
	  "ingestd endpoint (repeat for several; one socket each)" },
	{ "db", CFG_SECRET, &cfg.db, "",
	  "libpq conninfo; empty: PG* environment variables" },
	{ "inflight", CFG_INT, &cfg.inflight, "32",
	  "credit window per endpoint" },
	{ "batch-size", CFG_INT, &cfg.batch_size, "16",
	  "articles per transaction" },
	{ "batch-ms", CFG_INT, &cfg.batch_ms, "200",
	  "commit a batch this long after its first article at the latest" },
	{ "batch-linger-ms", CFG_INT, &cfg.batch_linger_ms, "0",
	  "an idle batch waits this long for more work before COMMIT "
	  "(0: at once; at most --batch-ms)" },
	{ "max-article-bytes", CFG_INT, &cfg.max_article_bytes, "4M",
	  "larger articles are rejected with a reason" },
	{ "max-rows-per-article", CFG_INT, &cfg.max_rows, "20000",
	  "articles with more figures + pairings + flows are rejected with "
	  "the counts (0: no limit)" },
	{ "heartbeat-ms", CFG_INT, &cfg.heartbeat_ms, "1000",
	  "heartbeat interval" },
	{ "peer-timeout-ms", CFG_INT, &cfg.peer_timeout_ms, "5000",
	  "ingestd silent this long is lost (credit is granted again)" },
	{ "db-backoff-max-ms", CFG_INT, &cfg.db_backoff_max_ms, "3000",
	  "cap of the PostgreSQL reconnect backoff" },
	{ "drain-ms", CFG_INT, &cfg.drain_ms, "20000",
	  "on SIGTERM, how long to finish what is in hand" },
	{ "lock-timeout-ms", CFG_INT, &cfg.lock_timeout_ms, "5000",
	  "PostgreSQL lock_timeout" },
	{ "statement-timeout-ms", CFG_INT, &cfg.statement_timeout_ms, "30000",
	  "PostgreSQL statement_timeout" },
	{ "idle-tx-timeout-ms", CFG_INT, &cfg.idle_tx_timeout_ms, "60000",
	  "PostgreSQL idle_in_transaction_session_timeout" },
	{ "ready-stall-ms", CFG_INT, &cfg.ready_stall_ms, "10000",
	  "/readyz answers 503 while a batch has waited on PostgreSQL this "
	  "long (a lock; across lock-timeout retries; 0: never)" },
	{ "data", CFG_STR, &cfg.data, "",
	  "data directory (empty: built-in default)" },
	{ "migrations", CFG_STR, &cfg.migrations, "",
	  "migrations directory for --migrate (empty: built-in default)" },
	{ "charset", CFG_STR, &cfg.charset, "",
	  "--json: charset of the files (empty: detect)" },
	{ "http", CFG_STR, &cfg.http, "",
	  "HOST:PORT for /metrics /healthz /readyz (off when empty)" },
	{ "log-format", CFG_STR, &cfg.log_format, "plain", "plain or json" },
	{ "log-level", CFG_STR, &cfg.log_level, "info",
	  "debug, info, warn or error" },
	{ "curve-secret-key-file", CFG_STR, &cfg.curve_secret_key_file, "",
	  "CURVE: our secret key (Z85); enables encryption" },
	{ "curve-public-key-file", CFG_STR, &cfg.curve_public_key_file, "",
	  "CURVE: our public key (empty: derived from the secret key)" },
	{ "curve-server-key", CFG_STR, &cfg.curve_server_key, "",
	  "CURVE: ingestd's public key (Z85 or a file holding it)" },
	{ "json", CFG_BOOL, &cfg.json, "false",
	  "mode: print the extraction of FILE... as JSON lines" },
	{ "explain", CFG_BOOL, &cfg.explain, "false",
	  "mode: print what was found in each sentence of FILE... and "
	  "which rule made or refused each pairing and flow" },
	{ "text", CFG_BOOL, &cfg.text, "false",
	  "--json: add the normalised text to each line" },
	{ "migrate", CFG_BOOL, &cfg.migrate, "false",
	  "mode: apply database migrations and exit" },
	{ "reextract", CFG_BOOL, &cfg.reextract, "false",
	  "mode: re-extract articles of older versions and exit" },
	{ "version", CFG_BOOL, &cfg.version, "false",
	  "mode: print the extractor version and data hash" },
	{ "keygen", CFG_BOOL, &cfg.keygen, "false",
	  "mode: print a new CURVE key pair" },
	{ 0 },
};

static int
keygen(void)
{
	char pub[MQ_KEY_Z85_LEN + 1], sec[MQ_KEY_Z85_LEN + 1];

	if (mq_keygen(pub, sec) != 0) {
		fprintf(stderr, "extractd: libzmq has no CURVE support\n");
		return 1;
	}
	printf("# public key: give it to the other side (ingestd's "
	       "--curve-allow-file, or workers' --curve-server-key)\n%s\n"
	       "# secret key: keep it private (--curve-secret-key-file)\n%s\n",
	       pub, sec);
	return 0;
}

static bool
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
migrate(void)
{
	char divisions[4200];
	const char *mig = cfg.migrations;
	const char *data = *cfg.data ? cfg.data : extload_default_dir();
	int rc;

	if (!*mig)
		mig = is_dir(EXTRACTD_SOURCE_MIGRATIONS)
		          ? EXTRACTD_SOURCE_MIGRATIONS
		          : EXTRACTD_INSTALL_MIGRATIONS;
	snprintf(divisions, sizeof(divisions), "%s/divisions.tsv", data);
	rc = store_migrate(cfg.db, mig, divisions);
	if (rc != 0) {
		log_error("migrate.failed", LF_STR("dir", mig),
		          LF_STR("err", err_str(rc)));
		return 1;
	}
	return 0;
}

struct rx_ctx {
	const struct extload *el;
	size_t done;
};

static int
reextract_one(void *ctx, store_t *st, const struct store_article *a)
{
	struct rx_ctx *c = ctx;
	struct ext_options eo = { 0 };
	struct ext_result *res = NULL;
	enum store_status status;
	int rc;

	eo.charset = a->charset_hint;
	eo.max_bytes = (size_t)cfg.max_article_bytes;
	rc = ext_extract(c->el->tables, a->raw, a->raw_len, &eo, &res, NULL);
	if (rc != 0)
		return store_reject(st, a, "extract", ext_strerror(rc));
	rc = store_put(st, a, res, &status);
	ext_result_destroy(&res);
	if (rc == 0)
		c->done++;
	return rc;
}

static struct store_opts
store_opts(const struct extload *el)
{
	struct store_opts so = { 0 };

	so.conninfo = cfg.db;
	so.extractor_version = EXT_VERSION;
	so.data_hash = el->data_hash;
	so.lock_timeout_ms = cfg.lock_timeout_ms;
	so.idle_tx_timeout_ms = cfg.idle_tx_timeout_ms;
	so.statement_timeout_ms = cfg.statement_timeout_ms;
	return so;
}

static int
reextract(const struct extload *el)
{
	struct store_opts so = store_opts(el);
	struct rx_ctx c = { el, 0 };
	store_t *st = store_new(&so);
	int n;

	if (!st)
		return 1;
	while (!sig_stopping()) {
		n = store_reextract_batch(st, 32, reextract_one, &c);
		if (n < 0 || store_commit(st) != 0) {
			log_error("reextract.failed",
			          LF_STR("err", err_str(n)));
			store_destroy(&st);
			return 1;
		}
		if (n == 0)
			break;
	}
	log_info("reextract.done", LF_INT("articles", c.done));
	store_destroy(&st);
	return 0;
}

static int
run_worker(const struct extload *el)
{
	struct worker_opts wo = { 0 };
	worker_t *w;
	sigset_t saved;
	int rc;

	wo.connect = cfg.connect.v;
	wo.n_connect = cfg.connect.n;
	wo.curve.secret_key_file = cfg.curve_secret_key_file;
	wo.curve.public_key_file = cfg.curve_public_key_file;
	wo.curve.server_key = cfg.curve_server_key;
	wo.store = store_opts(el);
	wo.el = el;
	wo.inflight = cfg.inflight;
	wo.batch_size = cfg.batch_size;
	wo.batch_ms = cfg.batch_ms;
	wo.batch_linger_ms = cfg.batch_linger_ms;
	wo.max_article_bytes = cfg.max_article_bytes;
	wo.max_rows = cfg.max_rows;
	wo.heartbeat_ms = cfg.heartbeat_ms;
	wo.peer_timeout_ms = cfg.peer_timeout_ms;
	wo.backoff_max_ms = cfg.db_backoff_max_ms;
	wo.drain_ms = cfg.drain_ms;
	wo.ready_stall_ms = cfg.ready_stall_ms;
	w = worker_new(&wo);
	if (!w)
		return 1;
	if (*cfg.http) {
		sig_block_all(&saved);
		rc = http_serve(cfg.http, worker_healthz, worker_readyz, w,
		                NULL);
		sig_restore(&saved);
		if (rc != 0) {
			worker_destroy(&w);
			return 1;
		}
	}
	rc = worker_run(w);
	if (*cfg.http)
		http_stop();
	worker_destroy(&w);
	return rc;
}

/* A conninfo is key=value pairs or a postgres:// URI; a bare word would
 * be taken by libpq for something else and fail later, unexplained. */
static bool
looks_like_conninfo(const char *s)
{
	return !*s || strchr(s, '=') || !strncmp(s, "postgresql://", 13) ||
	       !strncmp(s, "postgres://", 11);
}

/* Each mistake named with its flag, value and what is allowed; 0 or -1
 * after printing it. */
static int
check_config(enum log_level *level, enum log_format *format)
{
	static const char *const prog = "extractd";
	const struct {
		const char *name;
		long v, min;
	} mins[] = {
		{ "inflight", cfg.inflight, 1 },
		{ "batch-size", cfg.batch_size, 1 },
		{ "batch-ms", cfg.batch_ms, 0 },
		{ "batch-linger-ms", cfg.batch_linger_ms, 0 },
		{ "max-article-bytes", cfg.max_article_bytes, 1 },
		{ "max-rows-per-article", cfg.max_rows, 0 },
		{ "heartbeat-ms", cfg.heartbeat_ms, 10 },
		{ "db-backoff-max-ms", cfg.db_backoff_max_ms, 100 },
		{ "drain-ms", cfg.drain_ms, 0 },
		{ "lock-timeout-ms", cfg.lock_timeout_ms, 0 },
		{ "statement-timeout-ms", cfg.statement_timeout_ms, 0 },
		{ "idle-tx-timeout-ms", cfg.idle_tx_timeout_ms, 0 },
		{ "ready-stall-ms", cfg.ready_stall_ms, 0 },
	};
	/* Only the worker talks to ingestd; --json and the like need no
	 * database either. */
	const bool uses_db =
	    !cfg.json && !cfg.explain && !cfg.version && !cfg.keygen;
	const bool worker = uses_db && !cfg.migrate && !cfg.reextract;
	char allowed[128];

	if (cfg_log_opts(prog, cfg.log_level, cfg.log_format, level, format) !=
	    0)
		return -1;
	for (size_t i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		if (mins[i].v >= mins[i].min)
			continue;
		snprintf(allowed, sizeof(allowed), "must be at least %ld",
		         mins[i].min);
		return cfg_invalid_int(prog, mins[i].name, mins[i].v, allowed);
	}
	if (cfg.batch_linger_ms > cfg.batch_ms) {
		snprintf(allowed, sizeof(allowed),
		         "must be at most --batch-ms (%ld)", cfg.batch_ms);
		return cfg_invalid_int(prog, "batch-linger-ms",
		                       cfg.batch_linger_ms, allowed);
	}
	if (cfg.peer_timeout_ms < 2 * cfg.heartbeat_ms) {
		snprintf(allowed, sizeof(allowed),
		         "must be at least two heartbeats (--heartbeat-ms is "
		         "%ld)",
		         cfg.heartbeat_ms);
		return cfg_invalid_int(prog, "peer-timeout-ms",
		                       cfg.peer_timeout_ms, allowed);
	}
	if (cfg.idle_tx_timeout_ms > 0 &&
	    cfg.idle_tx_timeout_ms <= cfg.batch_ms) {
		/* A batch's transaction idles up to --batch-ms: the server
		 * would end every session before its COMMIT, forever. */
		snprintf(allowed, sizeof(allowed),
		         "must be 0 (off) or above --batch-ms (%ld)",
		         cfg.batch_ms);
		return cfg_invalid_int(prog, "idle-tx-timeout-ms",
		                       cfg.idle_tx_timeout_ms, allowed);
	}
	for (size_t i = 0; worker && i < cfg.connect.n; i++)
		if (!cfg_is_endpoint(cfg.connect.v[i]))
			return cfg_invalid(
			    prog, "connect", cfg.connect.v[i],
			    "want a ZeroMQ endpoint: "
			    "tcp://HOST:PORT (tcp://127.0.0.1:5555), "
			    "ipc://PATH");
	if (worker && cfg.connect.n == 0)
		return cfg_invalid(prog, "connect", "",
		                   "want at least one ingestd endpoint");
	if (worker && *cfg.http && !cfg_is_hostport(cfg.http))
		return cfg_invalid(prog, "http", cfg.http,
		                   "want HOST:PORT (127.0.0.1:9101), or empty "
		                   "for off");
	if (uses_db && !looks_like_conninfo(cfg.db))
		return cfg_invalid(
		    prog, "db", cfg.db,
		    "not a libpq conninfo: want key=value pairs "
		    "('host=/var/run/postgresql dbname=eastwest'), a URI "
		    "('postgresql://user@host/eastwest'), or empty for the "
		    "PG* variables");
	return 0;
}

int
main(int argc, char **argv)
{
	struct cfg_list files = { 0 };
	struct extload el;
	enum log_level level;
	enum log_format format;
	char err[512];
	int rc, modes;

	rc = cfg_parse(opts, "extractd", "EXTRACTD_", NULL, argc, argv, &files);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	modes = cfg.json + cfg.explain + cfg.migrate + cfg.reextract +
	        cfg.version + cfg.keygen;
	if (modes > 1 || (files.n > 0 && !cfg.json && !cfg.explain) ||
	    ((cfg.json || cfg.explain) && files.n == 0)) {
		if (modes > 1)
			fprintf(stderr, "extractd: one mode at a time: "
			                "--json, --explain, --migrate, "
			                "--reextract, --version, --keygen (see "
			                "--help)\n");
		else if (files.n > 0)
			fprintf(stderr,
			        "extractd: unexpected argument \"%s\": "
			        "FILE... only with --json or --explain (see "
			        "--help)\n",
			        files.v[0]);
		else
			fprintf(stderr,
			        "extractd: --%s needs FILE... (see "
			        "--help)\n",
			        cfg.json ? "json" : "explain");
		rc = 2;
		goto out;
	}
	if (check_config(&level, &format) != 0) {
		rc = 2;
		goto out;
	}
	log_setup(level, format, "extractd");
	if (cfg.keygen) {
		rc = keygen();
		goto out;
	}
	if (cfg.migrate) {
		rc = migrate();
		goto out;
	}
	if (extload_open(&el, cfg.data, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "extractd: %s\n", err);
		rc = 1;
		goto out;
	}
	if (cfg.version) {
		printf("extractd %d %s\n", EXT_VERSION, el.data_hash);
		rc = 0;
	} else if (cfg.json || cfg.explain) {
		rc = jsonmode_run(
		    &el, files.v, files.n, (size_t)cfg.max_article_bytes,
		    *cfg.charset ? cfg.charset : NULL, cfg.text, cfg.explain);
	} else {
		cfg_log(opts);
		if (sig_install() != 0) {
			rc = 1;
		} else {
			log_info("extractd.started",
			         LF_INT("version", EXT_VERSION),
			         LF_STR("data_hash", el.data_hash),
			         LF_STR("data", el.data_dir),
			         LF_STR("t2s", el.t2s_note));
			rc = cfg.reextract ? reextract(&el) : run_worker(&el);
		}
	}
	extload_close(&el);
out:
	cfg_free(opts, &files);
	return rc;
}
