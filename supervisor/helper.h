/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The helpers the supervisor starts for a jail (xdg-dbus-proxy, openvpn):
 * forked with a readiness pipe, recorded at once in a pid file of the
 * jail's state dir (PID START), so that a supervisor that dies a moment
 * later leaves the next one what it needs to end them.
 */
#ifndef JAILSUP_SUPERVISOR_HELPER_H
#define JAILSUP_SUPERVISOR_HELPER_H

#include <sys/types.h>

/* The jail's log in DIR_FD, opened to append (O_NOFOLLOW: a link planted
 * there is never written through), or -1. */
int helper_open_log(int dir_fd);

/* Forks; the child calls CHILD(DATA, READY_FD) with the pipe's write end,
 * which must not return (exec or _exit). The parent writes PID_FILE below
 * DIR_FD (NULL: the child records itself, helper_tether()) and gets the
 * non-blocking read end in *RET_READY_FD: a byte when the helper is
 * ready, EOF when it ended first. */
int helper_spawn(int dir_fd, const char *pid_file, void (*child)(void *data, int ready_fd),
		 void *data, pid_t *ret_pid, int *ret_ready_fd);

/* helper_spawn() for a helper that starts from the host confined: the
 * child is forked by sandbox_fork(SB) (state/sandbox.h), so with
 * SB->new_pidns it is PID 1 of its own PID namespace and PID_FILE records
 * its host PID; CHILD calls sandbox_enter(SB) before its execve(). */
struct sandbox;
int helper_spawn_sandboxed(int dir_fd, const char *pid_file, const struct sandbox *sb,
			   void (*child)(void *data, int ready_fd), void *data, pid_t *ret_pid,
			   int *ret_ready_fd);

/* Ties a helper that lives in or for a jail (pasta, openvpn) to the life
 * of the jail's jailer instead of the supervisor's, which may die at any
 * moment of the start or leave while the jail runs on. Called in the
 * helper's child before it becomes the helper: it forks, and returns only
 * in the new child (with PR_SET_PDEATHSIG=SIGKILL), which goes on to be
 * the helper; the calling process stays as its *tether* and never returns.
 * The tether (comm "jailsup-tether") is a subreaper, so a helper that
 * daemonises stays its child; it holds JAILER_PIDFD and, as soon as that
 * jailer is gone, kills every process below it with SIGKILL, waits for
 * them, and exits. SIGTERM (the supervisor ending a start) it passes on to
 * them. It exits as soon as nothing is left below it, with the helper's
 * first process's status.
 * STATUS_FD (-1: none) gets one byte when the helper's first process
 * exits: its exit status (128+N for signal N), the readiness of a helper
 * that daemonises. PID_FILE (NULL: none) below DIR_FD records the
 * helper's PID START, written before the helper runs. Every other fd of
 * the caller is closed in the tether. */
void helper_tether(int jailer_pidfd, int status_fd, int dir_fd, const char *pid_file);

#endif
