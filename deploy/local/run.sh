#!/usr/bin/env bash
# The main job end to end on one machine, with nothing but this checkout:
# installs what is missing, builds ingestd and extractd, starts a throwaway
# PostgreSQL (unix socket only), applies the migrations, creates the
# analyst login, starts ingestd (spool and HTTP intake on 127.0.0.1) and
# two extractd workers, feeds the sample articles (tests/corpus/), waits
# until every one is stored, prints a summary from SQL, writes the HTML
# report (.run/report.html) and stops everything.
#
# usage: deploy/local/run.sh [--keep] [--fresh] [--workers N] [--articles DIR]
#        deploy/local/run.sh --stop
#   --keep        leave PostgreSQL and the daemons running, detached (logs
#                 in .run/logs/); prints the analyst's psql line, the spool
#                 folder and a curl line that adds an article
#   --stop        stop what a --keep run left running (its data stays in
#                 .run/ until the next run)
#   --fresh       delete a kept run's data (stopping it first) and start over
#   --workers N   extractd workers (default 2)
#   --articles D  feed D/*.txt instead of tests/corpus/*.txt
#   -h, --help    this text
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
run_dir=$top/.run
keep=0
fresh=0
workers=2
articles=$top/tests/corpus
stop_only=0

usage() { sed -n '2,/^set -euo/{/^#/{s/^# \{0,1\}//;p}}' "$0"; }
die() {
	echo "run.sh: $*" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--stop) stop_only=1 ;;
	--fresh) fresh=1 ;;
	--workers | --articles)
		if [ $# -lt 2 ] || [ -z "$2" ] || [ "${2#--}" != "$2" ]; then
			die "$1 needs a value (see --help)"
		fi
		if [ "$1" = --workers ]; then
			case $2 in
			*[!0-9]* | 0*) die "--workers is \"$2\": want a whole number of workers from 1 to 32" ;;
			esac
			[ "$2" -le 32 ] || die "--workers is \"$2\": want a whole number of workers from 1 to 32"
			workers=$2
		else
			[ -d "$2" ] || die "--articles is \"$2\": want a directory of *.txt articles"
			articles=$(cd "$2" && pwd)
		fi
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown argument \"$1\" (see --help)" ;;
	esac
	shift
done

stop_all() {
	if [ -f "$run_dir/pids" ]; then
		# Workers first (they drain), then ingestd.
		tac "$run_dir/pids" | while read -r pid; do
			kill -TERM "$pid" 2>/dev/null || true
		done
		deadline=$((SECONDS + 60))
		while [ "$SECONDS" -lt "$deadline" ]; do
			alive=0
			while read -r pid; do
				kill -0 "$pid" 2>/dev/null && alive=1
			done <"$run_dir/pids"
			[ "$alive" = 0 ] && break
			sleep 0.2
		done
		rm -f "$run_dir/pids"
	fi
	tests/lib/pgtmp.sh stop "$run_dir/pg" >/dev/null 2>&1 || true
	rm -f "$run_dir/kept"
}

if [ "$stop_only" = 1 ]; then
	stop_all
	echo "stopped; the data stays in .run/ until the next run"
	exit 0
fi

# A kept run's database is someone's work: deleted only when asked.
if [ -f "$run_dir/kept" ] && [ "$fresh" = 0 ]; then
	echo "run.sh: a --keep run is in .run/ (started $(cat "$run_dir/kept"))." >&2
	echo "run.sh: stop it first (deploy/local/run.sh --stop), or start over with --fresh (deletes its data)." >&2
	exit 1
fi

deploy/local/deps.sh
echo "== build (ingestd, extractd) in build/"
mkdir -p build
if ! cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	>build/configure.log 2>&1; then
	tail -n 30 build/configure.log >&2
	die "cmake configure failed (build/configure.log)"
fi
cmake --build build -j"$(nproc)" --target ingestd --target extractd 2>&1 |
	sed -u 's/^/   /'
ingestd=$top/build/ingestd/ingestd
extractd=$top/build/extractd/extractd

stop_all
tests/lib/pgtmp.sh destroy "$run_dir/pg" >/dev/null 2>&1 || true
rm -rf "$run_dir"
mkdir -p "$run_dir/logs" "$run_dir/spool"
if [ "$keep" = 0 ]; then
	trap stop_all EXIT
fi

echo "== PostgreSQL (throwaway, unix socket only)"
super=$(tests/lib/pgtmp.sh start "$run_dir/pg")
psql -XAtq -v ON_ERROR_STOP=1 -d "$super" -c "create database eastwest"
conninfo=${super/dbname=postgres/dbname=eastwest}
analyst="${conninfo% user=*} user=analyst"
echo "$conninfo" >"$run_dir/conninfo"
echo "$analyst" >"$run_dir/analyst"
echo "   data in $(readlink -f "$run_dir/pg/pgdata"), socket in $(cat "$run_dir/pg/sockdir")"

