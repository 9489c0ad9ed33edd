/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * run.h: `jailsup run` joins a running jail straight through its
 * dispatch.sock (no supervisor round trip for a second app); otherwise it
 * asks the supervisor to start the jail, starting the supervisor when none
 * answers. --no-daemon starts the jail without any supervisor (a debugging
 * aid). `jailsup enter` runs a command in a running jail only.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <syslog.h>
#include <time.h>

#include "cli/client.h"
#include "cli/notify.h"
#include "cli/run.h"
#include "cli/start.h"
#include "cli/usage.h"
#include "cli/verbs.h"
#include "ini-profiles/profile.h"
#include "state/exe-paths.h"
#include "state/jail-state.h"
#include "state/kv.h"
#include "state/log.h"
#include "state/state.h"

/* Rounds of connect-or-start when a jail ends just as we come. */
#define RUN_ATTEMPTS 5

struct run_args {
	const char *profile;
	bool secure;
	bool autodelete;
	bool no_daemon;
	bool no_wait; /* back once the app runs: jail_run_app_flags() */
	const char *target;
	char **args;
};

static bool
is_option(const char *arg, const char *name)
{
	return streq(arg, name);
}

static int
parse_run_args(int argc, char **argv, struct run_args *ret)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (is_option(a, "--profile")) {
			if (++i >= argc)
				return log_error("--profile needs a NAME"), -EINVAL;
			ret->profile = argv[i];
		} else if (strstartswith(a, "--profile="))
			ret->profile = a + strlen("--profile=");
		else if (is_option(a, "--secure"))
			ret->secure = true;
		else if (is_option(a, "--autodelete"))
			ret->autodelete = true;
		else if (is_option(a, "--no-daemon"))
			ret->no_daemon = true;
		else if (is_option(a, "--no-wait"))
			ret->no_wait = true;
		else if (is_option(a, "--help")) {
			cli_usage(stdout);
			exit(0);
		} else if (is_option(a, "--")) {
			/* With --profile, a "--" before any target ends both:
			 * `run --profile NAME -- ARGS` runs the profile's exe. */
			if (ret->profile != NULL) {
				ret->args = argv + i + 1;
				return 0;
			}
			continue;
		} else if (a[0] == '-' && a[1] != '\0')
			return log_error("unknown option '%s'", a), -EINVAL;
		else
			break;
	}
	if (i < argc)
		ret->target = argv[i++];
	if (i < argc && streq(argv[i], "--"))
		i++;
	ret->args = argv + i;
	if (ret->target == NULL && ret->profile == NULL)
		return log_error("run: a profile NAME or an EXE is needed"), -EINVAL;
	return 0;
}

/* NAME is a profile; an EXE (has a '/', or is on PATH while no profile has
 * that name) gets a derived name and, on first start, a new profile. */
static int
load_run_profile(const struct run_args *a, const struct profile_env *env,
		 struct jail_profile **ret, bool *ret_created)
{
	_cleanup_free_ char *name = NULL, *cwd = NULL, *path = NULL;
	struct profile_error err = {};
	bool is_exe;
	int r;

	/* With --profile NAME, a target is always the exe of the jail NAME
	 * (never silently dropped, as a second name would be). */
	is_exe = a->target != NULL && (strchr(a->target, '/') != NULL || a->profile != NULL);
	if (a->target != NULL && !is_exe) {
		r = profile_find(env, a->target, &path);
		if (r == -ENOENT && found_on_path(a->target, env->path))
			is_exe = true;
		else if (r == -EINVAL)
			return log_error("'%s' is not a valid jail name", a->target), -EINVAL;
	}
	if (!is_exe) {
		const char *n = a->profile != NULL ? a->profile : a->target;

		if (!jail_name_valid(n))
			return log_error("'%s' is not a valid jail name", n), -EINVAL;
		r = profile_find_and_load(env, n, ret, &err);
		if (r == -ENOENT)
			return log_error("no profile named '%s' (create one with `jailsup new %s "
					 "--exec PATH`, or run an EXE by its path)", n, n), -ENOENT;
		if (r < 0)
			cli_log_profile_errors(env, n, &err);
		return r;
	}

