#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/bench/launch-profile.py PERF_SCRIPT_OUTPUT --exe NAME [--daemon PID] [--phases]
#
# Where the time of a launch goes, from a system-wide `perf record` of a few
# launches made by bench-timer (tests/bench/run records it as root):
#
#   perf record -a -e sched:sched_process_{fork,exec,exit},sched:sched_stat_runtime \
#       -e raw_syscalls:sys_{enter,exit} -e page-faults/period=1/ -- … bench-timer …
#   perf script -F comm,pid,tid,cpu,time,event,trace
#
# A launch is a child of bench-timer whose exec runs a file named NAME. Its
# process tree is the launch and its descendants, plus, for jailsup, the
# supervisor (--daemon) and every process it forked: the jailer, the jail,
# dispatch and the app of this launch (the jailer may be the standby one,
# forked during the previous launch) and the next standby jailer, forked
# during this one. Launches run one at a time, so what those processes do
# between a launch's fork and exit is the launch's. For each launch it counts, from
# the launch's fork to its exit: processes forked, execs, system calls,
# page faults and CPU time of the whole tree (also until the next launch,
# which adds the teardown that runs after the command returned). With
# --phases it also splits a jailsup cold start into the steps of
# docs/architecture.md by the system calls that mark them. Prints medians
# over the launches as "key value" lines (times in ms), and with --phases
# "phase KEY MS LAUNCHES DESCRIPTION" lines; tracing makes every
# system call slower, so absolute times are inflated: compare the shares.
import argparse
import re
import statistics
import sys

LINE = re.compile(
    r"^\s*(?P<comm>.*?)\s+(?P<pid>-?\d+)/(?P<tid>-?\d+)\s+\[(?P<cpu>\d+)\]\s+"
    r"(?P<time>\d+\.\d+):\s+(?P<event>\S+?):?\s+(?P<trace>.*)$"
)
NR = {"read": 0, "write": 1, "clone": 56, "execve": 59, "sendto": 44, "recvfrom": 45,
      "sendmsg": 46, "recvmsg": 47, "connect": 42, "mount": 165, "umount2": 166,
      "pivot_root": 155, "prctl": 157, "seccomp": 317, "execveat": 322,
      "mount_setattr": 442, "clone3": 435}
PR_SET_NO_NEW_PRIVS = 38
# Milestones that may be absent (a jail without helpers): a zero-length
# phase then, not a merge.
OPTIONAL = {"sup_helpers"}

# (key, description) of the phases of a cold start, in order; each ends at
# the milestone of the same key.
PHASES = [
    ("cli_exec", "fork + exec of the jailsup CLI"),
    ("cli_start", "CLI: start-up, profile lookup, dispatch.sock probe, START sent"),
    ("sup_request", "supervisor: START -> first process forked (profile, state dir, state writes)"),
    ("sup_helpers", "supervisor: helpers (xdg-dbus-proxy) started, ready -> jailer forked"),
    ("jailer_exec", "the standby jailer handed the start (or a jailer's fork + exec)"),
    ("jailer_setup", "jailer: start-up, spec, lock, home, dispatch.sock, iso-pipe"),
    ("clone_ns", "clone() of the namespaces (mount, pid, ipc, uts, cgroup; user and net made ahead)"),
    ("jail_ids", "jail: hostname (uid/gid maps, loopback: made ahead)"),
    ("jail_mounts", "jail: mounts and pivot_root"),
    ("jail_privs", "jail: rlimits, setsid, capabilities dropped, no_new_privs"),
    ("jail_seccomp", "jail: seccomp filter loaded (BPF compiled at build time)"),
    ("dispatch_ready", "dispatch (the jail's first process, no exec): start-up -> 'ready'"),
    ("sup_reply", "supervisor: 'ready' -> reply to the CLI (state write)"),
    ("cli_join", "CLI: reply -> app request sent on dispatch.sock"),
    ("app_exec", "dispatch: fork + exec of the app"),
    ("app_run", "the app runs (/bin/true)"),
    ("cli_exit", "exit status -> CLI exits"),
]


