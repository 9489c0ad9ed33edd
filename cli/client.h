/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI's side of dispatch.sock: connect to a running jail, hand it an
 * app (argv, the allow-listed environment, cwd and our stdio), relay the
 * signals a user sends us, and come back with the app's status as an exit
 * code (jailsup(1), EXIT STATUS: the app's code, 128+N for signal N,
 * 126/127 for an exe that is not executable / not found, 125 when jailsup
 * itself failed).
 */
#ifndef JAILSUP_CLI_CLIENT_H
#define JAILSUP_CLI_CLIENT_H

#include "state/exit-codes.h"
#include "state/util.h"

/* Connects to the dispatch.sock of the jail whose state dir is STATE_FD.
 * -ECONNREFUSED or -ENOENT: no jail is serving there. */
int jail_connect(int state_fd, int *ret_fd);

/* Runs ARGV in the jail behind SOCK (consumed) and waits for it, relaying
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGWINCH. Returns the exit code, or
 * -EAGAIN when the jail was ending and refused the request before running
 * anything: the caller starts a new jail and tries again. */
int jail_run_app(int sock, char *const *argv, const char *jail_name);

enum jail_run_flags {
	/* Return 0 once the app runs (dispatch's STARTED comes after its
	 * execve() succeeded), leaving it to run on: `jailsup run --no-wait`.
	 * No pty relay (nobody stays to relay): a terminal among our stdio
	 * is replaced by /dev/null, other stdio (redirected) is handed over. */
	JAIL_RUN_NO_WAIT = 1 << 0,
};
/* jail_run_app() with FLAGS, a set of enum jail_run_flags. *RET_STARTED
 * (may be NULL) is set when the app ran (its execve() succeeded): after
 * that a non-zero return is the app's own status, not a failed start. */
int jail_run_app_flags(int sock, char *const *argv, const char *jail_name, unsigned flags,
                       bool *ret_started);

#endif
