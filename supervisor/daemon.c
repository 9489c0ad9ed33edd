/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup daemon [--foreground] — the per-user supervisor, one libev loop.
 *
 * It owns the jails' state directories: it starts a jail (profile.ini,
 * iso-pipe, the jailer) when the CLI asks on the control socket, serialising
 * concurrent starts of one jail; it watches every jail's iso-pipe, whose EOF
 * means the jail is gone (also after kill -9), then kills the jail's helpers
 * (verified by start time and name), records status=stopped, and removes an
 * autodelete jail's files. On start it re-adopts the jails it finds and
 * cleans up after those that ended while no supervisor ran. While idle it
 * makes no system call: no timer runs unless a jail is starting.
 *
 * One per user: a non-blocking flock on $XDG_RUNTIME_DIR/jailsup/daemon.lock
 * (exit 100 when held). SIGTERM/SIGINT: leave, the jails keep running.
 */
#include "supervisor/daemon.h"

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>

#include "ini-profiles/profile.h"
#include "ini-profiles/trust.h"
#include "state/control.h"
#include "state/exe-paths.h"
#include "state/iso-pipe.h"
#include "state/jail-start.h"
#include "state/jail-state.h"
#include "state/log.h"
#include "state/state.h"
#include "supervisor/dbus-proxy-spawn.h"
#include "supervisor/encrypt.h"
#include "supervisor/helper.h"
#include "supervisor/jailer-spawn.h"
#include "supervisor/net.h"
#include "supervisor/start-steps.h"
#include "supervisor/vpn-config.h"
#include "supervisor/xserver.h"

/* A CLI waiting for its jail to become ready. */
struct waiter {
	int fd;
	LIST_ENTRY(waiter) entry;
};

struct supervisor;

struct jail {
	struct supervisor *sv; /* the supervisor it belongs to */
	char name[JAIL_NAME_MAX + 1];
	enum jail_status status; /* written only by jail_set_status() */
	int dir_fd;
	struct proc_id jailer;
	pid_t forked_pid;	 /* the jailer we forked, 0 for an adopted jail */
	int jailer_pidfd;	 /* a pidfd of it, opened while it was our unreaped child */
	int iso_fd;
	struct iso_pipe_reader reader;
	ev_io iso_pipe_w;	 /* EOF: the jail is gone */
	ev_child jailer_w;	 /* only when this daemon forked the jailer */
	ev_timer start_w;	 /* runs only while starting: a start that hangs is killed */
	int proxy_fd;		 /* xdg-dbus-proxy's readiness pipe, -1 when not waiting */
	ev_io proxy_w;		 /* its byte: the buses listen, the jailer may start */
	char **jailer_envp;	 /* kept for the jailer while the proxy starts */
	int jailer_go_fd;	 /* the jailer's end of the network's go pipe, until spawned */
	struct jail_net net;	 /* pasta and openvpn, when the profile has them */
	struct xserver x11;      /* the jail's own X server, when x11 is granted */
	struct crypt_mount *crypt; /* the encrypted home's keeper, while this daemon watches it */
	bool ending;		 /* gone, but its keeper still releases the home */
	bool start_failed;	 /* it ended while starting */
	ev_timer end_w;		 /* runs only while ending: a keeper that hangs is not waited for */
	struct kv_list state;	 /* the state file's content */
	off_t log_from;		 /* where this start's lines begin in the log */
	char progress[128];	 /* what its start waits for now (jail_progress()) */
	char warnings[768];      /* lines for the requester with the start's "ok" */
	LIST_HEAD(, waiter) waiters;
	LIST_ENTRY(jail) entry;
};

struct client {
	struct supervisor *sv;
	int fd;
	ev_io io_w;
	ev_timer idle_w; /* runs until its request comes: a silent client is dropped */
	bool parked;	 /* its START waits, unread, for a jail still ending */
	TAILQ_ENTRY(client) entry; /* oldest first */
};

/* How long a jail may take to say "ready" (its init script included);
 * $JAILSUP_START_TIMEOUT (seconds) overrides it. */
#define JAIL_START_TIMEOUT 120.0
/* How long openvpn may take to bring the tunnel up; $JAILSUP_VPN_TIMEOUT
 * (seconds) overrides it. */
#define VPN_START_TIMEOUT 30.0
/* Control connections that have not yet sent their request. Any process
 * of the user can open connections and say nothing: when the table is
 * full, the oldest silent one makes room for the new one, so a start never
 * waits behind idle clients. */
#define CLIENTS_MAX 256
/* How long a connection may stay silent. The CLI sends its request as
 * soon as it is connected (its password was asked before it connected),
 * so a client still silent after this is not one of ours doing its job. */
#define CLIENT_IDLE_TIMEOUT 2.0
/* How long a jail's keeper may take to release its home before we go on
 * without it (`list` then still says stopping while the home is there). */
#define KEEPER_END_TIMEOUT 30.0

/* All the supervisor knows, made by daemon_main() and passed down; a
 * callback finds it through its watcher (container_of()) or its jail's or
 * client's back pointer. */
struct supervisor {
	struct ev_loop *loop; /* EV_DEFAULT: ev_child works only there */
	LIST_HEAD(, jail) jails;
	TAILQ_HEAD(, client) clients; /* oldest first */
	unsigned n_clients;
	ev_io control_w;
	ev_timer accept_pause_w;
	ev_timer progress_w; /* runs only while a CLI waits for a start */
	int root_fd;         /* $XDG_RUNTIME_DIR/jailsup */
	int jails_fd;
	int control_fd;
	ev_idle spare_w; /* starts the spare xdg-dbus-proxy, once a start is done */
	struct profile_env env;
	struct profile_env_storage env_storage;
	char *shipped_dir;
	double start_timeout; /* JAIL_START_TIMEOUT, or $JAILSUP_START_TIMEOUT */
	double vpn_timeout;   /* VPN_START_TIMEOUT, or $JAILSUP_VPN_TIMEOUT */
	unsigned n_gone;      /* autodelete's renames, for unique names */
};

static struct jail *
jail_find(struct supervisor *sv, const char *name)
{
	struct jail *j;

	LIST_FOREACH(j, &sv->jails, entry)
		if (streq(j->name, name))
			return j;
	return NULL;
}

static void
state_set(struct jail *j, const char *key, const char *value)
{
	int r = kv_set(&j->state, key, value);

	if (r < 0)
		log_warn_errno(r, "unable to record %s=%s, ignoring", key, value);
}

/* Rewrites the state file atomically from what we know of the jail. */
static int
jail_write_state(struct jail *j)
{
	int r;

	state_set(j, STATE_KEY_STATUS, jail_status_to_string(j->status));
	if (j->jailer.pid > 0) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%d", (int) j->jailer.pid);
		state_set(j, STATE_KEY_JAILER_PID, buf);
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long) j->jailer.start);
		state_set(j, STATE_KEY_JAILER_START, buf);
	}
	r = kv_write_at(j->dir_fd, STATE_STATE, &j->state);
	if (r < 0)
		log_warn_errno(r, "unable to write the state of jail '%s'", j->name);
	return r;
}

/* The only status change: updates the state file and logs. */
static void
jail_set_status(struct jail *j, enum jail_status status)
{
	j->status = status;
	jail_write_state(j);
	log_info("jail '%s' is %s", j->name, jail_status_to_string(status));
}

static void
reply(int fd, const char *status, int code, const char *message)
{
	_cleanup_free_ char *s = NULL, *c = NULL, *m = NULL;
	_cleanup_free_ void *msg = NULL;
	char *fields[4] = {};
	size_t len;

	/* A failed start's message is the jail's log: its tail says why. */
	if (message != NULL && strlen(message) > 4096)
		message += strlen(message) - 4096;
	if (asprintf(&s, "status=%s", status) < 0 || asprintf(&c, "code=%d", code) < 0 ||
	    asprintf(&m, "message=%s", message != NULL ? message : "") < 0)
		return;
	fields[0] = s;
	fields[1] = c;
	fields[2] = m;
	if (control_encode(CONTROL_REPLY, fields, &msg, &len) == 0)
		(void) send(fd, msg, len, MSG_NOSIGNAL);
}

static void progress_stop_if_idle(struct supervisor *sv);

static void
reply_waiters(struct jail *j, const char *status, int code, const char *message)
{
	struct waiter *w;

	while ((w = LIST_FIRST(&j->waiters)) != NULL) {
		reply(w->fd, status, code, message);
		LIST_REMOVE(w, entry);
		safe_close(w->fd);
		free(w);
	}
	progress_stop_if_idle(j->sv);
}

