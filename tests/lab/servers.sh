# shellcheck shell=bash
#
# servers.sh: real DNS servers for a netns.sh lab, one at a time in the server
# namespace, all serving the same zone example. on the lab's two addresses
# only. Source it from bash after netns.sh and nsd.sh; it runs nothing by
# itself.
#
#   id             server (Debian 12 package)        how it serves example.
#   nsd            NSD (nsd)                          a zone
#   knot           Knot DNS (knot)                    a zone, no journal
#   bind           BIND 9 (bind9)                     a primary zone, no recursion
#   unbound        Unbound (unbound)                  an auth-zone for its clients
#   pdns           PowerDNS Authoritative             the bind backend reading the zone file
#                  (pdns-server, pdns-backend-bind)
#   pdns-recursor  PowerDNS Recursor (pdns-recursor)  auth-zones: the zone file, served
#                                                     by the recursor itself (without AA)
#
# The zone is tests/lab/nsd.sh's, built from a query file, plus big.example.,
# a TXT RRset of SRV_BIG_RECORDS strings of 255 bytes (17 KiB in an answer).
# Each server gets a directory of its own under the lab's scratch directory
# (configuration, zone copy, pid file, control socket, output), runs as root in
# the foreground, is started with lab_bg (so lab_cleanup stops it whatever
# happens) and must answer over TCP on both families before srv_start returns.
# The NSD, Knot, BIND and Unbound configurations raise their TCP limits above
# tests/integration/tcp-servers.sh's load; PowerDNS keeps its defaults (it is
# under the compliance battery only, tests/integration/check-servers.sh).
#
# Typical use:
#   . tests/lab/netns.sh; . tests/lab/nsd.sh; . tests/lab/servers.sh
#   lab_require_root
#   lab_require_tools $(srv_tools nsd pdns)
#   lab_setup
#   srv_setup tests/data/lab-queries.txt
#   srv_start pdns      # SRV_NAME, SRV_PID, SRV_DIR describe it
#   ...
#   srv_stop

SRV_IDS="nsd knot bind unbound pdns pdns-recursor"
# big.example.: this many TXT records of one 255-byte string each.
SRV_BIG_RECORDS=64

SRV_TMP=""      # the lab's scratch directory (srv_setup)
SRV_ZONE=""     # the zone every server serves (srv_setup)
SRV_NAME=""     # the current server: its program's name,
SRV_PID=""      # its pid and
SRV_DIR=""      # its directory
SRV_BIG_BYTES=""  # the size of big.example. TXT over TCP (srv_wait)

# The tools a server needs (for lab_require_tools): srv_tools ID...
srv_tools() {
	local id
	echo ss kdig
	for id in "$@"; do
		case $id in
		nsd) echo nsd nsd-checkconf nsd-checkzone ;;
		knot) echo knotd knotc ;;
		bind) echo named named-checkconf named-checkzone ;;
		unbound) echo unbound unbound-checkconf ;;
		pdns) echo pdns_server pdnsutil ;;
		pdns-recursor) echo pdns_recursor ;;
		*) lab_die "srv_tools: no server $id (one of: $SRV_IDS)" ;;
		esac
	done
}

# The server's name and version ("NSD 4.6.1"): srv_version ID
srv_version() {
	local name out
	case $1 in
	nsd) name=NSD out=$(nsd -v 2>&1) ;;
	knot) name="Knot DNS" out=$(knotd -V 2>&1) ;;
	bind) name="BIND" out=$(named -v 2>&1) ;;
	unbound) name=Unbound out=$(unbound -V 2>&1) ;;
	pdns) name="PowerDNS Authoritative" out=$(pdns_server --version 2>&1 | grep 'PowerDNS Authoritative') ;;
	pdns-recursor) name="PowerDNS Recursor" out=$(pdns_recursor --version 2>&1 | grep 'PowerDNS Recursor') ;;
	*) lab_die "srv_version: no server $1" ;;
	esac || true
	[[ $out =~ [0-9]+\.[0-9]+\.[0-9]+ ]] || BASH_REMATCH=("(version unknown)")
	echo "$name ${BASH_REMATCH[0]}"
}