	cwd = getcwd(NULL, 0);
	if (a->profile != NULL)
		name = strdup(a->profile);
	else {
		r = profile_name_from_exe(a->target, cwd != NULL ? cwd : "/", &name);
		if (r < 0)
			return log_error_errno(r, "unable to derive a jail name from '%s'",
					       a->target);
	}
	if (name == NULL || !jail_name_valid(name))
		return log_error("'%s' is not a valid jail name", name ? name : ""), -EINVAL;
	r = profile_find_and_load(env, name, ret, &err);
	if (r != -ENOENT) {
		if (r < 0)
			cli_log_profile_errors(env, name, &err);
		return r;
	}
	{
		_cleanup_free_ char *exec = NULL, *why = NULL;
		struct exe_resolution probe = {};

		/* The exec is stored as written, made absolute and tidied
		 * ("./tool" is not "/dir/./tool"): the profile must not depend
		 * on the cwd of its first start. */
		if (strchr(a->target, '/') == NULL || strchr("/~$", a->target[0]) != NULL ||
		    cwd == NULL)
			exec = strdup(a->target);
		else if (profile_path_make_absolute(a->target, cwd, &exec) < 0)
			return log_error("unable to make '%s' an absolute path", a->target),
			       -EINVAL;
		if (exec == NULL)
			return log_error("out of memory"), -ENOMEM;
		/* A first start that cannot run creates nothing: a typo must
		 * not leave a profile behind. */
		r = profile_resolve_exe_full(exec, "/", env, &probe, &why);
		exe_resolution_done(&probe);
		if (r < 0 && why != NULL)
			log_error("refusing to run '%s': %s", exec, why);
		else if (r < 0)
			log_error_errno(r, "unable to run '%s'", exec);
		if (r < 0 && why != NULL)
			return -EPERM; /* a refusal, not a missing exe */
		if (r < 0)
			return r == -ENOENT || r == -ELOOP ? -ENOENT : r == -EACCES ? -ENOEXEC : r;
		r = profile_create(env, name, exec, a->secure, a->autodelete, NULL);
		if (r < 0 && r != -EEXIST)
			return log_error_errno(r, "unable to create a profile for '%s'", exec);
		*ret_created = r >= 0;
	}
	r = profile_find_and_load(env, name, ret, &err);
	if (r < 0)
		cli_log_profile_errors(env, name, &err);
	return r;
}

static int
open_jail_dir(const char *name, bool create, int *ret_fd, char **ret_path)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	_cleanup_close_ int jails = -1;
	int r;

	if (runtime == NULL || runtime[0] != '/')
		return log_error("$XDG_RUNTIME_DIR is not set (log in through a session "
				 "manager, or set it to a private folder)"), -EINVAL;
	r = state_runtime_open(runtime, create, NULL, &jails);
	if (r == -ENOENT && !create)
		return r; /* no jail has run yet: the supervisor makes the folder */
	if (r < 0)
		return log_error_errno(r, "unable to open '%s/%s'", runtime, STATE_RUNTIME_SUBDIR);
	r = create ? state_dir_create(jails, name, ret_fd, NULL) : state_dir_open(jails, name, ret_fd);
	if (r < 0)
		return r == -ENOENT ? r
				    : log_error_errno(r, "unable to open the state directory of '%s'",
						      name);
	if (asprintf(ret_path, "%s/%s/%s/%s", runtime, STATE_RUNTIME_SUBDIR, STATE_JAILS_SUBDIR,
		     name) < 0)
		return -ENOMEM;
	return 0;
}

/* A start failed (the reason is printed already). The most common cause
 * on a fresh system has its own exit code and a fix: unprivileged user
 * namespaces switched off, by sysctl or by an AppArmor policy. Probed only
 * on this failure path, so a normal start pays nothing for it. */
static int
explain_failed_start(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return EXIT_JAILSUP_FAILED;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 0)
		return EXIT_JAILSUP_FAILED;
	log_error("unprivileged user namespaces are not available to you: allow them with "
	          "`sysctl kernel.unprivileged_userns_clone=1` and a non-zero "
	          "user.max_user_namespaces, or, under AppArmor, load the jailer's profile "
	          "(`apparmor_parser -r /etc/apparmor.d/jailsup-jailer`) or "
	          "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`");
	return EXIT_NO_USERNS;
}

