#!/bin/bash
#
# check-servers.sh DNSVOLLEY_BINARY: the compliance battery against real
# servers (issue 16).
#
# A two-namespace lab of its own names (dvcgen-PID/dvcsrv-PID, dvcg0/dvcs0, so
# that it runs beside the other labs). In the server namespace, one after
# another, the servers of tests/lab/servers.sh serve zone example. on the lab's
# two addresses: NSD, Knot DNS, BIND 9, Unbound (an auth-zone), PowerDNS
# Authoritative (the bind backend) and PowerDNS Recursor (the zone in its
# auth-zones). Against each, `dnsvolley check` from the generator namespace
# over the kernel's sockets: every check once to the IPv4 and once to the IPv6
# address, --json; then over the datapath (check --port af_xdp, each check 3
# times), held to the same table; and against NSD and Knot under load: the
# battery alone at a ramp's rates (--checks, -S), every level held to the table.
#
# A server's known non-compliances are the XFAIL table below, each check with
# the detail it must fail with (docs/interop.md explains them); they go to
# --expect-fail. The JSON is then held to the table exactly: every check there
# for both families, each listed one failing (or unanswered) with its detail,
# every other passing. A listed check that passes fails the test too: the
# table must follow the server.
#
# DV_CHECKSRV_SERVERS="nsd knot bind unbound pdns pdns-recursor" (the default)
# picks servers. Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools
# are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# Our own names: other labs (dvgen-/dvsrv-, dva..., dvx..., dvt...) may run at the same time.
LAB_NS_PREFIX=dvc LAB_GEN_IF=dvcg0 LAB_SRV_IF=dvcs0
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
# shellcheck source=SCRIPTDIR/../lab/servers.sh
. "$root/tests/lab/servers.sh"

# Seconds to wait for each answer (a check a server never answers costs this).
CHECK_TIMEOUT=2
# The servers the battery also runs against under load (a ramp of checks alone).
LOAD_SERVERS=${DV_CHECKSRV_LOAD:-nsd knot}
LOAD_RAMP=1000:10000:3

# Known failures: XFAIL["SERVER CHECK"]=the start of the detail it fails with.
declare -A XFAIL=(
	# NOTIMP without an OPT to a query with one (RFC 6891 7).
	["nsd opcode-edns"]="OPT: expected one in the answer"
	# Queries of an unknown opcode dropped (counted as corrupt-packets), no NOTIMP.
	["pdns opcode"]="no answer within the timeout"
	["pdns opcode-edns"]="no answer within the timeout"
	# Queries of an unknown opcode ignored (counted as ignored-packets), no NOTIMP.
	["pdns-recursor opcode"]="no answer within the timeout"
	["pdns-recursor opcode-edns"]="no answer within the timeout"
)
# The recursor answers its auth-zones without AA (as PowerDNS documents): every
# check that asks the zone's SOA (or DNSKEY) with AA required fails on AA alone,
# all the fields checked before AA being right.
for c in dns unknown-type tcp edns edns-option edns-flag edns-do edns-512 tcp-edns cookie keepalive; do
	XFAIL["pdns-recursor $c"]="AA: expected 1 (authoritative for the zone), got 0"
done

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
servers=${DV_CHECKSRV_SERVERS:-$SRV_IDS}
# shellcheck disable=SC2046,SC2086 # lists of names
lab_require_tools ip python3 $(srv_tools $servers)
[ -x "$bin" ] || lab_die "not an executable: $bin"
queries="$root/tests/data/lab-queries.txt"
[ -r "$queries" ] || lab_die "cannot read $queries"

# Every check of the battery, by id.
all_checks=$("$bin" check --list | awk '{ print $1 }' | paste -sd, -)
[ -n "$all_checks" ] || lab_die "dnsvolley check --list names no check"
for k in "${!XFAIL[@]}"; do
	case ",$all_checks," in *",${k#* },"*) ;; *) lab_die "XFAIL[$k]: no such check" ;; esac
done

lab_setup
tmp=$(lab_tmpdir)
srv_setup "$queries"

summary="$tmp/summary"
: >"$summary"

# Hold the JSON of one server's run to its XFAIL entries:
#   check_json JSON ALL_CHECKS [CHECK=DETAIL...]
# Over the datapath (a JSON with "datapath") a detail says the field and how
# many answers ("OPT: 3 of 3 answers differ there", "no answer to 3 queries"):
# the field is held to the XFAIL detail's.
check_json() {
	python3 - "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
checks = sys.argv[2].split(",")
want = dict(a.split("=", 1) for a in sys.argv[3:])
if doc.get("datapath"):
    def field(d):
        return "no answer" if d.startswith("no answer") else d.split(":", 1)[0]
    for r in doc["checks"]:
        r["detail"] = field(r["detail"])
    want = {c: field(d) for c, d in want.items()}
rows = {(r["check"], r["family"]): r for r in doc["checks"]}
bad = []
if len(doc["checks"]) != len(rows):
    bad.append("a check twice for one family")
for c in checks:
    for fam in ("v4", "v6"):
        r = rows.get((c, fam))
        if r is None:
            bad.append(f"{c} {fam}: not run")
        elif c not in want:
            if r["verdict"] != "pass":
                bad.append(f"{c} {fam}: {r['verdict']}: {r['detail']}")
        elif r["verdict"] == "pass":
            bad.append(f"{c} {fam}: passes now, though listed in XFAIL")
        elif not r["expected_failure"] or not r["detail"].startswith(want[c]):
            bad.append(f"{c} {fam}: {r['verdict']} with '{r['detail']}', expected '{want[c]}'")
s = doc["summary"]
n = 2 * len(checks)
if s["passed"] + s["expected"] != n or s["failed"] + s["no_answer"] != 0 or s["expected"] != 2 * len(want):
    bad.append(f"summary {s}: expected {n - 2 * len(want)} passed, {2 * len(want)} expected failures")
for b in bad:
    print("  check_json:", b)
sys.exit(1 if bad else 0)
PY
}

