# shellcheck shell=bash
# shellcheck disable=SC2153 # LAB_SRV_IF comes from netns.sh
#
# capture.sh: tcpdump on the lab server's interface, for tests that hold
# dnsvolley (or another client) to what the server saw. Source it after
# netns.sh.
#
#   cap_start FILE [SNAPLEN [FILTER]]  start (SNAPLEN 0: whole packets, the
#                        default; FILTER default 'port 53') and wait, 5 s at
#                        most, until it listens
#   cap_stop             stop it: SIGINT, it writes out what it has and prints
#                        its counts (in FILE.log)
#   cap_lost             true (0) when tcpdump says it lost packets of FILE
#   cap_stop_whole       cap_stop, and fail the test if it lost any
#   lab_forget_pid PID   drop PID (stopped already) from LAB_PIDS

CAP_PID=""
CAP_FILE=""

lab_forget_pid() {
	local p kept=()
	for p in "${LAB_PIDS[@]}"; do
		[ "$p" = "$1" ] || kept+=("$p")
	done
	LAB_PIDS=("${kept[@]}")
}

cap_start() {
	local tries=50 snap=${2:-0} filter=${3:-port 53}
	CAP_FILE=$1
	# -Z root: Debian's tcpdump would drop to its own user, who cannot write in
	# the scratch directory. --immediate-mode -U: every packet handed over and
	# written at once (in a block of the capture ring, the last of them would
	# not be read before tcpdump stops).
	lab_bg srv tcpdump -i "$LAB_SRV_IF" -nn -s "$snap" --immediate-mode -U -Z root -w "$CAP_FILE" \
		"$filter" >"$CAP_FILE.log" 2>&1
	CAP_PID=$LAB_LAST_PID
	until grep -q '^tcpdump: listening on' "$CAP_FILE.log"; do
		tries=$((tries - 1))
		if [ "$tries" -eq 0 ] || ! kill -0 "$CAP_PID" 2>/dev/null; then
			cat "$CAP_FILE.log" >&2
			lab_die "tcpdump did not start"
		fi
		sleep 0.1
	done
}

cap_stop() {
	[ -n "$CAP_PID" ] || return 0
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	lab_forget_pid "$CAP_PID"
	CAP_PID=""
}

cap_lost() {
	! awk '/packets captured/ { c = $1 } /received by filter/ { r = $1 } /dropped by kernel/ { d = $1 }
		END { exit !(c != "" && c == r && d == 0) }' "$CAP_FILE.log"
}

cap_stop_whole() {
	[ -n "$CAP_PID" ] || return 0
	cap_stop
	! cap_lost || lab_die "tcpdump lost packets of $CAP_FILE: $(tr '\n' ' ' <"$CAP_FILE.log")"
}
