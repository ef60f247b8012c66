# shellcheck shell=bash
# shellcheck disable=SC2153 # LAB_GEN_NS, LAB_SRV_IF, ... come from netns.sh
#
# router.sh: a three-namespace lab with a router in the middle, for tests of
# fragmented responses. Source it from bash after netns.sh (it reuses netns.sh's
# helpers, cleanup and variables, and replaces the addresses); it runs nothing
# by itself.
#
#   dvgen-PID (generator)          dvrtr-PID (router)                 dvsrv-PID (server)
#     dvg0 198.18.10.1/24   <-veth->  dvr0 198.18.10.254/24
#          2001:2:10::1/64  MTU 1280       2001:2:10::254/64
#                                      dvr1 198.18.11.254/24  <-veth->  dvs0 198.18.11.2/24
#                                           2001:2:11::254/64 MTU 1500       2001:2:11::2/64
#
# The generator and the server have default routes via the router, which
# forwards both families. The link toward the generator has MTU 1280 on both
# ends, the link toward the server 1500. In the router, nftables drops every
# IPv6 packet with a Fragment header that would leave toward the generator;
# IPv4 fragments pass (the router fragments again what does not fit into 1280
# bytes, as IPv4 routers do without DF). ICMP errors are not rate limited in
# the router or the server, so every Packet Too Big goes out.
#
# Lab rules as in netns.sh: every interface is created inside the lab's
# namespaces, addresses come from 198.18.0.0/15 and 2001:2::/48 only, the
# host's interfaces, routes and firewall are never touched (the nftables table
# lives in the router namespace and goes away with it), and lab_cleanup
# (registered on EXIT, INT and TERM) removes everything.
#
# Typical use:
#   . tests/lab/netns.sh
#   . tests/lab/nsd.sh           # for router_nsd_start only
#   . tests/lab/router.sh
#   lab_require_root
#   lab_require_tools ip ethtool nft nsd kdig python3
#   lab_host_prereqs             # AF_XDP only
#   router_setup
#   router_static_neigh          # before AF_XDP takes over the generator's interface
#   router_nsd_start             # NSD with big.example. TXT (~3.1 kB) and small.example. A
#   lab_gen kdig @"$LAB_SRV_V6" big.example. TXT +bufsize=4096
#   router_nft_count 1           # IPv6 fragments the router dropped so far

# Replace netns.sh's two-namespace addresses: the generator and the server
# are now on different subnets, and the server is off-link for the generator.
LAB_GEN_V4=198.18.10.1
LAB_GEN_V6=2001:2:10::1
LAB_SRV_V4=198.18.11.2
LAB_SRV_V6=2001:2:11::2

LAB_RTR_NS="dvrtr-$$"
LAB_RTR_GEN_IF=dvr0          # toward the generator (MTU 1280, IPv6 fragments dropped)
LAB_RTR_SRV_IF=dvr1          # toward the server (MTU 1500)
LAB_RTR_GEN_V4=198.18.10.254
LAB_RTR_GEN_V6=2001:2:10::254
LAB_RTR_SRV_V4=198.18.11.254
LAB_RTR_SRV_V6=2001:2:11::254
ROUTER_GEN_MTU=1280
ROUTER_SRV_MTU=1500
# Which IPv6 fragments the router drops toward the generator: "all" (every
# packet with a Fragment header, as many networks do), or "nonfirst" (only
# fragments with offset > 0: the first fragment, with the UDP header and the
# DNS ID, still arrives and the set can never complete). Set it after
# sourcing this file, before router_setup.
ROUTER_V6_FRAG_DROP=all

# Run a command in the router namespace.
router_exec() {
	ip netns exec "$LAB_RTR_NS" "$@"
}

# Sysctls that keep ICMP errors from being thinned out in namespace $1: no
# per-destination rate limit, and a global budget far above any lab load.
router_icmp_unlimited() {
	lab_must ip netns exec "$1" sysctl -qw net.ipv4.icmp_ratelimit=0 \
		net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 \
		net.ipv4.icmp_msgs_burst=100000
}

