/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jail's side of a VPN jail's leak test (docs/jail.md "jailsup check",
 * "The VPN leak test"): `leak-check --vpn-probe NONCE [--dns ENDPOINT]…
 * [--udp ENDPOINT]… [--bind-dev IFNAME]`, run by `jailsup check` in a jail
 * whose profile has `vpn = …` (OpenVPN or WireGuard: only the layout of the
 * namespace matters, pasta's interface, the tunnel, the kill switch).
 *
 * We judge nothing here: we try each way out and say what we saw, one line
 * each, and the CLI (cli/vpn-leak.c), which knows where its listeners are
 * and which interface is pasta's, decides. What it can observe itself (a
 * datagram arriving at its listener) it does not take from us.
 *
 *   iface NAME lo|p2p|other          each interface of the jail
 *   dns jail|host ENDPOINT IFNAME RESULT
 *                                    a query for a unique name under
 *                                    .invalid, to each resolver of our
 *                                    resolv.conf (jail) and each the CLI
 *                                    names (host); RESULT answered | silent
 *                                    | err:ERRNO
 *   udp ENDPOINT IFNAME RESULT       a datagram to the CLI's listener; sent
 *                                    | err:ERRNO
 *   bind ENDPOINT IFNAME RESULT      the same from a socket bound to IFNAME
 *                                    (SO_BINDTODEVICE)
 *   route6 PREFIX/LEN IFNAME         each IPv6 unicast route but local ones
 *   socket PATH RESULT               the host's resolver sockets, by their
 *                                    paths: connected | err:ERRNO
 *   end
 *
 * ENDPOINT is ADDR:PORT or [ADDR6]:PORT; IFNAME is "-" where there is no
 * route, "lo" where the address is the jail's own.
 */
#include "leak-check/vpn-probe.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <assert.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>

#include "leak-check/local-addr.h"
#include "state/log.h"
#include "state/util.h"

#define DNS_TIMEOUT_MS 1000
#define MAX_TARGETS    16
#define MAX_ROUTES6    48
#define SOCKET_WAIT_MS 1000

/* What resolves names on a host besides DNS itself: nscd, and
 * systemd-resolved's varlink sockets. Its D-Bus name is judged by the CLI
 * from the profile's system bus rules. */
static const char *const resolver_sockets[] = {
    "/run/nscd/socket",
    "/var/run/nscd/socket",
    "/run/systemd/resolve/io.systemd.Resolve",
    "/run/systemd/resolve/io.systemd.Resolve.Monitor",
};

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 8];
};

/* ADDR:PORT or [ADDR6]:PORT. */
static int
endpoint_parse(const char *s, struct endpoint *ret)
{
	_cleanup_free_ char *host = NULL;
	char canon[INET6_ADDRSTRLEN];
	const char *port_s;
	unsigned port;

	*ret = (struct endpoint){};
	if (s[0] == '[') {
		const char *end = strstr(s, "]:");

		if (end == NULL)
			return -EINVAL;
		host = strndup(s + 1, (size_t) (end - s - 1));
		port_s = end + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (colon == NULL)
			return -EINVAL;
		host = strndup(s, (size_t) (colon - s));
		port_s = colon + 1;
	}
	if (host == NULL)
		return -ENOMEM;
	if (parse_uint(port_s, 1, 65535, &port) < 0)
		return -EINVAL;
	if (s[0] != '[') {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ret->ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t) port);
		ret->len = sizeof(*sin);
		/* As inet_ntop() writes it: the CLI takes no other spelling. */
		inet_ntop(AF_INET, &sin->sin_addr, canon, sizeof(canon));
		snprintf(ret->text, sizeof(ret->text), "%s:%u", canon, port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ret->ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t) port);
		ret->len = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, canon, sizeof(canon));
		snprintf(ret->text, sizeof(ret->text), "[%s]:%u", canon, port);
	}
	return 0;
}

static void
print_ifaces(void)
{
	const struct local_addr *addrs;
	size_t n = local_addrs(&addrs);

	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < i; j++)
			dup = dup || streq(addrs[j].name, addrs[i].name);
		if (!dup)
			printf("iface %s %s\n", addrs[i].name,
			       (addrs[i].flags & IFF_LOOPBACK)      ? "lo"
			       : (addrs[i].flags & IFF_POINTOPOINT) ? "p2p"
			                                            : "other");
	}
}

