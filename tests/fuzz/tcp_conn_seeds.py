#!/usr/bin/env python3
"""Seeds of fuzz_tcp_conn: connection tables driven to ESTABLISHED and on.

The format is fuzz_tcp_conn.c's (its header comment): 8 configuration
bytes, then operations. Each seed opens a connection, completes its
handshake with a SYN-ACK that acknowledges the SYN (ack = SND.MAX), and
most deliver a message; between them they cover every mode, pipelining,
answers split, out of order and 64 KiB long, a zero window, keepalive,
retransmissions, ports in quarantine and callbacks that act.
Usage: tcp_conn_seeds.py CORPUS_DIR  (writes CORPUS_DIR/tcp_conn/*)
"""
import os
import struct
import sys

FIN, IDLE, RST, HOLD, HALF_OPEN = range(5)
# flag indexes of the harness's table
F_ACK, F_ACK_PSH, F_FIN_ACK, F_SYN_ACK, F_RST, F_RST_ACK, F_SYN = range(7)
OPEN, QUERY, SEND, SEG, TIMERS, ADVANCE, KEEPALIVE, CLOSE, ABORT, ALL = 0, 1, 2, 3, 9, 10, 11, 12, 13, 14


def header(mode=FIN, n=1, k=1, iw=4, rcvbuf=2, prefix=2, qmax=2, sndmul=1, mss=2,
           syn_retries=3, data_retries=3, naddr=1, nports=4, quarantine=1, res=0,
           slots=5, off=1, seed=7, hold=False, idle=False, react=False, fin_wait_long=False,
           fast_rto=False, short_rto_max=False, mss_default_small=False, zwin_short=False):
    """The 8 configuration bytes (indexes into the harness's tables)."""
    b0 = mode | hold << 3 | idle << 4 | react << 5 | fin_wait_long << 6 | fast_rto << 7
    b1 = n | (k - 1) << 3 | (iw - 1) << 5
    b2 = rcvbuf | prefix << 2 | qmax << 4 | (sndmul - 1) << 6
    b3 = mss | mss_default_small << 2 | syn_retries << 3 | data_retries << 5 | short_rto_max << 7
    b4 = (naddr - 1) | (nports - 1) << 1 | quarantine << 5 | zwin_short << 7
    b5 = res | slots << 2
    return bytes([b0, b1, b2, b3, b4, b5, off, seed])


def op(kind, a=0):
    return bytes([kind | a << 4])


