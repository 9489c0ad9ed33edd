/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the `state` file of a jail's state directory says (docs/
 * architecture.md): the status words and the keys, shared by the daemon,
 * which writes it, and `jailsup list` / `jailsup kill`, which read it.
 */
#ifndef JAILSUP_STATE_JAIL_STATE_H
#define JAILSUP_STATE_JAIL_STATE_H

#include "state/kv.h"
#include "state/proc-id.h"

enum jail_status {
	JAIL_STARTING,
	JAIL_RUNNING,
	JAIL_DEGRADED,
	JAIL_STOPPING,
	JAIL_STOPPED,
	JAIL_FAILED,
	_JAIL_STATUS_MAX,
	_JAIL_STATUS_INVALID = -EINVAL,
};

const char *jail_status_to_string(enum jail_status s);
enum jail_status jail_status_from_string(const char *s);

#define STATE_KEY_NAME		  "name"
#define STATE_KEY_STATUS	  "status"
#define STATE_KEY_JAILER_PID	  "jailer-pid"
#define STATE_KEY_JAILER_START	  "jailer-start"
#define STATE_KEY_STARTED	  "started"
#define STATE_KEY_PROFILE	  "profile"
#define STATE_KEY_NETWORK	  "network"
#define STATE_KEY_ENCRYPTED	  "encrypted"
#define STATE_KEY_AUTODELETE	  "autodelete"
#define STATE_KEY_SECURE	  "secure"
#define STATE_KEY_PROFILE_CREATED "profile-created"

/* The jailer's identity recorded in STATE; -ENOENT when none is. */
int jail_state_jailer(const struct kv_list *state, struct proc_id *ret);

/* 1 when ID is alive and its comm is COMM, or one of COMM's names
 * separated by '|' (a pid file naming some other process of ours is not
 * trusted), 0 when not, -errno. */
int proc_id_is(const struct proc_id *id, const char *comm);

/* The command name of a jail's keeper (supervisor/keeper.h). */
#define KEEPER_COMM "jailsup-keeper"

/* 1 when the encrypted home of jail NAME (its state directory below
 * JAILS_FD, STATE its state file) is still there: its home is a mount
 * point, or its keeper or its backend still runs (each verified by start
 * time and command name); 0 when none is, or the jail has no encrypted
 * home. A jail whose jailer is gone is not `stopped` before this is 0.
 * Unsure (an error other than "missing") counts as still there. */
int jail_home_lingers(int jails_fd, const char *name, const struct kv_list *state);

/* The helpers a jail may have, by pid file and command name (or names
 * separated by '|'), and the signal that ends each. Not the encrypted
 * home's backend: it must outlive its unmount (encrypt.h). */
struct jail_helper {
	const char *pid_file;
	const char *comm;
	int sig;
};
#define JAIL_HELPERS_N 4
extern const struct jail_helper jail_helpers[JAIL_HELPERS_N];

/* The processes that may be jailers (called "jailer", in our user
 * namespace), scanned from /proc once, by the first jail_find_jailer()
 * that needs them: `list` of many jails scans once. Zero it to start;
 * free with jailer_scan_done(). */
struct jailer_scan {
	bool done;
	size_t n;
	pid_t *pids;
};
void jailer_scan_done(struct jailer_scan *scan);

/* The jailer of jail NAME found by what it holds rather than by what a
 * file says: one of SCAN with an fd on the jail's iso-pipe (a FIFO of
 * ours, stat()ed, never opened), the way a jail whose supervisor died
 * before it recorded jailer-pid is found. 0 and *RET (verified by start
 * time and name), -ESRCH none, -errno. */
int jail_find_jailer(int jails_fd, const char *name, struct jailer_scan *scan,
		     struct proc_id *ret);

/* The jailer of jail NAME: the one STATE (may be NULL) records, when it
 * is alive and called "jailer", else jail_find_jailer(). */
int jail_jailer(int jails_fd, const char *name, const struct kv_list *state,
		struct jailer_scan *scan, struct proc_id *ret);

/* 1 when something of jail NAME other than a jailer we know may still
 * live: a helper of its pid files (verified), its encrypted home
 * (jail_home_lingers(); every backend when STATE is NULL: unknown), or a
 * process holding its state directory's lock. *RET_WHAT says which, for
 * people. 0 when nothing does. Unsure counts as alive. */
int jail_lingers(int jails_fd, const char *name, const struct kv_list *state, const char **ret_what);

/* The number of processes directly below PID 1 of the jail whose jailer
 * is JAILER (apps and orphans); -errno when it cannot be told. */
int jail_count_apps(pid_t jailer);

#endif
