/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * encrypt.h: running the encryption backend and fusermount3, for both
 * sides: the supervisor (mounting a jail's home) and the CLI (`jailsup new
 * --encrypt`). No event loop here, so the static CLI links none.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "state/crypt-home.h"
#include "state/log.h"

int
crypt_spawn(char *const argv[], const char *password, int out_fd, pid_t *ret_pid)
{
	_cleanup_close_ int null_fd = -1;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int fds[2], r = 0;
	pid_t pid, parent;

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return -errno;
	parent = getpid();
	/* A pipe, not a socket: gocryptfs opens /dev/stdin by name, which
	 * works for a pipe and fails for a socket. */
	pid = fork_with_pipe(fds);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		int out = out_fd >= 0 ? out_fd : null_fd;

		reset_signals_for_exec();
		/* It dies with us, whatever kills us (the supervisor's keeper,
		 * or a CLI making a home): a backend must never serve a
		 * plaintext view nobody will unmount. A parent gone before
		 * the prctl() would leave it orphaned: checked after it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(EXIT_TEMPORARY);
		/* Its own session, on the host: never in a jail's namespaces,
		 * and no signal to our process group reaches it. */
		if (setsid() < 0 || dup2(fds[0], 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(EXIT_TEMPORARY);
		(void) syscall(SYS_close_range, 3, ~0u, 0);
		execvp(argv[0], argv);
		dprintf(2, "jailsup: error: unable to run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	safe_close(fds[0]);
	/* The pipe holds far more than ASKPASS_MAX: this never blocks. A
	 * child that died at once gives EPIPE, not SIGPIPE (the CLI does not
	 * ignore it otherwise). */
	(void) sigaction(SIGPIPE, &ign, &old);
	r = write_all(fds[1], password, strlen(password));
	if (r >= 0)
		r = write_all(fds[1], "\n", 1);
	(void) sigaction(SIGPIPE, &old, NULL);
	safe_close(fds[1]);
	if (r < 0 && r != -EPIPE) {
		(void) kill(pid, SIGKILL); /* our unreaped child: cannot be another */
		return r;
	}
	*ret_pid = pid; /* EPIPE: it exited, its status says why */
	return 0;
}

/* Waited for in the loop, which otherwise never blocks, on purpose:
 * fusermount3 never touches the FUSE filesystem (it resolves the mount
 * point's parent only and unmounts with UMOUNT_NOFOLLOW), so a dead or hung
 * backend cannot make it hang; it takes ~2 ms, and a new start of the same
 * jail must find the mount point free, not racing an unmount in a child. */
int
crypt_fusermount_u(const char *mnt, bool lazy)
{
	char *argv[7] = { "fusermount3", "-u", "-q" };
	size_t n = 3;
	int status;
	pid_t pid;
	int r;

	if (lazy)
		argv[n++] = "-z";
	argv[n++] = "--";
	argv[n++] = (char *) mnt;
	r = crypt_spawn(argv, "", -1, &pid);
	if (r < 0)
		return r;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EBUSY;
}
