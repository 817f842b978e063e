"""test_pipeline_bad_input.py - what must not stop the daemons: malformed
and unknown messages on ingestd's socket, articles above the size limits,
undecodable bytes, malformed stdin lines, an article that keeps failing
(poison, with its attempts kept across a restart)."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_variants, drop, sha256_hex, zsend_path  # noqa: E402,E501


def zsend(endpoint, *actions, timeout=30):
    p = subprocess.run([zsend_path(), endpoint] + [str(a) for a in actions],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, check=False)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_malformed_frames_and_bad_articles(pg):
    good = corpus_variants(20, tag="ok")
    big = b"\xe5\x8d\x8e" * 40000            # 120,000 bytes: ingestd refuses
    mid = ("东西部协作" * 2000).encode("utf-8")  # 30,000 bytes: worker refuses
    junk = bytes((i * 131 + 17) % 256 for i in range(5000)) + b"\xff" * 8
    with Stack(pg, "bad") as s:
        ing = s.ingestd(extra=["--max-article-bytes", "64k"],
                        stdin=subprocess.PIPE)
        w = s.extractd(ing, extra=["--max-article-bytes", "20000"])
        # A raw client: not protobuf, an Envelope with an unknown message
        # type (field 20), another protocol version, an ACK for an id
        # nobody leased, a frame above ingestd's inbound limit.
        zsend(ing.endpoint,
              "raw", "deadbeef00ff",
              "raw", "0801a20100",
              "raw", "080752020805",
              "ack", "0" * 64, "stored",
              "zeros", 70000,
              "sleep", 300)
        wait_for(lambda: ing.metrics()["ingestd_messages_malformed_total"]
                 >= 3, timeout=60, what="malformed messages counted")
        eq(ing.metrics()["ingestd_messages_malformed_total"], 3,
           "malformed count")
        drop(s.spool, "big.txt", big)
        drop(s.spool, "mid.txt", mid)
        drop(s.spool, "junk.bin", junk)
        ing.feed_stdin(b'{"body": "unterminated\n'
                       b'{"uri": "x"}\n'
                       b'{"body_b64": "@@@"}\n'
                       b'[1,2,3]\n')
        for a in good:
            drop(s.spool, a.name, a.body)
        # The stream still flows.
        s.wait_articles(len(good), timeout=60)
        wait_for(lambda: sorted(s.spool_files("failed")) ==
                 ["big.txt", "big.txt.error", "junk.bin", "junk.bin.error",
                  "mid.txt", "mid.txt.error"],
                 timeout=30, what="failed/ holds the three bad articles")
        assert ing.alive() and w.alive(), "a daemon died"
        assert "too big" in read(os.path.join(s.spool, "failed",
                                              "big.txt.error"))
        assert "too large" in read(os.path.join(s.spool, "failed",
                                                "mid.txt.error"))
        errs = dict((r[0], (r[1], r[2])) for r in s.q(
            "SELECT sha256, stage, reason FROM ingest_errors"))
        eq(set(errs), {sha256_hex(mid), sha256_hex(junk)}, "ingest_errors")
        assert "too large" in errs[sha256_hex(mid)][1], errs
        assert errs[sha256_hex(junk)][1], errs
        junk_err = read(os.path.join(s.spool, "failed", "junk.bin.error"))
        assert sha256_hex(junk) in junk_err, junk_err
        m = ing.metrics()
        eq(m["ingestd_stdin_malformed_total"], 4, "malformed stdin lines")
        eq(m["ingestd_articles_too_big_total"], 1, "too big at intake")
        eq(m["ingestd_articles_failed_total"], 3, "moved to failed/")
        eq(m['ingestd_articles_acked_total{status="rejected"}'], 2,
           "rejected acks")
        eq(w.metrics()['extractd_articles_total{status="rejected"}'], 2,
           "worker rejections")
        eq(ing.stop(), 0, "ingestd exit")
        eq(w.stop(), 0, "worker exit")


def test_poison_after_attempts_survives_restart(pg):
    a = corpus_variants(1, tag="poison")[0]
    with Stack(pg, "poison") as s:
        ing = s.ingestd(extra=["--max-attempts", "3"])
        drop(s.spool, a.name, a.body)

        # zsend plays a worker that fails on everything it gets: one
        # attempt per run (credit back to 0 before the ACK, so nothing
        # is leased when it leaves).
        def fail_once(ep):
            out = zsend(ep, "ready", 1, "recv", 1500, "ready", 0,
                        "ackall", "failed", "sleep", 300)
            return [l.split() for l in out if l.startswith("work ")]

        eq(fail_once(ing.endpoint)[0][1:], [a.id, str(len(a.body)), "1"],
           "first delivery")
        eq(fail_once(ing.endpoint)[0][3], "2", "second attempt")
        eq(ing.stop(), 0, "ingestd exit")
        ing2 = s.ingestd(port=ing.port, extra=["--max-attempts", "3"])
        # The count survived the restart: this is attempt 3, the last.
        eq(fail_once(ing2.endpoint)[0][3], "3", "attempt after restart")
        wait_for(lambda: "%s.error" % a.name in s.spool_files("failed"),
                 timeout=120, what="poison in failed/")
        text = read(os.path.join(s.spool, "failed", a.name + ".error"))
        assert "gave up after 3 attempts" in text, text
        assert "zsend says so" in text, text
        m = ing2.metrics()
        eq(m["ingestd_articles_poison_total"], 1, "poison")
        eq(m["ingestd_articles_failed_total"], 1, "moved to failed/")
        eq(s.spool_files("incoming"), [], "incoming/")
        eq(ing2.stop(), 0, "ingestd exit")


if __name__ == "__main__":
    run_tests(globals())
