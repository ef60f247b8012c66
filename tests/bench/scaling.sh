#!/bin/bash
# Benchmark (not a test), issue 5 item 4: how the crafting rate into net_null
# grows with generator lcores: dnsvolley -T 1 against -T 2 (and -T 4, 8 when
# the CPUs allow: one CPU per generator, one left for the rest), alternating,
# medians, each rate as a ratio to -T 1 and as a share of linear scaling.
# dnsvolley places its lcores over the CPUs this script may use.
#
# usage: tests/bench/scaling.sh    (env: BENCH_REPS, BENCH_SECS, DV_BIN,
#                                   BENCH_SCALING_T="1 2"; docs/performance.md)
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SECS=${BENCH_SECS:-5}

bench_require timeout python3
bench_dv_has -T || bench_die "this dnsvolley has no -T (generator lcores)"
bench_init_plain
tmp=$(bench_tmp)
bench_dv_rate

if [ -n "${BENCH_SCALING_T:-}" ]; then
	read -r -a TS <<<"$BENCH_SCALING_T"
else
	TS=(1 2)
	for t in 4 8; do
		[ "$((t + 1))" -le "$BENCH_NCPU" ] && TS+=("$t")
	done
fi

run_t() {
	local t=$1 rep=$2
	local json="$tmp/t$1-$2.json" out="$tmp/t$1-$2.out" rc=0 v
	local cmd=("$DV_BIN" --port null -s 198.18.0.2 "${BENCH_DV_RATE[@]}" -T "$t" -l "$SECS" -t 0.05
		--qname '{seq}.{rand8}.bench.test' --quiet --json "$json")
	bench_note_cmd "-T $t" "${cmd[@]}"
	bench_run $((SECS + 30)) "$out" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "dnsvolley -T $t exited with $rc: $(tail -n 5 "$out")"
	v=$(bench_json "$json" 'dv["achieved_qps"]')
	[ -n "$v" ] || bench_die "no achieved_qps in $json"
	bench_add "t$t" "$v"
	bench_add "t${t}_cpq" "$(bench_json "$json" 'dv["cycles_per_query"]')"
}
for t in "${TS[@]}"; do
	eval "bench_one_t$t() { run_t $t \"\$1\"; }"
done

bench_header "scaling: crafting rate into net_null with ${TS[*]} generator lcores (issue 5, item 4)" \
	"dnsvolley places its lcores over CPUs $(bench_cpus | paste -sd,)"
tools=()
for t in "${TS[@]}"; do
	tools+=("t$t")
done
bench_alternate "${tools[@]}"

base=$(bench_med t1)
for t in "${TS[@]}"; do
	bench_row "t$t" "dnsvolley -T $t" qps
done
for t in "${TS[@]}"; do
	[ "$t" = 1 ] && continue
	r=$(bench_ratio "$(bench_med "t$t")" "$base")
	eff=$(python3 -c 'import sys
try: print(f"{100 * float(sys.argv[1]) / float(sys.argv[2]):.0f}%")
except ValueError: print("n/a")' "$r" "$t")
	echo "   -T $t / -T 1: ${r}x ($eff of linear; cycles per query: -T 1 $(bench_fmt "$(bench_med t1_cpq)" 1), -T $t $(bench_fmt "$(bench_med "t${t}_cpq")" 1))"
done
[ "$BENCH_NCPU" -gt "${TS[${#TS[@]} - 1]}" ] ||
	echo "   NOTE: $BENCH_NCPU CPUs: the main lcore (and the collector) share CPUs with the generators"
bench_commands
bench_footer
