/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A WireGuard jail's configuration, in wg-quick's format (wg-conf.h): the
 * allowlist of its keys, their values, and the text `wg setconf` reads.
 *
 * The reader is our own rather than inih: a line is read as wg-quick reads
 * it (`read -r`, everything after '#' a comment, the key up to the first
 * '=', blanks trimmed, keys in any case, no ';' comments, no continuation
 * lines, no ':' separator), and inih differs on each of those and gives
 * its handler no line number. What either program could read otherwise
 * than we do (a NUL, a control byte, an overlong line) is refused.
 */
#include "ini-profiles/wg-conf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "state/util.h"

/* --- keys in wg's base64 ------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
wg_key_to_base64(const uint8_t key[WG_KEY_LEN], char out[WG_KEY_B64_LEN + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < WG_KEY_LEN; i += 3) {
		uint32_t v = (uint32_t) key[i] << 16;

		if (i + 1 < WG_KEY_LEN)
			v |= (uint32_t) key[i + 1] << 8;
		if (i + 2 < WG_KEY_LEN)
			v |= key[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < WG_KEY_LEN ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < WG_KEY_LEN ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

bool
wg_key_from_base64(const char *s, uint8_t key[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN];
	char again[WG_KEY_B64_LEN + 1];
	uint32_t v = 0;
	size_t bits = 0, o = 0;
	bool ok;

	if (strlen(s) != WG_KEY_B64_LEN || s[WG_KEY_B64_LEN - 1] != '=')
		return false;
	for (size_t i = 0; i < WG_KEY_B64_LEN - 1; i++) {
		const char *at = s[i] != '\0' ? strchr(b64, s[i]) : NULL;

		if (at == NULL)
			return false;
		v = (v << 6) | (uint32_t) (at - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < WG_KEY_LEN)
				k[o++] = (uint8_t) (v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	/* Only the one spelling wg writes: the bits past the key are 0. */
	wg_key_to_base64(k, again);
	ok = o == WG_KEY_LEN && streq(again, s);
	if (ok)
		memcpy(key, k, WG_KEY_LEN);
	erase_secret(k, sizeof(k));
	erase_secret(again, sizeof(again));
	return ok;
}

/* --- the allowlist ------------------------------------------------------------ */

enum section {
	SECTION_NONE,
	SECTION_INTERFACE,
	SECTION_PEER,
};

enum key {
	KEY_PRIVATE_KEY,
	KEY_LISTEN_PORT,
	KEY_ADDRESS,
	KEY_DNS,
	KEY_MTU,
	KEY_PUBLIC_KEY,
	KEY_PRESHARED_KEY,
	KEY_ENDPOINT,
	KEY_ALLOWED_IPS,
	KEY_KEEPALIVE,
	_KEY_MAX,
	_KEY_INVALID = -EINVAL,
};

static const struct {
	const char *name;
	enum section section;
	bool repeat;   /* wg-quick or wg appends each line's values */
	bool wg_quick; /* wg-quick's own, not in wg setconf's format */
} keys[_KEY_MAX] = {
    [KEY_PRIVATE_KEY] = {"PrivateKey", SECTION_INTERFACE, false, false},
    /* The local UDP port, in the jail's own network namespace: harmless. */
    [KEY_LISTEN_PORT] = {"ListenPort", SECTION_INTERFACE, false, false},
    [KEY_ADDRESS] = {"Address", SECTION_INTERFACE, true, true},
    [KEY_DNS] = {"DNS", SECTION_INTERFACE, true, true},
    [KEY_MTU] = {"MTU", SECTION_INTERFACE, false, true},
    [KEY_PUBLIC_KEY] = {"PublicKey", SECTION_PEER, false, false},
    [KEY_PRESHARED_KEY] = {"PresharedKey", SECTION_PEER, false, false},
    [KEY_ENDPOINT] = {"Endpoint", SECTION_PEER, false, false},
    [KEY_ALLOWED_IPS] = {"AllowedIPs", SECTION_PEER, true, false},
    [KEY_KEEPALIVE] = {"PersistentKeepalive", SECTION_PEER, false, false},
};

/* Why the keys wg-quick or wg know, but a jail's file may not have, are
 * refused. */
