/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection for the crash tests (tests/integration/76-crash-start.bats).
 * Only a test build has it: the binaries compiled a second time with
 * -DJAILSUP_FAULT_INJECTION into $(B)/tests/helpers/fault/, never installed.
 * There fault_point(NAME) kills the process with SIGKILL — as `kill -9`
 * would, nothing runs after it — when $JAILSUP_CRASH_AT is NAME; in every
 * other build it is nothing at all.
 */
#ifndef JAILSUP_STATE_FAULT_H
#define JAILSUP_STATE_FAULT_H

#ifdef JAILSUP_FAULT_INJECTION
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* A name table X(ENUM, "name") as a list of the names, one per line. */
#define FAULT_LIST_NAME(e, name) puts(name);

static inline void
fault_point(const char *name)
{
	const char *at = getenv("JAILSUP_CRASH_AT");

	if (at != NULL && strcmp(at, name) == 0)
		(void) raise(SIGKILL);
}
#else
static inline void
fault_point(const char *name)
{
	(void) name;
}
#endif

#endif
