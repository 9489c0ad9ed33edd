/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's kill switch (kill-switch.h): two walls, built by netlink
 * and nftables calls in the jail's network namespace before openvpn runs.
 * The default routes pasta made are deleted and replaced by host routes
 * to the VPN server(s), so the tunnel's routes are the only way out; an
 * nftables table drops what leaves by any interface but lo and the
 * tunnel, except openvpn's transport.
 */
#include "supervisor/kill-switch.h"

#include <dlfcn.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <time.h>

#include "state/util.h"
#include "supervisor/net-internal.h"

#define NL_BUFFER_SIZE 8192 /* MNL_SOCKET_BUFFER_SIZE, but not a VLA */

struct route {
	int family;
	uint32_t table;
	uint32_t oif;
	unsigned char dst_len;
	unsigned char dst[16];
	bool has_gateway;
	unsigned char gateway[16];
};

struct route_dump {
	struct route routes[64];
	size_t n;
	bool truncated;
};

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void
copy_addr(unsigned char out[16], const struct nlattr *attr)
{
	size_t len = mnl_attr_get_payload_len(attr);

	memcpy(out, mnl_attr_get_payload(attr), len < 16 ? len : 16);
}

/* Collects the main table's unicast routes but lo's. */
static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *d = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = {};
	struct route r;

	if (rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	r = (struct route){ .family = rtm->rtm_family, .table = rtm->rtm_table,
			    .dst_len = rtm->rtm_dst_len };
	if (tb[RTA_TABLE] != NULL)
		r.table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_OIF] != NULL)
		r.oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (r.table != RT_TABLE_MAIN || r.oif == 1 /* lo */)
		return MNL_CB_OK;
	if (tb[RTA_DST] != NULL)
		copy_addr(r.dst, tb[RTA_DST]);
	if (tb[RTA_GATEWAY] != NULL) {
		r.has_gateway = true;
		copy_addr(r.gateway, tb[RTA_GATEWAY]);
	}
	if (d->n >= ELEMENTSOF(d->routes)) {
		d->truncated = true;
		return MNL_CB_OK;
	}
	d->routes[d->n++] = r;
	return MNL_CB_OK;
}

/* Sends one request on NL and reads its answers (a dump, or an ack). */
static int
nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUFFER_SIZE];
	unsigned portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t) len, seq, portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *
route_msg(char *buf, uint16_t type, uint16_t flags, int family, struct rtmsg **ret_rtm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = (uint32_t) time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char) family;
	*ret_rtm = rtm;
	return nlh;
}

/* In the jail's network namespace: every route pasta made goes (the
 * default ones, and those of its link's subnet, which would reach the
 * host's LAN outside the tunnel), and each VPN server gets a host route
 * through the gateway of its address family, on-link. */
