#!/usr/bin/env python3
"""explain.py - the plans of the documented queries on a big database.

    bench/explain.py CONNINFO TARGET

CONNINFO: a database that bench_store filled (bench/run.sh --keep leaves
one: bench_s1 in the throwaway PostgreSQL of bench/out/work/pg). Its
articles are copied with new ids and hashes (their figures, pairings and
flows with them) until it holds at least TARGET articles, as the
superuser with session_replication_role = replica (no foreign-key
triggers: the copies are of rows already checked); then ANALYZE, and
EXPLAIN (ANALYZE, BUFFERS) of every statement of the ```sql blocks of
README.md and docs/SCHEMA.md and of a whole read of each analyst view,
printed as markdown for docs/SCHEMA.md ("Query plans")."""

import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests"))
import examples  # noqa: E402

COPY = """
SET session_replication_role = replica;
CREATE TEMP TABLE m AS
SELECT a.id AS old_id, g,
	encode(sha256(convert_to(a.sha256 || ':' || g, 'UTF8')), 'hex') AS sha
FROM articles a, generate_series(1, %(n)d) g
WHERE a.sha256 NOT LIKE 'x%%';
INSERT INTO articles (sha256, raw, text, title, source, published,
	reporters, editors, charset, charset_hint, converted, uri, feed,
	content_type, main_region, extractor_version, data_hash, received_at)
SELECT m.sha, a.raw, a.text, a.title, a.source, a.published, a.reporters,
	a.editors, a.charset, a.charset_hint, a.converted, a.uri, a.feed,
	a.content_type, a.main_region, a.extractor_version, a.data_hash,
	a.received_at
FROM m JOIN articles a ON a.id = m.old_id;
CREATE TEMP TABLE ids AS
SELECT m.old_id, n.id AS new_id FROM m JOIN articles n ON n.sha256 = m.sha;
INSERT INTO pairing_rows SELECT ids.new_id, (p).ord, (p).start_offset,
	(p).end_offset, (p).sentence_ord, (p).sentence_start, (p).sentence_end,
	(p).helper, (p).helper_code, (p).recipient, (p).recipient_code,
	(p).relation, (p).evidence
FROM ids JOIN pairing_rows p ON p.article_id = ids.old_id;
INSERT INTO figure_sets SELECT ids.new_id, (f).start_offset,
	(f).end_offset, (f).sentence_ord, (f).sentence_start, (f).sentence_end,
	(f).year, (f).pairing_ord, (f).approx, (f).value, (f).unit, (f).metric,
	(f).category, (f).region_codes, (f).text, (f).sentence
FROM ids JOIN figure_sets f ON f.article_id = ids.old_id;
INSERT INTO flow_rows SELECT ids.new_id, (w).ord, (w).figure_ord, (w).year,
	(w).part_of, (w).value, (w).helper, (w).helper_code, (w).recipient,
	(w).recipient_code, (w).category, (w).rule
FROM ids JOIN flow_rows w ON w.article_id = ids.old_id;
"""

VIEWS = ["aid_flows", "aid_money", "aid_money_totals", "figures_by_region",
         "figure_totals", "pairing_network"]


def psql(db, sql):
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", db, "-f", "-"], input=sql, text=True,
                       capture_output=True, check=False)
    if p.returncode != 0:
        sys.exit("explain.py: %s" % p.stderr)
    return p.stdout


def queries():
    return examples.doc_statements(TOP) + [
        "SELECT count(*) FROM (SELECT * FROM %s) v" % v for v in VIEWS]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db, target = sys.argv[1], int(sys.argv[2])
    have = int(psql(db, "SELECT count(*) FROM articles").strip())
    if have < target:
        psql(db, COPY % {"n": -(-(target - have) // have)})
    psql(db, "VACUUM ANALYZE")
    n = psql(db, "SELECT count(*) FROM articles").strip()
    print("On %s articles (%s figures, %s pairings, %s flows):\n" % (
        n, psql(db, "SELECT count(*) FROM figures").strip(),
        psql(db, "SELECT count(*) FROM pairing_rows").strip(),
        psql(db, "SELECT count(*) FROM flow_rows").strip()))
    for q in queries():
        body = q.rstrip().rstrip(";")
        plan = psql(db, "SET TimeZone = 'UTC';"
                    " EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) %s" % body)
        print("```sql\n%s\n```\n```text\n%s```\n" % (q.strip(), plan))


if __name__ == "__main__":
    main()
