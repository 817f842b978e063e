"""test_pipeline_backlog.py - a backfill of 100,000 files: the inotify
queue overflows and ingestd rescans, nothing is missed, and ingestd keeps
only ids and names in memory (RSS <= 64 MB with 100,000 waiting)."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import binary, eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_files  # noqa: E402

N = 100000


def sanitized(path):
    """ASan builds use several times the memory: the RSS bound is for
    release builds."""
    p = subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    return "libasan" in p.stdout or "libubsan" in p.stdout


def rss_kb(pid):
    with open("/proc/%d/status" % pid, encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def write_files(inc, lo, hi, seed):
    """As the spool contract asks: written as a dot-file, renamed in."""
    for i in range(lo, hi):
        name = "b%06d.txt" % i
        tmp = os.path.join(inc, "." + name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, seed + str(i).encode())
        os.close(fd)
        os.rename(tmp, os.path.join(inc, name))


def test_backfill_overflow_and_memory(pg):
    with open(corpus_files()[0], "rb") as f:
        seed = f.read()[:3000]
    with Stack(pg, "backlog") as s:
        ing = s.ingestd()
        inc = os.path.join(s.spool, "incoming")
        t0 = time.monotonic()
        # Written while ingestd is stopped: far more events than the
        # kernel queues (max_queued_events is 16384 by default).
        ing.signal(signal.SIGSTOP)
        try:
            write_files(inc, 0, N, seed)
        finally:
            ing.signal(signal.SIGCONT)
        print("  %d files written in %.1fs" % (N, time.monotonic() - t0))
        t1 = time.monotonic()
        wait_for(lambda: ing.metrics()["ingestd_spool_backlog"]
                 == N, timeout=120, interval=0.5, what="backlog of %d" % N)
        print("  queued after the overflow in %.1fs" % (time.monotonic() - t1))
        m = ing.metrics()
        assert m["ingestd_inotify_overflows_total"] >= 1, m
        eq(m['ingestd_articles_received_total{source="spool"}'], N,
           "received")
        kb = rss_kb(ing.proc.pid)
        print("  ingestd peak RSS with %d waiting: %.1f MB" % (N, kb / 1024))
        if not sanitized(binary("ingestd")):
            assert kb <= 64 * 1024, "RSS %d kB above 64 MB" % kb
        eq(ing.stop(), 0, "ingestd exit")
        # Restart: the spool is read again, nothing lost.
        t2 = time.monotonic()
        ing2 = s.ingestd()
        ing2.wait_log(r"spool\.scanned added=%d" % N, timeout=120)
        print("  restart scanned %d in %.1fs" % (N, time.monotonic() - t2))
        eq(ing2.stop(), 0, "ingestd exit")


if __name__ == "__main__":
    run_tests(globals())
