/* cfg_test.c - the configuration table: flag beats environment beats
 * default, value syntax (sizes, booleans, lists), errors for unknown
 * flags and bad values, a warning only for unknown PREFIX_ variables,
 * --help from the table, secrets masked in the logged config. stdout and
 * stderr are captured through a temporary file and dup2(). */
#include "cfg.h"
#include "log.h"
#include "test.h"

#include <stdbool.h>
#include <unistd.h>

static struct {
	char *name;
	long port;
	long size;
	bool flag;
	struct cfg_list conn;
	char *db;
	char *key;
} c;

static const struct cfg_opt s_opts[] = {
	{ "name", CFG_STR, &c.name, "dflt", "a string" },
	{ "port", CFG_INT, &c.port, "5555", "a number" },
	{ "max-size", CFG_INT, &c.size, "4M", "a size" },
	{ "flag", CFG_BOOL, &c.flag, "false", "a switch" },
	{ "connect", CFG_LIST, &c.conn, "tcp://a:1,tcp://b:2",
	  "repeatable endpoint" },
	{ "db", CFG_STR, &c.db, "", "libpq conninfo" },
	{ "api-key", CFG_SECRET, &c.key, NULL, "a secret" },
	{ 0 },
};

static const char *const s_env[] = { "TCFG_NAME",     "TCFG_PORT",
	                             "TCFG_MAX_SIZE", "TCFG_FLAG",
	                             "TCFG_CONNECT",  "TCFG_DB",
	                             "TCFG_API_KEY",  "TCFG_BOGUS" };

/* ---- capturing fd 1 or 2 ---- */

struct cap {
	int fd, saved;
	FILE *f;
};

static void
cap_begin(struct cap *k, int fd)
{
	fflush(fd == 1 ? stdout : stderr);
	k->fd = fd;
	k->f = tmpfile();
	if (!k->f)
		abort();
	k->saved = dup(fd);
	dup2(fileno(k->f), fd);
}

static char *
cap_end(struct cap *k)
{
	long n;
	char *s;

	fflush(k->fd == 1 ? stdout : stderr);
	dup2(k->saved, k->fd);
	close(k->saved);
	n = ftell(k->f);
	if (n < 0)
		n = 0;
	s = calloc(1, (size_t)n + 1);
	if (!s)
		abort();
	rewind(k->f);
	if (fread(s, 1, (size_t)n, k->f) != (size_t)n)
		s[0] = '\0';
	fclose(k->f);
	return s;
}

/* ---- running the parser ---- */

static void
reset_env(void)
{
	for (size_t i = 0; i < sizeof(s_env) / sizeof(s_env[0]); i++)
		unsetenv(s_env[i]);
}

/* argv: NULL-terminated, without the program name. *out and *err get
 * what the parser printed (malloc'd) when not NULL. */
static int
parse(const char *const *args, struct cfg_list *rest, char **out, char **err)
{
	char *argv[32];
	int argc = 0, rc;
	struct cap ko, ke;

	cfg_free(s_opts, NULL);
	argv[argc++] = "tcfg";
	for (; args && *args && argc < 31; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	cap_begin(&ko, 1);
	cap_begin(&ke, 2);
	rc = cfg_parse(s_opts, "tcfg", "TCFG_", "1.2.3", argc, argv, rest);
	{
		char *e = cap_end(&ke), *o = cap_end(&ko);

		if (err)
			*err = e;
		else
			free(e);
		if (out)
			*out = o;
		else
			free(o);
	}
	return rc;
}

static char *
list_str(const struct cfg_list *l)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		                      i ? "|" : "", l->v[i]);
	return buf;
}

/* ---- tests ---- */

