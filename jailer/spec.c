/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Works out the whole jail before anything changes: the profile from the
 * state directory, the user, the paths, the sockets each granted right
 * brings, and dispatch's environment (an allow-list: nothing of the host's
 * environment reaches the jail unless it is named here). Every bad
 * combination dies here, with its name, before a namespace exists.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>

#include "ini-profiles/trust.h"
#include "jailer/jailer.h"
#include "state/log.h"
#include "state/state.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static char *
xstrdup(const char *s)
{
	char *r = strdup(s);

	if (r == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	return r;
}

static char *
xasprintf(const char *fmt, ...) _printf_(1, 2);
static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&r, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_TEMPORARY, "out of memory");
	return r;
}

static void
env_add(char ***env, const char *key, const char *value)
{
	_cleanup_free_ char *kv = xasprintf("%s=%s", key, value);

	if (strv_push(env, kv) < 0)
		die(EXIT_TEMPORARY, "out of memory");
}

/* Takes the socket at HOST_PATH when it exists; a granted right whose
 * service is not running is not an error, the jail just does not get it. */
static void
socket_set(const struct spec_host *host, struct jail_socket *s, const char *host_path,
           const char *jail, const char *right)
{
	if (!host->is_socket(AT_FDCWD, host_path, 0)) {
		log_debug("right '%s' granted but no socket at '%s', skipping", right, host_path);
		return;
	}
	s->host = xstrdup(host_path);
	s->jail = xstrdup(jail);
}

/* DISPLAY ":N", ":N.S" or "unix:N": the local socket /tmp/.X11-unix/XN.
 * A TCP display has no socket to bind and is left out. */
static bool
parse_display(const char *display, unsigned *ret)
{
	const char *colon = strrchr(display, ':');
	char num[16];
	size_t len;

	if (colon == NULL)
		return false;
	if (colon != display && strncmp(display, "unix:", 5) != 0)
		return false;
	len = strcspn(colon + 1, ".");
	if (len == 0 || len >= sizeof(num))
		return false;
	memcpy(num, colon + 1, len);
	num[len] = '\0';
	return parse_uint(num, 0, 65535, ret) == 0;
}

/* The first display number from 99 up whose abstract socket
 * @/tmp/.X11-unix/XN no one on the host has, bound (never listening) on a
 * socket returned in *RET_FD, which the jailer keeps for the jail's life so
 * no X server of the host takes the name meanwhile. A connect() to it is
 * refused (ECONNREFUSED), also across Landlock's scope. */
