/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup — the command line. Verbs:
 *   run [--profile NAME] [--secure] [--autodelete] [--no-daemon] [--no-wait] (NAME | EXE) [--] [ARGS…]
 *   enter NAME [-- CMD…]
 *   list [--json]
 *   kill NAME… | --all
 *   new NAME --exec PATH [--secure] [--autodelete] [--encrypt[=gocryptfs|encfs]]
 *   explain NAME
 *   desktop add NAME [--replace] [--entry ID] | remove NAME | list
 *   check NAME [--json] [--probe-abstract NAME] [--probe-tcp PORT] [--probe-unix PATH]
 *   daemon [--foreground]
 *   --help, --version
 * Option parsing stops at NAME or EXE (as with env or sudo), so
 * `jailsup run ./tool -x` passes -x to the tool. */
#include <fcntl.h>

#include "cli/run.h"
#include "cli/usage.h"
#include "cli/verbs.h"
#include "state/exit-codes.h"
#include "state/log.h"

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
    {"run", verb_run},
    {"enter", verb_enter},
    {"list", verb_list},
    {"kill", verb_kill},
    {"daemon", verb_daemon},
    {"new", verb_new},
    {"explain", verb_explain},
    {"desktop", verb_desktop},
    {"check", verb_check},
};

int
main(int argc, char **argv)
{
	/* A closed stdio fd would be taken by the next open(): a state-dir
	 * fd could then be handed to a jail as its stdout. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR | O_CLOEXEC) != fd)
			return EXIT_JAILSUP_FAILED;
	log_setup("jailsup");
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	/* `jailsup VERB --version` too; later arguments may be an app's own. */
	if (streq(argv[1], "--version") || (argc >= 3 && streq(argv[2], "--version"))) {
		printf("jailsup %s\n", JAILSUP_VERSION);
		return 0;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "help")) {
		cli_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(argv[1], verbs[i].name))
			return verbs[i].run(argc - 2, argv + 2);
	log_error("unknown verb '%s' (see `jailsup --help`)", argv[1]);
	return EXIT_USAGE;
}
