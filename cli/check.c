/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup check NAME [--json] [--probe-abstract NAME] [--probe-tcp PORT]
 *                    [--probe-unix PATH]: the leak self-test
 *                    (docs/jail.md "jailsup check").
 *
 * The host side: we list what of the host a jail must not reach — its
 * folders, its sockets (X11, Wayland, PulseAudio, PipeWire, the real
 * session and system buses, nscd, systemd-resolved), the right that would
 * grant each, and its device and inode — and set up canaries of our own
 * that exist only while the check runs: an abstract unix socket, a unix
 * socket in the host's /tmp and in its runtime dir, and TCP listeners on
 * the host's loopback. Then we run libexec/jailsup/leak-check in the jail,
 * joined or started like `jailsup run`, and its exit status is ours.
 *
 * The helper reaches the jail as a sealed memfd on its stdin, executed as
 * /proc/self/fd/0 by dispatch: the jail needs no path to it (an installed
 * libexec is under /usr, which jails see, but a build tree is anywhere),
 * no jailer or dispatch change, and the copy cannot be altered from inside
 * (F_SEAL_WRITE), unlike a file of the user's own build tree would be.
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <glob.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <time.h>

#include "cli/client.h"
#include "cli/run.h"
#include "cli/start.h"
#include "cli/verbs.h"
#include "cli/vpn-leak.h"
#include "ini-profiles/profile.h"
#include "state/exe-paths.h"
#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/state.h"

#define CHECK_ATTEMPTS 5

/* The canaries: host objects of ours the jail must not reach. */
struct canaries {
	int abstract_fd, tcp4_fd, tcp6_fd, tmp_fd, run_fd;
	char abstract[64];
	unsigned tcp4_port, tcp6_port;
	char *tmp_dir, *run_dir; /* mkdtemp()s holding a socket "canary" */
};

static void
canaries_done(struct canaries *c)
{
	safe_close(c->abstract_fd);
	safe_close(c->tcp4_fd);
	safe_close(c->tcp6_fd);
	safe_close(c->tmp_fd);
	safe_close(c->run_fd);
	for (char **d = (char *[]){c->tmp_dir, c->run_dir}, **e = d + 2; d < e; d++)
		if (*d != NULL) {
			_cleanup_free_ char *s = path_join(*d, "canary");

			if (s != NULL)
				(void) unlink(s);
			(void) rmdir(*d);
			free(*d);
		}
}

static int
listen_unix(const char *path, bool abstract, int *ret)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa;
	socklen_t len;
	int r;

	if (fd < 0)
		return -errno;
	r = unix_sockaddr(path, abstract, &sa, &len);
	if (r < 0)
		return r;
	if (bind(fd, (struct sockaddr *) &sa, len) < 0 || listen(fd, 16) < 0)
		return -errno;
	*ret = TAKE_FD(fd);
	return 0;
}

/* A TCP listener on the loopback address of FAMILY, on a free port. */
static int
listen_tcp(int family, int *ret_fd, unsigned *ret_port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	_cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *) &ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *) &ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		len = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *) &ss, len) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
		return -errno;
	*ret_port = ntohs(family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
	                                    : ((struct sockaddr_in6 *) &ss)->sin6_port);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* A fresh folder PARENT/jailsup-check.XXXXXX with a listening socket. */
static int
canary_dir(const char *parent, char **ret_dir, int *ret_fd)
{
	_cleanup_free_ char *dir = NULL, *sock = NULL;
	int r;

	if (asprintf(&dir, "%s/jailsup-check.XXXXXX", parent) < 0)
		return -ENOMEM;
	if (mkdtemp(dir) == NULL)
		return -errno;
	sock = path_join(dir, "canary");
	r = sock != NULL ? listen_unix(sock, false, ret_fd) : -ENOMEM;
	if (r < 0) {
		(void) rmdir(dir);
		return r;
	}
	*ret_dir = TAKE_PTR(dir);
	return 0;
}

static int
canaries_setup(struct canaries *c, const char *runtime)
{
	struct timespec ts;
	int r;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(c->abstract, sizeof(c->abstract), "jailsup-check-%d-%lx", (int) getpid(),
	         (unsigned long) ts.tv_nsec);
	r = listen_unix(c->abstract, true, &c->abstract_fd);
	if (r < 0)
		return log_error_errno(r, "unable to listen on the abstract socket '@%s'",
		                       c->abstract);
	r = listen_tcp(AF_INET, &c->tcp4_fd, &c->tcp4_port);
	if (r < 0)
		return log_error_errno(r, "unable to listen on 127.0.0.1");
	/* A host without IPv6 has no ::1 to leak. */
	if (listen_tcp(AF_INET6, &c->tcp6_fd, &c->tcp6_port) < 0)
		c->tcp6_port = 0;
	r = canary_dir("/tmp", &c->tmp_dir, &c->tmp_fd);
	if (r < 0)
		return log_error_errno(r, "unable to make a canary socket in /tmp");
	if (runtime != NULL) {
		r = canary_dir(runtime, &c->run_dir, &c->run_fd);
		if (r < 0)
			return log_error_errno(r, "unable to make a canary socket in '%s'",
			                       runtime);
	}
	return 0;
}

/* Appends --probe KIND:RIGHT:DEV:INO:LABEL:TARGET. For paths and unix
 * sockets the host object's identity goes along, and one absent on the
 * host is left out: there is nothing of the host to reach. */
static int
add_probe(char ***argv, const char *kind, const char *right, const char *label, const char *target)
{
	_cleanup_free_ char *spec = NULL;
	struct stat st;

	if (streq(kind, "path") || streq(kind, "wpath") || streq(kind, "unix")) {
		if (lstat(target, &st) < 0)
			return 0;
		if (asprintf(&spec, "%s:%s:%llu:%llu:%s:%s", kind, right,
		             (unsigned long long) st.st_dev, (unsigned long long) st.st_ino, label,
		             target) < 0)
			return -ENOMEM;
	} else if (asprintf(&spec, "%s:%s:-:-:%s:%s", kind, right, label, target) < 0)
		return -ENOMEM;
	if (strv_push(argv, "--probe") < 0 || strv_push(argv, spec) < 0)
		return -ENOMEM;
	return 0;
}

