/* cfg.c - flags, PREFIX_* environment variables and defaults, from one
 * table (cfg.h).
 *
 * Values are applied in three passes over the same parser: the default,
 * then the environment, then the flags, so each later source overwrites
 * the earlier one and every source is validated the same way. */
#include "cfg.h"
#include "log.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Remembered for cfg_log(), which warns about unknown variables once the
 * daemon has set up its log format (a warning printed during parsing
 * would come out plain under --log-format=json). Points to the caller's
 * string literal. */
static const char *s_env_prefix;

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort(); /* daemons abort on OOM (STYLE.md 4) */
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

/* "curve-secret-key-file" + "INGESTD_" -> "INGESTD_CURVE_SECRET_KEY_FILE" */
static void
env_name(const char *prefix, const char *name, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = prefix; *p && n + 1 < len; p++)
		buf[n++] = *p;
	for (const char *p = name; *p && n + 1 < len; p++)
		buf[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	buf[n] = '\0';
}

static int
parse_int(const char *s, long *out)
{
	char *end;
	long v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno == ERANGE)
		return -1;
	if (*end == 'k' || *end == 'K')
		mul = 1024L, end++;
	else if (*end == 'M')
		mul = 1024L * 1024, end++;
	else if (*end == 'G')
		mul = 1024L * 1024 * 1024, end++;
	if (*end != '\0')
		return -1;
	if (v > LONG_MAX / mul || v < LONG_MIN / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static void
list_clear(struct cfg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
list_push(struct cfg_list *l, const char *s, size_t len)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	char *item = xmalloc(len + 1);

	if (!v)
		abort();
	memcpy(item, s, len);
	item[len] = '\0';
	l->v = v;
	l->v[l->n++] = item;
}

/* Comma list (environment, default); empty items are dropped. */
static void
list_split(struct cfg_list *l, const char *s)
{
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);

		if (n > 0)
			list_push(l, s, n);
		s += n;
		if (*s == ',')
			s++;
	}
}

/* Sets one option from text. append: a repeated flag adds to a list
 * instead of replacing it. 0, or -1 after printing why. */
static int
set_value(const struct cfg_opt *o, const char *prog, const char *src,
          const char *val, bool append)
{
	switch (o->type) {
	case CFG_STR:
	case CFG_SECRET: {
		char **t = o->target;

		free(*t);
		*t = xstrdup(val);
		return 0;
	}
	case CFG_INT:
		if (parse_int(val, o->target) != 0)
			break;
		return 0;
	case CFG_BOOL:
		if (parse_bool(val, o->target) != 0)
			break;
		return 0;
	case CFG_LIST: {
		struct cfg_list *l = o->target;

		if (!append)
			list_clear(l);
		if (append)
			list_push(l, val, strlen(val));
		else
			list_split(l, val);
		return 0;
	}
	}
	fprintf(stderr, "%s: invalid value for --%s (from %s): \"%s\": %s\n",
	        prog, o->name, src, val,
	        o->type == CFG_INT
	            ? "want a whole number, with an optional k, M or G suffix "
	              "for sizes"
	            : "want one of 1, 0, true, false, yes, no, on, off");
	return -1;
}

static void
print_help(const struct cfg_opt *opts, const char *prog, const char *env_prefix,
           bool has_version)
{
	char env[128];

	printf("usage: %s [OPTIONS]%s\n\noptions (flag beats environment "
	       "beats default):\n",
	       prog, "");
	for (const struct cfg_opt *o = opts; o->name; o++) {
		const char *arg = "";

		switch (o->type) {
		case CFG_STR:
		case CFG_SECRET:
			arg = " STR";
			break;
		case CFG_INT:
			arg = " N";
			break;
		case CFG_BOOL:
			arg = "";
			break;
		case CFG_LIST:
			arg = " STR (repeatable)";
			break;
		}
		env_name(env_prefix, o->name, env, sizeof(env));
		printf("  --%s%s%s\n      %s\n      env %s", o->name, arg,
		       o->required ? "  (required)" : "",
		       o->help ? o->help : "", env);
		if (o->def && *o->def)
			printf(", default %s", o->def);
		printf("\n");
	}
	printf("  --help\n      this text\n");
	if (has_version)
		printf("  --version\n      print the version and exit\n");
}

