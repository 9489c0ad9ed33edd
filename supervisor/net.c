/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A jail's network from the supervisor (net.h): the jail_net object, the
 * go pipe that holds the jail's first app until its network is final, the
 * jail's namespaces opened once the jailer reports them, and the order of
 * the helpers that join them, as user processes: pasta (supervisor/pasta.c)
 * and, for a VPN jail, openvpn after it (supervisor/openvpn.c). This file
 * calls them only through their struct net_helper (net-internal.h), and
 * they call nothing of each other: each reports its readiness here.
 */
#include <sys/syscall.h>

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"
#include "supervisor/net-internal.h"
#include "supervisor/start-steps.h"

/* The helpers of each mode, in the order they start: each one once the
 * one before it is ready, and the go byte after the last. */
static const struct net_helper *const helpers_pasta[] = { &net_pasta, NULL };
static const struct net_helper *const helpers_openvpn[] = {&net_pasta, &net_openvpn, NULL};
static const struct net_helper *const helpers_wireguard[] = {&net_pasta, &net_wireguard, NULL};

/* Every helper: net_adopt() and net_done() are not told the mode. */
static const struct net_helper *const helpers_all[] = {&net_pasta, &net_openvpn, &net_wireguard,
                                                       NULL};

static const struct net_helper *const *
helpers_of(const struct jail_net *n)
{
	static const struct net_helper *const none[] = { NULL };

	switch (n->mode) {
	case NETWORK_PASTA:
		return helpers_pasta;
	case NETWORK_VPN:
		return n->vpn.kind == VPN_WIREGUARD ? helpers_wireguard : helpers_openvpn;
	case NETWORK_NONE:
	case NETWORK_HOST:
	case _NETWORK_MAX:
	case _NETWORK_INVALID:
		break;
	}
	return none;
}

void
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
	*n = (struct jail_net){.ops = ops,
	                       .dir_fd = -1,
	                       .go_fd = -1,
	                       .ns_fds = {-1, -1},
	                       .jailer_pidfd = -1,
	                       .pasta_pidfd = -1,
	                       .pasta_status_fd = -1,
	                       .vpn_ready_fd = -1,
	                       .vpn_pidfd = -1};
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
	(void) unlinkat(dir_fd, STATE_WIREGUARD_PID, 0);
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
	return helpers_of(n)[0] != NULL;
}

void
net_jailer_recorded(struct jail_net *n, int jailer_pidfd)
{
	if (n->jailer_pidfd < 0 && jailer_pidfd >= 0)
		n->jailer_pidfd = fcntl(jailer_pidfd, F_DUPFD_CLOEXEC, 3);
	if (!has_helpers(n))
		send_go(n);
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

void
net_child_stdio(int dir_fd, const int ns_fds[2], int extra_fd, int *keep, size_t n_keep)
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
	    dup2(user, 4) < 0 || (extra >= 0 && dup2(extra, NET_CHILD_FD_EXTRA) < 0))
		_exit(EXIT_TEMPORARY);
	for (size_t i = 0; i < n_keep; i++) {
		int to = NET_CHILD_FD_EXTRA + 1 + (int) i;

		if (dup2(keep[i], to) < 0)
			_exit(EXIT_TEMPORARY);
		keep[i] = to;
	}
	(void) syscall(SYS_close_range,
		       n_keep > 0 ? NET_CHILD_FD_EXTRA + 1 + (unsigned) n_keep
				  : (extra >= 0 ? NET_CHILD_FD_EXTRA + 1 : NET_CHILD_FD_EXTRA),
		       ~0u, 0);
}

static void
start_helper(struct ev_loop *loop, struct jail_net *n, const struct net_helper *h)
{
	int r = h->start(loop, n);

	if (r < 0)
		net_fail(loop, n, "unable to start %s: %s", h->name, strerror(-r));
}

