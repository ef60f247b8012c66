#!/bin/bash
# Benchmark (not a test), issue 14: DNS over TCP against Knot DNS in XDP mode
# (knotd with "xdp: listen: dvs0" and "tcp: on") in the namespace lab.
# Answered queries per second, the answered share, connections per second and
# each tool's CPU time for, on the same CPU:
#   dv1       dnsvolley --port af_xdp:dvg0 --transport tcp, one query per connection
#   dv10      dnsvolley, ten queries per connection, all ten pipelined
#   kxdpgun   kxdpgun -T (Knot's XDP generator; 3.2 opens one connection per query)
#   dnsperf1  dnsperf -m tcp (kernel sockets), one query per connection
#   dnsperf10 dnsperf -m tcp, ten queries per connection
# Each mode first climbs a ladder of offered rates (one short run each, the
# modes taking turns at every step), then halves the gap between its best rate
# and the next one BENCH_TCP_REFINE times, and keeps the rate with the most
# answers per second among those where at least BENCH_TCP_MIN_SHARE % of the
# queries were answered (else the one with the most answers, flagged); then
# all five alternate at their rates, BENCH_REPS times, medians. knotd runs on
# the other CPU, restarted before every run; its CPU time and the tool's are
# sampled during every run.
# Source addresses: every run has its own (next_src): dnsvolley and kxdpgun
# a /24 of 198.18.128.0/17 (routed back to the generator on the server,
# lab_route_sources), dnsperf an address of 198.18.64.0/24 on the generator's
# veth. Neither dnsvolley nor kxdpgun keeps a TIME-WAIT, and neither does
# Knot's XDP TCP (it frees a connection when its FIN+ACK is acknowledged), so
# dnsvolley runs with --tcp-quarantine 0: its ports are handed out
# oldest-released first, so a 4-tuple comes back only after 2^20 others (256
# addresses x 4096 ports; about 50 s at 20 k connections/s); kxdpgun cycles
# its ports 2000-65535 over the addresses. dnsperf's kernel would hold every
# connection it closes in TIME-WAIT for 60 s (from one address, with every
# port, about 1 000 new connections/s); the generator namespace gets
# net.ipv4.tcp_max_tw_buckets=0 (no TIME-WAIT) and the ports 1024-65535, the
# kernel's equivalent of the quarantine of 0. dnsperf counts its connections
# as "Reconnections" (plus one per client at the start).
# Targets (issue 14): one query per connection, dnsvolley >= 1.2x kxdpgun
# answered/s at the same answered share; dnsvolley >= 5x dnsperf.
#
# usage: tests/bench/tcp.sh    (env: BENCH_REPS (default 3), BENCH_SECS, BENCH_CPU, BENCH_CPU2, DV_BIN,
#                               BENCH_TCP_RATES1="10000 20000 30000 40000 50000 60000" (1 query/conn),
#                               BENCH_TCP_RATES10="40000 80000 120000 160000" (10 queries/conn),
#                               BENCH_TCP_MIN_SHARE=98, BENCH_TCP_REFINE=2, BENCH_LADDER_SECS=3,
#                               BENCH_TCP_DNSPERF_CLIENTS=400,
#                               BENCH_TCP_PERF=1 to profile one more dnsvolley run;
#                               docs/performance.md)
set -euo pipefail
BENCH_REPS=${BENCH_REPS:-3}    # five modes: 3 repetitions keep it near 5 minutes
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECS=${BENCH_SECS:-5}
LADDER_SECS=${BENCH_LADDER_SECS:-3}
read -r -a RATES1 <<<"${BENCH_TCP_RATES1:-10000 20000 30000 40000 50000 60000}"
read -r -a RATES10 <<<"${BENCH_TCP_RATES10:-40000 80000 120000 160000}"
MIN_SHARE=${BENCH_TCP_MIN_SHARE:-98}
REFINE=${BENCH_TCP_REFINE:-2}
SRC_ALL=198.18.128.0/17    # a /24 of it per run (next_src)
DNSPERF_SRC_ALL=198.18.64.0/24
DNSPERF_CLIENTS=${BENCH_TCP_DNSPERF_CLIENTS:-400}
TARGET_KXDPGUN=1.2
TARGET_DNSPERF=5

