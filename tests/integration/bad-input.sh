#!/bin/bash
# Every user error: one line on stderr naming what is wrong, exit status 2, no packet sent.
# usage: bad-input.sh DNSVOLLEY
set -uo pipefail
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
Q=$ROOT/scenarios/queries/quickstart.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect PATTERN ARGS...: exit 2, exactly one stderr line matching PATTERN, nothing on stdout.
expect() {
	local pat=$1; shift
	# A first word that is not an option is a whole command (runuser, unshare).
	if [ "${1:0:1}" = "-" ]; then set -- "$DV" "$@"; fi
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qE "$pat" "$tmp/err" || [ -s "$tmp/out" ]; then
		echo "FAIL: dnsvolley $* -> exit $rc, stderr:"; cat "$tmp/err"; echo "stdout:"; head -5 "$tmp/out"
		fail=1
	else
		echo "ok: $(cat "$tmp/err")"
	fi
}

expect "^dnsvolley: -Q: 'abc' is not a rate" -Q abc -d "$Q"
expect "^dnsvolley: -l: " -l -3 -d "$Q"
expect "^dnsvolley: -t: " -t 0 -d "$Q"
expect "^dnsvolley: -e: " -e 70000 -d "$Q"
expect "^dnsvolley: -s: " -s 198.18.0.300 -d "$Q"
expect "^dnsvolley: unknown option '--bogus'" --bogus
expect "^dnsvolley: .*no query file" --port embedded
expect "^dnsvolley: .*nonexistent.txt" -d "$tmp/nonexistent.txt"
printf 'ok.example. A\nbad..name A\n' >"$tmp/q.txt"
expect "^dnsvolley: .*q.txt:2: " -d "$tmp/q.txt"
printf 'good.example. AXX\n' >"$tmp/q2.txt"
expect "^dnsvolley: .*q2.txt:1: .*AXX" -d "$tmp/q2.txt"
printf 'port: embedded\nrat: 100\n' >"$tmp/s.yaml"
expect "^dnsvolley: .*s.yaml:2: unknown key 'rat'" --scenario "$tmp/s.yaml" -d "$Q"
expect "^dnsvolley: --port: no profile 'nosuch'" --port nosuch -d "$Q"
expect "^dnsvolley: --port.*no interface 'dvnosuch0'" --port af_xdp:dvnosuch0 -s 198.18.0.2 -d "$Q"
expect "^dnsvolley: -s 198.18.0.2: " --port af_packet:lo -s 198.18.0.2 -d "$Q"
expect "^dnsvolley: -D: " -e 0 -D -d "$Q"
expect "^dnsvolley: --json: cannot write" --json /nonexistent-dir/x.json -d "$Q" -l 1
printf '\x00\xff\xfe garbage \x01\n' >"$tmp/junk.txt"
expect "^dnsvolley: .*junk.txt:1: " -d "$tmp/junk.txt"

# No permission: an unprivileged user asking for a kernel interface.
if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
	cp "$Q" "$tmp/q-nobody.txt" && chmod 755 "$tmp" && chmod 644 "$tmp/q-nobody.txt"
	expect "^dnsvolley: --port af_packet:lo: needs root" \
		runuser -u nobody -- "$DV" --port af_packet:lo -s 127.0.0.1 -d "$tmp/q-nobody.txt"
	expect "^dnsvolley: --hugepages: needs root" \
		runuser -u nobody -- "$DV" --port null --hugepages -s 198.18.0.2 -d "$tmp/q-nobody.txt"
