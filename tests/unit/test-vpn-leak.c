/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of cli/vpn-leak.c: the parser of what a VPN jail's probe
 * reports (the jail's words: every malformed form is refused with its
 * line), the verdicts drawn from a report and from what the host saw, and
 * the system bus rules that reach systemd-resolved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "cli/vpn-leak.h"
#include "state/util.h"

static const char healthy[] = "iface lo lo\n"
                              "iface jsnet0 other\n"
                              "iface jsvpn0 p2p\n"
                              "dns jail 10.89.0.53:53 jsvpn0 answered\n"
                              "dns host 169.254.1.1:53 jsvpn0 silent\n"
                              "dns host [fd00::1]:53 - err:101\n"
                              "udp 192.0.2.2:4000 lo sent\n"
                              "udp 198.18.42.1:4000 jsvpn0 sent\n"
                              "bind 192.0.2.2:4000 lo sent\n"
                              "bind 198.18.42.1:4000 jsnet0 err:1\n"
                              "route6 fe80::/64 jsvpn0\n"
                              "socket /run/nscd/socket err:2\n"
                              "end\n";

static int
parse(const char *text, struct vpn_leak_report *r, unsigned *line)
{
	const char *msg = NULL;
	int ret = vpn_leak_parse(text, strlen(text), r, line, &msg);

	assert_true(ret >= 0 || msg != NULL);
	return ret;
}

/* The spec whose label is LABEL, or NULL. */
static const char *
spec_of(char **specs, const char *label)
{
	size_t n = strlen(label);

	for (char **s = specs; s != NULL && *s != NULL; s++)
		if (strncmp(*s, label, n) == 0 && (*s)[n] == ':')
			return *s + n + 1;
	return NULL;
}

static void
test_parse_healthy(void **state)
{
	static struct vpn_leak_report r;
	unsigned line = 99;

	(void) state;
	assert_int_equal(parse(healthy, &r, &line), 0);
	assert_int_equal(line, 0);
	assert_int_equal(r.n, 12);
	assert_int_equal(r.items[2].kind, VPN_LEAK_IFACE);
	assert_int_equal(r.items[2].iftype, VPN_LEAK_IF_P2P);
	assert_int_equal(r.items[3].kind, VPN_LEAK_DNS);
	assert_false(r.items[3].from_host);
	assert_string_equal(r.items[3].where, "10.89.0.53:53");
	assert_int_equal(r.items[3].result, VPN_LEAK_ANSWERED);
	assert_true(r.items[5].from_host);
	assert_string_equal(r.items[5].ifname, "-");
	assert_int_equal(r.items[5].result, VPN_LEAK_ERR);
	assert_int_equal(r.items[5].err, 101);
	assert_string_equal(r.items[10].where, "fe80::/64");
	assert_int_equal(r.items[11].kind, VPN_LEAK_SOCKET);
}

static void
test_parse_refuses(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
	    {"", 0},                                    /* no end: the probe did not finish */
	    {"iface lo lo\n", 0},                       /* the same */
	    {"end\niface lo lo\n", 2},                  /* text after the end */
	    {"iface lo lo\nend", 2},                    /* unterminated */
	    {"\nend\n", 1},                             /* empty line */
	    {"iface lo  lo\nend\n", 1},                 /* empty field */
	    {"iface lo lo \nend\n", 1},                 /* trailing space */
	    {" iface lo lo\nend\n", 1},                 /* leading space */
	    {"iface lo\tlo\nend\n", 1},                 /* a tab */
	    {"iface lo lo\r\nend\n", 1},                /* a CR */
	    {"iface l\x1b[31mo lo\nend\n", 1},          /* an escape sequence */
	    {"iface lo\xc3\xa9 lo\nend\n", 1},          /* not ASCII */
	    {"iface lo lo extra\nend\n", 1},            /* too many fields */
	    {"iface lo tunnel\nend\n", 1},              /* type not in the list */
	    {"iface - lo\nend\n", 1},                   /* no name */
	    {"iface abcdefghijklmnop other\nend\n", 1}, /* longer than IFNAMSIZ */
	    {"iface a/b other\nend\n", 1},              /* not an interface name */
	    {"route lo\nend\n", 1},                     /* unknown kind */
	    {"dns tunnel 10.0.0.1:53 tun0 answered\nend\n", 1}, /* source not in the list */
	    {"dns jail 10.0.0.1 tun0 answered\nend\n", 1},      /* no port */
	    {"dns jail 10.0.0.1:0 tun0 answered\nend\n", 1},    /* port 0 */
	    {"dns jail 10.0.0.1:053 tun0 answered\nend\n", 1},  /* not canonical */
	    {"dns jail 10.0.0.1:65536 tun0 answered\nend\n", 1},
	    {"dns jail 010.0.0.1:53 tun0 answered\nend\n", 1},
	    {"dns jail fd00::1:53 tun0 answered\nend\n", 1},   /* IPv6 without brackets */
	    {"dns jail [FD00::1]:53 tun0 answered\nend\n", 1}, /* not as inet_ntop writes it */
	    {"dns jail [::ffff:1.2.3.4:53 tun0 answered\nend\n", 1},
	    {"dns jail 10.0.0.1:53 tun0 sent\nend\n", 1}, /* a result of udp */
	    {"dns jail 10.0.0.1:53 tun0 err:0\nend\n", 1},
	    {"dns jail 10.0.0.1:53 tun0 err:4096\nend\n", 1},
	    {"dns jail 10.0.0.1:53 tun0 err:-1\nend\n", 1},
	    {"udp 10.0.0.1:53 tun0 answered\nend\n", 1}, /* a result of dns */
	    {"bind 10.0.0.1:53 tun0\nend\n", 1},         /* missing result */
	    {"route6 fe80::/129 jsvpn0\nend\n", 1},
	    {"route6 fe80::/064 jsvpn0\nend\n", 1},
	    {"route6 10.0.0.0/8 jsvpn0\nend\n", 1},
	    {"route6 fe80:: jsvpn0\nend\n", 1},
	    {"socket /run/other.sock connected\nend\n", 1}, /* not a path we try */
	    {"socket /run/nscd/socket open\nend\n", 1},
	    {"iface lo lo\niface lo lo\nsocket /run/nscd/socket\nend\n", 3},
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		static struct vpn_leak_report r;
		unsigned line = 99;

		if (parse(bad[i].text, &r, &line) != -EINVAL || line != bad[i].line)
			fail_msg("accepted, or at another line than %u (%u): '%s'", bad[i].line,
			         line, bad[i].text);
	}
}