static void
send_progress(int fd, const char *text)
{
	_cleanup_free_ char *m = NULL;
	_cleanup_free_ void *msg = NULL;
	char *fields[2] = {};
	size_t len;

	if (asprintf(&m, "message=%s", text) < 0)
		return;
	fields[0] = m;
	/* Never blocks: a CLI that does not read loses progress, not us. */
	if (control_encode(CONTROL_PROGRESS, fields, &msg, &len) == 0)
		(void) send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Says to the CLIs waiting for jail J what its start waits for now (the
 * start path calls it before each step that may take long); the message
 * is repeated until the next one or the reply (progress_cb()). */
static void jail_progress(struct jail *j, const char *fmt, ...) _printf_(2, 3);
static void
jail_progress(struct jail *j, const char *fmt, ...)
{
	struct waiter *w;
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(j->progress, sizeof(j->progress), fmt, ap);
	va_end(ap);
	log_debug("jail '%s': %s", j->name, j->progress);
	LIST_FOREACH(w, &j->waiters, entry)
	send_progress(w->fd, j->progress);
}

/* What a start waits for once its jailer runs. */
static const char *
jail_progress_spawned(const struct jail *j)
{
	const char *net = kv_get(&j->state, STATE_KEY_NETWORK);

	if (net != NULL && streq(net, "vpn"))
		return "waiting for the VPN's handshake, then for the jail";
	return "waiting for the jail (its init script, then the app)";
}

/* Repeats each waiting start's progress: the CLI's bound on silence tells
 * a slow start (which still speaks) from a stopped or wedged supervisor
 * (which does not). Stops itself once nobody waits. */
static void
progress_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct supervisor *sv = container_of(t, struct supervisor, progress_w);
	struct client *c;
	struct jail *j;

	(void) loop;
	(void) revents;
	LIST_FOREACH(j, &sv->jails, entry)
	{
		struct waiter *w;

		LIST_FOREACH(w, &j->waiters, entry)
		send_progress(w->fd, j->progress[0] != '\0' ? j->progress : "starting");
	}
	TAILQ_FOREACH(c, &sv->clients, entry)
	if (c->parked)
		send_progress(c->fd, "waiting for the jail to finish stopping");
	progress_stop_if_idle(sv);
}

/* True while some CLI waits for a start (a waiter, or a parked client). */
static bool
anyone_waits(const struct supervisor *sv)
{
	struct client *c;
	struct jail *j;

	LIST_FOREACH(j, &sv->jails, entry)
	if (!LIST_EMPTY(&j->waiters))
		return true;
	TAILQ_FOREACH(c, &sv->clients, entry)
	if (c->parked)
		return true;
	return false;
}

/* Stops the repeats once nobody waits: an idle supervisor never wakes up
 * for nothing. */
static void
progress_stop_if_idle(struct supervisor *sv)
{
	if (ev_is_active(&sv->progress_w) && !anyone_waits(sv))
		ev_timer_stop(sv->loop, &sv->progress_w);
}

static void
progress_start(struct supervisor *sv)
{
	if (!ev_is_active(&sv->progress_w))
		ev_timer_again(sv->loop, &sv->progress_w);
}

/* Ends the helpers of a jail that is gone, each verified by start time and
 * command name before it is signalled: a stale pid file must never make us
 * kill an unrelated process. */
static void
kill_helpers(int dir_fd, const char *name)
{
	for (size_t i = 0; i < JAIL_HELPERS_N; i++) {
		struct proc_id id;
		int r;

		r = proc_id_read_at(dir_fd, jail_helpers[i].pid_file, &id);
		if (r == -ENOENT)
			continue;
		if (r >= 0 && proc_id_is(&id, jail_helpers[i].comm) > 0) {
			r = proc_id_kill(&id, jail_helpers[i].sig);
			if (r < 0 && r != -ESRCH)
				log_warn_errno(r, "unable to stop %s of jail '%s', ignoring",
					       jail_helpers[i].comm, name);
		} else if (r < 0)
			log_warn_errno(r, "ignoring the bad pid file '%s' of jail '%s'",
				       jail_helpers[i].pid_file, name);
		(void) unlinkat(dir_fd, jail_helpers[i].pid_file, 0);
	}
}

/* $XDG_RUNTIME_DIR/jailsup/jails/NAME, for the helpers that take paths;
 * NULL on OOM. */
static char *
state_path_of(const struct supervisor *sv, const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s/%s/%s", sv->env.xdg_runtime_dir, STATE_RUNTIME_SUBDIR,
	             STATE_JAILS_SUBDIR, name) < 0)
		return NULL;
	return path;
}

static void
proxy_spare_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct supervisor *sv = container_of(w, struct supervisor, spare_w);
	_cleanup_free_ char *root_path = NULL;
	int r;

	(void) revents;
	ev_idle_stop(loop, w);
	if (asprintf(&root_path, "%s/%s", sv->env.xdg_runtime_dir, STATE_RUNTIME_SUBDIR) < 0)
		return;
	r = dbus_proxy_spare_start(sv->root_fd, root_path);
	if (r < 0)
		log_warn_errno(r, "unable to start a spare xdg-dbus-proxy, ignoring");
}

/* The spare proxy comes when the loop is idle after a start (as the
 * standby jailer): not on any start's path. */
static void
proxy_spare_refill(struct supervisor *sv)
{
	ev_idle_start(sv->loop, &sv->spare_w);
}

/* Unmounts the encrypted home of a jail that is gone and ends its backend. */
static void
release_crypt_home(struct supervisor *sv, int dir_fd, const char *name)
{
	_cleanup_free_ char *state_path = state_path_of(sv, name);

	if (state_path != NULL)
		crypt_home_release(sv->loop, dir_fd, state_path, name);
}

#define GONE_PREFIX ".gone-" /* a name no jail can have (jail_name_valid) */

static void
remover_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void) revents;
	ev_child_stop(loop, w);
	free(w);
}

/* Removes the trees TREES (names below the matching DIR_FDS, -1 to skip)
 * in a child process: a jail can fill its home with millions of files, and
 * the loop, which serves every jail, must never block on one. */
static void
remove_in_child(struct ev_loop *loop, const int *dir_fds, char *const *trees, size_t n)
{
	ev_child *w;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		log_warn_errno(-errno, "unable to fork a remover, removing in the loop");
		for (size_t i = 0; i < n; i++)
			if (dir_fds[i] >= 0)
				(void) state_rm_rf(dir_fds[i], trees[i]);
		return;
	}
	if (pid == 0) {
		int r = 0;

		for (size_t i = 0; i < n; i++) {
			int k = dir_fds[i] >= 0 ? state_rm_rf(dir_fds[i], trees[i]) : 0;

			if (k < 0) {
				log_warn_errno(k, "unable to remove '%s' completely", trees[i]);
				r = 1;
			}
		}
		_exit(r);
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return; /* only the zombie is left: reaped with the next child */
	ev_child_init(w, remover_cb, pid, 0);
	ev_child_start(loop, w);
}

/* Autodelete: the state directory, the private home, and a profile that
 * was created for this throwaway run. Each tree is first renamed aside
 * (cheap, and a new start of NAME gets fresh folders at once), then
 * removed by a child. */
static void
autodelete(struct supervisor *sv, const char *name, bool profile_created)
{
	_cleanup_free_ char *data = NULL, *profiles = NULL;
	_cleanup_close_ int data_fd = -1, profiles_fd = -1;
	const int jails_fd = sv->jails_fd;
	char gone[JAIL_NAME_MAX + 48];
	int fds[2] = { -1, -1 };
	char *trees[2] = { gone, gone };

	snprintf(gone, sizeof(gone), GONE_PREFIX "%s-%d-%u", name, (int) getpid(), sv->n_gone++);
	if (renameat(jails_fd, name, jails_fd, gone) == 0)
		fds[0] = jails_fd;
	else if (errno != ENOENT)
		log_warn_errno(-errno, "unable to remove the state of jail '%s'", name);
	if (asprintf(&data, "%s/jailsup/jails", sv->env.xdg_data_home) >= 0 &&
	    state_dir_open_path(data, false, &data_fd) >= 0) {
		if (renameat(data_fd, name, data_fd, gone) == 0)
			fds[1] = data_fd;
		else if (errno != ENOENT)
			log_warn_errno(-errno, "unable to remove the data of jail '%s'", name);
	}
	if (profile_created &&
	    asprintf(&profiles, "%s/jailsup/profiles", sv->env.xdg_config_home) >= 0) {
		_cleanup_free_ char *file = NULL;

		profiles_fd = open(profiles, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (profiles_fd >= 0 && asprintf(&file, "%s.ini", name) >= 0)
			(void) unlinkat(profiles_fd, file, 0);
	}
	remove_in_child(sv->loop, fds, trees, 2);
	log_info("jail '%s' removed (autodelete)", name);
}

/* What a remover could not finish before a crash or restart. */
static void
sweep_gone(struct supervisor *sv)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_close_ int data_fd = -1;
	int dirs[2] = {sv->jails_fd, -1};
	char **found = NULL;
	int *fds = NULL;
	size_t n = 0;

	if (asprintf(&data, "%s/jailsup/jails", sv->env.xdg_data_home) >= 0 &&
	    state_dir_open_path(data, false, &data_fd) >= 0)
		dirs[1] = data_fd;
	for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
		_cleanup_(closedirp) DIR *dir = NULL;
		struct dirent *de;
		int fd;

		if (dirs[d] < 0)
			continue;
		fd = openat(dirs[d], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
			safe_close(fd);
			continue;
		}
		while ((de = readdir(dir)) != NULL) {
			int *nfds;

			if (!strstartswith(de->d_name, GONE_PREFIX) || strv_push(&found, de->d_name) < 0)
				continue;
			nfds = realloc(fds, (n + 1) * sizeof(int));
			if (nfds == NULL)
				break;
			fds = nfds;
			fds[n++] = dirs[d];
		}
	}
	if (n > 0)
		remove_in_child(sv->loop, fds, found, n);
	free(fds);
	strv_free(found);
}

