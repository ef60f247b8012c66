#!/bin/bash
# Query sequences against the embedded responder's deterministic impairments:
# exact counts of logical outcomes, attempts, families, gaps and EDNS rows.
# usage: sequences.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
Q=$ROOT/scenarios/queries/quickstart.txt
N=1000                      # logical queries per case (--max-queries)
BOTH=(-s 198.18.0.53 -s 2001:2::53)
GEN=(--qname '{seq}.{rand8}.example.test')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" --port embedded -q -Q 2000 -l 5 --max-queries $N "$@" \
	>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
# Python helpers for the checks: seq = dv['sequences'], on(k, fam) = answered on attempt k (1-based)
on() { echo "dv['sequences']['answered_on'][$1 - 1]['$2']"; }
edns() { echo "[r for r in dv['edns'] if r['size'] == $1 and r['family'] == '$2'][0]"; }

# IPv6 answers dropped, v6-first with a 375 ms timer: every name answered on attempt 2 over
# IPv4, the gap between attempts is the timer, and the median timer fires within 1 ms of its
# deadline. Only the median: on two cores shared with CI the scheduler delayed 10 % of the
# timers by over 1 ms once (p90 1.2 ms); tail lateness is a measurement (the report's
# timer_late_ns), not an assertion. test_sequence checks the firing order exactly.
run "${BOTH[@]}" -d "$Q" --family v6-first --requery 375ms --attempts 2 --responder drop-v6 --json "$tmp/a.json"
$CHECK "$tmp/a.json" \
	"dv['sequences']['logical'] == $N" \
	"$(on 2 ipv4) == $N" "$(on 1 ipv6) == 0 and $(on 1 ipv4) == 0" \
	"dv['sequences']['failed'] == 0 and dv['sequences']['seq_len']['2'] == $N" \
	"dv['sequences']['first_two']['v6->v4'] == $N" \
	"dv['sequences']['gap_ns']['count'] == $N" \
	"dv['sequences']['gap_ns']['min'] >= 375_000_000 and dv['sequences']['gap_ns']['max'] < 625_000_000" \
	"dv['sequences']['timer_late_ns']['p50'] < 1_000_000" \
	"$(edns 1232 ipv6)['sent'] == $N and $(edns 1232 ipv6)['timeouts'] == $N and $(edns 1232 ipv6)['answered'] == 0" \
	"$(edns 1232 ipv4)['answered'] == $N"

# The first query of every (generated) name dropped, a fixed 400 ms timer: answered on attempt 2.
run -s 198.18.0.53 "${GEN[@]}" --requery 400ms --responder drop-first --json "$tmp/b.json"
$CHECK "$tmp/b.json" \
	"$(on 2 ipv4) == $N and dv['sequences']['seq_len']['2'] == $N" \
	"dv['sequences']['first_two']['v4->v4'] == $N" \
	"dv['sequences']['gap_ns']['min'] >= 400_000_000 and dv['sequences']['gap_ns']['max'] < 650_000_000" \
	"dv['sequences']['timer_late_ns']['p50'] < 1_000_000"

# Happy eyeballs, nothing impaired: IPv6 answers within the 50 ms delay, IPv4 is never sent.
run "${BOTH[@]}" "${GEN[@]}" --family happy-eyeballs --json "$tmp/c.json"
$CHECK "$tmp/c.json" \
	"$(on 1 ipv6) == $N and dv['sequences']['seq_len']['1'] == $N" \
	"dv['sequences']['retries'] == 0 and dv['sequences']['redundant'] == 0"

# Happy eyeballs with every answer 100 ms late: IPv4 goes out at 50 ms, IPv6's answer
# (at 100 ms) wins, IPv4's (at 150 ms) is redundant.
run "${BOTH[@]}" "${GEN[@]}" --family happy-eyeballs --responder delay=100ms --json "$tmp/d.json"
$CHECK "$tmp/d.json" \
	"$(on 1 ipv6) == $N" "dv['sequences']['redundant'] == $N" \
	"dv['sequences']['first_two']['v6->v4'] == $N" \
	"dv['sequences']['gap_ns']['min'] >= 50_000_000 and dv['sequences']['gap_ns']['max'] < 300_000_000" \
	"dv['sequences']['timer_late_ns']['p50'] < 1_000_000"

# Happy eyeballs with IPv6 dropped: IPv4 wins on attempt 2.
run "${BOTH[@]}" "${GEN[@]}" --family happy-eyeballs:250ms --responder drop-v6 --json "$tmp/e.json"
$CHECK "$tmp/e.json" \
	"$(on 2 ipv4) == $N and dv['sequences']['redundant'] == 0" \
	"dv['sequences']['gap_ns']['min'] >= 250_000_000 and dv['sequences']['gap_ns']['max'] < 500_000_000" \
	"dv['sequences']['timer_late_ns']['p50'] < 1_000_000"

