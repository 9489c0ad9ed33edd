/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-gen OUT.c — the jail's seccomp filters, compiled at build time.
 *
 * A jail's filter depends on three things of its profile only, `secure`
 * and the io_uring and userns rights, so libseccomp builds here, once, one
 * filter per combination of them (eight: jailer/seccomp-bpf.h), and the jailer only
 * loads the BPF this program writes as C arrays: compiling it at every
 * start cost 0.43 ms of a 6 ms cold start and kept libseccomp mapped in
 * the jailer. The BPF checks the architecture itself, so it is
 * generated for the build machine's ABI, which is the jailer's (no
 * cross-compiling).
 *
 * Default allow, with a deny table: each entry is a way out of the jail
 * or into the kernel's riskiest code that no desktop application needs.
 * Socket families are the exception, an allowlist: a jail may create
 * local, IP and (outside `secure`) routing netlink sockets, and nothing
 * else, so a family the kernel gains later is refused too. The filter is
 * laid out as a binary tree of system call numbers (SCMP_FLTATR_CTL_OPTIMIZE
 * 2): the calls whose arguments it checks (ioctl, clone, unshare,
 * personality, socket) run it at every call, and a tree reaches their
 * checks in a few comparisons instead of a walk along the table.
 *
 * Argument checks compare only what the kernel reads: ioctl's request is
 * an unsigned int, so it is compared on the low 32 bits (a TIOCSTI with
 * high bits set must not slip past, CVE-2017-5226 showed the attack).
 * Where the kernel reads an int and we allow a value (a socket family or
 * protocol), any high bit set makes the call refused, never allowed.
 *
 * The userns right lets the jail make nested user namespaces, as the
 * sandboxes of Chromium and Firefox do, and the nested root holds every
 * capability over what it creates there. The filter is inherited into
 * those namespaces and binds the nested root as it binds the jail, so
 * with the right it also takes away what only a capability in a namespace
 * of one's own reaches: namespaces no browser makes (mount, UTS, cgroup,
 * time), netlink altogether (rtnetlink with CAP_NET_ADMIN drives traffic
 * control, links and routes of a fresh network namespace: the kernel's
 * net/sched code was the way of many escalations from unprivileged user
 * namespaces), raw and packet IP sockets, the netfilter and IPVS socket
 * options (x_tables, CVE-2021-22555), and the old ioctls making bridges
 * and VLANs. docs/jail.md "A nested user namespace" goes probe by probe.
 *
 * 32-bit x86 system calls get the same table; other ABIs (x32) are killed
 * by libseccomp's bad-architecture action. On 32-bit x86, socket() and
 * socketpair() also come through socketcall(2), with their arguments in
 * memory, where seccomp cannot look: those two socketcall calls are
 * refused, and the direct socket() (Linux 4.3) is checked as on x86-64.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include <errno.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jailer/seccomp-bpf.h"
#include "state/util.h"

enum arg_check {
	ANY,		   /* every call */
	ARG0_FLAG,	   /* arg 0 has the bit(s) VALUE set */
	ARG1_LOW32,	   /* arg 1, low 32 bits, equals VALUE */
	ARG0_NOT,	   /* arg 0 is not VALUE */
	ARG1_LOW32_ARG2_GE, /* arg 1, low 32 bits, equals VALUE; arg 2 >= VALUE2 */
	ARG1_LOW32_ARG2_EQ, /* arg 1, low 32 bits, equals VALUE; arg 2 equals VALUE2 */
	ARG1_DEVPRIVATE,    /* arg 1, low 32 bits, is one of VALUE..VALUE+15 */
};

struct deny_rule {
	const char *syscall;
	int err;
	enum arg_check check;
	uint64_t value;
	unsigned only_in; /* SECCOMP_VARIANT_* a filter must have for the entry */
	unsigned unless;  /* SECCOMP_VARIANT_* that lift it */
	uint64_t value2;
};

#define SECURE	 SECCOMP_VARIANT_SECURE
#define IO_URING SECCOMP_VARIANT_IO_URING
#define USERNS	 SECCOMP_VARIANT_USERNS

