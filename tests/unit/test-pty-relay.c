/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of cli/pty-relay.c on real ptys and pipes: the master
 * dispatch sends comes from inside a jail, so everything that is not a pty
 * master must be refused (a pipe that could block us, /dev/null, a pty
 * slave, a master open read-only), a second master too, and one sent when
 * we asked for no pty; a real master is taken and made non-blocking. The
 * drain after the app's exit copies what the master still holds, to the
 * last byte, and stops at the hang-up. A jail that shares the master's
 * open file description (a copy kept by its PID 1) and clears O_NONBLOCK,
 * or that sends a socket lingering in close(), cannot hold us.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <poll.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "cli/pty-relay.h"

static struct pty_relay *
relay_new(uint32_t mask)
{
	struct pty_relay *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->mask = mask;
	t->term = t->master = -1;
	return t;
}

/* A fresh pty: *RET_SLAVE its slave, the master returned. */
static int
new_pty(int *ret_slave)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	*ret_slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(*ret_slave >= 0);
	return master;
}

static void
test_pty_relay_take_master_refuses(void **state)
{
	struct pty_relay *t = relay_new(1);
	int p[2], slave, master, ro;

	(void) state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(pty_relay_take_master(t, p[0]), -EBADMSG);
	assert_int_equal(fcntl(p[0], F_GETFD), -1); /* closed */
	close(p[1]);
	assert_int_equal(pty_relay_take_master(t, open("/dev/null", O_RDWR | O_CLOEXEC)), -EBADMSG);
	master = new_pty(&slave);
	/* A slave is a tty but no master: TIOCGPTN fails. */
	assert_int_equal(pty_relay_take_master(t, slave), -EBADMSG);
	/* A master we could not write the user's keys to. */
	ro = open("/dev/ptmx", O_RDONLY | O_NOCTTY | O_CLOEXEC);
	assert_true(ro >= 0);
	assert_int_equal(pty_relay_take_master(t, ro), -EBADMSG);
	assert_int_equal(t->master, -1);
	close(master);
	free(t);
}

static void
test_pty_relay_take_master_once_and_only_when_asked(void **state)
{
	struct pty_relay *t = relay_new(0);
	int slave, master, slave2, master2;

	(void) state;
	/* We asked for no pty: a master is not expected. */
	master = new_pty(&slave);
	assert_int_equal(pty_relay_take_master(t, master), -EBADMSG);
	close(slave);
	free(t);

	t = relay_new(2);
	master = new_pty(&slave);
	assert_int_equal(pty_relay_take_master(t, master), 0);
	assert_int_equal(t->master, master);
	assert_true(fcntl(master, F_GETFL) & O_NONBLOCK);
	/* A second one is refused, the first kept. */
	master2 = new_pty(&slave2);
	assert_int_equal(pty_relay_take_master(t, master2), -EBADMSG);
	assert_int_equal(t->master, master);
	close(slave);
	close(slave2);
	close(master);
	free(t);
}

/* What the app wrote last, before its exit, reaches the terminal whole;
 * the drain then stops at the hang-up (the last slave closed). */
static void
test_pty_relay_drain_to_the_last_byte(void **state)
{
	struct pty_relay *t = relay_new(1);
	char buf[8192], out[16384];
	struct termios raw;
	int slave, master, p[2];
	size_t got = 0;
	ssize_t n;

	(void) state;
	master = new_pty(&slave);
	assert_int_equal(tcgetattr(slave, &raw), 0);
	cfmakeraw(&raw);
	assert_int_equal(tcsetattr(slave, TCSANOW, &raw), 0);
	assert_int_equal(pty_relay_take_master(t, master), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	t->term = p[1];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char) ('a' + i % 26);
	assert_int_equal(write(slave, buf, sizeof(buf)), (ssize_t) sizeof(buf));
	close(slave);
	pty_relay_drain(t);
	assert_true(t->master_eof);
	t->term = -1;
	close(p[1]);
	while ((n = read(p[0], out + got, sizeof(out) - got)) > 0)
		got += (size_t) n;
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(out, buf, sizeof(buf));
	close(p[0]);
	pty_relay_done(t);
	free(t);
}

/* Runs FN in a child and fails unless it returns within a bound far
 * beyond the guard's (a blocked call is a hang, not a slow one). */
static void
returns_in_child(void (*fn)(void))
{
	struct pollfd p = {.events = POLLIN};
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	p.fd = (int) syscall(SYS_pidfd_open, pid, 0);
	assert_true(p.fd >= 0);
	if (poll(&p, 1, 20 * 1000) != 1) {
		(void) kill(pid, SIGKILL);
		(void) waitpid(pid, &status, 0);
		fail_msg("the call on what the jail sent blocked for 20 s");
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p.fd);
}

/* The jail's copy of the master, blocking again, and no byte to read:
 * the drain returns, and O_NONBLOCK is back. */
static void
drain_with_a_blocking_master(void)
{
	struct pty_relay *t = relay_new(1);
	int slave, master, jail_copy, p[2];

	master = new_pty(&slave);
	jail_copy = dup(master);
	if (jail_copy < 0 || pty_relay_take_master(t, master) < 0 || pipe2(p, O_CLOEXEC) < 0)
		_exit(2);
	(void) fcntl(jail_copy, F_SETFL, fcntl(jail_copy, F_GETFL) & ~O_NONBLOCK);
	t->term = p[1];
	pty_relay_drain(t); /* the slave stays open: no EOF will come */
	if (!(fcntl(master, F_GETFL) & O_NONBLOCK))
		_exit(3);
	_exit(0);
}

static void
test_pty_relay_drain_survives_a_blocking_master(void **state)
{
	(void) state;
	returns_in_child(drain_with_a_blocking_master);
}

/* A TCP socket with unsent bytes to a peer that never reads, lingering
 * 60 s: what a jail can send us in a reply. Closing it returns. */
static void
close_a_lingering_socket(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct linger l = {.l_onoff = 1, .l_linger = 60};
	socklen_t len = sizeof(a);
	char buf[65536] = {0};
	int lst, c, peer;

	lst = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lst < 0 || c < 0 || bind(lst, (struct sockaddr *) &a, sizeof(a)) < 0 ||
	    listen(lst, 1) < 0 || getsockname(lst, (struct sockaddr *) &a, &len) < 0 ||
	    connect(c, (struct sockaddr *) &a, sizeof(a)) < 0)
		_exit(2);
	peer = accept(lst, NULL, NULL);
	if (peer < 0)
		_exit(2);
	(void) fcntl(c, F_SETFL, O_NONBLOCK);
	while (write(c, buf, sizeof(buf)) > 0)
		;
	(void) fcntl(c, F_SETFL, 0);
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0)
		_exit(2);
	jail_fd_close(c);
	_exit(0);
}

static void
test_jail_fd_close_survives_a_lingering_socket(void **state)
{
	(void) state;
	returns_in_child(close_a_lingering_socket);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pty_relay_take_master_refuses),
	    cmocka_unit_test(test_pty_relay_take_master_once_and_only_when_asked),
	    cmocka_unit_test(test_pty_relay_drain_to_the_last_byte),
	    cmocka_unit_test(test_pty_relay_drain_survives_a_blocking_master),
	    cmocka_unit_test(test_jail_fd_close_survives_a_lingering_socket),
	};
	struct sigaction saved;

	/* As jail_run_app() does before any call on what the jail sent. */
	jail_call_guard_install(&saved);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
