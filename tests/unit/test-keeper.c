/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of supervisor/keeper.c with real processes: the keeper is
 * forked for real, its helper is a real child of it, the "jailers" are
 * real children of the test, the loop is libev's. The helper here makes
 * nothing: its release() writes down whether the watched jailer was still
 * alive at that moment ("early") or not ("after"), which is what each case
 * checks. Cases: a start abandoned by END and by the supervisor's death
 * (EOF), a final jailer that outlives the supervisor, a provisional one
 * (the standby) that outlives it or dies first, SIGTERM, a helper that
 * exits before it is ready, and the lock a keeper of an earlier run holds.
 */
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <ev.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/keeper.h"

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-keeper"
#include "tests/unit/tmpdir-fixture.h"

#define HELPER_PID_FILE "fake.pid"

/* What the fake helper does; the keeper gets a copy (fork). */
struct fake {
	struct proc_id watch; /* the jailer whose life release() writes down */
	int exit_code;	      /* >= 0: the helper exits with it, never ready */
	bool grandchild; /* the helper starts one (as a daemon runs fusermount3), never ready */
	pid_t helper;	 /* set in the keeper by spawn() */
	bool made;	 /* what release() undoes: once */
};

static void
append_at(int dir_fd, const char *name, const char *line)
{
	_cleanup_close_ int fd =
	    openat(dir_fd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd >= 0)
		(void) write_all(fd, line, strlen(line));
}

static void
fake_clear(void *data, int dir_fd)
{
	(void) data;
	append_at(dir_fd, "cleared", "x");
}

static int
fake_spawn(void *data, int dir_fd, pid_t *ret_pid)
{
	struct fake *f = data;
	pid_t parent = getpid(), pid;
	sigset_t none;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent ||
		    setsid() < 0)
			_exit(1);
		if (f->exit_code >= 0)
			_exit(f->exit_code);
		if (f->grandchild && fork() == 0) {
			struct proc_id self;

			/* No PDEATHSIG: it outlives the helper unless killed. */
			if (proc_id_get(getpid(), &self) < 0 ||
			    proc_id_write_at(dir_fd, "grandchild.pid", &self) < 0)
				_exit(1);
			(void) syscall(SYS_close_range, 0, ~0u, 0);
			for (;;)
				pause();
		}
		/* As an exec'd daemon: none of the keeper's fds. */
		(void) syscall(SYS_close_range, 3, ~0u, 0);
		/* A daemon that serves until what it made is released (the
		 * keeper blocks SIGTERM for its signalfd). */
		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL);
		for (;;)
			pause();
	}
	f->helper = pid;
	f->made = true;
	*ret_pid = pid;
	return 0;
}

static int
fake_ready_fd(void *data)
{
	(void) data;
	return NEG_ERRNO(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
}

static int
fake_ready(void *data, int dir_fd)
{
	const struct fake *f = data;

	(void) dir_fd;
	return f->exit_code < 0 && !f->grandchild;
}

/* Writes down the jailer's life at the moment, then lets the helper go,
 * as a FUSE daemon goes once its mount is released. */
static void
fake_release(void *data, int dir_fd)
{
	struct fake *f = data;
	struct proc_id grandchild;
	bool early;

	if (!f->made)
		return; /* released already: a second call finds nothing */
	f->made = false;
	early = f->watch.pid > 0 && proc_id_alive(&f->watch) > 0;
	if (proc_id_read_at(dir_fd, "grandchild.pid", &grandchild) == 0 &&
	    proc_id_alive(&grandchild) > 0)
		early = true;
	append_at(dir_fd, "released", early ? "early\n" : "after\n");
	if (f->helper > 0)
		(void) kill(f->helper, SIGTERM); /* the keeper's unreaped child */
}

static const struct keeper_helper fake_helper = {
	.name = "fake",
	.pid_file = HELPER_PID_FILE,
	.clear = fake_clear,
	.spawn = fake_spawn,
	.ready_fd = fake_ready_fd,
	.ready = fake_ready,
	.release = fake_release,
};

/* What the supervisor heard. */
static struct {
	int ready, exited, failed, gone;
	int status;
} heard;

static void
on_ready(struct ev_loop *loop, void *userdata)
{
	(void) loop;
	(void) userdata;
	heard.ready++;
}

static void
on_exited(struct ev_loop *loop, void *userdata, int status)
{
	(void) loop;
	(void) userdata;
	heard.exited++;
	heard.status = status;
}

static void
on_failed(struct ev_loop *loop, void *userdata, int r)
{
	(void) loop;
	(void) userdata;
	(void) r;
	heard.failed++;
}

static void
on_gone(struct ev_loop *loop, void *userdata)
{
	(void) loop;
	(void) userdata;
	heard.gone++;
}

static const struct keeper_events events = {
	.ready = on_ready,
	.exited = on_exited,
	.failed = on_failed,
	.gone = on_gone,
};

/* Runs the loop until *COUNTER is at least 1 (the fixture's alarm() ends
 * a case that never gets there). */
static void
run_until(struct ev_loop *loop, const int *counter)
{
	while (*counter == 0)
		ev_run(loop, EVRUN_ONCE);
}

/* A stand-in jailer: a child of ours that lives until it is killed. */
static pid_t
fork_jailer(struct proc_id *ret)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(proc_id_get(pid, ret), 0);
	return pid;
}