/* One comment per entry: why it is denied. */
static const struct deny_rule deny_rules[] = {
	/* Pushing input into the terminal the jail was started from
	 * (CVE-2017-5226), or driving the Linux console. */
	{ "ioctl", EPERM, ARG1_LOW32, TIOCSTI },
	{ "ioctl", EPERM, ARG1_LOW32, TIOCLINUX },
	/* Nested user namespaces give back every capability inside them and
	 * expose kernel code written for root (most container escapes). The
	 * userns right lifts this for the sandboxes of browsers; the entries
	 * marked USERNS below take back what they do not need. */
	{ "clone", EPERM, ARG0_FLAG, CLONE_NEWUSER, 0, USERNS },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWUSER, 0, USERNS },
	/* userns: Chromium makes user, PID and network namespaces, Firefox
	 * user, PID, network and IPC ones; no other kind. A mount namespace
	 * would hold nothing but locked copies (mount is denied), yet it is
	 * surface no sandbox asks for; UTS, cgroup and time namespaces
	 * neither. CLONE_NEWTIME is checked in unshare() only: in clone()
	 * its bit is part of the exit signal. */
	{ "clone", EPERM, ARG0_FLAG, CLONE_NEWNS, USERNS },
	{ "clone", EPERM, ARG0_FLAG, CLONE_NEWUTS, USERNS },
	{ "clone", EPERM, ARG0_FLAG, CLONE_NEWCGROUP, USERNS },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWNS, USERNS },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWUTS, USERNS },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWCGROUP, USERNS },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWTIME, USERNS },
	/* userns: the netfilter tables of a network namespace of one's own,
	 * through socket options on any IP socket: x_tables, arptables and
	 * ebtables are options 64 and up of SOL_IP (IPVS too; multicast
	 * routing, 200 and up, needs a raw socket, refused anyway), ip6_tables
	 * 64 and 65 of SOL_IPV6. CVE-2021-22555 went this way. */
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_GE, SOL_IP, USERNS, 0, 64 },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IPV6, USERNS, 0, 64 },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IPV6, USERNS, 0, 65 },
	/* userns: the old ioctls that make bridges and VLAN devices in a
	 * network namespace of one's own (rtnetlink, the new way, is refused
	 * with netlink). */
	{ "ioctl", EPERM, ARG1_LOW32, SIOCBRADDBR, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFBR, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFVLAN, USERNS },
	/* userns: the old ioctls that configure the devices and routes of a
	 * network namespace of one's own (the new way is netlink, refused),
	 * and the devices' private ones (0x89f0-0x89ff), among them those that
	 * make tunnels. Reading interfaces (SIOCGIF*) stays: apps ask it. */
	{ "ioctl", EPERM, ARG1_LOW32, SIOCADDRT, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCDELRT, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFFLAGS, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFADDR, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFNETMASK, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFMTU, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFNAME, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSIFHWADDR, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCDIFADDR, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCSARP, USERNS },
	{ "ioctl", EPERM, ARG1_LOW32, SIOCDARP, USERNS },
	{ "ioctl", EPERM, ARG1_DEVPRIVATE, SIOCDEVPRIVATE, USERNS },
	/* userns: IPsec policies on a socket reach the xfrm code, and TCP
	 * repair mode rewrites a connection's state: both need CAP_NET_ADMIN,
	 * which a nested root holds in a network namespace of its own. */
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IP, USERNS, 0, IP_IPSEC_POLICY },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IP, USERNS, 0, IP_XFRM_POLICY },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IPV6, USERNS, 0, IPV6_IPSEC_POLICY },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_IPV6, USERNS, 0, IPV6_XFRM_POLICY },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_TCP, USERNS, 0, TCP_REPAIR },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_TCP, USERNS, 0, TCP_REPAIR_QUEUE },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_TCP, USERNS, 0, TCP_QUEUE_SEQ },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_TCP, USERNS, 0, TCP_REPAIR_OPTIONS },
	{ "setsockopt", EPERM, ARG1_LOW32_ARG2_EQ, SOL_TCP, USERNS, 0, TCP_REPAIR_WINDOW },
	/* clone3 passes its flags in memory, where seccomp cannot look: ENOSYS
	 * makes glibc fall back to clone, whose flags we can check. */
	{ "clone3", ENOSYS, ANY },
	/* The mount API, old and new: the jail's view is final. */
	{ "mount", EPERM, ANY },
	{ "umount2", EPERM, ANY },
	{ "pivot_root", EPERM, ANY },
	{ "fsopen", EPERM, ANY },
	{ "fsconfig", EPERM, ANY },
	{ "fsmount", EPERM, ANY },
	{ "fspick", EPERM, ANY },
	{ "move_mount", EPERM, ANY },
	{ "open_tree", EPERM, ANY },
	{ "mount_setattr", EPERM, ANY },
	/* The kernel keyring is not namespaced: keys would be shared with the
	 * user's session outside. */
	{ "keyctl", EPERM, ANY },
	{ "add_key", EPERM, ANY },
	{ "request_key", EPERM, ANY },
	/* BPF programs and perf events: large kernel attack surface, and perf
	 * observes other processes. */
	{ "bpf", EPERM, ANY },
	{ "perf_event_open", EPERM, ANY },
	/* userfaultfd stalls kernel accesses at will: a tool for exploiting
	 * kernel races. */
	{ "userfaultfd", EPERM, ANY },
	/* Replacing the kernel or loading modules. */
	{ "kexec_load", EPERM, ANY },
	{ "kexec_file_load", EPERM, ANY },
	{ "init_module", EPERM, ANY },
	{ "finit_module", EPERM, ANY },
	{ "delete_module", EPERM, ANY },
	/* Personalities other than Linux weaken ASLR (ADDR_NO_RANDOMIZE) or
	 * map page zero (MMAP_PAGE_ZERO). */
	{ "personality", EPERM, ARG0_NOT, PER_LINUX },
	/* Host-wide state a desktop app never touches. */
	{ "acct", EPERM, ANY },
	{ "swapon", EPERM, ANY },
	{ "swapoff", EPERM, ANY },
	{ "reboot", EPERM, ANY },
	{ "syslog", EPERM, ANY },
	{ "quotactl", EPERM, ANY },
	{ "uselib", EPERM, ANY },
	{ "iopl", EPERM, ANY },
	{ "ioperm", EPERM, ANY },
	{ "vhangup", EPERM, ANY },
	/* Opens files by handle, skipping the path walk and so the view. */
	{ "open_by_handle_at", EPERM, ANY },
	/* Old and obscure kernel interfaces with a history of bugs. */
	{ "lookup_dcookie", EPERM, ANY },
	{ "nfsservctl", EPERM, ANY },
	/* Per-process segment descriptors: only 16-bit code and 32-bit Wine
	 * use them, and the LDT code has a history of kernel bugs
	 * (CVE-2015-5157, CVE-2017-17053). Docker's default profile denies it
	 * too. */
	{ "modify_ldt", EPERM, ANY },
	/* io_uring runs operations that seccomp never sees, and its kernel
	 * code is young and the source of many escalations (Google turned it
	 * off on ChromeOS, Android and its servers); Docker's default profile
	 * denies it. Desktop apps do without it: a right gives it back. */
	{ "io_uring_setup", EPERM, ANY, 0, 0, IO_URING },
	{ "io_uring_enter", EPERM, ANY, 0, 0, IO_URING },
	{ "io_uring_register", EPERM, ANY, 0, 0, IO_URING },
	/* socketpair() makes only unix sockets on Linux (the socket families
	 * are below). */
	{ "socketpair", EAFNOSUPPORT, ARG0_NOT, AF_UNIX },
	/* secure: no debugging of other processes of the jail either. */
	{ "ptrace", EPERM, ANY, 0, SECURE },
	{ "process_vm_readv", EPERM, ANY, 0, SECURE },
	{ "process_vm_writev", EPERM, ANY, 0, SECURE },
	/* secure: kcmp compares kernel objects of other processes. */
	{ "kcmp", EPERM, ANY, 0, SECURE },
};