/* Connects to the jail of PROFILE, starting it when none answers. Returns 0
 * and *ret_sock, -EAGAIN when the jail said it was running but took no
 * connection (it was ending: try again), or an exit code after logging. */
static int
connect_or_start(const struct run_args *a, const struct jail_profile *profile, bool created,
		 int *ret_sock)
{
	_cleanup_free_ char *state_path = NULL;
	_cleanup_close_ int jail_fd = -1;
	int r;

	/* A running jail is joined directly; only a start needs its state dir
	 * created (by the supervisor, or by us with --no-daemon). */
	r = open_jail_dir(profile->name, a->no_daemon, &jail_fd, &state_path);
	if (r < 0 && r != -ENOENT)
		return EXIT_JAILSUP_FAILED;
	if (r == 0 && jail_connect(jail_fd, ret_sock) == 0)
		return 0;
	if (a->no_daemon) {
		r = jail_start_direct(profile, jail_fd, state_path);
		if (r < 0 && r != -EALREADY)
			return explain_failed_start();
	} else {
		r = jail_request_start(profile->name, created);
		if (r == EXIT_JAILSUP_FAILED)
			return explain_failed_start();
		if (r != 0)
			return r;
		if (jail_fd < 0) {
			free(state_path);
			state_path = NULL;
			r = open_jail_dir(profile->name, false, &jail_fd, &state_path);
			if (r < 0)
				return log_error_errno(r, "unable to open the state of jail '%s'",
						       profile->name),
				       EXIT_JAILSUP_FAILED;
		}
	}
	r = jail_connect(jail_fd, ret_sock);
	if (r < 0 && !a->no_daemon)
		return -EAGAIN; /* "running" was the jail that just ended */
	if (r < 0)
		return log_error_errno(r, "unable to reach jail '%s'", profile->name),
		       EXIT_JAILSUP_FAILED;
	return 0;
}

int
jail_connect_or_start(const struct jail_profile *profile, int *ret_sock)
{
	const struct run_args a = { .profile = profile->name };

	return connect_or_start(&a, profile, false, ret_sock);
}

/* What verb_run() needs to tell of a start that failed. */
struct run_report {
	char name[JAIL_NAME_MAX + 1]; /* the jail, as far as it is known */
	bool started;                 /* the app ran: its status is its own */
};

static void
report_name(struct run_report *rep, const char *name)
{
	if (name != NULL)
		snprintf(rep->name, sizeof(rep->name), "%s", name);
}

