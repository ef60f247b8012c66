#!/bin/bash
# Benchmark (not a test), issue 19: what one matched answer costs the
# collector, against the embedded responder (--port embedded), in three
# scenarios:
#   plain       answers of 512 bytes; reassembly enabled (the default), no
#               fragment arrives: the fragment path idle
#   nofrag      the same with --fragmented drop: no rte_ip_frag table at all
#   fragmented  answers of 3000 bytes in fragments of at most 1280
#               (--responder frag-mtu=1280): three per answer, reassembled
#   file        plain, the names from a query file of 100 000 (crafting.sh's)
#               instead of generated ones (not in the default list)
# Four modes:
#   wall   answered/s and the collector's TSC cycles per packet received
#          (JSON dnsvolley.cycles_per_response: the collector's busy TSC over
#          its packets), BENCH_REPS runs of BENCH_SECS s per scenario,
#          alternating with DV_BIN_BEFORE when set; medians. Generator,
#          collector and responder share this machine's cores: noisy, compare
#          builds side by side only.
#   instr  instructions per answer, counted by valgrind's callgrind inside
#          dv_col_step (--toggle-collect: the collector's loop and all it
#          calls, RX burst and mbuf frees included; neither the generator nor
#          the responder), over --max-queries N and 2N; the difference over N
#          is what one more answer costs, start-up and drain excluded. Does
#          not move with the machine's load. Collector on its own lcore
#          (--roles split), frugal polling, so that it polls about once per
#          burst under valgrind's serialised threads. The figure that does
#          not move with scheduling is col_packet's inclusive count (one
#          frame, classification to the last counter); col_busy (a poll with
#          frames), dv_seq_walk, col_timers and the total move with the number
#          of polls (printed per answer), and under valgrind a poll outlasts
#          the 100 us of the time-driven walks.
#   alone  the collector on a CPU of its own (--roles split --lcores 0,1,0:
#          generator and responder share CPU 0), its TSC cycles per packet
#          received, DV_BIN_BEFORE and DV_BIN back to back in BENCH_PAIRS
#          pairs of BENCH_SECS s, the order swapped every other pair; per
#          pair the ratio after / before, and their median. This VM's speed
#          moves the absolute figure by 2x within minutes; a pair's ratio
#          holds.
#   delivery  what receiving a frame and giving it back costs the collector:
#          a build of this tree with -DDV_BENCH_FRAMES_UNREAD (in
#          build-bench-unread, made on first use), whose collector frees every
#          frame unread, against DV_BIN in alone's pairs; its cycles per packet
#          and the ratio to the full collector's; not in all
#   floor  the least an answer costs from dnsvolley's own pieces
#          (build/tests/dv-rxfloor: warm frames in memory, no delivery, the
#          in-flight slots written by the same core): parse, + the match and
#          its record, + the name expanded again (unique names); BENCH_REPS
#          runs of BENCH_SECS s each, alternating modes, medians. On
#          BENCH_CPU.
#
# usage: tests/bench/collector.sh [wall|instr|alone|delivery|floor|all]   (default all)
#   env: DV_BIN (default build/app/dnsvolley), DV_BIN_BEFORE (an earlier build),
#        BENCH_REPS (5), BENCH_SECS (5), BENCH_PAIRS (alone: 8),
#        BENCH_QUERIES (instr: N, default 10000),
#        BENCH_INSTR_QPS (instr: -Q, default 2000), BENCH_SCENARIOS
#        (default "plain nofrag fragmented"), BENCH_HUGEPAGES=1 (wall and
#        alone: --hugepages, as a NIC's mbufs), BENCH_KEEP_TMP
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODE=${1:-all}
SECS=${BENCH_SECS:-5}
N=${BENCH_QUERIES:-10000}
IQPS=${BENCH_INSTR_QPS:-2000}
read -r -a SCEN <<<"${BENCH_SCENARIOS:-plain nofrag fragmented}"
PAIRS=${BENCH_PAIRS:-8}
case $MODE in wall | instr | alone | delivery | floor | all) ;; *) bench_die "usage: $0 [wall|instr|alone|delivery|floor|all]" ;; esac
[ -x "$DV_BIN" ] || bench_die "no dnsvolley binary at $DV_BIN (build it, or set DV_BIN)"
[ -z "${DV_BIN_BEFORE:-}" ] || [ -x "$DV_BIN_BEFORE" ] || bench_die "no binary at DV_BIN_BEFORE=$DV_BIN_BEFORE"
bench_init_plain
tmp=$(bench_tmp)
BUILDS=(after)
[ -z "${DV_BIN_BEFORE:-}" ] || BUILDS+=(before)
bin_of() { if [ "$1" = before ]; then echo "$DV_BIN_BEFORE"; else echo "$DV_BIN"; fi; }