echo "== migrations, login 'analyst' in eastwest_reader"
"$extractd" --migrate --db "$conninfo" 2>>"$run_dir/logs/migrate.log" || {
	tail -n 20 "$run_dir/logs/migrate.log" >&2
	die "migrations failed (.run/logs/migrate.log)"
}
psql -XAtq -v ON_ERROR_STOP=1 -d "$conninfo" \
	-c "create role analyst login in role eastwest_reader"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
http_port=$(free_port)
endpoint=tcp://127.0.0.1:$port
echo "== ingestd on $endpoint (HTTP intake on 127.0.0.1:$http_port), $workers extractd"
# setsid and no inherited descriptors: a --keep run's daemons outlive the
# script, its terminal and any pipe it writes into.
setsid "$ingestd" --spool "$run_dir/spool" --bind "$endpoint" \
	--http "127.0.0.1:$http_port" --http-intake \
	</dev/null >>"$run_dir/logs/ingestd.log" 2>&1 &
echo $! >>"$run_dir/pids"
for i in $(seq "$workers"); do
	setsid "$extractd" --connect "$endpoint" --db "$conninfo" \
		</dev/null >>"$run_dir/logs/extractd.$i.log" 2>&1 &
	echo $! >>"$run_dir/pids"
done

echo "== feeding $(find "$articles" -maxdepth 1 -type f -name '*.txt' | wc -l) articles from ${articles#"$top"/}"
mkdir -p "$run_dir/spool/incoming"
declare -A seen=()
for f in "$articles"/*.txt; do
	[ -f "$f" ] || continue
	# A file counts once complete: copy beside, then rename into place.
	cp "$f" "$run_dir/spool/incoming/.$(basename "$f").tmp"
	mv "$run_dir/spool/incoming/.$(basename "$f").tmp" \
		"$run_dir/spool/incoming/$(basename "$f")"
	seen[$(sha256sum "$f" | cut -c1-64)]=1
done
want=${#seen[@]}

psql_q() { psql -XAtq -d "$conninfo" -c "$1"; }
deadline=$((SECONDS + 300))
said=
stored=0
failed=0
while :; do
	stored=$(psql_q "select count(*) from articles")
	failed=$(find "$run_dir/spool/failed" -type f ! -name '*.error' 2>/dev/null | wc -l)
	if [ "$stored/$failed" != "$said" ]; then
		echo "   $stored of $want stored, $failed failed"
		said=$stored/$failed
	fi
	[ $((stored + failed)) -ge "$want" ] && break
	if [ "$SECONDS" -ge "$deadline" ]; then
		echo "run.sh: still waiting after 300 s; see .run/logs/" >&2
		break
	fi
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null && continue
		tail -n 5 "$run_dir"/logs/*.log >&2
		die "a daemon (pid $pid) exited; logs in .run/logs/"
	done <"$run_dir/pids"
	sleep 0.2
done

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

echo "== report"
if deploy/local/report.sh --db "$analyst" --out "$run_dir/report.html" \
	>/dev/null 2>"$run_dir/logs/report.log"; then
	echo "   $run_dir/report.html (open it in a browser; deploy/local/report.sh writes it again)"
else
	echo "   report failed: .run/logs/report.log" >&2
fi

if [ "$keep" = 0 ]; then
	echo
	echo "== stopping (deploy/local/run.sh --keep keeps the services up and prints the analyst's psql line)"
fi
if [ "$keep" = 1 ]; then
	date -u +%Y-%m-%dT%H:%M:%SZ >"$run_dir/kept"
	sample=$top/tests/data/heldout/005_luyu_chengkou.txt
	cat <<EOF

== running (stop with: deploy/local/run.sh --stop)
The analyst's login (read only, eastwest_reader); paste as it is:
psql "$analyst"
Add an article by HTTP (ingestd's intake on 127.0.0.1:$http_port):
curl -sS --data-binary @$sample -H 'Content-Type: text/plain; charset=utf-8' http://127.0.0.1:$http_port/articles
or write it into the spool folder and rename it into incoming/:
cp ARTICLE.txt $run_dir/spool/tmp/a.txt && mv $run_dir/spool/tmp/a.txt $run_dir/spool/incoming/
Then find it (worker.progress lines in .run/logs/extractd.*.log count it):
psql "$analyst" -c "select title, source, published, stored_at from articles order by stored_at desc limit 3"
Logs: $run_dir/logs/   Report: deploy/local/report.sh (writes .run/report.html)
EOF
fi
[ "$stored" -ge "$want" ]
