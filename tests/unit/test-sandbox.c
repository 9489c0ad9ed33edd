/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/sandbox.c: real sandboxes, built by real children.
 * Each case forks a driver, which (when we are root, as in CI) becomes
 * nobody first, so the sandbox is built the way the supervisor builds it:
 * by a user with no privilege, on unprivileged user namespaces. The code
 * run inside checks what the sandbox must hold (the view, the namespaces,
 * the capabilities, no_new_privs, every seccomp rule firing) and exits
 * non-zero naming the first check that failed, on stderr.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/sandbox.h"
#include "state/util.h"

struct fixture {
	char dir[64];
	int fd;
	char data[96], ro[96]; /* f->dir/data (bound rw at /data), f->dir/ro (ro at /ro) */
	ino_t host_netns, host_userns;
};

#define FIXTURE_NAME "test-sandbox"
#include "tests/unit/tmpdir-fixture.h"

#define INSIDE_FAILED 90 /* sandbox_enter() failed in the child */

static ino_t
ns_ino(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The fixture, plus data/ and ro/ in it, all usable by nobody: the
 * driver may drop to it. */
static int
setup(void **state)
{
	struct fixture *f;

	if (fixture_setup(state) < 0)
		return -1;
	f = *state;
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	snprintf(f->ro, sizeof(f->ro), "%s/ro", f->dir);
	if (mkdir(f->data, 0700) < 0 || mkdir(f->ro, 0700) < 0)
		return -1;
	write_file_at(f->fd, "ro/file", "ro\n");
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");

		if (pw == NULL || chown(f->dir, pw->pw_uid, pw->pw_gid) < 0 ||
		    chown(f->data, pw->pw_uid, pw->pw_gid) < 0 ||
		    chown(f->ro, pw->pw_uid, pw->pw_gid) < 0)
			return -1;
	}
	f->host_netns = ns_ino("net");
	f->host_userns = ns_ino("user");
	return 0;
}

