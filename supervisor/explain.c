/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup explain NAME: the effective policy of a profile, what a user
 * reads before trusting it: where the profile comes from, each right in
 * force or not and why (default, secure, allow, deny), the mounts, the
 * D-Bus rules per bus exactly as xdg-dbus-proxy will get them (the same
 * code builds both), the network, the limits and the seccomp set. It reads
 * the profile as a start would and starts nothing.
 */
#include "ini-profiles/profile.h"
#include "ini-profiles/trust.h"
#include "state/crypt-home.h"
#include "state/landlock.h"
#include "state/log.h"
#include "supervisor/client.h"
#include "supervisor/dbus-proxy.h"
#include "supervisor/start.h"
#include "supervisor/verbs.h"

/* The system calls every jail is denied, then those `secure = true` adds.
 * A copy of the names of jailer/gen/seccomp-gen.c's deny_rules (binaries share no
 * headers; docs/jail.md lists them too): change the three together. */
static const char *const seccomp_always[] = {
	"ioctl(TIOCSTI)", "ioctl(TIOCLINUX)", "clone(CLONE_NEWUSER)", "unshare(CLONE_NEWUSER)",
	"clone3 (ENOSYS)", "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount",
	"fspick", "move_mount", "open_tree", "mount_setattr", "keyctl", "add_key",
	"request_key", "bpf", "perf_event_open", "userfaultfd", "kexec_load",
	"kexec_file_load", "init_module", "finit_module", "delete_module",
	"personality (but PER_LINUX)", "acct", "swapon", "swapoff", "reboot", "syslog",
	"quotactl", "uselib", "iopl", "ioperm", "vhangup", "open_by_handle_at",
	"lookup_dcookie", "nfsservctl", "modify_ldt", "socketpair (but AF_UNIX)",
	"socketcall's socket, socketpair (32-bit x86)",
};
static const char *const seccomp_secure[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
};

static const char *
right_reason(const struct jail_profile *p, unsigned bit)
{
	if (p->deny & bit)
		return "deny";
	if (p->allow & bit)
		return "allow";
	return p->secure ? "secure" : "default";
}

static void
print_list(const char *title, const char *const *v, size_t n)
{
	printf("  %s:", title);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i % 6 == 0 ? "\n    " : " ", v[i]);
	printf("\n");
}

static int
print_bus(const char *title, const char *where, bool on, const struct profile_dbus *d,
	  bool notifications)
{
	_cleanup_strv_ char **rules = NULL;
	int r;

	if (!on) {
		printf("%s: none\n", title);
		return 0;
	}
	r = dbus_proxy_rules(d, notifications, &rules);
	if (r < 0)
		return r;
	printf("%s: filtered by xdg-dbus-proxy, at %s\n", title, where);
	for (char **i = rules; *i != NULL; i++)
		printf("  %s\n", *i);
	return 0;
}

/* One host-side input of the jail, asked whether a jail can write it. */
static void
print_trusted(const char *what, const char *path, const struct profile_env *env)
{
	_cleanup_free_ char *where = NULL;
	int r = trust_path_jail_writable(env, path, &where);

	if (r > 0 || (r == -ELOOP && where != NULL))
		printf("  %-12s %s: REFUSED, it lies in %s, which a jail can write\n", what, path,
		       where);
	else if (r < 0)
		printf("  %-12s %s: %s\n", what, path, strerror(-r));
	else
		printf("  %-12s %s: no jail can write it\n", what, path);
}

/* What the host reads to start this jail, and what no jail may be given. */
static void
print_trust(const struct jail_profile *p, const struct profile_env *env)
{
	const char *const *session;
	size_t n;

	printf("\ntrust boundary (what the host reads to start the jail; docs/jail.md):\n");
	if (p->source != NULL)
		print_trusted("profile", p->source, env);
	if (p->init_script != NULL)
		print_trusted("init-script", p->init_script, env);
	if (p->vpn != NULL)
		print_trusted("vpn", p->vpn, env);
	printf("  the exe:     where a jail can write, bound as its file alone, no symlink "
	       "followed\n");
	printf("  never shared read-write (your session runs them), below %s:\n   ",
	       env->home != NULL ? env->home : "$HOME");
	session = profile_session_files(&n);
	for (size_t i = 0; i < n; i++)
		printf(" %s", session[i]);
	printf("\n");
}

