/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the seccomp filters the build generated
 * (jailer/gen/seccomp-gen.c → $(B)/jailer/seccomp-bpf.c): each variant's
 * BPF is run here, by a small classic-BPF interpreter, on the seccomp_data
 * the kernel would hand it, and its verdict compared with the table of
 * docs/jail.md. This reaches what a jail on this machine cannot show: the
 * 32-bit x86 ABI (some kernels have no int 0x80 at all), argument values
 * with high bits set, and every socket family, also those the kernel here
 * lacks. The integration tests (11-floor.bats) play the same calls for
 * real in jails.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "jailer/seccomp-bpf.h"
#include "state/util.h"

/* The filter is generated for the build machine's ABI; these tests know
 * the x86-64 one (with its 32-bit x86 twin). */
#if !defined(__x86_64__)
#error "test-seccomp-bpf knows the x86-64 filter only"
#endif

#define ALLOW    SECCOMP_RET_ALLOW
#define ERR(e)   (SECCOMP_RET_ERRNO | (e))
#define NO_VALUE 0xdeadbeefu /* a return the filter never gives */

/* Runs FILTER on DATA as the kernel would (the subset of classic BPF a
 * seccomp filter may use: loads from seccomp_data, the scratch memory,
 * ALU, jumps, returns). An instruction outside it fails the test. */
static uint32_t
run_bpf(const struct seccomp_bpf *filter, const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};

	for (size_t pc = 0; pc < filter->len; pc++) {
		const struct sock_filter *f = &filter->filter[pc];
		uint32_t operand = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool jump = false;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				assert_true(f->k % 4 == 0 && f->k + 4 <= sizeof(*data));
				memcpy(&a, (const char *) data + f->k, 4);
			} else if (f->code == (BPF_LD | BPF_MEM)) {
				assert_true(f->k < BPF_MEMWORDS);
				a = mem[f->k];
			} else if (f->code == (BPF_LD | BPF_IMM))
				a = f->k;
			else
				fail_msg("unknown load 0x%04x at %zu", f->code, pc);
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_MEM)) {
				assert_true(f->k < BPF_MEMWORDS);
				x = mem[f->k];
			} else if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else
				fail_msg("unknown load 0x%04x at %zu", f->code, pc);
			break;
		case BPF_ST:
			assert_true(f->k < BPF_MEMWORDS);
			mem[f->k] = a;
			break;
		case BPF_STX:
			assert_true(f->k < BPF_MEMWORDS);
			mem[f->k] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_AND:
				a &= operand;
				break;
			case BPF_OR:
				a |= operand;
				break;
			case BPF_ADD:
				a += operand;
				break;
			case BPF_SUB:
				a -= operand;
				break;
			case BPF_LSH:
				a <<= operand;
				break;
			case BPF_RSH:
				a >>= operand;
				break;
			default:
				fail_msg("unknown ALU 0x%04x at %zu", f->code, pc);
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				jump = a == operand;
				break;
			case BPF_JGT:
				jump = a > operand;
				break;
			case BPF_JGE:
				jump = a >= operand;
				break;
			case BPF_JSET:
				jump = (a & operand) != 0;
				break;
			default:
				fail_msg("unknown jump 0x%04x at %zu", f->code, pc);
			}
			pc += jump ? f->jt : f->jf;
			break;
		case BPF_RET:
			assert_true(BPF_RVAL(f->code) == BPF_K);
			return f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			fail_msg("unknown instruction 0x%04x at %zu", f->code, pc);
		}
	}
	fail_msg("the filter ran off its end");
	return NO_VALUE;
}

/* The verdict of variant V for system call NR of ARCH with ARGS. */
static uint32_t
verdict(unsigned v, uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1, a2}};

	assert_true(v < SECCOMP_VARIANTS);
	return run_bpf(&seccomp_bpf_variants[v], &d);
}

#define X86_64 AUDIT_ARCH_X86_64
#define I386   AUDIT_ARCH_I386

/* 32-bit x86 system call numbers (asm/unistd_32.h, which cannot be
 * included beside the native one). */
#define I386_SOCKETCALL     102
#define I386_MODIFY_LDT     123
#define I386_SOCKET         359
#define I386_SOCKETPAIR     360
#define I386_IO_URING_SETUP 425
#define I386_UNSHARE        310

static bool
secure(unsigned v)
{
	return v & SECCOMP_VARIANT_SECURE;
}

