/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * try-syscall [NAME…] — run inside a jail by the integration tests: tries
 * each system call the seccomp filter must block, with arguments that would
 * succeed (or fail differently) without the filter, and prints one line per
 * call: "NAME errno-name". Built without sanitizers: it makes raw calls.
 *
 * Names, in the order of the seccomp table (docs/jail.md): tiocsti
 * tioclinux clone-newuser clone3 unshare-newuser mount umount pivot-root
 * fsopen fsmount move-mount open-tree fspick fsconfig mount-setattr keyctl
 * add-key request-key bpf perf-event-open userfaultfd kexec-load
 * kexec-file-load init-module finit-module delete-module personality acct
 * swapon swapoff reboot syslog quotactl uselib iopl ioperm vhangup
 * open-by-handle-at lookup-dcookie nfsservctl modify-ldt ptrace. Without
 * NAME it tries all of them.
 *
 * Not in that list, so asked for by name only:
 *   tiocsti-ctty       TIOCSTI on fd 0 as our controlling terminal (if it
 *                      is not already, a child calls setsid() and
 *                      TIOCSCTTY): the one case the kernel itself allows,
 *                      so only the filter can say EPERM. Needs a tty on fd
 *                      0 that is ours or no session's terminal yet; prints
 *                      "tiocsti-ctty no-ctty ERRNO" when TIOCSCTTY failed.
 *   personality-linux  personality(PER_LINUX), which the filter allows
 *   ptrace             PTRACE_ATTACH to PID 1 (dispatch, undumpable: EPERM
 *                      even where the filter allows ptrace)
 *   ptrace-child, process-vm-readv, kcmp, io-uring-setup
 *                      the calls only secure jails deny, on ourselves or a
 *                      child of ours, so they succeed everywhere else
 *   i386-unshare-newuser, i386-keyctl
 *                      x86-64 only: the same calls through `int $0x80`, the
 *                      32-bit x86 ABI, which the filter must cover too;
 *                      "NOABI" where the machine has no such entry at all
 *   i386-socket-vsock, i386-socketcall-vsock, i386-socketcall-unix
 *                      x86-64 only: socket(AF_VSOCK) through the direct
 *                      32-bit socket() and through socketcall(2), whose
 *                      arguments lie in memory (below 4 GiB); and a unix
 *                      socket through socketcall
 *   unshare-newns, unshare-newuts, unshare-newcgroup, unshare-newtime,
 *   unshare-sandbox    in a child: unshare() of that namespace, or of the
 *                      user, PID, network and IPC namespaces browsers make
 *                      (docs/jail.md "A nested user namespace"); run as a
 *                      nested root, the kernel would allow each
 *   clone-sandbox      clone() of a child into new user, PID and network
 *                      namespaces, as Chromium's zygote is made
 *   userns-count       makes user namespaces, each held by an fd, until the
 *                      kernel refuses one (at most 1000): "userns-count N
 *                      ERRNO" (or "OK" when all 1000 were made)
 *   setsockopt-ipt     IPT_SO_SET_REPLACE, netfilter's x_tables, on a UDP
 *                      socket: "EPERM" from the filter; in a network
 *                      namespace of a nested root's own the kernel says
 *                      something else (EINVAL, ENOPROTOOPT)
 *   ioctl-brctl        SIOCBRADDBR: makes a bridge (in a network namespace
 *                      of one's own)
 *   socket-FAMILY[-PROTOCOL], socketpair-FAMILY
 *                      socket() of a family (unix inet inet6 vsock packet
 *                      key alg bluetooth can) or a netlink protocol
 *                      (netlink-route netlink-uevent netlink-audit
 *                      netlink-generic netlink-sock-diag); socketpair()
 *                      (unix inet); the socket is closed again
 * --as-nested-root first: the calls are made as root of a user namespace
 * of our own, with a network namespace it owns (after a line
 * "nested-root CAPEFF").
 * Calls that change the caller (unshare-newuser, personality) come last
 * when the filter lets them through.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
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

/* unshare(FLAGS) in a child, which then exits: the caller stays as it is. */
static long
unshare_in_child(unsigned long flags)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare((int) flags) == 0 ? 0 : errno);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	errno = WEXITSTATUS(status);
	return errno == 0 ? 0 : -1;
}