void
net_helper_ready(struct ev_loop *loop, struct jail_net *n, const struct net_helper *helper)
{
	const struct net_helper *const *h = helpers_of(n);

	while (*h != NULL && *h != helper)
		h++;
	assert(*h != NULL); /* only a helper of this mode was started */
	if (h[1] != NULL) {
		start_helper(loop, n, h[1]);
		return;
	}
	if (n->ops->ready != NULL)
		n->ops->ready(loop, n);
	send_go(n);
}

/* Whether the pasta of N (started ahead) and its tether still live, by
 * pasta's pid file (start time included) and the tether's pidfd: its end
 * may not have reached our loop yet. */
static bool
pasta_alive(const struct jail_net *n)
{
	struct pollfd tether = {.fd = n->pasta_pidfd, .events = POLLIN};
	struct proc_id id;

	return n->pasta_pidfd >= 0 && poll(&tether, 1, 0) == 0 &&
	       proc_id_read_at(n->dir_fd, STATE_PASTA_PID, &id) >= 0 && proc_id_alive(&id) > 0;
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
	if (n->pasta_claimed) {
		struct stat st;

		/* The standby that made them took the start: its pasta is
		 * there already. Anything else would be a jail without it. */
		if (fstat(n->ns_fds[1], &st) < 0 || st.st_dev != n->claimed_net_dev ||
		    st.st_ino != n->claimed_net_ino) {
			net_fail(loop, n, "the jail is not in the network namespace its pasta serves");
			return;
		}
		if (pasta_alive(n)) {
			start_step(STEP_PASTA_READY);
			net_helper_ready(loop, n, &net_pasta);
			return;
		}
		/* It ended since the claim: its link went with it, and a
		 * pasta of the jail's own configures the namespace afresh. */
		log_warn("%s: the pasta started ahead for this jail ended, starting another",
		         n->state_path);
		net_ahead_unclaim(n);
	}
	start_helper(loop, n, helpers_of(n)[0]);
}

/* --- pasta ahead of a start ------------------------------------------------------ */

int
net_ahead_start(struct ev_loop *loop, struct jail_net *n, const struct jail_net_ops *ops,
                int dir_fd, const char *dir_path, int jailer_pidfd, int ns_fds[2])
{
	net_init(n, ops);
	n->mode = NETWORK_PASTA;
	n->ahead = true;
	n->dir_fd = dir_fd;
	n->ns_fds[0] = TAKE_FD(ns_fds[0]);
	n->ns_fds[1] = TAKE_FD(ns_fds[1]);
	n->state_path = strdup(dir_path);
	if (n->state_path == NULL)
		return -ENOMEM;
	n->jailer_pidfd = fcntl(jailer_pidfd, F_DUPFD_CLOEXEC, 3);
	if (n->jailer_pidfd < 0)
		return -errno;
	return net_pasta.start(loop, n);
}

bool
net_ahead_fits(const struct jail_net *n)
{
	return n->mode == NETWORK_PASTA && n->n_forward == 0 && n->pasta_pidfd < 0 &&
	       !n->pasta_claimed;
}

int
net_ahead_claim(struct jail_net *ahead, struct jail_net *n)
{
	struct stat st;

	if (!net_ahead_fits(n) || ahead->pasta_pidfd < 0 || ahead->pasta_status_fd >= 0)
		return -EINVAL; /* not ready, or not a jail that fits */
	/* pasta may have died since our loop last looked: its tether's end
	 * (and so the standby's drop) would come after this start. */
	if (!pasta_alive(ahead))
		return -ESRCH;
	if (fstat(ahead->ns_fds[1], &st) < 0)
		return -errno;
	if (renameat(ahead->dir_fd, STATE_PASTA_PID, n->dir_fd, STATE_PASTA_PID) < 0)
		return -errno;
	n->pasta_pidfd = TAKE_FD(ahead->pasta_pidfd);
	n->pasta_claimed = true;
	n->claimed_net_dev = st.st_dev;
	n->claimed_net_ino = st.st_ino;
	return 0;
}

/* Ends the pasta that DIR_FD's pasta.pid names, verified by start time
 * and name, and removes the file: its daemon outlives a tether killed -9,
 * and only its pid file still reaches it. */
