/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Encrypted homes (docs/architecture.md §4a). The backend is pluggable:
 * gocryptfs (maintained, audited; the default for new jails) or encfs
 * (what existing users have; weak by a 2014 audit). state/crypt-home.h
 * tells which one a jail has.
 *
 * The CLI asks for the password and hands it to the supervisor in the
 * START request (field "password"); the supervisor forks the jail's keeper
 * (keeper.h), which runs the backend in the foreground as its child, on
 * the host, as the user, with the password on a pipe as its stdin
 * (`-passfile /dev/stdin`, `--stdinpass`): never in argv, the environment,
 * a file or a log. The backend mounts the plaintext view on STATE_DIR/home;
 * its pid file ("PID START") is written at once. The keeper says when the
 * mount is there (woken by the kernel: mountinfo's POLLPRI, the backend's
 * pidfd); the jailer is spawned only then, and its pidfd handed to the
 * keeper. When the jail's jailer is gone, or the start is abandoned, the
 * keeper unmounts with fusermount3 -u (lazily when busy), lets the backend
 * leave and exits: also when the supervisor was killed with the jailer,
 * or at any moment of the start. A home no keeper holds any more (its
 * keeper was killed) is released by the supervisor (crypt_home_release()).
 */
#ifndef JAILSUP_SUPERVISOR_ENCRYPT_H
#define JAILSUP_SUPERVISOR_ENCRYPT_H

#include <ev.h>

#include "state/crypt-home.h"


struct crypt_mount;

/* Called once per crypt_mount_start(): R = 0, the home is mounted; R < 0,
 * it is not (the keeper releases what there is), MSG says why in words for
 * the user (the backend's own lines are in the jail's log already). */
typedef void (*crypt_done_fn)(struct ev_loop *loop, void *userdata, int r, const char *msg);

/* Called once after crypt_mount_end() returned true: the keeper is gone,
 * the home released. */
typedef void (*crypt_ended_fn)(struct ev_loop *loop, void *userdata);

/* Mounts the encrypted home of jail NAME through a keeper: it waits for
 * the keeper of an earlier run, releases whatever that run left, starts
 * BACKEND with PASSWORD on its stdin (stdout and stderr on the jail's log)
 * in DIR_FD (the state directory STATE_PATH, borrowed while M lives), and
 * DONE is called from the loop when the mount is there or cannot be.
 * Returns 0 and *ret (free with crypt_mount_free()), or -errno with nothing
 * started. PASSWORD is wiped before this returns. */
int crypt_mount_start(struct ev_loop *loop, int dir_fd, const char *state_path,
		      const char *data_home, const char *name, enum crypt_backend backend,
		      char *password, crypt_done_fn done, void *userdata,
		      struct crypt_mount **ret);

/* The keeper of a jail this supervisor did not start (found by its
 * keeper.pid in DIR_FD), for crypt_mount_end(). -ESRCH when none runs. */
int crypt_mount_adopt(struct ev_loop *loop, int dir_fd, const char *name, struct crypt_mount **ret);

/* True while M has not called its DONE yet. NULL: false. */
bool crypt_mount_pending(const struct crypt_mount *m);

/* The jail's jailer for M's keeper (keeper_set_jailer()): PIDFD is closed
 * here. M may be NULL. */
void crypt_mount_jailer(struct crypt_mount *m, int pidfd, bool final);

/* The supervisor is done with the jail (ended, or its start abandoned: no
 * DONE follows). True when the keeper still releases the home: ENDED comes
 * once it is gone; false when nothing is left to wait for. */
bool crypt_mount_end(struct crypt_mount *m, crypt_ended_fn ended, void *userdata);

/* Stops watching M; the keeper goes on. Accepts NULL, returns NULL. */
struct crypt_mount *crypt_mount_free(struct ev_loop *loop, struct crypt_mount *m);

/* For a home no keeper holds (keeper.lock is free: its keeper was killed,
 * or the jail never had one) of the state directory DIR_FD (at
 * STATE_PATH): unmounts STATE_PATH/home when something is mounted there
 * (fusermount3 -u, then -u -z when busy), and ends a backend its pid file
 * names (verified by start time and command name) with SIGKILL, watched
 * from the loop. A no-op for a jail that has neither, and while a keeper
 * holds the lock. */
void crypt_home_release(struct ev_loop *loop, int dir_fd, const char *state_path,
			const char *name);

#endif
