/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/state.c. Each case runs in a fresh mkdtemp() directory
 * on the real filesystem and plants there what a hostile jail or a confused
 * user could: symlinks to files outside, FIFOs in place of files, directories
 * with the wrong mode or owner, mount points and deep trees. Each security
 * check of state.c has a case here that makes it fire. Checks that root would
 * pass (permission bits) run in a child that dropped to an unprivileged user.
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/state.h"

#define NOBODY 65534

/* --- fixture: a fresh directory per case ---------------------------------- */

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-state"
#include "tests/unit/tmpdir-fixture.h"

static int
rm_tree_chmod(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) ftw;
	/* Give back what a case took (mode 0000 directories) before removal. */
	if (flag == FTW_D || flag == FTW_DNR)
		(void) chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[192];

	(void) nftw(f->dir, rm_tree_chmod, 16, FTW_PHYS | FTW_MOUNT);
	/* nftw() stops at PATH_MAX; a deep tree a failed case left needs
	 * GNU chmod and rm, which walk any depth (and are not state_rm_rf():
	 * a broken removal must not hide). */
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf --one-file-system '%s'",
	         f->dir, f->dir);
	if (system(cmd) < 0)
		fprintf(stderr, "# unable to run '%s'\n", cmd);
	return fixture_teardown(state);
}

static bool
exists_at(int dir_fd, const char *name)
{
	struct stat st;

	return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static mode_t
mode_at(int dir_fd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode;
}

/* "outside/" holds what a planted link points to; returns its fd. */
static int
make_outside(struct fixture *f)
{
	int fd;

	assert_int_equal(mkdirat(f->fd, "outside", 0700), 0);
	fd = openat(f->fd, "outside", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	write_file_at(fd, "secret", "do not touch\n");
	return fd;
}

static char *
outside_path(struct fixture *f, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/outside%s%s", f->dir, name != NULL ? "/" : "",
	                     name != NULL ? name : "") > 0);
	return p;
}

/* Runs FN(ARG) in a child and returns what it returned (0 or -errno). With
 * UNPRIVILEGED, as root, the child first becomes nobody, owning DIR's tree,
 * so the kernel's permission checks apply to it as they do to a user. */
static int
run_child(bool unprivileged, const char *dir, int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r;

		if (unprivileged && geteuid() == 0) {
			char cmd[128];

			snprintf(cmd, sizeof(cmd), "chown -R -h %d:%d '%s'", NOBODY, NOBODY, dir);
			if (system(cmd) != 0)
				_exit(255);
			if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
			    setresuid(NOBODY, NOBODY, NOBODY) < 0)
				_exit(255);
		}
		r = fn(arg);
		_exit(r < 0 ? -r : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	return -WEXITSTATUS(status);
}

static int
run_unprivileged(const char *dir, int (*fn)(void *), void *arg)
{
	return run_child(true, dir, fn, arg);
}

/* The number of entries of DIR_FD, "." and ".." aside. */
static unsigned
count_entries(int dir_fd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	unsigned n = 0;
	int fd;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	d = fdopendir(fd);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	return n;
}

/* --- names ------------------------------------------------------------------ */

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_jail_name_valid_good(void **state)
{
	_cleanup_free_ char *max = repeat('a', JAIL_NAME_MAX);

	(void) state;
	assert_true(jail_name_valid("firefox"));
	assert_true(jail_name_valid("a"));
	assert_true(jail_name_valid("0"));
	assert_true(jail_name_valid("Firefox-work_2.old"));
	assert_true(jail_name_valid("a..b"));
	assert_true(jail_name_valid(max));
}

static void
test_jail_name_valid_bad(void **state)
{
	_cleanup_free_ char *over = repeat('a', JAIL_NAME_MAX + 1);
	_cleanup_free_ char *huge = repeat('a', 300);
	const char *bad[] = {"",   ".",   "..",   "../x",        "a/b", "x\ny", ".hidden", "-x",
	                     "_x", "a b", "a\tb", "caf\xc3\xa9", "a:b", "a*",   "x\n"};

	(void) state;
	assert_false(jail_name_valid(NULL));
	assert_false(jail_name_valid(over));
	assert_false(jail_name_valid(huge));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(jail_name_valid(bad[i]));
}

static void
test_state_name_valid_good(void **state)
{
	_cleanup_free_ char *max = repeat('x', NAME_MAX);

	(void) state;
	assert_true(state_name_valid("state"));
	assert_true(state_name_valid(".state.tmp"));
	assert_true(state_name_valid("..."));
	assert_true(state_name_valid("a b"));
	assert_true(state_name_valid(max));
}

static void
test_state_name_valid_bad(void **state)
{
	_cleanup_free_ char *over = repeat('x', NAME_MAX + 1);
	_cleanup_free_ char *huge = repeat('x', 300);
	const char *bad[] = {"", ".", "..", "../x", "a/b", "/", "x\ny", "x\n", "/etc"};

	(void) state;
	assert_false(state_name_valid(NULL));
	assert_false(state_name_valid(over));
	assert_false(state_name_valid(huge));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(state_name_valid(bad[i]));
}

/* --- state_dir_open() / state_dir_create() ------------------------------------ */

static void
test_state_dir_open_ok(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = -1;
	int flags;

	assert_int_equal(mkdirat(f->fd, "jail", 0700), 0);
	assert_int_equal(state_dir_open(f->fd, "jail", &fd), 0);
	flags = fcntl(fd, F_GETFD);
	assert_true(flags & FD_CLOEXEC);
	/* A real fd, not O_PATH: we can create and list in it. */
	write_file_at(fd, "x", "1");
	assert_true(exists_at(f->fd, "jail/x"));
}

static void
test_state_dir_open_missing(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	assert_int_equal(state_dir_open(f->fd, "nope", &fd), -ENOENT);
	assert_int_equal(fd, -1);
}

static void
test_state_dir_open_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	int fd = -1;

	/* outside/ is ours and 0700: only the symlink must make it fail. */
	assert_int_equal(symlinkat(target, f->fd, "jail"), 0);
	assert_int_equal(state_dir_open(f->fd, "jail", &fd), -ENOTDIR);
	assert_int_equal(fd, -1);
}

