/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that run an app in a jail: run (starting the jail when it does
 * not run) and enter (a running jail only). */
#ifndef JAILSUP_CLI_RUN_H
#define JAILSUP_CLI_RUN_H

struct jail_profile;

int verb_run(int argc, char **argv);
int verb_enter(int argc, char **argv);

/* Joins the running jail of PROFILE, or has the supervisor start
 * it, as `jailsup run` does. 0 and *ret_sock (dispatch.sock), -EAGAIN when
 * the jail was ending (try again), or an exit code after logging. */

int jail_connect_or_start(const struct jail_profile *profile, int *ret_sock);

#endif
