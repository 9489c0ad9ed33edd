/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp filter, loaded last before execve(dispatch) so it never has
 * to allow a setup call. Default allow, with a deny table: each entry is a
 * way out of the jail or into the kernel's riskiest code that no desktop
 * application needs. `secure` jails get the extra entries marked so.
 *
 * Argument checks compare only what the kernel reads: ioctl's request is
 * an unsigned int, so it is compared on the low 32 bits (a TIOCSTI with
 * high bits set must not slip past, CVE-2017-5226 showed the attack).
 * 32-bit x86 system calls get the same table; other ABIs (x32) are killed
 * by libseccomp's bad-architecture action.
 */
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>

#include "jailer/jailer.h"
#include "state/log.h"

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

void
load_seccomp(bool secure)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (ctx == NULL)
		die(EXIT_TEMPORARY, "unable to create the seccomp filter");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (r < 0 && r != -EEXIST)
			die_errno(EXIT_TEMPORARY, r, "unable to add the x86 ABI to the filter");
	}
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
			die_errno(EXIT_TEMPORARY, r, "unable to add the seccomp rule for %s",
				  rule->syscall);
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to load the seccomp filter");
}