/* Which source wins for --port, table-driven: env value, flag args. */
static void
test_precedence(void)
{
	static const struct {
		const char *env; /* TCFG_PORT, NULL: unset */
		const char *args[6];
		long want;
	} cases[] = {
		{ NULL, { NULL }, 5555 },
		{ "7000", { NULL }, 7000 },
		{ "7000", { "--port", "9000", NULL }, 9000 },
		{ "7000", { "--port=9001", NULL }, 9001 },
		{ NULL, { "--port", "1", "--port", "2", NULL }, 2 },
		{ "2k", { NULL }, 2048 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_env();
		if (cases[i].env)
			setenv("TCFG_PORT", cases[i].env, 1);
		CHECK_INT(parse(cases[i].args, NULL, NULL, NULL), 0, "case %zu",
		          i);
		CHECK_INT(c.port, cases[i].want, "case %zu", i);
	}
	/* Strings the same way; an empty environment value is a value. */
	reset_env();
	CHECK_INT(parse(NULL, NULL, NULL, NULL), 0);
	CHECK_STR(c.name, "dflt");
	CHECK_STR(c.db, "");
	CHECK_STR(c.key, "");
	setenv("TCFG_NAME", "from-env", 1);
	CHECK_INT(parse(NULL, NULL, NULL, NULL), 0);
	CHECK_STR(c.name, "from-env");
	CHECK_INT(parse((const char *[]){ "--name", "from-flag", NULL }, NULL,
	                NULL, NULL),
	          0);
	CHECK_STR(c.name, "from-flag");
	setenv("TCFG_NAME", "", 1);
	CHECK_INT(parse(NULL, NULL, NULL, NULL), 0);
	CHECK_STR(c.name, "");
	reset_env();
}

static void
test_values(void)
{
	static const struct {
		const char *args[4];
		int rc;
		long size;       /* --max-size after a good parse */
		int flag;        /* --flag after a good parse */
		const char *err; /* in stderr after a bad one */
	} cases[] = {
		{ { "--max-size", "4096", NULL }, 0, 4096, 0, NULL },
		{ { "--max-size", "4k", NULL }, 0, 4096, 0, NULL },
		{ { "--max-size", "4K", NULL }, 0, 4096, 0, NULL },
		{ { "--max-size", "3M", NULL }, 0, 3L << 20, 0, NULL },
		{ { "--max-size", "2G", NULL }, 0, 2L << 30, 0, NULL },
		{ { "--max-size", "-1", NULL }, 0, -1, 0, NULL },
		{ { "--max-size", "4T", NULL }, -1, 0, 0, "invalid value" },
		{ { "--max-size", "4m", NULL }, -1, 0, 0, "--max-size" },
		{ { "--max-size", "4 k", NULL }, -1, 0, 0, "invalid value" },
		{ { "--max-size", "", NULL }, -1, 0, 0, "invalid value" },
		{ { "--max-size", "0x10", NULL }, -1, 0, 0, "invalid value" },
		{ { "--max-size", "99999999999999999999", NULL },
		  -1,
		  0,
		  0,
		  "invalid value" },
		{ { "--max-size", "9223372036854775807G", NULL },
		  -1,
		  0,
		  0,
		  "invalid value" },
		{ { "--max-size", NULL }, -1, 0, 0, "needs a value" },
		{ { "--flag", NULL }, 0, 4L << 20, 1, NULL },
		{ { "--flag=true", NULL }, 0, 4L << 20, 1, NULL },
		{ { "--flag=on", NULL }, 0, 4L << 20, 1, NULL },
		{ { "--flag=0", NULL }, 0, 4L << 20, 0, NULL },
		{ { "--flag=No", NULL }, 0, 4L << 20, 0, NULL },
		{ { "--flag=maybe", NULL }, -1, 0, 0, "invalid value" },
		/* A switch never takes the next word: it is an argument. */
		{ { "--flag", "false", NULL },
		  -1,
		  0,
		  0,
		  "unexpected argument" },
		{ { "--nope", NULL }, -1, 0, 0, "unknown option --nope" },
		{ { "--nope=1", NULL }, -1, 0, 0, "unknown option --nope" },
		{ { "-p", NULL }, -1, 0, 0, "unknown option -p" },
		{ { "--por", "1", NULL }, -1, 0, 0, "unknown option --por" },
		{ { "stray", NULL }, -1, 0, 0, "unexpected argument" },
	};
	char *err;

	reset_env();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].args, NULL, NULL, &err);

		CHECK_INT(rc, cases[i].rc, "case %zu (%s)", i,
		          cases[i].args[0]);
		if (rc == 0 && cases[i].rc == 0) {
			CHECK_INT(c.size, cases[i].size, "case %zu", i);
			CHECK_INT(c.flag, cases[i].flag, "case %zu", i);
			CHECK_STR(err, "", "case %zu", i);
		} else if (cases[i].err) {
			CHECK(strstr(err, cases[i].err) != NULL,
			      "case %zu: stderr \"%s\" lacks \"%s\"", i, err,
			      cases[i].err);
		}
		free(err);
	}
	/* The environment is checked like a flag, and named in the error. */
	static const struct {
		const char *var, *val;
	} bad_env[] = {
		{ "TCFG_PORT", "12x" },
		{ "TCFG_MAX_SIZE", "1P" },
		{ "TCFG_FLAG", "sometimes" },
	};
	for (size_t i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
		reset_env();
		setenv(bad_env[i].var, bad_env[i].val, 1);
		CHECK_INT(parse(NULL, NULL, NULL, &err), -1, "%s",
		          bad_env[i].var);
		CHECK(strstr(err, bad_env[i].var) != NULL, "%s", err);
		free(err);
	}
	reset_env();
}