static long a_unshare_newns(void) { return unshare_in_child(CLONE_NEWNS); }
static long a_unshare_newuts(void) { return unshare_in_child(CLONE_NEWUTS); }
static long a_unshare_newcgroup(void) { return unshare_in_child(CLONE_NEWCGROUP); }
static long a_unshare_newtime(void) { return unshare_in_child(CLONE_NEWTIME); }

static long
a_unshare_sandbox(void)
{
	return unshare_in_child(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC);
}

static long
try_clone_sandbox(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | SIGCHLD, NULL,
			   NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t) pid, NULL, 0);
	return pid;
}

/* Each namespace is made by a child, held by our fd of it, and the child
 * ends: only the fds keep them. */
static long
try_userns_count(void)
{
	int n;

	for (n = 0; n < 1000; n++) {
		int p[2], status, err = 0;
		char path[64], c;
		pid_t pid;

		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		pid = fork();
		if (pid == 0) {
			c = unshare(CLONE_NEWUSER) == 0 ? 0 : (char) errno;
			(void) !write(p[1], &c, 1);
			for (;;)
				pause(); /* until the parent holds it and kills us */
		}
		if (pid < 0 || read(p[0], &c, 1) != 1)
			return -1;
		if (c == 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
			if (open(path, O_RDONLY | O_CLOEXEC) < 0)
				err = errno;
		} else {
			err = c;
		}
		close(p[1]);
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (err != 0) {
			printf("userns-count %d %s\n", n, strerrorname_np(err));
			return -2;
		}
	}
	return 0;
}

static long
try_setsockopt_ipt(void)
{
	char buf[128] = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long r;

	if (fd < 0)
		return -1;
	r = setsockopt(fd, SOL_IP, 64 /* IPT_SO_SET_REPLACE */, buf, sizeof(buf));
	close(fd);
	return r;
}

static long
try_ioctl_brctl(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long r;

	if (fd < 0)
		return -1;
	r = ioctl(fd, SIOCBRADDBR, "jsbr0");
	close(fd);
	return r;
}

static long
try_ptrace(void)
{
	long r = ptrace(PTRACE_ATTACH, 1, NULL, NULL);

	if (r == 0)
		(void) ptrace(PTRACE_DETACH, 1, NULL, NULL);
	return r;
}

/* The kernel lets a process push input only into its own controlling
 * terminal (without CAP_SYS_ADMIN), so a meaningful TIOCSTI needs one. */
static long
try_tiocsti_ctty(void)
{
	int pipefd[2], err = 0;
	long r;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char c = 'x';

		close(pipefd[0]);
		/* Already our controlling terminal (the pty jailsup gives an
		 * app run at a terminal): push into it as we are. */
		if (tcgetsid(0) == getsid(0))
			err = syscall(SYS_ioctl, 0, TIOCSTI | 0x100000000ul, &c) < 0 ? errno : 0;
		else if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0) {
			err = -errno; /* negative: TIOCSCTTY failed */
		} else if (syscall(SYS_ioctl, 0, TIOCSTI | 0x100000000ul, &c) < 0)
			err = errno;
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	r = read(pipefd[0], &err, sizeof(err));
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
	if (r != sizeof(err))
		err = EIO;
	if (err < 0) {
		printf("tiocsti-ctty no-ctty %s\n", strerrorname_np(-err));
		fflush(stdout);
		errno = -err;
		return -2; /* already reported */
	}
	errno = err;
	return err == 0 ? 0 : -1;
}

