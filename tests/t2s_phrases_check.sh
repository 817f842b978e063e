#!/usr/bin/env bash
# t2s_phrases_check.sh - data/t2s_phrases.tsv against the installed OpenCC:
# the phrase keys of TSPhrases.ocd2 (dumped with opencc_dict) must be the
# file's phrases, and the file's recorded sha256 that of the dictionary, or
# extractd runs without its character-wise t2s path (still correct,
# slower). Regenerate with: tests/t2s_phrases_check.sh --write
#
# usage: t2s_phrases_check.sh [--write] [DATA_DIR] ; exit 77 = skipped
set -euo pipefail
write=0
if [ "${1:-}" = --write ]; then write=1; shift; fi
top=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$top/data}
dict=${OPENCC_DICT_DIR:-/usr/share/opencc}/TSPhrases.ocd2
if ! command -v opencc_dict >/dev/null || [ ! -r "$dict" ]; then
	echo "t2s_phrases_check: opencc_dict or $dict not found: skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
opencc_dict -i "$dict" -o "$tmp/dump.txt" -f ocd2 -t text
cut -f1 "$tmp/dump.txt" | LC_ALL=C sort -u >"$tmp/want"
sum=$(sha256sum "$dict" | cut -d' ' -f1)
ver=$(dpkg-query -W -f='${Version}' libopencc-data 2>/dev/null || echo unknown)
if [ "$write" = 1 ]; then
	{
		echo "# t2s_phrases.tsv - the phrase keys of OpenCC's t2s phrase dictionary"
		echo "# (TSPhrases), one a line. The text stage converts clauses that hold"
		echo "# none of them character by character from what OpenCC makes of each"
		echo "# character alone, and sends the others to OpenCC (docs/EXTRACTION.md)."
		echo "# Data: OpenCC (https://github.com/BYVoid/OpenCC), Apache License 2.0;"
		echo "# dumped from Debian's libopencc-data $ver with opencc_dict."
		echo "# Used only when the installed dictionary has this sha256:"
		echo "# opencc-tsphrases-sha256: $sum"
		echo "phrase"
		cat "$tmp/want"
	} >"$data/t2s_phrases.tsv"
	echo "t2s_phrases_check: wrote $data/t2s_phrases.tsv ($(wc -l <"$tmp/want") phrases)"
	exit 0
fi
file=$data/t2s_phrases.tsv
grep -v '^#' "$file" | tail -n +2 | LC_ALL=C sort -u >"$tmp/have"
if ! diff -u "$tmp/want" "$tmp/have" >"$tmp/diff"; then
	echo "t2s_phrases_check: $file differs from $dict:" >&2
	head -20 "$tmp/diff" >&2
	exit 1
fi
rec=$(sed -n 's/^# opencc-tsphrases-sha256: *//p' "$file")
if [ "$rec" != "$sum" ]; then
	echo "t2s_phrases_check: $file records sha256 $rec, $dict has $sum" >&2
	exit 1
fi
echo "t2s_phrases_check: $(wc -l <"$tmp/have") phrases, sha256 matches"