static const struct {
	const char *name;
	const char *why;
} refusals[] = {
    {"PreUp", "wg-quick runs it as a shell command on the host"},
    {"PostUp", "wg-quick runs it as a shell command on the host"},
    {"PreDown", "wg-quick runs it as a shell command on the host"},
    {"PostDown", "wg-quick runs it as a shell command on the host"},
    {"SaveConfig", "wg-quick would write the file back; jailsup never writes it"},
    {"Table", "every packet of the jail goes through the tunnel; jailsup sets the routes"},
    {"FwMark", "every packet of the jail goes through the tunnel; a mark could only steer "
               "some around it"},
};

struct parser {
	const char *p, *end;
	unsigned line_no;
	unsigned flags;
	struct wg_error *err;
	enum section section;
	unsigned interface_line;
	unsigned seen[_KEY_MAX]; /* the line of each key in this section, 0: not yet */
	struct wg_conf c;
};

static int fail(struct parser *ps, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int
fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (ps->err == NULL)
		return -EINVAL;
	ps->err->line = line;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* S without blanks at either end (the end ones cut off in place). */
static char *
trim(char *s)
{
	size_t len;

	while (is_blank(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_blank(s[len - 1]))
		s[--len] = '\0';
	return s;
}

static enum key
key_from_string(const char *name)
{
	for (size_t i = 0; i < _KEY_MAX; i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return (enum key) i;
	return _KEY_INVALID;
}

static const char *
refusal_reason(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(refusals); i++)
		if (strcasecmp(refusals[i].name, name) == 0)
			return refusals[i].why;
	return NULL;
}

/* Names only a key that wg-quick or wg knows: any other name may be a
 * piece of a secret (a key wrapped onto a line of its own, or pasted
 * there: it ends with '=', so it reads as a name without a value). */
static int
refuse_key(struct parser *ps, const char *name, const char *why)
{
	if (why == NULL)
		return fail(ps, ps->line_no,
		            "a key that is not allowed in a jail's WireGuard config (not shown: it "
		            "may be part of a secret; docs/profiles.md lists the allowed keys)");
	return fail(ps, ps->line_no, "key '%s' is not allowed in a jail's WireGuard config: %s",
	            name, why);
}

/* --- values ----------------------------------------------------------------- */

static int
parse_ip(const char *s, struct wg_ip *ret)
{
	struct wg_ip ip = {};

	if (inet_pton(AF_INET, s, ip.addr) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip.addr) == 1)
		ip.family = AF_INET6;
	else
		return -EINVAL;
	*ret = ip;
	return 0;
}

/* "IP[/PREFIX]"; without a prefix, the whole address (/32, /128). */
static int
parse_cidr(char *s, struct wg_cidr *ret)
{
	char *slash = strchr(s, '/');
	struct wg_cidr c = {};
	unsigned prefix;

	if (slash != NULL)
		*slash = '\0';
	if (parse_ip(s, &c.ip) < 0)
		return -EINVAL;
	prefix = c.ip.family == AF_INET ? 32 : 128;
	if (slash != NULL && parse_uint(slash + 1, 0, prefix, &prefix) < 0)
		return -EINVAL;
	c.prefix = (uint8_t) prefix;
	*ret = c;
	return 0;
}

/* A DNS name: labels of letters, digits and '-', 1-63 bytes each, not
 * starting or ending with '-'. */
static bool
is_hostname(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > WG_HOST_MAX)
		return false;
	for (const char *label = s;;) {
		size_t n = strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                         "0123456789-");

		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return false;
		/* A name whose last label is a number is an address to
		 * getaddrinfo() ("1.2.3" is 1.2.0.3): no real domain is. */
		if (label[n] == '\0' || (label[n] == '.' && label[n + 1] == '\0'))
			return strspn(label, "0123456789") < n;
		if (label[n] != '.')
			return false;
		label += n + 1;
	}
}

/* "HOST:PORT" or "[IPV6]:PORT", as wg reads it; a bare IPv6 address,
 * which wg would split at its last ':', is refused. */
static int
parse_endpoint(struct parser *ps, char *s, struct wg_peer *peer)
{
	struct wg_ip ip;
	char *host = s, *port;
	unsigned v;

	if (s[0] == '[') {
		char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return fail(ps, ps->line_no, "Endpoint: expected [IPV6]:PORT");
		*close = '\0';
		host = s + 1;
		port = close + 2;
		if (inet_pton(AF_INET6, host, ip.addr) != 1)
			return fail(ps, ps->line_no,
			            "Endpoint: not an IPv6 address between '[' and ']'");
	} else {
		port = strrchr(s, ':');
		if (port == NULL)
			return fail(ps, ps->line_no, "Endpoint: expected HOST:PORT");
		*port++ = '\0';
		if (strchr(host, ':') != NULL)
			return fail(ps, ps->line_no,
			            "Endpoint: an IPv6 address is written [ADDRESS]:PORT");
		if (parse_ip(host, &ip) < 0 && !is_hostname(host))
			return fail(ps, ps->line_no,
			            "Endpoint: the host is neither an IP address nor a DNS name");
	}
	if (parse_uint(port, 1, 65535, &v) < 0)
		return fail(ps, ps->line_no, "Endpoint: the port must be a number from 1 to 65535");
	if (strlen(host) > WG_HOST_MAX)
		return fail(ps, ps->line_no, "Endpoint: the host is longer than %d bytes",
		            WG_HOST_MAX);
	memcpy(peer->endpoint_host, host, strlen(host) + 1);
	peer->endpoint_port = (uint16_t) v;
	return 0;
}

