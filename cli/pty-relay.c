/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pty-relay.h: the copy loop between the user's terminal and a pty master
 * of the jail, and the terminal's modes around it. The master comes from
 * dispatch, inside the jail, so it is checked before use, non-blocking,
 * and never waited on: a jail can stall its own app's output, not us. The
 * user's terminal is ours to block on.
 */
#include "cli/pty-relay.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/sysmacros.h>

#include <fcntl.h>
#include <signal.h>

/* What we copy from the master after the app's exit, at most: what it
 * wrote last fits in the pty's buffers many times over, and a leftover
 * in the jail that keeps writing must not keep us here. */
#define DRAIN_MAX (4 * 1024 * 1024)

static void
guard_fired(int sig)
{
	(void) sig;
}

void
jail_call_guard_install(struct sigaction *saved)
{
	struct sigaction sa = {.sa_handler = guard_fired}; /* no SA_RESTART */
	sigset_t alrm;

	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGALRM, &sa, saved);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	(void) sigprocmask(SIG_UNBLOCK, &alrm, NULL);
}

void
jail_call_guard_remove(const struct sigaction *saved)
{
	jail_call_guard(false);
	(void) sigaction(SIGALRM, saved, NULL);
}

void
jail_call_guard(bool armed)
{
	struct itimerval it = {};

	if (armed)
		it.it_value = it.it_interval =
		    (struct timeval){.tv_usec = JAIL_CALL_GUARD_MS * 1000};
	(void) setitimer(ITIMER_REAL, &it, NULL);
}

int
jail_fd_close(int fd)
{
	if (fd < 0)
		return -1;
	jail_call_guard(true);
	(void) close(fd);
	jail_call_guard(false);
	return -1;
}

/* After the guard cut a call short: the jail cleared O_NONBLOCK through
 * its copy; set it again (it can clear it again, the guard stays). */
static void
master_nonblock(struct pty_relay *t)
{
	int fl = fcntl(t->master, F_GETFL);

	if (fl >= 0 && !(fl & O_NONBLOCK))
		(void) fcntl(t->master, F_SETFL, fl | O_NONBLOCK);
}

int
pty_relay_prepare(struct pty_relay *t, struct dispatch_tty *tty)
{
	int first = -1;

	t->term = t->master = -1;
	t->mask = 0;
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		if (isatty(i)) {
			t->mask |= 1u << i;
			if (first < 0)
				first = i;
		}
	tty->mask = t->mask;
	if (t->mask == 0)
		return 0;
	t->term = fcntl(first, F_DUPFD_CLOEXEC, 3);
	if (t->term < 0)
		return -errno;
	if (tcgetattr(t->term, &t->saved) < 0)
		return -errno;
	tty->termios = t->saved;
	if (ioctl(t->term, TIOCGWINSZ, &tty->winsize) < 0)
		memset(&tty->winsize, 0, sizeof(tty->winsize));
	return 0;
}

int
pty_relay_take_master(struct pty_relay *t, int fd)
{
	struct stat st;
	unsigned ptn;
	int fl;

	/* A pty master is the ptmx device (char 5:2, /dev/ptmx or a devpts
	 * instance's own ptmx), open read-write, and only a master answers
	 * TIOCGPTN: not a FIFO that blocks, not a slave, not a file. */
	if (t->mask == 0 || t->master >= 0 || fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 || ioctl(fd, TIOCGPTN, &ptn) < 0 ||
	    (fl = fcntl(fd, F_GETFL)) < 0 || (fl & O_ACCMODE) != O_RDWR ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		jail_fd_close(fd);
		return -EBADMSG;
	}
	t->master = fd;
	return 0;
}

