/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
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

	(void) unlinkat(dir_fd, pid_file, 0);
	pid = fork_helper(sb, pipe_fds);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		child(data, pipe_fds[1]);
		_exit(EXIT_TEMPORARY);
	}
	safe_close(pipe_fds[1]);
	r = proc_id_get(pid, &id);
	if (r >= 0)
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