static void
test_state_dir_open_not_dir(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	write_file_at(f->fd, "file", "x");
	assert_int_equal(state_dir_open(f->fd, "file", &fd), -ENOTDIR);
	/* A FIFO must fail, not block in open(). */
	assert_int_equal(mkfifoat(f->fd, "fifo", 0600), 0);
	assert_int_equal(state_dir_open(f->fd, "fifo", &fd), -ENOTDIR);
	assert_int_equal(fd, -1);
}

static void
test_state_dir_open_mode(void **state)
{
	struct fixture *f = *state;
	const mode_t bad[] = {0755, 0750, 0701, 0500, 0300, 01700, 02700, 04700, 0777};
	int fd = -1;

	assert_int_equal(mkdirat(f->fd, "jail", 0700), 0);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_int_equal(fchmodat(f->fd, "jail", bad[i], 0), 0);
		assert_int_equal(state_dir_open(f->fd, "jail", &fd), -EPERM);
		assert_int_equal(fd, -1);
		/* Refused, not "repaired". */
		assert_int_equal(mode_at(f->fd, "jail") & 07777, bad[i]);
	}
}

static void
test_state_dir_open_other_owner(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	if (geteuid() == 0) {
		assert_int_equal(mkdirat(f->fd, "jail", 0700), 0);
		assert_int_equal(fchownat(f->fd, "jail", NOBODY, NOBODY, 0), 0);
		assert_int_equal(state_dir_open(f->fd, "jail", &fd), -EPERM);
	} else {
		/* Without root we cannot give a directory away: use one of
		 * root's that we can open. */
		_cleanup_close_ int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		assert_true(root >= 0);
		assert_int_equal(state_dir_open(root, "usr", &fd), -EPERM);
	}
	assert_int_equal(fd, -1);
}

static void
test_state_dir_open_bad_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *huge = repeat('a', 300);
	const char *bad[] = {"", ".", "..", "../x", "a/b", "x\ny"};
	int fd = -1;

	assert_int_equal(mkdirat(f->fd, "a", 0700), 0);
	assert_int_equal(mkdirat(f->fd, "a/b", 0700), 0);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(state_dir_open(f->fd, bad[i], &fd), -EINVAL);
	assert_int_equal(state_dir_open(f->fd, huge, &fd), -EINVAL);
	assert_int_equal(state_dir_open(f->fd, NULL, &fd), -EINVAL);
	assert_int_equal(state_dir_open(AT_FDCWD, "a", &fd), -EBADF);
	assert_int_equal(fd, -1);
}

static void
test_state_dir_create_new(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = -1;
	bool created = false;
	mode_t old;

	/* A umask that takes bits we need must not break the result. */
	old = umask(0277);
	assert_int_equal(state_dir_create(f->fd, "jail", &fd, &created), 0);
	umask(old);
	assert_true(created);
	assert_int_equal(mode_at(f->fd, "jail"), S_IFDIR | 0700);
	fd = safe_close(fd);

	created = true;
	assert_int_equal(state_dir_create(f->fd, "jail", &fd, &created), 0);
	assert_false(created);
	fd = safe_close(fd);
	/* ret_created may be NULL. */
	assert_int_equal(state_dir_create(f->fd, "jail", &fd, NULL), 0);
}

static void
test_state_dir_create_setgid_parent(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = -1;

	/* A setgid parent passes S_ISGID on to a new directory. */
	assert_int_equal(fchmod(f->fd, 02700), 0);
	assert_int_equal(state_dir_create(f->fd, "jail", &fd, NULL), 0);
	assert_int_equal(mode_at(f->fd, "jail"), S_IFDIR | 0700);
}

static void
test_state_dir_create_planted(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	bool created = false;
	int fd = -1;

	assert_int_equal(fchmod(out, 0700), 0);
	assert_int_equal(symlinkat(target, f->fd, "link"), 0);
	assert_int_equal(state_dir_create(f->fd, "link", &fd, &created), -ENOTDIR);
	assert_int_equal(mode_at(f->fd, "outside"), S_IFDIR | 0700);

	assert_int_equal(mkdirat(f->fd, "open", 0755), 0);
	assert_int_equal(fchmodat(f->fd, "open", 0755, 0), 0);
	assert_int_equal(state_dir_create(f->fd, "open", &fd, &created), -EPERM);
	assert_int_equal(mode_at(f->fd, "open"), S_IFDIR | 0755);

	write_file_at(f->fd, "file", "x");
	assert_int_equal(state_dir_create(f->fd, "file", &fd, &created), -ENOTDIR);
	assert_int_equal(state_dir_create(f->fd, "../x", &fd, &created), -EINVAL);
	assert_int_equal(state_dir_create(AT_FDCWD, "x", &fd, &created), -EBADF);
	assert_int_equal(fd, -1);
	assert_false(created);
	assert_false(exists_at(f->fd, "x"));
}

static void
test_state_dir_create_race(void **state)
{
	struct fixture *f = *state;
	enum { N = 8 };
	pid_t pids[N];
	int gate[2], n_created = 0;

	/* N processes wait at a pipe, then all create the same directory:
	 * every one must succeed, exactly one must have made it. */
	assert_int_equal(pipe2(gate, O_CLOEXEC), 0);
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char c;
			int fd, r;
			bool created = false;

			safe_close(gate[1]);
			if (read(gate[0], &c, 1) < 0) /* EOF when the gate opens */
				_exit(2);
			r = state_dir_create(f->fd, "jail", &fd, &created);
			_exit(r < 0 ? 2 : created ? 1 : 0);
		}
	}
	safe_close(gate[0]);
	safe_close(gate[1]);
	for (int i = 0; i < N; i++) {
		int status;

		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_not_equal(WEXITSTATUS(status), 2);
		n_created += WEXITSTATUS(status);
	}
	assert_int_equal(n_created, 1);
}

/* --- state_dir_open_path() / state_runtime_open() ---------------------------- */

static void
test_state_dir_open_path_ok(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *path = NULL, *slashed = NULL;
	_cleanup_close_ int fd = -1, fd2 = -1;

	assert_true(asprintf(&path, "%s/jail", f->dir) > 0);
	assert_true(asprintf(&slashed, "%s/jail//", f->dir) > 0);
	assert_int_equal(state_dir_open_path(path, false, &fd), -ENOENT);
	assert_int_equal(state_dir_open_path(path, true, &fd), 0);
	assert_int_equal(mode_at(f->fd, "jail"), S_IFDIR | 0700);
	assert_int_equal(state_dir_open_path(slashed, false, &fd2), 0);
}

