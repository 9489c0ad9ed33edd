/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One xdg-dbus-proxy per jail (docs/jail.md "D-Bus"). The jail never sees
 * a real bus: the real session bus lets a client run anything on the host
 * (systemd-run --user, org.freedesktop.systemd1), and services on it were
 * not written for isolation (the name org.freedesktop.Notifications may be
 * owned by a clipboard manager that also wipes its history on request).
 * The proxy filters (`--filter`): only the profile's [dbus] rules and the
 * four calls of the notifications right pass, and every other name is
 * invisible.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>

#include "state/log.h"
#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/dbus-proxy.h"
#include "supervisor/helper.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define SYSTEM_BUS_DEFAULT "unix:path=/run/dbus/system_bus_socket"

bool
dbus_proxy_session_wanted(unsigned rights)
{
	return rights & RIGHT_DBUS;
}

bool
dbus_proxy_system_wanted(unsigned rights)
{
	return rights & RIGHT_DBUS_SYSTEM;
}

static int
push_fmt(char ***v, const char *prefix, const char *value)
{
	_cleanup_free_ char *s = NULL;

	if (asprintf(&s, "%s%s", prefix, value) < 0)
		return -ENOMEM;
	return strv_push(v, s);
}

static int
push_list(char ***v, const char *prefix, char *const *list)
{
	int r;

	for (char *const *i = list; i != NULL && *i != NULL; i++) {
		r = push_fmt(v, prefix, *i);
		if (r < 0)
			return r;
	}
	return 0;
}

int
dbus_proxy_rules(const struct profile_dbus *d, bool notifications, char ***ret)
{
	/* Nothing else of that name: CloseNotification and the two queries
	 * a client needs, on the one object the spec defines. */
	static const char *const notify_methods[] = { "Notify", "CloseNotification",
						      "GetCapabilities",
						      "GetServerInformation" };
	_cleanup_strv_ char **v = NULL;
	int r;

	r = strv_push(&v, "--filter");
	if (r >= 0)
		r = push_list(&v, "--see=", d->see);
	if (r >= 0)
		r = push_list(&v, "--talk=", d->talk);
	if (r >= 0)
		r = push_list(&v, "--own=", d->own);
	if (r >= 0)
		r = push_list(&v, "--call=", d->call);
	if (r >= 0)
		r = push_list(&v, "--broadcast=", d->broadcast);
	for (size_t i = 0; r >= 0 && notifications && i < ELEMENTSOF(notify_methods); i++) {
		_cleanup_free_ char *rule = NULL;

		if (asprintf(&rule, "--call=%s=%s.%s@%s", NOTIFICATIONS_NAME, NOTIFICATIONS_NAME,
			     notify_methods[i], NOTIFICATIONS_PATH) < 0)
			return -ENOMEM;
		r = strv_push(&v, rule);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

/* Only "unix:path=…" (its first entry, up to ','): what the proxy is
 * handed is then a socket path we checked, never an address that makes it
 * connect somewhere over the network. */
static int
unix_address(const char *addr, char **ret)
{
	_cleanup_free_ char *s = NULL;

	if (addr == NULL || !strstartswith(addr, "unix:path=/"))
		return -EPROTONOSUPPORT;
	s = strdup(addr);
	if (s == NULL)
		return -ENOMEM;
	s[strcspn(s, ",;")] = '\0';
	*ret = TAKE_PTR(s);
	return 0;
}

static int
push_bus(char ***v, const char *addr, const char *sock, const struct profile_dbus *d,
	 bool notifications)
{
	_cleanup_strv_ char **rules = NULL;
	_cleanup_free_ char *a = NULL;
	int r;

	r = unix_address(addr, &a);
	if (r < 0)
		return r;
	r = dbus_proxy_rules(d, notifications, &rules);
	if (r >= 0)
		r = strv_push(v, a);
	if (r >= 0)
		r = strv_push(v, sock);
	for (char **i = rules; r >= 0 && *i != NULL; i++)
		r = strv_push(v, *i);
	return r;
}

int
dbus_proxy_argv(const struct jail_profile *p, unsigned rights, const char *session_addr,
		const char *system_addr, const char *runtime_dir, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *fallback = NULL;
	char fd_arg[32];
	int r;

	snprintf(fd_arg, sizeof(fd_arg), "--fd=%d", DBUS_PROXY_FD_SYNC);
	r = strv_push(&v, "xdg-dbus-proxy");
	if (r >= 0)
		r = strv_push(&v, fd_arg);
	if (r >= 0 && dbus_proxy_session_wanted(rights)) {
		if (session_addr == NULL)
			session_addr = getenv("DBUS_SESSION_BUS_ADDRESS");
		if (session_addr == NULL && runtime_dir != NULL) {
			if (asprintf(&fallback, "unix:path=%s/bus", runtime_dir) < 0)
				return -ENOMEM;
			session_addr = fallback;
		}
		r = push_bus(&v, session_addr, STATE_DBUS_PROXY_SOCK, &p->dbus,
			     rights & RIGHT_NOTIFICATIONS);
	}
	if (r >= 0 && dbus_proxy_system_wanted(rights)) {
		if (system_addr == NULL)
			system_addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
		if (system_addr == NULL)
			system_addr = SYSTEM_BUS_DEFAULT;
		r = push_bus(&v, system_addr, STATE_DBUS_SYSTEM_SOCK, &p->dbus_system, false);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

struct proxy_child {
	int dir_fd;
	char **argv;
};

static void
proxy_child(void *data, int ready_fd)
{
	const struct proxy_child *c = data;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log = helper_open_log(c->dir_fd);
	int out = log >= 0 ? log : null;
	int w = fcntl(ready_fd, F_DUPFD, 10);

	reset_signals_for_exec();
	/* Its own session, on the host, as the user: never in a jail's
	 * namespaces; its cwd is the state dir for its relative sockets. */
	if (null < 0 || w < 0 || setsid() < 0 || fchdir(c->dir_fd) < 0 || dup2(null, 0) < 0 ||
	    dup2(out, 1) < 0 || dup2(out, 2) < 0 || dup2(w, DBUS_PROXY_FD_SYNC) < 0)
		_exit(EXIT_TEMPORARY);
	/* Not the read end: holding it, the proxy would never see the pipe
	 * break and would outlive a jail nobody watches. */
	(void) syscall(SYS_close_range, DBUS_PROXY_FD_SYNC + 1, ~0u, 0);
	execvp(c->argv[0], c->argv);
	dprintf(2, "jailsup: error: unable to run '%s': %s\n", c->argv[0], strerror(errno));
	_exit(127);
}

int
dbus_proxy_spawn(int dir_fd, char **argv, pid_t *ret_pid, int *ret_ready_fd)
{
	struct proxy_child c = { .dir_fd = dir_fd, .argv = argv };

	(void) unlinkat(dir_fd, STATE_DBUS_PROXY_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_DBUS_SYSTEM_SOCK, 0);
	return helper_spawn(dir_fd, STATE_DBUS_PROXY_PID, proxy_child, &c, ret_pid, ret_ready_fd);
}
