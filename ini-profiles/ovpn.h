/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What jailsup reads of a VPN jail's .ovpn file: its servers. openvpn
 * reads the whole file itself; the supervisor needs the servers before it
 * starts, to route the jail to them alone and let only openvpn's transport
 * through the kill switch (supervisor/net.c).
 */
#ifndef JAILSUP_OVPN_H
#define JAILSUP_OVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OVPN_REMOTES_MAX 16
#define OVPN_HOST_MAX	 255

struct ovpn_remote {
	char host[OVPN_HOST_MAX + 1];
	uint16_t port;
	bool tcp;
};

/* The `remote HOST [PORT] [PROTO]` lines of TEXT (also inside
 * <connection> blocks; never inside inline files such as <ca>), their
 * port and protocol defaulting to the file's `port`/`rport` and `proto`
 * wherever those stand, else 1194 and UDP, as openvpn does. Returns 0 and
 * *N (possibly 0); -EINVAL with *BAD_LINE for a port that is not 1-65535,
 * a host longer than OVPN_HOST_MAX, or more than MAX remotes. */
int ovpn_remotes_parse(const char *text, struct ovpn_remote *out, size_t max, size_t *n,
		       unsigned *bad_line);

/* TEXT without what jailsup decides itself or must not let a .ovpn do:
 * the servers (`remote`, <connection> blocks: jailsup passes the
 * addresses it routed), the tun device and the mark (the kill switch
 * names them), and every directive that runs a program, loads a plugin,
 * writes a file, changes the user, opens a management port, daemonises or
 * includes another file. Inline files (<ca>…) are kept as they are. Each
 * dropped line is replaced by a comment naming it, so openvpn's line
 * numbers still match the file's. *ret is malloc'd. */
int ovpn_clean(const char *text, char **ret);

#endif