/* add_probe() for each path GLOB matches. */
static int
add_glob(char ***argv, const char *kind, const char *right, const char *label, const char *pattern,
         bool also_abstract)
{
	glob_t g = {};
	int r = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && r >= 0; i++) {
		const char *p = g.gl_pathv[i];
		size_t n = strlen(p);

		if (n > 5 && streq(p + n - 5, ".lock"))
			continue; /* wayland-0.lock: a lock file, not a socket */
		r = add_probe(argv, kind, right, label, p);
		/* X11 and ICE listen on "@PATH" too, reachable from the host's
		 * network namespace. */
		if (r >= 0 && also_abstract)
			r = add_probe(argv, "abstract", right, label, p);
	}
	globfree(&g);
	return r;
}

/* The unix:path= (or unix:abstract=) of a D-Bus address, as a probe. */
static int
add_bus_address(char ***argv, const char *label, const char *address)
{
	static const struct {
		const char *key, *kind;
	} forms[] = {{"unix:path=", "unix"}, {"unix:abstract=", "abstract"}};

	if (address == NULL)
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
		const char *p = strstr(address, forms[i].key);
		_cleanup_free_ char *v = NULL;

		if (p == NULL)
			continue;
		p += strlen(forms[i].key);
		v = strndup(p, strcspn(p, ",;"));
		if (v == NULL)
			return -ENOMEM;
		if (strchr(v, '%') != NULL)
			continue; /* escaped bytes: not worth decoding for a probe */
		return add_probe(argv, forms[i].kind, "none", label, v);
	}
	return 0;
}

static int
add_host_probes(char ***v, const struct profile_env *env, const struct canaries *c)
{
	const char *rt = env->xdg_runtime_dir;
	_cleanup_free_ char *home_parent = strdup(env->home), *cfg = NULL, *data = NULL;
	_cleanup_free_ char *pulse = NULL, *bus = NULL, *canary4 = NULL, *canary6 = NULL;
	_cleanup_free_ char *tmp_sock = NULL, *run_sock = NULL;
	int r = 0;

	if (home_parent == NULL)
		return -ENOMEM;
	*strrchr(home_parent, '/') = '\0';
	cfg = path_join(env->xdg_config_home, "jailsup");
	data = path_join(env->xdg_data_home, "jailsup");
	tmp_sock = path_join(c->tmp_dir, "canary");
	if (cfg == NULL || data == NULL || tmp_sock == NULL)
		return -ENOMEM;

	/* Host files: each folder the jail has a different one of, or none. */
	r = r < 0 ? r : add_probe(v, "path", "none", "host root", "/");
	r = r < 0 ? r : add_probe(v, "path", "none", "your home", env->home);
	if (home_parent[0] != '\0')
		r = r < 0 ? r : add_probe(v, "path", "none", "the folder of homes", home_parent);
	r = r < 0 ? r : add_probe(v, "path", "none", "jailsup's profiles", cfg);
	r = r < 0 ? r : add_probe(v, "path", "none", "the jails' homes", data);
	r = r < 0 ? r : add_probe(v, "path", "none", "host /tmp", "/tmp");
	r = r < 0 ? r : add_probe(v, "path", "none", "host /var/tmp", "/var/tmp");
	r = r < 0 ? r : add_probe(v, "path", "none", "host /run", "/run");
	if (rt != NULL)
		r = r < 0 ? r : add_probe(v, "path", "none", "host runtime dir", rt);
	r = r < 0 ? r : add_probe(v, "path", "none", "host /sys", "/sys");
	r = r < 0 ? r : add_probe(v, "path", "none", "host /mnt", "/mnt");
	r = r < 0 ? r : add_probe(v, "path", "none", "host /media", "/media");
	r = r < 0 ? r : add_probe(v, "path", "none", "host /srv", "/srv");
	r = r < 0 ? r : add_probe(v, "path", "gpu", "GPU devices", "/dev/dri");
	r = r < 0 ? r : add_probe(v, "path", "audio", "sound devices", "/dev/snd");
	r = r < 0 ? r : add_glob(v, "path", "camera", "camera", "/dev/video*", false);
	/* What the session runs at login: a jail may see some (read-only
	 * shares), never write one. */
	{
		const char *const *session;
		size_t n;

		session = profile_session_files(&n);
		for (size_t i = 0; i < n && r >= 0; i++) {
			_cleanup_free_ char *path = path_join(env->home, session[i]);

			r = path == NULL ? -ENOMEM
			                 : add_probe(v, "wpath", "none", "session file, writable", path);
		}
	}

	/* Sockets of the desktop, by the right that grants each. */
	r = r < 0 ? r : add_glob(v, "unix", "x11", "X11 display", "/tmp/.X11-unix/X*", true);
	r = r < 0 ? r
	          : add_glob(v, "unix", "kde-session", "ICE (session manager)", "/tmp/.ICE-unix/*",
	                     true);
	if (rt != NULL) {
		_cleanup_free_ char *wl = path_join(rt, "wayland-*");

		pulse = path_join(rt, "pulse/native");
		bus = path_join(rt, "bus");
		if (wl == NULL || pulse == NULL || bus == NULL)
			return -ENOMEM;
		r = r < 0 ? r : add_glob(v, "unix", "wayland", "Wayland display", wl, false);
		r = r < 0 ? r : add_probe(v, "unix", "audio", "PulseAudio", pulse);
		{
			_cleanup_free_ char *pw = path_join(rt, "pipewire-0*");

			if (pw == NULL)
				return -ENOMEM;
			r = r < 0 ? r : add_glob(v, "unix", "audio", "PipeWire", pw, false);
		}
		/* The real bus: no right grants it (dbus gives a proxy). */
		r = r < 0 ? r : add_probe(v, "unix", "none", "session bus", bus);
	}
	{
		const char *ps = getenv("PULSE_SERVER");

		if (ps != NULL && strstartswith(ps, "unix:") &&
		    (pulse == NULL || !streq(ps + 5, pulse)))
			r = r < 0 ? r : add_probe(v, "unix", "audio", "PulseAudio", ps + 5);
	}
	{
		const char *sa = getenv("DBUS_SESSION_BUS_ADDRESS");

		if (sa != NULL && (bus == NULL || strstr(sa, bus) == NULL))
			r = r < 0 ? r : add_bus_address(v, "session bus", sa);
	}
	r = r < 0 ? r : add_probe(v, "unix", "none", "system bus", "/run/dbus/system_bus_socket");
	r = r < 0 ? r : add_bus_address(v, "system bus", getenv("DBUS_SYSTEM_BUS_ADDRESS"));

	/* Name resolution outside the jail's own network. */
	r = r < 0 ? r : add_probe(v, "unix", "none", "DNS through nscd", "/run/nscd/socket");
	r = r < 0 ? r
	          : add_probe(v, "unix", "none", "systemd-resolved (varlink)",
	                      "/run/systemd/resolve/io.systemd.Resolve");
	r = r < 0 ? r : add_probe(v, "tcp4", "none", "systemd-resolved stub", "127.0.0.53:53");

	/* Our canaries. */
	if (asprintf(&canary4, "127.0.0.1:%u", c->tcp4_port) < 0)
		return -ENOMEM;
	r = r < 0 ? r : add_probe(v, "abstract", "none", "host abstract socket", c->abstract);
	r = r < 0 ? r : add_probe(v, "tcp4", "none", "host loopback TCP", canary4);
	if (c->tcp6_port != 0) {
		if (asprintf(&canary6, "::1:%u", c->tcp6_port) < 0)
			return -ENOMEM;
		r = r < 0 ? r : add_probe(v, "tcp6", "none", "host loopback TCP (IPv6)", canary6);
	}
	r = r < 0 ? r : add_probe(v, "unix", "none", "host unix socket in /tmp", tmp_sock);
	if (c->run_dir != NULL) {
		run_sock = path_join(c->run_dir, "canary");
		if (run_sock == NULL)
			return -ENOMEM;
		r = r < 0
		        ? r
		        : add_probe(v, "unix", "none", "host unix socket in runtime dir", run_sock);
	}
	return r;
}

