/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch: PID 1 of a jail, linked into the jailer. The jailer's child
 * calls dispatch_main() once the jail is built (filesystem view, no
 * capabilities, no_new_privs, seccomp loaded), where it used to exec a
 * binary of that name: one exec less per start (docs/architecture.md §1,
 * "Why dispatch is not exec'd"). What an exec's argv would have said comes
 * as a struct: nothing is written out as strings to be parsed back.
 *
 * On entry: fds DISPATCH_FD_LISTEN (3) dispatch.sock listening, _ISO (4)
 * the iso-pipe's write end, _LOG (5) the pipe of our log lines, and with
 * init_script _INIT (6) the init script's sealed copy and _OUTPUT (7) the
 * pipe of its output, with private_bus _BRIDGE (8) the bridge's sealed copy and
 * _BUS (9) the pipe of the bus's output; no other fd above stdio is open;
 * every signal has its default action and none is blocked; environ is the jail's environment; the
 * command line and comm read "dispatch". It returns the status to exit with.
 */
#ifndef JAILSUP_DISPATCH_H
#define JAILSUP_DISPATCH_H

#include <stdbool.h>

/* File descriptor numbers dispatch inherits (docs/jail.md "dispatch, PID 1"). */
#define DISPATCH_FD_LISTEN 3 /* dispatch.sock, listening */
#define DISPATCH_FD_ISO    4 /* iso-pipe write end: "ready", then closed */
#define DISPATCH_FD_LOG    5 /* dispatch's own lines: a pipe the jailer copies to the log */
#define DISPATCH_FD_INIT   6 /* the init script's sealed copy, when the profile has one */
#define DISPATCH_FD_OUTPUT 7 /* the init script's stdout and stderr */
#define DISPATCH_FD_BRIDGE 8 /* the dbus-bridge binary, with a private bus */
#define DISPATCH_FD_BUS    9 /* the private bus's stdout and stderr, marked bus[NAME] */

struct dispatch_args {
	const char *name; /* the jail's name, in our log lines */
	bool init_script; /* DISPATCH_FD_INIT and _OUTPUT are open: run the script first */
	/* DISPATCH_FD_BRIDGE and _BUS are open: start a dbus-daemon of the
	 * jail's own at $XDG_RUNTIME_DIR/bus and the bridge from it to HOST_BUS
	 * (the proxy's socket), which leaves APP_NAMES (NAME or NAME.*, the own
	 * ones as own:NAME) to the apps; then the init script. */
	bool private_bus;
	const char *host_bus;
	char *const *app_names;
};

int dispatch_main(const struct dispatch_args *args);

#endif
