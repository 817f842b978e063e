/* store_int.h - what store.c shares with store_migrate.c: the growable
 * buffer, UTF-8 checking and the libpq helpers. Private to extractd's
 * store modules (the only users of <libpq-fe.h>). */
#ifndef EXTRACTD_STORE_INT_H
#define EXTRACTD_STORE_INT_H

#include <libpq-fe.h>

#include <stdbool.h>
#include <stddef.h>

/* How a failed statement is to be treated (store_pg_exec()). */
enum { CLASS_OK, CLASS_TRANSIENT, CLASS_DATA };

/* A growable NUL-terminated buffer; aborts on OOM. */
struct sb {
	char *p;
	size_t len, cap;
};

void store_sb_reserve(struct sb *b, size_t n); /* room for n more bytes */
void store_sb_putn(struct sb *b, const char *s, size_t n);
/* Whether s[0..n) is UTF-8 PostgreSQL accepts (no NUL, no surrogates). */
bool store_utf8_valid(const char *s, size_t n);

const char *store_pg_sqlstate(const PGresult *r); /* "" when none */
/* The error of r (or of conn), one line, borrowed. */
const char *store_pg_message(PGconn *conn, const PGresult *r);
bool store_pg_ok(const PGresult *r); /* COMMAND_OK or TUPLES_OK */
/* Runs sql (simple protocol), logs event on failure; a CLASS_*. */
int store_pg_exec(PGconn *conn, const char *sql, const char *event);
/* Connects (UTF8, connect_timeout 10); NULL on failure, logged. */
PGconn *store_pg_connect(const char *conninfo);

#endif
