/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * crypt-home.h: which backend encrypts a jail's home, and whether its
 * plaintext view is mounted. Shared by the CLI, the supervisor and the
 * jailer, which must agree on it.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "state/crypt-home.h"
#include "state/state.h"

static const char *const backend_names[_CRYPT_BACKEND_MAX] = {
	[CRYPT_NONE] = "false",
	[CRYPT_GOCRYPTFS] = "gocryptfs",
	[CRYPT_ENCFS] = "encfs",
};

static const char *const backend_dirs[_CRYPT_BACKEND_MAX] = {
	[CRYPT_GOCRYPTFS] = "home.gocryptfs",
	[CRYPT_ENCFS] = "home.encfs",
};

static const char *const backend_pid_files[_CRYPT_BACKEND_MAX] = {
	[CRYPT_GOCRYPTFS] = STATE_GOCRYPTFS_PID,
	[CRYPT_ENCFS] = STATE_ENCFS_PID,
};

const char *
crypt_backend_to_string(enum crypt_backend b)
{
	if (b < 0 || b >= _CRYPT_BACKEND_MAX)
		return NULL;
	return backend_names[b];
}

enum crypt_backend
crypt_backend_from_string(const char *s)
{
	for (int i = CRYPT_NONE + 1; i < _CRYPT_BACKEND_MAX; i++)
		if (s != NULL && streq(s, backend_names[i]))
			return (enum crypt_backend) i;
	return _CRYPT_BACKEND_INVALID;
}

const char *
crypt_backend_dir(enum crypt_backend b)
{
	if (b <= CRYPT_NONE || b >= _CRYPT_BACKEND_MAX)
		return NULL;
	return backend_dirs[b];
}

const char *
crypt_backend_pid_file(enum crypt_backend b)
{
	if (b <= CRYPT_NONE || b >= _CRYPT_BACKEND_MAX)
		return NULL;
	return backend_pid_files[b];
}

int
jail_data_dir_open(const char *data_home, const char *name, bool create, int *ret_fd)
{
	static const char *const levels[] = { STATE_RUNTIME_SUBDIR, STATE_JAILS_SUBDIR };
	_cleanup_close_ int fd = -1;
	int r;

	if (data_home == NULL || data_home[0] != '/')
		return -EINVAL;
	if (!jail_name_valid(name))
		return -EINVAL;
	/* $XDG_DATA_HOME is the user's own (usually 0755, often missing on a
	 * fresh account): create it like `mkdir -p`, then trust it. */
	if (create) {
		r = mkdir_parents(data_home, 0700);
		if (r < 0)
			return r;
	}
	fd = open(data_home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(levels) + 1; i++) {
		const char *level = i < ELEMENTSOF(levels) ? levels[i] : name;
		int nfd;

		r = create ? state_dir_create(fd, level, &nfd, NULL) : state_dir_open(fd, level, &nfd);
		if (r < 0)
			return r;
		safe_close(fd);
		fd = nfd;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* 1 when NAME is a directory of ours, 0 when missing, -errno otherwise. */
static int
backend_dir_present(int data_fd, const char *name)
{
	struct stat st;

	if (fstatat(data_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR; /* a symlink too: never followed to a home elsewhere */
	if (st.st_uid != getuid())
		return -EPERM;
	return 1;
}

int
crypt_backend_detect_at(int data_fd, enum crypt_backend *ret)
{
	enum crypt_backend found = CRYPT_NONE;

	for (int i = CRYPT_NONE + 1; i < _CRYPT_BACKEND_MAX; i++) {
		int r = backend_dir_present(data_fd, backend_dirs[i]);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (found != CRYPT_NONE)
			return -EEXIST;
		found = (enum crypt_backend) i;
	}
	*ret = found;
	return 0;
}

int
crypt_backend_detect(const char *data_home, const char *name, enum crypt_backend *ret)
{
	_cleanup_close_ int fd = -1;
	int r;

	r = jail_data_dir_open(data_home, name, false, &fd);
	if (r == -ENOENT) {
		*ret = CRYPT_NONE; /* a jail that never ran has no home at all yet */
		return 0;
	}
	if (r < 0)
		return r;
	return crypt_backend_detect_at(fd, ret);
}

int
crypt_mount_id(int dir_fd, const char *name, uint64_t *ret)
{
	struct statx stx;

	/* DONT_SYNC: FUSE answers from its cache instead of asking a daemon
	 * that may be dead or hung. */
	if (statx(dir_fd, name,
		  AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC |
			  (name[0] == '\0' ? AT_EMPTY_PATH : 0),
		  STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP; /* FIXME(kernel 5.8): STATX_MNT_ID */
	*ret = stx.stx_mnt_id;
	return 0;
}

int
crypt_is_mount_point(int dir_fd, const char *name)
{
	uint64_t parent, child;
	int r;

	if (!state_name_valid(name))
		return -EINVAL;
	r = crypt_mount_id(dir_fd, "", &parent);
	if (r < 0)
		return r;
	r = crypt_mount_id(dir_fd, name, &child);
	if (r == -ENOTCONN)
		return 1; /* a FUSE mount whose daemon is gone */
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	return child != parent;
}

int
crypt_home_mounted_below(int jails_fd, const char *jail)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	char path[JAIL_NAME_MAX + sizeof("/" STATE_HOME_MOUNT)];
	int fd;

	if (!jail_name_valid(jail))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", jail, STATE_HOME_MOUNT);
	/* The walk stops with EXDEV where it would cross into another mount:
	 * at home when something is mounted there. Stepping onto a mount's
	 * root asks no FUSE daemon, so a dead or hung one cannot block us. */
	fd = (int) syscall(SYS_openat2, jails_fd, path, &how, sizeof(how));
	if (fd >= 0) {
		safe_close(fd);
		return 0;
	}
	if (errno == EXDEV)
		return 1;
	if (errno == ENOENT || errno == ELOOP)
		return 0; /* no home, or a symlink: nothing mounted there */
	return -errno;
}

int
crypt_wait_mounted(int dir_fd, const char *name, int pidfd)
{
	_cleanup_close_ int mi = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (mi < 0)
		return -errno;
	/* Opened before the first check: a mount made between the check and
	 * poll() is reported by that poll(), never missed. */
	for (;;) {
		struct pollfd p[2] = { { .fd = mi, .events = POLLPRI },
				       { .fd = pidfd, .events = POLLIN } };
		int r = crypt_is_mount_point(dir_fd, name);

		if (r != 0)
			return r > 0 ? 0 : r;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents != 0) {
			r = crypt_is_mount_point(dir_fd, name);
			return r > 0 ? 0 : r < 0 ? r : -ECHILD;
		}
	}
}
