/* main.c - ingestd: configuration, wiring, the loop, teardown.
 *
 * Accepts raw articles into a spool directory and hands them to extractd
 * workers over ZeroMQ (docs/PROTOCOL.md); forgets one only after a worker
 * acked it. */
#include "broker.h"
#include "cfg.h"
#include "err.h"
#include "http.h"
#include "httpin.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "mq.h"
#include "queue.h"
#include "sig.h"
#include "spool.h"
#include "stdinin.h"
#include "watch.h"
#include "wire.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define INGESTD_VERSION "0.1.0"

static struct {
	char *spool;
	char *bind;
	bool read_stdin;
	long max_article_bytes;
	long min_free_mb;
	long done_retention;
	long max_attempts;
	long heartbeat_ms;
	long worker_timeout_ms;
	long max_credit;
	long max_lease_ms;
	long drain_ms;
	char *http;
	bool http_intake;
	char *http_intake_listen;
	char *log_format;
	char *log_level;
	char *curve_secret_key_file;
	char *curve_allow_file;
} cfg;

static const struct cfg_opt opts[] = {
	{ "spool", CFG_STR, &cfg.spool, NULL,
	  "spool directory (incoming/ done/ failed/ tmp/ are created)", true },
	{ "bind", CFG_STR, &cfg.bind, "tcp://127.0.0.1:5555",
	  "ZeroMQ endpoint the workers connect to" },
	{ "stdin", CFG_BOOL, &cfg.read_stdin, "false",
	  "also accept JSON lines on standard input" },
	{ "max-article-bytes", CFG_INT, &cfg.max_article_bytes, "4M",
	  "larger articles go to failed/ with a reason" },
	{ "min-free-mb", CFG_INT, &cfg.min_free_mb, "64",
	  "stop intake when the spool's disk has less free space" },
	{ "done-retention", CFG_INT, &cfg.done_retention, "24",
	  "hours acked articles stay in done/ (0: delete at once)" },
	{ "max-attempts", CFG_INT, &cfg.max_attempts, "5",
	  "attempts (worker failures or deaths) before failed/" },
	{ "heartbeat-ms", CFG_INT, &cfg.heartbeat_ms, "1000",
	  "heartbeat interval" },
	{ "worker-timeout-ms", CFG_INT, &cfg.worker_timeout_ms, "60000",
	  "a worker silent this long is gone; its leases come back (one "
	  "that disconnects is noticed at once)" },
	{ "max-credit", CFG_INT, &cfg.max_credit, "64",
	  "largest window a worker is granted, whatever it asks (memory: "
	  "up to this many bodies per worker)" },
	{ "max-lease-ms", CFG_INT, &cfg.max_lease_ms, "1800000",
	  "a lease older than this is taken back as a failed attempt, "
	  "however alive its holder (0: no limit)" },
	{ "drain-ms", CFG_INT, &cfg.drain_ms, "20000",
	  "on SIGTERM, how long to wait for outstanding leases" },
	{ "http", CFG_STR, &cfg.http, "",
	  "HOST:PORT for /metrics /healthz /readyz (off when empty)" },
	{ "http-intake", CFG_BOOL, &cfg.http_intake, "false",
	  "also accept articles by POST /articles on --http (body: the raw "
	  "bytes; headers X-Article-URI, X-Article-Feed, Content-Type)" },
	{ "http-intake-listen", CFG_STR, &cfg.http_intake_listen, "",
	  "HOST:PORT: serve POST /articles there instead of on --http, so "
	  "that feeders' connections never take the probes' (implies "
	  "--http-intake; needs --http)" },
	{ "log-format", CFG_STR, &cfg.log_format, "plain", "plain or json" },
	{ "log-level", CFG_STR, &cfg.log_level, "info",
	  "debug, info, warn or error" },
	{ "curve-secret-key-file", CFG_STR, &cfg.curve_secret_key_file, "",
	  "CURVE: our secret key (Z85); enables encryption" },
	{ "curve-allow-file", CFG_STR, &cfg.curve_allow_file, "",
	  "CURVE: worker public keys allowed in (Z85, one per line)" },
	{ 0 },
};

/* The intakes, one row each: a new intake is its own file (an
 * intake_driver, see intake.h) plus a row here and its counters in
 * register_metrics(). The spool watcher is always on: it is how files a
 * feeder drops, and what the HTTP thread writes, reach the queue. */
