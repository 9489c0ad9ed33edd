/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's leak test, the host's side (vpn-leak.h): the jail's probe
 * reports, we decide. What the probe printed is the jail's: any process
 * of a compromised jail could have written it, so it is bounded, parsed
 * against an allowlist of line forms and tokens (an address goes through
 * inet_pton() and must come back the same), and what we put into a
 * verdict is only what passed. A report that does not parse is a failed
 * test, never a clean one.
 */
#include "cli/vpn-leak.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>

#include "state/util.h"

/* The resolver sockets the probe tries (leak-check/vpn-probe.c). */
static const char *const resolver_sockets[] = {
    "/run/nscd/socket",
    "/var/run/nscd/socket",
    "/run/systemd/resolve/io.systemd.Resolve",
    "/run/systemd/resolve/io.systemd.Resolve.Monitor",
};

static bool
ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (streq(s, "-") || streq(s, "?"))
		return true;
	return n > 0 && n < IF_NAMESIZE &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@") == n;
}

/* ADDR:PORT or [ADDR6]:PORT, exactly as inet_ntop() and %u write it. */
static bool
endpoint_valid(const char *s)
{
	char host[INET6_ADDRSTRLEN + 1], again[INET6_ADDRSTRLEN];
	unsigned char buf[sizeof(struct in6_addr)];
	const char *port;
	unsigned p;
	bool six = s[0] == '[';
	size_t n;

	port = six ? strstr(s, "]:") : strrchr(s, ':');
	if (port == NULL)
		return false;
	n = (size_t) (port - s) - six;
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s + six, n);
	host[n] = '\0';
	port += six ? 2 : 1;
	if (parse_uint(port, 1, 65535, &p) < 0 || port[0] == '0' || port[0] == '+')
		return false;
	if (inet_pton(six ? AF_INET6 : AF_INET, host, buf) != 1 ||
	    inet_ntop(six ? AF_INET6 : AF_INET, buf, again, sizeof(again)) == NULL)
		return false;
	return streq(host, again);
}

