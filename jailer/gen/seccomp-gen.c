/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * seccomp-gen OUT.c — the jail's seccomp filter, compiled at build time.
 *
 * The filter is the same for every jail (one variant for `secure`), so
 * libseccomp builds it here, once, and the jailer only loads the BPF this
 * program writes as C arrays: compiling it at every start cost 0.43 ms of
 * a 6 ms cold start and kept libseccomp mapped in the jailer (issue 8).
 * The BPF checks the architecture itself, so it is generated for the
 * build machine's ABI, which is the jailer's (no cross-compiling).
 *
 * Default allow, with a deny table: each entry is a way out of the jail
 * or into the kernel's riskiest code that no desktop application needs.
 * `secure` jails get the extra entries marked so. The filter is laid out
 * as a binary tree of system call numbers (SCMP_FLTATR_CTL_OPTIMIZE 2):
 * the calls whose arguments it checks (ioctl, clone, unshare, personality)
 * run it at every call, and a tree reaches their checks in a few
 * comparisons instead of a walk along the table.
 *
 * Argument checks compare only what the kernel reads: ioctl's request is
 * an unsigned int, so it is compared on the low 32 bits (a TIOCSTI with
 * high bits set must not slip past, CVE-2017-5226 showed the attack).
 * 32-bit x86 system calls get the same table; other ABIs (x32) are killed
 * by libseccomp's bad-architecture action.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/util.h"

enum arg_check {
	ANY,	    /* every call */
	ARG0_FLAG,  /* arg 0 has the bit(s) VALUE set */
	ARG1_LOW32, /* arg 1, low 32 bits, equals VALUE */
	ARG0_NOT,   /* arg 0 is not VALUE */
};

struct deny_rule {
	const char *syscall;
	int err;
	enum arg_check check;
	uint64_t value;
	bool secure_only;
};

/* One comment per entry: why it is denied. */
static const struct deny_rule deny_rules[] = {
	/* Pushing input into the terminal the jail was started from
	 * (CVE-2017-5226), or driving the Linux console. */
	{ "ioctl", EPERM, ARG1_LOW32, TIOCSTI },
	{ "ioctl", EPERM, ARG1_LOW32, TIOCLINUX },
	/* Nested user namespaces give back every capability inside them and
	 * expose kernel code written for root (most container escapes). */
	{ "clone", EPERM, ARG0_FLAG, CLONE_NEWUSER },
	{ "unshare", EPERM, ARG0_FLAG, CLONE_NEWUSER },
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
	/* secure: no debugging of other processes of the jail either. */
	{ "ptrace", EPERM, ANY, 0, true },
	{ "process_vm_readv", EPERM, ANY, 0, true },
	{ "process_vm_writev", EPERM, ANY, 0, true },
	/* secure: io_uring runs operations that seccomp never sees. */
	{ "io_uring_setup", EPERM, ANY, 0, true },
	{ "io_uring_enter", EPERM, ANY, 0, true },
	{ "io_uring_register", EPERM, ANY, 0, true },
	/* secure: kcmp compares kernel objects of other processes. */
	{ "kcmp", EPERM, ANY, 0, true },
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
	}
	return -EINVAL;
}

/* Builds the filter of a jail, secure or not; dies on failure (a build
 * step: make reports it). */
static scmp_filter_ctx
build_filter(bool secure)
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
	for (size_t i = 0; i < ELEMENTSOF(deny_rules); i++) {
		const struct deny_rule *rule = &deny_rules[i];
		int nr;

		if (rule->secure_only && !secure)
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

/* Writes the BPF of one variant as `const struct sock_filter NAME[]`. */
static void
emit(FILE *out, const char *name, bool secure)
{
	scmp_filter_ctx ctx = build_filter(secure);
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
	if (size <= 0 || size % 8 != 0)
		die("the exported filter has a bad size");
	bpf = malloc((size_t) size);
	if (bpf == NULL || pread(fd, bpf, (size_t) size, 0) != size)
		die("unable to read the exported filter");
	close(fd);

	fprintf(out, "const struct sock_filter %s[] = {\n", name);
	for (off_t i = 0; i < size; i += 8) {
		uint16_t code;
		uint32_t k;

		memcpy(&code, bpf + i, 2);
		memcpy(&k, bpf + i + 4, 4);
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n", code, bpf[i + 2], bpf[i + 3], k);
	}
	fprintf(out, "};\nconst unsigned short %s_len = %lld;\n\n", name, (long long) (size / 8));
	free(bpf);
}

int
main(int argc, char **argv)
{
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
	emit(out, "seccomp_bpf_default", false);
	emit(out, "seccomp_bpf_secure", true);
	if (fclose(out) != 0)
		die("unable to write '%s'", argv[1]);
	return 0;
}