enum { IN_SPOOL, IN_STDIN, IN_HTTP, IN_N };
static const struct {
	const struct intake_driver *drv;
	const bool *on; /* its config switch; NULL: always */
} intakes[IN_N] = {
	[IN_SPOOL] = { &watch_driver, NULL },
	[IN_STDIN] = { &stdinin_driver, &cfg.read_stdin },
	[IN_HTTP] = { &httpin_driver, &cfg.http_intake },
};

/* Everything the loop runs, built by start() and freed by teardown(). */
struct ingestd {
	struct broker_metrics bm;
	struct intake_counters ic[IN_N];
	metric_t *backlog, *backlog_bytes, *free_bytes, *denied;
	spool_t *spool;
	queue_t *queue;
	intake_t *seam;
	void *in[IN_N]; /* NULL: off */
	mq_ctx_t *ctx;
	mq_t *router;
	broker_t *broker;
	bool serving;
	int64_t drain_until, last_sweep;
};

/* Read by the HTTP thread: atomics only. */
static atomic_llong s_loop_ms;
static atomic_bool s_draining;
static intake_t *s_seam; /* set before the server starts */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
healthz(void *ctx, const char **why)
{
	(void)ctx;
	/* The loop wakes at least every 250 ms; 10 s means it is stuck. */
	if (now_ms() - atomic_load(&s_loop_ms) > 10000) {
		*why = "event loop stalled";
		return false;
	}
	return true;
}

static bool
readyz(void *ctx, const char **why)
{
	(void)ctx;
	if (atomic_load(&s_draining)) {
		*why = "draining";
		return false;
	}
	return healthz(NULL, why) && intake_ready(s_seam, why);
}

static void
retake(void *ctx, const char *name)
{
	watch_take(ctx, name);
}

/* The order of registration is the order of /metrics. */
static void
register_metrics(struct ingestd *d)
{
	struct broker_metrics *bm = &d->bm;
	struct intake_counters *sp = &d->ic[IN_SPOOL], *in = &d->ic[IN_STDIN];
	char label[64];

	sp->accepted = metrics_counter(
	    "ingestd_articles_received_total", "source=\"spool\"",
	    "Articles accepted (durable in the spool)");
	in->accepted = metrics_counter(
	    "ingestd_articles_received_total", "source=\"stdin\"",
	    "Articles accepted (durable in the spool)");
	sp->duplicate = in->duplicate = metrics_counter(
	    "ingestd_articles_duplicate_total", NULL,
	    "Articles whose bytes were already queued (dropped twice)");
	sp->too_big = in->too_big =
	    metrics_counter("ingestd_articles_too_big_total", NULL,
	                    "Articles refused for --max-article-bytes");
	bm->refused = sp->too_big;
	in->refused = metrics_counter(
	    "ingestd_stdin_malformed_total", NULL,
	    "Standard input lines that were not a valid article");
	d->free_bytes = metrics_gauge("ingestd_spool_free_bytes", NULL,
	                              "Free space on the spool's disk");
	sp->lost =
	    metrics_counter("ingestd_inotify_overflows_total", NULL,
	                    "inotify queue overflows (each causes a rescan)");
	bm->dispatched = metrics_counter("ingestd_articles_dispatched_total",
	                                 NULL, "WORK messages sent");
	for (int i = 1; i < WIRE_STATUS_N; i++) {
		snprintf(label, sizeof(label), "status=\"%s\"",
		         wire_status_str((enum wire_status)i));
		bm->acked[i] = metrics_counter("ingestd_articles_acked_total",
		                               label, "ACKs by status");
	}
	bm->redelivered =
	    metrics_counter("ingestd_articles_redelivered_total", NULL,
	                    "Articles given back after a counted attempt");
	bm->poison = metrics_counter(
	    "ingestd_articles_poison_total", NULL,
	    "Articles moved to failed/ after --max-attempts attempts");
	bm->failed = metrics_counter(
	    "ingestd_articles_failed_total", NULL,
	    "Articles moved to failed/ (poison, rejected, too big)");
	sp->to_failed = bm->failed;
	bm->leases = metrics_gauge("ingestd_leases_in_flight", NULL,
	                           "Articles leased to workers, not acked");
	bm->workers = metrics_gauge("ingestd_workers_connected", NULL,
	                            "Workers heard from recently");
	bm->acks_ignored = metrics_counter(
	    "ingestd_acks_ignored_total", NULL,
	    "ACKs ignored: the sender does not hold the article's lease");
	bm->lease_expired = metrics_counter(
	    "ingestd_leases_expired_total", NULL,
	    "Leases taken back for being older than --max-lease-ms");
	bm->malformed = metrics_counter(
	    "ingestd_messages_malformed_total", NULL,
	    "Messages from the socket that were dropped as malformed");
	d->backlog = metrics_gauge("ingestd_spool_backlog", NULL,
	                           "Articles in incoming/ not yet acked");
	d->backlog_bytes = metrics_gauge("ingestd_spool_backlog_bytes", NULL,
	                                 "Bytes of the backlog");
}

