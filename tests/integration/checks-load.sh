#!/bin/bash
# The compliance battery under load (--checks, issue 16) against the embedded
# responder: exact ground truth. A compliant responder passes every check;
# each of its defects on purpose fails exactly the checks that look at that
# field (or leaves them unanswered), and every attempt of a check is counted
# once; a ramp against a rate-limited responder finds the rate where
# answers stop, by load level.
# usage: checks-load.sh DNSVOLLEY
set -euo pipefail
# shellcheck source=prologue.sh
. "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"

C="dv['checks']['checks']"
# Every check sent; each attempt passed, failed or unanswered, once.
whole="len($C) == EXPECTED and all(c['passed'] + c['failed'] + c['no_answer'] == c['sent'] > 0 for c in $C)"

# checks_case NAME DEFECTS FAILING UNANSWERED FIELD [OPTIONS...]: FAILING (a Python
# set of check ids) fail, every one by FIELD; UNANSWERED are never answered; the rest pass.
checks_case() {
	local name=$1 defects=$2 failing=$3 unanswered=$4 field=$5 n=14
	shift 5
	local resp=()
	[ -z "$defects" ] || resp=(--responder "$defects")
	case " $* " in *" tcp "*) n=3 ;; esac
	echo "--- $name"
	run --port embedded -s 198.18.0.53 -d "$Q" -Q 2000 -l 1 -t 0.3 -S 0 \
		--checks example. --checks-share 100% "${resp[@]}" --json "$tmp/$name.json" "$@"
	grep -q '^Compliance under load' "$tmp/out"
	$CHECK "$tmp/$name.json" "${whole/EXPECTED/$n}" \
		"{c['id'] for c in $C if c['failed']} == $failing" \
		"all(c['failed'] == c['sent'] and c['failed_fields'] == {'$field': c['sent']} for c in $C if c['id'] in $failing)" \
		"{c['id'] for c in $C if c['no_answer']} == $unanswered" \
		"all(c['no_answer'] == c['sent'] for c in $C if c['id'] in $unanswered)" \
		"all(c['passed'] == c['sent'] for c in $C if c['id'] not in $failing | $unanswered)" \
		"all(c['first_failure_qps'] is None for c in $C if c['id'] not in $failing)"
}

none="set()"
aa="{'dns', 'unknown-type', 'tcp', 'edns', 'edns-option', 'edns-flag', 'edns-do', 'edns-512', 'tcp-edns', 'cookie', 'keepalive'}"
checks_case compliant "" "$none" "$none" -
checks_case no-aa no-aa "$aa" "$none" AA
checks_case no-badvers no-badvers "{'edns-version'}" "$none" rcode
checks_case echo-option echo-option "{'edns-option'}" "$none" "EDNS options"
checks_case echo-flags echo-flags "{'edns-flag'}" "$none" "EDNS flags"
checks_case drop-do drop-do "$none" "{'edns-do', 'edns-512'}" -
checks_case opcode-as-query opcode-as-query "{'opcode', 'opcode-edns'}" "$none" rcode
checks_case notimp-no-opt notimp-no-opt "{'opcode-edns'}" "$none" OPT
checks_case bad-cookie bad-cookie "{'cookie'}" "$none" COOKIE
# A UDP run asks the TCP checks over TCP: a keepalive of 3 bytes fails only its own.
checks_case bad-keepalive bad-keepalive "{'keepalive'}" "$none" edns-tcp-keepalive
# With --transport tcp every attempt goes over TCP: the battery's TCP checks alone.
checks_case tcp "" "$none" "$none" - --transport tcp
checks_case tcp-no-aa no-aa "{'tcp', 'tcp-edns', 'keepalive'}" "$none" AA --transport tcp
# Both families: each check meets both, the share of each within one of half.
echo "--- families"
run --port embedded -s 198.18.0.53 -s 2001:2::53 -d "$Q" -Q 2000 -l 1 -t 0.3 -S 0 --checks example. \
	--checks-share 100% --json "$tmp/families.json"
$CHECK "$tmp/families.json" "${whole/EXPECTED/14}" "answered == sent" \
	"all(abs(c['families']['ipv4']['sent'] - c['families']['ipv6']['sent']) <= 1 for c in $C)" \
	"all(f['passed'] == f['sent'] for c in $C for f in c['families'].values())"

