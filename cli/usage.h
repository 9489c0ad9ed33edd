/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef JAILSUP_CLI_USAGE_H
#define JAILSUP_CLI_USAGE_H

#include <stdio.h>

/* The synopsis of every verb, for --help and a bad command line. */
void cli_usage(FILE *f);

#endif
