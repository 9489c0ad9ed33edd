/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keeper (docs/architecture.md §4a, "The end"): a small process per
 * jail that ties a helper the supervisor starts for the jail to the life
 * of the jail rather than to the supervisor's. Today it keeps the
 * encrypted home's backend (encrypt.c); the other helpers (pasta, openvpn,
 * xdg-dbus-proxy) can be kept the same way through a struct keeper_helper.
 *
 * The supervisor forks it (no exec: its code is here) in a session of its
 * own, with none of the supervisor's fds but its end of a socketpair and
 * the state directory, named KEEPER_COMM. The helper is the keeper's child
 * with PR_SET_PDEATHSIG=SIGKILL, so a keeper killed -9 takes it along.
 *
 *   1. The keeper takes the state directory's keeper.lock (an exclusive
 *      flock, held until it exits), waiting for a keeper of an earlier
 *      run that is still at work: two runs of one jail never overlap, and
 *      no keeper ever releases a newer run's helper or mount.
 *   2. It clears what an earlier run left (helper->clear), starts the
 *      helper (helper->spawn), writes the helper's pid file and reports
 *      its PID.
 *   3. It waits, woken only by the kernel, until the helper is ready
 *      (helper->ready, polled on helper->ready_fd's POLLPRI) and says so.
 *   4. It waits for the end: the death of the jail's jailer, whose pidfd
 *      the supervisor hands it (keeper_set_jailer()); before one is known,
 *      the supervisor's END or its death (EOF: the start is abandoned);
 *      SIGTERM, SIGINT or SIGHUP; or the helper's own exit.
 *   5. Then it undoes what the helper made (helper->release: unmount),
 *      lets the helper leave (KEEPER_STOP_GRACE, then SIGKILL; at once
 *      when it never became ready), kills what is left of the helper's
 *      process group and waits for it (it is their subreaper: a
 *      fusermount3 whose daemon died could still complete a mount),
 *      releases again whatever is left, removes the pid file and exits,
 *      which drops the lock. Its EOF on the socketpair tells the
 *      supervisor that all is released.
 *
 * The supervisor writes keeper.pid (PID START) as it forks it; a later
 * supervisor, or `jailsup list`, finds it there (KEEPER_COMM verified).
 */
#ifndef JAILSUP_SUPERVISOR_KEEPER_H
#define JAILSUP_SUPERVISOR_KEEPER_H

#include <ev.h>
#include <sys/types.h>

/* How long a helper has to leave by itself once what it made is released
 * (a FUSE daemon exits when its last mount goes) before it gets SIGKILL. */
#define KEEPER_STOP_GRACE_MS 3000

/* What a keeper keeps. Every function runs in the keeper process, never
 * in the supervisor: they may block. DATA is the keeper's copy (fork) of
 * what the supervisor passed to keeper_start(). */
struct keeper_helper {
	const char *name;     /* its command name, for logs */
	const char *pid_file; /* its pid file in the state directory */
	/* What an earlier run left (a mount, a helper its pid file names),
	 * released under the lock before anything starts. */
	void (*clear)(void *data, int dir_fd);
	/* Starts the helper as the keeper's child (with PDEATHSIG, as
	 * crypt_spawn() does), leading a process group of its own that
	 * holds whatever it starts (the keeper kills the group with it):
	 * 0 and its PID, or -errno. Wipes any secret it was given: the
	 * keeper becomes dumpable after it. */
	int (*spawn)(void *data, int dir_fd, pid_t *ret_pid);
	/* An fd whose POLLPRI means "check ready() again" (the mount table:
	 * /proc/self/mountinfo), opened before the first check; -errno. */
	int (*ready_fd)(void *data);
	/* 1 when the helper is ready, 0 not yet, -errno. */
	int (*ready)(void *data, int dir_fd);
	/* Undoes what the helper made (unmounts), before it is ended and
	 * again after. Only what this keeper made: it holds the lock. */
	void (*release)(void *data, int dir_fd);
};

struct keeper;

/* What the supervisor hears. Each may free the keeper (keeper_free()). */
struct keeper_events {
	void (*ready)(struct ev_loop *loop, void *userdata);
	/* The helper exited with wait STATUS; before ready(), the start
	 * failed. */
	void (*exited)(struct ev_loop *loop, void *userdata, int status);
	/* The helper could not be started: -errno R (the keeper's log line
	 * says more). */
	void (*failed)(struct ev_loop *loop, void *userdata, int r);
	/* The keeper is gone: what it kept is released (unless it was
	 * killed: then its helper died with it). */
	void (*gone)(struct ev_loop *loop, void *userdata);
};

/* Forks the keeper of HELPER for jail JAIL, whose state directory is
 * DIR_FD (borrowed while the keeper is watched), writes keeper.pid and
 * watches it. HELPER and DATA are copied into the keeper by the fork: the
 * caller may free (and wipe) its own copies once this returns. Returns 0 and *RET
 * (keeper_free()), or -errno with nothing started. */
int keeper_start(struct ev_loop *loop, int dir_fd, const char *jail,
		 const struct keeper_helper *helper, void *data, const struct keeper_events *events,
		 void *userdata, struct keeper **ret);

/* The keeper of a jail this supervisor did not start (keeper.pid of
 * DIR_FD, its start time and KEEPER_COMM verified), watched until it is
 * gone: only its gone() event comes. -ESRCH when none runs. */
int keeper_adopt(struct ev_loop *loop, int dir_fd, const struct keeper_events *events,
		 void *userdata, struct keeper **ret);

/* Hands K the jail's jailer: PIDFD (ours to give: it is closed here).
 * FINAL false: the standby the jail is about to be handed to (a keeper
 * that loses the supervisor then waits for it: if it took the jail, it is
 * the jailer; if not, it exits on that EOF too); FINAL true: the jailer.
 * PIDFD -1 with FINAL false: the standby did not take it after all. A
 * keeper that holds a final jailer ignores the supervisor's death. */
void keeper_set_jailer(struct keeper *k, int pidfd, bool final);

/* The supervisor is done with the jail (it ended, or its start is
 * abandoned): the keeper releases once the jailer it was handed is gone,
 * at once when it has none. True while the keeper still runs (gone()
 * follows), false when it is gone already. */
bool keeper_end(struct keeper *k);

/* Stops watching K; the keeper goes on. Accepts NULL, returns NULL. */
struct keeper *keeper_free(struct ev_loop *loop, struct keeper *k);

/* For a supervisor that releases a jail's leftovers itself: takes
 * keeper.lock of DIR_FD without waiting. 1 and *RET_FD (-1 when the jail
 * never had a keeper; close it to unlock), 0 when a keeper holds it,
 * -errno. */
int keeper_lock_try(int dir_fd, int *ret_fd);

#endif
