#!/bin/sh
# real_score.sh EXTRACTD SET_DIR GOLD_DIR - scores extractd --json on a set
# of real pages with the shared scorer (../shared/eval/score.py) and fails
# when a total drops under its minimum (REAL_MIN_FIGURES, REAL_MIN_PAIRINGS,
# REAL_MIN_META, REAL_MIN_FLOWS). The pages belong to their publishers and
# are not part of the project: where they are absent the test is skipped
# (exit 77).
set -eu
extractd=$1
corpus=$2
gold=$3
scorer=$(dirname "$gold")/score.py
[ -f "$scorer" ] || scorer=$(dirname "$(dirname "$gold")")/score.py
if [ ! -d "$corpus" ] || [ ! -d "$gold" ] || [ ! -f "$scorer" ]; then
	echo "real pages not present ($corpus): skipped"
	exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$extractd" --json "$corpus"/*.txt >"$out"
line=$(python3 "$scorer" "$gold" "$out" | tee /dev/stderr | grep '^overall')
echo "$line" | awk -v mf="${REAL_MIN_FIGURES:-0}" -v mp="${REAL_MIN_PAIRINGS:-0}" \
	-v mm="${REAL_MIN_META:-0}" -v ml="${REAL_MIN_FLOWS:-0}" '
	{
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2] + 0
		}
		bad = 0
		if (v["figures_f1"] < mf) { print "figures_f1 under " mf; bad = 1 }
		if (v["pairings_f1"] < mp) { print "pairings_f1 under " mp; bad = 1 }
		if (v["meta_acc"] < mm) { print "meta_acc under " mm; bad = 1 }
		if (v["flows_f1"] < ml) { print "flows_f1 under " ml; bad = 1 }
		exit bad
	}'
