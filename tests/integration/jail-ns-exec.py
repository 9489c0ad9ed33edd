#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# jail-ns-exec.py [--mnt] PID CMD [ARG…]: runs CMD in the user and network
# namespaces (and with --mnt the mount namespace) of PID, a process of a
# jail of ours, with CAP_NET_ADMIN and CAP_SYS_ADMIN there: what the
# jail's owner can do from outside, to open a leak on purpose in a test.
# nsenter would drop the capabilities at its exec (util-linux before
# 2.39 has no --keep-caps), so they are made ambient here first.
import ctypes
import os
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE = 47, 2
CAPS = (12, 21)  # CAP_NET_ADMIN, CAP_SYS_ADMIN

libc = ctypes.CDLL(None, use_errno=True)
args = sys.argv[1:]
mnt = args[:1] == ["--mnt"]
if mnt:
    args = args[1:]
pid, cmd = args[0], args[1:]


def check(r, what):
    if r != 0:
        e = ctypes.get_errno()
        sys.exit(f"jail-ns-exec: {what}: {os.strerror(e)}")


for ns, flag in [("user", CLONE_NEWUSER), ("net", CLONE_NEWNET)] + ([("mnt", CLONE_NEWNS)] if mnt else []):
    fd = os.open(f"/proc/{pid}/ns/{ns}", os.O_RDONLY)
    check(libc.setns(fd, flag), f"setns {ns}")
    os.close(fd)


class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


hdr = Header(0x20080522, 0)
data = (Data * 2)()
check(libc.capget(ctypes.byref(hdr), data), "capget")
for c in CAPS:
    data[0].inheritable |= 1 << c
check(libc.capset(ctypes.byref(hdr), data), "capset")
for c in CAPS:
    check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0), "ambient")
os.execvp(cmd[0], cmd)
