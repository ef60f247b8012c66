#!/bin/bash
# Do two builds print the same report? For refactors that must not change
# behaviour: runs every scenario that needs no lab (the embedded responder)
# with each binary, then compares the text report with every number masked
# and the JSON result's key paths and value types (numbers differ with timing).
#   tests/bench/same-output.sh OLD_BIN NEW_BIN [OUTDIR]
# Exit 0 when every scenario matches; the differences otherwise.
set -uo pipefail
old=${1:?old binary} new=${2:?new binary}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${3:-$(mktemp -d)}
mkdir -p "$out"
# Status lines come and go with timing (one more interval, none answered in
# the last): they are compared by their form, not their count or values.
mask() {
	sed -E 's/^\[ *[0-9.]+s\] .*/[interval status line]/; s/[0-9]+(\.[0-9]+)?/N/g; s/N( N)+/N/g' "$1" | uniq
}
shape() {
	python3 - "$1" <<'PY'
import json, sys
def walk(v, path, out):
    if isinstance(v, dict):
        for k in sorted(v):
            walk(v[k], f"{path}.{k}", out)
    elif isinstance(v, list):
        out.add(f"{path}[] list")
        for x in v[:1]:
            walk(x, f"{path}[]", out)
    else:
        out.add(f"{path} {type(v).__name__ if not isinstance(v, (int, float)) else 'number'}")
out = set()
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            r = json.loads(line)
            walk(r, r.get("type", r.get("record", "?")) if isinstance(r, dict) else "?", out)
print("\n".join(sorted(out)))
PY
}
rc=0
for y in "$root"/scenarios/*.yaml; do
	name=$(basename "$y" .yaml)
	grep -q '^port: embedded' "$y" || continue
	for which in old new; do
		bin=$old; [ $which = new ] && bin=$new
		"$bin" --scenario "$y" -l 2 --json "$out/$name.$which.json" --eal "--file-prefix=same$$" \
			>"$out/$name.$which.txt" 2>&1
		echo "exit $?" >>"$out/$name.$which.txt"
		mask "$out/$name.$which.txt" >"$out/$name.$which.masked"
		shape "$out/$name.$which.json" >"$out/$name.$which.shape" 2>&1
	done
	diff -u "$out/$name.old.masked" "$out/$name.new.masked" >"$out/$name.text.diff"; t=$?
	diff -u "$out/$name.old.shape" "$out/$name.new.shape" >"$out/$name.json.diff"; j=$?
	if [ $t -eq 0 ] && [ $j -eq 0 ]; then
		echo "$name: same"
	else
		echo "$name: DIFFERENT ($out/$name.text.diff, $out/$name.json.diff)"
		rc=1
	fi
done
exit $rc
