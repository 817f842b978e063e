#!/bin/sh
# pgtmp.sh - a throwaway PostgreSQL for tests.
#
#   pgtmp.sh start DIR    initdb (once) and start; prints a libpq conninfo
#   pgtmp.sh stop DIR     fast shutdown; removes the socket directory
#   pgtmp.sh restart DIR  fast shutdown and start, same socket and port
#   pgtmp.sh status DIR   prints the conninfo and exits 0 when running, 3 not
#   pgtmp.sh conninfo DIR prints the conninfo (running or not)
#   pgtmp.sh destroy DIR  stop, then remove DIR and the private folder
#
# Data in DIR/pgdata, log in DIR/pg.log. Unix socket only
# (listen_addresses=''), in a short private directory made by
# mktemp -d /tmp/pg.XXXXXX (socket paths must stay under 107 bytes), whose
# name is kept in DIR/sockdir; the port (only part of the socket name) is
# kept in DIR/port. Authentication is trust: the socket directory is mode
# 0700, so only its owner (and root) can reach the server.
#
# PostgreSQL refuses to run as root: as root the server runs as the
# `postgres` user (the Debian package creates it) and the superuser is
# `postgres`; otherwise it runs as the current user, who is the superuser.
# Where `postgres` cannot walk into DIR (a checkout in root's home or in a
# `mktemp -d`, both mode 0700), the data, the log and the socket go into a
# private folder made by mktemp -d /tmp/pgtmp.XXXXXX, owned by `postgres`,
# mode 0700; DIR/home names it and DIR/pgdata and DIR/pg.log are links
# into it.
#
# Binaries: $PG_BINDIR, else the newest /usr/lib/postgresql/*/bin, else
# `pg_config --bindir`, else PATH. Every command is idempotent.
set -eu

PROG=${0##*/}

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

usage() {
	printf 'usage: %s start|stop|restart|status|conninfo|destroy DIR\n' "$PROG" >&2
	exit 2
}

find_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		printf '%s\n' "$PG_BINDIR"
		return
	fi
	# Highest major version: 15 sorts before 9.6 as text, so sort numerically.
	best=$(for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && printf '%s\n' "$d"
	done | sort -t/ -k4,4n | tail -n 1)
	if [ -n "$best" ]; then
		printf '%s\n' "$best"
		return
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		if [ -x "$d/initdb" ]; then
			printf '%s\n' "$d"
			return
		fi
	fi
	d=$(command -v initdb 2>/dev/null) || die "no PostgreSQL found (initdb); install the postgresql package or set PG_BINDIR"
	printf '%s\n' "${d%/initdb}"
}