static void
register_http_metrics(struct intake_counters *hm)
{
	static const char *const help =
	    "POST /articles requests by outcome (accepted: durable in the "
	    "spool; the spool source counts them again when queued)";

	hm->accepted = metrics_counter("ingestd_http_articles_total",
	                               "status=\"accepted\"", help);
	hm->too_big = metrics_counter("ingestd_http_articles_total",
	                              "status=\"too_big\"", help);
	hm->refused = metrics_counter("ingestd_http_articles_total",
	                              "status=\"refused\"", help);
	hm->write_failed = metrics_counter("ingestd_http_articles_total",
	                                   "status=\"failed\"", help);
}

/* Each mistake named with its flag, value and what is allowed; 0 or -1
 * after printing it. */
static int
check_config(enum log_level *level, enum log_format *format)
{
	static const char *const prog = "ingestd";

	if (cfg_log_opts(prog, cfg.log_level, cfg.log_format, level, format) !=
	    0)
		return -1;
	if (cfg.max_article_bytes <= 0)
		return cfg_invalid_int(prog, "max-article-bytes",
		                       cfg.max_article_bytes,
		                       "must be at least 1 (bytes; k, M, G)");
	if (cfg.min_free_mb < 0)
		return cfg_invalid_int(prog, "min-free-mb", cfg.min_free_mb,
		                       "must be 0 or more");
	if (cfg.max_attempts < 1)
		return cfg_invalid_int(prog, "max-attempts", cfg.max_attempts,
		                       "must be at least 1");
	if (cfg.heartbeat_ms < 10)
		return cfg_invalid_int(prog, "heartbeat-ms", cfg.heartbeat_ms,
		                       "must be at least 10");
	if (cfg.worker_timeout_ms < 2 * cfg.heartbeat_ms) {
		char allowed[96];

		snprintf(allowed, sizeof(allowed),
		         "must be at least two heartbeats (--heartbeat-ms is "
		         "%ld)",
		         cfg.heartbeat_ms);
		return cfg_invalid_int(prog, "worker-timeout-ms",
		                       cfg.worker_timeout_ms, allowed);
	}
	if (cfg.max_credit < 1 || cfg.max_credit > 100000)
		return cfg_invalid_int(prog, "max-credit", cfg.max_credit,
		                       "must be 1 to 100000");
	if (cfg.max_lease_ms < 0)
		return cfg_invalid_int(prog, "max-lease-ms", cfg.max_lease_ms,
		                       "must be 0 (no limit) or more");
	if (cfg.done_retention < 0)
		return cfg_invalid_int(
		    prog, "done-retention", cfg.done_retention,
		    "must be 0 (delete at once) or more hours");
	if (cfg.drain_ms < 0)
		return cfg_invalid_int(prog, "drain-ms", cfg.drain_ms,
		                       "must be 0 or more");
	if (!cfg_is_endpoint(cfg.bind))
		return cfg_invalid(prog, "bind", cfg.bind,
		                   "want a ZeroMQ endpoint: tcp://HOST:PORT "
		                   "(tcp://127.0.0.1:5555), ipc://PATH");
	if (*cfg.http && !cfg_is_hostport(cfg.http))
		return cfg_invalid(prog, "http", cfg.http,
		                   "want HOST:PORT (127.0.0.1:9100), or empty "
		                   "for off");
	if (*cfg.http_intake_listen && !cfg_is_hostport(cfg.http_intake_listen))
		return cfg_invalid(
		    prog, "http-intake-listen", cfg.http_intake_listen,
		    "want HOST:PORT (0.0.0.0:8080), or empty for "
		    "POST /articles on --http");
	if (*cfg.http_intake_listen)
		cfg.http_intake = true;
	if (cfg.http_intake && !*cfg.http)
		return cfg_invalid(prog, "http-intake", "true",
		                   "needs --http HOST:PORT to listen on");
	return 0;
}

