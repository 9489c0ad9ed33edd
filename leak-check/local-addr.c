/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jail's own addresses, and the interface a route leaves by, for the
 * route checks of leak-check.c and the VPN probe (vpn-probe.c).
 */
#include "leak-check/local-addr.h"

#include <sys/ioctl.h>

#include <netinet/in.h>
#include <stdio.h>

#include "state/log.h"
#include "state/util.h"

static bool
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *) a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *) b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *) a)->sin6_addr,
		              &((const struct sockaddr_in6 *) b)->sin6_addr,
		              sizeof(struct in6_addr)) == 0;
	return false;
}

/* The jail's addresses, by interface. Not from getifaddrs(): that asks
 * routing netlink, which a secure jail's filter refuses, and an unknown
 * interface would make every way out look like a leak. SIOCGIFCONF and
 * /proc/net/if_inet6 need no netlink. */
#define MAX_ADDRS 64

static struct local_addr addrs[MAX_ADDRS];
static size_t n_addrs;
static bool loaded;

static void
add_addr(int fd, const char *name, const struct sockaddr *sa, socklen_t len)
{
	struct local_addr *a;
	struct ifreq ifr = {};

	if (n_addrs == MAX_ADDRS || strlen(name) >= IF_NAMESIZE)
		return;
	a = &addrs[n_addrs++];
	snprintf(a->name, sizeof(a->name), "%s", name);
	memcpy(&a->addr, sa, len);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	a->flags = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 ? ifr.ifr_flags : 0;
}

static void
load_addrs(void)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	_cleanup_fclose_ FILE *f = NULL;
	struct ifreq req[MAX_ADDRS];
	struct ifconf ifc = {.ifc_len = sizeof(req), .ifc_req = req};
	char line[256];

	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to make a socket");
	if (ioctl(fd, SIOCGIFCONF, &ifc) == 0)
		for (size_t i = 0; i < (size_t) ifc.ifc_len / sizeof(req[0]); i++)
			add_addr(fd, req[i].ifr_name, &req[i].ifr_addr, sizeof(struct sockaddr_in));
	f = fopen("/proc/net/if_inet6", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char hex[33], name[IF_NAMESIZE + 1];
		unsigned idx, plen, scope, flags;
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};

		if (sscanf(line, "%32s %x %x %x %x %16s", hex, &idx, &plen, &scope, &flags, name) !=
		        6 ||
		    strlen(hex) != 32)
			continue;
		for (int i = 0; i < 16; i++) {
			char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};

			sin6.sin6_addr.s6_addr[i] = (unsigned char) strtoul(byte, NULL, 16);
		}
		add_addr(fd, name, (struct sockaddr *) &sin6, sizeof(sin6));
	}
}

size_t
local_addrs(const struct local_addr **ret)
{
	if (!loaded) {
		load_addrs();
		loaded = true;
	}
	*ret = addrs;
	return n_addrs;
}

int
route_iface(const struct sockaddr *sa, socklen_t len, char *ret, size_t size)
{
	_cleanup_close_ int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage local = {};
	socklen_t llen = sizeof(local);
	const struct local_addr *a;
	size_t n = local_addrs(&a);

	snprintf(ret, size, "-");
	if (fd < 0 || connect(fd, sa, len) < 0 ||
	    getsockname(fd, (struct sockaddr *) &local, &llen) < 0)
		return -errno;
	for (size_t i = 0; i < n; i++)
		if (same_addr((const struct sockaddr *) &a[i].addr, sa)) {
			snprintf(ret, size, "lo");
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		if (same_addr((const struct sockaddr *) &a[i].addr, (struct sockaddr *) &local)) {
			snprintf(ret, size, "%s", a[i].name);
			return 0;
		}
	snprintf(ret, size, "?");
	return 0;
}

short
local_iface_flags(const char *name)
{
	const struct local_addr *a;
	size_t n = local_addrs(&a);

	for (size_t i = 0; i < n; i++)
		if (streq(a[i].name, name))
			return a[i].flags;
	return 0;
}