# Runs a command as the server's owner.
as_owner() {
	if [ "$IS_ROOT" = 1 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

log_tail() {
	if [ -f "$PGLOG" ]; then
		printf '%s: last lines of %s:\n' "$PROG" "$PGLOG" >&2
		tail -n 25 "$PGLOG" >&2
	fi
}

conninfo() {
	printf 'host=%s port=%s dbname=postgres user=%s\n' \
		"$(cat "$DIR/sockdir")" "$(cat "$DIR/port")" "$SUPERUSER"
}

is_running() {
	[ -f "$PGD/postmaster.pid" ] || return 1
	as_owner "$BINDIR/pg_ctl" -D "$PGD" status >/dev/null 2>&1
}

# Where the server's files are: DIR itself, or the private folder named
# by DIR/home (see the top of this file).
locate() {
	PGD=$DIR/pgdata
	PGLOG=$DIR/pg.log
	HOMEDIR=
	if [ -f "$DIR/home" ]; then
		HOMEDIR=$(cat "$DIR/home")
		PGD=$HOMEDIR/pgdata
		PGLOG=$HOMEDIR/pg.log
	fi
}

# As root, a fresh DIR that `postgres` cannot reach gets a private folder.
make_home() {
	[ "$IS_ROOT" = 1 ] || return 0
	[ -f "$DIR/home" ] || [ -f "$DIR/pgdata/PG_VERSION" ] && return 0
	runuser -u postgres -- test -x "$DIR" 2>/dev/null && return 0
	h=$(mktemp -d /tmp/pgtmp.XXXXXX)
	chmod 0700 "$h"
	chown postgres: "$h"
	printf '%s\n' "$h" >"$DIR/home"
	printf '%s\n' "$h" >"$DIR/sockdir"
	rm -rf "$DIR/pgdata" "$DIR/pg.log"
	ln -s "$h/pgdata" "$DIR/pgdata"
	ln -s "$h/pg.log" "$DIR/pg.log"
	locate
}

pick_port() {
	# Only the socket's name uses it and the directory is private, so any
	# port works; a random one keeps names distinct in `ps` and logs.
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	printf '%s\n' $((20000 + n % 40000))
}

do_init() {
	[ -f "$PGD/PG_VERSION" ] && return 0
	rm -rf "$PGD"
	mkdir -p "$PGD"
	chmod 0700 "$PGD"
	if [ "$IS_ROOT" = 1 ]; then
		chown postgres: "$PGD"
		touch "$PGLOG"
		chown postgres: "$PGLOG"
	fi
	if ! as_owner "$BINDIR/initdb" -D "$PGD" -U "$SUPERUSER" \
		--auth=trust --encoding=UTF8 --locale=C.UTF-8 \
		>"$DIR/initdb.log" 2>&1; then
		tail -n 25 "$DIR/initdb.log" >&2
		rm -rf "$PGD"
		die "initdb failed (full output in $DIR/initdb.log)"
	fi
	# Settings the tests rely on; the socket and port go on the command
	# line at each start so that a restart can keep them.
	cat >>"$PGD/postgresql.conf" <<'EOF'

# pgtmp.sh
listen_addresses = ''
fsync = on
max_connections = 100
shared_buffers = 32MB
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
EOF
}

do_start() {
	mkdir -p "$DIR"
	if [ "$IS_ROOT" = 1 ]; then
		# The server user must be able to walk into DIR.
		chmod o+x "$DIR"
	fi
	if [ -f "$DIR/sockdir" ] && [ -d "$(cat "$DIR/sockdir")" ] && is_running; then
		conninfo
		return 0
	fi
	make_home
	do_init
	if [ ! -f "$DIR/sockdir" ] || [ ! -d "$(cat "$DIR/sockdir")" ]; then
		sock=$(mktemp -d /tmp/pg.XXXXXX)
		chmod 0700 "$sock"
		[ "$IS_ROOT" = 1 ] && chown postgres: "$sock"
		printf '%s\n' "$sock" >"$DIR/sockdir"
	fi
	[ -f "$DIR/port" ] || pick_port >"$DIR/port"
	sock=$(cat "$DIR/sockdir")
	port=$(cat "$DIR/port")
	if [ "$IS_ROOT" = 1 ]; then
		touch "$PGLOG"
		chown postgres: "$PGLOG"
	fi
	# A server killed with -9 leaves postmaster.pid; pg_ctl copes with a
	# stale one as long as its pid is not alive.
	if ! as_owner "$BINDIR/pg_ctl" -D "$PGD" -l "$PGLOG" \
		-o "-k $sock -p $port" -w -t 60 start >/dev/null 2>&1; then
		log_tail
		die "PostgreSQL did not start (data $PGD)"
	fi
	i=0
	while ! "$BINDIR/pg_isready" -q -h "$sock" -p "$port" -d postgres -U "$SUPERUSER"; do
		i=$((i + 1))
		if [ "$i" -ge 300 ]; then
			log_tail
			die "PostgreSQL is not ready after 30 s"
		fi
		sleep 0.1
	done
	conninfo
}

do_stop() {
	keep_sock=$1
	if is_running; then
		if ! as_owner "$BINDIR/pg_ctl" -D "$PGD" -m fast -w -t 60 \
			stop >/dev/null 2>&1; then
			log_tail
			die "PostgreSQL did not stop"
		fi
	fi
	# A private folder is the socket's directory too: kept with the data.
	if [ "$keep_sock" = 0 ] && [ -z "$HOMEDIR" ] && [ -f "$DIR/sockdir" ]; then
		sock=$(cat "$DIR/sockdir")
		case $sock in
		/tmp/pg.*) rm -rf "$sock" ;;
		esac
		rm -f "$DIR/sockdir"
	fi
	return 0
}

[ $# -eq 2 ] || usage
CMD=$1
DIR=$2
[ -n "$DIR" ] || usage
case $DIR in
/*) ;;
*) DIR=$(pwd)/$DIR ;;
esac

BINDIR=$(find_bindir)
if [ "$(id -u)" = 0 ]; then
	IS_ROOT=1
	SUPERUSER=postgres
	id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user"
	command -v runuser >/dev/null 2>&1 || die "running as root needs runuser"
else
	IS_ROOT=0
	SUPERUSER=$(id -un)
fi
locate

case $CMD in
start)
	do_start
	;;
stop)
	[ -d "$DIR" ] || exit 0
	do_stop 0
	;;
restart)
	[ -d "$PGD" ] || die "nothing to restart in $DIR"
	do_stop 1
	do_start
	;;
status)
	if [ -d "$DIR" ] && [ -f "$DIR/sockdir" ] && is_running; then
		conninfo
		exit 0
	fi
	printf 'not running\n' >&2
	exit 3
	;;
destroy)
	[ -d "$DIR" ] || exit 0
	do_stop 0
	case $HOMEDIR in
	/tmp/pgtmp.*) rm -rf "$HOMEDIR" ;;
	esac
	rm -rf "$DIR"
	;;
conninfo)
	if [ ! -f "$DIR/sockdir" ] || [ ! -f "$DIR/port" ]; then
		die "not started: $DIR"
	fi
	conninfo
	;;
*)
	usage
	;;
esac
