#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# dns-answer.py ADDR PORT LOG: a DNS answerer for the VPN tests. It answers
# every query with one A record (192.0.2.53) and appends each name asked
# to LOG, one a line, so a test can tell where a query arrived. Started by
# 62-vpn-leak.fixture (on the VPN's far side, and on the host); stdlib only.
import socket
import sys

addr, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
open(log, "a").close()
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 17:
        continue
    # The question: labels from byte 12 to a zero length.
    labels, i = [], 12
    while i < len(q) and q[i] != 0 and len(labels) < 64:
        n = q[i]
        labels.append(q[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    end = i + 5  # the zero, QTYPE, QCLASS
    if end > len(q):
        continue
    with open(log, "a") as f:
        f.write(".".join(labels) + "\n")
    # ID, QR|RD|RA, one question, one answer; the answer points at the name.
    head = q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
    answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + bytes([192, 0, 2, 53])
    s.sendto(head + q[12:end] + answer, peer)
