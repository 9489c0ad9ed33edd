/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting a jail's jailer. The supervisor keeps jailers started ahead of
 * need, standbys (state/jailer-standby.h), and a start hands one the jail:
 * no fork, exec or dynamic loading on the start's path. There are two
 * kinds: a plain one, with the jail's user and network namespaces made
 * ahead, and a network one, whose namespaces pasta has joined and
 * configured too (supervisor/net.c, net_ahead_start()): a jail of network
 * pasta with no forward ports takes it once its pasta is ready, any other
 * jail (network none above all) the plain one. With none at hand (two
 * starts at once, or one that died) the jailer is spawned directly; a
 * plain standby still loading is at hand: the message waits in its
 * socket.
 *
 * Either way the jailer gets the same argv, environment and fds: stdio on
 * /dev/null, its own session, the bus keepalive (dbus-proxy.h) and the
 * nested X server's life pipe (xserver.h) from JAILER_FIRST_FD on, those
 * there are, and the go pipe (net.h) after them
 * (state/jail-start.h builds the command line and spawns, as for
 * `run --no-daemon`).
 */
#ifndef JAILSUP_JAILER_SPAWN_H
#define JAILSUP_JAILER_SPAWN_H

#include <ev.h>
#include <sys/types.h>

#include "supervisor/net.h"

/* Starts the first standbys; call once, from the daemon, with the
 * supervisor's runtime directory (ROOT_FD at ROOT_PATH), where the network
 * kind's pasta keeps its pid file and log while it waits. */
void jailer_standby_enable(struct ev_loop *loop, int root_fd, const char *root_path);

/* A new standby once LOOP is idle, when the last one was used. Called when
 * a jail has started or ended, not when it was handed one: the new
 * standby's exec would compete with the start for the CPU. */
void jailer_standby_refill(struct ev_loop *loop);

/* The jailer the next jailer_start() for a jail of network NET hands its jail to first, when a
 * standby waits: its PID and a new pidfd of it (the caller's to close),
 * for whoever must watch the jail's jailer from the moment the jail may
 * be handed to it (a keeper: keeper.h). It may still not become that
 * jailer (jailer_start() may spawn one after all: compare the PIDs).
 * -ENOENT when none waits. */
int jailer_standby_peek(const struct jail_net *net, pid_t *ret_pid, int *ret_pidfd);

/* The jailer of the state directory STATE_PATH with environment ENVP, for
 * a jail of network NET (net_prepare()'d: a standby's pasta becomes its);
 * the N_KEEP fds of KEEP (those -1 are left out) and GO_FD (or -1) as
 * above. Returns its PID in *RET, a child of ours either way; 0 or
 * -errno. */
int jailer_start(struct ev_loop *loop, struct jail_net *net, const char *state_path, char **envp,
                 const int *keep, size_t n_keep, int go_fd, pid_t *ret);

#endif
