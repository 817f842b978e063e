#!/usr/bin/env python3
"""Scores `extractd --json` lines against the held-out gold files.

usage: heldout_score.py GOLD_DIR PRED.jsonl [--min-figures F] [--min-pairings P]
                        [--min-meta M]

Figures match as a multiset of (value, unit); pairings as a set of
(helper, recipient), each side compared by its division code when gold and
prediction both have one, else by its name; meta is the share of title,
source and published that equal gold. Prints one line per article and a
total, and exits 1 when a total falls under its minimum. Standard library
only, so the test runs wherever the build does.
"""
import argparse
import json
import os
import sys
import unicodedata


def clean(s):
    if s is None:
        return None
    s = " ".join(unicodedata.normalize("NFKC", str(s)).split())
    return s or None


def fig_key(f):
    # Values compare exactly after rounding away binary noise (1e-6 of a
    # unit is far below any figure an article states).
    return (round(float(f["value"]), 6), clean(f["unit"]).replace(" ", ""))


def side(p, which):
    code = p.get(which + "_code") or None
    name = clean(p.get(which))
    return code, name.replace(" ", "") if name else None


def same_side(a, b):
    if a[0] and b[0]:
        return a[0] == b[0]
    return a[1] is not None and a[1] == b[1]


def uniq_pairs(pairs):
    out = []
    for p in pairs:
        k = (side(p, "helper"), side(p, "recipient"))
        if k not in out:
            out.append(k)
    return out


def count_pairs(gold, pred):
    g, p = uniq_pairs(gold), uniq_pairs(pred)
    used = [False] * len(p)
    tp = 0
    for gh, gr in g:
        for i, (ph, pr) in enumerate(p):
            if not used[i] and same_side(gh, ph) and same_side(gr, pr):
                used[i] = True
                tp += 1
                break
    return tp, len(g), len(p)


def count_figs(gold, pred):
    bag = {}
    for f in pred:
        k = fig_key(f)
        bag[k] = bag.get(k, 0) + 1
    tp = 0
    for f in gold:
        k = fig_key(f)
        if bag.get(k, 0) > 0:
            bag[k] -= 1
            tp += 1
    return tp, len(gold), len(pred)


def f1(tp, ng, npred):
    if ng == 0 and npred == 0:
        return 1.0
    if tp == 0:
        return 0.0
    p, r = tp / npred, tp / ng
    return 2 * p * r / (p + r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("pred")
    ap.add_argument("--min-figures", type=float, default=0.0)
    ap.add_argument("--min-pairings", type=float, default=0.0)
    ap.add_argument("--min-meta", type=float, default=0.0)
    a = ap.parse_args()

    preds = {}
    with open(a.pred, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                preds[d["file"]] = d
    tot_f, tot_p, meta_ok, meta_n = [0, 0, 0], [0, 0, 0], 0, 0
    for name in sorted(os.listdir(a.gold)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(a.gold, name), encoding="utf-8") as fh:
            g = json.load(fh)
        d = preds.get(g["file"], {})
        cf = count_figs(g["figures"], d.get("figures", []))
        cp = count_pairs(g["pairings"], d.get("pairings", []))
        gm, pm = g.get("meta") or {}, d.get("meta") or {}
        ok = sum(clean(gm.get(k)) == clean(pm.get(k))
                 for k in ("title", "source", "published"))
        for i in range(3):
            tot_f[i] += cf[i]
            tot_p[i] += cp[i]
        meta_ok += ok
        meta_n += 3
        print("%-36s figures %d/%d/%d pairings %d/%d/%d meta %d/3%s" %
              (g["file"], cf[0], cf[1], cf[2], cp[0], cp[1], cp[2], ok,
               "" if d else " (no prediction)"))
    ff, pf = f1(*tot_f), f1(*tot_p)
    mm = meta_ok / meta_n if meta_n else 1.0
    print("total figures_f1=%.3f pairings_f1=%.3f meta=%.3f" % (ff, pf, mm))
    bad = []
    if ff < a.min_figures:
        bad.append("figures %.3f < %.3f" % (ff, a.min_figures))
    if pf < a.min_pairings:
        bad.append("pairings %.3f < %.3f" % (pf, a.min_pairings))
    if mm < a.min_meta:
        bad.append("meta %.3f < %.3f" % (mm, a.min_meta))
    if bad:
        print("FAIL: " + "; ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