static void
end_pasta_of_pid_file(int dir_fd)
{
	for (size_t i = 0; i < JAIL_HELPERS_N; i++) {
		struct proc_id id;

		if (streq(jail_helpers[i].pid_file, STATE_PASTA_PID) &&
		    proc_id_read_at(dir_fd, STATE_PASTA_PID, &id) >= 0 &&
		    proc_id_is(&id, jail_helpers[i].comm) > 0)
			(void) proc_id_kill(&id, jail_helpers[i].sig);
	}
	(void) unlinkat(dir_fd, STATE_PASTA_PID, 0);
}

void
net_ahead_unclaim(struct jail_net *n)
{
	if (!n->pasta_claimed)
		return;
	n->pasta_claimed = false;
	n->pasta_pidfd = safe_close(n->pasta_pidfd);
	end_pasta_of_pid_file(n->dir_fd);
}

void
net_ahead_end(struct ev_loop *loop, struct jail_net *ahead)
{
	/* Claimed, its pid file is in the jail's state directory now. */
	if (ahead->ahead && ahead->dir_fd >= 0)
		end_pasta_of_pid_file(ahead->dir_fd);
	net_done(loop, ahead);
}

int
net_ahead_pidfd(const struct jail_net *ahead)
{
	return ahead->pasta_status_fd < 0 ? ahead->pasta_pidfd : -1;
}

/* --- the VPN helpers' launcher, readiness and end ------------------------------ */

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
vpn_ended_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, vpn_w);

	(void) revents;
	ev_io_stop(loop, w);
	n->vpn_pidfd = safe_close(n->vpn_pidfd);
	n->vpn_lost = true;
	n->ops->vpn_lost(loop, n);
}

static void
watch_vpn(struct ev_loop *loop, struct jail_net *n)
{
	if (n->vpn_pidfd < 0)
		return;
	ev_io_init(&n->vpn_w, vpn_ended_cb, n->vpn_pidfd, EV_READ);
	ev_io_start(loop, &n->vpn_w);
}

static const char *
vpn_peers_text(const struct jail_net *n)
{
	return n->vpn_peers != NULL ? n->vpn_peers : "its peers";
}

/* The launcher's byte (H->ready_byte, exactly): the tunnel and its routes
 * are up, the DNS servers written; the jail may start. A WireGuard
 * configurer, and only it, says first that the start now waits for the
 * handshake (NET_VPN_HANDSHAKING). EOF first: the VPN (or our launcher)
 * ended, its reason is in the log. Any other byte fails the start: an
 * openvpn that parsed a hostile server's packets may write it. */
static void
vpn_ready_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, vpn_ready_w);
	const struct net_helper *h = n->vpn_helper;
	char bytes[2], progress[640];
	ssize_t got;

	(void) revents;
	got = read(n->vpn_ready_fd, bytes, sizeof(bytes));
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got > 0 && h->handshakes && bytes[0] == NET_VPN_HANDSHAKING && !n->vpn_handshaking) {
		n->vpn_handshaking = true;
		snprintf(progress, sizeof(progress), "waiting for a WireGuard handshake with %s",
		         vpn_peers_text(n));
		n->ops->progress(n, progress);
		if (got == 1)
			return;
		bytes[0] = bytes[1]; /* the handshake came at once */
	}
	stop_vpn_start_watch(loop, n);
	if (got <= 0) {
		net_fail(loop, n, "%s ended before the tunnel was up (its reason is above)",
		         h->name);
		return;
	}
	if (bytes[0] != h->ready_byte) {
		net_fail(loop, n, "%s wrote '%s' on its ready pipe, not its ready byte", h->name,
		         bytes[0] == NET_VPN_HANDSHAKING ? "h" : "another byte");
		return;
	}
	watch_vpn(loop, n);
	start_step(h->step_up);
	n->ops->progress(n,
	                 "the tunnel is up: waiting for the jail (its init script, then the app)");
	net_helper_ready(loop, n, h);
}

