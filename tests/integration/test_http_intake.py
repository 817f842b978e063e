"""test_http_intake.py - POST /articles on ingestd's --http server
(--http-intake): three articles (one in GBK, announced by the charset
parameter of Content-Type) stored with their uri and feed, the same
figures as extractd --json on the same bytes; a body above
--max-article-bytes refused with 413 and never stored; without
--http-intake there is no such route. With --http-intake-listen the
route has a listener of its own, and feeders holding every connection it
takes leave the probes answering."""

import http.client
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import eq, run_tests, wait_for  # noqa: E402
from daemons import (Stack, corpus_files, corpus_variants,  # noqa: E402
                     free_port, http_get, json_extract, json_figures,
                     sha256_hex, stored_figures)

LIMIT = 64 * 1024


def post(port, body, headers=None, path="/articles"):
    """(status, body text) of POST http://127.0.0.1:port/path."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        c.close()


def gbk_article():
    """A corpus article that GBK can encode, as GBK bytes, with a line of
    its own so its id is new."""
    for p in corpus_files():
        with open(p, "rb") as f:
            text = f.read().decode("utf-8")
        try:
            return (text + "\n本文以GBK编码经HTTP提交。\n").encode("gbk")
        except UnicodeEncodeError:
            continue
    raise AssertionError("no corpus article is GBK-encodable")


def test_post_three_and_too_big(pg):
    utf = corpus_variants(2, tag="http")
    gbk = gbk_article()
    posts = [
        (utf[0].body, {"X-Article-URI": "https://news.example.cn/a/1",
                       "X-Article-Feed": "feed-a",
                       "Content-Type": "text/plain; charset=utf-8"}),
        (utf[1].body, {"X-Article-URI": "https://news.example.cn/a/2",
                       "X-Article-Feed": "feed-b"}),
        (gbk, {"X-Article-URI": "https://news.example.cn/gbk",
               "X-Article-Feed": "feed-gbk",
               "Content-Type": "text/plain; charset=gbk"}),
    ]
    for body, _ in posts:
        assert len(body) <= LIMIT, len(body)
    with Stack(pg, "httpin") as s:
        ing = s.ingestd(extra=["--http-intake",
                               "--max-article-bytes", str(LIMIT)])
        # Accepted (durable) before any worker exists.
        for body, hdrs in posts:
            st, text = post(ing.http_port, body, hdrs)
            eq(st, 202, "status of a POST")
            eq(json.loads(text), {"id": sha256_hex(body)}, "reply")
            assert os.path.exists(os.path.join(
                s.spool, "incoming", sha256_hex(body))), "not in incoming/"
        # Above the limit: 413, nothing written.
        big = b"\xe4\xb8\xad" * (LIMIT // 3 + 1)
        st, _ = post(ing.http_port, big,
                     {"X-Article-URI": "https://news.example.cn/big"})
        eq(st, 413, "status above --max-article-bytes")
        st, _ = post(ing.http_port, b"")
        eq(st, 400, "status of an empty body")
        eq(http_get(ing.http_port, "/articles")[0], 405, "GET /articles")
        eq(http_get(ing.http_port, "/readyz")[0], 200, "ready")

        s.extractd(ing)
        s.wait_articles(3)
        rows = {r[0]: r[1:] for r in s.q(
            "SELECT sha256, uri, feed, charset_hint, content_type "
            "FROM articles")}
        eq(rows, {
            sha256_hex(utf[0].body): ("https://news.example.cn/a/1",
                                      "feed-a", "utf-8",
                                      "text/plain; charset=utf-8"),
            sha256_hex(utf[1].body): ("https://news.example.cn/a/2",
                                      "feed-b", None, None),
            sha256_hex(gbk): ("https://news.example.cn/gbk", "feed-gbk",
                              "gbk", "text/plain; charset=gbk"),
        }, "stored rows")
        # The GBK bytes were decoded: the same figures as --json.
        path = os.path.join(s.dir, "gbk.txt")
        with open(path, "wb") as f:
            f.write(gbk)
        want = json_extract([path])["gbk.txt"]
        assert "error" not in want, want
        eq(stored_figures(s, sha256_hex(gbk)), json_figures(want),
           "figures of the GBK article")
        eq(s.scalar("SELECT raw = decode('%s', 'hex') FROM articles "
                    "WHERE sha256 = '%s'" % (gbk.hex(), sha256_hex(gbk))),
           "t", "raw bytes kept")
        s.wait_spool_empty()
        time.sleep(0.5)
        eq(s.article_count(), 3, "articles after the refused posts")
        eq(s.error_count(), 0, "ingest_errors")
        eq(s.q("SELECT count(*) FROM articles WHERE uri LIKE '%big'"),
           [("0",)], "the big one")
        m = ing.metrics()
        eq(m['ingestd_http_articles_total{status="accepted"}'], 3,
           "accepted")
        eq(m['ingestd_http_articles_total{status="too_big"}'], 1, "too big")
        eq(m['ingestd_http_articles_total{status="refused"}'], 1,
           "refused (empty)")
        eq(m['ingestd_articles_acked_total{status="stored"}'], 3, "acked")
        # Draining: refused with 503 (or the server is already gone).
        # The signal is handled by ingestd's loop, on a busy machine
        # perhaps after a POST sent right after it: until /readyz says
        # draining, a POST may still be accepted, and that is no error.
        ing.signal(15)
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_get(ing.http_port, "/readyz")[0] == 503:
                    break
            except OSError:
                break  # already gone
            assert time.monotonic() < deadline, "/readyz never 503"
            time.sleep(0.05)
        try:
            st, _ = post(ing.http_port, b"late")
            assert st == 503, st
        except OSError:
            pass
        eq(ing.stop(), 0, "ingestd exit")


def test_same_bytes_posted_twice(pg):
    a, = corpus_variants(1, tag="twice")
    with Stack(pg, "httpin2") as s:
        ing = s.ingestd(extra=["--http-intake"])
        s.extractd(ing)
        for _ in range(2):
            eq(post(ing.http_port, a.body,
                    {"X-Article-Feed": "f"})[0], 202, "status")
        s.wait_articles(1)
        s.wait_spool_empty()
        wait_for(lambda: ing.metrics().get(
            'ingestd_articles_acked_total{status="stored"}', 0) +
            ing.metrics().get(
                'ingestd_articles_acked_total{status="duplicate"}', 0) >= 1,
            timeout=20, what="ack")
        eq(s.article_count(), 1, "one row")
        eq(s.q("SELECT feed FROM articles"), [("f",)], "feed")


def test_off_without_flag(pg):
    a, = corpus_variants(1, tag="off")
    with Stack(pg, "httpoff") as s:
        ing = s.ingestd()  # --http, no --http-intake
        st, _ = post(ing.http_port, a.body)
        assert st in (404, 405), st
        eq(http_get(ing.http_port, "/metrics")[0], 200, "metrics still on")
        eq(s.spool_files("incoming"), [], "incoming/")
        assert "ingestd_http_articles_total" not in \
            http_get(ing.http_port, "/metrics")[1]
        eq(ing.stop(), 0, "ingestd exit")


HTTP_CONN_LIMIT = 64  # common/http.h


def test_intake_listener_apart_from_probes(pg):
    """Idle connections up to (and past) the intake listener's limit do not
    take the probes' listener: /healthz, /readyz and /metrics answer; the
    route is on the intake listener only."""
    a, = corpus_variants(1, tag="apart")
    intake_port = free_port()
    with Stack(pg, "httpapart") as s:
        ing = s.ingestd(extra=["--http-intake-listen",
                               "127.0.0.1:%d" % intake_port])
        idle = []
        try:
            for _ in range(HTTP_CONN_LIMIT + 8):
                c = socket.create_connection(("127.0.0.1", intake_port),
                                             timeout=30)
                idle.append(c)
            for _ in range(3):
                for path in ("/healthz", "/readyz", "/metrics"):
                    eq(http_get(ing.http_port, path, timeout=30)[0], 200,
                       "GET %s with the intake listener full" % path)
        finally:
            for c in idle:
                c.close()
        # The route: on the intake listener, not on --http.
        st, _ = post(ing.http_port, a.body)
        assert st in (404, 405), "POST on --http: %d" % st
        eq(http_get(intake_port, "/readyz")[0], 404,
           "probes on the intake listener")
        st, text = wait_for(lambda: (lambda r: r if r[0] == 202 else None)(
            post(intake_port, a.body, {"X-Article-Feed": "apart"})),
            timeout=60, what="POST accepted once the idle ones left")
        eq(json.loads(text), {"id": sha256_hex(a.body)}, "reply")
        s.extractd(ing)
        s.wait_articles(1)
        eq(s.q("SELECT feed FROM articles"), [("apart",)], "stored row")


if __name__ == "__main__":
    run_tests(globals())
