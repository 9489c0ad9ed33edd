/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of ini-profiles/dbus-proxy.c: which bus addresses the proxy is
 * given (local sockets only, D-Bus escapes undone for the path it binds,
 * an abstract one keeping the host's network namespace), and the sandbox
 * it gets for them (what it sees, what it may write).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/dbus-proxy.h"
#include "state/sandbox.h"
#include "state/state.h"

static const struct jail_profile profile = {.name = (char *) "t"};

static void
test_dbus_proxy_cmd_path(void **state)
{
	struct dbus_proxy_cmd c = {};

	(void) state;
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS | RIGHT_DBUS_SYSTEM,
	                                "unix:path=/run/user/1000/bus,guid=0123",
	                                "unix:path=/run/dbus/system_bus_socket", NULL, &c),
	                 0);
	assert_string_equal(c.argv[0], "xdg-dbus-proxy");
	assert_string_equal(c.argv[1], "--fd=3");
	/* The first entry of the address, up to ','. */
	assert_string_equal(c.argv[2], "unix:path=/run/user/1000/bus");
	assert_string_equal(c.argv[3], STATE_DBUS_PROXY_SOCK);
	assert_true(strv_contains(c.argv, "unix:path=/run/dbus/system_bus_socket"));
	assert_true(strv_contains(c.argv, STATE_DBUS_SYSTEM_SOCK));
	assert_string_equal(c.bus_sockets[0], "/run/user/1000/bus");
	assert_string_equal(c.bus_sockets[1], "/run/dbus/system_bus_socket");
	assert_false(c.host_netns);
	dbus_proxy_cmd_done(&c);
	assert_null(c.argv);
	assert_null(c.bus_sockets[0]);
}

/* The proxy gets the address as it is; the sandbox binds the path it
 * will connect to, escapes undone. */
static void
test_dbus_proxy_cmd_escapes(void **state)
{
	struct dbus_proxy_cmd c = {};

	(void) state;
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS, "unix:path=/tmp/a%20b%2cc;tcp:host=x",
	                                NULL, NULL, &c),
	                 0);
	assert_string_equal(c.argv[2], "unix:path=/tmp/a%20b%2cc");
	assert_string_equal(c.bus_sockets[0], "/tmp/a b,c");
	assert_null(c.bus_sockets[1]);
	dbus_proxy_cmd_done(&c);
}

static void
test_dbus_proxy_cmd_abstract(void **state)
{
	struct dbus_proxy_cmd c = {};

	(void) state;
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS, "unix:abstract=/tmp/dbus-Xy12,guid=9",
	                                NULL, NULL, &c),
	                 0);
	assert_string_equal(c.argv[2], "unix:abstract=/tmp/dbus-Xy12");
	assert_null(c.bus_sockets[0]);
	assert_true(c.host_netns);
	dbus_proxy_cmd_done(&c);
}

/* Anything but a local socket gives no bus: never an address that makes
 * the proxy connect over the network, or one it would read otherwise than
 * we bind it. */
static void
test_dbus_proxy_cmd_refused(void **state)
{
	static const char *const bad[] = {
	    "tcp:host=127.0.0.1,port=4000",
	    "unix:tmpdir=/tmp",
	    "unix:dir=/tmp",
	    "unix:path=relative/bus",
	    "unix:path=",
	    "unix:abstract=",
	    "unix:abstract=,guid=1",
	    "unix:path=/tmp/bad%zz",
	    "unix:path=/tmp/cut%2",
	    "unix:path=/tmp/nul%00x",
	    "launchd:env=X",
	    "",
	};
	struct dbus_proxy_cmd c = {};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS, bad[i], NULL, NULL, &c),
		                 -EPROTONOSUPPORT);
	/* The system bus too. */
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS_SYSTEM, NULL, "tcp:host=x", NULL, &c),
	                 -EPROTONOSUPPORT);
}

static void
test_dbus_bus_socket(void **state)
{
	static const char *const refused[] = {
	    "tcp:host=127.0.0.1,port=1",
	    "unix:tmpdir=/tmp",
	    "unix:path=relative",
	    "unix:abstract=",
	    "unix:abstract=a%zz",
	    "unix:path=/a%00b",
	    "",
	};
	char *path = NULL, *abstract = NULL;

	(void) state;
	/* The first entry only, escapes undone. */
	assert_int_equal(dbus_bus_socket("unix:path=/run/user/1/b%2cus,guid=x;unix:abstract=y",
	                                 &path, &abstract),
	                 0);
	assert_string_equal(path, "/run/user/1/b,us");
	assert_null(abstract);
	free(path);
	assert_int_equal(dbus_bus_socket("unix:abstract=/tmp/dbus-%41b,guid=1", &path, &abstract),
	                 0);
	assert_null(path);
	assert_string_equal(abstract, "/tmp/dbus-Ab");
	free(abstract);
	for (size_t i = 0; i < ELEMENTSOF(refused); i++)
		assert_int_equal(dbus_bus_socket(refused[i], &path, &abstract), -EPROTONOSUPPORT);
}

