/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * leak-check (libexec/jailsup/leak-check): runs inside a jail, started by
 * `jailsup check NAME` through the jail's dispatch like any app, and tries
 * every channel out of it: for each it reports "closed", "OPEN" (a leak:
 * the host's object is reachable and no right of the profile grants it) or
 * "granted" (reachable, and a right in force grants it). Exit 0 when
 * nothing is OPEN, 1 when something is, 2 for a bad command line.
 *
 * The CLI knows the host, we know the jail: the CLI describes each host
 * object to try (its kind, the right that would grant it, its device and
 * inode on the host, a label and where it is) and we try it from here.
 * Reaching a path or socket counts as the host's only when device and
 * inode match: the jail's own home at $HOME, or its D-Bus proxy at
 * $XDG_RUNTIME_DIR/bus, is reachable by design and is not the host's.
 * The security floor (capabilities, no_new_privs, seccomp, TIOCSTI,
 * nested user namespaces, the terminal, the host's processes) and the
 * routes out (no network, a VPN's tunnel, IPv6) are checked here with no
 * help.
 *
 *   leak-check [--json] --jail NAME --rights LIST --network MODE
 *              [--netns INO] [--host-pid PID:START] [--probe SPEC]…
 *              [--helper LABEL:closed|OPEN:DETAIL]…
 *   SPEC = KIND:RIGHT:DEV:INO:LABEL:TARGET
 *          KIND   path | wpath | unix | abstract | tcp4 | tcp6 (wpath: reached
 *                 only when the host's file is also writable from here)
 *          RIGHT  the right that grants it, or "none"
 *          DEV:INO  the host object's identity, or "-:-"
 *          LABEL  what it is, for people (no ':')
 *          TARGET a path, an abstract socket name (no '@'), or a port
 *
 * A jail already compromised can lie to this program (it may ptrace it in
 * a jail that is not secure): the check tells whether a policy holds, it
 * does not vouch for a jail that ran hostile code. docs/jail.md.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>

#include "leak-check/local-addr.h"
#include "leak-check/vpn-probe.h"
#include "state/landlock.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/util.h"

#define CONNECT_TIMEOUT_MS 2000
#define MAX_CHECKS         512

/* Addresses only routed to, never sent to: a UDP connect() looks the route
 * up and sends nothing. Quad9's resolvers, any public address would do. */
#define PROBE_INET  "9.9.9.9"
#define PROBE_INET6 "2620:fe::fe"

enum result {
	RESULT_CLOSED,
	RESULT_OPEN,
	RESULT_GRANTED,
	_RESULT_MAX,
	_RESULT_INVALID = -EINVAL,
};

static const char *const result_names[_RESULT_MAX] = {
    [RESULT_CLOSED] = "closed",
    [RESULT_OPEN] = "OPEN",
    [RESULT_GRANTED] = "granted",
};

struct check {
	char *channel; /* "host /tmp", "session bus", "no_new_privs" */
	char *right;   /* what would grant it: a right, "none", "floor" */
	enum result result;
	char *detail;
};

static struct check checks[MAX_CHECKS];
static size_t n_checks;

static char **arg_rights; /* rights in force */
static const char *arg_network = "none";
static const char *arg_jail = "?";
static bool arg_json;

static bool
right_granted(const char *right)
{
	return strv_contains(arg_rights, right);
}

/* Records one result. REACHED: the host's object was reached. */
static void _printf_(4, 5)
    report(const char *channel, const char *right, bool reached, const char *fmt, ...)
{
	struct check *c;
	va_list ap;

	if (n_checks == MAX_CHECKS)
		die(EXIT_PERMANENT, "more than %d checks", MAX_CHECKS);
	c = &checks[n_checks++];
	c->channel = strdup(channel);
	c->right = strdup(right);
	c->result = !reached ? RESULT_CLOSED : right_granted(right) ? RESULT_GRANTED : RESULT_OPEN;
	va_start(ap, fmt);
	if (vasprintf(&c->detail, fmt, ap) < 0)
		c->detail = NULL;
	va_end(ap);
	if (c->channel == NULL || c->right == NULL || c->detail == NULL)
		die(EXIT_TEMPORARY, "out of memory");
}

/* --- what the CLI describes ------------------------------------------------ */

struct host_id {
	bool known;
	dev_t dev;
	ino_t ino;
};

/* "the host's", "the jail's own" or "absent" for PATH, by its identity. */
static bool
is_host_object(const char *path, const struct host_id *id, const char **ret_what)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		*ret_what = "absent";
		return false;
	}
	if (id->known && st.st_dev == id->dev && st.st_ino == id->ino) {
		*ret_what = "the host's";
		return true;
	}
	*ret_what = "the jail's own";
	return false;
}

static void
probe_path(const char *label, const char *right, const struct host_id *id, const char *path)
{
	const char *what;
	bool host = is_host_object(path, id, &what);

	report(label, right, host, "%s: %s", path, what);
}

/* A host file the jail must never write (one the session runs at login):
 * reached only when it is the host's and writable from here. */
static void
probe_wpath(const char *label, const char *right, const struct host_id *id, const char *path)
{
	const char *what;
	bool host = is_host_object(path, id, &what);
	bool writable = host && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;

	report(label, right, writable, "%s: %s%s", path, what,
	       host ? (writable ? ", writable" : ", read-only") : "");
}

/* connect() with a deadline; 0 or -errno. */
static int
connect_timeout(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t elen = sizeof(int);
	int err = 0, r;

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -errno;
	do
		r = poll(&p, 1, CONNECT_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return -errno;
	return -err;
}

static int
connect_unix(const char *name, bool abstract)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa;
	socklen_t len;
	int r;

	if (fd < 0)
		return -errno;
	r = unix_sockaddr(name, abstract, &sa, &len);
	if (r < 0)
		return r;
	return connect_timeout(fd, (struct sockaddr *) &sa, len);
}

static void
probe_unix(const char *label, const char *right, const struct host_id *id, const char *path)
{
	const char *what;
	bool host;
	int r = connect_unix(path, false);

	if (r < 0) {
		report(label, right, false, "%s: %s", path, strerror(-r));
		return;
	}
	host = is_host_object(path, id, &what);
	report(label, right, host, "%s: connected, %s", path, what);
}

static void
probe_abstract(const char *label, const char *right, const char *name)
{
	int r = connect_unix(name, true);

	report(label, right, r == 0, "@%s: %s", name, r == 0 ? "connected" : strerror(-r));
}

static void
probe_tcp(const char *label, const char *right, const char *target, int family)
{
	struct sockaddr_storage ss = {};
	_cleanup_close_ int fd = -1;
	const char *colon = strrchr(target, ':');
	_cleanup_free_ char *host = NULL;
	unsigned port;
	socklen_t len;
	int r;

	if (colon == NULL || parse_uint(colon + 1, 1, 65535, &port) < 0 ||
	    (host = strndup(target, (size_t) (colon - target))) == NULL)
		die(EXIT_PERMANENT, "bad TCP target '%s'", target);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t) port);
		r = inet_pton(AF_INET, host, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t) port);
		r = inet_pton(AF_INET6, host, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (r != 1)
		die(EXIT_PERMANENT, "bad TCP address '%s'", host);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	r = fd < 0 ? -errno : connect_timeout(fd, (struct sockaddr *) &ss, len);
	report(label, right, r == 0, "%s%s%s:%u: %s", family == AF_INET6 ? "[" : "", host,
	       family == AF_INET6 ? "]" : "", port, r == 0 ? "connected" : strerror(-r));
}

