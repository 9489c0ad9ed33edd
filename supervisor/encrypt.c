/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * encrypt.h, the supervisor's side: the backend's start, the waiter that
 * says when its mount is there, and the release of both when the jail is
 * gone. crypt_spawn() and crypt_fusermount_u(), which the CLI uses too,
 * are in crypt-spawn.c, away from the event loop.
 */
#include <assert.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "state/log.h"
#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/encrypt.h"
#include "supervisor/jail-state.h"

/* How long a backend has to leave after SIGTERM before it gets SIGKILL. */
#define CRYPT_STOP_GRACE 5.0

/* gocryptfs's exit code for a wrong password (its exitcodes package). */
#define GOCRYPTFS_EXIT_PASSWORD 12

enum crypt_mount_state {
	CRYPT_MOUNT_PENDING,
	CRYPT_MOUNT_DONE,
};

struct crypt_mount {
	enum crypt_mount_state state;
	enum crypt_backend backend;
	char name[JAIL_NAME_MAX + 1];
	int dir_fd; /* borrowed */
	pid_t backend_pid;
	ev_child backend_w; /* the backend's exit: before the mount, the start failed */
	pid_t waiter_pid;
	ev_child waiter_w; /* exit 0: the mount is there */
	crypt_done_fn done;
	void *userdata;
};

/* A backend that was told to leave, watched until it has. */
struct crypt_ender {
	int pidfd;
	char comm[16];
	ev_io exit_w;	/* the pidfd is readable: it is gone */
	ev_timer kill_w; /* the grace period is over: SIGKILL */
};

static void
ender_free(struct ev_loop *loop, struct crypt_ender *e)
{
	ev_io_stop(loop, &e->exit_w);
	ev_timer_stop(loop, &e->kill_w);
	safe_close(e->pidfd);
	free(e);
}

static void
ender_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void) revents;
	ender_free(loop, container_of(w, struct crypt_ender, exit_w));
}