static int
pidfd_of(pid_t pid)
{
	int fd = (int) syscall(SYS_pidfd_open, pid, 0);

	assert_true(fd >= 0);
	return fd;
}

static void
kill_jailer(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	(void) waitpid(pid, &status, 0);
}

/* The keeper's stderr, to wait for what it says: a pipe instead of ours
 * while it is forked. */
static int
stderr_to_pipe(int *ret_saved)
{
	int fds[2];

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	*ret_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	assert_true(*ret_saved >= 0);
	assert_true(dup2(fds[1], STDERR_FILENO) >= 0);
	safe_close(fds[1]);
	return fds[0];
}

static void
stderr_back(int saved)
{
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	safe_close(saved);
}

/* Reads FD until TEXT came (the alarm ends a wait that never ends). */
static void
wait_for_text(int fd, const char *text)
{
	char buf[8192];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		assert_true(n > 0);
		len += (size_t) n;
		buf[len] = '\0';
		if (strstr(buf, text) != NULL)
			return;
		if (len > sizeof(buf) / 2) {
			memmove(buf, buf + len / 2, len - len / 2);
			len -= len / 2;
		}
	}
}

/* A keeper of F started in the fixture's directory, ready. */
static struct keeper *
start_ready(struct ev_loop *loop, struct fixture *fx, struct fake *f)
{
	struct keeper *k = NULL;

	memset(&heard, 0, sizeof(heard));
	assert_int_equal(keeper_start(loop, fx->fd, "j", &fake_helper, f, &events, NULL, &k), 0);
	run_until(loop, &heard.ready);
	return k;
}

