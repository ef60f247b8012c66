# Sourced by the tests against the embedded responder, after `set -euo pipefail`:
#   . "${DV_SOURCE_ROOT:?}/tests/integration/prologue.sh" "$1"
# DV the binary, ROOT the source tree, CHECK the JSON assertions
# (check_json.py), Q the quickstart's queries, tmp a directory removed at exit,
# and run ARGS...: dnsvolley ARGS with its output in $tmp/out and $tmp/err,
# both shown when it fails.
# shellcheck shell=bash disable=SC2034 # the names are the caller's
DV=$1
ROOT=${DV_SOURCE_ROOT:?}
CHECK="python3 $ROOT/tests/integration/check_json.py"
Q=$ROOT/scenarios/queries/quickstart.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { echo "+ dnsvolley $*"; "$DV" "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/out" "$tmp/err"; return 1; }; }
