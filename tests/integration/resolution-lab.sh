#!/bin/bash
#
# resolution-lab.sh DNSVOLLEY_BINARY: resolvers' transport steps and time to
# resolution against a real authoritative server, checked on a capture.
#
# The router lab (tests/lab/router.sh): generator - router - server, MTU 1280
# toward the generator, the router dropping IPv6 fragments after the first.
# NSD answers NAME.wild.example. TXT with about 3.1 kB (unique names: one
# sequence each). tcpdump on the server's interface records port 53; the
# capture (check_resolution_capture.py) is the truth dnsvolley is held to.
# dnsvolley over AF_XDP, IPv6, 100 names a second for 1 s, per case:
#
#   tc-tcp   EDNS 1232, --requery unbound: every answer comes back TC=1 and
#            the name is asked again over TCP at once. Capture: every name
#            answered with TC has a TCP connection from the same address for
#            it, its SYN within 10 ms of the TC answer, and no UDP query after
#            the TC. dnsvolley: every logical query "TC, then answered over
#            TCP"; its time-to-resolution median within 1 ms of the capture's.
#   timer    EDNS 4096, --requery unbound: the answers' fragments are dropped;
#            the retry follows the 376 ms timer: the capture's gap between a
#            name's first and second query is 376 ms +-2 ms (median, and 95 %
#            of names); every name fails, none goes to TCP (Unbound does not).
#   tcp-after EDNS 4096, --requery knot-resolver: two UDP timeouts (400,
#            800 ms), then TCP: every name resolves over TCP after them; the
#            capture's and dnsvolley's mean time to resolution within 1 ms
#            (dnsvolley's percentiles are histogram bucket bounds, < 6.25 %
#            wide: its median within one bucket of the capture's).
#   flag-day EDNS 1232 against 4096 over both families (--family mix:0.5: a
#            name stays on the family it started on), --requery unbound
#            (scenarios/flag-day-1232-vs-4096.yaml against a real server):
#            1232 resolves every name within 100 ms, over either family; 4096
#            only over IPv4, whose fragments the router passes (about half the
#            names, at once), never over IPv6. Its text table is printed
#            (docs/scenarios.md).
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
# shellcheck source=SCRIPTDIR/../lab/router.sh
. "$root/tests/lab/router.sh"
# shellcheck source=SCRIPTDIR/../lab/capture.sh
. "$root/tests/lab/capture.sh"
ROUTER_V6_FRAG_DROP=nonfirst

QPS=100
SECONDS_RUN=1
RUN_LIMIT_S=60

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip ethtool nft nsd nsd-checkconf nsd-checkzone kdig tcpdump python3 timeout
[ -x "$bin" ] || lab_die "not an executable: $bin"

lab_host_prereqs
router_setup
router_static_neigh
router_nsd_start
tmp=$(lab_tmpdir)

got=$(lab_gen kdig @"$LAB_SRV_V6" x1.wild.example. TXT +bufsize=1232 +ignore +timeout=2 +retry=0 2>/dev/null |
	awk '/^;; Flags:/ { print }' || true)
case $got in
*" tc "*) lab_log "kdig @$LAB_SRV_V6 x1.wild.example. TXT, EDNS 1232: truncated" ;;
*) lab_die "kdig @$LAB_SRV_V6 x1.wild.example. TXT +bufsize=1232: want TC, got '${got:-no answer}'" ;;
esac


# run_case NAME ARGS...: dnsvolley over AF_XDP to the server's IPv6 address,
# captured; leaves $tmp/NAME.json and $tmp/NAME.cap.json (the capture's summary).
run_case() {
	local name=$1 rc=0
	shift
	cap_start "$tmp/$name.pcap" 2048 'port 53 or (ip6[6] == 44)'
	lab_log "dnsvolley $name: $QPS names/s for $SECONDS_RUN s of N.wild.example. TXT to $LAB_SRV_V6: $*"
	lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" \
		"$bin" --port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V6" \
		--qname "{seq}.$name.wild.example." --qtypes TXT:1 \
		-Q "$QPS" -l "$SECONDS_RUN" -S 0 --json "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>&1 &
	local run_pid=$!
	LAB_PIDS+=("$run_pid")
	wait "$run_pid" || rc=$?
	sleep 0.2
	cap_stop
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/$name.out"
		echo "resolution-lab $name: FAIL: dnsvolley exited with status $rc"
		return 1
	fi
	# The router drops the IPv6 answers' fragments: a fragmented answer resolves nothing.
	python3 "$here/check_resolution_capture.py" --frag-lost "$tmp/$name.pcap" "$LAB_GEN_V6" \
		>"$tmp/$name.cap.json"
}

