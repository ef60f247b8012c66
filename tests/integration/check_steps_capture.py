#!/usr/bin/env python3
"""What a DNS client did per question, from a capture at the server: the
transport steps (UDP, TC, then TCP) of a resolver or of dnsvolley.

usage: check_steps_capture.py PCAP [--suffix NAME] [--window SECONDS]

PCAP: a classic pcap file (tcpdump -w, Ethernet) of port 53 on the server's
interface, whole packets. Clients are the ends that are not port 53. A
question is (client address, qname in lower case, qtype); its events are the
UDP queries for it (each matched to its response by client port and DNS ID)
and the queries for it on TCP connections (client stream reassembled, 2-byte
length prefix then the message; matched to the server's answer on the same
connection by ID). Only questions whose name ends with --suffix count (the
others are counted as "other_questions"). Non-first IPv4 and IPv6 fragments
are skipped (the first one has the UDP header and the DNS header).

Per question, by the family of its client address, one of:
  tc_then_tcp   its first UDP query was answered with TC=1, and the next
                query for it was over TCP, within --window seconds (default
                0.5) of the TC answer. The gap: TC answer -> the SYN of the
                connection when that connection was opened for this query
                (its first message, SYN captured), else TC answer -> the TCP
                query itself (a connection reused). tcp_answered: the TCP
                answer came, TC=0, RCODE NOERROR, ANCOUNT > 0.
  tcp_late      TC=1, then TCP only after the window
  tc_no_tcp     TC=1 and no TCP query for it at all
  udp_whole     its first UDP answer had TC=0
  tcp_first     its first query was over TCP
  unanswered    no answer to any UDP query, no TCP query
  tcp_after_timeout  no answer to any UDP query, then TCP
Also counted: udp_after_tc (UDP queries for a question sent after its TC
answer: a resolver that retries UDP after TC), udp_retries (UDP queries sent
before the first UDP answer, after the first query), tcp_queries, new_conn
and reused_conn (of the tc_then_tcp TCP queries), and problems (streams with
gaps, messages that do not parse).

Prints one JSON object on stdout: {"packets", "fragments_skipped",
"other_questions", "problems": [...], "ipv4": {...}, "ipv6": {...},
"all": {...}}, each family {"questions", "udp_queries", "tc_answers",
"tc_then_tcp", "tcp_answered", "new_conn", "reused_conn", "tcp_late",
"tc_no_tcp", "udp_whole", "tcp_first", "unanswered", "tcp_after_timeout",
"udp_after_tc",
"udp_retries", "tcp_queries", "gap_ms": {"count", "p50", "p90", "max"},
"query_gap_ms": {...}} (query_gap: TC answer -> the TCP query message, on
any connection). Exit 0, or 1 when the file does not parse.
"""
import json
import struct
import sys

from pcapdns import SYN, parse_dns, parse_ip, read_pcap


def split_stream(chunks, base):
    """Reassemble one direction of a connection: chunks [(seq, time, payload)],
    base = the first sequence number of the data. Returns ([(time, message)],
    problem or None); the time is that of the segment with the message's first byte."""
    data, times = bytearray(), []
    nxt = base
    for seq, t, payload in sorted(chunks, key=lambda c: ((c[0] - base) & 0xFFFFFFFF, c[1])):
        rel = (seq - nxt) & 0xFFFFFFFF
        if rel >= 0x80000000:  # starts before nxt: a retransmission, maybe with new bytes
            skip = (nxt - seq) & 0xFFFFFFFF
            if skip >= len(payload):
                continue
            payload, seq = payload[skip:], nxt
        elif rel:
            return _messages(data, times), f"gap of {rel} bytes"
        data += payload
        times += [t] * len(payload)
        nxt = (nxt + len(payload)) & 0xFFFFFFFF
    return _messages(data, times), None


def _messages(data, times):
    out, i = [], 0
    while i + 2 <= len(data):
        (mlen,) = struct.unpack("!H", data[i:i + 2])
        if i + 2 + mlen > len(data):
            break
        out.append((times[i], bytes(data[i + 2:i + 2 + mlen])))
        i += 2 + mlen
    return out


