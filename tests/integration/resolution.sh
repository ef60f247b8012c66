#!/bin/bash
# Resolvers' transport steps against the embedded responder (exact ground
# truth): a TC answer asked again over TCP at once, each way that TCP attempt
# can fail, TCP after UDP timeouts (knot-resolver's profile), and time to
# resolution. Every logical query lands in exactly one outcome; the counts
# are what the impairments imply.
# usage: resolution.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
S="dv['sequences']"
X="$S['transport']"
L="$S['logical']"
R="dv['responder']['tcp']"
TTR="dv['time_to_resolution']"
# Names whose TXT answers the responder pads to 1400 bytes: too large for
# EDNS 1232 (TC), fragmented at 4096 over a 1280-byte MTU.
BIG=(-s 198.18.0.53 -s 2001:2::53 --family alternate --qname '{seq}.{rand8}.big.example.test' --qtypes TXT:1)
# Every logical query ended, in exactly one of answered, truncated, failed.
ONE="$S['ended'] == $L and $S['answered'] + $S['truncated'] + $S['failed'] == $L"

# TC -> TCP at once: each 1400-byte answer comes truncated at EDNS 1232, then
# whole over TCP; the name resolves in about two round trips.
run "${BIG[@]}" -e 1232 --responder size=1400 --on-tc tcp -Q 500 -l 1 --json "$tmp/tc.json"
grep -q '^Transport steps: a TC answer is asked again over TCP at once' "$tmp/out"
grep -q '^Time to resolution' "$tmp/out"
$CHECK "$tmp/tc.json" \
	"$L >= 250 and $ONE" \
	"$X['tc_then_tcp_answered'] == $L and $S['answered'] == $L and $S['truncated'] == 0" \
	"sent == 2 * $L and answered == sent and dv['truncated'] == $L" \
	"$S['answered_on'][1]['tcp'] == $L and $X['seq_len_tcp']['2'] == $L" \
	"$S['first_two']['v4->v4'] + $S['first_two']['v6->v6'] == $L" \
	"$X['first_two_tcp']['v4->v4'] + $X['first_two_tcp']['v6->v6'] == $L" \
	"dv['tcp']['opened'] == $L and dv['tcp']['answers'] == $L and $R['answers'] == $L" \
	"$X['gap_tcp_ns']['count'] == $L and $X['gap_tcp_ns']['max'] < 100e6" \
	"len($TTR) == 1 and $TTR[0]['edns'] == 1232 and $TTR[0]['resolved'] == $L" \
	"$TTR[0]['within_100ms'] == 1.0 and $TTR[0]['cdf'][-1][1] == 1.0" \
	"sum(r['tc'] for r in dv['failure_table']) == $L" \
	"sum(r['tcp_answered'] for r in dv['failure_table']) == $L"

# --on-tc stop (the default without a --requery profile): TC ends the query.
run "${BIG[@]}" -e 1232 --responder size=1400 --attempts 2 --requery 300ms -Q 300 -l 1 --json "$tmp/stop.json"
$CHECK "$tmp/stop.json" \
	"$L >= 150 and $ONE and $S['truncated'] == $L and sent == $L" \
	"'transport' not in $S and 'tcp' not in dv"

# TC, then the server refuses the connection (RST to the SYN): failed, "refused", at once.
run "${BIG[@]}" -e 1232 --responder size=1400,tcp-refuse --on-tc tcp --requery 2s --attempts 1 \
	-Q 300 -l 1 --json "$tmp/refused.json"
$CHECK "$tmp/refused.json" \
	"$L >= 150 and $ONE and $S['failed'] == $L" \
	"$X['tc_then_tcp_failed']['refused'] == $L and sum($X['tc_then_tcp_failed'].values()) == $L" \
	"dv['tcp']['refused'] == $L and $R['rsts'] == $L and $R['connections'] == 0" \
	"$TTR[0]['resolved'] == 0 and $TTR[0]['ended'] == $L"

# TC, then the server resets the connection where the answer would be.
run "${BIG[@]}" -e 1232 --responder size=1400,tcp-rst-query --on-tc tcp --requery 2s --attempts 1 \
	-Q 300 -l 1 --json "$tmp/reset.json"
$CHECK "$tmp/reset.json" \
	"$L >= 150 and $ONE and $S['failed'] == $L" \
	"$X['tc_then_tcp_failed']['reset'] == $L" \
	"dv['tcp']['reset_by_server'] == $L and $R['answers'] == 0"

# TC, then no SYN-ACK: the handshake gives up after its retransmissions
# (RTO 50 ms: 0.75 s), before the attempt's 2 s timer.
run "${BIG[@]}" -e 1232 --responder size=1400,tcp-no-synack --tcp-rto 0.05 --on-tc tcp --requery 2s \
	--attempts 1 -Q 100 -l 0.5 --json "$tmp/nosyn.json"
