/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp filter, loaded last before the child becomes dispatch so it
 * never has to allow a setup call. The filter itself (a deny table, each entry with
 * its reason) is compiled by libseccomp at build time, in
 * jailer/gen/seccomp-gen.c; here it is only handed to the kernel, as
 * libseccomp's seccomp_load() would: no_new_privs is already set
 * (set_no_new_privs()), no flags.
 */
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "jailer/jailer.h"
#include "jailer/seccomp-bpf.h"
#include "state/log.h"

void
load_seccomp(bool secure)
{
	struct sock_fprog prog = {
		.len = secure ? seccomp_bpf_secure_len : seccomp_bpf_default_len,
		/* The kernel copies the program; it never writes it. */
		.filter = (struct sock_filter *) (secure ? seccomp_bpf_secure : seccomp_bpf_default),
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to load the seccomp filter");
}
