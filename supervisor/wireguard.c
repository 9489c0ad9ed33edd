/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wireguard-go, a WireGuard jail's tunnel (docs/architecture.md §5, "The
 * VPN"), once pasta is ready: the same walls as openvpn's (openvpn.c), by
 * the same code. A launcher child resolves each peer's Endpoint on the
 * host (in the jail there is no DNS before the tunnel, and a name would be
 * resolved there), joins the jail's user and network namespaces, routes
 * the jail to the endpoints only and loads the kill switch
 * (kill-switch.h), enters the helpers' sandbox (state/sandbox.h) and
 * becomes wireguard-go. wireguard-go's own UDP carries the VPN's mark: the
 * supervisor sets it (wg's fwmark, through the configuration below, which
 * needs CAP_NET_ADMIN: no app of the jail can set it), as openvpn's
 * --mark. Before it execs, the launcher leaves a configurer behind: it
 * waits for wireguard-go's control socket, writes the configuration there
 * (the private key on a socket that only the sandbox sees: never argv,
 * environment, a file or the log), gives the tunnel its addresses, MTU and
 * routes, then makes wireguard-go start a handshake at once and waits for
 * one to complete, and only then writes the readiness byte. WireGuard is
 * silent by design: a server that is down, or that does not know our key,
 * answers nothing at all, so a completed handshake is the only proof that
 * the tunnel works. A peer that never answers therefore ends the start by
 * the supervisor's VPN timeout, with a message naming the peers
 * (net.c), and leaves no jail. wireguard-go's end while the jail runs
 * leaves the jail offline (ops->vpn_lost), as openvpn's does.
 */
#include <sys/capability.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>

#include "state/log.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"
#include "supervisor/kill-switch.h"
#include "supervisor/net-internal.h"
#include "supervisor/start-steps.h"
#include "supervisor/vpn-config.h"

/* Each peer's Endpoint may resolve to several addresses: the first one
 * that can be routed out of the jail is the peer's. */
#define WG_PEER_ADDRS_MAX 4
#define WG_REMOTES_MAX    (WG_PEERS_MAX * WG_PEER_ADDRS_MAX)

/* wireguard-go's control sockets, in its sandbox: a tmpfs of the
 * launcher's own, which no jail and no other process sees. */
#define WG_SOCKET_DIR  "/var/run/wireguard"
#define WG_SOCKET_PATH WG_SOCKET_DIR "/" NET_TUN_IFNAME ".sock"

/* How long the configurer waits for wireguard-go's control socket; the
 * supervisor's own bound ($JAILSUP_VPN_TIMEOUT) ends it sooner. */
#define WG_SOCKET_TIMEOUT_MS 30000

/* The configurer asks wireguard-go, which tells no one, whether a
 * handshake came: often at first (on a link that answers it comes within
 * milliseconds, and the jail waits for it), then less often. */
#define WG_HANDSHAKE_POLL_FAST_MS 20
#define WG_HANDSHAKE_POLL_MS      100
#define WG_HANDSHAKE_FAST_POLLS   50

/* The PersistentKeepalive a peer has while its first handshake is
 * awaited, when the .conf turns it off: any value but 0 (turning it on is
 * the trigger); the .conf's own is restored once the handshake is done. */
#define WG_KICK_KEEPALIVE 25

/* An abbreviated public key in messages: enough to find the peer in the
 * server's list. */
#define WG_KEY_SHOWN 8

struct wg_launch {
	const struct jail_net *n;
	const struct sandbox_filter *filter; /* NULL: the child compiles it */
	int ready_fd;                        /* the write end of the ready pipe */
};

/* What the configurer applies once wireguard-go runs: no secret here. */
struct wg_link {
	struct vpn_tunnel_net addrs[WG_ADDRESSES_MAX];
	size_t n_addrs;
	struct vpn_tunnel_net *routes;
	size_t n_routes;
	unsigned mtu;
	char *kick;    /* turns every peer's keepalive on: a handshake starts */
	char *restore; /* the .conf's keepalive back; NULL: nothing to restore */
};

struct wg_endpoints {
	struct vpn_remote all[WG_REMOTES_MAX];
	size_t n;
	size_t first[WG_PEERS_MAX], count[WG_PEERS_MAX]; /* each peer's in ALL */
};

