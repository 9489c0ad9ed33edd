/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xserver.h: a jail's nested X server (Xephyr), confined and tied to the
 * jailer's life.
 *
 * The processes: the supervisor forks a child that becomes the tether
 * (helper_tether(), watching the life pipe); the tether's child forks,
 * through sandbox_fork(), Xephyr into new user, PID and network
 * namespaces, and waits for it. Xephyr is PID 1 of its PID namespace,
 * so a compromised Xephyr names no process of the user's.
 */
#include "supervisor/xserver.h"

#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>

#include "state/exe-paths.h"
#include "state/log.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"

/* Where Xephyr finds its cookies in its sandbox. */
#define SANDBOX_AUTH      "/run/jailsup/xserver.auth"
#define SANDBOX_HOST_AUTH "/run/jailsup/host.auth"
/* The fd -displayfd writes the display number to, once it listens. */
#define XSERVER_FD_READY 3
/* Xauthority families (X11/Xauth.h). */
#define XAUTH_FAMILY_LOCAL 256
#define XAUTH_FAMILY_WILD  65535
#define XAUTH_COOKIE_NAME  "MIT-MAGIC-COOKIE-1"
#define XAUTH_COOKIE_LEN   16
/* The nested screen: Xephyr's window, which the user may resize (the
 * jail's root window follows, through RandR). */
#define XSERVER_SCREEN "1280x800"

static struct sandbox_filter *xserver_filter;

void
xserver_init(struct xserver *x, xserver_done_fn done)
{
	*x = (struct xserver){.ready_fd = -1, .life_fd = -1, .dir_fd = -1, .done = done};
}

int
xserver_parse_display(const char *display, unsigned *ret)
{
	const char *colon;
	char num[16];
	size_t len;

	if (display == NULL)
		return -EINVAL;
	colon = strrchr(display, ':');
	if (colon == NULL || (colon != display && strncmp(display, "unix:", 5) != 0))
		return -EINVAL;
	len = strcspn(colon + 1, ".");
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, colon + 1, len);
	num[len] = '\0';
	return parse_uint(num, 0, 65535, ret);
}

/* Appends one counted field (u16 big-endian length, bytes) to OUT. */
static size_t
put_field(uint8_t *out, const void *field, size_t len)
{
	out[0] = (uint8_t) (len >> 8);
	out[1] = (uint8_t) (len & 0xff);
	memcpy(out + 2, field, len);
	return 2 + len;
}

/* Writes NAME in DIR_FD anew (0600, no link followed) from DATA. */
static int
write_secret(int dir_fd, const char *name, const void *data, size_t len)
{
	_cleanup_close_ int fd = -1;

	(void) unlinkat(dir_fd, name, 0);
	fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	return write_all(fd, data, len);
}

/* The nested server's cookie: one FamilyWild entry of display 0, which
 * the jailer copies into the jail under the number the jail knows it by
 * (the server itself does not look at the address or number). */
static int
write_cookie(int dir_fd)
{
	uint8_t cookie[XAUTH_COOKIE_LEN], out[64];
	size_t n = 0;
	int r;

	if (getrandom(cookie, sizeof(cookie), 0) != (ssize_t) sizeof(cookie))
		return -EIO;
	out[n++] = 0xff;
	out[n++] = 0xff;
	n += put_field(out + n, "", 0);
	n += put_field(out + n, "0", 1);
	n += put_field(out + n, XAUTH_COOKIE_NAME, strlen(XAUTH_COOKIE_NAME));
	n += put_field(out + n, cookie, sizeof(cookie));
	r = write_secret(dir_fd, STATE_X11_AUTH, out, n);
	explicit_bzero(cookie, sizeof(cookie));
	explicit_bzero(out, sizeof(out));
	return r;
}

/* Copies into STATE_X11_HOST_AUTH the entries of the user's Xauthority
 * PATH for the local display NUMBER, and nothing else (no cookie of
 * another display, a forwarded one say). Xephyr's sandbox keeps the
 * host's hostname, so the entries stay as they are. A missing file gives
 * an empty copy: a display may need no cookie. */