/* Calls ONE for each ','-separated item of VALUE, blanks trimmed. */
static int
each_item(struct parser *ps, enum key k, char *value,
          int (*one)(struct parser *ps, enum key k, char *item))
{
	for (char *item = value;;) {
		char *comma = strchr(item, ',');
		int r;

		if (comma != NULL)
			*comma = '\0';
		item = trim(item);
		if (item[0] == '\0')
			return fail(ps, ps->line_no, "%s: an empty item in its list", keys[k].name);
		r = one(ps, k, item);
		if (r < 0 || comma == NULL)
			return r;
		item = comma + 1;
	}
}

static struct wg_peer *
last_peer(struct parser *ps)
{
	return &ps->c.peers[ps->c.n_peers - 1];
}

static int
add_list_item(struct parser *ps, enum key k, char *item)
{
	struct wg_conf *c = &ps->c;
	struct wg_peer *peer;

	switch (k) {
	case KEY_ADDRESS:
		if (c->n_addresses >= WG_ADDRESSES_MAX)
			return fail(ps, ps->line_no, "more than %d addresses", WG_ADDRESSES_MAX);
		if (parse_cidr(item, &c->addresses[c->n_addresses]) < 0)
			return fail(ps, ps->line_no,
			            "Address: not an IP address with an optional /PREFIX");
		c->n_addresses++;
		return 0;
	case KEY_DNS:
		if (c->n_dns >= WG_DNS_MAX)
			return fail(ps, ps->line_no, "more than %d DNS servers", WG_DNS_MAX);
		if (parse_ip(item, &c->dns[c->n_dns]) < 0)
			return fail(ps, ps->line_no,
			            "DNS: not an IP address (jailsup takes DNS servers only, no "
			            "search domains)");
		c->n_dns++;
		return 0;
	case KEY_ALLOWED_IPS:
		peer = last_peer(ps);
		if (peer->n_allowed_ips >= WG_ALLOWED_IPS_MAX)
			return fail(ps, ps->line_no, "more than %d AllowedIPs in a peer",
			            WG_ALLOWED_IPS_MAX);
		if (peer->n_allowed_ips % 16 == 0) {
			struct wg_cidr *v =
			    reallocarray(peer->allowed_ips, peer->n_allowed_ips + 16, sizeof(*v));

			if (v == NULL)
				return -ENOMEM;
			peer->allowed_ips = v;
		}
		if (parse_cidr(item, &peer->allowed_ips[peer->n_allowed_ips]) < 0)
			return fail(ps, ps->line_no,
			            "AllowedIPs: not an IP address with an optional /PREFIX");
		peer->n_allowed_ips++;
		return 0;
	case KEY_PRIVATE_KEY:
	case KEY_LISTEN_PORT:
	case KEY_MTU:
	case KEY_PUBLIC_KEY:
	case KEY_PRESHARED_KEY:
	case KEY_ENDPOINT:
	case KEY_KEEPALIVE:
	case _KEY_MAX:
	case _KEY_INVALID:
		break;
	}
	return -EINVAL;
}

