#!/usr/bin/env python3
"""test_aid_flows.py - the analyst's answers from the sample articles
(tests/corpus), extracted for real and stored by store.c (through
tests/integration/store_driver) into a real PostgreSQL, read back as
eastwest_reader through the views of docs/SCHEMA.md:

* 广东省 -> 广西 fiscal aid in 2019, top-level flows: 1776000000 yuan
  (000: "2019年,广西共获得广东省财政帮扶资金17.76亿元");
* no fact of 000 is added twice: an amount the article states twice
  (4.72亿元, 5.31亿元, 2.57亿元, each in the lead and the body) is at most
  one flow, an increase (同比增加了6.85亿元) none, and every amount added
  up is a distinct fact of the hand-made gold (tests/corpus/gold);
* the 2019 trainees of 粤桂 (000, published 2020-01-21) are filed under
  2019, not under the year of publication;
* every seed's flows as an analyst reads them from aid_flows are those of
  `extractd --json`;
* the example queries of README.md and docs/SCHEMA.md run as
  eastwest_reader, give rows, and the first gives 1776000000.

These need flow extraction (SPEC "Aid flows"); the values are exact."""

import decimal
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (binary, data_dir, driver, eq, migrate,  # noqa: E402
                     run_tests, source_dir, statuses)

READER = "flows_analyst"
SEED0 = "000_5d3d27540e34edbe.txt"

# The analyst's question, as README and docs/SCHEMA.md write it.
GD_GX_2019 = ("SELECT sum(value) FROM aid_flows WHERE helper_code = '440000'"
              " AND recipient_code = '450000' AND year = 2019"
              " AND category = 'fiscal_aid' AND part_of IS NULL")


def corpus():
    return os.path.join(source_dir(), "tests", "corpus")


def seeds():
    d = corpus()
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith(".txt"))


def gold(name):
    with open(os.path.join(corpus(), "gold", name + ".json"),
              encoding="utf-8") as f:
        return json.load(f)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def store(pg, paths, prefix):
    """A fresh database with paths stored (real extraction), and a reader
    login; returns the database name."""
    db = pg.new_db(prefix)
    migrate(pg, db)
    pg.create_login(READER, member_of=["eastwest_reader"])
    p = driver(pg, db, "put", *paths)
    eq(sorted(statuses(p).values()), ["stored"] * len(paths),
       "every article stored")
    return db


def q(pg, db, sql):
    return pg.psql(sql, db=db, user=READER)


def test_guangdong_guangxi_fiscal_aid_2019(pg):
    db = store(pg, [os.path.join(corpus(), SEED0)], "gdgx")
    eq(pg.scalar(GD_GX_2019, db=db, user=READER), "1776000000",
       "广东省 -> 广西 fiscal aid in 2019 (aid_flows)")
    eq(q(pg, db, "SELECT yuan, top_level_yuan FROM aid_money_totals"
                 " WHERE helper_code = '440000' AND recipient_code = '450000'"
                 " AND year = 2019 AND category = 'fiscal_aid'"),
       [("1776000000", "1776000000")], "the same from aid_money_totals")
    eq(q(pg, db, "SELECT figure_text, sentence LIKE '%17.76亿元%',"
                 " published FROM aid_flows WHERE value = 1776000000"),
       [("17.76亿元", "t", "2020-01-21")], "with its sentence")


def test_no_fact_of_seed_000_is_summed_twice(pg):
    db = store(pg, [os.path.join(corpus(), SEED0)], "twice")
    # Amounts the article states twice (lead and body): one flow at most.
    for v in ("472000000", "531000000", "257000000"):
        n = pg.scalar("SELECT count(*) FROM figures WHERE value = %s" % v,
                      db=db)
        eq(n, "2", "000 states %s twice" % v)
        got = int(pg.scalar("SELECT count(*) FROM aid_flows WHERE value = %s"
                            % v, db=db, user=READER))
        assert got <= 1, "%s is %d flows" % (v, got)
    eq(pg.scalar("SELECT count(*) FROM aid_flows WHERE value = 685000000",
                 db=db, user=READER), "0",
       "an increase (同比增加了6.85亿元) is no flow")
    rows = q(pg, db, "SELECT value, count(*) FROM aid_flows"
                     " WHERE part_of IS NULL GROUP BY 1 HAVING count(*) > 1")
    eq(rows, [], "no amount twice among the top-level flows")
    # Every amount added up is one of the facts the hand-made gold counts
    # (tests/corpus/gold), each as often as gold has it at most: a use of
    # money already counted (4.72亿元 of the fiscal aid for housing and
    # roads) added on top would count it twice.
    gold_values = sorted(f["value"] for f in gold(SEED0)["flows"]
                         if f["part_of"] is None)
    got = sorted(int(r[0]) for r in q(
        pg, db, "SELECT value FROM aid_flows WHERE part_of IS NULL"))
    assert got, "000 has no flows"
    left = list(gold_values)
    for v in got:
        assert v in left, "%d added up, not a fact of gold (%r)" % (
            v, gold_values)
        left.remove(v)
    eq(pg.scalar("SELECT sum(top_level_yuan) FROM aid_money_totals",
                 db=db, user=READER), str(sum(got)),
       "aid_money_totals adds each of them once")


