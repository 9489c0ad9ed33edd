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
#include "supervisor/dbus-proxy-spawn.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <assert.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>

#include "state/exe-paths.h"
#include "state/log.h"
#include "state/sandbox.h"
#include "state/state.h"
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
	const struct dbus_proxy_cmd *cmd;
	const char *dbus_send; /* NULL: not found, no accessibility bus */
};

/* How long the proxy's child waits for the answer to GetAddress: the
 * jail's start waits as long. */
#define A11Y_QUERY_MS 3000

/* Asks org.a11y.Bus.GetAddress on the session bus ADDR with dbus-send,
 * without a shell: its reply (at most SIZE - 1 bytes of it) in BUF, or
 * -errno. In the proxy's child before its sandbox: it blocks only the
 * child, never the supervisor's loop. */
static int
a11y_query(const char *dbus_send, const char *addr, char *buf, size_t size)
{
	_cleanup_free_ char *bus = NULL;
	char timeout[32];
	char *argv[] = {"dbus-send",
	                NULL,
	                timeout,
	                "--print-reply=literal",
	                "--dest=" DBUS_A11Y_NAME,
	                DBUS_A11Y_PATH,
	                DBUS_A11Y_NAME ".GetAddress",
	                NULL};
	static char *const envp[] = {NULL};
	int fds[2], st;
	size_t len = 0;
	pid_t pid;

	if (asprintf(&bus, "--bus=%s", addr) < 0)
		return -ENOMEM;
	argv[1] = bus;
	snprintf(timeout, sizeof(timeout), "--reply-timeout=%d", A11Y_QUERY_MS - 500);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		safe_close(fds[0]);
		safe_close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		/* Its errors to nowhere: a session without an accessibility
		 * bus (or without a bus at all) is the usual case, not a fault
		 * for the jail's log and the failed start's message. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (dup2(fds[1], 1) < 0 || null < 0 || dup2(null, 2) < 0)
			_exit(127);
		(void) syscall(SYS_close_range, 3, ~0u, 0);
		execve(dbus_send, argv, envp);
		_exit(127);
	}
	safe_close(fds[1]);
	for (;;) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		ssize_t n;

		/* dbus-send gives up before this (--reply-timeout) and
		 * closes its end: each wait is bounded, and so are they all. */
		if (poll(&p, 1, A11Y_QUERY_MS) <= 0)
			break;
		n = read(fds[0], buf + len, size - 1 - len);
		if (n <= 0 || (len += (size_t) n) == size - 1)
			break;
	}
	buf[len] = '\0';
	safe_close(fds[0]);
	(void) kill(pid, SIGKILL);
	(void) waitpid(pid, &st, 0);
	return 0;
}

/* With a session bus: the accessibility bus, when the session has one
 * and it is where at-spi-bus-launcher makes it (dbus-proxy.h), added to
 * the proxy's argv (*ARGV, a copy) and its sandbox's binds (SB, BINDS:
 * room for one more). Nothing when there is none; said in the jail's log
 * when one was refused. */
static void
a11y_add(const struct proxy_child *c, char ***argv, struct sandbox *sb, struct sandbox_bind *binds)
{
	_cleanup_free_ char *addr = NULL, *path = NULL, *dir = NULL;
	_cleanup_close_ int dir_fd = -1;
	const char *reply, *name;
	char buf[1024];
	struct stat st;
	int r;

	if (c->cmd->session_addr == NULL || c->dbus_send == NULL ||
	    a11y_query(c->dbus_send, c->cmd->session_addr, buf, sizeof(buf)) < 0)
		return;
	/* "   unix:path=…,guid=…\n": a string, as dbus-send prints one. */
	reply = buf + strspn(buf, " \t");
	buf[strcspn(buf, "\n")] = '\0';
	if (reply[0] == '\0')
		return; /* no accessibility bus: the session's state */
	r = dbus_a11y_address(reply, c->cmd->runtime_dir, &addr, &path);
	if (r < 0) {
		dprintf(2,
		        "jailsup: warning: the accessibility bus address is not a socket in "
		        "'%s/" DBUS_A11Y_DIR "', refused: the jail gets no accessibility bus\n",
		        c->cmd->runtime_dir != NULL ? c->cmd->runtime_dir : "$XDG_RUNTIME_DIR");
		return;
	}
	/* The folder and the socket as at-spi-bus-launcher makes them: ours,
	 * no symlink on the last two steps, a socket. */
	name = strrchr(path, '/') + 1;
	dir = strndup(path, (size_t) (name - 1 - path));
	if (dir == NULL)
		return;
	dir_fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0 || fstat(dir_fd, &st) < 0 || st.st_uid != getuid() ||
	    fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != getuid()) {
		dprintf(2,
		        "jailsup: warning: the accessibility bus '%s' is not a socket of ours, "
		        "refused: the jail gets no accessibility bus\n",
		        path);
		return;
	}
	if (dbus_a11y_proxy_args(addr, argv) < 0)
		return;
	binds[sb->n_binds] = (struct sandbox_bind){.src = TAKE_PTR(path)};
	sb->n_binds++;
}