/* --- the helpers' confinement, from the host ---------------------------------- */

/* What /proc/PID/status says of a helper's privileges. */
struct helper_status {
	uint64_t caps[4]; /* CapEff, CapPrm, CapBnd, CapAmb; UINT64_MAX when unread */
	int nnp, seccomp; /* -1 when unread */
	int pid_depth;    /* NSpid's entries: 2 and more when in a PID namespace of its own */
};

static int
parse_hex_u64(const char *s, uint64_t *ret)
{
	char *end = NULL;
	unsigned long long v;

	s += strspn(s, " \t");
	if (!isxdigit((unsigned char) s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 16);
	if (errno != 0 || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret = v;
	return 0;
}

static int
read_helper_status(pid_t pid, struct helper_status *ret)
{
	static const char *const cap_keys[] = {"CapEff:", "CapPrm:", "CapBnd:", "CapAmb:"};
	char path[64], line[512];
	_cleanup_fclose_ FILE *f = NULL;
	struct helper_status st = {
	    .caps = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}, .nnp = -1, .seccomp = -1};

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *v = line + strcspn(line, ":") + 1;
		unsigned u;

		for (size_t i = 0; i < ELEMENTSOF(cap_keys); i++)
			if (strstartswith(line, cap_keys[i]))
				(void) parse_hex_u64(v, &st.caps[i]);
		line[strcspn(line, "\n")] = '\0';
		v += strspn(v, " \t");
		if (strstartswith(line, "NoNewPrivs:") && parse_uint(v, 0, 1, &u) >= 0)
			st.nnp = (int) u;
		else if (strstartswith(line, "Seccomp:") && parse_uint(v, 0, 2, &u) >= 0)
			st.seccomp = (int) u;
		else if (strstartswith(line, "NSpid:"))
			for (const char *c = v; *c != '\0'; c += strspn(c, " \t")) {
				st.pid_depth++;
				c += strcspn(c, " \t");
			}
	}
	*ret = st;
	return 0;
}

/* 1 when PID is in another namespace NS than we are, 0 in ours, -errno
 * (-EACCES: not ours to look at). */
