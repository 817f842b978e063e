#!/usr/bin/env python3
"""test_docs_examples.py - README's and docs/SCHEMA.md's generated
examples are what the programs print: tests/examples.py (check mode) runs
extractd --json and the SQL examples on a sample database of its own and
fails with a diff where a document differs. Fix: tests/examples.py
--write, then commit."""

import os
import shutil
import subprocess
import sys

SKIP_CODE = 77


def main():
    if shutil.which("psql") is None:
        print("SKIP: psql not installed")
        return SKIP_CODE
    src = os.environ.get("SOURCE_DIR") or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__))))
    p = subprocess.run([sys.executable, os.path.join(src, "tests",
                                                     "examples.py")],
                       env=dict(os.environ), timeout=900, check=False)
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
