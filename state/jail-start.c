/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jail-start.h: the files of a start and its jailer's spawn, shared by the
 * supervisor and `jailsup run --no-daemon`.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/exe-paths.h"
#include "state/exit-codes.h"
#include "state/iso-pipe.h"
#include "state/jail-start.h"
#include "state/state.h"

off_t
jail_log_size(int dir_fd)
{
	struct stat st;

	if (fstatat(dir_fd, STATE_LOG, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return st.st_size;
}

off_t
jail_start_new_log(int dir_fd)
{
	(void) renameat(dir_fd, STATE_LOG, dir_fd, STATE_LOG_OLD);
	return jail_log_size(dir_fd);
}

int
jail_start_write_profile(int dir_fd, const char *dump)
{
	return state_write_atomic(dir_fd, STATE_PROFILE, dump, strlen(dump));
}

/* Removes a log that is not a regular file; true when one was there. */
static bool
drop_planted_log(int dir_fd)
{
	struct stat st;

	if (fstatat(dir_fd, STATE_LOG, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISREG(st.st_mode))
		return false;
	/* A failure shows as the jailer's refusal, in our caller's log. */
	(void) unlinkat(dir_fd, STATE_LOG, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	return true;
}

int
jail_start_iso_pipe(int dir_fd, bool *ret_log_dropped, int *ret_iso_fd)
{
	int r;

	(void) unlinkat(dir_fd, STATE_ISO_PIPE, 0);
	(void) unlinkat(dir_fd, STATE_DISPATCH_SOCK, 0);
	*ret_log_dropped = drop_planted_log(dir_fd);
	r = iso_pipe_create(dir_fd);
	if (r < 0)
		return r;
	return iso_pipe_open_read(dir_fd, ret_iso_fd);
}

void
jailer_cmd_init(struct jailer_cmd *cmd, const char *state_path, const int *keep, size_t n_keep,
                int go_fd)
{
	*cmd = (struct jailer_cmd){.argv = {"jailer", (char *) state_path}};
	assert(n_keep < JAILER_STANDBY_MAX_FDS);
	for (size_t i = 0; i < n_keep; i++)
		if (keep[i] >= 0)
			cmd->fds[cmd->n_fds++] = keep[i];
	if (go_fd >= 0) {
		snprintf(cmd->go_arg, sizeof(cmd->go_arg), "%d",
		         JAILER_FIRST_FD + (int) cmd->n_fds);
		cmd->fds[cmd->n_fds++] = go_fd;
		cmd->argv[1] = "--go-fd";
		cmd->argv[2] = cmd->go_arg;
		cmd->argv[3] = (char *) state_path;
	}
}

struct jailer_exec {
	const char *jailer;
	char *const *argv;
	char **envp;
	const int *fds;
	size_t n_fds;
};

/* The child of spawn_vfork(): it shares our memory until execve(), so it
 * only sets up fds, on its own stack. */
static int
exec_jailer(void *arg)
{
	const struct jailer_exec *x = arg;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	reset_signals_for_exec();
	if (null < 0 || setsid() < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || fds_move_to(x->fds, x->n_fds, JAILER_FIRST_FD) < 0)
		_exit(EXIT_TEMPORARY);
	/* Only stdio and those: fds our caller left us must not live on in
	 * a jailer. */
	(void) syscall(SYS_close_range, JAILER_FIRST_FD + (unsigned) x->n_fds, ~0u, 0);
	execve(x->jailer, x->argv, x->envp);
	_exit(127);
}

pid_t
jailer_spawn(char *const *argv, char **envp, const int *fds, size_t n_fds)
{
	_cleanup_free_ char *jailer = NULL;
	int r;

	r = sibling_path("libexec/jailsup/jailer", &jailer);
	if (r < 0)
		return r;
	return spawn_vfork(
	    exec_jailer,
	    &(struct jailer_exec){
	        .jailer = jailer, .argv = argv, .envp = envp, .fds = fds, .n_fds = n_fds});
}
