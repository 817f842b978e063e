#!/usr/bin/env python3
"""store.c against a real PostgreSQL, through tests/integration/store_driver
(synthetic extraction results, so every row is predictable): values,
idempotency, versions, rejects, races, restarts, re-extraction, flows and
the views built on them."""

import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (binary, data_dir, driver, eq, literal,  # noqa: E402
                     migrate, run_tests, statuses, wait_for)

TMP = tempfile.mkdtemp(prefix="storetest.")

ARTICLE = ("粤桂协作标题\n"
           "广东省投入5000元帮扶广西，培训300人。其它句子有20个项目。\n")
NO_FIGURES = "没有数字的文章\n只有文字。\n"


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fresh(pg):
    db = pg.new_db("store")
    migrate(pg, db)
    return db


def ext_version():
    """EXT_VERSION, as extractd --version prints it."""
    return subprocess.run([binary("extractd"), "--version"],
                          stdout=subprocess.PIPE, text=True,
                          check=True).stdout.split()[1]


def test_values_and_duplicate(pg):
    db = fresh(pg)
    a = write("a.txt", ARTICLE)
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "stored"})
    rows = pg.psql("SELECT title, reporters, published, main_region,"
                   " encode(sha256(raw), 'hex') = sha256, raw_size, uri, feed,"
                   " extractor_version, received_at IS NOT NULL"
                   " FROM articles", db=db)
    eq(rows, [("粤桂协作标题", '{韦继川,"a\\"b\\\\c"}', "2020-01-21",
               "450000", "t", str(len(ARTICLE.encode())), a, "test",
               ext_version(), "t")], "article row")
    rows = pg.psql("SELECT ord, text, value, unit, category, year,"
                   " start_offset, end_offset, sentence, region_codes,"
                   " pairing_ord FROM figures ORDER BY ord", db=db)
    eq(rows, [
        ("0", "5000元", "5000", "元", "fiscal_aid", "2019", "12", "17",
         "广东省投入5000元帮扶广西，培训300人。", "{440000,450000}", None),
        ("1", "300人", "300", "人", "other", "2019", "24", "28",
         "广东省投入5000元帮扶广西，培训300人。", "{440000,450000}", None),
        ("2", "20个", "20", "个", "other", "2019", "34", "37",
         "其它句子有20个项目。", "{440000,450000}", None)], "figures")
    # Offsets count code points of articles.text.
    eq(pg.psql("SELECT substr(a.text, f.start_offset + 1,"
               " f.end_offset - f.start_offset) FROM figures f"
               " JOIN articles a USING (sha256) ORDER BY ord", db=db),
       [("5000元",), ("300人",), ("20个",)], "offsets")
    eq(pg.psql("SELECT helper, helper_code, recipient, recipient_code,"
               " relation, evidence FROM pairings", db=db),
       [("广东省", "440000", "广西壮族自治区", "450000", "east_west",
         "协作")], "pairings")
    # The article's only pairing attributes its money.
    eq(pg.psql("SELECT helper, recipient, year, value, approx, attribution"
               " FROM aid_money", db=db),
       [("广东省", "广西壮族自治区", "2019", "5000", "f", "article")],
       "aid_money")
    before = pg.scalar("SELECT extracted_at FROM articles", db=db)
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "duplicate"})
    eq(pg.scalar("SELECT extracted_at FROM articles", db=db), before,
       "a duplicate rewrites nothing")
    eq(pg.scalar("SELECT count(*) FROM figures", db=db), "3")


def test_versions(pg):
    db = fresh(pg)
    a = write("v.txt", ARTICLE)
    small = write("v_small.txt", "粤桂协作\n只有7个。\n")
    sid = sha(a)

    def state():
        return pg.psql("SELECT extractor_version, data_hash,"
                       " (SELECT count(*) FROM figures)"
                       " FROM articles", db=db)

    eq(statuses(driver(pg, db, "put", a, synth=1, version=1, hash="h1")),
       {sid: "stored"})
    eq(state(), [("1", "h1", "3")])
    # Newer version: replaces the rows (fewer figures now).
    eq(statuses(driver(pg, db, "put", small, synth=1, version=2, hash="h1",
                       id=sid)), {sid: "stored"})
    eq(state(), [("2", "h1", "1")], "replaced by version 2")
    eq(pg.scalar("SELECT value FROM figures", db=db), "7")
    # An older worker (rolling upgrade) never overwrites it.
    eq(statuses(driver(pg, db, "put", a, synth=1, version=1, hash="h9")),
       {sid: "duplicate"})
    eq(state(), [("2", "h1", "1")], "older version kept out")
    # Same version, other data files: replaces.
    eq(statuses(driver(pg, db, "put", a, synth=1, version=2, hash="h2")),
       {sid: "stored"})
    eq(state(), [("2", "h2", "3")], "new data hash")
    eq(statuses(driver(pg, db, "put", a, synth=1, version=2, hash="h2")),
       {sid: "duplicate"})


