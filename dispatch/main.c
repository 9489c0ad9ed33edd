/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch — PID 1 of a jail: dispatch_main() (dispatch.h), which the
 * jailer's child runs once it has built the jail, in place of an exec.
 *
 * Runs the profile's init script once, says "ready" in the iso-pipe, then
 * serves app requests on the inherited dispatch.sock: each request brings
 * argv, env, cwd and three stdio fds; the app runs in its own process
 * group, signals the requester relays reach that group, and its exit status
 * goes back. When the requester's stdio includes a terminal, the app gets
 * the slave of a pty of the jail's own devpts instead (docs/jail.md "The
 * terminal"): a session leader of ours, pty_session(), makes it the app's
 * controlling terminal and reports the app's stops, and the master goes to
 * the requester, who relays; we keep no copy. As PID 1 it also reaps every
 * orphan, and it exits once no app and no other process is left (after a
 * grace period for the first request).
 *
 * Inherited fds: 3 dispatch.sock (listening), 4 iso-pipe write end, 5 a
 * pipe for our own log lines, and with an init script 6 the script (a
 * sealed memfd) and 7 a pipe for its stdout and stderr. The jailer, on the
 * host side, holds the pipes' read ends and copies them to the state dir's
 * log, bounded, the script's output marked as the jail's: no process of
 * the jail holds an fd of the log.
 *
 * Nothing a client sends may harm PID 1: messages are bounded and decoded
 * strictly (state/dispatch-proto.h), a malformed one closes that client only.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <assert.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>

#include "dispatch/dispatch.h"
#include "state/dispatch-proto.h"
#include "state/iso-pipe.h"
#include "state/log.h"

/* How long a fresh jail waits for its first app request. */
#define FIRST_REQUEST_GRACE 10.0

extern char **environ;

struct client {
	int fd;
	ev_io io_w;
	pid_t app_pid;		 /* 0 until a RUN request started one */
	LIST_ENTRY(client) entry;
};

/* An app whose requester went away keeps running; it is remembered so
 * its exit is not mistaken for an orphan's and so it counts as an app. */
struct app {
	pid_t pid;             /* with a pty: the pid of its pty_session() */
	struct client *client; /* NULL once the requester is gone */
	int status_fd;         /* with a pty: pty_session()'s reports, else -1 */
	ev_io status_w;
	bool exit_sent;
	LIST_ENTRY(app) entry;
};

static LIST_HEAD(, client) clients = LIST_HEAD_INITIALIZER(clients);
static LIST_HEAD(, app) apps = LIST_HEAD_INITIALIZER(apps);
static pid_t bus_pids[2]; /* the private bus's dbus-daemon and bridge, or 0 */
static bool first_request_seen;
static bool grace_over;
static char *msg_buf;

static struct app *
app_find(pid_t pid)
{
	struct app *a;

	LIST_FOREACH(a, &apps, entry)
		if (a->pid == pid)
			return a;
	return NULL;
}

static bool
have_children(void)
{
	siginfo_t si = {};

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Whether a child is alive besides the private bus's dbus-daemon and
 * bridge, which serve the apps and do not keep the jail alive: leaving,
 * PID 1 ends them with the rest. */
static bool
have_app_children(void)
{
	char path[64], buf[4096];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p, *end;

	if (bus_pids[0] == 0 && bus_pids[1] == 0)
		return have_children();
	(void) snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int) getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return have_children();
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0 || n == (ssize_t) sizeof(buf) - 1)
		return have_children(); /* unreadable, or more than we read: some are apps */
	buf[n] = '\0';
	for (p = buf; *p != '\0'; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid != bus_pids[0] && pid != bus_pids[1])
			return true;
	}
	return false;
}

/* A `jailsup run` that connected while we decided to leave would find
 * EOF and fail, though it only came a moment late (two runs back to
 * back). Stop taking connections first: after shutdown(SHUT_RD) a new
 * connect() fails with ECONNREFUSED, so its CLI starts a fresh jail. The
 * few already queued are told EAGAIN, which makes their CLI do the same. */
