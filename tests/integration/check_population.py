"""check_population.py RUN.json ANALYZE.json CAPTURE.pcap: a --population
apnic-2023 run, as the server saw it (dnsvolley analyze of its capture), held
to APNIC's published figures (docs/populations.md). Prints every figure, then
PASS or FAIL; exit 1 on a failure."""
import ipaddress
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import pcapdns  # noqa: E402

run_path, an_path, pcap_path = sys.argv[1:4]
run = [json.loads(l) for l in open(run_path) if '"stats_sum"' in l][-1]
an = json.load(open(an_path))["tables"]
seq = an["sequences"]
fails = []


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def near(name, got, want, tol=2.0):
    ok = abs(got - want) <= tol
    print(f"  {name:<34} {got:7.2f}  published {want:6.2f}  {'ok' if ok else 'OFF'}")
    if not ok:
        fails.append(f"{name}: {got:.2f}, published {want:.2f} (+-{tol})")


n = seq["count"]
logical = run["dnsvolley"]["sequences"]["logical"]
print(f"sequences at the server {n}, logical queries sent {logical}, closed early "
      f"{seq['closed_early']}")
if n != logical or seq["closed_early"] != 0:
    fails.append(f"the server saw {n} sequences, dnsvolley started {logical} names")

# Exact: every attempt dnsvolley sent reached the server (a lab without loss),
# so the server's sequences are the run's, cell by cell.
dv = run["dnsvolley"]
runlen = {int(k): v for k, v in dv["sequences"]["seq_len"].items() if v}
anlen = {int(k.rstrip("+")): v for k, v in seq["length"].items()}
runft = {k.replace("->", "_"): v for k, v in dv["sequences"]["first_two"].items()}
runedns = {}
for row in dv["edns"]:
    key = (row["family"], str(row["size"]))
    runedns[key] = runedns.get(key, 0) + row["sent"]
anedns = {(f, k): v for f in ("ipv4", "ipv6") for k, v in an["edns"][f].items()}
for what, a, b in (("sequence lengths", runlen, anlen), ("first two", runft, seq["first_two"]),
                   ("EDNS sizes per family", {k: v for k, v in runedns.items() if v}, anedns)):
    same = a == b
    print(f"  {what}: the run's {'==' if same else '!='} the server's")
    if not same:
        fails.append(f"{what}: the run sent {a}, the server saw {b}")

length = {int(k.rstrip("+")): v for k, v in seq["length"].items()}
queries = sum(k * v for k, v in length.items())
near("names asked once (%)", pct(length.get(1, 0), n), 54.0)
near("names asked 2+ times (%)", pct(n - length.get(1, 0), n), 46.0)
near("queries per name", queries / n if n else 0, 2.1, 0.1)
near("sequences starting over IPv4 (%)", pct(seq["start"]["ipv4"], n), 65.0)
ft = seq["first_two"]
two = sum(ft.values())
for key, want in (("v4_v4", 39), ("v4_v6", 20), ("v6_v4", 22), ("v6_v6", 20)):
    near(f"first two {key.replace('_', '->')} (%)", pct(ft[key], two), want)

centers = sorted(c["center_ms"] for c in seq["gap_clusters"])
print(f"  first-two gap clusters (ms): {centers}")
for want in (10, 375, 400, 1000):
    if not any(abs(c - want) <= 6 for c in centers):
        fails.append(f"no cluster of first-two gaps at {want} ms (clusters: {centers})")

published = {"4096": 42.3, "1232": 23.5, "1400": 14.5, "1452": 4.9, "1472": 3.8, "1220": 3.7,
             "512": 2.7, "none": 1.4, "1410": 0.9, "1440": 0.7, "1432": 0.3}
ed = an["edns"]
total = {}
for fam in ("ipv4", "ipv6"):
    for k, v in ed[fam].items():
        total[k] = total.get(k, 0) + v
allq = sum(total.values())
for size, want in published.items():
    near(f"EDNS {size} (% of queries)", pct(total.get(size, 0), allq), want)
other = [k for k in total if k not in published]
if other:
    fails.append(f"EDNS sizes no kind offers: {other}")
near("EDNS 4096 over IPv6 (% of IPv6)", pct(ed["ipv6"].get("4096", 0), sum(ed["ipv6"].values())),
     47.0)

# Each kind from its own slice: kind k sends from 198.18.128.0/17's k-th /20 and
# 2001:2:0:100::/64's k-th /67; the IPv4-only kinds (0, 1, 6) send no IPv6, the
# IPv6-only one (5) no IPv4, and nothing comes from outside the ranges.
r4, r6 = ipaddress.ip_network("198.18.128.0/17"), ipaddress.ip_network("2001:2:0:100::/64")
per = {("ipv4", k): 0 for k in range(8)}
per.update({("ipv6", k): 0 for k in range(8)})
outside = 0
for _t, frame in pcapdns.read_pcap(pcap_path):
    ip = pcapdns.parse_ip(frame)
    if ip is None or ip == "frag" or ip[3] != 17:
        continue
    fam, src, dst, _p, l4, _f = ip
    if len(l4) < 12 or int.from_bytes(l4[2:4], "big") != 53:
        continue  # answers
    a = ipaddress.ip_address(src)
    if fam == "ipv4" and a in r4:
        per[(fam, (int(a) >> 12) & 7)] += 1
    elif fam == "ipv6" and a in r6:
        per[(fam, (int(a) >> 61) & 7)] += 1
    else:
        outside += 1
print("  UDP queries per kind's slice: " + ", ".join(
    f"{f[-2:]}/{k}: {v}" for (f, k), v in sorted(per.items()) if v))
want_empty = [("ipv6", 0), ("ipv6", 1), ("ipv6", 6), ("ipv4", 5), ("ipv4", 7), ("ipv6", 7)]
bad = [f"{f} slice {k}" for f, k in want_empty if per[(f, k)] != 0]
bad += [f"{f} slice {k}" for (f, k), v in per.items() if v == 0 and (f, k) not in want_empty]
if outside or bad:
    fails.append(f"queries from outside the kinds' slices: {outside}; slices wrong: {bad}")

print("population: " + ("PASS" if not fails else "FAIL: " + "; ".join(fails)))
sys.exit(1 if fails else 0)