static unsigned
hold_free_display(int *ret_fd)
{
	for (unsigned n = 99; n < 99 + 1000; n++) {
		_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		char name[sizeof("/tmp/.X11-unix/X") + 12];
		struct sockaddr_un sa;
		socklen_t len;

		if (fd < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to create a socket");
		snprintf(name, sizeof(name), "/tmp/.X11-unix/X%u", n);
		(void) unix_sockaddr(name, true, &sa, &len); /* it fits */
		if (bind(fd, (struct sockaddr *) &sa, len) == 0) {
			*ret_fd = TAKE_FD(fd);
			return n;
		}
		if (errno != EADDRINUSE)
			die_errno(EXIT_TEMPORARY, -errno, "unable to bind an abstract socket");
	}
	die(EXIT_TEMPORARY, "no free X display number from 99 to 1098 for the jail");
}

/* The jail's own X server (supervisor/xserver.c), whose socket the
 * supervisor moved into the state directory once it listened: the jail
 * gets it at display 0 (nothing else is there in its /tmp and network
 * namespace) with its cookie, and never sees the user's display. With
 * network = host the number is one whose abstract name is held empty, as
 * below. No socket (no local display, or a start without a supervisor):
 * no X11 at all, never the user's display instead. */
static void
spec_x11_nested(struct jail_spec *spec, const struct spec_host *host)
{
	if (!host->is_socket(spec->state_fd, STATE_X11_SOCK, AT_SYMLINK_NOFOLLOW)) {
		log_debug("right 'x11' granted but the jail has no X server of its own, no X11");
		return;
	}
	spec->x11_display = 0; /* the number its cookie file names */
	spec->x11_jail_display = 0;
	if (spec->network == NETWORK_HOST)
		spec->x11_jail_display = host->hold_display(&spec->x11_hold_fd);
	spec->x11.host = xasprintf("%s/%s", spec->state_path, STATE_X11_SOCK);
	spec->x11.jail = xasprintf("/tmp/.X11-unix/X%u", spec->x11_jail_display);
	spec->xauthority = xasprintf("%s/%s", spec->state_path, STATE_X11_AUTH);
	spec->host_name = xstrdup(""); /* its one entry is FamilyWild */
}

/* x11 = host: the user's display itself. */
static void
spec_x11(struct jail_spec *spec, const struct spec_host *host)
{
	const char *display = host->getenv("DISPLAY"), *xauth = host->getenv("XAUTHORITY");
	_cleanup_free_ char *path = NULL;
	struct utsname u;

	if (display == NULL || !parse_display(display, &spec->x11_display)) {
		log_debug("right 'x11' granted but no local DISPLAY, skipping");
		return;
	}
	path = xasprintf("/tmp/.X11-unix/X%u", spec->x11_display);
	spec->x11_jail_display = spec->x11_display;
	if (spec->network == NETWORK_HOST && host->is_socket(AT_FDCWD, path, 0)) {
		/* The jail shares the host's abstract sockets, where the X
		 * server listens as @/tmp/.X11-unix/XN too, and Landlock refuses
		 * them (EPERM); libxcb tries that one first and gives up on any
		 * error but "nothing there". So the jail gets the display at a
		 * number whose abstract name is held empty, and xcb goes on to
		 * the socket file (flatpak puts the display at :99 for a like
		 * reason). */
		_cleanup_free_ char *jail = NULL;

		spec->x11_jail_display = host->hold_display(&spec->x11_hold_fd);
		jail = xasprintf("/tmp/.X11-unix/X%u", spec->x11_jail_display);
		socket_set(host, &spec->x11, path, jail, "x11");
	} else
		socket_set(host, &spec->x11, path, path, "x11");
	if (spec->x11.host == NULL)
		return;
	if (xauth != NULL && xauth[0] == '/')
		spec->xauthority = xstrdup(xauth);
	else
		spec->xauthority = xasprintf("%s/.Xauthority", spec->home);
	/* The jail gets its own hostname: keep the host's to pick its cookies. */
	if (uname(&u) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to read the hostname");
	spec->host_name = xstrdup(u.nodename);
}

static void
spec_wayland(struct jail_spec *spec, const struct spec_host *host)
{
	const char *display = host->getenv("WAYLAND_DISPLAY");
	_cleanup_free_ char *host_path = NULL, *jail = NULL;
	const char *base;

	if (display == NULL)
		display = "wayland-0";
	base = strrchr(display, '/') != NULL ? strrchr(display, '/') + 1 : display;
	if (!state_name_valid(base))
		return;
	host_path =
	    display[0] == '/' ? xstrdup(display) : xasprintf("%s/%s", spec->runtime_dir, display);
	jail = xasprintf("%s/%s", spec->runtime_dir, base);
	socket_set(host, &spec->wayland, host_path, jail, "wayland");
}

#define ICE_DIR "/tmp/.ICE-unix/"

/* The unix-socket entry of SESSION_MANAGER, e.g. from
 * "local/h:@/tmp/.ICE-unix/42,unix/h:/tmp/.ICE-unix/42"; the abstract one
 * is out of reach from the jail's network namespace anyway. The socket is
 * bound at the same path in the jail, so only a name in ICE_DIR, where
 * libICE makes them, is taken: any other path would put a host socket
 * anywhere in the jail's tree ("/tmp/.ICE-unix/../../home/u/.bashrc"). */
static void
spec_kde_session(struct jail_spec *spec, const struct spec_host *host)
{
	const char *sm = host->getenv("SESSION_MANAGER");
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (sm == NULL)
		return;
	copy = xstrdup(sm);
	for (char *e = strtok_r(copy, ",", &save); e != NULL; e = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(e, ':');

		if (!strstartswith(e, "unix/") || colon == NULL || colon[1] != '/')
			continue;
		if (!strstartswith(colon + 1, ICE_DIR) ||
		    !state_name_valid(colon + 1 + strlen(ICE_DIR))) {
			log_debug("right 'kde-session' granted but the socket '%s' is not in '%s', "
			          "skipping",
			          colon + 1, ICE_DIR);
			continue;
		}
		socket_set(host, &spec->ice, colon + 1, colon + 1, "kde-session");
		if (spec->ice.host != NULL)
			spec->session_manager = xstrdup(e);
		return;
	}
}

/* The buses are the supervisor's xdg-dbus-proxy sockets in the state
 * directory, never the real ones (the real session bus runs
 * anything on the host through systemd-run --user). No proxy socket, no
 * bus: a jail started without a supervisor (run --no-daemon), or whose
 * proxy is gone, gets none, whatever the rights say. */
static void
proxy_socket_set(struct jail_spec *spec, const struct spec_host *host, struct jail_socket *s,
                 const char *file, const char *jail, const char *right)
{
	if (!host->is_socket(spec->state_fd, file, AT_SYMLINK_NOFOLLOW)) {
		log_debug("right '%s' granted but no proxy socket '%s', no bus", right, file);
		return;
	}
	s->host = xasprintf("%s/%s", spec->state_path, file);
	s->jail = xstrdup(jail);
}

static void
spec_dbus(struct jail_spec *spec, const struct spec_host *host)
{
	bool private_bus = strv_length(spec->profile->dbus.own_private) > 0;
	_cleanup_free_ char *jail =
	    xasprintf("%s/%s", spec->runtime_dir, private_bus ? JAIL_HOST_BUS : "bus");

	proxy_socket_set(spec, host, &spec->dbus, STATE_DBUS_PROXY_SOCK, jail, "dbus");
	spec->private_bus = private_bus && spec->dbus.host != NULL;
	/* The accessibility bus, beside the session bus: only with it, and
	 * only when the session had one (the proxy made the socket). */
	if (spec->dbus.host != NULL) {
		_cleanup_free_ char *a11y = xasprintf("%s/at-spi-bus", spec->runtime_dir);

		proxy_socket_set(spec, host, &spec->a11y, STATE_A11Y_SOCK, a11y, "dbus");
	}
}

static void
spec_audio(struct jail_spec *spec, const struct spec_host *host)
{
	_cleanup_free_ char *pulse = xasprintf("%s/pulse/native", spec->runtime_dir);
	_cleanup_free_ char *pw = xasprintf("%s/pipewire-0", spec->runtime_dir);
	const char *server = host->getenv("PULSE_SERVER");

	if (server != NULL && strstartswith(server, "unix:/"))
		socket_set(host, &spec->pulse, server + 5, pulse, "audio");
	else
		socket_set(host, &spec->pulse, pulse, pulse, "audio");
	socket_set(host, &spec->pipewire, pw, pw, "audio");
}

/* What the jail's processes see: the allow-list of docs/jail.md "The
 * environment". The
 * request of each app adds locale and terminal variables in dispatch. */
static void
spec_env(struct jail_spec *spec, const struct spec_host *host)
{
	static const char *const passthrough[] = {
		"XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP",
		"XDG_SESSION_TYPE", "DESKTOP_SESSION", "KDE_FULL_SESSION", "KDE_SESSION_VERSION",
		"QT_QPA_PLATFORM", "GDK_BACKEND",
	};
	const char *path = host->getenv("PATH");
	_cleanup_free_ char *value = NULL;

	env_add(&spec->env, "HOME", spec->home);
	env_add(&spec->env, "USER", spec->user);
	env_add(&spec->env, "LOGNAME", spec->user);
	env_add(&spec->env, "PATH", path != NULL && path[0] != '\0' ? path : DEFAULT_PATH);
	env_add(&spec->env, "SHELL", "/bin/bash");
	env_add(&spec->env, "XDG_RUNTIME_DIR", spec->runtime_dir);
	value = xasprintf("%s/.config", spec->home);
	env_add(&spec->env, "XDG_CONFIG_HOME", value);
	free(value);
	value = xasprintf("%s/.local/share", spec->home);
	env_add(&spec->env, "XDG_DATA_HOME", value);
	free(value);
	value = xasprintf("%s/.cache", spec->home);
	env_add(&spec->env, "XDG_CACHE_HOME", value);
	free(value);
	value = xasprintf("%s/.local/state", spec->home);
	env_add(&spec->env, "XDG_STATE_HOME", value);
	free(value);
	value = NULL;
	env_add(&spec->env, "JAILSUP_JAIL", spec->name);
	for (size_t i = 0; i < ELEMENTSOF(passthrough); i++) {
		const char *v = host->getenv(passthrough[i]);

		if (v != NULL)
			env_add(&spec->env, passthrough[i], v);
	}
	if (spec->x11.host != NULL) {
		_cleanup_free_ char *display = xasprintf(":%u", spec->x11_jail_display);
		_cleanup_free_ char *xauth = xasprintf("%s/.Xauthority", spec->runtime_dir);

		env_add(&spec->env, "DISPLAY", display);
		env_add(&spec->env, "XAUTHORITY", xauth);
	}
	if (spec->wayland.host != NULL)
		env_add(&spec->env, "WAYLAND_DISPLAY", strrchr(spec->wayland.jail, '/') + 1);
	if (spec->dbus.host != NULL) {
		/* The jail's own bus, when it has one, is where the proxy
		 * would be: $XDG_RUNTIME_DIR/bus. */
		_cleanup_free_ char *bus = xasprintf("%s/bus", spec->runtime_dir);
		_cleanup_free_ char *addr = dbus_unix_address(bus);

		if (addr == NULL)
			die(EXIT_TEMPORARY, "out of memory");
		env_add(&spec->env, "DBUS_SESSION_BUS_ADDRESS", addr);
	}
	/* Toolkits read it before they ask the session bus for the address
	 * (which would name the host's bus, not there in the jail). */
	if (spec->a11y.host != NULL) {
		_cleanup_free_ char *addr = xasprintf("unix:path=%s", spec->a11y.jail);

		env_add(&spec->env, "AT_SPI_BUS_ADDRESS", addr);
	}
	if (spec->dbus_system.host != NULL)
		env_add(&spec->env, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" JAIL_SYSTEM_BUS);
	if (spec->session_manager != NULL)
		env_add(&spec->env, "SESSION_MANAGER", spec->session_manager);
}

static int
open_log(const struct jail_spec *spec)
{
	struct stat st;
	int fd;

	fd = openat(spec->state_fd, STATE_LOG,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open '%s/%s'", spec->state_path,
			  STATE_LOG);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		die(EXIT_PERMANENT, "'%s/%s' is not a regular file", spec->state_path, STATE_LOG);
	return fd;
}

static void
spec_check_share_links(const char *path, const struct profile_env *env)
{
	_cleanup_free_ char *where = NULL;
	int r = trust_resolve_env(env, path, NULL, &where);

	if (r == -ELOOP && where != NULL)
		die(EXIT_PERMANENT,
		    "refusing to share '%s': it goes through a symlink in %s, which a jail can "
		    "write (a jail may have planted it); share the real folder instead",
		    path, where);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to share '%s'", path);
}

/* The init script runs in the jail, but a jail that could write it (a
 * share of another profile, say) would run its code in this one. */
static void
spec_check_init_script(const struct jail_spec *spec, const struct profile_env *env)
{
	_cleanup_free_ char *where = NULL;
	const char *path = spec->profile->init_script;
	int r;

	if (path == NULL)
		return;
	r = trust_path_jail_writable(env, path, &where);
	if (r > 0 || (r == -ELOOP && where != NULL))
		die(EXIT_PERMANENT,
		    "refusing the init script '%s': it lies in %s, which a jail can write; move "
		    "it out of every jail's reach (e.g. next to the profile)",
		    path, where);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to open the init script '%s'", path);
}

/* The profile checked each share's path as written; a symlink on the way
 * (~/Music → ~/.config/jailsup) would still expose what it refuses, so the
 * resolved path is checked again, and that path is what gets bound (seen
 * from inside the new mount namespace, an absolute symlink would resolve
 * against the jail's scratch root, not the host's). */
static void
spec_check_shares(struct jail_spec *spec, const struct profile_env *env)
{
	spec->share_src = calloc(spec->profile->n_shares + 1, sizeof(char *));
	if (spec->share_src == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	for (size_t i = 0; i < spec->profile->n_shares; i++) {
		const char *path = spec->profile->shares[i].path;
		_cleanup_free_ char *resolved = realpath(path, NULL);
		const char *what = NULL;

		if (resolved == NULL)
			die_errno(EXIT_PERMANENT, -errno, "unable to share '%s'", path);
		/* A symlink on the way is followed only when no jail could
		 * have planted it: otherwise a jail with a share that holds
		 * this one would choose what its next start shows it. */
		if (!streq(resolved, path))
			spec_check_share_links(path, env);
		if (profile_share_allowed(resolved, env) < 0)
			die(EXIT_PERMANENT,
			    "refusing to share '%s': it resolves to '%s', which a jail must not "
			    "see (jailsup's own files, autostart, or the whole home)",
			    path, resolved);
		if (spec->profile->shares[i].rw &&
		    profile_share_rw_allowed(resolved, env, &what) < 0)
			die(EXIT_PERMANENT,
			    "refusing to share '%s' read-write: it resolves to '%s', which is, holds "
			    "or lies inside '%s', read or run by your session outside the jail",
			    path, resolved, what != NULL ? what : "?");
		spec->share_src[i] = TAKE_PTR(resolved);
	}
}

/* An exe outside the user's home and outside the folders every jail sees
 * (say /tmp/x/tool) gets just its file bound read-only at its own path: its
 * folder may be the host's /tmp, which must stay out. */
static void
spec_exe_outside_view(struct jail_spec *spec)
{
	static const char *const visible[] = { "/usr", "/etc", "/opt", "/bin", "/sbin", "/lib",
					       "/lib32", "/lib64", "/libx32" };

	if (spec->exe.bind_src != NULL)
		return;
	for (size_t i = 0; i < ELEMENTSOF(visible); i++)
		if (path_is_below(spec->exe.resolved, visible[i]))
			return;
	spec->exe.bind_src = xstrdup(spec->exe.resolved);
	spec->exe.bind_dst = xstrdup(spec->exe.resolved);
}

static const char *
require_env_path(const char *key)
{
	const char *v = getenv(key);

	if (v == NULL || v[0] != '/')
		die(EXIT_PERMANENT, "$%s is not set to an absolute path", key);
	return v;
}

static const char *
jailer_getenv(const char *key)
{
	return getenv(key);
}

static bool
jailer_is_socket(int dir_fd, const char *path, int flags)
{
	struct stat st;

	return fstatat(dir_fd, path, &st, flags) == 0 && S_ISSOCK(st.st_mode);
}

static const struct spec_host jailer_host = {
    .getenv = jailer_getenv,
    .is_socket = jailer_is_socket,
    .hold_display = hold_free_display,
};

static char *user_name;

void
jail_spec_lookup_user(void)
{
	struct passwd *pw;

	if (user_name != NULL)
		return;
	pw = getpwuid(getuid());
	user_name = xstrdup(pw != NULL ? pw->pw_name : "user");
}

void
jail_spec_build(struct jail_spec *spec, const char *state_path, int go_fd)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_free_ char *text = NULL, *source = NULL, *why = NULL;
	struct profile_error err = {};
	struct profile_env env = {};
	const char *base;
	int r;

	*spec = (struct jail_spec){ .state_fd = -1, .log_fd = -1, .home_fd = -1, .go_fd = go_fd,
				    .x11_hold_fd = -1 };
	base = strrchr(state_path, '/');
	base = base != NULL ? base + 1 : state_path;
	if (!jail_name_valid(base))
		die(EXIT_PERMANENT, "'%s' is not a jail's state directory: bad jail name", state_path);
	spec->name = xstrdup(base);
	log_set_jail(spec->name);
	spec->state_path = xstrdup(state_path);
	r = state_dir_open_path(state_path, false, &spec->state_fd);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to open state directory '%s'", state_path);
	spec->log_fd = open_log(spec);
	log_set_tee_fd(spec->log_fd);

	spec->uid = getuid();
	spec->gid = getgid();
	jail_spec_lookup_user();
	spec->user = xstrdup(user_name);
	spec->home = xstrdup(require_env_path("HOME"));
	spec->runtime_dir = xstrdup(require_env_path("XDG_RUNTIME_DIR"));

	r = profile_env_from_environ(&env, &storage, NULL);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to work out the user's directories");
	spec->data_home = xstrdup(env.xdg_data_home);
	spec->home_src = xasprintf("%s/jailsup/jails/%s/home", env.xdg_data_home, spec->name);
	r = crypt_backend_detect(env.xdg_data_home, spec->name, &spec->crypt);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to tell whether the home of jail '%s' is encrypted",
			  spec->name);
	if (spec->crypt != CRYPT_NONE) {
		free(spec->home_src);
		spec->home_src = xasprintf("%s/%s", state_path, STATE_HOME_MOUNT);
	}

	r = state_read_file(spec->state_fd, STATE_PROFILE, 256 * 1024, &text, NULL);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to read '%s/%s'", state_path, STATE_PROFILE);
	source = xasprintf("%s/%s", state_path, STATE_PROFILE);
	r = jail_spec_from_text(spec, text, source, &env, &jailer_host, &err);
	if (r == -ENOMEM)
		die(EXIT_TEMPORARY, "out of memory");
	if (r < 0)
		die(EXIT_PERMANENT, "%s:%u: %s", source, err.line, err.msg);
	/* pasta and openvpn are the supervisor's helpers, and it says "go"
	 * once they have built the network. Without a supervisor (--no-daemon)
	 * a pasta jail starts offline, said plainly; a VPN jail does not start
	 * at all: it must never look like a working tunnel. */
	if (spec->network == NETWORK_VPN && go_fd < 0)
		die(EXIT_PERMANENT, "network = vpn needs the supervisor to start openvpn (start "
		    "the jail through 'jailsup daemon', not --no-daemon)");
	if (spec->network == NETWORK_PASTA && go_fd < 0) {
		log_warn("network = pasta needs the supervisor to start pasta: without it "
			 "(--no-daemon) this jail is offline, loopback only");
		spec->network = NETWORK_NONE;
	}

	spec_check_shares(spec, &env);
	spec_check_init_script(spec, &env);
	r = profile_resolve_exe_full(spec->profile->exec, "/", &env, &spec->exe, &why);
	if (r < 0 && why != NULL)
		die(EXIT_PERMANENT, "refusing to run exe '%s': %s", spec->profile->exec, why);
	if (r < 0)
		die_errno(EXIT_PERMANENT, r, "unable to resolve exe '%s'", spec->profile->exec);
	spec_exe_outside_view(spec);
}

int
jail_spec_from_text(struct jail_spec *spec, const char *text, const char *source,
                    const struct profile_env *env, const struct spec_host *host,
                    struct profile_error *reterr)
{
	int r;

	r = profile_parse(text, spec->name, source, env, &spec->profile, reterr);
	if (r < 0)
		return r;
	spec->rights = profile_rights(spec->profile);
	spec->network = profile_network(spec->profile);
	if ((spec->rights & RIGHT_X11) && spec->profile->x11_host)
		spec_x11(spec, host);
	else if (spec->rights & RIGHT_X11)
		spec_x11_nested(spec, host);
	if (spec->rights & RIGHT_WAYLAND)
		spec_wayland(spec, host);
	if (spec->rights & RIGHT_AUDIO)
		spec_audio(spec, host);
	if (spec->rights & RIGHT_KDE_SESSION)
		spec_kde_session(spec, host);
	if (spec->rights & RIGHT_DBUS)
		spec_dbus(spec, host);
	if (spec->rights & RIGHT_DBUS_SYSTEM)
		proxy_socket_set(spec, host, &spec->dbus_system, STATE_DBUS_SYSTEM_SOCK,
		                 JAIL_SYSTEM_BUS, "dbus-system");
	spec_env(spec, host);
	return 0;
}

static void
jail_socket_done(struct jail_socket *s)
{
	s->host = mfree(s->host);
	s->jail = mfree(s->jail);
}

void
jail_spec_done(struct jail_spec *spec)
{
	spec->name = mfree(spec->name);
	spec->state_path = mfree(spec->state_path);
	spec->state_fd = safe_close(spec->state_fd);
	/* One entry per share, NULL for one not worked out yet. */
	for (size_t i = 0;
	     spec->share_src != NULL && spec->profile != NULL && i < spec->profile->n_shares; i++)
		free(spec->share_src[i]);
	spec->share_src = mfree(spec->share_src);
	spec->profile = profile_free(spec->profile);
	exe_resolution_done(&spec->exe);
	spec->user = mfree(spec->user);
	spec->home = mfree(spec->home);
	spec->data_home = mfree(spec->data_home);
	spec->home_src = mfree(spec->home_src);
	spec->runtime_dir = mfree(spec->runtime_dir);
	jail_socket_done(&spec->x11);
	spec->xauthority = mfree(spec->xauthority);
	spec->host_name = mfree(spec->host_name);
	jail_socket_done(&spec->wayland);
	jail_socket_done(&spec->pulse);
	jail_socket_done(&spec->pipewire);
	jail_socket_done(&spec->ice);
	jail_socket_done(&spec->dbus);
	jail_socket_done(&spec->dbus_system);
	jail_socket_done(&spec->a11y);
	spec->session_manager = mfree(spec->session_manager);
	spec->log_fd = safe_close(spec->log_fd);
	spec->home_fd = safe_close(spec->home_fd);
	spec->go_fd = safe_close(spec->go_fd);
	spec->x11_hold_fd = safe_close(spec->x11_hold_fd);
	strv_free(spec->env);
	spec->env = NULL;
}
