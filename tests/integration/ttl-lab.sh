#!/bin/bash
#
# ttl-lab.sh DNSVOLLEY_BINARY: answer consistency over time (--track-answers)
# through a real resolver: the A/AAAA TTL mismatch of docs/design.md §1.
#
#   dvgen-PID: dnsvolley, AF_PACKET on dvg0 198.18.0.1
#   dvsrv-PID: Unbound on 198.18.0.2 port 53 (no validation, full additional
#              sections), resolving ttl.test. from NSD on 127.0.0.1@5353:
#                mx     MX 10 mail1, MX 20 mail2
#                mail1  A TTL 13, AAAA TTL 83213
#                mail2  A TTL 71, AAAA TTL 83213
#
# dnsvolley asks Unbound for mx.ttl.test MX and the targets' A and AAAA at
# 100 qps and tracks every answer (scenarios/ttl-mismatch.yaml).
#
# Run 1 (34 s, mail1's A expires from Unbound's cache at least twice):
#   - TTL mismatches for mail1 and mail2 (A <= 71 s vs AAAA > 80000 s);
#   - mail1's A, in the MX answer's additional section, was fetched again at
#     least twice (its TTL ran down to 0 or 1 and went up again);
#   - what Unbound (1.17) really does: it never answers the MX with mail1's
#     AAAA but not its A. A cached answer expires with the shortest TTL of
#     all its RRsets, additional ones included, and Unbound then fetches the
#     whole answer again: the A is back with the AAAA. (A resolver that fills
#     the additional section from its RRset cache at answer time would drop
#     the expired A and keep the AAAA: the field report's failure.)
# Run 2 (20 s): mail1's A is removed from the zone (NSD reloads it) while
#   Unbound still has it cached. Once it expires, Unbound's MX answers carry
#   mail1's AAAA without its A: the vanishing must show, with the A seen
#   first, and last until the end; mail1's AAAA and mail2 never vanish.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root). Missing tools are failures.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DV_SOURCE_ROOT:-$here/../..}

# shellcheck source=SCRIPTDIR/../lab/netns.sh
. "$root/tests/lab/netns.sh"
# shellcheck source=SCRIPTDIR/../lab/ttl.sh
. "$root/tests/lab/ttl.sh"

QPS=100
RUN1_S=34
RUN2_S=20
# A run must stop by itself well before this; the bound only catches hangs.
RUN_LIMIT_S=90