static void
proxy_child(void *data, int ready_fd)
{
	/* Nothing of the supervisor's environment: the proxy needs none. */
	static char *const envp[] = {NULL};
	const struct proxy_child *c = data;
	struct sandbox_bind binds[DBUS_PROXY_BINDS_MAX];
	struct sandbox sb = *c->sb;
	struct sandbox_error err = {};
	char **argv = NULL;
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
	/* A copy of the sandbox and argv: the accessibility bus, found
	 * only now, adds to them. */
	assert(sb.n_binds < DBUS_PROXY_BINDS_MAX);
	memcpy(binds, sb.binds, sb.n_binds * sizeof(*binds));
	sb.binds = binds;
	for (char **a = c->argv; *a != NULL; a++)
		if (strv_push(&argv, *a) < 0)
			_exit(EXIT_TEMPORARY);
	a11y_add(c, &argv, &sb, binds);
	r = sandbox_enter(&sb, &err);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to confine xdg-dbus-proxy: %s%s%s%s: %s\n",
			err.step, err.path != NULL ? " '" : "", err.path != NULL ? err.path : "",
			err.path != NULL ? "'" : "", strerror(-r));
		_exit(EXIT_TEMPORARY);
	}
	/* Not the read end: holding it, the proxy would never see the pipe
	 * break and would outlive a jail nobody watches. */
	(void) syscall(SYS_close_range, DBUS_PROXY_FD_SYNC + 1, ~0u, 0);
	execve(c->exe, argv, envp);
	dprintf(2, "jailsup: error: unable to run '%s': %s\n", c->exe, strerror(errno));
	_exit(127);
}

int
dbus_proxy_spawn(int dir_fd, const char *state_path, const struct dbus_proxy_cmd *cmd,
		 pid_t *ret_pid, int *ret_ready_fd)
{
	_cleanup_free_ char *proxy_dir = path_join(state_path, STATE_DBUS_PROXY_DIR);
	_cleanup_free_ char *found = NULL, *exe = NULL, *info_path = NULL, *send_found = NULL,
	                    *dbus_send = NULL;
	struct sandbox_bind binds[DBUS_PROXY_BINDS_MAX];
	_cleanup_close_ int proxy_fd = -1, info_fd = -1;
	struct proxy_child c;
	struct sandbox sb;
	int r;

	if (proxy_dir == NULL)
		return -ENOMEM;
	(void) unlinkat(dir_fd, STATE_DBUS_PROXY_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_DBUS_SYSTEM_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_A11Y_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_DBUS_PROXY_LOG, 0); /* a spare's, of an earlier start */
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
	/* dbus-send asks for the accessibility bus (the proxy's child does,
	 * before its sandbox): resolved here, as the proxy is. */
	if (cmd->session_addr != NULL &&
	    find_on_path("dbus-send", getenv("PATH"), &send_found) >= 0)
		dbus_send = realpath(send_found, NULL);
	c = (struct proxy_child){.dir_fd = dir_fd,
	                         .exe = exe,
	                         .argv = cmd->argv,
	                         .sb = &sb,
	                         .cmd = cmd,
	                         .dbus_send = dbus_send};
	return helper_spawn_sandboxed(dir_fd, STATE_DBUS_PROXY_PID, &sb, proxy_child, &c, ret_pid,
				      ret_ready_fd);
}

