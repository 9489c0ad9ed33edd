/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.h: one app request on dispatch.sock. Only locale and terminal
 * variables are sent: the environment of the CLI (which may hold
 * SSH_AUTH_SOCK, tokens, the real bus address) never enters the jail, not
 * even dispatch's memory. Nor does our terminal: a terminal among our stdio
 * is replaced by a pty of the jail's, which we relay (pty-relay.h).
 */
#include "cli/client.h"

#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include "cli/pty-relay.h"
#include "state/dispatch-proto.h"
#include "state/log.h"
#include "state/state.h"

extern char **environ;

int
jail_connect(int state_fd, int *ret_fd)
{
	int fd = unix_connect_at(state_fd, STATE_DISPATCH_SOCK, SOCK_SEQPACKET, 0);

	if (fd < 0)
		return fd;
	*ret_fd = fd;
	return 0;
}

static int
exit_code_of(const struct dispatch_small *m, const char *argv0)
{
	switch (m->kind) {
	case DISPATCH_EXITED:
		return m->value & 0xff;
	case DISPATCH_SIGNALED:
		/* From the jail: a signal number, or a malformed reply. */
		if (m->value < 1 || m->value > 64) {
			log_error("the jail reported a death by signal %d, which does not exist",
			          m->value);
			return EXIT_JAILSUP_FAILED;
		}
		return 128 + m->value;
	case DISPATCH_EXEC_FAILED:
		log_error_errno(-m->value, "unable to execute '%s' in the jail", argv0);
		return m->value == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
	default:
		log_error_errno(-m->value, "the jail refused the request");
		return EXIT_JAILSUP_FAILED;
	}
}

/* True when SOCK holds dispatch's "refused: EAGAIN", its word for "this
 * jail is ending, start a new one" (nothing of the request ran). Dispatch
 * closed the socket with our request unread, so the kernel reports
 * ECONNRESET once before it hands out the refusal queued ahead of it. */
static bool
leaving_refusal(int sock)
{
	struct dispatch_small m;
	char buf[256];
	ssize_t n;

	n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET)
		n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
	return n > 0 && dispatch_decode_small(buf, (size_t) n, &m) == DISPATCH_EXIT &&
	       m.kind == DISPATCH_REFUSED && m.value == EAGAIN;
}

static void
relay_freep(struct pty_relay **t)
{
	if (*t != NULL)
		pty_relay_done(*t);
	*t = mfree(*t);
}

/* The signals that stop a process: the only ones a STOPPED may name, as we
 * raise it on ourselves. */
static bool
stop_signal(int32_t sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGSTOP;
}

/* Our stdio but the terminals (those go via the pty), in order. */
static size_t
stdio_to_send(uint32_t mask, int *fds)
{
	size_t n = 0;

	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		if (!(mask & (1u << i)))
			fds[n++] = i;
	return n;
}

/* A reply of dispatch while the app runs. Returns -EINPROGRESS to go on
 * waiting (never an exit code, nor -EAGAIN), or what jail_run_app()
 * returns. */
static int
handle_reply(int sock, struct pty_relay *t, bool *started, char *const *argv, const char *jail_name,
             unsigned flags)
{
	struct dispatch_small m;
	char buf[256];
	size_t n_fds = 0;
	ssize_t n;
	int fd = -1, r;

	/* Guarded: fds the jail sends beyond the one we take are closed by
	 * the kernel on our way back from recvmsg(), and a lingering socket
	 * among them would hold us there. */
	jail_call_guard(true);
	n = dispatch_recv(sock, buf, sizeof(buf), &fd, 1, &n_fds);
	jail_call_guard(false);
	if (n == -ECONNRESET && leaving_refusal(sock))
		return -EAGAIN;
	if (n <= 0) {
		log_error("jail '%s' ended before the app reported its status", jail_name);
		return EXIT_JAILSUP_FAILED;
	}
	r = dispatch_decode_small(buf, (size_t) n, &m);
	if (r == DISPATCH_PTY && n_fds == 1 && !*started) {
		if (pty_relay_take_master(t, fd) < 0) {
			log_error("jail '%s' sent something else than a pty master", jail_name);
			return EXIT_JAILSUP_FAILED;
		}
		return -EINPROGRESS;
	}
	if (n_fds > 0)
		jail_fd_close(fd);
	/* With a terminal of ours the app runs on the pty: a jail that
	 * starts it without one sent a malformed reply. */
	if (r == DISPATCH_STARTED && !*started && (t->mask == 0 || t->master >= 0)) {
		*started = true;
		/* The app runs on when we hang up: dispatch ends it only
		 * with the jail. */
		return (flags & JAIL_RUN_NO_WAIT) ? 0 : -EINPROGRESS;
	}
	if (r == DISPATCH_STOPPED && *started && t->master >= 0 && stop_signal(m.value)) {
		pty_relay_suspend(t);
		dispatch_make_small(&m, DISPATCH_SIGNAL, 0, SIGCONT);
		(void) dispatch_send(sock, &m, sizeof(m), NULL, 0);
		return -EINPROGRESS;
	}
	if (r == DISPATCH_EXIT && n_fds == 0) {
		if (m.kind == DISPATCH_REFUSED && m.value == EAGAIN)
			return -EAGAIN;
		pty_relay_drain(t);
		return exit_code_of(&m, argv[0]);
	}
	log_error("jail '%s' sent a malformed reply", jail_name);
	return EXIT_JAILSUP_FAILED;
}

int
jail_run_app(int sock, char *const *argv, const char *jail_name)
{
	return jail_run_app_flags(sock, argv, jail_name, 0, NULL);
}

