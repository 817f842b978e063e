"""test_security_curve.py - CURVE between ingestd and the workers: a worker
whose key is not on the allow-list, or that trusts the wrong server key,
gets nothing; a worker with the right keys gets the stream."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import Stack, corpus_variants, drop, keygen  # noqa: E402


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def test_curve_allow_list(pg):
    arts = corpus_variants(40, tag="curve")
    srv_pub, srv_sec = keygen()
    good_pub, good_sec = keygen()
    bad_pub, bad_sec = keygen()
    assert len({srv_pub, good_pub, bad_pub}) == 3
    with Stack(pg, "curve") as s:
        d = s.dir
        srv_key = write(os.path.join(d, "server.key"),
                        "# ingestd\n%s\n" % srv_sec)
        allow = write(os.path.join(d, "allow"),
                      "# workers allowed in\n%s good-worker\n" % good_pub)
        good_key = write(os.path.join(d, "good.key"), good_sec + "\n")
        bad_key = write(os.path.join(d, "bad.key"), bad_sec + "\n")
        ing = s.ingestd(extra=["--curve-secret-key-file", srv_key,
                               "--curve-allow-file", allow])
        assert "curve=on" in ing.log()
        for a in arts:
            drop(s.spool, a.name, a.body)
        # Not on the allow-list.
        intruder = s.extractd(ing, extra=["--curve-secret-key-file", bad_key,
                                          "--curve-server-key", srv_pub])
        # Right client key, wrong idea of the server's key.
        confused = s.extractd(ing, extra=["--curve-secret-key-file",
                                          good_key,
                                          "--curve-server-key", bad_pub])
        # No CURVE at all.
        plain = s.extractd(ing)
        wait_for(lambda: ing.metrics()["ingestd_auth_denied_total"] >= 1,
                 timeout=120, what="ZAP refusal")
        time.sleep(2)
        eq(s.article_count(), 0, "rows before a trusted worker")
        m = ing.metrics()
        eq(m["ingestd_articles_dispatched_total"], 0, "dispatched")
        eq(m["ingestd_workers_connected"], 0, "workers")
        for w in (intruder, confused, plain):
            assert w.alive(), w.name
            wm = w.metrics()
            eq(wm.get('extractd_articles_total{status="stored"}', 0), 0,
               w.name + " stored")
            assert "peer.epoch" not in w.log(), w.name + " heard ingestd"
        # Each says why it gets no work (every --peer-timeout-ms).
        for w, want in ((intruder, "curve-allow-file"),
                        (confused, "curve-server-key"),
                        (plain, "requires CURVE")):
            wait_for(lambda w=w: "peer.silent" in w.log(), timeout=120,
                     what=w.name + " peer.silent")
            line = [x for x in w.log().splitlines() if "peer.silent" in x][0]
            assert want in line, line
        assert "mq.auth_denied" in ing.log()
        # The trusted worker (public key derived from the secret).
        good = s.extractd(ing, extra=["--curve-secret-key-file", good_key,
                                      "--curve-server-key", srv_pub])
        s.wait_articles(len(arts), timeout=60)
        eq(s.stored_ids(), {a.id for a in arts}, "ids")
        eq(good.metrics()['extractd_articles_total{status="stored"}'],
           len(arts), "stored by the trusted worker")
        eq(ing.metrics()["ingestd_workers_connected"], 1, "workers")
        for w in (good, intruder, confused, plain):
            eq(w.stop(), 0, w.name + " exit")
        eq(ing.stop(), 0, "ingestd exit")


def test_curve_server_needs_allow_list(pg):
    srv_pub, srv_sec = keygen()
    with Stack(pg, "curve2") as s:
        key = write(os.path.join(s.dir, "server.key"), srv_sec + "\n")
        ing = s.ingestd(extra=["--curve-secret-key-file", key], wait=False)
        rc = ing.proc.wait(timeout=10)
        assert rc != 0, "a CURVE server without an allow-list started"
        assert "allow-list" in ing.log(), ing.log()


if __name__ == "__main__":
    run_tests(globals())
