#!/usr/bin/env python3
"""A large capture for tests/bench/analyze.sh: N queries (raw IP link type).

usage: bulk_pcap.py OUT.pcap N
Names are unique per sequence; 46 % of them are asked twice (the second
375 ms, 400 ms or 1 s later, the family changing in half of them), over
IPv4 (65 %) and IPv6 from 65 536 source addresses, EDNS 1232 or 4096.
One packet in two is a query: every query has its answer.
"""
import random
import struct
import sys

out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(4814)
S4, S6 = bytes([198, 18, 0, 2]), bytes.fromhex("20010002000000000000000000000002")


def msg(i, qr):
    name = b"\x0a" + b"%010d" % i + b"\x07example\x00"
    m = struct.pack("!HHHHHH", i & 0xFFFF, 0x8100 if qr else 0x0100, 1, 0, 0, 1) + name + b"\x00\x01\x00\x01"
    return m + b"\x00\x00\x29" + struct.pack("!HBBHH", 1232 if i % 3 else 4096, 0, 0, 0, 0)


def pkt(i, v6, qr, src):
    m = msg(i, qr)
    u = struct.pack("!HHHH", 53 if qr else 40000 + (i & 0x3FFF), 40000 + (i & 0x3FFF) if qr else 53, 8 + len(m), 0) + m
    if v6:
        a = S6[:12] + struct.pack("!HH", 1, src)
        s, d = (S6, a) if qr else (a, S6)
        return struct.pack("!IHBB", 0x60000000, len(u), 17, 64) + s + d + u
    a = bytes([198, 18, 100 + (src >> 8) % 100, src & 0xFF])
    s, d = (S4, a) if qr else (a, S4)
    return struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(u), 0, 0, 64, 17, 0) + s + d + u


events = []
t = 0
i = 0
while len(events) < n:
    t += rnd.randint(5, 15)  # microseconds between names
    v6 = rnd.random() < 0.35
    src = rnd.randrange(65536)
    events.append((t, i, v6, src))
    if rnd.random() < 0.46:
        gap = rnd.choice((375000, 400000, 1000000))
        events.append((t + gap, i, v6 if rnd.random() < 0.5 else not v6, src))
    i += 1
events.sort()
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    w = f.write
    for t, i, v6, src in events[:n]:
        for qr in (False, True):
            p = pkt(i, v6, qr, src)
            tt = t + (100 if qr else 0)
            w(struct.pack("<IIII", tt // 1000000, tt % 1000000, len(p), len(p)) + p)
