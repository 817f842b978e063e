#!/usr/bin/env python3
"""examples.py - README's and docs/SCHEMA.md's examples, from real runs.

    tests/examples.py --write   rewrite the generated blocks in place
    tests/examples.py           check them: exit 1 and a diff if they differ

Generated blocks are the ones after a marker line:

  <!-- example: json FILE -->  then a ```json block: what
      `extractd --json FILE` prints, abridged to the first figure of
      category fiscal_aid (else the first), the first pairing and the
      first flow, with the counts in a line before the block;
  <!-- example: sql output -->  then a ```text block: what the sample
      database returns, as the read-only role eastwest_reader, for each
      query of the nearest ```sql block above (first 5 rows of each,
      lines cut at 140 columns).

The sample database: a throwaway PostgreSQL (tests/lib/pgtmp.sh), the
migrations, ingestd and one extractd fed tests/corpus/*.txt. Binaries
from $BUILD_DIR (default build/: cmake --build build --target ingestd
--target extractd). Run --write after any change to the extractor, its
data files or the schema, and commit the result; the integration test
integration.test_docs_examples runs the check.
"""

import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ["README.md", os.path.join("docs", "SCHEMA.md")]
MARK = re.compile(r"^<!-- example: (json \S+|sql output) -->$")
ROWS = 5
WIDTH = 140


def build_dir():
    return os.environ.get("BUILD_DIR") or os.path.join(TOP, "build")


def binary(name):
    p = os.path.join(build_dir(), name, name)
    if not os.access(p, os.X_OK):
        sys.exit("examples.py: %s not built (cmake --build build --target "
                 "ingestd --target extractd, or set BUILD_DIR)" % p)
    return p


def env():
    e = dict(os.environ)
    e.setdefault("EXTRACTD_DATA", os.path.join(TOP, "data"))
    return e


# ---- JSON -----------------------------------------------------------------
def compact(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def json_example(path):
    p = subprocess.run([binary("extractd"), "--json",
                        os.path.join(TOP, path)],
                       stdout=subprocess.PIPE, check=True, env=env(),
                       cwd=TOP,
                       timeout=120)
    d = json.loads(p.stdout.decode("utf-8"))
    d["file"] = os.path.basename(d["file"])
    counts = []
    for key in ("figures", "pairings", "flows"):
        items = d.get(key)
        if not isinstance(items, list):
            continue
        counts.append("%d %s" % (len(items),
                                 key if len(items) != 1 else key[:-1]))
        if key == "figures":
            pick = [f for f in items if f.get("category") == "fiscal_aid"]
            items = (pick or items)[:1]
        d[key] = items[:1]
    lines = []
    for k, v in d.items():
        if isinstance(v, list) and v:
            inner = ",\n  ".join(compact(x) for x in v)
            lines.append('"%s":[%s]' % (k, inner))
        else:
            lines.append('"%s":%s' % (k, compact(v)))
    body = "{" + ",\n ".join(lines) + "}"
    head = ("The line for `%s` (%s; one of each shown):"
            % (d["file"], ", ".join(counts)))
    return head, body


# ---- SQL ------------------------------------------------------------------
def statements(sql):
    """Splits a ```sql block into statements (each ends with ';' at the
    end of a line); leading comment lines stay with their statement."""
    out, cur = [], []
    for line in sql.splitlines():
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(cur).strip())
            cur = []
    if "".join(cur).strip():
        out.append("\n".join(cur).strip())
    return out


def doc_statements(root=None):
    """Every statement of the ```sql blocks of DOCS (under root, default
    the checkout), in order."""
    out = []
    for doc in DOCS:
        with open(os.path.join(root or TOP, doc), encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines):
            if line.strip() != "```sql":
                continue
            end = i + 1
            while lines[end].strip() != "```":
                end += 1
            out += statements("\n".join(lines[i + 1:end]))
    return out


def run_sql(dsn, stmt):
    p = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-P", "pager=off",
         "-d", dsn, "-c", "SET TimeZone = 'UTC'",
         "-c", "SET ROLE eastwest_reader", "-c", stmt],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("query failed:\n%s\n%s" % (
            stmt, p.stderr.decode("utf-8", "replace")))
    lines = [l.rstrip() for l in p.stdout.decode("utf-8").splitlines()]
    lines = [l for l in lines if l]
    # header, separator, rows..., "(N rows)"
    if len(lines) > ROWS + 3:
        lines = lines[:ROWS + 2] + ["…"] + lines[-1:]
    comment = []
    for l in stmt.splitlines():
        if not l.startswith("--"):
            break
        comment.append(l)
    return comment + [clip(l) for l in lines]


def clip(line, width=WIDTH):
    """Cuts a line at width display columns (CJK characters take two)."""
    w = 0
    for i, ch in enumerate(line):
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if w > width - 1:
            return line[:i] + "…"
    return line


