/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Building a jail's network from the supervisor (net.h). The helpers run
 * as the user in the jail's user and network namespaces: pasta attaches to
 * them (--netns/--userns, given as our fds of the namespaces, so a PID
 * reused since cannot redirect it), and openvpn, which parses what a
 * remote server sends, is exec'd by a child that joined them with setns()
 * and then entered a sandbox of its own (state/sandbox.h): a read-only
 * view of what openvpn needs, CAP_NET_ADMIN kept as an ambient capability
 * (the jail's user is not root in its namespace, so execve() would drop
 * it otherwise) and nothing else, no_new_privs, seccomp.
 *
 * The VPN's kill switch is built by that child before openvpn runs, by
 * netlink and nftables calls, not by shelling out: the default routes pasta
 * made are deleted and replaced by host routes to the VPN server(s), so
 * the tunnel's routes are the only way out; an nftables table drops what
 * leaves by any interface but lo and tun/tap, except openvpn's transport.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "ini-profiles/ovpn.h"
#include "state/exe-paths.h"
#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"
#include "supervisor/net.h"
#include "supervisor/start-steps.h"
#include "supervisor/vpn-config.h"

#define PASTA_PID_NEW  "pasta.pid.new" /* pasta's own pid file: the PID alone */
#define VPN_REMOTES_MAX 16
#define NL_BUFFER_SIZE 8192 /* MNL_SOCKET_BUFFER_SIZE, but not a VLA */

/* The fds openvpn inherits. */
#define OPENVPN_FD_READY 3

struct vpn_remote {
	int family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	char text[INET6_ADDRSTRLEN];
	uint16_t port;
	bool tcp;
};

static void
net_fail(struct ev_loop *loop, struct jail_net *n, const char *fmt, ...) _printf_(3, 4);
static void
net_fail(struct ev_loop *loop, struct jail_net *n, const char *fmt, ...)
{
	_cleanup_free_ char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	n->ops->failed(loop, n, why != NULL ? why : "the jail's network could not be built");
}

void
net_init(struct jail_net *n, const struct jail_net_ops *ops)
{
	*n = (struct jail_net){ .ops = ops,
				.dir_fd = -1,
				.go_fd = -1,
				.ns_fds = { -1, -1 },
				.jailer_pidfd = -1,
				.pasta_pidfd = -1,
				.pasta_status_fd = -1,
				.vpn_ready_fd = -1,
				.openvpn_pidfd = -1 };
}

static const char *
resolv_conf_text(enum jail_network mode)
{
	if (mode == NETWORK_PASTA)
		return "# jailsup: pasta forwards DNS sent here to the host's resolver\n"
		       "nameserver " NET_DNS_FORWARD "\n";
	/* No nameserver line: glibc then asks 127.0.0.1, the jail's own
	 * loopback, where nothing answers. The VPN's scripts rewrite this. */
	return "# jailsup: no DNS until the VPN is up\n";
}

int
net_prepare(struct jail_net *n, const struct jail_profile *p, int dir_fd,
	    const char *state_path, const struct jail_net_ops *ops, double vpn_timeout,
	    struct vpn_config *vpn, int *ret_go_fd)
{
	const char *text;
	_cleanup_close_ int fd = -1;
	int go[2];