static int
write_host_cookies(int dir_fd, const char *path, unsigned number)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ uint8_t *out = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0, pos = 0, n = 0;
	char want[16];
	struct stat st;
	int r;

	fd = path != NULL ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		r = read_all(fd, 1024 * 1024, &buf, &len);
		if (r < 0)
			return r;
	}
	out = malloc(len + 1);
	if (out == NULL)
		return -ENOMEM;
	snprintf(want, sizeof(want), "%u", number);
	while (pos + 2 <= len) {
		const uint8_t *b = (const uint8_t *) buf, *start = b + pos;
		uint16_t family = (uint16_t) (b[pos] << 8 | b[pos + 1]);
		size_t field[4], flen[4];
		bool whole = true;

		pos += 2;
		for (int i = 0; i < 4 && whole; i++) {
			whole = pos + 2 <= len;
			if (!whole)
				break;
			flen[i] = (size_t) (b[pos] << 8 | b[pos + 1]);
			field[i] = pos + 2;
			pos += 2 + flen[i];
			whole = pos <= len;
		}
		if (!whole)
			break; /* truncated: what came before stands */
		if ((family == XAUTH_FAMILY_LOCAL || family == XAUTH_FAMILY_WILD) &&
		    flen[1] == strlen(want) && memcmp(b + field[1], want, flen[1]) == 0) {
			memcpy(out + n, start, (size_t) (b + pos - start));
			n += (size_t) (b + pos - start);
		}
	}
	r = write_secret(dir_fd, STATE_X11_HOST_AUTH, out, n);
	if (buf != NULL)
		explicit_bzero(buf, len);
	explicit_bzero(out, n);
	return r;
}

struct xserver_child {
	int dir_fd;
	int life_fd;      /* what the tether watches: the life pipe's write end, or a pidfd */
	const char *what; /* "Xephyr", "the clipboard bridge": for its errors */
	bool pass_ready;  /* the ready pipe becomes its fd 3 (Xephyr's -displayfd) */
	const char *exe;
	char **argv;
	char **envp;
	const struct sandbox *sb;
};

/* In the tether's child: forks Xephyr (or the clipboard bridge) into its
 * sandbox and waits for it. */
static _noreturn_ void
xserver_child(void *data, int ready_fd)
{
	const struct xserver_child *c = data;
	struct sandbox_error err = {};
	int null, out, st, r;
	pid_t pid;

	helper_tether(c->life_fd, -1, c->dir_fd, NULL);
	/* The helper's child now: ours are still all open. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	out = helper_open_log(c->dir_fd);
	if (out < 0)
		out = null;
	reset_signals_for_exec();
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(EXIT_TEMPORARY);
	if (c->exe == NULL) {
		dprintf(2, "jailsup: error: unable to run 'Xephyr', the jail's own X server: not "
		           "found in $PATH (install xserver-xephyr, or give the profile x11 = host "
		           "or deny x11)\n");
		_exit(127);
	}
	pid = sandbox_fork(c->sb);
	if (pid < 0) {
		dprintf(2, "jailsup: error: unable to confine %s: %s\n", c->what, strerror(-pid));
		_exit(EXIT_TEMPORARY);
	}
	if (pid == 0) {
		int w = c->pass_ready ? fcntl(ready_fd, F_DUPFD, 10) : 0;

		if (w < 0 || (c->pass_ready && dup2(w, XSERVER_FD_READY) < 0))
			_exit(EXIT_TEMPORARY);
		r = sandbox_enter(c->sb, &err);
		if (r < 0) {
			dprintf(2, "jailsup: error: unable to confine %s: %s%s%s%s: %s\n", c->what,
			        err.step, err.path != NULL ? " '" : "",
			        err.path != NULL ? err.path : "", err.path != NULL ? "'" : "",
			        strerror(-r));
			_exit(EXIT_TEMPORARY);
		}
		/* Set after the change of namespace, which clears it: the
		 * waiter gone, so are we. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			_exit(EXIT_TEMPORARY);
		/* Not the life pipe's ends nor the state dir: only stdio and
		 * (Xephyr's) the ready pipe. */
		(void) syscall(SYS_close_range, c->pass_ready ? XSERVER_FD_READY + 1 : 3, ~0u, 0);
		execve(c->exe, c->argv, c->envp);
		dprintf(2, "jailsup: error: unable to run '%s': %s\n", c->exe, strerror(errno));
		_exit(127);
	}
	/* The waiter holds nothing: the ready pipe must break when Xephyr
	 * dies, the life pipe when the jailer does. */
	(void) syscall(SYS_close_range, 3, ~0u, 0);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_TEMPORARY);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

