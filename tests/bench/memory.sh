#!/bin/bash
# Benchmark (not a test), issue 5 item 5: memory does not grow with the length
# of a run. The same load (embedded responder, -Q 50000, unique names, every
# query answered) for 10 s and for 60 s: peak RSS (the kernel's own maximum
# for the child, and VmHWM sampled from /proc/PID/status) and hugepage use
# (HugetlbPages of the process, and the drop of HugePages_Free in
# /proc/meminfo while it runs) must be equal within noise.
# The embedded port runs without hugepages by default; here it runs from a
# copy of drivers-config/ whose embedded profile needs hugepages, so that
# DPDK's memory comes from hugepages as on af_xdp.
# Target: long / short peak RSS <= 1.05, and the same hugepage use.
#
# usage: tests/bench/memory.sh    (env: BENCH_MEM_SHORT=10, BENCH_MEM_LONG=60,
#                                  BENCH_MEM_QPS=50000, BENCH_MEM_REPS=1, DV_BIN;
#                                  docs/performance.md)
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SHORT=${BENCH_MEM_SHORT:-10}
LONG=${BENCH_MEM_LONG:-60}
QPS=${BENCH_MEM_QPS:-50000}
# Each repetition costs SHORT + LONG seconds: one by default.
BENCH_REPS=${BENCH_MEM_REPS:-1}
TARGET=1.05

bench_require timeout python3
bench_init_plain
lab_host_prereqs
tmp=$(bench_tmp)

drivers="$tmp/drivers-config"
cp -r "$BENCH_ROOT/drivers-config" "$drivers"
sed -i 's/^needs: *\[\]/needs: [hugepages]/' "$drivers/embedded.yaml"
grep -q '^needs: \[hugepages\]' "$drivers/embedded.yaml" ||
	bench_die "cannot make the embedded profile use hugepages ($drivers/embedded.yaml)"

# memwatch OUT LIMIT CMD...: run CMD as our child, sample it every 0.2 s,
# and write one JSON object: peak RSS (rusage of the child, and VmHWM), RSS
# over time, HugetlbPages peak, HugePages_Free before and its minimum.
MEMWATCH='
import json, os, signal, subprocess, sys, time
out, limit, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0
def status(pid):
    d = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "HugetlbPages"):
                    d[k] = int(v.split()[0])
    except OSError:
        pass
    return d
page_kb = meminfo("Hugepagesize")
free0 = meminfo("HugePages_Free")
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
def fwd(sig, _frame):
    p.send_signal(sig)
signal.signal(signal.SIGTERM, fwd)
signal.signal(signal.SIGINT, fwd)
free_min, hwm, huge_peak, series = free0, 0, 0, []
while True:
    pid, st, ru = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    t = time.monotonic() - t0
    if t > limit:
        p.kill()
    s = status(p.pid)
    free_min = min(free_min, meminfo("HugePages_Free"))
    hwm = max(hwm, s.get("VmHWM", 0))
    huge_peak = max(huge_peak, s.get("HugetlbPages", 0))
    if "VmRSS" in s:
        series.append((round(t, 2), s["VmRSS"]))
    time.sleep(0.2)
rc = os.waitstatus_to_exitcode(st)
json.dump({"rc": rc, "maxrss_kb": ru.ru_maxrss, "vmhwm_kb": hwm, "hugetlb_peak_kb": huge_peak,
           "hp_free_before": free0, "hp_free_min": free_min, "hp_used_pages": free0 - free_min,
           "hugepage_kb": page_kb, "rss_series": series}, open(out, "w"))
'

