/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state directory (docs/architecture.md §3):
 * $XDG_RUNTIME_DIR/jailsup/jails/NAME/.
 * Every access goes through a directory fd opened once; names below it are
 * single components checked by state_name_valid(), opened with O_NOFOLLOW,
 * so nothing planted in a jail's directory (a symlink, a FIFO in place of a
 * file, a directory of another owner) can redirect the supervisor.
 */
#ifndef JAILSUP_STATE_H
#define JAILSUP_STATE_H

#include "state/util.h"

struct stat;

/* File names inside a jail's state directory: each exists only here. */
#define STATE_ISO_PIPE	    "iso-pipe"
#define STATE_STATE	    "state"
#define STATE_PROFILE	    "profile.ini"
#define STATE_DISPATCH_SOCK "dispatch.sock"
#define STATE_LOG	    "log"
#define STATE_LOG_OLD	    "log.old"  /* the previous start's log */
#define STATE_RESOLV_CONF   "resolv.conf"
#define STATE_ENCFS_PID	    "encfs.pid"
#define STATE_GOCRYPTFS_PID "gocryptfs.pid"
#define STATE_OPENVPN_PID   "openvpn.pid"
#define STATE_PASTA_PID	    "pasta.pid"
#define STATE_WIREGUARD_PID    "wireguard.pid" /* wireguard-go of a WireGuard jail */
#define STATE_DBUS_PROXY_PID "dbus-proxy.pid"
#define STATE_DBUS_PROXY_SOCK "dbus-proxy.sock"   /* the filtered session bus */
#define STATE_DBUS_SYSTEM_SOCK "dbus-system.sock" /* the filtered system bus */
#define STATE_A11Y_SOCK        "a11y.sock"        /* the filtered accessibility bus */
#define STATE_DBUS_PROXY_DIR "dbus-proxy" /* the proxy's own folder: it makes its sockets there */
#define STATE_DBUS_PROXY_LOG   "dbus-proxy.log" /* what a proxy started ahead (a spare) said */
#define STATE_APP_INFO         "flatpak-info" /* the jail's identity for the portals (dbus-proxy.h) */
#define STATE_X11_DIR "x11"             /* the nested X server's own folder: its socket is made there */
#define STATE_X11_SOCK "x11.sock"       /* the nested X server's socket, moved out of STATE_X11_DIR */
#define STATE_X11_AUTH "x11.auth"       /* its cookie (an Xauthority file of one entry) */
#define STATE_X11_HOST_AUTH "x11-host.auth" /* the host's cookies of the display it shows on */
#define STATE_HOME_MOUNT    "home"     /* mount point of a decrypted home */
#define STATE_KEEPER_PID    "keeper.pid"  /* the jail's keeper (supervisor/keeper.h) */
#define STATE_KEEPER_LOCK   "keeper.lock" /* flocked by a keeper for its whole life */

/* Below $XDG_RUNTIME_DIR and $XDG_DATA_HOME. */
#define STATE_RUNTIME_SUBDIR "jailsup"
#define STATE_JAILS_SUBDIR   "jails"
#define STATE_CONTROL_SOCK   "control"
#define STATE_DAEMON_LOCK    "daemon.lock"
#define STATE_DAEMON_PID     "daemon.pid"

/* A jail's name: [A-Za-z0-9][A-Za-z0-9._-]{0,63} (docs/architecture.md §2). */
#define JAIL_NAME_MAX 64
bool jail_name_valid(const char *name);

/* One path component: non-empty, no '/' or newline, not "." or "..",
 * at most NAME_MAX bytes. */
bool state_name_valid(const char *name);

/* Opens the directory NAME below PARENT_FD (AT_FDCWD and an absolute NAME
 * are allowed only through state_dir_open_path()). The result is an
 * O_RDONLY|O_DIRECTORY|O_CLOEXEC fd. Refuses what we would not have made:
 * -ENOTDIR a symlink or a non-directory, -EPERM another owner or a mode
 * other than 0700; -EINVAL a bad NAME; -ENOENT; -errno. */
int state_dir_open(int parent_fd, const char *name, int *ret_fd);

/* Like state_dir_open(), creating the directory with mode 0700 first when
 * it is missing (a concurrent creator is fine: EEXIST is not an error).
 * Sets *ret_created when this call made it (may be NULL). */
