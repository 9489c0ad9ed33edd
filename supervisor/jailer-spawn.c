/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailer-spawn.h: the standby jailer and the direct spawn. The standby is
 * our child from its exec on; its PID cannot be reused until we reap it,
 * so killing it by PID is safe.
 */
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdalign.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/jail-start.h"
#include "state/jailer-standby.h"
#include "state/log.h"
#include "state/state.h"
#include "supervisor/jailer-spawn.h"

enum standby_kind {
	STANDBY_PLAIN, /* namespaces made ahead */
	STANDBY_NET,   /* and pasta in them, ready: a pasta jail's network */
	_STANDBY_MAX,
};

static const char *const standby_args[_STANDBY_MAX] = {
	[STANDBY_PLAIN] = JAILER_STANDBY_ARG,
	[STANDBY_NET] = JAILER_STANDBY_NET_ARG,
};

/* pasta's pid file and log while it waits for a jail (state/state.h's names). */
#define STANDBY_NET_DIR "standby-net"

struct standby {
	enum standby_kind kind;
	pid_t pid; /* 0: none */
	int pidfd; /* opened while it was surely our unreaped child */
	int sock;
	ev_child child_w;
	ev_idle refill_w;
	/* The network kind's: its namespaces' message, then pasta in them. */
	ev_io ns_w;
	struct jail_net net;
	int dir_fd;
	bool net_ready;
	ev_io net_end_w; /* pasta's tether ended while it waited */
};

/* A supervisor started by a CLI has that CLI's START to serve first: the
 * network kind comes after its jail is ready, or this long after the
 * start, whichever is first (a supervisor started at login). */
#define STANDBY_NET_FIRST_DELAY 1.0

/* What pasta reads once, as it starts, and a standby's pasta could hold
 * stale when it changes: the resolver it forwards the jail's DNS to. */
#define RESOLV_CONF	"/etc/resolv.conf"
#define RESOLV_CONF_DIR "/etc"

static struct {
	struct standby slot[_STANDBY_MAX];
	ev_timer first_net_w;
	ev_io resolv_w; /* inotify of RESOLV_CONF and its folders */
	bool enabled;
	int root_fd;
	char *root_path;
} standbys = {
	.slot = {
		[STANDBY_PLAIN] = {.kind = STANDBY_PLAIN, .pidfd = -1, .sock = -1, .dir_fd = -1},
		[STANDBY_NET] = {.kind = STANDBY_NET, .pidfd = -1, .sock = -1, .dir_fd = -1},
	},
	.root_fd = -1,
};

static void
standby_forget(struct ev_loop *loop, struct standby *s)
{
	ev_child_stop(loop, &s->child_w);
	ev_io_stop(loop, &s->ns_w);
	ev_io_stop(loop, &s->net_end_w);
	/* Its pasta, unless a jail took it, goes with it: its tether
	 * watches the standby, which we kill or which took a start, and a
	 * pasta whose tether was killed is ended by its pid file. */
	net_ahead_end(loop, &s->net);
	s->net_ready = false;
	s->dir_fd = safe_close(s->dir_fd);
	s->sock = safe_close(s->sock);
	s->pidfd = safe_close(s->pidfd);
	s->pid = 0;
}

/* A standby that cannot serve (its namespaces or its pasta failed): it
 * goes, and no new one comes until a jail started or ended, so one that
 * cannot work never loops here. */
static void
standby_drop(struct ev_loop *loop, struct standby *s, const char *why)
{
	log_warn("the standby jailer %d (%s) is dropped: %s", (int) s->pid,
	         standby_args[s->kind], why);
	/* Our unreaped child: the PID is its own. */
	(void) kill(s->pid, SIGKILL);
	standby_forget(loop, s);
}

/* A standby that died (it should not): as a dropped one. */
static void
standby_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct standby *s = container_of(w, struct standby, child_w);

	(void) revents;
	log_warn("the standby jailer %d ended with status %d", (int) s->pid, w->rstatus);
	standby_forget(loop, s);
}

static void
standby_net_failed(struct ev_loop *loop, struct jail_net *n, const char *why)
{
	standby_drop(loop, container_of(n, struct standby, net), why);
}

static void
standby_net_end_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void) revents;
	standby_drop(loop, container_of(w, struct standby, net_end_w),
	             "its pasta ended while it waited");
}

static void
standby_net_ready(struct ev_loop *loop, struct jail_net *n)
{
	struct standby *s = container_of(n, struct standby, net);

	s->net_ready = true;
	ev_io_init(&s->net_end_w, standby_net_end_cb, net_ahead_pidfd(n), EV_READ);
	ev_io_start(loop, &s->net_end_w);
	log_debug("the standby jailer %d has pasta ready", (int) s->pid);
}

static void
standby_net_progress(struct jail_net *n, const char *text)
{
	(void) n;
	(void) text;
}

static void
standby_net_vpn_lost(struct ev_loop *loop, struct jail_net *n)
{
	(void) loop;
	(void) n; /* a standby's network has no VPN */
}