	net_init(n, ops);
	n->mode = profile_network(p);
	n->dir_fd = dir_fd;
	n->vpn_timeout = vpn_timeout;
	*ret_go_fd = -1;
	(void) unlinkat(dir_fd, STATE_PASTA_PID, 0);
	(void) unlinkat(dir_fd, STATE_OPENVPN_PID, 0);
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	n->go_fd = go[1];
	*ret_go_fd = go[0];
	if (n->mode != NETWORK_PASTA && n->mode != NETWORK_VPN)
		return 0;
	n->state_path = strdup(state_path);
	if (n->state_path == NULL)
		return -ENOMEM;
	if (n->mode == NETWORK_VPN) {
		if (vpn == NULL || vpn->path == NULL)
			return -EINVAL;
		n->vpn = *vpn;
		*vpn = (struct vpn_config){};
	} else if (p->n_forward > 0) {
		n->forward = calloc(p->n_forward, sizeof(*n->forward));
		if (n->forward == NULL)
			return -ENOMEM;
		memcpy(n->forward, p->forward, p->n_forward * sizeof(*n->forward));
		n->n_forward = p->n_forward;
	}
	/* Written in place by the VPN's scripts later, so the jail's bind of
	 * it (its /etc/resolv.conf) sees every change: no rename here. */
	text = resolv_conf_text(n->mode);
	fd = openat(dir_fd, STATE_RESOLV_CONF,
		    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	return write_all(fd, text, strlen(text));
}

static void
send_go(struct jail_net *n)
{
	/* A jailer that died has closed its end: its EOF ends the jail. */
	if (n->go_fd < 0)
		return;
	if (write(n->go_fd, "g", 1) != 1)
		log_debug_errno(-errno, "the jailer took no go byte");
	n->go_fd = safe_close(n->go_fd);
	start_step(STEP_GO_SENT);
}

static bool
has_helpers(const struct jail_net *n)
{
	return n->mode == NETWORK_PASTA || n->mode == NETWORK_VPN;
}

void
net_jailer_recorded(struct jail_net *n, int jailer_pidfd)
{
	if (n->jailer_pidfd < 0 && jailer_pidfd >= 0)
		n->jailer_pidfd = fcntl(jailer_pidfd, F_DUPFD_CLOEXEC, 3);
	if (!has_helpers(n))
		send_go(n);
}

/* --- pasta ------------------------------------------------------------------- */

static int
push_str(char ***v, const char *s)
{
	return strv_push(v, s);
}

/* Pushes each string of the NULL-terminated LIST. */
static int
push_all(char ***v, const char *const *list)
{
	int r = 0;

	for (; *list != NULL && r >= 0; list++)
		r = strv_push(v, *list);
	return r;
}

static int
pasta_argv(const struct jail_net *n, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *pid_path = NULL, *ports = NULL;
	const char *fixed[] = {
		"pasta", "--config-net", "--quiet", "--foreground" /* replaced below */,
		/* Nothing of the host's reaches into the jail, and the jail's
		 * listening ports are not opened on the host. */
		"-t", "none", "-u", "none", "-U", "none",
		/* The gateway address is not the host's loopback. */
		"--no-map-gw",
		/* Our name for its interface in the jail (net.h). */
		"-I", NET_PASTA_IFNAME,
		"--netns", "/proc/self/fd/3", "--userns", "/proc/self/fd/4",
	};
	int r = 0;

	if (asprintf(&pid_path, "%s/%s", n->state_path, PASTA_PID_NEW) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(fixed) && r >= 0; i++)
		/* pasta daemonises once the namespace is configured: its first
		 * process exiting with 0 is its readiness. */
		if (!streq(fixed[i], "--foreground"))
			r = push_str(&v, fixed[i]);
	/* The host's loopback, port by port, as the profile forwards it. */
	for (size_t i = 0; i < n->n_forward && r >= 0; i++) {
		_cleanup_free_ char *more = NULL;

		if (asprintf(&more, "%s%s%u", ports != NULL ? ports : "", ports != NULL ? "," : "",
			     (unsigned) n->forward[i]) < 0)
			return -ENOMEM;
		free(ports);
		ports = TAKE_PTR(more);
	}
	if (r >= 0)
		r = push_str(&v, "-T");
	if (r >= 0)
		r = push_str(&v, ports != NULL ? ports : "none");
	if (r >= 0 && n->mode == NETWORK_PASTA) {
		r = push_str(&v, "--dns-forward");
		if (r >= 0)
			r = push_str(&v, NET_DNS_FORWARD);
	}
	/* A VPN jail's only default route is the tunnel: no router
	 * advertisement or DHCP may give it another one later. */
	for (const char *const *o = (const char *const[]){ "--no-ra", "--no-dhcp", "--no-dhcpv6",
							    NULL };
	     n->mode == NETWORK_VPN && *o != NULL && r >= 0; o++)
		r = push_str(&v, *o);
	if (r >= 0)
		r = push_str(&v, "--pid");
	if (r >= 0)
		r = push_str(&v, pid_path);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

/* Opens the user and network namespaces of NS_PID, which must be a child
 * of JAILER_PID: read through one fd of /proc/NS_PID, so a PID reused
 * between the check and the opens fails them instead of being joined. */
static int
open_namespaces(pid_t ns_pid, pid_t jailer_pid, int ret_fds[2])
{
	_cleanup_close_ int proc_fd = -1, user = -1, net = -1;
	_cleanup_free_ char *stat = NULL;
	char path[32];
	const char *p;
	int ppid, r;

	snprintf(path, sizeof(path), "/proc/%d", (int) ns_pid);
	proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0)
		return -errno;
	r = state_read_file(proc_fd, "stat", 4096, &stat, NULL);
	if (r < 0)
		return r;
	p = strrchr(stat, ')');
	if (p == NULL || sscanf(p, ") %*c %d", &ppid) != 1)
		return -EBADMSG;
	if (ppid != jailer_pid)
		return -EPERM;
	user = openat(proc_fd, "ns/user", O_RDONLY | O_CLOEXEC);
	net = openat(proc_fd, "ns/net", O_RDONLY | O_CLOEXEC);
	if (user < 0 || net < 0)
		return -errno;
	ret_fds[0] = TAKE_FD(user);
	ret_fds[1] = TAKE_FD(net);
	return 0;
}

/* In a child: stdin /dev/null, stdout and stderr on the jail's log, the
 * namespace fds at 3 (net) and 4 (user) — pasta's /proc/self/fd/3 and 4 —
 * EXTRA_FD (or -1) at CHILD_FD_EXTRA, and the N_KEEP fds of KEEP after it
 * (KEEP is updated to their new numbers), nothing else. */
#define CHILD_FD_EXTRA 5
static void
child_stdio(int dir_fd, const int ns_fds[2], int extra_fd, int *keep, size_t n_keep)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log = helper_open_log(dir_fd);
	int out = log >= 0 ? log : null;
	int user = fcntl(ns_fds[0], F_DUPFD, 10), net = fcntl(ns_fds[1], F_DUPFD, 10);
	int extra = extra_fd >= 0 ? fcntl(extra_fd, F_DUPFD, 10) : -1;

