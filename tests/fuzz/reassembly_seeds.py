#!/usr/bin/env python3
"""Seeds of fuzz_reassembly: fragment sets in its record format.

Each record is [ctl:1][len:2, big-endian][frame]; ctl bits 0-3 move the clock
(eighths of the fragment timeout), bit 4 chains the frame over two mbufs, bit
5 ends a burst. The datagrams are two whole DNS responses of the frame corpus
(made by the unit tests, see docs/fuzzing.md), cut here into fragments.
Usage: reassembly_seeds.py CORPUS_DIR  (writes CORPUS_DIR/reassembly/*)
"""
import os
import struct
import sys

CHAIN, BURST = 0x10, 0x20


def frags_v4(frame, size, ip_id):
    """IPv4 fragments of the frame's datagram, size payload bytes each."""
    eth, ip = frame[:14], frame[14:]
    hl = (ip[0] & 15) * 4
    tot = struct.unpack('!H', ip[2:4])[0]
    hdr, pay = bytearray(ip[:hl]), ip[hl:tot]
    out = []
    for off in range(0, len(pay), size):
        part = pay[off:off + size]
        h = bytearray(hdr)
        struct.pack_into('!HHH', h, 2, hl + len(part), ip_id,
                         (off // 8) | (0x2000 if off + size < len(pay) else 0))
        out.append(eth + bytes(h) + part)
    return out


def frags_v6(frame, size, ip_id):
    """IPv6 fragments (a Fragment header after the fixed header)."""
    eth, ip = frame[:14], frame[14:]
    nh, pay = ip[6], ip[40:40 + struct.unpack('!H', ip[4:6])[0]]
    out = []
    for off in range(0, len(pay), size):
        part = pay[off:off + size]
        h = bytearray(ip[:40])
        struct.pack_into('!H', h, 4, 8 + len(part))
        h[6] = 44
        fh = struct.pack('!BBHI', nh, 0, off | (1 if off + size < len(pay) else 0), ip_id)
        out.append(eth + bytes(h) + fh + part)
    return out


def records(frames, ctl=0):
    return b''.join(struct.pack('!BH', c, len(f)) + f
                    for f, c in ((f, ctl(i) if callable(ctl) else ctl)
                                 for i, f in enumerate(frames)))


def main():
    corpus = sys.argv[1]
    with open(os.path.join(corpus, 'frame', 'fragment-12'), 'rb') as f:
        v4 = f.read()  # a whole IPv4 DNS response, 1482 bytes of IP
    with open(os.path.join(corpus, 'frame', 'fragment-16'), 'rb') as f:
        v6 = f.read()  # a whole IPv6 DNS response
    a, b = frags_v4(v4, 512, 0x1234), frags_v6(v6, 504, 0xabcdef)
    small = frags_v4(v4, 200, 7)
    seeds = {
        'v4-in-order': records(a),
        'v4-reversed': records(a[::-1]),
        'v6-in-order': records(b),
        'v6-reversed-chained': records(b[::-1], CHAIN),
        'v4-v6-interleaved': records([x for p in zip(a, b) for x in p], BURST),
        'v4-duplicate': records([a[0], a[0]] + a[1:]),
        'v4-last-missing': records(a[:-1]),
        'v4-too-late': records(a, lambda i: 9 if i == len(a) - 1 else 0),
        'v4-small-pieces': records(small, lambda i: BURST if i % 3 == 2 else 0),
        'v6-first-only-twice': records([b[0], b[0]], 4),
    }
    out = os.path.join(corpus, 'reassembly')
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
