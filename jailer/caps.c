/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The last privileges go: rlimits from the profile's [limits], every
 * capability from every set (bounding and ambient included, so not even a
 * file capability could bring one back), and no_new_privs so that no
 * execve() inside the jail can gain anything.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <stdio.h>

#include "jailer/jailer.h"
#include "state/log.h"

static const int limit_resource[_LIMIT_MAX] = {
	[LIMIT_NOFILE] = RLIMIT_NOFILE, [LIMIT_NPROC] = RLIMIT_NPROC, [LIMIT_CORE] = RLIMIT_CORE,
	[LIMIT_AS] = RLIMIT_AS,		[LIMIT_CPU] = RLIMIT_CPU,
};

void
set_rlimits(const struct jail_spec *spec)
{
	for (int l = 0; l < _LIMIT_MAX; l++) {
		const struct profile_limit_value *v = &spec->profile->limits[l];
		struct rlimit rl;

		if (!v->set)
			continue;
		rl.rlim_cur = rl.rlim_max = v->value == LIMIT_UNLIMITED ? RLIM_INFINITY : v->value;
		if (setrlimit(limit_resource[l], &rl) < 0)
			die_errno(EXIT_PERMANENT, -errno, "unable to set limit %s to %llu",
				  profile_limit_to_string((enum profile_limit) l),
				  (unsigned long long) v->value);
	}
}

/* How many user namespaces the jail's processes may make, nested ones
 * included: Firefox makes one per content process, Chromium one per
 * zygote; a dozen tabs take a few dozen. docs/jail.md and `jailsup
 * explain` give the number too: change them together. */
#define JAIL_MAX_USER_NAMESPACES 256

/* The kernel counts the user namespaces made below the jail's own, at any
 * depth, against the jail's user.max_user_namespaces: an owner of the
 * jail's namespace with CAP_SYS_RESOURCE there (we, until drop_caps())
 * sets it, and no process of the jail can raise it again (a nested root
 * holds capabilities only over its own namespace, whose limit binds below
 * ours). Without the right it is 0: should a way round the seccomp filter
 * ever exist, the kernel still refuses (ENOSPC). With it, a jail cannot
 * spend the user's own limit (the host's user.max_user_namespaces counts
 * every namespace of the user) and leave no namespace for the next jail's
 * start. Called before the view is built, while /proc is the host's: the
 * file a process opens under /proc/sys/user is its own user namespace's. */
void
limit_nested_userns(const struct jail_spec *spec)
{
	const char *path = "/proc/sys/user/max_user_namespaces";
	char value[16];
	int fd, n;

	n = snprintf(value, sizeof(value), "%d\n",
		     spec->rights & RIGHT_USERNS ? JAIL_MAX_USER_NAMESPACES : 0);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open '%s'", path);
	if (write(fd, value, (size_t) n) != n)
		die_errno(EXIT_TEMPORARY, -errno, "unable to write '%s'", path);
	(void) close(fd);
}

void
drop_caps(void)
{
	cap_t empty = NULL;
	int r;

	for (int cap = 0; cap <= cap_max_bits() - 1 || cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			die_errno(EXIT_TEMPORARY, -errno, "unable to drop capability %d from the "
				  "bounding set", cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to clear the ambient capabilities");
	empty = cap_init();
	if (empty == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	r = NEG_ERRNO(cap_set_proc(empty));
	cap_free(empty);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to drop all capabilities");
}

void
set_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to set no_new_privs");
}
