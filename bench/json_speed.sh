#!/usr/bin/env bash
# bench/json_speed.sh - extractd --json as a whole process on one core,
# against the bare OpenCC t2s pass (the opencc command) over the same
# articles in Traditional script. Prints the two ratios issue targets are
# stated in: Simplified input and Traditional input, each as
# (OpenCC t2s CPU seconds over the Traditional bytes) / (extractd CPU
# seconds). Not a test.
#
# usage: bench/json_speed.sh [BUILD_DIR] [COUNT]   (default build-bench, 1000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${1:-build-bench}
count=${2:-1000}
if [ ! -x "$build/extractd/extractd" ] || [ ! -x "$build/bench/bench_gen" ]; then
	cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$build" -j"$(nproc)" --target extractd bench_gen >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bench/bench_gen" --seed 1 --count "$count" --mix su=100 tests/corpus \
	"$work/s" >/dev/null 2>&1
"$build/bench/bench_gen" --seed 1 --count "$count" --mix tu=100 tests/corpus \
	"$work/t" >/dev/null 2>&1
cat "$work"/t/*.txt >"$work/t.all"
cpu() { # CPU seconds (user + sys) of a command, best of three, on core 0
	local best="" t
	for _ in 1 2 3; do
		t=$( { /usr/bin/time -f '%U %S' taskset -c 0 "$@" >/dev/null; } 2>&1 |
			tail -1 | awk '{print $1 + $2}')
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a < b)}'; then
			best=$t
		fi
	done
	echo "$best"
}
export EXTRACTD_DATA="$top/data"
opencc_s=$(cpu opencc -c t2s.json -i "$work/t.all")
simp_s=$(cpu "$build/extractd/extractd" --json "$work"/s/*.txt)
trad_s=$(cpu "$build/extractd/extractd" --json "$work"/t/*.txt)
bytes=$(stat -c %s "$work/t.all")
awk -v o="$opencc_s" -v s="$simp_s" -v t="$trad_s" -v b="$bytes" -v n="$count" 'BEGIN {
	printf "%d articles, %.2f MB in Traditional script\n", n, b / 1e6
	printf "bare OpenCC t2s:          %.3f CPU-s\n", o
	printf "extractd --json, Simplified:  %.3f CPU-s  ratio %.2f x\n", s, o / s
	printf "extractd --json, Traditional: %.3f CPU-s  ratio %.2f x\n", t, o / t
}'