static void
refuse_late_clients(void)
{
	struct dispatch_small m;
	int fd;

	dispatch_make_small(&m, DISPATCH_EXIT, DISPATCH_REFUSED, EAGAIN);
	if (shutdown(DISPATCH_FD_LISTEN, SHUT_RD) < 0 ||
	    ioctl(DISPATCH_FD_LISTEN, FIONBIO, &(int){1}) < 0) {
		log_debug_errno(-errno, "unable to stop taking connections, ignoring");
		return;
	}
	while ((fd = accept4(DISPATCH_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		(void) dispatch_send(fd, &m, sizeof(m), NULL, 0);
		safe_close(fd);
	}
}

/* PID 1 leaves when nothing is left to serve: no app, no orphan, no
 * requester still talking to us, and the first request came (or its grace
 * period ended). */
static void
maybe_exit(struct ev_loop *loop)
{
	if (!first_request_seen && !grace_over)
		return;
	if (!LIST_EMPTY(&apps) || !LIST_EMPTY(&clients) || have_app_children())
		return;
	log_debug("no process left, leaving");
	refuse_late_clients();
	ev_break(loop, EVBREAK_ALL);
}

static void
client_send_small(struct client *c, enum dispatch_msg_type type, uint32_t kind, int32_t value)
{
	struct dispatch_small m;
	int r;

	dispatch_make_small(&m, type, kind, value);
	r = dispatch_send(c->fd, &m, sizeof(m), NULL, 0);
	if (r < 0)
		log_debug_errno(r, "unable to answer a client, ignoring");
}

static void
client_free(struct ev_loop *loop, struct client *c)
{
	struct app *a;

	ev_io_stop(loop, &c->io_w);
	LIST_FOREACH(a, &apps, entry)
		if (a->client == c)
			a->client = NULL;
	LIST_REMOVE(c, entry);
	safe_close(c->fd);
	free(c);
}

static void
close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = safe_close(fds[i]);
}

struct app_exec {
	const struct dispatch_run *run;
	char **envp;
	const int *stdio;
	int err_fd;
	int tty_fd; /* with a pty: the slave, to put the app in its foreground */
};

/* The child of spawn_vfork(): it shares our memory until execve(), so it
 * only sets up fds, and reports a failure on the pipe, as before. */
static int
exec_app(void *arg)
{
	const struct app_exec *x = arg;
	const struct dispatch_run *run = x->run;
	int moved[DISPATCH_RUN_NFDS], r;

	reset_signals_for_exec();
	/* Its own process group, so a relayed Ctrl-C reaches the app and its
	 * children but never PID 1. */
	(void) setpgid(0, 0);
	if (x->tty_fd >= 0) {
		sigset_t ttou;

		/* From the background, as a job-control shell does it: with
		 * SIGTTOU blocked the kernel lets us take the foreground. */
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		(void) sigprocmask(SIG_BLOCK, &ttou, NULL);
		if (tcsetpgrp(x->tty_fd, getpid()) < 0)
			goto fail;
		(void) sigprocmask(SIG_UNBLOCK, &ttou, NULL);
	}
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		moved[i] = fcntl(x->stdio[i], F_DUPFD_CLOEXEC, 10);
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		if (moved[i] < 0 || dup2(moved[i], i) < 0)
			goto fail;
	(void) syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC);
	if (chdir(run->cwd) < 0) {
		const char *home = getenv("HOME");

		/* The requester's cwd is often a host folder the jail lacks. */
		if ((home == NULL || chdir(home) < 0) && chdir("/") < 0)
			goto fail;
	}
	execvpe(run->argv[0], run->argv, x->envp);
fail:
	r = errno;
	if (write(x->err_fd, &r, sizeof(r)) != sizeof(r))
		_exit(EXIT_TEMPORARY);
	_exit(127);
}

static char **
build_app_env(const struct dispatch_run *run)
{
	char **env = NULL;

	for (char **e = environ; e != NULL && *e != NULL; e++)
		if (strv_push(&env, *e) < 0)
			return strv_free(env);
	for (char **e = run->envp; *e != NULL; e++) {
		if (!dispatch_env_passes(*e))
			continue;
		if (strv_push(&env, *e) < 0)
			return strv_free(env);
	}
	if (env == NULL)
		env = calloc(1, sizeof(char *));
	return env;
}

