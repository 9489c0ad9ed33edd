/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jail's seccomp filters as BPF, generated at build time by
 * jailer/gen/seccomp-gen.c (where the deny table and its reasons live)
 * into $(B)/jailer/seccomp-bpf.c.
 *
 * One filter per combination of the few things of a profile that change
 * it, indexed by their flags: a jail's filter is picked, never built.
 */
#ifndef JAILSUP_SECCOMP_BPF_H
#define JAILSUP_SECCOMP_BPF_H

#include <linux/filter.h>

enum {
	SECCOMP_VARIANT_SECURE = 1u << 0,   /* secure = true */
	SECCOMP_VARIANT_IO_URING = 1u << 1, /* the io_uring right */
	SECCOMP_VARIANT_USERNS = 1u << 2,   /* the userns right */
	SECCOMP_VARIANTS = 1u << 3,
};

struct seccomp_bpf {
	const struct sock_filter *filter;
	unsigned short len;
};

/* Indexed by a combination of SECCOMP_VARIANT_* flags. */
extern const struct seccomp_bpf seccomp_bpf_variants[SECCOMP_VARIANTS];

#endif
