#!/bin/bash
#
# tcp-guard.sh TCP_GUARD_TOOL [DNSVOLLEY_BINARY]: the kernel never answers for
# dnsvolley's TCP connections on a port it also receives on (af_packet).
#
# The TCP client is not there yet, so the guard is driven by
# tests/integration/tcp_guard_tool (the install and remove calls the feature
# makes), and single segments come from tests/integration/tcp_probe.py: a
# SYN-ACK from the server with no connection behind it is exactly what the
# generator's kernel would reset. A two-namespace lab of its own names
# (dvtgen-PID/dvtsrv-PID, dvtg0/dvts0), so that it runs beside other labs.
# Cases:
#   baseline   no guard: the generator's kernel resets a SYN-ACK of each
#              family (TcpOutRsts +2, the server sees 2 RSTs): the probe works
#   guard      installed: no RST (TcpOutRsts +0, the server sees none), the
#              rules counted both, and a packet socket still receives both
#   output     a kernel RST from our address to the target's port is dropped
#              on output; the same RST through a packet socket (dnsvolley's
#              way) leaves
#   remove     no dnsvolley table is left and the kernel resets again;
#              removing twice is no error
#   stale      the table of a process that is gone goes at the next install,
#              with one line; a live process's table stays
#   no-nft     no nft on PATH, or nft failing: exit 2, one line, no table
#   dnsvolley  (with DNSVOLLEY_BINARY) a --transport tcp run on af_packet has
#              its table while it runs and none after it ends, also after
#              SIGTERM; after kill -9 the next install removes it; without
#              nft it exits 2 with one line and writes no result; on a tap, a
#              source address the host has is refused (exit 2, one line)
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# Our own names: other labs (dvgen-/dvsrv-, dvg0/dvs0, dvx...) may run at the same time.
LAB_NS_PREFIX=dvt LAB_GEN_IF=dvtg0 LAB_SRV_IF=dvts0
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 TCP_GUARD_TOOL [DNSVOLLEY_BINARY]" >&2
	exit 1
fi
tool=$1
bin=${2:-}

lab_require_root
lab_require_tools ip ethtool nft python3 awk
[ -x "$tool" ] || lab_die "not an executable: $tool"
[ -z "$bin" ] || [ -x "$bin" ] || lab_die "not an executable: $bin"
probe="$here/tcp_probe.py"
queries="$root/tests/data/lab-queries.txt"

lab_setup
tmp=$(lab_tmpdir)
G4=$LAB_GEN_V4 G6=$LAB_GEN_V6 S4=$LAB_SRV_V4 S6=$LAB_SRV_V6
GUARD_ARGS=("$LAB_GEN_IF" 53 "$S4" "$G4" "$S6" "$G6")
NO_NFT_LINE="dnsvolley: --transport tcp on af_packet:$LAB_GEN_IF: needs nft (nftables) to keep the kernel from resetting our connections"

status=0
pass() { echo "$1: PASS${2:+: $2}"; }
fail() { echo "$1: FAIL: $2"; status=1; }

# TcpOutRsts of the generator's namespace (IPv4 and IPv6 share it).
out_rsts() {
	# shellcheck disable=SC2016 # awk's fields, not the shell's
	lab_gen awk '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == "OutRsts") c = i; h = 1 }
		else print $c }' /proc/net/snmp
}

# The packets a chain's counters saw: chain_packets gen|srv TABLE CHAIN
chain_packets() {
	lab_exec "$1" nft list chain inet "$2" "$3" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }'
}

# RSTs from the generator's addresses that reached the server (counted before anything else).
lab_srv nft -f - <<EOF || lab_die "cannot add the server's counting table"
table inet dvtest_seen {
	chain in {
		type filter hook prerouting priority -400; policy accept;
		ip saddr $G4 tcp flags & rst == rst counter
		ip6 saddr $G6 tcp flags & rst == rst counter
	}
}
EOF
rsts_seen() { chain_packets srv dvtest_seen in; }

# Our tables in the generator's namespace, one name a line.
gen_tables() { lab_gen nft list tables | awk '$2 == "inet" && $3 ~ /^dnsvolley_/ { print $3 }'; }

