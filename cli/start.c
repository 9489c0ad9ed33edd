/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * start.h: a jail started without the supervisor. The iso-pipe's read end
 * is opened before the jailer runs, so its "pid=" and "ready" lines reach
 * us; a pidfd of the jailer tells us when it died before saying "ready",
 * and the lines it wrote to the jail's log are then shown to the user.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/client.h"
#include "cli/start.h"
#include "state/exe-paths.h"
#include "state/iso-pipe.h"
#include "state/jail-start.h"
#include "state/log.h"
#include "state/state.h"

void
cli_log_profile_errors(const struct profile_env *env, const char *name,
                       const struct profile_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_strv_ char **lines = NULL;

	(void) profile_find(env, name, &path);
	if (profile_error_lines(err, path != NULL ? path : name, &lines) < 0) {
		log_error("%s:%u: %s", path != NULL ? path : name, err->line, err->msg);
		return;
	}
	for (char **l = lines; *l != NULL; l++)
		log_error("%s", *l);
}

int
cli_profile_env(struct profile_env *env, struct profile_env_storage *storage, char **shipped)
{
	int r;

	/* Without it (a binary moved out of its tree), the user's and /etc's
	 * profiles still count. */
	(void) sibling_path("share/jailsup/profiles", shipped);
	r = profile_env_from_environ(env, storage, *shipped);
	if (r < 0)
		return log_error_errno(r, "$HOME is not set to an absolute path");
	return 0;
}

/* Shows the end of what the jail logged since FROM, the reason a start
 * failed, escaped: the jail wrote some of it. */
static void
show_log_since(int jail_fd, off_t from)
{
	_cleanup_free_ char *text = NULL;

	if (state_read_tail(jail_fd, STATE_LOG, from, STATE_LOG_TAIL_MAX, &text, NULL) < 0)
		return;
	(void) text_write_escaped(STDERR_FILENO, text);
}

/* The jailer of the state dir at STATE_PATH, with our environment (it
 * keeps only what a jail may see). */
static int
spawn_jailer(const char *state_path, pid_t *ret_pid)
{
	struct jailer_cmd cmd;
	pid_t pid;

	jailer_cmd_init(&cmd, state_path, NULL, 0, -1);
	pid = jailer_spawn(cmd.argv, environ, cmd.fds, cmd.n_fds);
	if (pid < 0)
		return log_error_errno(pid, "unable to start the jailer");
	*ret_pid = pid;
	return 0;
}

/* Every jailer holds a lock on its state dir for its whole life. Ours is
 * taken here while the jail we found leaving (its dispatch.sock no longer
 * answers) may still be cleaning up: its jailer unlinks the iso-pipe and
 * dispatch.sock by name, which must happen before we create ours. That
 * takes milliseconds. A jailer that holds it while dispatch.sock starts to
 * answer was started by another `run --no-daemon` at the same moment:
 * -EALREADY, join that jail. One that holds it longer while refusing
 * connections is a jail that runs but does not answer. */
static int
wait_for_old_jailer(int jail_fd, const char *name)
{
	for (int ms = 0; flock(jail_fd, LOCK_EX | LOCK_NB) < 0; ms += 10) {
		_cleanup_close_ int sock = -1;

		if (errno != EWOULDBLOCK)
			return log_error_errno(-errno, "unable to lock the state of jail '%s'",
					       name);
		if (jail_connect(jail_fd, &sock) == 0)
			return -EALREADY;
		if (ms >= 10 * 1000)
			return log_error("jail '%s' runs but does not answer on its '%s'", name,
					 STATE_DISPATCH_SOCK),
			       -EBUSY;
		(void) nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return 0;
}

int
jail_start_direct(const struct jail_profile *profile, int jail_fd, const char *state_path)
{
	_cleanup_close_ int iso = -1, pidfd = -1;
	_cleanup_free_ char *dump = NULL;
	struct iso_pipe_reader reader = {};
	bool got_pid = false, log_dropped = false;
	off_t log_from;
	pid_t pid = 0;
	int r;

	r = wait_for_old_jailer(jail_fd, profile->name);
	if (r < 0)
		return r;
	/* What the supervisor's start does too (state/jail-start.h), but the
	 * state file: the jail is not a supervisor's (§3 of
	 * docs/architecture.md), `list` finds its jailer by its iso-pipe. */
	log_from = jail_start_new_log(jail_fd);
	r = profile_dump(profile, &dump);
	if (r < 0)
		return log_error_errno(r, "unable to write the jail's profile");
	r = jail_start_write_profile(jail_fd, dump);
	if (r < 0)
		return log_error_errno(r, "unable to write '%s/%s'", state_path, STATE_PROFILE);
	/* No jail answers on dispatch.sock, and we hold the lock of its
	 * jailer: a pipe or socket left here is stale. */
	r = jail_start_iso_pipe(jail_fd, &log_dropped, &iso);
	if (log_dropped)
		log_warn("jail '%s': its log was not a regular file, removed it", profile->name);
	if (r < 0)
		return log_error_errno(r, "unable to create '%s/%s'", state_path, STATE_ISO_PIPE);
	(void) flock(jail_fd, LOCK_UN); /* the new jailer takes it for its life */
	r = spawn_jailer(state_path, &pid);
	if (r < 0)
		return r;
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return log_error_errno(-errno, "unable to watch the jailer");

	for (;;) {
		struct pollfd p[2] = { { .fd = iso, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		struct iso_msg msg;

		r = iso_pipe_read(&reader, iso, &msg);
		if (r == ISO_READ_MSG) {
			if (msg.type == ISO_MSG_PID)
				got_pid = true;
			else if (msg.type == ISO_MSG_READY)
				break;
			continue;
		}
		if (r < 0 && r != -EBADMSG && r != -E2BIG)
			return log_error_errno(r, "unable to read the iso-pipe");
		if (r == ISO_READ_EOF && got_pid)
			goto failed; /* the jailer said hello and went */
		if (p[1].fd >= 0 && (poll(&p[1], 1, 0) > 0)) {
			/* Gone before "ready": drain what it wrote, then fail. */
			r = iso_pipe_read(&reader, iso, &msg);
			if (r == ISO_READ_MSG && msg.type == ISO_MSG_READY)
				break;
			goto failed;
		}
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return log_error_errno(-errno, "unable to wait for the jail");
	}
	return 0;

failed:
	/* It closed the iso-pipe or died: it is gone or going. A jailer that
	 * died early (a bad profile, a missing share) left the iso-pipe we
	 * made, which would make the jail look alive; no jailer holds the
	 * lock now, unless a new start came since, whose files stay. */
	(void) waitpid(pid, NULL, 0);
	if (flock(jail_fd, LOCK_EX | LOCK_NB) == 0) {
		(void) unlinkat(jail_fd, STATE_DISPATCH_SOCK, 0);
		(void) unlinkat(jail_fd, STATE_ISO_PIPE, 0);
		(void) flock(jail_fd, LOCK_UN);
	}
	show_log_since(jail_fd, log_from);
	log_error("jail '%s' did not start (its log: '%s/%s')", profile->name, state_path,
		  STATE_LOG);
	return -ECHILD;
}