def test_2019_trainees_filed_under_2019(pg):
    db = store(pg, [os.path.join(corpus(), SEED0)], "trainees")
    # 举办劳务协作培训班511期,培训贫困人口1.91万人次,举办各类残疾人职业培训
    # 1018人: in the report on 2019, published 2020-01-21.
    rows = q(pg, db, "SELECT value, unit, year FROM figures"
                     " WHERE (value, unit) IN ((511, '期'), (19100, '人次'),"
                     " (1018, '人')) ORDER BY value")
    eq(rows, [("511", "期", "2019"), ("1018", "人", "2019"),
              ("19100", "人次", "2019")], "the trainees' year")
    eq(q(pg, db, "SELECT DISTINCT year FROM figures_by_region"
                 " WHERE value = 19100 AND unit = '人次'"), [("2019",)],
       "figures_by_region files them under 2019 too")
    # 000 names 2020 only in its date line and its closing outlook, which
    # states no figure.
    eq(q(pg, db, "SELECT count(*) FROM figures WHERE year = 2020"),
       [("0",)], "no figure takes the year of publication by default")


def json_flows(paths):
    """{file: flows} from extractd --json."""
    p = subprocess.run([binary("extractd"), "--json"] + paths,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300, check=True,
                       env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    out = {}
    for line in p.stdout.splitlines():
        d = json.loads(line)
        out[d["file"]] = d.get("flows") or []
    return out


def norm(f):
    """A flow as a comparable tuple (JSON or SQL alike)."""
    def s(v):
        return None if v in (None, "") else str(v)

    return (int(f["figure"]), decimal.Decimal(str(f["value"])).normalize(),
            s(f["helper"]), s(f["helper_code"]), s(f["recipient"]),
            s(f["recipient_code"]),
            None if f["year"] in (None, 0, "0") else int(f["year"]),
            f["category"],
            None if f["part_of"] is None else int(f["part_of"]))


def test_seed_flows_in_sql_are_those_of_json(pg):
    paths = seeds()
    db = store(pg, paths, "seedflows")
    want = json_flows(paths)
    for path in paths:
        rows = q(pg, db, "SELECT figure_ord, value, helper, helper_code,"
                         " recipient, recipient_code, year, category,"
                         " part_of FROM aid_flows WHERE sha256 = '%s'"
                         " ORDER BY flow_ord" % sha(path))
        keys = ("figure", "value", "helper", "helper_code", "recipient",
                "recipient_code", "year", "category", "part_of")
        got = [norm(dict(zip(keys, r))) for r in rows]
        name = os.path.basename(path)
        eq(got, [norm(f) for f in want[name]], "flows of %s" % name)
    assert sum(len(v) for v in want.values()) > 0, "no flows at all"


def documented_queries():
    """The ```sql blocks of README.md and docs/SCHEMA.md, statement by
    statement."""
    out = []
    for doc in ("README.md", os.path.join("docs", "SCHEMA.md")):
        with open(os.path.join(source_dir(), doc), encoding="utf-8") as f:
            text = f.read()
        for block in text.split("```sql")[1:]:
            body = block.split("```")[0]
            lines = [x for x in body.splitlines()
                     if not x.strip().startswith("--")]
            out += [(doc, st.strip()) for st in "\n".join(lines).split(";")
                    if st.strip()]
    return out


def test_documented_queries_answer(pg):
    db = store(pg, seeds(), "docs")
    queries = documented_queries()
    assert len(queries) >= 7, queries
    for doc, sql in queries:
        rows = q(pg, db, sql)
        if "sum(value)" in sql.replace(" ", "").lower() and \
                "'440000'" in sql and "2019" in sql:
            eq(rows, [("1776000000",)], "%s: %s" % (doc, sql))
        else:
            assert rows, "%s: no rows from %s" % (doc, sql)


if __name__ == "__main__":
    run_tests(globals())
