/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The standby jailer (docs/architecture.md §1): the supervisor keeps one
 * jailer exec'd ahead of need, its libraries loaded, blocked on a socketpair;
 * a jail start hands it the argv, environment and fds it would have been
 * exec'd with, in one message, and it goes on exactly as a jailer exec'd with
 * them. The fork, exec and dynamic loading of the jailer are then off a
 * start's path.
 *
 *   supervisor: jailer --standby ROOM socket end at JAILER_STANDBY_FD,
 *                                     stdio /dev/null, its own session;
 *                                     ROOM is JAILER_STANDBY_ROOM bytes
 *                                     of padding: the argv area the
 *                                     standby rewrites to the command line
 *                                     of the jail it becomes (what ps
 *                                     shows), as an exec'd jailer's
 *   supervisor → standby              one dispatch RUN message (state/
 *                                     dispatch-proto.h): argv, env, cwd "/",
 *                                     at most JAILER_STANDBY_MAX_FDS fds
 *   standby                           fd I of the message becomes fd
 *                                     JAILER_FIRST_FD + I, the socket is
 *                                     closed, environ is the message's
 *
 * A standby of the network kind (`jailer --standby-net ROOM`) first sends
 * the supervisor, once it made them, its user and network namespaces:
 *
 *   standby → supervisor              JAILER_STANDBY_NS_MSG, with fds of the
 *                                     user and the network namespace, in
 *                                     that order (none: it could not make
 *                                     them, and takes no start)
 *
 * and the supervisor starts pasta in them (supervisor/net.c): a start that
 * takes it finds its network ready.
 *
 * EOF instead of a message (the supervisor is gone): the standby exits 0.
 * A jailer exec'd directly gets the same fds at the same numbers, so the
 * argv the supervisor builds is the same either way.
 */
#ifndef JAILSUP_JAILER_STANDBY_H
#define JAILSUP_JAILER_STANDBY_H

#include "state/util.h"

#define JAILER_STANDBY_ARG     "--standby"
#define JAILER_STANDBY_NET_ARG "--standby-net"
#define JAILER_STANDBY_NS_MSG  "ns"
#define JAILER_STANDBY_FD      3
#define JAILER_FIRST_FD	       3
#define JAILER_STANDBY_MAX_FDS 3
#define JAILER_STANDBY_ROOM    512

/* Sends the start message: ARGV and ENVP as the jailer's, FDS to land at
 * JAILER_FIRST_FD onwards. 0, -E2BIG (too long for one message: spawn the
 * jailer directly instead), or -errno of sendmsg() (the standby is gone). */
int jailer_standby_send(int sock, char *const *argv, char *const *envp, const int *fds,
			size_t n_fds);

/* In a standby of the network kind: sends USER_FD and NET_FD (or, when
 * either is -1, no fd) on SOCK. 0 or -errno. */
int jailer_standby_send_ns(int sock, int user_fd, int net_fd);

/* In the supervisor: the namespaces a standby of the network kind sent
 * on SOCK, checked to be a user and a network namespace, into RET_FDS
 * (user, net; the caller's to close). -EAGAIN: nothing yet; 0 on EOF;
 * -ENOENT: it could not make them; -EBADMSG: anything else. 1 when
 * RET_FDS holds them. */
int jailer_standby_receive_ns(int sock, int ret_fds[2]);

/* In the standby, first thing: holds the numbers after JAILER_STANDBY_FD
 * that a start's fds will take (on /dev/null), so that nothing opened while
 * it waits (an NSS module's socket) can sit there and be overwritten.
 * 0, or -errno (-EBUSY: one was taken already). */
int jailer_standby_reserve_fds(void);

/* In the standby: waits for the start message on JAILER_STANDBY_FD, puts
 * its fds in place (over the socket and the reserved numbers; those left
 * over are closed) and returns its argv and environment (allocated for the
 * rest of the process's life). 0, 1 on EOF (nobody will ever send one), or
 * -errno: a malformed message, its fds closed, or a failure to place them. */
int jailer_standby_receive(char ***ret_argv, char ***ret_envp);

#endif
