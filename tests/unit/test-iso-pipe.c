/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/iso-pipe.c on real FIFOs: messages split over several
 * reads or packed into one, EOF before and after the pid line, garbage and
 * overlong lines, and the things a jail could put in place of the FIFO (a
 * regular file, a symlink to a file outside, a FIFO of another user), which
 * must be refused without blocking and without touching the target.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/iso-pipe.h"
#include "state/state.h"

#define NOBODY 65534

/* --- fixture: a fresh directory per case ---------------------------------- */

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-iso-pipe"
#include "tests/unit/tmpdir-fixture.h"

static int
setup(void **state)
{
	if (fixture_setup(state) < 0)
		return -1;
	/* A write to a pipe without reader must fail, not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
put(int fd, const char *s)
{
	assert_int_equal(write_all(fd, s, strlen(s)), 0);
}

/* A FIFO with both ends open: the read end non-blocking, as the supervisor
 * has it. */
static void
open_pair(struct fixture *f, int *ret_read, int *ret_write)
{
	assert_int_equal(iso_pipe_create(f->fd), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, ret_read), 0);
	assert_int_equal(iso_pipe_open_write(f->fd, ret_write), 0);
}

static void
assert_read(struct iso_pipe_reader *r, int fd, int expect, enum iso_msg_type type, pid_t pid)
{
	struct iso_msg m = {.type = _ISO_MSG_TYPE_INVALID, .pid = -1};

	assert_int_equal(iso_pipe_read(r, fd, &m), expect);
	if (expect == ISO_READ_MSG) {
		assert_int_equal(m.type, type);
		if (type == ISO_MSG_PID)
			assert_int_equal(m.pid, pid);
	}
}

#define assert_read_pid(r, fd, pid)  assert_read(r, fd, ISO_READ_MSG, ISO_MSG_PID, pid)
#define assert_read_ready(r, fd)     assert_read(r, fd, ISO_READ_MSG, ISO_MSG_READY, 0)
#define assert_read_result(r, fd, v) assert_read(r, fd, v, 0, 0)

/* --- create / open ------------------------------------------------------------ */

static void
test_iso_pipe_create_ok(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	mode_t old;

	/* The mode is exactly 0600 whatever the umask. */
	old = umask(0277);
	assert_int_equal(iso_pipe_create(f->fd), 0);
	umask(old);
	assert_int_equal(fstatat(f->fd, STATE_ISO_PIPE, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode, S_IFIFO | 0600);
	assert_int_equal(iso_pipe_create(f->fd), -EEXIST);
}

static void
test_iso_pipe_create_planted(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *target = NULL;
	struct stat st;

	write_file_at(f->fd, "outside", "do not touch\n");
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, STATE_ISO_PIPE), 0);
	assert_int_equal(iso_pipe_create(f->fd), -EEXIST);
	assert_int_equal(fstatat(f->fd, "outside", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_file_content(f->fd, "outside", "do not touch\n");
}

static void
test_iso_pipe_open_read_ok(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int fd = -1;
	int fl;

	assert_int_equal(iso_pipe_create(f->fd), 0);
	/* No writer yet: must not block. */
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), 0);
	fl = fcntl(fd, F_GETFL);
	assert_int_equal(fl & O_ACCMODE, O_RDONLY);
	assert_true(fl & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void
test_iso_pipe_open_read_regular_file(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	write_file_at(f->fd, STATE_ISO_PIPE, "pid=1\n");
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -EINVAL);
	assert_int_equal(fd, -1);
	assert_file_content(f->fd, STATE_ISO_PIPE, "pid=1\n");
}

static void
test_iso_pipe_open_read_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *file = NULL, *fifo = NULL;
	int fd = -1;

	/* To a file outside, and to a real FIFO outside: both refused. */
	write_file_at(f->fd, "outside", "pid=1\n");
	assert_true(asprintf(&file, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(file, f->fd, STATE_ISO_PIPE), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -ELOOP);
	assert_int_equal(unlinkat(f->fd, STATE_ISO_PIPE, 0), 0);

	assert_int_equal(mkfifoat(f->fd, "outside-fifo", 0600), 0);
	assert_true(asprintf(&fifo, "%s/outside-fifo", f->dir) > 0);
	assert_int_equal(symlinkat(fifo, f->fd, STATE_ISO_PIPE), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -ELOOP);
	assert_int_equal(fd, -1);
	assert_file_content(f->fd, "outside", "pid=1\n");
}

