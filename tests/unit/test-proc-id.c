/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/proc-id.c: identities of real processes (ourselves,
 * children that run, exited, became zombies and were reaped), a start time
 * that does not match (the PID-reuse case: nothing may be signalled), the
 * /proc/PID/stat parser fed comms built to shift its fields, and pid files
 * replaced by symlinks and FIFOs.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/proc-id.h"
#include "state/state.h"

/* --- fixture: a fresh directory per case ---------------------------------- */

struct fixture {
	char dir[64];
	int fd;
	pid_t child; /* killed and reaped by teardown when a case failed early */
};

#define FIXTURE_NAME "test-proc-id"
#include "tests/unit/tmpdir-fixture.h"

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->child > 0) {
		(void) kill(f->child, SIGKILL);
		(void) waitpid(f->child, NULL, 0);
	}
	return fixture_teardown(state);
}

/* A child that waits to be killed (and dies with us if we crash). */
static pid_t
spawn_sleeper(struct fixture *f)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	f->child = pid;
	return pid;
}

/* A child that exits at once; waited for but not reaped: a zombie. */
static pid_t
spawn_zombie(struct fixture *f)
{
	siginfo_t si = {};
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	f->child = pid;
	assert_int_equal(waitid(P_PID, (id_t) pid, &si, WEXITED | WNOWAIT), 0);
	return pid;
}

static void
reap(struct fixture *f, int *ret_status)
{
	int status;

	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	if (ret_status != NULL)
		*ret_status = status;
}

/* A /proc/PID/stat line for COMM with STATE and START in their fields. */
static char *
make_stat(const char *comm, char state, uint64_t start)
{
	char *s;

	assert_true(asprintf(&s,
	                     "4242 (%s) %c 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 "
	                     "%" PRIu64 " 10000000 500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 "
	                     "0 0 17 3 0 0 0 0 0\n",
	                     comm, state, start) > 0);
	return s;
}

/* --- proc_stat_parse() ---------------------------------------------------------- */