static bool
state_flag(const struct kv_list *state, const char *key)
{
	const char *v = kv_get(state, key);

	return v != NULL && streq(v, "true");
}

static void jail_finish(struct ev_loop *loop, struct jail *j);

static void
keeper_ended_cb(struct ev_loop *loop, void *userdata)
{
	jail_finish(loop, userdata);
}

static void
keeper_late_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct jail *j = container_of(w, struct jail, end_w);

	(void) revents;
	log_warn("jail '%s': its keeper did not release the home within %.0f s, going on", j->name,
		 KEEPER_END_TIMEOUT);
	jail_finish(loop, j);
}

/* The jail is gone: helpers go, the pipe and socket it left go. An
 * encrypted home's keeper (ours, or one an earlier supervisor forked)
 * releases the home: the jail is `stopping` until it is gone, and a start
 * of the same jail waits for that. Then jail_finish(). */
static void
jail_ended(struct ev_loop *loop, struct jail *j)
{
	if (j->ending)
		return;
	j->start_failed = j->status == JAIL_STARTING;
	jailer_standby_refill(loop);
	proxy_spare_refill(j->sv);
	ev_io_stop(loop, &j->iso_pipe_w);
	ev_timer_stop(loop, &j->start_w);
	if (j->forked_pid > 0)
		ev_child_stop(loop, &j->jailer_w);
	if (j->proxy_fd >= 0) {
		ev_io_stop(loop, &j->proxy_w);
		j->proxy_fd = safe_close(j->proxy_fd);
	}
	xserver_done(loop, &j->x11, j->dir_fd);
	j->jailer_envp = strv_free(j->jailer_envp);
	j->jailer_go_fd = safe_close(j->jailer_go_fd);
	net_done(loop, &j->net);
	kill_helpers(j->dir_fd, j->name);
	(void) unlinkat(j->dir_fd, STATE_ISO_PIPE, 0);
	(void) unlinkat(j->dir_fd, STATE_DISPATCH_SOCK, 0);
	(void) unlinkat(j->dir_fd, STATE_DBUS_PROXY_SOCK, 0);
	(void) unlinkat(j->dir_fd, STATE_DBUS_SYSTEM_SOCK, 0);
	(void) unlinkat(j->dir_fd, STATE_A11Y_SOCK, 0);
	/* Empty once its sockets were moved out; anything a proxy left in it
	 * goes with the next start's (dbus_proxy_spawn()). */
	(void) unlinkat(j->dir_fd, STATE_DBUS_PROXY_DIR, AT_REMOVEDIR);
	if (j->crypt == NULL)
		(void) crypt_mount_adopt(loop, j->dir_fd, j->name, &j->crypt);
	if (j->crypt != NULL && crypt_mount_end(j->crypt, keeper_ended_cb, j)) {
		j->ending = true;
		ev_timer_init(&j->end_w, keeper_late_cb, KEEPER_END_TIMEOUT, 0.);
		ev_timer_start(loop, &j->end_w);
		jail_set_status(j, JAIL_STOPPING);
		return;
	}
	jail_finish(loop, j);
}

/* Starts that waited for a jail to finish ending are read now. */
static void
unpark_clients(struct supervisor *sv)
{
	struct client *c;

	TAILQ_FOREACH(c, &sv->clients, entry)
	if (c->parked) {
		c->parked = false;
		ev_io_start(sv->loop, &c->io_w);
	}
}

/* The jail and all it had are gone: the status says how it ended, and an
 * autodelete jail's files go. */
static void
jail_finish(struct ev_loop *loop, struct jail *j)
{
	struct supervisor *sv = j->sv;
	bool failed = j->start_failed;

	ev_timer_stop(loop, &j->end_w);
	j->crypt = crypt_mount_free(loop, j->crypt);
	/* What no keeper holds any more (one killed -9 left a dead mount). */
	release_crypt_home(sv, j->dir_fd, j->name);
	jail_set_status(j, failed ? JAIL_FAILED : JAIL_STOPPED);
	if (failed) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		const char *msg = "the jail did not start";

		/* Its end: the reason, whatever the jail wrote before. */
		if (state_read_tail(j->dir_fd, STATE_LOG, j->log_from, STATE_LOG_TAIL_MAX, &text,
		                    &len) >= 0 &&
		    len > 0)
			msg = text;
		reply_waiters(j, "error", 125, msg);
	}
	if (state_flag(&j->state, STATE_KEY_AUTODELETE))
		autodelete(sv, j->name, state_flag(&j->state, STATE_KEY_PROFILE_CREATED));
	/* Nothing of ours writes in it any more: a temp file is a crash's. */
	(void) state_remove_temps(j->dir_fd);
	safe_close(j->iso_fd);
	safe_close(j->jailer_pidfd);
	safe_close(j->dir_fd);
	kv_list_done(&j->state);
	LIST_REMOVE(j, entry);
	free(j);
	unpark_clients(sv);
}

static void
iso_pipe_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail *j = container_of(w, struct jail, iso_pipe_w);

	(void) revents;
	for (;;) {
		struct iso_msg msg;
		int r = iso_pipe_read(&j->reader, j->iso_fd, &msg);

		if (r == ISO_READ_AGAIN)
			return;
		if (r == ISO_READ_EOF) {
			jail_ended(loop, j);
			return;
		}
		if (r < 0) {
			log_warn_errno(r, "jail '%s' wrote a bad iso-pipe line, ignoring", j->name);
			if (r != -EBADMSG && r != -E2BIG) {
				jail_ended(loop, j);
				return;
			}
			continue;
		}
		if (msg.type == ISO_MSG_PID) {
			struct proc_id id;

			/* Only the jailer we forked may name itself, once: the
			 * jail's own processes hold the pipe's write end too,
			 * and an adopted jail's jailer is known from its state. */
			if (j->forked_pid <= 0 || j->jailer.pid > 0 || msg.pid != j->forked_pid ||
			    proc_id_get(msg.pid, &id) < 0) {
				log_warn("jail '%s' reported a foreign pid %d, ignoring", j->name,
					 (int) msg.pid);
				continue;
			}
			j->jailer = id;
			/* A jail may run only once its state names its jailer
			 * (a full disk, say, would leave it unrecorded). */
			if (jail_write_state(j) < 0) {
				log_error("jail '%s': its jailer is not recorded in the state, so "
					  "it does not start", j->name);
				jail_ended(loop, j);
				return;
			}
			start_step(STEP_JAILER_RECORDED);
			/* Only now may the jail run: had we died before the
			 * state named its jailer, the go pipe's EOF ends it. */
			net_jailer_recorded(&j->net, j->jailer_pidfd);
		} else if (msg.type == ISO_MSG_NS && j->jailer.pid > 0) {
			net_namespaces_ready(loop, &j->net, msg.pid, j->jailer.pid);
		} else if (msg.type == ISO_MSG_READY && j->status == JAIL_STARTING) {
			ev_timer_stop(loop, &j->start_w);
			/* openvpn may have died between the go byte and now. */
			jail_set_status(j, j->net.vpn_lost ? JAIL_DEGRADED : JAIL_RUNNING);
			start_step(STEP_READY);
			reply_waiters(j, "ok", 0, j->warnings[0] != '\0' ? j->warnings : NULL);
			jailer_standby_refill(loop);
			proxy_spare_refill(j->sv);
		}
	}
}

static void
jailer_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct jail *j = container_of(w, struct jail, jailer_w);

	(void) revents;
	ev_child_stop(loop, w);
	j->forked_pid = 0;
	/* A jailer that never opened the iso-pipe can give no EOF. */
	if (j->jailer.pid == 0)
		jail_ended(loop, j);
}

/* A start that never says "ready" (an init script that hangs, say) must
 * not keep its requesters waiting forever: kill the jailer, and the EOF
 * that follows ends the jail as failed. */
/* A line in the jail's log: a failed start's reply is that log. */
static void
jail_log_line(struct jail *j, const char *level, const char *msg)
{
	_cleanup_close_ int fd = helper_open_log(j->dir_fd);
	_cleanup_free_ char *line = NULL;

	if (asprintf(&line, "jailsup[%s]: %s: %s\n", j->name, level, msg) < 0)
		return;
	if (fd >= 0)
		(void) write_all(fd, line, strlen(line));
}

static void jail_log(struct jail *j, const char *fmt, ...) _printf_(2, 3);
static void
jail_log(struct jail *j, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n >= 0)
		jail_log_line(j, "error", msg);
}

/* A right the jail starts without, said where the user looks: the
 * supervisor's log, the jail's, and the "ok" of the start, which the CLI
 * that asked prints as a warning. */
static void jail_warn(struct jail *j, const char *fmt, ...) _printf_(2, 3);
static void
jail_warn(struct jail *j, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	size_t used = strlen(j->warnings);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_warn("jail '%s': %s", j->name, msg);
	jail_log_line(j, "warning", msg);
	(void) snprintf(j->warnings + used, sizeof(j->warnings) - used, "%s%s",
	                used > 0 ? "\n" : "", msg);
}

