/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * encrypt.h, the supervisor's side: the backend as a keeper's helper
 * (keeper.h: what the keeper does in its own process, the mount, the
 * unmount), the supervisor's handle on that keeper, and the release of a
 * home no keeper holds any more. crypt_spawn() and crypt_fusermount_u(),
 * which the CLI uses too, are in crypt-spawn.c, away from the event loop.
 */
#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/encrypt.h"
#include "supervisor/helper.h"
#include "supervisor/keeper.h"

/* How long a leftover backend has after SIGKILL before we go on. */
#define CRYPT_KILL_WAIT_MS 5000

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
	struct keeper *keeper;
	bool gone; /* the keeper is: all it kept is released */
	crypt_done_fn done;
	void *userdata;
	crypt_ended_fn ended;
	void *ended_userdata;
};

/* --- in the keeper ------------------------------------------------------------- */

/* What the keeper needs; the copy the fork gives it is the keeper's. */
struct crypt_keep {
	enum crypt_backend backend;
	char *cipher, *mnt;
	char *password;	   /* wiped once the backend has it */
	bool seen;	   /* the keeper saw its mount appear, */
	uint64_t mount_id; /* with this id */
};

/* Unmounts home (lazily when busy: a process of the jail still dying holds
 * a file; the host loses the mount at once, the backend serves the last
 * references until they are gone). Once the keeper saw its own mount
 * appear, only that mount: the mount id must still be the one it saw. */
static void
unmount_home(const struct crypt_keep *c, int dir_fd)
{
	uint64_t id;
	int r;

	r = crypt_is_mount_point(dir_fd, STATE_HOME_MOUNT);
	if (r == 0)
		return;
	if (r < 0) {
		log_warn_errno(r, "unable to check the encrypted home, ignoring");
		return;
	}
	if (c->seen && crypt_mount_id(dir_fd, STATE_HOME_MOUNT, &id) >= 0 && id != c->mount_id) {
		log_warn("the mount on the home is not the one %s made, leaving it",
			 crypt_backend_to_string(c->backend));
		return;
	}
	r = crypt_fusermount_u(c->mnt, false);
	if (r < 0) {
		log_info("the home is busy, unmounting it lazily");
		r = crypt_fusermount_u(c->mnt, true);
	}
	if (r < 0)
		log_error_errno(r, "unable to unmount the encrypted home");
	else
		log_info("unmounted the encrypted home");
}

/* A backend an earlier run left (its keeper was killed: then it got
 * SIGKILL too, and may still be dying), by its pid file, verified by start
 * time and command name: SIGKILL, and a wait until it is gone. */
static void
kill_leftover(int dir_fd, enum crypt_backend b)
{
	const char *file = crypt_backend_pid_file(b), *comm = crypt_backend_to_string(b);
	_cleanup_close_ int pidfd = -1;
	struct proc_id id;
	int r;

	r = proc_id_read_at(dir_fd, file, &id);
	if (r == -ENOENT)
		return;
	if (r >= 0 && proc_id_is(&id, comm) > 0 && proc_id_open_pidfd(&id, &pidfd) >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		log_info("ending %s (pid %d), which an earlier run left", comm, (int) id.pid);
		if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) >= 0)
			(void) poll(&p, 1, CRYPT_KILL_WAIT_MS);
	}
	(void) unlinkat(dir_fd, file, 0);
}