static int64_t
wall_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Starts every intake whose switch is on, in the table's order (the
 * watcher first: its scan queues what a previous run left). */
static int
start_intakes(struct ingestd *d)
{
	for (int i = 0; i < IN_N; i++) {
		if (intakes[i].on && !*intakes[i].on)
			continue;
		d->in[i] = intakes[i].drv->start(d->seam, &d->ic[i]);
		if (!d->in[i])
			return -1;
	}
	return 0;
}

/* Metrics, spool, queue, intakes, socket, broker, HTTP server: 0, or -1
 * (logged) with what was built left for teardown(). */
static int
start(struct ingestd *d)
{
	struct mq_curve curve = { 0 };
	sigset_t saved;
	int rc;

	register_metrics(d);
	d->denied = metrics_counter("ingestd_auth_denied_total", NULL,
	                            "CURVE clients refused by the allow-list");
	if (cfg.http_intake)
		register_http_metrics(&d->ic[IN_HTTP]);
	d->spool = spool_open(cfg.spool);
	if (!d->spool)
		return -1;
	d->queue = queue_new();
	d->seam = intake_new(
	    &(struct intake_opts){ cfg.max_article_bytes, cfg.min_free_mb,
	                           cfg.done_retention },
	    d->spool, d->queue, &(struct intake_metrics){ d->free_bytes });
	s_seam = d->seam;
	if (start_intakes(d) != 0)
		return -1;
	/* Refusals a worker has not recorded yet (the last run stopped
	 * before its ACK): their notices go out again. */
	intake_queue_notices(d->seam);

	curve.secret_key_file = cfg.curve_secret_key_file;
	curve.allow_file = cfg.curve_allow_file;
	curve.denied = d->denied;
	d->ctx = mq_ctx_new();
	if (!d->ctx)
		return -1;
	d->router = mq_router_new(d->ctx, cfg.bind, 64 * 1024, &curve);
	if (!d->router)
		return -1;
	d->broker = broker_new(
	    &(struct broker_opts){
	        (uint64_t)wall_us(), cfg.heartbeat_ms, cfg.worker_timeout_ms,
	        cfg.max_attempts, cfg.max_article_bytes, cfg.done_retention,
	        retake, d->in[IN_SPOOL], cfg.max_credit, cfg.max_lease_ms },
	    d->router, d->queue, d->spool, &d->bm);
	atomic_store(&s_loop_ms, now_ms());
	if (*cfg.http) {
		int port = 0;

		/* The HTTP thread writes into incoming/ and the watcher tells
		 * the loop (httpin.h): nothing else is shared. */
		sig_block_all(&saved);
		rc = *cfg.http_intake_listen
		         ? http_serve_posts(cfg.http_intake_listen, 0, NULL)
		         : 0;
		if (rc == 0)
			rc = http_serve(cfg.http, healthz, readyz, NULL, &port);
		sig_restore(&saved);
		if (rc != 0)
			return -1;
		d->serving = true;
	}
	return 0;
}

/* SIGTERM: stop intake and dispatching; wait for what is out. */
static void
begin_drain(struct ingestd *d, int64_t now)
{
	d->drain_until = now + cfg.drain_ms;
	/* Intakes first: once /readyz says draining, no POST is accepted any
	 * more. */
	for (int i = 0; i < IN_N; i++)
		if (d->in[i])
			intakes[i].drv->stop(d->in[i]);
	atomic_store(&s_draining, true);
	log_info("ingestd.draining", LF_INT("leases", queue_leased(d->queue)),
	         LF_INT("drain_ms", cfg.drain_ms));
}

/* One wait on the socket and the intakes' fds, and what they have. 0, or
 * ERR_ZMQ when the wait failed. */
