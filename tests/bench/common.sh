# shellcheck shell=bash
#
# common.sh: helpers shared by the benchmarks in tests/bench/ (not tests: they
# are never run by meson or ./lab.sh test). Source it from bash; it runs
# nothing by itself.
#
# Method (docs/performance.md): every benchmark runs dnsvolley and its anchor
# in one invocation, on the same cores, alternating them over BENCH_REPS
# repetitions (rep 1: A B, rep 2: B A, ...), and quotes medians and the ratio
# of the medians. It prints the exact commands it ran. A missed target is a
# result, not an error: scripts exit non-zero only when they cannot measure.
#
# Environment:
#   BENCH_REPS   repetitions per tool (default 5)
#   BENCH_SECS   seconds per measured run (default per script)
#   BENCH_CPU    CPU the tool under test runs on (default: the last CPU we may use)
#   BENCH_CPU2   CPU for everything else: servers, samplers (default: the first one)
#   DV_BIN       the dnsvolley binary (default: build/app/dnsvolley)
#   BENCH_KEEP_TMP=1  keep the scratch directory (outputs of every run)
#
# Processes are started in the background through bench_run, bounded by
# timeout(1), and remembered in LAB_PIDS, so that Ctrl-C (INT) and TERM run
# lab_cleanup at once: it stops them and removes the namespaces and scratch
# directory (tests/lab/netns.sh).

# Variables set here are used by the scripts that source this file.
# shellcheck disable=SC2034

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$BENCH_ROOT/tests/lab/netns.sh"

BENCH_REPS=${BENCH_REPS:-5}
DV_BIN=${DV_BIN:-$BENCH_ROOT/build/app/dnsvolley}
LAB_KEEP_TMP=${BENCH_KEEP_TMP:-0}

declare -A BENCH_VALS=()    # tool -> space-separated figures, one per repetition
BENCH_STARTED=$(date +%s)

bench_log() {
	echo "bench: $*" >&2
}

# A setup error: the benchmark cannot measure. Exit 2 (lab_cleanup runs).
bench_die() {
	echo "bench: SETUP ERROR: $*" >&2
	exit 2
}

# Title line and the conditions of this run (for the record):
# bench_header TITLE [CPU NOTE]
bench_header() {
	echo "== $1"
	echo "   host: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))," \
		"kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "   reps $BENCH_REPS; ${2:-tools on CPU $BENCH_CPU, servers and samplers on CPU $BENCH_CPU2}"
	echo "   dnsvolley: $DV_BIN ($("$DV_BIN" --version 2>/dev/null | head -n 1))"
	bench_clock start
}

# The core's clock against the TSC (build/tests/dv-clock): cycle figures are
# TSC cycles, and turn into core cycles (or cores of another clock) only by
# this ratio; printed at a run's start and end. bench_clock WHEN
bench_clock() {
	local bin=$BENCH_ROOT/build/tests/dv-clock ghz tsc ratio
	[ -x "$bin" ] || return 0
	read -r ghz tsc ratio < <(taskset -c "${BENCH_CPU:-0}" "$bin" 50 2>/dev/null) || return 0
	echo "   core clock at $1 on CPU ${BENCH_CPU:-0}: $ghz GHz, $ratio core cycles a TSC cycle (TSC $tsc GHz)"
}

# bench_query_file PATH: a query file of 100 000 names shaped like the
# generated '{seq}.{rand8}.bench.test' ones (the same frame length), written once.
bench_query_file() {
	[ -s "$1" ] || python3 -c '
for i in range(100000): print(f"{1000000 + i}.q{i % 7919:05x}xx.bench.test A")' >"$1"
}

# CPUs of our affinity set, one per line.
bench_cpus() {
	python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))'
}

