/* log.c - formats one line per event and writes it with one write(2), so
 * lines from several threads never interleave. */
#include "log.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level s_level = LOG_INFO;
static enum log_format s_format = LOG_PLAIN;
static const char *s_program = "";

static const char *const s_names[] = { "debug", "info", "warn", "error" };

int
log_parse_level(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, s_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_parse_format(const char *s, enum log_format *out)
{
	if (s && !strcmp(s, "plain"))
		*out = LOG_PLAIN;
	else if (s && !strcmp(s, "json"))
		*out = LOG_JSON;
	else
		return -1;
	return 0;
}

void
log_setup(enum log_level level, enum log_format format, const char *program)
{
	s_level = level;
	s_format = format;
	s_program = program ? program : "";
}

int
log_enabled(enum log_level level)
{
	return level >= s_level;
}

struct line {
	char buf[8192];
	size_t n;
	int cut; /* something did not fit */
};

/* One value is cut at this many bytes (at a character boundary), so a
 * line with a few fields always fits and stays valid JSON. */
#define LOG_VALUE_MAX 1024

static void
put(struct line *l, const char *s, size_t n)
{
	/* Keep room for the newline; a longer line is cut, not dropped. */
	if (n > sizeof(l->buf) - 2 - l->n) {
		n = sizeof(l->buf) - 2 - l->n;
		l->cut = 1;
	}
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void
puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void
put_json_str(struct line *l, const char *s)
{
	const char *start = s;

	put(l, "\"", 1);
	for (; s && *s; s++) {
		/* Cut long values before a character's first byte. */
		if (s - start >= LOG_VALUE_MAX &&
		    ((unsigned char)*s & 0xC0) != 0x80) {
			puts_(l, "...");
			break;
		}
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c == '"' || c == '\\') {
			put(l, "\\", 1);
			put(l, s, 1);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			/* The short escapes read better in a plain line and
			 * are JSON too. */
			puts_(l, c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r");
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			puts_(l, esc);
		} else {
			put(l, s, 1);
		}
	}
	put(l, "\"", 1);
}

/* Plain values are quoted when they hold spaces, quotes or controls, so a
 * line always splits back into key=value pairs. */
static void
put_plain_str(struct line *l, const char *s)
{
	const char *p;

	if (!s) {
		puts_(l, "-");
		return;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '=')
			break;
	if (*p || !*s)
		put_json_str(l, s);
	else
		puts_(l, s);
}

/* A JSON line's fixed members, up to the event (the object left open). */
static void
json_head(struct line *l, const char *ts, enum log_level level,
          const char *event)
{
	puts_(l, "{\"ts\":\"");
	puts_(l, ts);
	puts_(l, "\",\"level\":\"");
	puts_(l, s_names[level]);
	puts_(l, "\",\"program\":");
	put_json_str(l, s_program);
	puts_(l, ",\"event\":");
	put_json_str(l, event);
}

void
log_emit(enum log_level level, const char *event,
         const struct log_field *fields, int n)
{
	struct line l;
	struct timeval tv;
	struct tm tm;
	char ts[64], num[64];

	l.n = 0;
	l.cut = 0;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
	if (s_format == LOG_JSON) {
		json_head(&l, ts, level, event);
	} else {
		puts_(&l, ts);
		puts_(&l, " ");
		puts_(&l, s_names[level]);
		puts_(&l, " ");
		puts_(&l, event);
	}
	for (int i = 0; i < n; i++) {
		const struct log_field *f = &fields[i];

		if (s_format == LOG_JSON) {
			puts_(&l, ",");
			put_json_str(&l, f->key);
			puts_(&l, ":");
		} else {
			puts_(&l, " ");
			puts_(&l, f->key);
			puts_(&l, "=");
		}
		switch (f->type) {
		case 1:
			if (s_format == LOG_JSON) {
				if (f->s)
					put_json_str(&l, f->s);
				else
					puts_(&l, "null");
			} else {
				put_plain_str(&l, f->s);
			}
			break;
		case 2:
			snprintf(num, sizeof(num), "%lld", (long long)f->i);
			puts_(&l, num);
			break;
		default:
			if (isfinite(f->d))
				snprintf(num, sizeof(num), "%.6g", f->d);
			else
				snprintf(num, sizeof(num), "null");
			puts_(&l, num);
		}
	}
	if (s_format == LOG_JSON && l.cut) {
		/* Too many fields to fit: a shorter line that still parses
		 * beats a long one that does not. */
		l.n = 0;
		l.cut = 0;
		json_head(&l, ts, level, event);
		puts_(&l, ",\"truncated\":true");
	}
	if (s_format == LOG_JSON)
		puts_(&l, "}");
	l.buf[l.n++] = '\n';
	/* stderr is unbuffered: one write, whole line, ignore a closed fd. */
	if (write(STDERR_FILENO, l.buf, l.n) < 0)
		return;
}
