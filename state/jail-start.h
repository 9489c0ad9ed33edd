/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every start of a jail does before and at its jailer, whoever
 * starts it: the supervisor (its steps, supervisor/start-steps.h, call
 * these between its fault points) and `jailsup run --no-daemon`. Only
 * dir fds and single names below them (state.h), nothing logged above
 * debug: the callers say what failed. No libev: the CLI links this too,
 * and the supervisor watches the jailer it gets here itself.
 */
#ifndef JAILSUP_JAIL_START_H
#define JAILSUP_JAIL_START_H

#include <sys/types.h>

#include "state/jailer-standby.h"

/* The size of the jail's log below DIR_FD: 0 when there is none, or when
 * what is there is not a regular file (never followed). */
off_t jail_log_size(int dir_fd);

/* Each start writes a fresh log: the last one stays as log.old, so what a
 * jail writes is bounded per start and no start adds to the one before,
 * and a failed start's reason is all of it. Returns where this start's
 * lines begin (0, unless a jailer still writing re-created it). */
off_t jail_start_new_log(int dir_fd);

/* profile.ini, the resolved profile DUMP (profile_dump()) the jailer reads
 * instead of the user's files, replaced atomically. 0 or -errno. */
int jail_start_write_profile(int dir_fd, const char *dump);

/* Replaces what a jail that ended left (its iso-pipe, its dispatch.sock:
 * no jailer of it answers, the caller made sure) and creates the new
 * iso-pipe, its read end opened in *RET_ISO_FD (O_NONBLOCK, checked to be
 * our FIFO). The jailer appends to the log and dies when it is not a
 * regular file: something planted under that name (a symlink out of the
 * directory, a FIFO) would keep the jail from ever starting, with no log
 * to say why, so it is removed first (the link, never its target) and
 * *RET_LOG_DROPPED says so (the caller warns). 0 or -errno. */
int jail_start_iso_pipe(int dir_fd, bool *ret_log_dropped, int *ret_iso_fd);

/* A jailer's command line and fds: `jailer [--go-fd N] STATE_PATH`, the
 * N_KEEP fds it holds for its life without using them (the bus proxy's
 * keepalive, the nested X server's life pipe: at most two) from
 * JAILER_FIRST_FD on and the go pipe (or -1) after them. ARGV points into
 * the struct and at STATE_PATH: keep both. */
struct jailer_cmd {
	char *argv[5];
	char go_arg[16];
	int fds[JAILER_STANDBY_MAX_FDS];
	size_t n_fds;
};
void jailer_cmd_init(struct jailer_cmd *cmd, const char *state_path, const int *keep, size_t n_keep,
                     int go_fd);

/* Spawns the jailer with ARGV (a jailer_cmd's, or a standby's) and
 * environment ENVP: stdio on /dev/null, a session of its own (signals to
 * our process group never reach it, and the jail outlives a terminal's
 * job control), FDS[0..N_FDS) from JAILER_FIRST_FD on and no other fd,
 * every signal reset. Returns its PID (our child), or -errno. */
pid_t jailer_spawn(char *const *argv, char **envp, const int *fds, size_t n_fds);

#endif
