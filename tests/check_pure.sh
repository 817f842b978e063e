#!/usr/bin/env bash
# The extraction library does no I/O (STYLE.md section 3): fails if
# libextract.a calls into files, sockets, the database, ZeroMQ, the clock
# or the environment. Usage: tests/check_pure.sh path/to/libextract.a
set -euo pipefail
lib=$1
bad=$(nm -u "$lib" | awk '{print $2}' | grep -E \
	'^(fopen|fopen64|open|open64|openat|read|write|socket|connect|getenv|time|clock_gettime|gettimeofday|PQ.*|zmq_.*|opencc_open|syslog|printf|fprintf|puts|perror)$' ||
	true)
if [ -n "$bad" ]; then
	echo "libextract.a must not call: $bad"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "pure: libextract.a calls none of the I/O functions"
echo "1 passed, 0 failed"