	reset_signals_for_exec();
	/* Above every number they move to: no dup2() below lands on one. */
	for (size_t i = 0; i < n_keep; i++)
		if ((keep[i] = fcntl(keep[i], F_DUPFD, 64)) < 0)
			_exit(EXIT_TEMPORARY);
	if (null < 0 || user < 0 || net < 0 || (extra_fd >= 0 && extra < 0) || setsid() < 0 ||
	    dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || dup2(net, 3) < 0 ||
	    dup2(user, 4) < 0 || (extra >= 0 && dup2(extra, CHILD_FD_EXTRA) < 0))
		_exit(EXIT_TEMPORARY);
	for (size_t i = 0; i < n_keep; i++) {
		int to = CHILD_FD_EXTRA + 1 + (int) i;

		if (dup2(keep[i], to) < 0)
			_exit(EXIT_TEMPORARY);
		keep[i] = to;
	}
	(void) syscall(SYS_close_range,
		       n_keep > 0 ? CHILD_FD_EXTRA + 1 + (unsigned) n_keep
				  : (extra >= 0 ? CHILD_FD_EXTRA + 1 : CHILD_FD_EXTRA),
		       ~0u, 0);
}

static void pasta_cb(struct ev_loop *loop, ev_io *w, int revents);

/* pasta daemonises once the namespace is configured: its first process
 * exiting 0 is its readiness, which its tether passes on as a byte. The
 * daemon stays below the tether, which ends it with the jailer. */
static int
start_pasta(struct ev_loop *loop, struct jail_net *n)
{
	_cleanup_strv_ char **argv = NULL;
	int status[2];
	pid_t pid;
	int r;

	if (n->jailer_pidfd < 0)
		return -ESRCH;
	r = pasta_argv(n, &argv);
	if (r < 0)
		return r;
	(void) unlinkat(n->dir_fd, PASTA_PID_NEW, 0);
	pid = fork_with_pipe(status);
	if (pid < 0)
		return pid;
	if (pid == 0) {
		helper_tether(n->jailer_pidfd, status[1], -1, NULL);
		child_stdio(n->dir_fd, n->ns_fds, -1, NULL, 0);
		execvp(argv[0], argv);
		dprintf(2, "jailsup: error: unable to run 'pasta': %s (install passt)\n",
			strerror(errno));
		_exit(127);
	}
	safe_close(status[1]);
	/* Our unreaped child: the PID is its own. */
	n->pasta_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (n->pasta_pidfd < 0 || fcntl(status[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		/* Before its fork the tether holds nothing; after it, it ends
		 * pasta on SIGTERM. */
		(void) kill(pid, SIGTERM);
		safe_close(status[0]);
		return r;
	}
	n->pasta_status_fd = status[0];
	ev_io_init(&n->pasta_w, pasta_cb, n->pasta_status_fd, EV_READ);
	ev_io_start(loop, &n->pasta_w);
	start_step(STEP_PASTA_SPAWNED);
	return 0;
}

/* pasta's daemon PID, from its own pid file, into ours (with start time:
 * the one kill_helpers() checks before it signals). */
static int
record_pasta(struct jail_net *n)
{
	_cleanup_free_ char *text = NULL;
	struct proc_id id;
	pid_t pid;
	int r;

	r = state_read_file(n->dir_fd, PASTA_PID_NEW, 64, &text, NULL);
	(void) unlinkat(n->dir_fd, PASTA_PID_NEW, 0);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	r = parse_pid(text, &pid);
	if (r < 0)
		return r;
	r = proc_id_get(pid, &id);
	if (r < 0)
		return r;
	return proc_id_write_at(n->dir_fd, STATE_PASTA_PID, &id);
}

static int start_openvpn(struct ev_loop *loop, struct jail_net *n);

static void
pasta_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, pasta_w);
	unsigned char status;
	ssize_t got;
	int r;

	(void) revents;
	got = read(n->pasta_status_fd, &status, 1);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_io_stop(loop, w);
	n->pasta_status_fd = safe_close(n->pasta_status_fd);
	if (got != 1 || status != 0) {
		if (got != 1)
			net_fail(loop, n, "pasta could not connect the jail (its tether ended)");
		else
			net_fail(loop, n, "pasta could not connect the jail (exit status %d; its "
				 "reason is above)", status);
		return;
	}
	r = record_pasta(n);
	if (r < 0) {
		net_fail(loop, n, "unable to record pasta's PID: %s", strerror(-r));
		return;
	}
	start_step(STEP_PASTA_READY);
	if (n->mode == NETWORK_VPN) {
		r = start_openvpn(loop, n);
		if (r < 0)
			net_fail(loop, n, "unable to start openvpn: %s", strerror(-r));
		return;
	}
	send_go(n);
}

/* --- openvpn ------------------------------------------------------------------ */

/* Every address the .ovpn's servers resolve to, resolved here, on the
 * host's network (in the jail, before the tunnel is up, there is no DNS).
 * Runs in the launcher child, where blocking is fine. */
