# shellcheck shell=bash
#
# netns.sh: a two-namespace lab for tests. Source it from bash; it runs nothing
# by itself.
#
#   dvgen-PID (generator)                 dvsrv-PID (server)
#     dvg0 198.18.0.1/24, 2001:2::1/64  <-veth->  dvs0 198.18.0.2/24, 2001:2::2/64
#
# Lab rules: both veth ends live in namespaces created here (the veth is
# created inside them, it never appears on the host), addresses come from the
# benchmarking ranges 198.18.0.0/15 and 2001:2::/48 only, and the host's own
# interfaces and routes are never touched. lab_setup registers lab_cleanup on
# EXIT, INT and TERM, so everything goes away also when a test fails.
#
# Typical use:
#   . tests/lab/netns.sh
#   lab_require_root            # exit 77 (meson: skipped) unless root
#   lab_require_tools ip kdig   # a missing tool is a failure, not a skip
#   lab_host_prereqs            # hugepages, hugetlbfs, bpffs (AF_XDP only)
#   lab_setup
#   lab_gen kdig @198.18.0.2 ...       # run in the generator namespace
#   lab_bg srv some-daemon ...         # background, killed by lab_cleanup

# The names may be set in the environment (labs that run beside others, as
# tests/integration/xdp-instances.sh does); the namespaces end in our PID.
LAB_GEN_NS="${LAB_NS_PREFIX:-dv}gen-$$"
LAB_SRV_NS="${LAB_NS_PREFIX:-dv}srv-$$"
LAB_GEN_IF=${LAB_GEN_IF:-dvg0}
LAB_SRV_IF=${LAB_SRV_IF:-dvs0}
LAB_GEN_V4=198.18.0.1
LAB_SRV_V4=198.18.0.2
LAB_GEN_V6=2001:2::1
LAB_SRV_V6=2001:2::2
LAB_V4_PLEN=24
LAB_V6_PLEN=64

LAB_PIDS=()            # background processes started by lab_bg
LAB_TMP=""             # scratch directory, removed by lab_cleanup
LAB_NS_CREATED=()      # namespaces to delete
LAB_CLEANED=0
# Host state changed by lab_host_prereqs, restored by lab_cleanup.
LAB_HP_ORIG=""         # nr_hugepages before we raised it
LAB_HP_MOUNTED=0
LAB_HP_MKDIR=0
LAB_BPF_MOUNTED=0

lab_log() {
	echo "lab: $*" >&2
}

lab_die() {
	echo "lab: FAIL: $*" >&2
	exit 1
}

# Run a command; any failure ends the test, naming the command.
lab_must() {
	"$@" || lab_die "command failed: $*"
}

# Exit 77 (meson's "skipped") unless running as root: only lack of privilege skips.
lab_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "lab: SKIP: needs root (network namespaces, XDP, hugepages)" >&2
		exit 77
	fi
}

# Fail (not skip) when a tool is missing: CI has everything installed.
lab_require_tools() {
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[ "${#missing[@]}" -eq 0 ] || lab_die "missing tools: ${missing[*]}"
}

# Hugepages (AF_XDP UMEM and mbufs), a hugetlbfs mount and bpffs (libxdp pins
# the PMD's own dispatcher there; dnsvolley's XDP program, the af_xdp
# profile's, needs none). Only what is missing is changed, and lab_cleanup
# puts it back; set LAB_KEEP_HOST_PREREQS=1 to keep it for repeated runs.
# Inside a namespace, run what needs bpffs with lab_exec_bpf: the host's
# /sys/fs/bpf is not visible under ip netns exec.
lab_host_prereqs() {
	local free total want
	lab_traps
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	total=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	if [ "${free:-0}" -lt 512 ]; then
		want=$((total + 512 - free))
		[ "$want" -ge 1024 ] || want=1024
		LAB_HP_ORIG=$total
		echo "$want" >/proc/sys/vm/nr_hugepages || lab_die "cannot set nr_hugepages"
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
		[ "$free" -ge 512 ] || lab_die "only $free free hugepages after asking for $want"
	fi
	if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
		if [ ! -d /dev/hugepages ]; then
			mkdir /dev/hugepages || lab_die "cannot create /dev/hugepages"
			LAB_HP_MKDIR=1
		fi
		mount -t hugetlbfs nodev /dev/hugepages || lab_die "cannot mount hugetlbfs"
		LAB_HP_MOUNTED=1
	fi
	if ! awk '$2 == "/sys/fs/bpf" && $3 == "bpf" { found = 1 } END { exit !found }' /proc/mounts; then
		mount -t bpf bpf /sys/fs/bpf || lab_die "cannot mount bpffs on /sys/fs/bpf"
		LAB_BPF_MOUNTED=1
	fi
}