/* With JAIL_RUN_NO_WAIT: STDIO[I] (our fd I) is /dev/null instead when it
 * is a terminal. NULL_FD holds the /dev/null opened for it. */
static int
no_wait_stdio(int *stdio, size_t n, int *null_fd)
{
	for (size_t i = 0; i < n; i++) {
		if (!isatty(stdio[i]))
			continue;
		if (*null_fd < 0) {
			*null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
			if (*null_fd < 0)
				return -errno;
		}
		stdio[i] = *null_fd;
	}
	return 0;
}

int
jail_run_app_flags(int sock_in, char *const *argv, const char *jail_name, unsigned flags,
                   bool *ret_started)
{
	static const int relayed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH };
	_cleanup_close_ int sock = sock_in, sfd = -1, null_fd = -1;
	_cleanup_(relay_freep) struct pty_relay *t = NULL;
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ void *msg = NULL;
	struct dispatch_tty tty = {};
	struct sigaction saved_alrm;
	bool started = false;
	char cwd[4096];
	int stdio[DISPATCH_RUN_NFDS];
	size_t len, n_stdio;
	sigset_t mask, old;
	int r = 0;

	for (char **e = environ; *e != NULL; e++)
		if (dispatch_env_passes(*e) && strv_push(&env, *e) < 0)
			return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, "/");
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	if (flags & JAIL_RUN_NO_WAIT)
		t->term = t->master = -1; /* no pty: tty.mask stays 0 */
	else
		r = pty_relay_prepare(t, &tty);
	if (!(flags & JAIL_RUN_NO_WAIT) && r < 0) {
		log_error_errno(r, "unable to read the settings of our terminal");
		return EXIT_JAILSUP_FAILED;
	}
	r = dispatch_encode_run_tty(argv, env, cwd, &tty, &msg, &len);
	if (r < 0) {
		log_error_errno(r, "the command line or environment is too large");
		return EXIT_JAILSUP_FAILED;
	}

	/* Block the relayed signals before the app exists, so none is lost
	 * between its start and our first poll. */
	sigemptyset(&mask);
	for (size_t i = 0; i < ELEMENTSOF(relayed); i++)
		sigaddset(&mask, relayed[i]);
	/* With a terminal: a SIGCONT may mean the shell's fg after a bg, and
	 * we take the terminal back (it continues us whether blocked or not). */
	if (t->mask != 0)
		sigaddset(&mask, SIGCONT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		log_error_errno(-errno, "unable to watch signals");
		return EXIT_JAILSUP_FAILED;
	}
	n_stdio = stdio_to_send(t->mask, stdio);
	if (flags & JAIL_RUN_NO_WAIT) {
		r = no_wait_stdio(stdio, n_stdio, &null_fd);
		if (r < 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			log_error_errno(r, "unable to open /dev/null");
			return EXIT_JAILSUP_FAILED;
		}
	}
	for (size_t i = 0; i < n_stdio; i++) {
		struct stat st;
		int fl = fcntl(stdio[i], F_GETFL);

		if (fl < 0 || (fl & O_PATH) || fstat(stdio[i], &st) < 0 || S_ISDIR(st.st_mode) ||
		    S_ISBLK(st.st_mode) || S_ISLNK(st.st_mode)) {
			log_error("refusing to hand fd %d (a directory, device or path) to jail "
			          "'%s' as its %s: it would open the host to the jail",
			          stdio[i], jail_name,
			          stdio[i] == 0   ? "stdin"
			          : stdio[i] == 1 ? "stdout"
			                          : "stderr");
			sigprocmask(SIG_SETMASK, &old, NULL);
			return EXIT_JAILSUP_FAILED;
		}
	}
	r = dispatch_send(sock, msg, len, stdio, n_stdio);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* The jail may have been leaving as we connected: its refusal
		 * is still queued on the socket it closed. */
		if (leaving_refusal(sock))
			return -EAGAIN;
		log_error_errno(r, "unable to send the request to jail '%s'", jail_name);
		return EXIT_JAILSUP_FAILED;
	}
	/* Raw from here on: what the user types goes to the pty, whose own
	 * line discipline turns Ctrl-C, Ctrl-\ and Ctrl-Z into signals for
	 * the app. Restored on every way out (relay_freep()). */
	pty_relay_raw(t);
	jail_call_guard_install(&saved_alrm);

	for (;;) {
		struct pollfd p[4] = {{.fd = sock, .events = POLLIN},
		                      {.fd = sfd, .events = POLLIN}};
		size_t n = 2 + pty_relay_poll_fill(t, p + 2);

		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(-errno, "unable to wait for the app");
			r = EXIT_JAILSUP_FAILED;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			struct dispatch_small m;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				/* A pty carries the window size itself; the
				 * kernel signals the app. */
				if (si.ssi_signo == SIGWINCH && t->master >= 0) {
					pty_relay_winch(t);
					continue;
				}
				if (si.ssi_signo == SIGCONT) {
					pty_relay_raw(t);
					pty_relay_winch(t);
					continue;
				}
				dispatch_make_small(&m, DISPATCH_SIGNAL, 0, (int32_t) si.ssi_signo);
				(void) dispatch_send(sock, &m, sizeof(m), NULL, 0);
			}
		}
		pty_relay_io(t, p + 2, n - 2);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = handle_reply(sock, t, &started, argv, jail_name, flags);
		if (r != -EINPROGRESS)
			break;
	}
	pty_relay_done(t);
	jail_call_guard_remove(&saved_alrm);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (ret_started != NULL)
		*ret_started = started;
	return r;
}