static const struct jail_net_ops standby_net_ops = {
	.failed = standby_net_failed,
	.vpn_lost = standby_net_vpn_lost,
	.progress = standby_net_progress,
	.ready = standby_net_ready,
};

/* The network kind's namespaces: pasta joins them. */
static void
standby_ns_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct standby *s = container_of(w, struct standby, ns_w);
	_cleanup_free_ char *dir_path = NULL;
	int ns_fds[2] = {-1, -1}, r;

	(void) revents;
	r = jailer_standby_receive_ns(s->sock, ns_fds);
	if (r == -EAGAIN || r == -EINTR)
		return;
	ev_io_stop(loop, w);
	if (r <= 0) {
		standby_drop(loop, s, r == 0 ? "it closed its socket" : strerror(-r));
		return;
	}
	dir_path = path_join(standbys.root_path, STANDBY_NET_DIR);
	/* A fresh folder: what an earlier standby left goes. */
	r = dir_path == NULL ? -ENOMEM : state_rm_rf(standbys.root_fd, STANDBY_NET_DIR);
	if (r >= 0)
		r = state_dir_create(standbys.root_fd, STANDBY_NET_DIR, &s->dir_fd, NULL);
	if (r >= 0)
		r = net_ahead_start(loop, &s->net, &standby_net_ops, s->dir_fd, dir_path, s->pidfd,
		                    ns_fds);
	safe_close(ns_fds[0]);
	safe_close(ns_fds[1]);
	if (r < 0)
		standby_drop(loop, s, strerror(-r));
}

static void
standby_refill_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct standby *s = container_of(w, struct standby, refill_w);
	static char room[JAILER_STANDBY_ROOM];
	char *argv[] = { "jailer", (char *) standby_args[s->kind], room, NULL }, *envp[] = { NULL };
	int pair[2];
	pid_t pid;

	(void) revents;
	ev_idle_stop(loop, w);
	if (s->pid > 0)
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
	s->pid = pid;
	s->sock = pair[0];
	/* In the callback that forked it: it cannot have been reaped, so the
	 * PID is still its own. Without a pidfd it can still take starts,
	 * only no keeper can watch it before it has one (jailer_standby_peek()),
	 * and no pasta joins it (its tether needs one). */
	s->pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	ev_child_init(&s->child_w, standby_child_cb, pid, 0);
	ev_child_start(loop, &s->child_w);
	net_init(&s->net, &standby_net_ops);
	if (s->kind == STANDBY_NET) {
		if (s->pidfd < 0 || fcntl(s->sock, F_SETFL, O_NONBLOCK) < 0) {
			standby_drop(loop, s, "no pidfd of it");
			return;
		}
		ev_io_init(&s->ns_w, standby_ns_cb, s->sock, EV_READ);
		ev_io_start(loop, &s->ns_w);
	}
}

static void
first_net_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void) w;
	(void) revents;
	jailer_standby_refill(loop);
}

/* The host's resolver changed (a network switched, say): a standby's
 * pasta forwards to the old one, so it makes way for one that reads the
 * new file. Watched: the file (through a symlink, its target, which a
 * network manager may rewrite in place), and, for a new file renamed
 * over either, that name in /etc and in the target's folder; the watches
 * are made again after each change, as the file may be a new one. */
static struct {
	int file_wd, dir_wd, target_dir_wd;
	char target_name[NAME_MAX + 1];
} resolv = {.file_wd = -1, .dir_wd = -1, .target_dir_wd = -1};

static void resolv_watch(struct ev_loop *loop);

static bool
resolv_event_counts(const struct inotify_event *e)
{
	if (e->wd == resolv.file_wd)
		return true;
	if (e->len == 0)
		return false;
	return (e->wd == resolv.dir_wd && streq(e->name, "resolv.conf")) ||
	       (e->wd == resolv.target_dir_wd && streq(e->name, resolv.target_name));
}

static void
resolv_changed_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	alignas(struct inotify_event) char buf[4096];
	struct standby *s = &standbys.slot[STANDBY_NET];
	bool changed = false;
	ssize_t n;

	(void) revents;
	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *) p;

			changed = changed || resolv_event_counts(e);
			p += sizeof(*e) + e->len;
		}
	if (!changed)
		return;
	if (s->pid > 0)
		standby_drop(loop, s, "the host's " RESOLV_CONF " changed");
	resolv_watch(loop);
	jailer_standby_refill(loop);
}

static void
resolv_watch(struct ev_loop *loop)
{
	const uint32_t file_mask = IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;
	const uint32_t dir_mask = IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR;
	_cleanup_free_ char *target = NULL;
	int fd;

	if (ev_is_active(&standbys.resolv_w)) {
		ev_io_stop(loop, &standbys.resolv_w);
		safe_close(standbys.resolv_w.fd);
	}
	resolv.file_wd = resolv.dir_wd = resolv.target_dir_wd = -1;
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return;
	resolv.file_wd = inotify_add_watch(fd, RESOLV_CONF, file_mask);
	resolv.dir_wd = inotify_add_watch(fd, RESOLV_CONF_DIR, dir_mask);
	target = realpath(RESOLV_CONF, NULL);
	if (target != NULL) {
		char *slash = strrchr(target, '/');

		if (slash != NULL && slash != target && !streq(target, RESOLV_CONF) &&
		    strlen(slash + 1) < sizeof(resolv.target_name)) {
			strcpy(resolv.target_name, slash + 1);
			*slash = '\0';
			resolv.target_dir_wd = inotify_add_watch(fd, target, dir_mask);
		}
	}
	ev_io_init(&standbys.resolv_w, resolv_changed_cb, fd, EV_READ);
	ev_io_start(loop, &standbys.resolv_w);
}