static int
vpn_remotes(const char *text, struct vpn_remote *out, size_t *n_out, unsigned *bad_line)
{
	struct ovpn_remote hosts[OVPN_REMOTES_MAX];
	size_t n_hosts;
	int r;

	r = ovpn_remotes_parse(text, hosts, ELEMENTSOF(hosts), &n_hosts, bad_line);
	if (r < 0)
		return r;
	*n_out = 0;
	for (size_t i = 0; i < n_hosts; i++) {
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
		int e = getaddrinfo(hosts[i].host, NULL, &hints, &res);

		if (e != 0) {
			dprintf(2, "jailsup: error: the VPN server '%s' does not resolve: %s\n",
				hosts[i].host, gai_strerror(e));
			continue;
		}
		for (struct addrinfo *ai = res; ai != NULL && *n_out < VPN_REMOTES_MAX;
		     ai = ai->ai_next) {
			struct vpn_remote *v = &out[*n_out];

			*v = (struct vpn_remote){ .family = ai->ai_family, .port = hosts[i].port,
						  .tcp = hosts[i].tcp };
			if (ai->ai_family == AF_INET)
				v->addr.v4 = ((struct sockaddr_in *) ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				v->addr.v6 = ((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;
			else
				continue;
			inet_ntop(v->family, &v->addr, v->text, sizeof(v->text));
			(*n_out)++;
		}
		freeaddrinfo(res);
	}
	return *n_out > 0 ? 0 : -EDESTADDRREQ;
}

struct route {
	int family;
	uint32_t table;
	uint32_t oif;
	unsigned char dst_len;
	unsigned char dst[16];
	bool has_gateway;
	unsigned char gateway[16];
};

struct route_dump {
	struct route routes[64];
	size_t n;
	bool truncated;
};

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void
copy_addr(unsigned char out[16], const struct nlattr *attr)
{
	size_t len = mnl_attr_get_payload_len(attr);

	memcpy(out, mnl_attr_get_payload(attr), len < 16 ? len : 16);
}

/* Collects the main table's unicast routes but lo's. */
static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {};
	struct route r;

	if (rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	r = (struct route){ .family = rtm->rtm_family, .table = rtm->rtm_table,
			    .dst_len = rtm->rtm_dst_len };
	if (tb[RTA_TABLE] != NULL)
		r.table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_OIF] != NULL)
		r.oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (r.table != RT_TABLE_MAIN || r.oif == 1 /* lo */)
		return MNL_CB_OK;
	if (tb[RTA_DST] != NULL)
		copy_addr(r.dst, tb[RTA_DST]);
	if (tb[RTA_GATEWAY] != NULL) {
		r.has_gateway = true;
		copy_addr(r.gateway, tb[RTA_GATEWAY]);
	}
	if (d->n >= ELEMENTSOF(d->routes)) {
		d->truncated = true;
		return MNL_CB_OK;
	}
	d->routes[d->n++] = r;
	return MNL_CB_OK;
}

/* Sends one request on NL and reads its answers (a dump, or an ack). */
static int
nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t) len, seq, portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *
route_msg(char *buf, uint16_t type, uint16_t flags, int family, struct rtmsg **ret_rtm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = (uint32_t) time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char) family;
	*ret_rtm = rtm;
	return nlh;
}

/* In the jail's network namespace: every route pasta made goes (the
 * default ones, and those of its link's subnet, which would reach the
 * host's LAN outside the tunnel), and each VPN server gets a host route
 * through the gateway of its address family, on-link. */
static int
route_servers_only(struct vpn_remote *remotes, size_t *n_remotes)
{
	size_t kept = 0;
	char buf[NL_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct route_dump dump = {};
	struct rtmsg *rtm;
	struct nlmsghdr *nlh;
	int r = 0;

	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	nlh = route_msg(buf, RTM_GETROUTE, NLM_F_DUMP, AF_UNSPEC, &rtm);
	r = nl_talk(nl, nlh, route_cb, &dump);
	if (r >= 0 && dump.truncated)
		r = -E2BIG;
	for (size_t i = 0; r >= 0 && i < dump.n; i++) {
		const struct route *d = &dump.routes[i];

		nlh = route_msg(buf, RTM_DELROUTE, NLM_F_ACK, d->family, &rtm);
		rtm->rtm_dst_len = d->dst_len;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
		if (d->dst_len > 0)
			mnl_attr_put(nlh, RTA_DST, d->family == AF_INET ? 4 : 16, d->dst);
		if (d->oif != 0)
			mnl_attr_put_u32(nlh, RTA_OIF, d->oif);
		r = nl_talk(nl, nlh, NULL, NULL);
		/* One route can go with another (a prefix route with its
		 * address's): gone is what we want. */
		if (r == -ESRCH)
			r = 0;
	}
	for (size_t i = 0; r >= 0 && i < *n_remotes; i++) {
		const struct vpn_remote *s = &remotes[i];
		const struct route *via = NULL;

		for (size_t k = 0; k < dump.n && via == NULL; k++)
			if (dump.routes[k].family == s->family && dump.routes[k].dst_len == 0 &&
			    dump.routes[k].has_gateway)
				via = &dump.routes[k];
		/* A name with an IPv6 address on a host without IPv6 (or the
		 * other way round): that address is left out, not the VPN. */
		if (via == NULL) {
			dprintf(2, "jailsup: warning: no %s route out of the jail: the VPN server "
				   "address %s is left out\n",
				s->family == AF_INET ? "IPv4" : "IPv6", s->text);
			continue;
		}
		nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK,
				s->family, &rtm);
		rtm->rtm_dst_len = s->family == AF_INET ? 32 : 128;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
		/* The link's subnet route is gone: the gateway is on-link. */
		rtm->rtm_flags = RTNH_F_ONLINK;
		mnl_attr_put(nlh, RTA_DST, s->family == AF_INET ? 4 : 16, &s->addr);
		mnl_attr_put(nlh, RTA_GATEWAY, s->family == AF_INET ? 4 : 16, via->gateway);
		mnl_attr_put_u32(nlh, RTA_OIF, via->oif);
		r = nl_talk(nl, nlh, NULL, NULL);
		remotes[kept++] = *s;
	}
	*n_remotes = kept;
	if (r >= 0 && kept == 0) {
		dprintf(2, "jailsup: error: no address of the VPN servers can be routed out of "
			   "the jail\n");
		r = -ENETUNREACH;
	}
out:
	mnl_socket_close(nl);
	return r;
}

