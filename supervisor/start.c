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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "state/iso-pipe.h"
#include "state/log.h"
#include "state/state.h"
#include "supervisor/start.h"

int
sibling_path(const char *relative, char **ret)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (asprintf(ret, "%s/../%s", self, relative) < 0)
		return -ENOMEM;
	return 0;
}

static off_t
log_size(int jail_fd)
{
	struct stat st;

	if (fstatat(jail_fd, STATE_LOG, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return st.st_size;
}

/* Shows what the jail logged since FROM: the reason a start failed. */
static void
show_log_since(int jail_fd, off_t from)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;

	if (state_read_file(jail_fd, STATE_LOG, 1024 * 1024, &text, &len) < 0 ||
	    (size_t) from >= len)
		return;
	(void) write_all(STDERR_FILENO, text + from, len - (size_t) from);
}

static int
spawn_jailer(const char *state_path, pid_t *ret_pid)
{
	_cleanup_free_ char *jailer = NULL;
	pid_t pid;
	int r;

	r = sibling_path("libexec/jailsup/jailer", &jailer);
	if (r < 0)
		return log_error_errno(r, "unable to find the jailer");
	pid = fork();
	if (pid < 0)
		return log_error_errno(-errno, "unable to start the jailer");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* Its own session: the jail must outlive this terminal's
		 * job control, and it reports through its log. */
		if (null < 0 || setsid() < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(EXIT_TEMPORARY);
		execl(jailer, "jailer", state_path, (char *) NULL);
		_exit(127);
	}
	*ret_pid = pid;
	return 0;
}

int
jail_start_direct(const struct jail_profile *profile, int jail_fd, const char *state_path)
{
	_cleanup_close_ int iso = -1, pidfd = -1;
	_cleanup_free_ char *dump = NULL;
	struct iso_pipe_reader reader = {};
	bool got_pid = false;
	off_t log_from;
	pid_t pid = 0;
	int r;

	r = profile_dump(profile, &dump);
	if (r < 0)
		return log_error_errno(r, "unable to write the jail's profile");
	r = state_write_atomic(jail_fd, STATE_PROFILE, dump, strlen(dump));
	if (r < 0)
		return log_error_errno(r, "unable to write '%s/%s'", state_path, STATE_PROFILE);
	/* No jail answers on dispatch.sock, so a pipe left here is stale. */
	(void) unlinkat(jail_fd, STATE_ISO_PIPE, 0);
	r = iso_pipe_create(jail_fd);
	if (r < 0)
		return log_error_errno(r, "unable to create '%s/%s'", state_path, STATE_ISO_PIPE);
	r = iso_pipe_open_read(jail_fd, &iso);
	if (r < 0)
		return log_error_errno(r, "unable to open '%s/%s'", state_path, STATE_ISO_PIPE);

	log_from = log_size(jail_fd);
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
	(void) waitpid(pid, NULL, WNOHANG);
	show_log_since(jail_fd, log_from);
	log_error("jail '%s' did not start (its log: '%s/%s')", profile->name, state_path,
		  STATE_LOG);
	return -ECHILD;
}