static void ready_cb(struct ev_loop *loop, ev_io *w, int revents);

/* Whether an X server listens on socket X<NUMBER> of /tmp/.X11-unix: a
 * connect that does not wait (a full backlog still means a server). */
bool
xserver_display_listening(unsigned number)
{
	_cleanup_close_ int dir_fd = -1, fd = -1;
	char name[16];

	dir_fd = open("/tmp/.X11-unix", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return false;
	snprintf(name, sizeof(name), "X%u", number);
	fd = unix_connect_at(dir_fd, name, SOCK_STREAM, SOCK_NONBLOCK);
	return fd >= 0 || fd == -EAGAIN;
}

int
xserver_start(struct ev_loop *loop, struct xserver *x, int dir_fd, const char *state_path,
              const char *name, const char *display, const char *xauthority, const char *home,
              enum profile_clipboard clipboard)
{
	_cleanup_free_ char *found = NULL, *exe = NULL, *x11_dir = NULL, *auth = NULL,
	                    *host_auth = NULL, *host_sock = NULL, *xauth_path = NULL;
	char host_display[16], own_display[16], env_display[24], title[64 + JAIL_NAME_MAX];
	char *envp[] = {env_display, "XAUTHORITY=" SANDBOX_HOST_AUTH, NULL};
	char *argv[] = {"Xephyr",       own_display,  "-displayfd",  "3",
	                "-auth",        SANDBOX_AUTH, "-nolisten",   "tcp",
	                "-nolisten",    "local",      "-resizeable", "-screen",
	                XSERVER_SCREEN, "-title",     title,         "-no-host-grab",
	                "-noreset",     NULL};
	struct sandbox_bind binds[8];
	_cleanup_close_ int x11_fd = -1;
	int life[2] = {-1, -1};
	struct xserver_child c;
	unsigned number;
	size_t n = 0;
	pid_t pid;
	int r;

	if (xserver_parse_display(display, &number) < 0)
		return 0;
	if (asprintf(&host_sock, "/tmp/.X11-unix/X%u", number) < 0)
		return -ENOMEM;
	/* No server listens there (no socket, or one a server that is gone
	 * left): the jail gets no X11, as with any right whose service is not
	 * running, rather than a start that fails on Xephyr's error. */
	if (!xserver_display_listening(number)) {
		log_debug("jail '%s': no X server listens at '%s', no X11", name, host_sock);
		return 0;
	}
	x11_dir = path_join(state_path, STATE_X11_DIR);
	auth = path_join(state_path, STATE_X11_AUTH);
	host_auth = path_join(state_path, STATE_X11_HOST_AUTH);
	if (xauthority != NULL && xauthority[0] == '/')
		xauth_path = strdup(xauthority);
	else if (home != NULL && home[0] == '/')
		xauth_path = path_join(home, ".Xauthority");
	if (host_sock == NULL || x11_dir == NULL || auth == NULL || host_auth == NULL)
		return -ENOMEM;
	(void) unlinkat(dir_fd, STATE_X11_SOCK, 0);
	/* A fresh folder: nothing an earlier server left is seen by this one. */
	r = state_rm_rf(dir_fd, STATE_X11_DIR);
	if (r >= 0)
		r = state_dir_create(dir_fd, STATE_X11_DIR, &x11_fd, NULL);
	if (r >= 0)
		r = write_cookie(dir_fd);
	if (r >= 0)
		r = write_host_cookies(dir_fd, xauth_path, number);
	if (r < 0)
		return r;
	/* Its own number only has to differ from the host's, bound beside
	 * it: the folder and the network namespace are its alone. */
	snprintf(host_display, sizeof(host_display), ":%u", number);
	snprintf(own_display, sizeof(own_display), ":%u", number == 0 ? 1 : 0);
	snprintf(env_display, sizeof(env_display), "DISPLAY=%s", host_display);
	snprintf(title, sizeof(title), "jail %s (jailsup)", name);
	if (find_on_path("Xephyr", getenv("PATH"), &found) >= 0)
		exe = realpath(found, NULL);
	binds[n++] = (struct sandbox_bind){
	    .src = x11_dir, .dst = "/tmp/.X11-unix", .flags = SANDBOX_BIND_RW};
	binds[n++] = (struct sandbox_bind){.src = host_sock, .flags = SANDBOX_BIND_TRY};
	binds[n++] = (struct sandbox_bind){.src = auth, .dst = SANDBOX_AUTH};
	binds[n++] = (struct sandbox_bind){.src = host_auth, .dst = SANDBOX_HOST_AUTH};
	/* xkbcomp, which it runs, reads the keyboard's layout from here. */
	binds[n++] = (struct sandbox_bind){.src = "/etc/X11", .flags = SANDBOX_BIND_TRY};
	if (exe != NULL && !path_is_below(exe, "/usr"))
		binds[n++] = (struct sandbox_bind){.src = exe};
	if (xserver_filter == NULL)
		(void) sandbox_filter_new(&xserver_filter);
	if (pipe2(life, O_CLOEXEC) < 0)
		return -errno;
	c = (struct xserver_child){
	    .dir_fd = dir_fd,
	    .life_fd = life[1],
	    .what = "Xephyr",
	    .pass_ready = true,
	    .exe = exe,
	    .argv = argv,
	    .envp = envp,
	    .sb = &(struct sandbox){.binds = binds,
	                            .n_binds = n,
	                            .new_netns = true,
	                            .new_pidns = true,
	                            .tmp = true, /* its lock file, xkbcomp's output */
	                            .filter = xserver_filter},
	};
	r = helper_spawn(dir_fd, NULL, xserver_child, &c, &pid, &x->ready_fd);
	safe_close(life[1]);
	if (r < 0) {
		safe_close(life[0]);
		return r;
	}
	x->life_fd = life[0];
	x->dir_fd = dir_fd;
	x->n_number = 0;
	x->host_number = number;
	x->clipboard = clipboard;
	ev_io_init(&x->ready_w, ready_cb, x->ready_fd, EV_READ);
	ev_io_start(loop, &x->ready_w);
	log_debug("jail '%s': its X server (Xephyr %s on %s) starts under pid %d", name,
	          own_display, host_display, (int) pid);
	return 1;
}

int
xserver_start_clipboard(struct xserver *x, int dir_fd, const char *state_path, const char *name,
                        int jailer_pidfd)
{
	_cleanup_free_ char *exe = NULL, *sock = NULL, *auth = NULL, *host_auth = NULL;
	char host_sock[32], own_sock[32], host_display[16], own_display[16];
	const char *mode = profile_clipboard_to_string(x->clipboard);
	char *argv[] = {"clipboard",       (char *) name, (char *) mode, host_display,
	                SANDBOX_HOST_AUTH, own_display,   SANDBOX_AUTH,  NULL};
	char *envp[] = {NULL};
	_cleanup_close_ int tether_fd = -1;
	struct sandbox_bind binds[6];
	struct xserver_child c;
	unsigned own = x->host_number == 0 ? 1 : 0;
	size_t n = 0;
	pid_t pid;
	int r, ready_fd;

	/* Only a jail whose nested server is up (its socket moved, its
	 * cookies still there) has something to bridge. */
	if (x->clipboard == CLIPBOARD_OFF || mode == NULL || x->dir_fd < 0 || x->ready_fd >= 0 ||
	    x->n_number == 0)
		return 0;
	r = sibling_path("libexec/jailsup/clipboard", &exe);
	if (r < 0)
		return r;
	sock = path_join(state_path, STATE_X11_SOCK);
	auth = path_join(state_path, STATE_X11_AUTH);
	host_auth = path_join(state_path, STATE_X11_HOST_AUTH);
	if (sock == NULL || auth == NULL || host_auth == NULL)
		return -ENOMEM;
	snprintf(host_sock, sizeof(host_sock), "/tmp/.X11-unix/X%u", x->host_number);
	snprintf(own_sock, sizeof(own_sock), "/tmp/.X11-unix/X%u", own);
	snprintf(host_display, sizeof(host_display), ":%u", x->host_number);
	snprintf(own_display, sizeof(own_display), ":%u", own);
	/* The two displays' sockets and cookies, nothing else of the user's
	 * or the jail's: no home, no /tmp, no /proc, no network. */
	binds[n++] = (struct sandbox_bind){.src = host_sock, .flags = SANDBOX_BIND_TRY};
	binds[n++] = (struct sandbox_bind){.src = sock, .dst = own_sock};
	binds[n++] = (struct sandbox_bind){.src = auth, .dst = SANDBOX_AUTH};
	binds[n++] = (struct sandbox_bind){.src = host_auth, .dst = SANDBOX_HOST_AUTH};
	if (!path_is_below(exe, "/usr"))
		binds[n++] = (struct sandbox_bind){.src = exe};
	if (xserver_filter == NULL)
		(void) sandbox_filter_new(&xserver_filter);
	tether_fd = fcntl(jailer_pidfd, F_DUPFD_CLOEXEC, 3);
	if (tether_fd < 0)
		return -errno;
	c = (struct xserver_child){
	    .dir_fd = dir_fd,
	    .life_fd = tether_fd,
	    .what = "the clipboard bridge",
	    .exe = exe,
	    .argv = argv,
	    .envp = envp,
	    .sb = &(struct sandbox){.binds = binds,
	                            .n_binds = n,
	                            .new_netns = true,
	                            .new_pidns = true,
#if defined(__SANITIZE_ADDRESS__)
	                            /* AddressSanitizer reads its maps there. */
	                            .proc = true,
#endif
	                            .filter = xserver_filter},
	};
	r = helper_spawn(dir_fd, NULL, xserver_child, &c, &pid, &ready_fd);
	if (r < 0)
		return r;
	/* Nothing to wait for: it serves as soon as it is connected, and what
	 * goes wrong it says in the jail's log. */
	safe_close(ready_fd);
	log_debug("jail '%s': its clipboard bridge (%s) starts under pid %d", name, mode,
	          (int) pid);
	return 1;
}

/* Moves the socket X<NUMBER> out of the server's folder into the state
 * directory, where the jailer takes it: a socket, or nothing. */
static int
publish(int dir_fd, const char *number)
{
	_cleanup_close_ int fd = -1;
	char sock[32];
	struct stat st;

	fd = openat(dir_fd, STATE_X11_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(sock, sizeof(sock), "X%s", number);
	if (fstatat(fd, sock, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode) || st.st_uid != getuid())
		return -ENOTSOCK;
	if (renameat(fd, sock, dir_fd, STATE_X11_SOCK) < 0)
		return -errno;
	return 0;
}

static void
ready_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xserver *x = container_of(w, struct xserver, ready_w);
	char buf[8];
	unsigned number;
	ssize_t n;
	int r;

	(void) revents;
	n = read(x->ready_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			x->number[x->n_number] = '\0';
			ev_io_stop(loop, w);
			x->ready_fd = safe_close(x->ready_fd);
			if (parse_uint(x->number, 0, 65535, &number) < 0) {
				x->done(loop, x, -EBADMSG, "Xephyr reported a bad display number");
				return;
			}
			r = publish(x->dir_fd, x->number);
			x->done(loop, x, r, r < 0 ? "unable to move Xephyr's socket" : NULL);
			return;
		}
		if (x->n_number + 1 >= sizeof(x->number)) {
			n = 0;
			break;
		}
		x->number[x->n_number++] = buf[i];
	}
	if (n > 0)
		return;
	ev_io_stop(loop, w);
	x->ready_fd = safe_close(x->ready_fd);
	x->done(
	    loop, x, -ECHILD,
	    "Xephyr, the jail's own X server, exited before it was ready (its reason is above)");
}

bool
xserver_pending(const struct xserver *x)
{
	return x->ready_fd >= 0;
}

int
xserver_take_life_fd(struct xserver *x)
{
	return TAKE_FD(x->life_fd);
}

void
xserver_done(struct ev_loop *loop, struct xserver *x, int dir_fd)
{
	if (x->ready_fd >= 0) {
		ev_io_stop(loop, &x->ready_w);
		x->ready_fd = safe_close(x->ready_fd);
	}
	x->life_fd = safe_close(x->life_fd);
	if (dir_fd < 0)
		return;
	(void) unlinkat(dir_fd, STATE_X11_SOCK, 0);
	(void) unlinkat(dir_fd, STATE_X11_AUTH, 0);
	(void) unlinkat(dir_fd, STATE_X11_HOST_AUTH, 0);
	(void) state_rm_rf(dir_fd, STATE_X11_DIR);
}
