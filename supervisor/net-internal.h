/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between the files of a jail's network, not for the daemon (which has
 * net.h): supervisor/net.c holds the jail_net object and what both helpers
 * use (the go byte, the namespace fds, a helper child's fds, the failure
 * path, the VPN's readiness and end); supervisor/pasta.c,
 * supervisor/openvpn.c and supervisor/wireguard.c each start one helper
 * and know nothing of each other. net.c drives them only
 * through their struct net_helper, in the order of the jail's network
 * mode: pasta, then for a VPN jail openvpn or wireguard-go once pasta is
 * ready.
 */
#ifndef JAILSUP_SUPERVISOR_NET_INTERNAL_H
#define JAILSUP_SUPERVISOR_NET_INTERNAL_H

#include <ev.h>

#include "state/util.h"
#include "supervisor/net.h"
#include "supervisor/start-steps.h"

/* The address in a pasta jail's resolv.conf: pasta forwards DNS sent
 * there to the host's first resolver (also a loopback one, such as
 * systemd-resolved's stub, which the jail itself cannot reach). */
#define NET_DNS_FORWARD "169.254.1.1"

/* The names the kill switch of a VPN jail knows its interfaces by (pasta
 * would otherwise copy the host's interface name, which may be "tun0"),
 * and the mark of the VPN's own packets (openvpn's --mark, wireguard-go's
 * fwmark), the only ones let out by pasta's. */
#define NET_PASTA_IFNAME "jsnet0"
#define NET_TUN_IFNAME	 "jsvpn0"
#define NET_VPN_MARK	 0x6a73u

/* The byte a VPN's configurer writes on its ready pipe when the tunnel
 * is configured and up, and the start waits for the first handshake
 * (WireGuard's, which alone proves a peer answers); the next byte is the
 * readiness. */
#define NET_VPN_HANDSHAKING 'h'

/* One helper of a jail's network, as net.c drives it. */
struct net_helper {
	const char *name; /* for "unable to start NAME" */
	/* Starts it in the jail's namespaces (N->ns_fds), tied to the
	 * jailer's life (N->jailer_pidfd, helper_tether()), once the helper
	 * before it is ready. It reports its own readiness later with
	 * net_helper_ready(), or its failure with net_fail(). */
	int (*start)(struct ev_loop *loop, struct jail_net *n);
	/* Stops its watchers, closes its fds and ends a start under way
	 * (SIGTERM to its tether, which passes it on); a no-op on an idle
	 * N. The helper itself is killed by its pid file (docs/architecture.md
	 * §3). */
	void (*stop)(struct ev_loop *loop, struct jail_net *n);

	/* A VPN helper's (net_vpn_watch()): the steps of its launcher's
	 * spawn and of its tunnel's readiness, the pid file its tether writes
	 * and the name its process has there, and what a start that timed
	 * out is told to look at. */
	enum start_step step_spawned, step_up;
	const char *pid_file;
	const char *comm;
	const char *timeout_hint;
	/* The one byte on its ready pipe that means up, and whether it may
	 * say NET_VPN_HANDSHAKING before it (WireGuard's configurer alone:
	 * openvpn holds its ready pipe itself, and it parses the server's
	 * packets). Any other byte fails the start. */
	char ready_byte;
	bool handshakes;
};

extern const struct net_helper net_pasta;   /* supervisor/pasta.c */
extern const struct net_helper net_openvpn; /* supervisor/openvpn.c */
extern const struct net_helper net_wireguard; /* supervisor/wireguard.c */

/* The VPN helper H's launcher was spawned: PID (its tether, which lives as
 * long as anything of the VPN does) and READY_FD (taken over: a byte once
 * the tunnel is up, EOF when the launcher ended first) are watched. The
 * byte makes H ready; EOF or N->vpn_timeout seconds fail the start; once
 * up, the tether's end is the VPN's loss (ops->vpn_lost). 0 or -errno
 * (the launcher is killed then). */
int net_vpn_watch(struct ev_loop *loop, struct jail_net *n, const struct net_helper *h, pid_t pid,
                  int ready_fd);

/* Every VPN helper's stop: the watchers go, and a start under way ends
 * (SIGTERM to the launcher's tether, which passes it on). */
void net_vpn_stop(struct ev_loop *loop, struct jail_net *n);

/* The helpers' seccomp filter (state/sandbox.h), compiled once per
 * supervisor at the first VPN start: every later launcher only loads it.
 * NULL when that failed: each launcher compiles its own then. */
const struct sandbox_filter *net_sandbox_filter(void);

/* HELPER is ready: net.c starts the next helper of N's mode, or sends the
 * jailer its go byte when HELPER was the last. */
void net_helper_ready(struct ev_loop *loop, struct jail_net *n, const struct net_helper *helper);

/* The network cannot be built: the message goes to N's ops->failed(). */
void net_fail(struct ev_loop *loop, struct jail_net *n, const char *fmt, ...) _printf_(3, 4);

/* In a helper's child: stdin /dev/null, stdout and stderr on the jail's
 * log, the namespace fds at 3 (net) and 4 (user) — pasta's /proc/self/fd/3
 * and 4 — EXTRA_FD (or -1) at NET_CHILD_FD_EXTRA, and the N_KEEP fds of
 * KEEP after it (KEEP is updated to their new numbers), nothing else; a
 * session of its own, signals reset. _exit()s when that fails. */
#define NET_CHILD_FD_EXTRA 5
void net_child_stdio(int dir_fd, const int ns_fds[2], int extra_fd, int *keep, size_t n_keep);

#endif