/* The second wall, and the one that holds against what routes cannot
 * stop (a socket bound to pasta's interface with SO_BINDTODEVICE reaches
 * any address on-link; link-local multicast uses the local table):
 * nothing leaves but by lo, by the tunnel (by its exact name: pasta's
 * interface is named by us too, so no host naming scheme can make them
 * match), or as openvpn's own transport — marked by openvpn (--mark,
 * which needs CAP_NET_ADMIN: no app of the jail can set it) and going to
 * a server's address and port. libnftables is loaded at run time, in
 * this child only: the supervisor itself stays small. */
static int
nft_kill_switch(const struct vpn_remote *remotes, size_t n_remotes)
{
	typedef void *(*ctx_new_fn)(uint32_t);
	typedef int (*run_fn)(void *, const char *);
	typedef void (*ctx_free_fn)(void *);
	_cleanup_free_ char *rules = NULL;
	void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	ctx_new_fn ctx_new;
	run_fn run;
	ctx_free_fn ctx_free;
	void *ctx;
	int r;

	if (lib == NULL)
		return -ENOPKG;
	ctx_new = (ctx_new_fn) dlsym(lib, "nft_ctx_new");
	run = (run_fn) dlsym(lib, "nft_run_cmd_from_buffer");
	ctx_free = (ctx_free_fn) dlsym(lib, "nft_ctx_free");
	if (ctx_new == NULL || run == NULL || ctx_free == NULL)
		return -ENOPKG;
	rules = strdup("table inet jailsup {\n"
		       " chain output {\n"
		       "  type filter hook output priority 0; policy drop;\n"
		       "  oifname \"lo\" accept\n"
		       "  oifname \"" NET_TUN_IFNAME "\" accept\n");
	for (size_t i = 0; rules != NULL && i < n_remotes; i++) {
		_cleanup_free_ char *more = NULL;

		if (asprintf(&more, "%s  meta mark %u %s daddr %s %s dport %u accept\n", rules,
			     NET_VPN_MARK, remotes[i].family == AF_INET ? "ip" : "ip6",
			     remotes[i].text, remotes[i].tcp ? "tcp" : "udp",
			     (unsigned) remotes[i].port) < 0)
			return -ENOMEM;
		free(rules);
		rules = TAKE_PTR(more);
	}
	if (rules == NULL)
		return -ENOMEM;
	{
		_cleanup_free_ char *all = NULL;

		if (asprintf(&all, "%s }\n}\n", rules) < 0)
			return -ENOMEM;
		ctx = ctx_new(0);
		if (ctx == NULL)
			return -ENOMEM;
		r = run(ctx, all);
		ctx_free(ctx);
	}
	return r == 0 ? 0 : -EIO;
}

struct openvpn_launch {
	const struct jail_net *n;
	const char *script;		     /* vpn-script, on the host */
	const struct sandbox_filter *filter; /* NULL: the child compiles it */
	int ready_fd;			     /* the write end of the ready pipe */
};

/* The sandbox's seccomp filter, compiled once per supervisor at the first
 * VPN start: every later launcher only loads it. NULL when that failed:
 * each launcher compiles its own then. */
static struct sandbox_filter *openvpn_filter;

/* Where openvpn finds our script and the jail's resolv.conf in its
 * sandbox: the rest of the host is not there. */
#define SANDBOX_VPN_SCRIPT  "/run/jailsup/vpn-script"
#define SANDBOX_RESOLV_CONF "/run/jailsup/resolv.conf"