/* In a driver child: as nobody, when we are root. */
static int
become_nobody(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam("nobody");
	if (pw == NULL)
		return -ENOENT;
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -errno;
	/* A change of uid makes us undumpable, and our /proc files root's:
	 * the supervisor, which never changes uid, can write its maps. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

typedef int (*inside_fn)(const struct fixture *f);

/* Forks a driver that (as nobody when AS_NOBODY) forks SB's child with
 * sandbox_fork(), which enters it and runs INSIDE. Returns the inside
 * code's exit status (INSIDE_FAILED when sandbox_enter() failed). */
static int
run_sandboxed(const struct fixture *f, const struct sandbox *sb, bool as_nobody, inside_fn inside)
{
	int status;
	pid_t driver;

	driver = fork();
	assert_true(driver >= 0);
	if (driver == 0) {
		pid_t pid;

		if (as_nobody && become_nobody() < 0)
			_exit(98);
		pid = sandbox_fork(sb);
		if (pid < 0) {
			fprintf(stderr, "sandbox_fork: %s\n", strerror((int) -pid));
			_exit(97);
		}
		if (pid == 0) {
			struct sandbox_error err = {};
			int r = sandbox_enter(sb, &err);

			if (r < 0) {
				fprintf(stderr, "sandbox_enter: %s '%s': %s\n", err.step,
				        err.path != NULL ? err.path : "", strerror(-r));
				_exit(INSIDE_FAILED);
			}
			_exit(inside(f));
		}
		if (waitpid(pid, &status, 0) != pid)
			_exit(96);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	assert_int_equal(waitpid(driver, &status, 0), driver);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Inside: the first check that fails is named on stderr, with its line. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "inside the sandbox, line %d: %s (errno: %s)\n", __LINE__, \
			        #cond, strerror(errno));                                           \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

/* A system call's errno, or 0 when it succeeded. */
#define ERRNO_OF(call) ((call) < 0 ? errno : 0)

/* Field FIELD of /proc/self/status (the sandbox's own /proc), or "". */
static const char *
status_field(const char *field, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *fp = fopen("/proc/self/status", "re");
	char line[256];
	size_t n = strlen(field);

	buf[0] = '\0';
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			snprintf(buf, size, "%s", line + n + 1 + strspn(line + n + 1, " \t"));
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	return buf;
}

/* The errno of an execve() of PATH in a child; 0 when it ran. */
static int
exec_errno(const char *path)
{
	char *argv[] = {(char *) path, NULL}, *envp[] = {NULL};
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(errno < 126 ? errno : 126);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
count_pids(void)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	return n;
}

/* --- the view and the floor ------------------------------------------------------- */

static int
inside_view(const struct fixture *f)
{
	char buf[128], cwd[64];
	struct stat st;
	int fd;

	/* Namespaces: PID 1 of our own, no network, not the host's user ns. */
	CHECK(getpid() == 1);
	CHECK(stat("/proc/self/ns/net", &st) == 0 && st.st_ino != f->host_netns);
	CHECK(stat("/proc/self/ns/user", &st) == 0 && st.st_ino != f->host_userns);
	CHECK(count_pids() == 1);
	/* The user mapped to itself. */
	{
		_cleanup_fclose_ FILE *fp = fopen("/proc/self/uid_map", "re");
		unsigned in, out, n;

		CHECK(fp != NULL && fscanf(fp, "%u %u %u", &in, &out, &n) == 3);
		CHECK(in == out && n == 1);
	}
	/* The binds: /data writable and the cwd, /ro and the system read-only. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL && streq(cwd, "/data"));
	fd = open("written", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && write(fd, "in\n", 3) == 3 && close(fd) == 0);
	CHECK(stat("/ro/file", &st) == 0);
	CHECK(ERRNO_OF(open("/ro/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) == EROFS);
	CHECK(ERRNO_OF(open("/usr/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) == EROFS);
	CHECK(ERRNO_OF(mkdir("/new", 0700)) == EROFS);
	CHECK(ERRNO_OF(mkdir("/dev/new", 0700)) == EROFS);
	CHECK(stat("/usr/bin", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat("/lib", &st) == 0 || errno == ENOENT);
	/* Nothing else of the host: not the fixture (our /tmp is a fresh
	 * tmpfs), not /home, /root, /etc beyond the loader's cache. */
	CHECK(ERRNO_OF(stat(f->dir, &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/home", &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/root", &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/etc/passwd", &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/run", &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/sys/kernel", &st)) == ENOENT);
	CHECK(ERRNO_OF(stat("/dev/tty", &st)) == ENOENT);
	fd = open("/tmp/scratch", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && close(fd) == 0);
	/* What it may write, it may not run: a copy of a program there
	 * does not execute. */
	{
		_cleanup_close_ int in = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);
		_cleanup_close_ int out = open("/data/true", O_WRONLY | O_CREAT | O_CLOEXEC, 0700);
		char copy[4096];
		ssize_t n;

		CHECK(in >= 0 && out >= 0);
		while ((n = read(in, copy, sizeof(copy))) > 0)
			CHECK(write(out, copy, (size_t) n) == n);
		CHECK(n == 0);
		safe_close(out);
		out = -1;
		CHECK(exec_errno("/data/true") == EACCES);
		/* Without noexec, an empty executable file is ENOEXEC. */
		CHECK(chmod("/tmp/scratch", 0700) == 0);
		CHECK(exec_errno("/tmp/scratch") == EACCES);
	}
	/* /dev/null works (a device node, not nodev). */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && close(fd) == 0);
	/* No capability in any set, no_new_privs, a filter. */
	CHECK(streq(status_field("CapEff", buf, sizeof(buf)), "0000000000000000"));
	CHECK(streq(status_field("CapPrm", buf, sizeof(buf)), "0000000000000000"));
	CHECK(streq(status_field("CapInh", buf, sizeof(buf)), "0000000000000000"));
	CHECK(streq(status_field("CapBnd", buf, sizeof(buf)), "0000000000000000"));
	CHECK(streq(status_field("CapAmb", buf, sizeof(buf)), "0000000000000000"));
	CHECK(streq(status_field("NoNewPrivs", buf, sizeof(buf)), "1"));
	CHECK(streq(status_field("Seccomp", buf, sizeof(buf)), "2"));
	/* No network: lo is down in the new namespace. */
	{
		struct sockaddr_in sa = {.sin_family = AF_INET,
		                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		                         .sin_port = htons(9)};
		_cleanup_close_ int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		CHECK(s >= 0);
		CHECK(ERRNO_OF(connect(s, (struct sockaddr *) &sa, sizeof(sa))) == ENETUNREACH);
	}
	return 0;
}

static void
test_sandbox_view(void **state, bool as_nobody)
{
	struct fixture *f = *state;
	struct sandbox_bind binds[] = {
	    {.src = f->data, .dst = "/data", .flags = SANDBOX_BIND_RW},
	    {.src = f->ro, .dst = "/ro"},
	    {.src = "/nonexistent/jailsup-test", .flags = SANDBOX_BIND_TRY},
	};
	struct sandbox sb = {.binds = binds,
	                     .n_binds = ELEMENTSOF(binds),
	                     .new_netns = true,
	                     .new_pidns = true,
	                     .proc = true,
	                     .tmp = true,
	                     .cwd = "/data"};

	/* Root's sandbox maps root only: the fixture must be root's then. */
	if (!as_nobody && geteuid() == 0)
		assert_true(chown(f->dir, 0, 0) == 0 && chown(f->data, 0, 0) == 0 &&
		            chown(f->ro, 0, 0) == 0);
	assert_int_equal(run_sandboxed(f, &sb, as_nobody, inside_view), 0);
	/* What was written to the writable bind is on the host. */
	assert_file_content(f->fd, "data/written", "in\n");
}

static void
test_sandbox_view_unprivileged(void **state)
{
	test_sandbox_view(state, true);
}

/* Root builds the same sandbox (a test run as root, a root helper). */
static void
test_sandbox_view_root(void **state)
{
	test_sandbox_view(state, false);
}

/* --- seccomp: every rule fires ------------------------------------------------------ */

static int
inside_seccomp(const struct fixture *f)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	char c = 'x';
	pid_t pid;
	int status;

	(void) f;
	CHECK(fd >= 0);
	CHECK(ERRNO_OF(ioctl(fd, TIOCSTI, &c)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_ioctl, fd, (unsigned long) TIOCSTI | (1UL << 32), &c)) == EPERM);
	CHECK(ERRNO_OF(ioctl(fd, TIOCLINUX, &c)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWUSER)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWNET)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWNS)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWPID)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWIPC)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWUTS)) == EPERM);
	CHECK(ERRNO_OF(unshare(CLONE_NEWCGROUP)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_clone3, NULL, 0)) == ENOSYS);
	CHECK(ERRNO_OF(setns(fd, 0)) == EPERM);
	CHECK(ERRNO_OF(mount("none", "/tmp", "tmpfs", 0, NULL)) == EPERM);
	CHECK(ERRNO_OF(umount2("/tmp", MNT_DETACH)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_open_tree, AT_FDCWD, "/usr", 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_fsopen, "tmpfs", 0)) == EPERM);
	CHECK(ERRNO_OF(chroot("/usr")) == EPERM);
	CHECK(ERRNO_OF(ptrace(PTRACE_TRACEME, 0, NULL, NULL)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_process_vm_readv, 1, NULL, 0, NULL, 0, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_kcmp, 1, 1, 0, 0, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_keyctl, 0, 0, 0, 0, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_add_key, "user", "x", "y", 1, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_bpf, 0, NULL, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_userfaultfd, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_io_uring_setup, 1, NULL)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_kexec_load, 0, 0, NULL, 0)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_finit_module, -1, "", 0)) == EPERM);
	CHECK(ERRNO_OF(personality(0xffffffff)) == EPERM);
	CHECK(ERRNO_OF(personality(ADDR_NO_RANDOMIZE)) == EPERM);
	CHECK(ERRNO_OF(syscall(SYS_open_by_handle_at, -1, NULL, 0)) == EPERM);
	/* What a helper does need still works: a child, and an exec. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7);
	close(fd);
	execl("/bin/sh", "sh", "-c", "exit 42", (char *) NULL);
	CHECK(!"execl");
	return 1;
}

static void
test_sandbox_seccomp(void **state)
{
	struct fixture *f = *state;
	struct sandbox sb = {.new_netns = true, .new_pidns = true};

	/* 42: the shell ran, so the loader found its libraries. */
	assert_int_equal(run_sandboxed(f, &sb, true, inside_seccomp), 42);
}

