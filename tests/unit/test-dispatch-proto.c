/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/dispatch-proto.c: PID 1 of every jail decodes these
 * messages, so every malformed shape has a case that must be refused whole
 * (wrong magic or version, a length that lies, missing NULs, trailing
 * bytes, counts past the limits, a relative cwd, env without '='), and the
 * socket layer must close every fd that came with a refused datagram.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/dispatch-proto.h"

static char *argv_ok[] = { "/bin/echo", "a b", "", NULL };
static char *env_ok[] = { "LANG=C.UTF-8", "TERM=xterm", NULL };

static void
encode_ok(void **buf, size_t *len)
{
	assert_int_equal(dispatch_encode_run(argv_ok, env_ok, "/home/u", buf, len), 0);
}

static void
test_dispatch_encode_run_roundtrip(void **state)
{
	struct dispatch_run run = {};
	void *buf = NULL;
	size_t len;

	(void) state;
	encode_ok(&buf, &len);
	assert_int_equal(dispatch_peek_type(buf, len), DISPATCH_RUN);
	assert_int_equal(dispatch_decode_run(buf, len, &run), 0);
	assert_string_equal(run.argv[0], "/bin/echo");
	assert_string_equal(run.argv[1], "a b");
	assert_string_equal(run.argv[2], "");
	assert_null(run.argv[3]);
	assert_string_equal(run.envp[0], "LANG=C.UTF-8");
	assert_string_equal(run.envp[1], "TERM=xterm");
	assert_null(run.envp[2]);
	assert_string_equal(run.cwd, "/home/u");
	dispatch_run_done(&run);
	free(buf);
}

static void
test_dispatch_encode_run_limits(void **state)
{
	char *empty[] = { NULL };
	char **many = calloc(DISPATCH_ARGS_MAX + 2, sizeof(char *));
	char *big = malloc(DISPATCH_MSG_MAX + 1);
	char *big_argv[] = { big, NULL };
	void *buf = NULL;
	size_t len;

	(void) state;
	assert_non_null(many);
	assert_non_null(big);
	for (size_t i = 0; i < DISPATCH_ARGS_MAX + 1; i++)
		many[i] = "x";
	memset(big, 'a', DISPATCH_MSG_MAX);
	big[DISPATCH_MSG_MAX] = '\0';
	assert_int_equal(dispatch_encode_run(empty, env_ok, "/", &buf, &len), -E2BIG);
	assert_int_equal(dispatch_encode_run(many, env_ok, "/", &buf, &len), -E2BIG);
	assert_int_equal(dispatch_encode_run(argv_ok, many, "/", &buf, &len), -E2BIG);
	assert_int_equal(dispatch_encode_run(big_argv, env_ok, "/", &buf, &len), -E2BIG);
	free(many);
	free(big);
}

static void
test_dispatch_decode_run_bad_magic_version(void **state)
{
	struct dispatch_run run = {};
	struct dispatch_header h;
	void *buf = NULL;
	size_t len;

	(void) state;
	encode_ok(&buf, &len);
	memcpy(&h, buf, sizeof(h));
	h.magic ^= 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EPROTO);
	h.magic ^= 1;
	h.version = DISPATCH_VERSION + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EPROTO);
	free(buf);
}

static void
test_dispatch_decode_run_length_lies(void **state)
{
	struct dispatch_run run = {};
	struct dispatch_header h;
	void *buf = NULL;
	size_t len;

	(void) state;
	encode_ok(&buf, &len);
	/* The header claims more, or less, than arrived. */
	assert_int_equal(dispatch_decode_run(buf, len - 1, &run), -EBADMSG);
	memcpy(&h, buf, sizeof(h));
	h.length = (uint32_t) len + 1;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	/* Shorter than a header. */
	assert_int_equal(dispatch_decode_run(buf, 3, &run), -EBADMSG);
	assert_int_equal(dispatch_peek_type(buf, 0), -EBADMSG);
	free(buf);
}

static void
test_dispatch_decode_run_missing_nul(void **state)
{
	struct dispatch_run run = {};
	char *buf = NULL;
	size_t len;

	(void) state;
	encode_ok((void **) &buf, &len);
	buf[len - 1] = 'x'; /* the cwd's NUL */
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
}

static void
test_dispatch_decode_run_trailing_bytes(void **state)
{
	struct dispatch_run run = {};
	struct dispatch_header h;
	char *buf = NULL, *longer;
	size_t len;

	(void) state;
	encode_ok((void **) &buf, &len);
	longer = malloc(len + 4);
	assert_non_null(longer);
	memcpy(longer, buf, len);
	memcpy(longer + len, "zz\0", 4);
	memcpy(&h, longer, sizeof(h));
	h.length = (uint32_t) len + 4;
	memcpy(longer, &h, sizeof(h));
	assert_int_equal(dispatch_decode_run(longer, len + 4, &run), -EBADMSG);
	free(longer);
	free(buf);
}

