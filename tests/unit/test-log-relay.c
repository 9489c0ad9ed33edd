/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/log-relay.c: a real pipe, a real log file in a fresh
 * directory, and a writer that plays the jail: every line marked and
 * escaped, long lines cut, the cap held (said once) however much comes, and
 * a writer that floods never left blocked or killed by SIGPIPE.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/log-relay.h"

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-log-relay"
#include "tests/unit/tmpdir-fixture.h"

#define PREFIX "init[x]: "

struct relay_run {
	int log_fd;
	int full; /* how many times the relay said FULL */
	struct log_relay r;
};

/* A pipe whose read end R relays to a fresh "log"; returns the write end. */
static int
relay_open(struct fixture *f, struct relay_run *x, size_t max)
{
	int p[2];

	x->log_fd = openat(f->fd, "log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	assert_true(x->log_fd >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	log_relay_init(&x->r, p[0], x->log_fd, PREFIX, max);
	x->full = 0;
	return p[1];
}

/* Pumps until EOF, waiting in poll() when the pipe is empty. */
static void
relay_until_eof(struct relay_run *x)
{
	for (;;) {
		struct pollfd p = {.fd = x->r.fd, .events = POLLIN};
		int r = log_relay_pump(&x->r);

		assert_true(r >= 0);
		if (r == LOG_RELAY_FULL)
			x->full++;
		if (r == LOG_RELAY_EOF)
			break;
		if (r == LOG_RELAY_AGAIN)
			assert_true(poll(&p, 1, 10000) == 1);
	}
	assert_int_equal(x->r.fd, -1);
	log_relay_done(&x->r);
	safe_close(x->log_fd);
}

static void
relay_text(struct fixture *f, const char *text, size_t len, size_t max, struct relay_run *x)
{
	int w = relay_open(f, x, max);

	assert_int_equal(write_all(w, text, len), 0);
	safe_close(w);
	relay_until_eof(x);
}

static void
test_log_relay_marks_and_escapes(void **state)
{
	static const char in[] = "hello\n\x1b]0;t\x07\x1b[31mred\rjailer[x]: error: forged\n"
	                         "\ttab caf\xc3\xa9\n\n";
	struct fixture *f = *state;
	struct relay_run x;

	relay_text(f, in, strlen(in), 1 << 20, &x);
	assert_file_content(f->fd, "log",
	                    PREFIX
	                    "hello\n" PREFIX
	                    "\\x1b]0;t\\x07\\x1b[31mred\\x0djailer[x]: error: forged\n" PREFIX
	                    "\ttab caf\xc3\xa9\n" PREFIX "\n");
	assert_int_equal(x.full, 0);
}

static void
test_log_relay_last_line_without_newline(void **state)
{
	struct fixture *f = *state;
	struct relay_run x;

	relay_text(f, "one\ntwo", 7, 1 << 20, &x);
	assert_file_content(f->fd, "log", PREFIX "one\n" PREFIX "two\n");
}

static void
test_log_relay_nul_and_bad_utf8(void **state)
{
	struct fixture *f = *state;
	struct relay_run x;

	relay_text(f, "a\0b\xff\xc2\n", 6, 1 << 20, &x);
	assert_file_content(f->fd, "log", PREFIX "a\\x00b\\xff\\xc2\n");
}

static void
test_log_relay_cuts_long_lines(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *in = malloc(3 * LOG_RELAY_LINE_MAX + 16);
	_cleanup_free_ char *expect = malloc(3 * LOG_RELAY_LINE_MAX + 64);
	_cleanup_free_ char *log = NULL;
	struct relay_run x;
	size_t n = 0, e = 0;

	assert_non_null(in);
	assert_non_null(expect);
	/* Exactly LOG_RELAY_LINE_MAX bytes: kept whole. */
	memset(in, 'a', LOG_RELAY_LINE_MAX);
	n = LOG_RELAY_LINE_MAX;
	in[n++] = '\n';
	/* One more: cut, the rest of the line dropped, the next one kept. */
	memset(in + n, 'b', LOG_RELAY_LINE_MAX + 1);
	n += LOG_RELAY_LINE_MAX + 1;
	memcpy(in + n, "\nnext\n", 6);
	n += 6;
	relay_text(f, in, n, 1 << 20, &x);

	e = (size_t) sprintf(expect, PREFIX);
	memset(expect + e, 'a', LOG_RELAY_LINE_MAX);
	e += LOG_RELAY_LINE_MAX;
	e += (size_t) sprintf(expect + e, "\n" PREFIX);
	memset(expect + e, 'b', LOG_RELAY_LINE_MAX);
	e += LOG_RELAY_LINE_MAX;
	sprintf(expect + e, LOG_RELAY_CUT "\n" PREFIX "next\n");
	log = read_file_at(f->fd, "log");
	assert_string_equal(log, expect);
}

static void
test_log_relay_cut_across_reads(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *chunk = malloc(LOG_RELAY_LINE_MAX);
	_cleanup_free_ char *log = NULL;
	struct relay_run x;
	int w;

	/* A line with no end that comes in pieces, each read on its own. */
	assert_non_null(chunk);
	memset(chunk, 'c', LOG_RELAY_LINE_MAX);
	w = relay_open(f, &x, 1 << 20);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(write_all(w, chunk, LOG_RELAY_LINE_MAX), 0);
		assert_true(log_relay_pump(&x.r) >= 0);
	}
	assert_int_equal(write_all(w, "\nafter\n", 7), 0);
	safe_close(w);
	relay_until_eof(&x);
	log = read_file_at(f->fd, "log");
	assert_int_equal(strlen(log), strlen(PREFIX) + LOG_RELAY_LINE_MAX + strlen(LOG_RELAY_CUT) +
	                                  1 + strlen(PREFIX "after\n"));
	assert_non_null(strstr(log, LOG_RELAY_CUT "\n" PREFIX "after\n"));
}

