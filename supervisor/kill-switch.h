/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's kill switch (docs/architecture.md §5, "The VPN"), built by
 * openvpn's launcher child in the jail's network namespace before openvpn
 * runs: routes to the VPN servers only, and an nftables table that lets
 * nothing out but by lo, the tunnel, and openvpn's own marked transport.
 * Netlink (libmnl) and libnftables calls, not a shell: both run as the
 * jail's user, who holds CAP_NET_ADMIN in the jail's user namespace.
 */
#ifndef JAILSUP_SUPERVISOR_KILL_SWITCH_H
#define JAILSUP_SUPERVISOR_KILL_SWITCH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One address of a VPN server, resolved on the host, and how openvpn
 * reaches it. */
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

/* In the jail's network namespace: deletes every route of the main table
 * but lo's (pasta's default routes and its link's subnet, which reaches
 * the host's LAN) and adds a host route to each of the N_REMOTES REMOTES
 * through the gateway of its address family. An address with no such
 * gateway is left out, with a warning on stderr: REMOTES and *N_REMOTES
 * are left holding those routed. Returns 0, -ENETUNREACH (none could be
 * routed, said on stderr), -E2BIG (too many routes to read), -errno. */
int kill_switch_routes(struct vpn_remote *remotes, size_t *n_remotes);

/* In the jail's network namespace: loads the nftables table whose output
 * chain drops all but lo, the tunnel and openvpn's transport to REMOTES
 * (libnftables.so.1, loaded here). Returns 0, -ENOPKG (no libnftables),
 * -EIO (the rules were refused), -ENOMEM. */
int kill_switch_nft(const struct vpn_remote *remotes, size_t n_remotes);

/* An address or a network of a tunnel: FAMILY, ADDR (4 or 16 bytes), PREFIX. */
struct vpn_tunnel_net {
	int family;
	unsigned char addr[16];
	unsigned prefix;
};

/* In the jail's network namespace, once the tunnel IFNAME exists (a
 * WireGuard jail's; openvpn sets its own up): gives it the N_ADDRS ADDRS,
 * the MTU (0: left as it is), brings it up and routes each of the N_ROUTES
 * ROUTES through it (a /0 as two halves). A route that exists already (a
 * host route to a server with the same prefix) is left as it is. Returns 0
 * or -errno (-ENODEV: no IFNAME). */
int kill_switch_tunnel_up(const char *ifname, const struct vpn_tunnel_net *addrs, size_t n_addrs,
                          unsigned mtu, const struct vpn_tunnel_net *routes, size_t n_routes);

#endif