/* KIND:RIGHT:DEV:INO:LABEL:TARGET */
static void
run_probe(const char *spec)
{
	_cleanup_free_ char *copy = strdup(spec);
	char *f[6], *p;
	struct host_id id = {};
	uint64_t v;

	if (copy == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	p = copy;
	for (int i = 0; i < 5; i++) {
		char *c = strchr(p, ':');

		if (c == NULL)
			die(EXIT_PERMANENT, "bad probe '%s'", spec);
		*c = '\0';
		f[i] = p;
		p = c + 1;
	}
	f[5] = p;
	if (!streq(f[2], "-") || !streq(f[3], "-")) {
		if (parse_u64(f[2], &v) < 0)
			die(EXIT_PERMANENT, "bad device in probe '%s'", spec);
		id.dev = (dev_t) v;
		if (parse_u64(f[3], &v) < 0)
			die(EXIT_PERMANENT, "bad inode in probe '%s'", spec);
		id.ino = (ino_t) v;
		id.known = true;
	}
	if (streq(f[0], "path"))
		probe_path(f[4], f[1], &id, f[5]);
	else if (streq(f[0], "wpath"))
		probe_wpath(f[4], f[1], &id, f[5]);
	else if (streq(f[0], "unix"))
		probe_unix(f[4], f[1], &id, f[5]);
	else if (streq(f[0], "abstract"))
		probe_abstract(f[4], f[1], f[5]);
	else if (streq(f[0], "tcp4"))
		probe_tcp(f[4], f[1], f[5], AF_INET);
	else if (streq(f[0], "tcp6"))
		probe_tcp(f[4], f[1], f[5], AF_INET6);
	else
		die(EXIT_PERMANENT, "unknown probe kind '%s'", f[0]);
}

/* --- the security floor ----------------------------------------------------- */

/* The value of FIELD ("CapEff") in /proc/self/status, or NULL. */
static char *
status_field(const char *field)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t n = strlen(field);

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			return strdup(v);
		}
	return NULL;
}

