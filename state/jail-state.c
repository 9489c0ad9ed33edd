/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jail-state.h: reading a jail's state file and checking the processes it
 * names. The kernel's /proc is the second source of truth: a PID is taken
 * for the jailer only when start time and command name both match.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "state/crypt-home.h"
#include "state/jail-state.h"
#include "state/state.h"

static const char *const status_names[_JAIL_STATUS_MAX] = {
	[JAIL_STARTING] = "starting", [JAIL_RUNNING] = "running", [JAIL_DEGRADED] = "degraded",
	[JAIL_STOPPING] = "stopping", [JAIL_STOPPED] = "stopped", [JAIL_FAILED] = "failed",
};

const char *
jail_status_to_string(enum jail_status s)
{
	if (s < 0 || s >= _JAIL_STATUS_MAX)
		return NULL;
	return status_names[s];
}

enum jail_status
jail_status_from_string(const char *s)
{
	for (int i = 0; i < _JAIL_STATUS_MAX; i++)
		if (s != NULL && streq(s, status_names[i]))
			return (enum jail_status) i;
	return _JAIL_STATUS_INVALID;
}

int
jail_state_jailer(const struct kv_list *state, struct proc_id *ret)
{
	const char *pid = kv_get(state, STATE_KEY_JAILER_PID);
	const char *start = kv_get(state, STATE_KEY_JAILER_START);
	struct proc_id id;

	if (pid == NULL || start == NULL)
		return -ENOENT;
	if (parse_pid(pid, &id.pid) < 0 || parse_u64(start, &id.start) < 0)
		return -EINVAL;
	*ret = id;
	return 0;
}

static int
read_proc_file(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int) n;
}

int
proc_id_is(const struct proc_id *id, const char *comm)
{
	char buf[64];
	int r;

	r = proc_id_alive(id);
	if (r <= 0)
		return r;
	r = read_proc_file(id->pid, "comm", buf, sizeof(buf));
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	for (const char *c = comm; *c != '\0';) {
		size_t len = strcspn(c, "|");

		if (strlen(buf) == len && strncmp(buf, c, len) == 0)
			return 1;
		c += len + (c[len] == '|');
	}
	return 0;
}

/* 1 when the pid file FILE of jail NAME names a live process called COMM. */
static int
pid_file_alive(int jails_fd, const char *name, const char *file, const char *comm)
{
	_cleanup_free_ char *text = NULL;
	struct proc_id id;
	size_t len;
	int r;

	r = state_jail_read_file(jails_fd, name, file, PROC_ID_STRLEN, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0 || strlen(text) != len || proc_id_parse(text, &id) < 0)
		return 0; /* not a pid file we wrote: it names nobody */
	return proc_id_is(&id, comm);
}

const struct jail_helper jail_helpers[JAIL_HELPERS_N] = {
	/* PID 1 of its own PID namespace: deaf to SIGTERM, which it has no
	 * handler for. It keeps no state worth a clean exit. */
	{ STATE_DBUS_PROXY_PID, "xdg-dbus-proxy", SIGKILL },
	{ STATE_OPENVPN_PID, "openvpn", SIGTERM },
	{ STATE_WIREGUARD_PID, "wireguard-go", SIGTERM },
	/* pasta re-executes itself as its CPU-specific build. */
	{ STATE_PASTA_PID, "pasta|passt|pasta.avx2|passt.avx2", SIGTERM },
};

/* 1 when the process PID has an fd on the inode of ST (stat() through
 * /proc/PID/fd, which opens nothing: a FIFO is never opened), 0 when not,
 * -errno. */
static int
proc_holds(pid_t pid, const struct stat *st)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		struct stat fst;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &fst, 0) == 0 && fst.st_dev == st->st_dev &&
		    fst.st_ino == st->st_ino)
			return 1;
	}
	return 0;
}

/* 1 when PID is in the user namespace whose /proc/PID/ns/user is NS. */
static bool
proc_in_userns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
	return stat(path, &st) == 0 && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

void
jailer_scan_done(struct jailer_scan *scan)
{
	free(scan->pids);
	*scan = (struct jailer_scan){};
}

/* Fills SCAN once: the processes called "jailer" in our user namespace. A
 * process of a jail can name itself "jailer", but it lives in the jail's
 * user namespace, never in ours. */
static int
jailer_scan_fill(struct jailer_scan *scan)
{
	_cleanup_(closedirp) DIR *proc = NULL;
	struct stat ns_st;
	struct dirent *de;

	if (scan->done)
		return 0;
	if (stat("/proc/self/ns/user", &ns_st) < 0)
		return -errno;
	proc = opendir("/proc");
	if (proc == NULL)
		return -errno;
	while ((de = readdir(proc)) != NULL) {
		char comm[64];
		pid_t pid, *more;

		if (parse_pid(de->d_name, &pid) < 0 || pid == getpid())
			continue;
		if (read_proc_file(pid, "comm", comm, sizeof(comm)) < 0)
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		if (!streq(comm, "jailer") || !proc_in_userns(pid, &ns_st))
			continue;
		more = reallocarray(scan->pids, scan->n + 1, sizeof(pid_t));
		if (more == NULL)
			return -ENOMEM;
		scan->pids = more;
		scan->pids[scan->n++] = pid;
	}
	scan->done = true;
	return 0;
}

