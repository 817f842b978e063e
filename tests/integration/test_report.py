#!/usr/bin/env python3
"""test_report.py - deploy/local/report.sh on the sample articles, through
a login in eastwest_reader, opened in headless Debian chromium: the page
loads with no console message and no script error and shows the sample
data (the network's nodes, aid bars, province rows). Skipped (77) where
chromium is not installed. The screenshot stays in the test's tmpdir
(KEEP_REPORT=DIR copies page and screenshot there)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, skip, source_dir  # noqa: E402
from daemons import Stack, corpus_files, drop  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--enable-logging=stderr", "--v=0"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    skip("chromium not installed (deploy/local/deps.sh --test tries it)")
    return None


def browse(page, out_dir, *what):
    """Runs chromium on page once per output (--dump-dom or a screenshot);
    returns (stdout, stderr) of the first."""
    res = []
    for w in what:
        profile = tempfile.mkdtemp(prefix="chromium.", dir=out_dir)
        p = subprocess.run([chromium()] + CHROMIUM_FLAGS +
                           ["--user-data-dir=" + profile] + w +
                           ["file://" + page],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=240, check=False, cwd=out_dir)
        assert p.returncode == 0, p.stderr.decode("utf-8", "replace")[-3000:]
        res.append((p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace")))
    return res[0]


def test_report_in_a_browser(pg):
    chromium()
    files = corpus_files()
    with Stack(pg, "report") as s:
        ing = s.ingestd()
        s.extractd(ing)
        for path in files:
            with open(path, "rb") as f:
                drop(s.spool, os.path.basename(path), f.read())
        s.wait_articles(len(files), timeout=240)
        pg.create_login("report_reader", member_of=["eastwest_reader"])
        page = os.path.join(s.dir, "report.html")
        p = subprocess.run(
            [os.path.join(source_dir(), "deploy", "local", "report.sh"),
             "--db", pg.dsn(db=s.db, user="report_reader"), "--out", page],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
            check=False)
        assert p.returncode == 0, p.stderr.decode("utf-8", "replace")
        html = open(page, encoding="utf-8").read()
        # Self-contained: nothing fetched from anywhere.
        assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html), \
            "external resource in the page"
        dom, log = browse(page, s.dir, ["--dump-dom"],
                          ["--screenshot=" + os.path.join(s.dir, "report.png"),
                           "--window-size=1200,2400", "--hide-scrollbars"])
        console = [l for l in log.splitlines() if ":CONSOLE" in l]
        eq(console, [], "console messages")
        assert 'data-ready="1"' in dom, "the page's script did not finish"
        errors = re.findall(r'<body[^>]*data-errors="([^"]*)"', dom)
        eq(errors, [], "script errors")
        helpers = {r[0] for r in s.q("SELECT DISTINCT helper FROM pairings")}
        shown = set(re.findall(r'class="node helper"[^>]*>([^<]+)<', dom))
        eq(shown, helpers, "helpers drawn in the network")
        n_art = s.scalar("SELECT count(*) FROM articles")
        assert re.search(r"<b>%s</b>\s*articles" % n_art, dom), \
            "article count card"
        assert dom.count('class="bar"') >= 2, "aid bars"
        assert "广东省" in dom and "贵州省" in dom, "sample names"
        assert os.path.getsize(os.path.join(s.dir, "report.png")) > 10000
        keep = os.environ.get("KEEP_REPORT")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for f in ("report.html", "report.png"):
                shutil.copy(os.path.join(s.dir, f), keep)


if __name__ == "__main__":
    run_tests(globals())
