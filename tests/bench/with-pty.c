/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * with-pty [--pipe] CMD…: runs CMD as at a terminal, for `make bench`'s
 * pty relay rows (tests/bench/run). CMD gets the slave of a fresh pty as
 * stdin, stdout and stderr, as its controlling terminal, in the foreground
 * (so jailsup relays in raw mode, as for a user); we read the master to
 * the end and throw the bytes away, as a fast terminal would. With --pipe
 * CMD gets /dev/null as stdin and a pipe as stdout and stderr, read the
 * same way: the same work with no terminal, the row to compare with.
 * Exits with CMD's status (128+N for signal N).
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static char buf[65536];

int
main(int argc, char **argv)
{
	bool pipe_mode = argc > 1 && strcmp(argv[1], "--pipe") == 0;
	char **cmd = argv + 1 + pipe_mode;
	int rd, in, out, status;
	pid_t pid;

	if (cmd[0] == NULL) {
		fprintf(stderr, "usage: with-pty [--pipe] CMD...\n");
		return 2;
	}
	if (pipe_mode) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return perror("pipe"), 111;
		rd = p[0];
		out = p[1];
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	} else {
		struct winsize ws = {.ws_row = 24, .ws_col = 80};

		rd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (rd < 0 || grantpt(rd) < 0 || unlockpt(rd) < 0)
			return perror("posix_openpt"), 111;
		out = in = open(ptsname(rd), O_RDWR | O_NOCTTY | O_CLOEXEC);
		(void) ioctl(rd, TIOCSWINSZ, &ws);
	}
	if (in < 0 || out < 0)
		return perror("open"), 111;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 111;
	if (pid == 0) {
		if (!pipe_mode && (setsid() < 0 || ioctl(in, TIOCSCTTY, 0) < 0))
			_exit(111);
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(111);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(out);
	if (in != out)
		close(in);
	for (;;) {
		ssize_t n = read(rd, buf, sizeof(buf));

		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break; /* EOF of the pipe, EIO of the pty: no writer left */
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return perror("waitpid"), 111;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
