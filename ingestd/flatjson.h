/* flatjson.h - the one JSON shape ingestd reads: a flat object of
 * strings (a stdin line, a NAME.meta.json sidecar), and the strings it
 * writes into sidecars.
 *
 * Does: strict RFC 8259 syntax, \uXXXX escapes with surrogate pairs to
 * UTF-8 (a lone surrogate is an error), string values kept with their
 * length (they may hold NUL), numbers kept as their text, nested values
 * and true/false/null skipped, a nesting limit.
 * Does not: keep duplicate keys (the last one wins) or parse anything but
 * one top-level object. */
#ifndef INGESTD_FLATJSON_H
#define INGESTD_FLATJSON_H

#include <stddef.h>
#include <stdio.h>

typedef struct flatjson flatjson_t;

/* Parses buf[0..len) (surrounding whitespace allowed). 0 and *out, or
 * ERR_PROTO with *err_at (if not NULL) set to the byte offset of the
 * first error. */
int flatjson_parse(const char *buf, size_t len, flatjson_t **out,
                   size_t *err_at);
void flatjson_destroy(flatjson_t **self_p);
/* The string (or number) value of key, NUL-terminated; *len (if not
 * NULL) its length. NULL when key is absent or not a string/number.
 * Borrowed: valid until flatjson_destroy(). */
const char *flatjson_get(const flatjson_t *self, const char *key, size_t *len);

/* Writes s as a JSON string literal (quotes included). */
void flatjson_put_str(FILE *f, const char *s);

#endif
