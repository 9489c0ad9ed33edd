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
 * DIR_FD and gets the non-blocking read end in *RET_READY_FD: a byte when
 * the helper is ready, EOF when it ended first. */
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

#endif