static void
test_state_dir_open_path_bad(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	_cleanup_free_ char *link = NULL, *dots = NULL, *dot = NULL;
	int fd = -1;

	assert_int_equal(symlinkat(target, f->fd, "link"), 0);
	assert_true(asprintf(&link, "%s/link", f->dir) > 0);
	assert_true(asprintf(&dots, "%s/outside/..", f->dir) > 0);
	assert_true(asprintf(&dot, "%s/.", f->dir) > 0);
	assert_int_equal(state_dir_open_path(link, false, &fd), -ENOTDIR);
	assert_int_equal(state_dir_open_path(link, true, &fd), -ENOTDIR);
	assert_int_equal(state_dir_open_path(dots, false, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path(dot, false, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path("relative/jail", true, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path("/", false, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path("//", false, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path("", false, &fd), -EINVAL);
	assert_int_equal(state_dir_open_path(NULL, false, &fd), -EINVAL);
	assert_int_equal(fd, -1);
}

static void
test_state_runtime_open_create(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int root = -1, jails = -1, jails2 = -1;

	assert_int_equal(state_runtime_open(f->dir, false, &root, &jails), -ENOENT);
	assert_int_equal(state_runtime_open(f->dir, true, &root, &jails), 0);
	assert_int_equal(mode_at(f->fd, "jailsup"), S_IFDIR | 0700);
	assert_int_equal(mode_at(f->fd, "jailsup/jails"), S_IFDIR | 0700);
	/* The fds are the directories themselves. */
	write_file_at(root, "r", "");
	write_file_at(jails, "j", "");
	assert_true(exists_at(f->fd, "jailsup/r"));
	assert_true(exists_at(f->fd, "jailsup/jails/j"));
	/* Either out-param may be NULL. */
	assert_int_equal(state_runtime_open(f->dir, false, NULL, &jails2), 0);
	assert_int_equal(state_runtime_open(f->dir, true, NULL, NULL), 0);
}

static void
test_state_runtime_open_bad(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	int root = -1, jails = -1;

	assert_int_equal(state_runtime_open("relative", true, &root, &jails), -EINVAL);
	assert_int_equal(state_runtime_open(NULL, true, &root, &jails), -EINVAL);
	assert_int_equal(symlinkat(target, f->fd, "jailsup"), 0);
	assert_int_equal(state_runtime_open(f->dir, true, &root, &jails), -ENOTDIR);
	assert_int_equal(unlinkat(f->fd, "jailsup", 0), 0);
	assert_int_equal(mkdirat(f->fd, "jailsup", 0755), 0);
	assert_int_equal(fchmodat(f->fd, "jailsup", 0755, 0), 0);
	assert_int_equal(state_runtime_open(f->dir, true, &root, &jails), -EPERM);
	assert_int_equal(root, -1);
	assert_int_equal(jails, -1);
	assert_false(exists_at(f->fd, "outside/jails"));
}

/* --- state_read_file() --------------------------------------------------------- */

static void
test_state_read_file_ok(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *buf = NULL, *empty = NULL;
	size_t len = 0;

	write_file_at(f->fd, "state", "name=x\n");
	assert_int_equal(state_read_file(f->fd, "state", 64, &buf, &len), 0);
	assert_string_equal(buf, "name=x\n");
	assert_int_equal(len, 7);

	write_file_at(f->fd, "empty", "");
	assert_int_equal(state_read_file(f->fd, "empty", 64, &empty, NULL), 0);
	assert_string_equal(empty, "");
}

static void
test_state_read_file_too_big(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *buf = NULL;

	write_file_at(f->fd, "state", "0123456789");
	assert_int_equal(state_read_file(f->fd, "state", 9, &buf, NULL), -EFBIG);
	assert_null(buf);
	assert_int_equal(state_read_file(f->fd, "state", 10, &buf, NULL), 0);
	assert_string_equal(buf, "0123456789");
}

/* --- state_read_tail() --------------------------------------------------------- */

static void
test_state_read_tail_whole(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *buf = NULL, *from = NULL, *past = NULL;
	size_t len = 0;

	write_file_at(f->fd, "log", "old line\nnew one\nlast\n");
	assert_int_equal(state_read_tail(f->fd, "log", 0, 64, &buf, &len), 0);
	assert_string_equal(buf, "old line\nnew one\nlast\n");
	assert_int_equal(len, 22);
	/* From an offset (where this start's lines begin): not cut, so no
	 * line start is looked for. */
	assert_int_equal(state_read_tail(f->fd, "log", 9, 64, &from, NULL), 0);
	assert_string_equal(from, "new one\nlast\n");
	/* An offset past the end (the log was replaced): nothing. */
	assert_int_equal(state_read_tail(f->fd, "log", 100, 64, &past, &len), 0);
	assert_string_equal(past, "");
	assert_int_equal(len, 0);
}

static void
test_state_read_tail_cut(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *buf = NULL, *one = NULL;
	size_t len = 0;

	/* The last 10 bytes are " one\nlast\n": the piece of a line goes,
	 * the tail starts at a line. */
	write_file_at(f->fd, "log", "first line\nsecond one\nlast\n");
	assert_int_equal(state_read_tail(f->fd, "log", 0, 10, &buf, &len), 0);
	assert_string_equal(buf, "last\n");
	assert_int_equal(len, 5);
	/* No line start in the tail: the bytes as they are. */
	write_file_at(f->fd, "long", "0123456789abcdef");
	assert_int_equal(state_read_tail(f->fd, "long", 0, 4, &one, NULL), 0);
	assert_string_equal(one, "cdef");
}

static void
test_state_read_tail_refused(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, "secret");
	char *buf = NULL;

	assert_int_equal(symlinkat(target, f->fd, "log"), 0);
	assert_int_equal(state_read_tail(f->fd, "log", 0, 64, &buf, NULL), -ELOOP);
	assert_int_equal(mkfifoat(f->fd, "fifo", 0600), 0);
	assert_int_equal(state_read_tail(f->fd, "fifo", 0, 64, &buf, NULL), -EINVAL);
	assert_int_equal(state_read_tail(f->fd, "../log", 0, 64, &buf, NULL), -EINVAL);
	assert_int_equal(state_read_tail(f->fd, "missing", 0, 64, &buf, NULL), -ENOENT);
	assert_null(buf);
}

static void
test_state_read_file_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, "secret");
	char *buf = NULL;

	assert_int_equal(symlinkat(target, f->fd, "state"), 0);
	assert_int_equal(state_read_file(f->fd, "state", 1024, &buf, NULL), -ELOOP);
	assert_null(buf);
}

static void
test_state_read_file_fifo(void **state)
{
	struct fixture *f = *state;
	char *buf = NULL;

	/* No writer: a blocking open would wait forever (alarm() ends that). */
	assert_int_equal(mkfifoat(f->fd, "state", 0600), 0);
	assert_int_equal(state_read_file(f->fd, "state", 1024, &buf, NULL), -EINVAL);
	assert_null(buf);
}

static void
test_state_read_file_not_regular(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int dev = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *buf = NULL;

	assert_int_equal(mkdirat(f->fd, "dir", 0700), 0);
	assert_int_equal(state_read_file(f->fd, "dir", 1024, &buf, NULL), -EINVAL);
	/* A device: /dev/zero would never end. */
	assert_true(dev >= 0);
	assert_int_equal(state_read_file(dev, "zero", 1024, &buf, NULL), -EINVAL);
	assert_int_equal(state_read_file(f->fd, "missing", 1024, &buf, NULL), -ENOENT);
	assert_int_equal(state_read_file(f->fd, "../x", 1024, &buf, NULL), -EINVAL);
	assert_int_equal(state_read_file(f->fd, "a/b", 1024, &buf, NULL), -EINVAL);
	assert_null(buf);
}

/* --- state_write_atomic() ------------------------------------------------------ */

static void
test_state_write_atomic_new(void **state)
{
	struct fixture *f = *state;
	mode_t old;

	/* Whatever the umask, we can read back what we wrote. */
	old = umask(0277);
	assert_int_equal(state_write_atomic(f->fd, "state", "a=1\n", 4), 0);
	umask(old);
	assert_int_equal(mode_at(f->fd, "state"), S_IFREG | 0600);
	assert_file_content(f->fd, "state", "a=1\n");
	assert_false(exists_at(f->fd, ".state.tmp"));

	assert_int_equal(state_write_atomic(f->fd, "empty", NULL, 0), 0);
	assert_file_content(f->fd, "empty", "");
}

static void
test_state_write_atomic_replace(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *old_content = NULL;
	_cleanup_close_ int old = -1;

	write_file_at(f->fd, "state", "old\n");
	old = openat(f->fd, "state", O_RDONLY | O_CLOEXEC);
	assert_true(old >= 0);
	assert_int_equal(state_write_atomic(f->fd, "state", "new\n", 4), 0);
	assert_file_content(f->fd, "state", "new\n");
	/* Replaced, not rewritten: a reader that had the old file keeps it. */
	assert_int_equal(read_all(old, 64, &old_content, NULL), 0);
	assert_string_equal(old_content, "old\n");
}

static void
test_state_write_atomic_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, "secret");

	assert_int_equal(symlinkat(target, f->fd, "state"), 0);
	assert_int_equal(state_write_atomic(f->fd, "state", "a=1\n", 4), 0);
	assert_int_equal(mode_at(f->fd, "state"), S_IFREG | 0600);
	assert_file_content(f->fd, "state", "a=1\n");
	assert_file_content(out, "secret", "do not touch\n");
}