static void
test_parse_bounds(void **state)
{
	static struct vpn_leak_report r;
	static char text[VPN_LEAK_MAX_OUTPUT + 64];
	char longline[VPN_LEAK_MAX_LINE + 16];
	const char *msg;
	unsigned line;
	size_t len = 0;

	(void) state;
	/* A line over the bound. */
	memset(longline, 'a', sizeof(longline));
	snprintf(longline, sizeof(longline), "iface %0*d other\n", VPN_LEAK_MAX_LINE, 1);
	assert_int_equal(parse(longline, &r, &line), -EINVAL);
	/* More lines than items. */
	for (size_t i = 0; i <= VPN_LEAK_MAX_ITEMS; i++)
		len += (size_t) snprintf(text + len, sizeof(text) - len, "iface lo lo\n");
	snprintf(text + len, sizeof(text) - len, "end\n");
	assert_int_equal(parse(text, &r, &line), -EINVAL);
	assert_int_equal(line, VPN_LEAK_MAX_ITEMS + 1);
	/* More bytes than any report, whatever they hold. */
	memset(text, 'x', sizeof(text));
	assert_int_equal(vpn_leak_parse(text, VPN_LEAK_MAX_OUTPUT + 1, &r, &line, &msg), -E2BIG);
	/* A NUL inside. */
	assert_int_equal(vpn_leak_parse("iface lo lo\n\0end\n", 17, &r, &line, &msg), -EINVAL);
}

static void
test_judge_healthy_is_closed(void **state)
{
	static struct vpn_leak_report r;
	_cleanup_strv_ char **specs = NULL;
	struct vpn_leak_seen seen = {};
	unsigned line;

	(void) state;
	assert_int_equal(parse(healthy, &r, &line), 0);
	assert_int_equal(vpn_leak_judge(&r, "jsnet0", &seen, &specs), 0);
	assert_int_equal(strv_length(specs), 5);
	for (char **s = specs; *s != NULL; s++)
		if (strstr(*s, ":closed:") == NULL)
			fail_msg("not closed: %s", *s);
	assert_non_null(strstr(spec_of(specs, "VPN leak (DNS)"),
	                       "10.89.0.53:53 (resolv.conf) answered through jsvpn0"));
	assert_non_null(strstr(spec_of(specs, "VPN leak (socket bound to jsnet0)"),
	                       "refused: Operation not permitted"));
}