bench_require ip ethtool knotd knotc kdig kxdpgun dnsperf taskset timeout pgrep python3
bench_init_lab
lab_route_sources "$SRC_ALL" "$DNSPERF_SRC_ALL"
tmp=$(bench_tmp)
bench_knot_init "$tmp/queries.txt"

# A fresh knotd for every run: overloaded, Knot 3.2.6's XDP TCP can run out of
# frames to send ("TCP, failed to send some packets") and stay so, answering
# nothing for minutes after; and it keeps unfinished connections up to 20 s.
# So no run inherits another's state. knotd's pid (for its CPU time) in KNOTD_PID.
knot_restart() {
	bench_knot_stop
	bench_knot_start xdp "tcp: on" ||
		bench_die "knotd in XDP mode does not answer: $(tail -n 5 "$BENCH_KNOT_DIR/knotd-xdp.out")"
	[ -n "$(bench_knot_xdp_line)" ] ||
		bench_die "knotd answers, but not in XDP mode: $(tail -n 5 "$BENCH_KNOT_DIR/knotd-xdp.out")"
	bench_knot_answers +tcp ||
		bench_die "knotd in XDP mode does not answer over TCP (kdig +tcp): $(tail -n 5 "$BENCH_KNOT_DIR/knotd-xdp.out")"
	KNOTD_PID=$(pgrep -P "$BENCH_KNOT_PID" | head -n 1 || true)
	[ -n "$KNOTD_PID" ] || bench_die "cannot find knotd's pid (child of $BENCH_KNOT_PID)"
}
knot_restart
bench_log "knotd answers over UDP and TCP in XDP mode: $(bench_knot_xdp_line)"

# dnsperf's kernel: no TIME-WAIT, every port (see the top).
lab_must ip netns exec "$LAB_GEN_NS" sysctl -qw net.ipv4.tcp_max_tw_buckets=0 \
	net.ipv4.ip_local_port_range="1024 65535"

MODES=(dv1 kxdpgun dnsperf1 dv10 dnsperf10)
declare -A FAILED=()
declare -A LABEL=(
	[dv1]="dnsvolley af_xdp, 1 query/conn"
	[kxdpgun]="kxdpgun -T, 1 query/conn"
	[dnsperf1]="dnsperf -m tcp, 1 query/conn"
	[dv10]="dnsvolley af_xdp, 10 q/conn pipelined"
	[dnsperf10]="dnsperf -m tcp, 10 q/conn"
)

# Fresh source addresses for every run: SRC (a /24 of SRC_ALL, dnsvolley and
# kxdpgun) and DNSPERF_SRC (an address of DNSPERF_SRC_ALL, put on the
# generator's veth). Knot keeps what it knows of a connection that did not
# finish (a lost ACK, a connection reset at the end of a run) for up to its
# tcp-idle-reset-timeout, 20 s, and silently ignores a SYN for a 4-tuple that
# is still in its SYN table; a run that starts with the tuples of the run
# before (every tool starts from the same ports) would lose those handshakes.
RUN_SEQ=0
next_src() {
	RUN_SEQ=$((RUN_SEQ + 1))
	SRC="198.18.$((128 + RUN_SEQ % 128)).0/24"
	DNSPERF_SRC="198.18.64.$((1 + RUN_SEQ % 250))"
}

# One run of a mode at a rate: run_MODE TAG RATE SECONDS; sets ANS (answered
# per second), PCT (answered share of sent, %), CPS (connections opened per
# second, empty where the tool does not say), LAT (average latency, ms).

