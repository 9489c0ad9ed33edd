/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pasta, the user-mode network of `network = pasta` and the transport of
 * a VPN jail (docs/architecture.md §5): started as the user below its
 * tether (helper_tether(), which ends it with the jailer), attached to the
 * jail's user and network namespaces by our fds of them (--netns/--userns
 * as /proc/self/fd/3 and 4), so a PID reused since cannot redirect it.
 * Nothing of the host reaches into the jail; the jail reaches the host's
 * loopback only on the profile's forward ports. pasta daemonises once the
 * namespace is configured: that is its readiness (net-internal.h).
 */
#include <sys/syscall.h>

#include <fcntl.h>
#include <signal.h>

#include "state/proc-id.h"
#include "state/state.h"
#include "supervisor/helper.h"
#include "supervisor/net-internal.h"
#include "supervisor/start-steps.h"

#define PASTA_PID_NEW "pasta.pid.new" /* pasta's own pid file: the PID alone */

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
		/* Our name for its interface in the jail (net-internal.h). */
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
			r = strv_push(&v, fixed[i]);
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
		r = strv_push(&v, "-T");
	if (r >= 0)
		r = strv_push(&v, ports != NULL ? ports : "none");
	if (r >= 0 && n->mode == NETWORK_PASTA) {
		r = strv_push(&v, "--dns-forward");
		if (r >= 0)
			r = strv_push(&v, NET_DNS_FORWARD);
	}
	/* A VPN jail's only default route is the tunnel: no router
	 * advertisement or DHCP may give it another one later. */
	for (const char *const *o = (const char *const[]){ "--no-ra", "--no-dhcp", "--no-dhcpv6",
							    NULL };
	     n->mode == NETWORK_VPN && *o != NULL && r >= 0; o++)
		r = strv_push(&v, *o);
	if (r >= 0)
		r = strv_push(&v, "--pid");
	if (r >= 0)
		r = strv_push(&v, pid_path);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
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
		net_child_stdio(n->dir_fd, n->ns_fds, -1, NULL, 0);
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
	if (!n->ahead)
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
	if (!n->ahead)
		start_step(STEP_PASTA_READY);
	net_helper_ready(loop, n, &net_pasta);
}

static void
stop_pasta(struct ev_loop *loop, struct jail_net *n)
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
}

/* No adopt: a running pasta is not watched (only openvpn's end makes a
 * jail degraded); its tether ends it with the jail. */
const struct net_helper net_pasta = {
	.name = "pasta",
	.start = start_pasta,
	.stop = stop_pasta,
};
