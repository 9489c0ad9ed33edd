/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jail's seccomp filters as BPF, generated at build time by
 * jailer/gen/seccomp-gen.c (where the deny table and its reasons live)
 * into $(B)/jailer/seccomp-bpf.c.
 */
#ifndef JAILSUP_SECCOMP_BPF_H
#define JAILSUP_SECCOMP_BPF_H

#include <linux/filter.h>

extern const struct sock_filter seccomp_bpf_default[];
extern const unsigned short seccomp_bpf_default_len;
extern const struct sock_filter seccomp_bpf_secure[];
extern const unsigned short seccomp_bpf_secure_len;

#endif
