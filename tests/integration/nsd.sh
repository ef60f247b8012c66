#!/bin/bash
#
# nsd.sh DNSVOLLEY_BINARY: end-to-end test against NSD over AF_XDP on a veth.
#
# Builds a two-namespace lab (tests/lab/netns.sh), starts NSD in the server
# namespace, checks it with kdig, then runs dnsvolley in the generator
# namespace for 5 s at 20000 qps, once over IPv4 and once over IPv6, and
# requires answered/sent >= 0.99 and sent >= half the offered load (the exact rate
# is a benchmark's business: two shared cores make it a timing assertion).
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"

QPS=20000
SECONDS_RUN=5
# A run must stop by itself well before this; the bound only catches hangs.
RUN_LIMIT_S=60

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip ethtool nsd nsd-checkconf nsd-checkzone kdig python3 timeout
[ -x "$bin" ] || lab_die "not an executable: $bin"
queries="$root/tests/data/lab-queries.txt"
[ -r "$queries" ] || lab_die "cannot read $queries"

nsd_lab_up "$queries"
tmp=$(lab_tmpdir)

# NSD answers over both families with the zone built from the query file.
nsd_expect "$LAB_SRV_V4" h00.example. A 198.18.1.2
nsd_expect "$LAB_SRV_V6" h00.example. AAAA 2001:2:0:1::2
nsd_expect "$LAB_SRV_V4" h10.example. MX "10 mail.example."
lab_log "kdig: NSD answers over IPv4 and IPv6"

# Check one JSON-lines result: answered/sent and sent against the offered load.
verdict() {
	local family=$1 json=$2
	python3 - "$family" "$json" "$QPS" "$SECONDS_RUN" <<-'EOF'
		import json, sys
		family, path, qps, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
		total = None
		try:
		    with open(path) as f:
		        for line in f:
		            line = line.strip()
		            if line:
		                rec = json.loads(line)
		                if rec.get("type") == "stats_sum":
		                    total = rec
		except (OSError, ValueError) as e:
		    print(f"nsd {family}: FAIL: {path}: {e}")
		    sys.exit(1)
		if total is None:
		    print(f"nsd {family}: FAIL: no stats_sum record in {path}")
		    sys.exit(1)
		sent = int(total["sent"]["queries"])
		answered = int(total["received"]["responses"])
		ratio = answered / sent if sent else 0.0
		need = qps * secs // 2  # a broken pacer, not CPU contention: rates are benchmarks
		ok = sent >= need and ratio >= 0.99
		print(f"nsd {family}: {'PASS' if ok else 'FAIL'}: sent {sent} (need >= {need}), "
		      f"answered {answered} ({100 * ratio:.2f}%, need >= 99%), "
		      f"timeouts {total.get('timeouts', '?')}")
		sys.exit(0 if ok else 1)
	EOF
}

status=0
# port, target: AF_XDP over both families, and AF_PACKET over IPv4.
runs=("af_xdp $LAB_SRV_V4" "af_xdp $LAB_SRV_V6" "af_packet $LAB_SRV_V4")
for run in "${runs[@]}"; do
	read -r port target <<<"$run"
	case $target in
	*:*) family=IPv6 ;;
	*) family=IPv4 ;;
	esac
	json="$tmp/$port-$family.json"
	lab_log "dnsvolley $port $family: $QPS qps for $SECONDS_RUN s to $target"
	rc=0
	# In the background so that INT/TERM run the cleanup at once (bash defers
	# traps until a foreground command ends); lab_cleanup stops it.
	lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" \
		"$bin" --port "$port:$LAB_GEN_IF" -s "$target" -d "$queries" \
		-Q "$QPS" -l "$SECONDS_RUN" -t 1 --json "$json" -S 1 &
	run_pid=$!
	LAB_PIDS+=("$run_pid")
	wait "$run_pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "nsd-$port $family: FAIL: dnsvolley exited with status $rc"
		status=1
		continue
	fi
	verdict "$port $family" "$json" || status=1
done

# Run dnsvolley in the generator namespace (NSD_CASE_NS=srv: the server's), in the
# background so that INT/TERM clean up at once, then check its JSON.
#   nsd_case NAME JSON CHECK... -- DNSVOLLEY-ARGS...
nsd_case() {
	local name=$1 json=$2 rc=0 checks=()
	shift 2
	while [ "$1" != "--" ]; do checks+=("$1"); shift; done
	shift
	lab_exec_bpf "${NSD_CASE_NS:-gen}" timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" "$@" -S 0 -q \
		--json "$json" &
	local run_pid=$!
	LAB_PIDS+=("$run_pid")
	wait "$run_pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "$name: FAIL: dnsvolley exited with status $rc"
		return 1
	fi
	if python3 "$root/tests/integration/check_json.py" "$json" "${checks[@]}"; then
		echo "$name: PASS"
	else
		echo "$name: FAIL"
		return 1
	fi
}

