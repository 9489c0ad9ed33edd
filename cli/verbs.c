/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verbs that talk to the supervisor or read the state directories:
 * daemon, list, kill, and the CLI's side of a START on the control socket
 * (starting the supervisor when none answers); and new, which writes a
 * profile.
 *
 * list and kill read the state directories directly, so they work with no
 * supervisor; every PID they use is checked by start time and command
 * name, and kill signals through a pidfd.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/client.h"
#include "cli/encrypt.h"
#include "cli/start.h"
#include "cli/verbs.h"
#include "ini-profiles/profile.h"
#include "state/control.h"
#include "state/exe-paths.h"
#include "state/jail-state.h"
#include "state/log.h"
#include "state/state.h"

#define KILL_GRACE_MS 5000

extern char **environ;

static int
open_runtime(bool create, int *ret_root, int *ret_jails)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	int r;

	if (runtime == NULL || runtime[0] != '/')
		return log_error("$XDG_RUNTIME_DIR is not set (log in through a session "
				 "manager, or set it to a private folder)"),
		       -EINVAL;
	r = state_runtime_open(runtime, create, ret_root, ret_jails);
	if (r < 0 && r != -ENOENT)
		log_error_errno(r, "unable to open '%s/%s'", runtime, STATE_RUNTIME_SUBDIR);
	return r;
}

/* snprintf(DST, SIZE, "%s", SRC) without the format machinery: list
 * copies three values per jail, 1000 jails are 3000 vfprintf() calls
 * (docs/architecture.md §9). Truncates the same way. */
static void
copy_value(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Monotonic milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long the CLI waits for a word from the supervisor (control.h). */
static int
answer_timeout_ms(void)
{
	const char *t = getenv("JAILSUP_ANSWER_TIMEOUT");
	unsigned v;

	if (t != NULL && parse_uint(t, 1, 3600, &v) == 0)
		return (int) v * 1000;
	return CONTROL_ANSWER_TIMEOUT_S * 1000;
}

/* The milliseconds left until DEADLINE, 0 when it passed. */
static int
ms_left(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? (int) left : 0;
}

/* Says that the supervisor did not answer within the bound, naming it
 * (daemon.pid, its start time checked) and what can be done. */
static void
log_supervisor_silent(int root_fd, const char *what)
{
	int secs = answer_timeout_ms() / 1000;
	struct proc_id id;

	if (root_fd >= 0 && proc_id_read_at(root_fd, STATE_DAEMON_PID, &id) >= 0 &&
	    proc_id_alive(&id) > 0)
		log_error("the supervisor (pid %d) has not %s for %d s: it may be stopped (kill "
			  "-CONT %d) or wedged (restart it: systemctl --user restart jailsup, or "
			  "kill %d and run again; the jails keep running)",
			  (int) id.pid, what, secs, (int) id.pid, (int) id.pid);
	else
		log_error("the supervisor has not %s for %d s (see its log '%s/jailsup/"
			  "daemon.log')",
			  what, secs, getenv("XDG_RUNTIME_DIR"));
}

/* Connects to the control socket, within DEADLINE: a supervisor that is
 * stopped fills its listen backlog, and a connect() to a full backlog
 * would otherwise block for good. -ETIMEDOUT past it. */
static int
connect_control(int root_fd, int64_t deadline, int *ret)
{
	int fd;

	for (;;) {
		fd = unix_connect_at(root_fd, STATE_CONTROL_SOCK, SOCK_SEQPACKET, SOCK_NONBLOCK);
		if (fd >= 0) {
			*ret = fd;
			return 0;
		}
		if (fd != -EAGAIN && fd != -EINTR)
			return fd;
		if (ms_left(deadline) == 0)
			return -ETIMEDOUT;
		(void) poll(NULL, 0, 20); /* the backlog is full: try again shortly */
	}
}

/* Runs `jailsup daemon`, which returns once its control socket is bound.
 * Exit 100 means another one won the lock: also fine. */
static int
spawn_daemon(int64_t deadline)
{
	_cleanup_free_ char *supervisor = NULL;
	_cleanup_close_ int pidfd = -1;
	char *argv[] = { "jailsup", "daemon", NULL };
	int status, r;
	pid_t pid;

	r = sibling_path(SUPERVISOR_BIN, &supervisor);
	if (r < 0)
		return r;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* The supervisor outlives us: it must not keep our caller's fds
		 * (a pipe someone waits on for EOF, say). */
		(void) syscall(SYS_close_range, 3, ~0u, 0);
		execve(supervisor, argv, environ);
		_exit(127);
	}
	/* Bounded too: a supervisor stopped before it detached. */
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		for (;;) {
			r = poll(&p, 1, ms_left(deadline));
			if (r > 0 || (r < 0 && errno != EINTR))
				break;
			if (ms_left(deadline) == 0) {
				(void) kill(pid, SIGKILL); /* our unreaped child */
				(void) waitpid(pid, NULL, 0);
				return -ETIMEDOUT;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 100))
		return 0;
	return -ECHILD;
}