static bool
prefix6_valid(const char *s)
{
	char host[INET6_ADDRSTRLEN + 1], again[INET6_ADDRSTRLEN];
	unsigned char buf[sizeof(struct in6_addr)];
	const char *slash = strchr(s, '/');
	unsigned len;
	size_t n;

	if (slash == NULL || (n = (size_t) (slash - s)) == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (parse_uint(slash + 1, 0, 128, &len) < 0 || (slash[1] == '0' && slash[2] != '\0'))
		return false;
	return inet_pton(AF_INET6, host, buf) == 1 &&
	       inet_ntop(AF_INET6, buf, again, sizeof(again)) != NULL && streq(host, again);
}

/* RESULT tokens: those ALLOWED lets through, and err:ERRNO. */
static int
parse_result(const char *s, const enum vpn_leak_result *allowed, size_t n, struct vpn_leak_item *it)
{
	static const char *const names[] = {
	    [VPN_LEAK_NONE] = "",
	    [VPN_LEAK_ANSWERED] = "answered",
	    [VPN_LEAK_SILENT] = "silent",
	    [VPN_LEAK_SENT] = "sent",
	    [VPN_LEAK_CONNECTED] = "connected",
	};

	if (strstartswith(s, "err:")) {
		if (s[4] == '0' || parse_uint(s + 4, 1, 4095, &it->err) < 0)
			return -EINVAL;
		it->result = VPN_LEAK_ERR;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (streq(s, names[allowed[i]])) {
			it->result = allowed[i];
			return 0;
		}
	return -EINVAL;
}

static int
copy_token(char *dst, size_t size, const char *s)
{
	if (strlen(s) >= size)
		return -EINVAL;
	strcpy(dst, s);
	return 0;
}

/* One line, split at single spaces into TOK (N tokens). */
static int
parse_line(char **tok, size_t n, struct vpn_leak_item *it, const char **reterr_msg)
{
	static const enum vpn_leak_result dns_ok[] = {VPN_LEAK_ANSWERED, VPN_LEAK_SILENT};
	static const enum vpn_leak_result send_ok[] = {VPN_LEAK_SENT};
	static const enum vpn_leak_result sock_ok[] = {VPN_LEAK_CONNECTED};
	const char *k = tok[0];

	*it = (struct vpn_leak_item){.result = VPN_LEAK_NONE};
	*reterr_msg = "malformed line";
	if (streq(k, "iface") && n == 3) {
		it->kind = VPN_LEAK_IFACE;
		if (!ifname_valid(tok[1]) || streq(tok[1], "-") || streq(tok[1], "?"))
			return *reterr_msg = "bad interface name", -EINVAL;
		if (streq(tok[2], "lo"))
			it->iftype = VPN_LEAK_IF_LO;
		else if (streq(tok[2], "p2p"))
			it->iftype = VPN_LEAK_IF_P2P;
		else if (streq(tok[2], "other"))
			it->iftype = VPN_LEAK_IF_OTHER;
		else
			return *reterr_msg = "bad interface type", -EINVAL;
		return copy_token(it->ifname, sizeof(it->ifname), tok[1]);
	}
	if (streq(k, "dns") && n == 5) {
		it->kind = VPN_LEAK_DNS;
		if (!streq(tok[1], "jail") && !streq(tok[1], "host"))
			return *reterr_msg = "bad resolver source", -EINVAL;
		it->from_host = streq(tok[1], "host");
		tok++;
		n--;
	} else if ((streq(k, "udp") || streq(k, "bind")) && n == 4)
		it->kind = streq(k, "udp") ? VPN_LEAK_UDP : VPN_LEAK_BIND;
	else if (streq(k, "route6") && n == 3) {
		it->kind = VPN_LEAK_ROUTE6;
		if (!prefix6_valid(tok[1]))
			return *reterr_msg = "bad IPv6 prefix", -EINVAL;
		if (!ifname_valid(tok[2]))
			return *reterr_msg = "bad interface name", -EINVAL;
		(void) copy_token(it->ifname, sizeof(it->ifname), tok[2]);
		return copy_token(it->where, sizeof(it->where), tok[1]);
	} else if (streq(k, "socket") && n == 3) {
		bool known = false;

		it->kind = VPN_LEAK_SOCKET;
		for (size_t i = 0; i < ELEMENTSOF(resolver_sockets); i++)
			known = known || streq(tok[1], resolver_sockets[i]);
		if (!known)
			return *reterr_msg = "not a socket the probe tries", -EINVAL;
		if (parse_result(tok[2], sock_ok, ELEMENTSOF(sock_ok), it) < 0)
			return *reterr_msg = "bad result", -EINVAL;
		return copy_token(it->where, sizeof(it->where), tok[1]);
	} else
		return -EINVAL;

	/* dns, udp, bind: ENDPOINT IFNAME RESULT */
	if (!endpoint_valid(tok[1]))
		return *reterr_msg = "bad endpoint", -EINVAL;
	if (!ifname_valid(tok[2]))
		return *reterr_msg = "bad interface name", -EINVAL;
	if (it->kind == VPN_LEAK_DNS ? parse_result(tok[3], dns_ok, ELEMENTSOF(dns_ok), it) < 0
	                             : parse_result(tok[3], send_ok, ELEMENTSOF(send_ok), it) < 0)
		return *reterr_msg = "bad result", -EINVAL;
	(void) copy_token(it->ifname, sizeof(it->ifname), tok[2]);
	return copy_token(it->where, sizeof(it->where), tok[1]);
}

int
vpn_leak_parse(const char *text, size_t len, struct vpn_leak_report *ret, unsigned *reterr_line,
               const char **reterr_msg)
{
	size_t pos = 0;
	unsigned line = 0;
	bool ended = false;

	*reterr_line = 0;
	if (len > VPN_LEAK_MAX_OUTPUT)
		return *reterr_msg = "longer than any report", -E2BIG;
	ret->n = 0;
	while (pos < len) {
		char buf[VPN_LEAK_MAX_LINE + 1], *tok[6], *p;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = 0, l;
		int r;

		line++;
		*reterr_line = line;
		if (ended)
			return *reterr_msg = "text after the end", -EINVAL;
		if (nl == NULL)
			return *reterr_msg = "an unterminated line", -EINVAL;
		l = (size_t) (nl - (text + pos));
		if (l == 0 || l > VPN_LEAK_MAX_LINE)
			return *reterr_msg = l == 0 ? "an empty line" : "a line too long", -EINVAL;
		memcpy(buf, text + pos, l);
		buf[l] = '\0';
		pos += l + 1;
		for (size_t i = 0; i < l; i++)
			if (buf[i] != ' ' && !isgraph((unsigned char) buf[i]))
				return *reterr_msg = "a byte not of a report", -EINVAL;
		if (streq(buf, "end")) {
			ended = true;
			continue;
		}
		/* Tokens at single spaces: an empty token is a fault. */
		for (p = buf; n < ELEMENTSOF(tok); n++) {
			char *sp = strchr(p, ' ');

			tok[n] = p;
			if (*p == '\0' || *p == ' ')
				return *reterr_msg = "an empty field", -EINVAL;
			if (sp == NULL) {
				n++;
				break;
			}
			*sp = '\0';
			p = sp + 1;
			if (n + 1 == ELEMENTSOF(tok))
				return *reterr_msg = "too many fields", -EINVAL;
		}
		if (ret->n == VPN_LEAK_MAX_ITEMS)
			return *reterr_msg = "too many lines", -EINVAL;
		r = parse_line(tok, n, &ret->items[ret->n], reterr_msg);
		if (r < 0)
			return r;
		ret->n++;
	}
	if (!ended) {
		*reterr_line = 0;
		return *reterr_msg = "no end line: the probe did not finish", -EINVAL;
	}
	*reterr_line = 0;
	return 0;
}

/* --- the verdicts ------------------------------------------------------------ */

enum path_class {
	PATH_NONE,  /* no route */
	PATH_LOCAL, /* the jail's loopback or own address */
	PATH_TUNNEL,
	PATH_OUTSIDE,
};

static enum path_class
classify(const struct vpn_leak_report *r, const char *ifname, const char *pasta_if)
{
	if (streq(ifname, "-"))
		return PATH_NONE;
	if (streq(ifname, "lo"))
		return PATH_LOCAL;
	if (streq(ifname, pasta_if))
		return PATH_OUTSIDE;
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].kind == VPN_LEAK_IFACE && streq(r->items[i].ifname, ifname))
			return r->items[i].iftype == VPN_LEAK_IF_P2P  ? PATH_TUNNEL
			       : r->items[i].iftype == VPN_LEAK_IF_LO ? PATH_LOCAL
			                                              : PATH_OUTSIDE;
	return PATH_OUTSIDE; /* "?", or a name the report did not list */
}

