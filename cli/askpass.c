/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * askpass.h: the terminal prompt and the askpass programs. Every buffer
 * that held a byte of the password is a fixed one of ours (no realloc
 * leaves copies behind in freed memory) and is wiped before it goes.
 */
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "cli/askpass.h"
#include "state/log.h"

char *
secret_free(char *s)
{
	if (s != NULL) {
		erase_secret(s, ASKPASS_MAX + 2);
		free(s);
	}
	return NULL;
}

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	interrupted = sig;
}

/* Reads one line from FD into BUF (size ASKPASS_MAX + 2) without its
 * newline; a longer line is read to its end and refused. */
static int
read_line(int fd, char *buf)
{
	size_t len = 0;
	bool too_long = false;

	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0)
			return -errno; /* EINTR too: a signal ends the prompt */
		if (n == 0 || c == '\n')
			break;
		if (len < ASKPASS_MAX + 1)
			buf[len++] = c;
		else
			too_long = true;
	}
	buf[len] = '\0';
	if (too_long || len > ASKPASS_MAX)
		return -E2BIG;
	return (int) len;
}

/* The prompt on TTY with echo off. The terminal gets its settings back
 * on every way out, a signal included (then the signal acts as usual). */
static int
ask_tty(int tty, const char *prompt, char *buf)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	struct sigaction sa = { .sa_handler = on_signal }, old[ELEMENTSOF(sigs)];
	struct termios t, saved;
	int r;

	if (tcgetattr(tty, &saved) < 0)
		return -errno;
	t = saved;
	t.c_lflag &= ~(tcflag_t) (ECHO | ECHOE | ECHOK | ECHONL);
	t.c_lflag |= ICANON;
	interrupted = 0;
	/* No SA_RESTART: the read must return at Ctrl-C. */
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void) sigaction(sigs[i], &sa, &old[i]);
	/* Echo goes off before the prompt shows: whoever types at the prompt
	 * is never echoed. */
	if (tcsetattr(tty, TCSAFLUSH, &t) < 0)
		r = -errno;
	else {
		(void) write_all(tty, prompt, strlen(prompt));
		r = read_line(tty, buf);
	}
	(void) tcsetattr(tty, TCSAFLUSH, &saved);
	(void) write_all(tty, "\n", 1);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		(void) sigaction(sigs[i], &old[i], NULL);
	if (interrupted != 0) {
		erase_secret(buf, ASKPASS_MAX + 2);
		(void) raise(interrupted);
		return -ECANCELED;
	}
	return r;
}

/* Runs PROGRAM PROMPT and takes the first line it prints. */
static int
ask_program(const char *program, const char *prompt, char *buf)
{
	int fds[2], status, r;
	pid_t pid;

	pid = fork_with_pipe(fds);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		reset_signals_for_exec();
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0)
			_exit(127);
		(void) syscall(SYS_close_range, 3, ~0u, 0);
		execlp(program, program, prompt, (char *) NULL);
		dprintf(2, "jailsup: error: unable to run '%s': %s\n", program, strerror(errno));
		_exit(127);
	}
	safe_close(fds[1]);
	do
		r = read_line(fds[0], buf);
	while (r == -EINTR);
	/* Whatever it prints after the first line is not read: drop the
	 * pipe, so a chatty program ends on SIGPIPE instead of blocking. */
	safe_close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		erase_secret(buf, ASKPASS_MAX + 2);
		return log_error("'%s' did not give a password (it exited with %d)", program,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)),
		       -ECANCELED;
	}
	return r;
}

int
askpass(const char *prompt, char **ret)
{
	_cleanup_(secret_freep) char *buf = NULL;
	_cleanup_close_ int tty = -1;
	const char *program = NULL;
	int r;

	/* From here on the password is in our memory: no core dump, no
	 * ptrace or /proc/PID/mem by other processes of the user. */
	(void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void) setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	buf = calloc(1, ASKPASS_MAX + 2);
	if (buf == NULL)
		return log_error("out of memory"), -ENOMEM;
	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0)
		r = ask_tty(tty, prompt, buf);
	else {
		const char *const vars[] = { "JAILSUP_ASKPASS", "SSH_ASKPASS" };

		for (size_t i = 0; i < ELEMENTSOF(vars) && program == NULL; i++) {
			const char *v = getenv(vars[i]);

			if (v != NULL && v[0] != '\0')
				program = v;
		}
		if (program == NULL)
			program = "systemd-ask-password";
		r = ask_program(program, prompt, buf);
		if (r == -ECANCELED && streq(program, "systemd-ask-password"))
			log_error("no terminal to ask for the password: set $JAILSUP_ASKPASS to a "
				  "program that prints it");
	}
	if (r == -E2BIG)
		return log_error("the password is longer than %d bytes", ASKPASS_MAX), -EINVAL;
	if (r < 0)
		return r == -ECANCELED ? r : log_error_errno(r, "unable to read the password");
	if (r == 0)
		return log_error("the password is empty"), -EINVAL;
	if (memchr(buf, '\0', (size_t) r) != NULL)
		return log_error("the password holds a NUL byte"), -EINVAL;
	*ret = TAKE_PTR(buf);
	return 0;
}
