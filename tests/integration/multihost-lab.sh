#!/bin/bash
#
# multihost-lab.sh DNSVOLLEY_BINARY: one run over three generator "hosts",
# driven by the Ansible playbook (docs/ansible/dnsvolley.yml).
#
# The hosts are network namespaces of this machine, each with its own veth
# to the one server namespace running NSD; Ansible reaches them through its
# local connection and `ip netns exec` (dv_wrap). Each runs instance K/3 of
# the run (--instance, --start-at), over AF_XDP; the playbook collects the
# result files, merges them and renders the report. tcpdump on each of the
# server's three veths sees what each instance sent. Asserts:
#   - the instances' first queries went out within 5 ms of each other
#     (first_tx_ns in their result files) and of the --start-at instant;
#   - the merged counts are the sum of the instances';
#   - the server saw no generated name twice, across all instances, and
#     every name the run sent;
#   - each instance sent only from its slice of --src (a /19 of the /17).
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/nsd.sh
. "$root/tests/lab/nsd.sh"

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

lab_require_root
lab_require_tools ip nsd nsd-checkconf nsd-checkzone kdig python3 timeout tcpdump ansible-playbook
[ -x "$bin" ] || lab_die "not an executable: $bin"

nsd_lab_up "$root/tests/data/lab-queries.txt"
tmp=$(lab_tmpdir)

# Hosts 2 and 3: a namespace each, a veth to the server namespace, the
# server's address (on dvs0) routed through it; the server reaches each
# instance's slice of 198.18.128.0/17 through that instance's veth.
gen_ns=("$LAB_GEN_NS")
gen_if=("$LAB_GEN_IF")
srv_if=("$LAB_SRV_IF")
lab_must ip -n "$LAB_SRV_NS" route replace 198.18.128.0/19 via "$LAB_GEN_V4" dev "$LAB_SRV_IF"
for k in 2 3; do
	ns=dvmh$k-$$
	ip netns add "$ns" || lab_die "ip netns add $ns"
	LAB_NS_CREATED+=("$ns")
	lab_must ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_dad=0
	lab_must ip -n "$ns" link set lo up
	LAB_GEN_NS=$ns lab_veth "dvmhg$k" "198.18.2$k.1" "2001:2:0:2$k::1" "dvmhs$k" "198.18.2$k.2" \
		"2001:2:0:2$k::2"
	lab_must ip -n "$ns" route replace "$LAB_SRV_V4/32" via "198.18.2$k.2" dev "dvmhg$k"
	mac=$(ip -n "$LAB_SRV_NS" -br link show "dvmhs$k" | awk '{print $3}')
	lab_must ip -n "$ns" neigh replace "198.18.2$k.2" lladdr "$mac" dev "dvmhg$k" nud permanent
	mac=$(ip -n "$ns" -br link show "dvmhg$k" | awk '{print $3}')
	lab_must ip -n "$LAB_SRV_NS" neigh replace "198.18.2$k.1" lladdr "$mac" dev "dvmhs$k" nud permanent
	lab_must ip -n "$LAB_SRV_NS" route replace "198.18.$((128 + 32 * (k - 1))).0/19" \
		via "198.18.2$k.1" dev "dvmhs$k"
	gen_ns+=("$ns")
	gen_if+=("dvmhg$k")
	srv_if+=("dvmhs$k")
done

# A capture on each of the server's veths: what each instance sent.
cap_pids=()
for k in 1 2 3; do
	lab_bg srv tcpdump -i "${srv_if[k - 1]}" -nn -s 256 --immediate-mode -U -Z root \
		-w "$tmp/srv$k.pcap" "udp dst port 53" >"$tmp/srv$k.pcap.log" 2>&1
	cap_pids+=("$LAB_LAST_PID")
done
for k in 1 2 3; do
	tries=50
	until grep -q '^tcpdump: listening on' "$tmp/srv$k.pcap.log"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || lab_die "tcpdump on ${srv_if[k - 1]} did not start"
		sleep 0.1
	done
done

{
	echo "[generators]"
	for k in 1 2 3; do
		echo "gen$k dv_wrap='ip netns exec ${gen_ns[k - 1]}' dv_port=af_xdp:${gen_if[k - 1]}"
	done
	echo "[generators:vars]"
	echo "ansible_connection=local"
	echo "ansible_python_interpreter=/usr/bin/python3"
	echo "[all:vars]"
	echo "dnsvolley=$bin"
} >"$tmp/inventory.ini"
cat >"$tmp/run.yml" <<EOF
dv_target: $LAB_SRV_V4
dv_args: "--src 198.18.128.0/17 --qname '{seq}.{rand8}.example' -Q 3000 -l 3 -t 1"
dv_start_delay: 10
dv_result_dir: $tmp
dv_collect_dir: $tmp/collected
dv_prepare: false
EOF
lab_log "ansible-playbook: three instances of 3000 qps for 3 s, one start"
rc=0
ANSIBLE_LOCAL_TEMP=$tmp/ansible ANSIBLE_HOME=$tmp/ansible ANSIBLE_NOCOLOR=1 \
	timeout 180 ansible-playbook -i "$tmp/inventory.ini" "$root/docs/ansible/dnsvolley.yml" \
	-e "@$tmp/run.yml" >"$tmp/ansible.log" 2>&1 || rc=$?
for p in "${cap_pids[@]}"; do
	kill -INT "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
if [ "$rc" -ne 0 ]; then
	tail -n 40 "$tmp/ansible.log"
	echo "multihost: FAIL: ansible-playbook exited with status $rc"
	exit 1
fi
[ -s "$tmp/collected/report/report.txt" ] || [ -n "$(ls "$tmp/collected/report" 2>/dev/null)" ] ||
	{ echo "multihost: FAIL: no report in $tmp/collected/report"; exit 1; }

python3 "$root/tests/integration/check_multihost.py" "$tmp"