# Put back what lab_host_prereqs changed.
lab_host_restore() {
	[ "${LAB_KEEP_HOST_PREREQS:-0}" = 1 ] && return 0
	if [ "$LAB_BPF_MOUNTED" = 1 ]; then
		umount /sys/fs/bpf || lab_log "warning: could not unmount /sys/fs/bpf"
		LAB_BPF_MOUNTED=0
	fi
	if [ "$LAB_HP_MOUNTED" = 1 ]; then
		umount /dev/hugepages || lab_log "warning: could not unmount /dev/hugepages"
		LAB_HP_MOUNTED=0
		if [ "$LAB_HP_MKDIR" = 1 ]; then
			rmdir /dev/hugepages 2>/dev/null || true
			LAB_HP_MKDIR=0
		fi
	fi
	if [ -n "$LAB_HP_ORIG" ]; then
		echo "$LAB_HP_ORIG" >/proc/sys/vm/nr_hugepages || lab_log "warning: could not restore nr_hugepages"
		LAB_HP_ORIG=""
	fi
}

# Namespace of a role: "gen" or "srv" (a full namespace name passes through).
lab_ns() {
	case "$1" in
	gen) echo "$LAB_GEN_NS" ;;
	srv) echo "$LAB_SRV_NS" ;;
	*) echo "$1" ;;
	esac
}

# Run a command in a namespace: lab_exec gen|srv CMD...
lab_exec() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# Run a command in a namespace with bpffs mounted on /sys/fs/bpf (libxdp pins
# its XDP dispatcher there). ip netns exec gives every command a private mount
# namespace with a fresh /sys, which hides the host's bpffs; this mount lives
# in that private namespace only and vanishes with the command.
lab_exec_bpf() {
	local ns
	ns=$(lab_ns "$1")
	shift
	# shellcheck disable=SC2016 # $@ expands in the inner shell
	ip netns exec "$ns" sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$@"' lab-bpf "$@"
}

lab_gen() {
	lab_exec gen "$@"
}

lab_srv() {
	lab_exec srv "$@"
}

# Start a command in a namespace in the background; its pid goes to LAB_PIDS
# (ip netns exec execs the command, so the pid is the command's own) and to
# LAB_LAST_PID. Output goes wherever the caller redirects the call.
lab_bg() {
	local ns
	ns=$(lab_ns "$1")
	shift
	ip netns exec "$ns" "$@" &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
}

# Register lab_cleanup for EXIT, INT and TERM (INT/TERM exit, which runs it once).
lab_traps() {
	trap lab_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# The scratch directory made by lab_setup (configs, logs, results).
lab_tmpdir() {
	[ -n "$LAB_TMP" ] || lab_die "lab_tmpdir: call lab_setup first"
	echo "$LAB_TMP"
}

# MAC address of an interface in a namespace: lab_mac gen|srv IFACE
lab_mac() {
	lab_exec "$1" cat "/sys/class/net/$2/address"
}

# Wait (up to 5 s) until an interface is operationally up. The kernel learns
# the carrier asynchronously (linkwatch, up to a second after "link set up");
# until then IPv6 on that end drops what it receives, neighbour solicitations
# included, and the first IPv6 query of a test would be lost.
lab_wait_oper_up() {
	local ns=$1 dev=$2 tries=50
	while [ "$tries" -gt 0 ]; do
		case $(ip -n "$ns" -o link show dev "$dev") in
		*" state UP "*) return 0 ;;
		esac
		sleep 0.1
		tries=$((tries - 1))
	done
	lab_die "$dev in $ns is not operationally up after 5 s"
}

