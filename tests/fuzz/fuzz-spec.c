/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the jailer's reading of profile.ini into its spec:
 * jail_spec_from_text() (jailer/spec.c), the part of jail_spec_build() that
 * is a parser. It parses the text and works out, from it and the session's
 * variables alone, the rights, the network, the socket of each granted
 * right and dispatch's environment; the rest of jail_spec_build() opens
 * the state directory, resolves the exe and the shares, and dies on a bad
 * one, which a fuzzer cannot call.
 *
 * Input: the first byte says which sockets exist (bit 0: the session's,
 * bit 1: the D-Bus proxy's in the state directory); then the session's
 * variables, "KEY=VALUE" lines up to an empty line; the rest is
 * profile.ini. Whatever the bytes, the spec must hold what the jail is
 * promised:
 *
 *  - a refusal says why; a profile that parses gives a spec;
 *  - a denied right adds nothing: no socket, no variable; a right is in
 *    force only as profile_rights() says, `deny` always wins;
 *  - `deny = network` means no network at all;
 *  - every path a socket is bound at in the jail is absolute and plain (no
 *    empty, "." or ".." component): the mount code would refuse anything
 *    else, long after the spec was said to be good; the ICE socket lies in
 *    /tmp/.ICE-unix, the X11 one is the display's;
 *  - dispatch's environment holds only allow-listed keys, each once, and a
 *    socket's variable exactly when the socket is there.
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

/* The jailer's file, compiled in: the fuzz rule builds the libraries'
 * sources only. tests/module.mk makes this target depend on it. */
#include "jailer/spec.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME    "fuzz"
#define FUZZ_RUNTIME "/run/user/1000"
#define FUZZ_HOME    "/home/user"

static const char *const search_dirs[] = {NULL};
static const struct profile_env env = {
    .home = FUZZ_HOME,
    .xdg_config_home = FUZZ_HOME "/.config",
    .xdg_data_home = FUZZ_HOME "/.local/share",
    .xdg_runtime_dir = FUZZ_RUNTIME,
    .path = "/usr/bin:/bin",
    .search_dirs = search_dirs,
};

/* The session of the current input. */
static char **session;
static unsigned sockets;

static const char *
fuzz_getenv(const char *key)
{
	size_t len = strlen(key);

	for (char **v = session; v != NULL && *v != NULL; v++)
		if (strncmp(*v, key, len) == 0 && (*v)[len] == '=')
			return *v + len + 1;
	return NULL;
}

static bool
fuzz_is_socket(int dir_fd, const char *path, int flags)
{
	(void) flags;
	assert(path != NULL);
	return (sockets & (dir_fd == AT_FDCWD ? 1u : 2u)) != 0;
}

static unsigned
fuzz_hold_display(int *ret_fd)
{
	*ret_fd = -1;
	return 99;
}

static const struct spec_host fuzz_host = {
    .getenv = fuzz_getenv,
    .is_socket = fuzz_is_socket,
    .hold_display = fuzz_hold_display,
};

static void
check_jail_path(const char *path)
{
	const char *p = path;

	assert(path[0] == '/');
	while (*p == '/') {
		size_t n = strcspn(p + 1, "/");

		assert(n > 0); /* no "//" and no final '/' */
		assert(!(n == 1 && p[1] == '.'));
		assert(!(n == 2 && p[1] == '.' && p[2] == '.'));
		p += 1 + n;
	}
	assert(*p == '\0');
}

/* A socket is there only with its right, and then bound at a plain path. */
static void
check_socket(const struct jail_socket *s, unsigned rights, unsigned right)
{
	assert((s->host == NULL) == (s->jail == NULL));
	if (s->host == NULL)
		return;
	assert(rights & right);
	check_jail_path(s->jail);
}

/* The value of KEY in dispatch's environment, asserting it is there at
 * most once. */
static const char *
env_value(char **e, const char *key)
{
	const char *found = NULL;
	size_t len = strlen(key);

	for (; *e != NULL; e++)
		if (strncmp(*e, key, len) == 0 && (*e)[len] == '=') {
			assert(found == NULL);
			found = *e + len + 1;
		}
	return found;
}

static void
check_env(const struct jail_spec *spec)
{
	static const char *const allowed[] = {
	    "HOME",
	    "USER",
	    "LOGNAME",
	    "PATH",
	    "SHELL",
	    "XDG_RUNTIME_DIR",
	    "XDG_CONFIG_HOME",
	    "XDG_DATA_HOME",
	    "XDG_CACHE_HOME",
	    "XDG_STATE_HOME",
	    "JAILSUP_JAIL",
	    "XDG_DATA_DIRS",
	    "XDG_CONFIG_DIRS",
	    "XDG_CURRENT_DESKTOP",
	    "XDG_SESSION_DESKTOP",
	    "XDG_SESSION_TYPE",
	    "DESKTOP_SESSION",
	    "KDE_FULL_SESSION",
	    "KDE_SESSION_VERSION",
	    "QT_QPA_PLATFORM",
	    "GDK_BACKEND",
	    "DISPLAY",
	    "XAUTHORITY",
	    "WAYLAND_DISPLAY",
	    "DBUS_SESSION_BUS_ADDRESS",
	    "AT_SPI_BUS_ADDRESS",
	    "DBUS_SYSTEM_BUS_ADDRESS",
	    "SESSION_MANAGER",
	};
	const char *v;
	char want[32];

	assert(spec->env != NULL);
	for (char **e = spec->env; *e != NULL; e++) {
		size_t klen = strcspn(*e, "=");
		bool ok = false;

		assert((*e)[klen] == '=');
		for (size_t i = 0; i < ELEMENTSOF(allowed) && !ok; i++)
			ok = strlen(allowed[i]) == klen && strncmp(*e, allowed[i], klen) == 0;
		assert(ok);
	}
	for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
		(void) env_value(spec->env, allowed[i]); /* each at most once */

	assert(streq(env_value(spec->env, "HOME"), FUZZ_HOME));
	assert(streq(env_value(spec->env, "XDG_RUNTIME_DIR"), FUZZ_RUNTIME));
	assert(streq(env_value(spec->env, "JAILSUP_JAIL"), FUZZ_NAME));
	v = env_value(spec->env, "DISPLAY");
	assert((v != NULL) == (spec->x11.host != NULL));
	if (v != NULL) {
		/* The jail's display number may differ from the host's: with
		 * the host's network it is one whose abstract name is held. */
		snprintf(want, sizeof(want), ":%u", spec->x11_jail_display);
		assert(streq(v, want));
		snprintf(want, sizeof(want), "/tmp/.X11-unix/X%u", spec->x11_jail_display);
		assert(streq(spec->x11.jail, want));
		if (spec->profile->x11_host) {
			/* x11 = host: the user's display itself. */
			snprintf(want, sizeof(want), "/tmp/.X11-unix/X%u", spec->x11_display);
			assert(streq(spec->x11.host, want));
		} else {
			/* The jail's own X server: its socket in the state dir,
			 * never the user's display. */
			assert(spec->x11_display == 0);
			assert(strstartswith(spec->x11.host, spec->state_path));
			assert(streq(strrchr(spec->x11.host, '/') + 1, STATE_X11_SOCK));
		}
	}
	v = env_value(spec->env, "WAYLAND_DISPLAY");
	assert((v != NULL) == (spec->wayland.host != NULL));
	if (v != NULL)
		assert(state_name_valid(v) && streq(strrchr(spec->wayland.jail, '/') + 1, v));
	assert((env_value(spec->env, "DBUS_SESSION_BUS_ADDRESS") != NULL) ==
	       (spec->dbus.host != NULL));
	/* The accessibility bus only beside a session bus, at its fixed place
	 * in the jail. */
	v = env_value(spec->env, "AT_SPI_BUS_ADDRESS");
	assert((v != NULL) == (spec->a11y.host != NULL));
	assert(spec->a11y.host == NULL || spec->dbus.host != NULL);
	if (v != NULL)
		assert(strstartswith(v, "unix:path=") &&
		       streq(strrchr(spec->a11y.jail, '/') + 1, "at-spi-bus"));
	/* own-private: the jail's own bus where the proxy would be, the
	 * proxy beside it; never a private bus without a proxy to bridge to. */
	assert(spec->private_bus ==
	       (spec->dbus.host != NULL && strv_length(spec->profile->dbus.own_private) > 0));
	if (spec->dbus.host != NULL)
		assert(streq(strrchr(spec->dbus.jail, '/') + 1,
		             spec->private_bus ? JAIL_HOST_BUS : "bus"));
	assert((env_value(spec->env, "DBUS_SYSTEM_BUS_ADDRESS") != NULL) ==
	       (spec->dbus_system.host != NULL));
	assert((env_value(spec->env, "SESSION_MANAGER") != NULL) == (spec->ice.host != NULL));
}

static void
check_spec(const struct jail_spec *spec)
{
	const struct jail_profile *p = spec->profile;

	assert(p != NULL);
	assert(spec->rights == profile_rights(p));
	assert((spec->rights & ~RIGHTS_ALL) == 0);
	assert((spec->rights & p->deny) == 0);
	if (p->secure)
		assert((spec->rights & ~(RIGHTS_SECURE | p->allow)) == 0);
	assert(spec->network == profile_network(p));
	if (p->deny & RIGHT_NETWORK)
		assert(spec->network == NETWORK_NONE);

	check_socket(&spec->x11, spec->rights, RIGHT_X11);
	check_socket(&spec->wayland, spec->rights, RIGHT_WAYLAND);
	check_socket(&spec->pulse, spec->rights, RIGHT_AUDIO);
	check_socket(&spec->pipewire, spec->rights, RIGHT_AUDIO);
	check_socket(&spec->ice, spec->rights, RIGHT_KDE_SESSION);
	check_socket(&spec->dbus, spec->rights, RIGHT_DBUS);
	check_socket(&spec->dbus_system, spec->rights, RIGHT_DBUS_SYSTEM);
	if (spec->ice.jail != NULL)
		assert(strstartswith(spec->ice.jail, "/tmp/.ICE-unix/"));
	assert((spec->xauthority != NULL) == (spec->x11.host != NULL));
	check_env(spec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_strv_ char **vars = NULL;
	struct jail_spec spec = {.state_fd = -1, .log_fd = -1, .home_fd = -1, .go_fd = -1, .x11_hold_fd = -1};
	struct profile_error err = {};
	char *text, *line;
	int r;

	if (size < 1 || size > PROFILE_FILE_MAX)
		return 0;
	sockets = data[0];
	copy = strndup((const char *) data + 1, size - 1);
	if (copy == NULL)
		return 0;
	/* The session: lines up to the first empty one. */
	text = copy;
	while (*text != '\0' && *text != '\n') {
		line = text;
		text += strcspn(text, "\n");
		if (*text == '\n')
			*text++ = '\0';
		if (strv_push(&vars, line) < 0)
			return 0;
	}
	if (*text == '\n')
		text++;
	session = vars;

	spec.name = xstrdup(FUZZ_NAME);
	spec.state_path = xstrdup(FUZZ_RUNTIME "/jailsup/jails/" FUZZ_NAME);
	spec.user = xstrdup("user");
	spec.home = xstrdup(FUZZ_HOME);
	spec.runtime_dir = xstrdup(FUZZ_RUNTIME);
	r = jail_spec_from_text(&spec, text,
	                        FUZZ_RUNTIME "/jailsup/jails/" FUZZ_NAME "/profile.ini", &env,
	                        &fuzz_host, &err);
	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		assert(spec.profile == NULL && spec.env == NULL);
		assert(r == -ENOMEM ||
		       (err.msg[0] != '\0' && memchr(err.msg, '\0', sizeof(err.msg))));
	} else
		check_spec(&spec);
	jail_spec_done(&spec);
	session = NULL;
	return 0;
}
