#!/bin/bash
# Benchmark (not a test): how many responses per second one collector lcore
# matches, with plain answers and with fragmented ones, against the embedded
# responder. Both runs share this machine's cores with the responder, so
# compare them side by side, as a ratio, not as absolute numbers.
# usage: tests/bench/collector.sh [DNSVOLLEY] [SECONDS]   (DNSVOLLEY default: $DV_BIN, build/app/dnsvolley)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DV=${1:-${DV_BIN:-$ROOT/build/app/dnsvolley}}
SECS=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench() {
	local name=$1; shift
	"$DV" --port embedded --busy-poll -q -S 0 -Q 10M -l "$SECS" -t 0.2 \
		--qname '{seq}.{rand8}.example.test' --json "$tmp/$name.json" "$@" >/dev/null
	python3 - "$name" "$tmp/$name.json" "$SECS" <<'PY'
import json, sys
name, path, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = [json.loads(l) for l in open(path)][-1]
dv = s["dnsvolley"]
ans = s["received"]["responses"]
frags = sum(dv.get("fragments", {}).get("received", {}).values()) if "fragments" in dv else 0
print(f"{name:12s} answered {ans / secs:12.0f}/s  fragments {frags / secs:12.0f}/s  "
      f"sent {s['sent']['queries'] / secs:12.0f}/s")
PY
}

bench plain -s 198.18.0.53 -e 4096 --responder size=512
bench fragmented -s 198.18.0.53 -e 4096 --responder size=3000,frag-mtu=1280
