/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's side of a jail's D-Bus proxy: running the command
 * ini-profiles/dbus-proxy.h makes of the profile, confined. */
#ifndef JAILSUP_SUPERVISOR_DBUS_PROXY_SPAWN_H
#define JAILSUP_SUPERVISOR_DBUS_PROXY_SPAWN_H

#include "ini-profiles/dbus-proxy.h"

/* Forks and execs C's argv confined (dbus_proxy_sandbox()) in a fresh
 * STATE_DBUS_PROXY_DIR of the state directory DIR_FD (at STATE_PATH): its
 * sockets are relative paths there, so no sun_path limit; its own session,
 * stdout and stderr on the jail's log. Writes dbus-proxy.pid (the host PID
 * of the proxy itself). Sets *ret_ready_fd to the non-blocking read end of
 * the readiness pipe: one byte when the sockets listen, EOF when the proxy
 * died first. The program is found in $PATH; when it is not, the child
 * says so in the log and the pipe reaches EOF. */
int dbus_proxy_spawn(int dir_fd, const char *state_path, const struct dbus_proxy_cmd *c,
		     pid_t *ret_pid, int *ret_ready_fd);

/* Once the proxy is ready: moves its sockets from its folder into the
 * state directory DIR_FD, where the jailer takes them. Only sockets; a
 * name that is anything else is removed. Returns how many were moved, or
 * -errno. */
int dbus_proxy_publish(int dir_fd);

/* The spare (dbus-proxy-spawn.c): a proxy started ahead of need with the
 * command of the last start that had a session bus.
 *
 * dbus_proxy_spare_want(): C is the command of a start; when it is not the
 * spare's, it becomes the one to keep a spare of and the old spare ends.
 * Returns 1 when it changed, 0, or -ENOMEM. */
int dbus_proxy_spare_want(const struct dbus_proxy_cmd *c);

/* Starts the spare in $XDG_RUNTIME_DIR/jailsup (ROOT_FD, at ROOT_PATH)
 * when one is wanted and none runs: off a start's path. 1 started, 0, or
 * -errno. */
int dbus_proxy_spare_start(int root_fd, const char *root_path);

/* Hands the spare to the start of the jail in state directory DIR_FD when
 * C is its command byte for byte (and the bus sockets are still the ones
 * it bound): writes C's identity into the file the spare's root binds,
 * moves its folder, pid file, log and identity into DIR_FD, and sets what
 * dbus_proxy_spawn() sets, *RET_READY true when its byte came already
 * (then its sockets wait in the folder for dbus_proxy_publish()). Returns
 * 1 claimed, 0 no spare for C (a dead spare is dropped), -errno (the spare
 * is dropped: the start spawns its own). */
int dbus_proxy_spare_claim(int root_fd, int dir_fd, const struct dbus_proxy_cmd *c, pid_t *ret_pid,
                           int *ret_ready_fd, bool *ret_ready);

/* Ends the spare, if one runs. */
void dbus_proxy_spare_drop(void);

#endif
