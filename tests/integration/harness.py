"""harness.py - PostgreSQL for the integration tests (stdlib only).

    from harness import PG, run_tests, skip, binary

    def test_reader_cannot_write(pg):
        db = pg.new_db()
        pg.psql("CREATE TABLE t (x int)", db=db)
        rows = pg.psql("SELECT 1, 'a'", db=db)    # [('1', 'a')]

    if __name__ == "__main__":
        run_tests(globals())

run_tests() starts one throwaway PostgreSQL (tests/lib/pgtmp.sh) for the
file, calls every test_* function with it, stops it and removes its
directory even when a test fails or the process gets SIGTERM/SIGINT, and
exits 0 (all passed), 1 (a failure) or 77 (skipped: prints "SKIP: why";
ctest needs SKIP_RETURN_CODE 77). KEEP_PG=1 keeps the directory for a
post-mortem (the log is DIR/pg.log).

Daemon helpers (ingestd, extractd) live in daemons.py.
"""

import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

SKIP_CODE = 77
NULL = None  # psql NULLs come back as None

_HERE = os.path.dirname(os.path.abspath(__file__))
# psql prints NULL as this marker so that None and '' differ in rows.
_NULL_MARK = "\x01NULL\x01"


class Skip(Exception):
    """Raised (by skip()) to skip the whole test file."""


def skip(why):
    """Skips the current test file: run_tests() exits 77 with SKIP: why."""
    raise Skip(why)


def source_dir():
    return os.environ.get("SOURCE_DIR") or os.path.normpath(
        os.path.join(_HERE, "..", ".."))


def build_dir():
    """BUILD_DIR (set by ctest), else SOURCE_DIR/build."""
    return os.environ.get("BUILD_DIR") or os.path.join(source_dir(), "build")


def binary(name):
    """Path of a built program (extractd, ingestd) in BUILD_DIR; skips when
    it was not built."""
    env = os.environ.get(name.upper())  # e.g. STORE_DRIVER=/path
    if env and os.access(env, os.X_OK):
        return env
    for rel in (os.path.join(name, name), os.path.join("extractd", name),
                os.path.join("tests", "integration", name),
                name, os.path.join("bin", name)):
        p = os.path.join(build_dir(), rel)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    skip("%s not built in %s" % (name, build_dir()))


def data_dir():
    return os.environ.get("EXTRACTD_DATA") or os.path.join(
        source_dir(), "data")


def migrations_dir():
    return os.path.join(source_dir(), "migrations")


def pgtmp_script():
    return os.path.join(source_dir(), "tests", "lib", "pgtmp.sh")