static const struct cfg_opt *
find_opt(const struct cfg_opt *opts, const char *name, size_t len)
{
	for (const struct cfg_opt *o = opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static void
init_target(const struct cfg_opt *o)
{
	switch (o->type) {
	case CFG_STR:
	case CFG_SECRET:
		*(char **)o->target = NULL;
		break;
	case CFG_INT:
		*(long *)o->target = 0;
		break;
	case CFG_BOOL:
		*(bool *)o->target = false;
		break;
	case CFG_LIST: {
		struct cfg_list *l = o->target;

		l->v = NULL;
		l->n = 0;
		break;
	}
	}
}

int
cfg_parse(const struct cfg_opt *opts, const char *prog, const char *env_prefix,
          const char *version, int argc, char **argv, struct cfg_list *rest)
{
	char env[128];
	bool seen[256] = { false };
	const char *bad = NULL;

	s_env_prefix = env_prefix;
	if (rest) {
		rest->v = NULL;
		rest->n = 0;
	}
	for (const struct cfg_opt *o = opts; o->name; o++) {
		init_target(o);
		if (set_value(o, prog, "default", o->def ? o->def : "",
		              false) != 0)
			return -1;
	}
	for (const struct cfg_opt *o = opts; o->name; o++) {
		const char *v;

		env_name(env_prefix, o->name, env, sizeof(env));
		v = getenv(env);
		if (v && set_value(o, prog, env, v, false) != 0)
			return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *name;
		const struct cfg_opt *o;
		size_t len, idx;

		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (a[0] == '-' && a[1] != '\0' && strcmp(a, "--")) {
				fprintf(stderr,
				        "%s: unknown option %s (see "
				        "--help)\n",
				        prog, a);
				return -1;
			}
			if (!strcmp(a, "--")) {
				for (i++; i < argc && rest; i++)
					list_push(rest, argv[i],
					          strlen(argv[i]));
				if (i < argc) {
					bad = argv[i];
					goto positional;
				}
				break;
			}
			if (!rest) {
				bad = a;
				goto positional;
			}
			list_push(rest, a, strlen(a));
			continue;
		}
		name = a + 2;
		len = strcspn(name, "=");
		if (name[len] == '=')
			val = name + len + 1;
		if (len == 4 && !strncmp(name, "help", 4)) {
			print_help(opts, prog, env_prefix, version != NULL);
			return 1;
		}
		o = find_opt(opts, name, len);
		if (!o && version && len == 7 && !strncmp(name, "version", 7)) {
			printf("%s %s\n", prog, version);
			return 1;
		}
		if (!o) {
			fprintf(stderr,
			        "%s: unknown option --%.*s (see --help)\n",
			        prog, (int)len, name);
			return -1;
		}
		if (o->type == CFG_BOOL && !val) {
			*(bool *)o->target = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: --%s needs a value\n",
				        prog, o->name);
				return -1;
			}
			val = argv[++i];
		}
		/* The first use of a repeatable flag replaces the list from
		 * the environment or the default; later uses append. */
		idx = (size_t)(o - opts);
		assert(idx < sizeof(seen)); /* tables are small */
		if (o->type == CFG_LIST && !seen[idx])
			list_clear(o->target);
		seen[idx] = true;
		if (set_value(o, prog, "command line", val, true) != 0)
			return -1;
	}
	for (const struct cfg_opt *o = opts; o->name; o++) {
		const char *v = o->type == CFG_STR || o->type == CFG_SECRET
		                    ? *(char **)o->target
		                    : "x";

		if (o->required && (!v || !*v)) {
			env_name(env_prefix, o->name, env, sizeof(env));
			fprintf(stderr,
			        "%s: --%s is required (or set %s): %s (see "
			        "--help)\n",
			        prog, o->name, env, o->help ? o->help : "");
			return -1;
		}
	}
	return 0;
positional:
	fprintf(stderr, "%s: unexpected argument \"%s\" (see --help)\n", prog,
	        bad);
	return -1;
}

/* Masks password=... inside a conninfo and the password of a
 * postgresql://user:password@host URI. Returns a malloc'd string. */
static char *
mask_conninfo(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 4), *p;
	const char *q;

	memcpy(out, s, n + 1);
	p = strstr(out, "password");
	if (p) {
		q = p + 8;
		while (*q == ' ')
			q++;
		if (*q == '=') {
			char *v = (char *)q + 1, *e;

			while (*v == ' ')
				v++;
			e = v;
			if (*e == '\'') {
				for (e++; *e && *e != '\''; e++)
					if (*e == '\\' && e[1])
						e++;
				if (*e)
					e++;
			} else {
				while (*e && *e != ' ')
					e++;
			}
			memmove(v + 3, e, strlen(e) + 1);
			memcpy(v, "***", 3);
		}
	}
	p = strstr(out, "://");
	if (p) {
		char *at = strchr(p + 3, '@'), *colon;

		if (at) {
			colon = memchr(p + 3, ':', (size_t)(at - (p + 3)));
			if (colon) {
				memmove(colon + 4, at, strlen(at) + 1);
				memcpy(colon + 1, "***", 3);
			}
		}
	}
	return out;
}

