/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/crypt-home.c: which backend a jail's data folder
 * holds (both, a symlink, a file, a folder of the wrong mode are refused,
 * never taken for "not encrypted"), whether the state directory's home is
 * a mount point (also as `jailsup list` asks, from the jails' folder),
 * and the wait for that mount, which must end both when the mount comes
 * and when the backend dies first.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/crypt-home.h"
#include "state/state.h"

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-crypt-home"
#include "tests/unit/tmpdir-fixture.h"

static void
test_backend_names(void **state)
{
	(void) state;
	assert_string_equal(crypt_backend_to_string(CRYPT_NONE), "false");
	assert_string_equal(crypt_backend_to_string(CRYPT_GOCRYPTFS), "gocryptfs");
	assert_int_equal(crypt_backend_from_string("encfs"), CRYPT_ENCFS);
	assert_int_equal(crypt_backend_from_string("gocryptfs"), CRYPT_GOCRYPTFS);
	assert_int_equal(crypt_backend_from_string("false"), _CRYPT_BACKEND_INVALID);
	assert_int_equal(crypt_backend_from_string("bogus"), _CRYPT_BACKEND_INVALID);
	assert_int_equal(crypt_backend_from_string(NULL), _CRYPT_BACKEND_INVALID);
	assert_string_equal(crypt_backend_dir(CRYPT_ENCFS), "home.encfs");
	assert_null(crypt_backend_dir(CRYPT_NONE));
	assert_string_equal(crypt_backend_pid_file(CRYPT_GOCRYPTFS), STATE_GOCRYPTFS_PID);
	assert_null(crypt_backend_to_string(_CRYPT_BACKEND_MAX));
}

static void
test_detect_at(void **state)
{
	struct fixture *f = *state;
	enum crypt_backend b = _CRYPT_BACKEND_INVALID;

	assert_int_equal(crypt_backend_detect_at(f->fd, &b), 0);
	assert_int_equal(b, CRYPT_NONE);
	assert_int_equal(mkdirat(f->fd, "home", 0700), 0);
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), 0);
	assert_int_equal(b, CRYPT_NONE);
	assert_int_equal(mkdirat(f->fd, "home.gocryptfs", 0700), 0);
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), 0);
	assert_int_equal(b, CRYPT_GOCRYPTFS);
	/* Both: which one is meant cannot be guessed. */
	assert_int_equal(mkdirat(f->fd, "home.encfs", 0700), 0);
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), -EEXIST);
	assert_int_equal(unlinkat(f->fd, "home.gocryptfs", AT_REMOVEDIR), 0);
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), 0);
	assert_int_equal(b, CRYPT_ENCFS);
}

static void
test_detect_at_refuses_links_and_files(void **state)
{
	struct fixture *f = *state;
	enum crypt_backend b = CRYPT_NONE;

	/* A symlink to an encrypted folder elsewhere is not followed, and not
	 * taken for "no encryption" either. */
	assert_int_equal(mkdirat(f->fd, "elsewhere", 0700), 0);
	assert_int_equal(symlinkat("elsewhere", f->fd, "home.encfs"), 0);
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), -ENOTDIR);
	assert_int_equal(unlinkat(f->fd, "home.encfs", 0), 0);
	write_file_at(f->fd, "home.gocryptfs", "");
	assert_int_equal(crypt_backend_detect_at(f->fd, &b), -ENOTDIR);
}

static void
test_data_dir_open(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *data = path_join(f->dir, "a/b/data");
	_cleanup_free_ char *jail = NULL;
	enum crypt_backend b = _CRYPT_BACKEND_INVALID;
	int fd = -1;
	struct stat st;

	/* Missing: not encrypted, nothing created. */
	assert_int_equal(jail_data_dir_open(data, "j", false, &fd), -ENOENT);
	assert_int_equal(crypt_backend_detect(data, "j", &b), 0);
	assert_int_equal(b, CRYPT_NONE);
	assert_int_equal(jail_data_dir_open(data, "../x", true, &fd), -EINVAL);
	assert_int_equal(jail_data_dir_open("relative", "j", true, &fd), -EINVAL);
	assert_int_equal(jail_data_dir_open(data, "j", true, &fd), 0);
	assert_int_equal(mkdirat(fd, "home.encfs", 0700), 0);
	safe_close(fd);
	assert_int_equal(crypt_backend_detect(data, "j", &b), 0);
	assert_int_equal(b, CRYPT_ENCFS);
	jail = path_join(data, "jailsup/jails/j");
	assert_int_equal(stat(jail, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* A folder made by hand with another mode is refused, not repaired. */
	assert_int_equal(chmod(jail, 0755), 0);
	assert_int_equal(crypt_backend_detect(data, "j", &b), -EPERM);
}

static void
test_is_mount_point_plain(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(crypt_is_mount_point(f->fd, "home"), 0);
	assert_int_equal(mkdirat(f->fd, "home", 0700), 0);
	assert_int_equal(crypt_is_mount_point(f->fd, "home"), 0);
	assert_int_equal(symlinkat("/", f->fd, "link"), 0);
	assert_int_equal(crypt_is_mount_point(f->fd, "link"), 0);
	assert_int_equal(crypt_is_mount_point(f->fd, "../x"), -EINVAL);
}

/* A child that waits on PIPE_FD, then mounts a tmpfs on DIR/home when
 * MOUNT, then exits (or, with STAY, waits for a second byte first). */
static pid_t
fork_mounter(const char *dir, int pipe_fd, bool do_mount, bool stay)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		_cleanup_free_ char *home = path_join(dir, "home");
		char c;

		if (read(pipe_fd, &c, 1) != 1)
			_exit(1);
		if (do_mount && mount("tmpfs", home, "tmpfs", 0, "mode=0700") < 0)
			_exit(2);
		if (stay)
			_exit(read(pipe_fd, &c, 1) == 1 ? 0 : 3);
		_exit(0);
	}
	return pid;
}

