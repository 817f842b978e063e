#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run) and as a developer runs it:
#   1. installs what is missing (Debian packages),
#   2. builds with -Werror under ASan/UBSan and runs the unit and integration
#      tests (real PostgreSQL, real ZeroMQ, both daemons),
#   3. builds without sanitizers and runs valgrind over the unit tests and
#      extractd --json,
#   4. builds the libFuzzer targets with clang and fuzzes each for
#      FUZZ_SECONDS (default 60): extract, wire, flatjson,
#   5. lints (shell, YAML, Kubernetes manifests, compose, formatting),
#   6. containers: builds the image with podman and runs the compose stack
#      and the Kubernetes workloads on loopback (tests/containers.sh; the
#      image skips the unit tests, which step 2 ran),
#   7. scores the extractor on the development set when ../shared is there.
# Ends with "N passed, N failed". Environment: JOBS (default nproc),
# FUZZ_SECONDS, SKIP_FUZZ=1, SKIP_VALGRIND=1, SKIP_LINT=1,
# SKIP_CONTAINERS=1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-60}
for v in JOBS FUZZ_SECONDS; do
	case ${!v:-1} in
	'' | *[!0-9]* | 0)
		echo "tests/run.sh: $v is \"${!v}\": want a whole number above 0" >&2
		exit 2
		;;
	esac
done
passed=0
failed=0
failures=()

step() { printf '\n=== %s\n' "$*"; }
ok() { passed=$((passed + 1)); echo "--- ok: $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "--- FAILED: $1"; }
run() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

step "dependencies"
deploy/local/deps.sh --test || {
	echo "cannot install dependencies"
	echo "0 passed, 1 failed"
	exit 1
}

step "build with ASan/UBSan, -Werror"
run build-sanitize bash -c "cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug \
	-DWERROR=ON -DSANITIZE=ON >/dev/null && cmake --build build-sanitize -j$jobs"

# ctest over build-sanitize; on failure keeps the list of failed tests and
# their log as build-sanitize/failed-NAME.{list,log} for the summary.
ctest_keep() {
	local name=$1 tmp=build-sanitize/Testing/Temporary
	shift
	rm -f "build-sanitize/failed-$name.list" "build-sanitize/failed-$name.log"
	ctest --test-dir build-sanitize "$@" && return 0
	cp "$tmp/LastTestsFailed.log" "build-sanitize/failed-$name.list" 2>/dev/null
	cp "$tmp/LastTest.log" "build-sanitize/failed-$name.log" 2>/dev/null
	return 1
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "unit tests (sanitized)"
run unit-tests ctest_keep unit -L unit --output-on-failure -j"$jobs"
step "integration tests (sanitized; real PostgreSQL and ZeroMQ)"
run integration-tests ctest_keep integration -L integration \
	--output-on-failure
unset ASAN_OPTIONS UBSAN_OPTIONS

if [ "${SKIP_VALGRIND:-}" != 1 ]; then
	step "valgrind over the unit tests and extractd --json"
	run build-release bash -c "cmake -S . -B build-release -DWERROR=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && \
		cmake --build build-release -j$jobs"
	vg=(valgrind -q --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --show-leak-kinds=definite)
	for t in build-release/tests/*_test; do
		run "valgrind $(basename "$t")" env EXTRACTD_DATA="$top/data" \
			"${vg[@]}" "$t"
	done
	run "valgrind extractd --json" bash -c \
		"${vg[*]} build-release/extractd/extractd --json tests/corpus/*.txt >/dev/null"
fi

if [ "${SKIP_FUZZ:-}" != 1 ] && command -v clang >/dev/null; then
	step "libFuzzer ${fuzz_seconds}s"
	run build-fuzz bash -c "CC=clang cmake -S . -B build-fuzz -DFUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && \
		cmake --build build-fuzz -j$jobs --target fuzz_extract fuzz_wire \
		fuzz_flatjson"
	mkdir -p build-fuzz/corpus build-fuzz/corpus-wire build-fuzz/corpus-json
	cp tests/corpus/*.txt build-fuzz/corpus/ 2>/dev/null
	cp tests/fuzz/corpus_wire/* build-fuzz/corpus-wire/ 2>/dev/null
	run fuzz-extract build-fuzz/tests/fuzz/fuzz_extract \
		-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 build-fuzz/corpus
	# The parsers of untrusted input beside the extractor: peers' frames
	# and stdin/sidecar JSON.
	run fuzz-wire build-fuzz/tests/fuzz/fuzz_wire \
		-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 build-fuzz/corpus-wire
	run fuzz-flatjson build-fuzz/tests/fuzz/fuzz_flatjson \
		-max_total_time="$fuzz_seconds" -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 build-fuzz/corpus-json
fi

if [ "${SKIP_LINT:-}" != 1 ] && [ -x .ci/lint.sh ]; then
	step "lint"
	run lint .ci/lint.sh
fi

if [ "${SKIP_CONTAINERS:-}" != 1 ]; then
	step "containers: image, compose stack, Kubernetes workloads (podman)"
	t_containers=$SECONDS
	run containers env RUN_UNIT_TESTS=0 tests/containers.sh
	echo "containers step: $((SECONDS - t_containers)) s"
fi

shared=$(cd .. && pwd)/shared
if [ -f "$shared/eval/score.py" ] && [ -x build-release/extractd/extractd ]; then
	step "development set score (report only)"
	build-release/extractd/extractd --json "$shared"/corpus/seeds/*.txt \
		>build-release/devset.jsonl
	python3 "$shared/eval/score.py" "$shared/eval/gold" \
		build-release/devset.jsonl | tail -n 9
else
	step "development set score: ../shared not present, skipped"
fi

# The output of each failed CTest test again, at the end, where a reader
# of only the last page of the log (CI shows the tail) finds it.
failed_tests() {
	local list=build-sanitize/failed-$1.list log=build-sanitize/failed-$1.log
	[ -s "$list" ] || return 0
	local t
	while IFS=: read -r _ t; do
		echo
		echo "=== output of failed test $t (last 60 lines)"
		awk -v t="$t" '
			$0 ~ "Test: " t "$" { on = 1; next }
			on && /^<end of output>/ { exit }
			on && out { print }
			on && /^Output:/ { getline; out = 1 }
		' "$log" | tail -n 60
	done <"$list"
}

echo
if [ "$failed" -ne 0 ]; then
	for f in "${failures[@]}"; do
		case $f in
		unit-tests) failed_tests unit ;;
		integration-tests) failed_tests integration ;;
		esac
	done
	echo
	printf 'failed: %s\n' "${failures[@]}"
fi
echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
