#!/usr/bin/env python3
"""Check a server-side capture of dnsvolley's DNS-over-TCP connections.

usage: check_tcp_capture.py PCAP CLIENT_ADDR [QUERIES [SEGMENTS]]

PCAP: a classic pcap file (tcpdump -w, Ethernet), of TCP port 53 on the
server's interface. CLIENT_ADDR: dnsvolley's source address; the segments
from it are ours, the others the server's.

Fails (exit 1, one line per problem) on:
  - a segment that does not parse: IP or TCP header lengths, TCP options,
    flag combinations (SYN with FIN or RST, no flags at all, no ACK on
    anything but a first SYN or an RST);
  - one of ours with a wrong IPv4 header or TCP checksum, or not captured
    whole (so its checksum could not be verified: raise the snap length);
  - an RST from us (our ending is FIN);
  - a retransmission by us: a segment that takes sequence space (SYN, FIN
    or payload) seen twice with the same sequence number and length;
  - our byte stream on a connection, reassembled, that has a gap or is not
    a sequence of 2-byte length-prefixed DNS queries of one question each;
  - a connection of ours that never ends: a SYN and then no FIN from us
    (our ending is FIN, also at the end of a run);
  - no segment from us at all;
  - QUERIES given and the queries on our streams differ from it;
  - SEGMENTS given (what the client says it sent) and the capture holds
    another number of segments from us (a capture that missed some, or a
    client that counts wrong).
The server's retransmissions and RSTs are counted and printed, not judged.
"""
import ipaddress
import struct
import sys