fi
# Missing hugepages and bpffs: unmount them in a private mount namespace (the host keeps its own).
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	expect "needs hugepages, and no hugetlbfs is mounted" unshare -m --propagation private \
		sh -c 'umount -a -t hugetlbfs 2>/dev/null; exec "$@"' sh \
		"$DV" --port af_xdp:lo -s 127.0.0.1 -d "$Q"
	# --hugepages asks for them where the profile (net_null) runs without.
	expect "^dnsvolley: --hugepages: needs hugepages, and no hugetlbfs is mounted" \
		unshare -m --propagation private sh -c 'umount -a -t hugetlbfs 2>/dev/null; exec "$@"' sh \
		"$DV" --port null --hugepages -s 198.18.0.2 -d "$Q"
	# Only the PMD's own program needs bpffs (dnsvolley's pins nothing, and af_xdp
	# runs without one: tests/integration/xdp-instances.sh): a copy of the profile
	# without xdp_prog, as docs/drivers.md describes it.
	mkdir "$tmp/drivers"
	sed -e 's/^name: af_xdp$/name: xsk/' -e 's/,xdp_prog={xdp_prog}//' \
		-e 's/^needs: .*/needs: [hugepages, bpffs]/' \
		"$ROOT/drivers-config/af_xdp.yaml" >"$tmp/drivers/xsk.yaml"
	expect "needs bpffs at /sys/fs/bpf" unshare -m --propagation private \
		sh -c 'umount -a -t bpf 2>/dev/null; exec "$@"' sh \
		"$DV" --drivers-dir "$tmp/drivers" --port xsk:lo -s 127.0.0.1 -d "$Q"
fi

# PCI devices are checked before EAL probes anything (read from sysfs only).
if [ "$(id -u)" -eq 0 ]; then
	expect "^dnsvolley: --port ice:0000:99:1f.7: no PCI device 0000:99:1f.7" \
		--port ice:0000:99:1f.7 -s 198.18.0.2 -d "$Q"
	dev=$(ls /sys/bus/pci/devices 2>/dev/null | head -n 1)
	if [ -n "$dev" ]; then
		drv=no\ driver
		if [ -L "/sys/bus/pci/devices/$dev/driver" ]; then
			drv=$(basename "$(readlink "/sys/bus/pci/devices/$dev/driver")")
		fi
		[ "$drv" = vfio-pci ] ||
			expect "^dnsvolley: --port ixgbe:$dev: $dev is bound to $drv, not vfio-pci" \
				--port "ixgbe:$dev" -s 198.18.0.2 -d "$Q"
	fi
fi
expect "^dnsvolley: --gateway: only for ports where dnsvolley resolves the next hop" \
	--gateway 198.18.0.1 -s 198.18.0.2 -d "$Q"
expect "^dnsvolley: --vlan: '4095' is not a VLAN ID in 1..4094" --vlan 4095 -d "$Q"

# Query sequences: timers, weights, family policies, name patterns, responder impairments.
expect "^dnsvolley: --requery: '' in '375ms,,1s' is not a timer" --requery 375ms,,1s -d "$Q"
expect "^dnsvolley: --requery: 'x' in '375ms,x' is not a timer" --requery 375ms,x -d "$Q"
expect "^dnsvolley: --requery: more than 8 timers" --requery 1,2,3,4,5,6,7,8,9 -d "$Q"
expect "^dnsvolley: --requery: 'fast' is not a timer list" --requery fast -d "$Q"
expect "^dnsvolley: --attempts: '9' is not a number of attempts in 1..8" --attempts 9 -d "$Q"
expect "^dnsvolley: --edns: '4096:x' is not a weighted list" --edns 4096:x -d "$Q"
expect "^dnsvolley: --qtypes: 'A:fifty,AAAA:50' is not a weighted list" \
	--qtypes A:fifty,AAAA:50 --qname '{seq}.example.test'
expect "^dnsvolley: --edns: weight of '4096:0' is not > 0" --edns 4096:0,512:0 -d "$Q"
expect "^dnsvolley: --edns: '4096' appears twice" --edns 4096:1,4096:2 -d "$Q"
expect "^dnsvolley: --edns-ladder: '512,1232' is not descending" --edns-ladder 512,1232 -d "$Q"
expect "^dnsvolley: --family v6: needs an IPv6 target \(-s\)" --family v6 -s 198.18.0.53 -d "$Q"
expect "^dnsvolley: --family v6-first: needs an IPv4 and an IPv6 target \(-s\)" \
	--family v6-first -s 2001:2::53 -d "$Q"