void
pty_relay_raw(struct pty_relay *t)
{
	struct termios raw;

	/* A background job leaves the terminal to the foreground one. */
	if (t->term < 0 || t->raw || tcgetpgrp(t->term) != getpgrp())
		return;
	/* Read again: the user's shell may have changed it while we were
	 * stopped. */
	if (tcgetattr(t->term, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw); /* the pty's own line discipline does the rest */
	if (tcsetattr(t->term, TCSADRAIN, &raw) == 0)
		t->raw = true;
}

void
pty_relay_restore(struct pty_relay *t)
{
	sigset_t ttou, old;

	if (!t->raw)
		return;
	/* Even if we were put in the background meanwhile: the terminal
	 * must not stay raw. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	(void) sigprocmask(SIG_BLOCK, &ttou, &old);
	(void) tcsetattr(t->term, TCSADRAIN, &t->saved);
	(void) sigprocmask(SIG_SETMASK, &old, NULL);
	t->raw = false;
}

void
pty_relay_winch(struct pty_relay *t)
{
	struct winsize ws;

	if (t->term >= 0 && t->master >= 0 && ioctl(t->term, TIOCGWINSZ, &ws) == 0) {
		jail_call_guard(true);
		(void) ioctl(t->master, TIOCSWINSZ, &ws);
		jail_call_guard(false);
	}
}

size_t
pty_relay_poll_fill(struct pty_relay *t, struct pollfd *p)
{
	size_t n = 0;

	if (t->master < 0)
		return 0;
	/* Keys only while we are the foreground job in raw mode, and only
	 * once the master took the last ones. */
	if (t->raw && !t->term_dead && t->in_len == 0)
		p[n++] = (struct pollfd){.fd = t->term, .events = POLLIN};
	if (!t->master_eof)
		p[n++] = (struct pollfd){.fd = t->master,
		                         .events = POLLIN | (t->in_len > 0 ? POLLOUT : 0)};
	return n;
}

static void
to_master(struct pty_relay *t)
{
	ssize_t n;

	if (t->in_len == 0 || t->master_eof)
		return;
	jail_call_guard(true);
	n = write(t->master, t->in, t->in_len);
	jail_call_guard(false);
	if (n < 0 && errno == EINTR)
		master_nonblock(t);
	if (n > 0) {
		memmove(t->in, t->in + n, t->in_len - (size_t) n);
		t->in_len -= (size_t) n;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR)
		t->in_len = 0; /* the pty is gone: the keys go nowhere */
}

/* One read of the master onto the terminal. Returns the bytes read, 0 at
 * EOF (the last slave closed: EIO) or -errno (-EAGAIN: nothing now). */
static ssize_t
from_master(struct pty_relay *t)
{
	ssize_t n;

	jail_call_guard(true);
	n = read(t->master, t->out, sizeof(t->out));
	jail_call_guard(false);
	if (n < 0 && errno == EINTR) {
		master_nonblock(t);
		errno = EAGAIN; /* nothing now, as far as we wait */
	}
	if (n < 0 && errno == EIO)
		n = 0;
	if (n == 0)
		t->master_eof = true;
	if (n < 0)
		return -errno;
	if (n > 0 && !t->term_dead && write_all(t->term, t->out, (size_t) n) < 0)
		t->term_dead = true;
	return n;
}

void
pty_relay_io(struct pty_relay *t, const struct pollfd *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].revents == 0)
			continue;
		if (p[i].fd == t->term) {
			ssize_t r = read(t->term, t->in, sizeof(t->in));

			if (r > 0)
				t->in_len = (size_t) r;
			else if (r == 0 || (errno != EAGAIN && errno != EINTR))
				t->term_dead = true;
			to_master(t);
		} else if (p[i].fd == t->master) {
			if (p[i].revents & POLLOUT)
				to_master(t);
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				(void) from_master(t);
		}
	}
}

void
pty_relay_drain(struct pty_relay *t)
{
	size_t total = 0;
	ssize_t n;

	if (t->master < 0)
		return;
	while (!t->master_eof && total < DRAIN_MAX) {
		n = from_master(t);
		if (n <= 0)
			break;
		total += (size_t) n;
	}
}

void
pty_relay_suspend(struct pty_relay *t)
{
	pty_relay_restore(t);
	/* Stopped here until the shell's fg or bg (SIGCONT). Always as a
	 * job stops at a Ctrl-Z, whatever stopped the app: the kernel drops
	 * SIGTSTP in an orphaned process group (a terminal window's
	 * `jailsup run`, no job control to continue us), where SIGSTOP would
	 * stop us for good. */
	(void) raise(SIGTSTP);
	pty_relay_raw(t);
	pty_relay_winch(t);
}

void
pty_relay_done(struct pty_relay *t)
{
	pty_relay_restore(t);
	t->master = jail_fd_close(t->master);
	t->term = safe_close(t->term);
}