/* Forwards a report of pty_session() to the requester: rebuilt from its
 * fields, as only these three kinds may come. */
static void
app_forward(struct app *a, const struct dispatch_small *m)
{
	if (a->exit_sent || a->client == NULL)
		return;
	switch (m->hdr.type) {
	case DISPATCH_STARTED:
		a->client->app_pid = m->value; /* signals go to the app's group */
		client_send_small(a->client, DISPATCH_STARTED, 0, m->value);
		break;
	case DISPATCH_STOPPED:
		client_send_small(a->client, DISPATCH_STOPPED, 0, m->value);
		break;
	case DISPATCH_EXIT:
		a->exit_sent = true;
		client_send_small(a->client, DISPATCH_EXIT, m->kind, m->value);
		break;
	default:
		break;
	}
}

/* Reads every report pty_session() has written (16-byte writes on a
 * pipe: atomic, whole). Returns false on EOF. */
static bool
app_read_status(struct app *a)
{
	struct dispatch_small m;
	char buf[sizeof(m)];
	ssize_t n;

	for (;;) {
		n = read(a->status_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		if (dispatch_decode_small(buf, (size_t) n, &m) > 0)
			app_forward(a, &m);
	}
}

static void
app_status_close(struct ev_loop *loop, struct app *a)
{
	if (a->status_fd < 0)
		return;
	ev_io_stop(loop, &a->status_w);
	a->status_fd = safe_close(a->status_fd);
}

static void
status_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct app *a = container_of(w, struct app, status_w);

	(void) revents;
	if (!app_read_status(a))
		app_status_close(loop, a);
}

static void
session_report(int fd, enum dispatch_msg_type type, uint32_t kind, int32_t value)
{
	struct dispatch_small m;

	dispatch_make_small(&m, type, kind, value);
	(void) write_all(fd, &m, sizeof(m));
}

/* A pty run's session leader, a fork of ours (sudo calls it the monitor):
 * it makes the pty its controlling terminal and starts the app in a
 * process group of its own in that session. The app's group then has a
 * parent in the same session, so it is not orphaned and the kernel does
 * stop it on Ctrl-Z (a stop signal from the terminal is discarded in an
 * orphaned group: the app as session leader, with us in another session
 * as its parent, could never be suspended). We wait for it with WUNTRACED
 * and report on STATUS_FD: STARTED, each STOPPED, then EXIT. Fork of a
 * non-dumpable PID 1 and never executed, it stays non-dumpable: the app
 * cannot ptrace it. */
