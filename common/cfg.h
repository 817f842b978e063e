/* cfg.h - one configuration table per daemon: flags, environment
 * variables and defaults.
 *
 * Each row gives a flag (--db) and an environment variable named after the
 * daemon and the flag (EXTRACTD_DB, INGESTD_BIND). A flag beats the
 * environment, which beats the default. Defaults are strings parsed like
 * input, so a bad default fails at start. --help is printed from the
 * table. Unknown flags and malformed values are errors (a clear message on
 * stderr, exit 2); unknown PREFIX_* variables are logged as warnings
 * (Kubernetes injects *_SERVICE_HOST and *_PORT names).
 *
 * Does not: read files or keep anything but what the table points to. */
#ifndef COMMON_CFG_H
#define COMMON_CFG_H

#include "log.h"

#include <stdbool.h>
#include <stddef.h>

enum cfg_type {
	CFG_STR,   /* char * (malloc'd; cfg_free() frees) */
	CFG_INT,   /* long; decimal, may carry a k/M/G suffix for sizes */
	CFG_BOOL,  /* bool; a flag alone means true; env: 1/0 true/false */
	CFG_LIST,  /* struct cfg_list: repeatable flag; env: comma list */
	CFG_SECRET /* like CFG_STR, but masked when the config is logged */
};

struct cfg_list {
	char **v;
	size_t n;
};

struct cfg_opt {
	const char *name; /* flag without the dashes: "db" -> --db */
	enum cfg_type type;
	void *target;
	const char *def; /* default as a string; NULL: none (empty) */
	const char *help;
	bool required; /* an empty value is an error; --help says so */
};

/* Parses argv and the environment into the targets. prog is the daemon
 * ("extractd"), env_prefix its variables' prefix ("EXTRACTD_"). Returns 0,
 * 1 when --help or --version was handled (exit 0), or -1 after printing
 * the error (exit 2). Positional arguments (not flags) are collected in
 * *rest if rest is not NULL, else they are errors. */
int cfg_parse(const struct cfg_opt *opts, const char *prog,
              const char *env_prefix, const char *version, int argc,
              char **argv, struct cfg_list *rest);
/* Logs the configuration once as the event "config", secrets masked
 * (a conninfo's password=... is masked too). */
void cfg_log(const struct cfg_opt *opts);
void cfg_free(const struct cfg_opt *opts, struct cfg_list *rest);
/* Prints, for a value that parsed but is out of range, one line naming
 * the flag, its environment variable, the value and what is allowed:
 *   ingestd: --max-attempts (env INGESTD_MAX_ATTEMPTS) is "0": must be at
 *   least 1 (see --help)
 * Call after cfg_parse(). Always returns -1. */
int cfg_invalid(const char *prog, const char *name, const char *value,
                const char *allowed);
int cfg_invalid_int(const char *prog, const char *name, long value,
                    const char *allowed);
/* The --log-level and --log-format every daemon takes, parsed into
 * *level and *format; an invalid one is reported by cfg_invalid(). 0 or
 * -1. */
int cfg_log_opts(const char *prog, const char *level_s, const char *format_s,
                 enum log_level *level, enum log_format *format);
/* Syntax checks for cfg_invalid(): a ZeroMQ endpoint (tcp://, ipc://,
 * inproc:// and something after it) and HOST:PORT (port 0 to 65535). */
bool cfg_is_endpoint(const char *s);
bool cfg_is_hostport(const char *s);

#endif