def test_data_error_rejects_one_article(pg):
    db = fresh(pg)
    bad = write("bad.txt", ARTICLE)
    good = write("good.txt", NO_FIGURES)
    # --mangle puts an offset out of integer range into every article
    # with figures: 22003 for bad.txt, nothing for good.txt.
    p = driver(pg, db, "put", bad, good, synth=1, mangle=1)
    eq(statuses(p), {sha(bad): "rejected", sha(good): "stored"})
    eq(pg.psql("SELECT sha256 FROM articles", db=db), [(sha(good),)])
    rows = pg.psql("SELECT sha256, stage, left(reason, 5), attempts,"
                   " raw_size, raw IS NOT NULL, uri FROM ingest_errors",
                   db=db)
    eq(rows, [(sha(bad), "store", "22003", "1",
               str(len(ARTICLE.encode())), "t", bad)], "ingest_errors")
    # Redelivered and rejected again: one row, attempts counted.
    driver(pg, db, "put", bad, synth=1, mangle=1)
    eq(pg.psql("SELECT count(*), max(attempts) FROM ingest_errors", db=db),
       [("1", "2")])
    # A malformed id violates the articles CHECK: rejected too.
    p = driver(pg, db, "put", good, synth=1, id="NOT-A-HASH")
    eq(statuses(p), {"NOT-A-HASH": "rejected"})
    eq(pg.scalar("SELECT left(reason, 5) FROM ingest_errors"
                 " WHERE sha256 = 'NOT-A-HASH'", db=db), "23514")


def test_reject_records_reason(pg):
    db = fresh(pg)
    raw = b"\xff\xfe junk \x00 bytes"
    a = write("rej.txt", raw)
    driver(pg, db, "reject", a, "decode", "not UTF-8, GB18030 or Big5")
    eq(pg.psql("SELECT stage, reason, raw_size, feed FROM ingest_errors",
               db=db),
       [("decode", "not UTF-8, GB18030 or Big5", str(len(raw)), "test")])


def test_invalid_utf8_never_reaches_text(pg):
    db = fresh(pg)
    # Broken UTF-8 in the text (the extractor should never hand us that):
    # stored with U+FFFD, not rejected by PostgreSQL.
    a = write("u.txt", "标题\n坏字节".encode() + b"\xff\xc3(" + "。\n".encode())
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "stored"})
    eq(pg.scalar("SELECT strpos(text, U&'\\FFFD') > 0 FROM articles",
                 db=db), "t")


def test_long_sentence_is_windowed(pg):
    db = fresh(pg)
    long = "协作" + "很长的句子，" * 2000 + "投入88元" + "继续，" * 2000 + "。\n"
    a = write("long.txt", "标题\n" + long)
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "stored"})
    row = pg.psql("SELECT length(sentence), left(sentence, 1),"
                  " right(sentence, 1), strpos(sentence, '投入88元') > 0"
                  " FROM figures", db=db)
    eq(len(row), 1)
    n, first, last, has = row[0]
    assert int(n) <= 2 * 200 + 10, "sentence stored whole: %s" % n
    eq((first, last, has), ("…", "…", "t"), "window around the figure")


def test_same_article_two_workers(pg):
    db = fresh(pg)
    a = write("race.txt", ARTICLE)
    cmd = [binary("store_driver"), "--db", pg.dsn(db=db), "--synth", "1",
           "--hold", "1500", "put", a]
    env = dict(os.environ, EXTRACTD_DATA=data_dir())
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, "rc %d: %s%s" % (p.returncode, out, err)
    got = sorted(o.split()[1] for o, _ in outs)
    eq(got, ["duplicate", "stored"], "one stores, the other waits and"
       " finds it")
    eq(pg.scalar("SELECT count(*) FROM figures", db=db), "3")