# crafting.sh's query file (bench_query_file), made once.
query_file() {
	bench_query_file "$tmp/queries.txt"
	echo "$tmp/queries.txt"
}

# The options of a scenario, in the array OPTS.
# shellcheck disable=SC2054 # --responder takes a comma-separated list
scenario_opts() {
	OPTS=(-s 198.18.0.53 -e 4096)
	[ "${BENCH_HUGEPAGES:-0}" = 0 ] || OPTS+=(--hugepages)
	if [ "$1" = file ]; then
		OPTS+=(-d "$(query_file)" --responder size=512)
		return
	fi
	OPTS+=(--qname '{seq}.{rand8}.example.test')
	case $1 in
	plain) OPTS+=(--responder size=512) ;;
	nofrag) OPTS+=(--responder size=512 --fragmented drop) ;;
	fragmented) OPTS+=(--responder size=3000,frag-mtu=1280) ;;
	*) bench_die "unknown scenario $1" ;;
	esac
}

# ---- wall: answered/s and TSC cycles per packet received ----------------------

# wall_run REP BUILD SCENARIO
wall_run() {
	local rep=$1 build=$2 sc=$3 bin json out rc=0 v
	bin=$(bin_of "$build")
	json="$tmp/wall-$build-$sc-$rep.json" out="$tmp/wall-$build-$sc-$rep.out"
	scenario_opts "$sc"
	local cmd=("$bin" --port embedded --busy-poll -q -S 0 -Q 10M -l "$SECS" -t 0.2 "${OPTS[@]}"
		--json "$json" --eal "--file-prefix=dvcol$$$build$rep")
	bench_note_cmd "wall $build $sc" "${cmd[@]}"
	bench_run $((SECS + 60)) "$out" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "$build $sc exited with $rc: $(tail -n 5 "$out")"
	v=$(bench_json "$json" 's["received"]["responses"] / '"$SECS")
	[ -n "$v" ] || bench_die "no responses in $json"
	bench_add "$build-$sc" "$v"
	bench_add "$build-$sc-cpp" "$(bench_json "$json" 'dv["cycles_per_response"]')"
	bench_add "$build-$sc-frag" "$(bench_json "$json" 'sum(dv["fragments"]["received"].values()) / '"$SECS")"
}
bench_one_after() { local sc; for sc in "${SCEN[@]}"; do wall_run "$1" after "$sc"; done; }
bench_one_before() { local sc; for sc in "${SCEN[@]}"; do wall_run "$1" before "$sc"; done; }

wall() {
	echo "-- wall clock: answered/s and TSC cycles per packet received (embedded, --busy-poll, $SECS s, noisy)"
	bench_alternate "${BUILDS[@]}"
	local sc b
	for sc in "${SCEN[@]}"; do
		for b in "${BUILDS[@]}"; do
			bench_row "$b-$sc" "$b $sc: answered" "/s"
			bench_row "$b-$sc-cpp" "$b $sc: cycles per packet received" ""
			[ "$sc" != fragmented ] || bench_row "$b-$sc-frag" "$b $sc: fragments" "/s"
		done
		[ -z "${DV_BIN_BEFORE:-}" ] ||
			echo "   $sc after / before: answered/s $(bench_ratio "$(bench_med "after-$sc")" "$(bench_med "before-$sc")")x," \
				"cycles per packet $(bench_ratio "$(bench_med "after-$sc-cpp")" "$(bench_med "before-$sc-cpp")")x"
	done
}