int
dbus_proxy_publish(int dir_fd)
{
	static const char *const socks[] = {STATE_DBUS_PROXY_SOCK, STATE_DBUS_SYSTEM_SOCK,
	                                    STATE_A11Y_SOCK};
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

/*
 * The spare: one proxy started ahead of need, off a start's path, with the
 * command of the last start that had a session bus (the same profile
 * started again, the default rights of most jails). A start whose command
 * is the spare's, byte for byte — the same rules, the same bus addresses,
 * and the same bus sockets as when the spare started — takes it over
 * instead of waiting for a new proxy's start-up; any other start gets its
 * own proxy as before. So a spare never serves rules it was not started
 * for.
 *
 * What makes a proxy a jail's apart from its command is the identity the
 * portals read in its root (/.flatpak-info), bound from a file of the
 * spare's folder: empty while the spare waits (a caller then has no
 * identity the portals accept), the jail's written into that same file when
 * it is claimed, before any code of the jail runs, then renamed into the
 * jail's state directory with the proxy's folder and pid file. The spare's
 * folder is below $XDG_RUNTIME_DIR/jailsup, which no jail sees.
 *
 * The spare's readiness pipe has one reader, the supervisor: when it
 * goes, the spare ends by itself, as any proxy whose jailer never came.
 */
#define SPARE_DIR "dbus-proxy-spare"

static struct {
	pid_t pid; /* 0: none */
	int pidfd; /* opened while it was surely our unreaped child */
	int ready_fd;
	struct stat bus_st[2]; /* st_ino 0: not there when the spare started */
} spare = {.pidfd = -1, .ready_fd = -1};

/* The command of the last start with a session bus: the spare's, when
 * one runs (a new command drops the spare of the old one). */
static char **want_argv;
static char *want_bus_sockets[2];
static bool want_host_netns;
/* Where the spare asks for the accessibility bus (NULL: it gets none),
 * part of the command: a jail whose start asks for none (its folder is
 * where a jail can write) never takes a spare that has it. */
static char *want_session_addr, *want_runtime_dir;

static bool
strv_equal(char *const *a, char *const *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (!streq(a[i], b[i]))
			return false;
	return a[i] == NULL && b[i] == NULL;
}

static bool
str_equal(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : streq(a, b);
}

static bool
cmd_is(const struct dbus_proxy_cmd *c, char *const *argv, char *const bus_sockets[2],
       bool host_netns)
{
	return c->app_info != NULL && c->host_netns == host_netns && strv_equal(c->argv, argv) &&
	       str_equal(c->bus_sockets[0], bus_sockets[0]) &&
	       str_equal(c->bus_sockets[1], bus_sockets[1]) &&
	       str_equal(c->session_addr, want_session_addr) &&
	       str_equal(c->runtime_dir, want_runtime_dir);
}

void
dbus_proxy_spare_drop(void)
{
	if (spare.pid > 0 && spare.pidfd >= 0)
		(void) syscall(SYS_pidfd_send_signal, spare.pidfd, SIGKILL, NULL, 0);
	spare.pidfd = safe_close(spare.pidfd);
	spare.ready_fd = safe_close(spare.ready_fd);
	spare.pid = 0;
}

int
dbus_proxy_spare_want(const struct dbus_proxy_cmd *c)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *session_addr = NULL, *runtime_dir = NULL;
	char *socks[2] = {};

	if (c->app_info == NULL) /* no session bus: no identity to hand over */
		return 0;
	if (cmd_is(c, want_argv, want_bus_sockets, want_host_netns))
		return 0;
	if ((c->session_addr != NULL && (session_addr = strdup(c->session_addr)) == NULL) ||
	    (c->runtime_dir != NULL && (runtime_dir = strdup(c->runtime_dir)) == NULL))
		return -ENOMEM;
	for (size_t i = 0; c->argv[i] != NULL; i++)
		if (strv_push(&argv, c->argv[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(socks); i++)
		if (c->bus_sockets[i] != NULL && (socks[i] = strdup(c->bus_sockets[i])) == NULL) {
			free(socks[0]);
			return -ENOMEM;
		}
	/* Another command from now on: the spare of the old one is no use. */
	dbus_proxy_spare_drop();
	strv_free(want_argv);
	want_argv = TAKE_PTR(argv);
	for (size_t i = 0; i < ELEMENTSOF(socks); i++) {
		free(want_bus_sockets[i]);
		want_bus_sockets[i] = socks[i];
	}
	want_host_netns = c->host_netns;
	free(want_session_addr);
	want_session_addr = TAKE_PTR(session_addr);
	free(want_runtime_dir);
	want_runtime_dir = TAKE_PTR(runtime_dir);
	return 1;
}

int
dbus_proxy_spare_start(int root_fd, const char *root_path)
{
	_cleanup_free_ char *spare_path = NULL;
	_cleanup_close_ int spare_fd = -1;
	struct dbus_proxy_cmd c = {};
	int r;

	if (spare.pid > 0 || want_argv == NULL)
		return 0;
	spare_path = path_join(root_path, SPARE_DIR);
	if (spare_path == NULL)
		return -ENOMEM;
	/* A fresh folder: what an earlier supervisor's spare left goes. */
	r = state_rm_rf(root_fd, SPARE_DIR);
	if (r >= 0)
		r = state_dir_create(root_fd, SPARE_DIR, &spare_fd, NULL);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(want_bus_sockets); i++) {
		spare.bus_st[i] = (struct stat){};
		if (want_bus_sockets[i] != NULL)
			(void) stat(want_bus_sockets[i], &spare.bus_st[i]);
	}
	/* The command as wanted; the identity, empty until a jail claims it. */
	c = (struct dbus_proxy_cmd){.argv = want_argv,
	                            .bus_sockets = {want_bus_sockets[0], want_bus_sockets[1]},
	                            .host_netns = want_host_netns,
	                            .session_addr = want_session_addr,
	                            .runtime_dir = want_runtime_dir,
	                            .app_info = (char *) ""};
	r = dbus_proxy_spawn(spare_fd, spare_path, &c, &spare.pid, &spare.ready_fd);
	if (r < 0) {
		spare.pid = 0;
		return r;
	}
	/* In the call that forked it: not reaped yet, the PID is its own. */
	spare.pidfd = (int) syscall(SYS_pidfd_open, spare.pid, 0);
	return 1;
}

/* The bus sockets are the ones the spare's sandbox bound: a bus that
 * restarted, or came up after the spare started, needs a new proxy. */
static bool
spare_buses_unchanged(void)
{
	for (size_t i = 0; i < ELEMENTSOF(want_bus_sockets); i++) {
		struct stat st = {};

		if (want_bus_sockets[i] == NULL)
			continue;
		(void) stat(want_bus_sockets[i], &st);
		if (st.st_dev != spare.bus_st[i].st_dev || st.st_ino != spare.bus_st[i].st_ino)
			return false;
	}
	return true;
}

/* Writes the jail's identity into the file the spare's root binds at
 * /.flatpak-info: the same inode, so in place (only the supervisor can
 * write it: the sandbox binds it read-only, its folder is not the
 * proxy's). */
static int
spare_write_identity(int spare_fd, const char *app_info)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = openat(spare_fd, STATE_APP_INFO, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid())
		return -EPERM;
	if (ftruncate(fd, 0) < 0)
		return -errno;
	return write_all(fd, app_info, strlen(app_info));
}