static int
openvpn_argv(const struct vpn_remote *remotes, size_t n_remotes, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *fd = NULL;
	char mark[16];
	int r = 0;

	if (asprintf(&fd, "%d", OPENVPN_FD_READY) < 0)
		return -ENOMEM;
	snprintf(mark, sizeof(mark), "%u", NET_VPN_MARK);
	r = strv_push(&v, "openvpn");
	/* The resolved servers first: openvpn in the jail resolves no name. */
	for (size_t i = 0; r >= 0 && i < n_remotes; i++) {
		char port[8];

		snprintf(port, sizeof(port), "%u", (unsigned) remotes[i].port);
		r = push_all(&v, (const char *const[]){
			"--remote", remotes[i].text, port,
			remotes[i].tcp ? (remotes[i].family == AF_INET ? "tcp4-client" : "tcp6-client")
				       : (remotes[i].family == AF_INET ? "udp4" : "udp6"), NULL });
	}
	if (r >= 0)
		r = push_all(&v, (const char *const[]){
			/* The cleaned .ovpn, on our stdin; its files are
			 * named by absolute paths (ovpn.h). */
			"--config", "stdin",
			/* The names and mark the kill switch lets through. */
			"--dev", NET_TUN_IFNAME, "--dev-type", "tun", "--mark", mark,
			/* After the config: ours win. The tunnel is the default
			 * route whatever the server pushes (two /1 routes, as
			 * redirect-gateway def1 would, without its need of a
			 * default gateway to save, which we deleted). */
			"--disable-dco", "--pull-filter", "ignore", "redirect-gateway",
			/* Nor compression (VORACLE), which the .ovpn may have
			 * only as framing (ovpn.c). */
			"--allow-compression", "no",
			"--route", "0.0.0.0", "128.0.0.0", "--route", "128.0.0.0", "128.0.0.0",
			"--script-security", "2", "--up", SANDBOX_VPN_SCRIPT, "--down",
			SANDBOX_VPN_SCRIPT, "--route-up", SANDBOX_VPN_SCRIPT, "--setenv",
			"JAILSUP_RESOLV_CONF", SANDBOX_RESOLV_CONF,
			"--setenv", "JAILSUP_READY_FD", fd, NULL });
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

/* openvpn's sandbox (state/sandbox.h), entered in the jail's user
 * namespace, which owns its mount namespace: only what openvpn needs, read
 * only but for the tun device and the jail's resolv.conf, which our script
 * rewrites; /usr and the libraries, and of /etc only what OpenSSL and the
 * log's times read. Each file the .ovpn names is bound at the path the
 * cleaned .ovpn gives it, and must be the file the supervisor checked
 * (FILE_FDS, compared by device and inode). No home, no runtime dir, no /proc (its
 * configuration comes on stdin), only CAP_NET_ADMIN (in the jail's user
 * namespace), no_new_privs and the seccomp filter every helper gets; a
 * /tmp of its own. */
static int
enter_sandbox(const struct openvpn_launch *l, const int *file_fds, int resolv_fd,
	      struct sandbox_error *reterr)
{
	const struct vpn_config *vpn = &l->n->vpn;
	struct sandbox_bind binds[OVPN_FILES_MAX + 8];
	_cleanup_free_ char *resolv = NULL;
	size_t n = 0;

	if (asprintf(&resolv, "%s/%s", l->n->state_path, STATE_RESOLV_CONF) < 0)
		return -ENOMEM;
	binds[n++] = (struct sandbox_bind){ "/dev/net/tun", NULL, SANDBOX_BIND_RW | SANDBOX_BIND_DEV,
					    -1 };
	binds[n++] = (struct sandbox_bind){ l->script, SANDBOX_VPN_SCRIPT, 0, -1 };
	binds[n++] = (struct sandbox_bind){ resolv, SANDBOX_RESOLV_CONF,
					    SANDBOX_BIND_RW | SANDBOX_BIND_VERIFY, resolv_fd };
	binds[n++] = (struct sandbox_bind){ "/etc/ssl/openssl.cnf", NULL, SANDBOX_BIND_TRY, -1 };
	binds[n++] = (struct sandbox_bind){ "/etc/localtime", NULL, SANDBOX_BIND_TRY, -1 };
	/* By path (a bind's source must be in the sandbox's own mount
	 * namespace, which a file opened before it is not), and only when
	 * the path still leads to the very file the supervisor checked. */
	for (size_t i = 0; i < vpn->clean.n_files; i++)
		binds[n++] = (struct sandbox_bind){ vpn->clean.files[i].path, NULL,
						    SANDBOX_BIND_VERIFY, file_fds[i] };
	return sandbox_enter(&(struct sandbox){ .binds = binds,
						.n_binds = n,
						.join_current_userns = true,
						/* openvpn refuses to start without its
						 * --tmp-dir: an empty one of its own */
						.tmp = true,
						.keep_caps = UINT64_C(1) << CAP_NET_ADMIN,
						.filter = l->filter },
			     reterr);
}

/* The launcher child: reads the servers, joins the jail's namespaces,
 * builds the kill switch, enters openvpn's sandbox and becomes openvpn.
 * Every error goes to the jail's log (our stderr) and ends us before
 * openvpn ran: the supervisor sees the ready pipe close and fails the
 * start. The .ovpn and its files were checked and opened by the
 * supervisor (vpn-config.h): nothing is read again by path. */
static _noreturn_ void
openvpn_child(struct openvpn_launch *l)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const struct vpn_config *vpn = &l->n->vpn;
	struct vpn_remote remotes[VPN_REMOTES_MAX];
	_cleanup_strv_ char **argv = NULL;
	struct sandbox_error err = {};
	int keep[OVPN_FILES_MAX + 1];
	size_t n_remotes = 0, n_keep = 0;
	unsigned bad_line = 0;
	int config, r;

	/* The files the supervisor opened, and the jail's resolv.conf (no
	 * link planted in the state dir is followed). */
	for (size_t i = 0; i < vpn->clean.n_files; i++)
		keep[n_keep++] = vpn->fds[i];
	keep[n_keep] = openat(l->n->dir_fd, STATE_RESOLV_CONF, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (keep[n_keep++] < 0)
		_exit(EXIT_TEMPORARY);
	child_stdio(l->n->dir_fd, l->n->ns_fds, l->ready_fd, keep, n_keep);
	r = vpn_remotes(vpn->text, remotes, &n_remotes, &bad_line);
	if (r == -EDESTADDRREQ) {
		dprintf(2, "jailsup: error: '%s' names no VPN server that resolves ('remote HOST "
			   "[PORT] [PROTO]')\n", vpn->path);
		_exit(EXIT_PERMANENT);
	}
	if (r < 0) {
		dprintf(2, "jailsup: error: %s:%u: a bad 'remote', 'port' or 'rport' line (or "
			   "more than %d servers)\n", vpn->path, bad_line, OVPN_REMOTES_MAX);
		_exit(EXIT_PERMANENT);
	}
	/* openvpn reads it as its stdin; nothing is written to disk. */
	config = memfd_sealed("openvpn.conf", vpn->clean.text, strlen(vpn->clean.text));
	if (config < 0) {
		dprintf(2, "jailsup: error: unable to prepare openvpn's configuration: %s\n",
			strerror(-config));
		_exit(EXIT_TEMPORARY);
	}
	if (setns(4, CLONE_NEWUSER) < 0 || setns(3, CLONE_NEWNET) < 0) {
		dprintf(2, "jailsup: error: unable to join the jail's namespaces: %s\n",
			strerror(errno));
		_exit(EXIT_TEMPORARY);
	}
	r = route_servers_only(remotes, &n_remotes);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to route the jail to its VPN server only: %s\n",
			strerror(-r));
		_exit(EXIT_TEMPORARY);
	}
	/* Routes alone do not hold (see nft_kill_switch()): no nftables, no
	 * VPN jail. */
	r = nft_kill_switch(remotes, n_remotes);
	if (r == -ENOPKG) {
		dprintf(2, "jailsup: error: a VPN jail's kill switch needs nftables "
			   "(libnftables.so.1: install the package nftables)\n");
		_exit(EXIT_PERMANENT);
	}
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to load the VPN's nftables rules\n");
		_exit(EXIT_TEMPORARY);
	}
	r = openvpn_argv(remotes, n_remotes, &argv);
	if (r < 0)
		_exit(EXIT_TEMPORARY);
	r = enter_sandbox(l, keep, keep[n_keep - 1], &err);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to confine openvpn (%s%s%s%s): %s\n", err.step,
			err.path != NULL ? " '" : "", err.path != NULL ? err.path : "",
			err.path != NULL ? "'" : "", strerror(-r));
		_exit(r == -ESTALE ? EXIT_PERMANENT : EXIT_TEMPORARY);
	}
	/* The namespaces are joined and the files bound: our fds make way for
	 * the configuration (stdin) and the ready pipe. */
	if (dup2(config, 0) < 0 || dup2(CHILD_FD_EXTRA, OPENVPN_FD_READY) < 0)
		_exit(EXIT_TEMPORARY);
	(void) syscall(SYS_close_range, OPENVPN_FD_READY + 1, ~0u, 0);
	/* Nothing of the user's session (bus addresses, tokens in the
	 * environment) for a process that parses a server's packets. */
	execve("/usr/sbin/openvpn", argv, envp);
	execve("/usr/bin/openvpn", argv, envp);
	dprintf(2, "jailsup: error: unable to run 'openvpn': %s (install openvpn)\n",
		strerror(errno));
	_exit(127);
}