[ $# -eq 1 ] || { echo "usage: $0 DNSVOLLEY_BINARY" >&2; exit 1; }
bin=$1

lab_require_root
lab_require_tools ip ethtool nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf kdig \
	python3 timeout
[ -x "$bin" ] || lab_die "not an executable: $bin"

ttl_lab_start

# The experiment as scenarios/ttl-mismatch.yaml describes it (its query file,
# rate, interval and sampling); the command line names the lab's port and
# target and sets the duration and the JSON file.
scenario=$root/scenarios/ttl-mismatch.yaml
[ -r "$scenario" ] || lab_die "cannot read $scenario"

# dnsvolley in the generator namespace, in the background so that INT/TERM
# clean up at once: run NAME SECONDS. Prints the consistency section.
run() {
	local name=$1 secs=$2 rc=0
	lab_log "dnsvolley af_packet: $QPS qps for $secs s to Unbound ($name), --track-answers"
	lab_exec gen timeout --kill-after=10 "$RUN_LIMIT_S" "$bin" --scenario "$scenario" \
		--port "af_packet:$LAB_GEN_IF" -s "$LAB_SRV_V4" -Q "$QPS" -l "$secs" \
		--json "$tmp/$name.json" >"$tmp/$name.txt" 2>&1 &
	local pid=$!
	LAB_PIDS+=("$pid")
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$tmp/$name.txt"
		echo "ttl-lab $name: FAIL: dnsvolley exited with status $rc"
		return 1
	fi
	echo "--- $name: dnsvolley's report, answer consistency section"
	sed -n '/^Answer consistency/,$p' "$tmp/$name.txt"
	# dnsvolley report prints the same section again from the JSON alone.
	"$bin" report "$tmp/$name.json" -o "$tmp/$name.report" >"$tmp/$name.again" 2>&1 ||
		{ cat "$tmp/$name.again"; echo "ttl-lab $name: FAIL: dnsvolley report"; return 1; }
	if ! diff <(sed -n '/^Answer consistency/,$p' "$tmp/$name.txt") \
		<(sed -n '/^Answer consistency/,/^Wrote /p' "$tmp/$name.again" | sed '/^Wrote /d' | sed '$d'); then
		echo "ttl-lab $name: FAIL: dnsvolley report printed another consistency section"
		return 1
	fi
	# The TTL-over-time plot: mail1's A counts down to 0 or 1 and comes back up, AAAA stays high.
	python3 - "$tmp/$name.report" "$name" <<-'EOF' || { echo "ttl-lab $name: FAIL: ttl plot"; return 1; }
		import sys
		d, run = sys.argv[1], sys.argv[2]
		png = open(f"{d}/ttl.png", "rb").read()
		assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000, "ttl.png is no plot"
		series, cur = {}, None
		for line in open(f"{d}/ttl.dat"):
		    if line.startswith("# ") and not line.startswith("# one block"):
		        cur = line[2:].strip()
		        series[cur] = []
		    elif line.strip() and cur is not None and not line.startswith("#"):
		        series[cur].append(float(line.split()[1]))
		a = series["mail1.ttl.test. A"]
		# Counted down to expiry in the cache (0 is drawn at 0.5) ...
		low = next(i for i, v in enumerate(a) if v <= 1)
		# ... and, while the zone has it, fetched again: back up to about 13.
		if run == "ttl":
		    assert max(a[low:]) >= 10, a
		assert min(series["mail1.ttl.test. AAAA"]) > 80000, series["mail1.ttl.test. AAAA"]
		print(f"ttl plot: mail1 A from {max(a):g} down to {min(a):g} s, AAAA above 80000 s")
	EOF
}

# Assertions on a run's JSON: verdict NAME PHASE (ttl or removed).
verdict() {
	python3 - "$1" "$tmp/$1.json" "$2" "$QPS" "$3" <<-'EOF'
		import json, sys
		name, path, phase, qps, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
		with open(path) as f:
		    recs = [json.loads(l) for l in f if l.strip()]
		s = [r for r in recs if r.get("type") == "stats_sum"][-1]
		c = s["dnsvolley"]["consistency"]
		fails = []
		def need(ok, what):
		    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
		    if not ok:
		        fails.append(what)
		sent, answered = s["sent"]["queries"], s["received"]["responses"]
		need(sent >= qps * secs // 2 and answered >= 0.99 * sent, f"answered {answered} of {sent} sent")
		need(c["counted"] >= 0.9 * answered and c["not_parsed"] == 0 and c["ring_full"] == 0,
		     f"answers tracked: {c['counted']} counted, {c['not_parsed']} not parsed, {c['ring_full']} ring full")
		keys = {(k["qname"], k["qtype"]): k for k in c["names"]}
		mx = keys.get(("mx.ttl.test.", "MX"))
		need(mx is not None and mx["answers"] >= secs * qps // 10, "the MX question was tracked")
		if mx is None:
		    sys.exit(1)
		own = {o["name"]: o for o in mx["owners"]}
		m1, m2 = own.get("mail1.ttl.test.", {}), own.get("mail2.ttl.test.", {})
		for o, n in ((m1, "mail1"), (m2, "mail2")):
		    for fam in ("A", "AAAA"):
		        need("additional" in o.get(fam, {}).get("sections", []), f"{n} {fam} seen in the MX additional section")
		def ttl_mm(owner):
		    return [m for m in c["ttl_mismatches"] if m["owner"] == owner and m["qname"] == "mx.ttl.test."]
		for n, amax in (("mail1", 13), ("mail2", 71)):
		    mm = ttl_mm(n + ".ttl.test.")
		    need(len(mm) == 1 and mm[0]["a_ttl_max"] <= amax and mm[0]["aaaa_ttl_max"] > 80000,
		         f"TTL mismatch {n}: {mm}")
		a1 = m1.get("A", {})
		if phase == "ttl":
		    need(a1.get("refreshes", 0) >= 2 and a1.get("ttl_min", 99) <= 1,
		         f"mail1 A expired and was fetched again >= 2 times (refreshes {a1.get('refreshes')}, "
		         f"TTL {a1.get('ttl_min')}..{a1.get('ttl_max')})")
		    # What Unbound does: the whole cached answer expires with its shortest RRset.
		    need(a1.get("missing", -1) == 0 and not a1.get("vanished"),
		         f"Unbound never dropped mail1 A from the MX answer (missing {a1.get('missing')}, "
		         f"episodes {a1.get('vanished')})")
		else:
		    eps = a1.get("vanished", [])
		    need(len(eps) >= 1 and a1.get("missing_at_end") and eps[0]["from_s"] >= 1.0
		         and eps[-1]["last_s"] >= secs - 3,
		         f"mail1 A vanished from the MX additional section while AAAA remained, until the end: {eps}")
		for o, n, fam in ((m1, "mail1", "AAAA"), (m2, "mail2", "A"), (m2, "mail2", "AAAA")):
		    need(o.get(fam, {}).get("missing", -1) == 0, f"{n} {fam} never vanished")
		print(f"ttl-lab {name}: {'FAIL' if fails else 'PASS'}")
		sys.exit(1 if fails else 0)
	EOF
}

status=0
if run ttl "$RUN1_S"; then
	verdict ttl ttl "$RUN1_S" || status=1
else
	status=1
fi

# mail1's A goes away at the source while Unbound's cached MX answer still
# has seconds to live with it (at least 8: the new run must see the A before
# it vanishes, after dnsvolley's start-up on a busy machine). Too little
# left: wait for the answer to expire, and ask again, which fetches it anew
# (A TTL 13). It is the cached MX answer that counts, not the A alone: once
# the answer expires, Unbound fetches it from NSD and answers with what NSD
# sent, without adding an A it still has cached from a query for the A.
a_ttl() {
	lab_gen kdig @"$LAB_SRV_V4" mx.ttl.test MX +noall +additional +timeout=1 +retry=1 2>/dev/null |
		awk '$1 == "mail1.ttl.test." && $4 == "A" { print $2; exit }'
}
ttl=$(a_ttl)
if [ -z "$ttl" ] || [ "$ttl" -lt 8 ]; then
	sleep "$(( ${ttl:-0} + 2 ))"
	ttl=$(a_ttl)
fi
[ -n "$ttl" ] && [ "$ttl" -ge 8 ] || lab_die "unbound does not have mail1.ttl.test A cached for 8 s (TTL '$ttl')"
write_zone no-a 2 >"$nsd_dir/ttl.zone.new"
lab_must mv "$nsd_dir/ttl.zone.new" "$nsd_dir/ttl.zone"
lab_must kill -HUP "$nsd_pid"
wait_for 'ANSWER: 0;' lab_srv kdig @"$NSD_ADDR" -p "$NSD_PORT" mail1.ttl.test A +timeout=1 +retry=0 ||
	{ dump_logs; lab_die "nsd did not reload the zone without mail1's A"; }
lab_log "mail1.ttl.test A removed at the source; unbound has it cached for $ttl s more"
if run removed "$RUN2_S"; then
	verdict removed removed "$RUN2_S" || status=1
else
	status=1
fi
echo "unbound now: mx.ttl.test MX, additional section:"
mx_additional || true

[ "$status" -eq 0 ] || dump_logs
exit "$status"
