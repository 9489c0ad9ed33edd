/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock ABI of the running kernel (state/landlock.h).
 */
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "state/landlock.h"

int
landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int) abi;
}