static _noreturn_ void child_die(int code, const char *fmt, ...) _printf_(2, 3);
static _noreturn_ void
child_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dprintf(2, "jailsup: error: ");
	vdprintf(2, fmt, ap);
	dprintf(2, "\n");
	va_end(ap);
	_exit(code);
}

/* Every address of each peer's Endpoint, resolved here, on the host's
 * network. Runs in the launcher child, where blocking is fine. */
static void
resolve_endpoints(const char *path, const struct wg_conf *wg, struct wg_endpoints *ep)
{
	ep->n = 0;
	for (size_t i = 0; i < wg->n_peers; i++) {
		const struct wg_peer *p = &wg->peers[i];
		struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
		int e = getaddrinfo(p->endpoint_host, NULL, &hints, &res);

		if (e != 0)
			child_die(EXIT_PERMANENT, "%s:%u: the Endpoint '%s' does not resolve: %s",
			          path, p->line, p->endpoint_host, gai_strerror(e));
		ep->first[i] = ep->n;
		ep->count[i] = 0;
		for (struct addrinfo *ai = res; ai != NULL && ep->count[i] < WG_PEER_ADDRS_MAX;
		     ai = ai->ai_next) {
			struct vpn_remote *v = &ep->all[ep->n];

			*v = (struct vpn_remote){.family = ai->ai_family, .port = p->endpoint_port};
			if (ai->ai_family == AF_INET)
				v->addr.v4 = ((struct sockaddr_in *) ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				v->addr.v6 = ((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;
			else
				continue;
			inet_ntop(v->family, &v->addr, v->text, sizeof(v->text));
			ep->n++;
			ep->count[i]++;
		}
		freeaddrinfo(res);
	}
}

/* Each peer's Endpoint becomes the first of its addresses that got a
 * route out of the jail (ROUTED): wireguard-go is given numbers only. */
static void
pick_endpoints(const char *path, struct wg_conf *wg, const struct wg_endpoints *ep,
               const struct vpn_remote *routed, size_t n_routed)
{
	for (size_t i = 0; i < wg->n_peers; i++) {
		const struct vpn_remote *pick = NULL;

		for (size_t k = 0; k < ep->count[i] && pick == NULL; k++)
			for (size_t r = 0; r < n_routed && pick == NULL; r++)
				if (streq(routed[r].text, ep->all[ep->first[i] + k].text))
					pick = &routed[r];
		if (pick == NULL)
			child_die(EXIT_PERMANENT,
			          "%s:%u: no address of the Endpoint '%s' can be routed out of the "
			          "jail",
			          path, wg->peers[i].line, wg->peers[i].endpoint_host);
		snprintf(wg->peers[i].endpoint_host, sizeof(wg->peers[i].endpoint_host), "%s",
		         pick->text);
	}
}

static void
to_net(struct vpn_tunnel_net *out, const struct wg_cidr *c)
{
	*out = (struct vpn_tunnel_net){.family = c->ip.family, .prefix = c->prefix};
	memcpy(out->addr, c->ip.addr, c->ip.family == AF_INET ? 4 : 16);
}

static void
key_hex(const uint8_t key[WG_KEY_LEN], char out[2 * WG_KEY_LEN + 1])
{
	for (size_t i = 0; i < WG_KEY_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", key[i]);
}

/* What starts a handshake with every peer at once, in wireguard-go's
 * control protocol (*RET_KICK), and what sets each peer's
 * PersistentKeepalive back to the .conf's afterwards (*RET_RESTORE, NULL
 * when the .conf's is the one the kick left). wireguard-go sends a
 * keepalive, which needs a session and so starts a handshake, when a
 * peer's keepalive is turned on while the device is up; a device that
 * comes up later sends one to every peer whose keepalive is on. So each
 * peer's is set to 0, then on: one of the two happens, whatever the
 * .conf's value and whether wireguard-go has seen the link up yet. Public
 * keys only: no secret. 0 or -ENOMEM. */
static int
kick_of(const struct wg_conf *wg, char **ret_kick, char **ret_restore)
{
	size_t size = 16 + wg->n_peers * (2 * WG_KEY_LEN + 96), at = 0, at_restore = 0;
	_cleanup_free_ char *kick = malloc(size), *restore = malloc(size);
	char key[2 * WG_KEY_LEN + 1];
	bool any_restore = false;

	if (kick == NULL || restore == NULL)
		return -ENOMEM;
	at += (size_t) snprintf(kick, size, "set=1\n");
	at_restore += (size_t) snprintf(restore, size, "set=1\n");
	for (size_t i = 0; i < wg->n_peers; i++) {
		const struct wg_peer *p = &wg->peers[i];

		key_hex(p->public_key, key);
		at += (size_t) snprintf(kick + at, size - at,
		                        "public_key=%s\npersistent_keepalive_interval=0\n"
		                        "persistent_keepalive_interval=%u\n",
		                        key, p->keepalive > 0 ? p->keepalive : WG_KICK_KEEPALIVE);
		if (p->keepalive > 0)
			continue;
		at_restore +=
		    (size_t) snprintf(restore + at_restore, size - at_restore,
		                      "public_key=%s\npersistent_keepalive_interval=0\n", key);
		any_restore = true;
	}
	snprintf(kick + at, size - at, "\n");
	snprintf(restore + at_restore, size - at_restore, "\n");
	*ret_kick = TAKE_PTR(kick);
	*ret_restore = any_restore ? TAKE_PTR(restore) : NULL;
	return 0;
}

/* The tunnel's addresses and MTU, and its routes: every peer's AllowedIPs
 * (as wg-quick routes them), the jail's only routes but the host routes to
 * the endpoints. */
static int
link_of(const struct wg_conf *wg, struct wg_link *ret)
{
	size_t n = 0;

	*ret = (struct wg_link){.mtu = wg->mtu};
	for (size_t i = 0; i < wg->n_addresses; i++)
		to_net(&ret->addrs[ret->n_addrs++], &wg->addresses[i]);
	for (size_t i = 0; i < wg->n_peers; i++)
		n += wg->peers[i].n_allowed_ips;
	ret->routes = calloc(n > 0 ? n : 1, sizeof(*ret->routes));
	if (ret->routes == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < wg->n_peers; i++)
		for (size_t j = 0; j < wg->peers[i].n_allowed_ips; j++)
			to_net(&ret->routes[ret->n_routes++], &wg->peers[i].allowed_ips[j]);
	return kick_of(wg, &ret->kick, &ret->restore);
}

/* Connects to wireguard-go's control socket once it listens: woken by
 * the socket's creation, bounded, and given up as soon as wireguard-go
 * (LAUNCHER_PIDFD) has ended. */
static int
connect_control(int launcher_pidfd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = WG_SOCKET_PATH};
	_cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	struct timespec t0, now;

	if (in < 0 || inotify_add_watch(in, WG_SOCKET_DIR, IN_CREATE | IN_MOVED_TO) < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct pollfd p[2] = {{.fd = in, .events = POLLIN},
		                      {.fd = launcher_pidfd, .events = POLLIN}};
		char drain[4096];
		long ms;

		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
			return fd;
		safe_close(fd);
		if (errno != ENOENT && errno != ECONNREFUSED)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > WG_SOCKET_TIMEOUT_MS)
			return -ETIMEDOUT;
		/* Its creation wakes us; the short bound covers the moment
		 * between its bind() and its listen(), which nothing signals. */
		if (poll(p, 2, 50) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents != 0)
			return -ESRCH;
		while (read(in, drain, sizeof(drain)) > 0)
			;
	}
}

/* Sends REQUEST on wireguard-go's control socket FD and reads its answer
 * up to the empty line that ends it, giving LINE (when not NULL) each of
 * its lines but the closing "errno=N". Every byte read is wiped: the
 * answer to "get=1" holds the private key. 0 for "errno=0", -EINVAL for
 * another errno (wireguard-go refused it), -EPROTO for an answer that is
 * not one, -errno. */
static int
uapi(int fd, const char *request, void (*line)(const char *l, void *data), void *data)
{
	size_t len = strlen(request), have = 0;
	char buf[1024];
	int r = -EPROTO;

	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t) len)
		return -errno;
	for (;;) {
		ssize_t k = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *start = buf, *nl;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : -EPROTO;
			break;
		}
		have += (size_t) k;
		while ((nl = memchr(start, '\n', (size_t) (buf + have - start))) != NULL) {
			*nl = '\0';
			if (*start == '\0')
				goto out; /* the end of the answer */
			if (strstartswith(start, "errno="))
				r = streq(start, "errno=0") ? 0 : -EINVAL;
			else if (line != NULL)
				line(start, data);
			start = nl + 1;
		}
		have -= (size_t) (start - buf);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1) {
			r = -EPROTO; /* no line of wireguard-go's is that long */
			break;
		}
	}
