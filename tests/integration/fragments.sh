#!/bin/bash
# Fragmented answers from the embedded responder (DPDK's fragmenters), with
# fragments dropped on purpose: exact counts of fragments, reassembled
# answers, lost sets and their attribution, and the failure-rate table.
# usage: fragments.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
N=500
GEN=(--qname '{seq}.{rand8}.example.test')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" --port embedded -q -Q 1000 -l 5 --max-queries $N "${GEN[@]}" "$@" \
	>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
# row FAMILY EDNS SIZE: the failure-table row (python expression)
row() { echo "[r for r in dv['failure_table'] if r['family'] == '$1' and r['edns'] == $2 and r['size'] == '$3'][0]"; }
FR="dv['fragments']"

# 3000-byte answers over IPv6 at MTU 1280: three fragments each, all reassembled.
run -s 2001:2::53 -e 4096 --responder size=3000,frag-mtu=1280 --json "$tmp/a.json"
$CHECK "$tmp/a.json" \
	"answered == $N" "${FR}['received']['ipv6'] == 3 * $N" "${FR}['reassembled']['ipv6'] == $N" \
	"${FR}['lost_sets']['ipv6'] == 0" \
	"${FR}['per_response']['min'] == 3 and ${FR}['per_response']['max'] == 3" \
	"$(row ipv6 4096 '>1472')['attempts'] == $N and $(row ipv6 4096 '>1472')['reassembled'] == $N"

# The second fragment of every answer dropped: every set lost, attributed, failed "lost fragment".
run -s 2001:2::53 -e 4096 --responder size=3000,frag-mtu=1280,drop-frag=2 --json "$tmp/b.json"
$CHECK "$tmp/b.json" \
	"answered == 0" "${FR}['received']['ipv6'] == 2 * $N" \
	"${FR}['lost_sets']['ipv6'] == $N and ${FR}['lost_attributed'] == $N" \
	"$(row ipv6 4096 '>1472')['lost_frag'] == $N" \
	"$(row ipv6 4096 '>1472')['failed_pct'] == 100"

# The first fragment dropped: the sets are lost but cannot be attributed: plain timeouts, size unknown.
run -s 2001:2::53 -e 4096 --responder size=3000,frag-mtu=1280,drop-frag=1 --json "$tmp/c.json"
$CHECK "$tmp/c.json" \
	"${FR}['lost_sets']['ipv6'] == $N and ${FR}['lost_attributed'] == 0" \
	"$(row ipv6 4096 'unknown')['timeout'] == $N"

# IPv4 at MTU 576: six fragments each, all reassembled.
run -s 198.18.0.53 -e 4096 --responder size=3000,frag-mtu=576 --json "$tmp/d.json"
$CHECK "$tmp/d.json" \
	"answered == $N" "${FR}['received']['ipv4'] == 6 * $N" "${FR}['reassembled']['ipv4'] == $N" \
	"$(row ipv4 4096 '>1472')['reassembled'] == $N"

# Requestor refuses fragmented answers (RFC 9715): failed "fragmented", nothing reassembled.
run -s 2001:2::53 -e 4096 --fragmented drop --responder size=3000,frag-mtu=1280 --json "$tmp/e.json"
$CHECK "$tmp/e.json" \
	"answered == 0" "${FR}['dropped_sets'] == $N" "${FR}['reassembled']['ipv6'] == 0" \
	"$(row ipv6 4096 '>1472')['frag_drop'] == $N"

# EDNS 1232: the answer does not fit, TC, no fragments; a server ignoring EDNS fragments anyway.
run -s 2001:2::53 -e 1232 --responder size=3000,frag-mtu=1280 --json "$tmp/f.json"
$CHECK "$tmp/f.json" "${FR}['received']['ipv6'] == 0" "$(row ipv6 1232 '<=512')['tc'] == $N" \
	"sum(dv['answer_checks'].values()) == 0"
# ... and the collector's cheap checks count every answer larger than the 1232 offered (issue 16).
run -s 2001:2::53 -e 1232 --responder size=3000,frag-mtu=1280,ignore-edns --json "$tmp/g.json"
$CHECK "$tmp/g.json" "${FR}['reassembled']['ipv6'] == $N" "$(row ipv6 1232 '>1472')['reassembled'] == $N" \
	"dv['answer_checks']['larger_than_offered'] == $N" \
	"sum(dv['answer_checks'].values()) == $N"
grep -q '^  Answers failing a check: another opcode 0, larger than offered '"$N"',' "$tmp/out"

# Only IPv6 is fragmented: IPv4 answers of 1400 bytes come whole.
run -s 198.18.0.53 -s 2001:2::53 -e 4096 --responder size=1400,frag-mtu=1280,frag-family=v6 --json "$tmp/h.json"
$CHECK "$tmp/h.json" "answered == $N" "${FR}['received']['ipv4'] == 0" \
	"${FR}['reassembled']['ipv6'] == $N // 2" "$(row ipv4 4096 '<=1452')['plain'] == $N // 2"
# Two collectors (address-only hashing: every fragment of an answer reaches the collector
# that owns its query): still exact, and both collectors get their share.
COLS="dv['collector_rx_packets']"
run -s 198.18.0.53 -s 2001:2::53 -e 4096 --collectors 2 --responder size=3000,frag-mtu=1280 --json "$tmp/i.json"
$CHECK "$tmp/i.json" "answered == $N" "${FR}['reassembled']['ipv4'] + ${FR}['reassembled']['ipv6'] == $N" \
	"${FR}['lost_sets']['ipv4'] + ${FR}['lost_sets']['ipv6'] == 0" \
	"len(${COLS}) == 2 and min(${COLS}) > 0 and sum(${COLS}) == dv['rx_packets']"
run -s 2001:2::53 -e 4096 --collectors 2 --responder size=3000,frag-mtu=1280,drop-frag=2 --json "$tmp/j.json"
$CHECK "$tmp/j.json" "${FR}['lost_attributed'] == $N" "$(row ipv6 4096 '>1472')['lost_frag'] == $N" \
	"min(${COLS}) > 0"
echo "fragments: all checks passed"
