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
#define PORTAL_NAME        "org.freedesktop.portal.Desktop"
#define PORTAL_PATH        "/org/freedesktop/portal/desktop"
#define PORTAL_IFACE       "org.freedesktop.portal."
#define DOCUMENTS_NAME     "org.freedesktop.portal.Documents"
#define APP_ID_PREFIX      "org.jailsup."
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

/* The portals a jail gets with the portals right: each decides by the
 * user (a file chooser, a print dialog) or shows the jail only what is
 * its own (settings, the network's state); none runs a program the jail
 * names. OpenURI is its own right (it opens links and files in host
 * apps); Flatpak's Spawn, Background, Camera, Screenshot, ScreenCast,
 * RemoteDesktop, Location, Secret and the rest are not here: a profile
 * names them in [dbus] when its app needs them. */
static const char *const portal_interfaces[] = {
    "FileChooser", "Settings", "NetworkMonitor", "ProxyResolver",
    "Inhibit",     "Print",    "Trash",          "Email",
};

static int
push_call(char ***v, const char *name, const char *method, const char *path)
{
	_cleanup_free_ char *rule = NULL;

	if (asprintf(&rule, "--call=%s=%s@%s", name, method, path) < 0)
		return -ENOMEM;
	return strv_push(v, rule);
}

/* The portals right: the interfaces above on the portal's one object, the
 * version properties, closing its own requests and sessions; the replies
 * come as signals from below /org/freedesktop/portal; and the document
 * portal, which checks the caller's app id on every call. */
static int
push_portals(char ***v, bool open_uri)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(portal_interfaces); i++) {
		_cleanup_free_ char *method = NULL;

		if (asprintf(&method, PORTAL_IFACE "%s.*", portal_interfaces[i]) < 0)
			return -ENOMEM;
		r = push_call(v, PORTAL_NAME, method, PORTAL_PATH);
	}
	if (r >= 0 && open_uri)
		r = push_call(v, PORTAL_NAME, PORTAL_IFACE "OpenURI.*", PORTAL_PATH);
	if (r >= 0)
		r = push_call(v, PORTAL_NAME, "org.freedesktop.DBus.Properties.Get", PORTAL_PATH);
	if (r >= 0)
		r = push_call(v, PORTAL_NAME, "org.freedesktop.DBus.Properties.GetAll",
		              PORTAL_PATH);
	if (r >= 0)
		r = push_call(v, PORTAL_NAME, PORTAL_IFACE "Request.Close",
		              PORTAL_PATH "/request/*");
	if (r >= 0)
		r = push_call(v, PORTAL_NAME, PORTAL_IFACE "Session.Close",
		              PORTAL_PATH "/session/*");
	if (r >= 0)
		r = strv_push(v, "--broadcast=" PORTAL_NAME "=@/org/freedesktop/portal/*");
	if (r >= 0)
		r = strv_push(v, "--talk=" DOCUMENTS_NAME);
	return r;
}

int
dbus_proxy_rules(const struct profile_dbus *d, unsigned rights, char ***ret)
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
	for (size_t i = 0;
	     r >= 0 && (rights & RIGHT_NOTIFICATIONS) && i < ELEMENTSOF(notify_methods); i++) {
		_cleanup_free_ char *method = NULL;

		if (asprintf(&method, "%s.%s", NOTIFICATIONS_NAME, notify_methods[i]) < 0)
			return -ENOMEM;
		r = push_call(&v, NOTIFICATIONS_NAME, method, NOTIFICATIONS_PATH);
	}
	if (r >= 0 && (rights & RIGHT_PORTALS))
		r = push_portals(&v, rights & RIGHT_OPEN_URI);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

int
dbus_app_id(const char *jail, char **ret)
{
	_cleanup_free_ char *id = NULL;
	size_t n = strlen(APP_ID_PREFIX);

	if (!jail_name_valid(jail))
		return -EINVAL;
	id = malloc(n + 3 * strlen(jail) + 1);
	if (id == NULL)
		return -ENOMEM;
	memcpy(id, APP_ID_PREFIX, n);
	for (const char *c = jail; *c != '\0'; c++) {
		/* Letters, digits and '-' as they are; '.', '_' and a leading
		 * digit (not allowed to start an element of a bus name) as
		 * _XX: two jails never share an id. */
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '-' ||
		    (*c >= '0' && *c <= '9' && c != jail))
			id[n++] = *c;
		else
			n += (size_t) sprintf(id + n, "_%02x", (unsigned char) *c);
	}
	id[n] = '\0';
	*ret = TAKE_PTR(id);
	return 0;
}

int
dbus_app_info(const char *jail, char **ret)
{
	_cleanup_free_ char *id = NULL;
	int r;

	r = dbus_app_id(jail, &id);
	if (r < 0)
		return r;
	/* The keys xdg-desktop-portal reads of a sandboxed app: its name;
	 * no app or runtime path (nothing to remap: the jail sees the
	 * host's paths). */
	if (asprintf(ret,
	             "# Written by jailsup for the jail '%s': the portals read it as\n"
	             "# /.flatpak-info in the root of a caller to tell which app calls.\n"
	             "[Application]\n"
	             "name=%s\n",
	             jail, id) < 0)
		return -ENOMEM;
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
         const struct profile_dbus *d, unsigned rights)
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
	r = dbus_proxy_rules(d, rights, &rules);
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
	c->app_info = mfree(c->app_info);
	c->session_addr = mfree(c->session_addr);
	c->runtime_dir = mfree(c->runtime_dir);
}