status=0
for id in $servers; do
	t0=$(date +%s.%N)
	srv_start "$id"
	version=$(srv_version "$id")
	xfail=() why=()
	for k in "${!XFAIL[@]}"; do
		[ "${k%% *}" = "$id" ] || continue
		xfail+=("${k#* }")
		why+=("${k#* }=${XFAIL[$k]}")
	done
	xlist=$(printf '%s\n' "${xfail[@]}" | sort | paste -sd, -)
	lab_log "$version ($id): dnsvolley check -z example., IPv4 and IPv6${xlist:+, --expect-fail $xlist}"
	rc=0
	lab_gen "$bin" check -s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -z example. -t "$CHECK_TIMEOUT" \
		--json "$tmp/$id-check.json" ${xlist:+--expect-fail "$xlist"} \
		>"$tmp/$id-check.out" 2>&1 || rc=$?
	sed "s/^/  /" "$tmp/$id-check.out"
	srv_status=0
	if [ "$rc" -ne 0 ]; then
		echo "check-servers $id: dnsvolley check exited with status $rc"
		srv_status=1
	fi
	check_json "$tmp/$id-check.json" "$all_checks" "${why[@]}" || srv_status=1

	# The same battery over the datapath (AF_XDP, judged on the collector without
	# ldns): each check 3 times per address, the same verdicts.
	lab_log "$version ($id): dnsvolley check --port af_xdp:$LAB_GEN_IF, each check 3 times"
	rc=0
	lab_exec_bpf gen timeout --kill-after=10 120 "$bin" check --port "af_xdp:$LAB_GEN_IF" \
		-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -z example. -t "$CHECK_TIMEOUT" --repeat 3 \
		--json "$tmp/$id-dp.json" ${xlist:+--expect-fail "$xlist"} >"$tmp/$id-dp.out" 2>&1 || rc=$?
	sed "s/^/  /" "$tmp/$id-dp.out"
	if [ "$rc" -ne 0 ]; then
		echo "check-servers $id: dnsvolley check --port exited with status $rc"
		srv_status=1
	fi
	check_json "$tmp/$id-dp.json" "$all_checks" "${why[@]}" || srv_status=1

	# Under load: the battery alone at a ramp's rates, by load level. Every answer
	# is held to the same table: a check fails where (and only where) the table
	# says, at every level; unanswered queries are load, not compliance.
	if [[ " $LOAD_SERVERS " == *" $id "* ]]; then
		lab_log "$version ($id): --checks example. --checks-share 100% --ramp $LOAD_RAMP -S 0.5"
		rc=0
		lab_exec_bpf gen timeout --kill-after=10 120 "$bin" --port "af_xdp:$LAB_GEN_IF" \
			-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" --checks example. --checks-share 100% \
			--ramp "$LOAD_RAMP" -S 0.5 -t 1 -q --json "$tmp/$id-load.json" \
			>"$tmp/$id-load.out" 2>&1 || rc=$?
		sed -n '/^Compliance under load/,/^$/p' "$tmp/$id-load.out" | sed "s/^/  /"
		if [ "$rc" -ne 0 ]; then
			cat "$tmp/$id-load.out"
			echo "check-servers $id: the load run exited with status $rc"
			srv_status=1
		fi
		python3 - "$tmp/$id-load.json" "$all_checks" "${why[@]}" <<'PY' || srv_status=1
import json, sys
rec = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
ch = rec["dnsvolley"]["checks"]
checks = sys.argv[2].split(",")
want = {a.split("=", 1)[0] for a in sys.argv[3:]}
rows = {c["id"]: c for c in ch["checks"]}
bad = []
if set(rows) != set(checks):
    bad.append(f"checks asked: {sorted(rows)}")
if len(ch["levels"]) < 4:
    bad.append(f"{len(ch['levels'])} load levels, expected 4 or more")
for c, r in rows.items():
    judged = r["passed"] + r["failed"] + r["no_answer"]
    if judged != r["sent"] or r["sent"] == 0:
        bad.append(f"{c}: sent {r['sent']}, judged {judged}")
    if c in want and not r["failed"] and r["failed_fields"] == {} and r["no_answer"] != r["sent"]:
        bad.append(f"{c}: listed in XFAIL, but no answer failed")
    if c not in want and r["failed"]:
        bad.append(f"{c}: {r['failed']} answers failed ({r['failed_fields']}) under load")
for l in ch["levels"]:
    for c, v in l["checks"].items():
        if c in want and v["passed"]:
            bad.append(f"{c}: passed at {l['offered_qps_lo']} qps, though listed in XFAIL")
for b in bad:
    print("  load:", b)
sys.exit(1 if bad else 0)
PY
	fi
	srv_stop
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	verdict=PASS
	if [ "$srv_status" -ne 0 ]; then
		srv_dump_logs
		verdict=FAIL
		status=1
	fi
	echo "check-servers $id: $verdict ($secs s)"
	printf '%-40s %-6s %s\n' "$version" "$verdict" \
		"$(tail -n 1 "$tmp/$id-check.out" | sed 's/^ *//')" >>"$summary"
done

echo "--- check-servers: each server"
cat "$summary"
exit "$status"
