#!/bin/bash
# Results are never lost or made up: signals in every phase (start-up, sending,
# drain), the result file (kept on a failed start, never torn, FIFOs, a reader
# that goes away), report of a run that did not end, merge of the same run twice
# and of runs one after another. Against the embedded responder.
# usage: signals.sh DNSVOLLEY
set -euo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
S=$ROOT/scenarios
tmp=$(mktemp -d)
cleanup() { mountpoint -q "$tmp/small" 2>/dev/null && umount "$tmp/small"; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 77; }

# 1. A signal at start-up (before sending): one line, the shell's status, no
# result file (an earlier one stays as it was).
for sig in HUP INT TERM; do
	echo earlier > "$tmp/s.json"
	rc=0; timeout --preserve-status -s $sig 0.3 "$DV" --scenario "$S/quickstart.yaml" -l 3 \
		--json "$tmp/s.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
	grep -q "^dnsvolley: interrupted by SIG$sig before sending: nothing measured, no result written$" "$tmp/err" ||
		{ cat "$tmp/out" "$tmp/err"; fail "SIG$sig at start-up: no clear line (rc $rc)"; }
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "SIG$sig at start-up: more than one line"; }
	[ "$(cat "$tmp/s.json")" = earlier ] || fail "SIG$sig at start-up overwrote the result file"
	ls -a "$tmp" | grep -q '^\.s\.json\.' && fail "SIG$sig at start-up left a temporary file"
	echo "  ok: SIG$sig at start-up -> $rc, $(cat "$tmp/err")"
done

# Wait (up to 60 s: EAL is slow on a loaded machine) for the run writing FILE
# to print its first status line: it is sending.
sending() { local i; for i in $(seq 600); do grep -qE '^\[ *[0-9.]+s\] sent' "$1" 2>/dev/null && return 0; sleep 0.1; done
	cat "$1"; fail "$1: never started sending"; }

# 2. SIGHUP while sending: sending stops, drain, full report and JSON.
"$DV" --scenario "$S/quickstart.yaml" -l 10 --json "$tmp/h.json" >"$tmp/h.out" 2>&1 &
pid=$!
sending "$tmp/h.out"; kill -HUP $pid
rc=0; wait $pid || rc=$?
[ $rc -eq 0 ] || { cat "$tmp/h.out"; fail "SIGHUP mid-run: exit $rc"; }
grep -q '^\[Status\] Testing complete (interrupted)' "$tmp/h.out" || { cat "$tmp/h.out"; fail "SIGHUP mid-run: no report"; }
grep -q '^Interrupted: stopped by signal, drained outstanding queries' "$tmp/h.out" || fail "SIGHUP: not drained"
$CHECK "$tmp/h.json" "dv['interrupted'] is True" "sent > 0" "sent == answered + timeouts"
echo "  ok: SIGHUP mid-run -> report and stats_sum"

# Two SIGINTs GAP seconds apart, 1 s into sending, answers DELAY s late.
# usage: two_ints NAME DELAY TIMEOUT GAP
two_ints() {
	"$DV" --scenario "$S/quickstart.yaml" -Q 2000 -l 10 -t "$3" --responder delay="$2" \
		--json "$tmp/$1.json" >"$tmp/$1.out" 2>&1 &
	local pid=$! rc=0
	sending "$tmp/$1.out"; sleep 1; kill -INT $pid; sleep "$4"; kill -INT $pid
	wait $pid || rc=$?
	[ $rc -eq 0 ] || { cat "$tmp/$1.out"; fail "$1: two SIGINTs: exit $rc"; }
}

# 3. Two SIGINTs 0.5 s apart are one press: the drain is not cut short. Answers
# come 1.5 s late (timeout 3 s): cut short, they would all be lost.
two_ints c 1.5 3 0.5
grep -q '^Interrupted: stopped by signal, drained outstanding queries' "$tmp/c.out" || { cat "$tmp/c.out"; fail "coalesced: not drained"; }
$CHECK "$tmp/c.json" "sent > 2000" "sent == answered" "timeouts == 0" "interrupted == 0"
echo "  ok: two SIGINTs 0.5 s apart -> one press, drained"

# 4. A second press (> 1 s later) cuts the drain short: outstanding queries are
# abandoned, not timeouts, and the report says so.
two_ints d 3 5 1.3
grep -qE '^Interrupted: stopped by signal; a second signal cut the drain short: [0-9]+ queries abandoned' "$tmp/d.out" ||
	{ cat "$tmp/d.out"; fail "cut drain: not said"; }
grep -qE '^  Queries abandoned: +[0-9]+' "$tmp/d.out" || fail "no abandoned line"
$CHECK "$tmp/d.json" "timeouts == 0" "interrupted > 0" \
	"sent == answered + dv['families']['ipv4']['abandoned'] + dv['families']['ipv6']['abandoned']" \
	"dv['state']['interrupted'] is True"
echo "  ok: second SIGINT cuts the drain: abandoned, not lost"

# 5. The result file: a run that fails at start-up keeps the earlier result.
cp "$tmp/h.json" "$tmp/keep.json"
rc=0; "$DV" --scenario "$S/quickstart.yaml" -l 1 --eal=--no-such-eal-option --json "$tmp/keep.json" \
	>"$tmp/out" 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a bad EAL option did not fail"
cmp -s "$tmp/h.json" "$tmp/keep.json" || fail "a failed start overwrote the result file"
echo "  ok: failed start (rc $rc) kept the earlier result"