static void
keep_clear(void *data, int dir_fd)
{
	unmount_home(data, dir_fd);
	for (int b = CRYPT_NONE + 1; b < _CRYPT_BACKEND_MAX; b++)
		kill_leftover(dir_fd, (enum crypt_backend) b);
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

/* The backend, in the foreground (-f, -fg): the keeper's child, so the
 * keeper holds its exit status and it needs no daemonizing; it dies with
 * the keeper (crypt_spawn()). */
static int
keep_spawn(void *data, int dir_fd, pid_t *ret_pid)
{
	struct crypt_keep *c = data;
	char *gocryptfs_argv[] = { "gocryptfs", "-fg",	   "-q",   "-passfile", "/dev/stdin",
				   "--",	c->cipher, c->mnt, NULL };
	char *encfs_argv[] = { "encfs", "-f", "--stdinpass", "--", c->cipher, c->mnt, NULL };
	_cleanup_close_ int log_fd = -1;
	int r;

	r = prepare_mount_point(dir_fd);
	/* keep_clear() could not release an earlier mount: never take it
	 * for ours. */
	if (r >= 0 && crypt_is_mount_point(dir_fd, STATE_HOME_MOUNT) != 0)
		r = -EBUSY;
	if (r >= 0) {
		log_fd = helper_open_log(dir_fd);
		r = crypt_spawn(c->backend == CRYPT_GOCRYPTFS ? gocryptfs_argv : encfs_argv,
				c->password, log_fd, ret_pid);
	}
	explicit_bzero(c->password, strlen(c->password));
	return r;
}

static int
keep_ready_fd(void *data)
{
	(void) data;
	return NEG_ERRNO(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
}

static int
keep_ready(void *data, int dir_fd)
{
	struct crypt_keep *c = data;
	int r = crypt_is_mount_point(dir_fd, STATE_HOME_MOUNT);

	if (r > 0 && crypt_mount_id(dir_fd, STATE_HOME_MOUNT, &c->mount_id) >= 0)
		c->seen = true;
	return r;
}

static void
keep_release(void *data, int dir_fd)
{
	unmount_home(data, dir_fd);
}

/* The backend as a keeper's helper; its name and pid file are the
 * backend's (crypt_mount_start()). */
static const struct keeper_helper crypt_helper = {
	.clear = keep_clear,
	.spawn = keep_spawn,
	.ready_fd = keep_ready_fd,
	.ready = keep_ready,
	.release = keep_release,
};

/* --- in the supervisor, when no keeper lives ---------------------------------- */

/* A backend that was told to leave, watched until it has. */
struct crypt_ender {
	int pidfd;
	ev_io exit_w; /* the pidfd is readable: it is gone */
};

static void
ender_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct crypt_ender *e = container_of(w, struct crypt_ender, exit_w);

	(void) revents;
	ev_io_stop(loop, &e->exit_w);
	safe_close(e->pidfd);
	free(e);
}

/* SIGKILL to the backend of pid file FILE, verified by start time and
 * command name; then watched until it is gone. Not SIGTERM: on SIGTERM
 * gocryptfs and encfs unmount by path. Their mount is gone already and
 * each write they served is on disk. */
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
	ev_io_init(&e->exit_w, ender_exit_cb, pidfd, EV_READ);
	ev_io_start(loop, &e->exit_w);
}

void
crypt_home_release(struct ev_loop *loop, int dir_fd, const char *state_path, const char *name)
{
	_cleanup_close_ int lock = -1;
	int r;

	/* A keeper at work (the jail's, or one releasing an earlier run) does
	 * this itself: never both, and never while it may mount. */
	r = keeper_lock_try(dir_fd, &lock);
	if (r == 0) {
		log_debug("jail '%s': a keeper holds its home, leaving it to it", name);
		return;
	}
	if (r < 0)
		log_warn_errno(r, "unable to lock the home of jail '%s', releasing it anyway",
			       name);
	r = crypt_is_mount_point(dir_fd, STATE_HOME_MOUNT);
	if (r > 0) {
		_cleanup_free_ char *mnt = path_join(state_path, STATE_HOME_MOUNT);

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
	/* No keeper lives (we hold its lock): its pid file names nobody. */
	if (lock >= 0)
		(void) unlinkat(dir_fd, STATE_KEEPER_PID, 0);
}

/* --- in the supervisor, with a keeper ------------------------------------------- */

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
keeper_ready_cb(struct ev_loop *loop, void *userdata)
{
	mount_done(loop, userdata, 0, NULL);
}

static void
keeper_exited_cb(struct ev_loop *loop, void *userdata, int status)
{
	struct crypt_mount *m = userdata;

	if (m->state == CRYPT_MOUNT_PENDING)
		backend_failed(loop, m, status);
	else
		log_warn("%s of jail '%s' exited (status %d): the jail has lost its home",
			 crypt_backend_to_string(m->backend), m->name, status);
}

static void
keeper_failed_cb(struct ev_loop *loop, void *userdata, int r)
{
	struct crypt_mount *m = userdata;
	char msg[256];

	snprintf(msg, sizeof(msg), "unable to mount the encrypted home of jail '%s' (%s): %s",
		 m->name, crypt_backend_to_string(m->backend), strerror(-r));
	mount_done(loop, m, r, msg);
}

static void
keeper_gone_cb(struct ev_loop *loop, void *userdata)
{
	struct crypt_mount *m = userdata;

	m->gone = true;
	if (m->state == CRYPT_MOUNT_PENDING) {
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "the keeper of the encrypted home of jail '%s' ended before the home was "
			 "mounted (see the supervisor's log)",
			 m->name);
		mount_done(loop, m, -ECHILD, msg);
	} else if (m->ended != NULL)
		m->ended(loop, m->ended_userdata);
	else
		log_warn("the keeper of jail '%s' is gone: its home is no longer kept", m->name);
}

