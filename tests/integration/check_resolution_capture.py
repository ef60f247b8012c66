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

from pcapdns import SYN, parse_dns, parse_ip, read_pcap


def packets(path):
    """(time, src, dst, proto, sport, dport, payload, tcp_flags, fragmented) of
    port-53 packets (non-first fragments left out)."""
    for t, frame in read_pcap(path):
        p = parse_ip(frame)
        if p is None or p == "frag":
            continue
        _fam, src, dst, proto, l4, fragmented = p
        if proto == 17 and len(l4) >= 8:
            sport, dport = struct.unpack("!HH", l4[:4])
            yield t, src, dst, "udp", sport, dport, l4[8:], 0, fragmented
        elif proto == 6 and len(l4) >= 20:
            sport, dport = struct.unpack("!HH", l4[:4])
            yield t, src, dst, "tcp", sport, dport, l4[(l4[12] >> 4) * 4:], l4[13], False


def qname(msg):
    """The question's name, lower case, or None."""
    d = parse_dns(msg)
    return d["question"][0] if d is not None and d["question"] is not None else None


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
                n = qname(pl)
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
                    n = qname(c["cbuf"][2:])
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
