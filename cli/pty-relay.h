/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI's end of a pty relay (docs/jail.md "The terminal"): when our
 * stdio includes a terminal, the app gets the slave of a pty dispatch made
 * in the jail's devpts, and we copy between the user's terminal and the
 * master, the terminal in raw mode meanwhile. The jail never holds an fd of
 * the user's terminal; closing the master hangs up whatever is left.
 */
#ifndef JAILSUP_CLI_PTY_RELAY_H
#define JAILSUP_CLI_PTY_RELAY_H

#include <poll.h>
#include <signal.h>
#include <termios.h>

#include "state/dispatch-proto.h"

#define PTY_RELAY_BUF (64 * 1024)

struct pty_relay {
	uint32_t mask;  /* which of our stdio fds are terminals; 0: no relay */
	int term;       /* the user's terminal (our copy), -1 without a relay */
	int master;     /* from dispatch, -1 until it came */
	bool raw;       /* the terminal is in raw mode: restore SAVED */
	bool term_dead; /* reading or writing the terminal failed: stop */
	bool master_eof;
	struct termios saved;
	size_t in_len; /* bytes of IN waiting for the master */
	char in[PTY_RELAY_BUF];
	char out[PTY_RELAY_BUF];
};

/* Looks at our stdio: sets T->mask and, with a terminal, T->term and TTY
 * (mask, termios, window size for the pty). 0 or -errno. */
int pty_relay_prepare(struct pty_relay *t, struct dispatch_tty *tty);

/* Takes FD, dispatch's pty master, once we checked it is one: a hostile
 * jail could send anything. 0, or -EBADMSG (not a pty master), -errno. */
int pty_relay_take_master(struct pty_relay *t, int fd);

/* Raw mode on the user's terminal when we are its foreground job. */
void pty_relay_raw(struct pty_relay *t);
/* The user's terminal as we found it. Safe to call at any time. */
void pty_relay_restore(struct pty_relay *t);
/* The user's window size onto the pty (SIGWINCH). */
void pty_relay_winch(struct pty_relay *t);

/* Fills up to 2 pollfds from P and returns how many; pty_relay_io()
 * takes the same array back after poll(). */
size_t pty_relay_poll_fill(struct pty_relay *t, struct pollfd *p);
void pty_relay_io(struct pty_relay *t, const struct pollfd *p, size_t n);

/* After the app's exit: copies what the master still holds (bounded: a
 * leftover in the jail could write forever). */
void pty_relay_drain(struct pty_relay *t);

/* The app stopped: the terminal restored, we stop ourselves with SIGTSTP
 * as a shell job; on return (SIGCONT) raw again and the window size
 * re-sent. */
void pty_relay_suspend(struct pty_relay *t);

/* Restores the terminal and closes the master: the pty is hung up. */
void pty_relay_done(struct pty_relay *t);

/* Calls on what the jail sent us run under a guard. The jail may share the
 * open file description of an fd it sent (the master: dispatch could keep
 * a copy) and clear O_NONBLOCK on it, then take the bytes our poll() saw;
 * a socket it sent may linger for ever in close(). An interval timer
 * whose SIGALRM has a handler without SA_RESTART makes any such call
 * return EINTR within JAIL_CALL_GUARD_MS, whatever the flags say; the
 * interval covers a signal that came just before the call began.
 * install() once before the first call (SIGALRM unblocked), remove() at
 * the end. */
#define JAIL_CALL_GUARD_MS 200
void jail_call_guard_install(struct sigaction *saved);
void jail_call_guard_remove(const struct sigaction *saved);
void jail_call_guard(bool armed);
/* Closes FD, which came from the jail, under the guard. Returns -1. */
int jail_fd_close(int fd);

#endif