static void
test_dbus_proxy_sandbox(void **state)
{
	struct sandbox_bind binds[DBUS_PROXY_BINDS_MAX];
	struct dbus_proxy_cmd c = {};
	struct sandbox sb;

	(void) state;
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS | RIGHT_DBUS_SYSTEM,
	                                "unix:path=/run/user/1000/bus", "unix:path=/run/dbus/sock",
	                                NULL, &c),
	                 0);
	/* A program below /usr is there already: not bound again. */
	dbus_proxy_sandbox(&c, "/usr/bin/xdg-dbus-proxy",
	                   "/run/user/1000/jailsup/jails/t/dbus-proxy", 7, NULL, -1, binds, &sb);
	assert_ptr_equal(sb.binds, binds);
	assert_int_equal(sb.n_binds, 3);
	/* Its folder is the one thing it may write, verified, and its cwd. */
	assert_string_equal(binds[0].src, "/run/user/1000/jailsup/jails/t/dbus-proxy");
	assert_int_equal(binds[0].flags, SANDBOX_BIND_RW | SANDBOX_BIND_VERIFY);
	assert_int_equal(binds[0].verify_fd, 7);
	assert_string_equal(sb.cwd, binds[0].src);
	/* The buses, read-only, at the paths their addresses name. */
	assert_string_equal(binds[1].src, "/run/user/1000/bus");
	assert_null(binds[1].dst);
	assert_int_equal(binds[1].flags, SANDBOX_BIND_TRY);
	assert_string_equal(binds[2].src, "/run/dbus/sock");
	assert_int_equal(binds[2].flags, SANDBOX_BIND_TRY);
	assert_true(sb.new_netns);
	assert_true(sb.new_pidns);
	assert_false(sb.join_current_userns);
	assert_false(sb.proc);
	assert_int_equal(sb.keep_caps, 0);

	/* A program elsewhere is bound, read-only. */
	dbus_proxy_sandbox(&c, "/opt/proxy/xdg-dbus-proxy", "/r/dbus-proxy", 7, NULL, -1, binds,
	                   &sb);
	assert_int_equal(sb.n_binds, 4);
	assert_string_equal(binds[1].src, "/opt/proxy/xdg-dbus-proxy");
	assert_int_equal(binds[1].flags, 0);

	/* The jail's identity, read-only at /.flatpak-info, verified. */
	dbus_proxy_sandbox(&c, "/opt/proxy/xdg-dbus-proxy", "/r/dbus-proxy", 7, "/r/flatpak-info",
	                   9, binds, &sb);
	/* One left: the proxy's child binds the accessibility bus there. */
	assert_int_equal(sb.n_binds, DBUS_PROXY_BINDS_MAX - 1);
	assert_string_equal(binds[4].src, "/r/flatpak-info");
	assert_string_equal(binds[4].dst, "/.flatpak-info");
	assert_int_equal(binds[4].flags, SANDBOX_BIND_VERIFY);
	assert_int_equal(binds[4].verify_fd, 9);
	dbus_proxy_cmd_done(&c);

	/* An abstract bus: the host's network, no socket to bind. */
	assert_int_equal(dbus_proxy_cmd(&profile, RIGHT_DBUS, "unix:abstract=x", NULL, NULL, &c),
	                 0);
	dbus_proxy_sandbox(&c, NULL, "/r/dbus-proxy", 7, NULL, -1, binds, &sb);
	assert_int_equal(sb.n_binds, 1);
	assert_false(sb.new_netns);
	assert_true(sb.new_pidns);
	dbus_proxy_cmd_done(&c);
}

/* The portals know a jail as org.jailsup.NAME: a valid bus name for
 * every jail name, and never the same for two. */
static void
test_dbus_app_id(void **state)
{
	static const char *const names[][2] = {
	    {"firefox-esr", "org.jailsup.firefox-esr"},
	    {"my.app", "org.jailsup.my_2eapp"},
	    {"my_2eapp", "org.jailsup.my_5f2eapp"},
	    {"2048", "org.jailsup._32048"},
	    {"a_b", "org.jailsup.a_5fb"},
	};
	_cleanup_free_ char *text = NULL;
	char *id;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		assert_int_equal(dbus_app_id(names[i][0], &id), 0);
		assert_string_equal(id, names[i][1]);
		free(id);
	}
	assert_int_equal(dbus_app_id("../x", &id), -EINVAL);
	assert_int_equal(dbus_app_id("", &id), -EINVAL);
	assert_int_equal(dbus_app_info("my.app", &text), 0);
	assert_non_null(strstr(text, "\n[Application]\nname=org.jailsup.my_2eapp\n"));
}

/* The portals right adds the portal's calls, OpenURI only with open-uri;
 * the system bus gets none of the session bus's rights. */