def stats(values):
    v = sorted(values)
    if not v:
        return {"count": 0, "p50": None, "p90": None, "max": None}
    pick = lambda q: round(v[min(len(v) - 1, int(q * len(v)))], 3)
    return {"count": len(v), "p50": pick(0.5), "p90": pick(0.9), "max": round(v[-1], 3)}


def main():
    args = sys.argv[1:]
    suffix, window = "", 0.5
    path = None
    while args:
        a = args.pop(0)
        if a == "--suffix" and args:
            suffix = args.pop(0).lower()
            suffix = suffix if suffix.endswith(".") else suffix + "."
        elif a == "--window" and args:
            window = float(args.pop(0))
        elif path is None and not a.startswith("--"):
            path = a
        else:
            sys.exit(__doc__)
    if path is None:
        sys.exit(__doc__)

    packets = frags = 0
    problems = []
    udp_out = {}   # (client, cport, id) -> event dict (the latest query with that key)
    events = {}    # question key -> [event]
    conns = {}     # (client, cport, server) -> {"isn", "syn_t", "c": [...], "s": [...], "sisn"}
    family_of = {}

    def add_event(key, fam, ev):
        events.setdefault(key, []).append(ev)
        family_of[key] = fam

    try:
        for t, frame in read_pcap(path):
            packets += 1
            p = parse_ip(frame)
            if p == "frag":
                frags += 1
                continue
            if p is None:
                continue
            fam, src, dst, proto, l4, _fragmented = p
            if proto == 17 and len(l4) >= 8:
                sport, dport = struct.unpack("!HH", l4[:4])
                d = parse_dns(l4[8:])
                if d is None:
                    continue
                if dport == 53 and not d["qr"]:
                    if d["question"] is None:
                        continue
                    key = (src, d["question"])
                    ev = {"kind": "udp", "t": t, "resp_t": None, "tc": None}
                    udp_out[(src, sport, d["id"])] = ev
                    add_event(key, fam, ev)
                elif sport == 53 and d["qr"]:
                    ev = udp_out.get((dst, dport, d["id"]))
                    if ev is not None and ev["resp_t"] is None:
                        ev["resp_t"], ev["tc"] = t, d["tc"]
            elif proto == 6 and len(l4) >= 20:
                sport, dport, seq, _, off, flags = struct.unpack("!HHIIBB", l4[:14])
                payload = l4[(off >> 4) * 4:]
                if dport == 53:
                    ck = (src, sport, dst)
                    c = conns.get(ck)
                    if flags & SYN:
                        if c is None or c["isn"] != seq:
                            # A new connection on this 4-tuple: keep the old one's data.
                            if c is not None:
                                conns[ck + (len(conns),)] = c
                            c = conns[ck] = {"isn": seq, "syn_t": t, "c": [], "s": [], "sisn": None,
                                             "fam": fam}
                        continue
                    if c is None:
                        c = conns[ck] = {"isn": None, "syn_t": None, "c": [], "s": [], "sisn": None,
                                         "fam": fam}
                    if payload:
                        c["c"].append((seq, t, payload))
                elif sport == 53:
                    c = conns.get((dst, dport, src))
                    if c is None:
                        continue
                    if flags & SYN:
                        c["sisn"] = seq
                    elif payload:
                        c["s"].append((seq, t, payload))
    except (OSError, ValueError) as e:
        print(json.dumps({"error": f"{path}: {e}"}))
        sys.exit(1)

    # TCP queries and answers, per connection.
    for ck, c in conns.items():
        client = ck[0]
        if not c["c"]:
            continue
        cbase = (c["isn"] + 1) & 0xFFFFFFFF if c["isn"] is not None else min(s for s, _, _ in c["c"])
        qs, why = split_stream(c["c"], cbase)
        if why:
            problems.append(f"TCP {client}:{ck[1]} client stream: {why}")
        answers = {}
        if c["s"]:
            sbase = (c["sisn"] + 1) & 0xFFFFFFFF if c["sisn"] is not None else min(s for s, _, _ in c["s"])
            rs, why = split_stream(c["s"], sbase)
            if why:
                problems.append(f"TCP {client}:{ck[1]} server stream: {why}")
            for t, m in rs:
                d = parse_dns(m)
                if d and d["qr"]:
                    answers.setdefault(d["id"], (t, d))
        for i, (t, m) in enumerate(qs):
            d = parse_dns(m)
            if d is None or d["qr"] or d["question"] is None:
                problems.append(f"TCP {client}:{ck[1]}: message {i + 1} is no query")
                continue
            a = answers.get(d["id"])
            answered = bool(a and not a[1]["tc"] and a[1]["rcode"] == 0 and a[1]["ancount"] > 0)
            add_event((client, d["question"]), c["fam"], {
                "kind": "tcp", "t": t, "answered": answered,
                "new_conn": i == 0 and c["syn_t"] is not None, "syn_t": c["syn_t"]})

    zero = lambda: {"questions": 0, "udp_queries": 0, "tc_answers": 0, "tc_then_tcp": 0,
                    "tcp_answered": 0, "new_conn": 0, "reused_conn": 0, "tcp_late": 0,
                    "tc_no_tcp": 0, "udp_whole": 0, "tcp_first": 0, "unanswered": 0, "tcp_after_timeout": 0,
                    "udp_after_tc": 0, "udp_retries": 0, "tcp_queries": 0}
    out = {f: zero() for f in ("ipv4", "ipv6", "all")}
    gaps = {f: [] for f in out}
    qgaps = {f: [] for f in out}
    other = 0
    for key, evs in events.items():
        qname = key[1][0]
        if suffix and not qname.endswith(suffix):
            other += 1
            continue
        evs.sort(key=lambda e: e["t"])
        s = [out[family_of[key]], out["all"]]
        fams = (family_of[key], "all")

        def inc(field, n=1):
            for x in s:
                x[field] += n

        inc("questions")
        udp = [e for e in evs if e["kind"] == "udp"]
        tcp = [e for e in evs if e["kind"] == "tcp"]
        inc("udp_queries", len(udp))
        inc("tcp_queries", len(tcp))
        first_resp = min((e["resp_t"] for e in udp if e["resp_t"] is not None), default=None)
        if first_resp is not None:
            inc("udp_retries", sum(1 for e in udp[1:] if e["t"] < first_resp))
        first = evs[0]
        if first["kind"] == "tcp":
            inc("tcp_first")
            continue
        tc_ev = next((e for e in udp if e["resp_t"] is not None), None)
        if tc_ev is None:
            inc("unanswered" if not tcp else "tcp_after_timeout")
            continue
        if not tc_ev["tc"]:
            inc("udp_whole")
            continue
        inc("tc_answers")
        tc_t = tc_ev["resp_t"]
        inc("udp_after_tc", sum(1 for e in udp if e["t"] > tc_t))
        nxt = next((e for e in evs if e["t"] > tc_t), None)
        if nxt is None or nxt["kind"] != "tcp":
            inc("tc_no_tcp" if not any(e["t"] > tc_t for e in tcp) else "tcp_late")
            continue
        qgap = nxt["t"] - tc_t
        if nxt["new_conn"] and nxt["syn_t"] is not None and nxt["syn_t"] >= tc_t:
            gap = nxt["syn_t"] - tc_t
            inc("new_conn")
        else:
            gap = qgap
            inc("reused_conn")
        if gap > window:
            inc("tcp_late")
            continue
        inc("tc_then_tcp")
        inc("tcp_answered", int(nxt["answered"]))
        for f in fams:
            gaps[f].append(gap * 1e3)
            qgaps[f].append(qgap * 1e3)
    for f in out:
        out[f]["gap_ms"] = stats(gaps[f])
        out[f]["query_gap_ms"] = stats(qgaps[f])
    result = {"packets": packets, "fragments_skipped": frags, "other_questions": other,
              "problems": problems[:20], "problem_count": len(problems)}
    result.update(out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
