/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network of a jail (docs/architecture.md §5, "Networking"): the
 * supervisor's helpers that join the jail's user and network namespaces
 * once the jailer reports them ("ns=PID" on the iso-pipe), and the go byte
 * that lets the jail's first app start only when that network is final.
 *
 *   none   nothing runs: loopback only (the jailer brings lo up)
 *   pasta  pasta --config-net: outbound traffic through the host's sockets,
 *          the host's loopback only for the profile's forward ports
 *   vpn    pasta for the transport, then openvpn (a .ovpn) or wireguard-go
 *          (a .conf) in the jail's user and network namespaces and a
 *          sandbox of its own (state/sandbox.h); the routes are the
 *          tunnel's, the only other ones the host routes to the servers
 *   host   the host's network: nothing runs, no go byte is awaited
 *
 * The daemon's one interface to networking. Behind it, supervisor/net.c
 * holds what every mode shares and drives the helpers, each in a file of
 * its own: supervisor/pasta.c, supervisor/openvpn.c and
 * supervisor/wireguard.c (net-internal.h).
 */
#ifndef JAILSUP_SUPERVISOR_NET_H
#define JAILSUP_SUPERVISOR_NET_H

#include <ev.h>
#include <sys/types.h>

#include "ini-profiles/profile.h"
#include "supervisor/vpn-config.h"

struct jail_net;

struct jail_net_ops {
	/* The network could not be built: WHY goes to the jail's log and
	 * the jail must end (its start fails with that log). */
	void (*failed)(struct ev_loop *loop, struct jail_net *n, const char *why);
	/* The VPN (openvpn, wireguard-go: N->vpn_name) ended while the jail
	 * runs: the jail is offline now. */
	void (*vpn_lost)(struct ev_loop *loop, struct jail_net *n);
	/* What the start waits for now (TEXT), for the CLIs that wait. */
	void (*progress)(struct jail_net *n, const char *text);
	/* The network is final (NULL for a jail's: the go byte says it).
	 * A standby's pasta started ahead (net_ahead_start()) is ready. */
	void (*ready)(struct ev_loop *loop, struct jail_net *n);
};

struct jail_net {
	/* What both helpers use (supervisor/net.c). */
	enum jail_network mode;
	const struct jail_net_ops *ops;
	int dir_fd;	   /* the jail's state dir (not ours to close) */
	char *state_path;  /* its path, for the helpers' files */
	int go_fd;	   /* write end of the jailer's go pipe, -1 once sent */
	int ns_fds[2];	   /* the jail's user and network namespaces */
	int jailer_pidfd;  /* the jailer's, for the helpers' tethers (helper.h) */
	/* Started ahead, for no jail yet: no start steps (start-steps.h). */
	bool ahead;
	/* A jail's whose pasta was started ahead (net_ahead_claim()): the
	 * network namespace it serves, which the jail must be in. */
	bool pasta_claimed;
	dev_t claimed_net_dev;
	ino_t claimed_net_ino;

	/* pasta's (supervisor/pasta.c). */
	uint16_t *forward; /* TCP ports of the host's loopback the jail may reach */
	size_t n_forward;
	int pasta_pidfd;   /* pasta's tether, which outlives it by nothing */
	int pasta_status_fd; /* the exit status of pasta's first process: ready */
	ev_io pasta_w;

	/* The VPN's: openvpn (supervisor/openvpn.c) or wireguard-go
	 * (supervisor/wireguard.c), watched alike (net.c). */
	struct vpn_config vpn; /* the .ovpn, cleaned, and its files, open; or the .conf */
	double vpn_timeout;
	const char *vpn_name;   /* "openvpn", "wireguard-go": what ended, for the log */
	const void *vpn_helper; /* its struct net_helper */
	char *vpn_peers;        /* WireGuard's peers, as its start's messages name them */
	bool vpn_handshaking;   /* its tunnel is up, the first handshake awaited */
	int vpn_ready_fd;       /* the tunnel's readiness byte */
	ev_io vpn_ready_w;
	ev_timer vpn_timeout_w;
	int vpn_pidfd;     /* readable when the VPN's tether (and so the VPN) ends */
	bool vpn_lost;	   /* it did: the jail is offline (degraded) */
	ev_io vpn_w;
};