static void
check_caps(void)
{
	static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};

	for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
		_cleanup_free_ char *v = status_field(sets[i]);
		_cleanup_free_ char *label = NULL;
		bool zero = v != NULL && strspn(v, "0") == strlen(v) && v[0] != '\0';

		if (asprintf(&label, "capabilities (%s)", sets[i]) < 0)
			die(EXIT_TEMPORARY, "out of memory");
		report(label, "floor", !zero, "%s", v != NULL ? v : "unreadable");
	}
}

/* Our controlling terminal, if any, must be a pty of the jail's own devpts
 * (the CLI relays the user's terminal to it): the user's terminal itself
 * would stay readable and writable by whatever the jail leaves behind. A
 * tty number alone could be a host pty's (devpts instances number from 0
 * each), so the tty must also be one of our stdio fds, on the devpts
 * mounted at /dev/pts here. */
static void
check_terminal(void)
{
	_cleanup_close_ int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct stat pts, st;
	unsigned dev;

	if (tty < 0) {
		report("controlling terminal", "floor", false, "/dev/tty: %s", strerror(errno));
		return;
	}
	if (ioctl(tty, TIOCGDEV, &dev) == 0 && stat("/dev/pts", &pts) == 0)
		for (int fd = 0; fd < 3; fd++)
			if (isatty(fd) && fstat(fd, &st) == 0 && st.st_dev == pts.st_dev &&
			    st.st_rdev == (dev_t) dev) {
				report("controlling terminal", "floor", false,
				       "/dev/pts/%u of the jail's own devpts (relayed)",
				       minor(st.st_rdev) | ((major(st.st_rdev) - 136) << 8));
				return;
			}
	report("controlling terminal", "floor", true, "/dev/tty: a terminal not of this jail");
}