static void
test_judge_leaks(void **state)
{
	static const struct {
		const char *line, *label, *want;
	} leaks[] = {
	    {"dns jail 198.18.42.1:53 jsnet0 answered\n", "VPN leak (DNS)",
	     "198.18.42.1:53 (resolv.conf) ANSWERED by jsnet0, outside the tunnel"},
	    /* Sent outside, no answer: it left all the same. */
	    {"dns host 169.254.1.1:53 jsnet0 silent\n", "VPN leak (DNS)", "LEFT by jsnet0"},
	    /* An interface the report does not list is not the tunnel. */
	    {"dns jail 10.0.0.1:53 eth9 answered\n", "VPN leak (DNS)", "ANSWERED by eth9"},
	    {"dns jail 127.0.0.1:53 lo answered\n", "VPN leak (DNS)", "ANSWERED on the jail's own"},
	    {"udp 198.18.42.1:4000 jsnet0 sent\n", "VPN leak (UDP)", "SENT by jsnet0"},
	    {"udp 198.18.42.1:4000 ? sent\n", "VPN leak (UDP)", "SENT by ?"},
	    {"bind 198.18.42.1:4000 jsnet0 sent\n", "VPN leak (socket bound to jsnet0)",
	     "SENT by jsnet0"},
	    /* A bound socket leaves by its device, whatever the name says. */
	    {"bind 198.18.42.1:4000 jsvpn0 sent\n", "VPN leak (socket bound to jsnet0)",
	     "SENT by jsvpn0"},
	    {"route6 ::/0 jsnet0\n", "VPN leak (IPv6)", "::/0 via jsnet0, OUTSIDE the tunnel"},
	    {"socket /run/systemd/resolve/io.systemd.Resolve connected\n",
	     "VPN leak (resolver sockets)", "io.systemd.Resolve: CONNECTED"},
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(leaks); i++) {
		static struct vpn_leak_report r;
		_cleanup_strv_ char **specs = NULL;
		_cleanup_free_ char *text = NULL;
		struct vpn_leak_seen seen = {};
		const char *spec;
		unsigned line;

		assert_true(asprintf(&text,
		                     "iface lo lo\niface jsnet0 other\niface jsvpn0 p2p\n%send\n",
		                     leaks[i].line) > 0);
		assert_int_equal(parse(text, &r, &line), 0);
		assert_int_equal(vpn_leak_judge(&r, "jsnet0", &seen, &specs), 0);
		spec = spec_of(specs, leaks[i].label);
		assert_non_null(spec);
		if (!strstartswith(spec, "OPEN:") || strstr(spec, leaks[i].want) == NULL)
			fail_msg("'%s' gave %s: %s", leaks[i].line, leaks[i].label, spec);
	}
}

/* What the host saw outweighs a report that says nothing went out. */
static void
test_judge_host_observed(void **state)
{
	static struct vpn_leak_report r;
	_cleanup_strv_ char **specs = NULL;
	struct vpn_leak_seen seen = {.udp = true, .bind = true, .ipv6 = true};
	unsigned line;

	(void) state;
	snprintf(seen.udp_from, sizeof(seen.udp_from), "198.18.42.1");
	snprintf(seen.bind_from, sizeof(seen.bind_from), "198.18.42.1");
	assert_int_equal(parse(healthy, &r, &line), 0);
	assert_int_equal(vpn_leak_judge(&r, "jsnet0", &seen, &specs), 0);
	assert_true(strstartswith(spec_of(specs, "VPN leak (UDP)"),
	                          "OPEN:our listener RECEIVED it from 198.18.42.1"));
	assert_true(strstartswith(spec_of(specs, "VPN leak (socket bound to jsnet0)"), "OPEN:"));
	assert_true(strstartswith(spec_of(specs, "VPN leak (IPv6)"), "OPEN:"));
	assert_true(strstartswith(spec_of(specs, "VPN leak (DNS)"), "closed:"));
}

static void
test_resolved_on_bus(void **state)
{
	static const struct {
		const char *rule;
		bool reach;
	} rules[] = {
	    {"org.freedesktop.resolve1", true},
	    {"org.freedesktop.resolve1.*", true},
	    {"org.freedesktop.*", true},
	    {"org.*", true},
	    {"org.freedesktop.resolve1=*", true},
	    {"org.freedesktop.resolve1=org.freedesktop.resolve1.Manager.ResolveHostname@/org/"
	     "freedesktop/resolve1",
	     true},
	    {"org.freedesktop.resolve", false},
	    {"org.freedesktop.resolve10", false},
	    {"org.freedesktop.resolve1x.*", false},
	    {"org.freedesktop.NetworkManager", false},
	    {"org.freedesktop.res*", false},
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
		char *list[] = {(char *) rules[i].rule, NULL};
		struct profile_dbus talk = {.talk = list}, call = {.call = list};

		if (vpn_leak_resolved_on_bus(&talk, true) != rules[i].reach ||
		    vpn_leak_resolved_on_bus(&call, true) != rules[i].reach)
			fail_msg("'%s' should %sreach resolved", rules[i].rule,
			         rules[i].reach ? "" : "not ");
		/* Without the right there is no system bus at all. */
		assert_false(vpn_leak_resolved_on_bus(&talk, false));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_healthy),   cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_parse_bounds),    cmocka_unit_test(test_judge_healthy_is_closed),
	    cmocka_unit_test(test_judge_leaks),     cmocka_unit_test(test_judge_host_observed),
	    cmocka_unit_test(test_resolved_on_bus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