static void
test_state_write_atomic_stale_tmp(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, "secret");

	/* A temp file left by a crash is replaced. */
	write_file_at(f->fd, ".state.tmp", "garbage");
	assert_int_equal(state_write_atomic(f->fd, "state", "a=1\n", 4), 0);
	assert_file_content(f->fd, "state", "a=1\n");
	assert_false(exists_at(f->fd, ".state.tmp"));

	/* A link planted as the temp file is removed, not written through. */
	assert_int_equal(symlinkat(target, f->fd, ".state.tmp"), 0);
	assert_int_equal(state_write_atomic(f->fd, "state", "a=2\n", 4), 0);
	assert_file_content(f->fd, "state", "a=2\n");
	assert_file_content(out, "secret", "do not touch\n");
	assert_false(exists_at(f->fd, ".state.tmp"));

	/* A FIFO too: O_EXCL creation never opens it. */
	assert_int_equal(mkfifoat(f->fd, ".state.tmp", 0600), 0);
	assert_int_equal(state_write_atomic(f->fd, "state", "a=3\n", 4), 0);
	assert_file_content(f->fd, "state", "a=3\n");
}

/* --- state_remove_temps() ----------------------------------------------------- */

static void
test_state_remove_temps_only_regular_dot_tmp(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, "secret");

	write_file_at(f->fd, ".state.tmp", "cut short");
	write_file_at(f->fd, ".profile.ini.tmp", "cut short");
	write_file_at(f->fd, "state", "status=starting\n");
	write_file_at(f->fd, "keep.tmp", "not ours: no dot");
	write_file_at(f->fd, ".tmp", "no name before it");
	assert_int_equal(symlinkat(target, f->fd, ".link.tmp"), 0);
	assert_int_equal(mkdirat(f->fd, ".dir.tmp", 0700), 0);
	assert_int_equal(mkfifoat(f->fd, ".fifo.tmp", 0600), 0);

	assert_int_equal(state_remove_temps(f->fd), 2);
	assert_false(exists_at(f->fd, ".state.tmp"));
	assert_false(exists_at(f->fd, ".profile.ini.tmp"));
	/* Nothing else: not a link (nor what it points to), a directory or
	 * a FIFO planted under such a name, not other files. */
	assert_true(exists_at(f->fd, "state"));
	assert_true(exists_at(f->fd, "keep.tmp"));
	assert_true(exists_at(f->fd, ".tmp"));
	assert_true(exists_at(f->fd, ".link.tmp"));
	assert_true(exists_at(f->fd, ".dir.tmp"));
	assert_true(exists_at(f->fd, ".fifo.tmp"));
	assert_file_content(out, "secret", "do not touch\n");
	assert_int_equal(state_remove_temps(f->fd), 0);
}

static void
test_state_write_atomic_tmp_is_dir(void **state)
{
	struct fixture *f = *state;

	write_file_at(f->fd, "state", "old\n");
	assert_int_equal(mkdirat(f->fd, ".state.tmp", 0700), 0);
	assert_int_equal(state_write_atomic(f->fd, "state", "new\n", 4), -EEXIST);
	assert_file_content(f->fd, "state", "old\n");
	assert_int_equal(mode_at(f->fd, ".state.tmp") & S_IFMT, S_IFDIR);
}

