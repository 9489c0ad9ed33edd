/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "cli/usage.h"

void
cli_usage(FILE *f)
{
	fprintf(f, "usage: jailsup run [--profile NAME] [--secure] [--autodelete] [--no-daemon]\n"
	           "                   [--no-wait] (NAME | EXE) [--] [ARGS...]\n"
	           "       jailsup enter NAME [-- CMD...]\n"
	           "       jailsup list [--json]\n"
	           "       jailsup kill NAME... | --all\n"
	           "       jailsup new NAME --exec PATH [--secure] [--autodelete]\n"
	           "                   [--encrypt[=gocryptfs|encfs]]\n"
	           "       jailsup explain NAME\n"
	           "       jailsup desktop add NAME [--replace] [--entry ID] | remove NAME | list\n"
	           "       jailsup check NAME [--json] [--probe-abstract NAME] [--probe-tcp PORT]\n"
	           "                          [--probe-unix PATH]\n"
	           "       jailsup daemon [--foreground]\n"
	           "       jailsup --version | --help\n"
	           "\n"
	           "Runs applications in per-user jails. See jailsup(1).\n");
}