out:
	erase_secret(buf, sizeof(buf));
	return r;
}

static void
handshake_line(const char *l, void *data)
{
	bool *done = data;
	uint64_t sec;

	if (strstartswith(l, "last_handshake_time_sec=") &&
	    parse_u64(l + strlen("last_handshake_time_sec="), &sec) >= 0 && sec > 0)
		*done = true;
}

/* Waits until some peer has completed a handshake (its
 * last_handshake_time_sec is no longer 0). 0; -ESRCH when wireguard-go
 * (LAUNCHER_PIDFD) ended first; -errno. Not bounded here: the
 * supervisor's VPN timeout ends the start, and us with it. */
static int
await_handshake(int fd, int launcher_pidfd)
{
	for (unsigned i = 0;; i++) {
		struct pollfd p = {.fd = launcher_pidfd, .events = POLLIN};
		bool done = false;
		int r = uapi(fd, "get=1\n\n", handshake_line, &done);

		if (r < 0)
			return r;
		if (done)
			return 0;
		r = poll(&p, 1,
		         i < WG_HANDSHAKE_FAST_POLLS ? WG_HANDSHAKE_POLL_FAST_MS
		                                     : WG_HANDSHAKE_POLL_MS);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			return -ESRCH;
	}
}

/* The configurer, in the sandbox beside wireguard-go (its launcher, which
 * execs it now): configures the tunnel and says it is ready. */
