#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pty-drive.py: plays a user at a terminal for tests/integration.

usage: pty-drive.py OUTFILE ACTION... -- CMD...

Runs CMD as the foreground job of a fresh pty (the "user's terminal"),
under a small job-control shell of ours: the shell is the session leader,
CMD runs in a process group of its own, so CMD can stop on Ctrl-Z as under
bash. Then plays the ACTIONs in order, each with a deadline:

  send TEXT      types TEXT (Python escapes: '\\r', '\\x03' for Ctrl-C, ...)
  expect TEXT    waits until the terminal showed TEXT (after the last match)
  winsize R C    resizes the terminal (the kernel sends CMD SIGWINCH)
  mode           prints "mode raw" or "mode cooked": the terminal's own mode
  waitstop       waits until CMD stopped; prints "stopped SIGNO"
  fg             SIGCONT to CMD, back in the foreground (the shell's fg)
  bg             SIGCONT to CMD, left in the background (the shell's bg);
                 a later fg brings it to the foreground
  wait           waits until CMD ended; prints "exit N" (128+N for signal N)
  close          hangs up the terminal (closes the master)
  until CMD      waits until the shell command CMD succeeds, the terminal
                 still read meanwhile

Everything the terminal showed goes to OUTFILE. Exits 0, or 2 with the
reason on stderr when an action timed out.
"""
import codecs
import os
import select
import signal
import sys
import termios
import time
import fcntl
import struct
import subprocess

DEADLINE = float(os.environ.get("PTY_DRIVE_TIMEOUT", "20"))


def job_shell(argv, report_w, cont_r):
    """The child: session leader of the pty, runs ARGV as its fg job."""
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.close(report_w)
        os.close(cont_r)
        os.execvp(argv[0], argv)
    os.setpgid(pid, pid)
    os.tcsetpgrp(0, pid)
    while True:
        _, st = os.waitpid(pid, os.WUNTRACED)
        if os.WIFSTOPPED(st):
            os.tcsetpgrp(0, os.getpgrp())
            os.write(report_w, b"stopped %d\n" % os.WSTOPSIG(st))
            if os.read(cont_r, 1) == b"b":
                os.killpg(pid, signal.SIGCONT)  # bg: on, without the terminal
                os.read(cont_r, 1)
            os.tcsetpgrp(0, pid)
            os.killpg(pid, signal.SIGCONT)
            continue
        code = os.waitstatus_to_exitcode(st)
        # As a shell: the terminal back to us, and we stay until the user
        # leaves (pty-drive.py ends), or our exit would hang up the job's
        # group, which still holds what the job left behind.
        os.tcsetpgrp(0, os.getpgrp())
        os.write(report_w, b"exit %d\n" % (code if code >= 0 else 128 - code))
        while os.read(cont_r, 1):
            pass
        os._exit(0)


def main():
    args = sys.argv[1:]
    sep = args.index("--")
    outfile, actions, argv = args[0], args[1:sep], args[sep + 1:]
    report_r, report_w = os.pipe()
    cont_r, cont_w = os.pipe()
    pid, master = os.forkpty()
    if pid == 0:
        os.close(report_r)
        os.close(cont_w)
        try:
            job_shell(argv, report_w, cont_r)
        finally:
            os._exit(127)
    os.close(report_w)
    os.close(cont_r)
    out = bytearray()
    seen = 0
    reports = b""
    hung_up = False

    def pump(timeout):
        nonlocal reports, hung_up
        fds = [report_r] + ([master] if master >= 0 and not hung_up else [])
        r, _, _ = select.select(fds, [], [], timeout)
        if master >= 0 and master in r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            hung_up = data == b""
            out.extend(data)
        if report_r in r:
            reports += os.read(report_r, 4096)

    def until(what, cond):
        end = time.monotonic() + DEADLINE
        while not cond():
            left = end - time.monotonic()
            if left <= 0:
                with open(outfile, "wb") as f:
                    f.write(out)
                sys.stderr.write("pty-drive: timed out waiting for %s; the terminal "
                                 "showed:\n%r\n" % (what, bytes(out[-2000:])))
                sys.exit(2)
            pump(min(left, 0.2))

    def report(prefix):
        nonlocal reports
        until(prefix, lambda: (b"\n" in reports))
        line, _, reports = reports.partition(b"\n")
        if not line.startswith(prefix.encode()):
            sys.stderr.write("pty-drive: wanted %s, got %r\n" % (prefix, line))
            sys.exit(2)
        print(line.decode(), flush=True)

    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    for a in actions:
        verb, _, arg = a.partition(" ")
        if verb == "send":
            os.write(master, codecs.decode(arg, "unicode_escape").encode("latin-1"))
        elif verb == "expect":
            want = codecs.decode(arg, "unicode_escape").encode("latin-1")

            def found():
                nonlocal seen
                i = out.find(want, seen)
                if i >= 0:
                    seen = i + len(want)
                return i >= 0
            until(repr(arg), found)
        elif verb == "winsize":
            r, c = arg.split()
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", int(r), int(c), 0, 0))
        elif verb == "mode":
            lflag = termios.tcgetattr(master)[3]
            raw = not (lflag & (termios.ICANON | termios.ECHO))
            print("mode", "raw" if raw else "cooked", flush=True)
        elif verb == "waitstop":
            report("stopped")
        elif verb == "fg":
            os.write(cont_w, b"c")
        elif verb == "bg":
            os.write(cont_w, b"b")
        elif verb == "wait":
            report("exit")
        elif verb == "until":
            until(repr(arg), lambda: subprocess.run(["sh", "-c", arg]).returncode == 0)
        elif verb == "close":
            os.close(master)
            master = -1
        else:
            sys.stderr.write("pty-drive: unknown action %r\n" % a)
            sys.exit(2)
    os.close(cont_w)  # the job shell leaves
    if master >= 0:
        # What the terminal still shows, until no process holds it (but a
        # process that keeps it open does not keep us here).
        end = time.monotonic() + 2
        while not hung_up and time.monotonic() < end:
            pump(0.05)
    with open(outfile, "wb") as f:
        f.write(out)


main()
