/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Starting a jail's xdg-dbus-proxy confined (docs/jail.md "D-Bus"). The
 * proxy parses every message the jail sends, so a bug in it must not be
 * a way out: it runs in a sandbox of its own (state/sandbox.h), built the
 * way dbus_proxy_sandbox() describes, where it sees its program and
 * libraries, the real buses' sockets and one folder it may write, and
 * nothing of the user's home or runtime directory.
 *
 * That folder is not the state directory: the state directory holds the
 * iso-pipe, the pid files and the state the supervisor acts on, which a
 * compromised proxy could otherwise forge. The proxy makes its sockets in
 * STATE_DBUS_PROXY_DIR, and once it is ready — before any code of the jail
 * runs, so before anything could have compromised it — the supervisor
 * moves them into the state directory (dbus_proxy_publish()). A unix
 * socket keeps listening when its file is renamed.
 *
 * Apart from dbus-proxy.c so that the CLI, which prints the proxy's rules
 * and sandbox with `jailsup explain`, does not link the sandbox and
 * libseccomp.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <limits.h>

#include "state/exe-paths.h"
#include "state/log.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/dbus-proxy-spawn.h"
#include "supervisor/helper.h"

/* The sandbox's seccomp filter, compiled once per supervisor at the first
 * proxy's start: every later proxy's child only loads it. NULL when that
 * failed: each child compiles its own then. */
static struct sandbox_filter *proxy_filter;

struct proxy_child {
	int dir_fd;
	const char *exe; /* NULL: not found */
	char **argv;
	const struct sandbox *sb;
};

static void
proxy_child(void *data, int ready_fd)
{
	/* Nothing of the supervisor's environment: the proxy needs none. */
	static char *const envp[] = {NULL};
	const struct proxy_child *c = data;
	struct sandbox_error err = {};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log = helper_open_log(c->dir_fd);
	int out = log >= 0 ? log : null;
	int w = fcntl(ready_fd, F_DUPFD, 10);
	int r;

	reset_signals_for_exec();
	/* Its own session: no terminal of ours to reach. */
	if (null < 0 || w < 0 || setsid() < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0 || dup2(w, DBUS_PROXY_FD_SYNC) < 0)
		_exit(EXIT_TEMPORARY);
	if (c->exe == NULL) {
		dprintf(2, "jailsup: error: unable to run 'xdg-dbus-proxy': not found in $PATH "
			   "(install xdg-dbus-proxy)\n");
		_exit(127);
	}
	r = sandbox_enter(c->sb, &err);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to confine xdg-dbus-proxy: %s%s%s%s: %s\n",
			err.step, err.path != NULL ? " '" : "", err.path != NULL ? err.path : "",
			err.path != NULL ? "'" : "", strerror(-r));
		_exit(EXIT_TEMPORARY);
	}
	/* Not the read end: holding it, the proxy would never see the pipe
	 * break and would outlive a jail nobody watches. */
	(void) syscall(SYS_close_range, DBUS_PROXY_FD_SYNC + 1, ~0u, 0);
	execve(c->exe, c->argv, envp);
	dprintf(2, "jailsup: error: unable to run '%s': %s\n", c->exe, strerror(errno));
	_exit(127);
}

int
dbus_proxy_spawn(int dir_fd, const char *state_path, const struct dbus_proxy_cmd *cmd,
		 pid_t *ret_pid, int *ret_ready_fd)
{
	_cleanup_free_ char *proxy_dir = path_join(state_path, STATE_DBUS_PROXY_DIR);
	_cleanup_free_ char *found = NULL, *exe = NULL, *info_path = NULL;
	struct sandbox_bind binds[DBUS_PROXY_BINDS_MAX];
	_cleanup_close_ int proxy_fd = -1, info_fd = -1;
	struct proxy_child c;
	struct sandbox sb;
	int r;

	if (proxy_dir == NULL)
		return -ENOMEM;
	(void) unlinkat(dir_fd, STATE_DBUS_PROXY_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_DBUS_SYSTEM_SOCK, 0);
	/* A fresh folder: nothing an earlier proxy left is seen by this one. */
	r = state_rm_rf(dir_fd, STATE_DBUS_PROXY_DIR);
	if (r >= 0)
		r = state_dir_create(dir_fd, STATE_DBUS_PROXY_DIR, &proxy_fd, NULL);
	if (r < 0)
		return r;
	/* The jail's identity for the portals, where neither the jail nor the
	 * proxy can write: the state dir. */
	if (cmd->app_info != NULL) {
		r = state_write_atomic(dir_fd, STATE_APP_INFO, cmd->app_info,
		                       strlen(cmd->app_info));
		if (r < 0)
			return r;
		info_fd = openat(dir_fd, STATE_APP_INFO, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		info_path = path_join(state_path, STATE_APP_INFO);
		if (info_fd < 0 || info_path == NULL)
			return info_fd < 0 ? -errno : -ENOMEM;
	}
	/* Resolved here, in the host's view: the sandbox binds the file
	 * itself when it is not below /usr (a build of the user's, say). */
	if (find_on_path("xdg-dbus-proxy", getenv("PATH"), &found) >= 0)
		exe = realpath(found, NULL);
	dbus_proxy_sandbox(cmd, exe, proxy_dir, proxy_fd, info_path, info_fd, binds, &sb);
	if (proxy_filter == NULL)
		(void) sandbox_filter_new(&proxy_filter);
	sb.filter = proxy_filter;
	c = (struct proxy_child){.dir_fd = dir_fd, .exe = exe, .argv = cmd->argv, .sb = &sb};
	return helper_spawn_sandboxed(dir_fd, STATE_DBUS_PROXY_PID, &sb, proxy_child, &c, ret_pid,
				      ret_ready_fd);
}

int
dbus_proxy_publish(int dir_fd)
{
	static const char *const socks[] = {STATE_DBUS_PROXY_SOCK, STATE_DBUS_SYSTEM_SOCK};
	_cleanup_close_ int fd = -1;
	int n = 0, r;

	r = state_dir_open(dir_fd, STATE_DBUS_PROXY_DIR, &fd);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(socks); i++) {
		struct stat st;

		if (fstatat(fd, socks[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (!S_ISSOCK(st.st_mode)) {
			(void) unlinkat(fd, socks[i], S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
			continue;
		}
		if (renameat(fd, socks[i], dir_fd, socks[i]) < 0)
			return -errno;
		n++;
	}
	return n;
}