class Proc:
    def __init__(self, pid, parent, t):
        self.pid = pid
        self.parent = parent
        self.fork_t = t
        self.exec_t = []  # (time, filename)
        self.exit_t = None
        self.events = []  # (time, kind, nr or None, arg0 or None, ret or None)
        self.faults = []  # times
        self.children = []  # (time, pid)


def parse(path):
    procs = {}
    tgid_of = {}
    runtime = {}  # tid -> list of (time, seconds run since its previous update)
    timer_pids = set()

    def proc(pid, t=None):
        if pid not in procs:
            procs[pid] = Proc(pid, None, t)
        return procs[pid]

    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m is None:
                continue
            comm, pid, tid = m["comm"], int(m["pid"]), int(m["tid"])
            t, ev, tr = float(m["time"]), m["event"], m["trace"]
            if pid > 0:
                tgid_of[tid] = pid
            if comm == "bench-timer":
                timer_pids.add(pid)
            if ev.endswith("sched_stat_runtime"):
                # CPU time, from the scheduler's own accounting: a sched_switch
                # based count loses the switches out of the idle task here.
                rm = re.search(r"pid=(\d+) runtime=(\d+)", tr)
                if rm:
                    runtime.setdefault(int(rm[1]), []).append((t, int(rm[2]) / 1e9))
            elif ev.endswith("sched_process_fork"):
                cm = re.search(r"child_pid=(\d+)", tr)
                if cm is None:
                    continue
                child = int(cm[1])
                p = Proc(child, pid, t)
                procs[child] = p
                proc(pid).children.append((t, child))
            elif ev.endswith("sched_process_exec"):
                fm = re.search(r"filename=(\S+)", tr)
                proc(pid).exec_t.append((t, fm[1] if fm else ""))
            elif ev.endswith("sched_process_exit"):
                if pid == tid:
                    proc(pid).exit_t = t
            elif ev.endswith("sys_enter") or ev.endswith("sys_exit"):
                nm = re.match(r"NR (\d+)", tr)
                if nm is None:
                    continue
                nr = int(nm[1])
                arg0 = ret = None
                if ev.endswith("sys_enter"):
                    am = re.search(r"\((\w+)", tr)
                    arg0 = int(am[1], 16) if am else None
                    kind = "enter"
                else:
                    rm = re.search(r"= (-?\d+)", tr)
                    ret = int(rm[1]) if rm else None
                    kind = "exit"
                proc(pid).events.append((t, kind, nr, arg0, ret))
            elif ev.startswith("page-faults"):
                proc(pid).faults.append(t)
    # Threads were recorded as children too; keep only real processes.
    for p in procs.values():
        p.children = [(t, c) for (t, c) in p.children
                      if c in procs and (procs[c].events or procs[c].exec_t or procs[c].exit_t)]
    cpu_by_pid = {}
    for tid, upd in runtime.items():
        cpu_by_pid.setdefault(tgid_of.get(tid, tid), []).extend(upd)
    return procs, cpu_by_pid, timer_pids


def descendants(procs, pid, start, end):
    out = []
    for (t, c) in procs[pid].children if pid in procs else []:
        if start <= t <= end:
            out.append(c)
            out.extend(descendants(procs, c, t, float("inf")))
    return out


def launches(procs, timer_pids, exe):
    found = []
    for tp in timer_pids:
        for (t, c) in procs.get(tp, Proc(tp, None, 0)).children:
            p = procs.get(c)
            if p is None or not p.exec_t or p.exit_t is None:
                continue
            if p.exec_t[0][1].rsplit("/", 1)[-1] == exe:
                found.append(p)
    found.sort(key=lambda p: p.fork_t)
    return found


def cpu_in(updates, start, end):
    """CPU seconds accounted by the scheduler in (start, end]."""
    return sum(ns for (t, ns) in updates if start < t <= end)


