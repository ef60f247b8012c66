#!/bin/bash
# Benchmark (not a test), issue 19 "graceful overload": what happens to the
# answers when the offered rate is twice what the server can answer, and when
# a busy loop shares the generator's CPU. Knot DNS in XDP mode (knotd with
# "xdp: listen: dvs0") in the namespace lab, knotd on BENCH_CPU2, generators
# on BENCH_CPU:
#   dnsvolley --port af_xdp:dvg0 -e 0 (as knot.sh runs it)
#   kxdpgun (AF_XDP, Knot's own generator), the anchor
# 1. dnsvolley climbs a ladder of offered rates (BENCH_KNOT_RATES, one short
#    run each): the rate R where it got the most answers per second, C.
# 2. Eight configurations alternate, BENCH_REPS times (medians): each tool at
#    R and at 2R, each without and with a CPU hog (a bounded busy loop pinned
#    to BENCH_CPU, started before the run and stopped after it).
# Targets: (a) dnsvolley's answered/s at 2R >= 0.9 x its answered/s at R
# (without the hog; with the hog against the same figure without it);
# (b) dnsvolley's answered share at 2R >= kxdpgun's at 2R.
# Also printed: why dnsvolley lost what it lost (its JSON's timeouts, late
# answers, RX drops, queries not sent).
#
# usage: tests/bench/overload.sh    (env: BENCH_REPS, BENCH_SECS, BENCH_CPU, BENCH_CPU2, DV_BIN,
#                                    BENCH_KNOT_RATES="100000 200000 400000 800000",
#                                    BENCH_LADDER_SECS=3, BENCH_OVERLOAD_FACTOR=2,
#                                    BENCH_DV_ARGS (more dnsvolley options); docs/performance.md)
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECS=${BENCH_SECS:-5}
LADDER_SECS=${BENCH_LADDER_SECS:-3}
FACTOR=${BENCH_OVERLOAD_FACTOR:-2}
read -r -a RATES <<<"${BENCH_KNOT_RATES:-100000 200000 400000 800000}"
read -r -a DV_ARGS <<<"${BENCH_DV_ARGS:-}"

bench_require ip ethtool knotd knotc kdig kxdpgun taskset timeout python3
bench_init_lab
tmp=$(bench_tmp)
bench_knot_init "$tmp/queries.txt"

if bench_knot_start xdp && [ -n "$(bench_knot_xdp_line)" ]; then
	bench_log "knotd answers in XDP mode: $(bench_knot_xdp_line)"
else
	# No fallback: the overload of interest is the XDP server's, not the kernel's.
	bench_die "knotd does not answer in XDP mode: $(tail -n 5 "$BENCH_KNOT_DIR/knotd-xdp.out")"
fi

# The CPU hog: a busy loop on the generators' CPU, bounded by timeout.
HOG_PID=""
hog_start() {
	local secs=$1
	local cmd=(taskset -c "$BENCH_CPU" sh -c 'while :; do :; done')
	bench_note_cmd "cpu hog" timeout "$secs" "${cmd[@]}"
	bench_bg "$secs" /dev/null "${cmd[@]}"
	HOG_PID=$BENCH_BG_PID
	sleep 0.2
}
hog_stop() {
	[ -z "$HOG_PID" ] || bench_stop "$HOG_PID"
	HOG_PID=""
}