# dnsvolley's command in DV_CMD: dv_cmd QUERIES-PER-CONN RATE SECONDS JSON
dv_cmd() {
	DV_CMD=(taskset -c "$BENCH_CPU" "$DV_BIN" --port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V4"
		-d "$tmp/queries.txt" -e 0 --transport tcp --tcp-queries "$1" --tcp-pipeline "$1"
		--tcp-quarantine 0 --src "$SRC" -Q "$2" -l "$3" -t 1 --quiet --json "$4")
}

run_dv() {
	local mode=$1 nq=$2 tag=$3 rate=$4 secs=$5
	local json="$tmp/$mode-$tag.json" rc=0
	next_src
	dv_cmd "$nq" "$rate" "$secs" "$json"
	[[ $tag != rep-* ]] || bench_note_cmd "$mode" "${DV_CMD[@]}"
	bench_gen_xdp_off
	bench_run_cpu "$tmp/$mode-$tag.tcpu" $((secs + 30)) "$tmp/$mode-$tag.out" "${BENCH_IN_GEN_BPF[@]}" "${DV_CMD[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "dnsvolley exited with $rc: $(tail -n 5 "$tmp/$mode-$tag.out")"
	# per second of sending: achieved (issued/s) x answered (opened) / issued
	ANS=$(bench_json "$json" 'dv["achieved_qps"] * s["received"]["responses"] / s["sent"]["queries"]')
	PCT=$(bench_json "$json" '100.0 * s["received"]["responses"] / s["sent"]["queries"]')
	CPS=$(bench_json "$json" 'dv["achieved_qps"] * dv["tcp"]["opened"] / s["sent"]["queries"]')
	LAT=$(bench_json "$json" 's["response_latency"]["avg"] / 1e6')
}
run_dv1() { run_dv dv1 1 "$@"; }
run_dv10() { run_dv dv10 10 "$@"; }

run_kxdpgun() {
	local tag=$1 rate=$2 secs=$3
	local out="$tmp/kxdpgun-$tag.out" rc=0
	next_src
	local cmd=(taskset -c "$BENCH_CPU" kxdpgun -T -t "$secs" -Q "$rate" -F "$BENCH_CPU"
		-i "$tmp/queries.txt" -I "$LAB_GEN_IF" -R "$BENCH_SRV_MAC" -l "$SRC" "$LAB_SRV_V4")
	[[ $tag != rep-* ]] || bench_note_cmd kxdpgun "${cmd[@]}"
	bench_gen_xdp_off
	bench_run_cpu "$tmp/kxdpgun-$tag.tcpu" $((secs + 30)) "$out" "${BENCH_IN_GEN_BPF[@]}" "${cmd[@]}" || rc=$?
	bench_gen_xdp_off
	[ "$rc" -eq 0 ] || bench_die "kxdpgun exited with $rc: $(tail -n 5 "$out")"
	# "total SYNs:        56214 (21763 pps) (...)", "total replies:     55465 (21473 pps) (98%)"
	ANS=$(sed -n 's/^total replies: *[0-9]* (\([0-9]*\) pps).*/\1/p' "$out")
	PCT=$(sed -n 's/^total replies: .*(\([0-9.]*\)%).*/\1/p' "$out")
	CPS=$(sed -n 's/^total SYNs: *[0-9]* (\([0-9]*\) pps).*/\1/p' "$out")
	LAT=""
}