static _noreturn_ void
configurer(pid_t launcher, char *text, const struct wg_link *link, const char *path)
{
	_cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, launcher, 0);
	_cleanup_close_ int fd = -1;
	int r;

	if (pidfd < 0)
		child_die(EXIT_TEMPORARY, "unable to watch wireguard-go: %s", strerror(errno));
	fd = connect_control(pidfd);
	if (fd == -ESRCH)
		child_die(EXIT_TEMPORARY, "wireguard-go ended before it could be configured");
	if (fd < 0)
		child_die(EXIT_TEMPORARY, "unable to reach wireguard-go's control socket: %s",
		          strerror(-fd));
	r = uapi(fd, text, NULL, NULL);
	text = wg_text_free(text);
	if (r < 0)
		child_die(EXIT_PERMANENT, "wireguard-go refused the configuration of '%s': %s",
		          path, strerror(-r));
	r = kill_switch_tunnel_up(NET_TUN_IFNAME, link->addrs, link->n_addrs, link->mtu,
	                          link->routes, link->n_routes);
	if (r < 0)
		child_die(EXIT_TEMPORARY, "unable to set the WireGuard tunnel up: %s",
		          strerror(-r));
	/* The supervisor says from now on that the start waits for the
	 * handshake, and names the peers if none comes. */
	if (write(NET_CHILD_FD_EXTRA, (const char[]){NET_VPN_HANDSHAKING}, 1) != 1)
		_exit(EXIT_TEMPORARY);
	r = uapi(fd, link->kick, NULL, NULL);
	if (r < 0)
		child_die(EXIT_TEMPORARY, "unable to start a WireGuard handshake: %s",
		          strerror(-r));
	r = await_handshake(fd, pidfd);
	/* Said by wireguard-go's own lines and the supervisor's: the ended
	 * start's SIGTERM reaches wireguard-go a moment before us, and a line
	 * of ours would only follow the supervisor's reason. */
	if (r == -ESRCH)
		_exit(EXIT_TEMPORARY);
	if (r < 0)
		child_die(EXIT_TEMPORARY, "unable to ask wireguard-go for its handshakes: %s",
		          strerror(-r));
	if (link->restore != NULL && (r = uapi(fd, link->restore, NULL, NULL)) < 0)
		child_die(EXIT_TEMPORARY,
		          "unable to give wireguard-go the PersistentKeepalive of '%s': %s", path,
		          strerror(-r));
	if (write(NET_CHILD_FD_EXTRA, "w", 1) != 1)
		_exit(EXIT_TEMPORARY);
	_exit(0);
}

/* The launcher child: resolves the endpoints, joins the jail's
 * namespaces, builds the kill switch, enters the sandbox, leaves the
 * configurer behind and becomes wireguard-go. Every error goes to the
 * jail's log (our stderr) and ends us before wireguard-go ran: the
 * supervisor sees the ready pipe close and fails the start. */
