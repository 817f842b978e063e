#!/usr/bin/env bash
# bench/run.sh - every stage of the service and the whole of it, side by
# side, in one run (BENCHMARKS.md). Not a test: it never fails CI and is
# not part of tests/run.sh.
#
# usage: bench/run.sh [--quick] [--out DIR] [--keep] [--skip STAGE]...
#   --quick      smaller corpus and fewer runs: under three minutes
#   --out DIR    results (default bench/out): results.md, results.kv,
#                logs/; scratch in DIR/work (removed unless --keep)
#   --skip S     skip a stage: extract, store, e2e, backfill
#
# Steps: Release build in build-bench/; a deterministic corpus (gen, fixed
# seed); extraction alone (bench_extract: one process per class, beside
# UTF-8 validation and bare OpenCC t2s; then two processes); a throwaway
# PostgreSQL (tests/lib/pgtmp.sh; fsync and synchronous_commit on);
# database writing alone (bench_store: one and two connections; then a
# plain COPY of the same rows); end to end (ingestd + 1 and 2 extractd, at
# full speed then at half of it; bench_e2e); a backfill (N articles
# dropped at once into a live spool, drained by two workers for a while:
# ingestd's peak RSS with that many waiting, and the rate under that
# backlog). Then the table: bench/out/results.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

quick=0
keep=0
out=$top/bench/out
skip=" "
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--keep) keep=1 ;;
	--out) out=$2; shift ;;
	--skip) skip="$skip$2 "; shift ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