static int
set_value(struct parser *ps, enum key k, char *value)
{
	struct wg_conf *c = &ps->c;
	struct wg_peer *peer = ps->section == SECTION_PEER ? last_peer(ps) : NULL;
	unsigned v;

	switch (k) {
	case KEY_PRIVATE_KEY:
		if (!wg_key_from_base64(value, c->private_key))
			goto bad_key;
		return 0;
	case KEY_PUBLIC_KEY:
		if (!wg_key_from_base64(value, peer->public_key))
			goto bad_key;
		return 0;
	case KEY_PRESHARED_KEY:
		if (!wg_key_from_base64(value, peer->preshared_key))
			goto bad_key;
		peer->has_preshared_key = true;
		return 0;
	case KEY_LISTEN_PORT:
		if (parse_uint(value, 1, 65535, &v) < 0)
			return fail(ps, ps->line_no, "ListenPort must be a number from 1 to 65535");
		c->listen_port = (uint16_t) v;
		return 0;
	case KEY_MTU:
		if (parse_uint(value, 576, 65535, &v) < 0)
			return fail(ps, ps->line_no, "MTU must be a number from 576 to 65535");
		c->mtu = v;
		return 0;
	case KEY_KEEPALIVE:
		if (streq(value, "off"))
			v = 0;
		else if (parse_uint(value, 0, 65535, &v) < 0)
			return fail(
			    ps, ps->line_no,
			    "PersistentKeepalive must be 'off' or a number from 0 to 65535");
		peer->keepalive = (uint16_t) v;
		return 0;
	case KEY_ENDPOINT:
		return parse_endpoint(ps, value, peer);
	case KEY_ADDRESS:
	case KEY_DNS:
	case KEY_ALLOWED_IPS:
		return each_item(ps, k, value, add_list_item);
	case _KEY_MAX:
	case _KEY_INVALID:
		break;
	}
	return -EINVAL;
bad_key:
	return fail(ps, ps->line_no,
	            "%s is not a key as wg writes it (32 bytes in base64: 44 characters, the last "
	            "'=')",
	            keys[k].name);
}

/* --- lines ---------------------------------------------------------------------- */

static int
start_section(struct parser *ps, const char *header)
{
	if (strcasecmp(header, "[Interface]") == 0) {
		if (ps->interface_line > 0)
			return fail(ps, ps->line_no,
			            "a second [Interface] (the first is on line %u)",
			            ps->interface_line);
		ps->interface_line = ps->line_no;
		ps->section = SECTION_INTERFACE;
	} else if (strcasecmp(header, "[Peer]") == 0) {
		if (ps->c.n_peers >= WG_PEERS_MAX)
			return fail(ps, ps->line_no, "more than %d peers", WG_PEERS_MAX);
		/* Room for every peer at once: growing the array would leave
		 * copies of the preshared keys in freed memory. */
		if (ps->c.peers == NULL) {
			ps->c.peers = calloc(WG_PEERS_MAX, sizeof(*ps->c.peers));
			if (ps->c.peers == NULL)
				return -ENOMEM;
		}
		ps->c.peers[ps->c.n_peers++] = (struct wg_peer){.line = ps->line_no};
		ps->section = SECTION_PEER;
	} else
		return fail(ps, ps->line_no,
		            "a section other than [Interface] or [Peer] (wg-quick's sections)");
	memset(ps->seen, 0, sizeof(ps->seen));
	return 0;
}

static int
key_line(struct parser *ps, char *name, char *value)
{
	enum key k = key_from_string(name);

	if (k < 0)
		return refuse_key(ps, name, refusal_reason(name));
	if (keys[k].wg_quick && (ps->flags & WG_CONF_SETCONF))
		return fail(ps, ps->line_no, "'%s' is wg-quick's, not in wg setconf's format",
		            keys[k].name);
	if (ps->section == SECTION_NONE)
		return fail(ps, ps->line_no, "'%s' before the first section ([Interface])",
		            keys[k].name);
	if (keys[k].section != ps->section)
		return fail(ps, ps->line_no, "'%s' belongs in %s", keys[k].name,
		            keys[k].section == SECTION_PEER ? "a [Peer] section" : "[Interface]");
	if (ps->seen[k] > 0 && !keys[k].repeat)
		return fail(ps, ps->line_no, "'%s' a second time in its section (first on line %u)",
		            keys[k].name, ps->seen[k]);
	if (value[0] == '\0')
		return fail(ps, ps->line_no, "'%s' has no value", keys[k].name);
	ps->seen[k] = ps->line_no;
	return set_value(ps, k, value);
}

/* One line BUF (a copy, without its newline, which this cuts up). */
static int
parse_line(struct parser *ps, char *buf)
{
	char *hash = strchr(buf, '#'), *s, *eq;

	if (hash != NULL)
		*hash = '\0';
	s = trim(buf);
	if (s[0] == '\0')
		return 0;
	if (s[0] == '[')
		return start_section(ps, s);
	eq = strchr(s, '=');
	if (eq == NULL)
		return fail(ps, ps->line_no,
		            "a line that is neither a [section] nor 'Key = Value'");
	*eq = '\0';
	return key_line(ps, trim(s), trim(eq + 1));
}

