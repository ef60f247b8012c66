#!/bin/bash
# --metrics: live Prometheus text from a 4 s run against the embedded responder,
# in a network namespace of its own (no port of the host is touched). Every
# scrape passes promtool check metrics; no counter goes down between scrapes;
# the scrape during --metrics-hold equals the final JSON exactly; OpenMetrics
# when asked for; DPDK telemetry answers /dnsvolley/stats with the same figures;
# a second run asked for the same port exits 2 with one line, before sending.
# usage: metrics.sh DNSVOLLEY
set -euo pipefail
. "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (a network namespace)"; exit 77; }
for t in ip curl promtool; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (lab.sh installs it)"; exit 77; }
done

NS=dv-metrics-$$
PORT=9464
URL=http://127.0.0.1:$PORT/metrics
ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$tmp"' EXIT
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }

# The run: 4 s at 2000 qps, a status interval (and so a metrics snapshot) every 0.5 s.
echo "+ dnsvolley -d quickstart.txt -Q 2000 -l 4 -S 0.5 --metrics 127.0.0.1:$PORT --metrics-hold 3 (in $NS)"
# (ip netns exec execs it: $! is dnsvolley's PID, which names its DPDK runtime directory.)
ip netns exec "$NS" "$DV" -d "$Q" -Q 2000 -l 4 -S 0.5 --metrics "127.0.0.1:$PORT" --metrics-hold 3 \
	--json "$tmp/run.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!

# Scrape every 0.3 s until it exits; the scrapes during the hold say dnsvolley_running 0.
n=0 second=0 om=0 tel=0
while kill -0 "$pid" 2>/dev/null; do
	if inns curl -sf --max-time 2 "$URL" -o "$tmp/s.$n" 2>/dev/null; then
		n=$((n + 1))
		# Once sending: a second instance on the same port is refused before it sends anything.
		if [ "$second" = 0 ] && grep -q '^dnsvolley_queries_sent_total{family="ipv4"} [1-9]' "$tmp/s.$((n - 1))"; then
			second=1
			rc=0
			inns "$DV" -d "$Q" -Q 1000 -l 1 --metrics "127.0.0.1:$PORT" --json "$tmp/second.json" \
				>"$tmp/second.out" 2>"$tmp/second.err" || rc=$?
			[ "$rc" = 2 ] || { cat "$tmp/second.out" "$tmp/second.err"; fail "second instance: exit $rc, expected 2"; }
			[ "$(wc -l <"$tmp/second.err")" = 1 ] || { cat "$tmp/second.err"; fail "second instance: not one line"; }
			grep -qx "dnsvolley: --metrics 127.0.0.1:$PORT: cannot listen: Address already in use" "$tmp/second.err" ||
				{ cat "$tmp/second.err"; fail "second instance: unexpected message"; }
			[ ! -s "$tmp/second.out" ] || { cat "$tmp/second.out"; fail "second instance printed a status (it started)"; }
			[ ! -e "$tmp/second.json" ] || fail "second instance wrote a result file"
			echo "second instance on the same port: exit 2, one line"
		fi
		# While it runs: DPDK telemetry's socket, read as dpdk-telemetry.py does.
		if [ "$tel" = 0 ] && [ "$second" = 1 ]; then
			python3 - "/var/run/dpdk/dnsvolley-$pid/dpdk_telemetry.v2" "$tmp/tel.json" <<'PY' && tel=1
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
hello = json.loads(s.recv(1024).decode())
s.send(b"/dnsvolley/stats")
stats = json.loads(s.recv(hello["max_output_len"]).decode())["/dnsvolley/stats"]
s.send(b"/dnsvolley/latency")
lat = json.loads(s.recv(hello["max_output_len"]).decode())["/dnsvolley/latency"]
json.dump({"stats": stats, "latency": lat}, open(sys.argv[2], "w"))
PY
		fi
		# During the hold: OpenMetrics for a scraper that asks for it.
		if [ "$om" = 0 ] && grep -qx 'dnsvolley_running 0' "$tmp/s.$((n - 1))"; then
			inns curl -sf --max-time 2 -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
				-D "$tmp/om.hdr" "$URL" -o "$tmp/om" && om=1
		fi
	fi
	sleep 0.3
done
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || { cat "$tmp/out" "$tmp/err"; fail "the run exited $rc"; }
[ ! -s "$tmp/err" ] || { cat "$tmp/err"; fail "the run wrote to stderr"; }
grep -q '^\[Status\] Serving the final metrics on http://127.0.0.1:'"$PORT"'/metrics for 3 s' "$tmp/out" ||
	{ cat "$tmp/out"; fail "no hold line"; }
[ "$second" = 1 ] || fail "no scrape saw queries sent: the second instance was not tried"
[ "$om" = 1 ] || fail "no OpenMetrics scrape during the hold"
[ "$tel" = 1 ] || fail "DPDK telemetry did not answer /dnsvolley/stats"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$tmp/om.hdr" || { cat "$tmp/om.hdr"; fail "OpenMetrics content type"; }
[ "$(tail -n 1 "$tmp/om")" = "# EOF" ] || fail "OpenMetrics text does not end with # EOF"

# Every scrape is valid exposition text by Prometheus' own linter.
for ((i = 0; i < n; i++)); do
	promtool check metrics <"$tmp/s.$i" >"$tmp/lint" 2>&1 || { cat "$tmp/lint"; fail "promtool: scrape $i"; }
done
echo "$n scrapes, each passes promtool check metrics"

