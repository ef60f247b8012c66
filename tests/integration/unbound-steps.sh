#!/bin/bash
#
# unbound-steps.sh DNSVOLLEY_BINARY: the transport steps of dnsvolley's
# "--requery unbound" profile agree with what Unbound itself does for the same
# zone (large answers), as seen in a capture at the authoritative server.
#
# Lab: tests/lab/router.sh's three namespaces (generator - router - server,
# MTU 1280 toward the generator, IPv6 fragments after the first dropped).
# NSD in the server namespace serves router.sh's zone, whose wildcard
# *.wild.example. TXT has the ~3.1 kB RRset of big.example. under every name:
# every question of the test is a new name, so Unbound's cache hides no query,
# and the capture pairs each UDP query with its TCP query by name. tcpdump on
# the server's interface records port 53.
#
# 1. Unbound 1.17+ in the GENERATOR namespace (127.0.0.1@53, iterator only, no
#    validation, no qname minimisation, edns-buffer-size left at its default
#    1232, no tcp-upstream; tests/lab/unbound.sh), with two stub zones:
#    v6.wild.example. -> NSD's IPv6 address, v4.wild.example. -> NSD's IPv4
#    address, so one Unbound asks over each family. kdig (over TCP, on
#    loopback) asks it UB_N names per family (uI.v6.wild.example. TXT,
#    uI.v4.wild.example. TXT); each must come back with the whole RRset.
#    Then Unbound is stopped (dnsvolley's AF_XDP program takes the answers of
#    the target on dvg0).
# 2. dnsvolley over AF_XDP on dvg0: --requery unbound, EDNS 1232, names
#    {seq}.dv6.wild.example. (IPv6 target) and {seq}.dv4.wild.example. (IPv4
#    target), TXT, DV_QPS qps for 1 s each, each run with its own capture.
# 3. check_steps_capture.py turns each capture into per-question steps: the
#    UDP query answered with TC=1, then the next query for the same name from
#    the same address over TCP, the gap TC answer -> SYN (or -> the query on a
#    reused connection), UDP queries after the TC answer, UDP retries.
# Verdicts (per family):
#   Unbound:   all UB_N names reached NSD; >= 90% of them TC then TCP within
#              0.5 s, every one of those answered over TCP; median TC -> TCP
#              gap < GAP_MS; no UDP query after a TC answer.
#   dnsvolley: JSON: on_tc tcp, tcp_after 0; tc_then_tcp_answered and
#              answered_on[1].tcp >= 99% of logical queries, nothing answered
#              on attempt 1, no sequence longer than 2, no TCP failure,
#              gap_tcp_ns p50 < GAP_MS.
#              Capture: one question per logical query (+-1%), >= 99% TC then
#              a new TCP connection with the same question (one query per
#              connection, as dnsvolley's fallback), median gap < GAP_MS, no
#              UDP query after a TC answer, no UDP retry.
# Both medians and shares are printed side by side.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# Our own namespace names: other labs may run at the same time.
LAB_NS_PREFIX=${LAB_NS_PREFIX:-dvu}
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
# shellcheck source=SCRIPTDIR/../lab/router.sh
. "$root/tests/lab/router.sh"
# shellcheck source=SCRIPTDIR/../lab/capture.sh
. "$root/tests/lab/capture.sh"
# shellcheck source=SCRIPTDIR/../lab/unbound.sh
. "$root/tests/lab/unbound.sh"
ROUTER_V6_FRAG_DROP=nonfirst

UB_N=20           # names per family asked through Unbound
DV_QPS=100        # dnsvolley: logical queries per second, for 1 s, per family
GAP_MS=20         # "at once": median TC answer -> TCP, both sides
RUN_LIMIT_S=60    # a dnsvolley run must stop by itself well before this

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip ethtool nft nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf \
	kdig tcpdump python3 timeout
[ -x "$bin" ] || lab_die "not an executable: $bin"
analyze="$root/tests/integration/check_steps_capture.py"
[ -r "$analyze" ] || lab_die "cannot read $analyze"

lab_host_prereqs
router_setup
router_static_neigh
router_nsd_start
tmp=$(lab_tmpdir)