static void
test_state_write_atomic_onto_dir(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdirat(f->fd, "state", 0700), 0);
	assert_true(state_write_atomic(f->fd, "state", "new\n", 4) < 0);
	assert_false(exists_at(f->fd, ".state.tmp"));
	assert_int_equal(mode_at(f->fd, "state") & S_IFMT, S_IFDIR);
}

static void
test_state_write_atomic_bad_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *fits = repeat('x', NAME_MAX - 5);
	_cleanup_free_ char *too_long = repeat('x', NAME_MAX - 4);

	assert_int_equal(state_write_atomic(f->fd, "../x", "a", 1), -EINVAL);
	assert_int_equal(state_write_atomic(f->fd, "a/b", "a", 1), -EINVAL);
	assert_int_equal(state_write_atomic(f->fd, "", "a", 1), -EINVAL);
	assert_int_equal(state_write_atomic(f->fd, "..", "a", 1), -EINVAL);
	assert_int_equal(state_write_atomic(f->fd, "x\ny", "a", 1), -EINVAL);
	/* ".NAME.tmp" must fit NAME_MAX as well. */
	assert_int_equal(state_write_atomic(f->fd, too_long, "a", 1), -ENAMETOOLONG);
	assert_int_equal(state_write_atomic(f->fd, fits, "a", 1), 0);
	assert_false(exists_at(f->fd, "x"));
}

/* --- state_rm_rf() ------------------------------------------------------------------ */

static void
make_tree(int dir_fd, const char *name)
{
	_cleanup_close_ int fd = -1;

	assert_int_equal(mkdirat(dir_fd, name, 0700), 0);
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	write_file_at(fd, "state", "a=1\n");
	assert_int_equal(mkfifoat(fd, "iso-pipe", 0600), 0);
	assert_int_equal(symlinkat("/nonexistent", fd, "dangling"), 0);
	assert_int_equal(mkdirat(fd, "home", 0700), 0);
	assert_int_equal(mkdirat(fd, "home/.config", 0755), 0);
	write_file_at(fd, "home/.config/x", "x");
	assert_int_equal(mkdirat(fd, "home/empty", 0700), 0);
}

static void
test_state_rm_rf_tree(void **state)
{
	struct fixture *f = *state;

	make_tree(f->fd, "jail");
	write_file_at(f->fd, "keep", "k");
	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	assert_false(exists_at(f->fd, "jail"));
	assert_true(exists_at(f->fd, "keep"));
}

static void
test_state_rm_rf_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(state_rm_rf(f->fd, "nope"), 0);
}

static void
test_state_rm_rf_file(void **state)
{
	struct fixture *f = *state;

	write_file_at(f->fd, "file", "x");
	assert_int_equal(mkfifoat(f->fd, "fifo", 0600), 0);
	assert_int_equal(state_rm_rf(f->fd, "file"), 0);
	assert_int_equal(state_rm_rf(f->fd, "fifo"), 0);
	assert_false(exists_at(f->fd, "file"));
	assert_false(exists_at(f->fd, "fifo"));
}

static void
test_state_rm_rf_bad_name(void **state)
{
	struct fixture *f = *state;

	make_tree(f->fd, "jail");
	assert_int_equal(state_rm_rf(f->fd, "../x"), -EINVAL);
	assert_int_equal(state_rm_rf(f->fd, "jail/home"), -EINVAL);
	assert_int_equal(state_rm_rf(f->fd, "."), -EINVAL);
	assert_int_equal(state_rm_rf(f->fd, ".."), -EINVAL);
	assert_int_equal(state_rm_rf(f->fd, ""), -EINVAL);
	assert_true(exists_at(f->fd, "jail/home/.config/x"));
}

static void
test_state_rm_rf_symlink_outside(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	_cleanup_free_ char *file = outside_path(f, "secret");

	assert_int_equal(mkdirat(out, "sub", 0700), 0);
	write_file_at(out, "sub/deep", "deep");
	make_tree(f->fd, "jail");
	/* Links to the outside directory, to a file there, and a link as
	 * NAME itself: each goes, what it points to stays. */
	assert_int_equal(symlinkat(target, f->fd, "jail/home/link"), 0);
	assert_int_equal(symlinkat(file, f->fd, "jail/filelink"), 0);
	assert_int_equal(symlinkat(target, f->fd, "toplink"), 0);

	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	assert_int_equal(state_rm_rf(f->fd, "toplink"), 0);
	assert_false(exists_at(f->fd, "jail"));
	assert_false(exists_at(f->fd, "toplink"));
	assert_file_content(out, "secret", "do not touch\n");
	assert_file_content(out, "sub/deep", "deep");
	assert_int_equal(mode_at(f->fd, "outside"), S_IFDIR | 0700);
}

/* Below the directory FD (which it takes), a chain of N directories "d",
 * each beside a file "f"; returns an fd of the last one. Two fds at a time,
 * whatever N. */
static int
chain_down(int fd, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int sub;

		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		write_file_at(fd, "f", "x");
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(sub >= 0);
		safe_close(fd);
		fd = sub;
	}
	return fd;
}

/* Makes NAME and a chain of N directories "d" below it. */
static void
make_deep(int dir_fd, const char *name, unsigned n)
{
	int fd;

	assert_int_equal(mkdirat(dir_fd, name, 0700), 0);
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	fd = chain_down(fd, n);
	write_file_at(fd, "bottom", "x");
	safe_close(fd);
}

/* Removes "jail" below the directory ARG (a path). */
static int
rm_rf_in(void *arg)
{
	const char *dir = arg;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return state_rm_rf(fd, "jail");
}

static void
test_state_rm_rf_deep(void **state)
{
	struct fixture *f = *state;

	/* Just below and just beyond what is entered without moving. */
	make_deep(f->fd, "jail", STATE_RM_OPEN_MAX - 1);
	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	assert_false(exists_at(f->fd, "jail"));
	make_deep(f->fd, "jail", STATE_RM_OPEN_MAX + 1);
	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	assert_false(exists_at(f->fd, "jail"));
}