/* The VPN's start took too long. For WireGuard past its configuration,
 * that is a peer that never answered: a server that is down, or one that
 * does not know our key, is silent by design, so the message names what
 * to check. */
static void
vpn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct jail_net *n = container_of(w, struct jail_net, vpn_timeout_w);
	const struct net_helper *h = n->vpn_helper;

	(void) revents;
	stop_vpn_start_watch(loop, n);
	if (n->vpn_handshaking)
		net_fail(loop, n,
		         "no handshake with %s within %.0f s: is the endpoint reachable, and does "
		         "the server know this .conf's key?",
		         vpn_peers_text(n), n->vpn_timeout);
	else
		net_fail(loop, n, "%s did not bring the tunnel up within %.0f s (%s)", h->name,
		         n->vpn_timeout, h->timeout_hint);
}

int
net_vpn_watch(struct ev_loop *loop, struct jail_net *n, const struct net_helper *h, pid_t pid,
              int ready_fd)
{
	int r;

	n->vpn_pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
	if (n->vpn_pidfd < 0) {
		r = -errno;
		(void) kill(pid, SIGKILL); /* our unreaped child: cannot be another */
		safe_close(ready_fd);
		return r;
	}
	n->vpn_helper = h;
	n->vpn_name = h->name;
	n->vpn_ready_fd = ready_fd;
	ev_io_init(&n->vpn_ready_w, vpn_ready_cb, n->vpn_ready_fd, EV_READ);
	ev_io_start(loop, &n->vpn_ready_w);
	ev_timer_init(&n->vpn_timeout_w, vpn_timeout_cb, n->vpn_timeout, 0.);
	ev_timer_start(loop, &n->vpn_timeout_w);
	start_step(h->step_spawned);
	return 0;
}

void
net_vpn_stop(struct ev_loop *loop, struct jail_net *n)
{
	stop_vpn_start_watch(loop, n);
	if (n->vpn_pidfd >= 0) {
		ev_io_stop(loop, &n->vpn_w);
		/* By the pidfd, not only by the pid file: before its execve()
		 * our launcher is not called openvpn or wireguard-go yet
		 * (resolving the servers can take long), and would go on into
		 * a jail that is gone. */
		(void) syscall(SYS_pidfd_send_signal, n->vpn_pidfd, SIGTERM, NULL, 0);
		n->vpn_pidfd = safe_close(n->vpn_pidfd);
	}
}

const struct sandbox_filter *
net_sandbox_filter(void)
{
	static struct sandbox_filter *filter;

	if (filter == NULL)
		(void) sandbox_filter_new(&filter);
	return filter;
}

/* The VPN of a jail found running: the helper whose pid file names a live
 * process of its name. */
bool
net_adopt(struct ev_loop *loop, struct jail_net *n, int dir_fd)
{
	for (const struct net_helper *const *h = helpers_all; *h != NULL; h++) {
		struct proc_id id;

		if ((*h)->pid_file == NULL || proc_id_read_at(dir_fd, (*h)->pid_file, &id) < 0)
			continue;
		n->vpn_name = (*h)->name;
		if (proc_id_is(&id, (*h)->comm) > 0 &&
		    proc_id_open_pidfd(&id, &n->vpn_pidfd) >= 0) {
			watch_vpn(loop, n);
			return false;
		}
	}
	n->vpn_lost = true;
	return true;
}

void
net_done(struct ev_loop *loop, struct jail_net *n)
{
	for (const struct net_helper *const *h = helpers_all; *h != NULL; h++)
		(*h)->stop(loop, n);
	n->jailer_pidfd = safe_close(n->jailer_pidfd);
	n->go_fd = safe_close(n->go_fd);
	n->ns_fds[0] = safe_close(n->ns_fds[0]);
	n->ns_fds[1] = safe_close(n->ns_fds[1]);
	free(n->state_path);
	free(n->vpn_peers);
	vpn_config_done(&n->vpn);
	free(n->forward);
	net_init(n, n->ops);
}