# A share of the load: 10 % of the logical queries are checks, in turn.
echo "--- share"
run --port embedded -s 198.18.0.53 -d "$Q" -Q 4000 -l 1 -t 0.3 -S 0 --checks example. \
	--checks-share 10% --json "$tmp/share.json"
$CHECK "$tmp/share.json" "${whole/EXPECTED/14}" "answered == sent" \
	"abs(sum(c['sent'] for c in $C) - sent / 10) <= 1" \
	"max(c['sent'] for c in $C) - min(c['sent'] for c in $C) <= 1" \
	"all(c['passed'] == c['sent'] for c in $C)"

# By load level: a ramp from 1000 to 6000 qps against a responder that answers
# at most 2500 qps: nothing unanswered below it, the first level without every
# answer at or above it, and the levels in order.
echo "--- ramp"
run --port embedded -s 198.18.0.53 -d "$Q" --ramp 1000:6000:3 -t 0.3 -S 0.25 \
	--checks example. --checks-share 100% --responder rate=2500 --json "$tmp/ramp.json"
grep -q 'By load level' "$tmp/out"
L="dv['checks']['levels']"
$CHECK "$tmp/ramp.json" "${whole/EXPECTED/14}" \
	"len($L) >= 4" \
	"all(a['offered_qps_lo'] <= b['offered_qps_lo'] for a, b in zip($L, $L[1:]))" \
	"all(c['failed'] == 0 for c in $C)" \
	"min(c['first_no_answer_qps'] for c in $C if c['no_answer']) >= 2000" \
	"all(sum(v['no_answer'] for v in l['checks'].values()) == 0 for l in $L if l['offered_qps_hi'] < 2000)"
# dnsvolley report rebuilds the levels from the file's intervals: the same rows in its
# text as the run printed, and the HTML section with a row per check.
"$DV" report --no-plots -o "$tmp/rep" "$tmp/ramp.json" >"$tmp/rep.out" 2>&1 || { cat "$tmp/rep.out"; exit 1; }
levels_of() { sed -n '/By load level/,/^$/p' "$1" | grep -cE '^ +[0-9]'; }
nrun=$(levels_of "$tmp/out") nrep=$(levels_of "$tmp/rep.out")
echo "levels: run $nrun, report $nrep"
[ "$nrun" -ge 4 ] && [ "$nrun" = "$nrep" ]
html=$tmp/rep/report.html
grep -q '<h2>Compliance under load</h2>' "$html"
[ "$(grep -o '<tr><td>' "$html" | wc -l)" = 14 ]
grep -q 'class="none"' "$html" && grep -q 'class="pass"' "$html"
# dnsvolley check --port: the battery as a run of checks alone, a line per check and
# family, the exit status for CI; a defect of the responder is a failure (exit 1)
# unless expected.
echo "--- check --port"
"$DV" check --port embedded -s 198.18.0.53 -s 2001:2::53 -z example. --repeat 2 \
	--json "$tmp/cp.json" >"$tmp/cp.out" 2>&1 || { cat "$tmp/cp.out"; exit 1; }
cat "$tmp/cp.out"
python3 - "$tmp/cp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["datapath"] == "embedded" and d["summary"] == {"passed": 28, "failed": 0, "no_answer": 0, "expected": 0}, d["summary"]
assert all(c["detail"] == "2 of 2 answers" for c in d["checks"]), [c["detail"] for c in d["checks"]]
PY
rc=0
"$DV" check --port embedded -s 198.18.0.53 -s 2001:2::53 -z example. --repeat 2 --responder echo-flags \
	--json "$tmp/cpf.json" >"$tmp/cpf.out" 2>&1 || rc=$?
cat "$tmp/cpf.out"
[ "$rc" = 1 ]
python3 - "$tmp/cpf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [(c["check"], c["family"], c["detail"]) for c in d["checks"] if c["verdict"] != "pass"]
assert bad == [("edns-flag", "v4", "EDNS flags: 2 of 2 answers differ there"),
               ("edns-flag", "v6", "EDNS flags: 2 of 2 answers differ there")], bad
PY
"$DV" check --port embedded -s 198.18.0.53 -z example. --repeat 1 --responder echo-flags \
	--expect-fail edns-flag -q
echo "checks-load: PASS"
