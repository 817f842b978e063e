/* err.h - error codes shared by the daemons: 0 or a negative ERR_*. */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

enum {
	ERR_OK = 0,
	ERR_NOMEM = -1,
	ERR_IO = -2,           /* file system; errno was logged */
	ERR_INVAL = -3,        /* bad argument or configuration */
	ERR_PROTO = -4,        /* malformed or unexpected message */
	ERR_TOOBIG = -5,       /* above a configured limit */
	ERR_DECODE = -6,       /* article cannot be decoded: permanent */
	ERR_EXTRACT = -7,      /* extraction failed otherwise: permanent */
	ERR_DB_TRANSIENT = -8, /* connection, serialization, lock timeout */
	ERR_DB_PERMANENT = -9, /* this article's data is refused */
	ERR_AGAIN = -10,       /* try again later */
	ERR_NOTFOUND = -11,
	ERR_STOPPED = -12, /* shutting down */
	ERR_ZMQ = -13,
};

const char *err_str(int err); /* static string; "unknown error" */

#endif