expect "^dnsvolley: --family happy-eyeballs: needs an IPv4 and an IPv6 target \(-s\)" \
	--port null -s 198.18.0.2 --family happy-eyeballs -d "$Q"
expect "^dnsvolley: --retry-change family: needs an IPv4 and an IPv6 target" \
	--retry-change family -s 198.18.0.53 -d "$Q"
expect "^dnsvolley: --family: 'mix:2' is not mix:P" --family mix:2 -d "$Q"
expect "^dnsvolley: --qname: 'x.example.test' cannot make unique names \(no \{seq\}\)" \
	--qname x.example.test
expect "^dnsvolley: --qname and -d: choose one" --qname '{seq}.example.test' -d "$Q"
expect "^dnsvolley: --qtypes: only with --qname" --qtypes A:50,AAAA:50 -d "$Q"
expect "^dnsvolley: --responder: only the embedded responder has impairments" \
	--port null -s 198.18.0.2 --responder drop-v6 -d "$Q"
expect "^dnsvolley: --responder: 'drop=2' is not drop=FRACTION" --responder drop=2 -d "$Q"
expect "^dnsvolley: --do: the DO bit needs EDNS" --do 0.5 --edns none -d "$Q"
printf 'port: embedded\nrequery: [375ms, 0]\n' >"$tmp/seq.yaml"
expect "^dnsvolley: .*seq.yaml:2: requery: '0' in '375ms,0' is not a timer" --scenario "$tmp/seq.yaml" -d "$Q"

# Fragments, ICMP and collectors; the responder's fragment impairments.
expect "^dnsvolley: --frag-timeout: '0' is not a fragment timeout in \(0, 10 s\]" --frag-timeout 0 -d "$Q"
expect "^dnsvolley: --frag-timeout: '11s' is not a fragment timeout" --frag-timeout 11s -d "$Q"
expect "^dnsvolley: --frag-timeout: 500ms is not shorter than the shortest re-query timer \(376ms\)" \
	--frag-timeout 500ms --requery unbound -d "$Q"
expect "^dnsvolley: --fragmented: 'keep' is not reassemble or drop" --fragmented keep -d "$Q"
expect "^dnsvolley: --collectors: '9' is not a number of collectors in 1..8" --collectors 9 -d "$Q"
expect "^dnsvolley: -T 2: --port tap delivers answers on all 2 queues; add --collectors 2" \
	--port tap -s 198.18.0.2 -T 2 -d "$Q"
expect "^dnsvolley: --collectors 2: --port null has one RX queue" \
	--port null -s 198.18.0.2 --collectors 2 -d "$Q"
expect "^dnsvolley: --responder: 'frag-mtu=67' is not frag-mtu=BYTES with 68..65535 bytes" \
	--responder frag-mtu=67 -d "$Q"
expect "^dnsvolley: --responder: frag-mtu=1000 is below the IPv6 minimum MTU of 1280" \
	--family v6 --responder frag-mtu=1000 -d "$Q"
expect "^dnsvolley: --responder: 'drop-frag=65' is not drop-frag=K with K in 1..64, or drop-frag=nonfirst" \
	--responder frag-mtu=1280,drop-frag=65 -d "$Q"
expect "^dnsvolley: --responder: drop-frag needs frag-mtu" --responder size=3000,drop-frag=2 -d "$Q"
expect "^dnsvolley: --responder: 'frag-family=v5' is not frag-family=v4, v6 or both" \
	--responder frag-mtu=1280,frag-family=v5 -d "$Q"
