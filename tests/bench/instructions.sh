#!/bin/bash
# Benchmark (not a test): instructions per query, counted by valgrind's
# callgrind, for one build or two (before/after a change). Instruction
# counts do not depend on what else the machine is doing, so on a shared or
# bimodal VM they compare builds where wall-clock rates cannot. Each build
# runs a fixed amount of work twice (--max --max-queries N, then 2N, into
# net_null, unique names); the difference of the two counts, divided by N, is
# what one more query costs, without the start-up (EAL, tables sized for the
# port's max-qps).
#
# usage: tests/bench/instructions.sh [BEFORE_BIN]
#        (env: DV_BIN, default build/app/dnsvolley; BENCH_QUERIES, default 200000;
#        BENCH_ARGS, more options for both builds, e.g. "--src 198.18.128.0/17")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
DV_BIN=${DV_BIN:-$root/build/app/dnsvolley}
N=${BENCH_QUERIES:-200000}
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null ||
	{ echo "instructions: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run BIN TAG QUERIES: callgrind's annotation of one run, in $tmp/TAG-QUERIES.txt
run() {
	local bin=$1 tag=$2 q=$3 out=$tmp/$2-$3
	# shellcheck disable=SC2086 # BENCH_ARGS: options, split on spaces
	valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$bin" --port null -s 198.18.0.2 \
		--max --max-queries "$q" -l 60 -t 0.05 --qname '{seq}.{rand8}.bench.test' --quiet ${BENCH_ARGS:-} \
		--eal "--file-prefix=dvinstr$$$tag" >"$out.log" 2>&1 ||
		{ echo "instructions: $bin failed: $(tail -n 3 "$out.log")" >&2; exit 1; }
	grep -q "Queries sent: *$q\b" "$out.log" || { echo "instructions: $tag did not send $q queries" >&2; exit 1; }
	callgrind_annotate "$out.cg" 2>/dev/null >"$out.txt"
}

# count BIN TAG: the marginal instructions per query, in total and per function.
count() {
	run "$1" "$2" "$N"
	run "$1" "$2" $((2 * N))
	python3 - "$tmp/$2-$N.txt" "$tmp/$2-$((2 * N)).txt" "$2" "$N" <<'PY'
import re, sys
def read(path):
    total, fns = 0, {}
    for line in open(path):
        m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+)\s+\[(.*)\]", line)
        if m:
            # A build beside its tree (../lib/x.c) or anywhere (/src/lib/x.c): from lib/ or app/ on.
            path = m.group(2).split("../")[-1]
            k = re.search(r"(?:^|/)((?:lib|app)/[^/].*)$", path)
            key = k.group(1) if k else path
            fns[key] = fns.get(key, 0) + int(m.group(1).replace(",", ""))
        m = re.match(r"\s*([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
    return total, fns
(t1, f1), (t2, f2) = read(sys.argv[1]), read(sys.argv[2])
tag, n = sys.argv[3], int(sys.argv[4])
ours = lambda k: k.startswith(("lib/", "app/"))
own = sum(v for k, v in f2.items() if ours(k)) - sum(v for k, v in f1.items() if ours(k))
print(f"   {tag:7s} {own / n:7.1f} instructions per query in dnsvolley's code, {(t2 - t1) / n:.1f} in all")
rows = sorted(((f2.get(k, 0) - f1.get(k, 0)) / n, k) for k in set(f1) | set(f2) if ours(k))
for v, k in sorted(rows, reverse=True)[:8]:
    print(f"           {v:7.1f}  {k}")
PY
}

echo "== instructions: what one query costs ($N and $((2 * N)) queries into net_null, callgrind)"
echo "   dnsvolley: $DV_BIN"
count "$DV_BIN" after
if [ $# -ge 1 ]; then
	echo "   before: $1"
	count "$1" before
fi