# ---- alone: the collector on a CPU of its own, builds in pairs -----------------

# alone_run BUILD SCENARIO: "cycles answered/s" in $tmp/alone-BUILD.res
alone_run() {
	local build=$1 sc=$2 bin json out rc=0
	bin=$(bin_of "$build")
	json="$tmp/alone-$build.json" out="$tmp/alone-$build.out"
	rm -f "$json"
	scenario_opts "$sc"
	# shellcheck disable=SC2054 # --lcores takes a comma-separated list
	local cmd=("$bin" --port embedded --busy-poll --roles split --lcores 0,1,0 -q -S 0 -Q 10M -l "$SECS"
		-t 0.2 "${OPTS[@]}" --json "$json" --eal "--file-prefix=dvcola$$$build")
	bench_note_cmd "alone $build $sc" "${cmd[@]}"
	bench_run $((SECS + 60)) "$out" "${cmd[@]}" || rc=$?
	[ "$rc" -eq 0 ] || bench_die "alone $build $sc exited with $rc: $(tail -n 5 "$out")"
	bench_json "$json" '"%s %s" % (dv["cycles_per_response"], s["received"]["responses"] / '"$SECS"')' \
		>"$tmp/alone-$build.res"
	[ -s "$tmp/alone-$build.res" ] || bench_die "alone $build $sc: no cycles_per_response in $json"
}

alone() {
	echo "-- the collector on a CPU of its own: TSC cycles per packet received ($SECS s a run, --busy-poll)"
	local sc i b first bc bq ac aq
	for sc in "${SCEN[@]}"; do
		for ((i = 1; i <= PAIRS; i++)); do
			local order=(after)
			[ -z "${DV_BIN_BEFORE:-}" ] || read -ra order <<<"$(bench_pair_order "$i")"
			first=${order[0]}
			for b in "${order[@]}"; do
				bench_log "$sc pair $i/$PAIRS: $b"
				alone_run "$b" "$sc"
			done
			read -r ac aq <"$tmp/alone-after.res"
			bench_add "alone-after-$sc" "$ac"
			if [ -z "${DV_BIN_BEFORE:-}" ]; then
				printf '   %-10s run %2d: %6.1f cycles (%s answered/s)\n' "$sc" "$i" "$ac" "$(bench_si "$aq")"
				continue
			fi
			read -r bc bq <"$tmp/alone-before.res"
			bench_add "alone-before-$sc" "$bc"
			bench_add "alone-ratio-$sc" "$(bench_ratio "$ac" "$bc")"
			printf '   %-10s pair %2d (%-6s first): before %6.1f cycles (%s answered/s)  after %6.1f cycles (%s answered/s)  after / before %s\n' \
				"$sc" "$i" "$first" "$bc" "$(bench_si "$bq")" "$ac" "$(bench_si "$aq")" "$(bench_ratio "$ac" "$bc")"
		done
		if [ -n "${DV_BIN_BEFORE:-}" ]; then
			echo "   $sc after / before cycles per packet received: median $(bench_med "alone-ratio-$sc") (pairs:$(bench_vals "alone-ratio-$sc"))"
		else
			echo "   $sc cycles per packet received: median $(bench_fmt "$(bench_med "alone-after-$sc")" 1)"
		fi
	done
}

# ---- instr: instructions per answer inside dv_col_step --------------------------

# instr_run BUILD SCENARIO QUERIES: callgrind's profile in $tmp/instr-BUILD-SCENARIO-QUERIES.cg
instr_run() {
	local build=$1 sc=$2 q=$3 bin out=$tmp/instr-$1-$2-$3
	bin=$(bin_of "$build")
	scenario_opts "$sc"
	local cmd=(valgrind --tool=callgrind --toggle-collect=dv_col_step --callgrind-out-file="$out.cg"
		"$bin" --port embedded --roles split -q -S 0 -Q "$IQPS" --max-queries "$q" -l 600 -t 5
		"${OPTS[@]}" --eal "--file-prefix=dvcoli$$$build")
	bench_note_cmd "instr $build $sc" "${cmd[@]}"
	bench_run 1200 "$out.log" "${cmd[@]}" || bench_die "$build $sc failed: $(tail -n 3 "$out.log")"
	grep -q "Queries completed: *$q " "$out.log" ||
		echo "   WARNING: $build $sc: not every one of $q queries answered ($(grep 'Queries completed' "$out.log"))"
}