static void
ender_kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct crypt_ender *e = container_of(w, struct crypt_ender, kill_w);

	(void) loop;
	(void) revents;
	log_warn("%s did not leave within %.0f s of SIGTERM, killing it", e->comm,
		 CRYPT_STOP_GRACE);
	/* The pidfd still names the process we verified: no reuse possible. */
	if (syscall(SYS_pidfd_send_signal, e->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		log_warn_errno(-errno, "unable to kill %s, ignoring", e->comm);
}

/* SIGKILL to the backend of pid file FILE, verified by start time and
 * command name; then watched until it is gone. Not SIGTERM: on SIGTERM
 * gocryptfs and encfs unmount by path, and by then that path may hold the
 * mount of the jail's next start. Their mount is gone already
 * (crypt_home_release()) and each write they served is on disk. */
static void
end_backend(struct ev_loop *loop, int dir_fd, enum crypt_backend b, const char *name)
{
	const char *file = crypt_backend_pid_file(b), *comm = crypt_backend_to_string(b);
	struct crypt_ender *e;
	struct proc_id id;
	int r, pidfd = -1;

	r = proc_id_read_at(dir_fd, file, &id);
	if (r == -ENOENT)
		return;
	if (r >= 0 && proc_id_is(&id, comm) > 0)
		r = proc_id_open_pidfd(&id, &pidfd);
	else if (r >= 0)
		r = -ESRCH; /* gone, or its PID now names another process */
	(void) unlinkat(dir_fd, file, 0);
	if (r < 0) {
		if (r != -ESRCH)
			log_warn_errno(r, "ignoring the bad pid file '%s' of jail '%s'", file, name);
		return;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		log_warn_errno(-errno, "unable to stop %s of jail '%s', ignoring", comm, name);
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		safe_close(pidfd);
		return;
	}
	e->pidfd = pidfd;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	ev_io_init(&e->exit_w, ender_exit_cb, pidfd, EV_READ);
	ev_io_start(loop, &e->exit_w);
	ev_timer_init(&e->kill_w, ender_kill_cb, CRYPT_STOP_GRACE, 0.);
	ev_timer_start(loop, &e->kill_w);
}

void
crypt_home_release(struct ev_loop *loop, int dir_fd, const char *state_path, const char *name)
{
	int r;

	r = crypt_is_mount_point(dir_fd, STATE_HOME_MOUNT);
	if (r > 0) {
		_cleanup_free_ char *mnt = path_join(state_path, STATE_HOME_MOUNT);

		/* Busy: a process of the jail still dying holds a file. Lazily,
		 * then: the host loses the mount now, the backend serves the
		 * last references until they are gone (or it is ended below). */
		if (mnt == NULL)
			r = -ENOMEM;
		else if ((r = crypt_fusermount_u(mnt, false)) < 0) {
			log_info("the home of jail '%s' is busy, unmounting it lazily", name);
			r = crypt_fusermount_u(mnt, true);
		}
		if (r < 0)
			log_error_errno(r, "unable to unmount the encrypted home of jail '%s'", name);
		else
			log_info("unmounted the encrypted home of jail '%s'", name);
	} else if (r < 0)
		log_warn_errno(r, "unable to check the encrypted home of jail '%s', ignoring", name);
	for (int b = CRYPT_NONE + 1; b < _CRYPT_BACKEND_MAX; b++)
		end_backend(loop, dir_fd, (enum crypt_backend) b, name);
}

/* The end of a start: DONE runs once, last (it may free M). */
static void
mount_done(struct ev_loop *loop, struct crypt_mount *m, int r, const char *msg)
{
	if (m->state != CRYPT_MOUNT_PENDING)
		return;
	m->state = CRYPT_MOUNT_DONE;
	m->done(loop, m->userdata, r, msg);
}

/* Why the backend left before its mount was there, in words. encfs exits 1
 * for everything, so its own line in the log says which it was. */
static void
backend_failed(struct ev_loop *loop, struct crypt_mount *m, int status)
{
	const char *backend = crypt_backend_to_string(m->backend);
	_cleanup_free_ char *log_text = NULL;
	char msg[256];
	bool wrong = false;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	if (m->backend == CRYPT_GOCRYPTFS)
		wrong = code == GOCRYPTFS_EXIT_PASSWORD;
	else if (state_read_file(m->dir_fd, STATE_LOG, 1024 * 1024, &log_text, NULL) >= 0)
		wrong = strstr(log_text, "password incorrect") != NULL;
	if (wrong)
		snprintf(msg, sizeof(msg),
			 "wrong password for the encrypted home of jail '%s' (%s): nothing was "
			 "mounted, try again",
			 m->name, backend);
	else if (code == 127)
		snprintf(msg, sizeof(msg),
			 "%s is not installed: the encrypted home of jail '%s' cannot be mounted",
			 backend, m->name);
	else
		snprintf(msg, sizeof(msg),
			 "%s exited with status %d before it mounted the home of jail '%s'", backend,
			 code, m->name);
	mount_done(loop, m, wrong ? -EKEYREJECTED : -ECHILD, msg);
}

static void
backend_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct crypt_mount *m = container_of(w, struct crypt_mount, backend_w);

	(void) revents;
	ev_child_stop(loop, w);
	m->backend_pid = 0;
	if (m->state == CRYPT_MOUNT_PENDING)
		backend_failed(loop, m, w->rstatus);
	else
		log_warn("%s of jail '%s' exited (status %d): the jail has lost its home",
			 crypt_backend_to_string(m->backend), m->name, w->rstatus);
}

static void
waiter_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct crypt_mount *m = container_of(w, struct crypt_mount, waiter_w);

	(void) revents;
	ev_child_stop(loop, w);
	m->waiter_pid = 0;
	if (WIFEXITED(w->rstatus) && WEXITSTATUS(w->rstatus) == 0) {
		mount_done(loop, m, 0, NULL);
		return;
	}
	/* The backend died first: backend_cb says why. Anything else is
	 * ours: end the backend, whose exit then fails the start. */
	if (m->backend_pid > 0)
		(void) kill(m->backend_pid, SIGKILL); /* our unreaped child */
}

/* A forked child that blocks until the mount is there (exit 0) or the
 * backend of PIDFD is gone (exit 1): the loop never waits for it. */
static int
spawn_waiter(int dir_fd, int pidfd, pid_t *ret)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int d = fcntl(dir_fd, F_DUPFD, 10), p = fcntl(pidfd, F_DUPFD, 10);

		reset_signals_for_exec();
		/* Nothing of the supervisor's (the control socket, other jails'
		 * pipes) lives on in it. */
		if (d < 0 || p < 0 || dup2(d, 3) < 0 || dup2(p, 4) < 0)
			_exit(2);
		(void) syscall(SYS_close_range, 5, ~0u, 0);
		_exit(crypt_wait_mounted(3, STATE_HOME_MOUNT, 4) == 0 ? 0 : 1);
	}
	*ret = pid;
	return 0;
}

/* An empty directory to mount on: FUSE refuses a non-empty one, and a
 * symlink or file planted under the name is replaced, never followed. */