def dt(ms):
    """[dt] for ms milliseconds (rounded to what the encoding has)."""
    if ms < 128:
        return bytes([ms])
    if ms < 64 * 64:
        return bytes([128 + ms // 64])
    return bytes([192 + min(ms // 2000, 63)])


def seg(i, flags, seq=b'\x00', seqmode=0, ack=1, ackbytes=b'', win=0xc0, mss=None, data=None):
    """A segment to connection i. seq/seqmode and ack/ackbytes as the harness
    reads them; by default seq = RCV.NXT and ack = SND.MAX, window 65535."""
    f = flags | seqmode << 3 | ack << 5 | (0x80 if data is not None else 0)
    out = op(SEG, i) + bytes([f]) + seq + ackbytes + bytes([win])
    if flags in (F_SYN_ACK, F_SYN):
        out += bytes([0 if mss is None else mss // 8])
    if data is not None:
        out += data
    return out


def synack(i, irs=1000, win=0xc0, mss=1400):
    return seg(i, F_SYN_ACK, seq=struct.pack('!I', irs), seqmode=3, win=win, mss=mss)


def msg_start(length, have):
    """[d] mode 1: a message declared `length` long, its first `have` (<= 2016) bytes."""
    return bytes([0x40 | -(-have // 32)]) + struct.pack('!H', length)


def middle(units):
    """[d] mode 2: units * 24 bytes of a message's middle."""
    return bytes([0x80 | (units - 1)])


def whole(count, size_index):
    """[d] mode 3: count whole messages of size_index * 5 + 1 bytes."""
    return bytes([0xc0 | (count - 1) << 3 | size_index])


def seeds():
    s = {}
    # One query, its answer in one segment, mode fin: our FIN, the server's, closed.
    s['fin-one-answer'] = (header() + op(QUERY) + b'\x1e' + synack(0) +
                           seg(0, F_ACK_PSH, data=msg_start(30, 30)) +
                           seg(0, F_FIN_ACK) + op(TIMERS) + dt(10))
    # The same, opened first, the query sent on the connection by index.
    s['open-send-answer'] = (header() + op(OPEN) + op(SEND, 0) + b'\x10' + synack(0) +
                             seg(0, F_ACK_PSH, data=msg_start(16, 16)) + seg(0, F_FIN_ACK))
    # N = 4, K = 2: two queries, both answers in one segment, two more, the server closes.
    s['pipelined'] = (header(n=4, k=2, sndmul=3) + op(QUERY) + b'\x14' + op(QUERY) + b'\x15' +
                      synack(0) + seg(0, F_ACK_PSH, data=whole(2, 4)) +
                      op(QUERY) + b'\x16' + op(QUERY) + b'\x17' +
                      seg(0, F_ACK_PSH, data=whole(2, 2)) + seg(0, F_FIN_ACK) +
                      op(TIMERS) + dt(100))
    # An answer of 160 bytes over three segments; the second comes first (out of order).
    s['split-reordered'] = (header(rcvbuf=3) + op(QUERY) + b'\x20' + synack(0) +
                            seg(0, F_ACK, seq=struct.pack('!h', 66), seqmode=2, data=middle(2)) +
                            seg(0, F_ACK, data=msg_start(160, 64)) +
                            seg(0, F_ACK_PSH, data=middle(2)) +
                            seg(0, F_FIN_ACK) + op(TIMERS) + dt(50))
    # A 65535-byte answer: its start, then middles up to the end.
    big = header(rcvbuf=3, prefix=3) + op(QUERY) + b'\x08' + synack(0) + seg(0, F_ACK, data=msg_start(65535, 2016))
    for _ in range(41):
        big += seg(0, F_ACK, data=middle(64))
    big += seg(0, F_ACK_PSH, data=middle(64)) + seg(0, F_FIN_ACK)
    s['answer-65535'] = big
    # Mode idle: the answer carries no keepalive; the caller sets one, the timer closes.
    s['idle-keepalive'] = (header(mode=IDLE, idle=True) + op(QUERY) + b'\x0c' + synack(0) +
                           seg(0, F_ACK_PSH, data=msg_start(12, 12)) + op(KEEPALIVE, 0) + b'\x05' +
                           op(TIMERS) + dt(600) + seg(0, F_FIN_ACK) + op(TIMERS) + dt(10))
    # Mode rst after the answer.
    s['reset-after-answer'] = (header(mode=RST) + op(QUERY) + b'\x0c' + synack(0) +
                               seg(0, F_ACK_PSH, data=msg_start(12, 12)))
    # N = 0, hold: the handshake only, held; the server closes, held half-closed, then the hold ends.
    s['hold-handshake'] = (header(mode=HOLD, n=0, hold=True) + op(OPEN) + synack(0) +
                           op(TIMERS) + dt(1000) + seg(0, F_FIN_ACK) + op(TIMERS) + dt(1500) +
                           op(TIMERS) + dt(1500))
    # Half-open: SYN-ACKs ignored, forgotten after hold_max; more opens than ports.
    s['half-open'] = (header(mode=HALF_OPEN, n=0, hold=True, nports=2) + op(OPEN) + op(OPEN) +
                      op(OPEN) + synack(0) + synack(1) + op(TIMERS) + dt(2100) + op(OPEN))
    # A zero window with the query waiting: persist probes, then the window opens.
    s['zero-window'] = (header(fast_rto=True) + op(QUERY) + b'\x10' + synack(0, win=0x00) +
                        op(TIMERS) + dt(150) + op(TIMERS) + dt(300) +
                        seg(0, F_ACK, win=0xc0) + seg(0, F_ACK_PSH, data=msg_start(16, 16)) +
                        seg(0, F_FIN_ACK))
    # No SYN-ACK: the SYN retransmitted until the connection fails; the port rests, then reused.
    s['syn-retransmit'] = (header(syn_retries=2, nports=1, quarantine=1) + op(QUERY) + b'\x10' +
                           op(TIMERS) + dt(1000) + op(TIMERS) + dt(2000) + op(TIMERS) + dt(4000) +
                           op(TIMERS) + dt(8000) + op(QUERY) + b'\x10' + op(ADVANCE) + dt(60) +
                           op(QUERY) + b'\x10' +
                           synack(0) + seg(0, F_ACK_PSH, data=msg_start(16, 16)))
    # The query unacknowledged: retransmitted, then acknowledged and answered.
    s['data-retransmit'] = (header() + op(QUERY) + b'\x20' + synack(0) +
                            seg(0, F_ACK, ack=0, ackbytes=b'\x00') + op(TIMERS) + dt(1100) +
                            seg(0, F_ACK_PSH, data=msg_start(32, 32)) + seg(0, F_FIN_ACK))
    # Callbacks act: one byte per event says what; each answer's sends the next query
    # (0x00, its length), the rest do nothing (0x0f).
    s['callbacks'] = (header(n=3, k=1, react=True) + op(QUERY) + b'\x10' + synack(0) + b'\x0f' +
                      seg(0, F_ACK_PSH, data=msg_start(16, 16)) + b'\x00\x11' +
                      seg(0, F_ACK_PSH, data=msg_start(16, 16)) + b'\x00\x12' +
                      seg(0, F_ACK_PSH, data=msg_start(16, 16)) + b'\x0f' +
                      seg(0, F_FIN_ACK) + b'\x0f')
    # Two addresses, several connections, an RST from the server, the rest aborted at the end.
    s['many'] = (header(n=2, k=2, naddr=2, nports=2) + op(QUERY) + b'\x10' + op(QUERY) + b'\x10' +
                 op(QUERY) + b'\x10' + op(QUERY) + b'\x10' + synack(0) + synack(1) + synack(2) +
                 seg(0, F_ACK_PSH, data=whole(2, 3)) + seg(1, F_RST, seqmode=0) +
                 seg(2, F_ACK_PSH, data=msg_start(16, 16)) + op(CLOSE, 2) + op(ABORT, 3) + op(ALL))
    return s


def main():
    out = os.path.join(sys.argv[1], 'tcp_conn')
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
