#!/usr/bin/env bash
# config_errors.sh INGESTD EXTRACTD - configuration mistakes are refused
# with exit 2 and a message naming the flag (or variable), the value and
# what is allowed; --help marks required flags; the scripts' argument
# errors too (deploy/local/run.sh, report.sh, deps.sh), before they do
# anything.
set -uo pipefail
ingestd=$1
extractd=$2
top=$(cd "$(dirname "$0")/.." && pwd)
fails=0

# expect CODE WANT... -- COMMAND...: exit status CODE and every WANT in
# its stderr.
expect() {
	local code=$1 wants=() out rc
	shift
	while [ "$1" != -- ]; do
		wants+=("$1")
		shift
	done
	shift
	out=$("$@" 2>&1 >/dev/null </dev/null)
	rc=$?
	if [ "$rc" != "$code" ]; then
		echo "FAIL: $* exited $rc, not $code: $out"
		fails=$((fails + 1))
		return
	fi
	for w in "${wants[@]}"; do
		case $out in
		*"$w"*) ;;
		*)
			echo "FAIL: $*: stderr lacks \"$w\": $out"
			fails=$((fails + 1))
			return
			;;
		esac
	done
	echo "ok   $*"
}

unset INGESTD_SPOOL
expect 2 "--spool is required" INGESTD_SPOOL -- "$ingestd"
expect 2 "--max-attempts" INGESTD_MAX_ATTEMPTS '"0"' "at least 1" -- \
	"$ingestd" --spool /nonexistent --max-attempts 0
expect 2 "--worker-timeout-ms" '"1000"' "two heartbeats" -- \
	"$ingestd" --spool /nonexistent --worker-timeout-ms 1000 --heartbeat-ms 1000
expect 2 "--http-intake" "needs --http" -- "$ingestd" --spool /x --http-intake
expect 2 "--log-level" '"loud"' "debug, info, warn or error" -- \
	"$ingestd" --spool /x --log-level loud
expect 2 "INGESTD_MAX_ATTEMPTS" '"x"' "whole number" -- \
	env INGESTD_MAX_ATTEMPTS=x "$ingestd" --spool /x
expect 2 "--bind" '"garbage"' "ZeroMQ endpoint" -- \
	"$ingestd" --spool /x --bind garbage
expect 2 "--http" '"nonsense"' "HOST:PORT" -- \
	"$ingestd" --spool /x --http nonsense
expect 2 "--connect" '"garbage"' "ZeroMQ endpoint" -- \
	"$extractd" --connect garbage
expect 2 "--http" '"1.2.3.4:99999"' "HOST:PORT" -- \
	"$extractd" --http 1.2.3.4:99999
expect 2 "--inflight" EXTRACTD_INFLIGHT '"-3"' "at least 1" -- \
	"$extractd" --inflight -3
expect 2 "--db" '"nonsense"' "not a libpq conninfo" -- \
	"$extractd" --db nonsense
expect 2 "--idle-tx-timeout-ms" "above --batch-ms" -- \
	"$extractd" --idle-tx-timeout-ms 100 --batch-ms 200
expect 2 "--json needs FILE" -- "$extractd" --json
expect 2 "one mode at a time" -- "$extractd" --json --migrate x

help=$("$ingestd" --help)
case $help in
*"--spool STR  (required)"*) echo "ok   ingestd --help marks --spool required" ;;
*)
	echo "FAIL: ingestd --help does not mark --spool required"
	fails=$((fails + 1))
	;;
esac

run=$top/deploy/local/run.sh
expect 2 "--workers needs a value" -- "$run" --workers
expect 2 "--workers is \"0\"" "1 to 32" -- "$run" --workers 0
expect 2 "--articles is \"/nonexistent\"" "directory" -- "$run" --articles /nonexistent
expect 2 "unknown argument \"--bogus\"" -- "$run" --bogus
help=$("$run" --help)
case $help in
*"set -euo"* | *"#"*)
	echo "FAIL: run.sh --help prints code: $help"
	fails=$((fails + 1))
	;;
*"--keep"*) echo "ok   run.sh --help" ;;
*)
	echo "FAIL: run.sh --help: $help"
	fails=$((fails + 1))
	;;
esac
expect 2 "--out needs a value" -- "$top/deploy/local/report.sh" --out
expect 2 "unknown argument \"--x\"" -- "$top/deploy/local/deps.sh" --x

echo "config_errors: $fails failed"
[ "$fails" -eq 0 ]
