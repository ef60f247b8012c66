#!/bin/bash
#
# tcp-servers.sh DNSVOLLEY_BINARY: DNS over TCP against real servers (issue 14).
#
# A two-namespace lab of its own names (dvagen-PID/dvasrv-PID, dvag0/dvas0, so
# that it runs beside the other labs). In the server namespace, one after
# another, NSD, Knot DNS, BIND 9 and Unbound (an auth-zone) serve the same zone
# (tests/lab/servers.sh starts them): tests/lab/nsd.sh's, built from
# tests/data/lab-queries.txt, plus big.example., a TXT RRset of 64 strings of
# 255 bytes (17 KiB in an answer). Each listens on the lab's two addresses
# only, with TCP limits above the load, and is stopped before the next starts.
# Against each, dnsvolley runs over AF_XDP on the generator's veth, each run
# from source ports of its own (the compliance battery against the same
# servers is check-servers.sh's):
#   modes      2000 qps for 1 s, IPv4 and IPv6, each of --tcp-queries 1;
#              --tcp-queries 10 --tcp-pipeline 4; --tcp-queries 0: >= 99 %
#              answered, every query on a connection, established >= 99 % of
#              opened, no retransmission, no RST from the server, no malformed
#              segment (dnsvolley's counts); the generator's kernel sends no
#              RST; the server's kernel counts no segment in error, and holds
#              no connection of the run once it is over
#   capture    during the IPv4 run of 10 queries per connection, tcpdump on the
#              server's veth; check_tcp_capture.py: every segment parses, no RST
#              from us and every connection of ours ended by our FIN, no
#              segment of ours sent twice, our IPv4 and TCP checksums right
#              (and tcpdump -vv finds none wrong), our streams well-framed
#              queries, as many queries and segments as dnsvolley counted
#   big        big.example. TXT over IPv4, 200 qps for 1 s: every answer whole
#              (answered == sent, each longer than the 2 KiB dnsvolley keeps, at
#              least 16 KiB of payload per answer, the failure table's size
#              class '>1472'), and the checks of the modes
# A table of each case's answered share ends the output.
#
# DV_TCPSRV_SERVERS="nsd knot bind unbound" (the default) picks servers;
# DV_TCPSRV_CAPTURE=all captures and checks every run, not one per server.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# Our own names: other labs (dvgen-/dvsrv-, dvx..., dvt...) may run at the same time.
LAB_NS_PREFIX=dva LAB_GEN_IF=dvag0 LAB_SRV_IF=dvas0
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
# shellcheck source=SCRIPTDIR/../lab/capture.sh
. "$root/tests/lab/capture.sh"
# shellcheck source=SCRIPTDIR/../lab/servers.sh
. "$root/tests/lab/servers.sh"

QPS=2000
SECONDS_RUN=1
BIG_QPS=200
# A run must stop by itself well before this; the bound only catches hangs.
RUN_LIMIT_S=60

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
# shellcheck disable=SC2046 # a list of names
lab_require_tools ip ethtool nstat tcpdump python3 timeout $(srv_tools nsd knot bind unbound)
[ -x "$bin" ] || lab_die "not an executable: $bin"
queries="$root/tests/data/lab-queries.txt"
[ -r "$queries" ] || lab_die "cannot read $queries"

lab_host_prereqs
lab_setup
lab_static_neigh
tmp=$(lab_tmpdir)

# The zone every server serves (servers.sh), and the query of big.example.
srv_setup "$queries"
printf 'big.example. TXT\n' >"$tmp/big.txt"

# The server kernel's TCP counters: srv_nstat > FILE ("name value" lines). Checked:
# TcpInCsumErrors and TcpInErrs (segments with a bad checksum or otherwise in
# error); the others say why a run failed (a listen queue overflowed: its SYNs
# were dropped and we retransmitted them; the server reset connections).
SRV_COUNTERS="TcpInErrs TcpInCsumErrors TcpRetransSegs TcpOutRsts TcpEstabResets TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies TcpExtTCPAbortOnData TcpExtTCPAbortOnClose TcpExtTCPAbortOnTimeout"
srv_nstat() {
	# shellcheck disable=SC2086 # a list of names
	lab_srv nstat -az $SRV_COUNTERS | awk 'NF >= 2 && $1 !~ /^#/ { print $1, $2 }'
}

# The generator kernel's RSTs (the XDP program must keep our connections from it).
tcp_rsts() { lab_exec gen nstat -az TcpOutRsts | awk '/TcpOutRsts/ { print $2 }'; }