/* After the keeper is gone: what it released, and that nothing is left. */
static void
assert_released(struct fixture *fx, const char *how)
{
	struct stat st;

	assert_file_content(fx->fd, "released", how);
	assert_int_equal(fstatat(fx->fd, HELPER_PID_FILE, &st, 0), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_keeper_end_without_jailer(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	struct keeper *k = start_ready(loop, fx, &f);
	struct proc_id helper, keeper;

	assert_file_content(fx->fd, "cleared", "x");
	assert_int_equal(proc_id_read_at(fx->fd, HELPER_PID_FILE, &helper), 0);
	assert_int_equal(proc_id_alive(&helper), 1);
	assert_int_equal(proc_id_read_at(fx->fd, STATE_KEEPER_PID, &keeper), 0);
	assert_int_equal(proc_id_alive(&keeper), 1);
	assert_true(keeper_end(k));
	run_until(loop, &heard.gone);
	assert_released(fx, "after\n");
	assert_int_equal(proc_id_alive(&helper), 0);
	assert_int_equal(heard.exited, 0);
	k = keeper_free(loop, k);
}

/* The supervisor dies before the jail had a jailer: its EOF abandons the
 * start. A second supervisor watches the keeper through keeper.pid. */
static void
test_keeper_supervisor_dies_before_jailer(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	struct keeper *k = start_ready(loop, fx, &f);

	k = keeper_free(loop, k); /* our end closes, as when we die */
	assert_int_equal(keeper_adopt(loop, fx->fd, &events, NULL, &k), 0);
	run_until(loop, &heard.gone);
	assert_released(fx, "after\n");
	k = keeper_free(loop, k);
	assert_int_equal(keeper_adopt(loop, fx->fd, &events, NULL, &k), -ESRCH);
}

/* A jailer handed as FINAL (or the standby, about to take the jail) keeps
 * the home past the supervisor's death; its own death releases it: a
 * standby may have become the jailer, or exits with the supervisor. */
static void
check_jailer_outlives_supervisor(struct fixture *fx, bool final)
{
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	pid_t jailer = fork_jailer(&f.watch);
	int saved, err = stderr_to_pipe(&saved);
	struct keeper *k = start_ready(loop, fx, &f);

	stderr_back(saved);
	keeper_set_jailer(k, pidfd_of(jailer), final);
	k = keeper_free(loop, k);
	wait_for_text(err, "the supervisor is gone");
	assert_int_equal(keeper_adopt(loop, fx->fd, &events, NULL, &k), 0);
	kill_jailer(jailer);
	run_until(loop, &heard.gone);
	assert_released(fx, "after\n");
	k = keeper_free(loop, k);
	safe_close(err);
}

static void
test_keeper_final_jailer_outlives_supervisor(void **state)
{
	check_jailer_outlives_supervisor(*state, true);
}

static void
test_keeper_provisional_jailer_outlives_supervisor(void **state)
{
	check_jailer_outlives_supervisor(*state, false);
}

/* A standby that dies while the supervisor lives does not end the jail
 * (the supervisor hands it to another jailer): the final one does. */
static void
test_keeper_provisional_dies_final_follows(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	struct proc_id standby_id;
	pid_t standby = fork_jailer(&standby_id), jailer = fork_jailer(&f.watch);
	struct keeper *k = start_ready(loop, fx, &f);

	keeper_set_jailer(k, pidfd_of(standby), false);
	kill_jailer(standby);
	keeper_set_jailer(k, -1, false); /* it did not take the jail */
	keeper_set_jailer(k, pidfd_of(jailer), true);
	/* Had the standby's death ended it, the jailer would still live. */
	kill_jailer(jailer);
	run_until(loop, &heard.gone);
	assert_released(fx, "after\n");
	k = keeper_free(loop, k);
}

/* SIGTERM (a logout) releases at once, the jailer alive or not. */
static void
test_keeper_sigterm_releases(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	pid_t jailer = fork_jailer(&f.watch);
	struct keeper *k = start_ready(loop, fx, &f);
	struct proc_id keeper;

	keeper_set_jailer(k, pidfd_of(jailer), true);
	assert_int_equal(proc_id_read_at(fx->fd, STATE_KEEPER_PID, &keeper), 0);
	assert_int_equal(proc_id_kill(&keeper, SIGTERM), 0);
	run_until(loop, &heard.gone);
	assert_released(fx, "early\n");
	k = keeper_free(loop, k);
	kill_jailer(jailer);
}

/* A helper that exits before it is ready: its status comes back (a wrong
 * password), then the keeper goes. */
static void
test_keeper_helper_exits_first(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = 12 };
	struct keeper *k = NULL;

	memset(&heard, 0, sizeof(heard));
	assert_int_equal(keeper_start(loop, fx->fd, "j", &fake_helper, &f, &events, NULL, &k), 0);
	run_until(loop, &heard.exited);
	assert_true(WIFEXITED(heard.status));
	assert_int_equal(WEXITSTATUS(heard.status), 12);
	run_until(loop, &heard.gone);
	assert_int_equal(heard.ready, 0);
	assert_released(fx, "after\n");
	k = keeper_free(loop, k);
}

/* A helper killed before it was ready may have started something that
 * still completes (fusermount3 mounting for a FUSE daemon): the keeper
 * kills and waits for it before it releases. */
static void
test_keeper_waits_for_what_the_helper_started(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1, .grandchild = true };
	struct keeper *k = NULL;
	struct proc_id grandchild;

	memset(&heard, 0, sizeof(heard));
	assert_int_equal(keeper_start(loop, fx->fd, "j", &fake_helper, &f, &events, NULL, &k), 0);
	/* Its pid file is there once it runs (the fixture's alarm ends a
	 * wait that never ends). */
	while (proc_id_read_at(fx->fd, "grandchild.pid", &grandchild) < 0)
		(void) usleep(1000);
	assert_true(keeper_end(k));
	run_until(loop, &heard.gone);
	assert_int_equal(heard.ready, 0);
	assert_released(fx, "after\n");
	assert_int_equal(proc_id_alive(&grandchild), 0);
	k = keeper_free(loop, k);
}