def test_copy_race_falls_back_for_the_batch(pg):
    """A batch's new articles go in by COPY. One of them is inserted by
    another session that has not committed: the COPY waits for it, and
    when the other commits it fails with a unique violation; the batch
    goes back to its savepoint and writes article by article: that one is
    a duplicate, the others of the batch are stored, each once."""
    db = fresh(pg)
    x, y, z = [write("cr_%s.txt" % n, ARTICLE.replace("5000", v))
               for n, v in (("x", "8100"), ("y", "8200"), ("z", "8300"))]
    other = subprocess.Popen(pg.psql_cmd(db=db), stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        other.stdin.write(
            "BEGIN;\nINSERT INTO articles (sha256, raw, text,"
            " extractor_version, data_hash, uri) VALUES (%s, '\\x00',"
            " 'other', 5, 'h', 'other');\n" % literal(sha(x)))
        other.stdin.flush()
        wait_for(lambda: pg.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND state = 'idle in transaction'" % literal(db)) == "1",
            timeout=120, what="the other session's uncommitted row")
        cmd = [binary("store_driver"), "--db", pg.dsn(db=db), "--synth",
               "1", "--version", "5", "--hash", "h", "put", y, x, z]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, EXTRACTD_DATA=data_dir()))
        wait_for(lambda: pg.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND wait_event_type = 'Lock' AND query LIKE 'COPY articles%%'"
            % literal(db)) == "1",
            timeout=120, what="the batch's COPY waiting for the row")
        other.stdin.write("COMMIT;\n")
        other.stdin.close()
        eq(other.wait(timeout=120), 0, "the other session committed")
        out, err = p.communicate(timeout=120)
    finally:
        if other.poll() is None:
            other.kill()
    assert p.returncode == 0, "rc %d: %s%s" % (p.returncode, out, err)
    assert "store.batch_refused" in err and "23505" in err, err
    eq(statuses(subprocess.CompletedProcess(cmd, 0, out, err)),
       {sha(x): "duplicate", sha(y): "stored", sha(z): "stored"})
    eq(pg.psql("SELECT a.sha256, a.uri, (SELECT count(*) FROM figures f"
               " WHERE f.sha256 = a.sha256) FROM articles a ORDER BY 1",
               db=db),
       sorted([(sha(x), "other", "0"), (sha(y), y, "3"), (sha(z), z, "3")]),
       "the other session's row untouched, the others whole")
    eq(pg.scalar("SELECT count(*) FROM ingest_errors", db=db), "0")


def test_restart_mid_batch_is_transient(pg):
    db = fresh(pg)
    a = write("restart.txt", ARTICLE)
    cmd = [binary("store_driver"), "--db", pg.dsn(db=db), "--synth", "1",
           "--hold", "10000", "put", a]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    # Restart only once the driver holds its open transaction (on a busy
    # machine it may take seconds to get there), then accept whichever
    # transient error it meets first: the failed COMMIT, or the lost
    # connection reported as store.transient.
    wait_for(lambda: pg.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        " AND state = 'idle in transaction'" % literal(db)) != "0",
        timeout=120, interval=0.05, what="the driver's open transaction")
    pg.restart()
    out, err = p.communicate(timeout=300)
    eq(p.returncode, 3, "exit code for ERR_DB_TRANSIENT (%s)" % err.strip())
    assert ("store.commit_failed" in err or "store.transient" in err), err
    eq(pg.scalar("SELECT count(*) FROM articles", db=db), "0",
       "nothing committed")
    # Redone after the restart: stored once.
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "stored"})


def test_reextract(pg):
    db = fresh(pg)
    paths = [write("rx%d.txt" % i, ARTICLE.replace("5000", str(5000 + i)))
             for i in range(5)]
    driver(pg, db, "put", *paths, synth=1, version=1, hash="old")
    driver(pg, db, "put", paths[0], synth=1, version=3, hash="future",
           id=sha(paths[0]))
    p = driver(pg, db, "reextract", 2, synth=1, version=2, hash="new")
    assert "reextracted 4" in p.stdout, p.stdout
    eq(pg.psql("SELECT extractor_version, data_hash, count(*) FROM articles"
               " GROUP BY 1, 2 ORDER BY 1", db=db),
       [("2", "new", "4"), ("3", "future", "1")],
       "re-extracted all older ones, left the newer one alone")
    p = driver(pg, db, "reextract", 2, synth=1, version=2, hash="new")
    assert "reextracted 0" in p.stdout, p.stdout