# The zone every server serves, written once into the lab's scratch directory:
#   srv_setup QUERYFILE
srv_setup() {
	local qf=$1 filler i
	SRV_TMP=$(lab_tmpdir)
	SRV_ZONE="$SRV_TMP/example.zone"
	{
		nsd_write_zone "$qf"
		filler=$(printf 'x%.0s' $(seq 1 252))
		for i in $(seq 1 "$SRV_BIG_RECORDS"); do
			printf 'big\tIN TXT "%03d%s"\n' "$i" "$filler"
		done
	} >"$SRV_ZONE" || lab_die "cannot write $SRV_ZONE"
}

# A fresh directory for server ID with a copy of the zone: srv_dir ID
srv_dir() {
	[ -n "$SRV_ZONE" ] || lab_die "srv_dir: call srv_setup first"
	SRV_DIR="$SRV_TMP/$1"
	lab_must mkdir -p "$SRV_DIR"
	lab_must cp "$SRV_ZONE" "$SRV_DIR/example.zone"
}

# The binary to run: a private copy where the package's AppArmor profile is
# enforced (it would not let the server read its configuration in $SRV_TMP).
#   srv_bin PROGRAM PROFILE DIR
srv_bin() {
	local path
	path=$(command -v "$1")
	if grep -qs "^$2 (enforce)" /sys/kernel/security/apparmor/profiles; then
		lab_must cp "$path" "$3/$1"
		lab_log "running a copy of $1: its AppArmor profile would not let it read $3"
		path=$3/$1
	fi
	echo "$path"
}

# Show the current server's output and log (for failures).
srv_dump_logs() {
	local f
	for f in "$SRV_DIR"/*.out "$SRV_DIR"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
}

# Wait (10 s at most) until the server just started answers over TCP on both
# families, and serves big.example. whole.
srv_wait() {
	local tries=50 a got n
	while :; do
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			srv_dump_logs
			lab_die "$SRV_NAME exited during startup"
		fi
		if lab_gen kdig @"$LAB_SRV_V4" +tcp example. SOA +timeout=1 +retry=0 +short 2>/dev/null |
			grep -q 'ns\.example\.'; then
			break
		fi
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || { srv_dump_logs; lab_die "$SRV_NAME does not answer on $LAB_SRV_V4 after 10 s"; }
		sleep 0.2
	done
	for a in "$LAB_SRV_V4" "$LAB_SRV_V6"; do
		got=$(lab_gen kdig @"$a" +tcp h00.example. A +timeout=2 +retry=1 +short 2>/dev/null) || true
		[ "$got" = 198.18.1.2 ] || { srv_dump_logs; lab_die "$SRV_NAME @$a: h00.example. A is '$got'"; }
	done
	got=$(lab_gen kdig @"$LAB_SRV_V4" +tcp big.example. TXT +timeout=2 +retry=1 2>/dev/null) || true
	n=$(grep -c '^big\.example\..*TXT' <<<"$got") || true
	SRV_BIG_BYTES=$(sed -n 's/^;; Received \([0-9]*\) B.*/\1/p' <<<"$got")
	if [ "$n" != "$SRV_BIG_RECORDS" ] || [ "${SRV_BIG_BYTES:-0}" -lt 16384 ]; then
		srv_dump_logs
		lab_die "$SRV_NAME: big.example. TXT over TCP: $n records, ${SRV_BIG_BYTES:-no} bytes"
	fi
	lab_log "$SRV_NAME (pid $SRV_PID) answers over TCP on $LAB_SRV_V4 and $LAB_SRV_V6; big.example. TXT: $SRV_BIG_BYTES bytes"
}

# Start: srv_launch NAME COMMAND... (in the server namespace, output to NAME.out).
srv_launch() {
	SRV_NAME=$1
	shift
	lab_bg srv "$@" >"$SRV_DIR/$SRV_NAME.out" 2>&1
	SRV_PID=$LAB_LAST_PID
	srv_wait
	# Only the lab's addresses: every socket the server listens on or has bound.
	local other
	other=$(lab_srv ss -Htuln | awk -v a="$LAB_SRV_V4:53" -v b="[$LAB_SRV_V6]:53" \
		'$5 != a && $5 != b { printf "%s %s ", $1, $5 }')
	[ -z "$other" ] || { srv_dump_logs; lab_die "$SRV_NAME listens elsewhere too: $other"; }
}

# Stop the current server and forget its pid (lab_cleanup would stop it too).
srv_stop() {
	local p kept=()
	lab_stop_pid "$SRV_PID"
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$SRV_PID" ] || kept+=("$p")
	done
	LAB_PIDS=("${kept[@]}")
	SRV_PID=""
}