instr() {
	if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
		bench_die "instr needs valgrind (apt-get install valgrind)"
	fi
	echo "-- instructions per answer in the collector (callgrind inside dv_col_step; $N and $((2 * N)) queries," \
		"-Q $IQPS, --roles split)"
	local sc b
	for sc in "${SCEN[@]}"; do
		for b in "${BUILDS[@]}"; do
			instr_run "$b" "$sc" "$N"
			instr_run "$b" "$sc" $((2 * N))
			python3 "$BENCH_ROOT/tests/bench/callgrind_delta.py" "$tmp/instr-$b-$sc-$N.cg" \
				"$tmp/instr-$b-$sc-$((2 * N)).cg" "$N" --calls col_timers,col_busy \
				--incl col_packet,col_busy,dv_seq_walk,col_timers --top 12 --tag "$b $sc" |
				sed -e '1s/ per unit, \(-*[0-9.]*\) calls of col_timers, \(-*[0-9.]*\) calls of col_busy/ per answer in all; polls per answer \1, with packets \2/'
		done
	done
}

# ---- delivery: the collector with its frames freed unread ------------------------

delivery() {
	local dir=$BENCH_ROOT/build-bench-unread
	[ -f "$dir/build.ninja" ] ||
		meson setup "$dir" "$BENCH_ROOT" --buildtype=debugoptimized -Dintegration=false \
			-Dc_args=-DDV_BENCH_FRAMES_UNREAD >"$tmp/unread-setup.log" 2>&1 ||
		bench_die "cannot set up $dir: $(tail -n 3 "$tmp/unread-setup.log")"
	ninja -C "$dir" app/dnsvolley >"$tmp/unread-build.log" 2>&1 ||
		bench_die "cannot build $dir: $(tail -n 3 "$tmp/unread-build.log")"
	echo "-- delivery: receiving the frames and giving them back; before: DV_BIN, after: its frames freed unread ($dir)"
	DV_BIN_BEFORE=$DV_BIN
	DV_BIN=$dir/app/dnsvolley
	alone
}

# ---- floor: the least an answer costs (dv-rxfloor) ------------------------------

floor() {
	local bin=$BENCH_ROOT/build/tests/dv-rxfloor qfile r m v
	[ -x "$bin" ] || bench_die "no $bin (build the tree)"
	qfile=$(query_file)
	echo "-- the floor: TSC cycles per answer from dnsvolley's pieces, frames warm, no delivery ($SECS s a run, CPU $BENCH_CPU)"
	for ((r = 1; r <= BENCH_REPS; r++)); do
		for m in parse match unique; do
			local cmd=(taskset -c "$BENCH_CPU" "$bin" "$m" "$SECS" "$qfile")
			bench_note_cmd "floor $m" "${cmd[@]}"
			v=$("${cmd[@]}") || bench_die "dv-rxfloor $m failed"
			bench_add "floor-$m" "$(echo "$v" | awk '{ print $2 }')"
		done
	done
	for m in parse match unique; do
		echo "   $m: median $(bench_fmt "$(bench_med "floor-$m")" 1) cycles (runs:$(bench_vals "floor-$m"))"
	done
}

placement="no pinning (generator, collector, responder and main lcore share the CPUs)"
[ "$MODE" != alone ] && [ "$MODE" != delivery ] || placement="--lcores 0,1,0: the collector alone on CPU 1"
[ "$MODE" != floor ] || placement="dv-rxfloor on CPU $BENCH_CPU"
bench_header "collector: what a matched answer costs (embedded responder)" "$placement"
[ -z "${DV_BIN_BEFORE:-}" ] || echo "   before: $DV_BIN_BEFORE"
case $MODE in
wall) wall ;;
instr) instr ;;
alone) alone ;;
delivery) delivery ;;
floor) floor ;;
all) wall; alone; floor; instr ;;
esac
bench_commands
bench_footer