int state_dir_create(int parent_fd, const char *name, int *ret_fd, bool *ret_created);

/* Opens an absolute PATH as a directory of ours (same checks as above on
 * the last component; the components before it are trusted: they are the
 * user's own XDG directories). */
int state_dir_open_path(const char *path, bool create, int *ret_fd);

/* Opens (creating when CREATE) $RUNTIME_DIR/jailsup and its jails/ below;
 * either out-param may be NULL. */
int state_runtime_open(const char *runtime_dir, bool create, int *ret_root_fd,
		       int *ret_jails_fd);

/* Reads the regular file NAME below DIR_FD, at most MAX bytes (-EFBIG
 * beyond). -ELOOP for a symlink, -EBADF-free: a FIFO or device is refused
 * with -EINVAL without blocking. The result is NUL-terminated. */
int state_read_file(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_len);

/* The end of the regular file NAME below DIR_FD, as state_read_file()
 * opens it: its bytes from offset FROM on, at most the last MAX of them;
 * when that cuts it, from the first line start after the cut. What a
 * failed start shows of a jail's log (the log may be larger than anyone
 * should read whole). NUL-terminated; 0 or -errno. */
#define STATE_LOG_TAIL_MAX 4096
int state_read_tail(int dir_fd, const char *name, off_t from, size_t max, char **ret,
                    size_t *ret_len);

/* state_read_file() of NAME in the state directory JAIL below JAILS_FD,
 * without opening the directory: it is checked as state_dir_open() does
 * (one fstatat()), NAME is reached from JAILS_FD with no symlink followed
 * anywhere on the way (openat2 RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH) and
 * must be ours (-EPERM). fstatat, openat2, fstat, read, close: five system
 * calls instead of eight, for readers that need nothing else of the
 * directory: `jailsup list`, once per jail. */
int state_jail_read_file(int jails_fd, const char *jail, const char *name, size_t max,
			 char **ret, size_t *ret_len);
/* The same, and the stat of the directory and of the file (either may be
 * NULL), from the calls above: `list` tells by them, at no extra cost,
 * whether the directory changed after the file was written. */
int state_jail_read_file_stat(int jails_fd, const char *jail, const char *name, size_t max,
			      char **ret, size_t *ret_len, struct stat *ret_dir_st,
			      struct stat *ret_st);

/* Replaces NAME below DIR_FD atomically: unlinks a stale ".NAME.tmp",
 * creates it O_EXCL|O_NOFOLLOW with mode 0600, writes all of DATA, fsyncs,
 * and renameat()s it onto NAME. Readers see the old or the new file whole. */
int state_write_atomic(int dir_fd, const char *name, const void *data, size_t len);

/* Removes the ".NAME.tmp" files (regular ones only, never followed) that
 * a writer killed between the create and the rename of
 * state_write_atomic() left below DIR_FD. Harmless while they stay (the
 * next write of NAME replaces its own); called by the steps that take a
 * directory over, when no writer of ours can be at work in it. Returns how
 * many went, or -errno. */
int state_remove_temps(int dir_fd);

/* Removes NAME below DIR_FD and, when it is a directory, everything in it,
 * whatever a jail made there: any depth, any name, FIFOs, sockets, modes
 * like 0000 (directories of ours without u+rwx get it back before they are
 * emptied). Never follows a symlink (a link is unlinked, not its target),
 * never crosses into another filesystem (a mount point below is left, with
 * all it holds, and makes the call fail with -EBUSY; a mount is told by
 * st_dev and the mount id, so a bind mount of the same filesystem counts
 * too), never leaves NAME: a directory deeper than STATE_RM_OPEN_MAX is
 * not entered but renamed into NAME itself and removed from there, so a
 * removal holds at most STATE_RM_OPEN_MAX + 1 fds and as many directory
 * streams, whatever the depth. A missing NAME is 0. On errors it goes on,
 * removes what it can and returns the first error. */
#define STATE_RM_OPEN_MAX 16
int state_rm_rf(int dir_fd, const char *name);

/* The names of the jail directories below JAILS_FD, sorted: only entries
 * that are directories (not symlinks) with a valid jail name. *ret is a
 * NULL-terminated strv (free with strv_free()). */
int state_list_jails(int jails_fd, char ***ret);

#endif