run_dnsperf() {
	local mode=$1 nq=$2 tag=$3 rate=$4 secs=$5
	local out="$tmp/$mode-$tag.out" rc=0
	next_src
	lab_must ip -n "$LAB_GEN_NS" addr replace "$DNSPERF_SRC/32" dev "$LAB_GEN_IF"
	local cmd=(taskset -c "$BENCH_CPU" dnsperf -m tcp -s "$LAB_SRV_V4" -a "$DNSPERF_SRC" -d "$tmp/queries.txt"
		-l "$secs" -Q "$rate" -c "$DNSPERF_CLIENTS" -q 10000 -t 1 -O "num-queries-per-conn=$nq")
	[[ $tag != rep-* ]] || bench_note_cmd "$mode" "${cmd[@]}"
	bench_gen_xdp_off
	bench_run_cpu "$tmp/$mode-$tag.tcpu" $((secs + 30)) "$out" "${BENCH_IN_GEN[@]}" "${cmd[@]}" || rc=$?
	if [ "$rc" -ne 0 ]; then
		# A run that fails under load is a result (no figure), not a setup error.
		bench_log "dnsperf exited with $rc: $(tail -n 1 "$out")"
		FAILED[$mode]=$((${FAILED[$mode]:-0} + 1))
		ANS="" PCT="" CPS="" LAT=""
		return 0
	fi
	ANS=$(sed -n 's/^ *Queries per second: *\([0-9.]*\).*/\1/p' "$out")
	PCT=$(sed -n 's/^ *Queries completed: *[0-9]* (\([0-9.]*\)%).*/\1/p' "$out")
	# Its connections: one per client at the start, then its "Reconnections".
	CPS=$(python3 -c 'import sys; print(f"{(float(sys.argv[1]) + float(sys.argv[2])) / float(sys.argv[3]):.1f}")' \
		"$DNSPERF_CLIENTS" "$(sed -n 's/^ *Reconnections: *\([0-9]*\).*/\1/p' "$out")" \
		"$(sed -n 's/^ *Run time (s): *\([0-9.]*\).*/\1/p' "$out")" 2>/dev/null || true)
	# The first "Average Latency" is the queries'; the second, the connections'.
	LAT=$(sed -n 's/^ *Average Latency (s): *\([0-9.]*\).*/\1/p' "$out" | head -n 1 | awk '{ printf "%.4f", $1 * 1000 }')
}
run_dnsperf1() { run_dnsperf dnsperf1 1 "$@"; }
run_dnsperf10() { run_dnsperf dnsperf10 10 "$@"; }

# measure MODE TAG RATE SECONDS: run_MODE with knotd's CPU use sampled; sets
# KCPU and TCPU too: knotd's and the tool's CPU use (% of one CPU while busy).
# KTXFAIL: how often knotd could not send (its log lines) during the run.
declare -A KNOT_TXFAIL=()
measure() {
	local mode=$1 tag=$2
	knot_restart
	bench_cpu_sampler_start "$KNOTD_PID" "$tmp/$mode-$tag.cpu" $(($4 + 60))
	"run_$mode" "$tag" "$3" "$4"
	bench_cpu_sampler_stop
	KTXFAIL=$(grep -c 'failed to send some packets' "$BENCH_KNOT_DIR/knotd-xdp.out" || true)
	[ "${KTXFAIL:-0}" = 0 ] || KNOT_TXFAIL[$mode]=$((${KNOT_TXFAIL[$mode]:-0} + 1))
	cp "$BENCH_KNOT_DIR/knotd-xdp.out" "$tmp/$mode-$tag.knotd"
	KCPU=$(bench_cpu_share "$tmp/$mode-$tag.cpu")
	TCPU=$(bench_cpu_share "$tmp/$mode-$tag.tcpu")
}

bench_header "tcp: DNS over TCP from Knot DNS $(knotd -V 2>/dev/null | awk '{ print $NF }') in XDP mode (issue 14)"
echo "   server: knotd in XDP mode on $LAB_SRV_IF (xdp: listen, tcp: on), CPU $BENCH_CPU2;" \
	"zone bench.test, $BENCH_KNOT_NAMES names, A queries without EDNS"
echo "   sources: a /24 of $SRC_ALL per run for dnsvolley and kxdpgun, an address of $DNSPERF_SRC_ALL per run"
echo "   for dnsperf (kernel sockets, tcp_max_tw_buckets=0, ports 1024-65535)"
echo "   load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; $BENCH_NCPU CPUs)"
bench_knot_print_conf

