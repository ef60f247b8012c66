# shellcheck shell=bash
# shellcheck disable=SC2153 # LAB_GEN_NS, LAB_SRV_IF, ... come from netns.sh and router.sh
#
# unbound.sh: Unbound as a resolver in the generator namespace of the router
# lab (tests/lab/router.sh), in front of NSD in the server namespace. Source
# it after netns.sh, nsd.sh and router.sh.
# Used by tests/integration/unbound-steps.sh; needs capture.sh too.
#
#   unbound_start            Unbound on 127.0.0.1@53 in the generator namespace:
#                            v6.wild.example. resolved from NSD (router_nsd_start;
#                            router.sh's *.wild.example. TXT, ~3.1 kB under every
#                            name) over IPv6 only, v4.wild.example. over IPv4 only
#                            (stub zones)
#   unbound_stop             stop it (dnsvolley's AF_XDP program then owns dvg0)

UB_DIR=""
UB_PID=""
UB_PORT=53
UB_ADDR=127.0.0.1

# Unbound's configuration: a plain iterator (no validation), everything
# default that decides the transport steps (edns-buffer-size 1232, no
# tcp-upstream), no qname minimisation (NSD would get extra small questions
# for the ancestors of each name), no prefetch or serve-expired.
unbound_write_conf() {
	local dir=$1
	cat <<-EOF
		server:
		    interface: $UB_ADDR
		    port: $UB_PORT
		    do-ip4: yes
		    do-ip6: yes
		    do-udp: yes
		    do-tcp: yes
		    access-control: 127.0.0.0/8 allow
		    username: ""
		    chroot: ""
		    directory: "$dir"
		    pidfile: "$dir/unbound.pid"
		    logfile: ""
		    use-syslog: no
		    verbosity: 1
		    num-threads: 1
		    module-config: "iterator"
		    qname-minimisation: no
		    prefetch: no
		    ratelimit: 0
		    ip-ratelimit: 0
		    # Small caches; every question of the test is a new name anyway.
		    msg-cache-size: 1m
		    rrset-cache-size: 1m
		    # example. is no RFC 6761 name, but be explicit about the stubs only.
		    do-not-query-localhost: yes
		remote-control:
		    control-enable: no
		stub-zone:
		    name: "v6.wild.example."
		    stub-addr: $LAB_SRV_V6
		    stub-prime: no
		stub-zone:
		    name: "v4.wild.example."
		    stub-addr: $LAB_SRV_V4
		    stub-prime: no
	EOF
}

unbound_dump_logs() {
	[ -n "$UB_DIR" ] && [ -s "$UB_DIR/unbound.out" ] || return 0
	echo "--- $UB_DIR/unbound.out" >&2
	tail -n 30 "$UB_DIR/unbound.out" >&2
}

# Start Unbound in the generator namespace; wait (10 s at most) until it
# answers a question it needs no upstream for (localhost. A, its default
# local zone), so nothing reaches NSD before the test asks.
unbound_start() {
	local bin tries=50
	UB_DIR="$(lab_tmpdir)/unbound"
	lab_must mkdir -p "$UB_DIR"
	unbound_write_conf "$UB_DIR" >"$UB_DIR/unbound.conf"
	unbound-checkconf "$UB_DIR/unbound.conf" >/dev/null ||
		lab_die "unbound-checkconf rejects $UB_DIR/unbound.conf"
	# Debian's AppArmor profile for /usr/sbin/unbound (enforced where AppArmor
	# is on) lets it read configuration only under /etc/unbound: there, run a
	# private copy of the binary, to which the profile does not attach
	# (DV_LAB_UNBOUND_COPY=1 forces it). As in tests/lab/ttl.sh.
	bin=$(command -v unbound)
	if [ "${DV_LAB_UNBOUND_COPY:-0}" = 1 ] ||
		grep -qs '^unbound (enforce)' /sys/kernel/security/apparmor/profiles; then
		lab_must cp "$bin" "$UB_DIR/unbound"
		bin=$UB_DIR/unbound
		lab_log "running a copy of unbound: its AppArmor profile would not let it read $UB_DIR"
	fi
	lab_bg gen "$bin" -d -c "$UB_DIR/unbound.conf" >"$UB_DIR/unbound.out" 2>&1
	UB_PID=$LAB_LAST_PID
	while [ "$tries" -gt 0 ]; do
		if ! kill -0 "$UB_PID" 2>/dev/null; then
			unbound_dump_logs
			lab_die "unbound exited during startup"
		fi
		if lab_gen kdig @"$UB_ADDR" -p "$UB_PORT" localhost. A +short +timeout=1 +retry=0 2>/dev/null |
			grep -q '^127\.0\.0\.1$'; then
			lab_log "unbound (pid $UB_PID) answers on $UB_ADDR@$UB_PORT in $LAB_GEN_NS"
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	unbound_dump_logs
	lab_die "unbound does not answer on $UB_ADDR@$UB_PORT after 10 s"
}


unbound_stop() {
	[ -n "$UB_PID" ] || return 0
	lab_stop_pid "$UB_PID"
	lab_forget_pid "$UB_PID"
	UB_PID=""
}