static void
start_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct jail *j = container_of(w, struct jail, start_w);
	int r = -ESRCH;

	(void) revents;
	log_error("jail '%s' did not become ready within %.0f s, ending it", j->name,
	          j->sv->start_timeout);
	/* Into the jail's log too: its lines are what the CLI shows. */
	if (crypt_mount_pending(j->crypt)) {
		jail_log(j, "the encrypted home was not mounted within %.0f s",
		         j->sv->start_timeout);
		jail_ended(loop, j);
		return;
	}
	if (xserver_pending(&j->x11)) {
		jail_log(j, "Xephyr, the jail's own X server, did not become ready within %.0f s",
		         j->sv->start_timeout);
		jail_ended(loop, j);
		return;
	}
	if (j->proxy_fd >= 0) {
		jail_log(j, "xdg-dbus-proxy did not become ready within %.0f s",
		         j->sv->start_timeout);
		/* No jailer yet: no EOF will come, end it here. */
		jail_ended(loop, j);
		return;
	}
	jail_log(j, "the jail did not become ready within %.0f s (an init script that hangs?)",
	         j->sv->start_timeout);
	if (j->jailer.pid > 0)
		r = proc_id_kill(&j->jailer, SIGKILL);
	/* Our own unreaped child cannot have been replaced by another process. */
	if (r < 0 && j->forked_pid > 0)
		(void) kill(j->forked_pid, SIGKILL);
}

/* The jail's network could not be built: its log says why, and killing
 * the jailer ends the jail, whose start then fails with that log. */
static void
net_failed_cb(struct ev_loop *loop, struct jail_net *n, const char *why)
{
	struct jail *j = container_of(n, struct jail, net);
	int r = -ESRCH;

	(void) loop;
	log_error("jail '%s': %s", j->name, why);
	jail_log(j, "%s", why);
	if (j->jailer.pid > 0)
		r = proc_id_kill(&j->jailer, SIGKILL);
	if (r < 0 && j->forked_pid > 0)
		(void) kill(j->forked_pid, SIGKILL);
}

/* The VPN (openvpn, wireguard-go) is gone: the kill switch keeps the jail
 * offline, and the user sees it in `jailsup list`. */
static void
net_vpn_lost_cb(struct ev_loop *loop, struct jail_net *n)
{
	struct jail *j = container_of(n, struct jail, net);
	const char *what = n->vpn_name != NULL ? n->vpn_name : "the VPN";

	(void) loop;
	log_warn("jail '%s': %s ended, the jail is offline", j->name, what);
	jail_log(j, "%s ended: the jail is offline until it is restarted", what);
	/* A jail still starting gets it at "ready" (iso_pipe_cb()). */
	if (j->status == JAIL_RUNNING)
		jail_set_status(j, JAIL_DEGRADED);
}

static void
net_progress_cb(struct jail_net *n, const char *text)
{
	jail_progress(container_of(n, struct jail, net), "%s", text);
}

static const struct jail_net_ops net_ops = {
    .failed = net_failed_cb,
    .vpn_lost = net_vpn_lost_cb,
    .progress = net_progress_cb,
};

/* The jailer's environment: ours (the user's directories), plus what the
 * requesting CLI's session says about displays and buses. */
static char **
jailer_env(const struct control_msg *m)
{
	/* Not the bus addresses: those are the proxy's (start_proxy()); the
	 * jailer finds its buses in the state directory. */
	static const char *const from_request[] = {
		"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "SESSION_MANAGER",
		"PULSE_SERVER", "XDG_DATA_DIRS", "XDG_CONFIG_DIRS",
		"XDG_CURRENT_DESKTOP", "XDG_SESSION_DESKTOP", "XDG_SESSION_TYPE", "DESKTOP_SESSION",
		"KDE_FULL_SESSION", "KDE_SESSION_VERSION", "QT_QPA_PLATFORM", "GDK_BACKEND",
	};
	static const char *const from_us[] = { "HOME", "USER", "LOGNAME", "PATH",
					       "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME",
					       "XDG_DATA_HOME", "JAILSUP_LOG_LEVEL",
#ifdef JAILSUP_FAULT_INJECTION
					       /* The test build's jailer dies where it says. */
					       "JAILSUP_CRASH_AT",
#endif
	};
	char **out = NULL;

	for (size_t i = 0; i < ELEMENTSOF(from_us); i++) {
		const char *v = getenv(from_us[i]);
		_cleanup_free_ char *kv = NULL;

		if (v != NULL && asprintf(&kv, "%s=%s", from_us[i], v) >= 0)
			(void) strv_push(&out, kv);
	}
	for (char **f = m->fields; *f != NULL; f++) {
		const char *kv;
		size_t klen;

		if (strncmp(*f, "env=", 4) != 0)
			continue;
		kv = *f + 4;
		klen = strcspn(kv, "=");
		if (kv[klen] != '=')
			continue;
		for (size_t i = 0; i < ELEMENTSOF(from_request); i++)
			if (strlen(from_request[i]) == klen && strncmp(kv, from_request[i], klen) == 0)
				(void) strv_push(&out, kv);
	}
	if (out == NULL)
		out = calloc(1, sizeof(char *));
	return out;
}

static void set_msg(char **ret, const char *fmt, ...) _printf_(2, 3);
static void
set_msg(char **ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret, fmt, ap) < 0)
		*ret = NULL;
	va_end(ap);
}