int
kill_switch_routes(struct vpn_remote *remotes, size_t *n_remotes)
{
	size_t kept = 0;
	char buf[NL_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct route_dump dump = {};
	struct rtmsg *rtm;
	struct nlmsghdr *nlh;
	int r = 0;

	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	nlh = route_msg(buf, RTM_GETROUTE, NLM_F_DUMP, AF_UNSPEC, &rtm);
	r = nl_talk(nl, nlh, route_cb, &dump);
	if (r >= 0 && dump.truncated)
		r = -E2BIG;
	for (size_t i = 0; r >= 0 && i < dump.n; i++) {
		const struct route *d = &dump.routes[i];

		nlh = route_msg(buf, RTM_DELROUTE, NLM_F_ACK, d->family, &rtm);
		rtm->rtm_dst_len = d->dst_len;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
		if (d->dst_len > 0)
			mnl_attr_put(nlh, RTA_DST, d->family == AF_INET ? 4 : 16, d->dst);
		if (d->oif != 0)
			mnl_attr_put_u32(nlh, RTA_OIF, d->oif);
		r = nl_talk(nl, nlh, NULL, NULL);
		/* One route can go with another (a prefix route with its
		 * address's): gone is what we want. */
		if (r == -ESRCH)
			r = 0;
	}
	for (size_t i = 0; r >= 0 && i < *n_remotes; i++) {
		const struct vpn_remote *s = &remotes[i];
		const struct route *via = NULL;

		for (size_t k = 0; k < dump.n && via == NULL; k++)
			if (dump.routes[k].family == s->family && dump.routes[k].dst_len == 0 &&
			    dump.routes[k].has_gateway)
				via = &dump.routes[k];
		/* A name with an IPv6 address on a host without IPv6 (or the
		 * other way round): that address is left out, not the VPN. */
		if (via == NULL) {
			dprintf(2, "jailsup: warning: no %s route out of the jail: the VPN server "
				   "address %s is left out\n",
				s->family == AF_INET ? "IPv4" : "IPv6", s->text);
			continue;
		}
		nlh = route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK,
				s->family, &rtm);
		rtm->rtm_dst_len = s->family == AF_INET ? 32 : 128;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
		/* The link's subnet route is gone: the gateway is on-link. */
		rtm->rtm_flags = RTNH_F_ONLINK;
		mnl_attr_put(nlh, RTA_DST, s->family == AF_INET ? 4 : 16, &s->addr);
		mnl_attr_put(nlh, RTA_GATEWAY, s->family == AF_INET ? 4 : 16, via->gateway);
		mnl_attr_put_u32(nlh, RTA_OIF, via->oif);
		r = nl_talk(nl, nlh, NULL, NULL);
		remotes[kept++] = *s;
	}
	*n_remotes = kept;
	if (r >= 0 && kept == 0) {
		dprintf(2, "jailsup: error: no address of the VPN servers can be routed out of "
			   "the jail\n");
		r = -ENETUNREACH;
	}
out:
	mnl_socket_close(nl);
	return r;
}

/* The second wall, and the one that holds against what routes cannot
 * stop (a socket bound to pasta's interface with SO_BINDTODEVICE reaches
 * any address on-link; link-local multicast uses the local table):
 * nothing leaves but by lo, by the tunnel (by its exact name: pasta's
 * interface is named by us too, so no host naming scheme can make them
 * match), or as openvpn's own transport — marked by openvpn (--mark,
 * which needs CAP_NET_ADMIN: no app of the jail can set it) and going to
 * a server's address and port. libnftables is loaded at run time, in
 * this child only: the supervisor itself stays small. */
int
kill_switch_nft(const struct vpn_remote *remotes, size_t n_remotes)
{
	typedef void *(*ctx_new_fn)(uint32_t);
	typedef int (*run_fn)(void *, const char *);
	typedef void (*ctx_free_fn)(void *);
	_cleanup_free_ char *rules = NULL;
	void *lib = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
	ctx_new_fn ctx_new;
	run_fn run;
	ctx_free_fn ctx_free;
	void *ctx;
	int r;

	if (lib == NULL)
		return -ENOPKG;
	ctx_new = (ctx_new_fn) dlsym(lib, "nft_ctx_new");
	run = (run_fn) dlsym(lib, "nft_run_cmd_from_buffer");
	ctx_free = (ctx_free_fn) dlsym(lib, "nft_ctx_free");
	if (ctx_new == NULL || run == NULL || ctx_free == NULL)
		return -ENOPKG;
	rules = strdup("table inet jailsup {\n"
		       " chain output {\n"
		       "  type filter hook output priority 0; policy drop;\n"
		       "  oifname \"lo\" accept\n"
		       "  oifname \"" NET_TUN_IFNAME "\" accept\n");
	for (size_t i = 0; rules != NULL && i < n_remotes; i++) {
		_cleanup_free_ char *more = NULL;

		if (asprintf(&more, "%s  meta mark %u %s daddr %s %s dport %u accept\n", rules,
			     NET_VPN_MARK, remotes[i].family == AF_INET ? "ip" : "ip6",
			     remotes[i].text, remotes[i].tcp ? "tcp" : "udp",
			     (unsigned) remotes[i].port) < 0)
			return -ENOMEM;
		free(rules);
		rules = TAKE_PTR(more);
	}
	if (rules == NULL)
		return -ENOMEM;
	{
		_cleanup_free_ char *all = NULL;

		if (asprintf(&all, "%s }\n}\n", rules) < 0)
			return -ENOMEM;
		ctx = ctx_new(0);
		if (ctx == NULL)
			return -ENOMEM;
		r = run(ctx, all);
		ctx_free(ctx);
	}
	return r == 0 ? 0 : -EIO;
}