# The path's own counters, around each run: the veth's per-queue XDP counters
# on both ends and the links' drops ("KEY VALUE" lines into FILE).
path_snap() {
	local ns dev side
	for side in srv gen; do
		if [ "$side" = srv ]; then ns=$LAB_SRV_NS dev=$LAB_SRV_IF; else ns=$LAB_GEN_NS dev=$LAB_GEN_IF; fi
		ip netns exec "$ns" ethtool -S "$dev" 2>/dev/null | sed -n "s/^ *\(rx_queue_0_[a-z_]*\): *\([0-9]*\)\$/$side.\1 \2/p"
		echo "$side.tx_dropped $(ip netns exec "$ns" cat "/sys/class/net/$dev/statistics/tx_dropped")"
	done
}
# path_delta BEFORE AFTER: where the frames went between the two snapshots.
#   queries_at_server  query frames the server's veth end took in (its XDP program saw them)
#   server_drops       of those, the server's XDP could not hand to knotd (its AF_XDP ring full)
#   to_knotd           handed to knotd's AF_XDP socket
#   answers            answer frames the generator's veth end took in
#   gen_drops          of those, not handed to the tool's AF_XDP socket (its ring full)
#   veth_tx_drops      frames a veth end refused to send (its peer's ring full), queries + answers
path_delta() {
	python3 - "$1" "$2" <<-'PY'
		import sys
		def rd(p):
		    d = {}
		    for line in open(p):
		        k, _, v = line.partition(" ")
		        try:
		            d[k] = int(v)
		        except ValueError:
		            pass
		    return d
		a, b = rd(sys.argv[1]), rd(sys.argv[2])
		def d(k):
		    return b.get(k, 0) - a.get(k, 0)
		print(" ".join("%s=%d" % kv for kv in [
		    ("queries_at_server", d("srv.rx_queue_0_xdp_packets")),
		    ("server_drops", d("srv.rx_queue_0_drops")),
		    ("to_knotd", d("srv.rx_queue_0_xdp_redirect")),
		    ("answers", d("gen.rx_queue_0_xdp_packets")),
		    ("gen_drops", d("gen.rx_queue_0_drops")),
		    ("veth_tx_drops", d("srv.tx_dropped") + d("gen.tx_dropped"))]))
	PY
}

# knotd's CPU time over a run: knot_cpu_start OUT, knot_cpu_stop; KNOT_CPU (%
# of one CPU while busy, bench_cpu_share).
knot_cpu_start() {
	bench_cpu_sampler_start "$(cat "$BENCH_KNOT_DIR/knot.pid")" "$1" $((SECS + 60))
}
knot_cpu_stop() {
	bench_cpu_sampler_stop
	KNOT_CPU=$(bench_cpu_share "$1")
}

# One run of a tool at a rate: run_TOOL TAG RATE SECONDS; sets ANS (answered
# per second), PCT (answered share of sent, %), SENT (queries sent per
# second), LAT, P50, P99 (ms, dnsvolley only) and, for dnsvolley, WHY (where
# the unanswered went, "key=value ...").
run_dnsvolley() {
	local tag=$1 rate=$2 secs=$3
	bench_knot_dnsvolley "$tag" "$rate" "$secs" "dnsvolley @${tag#rep-*-}" "${DV_ARGS[@]}"
	local json=$BENCH_DV_JSON
	WHY=$(bench_json "$json" '" ".join("%s=%s" % kv for kv in [
		("sent", s["sent"]["queries"]), ("answered", s["received"]["responses"]),
		("timeouts", s["timeouts"]), ("late", dv["late"]),
		("rx_packets", dv["rx_packets"]), ("xdp_redirected", (dv.get("xdp") or {}).get("redirected")),
		("rx_pool_empty", dv["rx_drops"]["pool_empty"]), ("rx_queue_full", dv["rx_drops"]["rx_queue_full"]),
		("xdp_not_received", dv["rx_drops"]["xdp_not_received"]),
		("mbuf_pool_empty", dv["not_sent"]["mbuf_pool_empty"]),
		("tx_queue_full", dv["not_sent"]["tx_queue_full"]),
		("inflight_full", dv["not_sent"]["inflight_full"]),
		("schedule_skipped", dv["not_sent"]["schedule_skipped"]),
		("send_late_p99_us", round(dv["send_late_ns"]["p99"] / 1e3, 1) if "p99" in dv["send_late_ns"] else None),
		("inflight_slots", dv["memory"]["inflight_slots"])])')
}

run_kxdpgun() {
	local tag=$1
	bench_knot_kxdpgun "$1" "$2" "$3" "kxdpgun @${tag#rep-*-}"
	WHY=""
}

bench_header "overload: answers from Knot DNS $(knotd -V 2>/dev/null | awk '{ print $NF }') (XDP) at its capacity and at ${FACTOR}x it, with and without a CPU hog (issue 19)"
echo "   server: knotd in XDP mode on $LAB_SRV_IF (xdp: listen), CPU $BENCH_CPU2; zone bench.test, $BENCH_KNOT_NAMES names"
echo "   load: 1-minute load average before: $(cut -d' ' -f1 /proc/loadavg)"
bench_knot_print_conf

