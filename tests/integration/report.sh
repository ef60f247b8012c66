#!/bin/bash
# Results people look at: the status line, Ctrl-C, `dnsvolley report` (text again,
# CSV, plots, HTML in headless Chromium) and `dnsvolley merge` (exact), on real runs
# against the embedded responder.
# usage: report.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
fail() { echo "FAIL: $*"; exit 1; }

# Two real runs with everything the plots need: happy eyeballs (two families,
# IPv6 dropped: sequences, gaps, failures by family) and the APNIC EDNS mix.
run --scenario "$ROOT/scenarios/happy-eyeballs.yaml" -l 3 -S 0.5 --json "$tmp/a.json"
cp "$tmp/out" "$tmp/a.out"
# Not a terminal: one plain status line per interval, with everything the issue lists.
# With retries (issue 12) new queries are set against the target, retries apart.
n=$(grep -cE '^\[ *[0-9.]+s\] sent [0-9]+ \((new [0-9]+ qps / target 5000, retries [0-9]+ qps|[0-9]+ qps / target 5000)\) answered [0-9]+ timeouts [0-9]+ p50 [^ ]+ p99 [^ ]+ frags [0-9]+ (left [0-9.]+s|draining)$' "$tmp/a.out" || true)
[ "$n" -ge 5 ] || { cat "$tmp/a.out"; fail "expected >= 5 plain status lines, got $n"; }
grep -q $'\r' "$tmp/a.out" && fail "carriage return in non-terminal output"
# On a terminal (script(1) gives it one): one line rewritten in place, ended once.
script -qec "$DV --scenario $ROOT/scenarios/quickstart.yaml -l 2 -Q 2000" /dev/null > "$tmp/tty.out"
python3 - "$tmp/tty.out" <<'PY'
import re, sys
out = open(sys.argv[1], "rb").read().decode()
lines = re.findall(r"\r\x1b\[K\[ *[0-9.]+s\] sent [0-9]+ [^\r\n]*", out)
assert len(lines) >= 2, out
# The status lines share one terminal line: no newline between them, one after the last.
block = out[out.index("\r\x1b[K"):out.index("[Status] Testing complete")]
assert block.count("\n") == 1, block
print(f"terminal: {len(lines)} status updates on one line")
PY
run --scenario "$ROOT/scenarios/apnic-2023-edns-mix.yaml" -l 3 -Q 5000 -S 0.5 --json "$tmp/b.json"
run --scenario "$ROOT/scenarios/happy-eyeballs.yaml" -l 2 --quiet --json "$tmp/q.json"
grep -qE '^\[ *[0-9.]+s\] sent' "$tmp/out" && fail "--quiet printed status lines"

# report: the same tables as the run printed, exactly.
run report "$tmp/a.json" -o "$tmp/a.rep"
sed -n '/^Statistics:/,$p' "$tmp/a.out" > "$tmp/a.tables"
sed -n '/^Statistics:/,$p' "$tmp/out" | sed '/^Wrote /,$d' | sed '$d' > "$tmp/r.tables"
diff "$tmp/a.tables" "$tmp/r.tables" || fail "report's tables differ from the run's"
# CSV: a header and a row per interval, 16 columns each (the last: stall_s).
periodic=$(grep -c '"type":"stats_periodic"' "$tmp/a.json")
python3 - "$tmp/a.rep/series.csv" "$periodic" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0][:4] == ["time_s", "interval_s", "target_qps", "sent_qps"], rows[0]
assert len(rows) == 1 + int(sys.argv[2]), (len(rows), sys.argv[2])
assert all(len(r) == 16 for r in rows) and rows[0][15] == "stall_s"
assert sum(int(r[6]) for r in rows[1:]) > 0
PY

# merge: counters add and histograms merge bucket by bucket, exactly.
# (made one after another: --side-by-side says to merge them as if they ran at once)
run merge --side-by-side -o "$tmp/m.json" "$tmp/a.json" "$tmp/b.json"
python3 - "$tmp/a.json" "$tmp/b.json" "$tmp/m.json" <<'PY'
import json, sys
a, b, m = ([json.loads(l) for l in open(p)] for p in sys.argv[1:4])
sa, sb, sm = a[-1], b[-1], m[-1]
assert sm["type"] == "stats_sum" and m[0]["type"] == "header"
for k in (("sent", "queries"), ("received", "responses")):
    assert sm[k[0]][k[1]] == sa[k[0]][k[1]] + sb[k[0]][k[1]], k
