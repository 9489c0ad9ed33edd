/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * keeper.h: both sides of a keeper, the process (keeper_main()) and the
 * supervisor's handle on it, and the datagrams between them.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/keeper.h"

/* The keeper's fds: its end of the socketpair and the state directory. */
#define KEEPER_CHAN_FD 3
#define KEEPER_DIR_FD  4

/* One SOCK_SEQPACKET datagram, either way. */
struct keeper_msg {
	int32_t type;
	int32_t value;
};

enum {
	/* keeper → supervisor */
	KEEPER_MSG_PID = 1, /* VALUE: the helper's PID */
	KEEPER_MSG_READY,   /* the helper is ready */
	KEEPER_MSG_EXIT,    /* the helper exited, VALUE its wait status */
	KEEPER_MSG_FAILED,  /* it could not be started, VALUE -errno */
	/* supervisor → keeper */
	KEEPER_MSG_JAILER,    /* a pidfd attached; VALUE 1 the jailer, 0 the standby */
	KEEPER_MSG_NO_JAILER, /* the standby did not take the jail */
	KEEPER_MSG_END,	      /* the supervisor is done with the jail */
};

/* --- the datagrams ---------------------------------------------------------- */

static int
send_msg(int fd, int type, int value, int pass_fd)
{
	struct keeper_msg m = { .type = type, .value = value };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control = {};
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pass_fd >= 0) {
		struct cmsghdr *h;

		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &pass_fd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

/* One datagram, never waiting: 1 and *RET (and *RET_FD, the fd it carried,
 * or -1), 0 at EOF, -EAGAIN, -EBADMSG for one of another size (its fds
 * closed), -errno. */
static int
recv_msg(int fd, struct keeper_msg *ret, int *ret_fd)
{
	struct keeper_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} control;
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf) };
	int got = -1;
	ssize_t n;

	*ret_fd = -1;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h != NULL; h = CMSG_NXTHDR(&mh, h)) {
		size_t nfds;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int f;

			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (got < 0)
				got = f;
			else
				safe_close(f);
		}
	}
	if (n == 0 && got < 0)
		return 0;
	if ((size_t) n != sizeof(m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		safe_close(got);
		return -EBADMSG;
	}
	*ret = m;
	*ret_fd = got;
	return 1;
}

/* keeper.lock below DIR_FD, for flock(): a regular file of ours. With
 * CREATE it is made when missing, and whatever else sits under its name
 * (a symlink, a FIFO) is removed first: unlinkat() removes a link, never
 * its target; a lock file is never replaced, a keeper may hold it. */