static void
test_iso_pipe_open_read_other(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	/* A directory, then nothing. */
	assert_int_equal(mkdirat(f->fd, STATE_ISO_PIPE, 0700), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -EINVAL);
	assert_int_equal(iso_pipe_open_write(f->fd, &fd), -EISDIR);
	assert_int_equal(unlinkat(f->fd, STATE_ISO_PIPE, AT_REMOVEDIR), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -ENOENT);
	/* A character device (/dev/null's numbers), where we may make one:
	 * mknod needs CAP_MKNOD, so as a user this part cannot be set up. */
	if (mknodat(f->fd, STATE_ISO_PIPE, S_IFCHR | 0600, makedev(1, 3)) == 0) {
		assert_int_equal(iso_pipe_open_read(f->fd, &fd), -EINVAL);
		assert_int_equal(iso_pipe_open_write(f->fd, &fd), -EINVAL);
	} else
		assert_int_equal(errno, EPERM);
	assert_int_equal(fd, -1);
}

static void
test_iso_pipe_open_read_other_owner(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	assert_int_equal(iso_pipe_create(f->fd), 0);
	if (geteuid() != 0) {
		/* Without root no FIFO of another user can be made: only the
		 * positive half of the check can run. */
		assert_int_equal(iso_pipe_open_read(f->fd, &fd), 0);
		safe_close(fd);
		return;
	}
	assert_int_equal(fchownat(f->fd, STATE_ISO_PIPE, NOBODY, NOBODY, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &fd), -EINVAL);
	assert_int_equal(iso_pipe_open_write(f->fd, &fd), -EINVAL);
	assert_int_equal(fd, -1);
}

static void
test_iso_pipe_open_write_no_reader(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int w = -1, r = -1;
	struct iso_pipe_reader rd = {};
	int fl;

	/* No supervisor: must not block (alarm() would end it), and the
	 * lines wait in the FIFO for a reader that comes later. */
	assert_int_equal(iso_pipe_create(f->fd), 0);
	assert_int_equal(iso_pipe_open_write(f->fd, &w), 0);
	fl = fcntl(w, F_GETFL);
	assert_false(fl & O_NONBLOCK);
	assert_true(fcntl(w, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(iso_pipe_write_pid(w, 1234), 0);

	assert_int_equal(iso_pipe_open_read(f->fd, &r), 0);
	assert_read_pid(&rd, r, 1234);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	w = safe_close(w);
	assert_read_result(&rd, r, ISO_READ_EOF);
}

static void
test_iso_pipe_open_write_with_reader(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int w = -1, r = -1;
	struct iso_pipe_reader rd = {};
	int fl;

	open_pair(f, &r, &w);
	fl = fcntl(w, F_GETFL);
	/* A reader exists: a pure write end, so the reader sees EOF when the
	 * jailer dies. */
	assert_int_equal(fl & O_ACCMODE, O_WRONLY);
	assert_false(fl & O_NONBLOCK);
	assert_int_equal(iso_pipe_write_ready(w), 0);
	assert_read_ready(&rd, r);
	w = safe_close(w);
	assert_read_result(&rd, r, ISO_READ_EOF);
}

static void
test_iso_pipe_open_write_regular_file(void **state)
{
	struct fixture *f = *state;
	int fd = -1;

	write_file_at(f->fd, STATE_ISO_PIPE, "keep me\n");
	assert_int_equal(iso_pipe_open_write(f->fd, &fd), -EINVAL);
	assert_int_equal(fd, -1);
	assert_file_content(f->fd, STATE_ISO_PIPE, "keep me\n");
}

static void
test_iso_pipe_open_write_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *target = NULL;
	int fd = -1;

	write_file_at(f->fd, "outside", "do not touch\n");
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, STATE_ISO_PIPE), 0);
	assert_int_equal(iso_pipe_open_write(f->fd, &fd), -ELOOP);
	assert_int_equal(fd, -1);
	assert_file_content(f->fd, "outside", "do not touch\n");
	assert_int_equal(unlinkat(f->fd, STATE_ISO_PIPE, 0), 0);
	assert_int_equal(iso_pipe_open_write(f->fd, &fd), -ENOENT);
}

/* --- messages -------------------------------------------------------------------------- */

static void
test_iso_msg_parse_good(void **state)
{
	struct iso_msg m = {};

	(void) state;
	assert_int_equal(iso_msg_parse("ready", &m), 0);
	assert_int_equal(m.type, ISO_MSG_READY);
	assert_int_equal(iso_msg_parse("pid=42", &m), 0);
	assert_int_equal(m.type, ISO_MSG_PID);
	assert_int_equal(m.pid, 42);
	assert_int_equal(iso_msg_parse("pid=4194304", &m), 0);
	assert_int_equal(m.pid, 4194304);
	assert_int_equal(iso_msg_parse("ns=77", &m), 0);
	assert_int_equal(m.type, ISO_MSG_NS);
	assert_int_equal(m.pid, 77);
}