/* A query for A of NAME: a fresh ID, recursion desired. */
static size_t
dns_query(unsigned char *buf, size_t size, uint16_t id, const char *name)
{
	size_t n = 12;

	memset(buf, 0, 12);
	buf[0] = (unsigned char) (id >> 8);
	buf[1] = (unsigned char) id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* one question */
	for (const char *l = name; *l != '\0';) {
		size_t len = strcspn(l, ".");

		assert(len > 0 && len < 64 && n + len + 6 < size);
		buf[n++] = (unsigned char) len;
		memcpy(buf + n, l, len);
		n += len;
		l += len;
		l += *l == '.';
	}
	buf[n++] = 0;
	buf[n++] = 0, buf[n++] = 1; /* A */
	buf[n++] = 0, buf[n++] = 1; /* IN */
	return n;
}

/* answered (a reply with our ID), silent (sent, no answer), or err:ERRNO
 * (the kernel refused to send it: the kill switch says EPERM). */
static void
probe_dns(const char *source, const struct endpoint *e, const char *nonce, unsigned i)
{
	_cleanup_close_ int fd = socket(e->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned char q[256], a[512];
	char ifname[IF_NAMESIZE + 2], name[128], result[32] = "silent";
	uint16_t id = 0;
	size_t qlen;

	(void) route_iface((const struct sockaddr *) &e->ss, e->len, ifname, sizeof(ifname));
	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t) sizeof(id))
		id = (uint16_t) (0x5a17 + i); /* an ID only tells our reply apart */
	/* A name no resolver has: nothing beyond the first one is asked
	 * (.invalid is never delegated), and each query is told apart. */
	snprintf(name, sizeof(name), "jl-%s-%u.jailsup-check.invalid", nonce, i);
	qlen = dns_query(q, sizeof(q), id, name);
	if (fd < 0 || connect(fd, (const struct sockaddr *) &e->ss, e->len) < 0 ||
	    send(fd, q, qlen, 0) < 0)
		snprintf(result, sizeof(result), "err:%d", errno);
	else {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r;

		while ((r = poll(&p, 1, DNS_TIMEOUT_MS)) < 0 && errno == EINTR)
			;
		/* A receive error (an ICMP port unreachable) still means the
		 * query left: it stays "silent", never an err: of the send. */
		if (r > 0) {
			ssize_t n = recv(fd, a, sizeof(a), MSG_DONTWAIT);

			if (n >= 12 && a[0] == q[0] && a[1] == q[1] && (a[2] & 0x80))
				snprintf(result, sizeof(result), "answered");
		}
	}
	printf("dns %s %s %s %s\n", source, e->text, ifname, result);
}

static void
probe_udp(const char *kind, const struct endpoint *e, const char *dev, const char *nonce)
{
	_cleanup_close_ int fd = socket(e->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char ifname[IF_NAMESIZE + 2], payload[128], result[32] = "sent";

	snprintf(payload, sizeof(payload), "jailsup-leak %s %s\n", nonce, kind);
	(void) route_iface((const struct sockaddr *) &e->ss, e->len, ifname, sizeof(ifname));
	/* Bound to DEV, a packet leaves by DEV whatever the routes say; only
	 * one to an address of ours stays here. */
	if (dev != NULL && !streq(ifname, "lo"))
		snprintf(ifname, sizeof(ifname), "%s", dev);
	if (fd < 0 ||
	    (dev != NULL &&
	     setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t) strlen(dev)) < 0) ||
	    sendto(fd, payload, strlen(payload), 0, (const struct sockaddr *) &e->ss, e->len) < 0)
		snprintf(result, sizeof(result), "err:%d", errno);
	printf("%s %s %s %s\n", kind, e->text, ifname, result);
}

/* Every IPv6 unicast route that could carry a packet out: the local
 * table's own addresses, anycast, reject routes and multicast stay out. */
static void
print_routes6(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/ipv6_route", "re");
	char line[256];
	size_t n = 0;

	if (f == NULL)
		return; /* no IPv6 in this kernel: no route */
	while (fgets(line, sizeof(line), f) != NULL && n < MAX_ROUTES6) {
		char dst[33], src[33], hop[33], dev[IF_NAMESIZE + 1], text[INET6_ADDRSTRLEN];
		unsigned dlen, slen, metric, ref, use, flags;
		struct in6_addr a;

		if (sscanf(line, "%32s %x %32s %x %32s %x %x %x %x %15s", dst, &dlen, src, &slen,
		           hop, &metric, &ref, &use, &flags, dev) != 10 ||
		    strlen(dst) != 32)
			continue;
		if (flags & (0x80000000u /* RTF_LOCAL */ | 0x00100000u /* RTF_ANYCAST */ |
		             0x0200u /* RTF_REJECT */))
			continue;
		for (int i = 0; i < 16; i++) {
			char byte[3] = {dst[2 * i], dst[2 * i + 1], '\0'};

			a.s6_addr[i] = (unsigned char) strtoul(byte, NULL, 16);
		}
		if (a.s6_addr[0] == 0xff || inet_ntop(AF_INET6, &a, text, sizeof(text)) == NULL)
			continue;
		printf("route6 %s/%u %s\n", text, dlen, dev);
		n++;
	}
}

