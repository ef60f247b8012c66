"""check_multihost.py DIR: the files of multihost-lab.sh in DIR (the instances'
results gen1..3.json, collected/merged.json, the server's captures
srv1..3.pcap, one per instance's veth) held to one run over three hosts."""
import ipaddress
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import pcapdns  # noqa: E402

d = sys.argv[1]
fails = []


def total(path):
    return [json.loads(l) for l in open(path) if '"stats_sum"' in l][-1]


runs = [total(f"{d}/gen{k}.json") for k in (1, 2, 3)]
merged = total(f"{d}/collected/merged.json")

# One start: the first queries within 5 ms of each other, and of the --start-at
# instant (the playbook's: a whole second of the controller's clock).
first = [r["dnsvolley"]["state"]["first_tx_ns"] for r in runs]
spread = (max(first) - min(first)) / 1e6
off = min(abs(f / 1e9 - round(f / 1e9)) for f in first) * 1e3
print(f"first queries: spread {spread:.3f} ms, {off:.3f} ms from the start instant")
if spread > 5 or off > 5:
    fails.append(f"the instances started {spread:.3f} ms apart, {off:.3f} ms off --start-at")

# The merged counts are the sum.
for key in ("queries",):
    s = sum(r["sent"][key] for r in runs)
    if merged["sent"][key] != s:
        fails.append(f"merged sent.{key} {merged['sent'][key]}, the instances' sum {s}")
for key in ("timeouts",):
    s = sum(r[key] for r in runs)
    if merged[key] != s:
        fails.append(f"merged {key} {merged[key]}, the instances' sum {s}")
resp = sum(r["received"]["responses"] for r in runs)
if merged["received"]["responses"] != resp:
    fails.append(f"merged responses {merged['received']['responses']}, the instances' sum {resp}")
sent = [r["sent"]["queries"] for r in runs]
print(f"sent per instance {sent}, merged {merged['sent']['queries']}, "
      f"answered {merged['received']['responses']}")
if min(sent) < 0.9 * 3000:
    fails.append(f"an instance sent less than 90 % of its 1000 qps x 3 s: {sent}")

# What the server saw: each instance from its own /19, no name twice.
names = {}
for k in (1, 2, 3):
    net = ipaddress.ip_network(f"198.18.{128 + 32 * (k - 1)}.0/19")
    outside = n = 0
    for _t, frame in pcapdns.read_pcap(f"{d}/srv{k}.pcap"):
        ip = pcapdns.parse_ip(frame)
        if ip is None or ip == "frag" or ip[3] != 17:
            continue
        dns = pcapdns.parse_dns(ip[4][8:])
        if dns is None or dns["qr"]:
            continue
        n += 1
        if ipaddress.ip_address(ip[1]) not in net:
            outside += 1
        q = dns["question"]
        names[q] = names.get(q, 0) + 1
    print(f"instance {k}: {n} queries at the server, {outside} from outside {net}")
    if outside or n != sent[k - 1]:
        fails.append(f"instance {k}: {n} queries seen (sent {sent[k - 1]}), {outside} outside {net}")
twice = [q for q, c in names.items() if c > 1]
print(f"names: {len(names)} distinct, {len(twice)} asked twice")
if twice or len(names) != sum(sent):
    fails.append(f"{len(twice)} names asked more than once (e.g. {twice[:3]}); "
                 f"{len(names)} distinct of {sum(sent)} sent")

print("multihost: " + ("PASS" if not fails else "FAIL: " + "; ".join(fails)))
sys.exit(1 if fails else 0)