# Ladder: the server's capacity as dnsvolley sees it. C is the most answers a
# second of any step; R the lowest offered rate that gets within 5 % of C (the
# server saturated there: a higher step only offers more of what it drops).
R="" C=0
line=""
ladder=()
for rate in "${RATES[@]}"; do
	bench_log "ladder: dnsvolley at $rate qps for $LADDER_SECS s"
	run_dnsvolley "ladder-$rate" "$rate" "$LADDER_SECS"
	line+=" $rate:$(bench_si "${ANS:-0}")($(bench_fmt "$PCT" 1)%)"
	ladder+=("$rate:${ANS:-0}")
done
read -r R C < <(python3 -c 'import sys
steps = [(int(r), float(a or 0)) for r, a in (x.split(":") for x in sys.argv[1:])]
c = max(a for _, a in steps)
r = min(r for r, a in steps if a >= 0.95 * c) if c > 0 else ""
print(r, c)' "${ladder[@]}")
if [ -z "$R" ] || [ "$R" = 0 ]; then
	bench_die "dnsvolley got no answers at any rate of the ladder"
fi
R2=$(python3 -c 'import sys; print(int(round(float(sys.argv[1]) * float(sys.argv[2]))))' "$R" "$FACTOR")
echo "   ladder dnsvolley (offered:answered/s(answered %)):$line"
echo "   capacity C = $(bench_si "$C") answered/s; R = $R, the lowest offered rate within 5 % of it; overload rate ${FACTOR}R = $R2"

# One configuration: one TOOL RATE-NAME HOG(0|1) REP
one() {
	local tool=$1 at=$2 hog=$3 rep=$4 rate key
	if [ "$at" = R ]; then rate=$R; else rate=$R2; fi
	key="${tool}_${at}"
	[ "$hog" = 0 ] || key+="_hog"
	[ "$hog" = 0 ] || hog_start $((SECS + 40))
	path_snap >"$tmp/path.before"
	knot_cpu_start "$tmp/knot-cpu"
	"run_$tool" "rep-$rep-$at$([ "$hog" = 0 ] || echo -hog)" "$rate" "$SECS"
	knot_cpu_stop "$tmp/knot-cpu"
	path_snap >"$tmp/path.after"
	hog_stop
	echo "rep $rep: $(path_delta "$tmp/path.before" "$tmp/path.after") knotd_cpu=${KNOT_CPU:-?}%" >>"$tmp/path-$key"
	bench_add "${key}_knot" "$KNOT_CPU"
	bench_add "$key" "$ANS"
	bench_add "${key}_pct" "$PCT"
	bench_add "${key}_sent" "$SENT"
	bench_add "${key}_lat" "$LAT"
	bench_add "${key}_p50" "$P50"
	bench_add "${key}_p99" "$P99"
	[ "$tool" != dnsvolley ] || echo "rep $rep: $WHY" >>"$tmp/why-$key"
}
bench_one_dvR() { one dnsvolley R 0 "$1"; }
bench_one_kxR() { one kxdpgun R 0 "$1"; }
bench_one_dv2R() { one dnsvolley 2R 0 "$1"; }
bench_one_kx2R() { one kxdpgun 2R 0 "$1"; }
bench_one_dvRhog() { one dnsvolley R 1 "$1"; }
bench_one_kxRhog() { one kxdpgun R 1 "$1"; }
bench_one_dv2Rhog() { one dnsvolley 2R 1 "$1"; }
bench_one_kx2Rhog() { one kxdpgun 2R 1 "$1"; }
# All eight in one rotation, so that the machine's drift hits every one alike
# and "2R with the hog" compares with "R without it" from the same minutes.
bench_alternate dvR kxR dv2R kx2R dvRhog kxRhog dv2Rhog kx2Rhog

echo "   answered per second (medians of $BENCH_REPS, every run in brackets):"
for hog in "" _hog; do
	for at in R 2R; do
		if [ "$at" = R ]; then rate=$R; else rate=$R2; fi
		for tool in dnsvolley kxdpgun; do
			bench_row "${tool}_$at$hog" "$tool @$at=$rate${hog:+ +hog}" "ans/s"
		done
	done
done
echo "   answered share (answered / sent), sent per second, latency (medians):"
printf '   %-30s %9s %-27s %10s %9s %9s %9s %9s %6s\n' config "answered" "(runs)" "sent/s" "of offer" "avg ms" "p50 ms" "p99 ms" "knotd"
for hog in "" _hog; do
	for at in R 2R; do
		if [ "$at" = R ]; then rate=$R; else rate=$R2; fi
		for tool in dnsvolley kxdpgun; do
			k="${tool}_$at$hog"
			# shellcheck disable=SC2046
			printf '   %-30s %8s%% %-27s %10s %8s%% %9s %9s %9s %5s%%\n' "$tool @$at=$rate${hog:+ +hog}" \
				"$(bench_fmt "$(bench_med "${k}_pct")" 2)" \
				"($(python3 -c 'import sys; print(" ".join("%.1f" % float(x) for x in sys.argv[1:] if x != "nan"))' $(bench_vals "${k}_pct")))" \
				"$(bench_si "$(bench_med "${k}_sent")")" \
				"$(bench_fmt "$(python3 -c 'import sys; print(100 * float(sys.argv[1]) / float(sys.argv[2]))' "$(bench_med "$k")" "$rate" 2>/dev/null)" 1)" \
				"$(bench_fmt "$(bench_med "${k}_lat")" 3)" "$(bench_fmt "$(bench_med "${k}_p50")" 3)" \
				"$(bench_fmt "$(bench_med "${k}_p99")" 3)" "$(bench_fmt "$(bench_med "${k}_knot")" 0)"
		done
	done
done
echo "   (answered: of the queries the tool sent; kxdpgun sends less than offered when its CPU"
echo "    is short, dnsvolley skips overdue queries after a stall; of offer: answered/s over the"
echo "    offered rate, the same denominator for both; kxdpgun 3.2 reports no latency;"
echo "    knotd: its CPU use while busy, % of one CPU, median)"
echo "   where the frames went, each run (the veths' counters; server_drops: queries knotd's"
echo "   AF_XDP ring had no room for; gen_drops: answers the tool's had no room for):"
for hog in "" _hog; do
	for at in R 2R; do
		for tool in dnsvolley kxdpgun; do
			k="${tool}_$at$hog"
			[ ! -f "$tmp/path-$k" ] || sed "s/^/   [$k] /" "$tmp/path-$k"
		done
	done
done
echo "   dnsvolley's own account, each run (its JSON: counts over the run):"
for k in dnsvolley_R dnsvolley_2R dnsvolley_R_hog dnsvolley_2R_hog; do
	[ ! -f "$tmp/why-$k" ] || sed "s/^/   [$k] /" "$tmp/why-$k"
done

dvR=$(bench_med dnsvolley_R)
echo "   targets:"
bench_target "(a) dnsvolley answered/s at ${FACTOR}R / at R" \
	"$(bench_ratio "$(bench_med dnsvolley_2R)" "$dvR")" ">=" 0.9
bench_target "(a) dnsvolley answered/s at ${FACTOR}R with the hog / at R without" \
	"$(bench_ratio "$(bench_med dnsvolley_2R_hog)" "$dvR")" ">=" 0.9
echo "       (with the hog at R / without: $(bench_ratio "$(bench_med dnsvolley_R_hog)" "$dvR")x;" \
	"at ${FACTOR}R / at R, both with the hog: $(bench_ratio "$(bench_med dnsvolley_2R_hog)" "$(bench_med dnsvolley_R_hog)")x)"
bench_target "(b) answered share at ${FACTOR}R, dnsvolley / kxdpgun" \
	"$(bench_ratio "$(bench_med dnsvolley_2R_pct)" "$(bench_med kxdpgun_2R_pct)")" ">=" 1
bench_target "(b) answered share at ${FACTOR}R with the hog, dnsvolley / kxdpgun" \
	"$(bench_ratio "$(bench_med dnsvolley_2R_hog_pct)" "$(bench_med kxdpgun_2R_hog_pct)")" ">=" 1
echo "   also: answered/s dnsvolley / kxdpgun at R $(bench_ratio "$dvR" "$(bench_med kxdpgun_R)")x," \
	"at ${FACTOR}R $(bench_ratio "$(bench_med dnsvolley_2R)" "$(bench_med kxdpgun_2R)")x," \
	"at ${FACTOR}R with the hog $(bench_ratio "$(bench_med dnsvolley_2R_hog)" "$(bench_med kxdpgun_2R_hog)")x"
echo "   load: 1-minute load average after: $(cut -d' ' -f1 /proc/loadavg)"
bench_commands
echo "   (the ladder runs dnsvolley's command with -Q RATE and $LADDER_SECS s)"
bench_footer