static int
ns_other(pid_t pid, const char *ns)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, ns);
	if (stat(path, &a) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (stat(path, &b) < 0)
		return -errno;
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

static void add_fault(FILE *f, bool *open, const char *fmt, ...) _printf_(3, 4);
static void
add_fault(FILE *f, bool *open, const char *fmt, ...)
{
	va_list ap;

	fputs(*open ? "; " : "", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	*open = true;
}

/* The faults of helper PID that both confined helpers are judged by: each
 * namespace of REQUIRED_NS (N of them) its own, a root other than ours,
 * every capability set holding CAPS exactly, no_new_privs and a seccomp
 * filter. ROOT_PATH gets "/proc/PID/root/". */
static void
confinement_faults(FILE *f, bool *open, pid_t pid, const char *const *required_ns, size_t n,
                   uint64_t caps, char root_path[static 64])
{
	static const char *const cap_names[] = {"CapEff", "CapPrm", "CapBnd", "CapAmb"};
	struct helper_status st;
	struct stat root, ours;
	int r;

	for (size_t i = 0; i < n; i++) {
		r = ns_other(pid, required_ns[i]);
		if (r <= 0)
			add_fault(f, open, "%s namespace: %s", required_ns[i],
			          r == 0 ? "the host's" : strerror(-r));
	}
	snprintf(root_path, 64, "/proc/%d/root/", (int) pid);
	if (stat(root_path, &root) < 0 || stat("/", &ours) < 0)
		add_fault(f, open, "its root: %s", strerror(errno));
	else if (root.st_dev == ours.st_dev && root.st_ino == ours.st_ino)
		add_fault(f, open, "its root is the host's /");
	r = read_helper_status(pid, &st);
	if (r < 0) {
		add_fault(f, open, "status: %s", strerror(-r));
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
		if (st.caps[i] != caps)
			add_fault(f, open, "%s %016llx", cap_names[i], (unsigned long long) st.caps[i]);
	if (st.nnp != 1)
		add_fault(f, open, "no_new_privs not set");
	if (st.seccomp != 2)
		add_fault(f, open, "no seccomp filter");
}

/* The jail's xdg-dbus-proxy, by its pid file (PID START, and its comm):
 * closed when it is in a user, mount and PID namespace of its own, its
 * root is not ours and has no HOME, it holds no capability, no_new_privs
 * and a seccomp filter are set. Its network namespace is said, not
 * required: an abstract bus address needs the host's. */
static int
check_proxy(int dir_fd, const char *home, char **ret_spec)
{
	static const char *const required_ns[] = {"user", "mnt", "pid"};
	_cleanup_free_ char *detail = NULL, *in_root = NULL;
	char root_path[64];
	struct proc_id id;
	bool open = false;
	size_t len = 0;
	FILE *f;
	int r, net;

	r = proc_id_read_at(dir_fd, STATE_DBUS_PROXY_PID, &id);
	if (r == -ENOENT || (r >= 0 && proc_id_is(&id, "xdg-dbus-proxy") <= 0))
		return asprintf(ret_spec, "xdg-dbus-proxy confined:closed:no proxy runs (no bus)") <
		               0
		           ? -ENOMEM
		           : 0;
	if (r < 0)
		return r;
	f = open_memstream(&detail, &len);
	if (f == NULL)
		return -ENOMEM;
	confinement_faults(f, &open, id.pid, required_ns, ELEMENTSOF(required_ns), 0, root_path);
	if (asprintf(&in_root, "%s%s", root_path, home) < 0) {
		fclose(f);
		return -ENOMEM;
	}
	if (access(in_root, F_OK) == 0 || errno != ENOENT)
		add_fault(f, &open, "it sees your home %s", home);
	net = ns_other(id.pid, "net");
	if (!open)
		fprintf(f,
		        "pid %d: its own user, mount, PID%s namespaces, its own root without "
		        "your home, no capability, no_new_privs, seccomp",
		        (int) id.pid, net > 0 ? ", network" : " (the host's network)");
	if (fclose(f) != 0)
		return -ENOMEM;
	return asprintf(ret_spec, "xdg-dbus-proxy confined:%s:%s", open ? "OPEN" : "closed",
	                detail) < 0
	           ? -ENOMEM
	           : 0;
}

/* The jail's VPN helper (openvpn or wireguard-go), by its pid file:
 * closed when it runs in the jail's user namespace (not ours) and a mount
 * namespace and root of its own, holds CAP_NET_ADMIN and nothing else (its
 * bounding set too), and no_new_privs and a seccomp filter are set
 * (docs/architecture.md "The VPN"). openvpn's root may hold the folders
 * on the way to the .ovpn's files, in your home too: only the way to them,
 * so the home is not checked here. */
static int
check_vpn_helper(int dir_fd, const char *pid_file, const char *comm, char **ret_spec)
{
	static const char *const required_ns[] = {"user", "mnt"};
	const uint64_t net_admin = UINT64_C(1) << 12; /* CAP_NET_ADMIN */
	_cleanup_free_ char *detail = NULL;
	char root_path[64];
	struct proc_id id;
	bool open = false;
	size_t len = 0;
	FILE *f;
	int r;

	r = proc_id_read_at(dir_fd, pid_file, &id);
	if (r == -ENOENT || (r >= 0 && proc_id_is(&id, comm) <= 0))
		return 0; /* not this VPN's jail, or its helper ended (the jail is degraded) */
	if (r < 0)
		return r;
	f = open_memstream(&detail, &len);
	if (f == NULL)
		return -ENOMEM;
	confinement_faults(f, &open, id.pid, required_ns, ELEMENTSOF(required_ns), net_admin,
	                   root_path);
	if (!open)
		fprintf(f,
		        "pid %d: the jail's user namespace, its own mount namespace and root, "
		        "CAP_NET_ADMIN alone, no_new_privs, seccomp",
		        (int) id.pid);
	if (fclose(f) != 0)
		return -ENOMEM;
	return asprintf(ret_spec, "%s confined:%s:%s", comm, open ? "OPEN" : "closed", detail) < 0
	           ? -ENOMEM
	           : 0;
}

/* pasta confines itself (docs/jail.md "pasta"); it is not dumpable, so of
 * its sandbox only its status shows: no_new_privs, a seccomp filter, a
 * PID namespace of its own. */
static int
check_pasta(int dir_fd, char **ret_spec)
{
	struct helper_status st;
	struct proc_id id;
	int r;

	r = proc_id_read_at(dir_fd, STATE_PASTA_PID, &id);
	if (r == -ENOENT || (r >= 0 && proc_id_is(&id, "pasta|passt|pasta.avx2|passt.avx2") <= 0))
		return 0;
	if (r >= 0)
		r = read_helper_status(id.pid, &st);
	if (r < 0)
		return r;
	return asprintf(ret_spec, "pasta confined:%s:pid %d: no_new_privs %s, seccomp %s, %s",
	                st.nnp == 1 && st.seccomp == 2 && st.pid_depth >= 2 ? "closed" : "OPEN",
	                (int) id.pid, st.nnp == 1 ? "set" : "NOT set",
	                st.seccomp == 2 ? "filter" : "NONE",
	                st.pid_depth >= 2 ? "its own PID namespace" : "the host's PID namespace") <
	               0
	           ? -ENOMEM
	           : 0;
}

/* --helper lines for leak-check: how the helpers of jail NAME are
 * confined, seen from the host. A jail cannot observe it: the helpers
 * are in none of its namespaces. */
static int
add_helper_checks(char ***argv, const struct profile_env *env, const char *name)
{
	_cleanup_free_ char *path = NULL, *proxy = NULL, *pasta = NULL, *vpn = NULL;
	_cleanup_close_ int dir_fd = -1;
	int r;

	if (env->xdg_runtime_dir == NULL)
		return 0;
	if (asprintf(&path, "%s/%s/%s/%s", env->xdg_runtime_dir, STATE_RUNTIME_SUBDIR,
	             STATE_JAILS_SUBDIR, name) < 0)
		return -ENOMEM;
	r = state_dir_open_path(path, false, &dir_fd);
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* no supervisor's jail: no helper */
	r = check_proxy(dir_fd, env->home, &proxy);
	if (r >= 0)
		r = check_pasta(dir_fd, &pasta);
	if (r >= 0)
		r = check_vpn_helper(dir_fd, STATE_OPENVPN_PID, "openvpn", &vpn);
	if (r >= 0 && vpn == NULL)
		r = check_vpn_helper(dir_fd, STATE_WIREGUARD_PID, "wireguard-go", &vpn);
	if (r >= 0 && (strv_push(argv, "--helper") < 0 || strv_push(argv, proxy) < 0))
		r = -ENOMEM;
	if (r >= 0 && pasta != NULL &&
	    (strv_push(argv, "--helper") < 0 || strv_push(argv, pasta) < 0))
		r = -ENOMEM;
	if (r >= 0 && vpn != NULL && (strv_push(argv, "--helper") < 0 || strv_push(argv, vpn) < 0))
		r = -ENOMEM;
	return r;
}

/* The terminal after a run, played for real: a host pty stands in for the
 * user's terminal; a run in the jail leaves a process holding its own
 * terminal and returns; then we type a line. The leftover must read EOF
 * (never our line) and fail to write: the CLI hung the jail's pty up and
 * nothing of our terminal was ever in the jail. It reports on its stderr,
 * a pipe, which passes through the relay untouched. */
#define PTY_PROBE_TIMEOUT_MS 10000

static int
probe_pty_leftover(const struct jail_profile *profile, char **ret_spec)
{
	static const char script[] =
	    "trap '' HUP; exec 3<&0; "
	    "(if read -r l <&3; then echo \"read:$l\"; else echo read:EOF; fi; "
	    "if printf x >&3 2>/dev/null; then echo write:ok; else echo write:refused; fi) >&2 & "
	    "exit 0";
	char *const argv[] = {"/bin/sh", "-c", (char *) script, NULL};
	_cleanup_close_ int master = -1, slave = -1, rd = -1;
	char buf[4096] = "", name[64];
	size_t len = 0;
	int report[2], status;
	bool closed;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		return -errno;
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	rd = report[0];
	pid = fork();
	if (pid < 0) {
		safe_close(report[1]);
		return -errno;
	}
	if (pid == 0) {
		int sock;

		if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(report[1], 2) < 0 ||
		    jail_connect_or_start(profile, &sock) != 0)
			_exit(EXIT_JAILSUP_FAILED);
		_exit(jail_run_app(sock, argv, profile->name));
	}
	safe_close(report[1]);
	slave = safe_close(slave);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	/* The run returned: what the user types now is not the jail's. */
	(void) write_all(master, "typed-after-the-run\n", 20);
	while (len < sizeof(buf) - 1) {
		struct pollfd p = {.fd = rd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, PTY_PROBE_TIMEOUT_MS) <= 0)
			break;
		n = read(rd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t) n;
	}
	buf[len] = '\0';
	closed = WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(buf, "read:EOF\n") &&
	         strstr(buf, "write:refused\n") && !strstr(buf, "typed-after");
	return asprintf(ret_spec, "terminal after the run:%s:%s", closed ? "closed" : "OPEN",
	                closed ? "a process left on it read EOF and could not write (hung up)"
	                : strstr(buf, "typed-after") != NULL
	                    ? "a process left on it READ what was typed after the run"
	                    : "a process left on it was not seen to get EOF and EIO") < 0
	           ? -ENOMEM
	           : 0;
}

/* --- a VPN jail's leak test ------------------------------------------------- */

/* pasta's interface in a jail (the supervisor names it so: docs/architecture.md
 * "The VPN"), and the address where pasta forwards DNS to the host's
 * resolver in a pasta jail. */
#define VPN_PASTA_IFNAME     "jsnet0"
#define VPN_DNS_FORWARD      "169.254.1.1"
#define VPN_PROBE_TIMEOUT_MS 60000
#define VPN_LATE_MS          300 /* what the probe sent is in flight at most this long */
#define VPN_MAX_TARGETS      16  /* leak-check/vpn-probe.c takes no more of each */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

/* A UDP listener on every address of FAMILY, on a free port. */
static int
listen_udp_any(int family, int *ret_fd, unsigned *ret_port)
{
	struct sockaddr_storage ss = {.ss_family = (sa_family_t) family};
	socklen_t len =
	    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	_cleanup_close_ int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;

	if (fd < 0)
		return -errno;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *) &ss, len) < 0 ||
	    getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
		return -errno;
	*ret_port = ntohs(family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
	                                    : ((struct sockaddr_in6 *) &ss)->sin6_port);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* --udp for each address of the host a leak could reach through pasta
 * (loopback and link-local ones pasta does not carry), on our port. */