def test_bench_batches(pg):
    """200 articles in batches of 20: all stored, 10 commits; prints the
    speed (not asserted: machines differ)."""
    db = fresh(pg)
    a = write("bench.txt", ARTICLE)
    pg.psql("SELECT pg_stat_reset()", db=db)
    p = driver(pg, db, "bench", a, 200, 20, synth=1)
    print("   ", p.stdout.strip())
    eq(pg.scalar("SELECT count(*) FROM articles", db=db), "200")
    eq(pg.scalar("SELECT xact_commit >= 10 FROM pg_stat_database"
                 " WHERE datname = current_database()", db=db), "t")


def test_batch_commit_rejects_only_the_culprit(pg):
    """New articles' figures and pairings go in at COMMIT, one INSERT per
    table for the whole batch. A data error there (one the store cannot
    foresee: here a CHECK this test adds) takes the batch back to before
    those rows and writes them article by article: the culprit is rejected
    (its articles row removed, recorded in ingest_errors with the server's
    error), every other article of the batch is stored whole."""
    db = fresh(pg)
    pg.psql("ALTER TABLE figure_sets ADD CONSTRAINT test_no_777"
            " CHECK (777 <> ALL (value))", db=db)
    paths = [write("b%d.txt" % i, ARTICLE.replace("5000", str(5000 + i))
                   .replace("20个", "%d个" % (21 + i)))
             for i in range(5)]
    bad = write("b_bad.txt", ARTICLE.replace("300人", "777人"))
    batch = paths[:2] + [bad] + paths[2:]
    p = driver(pg, db, "put", *batch, synth=1)
    good = sorted(sha(x) for x in paths)
    eq(pg.psql("SELECT sha256 FROM articles ORDER BY 1", db=db),
       [(g,) for g in good], "every article but the culprit")
    eq(pg.psql("SELECT sha256, count(*), sum(value) FROM figures"
               " GROUP BY 1 ORDER BY 1", db=db),
       sorted((sha(x), "3", str(5000 + i + 300 + 21 + i))
              for i, x in enumerate(paths)),
       "each article its own figures, whole")
    eq(pg.psql("SELECT sha256, figure_ord, value FROM flows ORDER BY 1",
               db=db),
       sorted((sha(x), "0", str(5000 + i)) for i, x in enumerate(paths)),
       "each article its own flow")
    eq(pg.psql("SELECT count(*), count(DISTINCT sha256) FROM pairings",
               db=db), [("5", "5")])
    eq(pg.psql("SELECT sha256, stage, left(reason, 5), attempts, raw_size,"
               " encode(sha256(raw), 'hex') = sha256, uri, feed"
               " FROM ingest_errors", db=db),
       [(sha(bad), "store", "23514", "1", str(len(ARTICLE.encode())), "t",
         bad, "test")], "exactly the culprit, with its raw bytes")
    lines = [x for x in p.stderr.splitlines() if "store.rejected" in x]
    eq(len(lines), 1, "one rejection logged: %s" % p.stderr)
    assert sha(bad) in lines[0] and "at=commit" in lines[0], lines[0]
    assert "store.batch_refused" in p.stderr, p.stderr
    # Redelivered: rejected again (one row, attempts counted), and the
    # stored ones are duplicates.
    p = driver(pg, db, "put", bad, paths[0], synth=1)
    eq(statuses(p)[sha(paths[0])], "duplicate")
    eq(pg.psql("SELECT count(*), max(attempts) FROM ingest_errors", db=db),
       [("1", "2")])
    eq(pg.scalar("SELECT count(*) FROM articles", db=db), "5")


