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
#include "ini-profiles/dbus-proxy.h"
#include "state/sandbox.h"
#include "state/state.h"

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

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The first N bytes of S with the %XX escapes of a D-Bus address value
 * undone; -EINVAL for a bad escape or an escaped NUL. */
static int
unescape(const char *s, size_t n, char **ret)
{
	_cleanup_free_ char *out = malloc(n + 1);
	size_t o = 0;

	if (out == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -EINVAL;
		hi = hex_digit(s[i + 1]);
		lo = hex_digit(s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		out[o++] = (char) (hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

/* Only "unix:path=/…" and "unix:abstract=…" (the first entry, up to ','
 * or ';'): what the proxy is handed is then a local socket, never an
 * address that makes it connect somewhere over the network. *RET_ADDR is
 * that entry as the proxy gets it; *RET_PATH the socket's path for a
 * unix:path= one (escapes undone: what the proxy will connect to), NULL
 * for an abstract one. */
static int
bus_address(const char *addr, char **ret_addr, char **ret_path)
{
	_cleanup_free_ char *a = NULL, *path = NULL;
	size_t n;
	int r;

	if (addr == NULL)
		return -EPROTONOSUPPORT;
	n = strcspn(addr, ",;");
	if (strstartswith(addr, "unix:path=/")) {
		r = unescape(addr + strlen("unix:path="), n - strlen("unix:path="), &path);
		if (r < 0)
			return -EPROTONOSUPPORT;
	} else if (!strstartswith(addr, "unix:abstract=") || n == strlen("unix:abstract="))
		return -EPROTONOSUPPORT;
	a = strndup(addr, n);
	if (a == NULL)
		return -ENOMEM;
	*ret_addr = TAKE_PTR(a);
	*ret_path = TAKE_PTR(path);
	return 0;
}

int
dbus_bus_socket(const char *addr, char **ret_path, char **ret_abstract)
{
	_cleanup_free_ char *a = NULL, *path = NULL, *name = NULL;
	size_t skip = strlen("unix:abstract=");
	int r;

	r = bus_address(addr, &a, &path);
	if (r < 0)
		return r;
	if (path == NULL && unescape(a + skip, strlen(a) - skip, &name) < 0)
		return -EPROTONOSUPPORT;
	*ret_path = TAKE_PTR(path);
	*ret_abstract = TAKE_PTR(name);
	return 0;
}

static int
push_bus(struct dbus_proxy_cmd *c, size_t i, const char *addr, const char *sock,
	 const struct profile_dbus *d, bool notifications)
{
	_cleanup_strv_ char **rules = NULL;
	_cleanup_free_ char *a = NULL, *path = NULL;
	int r;

	r = bus_address(addr, &a, &path);
	if (r < 0)
		return r;
	if (path == NULL)
		c->host_netns = true;
	c->bus_sockets[i] = TAKE_PTR(path);
	r = dbus_proxy_rules(d, notifications, &rules);
	if (r >= 0)
		r = strv_push(&c->argv, a);
	if (r >= 0)
		r = strv_push(&c->argv, sock);
	for (char **j = rules; r >= 0 && *j != NULL; j++)
		r = strv_push(&c->argv, *j);
	return r;
}

void
dbus_proxy_cmd_done(struct dbus_proxy_cmd *c)
{
	c->argv = strv_free(c->argv);
	for (size_t i = 0; i < ELEMENTSOF(c->bus_sockets); i++) {
		free(c->bus_sockets[i]);
		c->bus_sockets[i] = NULL;
	}
	c->host_netns = false;
}

int
dbus_proxy_cmd(const struct jail_profile *p, unsigned rights, const char *session_addr,
	       const char *system_addr, const char *runtime_dir, struct dbus_proxy_cmd *ret)
{
	_cleanup_(dbus_proxy_cmd_done) struct dbus_proxy_cmd c = {};
	_cleanup_free_ char *fallback = NULL;
	char fd_arg[32];
	int r;

	snprintf(fd_arg, sizeof(fd_arg), "--fd=%d", DBUS_PROXY_FD_SYNC);
	r = strv_push(&c.argv, "xdg-dbus-proxy");
	if (r >= 0)
		r = strv_push(&c.argv, fd_arg);
	if (r >= 0 && dbus_proxy_session_wanted(rights)) {
		if (session_addr == NULL)
			session_addr = getenv("DBUS_SESSION_BUS_ADDRESS");
		if (session_addr == NULL && runtime_dir != NULL) {
			if (asprintf(&fallback, "unix:path=%s/bus", runtime_dir) < 0)
				return -ENOMEM;
			session_addr = fallback;
		}
		r = push_bus(&c, 0, session_addr, STATE_DBUS_PROXY_SOCK, &p->dbus,
			     rights & RIGHT_NOTIFICATIONS);
	}
	if (r >= 0 && dbus_proxy_system_wanted(rights)) {
		if (system_addr == NULL)
			system_addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
		if (system_addr == NULL)
			system_addr = SYSTEM_BUS_DEFAULT;
		r = push_bus(&c, 1, system_addr, STATE_DBUS_SYSTEM_SOCK, &p->dbus_system, false);
	}
	if (r < 0)
		return r;
	*ret = c;
	c = (struct dbus_proxy_cmd){};
	return 0;
}

void
dbus_proxy_sandbox(const struct dbus_proxy_cmd *c, const char *exe, const char *proxy_dir,
		   int proxy_dir_fd, struct sandbox_bind binds[static DBUS_PROXY_BINDS_MAX],
		   struct sandbox *ret)
{
	size_t n = 0;

	/* Its own folder, the only thing it may write: its sockets, its cwd.
	 * Not the state directory, where the iso-pipe, the pid files and
	 * the state are that the supervisor trusts. */
	binds[n++] = (struct sandbox_bind){.src = proxy_dir,
					   .flags = SANDBOX_BIND_RW | SANDBOX_BIND_VERIFY,
					   .verify_fd = proxy_dir_fd};
	/* Its program, when it is not below /usr (which every sandbox has). */
	if (exe != NULL && !path_is_below(exe, "/usr"))
		binds[n++] = (struct sandbox_bind){.src = exe};
	/* The real buses, at the paths their addresses name. A bus that is
	 * not there now is not there for the proxy either: clients of the
	 * jail then get the error they would get from the host. */
	for (size_t i = 0; i < ELEMENTSOF(c->bus_sockets); i++)
		if (c->bus_sockets[i] != NULL)
			binds[n++] = (struct sandbox_bind){.src = c->bus_sockets[i],
							   .flags = SANDBOX_BIND_TRY};
	*ret = (struct sandbox){
	    .binds = binds,
	    .n_binds = n,
	    /* An abstract socket lives in a network namespace: the host's. */
	    .new_netns = !c->host_netns,
	    .new_pidns = true,
	    .cwd = proxy_dir,
	};
}