static pid_t
paused_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void
end_child(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static long
try_ptrace_child(void)
{
	pid_t pid = paused_child();
	long r;
	int e;

	if (pid < 0)
		return -1;
	r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	e = errno;
	end_child(pid);
	errno = e;
	return r;
}

static long
try_process_vm_readv(void)
{
	char src[8] = "jailsup", dst[8];
	struct iovec local = { dst, sizeof(dst) }, remote = { src, sizeof(src) };

	return syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
}

static long
try_io_uring_setup(void)
{
	struct io_uring_params p = {};
	long fd = syscall(SYS_io_uring_setup, 1, &p);

	if (fd >= 0)
		close((int) fd);
	return fd;
}

#if defined(__x86_64__)
/* A 64-bit process may still make 32-bit x86 system calls with int $0x80:
 * i386 numbers, and seccomp sees AUDIT_ARCH_I386. No pointer arguments
 * here, as they would be cut to 32 bits. */
static sigjmp_buf no_abi_jmp;

static void
no_abi(int sig)
{
	(void) sig;
	siglongjmp(no_abi_jmp, 1);
}

/* Some kernels and hypervisors have no 32-bit entry at all: `int $0x80`
 * then faults before any system call (or filter) runs. That is reported
 * as "NOABI", so a test can tell it from a call the filter let through. */
static long
int80(long nr, long a, long b, long c)
{
	struct sigaction sa = { .sa_handler = no_abi }, old_segv, old_bus;
	long ret;

	sigemptyset(&sa.sa_mask);
	if (sigsetjmp(no_abi_jmp, 1) != 0) {
		sigaction(SIGSEGV, &old_segv, NULL);
		sigaction(SIGBUS, &old_bus, NULL);
		return -3;
	}
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	if (ret < 0 && ret > -4096) {
		errno = (int) -ret;
		return -1;
	}
	return ret;
}

static long a_i386_unshare(void) { return int80(310 /* unshare */, CLONE_NEWUSER, 0, 0); }
static long a_i386_keyctl(void) { return int80(288 /* keyctl */, 0, -3 /* session */, 0); }
static long a_i386_socket_vsock(void) { return int80(359 /* socket */, AF_VSOCK, SOCK_STREAM, 0); }

/* socketcall(SYS_SOCKET, args): the three arguments in memory a 32-bit
 * pointer reaches. */
static long
i386_socketcall_socket(int family)
{
	unsigned *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long r;

	if (args == MAP_FAILED)
		return -1;
	args[0] = (unsigned) family;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	r = int80(102 /* socketcall */, 1 /* SYS_SOCKET */, (long) (uintptr_t) args, 0);
	if (r >= 0)
		close((int) r);
	munmap(args, 4096);
	return r;
}

static long a_i386_socketcall_vsock(void) { return i386_socketcall_socket(AF_VSOCK); }
static long a_i386_socketcall_unix(void) { return i386_socketcall_socket(AF_UNIX); }
#endif

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
static long a_personality_linux(void) { return syscall(SYS_personality, PER_LINUX); }
static long a_pivot_root(void) { return syscall(SYS_pivot_root, "/tmp", "/tmp"); }
static long a_mount_setattr(void) { return syscall(SYS_mount_setattr, -1, "", 0, NULL, 0); }
static long a_request_key(void) { return syscall(SYS_request_key, "user", "x", NULL, 0); }
static long a_kexec_file(void) { return syscall(SYS_kexec_file_load, -1, -1, 0, "", 0); }
static long a_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long a_delete_module(void) { return syscall(SYS_delete_module, "jailsup", 0); }
static long a_acct(void) { return syscall(SYS_acct, NULL); }
static long a_swapon(void) { return syscall(SYS_swapon, "/dev/null", 0); }
static long a_swapoff(void) { return syscall(SYS_swapoff, "/dev/null"); }
/* Bad magic numbers: a reboot that got past the filter fails EINVAL. */
static long a_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }
static long a_syslog(void) { return syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0); }
static long a_quotactl(void) { return syscall(SYS_quotactl, 0, NULL, 0, NULL); }
static long a_uselib(void) { return syscall(SYS_uselib, "/dev/null"); }
/* Lowering the I/O privilege level needs no capability. */
static long a_iopl(void) { return syscall(SYS_iopl, 0); }
static long a_ioperm(void) { return syscall(SYS_ioperm, 0x80, 1, 0); }
static long a_vhangup(void) { return syscall(SYS_vhangup); }
static long a_open_by_handle(void) { return syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0); }
static long a_lookup_dcookie(void) { return syscall(SYS_lookup_dcookie, 0, NULL, 0); }
static long a_nfsservctl(void) { return syscall(SYS_nfsservctl, 0, NULL, NULL); }
static long a_kcmp(void) { return syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0); }
/* Reads the LDT (function 0): changes nothing, and works wherever the
 * kernel has the call. */
static long
a_modify_ldt(void)
{
	char buf[16];

	return syscall(SYS_modify_ldt, 0, buf, sizeof(buf));
}

/* socket() and socketpair() of one family, or one netlink protocol. */
struct socket_attempt {
	const char *name;
	int family, type, protocol;
	bool pair;
};