def conninfo_quote(v):
    """Quotes a value for a libpq key=value conninfo."""
    v = str(v)
    if v and re.fullmatch(r"[A-Za-z0-9_./:-]+", v):
        return v
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_conninfo(s):
    out = {}
    for m in re.finditer(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", s):
        v = m.group(2)
        if v.startswith("'"):
            v = re.sub(r"\\(.)", r"\1", v[1:-1])
        out[m.group(1)] = v
    return out


def ident(name):
    """Quotes an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(s):
    """Quotes an SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


class PsqlError(Exception):
    """psql failed; .sqlstate is the SQLSTATE of the first ERROR (or None),
    .stderr its messages."""

    def __init__(self, sql, returncode, stderr):
        m = re.search(r"ERROR:\s+([0-9A-Z]{5}):", stderr)
        self.sqlstate = m.group(1) if m else None
        self.returncode = returncode
        self.stderr = stderr
        super().__init__("psql failed (rc %d, SQLSTATE %s): %s\n-- SQL: %s"
                         % (returncode, self.sqlstate, stderr.strip(),
                            sql[:500]))


_live = []  # started PG instances, stopped at exit


def _stop_all():
    for pg in list(_live):
        try:
            pg.stop()
        except Exception as e:  # noqa: BLE001 - best effort at exit
            print("harness: stopping PostgreSQL: %s" % e, file=sys.stderr)


atexit.register(_stop_all)


def _on_signal(sig, _frame):
    # SystemExit unwinds through finally blocks and atexit.
    raise SystemExit(128 + sig)


class PG:
    """A throwaway PostgreSQL cluster (unix socket only, trust auth).

    pg = PG(); pg.start(); ...; pg.stop()   or   with PG() as pg: ...
    conninfo is the superuser's on database postgres; dsn(db=, user=)
    gives others."""

    def __init__(self, tmpdir=None):
        self._own_dir = tmpdir is None
        self.dir = tmpdir or tempfile.mkdtemp(prefix="pgtest.")
        self.conninfo = None
        self.superuser = None
        self._dbs = 0
        self.bindir = None

    # -- lifecycle ---------------------------------------------------------
    def _pgtmp(self, cmd):
        p = subprocess.run(["sh", pgtmp_script(), cmd, self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, check=False)
        if p.returncode != 0:
            raise RuntimeError("pgtmp.sh %s failed:\n%s" % (cmd, p.stderr))
        return p.stdout.strip()

    def start(self):
        if shutil.which("psql") is None and not self._find_bindir():
            skip("PostgreSQL client (psql) not installed")
        if not self._find_bindir():
            skip("PostgreSQL server (initdb) not installed")
        if os.geteuid() == 0:
            try:
                subprocess.run(["id", "postgres"], check=True,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            except subprocess.CalledProcessError:
                skip("running as root needs a 'postgres' user")
        self.conninfo = self._pgtmp("start")
        self.superuser = parse_conninfo(self.conninfo)["user"]
        if self not in _live:
            _live.append(self)
        return self

    def stop(self, remove=None):
        """Fast shutdown; removes our directory (unless KEEP_PG=1 or
        remove=False)."""
        if os.path.isdir(self.dir):
            self._pgtmp("stop")
        if self in _live:
            _live.remove(self)
        if remove is None:
            remove = self._own_dir and not os.environ.get("KEEP_PG")
        if remove:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif os.path.isdir(self.dir):
            print("harness: PostgreSQL data kept in %s" % self.dir,
                  file=sys.stderr)

    def restart(self):
        """Fast shutdown and start again: same socket, same port. Sessions
        see their connection drop (SQLSTATE 57P01)."""
        self.conninfo = self._pgtmp("restart")
        return self

    def halt(self):
        """Stops the server but keeps its data and socket directory (start()
        or restart() brings it back at the same address)."""
        pgdata = os.path.join(self.dir, "pgdata")
        cmd = [os.path.join(self._find_bindir(), "pg_ctl"), "-D", pgdata,
               "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def running(self):
        p = subprocess.run(["sh", pgtmp_script(), "status", self.dir],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        return p.returncode == 0

    def log_tail(self, n=40):
        try:
            with open(os.path.join(self.dir, "pg.log"),
                      encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _find_bindir(self):
        if self.bindir:
            return self.bindir
        cands = []
        if os.environ.get("PG_BINDIR"):
            cands.append(os.environ["PG_BINDIR"])
        base = "/usr/lib/postgresql"
        if os.path.isdir(base):
            vers = sorted((d for d in os.listdir(base) if d.isdigit()),
                          key=int, reverse=True)
            cands += [os.path.join(base, v, "bin") for v in vers]
        pgc = shutil.which("pg_config")
        if pgc:
            try:
                cands.append(subprocess.run(
                    [pgc, "--bindir"], stdout=subprocess.PIPE, text=True,
                    check=True).stdout.strip())
            except subprocess.CalledProcessError:
                pass
        initdb = shutil.which("initdb")
        if initdb:
            cands.append(os.path.dirname(initdb))
        for d in cands:
            if os.access(os.path.join(d, "initdb"), os.X_OK):
                self.bindir = d
                return d
        return None

    # -- connection strings and databases -----------------------------------
    def dsn(self, db=None, user=None, **extra):
        """conninfo for db (default postgres) as user (default superuser)."""
        info = parse_conninfo(self.conninfo)
        if db:
            info["dbname"] = db
        if user:
            info["user"] = user
        info.update({k: str(v) for k, v in extra.items()})
        return " ".join("%s=%s" % (k, conninfo_quote(v))
                        for k, v in info.items())

    def new_db(self, prefix="t"):
        """Creates an empty database with a fresh name; returns the name."""
        self._dbs += 1
        name = "%s_%d_%s" % (prefix, self._dbs, uuid.uuid4().hex[:8])
        self.psql("CREATE DATABASE %s" % ident(name))
        return name

    def drop_db(self, name):
        self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % ident(name))

    def create_login(self, name, member_of=(), password=None, db=None):
        """A LOGIN role (cluster-wide) granted the given group roles; with
        trust authentication no password is needed."""
        sql = ("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE "
               "rolname = %s) THEN CREATE ROLE %s LOGIN%s; END IF; END$$;"
               % (literal(name), ident(name),
                  " PASSWORD " + literal(password) if password else ""))
        for r in member_of:
            sql += "GRANT %s TO %s;" % (ident(r), ident(name))
        self.psql(sql, db=db)
        return name

    # -- queries ------------------------------------------------------------
    def psql_cmd(self, db=None, user=None):
        psql = shutil.which("psql")
        bindir = self._find_bindir()
        if bindir and os.access(os.path.join(bindir, "psql"), os.X_OK):
            psql = os.path.join(bindir, "psql")
        return [psql, "-X", "-A", "-t", "-q", "-F", "\t",
                "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
                "-P", "null=" + _NULL_MARK,
                "-d", self.dsn(db=db, user=user)]

    def psql_raw(self, sql, db=None, user=None, timeout=120):
        """Runs sql (any number of statements, read from stdin); returns
        psql's stdout text. Raises PsqlError."""
        p = subprocess.run(self.psql_cmd(db, user) + ["-f", "-"], input=sql,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, check=False,
                           env=dict(os.environ, PGTZ="UTC",
                                    PGCLIENTENCODING="UTF8"))
        if p.returncode != 0:
            raise PsqlError(sql, p.returncode, p.stderr)
        return p.stdout

    def psql(self, sql, user=None, db=None, timeout=120):
        """Runs sql; returns the rows that the statements printed as a list
        of tuples of strings (NULL is None). Raises PsqlError."""
        out = self.psql_raw(sql, db=db, user=user, timeout=timeout)
        rows = []
        for line in out.split("\n"):
            if line == "":
                continue
            rows.append(tuple(None if f == _NULL_MARK else f
                              for f in line.split("\t")))
        return rows

    def scalar(self, sql, user=None, db=None):
        """The single value of a one-row, one-column query."""
        rows = self.psql(sql, user=user, db=db)
        assert len(rows) == 1 and len(rows[0]) == 1, \
            "expected one value, got %r" % (rows,)
        return rows[0][0]

    def psql_error(self, sql, user=None, db=None):
        """Runs sql that must fail; returns the PsqlError (with .sqlstate).
        Fails the test when it succeeds."""
        try:
            self.psql(sql, user=user, db=db)
        except PsqlError as e:
            return e
        raise AssertionError("expected an error from: %s" % sql)


# -- the store: migrations and the store driver --------------------------------
def divisions_tsv():
    return os.path.join(data_dir(), "divisions.tsv")


def extractd_migrates():
    """True when the built extractd has a --migrate mode."""
    try:
        exe = binary("extractd")
    except Skip:
        return False
    p = subprocess.run([exe, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, check=False,
                       timeout=30)
    return "--migrate" in p.stdout


def migrate_cmd(dsn, migrations=None):
    """The command that applies migrations/ to dsn: `extractd --migrate`
    when it exists, else tests/integration/store_driver (same
    store_migrate())."""
    if extractd_migrates():
        cmd = [binary("extractd"), "--migrate", "--db", dsn]
        if migrations:
            cmd += ["--migrations", migrations]
        return cmd
    return [binary("store_driver"), "--db", dsn, "migrate",
            migrations or migrations_dir(), divisions_tsv()]


def migrate(pg, db):
    """Applies the migrations to db (as the superuser); returns stderr."""
    p = subprocess.run(migrate_cmd(pg.dsn(db=db)), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120,
                       check=False)
    if p.returncode != 0:
        raise AssertionError("migrate failed (rc %d): %s%s"
                             % (p.returncode, p.stdout, p.stderr))
    return p.stderr


def driver(pg, db, *args, user=None, check=True, timeout=120, **opts):
    """Runs store_driver --db <db as user> [--opt value...] args; returns
    the CompletedProcess (stdout, stderr, returncode)."""
    cmd = [binary("store_driver"), "--db", pg.dsn(db=db, user=user)]
    for k, v in opts.items():
        cmd += ["--" + k.replace("_", "-"), str(v)]
    cmd += [str(a) for a in args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, check=False,
                       env=dict(os.environ, EXTRACTD_DATA=data_dir()))
    if check and p.returncode != 0:
        raise AssertionError("%s failed (rc %d):\n%s%s"
                             % (" ".join(cmd), p.returncode, p.stdout,
                                p.stderr))
    return p


def statuses(p):
    """{sha256: status} from store_driver's output lines."""
    out = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and len(parts[0]) >= 3:
            out[parts[0]] = parts[1]
    return out


# -- small test helpers --------------------------------------------------------
def wait_for(pred, timeout=30.0, interval=0.05, what="condition"):
    """Polls pred() until it returns a true value (which is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what))
        time.sleep(interval)


def eq(got, want, what=""):
    """assert got == want, with both in the message."""
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what or "value",
                                                      got, want))


def run_tests(namespace, pg_factory=PG):
    """Runs every test_* function of namespace (globals()) in order of
    definition, each with the same started PG (tests make their own
    databases with pg.new_db()). Exits 0, 1 or 77."""
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _on_signal)
    tests = [(k, v) for k, v in namespace.items()
             if k.startswith("test_") and callable(v)]
    only = os.environ.get("TEST_ONLY")
    if only:
        tests = [(k, v) for k, v in tests if re.search(only, k)]
    failed = 0
    pg = None
    code = 0
    try:
        pg = pg_factory()
        pg.start()
        for name, fn in tests:
            t0 = time.monotonic()
            try:
                fn(pg)
            except Skip:
                raise
            except Exception:  # noqa: BLE001 - report and go on
                failed += 1
                print("FAIL %s (%.2fs)" % (name, time.monotonic() - t0))
                traceback.print_exc(file=sys.stdout)
                tail = pg.log_tail()
                if tail:
                    print("--- PostgreSQL log tail ---\n" + tail)
                if not pg.running():
                    # A test that stopped the server must not sink the rest.
                    pg.start()
            else:
                print("ok   %s (%.2fs)" % (name, time.monotonic() - t0))
            sys.stdout.flush()
        code = 1 if failed else 0
    except Skip as e:
        print("SKIP: %s" % e)
        code = SKIP_CODE
    except BaseException:  # noqa: BLE001 - SystemExit from a signal too
        traceback.print_exc(file=sys.stdout)
        code = 1
    finally:
        if pg is not None:
            try:
                pg.stop()
            except Exception as e:  # noqa: BLE001
                print("harness: stop: %s" % e)
        _stop_all()
    sys.stdout.flush()
    sys.exit(code)
