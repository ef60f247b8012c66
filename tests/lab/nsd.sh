# shellcheck shell=bash
#
# nsd.sh: run NSD as the server of a netns.sh lab. Source it after netns.sh,
# then call lab_setup and nsd_start QUERYFILE.
#
# NSD gets a private config, zone, pid file, database and logs in
# $(lab_tmpdir)/nsd, runs as root in the foreground (nsd -d) in the server
# namespace, and is stopped by lab_cleanup like every lab_bg process.
#
# The zone "example." is built from the query file, so every question in it
# has an answer: A, AAAA, TXT and MX records are synthesized per NAME TYPE line
# (other types get NOERROR/NODATA).

NSD_DIR=""
NSD_PID=""

# Print zone example. answering every question of a dnsperf-style query file.
nsd_write_zone() {
	local qf=$1
	[ -r "$qf" ] || lab_die "cannot read query file $qf"
	cat <<-EOF
		\$ORIGIN example.
		\$TTL 3600
		@	IN SOA ns.example. hostmaster.example. 1 3600 900 604800 300
		@	IN NS ns.example.
		ns	IN A $LAB_SRV_V4
		ns	IN AAAA $LAB_SRV_V6
		mail	IN A $LAB_SRV_V4
		mail	IN AAAA $LAB_SRV_V6
	EOF
	# Comments start with ';' or '#' at the start of a word; TYPE defaults to A.
	awk '
	{
		sub(/(^|[ \t])[;#].*$/, "")
		if (NF == 0)
			next
		name = tolower($1)
		type = NF > 1 ? toupper($2) : "A"
		if (name !~ /\.$/)
			name = name "."
		if (name !~ /(^|\.)example\.$/ || name == "example." || seen[name, type]++)
			next
		n++
		if (type == "A")
			printf "%s\tIN A 198.18.%d.%d\n", name, 1 + int(n / 250), 1 + n % 250
		else if (type == "AAAA")
			printf "%s\tIN AAAA 2001:2:0:1::%x\n", name, n
		else if (type == "TXT")
			printf "%s\tIN TXT \"dnsvolley lab %s\"\n", name, name
		else if (type == "MX")
			printf "%s\tIN MX 10 mail.example.\n", name
	}' "$qf"
}

# Print the NSD configuration for directory $1.
nsd_write_conf() {
	local dir=$1
	cat <<-EOF
		server:
		    server-count: 1
		    ip-address: $LAB_SRV_V4
		    ip-address: $LAB_SRV_V6
		    port: 53
		    do-ip4: yes
		    do-ip6: yes
		    username: ""
		    chroot: ""
		    zonesdir: "$dir"
		    database: ""
		    zonelistfile: "$dir/zone.list"
		    xfrdfile: "$dir/xfrd.state"
		    xfrdir: "$dir"
		    pidfile: "$dir/nsd.pid"
		    logfile: "$dir/nsd.log"
		    cookie-secret-file: "$dir/cookiesecrets.txt"
		    verbosity: 1
		    hide-version: yes
		    # Debian builds NSD with response rate limiting: a load generator
		    # is one client sending thousands of queries per second.
		    rrl-ratelimit: 0
		    rrl-whitelist-ratelimit: 0
		remote-control:
		    control-enable: no
		zone:
		    name: example.
		    zonefile: "$dir/example.zone"
	EOF
}

# The lab with NSD answering in it, as the NSD tests start it: host
# prerequisites, both namespaces, static neighbours, nsd_start QUERY_FILE.
nsd_lab_up() {
	lab_host_prereqs
	lab_setup
	lab_static_neigh
	nsd_start "$1"
}

# Start NSD in the server namespace with zone example. built from query file
# $1, and wait (up to 10 s) until it answers kdig from the generator namespace.
nsd_start() {
	local qf=$1
	NSD_DIR="$(lab_tmpdir)/nsd"
	lab_must mkdir -p "$NSD_DIR"
	nsd_write_zone "$qf" >"$NSD_DIR/example.zone"
	nsd_write_conf "$NSD_DIR" >"$NSD_DIR/nsd.conf"
	nsd_launch
}

# Show NSD's output and log (for failures).
nsd_dump_logs() {
	local f
	for f in "$NSD_DIR/nsd.out" "$NSD_DIR/nsd.log"; do
		[ -s "$f" ] || continue
		echo "--- $f" >&2
		tail -n 30 "$f" >&2
	done
}

# Ask NSD one question from the generator namespace and compare the short
# answer: nsd_expect SERVER NAME TYPE EXPECTED
nsd_expect() {
	local server=$1 name=$2 type=$3 want=$4 got
	# stdout only: a retried query warns on stderr and still answers.
	got=$(lab_gen kdig @"$server" "$name" "$type" +timeout=1 +retry=1 +short 2>/dev/null) ||
		lab_die "kdig @$server $name $type: no answer"
	[ "$got" = "$want" ] || lab_die "kdig @$server $name $type: got '$got', want '$want'"
}

# nsd_launch: check the conf and zone written in $NSD_DIR, start NSD in the
# server namespace, and wait (10 s at most) until it answers over IPv4.
nsd_launch() {
	local tries=50
	nsd-checkconf "$NSD_DIR/nsd.conf" || lab_die "nsd-checkconf rejects $NSD_DIR/nsd.conf"
	nsd-checkzone example. "$NSD_DIR/example.zone" >/dev/null ||
		lab_die "nsd-checkzone rejects $NSD_DIR/example.zone"

	# No NOTIFY_SOCKET: this NSD is not a systemd service.
	lab_bg srv env -u NOTIFY_SOCKET nsd -d -c "$NSD_DIR/nsd.conf" >"$NSD_DIR/nsd.out" 2>&1
	NSD_PID=$LAB_LAST_PID

	while [ "$tries" -gt 0 ]; do
		if ! kill -0 "$NSD_PID" 2>/dev/null; then
			nsd_dump_logs
			lab_die "nsd exited during startup"
		fi
		if lab_gen kdig @"$LAB_SRV_V4" example. SOA +timeout=1 +retry=0 +short 2>/dev/null |
			grep -q 'ns\.example\.'; then
			lab_log "nsd (pid $NSD_PID) answers on $LAB_SRV_V4 and $LAB_SRV_V6 port 53"
			return 0
		fi
		sleep 0.2
		tries=$((tries - 1))
	done
	nsd_dump_logs
	lab_die "nsd does not answer on $LAB_SRV_V4 after 10 s"
}
