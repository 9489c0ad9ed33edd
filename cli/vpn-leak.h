/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A VPN jail's leak test, the host's side (docs/jail.md "The VPN leak
 * test"): the jail's probe (leak-check --vpn-probe) reports what it saw,
 * one line each; we read that as hostile input and decide. */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "ini-profiles/profile.h"

#define VPN_LEAK_MAX_OUTPUT 16384 /* more is not a report of ours */
#define VPN_LEAK_MAX_ITEMS  96
#define VPN_LEAK_MAX_LINE   200

enum vpn_leak_kind {
	VPN_LEAK_IFACE,
	VPN_LEAK_DNS,
	VPN_LEAK_UDP,
	VPN_LEAK_BIND,
	VPN_LEAK_ROUTE6,
	VPN_LEAK_SOCKET,
};

enum vpn_leak_result {
	VPN_LEAK_NONE, /* iface, route6 */
	VPN_LEAK_ANSWERED,
	VPN_LEAK_SILENT, /* sent, no answer */
	VPN_LEAK_SENT,
	VPN_LEAK_CONNECTED,
	VPN_LEAK_ERR,
};

enum vpn_leak_iftype {
	VPN_LEAK_IF_LO,
	VPN_LEAK_IF_P2P,
	VPN_LEAK_IF_OTHER,
};

struct vpn_leak_item {
	enum vpn_leak_kind kind;
	char ifname[IF_NAMESIZE];    /* "-": no route; "?": unknown */
	char where[112];             /* endpoint, IPv6 prefix, or socket path */
	enum vpn_leak_iftype iftype; /* iface */
	bool from_host;              /* dns: a resolver the CLI named */
	enum vpn_leak_result result;
	unsigned err; /* VPN_LEAK_ERR */
};

struct vpn_leak_report {
	struct vpn_leak_item items[VPN_LEAK_MAX_ITEMS];
	size_t n;
};

/* What the host itself observed: datagrams with the check's nonce that
 * reached its listeners, by the probe that sent them. */
struct vpn_leak_seen {
	bool udp, bind, ipv6;
	char udp_from[64], bind_from[64];
};

/* Parses the probe's output TEXT (LEN bytes; no NUL, lines of at most
 * VPN_LEAK_MAX_LINE, every token from an allowlist, an "end" line last).
 * Returns 0, or -EINVAL with the 1-based line in *reterr_line (0: the
 * whole text) and a reason in *reterr_msg (static), -E2BIG (too long). */
int vpn_leak_parse(const char *text, size_t len, struct vpn_leak_report *ret, unsigned *reterr_line,
                   const char **reterr_msg);

/* The verdicts, as leak-check's --helper specs "LABEL:closed|OPEN:DETAIL"
 * appended to *SPECS. PASTA_IF is pasta's interface in the jail: an
 * interface is the tunnel when the report says it is point-to-point and it
 * is neither that one nor loopback. */
int vpn_leak_judge(const struct vpn_leak_report *r, const char *pasta_if,
                   const struct vpn_leak_seen *seen, char ***specs);

/* Whether the system bus rules SYS let a jail reach systemd-resolved's
 * D-Bus name (org.freedesktop.resolve1), the right being GRANTED. */
bool vpn_leak_resolved_on_bus(const struct profile_dbus *sys, bool granted);
