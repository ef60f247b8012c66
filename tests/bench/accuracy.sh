#!/bin/bash
# Benchmark (not a test), issue 5 "rate accuracy": achieved against target rate
# from 1 000 qps up to the crafting maximum, into net_null on one CPU. The
# target is within 1 % at every rate, with no catch-up bursts after a stall
# (stalls show up as schedule slips, printed, never as a burst). The top of the
# ladder is 90 % of the median --max rate measured first.
#
# usage: tests/bench/accuracy.sh    (env: BENCH_REPS, BENCH_SECS, DV_BIN,
#                                    BENCH_ACC_RATES="1000 10000 100000 1000000")
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECS=${BENCH_SECS:-5}

bench_require timeout python3
bench_init_plain
tmp=$(bench_tmp)

# One run at a rate ("max" for --max); prints "achieved slips".
dv_at() {
	local rate=$1 tag=$2 json="$tmp/$2.json" out="$tmp/$2.out" rc=0
	local r=(-Q "$rate")
	[ "$rate" = max ] && r=(--max)
	local cmd=(taskset -c "$BENCH_CPU" "$DV_BIN" --port null -s 198.18.0.2 "${r[@]}" -l "$SECS"
		-t 0.05 --qname '{seq}.{rand8}.bench.test' --quiet --json "$json")
	bench_note_cmd "dnsvolley $rate" "${cmd[@]}"
	bench_run $((SECS + 30)) "$out" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "dnsvolley at $rate exited with $rc: $(tail -n 5 "$out")"
	echo "$(bench_json "$json" 'dv["achieved_qps"]') $(bench_json "$json" 'dv["not_sent"]["schedule_slips"]')"
}

bench_header "accuracy: achieved vs target rate into net_null, one CPU (issue 5, rate accuracy)"
maxes=()
for rep in $(seq "$BENCH_REPS"); do
	read -r a _ <<<"$(dv_at max "max-$rep")"
	maxes+=("$a")
done
top=$(python3 -c 'import statistics, sys; print(int(0.9 * statistics.median(map(float, sys.argv[1:]))))' "${maxes[@]}")
echo "   --max median $(bench_si "$(bench_median "${maxes[@]}")") qps; ladder top $(bench_si "$top") qps"
read -r -a RATES <<<"${BENCH_ACC_RATES:-1000 10000 100000 1000000}"
RATES+=("$top")
worst=0
for rate in "${RATES[@]}"; do
	[ "$rate" -le "$top" ] || continue
	vals=() slips=()
	for rep in $(seq "$BENCH_REPS"); do
		read -r a s <<<"$(dv_at "$rate" "r$rate-$rep")"
		vals+=("$a")
		slips+=("$s")
	done
	med=$(bench_median "${vals[@]}")
	dev=$(python3 -c 'import sys; print(f"{100 * (float(sys.argv[1]) / float(sys.argv[2]) - 1):+.3f}")' "$med" "$rate")
	printf '   target %10s qps: achieved median %12s qps (%s%%), runs %s, slips %s\n' \
		"$rate" "$(bench_fmt "$med" 1)" "$dev" "${vals[*]}" "${slips[*]}"
	worst=$(python3 -c 'import sys; print(max(abs(float(sys.argv[1])), float(sys.argv[2])))' "$dev" "$worst")
done
bench_target "worst achieved/target over the ladder" \
	"$(python3 -c 'import sys; print(1 - float(sys.argv[1]) / 100)' "$worst")" ">=" 0.99
bench_commands
bench_footer