/* The next line into BUF, checked: 1, 0 at the end, -EINVAL. */
static int
next_line(struct parser *ps, char buf[WG_LINE_MAX + 1])
{
	const char *line = ps->p, *nl;
	size_t len;

	if (ps->p >= ps->end)
		return 0;
	nl = memchr(ps->p, '\n', (size_t) (ps->end - ps->p));
	len = (size_t) ((nl != NULL ? nl : ps->end) - ps->p);
	ps->p += len + (nl != NULL);
	ps->line_no++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > WG_LINE_MAX)
		return fail(ps, ps->line_no, "a line longer than %d bytes", WG_LINE_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) line[i];

		if (c == '\0')
			return fail(ps, ps->line_no, "a NUL byte");
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, ps->line_no, "a control character (byte 0x%02x)", c);
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	return 1;
}

/* What the whole file must have. */
static int
check_complete(struct parser *ps)
{
	const struct wg_conf *c = &ps->c;

	static const uint8_t zero[WG_KEY_LEN];

	if (ps->interface_line == 0)
		return fail(ps, 0, "no [Interface] section");
	/* An all-zero key is none to wg: the device would come up keyless. */
	if (memcmp(c->private_key, zero, WG_KEY_LEN) == 0)
		return fail(ps, ps->interface_line, "[Interface] has no PrivateKey");
	if (!(ps->flags & WG_CONF_SETCONF) && c->n_addresses == 0)
		return fail(ps, ps->interface_line,
		            "[Interface] has no Address (the jail's address in the tunnel)");
	if (c->n_peers == 0)
		return fail(ps, 0, "no [Peer] section (the server the tunnel goes to)");
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];

		/* An all-zero key is no peer's: wg takes it for "none". */
		if (memcmp(p->public_key, zero, WG_KEY_LEN) == 0)
			return fail(ps, p->line, "[Peer] has no PublicKey");
		if (p->endpoint_host[0] == '\0')
			return fail(
			    ps, p->line,
			    "[Peer] has no Endpoint (the jail's tunnel connects to its server)");
		if (p->n_allowed_ips == 0)
			return fail(ps, p->line, "[Peer] has no AllowedIPs");
		for (size_t j = 0; j < i; j++)
			if (memcmp(c->peers[j].public_key, p->public_key, WG_KEY_LEN) == 0)
				return fail(ps, p->line,
				            "[Peer] has the PublicKey of the peer on line %u",
				            c->peers[j].line);
	}
	return 0;
}

void
wg_conf_done(struct wg_conf *c)
{
	for (size_t i = 0; i < c->n_peers; i++)
		free(c->peers[i].allowed_ips);
	if (c->peers != NULL)
		erase_secret(c->peers, WG_PEERS_MAX * sizeof(*c->peers));
	free(c->peers);
	erase_secret(c, sizeof(*c));
}

int
wg_conf_parse(const char *text, size_t size, unsigned flags, struct wg_conf *ret,
              struct wg_error *reterr)
{
	struct parser ps = {.p = text, .end = text + size, .flags = flags, .err = reterr};
	char buf[WG_LINE_MAX + 1];
	int r;

	if (size > WG_CONF_SIZE_MAX)
		return fail(&ps, 0, "larger than %d bytes", WG_CONF_SIZE_MAX);
	while ((r = next_line(&ps, buf)) > 0) {
		r = parse_line(&ps, buf);
		if (r < 0)
			break;
	}
	erase_secret(buf, sizeof(buf));
	if (r >= 0)
		r = check_complete(&ps);
	if (r < 0) {
		wg_conf_done(&ps.c);
		return r;
	}
	*ret = ps.c;
	erase_secret(&ps.c, sizeof(ps.c));
	return 0;
}

/* --- wg setconf's text ------------------------------------------------------------ */

static void put(char *out, size_t size, size_t *at, const char *fmt, ...) _printf_(4, 5);
static void
put(char *out, size_t size, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *at, size - *at, fmt, ap);
	va_end(ap);
	/* The size was counted for the longest values. */
	assert(n >= 0 && (size_t) n < size - *at);
	*at += (size_t) n;
}

static const char *
ip_to_string(const struct wg_ip *ip, char out[INET6_ADDRSTRLEN])
{
	if (inet_ntop(ip->family, ip->addr, out, INET6_ADDRSTRLEN) == NULL)
		snprintf(out, INET6_ADDRSTRLEN, "?");
	return out;
}