static int
add_udp_targets(char ***argv, unsigned port4, unsigned port6)
{
	struct ifaddrs *ifs = NULL;
	size_t n = 0;
	int r = 0;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (struct ifaddrs *i = ifs; i != NULL && r >= 0 && n < VPN_MAX_TARGETS; i = i->ifa_next) {
		char a[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 16];

		if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK) ||
		    !(i->ifa_flags & IFF_UP))
			continue;
		if (i->ifa_addr->sa_family == AF_INET && port4 != 0) {
			const struct in_addr *in = &((struct sockaddr_in *) i->ifa_addr)->sin_addr;

			if ((ntohl(in->s_addr) >> 16) == 0xa9fe) /* 169.254/16 */
				continue;
			inet_ntop(AF_INET, in, a, sizeof(a));
			snprintf(ep, sizeof(ep), "%s:%u", a, port4);
		} else if (i->ifa_addr->sa_family == AF_INET6 && port6 != 0) {
			const struct in6_addr *in6 =
			    &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(in6) || IN6_IS_ADDR_LOOPBACK(in6))
				continue;
			inet_ntop(AF_INET6, in6, a, sizeof(a));
			snprintf(ep, sizeof(ep), "[%s]:%u", a, port6);
		} else
			continue;
		if (strv_push(argv, "--udp") < 0 || strv_push(argv, ep) < 0)
			r = -ENOMEM;
		n++;
	}
	freeifaddrs(ifs);
	return r;
}

