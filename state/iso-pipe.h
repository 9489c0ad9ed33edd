/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iso-pipe: a FIFO in the jail's state directory. The jailer holds the
 * write end for its whole life and writes "pid=N\n" (its PID), for a jail
 * whose network the supervisor's helpers build "ns=N\n" (the host PID of
 * the jail's first process, whose namespaces they join), and later
 * "ready\n" (dispatch ran the init script); the supervisor holds the read
 * end. EOF on the read end after a pid= line means the jail is gone, also
 * after a kill -9, because the kernel closes the write end with the jailer.
 */
#ifndef JAILSUP_ISO_PIPE_H
#define JAILSUP_ISO_PIPE_H

#include "state/util.h"

#define ISO_PIPE_LINE_MAX 64

/* Creates the FIFO (mode 0600) below DIR_FD; -EEXIST when one is there. */
int iso_pipe_create(int dir_fd);

/* Opens the read end: O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC, then
 * checks on the fd that it is a FIFO owned by us (-EINVAL otherwise):
 * a regular file or device swapped in never blocks or gets read. */
int iso_pipe_open_read(int dir_fd, int *ret_fd);

/* Opens the write end, blocking (O_CLOEXEC, O_NOFOLLOW, same checks). When
 * no reader has the FIFO open it opens O_RDWR instead of waiting, so a
 * jail started without a supervisor does not hang; the lines then stay in
 * the FIFO for a reader that comes later. */
int iso_pipe_open_write(int dir_fd, int *ret_fd);

enum iso_msg_type {
	ISO_MSG_PID,
	ISO_MSG_READY,
	ISO_MSG_NS,
	_ISO_MSG_TYPE_MAX,
	_ISO_MSG_TYPE_INVALID = -EINVAL,
};

struct iso_msg {
	enum iso_msg_type type;
	pid_t pid; /* ISO_MSG_PID, ISO_MSG_NS */
};

/* Writes one message as a single write() (atomic below PIPE_BUF). */
int iso_pipe_write_pid(int fd, pid_t pid);
int iso_pipe_write_ready(int fd);
int iso_pipe_write_ns(int fd, pid_t pid);

/* Parses one line without its newline: "pid=N", "ns=N" or "ready". -EBADMSG for
 * anything else. */
int iso_msg_parse(const char *line, struct iso_msg *ret);

/* Buffers partial reads of a non-blocking read end. Zero-initialise it
 * (`struct iso_pipe_reader r = {};`) once per read end. */
struct iso_pipe_reader {
	char buf[ISO_PIPE_LINE_MAX * 4];
	size_t len;
	bool discarding; /* an overlong line was reported: drop up to its newline */
};

enum iso_read_result {
	ISO_READ_AGAIN, /* nothing complete yet: wait for readability */
	ISO_READ_MSG,	/* *ret_msg is set */
	ISO_READ_EOF,	/* every writer closed; a partial last line is dropped */
};

/* Returns the next complete message, reading from FD only when none is
 * buffered (so call it until it returns ISO_READ_AGAIN). -EBADMSG for a
 * malformed line, -E2BIG for a line longer than ISO_PIPE_LINE_MAX; the bad
 * line is consumed, so the caller may go on. */
int iso_pipe_read(struct iso_pipe_reader *r, int fd, struct iso_msg *ret_msg);

#endif
