/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encrypted homes (docs/architecture.md §4a). A jail is encrypted iff its data
 * folder $XDG_DATA_HOME/jailsup/jails/NAME/ holds home.gocryptfs/ or
 * home.encfs/: that presence is the detection, also for a home made by hand
 * with `encfs`. While the jail runs, the backend mounts the plaintext view
 * on the state directory's `home` (STATE_HOME_MOUNT), and the jailer binds
 * that mount at $HOME instead of the data folder's home/. The supervisor,
 * the CLI and the jailer all decide from this one function, so none of
 * them can take an encrypted jail for a plain one.
 */
#ifndef JAILSUP_CRYPT_HOME_H
#define JAILSUP_CRYPT_HOME_H

#include "state/util.h"

enum crypt_backend {
	CRYPT_NONE,	 /* a plain home/ */
	CRYPT_GOCRYPTFS, /* home.gocryptfs/: maintained and audited, the default */
	CRYPT_ENCFS,	 /* home.encfs/: what existing users have */
	_CRYPT_BACKEND_MAX,
	_CRYPT_BACKEND_INVALID = -EINVAL,
};

/* "gocryptfs", "encfs"; "false" for CRYPT_NONE (the state file's word). */
const char *crypt_backend_to_string(enum crypt_backend b);
/* The backends by name ("gocryptfs", "encfs"); "false" and others are
 * _CRYPT_BACKEND_INVALID. */
enum crypt_backend crypt_backend_from_string(const char *s);
/* The encrypted folder's name in the data folder: "home.gocryptfs". */
const char *crypt_backend_dir(enum crypt_backend b);
/* The backend's pid file in the state directory (STATE_GOCRYPTFS_PID). */
const char *crypt_backend_pid_file(enum crypt_backend b);

/* The jail's data folder $DATA_HOME/jailsup/jails/NAME (where home/,
 * home.gocryptfs/ or home.encfs/ live), opened as a directory of ours with
 * mode 0700 (state_dir_open()); -ENOENT when the jail has none yet. With
 * CREATE, $DATA_HOME is made like `mkdir -p` (the user's own folder, then
 * trusted) and the folders below it as state directories. */
int jail_data_dir_open(const char *data_home, const char *name, bool create, int *ret_fd);

/* Which backend the data folder DATA_FD holds. CRYPT_NONE when neither
 * folder exists; -EEXIST when both do (which one is meant cannot be
 * guessed); -ENOTDIR when one is a symlink or not a directory, -EPERM when
 * it is not ours: an encrypted home is never silently taken for none. */
int crypt_backend_detect_at(int data_fd, enum crypt_backend *ret);
/* The same from the paths; a missing data folder is CRYPT_NONE. */
int crypt_backend_detect(const char *data_home, const char *name, enum crypt_backend *ret);

/* 1 when NAME below DIR_FD is the root of a mount other than DIR_FD's, 0
 * when not, -errno. Never waits for a FUSE daemon (AT_STATX_DONT_SYNC):
 * a mount whose backend died (ENOTCONN) counts as mounted. */
int crypt_is_mount_point(int dir_fd, const char *name);

/* The mount id (statx STATX_MNT_ID) of NAME below DIR_FD, not following a
 * symlink and never waiting for a FUSE daemon: -ENOTCONN for a FUSE mount
 * whose daemon is gone, -errno. */
int crypt_mount_id(int dir_fd, const char *name, uint64_t *ret);

/* 1 when JAIL/home below JAILS_FD (the jails' folder) is a mount point, or
 * JAIL itself is, 0 when not (or missing), -errno. One openat2() with
 * RESOLVE_NO_XDEV, no symlink followed and nothing opened but an O_PATH fd:
 * for `jailsup list`, which does not open the state directory. */
int crypt_home_mounted_below(int jails_fd, const char *jail);

/* Blocks until NAME below DIR_FD is a mount point (0) or the process of
 * PIDFD has exited first (-ECHILD). Woken by the kernel: POLLPRI on
 * /proc/self/mountinfo at each mount change, POLLIN on the pidfd at exit;
 * no polling loop with a timer. For a child process, never the loop. */
int crypt_wait_mounted(int dir_fd, const char *name, int pidfd);

/* --- the backend's process, for the CLI (making a home) and the supervisor
 * (mounting it) ---------------------------------------------------------- */

/* The control field of START that carries the password. */
#define CRYPT_PASSWORD_FIELD "password"

/* Forks and execs ARGV (the backend's argv[0] from $PATH) in its own
 * session, with PASSWORD and a newline on a pipe as its stdin and OUT_FD as
 * stdout and stderr (-1: /dev/null). The password is written before we
 * return and its pipe closed: the child reads it from the pipe buffer. The
 * child gets SIGKILL when we die (PR_SET_PDEATHSIG). */
int crypt_spawn(char *const argv[], const char *password, int out_fd, pid_t *ret_pid);

/* Runs fusermount3 -u [-z] on MNT and waits for it: 0 when it unmounted,
 * -EBUSY when it did not (busy, or not mounted), -errno. */
int crypt_fusermount_u(const char *mnt, bool lazy);

#endif
