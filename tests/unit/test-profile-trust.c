/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the trust boundary (ini-profiles/trust.h) and of what
 * uses it in libjailprofile: which places jails can write, paths walked
 * against them on a real filesystem (a symlink the user made is
 * followed, one inside a place is not; a place found by device and inode,
 * whatever its spelling), an exe in such a place bound as its file alone,
 * and the read-write shares refused because the session runs them.
 *
 * Each test runs in a fresh mkdtemp() folder holding a fake home, XDG
 * folders and profile folders (profile-fixture.h); nothing outside it is
 * touched.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/profile.h"
#include "ini-profiles/trust.h"

#define FIXTURE_NAME "test-trust"
#include "tests/unit/profile-fixture.h"

static void
xmkdirs(const char *path)
{
	assert_int_equal(mkdir_parents(path, 0700), 0);
	if (mkdir(path, 0700) < 0)
		assert_int_equal(errno, EEXIST);
}

/* A profile NAME in the user's folder with the given [share] lines. */
static void
write_profile(struct fx *fx, const char *dir, const char *name, const char *shares)
{
	_cleanup_free_ char *file = NULL, *text = NULL;

	assert_true(asprintf(&file, "%s/%s.ini", dir, name) > 0);
	assert_true(asprintf(&text, "[jail]\nexec = /bin/true\n[share]\n%s", shares) > 0);
	xmkdirs(dir);
	write_file(file, text, 0600);
	(void) fx;
}

/* The shared fixture, with the user's profile folder made. */
static int
setup(void **state)
{
	struct fx *fx;

	if (profile_fixture_setup(state) < 0)
		return -1;
	fx = *state;
	xmkdirs(fx->user_dir);
	return 0;
}

/* --- the places ------------------------------------------------------------- */

static bool
places_have(const struct trust_places *places, const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	for (size_t i = 0; i < places->n; i++)
		if (places->v[i].dev == st.st_dev && places->v[i].ino == st.st_ino)
			return true;
	return false;
}

static void
test_trust_places_load_every_source(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *jails = xjoin(fx->data, "jailsup/jails"),
	                    *runtime = xjoin(fx->runtime, "jailsup"),
	                    *dl = xjoin(fx->home, "Downloads"), *music = xjoin(fx->home, "Music"),
	                    *sys = xjoin(fx->dir, "srv-share"), *old = xjoin(fx->home, "Old"),
	                    *state_dir = xjoin(fx->runtime, "jailsup/jails/gone"),
	                    *state_profile = NULL, *text = NULL;
	struct trust_places places = {};

	xmkdirs(jails);
	xmkdirs(state_dir);
	xmkdirs(dl);
	xmkdirs(music);
	xmkdirs(sys);
	xmkdirs(old);
	write_profile(fx, fx->user_dir, "browser", "rw = ~/Downloads\nro = ~/Music\n");
	assert_true(asprintf(&text, "rw = %s\n", sys) > 0);
	write_profile(fx, fx->etc_dir, "system", text);
	/* A profile that does not load starts no jail: it adds nothing. */
	write_profile(fx, fx->user_dir, "broken", "rw = ~/Music\nbogus = 1\n");
	/* A jail that runs with a profile since changed: its share counts. */
	state_profile = xjoin(state_dir, "profile.ini");
	write_file(state_profile, "[jail]\nexec = /bin/true\n[share]\nrw = ~/Old\n", 0600);

	assert_int_equal(trust_places_load(&fx->env, &places), 0);
	assert_true(places_have(&places, jails));
	assert_true(places_have(&places, runtime));
	assert_true(places_have(&places, dl));
	assert_true(places_have(&places, sys));
	assert_true(places_have(&places, old));
	assert_false(places_have(&places, music));
	assert_false(places_have(&places, fx->home));
	trust_places_done(&places);
	assert_int_equal(places.n, 0);
}

/* --- walking a path ------------------------------------------------------- */