# A veth between the namespaces, addressed and up:
#   lab_veth GEN_IF GEN_V4 GEN_V6 SRV_IF SRV_V4 SRV_V6
lab_veth() {
	local gif=$1 g4=$2 g6=$3 sif=$4 s4=$5 s6=$6
	# Created inside the generator namespace with its peer placed directly in
	# the server namespace: no end ever shows up on the host.
	ip -n "$LAB_GEN_NS" link add "$gif" type veth peer name "$sif" netns "$LAB_SRV_NS" ||
		lab_die "cannot create the veth pair $gif/$sif"
	# nodad: belt and braces, in case the sysctls did not take.
	lab_must ip -n "$LAB_GEN_NS" addr add "$g4/$LAB_V4_PLEN" dev "$gif"
	lab_must ip -n "$LAB_GEN_NS" addr add "$g6/$LAB_V6_PLEN" dev "$gif" nodad
	lab_must ip -n "$LAB_SRV_NS" addr add "$s4/$LAB_V4_PLEN" dev "$sif"
	lab_must ip -n "$LAB_SRV_NS" addr add "$s6/$LAB_V6_PLEN" dev "$sif" nodad
	# Checksums in software on the server side: with an XDP program on the
	# generator's veth, frames reach it before any checksum completion, so a
	# partial (offloaded) UDP checksum would look corrupt to dnsvolley.
	lab_srv ethtool -K "$sif" tx off >/dev/null 2>&1 ||
		lab_die "cannot turn off TX checksum offload on $sif (ethtool)"
	lab_must ip -n "$LAB_GEN_NS" link set "$gif" up
	lab_must ip -n "$LAB_SRV_NS" link set "$sif" up
	lab_wait_oper_up "$LAB_GEN_NS" "$gif"
	lab_wait_oper_up "$LAB_SRV_NS" "$sif"
}

# Create the namespaces and the veth, configure addresses, bring links up.
lab_setup() {
	lab_traps
	LAB_TMP=$(mktemp -d /tmp/dvlab.XXXXXX) || lab_die "mktemp failed"

	ip netns add "$LAB_GEN_NS" || lab_die "ip netns add $LAB_GEN_NS"
	LAB_NS_CREATED+=("$LAB_GEN_NS")
	ip netns add "$LAB_SRV_NS" || lab_die "ip netns add $LAB_SRV_NS"
	LAB_NS_CREATED+=("$LAB_SRV_NS")

	# No DAD in the lab: link-local addresses too are usable at once, not
	# tentative for a second or two (a tentative address answers no NS).
	local ns
	for ns in "$LAB_GEN_NS" "$LAB_SRV_NS"; do
		lab_must ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0
	done

	lab_must ip -n "$LAB_GEN_NS" link set lo up
	lab_must ip -n "$LAB_SRV_NS" link set lo up
	lab_veth "$LAB_GEN_IF" "$LAB_GEN_V4" "$LAB_GEN_V6" "$LAB_SRV_IF" "$LAB_SRV_V4" "$LAB_SRV_V6"
	lab_log "namespaces $LAB_GEN_NS ($LAB_GEN_IF) and $LAB_SRV_NS ($LAB_SRV_IF) are up"
}

# A second veth between the namespaces, for runs over two ports:
#   dvg1 198.18.2.1/24, 2001:2:0:2::1/64  <-veth->  dvs1 198.18.2.2/24, 2001:2:0:2::2/64
# The server's addresses on dvs0 stay the target; the generator namespace gets
# a second route to them through dvs1, with a higher metric, so the kernel
# still prefers dvg0 and a lookup through dvg1 finds the second path.
LAB_GEN_IF2=${LAB_GEN_IF2:-dvg1}
LAB_SRV_IF2=${LAB_SRV_IF2:-dvs1}
LAB_GEN2_V4=198.18.2.1
LAB_SRV2_V4=198.18.2.2
LAB_GEN2_V6=2001:2:0:2::1
LAB_SRV2_V6=2001:2:0:2::2
lab_second_link() {
	lab_veth "$LAB_GEN_IF2" "$LAB_GEN2_V4" "$LAB_GEN2_V6" "$LAB_SRV_IF2" "$LAB_SRV2_V4" "$LAB_SRV2_V6"
	lab_must ip -n "$LAB_GEN_NS" route add "$LAB_SRV_V4/32" via "$LAB_SRV2_V4" dev "$LAB_GEN_IF2" metric 100
	lab_must ip -n "$LAB_GEN_NS" -6 route add "$LAB_SRV_V6/128" via "$LAB_SRV2_V6" dev "$LAB_GEN_IF2" metric 2048
	# The first link keeps the preferred route: a /32 (/128) of lower metric.
	lab_must ip -n "$LAB_GEN_NS" route add "$LAB_SRV_V4/32" dev "$LAB_GEN_IF" metric 10
	lab_must ip -n "$LAB_GEN_NS" -6 route add "$LAB_SRV_V6/128" dev "$LAB_GEN_IF" metric 10
	lab_log "second link $LAB_GEN_IF2 <-> $LAB_SRV_IF2 is up"
}