static const struct socket_attempt socket_attempts[] = {
	{ "socket-unix", AF_UNIX, SOCK_STREAM, 0, false },
	{ "socket-inet", AF_INET, SOCK_DGRAM, 0, false },
	{ "socket-inet6", AF_INET6, SOCK_DGRAM, 0, false },
	{ "socket-vsock", AF_VSOCK, SOCK_STREAM, 0, false },
	{ "socket-packet", AF_PACKET, SOCK_RAW, 0, false },
	{ "socket-key", AF_KEY, SOCK_RAW, 2 /* PF_KEY_V2 */, false },
	{ "socket-alg", AF_ALG, SOCK_SEQPACKET, 0, false },
	{ "socket-bluetooth", AF_BLUETOOTH, SOCK_RAW, 1 /* BTPROTO_HCI */, false },
	{ "socket-can", AF_CAN, SOCK_RAW, 1 /* CAN_RAW */, false },
	{ "socket-inet-raw", AF_INET, SOCK_RAW, IPPROTO_ICMP, false },
	{ "socket-inet6-raw", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, false },
	{ "socket-inet-packet", AF_INET, SOCK_PACKET, 0x0300 /* htons(ETH_P_ALL) */, false },
	{ "socket-netlink-route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, false },
	{ "socket-netlink-uevent", AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT, false },
	{ "socket-netlink-audit", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT, false },
	{ "socket-netlink-generic", AF_NETLINK, SOCK_RAW, NETLINK_GENERIC, false },
	{ "socket-netlink-sock-diag", AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG, false },
	{ "socketpair-unix", AF_UNIX, SOCK_STREAM, 0, true },
	{ "socketpair-inet", AF_INET, SOCK_STREAM, 0, true },
};

static long
try_socket(const struct socket_attempt *a)
{
	int fds[2];

	if (a->pair) {
		if (socketpair(a->family, a->type | SOCK_CLOEXEC, a->protocol, fds) < 0)
			return -1;
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	fds[0] = socket(a->family, a->type | SOCK_CLOEXEC, a->protocol);
	if (fds[0] < 0)
		return -1;
	close(fds[0]);
	return 0;
}

/* What runs without NAME: every call the filter denies in every jail,
 * plus ptrace of PID 1. */
static const struct attempt attempts[] = {
	{ "tiocsti", a_tiocsti },
	{ "tioclinux", a_tioclinux },
	{ "clone-newuser", try_clone_newuser },
	{ "clone3", try_clone3 },
	{ "mount", a_mount },
	{ "umount", a_umount },
	{ "pivot-root", a_pivot_root },
	{ "fsopen", a_fsopen },
	{ "fsmount", a_fsmount },
	{ "move-mount", a_move_mount },
	{ "open-tree", a_open_tree },
	{ "fspick", a_fspick },
	{ "fsconfig", a_fsconfig },
	{ "mount-setattr", a_mount_setattr },
	{ "keyctl", a_keyctl },
	{ "add-key", a_add_key },
	{ "request-key", a_request_key },
	{ "bpf", a_bpf },
	{ "perf-event-open", a_perf },
	{ "userfaultfd", a_userfaultfd },
	{ "kexec-load", a_kexec },
	{ "kexec-file-load", a_kexec_file },
	{ "init-module", a_init_module },
	{ "finit-module", a_finit_module },
	{ "delete-module", a_delete_module },
	{ "acct", a_acct },
	{ "swapon", a_swapon },
	{ "swapoff", a_swapoff },
	{ "reboot", a_reboot },
	{ "syslog", a_syslog },
	{ "quotactl", a_quotactl },
	{ "uselib", a_uselib },
	{ "iopl", a_iopl },
	{ "ioperm", a_ioperm },
	{ "vhangup", a_vhangup },
	{ "open-by-handle-at", a_open_by_handle },
	{ "lookup-dcookie", a_lookup_dcookie },
	{ "nfsservctl", a_nfsservctl },
	{ "modify-ldt", a_modify_ldt },
	{ "ptrace", try_ptrace },
	/* They change the caller when allowed: last. */
	{ "unshare-newuser", a_unshare },
	{ "personality", a_personality },
};

/* Asked for by name only. */
static const struct attempt extra_attempts[] = {
	{ "tiocsti-ctty", try_tiocsti_ctty },
	{ "personality-linux", a_personality_linux },
	{ "ptrace-child", try_ptrace_child },
	{ "process-vm-readv", try_process_vm_readv },
	{ "kcmp", a_kcmp },
	{ "io-uring-setup", try_io_uring_setup },
	{ "unshare-newns", a_unshare_newns },
	{ "unshare-newuts", a_unshare_newuts },
	{ "unshare-newcgroup", a_unshare_newcgroup },
	{ "unshare-newtime", a_unshare_newtime },
	{ "unshare-sandbox", a_unshare_sandbox },
	{ "clone-sandbox", try_clone_sandbox },
	{ "userns-count", try_userns_count },
	{ "setsockopt-ipt", try_setsockopt_ipt },
	{ "ioctl-brctl", try_ioctl_brctl },
#if defined(__x86_64__)
	{ "i386-unshare-newuser", a_i386_unshare },
	{ "i386-keyctl", a_i386_keyctl },
	{ "i386-socket-vsock", a_i386_socket_vsock },
	{ "i386-socketcall-vsock", a_i386_socketcall_vsock },
	{ "i386-socketcall-unix", a_i386_socketcall_unix },
#endif
};

static void
report(const char *name, long r)
{
	if (r == -2)
		return; /* the attempt reported itself */
	if (r == -3)
		printf("%s NOABI\n", name);
	else if (r >= 0)
		printf("%s OK\n", name);
	else
		printf("%s %s\n", name, strerrorname_np(errno));
	fflush(stdout);
}

static void
run(const struct attempt *a)
{
	errno = 0;
	report(a->name, a->fn());
}

#define N_ATTEMPTS (sizeof(attempts) / sizeof(attempts[0]))
#define N_EXTRA	   (sizeof(extra_attempts) / sizeof(extra_attempts[0]))
#define N_SOCKET   (sizeof(socket_attempts) / sizeof(socket_attempts[0]))

static const struct socket_attempt *
find_socket_attempt(const char *name)
{
	for (size_t j = 0; j < N_SOCKET; j++)
		if (strcmp(name, socket_attempts[j].name) == 0)
			return &socket_attempts[j];
	return NULL;
}

static const struct attempt *
find_attempt(const char *name)
{
	for (size_t j = 0; j < N_ATTEMPTS; j++)
		if (strcmp(name, attempts[j].name) == 0)
			return &attempts[j];
	for (size_t j = 0; j < N_EXTRA; j++)
		if (strcmp(name, extra_attempts[j].name) == 0)
			return &extra_attempts[j];
	return NULL;
}

/* Becomes root of a user namespace of its own, with a network namespace
 * it owns (as a browser's sandboxed process is made), uid and gid mapped
 * to ours; prints "nested-root CAPEFF" (the effective capabilities there).
 * Exits 3 when the namespaces cannot be made. */
static void
become_nested_root(void)
{
	char map[64], line[256];
	uid_t uid = getuid();
	gid_t gid = getgid();
	FILE *f;
	int fd, n;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		printf("nested-root %s\n", strerrorname_np(errno));
		exit(3);
	}
	fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		exit(3);
	close(fd);
	n = snprintf(map, sizeof(map), "0 %u 1", (unsigned) uid);
	fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, (size_t) n) != n)
		exit(3);
	close(fd);
	n = snprintf(map, sizeof(map), "0 %u 1", (unsigned) gid);
	fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, (size_t) n) != n)
		exit(3);
	close(fd);
	f = fopen("/proc/self/status", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "CapEff:\t", 8) == 0)
			printf("nested-root %s", line + 8);
	if (f != NULL)
		fclose(f);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	/* --as-nested-root NAME…: the calls as a nested root (docs/jail.md "A
	 * nested user namespace"). */
	if (argc > 1 && strcmp(argv[1], "--as-nested-root") == 0) {
		become_nested_root();
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc == 1) {
		for (size_t i = 0; i < N_ATTEMPTS; i++)
			run(&attempts[i]);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (find_attempt(argv[i]) == NULL && find_socket_attempt(argv[i]) == NULL) {
			fprintf(stderr, "try-syscall: unknown call '%s'\n", argv[i]);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		const struct socket_attempt *s = find_socket_attempt(argv[i]);

		if (s != NULL) {
			errno = 0;
			report(s->name, try_socket(s));
		} else
			run(find_attempt(argv[i]));
	}
	return 0;
}
