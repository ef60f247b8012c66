#!/bin/bash
# The include order holds on the tree, and the check catches a breach:
# a copy of lib/ where wire/ includes the engine must fail it.
set -euo pipefail
root=${DV_SOURCE_ROOT:?}
check=$root/tests/layout/check_includes.py
python3 "$check" "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/lib" "$root/app" "$tmp/"
printf '#include "engine/lcore.h"\n' >> "$tmp/lib/wire/query.h"
if out=$(python3 "$check" "$tmp"); then
	echo "the check passed a tree where wire/ includes the engine" >&2
	exit 1
fi
grep -q 'lib/wire/query.h: includes "engine/lcore.h": wire may not depend on engine' <<<"$out"
echo "a breach is caught"