static void
test_state_rm_rf_deep_5000(void **state)
{
	struct fixture *f = *state;

	/* A tree a jail can leave in its home: far beyond any fd budget and
	 * beyond PATH_MAX (2 bytes a level). */
	make_deep(f->fd, "jail", 5000);
	write_file_at(f->fd, "keep", "k");
	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	assert_false(exists_at(f->fd, "jail"));
	assert_true(exists_at(f->fd, "keep"));
	/* Nothing of the moved subtrees is left beside the top either. */
	assert_int_equal(count_entries(f->fd), 1);
}

struct fds_case {
	const char *dir;
	rlim_t budget; /* fds the removal may hold beyond stdio and the parent */
};

/* In a child: only stdio and the parent directory (fd 3) open, and
 * RLIMIT_NOFILE set so that the removal may hold CASE->budget fds more;
 * one fd beyond and open() fails with EMFILE. */
static int
rm_rf_fd_budget(void *arg)
{
	const struct fds_case *c = arg;
	struct rlimit rl = {4 + c->budget, 4 + c->budget};
	int fd;

	if (close_range(3, ~0U, 0) < 0)
		return -errno;
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != 3)
		return -EBADF;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return state_rm_rf(fd, "jail");
}

static void
test_state_rm_rf_deep_10000_fds(void **state)
{
	struct fixture *f = *state;
	struct fds_case c = {.dir = f->dir, .budget = STATE_RM_OPEN_MAX + 1};

	/* The documented bound holds at every moment of the walk, at any
	 * depth: the kernel refuses the first fd beyond it. */
	make_deep(f->fd, "jail", 10000);
	assert_int_equal(run_child(false, f->dir, rm_rf_fd_budget, &c), 0);
	assert_false(exists_at(f->fd, "jail"));
	assert_int_equal(count_entries(f->fd), 0);

	/* And it is the bound: one fd less and the walk runs out, so the case
	 * above would see a removal that took more. */
	make_deep(f->fd, "jail", 100);
	c.budget = STATE_RM_OPEN_MAX;
	assert_int_equal(run_child(false, f->dir, rm_rf_fd_budget, &c), -EMFILE);
}

/* renameat2() as a filesystem without RENAME_NOREPLACE (NFS) has it, while
 * no_noreplace is set (tests/module.mk links this test with
 * --wrap=renameat2). */
static bool no_noreplace;
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned flags);

