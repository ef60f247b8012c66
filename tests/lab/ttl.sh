# shellcheck shell=bash
#
# ttl.sh: the lab of the A/AAAA TTL mismatch (scenarios/ttl-mismatch.yaml),
# on top of netns.sh: Unbound on the server's addresses (no validation, full
# additional sections) resolving ttl.test. from NSD on 127.0.0.1@5353, whose
# MX targets have A TTLs of 13 and 71 s and AAAA TTLs of 83213 s. Source it
# after netns.sh, then call ttl_lab_start (it calls lab_setup and checks that
# Unbound's MX answer carries both families of both targets). Used by
# tests/integration/ttl-lab.sh and tests/lab/scenario-ttl-mismatch.sh.
#
# After ttl_lab_start: $tmp (scratch), $nsd_dir, $ub_dir, $nsd_pid.

NSD_ADDR=127.0.0.1
NSD_PORT=5353

# Zone ttl.test.; with "no-a", mail1 has no A record.
write_zone() {
	cat <<-EOF
		\$ORIGIN ttl.test.
		\$TTL 3600
		@	IN SOA ns hostmaster ${2:-1} 3600 900 604800 300
		@	IN NS ns
		ns	IN A $NSD_ADDR
		mx	IN MX 10 mail1
		mx	IN MX 20 mail2
		mail1	83213 IN AAAA 2001:2:0:10::1
		mail2	71 IN A 198.18.10.2
		mail2	83213 IN AAAA 2001:2:0:10::2
	EOF
	[ "$1" = no-a ] || echo "mail1	13 IN A 198.18.10.1"
}

dump_logs() {
	local f
	for f in "$nsd_dir/nsd.out" "$nsd_dir/nsd.log" "$ub_dir/unbound.out"; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
}

# Wait (10 s at most) until CMD... prints something matching PATTERN.
wait_for() {
	local pattern=$1 tries=50
	shift
	while [ "$tries" -gt 0 ]; do
		if "$@" 2>/dev/null | grep -q -- "$pattern"; then
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	return 1
}

# The resolver's MX answer carries both families of both targets in its additional section.
mx_additional() {
	lab_gen kdig @"$LAB_SRV_V4" mx.ttl.test MX +noall +additional +timeout=1 +retry=1 2>/dev/null
}

# Build the lab, start NSD and Unbound, check the resolver's MX answer.
ttl_lab_start() {
	lab_setup
	tmp=$(lab_tmpdir)
	nsd_dir=$tmp/nsd
	ub_dir=$tmp/unbound
	lab_must mkdir -p "$nsd_dir" "$ub_dir"

	write_zone with-a >"$nsd_dir/ttl.zone"
	cat >"$nsd_dir/nsd.conf" <<-EOF
	server:
	    server-count: 1
	    ip-address: $NSD_ADDR@$NSD_PORT
	    do-ip4: yes
	    do-ip6: no
	    username: ""
	    chroot: ""
	    zonesdir: "$nsd_dir"
	    database: ""
	    zonelistfile: "$nsd_dir/zone.list"
	    xfrdfile: "$nsd_dir/xfrd.state"
	    xfrdir: "$nsd_dir"
	    pidfile: "$nsd_dir/nsd.pid"
	    logfile: "$nsd_dir/nsd.log"
	    cookie-secret-file: "$nsd_dir/cookiesecrets.txt"
	    verbosity: 1
	    rrl-ratelimit: 0
	    rrl-whitelist-ratelimit: 0
	remote-control:
	    control-enable: no
	zone:
	    name: ttl.test.
	    zonefile: "$nsd_dir/ttl.zone"
	EOF

	# No DNSSEC validation (iterator only), full additional sections, test. is
	# not the locally served (RFC 6761) empty zone, and NSD on loopback is fine.
	cat >"$ub_dir/unbound.conf" <<-EOF
	server:
	    interface: $LAB_SRV_V4
	    interface: $LAB_SRV_V6
	    port: 53
	    do-ip4: yes
	    do-ip6: yes
	    access-control: 198.18.0.0/15 allow
	    access-control: 2001:2::/48 allow
	    username: ""
	    chroot: ""
	    directory: "$ub_dir"
	    pidfile: "$ub_dir/unbound.pid"
	    logfile: ""
	    use-syslog: no
	    verbosity: 1
	    num-threads: 1
	    module-config: "iterator"
	    minimal-responses: no
	    do-not-query-localhost: no
	    local-zone: "test." nodefault
	    ratelimit: 0
	remote-control:
	    control-enable: no
	stub-zone:
	    name: "ttl.test."
	    stub-addr: $NSD_ADDR@$NSD_PORT
	EOF

	nsd-checkconf "$nsd_dir/nsd.conf" || lab_die "nsd-checkconf rejects $nsd_dir/nsd.conf"
	nsd-checkzone ttl.test. "$nsd_dir/ttl.zone" >/dev/null || lab_die "nsd-checkzone rejects the zone"
	unbound-checkconf "$ub_dir/unbound.conf" >/dev/null || lab_die "unbound-checkconf rejects $ub_dir/unbound.conf"

	lab_bg srv env -u NOTIFY_SOCKET nsd -d -c "$nsd_dir/nsd.conf" >"$nsd_dir/nsd.out" 2>&1
	nsd_pid=$LAB_LAST_PID
	wait_for 'mail1' lab_srv kdig @"$NSD_ADDR" -p "$NSD_PORT" mx.ttl.test MX +short +timeout=1 +retry=0 ||
		{ dump_logs; lab_die "nsd does not answer on $NSD_ADDR@$NSD_PORT"; }
	# Debian's AppArmor profile for /usr/sbin/unbound (enforced where AppArmor is
	# on) lets it read configuration only under /etc/unbound, and the lab keeps
	# everything in its scratch directory: there, run a private copy of the
	# binary, to which the profile does not attach (DV_LAB_UNBOUND_COPY=1 forces it).
	unbound_bin=$(command -v unbound)
	if [ "${DV_LAB_UNBOUND_COPY:-0}" = 1 ] ||
		grep -qs '^unbound (enforce)' /sys/kernel/security/apparmor/profiles; then
		lab_must cp "$unbound_bin" "$ub_dir/unbound"
		unbound_bin=$ub_dir/unbound
		lab_log "running a copy of unbound: its AppArmor profile would not let it read $ub_dir"
	fi
	lab_bg srv "$unbound_bin" -d -c "$ub_dir/unbound.conf" >"$ub_dir/unbound.out" 2>&1
	wait_for '2001:2:0:10::1' lab_gen kdig @"$LAB_SRV_V4" mail1.ttl.test AAAA +short +timeout=1 +retry=0 ||
		{ dump_logs; lab_die "unbound does not resolve mail1.ttl.test AAAA on $LAB_SRV_V4"; }
	lab_log "nsd (pid $nsd_pid) serves ttl.test. on $NSD_ADDR@$NSD_PORT; unbound answers on $LAB_SRV_V4"

	add=$(mx_additional) || lab_die "kdig @$LAB_SRV_V4 mx.ttl.test MX: no answer"
	echo "unbound: mx.ttl.test MX, additional section:"
	echo "$add"
	for want in 'mail1.ttl.test.*A.*198.18.10.1' 'mail1.ttl.test.*AAAA.*2001:2:0:10::1' \
		'mail2.ttl.test.*A.*198.18.10.2' 'mail2.ttl.test.*AAAA.*2001:2:0:10::2'; do
		grep -q -- "$want" <<<"$add" || lab_die "unbound's MX answer lacks $want in its additional section"
	done
}
