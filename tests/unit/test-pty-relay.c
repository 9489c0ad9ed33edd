/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of supervisor/pty-relay.c on real ptys and pipes: the master
 * dispatch sends comes from inside a jail, so everything that is not a pty
 * master must be refused (a pipe that could block us, /dev/null, a pty
 * slave, a master open read-only), a second master too, and one sent when
 * we asked for no pty; a real master is taken and made non-blocking. The
 * drain after the app's exit copies what the master still holds, to the
 * last byte, and stops at the hang-up.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "supervisor/pty-relay.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pty_relay_take_master_refuses),
	    cmocka_unit_test(test_pty_relay_take_master_once_and_only_when_asked),
	    cmocka_unit_test(test_pty_relay_drain_to_the_last_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