static void
probe_sockets(void)
{
	for (size_t i = 0; i < ELEMENTSOF(resolver_sockets); i++) {
		_cleanup_close_ int fd =
		    socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		struct sockaddr_un sa;
		socklen_t len;
		int err = 0;

		if (fd < 0 || unix_sockaddr(resolver_sockets[i], false, &sa, &len) < 0)
			err = fd < 0 ? errno : EINVAL;
		else if (connect(fd, (struct sockaddr *) &sa, len) < 0) {
			err = errno;
			if (err == EINPROGRESS || err == EAGAIN) {
				struct pollfd p = {.fd = fd, .events = POLLOUT};
				socklen_t elen = sizeof(err);

				err = poll(&p, 1, SOCKET_WAIT_MS) <= 0 ? ETIMEDOUT
				      : getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0
				          ? errno
				          : err;
			}
		}
		if (err == 0)
			printf("socket %s connected\n", resolver_sockets[i]);
		else
			printf("socket %s err:%d\n", resolver_sockets[i], err);
	}
}

/* The nameservers of our resolv.conf, on port 53. */
static size_t
jail_resolvers(struct endpoint *ret, size_t max)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256];
	size_t n = 0;

	while (f != NULL && n < max && fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *key = strtok_r(line, " \t\n", &save);
		char *addr = key != NULL ? strtok_r(NULL, " \t\n", &save) : NULL;
		_cleanup_free_ char *ep = NULL;

		if (key == NULL || addr == NULL || !streq(key, "nameserver"))
			continue;
		if (asprintf(&ep, strchr(addr, ':') != NULL ? "[%s]:53" : "%s:53", addr) < 0)
			die(EXIT_TEMPORARY, "out of memory");
		if (endpoint_parse(ep, &ret[n]) >= 0)
			n++;
	}
	return n;
}

int
vpn_probe_main(const char *nonce, int argc, char **argv)
{
	struct endpoint dns[MAX_TARGETS], udp[MAX_TARGETS], mine[MAX_TARGETS];
	size_t n_dns = 0, n_udp = 0, n_mine;
	const char *dev = NULL;
	unsigned q = 0;

	if (nonce[0] == '\0' || strlen(nonce) > 32 ||
	    strspn(nonce, "0123456789abcdef") != strlen(nonce))
		die(EXIT_PERMANENT, "bad nonce '%s'", nonce);
	for (int i = 0; i < argc; i += 2) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			die(EXIT_PERMANENT, "bad argument '%s'", o);
		if (streq(o, "--dns") && n_dns < MAX_TARGETS) {
			if (endpoint_parse(v, &dns[n_dns++]) < 0)
				die(EXIT_PERMANENT, "bad endpoint '%s'", v);
		} else if (streq(o, "--udp") && n_udp < MAX_TARGETS) {
			if (endpoint_parse(v, &udp[n_udp++]) < 0)
				die(EXIT_PERMANENT, "bad endpoint '%s'", v);
		} else if (streq(o, "--bind-dev") && v[0] != '\0' && strlen(v) < IF_NAMESIZE)
			dev = v;
		else
			die(EXIT_PERMANENT, "bad argument '%s'", o);
	}

	print_ifaces();
	n_mine = jail_resolvers(mine, ELEMENTSOF(mine));
	for (size_t i = 0; i < n_mine; i++)
		probe_dns("jail", &mine[i], nonce, q++);
	for (size_t i = 0; i < n_dns; i++)
		probe_dns("host", &dns[i], nonce, q++);
	for (size_t i = 0; i < n_udp; i++)
		probe_udp("udp", &udp[i], NULL, nonce);
	for (size_t i = 0; dev != NULL && i < n_udp; i++)
		probe_udp("bind", &udp[i], dev, nonce);
	print_routes6();
	probe_sockets();
	printf("end\n");
	return fflush(stdout) == 0 ? 0 : EXIT_TEMPORARY;
}
