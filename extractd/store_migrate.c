/* store_migrate.c - `extractd --migrate`: applies migrations/NNN_*.sql
 * not yet recorded in schema_migrations, each in its own transaction under
 * an advisory lock (or in steps, run_steps(): a conversion in batches),
 * and seeds regions from the divisions file (COPY).
 * Declared in store.h (store_migrate()); shares the connection and error
 * helpers of store.c through store_int.h. */
#include "store.h"
#include "store_int.h"

#include "err.h"
#include "log.h"

#include <libpq-fe.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* pg_advisory_lock key of `extractd --migrate`: "eastwest" in ASCII. */
#define MIGRATE_LOCK_KEY "7305790378046936948"
/* The lines that cut a migration into steps (run_steps()). */
#define REPEAT_LINE "\n-- migrate: repeat\n"
#define THEN_LINE "\n-- migrate: then\n"

/* -- migrations ------------------------------------------------------------ */

struct migration {
	long version;
	char *name; /* file name */
};

static int
migration_cmp(const void *x, const void *y)
{
	const struct migration *a = x, *b = y;

	return a->version < b->version ? -1 : a->version > b->version;
}

static int
read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sb b = { 0 };
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		log_error("store.read_failed", LF_STR("path", path),
		          LF_STR("error", strerror(errno)));
		return ERR_IO;
	}
	store_sb_reserve(&b, 0);
	b.p[0] = '\0';
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		store_sb_putn(&b, chunk, n);
	if (ferror(f)) {
		log_error("store.read_failed", LF_STR("path", path),
		          LF_STR("error", strerror(errno)));
		fclose(f);
		free(b.p);
		return ERR_IO;
	}
	fclose(f);
	*out = b.p;
	*len = b.len;
	return 0;
}

/* Lists NNN_name.sql files, sorted by number. Caller frees. */
static int
list_migrations(const char *dir, struct migration **out, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct migration *m = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL) {
		log_error("migrate.dir_failed", LF_STR("dir", dir),
		          LF_STR("error", strerror(errno)));
		return ERR_IO;
	}
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		size_t len = strlen(s);
		char *end;
		long v;

		if (!isdigit((unsigned char)s[0]) || len < 5 ||
		    strcmp(s + len - 4, ".sql") != 0)
			continue;
		v = strtol(s, &end, 10);
		if (*end != '_' || v <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			m = realloc(m, cap * sizeof(*m));
			if (m == NULL)
				abort();
		}
		m[n].version = v;
		m[n].name = strdup(s);
		if (m[n].name == NULL)
			abort();
		n++;
	}
	closedir(d);
	qsort(m, n, sizeof(*m), migration_cmp);
	for (i = 1; i < n; i++)
		if (m[i].version == m[i - 1].version) {
			log_error("migrate.duplicate_version",
			          LF_STR("a", m[i - 1].name),
			          LF_STR("b", m[i].name));
			rc = ERR_INVAL;
		}
	*out = m;
	*count = n;
	return rc;
}

/* Migrations edited after release in a way that changes nothing for a
 * database that applied them (their old checksum is accepted). */
static bool
superseded(const char *name, const char *applied_sha)
{
	static const struct {
		const char *name, *sha;
	} old[] = {
		/* COMMENT ON ROLE moved into a block that tolerates a missing
		 * CREATEROLE (it failed there before, so nothing differs). */
		{ "002_roles.sql",
		  "a63bc00646ddc45a0213688caf4b046d990b86efb915"
		  "ebe788a5096d75fd1801" },
		/* The conversion cut into steps (batches of articles): the
		 * same tables, columns, constraints and views at its end. */
		{ "007_lean.sql", "04ce57ddb689f3ecca7e2adc555395fc488dd59bc343"
		                  "9df1a8c8add03fc74998" },
	};

	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++)
		if (!strcmp(name, old[i].name) &&
		    !strcmp(applied_sha, old[i].sha))
			return true;
	return false;
}

/* Runs sql as one command string; 0 or ERR_*, logged with event. */
static int
must_exec(PGconn *conn, const char *sql, const char *event)
{
	int cls = store_pg_exec(conn, sql, event);

	if (cls == CLASS_OK)
		return 0;
	return cls == CLASS_TRANSIENT && PQstatus(conn) != CONNECTION_OK
	           ? ERR_DB_TRANSIENT
	           : ERR_DB_PERMANENT;
}