case $out in /*) ;; *) out=$(pwd)/$out ;; esac

if [ "$quick" = 1 ]; then
	n_corpus=600     # articles for extraction and store
	runs=3           # timed runs per measurement (median)
	n_e2e=1500       # articles per full-speed end-to-end run
	half_s=8         # seconds of the half-speed run
	half_mult=2      # articles staged for it, times n_e2e
	n_backfill=30000 # articles dropped at once in the backfill
	backfill_s=10    # seconds of draining it (then stop)
else
	n_corpus=5000
	runs=7
	n_e2e=10000
	half_s=30
	half_mult=3
	n_backfill=100000
	backfill_s=30
fi
seed=20240101
batch=${BENCH_BATCH:-16} # extractd's batch: its credit window (--inflight)
# BENCH_WORKERS: the end-to-end worker counts (default "1 2"; the table
# reports 1 and 2, the others are in logs/e2e.out and results.kv)

work=$out/work
logs=$out/logs
kv=$out/results.kv
build=$top/build-bench
bin=$build/bench
ingestd=$build/ingestd/ingestd
extractd=$build/extractd/extractd
pids=()
t_start=$(date +%s)

log() { printf '== %s (%ds)\n' "$*" $(($(date +%s) - t_start)); }
skipped() { case $skip in *" $1 "*) return 0 ;; esac; return 1; }
kvget() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$kv"; }

# Stops what this script started, by pid, workers before ingestd.
stop_pids() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
}

cleanup() {
	stop_pids
	tests/lib/pgtmp.sh stop "$work/pg" >/dev/null 2>&1 || true
	# PostgreSQL's log (checkpoints are logged): to explain a stall
	if [ -f "$work/pg/pg.log" ]; then
		cp "$work/pg/pg.log" "$logs/postgresql.log" 2>/dev/null || true
	fi
	if [ "$keep" = 0 ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# Peak resident memory of a live process, in kB.
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

rm -rf "$work" "$logs"
mkdir -p "$work" "$logs"
: >"$kv"

log "build (Release, $build)"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$logs/cmake.log" 2>&1
targets="bench_gen bench_extract bench_e2e bench_store ingestd extractd"
# shellcheck disable=SC2086 # a list of targets
cmake --build "$build" -j2 --target $targets >>"$logs/cmake.log" 2>&1 || {
	tail -n 30 "$logs/cmake.log" >&2
	echo "run.sh: build failed (log: $logs/cmake.log)" >&2
	exit 1
}

{
	echo "@ meta.load_start $(cut -d' ' -f1 /proc/loadavg)"
	echo "@ meta.quick $quick"
	echo "@ meta.n_corpus $n_corpus"
	echo "@ meta.runs $runs"
	echo "@ meta.batch $batch"
} >>"$kv"

log "corpus: $n_corpus articles (seed $seed)"
"$bin/bench_gen" --seed "$seed" --count "$n_corpus" tests/corpus \
	"$work/corpus" 2>&1 | tee "$logs/gen.log"

if ! skipped extract; then
	log "extraction alone ($runs runs each, then 2 processes)"
	"$bin/bench_extract" --runs "$runs" --procs 2 "$work/corpus" \
		| tee "$logs/extract.log" | grep -v '^@'
	grep '^@' "$logs/extract.log" >>"$kv"
fi

need_pg=0
for s in store e2e backfill; do skipped "$s" || need_pg=1; done
if [ "$need_pg" = 1 ]; then
	log "PostgreSQL (throwaway; fsync on, synchronous_commit on)"
	conninfo=$(tests/lib/pgtmp.sh start "$work/pg")
	psql_q() { psql -XAtq -d "$conninfo" -c "$1"; }
	# Sized like a production server (docs/SCALING.md), not like the
	# tests' 32 MB one: WAL-forced checkpoints every ~10 s of writing and
	# backends evicting their own dirty buffers are a test server's
	# artefacts. BENCH_PG_SHARED_BUFFERS / BENCH_PG_MAX_WAL override.
	psql_q "alter system set shared_buffers = '${BENCH_PG_SHARED_BUFFERS:-512MB}'"
	psql_q "alter system set max_wal_size = '${BENCH_PG_MAX_WAL:-8GB}'"
	psql_q "alter system set log_autovacuum_min_duration = 0"
	conninfo=$(tests/lib/pgtmp.sh restart "$work/pg")
	echo "   $conninfo; $(psql_q 'show server_version') fsync=$(psql_q 'show fsync') synchronous_commit=$(psql_q 'show synchronous_commit') shared_buffers=$(psql_q 'show shared_buffers') max_wal_size=$(psql_q 'show max_wal_size')"
	echo "@ meta.pg_conf shared_buffers=$(psql_q 'show shared_buffers'),max_wal_size=$(psql_q 'show max_wal_size')" >>"$kv"
	echo "@ meta.pg_version $(psql_q 'show server_version' | cut -d' ' -f1)" >>"$kv"
	psql_q "create database bench_tpl"
	# store_migrate(), as extractd --migrate runs it.
	"$bin/bench_store" --db "$conninfo dbname=bench_tpl" --migrate \
		"$top/migrations" "$top/data/divisions.tsv" \
		2>"$logs/migrate.log" || {
		tail -n 20 "$logs/migrate.log" >&2
		echo "run.sh: migrations failed" >&2
		exit 1
	}
	newdb() { psql_q "create database $1 template bench_tpl"; }
fi

if ! skipped store; then
	log "database writing alone (store.h, batches of $batch)"
	for c in 1 2; do
		newdb "bench_s$c"
		lsn0=$(psql_q "select pg_current_wal_lsn()")
		"$bin/bench_store" --db "$conninfo dbname=bench_s$c" --conns "$c" \
			--batch "$batch" "$work/corpus" \
			2>>"$logs/store.log" | tee -a "$logs/store.out" \
			| grep -v '^@'
		# WAL written and disk used per article (the template's own
		# size, schema and regions, taken off).
		psql_q "select '@ store.c$c.wal_bytes ' || round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0') / $n_corpus)" >>"$kv"
	done
	psql_q "select '@ store.disk_bytes ' || (pg_database_size('bench_s1') - pg_database_size('bench_tpl')) / $n_corpus" >>"$kv"
	psql -XAtq -d "$conninfo dbname=bench_s1" -c "select '@ store.table_bytes.' || c.relname || ' ' || pg_total_relation_size(c.oid) / $n_corpus from pg_class c where c.relname in ('articles', 'figure_sets', 'pairing_rows', 'flow_rows')" >>"$kv"
	log "plain COPY of the same rows"
	"$bin/bench_store" --db "$conninfo dbname=bench_s1" --copy \
		2>>"$logs/store.log" | tee -a "$logs/store.out" | grep -v '^@'
	grep '^@' "$logs/store.out" >>"$kv"
fi

# One end-to-end setup: ingestd + W workers on a fresh spool and database.
# Sets ing_pid and wk_pids.
start_service() {
	local name=$1 w=$2 port
	port=$((30000 + RANDOM % 20000))
	endpoint=tcp://127.0.0.1:$port
	spool=$work/spool.$name
	mkdir -p "$spool/incoming" "$spool/done" "$spool/failed" "$spool/tmp"
	newdb "bench_$name"
	"$ingestd" --spool "$spool" --bind "$endpoint" \
		2>"$logs/ingestd.$name.log" &
	ing_pid=$!
	pids+=("$ing_pid")
	wk_pids=()
	for i in $(seq "$w"); do
		"$extractd" --connect "$endpoint" \
			--db "$conninfo dbname=bench_$name" \
			2>"$logs/extractd.$name.$i.log" &
		wk_pids+=("$!")
		pids+=("$!")
	done
}

# Stages articles [first, first+n) on the spool's file system, synced,
# so that the timed part is only the renames into incoming/.
stage() {
	local dir=$1 first=$2 n=$3
	"$bin/bench_gen" --seed "$seed" --first "$first" --count "$n" \
		tests/corpus "$dir" 2>/dev/null
	sync -f "$dir"
}

# CPU seconds (user + system) of a live process.
cpu_s() {
	awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / t }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# Peak RSS of ingestd and the largest worker; CPU per article of ingestd
# and of the workers together, over the n articles this setup handled.
record_rss() {
	local tag=$1 n=${2:-0} m=0 r c=0
	echo "@ rss.$tag.ingestd_kb $(hwm "$ing_pid")" >>"$kv"
	for p in "${wk_pids[@]}"; do
		r=$(hwm "$p")
		[ "$r" -gt "$m" ] && m=$r
		c=$(awk -v a="$c" -v b="$(cpu_s "$p")" 'BEGIN { print a + b }')
	done
	echo "@ rss.$tag.worker_kb $m" >>"$kv"
	if [ "$n" -gt 0 ]; then
		awk -v i="$(cpu_s "$ing_pid")" -v w="$c" -v n="$n" -v t="$tag" \
			'BEGIN { printf "@ cpu.%s.ingestd_us %.6g\n@ cpu.%s.workers_us %.6g\n", t, i / n * 1e6, t, w / n * 1e6 }' >>"$kv"
	fi
}

if ! skipped e2e; then
	# shellcheck disable=SC2086 # a list of worker counts
	for w in ${BENCH_WORKERS:-1 2}; do
		name=w$w
		log "end to end: ingestd + $w worker(s)"
		st=$work/stage.$name
		# warm-up, full speed, half speed: distinct articles
		n_half=$((n_e2e * half_mult))
		stage "$st" 1000000 $((20 + runs * n_e2e + n_half))
		start_service "$name" "$w"
		"$bin/bench_e2e" --spool "$spool" --stage "$st" --count 20 \
			--tag "$name.warm" --timeout 30 >/dev/null
		# full speed: $runs bursts, the median rate (a burst lasts a few
		# seconds: a checkpoint in one of them moves it by a third)
		for r in $(seq "$runs"); do
			"$bin/bench_e2e" --spool "$spool" --stage "$st" \
				--count "$n_e2e" --tag "$name.full" \
				--lat "$logs/lat.$name.full.tsv" \
				| tee -a "$logs/e2e.out" | grep -v '^@'
		done
		full=$(grep "^@ e2e.$name.full.aps" "$logs/e2e.out" \
			| awk '{ print $3 }' | sort -g \
			| awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
		echo "@ e2e.$name.full.aps_runs $(grep "^@ e2e.$name.full.aps" \
			"$logs/e2e.out" | awk '{ printf "%s%.0f", (NR > 1 ? "/" : ""), $3 }')" \
			>>"$logs/e2e.out"
		echo "@ e2e.$name.full.aps $full" >>"$logs/e2e.out"
		echo "   full speed, median of $runs: $full art/s"
		half=$(awk -v f="${full:-0}" 'BEGIN { printf "%.1f", f / 2 }')
		nh=$(awk -v r="$half" -v s="$half_s" -v m="$n_half" \
			'BEGIN { n = int(r * s); print (n > m ? m : n) }')
		if [ "${nh:-0}" -gt 0 ]; then
			"$bin/bench_e2e" --spool "$spool" --stage "$st" \
				--count "$nh" --rate "$half" --tag "$name.half" \
				--lat "$logs/lat.$name.half.tsv" \
				| tee -a "$logs/e2e.out" | grep -v '^@'
		fi
		record_rss "$name" $((20 + runs * n_e2e + ${nh:-0}))
		stop_pids
	done
	grep '^@' "$logs/e2e.out" >>"$kv"
fi

if ! skipped backfill; then
	log "backfill: $n_backfill articles dropped at once, 2 workers, ${backfill_s}s"
	st=$work/stage.backfill
	stage "$st" 2000000 "$n_backfill"
	start_service backfill 2
	sleep 1
	"$bin/bench_e2e" --spool "$spool" --stage "$st" --count "$n_backfill" \
		--tag backfill --duration "$backfill_s" \
		| tee -a "$logs/backfill.out" | grep -v '^@'
	grep '^@' "$logs/backfill.out" >>"$kv" || true
	record_rss backfill "$(grep '^@ e2e.backfill.n ' "$logs/backfill.out" | awk '{ print $3 }')"
	stop_pids
fi

log "results"
{
	echo "@ meta.load_end $(cut -d' ' -f1 /proc/loadavg)"
	echo "@ meta.commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo +dirty)"
	echo "@ meta.seconds $(($(date +%s) - t_start))"
} >>"$kv"
"$top/bench/report.sh" "$kv" >"$out/results.md"
cat "$out/results.md"
