"""daemons.py - ingestd and extractd for the integration tests (stdlib only).

    from harness import PG, run_tests, wait_for
    from daemons import Stack, corpus_variants, drop

    def test_flow(pg):
        with Stack(pg) as s:             # tmpdir, database, migrations
            ing = s.ingestd()
            w = s.extractd(ing)
            arts = corpus_variants(100)
            for a in arts:
                drop(s.spool, a.name, a.body)
            s.wait_articles(100)

Every process a Stack starts is stopped (SIGKILL if it must) when the
`with` block ends, failing or not; its logs are printed when the block
fails. Ports are picked by binding port 0. Timeouts are short so a
broken build fails in seconds, not minutes.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal

from harness import binary, data_dir, source_dir, wait_for

# Fast protocol timings for tests. A dead worker is noticed when its
# connection drops (at once for a killed process); the application timeout
# only catches a hung worker loop, and must outlast a PostgreSQL call that
# blocks while the server shuts down (seconds on a loaded machine).
INGESTD_FAST = ["--heartbeat-ms", "200", "--worker-timeout-ms", "10000",
                "--drain-ms", "8000", "--min-free-mb", "1"]
EXTRACTD_FAST = ["--heartbeat-ms", "200", "--peer-timeout-ms", "1000",
                 "--batch-ms", "100", "--drain-ms", "8000",
                 "--db-backoff-max-ms", "1000"]


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


class Article:
    def __init__(self, name, body):
        self.name = name
        self.body = body
        self.id = sha256_hex(body)


def corpus_files():
    d = os.path.join(source_dir(), "tests", "corpus")
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith(".txt") and not f.startswith("."))


def corpus_variants(n, start=0, tag="v"):
    """n distinct articles: the seeds of tests/corpus with a numbered
    sentence appended, so every hash differs and the text stays real."""
    seeds = []
    for p in corpus_files():
        with open(p, "rb") as f:
            seeds.append(f.read())
    out = []
    for i in range(start, start + n):
        seed = seeds[i % len(seeds)]
        extra = ("\n第%d条补充说明：本文由测试生成，编号%s%d。\n"
                 % (i, tag, i)).encode("utf-8")
        out.append(Article("%s%05d.txt" % (tag, i), seed + extra))
    return out


def drop(spool, name, body):
    """Writes a file into spool/incoming/ the way a crawler should: as a
    dot-file, then renamed (IN_MOVED_TO)."""
    inc = os.path.join(spool, "incoming")
    os.makedirs(inc, exist_ok=True)
    tmp = os.path.join(inc, "." + name + ".part")
    with open(tmp, "wb") as f:
        f.write(body)
    os.rename(tmp, os.path.join(inc, name))


def stdin_line(body, **meta):
    """One JSON line for ingestd --stdin (body as base64)."""
    d = dict(meta)
    d["body_b64"] = base64.b64encode(body).decode("ascii")
    return (json.dumps(d) + "\n").encode("utf-8")


def zsend_path():
    return binary("zsend")


def keygen():
    """(public, secret) Z85 keys from extractd --keygen."""
    p = subprocess.run([binary("extractd"), "--keygen"], check=True,
                       stdout=subprocess.PIPE, text=True, timeout=30)
    keys = [l.strip() for l in p.stdout.splitlines()
            if l.strip() and not l.startswith("#")]
    assert len(keys) == 2 and all(len(k) == 40 for k in keys), p.stdout
    return keys[0], keys[1]


def json_extract(paths):
    """extractd --json on files: {basename: result dict}."""
    p = subprocess.run([binary("extractd"), "--json"] + list(paths),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120, check=False,
                       env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    out = {}
    for line in p.stdout.decode("utf-8").splitlines():
        d = json.loads(line, parse_float=Decimal)
        out[os.path.basename(d["file"])] = d
    return out


class Daemon:
    """One running program; output goes to a log file."""

    def __init__(self, name, argv, log_path, env=None, stdin=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            env=env)
        self.returncode = None
        self._termed = False

    def alive(self):
        return self.proc.poll() is None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, pattern, timeout=60.0):
        """Waits until the log has a line matching pattern (regex)."""
        rx = re.compile(pattern)

        def found():
            if rx.search(self.log()):
                return True
            if not self.alive():
                raise AssertionError("%s exited (rc %s) before logging %r:\n%s"
                                     % (self.name, self.proc.returncode,
                                        pattern, self.log()[-3000:]))
            return False
        wait_for(found, timeout=timeout, what="%s: %s" % (self.name, pattern))

    def count_log(self, pattern):
        return len(re.findall(pattern, self.log()))

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)
            if sig == signal.SIGTERM:
                self._termed = True

    def stop(self, timeout=60.0):
        """SIGTERM (once: a second one means "exit now" to our daemons)
        and wait; returns the exit code (SIGKILL after timeout, which
        fails the caller's assertion on the code)."""
        if not self._termed:
            self.signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
            print("%s did not stop within %.0fs" % (self.name, timeout))
        self._log.close()
        return self.returncode

    def kill9(self):
        if self.alive():
            self.proc.kill()
        self.returncode = self.proc.wait()
        self._log.close()
        return self.returncode


class Ingestd(Daemon):
    def __init__(self, stack, spool, port, http_port, extra, stdin):
        self.port = port
        self.http_port = http_port
        self.endpoint = "tcp://127.0.0.1:%d" % port
        self.spool = spool
        argv = [binary("ingestd"), "--spool", spool, "--bind", self.endpoint,
                "--http", "127.0.0.1:%d" % http_port] + INGESTD_FAST + extra
        if stdin is not None:
            argv.append("--stdin")
        stack.n_ingestd += 1
        super().__init__("ingestd#%d" % stack.n_ingestd, argv,
                         os.path.join(stack.dir, "ingestd.%d.log"
                                      % stack.n_ingestd), stdin=stdin)

    def metrics(self):
        return scrape(self.http_port)

    def feed_stdin(self, data, close=False):
        """Writes data to ingestd's stdin from a thread (a full pipe must
        not block the test); returns the thread."""
        def write():
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
                if close:
                    self.proc.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        t = threading.Thread(target=write, daemon=True)
        t.start()
        return t


class Extractd(Daemon):
    def __init__(self, stack, endpoints, http_port, extra):
        self.http_port = http_port
        argv = [binary("extractd"), "--db", stack.dsn,
                "--http", "127.0.0.1:%d" % http_port] + EXTRACTD_FAST
        for e in endpoints:
            argv += ["--connect", e]
        stack.n_extractd += 1
        super().__init__("extractd#%d" % stack.n_extractd, argv + extra,
                         os.path.join(stack.dir, "extractd.%d.log"
                                      % stack.n_extractd),
                         env=dict(os.environ, EXTRACTD_DATA=data_dir()))

    def metrics(self):
        return scrape(self.http_port)


def http_get(port, path, timeout=15.0):
    """(status, body text) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                    timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def scrape(port):
    """/metrics as {'name{labels}': float}."""
    status, text = http_get(port, "/metrics")
    assert status == 200, (status, text)
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, val = line.rpartition(" ")
        out[key] = float(val)
    return out


class Stack:
    """A tmpdir, a migrated database and the daemons of one test."""

    def __init__(self, pg, name="t"):
        self.pg = pg
        self.dir = tempfile.mkdtemp(prefix="pipe.%s." % name)
        self.spool = os.path.join(self.dir, "spool")
        self.db = None
        self.dsn = None
        self.daemons = []
        self.n_ingestd = 0
        self.n_extractd = 0

    def __enter__(self):
        self.db = self.pg.new_db("pipe")
        self.dsn = self.pg.dsn(db=self.db)
        p = subprocess.run([binary("extractd"), "--migrate", "--db", self.dsn],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=120, check=False,
                           env=dict(os.environ, EXTRACTD_DATA=data_dir()))
        assert p.returncode == 0, p.stdout.decode("utf-8", "replace")
        return self

    def __exit__(self, exc_type, exc, tb):
        for d in self.daemons:
            if d.alive():
                d.kill9()
        if exc_type is not None:
            for d in self.daemons:
                try:
                    print("--- %s (%s) log tail ---\n%s"
                          % (d.name, " ".join(d.argv[:1]), d.log()[-4000:]))
                except OSError:
                    pass
        if exc_type is None or not os.environ.get("KEEP_PG"):
            shutil.rmtree(self.dir, ignore_errors=True)
        try:
            self.pg.drop_db(self.db)
        except Exception as e:  # noqa: BLE001 - best effort
            print("drop_db: %s" % e)
        return False

    def ingestd(self, port=None, extra=(), stdin=None, wait=True):
        d = Ingestd(self, self.spool, port or free_port(), free_port(),
                    list(extra), stdin)
        self.daemons.append(d)
        if wait:
            d.wait_log(r"ingestd\.started")
        return d

    def extractd(self, *ingestds, extra=(), wait=True, endpoints=None):
        eps = endpoints or [i.endpoint for i in ingestds]
        d = Extractd(self, eps, free_port(), list(extra))
        self.daemons.append(d)
        if wait:
            d.wait_log(r"db\.up")
        return d

    # -- database ------------------------------------------------------------
    def q(self, sql):
        return self.pg.psql(sql, db=self.db)

    def scalar(self, sql):
        return self.pg.scalar(sql, db=self.db)

    def article_count(self):
        return int(self.scalar("SELECT count(*) FROM articles"))

    def error_count(self):
        return int(self.scalar("SELECT count(*) FROM ingest_errors"))

    def stored_ids(self):
        return {r[0] for r in self.q("SELECT sha256 FROM articles")}

    def wait_articles(self, n, timeout=120.0):
        """Waits until articles has n rows (fails past n)."""
        def enough():
            c = self.article_count()
            assert c <= n, "more rows than articles: %d > %d" % (c, n)
            return c == n
        wait_for(enough, timeout=timeout, interval=0.25,
                 what="%d articles stored" % n)

    def duplicates(self):
        """Rows sharing an id (impossible with the primary key; asserted
        anyway so a schema change cannot hide double stores)."""
        return self.q("SELECT sha256, count(*) FROM articles GROUP BY 1 "
                      "HAVING count(*) > 1")

    # -- spool ---------------------------------------------------------------
    def spool_files(self, sub):
        d = os.path.join(self.spool, sub)
        if not os.path.isdir(d):
            return []
        return sorted(f for f in os.listdir(d) if not f.startswith("."))

    def wait_spool_empty(self, timeout=60.0):
        wait_for(lambda: not [f for f in self.spool_files("incoming")
                              if not f.endswith(".meta.json")],
                 timeout=timeout, interval=0.25, what="incoming/ empty")


def stored_figures(stack, sha):
    """[(text, value, unit, category)] of one stored article, in order."""
    rows = stack.q("SELECT text, value, unit, category FROM figures "
                   "WHERE sha256 = '%s' ORDER BY ord" % sha)
    return [(t, Decimal(v), u, c) for t, v, u, c in rows]


def json_figures(result):
    return [(f["text"], Decimal(str(f["value"])), f["unit"], f["category"])
            for f in result.get("figures", [])]


def stored_pairings(stack, sha):
    rows = stack.q("SELECT helper, recipient, relation FROM pairings "
                   "WHERE sha256 = '%s' ORDER BY ord" % sha)
    return [tuple(r) for r in rows]


def json_pairings(result):
    return [(p["helper"], p["recipient"], p["relation"])
            for p in result.get("pairings", [])]


def stored_flows(stack, sha):
    """[(figure, value, helper, recipient, year, category, part_of)] of one
    stored article, in order (as an analyst reads them: aid_flows)."""
    rows = stack.q("SELECT figure_ord, value, helper, recipient, year,"
                   " category, part_of FROM aid_flows WHERE sha256 = '%s'"
                   " ORDER BY flow_ord" % sha)
    return [(int(f), Decimal(v), h, r, None if y is None else int(y), c,
             None if p is None else int(p)) for f, v, h, r, y, c, p in rows]


def json_flows(result):
    return [(f["figure"], Decimal(str(f["value"])), f["helper"] or None,
             f["recipient"] or None, f["year"] or None, f["category"],
             f["part_of"]) for f in result.get("flows") or []]


def log(msg):
    print(msg)
    sys.stdout.flush()
