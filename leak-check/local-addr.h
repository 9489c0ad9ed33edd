/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The jail's own addresses, by interface, and the interface a route
 * leaves by (local-addr.c). */

#include <sys/socket.h>

#include <net/if.h>
#include <stddef.h>

struct local_addr {
	char name[IF_NAMESIZE];
	struct sockaddr_storage addr;
	short flags; /* IFF_*, 0 when unread */
};

/* Every address of the jail's network namespace, read once. Returns how
 * many, and the array in *RET. */
size_t local_addrs(const struct local_addr **ret);

/* The interface a packet to SA leaves by, in RET: "lo" when SA is an
 * address of ours (delivered here), "-" when there is no route (returns
 * -errno of the route lookup), "?" when the source address the kernel
 * picked is on no interface we know. A UDP connect() looks the route up
 * and sends nothing. Returns 0 or -errno. */
int route_iface(const struct sockaddr *sa, socklen_t len, char *ret, size_t size);

/* The IFF_* flags of interface NAME, 0 when it has no address. */
short local_iface_flags(const char *name);