/* Logs a step of run_steps() that failed; its ERR_*. */
static int
step_failed(PGconn *conn, const struct migration *m, const char *step,
            const PGresult *r)
{
	log_error("migrate.failed", LF_STR("file", m->name),
	          LF_STR("step", step),
	          LF_STR("sqlstate", store_pg_sqlstate(r)),
	          LF_STR("error", store_pg_message(conn, r)));
	return PQstatus(conn) != CONNECTION_OK ? ERR_DB_TRANSIENT
	                                       : ERR_DB_PERMANENT;
}

/* A migration in steps (007 converts a filled database so): its first
 * part, then its repeated statement, each in a transaction of its own;
 * the caller runs the rest. Both parts must cope with a run that stopped
 * half way: the migration is recorded only with its last step. */
static int
run_steps(PGconn *conn, const struct migration *m, const char *first,
          const char *repeat)
{
	long batches = 0, total = 0;
	PGresult *r;
	int rc;

	rc = must_exec(conn, "BEGIN", "migrate.failed");
	if (rc == 0) {
		r = PQexec(conn, first);
		if (!store_pg_ok(r)) {
			rc = step_failed(conn, m, "first", r);
			(void)store_pg_exec(conn, "ROLLBACK",
			                    "migrate.rollback_failed");
		} else {
			rc = must_exec(conn, "COMMIT", "migrate.failed");
		}
		PQclear(r);
	}
	while (rc == 0) {
		long n;

		r = PQexec(conn, repeat); /* its own transaction */
		if (!store_pg_ok(r) || PQntuples(r) != 1 || PQnfields(r) < 1) {
			rc = step_failed(conn, m, "repeat", r);
			PQclear(r);
			break;
		}
		n = atol(PQgetvalue(r, 0, 0));
		PQclear(r);
		if (n <= 0)
			break;
		batches++;
		total += n;
		log_info("migrate.batch", LF_STR("file", m->name),
		         LF_INT("batch", batches), LF_INT("rows", n),
		         LF_INT("total", total));
	}
	return rc;
}

static int
apply_migration(PGconn *conn, const char *dir, const struct migration *m,
                PGresult *applied)
{
	char path[4096], ver[32];
	char *sql = NULL, *file = NULL, *rep, *then = NULL;
	size_t len = 0;
	const char *vals[3];
	int lens[3] = { 0 }, fmts[3] = { 0, 0, 1 };
	PGresult *r = NULL;
	int rc, i;

	snprintf(path, sizeof(path), "%s/%s", dir, m->name);
	snprintf(ver, sizeof(ver), "%ld", m->version);
	rc = read_file(path, &sql, &len);
	if (rc != 0)
		return rc;
	/* The checksum is of the whole file; sql is cut into its steps. */
	file = malloc(len + 1);
	if (file == NULL)
		abort();
	memcpy(file, sql, len + 1);
	vals[0] = ver;
	vals[1] = m->name;
	vals[2] = file;
	lens[2] = (int)len;
	for (i = 0; i < PQntuples(applied); i++) {
		if (strcmp(PQgetvalue(applied, i, 0), ver) != 0)
			continue;
		/* Applied already: it must not have changed since. */
		r = PQexecParams(conn,
		                 "SELECT encode(sha256($1::bytea), 'hex')", 1,
		                 NULL, vals + 2, lens + 2, fmts + 2, 0);
		if (!store_pg_ok(r)) {
			log_error("migrate.failed", LF_STR("file", m->name),
			          LF_STR("error", store_pg_message(conn, r)));
			rc = PQstatus(conn) != CONNECTION_OK ? ERR_DB_TRANSIENT
			                                     : ERR_DB_PERMANENT;
		} else if (strcmp(PQgetvalue(r, 0, 0),
		                  PQgetvalue(applied, i, 1)) != 0 &&
		           !superseded(m->name, PQgetvalue(applied, i, 1))) {
			log_error("migrate.checksum_mismatch",
			          LF_STR("file", m->name),
			          LF_STR("applied", PQgetvalue(applied, i, 1)),
			          LF_STR("now", PQgetvalue(r, 0, 0)));
			rc = ERR_INVAL;
		}
		goto done;
	}
	/* In steps: what precedes the repeat line commits by itself, the
	 * statement between the lines runs in transactions of its own until
	 * it answers 0, and the rest commits with the record. */
	rep = strstr(sql, REPEAT_LINE);
	then = rep ? strstr(rep, THEN_LINE) : NULL;
	if (rep && then) {
		*rep = '\0';
		*then = '\0';
		rc = run_steps(conn, m, sql, rep + strlen(REPEAT_LINE));
		if (rc != 0)
			goto done;
	}
	rc = must_exec(conn, "BEGIN", "migrate.failed");
	if (rc != 0)
		goto done;
	r = PQexec(conn, then ? then + strlen(THEN_LINE) : sql);
	if (!store_pg_ok(r)) {
		log_error("migrate.failed", LF_STR("file", m->name),
		          LF_STR("sqlstate", store_pg_sqlstate(r)),
		          LF_STR("error", store_pg_message(conn, r)));
		rc = PQstatus(conn) != CONNECTION_OK ? ERR_DB_TRANSIENT
		                                     : ERR_DB_PERMANENT;
		(void)store_pg_exec(conn, "ROLLBACK",
		                    "migrate.rollback_failed");
		goto done;
	}
	PQclear(r);
	r = PQexecParams(conn,
	                 "INSERT INTO schema_migrations (version, name,"
	                 " checksum) VALUES ($1::integer, $2,"
	                 " encode(sha256($3::bytea), 'hex'))",
	                 3, NULL, vals, lens, fmts, 0);
	if (!store_pg_ok(r)) {
		log_error("migrate.failed", LF_STR("file", m->name),
		          LF_STR("error", store_pg_message(conn, r)));
		rc = ERR_DB_PERMANENT;
		(void)store_pg_exec(conn, "ROLLBACK",
		                    "migrate.rollback_failed");
		goto done;
	}
	rc = must_exec(conn, "COMMIT", "migrate.failed");
	if (rc == 0)
		log_info("migrate.applied", LF_INT("version", m->version),
		         LF_STR("file", m->name));
done:
	PQclear(r);
	free(sql);
	free(file);
	return rc;
}