/* The Landlock domain a jail of this kernel gets (jailer/landlock.c). */
static void
print_landlock(const struct jail_profile *p)
{
	bool host = profile_network(p) == NETWORK_HOST;
	int abi = landlock_abi();

	if (abi >= LANDLOCK_ABI_SCOPE) {
		printf("landlock: ABI %d: abstract unix sockets and signals scoped to the jail%s\n",
		       abi, host ? " (the host's abstract sockets refused, X11's among them)" : "");
		return;
	}
	if (abi > 0)
		printf("landlock: ABI %d: none (scoping needs ABI %d, Linux 6.12)", abi,
		       LANDLOCK_ABI_SCOPE);
	else
		printf("landlock: none (%s)",
		       abi == -EOPNOTSUPP ? "disabled at boot" : "not in this kernel");
	printf("%s\n", host ? ": the host's abstract sockets are reachable" : "");
}

static void
explain(const struct jail_profile *p, const struct profile_env *env)
{
	static const char *const system_dirs[] = { "/usr", "/etc", "/opt", "/bin", "/sbin",
						   "/lib", "/lib32", "/lib64", "/var/lib",
						   "/var/cache" };
	unsigned rights = profile_rights(p);
	enum crypt_backend crypt = CRYPT_NONE;
	_cleanup_free_ char *why = NULL;
	struct exe_resolution exe = {};
	int r;

	printf("jail:    %s\n", p->name);
	printf("profile: %s\n", p->source != NULL ? p->source : "(none)");
	printf("exec:    %s\n", p->exec);
	printf("secure:  %s\nautodelete: %s\n", p->secure ? "true" : "false",
	       p->autodelete ? "true" : "false");
	if (p->init_script != NULL)
		printf("init-script: %s (bash, before the first app)\n", p->init_script);

	printf("\nrights (why: default, secure, allow, deny):\n");
	for (unsigned i = 0; i < _RIGHT_COUNT; i++) {
		unsigned bit = 1u << i;

		printf("  %-14s %-3s %s\n", right_to_string(bit), rights & bit ? "yes" : "no",
		       right_reason(p, bit));
	}

	printf("\nnetwork: %s\n", jail_network_to_string(profile_network(p)));
	for (size_t i = 0; i < p->n_forward; i++)
		printf("  forward: host loopback port %u\n", (unsigned) p->forward[i]);
	print_landlock(p);

	printf("\nmounts:\n");
	printf("  ro      ");
	for (size_t i = 0; i < ELEMENTSOF(system_dirs); i++)
		printf("%s%s", i > 0 ? " " : "", system_dirs[i]);
	printf(" (system folders, when present)\n");
	if (crypt_backend_detect(env->xdg_data_home, p->name, &crypt) < 0 || crypt == CRYPT_NONE)
		printf("  rw      %s <- %s/jailsup/jails/%s/home (the private home)\n", env->home,
		       env->xdg_data_home, p->name);
	else
		printf("  rw      %s <- %s/jailsup/jails/%s/%s, decrypted by %s (the private "
		       "home, encrypted at rest)\n",
		       env->home, env->xdg_data_home, p->name, crypt_backend_dir(crypt),
		       crypt_backend_to_string(crypt));
	printf("  tmpfs   /tmp /run /var %s (private)\n",
	       env->xdg_runtime_dir != NULL ? env->xdg_runtime_dir : "$XDG_RUNTIME_DIR");
	printf("  dev     /dev: null zero full random urandom tty, own pts and shm\n");
	for (size_t i = 0; i < p->n_shares; i++)
		printf("  %-7s %s (share)\n", p->shares[i].rw ? "rw" : "ro", p->shares[i].path);
	r = profile_resolve_exe_full(p->exec, "/", env, &exe, &why);
	if (r < 0 && why != NULL)
		printf("  exe     refused: %s\n", why);
	else if (r < 0)
		printf("  exe     '%s' does not resolve now: %s\n", p->exec, strerror(-r));
	else if (exe.bind_src != NULL)
		printf("  ro      %s <- %s (the exe's %s)\n", exe.bind_dst, exe.bind_src,
		       exe.bind_file ? "file" : "folder");
	else if (!path_is_below(exe.resolved, "/usr") && !path_is_below(exe.resolved, "/etc") &&
		 !path_is_below(exe.resolved, "/opt"))
		printf("  ro      %s (the exe, at its own path)\n", exe.resolved);
	exe_resolution_done(&exe);
	if (rights & RIGHT_GPU)
		printf("  dev     /dev/dri; /sys: a copy of the GPUs' ids, nothing else (gpu)\n");
	if (rights & RIGHT_AUDIO)
		printf("  socket  PulseAudio, PipeWire; dev /dev/snd (audio)\n");
	if (rights & RIGHT_X11)
		printf("  socket  the $DISPLAY socket, its Xauthority cookies only (x11)\n");
	if (rights & RIGHT_WAYLAND)
		printf("  socket  the $WAYLAND_DISPLAY socket (wayland)\n");
	if (rights & RIGHT_CAMERA)
		printf("  dev     /dev/video* (camera)\n");
	if (rights & RIGHT_KDE_SESSION)
		printf("  socket  the ICE socket of $SESSION_MANAGER (kde-session)\n");
	if (rights & RIGHT_DBUS)
		printf("  socket  $XDG_RUNTIME_DIR/bus <- the jail's xdg-dbus-proxy (dbus)\n");
	if (rights & RIGHT_DBUS_SYSTEM)
		printf("  socket  /run/dbus/system_bus_socket <- the jail's xdg-dbus-proxy "
		       "(dbus-system)\n");

	print_trust(p, env);

	printf("\n");
	(void) print_bus("session bus", "$XDG_RUNTIME_DIR/bus", dbus_proxy_session_wanted(rights),
			 &p->dbus, rights & RIGHT_NOTIFICATIONS);
	if (!(rights & RIGHT_DBUS) && (rights & RIGHT_NOTIFICATIONS))
		printf("  (notifications needs dbus: no session bus, so no notifications)\n");
	(void) print_bus("system bus", "/run/dbus/system_bus_socket",
			 dbus_proxy_system_wanted(rights), &p->dbus_system, false);

	printf("\nlimits:");
	{
		bool any = false;

		for (int l = 0; l < _LIMIT_MAX; l++) {
			if (!p->limits[l].set)
				continue;
			any = true;
			if (p->limits[l].value == LIMIT_UNLIMITED)
				printf(" %s=unlimited", profile_limit_to_string(l));
			else
				printf(" %s=%llu", profile_limit_to_string(l),
				       (unsigned long long) p->limits[l].value);
		}
		printf("%s\n", any ? "" : " the user's");
	}

	printf("\nseccomp (denied system calls):\n");
	print_list("every jail", seccomp_always, ELEMENTSOF(seccomp_always));
	if (p->secure)
		print_list("secure", seccomp_secure, ELEMENTSOF(seccomp_secure));
	else
		printf("  (secure = true would also deny ptrace, process_vm_*, kcmp)\n");
	printf("  io_uring_*: %s\n",
	       rights & RIGHT_IO_URING ? "allowed (io_uring)"
				       : "denied (the io_uring right allows them)");
	printf("  socket families: AF_UNIX, AF_INET, AF_INET6%s; any other refused\n",
	       p->secure ? "" : ", AF_NETLINK (NETLINK_ROUTE only)");
	printf("  and always: every capability dropped, no_new_privs\n");
}

int
verb_explain(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *shipped = NULL, *path = NULL;
	struct profile_error err = {};
	struct profile_env env;
	int r;

	if (argc == 1 && streq(argv[0], "--help")) {
		printf("usage: jailsup explain NAME\n");
		return 0;
	}
	if (argc != 1 || argv[0][0] == '-') {
		log_error("usage: jailsup explain NAME");
		return EXIT_USAGE;
	}
	r = cli_profile_env(&env, &storage, &shipped);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	r = profile_find_and_load(&env, argv[0], &p, &err);
	if (r == -ENOENT)
		return log_error("no profile named '%s'", argv[0]), EXIT_NO_JAIL;
	if (r < 0) {
		(void) profile_find(&env, argv[0], &path);
		log_error("%s:%u: %s", path != NULL ? path : argv[0], err.line, err.msg);
		return EXIT_JAILSUP_FAILED;
	}
	explain(p, &env);
	return 0;
}