def test_batch_mixes_new_replaced_and_duplicates(pg):
    """One batch holding new articles (their rows deferred to COMMIT), a
    newer version of a stored one (its rows replaced at once), a duplicate
    and an article without figures: each ends with exactly its rows."""
    db = fresh(pg)
    a = write("m_a.txt", ARTICLE)
    x = write("m_x.txt", ARTICLE.replace("5000", "6000"))
    driver(pg, db, "put", a, synth=1, version=1, hash="h")
    driver(pg, db, "put", x, synth=1, version=2, hash="h")
    c = write("m_c.txt", ARTICLE.replace("5000", "7000"))
    d = write("m_d.txt", NO_FIGURES)
    e = write("m_e.txt", ARTICLE.replace("300", "400"))
    p = driver(pg, db, "put", c, a, x, d, e, synth=1, version=2, hash="h")
    eq(statuses(p), {sha(c): "stored", sha(a): "stored",
                     sha(x): "duplicate", sha(d): "stored",
                     sha(e): "stored"})
    eq(pg.psql("SELECT a.sha256, a.extractor_version,"
               " (SELECT count(*) FROM figures f WHERE f.sha256 = a.sha256),"
               " (SELECT count(*) FROM pairings p WHERE p.sha256 = a.sha256),"
               " (SELECT string_agg(value::text, ',') FROM flows w"
               " WHERE w.sha256 = a.sha256)"
               " FROM articles a ORDER BY 1", db=db),
       sorted([(sha(a), "2", "3", "1", "5000"),
               (sha(x), "2", "3", "1", "6000"),
               (sha(c), "2", "3", "1", "7000"), (sha(d), "2", "0", "0", None),
               (sha(e), "2", "3", "1", "5000")]))
    eq(pg.scalar("SELECT sum(value) FROM figures f JOIN articles a"
                 " USING (sha256) WHERE a.sha256 = '%s'" % sha(e), db=db),
       str(5000 + 400 + 20))
    eq(pg.scalar("SELECT count(*) FROM ingest_errors", db=db), "0")


FLOWS = ("粤桂协作标题\n"
         "广东省协作投入5000元，其中河池300元。社会捐赠20元，培训7人。\n")


def test_flows_values_and_totals(pg):
    """An article's flows: one row each, with the figure that states it
    (its sentence through aid_flows); aid_money_totals adds each amount
    once per group and says what can be added across groups."""
    db = fresh(pg)
    a = write("fl.txt", FLOWS)
    eq(statuses(driver(pg, db, "put", a, synth=1)), {sha(a): "stored"})
    eq(pg.psql("SELECT ord, figure_ord, value, helper, helper_code,"
               " recipient, recipient_code, year, category, part_of, rule"
               " FROM flows ORDER BY ord", db=db),
       [("0", "0", "5000", "广东省", "440000", "广西壮族自治区", "450000",
         "2019", "fiscal_aid", None, "synth"),
        ("1", "1", "300", "深圳市", "440300", "河池市", "451200", "2019",
         "fiscal_aid", "0", "synth"),
        ("2", "2", "20", "广东省", "440000", None, None, None, "social_aid",
         None, "synth")], "flows")
    eq(pg.psql("SELECT flow_ord, figure_ord, figure_text, value, sentence,"
               " title, published, approx FROM aid_flows ORDER BY 1",
               db=db),
       [("0", "0", "5000元", "5000", "广东省协作投入5000元，其中河池300元。",
         "粤桂协作标题", "2020-01-21", "f"),
        ("1", "1", "300元", "300", "广东省协作投入5000元，其中河池300元。",
         "粤桂协作标题", "2020-01-21", "f"),
        ("2", "2", "20元", "20", "社会捐赠20元，培训7人。", "粤桂协作标题",
         "2020-01-21", "f")], "aid_flows")
    # The analyst's sum: top-level flows of one helper, recipient, year.
    eq(pg.scalar("SELECT sum(value) FROM aid_flows WHERE helper_code ="
                 " '440000' AND recipient_code = '450000' AND year = 2019"
                 " AND category = 'fiscal_aid' AND part_of IS NULL", db=db),
       "5000")
    want = [("广东省", "广西壮族自治区", "2019", "fiscal_aid", "5000", "5000",
             "5000", "1"),
            ("广东省", None, None, "social_aid", "20", "20", "20", "1"),
            ("深圳市", "河池市", "2019", "fiscal_aid", "300", "300", "0",
             "1")]
    q = ("SELECT helper, recipient, year, category, yuan, exact_yuan,"
         " top_level_yuan, flows FROM aid_money_totals ORDER BY 1, 2")
    eq(pg.psql(q, db=db), want, "aid_money_totals")
    eq(pg.scalar("SELECT sum(top_level_yuan) FROM aid_money_totals",
                 db=db), "5020", "the grand total counts the part once")
    # A part in its total's own group is inside it already: not added.
    pg.psql("INSERT INTO flow_rows (article_id, ord, figure_ord, value,"
            " helper, helper_code, recipient, recipient_code, year,"
            " category, part_of) SELECT article_id, 3, 1, 300, helper,"
            " helper_code, recipient, recipient_code, year, category, 0"
            " FROM flow_rows WHERE ord = 0", db=db)
    eq(pg.psql(q, db=db), want, "a part of the same group is not added")
    # Deleting the article deletes its flows.
    pg.psql("DELETE FROM articles", db=db)
    eq(pg.scalar("SELECT count(*) FROM flows", db=db), "0")