/* COPY divisions.tsv into a staging table, then upsert regions from it:
 * the extractor loads the same file, so codes never drift apart. */
static int
seed_regions(PGconn *conn, const char *path)
{
	char *data = NULL, *line, *next;
	size_t len = 0, lineno = 0, rows = 0;
	struct sb b = { 0 };
	PGresult *r = NULL;
	int rc;

	rc = read_file(path, &data, &len);
	if (rc != 0)
		return rc;
	if (!store_utf8_valid(data, len)) {
		log_error("migrate.divisions_invalid", LF_STR("path", path),
		          LF_STR("error", "not UTF-8"));
		rc = ERR_INVAL;
		goto done;
	}
	rc = must_exec(conn,
	               "BEGIN; CREATE TEMP TABLE regions_seed (code text,"
	               " name text, short_name text, level text,"
	               " parent_code text) ON COMMIT DROP;",
	               "migrate.seed_failed");
	if (rc != 0)
		goto done;
	r = PQexec(conn, "COPY regions_seed FROM STDIN"
	                 " (FORMAT text, NULL '')");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_error("migrate.seed_failed",
		          LF_STR("error", store_pg_message(conn, r)));
		rc = ERR_DB_PERMANENT;
		goto rollback;
	}
	PQclear(r);
	r = NULL;
	store_sb_reserve(&b, 0);
	for (line = data; line && *line; line = next) {
		size_t n, tabs = 0, i;

		next = strchr(line, '\n');
		n = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (lineno == 1 || n == 0)
			continue; /* header */
		for (i = 0; i < n; i++)
			tabs += line[i] == '\t';
		if (tabs != 4) {
			log_error(
			    "migrate.divisions_invalid", LF_STR("path", path),
			    LF_INT("line", lineno),
			    LF_STR("error", "want 5 tab-separated fields"));
			rc = ERR_INVAL;
			break;
		}
		/* COPY text format: a backslash is an escape. */
		for (i = 0; i < n; i++) {
			if (line[i] == '\\')
				store_sb_putn(&b, "\\", 1);
			store_sb_putn(&b, line + i, 1);
		}
		store_sb_putn(&b, "\n", 1);
		rows++;
	}
	if (PQputCopyData(conn, b.p, (int)b.len) != 1 ||
	    PQputCopyEnd(conn, rc == 0 ? NULL : "bad input") != 1) {
		log_error("migrate.seed_failed",
		          LF_STR("error", PQerrorMessage(conn)));
		rc = rc ? rc : ERR_DB_TRANSIENT;
	}
	while ((r = PQgetResult(conn)) != NULL) {
		if (!store_pg_ok(r) && rc == 0) {
			log_error("migrate.seed_failed",
			          LF_STR("sqlstate", store_pg_sqlstate(r)),
			          LF_STR("error", store_pg_message(conn, r)));
			rc = ERR_DB_PERMANENT;
		}
		PQclear(r);
	}
	if (rc != 0)
		goto rollback;
	rc =
	    must_exec(conn,
	              "INSERT INTO regions (code, name, short_name, level,"
	              " parent_code)"
	              " SELECT code, name, nullif(short_name, ''), level,"
	              " nullif(parent_code, '') FROM regions_seed"
	              " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,"
	              " short_name = EXCLUDED.short_name,"
	              " level = EXCLUDED.level,"
	              " parent_code = EXCLUDED.parent_code"
	              " WHERE (regions.name, regions.short_name, regions.level,"
	              " regions.parent_code) IS DISTINCT FROM"
	              " (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.level,"
	              " EXCLUDED.parent_code);"
	              " COMMIT",
	              "migrate.seed_failed");
	if (rc != 0)
		goto rollback;
	log_info("migrate.regions_seeded", LF_STR("path", path),
	         LF_INT("rows", rows));
	goto done;