$CHECK "$tmp/nosyn.json" \
	"$L >= 25 and $ONE and $S['failed'] == $L" \
	"$X['tc_then_tcp_failed']['no_synack'] == $L" \
	"dv['tcp']['failed'] == $L and $R['syns_ignored'] == 4 * $L"

# A refused TCP attempt goes on to the next attempt at once: with 3 attempts
# the TC one (the second) and the third (over TCP too) are refused, then the
# query fails.
run "${BIG[@]}" -e 1232 --responder size=1400,tcp-refuse --on-tc tcp --requery 2s --attempts 3 \
	-Q 200 -l 1 --json "$tmp/refused2.json"
$CHECK "$tmp/refused2.json" \
	"$L >= 100 and $ONE and $S['failed'] == $L" \
	"$X['tc_then_tcp_failed']['refused'] == $L and dv['tcp']['refused'] == 2 * $L" \
	"$S['seq_len']['3'] == $L and sent == 3 * $L" \
	"$X['gap_tcp_ns']['max'] < 100e6"

# knot-resolver: TCP after 2 UDP timeouts. Fragmented UDP answers lose their
# second fragment; over TCP the answer comes whole. Attempts at 0, 400 and
# 1200 ms: the name resolves in a little over 1.2 s.
run "${BIG[@]}" -e 4096 --requery knot-resolver \
	--responder size=1400,frag-mtu=1280,drop-frag=2,frag-family=both -Q 200 -l 1 --json "$tmp/kres.json"
grep -q '^Transport steps: a TC answer is asked again over TCP at once; TCP after 2 UDP timeouts' "$tmp/out"
$CHECK "$tmp/kres.json" \
	"$L >= 100 and $ONE and $S['answered'] == $L" \
	"$X['tcp_after'] == 2 and $X['on_tc'] == 'tcp'" \
	"$X['tcp_after_timeouts_answered'] == $L and $X['tc_then_tcp_answered'] == 0" \
	"$S['answered_on'][2]['tcp'] == $L and sent == 3 * $L" \
	"sum(r['lost_frag'] for r in dv['failure_table']) == 2 * $L" \
	"$TTR[0]['edns'] == 4096 and $TTR[0]['resolved'] == $L" \
	"1200e6 <= $TTR[0]['p50_ns'] <= 1300e6 and $TTR[0]['within_500ms'] == 0.0 and $TTR[0]['within_2s'] == 1.0"

# unbound: never TCP after timeouts; the same path loses every name.
run "${BIG[@]}" -e 4096 --requery unbound \
	--responder size=1400,frag-mtu=1280,drop-frag=2,frag-family=both -Q 200 -l 1 --json "$tmp/unbound.json"
$CHECK "$tmp/unbound.json" \
	"$L >= 100 and $ONE and $S['failed'] == $L" \
	"$X['tcp_after'] == 0 and sum($X['tcp_failed'].values()) == 0" \
	"('tcp' not in dv or dv['tcp']['opened'] == 0)" \
	"$TTR[0]['resolved'] == 0"

# EDNS 1232 against 4096 in one run, both families: the Flag Day comparison
# as time to answer (unbound's timers, fragments dropped).
run "${BIG[@]}" --edns 1232:50,4096:50 --requery unbound \
	--responder size=1400,frag-mtu=1280,drop-frag=2,frag-family=both -Q 400 -l 1 --json "$tmp/flagday.json"
$CHECK "$tmp/flagday.json" \
	"$ONE and len($TTR) == 2" \
	"[r['edns'] for r in $TTR] == [1232, 4096]" \
	"$TTR[0]['within_100ms'] == 1.0 and $TTR[1]['resolved'] == 0" \
	"$TTR[0]['ended'] + $TTR[1]['ended'] == $L" \
	"$X['tc_then_tcp_answered'] == $TTR[0]['ended']"

# Bad input: one clear line, exit 2.
for bad in "--on-tc maybe" "--tcp-after 9" "--tcp-after 3 --attempts 2 --requery 300ms" \
	"--on-tc tcp --tcp-queries 0"; do
	set +e
	# shellcheck disable=SC2086
	"$DV" -s 198.18.0.53 -d "$ROOT/scenarios/queries/quickstart.txt" $bad -Q 10 -l 0.1 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	set -e
	if [ "$rc" != 2 ] || [ "$(wc -l <"$tmp/err")" != 1 ]; then
		echo "FAIL: '$bad' exited $rc with:"; cat "$tmp/err"; exit 1
	fi
	echo "ok: '$bad': $(cat "$tmp/err")"
done
echo "resolution: all cases passed"