static _Noreturn void
pty_session(struct app_exec *x, int status_fd)
{
	int fds[DISPATCH_RUN_NFDS + 1], err_pipe[2], status, child_errno = 0, tty = -1;
	const uint32_t mask = x->run->tty.mask;
	sigset_t all;
	ssize_t n;
	pid_t pid;

	/* Nothing but a kill ends us before the app does: relayed signals
	 * are for the app's group, never ours. */
	reset_signals_for_exec();
	sigfillset(&all);
	(void) sigprocmask(SIG_SETMASK, &all, NULL);
	/* Only our stdio and the report pipe: no socket of dispatch's stays
	 * open in us (a requester waits for the EOF of its socket). */
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		fds[i] = x->stdio[i];
	fds[DISPATCH_RUN_NFDS] = status_fd;
	if (fds_move_to(fds, ELEMENTSOF(fds), 3) < 0)
		_exit(EXIT_TEMPORARY);
	(void) syscall(SYS_close_range, 3 + ELEMENTSOF(fds), ~0u, 0);
	status_fd = 3 + DISPATCH_RUN_NFDS;
	(void) fcntl(status_fd, F_SETFD, FD_CLOEXEC);
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++) {
		fds[i] = 3 + i;
		if (tty < 0 && (mask & (1u << i)))
			tty = fds[i];
	}
	x->stdio = fds;
	x->tty_fd = tty;
	if (setsid() < 0 || ioctl(tty, TIOCSCTTY, 0) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		session_report(status_fd, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
		_exit(0);
	}
	x->err_fd = err_pipe[1];
	/* As dispatch spawns apps without a pty: no page tables copied. */
	pid = spawn_vfork(exec_app, x);
	if (pid < 0) {
		session_report(status_fd, DISPATCH_EXIT, DISPATCH_REFUSED, -pid);
		_exit(0);
	}
	safe_close(err_pipe[1]);
	do
		n = read(err_pipe[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(child_errno)) {
		(void) waitpid(pid, &status, 0);
		session_report(status_fd, DISPATCH_EXIT, DISPATCH_EXEC_FAILED, child_errno);
		_exit(0);
	}
	session_report(status_fd, DISPATCH_STARTED, 0, pid);
	for (;;) {
		if (waitpid(pid, &status, WUNTRACED) < 0) {
			if (errno == EINTR)
				continue;
			session_report(status_fd, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
			_exit(0);
		}
		if (WIFSTOPPED(status))
			session_report(status_fd, DISPATCH_STOPPED, 0, WSTOPSIG(status));
		else if (WIFSIGNALED(status)) {
			session_report(status_fd, DISPATCH_EXIT, DISPATCH_SIGNALED,
			               WTERMSIG(status));
			_exit(0);
		} else if (WIFEXITED(status)) {
			session_report(status_fd, DISPATCH_EXIT, DISPATCH_EXITED,
			               WEXITSTATUS(status));
			_exit(0);
		}
	}
}

/* A pty of the jail's own devpts for RUN: its master goes to the
 * requester at once (we keep no copy), its slave fills the stdio slots of
 * the mask, the others taking the fds that came, in order. */
static int
open_pty(struct client *c, const struct dispatch_run *run, const int *fds, int *stdio,
         int *ret_slave)
{
	_cleanup_close_ int master = -1, slave = -1;
	struct dispatch_small m;
	unsigned ptn;
	size_t next = 0;
	int r;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	if (unlockpt(master) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		return -errno;
	/* By the master, not by a path in /dev/pts an app could have raced. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return -errno;
	if (tcsetattr(slave, TCSANOW, &run->tty.termios) < 0 ||
	    ioctl(slave, TIOCSWINSZ, &run->tty.winsize) < 0)
		return -errno;
	dispatch_make_small(&m, DISPATCH_PTY, 0, (int32_t) ptn);
	r = dispatch_send(c->fd, &m, sizeof(m), &master, 1);
	if (r < 0)
		return r;
	for (int i = 0; i < DISPATCH_RUN_NFDS; i++)
		stdio[i] = (run->tty.mask & (1u << i)) ? slave : fds[next++];
	*ret_slave = TAKE_FD(slave);
	return 0;
}

static void
start_pty_app(struct ev_loop *loop, struct client *c, const struct dispatch_run *run,
              const int *fds, char **env, struct app *a)
{
	_cleanup_close_ int slave = -1;
	int stdio[DISPATCH_RUN_NFDS], status[2], r;
	pid_t pid;

	r = open_pty(c, run, fds, stdio, &slave);
	if (r < 0) {
		free(a);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, -r);
		return;
	}
	if (pipe2(status, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(a);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
		return;
	}
	(void) fcntl(status[1], F_SETFL, 0); /* the session's writes may block */
	pid = fork();
	if (pid == 0) {
		safe_close(status[0]);
		pty_session(
		    &(struct app_exec){
		        .run = run, .envp = env, .stdio = stdio, .err_fd = -1, .tty_fd = -1},
		    status[1]);
	}
	safe_close(status[1]);
	if (pid < 0) {
		free(a);
		safe_close(status[0]);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
		return;
	}
	a->pid = pid;
	a->client = c;
	a->status_fd = status[0];
	ev_io_init(&a->status_w, status_cb, a->status_fd, EV_READ);
	ev_io_start(loop, &a->status_w);
	LIST_INSERT_HEAD(&apps, a, entry);
	c->app_pid = pid; /* until STARTED names the app: one RUN per client */
}

static void
start_app(struct ev_loop *loop, struct client *c, const struct dispatch_run *run, int *fds)
{
	_cleanup_strv_ char **env = build_app_env(run);
	int err_pipe[2], child_errno = 0;
	struct app *a;
	ssize_t n;
	pid_t pid;

	a = calloc(1, sizeof(*a));
	if (env == NULL || a == NULL) {
		free(a);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, ENOMEM);
		return;
	}
	a->status_fd = -1;
	if (run->tty.mask != 0) {
		start_pty_app(loop, c, run, fds, env, a);
		return;
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		free(a);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
		return;
	}
	pid = spawn_vfork(
	    exec_app,
	    &(struct app_exec){
	        .run = run, .envp = env, .stdio = fds, .err_fd = err_pipe[1], .tty_fd = -1});
	if (pid < 0) {
		free(a);
		safe_close(err_pipe[0]);
		safe_close(err_pipe[1]);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, -pid);
		return;
	}
	safe_close(err_pipe[1]);
	/* EOF: execve() succeeded (the pipe was close-on-exec). */
	do
		n = read(err_pipe[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	safe_close(err_pipe[0]);

	a->pid = pid;
	LIST_INSERT_HEAD(&apps, a, entry);
	c->app_pid = pid;
	if (n == sizeof(child_errno)) {
		/* The child exits 127 at once; its reaping finds no client. */
		a->client = NULL;
		c->app_pid = 0; /* nothing left to relay signals to */
		client_send_small(c, DISPATCH_EXIT, DISPATCH_EXEC_FAILED, child_errno);
		return;
	}
	a->client = c;
	client_send_small(c, DISPATCH_STARTED, 0, pid);
}

/* A directory or O_PATH fd handed in as stdio would let the app walk the
 * host's tree from it (openat(fd, "..")): only fds that carry data pass. */
static bool
stdio_fds_acceptable(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fl = fcntl(fds[i], F_GETFL);

		if (fl < 0 || (fl & O_PATH) || fstat(fds[i], &st) < 0)
			return false;
		if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) &&
		    !S_ISSOCK(st.st_mode))
			return false;
	}
	return true;
}

