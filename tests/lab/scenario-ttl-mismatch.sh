#!/bin/bash
# The lab of scenarios/ttl-mismatch.yaml (tests/lab/ttl.sh): Unbound in front of
# NSD in a namespace, dnsvolley over AF_PACKET in another, answers tracked.
# ./lab.sh scenario ttl-mismatch runs this.
# usage: scenario-ttl-mismatch.sh DNSVOLLEY RESULT.json [DNSVOLLEY-OPTIONS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$here/../..
# shellcheck source=SCRIPTDIR/netns.sh
. "$here/netns.sh"
# shellcheck source=SCRIPTDIR/ttl.sh
. "$here/ttl.sh"

[ $# -ge 2 ] || { echo "usage: $0 DNSVOLLEY RESULT.json [OPTIONS...]" >&2; exit 2; }
bin=$1 json=$2
shift 2
lab_require_root
lab_require_tools ip ethtool nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf kdig timeout
ttl_lab_start
lab_exec gen timeout --kill-after=10 180 "$bin" --scenario "$root/scenarios/ttl-mismatch.yaml" \
	--port "af_packet:$LAB_GEN_IF" -s "$LAB_SRV_V4" --json "$json" "$@" &
pid=$!
LAB_PIDS+=("$pid")
wait "$pid"
