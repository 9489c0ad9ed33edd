/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock ABI of the running kernel, which the jailer, `jailsup
 * explain` and the leak-check helper all need to say what a jail's
 * Landlock domain holds (docs/jail.md "Landlock"). The kernel's headers of
 * the build machine may predate the ABI used here, so the little of the
 * interface we use is defined here too.
 */
#ifndef JAILSUP_LANDLOCK_H
#define JAILSUP_LANDLOCK_H

#include <stdint.h>

/* The first ABI that scopes abstract unix sockets and signals (Linux 6.12). */
#define LANDLOCK_ABI_SCOPE 6

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL		    (1ULL << 1)
#endif

/* struct landlock_ruleset_attr as of ABI 6; the kernel takes a prefix of
 * it from older callers and this whole size from us. */
struct landlock_ruleset_attr_v6 {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* The kernel's Landlock ABI version (1 and up), or -ENOSYS (no Landlock in
 * this kernel), -EOPNOTSUPP (built in but disabled at boot), -errno. */
int landlock_abi(void);

#endif