# Start server ID (one of SRV_IDS) and wait until it answers: srv_start ID
srv_start() {
	case $1 in
	nsd) start_nsd ;;
	knot) start_knot ;;
	bind) start_bind ;;
	unbound) start_unbound ;;
	pdns) start_pdns ;;
	pdns-recursor) start_pdns_recursor ;;
	*) lab_die "srv_start: no server $1 (one of: $SRV_IDS)" ;;
	esac
}

# NSD: tests/lab/nsd.sh's configuration with more TCP connections.
start_nsd() {
	srv_dir nsd
	# tcp-count: connections at once (default 100); tcp-timeout: idle seconds.
	nsd_write_conf "$SRV_DIR" | sed 's/^\(\s*\)verbosity: 1$/&\n\1tcp-count: 1000\n\1tcp-timeout: 30/' \
		>"$SRV_DIR/nsd.conf"
	grep -q 'tcp-count: 1000' "$SRV_DIR/nsd.conf" || lab_die "nsd.conf: tcp-count not set"
	nsd-checkconf "$SRV_DIR/nsd.conf" || lab_die "nsd-checkconf rejects $SRV_DIR/nsd.conf"
	nsd-checkzone example. "$SRV_DIR/example.zone" >/dev/null || lab_die "nsd-checkzone rejects the zone"
	srv_launch nsd env -u NOTIFY_SOCKET "$(srv_bin nsd nsd "$SRV_DIR")" -d -c "$SRV_DIR/nsd.conf"
}

# Knot DNS: no journal, the zone file only read; its TCP limits raised.
start_knot() {
	srv_dir knot
	cat >"$SRV_DIR/knot.conf" <<-EOF
		server:
		    rundir: "$SRV_DIR"
		    pidfile: "$SRV_DIR/knot.pid"
		    listen: [ $LAB_SRV_V4@53, $LAB_SRV_V6@53 ]
		    udp-workers: 1
		    # Knot listens with a backlog of 10 (fixed in its code): a worker
		    # a few ms without the CPU, and SYNs of 2000 connections a second
		    # overflow it (the kernel drops them; we send them again a second
		    # later). With reuseport each worker has a socket and a backlog of
		    # its own, and the SYNs are spread over them.
		    tcp-workers: 8
		    tcp-reuseport: on
		    background-workers: 1
		    # Connections at once, idle seconds; tcp-io-timeout (ms) bounds one
		    # message's transfer, a 17 KiB answer into a 4 KiB window included.
		    tcp-max-clients: 2000
		    tcp-idle-timeout: 30
		    tcp-io-timeout: 5000
		log:
		  - target: stderr
		    any: info
		database:
		    storage: "$SRV_DIR"
		control:
		    listen: "$SRV_DIR/knot.sock"
		template:
		  - id: default
		    storage: "$SRV_DIR"
		    journal-content: none
		    zonefile-sync: -1
		    zonefile-load: whole
		zone:
		  - domain: example.
		    file: "$SRV_DIR/example.zone"
	EOF
	knotc -c "$SRV_DIR/knot.conf" conf-check >/dev/null 2>&1 ||
		lab_die "knotc conf-check rejects $SRV_DIR/knot.conf"
	srv_launch knotd "$(srv_bin knotd knotd "$SRV_DIR")" -c "$SRV_DIR/knot.conf"
}

# BIND 9: authoritative only, no control channel, its TCP limits raised.
start_bind() {
	srv_dir bind
	cat >"$SRV_DIR/named.conf" <<-EOF
		options {
		    directory "$SRV_DIR";
		    pid-file "$SRV_DIR/named.pid";
		    session-keyfile "$SRV_DIR/session.key";
		    managed-keys-directory "$SRV_DIR";
		    listen-on port 53 { $LAB_SRV_V4; };
		    listen-on-v6 port 53 { $LAB_SRV_V6; };
		    automatic-interface-scan no;
		    recursion no;
		    dnssec-validation no;
		    notify no;
		    // Connections at once (default 150), the listen backlog (default
		    // 10: a burst of SYNs beyond it would be dropped, and retransmitted
		    // by us), idle timeouts in 100 ms units.
		    tcp-clients 10000;
		    tcp-listen-queue 1024;
		    tcp-initial-timeout 300;
		    tcp-idle-timeout 300;
		};
		controls { };
		zone "example." {
		    type primary;
		    file "$SRV_DIR/example.zone";
		};
	EOF
	named-checkconf "$SRV_DIR/named.conf" || lab_die "named-checkconf rejects $SRV_DIR/named.conf"
	named-checkzone example. "$SRV_DIR/example.zone" >/dev/null || lab_die "named-checkzone rejects the zone"
	# -g: foreground, log to stderr; as root (no -u: the files are ours).
	srv_launch named "$(srv_bin named named "$SRV_DIR")" -g -n 2 -c "$SRV_DIR/named.conf"
}

