#!/bin/bash
# Verdicts for CI (issue 18): dnsvolley compare on real runs against the embedded
# responder (a clean run twice, one with every answer delayed), --fail-if on a run
# (exit 3, its result file written all the same; a relative condition refused with
# exit 2 before any packet), and the errors a user can make (one line, exit 2).
# The conditions leave wide margins: two shared cores make latency noisy, but not
# by 100 ms, and the embedded responder answers everything it is not told to drop.
# usage: compare.sh DNSVOLLEY
set -euo pipefail
# shellcheck source=prologue.sh
. "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"

fail() { echo "FAIL: $*"; exit 1; }
# Expect exit status $1 from dnsvolley ARGS...; output in $tmp/out and $tmp/err.
expect() { local want=$1 rc=0; shift; echo "+ dnsvolley $* (expect $want)"
	"$DV" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "dnsvolley $* -> $rc, not $want"; }; }
one_line() { [ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "expected one line on stderr"; }
	echo "  ok: $(cat "$tmp/err")"; }

GEN=(--port embedded -s 198.18.0.53 -d "$Q" -Q 2000 -l 2 -t 1 -S 0)
run "${GEN[@]}" --json "$tmp/clean.json" --fail-if 'answered<99%,timeouts>1%'
grep -q '^dnsvolley: verdict: pass (2 conditions, none met)$' "$tmp/err" || { cat "$tmp/err"; fail "no pass line"; }
run "${GEN[@]}" --json "$tmp/clean2.json" -q
grep -q 'verdict' "$tmp/err" && { cat "$tmp/err"; fail "a verdict line without --fail-if"; }
# Every answer 100 ms late: p99 far above twice the clean run's.
run "${GEN[@]}" --json "$tmp/slow.json" --responder delay=0.1

# compare: the table, and a condition met -> exit 3, naming it.
expect 3 compare "$tmp/clean.json" "$tmp/slow.json" --fail-if 'p99>+100%' --json "$tmp/cmp.json"
cat "$tmp/out" "$tmp/err"
grep -q '^Comparison:' "$tmp/out" || fail "no comparison table"
for m in qps send-qps sent answered timeouts tc servfail rcode-other p50 p90 p99 p999 mean; do
	grep -qE "^  $m +" "$tmp/out" || fail "no row $m"
done
one_line
grep -qE '^dnsvolley: verdict: p99 \+[0-9.]+% > \+100% \(base [0-9.]+(us|ms), new [0-9.]+ms\)$' "$tmp/err" \
	|| fail "verdict line"
python3 - "$tmp/cmp.json" "$tmp/clean.json" "$tmp/slow.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["type"] == "comparison" and c["verdict"] == "fail", c
assert c["base"]["file"] == sys.argv[2] and c["new"]["file"] == sys.argv[3], c
m = c["metrics"]
assert m["p99"]["unit"] == "s" and m["p99"]["new"] >= 0.1 and m["p99"]["new"] > 2 * m["p99"]["base"], m["p99"]
assert m["answered"]["base"] == 100.0 and m["answered"]["new"] == 100.0, m["answered"]
assert m["sent"]["change"] == m["sent"]["new"] - m["sent"]["base"], m["sent"]
assert "resolved" not in m  # no sequences in either run
k = c["conditions"]
assert len(k) == 1 and k[0]["condition"] == "p99>+100%" and k[0]["met"] and k[0]["relative"], k
assert k[0]["change_pct"] > 100 and k[0]["value"] == m["p99"]["new"], k
print("compare JSON: p99", m["p99"]["base"], "->", m["p99"]["new"])
PY

# Two clean runs: every query answered in both, so no drop of the answered share.
expect 0 compare "$tmp/clean.json" "$tmp/clean2.json" --fail-if 'answered<-1%' --fail-if 'timeouts>0%' --json "$tmp/same.json"
grep -q '^dnsvolley: verdict: pass (2 conditions, none met)$' "$tmp/err" || { cat "$tmp/err"; fail "no pass line"; }
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert c["verdict"]=="pass" and not any(x["met"] for x in c["conditions"]), c' "$tmp/same.json"
# -q: neither the table nor the pass line; a met condition is still said.
expect 0 compare -q "$tmp/clean.json" "$tmp/clean2.json"
if [ -s "$tmp/out" ] || [ -s "$tmp/err" ]; then fail "compare -q printed"; fi
expect 3 compare -q "$tmp/clean.json" "$tmp/slow.json" --fail-if 'p50>50ms'
[ ! -s "$tmp/out" ] || fail "compare -q printed the table"
one_line

# Errors: one line, exit 2, nothing written.
expect 2 compare "$tmp/clean.json" "$tmp/missing.json" --json "$tmp/no.json"
one_line
grep -q "missing.json: cannot read" "$tmp/err" || fail "missing file not named"
[ ! -e "$tmp/no.json" ] || fail "compare wrote --json on an error"
expect 2 compare "$tmp/clean.json" "$tmp/clean2.json" --fail-if 'p99>>3'
one_line
[ "$(cat "$tmp/err")" = "dnsvolley: compare: --fail-if: 'p99>>3' is not a condition (METRIC OP VALUE, e.g. p99>5ms)" ] \
	|| fail "message"
expect 2 compare "$tmp/clean.json"
one_line
expect 2 compare --bogus "$tmp/clean.json" "$tmp/clean2.json"
one_line
echo '{"type":"header","generator":"dnsperf"}' > "$tmp/other.json"
expect 2 compare "$tmp/other.json" "$tmp/clean.json"
one_line

# A run's own verdict: 20 % of the answers dropped -> exit 3 with its line, and
# the result file written whole before it.
expect 3 "${GEN[@]}" -t 0.5 --responder drop=0.2 --fail-if 'answered<99.9%,p99>10s' --json "$tmp/drop.json"
# (a run after EAL may log more on stderr: count the verdict lines alone)
[ "$(grep -c 'verdict' "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "one verdict line expected"; }
grep -qE "^dnsvolley: verdict: answered [0-9.]+% < 99.9%$" "$tmp/err" || fail "run verdict line"
grep -q '^Statistics:' "$tmp/out" || fail "no report before the verdict"
$CHECK "$tmp/drop.json" "timeouts > 0" "answered + timeouts == sent" "answered < 0.9 * sent"
# The same file compared with the clean run: its answered share fell.
expect 3 compare -q "$tmp/clean.json" "$tmp/drop.json" --fail-if 'answered<-5%'
one_line

# A relative condition on a run: refused before EAL, no packet, no file.
expect 2 "${GEN[@]}" --fail-if 'p99>+10%' --json "$tmp/rel.json"
one_line
grep -q "is relative" "$tmp/err" || fail "relative not said"
[ ! -s "$tmp/out" ] || { cat "$tmp/out"; fail "the refused run printed"; }
[ ! -e "$tmp/rel.json" ] || fail "the refused run wrote its file"
echo "compare: all passed"