static void
check_floor(void)
{
	_cleanup_free_ char *seccomp = status_field("Seccomp");
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), status;
	char c = 'x';
	pid_t pid;

	check_caps();
	report("no_new_privs", "floor", nnp != 1, "%s", nnp == 1 ? "set" : "not set");
	report("seccomp filter", "floor", seccomp == NULL || !streq(seccomp, "2"), "Seccomp: %s",
	       seccomp != NULL ? seccomp : "?");
	/* /dev/null is no terminal: the kernel says ENOTTY, only a filter that
	 * looks at the request first says EPERM. */
	if (null < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open /dev/null");
	{
		int r1 = ioctl(null, TIOCSTI, &c) < 0 ? errno : 0;
		int r2 = ioctl(null, TIOCLINUX, &c) < 0 ? errno : 0;

		report("TIOCSTI (type into the terminal)", "floor", r1 != EPERM, "%s",
		       r1 == EPERM ? "refused by seccomp" : strerror(r1));
		report("TIOCLINUX (drive the console)", "floor", r2 != EPERM, "%s",
		       r2 == EPERM ? "refused by seccomp" : strerror(r2));
	}
	/* In a child: success would leave us in the new namespace. */
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno == EPERM ? 1 : 2);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		die(EXIT_TEMPORARY, "unable to try a nested user namespace");
	/* The userns right grants it (browsers' own sandboxes): then the
	 * filter and Landlock still bind the nested root. */
	report("nested user namespace", "userns", WEXITSTATUS(status) == 0, "%s",
	       WEXITSTATUS(status) == 0   ? "created"
	       : WEXITSTATUS(status) == 1 ? "refused by seccomp"
	                                  : "refused");
	check_terminal();
}

/* The Landlock domain of the jail (docs/jail.md "Landlock"): where the
 * kernel has ABI 6, the jailer scopes abstract unix sockets and signals to
 * the jail. What we can ask from here is the kernel's ABI; the domain
 * shows in a network = host jail, whose probes of the host's abstract
 * sockets (the canary's among them) are then refused. A kernel without
 * scoping is a leak only with network = host: a jail of its own network
 * namespace has abstract sockets of its own. */
static void
check_landlock(void)
{
	int abi = landlock_abi();
	bool scoped = abi >= LANDLOCK_ABI_SCOPE;

	if (scoped)
		report("Landlock scoping", "floor", false,
		       "ABI %d: abstract unix sockets and signals scoped to the jail", abi);
	else if (abi > 0)
		report("Landlock scoping", "floor", streq(arg_network, "host"),
		       "ABI %d: abstract unix sockets and signals not scoped (needs ABI %d)", abi,
		       LANDLOCK_ABI_SCOPE);
	else
		report("Landlock scoping", "floor", streq(arg_network, "host"),
		       "no Landlock in this kernel: abstract unix sockets and signals not scoped");
}

/* The host's process PID, with its start time, is not ours to see. */
static void
check_host_pid(const char *spec)
{
	_cleanup_free_ char *pid_s = NULL;
	const char *colon = strchr(spec, ':');
	uint64_t start, seen;
	pid_t pid;
	bool same;

	if (colon == NULL || (pid_s = strndup(spec, (size_t) (colon - spec))) == NULL ||
	    parse_pid(pid_s, &pid) < 0 || parse_u64(colon + 1, &start) < 0)
		die(EXIT_PERMANENT, "bad --host-pid '%s'", spec);
	/* Our /proc is the jail's: a process of the jail may have the number,
	 * never also the start time. */
	same = proc_start_time(-1, pid, &seen) >= 0 && seen == start;
	report("host processes", "floor", same, "PID %d of the host: %s", (int) pid,
	       same ? "visible" : "not in this PID namespace");
}

/* --- routes out ------------------------------------------------------------- */

/* The interface a packet to ADDR would leave by, in *ret_if, or the errno
 * of the route lookup in *ret_err. The jail's interfaces come from
 * local-addr.c, which needs no routing netlink: a secure jail has none,
 * and getifaddrs() failing there made every route look like none. */
static void
route_to(int family, const char *addr, char *ret_if, size_t size, int *ret_err)
{
	struct sockaddr_storage ss = {};
	socklen_t len;

	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *) &ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(53);
		(void) inet_pton(AF_INET, addr, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *) &ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(53);
		(void) inet_pton(AF_INET6, addr, &s->sin6_addr);
		len = sizeof(*s);
	}
	*ret_err = -route_iface((struct sockaddr *) &ss, len, ret_if, size);
}