void
cfg_log(const struct cfg_opt *opts)
{
	struct log_field f[64];
	char *owned[64];
	int n = 0, n_owned = 0;

	for (const struct cfg_opt *o = opts; o->name && n < 64; o++) {
		switch (o->type) {
		case CFG_STR: {
			const char *v = *(char **)o->target;

			owned[n_owned] = mask_conninfo(v ? v : "");
			f[n++] = LF_STR(o->name, owned[n_owned]);
			n_owned++;
			break;
		}
		case CFG_SECRET: {
			const char *v = *(char **)o->target;

			f[n++] = LF_STR(o->name, v && *v ? "***" : "");
			break;
		}
		case CFG_INT:
			f[n++] = LF_INT(o->name, *(long *)o->target);
			break;
		case CFG_BOOL:
			f[n++] = LF_STR(o->name,
			                *(bool *)o->target ? "true" : "false");
			break;
		case CFG_LIST: {
			const struct cfg_list *l = o->target;
			size_t len = 1;
			char *s;

			for (size_t i = 0; i < l->n; i++)
				len += strlen(l->v[i]) + 1;
			s = xmalloc(len);
			s[0] = '\0';
			for (size_t i = 0; i < l->n; i++) {
				if (i)
					strcat(s, ",");
				strcat(s, l->v[i]);
			}
			owned[n_owned] = mask_conninfo(s);
			free(s);
			f[n++] = LF_STR(o->name, owned[n_owned]);
			n_owned++;
			break;
		}
		}
	}
	if (log_enabled(LOG_INFO))
		log_emit(LOG_INFO, "config", f, n);
	for (int i = 0; i < n_owned; i++)
		free(owned[i]);

	if (!s_env_prefix)
		return;
	for (char **e = environ; e && *e; e++) {
		size_t pl = strlen(s_env_prefix), len;
		bool known = false;
		char name[128];

		if (strncmp(*e, s_env_prefix, pl) != 0)
			continue;
		len = strcspn(*e, "=");
		for (const struct cfg_opt *o = opts; o->name; o++) {
			env_name(s_env_prefix, o->name, name, sizeof(name));
			if (strlen(name) == len && !strncmp(name, *e, len))
				known = true;
		}
		if (!known) {
			snprintf(name, sizeof(name), "%.*s",
			         (int)(len < 127 ? len : 127), *e);
			log_warn("config.unknown_env", LF_STR("name", name));
		}
	}
}

int
cfg_invalid(const char *prog, const char *name, const char *value,
            const char *allowed)
{
	char env[128];

	env_name(s_env_prefix ? s_env_prefix : "", name, env, sizeof(env));
	fprintf(stderr, "%s: --%s (env %s) is \"%s\": %s (see --help)\n", prog,
	        name, env, value, allowed);
	return -1;
}

int
cfg_invalid_int(const char *prog, const char *name, long value,
                const char *allowed)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", value);
	return cfg_invalid(prog, name, num, allowed);
}

bool
cfg_is_endpoint(const char *s)
{
	static const char *const schemes[] = { "tcp://", "ipc://",
		                               "inproc://" };

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);

		if (s && !strncmp(s, schemes[i], n) && s[n])
			return true;
	}
	return false;
}

bool
cfg_is_hostport(const char *s)
{
	const char *colon = s ? strrchr(s, ':') : NULL;
	char *end;
	long port;

	if (!colon || colon == s || !colon[1])
		return false;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return *end == '\0' && errno == 0 && port >= 0 && port <= 65535;
}

void
cfg_free(const struct cfg_opt *opts, struct cfg_list *rest)
{
	for (const struct cfg_opt *o = opts; o->name; o++) {
		switch (o->type) {
		case CFG_STR:
		case CFG_SECRET: {
			char **t = o->target;

			free(*t);
			*t = NULL;
			break;
		}
		case CFG_LIST:
			list_clear(o->target);
			break;
		default:
			break;
		}
	}
	if (rest)
		list_clear(rest);
}

int
cfg_log_opts(const char *prog, const char *level_s, const char *format_s,
             enum log_level *level, enum log_format *format)
{
	if (log_parse_level(level_s, level) != 0)
		return cfg_invalid(prog, "log-level", level_s,
		                   "must be debug, info, warn or error");
	if (log_parse_format(format_s, format) != 0)
		return cfg_invalid(prog, "log-format", format_s,
		                   "must be plain or json");
	return 0;
}