int
jail_find_jailer(int jails_fd, const char *name, struct jailer_scan *scan, struct proc_id *ret)
{
	_cleanup_close_ int dir = -1;
	struct stat pipe_st;
	int r;

	r = state_dir_open(jails_fd, name, &dir);
	if (r < 0)
		return r;
	/* Only the FIFO of ours the supervisor or `run --no-daemon` made;
	 * stat()ed, never opened. */
	if (fstatat(dir, STATE_ISO_PIPE, &pipe_st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (!S_ISFIFO(pipe_st.st_mode) || pipe_st.st_uid != getuid())
		return -ESRCH;
	r = jailer_scan_fill(scan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < scan->n; i++) {
		struct proc_id id;

		/* The identity first, then what it holds, then that it is still
		 * that process: a PID reused on the way is not taken. */
		if (proc_id_get(scan->pids[i], &id) < 0 || proc_holds(id.pid, &pipe_st) <= 0 ||
		    proc_id_is(&id, "jailer") <= 0)
			continue;
		*ret = id;
		return 0;
	}
	return -ESRCH;
}

int
jail_jailer(int jails_fd, const char *name, const struct kv_list *state, struct jailer_scan *scan,
	    struct proc_id *ret)
{
	struct proc_id id;

	if (state != NULL && jail_state_jailer(state, &id) == 0 && proc_id_is(&id, "jailer") > 0) {
		*ret = id;
		return 0;
	}
	return jail_find_jailer(jails_fd, name, scan, ret);
}

/* 1 when the state directory's lock is held: every jailer holds it for its
 * whole life (jailer/main.c), and so may what it forked. */
static int
state_dir_locked(int jails_fd, const char *name)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = openat(jails_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != getuid() || (st.st_mode & 07777) != 0700)
		return -EPERM;
	/* Shared and never waited for: a jailer taking it waits only for
	 * the moment we hold it. */
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 1 : -errno;
	(void) flock(fd, LOCK_UN);
	return 0;
}

int
jail_lingers(int jails_fd, const char *name, const struct kv_list *state, const char **ret_what)
{
	const char *what = NULL;
	int r;

	for (size_t i = 0; what == NULL && i < JAIL_HELPERS_N; i++)
		if (pid_file_alive(jails_fd, name, jail_helpers[i].pid_file,
				   jail_helpers[i].comm) != 0)
			what = jail_helpers[i].comm;
	if (what == NULL && state != NULL && jail_home_lingers(jails_fd, name, state) != 0)
		what = "its encrypted home (mounted, or its keeper or backend)";
	if (what == NULL && state == NULL) {
		/* No state to say whether the home is encrypted: ask all. */
		if (crypt_home_mounted_below(jails_fd, name) != 0 ||
		    pid_file_alive(jails_fd, name, STATE_KEEPER_PID, KEEPER_COMM) != 0)
			what = "its encrypted home (mounted, or its keeper)";
		for (int b = CRYPT_NONE + 1; what == NULL && b < _CRYPT_BACKEND_MAX; b++)
			if (pid_file_alive(jails_fd, name, crypt_backend_pid_file(b),
					   crypt_backend_to_string(b)) != 0)
				what = crypt_backend_to_string(b);
	}
	if (what == NULL) {
		r = state_dir_locked(jails_fd, name);
		if (r != 0)
			what = "a process holding its state directory's lock (its jailer, or what "
			       "it forked)";
	}
	if (what == NULL)
		return 0;
	if (ret_what != NULL)
		*ret_what = what;
	return 1;
}

int
jail_home_lingers(int jails_fd, const char *name, const struct kv_list *state)
{
	enum crypt_backend b = crypt_backend_from_string(kv_get(state, STATE_KEY_ENCRYPTED));
	int r;

	if (b < 0)
		return 0; /* "false": a plain home, nothing to release */
	r = crypt_home_mounted_below(jails_fd, name);
	if (r != 0)
		return 1;
	r = pid_file_alive(jails_fd, name, STATE_KEEPER_PID, KEEPER_COMM);
	if (r != 0)
		return 1;
	r = pid_file_alive(jails_fd, name, crypt_backend_pid_file(b), crypt_backend_to_string(b));
	return r != 0;
}

static int
first_child(pid_t pid, pid_t *ret)
{
	char path[64], buf[64];
	int r;

	snprintf(path, sizeof(path), "task/%d/children", (int) pid);
	r = read_proc_file(pid, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	buf[strcspn(buf, " \n")] = '\0';
	return parse_pid(buf, ret);
}

int
jail_count_apps(pid_t jailer)
{
	char path[64], buf[4096];
	pid_t init;
	int r, n = 0;

	r = first_child(jailer, &init);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "task/%d/children", (int) init);
	r = read_proc_file(init, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (char *p = buf; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && (p == buf || p[-1] == ' '))
			n++;
	return n;
}
