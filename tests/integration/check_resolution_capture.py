#!/usr/bin/env python3
"""What a server-side capture says of a client's query sequences, per name.

usage: check_resolution_capture.py [--frag-lost] PCAP CLIENT_ADDR

PCAP: a classic pcap (tcpdump -w, Ethernet) of port 53 on the server's
interface. CLIENT_ADDR: the client's address; its packets are queries, the
server's to it answers. Names are compared case-insensitively.
--frag-lost: the path drops fragments (the router lab's, toward the client):
a UDP answer the server sent in fragments never resolves its name.

Prints one JSON object:
  names            names asked at least once (over UDP or TCP)
  udp_retry_gaps_ms  per name asked twice or more over UDP: first to second query
  tc_names         names whose UDP answer had TC=1
  tc_then_tcp      of those: a TCP query for the name whose connection's SYN
                   (same client address) came after the TC answer
  tc_to_syn_ms     per such name: TC answer to that SYN
  resolved         names with a complete answer: UDP with TC=0 (first
                   fragment seen) or a whole message over TCP
  resolve_ms       per resolved name: its first query to the end of the
                   answer that resolved it (the last segment's capture time),
                   as the server's side saw them
  udp_after_tc     names asked over UDP again after their TC answer
Lists of times are sorted. Exit 1 on a capture it cannot read.
"""
import ipaddress
import json
import struct
import sys

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


def qname(msg, off=12):
    """The question's name (lower case) and the offset after it; None if cut."""
    labels = []
    while off < len(msg):
        n = msg[off]
        if n == 0:
            return ".".join(labels).lower() + ".", off + 1
        if n & 0xC0 or off + 1 + n > len(msg):
            return None, off
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    return None, off