static void vpn_ready_cb(struct ev_loop *loop, ev_io *w, int revents);
static void vpn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void
openvpn_child_cb(void *data, int ready_fd)
{
	struct openvpn_launch *l = data;

	l->ready_fd = ready_fd;
	/* The tether records openvpn.pid: the helper's PID, not its own. */
	helper_tether(l->n->jailer_pidfd, -1, l->n->dir_fd, STATE_OPENVPN_PID);
	openvpn_child(l);
}

static int
start_openvpn(struct ev_loop *loop, struct jail_net *n)
{
	_cleanup_free_ char *script = NULL;
	struct openvpn_launch l = { .n = n };
	int ready_fd;
	pid_t pid;
	int r;

	if (n->jailer_pidfd < 0)
		return -ESRCH;
	r = sibling_path("libexec/jailsup/vpn-script", &script);
	if (r < 0)
		return r;
	l.script = script;
	if (openvpn_filter == NULL)
		(void) sandbox_filter_new(&openvpn_filter);
	l.filter = openvpn_filter;
	r = helper_spawn(n->dir_fd, NULL, openvpn_child_cb, &l, &pid, &ready_fd);
	if (r < 0)
		return r;
	/* The launcher has its copies of the .ovpn's files. */
	for (size_t i = 0; i < n->vpn.clean.n_files; i++)
		n->vpn.fds[i] = safe_close(n->vpn.fds[i]);
	n->openvpn_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (n->openvpn_pidfd < 0) {
		r = -errno;
		(void) kill(pid, SIGKILL); /* our unreaped child: cannot be another */
		safe_close(ready_fd);
		return r;
	}
	n->vpn_ready_fd = ready_fd;
	ev_io_init(&n->vpn_ready_w, vpn_ready_cb, n->vpn_ready_fd, EV_READ);
	ev_io_start(loop, &n->vpn_ready_w);
	ev_timer_init(&n->vpn_timeout_w, vpn_timeout_cb, n->vpn_timeout, 0.);
	ev_timer_start(loop, &n->vpn_timeout_w);
	start_step(STEP_OPENVPN_SPAWNED);
	return 0;
}

