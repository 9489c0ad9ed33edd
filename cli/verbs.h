/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs of verbs.c (list, kill, new, daemon) and of their own files
 * (explain, desktop, check); their exit codes are in state/exit-codes.h. */
#ifndef JAILSUP_CLI_VERBS_H
#define JAILSUP_CLI_VERBS_H

#include "state/exit-codes.h"
#include "state/util.h"

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

/* Asks the supervisor (started when none answers) to start jail NAME and
 * waits until it is ready. Returns 0, or the exit code to leave with after
 * the reason was printed. */
int jail_request_start(const char *name, bool created_profile);

#endif