rollback:
	(void)store_pg_exec(conn, "ROLLBACK", "migrate.rollback_failed");
done:
	PQclear(r);
	free(b.p);
	free(data);
	return rc;
}

int
store_migrate(const char *conninfo, const char *migrations_dir,
              const char *divisions_tsv)
{
	PGconn *conn;
	PGresult *applied = NULL;
	struct migration *m = NULL;
	size_t n = 0, i;
	int rc;

	if (migrations_dir == NULL)
		return ERR_INVAL;
	rc = list_migrations(migrations_dir, &m, &n);
	if (rc != 0)
		goto out;
	conn = store_pg_connect(conninfo);
	if (conn == NULL) {
		rc = ERR_DB_TRANSIENT;
		goto out;
	}
	/* A migration may take as long as it needs; the lock makes a
	 * second `extractd --migrate` wait, then find nothing to do. */
	rc = must_exec(
	    conn,
	    "SET statement_timeout = 0; SET lock_timeout = 0;"
	    " SET TimeZone = 'UTC'; SET client_min_messages = warning;"
	    " SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	    "migrate.lock_failed");
	if (rc != 0)
		goto finish;
	rc = must_exec(
	    conn,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version integer PRIMARY KEY, name text NOT NULL,"
	    " checksum text NOT NULL, applied_at timestamptz NOT NULL"
	    " DEFAULT now());"
	    " COMMENT ON TABLE schema_migrations IS 'Migrations"
	    " (migrations/NNN_name.sql) applied by extractd --migrate,"
	    " each in its own transaction; checksum is the SHA-256 of"
	    " the file, which must not change once applied.'",
	    "migrate.failed");
	if (rc != 0)
		goto unlock;
	applied =
	    PQexec(conn, "SELECT version, checksum FROM schema_migrations");
	if (!store_pg_ok(applied)) {
		log_error("migrate.failed",
		          LF_STR("error", store_pg_message(conn, applied)));
		rc = PQstatus(conn) != CONNECTION_OK ? ERR_DB_TRANSIENT
		                                     : ERR_DB_PERMANENT;
		goto unlock;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = apply_migration(conn, migrations_dir, &m[i], applied);
	if (rc == 0 && divisions_tsv && *divisions_tsv)
		rc = seed_regions(conn, divisions_tsv);
	else if (rc == 0)
		log_warn("migrate.no_divisions");
	if (rc == 0)
		log_info("migrate.done", LF_INT("migrations", n));
unlock:
	PQclear(applied);
	if (PQstatus(conn) == CONNECTION_OK)
		(void)store_pg_exec(
		    conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")",
		    "migrate.unlock_failed");
finish:
	PQfinish(conn);
out:
	for (i = 0; i < n; i++)
		free(m[i].name);
	free(m);
	return rc;
}