/* Takes LOCK_FD's flock within DEADLINE: the CLI that holds it may be
 * waiting for a supervisor that does not answer. */
static int
lock_bounded(int lock_fd, int64_t deadline)
{
	while (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (ms_left(deadline) == 0)
			return -ETIMEDOUT;
		(void) poll(NULL, 0, 20);
	}
	return 0;
}

/* Connects to the supervisor, starting it when none answers. A lock makes
 * concurrent CLIs start it once: the others wait, then connect. Every
 * wait is bounded (answer_timeout_ms()). *RET_ROOT is the runtime folder,
 * for naming the supervisor later. */
static int
control_connect_or_spawn(int *ret, int *ret_root)
{
	_cleanup_close_ int root = -1, lock = -1;
	int64_t deadline = now_ms() + answer_timeout_ms();
	int r;

	r = open_runtime(true, &root, NULL);
	if (r < 0)
		return r;
	r = connect_control(root, deadline, ret);
	if (r == -ETIMEDOUT)
		return log_supervisor_silent(root, "accepted our connection"), r;
	if (r == 0)
		goto done;
	lock = openat(root, "spawn.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return log_error_errno(-errno, "unable to lock the supervisor's start");
	r = lock_bounded(lock, deadline);
	if (r == -ETIMEDOUT)
		return log_error("another jailsup has been starting the supervisor for %d s, "
				 "giving up (see '%s/jailsup/daemon.log')",
				 answer_timeout_ms() / 1000, getenv("XDG_RUNTIME_DIR")),
		       r;
	if (r < 0)
		return log_error_errno(r, "unable to lock the supervisor's start");
	r = connect_control(root, deadline, ret);
	if (r == -ETIMEDOUT)
		return log_supervisor_silent(root, "accepted our connection"), r;
	if (r == 0)
		goto done;
	r = spawn_daemon(deadline);
	if (r < 0)
		return log_error_errno(r, "unable to start the supervisor (see `jailsup daemon "
					  "--foreground`)");
	r = connect_control(root, deadline, ret);
	if (r == -ETIMEDOUT)
		return log_supervisor_silent(root, "accepted our connection"), r;
	if (r < 0)
		return log_error_errno(r, "unable to reach the supervisor");
done:
	*ret_root = TAKE_FD(root);
	return 0;
}

/* An encoded request, wiped before it is freed. */
struct erased_msg {
	void *data;
	size_t len;
};

static void
erased_msg_done(struct erased_msg *m)
{
	erase_secret(m->data, m->len);
	free(m->data);
}

/* The start's progress, once the wait has grown long enough to be
 * noticed: each message once. What it shows is made printable. */
#define PROGRESS_QUIET_MS 2000

static void
show_progress(const char *name, const char *text, char *shown, size_t size)
{
	char clean[128];
	size_t i;

	for (i = 0; i + 1 < sizeof(clean) && text[i] != '\0'; i++)
		clean[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	clean[i] = '\0';
	if (streq(clean, shown))
		return;
	copy_value(shown, size, clean);
	log_info("jail '%s': %s", name, clean);
}

/* Sends MSG and waits for the REPLY, reading PROGRESS messages on the
 * way; each resets the bound on silence. 0 and *RET (borrowing BUF) or
 * -errno, said. */
static int
exchange_start(int fd, int root_fd, const char *name, const struct erased_msg *msg, char *buf,
	       struct control_msg *ret)
{
	int64_t begun = now_ms(), deadline = begun + answer_timeout_ms();
	char pending[128] = "", shown[128] = "";
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t n;
	int r;

	for (;;) {
		if (send(fd, msg->data, msg->len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			return log_error_errno(-errno, "unable to talk to the supervisor");
		r = poll(&p, 1, ms_left(deadline));
		if (r == 0 && ms_left(deadline) == 0)
			return log_supervisor_silent(root_fd, "read our request"), -ETIMEDOUT;
	}
	p.events = POLLIN;
	for (;;) {
		struct control_msg m = {};
		const char *text;

		r = poll(&p, 1, ms_left(deadline));
		if (r < 0 && errno != EINTR)
			return log_error_errno(-errno, "unable to wait for the supervisor");
		if (r <= 0) {
			if (ms_left(deadline) == 0)
				return log_supervisor_silent(root_fd, "answered"), -ETIMEDOUT;
			continue;
		}
		n = recv(fd, buf, CONTROL_MSG_MAX, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0 || control_decode(buf, (size_t) n, &m) < 0 ||
		    (m.type != CONTROL_REPLY && m.type != CONTROL_PROGRESS)) {
			control_msg_done(&m);
			return log_error("the supervisor gave no answer (see its log '%s/jailsup/"
					 "daemon.log')",
					 getenv("XDG_RUNTIME_DIR")),
			       -EBADMSG;
		}
		if (m.type == CONTROL_REPLY) {
			*ret = m;
			return 0;
		}
		/* It is alive and busy with our start: a new bound. */
		deadline = now_ms() + answer_timeout_ms();
		text = control_get(&m, "message");
		if (text != NULL)
			copy_value(pending, sizeof(pending), text);
		control_msg_done(&m);
		if (pending[0] != '\0' && now_ms() - begun >= PROGRESS_QUIET_MS)
			show_progress(name, pending, shown, sizeof(shown));
	}
}

/* The lines of TEXT as warnings, made printable: they hold values of the
 * environment, which may hold anything. */
static void
show_warnings(const char *text)
{
	char line[256];

	while (*text != '\0') {
		size_t len = strcspn(text, "\n"), i;

		for (i = 0; i < len && i + 1 < sizeof(line); i++)
			line[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
		line[i] = '\0';
		log_warn("%s", line);
		text += len;
		if (*text == '\n')
			text++;
	}
}

int
jail_request_start(const char *name, bool created_profile)
{
	static const char *const passed[] = {
		"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "SESSION_MANAGER",
		"DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS", "PULSE_SERVER",
		"XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP",
		"XDG_SESSION_TYPE", "DESKTOP_SESSION", "KDE_FULL_SESSION", "KDE_SESSION_VERSION",
		"QT_QPA_PLATFORM", "GDK_BACKEND",
	};
	/* Wiped, not only freed: they may hold an encrypted home's password. */
	_cleanup_(strv_free_erasep) char **fields = NULL;
	_cleanup_(erased_msg_done) struct erased_msg msg = {};
	_cleanup_free_ char *f = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1, root = -1;
	struct control_msg reply = {};
	const char *status, *text;
	int r, code = EXIT_JAILSUP_FAILED;

	if (asprintf(&f, "name=%s", name) < 0 || strv_push(&fields, f) < 0 ||
	    strv_push(&fields, created_profile ? "created-profile=1" : "created-profile=0") < 0)
		return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	for (size_t i = 0; i < ELEMENTSOF(passed); i++) {
		const char *v = getenv(passed[i]);
		_cleanup_free_ char *e = NULL;

		if (v != NULL && asprintf(&e, "env=%s=%s", passed[i], v) >= 0)
			(void) strv_push(&fields, e);
	}
	r = crypt_request_password(name, &fields);
	if (r != 0)
		return r;
	r = control_encode(CONTROL_START, fields, &msg.data, &msg.len);
	if (r < 0)
		return log_error_errno(r, "unable to encode the start request"),
		       EXIT_JAILSUP_FAILED;
	r = control_connect_or_spawn(&fd, &root);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	buf = malloc(CONTROL_MSG_MAX);
	if (buf == NULL)
		return EXIT_JAILSUP_FAILED;
	r = exchange_start(fd, root, name, &msg, buf, &reply);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	status = control_get(&reply, "status");
	text = control_get(&reply, "message");
	if (status != NULL && streq(status, "ok")) {
		/* What the jail starts without (a display the session names
		 * but does not have), one warning a line. */
		if (text != NULL && text[0] != '\0')
			show_warnings(text);
		control_msg_done(&reply);
		return 0;
	}
	/* The end of the jail's log: a jail wrote some of it, so it is
	 * escaped before it reaches a terminal. */
	if (text != NULL && text[0] != '\0')
		(void) text_write_escaped(STDERR_FILENO, text);
	if (text != NULL && text[0] != '\0' && text[strlen(text) - 1] != '\n')
		(void) write_all(STDERR_FILENO, "\n", 1);
	{
		const char *c = control_get(&reply, "code");
		unsigned v;

		if (c != NULL && parse_uint(c, 1, 255, &v) == 0)
			code = (int) v;
	}
	log_error("jail '%s' did not start", name);
	control_msg_done(&reply);
	return code;
}

/* The supervisor is a binary of its own (supervisor-main.c), run with
 * our argv: its command line is `jailsup daemon …` all the same. */
int
verb_daemon(int argc, char **argv)
{
	_cleanup_free_ char *supervisor = NULL;
	char **full = calloc((size_t) argc + 3, sizeof(char *));
	int r;

	if (full == NULL)
		return log_error("out of memory"), EXIT_TEMPORARY;
	full[0] = "jailsup";
	full[1] = "daemon";
	for (int i = 0; i < argc; i++)
		full[i + 2] = argv[i];
	r = sibling_path(SUPERVISOR_BIN, &supervisor);
	if (r < 0)
		return log_error_errno(r, "unable to find the supervisor"), EXIT_TEMPORARY;
	execve(supervisor, full, environ);
	log_error_errno(-errno, "unable to run the supervisor '%s'", supervisor);
	free(full);
	return EXIT_TEMPORARY;
}

struct jail_row {
	char *name;
	const char *status;
	pid_t pid;
	int apps;
	long uptime;
	char started[32];
	char network[16];
	bool secure, autodelete;
	char encrypted[16];
	char why[160]; /* for `list -v`: why the status is not the state file's word */
};

static long
seconds_since(const char *iso)
{
	struct tm tm = {};
	char *end;

	end = strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (long) (time(NULL) - timegm(&tm));
}

static bool
stat_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The status of a jail without a state file we can read, or whose state
 * is not borne out by its processes: STATE (may be NULL) as far as it
 * goes, its jailer and what lingers for the rest. */
static void
row_from_processes(int jails_fd, const char *name, const struct kv_list *st, const char *said,
		   struct jailer_scan *scan, struct jail_row *row)
{
	struct proc_id jailer;
	const char *what = NULL;

	if (jail_jailer(jails_fd, name, st, scan, &jailer) == 0) {
		struct proc_id rec;

		row->pid = jailer.pid;
		row->apps = jail_count_apps(jailer.pid);
		if (st != NULL && row->why[0] == '\0' &&
		    (jail_state_jailer(st, &rec) < 0 || rec.pid != jailer.pid))
			snprintf(row->why, sizeof(row->why),
				 "its state names no live jailer; jailer %d holds its iso-pipe",
				 (int) jailer.pid);
		if (row->status != NULL && streq(row->status, "unknown"))
			return; /* a live jailer, but nothing we can read says more */
		/* Running only from a live jailer: the state's word when it
		 * is one of a live jail, else what we know. */
		if (said != NULL && (streq(said, "starting") || streq(said, "running") ||
				     streq(said, "degraded") || streq(said, "stopping")))
			row->status = said;
		else if (st == NULL && said == NULL)
			row->status = "running"; /* `run --no-daemon`: no state file */
		else {
			row->status = "unknown";
			if (row->why[0] == '\0')
				snprintf(row->why, sizeof(row->why),
					 "its state says '%s' but its jailer (pid %d) runs",
					 said != NULL ? said : "?", (int) jailer.pid);
		}
		return;
	}
	if (jail_lingers(jails_fd, name, st, &what) != 0) {
		/* Never "stopped" while anything of the jail is left. */
		if (row->status == NULL || !streq(row->status, "unknown"))
			row->status = said != NULL && streq(said, "starting") ? "starting"
									    : "stopping";
		if (row->why[0] == '\0')
			snprintf(row->why, sizeof(row->why), "no jailer, but %s is still there", what);
		return;
	}
	if (row->status != NULL && streq(row->status, "unknown"))
		return;
	row->status = said != NULL && streq(said, "failed") ? "failed" : "stopped";
}

/* One jail's row, from its state file and /proc. The state file is any
 * process of the user's to write, so it is read as hostile input (no link
 * followed, a regular file of ours, size-capped, a FIFO never opened) and
 * what it claims is checked: "running" only with a live jailer (PID, start
 * time and name), never "stopped" while a helper, the encrypted home or a
 * process holding the directory's lock is left, "unknown" when it cannot
 * be read. */
static int
read_row(int jails_fd, const char *name, struct jailer_scan *scan, struct jail_row *row)
{
	_cleanup_close_ int dir = -1;
	_cleanup_free_ char *text = NULL;
	struct stat dir_st, state_st;
	struct kv_list st = {};
	unsigned line = 0;
	const char *v, *said;
	size_t len;
	int r;

	row->name = (char *) name;
	row->apps = -1;
	snprintf(row->network, sizeof(row->network), "?");
	snprintf(row->encrypted, sizeof(row->encrypted), "false");
	/* The state file without opening the directory (half the system
	 * calls per jail, and `list` reads every jail's); the directory only
	 * when there is none. */
	r = state_jail_read_file_stat(jails_fd, name, STATE_STATE, KV_FILE_MAX, &text, &len,
				      &dir_st, &state_st);
	if (r >= 0) {
		r = kv_parse(text, len, &st, &line);
		if (r < 0)
			snprintf(row->why, sizeof(row->why), "its state file is malformed (line %u)",
				 line);
	} else if (r != -ENOENT)
		snprintf(row->why, sizeof(row->why), "its state file cannot be read: %s",
			 strerror(-r));
	if (r < 0) {
		bool missing = r == -ENOENT;

		/* Not a state directory of ours: no row at all. */
		r = state_dir_open(jails_fd, name, &dir);
		if (r < 0)
			return r;
		kv_list_done(&st);
		if (!missing)
			row->status = "unknown";
		/* A jail of `run --no-daemon` has no state file: its jailer
		 * says whether it runs (a FIFO planted as its iso-pipe says
		 * nothing). */
		row_from_processes(jails_fd, name, NULL, NULL, scan, row);
		return 0;
	}
	/* Our own copy of the word: the state's text goes with it below. */
	said = jail_status_to_string(jail_status_from_string(kv_get(&st, STATE_KEY_STATUS)));
	if (said == NULL) {
		snprintf(row->why, sizeof(row->why), "its state file has no valid status");
		row->status = "unknown";
		said = NULL;
	}
	/* A state that says stopped, in a directory unchanged since it was
	 * written, needs no look at processes: the supervisor writes it
	 * once the jail and its helpers are gone (and `list` of 1000 stopped
	 * jails saved an open of /proc per jail). A directory
	 * changed since (a pid file, a new iso-pipe) is looked at. */
	if (said != NULL && streq(said, "stopped") &&
	    !stat_after(&dir_st.st_mtim, &state_st.st_ctim))
		row->status = "stopped";
	else
		row_from_processes(jails_fd, name, &st, said, scan, row);
	v = kv_get(&st, STATE_KEY_STARTED);
	copy_value(row->started, sizeof(row->started), v != NULL ? v : "");
	row->uptime = row->pid > 0 && v != NULL ? seconds_since(v) : -1;
	v = kv_get(&st, STATE_KEY_NETWORK);
	copy_value(row->network, sizeof(row->network), v != NULL ? v : "?");
	v = kv_get(&st, STATE_KEY_ENCRYPTED);
	copy_value(row->encrypted, sizeof(row->encrypted), v != NULL ? v : "false");
	row->secure = (v = kv_get(&st, STATE_KEY_SECURE)) != NULL && streq(v, "true");
	row->autodelete = (v = kv_get(&st, STATE_KEY_AUTODELETE)) != NULL && streq(v, "true");
	kv_list_done(&st);
	return 0;
}

static void
format_uptime(long s, char *buf, size_t size)
{
	if (s < 0)
		copy_value(buf, size, "-");
	else if (s < 3600)
		snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, size, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
}

int
verb_list(int argc, char **argv)
{
	_cleanup_close_ int jails = -1;
	_cleanup_strv_ char **names = NULL;
	_cleanup_(jailer_scan_done) struct jailer_scan scan = {};
	bool json = false, verbose = false, first = true;
	int r;

	for (int i = 0; i < argc; i++) {
		if (streq(argv[i], "--json"))
			json = true;
		else if (streq(argv[i], "-v") || streq(argv[i], "--verbose"))
			verbose = true;
		else if (streq(argv[i], "--help")) {
			printf("usage: jailsup list [--json] [-v|--verbose]\n");
			return 0;
		} else {
			log_error("list: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	r = open_runtime(false, NULL, &jails);
	if (r == -ENOENT) {
		printf(json ? "[]\n" : "no jails\n");
		return 0;
	}
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	r = state_list_jails(jails, &names);
	if (r < 0)
		return log_error_errno(r, "unable to list the jails"), EXIT_JAILSUP_FAILED;
	if (json)
		printf("[");
	else if (names == NULL || names[0] == NULL) {
		printf("no jails\n");
		return 0;
	} else
		printf("%-24s %-9s %8s %5s %8s %-6s %s\n", "NAME", "STATUS", "PID", "APPS", "UPTIME",
		       "NET", "FLAGS");
	for (char **n = names; n != NULL && *n != NULL; n++) {
		struct jail_row row = {};
		char uptime[32], pid_s[16] = "-", apps_s[16] = "-";

		if (read_row(jails, *n, &scan, &row) < 0)
			continue;
		if (json) {
			printf("%s\n  {\"name\": ", first ? "" : ",");
			json_print_string(row.name);
			printf(", \"status\": \"%s\", \"pid\": ", row.status);
			if (row.pid > 0)
				printf("%d", (int) row.pid);
			else
				printf("null");
			printf(", \"apps\": %d, \"started\": ", row.apps < 0 ? 0 : row.apps);
			if (row.started[0] != '\0')
				json_print_string(row.started);
			else
				printf("null");
			printf(", \"network\": ");
			json_print_string(row.network);
			printf(", \"secure\": %s, \"autodelete\": %s, \"encrypted\": ",
			       row.secure ? "true" : "false", row.autodelete ? "true" : "false");
			if (streq(row.encrypted, "false"))
				printf("false");
			else
				json_print_string(row.encrypted);
			printf(", \"why\": ");
			if (row.why[0] != '\0')
				json_print_string(row.why);
			else
				printf("null");
			printf("}");
			first = false;
			continue;
		}
		format_uptime(row.uptime, uptime, sizeof(uptime));
		if (row.pid > 0)
			snprintf(pid_s, sizeof(pid_s), "%d", (int) row.pid);
		if (row.apps >= 0)
			snprintf(apps_s, sizeof(apps_s), "%d", row.apps);
		printf("%-24s %-9s %8s %5s %8s %-6s %s%s%s\n", row.name, row.status, pid_s, apps_s,
		       uptime, row.network, row.secure ? "secure " : "",
		       row.autodelete ? "autodelete " : "",
		       streq(row.encrypted, "false") ? "" : row.encrypted);
		/* Below its row, indented: the columns above stay as they are. */
		if (verbose && row.why[0] != '\0')
			printf("  %s: %s\n", row.name, row.why);
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	return 0;
}

static int
wait_pidfd(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r;
}

/* A jail with no jailer (a start whose supervisor died before the jailer
 * ran) may still have helpers: each verified by start time and name, and
 * ended by its signal. The number ended. */
static int
kill_helpers_of(int dir_fd, const char *name)
{
	int n = 0;

	for (size_t i = 0; i < JAIL_HELPERS_N; i++) {
		struct proc_id id;

		if (proc_id_read_at(dir_fd, jail_helpers[i].pid_file, &id) < 0 ||
		    proc_id_is(&id, jail_helpers[i].comm) <= 0)
			continue;
		if (proc_id_kill(&id, jail_helpers[i].sig) == 0) {
			log_info("jail '%s' has no jailer: ended its %s (pid %d)", name,
				 jail_helpers[i].comm, (int) id.pid);
			n++;
		}
	}
	return n;
}

/* SIGTERM to the jail's jailer (which passes it on to every process of the
 * jail), SIGKILL after the grace period (the jail dies with its jailer),
 * and back once the jailer is gone. The jailer is the one `list` shows:
 * the state's, else the one found holding the iso-pipe (a start whose
 * supervisor died before it recorded the PID). QUIET: a jail that is not
 * running is no news (`kill --all` means the running ones). */
static int
kill_jail(int jails_fd, const char *name, bool quiet)
{
	_cleanup_(jailer_scan_done) struct jailer_scan scan = {};
	_cleanup_close_ int dir = -1, pidfd = -1;
	struct kv_list st = {};
	struct proc_id jailer;
	int r;

	r = state_dir_open(jails_fd, name, &dir);
	if (r == -ENOENT && quiet) /* gone since it was listed */
		return EXIT_NOT_RUNNING;
	if (r == -ENOENT)
		return log_error("no jail named '%s' (see `jailsup list`)", name), EXIT_NO_JAIL;
	if (r < 0)
		return log_error_errno(r, "unable to open the state of jail '%s'", name),
		       EXIT_JAILSUP_FAILED;
	r = kv_read_at(dir, STATE_STATE, &st, NULL);
	r = jail_jailer(jails_fd, name, r >= 0 ? &st : NULL, &scan, &jailer);
	kv_list_done(&st);
	if (r == 0)
		r = proc_id_open_pidfd(&jailer, &pidfd);
	if (r < 0) {
		if (kill_helpers_of(dir, name) > 0)
			return 0;
		if (!quiet)
			log_error("jail '%s' is not running", name);
		return EXIT_NOT_RUNNING;
	}
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0 && errno != ESRCH)
		return log_error_errno(-errno, "unable to signal jail '%s'", name),
		       EXIT_JAILSUP_FAILED;
	if (wait_pidfd(pidfd, KILL_GRACE_MS) == 0) {
		log_info("jail '%s' did not end within %d s, killing it", name, KILL_GRACE_MS / 1000);
		(void) syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		(void) wait_pidfd(pidfd, -1);
	}
	return 0;
}

int
verb_kill(int argc, char **argv)
{
	_cleanup_close_ int jails = -1;
	_cleanup_strv_ char **names = NULL;
	bool all = false;
	int r, ret = 0;

	for (int i = 0; i < argc; i++) {
		if (streq(argv[i], "--all"))
			all = true;
		else if (streq(argv[i], "--help")) {
			printf("usage: jailsup kill NAME... | --all\n");
			return 0;
		} else if (argv[i][0] == '-') {
			log_error("kill: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		} else if (!jail_name_valid(argv[i])) {
			log_error("'%s' is not a valid jail name", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!all && argc == 0) {
		log_error("kill: a jail NAME or --all is needed");
		return EXIT_USAGE;
	}
	if (all && argc > 1) {
		log_error("kill: --all takes no jail NAME");
		return EXIT_USAGE;
	}
	r = open_runtime(false, NULL, &jails);
	if (r == -ENOENT)
		return all ? 0 : (log_error("no jail named '%s'", argv[0]), EXIT_NO_JAIL);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	if (all) {
		r = state_list_jails(jails, &names);
		if (r < 0)
			return log_error_errno(r, "unable to list the jails"), EXIT_JAILSUP_FAILED;
		for (char **n = names; *n != NULL; n++) {
			r = kill_jail(jails, *n, true);
			if (r != 0 && r != EXIT_NOT_RUNNING)
				ret = r;
		}
		return ret;
	}
	for (int i = 0; i < argc; i++) {
		r = kill_jail(jails, argv[i], false);
		if (r != 0)
			ret = r;
	}
	return ret;
}

/* jailsup new NAME --exec PATH [--secure] [--autodelete] [--encrypt[=B]]: writes
 * $XDG_CONFIG_HOME/jailsup/profiles/NAME.ini. A profile of that name in any
 * search folder is refused: a new user profile would silently replace the
 * policy of a system or shipped one (copy that file to change it). */
int
verb_new(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_free_ char *shipped = NULL, *existing = NULL, *exec = NULL, *path = NULL;
	_cleanup_free_ char *cwd = NULL;
	struct exe_resolution exe = {};
	const char *name = NULL, *arg_exec = NULL;
	bool secure = false, autodelete = false;
	enum crypt_backend crypt = CRYPT_NONE;
	struct profile_env env;
	int r;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (streq(a, "--exec")) {
			if (++i >= argc) {
				log_error("new: --exec needs a PATH");
				return EXIT_USAGE;
			}
			arg_exec = argv[i];
		} else if (strstartswith(a, "--exec="))
			arg_exec = a + strlen("--exec=");
		else if (streq(a, "--secure"))
			secure = true;
		else if (streq(a, "--autodelete"))
			autodelete = true;
		else if (streq(a, "--encrypt"))
			crypt = CRYPT_GOCRYPTFS; /* maintained and audited: the default */
		else if (strstartswith(a, "--encrypt=")) {
			crypt = crypt_backend_from_string(a + strlen("--encrypt="));
			if (crypt < 0) {
				log_error("new: --encrypt takes 'gocryptfs' or 'encfs', not '%s'",
					  a + strlen("--encrypt="));
				return EXIT_USAGE;
			}
		} else if (streq(a, "--help")) {
			printf("usage: jailsup new NAME --exec PATH [--secure] [--autodelete] "
			       "[--encrypt[=gocryptfs|encfs]]\n");
			return 0;
		} else if (a[0] == '-' && a[1] != '\0') {
			log_error("new: unknown option '%s'", a);
			return EXIT_USAGE;
		} else if (name == NULL)
			name = a;
		else {
			log_error("new: one NAME only ('%s' is extra)", a);
			return EXIT_USAGE;
		}
	}
	if (name == NULL) {
		log_error("new: a profile NAME is needed");
		return EXIT_USAGE;
	}
	if (!jail_name_valid(name)) {
		log_error("'%s' is not a valid jail name (1 to 64 of letters, digits, '.', '_', "
			  "'-', starting with a letter or digit)", name);
		return EXIT_USAGE;
	}
	if (arg_exec == NULL || arg_exec[0] == '\0') {
		log_error("new: --exec PATH is needed (the program the jail runs)");
		return EXIT_USAGE;
	}
	r = cli_profile_env(&env, &storage, &shipped);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	if (profile_find(&env, name, &existing) == 0) {
		log_error("a profile named '%s' exists: '%s'", name, existing);
		return EXIT_EXISTS;
	}
	cwd = getcwd(NULL, 0);
	/* Stored as written, but a relative path with a '/' is made absolute:
	 * the profile must not depend on where it was made. */
	if (strchr(arg_exec, '/') != NULL && arg_exec[0] != '/' && arg_exec[0] != '~' &&
	    arg_exec[0] != '$') {
		r = profile_path_make_absolute(arg_exec, cwd, &exec);
		if (r < 0)
			return log_error_errno(r, "unable to make '%s' an absolute path", arg_exec),
			       EXIT_JAILSUP_FAILED;
	} else if ((exec = strdup(arg_exec)) == NULL)
		return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	/* The home first: a backend that is missing or a password that is
	 * not given leaves no profile of a jail that cannot start. */
	if (crypt != CRYPT_NONE) {
		r = crypt_create_home(env.xdg_data_home, name, crypt);
		if (r != 0)
			return r;
	}
	r = profile_create(&env, name, exec, secure, autodelete, &path);
	if (r < 0 && crypt != CRYPT_NONE)
		crypt_remove_home(env.xdg_data_home, name, crypt);
	if (r == -EEXIST) {
		log_error("a profile named '%s' exists: '%s'", name, path);
		return EXIT_EXISTS;
	}
	if (r == -EINVAL) {
		log_error("'%s' cannot be written as the exec of a profile", exec);
		return EXIT_USAGE;
	}
	if (r < 0)
		return log_error_errno(r, "unable to write the profile '%s'", name),
		       EXIT_JAILSUP_FAILED;
	/* A program installed later is fine; say so now rather than at run. */
	r = profile_resolve_exe(exec, cwd != NULL ? cwd : "/", &env, &exe);
	if (r < 0)
		log_warn_errno(r, "'%s' cannot be run now, the jail will not start until it can",
			       exec);
	exe_resolution_done(&exe);
	printf("profile '%s' written to '%s'\n", name, path);
	if (crypt != CRYPT_NONE)
		printf("its home is encrypted with %s in '%s/jailsup/jails/%s/%s'\n",
		       crypt_backend_to_string(crypt), env.xdg_data_home, name,
		       crypt_backend_dir(crypt));
	return 0;
}
