#!/bin/bash
# End to end against the embedded responder: exact ground truth.
# usage: embedded.sh DNSVOLLEY
set -euo pipefail
# shellcheck source=prologue.sh
. "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"

# IPv4, 10k qps for 3 s: everything answered, latency sane; the rate at least half the
# offered load (a broken pacer fails; CPU contention on two shared cores does not).
# Latency: every answer within the timeout (-t 1), the median far below it; one
# answer delayed 102 ms by a stalled CPU failed a 100 ms bound on the maximum in CI.
# Rate accuracy is a benchmark's business (tests/bench/accuracy.sh).
run --port embedded -s 198.18.0.53 -d "$Q" -Q 10000 -l 3 -t 1 -S 1 --json "$tmp/v4.json"
grep -q '^Statistics:' "$tmp/out"
$CHECK "$tmp/v4.json" \
	"sent >= 15000 and sent <= 30001" \
	"answered == sent" "timeouts == 0" "unexpected == 0" \
	"rcodes.get('NOERROR', 0) == answered" \
	"lat['min'] > 0 and lat['max'] < 1_000_000_000" \
	"dv['percentiles_ns']['p50'] < 100_000_000" \
	"sum(b[2] for b in lat['buckets']) == answered" \
	"len(periodic) >= 3" \
	"sum(p['sent']['queries'] for p in periodic) == sent" \
	"dv['families']['ipv4']['answered'] == answered"

# Both families at once: queries alternate, each family fully answered.
run --port embedded -s 2001:2::53 -s 198.18.0.53 -d "$Q" -Q 5000 -l 2 -t 0.5 --json "$tmp/dual.json"
$CHECK "$tmp/dual.json" \
	"answered == sent and timeouts == 0" \
	"abs(dv['families']['ipv4']['sent'] - dv['families']['ipv6']['sent']) <= 1" \
	"dv['families']['ipv6']['answered'] == dv['families']['ipv6']['sent']"

# Split roles (generator and collector on separate lcores), IPv6, DO bit, EDNS 4096.
run --port embedded --roles split -s 2001:2::53 -d "$Q" -Q 5000 -l 2 -t 0.5 -e 4096 -D --json "$tmp/split.json"
$CHECK "$tmp/split.json" "answered == sent and timeouts == 0 and sent >= 5000"

# Truncation ground truth: a 1300-byte TXT answer does not fit EDNS 1232, does fit 1452
# (and the 1500 MTU); without EDNS (512) it never fits.
printf 's1300.example. TXT\n' >"$tmp/big.txt"
run --port embedded -s 198.18.0.53 -d "$tmp/big.txt" -Q 1000 -l 1 -e 1232 --json "$tmp/tc.json"
$CHECK "$tmp/tc.json" "answered == sent and dv['truncated'] == answered"
run --port embedded -s 198.18.0.53 -d "$tmp/big.txt" -Q 1000 -l 1 -e 1452 --json "$tmp/notc.json"
$CHECK "$tmp/notc.json" "answered == sent and dv['truncated'] == 0"
run --port embedded -s 198.18.0.53 -d "$tmp/big.txt" -Q 1000 -l 1 -e 0 --json "$tmp/noedns.json"
$CHECK "$tmp/noedns.json" "answered == sent and dv['truncated'] == answered"

# An 802.1Q tag on everything sent: the responder answers on the same VLAN,
# collectors take only that VLAN, both families, two collectors.
run --port embedded -s 198.18.0.53 -s 2001:2::53 -d "$Q" -Q 5000 -l 1 --vlan 7 -T 2 --collectors 2 \
	--json "$tmp/vlan.json"
$CHECK "$tmp/vlan.json" "answered == sent and sent >= 2500 and dv['unmatched'] == 0" \
	"dv['rx_classes']['other'] == 0"

# --hugepages: the embedded port, which runs without, on hugepages: the same exact
# counts, and the process's memory on 2 MiB hugetlb pages while it runs (THP shows
# as 4 kB in KernelPageSize: only hugetlbfs memory matches).
hugetlb_mapped() { grep -q '^KernelPageSize: *2048 kB' "/proc/$1/smaps" 2>/dev/null; }
if [ "$(id -u)" -eq 0 ] && [ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" -ge 256 ]; then
	echo "+ dnsvolley --port embedded --hugepages (watching its mappings)"
	"$DV" --port embedded -s 198.18.0.53 -d "$Q" -Q 2000 -l 2 --hugepages --quiet \
		--json "$tmp/huge.json" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	huge=0
	for _ in $(seq 50); do
		if hugetlb_mapped "$pid"; then
			huge=1
			break
		fi
		sleep 0.05
	done
	wait "$pid" || { cat "$tmp/out" "$tmp/err"; exit 1; }
	[ "$huge" = 1 ] || { echo "FAIL: --hugepages: no 2 MiB mapping in /proc/$pid/smaps"; exit 1; }
	$CHECK "$tmp/huge.json" "answered == sent and sent >= 2000 and timeouts == 0"
	# Without it, none: the check above can tell the two apart.
	"$DV" --port embedded -s 198.18.0.53 -d "$Q" -Q 2000 -l 2 --quiet >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	sleep 1
	if hugetlb_mapped "$pid"; then
		echo "FAIL: the embedded port on hugepages without --hugepages"
		exit 1
	fi
	wait "$pid" || { cat "$tmp/out" "$tmp/err"; exit 1; }
else
	echo "SKIP: --hugepages (needs root and 512 MiB of free hugepages)"
fi

# --max-queries bounds the count exactly.
run --port embedded -s 198.18.0.53 -d "$Q" -Q 2000 -l 10 --max-queries 777 --json "$tmp/max.json"
$CHECK "$tmp/max.json" "sent == 777 and answered == 777"

# A target that never answers (net_null drops everything): timeouts and a complete report.
run --port null -s 198.18.0.53 -d "$Q" -Q 2000 -l 1 -t 0.2 --json "$tmp/null.json"
grep -q 'Queries lost' "$tmp/out"
$CHECK "$tmp/null.json" "sent >= 1900 and answered == 0 and timeouts == sent"
# The collector's cheap answer checks (issue 16): each of the responder's defects
# counts every answer under its kind and nothing under the others; a compliant
# responder counts none (the first run above). EDNS 1232 asked, so no-opt shows.
$CHECK "$tmp/v4.json" "sum(dv['answer_checks'].values()) == 0"
for d in "bad-opcode opcode" "no-opt no_opt" "formerr formerr_or_notimp"; do
	read -r imp key <<<"$d"
	run --port embedded -s 198.18.0.53 -d "$Q" -e 1232 --responder "$imp" -Q 1000 -l 0.5 --json "$tmp/$imp.json"
	grep -q '^  Answers failing a check: ' "$tmp/out"
	$CHECK "$tmp/$imp.json" "answered == sent and sent > 0" \
		"dv['answer_checks']['$key'] == answered" \
		"sum(dv['answer_checks'].values()) == answered"
done
run --port embedded -s 198.18.0.53 -d "$Q" -e 1232 --transport tcp --responder tc-over-tcp -Q 300 -l 0.5 \
	--json "$tmp/tctcp.json"
$CHECK "$tmp/tctcp.json" "answered == sent and sent > 0" \
	"dv['answer_checks']['tc_over_tcp'] == answered" "sum(dv['answer_checks'].values()) == answered"
echo "embedded: all checks passed"
