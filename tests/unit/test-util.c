/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/util.c and the inline helpers of util.h: the strict
 * number parsers (every byte a lax parser would accept is refused here),
 * string vectors, the I/O loops and their bounds, the path helpers, and
 * unix sockets named below a directory fd.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/util.h"

/* --- fixture: a fresh directory per case ---------------------------------- */

struct fixture {
	char dir[64];
	int fd;
};

#define NOBODY 65534

#define FIXTURE_NAME "test-util"
#include "tests/unit/tmpdir-fixture.h"

/* --- parsers --------------------------------------------------------------------- */

static void
test_parse_u64_good(void **state)
{
	uint64_t v = 7;

	(void) state;
	assert_int_equal(parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("1", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_u64("1234567890", &v), 0);
	assert_int_equal(v, 1234567890);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void
test_parse_u64_bad(void **state)
{
	const char *bad[] = {"",    "-1",  "+1", " 1",  "1 ",  "01",  "00", "0x1", "1a",
	                     "1.0", "1e3", "１", "1\n", "\t1", "- 1", "0 ", "abc"};
	uint64_t v = 7;

	(void) state;
	assert_int_equal(parse_u64(NULL, &v), -EINVAL);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(parse_u64(bad[i], &v), -EINVAL);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("99999999999999999999999", &v), -ERANGE);
	/* ret is written only on success. */
	assert_int_equal(v, 7);
}

static void
test_parse_pid_range(void **state)
{
	pid_t pid = 7;

	(void) state;
	assert_int_equal(parse_pid("1", &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(parse_pid("4194304", &pid), 0);
	assert_int_equal(pid, 4194304);
	assert_int_equal(parse_pid("0", &pid), -ERANGE);
	assert_int_equal(parse_pid("4194305", &pid), -ERANGE);
	assert_int_equal(parse_pid("4294967297", &pid), -ERANGE);
	assert_int_equal(parse_pid("-1", &pid), -EINVAL);
	assert_int_equal(parse_pid("1 ", &pid), -EINVAL);
	assert_int_equal(pid, 4194304);
}

static void
test_parse_uint_range(void **state)
{
	unsigned v = 7;

	(void) state;
	assert_int_equal(parse_uint("5", 5, 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_uint("10", 5, 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(parse_uint("4", 5, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("11", 5, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(parse_uint("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	assert_int_equal(parse_uint("x", 0, 10, &v), -EINVAL);
	assert_int_equal(v, 4294967295u);
}

/* --- strv ---------------------------------------------------------------------------- */

static void
test_strv_push(void **state)
{
	_cleanup_strv_ char **v = NULL;

	(void) state;
	assert_int_equal(strv_length(NULL), 0);
	assert_false(strv_contains(NULL, "a"));
	assert_int_equal(strv_push(&v, "a"), 0);
	assert_int_equal(strv_push(&v, "b"), 0);
	assert_int_equal(strv_push(&v, ""), 0);
	assert_int_equal(strv_length(v), 3);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[2], "");
	assert_null(v[3]);
	assert_true(strv_contains(v, "b"));
	assert_true(strv_contains(v, ""));
	assert_false(strv_contains(v, "c"));
	assert_null(strv_free(NULL));
}

static void
test_strv_free_returns_null(void **state)
{
	char **v = NULL;

	(void) state;
	assert_int_equal(strv_push(&v, "x"), 0);
	v = strv_free(v);
	assert_null(v);
}

/* --- fds, helpers ------------------------------------------------------------------------ */

static void
test_safe_close_keeps_errno(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void) state;
	assert_true(fd >= 0);
	errno = ENOSPC;
	assert_int_equal(safe_close(fd), -1);
	assert_int_equal(errno, ENOSPC);
	/* Closing nothing (and a bad fd) is fine and keeps errno as well. */
	assert_int_equal(safe_close(-1), -1);
	assert_int_equal(errno, ENOSPC);
}

static void
test_take_fd_take_ptr(void **state)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *p = strdup("x");
	_cleanup_free_ char *q = NULL;
	int g;

	(void) state;
	assert_true(fd >= 0);
	g = TAKE_FD(fd);
	assert_int_equal(fd, -1);
	assert_true(g >= 0);
	safe_close(g);
	q = TAKE_PTR(p);
	assert_null(p);
	assert_string_equal(q, "x");
}

static void
test_neg_errno(void **state)
{
	(void) state;
	assert_int_equal(NEG_ERRNO(close(-1)), -EBADF);
	assert_int_equal(NEG_ERRNO(getpid() > 0 ? 5 : -1), 5);
}

static void
test_streq_startswith(void **state)
{
	(void) state;
	assert_true(streq("a", "a"));
	assert_false(streq("a", "ab"));
	assert_true(strstartswith("pid=1", "pid="));
	assert_true(strstartswith("pid=", "pid="));
	assert_false(strstartswith("pi", "pid="));
	assert_true(strstartswith("x", ""));
}

static void
test_write_all_read_all(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *big = malloc(100000), *back = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;

	assert_non_null(big);
	for (size_t i = 0; i < 100000; i++)
		big[i] = (char) ('a' + i % 26);
	fd = openat(f->fd, "big", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, big, 100000), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_all(fd, 100000, &back, &len), 0);
	assert_int_equal(len, 100000);
	assert_memory_equal(back, big, 100000);
	assert_int_equal(back[100000], '\0');
}

static void
test_read_all_bounds(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = -1;
	char *buf = NULL;
	size_t len = 99;

	fd = openat(f->fd, "f", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);

	/* Empty: an empty string, not NULL. */
	assert_int_equal(read_all(fd, 10, &buf, &len), 0);
	assert_string_equal(buf, "");
	assert_int_equal(len, 0);
	free(buf);
	buf = NULL;

	assert_int_equal(write_all(fd, "0123456789", 10), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_all(fd, 10, &buf, NULL), 0);
	assert_string_equal(buf, "0123456789");
	free(buf);
	buf = NULL;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_all(fd, 9, &buf, NULL), -EFBIG);
	assert_null(buf);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(read_all(fd, 0, &buf, NULL), -EFBIG);
	assert_null(buf);
}

static void
test_read_all_pipe(void **state)
{
	_cleanup_free_ char *buf = NULL;
	int p[2];

	(void) state;
	/* Short reads from a pipe are put together. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write_all(p[1], "ab", 2), 0);
	assert_int_equal(write_all(p[1], "cd", 2), 0);
	safe_close(p[1]);
	assert_int_equal(read_all(p[0], 4, &buf, NULL), 0);
	safe_close(p[0]);
	assert_string_equal(buf, "abcd");
}

static void
test_write_all_error(void **state)
{
	int p[2];

	(void) state;
	assert_int_equal(write_all(-1, "x", 1), -EBADF);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	safe_close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(write_all(p[1], "x", 1), -EPIPE);
	safe_close(p[1]);
}

/* --- paths ---------------------------------------------------------------------------------- */

static void
test_path_join(void **state)
{
	const char *cases[][3] = {
	    {"a", "b", "a/b"},     {"a/", "b", "a/b"}, {"a", "/b", "a/b"},
	    {"a//", "//b", "a/b"}, {"/", "x", "/x"},   {"/home/u", "d/e", "/home/u/d/e"},
	    {"/x", "", "/x/"},
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ char *p = path_join(cases[i][0], cases[i][1]);

		assert_non_null(p);
		assert_string_equal(p, cases[i][2]);
	}
}

static void
test_mkdir_parents(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *deep = path_join(f->dir, "a/b/c");
	_cleanup_free_ char *through = path_join(f->dir, "file/x");
	struct stat st;

	assert_int_equal(mkdir_parents(deep, 0700), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(mkdir_parents(deep, 0700), 0); /* existing: fine */
	write_file_at(f->fd, "file", "");
	assert_int_equal(mkdir_parents(through, 0700), -ENOTDIR);
}

static void
test_strv_free_erase(void **state)
{
	char **v = NULL;

	(void) state;
	/* ASan checks that every string and the vector are freed. */
	assert_int_equal(strv_push(&v, "password=secret"), 0);
	assert_int_equal(strv_push(&v, "x"), 0);
	assert_null(strv_free_erase(v));
	assert_null(strv_free_erase(NULL));
}

static void
test_path_is_below(void **state)
{
	(void) state;
	assert_true(path_is_below("/home/u", "/home/u"));
	assert_true(path_is_below("/home/u/x", "/home/u"));
	assert_true(path_is_below("/home/u/x", "/home/u/"));
	assert_true(path_is_below("/anything", "/"));
	assert_true(path_is_below("/", "/"));
	assert_false(path_is_below("/home/user", "/home/u"));
	assert_false(path_is_below("/home", "/home/u"));
	assert_false(path_is_below("/etc", "/home/u"));
	assert_false(path_is_below("relative", "/"));
}

/* In a child (the fd numbers are fixed): pipes A and B sit at 21 and 20,
 * each on the other's target; moved to 20 and 21 they must be swapped,
 * inheritable, and read what was written to them. Exit code 0 on success. */
static int
move_swapped_fds(void)
{
	int a[2], b[2], fds[2];
	char buf[2] = "";

	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0 ||
	    dup3(a[0], 21, O_CLOEXEC) < 0 || dup3(b[0], 20, O_CLOEXEC) < 0 ||
	    write(a[1], "a", 1) != 1 || write(b[1], "b", 1) != 1)
		return 1;
	fds[0] = 21;
	fds[1] = 20;
	if (fds_move_to(fds, 2, 20) < 0)
		return 2;
	if (fcntl(20, F_GETFD) != 0 || fcntl(21, F_GETFD) != 0)
		return 3;
	if (read(20, buf, 1) != 1 || buf[0] != 'a' || read(21, buf, 1) != 1 || buf[0] != 'b')
		return 4;
	return fds_move_to(fds, FDS_MOVE_MAX + 1, 20) == -EINVAL ? 0 : 5;
}

/* Runs FN in a child (what it changes, fds or namespaces, stays there)
 * and asserts it returned 0: else its number says which check failed. */
static void
assert_child_passes(int (*fn)(void))
{
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_fds_move_to(void **state)
{
	(void) state;
	assert_child_passes(move_swapped_fds);
}

static void
test_fork_with_pipe(void **state)
{
	int fds[2], status;
	char c = 0;
	pid_t pid;

	(void) state;
	pid = fork_with_pipe(fds);
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], "x", 1) == 1 ? 0 : 1);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
}

/* --- text_escape() ------------------------------------------------------------- */

/* text_escape() of the NUL-terminated S, checked against EXPECT. */
static void
assert_escaped(const char *s, bool keep_newlines, const char *expect)
{
	_cleanup_free_ char *e = text_escape(s, strlen(s), keep_newlines);

	assert_non_null(e);
	assert_string_equal(e, expect);
}

static void
test_text_escape_keeps_text(void **state)
{
	(void) state;
	assert_escaped("", false, "");
	assert_escaped("plain text, with \\ and \\x1b as text", false,
	               "plain text, with \\ and \\x1b as text");
	assert_escaped("tab\there", false, "tab\there");
	/* UTF-8 from U+00A0 on: é, €, 漢, an emoji, U+00A0 itself. */
	assert_escaped("caf\xc3\xa9 \xe2\x82\xac \xe6\xbc\xa2 \xf0\x9f\x99\x82 \xc2\xa0", false,
	               "caf\xc3\xa9 \xe2\x82\xac \xe6\xbc\xa2 \xf0\x9f\x99\x82 \xc2\xa0");
	assert_escaped("two\nlines\n", true, "two\nlines\n");
}

static void
test_text_escape_controls(void **state)
{
	(void) state;
	/* ESC, the title and erase sequences, BEL, CR that would hide a
	 * prefix by returning to the start of the line, backspace, DEL. */
	assert_escaped("\x1b]0;pwned\x07\x1b[2J\rjailer[x]: error: forged", false,
	               "\\x1b]0;pwned\\x07\\x1b[2J\\x0djailer[x]: error: forged");
	assert_escaped("a\bb\x7f", false, "a\\x08b\\x7f");
	assert_escaped("one\ntwo", false, "one\\x0atwo");
	/* C1 controls in their UTF-8 form: CSI (U+009B), NEL (U+0085). */
	assert_escaped("\xc2\x9b"
	               "31m \xc2\x85",
	               false, "\\xc2\\x9b31m \\xc2\\x85");
	/* Bidi overrides and isolates, marks, line separators. */
	assert_escaped(
	    "\xe2\x80\xae"
	    "a\xe2\x81\xa6"
	    "b\xe2\x80\x8f"
	    "c\xe2\x80\xa8"
	    "d\xd8\x9c",
	    false, "\\xe2\\x80\\xaea\\xe2\\x81\\xa6b\\xe2\\x80\\x8fc\\xe2\\x80\\xa8d\\xd8\\x9c");
}

static void
test_text_escape_bad_utf8(void **state)
{
	_cleanup_free_ char *nul = NULL, *cut = NULL;

	(void) state;
	/* A stray continuation byte, an overlong '/' and ESC, a surrogate,
	 * beyond U+10FFFF, a byte that starts nothing, a sequence cut by the
	 * end of the text or by the next character. */
	assert_escaped("\x80", false, "\\x80");
	assert_escaped("\xc0\xaf \xc1\x9b", false, "\\xc0\\xaf \\xc1\\x9b");
	assert_escaped("\xed\xa0\x80", false, "\\xed\\xa0\\x80");
	assert_escaped("\xf4\x90\x80\x80", false, "\\xf4\\x90\\x80\\x80");
	assert_escaped("\xff", false, "\\xff");
	assert_escaped("\xe2\x82", false, "\\xe2\\x82");
	assert_escaped("\xe2"
	               "a",
	               false, "\\xe2a");
	/* NUL inside the text: LEN counts, not a terminator. */
	nul = text_escape("a\0b", 3, false);
	assert_string_equal(nul, "a\\x00b");
	/* The worst case fills TEXT_ESCAPE_MAX() exactly. */
	cut = text_escape("\x1b\x1b\x1b", 3, false);
	assert_int_equal(strlen(cut), TEXT_ESCAPE_MAX(3));
}

static void
test_text_escape_idempotent(void **state)
{
	const char *samples[] = {"\x1b[31mred\r\n", "\xc2\x9b\xe2\x80\xae\xff\x80", "caf\xc3\xa9\t",
	                         "\\x1b already escaped"};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(samples); i++) {
		_cleanup_free_ char *once = text_escape(samples[i], strlen(samples[i]), true);
		_cleanup_free_ char *twice = NULL;

		assert_non_null(once);
		twice = text_escape(once, strlen(once), true);
		assert_string_equal(once, twice);
	}
}

static void
test_text_write_escaped(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = openat(f->fd, "out", O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(text_write_escaped(fd, "init[x]: \x1b[2J\nnext\n"), 0);
	assert_file_content(f->fd, "out", "init[x]: \\x1b[2J\nnext\n");
}

static void
test_memfd_sealed(void **state)
{
	_cleanup_close_ int fd = -1;
	char buf[16] = "";

	(void) state;
	fd = memfd_sealed("test", "hello", 5);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* Nobody changes it, not even through a new fd. */
	assert_int_equal(pwrite(fd, "x", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, 0), -1);
	assert_int_equal(fcntl(fd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
						   F_SEAL_SEAL),
			 F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
}

/* --- unix sockets below a directory fd ------------------------------------------ */

static bool
fd_has(int fd, int cmd, int flag)
{
	int v = fcntl(fd, cmd);

	assert_true(v >= 0);
	return (v & flag) != 0;
}

static int
socket_type(int fd)
{
	int type = -1;
	socklen_t len = sizeof(type);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
	return type;
}

/* A folder whose path is longer than sun_path, opened O_PATH as state
 * directories are: only its fd can name a socket in it. */
static int
open_long_dir(const struct fixture *f)
{
	char name[201];
	int fd;

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(mkdirat(f->fd, name, 0700), 0);
	fd = openat(f->fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void
test_unix_sockaddr(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int l = -1, c = -1;
	_cleanup_free_ char *path = path_join(f->dir, "s");
	char name[64], fits[sizeof(((struct sockaddr_un *) NULL)->sun_path) + 1];
	struct sockaddr_un sa;
	socklen_t len = 0;
	const size_t base = offsetof(struct sockaddr_un, sun_path);

	/* A path: NUL-terminated, the NUL counted. */
	assert_non_null(path);
	assert_int_equal(unix_sockaddr(path, false, &sa, &len), 0);
	assert_int_equal(sa.sun_family, AF_UNIX);
	assert_string_equal(sa.sun_path, path);
	assert_int_equal(len, base + strlen(path) + 1);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *) &sa, len), 0);
	assert_int_equal(faccessat(f->fd, "s", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	l = safe_close(l);

	/* An abstract name: a NUL first, none counted at the end; bound and
	 * reached under that name, no file made. */
	snprintf(name, sizeof(name), "jailsup-test-util-%d", (int) getpid());
	assert_int_equal(unix_sockaddr(name, true, &sa, &len), 0);
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, name, strlen(name));
	assert_int_equal(len, base + 1 + strlen(name));
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *) &sa, len), 0);
	assert_int_equal(listen(l, 1), 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c >= 0);
	assert_int_equal(unix_sockaddr(name, true, &sa, &len), 0);
	assert_int_equal(connect(c, (struct sockaddr *) &sa, len), 0);

	/* The longest that fit: sun_path less the NUL at the end of a path,
	 * or the one at the start of an abstract name (as before the fold). */
	memset(fits, 'x', sizeof(fits) - 1);
	fits[sizeof(fits) - 1] = '\0';
	len = 7;
	assert_int_equal(unix_sockaddr(fits, false, &sa, &len), -ENAMETOOLONG);
	assert_int_equal(unix_sockaddr(fits, true, &sa, &len), -ENAMETOOLONG);
	assert_int_equal(len, 7);
	fits[sizeof(fits) - 2] = '\0';
	assert_int_equal(unix_sockaddr(fits, false, &sa, &len), 0);
	assert_int_equal(unix_sockaddr(fits, true, &sa, &len), -ENAMETOOLONG);
	fits[sizeof(fits) - 3] = '\0';
	assert_int_equal(unix_sockaddr(fits, true, &sa, &len), 0);
	assert_int_equal(len, base + sizeof(sa.sun_path) - 1);
}

static void
test_unix_listen_connect_accept(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int dir = open_long_dir(f), l = -1, c = -1, a = -1;
	struct stat st;
	mode_t old;
	char byte = 0;
	uid_t uid = 7;

	old = umask(0022);
	l = unix_listen_at(dir, "sock", SOCK_SEQPACKET, 0, 4);
	assert_int_equal(umask(old), 0022); /* put back as it was */
	assert_true(l >= 0);
	assert_true(fd_has(l, F_GETFD, FD_CLOEXEC));
	assert_false(fd_has(l, F_GETFL, O_NONBLOCK));
	assert_int_equal(socket_type(l), SOCK_SEQPACKET);
	/* Made under umask 0077 whatever ours: only we may connect. */
	assert_int_equal(fstatat(dir, "sock", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);

	c = unix_connect_at(dir, "sock", SOCK_SEQPACKET, SOCK_NONBLOCK);
	assert_true(c >= 0);
	assert_true(fd_has(c, F_GETFD, FD_CLOEXEC));
	assert_true(fd_has(c, F_GETFL, O_NONBLOCK));
	assert_int_equal(socket_type(c), SOCK_SEQPACKET);

	a = unix_accept_own(l, &uid);
	assert_true(a >= 0);
	assert_int_equal(uid, 7); /* written only for a refusal */
	assert_true(fd_has(a, F_GETFD, FD_CLOEXEC));
	assert_true(fd_has(a, F_GETFL, O_NONBLOCK));
	assert_int_equal(write(c, "x", 1), 1);
	assert_int_equal(read(a, &byte, 1), 1);
	assert_int_equal(byte, 'x');

	/* Without SOCK_NONBLOCK a connected socket blocks. */
	safe_close(c);
	c = unix_connect_at(dir, "sock", SOCK_SEQPACKET, 0);
	assert_true(c >= 0);
	assert_false(fd_has(c, F_GETFL, O_NONBLOCK));
}

static void
test_unix_listen_at_refuses(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int l = -1;
	char name[120];

	/* What is there stays there: removing it is the caller's call. */
	l = unix_listen_at(f->fd, "sock", SOCK_STREAM, SOCK_NONBLOCK, 1);
	assert_true(l >= 0);
	assert_true(fd_has(l, F_GETFL, O_NONBLOCK));
	assert_int_equal(socket_type(l), SOCK_STREAM);
	assert_int_equal(unix_listen_at(f->fd, "sock", SOCK_STREAM, 0, 1), -EADDRINUSE);
	write_file_at(f->fd, "file", "kept");
	assert_int_equal(unix_listen_at(f->fd, "file", SOCK_STREAM, 0, 1), -EADDRINUSE);
	assert_file_content(f->fd, "file", "kept");
	assert_int_equal(symlinkat("elsewhere", f->fd, "link"), 0);
	assert_int_equal(unix_listen_at(f->fd, "link", SOCK_STREAM, 0, 1), -EADDRINUSE);
	assert_int_equal(faccessat(f->fd, "elsewhere", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	/* A name that would not fit is refused, never cut to another. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(unix_listen_at(f->fd, name, SOCK_STREAM, 0, 1), -ENAMETOOLONG);
	assert_int_equal(faccessat(f->fd, name, F_OK, AT_SYMLINK_NOFOLLOW), -1);
}

static void
test_unix_connect_at_errors(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int l = -1;
	int c[16];
	size_t n = 0;
	int r = 0;
	char name[120];

	assert_int_equal(unix_connect_at(f->fd, "none", SOCK_SEQPACKET, 0), -ENOENT);
	write_file_at(f->fd, "file", "");
	assert_int_equal(unix_connect_at(f->fd, "file", SOCK_SEQPACKET, 0), -ECONNREFUSED);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(unix_connect_at(f->fd, name, SOCK_SEQPACKET, 0), -ENAMETOOLONG);

	/* A full backlog: a non-blocking connect says -EAGAIN, not blocks. */
	l = unix_listen_at(f->fd, "sock", SOCK_SEQPACKET, 0, 0);
	assert_true(l >= 0);
	while (n < ELEMENTSOF(c)) {
		r = unix_connect_at(f->fd, "sock", SOCK_SEQPACKET, SOCK_NONBLOCK);
		if (r < 0)
			break;
		c[n++] = r;
	}
	assert_int_equal(r, -EAGAIN);
	while (n > 0)
		safe_close(c[--n]);
}

static void
test_unix_accept_own_other_user(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int l = -1, c = -1, a = -1;
	uid_t uid = 7;
	int status;
	pid_t pid;

	l = unix_listen_at(f->fd, "sock", SOCK_SEQPACKET, SOCK_NONBLOCK, 4);
	assert_true(l >= 0);
	assert_int_equal(unix_accept_own(l, &uid), -EAGAIN); /* nobody waiting */
	if (geteuid() == 0) {
		/* Only root can be a peer of another uid: without it only the
		 * positive half of the check below can run. */
		assert_int_equal(fchmod(f->fd, 0711), 0);
		assert_int_equal(fchmodat(f->fd, "sock", 0666, 0), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
				_exit(2);
			_exit(unix_connect_at(f->fd, "sock", SOCK_SEQPACKET, 0) >= 0 ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_int_equal(unix_accept_own(l, &uid), -EPERM);
		assert_int_equal(uid, NOBODY);
		/* Its connection is gone, not left for the next accept. */
		assert_int_equal(unix_accept_own(l, NULL), -EAGAIN);
	}
	c = unix_connect_at(f->fd, "sock", SOCK_SEQPACKET, 0);
	assert_true(c >= 0);
	a = unix_accept_own(l, NULL);
	assert_true(a >= 0);
}

/* --- user namespaces ------------------------------------------------------------- */

/* In a child: 0 when every check passed, else the number of the first
 * that failed. */
static int
map_self_child(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	_cleanup_free_ char *setgroups = NULL;
	_cleanup_close_ int fd = -1;
	const char *path = NULL;

	if (unshare(CLONE_NEWUSER) < 0)
		return 1;
	/* Unmapped, we are the overflow uid. */
	if (getuid() == uid)
		return 2;
	if (userns_map_self(uid, gid, &path) != 0 || path != NULL)
		return 3;
	if (getuid() != uid || getgid() != gid)
		return 4;
	fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_all(fd, 64, &setgroups, NULL) < 0 || !streq(setgroups, "deny\n"))
		return 5;
	/* Maps are written once: the second time says which file refused. */
	if (userns_map_self(uid, gid, &path) != -EPERM || path == NULL ||
	    !streq(path, "/proc/self/setgroups"))
		return 6;
	return 0;
}

static void
test_userns_map_self(void **state)
{
	(void) state;
	assert_child_passes(map_self_child);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
	    T(test_parse_u64_good),
	    T(test_parse_u64_bad),
	    T(test_parse_pid_range),
	    T(test_parse_uint_range),
	    T(test_strv_push),
	    T(test_strv_free_returns_null),
	    T(test_safe_close_keeps_errno),
	    T(test_take_fd_take_ptr),
	    T(test_neg_errno),
	    T(test_streq_startswith),
	    T(test_write_all_read_all),
	    T(test_read_all_bounds),
	    T(test_read_all_pipe),
	    T(test_write_all_error),
	    T(test_path_join),
	    T(test_path_is_below),
	    T(test_mkdir_parents),
	    T(test_strv_free_erase),
	    T(test_fds_move_to),
	    T(test_fork_with_pipe),
	    T(test_text_escape_keeps_text),
	    T(test_text_escape_controls),
	    T(test_text_escape_bad_utf8),
	    T(test_text_escape_idempotent),
	    T(test_text_write_escaped),
	    T(test_memfd_sealed),
	    T(test_unix_sockaddr),
	    T(test_unix_listen_connect_accept),
	    T(test_unix_listen_at_refuses),
	    T(test_unix_connect_at_errors),
	    T(test_unix_accept_own_other_user),
	    T(test_userns_map_self),
#undef T
	};

	return cmocka_run_group_tests_name("test-util", tests, NULL, NULL);
}
