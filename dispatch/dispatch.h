/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch: PID 1 of a jail, linked into the jailer. The jailer's child
 * calls dispatch_main() once the jail is built (filesystem view, no
 * capabilities, no_new_privs, seccomp loaded), where it used to exec a
 * binary of that name: one exec less per start (docs/architecture.md §1,
 * "Why dispatch is not exec'd").
 *
 * On entry: argv is { "dispatch", "--init-script" | "--no-init-script",
 * NAME }; fds DISPATCH_FD_LISTEN (3) dispatch.sock listening, _ISO (4) the
 * iso-pipe's write end, _LOG (5) the pipe of our log lines, and with
 * --init-script _INIT (6) the init script's sealed copy and _OUTPUT (7) the
 * pipe of its output; no other fd above stdio is open; every
 * signal has its default action and none is blocked; environ is the
 * jail's environment. It returns the status to exit with.
 */
#ifndef JAILSUP_DISPATCH_H
#define JAILSUP_DISPATCH_H

int dispatch_main(int argc, char **argv);

#endif
