#!/bin/bash
# Fragment floods and counters that add up (issue 12):
# - --responder frag-flood=N: N sets of 7 small IPv4 fragments that never
#   complete, sent first, every frame landing in the collectors' RX pool as a
#   NIC's would. Incomplete sets may hold only a share of the pool and expire
#   on time: every answer still comes back, and what was dropped is reported.
# - Two collectors on a kernel-steered port (a copy of the embedded profile
#   with rx-steering: kernel): reassembled datagrams handed to their owner are
#   no packets received again, and are matched as reassembled.
# Every run: received fragments = in reassembled + in lost sets + untracked;
# RX packets = the classes + hand-off drops; sent = answered + timeouts.
# usage: fragflood.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
N=2000
GEN=(--qname '{seq}.{rand8}.example.test')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" --port embedded -Q 1000 -l 5 --max-queries $N "${GEN[@]}" "$@" \
	>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
FR="dv['fragments']"
ADDS_UP=("${FR}['received']['ipv4'] + ${FR}['received']['ipv6'] == ${FR}['in_reassembled'] + ${FR}['in_lost_sets'] + ${FR}['untracked']"
	 "dv['rx_packets'] == sum(dv['rx_classes'].values()) + dv['rx_drops']['handoff_full']"
	 "dv['rx_classes']['fragment'] == ${FR}['received']['ipv4'] + ${FR}['received']['ipv6']"
	 "sent == answered + timeouts")

# 6000 sets x 7 fragments at the start: 42000 mbufs, more than the RX pool holds.
run -s 198.18.0.53 --responder frag-flood=6000 --json "$tmp/a.json"
$CHECK "$tmp/a.json" "answered == $N" "${FR}['received']['ipv4'] == 6000 * 7" \
	"${FR}['over_pool_share'] > 0" "${FR}['lost_sets']['ipv4'] > 0" \
	"${FR}['reassembled']['ipv4'] == 0" "${ADDS_UP[@]}"
grep -q '^  Not kept: *[1-9][0-9]* (incomplete sets held their share of the RX pool)' "$tmp/out"
grep -q '^  RX drops: ' "$tmp/out"

# The flood with fragmented IPv6 answers: they share the pool; the counters still add up.
run -s 2001:2::53 -e 4096 --max-queries 1000 --responder frag-flood=6000,size=3000,frag-mtu=1280 \
	--json "$tmp/b.json"
$CHECK "$tmp/b.json" "answered > 500" "${FR}['reassembled']['ipv6'] == answered" "${ADDS_UP[@]}"

# Two collectors, one source address: half the reassembled answers belong to the other collector.
drivers=$tmp/drivers
mkdir "$drivers"
cp "$ROOT"/drivers-config/*.yaml "$drivers"/
sed 's/^name: embedded/name: embedded-kernel/; s/^rx-steering: address.*/rx-steering: kernel/' \
	"$ROOT/drivers-config/embedded.yaml" >"$drivers/embedded-kernel.yaml"
echo "+ dnsvolley --port embedded-kernel -T 2 --collectors 2 (fragmented answers)"
"$DV" --drivers-dir "$drivers" --port embedded-kernel -q -Q 1000 -l 5 --max-queries 1000 "${GEN[@]}" \
	-s 2001:2::53 -e 4096 -T 2 --collectors 2 --responder size=3000,frag-mtu=1280 \
	--json "$tmp/c.json" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; exit 1; }
$CHECK "$tmp/c.json" "answered == 1000" "dv['rx_packets'] == dv['responder']['answered']" \
	"dv['handoff']['datagrams'] > 0" "dv['rx_classes']['dns'] == 0" \
	"${FR}['reassembled']['ipv6'] == 1000" \
	"[r for r in dv['failure_table'] if r['family'] == 'ipv6'][0]['reassembled'] == 1000" "${ADDS_UP[@]}"
echo "fragflood: all checks passed"