/* One netlink request that wants only its ack; an answer of EXISTS is
 * taken as done when ALLOW_EXISTS. */
static int
nl_do(struct mnl_socket *nl, struct nlmsghdr *nlh, bool allow_exists)
{
	int r = nl_talk(nl, nlh, NULL, NULL);

	return r == -EEXIST && allow_exists ? 0 : r;
}

static void
mask_prefix(unsigned char addr[16], size_t len, unsigned prefix)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 : (prefix > 8 * i ? prefix - 8 * i : 0);

		addr[i] &= (unsigned char) (0xff00u >> keep);
	}
}

/* A route of DST/PREFIX through the tunnel IFINDEX. A /0 is two halves
 * (as openvpn's two /1 routes): it wins over any default route and leaves
 * the host routes to the servers, which are longer, in place. */
static int
tunnel_route(struct mnl_socket *nl, unsigned ifindex, const struct vpn_tunnel_net *dst)
{
	size_t len = dst->family == AF_INET ? 4 : 16;
	unsigned char addr[16] = {};
	char buf[NL_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int r;

	if (dst->prefix == 0) {
		struct vpn_tunnel_net half = {.family = dst->family, .prefix = 1};

		r = tunnel_route(nl, ifindex, &half);
		half.addr[0] = 0x80;
		return r < 0 ? r : tunnel_route(nl, ifindex, &half);
	}
	memcpy(addr, dst->addr, len);
	mask_prefix(addr, len, dst->prefix);
	nlh =
	    route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, dst->family, &rtm);
	rtm->rtm_dst_len = dst->prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, len, addr);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	/* The same prefix as a host route to a server: that one stays, so
	 * the tunnel's own packets still leave by pasta's interface. */
	return nl_do(nl, nlh, true);
}

int
kill_switch_tunnel_up(const char *ifname, const struct vpn_tunnel_net *addrs, size_t n_addrs,
                      unsigned mtu, const struct vpn_tunnel_net *routes, size_t n_routes)
{
	char buf[NL_BUFFER_SIZE];
	unsigned ifindex = if_nametoindex(ifname);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int r = 0;

	if (ifindex == 0)
		return -errno;
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	for (size_t i = 0; r >= 0 && i < n_addrs; i++) {
		size_t len = addrs[i].family == AF_INET ? 4 : 16;
		struct ifaddrmsg *ifa;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK;
		nlh->nlmsg_seq = (uint32_t) time(NULL);
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = (unsigned char) addrs[i].family;
		ifa->ifa_prefixlen = addrs[i].prefix;
		ifa->ifa_scope = RT_SCOPE_UNIVERSE;
		ifa->ifa_index = ifindex;
		/* No duplicate address detection on a point-to-point tunnel:
		 * the address is usable at once, not "tentative" for a while. */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put(nlh, IFA_LOCAL, len, addrs[i].addr);
		mnl_attr_put(nlh, IFA_ADDRESS, len, addrs[i].addr);
		r = nl_do(nl, nlh, true);
	}
	if (r >= 0) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = (uint32_t) time(NULL);
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = (int) ifindex;
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
		if (mtu > 0)
			mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
		r = nl_do(nl, nlh, false);
	}
	for (size_t i = 0; r >= 0 && i < n_routes; i++)
		r = tunnel_route(nl, ifindex, &routes[i]);
out:
	mnl_socket_close(nl);
	return r;
}
