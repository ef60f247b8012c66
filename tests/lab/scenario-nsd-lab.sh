#!/bin/bash
# The lab of scenarios/nsd-lab.yaml: NSD in a namespace behind a veth, dnsvolley
# over AF_XDP in another. ./lab.sh scenario nsd-lab runs this.
# usage: scenario-nsd-lab.sh DNSVOLLEY RESULT.json [DNSVOLLEY-OPTIONS...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$here/../..
# shellcheck source=SCRIPTDIR/netns.sh
. "$here/netns.sh"
# shellcheck source=SCRIPTDIR/nsd.sh
. "$here/nsd.sh"

[ $# -ge 2 ] || { echo "usage: $0 DNSVOLLEY RESULT.json [OPTIONS...]" >&2; exit 2; }
bin=$1 json=$2
shift 2
lab_require_root
lab_require_tools ip ethtool nsd nsd-checkconf nsd-checkzone kdig timeout
lab_host_prereqs
lab_setup
lab_static_neigh
nsd_start "$root/scenarios/queries/quickstart.txt"
nsd_expect "$LAB_SRV_V4" ns.example. A "$LAB_SRV_V4"
# The scenario's port and target name the lab of its comment; this lab's are these.
lab_exec_bpf gen timeout --kill-after=10 120 "$bin" --scenario "$root/scenarios/nsd-lab.yaml" \
	--port "af_xdp:$LAB_GEN_IF" -s "$LAB_SRV_V4" --json "$json" "$@" &
pid=$!
LAB_PIDS+=("$pid")
wait "$pid"
