#!/usr/bin/env python3
"""tcp_probe.py: single TCP segments for tests/integration/tcp-guard.sh, with
no connection behind them (what dnsvolley's own TCP client would meet).

    tcp_probe.py raw FLAGS SRC SPORT DST DPORT
        one segment from a raw IP socket: the kernel's output path (netfilter
        hook output), as a segment the kernel itself makes; prints "sent", or
        "dropped" when a netfilter rule dropped it there (EPERM)
    tcp_probe.py packet FLAGS IFACE DST_MAC SRC SPORT DST DPORT
        one whole frame from a packet socket, as dnsvolley sends (no
        netfilter IP hook sees it)
    tcp_probe.py sniff IFACE SECONDS SPORT
        count the TCP segments from port SPORT that a packet socket on IFACE
        receives within SECONDS (what dnsvolley's af_packet port would see);
        prints the count

FLAGS: "SA" (SYN-ACK) or "R" (RST). Addresses of one family, IPv4 or IPv6.
Checksums are computed here; sequence numbers are fixed.
"""
import ipaddress
import socket
import struct
import sys
import time

FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_segment(flags, src, sport, dst, dport):
    """A 20-byte TCP header with its checksum over the pseudo header."""
    bits = 0
    for c in flags:
        bits |= FLAG_BITS[c]
    ack = 0x01020304 if bits & FLAG_BITS["A"] else 0
    hdr = struct.pack("!HHIIBBHHH", sport, dport, 0x0A0B0C0D, ack, 5 << 4, bits, 65535, 0, 0)
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(hdr))
    else:
        pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(hdr), socket.IPPROTO_TCP)
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def ip_packet(src, dst, payload):
    """An IPv4 or IPv6 header in front of a TCP segment."""
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000, 64,
                          socket.IPPROTO_TCP, 0, src.packed, dst.packed)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return hdr + payload
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), socket.IPPROTO_TCP, 64, src.packed,
                      dst.packed)
    return hdr + payload


def send_raw(flags, src, sport, dst, dport):
    fam = socket.AF_INET if src.version == 4 else socket.AF_INET6
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((str(src), 0))
    try:
        s.sendto(tcp_segment(flags, src, sport, dst, dport), (str(dst), 0))
        print("sent")
    except PermissionError:
        print("dropped")
    s.close()


def mac_bytes(text):
    return bytes(int(b, 16) for b in text.split(":"))


def send_packet(flags, iface, dst_mac, src, sport, dst, dport):
    with open("/sys/class/net/%s/address" % iface) as f:
        src_mac = mac_bytes(f.read().strip())
    etype = ETH_P_IP if src.version == 4 else ETH_P_IPV6
    frame = (mac_bytes(dst_mac) + src_mac + struct.pack("!H", etype) +
             ip_packet(src, dst, tcp_segment(flags, src, sport, dst, dport)))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(etype))
    s.bind((iface, 0))
    s.send(frame)
    s.close()


def tcp_sport(frame):
    """The TCP source port of an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == ETH_P_IP and len(frame) >= 34 and frame[23] == socket.IPPROTO_TCP:
        off = 14 + (frame[14] & 0x0F) * 4
    elif etype == ETH_P_IPV6 and len(frame) >= 54 and frame[20] == socket.IPPROTO_TCP:
        off = 54
    else:
        return None
    if len(frame) < off + 2:
        return None
    return struct.unpack("!H", frame[off:off + 2])[0]


def sniff(iface, seconds, sport):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        # Frames we receive (not our own going out) from the port.
        if addr[2] != socket.PACKET_OUTGOING and tcp_sport(frame) == sport:
            n += 1
    s.close()
    print(n)


def main(argv):
    if len(argv) == 7 and argv[1] == "raw":
        src, dst = ipaddress.ip_address(argv[3]), ipaddress.ip_address(argv[5])
        send_raw(argv[2], src, int(argv[4]), dst, int(argv[6]))
    elif len(argv) == 9 and argv[1] == "packet":
        src, dst = ipaddress.ip_address(argv[5]), ipaddress.ip_address(argv[7])
        send_packet(argv[2], argv[3], argv[4], src, int(argv[6]), dst, int(argv[8]))
    elif len(argv) == 5 and argv[1] == "sniff":
        sniff(argv[2], float(argv[3]), int(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