static int
lock_open(int dir_fd, bool create, int *ret)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (create && fstatat(dir_fd, STATE_KEEPER_LOCK, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISREG(st.st_mode))
		(void) unlinkat(dir_fd, STATE_KEEPER_LOCK, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	fd = openat(dir_fd, STATE_KEEPER_LOCK,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_uid != getuid())
		return -EPERM;
	*ret = TAKE_FD(fd);
	return 0;
}

/* --- the keeper process ------------------------------------------------------- */

struct kept {
	const struct keeper_helper *h;
	void *data;
	int sig_fd;
	bool chan_open; /* no EOF from the supervisor yet */
	bool end_asked; /* KEEPER_MSG_END came */
	pid_t pid;	/* the helper, 0 until it runs */
	int pidfd;
	bool exited;
	int status;
	bool ready;
	int jailer; /* a pidfd, -1 while none is known */
	bool jailer_final, jailer_dead;
};

static void
say(int type, int value)
{
	/* A supervisor that is gone no longer listens: nothing to do. */
	(void) send_msg(KEEPER_CHAN_FD, type, value, -1);
}

/* Reaps the helper, which has exited or is dying. What it started goes
 * too: a FUSE daemon runs fusermount3 to mount, and a fusermount3 whose
 * daemon died still completes the mount, dead, unless it dies as well.
 * Signalled before the helper is reaped, while its process group's ID
 * cannot be another's; the group's orphans come to us (a subreaper) and
 * are reaped in finish(). */
static void
reap(struct kept *k)
{
	int status = 0;

	(void) kill(-k->pid, SIGKILL);
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	k->exited = true;
	k->status = status;
}

static void
read_chan(struct kept *k)
{
	while (k->chan_open) {
		struct keeper_msg m;
		int fd, r = recv_msg(KEEPER_CHAN_FD, &m, &fd);

		if (r == -EAGAIN || r == -EINTR)
			return;
		if (r == -EBADMSG)
			continue;
		if (r <= 0) {
			k->chan_open = false;
			return;
		}
		switch (m.type) {
		case KEEPER_MSG_JAILER:
			if (fd < 0)
				break;
			safe_close(k->jailer);
			k->jailer = TAKE_FD(fd);
			k->jailer_final = m.value != 0;
			k->jailer_dead = false;
			break;
		case KEEPER_MSG_NO_JAILER:
			if (!k->jailer_final)
				k->jailer = safe_close(k->jailer);
			break;
		case KEEPER_MSG_END:
			k->end_asked = true;
			break;
		default:
			break;
		}
		safe_close(fd);
	}
}

static void
log_signal(const struct kept *k)
{
	struct signalfd_siginfo si = {};

	if (read(k->sig_fd, &si, sizeof(si)) == (ssize_t) sizeof(si))
		log_info("%s: releasing what %s made", strsignal((int) si.ssi_signo), k->h->name);
}

/* 1 when the helper is ready; 0 when the end came first (the start was
 * abandoned, or a signal); -ECHILD when the helper exited. */
static int
wait_ready(struct kept *k, int ready_fd)
{
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = ready_fd, .events = POLLPRI },
			{ .fd = k->pidfd, .events = POLLIN },
			{ .fd = KEEPER_CHAN_FD, .events = POLLIN },
			{ .fd = k->sig_fd, .events = POLLIN },
		};
		int r = k->h->ready(k->data, KEEPER_DIR_FD);

		if (r > 0)
			return 1;
		if (r < 0)
			log_warn_errno(r, "unable to tell whether %s is ready, waiting on",
				       k->h->name);
		if (poll(p, ELEMENTSOF(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return log_error_errno(-errno, "unable to wait for %s", k->h->name), 0;
		}
		if (p[1].revents != 0) {
			reap(k);
			return -ECHILD;
		}
		if (p[3].revents != 0) {
			log_signal(k);
			return 0;
		}
		if (p[2].revents != 0) {
			read_chan(k);
			if (!k->chan_open || k->end_asked)
				return 0;
		}
	}
}

/* Whether the jail is over for us. A jailer that lives keeps the jail, and
 * us; a final jailer that died ends it; a standby that died ends it only
 * when the supervisor, which would hand the jail to another, is gone. */
static bool
end_due(const struct kept *k)
{
	bool let_go = !k->chan_open || k->end_asked;

	if (k->jailer >= 0 && !k->jailer_dead)
		return false;
	if (k->jailer >= 0)
		return k->jailer_final || let_go;
	return let_go;
}