/* In its own mount namespace: the wait ends with the mount (0) or, when
 * the process dies without one, with -ECHILD. */
static int
wait_cases(const char *dir)
{
	int fds[2], r, status;
	pid_t pid;
	int pidfd, dir_fd;

	r = enter_mount_ns();
	if (r < 0)
		return 10;
	/* Opened in the new namespace: an fd from before the unshare() walks
	 * the old mount tree, where the new mounts are not. */
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return 20;
	if (mkdirat(dir_fd, "home", 0700) < 0 || pipe(fds) < 0)
		return 11;
	/* Dies without mounting. */
	pid = fork_mounter(dir, fds[0], false, false);
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || write(fds[1], "x", 1) != 1)
		return 12;
	if (crypt_wait_mounted(dir_fd, "home", pidfd) != -ECHILD)
		return 13;
	(void) waitpid(pid, &status, 0);
	close(pidfd);
	if (crypt_is_mount_point(dir_fd, "home") != 0)
		return 14;
	/* Mounts and stays: woken by the mount, not by an exit. */
	pid = fork_mounter(dir, fds[0], true, true);
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || write(fds[1], "x", 1) != 1)
		return 15;
	r = crypt_wait_mounted(dir_fd, "home", pidfd);
	if (r != 0)
		return 16;
	if (crypt_is_mount_point(dir_fd, "home") != 1)
		return 17;
	if (write(fds[1], "x", 1) != 1)
		return 18;
	(void) waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 19;
}

/* In its own mount namespace: JAIL/home below a jails folder is a mount
 * point (1) only when something is mounted there, never by following a
 * planted symlink; and the mount id changes with the mount. */
static int
mounted_below_cases(const char *dir)
{
	_cleanup_free_ char *home = NULL;
	uint64_t before, after;
	int jails;

	if (enter_mount_ns() < 0)
		return 10;
	jails = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (jails < 0 || mkdirat(jails, "j", 0700) < 0)
		return 11;
	if (crypt_home_mounted_below(jails, "j") != 0) /* no home yet */
		return 12;
	if (crypt_home_mounted_below(jails, "../x") != -EINVAL ||
	    crypt_home_mounted_below(jails, "a/b") != -EINVAL)
		return 13;
	/* A symlink planted as home, to a mount point: not followed. */
	if (symlinkat("/proc", jails, "j/home") < 0 || crypt_home_mounted_below(jails, "j") != 0)
		return 14;
	if (unlinkat(jails, "j/home", 0) < 0 || mkdirat(jails, "j/home", 0700) < 0)
		return 15;
	if (crypt_home_mounted_below(jails, "j") != 0 ||
	    crypt_mount_id(jails, "j/home", &before) < 0)
		return 16;
	home = path_join(dir, "j/home");
	if (home == NULL || mount("tmpfs", home, "tmpfs", 0, "mode=0700") < 0)
		return 17;
	if (crypt_home_mounted_below(jails, "j") != 1)
		return 18;
	if (crypt_mount_id(jails, "j/home", &after) < 0 || after == before)
		return 19;
	if (umount(home) < 0 || crypt_home_mounted_below(jails, "j") != 0)
		return 20;
	return 0;
}

/* CASES(DIR) in a child (it enters a mount namespace of its own): its
 * exit status is the number of the first check that failed, 0 for none. */
static void
assert_cases_pass(int (*cases)(const char *dir), const char *dir)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(cases(dir));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_home_mounted_below(void **state)
{
	struct fixture *f = *state;

	assert_cases_pass(mounted_below_cases, f->dir);
}

static void
test_wait_mounted(void **state)
{
	struct fixture *f = *state;

	assert_cases_pass(wait_cases, f->dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
		T(test_backend_names),
		T(test_detect_at),
		T(test_detect_at_refuses_links_and_files),
		T(test_data_dir_open),
		T(test_is_mount_point_plain),
		T(test_wait_mounted),
		T(test_home_mounted_below),
#undef T
	};

	return cmocka_run_group_tests_name("test-crypt-home", tests, NULL, NULL);
}