# The lab: a wildcard name's answer is too large for EDNS 1232 over both families.
for srv in "$LAB_SRV_V6" "$LAB_SRV_V4"; do
	flags=$(lab_gen kdig @"$srv" check.v6.wild.example. TXT +bufsize=1232 +ignore +timeout=2 +retry=1 \
		2>/dev/null | awk '/^;; Flags:/ { print }') || true
	case $flags in
	*" tc "*) ;;
	*) lab_die "kdig @$srv check.v6.wild.example. TXT +bufsize=1232: want TC, got '${flags:-no answer}'" ;;
	esac
	n=$(lab_gen kdig @"$srv" check.v6.wild.example. TXT +tcp +short +timeout=2 +retry=1 2>/dev/null | wc -l)
	[ "$n" -eq "$ROUTER_BIG_RRS" ] ||
		lab_die "kdig @$srv check.v6.wild.example. TXT +tcp: $n TXT records, want $ROUTER_BIG_RRS"
done
lab_log "NSD: NAME.wild.example. TXT is truncated at EDNS 1232 and whole over TCP, both families"

# --- 1. Unbound.
cap_start "$tmp/unbound.pcap"
unbound_start
fails=0
for fam in v6 v4; do
	for i in $(seq 1 "$UB_N"); do
		# Over TCP to Unbound (loopback, not captured): its answer to us is large too.
		n=$(lab_gen kdig @"$UB_ADDR" -p "$UB_PORT" "u$i.$fam.wild.example." TXT +tcp +short \
			+timeout=5 +retry=0 2>/dev/null | wc -l) || n=0
		[ "$n" -eq "$ROUTER_BIG_RRS" ] || {
			lab_log "unbound: u$i.$fam.wild.example. TXT: $n TXT records, want $ROUTER_BIG_RRS"
			fails=$((fails + 1))
		}
	done
done
unbound_stop
cap_stop_whole
[ "$fails" -le $((UB_N / 10)) ] || { unbound_dump_logs; lab_die "unbound failed $fails of $((2 * UB_N)) names"; }
lab_log "unbound resolved $((2 * UB_N - fails)) of $((2 * UB_N)) names"
python3 "$analyze" "$tmp/unbound.pcap" --suffix wild.example. >"$tmp/unbound.steps" ||
	lab_die "check_steps_capture.py: $(cat "$tmp/unbound.steps")"

# --- 2. dnsvolley, --requery unbound.
for fam in v6 v4; do
	case $fam in
	v6) target=$LAB_SRV_V6 ;;
	v4) target=$LAB_SRV_V4 ;;
	esac
	json="$tmp/dv-$fam.json"
	cap_start "$tmp/dv-$fam.pcap"
	lab_log "dnsvolley --requery unbound: $DV_QPS qps for 1 s of {seq}.dv$fam.wild.example. TXT to $target, EDNS 1232"
	rc=0
	# In the background so that INT/TERM run the cleanup at once (bash defers
	# traps until a foreground command ends); lab_cleanup stops it.
	lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" \
		"$bin" --port "af_xdp:$LAB_GEN_IF" -s "$target" \
		--qname "{seq}.dv$fam.wild.example." --qtypes TXT:1 -e 1232 --requery unbound \
		-Q "$DV_QPS" -l 1 -t 1 -S 0 --json "$json" >"$tmp/dv-$fam.out" 2>&1 &
	run_pid=$!
	LAB_PIDS+=("$run_pid")
	wait "$run_pid" || rc=$?
	lab_forget_pid "$run_pid"
	cap_stop_whole
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$tmp/dv-$fam.out" >&2
		lab_die "dnsvolley ($fam) exited with status $rc"
	fi
	python3 "$analyze" "$tmp/dv-$fam.pcap" --suffix wild.example. >"$tmp/dv-$fam.steps" ||
		lab_die "check_steps_capture.py: $(cat "$tmp/dv-$fam.steps")"
done