static void
test_trust_resolve_outside_and_user_links(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *cfg = xjoin(fx->home, "vpn"), *file = xjoin(fx->home, "vpn/a.ovpn"),
	                    *link = xjoin(fx->home, "link"), *via = xjoin(fx->home, "link/a.ovpn"),
	                    *resolved = NULL, *where = NULL;
	struct trust_places places = {};

	xmkdirs(cfg);
	write_file(file, "client\n", 0600);
	assert_int_equal(symlink("vpn", link), 0);
	assert_int_equal(trust_places_load(&fx->env, &places), 0);
	/* A link the user made, outside every place, is followed. */
	assert_int_equal(trust_resolve(&places, via, &resolved, &where), 0);
	assert_string_equal(resolved, file);
	assert_null(where);
	resolved = mfree(resolved);
	/* ".." and "." as the kernel reads them. */
	{
		_cleanup_free_ char *dotted = xjoin(fx->home, "vpn/./../vpn/a.ovpn");

		assert_int_equal(trust_resolve(&places, dotted, &resolved, NULL), 0);
		assert_string_equal(resolved, file);
		resolved = mfree(resolved);
	}
	assert_int_equal(trust_resolve(&places, "/", &resolved, NULL), 0);
	assert_string_equal(resolved, "/");
	resolved = mfree(resolved);
	{
		_cleanup_free_ char *missing = xjoin(fx->home, "vpn/none.ovpn");

		assert_int_equal(trust_resolve(&places, missing, &resolved, &where), -ENOENT);
		assert_null(resolved);
	}
	assert_int_equal(trust_resolve(&places, "relative/x", &resolved, &where), -EINVAL);
	trust_places_done(&places);
}

static void
test_trust_resolve_inside_a_share(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *dl = xjoin(fx->home, "Downloads"), *sub = xjoin(dl, "sub"),
	                    *file = xjoin(dl, "sub/x.ovpn"), *secret = xjoin(fx->home, "secret"),
	                    *secret_file = xjoin(fx->home, "secret/deploy.sh"),
	                    *planted = xjoin(dl, "tool.sh"), *fresh = xjoin(dl, "not-yet"),
	                    *resolved = NULL, *where = NULL;
	struct trust_places places = {};

	xmkdirs(sub);
	xmkdirs(secret);
	write_file(file, "client\n", 0600);
	write_file(secret_file, "#!/bin/sh\n", 0700);
	assert_int_equal(symlink(secret_file, planted), 0);
	write_profile(fx, fx->user_dir, "browser", "rw = ~/Downloads\n");
	assert_int_equal(trust_places_load(&fx->env, &places), 0);

	assert_int_equal(trust_resolve(&places, file, &resolved, &where), 1);
	assert_string_equal(resolved, file);
	assert_non_null(strstr(where, "profile 'browser'"));
	assert_non_null(strstr(where, dl));
	resolved = mfree(resolved);
	where = mfree(where);
	/* The share itself is a place too. */
	assert_int_equal(trust_resolve(&places, dl, NULL, &where), 1);
	where = mfree(where);
	/* A link the jail may have planted is never followed, and says where. */
	assert_int_equal(trust_resolve(&places, planted, &resolved, &where), -ELOOP);
	assert_null(resolved);
	assert_non_null(where);
	assert_non_null(strstr(where, "browser"));
	where = mfree(where);
	/* What a jail could still create there is as good as written. */
	assert_int_equal(trust_resolve(&places, fresh, &resolved, &where), 1);
	assert_string_equal(resolved, fresh);
	resolved = mfree(resolved);
	where = mfree(where);
	trust_places_done(&places);

	/* The same questions in one call each, loading the places itself. */
	assert_int_equal(trust_path_jail_writable(&fx->env, file, &where), 1);
	where = mfree(where);
	assert_int_equal(trust_path_jail_writable(&fx->env, secret_file, &where), 0);
	assert_null(where);
}

