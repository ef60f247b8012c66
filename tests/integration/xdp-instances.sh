#!/bin/bash
#
# xdp-instances.sh DNSVOLLEY_BINARY: AF_XDP runs never break each other.
#
# A two-namespace lab with two veths (names of its own: dvxgen-PID/dvxsrv-PID,
# dvxg0/dvxs0 and dvxg1/dvxs1, so that it can run beside the other labs) and
# NSD answering on both server ends. The runs see one shared bpffs (a fresh
# instance bind-mounted on /sys/fs/bpf: what two runs on one host see), except
# in the last case. Cases:
#   together   two runs on the two veths, started at once, then 0.6 s apart:
#              each answers 100 % and its XDP counters are its own
#   same-if    a second run on an interface a run uses exits 2 with one line
#              naming the interface and the first run's PID; the first is intact
#   sigkill    after kill -9 of a run, its program stays attached; the next run
#              on that interface removes it and answers 100 %
#   netns      ip netns exec with no bpffs mounted in that namespace: 100 %
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# Our own names: other labs (dvgen-/dvsrv-, dvg0/dvs0) may run at the same time.
LAB_NS_PREFIX=dvx LAB_GEN_IF=dvxg0 LAB_SRV_IF=dvxs0
# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"
IF2=dvxg1
SRV_IF2=dvxs1
GEN2_V4=198.18.2.1
SRV2_V4=198.18.2.2

QPS=2000
# A run must stop by itself well before this; the bound only catches hangs.
RUN_LIMIT_S=60

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip ethtool nsd nsd-checkconf nsd-checkzone kdig python3 mount umount stat
[ -x "$bin" ] || lab_die "not an executable: $bin"
queries="$root/tests/data/lab-queries.txt"
[ -r "$queries" ] || lab_die "cannot read $queries"

lab_host_prereqs
lab_setup
lab_veth "$IF2" "$GEN2_V4" 2001:2:0:2::1 "$SRV_IF2" "$SRV2_V4" 2001:2:0:2::2
tmp=$(lab_tmpdir)

# A bpffs instance of our own, shared by the runs (never the host's /sys/fs/bpf).
bpffs="$tmp/bpffs"
lab_must mkdir "$bpffs"
lab_must mount -t bpf bpf "$bpffs"
netns_ino=$(stat -L -c %i "/run/netns/$LAB_GEN_NS")
xi_cleanup() {
	local st=$? pid
	set +e
	for pid in "${LAB_PIDS[@]}"; do
		lab_stop_pid "$pid"
	done
	umount -l "$bpffs" 2>/dev/null || true
	# Lock files a killed run of this lab left (its namespace is going away).
	rm -f /run/dnsvolley/xdp-"$netns_ino"-*.lock
	(exit "$st")
	lab_cleanup
}
trap xi_cleanup EXIT

# NSD on both server ends.
NSD_DIR="$tmp/nsd"
lab_must mkdir -p "$NSD_DIR"
nsd_write_zone "$queries" >"$NSD_DIR/example.zone"
nsd_write_conf "$NSD_DIR" | awk -v a="$SRV2_V4" -v b="$LAB_SRV_V4" \
	'{ print } $1 == "ip-address:" && $2 == b { sub(/ip-address:.*/, "ip-address: " a); print }' \
	>"$NSD_DIR/nsd.conf"
nsd_launch
nsd_expect "$SRV2_V4" h00.example. A 198.18.1.2

# Start a run in the generator namespace with the shared bpffs on /sys/fs/bpf:
#   xrun NAME IFACE TARGET SECONDS  -> RUN_PID; output in $tmp/NAME.{json,err}
# ip netns exec and sh exec the command: RUN_PID is dnsvolley's own PID.
xrun() {
	local name=$1 ifc=$2 target=$3 secs=$4
	# shellcheck disable=SC2016 # $0 and $@ expand in the inner shell
	ip netns exec "$LAB_GEN_NS" sh -c 'mount --bind "$0" /sys/fs/bpf && exec "$@"' "$bpffs" \
		"$bin" --port "af_xdp:$ifc" -s "$target" -d "$queries" -Q "$QPS" -l "$secs" -t 1 \
		-S 0 -q --json "$tmp/$name.json" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	RUN_PID=$!
	LAB_PIDS+=("$RUN_PID")
}

