/* flatjson.c - a small strict JSON reader for flat objects. */
#include "flatjson.h"
#include "err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct field {
	char *key;
	char *val;
	size_t len;
};

struct flatjson {
	struct field *f;
	size_t n, cap;
};

struct parser {
	const char *p, *end, *start;
	int depth;
};

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort(); /* daemons abort on OOM */
	return p;
}

static void
ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	                           *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

struct sbuf {
	char *b;
	size_t n, cap;
};

static void
sb_put(struct sbuf *s, const char *p, size_t n)
{
	if (s->n + n + 1 > s->cap) {
		s->cap = (s->n + n + 1) * 2;
		s->b = xrealloc(s->b, s->cap);
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = '\0';
}

static int
hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
put_utf8(struct sbuf *s, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sb_put(s, b, n);
}

/* A string at ps->p (on the opening quote). out NULL: validate only. */
static int
string(struct parser *ps, struct sbuf *out)
{
	struct sbuf tmp = { 0 };
	struct sbuf *s = out ? out : &tmp;

	ps->p++;
	sb_put(s, "", 0);
	while (ps->p < ps->end) {
		const char *run = ps->p;

		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
		       (unsigned char)*ps->p >= 0x20)
			ps->p++;
		if (out)
			sb_put(s, run, (size_t)(ps->p - run));
		if (ps->p >= ps->end || (unsigned char)*ps->p < 0x20)
			break;
		if (*ps->p == '"') {
			ps->p++;
			free(tmp.b);
			return 0;
		}
		/* backslash */
		if (++ps->p >= ps->end)
			break;
		switch (*ps->p) {
		case '"':
		case '\\':
		case '/':
			sb_put(s, ps->p, 1);
			break;
		case 'b':
			sb_put(s, "\b", 1);
			break;
		case 'f':
			sb_put(s, "\f", 1);
			break;
		case 'n':
			sb_put(s, "\n", 1);
			break;
		case 'r':
			sb_put(s, "\r", 1);
			break;
		case 't':
			sb_put(s, "\t", 1);
			break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(ps->p + 1, ps->end, &cp) != 0)
				goto fail;
			ps->p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				goto fail;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (ps->end - ps->p < 7 || ps->p[1] != '\\' ||
				    ps->p[2] != 'u' ||
				    hex4(ps->p + 3, ps->end, &lo) != 0 ||
				    lo < 0xDC00 || lo > 0xDFFF)
					goto fail;
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
			}
			put_utf8(s, cp);
			break;
		}
		default:
			goto fail;
		}
		ps->p++;
	}
fail:
	free(tmp.b);
	return -1;
}

static int
number(struct parser *ps)
{
	const char *p = ps->p;

	if (p < ps->end && *p == '-')
		p++;
	if (p >= ps->end)
		return -1;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return -1;
	}
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return -1;
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return -1;
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;
	return 0;
}

static int
literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return -1;
	ps->p += n;
	return 0;
}

static int value(struct parser *ps, struct sbuf *out, int *is_str);

/* Object or array, contents skipped. */
static int
container(struct parser *ps)
{
	char close = *ps->p == '{' ? '}' : ']';
	int first = 1, is_str;

	if (++ps->depth > MAX_DEPTH)
		return -1;
	ps->p++;
	for (;;) {
		ws(ps);
		if (ps->p >= ps->end)
			return -1;
		if (*ps->p == close && first) {
			ps->p++;
			break;
		}
		if (close == '}') {
			if (*ps->p != '"' || string(ps, NULL) != 0)
				return -1;
			ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return -1;
			ps->p++;
			ws(ps);
		}
		if (value(ps, NULL, &is_str) != 0)
			return -1;
		ws(ps);
		if (ps->p >= ps->end)
			return -1;
		first = 0;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p != close)
			return -1;
		ps->p++;
		break;
	}
	ps->depth--;
	return 0;
}

/* out: where a string or number's text goes (NULL: skip); *is_str is set
 * when the value was a string or a number. */
static int
value(struct parser *ps, struct sbuf *out, int *is_str)
{
	*is_str = 0;
	if (ps->p >= ps->end)
		return -1;
	switch (*ps->p) {
	case '"':
		*is_str = 1;
		return string(ps, out);
	case '{':
	case '[':
		return container(ps);
	case 't':
		return literal(ps, "true");
	case 'f':
		return literal(ps, "false");
	case 'n':
		return literal(ps, "null");
	default: {
		const char *s = ps->p;

		if (number(ps) != 0)
			return -1;
		*is_str = 1;
		if (out)
			sb_put(out, s, (size_t)(ps->p - s));
		return 0;
	}
	}
}

static void
set_field(flatjson_t *self, char *key, char *val, size_t len)
{
	/* Appended, never searched here: a duplicate key is found by
	 * flatjson_get() scanning from the end ("last wins"), so a line of a
	 * million keys costs linear time, not quadratic. */
	if (self->n == self->cap) {
		self->cap = self->cap ? self->cap * 2 : 8;
		self->f = xrealloc(self->f, self->cap * sizeof(*self->f));
	}
	self->f[self->n].key = key;
	self->f[self->n].val = val;
	self->f[self->n].len = len;
	self->n++;
}

int
flatjson_parse(const char *buf, size_t len, flatjson_t **out, size_t *err_at)
{
	struct parser ps = { buf, buf + len, buf, 0 };
	flatjson_t *self = calloc(1, sizeof(*self));
	int first = 1;

	if (!self)
		abort();
	ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{')
		goto fail;
	ps.p++;
	for (;;) {
		struct sbuf k = { 0 }, v = { 0 };
		int is_str;

		ws(&ps);
		if (ps.p < ps.end && *ps.p == '}' && first) {
			ps.p++;
			break;
		}
		if (ps.p >= ps.end || *ps.p != '"' || string(&ps, &k) != 0) {
			free(k.b);
			goto fail;
		}
		ws(&ps);
		if (ps.p >= ps.end || *ps.p != ':') {
			free(k.b);
			goto fail;
		}
		ps.p++;
		ws(&ps);
		if (value(&ps, &v, &is_str) != 0) {
			free(k.b);
			free(v.b);
			goto fail;
		}
		if (is_str) {
			if (!v.b)
				sb_put(&v, "", 0);
			set_field(self, k.b, v.b, v.n);
		} else {
			free(k.b);
			free(v.b);
		}
		first = 0;
		ws(&ps);
		if (ps.p < ps.end && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.end && *ps.p == '}') {
			ps.p++;
			break;
		}
		goto fail;
	}
	ws(&ps);
	if (ps.p != ps.end)
		goto fail;
	*out = self;
	return 0;
fail:
	if (err_at)
		*err_at = (size_t)(ps.p - ps.start);
	flatjson_destroy(&self);
	return ERR_PROTO;
}

void
flatjson_destroy(flatjson_t **self_p)
{
	flatjson_t *self = *self_p;

	if (!self)
		return;
	for (size_t i = 0; i < self->n; i++) {
		free(self->f[i].key);
		free(self->f[i].val);
	}
	free(self->f);
	free(self);
	*self_p = NULL;
}

const char *
flatjson_get(const flatjson_t *self, const char *key, size_t *len)
{
	for (size_t i = self->n; i-- > 0;)
		if (!strcmp(self->f[i].key, key)) {
			if (len)
				*len = self->f[i].len;
			return self->f[i].val;
		}
	return NULL;
}

void
flatjson_put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
