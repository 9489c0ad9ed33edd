/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libexec/jailsup/supervisor — the supervisor's own binary, run as
 * `jailsup daemon [--foreground]`: the CLI execs it with that argv, so the
 * daemon's command line is `jailsup daemon …` whoever started it.
 *
 * It is a binary of its own because it needs what the CLI must not load at
 * every start: libmnl, getaddrinfo() and dlopen() (a VPN jail's network).
 * Without them the CLI links statically and starts in half the time.
 */
#include <sys/prctl.h>

#include "state/exit-codes.h"
#include "state/log.h"
#include "supervisor/daemon.h"
#include "supervisor/start-steps.h"

int
main(int argc, char **argv)
{
	bool foreground = false;

	log_setup("jailsup");
	/* What ps and pgrep show: the process is `jailsup daemon`. */
	(void) prctl(PR_SET_NAME, "jailsup", 0, 0, 0);
#ifdef JAILSUP_FAULT_INJECTION
	/* The crash test's list of the places to die at. */
	if (argc == 2 && streq(argv[1], "--list-steps")) {
		START_STEPS(FAULT_LIST_NAME)
		return 0;
	}
#endif
	if (argc < 2 || !streq(argv[1], "daemon")) {
		log_error("usage: jailsup daemon [--foreground]");
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (streq(argv[i], "--foreground"))
			foreground = true;
		else if (streq(argv[i], "--help")) {
			printf("usage: jailsup daemon [--foreground]\n");
			return 0;
		} else {
			log_error("daemon: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	return daemon_main(foreground);
}
