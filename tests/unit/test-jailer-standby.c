/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/jailer-standby.c: the message that turns a standby
 * jailer into a jail's jailer. The receiving side runs in a forked child,
 * as the standby does, since it puts fds at fixed numbers: its argv and
 * environment arrive whole, the fds land at 3 and 4 (where the socket
 * was) inheritable; EOF says "nobody will send"; a malformed message, or one
 * with too many fds, is refused with every fd that came with it closed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/dispatch-proto.h"
#include "state/jailer-standby.h"

/* The child's verdicts, as exit codes. */
enum {
	OK = 0,
	BAD_RETURN = 10,
	BAD_ARGV,
	BAD_ENV,
	BAD_FD,
};

static char *argv_ok[] = { "jailer", "--go-fd", "4", "/run/user/1/jailsup/jails/t", NULL };
static char *env_ok[] = { "HOME=/home/u", "XDG_RUNTIME_DIR=/run/user/1", NULL };

/* Forks a standby on SOCK (moved to JAILER_STANDBY_FD); CHECK runs in it
 * with what jailer_standby_receive() returned. Returns its exit code. */
static int
run_standby(int sock, int (*check)(int r, char **argv, char **envp))
{
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char **argv = NULL, **envp = NULL;
		int r;

		if (dup2(sock, JAILER_STANDBY_FD) < 0)
			_exit(BAD_FD);
		if (sock != JAILER_STANDBY_FD)
			close(sock);
		r = jailer_standby_receive(&argv, &envp);
		_exit(check(r, argv, envp));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static bool
strv_equal(char **a, char **b)
{
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return false;
	return *a == NULL && *b == NULL;
}

/* FD is inheritable and reads TEXT. */
static bool
fd_reads(int fd, const char *text)
{
	char buf[16] = "";
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && !(flags & FD_CLOEXEC) && read(fd, buf, sizeof(buf) - 1) > 0 &&
	       streq(buf, text);
}

static int
check_started(int r, char **argv, char **envp)
{
	if (r != 0)
		return BAD_RETURN;
	if (!strv_equal(argv, argv_ok))
		return BAD_ARGV;
	if (!strv_equal(envp, env_ok))
		return BAD_ENV;
	/* At 3 and 4, where the socket was: it is closed. */
	if (!fd_reads(JAILER_FIRST_FD, "keep") || !fd_reads(JAILER_FIRST_FD + 1, "go"))
		return BAD_FD;
	return OK;
}

static void
test_standby_started(void **state)
{
	int sv[2], keep[2], go[2], fds[2];

	(void) state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(keep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(write(keep[1], "keep", 4), 4);
	assert_int_equal(write(go[1], "go", 2), 2);
	fds[0] = keep[0];
	fds[1] = go[0];
	assert_int_equal(jailer_standby_send(sv[0], argv_ok, env_ok, fds, 2), 0);
	assert_int_equal(run_standby(sv[1], check_started), OK);
	for (int i = 0; i < 2; i++) {
		close(sv[i]);
		close(keep[i]);
		close(go[i]);
	}
}

static int
check_eof(int r, char **argv, char **envp)
{
	(void) argv;
	(void) envp;
	return r == 1 ? OK : BAD_RETURN;
}

static void
test_standby_eof(void **state)
{
	int sv[2];

	(void) state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(run_standby(sv[1], check_eof), OK);
	close(sv[1]);
}

/* The write end of the pipe whose read end travels with a refused
 * message; the standby inherits it. */
static int refused_write_end = -1;

/* Refused, and the fds that came with it closed: the only read ends of
 * the pipe were those, so a write finds no reader left. */
static int
check_refused(int r, char **argv, char **envp)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	(void) argv;
	(void) envp;
	if (r >= 0)
		return BAD_RETURN;
	(void) sigaction(SIGPIPE, &ign, NULL);
	if (write(refused_write_end, "x", 1) != -1 || errno != EPIPE)
		return BAD_FD;
	return OK;
}

/* sendmsg() of BUF with N_FDS copies of FD, past what dispatch_send()
 * allows: what a peer that is not ours could send. */
static void
send_raw(int sock, const void *buf, size_t len, int fd, size_t n_fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} control = {};
	struct iovec iov = {.iov_base = (void *) buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = CMSG_SPACE(sizeof(int) * n_fds)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	assert_true(n_fds <= 8);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
	for (size_t i = 0; i < n_fds; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t) len);
}

static void
refused_with_fds(const void *buf, size_t len, size_t n_fds)
{
	int sv[2], p[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	send_raw(sv[0], buf, len, p[0], n_fds);
	close(p[0]);
	refused_write_end = p[1];
	assert_int_equal(run_standby(sv[1], check_refused), OK);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_standby_refuses_garbage(void **state)
{
	static const char garbage[] = "jailer --go-fd 4 /tmp/x";

	(void) state;
	refused_with_fds(garbage, sizeof(garbage), 1);
}

static void
test_standby_refuses_too_many_fds(void **state)
{
	void *buf = NULL;
	size_t len;

	(void) state;
	assert_int_equal(dispatch_encode_run(argv_ok, env_ok, "/", &buf, &len), 0);
	refused_with_fds(buf, len, JAILER_STANDBY_MAX_FDS + 1);
	free(buf);
}

static void
test_standby_send_limits(void **state)
{
	int sv[2], fds[JAILER_STANDBY_MAX_FDS + 1] = {0, 1, 2, 0};
	char *empty[] = { NULL };

	(void) state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(jailer_standby_send(sv[0], argv_ok, env_ok, fds, ELEMENTSOF(fds)),
	                 -EINVAL);
	assert_int_equal(jailer_standby_send(sv[0], empty, env_ok, fds, 0), -E2BIG);
	close(sv[1]);
	/* The standby is gone: the caller spawns the jailer directly. */
	assert_int_equal(jailer_standby_send(sv[0], argv_ok, env_ok, fds, 0), -EPIPE);
	close(sv[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standby_started),
		cmocka_unit_test(test_standby_eof),
		cmocka_unit_test(test_standby_refuses_garbage),
		cmocka_unit_test(test_standby_refuses_too_many_fds),
		cmocka_unit_test(test_standby_send_limits),
	};

	return cmocka_run_group_tests_name("test-jailer-standby", tests, NULL, NULL);
}