static _noreturn_ void
wireguard_child(struct wg_launch *l)
{
	/* PATH, and what -f says once more: without it wireguard-go starts
	 * every log with a banner that the kernel's module would serve
	 * better, true or not. Nothing of the user's session. */
	static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "WG_PROCESS_FOREGROUND=1",
	                             NULL};
	static char *const argv[] = {"wireguard-go", "-f", NET_TUN_IFNAME, NULL};
	/* Our copy of the supervisor's memory: the endpoints are rewritten
	 * in it, never in the supervisor's. */
	struct wg_conf *wg = (struct wg_conf *) &l->n->vpn.wg;
	const char *path = l->n->vpn.path;
	static struct wg_endpoints ep;
	struct vpn_remote routed[WG_REMOTES_MAX];
	struct sandbox_error err = {};
	struct wg_link link;
	size_t n_routed;
	char *text = NULL;
	pid_t launcher, pid;
	int r;

	net_child_stdio(l->n->dir_fd, l->n->ns_fds, l->ready_fd, NULL, 0);
	resolve_endpoints(path, wg, &ep);
	if (setns(4, CLONE_NEWUSER) < 0 || setns(3, CLONE_NEWNET) < 0)
		child_die(EXIT_TEMPORARY, "unable to join the jail's namespaces: %s",
		          strerror(errno));
	memcpy(routed, ep.all, ep.n * sizeof(routed[0]));
	n_routed = ep.n;
	r = kill_switch_routes(routed, &n_routed);
	if (r < 0)
		child_die(EXIT_TEMPORARY,
		          "unable to route the jail to its WireGuard peers only: %s", strerror(-r));
	pick_endpoints(path, wg, &ep, routed, n_routed);
	/* Routes alone do not hold (see kill_switch_nft()): no nftables, no
	 * VPN jail. */
	r = kill_switch_nft(routed, n_routed);
	if (r == -ENOPKG)
		child_die(EXIT_PERMANENT, "a VPN jail's kill switch needs nftables "
		                          "(libnftables.so.1: install the package nftables)");
	if (r < 0)
		child_die(EXIT_TEMPORARY, "unable to load the VPN's nftables rules");
	if (link_of(wg, &link) < 0 || wg_conf_uapi(wg, NET_VPN_MARK, &text) < 0)
		child_die(EXIT_TEMPORARY, "unable to prepare wireguard-go's configuration: %s",
		          strerror(ENOMEM));
	wg_conf_done(wg);
	/* wireguard-go's control socket goes to WG_SOCKET_DIR: a tmpfs of
	 * ours, bound there in its sandbox, so no jail (nor a process of the
	 * host) can reach it to reconfigure the tunnel. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
		child_die(EXIT_TEMPORARY, "unable to make wireguard-go's socket folder: %s",
		          strerror(errno));
	r = sandbox_enter(&(struct sandbox){.binds =
	                                        (const struct sandbox_bind[]){
	                                            {"/dev/net/tun", NULL,
	                                             SANDBOX_BIND_RW | SANDBOX_BIND_DEV, -1},
	                                            {"/tmp", WG_SOCKET_DIR, SANDBOX_BIND_RW, -1}},
	                                    .n_binds = 2,
	                                    .join_current_userns = true,
	                                    .keep_caps = UINT64_C(1) << CAP_NET_ADMIN,
	                                    .filter = l->filter},
	                  &err);
	if (r < 0)
		child_die(EXIT_TEMPORARY, "unable to confine wireguard-go (%s%s%s%s): %s", err.step,
		          err.path != NULL ? " '" : "", err.path != NULL ? err.path : "",
		          err.path != NULL ? "'" : "", strerror(-r));
	launcher = getpid();
	pid = fork();
	if (pid < 0)
		child_die(EXIT_TEMPORARY, "unable to fork: %s", strerror(errno));
	if (pid == 0) {
		/* Twice: the configurer is then our tether's child (a
		 * subreaper), which reaps it, not wireguard-go's. */
		pid = fork();
		if (pid != 0)
			_exit(pid < 0 ? EXIT_TEMPORARY : 0);
		configurer(launcher, text, &link, path);
	}
	if (waitpid(pid, &r, 0) < 0 || !WIFEXITED(r) || WEXITSTATUS(r) != 0)
		child_die(EXIT_TEMPORARY, "unable to start wireguard-go's configurer");
	text = wg_text_free(text);
	/* The ready pipe is the configurer's alone: its EOF comes when it
	 * fails, whatever wireguard-go does. */
	(void) syscall(SYS_close_range, 3, ~0u, 0);
	execve("/usr/bin/wireguard-go", argv, envp);
	execve("/usr/sbin/wireguard-go", argv, envp);
	child_die(127, "unable to run 'wireguard-go': %s (install wireguard-go)", strerror(errno));
}