# Source ranges (RFC 4814): 4094 IPv4 and 4096 sampled IPv6 client addresses and
# 64512 source ports over AF_XDP. The server reaches them by a route via the
# generator's address (lab_route_sources); every answer must come back.
lab_route_sources 198.18.128.0/20 2001:2:0:100::/64
for target in "$LAB_SRV_V4" "$LAB_SRV_V6"; do
	case $target in *:*) fam=ipv6; src=2001:2:0:100::/64 ;; *) fam=ipv4; src=198.18.128.0/20 ;; esac
	lab_log "dnsvolley af_xdp $fam: source range $src, ports 1024-65535, 10000 qps for 2 s"
	nsd_case "nsd ranges $fam" "$tmp/ranges-$fam.json" \
		"sent >= 10000" "answered >= 0.99 * sent" "dv['unmatched'] == 0" -- \
		--port "af_xdp:$LAB_GEN_IF" -s "$target" -d "$queries" --src "$src" \
		--sport 1024-65535 -Q 10000 -l 2 || status=1
done

# Sequences against a real server: happy eyeballs over both families, unique names no
# cache could answer (NXDOMAIN from the authoritative zone is an answer), 375 ms re-query.
lab_log "dnsvolley af_xdp sequences: happy-eyeballs, generated names, 5000 qps for 2 s"
nsd_case "nsd sequences" "$tmp/sequences.json" \
	"dv['sequences']['logical'] >= 5000" \
	"dv['sequences']['answered'] >= 0.99 * dv['sequences']['logical']" \
	"dv['sequences']['answered_on'][0]['ipv6'] >= 0.95 * dv['sequences']['logical']" \
	"rcodes.get('NXDOMAIN', 0) >= 0.99 * answered" -- \
	--port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V4" -s "$LAB_SRV_V6" \
	--family happy-eyeballs --requery 375ms --attempts 3 --qname '{seq}.{rand8}.example' \
	-Q 5000 -l 2 || status=1

# ICMP: queries to a port nothing listens on come back as port unreachable,
# each attributed to its query (the server's ICMP rate limits are off).
lab_exec srv sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
for target in "$LAB_SRV_V4" "$LAB_SRV_V6"; do
	case $target in *:*) fam=ipv6 ;; *) fam=ipv4 ;; esac
	nsd_case "nsd icmp $fam" "$tmp/icmp-$fam.json" \
		"sent >= 450 and answered == 0" \
		"dv['icmp']['$fam'].get('port-unreachable', 0) >= 0.99 * sent" \
		"dv['icmp']['attributed'] >= 0.99 * sent" \
		"sum(r['icmp'] for r in dv['failure_table']) >= 0.99 * sent" -- \
		--port "af_xdp:$LAB_GEN_IF" -s "$target" -p 5353 -d "$queries" \
		-Q 500 -l 1 -t 0.5 || status=1
done

# AF_XDP with dnsvolley's own XDP program: only DNS answers, fragments and ICMP
# errors reach dnsvolley, the kernel keeps the rest. While a run is under way,
# ping (both families) and a TCP connection into the generator's namespace
# work, and the program's counters agree with what dnsvolley received.
# DNS over TCP (--transport tcp): every port kind, both families, each connection
# mode; the kernel of the generator's namespace sends no RST for our connections
# (af_xdp: the XDP program takes them; af_packet: the run's nftables table), and
# on this clean link nothing is retransmitted or reset.
tcp_rsts() { lab_exec gen nstat -az TcpOutRsts | awk '/TcpOutRsts/ { print $2 }'; }
tcp_clean="dv['tcp']['retransmissions'] == 0 and dv['tcp']['reset_by_server'] == 0 and dv['tcp']['malformed'] == 0"
for run in "af_xdp $LAB_SRV_V4 1 1" "af_xdp $LAB_SRV_V6 1 1" "af_packet $LAB_SRV_V4 1 1" \
	"af_xdp $LAB_SRV_V4 10 4" "af_xdp $LAB_SRV_V4 0 1"; do
	read -r port target nq k <<<"$run"
	case $target in *:*) fam=ipv6 ;; *) fam=ipv4 ;; esac
	lab_log "dnsvolley $port $fam over TCP: $nq queries per connection, $k outstanding, 2000 qps for 2 s"
	before=$(tcp_rsts)
	nsd_case "nsd tcp $port $fam q$nq k$k" "$tmp/tcp-$port-$fam-$nq.json" \
		"sent >= 2000" "answered >= 0.99 * sent" "$tcp_clean" \
		"dv['tcp']['established'] >= 0.99 * dv['tcp']['opened']" \
		"dv['tcp']['queries'] == (0 if $nq == 0 else sent)" -- \
		--port "$port:$LAB_GEN_IF" -s "$target" -d "$queries" --transport tcp \
		--tcp-queries "$nq" --tcp-pipeline "$k" --tcp-quarantine 5 -Q 2000 -l 2 || status=1
	after=$(tcp_rsts)
	if [ "$after" != "$before" ]; then
		echo "nsd tcp $port $fam: FAIL: the generator's kernel sent $((after - before)) RSTs"
		status=1
	fi
