/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every exit code of our binaries in one place: jailsup(1) documents the
 * CLI's; the internal ones tell the one that started a process whether
 * trying again can help.
 */
#ifndef JAILSUP_STATE_EXIT_CODES_H
#define JAILSUP_STATE_EXIT_CODES_H

/* --- bin/jailsup: run and enter give the app's own code (128+N for signal
 * N); the others, and run and enter when jailsup itself fails: --------- */
#define EXIT_USAGE	 2 /* bad command line */
#define EXIT_NO_JAIL	 3 /* no such jail or profile */
#define EXIT_NOT_RUNNING 4 /* the jail exists but does not run */
#define EXIT_EXISTS	 5 /* new: a profile of that name exists */
#define EXIT_NO_USERNS	 6 /* unprivileged user namespaces are not available */
#define EXIT_NO_PASSWORD 7 /* new --encrypt: no password (none, or the two differ) */

#define EXIT_JAILSUP_FAILED 125 /* jailsup itself failed */
#define EXIT_NOT_EXECUTABLE 126 /* the app's exe is not executable */
#define EXIT_NOT_FOUND	    127 /* the app's exe was not found */

/* --- jailer, dispatch and the daemon, to the one that started them ----- */
#define EXIT_PERMANENT 100 /* usage, bad spec or profile: do not retry */
#define EXIT_TEMPORARY 111 /* a system call failed */

#endif