assert sm["timeouts"] == sa["timeouts"] + sb["timeouts"]
def buckets(s): return {(x[0], x[1]): x[2] for x in s["response_latency"]["buckets"]}
ba, bb = buckets(sa), buckets(sb)
assert buckets(sm) == {k: ba.get(k, 0) + bb.get(k, 0) for k in set(ba) | set(bb)}
st = lambda s: s["dnsvolley"]["state"]
assert st(sm)["rx"]["latency"]["count"] == st(sa)["rx"]["latency"]["count"] + st(sb)["rx"]["latency"]["count"]
fam = lambda s, f, k: s["dnsvolley"]["families"][f][k]
for f in ("ipv4", "ipv6"):
    for k in ("sent", "answered", "timeouts"):
        assert fam(sm, f, k) == fam(sa, f, k) + fam(sb, f, k), (f, k)
# The i-th intervals merged with each other.
pa, pb, pm = ([r for r in x if r["type"] == "stats_periodic"] for x in (a, b, m))
assert len(pm) == max(len(pa), len(pb))
assert pm[0]["sent"]["queries"] == pa[0]["sent"]["queries"] + pb[0]["sent"]["queries"]
# Every EDNS size of both runs is in the merged table.
sizes = lambda s: {(e["size"], e["family"]) for e in s["dnsvolley"].get("edns", [])}
assert sizes(sa) | sizes(sb) <= sizes(sm), (sizes(sa), sizes(sb), sizes(sm))
print("merge exact:", sm["sent"]["queries"], "queries,", len(pm), "intervals")
PY

# Plots and the HTML page, from the merged run (every plot has data there).
run report -q "$tmp/m.json" -o "$tmp/m.rep"
grep -q '6 plots' "$tmp/out" || { cat "$tmp/out"; fail "expected 6 plots"; }
python3 - "$tmp/m.rep" <<'PY'
import struct, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
for name in ("latency", "rates", "failure", "gaps", "seqlen", "resolve"):
    png = open(f"{d}/{name}.png", "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR", name
    w, h = struct.unpack(">II", png[16:24])
    assert w >= 600 and h >= 300 and len(png) > 5000, (name, w, h, len(png))
    root = ET.parse(f"{d}/{name}.svg").getroot()
    assert root.tag.endswith("svg"), (name, root.tag)
    assert len(list(root.iter())) > 20, name
print("plots: 6 PNG and 6 SVG valid")
PY
bash "$ROOT/tests/lab/html_check.sh" "$tmp/m.rep/report.html" "$tmp/m.rep/page.png"

# Errors: one line, exit status 2.
expect2() { local rc=0; "$DV" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "dnsvolley $* -> $rc"; }
	echo "  ok: $(cat "$tmp/err")"; }
echo '{"type":"header","generator":"dnsperf"}' > "$tmp/other.json"
head -c 300 "$tmp/a.json" > "$tmp/cut.json"
expect2 report "$tmp/other.json"
expect2 report "$tmp/cut.json"
expect2 report "$tmp/missing.json"
expect2 merge "$tmp/a.json"
expect2 report --bogus "$tmp/a.json"

# Ctrl-C: sending stops, outstanding queries drain, the full report and JSON say "interrupted".
"$DV" --scenario "$ROOT/scenarios/happy-eyeballs.yaml" -l 60 --json "$tmp/int.json" >"$tmp/int.out" 2>&1 &
pid=$!
sleep 3
kill -INT $pid
t0=$(date +%s)
rc=0; wait $pid || rc=$?
took=$(( $(date +%s) - t0 ))
[ $rc -eq 0 ] || { cat "$tmp/int.out"; fail "interrupted run exited $rc"; }
[ $took -le 10 ] || fail "interrupted run took $took s to stop"
grep -q '^\[Status\] Testing complete (interrupted)' "$tmp/int.out" || fail "no interrupted status"
grep -q '^Interrupted: stopped by signal' "$tmp/int.out" || fail "report not marked interrupted"
grep -q '^Statistics:' "$tmp/int.out" || fail "no report after Ctrl-C"
$CHECK "$tmp/int.json" "dv['interrupted'] is True" "sent > 0" "sent == answered + timeouts" \
	"dv['sequences']['ended'] == dv['sequences']['logical']" "dv['state']['interrupted'] is True"
echo "report: all checks passed"
