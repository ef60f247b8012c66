#!/bin/bash
#
# ranges-lab.sh DNSVOLLEY_BINARY: whole source ranges through the tap lab.
#
# dnsvolley runs in the server namespace on a tap (net_tap) whose kernel side
# holds NSD's addresses and routes; it answers ARP and neighbour
# solicitations for its own source addresses (profile arp-nd). A /22 (IPv4)
# and a /118 (IPv6), each in a run of 1600 logical queries: the first 1024
# queries of a lane visit every host part of a 10-bit range once, so the
# server sees exactly the 1022 addresses of each range that are not its
# all-zeros or all-ones host part (the rest of the run keeps them alive in
# its neighbour table while the last ones are read):
#   - tcpdump on the tap, read by `dnsvolley analyze` (its source table);
#   - the server's neighbour table, read while the run goes (the tap PMD
#     takes the interface down when it stops, which flushes it);
#   - dnsvolley's own count of the ARP/ND requests it answered.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
# shellcheck source=SCRIPTDIR/../lab/capture.sh
. "$root/tests/lab/capture.sh"

RUN_LIMIT_S=60
TAP=dvrtap0

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip nsd nsd-checkconf nsd-checkzone kdig python3 timeout tcpdump
[ -x "$bin" ] || lab_die "not an executable: $bin"
queries="$root/tests/data/lab-queries.txt"

nsd_lab_up "$queries"
tmp=$(lab_tmpdir)

lab_must ip -n "$LAB_SRV_NS" tuntap add "$TAP" mode tap multi_queue
status=0

# One family: a run of 1600 logical queries from RANGE through the tap, the
# neighbour table polled meanwhile, the capture analysed.
#   whole_range FAMILY TARGET GATEWAY TAP_ADDR RANGE
whole_range() {
	local fam=$1 target=$2 gw=$3 tapaddr=$4 range=$5 rc=0
	local json="$tmp/$fam.json" pcap="$tmp/$fam.pcap"
	lab_must ip -n "$LAB_SRV_NS" addr replace "$tapaddr" dev "$TAP" nodad
	lab_must ip -n "$LAB_SRV_NS" link set "$TAP" up
	LAB_SRV_IF=$TAP cap_start "$pcap" 0 "udp port 53"
	lab_log "dnsvolley tap $fam: --src $range, 1000 qps for 1.6 s"
	lab_exec_bpf srv timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" --port "tap:$TAP" \
		-s "$target" --gateway "$gw" --src "$range" -d "$queries" -Q 1000 \
		-l 1.6 -S 0 -q --json "$json" &
	local run_pid=$!
	LAB_PIDS+=("$run_pid")
	# The neighbour table while the run goes, every 0.2 s (entries come and go).
	: >"$tmp/$fam.neigh"
	while kill -0 "$run_pid" 2>/dev/null; do
		ip -n "$LAB_SRV_NS" neigh show dev "$TAP" >>"$tmp/$fam.neigh" 2>/dev/null || true
		sleep 0.2
	done
	wait "$run_pid" || rc=$?
	lab_forget_pid "$run_pid"
	LAB_SRV_IF=$TAP cap_stop_whole
	if [ "$rc" -ne 0 ]; then
		echo "ranges $fam: FAIL: dnsvolley exited with status $rc"
		return 1
	fi
	python3 "$root/tests/integration/check_json.py" "$json" "sent >= 1100" \
		"answered >= 0.99 * sent" "dv['unmatched'] == 0" \
		"dv['arp_nd']['answered']['$fam'] >= 1022" || return 1
	"$bin" analyze "$pcap" --sources 100000 --json "$tmp/$fam-analyze.json" -q ||
		{ echo "ranges $fam: FAIL: analyze exited with status $?"; return 1; }
	python3 - "$tmp/$fam-analyze.json" "$fam" "$range" "$tmp/$fam.neigh" "$json" <<-'EOF'
		import ipaddress, json, sys
		path, fam, rng, neigh, run = sys.argv[1:6]
		sent = [json.loads(l) for l in open(run) if '"stats_sum"' in l][-1]["sent"]["queries"]
		an = json.load(open(path))["tables"]
		net = ipaddress.ip_network(rng, strict=False)
		hosts = set(net) - {net.network_address, net.broadcast_address}
		seen = set()
		for line in open(neigh):
		    w = line.split()
		    # resolved at some point: not FAILED, not INCOMPLETE (no lladdr)
		    if w and "lladdr" in w and ipaddress.ip_address(w[0]) in hosts:
		        seen.add(ipaddress.ip_address(w[0]))
		most = len(seen)
		src = an["sources"]
		fails = []
		if src["addresses"] != 1022 or src["untracked_queries"] != 0:
		    fails.append(f"the capture holds {src['addresses']} source addresses, not 1022")
		if an["families"][fam]["queries"] != int(sent):
		    fails.append(f"the capture holds {an['families'][fam]['queries']} {fam} queries, "
		                 f"not the {sent} sent")
		if most != 1022:
		    fails.append(f"the server's neighbour table resolved {most} addresses of the range, not 1022")
		print(f"ranges {fam}: {'PASS' if not fails else 'FAIL'}: {src['addresses']} sources "
		      f"in the capture, {most} resolved neighbours" + ("; " + "; ".join(fails) if fails else ""))
		sys.exit(1 if fails else 0)
	EOF
}

whole_range ipv4 "$LAB_SRV_V4" 198.18.8.1 198.18.8.1/21 198.18.12.0/22 || status=1
whole_range ipv6 "$LAB_SRV_V6" 2001:2:0:4::1 2001:2:0:4::1/64 2001:2:0:4::400/118 || status=1

[ "$status" -eq 0 ] || nsd_dump_logs
exit "$status"