static void
test_sandbox_rules_table(void **state)
{
	size_t clone_rules = 0;

	(void) state;
	assert_true(sandbox_n_seccomp_rules > 40);
	for (size_t i = 0; i < sandbox_n_seccomp_rules; i++) {
		const struct sandbox_seccomp_rule *r = &sandbox_seccomp_rules[i];

		assert_non_null(r->syscall);
		assert_non_null(r->label);
		assert_true(r->err > 0);
		assert_true(r->check >= 0 && r->check < _SANDBOX_ARG_CHECK_MAX);
		clone_rules += streq(r->syscall, "clone");
	}
	/* Every namespace flag clone() takes. */
	assert_int_equal(clone_rules, 7);
}

/* --- kept capabilities, ambient across execve() ------------------------------------ */

static int
inside_keep_caps(const struct fixture *f)
{
	char buf[128];

	(void) f;
	CHECK(streq(status_field("CapEff", buf, sizeof(buf)), "0000000000001000"));
	CHECK(streq(status_field("CapPrm", buf, sizeof(buf)), "0000000000001000"));
	CHECK(streq(status_field("CapBnd", buf, sizeof(buf)), "0000000000001000"));
	CHECK(streq(status_field("CapAmb", buf, sizeof(buf)), "0000000000001000"));
	/* Still there in the program the caller execs. */
	execl("/bin/sh", "sh", "-c",
	      "grep -q '^CapEff:[[:space:]]*0000000000001000$' /proc/self/status && "
	      "grep -q '^CapAmb:[[:space:]]*0000000000001000$' /proc/self/status && exit 42",
	      (char *) NULL);
	CHECK(!"execl");
	return 1;
}