# The router's firewall: drop IPv6 packets with a Fragment header forwarded
# toward the generator (all of them, or per ROUTER_V6_FRAG_DROP only those
# with offset > 0); count the IPv4 fragments forwarded there (they pass; the
# count is of packets before the router fragments them again to fit 1280).
router_write_nft() {
	local match
	case $ROUTER_V6_FRAG_DROP in
	all) match="exthdr frag exists" ;;
	nonfirst) match="frag frag-off != 0" ;;
	*) lab_die "ROUTER_V6_FRAG_DROP=$ROUTER_V6_FRAG_DROP: want all or nonfirst" ;;
	esac
	cat <<-EOF
		table inet lab {
		    chain to_gen {
		        type filter hook forward priority filter; policy accept;
		        oifname "$LAB_RTR_GEN_IF" meta nfproto ipv6 $match counter drop
		        oifname "$LAB_RTR_GEN_IF" meta nfproto ipv4 ip frag-off & 0x3fff != 0 counter accept
		    }
		}
	EOF
}

# Packets counted by rule N (1: IPv6 fragments dropped, 2: IPv4 fragments
# passed) of the router's chain.
router_nft_count() {
	local n=$1
	router_exec nft list chain inet lab to_gen |
		awk -v n="$n" '/counter packets/ { if (++i == n) { for (f = 1; f < NF; f++) if ($f == "packets") print $(f + 1) } }'
}