# Permanent neighbour entries on the server for the generator's addresses.
# With AF_XDP the default XDP program on dvg0 hands every frame arriving on
# queue 0 to dnsvolley, ARP and ND replies included: the kernel in the
# generator namespace never answers the server's ARP requests or neighbour
# solicitations, so the server could not resolve us and would not answer.
lab_static_neigh() {
	local mac
	mac=$(lab_mac gen "$LAB_GEN_IF") || lab_die "cannot read the MAC of $LAB_GEN_IF"
	lab_must ip -n "$LAB_SRV_NS" neigh replace "$LAB_GEN_V4" lladdr "$mac" dev "$LAB_SRV_IF" nud permanent
	lab_must ip -n "$LAB_SRV_NS" neigh replace "$LAB_GEN_V6" lladdr "$mac" dev "$LAB_SRV_IF" nud permanent
}

# Routes on the server for the generator's source ranges (--src PREFIX), via the
# generator's own address. With AF_XDP no kernel answers ARP/ND for the range's
# addresses (the XDP program takes every frame of the queue), so the server must
# not ask: it sends to the generator's MAC, which lab_static_neigh pinned. On a
# real network the same route goes on the server or its router; the
# alternative, the generator's kernel answering for the range, needs an XDP
# program that passes ARP/ND to the kernel (issue 6) and proxy ARP/NDP.
#   lab_route_sources 198.18.128.0/20 2001:2:0:100::/64
lab_route_sources() {
	local p
	for p in "$@"; do
		case $p in
		*:*) lab_must ip -n "$LAB_SRV_NS" -6 route replace "$p" via "$LAB_GEN_V6" dev "$LAB_SRV_IF" ;;
		*) lab_must ip -n "$LAB_SRV_NS" route replace "$p" via "$LAB_GEN_V4" dev "$LAB_SRV_IF" ;;
		esac
	done
}

# Stop a background process: TERM, up to 5 s, then KILL.
lab_stop_pid() {
	local pid=$1 tries=50
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while [ "$tries" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		tries=$((tries - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		lab_log "pid $pid ignored SIGTERM, killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# Remove everything: processes, namespaces (and with them the veth), scratch
# directory, host prerequisites. Idempotent; registered as the EXIT trap.
lab_cleanup() {
	local status=$? pid ns
	[ "$LAB_CLEANED" = 1 ] && return "$status"
	LAB_CLEANED=1
	trap - EXIT INT TERM

	for pid in "${LAB_PIDS[@]}"; do
		lab_stop_pid "$pid"
	done
	LAB_PIDS=()
	for ns in "${LAB_NS_CREATED[@]}"; do
		# A process left inside would keep the namespace (and veth) alive
		# after its name is gone. The namespace is ours: so is all it runs.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab_stop_pid "$pid"
		done
		ip netns del "$ns" 2>/dev/null || lab_log "warning: could not delete namespace $ns"
	done
	LAB_NS_CREATED=()
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		if [ "${LAB_KEEP_TMP:-0}" = 1 ]; then
			lab_log "kept $LAB_TMP"
		else
			rm -rf -- "$LAB_TMP"
		fi
	fi
	LAB_TMP=""
	lab_host_restore
	return "$status"
}