static int
poll_once(struct ingestd *d, int64_t *now)
{
	struct mq_pollitem it[MQ_POLL_MAX];
	int who[MQ_POLL_MAX]; /* the intake behind it[k]; -1: the socket */
	size_t n = 0;

	it[n] = (struct mq_pollitem){ d->router, -1, false };
	who[n++] = -1;
	for (int i = 0; i < IN_N && n < MQ_POLL_MAX; i++) {
		int fd = d->in[i] && intakes[i].drv->fd
		             ? intakes[i].drv->fd(d->in[i])
		             : -1;

		if (fd < 0)
			continue;
		it[n] = (struct mq_pollitem){ NULL, fd, false };
		who[n++] = i;
	}
	if (mq_poll(it, n, 250) < 0)
		return ERR_ZMQ;
	*now = now_ms();
	atomic_store(&s_loop_ms, *now);
	for (size_t k = 0; k < n; k++) {
		if (!it[k].readable)
			continue;
		if (who[k] < 0)
			broker_recv(d->broker, *now);
		else
			intakes[who[k]].drv->on_readable(d->in[who[k]]);
	}
	return 0;
}

/* The loop until drained: 0, or 1 when it could not wait any more. */
static int
run(struct ingestd *d)
{
	int64_t now = now_ms();

	log_info("ingestd.started", LF_STR("spool", cfg.spool),
	         LF_STR("bind", mq_bound_endpoint(d->router)),
	         LF_INT("queued", queue_waiting(d->queue)));
	if (cfg.done_retention > 0)
		spool_sweep_done(d->spool, cfg.done_retention);
	d->last_sweep = now;
	metrics_stats_tick(now);
	for (;;) {
		if (poll_once(d, &now) != 0) {
			/* mq.poll_failed said why; the articles stay in
			 * incoming/ for the next start. */
			log_error(
			    "ingestd.loop_failed",
			    LF_INT("queued", queue_waiting(d->queue)),
			    LF_INT("leases_left", queue_leased(d->queue)));
			return 1;
		}
		if (sig_stopping() && !d->drain_until)
			begin_drain(d, now);
		intake_tick(d->seam, now);
		for (int i = 0; i < IN_N; i++)
			if (d->in[i] && intakes[i].drv->tick)
				intakes[i].drv->tick(d->in[i], now);
		broker_tick(d->broker, now, d->drain_until != 0);
		metrics_set(d->backlog, (double)(queue_waiting(d->queue) +
		                                 queue_leased(d->queue)));
		metrics_set(d->backlog_bytes, (double)queue_bytes(d->queue));
		if (d->drain_until &&
		    (queue_leased(d->queue) == 0 || now >= d->drain_until)) {
			if (queue_leased(d->queue) > 0)
				log_warn(
				    "ingestd.drain_timeout",
				    LF_INT("leases", queue_leased(d->queue)));
			break;
		}
		metrics_stats_tick(now);
		if (cfg.done_retention > 0 && now - d->last_sweep >= 600000) {
			d->last_sweep = now;
			spool_sweep_done(d->spool, cfg.done_retention);
		}
	}
	log_info("ingestd.stopped", LF_INT("queued", queue_waiting(d->queue)),
	         LF_INT("leases_left", queue_leased(d->queue)));
	return 0;
}

/* Frees what start() built, in reverse; the HTTP server first, so no
 * handler runs while its intake goes. */
static void
teardown(struct ingestd *d)
{
	if (d->serving)
		http_stop();
	broker_destroy(&d->broker);
	mq_destroy(&d->router);
	mq_ctx_destroy(&d->ctx);
	for (int i = IN_N - 1; i >= 0; i--)
		if (d->in[i])
			intakes[i].drv->destroy(&d->in[i]);
	s_seam = NULL;
	intake_destroy(&d->seam);
	queue_destroy(&d->queue);
	spool_close(&d->spool);
}

int
main(int argc, char **argv)
{
	struct ingestd d = { 0 };
	enum log_level level;
	enum log_format format;
	int rc, exit_code = 1;

	rc = cfg_parse(opts, "ingestd", "INGESTD_", INGESTD_VERSION, argc, argv,
	               NULL);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (check_config(&level, &format) != 0) {
		cfg_free(opts, NULL);
		return 2;
	}
	log_setup(level, format, "ingestd");
	cfg_log(opts);
	if (sig_install() != 0)
		log_error("signals.failed");
	else if (start(&d) == 0)
		exit_code = run(&d);
	teardown(&d);
	cfg_free(opts, NULL);
	return exit_code;
}