static void
test_dbus_proxy_rules_portals(void **state)
{
	static const struct profile_dbus none = {};
	_cleanup_strv_ char **v = NULL, **w = NULL, **x = NULL;
	const char *chooser =
	    "--call=org.freedesktop.portal.Desktop="
	    "org.freedesktop.portal.FileChooser.*@/org/freedesktop/portal/desktop";
	const char *open_uri = "--call=org.freedesktop.portal.Desktop="
	                       "org.freedesktop.portal.OpenURI.*@/org/freedesktop/portal/desktop";

	(void) state;
	assert_int_equal(dbus_proxy_rules(&none, RIGHT_PORTALS | RIGHT_OPEN_URI, &v), 0);
	assert_true(strv_contains(v, chooser));
	assert_true(strv_contains(v, open_uri));
	assert_true(strv_contains(v, "--talk=org.freedesktop.portal.Documents"));
	assert_false(strv_contains(v, "--talk=org.freedesktop.portal.Desktop"));
	assert_int_equal(dbus_proxy_rules(&none, RIGHT_PORTALS, &w), 0);
	assert_true(strv_contains(w, chooser));
	assert_false(strv_contains(w, open_uri));
	/* open-uri alone is nothing: it is a part of the portals. */
	assert_int_equal(dbus_proxy_rules(&none, RIGHT_OPEN_URI, &x), 0);
	assert_int_equal(strv_length(x), 1);
}

/* The accessibility bus's address is whoever owns org.a11y.Bus's word:
 * only at-spi-bus-launcher's socket in the runtime folder is taken. */
static void
check_a11y(const char *reply, const char *want_addr, const char *want_path)
{
	_cleanup_free_ char *addr = NULL, *path = NULL;
	int r = dbus_a11y_address(reply, "/run/user/1000", &addr, &path);

	if (want_addr == NULL) {
		assert_int_equal(r, -EPERM);
		assert_null(addr);
		return;
	}
	assert_int_equal(r, 0);
	assert_string_equal(addr, want_addr);
	assert_string_equal(path, want_path);
}

static void
test_dbus_a11y_address(void **state)
{
	_cleanup_strv_ char **argv = NULL;

	(void) state;
	check_a11y("unix:path=/run/user/1000/at-spi/bus,guid=00ff",
	           "unix:path=/run/user/1000/at-spi/bus", "/run/user/1000/at-spi/bus");
	check_a11y("unix:path=/run/user/1000/at-spi/bus_0", "unix:path=/run/user/1000/at-spi/bus_0",
	           "/run/user/1000/at-spi/bus_0");
	/* Escapes undone before the check, as the proxy would connect. */
	check_a11y("unix:path=/run/user/1000/at%2dspi/bus", "unix:path=/run/user/1000/at%2dspi/bus",
	           "/run/user/1000/at-spi/bus");
	/* Another socket of the user's, a way out of the folder, a folder
	 * inside it, another name, abstract, the network, nothing. */
	check_a11y("unix:path=/run/user/1000/ssh-agent.sock", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/../bus", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/x/bus", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/bus_", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/bus_1x", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/bus2", NULL, NULL);
	check_a11y("unix:path=/run/user/1000/at-spi/bus%00", NULL, NULL);
	check_a11y("unix:path=/run/user/10000/at-spi/bus", NULL, NULL);
	check_a11y("unix:abstract=/run/user/1000/at-spi/bus", NULL, NULL);
	check_a11y("tcp:host=127.0.0.1,port=1", NULL, NULL);
	check_a11y("", NULL, NULL);
	assert_int_equal(dbus_a11y_address("unix:path=/x/at-spi/bus", "relative", &(char *){NULL},
	                                   &(char *){NULL}),
	                 -EPERM);

	/* flatpak's filter, after the address and the socket. */
	assert_int_equal(dbus_a11y_proxy_args("unix:path=/a", &argv), 0);
	assert_string_equal(argv[0], "unix:path=/a");
	assert_string_equal(argv[1], STATE_A11Y_SOCK);
	assert_string_equal(argv[2], "--filter");
	assert_true(strv_contains(argv, "--sloppy-names"));
	assert_true(strv_contains(argv, "--call=org.a11y.atspi.Registry=org.a11y.atspi.Socket."
	                                "Embed@/org/a11y/atspi/accessible/root"));
	for (char **a = argv + 2; *a != NULL; a++)
		assert_true(
		    streq(*a, "--filter") || streq(*a, "--sloppy-names") ||
		    strstartswith(*a, "--call=org.a11y.atspi.Registry=org.a11y.atspi.") ||
		    strstartswith(*a, "--broadcast=org.a11y.atspi.Registry=org.a11y.atspi."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dbus_proxy_cmd_path),
	    cmocka_unit_test(test_dbus_a11y_address),
	    cmocka_unit_test(test_dbus_proxy_cmd_escapes),
	    cmocka_unit_test(test_dbus_proxy_cmd_abstract),
	    cmocka_unit_test(test_dbus_proxy_cmd_refused),
	    cmocka_unit_test(test_dbus_bus_socket),
	    cmocka_unit_test(test_dbus_proxy_sandbox),
	    cmocka_unit_test(test_dbus_app_id),
	    cmocka_unit_test(test_dbus_proxy_rules_portals),
	};

	return cmocka_run_group_tests_name("test-dbus-proxy", tests, NULL, NULL);
}
