#!/usr/bin/env python3
"""test_pgtmp_private.py - as root, tests/lib/pgtmp.sh works in a directory
the postgres user cannot walk into (a checkout in root's home or in a
mktemp -d, mode 0700): data, log and socket go to a private folder owned
by postgres, the socket path stays short, the server answers, restarts at
the same address, and destroy removes everything. Skipped unless root."""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile

SKIP_CODE = 77
TOP = os.environ.get("SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
PGTMP = os.path.join(TOP, "tests", "lib", "pgtmp.sh")


def pgtmp(cmd, d):
    p = subprocess.run(["sh", PGTMP, cmd, d], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=180,
                       check=False)
    assert p.returncode == 0, (cmd, p.stderr)
    return p.stdout.strip()


def main():
    if os.geteuid() != 0:
        print("SKIP: not root")
        return SKIP_CODE
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        print("SKIP: no postgres user")
        return SKIP_CODE
    if shutil.which("psql") is None:
        print("SKIP: psql not installed")
        return SKIP_CODE
    private = tempfile.mkdtemp(prefix="private.")  # mode 0700
    os.chmod(private, 0o700)
    d = os.path.join(private, "clone", ".run", "pg")
    home = None
    try:
        conninfo = pgtmp("start", d)
        home = open(os.path.join(d, "home")).read().strip()
        st = os.stat(home)
        assert st.st_uid == pw.pw_uid and st.st_mode & 0o777 == 0o700, st
        sock = dict(kv.split("=", 1) for kv in conninfo.split())["host"]
        assert sock == home, (sock, home)
        assert len(os.path.join(sock, ".s.PGSQL.65535")) < 107
        assert os.path.realpath(os.path.join(d, "pgdata")) == \
            os.path.join(home, "pgdata")

        def one():
            return subprocess.run(["psql", "-XAtq", "-d", conninfo, "-c",
                                   "SELECT 1"], stdout=subprocess.PIPE,
                                  text=True, check=True,
                                  timeout=60).stdout.strip()
        assert one() == "1"
        assert pgtmp("restart", d) == conninfo
        assert one() == "1"
        pgtmp("stop", d)
        assert os.path.isdir(os.path.join(home, "pgdata")), "data kept"
        assert pgtmp("start", d) == conninfo
        pgtmp("destroy", d)
        assert not os.path.exists(home), "private folder left"
        assert not os.path.exists(d)
        print("ok   pgtmp.sh in a private 0700 directory as root")
        return 0
    finally:
        if home and os.path.isdir(home):
            subprocess.run(["sh", PGTMP, "destroy", d], check=False)
        shutil.rmtree(private, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