# Create the three namespaces and two veth pairs, configure addresses, MTUs,
# routes, forwarding and the firewall, bring the links up.
router_setup() {
	local ns dev
	lab_traps
	LAB_TMP=$(mktemp -d /tmp/dvlab.XXXXXX) || lab_die "mktemp failed"

	for ns in "$LAB_GEN_NS" "$LAB_RTR_NS" "$LAB_SRV_NS"; do
		ip netns add "$ns" || lab_die "ip netns add $ns"
		LAB_NS_CREATED+=("$ns")
		# No DAD: addresses, link-local ones too, are usable at once.
		lab_must ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_dad=0
	done

	# Each veth is created inside one lab namespace with its peer placed
	# directly into the other: no end ever shows up on the host.
	ip -n "$LAB_GEN_NS" link add "$LAB_GEN_IF" mtu "$ROUTER_GEN_MTU" type veth \
		peer name "$LAB_RTR_GEN_IF" mtu "$ROUTER_GEN_MTU" netns "$LAB_RTR_NS" ||
		lab_die "cannot create the generator-router veth pair"
	ip -n "$LAB_RTR_NS" link add "$LAB_RTR_SRV_IF" mtu "$ROUTER_SRV_MTU" type veth \
		peer name "$LAB_SRV_IF" mtu "$ROUTER_SRV_MTU" netns "$LAB_SRV_NS" ||
		lab_die "cannot create the router-server veth pair"

	lab_must ip -n "$LAB_GEN_NS" addr add "$LAB_GEN_V4/24" dev "$LAB_GEN_IF"
	lab_must ip -n "$LAB_GEN_NS" addr add "$LAB_GEN_V6/64" dev "$LAB_GEN_IF" nodad
	lab_must ip -n "$LAB_RTR_NS" addr add "$LAB_RTR_GEN_V4/24" dev "$LAB_RTR_GEN_IF"
	lab_must ip -n "$LAB_RTR_NS" addr add "$LAB_RTR_GEN_V6/64" dev "$LAB_RTR_GEN_IF" nodad
	lab_must ip -n "$LAB_RTR_NS" addr add "$LAB_RTR_SRV_V4/24" dev "$LAB_RTR_SRV_IF"
	lab_must ip -n "$LAB_RTR_NS" addr add "$LAB_RTR_SRV_V6/64" dev "$LAB_RTR_SRV_IF" nodad
	lab_must ip -n "$LAB_SRV_NS" addr add "$LAB_SRV_V4/24" dev "$LAB_SRV_IF"
	lab_must ip -n "$LAB_SRV_NS" addr add "$LAB_SRV_V6/64" dev "$LAB_SRV_IF" nodad

	# Checksums in software on every interface that sends toward the
	# generator: a forwarded packet keeps the partial (offloaded) UDP checksum
	# it was sent with, and dnsvolley's XDP socket on dvg0 would see it corrupt.
	lab_srv ethtool -K "$LAB_SRV_IF" tx off >/dev/null 2>&1 ||
		lab_die "cannot turn off TX checksum offload on $LAB_SRV_IF (ethtool)"
	for dev in "$LAB_RTR_GEN_IF" "$LAB_RTR_SRV_IF"; do
		router_exec ethtool -K "$dev" tx off >/dev/null 2>&1 ||
			lab_die "cannot turn off TX checksum offload on $dev (ethtool)"
	done

	lab_must ip netns exec "$LAB_RTR_NS" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	router_icmp_unlimited "$LAB_RTR_NS"
	router_icmp_unlimited "$LAB_SRV_NS"
	router_write_nft >"$LAB_TMP/router.nft"
	router_exec nft -f "$LAB_TMP/router.nft" || lab_die "nft rejects $LAB_TMP/router.nft"

	for ns in "$LAB_GEN_NS" "$LAB_RTR_NS" "$LAB_SRV_NS"; do
		lab_must ip -n "$ns" link set lo up
	done
	lab_must ip -n "$LAB_GEN_NS" link set "$LAB_GEN_IF" up
	lab_must ip -n "$LAB_RTR_NS" link set "$LAB_RTR_GEN_IF" up
	lab_must ip -n "$LAB_RTR_NS" link set "$LAB_RTR_SRV_IF" up
	lab_must ip -n "$LAB_SRV_NS" link set "$LAB_SRV_IF" up
	lab_wait_oper_up "$LAB_GEN_NS" "$LAB_GEN_IF"
	lab_wait_oper_up "$LAB_RTR_NS" "$LAB_RTR_GEN_IF"
	lab_wait_oper_up "$LAB_RTR_NS" "$LAB_RTR_SRV_IF"
	lab_wait_oper_up "$LAB_SRV_NS" "$LAB_SRV_IF"

	lab_must ip -n "$LAB_GEN_NS" route add default via "$LAB_RTR_GEN_V4" dev "$LAB_GEN_IF"
	lab_must ip -n "$LAB_GEN_NS" -6 route add default via "$LAB_RTR_GEN_V6" dev "$LAB_GEN_IF"
	lab_must ip -n "$LAB_SRV_NS" route add default via "$LAB_RTR_SRV_V4" dev "$LAB_SRV_IF"
	lab_must ip -n "$LAB_SRV_NS" -6 route add default via "$LAB_RTR_SRV_V6" dev "$LAB_SRV_IF"
	lab_log "namespaces $LAB_GEN_NS ($LAB_GEN_IF, MTU $ROUTER_GEN_MTU) - $LAB_RTR_NS" \
		"($LAB_RTR_GEN_IF | $LAB_RTR_SRV_IF) - $LAB_SRV_NS ($LAB_SRV_IF, MTU $ROUTER_SRV_MTU) are up"
}

# Permanent neighbour entries on the router's generator side for the
# generator's addresses. With AF_XDP on dvg0 the generator's kernel sees no
# ARP request or neighbour solicitation any more, so the router could not
# resolve the generator and would drop every answer.
router_static_neigh() {
	local mac
	mac=$(lab_mac gen "$LAB_GEN_IF") || lab_die "cannot read the MAC of $LAB_GEN_IF"
	lab_must ip -n "$LAB_RTR_NS" neigh replace "$LAB_GEN_V4" lladdr "$mac" \
		dev "$LAB_RTR_GEN_IF" nud permanent
	lab_must ip -n "$LAB_RTR_NS" neigh replace "$LAB_GEN_V6" lladdr "$mac" \
		dev "$LAB_RTR_GEN_IF" nud permanent
}

