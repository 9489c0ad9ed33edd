/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailer STATE_DIR — builds one jail and stays on the host side for its
 * whole life. main() reads as the steps of docs/architecture.md: bind
 * dispatch.sock, report our PID in the iso-pipe, clone the namespaces; the
 * child builds the view, drops every privilege and becomes dispatch (PID 1
 * of the jail); we wait for it, then unlink the iso-pipe and exit with its
 * status. Killing us kills the jail: dispatch has PDEATHSIG = SIGKILL.
 *
 * Options: --go-fd N  wait for one byte on fd N before dispatch starts (the
 *                     supervisor's go, once the jail's network is final)
 *
 * `jailer --standby`: started by the supervisor ahead of need; waits for
 * the argv, environment and fds of a jail start (state/jailer-standby.h),
 * then runs as if exec'd with them.
 */
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "dispatch/dispatch.h"
#include "jailer/jailer.h"
#include "jailer/steps.h"
#include "state/exe-paths.h"
#include "state/iso-pipe.h"
#include "state/jailer-standby.h"
#include "state/log-relay.h"
#include "state/log.h"
#include "state/state.h"

static volatile pid_t jail_pid;

/* Our argv as exec'd (contiguous in memory): what /proc/PID/cmdline reads,
 * rewritten by a standby that becomes a jail's jailer, and when the child
 * becomes dispatch. */
static char *exec_args;
static size_t exec_args_len;

/* Puts ARGV in the exec'd argv's place, cut short when it does not fit,
 * the rest zeroed (ps shows no trailing blanks). */
static void
set_cmdline(char *const *argv)
{
	size_t used = 0;

	if (exec_args_len == 0)
		return;
	memset(exec_args, 0, exec_args_len);
	for (; *argv != NULL && used + 1 < exec_args_len; argv++) {
		size_t n = strlen(*argv);

		if (n > exec_args_len - used - 1)
			n = exec_args_len - used - 1;
		memcpy(exec_args + used, *argv, n);
		used += n + 1;
	}
}

/* The host-side fds the child hands to dispatch, and those it must not
 * keep. */
struct jail_fds {
	int listen;
	int iso;
	int log;    /* write end of the pipe of the jail side's own lines */
	int output; /* write end of the pipe of the init script's output, or -1 */
	int init;   /* the init script's sealed copy, or -1 */
	int bridge; /* the dbus-bridge binary, with a private bus; or -1 */
	int bus;    /* write end of the pipe of the private bus's output, or -1 */
	int parent_pidfd;
	int ns_ready[2]; /* the child's byte: its namespaces can be joined */
	int host_only[4]; /* the log and the pipes' read ends: closed first thing */
};

/* What the jail side may write to its log in one start, through the pipes
 * the jailer relays (state/log-relay.h): the init script and its processes,
 * and dispatch's own lines (the jailer's child, then dispatch: a few lines,
 * but never without bound either). */
#define JAIL_OUTPUT_MAX  (1024 * 1024)
#define DISPATCH_LOG_MAX (64 * 1024)

/* The largest init script read. */
#define INIT_SCRIPT_MAX (1024 * 1024)


static void
usage(void)
{
	fprintf(stderr, "usage: jailer [--go-fd N] STATE_DIR\n");
	_exit(EXIT_PERMANENT);
}

/* $XDG_DATA_HOME/jailsup/jails/NAME/home, created on first start. The
 * folders above it are ours and 0700; home itself belongs to the jail,
 * which may chmod it, so only its owner is checked. An encrypted jail's
 * home is the backend's mount in the state directory instead. */
static int
prepare_home(const struct jail_spec *spec)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r, home;

	if (spec->crypt != CRYPT_NONE)
		return open_crypt_home(spec);
	r = jail_data_dir_open(spec->data_home, spec->name, true, &fd);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to create the jail's data folder below '%s'",
			  spec->data_home);
	if (mkdirat(fd, "home", 0700) < 0 && errno != EEXIST)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create '%s'", spec->home_src);
	home = openat(fd, "home", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (home < 0)
		die_errno(EXIT_PERMANENT, -errno, "unable to open '%s'", spec->home_src);
	if (fstat(home, &st) < 0 || st.st_uid != getuid())
		die(EXIT_PERMANENT, "'%s' is not owned by us, refusing it", spec->home_src);
	return home;
}