/* A bad default fails at start, like input. */
static void
test_bad_default(void)
{
	long n = 0;
	const struct cfg_opt bad[] = {
		{ "n", CFG_INT, &n, "12 apples", "" },
		{ 0 },
	};
	char *argv[] = { "tcfg", NULL };
	struct cap k;
	char *err;

	cap_begin(&k, 2);
	CHECK_INT(cfg_parse(bad, "tcfg", "TCFG_", NULL, 1, argv, NULL), -1);
	err = cap_end(&k);
	CHECK(strstr(err, "from default") != NULL, "%s", err);
	free(err);
}

/* A required flag: its absence names the flag and its variable, --help
 * marks it; cfg_invalid() names flag, variable, value and what is allowed. */
static void
test_required(void)
{
	char *dir = NULL;
	const struct cfg_opt req[] = {
		{ "dir", CFG_STR, &dir, NULL, "where things go", true },
		{ 0 },
	};
	char *argv[] = { "tcfg", "--dir", "/x", NULL };
	char *help[] = { "tcfg", "--help", NULL };
	struct cap k;
	char *err;

	unsetenv("TCFG_DIR");
	cap_begin(&k, 2);
	CHECK_INT(cfg_parse(req, "tcfg", "TCFG_", NULL, 1, argv, NULL), -1);
	err = cap_end(&k);
	CHECK(strstr(err, "--dir is required") && strstr(err, "TCFG_DIR"), "%s",
	      err);
	free(err);
	cfg_free(req, NULL);
	CHECK_INT(cfg_parse(req, "tcfg", "TCFG_", NULL, 3, argv, NULL), 0);
	CHECK_STR(dir, "/x");
	cfg_free(req, NULL);
	cap_begin(&k, 1);
	CHECK_INT(cfg_parse(req, "tcfg", "TCFG_", NULL, 2, help, NULL), 1);
	err = cap_end(&k);
	CHECK(strstr(err, "--dir STR  (required)") != NULL, "%s", err);
	free(err);
	cfg_free(req, NULL);
	cap_begin(&k, 2);
	CHECK_INT(
	    cfg_invalid_int("tcfg", "max-things", -3, "must be at least 1"),
	    -1);
	err = cap_end(&k);
	CHECK_STR(err, "tcfg: --max-things (env TCFG_MAX_THINGS) is \"-3\": "
	               "must be at least 1 (see --help)\n");
	free(err);
}