# judge NAME EXPR...: each EXPR a Python expression over dv (dnsvolley's
# extension object), seq (dv['sequences']), x (its 'transport'), ttr
# (dv['time_to_resolution'][0]), cap (the capture's summary), med(list);
# prints the values, fails on the first false one.
judge() {
	local name=$1
	shift
	python3 - "$tmp/$name.json" "$tmp/$name.cap.json" "$name" "$@" <<-'EOF'
		import json, statistics, sys
		path, cpath, name, exprs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
		recs = [json.loads(l) for l in open(path) if l.strip()]
		dv = recs[-1]["dnsvolley"]
		seq = dv["sequences"]
		x = seq.get("transport", {})
		ttr = dv["time_to_resolution"][0]
		cap = json.load(open(cpath))
		med = lambda v: statistics.median(v) if v else float("nan")
		env = dict(dv=dv, seq=seq, x=x, ttr=ttr, cap=cap, med=med)
		print(f"resolution-lab {name}: logical {seq['logical']}, answered {seq['answered']}, "
		      f"failed {seq['failed']}; dnsvolley time to resolution p50 {ttr['p50_ns'] / 1e6:.3f} ms, "
		      f"mean {ttr['mean_ns'] / 1e6:.3f} ms; capture: names {cap['names']}, TC {cap['tc_names']}, "
		      f"TC then TCP {cap['tc_then_tcp']}, TC->SYN median {med(cap['tc_to_syn_ms']):.3f} ms, "
		      f"retry gap median {med(cap['udp_retry_gaps_ms']):.3f} ms, resolved {cap['resolved']}, "
		      f"resolution median {med(cap['resolve_ms']):.3f} ms, "
		      f"mean {statistics.fmean(cap['resolve_ms']) if cap['resolve_ms'] else float('nan'):.3f} ms")
		bad = [e for e in exprs if not eval(e, dict(env))]  # noqa: S307 - test-owned
		for e in bad:
		    print(f"resolution-lab {name}: FAIL: {e}")
		sys.exit(1 if bad else 0)
	EOF
}

status=0

run_case tc-tcp -e 1232 --requery unbound -t 1 && judge tc-tcp \
	"seq['logical'] >= 50 and seq['ended'] == seq['logical']" \
	"x['tc_then_tcp_answered'] == seq['logical'] and seq['answered'] == seq['logical']" \
	"cap['names'] == seq['logical'] and cap['tc_names'] == cap['names']" \
	"cap['tc_then_tcp'] == cap['tc_names'] and cap['udp_after_tc'] == 0" \
	"max(cap['tc_to_syn_ms']) < 10" \
	"cap['resolved'] == cap['names']" \
	"abs(ttr['p50_ns'] / 1e6 - med(cap['resolve_ms'])) < 1.0" || status=1

run_case timer -e 4096 --requery unbound -t 1 && judge timer \
	"seq['logical'] >= 50 and seq['failed'] == seq['logical']" \
	"x['tcp_after'] == 0 and sum(x['tcp_failed'].values()) == 0" \
	"('tcp' not in dv or dv['tcp']['opened'] == 0)" \
	"cap['names'] == seq['logical'] and len(cap['udp_retry_gaps_ms']) == cap['names']" \
	"abs(med(cap['udp_retry_gaps_ms']) - 376) <= 2" \
	"sum(abs(g - 376) <= 2 for g in cap['udp_retry_gaps_ms']) >= 0.95 * len(cap['udp_retry_gaps_ms'])" \
	"cap['resolved'] == 0 and cap['tc_names'] == 0" || status=1

run_case tcp-after -e 4096 --requery knot-resolver -t 1 && judge tcp-after \
	"seq['logical'] >= 50 and seq['answered'] == seq['logical']" \
	"x['tcp_after_timeouts_answered'] == seq['logical']" \
	"cap['names'] == seq['logical'] and cap['resolved'] == cap['names']" \
	"abs(med(cap['udp_retry_gaps_ms']) - 400) <= 2" \
	"abs(ttr['mean_ns'] / 1e6 - sum(cap['resolve_ms']) / len(cap['resolve_ms'])) < 1.0" \
	"abs(ttr['p50_ns'] / 1e6 - med(cap['resolve_ms'])) <= 0.0625 * med(cap['resolve_ms'])" \
	"1200 <= med(cap['resolve_ms']) <= 1260" || status=1

run_case flag-day --edns 1232:50,4096:50 --requery unbound --family mix:0.5 -s "$LAB_SRV_V4" -t 1 &&
	sed -n '/^Time to resolution/,/^Logical queries/p' "$tmp/flag-day.out" | sed '$d' &&
	judge flag-day \
	"seq['logical'] >= 50 and seq['ended'] == seq['logical']" \
	"[r['edns'] for r in dv['time_to_resolution']] == [1232, 4096]" \
	"dv['time_to_resolution'][0]['within_100ms'] == 1.0" \
	"0.3 <= dv['time_to_resolution'][1]['resolved'] / dv['time_to_resolution'][1]['ended'] <= 0.7" \
	"dv['time_to_resolution'][1]['within_100ms'] == dv['time_to_resolution'][1]['within_2s']" \
	"x['tc_then_tcp_answered'] == dv['time_to_resolution'][0]['ended']" || status=1

# DV_KEEP_CAPTURES=DIR keeps the captures (to look at them with tcpdump -r).
[ -z "${DV_KEEP_CAPTURES:-}" ] || cp "$tmp"/*.pcap "$DV_KEEP_CAPTURES"/
[ "$status" -eq 0 ] || nsd_dump_logs
[ "$status" -eq 0 ] && echo "resolution-lab: all cases passed"
exit "$status"