/* One jailer per state dir at a time, for its whole life (the lock goes
 * with our last fd of it, at exit, after the unlinks below): the previous
 * jailer of this name may still be removing its iso-pipe and dispatch.sock
 * by name when we are started, and we must not bind ours before that. */
static void
lock_state_dir(const struct jail_spec *spec)
{
	while (flock(spec->state_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			die_errno(EXIT_TEMPORARY, -errno, "unable to lock '%s'", spec->state_path);
}

/* Binds dispatch.sock before the jail exists, so a client can connect as
 * soon as the supervisor reports the jail running. */
static int
bind_dispatch_socket(const struct jail_spec *spec)
{
	int fd;

	/* We hold the state dir's lock: a socket left here is a dead jailer's. */
	(void) unlinkat(spec->state_fd, STATE_DISPATCH_SOCK, 0);
	fd = unix_listen_at(spec->state_fd, STATE_DISPATCH_SOCK, SOCK_SEQPACKET, 0, 128);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, fd, "unable to bind '%s/%s'", spec->state_path,
		          STATE_DISPATCH_SOCK);
	return fd;
}

static int
report_pid(const struct jail_spec *spec)
{
	int fd, r;

	/* The write end stays open in this process for its whole life: its
	 * close, even by kill -9, is how the supervisor learns the jail is gone. */
	r = iso_pipe_open_write(spec->state_fd, &fd);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to open '%s/%s'", spec->state_path,
			  STATE_ISO_PIPE);
	r = iso_pipe_write_pid(fd, getpid());
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to write to the iso-pipe");
	return fd;
}

/* The init script, read here on the host side, before the jail exists, and
 * handed to it as a sealed copy: no process of the jail holds an fd of the
 * user's file (through /proc/PID/fd/6 of a background process of the
 * script, one would rewrite it, and it may be the script of other jails
 * too), and what runs is what was checked. Where it lies was checked
 * when the spec was built (spec.c: no jail can write it, nor any folder or
 * link on its way, so its path still means the same file here). The file
 * itself must be a regular
 * file of the user's (or root's: /etc/jailsup), writable by its owner only,
 * of at most INIT_SCRIPT_MAX bytes. */
static int
read_init_script(const struct jail_spec *spec)
{
	const char *path = spec->profile->init_script;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len = 0;
	int r, copy;

	if (path == NULL)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		die_errno(EXIT_PERMANENT, -errno, "unable to open the init script '%s'", path);
	if (fstat(fd, &st) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to read the init script '%s'", path);
	if (!S_ISREG(st.st_mode))
		die(EXIT_PERMANENT, "the init script '%s' is not a regular file", path);
	if (st.st_uid != spec->uid && st.st_uid != 0)
		die(EXIT_PERMANENT,
		    "the init script '%s' belongs to another user (uid %u), refusing it", path,
		    (unsigned) st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		die(EXIT_PERMANENT,
		    "the init script '%s' is writable by others than its owner (mode %04o), "
		    "refusing it",
		    path, (unsigned) (st.st_mode & 07777));
	if (st.st_size > INIT_SCRIPT_MAX)
		die(EXIT_PERMANENT, "the init script '%s' is larger than %d bytes, refusing it",
		    path, INIT_SCRIPT_MAX);
	r = read_all(fd, INIT_SCRIPT_MAX, &text, &len);
	if (r == -EFBIG)
		die(EXIT_PERMANENT, "the init script '%s' is larger than %d bytes, refusing it",
		    path, INIT_SCRIPT_MAX);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to read the init script '%s'", path);
	copy = memfd_sealed("jailsup-init-script", text, len);
	if (copy < 0)
		die_errno(EXIT_TEMPORARY, copy, "unable to copy the init script '%s'", path);
	return copy;
}

/* With a private session bus, the dbus-bridge binary, a sibling of ours
 * on the host side, copied into a sealed memfd that dispatch runs by its
 * fd (execveat): the jail needs no path to it (the libraries it loads are
 * the jail's /usr), and /proc/PID/exe of the bridge leads to the copy,
 * which nobody can change, never to the host's file, which a jail could
 * otherwise reopen for writing when the user owns the install, and so
 * run its code in every jail started after. Only jails with own-private
 * names pay for it. */
static int
open_bridge(const struct jail_spec *spec)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (!spec->private_bus)
		return -1;
	r = sibling_path("libexec/jailsup/dbus-bridge", &path);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to find dbus-bridge, needed by own-private");
	r = memfd_sealed_program("jailsup-dbus-bridge", path);
	if (r < 0)
		die_errno(r == -EINVAL ? EXIT_PERMANENT : EXIT_TEMPORARY, r,
		          "unable to copy '%s' (needed by own-private) into a sealed memfd", path);
	return r;
}

/* A pipe whose write end goes to the jail and whose read end only we keep
 * (and the child closes first thing). */
static void
make_log_pipe(int *ret_read, int *ret_write)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create a pipe for the jail's log");
	*ret_read = p[0];
	*ret_write = p[1];
}