static void
test_lists(void)
{
	static const struct {
		const char *env;
		const char *args[6];
		const char *want;
	} cases[] = {
		{ NULL, { NULL }, "tcp://a:1|tcp://b:2" },
		{ "x,,y,", { NULL }, "x|y" },
		{ "", { NULL }, "" },
		/* the first flag replaces env and default, later ones add */
		{ "x,y", { "--connect", "p", "--connect=q", NULL }, "p|q" },
		{ NULL, { "--connect", "a,b", NULL }, "a,b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_env();
		if (cases[i].env)
			setenv("TCFG_CONNECT", cases[i].env, 1);
		CHECK_INT(parse(cases[i].args, NULL, NULL, NULL), 0, "case %zu",
		          i);
		CHECK_STR(list_str(&c.conn), cases[i].want, "case %zu", i);
	}
	reset_env();
}

static void
test_positional(void)
{
	struct cfg_list rest;

	CHECK_INT(parse((const char *[]){ "a.txt", "--port", "1", "b.txt", "--",
	                                  "--port", NULL },
	                &rest, NULL, NULL),
	          0);
	CHECK_STR(list_str(&rest), "a.txt|b.txt|--port");
	CHECK_INT(c.port, 1);
	cfg_free(s_opts, &rest);
	CHECK_INT(rest.n, 0);
	CHECK(rest.v == NULL);
}

static void
test_help_version(void)
{
	char *out, *err, line[256];

	CHECK_INT(parse((const char *[]){ "--help", NULL }, NULL, &out, &err),
	          1);
	CHECK_STR(err, "");
	CHECK(strstr(out, "usage: tcfg") == out, "%s", out);
	for (const struct cfg_opt *o = s_opts; o->name; o++) {
		snprintf(line, sizeof(line), "\n  --%s", o->name);
		CHECK(strstr(out, line) != NULL, "--help lacks --%s", o->name);
	}
	/* Each option with its environment twin and default (if any). */
	static const char *const want[] = {
		"env TCFG_NAME, default dflt\n",
		"env TCFG_PORT, default 5555\n",
		"env TCFG_MAX_SIZE, default 4M\n",
		"env TCFG_FLAG, default false\n",
		"env TCFG_CONNECT, default tcp://a:1,tcp://b:2\n",
		"env TCFG_DB\n",
		"env TCFG_API_KEY\n",
		"  --connect STR (repeatable)\n      repeatable endpoint\n",
		"  --port N\n      a number\n",
		"  --help\n",
		"  --version\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(strstr(out, want[i]) != NULL, "--help lacks \"%s\"",
		      want[i]);
	free(out);
	free(err);
	CHECK_INT(
	    parse((const char *[]){ "--version", NULL }, NULL, &out, NULL), 1);
	CHECK_STR(out, "tcfg 1.2.3\n");
	free(out);
}

/* cfg_log: one "config" line, secrets masked; unknown TCFG_* variables
 * are warnings, not errors. */
static void
test_log_masks(void)
{
	static const struct {
		const char *db;
		const char *want; /* the conninfo as logged */
		const char *secret;
	} cases[] = {
		{ "host=db password=hunter2 user=u",
		  "host=db password=*** user=u", "hunter2" },
		{ "password = 'sec ret\\' x' dbname=d",
		  "password = *** dbname=d", "sec ret" },
		{ "password=hunter2", "password=***", "hunter2" },
		{ "postgresql://user:hunter2@db:5432/x",
		  "postgresql://user:***@db:5432/x", "hunter2" },
		{ "host=db user=u", "host=db user=u", NULL },
	};
	char *err, want[256];
	struct cap k;

	log_setup(LOG_INFO, LOG_JSON, "tcfg");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset_env();
		setenv("TCFG_API_KEY", "topsecretkey", 1);
		CHECK_INT(parse((const char *[]){ "--db", cases[i].db, NULL },
		                NULL, NULL, NULL),
		          0);
		CHECK_STR(c.db, cases[i].db, "the value itself is intact");
		cap_begin(&k, 2);
		cfg_log(s_opts);
		err = cap_end(&k);
		snprintf(want, sizeof(want), "\"db\":\"%s\"", cases[i].want);
		CHECK(strstr(err, want) != NULL, "case %zu: %s", i, err);
		CHECK(strstr(err, "\"api-key\":\"***\"") != NULL, "%s", err);
		CHECK(!strstr(err, "topsecretkey"), "%s", err);
		if (cases[i].secret)
			CHECK(!strstr(err, cases[i].secret), "case %zu: %s", i,
			      err);
		CHECK(strstr(err, "\"event\":\"config\"") != NULL);
		CHECK(strstr(err, "\"port\":5555") != NULL);
		CHECK(strstr(err, "\"flag\":\"false\"") != NULL);
		CHECK(strstr(err, "\"connect\":\"tcp://a:1,tcp://b:2\"") !=
		      NULL);
		free(err);
	}
	/* A conninfo in a list is masked too. */
	CHECK_INT(
	    parse((const char *[]){ "--connect", "password=pw1 x=y", NULL },
	          NULL, NULL, NULL),
	    0);
	cap_begin(&k, 2);
	cfg_log(s_opts);
	err = cap_end(&k);
	CHECK(!strstr(err, "pw1") && strstr(err, "password=*** x=y"), "%s",
	      err);
	free(err);

	/* Unknown TCFG_ names: parsed fine, one warning each at cfg_log. */
	reset_env();
	setenv("TCFG_BOGUS", "1", 1);
	setenv("TCFG_SERVICE_HOST", "10.0.0.1", 1);
	CHECK_INT(parse(NULL, NULL, NULL, &err), 0);
	CHECK_STR(err, "", "no error while parsing");
	free(err);
	cap_begin(&k, 2);
	cfg_log(s_opts);
	err = cap_end(&k);
	CHECK(strstr(err, "\"event\":\"config.unknown_env\",\"name\":"
	                  "\"TCFG_BOGUS\"") != NULL,
	      "%s", err);
	CHECK(strstr(err, "\"name\":\"TCFG_SERVICE_HOST\"") != NULL, "%s", err);
	CHECK(strstr(err, "\"level\":\"warn\"") != NULL);
	CHECK(!strstr(err, "TCFG_PORT"), "known names are not warned about");
	free(err);
	unsetenv("TCFG_SERVICE_HOST");
	reset_env();
	log_setup(LOG_INFO, LOG_PLAIN, "tcfg");
}

int
main(void)
{
	test_precedence();
	test_values();
	test_bad_default();
	test_required();
	test_lists();
	test_positional();
	test_help_version();
	test_log_masks();
	cfg_free(s_opts, NULL);
	return test_done("cfg_test");
}