int
__wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                 unsigned flags)
{
	if (no_noreplace && (flags & RENAME_NOREPLACE)) {
		errno = EINVAL;
		return -1;
	}
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* The names deep subtrees are moved to are in the tree's own namespace: an
 * app may have made them first, as a file, a full and an empty directory,
 * a link. Each is passed over (or, an empty directory without
 * RENAME_NOREPLACE, replaced), and all of it goes. */
static void
run_taken_names_case(struct fixture *f, bool plain_rename)
{
	_cleanup_close_ int fd = -1;

	make_deep(f->fd, "jail", 4 * STATE_RM_OPEN_MAX);
	fd = openat(f->fd, "jail", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	write_file_at(fd, ".jailsup-rm-0", "taken");
	assert_int_equal(mkdirat(fd, ".jailsup-rm-1", 0700), 0);
	write_file_at(fd, ".jailsup-rm-1/x", "x");
	assert_int_equal(mkdirat(fd, ".jailsup-rm-2", 0700), 0);
	assert_int_equal(symlinkat(f->dir, fd, ".jailsup-rm-3"), 0);
	write_file_at(f->fd, "keep", "k");

	no_noreplace = plain_rename;
	assert_int_equal(state_rm_rf(f->fd, "jail"), 0);
	no_noreplace = false;
	assert_false(exists_at(f->fd, "jail"));
	assert_true(exists_at(f->fd, "keep"));
	assert_int_equal(count_entries(f->fd), 1);
}

static void
test_state_rm_rf_moved_name_taken(void **state)
{
	run_taken_names_case(*state, false);
}

static void
test_state_rm_rf_no_noreplace(void **state)
{
	run_taken_names_case(*state, true);
}

static void
test_state_rm_rf_readonly_subdir(void **state)
{
	struct fixture *f = *state;

	/* Apps make read-only trees (Go's module cache); removing a jail's
	 * home must not stop at them. As a user, not as root, where the
	 * permission bits would not matter. */
	make_tree(f->fd, "jail");
	assert_int_equal(mkdirat(f->fd, "jail/ro", 0700), 0);
	write_file_at(f->fd, "jail/ro/file", "x");
	assert_int_equal(mkdirat(f->fd, "jail/ro/sub", 0700), 0);
	write_file_at(f->fd, "jail/ro/sub/file", "x");
	assert_int_equal(fchmodat(f->fd, "jail/ro/sub", 0500, 0), 0);
	assert_int_equal(fchmodat(f->fd, "jail/ro", 0555, 0), 0);
	assert_int_equal(mkdirat(f->fd, "jail/none", 0700), 0);
	write_file_at(f->fd, "jail/none/file", "x");
	assert_int_equal(fchmodat(f->fd, "jail/none", 0000, 0), 0);

	assert_int_equal(run_unprivileged(f->dir, rm_rf_in, f->dir), 0);
	assert_false(exists_at(f->fd, "jail"));
}

/* Plants in the directory FD what an app can make there: names with a
 * newline, of NAME_MAX bytes, of control and non-UTF-8 bytes, a FIFO, a
 * socket, symlinks (to OUT_PATH, to a file there, to "..", to itself), a
 * hard link of OUT_FD's "secret", files of mode 0000 and 07777, and
 * directories that hold a file and have no or odd permissions. */
static void
plant_odd(int fd, int out_fd, const char *out_path)
{
	_cleanup_free_ char *longest = repeat('n', NAME_MAX);
	_cleanup_free_ char *secret = NULL;
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	static const mode_t dir_modes[] = {0000, 0100, 0200, 0300, 0400, 0500, 01000, 07000};
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "sock"};

	assert_true(asprintf(&secret, "%s/secret", out_path) > 0);
	write_file_at(fd, "new\nline", "x");
	write_file_at(fd, "\n", "x");
	write_file_at(fd, longest, "x");
	write_file_at(fd, "\001\x7f\xff\xfe -rf *", "x");
	assert_int_equal(mkfifoat(fd, "fifo", 0600), 0);
	/* bind() takes a path: from inside FD, a short relative one. */
	assert_true(cwd >= 0 && sock >= 0);
	assert_int_equal(fchdir(fd), 0);
	assert_int_equal(bind(sock, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(fchdir(cwd), 0);
	assert_int_equal(symlinkat(out_path, fd, "to-outside"), 0);
	assert_int_equal(symlinkat(secret, fd, "to-secret"), 0);
	assert_int_equal(symlinkat("..", fd, "up"), 0);
	assert_int_equal(symlinkat("self", fd, "self"), 0);
	assert_int_equal(linkat(out_fd, "secret", fd, "hard", 0), 0);
	write_file_at(fd, "mode0000", "x");
	assert_int_equal(fchmodat(fd, "mode0000", 0000, 0), 0);
	write_file_at(fd, "mode7777", "x");
	assert_int_equal(fchmodat(fd, "mode7777", 07777, 0), 0);
	for (size_t i = 0; i < ELEMENTSOF(dir_modes); i++) {
		char name[16];

		snprintf(name, sizeof(name), "dir%04o", (unsigned) dir_modes[i]);
		assert_int_equal(mkdirat(fd, name, 0700), 0);
		assert_int_equal(mkdirat(fd, strcat(name, "/sub"), 0700), 0);
		strcat(name, "/f");
		write_file_at(fd, name, "x");
		name[7] = '\0';
		assert_int_equal(fchmodat(fd, name, dir_modes[i], 0), 0);
	}
}

/* A chain of N directories below NAME, each holding plant_odd()'s entries
 * and each given one of the odd modes once its child is made (an fd of a
 * directory still works after its mode is taken away). */
static void
make_odd_deep(struct fixture *f, int out_fd, const char *name, unsigned n)
{
	static const mode_t modes[] = {0000, 0100, 0300, 0500, 01000, 0555, 02700, 0200};
	_cleanup_free_ char *out_path = outside_path(f, NULL);
	int fd;

	assert_int_equal(mkdirat(f->fd, name, 0700), 0);
	fd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (unsigned i = 0; i < n; i++) {
		int sub;

		plant_odd(fd, out_fd, out_path);
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(sub >= 0);
		if (i > 0) /* NAME keeps its mode: the top's own checks are elsewhere */
			assert_int_equal(fchmod(fd, modes[i % ELEMENTSOF(modes)]), 0);
		safe_close(fd);
		fd = sub;
	}
	plant_odd(fd, out_fd, out_path);
	assert_int_equal(fchmod(fd, 0000), 0);
	safe_close(fd);
}

static void
test_state_rm_rf_odd_names_and_modes(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	struct stat st;

	/* Deeper than what is entered without moving, so the odd modes meet
	 * both ways down: entered, and moved into the top. As a user: root
	 * would pass every permission check. */
	make_odd_deep(f, out, "jail", 3 * STATE_RM_OPEN_MAX + 5);
	assert_int_equal(fstatat(out, "secret", &st, 0), 0);
	assert_int_equal(st.st_nlink, 3 * STATE_RM_OPEN_MAX + 7);

	assert_int_equal(run_unprivileged(f->dir, rm_rf_in, f->dir), 0);
	assert_false(exists_at(f->fd, "jail"));
	assert_int_equal(count_entries(f->fd), 1); /* outside/ */
	assert_file_content(out, "secret", "do not touch\n");
	assert_int_equal(fstatat(out, "secret", &st, 0), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(mode_at(f->fd, "outside"), S_IFDIR | 0700);
	assert_int_equal(count_entries(out), 1);
}

struct mount_case {
	const char *dir;
	bool bind;      /* a bind mount of outside/ (same st_dev), else a tmpfs */
	unsigned depth; /* directories between jail/home and the mount point */
};

/* "jail/home/d/d/…/mnt", DEPTH times "d". */
static char *
mount_point_of(unsigned depth)
{
	char *p = malloc(sizeof("jail/home/mnt") + 2 * depth);

	assert_non_null(p);
	strcpy(p, "jail/home");
	for (unsigned i = 0; i < depth; i++)
		strcat(p, "/d");
	strcat(p, "/mnt");
	return p;
}

/* Whether the mount MNT_ID is in our mount namespace. */
static bool
mounted(uint64_t mnt_id)
{
	_cleanup_close_ int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	char id[32];
	int n;

	if (fd < 0 || read_all(fd, 1 << 20, &text, NULL) < 0)
		return false;
	n = snprintf(id, sizeof(id), "%" PRIu64 " ", mnt_id);
	for (const char *l = text; l != NULL && *l != '\0';
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, id, (size_t) n) == 0)
			return true;
	return false;
}

static int
rm_rf_across_mount(void *arg)
{
	const struct mount_case *c = arg;
	_cleanup_free_ char *rel = mount_point_of(c->depth), *mnt = NULL, *outside = NULL;
	_cleanup_close_ int fd = -1, m = -1;
	struct statx before, after;
	struct stat st;
	int r;

	r = enter_mount_ns();
	if (r < 0)
		return r;
	if (asprintf(&mnt, "%s/%s", c->dir, rel) < 0 ||
	    asprintf(&outside, "%s/outside", c->dir) < 0)
		return -ENOMEM;
	if (c->bind)
		r = mount(outside, mnt, NULL, MS_BIND, NULL);
	else
		r = mount("tmpfs", mnt, "tmpfs", 0, "mode=0700");
	if (r < 0)
		return -errno;
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The mount's root, held: after the removal it is found through this,
	 * wherever the tree around it was moved. */
	m = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m < 0)
		return -errno;
	if (!c->bind) {
		_cleanup_close_ int x = openat(m, "inside", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (x < 0)
			return -errno;
		/* A mode the removal would "repair" in a directory of its own. */
		if (fchmod(m, 0500) < 0)
			return -errno;
	}
	if (statx(m, "", AT_EMPTY_PATH, STATX_MODE | STATX_MNT_ID, &before) < 0)
		return -errno;

	r = state_rm_rf(fd, "jail");
	if (r != -EBUSY)
		return r < 0 ? r : -ENOTEMPTY; /* anything but -EBUSY fails the case */
	/* What is mounted is untouched, still mounted, its mode as it was. */
	if (fstatat(m, c->bind ? "secret" : "inside", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -ENOENT;
	if (statx(m, "", AT_EMPTY_PATH, STATX_MODE | STATX_MNT_ID, &after) < 0)
		return -errno;
	if (after.stx_mode != before.stx_mode || !mounted(before.stx_mnt_id))
		return -ESTALE;
	/* The rest is gone. */
	if (fstatat(fd, "jail/state", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(fd, "jail/home/.config", &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	/* Still inside the tree, and the tree still refuses to go. */
	if (state_rm_rf(fd, "jail") != -EBUSY)
		return -EIO;
	return 0;
}

static void
run_mount_case(struct fixture *f, bool bind, unsigned depth)
{
	_cleanup_close_ int out = make_outside(f);
	struct mount_case c = {.dir = f->dir, .bind = bind, .depth = depth};
	pid_t pid;
	int status;

	make_tree(f->fd, "jail");
	{
		int fd = openat(f->fd, "jail/home", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		assert_true(fd >= 0);
		fd = chain_down(fd, depth);
		assert_int_equal(mkdirat(fd, "mnt", 0700), 0);
		safe_close(fd);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r = rm_rf_across_mount(&c);

		_exit(r < 0 ? -r : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("in the mount namespace: %s", strerror(WEXITSTATUS(status)));
	assert_file_content(out, "secret", "do not touch\n");
	assert_int_equal(mode_at(f->fd, "outside"), S_IFDIR | 0700);
}

static void
test_state_rm_rf_mount_point(void **state)
{
	run_mount_case(*state, false, 0);
}

static void
test_state_rm_rf_bind_mount(void **state)
{
	/* Same filesystem, so the same st_dev: only the mount id tells. */
	run_mount_case(*state, true, 0);
}

static void
test_state_rm_rf_mount_deep(void **state)
{
	/* Below the depth where subtrees are moved into the top: the move
	 * takes the mount along, and it is still refused there. */
	run_mount_case(*state, false, STATE_RM_OPEN_MAX + 3);
}

static void
test_state_rm_rf_bind_mount_deep(void **state)
{
	run_mount_case(*state, true, 2 * STATE_RM_OPEN_MAX + 3);
}

/* --- state_list_jails() ---------------------------------------------------------------- */

static void
test_state_list_jails_ok(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int out = make_outside(f);
	_cleanup_free_ char *target = outside_path(f, NULL);
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *huge = repeat('a', JAIL_NAME_MAX + 1);

	assert_int_equal(mkdirat(f->fd, "jails", 0700), 0);
	{
		_cleanup_close_ int jails =
		    openat(f->fd, "jails", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		off_t before;

		assert_true(jails >= 0);
		assert_int_equal(mkdirat(jails, "zeta", 0700), 0);
		assert_int_equal(mkdirat(jails, "alpha", 0700), 0);
		assert_int_equal(mkdirat(jails, "Beta.2", 0700), 0);
		assert_int_equal(mkdirat(jails, ".hidden", 0700), 0);
		assert_int_equal(mkdirat(jails, "-dash", 0700), 0);
		assert_int_equal(mkdirat(jails, "x\ny", 0700), 0);
		assert_int_equal(mkdirat(jails, huge, 0700), 0);
		write_file_at(jails, "file", "");
		assert_int_equal(mkfifoat(jails, "fifo", 0600), 0);
		assert_int_equal(symlinkat(target, jails, "link"), 0);

		before = lseek(jails, 0, SEEK_CUR);
		assert_int_equal(state_list_jails(jails, &names), 0);
		assert_int_equal(lseek(jails, 0, SEEK_CUR), before);
	}
	assert_int_equal(strv_length(names), 3);
	assert_string_equal(names[0], "Beta.2");
	assert_string_equal(names[1], "alpha");
	assert_string_equal(names[2], "zeta");
	assert_null(names[3]);
}

static void
test_state_list_jails_empty(void **state)
{
	struct fixture *f = *state;
	_cleanup_strv_ char **names = NULL;

	assert_int_equal(state_list_jails(f->fd, &names), 0);
	assert_non_null(names);
	assert_null(names[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, teardown)
	    T(test_jail_name_valid_good),
	    T(test_jail_name_valid_bad),
	    T(test_state_name_valid_good),
	    T(test_state_name_valid_bad),
	    T(test_state_dir_open_ok),
	    T(test_state_dir_open_missing),
	    T(test_state_dir_open_symlink),
	    T(test_state_dir_open_not_dir),
	    T(test_state_dir_open_mode),
	    T(test_state_dir_open_other_owner),
	    T(test_state_dir_open_bad_name),
	    T(test_state_dir_create_new),
	    T(test_state_dir_create_setgid_parent),
	    T(test_state_dir_create_planted),
	    T(test_state_dir_create_race),
	    T(test_state_dir_open_path_ok),
	    T(test_state_dir_open_path_bad),
	    T(test_state_runtime_open_create),
	    T(test_state_runtime_open_bad),
	    T(test_state_read_file_ok),
	    T(test_state_read_file_too_big),
	    T(test_state_read_file_symlink),
	    T(test_state_read_file_fifo),
	    T(test_state_read_file_not_regular),
	    T(test_state_read_tail_whole),
	    T(test_state_read_tail_cut),
	    T(test_state_read_tail_refused),
	    T(test_state_write_atomic_new),
	    T(test_state_write_atomic_replace),
	    T(test_state_write_atomic_symlink),
	    T(test_state_write_atomic_stale_tmp),
	    T(test_state_write_atomic_tmp_is_dir),
	    T(test_state_remove_temps_only_regular_dot_tmp),
	    T(test_state_write_atomic_onto_dir),
	    T(test_state_write_atomic_bad_name),
	    T(test_state_rm_rf_tree),
	    T(test_state_rm_rf_missing),
	    T(test_state_rm_rf_file),
	    T(test_state_rm_rf_bad_name),
	    T(test_state_rm_rf_symlink_outside),
	    T(test_state_rm_rf_deep),
	    T(test_state_rm_rf_deep_5000),
	    T(test_state_rm_rf_deep_10000_fds),
	    T(test_state_rm_rf_moved_name_taken),
	    T(test_state_rm_rf_no_noreplace),
	    T(test_state_rm_rf_readonly_subdir),
	    T(test_state_rm_rf_odd_names_and_modes),
	    T(test_state_rm_rf_mount_point),
	    T(test_state_rm_rf_bind_mount),
	    T(test_state_rm_rf_mount_deep),
	    T(test_state_rm_rf_bind_mount_deep),
	    T(test_state_list_jails_ok),
	    T(test_state_list_jails_empty),
#undef T
	};

	return cmocka_run_group_tests_name("test-state", tests, NULL, NULL);
}