/* Our uid and gid mapped to themselves: files in the home stay the user's. */
static void
write_id_maps(uid_t uid, gid_t gid)
{
	const char *path = NULL;
	int r;

	r = userns_map_self(uid, gid, &path);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to write '%s'", path);
}

static void
bring_up_loopback(void)
{
	struct ifreq ifr = {};
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create a socket for 'lo'");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to read the flags of 'lo'");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bring 'lo' up");
}

/* A standby's namespaces made ahead: a user namespace with our
 * id maps and a network namespace with lo up, kept by our fds of them (a
 * namespace lives as long as something refers to it) until a start has
 * the jail's first process enter them. What they cost (the network
 * namespace most: ~1 ms here) is then off the start's path. The fds sit
 * above the numbers the start's fds take (state/jailer-standby.h). */
#define EARLY_NS_FD_MIN 10

static struct {
	int user_fd, net_fd;
	bool used; /* the jail's first process is in them */
} early = { .user_fd = -1, .net_fd = -1 };

static void
early_namespaces_release(void)
{
	early.user_fd = safe_close(early.user_fd);
	early.net_fd = safe_close(early.net_fd);
}

static int
open_ns_high(pid_t pid, const char *ns)
{
	char path[64];
	int fd, high;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	high = fcntl(fd, F_DUPFD_CLOEXEC, EARLY_NS_FD_MIN);
	safe_close(fd);
	return high;
}

/* A child makes the namespaces (a process that creates a user namespace
 * enters it, and we must stay on the host), says when they are ready, and
 * is killed once we hold them: no process of it lingers. */
static void
early_namespaces_make(void)
{
	/* Ours, asked before the clone: in the new namespace, until its maps
	 * are written, we are the overflow uid. */
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t parent = getpid();
	int ready[2];
	long pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return;
	pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		safe_close(ready[0]);
		/* Orphaned before PDEATHSIG was armed: our parent may be any
		 * subreaper now, so compare with the PID it had. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
			_exit(EXIT_TEMPORARY);
		write_id_maps(uid, gid);
		bring_up_loopback();
		if (write(ready[1], "r", 1) != 1)
			_exit(EXIT_TEMPORARY);
		for (;;)
			pause();
	}
	safe_close(ready[1]);
	if (pid < 0) {
		safe_close(ready[0]);
		return;
	}
	/* EOF: it failed (no user namespaces?); a start then makes its own. */
	if (read(ready[0], &c, 1) == 1) {
		early.user_fd = open_ns_high((pid_t) pid, "user");
		early.net_fd = open_ns_high((pid_t) pid, "net");
	}
	safe_close(ready[0]);
	/* Our unreaped child: the PID is still its. */
	(void) kill((pid_t) pid, SIGKILL);
	(void) waitpid((pid_t) pid, NULL, 0);
	if (early.user_fd < 0 || early.net_fd < 0)
		early_namespaces_release();
}

