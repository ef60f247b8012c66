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
fi
# Missing hugepages and bpffs: unmount them in a private mount namespace (the host keeps its own).
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	expect "needs hugepages, and no hugetlbfs is mounted" unshare -m --propagation private \
		sh -c 'umount -a -t hugetlbfs 2>/dev/null; exec "$@"' sh \
		"$DV" --port af_xdp:lo -s 127.0.0.1 -d "$Q"
	expect "needs bpffs at /sys/fs/bpf" unshare -m --propagation private \
		sh -c 'umount -a -t bpf 2>/dev/null; exec "$@"' sh \
		"$DV" --port af_xdp:lo -s 127.0.0.1 -d "$Q"
fi

[ $fail -eq 0 ] && echo "bad-input: all checks passed"
exit $fail