# Make the server learn the path MTU toward the generator the way a real
# network teaches it: send 1448-byte IPv6 packets (they fit the server's 1500
# link, not the router's 1280 link; IPv6 routers never fragment), which the
# router must answer with an ICMPv6 Packet Too Big, until the server's kernel
# has a smaller path MTU (at most 2 s). Prints the path MTU it then reports
# for a socket toward the generator.
router_learn_pmtu6() {
	lab_srv python3 - "$LAB_GEN_V6" <<-'EOF'
		import socket, sys, time
		IPV6_MTU_DISCOVER, IPV6_MTU, IPV6_PMTUDISC_DO = 23, 24, 2
		s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
		s.connect((sys.argv[1], 9))
		mtu = s.getsockopt(socket.IPPROTO_IPV6, IPV6_MTU)
		for _ in range(20):
		    try:
		        s.send(bytes(1400))
		    except OSError:
		        pass  # EMSGSIZE once the PTB is in: what we are waiting for
		    time.sleep(0.1)
		    mtu = s.getsockopt(socket.IPPROTO_IPV6, IPV6_MTU)
		    if mtu < 1500:
		        break
		print(mtu)
	EOF
}

# NSD in the server namespace with answers too large for one packet. Needs
# nsd.sh (sourced after netns.sh): its configuration writer, NSD_DIR, NSD_PID
# and nsd_dump_logs are reused.
#
# Zone example.:
#   small.example. A     198.18.11.53 (a small answer, to check the path)
#   big.example.   TXT   ROUTER_BIG_RRS records of two 250-byte strings each:
#                        3012 bytes of RDATA, a DNS answer of about 3.1 kB
#   *.wild.example. TXT  the same records under every name (unique names: one
#                        sequence each in a capture)
# What NSD does with a large answer (NSD 4.6 on Linux): over IPv4 its UDP
# sockets send without DF, so the server's kernel fragments at 1500 and the
# router fragments again at 1280 (5 fragments at the generator); over IPv6 it
# sets IPV6_MTU 1280 on its UDP sockets, so the answer leaves the server
# already in fragments of at most 1280 bytes (3), which the router drops.
ROUTER_BIG_RRS=6
ROUTER_SMALL_A=198.18.11.53

router_write_zone() {
	cat <<-EOF
		\$ORIGIN example.
		\$TTL 3600
		@	IN SOA ns.example. hostmaster.example. 1 3600 900 604800 300
		@	IN NS ns.example.
		ns	IN A $LAB_SRV_V4
		ns	IN AAAA $LAB_SRV_V6
		small	IN A $ROUTER_SMALL_A
	EOF
	# Strings differ per record (identical records would be one).
	awk -v n="$ROUTER_BIG_RRS" 'BEGIN {
		pad = sprintf("%250s", ""); gsub(/ /, "x", pad)
		for (i = 1; i <= n; i++) {
			a = substr(sprintf("r%02da-%s", i, pad), 1, 250)
			b = substr(sprintf("r%02db-%s", i, pad), 1, 250)
			printf "big\tIN TXT \"%s\" \"%s\"\n", a, b
			printf "*.wild\tIN TXT \"%s\" \"%s\"\n", a, b
		}
	}'
}

# nsd.sh's configuration plus what large UDP answers need: NSD caps its UDP
# answers at 1232 bytes by default whatever the requestor offers; here it
# answers up to the requestor's EDNS size (at most 4096).
router_write_nsd_conf() {
	nsd_write_conf "$1"
	cat <<-EOF
		server:
		    ipv4-edns-size: 4096
		    ipv6-edns-size: 4096
	EOF
}

# Start NSD and wait (up to 10 s) until it answers kdig from the generator
# namespace, through the router.
router_nsd_start() {
	NSD_DIR="$(lab_tmpdir)/nsd"
	lab_must mkdir -p "$NSD_DIR"
	router_write_zone >"$NSD_DIR/example.zone"
	router_write_nsd_conf "$NSD_DIR" >"$NSD_DIR/nsd.conf"
	nsd_launch
}