def packets(path):
    """(time, src, dst, proto, sport, dport, payload, tcp_flags, fragmented) of port-53 packets."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("not a pcap file")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError("not a classic pcap file")
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"link type {linktype}, want Ethernet (1)")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + caplen]
        off += caplen
        t = sec + frac / (1e9 if nano else 1e6)
        p = parse_frame(frame)
        if p is not None:
            yield (t,) + p


def parse_frame(fr):
    if len(fr) < 14:
        return None
    etype = struct.unpack("!H", fr[12:14])[0]
    l3 = 14
    if etype == 0x8100 and len(fr) >= 18:
        etype = struct.unpack("!H", fr[16:18])[0]
        l3 = 18
    if etype == ETH_IPV4:
        ip = fr[l3:]
        if len(ip) < 20:
            return None
        ihl = (ip[0] & 15) * 4
        frag = struct.unpack("!H", ip[6:8])[0]
        if frag & 0x1FFF:
            return None  # a non-first fragment: no ports
        fragmented = bool(frag & 0x2000)
        proto = ip[9]
        src = str(ipaddress.IPv4Address(ip[12:16]))
        dst = str(ipaddress.IPv4Address(ip[16:20]))
        l4 = ip[ihl:]
    elif etype == ETH_IPV6:
        ip = fr[l3:]
        if len(ip) < 40:
            return None
        proto = ip[6]
        src = str(ipaddress.IPv6Address(ip[8:24]))
        dst = str(ipaddress.IPv6Address(ip[24:40]))
        l4 = ip[40:]
        fragmented = proto == 44
        if proto == 44:  # Fragment header
            if len(l4) < 8:
                return None
            if struct.unpack("!H", l4[2:4])[0] & 0xFFF8:
                return None
            proto = l4[0]
            l4 = l4[8:]
    else:
        return None
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack("!HH", l4[:4])
        return src, dst, "udp", sport, dport, l4[8:], 0, fragmented
    if proto == 6 and len(l4) >= 20:
        sport, dport = struct.unpack("!HH", l4[:4])
        doff = (l4[12] >> 4) * 4
        return src, dst, "tcp", sport, dport, l4[doff:], l4[13], False
    return None


def main():
    args = sys.argv[1:]
    frag_lost = bool(args) and args[0] == "--frag-lost"
    if frag_lost:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: check_resolution_capture.py [--frag-lost] PCAP CLIENT_ADDR")
    path, client = args[0], str(ipaddress.ip_address(args[1]))
    names = {}  # name -> {"udp_q": [t], "tc": t, "syn": t, "resolved": t}
    udp_q = {}  # (client port, id) -> name
    conns = {}  # client port -> {"syn": t, "cbuf": bytes, "sbuf": bytes, "name": ..., "need": n}
    try:
        pkts = list(packets(path))
    except (OSError, ValueError) as e:
        sys.exit(f"{path}: {e}")

    def rec(n):
        return names.setdefault(n, {"udp_q": [], "tc": None, "syn": None, "resolved": None,
                                    "udp_after_tc": False})

    for t, src, dst, proto, sport, dport, pl, flags, fragmented in pkts:
        if proto == "udp":
            if src == client and dport == 53 and len(pl) >= 12:
                n, _ = qname(pl)
                if n is None:
                    continue
                r = rec(n)
                if r["tc"] is not None:
                    r["udp_after_tc"] = True
                r["udp_q"].append(t)
                udp_q[(sport, pl[0:2])] = n
            elif dst == client and sport == 53 and len(pl) >= 12:
                n = udp_q.get((dport, pl[0:2]))
                if n is None:
                    continue
                r = rec(n)
                if pl[2] & 0x02:
                    if r["tc"] is None:
                        r["tc"] = t
                elif r["resolved"] is None and not (frag_lost and fragmented):
                    r["resolved"] = t
        else:
            if src == client and dport == 53:
                c = conns.get(sport)
                if flags & SYN:
                    conns[sport] = {"syn": t, "cbuf": b"", "sbuf": b"", "name": None, "need": None}
                    continue
                if c is None or not pl:
                    continue
                c["cbuf"] += pl
                if c["name"] is None and len(c["cbuf"]) >= 14:
                    n, _ = qname(c["cbuf"][2:])
                    if n is not None:
                        c["name"] = n
                        r = rec(n)
                        if r["syn"] is None:
                            r["syn"] = c["syn"]
            elif dst == client and sport == 53:
                c = conns.get(dport)
                if c is None or not pl:
                    continue
                c["sbuf"] += pl
                if c["need"] is None and len(c["sbuf"]) >= 2:
                    c["need"] = 2 + struct.unpack("!H", c["sbuf"][:2])[0]
                if c["need"] is not None and len(c["sbuf"]) >= c["need"] and c["name"]:
                    r = rec(c["name"])
                    if r["resolved"] is None:
                        r["resolved"] = t
                    c["need"] = float("inf")  # one answer per connection is enough

    out = {"names": len(names), "udp_retry_gaps_ms": [], "tc_names": 0, "tc_then_tcp": 0,
           "tc_to_syn_ms": [], "resolved": 0, "resolve_ms": [], "udp_after_tc": 0}
    for n, r in names.items():
        q = r["udp_q"]
        if len(q) >= 2:
            out["udp_retry_gaps_ms"].append((q[1] - q[0]) * 1e3)
        if r["tc"] is not None:
            out["tc_names"] += 1
            if r["syn"] is not None and r["syn"] >= r["tc"]:
                out["tc_then_tcp"] += 1
                out["tc_to_syn_ms"].append((r["syn"] - r["tc"]) * 1e3)
        if r["udp_after_tc"]:
            out["udp_after_tc"] += 1
        first = min(q + ([r["syn"]] if r["syn"] is not None else []), default=None)
        if r["resolved"] is not None and first is not None:
            out["resolved"] += 1
            out["resolve_ms"].append((r["resolved"] - first) * 1e3)
    for k in ("udp_retry_gaps_ms", "tc_to_syn_ms", "resolve_ms"):
        out[k].sort()
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