/* A tunnel: openvpn's tun (point-to-point) or tap device. */
static bool
is_tunnel(const char *ifname)
{
	return strstartswith(ifname, "tun") || strstartswith(ifname, "tap") ||
	       (local_iface_flags(ifname) & IFF_POINTOPOINT);
}

/* A route to ADDR: with the network right off there must be none; in a
 * VPN jail it must go through the tunnel. */
static void
check_route(const char *label, int family, const char *addr)
{
	char ifname[IF_NAMESIZE + 2];
	int err;

	route_to(family, addr, ifname, sizeof(ifname), &err);
	if (err != 0) {
		report(label, "network", false, "%s: %s", addr, strerror(err));
		return;
	}
	if (streq(arg_network, "vpn")) {
		bool tunnel = is_tunnel(ifname);

		/* Outside the tunnel is a leak whatever the rights say. */
		report(label, "none", !tunnel, "%s: via %s%s", addr, ifname,
		       tunnel ? " (the tunnel)" : ", outside the tunnel");
		return;
	}
	report(label, "network", true, "%s: via %s", addr, ifname);
}

/* A VPN jail's resolvers (its /etc/resolv.conf) are reached through the
 * tunnel too, or DNS tells the local network every name looked up. */
static void
check_vpn_dns(void)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512];

	if (f == NULL) {
		report("DNS servers (resolv.conf)", "none", false, "/etc/resolv.conf: %s",
		       strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char addr[INET6_ADDRSTRLEN + 1];
		unsigned char buf[sizeof(struct in6_addr)];

		if (sscanf(line, "nameserver %46s", addr) != 1)
			continue;
		if (inet_pton(AF_INET, addr, buf) == 1)
			check_route("DNS server route", AF_INET, addr);
		else if (inet_pton(AF_INET6, addr, buf) == 1)
			check_route("DNS server route", AF_INET6, addr);
	}
}