static void
test_trust_resolve_share_by_another_name(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *real = xjoin(fx->dir, "data-real"), *alias = xjoin(fx->home, "Data"),
	                    *file = xjoin(fx->dir, "data-real/conf"), *where = NULL;

	xmkdirs(real);
	write_file(file, "x\n", 0600);
	/* The profile names the folder by a link; the file by its real path. */
	assert_int_equal(symlink(real, alias), 0);
	write_profile(fx, fx->user_dir, "app", "rw = ~/Data\n");
	assert_int_equal(trust_path_jail_writable(&fx->env, file, &where), 1);
	assert_non_null(strstr(where, "'app'"));
}

static void
test_trust_resolve_file_share_and_private_data(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *notes = xjoin(fx->home, "notes.txt"),
	                    *home_file = xjoin(fx->data, "jailsup/jails/other/home/.bashrc"),
	                    *home_dir = xjoin(fx->data, "jailsup/jails/other/home"), *where = NULL;

	write_file(notes, "x\n", 0600);
	write_profile(fx, fx->etc_dir, "editor", "rw = ~/notes.txt\n");
	assert_int_equal(trust_path_jail_writable(&fx->env, notes, &where), 1);
	assert_non_null(strstr(where, "'editor'"));
	where = mfree(where);
	/* Every jail's private home, whether or not its profile exists. */
	xmkdirs(home_dir);
	write_file(home_file, "x\n", 0600);
	assert_int_equal(trust_path_jail_writable(&fx->env, home_file, &where), 1);
	assert_non_null(strstr(where, "private home"));
}

static void
test_trust_path_system_file(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *where = NULL;

	(void) fx;
	assert_int_equal(trust_path_jail_writable(&fx->env, "/bin/sh", &where), 0);
	assert_null(where);
	assert_int_equal(trust_path_jail_writable(&fx->env, "/nonexistent/x", &where), -ENOENT);
}

/* --- the exe --------------------------------------------------------------- */

static void
test_exe_in_share_binds_the_file_alone(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *dl = xjoin(fx->home, "Downloads/tools"),
	                    *tool = xjoin(fx->home, "Downloads/tools/tool.sh"),
	                    *dst = xjoin(fx->home, "shared/Downloads/tools/tool.sh"), *why = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	xmkdirs(dl);
	write_file(tool, "#!/bin/sh\nexit 0\n", 0755);
	write_profile(fx, fx->user_dir, "browser", "rw = ~/Downloads\n");
	assert_int_equal(
	    profile_resolve_exe_full("~/Downloads/tools/tool.sh", NULL, &fx->env, &res, &why), 0);
	assert_true(res.bind_file);
	assert_string_equal(res.bind_src, tool);
	assert_string_equal(res.bind_dst, dst);
	assert_string_equal(res.jail_path, dst);
	assert_null(why);
}

static void
test_exe_swapped_for_a_link_is_refused(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *dl = xjoin(fx->home, "Downloads"), *secret = xjoin(fx->home, "secret"),
	                    *target = xjoin(fx->home, "secret/deploy.sh"),
	                    *tool = xjoin(fx->home, "Downloads/tool.sh"), *why = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	xmkdirs(dl);
	xmkdirs(secret);
	write_file(target, "#!/bin/sh\nexit 0\n", 0755);
	assert_int_equal(symlink(target, tool), 0);
	write_profile(fx, fx->user_dir, "browser", "rw = ~/Downloads\n");
	assert_int_equal(profile_resolve_exe_full(tool, NULL, &fx->env, &res, &why), -ELOOP);
	assert_null(res.bind_src);
	assert_non_null(why);
	assert_non_null(strstr(why, "'browser'"));
	assert_non_null(strstr(why, tool));
}

