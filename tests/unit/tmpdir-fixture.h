/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fixture the unit tests of state/ share: each case runs in a fresh
 * mkdtemp() directory on the real filesystem ("/tmp/FIXTURE_NAME-XXXXXX"),
 * held open as f->fd, under an alarm() so that a case that blocks (a FIFO
 * opened the wrong way) dies instead of hanging; teardown removes the tree.
 * Also the small file helpers those cases plant and check files with.
 *
 * Also enter_mount_ns(), for the cases that need a mount point.
 *
 * Test-only and included by one test file each, so the functions are
 * static inline: a test that does not use one gets no warning for it.
 * The including file first defines FIXTURE_NAME and its struct fixture,
 * which holds at least
 *
 *	char dir[64];
 *	int fd;
 *
 * and may carry more; a file that needs more setup or teardown wraps
 * fixture_setup() and fixture_teardown() in its own.
 */
#ifndef JAILSUP_TMPDIR_FIXTURE_H
#define JAILSUP_TMPDIR_FIXTURE_H

#include <sys/mount.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/util.h"

#ifndef FIXTURE_NAME
#error "define FIXTURE_NAME (the mkdtemp() prefix) before including tmpdir-fixture.h"
#endif

static inline int
fixture_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP)
		(void) rmdir(path);
	else
		(void) unlink(path);
	return 0;
}

static inline int
fixture_setup(void **state)
{
	_cleanup_free_ struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/" FIXTURE_NAME "-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->fd < 0)
		return -1;
	alarm(60); /* a case that blocks dies, not hangs */
	*state = TAKE_PTR(f);
	return 0;
}

/* The cleanup does not use state_rm_rf(): a broken rm_rf must not hide. */
static inline int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	alarm(0);
	safe_close(f->fd);
	(void) nftw(f->dir, fixture_rm_entry, 16, FTW_PHYS | FTW_MOUNT | FTW_DEPTH);
	free(f);
	return 0;
}

/* Writes LEN bytes of CONTENT (NULs included) to NAME below DIR_FD. */
static inline void
write_bytes_at(int dir_fd, const char *name, const char *content, size_t len)
{
	_cleanup_close_ int fd =
	    openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, content, len), 0);
}

static inline void
write_file_at(int dir_fd, const char *name, const char *content)
{
	write_bytes_at(dir_fd, name, content, strlen(content));
}

/* The whole content of PATH (absolute or below DIR_FD), following links. */
static inline char *
read_file_at(int dir_fd, const char *name)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;

	assert_true(fd >= 0);
	assert_int_equal(read_all(fd, 1 << 20, &buf, NULL), 0);
	return buf;
}

static inline void
assert_file_content(int dir_fd, const char *name, const char *expect)
{
	_cleanup_free_ char *buf = read_file_at(dir_fd, name);

	assert_string_equal(buf, expect);
}

static inline int
write_id_map(const char *file, const char *line)
{
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return write_all(fd, line, strlen(line));
}

/* In a child: a private mount namespace where it may mount (a user
 * namespace mapping our own uid to itself when we are not root). */
static inline int
enter_mount_ns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (geteuid() != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return -errno;
		if (write_id_map("/proc/self/setgroups", "deny") < 0)
			return -EPERM;
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) uid, (unsigned) uid);
		if (write_id_map("/proc/self/uid_map", map) < 0)
			return -EPERM;
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) gid, (unsigned) gid);
		if (write_id_map("/proc/self/gid_map", map) < 0)
			return -EPERM;
	} else if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	return 0;
}

#endif
