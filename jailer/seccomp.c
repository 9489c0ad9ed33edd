/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp filter, loaded last before the child becomes dispatch so it
 * never has to allow a setup call. The filters themselves (a deny table,
 * each entry with its reason, and the allowlist of socket families) are
 * compiled by libseccomp at build time, one per combination of what
 * changes them (`secure`, the io_uring and userns rights), in jailer/gen/seccomp-gen.c;
 * here the jail's is picked and handed to the kernel, as libseccomp's
 * seccomp_load() would: no_new_privs is already set (set_no_new_privs()),
 * no flags.
 */
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "jailer/jailer.h"
#include "jailer/seccomp-bpf.h"
#include "state/log.h"

void
load_seccomp(const struct jail_spec *spec)
{
	unsigned variant = (spec->profile->secure ? SECCOMP_VARIANT_SECURE : 0) |
			   (spec->rights & RIGHT_IO_URING ? SECCOMP_VARIANT_IO_URING : 0) |
			   (spec->rights & RIGHT_USERNS ? SECCOMP_VARIANT_USERNS : 0);
	struct sock_fprog prog = {
		.len = seccomp_bpf_variants[variant].len,
		/* The kernel copies the program; it never writes it. */
		.filter = (struct sock_filter *) seccomp_bpf_variants[variant].filter,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to load the seccomp filter");
}
