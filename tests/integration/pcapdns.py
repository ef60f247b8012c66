"""Reading a server-side capture for the lab tests: classic pcap (Ethernet),
IPv4/IPv6 (extension headers, first fragments), DNS headers and questions.
Imported by check_steps_capture.py and check_resolution_capture.py."""
import ipaddress
import struct

ETH_IPV4, ETH_IPV6, ETH_VLAN = 0x0800, 0x86DD, 0x8100
FIN, SYN, RST = 0x01, 0x02, 0x04
IPV6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options
IPV6_FRAG = 44


def read_pcap_records(path):
    """Yield (time in seconds, captured bytes, original length) of each record."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise ValueError("no pcap header")
        magic = hdr[:4]
        if magic == b"\xd4\xc3\xb2\xa1":
            end, frac = "<", 1e-6
        elif magic == b"\xa1\xb2\xc3\xd4":
            end, frac = ">", 1e-6
        elif magic == b"\x4d\x3c\xb2\xa1":
            end, frac = "<", 1e-9
        elif magic == b"\xa1\xb2\x3c\x4d":
            end, frac = ">", 1e-9
        else:
            raise ValueError("not a classic pcap file (pcapng?)")
        (linktype,) = struct.unpack(end + "I", hdr[20:24])
        if linktype != 1:
            raise ValueError(f"link type {linktype}, not Ethernet")
        while True:
            rec = f.read(16)
            if not rec:
                return
            if len(rec) < 16:
                raise ValueError("truncated record header")
            sec, sub, incl, orig = struct.unpack(end + "IIII", rec)
            data = f.read(incl)
            if len(data) < incl:
                raise ValueError("truncated record")
            yield sec + sub * frac, data, orig


def read_pcap(path):
    """Yield (time in seconds, captured bytes) of each record."""
    for t, data, _orig in read_pcap_records(path):
        yield t, data


def parse_ip(frame):
    """(family, src, dst, proto, l4 bytes, fragmented) or None; "frag" for a
    non-first fragment (fragmented: a first fragment, the rest follows)."""
    if len(frame) < 14:
        return None
    (etype,) = struct.unpack("!H", frame[12:14])
    off = 14
    if etype == ETH_VLAN and len(frame) >= 18:
        (etype,) = struct.unpack("!H", frame[16:18])
        off = 18
    ip = frame[off:]
    if etype == ETH_IPV4:
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 0x0F) * 4
        (tot, fl) = struct.unpack("!H2xH", ip[2:8])
        if fl & 0x1FFF:
            return "frag"
        return ("ipv4", str(ipaddress.ip_address(ip[12:16])), str(ipaddress.ip_address(ip[16:20])),
                ip[9], ip[ihl:tot], bool(fl & 0x2000))
    if etype == ETH_IPV6:
        if len(ip) < 40 or ip[0] >> 4 != 6:
            return None
        (plen,) = struct.unpack("!H", ip[4:6])
        nh, pos, stop = ip[6], 40, 40 + plen
        fragmented = False
        while True:
            if nh in IPV6_EXT:
                if pos + 2 > len(ip):
                    return None
                nh, pos = ip[pos], pos + 8 * (ip[pos + 1] + 1)
            elif nh == IPV6_FRAG:
                if pos + 8 > len(ip):
                    return None
                (fo,) = struct.unpack("!H", ip[pos + 2:pos + 4])
                if fo & 0xFFF8:
                    return "frag"
                fragmented = True
                nh, pos = ip[pos], pos + 8
            else:
                break
        return ("ipv6", str(ipaddress.ip_address(ip[8:24])), str(ipaddress.ip_address(ip[24:40])),
                nh, ip[pos:stop], fragmented)
    return None


def parse_dns(msg):
    """{id, qr, tc, rcode, ancount, question} or None (question: (qname, qtype))."""
    if len(msg) < 12:
        return None
    mid, flags, qd, an = struct.unpack("!HHHH", msg[:8])
    d = {"id": mid, "qr": flags >> 15, "tc": (flags >> 9) & 1, "rcode": flags & 0xF,
         "ancount": an, "question": None}
    if qd < 1:
        return d
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return d
        n = msg[pos]
        if n == 0:
            pos += 1
            break
        if n & 0xC0:  # no compression in a question name
            return d
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace").lower())
        pos += 1 + n
    if pos + 4 > len(msg):
        return d
    (qtype,) = struct.unpack("!H", msg[pos:pos + 2])
    d["question"] = (".".join(labels) + ".", qtype)
    return d