static void
check_netns(const char *ino_s)
{
	struct stat st;
	uint64_t ino;

	if (parse_u64(ino_s, &ino) < 0)
		die(EXIT_PERMANENT, "bad --netns '%s'", ino_s);
	if (stat("/proc/self/ns/net", &st) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to stat /proc/self/ns/net");
	report("network namespace", "none", st.st_ino == ino, "%s",
	       st.st_ino == ino ? "the host's (network = host): its loopback services are "
	                          "reachable, and its abstract sockets unless Landlock "
	                          "scopes them"
	                        : "the jail's own");
}

/* --- output ----------------------------------------------------------------- */

/* --- the helpers' confinement, seen by the CLI ------------------------------ */

/* LABEL:closed|OPEN:DETAIL. Nothing of a helper's sandbox shows from in
 * here (it is in no namespace of ours, and the peer credentials of its
 * socket say nothing of its view), so the CLI looks from the host
 * (cli/check.c) and we report what it found with the rest. */
static void
report_helper(const char *spec)
{
	_cleanup_free_ char *copy = strdup(spec);
	char *label, *result, *detail;

	if (copy == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	label = copy;
	result = strchr(label, ':');
	detail = result != NULL ? strchr(result + 1, ':') : NULL;
	if (detail == NULL)
		die(EXIT_PERMANENT, "bad --helper '%s'", spec);
	*result++ = '\0';
	*detail++ = '\0';
	if (!streq(result, "closed") && !streq(result, "OPEN"))
		die(EXIT_PERMANENT, "bad --helper '%s'", spec);
	report(label, "floor", streq(result, "OPEN"), "%s", detail);
}

static size_t
print_results(void)
{
	size_t open = 0;

	for (size_t i = 0; i < n_checks; i++)
		open += checks[i].result == RESULT_OPEN;
	if (arg_json) {
		printf("{\"jail\": ");
		json_print_string(arg_jail);
		printf(", \"network\": ");
		json_print_string(arg_network);
		printf(", \"rights\": [");
		for (char **r = arg_rights; r != NULL && *r != NULL; r++) {
			printf("%s", r != arg_rights ? ", " : "");
			json_print_string(*r);
		}
		printf("], \"open\": %zu, \"checks\": [", open);
		for (size_t i = 0; i < n_checks; i++) {
			printf("%s\n  {\"channel\": ", i > 0 ? "," : "");
			json_print_string(checks[i].channel);
			printf(", \"right\": ");
			json_print_string(checks[i].right);
			printf(", \"result\": \"%s\", \"detail\": ",
			       result_names[checks[i].result]);
			json_print_string(checks[i].detail);
			printf("}");
		}
		printf("\n]}\n");
		return open;
	}
	printf("%-8s %-36s %-14s %s\n", "RESULT", "CHANNEL", "GRANTED BY", "DETAIL");
	for (size_t i = 0; i < n_checks; i++)
		printf("%-8s %-36s %-14s %s\n", result_names[checks[i].result], checks[i].channel,
		       streq(checks[i].right, "none")    ? "-"
		       : streq(checks[i].right, "floor") ? "(floor)"
		                                         : checks[i].right,
		       checks[i].detail);
	printf("\njail '%s': %zu checks, %zu OPEN\n", arg_jail, n_checks, open);
	return open;
}

int
main(int argc, char **argv)
{
	_cleanup_strv_ char **probes = NULL, **helpers = NULL;
	const char *netns = NULL, *host_pid = NULL;
	_cleanup_close_ int null = -1;
	size_t n_open;

	log_setup("leak-check");
	/* We were executed from our stdin (docs/jail.md "jailsup check"):
	 * nothing more to read there. */
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0)
		(void) dup2(null, STDIN_FILENO);
	/* A VPN jail's leak test: lines for the CLI to judge (vpn-probe.c). */
	if (argc >= 3 && streq(argv[1], "--vpn-probe"))
		return vpn_probe_main(argv[2], argc - 3, argv + 3);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (streq(a, "--json")) {
			arg_json = true;
			continue;
		}
		if (v == NULL) {
			log_error("bad argument '%s'", a);
			return 2;
		}
		i++;
		if (streq(a, "--jail"))
			arg_jail = v;
		else if (streq(a, "--network"))
			arg_network = v;
		else if (streq(a, "--netns"))
			netns = v;
		else if (streq(a, "--host-pid"))
			host_pid = v;
		else if (streq(a, "--probe")) {
			if (strv_push(&probes, v) < 0)
				return EXIT_TEMPORARY;
		} else if (streq(a, "--helper")) {
			if (strv_push(&helpers, v) < 0)
				return EXIT_TEMPORARY;
		} else if (streq(a, "--rights")) {
			_cleanup_free_ char *copy = strdup(v);
			char *save = NULL;

			if (copy == NULL)
				return EXIT_TEMPORARY;
			for (char *r = strtok_r(copy, ",", &save); r != NULL;
			     r = strtok_r(NULL, ",", &save))
				if (!streq(r, "-") && strv_push(&arg_rights, r) < 0)
					return EXIT_TEMPORARY;
		} else {
			log_error("bad argument '%s'", a);
			return 2;
		}
	}

	check_floor();
	check_landlock();
	if (host_pid != NULL)
		check_host_pid(host_pid);
	if (netns != NULL)
		check_netns(netns);
	for (char **p = probes; p != NULL && *p != NULL; p++)
		run_probe(*p);
	for (char **h = helpers; h != NULL && *h != NULL; h++)
		report_helper(*h);
	check_route("route to the internet (IPv4)", AF_INET, PROBE_INET);
	check_route("route to the internet (IPv6)", AF_INET6, PROBE_INET6);
	if (streq(arg_network, "vpn"))
		check_vpn_dns();
	n_open = print_results();
	if (fflush(stdout) != 0)
		return EXIT_TEMPORARY;
	return n_open > 0 ? 1 : 0;
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer stops the world with ptrace, which a secure jail's seccomp
 * filter refuses: its report would be a crash, not a finding. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif
