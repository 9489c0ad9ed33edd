/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filtered D-Bus of a jail (docs/jail.md "D-Bus"): one xdg-dbus-proxy
 * per jail, started by the supervisor before the jailer, serving the session bus
 * (rights dbus and notifications) and the system bus (right dbus-system)
 * on sockets in the jail's state directory. The proxy parses every
 * message of the jail, so it runs confined (supervisor/dbus-proxy-spawn.c).
 * `jailsup explain` prints the same rules and sandbox, from the same code.
 */
#ifndef JAILSUP_PROFILE_DBUS_PROXY_H
#define JAILSUP_PROFILE_DBUS_PROXY_H

#include <sys/types.h>

#include "ini-profiles/profile.h"
#include "state/sandbox.h"

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
 * --see=, --talk=, --own=, --call=, --broadcast= from D, then those of the
 * session bus's rights in RIGHTS (0 for the system bus): the four calls
 * of notifications; the portals' (docs/jail.md "Portals"), with OpenURI
 * only with open-uri. *ret is a strv. */
int dbus_proxy_rules(const struct profile_dbus *d, unsigned rights, char ***ret);

/* The app id the portals know jail JAIL by: org.jailsup.JAIL, each '.',
 * '_' and a leading digit of the name as _XX (hex), so that it is a valid
 * bus name and two jails never share one. -EINVAL for an invalid name. */
int dbus_app_id(const char *jail, char **ret);

/* The text of the jail's identity file: where the portals look for it
 * (the root of a caller, as /.flatpak-info) it says the caller is the
 * sandboxed app dbus_app_id(JAIL). The supervisor writes it into the
 * state dir as STATE_APP_INFO; the proxy's sandbox and the jail get it
 * read-only at DBUS_APP_INFO_PATH. */
#define DBUS_APP_INFO_PATH "/.flatpak-info"
int dbus_app_info(const char *jail, char **ret);

/* The accessibility bus (AT-SPI) of the session: a dbus-daemon of its own,
 * started by at-spi-bus-launcher, whose address org.a11y.Bus.GetAddress
 * on the session bus tells. Whoever owns org.a11y.Bus answers that call,
 * and a profile may let a jail own names: so the answer is taken only
 * when it is a socket at-spi-bus-launcher makes, DBUS_A11Y_DIR/bus or
 * bus_N below the supervisor's $XDG_RUNTIME_DIR, never an address that
 * could point the proxy at another socket of the user's (an ssh agent).
 * The filter is flatpak's: the calls an app makes to register with the
 * AT-SPI registry, and its two signals, nothing else by name. */
#define DBUS_A11Y_DIR  "at-spi"
#define DBUS_A11Y_NAME "org.a11y.Bus"
#define DBUS_A11Y_PATH "/org/a11y/bus"

/* The accessibility bus's address from REPLY (GetAddress's string, its
 * first entry up to ',' or ';'), when it is "unix:path=" RUNTIME_DIR
 * "/at-spi/bus" or ".../bus_N" exactly (escapes undone): 0 with *RET_ADDR
 * the entry as the proxy gets it and *RET_PATH the socket; -EPERM for any
 * other address (abstract, tcp:, another path); -ENOMEM. */
int dbus_a11y_address(const char *reply, const char *runtime_dir, char **ret_addr, char **ret_path);

/* Appends to *ARGV the proxy's pair for the accessibility bus at ADDR:
 * ADDR, STATE_A11Y_SOCK, "--filter", "--sloppy-names" and the rules. */
int dbus_a11y_proxy_args(const char *addr, char ***argv);

/* How the proxy is started, and what of the host it must reach. */
struct dbus_proxy_cmd {
	char **argv; /* "xdg-dbus-proxy" "--fd=3" then per bus ADDRESS SOCKET --filter RULES… */
	/* With a session bus: its address (the proxied entry), where the
	 * proxy's child asks for the accessibility bus, and the runtime
	 * folder that bus's socket must be in; NULL without. */
	char *session_addr;
	char *runtime_dir;
	/* The host paths of the unix:path= buses it connects to (session,
	 * system), NULL where there is none or the bus is abstract. */
	char *bus_sockets[2];
	/* A bus is unix:abstract=: reachable only from the host's network
	 * namespace, which the proxy then keeps. */
	bool host_netns;
	/* dbus_app_info() of the jail with a session bus; NULL without one. */
	char *app_info;
};

void dbus_proxy_cmd_done(struct dbus_proxy_cmd *c);

/* The socket of the local bus address ADDR (its first entry), escapes
 * undone: *RET_PATH for "unix:path=/…", or *RET_ABSTRACT the name of
 * "unix:abstract=…" (the other one NULL). -EPROTONOSUPPORT for anything
 * else, as for the proxy. */
int dbus_bus_socket(const char *addr, char **ret_path, char **ret_abstract);

/* The bus addresses to proxy: SESSION_ADDR (the requesting CLI's
 * DBUS_SESSION_BUS_ADDRESS; NULL: ours, else $XDG_RUNTIME_DIR/bus) and
 * SYSTEM_ADDR (likewise, else /run/dbus/system_bus_socket). Only local
 * sockets are proxied, "unix:path=/…" and "unix:abstract=…": anything else
 * (tcp:, unix:tmpdir=) is refused with -EPROTONOSUPPORT, and the jail gets
 * no bus. */
int dbus_proxy_cmd(const struct jail_profile *p, unsigned rights, const char *session_addr,
		   const char *system_addr, const char *runtime_dir, struct dbus_proxy_cmd *ret);

/* The proxy's sandbox (state/sandbox.h; docs/jail.md "D-Bus"): its own
 * user, mount, PID (it is PID 1), IPC, UTS and cgroup namespaces, a
 * network namespace of its own unless a bus is abstract; the system
 * folders, its program EXE (resolved; bound when not below /usr; NULL: not
 * known), the bus sockets of C, the jail's identity APP_INFO (the state
 * dir's DBUS_APP_INFO_FILE, verified against APP_INFO_FD when >= 0; NULL:
 * none) read-only at /.flatpak-info, and writable only PROXY_DIR (the
 * state dir's STATE_DBUS_PROXY_DIR, verified against PROXY_DIR_FD), its
 * cwd; no capability. Fills BINDS, which *RET points to. Plain data:
 * `jailsup explain` prints the same. */
#define DBUS_PROXY_BINDS_MAX 6 /* one left for the accessibility bus */
void dbus_proxy_sandbox(const struct dbus_proxy_cmd *c, const char *exe, const char *proxy_dir,
                        int proxy_dir_fd, const char *app_info, int app_info_fd,
                        struct sandbox_bind binds[static DBUS_PROXY_BINDS_MAX],
                        struct sandbox *ret);

#endif
