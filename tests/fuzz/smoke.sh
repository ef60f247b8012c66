#!/bin/bash
# Run one libFuzzer harness for SECONDS over a copy of its seed corpus and
# print one line: executions, rate, coverage. Exits non-zero on a crash, a
# leak or a timeout, naming the file that reproduces it.
#   smoke.sh HARNESS SEEDS_DIR [SECONDS]   (SECONDS: default $FUZZ_SECONDS, else 5)
# FUZZ_WORK (default: next to HARNESS) holds the corpus copy, the log and
# the crash files; FUZZ_ARGS adds libFuzzer options.
set -uo pipefail
exe=$1 seeds=$2 secs=${3:-${FUZZ_SECONDS:-5}}
name=$(basename "$exe")
work=${FUZZ_WORK:-$(dirname "$exe")/fuzz-work}/$name
rm -rf "$work/corpus" "$work/crashes" # a crash file of an earlier run is gone: keep a copy
mkdir -p "$work/corpus" "$work/crashes"
cp -r "$seeds"/. "$work/corpus/"
start=$SECONDS
# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/crashes/" ${FUZZ_ARGS:-} "$work/corpus" >"$work/log" 2>&1
rc=$?
elapsed=$((SECONDS - start))
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
printf '%s: %s executions in %s s (%s/s), coverage %s edges, %s features, corpus %s\n' \
	"$name" "${execs:-?}" "$elapsed" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
if [ $rc -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written to|==[0-9]+==' "$work/log" | head -20
	echo "$name: FAILED (exit $rc); log $work/log"
	ls "$work/crashes"/* 2>/dev/null | sed "s|^|reproduce: $exe |"
fi
exit $rc