# A SYN-ACK of each family from the server's DNS port to a port of ours with no connection.
synack_both() {
	lab_srv python3 "$probe" raw SA "$S4" 53 "$G4" 40000 >/dev/null
	lab_srv python3 "$probe" raw SA "$S6" 53 "$G6" 40001 >/dev/null
	sleep 0.5 # the RSTs, if any, reach the server
}

# Send SYN-ACKs and measure: sets D_OUT (TcpOutRsts) and D_SEEN (RSTs at the server).
measure_synack() {
	local out0 seen0
	out0=$(out_rsts)
	seen0=$(rsts_seen)
	synack_both
	D_OUT=$(($(out_rsts) - out0))
	D_SEEN=$(($(rsts_seen) - seen0))
}

# --- baseline: without the guard the kernel resets (else this test could not fail)
measure_synack
if [ "$D_OUT" -eq 2 ] && [ "$D_SEEN" -eq 2 ]; then
	pass baseline "no guard: the kernel reset both SYN-ACKs (TcpOutRsts +2, 2 RSTs at the server)"
else
	fail baseline "no guard: TcpOutRsts +$D_OUT, $D_SEEN RSTs at the server (want 2 and 2): the probe does not work"
fi

# --- guard: installed by the tool (which exits, leaving it), then the same SYN-ACKs
rc=0
pid=$(lab_gen "$tool" install "${GUARD_ARGS[@]}" 2>"$tmp/install.err") || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$tmp/install.err" ] || [ "$(gen_tables)" != "dnsvolley_$pid" ]; then
	fail guard "install: status $rc, tables '$(gen_tables | tr '\n' ' ')' (want dnsvolley_$pid), stderr: $(cat "$tmp/install.err")"
	lab_gen nft list ruleset || true
	exit 1
fi
lab_gen python3 "$probe" sniff "$LAB_GEN_IF" 2 53 >"$tmp/sniff.out" &
sniff_pid=$!
LAB_PIDS+=("$sniff_pid")
sleep 0.5 # the packet socket is open
measure_synack
wait "$sniff_pid" || true
seen_by_socket=$(cat "$tmp/sniff.out")
dropped=$(chain_packets gen "dnsvolley_$pid" in)
if [ "$D_OUT" -eq 0 ] && [ "$D_SEEN" -eq 0 ] && [ "$dropped" -eq 2 ] && [ "$seen_by_socket" -eq 2 ]; then
	pass guard "no RST (TcpOutRsts +0, none at the server); the rules dropped 2; a packet socket still received 2"
else
	fail guard "TcpOutRsts +$D_OUT, $D_SEEN RSTs at the server (want 0, 0); the rules dropped $dropped, a packet socket received $seen_by_socket (want 2, 2)"
	lab_gen nft list ruleset || true
fi

# --- output: a kernel-made RST from our address is dropped; a packet socket's leaves
seen0=$(rsts_seen)
raw=$(lab_gen python3 "$probe" raw R "$G4" 40000 "$S4" 53)
raw="$raw $(lab_gen python3 "$probe" raw R "$G6" 40001 "$S6" 53)"
sleep 0.5
d_raw=$(($(rsts_seen) - seen0))
out_dropped=$(chain_packets gen "dnsvolley_$pid" out)
srv_mac=$(lab_mac srv "$LAB_SRV_IF")
seen0=$(rsts_seen)
lab_gen python3 "$probe" packet R "$LAB_GEN_IF" "$srv_mac" "$G4" 40000 "$S4" 53
lab_gen python3 "$probe" packet R "$LAB_GEN_IF" "$srv_mac" "$G6" 40001 "$S6" 53
sleep 0.5
d_packet=$(($(rsts_seen) - seen0))
# A local sender learns of the drop (EPERM): "dropped", for each family.
if [ "$raw" = "dropped dropped" ] && [ "$d_raw" -eq 0 ] && [ "$out_dropped" -eq 2 ] && [ "$d_packet" -eq 2 ]; then
	pass output "2 RSTs through the kernel's output path dropped; 2 through a packet socket reached the server"
else
	fail output "through the kernel: '$raw', $d_raw reached the server, $out_dropped dropped (want 'dropped dropped', 0, 2); through a packet socket: $d_packet reached it (want 2)"
fi