/* One row in the making: its detail, "; "-separated findings, and
 * whether one of them is a leak. */
struct verdict {
	char *detail;
	size_t len;
	FILE *f;
	bool open, empty;
};

static int
verdict_begin(struct verdict *v)
{
	*v = (struct verdict){.empty = true};
	v->f = open_memstream(&v->detail, &v->len);
	return v->f != NULL ? 0 : -ENOMEM;
}

static void _printf_(3, 4) verdict_add(struct verdict *v, bool open, const char *fmt, ...)
{
	va_list ap;

	if (!v->empty)
		fputs("; ", v->f);
	v->empty = false;
	v->open = v->open || open;
	va_start(ap, fmt);
	vfprintf(v->f, fmt, ap);
	va_end(ap);
}

/* Appends "LABEL:closed|OPEN:DETAIL" to *SPECS and frees V. */
static int
verdict_end(struct verdict *v, const char *label, char ***specs)
{
	_cleanup_free_ char *detail = NULL, *spec = NULL;
	int r = fclose(v->f) == 0 ? 0 : -ENOMEM;

	detail = TAKE_PTR(v->detail);
	if (r < 0 || detail == NULL)
		return -ENOMEM;
	if (asprintf(&spec, "%s:%s:%s", label, v->open ? "OPEN" : "closed",
	             v->empty ? "nothing to try" : detail) < 0)
		return -ENOMEM;
	return strv_push(specs, spec);
}