# Ladder: per mode, the offered rate with the most answers per second among
# those answered to at least MIN_SHARE %; if none is, the most answers
# (flagged). Step by step, every mode takes its turn at each step (modes
# rotating as in the repetitions), so that a burst of load on the machine
# hits one step of every mode, not the whole ladder of one.
declare -A BEST=() BEST_OK=() BEST_ANS=() ANY=() ANY_ANS=() LINE=() HI=()
# ladder_step MODE RATE: one ladder run; BEST/ANY follow it.
ladder_step() {
	local mode=$1 rate=$2 more more_any
	bench_log "ladder: $mode at $rate qps for $LADDER_SECS s"
	measure "$mode" "ladder-$rate" "$rate" "$LADDER_SECS"
	LINE[$mode]+=" $rate:$(bench_si "${ANS:-0}")($(bench_fmt "$PCT" 1)%,t$(bench_fmt "$TCPU" 0),k$(bench_fmt "$KCPU" 0)$([ "${KTXFAIL:-0}" = 0 ] || echo ",K!"))"
	read -r more more_any < <(python3 -c '
import sys
a, p, m, best, anyb = (float(x or 0) for x in sys.argv[1:])
print(int(p >= m and a > best), int(a > anyb))' "${ANS:-0}" "${PCT:-0}" "$MIN_SHARE" "${BEST_ANS[$mode]:-0}" "${ANY_ANS[$mode]:-0}")
	if [ "$more" = 1 ]; then
		BEST_ANS[$mode]=${ANS:-0}
		BEST[$mode]=$rate
	fi
	if [ "$more_any" = 1 ]; then
		ANY_ANS[$mode]=${ANS:-0}
		ANY[$mode]=$rate
	fi
}
nsteps=$((${#RATES1[@]} > ${#RATES10[@]} ? ${#RATES1[@]} : ${#RATES10[@]}))
for ((step = 0; step < nsteps; step++)); do
	for ((i = 0; i < ${#MODES[@]}; i++)); do
		mode=${MODES[$(((i + step) % ${#MODES[@]}))]}
		if [[ $mode == *10 ]]; then rate=${RATES10[$step]:-}; else rate=${RATES1[$step]:-}; fi
		[ -z "$rate" ] || ladder_step "$mode" "$rate"
	done
done
# Then REFINE halvings between a mode's best rate and the next rate of its
# ladder, when that one fell short, to the nearest 1000 (the modes again
# taking turns): a coarse ladder would put one tool's ceiling on a step and
# another's just below the next.
for mode in "${MODES[@]}"; do
	rates=("${RATES1[@]}")
	[[ $mode != *10 ]] || rates=("${RATES10[@]}")
	for rate in "${rates[@]}"; do
		if [ -n "${BEST[$mode]:-}" ] && [ "$rate" -gt "${BEST[$mode]}" ]; then
			HI[$mode]=$rate
			break
		fi
	done
done
for ((step = 0; step < REFINE; step++)); do
	for ((i = 0; i < ${#MODES[@]}; i++)); do
		mode=${MODES[$(((i + step) % ${#MODES[@]}))]}
		[ -n "${HI[$mode]:-}" ] || continue
		# shellcheck disable=SC2017 # rounds down to a multiple of 1000 on purpose
		mid=$(((BEST[$mode] + HI[$mode]) / 2000 * 1000))
		[ "$mid" -gt "${BEST[$mode]}" ] || continue
		ladder_step "$mode" "$mid"
		[ "${BEST[$mode]}" = "$mid" ] || HI[$mode]=$mid
	done
done
for mode in "${MODES[@]}"; do
	BEST_OK[$mode]=1
	if [ -z "${BEST[$mode]:-}" ]; then
		[ -n "${ANY[$mode]:-}" ] || bench_die "$mode got no answers at any rate of the ladder"
		BEST[$mode]=${ANY[$mode]}
		BEST_OK[$mode]=0
	fi
	printf '   ladder %-10s (offered:answered/s(answered %%,tool CPU %%,knotd CPU %%)):%s -> %s%s\n' "$mode" \
		"${LINE[$mode]}" "${BEST[$mode]}" "$([ "${BEST_OK[$mode]}" = 1 ] || echo " (no rate reached $MIN_SHARE % answered)")"
done

one() {
	local mode=$1 rep=$2
	measure "$mode" "rep-$rep" "${BEST[$mode]}" "$SECS"
	bench_add "$mode" "$ANS"
	bench_add "${mode}_kcpu" "$KCPU"
	bench_add "${mode}_tcpu" "$TCPU"
	# the tool's CPU time per answered query, µs
	bench_add "${mode}_us" "$(python3 -c 'import sys
try: print(f"{float(sys.argv[1]) * 1e4 / float(sys.argv[2]):.3f}")
except (ValueError, ZeroDivisionError): print("nan")' "${TCPU:-}" "${ANS:-}")"
	bench_add "${mode}_pct" "$PCT"
	bench_add "${mode}_cps" "$CPS"
	bench_add "${mode}_lat" "$LAT"
}
bench_one_dv1() { one dv1 "$1"; }
bench_one_dv10() { one dv10 "$1"; }
bench_one_kxdpgun() { one kxdpgun "$1"; }
bench_one_dnsperf1() { one dnsperf1 "$1"; }
bench_one_dnsperf10() { one dnsperf10 "$1"; }
bench_alternate "${MODES[@]}"

echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   answered per second at each mode's offered rate (medians of $BENCH_REPS):"
for mode in "${MODES[@]}"; do
	bench_row "$mode" "${LABEL[$mode]} @${BEST[$mode]}" "ans/s"
done
echo "   answered share, connections opened per second, average latency, CPU (medians):"
for mode in "${MODES[@]}"; do
	printf '   %-10s answered %6s%%  conn/s %8s  latency avg %8s ms  tool CPU %5s%% (%6s us/answer)  knotd CPU %5s%%\n' \
		"$mode" "$(bench_fmt "$(bench_med "${mode}_pct")" 2)" "$(bench_si "$(bench_med "${mode}_cps")")" \
		"$(bench_fmt "$(bench_med "${mode}_lat")" 3)" "$(bench_fmt "$(bench_med "${mode}_tcpu")" 1)" \
		"$(bench_fmt "$(bench_med "${mode}_us")" 2)" "$(bench_fmt "$(bench_med "${mode}_kcpu")" 1)"
done
echo "   (connections: dnsvolley JSON dnsvolley.tcp.opened per second of sending; kxdpgun its \"total SYNs\""
echo "    pps; dnsperf (clients + \"Reconnections\") / run time. kxdpgun 3.2 measures no latency."
echo "    CPU: user + system time of the process, all threads, % of one CPU, median of 0.25 s"
echo "    intervals while busy: the tool's own on CPU $BENCH_CPU, knotd's on CPU $BENCH_CPU2)"
r_kx=$(bench_ratio "$(bench_med dv1)" "$(bench_med kxdpgun)")
r_dp1=$(bench_ratio "$(bench_med dv1)" "$(bench_med dnsperf1)")
r_dp10=$(bench_ratio "$(bench_med dv10)" "$(bench_med dnsperf10)")
r_cx=$(bench_ratio "$(bench_med dv1_cps)" "$(bench_med kxdpgun_cps)")
r_us=$(bench_ratio "$(bench_med kxdpgun_us)" "$(bench_med dv1_us)")
echo "   dnsvolley / kxdpgun, 1 query/conn: ${r_kx}x answered/s, ${r_cx}x connections/s" \
	"(answered: $(bench_fmt "$(bench_med dv1_pct)" 2)% vs $(bench_fmt "$(bench_med kxdpgun_pct)" 2)%)"
echo "   dnsvolley / kxdpgun, 1 query/conn: ${r_us}x answers per CPU second of the tool (kxdpgun's us/answer / dnsvolley's)"
echo "   dnsvolley / dnsperf, 1 query/conn: ${r_dp1}x answered/s"
echo "   dnsvolley / dnsperf, 10 queries/conn: ${r_dp10}x answered/s"
bench_target "dnsvolley / kxdpgun (1 query/conn)" "$r_kx" ">=" "$TARGET_KXDPGUN"
# The target holds at the same answered share: say when the shares differ.
python3 -c 'import sys
try:
    a, b = float(sys.argv[1]), float(sys.argv[2])
except ValueError:
    sys.exit(0)
if abs(a - b) > 2:
    print(f"   NOTE: answered shares differ ({a:.2f}% vs {b:.2f}%): the ratio is not at the same answered share")' \
	"$(bench_med dv1_pct)" "$(bench_med kxdpgun_pct)"
bench_target "dnsvolley / dnsperf (1 query/conn)" "$r_dp1" ">=" "$TARGET_DNSPERF"
bench_target "dnsvolley / dnsperf (10 queries/conn)" "$r_dp10" ">=" "$TARGET_DNSPERF"
for mode in "${MODES[@]}"; do
	[ "${BEST_OK[$mode]}" = 1 ] || echo "   NOTE: $mode reached $MIN_SHARE % answered at no rate of the ladder"
	[ -z "${FAILED[$mode]:-}" ] || echo "   NOTE: $mode failed in ${FAILED[$mode]} run(s) (no figure; the ladder's included)"
	[ -z "${KNOT_TXFAIL[$mode]:-}" ] ||
		echo "   NOTE: knotd could not send (\"TCP, failed to send some packets\") in ${KNOT_TXFAIL[$mode]} run(s) of $mode (K! in the ladder)"
done
bench_commands
echo "   (the ladder runs the same commands with -Q RATE and $LADDER_SECS s)"

# Where dnsvolley's CPU goes (BENCH_TCP_PERF=1): one more run of one query per
# connection at its rate, perf record -g on its process (every thread, and the
# kernel's work in its context: AF_XDP's copies, the veth, the peer's XDP
# program) for SECS seconds from 3 s in (past EAL's start).
if [ "${BENCH_TCP_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	bench_log "profile: dnsvolley 1 query/conn at ${BEST[dv1]} qps under perf record -g"
	knot_restart
	next_src
	dv_cmd 1 "${BEST[dv1]}" $((SECS + 4)) "$tmp/perf.json"
	bench_gen_xdp_off
	bench_bg $((SECS + 40)) "$tmp/perf-dv.out" "${BENCH_IN_GEN_BPF[@]}" "${DV_CMD[@]}"
	dv_pid=$BENCH_BG_PID
	sleep 3
	dv_child=$(pgrep -P "$dv_pid" | head -n 1 || true)
	[ -n "$dv_child" ] || bench_die "the profiled dnsvolley is gone: $(tail -n 5 "$tmp/perf-dv.out")"
	perf record -g -p "$dv_child" -o "$tmp/perf.data" -- sleep "$SECS" >"$tmp/perf.out" 2>&1 ||
		bench_log "perf record: $(tail -n 2 "$tmp/perf.out")"
	wait "$dv_pid" || true
	bench_forget_pid "$dv_pid"
	echo "   profile: dnsvolley 1 query/conn @${BEST[dv1]}, perf record -g -p PID for $SECS s" \
		"(self %, top 30; answered $(bench_fmt "$(bench_json "$tmp/perf.json" \
		'100.0 * s["received"]["responses"] / s["sent"]["queries"]')" 2)%):"
	perf report -i "$tmp/perf.data" --no-children --sort comm,dso,symbol --stdio 2>/dev/null |
		awk '/^ +[0-9]+\.[0-9]+%/ && n < 30 { n++; sub(/ +- +- *$/, ""); print "   " $0 }'
	echo "   by object: $(perf report -i "$tmp/perf.data" --no-children --sort dso --stdio 2>/dev/null |
		awk '/^ +[0-9]+\.[0-9]+%/ && n < 6 { n++; printf "%s%s %s", (n > 1 ? ", " : ""), $2, $1 }')"
fi
bench_footer