# Wait for a run (RUN_LIMIT_S at most, then kill it): its exit status in RUN_RC.
xwait() {
	local pid=$1 tries=$((RUN_LIMIT_S * 10))
	while [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -0 "$pid" 2>/dev/null && { lab_log "pid $pid still running after ${RUN_LIMIT_S}s"; kill -KILL "$pid"; }
	RUN_RC=0
	wait "$pid" || RUN_RC=$?
}

# The XDP program id on an interface of the generator namespace ("" if none).
xdp_id() {
	ip -n "$LAB_GEN_NS" -d link show dev "$1" | awk '$1 == "prog/xdp" { print $3; exit }'
}

# Wait (up to 20 s) until an interface has an XDP program.
wait_attached() {
	local tries=200
	while [ "$tries" -gt 0 ]; do
		[ -n "$(xdp_id "$1")" ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# A finished run: exit 0, every query answered, its XDP counters its own.
#   complete NAME SECONDS
complete() {
	local name=$1 secs=$2
	if [ "$RUN_RC" -ne 0 ]; then
		echo "$name: FAIL: dnsvolley exited with status $RUN_RC"
		sed 's/^/  /' "$tmp/$name.err"
		return 1
	fi
	python3 "$root/tests/integration/check_json.py" "$tmp/$name.json" \
		"sent >= $((QPS * secs / 2))" "answered == sent" "timeouts == 0" \
		"dv['xdp']['redirected'] == dv['rx_packets']" || { echo "$name: FAIL"; return 1; }
}

status=0

# --- two runs on two interfaces, one bpffs: started together, then 0.6 s apart
for gap in 0 0.6; do
	lab_log "together (gap $gap s): af_xdp on $LAB_GEN_IF and $IF2"
	xrun "together-$gap-a" "$LAB_GEN_IF" "$LAB_SRV_V4" 3
	a=$RUN_PID
	sleep "$gap"
	xrun "together-$gap-b" "$IF2" "$SRV2_V4" 3
	b=$RUN_PID
	xwait "$a"
	complete "together-$gap-a" 3 || status=1
	xwait "$b"
	complete "together-$gap-b" 3 || status=1
done
# Every bpffs instance has the kernel's maps.debug and progs.debug: anything else is a pin.
pins=$(ls -A "$bpffs" | grep -vxE 'maps\.debug|progs\.debug' | tr '\n' ' ' || true)
if [ -n "$pins" ]; then
	echo "together: FAIL: pinned in the shared bpffs: $pins"
	status=1
fi
[ "$status" -eq 0 ] && echo "together: PASS"

# --- a second run on an interface a live run uses
lab_log "same-if: a second run on $LAB_GEN_IF"
xrun same-a "$LAB_GEN_IF" "$LAB_SRV_V4" 4
a=$RUN_PID
if wait_attached "$LAB_GEN_IF"; then
	sleep 0.5
	xrun same-b "$LAB_GEN_IF" "$LAB_SRV_V4" 1
	xwait "$RUN_PID"
	lines=$(wc -l <"$tmp/same-b.err")
	if [ "$RUN_RC" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "$LAB_GEN_IF" "$tmp/same-b.err" &&
		grep -q "PID $a" "$tmp/same-b.err" && [ ! -s "$tmp/same-b.json" ]; then
		echo "same-if: second run refused: $(cat "$tmp/same-b.err")"
	else
		echo "same-if: FAIL: second run: status $RUN_RC, $lines lines (want 2, one line naming $LAB_GEN_IF and PID $a):"
		sed 's/^/  /' "$tmp/same-b.err"
		status=1
	fi
else
	echo "same-if: FAIL: no XDP program on $LAB_GEN_IF after 20 s"
	status=1
fi
xwait "$a"
if complete same-a 4; then
	echo "same-if: PASS: the first run is intact"
else
	status=1
fi
if [ -n "$(xdp_id "$LAB_GEN_IF")" ]; then
	echo "same-if: FAIL: an XDP program is left on $LAB_GEN_IF"
	status=1
fi

# --- kill -9 leaves our program attached; the next run removes it
lab_log "sigkill: kill -9 a run on $LAB_GEN_IF, then run again"
xrun killed "$LAB_GEN_IF" "$LAB_SRV_V4" 30
a=$RUN_PID
if wait_attached "$LAB_GEN_IF"; then
	sleep 1
	kill -KILL "$a"
	xwait "$a"
	stale=$(xdp_id "$LAB_GEN_IF")
	[ -n "$stale" ] || lab_log "sigkill: no program left after kill -9 (the kernel removed it)"
	xrun after-kill "$LAB_GEN_IF" "$LAB_SRV_V4" 2
	xwait "$RUN_PID"
	if complete after-kill 2; then
		if [ -n "$stale" ] && ! grep -q "removed the program (id $stale)" "$tmp/after-kill.err"; then
			echo "sigkill: FAIL: nothing says program $stale was removed:"
			sed 's/^/  /' "$tmp/after-kill.err"
			status=1
		else
			echo "sigkill: PASS: $(cat "$tmp/after-kill.err")"
		fi
	else
		status=1
	fi
else
	echo "sigkill: FAIL: no XDP program on $LAB_GEN_IF after 20 s"
	status=1
fi

# --- ip netns exec as it is: a fresh /sys, no bpffs
lab_log "netns: ip netns exec without bpffs"
fstype=$(ip netns exec "$LAB_GEN_NS" stat -f -c %T /sys/fs/bpf 2>/dev/null || echo none)
if [ "$fstype" = bpf_fs ]; then
	echo "netns: FAIL: bpffs is mounted under ip netns exec: the case is not tested"
	status=1
else
	ip netns exec "$LAB_GEN_NS" "$bin" --port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V4" -d "$queries" \
		-Q "$QPS" -l 2 -t 1 -S 0 -q --json "$tmp/netns.json" >"$tmp/netns.out" 2>"$tmp/netns.err" &
	RUN_PID=$!
	LAB_PIDS+=("$RUN_PID")
	xwait "$RUN_PID"
	if complete netns 2; then
		echo "netns: PASS (/sys/fs/bpf is $fstype)"
	else
		status=1
	fi
fi

exit "$status"