/* DNS: a query answered, or sent at all, outside the tunnel. One answered
 * on the jail's own loopback counts too: pasta's forwarded ports lead from
 * there to the host's. */
static void
judge_dns(struct verdict *v, const struct vpn_leak_item *it, enum path_class c)
{
	const char *whose = it->from_host ? "the host's" : "resolv.conf";
	bool answered = it->result == VPN_LEAK_ANSWERED;

	if (it->result == VPN_LEAK_ERR)
		verdict_add(v, false, "%s (%s) refused: %s", it->where, whose,
		            strerror((int) it->err));
	else if (c == PATH_NONE)
		verdict_add(v, false, "%s (%s): no route", it->where, whose);
	else if (c == PATH_TUNNEL)
		verdict_add(v, false, "%s (%s) %s through %s", it->where, whose,
		            answered ? "answered" : "no answer", it->ifname);
	else if (c == PATH_LOCAL)
		verdict_add(v, answered, "%s (%s) %s on the jail's own address", it->where, whose,
		            answered ? "ANSWERED" : "no answer");
	else
		verdict_add(v, true, "%s (%s) %s by %s, outside the tunnel", it->where, whose,
		            answered ? "ANSWERED" : "LEFT", it->ifname);
}

/* UDP to the host's own addresses, plain or bound to pasta's interface:
 * what the kernel let leave by a way other than the tunnel is a leak (a
 * bound socket leaves by its device: only an address of the jail's own
 * stays in). */
static void
judge_udp(struct verdict *v, const struct vpn_leak_item *it, enum path_class c)
{
	if (it->kind == VPN_LEAK_BIND && c != PATH_LOCAL)
		c = PATH_OUTSIDE;
	if (it->result == VPN_LEAK_ERR)
		verdict_add(v, false, "%s refused: %s", it->where, strerror((int) it->err));
	else if (c == PATH_OUTSIDE)
		verdict_add(v, true, "%s SENT by %s", it->where, it->ifname);
	else if (c == PATH_NONE)
		verdict_add(v, false, "%s: no route", it->where);
	else
		verdict_add(v, false, "%s through %s", it->where, it->ifname);
}

static void
judge_route6(struct verdict *v, const struct vpn_leak_item *it, enum path_class c)
{
	if (c != PATH_LOCAL)
		verdict_add(v, c != PATH_TUNNEL, "%s via %s%s", it->where, it->ifname,
		            c == PATH_TUNNEL ? " (the tunnel)" : ", OUTSIDE the tunnel");
}

static void
judge_socket(struct verdict *v, const struct vpn_leak_item *it)
{
	if (it->result == VPN_LEAK_CONNECTED)
		verdict_add(v, true, "%s: CONNECTED", it->where);
	else
		verdict_add(v, false, "%s: %s", it->where, strerror((int) it->err));
}

enum { ROW_DNS, ROW_UDP, ROW_BIND, ROW_IPV6, ROW_SOCKETS, _ROW_MAX };

