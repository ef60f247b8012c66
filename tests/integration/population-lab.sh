#!/bin/bash
#
# population-lab.sh DNSVOLLEY_BINARY: --population apnic-2023 against NSD,
# seen from the server.
#
# dnsvolley sends the preset's resolver kinds over AF_XDP on a veth (both
# families, unique names NSD answers at once, with NXDOMAIN), tcpdump
# captures every query at the server, and `dnsvolley analyze` reads the
# capture back into APNIC's tables. Each published figure must be matched
# within 2 percentage points: the share of names asked once and 2+ times,
# the share of sequences starting over IPv4, the first-two family table, the
# EDNS sizes (all queries, and 4096 over IPv6), and a cluster of first-two
# gaps at each of 10 ms, 375 ms, 400 ms and 1 s (±6 ms); the mean queries per
# name within 0.1 of 2.1. The capture holds exactly the run's logical queries
# as sequences, and every kind's queries come from its own slice of --src.
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

QPS=1500
SECONDS_RUN=10
RUN_LIMIT_S=90

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip nsd nsd-checkconf nsd-checkzone kdig python3 timeout tcpdump
[ -x "$bin" ] || lab_die "not an executable: $bin"

nsd_lab_up "$root/tests/data/lab-queries.txt"
tmp=$(lab_tmpdir)
lab_route_sources 198.18.128.0/17 2001:2:0:100::/64

cap_start "$tmp/srv.pcap" 256 "port 53"
lab_log "dnsvolley af_xdp: --population apnic-2023, $QPS names/s for $SECONDS_RUN s"
lab_exec_bpf gen timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" --port "af_xdp:$LAB_GEN_IF" \
	-s "$LAB_SRV_V4" -s "$LAB_SRV_V6" --src 198.18.128.0/17 --src 2001:2:0:100::/64 \
	--qname '{seq}.{rand8}.example' --population apnic-2023 -Q "$QPS" -l "$SECONDS_RUN" \
	-S 0 -q --json "$tmp/run.json" >"$tmp/run.txt" &
run_pid=$!
LAB_PIDS+=("$run_pid")
rc=0
wait "$run_pid" || rc=$?
lab_forget_pid "$run_pid"
cap_stop_whole
if [ "$rc" -ne 0 ]; then
	echo "population: FAIL: dnsvolley exited with status $rc"
	exit 1
fi
"$bin" analyze "$tmp/srv.pcap" --json "$tmp/analyze.json" >"$tmp/analyze.txt" ||
	{ echo "population: FAIL: analyze exited with status $?"; exit 1; }
cat "$tmp/analyze.txt"
python3 "$root/tests/integration/check_population.py" "$tmp/run.json" "$tmp/analyze.json" \
	"$tmp/srv.pcap"