static void
test_log_relay_empty_pipe(void **state)
{
	struct fixture *f = *state;
	struct relay_run x;
	int w = relay_open(f, &x, 1 << 20);

	/* A writer that says nothing: the relay does not wait for it. */
	assert_int_equal(log_relay_pump(&x.r), LOG_RELAY_AGAIN);
	safe_close(w);
	assert_int_equal(log_relay_pump(&x.r), LOG_RELAY_EOF);
	assert_int_equal(log_relay_pump(&x.r), LOG_RELAY_EOF);
	log_relay_done(&x.r);
	safe_close(x.log_fd);
	assert_file_content(f->fd, "log", "");
}

/* A child that writes LEN bytes of lines to W as fast as it can, then
 * exits 0; a write that fails (EPIPE) or a SIGPIPE shows in its status. */
static pid_t
flood(int w, size_t len)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[65536];

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = i % 64 == 63 ? '\n' : 'x';
		for (size_t done = 0; done < len; done += sizeof(buf))
			if (write_all(w, buf, sizeof(buf)) < 0)
				_exit(3);
		_exit(0);
	}
	safe_close(w);
	return pid;
}

static void
test_log_relay_cap(void **state)
{
	struct fixture *f = *state;
	struct relay_run x;
	struct stat st;
	int status;
	pid_t pid;

	/* 10 MiB through a 100000-byte cap. */
	pid = flood(relay_open(f, &x, 100000), 10 << 20);
	relay_until_eof(&x);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* never EPIPE, never blocked for good */
	assert_int_equal(x.full, 1);
	assert_int_equal(fstatat(f->fd, "log", &st, 0), 0);
	assert_true(st.st_size <= 100000);
	/* Nearly all of it used: whole lines of 63 bytes and the prefix. */
	assert_true(st.st_size > 100000 - 64 - (off_t) strlen(PREFIX));
}

static void
test_log_relay_whole_lines(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *log = NULL;
	struct relay_run x;
	size_t lines = 0;
	int status;
	pid_t pid;

	/* Read in pieces that end mid-line, written in batches: every line
	 * of the log is one whole line of the writer's, marked. */
	pid = flood(relay_open(f, &x, 1 << 20), 300000);
	relay_until_eof(&x);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	log = read_file_at(f->fd, "log");
	for (char *p = log; *p != '\0'; lines++) {
		char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_int_equal((size_t) (nl - p), strlen(PREFIX) + 63);
		assert_memory_equal(p, PREFIX, strlen(PREFIX));
		p = nl + 1;
	}
	assert_int_equal(lines, (300000 + 65535) / 65536 * 65536 / 64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
	    T(test_log_relay_marks_and_escapes),
	    T(test_log_relay_last_line_without_newline),
	    T(test_log_relay_nul_and_bad_utf8),
	    T(test_log_relay_cuts_long_lines),
	    T(test_log_relay_cut_across_reads),
	    T(test_log_relay_empty_pipe),
	    T(test_log_relay_cap),
	    T(test_log_relay_whole_lines),
#undef T
	};

	(void) signal(SIGPIPE, SIG_DFL);
	return cmocka_run_group_tests_name("test-log-relay", tests, NULL, NULL);
}
