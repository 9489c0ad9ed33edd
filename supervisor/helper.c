/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include "state/log.h"
#include "state/proc-id.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"

int
helper_open_log(int dir_fd)
{
	return openat(dir_fd, STATE_LOG,
		      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
}

/* fork_with_pipe(), through sandbox_fork() when SB is given. */
static pid_t
fork_helper(const struct sandbox *sb, int pipe_fds[2])
{
	pid_t pid;

	if (sb == NULL)
		return fork_with_pipe(pipe_fds);
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid = sandbox_fork(sb);
	if (pid < 0) {
		safe_close(pipe_fds[0]);
		safe_close(pipe_fds[1]);
	}
	return pid;
}

static int
spawn(int dir_fd, const char *pid_file, const struct sandbox *sb,
      void (*child)(void *data, int ready_fd), void *data, pid_t *ret_pid, int *ret_ready_fd)
{
	struct proc_id id;
	int pipe_fds[2];
	pid_t pid;
	int r;

	if (pid_file != NULL)
		(void) unlinkat(dir_fd, pid_file, 0);
	pid = fork_helper(sb, pipe_fds);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		child(data, pipe_fds[1]);
		_exit(EXIT_TEMPORARY);
	}
	safe_close(pipe_fds[1]);
	r = pid_file != NULL ? proc_id_get(pid, &id) : 0;
	if (r >= 0 && pid_file != NULL)
		r = proc_id_write_at(dir_fd, pid_file, &id);
	if (r >= 0 && fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK) < 0)
		r = -errno;
	if (r < 0) {
		(void) kill(pid, SIGKILL); /* our unreaped child: cannot be another */
		safe_close(pipe_fds[0]);
		return r;
	}
	*ret_pid = pid;
	*ret_ready_fd = pipe_fds[0];
	return 0;
}

int
helper_spawn(int dir_fd, const char *pid_file, void (*child)(void *data, int ready_fd), void *data,
	     pid_t *ret_pid, int *ret_ready_fd)
{
	return spawn(dir_fd, pid_file, NULL, child, data, ret_pid, ret_ready_fd);
}

int
helper_spawn_sandboxed(int dir_fd, const char *pid_file, const struct sandbox *sb,
		       void (*child)(void *data, int ready_fd), void *data, pid_t *ret_pid,
		       int *ret_ready_fd)
{
	return spawn(dir_fd, pid_file, sb, child, data, ret_pid, ret_ready_fd);
}

/* Signals every child of ours: the processes of /proc whose parent we
 * are (/proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN). Unreaped
 * children: each PID is its process's. */
static void
signal_children(int sig)
{
	_cleanup_(closedirp) DIR *proc = opendir("/proc");
	pid_t self = getpid();
	struct dirent *de;

	if (proc == NULL)
		return;
	while ((de = readdir(proc)) != NULL) {
		pid_t pid, ppid;

		if (parse_pid(de->d_name, &pid) < 0 || pid == self)
			continue;
		if (proc_parent(dirfd(proc), pid, &ppid) >= 0 && ppid == self)
			(void) kill(pid, sig);
	}
}

static _noreturn_ void
tether_run(pid_t helper, int jailer_pidfd, int status_fd, int sig_fd)
{
	bool jailer_gone = false;
	int helper_status = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = sig_fd, .events = POLLIN },
				       { .fd = jailer_pidfd, .events = POLLIN } };
		int st;
		pid_t w;

		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w != helper)
				continue;
			helper_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			if (status_fd >= 0) {
				unsigned char c = (unsigned char) helper_status;

				if (write(status_fd, &c, 1) != 1)
					(void) 0; /* the supervisor is gone: nobody waits */
				status_fd = safe_close(status_fd);
			}
		}
		if (w < 0 && errno == ECHILD)
			_exit(helper_status);
		if (jailer_gone) {
			/* What the killed ones left (a script openvpn ran) is ours
			 * now: signalled in the next round. */
			signal_children(SIGKILL);
			(void) waitpid(-1, NULL, __WALL);
			continue;
		}
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			jailer_gone = true; /* cannot watch: fail closed */
		}
		if (p[1].revents != 0)
			jailer_gone = true;
		if (p[0].revents != 0) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD)
				signal_children(SIGTERM);
		}
		if (jailer_gone)
			signal_children(SIGKILL);
	}
}

void
helper_tether(int jailer_pidfd, int status_fd, int dir_fd, const char *pid_file)
{
	pid_t tether = getpid(), helper;
	int fds[3], sig_fd;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* Blocked before the fork: a signal for the tether must wait for it.
	 * A session of our own: a Ctrl-C or hang-up at the terminal of a
	 * `jailsup daemon --foreground` is for the supervisor, whose jails
	 * (and their networks) run on without it. */
	if (jailer_pidfd < 0 || (getsid(0) != getpid() && setsid() < 0) || sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		_exit(EXIT_TEMPORARY);
	helper = fork();
	if (helper < 0)
		_exit(EXIT_TEMPORARY);
	if (helper == 0) {
		sigset_t none;

		/* A second guard: the tether ends us itself, this covers a
		 * tether killed -9 (until a change of credentials clears it). */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != tether)
			_exit(EXIT_TEMPORARY);
		sigemptyset(&none);
		(void) sigprocmask(SIG_SETMASK, &none, NULL);
		return;
	}
	(void) prctl(PR_SET_NAME, "jailsup-tether", 0, 0, 0);
	if (pid_file != NULL) {
		struct proc_id id;

		/* Our unreaped child: the PID is its own. */
		if (proc_id_get(helper, &id) < 0 || proc_id_write_at(dir_fd, pid_file, &id) < 0) {
			(void) kill(helper, SIGKILL);
			_exit(EXIT_TEMPORARY);
		}
	}
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
	fds[0] = jailer_pidfd;
	fds[1] = sig_fd;
	fds[2] = status_fd;
	/* Only what we watch: a readiness pipe or a socket of the supervisor
	 * held here would never see its end. */
	if (sig_fd < 0 || fds_move_to(fds, status_fd >= 0 ? 3 : 2, 3) < 0) {
		(void) kill(helper, SIGKILL);
		_exit(EXIT_TEMPORARY);
	}
	(void) syscall(SYS_close_range, status_fd >= 0 ? 6 : 5, ~0u, 0);
	tether_run(helper, 3, status_fd >= 0 ? 5 : -1, 4);
}