/* The socket families a jail may create; socket() of any other is refused
 * with EAFNOSUPPORT, what a kernel without the family says. Among those
 * refused: AF_VSOCK (not namespaced: it reaches the hypervisor's and other
 * VMs' services past the jail's network namespace), AF_PACKET, AF_KEY,
 * AF_ALG (the kernel's crypto API: a history of bugs, no desktop app uses
 * it), AF_BLUETOOTH (exists only in the host's network namespace; apps
 * reach BlueZ over the system bus), AF_CAN, AF_TIPC, AF_RDS, AF_XDP and
 * the rest. docs/jail.md says why for each. */
static const struct allowed_family {
	int family;
	unsigned unless; /* SECCOMP_VARIANT_* that refuse it after all */
} allowed_families[] = {
	/* X11, Wayland, D-Bus, PulseAudio, and the apps' own sockets. */
	{ AF_UNIX },
	/* Kept in every jail, also `network = none`: the jail's network
	 * namespace holds only its own loopback, and apps talk to themselves
	 * over 127.0.0.1 (single-instance locks, local servers, IDEs). Which
	 * network a jail reaches is the namespace's business, not the filter's. */
	{ AF_INET },
	{ AF_INET6 },
	/* NETLINK_ROUTE only (below): getaddrinfo()'s AI_ADDRCONFIG and
	 * getifaddrs() read the jail's own interfaces with it, and browsers
	 * watch them for network changes. Every other netlink protocol is
	 * refused: NETLINK_KOBJECT_UEVENT (udev monitors) carries nothing into
	 * a jail's own namespace (the kernel sends uevents to the host's only)
	 * and, with network = host, the host's device events; audit, sock_diag,
	 * netfilter, xfrm, generic netlink (nl80211) are kernel surface no app
	 * of a jail needs. Secure jails get none: glibc does without it. Nor
	 * do jails with the userns right: there a nested root holds
	 * CAP_NET_ADMIN over a network namespace of its own, and rtnetlink
	 * then drives traffic control, links and routes (net/sched alone was
	 * the way of CVE-2022-2588, CVE-2023-3609, CVE-2023-3776,
	 * CVE-2023-31436). */
	{ AF_NETLINK, SECURE | USERNS },
};