static void
wait_end(struct kept *k)
{
	while (!end_due(k)) {
		bool jailer_alive = k->jailer >= 0 && !k->jailer_dead;
		struct pollfd p[4] = {
			{ .fd = k->pidfd, .events = POLLIN },
			{ .fd = jailer_alive ? k->jailer : -1, .events = POLLIN },
			{ .fd = k->chan_open ? KEEPER_CHAN_FD : -1, .events = POLLIN },
			{ .fd = k->sig_fd, .events = POLLIN },
		};

		if (poll(p, ELEMENTSOF(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error_errno(-errno, "unable to wait for the end of the jail");
			return;
		}
		if (p[0].revents != 0) {
			reap(k);
			say(KEEPER_MSG_EXIT, k->status);
			log_warn("%s exited (status %d) while the jail runs", k->h->name,
				 k->status);
			return;
		}
		if (p[1].revents != 0)
			k->jailer_dead = true;
		if (p[2].revents != 0) {
			read_chan(k);
			if (!k->chan_open && !k->end_asked && k->jailer >= 0 && !k->jailer_dead)
				log_info(
				    "the supervisor is gone: %s serves on until the jail's jailer "
				    "ends",
				    k->h->name);
		}
		if (p[3].revents != 0) {
			log_signal(k);
			return;
		}
	}
}

/* What the helper made goes, then the helper: by itself within the grace
 * period once released (a FUSE daemon leaves when its mount is gone), by
 * SIGKILL after it, or at once when it never became ready (nothing of it
 * to flush). Then whatever is still there (a mount made just as it died). */
static void
finish(struct kept *k)
{
	if (k->ready && !k->exited)
		k->h->release(k->data, KEEPER_DIR_FD);
	if (!k->exited) {
		struct pollfd p = { .fd = k->pidfd, .events = POLLIN };

		if (!k->ready || poll(&p, 1, KEEPER_STOP_GRACE_MS) <= 0) {
			if (k->ready)
				log_warn("%s did not leave within %d ms of its release, killing it",
					 k->h->name, KEEPER_STOP_GRACE_MS);
			/* Our unreaped child: the pidfd names it and no other. */
			(void) syscall(SYS_pidfd_send_signal, k->pidfd, SIGKILL, NULL, 0);
		}
		reap(k);
	}
	/* The helper's orphans (killed with its group): nothing they were
	 * doing can make a mount after the release below. */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	k->h->release(k->data, KEEPER_DIR_FD);
	/* Ours: we still hold the lock, no newer run wrote it. */
	(void) unlinkat(KEEPER_DIR_FD, k->h->pid_file, 0);
}

static int
keeper_main(const struct keeper_helper *h, void *data)
{
	struct kept k = {
		.h = h, .data = data, .sig_fd = -1, .chan_open = true, .pidfd = -1, .jailer = -1
	};
	_cleanup_close_ int lock = -1, ready_fd = -1;
	struct proc_id id;
	sigset_t mask;
	int r;

	/* SIGTERM (a logout, a person) releases now, in order: never a
	 * keeper gone with its helper's mount left behind. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (k.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		say(KEEPER_MSG_FAILED, -errno);
		return log_error_errno(-errno, "unable to watch signals"), EXIT_TEMPORARY;
	}
	/* A keeper of an earlier run may still release its own: wait. */
	r = lock_open(KEEPER_DIR_FD, true, &lock);
	while (r >= 0 && flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			r = -errno;
	if (r < 0) {
		say(KEEPER_MSG_FAILED, r);
		return log_error_errno(r, "unable to lock '%s' in the state directory",
				       STATE_KEEPER_LOCK),
		       EXIT_TEMPORARY;
	}
	read_chan(&k);
	if (!k.chan_open || k.end_asked) {
		log_info("the start was abandoned before %s ran", h->name);
		return 0;
	}
	h->clear(data, KEEPER_DIR_FD);
	r = h->spawn(data, KEEPER_DIR_FD, &k.pid);
	/* The helper has its secret, ours is wiped: like the supervisor
	 * outside a request, the user may inspect us again. */
	(void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (r < 0) {
		say(KEEPER_MSG_FAILED, r);
		return log_error_errno(r, "unable to start %s", h->name), EXIT_TEMPORARY;
	}
	/* Our unreaped child: its PID cannot be another's yet. */
	k.pidfd = (int) syscall(SYS_pidfd_open, k.pid, 0);
	if (k.pidfd < 0) {
		r = -errno;
		(void) kill(k.pid, SIGKILL);
		reap(&k);
		say(KEEPER_MSG_FAILED, r);
		h->release(data, KEEPER_DIR_FD);
		return log_error_errno(r, "unable to watch %s", h->name), EXIT_TEMPORARY;
	}
	r = proc_id_get(k.pid, &id);
	if (r >= 0)
		r = proc_id_write_at(KEEPER_DIR_FD, h->pid_file, &id);
	if (r < 0)
		log_warn_errno(r, "unable to write '%s', ignoring", h->pid_file);
	say(KEEPER_MSG_PID, k.pid);
	ready_fd = h->ready_fd(data);
	r = ready_fd < 0 ? ready_fd : wait_ready(&k, ready_fd);
	if (r > 0) {
		k.ready = true;
		say(KEEPER_MSG_READY, 0);
		wait_end(&k);
	} else if (r == -ECHILD)
		say(KEEPER_MSG_EXIT, k.status);
	else if (r < 0) {
		say(KEEPER_MSG_FAILED, r);
		log_error_errno(r, "unable to wait for %s", h->name);
	}
	finish(&k);
	safe_close(k.pidfd);
	safe_close(k.jailer);
	safe_close(k.sig_fd);
	return 0;
}

/* In the forked child: becomes the keeper and never returns. */
static _noreturn_ void
keeper_child(int chan, int dir_fd, const char *jail, const struct keeper_helper *h, void *data)
{
	int fds[2] = { chan, dir_fd };

	reset_signals_for_exec();
	/* Nothing of the supervisor's lives on here: not its daemon.lock (a
	 * new supervisor could never start), its control socket, or another
	 * jail's fds. */
	if (fds_move_to(fds, ELEMENTSOF(fds), KEEPER_CHAN_FD) < 0 ||
	    fcntl(KEEPER_CHAN_FD, F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(KEEPER_DIR_FD, F_SETFD, FD_CLOEXEC) < 0)
		_exit(EXIT_TEMPORARY);
	(void) syscall(SYS_close_range, KEEPER_DIR_FD + 1, ~0u, 0);
	/* Its own session: it outlives the supervisor, and no signal to the
	 * supervisor's process group (a terminal's Ctrl-C) reaches it. A
	 * subreaper: what the helper started and left behind is ours to
	 * wait for (reap()). */
	(void) setsid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		_exit(EXIT_TEMPORARY);
	(void) prctl(PR_SET_NAME, KEEPER_COMM, 0, 0, 0);
	(void) signal(SIGPIPE, SIG_IGN);
	log_setup(KEEPER_COMM);
	log_set_jail(jail);
	_exit(keeper_main(h, data));
}

/* --- the supervisor's side ---------------------------------------------------- */

struct keeper {
	char jail[JAIL_NAME_MAX + 1];
	pid_t pid;
	int chan;  /* -1 for an adopted keeper */
	int pidfd; /* an adopted keeper's, watched instead */
	bool gone;
	ev_io io_w;
	const struct keeper_events *events;
	void *userdata;
};

static void
went(struct ev_loop *loop, struct keeper *k)
{
	ev_io_stop(loop, &k->io_w);
	k->gone = true;
	k->events->gone(loop, k->userdata);
}

/* One datagram per call: each event may free K, so nothing touches it
 * after one (libev calls again while more is to read). */
static void
chan_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct keeper *k = container_of(w, struct keeper, io_w);
	struct keeper_msg m;
	int fd, r;

	(void) revents;
	r = recv_msg(k->chan, &m, &fd);
	safe_close(fd); /* a keeper sends none */
	if (r == -EAGAIN || r == -EINTR)
		return;
	if (r == -EBADMSG) {
		log_warn("the keeper of jail '%s' sent a malformed message, ignoring", k->jail);
		return;
	}
	if (r <= 0) {
		went(loop, k);
		return;
	}
	switch (m.type) {
	case KEEPER_MSG_PID:
		log_debug("jail '%s': its keeper %d started its helper, pid %d", k->jail,
			  (int) k->pid, (int) m.value);
		return;
	case KEEPER_MSG_READY:
		k->events->ready(loop, k->userdata);
		return;
	case KEEPER_MSG_EXIT:
		k->events->exited(loop, k->userdata, m.value);
		return;
	case KEEPER_MSG_FAILED:
		k->events->failed(loop, k->userdata, m.value < 0 ? m.value : -EIO);
		return;
	default:
		log_warn("the keeper of jail '%s' sent an unknown message %d, ignoring", k->jail,
			 (int) m.type);
		return;
	}
}

static void
adopted_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void) revents;
	went(loop, container_of(w, struct keeper, io_w));
}

int
keeper_start(struct ev_loop *loop, int dir_fd, const char *jail, const struct keeper_helper *helper,
	     void *data, const struct keeper_events *events, void *userdata, struct keeper **ret)
{
	_cleanup_free_ struct keeper *k = NULL;
	struct proc_id id;
	int pair[2], r;
	pid_t pid;

	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		safe_close(pair[0]);
		safe_close(pair[1]);
		return r;
	}
	if (pid == 0)
		keeper_child(pair[1], dir_fd, jail, helper, data);
	safe_close(pair[1]);
	/* Recorded at once: a supervisor that dies now leaves the next one,
	 * and `jailsup list`, a keeper they can find. */
	r = proc_id_get(pid, &id);
	if (r >= 0)
		r = proc_id_write_at(dir_fd, STATE_KEEPER_PID, &id);
	if (r < 0) {
		/* Our unreaped child: cannot be another. Its helper, if it had
		 * one already, dies with it (PDEATHSIG). */
		(void) kill(pid, SIGKILL);
		safe_close(pair[0]);
		return r;
	}
	snprintf(k->jail, sizeof(k->jail), "%s", jail);
	k->pid = pid;
	k->chan = pair[0];
	k->pidfd = -1;
	k->events = events;
	k->userdata = userdata;
	ev_io_init(&k->io_w, chan_cb, k->chan, EV_READ);
	ev_io_start(loop, &k->io_w);
	log_debug("jail '%s': its keeper is pid %d", jail, (int) pid);
	*ret = TAKE_PTR(k);
	return 0;
}

int
keeper_adopt(struct ev_loop *loop, int dir_fd, const struct keeper_events *events, void *userdata,
	     struct keeper **ret)
{
	struct keeper *k;
	struct proc_id id;
	int r, pidfd;

	r = proc_id_read_at(dir_fd, STATE_KEEPER_PID, &id);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	r = proc_id_is(&id, KEEPER_COMM);
	if (r <= 0)
		return r < 0 ? r : -ESRCH;
	r = proc_id_open_pidfd(&id, &pidfd);
	if (r < 0)
		return r;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		safe_close(pidfd);
		return -ENOMEM;
	}
	k->pid = id.pid;
	k->chan = -1;
	k->pidfd = pidfd;
	k->events = events;
	k->userdata = userdata;
	ev_io_init(&k->io_w, adopted_cb, pidfd, EV_READ);
	ev_io_start(loop, &k->io_w);
	*ret = k;
	return 0;
}

