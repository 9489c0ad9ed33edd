/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * try-syscall [NAME…] — run inside a jail by the integration tests: tries
 * each system call the seccomp filter must block, with arguments that would
 * succeed (or fail differently) without the filter, and prints one line per
 * call: "NAME errno-name". Built without sanitizers: it makes raw calls.
 *
 * Names: tiocsti tioclinux clone-newuser clone3 unshare-newuser mount
 * umount fsopen fsmount move-mount open-tree fspick fsconfig keyctl add-key
 * bpf perf-event-open userfaultfd kexec-load init-module personality ptrace
 * (ptrace tries PTRACE_ATTACH on PID 1 of the jail, which the filter allows
 * outside secure jails). Without NAME it tries all of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long
tty_ioctl(unsigned long request)
{
	char c = 'x';
	int fd = open("/dev/tty", O_RDWR);

	/* Any fd works: the filter looks at the request, not the fd. */
	if (fd < 0)
		fd = 0;
	/* High bits set: the kernel truncates to 32 bits, the filter must too. */
	return syscall(SYS_ioctl, fd, request | 0x100000000ul, &c);
}

static long
try_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t) pid, NULL, 0);
	return pid;
}

static long
try_clone3(void)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t) pid, NULL, 0);
	return pid;
}

static long
try_ptrace(void)
{
	long r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);

	if (r == 0)
		(void) ptrace(PTRACE_DETACH, 1, NULL, NULL);
	return r;
}

struct attempt {
	const char *name;
	long (*fn)(void);
};

static long a_tiocsti(void) { return tty_ioctl(TIOCSTI); }
static long a_tioclinux(void) { return tty_ioctl(TIOCLINUX); }
static long a_unshare(void) { return syscall(SYS_unshare, CLONE_NEWUSER); }
static long a_mount(void) { return syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL); }
static long a_umount(void) { return syscall(SYS_umount2, "/tmp", MNT_DETACH); }
static long a_fsopen(void) { return syscall(SYS_fsopen, "tmpfs", 0); }
static long a_fsmount(void) { return syscall(SYS_fsmount, -1, 0, 0); }
static long a_move_mount(void) { return syscall(SYS_move_mount, -1, "", -1, "", 0); }
static long a_open_tree(void) { return syscall(SYS_open_tree, AT_FDCWD, "/tmp", 1); }
static long a_fspick(void) { return syscall(SYS_fspick, AT_FDCWD, "/tmp", 0); }
static long a_fsconfig(void) { return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0); }
static long a_keyctl(void) { return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0); }
static long a_add_key(void) { return syscall(SYS_add_key, "user", "x", "y", 1, -3); }
static long a_bpf(void) { return syscall(SYS_bpf, 0, NULL, 0); }
static long a_perf(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long a_userfaultfd(void) { return syscall(SYS_userfaultfd, 0); }
static long a_kexec(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0); }
static long a_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long a_personality(void) { return syscall(SYS_personality, ADDR_NO_RANDOMIZE); }

static const struct attempt attempts[] = {
	{ "tiocsti", a_tiocsti },	      { "tioclinux", a_tioclinux },
	{ "clone-newuser", try_clone_newuser }, { "clone3", try_clone3 },
	{ "unshare-newuser", a_unshare },     { "mount", a_mount },
	{ "umount", a_umount },		      { "fsopen", a_fsopen },
	{ "fsmount", a_fsmount },	      { "move-mount", a_move_mount },
	{ "open-tree", a_open_tree },	      { "fspick", a_fspick },
	{ "fsconfig", a_fsconfig },	      { "keyctl", a_keyctl },
	{ "add-key", a_add_key },	      { "bpf", a_bpf },
	{ "perf-event-open", a_perf },	      { "userfaultfd", a_userfaultfd },
	{ "kexec-load", a_kexec },	      { "init-module", a_init_module },
	{ "personality", a_personality },     { "ptrace", try_ptrace },
};

static void
run(const struct attempt *a)
{
	long r;

	errno = 0;
	r = a->fn();
	if (r >= 0)
		printf("%s OK\n", a->name);
	else
		printf("%s %s\n", a->name, strerrorname_np(errno));
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	if (argc == 1) {
		for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++)
			run(&attempts[i]);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		size_t j;

		for (j = 0; j < sizeof(attempts) / sizeof(attempts[0]); j++)
			if (strcmp(argv[i], attempts[j].name) == 0)
				break;
		if (j == sizeof(attempts) / sizeof(attempts[0])) {
			fprintf(stderr, "try-syscall: unknown call '%s'\n", argv[i]);
			return 2;
		}
		run(&attempts[j]);
	}
	return 0;
}