static int
run_app(int argc, char **argv, struct run_report *rep)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(profile_freep) struct jail_profile *profile = NULL;
	_cleanup_free_ char *shipped = NULL, *why = NULL;
	_cleanup_strv_ char **app_argv = NULL;
	struct exe_resolution exe = {};
	struct run_args a = {};
	struct profile_env env;
	bool created = false;
	int r, sock = -1;

	if (parse_run_args(argc, argv, &a) < 0)
		return EXIT_USAGE;
	report_name(rep, a.profile != NULL ? a.profile : a.target);
	r = cli_profile_env(&env, &storage, &shipped);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	r = load_run_profile(&a, &env, &profile, &created);
	if (r == -ENOEXEC)
		return EXIT_NOT_EXECUTABLE;
	if (r < 0)
		return r == -ENOENT ? EXIT_NOT_FOUND : EXIT_JAILSUP_FAILED;
	report_name(rep, profile->name);

	r = profile_resolve_exe_full(profile->exec, "/", &env, &exe, &why);
	if (r < 0 && why != NULL)
		log_error("refusing to run '%s' (jail '%s'): %s", profile->exec, profile->name, why);
	else if (r < 0)
		log_error_errno(r, "unable to run '%s' (jail '%s')", profile->exec, profile->name);
	if (r < 0 && why != NULL)
		return EXIT_JAILSUP_FAILED;
	if (r < 0)
		return r == -ENOENT || r == -ELOOP ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
	if (strv_push(&app_argv, exe.jail_path) < 0)
		return EXIT_JAILSUP_FAILED;
	exe_resolution_done(&exe);
	/* The profile's args come first, the user's after them, so the
	 * user's can add to or override what the profile says. */
	if (profile->args != NULL) {
		_cleanup_strv_ char **words = NULL;
		const char *reason = NULL;

		r = profile_args_split(profile->args, &words, &reason);
		if (r < 0)
			return log_error("%s: invalid value for 'args': %s",
			                 profile->source != NULL ? profile->source : profile->name,
			                 reason != NULL ? reason : strerror(-r)),
			       EXIT_JAILSUP_FAILED;
		for (char **p = words; *p != NULL; p++)
			if (strv_push(&app_argv, *p) < 0)
				return EXIT_JAILSUP_FAILED;
	}
	for (char **p = a.args; *p != NULL; p++)
		if (strv_push(&app_argv, *p) < 0)
			return EXIT_JAILSUP_FAILED;

	/* A jail that was ending as we came refuses with -EAGAIN (nothing of
	 * the request ran) and takes no more connections: go round again, and
	 * the next start makes a fresh jail. */
	for (int attempt = 1;; attempt++) {
		r = connect_or_start(&a, profile, created, &sock);
		if (r == 0)
			r = jail_run_app_flags(sock, app_argv, profile->name,
			                       a.no_wait ? JAIL_RUN_NO_WAIT : 0, &rep->started);
		if (r != -EAGAIN)
			return r;
		if (attempt == RUN_ATTEMPTS)
			return log_error("jail '%s' kept ending before it ran the app",
					 profile->name),
			       EXIT_JAILSUP_FAILED;
		/* The supervisor may not have seen the end of the old jail yet. */
		if (!a.no_daemon)
			(void) nanosleep(&(struct timespec){ .tv_nsec = attempt * 20 * 1000 * 1000 },
					 NULL);
	}
}

/* Nobody reads our stderr when none of our stdio is a terminal: a desktop
 * launcher (whose menu discards it), a script, a cron job. Not a terminal
 * is all it takes; a pipe into a terminal program still counts as none. */
static bool
no_terminal(void)
{
	return !isatty(STDIN_FILENO) && !isatty(STDOUT_FILENO) && !isatty(STDERR_FILENO);
}

/* The log file of jail NAME's state dir when there is one, for appending:
 * a planted link or FIFO is refused. -ENOENT when there is none. */
static int
open_jail_log(const char *name, int *ret_fd)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	_cleanup_close_ int jails = -1, dir = -1, fd = -1;
	struct stat st;
	int r;

	if (runtime == NULL || runtime[0] != '/' || !jail_name_valid(name))
		return -ENOENT;
	r = state_runtime_open(runtime, false, NULL, &jails);
	if (r >= 0)
		r = state_dir_open(jails, name, &dir);
	if (r < 0)
		return r;
	fd = openat(dir, STATE_LOG, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* A start failed with no terminal to say so: the lines we logged (TEE
 * holds them) go to the jail's log, or the system log when the jail has
 * no state dir, and to the desktop as a notification. Only this path
 * pays for the bus connection. */
static void
report_failed_start(int tee, const struct run_report *rep)
{
	_cleanup_close_ int log_fd = -1;
	char text[4096], summary[128], *body;
	ssize_t n;
	int r;

	n = pread(tee, text, sizeof(text) - 1, 0);
	if (n < 0)
		n = 0;
	text[n] = '\0';
	if (n == 0)
		strcpy(text, "jailsup: error: the start failed\n");
	if (open_jail_log(rep->name, &log_fd) >= 0)
		(void) write_all(log_fd, text, strlen(text));
	else {
		openlog("jailsup", LOG_PID, LOG_USER);
		for (char *l = text, *e; *l != '\0'; l = *e != '\0' ? e + 1 : e) {
			e = strchrnul(l, '\n');
			syslog(LOG_ERR, "%.*s", (int) (e - l), l);
		}
		closelog();
	}

	/* The notification without our name on each line: its title says
	 * who speaks. */
	body = text;
	for (char *l = text; *l != '\0';) {
		static const char prefix[] = "jailsup: error: ";

		if (strstartswith(l, prefix))
			memmove(l, l + strlen(prefix), strlen(l + strlen(prefix)) + 1);
		l = strchrnul(l, '\n');
		if (*l == '\n')
			l++;
	}
	n = (ssize_t) strlen(body);
	while (n > 0 && body[n - 1] == '\n')
		body[--n] = '\0';
	if (rep->name[0] != '\0')
		snprintf(summary, sizeof(summary), "jail '%s' did not start", rep->name);
	else
		snprintf(summary, sizeof(summary), "a jail did not start");
	r = desktop_notify(summary, body);
	if (r < 0)
		log_debug_errno(r, "unable to show a desktop notification, ignoring");
}

int
verb_run(int argc, char **argv)
{
	struct run_report rep = {};
	_cleanup_close_ int tee = -1;
	int r;

	/* Our own lines are kept aside as they are written, in case the start
	 * fails: reading them back costs nothing unless it does. */
	if (no_terminal()) {
		tee = memfd_create("jailsup-run", MFD_CLOEXEC);
		if (tee >= 0)
			log_set_tee_fd(tee);
	}
	r = run_app(argc, argv, &rep);
	if (tee >= 0) {
		log_set_tee_fd(-1);
		if (r != 0 && !rep.started)
			report_failed_start(tee, &rep);
	}
	return r;
}

/* `enter` of a jail that takes no app: EXIT_NOT_RUNNING when the jail
 * exists (a state directory or a profile), else EXIT_NO_JAIL. One line. */
static int
enter_not_running(const char *name, bool have_state)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_free_ char *shipped = NULL, *path = NULL;
	struct profile_env env;

	if (!have_state) {
		if (cli_profile_env(&env, &storage, &shipped) < 0 ||
		    profile_find(&env, name, &path) < 0) {
			log_error("no jail or profile named '%s' (see `jailsup list`)", name);
			return EXIT_NO_JAIL;
		}
	}
	log_error("jail '%s' is not running (start it with `jailsup run %s`)", name, name);
	return EXIT_NOT_RUNNING;
}

