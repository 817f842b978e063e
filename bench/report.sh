#!/usr/bin/env bash
# bench/report.sh KV - the closing table (markdown) from run.sh's
# "@ KEY VALUE" lines: each figure, the stage that bounds it, their ratio,
# and the target where there is one. Missing stages print "-".
set -euo pipefail
kv=${1:?usage: report.sh results.kv}
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
kernel=$(uname -r)
awk -v cpu="$cpu" -v cores="$cores" -v kernel="$kernel" \
	-v date="$(date -u +%Y-%m-%dT%H:%MZ)" '
$1 == "@" { v[$2] = $3 }
function has(k) { return (k in v) && v[k] != "" }
function f(k, fmt) { return has(k) ? sprintf(fmt, v[k]) : "-" }
function num(k) { return has(k) ? v[k] + 0 : -1 }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
function min2(a, b) { return (a <= 0) ? b : (b <= 0 || a < b) ? a : b }
function met(ok, known) { return known ? (ok ? "yes" : "**no**") : "-" }
function row(fig, val, bound, bval, r, target, m) {
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", fig, val, bound, bval, r, target, m
}
END {
	q = num("meta.quick") == 1 ? "quick" : "full"
	printf "# Benchmark results\n\n"
	printf "%s, commit %s, %s mode (%s articles in the corpus, median of %s runs),", date, v["meta.commit"], q, v["meta.n_corpus"], v["meta.runs"]
	printf " %s s in all. Machine: %s, %s cores, Linux %s; PostgreSQL %s", v["meta.seconds"], cpu, cores, kernel, f("meta.pg_version", "%s")
	printf " (fsync on, synchronous_commit on%s). MB = 10^6 bytes of raw input.", (has("meta.pg_conf") ? ", " v["meta.pg_conf"] : "")
	printf " Load average %s at the start, %s at the end", f("meta.load_start", "%s"), f("meta.load_end", "%s")
	printf " (above 0.5 or so, other work shared the cores: then read the extraction rates per CPU-second, in brackets).\n\n"

	printf "| figure | value | bounded by | its value | ratio | target | met |\n"
	printf "|---|---|---|---|---|---|---|\n"
	su = num("extract.su.mbps"); sud = num("decode.su.mbps")
	row("extraction, Simplified UTF-8, 1 process", f("extract.su.mbps", "%.2f MB/s") " (" f("extract.su.aps", "%.0f") " art/s; " f("extract.su.cpu_mbps", "%.2f") " per CPU-s)", \
	    "UTF-8 validation, same bytes", f("decode.su.mbps", "%.1f MB/s"), ratio(su, sud), ">= 25 MB/s", met(su >= 25, su > 0))
	tu = num("extract.tu.mbps"); tut = num("t2s.tu.mbps")
	row("extraction, Traditional UTF-8, 1 process", f("extract.tu.mbps", "%.2f MB/s") " (" f("extract.tu.aps", "%.0f") " art/s; " f("extract.tu.cpu_mbps", "%.2f") " per CPU-s)", \
	    "bare OpenCC t2s, same bytes", f("t2s.tu.mbps", "%.2f MB/s"), ratio(tu, tut), ">= 0.8 x t2s", met(tu >= 0.8 * tut, tu > 0 && tut > 0))
	tuc = num("extract.tu.cpu_mbps"); tutc = num("t2s.tu.cpu_mbps")
	row("  (the same per CPU-second)", f("extract.tu.cpu_mbps", "%.2f MB/CPU-s"), "bare OpenCC t2s per CPU-second", f("t2s.tu.cpu_mbps", "%.2f MB/CPU-s"), ratio(tuc, tutc), ">= 0.8 x t2s", met(tuc >= 0.8 * tutc, tuc > 0 && tutc > 0))
	row("  (Traditional UTF-8 beside UTF-8 validation)", f("extract.tu.mbps", "%.2f MB/s"), "UTF-8 validation", f("decode.tu.mbps", "%.1f MB/s"), ratio(tu, num("decode.tu.mbps")), "", "")
	row("  (Simplified UTF-8 beside bare OpenCC t2s)", f("extract.su.mbps", "%.2f MB/s"), "bare OpenCC t2s", f("t2s.su.mbps", "%.2f MB/s"), ratio(su, num("t2s.su.mbps")), "", "")
	row("extraction, Simplified GBK, 1 process", f("extract.sg.mbps", "%.2f MB/s") " (" f("extract.sg.aps", "%.0f") " art/s; " f("extract.sg.cpu_mbps", "%.2f") " per CPU-s)", \
	    "iconv GB18030 to UTF-8", f("decode.sg.mbps", "%.1f MB/s"), ratio(num("extract.sg.mbps"), num("decode.sg.mbps")), "", "")
	row("extraction, Traditional Big5, 1 process", f("extract.tb.mbps", "%.2f MB/s") " (" f("extract.tb.aps", "%.0f") " art/s; " f("extract.tb.cpu_mbps", "%.2f") " per CPU-s)", \
	    "iconv Big5 + OpenCC t2s", f("t2s.tb.mbps", "%.2f MB/s"), ratio(num("extract.tb.mbps"), num("t2s.tb.mbps")), "", "")
	x1 = num("extract.all.aps"); x2 = num("extract.all.p2.aps")
	row("extraction, sample mix, 1 process", f("extract.all.mbps", "%.2f MB/s") " (" f("extract.all.aps", "%.0f") " art/s; " f("extract.all.cpu_mbps", "%.2f") " per CPU-s)", \
	    "iconv/validation + t2s, same bytes", f("t2s.all.mbps", "%.2f MB/s"), ratio(num("extract.all.mbps"), num("t2s.all.mbps")), "", "")
	row("  + ext_result_json (what --json adds)", f("json.all.mbps", "%.2f MB/s"), "extraction alone", f("extract.all.mbps", "%.2f MB/s"), ratio(num("json.all.mbps"), num("extract.all.mbps")), "", "")
	row("extraction, sample mix, 2 processes", f("extract.all.p2.aps", "%.0f art/s"), "2 x 1 process", (x1 > 0 ? sprintf("%.0f art/s", 2 * x1) : "-"), ratio(x2, 2 * x1), "", "")
	s1 = num("store.c1.aps"); s2 = num("store.c2.aps"); cp = num("copy.aps")
	row("database writing, store.h, 1 connection", f("store.c1.aps", "%.0f art/s") " (" f("store.c1.rowsps", "%.0f") " rows/s)", \
	    "plain COPY of the same rows", f("copy.aps", "%.0f art/s"), ratio(s1, cp), "", "")
	row("database writing, store.h, 2 connections", f("store.c2.aps", "%.0f art/s") " (" f("store.c2.rowsps", "%.0f") " rows/s)", \
	    "plain COPY of the same rows", f("copy.aps", "%.0f art/s"), ratio(s2, cp), "", "")
	row("  CPU per article while writing (1 connection)", "writer " f("store.c1.client_us", "%.0f us") ", PostgreSQL " f("store.c1.server_us", "%.0f us"), \
	    "PostgreSQL CPU per article under COPY", f("copy.server_us", "%.0f us"), ratio(num("store.c1.server_us"), num("copy.server_us")), \
	    "PostgreSQL <= 600 us", met(num("store.c1.server_us") <= 600, has("store.c1.server_us")))
	row("  CPU per article while writing (2 connections)", "writers " f("store.c2.client_us", "%.0f us") ", PostgreSQL " f("store.c2.server_us", "%.0f us"), "", "", "", "", "")
	row("  PostgreSQL disk and WAL per article", "disk " f("store.disk_bytes", "%d B") " (articles " f("store.table_bytes.articles", "%d") ", figures " f("store.table_bytes.figure_sets", "%d") ", pairings " f("store.table_bytes.pairing_rows", "%d") ", flows " f("store.table_bytes.flow_rows", "%d") "), WAL " f("store.c1.wal_bytes", "%d B"), \
	    "raw input per article", (has("extract.all.n") ? sprintf("%.0f B", num("extract.all.mb") * 1e6 / num("extract.all.n")) : "-"), \
	    (has("extract.all.n") ? ratio(num("store.disk_bytes"), num("extract.all.mb") * 1e6 / num("extract.all.n")) : "-"), "<= 3.0 x raw", \
	    (has("extract.all.n") ? (num("store.disk_bytes") <= 3.0 * num("extract.all.mb") * 1e6 / num("extract.all.n") ? "yes" : "**no**") : "-"))
	row("  PostgreSQL WAL per article (1 connection)", f("store.c1.wal_bytes", "%d B"), \
	    "raw input per article", (has("extract.all.n") ? sprintf("%.0f B", num("extract.all.mb") * 1e6 / num("extract.all.n")) : "-"), \
	    (has("extract.all.n") ? ratio(num("store.c1.wal_bytes"), num("extract.all.mb") * 1e6 / num("extract.all.n")) : "-"), "<= 4.0 x raw", \
	    (has("extract.all.n") ? (num("store.c1.wal_bytes") <= 4.0 * num("extract.all.mb") * 1e6 / num("extract.all.n") ? "yes" : "**no**") : "-"))
	e1 = num("e2e.w1.full.aps"); e2 = num("e2e.w2.full.aps")
	b1 = min2(x1, s1); b2 = min2(x2, s2)
	row("end to end, 1 worker, full speed", f("e2e.w1.full.aps", "%.0f art/s") (has("e2e.w1.full.aps_runs") ? " (median of " v["e2e.w1.full.aps_runs"] ")" : ""), \
	    "slower of extraction (1 proc) and writing (1 conn)", (b1 > 0 ? sprintf("%.0f art/s", b1) : "-"), ratio(e1, b1), "", "")
	row("end to end, 2 workers, full speed", f("e2e.w2.full.aps", "%.0f art/s") (has("e2e.w2.full.aps_runs") ? " (median of " v["e2e.w2.full.aps_runs"] ")" : ""), \
	    "slower of extraction (2 procs) and writing (2 conns)", (b2 > 0 ? sprintf("%.0f art/s", b2) : "-"), ratio(e2, b2), \
	    ">= 1000 art/s", met(e2 >= 1000, e2 > 0))
	bc = min2(x2, cp)
	row("  (the same against a plain COPY)", f("e2e.w2.full.aps", "%.0f art/s"), \
	    "slower of extraction (2 procs) and plain COPY", (bc > 0 ? sprintf("%.0f art/s", bc) : "-"), ratio(e2, bc), \
	    ">= 0.8 x bound", met(e2 >= 0.8 * bc, e2 > 0 && bc > 0))
	for (w = 1; w <= 2; w++) {
		k = "e2e.w" w
		row("accept-to-commit, " w " worker(s), full speed (burst of " f(k ".full.n", "%d") ")", "p50 " f(k ".full.p50ms", "%.0f") " ms, p99 " f(k ".full.p99ms", "%.0f") " ms", \
		    "queueing: the burst drains at the full rate", "", "", "", "")
		p99 = num(k ".half.p99ms")
		row("accept-to-commit, " w " worker(s), half speed (" f(k ".half.offered", "%.0f") " art/s offered)", "p50 " f(k ".half.p50ms", "%.1f") " ms, p99 " f(k ".half.p99ms", "%.1f") " ms", \
		    "", "", "", "p99 <= 250 ms", met(p99 <= 250, p99 >= 0))
	}
	for (w = 1; w <= 2; w++) {
		k = "cpu.w" w
		row("  CPU per article in the daemons, e2e with " w " worker(s)", "ingestd " f(k ".ingestd_us", "%.0f us") ", extractd (all) " f(k ".workers_us", "%.0f us"), \
		    "extraction alone + writer side of store.h", (x1 > 0 && has("store.c1.client_us") ? sprintf("%.0f us", 1e6 / num("extract.all.aps") * num("extract.all.mbps") / num("extract.all.cpu_mbps") + num("store.c1.client_us")) : "-"), "", "", "")
	}
	for (w = 1; w <= 2; w++) {
		k = "rss.w" w
		r = num(k ".worker_kb"); i = num(k ".ingestd_kb")
		row("peak RSS (VmHWM), extractd, e2e with " w " worker(s)", f(k ".worker_kb", "%d kB"), "", "", "", "<= 64 MB", met(r <= 65536, r > 0))
		row("peak RSS (VmHWM), ingestd, e2e with " w " worker(s)", f(k ".ingestd_kb", "%d kB"), "", "", "", "<= 64 MB", met(i <= 65536, i > 0))
	}
	bi = num("rss.backfill.ingestd_kb"); bw = num("rss.backfill.worker_kb")
	row("backfill: " f("e2e.backfill.dropped", "%d") " articles dropped at once, 2 workers (" f("e2e.backfill.n", "%d") " done before stopping)", f("e2e.backfill.aps", "%.0f art/s"), \
	    "end to end, 2 workers", f("e2e.w2.full.aps", "%.0f art/s"), ratio(num("e2e.backfill.aps"), e2), "", "")
	row("peak RSS, ingestd, backfill (" f("e2e.backfill.dropped", "%d") " waiting at once)", f("rss.backfill.ingestd_kb", "%d kB"), "", "", "", "<= 64 MB", met(bi <= 65536, bi > 0))
	row("peak RSS, extractd, backfill", f("rss.backfill.worker_kb", "%d kB"), "", "", "", "<= 64 MB", met(bw <= 65536, bw > 0))
	printf "\nExtraction errors during the runs: %s. Raw figures: results.kv; logs: logs/.\n", f("extract.errors", "%d")
}' "$kv"