int
vpn_leak_judge(const struct vpn_leak_report *r, const char *pasta_if,
               const struct vpn_leak_seen *seen, char ***specs)
{
	struct verdict v[_ROW_MAX] = {};
	_cleanup_free_ char *bind_label = NULL;
	int ret = 0;

	if (asprintf(&bind_label, "VPN leak (socket bound to %s)", pasta_if) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < _ROW_MAX && ret >= 0; i++)
		ret = verdict_begin(&v[i]);
	if (ret < 0) {
		for (size_t i = 0; i < _ROW_MAX; i++)
			if (v[i].f != NULL) {
				fclose(v[i].f);
				free(v[i].detail);
			}
		return ret;
	}
	/* What reached our listeners is a leak whatever the report says. */
	if (seen->udp)
		verdict_add(&v[ROW_UDP], true, "our listener RECEIVED it from %s", seen->udp_from);
	if (seen->bind)
		verdict_add(&v[ROW_BIND], true, "our listener RECEIVED it from %s",
		            seen->bind_from);
	if (seen->ipv6)
		verdict_add(&v[ROW_IPV6], true, "our IPv6 listener RECEIVED a datagram");
	for (size_t i = 0; i < r->n; i++) {
		const struct vpn_leak_item *it = &r->items[i];
		enum path_class c = classify(r, it->ifname, pasta_if);

		switch (it->kind) {
		case VPN_LEAK_DNS:
			judge_dns(&v[ROW_DNS], it, c);
			break;
		case VPN_LEAK_UDP:
			judge_udp(&v[ROW_UDP], it, c);
			break;
		case VPN_LEAK_BIND:
			judge_udp(&v[ROW_BIND], it, c);
			break;
		case VPN_LEAK_ROUTE6:
			judge_route6(&v[ROW_IPV6], it, c);
			break;
		case VPN_LEAK_SOCKET:
			judge_socket(&v[ROW_SOCKETS], it);
			break;
		case VPN_LEAK_IFACE:
			break;
		}
	}
	if (!seen->udp)
		verdict_add(&v[ROW_UDP], false, "nothing reached our listener");
	if (!seen->bind)
		verdict_add(&v[ROW_BIND], false, "nothing reached our listener");
	if (v[ROW_IPV6].empty)
		verdict_add(&v[ROW_IPV6], false, "no IPv6 route out");
	{
		const char *labels[_ROW_MAX] = {
		    [ROW_DNS] = "VPN leak (DNS)",
		    [ROW_UDP] = "VPN leak (UDP)",
		    [ROW_BIND] = bind_label,
		    [ROW_IPV6] = "VPN leak (IPv6)",
		    [ROW_SOCKETS] = "VPN leak (resolver sockets)",
		};

		/* Every stream is closed, also after a failure. */
		for (size_t i = 0; i < _ROW_MAX; i++) {
			int k = verdict_end(&v[i], labels[i], specs);

			ret = ret < 0 ? ret : k;
		}
	}
	return ret;
}

/* A rule's name ("NAME", "NAME.*", or "NAME=…" for call and broadcast)
 * covers org.freedesktop.resolve1. */
static bool
rule_covers_resolved(const char *rule)
{
	static const char want[] = "org.freedesktop.resolve1";
	size_t n = strcspn(rule, "=");

	/* "PREFIX.*" covers PREFIX itself and every name below it. */
	if (n >= 2 && rule[n - 2] == '.' && rule[n - 1] == '*') {
		n -= 2;
		return strncmp(rule, want, n) == 0 && (want[n] == '\0' || want[n] == '.');
	}
	return n == strlen(want) && strncmp(rule, want, n) == 0;
}

bool
vpn_leak_resolved_on_bus(const struct profile_dbus *sys, bool granted)
{
	char **const lists[] = {sys->talk, sys->own, sys->see, sys->call, sys->broadcast};

	if (!granted)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(lists); i++)
		for (char **p = lists[i]; p != NULL && *p != NULL; p++)
			if (rule_covers_resolved(*p))
				return true;
	return false;
}
