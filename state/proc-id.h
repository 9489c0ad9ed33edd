/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process identity that survives PID reuse: the PID plus the start time
 * the kernel reports in /proc/PID/stat (field 22, clock ticks since boot).
 * Stored in pid files as "PID START\n". Nothing in jailsup signals a PID on
 * the strength of a number: proc_id_kill() takes a pidfd first and checks
 * the start time second, so a recycled PID is never hit.
 */
#ifndef JAILSUP_PROC_ID_H
#define JAILSUP_PROC_ID_H

#include "state/util.h"

struct proc_id {
	pid_t pid;
	uint64_t start;
};

#define PROC_ID_STRLEN 48 /* "PID START\n" with room to spare */

/* Start time of PID from PROC_FD (an fd of /proc, or -1 to open "/proc").
 * Parses after the last ')' so a comm such as "a) 1 2 (" cannot shift the
 * fields. -ESRCH when the process does not exist. */
int proc_start_time(int proc_fd, pid_t pid, uint64_t *ret);

/* Parses the text of /proc/PID/stat: the state letter (field 3) into
 * *ret_state and the start time (field 22) into *ret_start, either may be
 * NULL. Fields are counted after the last ')', so whatever the comm holds
 * (spaces, parentheses, digits) cannot shift them. -EINVAL when malformed.
 * Exposed for the unit tests: a comm like "a) 1 2 (" is easier to feed
 * than to give a process. */
int proc_stat_parse(const char *buf, char *ret_state, uint64_t *ret_start);
/* The parent of PID (field 4 of its /proc/PID/stat, counted the same way),
 * PROC_FD as for proc_start_time(). -ESRCH when it does not exist. */
int proc_parent(int proc_fd, pid_t pid, pid_t *ret);
int proc_stat_parse_start(const char *buf, uint64_t *ret);

/* The identity of PID now (its current start time). */
int proc_id_get(pid_t pid, struct proc_id *ret);

/* Formats as "PID START\n" into BUF; returns the length. */
int proc_id_format(const struct proc_id *id, char buf[static PROC_ID_STRLEN]);

/* Parses "PID START" with an optional final newline; strict. */
int proc_id_parse(const char *s, struct proc_id *ret);

/* Reads/writes the pid file NAME below DIR_FD (state_read_file() /
 * state_write_atomic()). */
int proc_id_read_at(int dir_fd, const char *name, struct proc_id *ret);
int proc_id_write_at(int dir_fd, const char *name, const struct proc_id *id);

/* 1 when ID still names the same running process (a zombie counts as
 * gone), 0 when it is gone or the PID was reused, -errno on error. */
int proc_id_alive(const struct proc_id *id);

/* A pidfd for ID, verified by start time after it was opened. -ESRCH when
 * the process is gone or the PID now belongs to another process. */
int proc_id_open_pidfd(const struct proc_id *id, int *ret_pidfd);

/* Sends SIG to ID through a verified pidfd; -ESRCH when gone or reused. */
int proc_id_kill(const struct proc_id *id, int sig);

#endif
