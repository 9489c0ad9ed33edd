/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup explain NAME: the effective policy of a profile, what a user
 * reads before trusting it: where the profile comes from, each right in
 * force or not and why (default, secure, allow, deny), the mounts, the
 * D-Bus rules per bus exactly as xdg-dbus-proxy will get them (the same
 * code builds both), the network, the limits and the seccomp set. It reads
 * the profile as a start would and starts nothing.
 */
#include <sys/stat.h>

#include "cli/client.h"
#include "cli/start.h"
#include "cli/verbs.h"
#include "ini-profiles/dbus-proxy.h"
#include "ini-profiles/profile.h"
#include "ini-profiles/trust.h"
#include "state/crypt-home.h"
#include "state/exe-paths.h"
#include "state/landlock.h"
#include "state/log.h"
#include "state/sandbox.h"
#include "state/state.h"

/* The system calls every jail is denied, then those `secure = true` adds.
 * A copy of the names of jailer/gen/seccomp-gen.c's deny_rules (binaries share no
 * headers; docs/jail.md lists them too): change the three together. */
static const char *const seccomp_always[] = {
	"ioctl(TIOCSTI)", "ioctl(TIOCLINUX)", "clone3 (ENOSYS)", "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount",
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

/* TITLE indented by INDENT spaces, then V six to a line, two deeper. */
static void
print_list(FILE *f, int indent, const char *title, const char *const *v, size_t n)
{
	fprintf(f, "%*s%s:", indent, "", title);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%*s%s", i % 6 == 0 ? "\n" : "", i % 6 == 0 ? indent + 2 : 1, "", v[i]);
	fprintf(f, "\n");
}

static int
print_bus(FILE *f, const char *title, const char *where, bool on, const struct profile_dbus *d,
          unsigned rights)
{
	_cleanup_strv_ char **rules = NULL;
	int r;

	if (!on) {
		fprintf(f, "%s: none\n", title);
		return 0;
	}
	r = dbus_proxy_rules(d, rights, &rules);
	if (r < 0)
		return r;
	fprintf(f, "%s: filtered by xdg-dbus-proxy, at %s\n", title, where);
	for (char **i = rules; *i != NULL; i++)
		fprintf(f, "  %s\n", *i);
	return 0;
}

/* The sandbox of the jail's xdg-dbus-proxy, from the code that builds it
 * (dbus_proxy_sandbox()), for the buses this CLI's session would hand the
 * supervisor. */
static void
explain_proxy(FILE *f, const struct jail_profile *p, const struct profile_env *env, unsigned rights)
{
	_cleanup_(dbus_proxy_cmd_done) struct dbus_proxy_cmd cmd = {};
	_cleanup_free_ char *proxy_dir = NULL, *found = NULL, *exe = NULL, *info = NULL;
	struct sandbox_bind binds[DBUS_PROXY_BINDS_MAX];
	const char *labels[64];
	struct sandbox sb;
	size_t n = 0;
	int r;

	if (!dbus_proxy_session_wanted(rights) && !dbus_proxy_system_wanted(rights)) {
		fprintf(f, "  xdg-dbus-proxy: none (neither dbus nor dbus-system)\n");
		return;
	}
	r = dbus_proxy_cmd(p, rights, NULL, NULL, env->xdg_runtime_dir, &cmd);
	if (r < 0) {
		fprintf(f, "  xdg-dbus-proxy: none: %s\n",
		       r == -EPROTONOSUPPORT ? "a bus address is not a local socket (no D-Bus)"
					     : strerror(-r));
		return;
	}
	if (asprintf(&proxy_dir, "%s/%s/%s/%s/%s",
		     env->xdg_runtime_dir != NULL ? env->xdg_runtime_dir : "$XDG_RUNTIME_DIR",
		     STATE_RUNTIME_SUBDIR, STATE_JAILS_SUBDIR, p->name, STATE_DBUS_PROXY_DIR) < 0)
		return;
	if (find_on_path("xdg-dbus-proxy", getenv("PATH"), &found) >= 0)
		exe = realpath(found, NULL);
	if (asprintf(&info, "%.*s/%s", (int) (strlen(proxy_dir) - strlen(STATE_DBUS_PROXY_DIR) - 1),
	             proxy_dir, STATE_APP_INFO) < 0)
		return;
	dbus_proxy_sandbox(&cmd, exe, proxy_dir, -1, cmd.app_info != NULL ? info : NULL, -1, binds,
	                   &sb);
	fprintf(f, "  xdg-dbus-proxy (dbus, dbus-system): sandboxed, one per jail\n");
	fprintf(f, "    namespaces: its own user (you, mapped to yourself), mount, %sIPC, UTS, "
	       "cgroup,\n      %s\n",
	       sb.new_pidns ? "PID (it is PID 1), " : "",
	       sb.new_netns ? "network (its own, empty: it reaches the buses by their sockets)"
			    : "the host's network (a bus address is unix:abstract=, which lives "
			      "there)");
	fprintf(f, "    sees:   ro");
	for (const char *const *d = sandbox_system_dirs; *d != NULL; d++)
		fprintf(f, " %s", *d);
	for (const char *const *d = sandbox_system_links; *d != NULL; d++) {
		struct stat st;

		if (lstat(*d, &st) == 0)
			fprintf(f, " %s", *d);
	}
	fprintf(f, " (the host's links or folders)\n            dev");
	for (const char *const *d = sandbox_dev_nodes; *d != NULL; d++)
		fprintf(f, " %s", *d);
	fprintf(f, "\n");
	for (size_t i = 0; i < sb.n_binds; i++) {
		const struct sandbox_bind *b = &sb.binds[i];

		if (b->flags & SANDBOX_BIND_RW)
			fprintf(f, "            rw  %s (its sockets, its cwd; moved to the state "
			       "folder once it is ready)\n",
			       b->src);
		else if (exe != NULL && streq(b->src, exe))
			fprintf(f, "            ro  %s (its program)\n", b->src);
		else if (b->dst != NULL && streq(b->dst, DBUS_APP_INFO_PATH))
			fprintf(f,
			        "            ro  %s at %s (the jail's identity for the portals)\n",
			        b->src, b->dst);
		else
			fprintf(f, "            socket %s (%s bus)\n", b->src,
			       cmd.bus_sockets[0] != NULL && streq(b->src, cmd.bus_sockets[0])
				   ? "the session"
				   : "the system");
	}
	fprintf(f, "            nothing else: not your home, not your runtime folder, not /tmp\n");
	fprintf(f, "    capabilities: none, in every set (bounding too); no_new_privs\n");
	for (size_t i = 0; i < sandbox_n_seccomp_rules && n < ELEMENTSOF(labels); i++)
		labels[n++] = sandbox_seccomp_rules[i].label;
	print_list(f, 4, "seccomp, denied", labels, n);
}

/* How each helper of the jail is confined (docs/jail.md "Helpers run
 * confined"). */
static void
explain_helpers(FILE *f, const struct jail_profile *p, const struct profile_env *env, unsigned rights)
{
	enum jail_network net = profile_network(p);

	fprintf(f, "\nhelpers (they parse what the jail sends; each runs confined):\n");
	explain_proxy(f, p, env, rights);
	if (net == NETWORK_PASTA || net == NETWORK_VPN)
		fprintf(f, "  pasta (network = %s): confines itself: the jail's user namespace, its "
		       "own mount\n"
		       "    (an empty read-only root), PID, IPC and UTS namespaces, the host's "
		       "network;\n"
		       "    no_new_privs, its own seccomp allow list (docs/jail.md \"pasta\")\n",
		       jail_network_to_string(net));
	if (net == NETWORK_VPN) {
		size_t len = p->vpn != NULL ? strlen(p->vpn) : 0;

		/* The suffix decides the kind, as in the supervisor. */
		fprintf(f, "  %s (network = vpn): confined, see docs/jail.md\n",
		        len > 5 && streq(p->vpn + len - 5, ".conf") ? "wireguard-go" : "openvpn");
	}
}

/* One host-side input of the jail, asked whether a jail can write it. */
static void
print_trusted(FILE *f, const char *what, const char *path, const struct profile_env *env)
{
	_cleanup_free_ char *where = NULL;
	int r = trust_path_jail_writable(env, path, &where);

	if (r > 0 || (r == -ELOOP && where != NULL))
		fprintf(f, "  %-12s %s: REFUSED, it lies in %s, which a jail can write\n", what,
		        path, where);
	else if (r < 0)
		fprintf(f, "  %-12s %s: %s\n", what, path, strerror(-r));
	else
		fprintf(f, "  %-12s %s: no jail can write it\n", what, path);
}

/* What the host reads to start this jail, and what no jail may be given. */
static void
print_trust(FILE *f, const struct jail_profile *p, const struct profile_env *env)
{
	const char *const *session;
	size_t n;

	fprintf(f, "\ntrust boundary (what the host reads to start the jail; docs/jail.md):\n");
	if (p->source != NULL)
		print_trusted(f, "profile", p->source, env);
	if (p->init_script != NULL)
		print_trusted(f, "init-script", p->init_script, env);
	if (p->vpn != NULL)
		print_trusted(f, "vpn", p->vpn, env);
	fprintf(f, "  the exe:     where a jail can write, bound as its file alone, no symlink "
	           "followed\n");
	fprintf(f, "  never shared read-write (your session runs them), below %s:\n   ",
	        env->home != NULL ? env->home : "$HOME");
	session = profile_session_files(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", session[i]);
	fprintf(f, "\n");
}

/* The Landlock domain a jail of this kernel gets (jailer/landlock.c). */
static void
print_landlock(FILE *f, const struct jail_profile *p)
{
	bool host = profile_network(p) == NETWORK_HOST;
	int abi = landlock_abi();

	if (abi >= LANDLOCK_ABI_SCOPE) {
		fprintf(f, "landlock: ABI %d: abstract unix sockets and signals scoped to the jail%s\n",
		        abi, host ? " (the host's abstract sockets refused, X11's among them)" : "");
		return;
	}
	if (abi > 0)
		fprintf(f, "landlock: ABI %d: none (scoping needs ABI %d, Linux 6.12)", abi,
		       LANDLOCK_ABI_SCOPE);
	else
		fprintf(f, "landlock: none (%s)",
		       abi == -EOPNOTSUPP ? "disabled at boot" : "not in this kernel");
	fprintf(f, "%s\n", host ? ": the host's abstract sockets are reachable" : "");
}

static void
explain(FILE *f, const struct jail_profile *p, const struct profile_env *env)
{
	static const char *const system_dirs[] = { "/usr", "/etc", "/opt", "/bin", "/sbin",
						   "/lib", "/lib32", "/lib64", "/var/lib",
						   "/var/cache" };
	unsigned rights = profile_rights(p);
	enum crypt_backend crypt = CRYPT_NONE;
	_cleanup_free_ char *why = NULL;
	struct exe_resolution exe = {};
	int r;

	fprintf(f, "jail:    %s\n", p->name);
	fprintf(f, "profile: %s\n", p->source != NULL ? p->source : "(none)");
	fprintf(f, "exec:    %s\n", p->exec);
	if (p->args != NULL) {
		_cleanup_strv_ char **words = NULL;

		/* One word a line, in [], so a blank or quote inside a word shows. */
		fprintf(f, "args:    %s\n", p->args);
		if (profile_args_split(p->args, &words, NULL) >= 0)
			for (size_t i = 0; words[i] != NULL; i++)
				fprintf(f, "  arg %zu  [%s]\n", i + 1, words[i]);
	}
	fprintf(f, "secure:  %s\nautodelete: %s\n", p->secure ? "true" : "false",
	        p->autodelete ? "true" : "false");
	if (p->init_script != NULL)
		fprintf(f, "init-script: %s (bash, before the first app)\n", p->init_script);

	fprintf(f, "\nrights (why: default, secure, allow, deny):\n");
	for (unsigned i = 0; i < _RIGHT_COUNT; i++) {
		unsigned bit = 1u << i;

		fprintf(f, "  %-14s %-3s %s\n", right_to_string(bit), rights & bit ? "yes" : "no",
		        right_reason(p, bit));
	}

	fprintf(f, "\nnetwork: %s\n", jail_network_to_string(profile_network(p)));
	for (size_t i = 0; i < p->n_forward; i++)
		fprintf(f, "  forward: host loopback port %u\n", (unsigned) p->forward[i]);
	print_landlock(f, p);

	fprintf(f, "\nmounts:\n");
	fprintf(f, "  ro      ");
	for (size_t i = 0; i < ELEMENTSOF(system_dirs); i++)
		fprintf(f, "%s%s", i > 0 ? " " : "", system_dirs[i]);
	fprintf(f, " (system folders, when present)\n");
	if (crypt_backend_detect(env->xdg_data_home, p->name, &crypt) < 0 || crypt == CRYPT_NONE)
		fprintf(f, "  rw      %s <- %s/jailsup/jails/%s/home (the private home)\n",
		        env->home, env->xdg_data_home, p->name);
	else
		fprintf(f,
		        "  rw      %s <- %s/jailsup/jails/%s/%s, decrypted by %s (the private "
		        "home, encrypted at rest)\n",
		        env->home, env->xdg_data_home, p->name, crypt_backend_dir(crypt),
		        crypt_backend_to_string(crypt));
	fprintf(f, "  tmpfs   /tmp /run /var %s (private)\n",
	        env->xdg_runtime_dir != NULL ? env->xdg_runtime_dir : "$XDG_RUNTIME_DIR");
	fprintf(f, "  dev     /dev: null zero full random urandom tty, own pts and shm\n");
	for (size_t i = 0; i < p->n_shares; i++)
		fprintf(f, "  %-7s %s (share)\n", p->shares[i].rw ? "rw" : "ro", p->shares[i].path);
	r = profile_resolve_exe_full(p->exec, "/", env, &exe, &why);
	if (r < 0 && why != NULL)
		fprintf(f, "  exe     refused: %s\n", why);
	else if (r < 0)
		fprintf(f, "  exe     '%s' does not resolve now: %s\n", p->exec, strerror(-r));
	else if (exe.bind_src != NULL)
		fprintf(f, "  ro      %s <- %s (the exe's %s)\n", exe.bind_dst, exe.bind_src,
		        exe.bind_file ? "file" : "folder");
	else if (!path_is_below(exe.resolved, "/usr") && !path_is_below(exe.resolved, "/etc") &&
		 !path_is_below(exe.resolved, "/opt"))
		fprintf(f, "  ro      %s (the exe, at its own path)\n", exe.resolved);
	exe_resolution_done(&exe);
	if (rights & RIGHT_GPU)
		fprintf(f, "  dev     /dev/dri; /sys: a copy of the GPUs' ids, nothing else (gpu)\n");
	if (rights & RIGHT_AUDIO)
		fprintf(f, "  socket  PulseAudio, PipeWire; dev /dev/snd (audio)\n");
	if ((rights & RIGHT_X11) && p->x11_host)
		fprintf(f,
		        "  socket  the $DISPLAY socket, its Xauthority cookies only (x11 = host): "
		        "WARNING: the jail sees and can type into every window of your display, "
		        "reads every keystroke and takes screenshots\n");
	else if (rights & RIGHT_X11) {
		static const char *const clipboard[_CLIPBOARD_MAX] = {
		    [CLIPBOARD_OFF] = "none: the jail's clipboard is its own",
		    [CLIPBOARD_TO_JAIL] = "what you copy can be pasted in the jail (which can read "
		                          "it while it runs); nothing the jail copies reaches you",
		    [CLIPBOARD_BOTH] = "both ways: the jail can also choose what you paste next",
		};
		enum profile_clipboard c = profile_clipboard(p);

		fprintf(f,
		        "  socket  an X server of the jail's own (Xephyr, confined), shown in one "
		        "window of $DISPLAY, and its own cookie (x11)\n");
		fprintf(f, "  bridge  clipboard = %s: %s\n", profile_clipboard_to_string(c),
		        clipboard[c]);
	}
	if (rights & RIGHT_WAYLAND)
		fprintf(f, "  socket  the $WAYLAND_DISPLAY socket (wayland)\n");
	if (rights & RIGHT_CAMERA)
		fprintf(f, "  dev     /dev/video* (camera)\n");
	if (rights & RIGHT_KDE_SESSION)
		fprintf(f, "  socket  the ICE socket of $SESSION_MANAGER (kde-session)\n");
	if (rights & RIGHT_DBUS)
		fprintf(f, "  socket  $XDG_RUNTIME_DIR/bus <- the jail's xdg-dbus-proxy (dbus)\n");
	if ((rights & RIGHT_DBUS) && (rights & RIGHT_PORTALS)) {
		_cleanup_free_ char *id = NULL;

		if (dbus_app_id(p->name, &id) >= 0)
			fprintf(f,
			        "  ro      " DBUS_APP_INFO_PATH
			        " naming the jail '%s' to the portals; "
			        "$XDG_RUNTIME_DIR/doc <- the documents shared with it (portals)\n",
			        id);
	}
	if (rights & RIGHT_DBUS_SYSTEM)
		fprintf(f, "  socket  /run/dbus/system_bus_socket <- the jail's xdg-dbus-proxy "
		           "(dbus-system)\n");

	print_trust(f, p, env);

	fprintf(f, "\n");
	if (dbus_proxy_session_wanted(rights) && strv_length(p->dbus.own_private) > 0) {
		/* docs/jail.md "A private session bus" */
		fprintf(f, "session bus: the jail's own dbus-daemon, at $XDG_RUNTIME_DIR/bus, "
		           "where its apps own:\n");
		for (char **n = p->dbus.own_private; *n != NULL; n++)
			fprintf(f, "  %s\n", *n);
		fprintf(f,
		        "  (a bridge in the jail forwards the rest to the user's session bus)\n");
		(void) print_bus(f, "user's session bus", "$XDG_RUNTIME_DIR/jailsup-host-bus", true,
		                 &p->dbus, rights);
	} else
		(void) print_bus(f, "session bus", "$XDG_RUNTIME_DIR/bus",
		                 dbus_proxy_session_wanted(rights), &p->dbus, rights);
	if (!(rights & RIGHT_DBUS) && (rights & RIGHT_NOTIFICATIONS))
		fprintf(f, "  (notifications needs dbus: no session bus, so no notifications)\n");
	if (!(rights & RIGHT_DBUS) && (rights & RIGHT_PORTALS))
		fprintf(f, "  (portals needs dbus: no session bus, so no portals)\n");
	if (dbus_proxy_session_wanted(rights)) {
		_cleanup_strv_ char **a11y = NULL;

		/* The address is the session's, asked at each start. */
		fprintf(f, "accessibility bus: when the session has one (at-spi-bus-launcher's "
		           "$XDG_RUNTIME_DIR/" DBUS_A11Y_DIR "/bus), filtered by the same proxy, "
		           "at $XDG_RUNTIME_DIR/at-spi-bus\n");
		if (dbus_a11y_proxy_args("ADDRESS", &a11y) >= 0)
			for (size_t i = 2; a11y[i] != NULL; i++)
				fprintf(f, "  %s\n", a11y[i]);
	} else
		fprintf(f, "accessibility bus: none\n");
	(void) print_bus(f, "system bus", "/run/dbus/system_bus_socket",
	                 dbus_proxy_system_wanted(rights), &p->dbus_system, 0);

	explain_helpers(f, p, env, rights);

	fprintf(f, "\nlimits:");
	{
		bool any = false;

		for (int l = 0; l < _LIMIT_MAX; l++) {
			if (!p->limits[l].set)
				continue;
			any = true;
			if (p->limits[l].value == LIMIT_UNLIMITED)
				fprintf(f, " %s=unlimited", profile_limit_to_string(l));
			else
				fprintf(f, " %s=%llu", profile_limit_to_string(l),
				        (unsigned long long) p->limits[l].value);
		}
		fprintf(f, "%s\n", any ? "" : " the user's");
	}

	fprintf(f, "\nseccomp (denied system calls):\n");
	print_list(f, 2, "every jail", seccomp_always, ELEMENTSOF(seccomp_always));
	if (p->secure)
		print_list(f, 2, "secure", seccomp_secure, ELEMENTSOF(seccomp_secure));
	else
		fprintf(f, "  (secure = true would also deny ptrace, process_vm_*, kcmp)\n");
	fprintf(f, "  io_uring_*: %s\n",
	        rights & RIGHT_IO_URING ? "allowed (io_uring)"
	                                : "denied (the io_uring right allows them)");
	if (rights & RIGHT_USERNS)
		fprintf(f, "  nested namespaces: user, PID, network, IPC allowed (userns); "
		           "mount, UTS, cgroup, time denied; at most 256 user namespaces;\n"
		           "    denied for a nested root's own network: raw and packet IP "
		           "sockets, netfilter and IPVS socket options, bridge and VLAN ioctls\n");
	else
		fprintf(f, "  clone/unshare(CLONE_NEWUSER): denied (the userns right allows "
		           "nested user, PID, network and IPC namespaces)\n");
	fprintf(f, "  socket families: AF_UNIX, AF_INET, AF_INET6%s; any other refused\n",
	        p->secure || (rights & RIGHT_USERNS) ? "" : ", AF_NETLINK (NETLINK_ROUTE only)");
	fprintf(f, "  and always: every capability dropped, no_new_privs\n");
}

int
verb_explain(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *shipped = NULL, *text = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	struct profile_error err = {};
	struct profile_env env;
	size_t len = 0;
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
		cli_log_profile_errors(&env, argv[0], &err);
		return EXIT_JAILSUP_FAILED;
	}
	/* Written whole, escaped: paths come from the profile and from the
	 * filesystem (the exe's resolved path may lie in a folder a jail can
	 * write), and none may drive the terminal. */
	f = open_memstream(&text, &len);
	if (f == NULL)
		return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	explain(f, p, &env);
	if (fclose(TAKE_PTR(f)) != 0)
		return log_error("out of memory"), EXIT_JAILSUP_FAILED;
	r = text_write_escaped(STDOUT_FILENO, text);
	if (r < 0)
		return log_error_errno(r, "unable to write the explanation"), EXIT_JAILSUP_FAILED;
	return 0;
}