static void
test_iso_msg_parse_bad(void **state)
{
	const char *bad[] = {"",       "pid=",    "pid=0",  "pid=01", "pid=-1",
	                     "pid=+1", "pid= 1",  "pid=1 ", "pid=1x", "pid=4194305",
	                     "PID=1",  "READY",   "ready ", " ready", "ready\n",
	                     "readyx", "pid=1\n", "pid",    "hello",  "ns=",
	                     "ns=0",   "ns=-1",   "ns=1 ",  "NS=1",   "ns 1",
	                     "nspid=1"};
	struct iso_msg m = {.type = ISO_MSG_READY, .pid = 7};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(iso_msg_parse(bad[i], &m), -EBADMSG);
	assert_int_equal(m.type, ISO_MSG_READY);
	assert_int_equal(m.pid, 7);
}

static void
test_iso_pipe_write_pid_format(void **state)
{
	_cleanup_close_ int r = -1, w = -1;
	char buf[64];
	int p[2];

	(void) state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	r = p[0];
	w = p[1];
	assert_int_equal(iso_pipe_write_pid(w, 42), 0);
	assert_int_equal(iso_pipe_write_ns(w, 43), 0);
	assert_int_equal(iso_pipe_write_ready(w), 0);
	assert_int_equal(iso_pipe_write_pid(w, 0), -EINVAL);
	assert_int_equal(iso_pipe_write_pid(w, -3), -EINVAL);
	assert_int_equal(iso_pipe_write_ns(w, 0), -EINVAL);
	w = safe_close(w);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(read(r, buf, sizeof(buf) - 1), 19);
	assert_string_equal(buf, "pid=42\nns=43\nready\n");
}

/* --- iso_pipe_read() ----------------------------------------------------------------------- */

static void
test_iso_pipe_read_partial(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	open_pair(f, &r, &w);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	put(w, "pi");
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	put(w, "d=12\nrea");
	assert_read_pid(&rd, r, 12);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	put(w, "dy\n");
	assert_read_ready(&rd, r);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	w = safe_close(w);
	assert_read_result(&rd, r, ISO_READ_EOF);
}

static void
test_iso_pipe_read_byte_by_byte(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};
	const char *s = "pid=4194304\nready\n";
	unsigned msgs = 0;

	open_pair(f, &r, &w);
	for (const char *p = s; *p != '\0'; p++) {
		struct iso_msg m;
		int k;

		assert_int_equal(write(w, p, 1), 1);
		while ((k = iso_pipe_read(&rd, r, &m)) == ISO_READ_MSG)
			msgs++;
		assert_int_equal(k, ISO_READ_AGAIN);
	}
	assert_int_equal(msgs, 2);
}

static void
test_iso_pipe_read_two_messages(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	open_pair(f, &r, &w);
	put(w, "pid=5\nready\n");
	/* One message per call, the second from the buffer. */
	assert_read_pid(&rd, r, 5);
	assert_read_ready(&rd, r);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
}

static void
test_iso_pipe_read_eof_before_message(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	/* No writer ever: EOF at once ("not started yet" to the caller). */
	assert_int_equal(iso_pipe_create(f->fd), 0);
	assert_int_equal(iso_pipe_open_read(f->fd, &r), 0);
	assert_read_result(&rd, r, ISO_READ_EOF);
	/* A writer that came and went without a word: EOF too. */
	assert_int_equal(iso_pipe_open_write(f->fd, &w), 0);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	w = safe_close(w);
	assert_read_result(&rd, r, ISO_READ_EOF);
}

static void
test_iso_pipe_read_eof_after_pid(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	open_pair(f, &r, &w);
	assert_int_equal(iso_pipe_write_pid(w, 77), 0);
	w = safe_close(w);
	assert_read_pid(&rd, r, 77);
	assert_read_result(&rd, r, ISO_READ_EOF);
	assert_read_result(&rd, r, ISO_READ_EOF);
}

static void
test_iso_pipe_read_eof_drops_partial(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	open_pair(f, &r, &w);
	put(w, "pid=3\nrea");
	w = safe_close(w);
	assert_read_pid(&rd, r, 3);
	assert_read_result(&rd, r, ISO_READ_EOF);
	assert_int_equal(rd.len, 0);
}