/* --dns for the host's own resolvers (its resolv.conf) and pasta's DNS
 * forwarder: a query that reaches one of them left the tunnel. The jail's
 * resolv.conf the probe reads itself. */
static int
add_dns_targets(char ***argv)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256];
	size_t n = 0;
	int r = 0;

	if (strv_push(argv, "--dns") < 0 || strv_push(argv, VPN_DNS_FORWARD ":53") < 0)
		return -ENOMEM;
	while (f != NULL && r >= 0 && n + 1 < VPN_MAX_TARGETS &&
	       fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *key = strtok_r(line, " \t\n", &save);
		char *addr = key != NULL ? strtok_r(NULL, " \t\n", &save) : NULL;
		unsigned char buf[sizeof(struct in6_addr)];
		char ep[INET6_ADDRSTRLEN + 8];

		if (key == NULL || addr == NULL || !streq(key, "nameserver"))
			continue;
		if (inet_pton(AF_INET, addr, buf) == 1)
			snprintf(ep, sizeof(ep), "%s:53", addr);
		else if (inet_pton(AF_INET6, addr, buf) == 1 && strlen(addr) < INET6_ADDRSTRLEN)
			snprintf(ep, sizeof(ep), "[%s]:53", addr);
		else
			continue;
		if (strv_push(argv, "--dns") < 0 || strv_push(argv, ep) < 0)
			r = -ENOMEM;
		n++;
	}
	return r;
}

/* Reads what reached listener FD: our nonce's datagrams, by the probe
 * that sent them ("udp" or "bind"). */
static void
drain_udp(int fd, const char *nonce, struct vpn_leak_seen *seen)
{
	char buf[256], want_udp[96], want_bind[96];

	if (fd < 0)
		return;
	snprintf(want_udp, sizeof(want_udp), "jailsup-leak %s udp\n", nonce);
	snprintf(want_bind, sizeof(want_bind), "jailsup-leak %s bind\n", nonce);
	for (;;) {
		struct sockaddr_storage from = {};
		socklen_t flen = sizeof(from);
		char a[INET6_ADDRSTRLEN] = "?";
		ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *) &from, &flen);
		bool udp, bind_;

		if (n < 0)
			return;
		buf[n] = '\0';
		udp = streq(buf, want_udp);
		bind_ = streq(buf, want_bind);
		if (!udp && !bind_)
			continue; /* not ours */
		if (from.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *) &from)->sin_addr, a, sizeof(a));
		else if (from.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &from)->sin6_addr, a,
			          sizeof(a));
			seen->ipv6 = true;
		}
		if (udp && !seen->udp) {
			seen->udp = true;
			snprintf(seen->udp_from, sizeof(seen->udp_from), "%s", a);
		}
		if (bind_ && !seen->bind) {
			seen->bind = true;
			snprintf(seen->bind_from, sizeof(seen->bind_from), "%s", a);
		}
	}
}

/* Runs ARGV in jail PROFILE with its stdout on a pipe we read, bounded in
 * size and time. Returns the app's exit status, or -errno. */
