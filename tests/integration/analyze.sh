#!/bin/bash
# dnsvolley analyze against captures with a known schedule (make_pcap.py):
# every table exact, over Ethernet, Linux cooked and raw IP link types; the
# plots and the HTML page (--html, --plots, --no-plots); the errors a user can
# make (no file, not a capture, an output that cannot be written, a cut capture).
# usage: analyze.sh DNSVOLLEY
set -euo pipefail
# shellcheck source=prologue.sh
. "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"

for link in en10mb sll raw; do
	echo "--- $link"
	python3 "$ROOT/tests/integration/make_pcap.py" "$tmp/$link.pcap" "$link"
	run analyze "$tmp/$link.pcap" --json "$tmp/$link.json"
	cat "$tmp/out"
	python3 - "$tmp/$link.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "capture_analysis" and d["quiet_time_s"] == 5, d
t = d["tables"]
p, s = t["packets"], t["sequences"]
# queries: 80 (a) + 90 (b) + 20 (c) + 10 (d) + 2 (late); each answered (202 responses)
assert p["queries"] == 202 and p["responses"] == 202, p
assert p["fragments"] == 1 and p["other"] == 1 and p["malformed"] == 1, p
assert t["families"]["ipv4"] == {"queries": 152, "tcp": 30, "dnssec_ok": 20}, t["families"]
assert t["families"]["ipv6"] == {"queries": 50, "tcp": 0, "dnssec_ok": 0}, t["families"]
# sequences: a 40 (2), b 30 (3, case folded), c 20 (1), d 10 (1), late twice (1, 1)
assert s["count"] == 102 and s["closed_early"] == 0, s
assert s["length"] == {"1": 32, "2": 40, "3": 30}, s["length"]
assert s["first_two"] == {"v4_v4": 30, "v4_v6": 0, "v6_v4": 40, "v6_v6": 0}, s["first_two"]
assert s["start"] == {"ipv4": 52, "ipv6": 50} and s["only"] == {"ipv4": 52, "ipv6": 10}, s
assert s["udp_then_tcp"] == 30, s
assert dict(map(tuple, s["gap_bins_1ms"])) == {375: 40, 1000: 30}, s["gap_bins_1ms"]
cl = [(c["center_ms"], c["count"]) for c in s["gap_clusters"]]
assert cl == [(375.0, 40), (1000.0, 30)], cl
assert t["edns"]["ipv4"] == {"1232": 40, "4096": 20, "none": 92}, t["edns"]
assert t["edns"]["ipv6"] == {"none": 50}, t["edns"]
src = t["sources"]
# v4 sources 198.18.1.0-4, v6 2001:2::1:0-4: 10 addresses
assert src["addresses"] == 10 and src["untracked_queries"] == 0, src
assert sum(src["queries_per_address"].values()) == 10, src
print("ok:", sys.argv[1])
PY
done

# A window of 4 open sequences: the oldest close early, counted; nothing is lost.
run analyze "$tmp/raw.pcap" --window 4 --json "$tmp/w.json"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["tables"]["sequences"]
assert s["closed_early"] > 0 and sum(s["length"].values()) == s["count"], s
assert sum(int(k) * v for k, v in s["length"].items()) == 202, s' "$tmp/w.json"

# Plots and the HTML page: the tables as printed, every plot inlined, the
# plots' files kept with --plots, none left behind without it. gnuplot is in
# lab.sh's packages; without it only this part is skipped.
if command -v gnuplot >/dev/null; then
	run analyze "$tmp/en10mb.pcap" --html "$tmp/a.html" --plots "$tmp/plots"
	mkdir "$tmp/t"
	TMPDIR=$tmp/t run analyze "$tmp/sll.pcap" -q --html "$tmp/b.html"
	[ -z "$(ls -A "$tmp/t")" ] || { ls -la "$tmp/t"; echo "FAIL: --html left plots behind"; exit 1; }
	python3 - "$tmp" <<'PY'
import html, os, re, sys
d = sys.argv[1]
out = open(f"{d}/out").read()  # the last run: -q, nothing printed
assert out == "", out
names = ["gap12", "seqlen", "edns", "sources"]
for page in ("a.html", "b.html"):
    h = open(f"{d}/{page}").read()
    assert h.startswith("<!DOCTYPE html>") and h.rstrip().endswith("</html>"), page
    assert h.count("<svg") == 4 and h.count("</svg>") == 4, (page, h.count("<svg"))
    for n in names:
        assert f'<figure id="fig-{n}">' in h and f"id='{n}-" in h, (page, n)
    assert "<script" not in h and "<?xml" not in h, page
    pre = html.unescape(re.search(r"<pre>(.*?)</pre>", h, re.S).group(1))
    assert pre.startswith("Capture: 407 packets"), pre[:80]
    for line in ("  length: 1 31.4 % 2 39.2 % 3 29.4 %",
                 "  gap between the first two, clusters: ~375 ms (375-376 ms) 57.1 %, ~1000 ms (1000-1001 ms) 42.9 %",
                 "  ipv4: none 60.5 % 1232 26.3 % 4096 13.2 %; DO 13.2 %",
                 "Sources: 10 addresses; queries per address: 10-99: 10"):
        assert line + "\n" in pre, (page, line)