static void
now_iso8601(char buf[static 32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The value of KEY in the request's env= fields, or NULL. */
static const char *
request_env(const struct control_msg *m, const char *key)
{
	size_t klen = strlen(key);

	for (char **f = m->fields; *f != NULL; f++)
		if (strstartswith(*f, "env=") && strncmp(*f + 4, key, klen) == 0 &&
		    (*f)[4 + klen] == '=')
			return *f + 4 + klen + 1;
	return NULL;
}

/* Spawns the jailer of a jail whose helpers are ready, and watches it. */
static int
jail_spawn(struct jail *j)
{
	struct ev_loop *loop = j->sv->loop;
	_cleanup_free_ char *state_path = state_path_of(j->sv, j->name);
	pid_t standby = 0;
	int keep[2] = {j->proxy_fd, xserver_take_life_fd(&j->x11)};
	int r, fd;

	/* An encrypted home's keeper watches the jailer from before the jail
	 * is handed to it: a supervisor killed between the hand-over and
	 * the message below leaves the keeper the standby to wait for, which
	 * is then the jailer (or exits with us). */
	if (j->crypt != NULL && jailer_standby_peek(&j->net, &standby, &fd) == 0)
		crypt_mount_jailer(j->crypt, fd, false);
	start_step(STEP_HANDOVER);
	r = state_path == NULL ? -ENOMEM
	                       : jailer_start(loop, &j->net, state_path, j->jailer_envp, keep,
	                                      ELEMENTSOF(keep), j->jailer_go_fd, &j->forked_pid);
	/* The jailer holds it for its life now: the X server lives as long. */
	safe_close(keep[1]);
	j->jailer_envp = strv_free(j->jailer_envp);
	j->jailer_go_fd = safe_close(j->jailer_go_fd);
	if (standby > 0 && (r < 0 || j->forked_pid != standby))
		crypt_mount_jailer(j->crypt, -1, false); /* it did not take the jail */
	if (r < 0)
		return r;
	/* Our child, which we reap only from the loop: the PID is its own.
	 * The keeper and the helpers' tethers watch it: one that cannot be
	 * watched would end them with us. */
	j->jailer_pidfd = (int) syscall(SYS_pidfd_open, j->forked_pid, 0);
	if (j->jailer_pidfd < 0) {
		r = -errno;
		(void) kill(j->forked_pid, SIGKILL); /* our unreaped child */
		return r;
	}
	start_step(STEP_JAILER_SPAWNED);
	/* A convenience: a jail whose bridge cannot start runs on, with the
	 * clipboard of its own X server only. */
	r = xserver_start_clipboard(&j->x11, j->dir_fd, state_path, j->name, j->jailer_pidfd);
	if (r < 0) {
		log_warn_errno(r, "jail '%s': unable to start its clipboard bridge, ignoring",
		               j->name);
		jail_log(j,
		         "unable to start the clipboard bridge (%s): copy and paste stay inside "
		         "the jail's X server",
		         strerror(-r));
	}
	if (j->crypt != NULL) {
		fd = fcntl(j->jailer_pidfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			r = -errno;
			(void) kill(j->forked_pid, SIGKILL);
			return r;
		}
		crypt_mount_jailer(j->crypt, fd, true);
	}
	jail_progress(j, "%s", jail_progress_spawned(j));
	ev_io_init(&j->iso_pipe_w, iso_pipe_cb, j->iso_fd, EV_READ);
	ev_io_start(loop, &j->iso_pipe_w);
	ev_child_init(&j->jailer_w, jailer_cb, j->forked_pid, 0);
	ev_child_start(loop, &j->jailer_w);
	return 0;
}

/* The accessibility bus's socket is taken only in at-spi-bus-launcher's
 * folder (dbus-proxy.h); a profile could still share that folder
 * read-write, and its jail then plant the socket every other jail's
 * proxy would connect to. Then no jail gets the bus (CMD asks for none). */
static void
a11y_check_folder(struct jail *j, struct dbus_proxy_cmd *cmd)
{
	_cleanup_free_ char *dir = NULL, *where = NULL;
	int r;

	if (cmd->session_addr == NULL || cmd->runtime_dir == NULL)
		return;
	dir = path_join(cmd->runtime_dir, DBUS_A11Y_DIR);
	r = dir != NULL ? trust_path_jail_writable(&j->sv->env, dir, &where) : -ENOMEM;
	if (r == 0 || r == -ENOENT)
		return;
	cmd->session_addr = mfree(cmd->session_addr);
	if (r == 1 || r == -ELOOP)
		jail_warn(j,
		          "the accessibility bus's folder '%s' is where a jail can write (%s): "
		          "no accessibility bus",
		          dir, where != NULL ? where : "?");
	else
		log_warn_errno(r, "jail '%s': unable to check '%s', no accessibility bus", j->name,
		               dir);
}

/* With a dbus right in force, starts the jail's xdg-dbus-proxy, confined
 * (the real bus addresses are the requesting CLI's), or takes over the
 * spare started ahead with this very command (dbus-proxy-spawn.h), and
 * sets j->proxy_fd; *ret_ready when the spare's byte came already. With
 * neither right, nothing runs. An address that is not a local socket gives
 * a jail without a bus (said in its log), never the real bus; so does a
 * proxy that cannot start or be confined (its log says why). */
static int
start_proxy(struct jail *j, const struct jail_profile *p, const struct control_msg *m,
            bool *ret_ready)
{
	_cleanup_(dbus_proxy_cmd_done) struct dbus_proxy_cmd cmd = {};
	_cleanup_free_ char *state_path = state_path_of(j->sv, j->name);
	unsigned rights = profile_rights(p);
	pid_t pid;
	int r;

	if (!dbus_proxy_session_wanted(rights) && !dbus_proxy_system_wanted(rights))
		return 0;
	if (state_path == NULL)
		return -ENOMEM;
	r = dbus_proxy_cmd(p, rights, request_env(m, "DBUS_SESSION_BUS_ADDRESS"),
	                   request_env(m, "DBUS_SYSTEM_BUS_ADDRESS"), j->sv->env.xdg_runtime_dir,
	                   &cmd);
	if (r == -EPROTONOSUPPORT) {
		log_warn("jail '%s': a bus address is not a local socket, no D-Bus", j->name);
		jail_log(j, "a bus address is not 'unix:path=…' or 'unix:abstract=…': the jail "
			    "gets no D-Bus");
		return 0;
	}
	if (r < 0)
		return r;
	a11y_check_folder(j, &cmd);
	r = dbus_proxy_spare_claim(j->sv->root_fd, j->dir_fd, &cmd, &pid, &j->proxy_fd, ret_ready);
	if (r < 0)
		log_warn_errno(
		    r, "jail '%s': unable to take the spare xdg-dbus-proxy, starting one", j->name);
	if (r <= 0) {
		r = dbus_proxy_spawn(j->dir_fd, state_path, &cmd, &pid, &j->proxy_fd);
		if (r < 0)
			return log_error_errno(r, "unable to start xdg-dbus-proxy for jail '%s'",
			                       j->name);
	}
	log_debug("jail '%s': xdg-dbus-proxy is pid %d%s%s", j->name, (int) pid,
	          r > 0 ? " (the spare)" : "",
	          cmd.host_netns ? " (in the host's network namespace: an abstract bus)" : "");
	/* The next start of this command finds a spare. */
	if (dbus_proxy_spare_want(&cmd) < 0)
		log_warn("jail '%s': no spare xdg-dbus-proxy: out of memory", j->name);
	return 0;
}

/* Spawns the jailer once every helper it waits for is ready: the proxy's
 * byte has come (proxy_w stopped) and the encrypted home is mounted. The
 * jailer inherits the proxy pipe's read end; ours goes, so the proxy ends
 * by itself with the jailer (dbus-proxy.h). */
static int
jail_spawn_when_ready(struct jail *j)
{
	int r;

	if ((j->proxy_fd >= 0 && ev_is_active(&j->proxy_w)) || crypt_mount_pending(j->crypt) ||
	    xserver_pending(&j->x11))
		return 0;
	r = jail_spawn(j);
	j->proxy_fd = safe_close(j->proxy_fd);
	return r;
}

/* A helper failed before the jail ran: WHY goes into our log and the
 * jail's (which is what the waiting CLIs are shown), and the jail ends. */
static void
jail_start_failed(struct ev_loop *loop, struct jail *j, const char *why)
{
	log_error("jail '%s': %s", j->name, why);
	jail_log(j, "%s", why);
	jail_ended(loop, j);
}

/* A helper became ready: the jailer, when it was the last one. */
static void
helper_ready(struct ev_loop *loop, struct jail *j)
{
	int r = jail_spawn_when_ready(j);
	char why[128];

	if (r < 0) {
		snprintf(why, sizeof(why), "unable to spawn the jailer: %s", strerror(-r));
		jail_start_failed(loop, j, why);
	}
}

/* The encrypted home is mounted (R = 0), or cannot be: MSG says why. */
static void
crypt_done_cb(struct ev_loop *loop, void *userdata, int r, const char *msg)
{
	struct jail *j = userdata;

	if (r < 0)
		jail_start_failed(loop, j, msg);
	else {
		start_step(STEP_HOME_MOUNTED);
		helper_ready(loop, j);
	}
}

/* Starts the backend of an encrypted home with the request's password. */
static int
start_crypt(struct jail *j, enum crypt_backend backend, const struct control_msg *m, char **ret_msg)
{
	_cleanup_free_ char *state_path = state_path_of(j->sv, j->name);
	/* Points into client_cb()'s buffer, which is ours to wipe:
	 * crypt_mount_start() does as soon as the backend has it. */
	char *password = (char *) control_get(m, CRYPT_PASSWORD_FIELD);
	int r;

	if (password == NULL || password[0] == '\0') {
		set_msg(ret_msg, "jail '%s' has an encrypted home (%s): its password is needed",
			j->name, crypt_backend_to_string(backend));
		return -ENOKEY;
	}
	if (state_path == NULL)
		return -ENOMEM;
	r = crypt_mount_start(j->sv->loop, j->dir_fd, state_path, j->sv->env.xdg_data_home, j->name,
	                      backend, password, crypt_done_cb, j, &j->crypt);
	if (r < 0)
		set_msg(ret_msg, "unable to mount the encrypted home of jail '%s' (%s): %s",
			j->name, crypt_backend_to_string(backend), strerror(-r));
	return r;
}

/* The proxy is ready (its sockets listen): they go from its own folder to
 * where the jailer takes them. */
static void
proxy_publish(struct jail *j)
{
	int r = dbus_proxy_publish(j->dir_fd);

	if (r < 0) {
		log_warn_errno(r, "jail '%s': unable to move the proxy's sockets, no D-Bus",
		               j->name);
		jail_log(j, "unable to move xdg-dbus-proxy's sockets (%s): the jail gets no D-Bus",
		         strerror(-r));
	}
	start_step(STEP_PROXY_READY);
}

/* The proxy's readiness byte (its sockets listen): now the jailer. EOF
 * first: the proxy died (its reason is in the jail's log), the start fails. */
static void
proxy_ready_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail *j = container_of(w, struct jail, proxy_w);
	char c;
	ssize_t n;

	(void) revents;
	n = read(j->proxy_fd, &c, 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_io_stop(loop, w);
	if (n != 1) {
		jail_start_failed(loop, j, "xdg-dbus-proxy exited before it was ready");
		return;
	}
	proxy_publish(j);
	helper_ready(loop, j);
}

/* The jail's own X server listens (R = 0), or did not start. */
static void
xserver_ready_cb(struct ev_loop *loop, struct xserver *x, int r, const char *why)
{
	struct jail *j = container_of(x, struct jail, x11);
	char msg[256];

	if (r < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", why, strerror(-r));
		jail_start_failed(loop, j, r == -ECHILD ? why : msg);
		return;
	}
	start_step(STEP_XSERVER_READY);
	helper_ready(loop, j);
}

/* Whether something listens on the unix socket PATH (absolute): a
 * connect that does not wait (a full backlog still means a listener). */
static bool
socket_listening(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	_cleanup_close_ int dir_fd = -1, fd = -1;
	char *slash = dir != NULL ? strrchr(dir, '/') : NULL;

	if (slash == NULL || slash[1] == '\0')
		return false;
	*slash = '\0';
	dir_fd = open(dir[0] != '\0' ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return false;
	fd = unix_connect_at(dir_fd, slash + 1, SOCK_STREAM, SOCK_NONBLOCK);
	return fd >= 0 || fd == -EAGAIN;
}

/* The displays a profile grants but the requester's session does not
 * have: the jail starts without them, as with any right whose service is
 * not running (an app may do with the other display, or need none), but
 * the user hears which value named what, at once, rather than an app's
 * "cannot open display" later. An unset DISPLAY or WAYLAND_DISPLAY is a
 * session without that display, and no news. */
static void
start_display_warnings(struct jail *j, const struct jail_profile *p, const struct control_msg *m)
{
	const char *display = request_env(m, "DISPLAY");
	const char *wayland = request_env(m, "WAYLAND_DISPLAY");
	unsigned rights = profile_rights(p), number;

	if ((rights & RIGHT_X11) && display != NULL) {
		if (xserver_parse_display(display, &number) < 0)
			jail_warn(j,
			          "x11: DISPLAY=%s is not a local display (':N'); the jail has "
			          "no X11 display",
			          display);
		else if (!xserver_display_listening(number))
			jail_warn(j,
			          "x11: DISPLAY=%s but no X server listens at "
			          "/tmp/.X11-unix/X%u; the jail has no X11 display",
			          display, number);
	}
	if ((rights & RIGHT_WAYLAND) && wayland != NULL) {
		_cleanup_free_ char *path = NULL;
		const char *base =
		    strrchr(wayland, '/') != NULL ? strrchr(wayland, '/') + 1 : wayland;

		/* Where the jailer looks (jailer/spec.c): an absolute path, or
		 * a name in $XDG_RUNTIME_DIR. */
		if (wayland[0] == '/')
			path = strdup(wayland);
		else if (j->sv->env.xdg_runtime_dir != NULL)
			path = path_join(j->sv->env.xdg_runtime_dir, wayland);
		if (!state_name_valid(base))
			jail_warn(j,
			          "wayland: WAYLAND_DISPLAY=%s is not a socket name; the jail "
			          "has no Wayland display",
			          wayland);
		else if (path != NULL && !socket_listening(path))
			jail_warn(j,
			          "wayland: WAYLAND_DISPLAY=%s but no compositor listens at %s; "
			          "the jail has no Wayland display",
			          wayland, path);
	}
}

/* With x11 granted (and not x11 = host), the jail's own X server on the
 * requester's display; none without a local display. */
static int
start_xserver(struct jail *j, const struct jail_profile *p, const struct control_msg *m)
{
	_cleanup_free_ char *state_path = NULL;
	int r;

	if (!(profile_rights(p) & RIGHT_X11) || p->x11_host)
		return 0;
	state_path = state_path_of(j->sv, j->name);
	if (state_path == NULL)
		return -ENOMEM;
	r = xserver_start(j->sv->loop, &j->x11, j->dir_fd, state_path, j->name,
	                  request_env(m, "DISPLAY"), request_env(m, "XAUTHORITY"), j->sv->env.home,
	                  profile_clipboard(p));
	if (r < 0)
		return log_error_errno(r, "unable to start the X server of jail '%s'", j->name);
	return r;
}

/* A new jail NAME of SV, not yet in its list: every fd -1, nothing watched. */
static struct jail *
jail_new(struct supervisor *sv, const char *name)
{
	struct jail *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->sv = sv;
	snprintf(j->name, sizeof(j->name), "%s", name);
	j->dir_fd = -1;
	j->iso_fd = -1;
	j->proxy_fd = -1;
	j->jailer_go_fd = -1;
	j->jailer_pidfd = -1;
	xserver_init(&j->x11, xserver_ready_cb);
	net_init(&j->net, &net_ops);
	LIST_INIT(&j->waiters);
	return j;
}

/* The profile of NAME, and a vpn jail's .ovpn: before anything of the jail
 * exists, as openvpn runs outside the jail, and a .ovpn (or a file it
 * names) that some jail could write, or with a directive that is not
 * allowed, starts nothing. */
static int
start_load_profile(struct supervisor *sv, const char *name, struct jail_profile **ret,
                   struct vpn_config *vpn, char **ret_msg)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	struct profile_error err = {};
	int r;

	r = profile_find_and_load(&sv->env, name, &p, &err);
	if (r < 0) {
		_cleanup_free_ char *path = NULL;

		(void) profile_find(&sv->env, name, &path);
		if (r == -ENOENT)
			set_msg(ret_msg, "no profile named '%s'", name);
		else
			set_msg(ret_msg, "%s:%u: %s", path != NULL ? path : name, err.line,
			        err.msg);
		return r;
	}
	if (profile_network(p) == NETWORK_VPN) {
		_cleanup_free_ char *why = NULL;

		r = vpn_config_load(&sv->env, p->vpn, vpn, &why);
		if (r < 0) {
			set_msg(ret_msg, "%s", why != NULL ? why : strerror(-r));
			return r == -ENOENT ? -EINVAL : r;
		}
	}
	*ret = TAKE_PTR(p);
	return 0;
}

/* The jail's state directory, made or taken over; the jail joins SV's
 * list. No start or end of it is at work here: what a killed writer left
 * goes. */
static int
start_state_dir(struct supervisor *sv, const char *name, struct jail **ret, char **ret_msg)
{
	struct jail *j = jail_new(sv, name);
	int r;

	if (j == NULL)
		return -ENOMEM;
	r = state_dir_create(sv->jails_fd, name, &j->dir_fd, NULL);
	if (r < 0) {
		set_msg(ret_msg, "unable to create the state directory of '%s': %s", name,
		        strerror(-r));
		free(j);
		return r;
	}
	LIST_INSERT_HEAD(&sv->jails, j, entry);
	(void) state_remove_temps(j->dir_fd);
	*ret = j;
	return 0;
}

/* The state file, status=starting and what the start is, before anything
 * else of the start: a state that says starting and names no live jailer
 * reads stopped, whatever a crash leaves after it (an iso-pipe with no
 * state file would read running). Written even when the home's encryption
 * cannot be told (the error, returned, ends the start). */
static int
start_record_starting(struct jail *j, const struct jail_profile *p, const struct control_msg *m,
                      enum crypt_backend *ret_crypt, char **ret_msg)
{
	const char *created = control_get(m, "created-profile");
	char started[32];
	int r;

	r = crypt_backend_detect(j->sv->env.xdg_data_home, j->name, ret_crypt);
	if (r < 0)
		set_msg(ret_msg,
		        "unable to tell whether the home of jail '%s' is encrypted "
		        "(its data folder and home.gocryptfs/ or home.encfs/ must "
		        "be directories of yours, the folder mode 0700): %s",
		        j->name, strerror(-r));
	now_iso8601(started);
	kv_list_done(&j->state);
	state_set(j, STATE_KEY_NAME, j->name);
	state_set(j, STATE_KEY_STATUS, "starting");
	state_set(j, STATE_KEY_STARTED, started);
	state_set(j, STATE_KEY_PROFILE, p->source != NULL ? p->source : j->name);
	state_set(j, STATE_KEY_NETWORK, jail_network_to_string(profile_network(p)));
	state_set(j, STATE_KEY_ENCRYPTED, crypt_backend_to_string(*ret_crypt));
	state_set(j, STATE_KEY_AUTODELETE, p->autodelete ? "true" : "false");
	state_set(j, STATE_KEY_SECURE, p->secure ? "true" : "false");
	state_set(j, STATE_KEY_PROFILE_CREATED,
	          created != NULL && streq(created, "1") ? "true" : "false");
	jail_set_status(j, JAIL_STARTING);
	return r;
}

/* profile.ini: the resolved profile the jailer reads. */
static int
start_write_profile(struct jail *j, const struct jail_profile *p)
{
	_cleanup_free_ char *dump = NULL;
	int r;

	r = profile_dump(p, &dump);
	if (r < 0)
		return r;
	return jail_start_write_profile(j->dir_fd, dump);
}

/* The iso-pipe, our read end open, in place of what the last run left. */
static int
start_iso_pipe(struct jail *j)
{
	bool log_dropped = false;
	int r;

	r = jail_start_iso_pipe(j->dir_fd, &log_dropped, &j->iso_fd);
	if (log_dropped)
		log_warn("jail '%s': its log was not a regular file, removed it", j->name);
	return r;
}

/* The jailer's environment, and the go pipe (and resolv.conf) of its
 * network (net.h); a vpn jail's config is taken over. */
static int
start_prepare_net(struct jail *j, const struct jail_profile *p, const struct control_msg *m,
                  struct vpn_config *vpn)
{
	_cleanup_free_ char *state_path = state_path_of(j->sv, j->name);

	j->jailer_envp = jailer_env(m);
	if (j->jailer_envp == NULL || state_path == NULL)
		return -ENOMEM;
	if (profile_network(p) == NETWORK_VPN)
		jail_progress(j, "starting %s",
		              vpn != NULL && vpn->kind == VPN_WIREGUARD ? "wireguard-go"
		                                                        : "openvpn");
	return net_prepare(&j->net, p, j->dir_fd, state_path, &net_ops, j->sv->vpn_timeout, vpn,
	                   &j->jailer_go_fd);
}

/* The proxy, when the profile has a dbus right, watched for its readiness
 * byte (a spare's may have come: then its sockets are published at once);
 * false when none runs. */
static int
start_proxy_watched(struct jail *j, const struct jail_profile *p, const struct control_msg *m)
{
	bool ready = false;
	int r = start_proxy(j, p, m, &ready);

	if (r < 0 || j->proxy_fd < 0)
		return r;
	ev_io_init(&j->proxy_w, proxy_ready_cb, j->proxy_fd, EV_READ);
	if (ready) {
		start_step(STEP_PROXY_SPAWNED);
		proxy_publish(j);
		return 0;
	}
	ev_io_start(j->sv->loop, &j->proxy_w);
	return 1;
}

/* Starts jail NAME for a request; the requester waits in the jail's
 * waiters until "ready" or the end. Each step's point is where a
 * supervisor killed then leaves what docs/architecture.md §4, "A start
 * killed at any step", says. Returns 0 or -errno with *ret_msg. */
static int
jail_start(struct supervisor *sv, const char *name, const struct control_msg *m, struct jail **ret,
           char **ret_msg)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_(vpn_config_done) struct vpn_config vpn = {};
	enum crypt_backend crypt = CRYPT_NONE;
	struct jail *j;
	int r;

	start_step(STEP_REQUEST);
	r = start_load_profile(sv, name, &p, &vpn, ret_msg);
	if (r < 0)
		return r;
	r = start_state_dir(sv, name, &j, ret_msg);
	if (r < 0)
		return r;
	start_step(STEP_STATE_DIR);
	/* From here on, failures end the jail through jail_ended(). */
	r = start_record_starting(j, p, m, &crypt, ret_msg);
	start_step(STEP_STATE_STARTING);
	j->log_from = jail_start_new_log(j->dir_fd);
	if (r >= 0)
		start_display_warnings(j, p, m);
	if (r < 0 || (r = start_write_profile(j, p)) < 0)
		goto failed;
	start_step(STEP_PROFILE_WRITTEN);
	if ((r = start_iso_pipe(j)) < 0)
		goto failed;
	start_step(STEP_ISO_PIPE);
	if ((r = start_prepare_net(j, p, m, &vpn)) < 0)
		goto failed;
	start_step(STEP_NET_PREPARED);
	/* The encrypted home's backend and the proxy start side by side; the
	 * jailer comes once the home is mounted and the buses listen
	 * (jail_spawn_when_ready()): no app ever finds either missing. */
	if (crypt != CRYPT_NONE) {
		jail_progress(j, "unlocking the encrypted home (%s derives the key)",
		              crypt_backend_to_string(crypt));
		if ((r = start_crypt(j, crypt, m, ret_msg)) < 0)
			goto failed;
		start_step(STEP_KEEPER_FORKED);
	}
	/* After start_crypt(), which wipes the password: the proxy's child
	 * is briefly dumpable (sandbox_fork()). */
	if ((r = start_proxy_watched(j, p, m)) < 0)
		goto failed;
	if (r > 0)
		start_step(STEP_PROXY_SPAWNED);
	if ((r = start_xserver(j, p, m)) < 0)
		goto failed;
	if (r > 0)
		start_step(STEP_XSERVER_SPAWNED);
	if ((r = jail_spawn_when_ready(j)) < 0)
		goto failed;
	ev_timer_init(&j->start_w, start_timeout_cb, sv->start_timeout, 0.);
	ev_timer_start(sv->loop, &j->start_w);
	*ret = j;
	return 0;

failed:
	if (*ret_msg == NULL)
		set_msg(ret_msg, "unable to start jail '%s': %s", name, strerror(-r));
	jail_log(j, "%s", *ret_msg != NULL ? *ret_msg : "unable to start the jail");
	jail_ended(sv->loop, j);
	return r;
}

static void
handle_start(struct supervisor *sv, int fd, const struct control_msg *m)
{
	const char *name = control_get(m, "name");
	_cleanup_free_ char *msg = NULL;
	struct waiter *w;
	struct jail *j;
	int r;

	if (name == NULL || !jail_name_valid(name)) {
		reply(fd, "error", 2, "not a valid jail name");
		safe_close(fd);
		return;
	}
	j = jail_find(sv, name);
	if (j != NULL && j->status != JAIL_STARTING) {
		reply(fd, "ok", 0, NULL);
		safe_close(fd);
		return;
	}
	if (j == NULL) {
		r = jail_start(sv, name, m, &j, &msg);
		if (r < 0) {
			reply(fd, "error", r == -ENOENT ? 127 : 125, msg);
			safe_close(fd);
			return;
		}
	}
	/* Concurrent starts of one jail all wait for the one start. */
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		reply(fd, "error", 125, "out of memory");
		safe_close(fd);
		return;
	}
	w->fd = fd;
	LIST_INSERT_HEAD(&j->waiters, w, entry);
	progress_start(sv);
}

