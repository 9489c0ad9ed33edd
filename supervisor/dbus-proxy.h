/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filtered D-Bus of a jail (issue 5): one xdg-dbus-proxy per jail,
 * started by the supervisor before the jailer, serving the session bus
 * (rights dbus and notifications) and the system bus (right dbus-system)
 * on sockets in the jail's state directory. `jailsup explain` prints the
 * same rules, from the same code.
 */
#ifndef JAILSUP_SUPERVISOR_DBUS_PROXY_H
#define JAILSUP_SUPERVISOR_DBUS_PROXY_H

#include <sys/types.h>

#include "ini-profiles/profile.h"

/* The fd the proxy inherits as its --fd: the write end of the readiness
 * pipe. It writes one byte once its sockets listen, and exits by itself
 * when the pipe breaks (no reader left). The read end is the supervisor's
 * until the proxy is ready, then the jailer's for its whole life
 * (jailer-spawn.h): the proxy's life is the jail's, also when no
 * supervisor runs to kill it through dbus-proxy.pid when the jail ends. */
#define DBUS_PROXY_FD_SYNC 3
/* The jailer holds the read end at JAILER_FIRST_FD (jailer-spawn.h): it
 * never reads it, it only keeps it open; the jail's PID 1 does not inherit
 * it (dispatch's fds 3-6 replace it, everything above is closed). */

/* The bus the session proxy is for: RIGHTS has dbus (notifications needs
 * dbus: without it there is no session bus at all). */
bool dbus_proxy_session_wanted(unsigned rights);
bool dbus_proxy_system_wanted(unsigned rights);

/* The rules of one bus as xdg-dbus-proxy takes them: "--filter", then
 * --see=, --talk=, --own=, --call=, --broadcast= from D, then the four
 * calls of the notifications right when NOTIFICATIONS. *ret is a strv. */
int dbus_proxy_rules(const struct profile_dbus *d, bool notifications, char ***ret);

/* The bus addresses to proxy: SESSION_ADDR (the requesting CLI's
 * DBUS_SESSION_BUS_ADDRESS; NULL: ours, else $XDG_RUNTIME_DIR/bus) and
 * SYSTEM_ADDR (likewise, else /run/dbus/system_bus_socket). Only unix:
 * addresses are proxied: anything else (tcp:, an abstract socket) is
 * refused with -EPROTONOSUPPORT, and the jail gets no bus. */
int dbus_proxy_argv(const struct jail_profile *p, unsigned rights, const char *session_addr,
		    const char *system_addr, const char *runtime_dir, char ***ret);

/* Forks and execs ARGV (xdg-dbus-proxy first) in the state directory
 * DIR_FD (its sockets are relative paths there, so no sun_path limit),
 * its own session, stdout and stderr on the jail's log, after unlinking
 * stale sockets. Writes dbus-proxy.pid. Sets *ret_ready_fd to the
 * non-blocking read end of the readiness pipe: one byte when the sockets
 * listen, EOF when the proxy died first. */
int dbus_proxy_spawn(int dir_fd, char **argv, pid_t *ret_pid, int *ret_ready_fd);

#endif