static const struct keeper_events crypt_keeper_events = {
	.ready = keeper_ready_cb,
	.exited = keeper_exited_cb,
	.failed = keeper_failed_cb,
	.gone = keeper_gone_cb,
};

int
crypt_mount_start(struct ev_loop *loop, int dir_fd, const char *state_path,
		  const char *data_home, const char *name, enum crypt_backend backend,
		  char *password, crypt_done_fn done, void *userdata,
		  struct crypt_mount **ret)
{
	_cleanup_free_ char *cipher = NULL, *mnt = NULL;
	_cleanup_free_ struct crypt_mount *m = NULL;
	struct crypt_keep keep = { .backend = backend, .password = password };
	struct keeper_helper helper = crypt_helper;
	int r;

	assert(backend > CRYPT_NONE && backend < _CRYPT_BACKEND_MAX);
	if (asprintf(&cipher, "%s/jailsup/jails/%s/%s", data_home, name,
		     crypt_backend_dir(backend)) < 0 ||
	    (mnt = path_join(state_path, STATE_HOME_MOUNT)) == NULL ||
	    (m = calloc(1, sizeof(*m))) == NULL) {
		explicit_bzero(password, strlen(password));
		return -ENOMEM;
	}
	m->state = CRYPT_MOUNT_PENDING;
	m->backend = backend;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->dir_fd = dir_fd;
	m->done = done;
	m->userdata = userdata;
	keep.cipher = cipher;
	keep.mnt = mnt;
	helper.name = crypt_backend_to_string(backend);
	helper.pid_file = crypt_backend_pid_file(backend);
	r = keeper_start(loop, dir_fd, name, &helper, &keep, &crypt_keeper_events, m, &m->keeper);
	/* The keeper has its copy (the fork's): ours goes at once. */
	explicit_bzero(password, strlen(password));
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

int
crypt_mount_adopt(struct ev_loop *loop, int dir_fd, const char *name, struct crypt_mount **ret)
{
	_cleanup_free_ struct crypt_mount *m = calloc(1, sizeof(*m));
	int r;

	if (m == NULL)
		return -ENOMEM;
	m->state = CRYPT_MOUNT_DONE;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->dir_fd = dir_fd;
	r = keeper_adopt(loop, dir_fd, &crypt_keeper_events, m, &m->keeper);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

bool
crypt_mount_pending(const struct crypt_mount *m)
{
	return m != NULL && m->state == CRYPT_MOUNT_PENDING;
}

void
crypt_mount_jailer(struct crypt_mount *m, int pidfd, bool final)
{
	if (m == NULL || m->keeper == NULL || m->gone) {
		safe_close(pidfd);
		return;
	}
	keeper_set_jailer(m->keeper, pidfd, final);
}

bool
crypt_mount_end(struct crypt_mount *m, crypt_ended_fn ended, void *userdata)
{
	m->state = CRYPT_MOUNT_DONE; /* no DONE after this */
	if (m->gone || m->keeper == NULL)
		return false;
	m->ended = ended;
	m->ended_userdata = userdata;
	return keeper_end(m->keeper);
}

struct crypt_mount *
crypt_mount_free(struct ev_loop *loop, struct crypt_mount *m)
{
	if (m == NULL)
		return NULL;
	keeper_free(loop, m->keeper);
	free(m);
	return NULL;
}