static bool
userns(unsigned v)
{
	return v & SECCOMP_VARIANT_USERNS;
}

static bool
family_allowed(unsigned v, int family)
{
	return family == AF_UNIX || family == AF_INET || family == AF_INET6 ||
	       (family == AF_NETLINK && !secure(v) && !userns(v));
}

static void
test_socket_families_allowlist(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++)
		for (int f = 0; f < 256; f++) {
			uint32_t want = family_allowed(v, f) ? ALLOW : ERR(EAFNOSUPPORT);

			if (verdict(v, X86_64, __NR_socket, (uint64_t) f, SOCK_STREAM, 0) != want)
				fail_msg("variant %u, socket family %d", v, f);
		}
}

static void
test_socket_families_named(void **state)
{
	static const int refused[] = {AF_VSOCK,     AF_PACKET, AF_KEY, AF_ALG, AF_BLUETOOTH,
	                              AF_CAN,       AF_TIPC,   AF_RDS, AF_XDP, AF_UNSPEC,
	                              AF_APPLETALK, AF_MAX,    AF_NFC, AF_KCM};

	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		for (size_t i = 0; i < ELEMENTSOF(refused); i++)
			assert_int_equal(
			    verdict(v, X86_64, __NR_socket, (uint64_t) refused[i], SOCK_STREAM, 0),
			    ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_UNIX, SOCK_STREAM, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET, SOCK_DGRAM, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET6, SOCK_STREAM, 0), ALLOW);
	}
}

/* The kernel reads the family as an int: a value with high bits set must
 * never be let through as the family of its low bits. */
static void
test_socket_high_bits_refused(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		assert_int_equal(
		    verdict(v, X86_64, __NR_socket, (1ull << 32) | AF_VSOCK, SOCK_STREAM, 0),
		    ERR(EAFNOSUPPORT));
		assert_int_equal(
		    verdict(v, X86_64, __NR_socket, (1ull << 32) | AF_UNIX, SOCK_STREAM, 0),
		    ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, X86_64, __NR_socket, UINT64_MAX, SOCK_STREAM, 0),
		                 ERR(EAFNOSUPPORT));
	}
}

static void
test_netlink_route_only_outside_secure_and_userns(void **state)
{
	static const int refused[] = {NETLINK_KOBJECT_UEVENT, NETLINK_AUDIT,     NETLINK_SOCK_DIAG,
	                              NETLINK_GENERIC,        NETLINK_NETFILTER, NETLINK_XFRM,
	                              NETLINK_SELINUX,        NETLINK_CONNECTOR};

	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		bool none = secure(v) || userns(v);
		uint32_t route = none ? ERR(EAFNOSUPPORT) : ALLOW;
		uint32_t other = none ? ERR(EAFNOSUPPORT) : ERR(EPROTONOSUPPORT);

		assert_int_equal(
		    verdict(v, X86_64, __NR_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), route);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_NETLINK,
		                         SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE),
		                 route);
		for (size_t i = 0; i < ELEMENTSOF(refused); i++)
			assert_int_equal(verdict(v, X86_64, __NR_socket, AF_NETLINK, SOCK_RAW,
			                         (uint64_t) refused[i]),
			                 other);
		/* NETLINK_ROUTE with high bits: refused, never read as 0. */
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_NETLINK, SOCK_RAW, 1ull << 32),
		                 other);
	}
}

static void
test_socketpair_unix_only(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		assert_int_equal(verdict(v, X86_64, __NR_socketpair, AF_UNIX, SOCK_STREAM, 0),
		                 ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_socketpair, AF_INET, SOCK_STREAM, 0),
		                 ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, X86_64, __NR_socketpair, AF_VSOCK, SOCK_STREAM, 0),
		                 ERR(EAFNOSUPPORT));
	}
}

/* socketcall(2) hides socket()'s arguments in memory: its socket and
 * socketpair calls are refused as a whole, its other calls (on sockets
 * that exist) pass, and the direct i386 socket() is checked as on x86-64. */