run_len() {
	local secs=$1 rep=$2
	local json="$tmp/dv-$1-$2.json" mem="$tmp/mem-$1-$2.json" rc=0
	# Not pinned to one CPU: generator, responder and main lcore on one CPU
	# slip behind 50000 qps; dnsvolley places them over all our CPUs.
	local cmd=("$DV_BIN" --drivers-dir "$drivers" --port embedded -Q "$QPS"
		-l "$secs" -t 0.5 --qname '{seq}.{rand8}.bench.test' --quiet --json "$json")
	bench_note_cmd "${secs} s" "${cmd[@]}"
	bench_run $((secs + 60)) "$tmp/dv-$secs-$rep.out" python3 -c "$MEMWATCH" "$mem" $((secs + 40)) "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "memory sampler exited with $rc: $(tail -n 5 "$tmp/dv-$secs-$rep.out")"
	rc=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["rc"])' "$mem")
	[ "$rc" -eq 0 ] || bench_die "dnsvolley exited with $rc"
	m() { python3 -c 'import json, sys; print(eval(sys.argv[2], {"m": json.load(open(sys.argv[1]))}))' "$mem" "$1"; }
	bench_add "s$secs" "$(m 'm["maxrss_kb"]')"
	bench_add "s${secs}_hwm" "$(m 'm["vmhwm_kb"]')"
	bench_add "s${secs}_huge" "$(m 'm["hugetlb_peak_kb"]')"
	bench_add "s${secs}_hpused" "$(m 'm["hp_used_pages"]')"
	# RSS once the run is under way (2 s in) and at its end (the last sample
	# SECS after the start, still sending: the exit frees memory): growth shows here.
	bench_add "s${secs}_rss_early" "$(m '([r for t, r in m["rss_series"] if t >= 2.0] or [""])[0]')"
	bench_add "s${secs}_rss_late" "$(m '([r for t, r in m["rss_series"] if t <= '"$secs"'] or [""])[-1]')"
	bench_add "s${secs}_answered" "$(bench_json "$json" 's["received"]["responses"]')"
	bench_add "s${secs}_sent" "$(bench_json "$json" 's["sent"]["queries"]')"
	bench_add "s${secs}_dvmem" "$(bench_json "$json" 'sum(dv["memory"].values()) / 1024')"
}
eval "bench_one_short() { run_len $SHORT \"\$1\"; }"
eval "bench_one_long() { run_len $LONG \"\$1\"; }"

bench_header "memory: peak RSS and hugepages, ${LONG} s against ${SHORT} s at $QPS qps (issue 5, item 5)" \
	"dnsvolley places its lcores over CPUs $(bench_cpus | paste -sd,)"
bench_alternate short long

kb() { bench_med "$1" | sed 's/^$/n\/a/'; }
echo "   embedded port with hugepages, -Q $QPS, unique names (medians of $BENCH_REPS; kB)"
printf '   %-8s %12s %12s %12s %14s %12s %12s %14s %12s\n' run peak-RSS VmHWM RSS@2s "RSS@${LONG}s|${SHORT}s" \
	hugetlb hp-pages dnsvolley-mem answered
for s in "$SHORT" "$LONG"; do
	printf '   %-8s %12s %12s %12s %14s %12s %12s %14s %12s\n' "${s} s" "$(kb "s$s")" "$(kb "s${s}_hwm")" \
		"$(kb "s${s}_rss_early")" "$(kb "s${s}_rss_late")" "$(kb "s${s}_huge")" "$(kb "s${s}_hpused")" \
		"$(bench_fmt "$(bench_med "s${s}_dvmem")" 0)" "$(kb "s${s}_answered")/$(kb "s${s}_sent")"
done
echo "   (peak-RSS: the kernel's maximum for the process (getrusage); hp-pages: drop of"
echo "    HugePages_Free while it ran; dnsvolley-mem: its JSON \"memory\" object, when present)"
bench_target "peak RSS ${LONG} s / ${SHORT} s" "$(bench_ratio "$(bench_med "s$LONG")" "$(bench_med "s$SHORT")")" "<=" "$TARGET"
bench_target "hugepages ${LONG} s / ${SHORT} s" "$(bench_ratio "$(bench_med "s${LONG}_hpused")" "$(bench_med "s${SHORT}_hpused")")" "<=" "$TARGET"
bench_target "RSS at ${LONG} s / at 2 s (${LONG} s run)" "$(bench_ratio "$(bench_med "s${LONG}_rss_late")" "$(bench_med "s${LONG}_rss_early")")" "<=" "$TARGET"
bench_commands
bench_footer