done

lab_log "dnsvolley af_xdp with its XDP program: ping and TCP to the generator during the run"
lab_bg gen python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8053)); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.sendall(b"dnsvolley-lab\n"); c.close()' "$LAB_GEN_V4"
lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" --port "af_xdp:$LAB_GEN_IF" \
	-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -d "$queries" -Q 5000 -l 3 -S 0 -q --json "$tmp/xdp.json" &
xdp_pid=$!
LAB_PIDS+=("$xdp_pid")
sleep 1.5
kernel_ok=1
lab_srv ping -q -c 3 -i 0.2 -W 1 "$LAB_GEN_V4" >/dev/null || { echo "nsd xdp: ping $LAB_GEN_V4 failed"; kernel_ok=0; }
lab_srv ping -q -c 3 -i 0.2 -W 1 "$LAB_GEN_V6" >/dev/null || { echo "nsd xdp: ping $LAB_GEN_V6 failed"; kernel_ok=0; }
banner=$(lab_srv python3 -c 'import socket, sys
print(socket.create_connection((sys.argv[1], 8053), timeout=2).recv(64).decode().strip())' "$LAB_GEN_V4" 2>&1) || true
[ "$banner" = dnsvolley-lab ] || { echo "nsd xdp: TCP to $LAB_GEN_V4:8053 failed: $banner"; kernel_ok=0; }
rc=0
wait "$xdp_pid" || rc=$?
if [ "$rc" -eq 0 ] && [ "$kernel_ok" -eq 1 ] && python3 "$root/tests/integration/check_json.py" "$tmp/xdp.json" \
	"sent >= 10000" "answered >= 0.99 * sent" \
	"dv['xdp']['redirected'] == dv['rx_packets']" "dv['xdp']['passed'] >= 8"; then
	echo "nsd xdp: PASS: ping and TCP reached the kernel during the run; XDP counters match"
else
	echo "nsd xdp: FAIL: dnsvolley status $rc, kernel traffic ok: $kernel_ok"
	status=1
fi

# Two generators and two collectors on one AF_PACKET port with one source
# address: the kernel spreads answers over the two sockets by its own flow hash
# (PACKET_FANOUT), so about half reach the other collector, which hands them
# to the owner of their source port. Every answer must still be matched.
lab_log "dnsvolley af_packet: -T 2 --collectors 2 on one port, 10000 qps for 2 s"
nsd_case "nsd hand-off" "$tmp/handoff.json" \
	"sent >= 10000" "answered >= 0.99 * sent" "dv['unmatched'] == 0" \
	"dv['handoff']['packets'] >= 0.1 * sent" "dv['handoff']['dropped'] == 0" \
	"min(dv['collector_rx_packets']) >= 0.1 * sent" -- \
	--port "af_packet:$LAB_GEN_IF" -T 2 --collectors 2 \
	-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -d "$queries" -Q 10000 -l 2 || status=1

# The same over TCP: the kernel spreads the server's segments over both queues by
# its own hash, so a collector hands another's segments over (by their port).
lab_log "dnsvolley af_packet over TCP: -T 2 --collectors 2, hand-off of segments, 2000 qps for 2 s"
nsd_case "nsd tcp hand-off" "$tmp/tcp-handoff.json" \
	"sent >= 2000" "answered >= 0.99 * sent" "dv['unmatched'] == 0" \
	"dv['handoff']['packets'] > 0 and dv['handoff']['dropped'] == 0" \
	"dv['tcp']['retransmissions'] == 0 and dv['tcp']['no_connection'] == 0" -- \
	--port "af_packet:$LAB_GEN_IF" -T 2 --collectors 2 --transport tcp --tcp-quarantine 5 \
	-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -d "$queries" -Q 2000 -l 2 || status=1

# Two ports (AF_PACKET on dvg0 and dvg1), a generator and a collector each, both
# families: each port carries its share, and every answer comes back on the
# port its query left by (the server answers over the link the query came in on).
lab_second_link
lab_log "dnsvolley af_packet on two ports: -T 2 --collectors 2, 10000 qps for 2 s"
nsd_case "nsd two ports" "$tmp/two-ports.json" \
	"sent >= 10000" "answered >= 0.99 * sent" "dv['unmatched'] == 0" \
	"len(dv['ports']) == 2" \
	"all(p['sent'] >= 0.4 * sent for p in dv['ports'])" \
	"all(p['rx_packets'] >= 0.99 * p['sent'] for p in dv['ports'])" \
	"dv['ports'][0]['port'] == 'af_packet:$LAB_GEN_IF'" \
	"dv['ports'][1]['port'] == 'af_packet:$LAB_GEN_IF2'" -- \
	--port "af_packet:$LAB_GEN_IF" --port "af_packet:$LAB_GEN_IF2" -T 2 --collectors 2 \
	-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" -d "$queries" -Q 10000 -l 2 || status=1

# A port no kernel answers for (tap, in the server's namespace), with source
# ranges on the tap's link (128 addresses drawn per family): dnsvolley resolves
# the gateways by ARP and neighbour solicitation, and the server's kernel must
# resolve every source address through dnsvolley's answers (no static
# neighbour entries anywhere; the PMD flushes the tap's table when it stops,
# so the answers are counted by dnsvolley). The tap PMD computes the IPv4 and UDP checksums
# dnsvolley leaves to it, which the kernel verifies (UdpInCsumErrors stays 0).
lab_must ip -n "$LAB_SRV_NS" tuntap add dvtap0 mode tap multi_queue
lab_must ip -n "$LAB_SRV_NS" addr add 198.18.4.1/23 dev dvtap0
lab_must ip -n "$LAB_SRV_NS" addr add 2001:2:0:4::1/64 dev dvtap0 nodad
lab_must ip -n "$LAB_SRV_NS" link set dvtap0 up
udp_csum_errors() { lab_srv nstat -az UdpInCsumErrors Udp6InCsumErrors | awk '$1 ~ /CsumErrors/ { n += $2 } END { print n + 0 }'; }
lab_log "dnsvolley tap: ARP/ND of its own, source ranges of 2 x 128 addresses, 5000 qps for 2 s"
NSD_CASE_NS=srv nsd_case "nsd tap arp-nd" "$tmp/tap.json" \
	"sent >= 5000" "answered >= 0.99 * sent" "dv['unmatched'] == 0" \
	"dv['families']['ipv4']['answered'] >= 0.99 * dv['families']['ipv4']['sent']" \
	"dv['families']['ipv6']['answered'] >= 0.99 * dv['families']['ipv6']['sent']" \
	"dv['ports'][0]['next_hop_by_arp_nd']" "dv['ports'][0]['tx_checksum_offload']" \
	"dv['arp_nd']['answered']['ipv4'] >= 100" "dv['arp_nd']['answered']['ipv6'] >= 100" \
	"dv['arp_nd']['sent'] == dv['arp_nd']['answered']['ipv4'] + dv['arp_nd']['answered']['ipv6']" -- \
	--port tap:dvtap0 -s "$LAB_SRV_V4" -s "$LAB_SRV_V6" \
	--gateway 198.18.4.1 --gateway 2001:2:0:4::1 --src 198.18.5.0/24 --src 2001:2:0:4::100/120 \
	-d "$queries" -Q 5000 -l 2 || status=1
csum_err=$(udp_csum_errors)
if [ "$csum_err" -eq 0 ]; then
	echo "nsd tap checksums: PASS: the server's kernel found no bad UDP checksum"
else
	echo "nsd tap checksums: FAIL: $csum_err UDP checksum errors on the server"
	status=1
fi

# The same over TCP: no kernel on our side of the tap, the source ranges are no
# address of the server's kernel either (the run refuses one that is).
# The PMD took the tap down when it stopped, and the kernel flushed its IPv6 address.
lab_must ip -n "$LAB_SRV_NS" link set dvtap0 up
lab_must ip -n "$LAB_SRV_NS" addr replace 2001:2:0:4::1/64 dev dvtap0 nodad
lab_log "dnsvolley tap over TCP: source ranges, 2000 qps for 2 s"
NSD_CASE_NS=srv nsd_case "nsd tap tcp" "$tmp/tap-tcp.json" \
	"sent >= 2000" "answered >= 0.99 * sent" "$tcp_clean" \
	"dv['families']['ipv6']['answered'] >= 0.99 * dv['families']['ipv6']['sent']" -- \
	--port tap:dvtap0 -s "$LAB_SRV_V4" -s "$LAB_SRV_V6" --transport tcp --tcp-quarantine 5 \
	--gateway 198.18.4.1 --gateway 2001:2:0:4::1 --src 198.18.5.0/24 --src 2001:2:0:4::100/120 \
	-d "$queries" -Q 2000 -l 2 || status=1

[ "$status" -eq 0 ] || nsd_dump_logs
exit "$status"
