/* err.c - names of the ERR_* codes. */
#include "err.h"

const char *
err_str(int err)
{
	switch (err) {
	case ERR_OK:
		return "ok";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_IO:
		return "i/o error";
	case ERR_INVAL:
		return "invalid argument";
	case ERR_PROTO:
		return "protocol error";
	case ERR_TOOBIG:
		return "too big";
	case ERR_DECODE:
		return "undecodable";
	case ERR_EXTRACT:
		return "extraction failed";
	case ERR_DB_TRANSIENT:
		return "database unavailable";
	case ERR_DB_PERMANENT:
		return "database refused the data";
	case ERR_AGAIN:
		return "try again";
	case ERR_NOTFOUND:
		return "not found";
	case ERR_STOPPED:
		return "stopped";
	case ERR_ZMQ:
		return "zeromq error";
	}
	return "unknown error";
}