int
dbus_a11y_address(const char *reply, const char *runtime_dir, char **ret_addr, char **ret_path)
{
	_cleanup_free_ char *a = NULL, *path = NULL, *dir = NULL;
	const char *name;
	int r;

	if (reply == NULL || runtime_dir == NULL || runtime_dir[0] != '/')
		return -EPERM;
	r = bus_address(reply, &a, &path);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || path == NULL)
		return -EPERM;
	if (asprintf(&dir, "%s/" DBUS_A11Y_DIR "/", runtime_dir) < 0)
		return -ENOMEM;
	if (!strstartswith(path, dir))
		return -EPERM;
	/* What at-spi-bus-launcher names it: "bus", or "bus_N" after the
	 * display's number. */
	name = path + strlen(dir);
	if (!streq(name, "bus") && !(strstartswith(name, "bus_") && name[4] != '\0' &&
	                             strspn(name + 4, "0123456789") == strlen(name + 4)))
		return -EPERM;
	*ret_addr = TAKE_PTR(a);
	*ret_path = TAKE_PTR(path);
	return 0;
}

int
dbus_a11y_proxy_args(const char *addr, char ***argv)
{
	/* flatpak's filter for the accessibility bus (flatpak-run.c): an app
	 * embeds its tree in the registry's, learns which events listeners
	 * want, and notifies the device event controller; it may answer
	 * calls from the screen reader (--sloppy-names: replies and calls
	 * to unique names), and hears when listeners come and go. */
#define ATSPI "org.a11y.atspi."
#define DEC   "/org/a11y/atspi/registry/deviceeventcontroller"
	static const struct {
		const char *kind, *member, *path;
	} rules[] = {
	    {"call", ATSPI "Socket.Embed", "/org/a11y/atspi/accessible/root"},
	    {"call", ATSPI "Socket.Unembed", "/org/a11y/atspi/accessible/root"},
	    {"call", ATSPI "Registry.GetRegisteredEvents", "/org/a11y/atspi/registry"},
	    {"call", ATSPI "DeviceEventController.GetKeystrokeListeners", DEC},
	    {"call", ATSPI "DeviceEventController.GetDeviceEventListeners", DEC},
	    {"call", ATSPI "DeviceEventController.NotifyListenersSync", DEC},
	    {"call", ATSPI "DeviceEventController.NotifyListenersAsync", DEC},
	    {"broadcast", ATSPI "Registry.EventListenerRegistered", "/org/a11y/atspi/registry"},
	    {"broadcast", ATSPI "Registry.EventListenerDeregistered", "/org/a11y/atspi/registry"},
	};
#undef DEC
	int r;

	r = strv_push(argv, addr);
	if (r >= 0)
		r = strv_push(argv, STATE_A11Y_SOCK);
	if (r >= 0)
		r = strv_push(argv, "--filter");
	if (r >= 0)
		r = strv_push(argv, "--sloppy-names");
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(rules); i++) {
		_cleanup_free_ char *rule = NULL;

		if (asprintf(&rule, "--%s=" ATSPI "Registry=%s@%s", rules[i].kind, rules[i].member,
		             rules[i].path) < 0)
			return -ENOMEM;
		r = strv_push(argv, rule);
	}
#undef ATSPI
	return r;
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
		r = push_bus(&c, 0, session_addr, STATE_DBUS_PROXY_SOCK, &p->dbus, rights);
		if (r >= 0 && p->name != NULL)
			r = dbus_app_info(p->name, &c.app_info);
		if (r >= 0) {
			c.session_addr = strndup(session_addr, strcspn(session_addr, ",;"));
			c.runtime_dir = runtime_dir != NULL ? strdup(runtime_dir) : NULL;
			if (c.session_addr == NULL ||
			    (runtime_dir != NULL && c.runtime_dir == NULL))
				r = -ENOMEM;
		}
	}
	if (r >= 0 && dbus_proxy_system_wanted(rights)) {
		if (system_addr == NULL)
			system_addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
		if (system_addr == NULL)
			system_addr = SYSTEM_BUS_DEFAULT;
		r = push_bus(&c, 1, system_addr, STATE_DBUS_SYSTEM_SOCK, &p->dbus_system, 0);
	}
	if (r < 0)
		return r;
	*ret = c;
	c = (struct dbus_proxy_cmd){};
	return 0;
}

void
dbus_proxy_sandbox(const struct dbus_proxy_cmd *c, const char *exe, const char *proxy_dir,
                   int proxy_dir_fd, const char *app_info, int app_info_fd,
                   struct sandbox_bind binds[static DBUS_PROXY_BINDS_MAX], struct sandbox *ret)
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
	/* The jail's identity, where the portals look for it: in the root of
	 * the process that is the jail's connection to the bus, the proxy.
	 * Read-only, from the state dir, which the proxy cannot write. */
	if (app_info != NULL)
		binds[n++] =
		    (struct sandbox_bind){.src = app_info,
		                          .dst = DBUS_APP_INFO_PATH,
		                          .flags = app_info_fd >= 0 ? SANDBOX_BIND_VERIFY : 0,
		                          .verify_fd = app_info_fd};
	*ret = (struct sandbox){
	    .binds = binds,
	    .n_binds = n,
	    /* An abstract socket lives in a network namespace: the host's. */
	    .new_netns = !c->host_netns,
	    .new_pidns = true,
	    .cwd = proxy_dir,
	};
}
