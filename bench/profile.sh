#!/usr/bin/env bash
# bench/profile.sh - where extraction time goes, per module (BENCHMARKS.md).
#
# usage: bench/profile.sh [--count N] [--class su|sg|tu|tb|all] [--out DIR]
#
# Builds RelWithDebInfo (-O2 -g) in build-bench-prof/, generates N articles
# (default 300, gen's fixed seed), and runs bench_extract --loops 1 --json
# under valgrind --tool=callgrind for the class. Prints instructions (Ir):
#   * self cost by module: the library's source files (txt*.c, figure.c,
#     region.c, pairing.c, json.c, base.c, extract.c), OpenCC, utf8proc,
#     libc (malloc, memcpy...), other;
#   * inclusive cost of each pipeline stage (txt_normalise, the OpenCC
#     call, txt_sentences, reg_find, reg_main, pair_find, fig_find,
#     ext_result_json);
# as shares of the whole extraction (loading the corpus and tables
# excluded: callgrind's toggle on pass_time). Output in DIR (default
# bench/out/profile): callgrind.out, annotate.txt, modules.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
count=300
class=all
out=$top/bench/out/profile
while [ $# -gt 0 ]; do
	case $1 in
	--count) count=$2; shift ;;
	--class) class=$2; shift ;;
	--out) out=$2; shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "profile.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
command -v valgrind >/dev/null || { echo "profile.sh: needs valgrind" >&2; exit 1; }
build=$top/build-bench-prof
mkdir -p "$out"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$out/cmake.log" 2>&1
cmake --build "$build" -j2 --target bench_gen bench_extract >>"$out/cmake.log" 2>&1 || {
	tail -n 20 "$out/cmake.log" >&2
	exit 1
}
rm -rf "$out/corpus"
"$build/bench/bench_gen" --count "$count" tests/corpus "$out/corpus" 2>/dev/null
only=()
[ "$class" = all ] || only=(--only "$class")
rm -f "$out/callgrind.out"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
	--toggle-collect=pass_time "$build/bench/bench_extract" \
	"${only[@]}" --loops 1 --json "$out/corpus" 2>"$out/valgrind.log"
callgrind_annotate --auto=no --threshold=100 "$out/callgrind.out" >"$out/annotate.txt"
callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$out/callgrind.out" \
	>"$out/inclusive.txt"

# Lines look like "1,234,567 (12.3%)  path/file.c:function [object]" or,
# in older valgrinds, "1,234,567  path/file.c:function [object]".
awk '
function ir(s) { gsub(/,/, "", s); return s + 0 }
/PROGRAM TOTALS/ { total = ir($1) }
/:/ && $1 ~ /^[0-9,]+$/ {
	n = ir($1); loc = $0; sub(/^[ 0-9,]+(\([ 0-9.%]+\))? +/, "", loc)
	file = loc; sub(/:.*/, "", file); fn = loc; sub(/^[^:]*:/, "", fn)
	m = "other"
	if (file ~ /extractd\/extract\//) { m = file; sub(/.*\//, "", m) }
	else if (loc ~ /opencc|marisa|darts|Opencc|opencc::/) m = "OpenCC (+ libstdc++)"
	else if (loc ~ /utf8proc/) m = "utf8proc"
	else if (loc ~ /libstdc\+\+|std::|operator new|operator delete/) m = "OpenCC (+ libstdc++)"
	else if (loc ~ /libc\.so|libc-|malloc|free|memcpy|memmove|memset|strlen|memchr|memcmp|strcmp|_int_|\?\?\?/) m = "libc (malloc, mem*, str*)"
	else if (loc ~ /bench_extract\.c/) m = "benchmark loop"
	self[m] += n
	sum += n
}
END {
	if (total == 0) total = sum
	printf "self cost by module (instructions, share of the whole run)\n"
	for (m in self) printf "%14.0f %6.1f%%  %s\n", self[m], 100 * self[m] / total, m | "sort -rn"
	close("sort -rn")
	printf "%14.0f %6.1f%%  total\n", total, 100
}' "$out/annotate.txt" >"$out/modules.txt"

awk '
function ir(s) { gsub(/,/, "", s); return s + 0 }
/PROGRAM TOTALS/ { total = ir($1) }
/:/ && $1 ~ /^[0-9,]+$/ {
	loc = $0; sub(/^[ 0-9,]+(\([ 0-9.%]+\))? +/, "", loc)
	fn = loc; sub(/^[^:]*:/, "", fn); sub(/ .*/, "", fn)
	if (fn ~ /^(ext_extract|txt_normalise|txt_decode|txt_norm_line|txt_furniture|txt_meta|txt_sentences|reg_find|reg_main|pair_find|fig_find|link_figures|offsets_to_cps|ext_result_json|opencc_convert_utf8|convert|utf8proc_map|utf8proc_decompose|ext_result_destroy)$/ && !(fn in inc))
		inc[fn] = ir($1)
}
END {
	printf "\ninclusive cost of the stages (share of the whole run)\n"
	for (f in inc) printf "%14.0f %6.1f%%  %s\n", inc[f], 100 * inc[f] / total, f | "sort -rn"
	close("sort -rn")
}' "$out/inclusive.txt" >>"$out/modules.txt"
cat "$out/modules.txt"