static bool
signal_relayable(int sig)
{
	switch (sig) {
	case SIGINT:
	case SIGTERM:
	case SIGHUP:
	case SIGQUIT:
	case SIGWINCH:
	case SIGUSR1:
	case SIGUSR2:
	case SIGCONT:
	case SIGKILL:
		return true;
	default:
		return false;
	}
}

static void
client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *c = container_of(w, struct client, io_w);
	int fds[DISPATCH_RUN_NFDS] = { -1, -1, -1 };
	struct dispatch_run run = {};
	struct dispatch_small small;
	size_t n_fds = 0;
	ssize_t len;
	int type;

	(void) revents;
	len = dispatch_recv(c->fd, msg_buf, DISPATCH_MSG_MAX, fds, DISPATCH_RUN_NFDS, &n_fds);
	if (len == -EAGAIN)
		return;
	if (len <= 0) {
		if (len < 0)
			log_debug_errno((int) len, "dropping a client");
		client_free(loop, c);
		maybe_exit(loop);
		return;
	}
	type = dispatch_peek_type(msg_buf, (size_t) len);
	if (type == DISPATCH_RUN && c->app_pid == 0 &&
	    dispatch_decode_run(msg_buf, (size_t) len, &run) == 0) {
		if (n_fds != dispatch_run_nfds(run.tty.mask) || !stdio_fds_acceptable(fds, n_fds)) {
			dispatch_run_done(&run);
			goto refuse;
		}
		first_request_seen = true;
		start_app(loop, c, &run, fds);
		dispatch_run_done(&run);
		close_fds(fds, n_fds);
		return;
	}
	if (type == DISPATCH_SIGNAL && c->app_pid > 0 && n_fds == 0 &&
	    dispatch_decode_small(msg_buf, (size_t) len, &small) == DISPATCH_SIGNAL &&
	    signal_relayable(small.value)) {
		if (kill(-c->app_pid, small.value) < 0)
			(void) kill(c->app_pid, small.value);
		return;
	}
