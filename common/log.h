/* log.h - one event per line on stderr, plain or JSON.
 *
 *   log_info("spool.accepted", LF_STR("id", id), LF_INT("bytes", n));
 *   2026-01-21T08:42:07.113Z info spool.accepted id=5d3d27 bytes=6038
 *   {"ts":"2026-01-21T08:42:07.113Z","level":"info","event":
 *    "spool.accepted","id":"5d3d27","bytes":6038}
 *
 * Events are stable dotted ids; values go in fields. The level is checked
 * before anything is formatted. Thread-safe (one write(2) per line). Never
 * log article bodies or passwords. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_PLAIN, LOG_JSON };

struct log_field {
	const char *key;
	int type; /* 0 end, 1 string, 2 integer, 3 double */
	const char *s;
	int64_t i;
	double d;
};

#define LF_STR(k, v) ((struct log_field){ (k), 1, (v), 0, 0 })
#define LF_INT(k, v) ((struct log_field){ (k), 2, NULL, (int64_t)(v), 0 })
#define LF_DBL(k, v) ((struct log_field){ (k), 3, NULL, 0, (double)(v) })

/* Parses "debug|info|warn|error" and "plain|json"; 0 or -1. */
int log_parse_level(const char *s, enum log_level *out);
int log_parse_format(const char *s, enum log_format *out);
void log_setup(enum log_level level, enum log_format format,
               const char *program);
int log_enabled(enum log_level level);

void log_emit(enum log_level level, const char *event,
              const struct log_field *fields, int n);

#define LOG__N(...)                                                            \
	(int)(sizeof((struct log_field[]){ __VA_ARGS__ }) /                    \
	      sizeof(struct log_field))
#define LOG__(lvl, ev, ...)                                                    \
	do {                                                                   \
		if (log_enabled(lvl)) {                                        \
			struct log_field lf__[] = { LF_STR(NULL, NULL),        \
				                    ##__VA_ARGS__ };           \
			log_emit(lvl, ev, lf__ + 1,                            \
			         (int)(sizeof(lf__) / sizeof(lf__[0])) - 1);   \
		}                                                              \
	} while (0)
#define log_debug(ev, ...) LOG__(LOG_DEBUG, ev, ##__VA_ARGS__)
#define log_info(ev, ...) LOG__(LOG_INFO, ev, ##__VA_ARGS__)
#define log_warn(ev, ...) LOG__(LOG_WARN, ev, ##__VA_ARGS__)
#define log_error(ev, ...) LOG__(LOG_ERROR, ev, ##__VA_ARGS__)

#endif