/* The supervisor's state says "starting" (a jail of --no-daemon has no
 * state file: never starting as far as we can tell). */
static bool
jail_is_starting(int jail_fd)
{
	struct kv_list state = {};
	unsigned line;
	bool starting;

	if (kv_read_at(jail_fd, STATE_STATE, &state, &line) < 0)
		return false;
	starting = jail_status_from_string(kv_get(&state, STATE_KEY_STATUS)) == JAIL_STARTING;
	kv_list_done(&state);
	return starting;
}

int
verb_enter(int argc, char **argv)
{
	_cleanup_free_ char *state_path = NULL;
	_cleanup_close_ int jail_fd = -1;
	char *shell[] = { "/bin/bash", NULL };
	char **cmd = shell;
	int r, sock;

	if (argc < 1 || argv[0][0] == '-') {
		if (argc >= 1 && streq(argv[0], "--help")) {
			cli_usage(stdout);
			return 0;
		}
		log_error("enter: a jail NAME is needed");
		return EXIT_USAGE;
	}
	if (!jail_name_valid(argv[0])) {
		log_error("'%s' is not a valid jail name", argv[0]);
		return EXIT_USAGE;
	}
	if (argc >= 2) {
		cmd = argv + 1;
		if (streq(cmd[0], "--"))
			cmd++;
		if (cmd[0] == NULL)
			cmd = shell;
	}
	r = open_jail_dir(argv[0], false, &jail_fd, &state_path);
	/* Its dispatch.sock is there while it starts, but its first app is
	 * the one being started: an app that joined first and ended would end
	 * the jail under it. */
	if (r >= 0 && jail_is_starting(jail_fd)) {
		log_error("jail '%s' is still starting: try again when `jailsup list` says "
			  "running", argv[0]);
		return EXIT_NOT_RUNNING;
	}
	if (r == -ENOENT || (r >= 0 && jail_connect(jail_fd, &sock) < 0))
		return enter_not_running(argv[0], r >= 0);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	/* No fd of ours but the three stdio ones may be around when the jail
	 * gets them: a directory fd would open the host to it. */
	jail_fd = safe_close(jail_fd);
	r = jail_run_app(sock, cmd, argv[0]);
	if (r == -EAGAIN)
		return enter_not_running(argv[0], true);
	return r;
}
