/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The X server of a jail's own (docs/jail.md "Rights", x11): with the x11
 * right granted (and not `x11 = host`), the jail's X11 clients talk to a
 * nested Xephyr that shows their windows in one window of the user's
 * display, never to the user's display itself, where any client can list
 * every window, read every keystroke and take screenshots of the others.
 *
 * Xephyr parses the X protocol the jail sends, so it runs confined
 * (state/sandbox.h, as xdg-dbus-proxy): its own user, PID and network
 * namespaces (no abstract socket anyone else can reach), a read-only root,
 * the host display's socket, a copy of the host's cookies of that display
 * only, its own cookie (made here, fresh for each start), and one folder of
 * the jail's state where it makes its listening socket. It is started
 * before the jailer, and once it is ready its socket is moved into the
 * state directory, where the jailer binds it into the jail.
 *
 * Its life is the jailer's: it runs under a tether (helper.h) that watches
 * the write end of a pipe whose read end the supervisor hands to the
 * jailer, which holds it for its life; the pipe breaks when the jailer is
 * gone (or the supervisor, before it handed it over), and the tether kills
 * Xephyr.
 */
#ifndef JAILSUP_SUPERVISOR_XSERVER_H
#define JAILSUP_SUPERVISOR_XSERVER_H

#include <ev.h>
#include <stdbool.h>

#include "ini-profiles/profile.h"

struct xserver;
/* R = 0: the nested server listens and its socket is in the state
 * directory; R < 0: it did not start, WHY says so in one line. */
typedef void (*xserver_done_fn)(struct ev_loop *loop, struct xserver *x, int r, const char *why);

struct xserver {
	int ready_fd; /* -displayfd's pipe, -1 when not waiting */
	int life_fd;  /* the read end for the jailer, -1 once handed over */
	int dir_fd;   /* the jail's state directory (borrowed) */
	ev_io ready_w;
	char number[8]; /* what -displayfd wrote so far */
	size_t n_number;
	xserver_done_fn done;
	unsigned host_number;             /* the user's display, :N */
	enum profile_clipboard clipboard; /* the bridge, started with the jailer */
};

void xserver_init(struct xserver *x, xserver_done_fn done);

/* Starts the nested server of a jail whose state directory is DIR_FD at
 * STATE_PATH, shown on the user's DISPLAY (the request's) with the
 * cookies of XAUTHORITY (the request's, NULL: HOME/.Xauthority), titled
 * after jail NAME; CLIPBOARD is the bridge xserver_start_clipboard() will
 * start. Returns 1 when it runs (X->done is called once it is ready or
 * gone), 0 when there is no local display to show it on (the jail gets no
 * X11), -errno. */
int xserver_start(struct ev_loop *loop, struct xserver *x, int dir_fd, const char *state_path,
                  const char *name, const char *display, const char *xauthority, const char *home,
                  enum profile_clipboard clipboard);

/* Once the nested server is ready and the jailer runs: the clipboard
 * bridge (libexec/jailsup/clipboard) between the user's display and the
 * nested one, confined as Xephyr is, under a tether that holds
 * JAILER_PIDFD (borrowed) and kills it when the jailer is gone. Returns 1
 * when it was started (it logs its own failures to the jail's log), 0 when
 * the profile asks for none (or the jail has no nested server), -errno. */
int xserver_start_clipboard(struct xserver *x, int dir_fd, const char *state_path, const char *name,
                            int jailer_pidfd);

/* Still starting: the jailer waits. */
bool xserver_pending(const struct xserver *x);

/* The fd the jailer must hold for its life (taken: the caller closes it
 * once the jailer has its copy), or -1. */
int xserver_take_life_fd(struct xserver *x);

/* Stops watching and lets go of every fd (the nested server dies with
 * them when no jailer holds the pipe), and removes its files. */
void xserver_done(struct ev_loop *loop, struct xserver *x, int dir_fd);

/* Whether an X server listens on socket X<NUMBER> of /tmp/.X11-unix. */
bool xserver_display_listening(unsigned number);

/* The host display number of DISPLAY (":N", ":N.S", "unix:N"), or -EINVAL
 * for a display that is not a local socket. */
int xserver_parse_display(const char *display, unsigned *ret);

#endif
