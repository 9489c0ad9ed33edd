/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Landlock, a second wall behind the namespaces: the jail's first process
 * enters a Landlock domain just before its seccomp filter, and every
 * process of the jail inherits it. The domain scopes (ABI 6, Linux 6.12):
 *
 *  - abstract unix sockets: a jail can connect or send only to abstract
 *    sockets its own processes made. A jail's own network namespace
 *    already holds its abstract sockets apart; a `network = host` jail
 *    shares the host's, X11's @/tmp/.X11-unix/XN among them, and this is
 *    what keeps it from them (EPERM);
 *  - signals: a jail can signal only its own processes. Its PID namespace
 *    already hides every other process, and pidfd_send_signal() refuses a
 *    pidfd of a process outside the caller's PID namespace (EINVAL), so
 *    this is defence in depth: it holds should a jail ever share a PID
 *    namespace, or find a way to name a host process.
 *
 * No filesystem rules: the view is built of mounts already, and what a
 * rule set matching it would add costs real apps. A rule set of the jail's
 * root refuses to reopen the files its apps were handed from outside it:
 * `echo >/dev/stderr` in a script fails when stderr is the user's terminal
 * or a file (reopening /proc/self/fd/2 is an open of the host's path). A
 * rule set that allows executing only below /usr and the exe stops no
 * code that already runs (ld.so maps a binary from anywhere, and JITs map
 * memory executable), while it breaks programs that run what they
 * unpacked (AppImages in /tmp, an app's own updater in its home).
 *
 * Older kernels degrade to the namespaces alone: ABI 1 to 5 have no
 * scoping, and a domain without it would restrict nothing, so none is
 * made; a kernel without Landlock (or with it disabled at boot) likewise.
 * `jailsup explain` and `jailsup check` say which ABI is in force.
 */
#include <sys/syscall.h>

#include "jailer/jailer.h"
#include "state/landlock.h"
#include "state/log.h"

void
enter_landlock_domain(void)
{
	struct landlock_ruleset_attr_v6 attr = {
		.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL,
	};
	_cleanup_close_ int fd = -1;
	int abi = landlock_abi();

	if (abi < 0) {
		log_debug_errno(abi, "no Landlock in this kernel: the namespaces alone hold the "
				     "jail's abstract sockets and signals");
		return;
	}
	if (abi < LANDLOCK_ABI_SCOPE) {
		log_debug("Landlock ABI %d cannot scope abstract sockets and signals (ABI %d): "
			  "no domain",
			  abi, LANDLOCK_ABI_SCOPE);
		return;
	}
	fd = (int) syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create the Landlock ruleset");
	/* no_new_privs is set: an unprivileged process may restrict itself. */
	if (syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to enter the Landlock domain");
	log_debug("Landlock ABI %d: abstract unix sockets and signals scoped to the jail", abi);
}
