/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch — PID 1 of a jail: dispatch_main() (dispatch.h), which the
 * jailer's child runs once it has built the jail, in place of an exec.
 *
 * Runs the profile's init script once, says "ready" in the iso-pipe, then
 * serves app requests on the inherited dispatch.sock: each request brings
 * argv, env, cwd and three stdio fds; the app runs in its own process
 * group, signals the requester relays reach that group, and its exit status
 * goes back. As PID 1 it also reaps every orphan, and it exits once no app
 * and no other process is left (after a grace period for the first request).
 *
 * Inherited fds: 3 dispatch.sock (listening), 4 iso-pipe write end, 5 a
 * pipe for our own log lines, and with --init-script 6 the init script (a
 * sealed memfd) and 7 a pipe for its stdout and stderr. The jailer, on the
 * host side, holds the pipes' read ends and copies them to the state dir's
 * log, bounded, the script's output marked as the jail's: no process of
 * the jail holds an fd of the log.
 *
 * Nothing a client sends may harm PID 1: messages are bounded and decoded
 * strictly (state/dispatch-proto.h), a malformed one closes that client only.
 */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dispatch/dispatch.h"
#include "state/dispatch-proto.h"
#include "state/iso-pipe.h"
#include "state/log.h"

#define FD_LISTEN 3
#define FD_ISO	  4
#define FD_LOG	  5
#define FD_INIT	  6
#define FD_OUTPUT 7

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
	pid_t pid;
	struct client *client; /* NULL once the requester is gone */
	LIST_ENTRY(app) entry;
};

static LIST_HEAD(, client) clients = LIST_HEAD_INITIALIZER(clients);
static LIST_HEAD(, app) apps = LIST_HEAD_INITIALIZER(apps);
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
	if (shutdown(FD_LISTEN, SHUT_RD) < 0 ||
	    fcntl(FD_LISTEN, F_SETFL, fcntl(FD_LISTEN, F_GETFL) | O_NONBLOCK) < 0) {
		log_debug_errno(-errno, "unable to stop taking connections, ignoring");
		return;
	}
	while ((fd = accept4(FD_LISTEN, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
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
	if (!LIST_EMPTY(&apps) || !LIST_EMPTY(&clients) || have_children())
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

static void
start_app(struct client *c, const struct dispatch_run *run, int *stdio)
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
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		free(a);
		client_send_small(c, DISPATCH_EXIT, DISPATCH_REFUSED, errno);
		return;
	}
	pid = spawn_vfork(exec_app,
			  &(struct app_exec){ .run = run, .envp = env, .stdio = stdio,
					      .err_fd = err_pipe[1] });
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
	if (type == DISPATCH_RUN && c->app_pid == 0 && n_fds == DISPATCH_RUN_NFDS) {
		struct dispatch_run run = {};
		int r;

		if (!stdio_fds_acceptable(fds, n_fds))
			goto refuse;
		r = dispatch_decode_run(msg_buf, (size_t) len, &run);
		if (r < 0)
			goto refuse;
		first_request_seen = true;
		start_app(c, &run, fds);
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
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	int fd;

	(void) w;
	(void) revents;
	fd = accept4(FD_LISTEN, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	/* Only the jail's own user may start apps in it. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid()) {
		log_warn("refusing a client of another user");
		safe_close(fd);
		return;
	}
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
	if (a != NULL) {
		if (a->client != NULL) {
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
		char *argv[] = { "bash", "/dev/fd/6", NULL };
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		/* bash reads the script as /dev/fd/6: the one fd of ours that
		 * must survive this execve() (dispatch_main() made them all
		 * close-on-exec). Its processes write to their own pipe, never
		 * to ours: what they write is marked as theirs. */
		if (null < 0 || dup2(null, 0) < 0 || dup2(FD_OUTPUT, 1) < 0 ||
		    dup2(FD_OUTPUT, 2) < 0 || fcntl(FD_INIT, F_SETFD, 0) < 0)
			_exit(EXIT_TEMPORARY);
		if (home != NULL && chdir(home) < 0)
			_exit(EXIT_TEMPORARY);
		execvp("bash", argv);
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
dispatch_main(int argc, char **argv)
{
	struct ev_loop *loop;
	ev_io listen_w;
	ev_child child_w;
	ev_timer grace_w;
	ev_signal term_w, int_w, hup_w;
	bool init;
	int r;

	log_setup("dispatch");
	if (argc != 3 || (!streq(argv[1], "--init-script") && !streq(argv[1], "--no-init-script")))
		die(EXIT_PERMANENT, "usage: dispatch --init-script|--no-init-script NAME");
	init = streq(argv[1], "--init-script");
	log_set_jail(argv[2]);
	log_set_tee_fd(FD_LOG);
	/* Apps of the jail must not ptrace PID 1 and take over dispatch.sock
	 * (undumpable processes can only be traced with CAP_SYS_PTRACE). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		log_debug_errno(-errno, "unable to make dispatch undumpable, ignoring");
	/* None of our own fds may reach an app. */
	for (int fd = FD_LISTEN; fd <= FD_OUTPUT; fd++)
		(void) fcntl(fd, F_SETFD, FD_CLOEXEC);

	/* Until the loop's handlers exist, a SIGTERM (jailsup kill) ends the
	 * start: PID 1 would otherwise never see it. */
	(void) signal(SIGTERM, exit_on_signal);
	if (init)
		run_init_script();
	safe_close(FD_INIT);
	safe_close(FD_OUTPUT);
	r = iso_pipe_write_ready(FD_ISO);
	if (r < 0)
		log_debug_errno(r, "unable to write 'ready', ignoring");
	safe_close(FD_ISO);

	msg_buf = malloc(DISPATCH_MSG_MAX);
	if (msg_buf == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	(void) signal(SIGPIPE, SIG_IGN);
	loop = EV_DEFAULT;
	if (loop == NULL)
		die(EXIT_TEMPORARY, "unable to create the event loop");
	ev_io_init(&listen_w, listen_cb, FD_LISTEN, EV_READ);
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