static void
stop_vpn_start_watch(struct ev_loop *loop, struct jail_net *n)
{
	if (n->vpn_ready_fd < 0)
		return;
	ev_io_stop(loop, &n->vpn_ready_w);
	ev_timer_stop(loop, &n->vpn_timeout_w);
	n->vpn_ready_fd = safe_close(n->vpn_ready_fd);
}

static void
openvpn_ended_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, openvpn_w);

	(void) revents;
	ev_io_stop(loop, w);
	n->openvpn_pidfd = safe_close(n->openvpn_pidfd);
	n->vpn_lost = true;
	n->ops->vpn_lost(loop, n);
}

static void
watch_openvpn(struct ev_loop *loop, struct jail_net *n)
{
	if (n->openvpn_pidfd < 0)
		return;
	ev_io_init(&n->openvpn_w, openvpn_ended_cb, n->openvpn_pidfd, EV_READ);
	ev_io_start(loop, &n->openvpn_w);
}

/* The route-up script's byte: the tunnel and its routes are up, the DNS
 * servers written; the jail may start. EOF first: openvpn (or our
 * launcher) ended, its reason is in the log. */
static void
vpn_ready_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, vpn_ready_w);
	ssize_t got;
	char c;

	(void) revents;
	got = read(n->vpn_ready_fd, &c, 1);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	stop_vpn_start_watch(loop, n);
	if (got != 1) {
		net_fail(loop, n, "openvpn ended before the tunnel was up (its reason is above)");
		return;
	}
	watch_openvpn(loop, n);
	start_step(STEP_TUNNEL_UP);
	send_go(n);
}

static void
vpn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, vpn_timeout_w);

	(void) revents;
	stop_vpn_start_watch(loop, n);
	net_fail(loop, n, "openvpn did not bring the tunnel up within %.0f s (is the server "
		 "reachable? openvpn's messages are above)", n->vpn_timeout);
}

void
net_namespaces_ready(struct ev_loop *loop, struct jail_net *n, pid_t ns_pid, pid_t jailer_pid)
{
	int r;

	if (!has_helpers(n) || n->go_fd < 0 || n->ns_fds[0] >= 0)
		return; /* not ours to build, or reported twice: the first one counts */
	r = open_namespaces(ns_pid, jailer_pid, n->ns_fds);
	if (r < 0) {
		net_fail(loop, n, "unable to open the jail's namespaces (pid %d): %s", (int) ns_pid,
			 strerror(-r));
		return;
	}
	start_step(STEP_NAMESPACES);
	r = start_pasta(loop, n);
	if (r < 0)
		net_fail(loop, n, "unable to start pasta: %s", strerror(-r));
}

bool
net_adopt(struct ev_loop *loop, struct jail_net *n, int dir_fd)
{
	struct proc_id id;
	int r;

	r = proc_id_read_at(dir_fd, STATE_OPENVPN_PID, &id);
	if (r >= 0 && proc_id_is(&id, "openvpn") > 0 &&
	    proc_id_open_pidfd(&id, &n->openvpn_pidfd) >= 0) {
		watch_openvpn(loop, n);
		return false;
	}
	n->vpn_lost = true;
	return true;
}

void
net_done(struct ev_loop *loop, struct jail_net *n)
{
	if (n->pasta_status_fd >= 0) {
		ev_io_stop(loop, &n->pasta_w);
		n->pasta_status_fd = safe_close(n->pasta_status_fd);
	}
	if (n->pasta_pidfd >= 0) {
		/* Its tether passes it on to pasta, daemonised or not, and
		 * leaves once pasta is gone. */
		(void) syscall(SYS_pidfd_send_signal, n->pasta_pidfd, SIGTERM, NULL, 0);
		n->pasta_pidfd = safe_close(n->pasta_pidfd);
	}
	n->jailer_pidfd = safe_close(n->jailer_pidfd);
	stop_vpn_start_watch(loop, n);
	if (n->openvpn_pidfd >= 0) {
		ev_io_stop(loop, &n->openvpn_w);
		/* By the pidfd, not only by openvpn.pid: before its execve()
		 * our launcher is not called openvpn yet (resolving the servers
		 * can take long), and would go on into a jail that is gone. */
		(void) syscall(SYS_pidfd_send_signal, n->openvpn_pidfd, SIGTERM, NULL, 0);
		n->openvpn_pidfd = safe_close(n->openvpn_pidfd);
	}
	n->go_fd = safe_close(n->go_fd);
	n->ns_fds[0] = safe_close(n->ns_fds[0]);
	n->ns_fds[1] = safe_close(n->ns_fds[1]);
	free(n->state_path);
	vpn_config_done(&n->vpn);
	free(n->forward);
	net_init(n, n->ops);
}
