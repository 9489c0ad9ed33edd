/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailer-spawn.h: the standby jailer and the direct spawn. The standby is
 * our child from its exec on; its PID cannot be reused until we reap it,
 * so killing it by PID is safe.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/jail-start.h"
#include "state/jailer-standby.h"
#include "state/log.h"
#include "supervisor/jailer-spawn.h"

static struct {
	pid_t pid; /* 0: none */
	int pidfd; /* opened while it was surely our unreaped child */
	int sock;
	ev_child child_w;
	ev_idle refill_w;
	bool enabled;
} standby = { .pidfd = -1, .sock = -1 };

static void
standby_forget(struct ev_loop *loop)
{
	ev_child_stop(loop, &standby.child_w);
	standby.sock = safe_close(standby.sock);
	standby.pidfd = safe_close(standby.pidfd);
	standby.pid = 0;
}

/* A standby that died (it should not): no new one until a jail started
 * or ended, so a jailer that cannot run never loops here. */
static void
standby_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void) revents;
	log_warn("the standby jailer %d ended with status %d", (int) standby.pid, w->rstatus);
	standby_forget(loop);
}

static void
standby_refill_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	static char room[JAILER_STANDBY_ROOM];
	char *argv[] = { "jailer", JAILER_STANDBY_ARG, room, NULL }, *envp[] = { NULL };
	int pair[2];
	pid_t pid;

	(void) revents;
	ev_idle_stop(loop, w);
	if (standby.pid > 0)
		return;
	memset(room, ' ', sizeof(room) - 1);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		log_warn_errno(-errno, "unable to start a standby jailer, ignoring");
		return;
	}
	/* None of ours: the start brings the jailer's environment. */
	pid = jailer_spawn(argv, envp, &pair[1], 1);
	safe_close(pair[1]);
	if (pid < 0) {
		safe_close(pair[0]);
		log_warn_errno(pid, "unable to start a standby jailer, ignoring");
		return;
	}
	standby.pid = pid;
	standby.sock = pair[0];
	/* In the callback that forked it: it cannot have been reaped, so the
	 * PID is still its own. Without a pidfd it can still take starts,
	 * only no keeper can watch it before it has one (jailer_standby_peek()). */
	standby.pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	ev_child_init(&standby.child_w, standby_child_cb, pid, 0);
	ev_child_start(loop, &standby.child_w);
}

/* The first one at once, not at idle: a CLI that started us has its START
 * waiting already, and the standby loads while we handle it. */
void
jailer_standby_enable(struct ev_loop *loop)
{
	standby.enabled = true;
	ev_idle_init(&standby.refill_w, standby_refill_cb);
	standby_refill_cb(loop, &standby.refill_w, 0);
}

void
jailer_standby_refill(struct ev_loop *loop)
{
	if (standby.enabled && standby.pid == 0)
		ev_idle_start(loop, &standby.refill_w);
}

int
jailer_standby_peek(pid_t *ret_pid, int *ret_pidfd)
{
	int fd;

	if (standby.pid == 0 || standby.pidfd < 0)
		return -ENOENT;
	fd = fcntl(standby.pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	*ret_pid = standby.pid;
	*ret_pidfd = fd;
	return 0;
}

/* Hands the start to the standby; -errno when it cannot take it. */
static int
standby_take(struct ev_loop *loop, char **argv, char **envp, const int *fds, size_t n_fds,
	     pid_t *ret)
{
	int r;

	if (standby.pid == 0)
		return -ENOENT;
	r = jailer_standby_send(standby.sock, argv, envp, fds, n_fds);
	if (r == -E2BIG)
		return r; /* too big for one message, never sent: it waits on */
	if (r < 0) {
		/* Gone, or broken: a standby that got nothing must not linger. */
		(void) kill(standby.pid, SIGKILL);
		log_debug("the standby jailer %d could not take the start: %s", (int) standby.pid,
			  strerror(-r));
		/* libev reaps every child, watched or not; a new one comes at idle. */
		standby_forget(loop);
		return r;
	}
	*ret = standby.pid;
	standby_forget(loop);
	return 0;
}

int
jailer_start(struct ev_loop *loop, const char *state_path, char **envp, const int *keep,
             size_t n_keep, int go_fd, pid_t *ret)
{
	struct jailer_cmd cmd;
	pid_t pid;

	jailer_cmd_init(&cmd, state_path, keep, n_keep, go_fd);
	if (standby_take(loop, cmd.argv, envp, cmd.fds, cmd.n_fds, ret) == 0)
		return 0;
	pid = jailer_spawn(cmd.argv, envp, cmd.fds, cmd.n_fds);
	if (pid < 0)
		return pid;
	*ret = pid;
	return 0;
}