from pcapdns import read_pcap_records

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    """RFC 1071 one's complement sum, folded, not inverted."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def tcp_options_ok(opts):
    """Options well-formed: EOL, NOP, or kind-length-value within the header."""
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            return True
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2 or i + opts[i + 1] > len(opts):
            return False
        if kind == 2 and opts[i + 1] != 4:  # MSS
            return False
        i += opts[i + 1]
    return True


def parse(frame, orig):
    """One frame as a dict, or a string saying what is wrong with it."""
    if len(frame) < 14:
        return "frame shorter than Ethernet"
    (etype,) = struct.unpack("!H", frame[12:14])
    ip = frame[14:]
    whole_len = orig - 14  # what the wire carried after Ethernet
    if etype == ETH_IPV4:
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return "bad IPv4 header"
        ihl = (ip[0] & 0x0F) * 4
        (tot,) = struct.unpack("!H", ip[2:4])
        if ihl < 20 or tot < ihl + 20 or tot > whole_len or len(ip) < ihl:
            return f"bad IPv4 lengths (ihl {ihl}, total {tot}, frame {whole_len})"
        if ip[9] != 6:
            return "not TCP"
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        ip_ok = csum(ip[:ihl]) == 0xFFFF
        seglen = tot - ihl
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, seglen)
        tcp = ip[ihl:]
    elif etype == ETH_IPV6:
        if len(ip) < 40 or ip[0] >> 4 != 6:
            return "bad IPv6 header"
        (plen,) = struct.unpack("!H", ip[4:6])
        if ip[6] != 6:
            return "not TCP (or an extension header)"
        if plen < 20 or 40 + plen > whole_len:
            return f"bad IPv6 payload length {plen}"
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        ip_ok = True
        seglen = plen
        pseudo = ip[8:40] + struct.pack("!IxxxB", plen, 6)
        tcp = ip[40:]
    else:
        return f"ethertype {etype:#06x}"
    if len(tcp) < 20:
        return "TCP header not captured (snap length)"
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", tcp[:14])
    doff = (off >> 4) * 4
    if doff < 20 or doff > seglen:
        return f"bad TCP data offset {doff} (segment {seglen} bytes)"
    flags &= 0x3F
    if flags & SYN and flags & (FIN | RST):
        return f"flags {flags:#04x}: SYN with FIN or RST"
    if flags == 0:
        return "no TCP flags"
    if not flags & ACK and not flags & RST and flags != SYN:
        return f"flags {flags:#04x} without ACK"
    whole = len(tcp) >= seglen
    opts_ok = tcp_options_ok(tcp[20:doff]) if len(tcp) >= doff else True
    if not opts_ok:
        return "malformed TCP options"
    tcp_ok = csum(pseudo + tcp[:seglen]) == 0xFFFF if whole else None
    return {
        "src": str(src), "dst": str(dst), "sport": sport, "dport": dport,
        "seq": seq, "flags": flags, "len": seglen - doff,
        "payload": tcp[doff:seglen] if whole else None,
        "ip_ok": ip_ok, "tcp_ok": tcp_ok,
    }


def stream_queries(chunks, isn):
    """Our reassembled stream after the SYN: (queries, problem or None)."""
    data = b""
    nxt = (isn + 1) & 0xFFFFFFFF
    for seq, payload in sorted(chunks, key=lambda c: (c[0] - nxt) & 0xFFFFFFFF):
        if seq != nxt:
            return 0, f"gap in our stream at {(seq - isn) & 0xFFFFFFFF}"
        data += payload
        nxt = (nxt + len(payload)) & 0xFFFFFFFF
    n, i = 0, 0
    while i < len(data):
        if i + 2 > len(data):
            return n, "stream ends inside a length prefix"
        (mlen,) = struct.unpack("!H", data[i:i + 2])
        msg = data[i + 2:i + 2 + mlen]
        if mlen < 12 or len(msg) < mlen:
            return n, f"message of {mlen} bytes, {len(msg)} present"
        qr, qd = msg[2] >> 7, struct.unpack("!H", msg[4:6])[0]
        if qr != 0 or qd != 1:
            return n, f"a message with QR {qr}, QDCOUNT {qd}"
        n += 1
        i += 2 + mlen
    return n, None


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    path, client = sys.argv[1], str(ipaddress.ip_address(sys.argv[2]))
    expected = int(sys.argv[3]) if len(sys.argv) >= 4 else None
    segments = int(sys.argv[4]) if len(sys.argv) >= 5 else None
    problems = []
    ours = theirs = rsts = syns = 0
    their_rtx = their_rsts = 0
    seen = set()
    conns = {}  # (4-tuple, ISN): [(seq, payload)]
    ended = set()  # (4-tuple, ISN) with a FIN from us
    isn_of = {}  # 4-tuple: ISN of its latest SYN
    try:
        for i, (_t, frame, orig) in enumerate(read_pcap_records(path), 1):
            p = parse(frame, orig)
            if isinstance(p, str):
                problems.append(f"frame {i}: {p}")
                continue
            mine = p["src"] == client
            key = (p["src"], p["sport"], p["dst"], p["dport"])
            takes = p["len"] + (1 if p["flags"] & SYN else 0) + (1 if p["flags"] & FIN else 0)
            rtx = False
            if takes:
                k = (key, p["seq"], p["len"], p["flags"] & (SYN | FIN))
                rtx = k in seen
                seen.add(k)
            if not mine:
                theirs += 1
                their_rtx += rtx
                their_rsts += bool(p["flags"] & RST)
                continue
            ours += 1
            if not p["ip_ok"]:
                problems.append(f"frame {i}: our IPv4 header checksum is wrong")
            if p["tcp_ok"] is None:
                problems.append(f"frame {i}: our segment not captured whole (snap length)")
            elif not p["tcp_ok"]:
                problems.append(f"frame {i}: our TCP checksum is wrong")
            if p["flags"] & RST:
                rsts += 1
            if rtx:
                problems.append(f"frame {i}: our segment seq {p['seq']} len {p['len']} "
                                f"flags {p['flags']:#04x} sent again")
            if p["flags"] & SYN:
                syns += 1
                isn_of[key] = p["seq"]
                conns.setdefault((key, p["seq"]), [])
            elif key in isn_of:
                if p["len"] and p["payload"] is not None:
                    conns[(key, isn_of[key])].append((p["seq"], p["payload"]))
                if p["flags"] & FIN:
                    ended.add((key, isn_of[key]))
    except (OSError, ValueError) as e:
        print(f"capture: FAIL: {path}: {e}")
        sys.exit(1)
    summary_problems = []
    if rsts:
        summary_problems.append(f"{rsts} RST segments from us")
    open_conns = [k for k in conns if k not in ended]
    if open_conns:
        (src, sport, _, _), _ = open_conns[0]
        summary_problems.append(f"{len(open_conns)} connections of ours never closed "
                                f"(no FIN from us), the first from {src}:{sport}")
    queries = 0
    for (key, isn), chunks in conns.items():
        n, why = stream_queries(chunks, isn)
        queries += n
        if why:
            problems.append(f"connection {key[0]}:{key[1]}: {why}")
    if ours == 0:
        summary_problems.append(f"no segment from {client} in the capture")
    if expected is not None and queries != expected:
        summary_problems.append(f"{queries} queries on our streams, expected {expected}")
    if segments is not None and ours != segments:
        summary_problems.append(f"{ours} segments from us in the capture, the client sent {segments}")
    problems = summary_problems + problems
    summary = (f"{ours} segments from us ({len(conns)} connections, {syns} SYNs, {queries} queries), "
               f"{theirs} from the server ({their_rtx} sent again, {their_rsts} RSTs)")
    for p in problems[:20]:
        print(f"capture: {p}")
    if len(problems) > 20:
        print(f"capture: ... {len(problems) - 20} more")
    print(f"capture: {'FAIL' if problems else 'ok'}: {summary}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
