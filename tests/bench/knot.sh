#!/bin/bash
# Benchmark (not a test), issue 5 item 3: end to end against Knot DNS in XDP
# mode (knotd with "xdp: listen: dvs0") in the namespace lab. Answered queries
# per second and latency for three generators on the same CPU:
#   dnsvolley --port af_xdp:dvg0
#   kxdpgun (AF_XDP, Knot's own generator)
#   dnsperf (kernel sockets, from the generator namespace)
# Each first climbs a small ladder of offered rates (one short run each) and
# keeps the rate where it got the most answers; then the three alternate at
# their best rates, BENCH_REPS times, medians. knotd runs on the other CPU.
# If Knot cannot run in XDP mode here, it falls back to plain UDP and says so.
# Ratios: dnsvolley / kxdpgun and dnsvolley / dnsperf (answered per second).
#
# usage: tests/bench/knot.sh    (env: BENCH_REPS, BENCH_SECS, BENCH_CPU, BENCH_CPU2, DV_BIN,
#                                BENCH_KNOT_RATES="100000 200000 400000 800000",
#                                BENCH_LADDER_SECS=3, BENCH_KNOT_MODE=udp to skip XDP mode;
#                                docs/performance.md)
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECS=${BENCH_SECS:-5}
LADDER_SECS=${BENCH_LADDER_SECS:-3}
read -r -a RATES <<<"${BENCH_KNOT_RATES:-100000 200000 400000 800000}"

bench_require ip ethtool knotd knotc kdig kxdpgun dnsperf taskset timeout python3
bench_init_lab
tmp=$(bench_tmp)
bench_knot_init "$tmp/queries.txt"

# BENCH_KNOT_MODE=udp skips XDP mode (to compare, or to try the fallback).
KNOT_MODE=xdp
if [ "${BENCH_KNOT_MODE:-xdp}" = udp ]; then
	KNOT_MODE=udp
	bench_knot_start udp || bench_die "knotd does not answer in UDP mode: $(tail -n 5 "$BENCH_KNOT_DIR/knotd-udp.out")"
elif bench_knot_start xdp && [ -n "$(bench_knot_xdp_line)" ]; then
	bench_log "knotd answers in XDP mode: $(bench_knot_xdp_line)"
else
	bench_log "knotd in XDP mode does not answer here; falling back to UDP mode"
	sed 's/^/  knotd: /' "$BENCH_KNOT_DIR/knotd-xdp.out" | tail -n 10 >&2
	bench_knot_stop
	KNOT_MODE=udp
	bench_knot_start udp || bench_die "knotd does not answer in UDP mode either: $(tail -n 5 "$BENCH_KNOT_DIR/knotd-udp.out")"
fi

# One run of a tool at a rate: run_TOOL TAG RATE SECONDS; sets ANS (answered
# per second), PCT (answered share of sent, %), LAT (average latency, ms),
# P50/P99 (ms, when the tool measures them).
run_dnsvolley() { bench_knot_dnsvolley "$1" "$2" "$3" dnsvolley; }

run_kxdpgun() { bench_knot_kxdpgun "$1" "$2" "$3" kxdpgun; }

run_dnsperf() {
	local tag=$1 rate=$2 secs=$3
	local out="$tmp/dnsperf-$1.out" rc=0
	local cmd=(taskset -c "$BENCH_CPU" dnsperf -s "$LAB_SRV_V4" -d "$tmp/queries.txt" -l "$secs"
		-Q "$rate" -c 4 -q 10000 -t 0.5)
	[[ $tag != rep-* ]] || bench_note_cmd dnsperf "${cmd[@]}"
	bench_gen_xdp_off
	bench_run $((secs + 30)) "$out" "${BENCH_IN_GEN[@]}" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "dnsperf exited with $rc: $(tail -n 5 "$out")"
	ANS=$(sed -n 's/^ *Queries per second: *\([0-9.]*\).*/\1/p' "$out")
	PCT=$(sed -n 's/^ *Queries completed: *[0-9]* (\([0-9.]*\)%).*/\1/p' "$out")
	LAT=$(sed -n 's/^ *Average Latency (s): *\([0-9.]*\).*/\1/p' "$out" | awk '{ printf "%.4f", $1 * 1000 }')
	P50="" P99=""
}