static void
client_free(struct client *c, bool close_fd)
{
	struct supervisor *sv = c->sv;

	ev_io_stop(sv->loop, &c->io_w);
	ev_timer_stop(sv->loop, &c->idle_w);
	TAILQ_REMOVE(&sv->clients, c, entry);
	sv->n_clients--;
	if (close_fd)
		safe_close(c->fd);
	free(c);
}

/* True when BUF is a START of a jail that is still ending: it is served
 * once the jail is gone (unpark_clients()). */
static bool
start_must_wait(struct supervisor *sv, const char *buf, size_t n)
{
	struct control_msg m = {};
	const char *name;
	struct jail *j = NULL;

	if (control_decode(buf, n, &m) == 0 && m.type == CONTROL_START &&
	    (name = control_get(&m, "name")) != NULL)
		j = jail_find(sv, name);
	control_msg_done(&m);
	if (j == NULL || !j->ending)
		return false;
	log_info("jail '%s' is still stopping (its keeper releases the home): a start waits",
		 j->name);
	return true;
}

static void
client_request(struct client *c)
{
	struct supervisor *sv = c->sv;
	/* Wiped, not only freed: a START may carry the password of an
	 * encrypted home. */
	_cleanup_(control_buf_freep) char *buf = malloc(CONTROL_MSG_MAX);
	struct control_msg m = {};
	int fd = c->fd;
	ssize_t n;

	if (buf == NULL) {
		client_free(c, true);
		return;
	}
	/* Peeked first: the start of a jail whose keeper still releases its
	 * home waits, its request (a password too) left in the socket, not
	 * in our memory. */
	n = recv(fd, buf, CONTROL_MSG_MAX, MSG_TRUNC | MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && n <= CONTROL_MSG_MAX && start_must_wait(sv, buf, (size_t) n)) {
		ev_io_stop(sv->loop, &c->io_w);
		ev_timer_stop(sv->loop, &c->idle_w); /* it spoke: not idle */
		c->parked = true;
		progress_start(sv);
		return;
	}
	n = recv(fd, buf, CONTROL_MSG_MAX, MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* One request per connection: the client is done with us either way. */
	client_free(c, false);
	if (n <= 0 || n > CONTROL_MSG_MAX || control_decode(buf, (size_t) n, &m) < 0 ||
	    m.type != CONTROL_START) {
		if (n > 0)
			log_warn("refusing a malformed control message (%zd bytes)", n);
		if (n > 0)
			reply(fd, "error", 2, "malformed request");
		safe_close(fd);
		control_msg_done(&m);
		return;
	}
	handle_start(sv, fd, &m);
	control_msg_done(&m);
}

/* A request may carry the password of an encrypted home: while it is in
 * our memory (it is wiped before client_request() returns) we are not
 * dumpable — no core file, no ptrace or /proc/PID/mem by other processes
 * of the user. Only then: the rest of the time the user may inspect their
 * supervisor's /proc as they please. */
static void
client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void) loop;
	(void) revents;
	(void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	client_request(container_of(w, struct client, io_w));
	(void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static void
client_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void) loop;
	(void) revents;
	log_debug("dropping a control connection silent for %.0f s", CLIENT_IDLE_TIMEOUT);
	client_free(container_of(w, struct client, idle_w), true);
}