expect "^dnsvolley: --responder: frag-family needs frag-mtu" --responder frag-family=v6 -d "$Q"
expect "^dnsvolley: --responder: 'ignore-edns=yes' is not an impairment" --responder ignore-edns=yes -d "$Q"
expect "^dnsvolley: --responder: only the embedded responder has impairments" \
	--port null -s 198.18.0.2 --responder frag-mtu=1280 -d "$Q"
printf 'port: embedded\nfragmented: sometimes\n' >"$tmp/frag.yaml"
expect "^dnsvolley: .*frag.yaml:2: fragmented: 'sometimes' is not reassemble or drop" \
	--scenario "$tmp/frag.yaml" -d "$Q"
printf 'port: embedded\ncollectors: 12\n' >"$tmp/coll.yaml"
expect "^dnsvolley: .*coll.yaml:2: collectors: '12' is not a number of collectors in 1..8" \
	--scenario "$tmp/coll.yaml" -d "$Q"

expect "^dnsvolley: --collectors 2: the source addresses are chosen per collector" \
	--collectors 2 --src 198.18.0.7 -d "$Q"

# Generators, lcores, source ranges and ports, rate modes, plot (issue 5).
expect "^dnsvolley: -T: '9' is not a number of generators in 1..8" -T 9 -d "$Q"
expect "^dnsvolley: -T 2: --port af_packet:lo delivers answers on all 2 queues; add --collectors 2" \
	--port af_packet:lo -T 2 -s 198.18.0.2 -d "$Q"
expect "^dnsvolley: -T 3, --collectors 6: 18 generator x collector pairs, at most 16" \
	-T 3 --collectors 6 -d "$Q"
expect "^dnsvolley: --lcores: 1 CPU for 2 worker lcores \(1 generator, the embedded responder\)" \
	--lcores 0 -d "$Q"
expect "^dnsvolley: --lcores: '1024' is not a CPU number in 0..1023" --lcores 1024 -d "$Q"
expect "^dnsvolley: --src 198.18.0.0/31: 2 addresses for 4 collectors" \
	--collectors 4 --src 198.18.0.0/31 -d "$Q"
expect "^dnsvolley: --src: '198.18.0.0/7' is not an IPv4 range" --src 198.18.0.0/7 -d "$Q"
# One run over many hosts: a share that is no share, a start that passed (at parse
# time, and while the ports came up: nothing sent, exit 2 all the same).
expect "^dnsvolley: --instance: '4/3' is not K/N" --instance 4/3 -d "$Q"
expect "^dnsvolley: --start-at: 2020-01-01T00:00:00Z is [0-9.]+ s in the past" \
	--start-at 2020-01-01T00:00:00Z -d "$Q"
expect "^dnsvolley: --start-at: the start time passed while the ports came up" \
	--start-at +0.001 -q -d "$Q"
expect "^dnsvolley: --population: 'nope' is neither a file nor a preset" --population nope -d "$Q"
expect "^dnsvolley: --sport: '80-90' is not a source port range" --sport 80-90 -d "$Q"
expect "^dnsvolley: -Q: '-1' is not a rate" -Q -1 -d "$Q"
expect "^dnsvolley: --ramp: conflicts with --search" --ramp 0:1k:1s --search 1% -d "$Q"
expect "^dnsvolley: --max: conflicts with --ramp" --max --ramp 0:1k:1s -d "$Q"
expect "^dnsvolley: --search: needs an upper bound" -Q 0 --search 1% -d "$Q"
expect "^dnsvolley: --ramp: '5k:5k:1s' does not ramp up" --ramp 5k:5k:1s -d "$Q"
expect "^dnsvolley: --search: '101%' is not a loss percentage" --search 101% -d "$Q"
expect "^dnsvolley: --plot-interval: '0' is not an interval" --plot-interval 0 -d "$Q"

# report -o names a directory: an existing file there is a user error (issue 12).
"$DV" --port embedded -d "$Q" -Q 200 -l 0.2 -q --json "$tmp/r.json" >/dev/null 2>&1 ||
	{ echo "FAIL: no result file for the report checks"; fail=1; }