refuse:
	close_fds(fds, n_fds);
	log_debug("refusing a malformed request");
	client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, EBADMSG);
	client_free(loop, c);
	maybe_exit(loop);
}

static void
listen_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *c;
	int fd;

	(void) w;
	(void) revents;
	/* Only the jail's own user may start apps in it. */
	fd = unix_accept_own(DISPATCH_FD_LISTEN, NULL);
	if (fd == -EPERM)
		log_warn("refusing a client of another user");
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		safe_close(fd);
		return;
	}
	c->fd = fd;
	ev_io_init(&c->io_w, client_cb, fd, EV_READ);
	ev_io_start(loop, &c->io_w);
	LIST_INSERT_HEAD(&clients, c, entry);
}

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct app *a = app_find(w->rpid);

	(void) revents;
	/* A bus process reaped: its PID may come back as an app's, which
	 * must keep the jail alive. */
	for (size_t i = 0; i < ELEMENTSOF(bus_pids); i++)
		if (bus_pids[i] == w->rpid)
			bus_pids[i] = 0;
	if (a != NULL && a->status_fd >= 0) {
		/* A pty session: it wrote all it had to say before it left. */
		if (app_read_status(a))
			log_debug("a pty session left without closing its reports, ignoring");
		app_status_close(loop, a);
	}
	if (a != NULL) {
		if (a->client != NULL && a->exit_sent)
			client_free(loop, a->client);
		else if (a->client != NULL) {
			if (WIFSIGNALED(w->rstatus))
				client_send_small(a->client, DISPATCH_EXIT, DISPATCH_SIGNALED,
						  WTERMSIG(w->rstatus));
			else
				client_send_small(a->client, DISPATCH_EXIT, DISPATCH_EXITED,
						  WEXITSTATUS(w->rstatus));
			/* Said all there is to say: a requester that lingers must
			 * not keep the jail alive. */
			client_free(loop, a->client);
		}
		LIST_REMOVE(a, entry);
		free(a);
	}
	maybe_exit(loop);
}

static void
grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void) w;
	(void) revents;
	grace_over = true;
	maybe_exit(loop);
}

/* SIGTERM from the jailer (jailsup kill): pass it to every process of the
 * jail; we leave once they are gone. */
static void
term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void) loop;
	(void) w;
	(void) revents;
	(void) kill(-1, SIGTERM);
	grace_over = true;
	maybe_exit(loop);
}

/* Leaving as PID 1 ends every process of the jail, the init script's too. */
static void
exit_on_signal(int sig)
{
	_exit(128 + sig);
}

/* The config of the jail's own bus: a session bus at PATH that lets any of
 * the jail's processes own any name and talk to any other (they are one
 * domain: what leaves the jail is the proxy's business), and activates
 * nothing. */
static const char bus_config[] =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n";

/* In a child of the private bus: stdin /dev/null, stdout and stderr the
 * pipe the jailer marks as the bus's (bus[NAME], never as the init
 * script's: any process of the jail can write to it through dbus-daemon's
 * /proc/PID/fd), KEEP[i] at fd 3 + i, nothing else. */
static void
child_fds(const int *keep, size_t n)
{
	int moved[4], null;

	assert(n <= ELEMENTSOF(moved));
	for (size_t i = 0; i < n; i++) {
		moved[i] = fcntl(keep[i], F_DUPFD, 20);
		if (moved[i] < 0)
			_exit(EXIT_TEMPORARY);
	}
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(DISPATCH_FD_BUS, 1) < 0 ||
	    dup2(DISPATCH_FD_BUS, 2) < 0)
		_exit(EXIT_TEMPORARY);
	for (size_t i = 0; i < n; i++)
		if (dup2(moved[i], 3 + (int) i) < 0)
			_exit(EXIT_TEMPORARY);
	if (syscall(SYS_close_range, 3 + (unsigned) n, ~0u, 0) < 0)
		_exit(EXIT_TEMPORARY);
}

/* Reads from FD until EOF or a newline; true when it got WANT bytes or a
 * line. */