/* _KEEPER_ is blocked on a flock (/proc/locks lists it behind an arrow). */
static bool
waits_for_lock(pid_t keeper)
{
	_cleanup_free_ char *locks = NULL;
	_cleanup_close_ int fd = open("/proc/locks", O_RDONLY | O_CLOEXEC);
	char needle[64];

	if (fd < 0 || read_all(fd, 1 << 20, &locks, NULL) < 0)
		return false;
	snprintf(needle, sizeof(needle), "-> FLOCK  ADVISORY  WRITE %d ", (int) keeper);
	return strstr(locks, needle) != NULL;
}

/* A keeper of an earlier run still holds the lock: the new one clears and
 * starts nothing until it is free. */
static void
test_keeper_waits_for_the_lock(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	_cleanup_close_ int lock = -1;
	struct keeper *k = NULL;
	struct proc_id keeper;
	struct stat st;
	int held;

	lock = openat(fx->fd, STATE_KEEPER_LOCK, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(lock >= 0);
	assert_int_equal(flock(lock, LOCK_EX), 0);
	assert_int_equal(keeper_lock_try(fx->fd, &held), 0);
	memset(&heard, 0, sizeof(heard));
	assert_int_equal(keeper_start(loop, fx->fd, "j", &fake_helper, &f, &events, NULL, &k), 0);
	assert_int_equal(proc_id_read_at(fx->fd, STATE_KEEPER_PID, &keeper), 0);
	while (!waits_for_lock(keeper.pid))
		assert_int_equal(proc_id_alive(&keeper), 1);
	assert_int_equal(fstatat(fx->fd, "cleared", &st, 0), -1);
	assert_int_equal(fstatat(fx->fd, HELPER_PID_FILE, &st, 0), -1);
	lock = safe_close(lock);
	run_until(loop, &heard.ready);
	assert_file_content(fx->fd, "cleared", "x");
	/* Now the keeper holds it. */
	assert_int_equal(keeper_lock_try(fx->fd, &held), 0);
	assert_true(keeper_end(k));
	run_until(loop, &heard.gone);
	assert_int_equal(keeper_lock_try(fx->fd, &held), 1);
	safe_close(held);
	k = keeper_free(loop, k);
}

/* Something planted under the lock's name is replaced, never followed. */
static void
test_keeper_lock_planted_symlink(void **state)
{
	struct fixture *fx = *state;
	struct ev_loop *loop = EV_DEFAULT;
	struct fake f = { .exit_code = -1 };
	struct keeper *k;
	struct stat st;
	int held;

	assert_int_equal(symlinkat("/etc/passwd", fx->fd, STATE_KEEPER_LOCK), 0);
	assert_int_equal(keeper_lock_try(fx->fd, &held), -ELOOP);
	k = start_ready(loop, fx, &f);
	assert_int_equal(fstatat(fx->fd, STATE_KEEPER_LOCK, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_true(keeper_end(k));
	run_until(loop, &heard.gone);
	k = keeper_free(loop, k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
		T(test_keeper_end_without_jailer),
		T(test_keeper_supervisor_dies_before_jailer),
		T(test_keeper_final_jailer_outlives_supervisor),
		T(test_keeper_provisional_jailer_outlives_supervisor),
		T(test_keeper_provisional_dies_final_follows),
		T(test_keeper_sigterm_releases),
		T(test_keeper_helper_exits_first),
		T(test_keeper_waits_for_what_the_helper_started),
		T(test_keeper_waits_for_the_lock),
		T(test_keeper_lock_planted_symlink),
#undef T
	};

	/* A keeper that loses us must not take us for dead: no SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test-keeper", tests, NULL, NULL);
}
