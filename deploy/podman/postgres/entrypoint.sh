#!/bin/bash
# Starts PostgreSQL in the foreground as PID 1; on an empty data directory
# first creates the cluster, POSTGRES_USER (superuser, scram-sha-256 over
# TCP), POSTGRES_DB, and runs /docker-entrypoint-initdb.d/*.sh and *.sql.
set -euo pipefail
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
export POSTGRES_USER POSTGRES_DB
sock=/var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pw=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pw"
	initdb --username="$POSTGRES_USER" --pwfile="$pw" --encoding=UTF8 \
		--locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
		-D "$PGDATA" >/dev/null
	rm -f "$pw"
	cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
unix_socket_directories = '$sock'
ssl = on
ssl_cert_file = '/etc/ssl/certs/ssl-cert-snakeoil.pem'
ssl_key_file = '/etc/ssl/private/ssl-cert-snakeoil.key'
CONF
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	# Private while the init scripts run: no TCP, and a socket elsewhere
	# so the healthcheck (pg_isready on the usual socket) does not pass
	# before the real server is up.
	init_sock=$(mktemp -d)
	pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=$init_sock" \
		start >/dev/null
	if [ "$POSTGRES_DB" != postgres ]; then
		psql -v ON_ERROR_STOP=1 -h "$init_sock" -U "$POSTGRES_USER" -d postgres \
			-qc "CREATE DATABASE \"$POSTGRES_DB\""
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case $f in
		*.sh) echo "init: $f" && PGHOST=$init_sock bash "$f" ;;
		*.sql) echo "init: $f" && psql -v ON_ERROR_STOP=1 -h "$init_sock" \
			-U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	rmdir "$init_sock"
	echo "init: done"
fi
exec postgres -D "$PGDATA"
