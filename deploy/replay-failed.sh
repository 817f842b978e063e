#!/bin/bash
# replay-failed - gives articles in SPOOL/failed/ another chance: moves each
# (its NAME.meta.json first, so ingestd sees the sidecar when the article
# appears) back into SPOOL/incoming/ with rename(2), and removes its .error.
# The attempts counter starts again from zero. Run it where ingestd's spool
# is mounted, as the user ingestd runs as (in the image: replay-failed).
#
# usage: replay-failed [-n] SPOOL [NAME...]
#   -n      only print what would be moved
#   NAME    only these articles (names as in failed/); default: all
set -euo pipefail
dry=0
if [ "${1:-}" = "-n" ]; then
	dry=1
	shift
fi
if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
spool=$1
shift
failed=$spool/failed
incoming=$spool/incoming
if [ ! -d "$failed" ] || [ ! -d "$incoming" ]; then
	echo "replay-failed: $spool is not a spool (no failed/ or incoming/)" >&2
	exit 1
fi

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for p in "$failed"/*; do
		[ -f "$p" ] || continue
		n=${p##*/}
		case $n in
		.* | *.error | *.meta.json | *.tmp) continue ;;
		esac
		names+=("$n")
	done
fi

moved=0
skipped=0
for n in "${names[@]}"; do
	if [ ! -f "$failed/$n" ]; then
		echo "replay-failed: $n: not in failed/" >&2
		skipped=$((skipped + 1))
		continue
	fi
	if [ -e "$incoming/$n" ]; then
		echo "replay-failed: $n: already in incoming/, left alone" >&2
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$dry" = 1 ]; then
		echo "would replay $n"
		continue
	fi
	if [ -f "$failed/$n.meta.json" ]; then
		mv -n "$failed/$n.meta.json" "$incoming/$n.meta.json"
	fi
	mv -n "$failed/$n" "$incoming/$n"
	rm -f "$failed/$n.error"
	moved=$((moved + 1))
done
echo "replay-failed: $moved moved, $skipped skipped"