touch "$tmp/taken"
expect "^dnsvolley: report -o .*/taken: exists and is not a directory" "$DV" report -o "$tmp/taken" "$tmp/r.json"
# A query file may put the class IN between name and type; other classes are refused.
printf 'good.example. CH TXT\n' >"$tmp/q3.txt"
expect "^dnsvolley: .*q3.txt:1: class 'CH': queries are sent in class IN only" -d "$tmp/q3.txt"
expect "^dnsvolley: --track-answers takes its value after '=': --track-answers=50" \
	--port embedded -d "$Q" --track-answers 50

# dnsvolley check (the compliance battery): usage errors, then a server that is not there.
expect "^dnsvolley: check: no server \(-s ADDR\)" "$DV" check -z example.
expect "^dnsvolley: check: no zone" "$DV" check -s 198.18.0.53
expect "^dnsvolley: check: -s: 'abc' is not an IPv4 or IPv6 address" "$DV" check -s abc -z example.
expect "^dnsvolley: check: -z: 'a\.\.b' is not a domain name" "$DV" check -s 198.18.0.53 -z a..b
expect "^dnsvolley: check: --only: 'nope' is not a check" "$DV" check -s 198.18.0.53 -z example. --only nope
expect "^dnsvolley: check: -t: '0' is not a timeout" "$DV" check -s 198.18.0.53 -z example. -t 0
expect "^dnsvolley: check: --responder and --eal go with --port" "$DV" check -s 198.18.0.53 -z example. --responder no-aa
expect "^dnsvolley: check: with --port, one address per family" "$DV" check --port embedded -s 198.18.0.53 -s 198.18.0.54 -z example.
expect "^dnsvolley: check: --repeat: '0' is not a number of times" "$DV" check --port embedded -s 198.18.0.53 -z example. --repeat 0
expect "^dnsvolley: check: -Q: 'x' is not a rate" "$DV" check --port embedded -s 198.18.0.53 -z example. -Q x
expect "^dnsvolley: --responder: 'bogus' is not an impairment" "$DV" check --port embedded -s 198.18.0.53 -z example. --responder bogus
expect "^dnsvolley: --checks: 'a\.\.b' is not a zone's domain name" "$DV" --port embedded --checks a..b
expect "^dnsvolley: --checks-share: '0' is not a share of the queries" "$DV" --port embedded --checks example. --checks-share 0
expect "^dnsvolley: --checks-share: '101%' is not a share of the queries" "$DV" --port embedded --checks example. --checks-share 101%
# Nothing listens on the discard port of this host's loopback: no answer, exit 1; expected, exit 0.
rc=0
"$DV" check -s 127.0.0.1 -p 9 -z example. -t 0.3 --only dns,tcp --json "$tmp/c.json" >"$tmp/out" 2>&1 || rc=$?
if [ $rc -ne 1 ] || [ "$(grep -c 'NO ANSWER' "$tmp/out")" -ne 2 ] ||
	! python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); s = d["summary"]
assert d["type"] == "compliance" and s["no_answer"] == 2 and s["passed"] == 0, s
assert {c["check"] for c in d["checks"]} == {"dns", "tcp"}, d["checks"]' "$tmp/c.json"; then
	echo "FAIL: check against nothing -> exit $rc:"; cat "$tmp/out"; fail=1
else
	echo "ok: check against nothing: exit 1, 2 NO ANSWER"
fi
rc=0
"$DV" check -s 127.0.0.1 -p 9 -z example. -t 0.3 --only dns,tcp --expect-fail dns,tcp@v4 -q >"$tmp/out" 2>&1 || rc=$?
[ $rc -eq 0 ] || { echo "FAIL: check with every failure expected -> exit $rc:"; cat "$tmp/out"; fail=1; }

[ $fail -eq 0 ] && echo "bad-input: all checks passed"
exit $fail
