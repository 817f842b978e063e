#!/bin/bash
# healthcheck - container probe without curl (the runtime image has none):
# GET http://HOST:PORT/PATH and exit 0 only on HTTP 200.
#
# usage: healthcheck [PORT [PATH]]      defaults: 9100 /healthz
#   HEALTHCHECK_HOST overrides 127.0.0.1 (for a daemon bound to one address)
set -eu
port=${1:-9100}
path=${2:-/healthz}
host=${HEALTHCHECK_HOST:-127.0.0.1}
case $port in
'' | *[!0-9]*)
	echo "healthcheck: PORT is \"$port\": want a port number (usage: healthcheck [PORT [PATH]])" >&2
	exit 2
	;;
esac

if ! { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
	echo "healthcheck: cannot connect to $host:$port" >&2
	exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' \
	"$path" "$host" >&3
status=
if ! IFS= read -r -t 5 status <&3; then
	echo "healthcheck: no answer from $host:$port$path" >&2
	exit 1
fi
case $status in
"HTTP/1."?" 200 "*) exit 0 ;;
esac
# The body says why (for /readyz: the daemon's reason).
reason=$(sed -n '/^\r\{0,1\}$/,$p' <&3 | tr -d '\r' | sed '/^$/d' | head -n 1)
echo "healthcheck: $path: ${status%$'\r'} ${reason}" >&2
exit 1
