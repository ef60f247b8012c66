#!/bin/bash
# Benchmark (not a test), issue 17: how many packets a second `dnsvolley
# analyze` reads on one core, and that its memory is the window's, not the
# capture's: captures of N and 4N queries (bulk_pcap.py, two packets each),
# the time and peak RSS of each (/usr/bin/time -v), taken from page cache
# (each read once before).
# Target: >= 1 M packets per second; peak RSS of 4N / N <= 1.05.
#
# usage: tests/bench/analyze.sh [N]   (default 1000000 queries; env DV_BIN)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DV_BIN=${DV_BIN:-$ROOT/build/app/dnsvolley}
N=${1:-1000000}
[ -x /usr/bin/time ] || { echo "analyze bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== analyze: packets per second and memory (captures of $N and $((4 * N)) queries)"
for q in "$N" $((4 * N)); do
	python3 "$ROOT/tests/bench/bulk_pcap.py" "$tmp/c.pcap" "$q"
	cat "$tmp/c.pcap" >/dev/null
	pk=$((2 * q))
	/usr/bin/time -v "$DV_BIN" analyze -q "$tmp/c.pcap" --json "$tmp/c.json" 2>"$tmp/time" ||
		{ cat "$tmp/time"; exit 1; }
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$tmp/time")
	user=$(awk -F': ' '/User time/ { print $2 }' "$tmp/time")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
	printf '   %9d packets (%6.1f MB): %6.2f s wall, %6.2f s user: %5.2f M packets/s (user), peak RSS %d MiB\n' \
		"$pk" "$(du -m "$tmp/c.pcap" | cut -f1)" "$secs" "$user" \
		"$(awk -v p="$pk" -v u="$user" 'BEGIN { printf "%.2f", (u > 0 ? p / u / 1e6 : 0) }')" $((rss / 1024))
done