static int
run_capture(const struct jail_profile *profile, char *const *argv, char *buf, size_t size,
            size_t *ret_len)
{
	_cleanup_close_ int rd = -1;
	int out[2], status;
	size_t len = 0;
	uint64_t deadline = mono_ms() + VPN_PROBE_TIMEOUT_MS;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	rd = out[0];
	pid = fork();
	if (pid < 0) {
		safe_close(out[1]);
		return -errno;
	}
	if (pid == 0) {
		int sock;

		/* stdin stays the helper's memfd: dispatch executes it. */
		if (dup2(out[1], STDOUT_FILENO) < 0 || jail_connect_or_start(profile, &sock) != 0)
			_exit(EXIT_JAILSUP_FAILED);
		_exit(jail_run_app(sock, argv, profile->name));
	}
	bool eof = false;

	safe_close(out[1]);
	/* One byte more than fits: a report that long is not one. */
	while (len < size) {
		struct pollfd p = {.fd = rd, .events = POLLIN};
		uint64_t now = mono_ms();
		ssize_t n;
		int r;

		if (now >= deadline)
			break;
		r = poll(&p, 1, (int) (deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(rd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = n == 0;
			break;
		}
		len += (size_t) n;
	}
	/* Cut short (too long, too slow): our own child, not yet reaped, so
	 * its PID cannot have been reused. */
	if (!eof)
		(void) kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_len = len;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --helper FMT…, a row of the main check. */
static int _printf_(2, 3) push_helper(char ***hv, const char *fmt, ...)
{
	_cleanup_free_ char *spec = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&spec, fmt, ap);
	va_end(ap);
	if (r < 0 || strv_push(hv, "--helper") < 0 || strv_push(hv, spec) < 0)
		return -ENOMEM;
	return 0;
}

/* A VPN jail's leak test (docs/jail.md "The VPN leak test"): the probe
 * runs in the jail and reports; we listen, read its report as the jail's,
 * and add our verdicts to *HV as --helper lines of the main check. */
static int
vpn_leak_check(const struct jail_profile *profile, char ***hv)
{
	_cleanup_close_ int u4 = -1, u6 = -1;
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *out = NULL;
	struct vpn_leak_report *report = NULL;
	struct vpn_leak_seen seen = {};
	unsigned char raw[8];
	char nonce[2 * sizeof(raw) + 1];
	unsigned port4 = 0, port6 = 0, line;
	const char *msg;
	size_t len = 0;
	int r, status;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw))
		return -errno;
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(nonce + 2 * i, 3, "%02x", raw[i]);
	r = listen_udp_any(AF_INET, &u4, &port4);
	if (r < 0)
		return log_error_errno(r, "unable to listen on UDP");
	if (listen_udp_any(AF_INET6, &u6, &port6) < 0)
		port6 = 0; /* a host without IPv6 has no IPv6 address to reach */
	if (strv_push(&argv, "/proc/self/fd/0") < 0 || strv_push(&argv, "--vpn-probe") < 0 ||
	    strv_push(&argv, nonce) < 0 || strv_push(&argv, "--bind-dev") < 0 ||
	    strv_push(&argv, VPN_PASTA_IFNAME) < 0)
		return -ENOMEM;
	r = add_dns_targets(&argv);
	if (r >= 0)
		r = add_udp_targets(&argv, port4, port6);
	out = malloc(VPN_LEAK_MAX_OUTPUT + 1);
	report = malloc(sizeof(*report));
	if (r < 0 || out == NULL || report == NULL) {
		free(report);
		return r < 0 ? r : -ENOMEM;
	}
	status = run_capture(profile, argv, out, VPN_LEAK_MAX_OUTPUT + 1, &len);
	/* What the probe sent is on its way or here once it ended. */
	{
		struct pollfd p[2] = {{.fd = u4, .events = POLLIN}, {.fd = u6, .events = POLLIN}};
		uint64_t end = mono_ms() + VPN_LATE_MS;

		for (uint64_t now; (now = mono_ms()) < end;) {
			if (poll(p, 2, (int) (end - now)) < 0 && errno != EINTR)
				break;
			drain_udp(u4, nonce, &seen);
			drain_udp(u6, nonce, &seen);
		}
	}
	if (status < 0)
		r = status;
	else if (status != 0)
		r = push_helper(hv, "VPN leak test:OPEN:the probe in the jail failed (status %d)",
		                status);
	else if (vpn_leak_parse(out, len, report, &line, &msg) < 0)
		/* Said, never trusted: the report is the jail's. */
		r = line > 0 ? push_helper(hv, "VPN leak test:OPEN:the probe's report, line %u: %s",
		                           line, msg)
		             : push_helper(hv, "VPN leak test:OPEN:the probe's report: %s", msg);
	else {
		bool sys = profile_rights(profile) & RIGHT_DBUS_SYSTEM;
		_cleanup_strv_ char **specs = NULL;

		r = vpn_leak_judge(report, VPN_PASTA_IFNAME, &seen, &specs);
		for (char **s = specs; r >= 0 && s != NULL && *s != NULL; s++)
			if (strv_push(hv, "--helper") < 0 || strv_push(hv, *s) < 0)
				r = -ENOMEM;
		/* resolved's D-Bus name: the profile says whether the proxy lets
		 * the jail reach it. */
		if (r >= 0 && vpn_leak_resolved_on_bus(&profile->dbus_system, sys))
			r = push_helper(hv, "VPN leak (resolved over D-Bus):OPEN:the jail's system "
			                    "bus rules let it reach org.freedesktop.resolve1");
		else if (r >= 0)
			r = push_helper(hv, "VPN leak (resolved over D-Bus):closed:%s",
			                sys ? "no system bus rule names org.freedesktop.resolve1"
			                    : "no system bus");
	}
	free(report);
	return r;
}

/* The helper, copied into a sealed memfd the jail executes. */
static int
helper_memfd(int *ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sibling_path("libexec/jailsup/leak-check", &path);
	if (r < 0)
		return r;
	r = memfd_sealed_program("jailsup-leak-check", path);
	if (r < 0)
		return log_error_errno(r, "unable to copy '%s' into a sealed memfd", path);
	*ret = r;
	return 0;
}

/* The rights in force as "audio,x11,…", or "-" for none (an empty
 * argument would read as a missing one). */
static int
rights_list(unsigned rights, char **ret)
{
	_cleanup_free_ char *s = NULL;
	size_t len = 0;
	_cleanup_fclose_ FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return -ENOMEM;
	for (unsigned i = 0, n = 0; i < _RIGHT_COUNT; i++)
		if (rights & (1u << i))
			fprintf(f, "%s%s", n++ > 0 ? "," : "", right_to_string(1u << i));
	if (fclose(TAKE_PTR(f)) != 0)
		return -ENOMEM;
	if (len == 0) {
		free(s);
		s = strdup("-");
	}
	*ret = TAKE_PTR(s);
	return *ret != NULL ? 0 : -ENOMEM;
}

struct check_args {
	const char *name;
	bool json;
	char **probes; /* --probe-* as probe specs */
};