static _noreturn_ void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A build tool, not part of a binary: plain stderr, no state/log.h. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("seccomp-gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
add_rule(scmp_filter_ctx ctx, const struct deny_rule *rule, int nr)
{
	uint32_t action = SCMP_ACT_ERRNO((uint32_t) rule->err);

	switch (rule->check) {
	case ANY:
		return seccomp_rule_add(ctx, action, nr, 0);
	case ARG0_FLAG:
		return seccomp_rule_add(ctx, action, nr, 1,
					SCMP_A0(SCMP_CMP_MASKED_EQ, rule->value, rule->value));
	case ARG1_LOW32:
		return seccomp_rule_add(ctx, action, nr, 1,
					SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, rule->value));
	case ARG0_NOT:
		/* libseccomp allows one comparison per argument and rule, so the
		 * query personality(0xffffffff) is denied too, as in flatpak. */
		return seccomp_rule_add(ctx, action, nr, 1, SCMP_A0(SCMP_CMP_NE, rule->value));
	case ARG1_LOW32_ARG2_GE:
		/* The kernel reads the option as an int: any high bit set makes
		 * the value larger still, so it is refused, never let through. */
		return seccomp_rule_add(ctx, action, nr, 2,
					SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, rule->value),
					SCMP_A2(SCMP_CMP_GE, rule->value2));
	case ARG1_LOW32_ARG2_EQ:
		return seccomp_rule_add(ctx, action, nr, 2,
					SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, rule->value),
					SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, rule->value2));
	case ARG1_DEVPRIVATE:
		return seccomp_rule_add(ctx, action, nr, 1,
					SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfffffff0u, rule->value));
	}
	return -EINVAL;
}

static bool
family_allowed(int family, unsigned variant)
{
	for (size_t i = 0; i < ELEMENTSOF(allowed_families); i++)
		if (allowed_families[i].family == family)
			return !(allowed_families[i].unless & variant);
	return false;
}

/* socket(): every family but the allowed ones refused. libseccomp allows
 * one comparison per argument and rule, so the allowlist is written as
 * one rule per refused family below the highest allowed one, and one for
 * everything above it: a family with a high bit set (the kernel reads an
 * int) is above it too. On 32-bit x86, libseccomp also turns the first
 * socket() rule into a refusal of socketcall(SYS_SOCKET) as a whole (it
 * cannot see the arguments there): these rules come first, so that
 * refusal is EAFNOSUPPORT too. */