static void
test_proc_stat_parse_start_simple(void **state)
{
	_cleanup_free_ char *s = make_stat("bash", 'S', 123456);
	uint64_t start = 0;
	char st = 0;

	(void) state;
	assert_int_equal(proc_stat_parse_start(s, &start), 0);
	assert_int_equal(start, 123456);
	assert_int_equal(proc_stat_parse(s, &st, NULL), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(proc_stat_parse(s, NULL, NULL), 0);
}

static void
test_proc_stat_parse_start_hostile_comm(void **state)
{
	/* Each comm would shift the fields for a parser that took the first
	 * ')' or split on spaces from the start. */
	const char *comms[] = {
	    ") 1 2 (", "a) Z 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 777 (",
	    ")",       "))",
	    "(",       " ",
	    "x\ny",    "a b c",
	    "",
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(comms); i++) {
		_cleanup_free_ char *s = make_stat(comms[i], 'R', 987654321);
		uint64_t start = 0;
		char st = 0;

		assert_int_equal(proc_stat_parse(s, &st, &start), 0);
		assert_int_equal(start, 987654321);
		assert_int_equal(st, 'R');
	}
}

static void
test_proc_stat_parse_start_zombie(void **state)
{
	_cleanup_free_ char *s = make_stat("x", 'Z', 5);
	char st = 0;

	(void) state;
	assert_int_equal(proc_stat_parse(s, &st, NULL), 0);
	assert_int_equal(st, 'Z');
}

static void
test_proc_stat_parse_start_malformed(void **state)
{
	_cleanup_free_ char *good = make_stat("x", 'S', 5);
	_cleanup_free_ char *cut = strdup(good);
	const char *bad[] = {
	    "",
	    "4242 bash S 1",
	    "4242 (bash)",
	    "4242 (bash) ",
	    "4242 (bash)S 1 2",
	    "4242 (bash) S 1 2 3\n",
	    "4242 (bash) SS 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 5 1\n",
	    "4242 (bash) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 -5 1\n",
	    "4242 (bash) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 5x 1\n",
	    "4242 (bash) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 "
	    "99999999999999999999 1\n",
	    "4242 (bash) S  1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0 5 1\n",
	    "4242 (bash) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 1 0\n",
	};
	uint64_t start = 77;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(proc_stat_parse_start(bad[i], &start), -EINVAL);
	/* The start field itself cut short. */
	assert_non_null(cut);
	*strstr(cut, " 5 ") = '\0';
	assert_int_equal(proc_stat_parse_start(cut, &start), -EINVAL);
	assert_int_equal(start, 77);
}

/* --- proc_start_time() / proc_id_get() ------------------------------------------ */

static void
test_proc_start_time_self(void **state)
{
	_cleanup_close_ int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t a = 0, b = 0;

	(void) state;
	assert_true(proc >= 0);
	assert_int_equal(proc_start_time(-1, getpid(), &a), 0);
	assert_int_equal(proc_start_time(proc, getpid(), &b), 0);
	assert_int_equal(a, b);
	/* PID 1 started before us. */
	assert_int_equal(proc_start_time(proc, 1, &b), 0);
	assert_true(b <= a);
}

static void
test_proc_start_time_gone(void **state)
{
	struct fixture *f = *state;
	pid_t pid = spawn_zombie(f);
	uint64_t start = 0;

	reap(f, NULL);
	assert_int_equal(proc_start_time(-1, pid, &start), -ESRCH);
	assert_int_equal(proc_start_time(-1, 0, &start), -EINVAL);
	assert_int_equal(proc_start_time(-1, -1, &start), -EINVAL);
	assert_int_equal(start, 0);
}

/* The parent of a real child whose comm is built to shift the fields
 * (as signal_children() of the tethers asks it of every process). */
static void
test_proc_parent(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ready[2];
	pid_t pid, ppid = 0;
	char c;

	assert_true(proc_fd >= 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (prctl(PR_SET_NAME, "a) R 1 2 (", 0, 0, 0) < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	f->child = pid;
	safe_close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	safe_close(ready[0]);
	assert_int_equal(proc_parent(-1, pid, &ppid), 0);
	assert_int_equal(ppid, getpid());
	ppid = 0;
	assert_int_equal(proc_parent(proc_fd, pid, &ppid), 0);
	assert_int_equal(ppid, getpid());
	assert_int_equal(proc_parent(-1, getpid(), &ppid), 0);
	assert_int_equal(ppid, getppid());
	/* Gone: -ESRCH, and nothing written. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	reap(f, NULL);
	ppid = 7;
	assert_int_equal(proc_parent(-1, pid, &ppid), -ESRCH);
	assert_int_equal(ppid, 7);
}

static void
test_proc_id_get_self(void **state)
{
	struct proc_id id = {};
	uint64_t start;

	(void) state;
	assert_int_equal(proc_id_get(getpid(), &id), 0);
	assert_int_equal(id.pid, getpid());
	assert_int_equal(proc_start_time(-1, getpid(), &start), 0);
	assert_int_equal(id.start, start);
	assert_int_equal(proc_id_alive(&id), 1);
}

/* --- proc_id_alive() ---------------------------------------------------------------- */

static void
test_proc_id_alive_child(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	pid_t pid = spawn_sleeper(f);

	assert_int_equal(proc_id_get(pid, &id), 0);
	assert_int_equal(proc_id_alive(&id), 1);
}

static void
test_proc_id_alive_reaped(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	pid_t pid = spawn_sleeper(f);

	assert_int_equal(proc_id_get(pid, &id), 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	reap(f, NULL);
	assert_int_equal(proc_id_alive(&id), 0);
}

static void
test_proc_id_alive_zombie(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	char st = 0;
	pid_t pid = spawn_zombie(f);

	/* The zombie still has a stat file and the same start time. */
	assert_int_equal(proc_id_get(pid, &id), 0);
	{
		char path[64];
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *buf = NULL;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(read_all(fd, 4096, &buf, NULL), 0);
		assert_int_equal(proc_stat_parse(buf, &st, NULL), 0);
		assert_int_equal(st, 'Z');
	}
	assert_int_equal(proc_id_alive(&id), 0);
	/* Reaped, it is as gone. */
	reap(f, NULL);
	assert_int_equal(proc_id_alive(&id), 0);
}

static void
test_proc_id_alive_start_mismatch(void **state)
{
	struct fixture *f = *state;
	struct proc_id real, reused;
	pid_t pid = spawn_sleeper(f);

	/* The same PID with another start time: what a pid file says after
	 * its process died and the PID was given to a new one. */
	assert_int_equal(proc_id_get(pid, &real), 0);
	reused = (struct proc_id){.pid = pid, .start = real.start + 1};
	assert_int_equal(proc_id_alive(&reused), 0);
	reused.start = real.start - 1;
	assert_int_equal(proc_id_alive(&reused), 0);
}

static void
test_proc_id_alive_hostile_comm(void **state)
{
	struct fixture *f = *state;
	const char *names[] = {") 1 2 (", "x) Z 1 2 3 4 5", ")))"};

	/* A process names itself (prctl(PR_SET_NAME), 15 bytes) so that a
	 * parser taking the first ')' would read state 'Z' or shifted fields.
	 * Its identity taken before the rename must still match after it. */
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		struct proc_id before, after;
		int go[2], done[2];
		pid_t pid;
		char c = 0;

		assert_int_equal(pipe2(go, O_CLOEXEC), 0);
		assert_int_equal(pipe2(done, O_CLOEXEC), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
			safe_close(go[1]);
			safe_close(done[0]);
			if (read(go[0], &c, 1) != 1 || prctl(PR_SET_NAME, names[i]) < 0)
				_exit(1);
			safe_close(done[1]);
			for (;;)
				pause();
		}
		f->child = pid;
		safe_close(go[0]);
		safe_close(done[1]);
		assert_int_equal(proc_id_get(pid, &before), 0);
		assert_int_equal(write(go[1], &c, 1), 1);
		assert_int_equal(read(done[0], &c, 1), 0); /* EOF: renamed */
		safe_close(go[1]);
		safe_close(done[0]);

		assert_int_equal(proc_id_alive(&before), 1);
		assert_int_equal(proc_id_get(pid, &after), 0);
		assert_int_equal(after.start, before.start);
		assert_int_equal(proc_id_kill(&before, SIGKILL), 0);
		reap(f, NULL);
	}
}

static void
test_proc_id_alive_bad(void **state)
{
	struct proc_id id = {.pid = 0, .start = 1};

	(void) state;
	assert_int_equal(proc_id_alive(&id), -EINVAL);
	id.pid = -5;
	assert_int_equal(proc_id_alive(&id), -EINVAL);
}

/* --- proc_id_open_pidfd() / proc_id_kill() --------------------------------------------- */

static void
test_proc_id_open_pidfd_self(void **state)
{
	_cleanup_close_ int pidfd = -1;
	struct proc_id id;

	(void) state;
	assert_int_equal(proc_id_get(getpid(), &id), 0);
	assert_int_equal(proc_id_open_pidfd(&id, &pidfd), 0);
	assert_true(pidfd >= 0);
	assert_true(fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
}

static void
test_proc_id_open_pidfd_gone(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	int pidfd = -1;
	pid_t pid = spawn_zombie(f);

	assert_int_equal(proc_id_get(pid, &id), 0);
	reap(f, NULL);
	assert_int_equal(proc_id_open_pidfd(&id, &pidfd), -ESRCH);
	assert_int_equal(pidfd, -1);
}

static void
test_proc_id_open_pidfd_start_mismatch(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	int pidfd = -1;
	pid_t pid = spawn_sleeper(f);

	assert_int_equal(proc_id_get(pid, &id), 0);
	id.start++;
	assert_int_equal(proc_id_open_pidfd(&id, &pidfd), -ESRCH);
	assert_int_equal(pidfd, -1);
}

static void
test_proc_id_kill_start_mismatch(void **state)
{
	struct fixture *f = *state;
	struct proc_id real, reused;
	int status;
	pid_t pid = spawn_sleeper(f);

	assert_int_equal(proc_id_get(pid, &real), 0);
	reused = (struct proc_id){.pid = pid, .start = real.start + 1};
	assert_int_equal(proc_id_kill(&reused, SIGKILL), -ESRCH);
	/* Not signalled: still running, not a zombie, nothing to reap. */
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	assert_int_equal(proc_id_alive(&real), 1);

	/* The right identity does reach it. */
	assert_int_equal(proc_id_kill(&real, SIGTERM), 0);
	reap(f, &status);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(proc_id_kill(&real, SIGTERM), -ESRCH);
}

static void
test_proc_id_kill_signal_zero(void **state)
{
	struct proc_id id;

	(void) state;
	assert_int_equal(proc_id_get(getpid(), &id), 0);
	assert_int_equal(proc_id_kill(&id, 0), 0);
	assert_int_equal(proc_id_kill(&id, -1), -EINVAL);
	id.pid = 0;
	assert_int_equal(proc_id_kill(&id, 0), -EINVAL);
}

static void
test_proc_id_kill_zombie(void **state)
{
	struct fixture *f = *state;
	struct proc_id id;
	pid_t pid = spawn_zombie(f);

	/* Signalling a zombie is harmless, and the kernel allows it. */
	assert_int_equal(proc_id_get(pid, &id), 0);
	assert_int_equal(proc_id_kill(&id, SIGKILL), 0);
	reap(f, NULL);
	assert_int_equal(proc_id_kill(&id, SIGKILL), -ESRCH);
}

/* --- format / parse / files ---------------------------------------------------------------- */

static void
test_proc_id_format_roundtrip(void **state)
{
	const struct proc_id ids[] = {{1, 0}, {4242, 123456}, {4194304, UINT64_MAX}};
	char buf[PROC_ID_STRLEN];

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		struct proc_id back = {};
		int n = proc_id_format(&ids[i], buf);

		assert_int_equal(n, (int) strlen(buf));
		assert_true(n < PROC_ID_STRLEN);
		assert_int_equal(buf[n - 1], '\n');
		assert_int_equal(proc_id_parse(buf, &back), 0);
		assert_int_equal(back.pid, ids[i].pid);
		assert_int_equal(back.start, ids[i].start);
	}
	assert_int_equal(proc_id_format(&ids[1], buf), 12);
	assert_string_equal(buf, "4242 123456\n");
}

static void
test_proc_id_parse_good(void **state)
{
	struct proc_id id = {};

	(void) state;
	assert_int_equal(proc_id_parse("12 34", &id), 0);
	assert_int_equal(id.pid, 12);
	assert_int_equal(id.start, 34);
	assert_int_equal(proc_id_parse("1 0\n", &id), 0);
	assert_int_equal(id.pid, 1);
	assert_int_equal(id.start, 0);
}

static void
test_proc_id_parse_bad(void **state)
{
	const char *bad[] = {"",          "\n",
	                     "1",         "1 ",
	                     " 1 2",      "1  2",
	                     "1 2 ",      "1 2\n\n",
	                     "1 2 3",     "1\t2",
	                     "1 2x",      "0 2",
	                     "-1 2",      "1 -2",
	                     "+1 2",      "01 2",
	                     "1 02",      "x 2",
	                     "4194305 1", "1 18446744073709551616",
	                     "1 2\r\n",   "99999999999999999999999999999999999999999999999999 1"};
	struct proc_id id = {.pid = 7, .start = 7};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_true(proc_id_parse(bad[i], &id) < 0);
	assert_int_equal(id.pid, 7);
	assert_int_equal(id.start, 7);
}

static void
test_proc_id_write_at_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct proc_id id = {.pid = 4242, .start = 99}, back = {};
	struct stat st;

	assert_int_equal(proc_id_write_at(f->fd, STATE_PASTA_PID, &id), 0);
	assert_file_content(f->fd, STATE_PASTA_PID, "4242 99\n");
	assert_int_equal(fstatat(f->fd, STATE_PASTA_PID, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_int_equal(proc_id_read_at(f->fd, STATE_PASTA_PID, &back), 0);
	assert_int_equal(back.pid, 4242);
	assert_int_equal(back.start, 99);

	id.pid = 0;
	assert_int_equal(proc_id_write_at(f->fd, STATE_PASTA_PID, &id), -EINVAL);
	assert_int_equal(proc_id_write_at(f->fd, "../x.pid", &back), -EINVAL);
}

static void
test_proc_id_read_at_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *target = NULL;
	struct proc_id id = {};

	/* A valid pid file outside, naming ourselves: following the link
	 * would make the supervisor kill whatever it names. */
	{
		char buf[PROC_ID_STRLEN];
		struct proc_id self;
		int n;

		assert_int_equal(proc_id_get(getpid(), &self), 0);
		n = proc_id_format(&self, buf);
		write_bytes_at(f->fd, "outside", buf, (size_t) n);
	}
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, STATE_ENCFS_PID), 0);
	assert_int_equal(proc_id_read_at(f->fd, STATE_ENCFS_PID, &id), -ELOOP);
	assert_int_equal(id.pid, 0);
}

static void
test_proc_id_write_at_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *target = NULL;
	struct proc_id id = {.pid = 5, .start = 6};
	struct stat st;

	write_bytes_at(f->fd, "outside", "do not touch\n", 13);
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, STATE_OPENVPN_PID), 0);
	assert_int_equal(proc_id_write_at(f->fd, STATE_OPENVPN_PID, &id), 0);
	assert_int_equal(fstatat(f->fd, STATE_OPENVPN_PID, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_file_content(f->fd, STATE_OPENVPN_PID, "5 6\n");
	assert_file_content(f->fd, "outside", "do not touch\n");
}

static void
test_proc_id_read_at_fifo(void **state)
{
	struct fixture *f = *state;
	struct proc_id id = {};

	assert_int_equal(mkfifoat(f->fd, STATE_PASTA_PID, 0600), 0);
	assert_int_equal(proc_id_read_at(f->fd, STATE_PASTA_PID, &id), -EINVAL);
	assert_int_equal(id.pid, 0);
}

static void
test_proc_id_read_at_garbage(void **state)
{
	struct fixture *f = *state;
	char big[PROC_ID_STRLEN + 10];
	struct proc_id id = {};

	write_bytes_at(f->fd, "nul.pid", "12 34\0junk\n", 11);
	assert_int_equal(proc_id_read_at(f->fd, "nul.pid", &id), -EINVAL);
	write_bytes_at(f->fd, "two.pid", "12 34\n56 78\n", 12);
	assert_true(proc_id_read_at(f->fd, "two.pid", &id) < 0);
	write_bytes_at(f->fd, "empty.pid", "", 0);
	assert_int_equal(proc_id_read_at(f->fd, "empty.pid", &id), -EINVAL);
	memset(big, '1', sizeof(big));
	write_bytes_at(f->fd, "big.pid", big, sizeof(big));
	assert_int_equal(proc_id_read_at(f->fd, "big.pid", &id), -EFBIG);
	assert_int_equal(proc_id_read_at(f->fd, "missing.pid", &id), -ENOENT);
	assert_int_equal(id.pid, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, teardown)
	    T(test_proc_stat_parse_start_simple),
	    T(test_proc_stat_parse_start_hostile_comm),
	    T(test_proc_stat_parse_start_zombie),
	    T(test_proc_stat_parse_start_malformed),
	    T(test_proc_start_time_self),
	    T(test_proc_start_time_gone),
	    T(test_proc_parent),
	    T(test_proc_id_get_self),
	    T(test_proc_id_alive_child),
	    T(test_proc_id_alive_reaped),
	    T(test_proc_id_alive_zombie),
	    T(test_proc_id_alive_start_mismatch),
	    T(test_proc_id_alive_hostile_comm),
	    T(test_proc_id_alive_bad),
	    T(test_proc_id_open_pidfd_self),
	    T(test_proc_id_open_pidfd_gone),
	    T(test_proc_id_open_pidfd_start_mismatch),
	    T(test_proc_id_kill_start_mismatch),
	    T(test_proc_id_kill_signal_zero),
	    T(test_proc_id_kill_zombie),
	    T(test_proc_id_format_roundtrip),
	    T(test_proc_id_parse_good),
	    T(test_proc_id_parse_bad),
	    T(test_proc_id_write_at_roundtrip),
	    T(test_proc_id_read_at_symlink),
	    T(test_proc_id_write_at_symlink),
	    T(test_proc_id_read_at_fifo),
	    T(test_proc_id_read_at_garbage),
#undef T
	};

	return cmocka_run_group_tests_name("test-proc-id", tests, NULL, NULL);
}
