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

/* From the table TABLE of X(ENUM, "name") steps: enum TYPE of the ENUMs,
 * and FN(enum TYPE step), the fault_point() of that step's name. */
#define FAULT_STEP_ENUM(e, name) e,
#define FAULT_STEP_NAME(e, name) name,
#define FAULT_STEPS_DEFINE(type, fn, table)                                                        \
	enum type { table(FAULT_STEP_ENUM) };                                                      \
	static inline void fn(enum type step)                                                      \
	{                                                                                          \
		static const char *const names[] = { table(FAULT_STEP_NAME) };                     \
		fault_point(names[step]);                                                          \
	}

#endif
