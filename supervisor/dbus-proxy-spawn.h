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

#endif
