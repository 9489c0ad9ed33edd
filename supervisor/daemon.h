/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor (daemon.c): `jailsup daemon [--foreground]`.
 */
#ifndef JAILSUP_SUPERVISOR_DAEMON_H
#define JAILSUP_SUPERVISOR_DAEMON_H

#include "state/util.h"

/* Runs the supervisor until SIGTERM/SIGINT; returns the exit code. Without
 * FOREGROUND it detaches once the control socket is bound. */
int daemon_main(bool foreground);

#endif