/* Makes room for one more client: the oldest that has not sent its
 * request goes, served first when its request has just come. False when
 * every client in the table has spoken (their starts wait for a jail
 * still ending). */
static bool
clients_make_room(struct supervisor *sv)
{
	for (unsigned tries = 0; sv->n_clients >= CLIENTS_MAX && tries <= CLIENTS_MAX; tries++) {
		struct client *c;
		struct pollfd p;

		TAILQ_FOREACH(c, &sv->clients, entry)
		if (!c->parked)
			break;
		if (c == NULL)
			return false;
		p = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 1)
			/* Readable: its request (or EOF) is read now, which
			 * frees it or parks it. */
			client_cb(sv->loop, &c->io_w, EV_READ);
		else {
			log_debug("control table full, dropping the oldest silent client");
			client_free(c, true);
		}
	}
	return sv->n_clients < CLIENTS_MAX;
}

static void
control_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct supervisor *sv = container_of(w, struct supervisor, control_w);
	struct client *c;
	uid_t uid = (uid_t) -1;
	int fd;

	(void) revents;
	fd = unix_accept_own(sv->control_fd, &uid);
	if (fd == -EPERM)
		log_warn("refusing a control connection of uid %u", (unsigned) uid);
	if (fd < 0) {
		/* Out of fds, the pending connection stays readable: pause
		 * accepting for a moment instead of spinning on it. */
		if (fd == -EMFILE || fd == -ENFILE) {
			log_warn("out of file descriptors, pausing the control socket for 1 s");
			ev_io_stop(loop, &sv->control_w);
			ev_timer_start(loop, &sv->accept_pause_w);
		}
		return;
	}
	if (!clients_make_room(sv)) {
		safe_close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		safe_close(fd);
		return;
	}
	c->sv = sv;
	c->fd = fd;
	ev_io_init(&c->io_w, client_cb, fd, EV_READ);
	ev_io_start(loop, &c->io_w);
	ev_timer_init(&c->idle_w, client_idle_cb, CLIENT_IDLE_TIMEOUT, 0.);
	ev_timer_start(loop, &c->idle_w);
	TAILQ_INSERT_TAIL(&sv->clients, c, entry);
	sv->n_clients++;
}

static void
accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct supervisor *sv = container_of(w, struct supervisor, accept_pause_w);

	(void) revents;
	ev_io_start(loop, &sv->control_w);
}

/* A jail found on disk at start: adopt it when its jailer still runs (the
 * iso-pipe is opened first, so a jailer alive after that open held its
 * write end then, and its exit will show as EOF); otherwise it ended while
 * no supervisor ran: clean up after it now. */