void
keeper_set_jailer(struct keeper *k, int pidfd, bool final)
{
	int r;

	if (k->gone || k->chan < 0 || (pidfd < 0 && final)) {
		safe_close(pidfd);
		return;
	}
	r = send_msg(k->chan, pidfd >= 0 ? KEEPER_MSG_JAILER : KEEPER_MSG_NO_JAILER, final, pidfd);
	if (r < 0)
		log_warn_errno(
		    r,
		    "unable to tell the keeper of jail '%s' its jailer: it ends the home "
		    "with the supervisor, ignoring",
		    k->jail);
	safe_close(pidfd);
}

bool
keeper_end(struct keeper *k)
{
	if (k->gone)
		return false;
	if (k->chan >= 0) {
		(void) send_msg(k->chan, KEEPER_MSG_END, 0, -1);
		(void) shutdown(k->chan, SHUT_WR);
	}
	return true;
}

struct keeper *
keeper_free(struct ev_loop *loop, struct keeper *k)
{
	if (k == NULL)
		return NULL;
	ev_io_stop(loop, &k->io_w);
	safe_close(k->chan);
	safe_close(k->pidfd);
	free(k);
	return NULL;
}

int
keeper_lock_try(int dir_fd, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = lock_open(dir_fd, false, &fd);
	if (r == -ENOENT) {
		*ret_fd = -1;
		return 1;
	}
	if (r < 0)
		return r;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 0 : -errno;
	*ret_fd = TAKE_FD(fd);
	return 1;
}