static void
test_iso_pipe_read_garbage(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	open_pair(f, &r, &w);
	/* Each bad line is consumed; the good ones after it still arrive. */
	put(w, "hello\npid=7\n\npid=0\nready \npid=abc\n");
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_pid(&rd, r, 7);
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	/* A NUL must not cut "pid=1\0junk" down to "pid=1". */
	assert_int_equal(write(w, "pid=1\0junk\nready\n", 17), 17);
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_ready(&rd, r);
	/* "\r\n" is not our line end. */
	put(w, "ready\r\n");
	assert_read_result(&rd, r, -EBADMSG);
}

static void
test_iso_pipe_read_overlong(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};
	char line[ISO_PIPE_LINE_MAX + 2];

	open_pair(f, &r, &w);
	/* Exactly ISO_PIPE_LINE_MAX bytes is a line (a bad one); one more is
	 * overlong. */
	memset(line, 'x', ISO_PIPE_LINE_MAX);
	line[ISO_PIPE_LINE_MAX] = '\n';
	assert_int_equal(write(w, line, ISO_PIPE_LINE_MAX + 1), ISO_PIPE_LINE_MAX + 1);
	assert_read_result(&rd, r, -EBADMSG);
	memset(line, 'x', ISO_PIPE_LINE_MAX + 1);
	line[ISO_PIPE_LINE_MAX + 1] = '\n';
	assert_int_equal(write(w, line, ISO_PIPE_LINE_MAX + 2), ISO_PIPE_LINE_MAX + 2);
	put(w, "ready\n");
	assert_read_result(&rd, r, -E2BIG);
	assert_read_ready(&rd, r);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
}

static void
test_iso_pipe_read_overlong_split(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};
	char junk[1000];

	open_pair(f, &r, &w);
	memset(junk, 'x', sizeof(junk));
	/* More than the buffer, over several reads, no newline yet: one
	 * error for the line, then nothing until its newline. */
	assert_int_equal(write(w, junk, sizeof(junk)), (ssize_t) sizeof(junk));
	assert_read_result(&rd, r, -E2BIG);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	assert_int_equal(write(w, junk, 100), 100);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
	put(w, "pid=9\nxx\npid=10\n");
	/* "...xxxpid=9" is the tail of the overlong line: dropped. */
	assert_read_result(&rd, r, -EBADMSG);
	assert_read_pid(&rd, r, 10);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
}

static void
test_iso_pipe_read_many(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int r = -1, w = -1;
	struct iso_pipe_reader rd = {};

	/* More lines at once than the reader's buffer holds. */
	open_pair(f, &r, &w);
	for (int i = 1; i <= 200; i++)
		assert_int_equal(iso_pipe_write_pid(w, i), 0);
	for (int i = 1; i <= 200; i++)
		assert_read_pid(&rd, r, i);
	assert_read_result(&rd, r, ISO_READ_AGAIN);
}

static void
test_iso_pipe_read_bad_fd(void **state)
{
	struct iso_pipe_reader rd = {};
	struct iso_msg m;

	(void) state;
	assert_int_equal(iso_pipe_read(&rd, -1, &m), -EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
	    T(test_iso_pipe_create_ok),
	    T(test_iso_pipe_create_planted),
	    T(test_iso_pipe_open_read_ok),
	    T(test_iso_pipe_open_read_regular_file),
	    T(test_iso_pipe_open_read_symlink),
	    T(test_iso_pipe_open_read_other),
	    T(test_iso_pipe_open_read_other_owner),
	    T(test_iso_pipe_open_write_no_reader),
	    T(test_iso_pipe_open_write_with_reader),
	    T(test_iso_pipe_open_write_regular_file),
	    T(test_iso_pipe_open_write_symlink),
	    T(test_iso_msg_parse_good),
	    T(test_iso_msg_parse_bad),
	    T(test_iso_pipe_write_pid_format),
	    T(test_iso_pipe_read_partial),
	    T(test_iso_pipe_read_byte_by_byte),
	    T(test_iso_pipe_read_two_messages),
	    T(test_iso_pipe_read_eof_before_message),
	    T(test_iso_pipe_read_eof_after_pid),
	    T(test_iso_pipe_read_eof_drops_partial),
	    T(test_iso_pipe_read_garbage),
	    T(test_iso_pipe_read_overlong),
	    T(test_iso_pipe_read_overlong_split),
	    T(test_iso_pipe_read_many),
	    T(test_iso_pipe_read_bad_fd),
#undef T
	};

	return cmocka_run_group_tests_name("test-iso-pipe", tests, NULL, NULL);
}