static void
test_i386_socketcall(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		assert_int_equal(verdict(v, I386, I386_SOCKETCALL, SYS_SOCKET, 0x1000, 0),
		                 ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, I386, I386_SOCKETCALL, SYS_SOCKETPAIR, 0x1000, 0),
		                 ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, I386, I386_SOCKETCALL, SYS_CONNECT, 0x1000, 0), ALLOW);
		assert_int_equal(verdict(v, I386, I386_SOCKETCALL, SYS_SENDMSG, 0x1000, 0), ALLOW);
		for (int f = 0; f < 64; f++)
			assert_int_equal(
			    verdict(v, I386, I386_SOCKET, (uint64_t) f, SOCK_STREAM, 0),
			    family_allowed(v, f) ? ALLOW : ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, I386, I386_SOCKETPAIR, AF_VSOCK, SOCK_STREAM, 0),
		                 ERR(EAFNOSUPPORT));
		assert_int_equal(verdict(v, I386, I386_SOCKETPAIR, AF_UNIX, SOCK_STREAM, 0), ALLOW);
	}
}

static void
test_modify_ldt_everywhere(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		assert_int_equal(verdict(v, X86_64, __NR_modify_ldt, 1, 0, 16), ERR(EPERM));
		assert_int_equal(verdict(v, I386, I386_MODIFY_LDT, 1, 0, 16), ERR(EPERM));
	}
}

static void
test_io_uring_by_right(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		uint32_t want = v & SECCOMP_VARIANT_IO_URING ? ALLOW : ERR(EPERM);

		assert_int_equal(verdict(v, X86_64, __NR_io_uring_setup, 1, 0, 0), want);
		assert_int_equal(verdict(v, X86_64, __NR_io_uring_enter, 3, 1, 0), want);
		assert_int_equal(verdict(v, X86_64, __NR_io_uring_register, 3, 0, 0), want);
		assert_int_equal(verdict(v, I386, I386_IO_URING_SETUP, 1, 0, 0), want);
	}
}

/* What the variants keep of the table they share, and what `secure` adds. */
static void
test_shared_table_and_secure(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		uint32_t want_secure = secure(v) ? ERR(EPERM) : ALLOW;

		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 0, (1ull << 32) | TIOCSTI, 0),
		                 ERR(EPERM));
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 0, TCGETS, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_clone3, 0, 0, 0), ERR(ENOSYS));
		assert_int_equal(verdict(v, X86_64, __NR_ptrace, 16, 1, 0), want_secure);
		assert_int_equal(verdict(v, X86_64, __NR_kcmp, 1, 1, 0), want_secure);
		assert_int_equal(verdict(v, X86_64, __NR_read, 0, 0, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_connect, 3, 0, 0), ALLOW);
	}
}

/* Nested user namespaces only with the userns right; with it, the user,
 * PID, network and IPC namespaces the browsers' sandboxes make, and no
 * other kind. */
static void
test_namespaces_by_right(void **state)
{
	static const uint64_t sandbox[] = {
	    CLONE_NEWUSER,
	    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | SIGCHLD,	     /* Chromium's zygote */
	    CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD,	     /* Firefox */
	    (1ull << 32) | CLONE_NEWUSER,				     /* high bits: no matter */
	};
	static const uint64_t others[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWCGROUP};

	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		uint32_t want = userns(v) ? ALLOW : ERR(EPERM);

		for (size_t i = 0; i < ELEMENTSOF(sandbox); i++) {
			assert_int_equal(verdict(v, X86_64, __NR_clone, sandbox[i], 0, 0), want);
			assert_int_equal(verdict(v, X86_64, __NR_unshare, sandbox[i], 0, 0), want);
		}
		assert_int_equal(verdict(v, I386, I386_UNSHARE, CLONE_NEWUSER, 0, 0), want);
		/* Without NEWUSER the kernel asks for capabilities the jail lacks;
		 * in a nested namespace of its own, the filter refuses these. */
		for (size_t i = 0; i < ELEMENTSOF(others); i++) {
			uint32_t other = userns(v) ? ERR(EPERM) : ALLOW;

			assert_int_equal(verdict(v, X86_64, __NR_unshare, others[i], 0, 0), other);
			assert_int_equal(verdict(v, X86_64, __NR_clone, others[i] | SIGCHLD, 0, 0),
			                 other);
			assert_int_equal(
			    verdict(v, X86_64, __NR_unshare, CLONE_NEWUSER | others[i], 0, 0),
			    ERR(EPERM));
			assert_int_equal(verdict(v, I386, I386_UNSHARE, others[i], 0, 0), other);
		}
		assert_int_equal(verdict(v, X86_64, __NR_unshare, CLONE_NEWTIME, 0, 0),
		                 userns(v) ? ERR(EPERM) : ALLOW);
		/* In clone() that bit is part of the exit signal (0x80 | SIGCHLD is
		 * no namespace): a plain fork stays allowed. */
		assert_int_equal(verdict(v, X86_64, __NR_clone, SIGCHLD, 0, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_clone, 0x80 | SIGCHLD, 0, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_clone,
		                         CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
		                             CLONE_THREAD | CLONE_SYSVSEM,
		                         0, 0),
		                 ALLOW);
	}
}