static void
wait_for_go(const struct jail_spec *spec)
{
	char c;
	ssize_t n;

	if (spec->go_fd < 0)
		return;
	do
		n = read(spec->go_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die(EXIT_TEMPORARY, "the supervisor went away before the jail was ready");
	safe_close(spec->go_fd);
}

/* Becomes dispatch: the fds at dispatch's numbers and no other (no exec
 * closes the close-on-exec ones for us), the signals as an exec would
 * leave them, the jail's environment, and dispatch's name in ps. */
static _noreturn_ void
become_dispatch(const struct jail_spec *spec, const struct jail_fds *fds)
{
	const int from[] = {fds->listen, fds->iso,    fds->log, fds->init,
	                    fds->output, fds->bridge, fds->bus};
	const int to[] = {DISPATCH_FD_LISTEN, DISPATCH_FD_ISO,    DISPATCH_FD_LOG, DISPATCH_FD_INIT,
	                  DISPATCH_FD_OUTPUT, DISPATCH_FD_BRIDGE, DISPATCH_FD_BUS};
	_cleanup_strv_ char **app_names = NULL;
	struct dispatch_args args = {.name = spec->name, .init_script = fds->init >= 0};
	int moved[ELEMENTSOF(from)];

	for (size_t i = 0; i < ELEMENTSOF(from); i++) {
		moved[i] = from[i] < 0 ? -1 : fcntl(from[i], F_DUPFD_CLOEXEC, 20);
		if (from[i] >= 0 && moved[i] < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to move fd %d", from[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(from); i++) {
		if (moved[i] >= 0 ? dup2(moved[i], to[i]) < 0
				  : close(to[i]) < 0 && errno != EBADF)
			die_errno(EXIT_TEMPORARY, -errno, "unable to pass fd %d", to[i]);
	}
	if (fds->bridge >= 0) {
		for (char *const *n = spec->profile->dbus.own; n != NULL && *n != NULL; n++) {
			_cleanup_free_ char *own = NULL;

			/* The bridge holds these for the app on the user's bus. */
			if (asprintf(&own, "own:%s", *n) < 0 || strv_push(&app_names, own) < 0)
				die(EXIT_TEMPORARY, "out of memory");
		}
		for (char *const *n = spec->profile->dbus.own_private; *n != NULL; n++)
			if (strv_push(&app_names, *n) < 0)
				die(EXIT_TEMPORARY, "out of memory");
		args.private_bus = true;
		args.host_bus = spec->dbus.jail;
		args.app_names = app_names;
	}
	if (syscall(SYS_close_range, DISPATCH_FD_BUS + 1, ~0u, 0) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to close the jailer's fds");
	log_set_tee_fd(DISPATCH_FD_LOG);
	reset_signals_for_exec();
	/* What ps in the jail shows: dispatch, not the jailer's command line
	 * (which names the state directory's host path). */
	(void) prctl(PR_SET_NAME, "dispatch", 0, 0, 0);
	set_cmdline((char *[]){ "dispatch", NULL });
	environ = spec->env;
	exit(dispatch_main(&args));
}

static void
exit_on_signal(int sig)
{
	_exit(128 + sig);
}

/* The child: PID 1 of the new namespaces until it becomes dispatch. */
static _noreturn_ void
run_jail(const struct jail_spec *spec, const struct jail_fds *fds)
{
	struct pollfd parent = { .fd = fds->parent_pidfd, .events = POLLIN };
	sigset_t none;

	/* From here on, what we log goes through the jailer, as dispatch's
	 * lines will: the jail keeps no fd of the host's log. */
	log_set_tee_fd(fds->log);
	for (size_t i = 0; i < ELEMENTSOF(fds->host_only); i++)
		safe_close(fds->host_only[i]);
	/* Cloned by clone_into_early(), a child of spawn_vfork(), we come with
	 * every signal blocked; the mask is cleared either way. */
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	/* PID 1 of a namespace gets no signal it has no handler for: without
	 * this, `jailsup kill` of a jail still being built would be dropped. */
	(void) signal(SIGTERM, exit_on_signal);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to tie the jail to the jailer");
	/* The jailer may have died before PDEATHSIG was armed. */
	if (poll(&parent, 1, 0) != 0)
		_exit(EXIT_TEMPORARY);
	safe_close(fds->parent_pidfd);

	/* Made ahead, the user namespace has its maps and the network
	 * namespace its loopback already. */
	if (!early.used) {
		write_id_maps(spec->uid, spec->gid);
		if (spec->network != NETWORK_HOST)
			bring_up_loopback();
	}
	if (sethostname(spec->name, strlen(spec->name)) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to set the hostname");
	limit_nested_userns(spec);
	/* The supervisor's network helpers may join us now: our id maps
	 * are written, so whatever they create is the user's. */
	if (fds->ns_ready[1] >= 0) {
		if (write(fds->ns_ready[1], "n", 1) != 1)
			die_errno(EXIT_TEMPORARY, -errno, "unable to report the namespaces");
		safe_close(fds->ns_ready[1]);
	}
	setup_rootfs(spec);
	apply_rights(spec);
	enter_rootfs();
	if (chdir(spec->home) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to enter the home '%s'", spec->home);
	set_rlimits(spec);
	if (setsid() < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to start a new session");
	drop_caps();
	set_no_new_privs();
	wait_for_go(spec);
	enter_landlock_domain();
	load_seccomp(spec);
	become_dispatch(spec, fds);
}

static unsigned long
namespace_flags(const struct jail_spec *spec)
{
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
			      CLONE_NEWUTS | CLONE_NEWCGROUP;

	if (spec->network != NETWORK_HOST)
		flags |= CLONE_NEWNET;
	return flags;
}

/* The child that enters the namespaces made ahead and clones the jail's
 * first process into the rest, as a child of ours (CLONE_PARENT). It runs
 * on our memory (spawn_vfork()); the first process gets a stack of its own
 * (STACK), the size of a main thread's, not the helper's small one. */
struct early_clone {
	const struct jail_spec *spec;
	const struct jail_fds *fds;
	char *stack_top;
	pid_t pid;
	int error;
};

#define JAIL_STACK_SIZE (8 * 1024 * 1024)

static int
early_jail_main(void *arg)
{
	const struct early_clone *x = arg;

	safe_close(x->fds->ns_ready[0]);
	run_jail(x->spec, x->fds);
}

static int
clone_into_early(void *arg)
{
	struct early_clone *x = arg;
	int pid;

	if (setns(early.user_fd, CLONE_NEWUSER) < 0 ||
	    (x->spec->network != NETWORK_HOST && setns(early.net_fd, CLONE_NEWNET) < 0)) {
		x->error = errno;
		_exit(EXIT_TEMPORARY);
	}
	pid = clone(early_jail_main, x->stack_top,
		    (int) (namespace_flags(x->spec) & ~(CLONE_NEWUSER | CLONE_NEWNET)) |
			    CLONE_PARENT | SIGCHLD,
		    x);
	x->pid = pid;
	x->error = pid < 0 ? errno : 0;
	_exit(EXIT_SUCCESS);
}

/* Ubuntu's AppArmor (4.0, from Ubuntu 23.10) lets a program make an
 * unprivileged user namespace only under a profile that grants `userns,`
 * when this sysctl is 1: then the error names it and our profile, which
 * `make install` puts in /etc/apparmor.d (docs: README, "AppArmor"). */
#define AA_RESTRICT_USERNS "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
#define AA_PROFILE_NAME    "jailsup-jailer"

static bool
apparmor_restricts_userns(void)
{
	_cleanup_close_ int fd = open(AA_RESTRICT_USERNS, O_RDONLY | O_CLOEXEC);
	char c = '0';

	return fd >= 0 && read(fd, &c, 1) == 1 && c == '1';
}

/* Our AppArmor label ("unconfined", "jailsup-jailer (unconfined)"), into
 * BUF; "unknown" when it cannot be read. */
static const char *
apparmor_label(char *buf, size_t size)
{
	_cleanup_close_ int fd = open("/proc/self/attr/apparmor/current", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (n <= 0)
		return "unknown";
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* clone()'s errno as the reason a jail could not be made, and its exit code. */
static _noreturn_ void
die_namespaces(int error)
{
	char label[256], self[PATH_MAX];
	ssize_t n;

	if ((error == EPERM || error == EACCES) && apparmor_restricts_userns()) {
		const char *as = apparmor_label(label, sizeof(label));

		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 ? n : 0] = '\0';
		if (strstartswith(as, AA_PROFILE_NAME " ") || streq(as, AA_PROFILE_NAME))
			die_errno(
			    EXIT_PERMANENT, -error,
			    "unable to create the jail's namespaces: AppArmor restricts "
			    "unprivileged user namespaces "
			    "(kernel.apparmor_restrict_unprivileged_userns = 1) and the profile "
			    "'" AA_PROFILE_NAME "' of this jailer ('%s') does not grant "
			    "`userns,` (installed for AppArmor 3? run `make install` again, "
			    "or with APPARMOR_ABI=4.0)",
			    self);
		die_errno(
		    EXIT_PERMANENT, -error,
		    "unable to create the jail's namespaces: AppArmor restricts unprivileged "
		    "user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1) and "
		    "this jailer ('%s') runs as '%s', not under its profile '" AA_PROFILE_NAME
		    "': load it with `sudo apparmor_parser -r /etc/apparmor.d/" AA_PROFILE_NAME
		    "` (make install puts it there; it must name this jailer's path)",
		    self, as);
	}
	if (error == EPERM || error == ENOSPC || error == EUSERS)
		die_errno(EXIT_PERMANENT, -error,
			  "unable to create the jail's namespaces (are unprivileged user "
			  "namespaces disabled? see kernel.unprivileged_userns_clone, "
			  "user.max_user_namespaces and AppArmor's "
			  "apparmor_restrict_unprivileged_userns)");
	die_errno(EXIT_TEMPORARY, -error, "unable to create the jail's namespaces");
}

static pid_t
clone_namespaces(const struct jail_spec *spec, const struct jail_fds *fds)
{
	long pid;

	if (early.user_fd >= 0) {
		struct early_clone x = { .spec = spec, .fds = fds, .error = EIO };
		size_t page = (size_t) sysconf(_SC_PAGESIZE);
		char *stack;
		pid_t helper;

		/* Lazily backed; the page at its bottom is a guard. */
		stack = mmap(NULL, JAIL_STACK_SIZE + page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
		if (stack == MAP_FAILED || mprotect(stack, page, PROT_NONE) < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to map the jail's stack");
		x.stack_top = stack + page + JAIL_STACK_SIZE;
		early.used = true;
		helper = spawn_vfork(clone_into_early, &x);
		if (helper < 0)
			die_errno(EXIT_TEMPORARY, helper, "unable to start the jail");
		(void) waitpid(helper, NULL, 0);
		/* The jail has its own copies of both, and holds the namespaces. */
		(void) munmap(stack, JAIL_STACK_SIZE + page);
		early_namespaces_release();
		if (x.error != 0)
			die_namespaces(x.error);
		return x.pid;
	}

	/* A fork-like clone (no new stack): the child runs on a copy of ours. */
	pid = syscall(SYS_clone, namespace_flags(spec) | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		die_namespaces(errno);
	if (pid == 0) {
		safe_close(fds->ns_ready[0]);
		run_jail(spec, fds);
	}
	return (pid_t) pid;
}

/* With a supervisor waiting to build the network (--go-fd), tells it
 * through the iso-pipe which process's namespaces to join, once the child
 * has written its id maps. A child that died first gives EOF: nothing to
 * report, wait_for_jail() collects its status. */
static void
report_namespaces(const struct jail_fds *fds, pid_t child)
{
	ssize_t n;
	char c;
	int r;

	if (fds->ns_ready[0] < 0)
		return;
	do
		n = read(fds->ns_ready[0], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return;
	r = iso_pipe_write_ns(fds->iso, child);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to write to the iso-pipe");
}

static void
forward_signal(int sig)
{
	(void) sig;
	if (jail_pid > 0)
		(void) kill(jail_pid, SIGTERM);
}

/* The jail's pipes, copied to its log while it lives. */
struct relays {
	struct log_relay r[3];
	const char *what[3];
	size_t max[3];
	uint64_t drained_ms[3]; /* when a full relay was last drained */
};

/* Past its cap, a relay's pipe is drained (one pump: at most 1 MiB read
 * and dropped) once every FULL_DRAIN_MS, not as fast as a jail can fill
 * it: a writer that floods goes on at 100 MiB/s at most, never stuck and
 * never killed by SIGPIPE, and costs us next to nothing. */
#define FULL_DRAIN_MS 10

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* One turn of relay I; false when its pipe is empty or closed. */
static bool
relay_pump(struct relays *x, size_t i)
{
	int r = log_relay_pump(&x->r[i]);

	if (r == LOG_RELAY_FULL)
		log_warn("%s wrote more than %zu bytes to the log, dropping the rest", x->what[i],
		         x->max[i]);
	else if (r < 0)
		log_debug_errno(r, "unable to read the log pipe of %s, ignoring", x->what[i]);
	return r == LOG_RELAY_MORE || r == LOG_RELAY_FULL;
}

/* Waits for the jail's first process to end, copying what the jail writes
 * to the log meanwhile, and returns its status. One poll() for all: the
 * pipes are read without blocking and a flood of one is read in bounded
 * turns, so it delays nothing else here (forwarded signals, the jail's
 * end), and the jail side never waits on us for long. */
static int
wait_for_jail(pid_t pid, struct relays *x)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	_cleanup_close_ int pidfd = -1;
	int status;

	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGHUP, &sa, NULL);
	/* Our child, not reaped before the waitpid() below: the PID is its. */
	pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to watch the jail");
	for (;;) {
		struct pollfd p[ELEMENTSOF(x->r) + 1] = {{.fd = pidfd, .events = POLLIN}};
		uint64_t now = now_ms();
		int timeout = -1;

		/* A full relay sits out until its next turn; one that is idle
		 * costs no wake-up at all. */
		for (size_t i = 0; i < ELEMENTSOF(x->r); i++) {
			uint64_t next = x->drained_ms[i] + FULL_DRAIN_MS;
			bool resting = x->r[i].full && now < next;

			p[i + 1] =
			    (struct pollfd){.fd = resting ? -1 : x->r[i].fd, .events = POLLIN};
			if (resting && x->r[i].fd >= 0 &&
			    (timeout < 0 || (int) (next - now) < timeout))
				timeout = (int) (next - now);
		}
		if (poll(p, ELEMENTSOF(p), timeout) < 0 && errno != EINTR)
			die_errno(EXIT_TEMPORARY, -errno, "unable to wait for the jail");
		for (size_t i = 0; i < ELEMENTSOF(x->r); i++) {
			if (p[i + 1].revents == 0)
				continue;
			(void) relay_pump(x, i);
			if (x->r[i].full)
				x->drained_ms[i] = now_ms();
		}
		if (p[0].revents != 0)
			break;
	}
	for (;;) {
		if (waitpid(pid, &status, 0) == pid)
			break;
		if (errno != EINTR)
			die_errno(EXIT_TEMPORARY, -errno, "unable to wait for the jail");
	}
	/* Every process of the jail ended with its PID 1, and the write ends
	 * they held with them, unless one was handed out of the jail over a
	 * socket: read what is there, never wait for an EOF. */
	for (size_t i = 0; i < ELEMENTSOF(x->r); i++) {
		for (int turn = 0; turn < 4 && relay_pump(x, i); turn++)
			;
		log_relay_done(&x->r[i]);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

#if defined(__SANITIZE_ADDRESS__)
/* The jailer leaves by exit() on the host, and as the jail's PID 1, with
 * allocations never freed: leak reports would be noise. In the jail,
 * LeakSanitizer would also stop the world with ptrace, which an
 * undumpable PID 1 under seccomp cannot do. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

/* The standby's wait. It comes with stdio and the socket open and nothing
 * else; what it prepares meanwhile (the user lookup, the namespaces) opens
 * fds only above the numbers the start's fds will take. No state directory
 * is known until the message names one. */
static void
become_started(int *argc, char ***argv)
{
	/* The kind the supervisor asked for: one that hands it its
	 * namespaces, for pasta to join ahead of the start. */
	bool net = streq((*argv)[1], JAILER_STANDBY_NET_ARG);
	char **envp;
	int r;

	set_cmdline((char *[]){ "jailer", net ? JAILER_STANDBY_NET_ARG : JAILER_STANDBY_ARG, NULL });
	r = jailer_standby_reserve_fds();
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to hold the fds of a start");
	jail_spec_lookup_user();
	early_namespaces_make();
	if (net) {
		/* Namespaces we could not make: the supervisor drops us. */
		r = jailer_standby_send_ns(JAILER_STANDBY_FD, early.user_fd, early.net_fd);
		if (r < 0)
			die_errno(EXIT_TEMPORARY, r, "unable to hand our namespaces to the supervisor");
	}
	r = jailer_standby_receive(argv, &envp);
	if (r == 1)
		_exit(EXIT_SUCCESS); /* the supervisor left: no jail will come */
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to receive the start of a jail");
	environ = envp;
	*argc = (int) strv_length(*argv);
	set_cmdline(*argv);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "go-fd", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct jail_fds fds = {.init = -1,
	                       .output = -1,
	                       .bridge = -1,
	                       .bus = -1,
	                       .ns_ready = {-1, -1},
	                       .host_only = {-1, -1, -1, -1}};
	_cleanup_free_ char *init_prefix = NULL, *bus_prefix = NULL;
	struct relays relays = {.what = {"dispatch", "the init script", "the private bus"},
	                        .max = {DISPATCH_LOG_MAX, JAIL_OUTPUT_MAX, JAIL_OUTPUT_MAX}};
	int log_read = -1, output_read = -1, bus_read = -1;
	struct jail_spec spec;
	unsigned go_fd_arg;
	int go_fd = -1, c, status;

	log_setup("jailer");
	exec_args = argv[0];
	exec_args_len = (size_t) (argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
#ifdef JAILSUP_FAULT_INJECTION
	if (argc == 2 && streq(argv[1], "--list-steps")) {
		JAILER_STEPS(FAULT_LIST_NAME)
		return 0;
	}
#endif
	if (argc == 3 && (streq(argv[1], JAILER_STANDBY_ARG) || streq(argv[1], JAILER_STANDBY_NET_ARG))) {
		become_started(&argc, &argv);
		log_setup("jailer"); /* the log level is the start's */
	}
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (parse_uint(optarg, 3, 1024, &go_fd_arg) < 0)
				usage();
			go_fd = (int) go_fd_arg;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();

	jail_spec_build(&spec, argv[optind], go_fd);
	lock_state_dir(&spec);
	jailer_step(JSTEP_LOCKED);
	spec.home_fd = prepare_home(&spec);
	fds.listen = bind_dispatch_socket(&spec);
	jailer_step(JSTEP_SOCKET);
	fds.iso = report_pid(&spec);
	jailer_step(JSTEP_PID);
	fds.init = read_init_script(&spec);
	fds.bridge = open_bridge(&spec);
	make_log_pipe(&log_read, &fds.log);
	if (fds.init >= 0)
		make_log_pipe(&output_read, &fds.output);
	if (fds.bridge >= 0)
		make_log_pipe(&bus_read, &fds.bus);
	fds.host_only[0] = spec.log_fd;
	fds.host_only[1] = log_read;
	fds.host_only[2] = output_read;
	fds.host_only[3] = bus_read;
	fds.parent_pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
	if (fds.parent_pidfd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open a pidfd of ourselves");
	if (go_fd >= 0 && pipe2(fds.ns_ready, O_CLOEXEC) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create a pipe");

	jail_pid = clone_namespaces(&spec, &fds);
	jailer_step(JSTEP_CLONED);
	safe_close(fds.listen);
	safe_close(fds.init);
	safe_close(fds.bridge);
	safe_close(fds.log);
	safe_close(fds.output);
	safe_close(fds.bus);
	safe_close(fds.parent_pidfd);
	safe_close(spec.home_fd);
	safe_close(go_fd);
	safe_close(fds.ns_ready[1]);
	report_namespaces(&fds, jail_pid);
	safe_close(fds.ns_ready[0]);
	jailer_step(JSTEP_NS_REPORTED);

	/* The jail's lines are copied as they are, dispatch's format being
	 * jailsup's own; the init script's output is marked as the jail's,
	 * and the private bus's as its bus's: any process of the jail may
	 * write there (through /proc/PID/fd of dbus-daemon), never as the
	 * init script, and within a cap of its own. */
	if (asprintf(&init_prefix, "init[%s]: ", spec.name) < 0 ||
	    asprintf(&bus_prefix, "bus[%s]: ", spec.name) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	log_relay_init(&relays.r[0], log_read, spec.log_fd, "", DISPATCH_LOG_MAX);
	log_relay_init(&relays.r[1], output_read, spec.log_fd, init_prefix, JAIL_OUTPUT_MAX);
	log_relay_init(&relays.r[2], bus_read, spec.log_fd, bus_prefix, JAIL_OUTPUT_MAX);
	status = wait_for_jail(jail_pid, &relays);
	(void) unlinkat(spec.state_fd, STATE_DISPATCH_SOCK, 0);
	(void) unlinkat(spec.state_fd, STATE_ISO_PIPE, 0);
	log_debug("the jail ended with status %d", status);
	return status;
}