/* The plain one at once, not at idle: a CLI that started us has its START
 * waiting already, and the standby loads while we handle it. The network
 * kind later: pasta's start-up takes ~100 ms of CPU, and not from that
 * START's. */
void
jailer_standby_enable(struct ev_loop *loop, int root_fd, const char *root_path)
{
	standbys.enabled = true;
	standbys.root_fd = root_fd;
	standbys.root_path = strdup(root_path);
	for (size_t k = 0; k < _STANDBY_MAX; k++) {
		net_init(&standbys.slot[k].net, &standby_net_ops);
		ev_idle_init(&standbys.slot[k].refill_w, standby_refill_cb);
	}
	if (standbys.root_path == NULL)
		standbys.slot[STANDBY_NET].pid = -1; /* never: it would have no folder */
	standby_refill_cb(loop, &standbys.slot[STANDBY_PLAIN].refill_w, 0);
	ev_timer_init(&standbys.first_net_w, first_net_cb, STANDBY_NET_FIRST_DELAY, 0.);
	ev_timer_start(loop, &standbys.first_net_w);
	resolv_watch(loop);
}

void
jailer_standby_refill(struct ev_loop *loop)
{
	ev_timer_stop(loop, &standbys.first_net_w);
	for (size_t k = 0; k < _STANDBY_MAX; k++)
		if (standbys.enabled && standbys.slot[k].pid == 0)
			ev_idle_start(loop, &standbys.slot[k].refill_w);
}

/* The standby a jail of network NET takes: the network kind, ready, for
 * a jail it fits; else the plain one. NULL: none waits. */
static struct standby *
standby_for(const struct jail_net *net)
{
	struct standby *s = &standbys.slot[STANDBY_NET];

	if (s->pid > 0 && s->net_ready && net != NULL && net_ahead_fits(net))
		return s;
	s = &standbys.slot[STANDBY_PLAIN];
	return s->pid > 0 ? s : NULL;
}

int
jailer_standby_peek(const struct jail_net *net, pid_t *ret_pid, int *ret_pidfd)
{
	struct standby *s = standby_for(net);
	int fd;

	if (s == NULL || s->pidfd < 0)
		return -ENOENT;
	fd = fcntl(s->pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	*ret_pid = s->pid;
	*ret_pidfd = fd;
	return 0;
}

/* Hands the start to the standby for NET (its pasta too, for the network
 * kind); -errno when none can take it. */
static int
standby_take(struct ev_loop *loop, struct jail_net *net, char **argv, char **envp,
             const int *fds, size_t n_fds, pid_t *ret)
{
	struct standby *s = standby_for(net);
	int r;

	if (s == NULL)
		return -ENOENT;
	if (s->kind == STANDBY_NET) {
		/* Before the message: once the standby has the start, its
		 * jail must find its network. */
		ev_io_stop(loop, &s->net_end_w);
		r = net_ahead_claim(&s->net, net);
		if (r < 0) {
			standby_drop(loop, s, r == -ESRCH ? "its pasta ended" : strerror(-r));
			/* The plain one then, and the jail's own pasta. */
			s = standby_for(NULL);
			if (s == NULL)
				return -ENOENT;
		}
	}
	r = jailer_standby_send(s->sock, argv, envp, fds, n_fds);
	if (r == -E2BIG && s->kind == STANDBY_PLAIN)
		return r; /* too big for one message, never sent: it waits on */
	if (r < 0) {
		/* Gone, or broken: a standby that got nothing must not linger,
		 * nor its pasta (its tether watches it); the jail starts its
		 * own. */
		if (s->kind == STANDBY_NET)
			net_ahead_unclaim(net);
		standby_drop(loop, s, strerror(-r));
		return r;
	}
	*ret = s->pid;
	standby_forget(loop, s);
	return 0;
}

int
jailer_start(struct ev_loop *loop, struct jail_net *net, const char *state_path, char **envp,
             const int *keep, size_t n_keep, int go_fd, pid_t *ret)
{
	struct jailer_cmd cmd;
	pid_t pid;

	jailer_cmd_init(&cmd, state_path, keep, n_keep, go_fd);
	if (standby_take(loop, net, cmd.argv, envp, cmd.fds, cmd.n_fds, ret) == 0)
		return 0;
	pid = jailer_spawn(cmd.argv, envp, cmd.fds, cmd.n_fds);
	if (pid < 0)
		return pid;
	*ret = pid;
	return 0;
}
