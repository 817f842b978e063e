#!/usr/bin/env python3
"""test_aid_flows_real.py - the flows an analyst reads from aid_flows score
the same as those of `extractd --json`, on the shared real pages.

The real pages (../shared/eval/real/corpus, with hand gold in
../shared/eval/real/gold, scored by ../shared/eval/score.py) are not part
of the project: skipped (77) when ../shared is absent; SHARED_DIR may point
elsewhere. Every page is extracted for real and stored by store.c (through
tests/integration/store_driver) into a real PostgreSQL; then each JSON line
of `extractd --json` gets its "flows" rebuilt from SQL (aid_flows, read as
eastwest_reader), and both sets of lines are scored: same flows scores,
article by article, and the same flows row for row."""

import decimal
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (binary, data_dir, driver, eq, migrate,  # noqa: E402
                     run_tests, skip, source_dir, statuses)

READER = "real_analyst"


def shared():
    return os.environ.get("SHARED_DIR") or os.path.normpath(
        os.path.join(source_dir(), "..", "shared"))


def paths():
    d = os.path.join(shared(), "eval", "real", "corpus")
    if not os.path.isdir(d) or not os.path.isfile(
            os.path.join(shared(), "eval", "score.py")):
        skip("no shared real pages in %s" % shared())
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith(".txt"))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def score(lines, tmp, name):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        for d in lines:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    p = subprocess.run([sys.executable,
                        os.path.join(shared(), "eval", "score.py"),
                        os.path.join(shared(), "eval", "real", "gold"), path,
                        "--json"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300,
                       check=True)
    return json.loads(p.stdout)


def sql_value(v):
    """numeric text as a JSON number: an int when whole."""
    d = decimal.Decimal(v)
    return int(d) if d == d.to_integral_value() else float(d)


def test_flows_from_sql_score_as_json(pg):
    files = paths()
    tmp = tempfile.mkdtemp(prefix="realflows.")
    db = pg.new_db("realflows")
    migrate(pg, db)
    pg.create_login(READER, member_of=["eastwest_reader"])
    p = subprocess.run([binary("extractd"), "--json"] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300, check=False,
                       env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    by_file = {d["file"]: d for d in lines}
    ok = [f for f in files if "error" not in by_file[os.path.basename(f)]]
    st = statuses(driver(pg, db, "put", *ok, timeout=600))
    eq(sorted(set(st.values())), ["stored"], "every readable page stored")
    keys = ("figure", "value", "helper", "helper_code", "recipient",
            "recipient_code", "year", "category", "part_of")
    rebuilt = []
    for f in ok:
        d = dict(by_file[os.path.basename(f)])
        rows = pg.psql("SELECT figure_ord, value, helper, helper_code,"
                       " recipient, recipient_code, year, category, part_of"
                       " FROM aid_flows WHERE sha256 = '%s' ORDER BY flow_ord"
                       % sha(f), db=db, user=READER)
        flows = []
        for r in rows:
            x = dict(zip(keys, r))
            x["figure"] = int(x["figure"])
            x["value"] = sql_value(x["value"])
            x["year"] = None if x["year"] is None else int(x["year"])
            x["part_of"] = None if x["part_of"] is None else int(x["part_of"])
            flows.append(x)
        # Row for row: what SQL holds is what the extractor said.
        want = [{k: (None if f_.get(k) == "" else f_.get(k)) for k in keys}
                for f_ in d.get("flows") or []]
        for w in want:
            w["value"] = sql_value(str(w["value"]))
        eq(flows, want, "flows of %s" % d["file"])
        d["flows"] = flows
        rebuilt.append(d)
    a = score(lines, tmp, "json.jsonl")
    b = score(rebuilt + [d for d in lines if "error" in d], tmp, "sql.jsonl")
    eq(b["flows"], a["flows"], "flows scores (SQL vs --json)")
    eq(b["flows_f1"], a["flows_f1"], "flows F1")
    per_a = {k: v.get("flows") for k, v in a["articles"].items()}
    per_b = {k: v.get("flows") for k, v in b["articles"].items()}
    eq(per_b, per_a, "per article")
    print("    flows over %d real pages: %s, F1 %s" % (len(ok), a["flows"],
                                                      a["flows_f1"]))


if __name__ == "__main__":
    run_tests(globals())
