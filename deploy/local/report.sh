#!/usr/bin/env bash
# report.sh - writes one self-contained HTML page from the database: the
# pairing network as a graph, aid money by year and by helper, the top
# provinces, the most reported pairings. Every number comes from SQL run
# as the read-only role eastwest_reader (SET ROLE); the page embeds the
# data and draws it with its own inline script and SVG: no server, no
# network, open the file in any browser.
#
# usage: deploy/local/report.sh [--db CONNINFO] [--out FILE]
#   --db CONNINFO  a login in eastwest_reader (default: .run/analyst, the
#                  analyst login of deploy/local/run.sh)
#   --out FILE     where to write the page (default: .run/report.html)
#   -h, --help     this text
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
db=
out=$top/.run/report.html

die() {
	echo "report.sh: $*" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--db | --out)
		if [ $# -lt 2 ] || [ -z "$2" ]; then
			die "$1 needs a value (see --help)"
		fi
		if [ "$1" = --db ]; then db=$2; else out=$2; fi
		shift
		;;
	-h | --help)
		sed -n '2,/^set -euo/{/^#/{s/^# \{0,1\}//;p}}' "$0"
		exit 0
		;;
	*) die "unknown argument \"$1\" (see --help)" ;;
	esac
	shift
done
if [ -z "$db" ]; then
	[ -f "$top/.run/analyst" ] ||
		die "no --db and no .run/analyst: run deploy/local/run.sh --keep first, or give --db CONNINFO"
	db=$(cat "$top/.run/analyst")
fi

q() {
	psql -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "set role eastwest_reader" -c "$1"
}

if ! err=$(psql -XAtq -d "$db" -c "select 1" 2>&1 >/dev/null); then
	die "cannot connect with --db \"$db\": ${err#psql: } (is a --keep run up? deploy/local/run.sh --keep)"
fi

# Aid money: the aid_flows view where the schema has it (each flow once,
# totals without their parts), else the figures of money categories.
if [ "$(q "select to_regclass('aid_flows') is not null")" = t ]; then
	aid_source=flows
	aid_rows="select year, helper, value from aid_flows where part_of is null"
else
	aid_source=figures
	aid_rows="select year, helper, value from aid_money"
fi

json=$(q "
with aid as ($aid_rows),
fig as (
  select distinct on (sha256, figure_ord, province_code)
         province_code, province, sha256, category, unit, value
    from figures_by_region where province_code is not null)
select jsonb_build_object(
  'generated', to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'),
  'database', current_database(),
  'aid_source', '$aid_source',
  'totals', jsonb_build_object(
    'articles', (select count(*) from articles),
    'figures', (select count(*) from figures),
    'pairings', (select count(*) from pairings),
    'first', (select min(published) from articles),
    'last', (select max(published) from articles)),
  'network', coalesce((select jsonb_agg(n order by n.articles desc, n.helper,
                                        n.recipient)
    from (select helper, helper_code, recipient, recipient_code, relation,
                 articles, first_seen, last_seen, left(evidence, 200) as evidence
            from pairing_network
           order by articles desc, helper, recipient limit 150) n), '[]'),
  'aid_by_year', coalesce((select jsonb_agg(y order by y.year nulls last)
    from (select year, sum(value) as yuan, count(*) as n
            from aid group by year) y), '[]'),
  'aid_by_helper', coalesce((select jsonb_agg(h order by h.yuan desc, h.helper)
    from (select coalesce(helper, '(not stated)') as helper,
                 sum(value) as yuan, count(*) as n
            from aid group by 1 order by 2 desc, 1 limit 15) h), '[]'),
  'provinces', coalesce((select jsonb_agg(p order by p.figures desc, p.code)
    from (select province_code as code, province,
                 count(*) as figures, count(distinct sha256) as articles,
                 coalesce(sum(value) filter (where unit = '元'
                   and category in ('fiscal_aid', 'social_aid')), 0) as aid_yuan
            from fig group by 1, 2 order by 3 desc, 1 limit 15) p), '[]')
)::text")

template=$top/deploy/local/report.html
mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
{
	sed '/^@DATA@$/,$d' "$template"
	# Inside <script>: "</" would end the element.
	printf '%s\n' "${json//<\//<\\/}"
	sed '1,/^@DATA@$/d' "$template"
} >"$tmp"
mv "$tmp" "$out"
echo "$out"