/* With the userns right, what a nested root's CAP_NET_ADMIN and CAP_NET_RAW
 * would reach in a network namespace of its own: raw and packet IP
 * sockets, the netfilter socket options, bridge and VLAN ioctls. Other
 * variants keep them (the kernel refuses the jail for want of the
 * capability). */
static void
test_net_admin_refused_with_userns(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		uint32_t refused = userns(v) ? ERR(EPERM) : ALLOW;

		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET6,
		                         SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET, SOCK_PACKET, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP),
		                 ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_socket, AF_INET6,
		                         SOCK_STREAM | SOCK_CLOEXEC, 0),
		                 ALLOW);
		/* x_tables (IPT_SO_SET_REPLACE 64), arptables (96), ebtables
		 * (128), IPVS (1152), multicast routing (200); levels and options
		 * compared as the ints the kernel reads. */
		for (uint64_t opt = 64; opt < 1300; opt += 8)
			assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IP, opt),
			                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, (1ull << 32) | SOL_IP, 64),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IP, (1ull << 32) | 1),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IPV6, 64), refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IPV6, 65), refused);
		/* What apps set stays: IP_TOS, IP_MULTICAST_IF, IPV6_V6ONLY,
		 * SO_REUSEADDR, TCP_NODELAY. */
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IP, IP_TOS), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IP, IP_MULTICAST_IF),
		                 ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IPV6, IPV6_V6ONLY),
		                 ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_SOCKET, 64), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, IPPROTO_TCP, 1), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCBRADDBR, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCSIFBR, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCSIFVLAN, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCGIFCONF, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCGIFINDEX, 0), ALLOW);
		/* Configuring a namespace's devices and routes the old way, the
		 * devices' private ioctls (tunnels), IPsec policies, TCP repair. */
		for (uint64_t req = SIOCDEVPRIVATE; req <= SIOCDEVPRIVATE + 15; req++)
			assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, req, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCADDRT, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCSIFFLAGS, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCSIFADDR, 0), refused);
		assert_int_equal(verdict(v, X86_64, __NR_ioctl, 3, SIOCGIFFLAGS, 0), ALLOW);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IP, IP_XFRM_POLICY),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, SOL_IPV6, IPV6_XFRM_POLICY),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, IPPROTO_TCP, TCP_REPAIR),
		                 refused);
		assert_int_equal(verdict(v, X86_64, __NR_setsockopt, 3, IPPROTO_TCP, TCP_NODELAY),
		                 ALLOW);
	}
}

/* x32 (x86-64 numbers with bit 30) and foreign architectures are killed. */
static void
test_other_abis_killed(void **state)
{
	(void) state;
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		uint32_t x32 = verdict(v, X86_64, 0x40000000 | __NR_socket, AF_VSOCK, 0, 0);
		uint32_t arm = verdict(v, AUDIT_ARCH_AARCH64, 198, AF_VSOCK, 0, 0);

		assert_true((x32 & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD ||
		            (x32 & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS);
		assert_true((arm & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_THREAD ||
		            (arm & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_KILL_PROCESS);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_socket_families_allowlist),
	    cmocka_unit_test(test_socket_families_named),
	    cmocka_unit_test(test_socket_high_bits_refused),
	    cmocka_unit_test(test_netlink_route_only_outside_secure_and_userns),
	    cmocka_unit_test(test_socketpair_unix_only),
	    cmocka_unit_test(test_i386_socketcall),
	    cmocka_unit_test(test_modify_ldt_everywhere),
	    cmocka_unit_test(test_io_uring_by_right),
	    cmocka_unit_test(test_shared_table_and_secure),
	    cmocka_unit_test(test_namespaces_by_right),
	    cmocka_unit_test(test_net_admin_refused_with_userns),
	    cmocka_unit_test(test_other_abis_killed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