# The server's connections to ports LO..HI (a run's) other than TIME-WAIT (the
# server's own choice when it closes first): after a run whose connections
# all end with our FIN the server holds none. Polled for up to 2 s (a busy
# server reads our last FINs late).   srv_left LO HI
srv_left() {
	local tries=20 left
	while :; do
		left=$(lab_srv ss -Htan "( sport = :53 and dport >= :$1 and dport <= :$2 )" |
			awk '$1 != "TIME-WAIT" { n[$1]++ } END { for (s in n) printf "%s %d ", s, n[s] }')
		if [ -z "$left" ] || [ "$tries" -eq 0 ]; then
			break
		fi
		tries=$((tries - 1))
		sleep 0.1
	done
	echo "$left"
}

# Source ports: each run its own range. dnsvolley starts every run at the same
# ports with the same initial sequence numbers, so a 4-tuple a server still
# holds from an earlier run would meet the next run's SYN (the server answers
# it with an ACK, we reset that, and the SYN goes again a second later): a
# failure of the earlier run, which would be charged to the later one.
PORT_NEXT=1024
next_ports() {
	local n=$1
	[ $((PORT_NEXT + n - 1)) -le 65535 ] || lab_die "out of source ports for the runs"
	SPORTS="$PORT_NEXT-$((PORT_NEXT + n - 1))"
	PORT_NEXT=$((PORT_NEXT + n))
}

summary="$tmp/summary"
: >"$summary"

# Run dnsvolley in the generator namespace (in the background, so that INT/TERM
# clean up at once) from source ports PORTS, check its JSON and what the kernels
# saw, add a line to the summary. Its report goes to JSON.out, shown on failure.
#   tcp_case NAME JSON PORTS CHECK... -- DNSVOLLEY-ARGS...
tcp_case() {
	local name=$1 json=$2 rc=0 checks=() before after share left kern
	next_ports "$3"
	shift 3
	while [ "$1" != "--" ]; do checks+=("$1"); shift; done
	shift
	before=$(tcp_rsts)
	srv_nstat >"$json.nstat0"
	lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" --port "af_xdp:$LAB_GEN_IF" \
		--transport tcp --tcp-quarantine 5 --sport "$SPORTS" "$@" -t 1 -S 0 -q --json "$json" \
		>"$json.out" 2>&1 &
	local run_pid=$!
	LAB_PIDS+=("$run_pid")
	wait "$run_pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$json.out"
		echo "$name: FAIL: dnsvolley exited with status $rc"
		printf '%-24s %s\n' "$name" "dnsvolley exit status $rc  FAIL" >>"$summary"
		return 1
	fi
	share=$(python3 -c 'import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
n, a = s["sent"]["queries"], s["received"]["responses"]
print(f"{a}/{n} answered ({100 * a / n if n else 0:.2f} %)")' "$json") || share="(no result)"
	after=$(tcp_rsts)
	left=$(srv_left "${SPORTS%-*}" "${SPORTS#*-}")
	srv_nstat >"$json.nstat1"
	kern=$(awk 'NR == FNR { b[$1] = $2; next } $2 != b[$1] { printf "%s +%d ", $1, $2 - b[$1] }' \
		"$json.nstat0" "$json.nstat1")
	[ -z "$kern" ] || echo "$name: the server's kernel counted: $kern"
	case " $kern" in
	*" TcpExtListenOverflows "*)
		echo "$name: note: the server's listen queue overflowed, its kernel dropped SYNs (we sent them again a second later): the server did not accept fast enough"
		;;
	esac
	if [ "$after" != "$before" ]; then
		echo "$name: FAIL: the generator's kernel sent $((after - before)) RSTs"
		rc=1
	fi
	if [ -n "$left" ]; then
		echo "$name: FAIL: the server still holds connections of ours after the run: $left"
		rc=1
	fi
	case " $kern" in
	*" TcpInCsumErrors "* | *" TcpInErrs "*)
		echo "$name: FAIL: the server's kernel received segments in error"
		rc=1
		;;
	esac
	python3 "$root/tests/integration/check_json.py" "$json" "${checks[@]}" || rc=1
	if [ "$rc" -eq 0 ]; then
		echo "$name: PASS: $share"
	else
		sed -n '/^TCP:/,$p' "$json.out"
		echo "$name: FAIL: $share"
	fi
	printf '%-24s %s%s\n' "$name" "$share" "$([ "$rc" -eq 0 ] || echo '  FAIL')" >>"$summary"
	return "$rc"
}

# Capture on the server's veth: cap_start FILE ... cap_stop, then cap_check.
# Snap length 512: our segments whole (up to 4 pipelined queries in one), so
# that their checksums can be verified; the server's long answers need not be.