# --- remove: nothing left, and the kernel answers again
rc=0
lab_gen "$tool" remove "$pid" 2>"$tmp/remove.err" || rc=$?
left=$(gen_tables)
measure_synack
rc2=0
lab_gen "$tool" remove "$pid" 2>>"$tmp/remove.err" || rc2=$?
if [ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -z "$left" ] && [ ! -s "$tmp/remove.err" ] && [ "$D_OUT" -eq 2 ]; then
	pass remove "no dnsvolley table left; the kernel resets again; removing twice is no error"
else
	fail remove "status $rc then $rc2, tables left '$left', TcpOutRsts +$D_OUT (want 2), stderr: $(cat "$tmp/remove.err")"
fi

# --- stale: a gone process's table goes at the next install (one line); a live one's stays
rc=0
p1=$(lab_gen "$tool" install "${GUARD_ARGS[@]}" 2>/dev/null) || rc=$?
lab_bg gen sleep 60
live=$LAB_LAST_PID
lab_must lab_gen nft add table inet "dnsvolley_$live"
p2=$(lab_gen "$tool" install "${GUARD_ARGS[@]}" 2>"$tmp/stale.err") || rc=$?
want="dnsvolley: nftables: removed the table inet dnsvolley_$p1 that run PID $p1, which is gone, left in this network namespace"
tables=$(gen_tables | sort | tr '\n' ' ')
expect=$(printf '%s\n' "dnsvolley_$p2" "dnsvolley_$live" | sort | tr '\n' ' ')
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/stale.err")" = "$want" ] && [ "$tables" = "$expect" ]; then
	pass stale "$(cat "$tmp/stale.err"); PID $live's table (alive) stays"
else
	fail stale "status $rc, tables '$tables' (want '$expect'), stderr (want '$want'): $(cat "$tmp/stale.err")"
fi
lab_gen "$tool" remove "$p2" || fail stale "cannot remove dnsvolley_$p2"
lab_gen nft delete table inet "dnsvolley_$live" || true
lab_stop_pid "$live"

# --- no nft, or nft failing: exit 2, one line, nothing installed
# expect_refused NAME WANT_LINE COMMAND...
expect_refused() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	if [ "$rc" -eq 2 ] && [ "$(cat "$tmp/$name.err")" = "$want" ] && [ ! -s "$tmp/$name.out" ] &&
		[ -z "$(gen_tables)" ]; then
		pass "$name" "$want"
	else
		fail "$name" "status $rc (want 2), tables '$(gen_tables | tr '\n' ' ')', stderr (want '$want'): $(cat "$tmp/$name.err")"
	fi
}
expect_refused no-nft "$NO_NFT_LINE" lab_gen env PATH=/nonexistent "$tool" install "${GUARD_ARGS[@]}"
lab_must mkdir "$tmp/fakebin"
printf '#!/bin/sh\necho "Error: Could not process rule: Operation not permitted" >&2\nexit 1\n' >"$tmp/fakebin/nft"
lab_must chmod 755 "$tmp/fakebin/nft"
expect_refused nft-fails \
	"dnsvolley: --transport tcp on af_packet:$LAB_GEN_IF: nft could not list the tables of this network namespace: Error: Could not process rule: Operation not permitted" \
	lab_gen env PATH="$tmp/fakebin:$PATH" "$tool" install "${GUARD_ARGS[@]}"

[ -n "$bin" ] || { [ "$status" -eq 0 ] && echo "tcp-guard: PASS (without dnsvolley runs)"; exit "$status"; }

# --- dnsvolley itself: the feature installs at start and removes at the end, whatever ends it
# Start a run in the generator namespace: RUN_PID (dnsvolley's own: ip netns exec execs it).
#   dvrun NAME SECONDS [ENV...]
dvrun() {
	local name=$1 secs=$2
	shift 2
	ip netns exec "$LAB_GEN_NS" env "$@" "$bin" --transport tcp --port "af_packet:$LAB_GEN_IF" \
		-s "$S4" -d "$queries" -Q 100 -l "$secs" -t 0.5 -S 0 --json "$tmp/$name.json" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	RUN_PID=$!
	LAB_PIDS+=("$RUN_PID")
}

