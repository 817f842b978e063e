/* zsend.c - a raw ZeroMQ client for the integration tests (python3 has no
 * ZeroMQ binding here): connects a DEALER to ingestd and plays a script.
 *
 *   zsend ENDPOINT [--curve SERVER_KEY SECRET_KEY_FILE] ACTION...
 *
 *   raw HEX        send one frame of these bytes (malformed on purpose)
 *   zeros N        send one frame of N zero bytes (above a size limit)
 *   ready N        send READY credit=N
 *   hb             send a worker heartbeat (credit 0)
 *   ack ID STATUS  send ACK (stored|duplicate|rejected|failed)
 *   recv MS        receive for MS milliseconds; prints one line per
 *                  message: "heartbeat EPOCH", "work ID BYTES ATTEMPT",
 *                  "malformed ERR"
 *   ackall STATUS  ACK every WORK received so far with STATUS
 *   sleep MS
 *
 * Exits 0 when the script ran, 2 on usage errors. */
#include "err.h"
#include "log.h"
#include "mq.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
send_msg(mq_t *s, const struct wire_msg *m)
{
	void *buf;
	size_t len;
	int rc = wire_pack(m, &buf, &len);

	if (rc == 0) {
		rc = mq_send(s, NULL, 0, buf, len);
		free(buf);
	}
	return rc;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Ids of the WORK received, for ackall. */
static char s_ids[64][65];
static int s_n_ids;

static enum wire_status
status_of(const char *s)
{
	for (int k = 1; k < WIRE_STATUS_N; k++)
		if (!strcmp(s, wire_status_str((enum wire_status)k)))
			return (enum wire_status)k;
	return (enum wire_status)0;
}

static void
recv_for(mq_t *s, long ms)
{
	long long end = now_ms() + ms;

	for (;;) {
		struct mq_pollitem it = { s, -1, false };
		long long left = end - now_ms();
		struct mq_msg raw;
		struct wire_msg m;
		int rc;

		if (left <= 0)
			break;
		if (mq_poll(&it, 1, (long)left) <= 0)
			continue;
		while (mq_recv(s, &raw) == 0) {
			rc = wire_unpack(raw.data, raw.len, 64 << 20, &m);
			if (rc != 0) {
				printf("malformed %s\n", err_str(rc));
			} else if (m.type == WIRE_HEARTBEAT) {
				printf("heartbeat %llu\n",
				       (unsigned long long)m.epoch);
			} else if (m.type == WIRE_WORK) {
				printf("work %s %zu %u\n", m.art.id,
				       m.art.body_len, m.art.attempt);
				if (s_n_ids < 64)
					snprintf(s_ids[s_n_ids++], 65, "%s",
					         m.art.id);
			} else {
				printf("other %s\n", wire_type_str(m.type));
			}
			if (rc == 0)
				wire_msg_clear(&m);
			mq_msg_clear(&raw);
			fflush(stdout);
		}
	}
}

int
main(int argc, char **argv)
{
	struct mq_curve curve = { 0 };
	mq_ctx_t *ctx;
	mq_t *s;
	int i = 2;

	if (argc < 2) {
		fprintf(stderr, "usage: zsend ENDPOINT [--curve KEY FILE] "
		                "ACTION...\n");
		return 2;
	}
	log_setup(LOG_WARN, LOG_PLAIN, "zsend");
	if (argc > 4 && !strcmp(argv[2], "--curve")) {
		curve.server_key = argv[3];
		curve.secret_key_file = argv[4];
		i = 5;
	}
	ctx = mq_ctx_new();
	s = ctx ? mq_dealer_new(ctx, argv[1], -1, 1000, &curve) : NULL;
	if (!s)
		return 1;
	for (; i < argc; i++) {
		struct wire_msg m;

		memset(&m, 0, sizeof(m));
		if (!strcmp(argv[i], "raw") && i + 1 < argc) {
			const char *h = argv[++i];
			size_t n = strlen(h) / 2;
			unsigned char *b = malloc(n + 1);

			for (size_t k = 0; k < n; k++)
				b[k] = (unsigned char)(hexval(h[2 * k]) * 16 +
				                       hexval(h[2 * k + 1]));
			mq_send(s, NULL, 0, b, n);
			free(b);
		} else if (!strcmp(argv[i], "zeros") && i + 1 < argc) {
			size_t n = (size_t)atol(argv[++i]);
			void *b = calloc(1, n + 1);

			mq_send(s, NULL, 0, b, n);
			free(b);
		} else if (!strcmp(argv[i], "ready") && i + 1 < argc) {
			m.type = WIRE_READY;
			m.credit = (uint32_t)atol(argv[++i]);
			send_msg(s, &m);
		} else if (!strcmp(argv[i], "hb")) {
			m.type = WIRE_HEARTBEAT;
			send_msg(s, &m);
		} else if (!strcmp(argv[i], "ack") && i + 2 < argc) {
			m.type = WIRE_ACK;
			m.id = argv[++i];
			m.status = status_of(argv[++i]);
			m.reason = "zsend";
			if (send_msg(s, &m) != 0)
				fprintf(stderr, "zsend: bad ack\n");
		} else if (!strcmp(argv[i], "ackall") && i + 1 < argc) {
			m.type = WIRE_ACK;
			m.status = status_of(argv[++i]);
			m.reason = "zsend says so";
			for (int k = 0; k < s_n_ids; k++) {
				m.id = s_ids[k];
				send_msg(s, &m);
			}
			s_n_ids = 0;
		} else if (!strcmp(argv[i], "recv") && i + 1 < argc) {
			recv_for(s, atol(argv[++i]));
		} else if (!strcmp(argv[i], "sleep") && i + 1 < argc) {
			struct timespec ts;
			long ms = atol(argv[++i]);

			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
		} else {
			fprintf(stderr, "zsend: bad action %s\n", argv[i]);
			mq_destroy(&s);
			mq_ctx_destroy(&ctx);
			return 2;
		}
	}
	mq_destroy(&s);
	mq_ctx_destroy(&ctx);
	return 0;
}