static void
adopt_jail(struct supervisor *sv, const char *name)
{
	struct ev_loop *loop = sv->loop;
	struct jail *j = jail_new(sv, name);
	enum jail_status status;
	const char *network;
	unsigned line = 0;
	int r;

	if (j == NULL)
		return;
	r = state_dir_open(sv->jails_fd, name, &j->dir_fd);
	if (r < 0) {
		log_warn_errno(r, "ignoring the state directory '%s'", name);
		free(j);
		return;
	}
	r = kv_read_at(j->dir_fd, STATE_STATE, &j->state, &line);
	if (r < 0) {
		/* No state file: a jail of `run --no-daemon`, not ours to manage. */
		if (r == -ENOENT)
			log_debug("jail '%s' has no state file, leaving it alone", name);
		else
			log_warn_errno(r, "ignoring jail '%s': bad state file (line %u)", name,
				       line);
		safe_close(j->dir_fd);
		kv_list_done(&j->state);
		free(j);
		return;
	}
	status = jail_status_from_string(kv_get(&j->state, STATE_KEY_STATUS));
	LIST_INSERT_HEAD(&sv->jails, j, entry);
	if (status == JAIL_STOPPED || status == JAIL_FAILED) {
		j->status = status;
		kill_helpers(j->dir_fd, name); /* harmless when none is left */
		release_crypt_home(sv, j->dir_fd, name);
		LIST_REMOVE(j, entry);
		safe_close(j->dir_fd);
		kv_list_done(&j->state);
		free(j);
		return;
	}
	j->status = status < 0 ? JAIL_RUNNING : status;
	(void) iso_pipe_open_read(j->dir_fd, &j->iso_fd);
	if (jail_state_jailer(&j->state, &j->jailer) < 0 || j->iso_fd < 0 ||
	    proc_id_is(&j->jailer, "jailer") <= 0) {
		log_info("jail '%s' ended while no supervisor ran", name);
		if (j->status == JAIL_STARTING)
			j->status = JAIL_STOPPING; /* not a failed start we saw */
		jail_ended(loop, j);
		return;
	}
	ev_io_init(&j->iso_pipe_w, iso_pipe_cb, j->iso_fd, EV_READ);
	ev_io_start(loop, &j->iso_pipe_w);
	log_info("adopted jail '%s'", name);
	network = kv_get(&j->state, STATE_KEY_NETWORK);
	if (network != NULL && streq(network, "vpn") && net_adopt(loop, &j->net, j->dir_fd) &&
	    j->status == JAIL_RUNNING)
		net_vpn_lost_cb(loop, &j->net);
}

static void
adopt_all(struct supervisor *sv)
{
	_cleanup_strv_ char **names = NULL;
	int r;

	r = state_list_jails(sv->jails_fd, &names);
	if (r < 0) {
		log_warn_errno(r, "unable to list the jails, ignoring");
		return;
	}
	for (char **n = names; *n != NULL; n++)
		adopt_jail(sv, *n);
}

static void
quit_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void) w;
	(void) revents;
	log_info("leaving; the jails keep running");
	ev_break(loop, EVBREAK_ALL);
}

static void
hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void) loop;
	(void) w;
	(void) revents;
	/* Profiles are read at every start, so nothing is cached to drop. */
	log_info("SIGHUP: profiles are re-read at each start");
}

static int
bind_control(int root_fd)
{
	/* We hold the lock: a socket file left here is a dead daemon's. */
	(void) unlinkat(root_fd, STATE_CONTROL_SOCK, 0);
	return unix_listen_at(root_fd, STATE_CONTROL_SOCK, SOCK_SEQPACKET, SOCK_NONBLOCK, 256);
}

static double
env_seconds(const char *key, double fallback)
{
	const char *t = getenv(key);
	unsigned v;

	if (t != NULL && parse_uint(t, 1, 86400, &v) == 0)
		return v;
	return fallback;
}

int
daemon_main(bool foreground)
{
	/* Static only so that what it holds stays reachable once we return:
	 * the jails run on after us, so nothing of theirs is torn down
	 * (net_done() would end pasta and openvpn), and LeakSanitizer must
	 * not count it. Nothing but this function names it. */
	static struct supervisor sv = {
	    .jails = LIST_HEAD_INITIALIZER(sv.jails),
	    .clients = TAILQ_HEAD_INITIALIZER(sv.clients),
	    .jails_fd = -1,
	    .control_fd = -1,
	};
	_cleanup_close_ int root_fd = -1, lock_fd = -1;
	_cleanup_free_ char *root_path = NULL;
	struct ev_loop *loop;
	ev_signal term_w, int_w, hup_w;
	struct rlimit nofile;
	int r;

	sv.start_timeout = env_seconds("JAILSUP_START_TIMEOUT", JAIL_START_TIMEOUT);
	sv.vpn_timeout = env_seconds("JAILSUP_VPN_TIMEOUT", VPN_START_TIMEOUT);
	r = sibling_path("share/jailsup/profiles", &sv.shipped_dir);
	if (r < 0)
		return log_error_errno(r, "unable to find our own folder"), EXIT_TEMPORARY;
	r = profile_env_from_environ(&sv.env, &sv.env_storage, sv.shipped_dir);
	if (r < 0 || sv.env.xdg_runtime_dir == NULL)
		return log_error("$HOME and $XDG_RUNTIME_DIR must be absolute paths"),
		       EXIT_PERMANENT;
	r = state_runtime_open(sv.env.xdg_runtime_dir, true, &root_fd, &sv.jails_fd);
	sv.root_fd = root_fd;
	if (r < 0)
		return log_error_errno(r, "unable to open '%s/%s'", sv.env.xdg_runtime_dir,
		                       STATE_RUNTIME_SUBDIR),
		       EXIT_TEMPORARY;
	lock_fd = openat(root_fd, STATE_DAEMON_LOCK,
			 O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		return log_error_errno(-errno, "unable to open the daemon lock"), EXIT_TEMPORARY;
	if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return log_error("a supervisor already runs for this user"),
			       EXIT_PERMANENT;
		return log_error_errno(-errno, "unable to lock"), EXIT_TEMPORARY;
	}
	sv.control_fd = bind_control(root_fd);
	if (sv.control_fd < 0)
		return log_error_errno(sv.control_fd, "unable to bind the control socket"),
		       EXIT_TEMPORARY;

	if (!foreground) {
		_cleanup_close_ int logfd = -1;
		pid_t pid;

		/* The socket is bound before we return: a CLI that started us
		 * can connect as soon as we exit. So is daemon.pid, written here
		 * for the child: whoever ran `jailsup daemon` can read it at
		 * once (and a test's cleanup find the daemon it started). */
		pid = fork();
		if (pid < 0)
			return log_error_errno(-errno, "unable to detach"), EXIT_TEMPORARY;
		if (pid > 0) {
			struct proc_id child;

			if (proc_id_get(pid, &child) >= 0)
				(void) proc_id_write_at(root_fd, STATE_DAEMON_PID, &child);
			_exit(0);
		}
		if (setsid() < 0)
			return EXIT_TEMPORARY;
		logfd = openat(root_fd, "daemon.log",
			       O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(logfd >= 0 ? logfd : null, 2) < 0)
			return EXIT_TEMPORARY;
		safe_close(null);
	}

	if (foreground) {
		struct proc_id self;

		/* For people and scripts: which process is the supervisor. */
		if (proc_id_get(getpid(), &self) >= 0)
			(void) proc_id_write_at(root_fd, STATE_DAEMON_PID, &self);
	}
	(void) signal(SIGPIPE, SIG_IGN);
	loop = EV_DEFAULT;
	if (loop == NULL)
		return log_error("unable to create the event loop"), EXIT_TEMPORARY;
	sv.loop = loop;
	adopt_all(&sv);
	sweep_gone(&sv);
	ev_io_init(&sv.control_w, control_cb, sv.control_fd, EV_READ);
	ev_io_start(loop, &sv.control_w);
	ev_timer_init(&sv.accept_pause_w, accept_resume_cb, 1., 0.);
	ev_timer_init(&sv.progress_w, progress_cb, 0., CONTROL_PROGRESS_INTERVAL);
	ev_idle_init(&sv.spare_w, proxy_spare_cb);
	/* One fd per jail and per waiting CLI: take all the kernel allows. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		(void) setrlimit(RLIMIT_NOFILE, &nofile);
	}
	ev_signal_init(&term_w, quit_cb, SIGTERM);
	ev_signal_start(loop, &term_w);
	ev_signal_init(&int_w, quit_cb, SIGINT);
	ev_signal_start(loop, &int_w);
	ev_signal_init(&hup_w, hup_cb, SIGHUP);
	ev_signal_start(loop, &hup_w);
	log_info("supervisor %s ready", JAILSUP_VERSION);
	if (asprintf(&root_path, "%s/%s", sv.env.xdg_runtime_dir, STATE_RUNTIME_SUBDIR) < 0)
		return log_error("out of memory"), EXIT_TEMPORARY;
	jailer_standby_enable(loop, root_fd, root_path);

	ev_run(loop, 0);

	dbus_proxy_spare_drop();

	(void) unlinkat(root_fd, STATE_CONTROL_SOCK, 0);
	(void) unlinkat(root_fd, STATE_DAEMON_PID, 0);
	sv.control_fd = safe_close(sv.control_fd);
	profile_env_storage_done(&sv.env_storage);
	sv.shipped_dir = mfree(sv.shipped_dir);
	return 0;
}
