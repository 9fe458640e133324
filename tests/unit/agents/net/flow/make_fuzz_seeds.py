#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_net_tcp_reassembly (tests/fuzz/net_tcp_reassembly_fuzz.cc).

Input layout: u8 config, u32 ISN client->server, u32 ISN server->client, then 9-byte records
(control, flags, seq offset u16, captured length, snaplen cut, ack offset u16, dt ms). Usage:
  make_fuzz_seeds.py tests/fuzz/corpus/fuzz_net_tcp_reassembly
"""
import pathlib
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
S2C, CORRUPT, CUT, FAR_SEQ, FAR_ACK, EXPIRE = 0x01, 0x08, 0x10, 0x20, 0x40, 0x80


def rec(control=0, flags=ACK, seq=0, length=0, cut=0, ack=0, dt=1, pair=0):
    return struct.pack(">BBHBBHB", control | (pair << 1), flags, seq, length, cut, ack, dt)


def seed(config, isn_c, isn_s, records):
    return struct.pack(">BII", config, isn_c, isn_s) + b"".join(records)


def handshake(pair=0):
    return [rec(flags=SYN, pair=pair), rec(S2C, SYN | ACK, 0, ack=1, pair=pair),
            rec(flags=ACK, seq=1, ack=1, pair=pair)]


SEEDS = {
    # Handshake, data both ways in order, FIN both ways, late ACK, then a reused tuple.
    "in_order_close": seed(0xAA, 1000, 5000, handshake() + [
        rec(flags=ACK | PSH, seq=1, length=20, ack=1),
        rec(S2C, ACK | PSH, 1, 40, ack=21),
        rec(flags=ACK | FIN, seq=21, ack=41),
        rec(S2C, ACK | FIN, 41, ack=22),
        rec(flags=ACK, seq=22, ack=42),
        rec(flags=SYN, seq=900, dt=2)]),
    # Segments 3, 1, 2, a hole acknowledged by the peer, a hole left at the end.
    "out_of_order_holes": seed(0xAA, 7, 9, handshake() + [
        rec(flags=ACK, seq=41, length=20, ack=1),
        rec(flags=ACK, seq=1, length=20, ack=1),
        rec(flags=ACK, seq=21, length=20, ack=1),
        rec(flags=ACK, seq=81, length=10, ack=1),
        rec(S2C, ACK, 1, ack=71),
        rec(flags=ACK, seq=120, length=5, ack=1)]),
    # ISNs just below 2^32: both directions wrap.
    "wraparound": seed(0xAA, 0xFFFFFFF0, 0xFFFFFF00, handshake() + [
        rec(flags=ACK, seq=31, length=30, ack=1),
        rec(flags=ACK, seq=1, length=30, ack=1),
        rec(S2C, ACK, 1, 255, ack=61),
        rec(S2C, ACK | FIN, 256, 10, ack=61)]),
    # Retransmission with different bytes over buffered data, then a RST.
    "mismatch_rst": seed(0xAA, 1, 2, handshake() + [
        rec(flags=ACK, seq=11, length=10, ack=1),
        rec(CORRUPT, ACK, 5, 20, ack=1),
        rec(flags=ACK, seq=1, length=30, ack=1),
        rec(S2C, RST | ACK, 1, ack=31)]),
    # Two flows, tiny budgets (64 bytes per stream, 128 total, 2 runs): give-ups.
    "small_budget": seed(0x01, 100, 200, handshake(0) + handshake(1) + [
        rec(flags=ACK, seq=s, length=30, ack=1, pair=p)
        for s in (61, 121, 181, 241) for p in (0, 1)] + [
        rec(flags=ACK, seq=1, length=60, ack=1, pair=0)]),
    # One flow allowed, SYN-ACK seen first, idle expiry and an active timeout.
    "evict_expire": seed(0xA8, 50, 60, [
        rec(S2C, SYN | ACK, 0, ack=1, pair=1),
        rec(flags=ACK, seq=1, length=5, ack=1, pair=1),
        rec(flags=SYN, pair=2),
        rec(EXPIRE, ACK, 1, 3, ack=1, dt=250, pair=2),
        rec(flags=ACK, seq=4, length=3, ack=1, dt=250, pair=3)] + [
        rec(flags=ACK, seq=7 + 3 * i, length=3, ack=1, dt=200, pair=3) for i in range(6)]),
    # Snaplen cuts, a segment and an ACK 768 MiB ahead, data after FIN, FIN mismatch.
    "cuts_far_fin": seed(0xAA, 3000, 4000, handshake() + [
        rec(CUT, ACK, 1, 10, 30, ack=1),
        rec(CUT, ACK, 61, 5, 5, ack=1),
        rec(FAR_SEQ, ACK, 100, 10, ack=1),
        rec(S2C | FAR_ACK, ACK, 1, ack=5),
        rec(flags=ACK | FIN, seq=2000, ack=1),
        rec(flags=ACK, seq=1999, length=8, ack=1),
        rec(flags=ACK | FIN, seq=1500, ack=1)]),
}


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
