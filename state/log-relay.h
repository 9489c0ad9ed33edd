/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The copy of what a jail writes into a pipe to its state directory's log,
 * done on the host side by a process that alone holds the pipe's read end
 * (the jailer): no process of the jail holds an fd of the log itself, so
 * none can write into it unbounded, rewrite it, or write lines that read as
 * jailsup's own. What the relay writes is bounded twice: a line keeps at
 * most LOG_RELAY_LINE_MAX bytes (the rest of it is dropped, the line ends
 * with LOG_RELAY_CUT), and the relay writes at most the MAX bytes it was
 * given; past that it reads on and drops everything (as often as its
 * caller pumps it), so a writer in the jail is never left blocked on a
 * full pipe for good, nor killed by SIGPIPE. Each line gets PREFIX in
 * front (e.g. "init[NAME]: ") and its bytes escaped (text_escape_to()): a
 * jail cannot start a line of the log, move the cursor of whoever reads it
 * on a terminal, or hide the prefix.
 *
 * Whole lines only reach the log, several per write(2), so they never
 * interleave with the lines other writers (the jailer, helpers) append.
 */
#ifndef JAILSUP_LOG_RELAY_H
#define JAILSUP_LOG_RELAY_H

#include "state/util.h"

#define LOG_RELAY_LINE_MAX 2048
#define LOG_RELAY_CUT      " [cut]"

struct log_relay {
	int fd;             /* the pipe's read end (O_NONBLOCK, ours); -1 after EOF */
	int log_fd;         /* where the lines go (O_APPEND; not ours) */
	const char *prefix; /* before every line, kept by pointer */
	size_t left;        /* bytes it may still write to LOG_FD */
	bool full;          /* LEFT ran out: the rest is read and dropped */
	bool cutting;       /* the line being read passed LOG_RELAY_LINE_MAX: dropped to its end */
	size_t len;         /* bytes in LINE */
	char line[LOG_RELAY_LINE_MAX];
};

enum log_relay_result {
	LOG_RELAY_AGAIN, /* the pipe is empty for now */
	LOG_RELAY_MORE,  /* stopped after a bounded amount: there may be more */
	LOG_RELAY_FULL,  /* MAX was reached just now (said once): the rest is dropped */
	LOG_RELAY_EOF,   /* every writer is gone: the last line is written, FD closed */
	_LOG_RELAY_RESULT_MAX,
	_LOG_RELAY_RESULT_INVALID = -EINVAL,
};

/* Takes FD (a pipe's read end, made O_NONBLOCK here) for R, which writes
 * to LOG_FD (not taken) at most MAX bytes. */
void log_relay_init(struct log_relay *r, int fd, int log_fd, const char *prefix, size_t max);

/* Reads what the pipe holds, at most a few reads' worth so a caller's other
 * fds get their turn, and writes its whole lines. One of the results above,
 * or -errno of read() (FD is then closed, as at EOF). */
int log_relay_pump(struct log_relay *r);

/* Writes a last line the writers left without its newline, and closes FD
 * when it is still open. */
void log_relay_done(struct log_relay *r);

#endif