static void
test_sandbox_keep_caps(void **state)
{
	struct fixture *f = *state;
	struct sandbox sb = {
	    .new_pidns = true, .proc = true, .keep_caps = UINT64_C(1) << CAP_NET_ADMIN};

	assert_int_equal(run_sandboxed(f, &sb, true, inside_keep_caps), 42);
}

/* --- a user namespace joined with setns() --------------------------------------------- */

static int
inside_joined(const struct fixture *f)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void) f;
	CHECK(prctl(PR_CAPBSET_READ, CAP_NET_ADMIN, 0, 0, 0) == 1);
	CHECK(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 0);
	CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_ADMIN, 0, 0) == 1);
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
	/* CAP_NET_ADMIN works in the network namespace of the joined user
	 * namespace: lo comes up. */
	CHECK(s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags |= IFF_UP;
	CHECK(ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
	return 0;
}

static void
test_sandbox_join_userns(void **state)
{
	struct fixture *f = *state;
	struct sandbox sb = {.join_current_userns = true,
	                     .new_netns = true,
	                     .keep_caps = UINT64_C(1) << CAP_NET_ADMIN};
	int hold[2], ready[2], status;
	pid_t holder, pid;
	char path[64], c;

	/* sandbox_fork() is for sandboxes that start from the host. */
	assert_int_equal(sandbox_fork(&sb), -EINVAL);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	/* The holder: a user namespace of nobody's, mapped, made ahead (as
	 * the standby jailer makes a jail's), alive until HOLD breaks. */
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		char map[64];

		close(hold[1]);
		close(ready[0]);
		if (become_nobody() < 0 || unshare(CLONE_NEWUSER) < 0 ||
		    write_id_map("/proc/self/setgroups", "deny") < 0)
			_exit(1);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) getuid(), (unsigned) getuid());
		if (write_id_map("/proc/self/uid_map", map) < 0)
			_exit(1);
		snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) getgid(), (unsigned) getgid());
		if (write_id_map("/proc/self/gid_map", map) < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		/* Only EOF ends the wait: the parent never writes. */
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 1);
	}
	close(hold[0]);
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) holder);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sandbox_error err = {};
		int ns, r;

		ns = open(path, O_RDONLY | O_CLOEXEC);
		if (ns < 0 || become_nobody() < 0 || setns(ns, CLONE_NEWUSER) < 0)
			_exit(97);
		close(ns);
		r = sandbox_enter(&sb, &err);
		if (r < 0) {
			fprintf(stderr, "sandbox_enter: %s: %s\n", err.step, strerror(-r));
			_exit(INSIDE_FAILED);
		}
		_exit(inside_joined(f));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(hold[1]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_int_equal(status, 0);
}

/* --- refusals -------------------------------------------------------------------------- */