static void
test_dispatch_decode_run_counts(void **state)
{
	struct dispatch_run run = {};
	char *buf = NULL;
	uint32_t counts[2];
	size_t len;

	(void) state;
	encode_ok((void **) &buf, &len);
	memcpy(counts, buf + sizeof(struct dispatch_header), sizeof(counts));
	counts[0] = DISPATCH_ARGS_MAX + 1;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -E2BIG);
	counts[0] = 0;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -E2BIG);
	/* More strings claimed than present. */
	counts[0] = 3;
	counts[1] = 5;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
}

static void
test_dispatch_decode_run_bad_fields(void **state)
{
	char *env_bad[] = { "NOEQUALS", NULL };
	char *env_eq[] = { "=x", NULL };
	char *argv_empty[] = { "", NULL };
	struct dispatch_run run = {};
	void *buf = NULL;
	size_t len;

	(void) state;
	assert_int_equal(dispatch_encode_run(argv_ok, env_ok, "relative", &buf, &len), 0);
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
	assert_int_equal(dispatch_encode_run(argv_ok, env_bad, "/", &buf, &len), 0);
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
	assert_int_equal(dispatch_encode_run(argv_ok, env_eq, "/", &buf, &len), 0);
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
	assert_int_equal(dispatch_encode_run(argv_empty, env_ok, "/", &buf, &len), 0);
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
}

static void
test_dispatch_decode_small_kinds(void **state)
{
	struct dispatch_small m, got;
	void *buf = NULL;
	size_t len;

	(void) state;
	dispatch_make_small(&m, DISPATCH_EXIT, DISPATCH_SIGNALED, 15);
	assert_int_equal(dispatch_decode_small(&m, sizeof(m), &got), DISPATCH_EXIT);
	assert_int_equal(got.kind, DISPATCH_SIGNALED);
	assert_int_equal(got.value, 15);
	/* A RUN is never a small message, and a short one is refused. */
	encode_ok(&buf, &len);
	assert_int_equal(dispatch_decode_small(buf, len, &got), -EBADMSG);
	assert_int_equal(dispatch_decode_small(&m, sizeof(m) - 1, &got), -EBADMSG);
	m.hdr.type = 99;
	assert_int_equal(dispatch_decode_small(&m, sizeof(m), &got), -EBADMSG);
	free(buf);
}

/* The pty part of RUN: the mask, termios and window size come back as
 * sent; the fds expected follow the mask. */
static void
test_dispatch_encode_run_tty_roundtrip(void **state)
{
	struct dispatch_tty tty = {.mask = 1 | 4};
	struct dispatch_run run = {};
	void *buf = NULL;
	size_t len, plain_len;

	(void) state;
	tty.termios.c_lflag = ICANON | ECHO;
	tty.termios.c_cc[VINTR] = 3;
	tty.winsize.ws_row = 33;
	tty.winsize.ws_col = 121;
	encode_ok(&buf, &plain_len);
	free(buf);
	assert_int_equal(dispatch_encode_run_tty(argv_ok, env_ok, "/home/u", &tty, &buf, &len), 0);
	assert_int_equal(len, plain_len + sizeof(struct termios) + sizeof(struct winsize));
	assert_int_equal(dispatch_decode_run(buf, len, &run), 0);
	assert_int_equal(run.tty.mask, 5);
	assert_memory_equal(&run.tty.termios, &tty.termios, sizeof(tty.termios));
	assert_int_equal(run.tty.winsize.ws_row, 33);
	assert_int_equal(run.tty.winsize.ws_col, 121);
	assert_string_equal(run.argv[0], "/bin/echo");
	assert_string_equal(run.cwd, "/home/u");
	dispatch_run_done(&run);
	free(buf);
	/* Without a mask nothing of the terminal is sent. */
	tty.mask = 0;
	assert_int_equal(dispatch_encode_run_tty(argv_ok, env_ok, "/home/u", &tty, &buf, &len), 0);
	assert_int_equal(len, plain_len);
	assert_int_equal(dispatch_decode_run(buf, len, &run), 0);
	assert_int_equal(run.tty.mask, 0);
	dispatch_run_done(&run);
	free(buf);
	assert_int_equal(dispatch_run_nfds(0), 3);
	assert_int_equal(dispatch_run_nfds(2), 2);
	assert_int_equal(dispatch_run_nfds(7), 0);
}