int
dbus_proxy_spare_claim(int root_fd, int dir_fd, const struct dbus_proxy_cmd *c, pid_t *ret_pid,
                       int *ret_ready_fd, bool *ret_ready)
{
	static const char *const moved[][2] = {
	    {STATE_DBUS_PROXY_PID, STATE_DBUS_PROXY_PID},
	    {STATE_LOG, STATE_DBUS_PROXY_LOG},
	    {STATE_APP_INFO, STATE_APP_INFO},
	};
	_cleanup_close_ int spare_fd = -1;
	bool ready = false;
	ssize_t n;
	char b;
	int r;

	if (spare.pid <= 0 || !cmd_is(c, want_argv, want_bus_sockets, want_host_netns))
		return 0;
	if (!spare_buses_unchanged()) {
		dbus_proxy_spare_drop();
		return 0;
	}
	/* Its byte, or its EOF: a spare that died is dropped, not claimed. One
	 * still on its way up is left alone for a later start: until its byte
	 * its child may still be binding its folder into its sandbox, which
	 * the move below would pull from under it. */
	n = read(spare.ready_fd, &b, 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n != 1) {
		dbus_proxy_spare_drop();
		return 0;
	}
	ready = true;
	r = state_dir_open(root_fd, SPARE_DIR, &spare_fd);
	if (r >= 0)
		r = spare_write_identity(spare_fd, c->app_info);
	/* From the spare's folder into the jail's state directory, as if it
	 * had started there: its sockets' folder, pid file, log, identity. */
	(void) unlinkat(dir_fd, STATE_DBUS_PROXY_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_DBUS_SYSTEM_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_A11Y_SOCK, 0);
	if (r >= 0)
		r = state_rm_rf(dir_fd, STATE_DBUS_PROXY_DIR);
	if (r >= 0 && renameat(spare_fd, STATE_DBUS_PROXY_DIR, dir_fd, STATE_DBUS_PROXY_DIR) < 0)
		r = -errno;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(moved); i++)
		if (renameat(spare_fd, moved[i][0], dir_fd, moved[i][1]) < 0 && errno != ENOENT)
			r = -errno;
	if (r < 0) {
		/* Half moved: this spare is nobody's. The start gets its own. */
		(void) unlinkat(dir_fd, STATE_DBUS_PROXY_PID, 0);
		dbus_proxy_spare_drop();
		return r;
	}
	*ret_pid = spare.pid;
	*ret_ready_fd = TAKE_FD(spare.ready_fd);
	*ret_ready = ready;
	spare.pidfd = safe_close(spare.pidfd);
	spare.pid = 0;
	return 1;
}