# Unbound: the zone as an auth-zone for its clients, nothing recursive.
start_unbound() {
	srv_dir unbound
	cat >"$SRV_DIR/unbound.conf" <<-EOF
		server:
		    interface: $LAB_SRV_V4
		    interface: $LAB_SRV_V6
		    port: 53
		    do-ip4: yes
		    do-ip6: yes
		    do-udp: yes
		    do-tcp: yes
		    access-control: 198.18.0.0/15 allow
		    access-control: 2001:2::/48 allow
		    username: ""
		    chroot: ""
		    directory: "$SRV_DIR"
		    pidfile: "$SRV_DIR/unbound.pid"
		    logfile: ""
		    use-syslog: no
		    verbosity: 1
		    num-threads: 1
		    module-config: "iterator"
		    ratelimit: 0
		    ip-ratelimit: 0
		    # Connections at once per thread (default 10), idle ms; the
		    # buffer of a TCP answer (the default, 65552, said: 17 KiB fits).
		    incoming-num-tcp: 1000
		    tcp-idle-timeout: 30000
		    msg-buffer-size: 65552
		remote-control:
		    control-enable: no
		auth-zone:
		    name: "example."
		    zonefile: "$SRV_DIR/example.zone"
		    for-downstream: yes
		    for-upstream: no
		    fallback-enabled: no
	EOF
	unbound-checkconf "$SRV_DIR/unbound.conf" >/dev/null ||
		lab_die "unbound-checkconf rejects $SRV_DIR/unbound.conf"
	srv_launch unbound "$(srv_bin unbound unbound "$SRV_DIR")" -d -c "$SRV_DIR/unbound.conf"
}

# PowerDNS Authoritative: the bind backend serving the zone file; only our
# pdns.conf (--config-dir), not the package's /etc/powerdns.
start_pdns() {
	srv_dir pdns
	cat >"$SRV_DIR/named.conf" <<-EOF
		zone "example." {
		    type master;
		    file "$SRV_DIR/example.zone";
		};
	EOF
	cat >"$SRV_DIR/pdns.conf" <<-EOF
		launch=bind
		bind-config=$SRV_DIR/named.conf
		local-address=$LAB_SRV_V4, $LAB_SRV_V6
		local-port=53
		# Foreground, no guardian process, as root (the files are ours), the
		# control socket here, logs to stderr.
		daemon=no
		guardian=no
		setuid=
		setgid=
		socket-dir=$SRV_DIR
		disable-syslog=yes
		# No query for its security status (secpoll.powerdns.com) at start.
		security-poll-suffix=
	EOF
	pdnsutil --config-dir="$SRV_DIR" check-zone example. >"$SRV_DIR/check-zone.log" 2>&1 ||
		{ cat "$SRV_DIR/check-zone.log" >&2; lab_die "pdnsutil check-zone rejects the zone"; }
	srv_launch pdns_server "$(srv_bin pdns_server pdns_server "$SRV_DIR")" --config-dir="$SRV_DIR"
}

# PowerDNS Recursor: the zone served by the recursor itself (auth-zones), so
# that the answers come from its own data, not from another server. PowerDNS
# documents that it answers such zones without the AA bit.
start_pdns_recursor() {
	srv_dir pdns-recursor
	cat >"$SRV_DIR/recursor.conf" <<-EOF
		local-address=$LAB_SRV_V4, $LAB_SRV_V6
		local-port=53
		allow-from=198.18.0.0/15, 2001:2::/48
		auth-zones=example.=$SRV_DIR/example.zone
		# Foreground, one thread, the control socket here, logs to stderr.
		daemon=no
		threads=1
		socket-dir=$SRV_DIR
		disable-syslog=yes
		# No query for its security status (secpoll.powerdns.com) at start.
		security-poll-suffix=
	EOF
	srv_launch pdns_recursor "$(srv_bin pdns_recursor pdns_recursor "$SRV_DIR")" --config-dir="$SRV_DIR"
}