# Wait (up to 20 s) for a table in the generator's namespace.
wait_table() {
	local tries=200
	while [ "$tries" -gt 0 ]; do
		gen_tables | grep -qx "$1" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# Wait for a run (60 s at most): its status in RUN_RC.
dvwait() {
	local tries=600
	while [ "$tries" -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -0 "$1" 2>/dev/null && kill -KILL "$1"
	RUN_RC=0
	{ wait "$1"; } 2>/dev/null || RUN_RC=$?
}

info="dnsvolley: --transport tcp on af_packet:$LAB_GEN_IF: nftables table inet dnsvolley_"
dvrun run 2
if wait_table "dnsvolley_$RUN_PID"; then
	dvwait "$RUN_PID"
	if [ "$RUN_RC" -eq 0 ] && [ -z "$(gen_tables)" ] && grep -qF "${info}$RUN_PID keeps" "$tmp/run.err"; then
		pass dnsvolley-run "table dnsvolley_$RUN_PID while it ran, none after"
	else
		fail dnsvolley-run "status $RUN_RC, tables after '$(gen_tables | tr '\n' ' ')', stderr: $(cat "$tmp/run.err")"
	fi
else
	fail dnsvolley-run "no table dnsvolley_$RUN_PID after 20 s; stderr: $(cat "$tmp/run.err")"
fi

dvrun term 30
if wait_table "dnsvolley_$RUN_PID"; then
	kill -TERM "$RUN_PID"
	dvwait "$RUN_PID"
	if [ -z "$(gen_tables)" ]; then
		pass dnsvolley-sigterm "status $RUN_RC, no table left"
	else
		fail dnsvolley-sigterm "status $RUN_RC, tables left '$(gen_tables | tr '\n' ' ')'"
	fi
else
	fail dnsvolley-sigterm "no table dnsvolley_$RUN_PID after 20 s; stderr: $(cat "$tmp/term.err")"
fi

dvrun kill 30
if wait_table "dnsvolley_$RUN_PID"; then
	killed=$RUN_PID
	kill -KILL "$killed"
	dvwait "$killed"
	rc=0
	p=$(lab_gen "$tool" install "${GUARD_ARGS[@]}" 2>"$tmp/kill.err") || rc=$?
	want="dnsvolley: nftables: removed the table inet dnsvolley_$killed that run PID $killed, which is gone, left in this network namespace"
	if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/kill.err")" = "$want" ] && [ "$(gen_tables)" = "dnsvolley_$p" ]; then
		pass dnsvolley-sigkill "$want"
	else
		fail dnsvolley-sigkill "status $rc, tables '$(gen_tables | tr '\n' ' ')', stderr (want '$want'): $(cat "$tmp/kill.err")"
	fi
	lab_gen "$tool" remove "$p" || true
else
	fail dnsvolley-sigkill "no table dnsvolley_$RUN_PID after 20 s; stderr: $(cat "$tmp/kill.err")"
fi

dvrun no-nft 2 PATH=/nonexistent
dvwait "$RUN_PID"
if [ "$RUN_RC" -eq 2 ] && [ "$(cat "$tmp/no-nft.err")" = "$NO_NFT_LINE" ] && [ ! -e "$tmp/no-nft.json" ] &&
	[ -z "$(gen_tables)" ]; then
	pass dnsvolley-no-nft "exit 2, $NO_NFT_LINE"
else
	fail dnsvolley-no-nft "status $RUN_RC (want 2), result file $([ -e "$tmp/no-nft.json" ] && echo written || echo none), stderr (want one line '$NO_NFT_LINE'): $(cat "$tmp/no-nft.err")"
fi

# A tap whose source address is the host's: refused before anything starts.
rc=0
want="dnsvolley: --transport tcp on tap:dvttap0: $G4 (on $LAB_GEN_IF) is one of our source addresses and an address of this host: the kernel would take the server's segments to it and reset them; give --src addresses no interface has"
lab_gen "$bin" --transport tcp --port tap:dvttap0 -s "$S4" --src "$G4" -d "$queries" -Q 100 -l 1 \
	--json "$tmp/tap.json" >"$tmp/tap.out" 2>"$tmp/tap.err" || rc=$?
if [ "$rc" -eq 2 ] && [ "$(cat "$tmp/tap.err")" = "$want" ] && [ ! -e "$tmp/tap.json" ]; then
	pass dnsvolley-tap "exit 2, $want"
else
	fail dnsvolley-tap "status $rc (want 2), stderr (want one line '$want'): $(cat "$tmp/tap.err")"
fi

exit "$status"