static bool
wait_ready(int fd, size_t want)
{
	char buf[512];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t) n;
		if (got >= want && (want > 0 || memchr(buf, '\n', got) != NULL))
			return true;
	}
	return true;
}

/* With [dbus] own-private: a dbus-daemon of the jail's own, the jail's
 * session bus at $XDG_RUNTIME_DIR/bus, where the apps own their names for
 * themselves, and the bridge from it to the proxy (dbus-bridge/main.c).
 * Both are our children, with the jail's confinement, and end with it;
 * the first app comes once the bridge owns the names it forwards. */
static void
start_private_bus(const struct dispatch_args *args)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	_cleanup_free_ char *bus = NULL, *config = NULL, *address = NULL, *host = NULL;
	_cleanup_close_ int config_fd = -1;
	char **argv = NULL;
	int p[2];
	pid_t pid;

	if (runtime == NULL || args->host_bus == NULL)
		die(EXIT_PERMANENT, "own-private: no $XDG_RUNTIME_DIR or proxy socket");
	if (asprintf(&bus, "%s/bus", runtime) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	if (strlen(bus) >= sizeof(((struct sockaddr_un *) NULL)->sun_path))
		die(EXIT_PERMANENT,
		    "own-private: the private bus's socket '%s/bus' is longer than a socket path "
		    "may be (%zu bytes): use a shorter $XDG_RUNTIME_DIR",
		    runtime, sizeof(((struct sockaddr_un *) NULL)->sun_path) - 1);
	address = dbus_unix_address(bus);
	host = dbus_unix_address(args->host_bus);
	if (address == NULL || host == NULL || asprintf(&config, bus_config, address) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	config_fd = memfd_sealed("jailsup-bus-config", config, strlen(config));
	if (config_fd < 0)
		die_errno(EXIT_TEMPORARY, config_fd, "unable to write the private bus's config");

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create a pipe");
	pid = fork();
	if (pid < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to start the private bus");
	if (pid == 0) {
		/* By its absolute path in the jail's read-only /usr: never
		 * through $PATH, which may lead into the jail's writable home
		 * (~/.local/bin). */
		char *dargv[] = {"/usr/bin/dbus-daemon",
		                 "--nofork",
		                 "--nopidfile",
		                 "--nosyslog",
		                 "--config-file=/proc/self/fd/4",
		                 "--print-address=3",
		                 NULL};

		child_fds((int[]){p[1], config_fd}, 2);
		execv(dargv[0], dargv);
		fprintf(stderr, "own-private: unable to run %s: %s\n", dargv[0], strerror(errno));
		_exit(127);
	}
	bus_pids[0] = pid;
	safe_close(p[1]);
	if (!wait_ready(p[0], 0))
		die(EXIT_PERMANENT, "own-private: the jail's dbus-daemon did not start (package "
		                    "dbus; its reason, if any, is in this log)");
	safe_close(p[0]);

	if (strv_push(&argv, "dbus-bridge") < 0 || strv_push(&argv, address) < 0 ||
	    strv_push(&argv, host) < 0 || strv_push(&argv, "3") < 0)
		die(EXIT_TEMPORARY, "out of memory");
	for (char *const *n = args->app_names; n != NULL && *n != NULL; n++)
		if (strv_push(&argv, *n) < 0)
			die(EXIT_TEMPORARY, "out of memory");
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create a pipe");
	pid = fork();
	if (pid < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to start the D-Bus bridge");
	if (pid == 0) {
		child_fds((int[]){p[1], DISPATCH_FD_BRIDGE}, 2);
		/* Its own binary need not stay open in it: an ELF runs from a
		 * close-on-exec fd. */
		(void) fcntl(4, F_SETFD, FD_CLOEXEC);
		syscall(SYS_execveat, 4, "", argv, environ, AT_EMPTY_PATH);
		fprintf(stderr, "own-private: unable to run dbus-bridge: %s\n", strerror(errno));
		_exit(127);
	}
	bus_pids[1] = pid;
	strv_free(argv);
	safe_close(p[1]);
	if (!wait_ready(p[0], 1))
		die(EXIT_TEMPORARY, "own-private: the D-Bus bridge did not start (its reason is in "
		                    "this log)");
	safe_close(p[0]);
}

static void
run_init_script(void)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to start the init script");
	if (pid == 0) {
		const char *home = getenv("HOME");
		/* /bin/bash, never found through $PATH: see the bus's. */
		char *argv[] = {"/bin/bash", "/dev/fd/6", NULL};
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* bash reads the script as /dev/fd/6: the one fd of ours that
		 * must survive this execve() (dispatch_main() made them all
		 * close-on-exec). Its processes write to their own pipe, never
		 * to ours: what they write is marked as theirs. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(DISPATCH_FD_OUTPUT, 1) < 0 ||
		    dup2(DISPATCH_FD_OUTPUT, 2) < 0 || fcntl(DISPATCH_FD_INIT, F_SETFD, 0) < 0)
			_exit(EXIT_TEMPORARY);
		if (home != NULL && chdir(home) < 0)
			_exit(EXIT_TEMPORARY);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(EXIT_TEMPORARY, -errno, "unable to wait for the init script");
	if (WIFSIGNALED(status))
		die(EXIT_PERMANENT, "the init script was killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		die(EXIT_PERMANENT, "the init script failed with status %d (its output is in "
		    "this log)", WEXITSTATUS(status));
}

int
dispatch_main(const struct dispatch_args *args)
{
	struct ev_loop *loop;
	ev_io listen_w;
	ev_child child_w;
	ev_timer grace_w;
	ev_signal term_w, int_w, hup_w;
	int r;

	log_setup("dispatch");
	log_set_jail(args->name);
	log_set_tee_fd(DISPATCH_FD_LOG);
	/* Apps of the jail must not ptrace PID 1 and take over dispatch.sock
	 * (undumpable processes can only be traced with CAP_SYS_PTRACE). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_debug_errno(-errno, "unable to make dispatch undumpable, ignoring");
	/* None of our own fds may reach an app. */
	for (int fd = DISPATCH_FD_LISTEN; fd <= DISPATCH_FD_BUS; fd++)
		(void) fcntl(fd, F_SETFD, FD_CLOEXEC);

	/* Until the loop's handlers exist, a SIGTERM (jailsup kill) ends the
	 * start: PID 1 would otherwise never see it. */
	(void) signal(SIGTERM, exit_on_signal);
	if (args->private_bus)
		start_private_bus(args);
	safe_close(DISPATCH_FD_BRIDGE);
	safe_close(DISPATCH_FD_BUS);
	if (args->init_script)
		run_init_script();
	safe_close(DISPATCH_FD_INIT);
	safe_close(DISPATCH_FD_OUTPUT);
	r = iso_pipe_write_ready(DISPATCH_FD_ISO);
	if (r < 0)
		log_debug_errno(r, "unable to write 'ready', ignoring");
	safe_close(DISPATCH_FD_ISO);

	msg_buf = malloc(DISPATCH_MSG_MAX);
	if (msg_buf == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	(void) signal(SIGPIPE, SIG_IGN);
	loop = EV_DEFAULT;
	if (loop == NULL)
		die(EXIT_TEMPORARY, "unable to create the event loop");
	ev_io_init(&listen_w, listen_cb, DISPATCH_FD_LISTEN, EV_READ);
	ev_io_start(loop, &listen_w);
	ev_child_init(&child_w, child_cb, 0, 0);
	ev_child_start(loop, &child_w);
	ev_timer_init(&grace_w, grace_cb, FIRST_REQUEST_GRACE, 0.);
	ev_timer_start(loop, &grace_w);
	ev_signal_init(&term_w, term_cb, SIGTERM);
	ev_signal_start(loop, &term_w);
	ev_signal_init(&int_w, term_cb, SIGINT);
	ev_signal_start(loop, &int_w);
	ev_signal_init(&hup_w, term_cb, SIGHUP);
	ev_signal_start(loop, &hup_w);

	ev_run(loop, 0);
	free(msg_buf);
	return 0;
}