/* An idle N: no fds, nothing to watch (before net_prepare() or
 * net_adopt(), and what net_done() leaves). */
void net_init(struct jail_net *n, const struct jail_net_ops *ops);

/* Sets N up for profile P: the go pipe, whose read end *RET_GO_FD the
 * jailer gets, for every mode (no jail runs its init script before the
 * supervisor has recorded its jailer: net_jailer_recorded()); for pasta
 * and vpn also the jail's resolv.conf in the state dir. A vpn jail's *VPN
 * (vpn_config_load()) is taken over, and left empty. */
int net_prepare(struct jail_net *n, const struct jail_profile *p, int dir_fd,
		const char *state_path, const struct jail_net_ops *ops, double vpn_timeout,
		struct vpn_config *vpn, int *ret_go_fd);

/* The state file names the jailer now, so a supervisor that dies from
 * here on leaves the jail where the next one (and `list`) finds it: a jail
 * with no network to build gets its go byte. JAILER_PIDFD (borrowed) is
 * what the helpers' tethers watch. */
void net_jailer_recorded(struct jail_net *n, int jailer_pidfd);

/* The jailer reported its child NS_PID, which must be a child of
 * JAILER_PID: starts pasta, then openvpn, each tied to the jailer's life
 * (helper_tether()), then sends the go byte. Failures go to ops->failed. */
void net_namespaces_ready(struct ev_loop *loop, struct jail_net *n, pid_t ns_pid,
			  pid_t jailer_pid);

/* pasta started ahead of a start, in the namespaces a standby jailer made
 * (supervisor/jailer-spawn.c): N becomes a network of mode pasta with no
 * forward ports, for no jail yet; pasta's pid file and log go to the
 * directory DIR_FD (at DIR_PATH; not ours to close), its tether watches
 * JAILER_PIDFD (borrowed), NS_FDS (user, net) are taken over. OPS->ready
 * says when pasta is ready, OPS->failed when it could not start. 0 or
 * -errno. */
int net_ahead_start(struct ev_loop *loop, struct jail_net *n, const struct jail_net_ops *ops,
                    int dir_fd, const char *dir_path, int jailer_pidfd, int ns_fds[2]);

/* Whether the jail of N (after net_prepare()) may take a network started
 * ahead: pasta with no forward ports is exactly what net_ahead_start()
 * runs. A jail of any other mode never enters namespaces pasta was
 * attached to. */
bool net_ahead_fits(const struct jail_net *n);

/* The pasta of AHEAD, ready, becomes N's: its pid file moves into N's
 * state directory and its tether's pidfd into N; the go byte is sent once
 * the jail reports namespaces, which must be the ones this pasta serves
 * (net_namespaces_ready()). AHEAD is left for net_done(). 0 or -errno
 * (nothing moved then). */
int net_ahead_claim(struct jail_net *ahead, struct jail_net *n);

/* Undoes net_ahead_claim() when the standby could not take the start
 * after all: N starts its own pasta then (the claimed one ends with that
 * standby, which is killed). */
void net_ahead_unclaim(struct jail_net *n);

/* The end of a standby's network that no jail took: its pasta (by its pid
 * file, verified) and its tether end, then net_done(). */
void net_ahead_end(struct ev_loop *loop, struct jail_net *ahead);

/* The fd that becomes readable when AHEAD's pasta (its tether) ends, or
 * -1. */
int net_ahead_pidfd(const struct jail_net *ahead);

/* Re-watches the VPN (openvpn or wireguard-go, by the pid file it left)
 * of a vpn jail found by a new supervisor: true when it is gone already
 * (the jail is offline: degraded). */
bool net_adopt(struct ev_loop *loop, struct jail_net *n, int dir_fd);

/* Stops every watcher and closes every fd (the helpers themselves are
 * killed by their pid files). */
void net_done(struct ev_loop *loop, struct jail_net *n);

#endif