# Judge the capture of run JSON from CLIENT: check_tcp_capture.py, tcpdump's
# drop count and its own checksum verdicts (-vv: "(correct)", "(incorrect
# -> 0x...)" for TCP, "bad cksum" for an IPv4 header).
#   cap_check NAME CLIENT JSON
cap_check() {
	local name=$1 client=$2 json=$3 rc=0 counts nq nseg verdicts ok bad
	# Every packet the filter took was written, none dropped.
	if ! awk '/packets captured/ { c = $1 } /received by filter/ { r = $1 } /dropped by kernel/ { d = $1 }
		END { exit !(c != "" && c == r && d == 0) }' "$CAP_FILE.log"; then
		echo "$name: tcpdump lost packets: $(tr '\n' ' ' <"$CAP_FILE.log")"
		rc=1
	fi
	# The queries and segments dnsvolley says it sent: the capture must show them all.
	counts=$(python3 -c 'import json, sys
t = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["dnsvolley"]["tcp"]
print(t["queries"], t["segments_out"])' "$json") || rc=1
	read -r nq nseg <<<"$counts"
	python3 "$root/tests/integration/check_tcp_capture.py" "$CAP_FILE" "$client" "$nq" "$nseg" || rc=1
	verdicts=$(tcpdump -r "$CAP_FILE" -nn -vv 2>/dev/null | awk '
		/cksum 0x[0-9a-f]+ \(correct\)/ { ok++ }
		/\(incorrect/ || /bad cksum/ { bad++ }
		END { printf "%d %d", ok, bad }')
	read -r ok bad <<<"$verdicts"
	echo "capture: tcpdump -vv: $ok checksums correct, $bad wrong"
	if [ "$ok" -eq 0 ] || [ "$bad" -ne 0 ]; then
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		echo "$name: PASS"
		printf '%-24s %s\n' "$name" "ok" >>"$summary"
	else
		echo "$name: FAIL"
		printf '%-24s %s\n' "$name" "FAIL" >>"$summary"
	fi
	return "$rc"
}

T="dv['tcp']"
tcp_clean="${T}['retransmissions'] == 0 and ${T}['reset_by_server'] == 0 and ${T}['malformed'] == 0"
status=0
for server in ${DV_TCPSRV_SERVERS:-nsd knot bind unbound}; do
	case $server in
	nsd | knot | bind | unbound) srv_start "$server" ;;
	*) lab_die "DV_TCPSRV_SERVERS: no server $server" ;;
	esac
	srv_status=0
	for target in "$LAB_SRV_V4" "$LAB_SRV_V6"; do
		case $target in *:*) fam=ipv6 client=$LAB_GEN_V6 ;; *) fam=ipv4 client=$LAB_GEN_V4 ;; esac
		# queries per connection, outstanding, source ports (connections, with room)
		for mode in "1 1 2300" "10 4 400" "0 1 2300"; do
			read -r nq k nports <<<"$mode"
			name="$SRV_NAME $fam q$nq k$k"
			json="$tmp/$SRV_NAME-$fam-q$nq.json"
			capture=0
			[ "$fam" = ipv4 ] && [ "$nq" = 10 ] && capture=1
			[ "${DV_TCPSRV_CAPTURE:-}" = all ] && capture=1
			lab_log "$name: $QPS qps for $SECONDS_RUN s over TCP, $nq queries per connection, $k outstanding"
			[ "$capture" = 0 ] || cap_start "$tmp/$SRV_NAME-$fam-q$nq.pcap" 512 'tcp port 53'
			tcp_case "$name" "$json" "$nports" \
				"sent >= $((QPS * SECONDS_RUN / 2))" "answered >= 0.99 * sent" "$tcp_clean" \
				"${T}['established'] >= 0.99 * ${T}['opened']" \
				"${T}['queries'] == (0 if $nq == 0 else sent)" -- \
				-s "$target" -d "$queries" --tcp-queries "$nq" --tcp-pipeline "$k" \
				-Q "$QPS" -l "$SECONDS_RUN" || srv_status=1
			if [ "$capture" = 1 ]; then
				cap_stop
				cap_check "$SRV_NAME $fam q$nq capture" "$client" "$json" || srv_status=1
			fi
		done
	done
	lab_log "$SRV_NAME: big.example. TXT ($SRV_BIG_BYTES bytes) over TCP, IPv4, $BIG_QPS qps for 1 s"
	tcp_case "$SRV_NAME big TXT" "$tmp/$SRV_NAME-big.json" 300 \
		"sent >= $((BIG_QPS / 2)) and answered == sent" "$tcp_clean" \
		"${T}['answers_longer_than_kept'] == answered" \
		"${T}['payload_in'] >= answered * 16384" \
		"all(r['size'] == '>1472' for r in dv['failure_table'] if r['attempts'] > 0)" -- \
		-s "$LAB_SRV_V4" -d "$tmp/big.txt" -Q "$BIG_QPS" -l 1 || srv_status=1
	if [ "$srv_status" -ne 0 ]; then
		srv_dump_logs
		status=1
	fi
	srv_stop
done

echo "--- tcp-servers: each case"
cat "$summary"
exit "$status"