# --plots: the images, their data and scripts; the data are the tables'.
for n in names:
    for ext in ("png", "svg", "dat", "gp"):
        assert os.path.getsize(f"{d}/plots/{n}.{ext}") > 0, (n, ext)
rows = [l.split() for l in open(f"{d}/plots/gap12.dat") if not l.startswith("#")]
assert [r[:2] for r in rows] == [["375", "40"], ["1000", "30"]], rows
gp = open(f"{d}/plots/gap12.gp").read()
assert '"375 ms: 57.1 %"' in gp and '"1000 ms: 42.9 %"' in gp, gp
edns = [l.split() for l in open(f"{d}/plots/edns.dat") if not l.startswith("#")]
assert edns == [["none", "60.5263", "100", "92", "50"], ["1232", "26.3158", "0", "40", "0"],
                ["4096", "13.1579", "0", "20", "0"]], edns
print("ok: the page and the plots")
PY
	# The page is the printed tables, exactly.
	run analyze "$tmp/raw.pcap" --html "$tmp/c.html"
	python3 - "$tmp/c.html" "$tmp/out" <<'PY'
import html, re, sys
pre = html.unescape(re.search(r"<pre>(.*?)</pre>", open(sys.argv[1]).read(), re.S).group(1))
out = open(sys.argv[2]).read()
assert out.startswith(pre) and out[len(pre):].startswith("\nWrote "), (pre, out)
PY
else
	echo "SKIP: analyze --html with plots (no gnuplot)"
fi
# --no-plots: the page of the tables, without gnuplot.
run analyze "$tmp/raw.pcap" -q --html "$tmp/n.html" --no-plots
grep -q '<pre>Capture: 407 packets' "$tmp/n.html" && ! grep -q '<svg' "$tmp/n.html" ||
	{ echo "FAIL: --no-plots page"; exit 1; }

# What a user can get wrong: one line, exit 2; a cut capture: its tables, exit 1.
expect2() {
	local pat=$1 rc=0
	shift
	"$DV" "$@" >"$tmp/o" 2>"$tmp/e" || rc=$?
	if [ "$rc" -ne 2 ] || [ "$(wc -l <"$tmp/e")" -ne 1 ] || ! grep -qE "$pat" "$tmp/e"; then
		echo "FAIL: $* -> exit $rc:"; cat "$tmp/e"; exit 1
	fi
	echo "ok: $(cat "$tmp/e")"
}
expect2 "^dnsvolley: analyze: $tmp/none.pcap: No such file" analyze "$tmp/none.pcap"
echo "not a capture" >"$tmp/text.pcap"
expect2 "^dnsvolley: analyze: $tmp/text.pcap: " analyze "$tmp/text.pcap"
expect2 "^dnsvolley: analyze: no capture" analyze
expect2 "^dnsvolley: analyze: --window: '0' is not a count" analyze "$tmp/raw.pcap" --window 0
expect2 "^dnsvolley: analyze: --quiet-time: 'x' is not a time" analyze "$tmp/raw.pcap" --quiet-time x
# Outputs that cannot be written: found before the capture is read.
expect2 "^dnsvolley: analyze: --html $tmp/none/a.html: cannot write in $tmp/none: No such file" \
	analyze "$tmp/raw.pcap" --html "$tmp/none/a.html"
expect2 "^dnsvolley: analyze: --html $tmp: is a directory" analyze "$tmp/raw.pcap" --html "$tmp"
expect2 "^dnsvolley: analyze: --plots $tmp/text.pcap: exists and is not a directory" \
	analyze "$tmp/raw.pcap" --plots "$tmp/text.pcap"
expect2 "^dnsvolley: analyze: --plots and --no-plots" analyze "$tmp/raw.pcap" --plots "$tmp/p" --no-plots
# No gnuplot to run: said (as report says it), exit 1, no page, nothing left behind.
mkdir -p "$tmp/t2"
rc=0
TMPDIR=$tmp/t2 PATH=/nonexistent "$DV" analyze "$tmp/raw.pcap" -q --html "$tmp/g.html" >"$tmp/o" 2>"$tmp/e" || rc=$?
[ "$rc" = 1 ] && grep -q '^dnsvolley: analyze: gnuplot cannot be run' "$tmp/e" && [ ! -e "$tmp/g.html" ] &&
	[ -z "$(ls -A "$tmp/t2")" ] || { echo "FAIL: no gnuplot -> exit $rc"; cat "$tmp/e"; exit 1; }
echo "ok: $(tail -1 "$tmp/e")"
head -c 3000 "$tmp/raw.pcap" >"$tmp/cut.pcap"
rc=0
"$DV" analyze "$tmp/cut.pcap" >"$tmp/o" 2>"$tmp/e" || rc=$?
[ "$rc" = 1 ] && grep -q 'cut after' "$tmp/e" && grep -q '^Sequences' "$tmp/o" ||
	{ echo "FAIL: a cut capture -> exit $rc"; cat "$tmp/e"; exit 1; }
echo "analyze: PASS"