_bench_pick_cpus() {
	local cpus
	mapfile -t cpus < <(bench_cpus)
	[ "${#cpus[@]}" -gt 0 ] || cpus=(0)
	BENCH_CPU=${BENCH_CPU:-${cpus[${#cpus[@]} - 1]}}
	BENCH_CPU2=${BENCH_CPU2:-${cpus[0]}}
	BENCH_NCPU=${#cpus[@]}
}
_bench_pick_cpus

# Require root and tools (a missing tool is a setup error: ./lab.sh bench installs them).
bench_require() {
	[ "$(id -u)" -eq 0 ] || bench_die "needs root (namespaces, XDP, hugepages)"
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ "${#missing[@]}" -eq 0 ] ||
		bench_die "missing tools: ${missing[*]} (./lab.sh bench installs them)"
	[ -x "$DV_BIN" ] || bench_die "no dnsvolley binary at $DV_BIN (build it, or set DV_BIN)"
}

# Scratch directory and traps, without namespaces.
bench_init_plain() {
	lab_traps
	LAB_TMP=$(mktemp -d /tmp/dvbench.XXXXXX) || bench_die "mktemp failed"
}

# The two-namespace lab of tests/lab/netns.sh, with hugepages and bpffs for AF_XDP.
bench_init_lab() {
	lab_host_prereqs
	lab_setup
	# Generator -> server frames must not need ARP/ND: an XDP program on the
	# server's end (drop sink, Knot) takes them away from its kernel.
	local smac
	smac=$(lab_mac srv "$LAB_SRV_IF") || bench_die "cannot read the MAC of $LAB_SRV_IF"
	lab_must ip -n "$LAB_GEN_NS" neigh replace "$LAB_SRV_V4" lladdr "$smac" dev "$LAB_GEN_IF" nud permanent
	lab_must ip -n "$LAB_GEN_NS" neigh replace "$LAB_SRV_V6" lladdr "$smac" dev "$LAB_GEN_IF" nud permanent
	lab_static_neigh
	BENCH_SRV_MAC=$smac
	# Command prefixes: run in a namespace, with bpffs mounted (libxdp pins there).
	BENCH_IN_GEN=(ip netns exec "$LAB_GEN_NS")
	# shellcheck disable=SC2016 # $@ expands in the inner shell
	BENCH_IN_GEN_BPF=(ip netns exec "$LAB_GEN_NS" sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' bench-bpf)
	# shellcheck disable=SC2016
	BENCH_IN_SRV_BPF=(ip netns exec "$LAB_SRV_NS" sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' bench-bpf)
}

bench_tmp() {
	lab_tmpdir
}

# Quote words for a shell only where needed: bench_quote WORD...
bench_quote() {
	python3 -c 'import shlex, sys; print(" ".join(shlex.quote(a) for a in sys.argv[1:]))' "$@"
}

# Remember a command once per label, printed by bench_commands at the end.
declare -A BENCH_CMDS=()
BENCH_CMD_ORDER=()
bench_note_cmd() {
	local label=$1 line
	shift
	[ -n "${BENCH_CMDS[$label]:-}" ] && return 0
	line=$(bench_quote "$@")
	BENCH_CMDS[$label]=$line
	BENCH_CMD_ORDER+=("$label")
}

bench_commands() {
	local label
	echo "   commands (exact, as in the first repetition; file names and prefixes change per run):"
	for label in "${BENCH_CMD_ORDER[@]}"; do
		printf '   [%s] %s\n' "$label" "${BENCH_CMDS[$label]}"
	done
}

# bench_run [-s SIGNAL] LIMIT OUTFILE CMD...: run CMD bounded by LIMIT seconds
# (then SIGNAL, default TERM; KILL 5 s later), stdout and stderr to OUTFILE,
# in the background so that INT/TERM are handled at once. Returns its status.
bench_run() {
	local sig=TERM
	if [ "$1" = -s ]; then
		sig=$2
		shift 2
	fi
	local limit=$1 out=$2 rc=0 pid
	shift 2
	timeout -s "$sig" --kill-after=5 "$limit" "$@" >"$out" 2>&1 &
	pid=$!
	LAB_PIDS+=("$pid")
	wait "$pid" || rc=$?
	bench_forget_pid "$pid"
	return "$rc"
}

# Start CMD in the background (bounded by LIMIT s); its pid in BENCH_BG_PID.
bench_bg() {
	local limit=$1 out=$2
	shift 2
	timeout --kill-after=5 "$limit" "$@" >"$out" 2>&1 &
	BENCH_BG_PID=$!
	LAB_PIDS+=("$BENCH_BG_PID")
}

# Stop a background process of ours and forget it.
bench_stop() {
	lab_stop_pid "$1"
	bench_forget_pid "$1"
}

bench_forget_pid() {
	local p keep=()
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	LAB_PIDS=("${keep[@]}")
}

# Median of numbers (empty output for none).
bench_median() {
	python3 - "$@" <<-'PY'
		import statistics, sys
		v = [float(x) for x in sys.argv[1:] if x not in ("", "nan")]
		print(f"{statistics.median(v):.10g}" if v else "")
	PY
}

# "min..max" of numbers: the spread over the repetitions.
bench_spread() {
	python3 - "$@" <<-'PY'
		import sys
		v = [float(x) for x in sys.argv[1:] if x not in ("", "nan")]
		print(f"{min(v):.4g}..{max(v):.4g}" if v else "-")
	PY
}

# A / B with three decimals, "n/a" when either is missing or B is 0.
bench_ratio() {
	python3 - "${1:-}" "${2:-}" <<-'PY'
		import sys
		try:
		    a, b = float(sys.argv[1]), float(sys.argv[2])
		    print(f"{a / b:.3f}" if b else "n/a")
		except ValueError:
		    print("n/a")
	PY
}

# A number with DIGITS decimals, "n/a" when missing: bench_fmt VALUE DIGITS
bench_fmt() {
	python3 - "${1:-}" "${2:-1}" <<-'PY'
		import sys
		try:
		    print(f"{float(sys.argv[1]):.{int(sys.argv[2])}f}")
		except ValueError:
		    print("n/a")
	PY
}

# Human-readable rate: 1234567 -> "1.235M".
bench_si() {
	python3 - "${1:-}" <<-'PY'
		import sys
		try:
		    v = float(sys.argv[1])
		except ValueError:
		    print("-"); sys.exit(0)
		for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
		    if abs(v) >= div:
		        print(f"{v / div:.3f}{suf}"); break
		else:
		    print(f"{v:.1f}")
	PY
}

# bench_target LABEL RATIO OP TARGET: "target met" or "target missed by X%".
# OP is ">=" (ratio must reach TARGET) or "<=" (must not exceed it).
bench_target() {
	python3 - "$@" <<-'PY'
		import sys
		label, ratio, op, target = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
		try:
		    r = float(ratio)
		except ValueError:
		    print(f"   {label}: ratio n/a (target {op} {target:g}): not measured")
		    sys.exit(0)
		if op == ">=":
		    ok, miss = r >= target, (target - r) / target * 100
		else:
		    ok, miss = r <= target, (r - target) / target * 100
		verdict = "target met" if ok else f"target missed by {miss:.1f}%"
		print(f"   {label}: {r:.3f}x (target {op} {target:g}x): {verdict}")
	PY
}

# Record one figure for a tool (empty figures are kept as missing).
bench_add() {
	BENCH_VALS[$1]="${BENCH_VALS[$1]:-} ${2:-nan}"
}

# The figures of a tool, space-separated.
bench_vals() {
	echo "${BENCH_VALS[$1]:-}"
}

# bench_alternate TOOL...: for rep 1..BENCH_REPS call "bench_one_TOOL REP",
# rotating the order each repetition (A B, B A for two tools), so that drift
# of the machine (thermal, other load) hits every tool alike.
bench_alternate() {
	local rep i n=$# tools=("$@") t
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for ((i = 0; i < n; i++)); do
			t=${tools[$(((i + rep - 1) % n))]}
			bench_log "rep $rep/$BENCH_REPS: $t"
			"bench_one_$t" "$rep"
		done
	done
}

# bench_pair_order I: the two builds of pair I in the order they run, "before
# after" in odd pairs and "after before" in even ones, as bench_alternate
# rotates tools, lest the order favour one build.
bench_pair_order() {
	if (($1 % 2 == 1)); then echo "before after"; else echo "after before"; fi
}

# A table row: label, median, and every repetition's figure.
bench_row() {
	local tool=$1 label=${2:-$1} unit=${3:-}
	# shellcheck disable=SC2046 # word splitting of the figures is intended
	python3 - "$label" "$unit" $(bench_vals "$tool") <<-'PY'
		import statistics, sys
		def si(v):
		    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
		        if abs(v) >= div:
		            return f"{v / div:.3f}{suf}"
		    return f"{v:.1f}"
		label, unit = sys.argv[1], sys.argv[2]
		v = [float(x) for x in sys.argv[3:] if x not in ("", "nan")]
		med = si(statistics.median(v)) if v else "-"
		runs = " ".join(si(x) for x in v) if v else "-"
		print(f"   {label:36s} median {med:>9s} {unit:4s} (runs: {runs})")
	PY
}

# Median of a tool's figures.
bench_med() {
	# shellcheck disable=SC2046
	bench_median $(bench_vals "$1")
}

bench_footer() {
	bench_clock end
	echo "   took $(($(date +%s) - BENCH_STARTED)) s"
}

# ---- dnsvolley ----------------------------------------------------------------

_BENCH_DV_HELP=""
# Does this dnsvolley's --help list an option (as a whole word)? bench_dv_has --max
bench_dv_has() {
	[ -n "$_BENCH_DV_HELP" ] || _BENCH_DV_HELP=$("$DV_BIN" --help 2>&1 || true)
	grep -qE -- "(^|[[:space:],])$1([[:space:],=]|\$)" <<<"$_BENCH_DV_HELP"
}

# Options for "as fast as it goes", in the array BENCH_DV_RATE: --max where
# dnsvolley has it, else a rate far above what one core reaches (BENCH_DV_QPS,
# default 3M).
bench_dv_rate() {
	if bench_dv_has '--max'; then
		BENCH_DV_RATE=(--max)
	else
		BENCH_DV_RATE=(-Q "${BENCH_DV_QPS:-3000000}")
	fi
}

# bench_json FILE EXPR: evaluate EXPR over the last stats_sum record of a
# dns-metrics JSON-lines file; s = the record, dv = s["dnsvolley"]. Prints
# nothing when the file, the record or a field is missing.
bench_json() {
	python3 - "$1" "$2" <<-'PY'
		import json, sys
		path, expr = sys.argv[1], sys.argv[2]
		s = None
		try:
		    with open(path) as f:
		        for line in f:
		            line = line.strip()
		            if line:
		                r = json.loads(line)
		                if r.get("type") == "stats_sum":
		                    s = r
		except (OSError, ValueError):
		    sys.exit(0)
		if s is None:
		    sys.exit(0)
		dv = s.get("dnsvolley", {})
		try:
		    v = eval(expr, {"s": s, "dv": dv})
		except (KeyError, IndexError, TypeError, ZeroDivisionError):
		    sys.exit(0)
		if v is None:
		    sys.exit(0)
		print(f"{v:.10g}" if isinstance(v, float) else v)
	PY
}

# Cycles per query / per response, when this dnsvolley reports them.
bench_dv_cycles() {
	local f=$1 cq cr
	cq=$(bench_json "$f" 'dv["cycles_per_query"]')
	cr=$(bench_json "$f" 'dv["cycles_per_response"]')
	[ -n "$cq$cr" ] && echo "cycles/query ${cq:--} cycles/response ${cr:--}"
	return 0
}

# ---- dpdk-testpmd ---------------------------------------------------------------

# Tx packets per second from a testpmd run with --stats-period 1: the median
# of the "Tx-pps" lines, leaving out the first (always 0: nothing to compare
# with) and zeros (before forwarding started).
bench_testpmd_pps() {
	python3 - "$1" <<-'PY'
		import re, statistics, sys
		v = [int(m.group(1)) for m in re.finditer(rb"Tx-pps:\s+(\d+)", open(sys.argv[1], "rb").read())]
		v = [x for x in v[1:] if x > 0]
		print(f"{statistics.median(v):.6g}" if v else "")
	PY
}

# CPU cycles per packet of the forwarding core (--record-core-cycles), as
# testpmd prints it when it stops: "CPU cycles/packet=107.34 (...) at 2600 MHz Clock".
bench_testpmd_cpp() {
	sed -n 's/.*CPU cycles\/packet=\([0-9.]*\).*/\1/p' "$1" | tail -n 1
}

# EAL prefix of a testpmd run; its runtime directory is removed afterwards.
bench_testpmd_cleanup() {
	local prefix=$1
	case $prefix in
	dvbench-*) rm -rf -- "/var/run/dpdk/$prefix" ;;
	esac
}

# ---- kernel-side counters -------------------------------------------------------

# bench_sampler_start NS IFACE OUT LIMIT: sample rx_packets and rx_bytes of
# IFACE in namespace NS every 0.2 s into OUT (on BENCH_CPU2) until stopped.
# On a veth these include frames an XDP program dropped.
bench_sampler_start() {
	local ns=$1 dev=$2 out=$3 limit=$4
	bench_bg "$limit" "$out" ip netns exec "$ns" taskset -c "$BENCH_CPU2" python3 -u -c '
import sys, time
dev = sys.argv[1]
base = "/sys/class/net/%s/statistics/" % dev
def rd(n):
    with open(base + n) as f:
        return int(f.read())
while True:
    print("%.6f %d %d" % (time.monotonic(), rd("rx_packets"), rd("rx_bytes")), flush=True)
    time.sleep(0.2)
' "$dev"
	BENCH_SAMPLER_PID=$BENCH_BG_PID
	# The tool starts only once the first sample is in.
	local tries=100
	while [ "$tries" -gt 0 ] && [ ! -s "$out" ]; do
		kill -0 "$BENCH_SAMPLER_PID" 2>/dev/null || bench_die "the counter sampler died: $(cat "$out")"
		sleep 0.05
		tries=$((tries - 1))
	done
	[ -s "$out" ] || bench_die "the counter sampler wrote nothing in 5 s"
}

bench_sampler_stop() {
	bench_stop "$BENCH_SAMPLER_PID"
}

# bench_sampler_rate OUT: "PPS PACKETS AVG_LEN" — the steady rate (packets
# over the active intervals, less the first and last, which are partial),
# the total packets in the file, and the average length the veth counts
# (rx_bytes / rx_packets: the frame without its 14-byte Ethernet header).
bench_sampler_rate() {
	python3 - "$1" <<-'PY'
		import sys
		rows = []
		for line in open(sys.argv[1]):
		    p = line.split()
		    if len(p) == 3:
		        rows.append((float(p[0]), int(p[1]), int(p[2])))
		if len(rows) < 2:
		    print("  "); sys.exit(0)
		iv = [(rows[i][0], rows[i + 1][0], rows[i + 1][1] - rows[i][1]) for i in range(len(rows) - 1)]
		peak = max(d / (t1 - t0) for t0, t1, d in iv)
		act = [i for i, (t0, t1, d) in enumerate(iv) if peak > 0 and d / (t1 - t0) > 0.05 * peak]
		tot = rows[-1][1] - rows[0][1]
		byt = rows[-1][2] - rows[0][2]
		if not act:
		    print(f"0 {tot} 0"); sys.exit(0)
		a, b = act[0], act[-1]
		if b - a >= 2:
		    a, b = a + 1, b - 1
		t0, t1 = iv[a][0], iv[b][1]
		pk = sum(iv[i][2] for i in range(a, b + 1))
		print(f"{pk / (t1 - t0):.6g} {tot} {byt / tot if tot else 0:.1f}")
	PY
}

# One dnsvolley run against knotd (knot.sh, overload.sh): bench_knot_dnsvolley
# TAG RATE SECONDS LABEL [OPTIONS...], A queries from $tmp/queries.txt without
# EDNS over af_xdp; the first repetition's command is noted as LABEL. Sets ANS
# (answered per second of sending), PCT (answered share of sent, %), SENT
# (queries per second), LAT (average latency, ms), P50/P99 (ms) and
# BENCH_DV_JSON (its result file).
bench_knot_dnsvolley() {
	local tag=$1 rate=$2 secs=$3 label=$4 rc=0 dir
	shift 4
	dir=$(bench_tmp)
	BENCH_DV_JSON="$dir/dnsvolley-$tag.json"
	local cmd=(taskset -c "$BENCH_CPU" "$DV_BIN" --port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V4"
		-d "$dir/queries.txt" -e 0 -Q "$rate" -l "$secs" -t 0.5 "$@" --quiet --json "$BENCH_DV_JSON")
	[[ $tag != rep-* ]] || bench_note_cmd "$label" "${cmd[@]}"
	bench_gen_xdp_off
	bench_run $((secs + 30)) "$dir/dnsvolley-$tag.out" "${BENCH_IN_GEN_BPF[@]}" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "dnsvolley exited with $rc: $(tail -n 5 "$dir/dnsvolley-$tag.out")"
	# answered per second of sending: achieved (logical/s) x answered / sent
	ANS=$(bench_json "$BENCH_DV_JSON" 'dv["achieved_qps"] * s["received"]["responses"] / s["sent"]["queries"]')
	PCT=$(bench_json "$BENCH_DV_JSON" '100.0 * s["received"]["responses"] / s["sent"]["queries"]')
	SENT=$(bench_json "$BENCH_DV_JSON" 'dv["achieved_qps"]')
	LAT=$(bench_json "$BENCH_DV_JSON" 's["response_latency"]["avg"] / 1e6')
	P50=$(bench_json "$BENCH_DV_JSON" 'dv["percentiles_ns"]["p50"] / 1e6')
	P99=$(bench_json "$BENCH_DV_JSON" 'dv["percentiles_ns"]["p99"] / 1e6')
}

# One kxdpgun run against knotd: bench_knot_kxdpgun TAG RATE SECONDS LABEL.
# Sets ANS, PCT and SENT as bench_knot_dnsvolley does (kxdpgun measures no latency).
bench_knot_kxdpgun() {
	local tag=$1 rate=$2 secs=$3 label=$4 rc=0 dir out
	dir=$(bench_tmp)
	out="$dir/kxdpgun-$tag.out"
	local cmd=(taskset -c "$BENCH_CPU" kxdpgun -t "$secs" -Q "$rate" -F "$BENCH_CPU"
		-i "$dir/queries.txt" -I "$LAB_GEN_IF" -R "$BENCH_SRV_MAC" "$LAB_SRV_V4")
	[[ $tag != rep-* ]] || bench_note_cmd "$label" "${cmd[@]}"
	bench_gen_xdp_off
	bench_run $((secs + 30)) "$out" "${BENCH_IN_GEN_BPF[@]}" "${cmd[@]}" || rc=$?
	bench_gen_xdp_off
	[ "$rc" -eq 0 ] || bench_die "kxdpgun exited with $rc: $(tail -n 5 "$out")"
	# "total queries:     1000000 (200000 pps)"
	# "total replies:     600000 (200000 pps) (100%)"
	SENT=$(sed -n 's/^total queries: *[0-9]* (\([0-9]*\) pps).*/\1/p' "$out")
	ANS=$(sed -n 's/^total replies: *[0-9]* (\([0-9]*\) pps).*/\1/p' "$out")
	PCT=$(sed -n 's/^total replies: .*(\([0-9.]*\)%).*/\1/p' "$out")
	LAT="" P50="" P99=""
}

# System calls on the tools' CPU while a tool runs (issue 19: what AF_XDP
# costs per frame): perf's syscall tracepoints, counted per CPU (no PMU needed,
# none of the tool's own time), from bench_syscalls_start to bench_syscalls_stop.
BENCH_SYSCALLS="sendto recvfrom poll ppoll"
bench_syscalls_start() {
	local out=$1 ev="" c
	BENCH_SYSCALLS_PID=""
	command -v perf >/dev/null || return 0
	for c in $BENCH_SYSCALLS; do ev="$ev${ev:+,}syscalls:sys_enter_$c"; done
	perf stat -C "$BENCH_CPU" -x, -o "$out" -e "$ev" -- sleep 600 >/dev/null 2>&1 &
	BENCH_SYSCALLS_PID=$!
}

bench_syscalls_stop() {
	[ -n "${BENCH_SYSCALLS_PID:-}" ] || return 0
	pkill -INT -P "$BENCH_SYSCALLS_PID" sleep 2>/dev/null || kill -INT "$BENCH_SYSCALLS_PID" 2>/dev/null || true
	wait "$BENCH_SYSCALLS_PID" 2>/dev/null || true
	BENCH_SYSCALLS_PID=""
}

# bench_syscalls_per OUT FRAMES: "sendto=X recvfrom=Y ..." per frame, from perf's file.
bench_syscalls_per() {
	[ -s "$1" ] || { echo "n/a"; return 0; }
	python3 - "$1" "$2" <<-'PY'
		import sys
		frames = float(sys.argv[2] or 0)
		out = []
		for line in open(sys.argv[1]):
		    p = line.strip().split(",")
		    if len(p) > 2 and p[2].startswith("syscalls:sys_enter_") and p[0].isdigit():
		        n = int(p[0])
		        out.append(f"{p[2][len('syscalls:sys_enter_'):]}={n / frames:.3f}" if frames else f"{p[2]}={n}")
		print(" ".join(out) if out else "n/a")
	PY
}

# Load the XDP drop sink on the server's end (tests/bench/xdp_drop.c, built
# with clang here: no prebuilt object in the tree).
bench_xdp_drop_load() {
	local obj
	obj="$(bench_tmp)/xdp_drop.o"
	clang -O2 -target bpf -c "$BENCH_ROOT/tests/bench/xdp_drop.c" -o "$obj" ||
		bench_die "clang cannot build tests/bench/xdp_drop.c"
	# Native XDP (veth has it); generic (SKB) mode only if native is refused.
	BENCH_XDP_MODE=xdpdrv
	if ! ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" xdpdrv obj "$obj" sec xdp 2>"$(bench_tmp)/xdp.err"; then
		BENCH_XDP_MODE=xdpgeneric
		bench_log "native XDP refused on $LAB_SRV_IF ($(cat "$(bench_tmp)/xdp.err")); using generic XDP"
		ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" xdpgeneric obj "$obj" sec xdp ||
			bench_die "cannot attach the XDP drop program to $LAB_SRV_IF"
	fi
	bench_note_cmd "xdp sink" ip -n SRV_NS link set dev "$LAB_SRV_IF" "$BENCH_XDP_MODE" obj xdp_drop.o sec xdp
}

# Frames the XDP program dropped on the server's end (veth's own counter).
bench_xdp_drops() {
	ip netns exec "$LAB_SRV_NS" ethtool -S "$LAB_SRV_IF" 2>/dev/null |
		awk '/rx_queue_0_xdp_drops:/ { print $2; found = 1 } END { if (!found) print 0 }'
}

# Remove whatever XDP program a tool left on the generator's end (kxdpgun and
# knotd leave theirs attached for reuse; the next AF_XDP user could not attach).
bench_gen_xdp_off() {
	ip -n "$LAB_GEN_NS" link set dev "$LAB_GEN_IF" xdp off 2>/dev/null || true
}

# ---- Knot DNS in the namespace lab (knot.sh, tcp.sh) ------------------------------

BENCH_KNOT_NAMES=1000
BENCH_KNOT_DIR=""    # scratch directory of knotd: config, zone, pid, logs
BENCH_KNOT_PID=""

# bench_knot_init QUERIES: knotd's directory in the scratch directory, zone
# bench.test with BENCH_KNOT_NAMES A records, and QUERIES asking exactly those
# (dnsperf's "NAME TYPE" lines, which kxdpgun and dnsvolley read too).
bench_knot_init() {
	BENCH_KNOT_DIR="$(bench_tmp)/knot"
	mkdir -p "$BENCH_KNOT_DIR"
	python3 - "$BENCH_KNOT_DIR/bench.test.zone" "$1" "$BENCH_KNOT_NAMES" "$LAB_SRV_V4" <<-'PY'
		import sys
		zone, queries, n, ns = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
		with open(zone, "w") as z, open(queries, "w") as q:
		    z.write("$ORIGIN bench.test.\n$TTL 3600\n")
		    z.write("@ SOA ns hostmaster 1 3600 900 604800 300\n@ NS ns\n")
		    z.write(f"ns A {ns}\n")
		    for i in range(n):
		        z.write(f"h{i} A 198.18.{1 + i // 250}.{1 + i % 250}\n")
		        q.write(f"h{i}.bench.test A\n")
	PY
}

# bench_knot_conf xdp|udp [XDP-LINE...]: knot.conf on stdout. xdp: knotd's XDP
# workers on the server's veth (UDP; each XDP-LINE, e.g. "tcp: on", goes into
# the xdp section); udp: plain sockets on the server's address.
bench_knot_conf() {
	local mode=$1 line
	shift
	echo "server:"
	echo "    rundir: \"$BENCH_KNOT_DIR\""
	echo "    pidfile: \"$BENCH_KNOT_DIR/knot.pid\""
	if [ "$mode" = xdp ]; then
		echo "    listen: 127.0.0.1@53"
		echo "xdp:"
		echo "    listen: $LAB_SRV_IF"
		echo "    udp: on"
		for line in "$@"; do
			echo "    $line"
		done
		echo "    route-check: off"
	else
		echo "    listen: $LAB_SRV_V4@53"
	fi
	cat <<-EOC
		database:
		    storage: "$BENCH_KNOT_DIR"
		log:
		  - target: stderr
		    any: info
		template:
		  - id: default
		    storage: "$BENCH_KNOT_DIR"
		zone:
		  - domain: bench.test
		    file: "$BENCH_KNOT_DIR/bench.test.zone"
	EOC
}

# Does knotd answer h1.bench.test from the generator namespace? bench_knot_answers [KDIG-OPTION...]
bench_knot_answers() {
	ip netns exec "$LAB_GEN_NS" kdig @"$LAB_SRV_V4" h1.bench.test A +short +timeout=1 +retry=0 "$@" \
		2>/dev/null | grep -q '^198\.18\.1\.2$'
}

# bench_knot_start xdp|udp [XDP-LINE...]: knotd in the server namespace on
# BENCH_CPU2 (its log in $BENCH_KNOT_DIR/knotd-MODE.out); succeeds once it
# answers kdig over UDP, fails if it dies or does not answer within 30 s (on a
# busy machine, a knotd started right after another can take 10 s to start).
bench_knot_start() {
	local mode=$1 tries=150
	bench_knot_conf "$@" >"$BENCH_KNOT_DIR/knot.conf"
	ip netns exec "$LAB_SRV_NS" knotc -c "$BENCH_KNOT_DIR/knot.conf" conf-check >"$BENCH_KNOT_DIR/check.out" 2>&1 ||
		bench_die "knotc conf-check: $(cat "$BENCH_KNOT_DIR/check.out")"
	# Knot's own timeout bounds it; lab_cleanup stops it earlier.
	bench_bg 3600 "$BENCH_KNOT_DIR/knotd-$mode.out" "${BENCH_IN_SRV_BPF[@]}" \
		taskset -c "$BENCH_CPU2" knotd -c "$BENCH_KNOT_DIR/knot.conf"
	BENCH_KNOT_PID=$BENCH_BG_PID
	bench_note_cmd "knotd ($mode)" taskset -c "$BENCH_CPU2" knotd -c knot.conf
	while [ "$tries" -gt 0 ]; do
		kill -0 "$BENCH_KNOT_PID" 2>/dev/null || return 1
		bench_knot_answers +notcp && return 0
		sleep 0.2
		tries=$((tries - 1))
	done
	return 1
}

# Did knotd set up its XDP workers? (the log line, or nothing)
bench_knot_xdp_line() {
	grep 'initialized XDP interface' "$BENCH_KNOT_DIR/knotd-xdp.out" 2>/dev/null | sed 's/.*info: //' | head -n 1
}

# Stop knotd and take its XDP program off both veth ends.
bench_knot_stop() {
	[ -n "$BENCH_KNOT_PID" ] && bench_stop "$BENCH_KNOT_PID"
	BENCH_KNOT_PID=""
	bench_gen_xdp_off
	ip -n "$LAB_SRV_NS" link set dev "$LAB_SRV_IF" xdp off 2>/dev/null || true
}

# knot.conf as printed in a benchmark's header (DIR = the scratch directory).
bench_knot_print_conf() {
	echo "   knot.conf (DIR = scratch directory):"
	sed -e "s|$BENCH_KNOT_DIR|DIR|g" -e 's/^/   | /' "$BENCH_KNOT_DIR/knot.conf"
}

# ---- a process's CPU time ------------------------------------------------------------

# bench_cpu_sampler_start PID OUT LIMIT: sample the CPU time (user + system,
# all threads) of process PID every 0.25 s into OUT (on BENCH_CPU2) until
# stopped or the process is gone.
bench_cpu_sampler_start() {
	local pid=$1 out=$2 limit=$3
	bench_bg "$limit" "$out" taskset -c "$BENCH_CPU2" python3 -u -c '
import os, sys, time
path, hz = "/proc/%s/stat" % sys.argv[1], os.sysconf("SC_CLK_TCK")
while True:
    try:
        with open(path) as f:
            p = f.read().rsplit(")", 1)[1].split()
    except OSError:
        break
    print("%.6f %.4f" % (time.monotonic(), (int(p[11]) + int(p[12])) / hz), flush=True)
    time.sleep(0.25)
' "$pid"
	BENCH_CPU_SAMPLER_PID=$BENCH_BG_PID
}

bench_cpu_sampler_stop() {
	bench_stop "$BENCH_CPU_SAMPLER_PID"
}

# bench_cpu_share OUT: the process's CPU use in % of one CPU while it was busy:
# the median over the sampling intervals above 5 % of the busiest one, the
# first and last of those left out (partial); empty when it never was busy.
# The median keeps a start-up burst (DPDK's EAL) out of the figure.
bench_cpu_share() {
	python3 - "$1" <<-'PY'
		import statistics, sys
		rows = []
		for line in open(sys.argv[1]):
		    p = line.split()
		    if len(p) == 2:
		        rows.append((float(p[0]), float(p[1])))
		sh = [(rows[i + 1][1] - rows[i][1]) / (rows[i + 1][0] - rows[i][0]) for i in range(len(rows) - 1)]
		peak = max(sh, default=0)
		act = [i for i, v in enumerate(sh) if peak > 0 and v > 0.05 * peak]
		if not act:
		    sys.exit(0)
		a, b = act[0], act[-1]
		if b - a >= 2:
		    a, b = a + 1, b - 1
		print(f"{100.0 * statistics.median(sh[a:b + 1]):.1f}")
	PY
}

# bench_run_cpu CPUOUT LIMIT OUTFILE CMD...: bench_run, with the CPU time of
# CMD's process sampled into CPUOUT (bench_cpu_share). CMD may be a chain of
# exec's (ip netns exec, sh -c 'exec ...', taskset): it keeps timeout's child's pid.
bench_run_cpu() {
	local cpuout=$1 limit=$2 out=$3 rc=0 pid child="" tries=100
	shift 3
	timeout --kill-after=5 "$limit" "$@" >"$out" 2>&1 &
	pid=$!
	LAB_PIDS+=("$pid")
	while [ -z "$child" ] && [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		child=$(pgrep -P "$pid" | head -n 1 || true)
		[ -n "$child" ] || sleep 0.01
		tries=$((tries - 1))
	done
	: >"$cpuout"
	[ -z "$child" ] || bench_cpu_sampler_start "$child" "$cpuout" $((limit + 10))
	wait "$pid" || rc=$?
	bench_forget_pid "$pid"
	[ -z "$child" ] || bench_cpu_sampler_stop
	return "$rc"
}
