/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.h: one app request on dispatch.sock. Only locale and terminal
 * variables are sent: the environment of the CLI (which may hold
 * SSH_AUTH_SOCK, tokens, the real bus address) never enters the jail, not
 * even dispatch's memory.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "state/dispatch-proto.h"
#include "state/log.h"
#include "state/state.h"
#include "supervisor/client.h"

extern char **environ;

int
jail_connect(int state_fd, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Through the dir fd: the state dir's path may exceed sun_path. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", state_fd,
		 STATE_DISPATCH_SOCK);
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int
exit_code_of(const struct dispatch_small *m, const char *argv0)
{
	switch (m->kind) {
	case DISPATCH_EXITED:
		return m->value & 0xff;
	case DISPATCH_SIGNALED:
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

int
jail_run_app(int sock_in, char *const *argv, const char *jail_name)
{
	static const int relayed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH };
	_cleanup_close_ int sock = sock_in, sfd = -1;
	_cleanup_strv_ char **env = NULL;
	_cleanup_free_ void *msg = NULL;
	char cwd[4096], buf[256];
	const int stdio[] = { 0, 1, 2 };
	sigset_t mask, old;
	size_t len;
	int r;

	for (char **e = environ; *e != NULL; e++)
		if (dispatch_env_passes(*e) && strv_push(&env, *e) < 0)
			return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, "/");
	r = dispatch_encode_run(argv, env, cwd, &msg, &len);
	if (r < 0) {
		log_error_errno(r, "the command line or environment is too large");
		return EXIT_JAILSUP_FAILED;
	}

	/* Block the relayed signals before the app exists, so none is lost
	 * between its start and our first poll. */
	sigemptyset(&mask);
	for (size_t i = 0; i < ELEMENTSOF(relayed); i++)
		sigaddset(&mask, relayed[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_error_errno(-errno, "unable to watch signals");
		return EXIT_JAILSUP_FAILED;
	}
	for (int i = 0; i < 3; i++) {
		struct stat st;
		int fl = fcntl(stdio[i], F_GETFL);

		if (fl < 0 || (fl & O_PATH) || fstat(stdio[i], &st) < 0 || S_ISDIR(st.st_mode) ||
		    S_ISBLK(st.st_mode) || S_ISLNK(st.st_mode)) {
			log_error("refusing to hand fd %d (a directory, device or path) to jail "
				  "'%s' as its %s: it would open the host to the jail",
				  i, jail_name, i == 0 ? "stdin" : i == 1 ? "stdout" : "stderr");
			return EXIT_JAILSUP_FAILED;
		}
	}
	r = dispatch_send(sock, msg, len, stdio, 3);
	if (r < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* The jail may have been leaving as we connected: its refusal
		 * is still queued on the socket it closed. */
		if (leaving_refusal(sock))
			return -EAGAIN;
		log_error_errno(r, "unable to send the request to jail '%s'", jail_name);
		return EXIT_JAILSUP_FAILED;
	}

	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		struct dispatch_small m;
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(-errno, "unable to wait for the app");
			return EXIT_JAILSUP_FAILED;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				dispatch_make_small(&m, DISPATCH_SIGNAL, 0, (int32_t) si.ssi_signo);
				(void) dispatch_send(sock, &m, sizeof(m), NULL, 0);
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = dispatch_recv(sock, buf, sizeof(buf), NULL, 0, NULL);
		if (n == -ECONNRESET && leaving_refusal(sock)) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			return -EAGAIN;
		}
		if (n <= 0) {
			log_error("jail '%s' ended before the app reported its status", jail_name);
			return EXIT_JAILSUP_FAILED;
		}
		r = dispatch_decode_small(buf, (size_t) n, &m);
		if (r == DISPATCH_STARTED)
			continue;
		if (r == DISPATCH_EXIT) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			if (m.kind == DISPATCH_REFUSED && m.value == EAGAIN)
				return -EAGAIN;
			return exit_code_of(&m, argv[0]);
		}
		log_error("jail '%s' sent a malformed reply", jail_name);
		return EXIT_JAILSUP_FAILED;
	}
}