bench_header "knot: answered queries per second from Knot DNS $(knotd -V 2>/dev/null | awk '{ print $NF }') (issue 5, item 3)"
if [ "$KNOT_MODE" = xdp ]; then
	echo "   server: knotd in XDP mode on $LAB_SRV_IF (xdp: listen), CPU $BENCH_CPU2; zone bench.test, $BENCH_KNOT_NAMES names"
else
	if [ "${BENCH_KNOT_MODE:-xdp}" = udp ]; then
		echo "   server: knotd in plain UDP mode (BENCH_KNOT_MODE=udp), CPU $BENCH_CPU2"
	else
		echo "   server: FALLBACK: knotd in plain UDP mode (XDP mode did not work on this veth), CPU $BENCH_CPU2"
	fi
fi
bench_knot_print_conf

# Ladder: the offered rate where each tool gets the most answers.
declare -A BEST=()
for tool in dnsvolley kxdpgun dnsperf; do
	best_rate="" best_ans=0
	line=""
	for rate in "${RATES[@]}"; do
		bench_log "ladder: $tool at $rate qps for $LADDER_SECS s"
		"run_$tool" "ladder-$rate" "$rate" "$LADDER_SECS"
		line+=" $rate:$(bench_si "${ANS:-0}")($(bench_fmt "$PCT" 1)%)"
		if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1] or 0) > float(sys.argv[2]) else 1)' \
			"${ANS:-0}" "$best_ans"; then
			best_ans=${ANS:-0}
			best_rate=$rate
		fi
	done
	[ -n "$best_rate" ] || bench_die "$tool got no answers at any rate of the ladder"
	BEST[$tool]=$best_rate
	echo "   ladder $tool (offered:answered/s(answered %)):$line -> $best_rate"
done

one() {
	local tool=$1
	local rep=$2
	"run_$tool" "rep-$rep" "${BEST[$tool]}" "$SECS"
	bench_add "$tool" "$ANS"
	bench_add "${tool}_pct" "$PCT"
	bench_add "${tool}_lat" "$LAT"
	bench_add "${tool}_p50" "$P50"
	bench_add "${tool}_p99" "$P99"
}
bench_one_dnsvolley() { one dnsvolley "$1"; }
bench_one_kxdpgun() { one kxdpgun "$1"; }
bench_one_dnsperf() { one dnsperf "$1"; }
bench_alternate dnsvolley kxdpgun dnsperf

echo "   answered per second at each tool's best offered rate (medians of $BENCH_REPS):"
bench_row dnsvolley "dnsvolley af_xdp @${BEST[dnsvolley]}" "ans/s"
bench_row kxdpgun "kxdpgun @${BEST[kxdpgun]}" "ans/s"
bench_row dnsperf "dnsperf (sockets) @${BEST[dnsperf]}" "ans/s"
for t in dnsvolley kxdpgun dnsperf; do
	printf '   %-10s answered %s%% of sent; latency ms: avg %s  p50 %s  p99 %s\n' "$t" \
		"$(bench_fmt "$(bench_med "${t}_pct")" 2)" "$(bench_fmt "$(bench_med "${t}_lat")" 3)" \
		"$(bench_fmt "$(bench_med "${t}_p50")" 3)" "$(bench_fmt "$(bench_med "${t}_p99")" 3)"
done
echo "   (kxdpgun 3.2 reports no latency; dnsperf only its average)"
echo "   dnsvolley / kxdpgun: $(bench_ratio "$(bench_med dnsvolley)" "$(bench_med kxdpgun)")x answered/s"
echo "   dnsvolley / dnsperf: $(bench_ratio "$(bench_med dnsvolley)" "$(bench_med dnsperf)")x answered/s"
[ "$KNOT_MODE" = xdp ] || echo "   NOTE: Knot ran in UDP mode, not XDP"
bench_commands
echo "   (the ladder runs the same commands with -Q RATE and $LADDER_SECS s)"
bench_footer
