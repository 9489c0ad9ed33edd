/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI verbs of verbs.c, and the exit codes of the verbs other than
 * `run` and `enter` (whose codes are the app's; see client.h). `enter` of a
 * jail that takes no app also uses EXIT_NO_JAIL and EXIT_NOT_RUNNING, and a
 * start that fails because user namespaces are off gives EXIT_NO_USERNS.
 */
#ifndef JAILSUP_SUPERVISOR_VERBS_H
#define JAILSUP_SUPERVISOR_VERBS_H

#include "state/util.h"

#define EXIT_USAGE	 2 /* bad command line */
#define EXIT_NO_JAIL	 3 /* no such jail or profile */
#define EXIT_NOT_RUNNING 4 /* the jail exists but does not run */
#define EXIT_EXISTS	 5 /* new: a profile of that name exists */
#define EXIT_NO_USERNS	 6 /* unprivileged user namespaces are not available */
#define EXIT_NO_PASSWORD 7 /* new --encrypt: no password (none, or the two differ) */

int verb_daemon(int argc, char **argv);
int verb_list(int argc, char **argv);
int verb_kill(int argc, char **argv);
int verb_new(int argc, char **argv);
/* explain.c: the effective policy of a profile. */
int verb_explain(int argc, char **argv);
/* desktop.c: menu launchers of jailed apps (docs/architecture.md §10). */
int verb_desktop(int argc, char **argv);
/* check.c: the leak self-test of a jail, run from inside it. */
int verb_check(int argc, char **argv);

/* main.c: joins the running jail of PROFILE, or has the supervisor start
 * it, as `jailsup run` does. 0 and *ret_sock (dispatch.sock), -EAGAIN when
 * the jail was ending (try again), or an exit code after logging. */
struct jail_profile;
int jail_connect_or_start(const struct jail_profile *profile, int *ret_sock);

/* Asks the supervisor (started when none answers) to start jail NAME and
 * waits until it is ready. Returns 0, or the exit code to leave with after
 * the reason was printed. */
int jail_request_start(const char *name, bool created_profile);

#endif
