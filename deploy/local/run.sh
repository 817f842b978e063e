#!/usr/bin/env bash
# The main job end to end on one machine, with nothing but this checkout:
# installs what is missing, builds, starts a throwaway PostgreSQL under
# .run/ (unix socket only), applies the migrations, starts ingestd and two
# extractd workers, feeds the sample articles (tests/corpus/), waits until
# every one is stored, prints a summary from SQL and stops everything.
#
# usage: deploy/local/run.sh [--keep] [--workers N] [--articles DIR]
#   --keep        leave PostgreSQL and the daemons running (stop them with
#                 deploy/local/run.sh --stop)
#   --stop        stop what a --keep run left running
#   --workers N   extractd workers (default 2)
#   --articles D  feed D/*.txt instead of tests/corpus/*.txt
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run_dir=$top/.run
keep=0
workers=2
articles=$top/tests/corpus
stop_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--stop) stop_only=1 ;;
	--workers) workers=$2; shift ;;
	--articles) articles=$(cd "$2" && pwd); shift ;;
	-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

stop_all() {
	if [ -f "$run_dir/pids" ]; then
		# Workers first (they drain), then ingestd.
		tac "$run_dir/pids" | while read -r pid; do
			kill -TERM "$pid" 2>/dev/null || true
		done
		for _ in $(seq 100); do
			alive=0
			while read -r pid; do
				kill -0 "$pid" 2>/dev/null && alive=1
			done <"$run_dir/pids"
			[ "$alive" = 0 ] && break
			sleep 0.1
		done
		rm -f "$run_dir/pids"
	fi
	tests/lib/pgtmp.sh stop "$run_dir/pg" >/dev/null 2>&1 || true
}

if [ "$stop_only" = 1 ]; then
	stop_all
	echo "stopped"
	exit 0
fi

deploy/local/deps.sh
echo "== build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
ingestd=$top/build/ingestd/ingestd
extractd=$top/build/extractd/extractd

stop_all
rm -rf "$run_dir"
mkdir -p "$run_dir/logs" "$run_dir/spool"
if [ "$keep" = 0 ]; then
	trap stop_all EXIT
fi

echo "== PostgreSQL (throwaway, unix socket only)"
conninfo=$(tests/lib/pgtmp.sh start "$run_dir/pg")
echo "$conninfo" >"$run_dir/conninfo"
echo "   $conninfo"

echo "== migrations"
"$extractd" --migrate --db "$conninfo" 2>>"$run_dir/logs/migrate.log"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=tcp://127.0.0.1:$port
echo "== ingestd on $endpoint, $workers extractd"
"$ingestd" --spool "$run_dir/spool" --bind "$endpoint" \
	2>>"$run_dir/logs/ingestd.log" &
echo $! >>"$run_dir/pids"
for i in $(seq "$workers"); do
	"$extractd" --connect "$endpoint" --db "$conninfo" \
		2>>"$run_dir/logs/extractd.$i.log" &
	echo $! >>"$run_dir/pids"
done

echo "== feeding $(find "$articles" -maxdepth 1 -type f -name '*.txt' | wc -l) articles from ${articles#"$top"/}"
mkdir -p "$run_dir/spool/incoming"
n=0
declare -A seen=()
for f in "$articles"/*.txt; do
	[ -f "$f" ] || continue
	# A file counts once complete: copy beside, then rename into place.
	cp "$f" "$run_dir/spool/incoming/.$(basename "$f").tmp"
	mv "$run_dir/spool/incoming/.$(basename "$f").tmp" \
		"$run_dir/spool/incoming/$(basename "$f")"
	seen[$(sha256sum "$f" | cut -c1-64)]=1
	n=$((n + 1))
done
want=${#seen[@]}

psql_q() { psql -XAtq -d "$conninfo" -c "$1"; }
for _ in $(seq 600); do
	stored=$(psql_q "select count(*) from articles")
	failed=$(find "$run_dir/spool/failed" -type f ! -name '*.error' 2>/dev/null | wc -l)
	[ $((stored + failed)) -ge "$want" ] && break
	sleep 0.1
done
echo "   $stored of $want distinct articles stored, $failed failed"

echo
echo "== summary (SQL)"
psql -X -d "$conninfo" -P pager=off <<'SQL'
\echo 'articles'
select count(*) as articles, count(distinct source) as sources,
       min(published) as first, max(published) as last from articles;
\echo 'figures by category'
select category, count(*) as figures
  from figures group by category order by figures desc;
\echo 'aid money (aid_flows: each amount once per article)'
select helper, recipient, year, category, sum(value) as yuan
  from aid_flows where part_of is null
 group by 1, 2, 3, 4 order by yuan desc limit 10;
\echo 'pairings'
select helper, recipient, relation, count(*) as articles
  from pairings group by 1, 2, 3 order by articles desc, 1, 2;
SQL

if [ "$keep" = 1 ]; then
	echo
	echo "services left running; conninfo in .run/conninfo; stop with: deploy/local/run.sh --stop"
fi
[ "$stored" -ge "$want" ]
