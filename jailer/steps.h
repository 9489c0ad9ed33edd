/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jailer's steps of a start, in their order, as points where it may
 * be killed (docs/architecture.md §4, "A start killed at any step"). The
 * fault-injection build (state/fault.h) dies at the step $JAILSUP_CRASH_AT
 * names; `jailer --list-steps` prints this table for the crash test.
 */
#ifndef JAILSUP_JAILER_STEPS_H
#define JAILSUP_JAILER_STEPS_H

#include "state/fault.h"

#define JAILER_STEPS(X)                                                                            \
	X(JSTEP_LOCKED, "jailer-locked")	  /* the state dir's lock is ours */        \
	X(JSTEP_SOCKET, "jailer-socket")	  /* dispatch.sock bound */                 \
	X(JSTEP_PID, "jailer-pid")		  /* pid= written into the iso-pipe */      \
	X(JSTEP_CLONED, "jailer-cloned")	  /* the jail's first process exists */     \
	X(JSTEP_NS_REPORTED, "jailer-ns-reported") /* ns= written: the network is built */

FAULT_STEPS_DEFINE(jailer_step, jailer_step, JAILER_STEPS)

#endif