# --- 3. Verdicts.
status=0
python3 - "$UB_N" "$GAP_MS" "$DV_QPS" "$tmp/unbound.steps" "$tmp/dv-v6.steps" "$tmp/dv-v4.steps" \
	"$tmp/dv-v6.json" "$tmp/dv-v4.json" <<-'EOF' || status=1
	import json, sys
	ub_n, gap_ms, qps = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
	ub = json.load(open(sys.argv[4]))
	capv = {"ipv6": json.load(open(sys.argv[5])), "ipv4": json.load(open(sys.argv[6]))}
	def last_sum(path):
	    recs = [json.loads(l) for l in open(path) if l.strip()]
	    sums = [r for r in recs if r.get("type") == "stats_sum"]
	    assert len(sums) == 1 and recs[-1] is sums[0], f"{path}: want one stats_sum, last"
	    return sums[0]
	dvj = {"ipv6": last_sum(sys.argv[7]), "ipv4": last_sum(sys.argv[8])}
	bad = []
	def check(ok, what):
	    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
	    if not ok:
	        bad.append(what)
	pct = lambda a, b: 100.0 * a / b if b else 0.0

	rows = []
	for fam in ("ipv6", "ipv4"):
	    u = ub[fam]
	    print(f"unbound-steps {fam}: Unbound, capture at NSD: {json.dumps(u)}")
	    check(u["questions"] == ub_n,
	          f"Unbound {fam}: {u['questions']} of our {ub_n} names reached NSD")
	    check(u["tc_then_tcp"] >= 0.9 * u["questions"] and u["questions"] > 0,
	          f"Unbound {fam}: TC then TCP for {u['tc_then_tcp']} of {u['questions']} names "
	          f"({pct(u['tc_then_tcp'], u['questions']):.1f}%, need >= 90%)")
	    check(u["tcp_answered"] == u["tc_then_tcp"],
	          f"Unbound {fam}: {u['tcp_answered']} of {u['tc_then_tcp']} TCP queries answered whole")
	    check(u["udp_after_tc"] == 0,
	          f"Unbound {fam}: {u['udp_after_tc']} UDP queries after a TC answer (need 0)")
	    g = u["gap_ms"]
	    check(g["p50"] is not None and g["p50"] < gap_ms,
	          f"Unbound {fam}: median gap TC -> TCP {g['p50']} ms (p90 {g['p90']}, max {g['max']}; need < {gap_ms})")

	    s = dvj[fam]
	    dv = s["dnsvolley"]
	    seq = dv["sequences"]
	    x = seq["transport"]
	    L = seq["logical"]
	    print(f"unbound-steps {fam}: dnsvolley JSON: logical {L}, ended {seq['ended']}, "
	          f"answered {seq['answered']}, transport {json.dumps(x)}, answered_on {json.dumps(seq['answered_on'])}")
	    check(L >= 0.75 * qps and seq["ended"] == L,
	          f"dnsvolley {fam}: logical {L} (need >= {0.75 * qps:.0f}), ended {seq['ended']}")
	    check(x["on_tc"] == "tcp" and x["tcp_after"] == 0,
	          f"dnsvolley {fam}: on_tc {x['on_tc']}, tcp_after {x['tcp_after']} (the unbound profile: tcp, 0)")
	    check(x["tc_then_tcp_answered"] >= 0.99 * L,
	          f"dnsvolley {fam}: tc_then_tcp_answered {x['tc_then_tcp_answered']} of {L} "
	          f"({pct(x['tc_then_tcp_answered'], L):.1f}%, need >= 99%)")
	    a1, a2 = seq["answered_on"][0], seq["answered_on"][1]
	    check(a2["tcp"] >= 0.99 * L and a1["ipv4"] + a1["ipv6"] == 0 and a1["truncated"] == 0,
	          f"dnsvolley {fam}: answered on attempt 2 over TCP {a2['tcp']} (need >= 99%), "
	          f"answered on attempt 1 {a1['ipv4'] + a1['ipv6']} (need 0)")
	    longer = sum(v for k, v in seq["seq_len"].items() if int(k) > 2)
	    tcp_fail = sum(x["tcp_failed"].values()) + sum(x["tc_then_tcp_failed"].values())
	    check(longer == 0 and tcp_fail == 0 and x["seq_len_tcp"].get("2", 0) == x["tc_then_tcp_answered"],
	          f"dnsvolley {fam}: sequences longer than 2: {longer}, TCP failures {tcp_fail}, "
	          f"TCP sequences of 2: {x['seq_len_tcp'].get('2', 0)} (need 0, 0, = tc_then_tcp_answered)")
	    dgap = x["gap_tcp_ns"]
	    dgap_p50 = dgap["p50"] / 1e6 if dgap["count"] else None
	    check(dgap_p50 is not None and dgap_p50 < gap_ms,
	          f"dnsvolley {fam}: gap_tcp_ns p50 {dgap_p50} ms (p90 {dgap['p90'] / 1e6 if dgap['count'] else None}; need < {gap_ms})")

	    c = capv[fam][fam]
	    other = capv[fam]["ipv4" if fam == "ipv6" else "ipv6"]["questions"]
	    print(f"unbound-steps {fam}: dnsvolley, capture at NSD: {json.dumps(c)}")
	    check(abs(c["questions"] - L) <= max(1, 0.01 * L) and other == 0,
	          f"dnsvolley {fam}: {c['questions']} questions in the capture for {L} logical queries "
	          f"(need +-1%), {other} over the other family (need 0)")
	    check(c["tc_then_tcp"] >= 0.99 * c["questions"] and c["questions"] > 0,
	          f"dnsvolley {fam}: TC then TCP for {c['tc_then_tcp']} of {c['questions']} names "
	          f"({pct(c['tc_then_tcp'], c['questions']):.1f}%, need >= 99%)")
	    check(c["new_conn"] == c["tc_then_tcp"] and c["tcp_answered"] >= 0.99 * c["questions"],
	          f"dnsvolley {fam}: {c['new_conn']} on a new connection of {c['tc_then_tcp']}, "
	          f"{c['tcp_answered']} answered whole over TCP")
	    check(c["udp_after_tc"] == 0 and c["udp_retries"] == 0,
	          f"dnsvolley {fam}: UDP queries after TC {c['udp_after_tc']}, UDP retries {c['udp_retries']} (need 0, 0)")
	    g2 = c["gap_ms"]
	    check(g2["p50"] is not None and g2["p50"] < gap_ms,
	          f"dnsvolley {fam}: median gap TC -> SYN {g2['p50']} ms (p90 {g2['p90']}, max {g2['max']}; need < {gap_ms})")
	    rows.append((fam, u, c, dgap_p50, L, x))

	print("unbound-steps: summary (capture at NSD; gap = TC answer -> SYN, or -> the query on a reused connection)")
	print(f"  {'family':6} {'side':9} {'names':>6} {'TC->TCP':>8} {'share':>7} {'new conn':>8} {'reused':>6} "
	      f"{'UDP after TC':>12} {'gap p50 ms':>10} {'gap p90 ms':>10}")
	for fam, u, c, dgap_p50, L, x in rows:
	    for side, v in (("Unbound", u), ("dnsvolley", c)):
	        print(f"  {fam:6} {side:9} {v['questions']:6d} {v['tc_then_tcp']:8d} "
	              f"{pct(v['tc_then_tcp'], v['questions']):6.1f}% {v['new_conn']:8d} {v['reused_conn']:6d} "
	              f"{v['udp_after_tc']:12d} {v['gap_ms']['p50']!s:>10} {v['gap_ms']['p90']!s:>10}")
	    print(f"  {fam:6} dnsvolley JSON: tc_then_tcp_answered {x['tc_then_tcp_answered']} of {L} "
	          f"({pct(x['tc_then_tcp_answered'], L):.1f}%), gap_tcp p50 {dgap_p50} ms")
	if bad:
	    print(f"unbound-steps: FAIL: {len(bad)} checks failed:")
	    for b in bad:
	        print(f"  {b}")
	    sys.exit(1)
	print("unbound-steps: PASS: dnsvolley's transport steps agree with Unbound's")
EOF

[ "$status" -eq 0 ] || { nsd_dump_logs; unbound_dump_logs; }
exit "$status"
