#!/usr/bin/env python3
"""Assertions on a dnsvolley --json file (DNS-OARC dns-metrics JSON lines).

usage: check_json.py FILE EXPR [EXPR...]
Each EXPR is a Python expression over the stats_sum record's fields, with
names: sent, answered, timeouts, interrupted (abandoned queries), unexpected, rcodes (dict), lat (response_latency),
dv (the dnsvolley extension object), periodic (list of stats_periodic records),
header. Every EXPR must be true; failures are printed with the values.
"""
import json
import sys

path, exprs = sys.argv[1], sys.argv[2:]
with open(path) as f:
    records = [json.loads(line) for line in f if line.strip()]
if not records or records[0].get("type") != "header":
    sys.exit(f"{path}: first record is not a header")
sums = [r for r in records if r.get("type") == "stats_sum"]
if len(sums) != 1 or records[-1] is not sums[0]:
    sys.exit(f"{path}: expected exactly one stats_sum, last")
s = sums[0]
env = {
    "header": records[0],
    "sent": s["sent"]["queries"],
    "answered": s["received"]["responses"],
    "timeouts": s["timeouts"],
    "interrupted": s.get("interrupted", 0),
    "unexpected": s["unexpected"],
    "rcodes": s.get("response_rcodes", {}),
    "lat": s.get("response_latency", {}),
    "dv": s.get("dnsvolley", {}),
    "periodic": [r for r in records if r.get("type") == "stats_periodic"],
}
failed = False
for e in exprs:
    # The names as globals, so that comprehensions in an expression see them too.
    ok = eval(e, dict(env))  # noqa: S307 - test-owned expressions
    if not ok:
        failed = True
        print(f"FAIL: {e}")
if failed:
    print("values:", json.dumps({k: v for k, v in env.items() if k not in ("periodic", "header")}))
    sys.exit(1)
print(f"ok: {path}: sent {env['sent']}, answered {env['answered']}, timeouts {env['timeouts']}")
