/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * first-window — the time-to-first-window row of `make bench`
 * (tests/bench/run): starts a command and exits once a top-level window
 * whose WM_CLASS contains CLASS is mapped, leaving the command running.
 *
 *   first-window [-c CLASS] [-t SECONDS] [-p PIDFILE] [-n STATEDIR] CMD [ARG…]
 *
 * The display is $DISPLAY, or with -n the nested X server of a jail
 * (supervisor/xserver.c): its socket STATEDIR/x11.sock and its cookie
 * STATEDIR/x11.auth, which exist only once the jail's start has made
 * them: both are waited for with inotify (the state directory itself
 * too), never polled. Windows are seen by SubstructureNotify on the root:
 * a MapNotify of a child of the root (a top-level window: no window
 * manager runs) whose WM_CLASS matches ends the wait; the ones mapped
 * before we listened are looked at once. The command runs in a session of
 * its own, its PID written to PIDFILE (for the hook that ends it). Exits
 * 0 on the window, 1 on a timeout or an error (said on stderr), so
 * bench-timer counts the round as failed.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <X11/Xauth.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

static const char *want_class = "firefox";
static uint64_t deadline_ns;
/* The command's pidfd: its exit before the window fails the round at once. */
static int child_fd = -1;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static int
ms_left(void)
{
	uint64_t n = now_ns();

	return n >= deadline_ns ? 0 : (int) ((deadline_ns - n) / 1000000u) + 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "first-window: %s\n", what);
	exit(1);
}

/* Waits (inotify, to the deadline) until DIR/NAME exists. */
static void
wait_path(const char *dir, const char *name)
{
	char path[4096];
	int fd, wd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		die("inotify_init1 failed");
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
		                      {.fd = child_fd, .events = POLLIN}};
		char buf[4096];

		/* The watch first, then the look: nothing made in between is missed. */
		wd = inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
		if (access(path, F_OK) == 0)
			break;
		if (wd < 0 && errno != ENOENT)
			die("inotify_add_watch failed");
		if (wd < 0) {
			/* DIR itself not there yet: wait for it in its parent. */
			char parent[4096], *slash;

			snprintf(parent, sizeof(parent), "%s", dir);
			slash = strrchr(parent, '/');
			if (slash == NULL || slash == parent)
				die("no such directory");
			*slash = '\0';
			close(fd);
			wait_path(parent, slash + 1);
			fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
			if (fd < 0)
				die("inotify_init1 failed");
			continue;
		}
		if (poll(p, 2, ms_left()) <= 0)
			die("timed out waiting for the nested display");
		if (p[1].revents != 0)
			die("the command exited before its window");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
}

/* The nested display of the jail whose state directory is DIR: a
 * connection on its socket with the cookie beside it. */
static xcb_connection_t *
connect_nested(const char *dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	xcb_auth_info_t auth = {};
	Xauth *xa = NULL;
	char path[4096];
	FILE *f;
	int fd;

	wait_path(dir, "x11.auth");
	wait_path(dir, "x11.sock");
	snprintf(path, sizeof(path), "%s/x11.auth", dir);
	f = fopen(path, "re");
	if (f == NULL)
		die("cannot open x11.auth");
	xa = XauReadAuth(f);
	fclose(f);
	if (xa == NULL)
		die("x11.auth holds no cookie");
	auth.name = xa->name;
	auth.namelen = xa->name_length;
	auth.data = xa->data;
	auth.datalen = xa->data_length;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/x11.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		die("cannot connect to the nested display");
	return xcb_connect_to_fd(fd, &auth);
}

/* Whether WIN's WM_CLASS (instance or class) contains the class we want. */
static bool
matches(xcb_connection_t *c, xcb_window_t win)
{
	xcb_get_property_reply_t *r;
	bool ok = false;

	r = xcb_get_property_reply(
	    c, xcb_get_property(c, 0, win, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 0, 256), NULL);
	if (r == NULL)
		return false;
	if (r->format == 8) {
		int len = xcb_get_property_value_length(r);
		const char *v = xcb_get_property_value(r);

		for (int i = 0; i < len && !ok;) {
			size_t n = strnlen(v + i, (size_t) (len - i));
			char s[257];

			snprintf(s, sizeof(s), "%.*s", (int) n, v + i);
			ok = strcasestr(s, want_class) != NULL;
			i += (int) n + 1;
		}
	}
	free(r);
	return ok;
}

/* A window mapped before we listened. */
static bool
already_mapped(xcb_connection_t *c, xcb_window_t root)
{
	xcb_query_tree_reply_t *t;
	bool found = false;

	t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	if (t == NULL)
		return false;
	xcb_window_t *kids = xcb_query_tree_children(t);
	for (int i = 0; i < xcb_query_tree_children_length(t) && !found; i++) {
		xcb_get_window_attributes_reply_t *a;

		a = xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, kids[i]), NULL);
		if (a != NULL && a->map_state != XCB_MAP_STATE_UNMAPPED)
			found = matches(c, kids[i]);
		free(a);
	}
	free(t);
	return found;
}

/* Until a matching top-level window of C is mapped. */
static void
wait_window(xcb_connection_t *c)
{
	xcb_screen_t *screen;
	uint32_t mask = XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY;

	if (c == NULL || xcb_connection_has_error(c))
		die("cannot connect to the display");
	screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_change_window_attributes(c, screen->root, XCB_CW_EVENT_MASK, &mask);
	xcb_flush(c);
	if (already_mapped(c, screen->root))
		return;
	for (;;) {
		struct pollfd p[2] = {{.fd = xcb_get_file_descriptor(c), .events = POLLIN},
		                      {.fd = child_fd, .events = POLLIN}};
		xcb_generic_event_t *e;

		while ((e = xcb_poll_for_event(c)) != NULL) {
			bool done = false;

			if ((e->response_type & 0x7f) == XCB_MAP_NOTIFY) {
				xcb_map_notify_event_t *m = (xcb_map_notify_event_t *) e;

				done = m->event == screen->root && matches(c, m->window);
			}
			free(e);
			if (done)
				return;
		}
		if (xcb_connection_has_error(c))
			die("the display went away");
		if (poll(p, 2, ms_left()) <= 0)
			die("timed out waiting for the window");
		if (p[1].revents != 0 && p[0].revents == 0)
			die("the command exited before its window");
	}
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *nested = NULL;
	xcb_connection_t *c = NULL;
	int opt, seconds = 60;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+c:t:p:n:")) != -1) {
		switch (opt) {
		case 'c':
			want_class = optarg;
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'n':
			nested = optarg;
			break;
		default:
			fprintf(stderr, "usage: first-window [-c CLASS] [-t SECONDS] [-p PIDFILE] "
			                "[-n STATEDIR] CMD [ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc)
		die("no command");
	deadline_ns = now_ns() + (uint64_t) seconds * 1000000000u;
	/* On the host's display we listen before the command starts. */
	if (nested == NULL) {
		c = xcb_connect(NULL, NULL);
		if (xcb_connection_has_error(c))
			die("cannot connect to $DISPLAY");
	}
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		if (c != NULL)
			close(xcb_get_file_descriptor(c));
		setsid();
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	child_fd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "we");

		if (f == NULL || fprintf(f, "%d\n", (int) pid) < 0 || fclose(f) != 0)
			die("cannot write the pid file");
	}
	if (nested != NULL)
		c = connect_nested(nested);
	wait_window(c);
	xcb_disconnect(c);
	return 0;
}