static void
add_socket_rules(scmp_filter_ctx ctx, unsigned variant)
{
	uint32_t refuse = SCMP_ACT_ERRNO(EAFNOSUPPORT);
	int nr = seccomp_syscall_resolve_name("socket"), top = -1, r;

	if (nr == __NR_SCMP_ERROR)
		die("no socket() on this architecture");
	for (int f = 0; f < AF_MAX; f++)
		if (family_allowed(f, variant))
			top = f;
	r = seccomp_rule_add(ctx, refuse, nr, 1, SCMP_A0(SCMP_CMP_GE, (uint64_t) top + 1));
	for (int f = 0; r >= 0 && f < top; f++)
		if (!family_allowed(f, variant))
			r = seccomp_rule_add(ctx, refuse, nr, 1,
					     SCMP_A0(SCMP_CMP_EQ, (uint64_t) f));
	/* Netlink: the routing protocol alone (NETLINK_ROUTE is 0). */
	if (r >= 0 && family_allowed(AF_NETLINK, variant))
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), nr, 2,
				     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
				     SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE));
	/* userns: raw IP sockets (and the obsolete SOCK_PACKET) need
	 * CAP_NET_RAW, which a nested root holds in a network namespace of
	 * its own; the jail itself never could, so nothing is taken from it.
	 * The type's low 4 bits are the type (SOCK_NONBLOCK and SOCK_CLOEXEC
	 * above). */
	for (size_t i = 0; r >= 0 && (variant & SECCOMP_VARIANT_USERNS) && i < 4; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 2,
				     SCMP_A0(SCMP_CMP_EQ, i % 2 ? AF_INET6 : AF_INET),
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, i < 2 ? SOCK_RAW : SOCK_PACKET));
	if (r < 0)
		die("unable to add the seccomp rules for socket()");
}

/* Builds the filter of the SECCOMP_VARIANT_* flags VARIANT; dies on
 * failure (a build step: make reports it). */
static scmp_filter_ctx
build_filter(unsigned variant)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (ctx == NULL)
		die("unable to create the seccomp filter");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (r < 0 && r != -EEXIST)
			die("unable to add the x86 ABI to the filter");
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		die("unable to ask for a binary tree");
	add_socket_rules(ctx, variant);
	for (size_t i = 0; i < ELEMENTSOF(deny_rules); i++) {
		const struct deny_rule *rule = &deny_rules[i];
		int nr;

		if ((rule->only_in & variant) != rule->only_in || (rule->unless & variant) != 0)
			continue;
		nr = seccomp_syscall_resolve_name(rule->syscall);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		r = add_rule(ctx, rule, nr);
		if (r < 0)
			die("unable to add the seccomp rule for %s", rule->syscall);
	}
	return ctx;
}

/* Writes the BPF of VARIANT as `static const struct sock_filter
 * seccomp_bpf_VARIANT[]`; returns its length in instructions. */
static size_t
emit(FILE *out, unsigned variant)
{
	scmp_filter_ctx ctx = build_filter(variant);
	unsigned char *bpf;
	off_t size;
	int fd;

	fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		die("unable to create a memfd");
	if (seccomp_export_bpf(ctx, fd) < 0)
		die("unable to export the filter");
	seccomp_release(ctx);
	size = lseek(fd, 0, SEEK_END);
	/* The kernel takes at most BPF_MAXINSNS (4096) instructions. */
	if (size <= 0 || size % 8 != 0 || size / 8 > BPF_MAXINSNS)
		die("the exported filter has a bad size");
	bpf = malloc((size_t) size);
	if (bpf == NULL || pread(fd, bpf, (size_t) size, 0) != size)
		die("unable to read the exported filter");
	close(fd);

	fprintf(out, "static const struct sock_filter seccomp_bpf_%u[] = {\n", variant);
	for (off_t i = 0; i < size; i += 8) {
		uint16_t code;
		uint32_t k;

		memcpy(&code, bpf + i, 2);
		memcpy(&k, bpf + i + 4, 4);
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n", code, bpf[i + 2], bpf[i + 3], k);
	}
	fprintf(out, "};\n\n");
	free(bpf);
	return (size_t) size / 8;
}

int
main(int argc, char **argv)
{
	size_t len[SECCOMP_VARIANTS];
	FILE *out;

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp-gen OUT.c\n");
		return 2;
	}
	out = fopen(argv[1], "we");
	if (out == NULL)
		die("unable to create '%s'", argv[1]);
	fprintf(out, "/* Generated by jailer/gen/seccomp-gen.c at build time: do not edit. */\n"
		     "#include \"jailer/seccomp-bpf.h\"\n\n");
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++)
		len[v] = emit(out, v);
	fprintf(out, "const struct seccomp_bpf seccomp_bpf_variants[SECCOMP_VARIANTS] = {\n");
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++)
		fprintf(out, "\t{ seccomp_bpf_%u, %zu },\n", v, len[v]);
	fprintf(out, "};\n");
	if (fclose(out) != 0)
		die("unable to write '%s'", argv[1]);
	return 0;
}