int
wg_conf_setconf(const struct wg_conf *c, char **ret)
{
	char key[WG_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN];
	size_t size = 128, at = 0;
	char *out;

	for (size_t i = 0; i < c->n_peers; i++)
		size += 256 + WG_HOST_MAX + c->peers[i].n_allowed_ips * (INET6_ADDRSTRLEN + 20);
	/* Allocated once, at its full size: a realloc() would leave copies of
	 * the keys in freed memory. */
	out = malloc(size);
	if (out == NULL)
		return -ENOMEM;
	wg_key_to_base64(c->private_key, key);
	put(out, size, &at, "[Interface]\nPrivateKey = %s\n", key);
	if (c->listen_port > 0)
		put(out, size, &at, "ListenPort = %u\n", c->listen_port);
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];

		wg_key_to_base64(p->public_key, key);
		put(out, size, &at, "\n[Peer]\nPublicKey = %s\n", key);
		if (p->has_preshared_key) {
			wg_key_to_base64(p->preshared_key, key);
			put(out, size, &at, "PresharedKey = %s\n", key);
		}
		if (strchr(p->endpoint_host, ':') != NULL)
			put(out, size, &at, "Endpoint = [%s]:%u\n", p->endpoint_host,
			    p->endpoint_port);
		else
			put(out, size, &at, "Endpoint = %s:%u\n", p->endpoint_host,
			    p->endpoint_port);
		/* One line each (wg adds them up): no line grows past what the
		 * parser reads. */
		for (size_t j = 0; j < p->n_allowed_ips; j++)
			put(out, size, &at, "AllowedIPs = %s/%u\n",
			    ip_to_string(&p->allowed_ips[j].ip, ip), p->allowed_ips[j].prefix);
		if (p->keepalive > 0)
			put(out, size, &at, "PersistentKeepalive = %u\n", p->keepalive);
	}
	erase_secret(key, sizeof(key));
	*ret = out;
	return 0;
}

static void
key_to_hex(const uint8_t key[WG_KEY_LEN], char out[2 * WG_KEY_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < WG_KEY_LEN; i++) {
		out[2 * i] = hex[key[i] >> 4];
		out[2 * i + 1] = hex[key[i] & 15];
	}
	out[2 * WG_KEY_LEN] = '\0';
}

int
wg_conf_uapi(const struct wg_conf *c, uint32_t fwmark, char **ret)
{
	char key[2 * WG_KEY_LEN + 1], ip[INET6_ADDRSTRLEN];
	size_t size = 256, at = 0;
	char *out;

	for (size_t i = 0; i < c->n_peers; i++)
		size += 384 + WG_HOST_MAX + c->peers[i].n_allowed_ips * (INET6_ADDRSTRLEN + 20);
	/* At its full size at once, as wg_conf_setconf(): no copy of a key
	 * is left behind by a realloc(). */
	out = malloc(size);
	if (out == NULL)
		return -ENOMEM;
	key_to_hex(c->private_key, key);
	put(out, size, &at, "set=1\nprivate_key=%s\n", key);
	if (c->listen_port > 0)
		put(out, size, &at, "listen_port=%u\n", c->listen_port);
	if (fwmark > 0)
		put(out, size, &at, "fwmark=%u\n", fwmark);
	put(out, size, &at, "replace_peers=true\n");
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct wg_peer *p = &c->peers[i];

		key_to_hex(p->public_key, key);
		put(out, size, &at, "public_key=%s\n", key);
		if (p->has_preshared_key) {
			key_to_hex(p->preshared_key, key);
			put(out, size, &at, "preshared_key=%s\n", key);
		}
		if (strchr(p->endpoint_host, ':') != NULL)
			put(out, size, &at, "endpoint=[%s]:%u\n", p->endpoint_host,
			    p->endpoint_port);
		else
			put(out, size, &at, "endpoint=%s:%u\n", p->endpoint_host, p->endpoint_port);
		put(out, size, &at, "persistent_keepalive_interval=%u\nreplace_allowed_ips=true\n",
		    p->keepalive);
		for (size_t j = 0; j < p->n_allowed_ips; j++)
			put(out, size, &at, "allowed_ip=%s/%u\n",
			    ip_to_string(&p->allowed_ips[j].ip, ip), p->allowed_ips[j].prefix);
	}
	put(out, size, &at, "\n");
	erase_secret(key, sizeof(key));
	*ret = out;
	return 0;
}

char *
wg_text_free(char *text)
{
	if (text != NULL)
		erase_secret(text, strlen(text));
	free(text);
	return NULL;
}