static void
test_exe_user_link_outside_shares_still_followed(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *apps = xjoin(fx->home, "apps/bin"),
	                    *tool = xjoin(fx->home, "apps/bin/tool"),
	                    *link = xjoin(fx->home, "tool-link");
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	xmkdirs(apps);
	write_file(tool, "#!/bin/sh\nexit 0\n", 0755);
	assert_int_equal(symlink(tool, link), 0);
	write_profile(fx, fx->user_dir, "browser", "rw = ~/Downloads\n");
	assert_int_equal(profile_resolve_exe(link, NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, tool);
	assert_string_equal(res.bind_src, apps);
	assert_false(res.bind_file);
}

/* --- read-write shares the session runs ------------------------------------ */

static void
test_share_rw_session_files(void **state)
{
	static const struct profile_env env = {
	    .home = "/home/u",
	    .xdg_config_home = "/cfg/u",
	    .xdg_data_home = "/data/u",
	    .xdg_runtime_dir = "/run/user/1000",
	};
	static const char *const refused[] = {
	    "/home/u/.bashrc",
	    "/home/u/.profile",
	    "/home/u/.bash_profile",
	    "/home/u/.zshrc",
	    "/home/u/.config/autostart",
	    "/home/u/.config/systemd",
	    "/home/u/.config/systemd/user",
	    "/home/u/.config/environment.d",
	    "/home/u/.local/share/applications",
	    "/home/u/.local/share/applications/x.desktop",
	    "/home/u/.local/share/dbus-1/services",
	    "/home/u/.ssh",
	    "/home/u/.ssh/authorized_keys",
	    "/home/u/.gnupg",
	    "/home/u/.local/bin",
	    "/home/u/bin",
	    "/home/u/.xprofile",
	    "/home/u/.xsessionrc",
	    "/home/u/.pam_environment",
	    "/home/u/.local",
	    "/home/u/.config",
	    "/cfg/u/systemd",
	    "/cfg/u/environment.d/x.conf",
	    "/data/u/applications",
	    "/data/u",
	};
	static const char *const allowed[] = {
	    "/home/u/Downloads",   "/home/u/.mozilla",
	    "/home/u/.config/app", "/home/u/.bashrc.d-notes",
	    "/home/u/binaries",    "/home/u/.local/share/fonts",
	    "/cfg/u/app",          "/data/u/app",
	};
	const char *what;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		what = NULL;
		if (profile_share_rw_allowed(refused[i], &env, &what) != -EPERM)
			fail_msg("'%s' allowed read-write", refused[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
		if (profile_share_rw_allowed(allowed[i], &env, NULL) != 0)
			fail_msg("'%s' refused read-write", allowed[i]);
	what = NULL;
	assert_int_equal(profile_share_rw_allowed("/home/u/.ssh", &env, &what), -EPERM);
	assert_string_equal(what, ".ssh");
	/* Read-only, the same files are fine. */
	assert_int_equal(profile_share_allowed("/home/u/.bashrc", &env), 0);
	assert_int_equal(profile_share_allowed("/home/u/.ssh", &env), 0);
}

static void
test_share_rw_session_file_in_profile(void **state)
{
	struct fx *fx = *state;
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	assert_int_equal(profile_parse("[jail]\nexec = /bin/true\n[share]\nro = ~/.bashrc\n", "a",
	                               NULL, &fx->env, &p, &err),
	                 0);
	p = profile_free(p);
	assert_int_equal(profile_parse("[jail]\nexec = /bin/true\n[share]\nrw = ~/.bashrc\n", "a",
	                               NULL, &fx->env, &p, &err),
	                 -EINVAL);
	assert_null(p);
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.msg, "read-write is refused"));
	assert_non_null(strstr(err.msg, ".bashrc"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, profile_fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_trust_places_load_every_source),
	    T(test_trust_resolve_outside_and_user_links),
	    T(test_trust_resolve_inside_a_share),
	    T(test_trust_resolve_share_by_another_name),
	    T(test_trust_resolve_file_share_and_private_data),
	    T(test_trust_path_system_file),
	    T(test_exe_in_share_binds_the_file_alone),
	    T(test_exe_swapped_for_a_link_is_refused),
	    T(test_exe_user_link_outside_shares_still_followed),
	    T(test_share_rw_session_files),
	    T(test_share_rw_session_file_in_profile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