# EDNS mix against 1300-byte answers: every 1232 query is truncated, no 4096 query is.
run -s 198.18.0.53 -d "$Q" --edns 4096:50,1232:50 --responder size=1300 --json "$tmp/f.json"
$CHECK "$tmp/f.json" \
	"$(edns 1232 ipv4)['sent'] + $(edns 4096 ipv4)['sent'] == $N" \
	"$(edns 1232 ipv4)['sent'] > 400 and $(edns 4096 ipv4)['sent'] > 400" \
	"$(edns 1232 ipv4)['truncated'] == $(edns 1232 ipv4)['sent']" \
	"$(edns 4096 ipv4)['truncated'] == 0 and $(edns 4096 ipv4)['answered'] == $(edns 4096 ipv4)['sent']" \
	"$(edns 4096 ipv4)['resp_min'] == 1300 and $(edns 4096 ipv4)['resp_max'] == 1300" \
	"dv['sequences']['truncated'] == $(edns 1232 ipv4)['sent']"

# Retries step down the EDNS ladder: 4096 dropped (first query of each name), 1410 answered.
run -s 198.18.0.53 "${GEN[@]}" --edns 4096 --retry-change edns --edns-ladder 4096,1410,512 \
	--requery 100ms --attempts 3 --responder drop-first --json "$tmp/g.json"
$CHECK "$tmp/g.json" \
	"$(edns 4096 ipv4)['sent'] == $N and $(edns 4096 ipv4)['timeouts'] == $N" \
	"$(edns 1410 ipv4)['sent'] == $N and $(edns 1410 ipv4)['answered'] == $N" \
	"$(on 2 ipv4) == $N"

# A seeded fraction dropped, one attempt: failed = dropped, about half.
run -s 198.18.0.53 -d "$Q" --family v4 --requery 200ms --attempts 1 --responder drop=0.5,seed=7 --json "$tmp/h.json"
$CHECK "$tmp/h.json" \
	"dv['sequences']['failed'] + $(on 1 ipv4) == $N" \
	"400 < dv['sequences']['failed'] < 600"

# The first case again over two collectors: sequences stay exact when answers
# arrive on two RX queues (each collector owns the queries whose answers it gets).
run "${BOTH[@]}" -d "$Q" --collectors 2 --family v6-first --requery 375ms --attempts 2 \
	--responder drop-v6 --json "$tmp/i.json"
$CHECK "$tmp/i.json" \
	"$(on 2 ipv4) == $N and dv['sequences']['failed'] == 0" \
	"dv['sequences']['first_two']['v6->v4'] == $N" \
	"min(dv['collector_rx_packets']) > 0"

# Issue 12: the first numbers. Unbound's 376.8 ms timer, IPv6 answers dropped: every name is
# resolved on attempt 2, so dnsperf's block (attempts) reads 50 % completed and the names
# resolved line under it 100 %; gaps are reported to 0.1 ms: the timer's 376.8, not the
# histogram bucket's 385.9. The start line says what is sent: generated names, the EDNS mix.
echo "+ dnsvolley (376.8 ms timer, report text)"
"$DV" --port embedded -Q 2000 -l 5 --max-queries $N "${BOTH[@]}" "${GEN[@]}" --qtypes TXT \
	--edns apnic-2023 --family v6-first --requery 376.8ms --attempts 2 --responder drop-v6 \
	--json "$tmp/j.json" >"$tmp/j.out" 2>"$tmp/err" || { cat "$tmp/j.out" "$tmp/err"; exit 1; }
grep -q "^\[Status\] Rate 2000 qps for 5.000 s, timeout [0-9.]* s, EDNS apnic-2023 mix of 4096, 1232, .*, none, .*, names {seq}.{rand8}.example.test, type TXT\$" "$tmp/j.out" ||
	{ grep '^\[Status\] Rate' "$tmp/j.out"; echo "FAIL: the start line does not say what is sent"; exit 1; }
grep -q "^  Queries completed:    $N (50.00%)\$" "$tmp/j.out" &&
grep -q "^  Names resolved:       $N of $N (100.00%)\$" "$tmp/j.out" ||
	{ sed -n '1,8p' "$tmp/j.out"; echo "FAIL: names resolved not under dnsperf's block"; exit 1; }
# (The minimum is the least late of 1000 timers; how late the others fire depends on the load.)
grep -Eq "^  Gaps:                 $N \(min 376\.8, p10 [0-9]+\.[0-9], p50 [0-9]+\.[0-9], p90 [0-9]+\.[0-9], max [0-9]+\.[0-9]\)\$" "$tmp/j.out" ||
	{ grep "Gaps:" "$tmp/j.out"; echo "FAIL: gaps not to 0.1 ms"; exit 1; }
$CHECK "$tmp/j.json" \
	"$(on 2 ipv4) == $N" \
	"dv['sequences']['gap_ns']['min'] // 100_000 == 3768" \
	"dv['sequences']['gap_ns']['p10'] % 100_000 == 0 and dv['sequences']['gap_ns']['p10'] >= 376_800_000" \
	"dv['sequences']['gap_ns']['p50'] % 100_000 == 0 and dv['sequences']['gap_ns']['p50'] >= dv['sequences']['gap_ns']['p10']" \
	"sum(c for b, c in dv['sequences']['gap_ns']['bins_100us']) == $N"

echo "sequences: all checks passed"