static int
prepare_mount_point(int dir_fd)
{
	struct stat st;

	if (fstatat(dir_fd, STATE_HOME_MOUNT, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISDIR(st.st_mode) && unlinkat(dir_fd, STATE_HOME_MOUNT, 0) < 0)
		return -errno;
	if (mkdirat(dir_fd, STATE_HOME_MOUNT, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (fstatat(dir_fd, STATE_HOME_MOUNT, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return -ENOTDIR;
	return 0;
}

static int
open_log(int dir_fd)
{
	return openat(dir_fd, STATE_LOG,
		      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
}

int
crypt_mount_start(struct ev_loop *loop, int dir_fd, const char *state_path,
		  const char *data_home, const char *name, enum crypt_backend backend,
		  char *password, crypt_done_fn done, void *userdata,
		  struct crypt_mount **ret)
{
	_cleanup_free_ char *cipher = NULL, *mnt = NULL;
	_cleanup_free_ struct crypt_mount *m = NULL;
	_cleanup_close_ int log_fd = -1, pidfd = -1;
	struct proc_id id;
	pid_t pid;
	int r;

	assert(backend > CRYPT_NONE && backend < _CRYPT_BACKEND_MAX);
	if (asprintf(&cipher, "%s/jailsup/jails/%s/%s", data_home, name,
		     crypt_backend_dir(backend)) < 0 ||
	    (mnt = path_join(state_path, STATE_HOME_MOUNT)) == NULL)
		return -ENOMEM;
	/* A mount or backend an earlier run left (a supervisor that died
	 * before it saw the end) goes first. */
	crypt_home_release(loop, dir_fd, state_path, name);
	r = prepare_mount_point(dir_fd);
	if (r < 0)
		return r;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	{
		/* Foreground (-f, -fg): the backend stays our child, so we
		 * hold its exit status and it needs no daemonizing. */
		char *gocryptfs_argv[] = { "gocryptfs", "-fg", "-q", "-passfile", "/dev/stdin",
					   "--", cipher, mnt, NULL };
		char *encfs_argv[] = { "encfs", "-f", "--stdinpass", "--", cipher, mnt, NULL };

		log_fd = open_log(dir_fd);
		r = crypt_spawn(backend == CRYPT_GOCRYPTFS ? gocryptfs_argv : encfs_argv, password,
				log_fd, &pid);
		/* Wiped before the waiter forks: its copy of our memory must not
		 * hold the password for as long as the key derivation takes. */
		explicit_bzero(password, strlen(password));
		if (r < 0)
			return r;
	}
	/* Recorded at once: a supervisor that dies now leaves a pid file the
	 * next one ends the backend by. */
	r = proc_id_get(pid, &id);
	if (r >= 0)
		r = proc_id_write_at(dir_fd, crypt_backend_pid_file(backend), &id);
	if (r >= 0)
		pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (r >= 0 && pidfd < 0)
		r = -errno;
	if (r >= 0)
		r = spawn_waiter(dir_fd, pidfd, &m->waiter_pid);
	if (r < 0) {
		(void) kill(pid, SIGKILL); /* our unreaped child: cannot be another */
		(void) unlinkat(dir_fd, crypt_backend_pid_file(backend), 0);
		return r;
	}
	m->state = CRYPT_MOUNT_PENDING;
	m->backend = backend;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->dir_fd = dir_fd;
	m->backend_pid = pid;
	m->done = done;
	m->userdata = userdata;
	/* Started in the callback that forked, before the loop runs again,
	 * so no exit can be reaped unseen (STYLE.md §6). */
	ev_child_init(&m->backend_w, backend_cb, pid, 0);
	ev_child_start(loop, &m->backend_w);
	ev_child_init(&m->waiter_w, waiter_cb, m->waiter_pid, 0);
	ev_child_start(loop, &m->waiter_w);
	log_debug("jail '%s': %s is pid %d", name, crypt_backend_to_string(backend), (int) pid);
	*ret = TAKE_PTR(m);
	return 0;
}

bool
crypt_mount_pending(const struct crypt_mount *m)
{
	return m != NULL && m->state == CRYPT_MOUNT_PENDING;
}

struct crypt_mount *
crypt_mount_free(struct ev_loop *loop, struct crypt_mount *m)
{
	if (m == NULL)
		return NULL;
	ev_child_stop(loop, &m->backend_w);
	ev_child_stop(loop, &m->waiter_w);
	if (m->waiter_pid > 0)
		(void) kill(m->waiter_pid, SIGKILL); /* our unreaped child */
	free(m);
	return NULL;
}
