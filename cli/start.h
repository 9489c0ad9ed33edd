/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting a jail: preparing its state directory (profile.ini, iso-pipe)
 * and spawning the jailer, then waiting on the iso-pipe for "ready". Used
 * by `jailsup run --no-daemon` (a debugging aid that needs no supervisor).
 * The files and the spawn are the supervisor's own (state/jail-start.h);
 * what is not: no state file (the jail is no supervisor's), no go pipe
 * (with one the jailer would take its network as a supervisor's to build).
 */
#ifndef JAILSUP_CLI_START_H
#define JAILSUP_CLI_START_H

#include "ini-profiles/profile.h"

/* The CLI's view of profiles: the user's directories from the environment,
 * the shipped profiles beside our binary (*SHIPPED, free it after ENV).
 * Logs and returns -errno when $HOME or an XDG variable is not usable. */
int cli_profile_env(struct profile_env *env, struct profile_env_storage *storage,
		    char **shipped);

/* Logs every error of a profile (ERR, from a load of NAME through ENV),
 * one "path:line: message" a line, in order, bounded (profile.h). */
void cli_log_profile_errors(const struct profile_env *env, const char *name,
                            const struct profile_error *err);

/* Starts the jail of PROFILE in the state dir JAIL_FD (named NAME, at
 * STATE_PATH) and waits until it is ready. Returns 0, -EALREADY when a
 * concurrent start got there first (its jail answers: join it), or -errno
 * after logging why (the jail's log is shown). */
int jail_start_direct(const struct jail_profile *profile, int jail_fd, const char *state_path);

#endif