def first(evs, after, kind, nr, arg0=None):
    for e in evs:
        if e[0] >= after and e[1] == kind and e[2] == nr and (arg0 is None or e[3] == arg0):
            return e[0]
    return None


def last_before(evs, before, kind, nrs):
    t = None
    for e in evs:
        if e[0] > before:
            break
        if e[1] == kind and e[2] in nrs:
            t = e[0]
    return t


def phases(procs, launch, daemon, start, end):
    """Milestones of one jailsup cold start, by key (None when not found)."""
    ms = {k: None for (k, _) in PHASES}
    c = launch
    d = procs.get(daemon)
    ms["cli_exec"] = c.exec_t[0][0] if c.exec_t else None
    ms["cli_start"] = first(c.events, start, "enter", NR["sendto"])
    if d is None or ms["cli_start"] is None:
        return ms
    kids = [(t, k) for (t, k) in d.children if start <= t <= end]
    # The jailer of this launch: one the supervisor forked (now or, as the
    # standby, before) that clones the jail's namespaces during it.
    jailers = [(t, k) for (t, k) in d.children
               if any(x[1].rsplit("/", 1)[-1] == "jailer" for x in procs[k].exec_t)
               and any(c_t >= start and c_t <= end for (c_t, _) in procs[k].children)]
    if not jailers:
        return ms
    jt, jp = jailers[0]
    j = procs[jp]
    if jt >= start:
        # Spawned for this start: the first process the request forked.
        ms["sup_request"] = min(t for (t, _) in kids)
        if ms["sup_request"] < jt:
            ms["sup_helpers"] = jt
        execs = [x for x in j.exec_t if x[0] >= jt]
        ms["jailer_exec"] = execs[0][0] if execs else None
    else:
        # The standby: handed the start by the supervisor's sendmsg(),
        # after the helpers (forked by the request) are ready.
        handoff = first(d.events, start, "enter", NR["sendmsg"])
        helpers = [t for (t, _) in kids if handoff is not None and t < handoff]
        ms["sup_request"] = min(helpers) if helpers else handoff
        if helpers:
            ms["sup_helpers"] = handoff
        ms["jailer_exec"] = first(j.events, start, "exit", NR["recvmsg"])
    # The jail's first process: the jailer's child forked during the start
    # (not the standby's holder of the namespaces made ahead, forked
    # before), or, with those namespaces, the grandchild that child cloned
    # into them (CLONE_PARENT: the jailer's child in fact).
    jkids = [(t, c) for (t, c) in j.children if t >= start]
    if not jkids:
        return ms
    ct, cp = jkids[0]
    kt, kp = ct, cp
    if procs[cp].children:
        kt, kp = procs[cp].children[0]
    k = procs[kp]
    ms["jailer_setup"] = last_before(j.events, ct, "enter", {NR["clone"], NR["clone3"]})
    ms["clone_ns"] = kt
    ms["jail_ids"] = first(k.events, kt, "enter", NR["mount"])
    nnp = first(k.events, kt, "enter", NR["prctl"], PR_SET_NO_NEW_PRIVS)
    if nnp is not None:
        ms["jail_mounts"] = last_before(k.events, nnp, "exit", {NR["mount"], NR["umount2"],
                                                              NR["pivot_root"],
                                                              NR["mount_setattr"]})
        ms["jail_privs"] = nnp
    seccomp = first(k.events, kt, "exit", NR["seccomp"])
    if seccomp is not None:
        ms["jail_seccomp"] = seccomp
        ms["dispatch_ready"] = first(k.events, seccomp, "enter", NR["write"], 4)
    if ms["dispatch_ready"] is not None:
        ms["sup_reply"] = first(d.events, ms["dispatch_ready"], "enter", NR["sendto"])
    if ms["sup_reply"] is not None:
        ms["cli_join"] = first(c.events, ms["sup_reply"], "enter", NR["sendmsg"])
    akids = [(t, a) for (t, a) in k.children if ms["cli_join"] is not None and t >= ms["cli_join"]]
    if akids:
        a = procs[akids[0][1]]
        ms["app_exec"] = a.exec_t[0][0] if a.exec_t else None
        ms["app_run"] = a.exit_t
    ms["cli_exit"] = c.exit_t
    return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("script")
    ap.add_argument("--exe", required=True)
    ap.add_argument("--daemon", type=int)
    ap.add_argument("--phases", action="store_true")
    a = ap.parse_args()

    procs, cpu_by_pid, timer_pids = parse(a.script)
    ls = launches(procs, timer_pids, a.exe)
    if not ls:
        print("error no launch of '%s' found in the trace" % a.exe)
        return 1
    rows = []
    phase_rows = []
    for i, launch in enumerate(ls):
        start, end = launch.fork_t, launch.exit_t
        nxt = ls[i + 1].fork_t if i + 1 < len(ls) else float("inf")
        members = [launch.pid] + descendants(procs, launch.pid, start, end)
        side = []
        if a.daemon in procs:
            side = descendants(procs, a.daemon, 0.0, float("inf"))
        tree = members + side
        forks = 1 + sum(1 for p in tree for (t, _) in procs[p].children if start <= t <= end)
        execs = sum(1 for p in tree for (t, _) in procs[p].exec_t if start <= t <= end)
        sysc = sum(1 for p in tree for e in procs[p].events
                   if e[1] == "enter" and start <= e[0] <= end)
        faults = sum(1 for p in tree for t in procs[p].faults if start <= t <= end)
        cpu = sum(cpu_in(cpu_by_pid.get(p, []), start, end) for p in tree)
        cpu_all = sum(cpu_in(cpu_by_pid.get(p, []), start, nxt) for p in tree)
        if a.daemon in procs:
            dp = procs[a.daemon]
            forks += sum(1 for (t, _) in dp.children if start <= t <= end)
            sysc += sum(1 for e in dp.events if e[1] == "enter" and start <= e[0] <= end)
            faults += sum(1 for t in dp.faults if start <= t <= end)
            cpu += cpu_in(cpu_by_pid.get(a.daemon, []), start, end)
            cpu_all += cpu_in(cpu_by_pid.get(a.daemon, []), start, nxt)
        rows.append({"wall_ms": (end - start) * 1e3, "cpu_ms": cpu * 1e3,
                     "cpu_teardown_ms": cpu_all * 1e3, "processes": forks, "execs": execs,
                     "syscalls": sysc, "page_faults": faults})
        if a.phases:
            phase_rows.append((start, phases(procs, launch, a.daemon, start, end)))

    print("launches %d" % len(rows))
    for key in rows[0]:
        v = statistics.median(r[key] for r in rows)
        print("%s %s" % (key, ("%.2f" % v) if key.endswith("_ms") else ("%.0f" % v)))
    if a.phases:
        # Each phase runs from the previous milestone found to its own; a
        # milestone not found merges its phase into the next one. Wall time
        # only: the scheduler accounts CPU time at switches and ticks, too
        # coarse to split it among sub-millisecond phases.
        spans = {}
        for (start, ms) in phase_rows:
            prev = start
            pending = []
            for (k, _) in PHASES:
                if ms[k] is None and k in OPTIONAL and not pending:
                    ms[k] = prev
                pending.append(k)
                if ms[k] is not None and ms[k] >= prev:
                    spans.setdefault("+".join(pending), []).append(ms[k] - prev)
                    prev = ms[k]
                    pending = []
        for (k, desc) in PHASES:
            v = spans.get(k, [])
            print("phase %s %s %d %s" % (k, "%.3f" % (statistics.median(v) * 1e3) if v else "-",
                                         len(v), desc))
        for k, v in spans.items():
            if "+" in k and v:
                print("phase %s %.3f %d merged: a milestone was not found" %
                      (k, statistics.median(v) * 1e3, len(v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