/* A mask past the three stdio fds, or a terminal part cut short. */
static void
test_dispatch_decode_run_bad_tty(void **state)
{
	struct dispatch_tty tty = {.mask = 8};
	struct dispatch_run run = {};
	struct dispatch_header h;
	char *buf = NULL;
	uint32_t counts[3];
	size_t len;

	(void) state;
	assert_int_equal(dispatch_encode_run_tty(argv_ok, env_ok, "/", &tty, (void **) &buf, &len),
	                 -EINVAL);
	encode_ok((void **) &buf, &len);
	memcpy(counts, buf + sizeof(struct dispatch_header), sizeof(counts));
	counts[2] = 8;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	counts[2] = 0x80000001u;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	/* A mask with no room for termios and window size after it: the
	 * strings would be read as them, and what is left does not parse. */
	counts[2] = 1;
	memcpy(buf + sizeof(struct dispatch_header), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, len, &run), -EBADMSG);
	free(buf);
	/* Header and counts only, mask set: cut short. */
	buf = calloc(1, sizeof(h) + sizeof(counts));
	assert_non_null(buf);
	h = (struct dispatch_header){.magic = DISPATCH_MAGIC,
	                             .version = DISPATCH_VERSION,
	                             .type = DISPATCH_RUN,
	                             .length = (uint32_t) (sizeof(h) + sizeof(counts))};
	memcpy(buf, &h, sizeof(h));
	counts[0] = 1;
	counts[1] = 0;
	counts[2] = 1;
	memcpy(buf + sizeof(h), counts, sizeof(counts));
	assert_int_equal(dispatch_decode_run(buf, sizeof(h) + sizeof(counts), &run), -EBADMSG);
	free(buf);
}

/* PTY and STOPPED are small messages of version 2; version 1 is refused. */
static void
test_dispatch_decode_small_pty_stopped(void **state)
{
	struct dispatch_small m, got;

	(void) state;
	dispatch_make_small(&m, DISPATCH_PTY, 0, 4);
	assert_int_equal(dispatch_decode_small(&m, sizeof(m), &got), DISPATCH_PTY);
	assert_int_equal(got.value, 4);
	dispatch_make_small(&m, DISPATCH_STOPPED, 0, 20);
	assert_int_equal(dispatch_decode_small(&m, sizeof(m), &got), DISPATCH_STOPPED);
	assert_int_equal(got.value, 20);
	m.hdr.version = 1;
	assert_int_equal(dispatch_decode_small(&m, sizeof(m), &got), -EPROTO);
}

static int
open_count(void)
{
	int n = 0;

	for (int fd = 0; fd < 256; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void
test_dispatch_recv_fds_and_cloexec(void **state)
{
	int sv[2], fds[3] = { -1, -1, -1 }, got[3];
	char buf[DISPATCH_MSG_MAX];
	struct dispatch_small m;
	size_t n_fds = 0;

	(void) state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	dispatch_make_small(&m, DISPATCH_SIGNAL, 0, 2);
	assert_int_equal(dispatch_send(sv[0], &m, sizeof(m), fds, 3), 0);
	assert_int_equal(dispatch_recv(sv[1], buf, sizeof(buf), got, 3, &n_fds), sizeof(m));
	assert_int_equal(n_fds, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(fcntl(got[i], F_GETFD) & FD_CLOEXEC);
		close(got[i]);
		close(fds[i]);
	}
	close(sv[0]);
	close(sv[1]);
}

/* More fds than the receiver takes, or a datagram too big for its buffer:
 * refused, and not one received fd stays open. */
static void
test_dispatch_recv_refuses_and_closes(void **state)
{
	int sv[2], fds[3], got[3], before;
	char small_buf[8], buf[64];
	struct dispatch_small m;
	size_t n_fds = 99;

	(void) state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (int i = 0; i < 3; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	before = open_count();
	dispatch_make_small(&m, DISPATCH_SIGNAL, 0, 2);
	assert_int_equal(dispatch_send(sv[0], &m, sizeof(m), fds, 3), 0);
	assert_int_equal(dispatch_recv(sv[1], buf, sizeof(buf), got, 2, &n_fds), -EMSGSIZE);
	assert_int_equal(n_fds, 0);
	assert_int_equal(open_count(), before);
	assert_int_equal(dispatch_send(sv[0], &m, sizeof(m), fds, 3), 0);
	assert_int_equal(dispatch_recv(sv[1], small_buf, sizeof(small_buf), got, 3, &n_fds),
			 -EMSGSIZE);
	assert_int_equal(open_count(), before);
	/* EOF reads as 0. */
	close(sv[0]);
	assert_int_equal(dispatch_recv(sv[1], buf, sizeof(buf), got, 3, &n_fds), 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dispatch_encode_run_roundtrip),
	    cmocka_unit_test(test_dispatch_encode_run_limits),
	    cmocka_unit_test(test_dispatch_decode_run_bad_magic_version),
	    cmocka_unit_test(test_dispatch_decode_run_length_lies),
	    cmocka_unit_test(test_dispatch_decode_run_missing_nul),
	    cmocka_unit_test(test_dispatch_decode_run_trailing_bytes),
	    cmocka_unit_test(test_dispatch_decode_run_counts),
	    cmocka_unit_test(test_dispatch_decode_run_bad_fields),
	    cmocka_unit_test(test_dispatch_encode_run_tty_roundtrip),
	    cmocka_unit_test(test_dispatch_decode_run_bad_tty),
	    cmocka_unit_test(test_dispatch_decode_small_pty_stopped),
	    cmocka_unit_test(test_dispatch_decode_small_kinds),
	    cmocka_unit_test(test_dispatch_recv_fds_and_cloexec),
	    cmocka_unit_test(test_dispatch_recv_refuses_and_closes),
	};

	return cmocka_run_group_tests_name("test-dispatch-proto", tests, NULL, NULL);
}