def test_flows_replaced_with_the_figures(pg):
    """A newer extractor replaces an article's flows with its figures; an
    older one or a duplicate leaves them; re-extraction rewrites them."""
    db = fresh(pg)
    a = write("flv.txt", FLOWS)
    small = write("flv_small.txt", "粤桂协作\n投入7元。\n")
    sid = sha(a)

    def flows():
        return pg.psql("SELECT ord, figure_ord, value, part_of FROM flows"
                       " ORDER BY ord", db=db)

    driver(pg, db, "put", a, synth=1, version=1, hash="h1")
    eq(len(flows()), 3)
    eq(statuses(driver(pg, db, "put", small, synth=1, version=2, hash="h1",
                       id=sid)), {sid: "stored"})
    eq(flows(), [("0", "0", "7", None)], "replaced by version 2")
    eq(statuses(driver(pg, db, "put", a, synth=1, version=1, hash="h1")),
       {sid: "duplicate"})
    eq(flows(), [("0", "0", "7", None)], "older version kept out")
    eq(statuses(driver(pg, db, "put", a, synth=1, version=2, hash="h2")),
       {sid: "stored"})
    eq(flows(), [("0", "0", "5000", None), ("1", "1", "300", "0"),
                 ("2", "2", "20", None)], "new data hash")
    p = driver(pg, db, "reextract", 10, synth=1, version=3, hash="h2")
    assert "reextracted 1" in p.stdout, p.stdout
    eq(pg.scalar("SELECT count(*) FROM flows", db=db), "3")


def test_bad_flow_rejects_its_article(pg):
    """A flow that points at no figure is refused by its foreign key: the
    article is rejected whole (no articles row, no figures), the others of
    the batch are stored."""
    db = fresh(pg)
    bad = write("flbad.txt", FLOWS)
    good = write("flgood.txt", NO_FIGURES)
    p = driver(pg, db, "put", bad, good, synth=1, bad_flow=1)
    eq(statuses(p), {sha(bad): "rejected", sha(good): "stored"})
    eq(pg.psql("SELECT sha256 FROM articles", db=db), [(sha(good),)])
    eq(pg.scalar("SELECT count(*) FROM figures", db=db), "0")
    eq(pg.scalar("SELECT left(reason, 5) FROM ingest_errors", db=db),
       "23503")


def test_batch_commit_flow_culprit(pg):
    """A flow the server refuses at COMMIT (a CHECK this test adds) rejects
    its article only; the batch's other articles keep all their rows."""
    db = fresh(pg)
    pg.psql("ALTER TABLE flow_rows ADD CONSTRAINT test_no_888"
            " CHECK (value <> 888)", db=db)
    paths = [write("fc%d.txt" % i, FLOWS.replace("5000", str(5000 + i)))
             for i in range(3)]
    bad = write("fc_bad.txt", FLOWS.replace("20元", "888元"))
    p = driver(pg, db, "put", paths[0], bad, *paths[1:], synth=1)
    eq(statuses(p), dict([(sha(x), "stored") for x in paths] +
                         [(sha(bad), "rejected")]),
       "store_put() said stored; the COMMIT revised it (the driver prints"
       " the statuses after the COMMIT)")
    eq(pg.psql("SELECT sha256, count(*), sum(value) FROM flows GROUP BY 1"
               " ORDER BY 1", db=db),
       sorted((sha(x), "3", str(5000 + i + 300 + 20))
              for i, x in enumerate(paths)))
    eq(pg.psql("SELECT sha256, left(reason, 5) FROM ingest_errors", db=db),
       [(sha(bad), "23514")])
    eq(pg.scalar("SELECT count(*) FROM articles", db=db), "3")


if __name__ == "__main__":
    try:
        run_tests(globals())
    finally:
        subprocess.run(["rm", "-rf", TMP], check=False)
