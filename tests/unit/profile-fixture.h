/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fixture the unit tests of libjailprofile share (test-profile.c,
 * test-profile-trust.c): each case runs in a fresh mkdtemp() directory
 * DIR = "/tmp/FIXTURE_NAME-XXXXXX" holding a fake user, so that nothing
 * outside it is touched:
 *
 *	DIR/home                             HOME (made)
 *	DIR/home/.config                     XDG_CONFIG_HOME
 *	DIR/home/.local/share                XDG_DATA_HOME
 *	DIR/run                              XDG_RUNTIME_DIR (made)
 *	DIR/home/.config/jailsup/profiles    the user's profiles
 *	DIR/etc-profiles                     the system's profiles (made)
 *
 * fx->env describes that user: its profile search path is the user's
 * folder, then the system's, and PATH is /usr/bin:/bin. A file that needs
 * more wraps profile_fixture_setup() in its own setup (fx->dirs has room
 * for one more folder; shipped_dir and bin are test-profile.c's, NULL
 * otherwise, and freed by the teardown). Also the small helpers both
 * files write their files with.
 *
 * Test-only and included by one test file each, so the functions are
 * static inline: a test that does not use one gets no warning for it. The
 * including file first defines FIXTURE_NAME (the mkdtemp() prefix).
 */
#ifndef JAILSUP_PROFILE_FIXTURE_H
#define JAILSUP_PROFILE_FIXTURE_H

#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/profile.h"
#include "state/util.h"

#ifndef FIXTURE_NAME
#error "define FIXTURE_NAME (the mkdtemp() prefix) before including profile-fixture.h"
#endif

struct fx {
	char dir[64];
	char *home, *config, *data, *runtime, *user_dir, *etc_dir, *shipped_dir, *bin;
	const char *dirs[4];
	struct profile_env env;
};

static inline char *
xjoin(const char *a, const char *b)
{
	char *p = path_join(a, b);

	assert_non_null(p);
	return p;
}

/* Writes TEXT to PATH, created or truncated, with exactly MODE. */
static inline void
write_file(const char *path, const char *text, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	assert_int_equal(fchmod(fd, mode), 0);
}

static inline int
profile_fixture_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/" FIXTURE_NAME "-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->home = xjoin(fx->dir, "home");
	fx->config = xjoin(fx->home, ".config");
	fx->data = xjoin(fx->home, ".local/share");
	fx->runtime = xjoin(fx->dir, "run");
	fx->user_dir = xjoin(fx->config, "jailsup/profiles");
	fx->etc_dir = xjoin(fx->dir, "etc-profiles");
	assert_int_equal(mkdir(fx->home, 0700), 0);
	assert_int_equal(mkdir(fx->runtime, 0700), 0);
	assert_int_equal(mkdir(fx->etc_dir, 0700), 0);
	fx->dirs[0] = fx->user_dir;
	fx->dirs[1] = fx->etc_dir;
	fx->dirs[2] = NULL;
	fx->env = (struct profile_env){
	    .home = fx->home,
	    .xdg_config_home = fx->config,
	    .xdg_data_home = fx->data,
	    .xdg_runtime_dir = fx->runtime,
	    .path = "/usr/bin:/bin",
	    .search_dirs = fx->dirs,
	};
	*state = fx;
	return 0;
}

static inline int
profile_fixture_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) flag;
	(void) ftw;
	(void) remove(path);
	return 0;
}

/* Leaves DIR first: a case may have made it the working directory. */
static inline int
profile_fixture_teardown(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(chdir("/"), 0);
	(void) nftw(fx->dir, profile_fixture_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx->home);
	free(fx->config);
	free(fx->data);
	free(fx->runtime);
	free(fx->user_dir);
	free(fx->etc_dir);
	free(fx->shipped_dir);
	free(fx->bin);
	free(fx);
	return 0;
}

#endif
