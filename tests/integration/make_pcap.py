#!/usr/bin/env python3
"""Write a capture with a known schedule of DNS queries, for analyze.sh.

usage: make_pcap.py OUT.pcap LINKTYPE   (LINKTYPE: en10mb, sll, raw)

The schedule (times in milliseconds, exact), every answer from the server too:
- 40 names asked v6 then v4 375 ms later, the second with EDNS 1232;
- 30 names asked v4 then v4 again after 1 s, then over TCP 0.1 s later;
- 20 names asked once over IPv4 with EDNS 4096 and DO;
- 10 names asked once over IPv6 without EDNS;
- one name asked at 0 and again 30 s later (two sequences with a 5 s quiet time);
- an IPv4 fragment, a UDP packet to another port and a cut packet.
Sources: every v4 name from 198.18.1.(i % 5), every v6 one from 2001:2::1:(i % 5).
"""
import struct
import sys

out, link = sys.argv[1], sys.argv[2]
LINK = {"en10mb": 1, "sll": 113, "raw": 101}[link]


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def name(n):
    out = b""
    for lab in n.split("."):
        if lab:
            out += bytes([len(lab)]) + lab.encode()
    return out + b"\0"


def dns(qname, qtype=1, edns=None, do=False, qr=False, tc=False):
    flags = 0x0100 | (0x8000 if qr else 0) | (0x0200 if tc else 0)
    ar = 1 if edns is not None else 0
    m = struct.pack("!HHHHHH", 0x1234, flags, 1, 0, 0, ar) + name(qname) + struct.pack("!HH", qtype, 1)
    if edns is not None:
        m += b"\0" + struct.pack("!HHBBHH", 41, edns, 0, 0, 0x8000 if do else 0, 0)
    return m


def ip4(src, dst, proto, payload, frag=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, payload):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 1, 5 << 4, 0x18, 65535, 0, 0) + payload


S4 = bytes([198, 18, 0, 2])
S6 = bytes.fromhex("20010002000000000000000000000002")


def c4(i):
    return bytes([198, 18, 1, i % 5])


def c6(i):
    return bytes.fromhex("20010002000000000000000000010000")[:15] + bytes([i % 5])


pkts = []  # (time in ms, l3 packet)


def query(t, fam, i, qname, transport="udp", **kw):
    m = dns(qname, **kw)
    if transport == "tcp":
        l4, proto = tcp(40000 + i, 53, struct.pack("!H", len(m)) + m), 6
    else:
        l4, proto = udp(40000 + i, 53, m), 17
    l3 = ip4(c4(i), S4, proto, l4) if fam == 4 else ip6(c6(i), S6, proto, l4)
    pkts.append((t, l3))
    # the server's answer, 1 ms later (not a query: counted apart)
    a = dns(qname, qr=True)
    la = udp(53, 40000 + i, a)
    pkts.append((t + 1, ip4(S4, c4(i), 17, la) if fam == 4 else ip6(S6, c6(i), 17, la)))


for i in range(40):
    query(1000 + i * 10, 6, i, f"a{i}.example.")
    query(1375 + i * 10, 4, i, f"a{i}.example.", edns=1232)
for i in range(30):
    query(2000 + i * 10, 4, i, f"b{i}.example.")
    query(3000 + i * 10, 4, i, f"B{i}.example.")  # the same name, another case
    query(3100 + i * 10, 4, i, f"b{i}.example.", transport="tcp")
for i in range(20):
    query(4000 + i * 10, 4, i, f"c{i}.example.", edns=4096, do=True)
for i in range(10):
    query(5000 + i * 10, 6, i, f"d{i}.example.", qtype=28)
query(500, 4, 0, "late.example.")
query(30500, 4, 0, "late.example.")
pkts.append((6000, ip4(c4(0), S4, 17, udp(1, 53, dns("frag.example.")), frag=0x2000)))
pkts.append((6100, ip4(c4(0), S4, 17, udp(1, 9999, dns("other.example.")))))
pkts.append((6200, ip4(c4(0), S4, 17, udp(1, 53, dns("cut.example.")))[:30]))
pkts.sort(key=lambda p: p[0])

with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, LINK))  # nanosecond pcap
    for t, l3 in pkts:
        if link == "en10mb":
            et = 0x86DD if l3[0] >> 4 == 6 else 0x0800
            frame = b"\x02\0\0\0\0\1\x02\0\0\0\0\2" + struct.pack("!H", et) + l3
        elif link == "sll":
            et = 0x86DD if l3[0] >> 4 == 6 else 0x0800
            frame = struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\1\0\0", et) + l3
        else:
            frame = l3
        sec, ns = t // 1000, (t % 1000) * 1000000
        f.write(struct.pack("<IIII", sec, ns, len(frame), len(frame)) + frame)
