#!/bin/bash
# Benchmark (not a test): two builds' generator cycles per query, compared
# pair by pair. Each pair runs both builds back to back on the same CPU
# (crafting.sh's run: --port null, unique names, --max), BEFORE first in odd
# pairs and AFTER first in even ones, lest the order favour one; short runs,
# and prints both and their ratio. This VM switches between a fast and a slow
# mode, sometimes in the middle of a run (docs/performance.md); a pair that
# ran in one mode gives a sound ratio where medians over a longer alternation
# mix the modes. Look at the pairs, not only at the median.
#
# usage: tests/bench/pairs.sh BEFORE_BIN [AFTER_BIN]
#        (env: BENCH_PAIRS, default 8; BENCH_SECS, default 3; BENCH_CPU;
#        BENCH_ARGS, more options for both builds; BENCH_ARGS_BEFORE and
#        BENCH_ARGS_AFTER, for one side only, after BENCH_ARGS: one build
#        against itself with other options, e.g. BENCH_ARGS_AFTER="-t 0.0005")
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -ge 1 ] || bench_die "usage: tests/bench/pairs.sh BEFORE_BIN [AFTER_BIN]"
BEFORE=$1
AFTER=${2:-$DV_BIN}
PAIRS=${BENCH_PAIRS:-8}
SECS=${BENCH_SECS:-3}
[ -x "$BEFORE" ] || bench_die "not an executable: $BEFORE"
[ -x "$AFTER" ] || bench_die "not an executable: $AFTER"
BENCH_REPS=$PAIRS # the header's "reps"

bench_require taskset python3
bench_init_plain
tmp=$(bench_tmp)

# one BIN TAG SIDE_ARGS: one run; its cycles per query and rate, as "CPQ QPS", in $tmp/TAG.res.
one() {
	local bin=$1 tag=$2 json="$tmp/$2.json" rc=0
	# shellcheck disable=SC2206 # BENCH_ARGS and the side's: options, split on spaces
	local cmd=(taskset -c "$BENCH_CPU" "$bin" --port null -s 198.18.0.2 --max -l "$SECS" -t 0.05
		--qname '{seq}.{rand8}.bench.test' --quiet --json "$json" ${BENCH_ARGS:-} $3)
	bench_note_cmd "$tag" "${cmd[@]}"
	bench_run $((SECS + 30)) "$tmp/$tag.out" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "$tag exited with $rc: $(tail -n 5 "$tmp/$tag.out")"
	bench_json "$json" '"%s %s" % (dv["cycles_per_query"], dv["achieved_qps"])' >"$tmp/$tag.res"
}

bench_header "pairs: generator cycles per query, two builds back to back, the order swapped every other pair"
echo "   before: $BEFORE"
echo "   after:  $AFTER"
[ -z "${BENCH_ARGS_BEFORE:-}${BENCH_ARGS_AFTER:-}" ] ||
	echo "   options: before '${BENCH_ARGS_BEFORE:-}', after '${BENCH_ARGS_AFTER:-}'"
declare -A bin=([before]=$BEFORE [after]=$AFTER) args=([before]=${BENCH_ARGS_BEFORE:-} [after]=${BENCH_ARGS_AFTER:-})
for i in $(seq "$PAIRS"); do
	read -ra order <<<"$(bench_pair_order "$i")"
	first=${order[0]}
	for side in "${order[@]}"; do
		one "${bin[$side]}" "$side" "${args[$side]}"
	done
	read -r bc bq <"$tmp/before.res" || true
	read -r ac aq <"$tmp/after.res" || true
	if [ -z "${bc:-}" ] || [ -z "${ac:-}" ]; then bench_die "pair $i: no cycles_per_query in the JSON"; fi
	r=$(bench_ratio "$ac" "$bc")
	bench_add ratio "$r"
	printf '   pair %2d (%-6s first): before %6.1f cycles (%s qps)  after %6.1f cycles (%s qps)  after / before %s\n' \
		"$i" "$first" "$bc" "$(bench_si "$bq")" "$ac" "$(bench_si "$aq")" "$r"
done
echo "   after / before cycles per query: median $(bench_med ratio) (pairs:$(bench_vals ratio))"
bench_commands
bench_footer