# ---- documents --------------------------------------------------------------
def fence_after(lines, i):
    """(start, end) of the fenced block starting at or after line i (the
    opening and closing ``` lines), skipping prose before it."""
    j = i
    while j < len(lines) and not lines[j].startswith("```"):
        j += 1
    k = j + 1
    while k < len(lines) and lines[k].strip() != "```":
        k += 1
    return j, k


def sql_above(lines, i):
    k = i - 1
    while k >= 0 and lines[k].strip() != "```sql":
        k -= 1
    if k < 0:
        raise RuntimeError("no ```sql block above line %d" % (i + 1))
    end = k + 1
    while lines[end].strip() != "```":
        end += 1
    return "\n".join(lines[k + 1:end])


def render(text, dsn):
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        out.append(lines[i])
        if not m:
            i += 1
            continue
        kind = m.group(1)
        if kind.startswith("json "):
            head, body = json_example(kind[5:])
            # The marker, the sentence with the counts, the block.
            start, end = fence_after(lines, i + 1)
            out += [head, "", "```json"] + body.split("\n") + ["```"]
        else:
            start, end = fence_after(lines, i + 1)
            res = []
            for stmt in statements(sql_above(lines, i)):
                if res:
                    res.append("")
                res += run_sql(dsn, stmt)
            out += ["```text"] + res + ["```"]
        i = end + 1
    return "\n".join(out)


# ---- the sample database ------------------------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, what, timeout=300):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(0.2)


def scalar(dsn, sql):
    return subprocess.run(["psql", "-XAtq", "-d", dsn, "-c", sql],
                          stdout=subprocess.PIPE, check=True,
                          timeout=120).stdout.decode().strip()


def sample_db(work):
    """Starts PostgreSQL in work/pg, stores tests/corpus/ through the
    daemons; returns the conninfo of database eastwest."""
    pgtmp = os.path.join(TOP, "tests", "lib", "pgtmp.sh")
    su = subprocess.run(["sh", pgtmp, "start", os.path.join(work, "pg")],
                        stdout=subprocess.PIPE, check=True,
                        timeout=180).stdout.decode().strip()
    subprocess.run(["psql", "-XAtq", "-d", su, "-c",
                    "CREATE DATABASE eastwest"], check=True, timeout=120)
    dsn = su.replace("dbname=postgres", "dbname=eastwest")
    subprocess.run([binary("extractd"), "--migrate", "--db", dsn],
                   check=True, env=env(), timeout=180,
                   stderr=subprocess.DEVNULL)
    spool = os.path.join(work, "spool")
    ep = "tcp://127.0.0.1:%d" % free_port()
    log = open(os.path.join(work, "daemons.log"), "ab")
    procs = [subprocess.Popen([binary("ingestd"), "--spool", spool,
                               "--bind", ep], stdout=log, stderr=log,
                              stdin=subprocess.DEVNULL, env=env())]
    procs.append(subprocess.Popen([binary("extractd"), "--connect", ep,
                                   "--db", dsn], stdout=log, stderr=log,
                                  stdin=subprocess.DEVNULL, env=env()))
    try:
        corpus = os.path.join(TOP, "tests", "corpus")
        names = sorted(f for f in os.listdir(corpus) if f.endswith(".txt"))
        inc = os.path.join(spool, "incoming")
        os.makedirs(inc, exist_ok=True)
        for n in names:
            shutil.copy(os.path.join(corpus, n), os.path.join(inc, "." + n))
            os.rename(os.path.join(inc, "." + n), os.path.join(inc, n))
        wait_for(lambda: int(scalar(dsn, "SELECT count(*) FROM articles"))
                 >= len(names), "%d articles stored" % len(names))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
    return dsn


def documents(dsn, root=TOP):
    """{path: (current text, generated text)}"""
    out = {}
    for rel in DOCS:
        path = os.path.join(root, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        out[rel] = (text, render(text, dsn))
    return out


def compare(docs):
    """Prints a diff per document that differs; returns how many."""
    bad = 0
    for rel, (cur, gen) in docs.items():
        if cur == gen:
            continue
        bad += 1
        sys.stdout.writelines(difflib.unified_diff(
            cur.splitlines(True), gen.splitlines(True), rel,
            rel + " (generated)"))
    if bad:
        print("\n%d document(s) differ from what the programs print: run "
              "tests/examples.py --write and commit" % bad)
    return bad


def main():
    write = "--write" in sys.argv[1:]
    if any(a not in ("--write", "--check") for a in sys.argv[1:]):
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="examples.")
    try:
        docs = documents(sample_db(work))
    finally:
        subprocess.run(["sh", os.path.join(TOP, "tests", "lib", "pgtmp.sh"),
                        "destroy", os.path.join(work, "pg")], check=False)
        shutil.rmtree(work, ignore_errors=True)
    if write:
        for rel, (cur, gen) in docs.items():
            if cur != gen:
                with open(os.path.join(TOP, rel), "w", encoding="utf-8") as f:
                    f.write(gen)
                print("rewrote " + rel)
        return 0
    return 1 if compare(docs) else 0


if __name__ == "__main__":
    sys.exit(main())