# A FIFO without reader: one line, exit 2, at once.
mkfifo "$tmp/fifo"
rc=0; timeout 20 "$DV" --scenario "$S/quickstart.yaml" -l 1 --json "$tmp/fifo" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q 'FIFO with no reader' "$tmp/err" ||
	{ cat "$tmp/err"; fail "FIFO without reader -> $rc"; }
# ... and with one: every record arrives.
cat "$tmp/fifo" > "$tmp/fifo.out" &
cat_pid=$!
"$DV" --scenario "$S/quickstart.yaml" -l 1 -q --json "$tmp/fifo" >/dev/null
wait $cat_pid
$CHECK "$tmp/fifo.out" "sent > 0"
echo "  ok: FIFO without reader refused, with one written"

# A reader that goes away (| head -1): no SIGPIPE death, the JSON is written.
set +o pipefail
"$DV" --scenario "$S/quickstart.yaml" -l 2 --json "$tmp/p.json" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
set -o pipefail
[ $rc -eq 0 ] || fail "stdout reader went away: exit $rc"
$CHECK "$tmp/p.json" "sent > 0" "sent == answered"
echo "  ok: | head -1 -> exit 0, stats_sum written"

# A full disk: one line, every line of the file complete; report rebuilds the
# run from its intervals, marked incomplete.
mkdir "$tmp/small"
mount -t tmpfs -o size=64k tmpfs "$tmp/small"
rc=0; "$DV" --scenario "$S/quickstart.yaml" -l 3 -S 0.1 --json "$tmp/small/r.json" >"$tmp/out" 2>"$tmp/err" || rc=$?
grep -q "^dnsvolley: --json: cannot write '$tmp/small/r.json': No space left on device (the file keeps its first [0-9]* records, each complete)$" "$tmp/err" ||
	{ cat "$tmp/err"; fail "full disk: no clear line"; }
grep -q '^Statistics:' "$tmp/out" || fail "full disk: no report"
python3 - "$tmp/small/r.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "last line torn"
recs = [json.loads(l) for l in lines[:-1]]
assert recs[0]["type"] == "header" and len(recs) >= 3, len(recs)
assert all(r["type"] == "stats_periodic" for r in recs[1:])
PY
cp "$tmp/small/r.json" "$tmp/full.json"
umount "$tmp/small"
"$DV" report --no-plots -o "$tmp/full.rep" "$tmp/full.json" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "report of a run without stats_sum"; }
grep -qE '^Incomplete: the run did not end \(no stats_sum record\); rebuilt from its [0-9]+ intervals' "$tmp/out" ||
	{ cat "$tmp/out"; fail "rebuilt report not marked incomplete"; }
python3 - "$tmp/full.json" "$tmp/out" <<'PY'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])][1:]
sent = sum(r["sent"]["queries"] for r in recs)
out = open(sys.argv[2]).read()
m = re.search(r"Queries sent: +(\d+)", out)
assert m and int(m.group(1)) == sent, (m and m.group(1), sent)
print(f"  ok: full disk -> {len(recs)} complete intervals, report rebuilt {sent} queries")
PY

# 6. merge: the same run twice is refused; runs one after another need --sequential.
expect2() { local rc=0; "$DV" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "dnsvolley $* -> $rc"; }
	echo "  ok: $(cat "$tmp/err")"; }
expect2 merge "$tmp/h.json" "$tmp/h.json"
grep -q 'hold the same run (runid' "$tmp/err" || fail "same run: wrong line"
expect2 merge "$tmp/h.json" "$tmp/p.json"
grep -q 'merge with --sequential' "$tmp/err" || fail "sequential runs: no hint"
"$DV" merge --sequential -o "$tmp/seq.json" "$tmp/p.json" "$tmp/h.json" >"$tmp/seq.out" 2>&1 || { cat "$tmp/seq.out"; fail "merge --sequential"; }
python3 - "$tmp/h.json" "$tmp/p.json" "$tmp/seq.json" "$tmp/seq.out" <<'PY'
import json, re, sys
h, p, m = ([json.loads(l) for l in open(x)] for x in sys.argv[1:4])
out = open(sys.argv[4]).read()
assert m[0]["merge"] == "sequential" and set(m[0]["merged_from"]) == {h[0]["runid"], p[0]["runid"]}
sh, sp, sm = h[-1], p[-1], m[-1]
assert sm["sent"]["queries"] == sh["sent"]["queries"] + sp["sent"]["queries"]
# Times add: the run time is the sum of both, not the longer one's.
st = lambda s: s["dnsvolley"]["state"]
run = float(re.search(r"Run time \(s\): +([0-9.]+)", out).group(1))
assert abs(run - (st(sh)["run_seconds"] + st(sp)["run_seconds"])) < 1e-3, run
# Each run's intervals, in the order the runs ran.
per = [r for r in m if r["type"] == "stats_periodic"]
assert len(per) == sum(r["type"] == "stats_periodic" for r in h + p)
assert all(a["since"] <= b["since"] for a, b in zip(per, per[1:]))
print("  ok: merge --sequential: times add, intervals in order")
PY
expect2 merge "$tmp/seq.json" "$tmp/h.json"
# The rates plot data breaks its lines at the gap between the runs.
"$DV" report -q -o "$tmp/seq.rep" "$tmp/seq.json" >/dev/null 2>&1 || true
if [ -f "$tmp/seq.rep/rates.dat" ]; then
	awk 'NF == 0 { blank++ } END { exit !(blank >= 1) }' "$tmp/seq.rep/rates.dat" || fail "no break in the rates plot"
fi
echo "signals: all checks passed"