static int
parse_check_args(int argc, char **argv, struct check_args *a)
{
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		_cleanup_free_ char *t = NULL;
		unsigned port;
		int r = 0;

		if (streq(o, "--json"))
			a->json = true;
		else if (streq(o, "--help")) {
			printf("usage: jailsup check NAME [--json] [--probe-abstract NAME] "
			       "[--probe-tcp PORT] [--probe-unix PATH]\n");
			exit(0);
		} else if (streq(o, "--probe-abstract") && v != NULL && v[0] != '\0') {
			r = add_probe(&a->probes, "abstract", "none", "given abstract socket",
			              v[0] == '@' ? v + 1 : v);
			i++;
		} else if (streq(o, "--probe-tcp") && v != NULL) {
			if (parse_uint(v, 1, 65535, &port) < 0 ||
			    asprintf(&t, "127.0.0.1:%u", port) < 0)
				return log_error("--probe-tcp: '%s' is not a port", v), -EINVAL;
			r = add_probe(&a->probes, "tcp4", "none", "given loopback TCP port", t);
			i++;
		} else if (streq(o, "--probe-unix") && v != NULL && v[0] == '/') {
			r = add_probe(&a->probes, "unix", "none", "given unix socket", v);
			i++;
		} else if (o[0] == '-')
			return log_error("check: unknown option or missing value '%s'", o), -EINVAL;
		else if (a->name == NULL)
			a->name = o;
		else
			return log_error("check: one NAME only ('%s' is extra)", o), -EINVAL;
		if (r < 0)
			return r;
	}
	if (a->name == NULL)
		return log_error("check: a profile NAME is needed"), -EINVAL;
	if (!jail_name_valid(a->name))
		return log_error("'%s' is not a valid jail name", a->name), -EINVAL;
	return 0;
}

int
verb_check(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(profile_freep) struct jail_profile *profile = NULL;
	_cleanup_(canaries_done) struct canaries c = {-1, -1, -1, -1, -1};
	_cleanup_free_ char *shipped = NULL, *path = NULL, *rights = NULL, *netns = NULL;
	_cleanup_free_ char *host_pid = NULL;
	_cleanup_strv_ char **hv = NULL;
	_cleanup_close_ int helper = -1;
	struct check_args a = {};
	struct profile_error err = {};
	struct profile_env env;
	struct proc_id self;
	struct stat st;
	int r;

	r = parse_check_args(argc, argv, &a);
	if (r < 0) {
		strv_free(a.probes);
		return EXIT_USAGE;
	}
	r = cli_profile_env(&env, &storage, &shipped);
	if (r < 0) {
		strv_free(a.probes);
		return EXIT_JAILSUP_FAILED;
	}
	r = profile_find_and_load(&env, a.name, &profile, &err);
	if (r < 0) {
		strv_free(a.probes);
		if (r == -ENOENT)
			return log_error("no profile named '%s'", a.name), EXIT_NO_JAIL;
		cli_log_profile_errors(&env, a.name, &err);
		return EXIT_JAILSUP_FAILED;
	}

	r = helper_memfd(&helper);
	if (r >= 0)
		r = rights_list(profile_rights(profile), &rights);
	if (r >= 0 && stat("/proc/self/ns/net", &st) < 0)
		r = -errno;
	if (r >= 0 && asprintf(&netns, "%llu", (unsigned long long) st.st_ino) < 0)
		r = -ENOMEM;
	if (r >= 0 && proc_id_get(getpid(), &self) >= 0 &&
	    asprintf(&host_pid, "%d:%llu", (int) self.pid, (unsigned long long) self.start) < 0)
		r = -ENOMEM;
	if (r < 0) {
		strv_free(a.probes);
		return log_error_errno(r, "unable to prepare the check"), EXIT_JAILSUP_FAILED;
	}

	/* The helper is the app's stdin: dispatch executes /proc/self/fd/0. */
	if (dup2(helper, STDIN_FILENO) < 0) {
		strv_free(a.probes);
		return log_error_errno(-errno, "unable to hand the helper over"),
		       EXIT_JAILSUP_FAILED;
	}
	helper = safe_close(helper);
	for (int attempt = 1; attempt <= CHECK_ATTEMPTS; attempt++) {
		int sock;

		r = jail_connect_or_start(profile, &sock);
		/* The canaries only once the jail answers: a Ctrl-C while it
		 * starts (or asks for a password) must not leave them behind. */
		if (r == 0 && hv == NULL) {
			r = canaries_setup(&c, env.xdg_runtime_dir);
			/* argv[0] is the helper itself, on our stdin. */
			if (r >= 0 &&
			    (strv_push(&hv, "/proc/self/fd/0") < 0 ||
			     (a.json && strv_push(&hv, "--json") < 0) || strv_push(&hv, "--jail") < 0 ||
			     strv_push(&hv, a.name) < 0 || strv_push(&hv, "--rights") < 0 ||
			     strv_push(&hv, rights) < 0 || strv_push(&hv, "--network") < 0 ||
			     strv_push(&hv, jail_network_to_string(profile_network(profile))) < 0 ||
			     strv_push(&hv, "--netns") < 0 || strv_push(&hv, netns) < 0 ||
			     (host_pid != NULL &&
			      (strv_push(&hv, "--host-pid") < 0 || strv_push(&hv, host_pid) < 0))))
				r = -ENOMEM;
			if (r >= 0)
				r = add_host_probes(&hv, &env, &c);
			if (r >= 0)
				r = add_helper_checks(&hv, &env, a.name);
			if (r >= 0 && profile_network(profile) == NETWORK_VPN)
				r = vpn_leak_check(profile, &hv);
			if (r >= 0) {
				_cleanup_free_ char *pty = NULL;

				r = probe_pty_leftover(profile, &pty);
				if (r >= 0 &&
				    (strv_push(&hv, "--helper") < 0 || strv_push(&hv, pty) < 0))
					r = -ENOMEM;
			}
			for (char **p = a.probes; r >= 0 && p != NULL && *p != NULL; p++)
				r = strv_push(&hv, *p);
			if (r < 0) {
				safe_close(sock);
				strv_free(a.probes);
				return log_error_errno(r, "unable to prepare the check"),
				       EXIT_JAILSUP_FAILED;
			}
		}
		if (r == 0)
			r = jail_run_app(sock, hv, a.name);
		if (r != -EAGAIN) {
			strv_free(a.probes);
			return r;
		}
	}
	strv_free(a.probes);
	return log_error("jail '%s' kept ending before it ran the check", a.name),
	       EXIT_JAILSUP_FAILED;
}