static void
wireguard_child_cb(void *data, int ready_fd)
{
	struct wg_launch *l = data;

	l->ready_fd = ready_fd;
	/* The tether records wireguard.pid: the launcher's PID, which
	 * becomes wireguard-go's. */
	helper_tether(l->n->jailer_pidfd, -1, l->n->dir_fd, STATE_WIREGUARD_PID);
	wireguard_child(l);
}

/* The jail's resolv.conf: the .conf's DNS servers, known now (wg-quick's
 * DNS is static). In place, as the VPN's scripts write it: the jail's
 * bind of it sees the file, not a name. */
static int
write_resolv_conf(const struct jail_net *n)
{
	char text[64 + WG_DNS_MAX * (INET6_ADDRSTRLEN + 16)], ip[INET6_ADDRSTRLEN];
	_cleanup_close_ int fd = -1;
	size_t at = 0;

	at += (size_t) snprintf(text, sizeof(text),
	                        "# jailsup: the WireGuard configuration's "
	                        "DNS servers\n");
	for (size_t i = 0; i < n->vpn.wg.n_dns; i++) {
		inet_ntop(n->vpn.wg.dns[i].family, n->vpn.wg.dns[i].addr, ip, sizeof(ip));
		at += (size_t) snprintf(text + at, sizeof(text) - at, "nameserver %s\n", ip);
	}
	fd = openat(n->dir_fd, STATE_RESOLV_CONF,
	            O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return write_all(fd, text, at);
}

/* The peers as the start's progress and its error name them: each public
 * key abbreviated (never anything of the private key) and its Endpoint as
 * the .conf writes it. NULL when out of memory. */
static char *
peers_text(const struct wg_conf *wg)
{
	char text[512] = "", key[WG_KEY_B64_LEN + 1];
	size_t at = 0, shown = wg->n_peers < 3 ? wg->n_peers : 3;

	if (wg->n_peers > 1)
		at += (size_t) snprintf(text, sizeof(text), "any of its %zu peers (", wg->n_peers);
	for (size_t i = 0; i < shown && at < sizeof(text); i++) {
		const struct wg_peer *p = &wg->peers[i];
		bool v6 = strchr(p->endpoint_host, ':') != NULL;

		wg_key_to_base64(p->public_key, key);
		at +=
		    (size_t) snprintf(text + at, sizeof(text) - at, "%speer '%.*s...' at %s%s%s:%u",
		                      i > 0 ? ", " : "", WG_KEY_SHOWN, key, v6 ? "[" : "",
		                      p->endpoint_host, v6 ? "]" : "", p->endpoint_port);
	}
	if (wg->n_peers > 1 && at < sizeof(text))
		snprintf(text + at, sizeof(text) - at, "%s)", wg->n_peers > shown ? ", ..." : "");
	return strdup(text);
}

static int
start_wireguard(struct ev_loop *loop, struct jail_net *n)
{
	struct wg_launch l = {.n = n};
	int ready_fd;
	pid_t pid;
	int r;

	if (n->jailer_pidfd < 0)
		return -ESRCH;
	r = write_resolv_conf(n);
	if (r < 0)
		return r;
	free(n->vpn_peers);
	n->vpn_peers = peers_text(&n->vpn.wg);
	l.filter = net_sandbox_filter();
	r = helper_spawn(n->dir_fd, NULL, wireguard_child_cb, &l, &pid, &ready_fd);
	if (r < 0)
		return r;
	/* The launcher has its copy of the keys: ours go now. */
	wg_conf_done(&n->vpn.wg);
	return net_vpn_watch(loop, n, &net_wireguard, pid, ready_fd);
}

const struct net_helper net_wireguard = {
    .name = "wireguard-go",
    .start = start_wireguard,
    .stop = net_vpn_stop,
    .step_spawned = STEP_WIREGUARD_SPAWNED,
    .step_up = STEP_WIREGUARD_UP,
    .pid_file = STATE_WIREGUARD_PID,
    .comm = "wireguard-go",
    .timeout_hint = "wireguard-go's messages are above",
    .ready_byte = 'w',
    .handshakes = true,
};