/* Bad descriptions are refused before anything is done: safe to try here. */
static void
test_sandbox_enter_bad(void **state)
{
	struct sandbox_bind rel = {.src = "usr", .dst = "/usr"};
	struct sandbox_bind dotdot = {.src = "/usr", .dst = "/a/../etc"};
	struct sandbox_bind dot = {.src = "/usr", .dst = "/a/./b"};
	struct sandbox_bind root = {.src = "/usr", .dst = "//"};
	struct sandbox_bind rel_dst = {.src = "/usr", .dst = "usr"};
	struct sandbox_error err = {};

	(void) state;
	assert_int_equal(sandbox_enter(&(struct sandbox){.binds = &rel, .n_binds = 1}, &err),
	                 -EINVAL);
	assert_string_equal(err.path, "usr");
	assert_int_equal(sandbox_enter(&(struct sandbox){.binds = &dotdot, .n_binds = 1}, &err),
	                 -EINVAL);
	assert_string_equal(err.path, "/a/../etc");
	assert_int_equal(sandbox_enter(&(struct sandbox){.binds = &dot, .n_binds = 1}, NULL),
	                 -EINVAL);
	assert_int_equal(sandbox_enter(&(struct sandbox){.binds = &root, .n_binds = 1}, NULL),
	                 -EINVAL);
	assert_int_equal(sandbox_enter(&(struct sandbox){.binds = &rel_dst, .n_binds = 1}, NULL),
	                 -EINVAL);
	assert_int_equal(sandbox_enter(&(struct sandbox){.proc = true}, NULL), -EINVAL);
	assert_int_equal(sandbox_enter(&(struct sandbox){.cwd = "data"}, NULL), -EINVAL);
	assert_int_equal(
	    sandbox_enter(&(struct sandbox){.join_current_userns = true, .new_pidns = true}, NULL),
	    -EINVAL);
}

static int
inside_nothing(const struct fixture *f)
{
	(void) f;
	return 0;
}

static void
test_sandbox_missing_source(void **state)
{
	struct fixture *f = *state;
	struct sandbox_bind b = {.src = "/nonexistent/jailsup-test", .dst = "/x"};
	struct sandbox sb = {.binds = &b, .n_binds = 1};

	/* Without SANDBOX_BIND_TRY, a missing source fails the sandbox. */
	assert_int_equal(run_sandboxed(f, &sb, true, inside_nothing), INSIDE_FAILED);
	b.flags = SANDBOX_BIND_TRY;
	assert_int_equal(run_sandboxed(f, &sb, true, inside_nothing), 0);
}

/* A source swapped after the caller checked it (here: VERIFY_FD is of
 * another directory) is refused, not bound. */
static void
test_sandbox_verify(void **state)
{
	struct fixture *f = *state;
	_cleanup_close_ int other = open(f->ro, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int same = open(f->data, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sandbox_bind b = {
	    .src = f->data, .dst = "/data", .flags = SANDBOX_BIND_VERIFY, .verify_fd = other};
	struct sandbox sb = {.binds = &b, .n_binds = 1};

	assert_true(other >= 0 && same >= 0);
	assert_int_equal(run_sandboxed(f, &sb, true, inside_nothing), INSIDE_FAILED);
	b.verify_fd = same;
	assert_int_equal(run_sandboxed(f, &sb, true, inside_nothing), 0);
}

/* A symlink planted in a writable bind never redirects a later bind's
 * mount point: here data/link -> ro, and a bind at /data/link/x would
 * otherwise land in ro/ (on the host, through the writable copy). */
static void
test_sandbox_symlink_mount_point(void **state)
{
	struct fixture *f = *state;
	struct sandbox_bind binds[] = {
	    {.src = f->data, .dst = "/data", .flags = SANDBOX_BIND_RW},
	    {.src = "/usr/bin", .dst = "/data/link/x"},
	};
	struct sandbox sb = {.binds = binds, .n_binds = ELEMENTSOF(binds)};
	struct stat st;

	assert_int_equal(symlinkat(f->ro, f->fd, "data/link"), 0);
	assert_int_equal(run_sandboxed(f, &sb, true, inside_nothing), INSIDE_FAILED);
	assert_int_equal(fstatat(f->fd, "ro/x", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fixture_teardown)
	    T(test_sandbox_view_unprivileged),
	    T(test_sandbox_view_root),
	    T(test_sandbox_seccomp),
	    T(test_sandbox_rules_table),
	    T(test_sandbox_keep_caps),
	    T(test_sandbox_join_userns),
	    T(test_sandbox_enter_bad),
	    T(test_sandbox_missing_source),
	    T(test_sandbox_verify),
	    T(test_sandbox_symlink_mount_point),
#undef T
	};

	return cmocka_run_group_tests_name("test-sandbox", tests, NULL, NULL);
}