python3 - "$tmp" "$n" <<'PY'
import json, re, sys
tmp, n = sys.argv[1], int(sys.argv[2])
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$')

def parse(path):
    out = {}
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, line
        out[m.group(1)] = m.group(2)
    return out

scrapes = [parse(f"{tmp}/s.{i}") for i in range(n)]
running = [s for s in scrapes if s.get("dnsvolley_running") == "1"]
final = [s for s in scrapes if s.get("dnsvolley_running") == "0"]
assert len(running) >= 3, f"only {len(running)} scrapes while running"
assert len(final) >= 2, f"only {len(final)} scrapes during the hold"
sent = lambda s: sum(int(v) for k, v in s.items() if k.startswith("dnsvolley_queries_sent_total"))
assert len({sent(s) for s in running}) >= 3, "the counters did not move between scrapes"

# Counters, buckets and counts never go down from one scrape to the next.
mono = lambda k: k.split("{")[0].endswith(("_total", "_bucket", "_count", "_sum"))
for a, b in zip(scrapes, scrapes[1:]):
    for k, v in a.items():
        if mono(k) and k in b:
            assert float(b[k]) >= float(v), f"{k} went down: {v} -> {b[k]}"
# The hold serves one final snapshot, unchanged.
assert all(s == final[0] for s in final), "the final values changed during the hold"

last = final[-1]
recs = [json.loads(l) for l in open(f"{tmp}/run.json")]
js = [r for r in recs if r.get("type") == "stats_sum"][-1]
st = js["dnsvolley"]["state"]
tx, rx = st["tx"], st["rx"]

def word(v, i):
    """A state word list: a plain integer, or sparse [[index, value], ...]."""
    if isinstance(v, int):
        return v if i == 0 else 0
    return dict((a, b) for a, b in v).get(i, 0)

def g(key):
    return int(last.get(key, "0"))

fam = ["ipv4", "ipv6"]
checks = [
    ("queries sent", sum(g(f'dnsvolley_queries_sent_total{{family="{f}"}}') for f in fam), js["sent"]["queries"]),
    ("answers", sum(g(f'dnsvolley_answers_total{{family="{f}"}}') for f in fam), js["received"]["responses"]),
    ("timeouts", sum(g(f'dnsvolley_timeouts_total{{family="{f}"}}') for f in fam), js["timeouts"]),
    ("abandoned", sum(g(f'dnsvolley_abandoned_queries_total{{family="{f}"}}') for f in fam), js["interrupted"]),
    ("NOERROR", g('dnsvolley_answers_by_rcode_total{rcode="NOERROR"}'), js["response_rcodes"].get("NOERROR", 0)),
    ("TC", g("dnsvolley_truncated_answers_total"), word(rx.get("truncated", 0), 0)),
    ("unexpected", sum(g(f'dnsvolley_unexpected_responses_total{{kind="{k}"}}') for k in ("late", "duplicate", "unmatched")), js["unexpected"]),
    ("logical", g("dnsvolley_logical_queries_started_total"), word(tx.get("logical", 0), 0)),
    ("rx packets", g("dnsvolley_received_packets_total"), word(rx.get("rx_pkts", 0), 0)),
    ("tx bytes", g("dnsvolley_sent_bytes_total"), word(tx.get("tx_bytes", 0), 0)),
    ("latency count", g("dnsvolley_response_latency_seconds_count"), rx["latency"]["count"]),
    ("latency +Inf", g('dnsvolley_response_latency_seconds_bucket{le="+Inf"}'), rx["latency"]["count"]),
]
for f in range(2):
    checks.append((f"sent {fam[f]}", g(f'dnsvolley_queries_sent_total{{family="{fam[f]}"}}'), word(tx.get("sent", 0), f)))
    checks.append((f"answered {fam[f]}", g(f'dnsvolley_answers_total{{family="{fam[f]}"}}'), word(rx.get("answered", 0), f)))
ns = rx["latency"]["sum"]
checks.append(("latency sum", last["dnsvolley_response_latency_seconds_sum"], f"{ns // 10**9}.{ns % 10**9:09d}"))
for what, got, want in checks:
    assert got == want, f"{what}: metrics {got}, JSON {want}"
assert js["sent"]["queries"] > 7000 and js["received"]["responses"] == js["sent"]["queries"], js["sent"]
print(f"final scrape = final JSON: {len(checks)} figures, {js['sent']['queries']} queries sent, all answered")

# DPDK telemetry: the same figures (a snapshot taken during the run: at most the final ones).
tel = json.load(open(f"{tmp}/tel.json"))
ts = tel["stats"]
assert 0 < ts["queries_sent_total/ipv4"] <= g('dnsvolley_queries_sent_total{family="ipv4"}'), ts
assert ts["answers_total/ipv4"] <= ts["queries_sent_total/ipv4"], ts
lat = tel["latency"]
assert lat["cumulative"] == sorted(lat["cumulative"]) and lat["count"] == lat["cumulative"][-1], lat
print(f"telemetry: /dnsvolley/stats {len(ts)} entries, /dnsvolley/latency {len(lat['le_ns'])} buckets")
PY

# OpenMetrics: counter families without _total, samples with it, and the same final values.
grep -qx '# TYPE dnsvolley_queries_sent counter' "$tmp/om" || fail "OpenMetrics counter family"
grep -q '^dnsvolley_queries_sent_total{family="ipv4"} [1-9]' "$tmp/om" || fail "OpenMetrics samples"
echo "metrics: ok"
