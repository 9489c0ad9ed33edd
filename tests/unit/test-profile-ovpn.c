/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of ini-profiles/ovpn.c: the servers a VPN jail's .ovpn names,
 * which the supervisor routes the jail to and lets through its kill switch.
 * Defaults as openvpn applies them, inline files skipped, and every bad
 * line refused with its number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/ovpn.h"
#include "state/util.h"

static size_t
parse_ok(const char *text, struct ovpn_remote *out)
{
	unsigned bad = 0;
	size_t n = 99;

	assert_int_equal(ovpn_remotes_parse(text, out, OVPN_REMOTES_MAX, &n, &bad), 0);
	return n;
}

static void
test_defaults_and_explicit(void **state)
{
	struct ovpn_remote r[OVPN_REMOTES_MAX];

	(void) state;
	/* `port` and `proto` after the remotes still apply, as in openvpn. */
	assert_int_equal(parse_ok("client\nremote a.example 1195\nremote 192.0.2.7\n"
				  "remote b.example 443 tcp-client\nport 2000\nproto tcp4\n",
				  r),
			 3);
	assert_string_equal(r[0].host, "a.example");
	assert_int_equal(r[0].port, 1195);
	assert_true(r[0].tcp);
	assert_string_equal(r[1].host, "192.0.2.7");
	assert_int_equal(r[1].port, 2000);
	assert_true(r[1].tcp);
	assert_int_equal(r[2].port, 443);
	assert_true(r[2].tcp);
	assert_int_equal(parse_ok("remote x\n", r), 1);
	assert_int_equal(r[0].port, 1194);
	assert_false(r[0].tcp);
	assert_int_equal(parse_ok("remote x 53 udp6\r\nproto tcp\r\n", r), 1);
	assert_false(r[0].tcp);
}

static void
test_comments_blocks_and_none(void **state)
{
	struct ovpn_remote r[OVPN_REMOTES_MAX];

	(void) state;
	assert_int_equal(parse_ok("", r), 0);
	assert_int_equal(parse_ok("# remote a\n; remote b\n  \n\tremote   c\t9\n", r), 1);
	assert_string_equal(r[0].host, "c");
	assert_int_equal(r[0].port, 9);
	/* Lines of an inline file are not options; <connection> blocks are. */
	assert_int_equal(parse_ok("<ca>\nremote evil 1\n</ca>\n<connection>\nremote good 2\n"
				  "</connection>\n<tls-auth>\nport 7\n</tls-auth>\n",
				  r),
			 1);
	assert_string_equal(r[0].host, "good");
	assert_int_equal(r[0].port, 2);
	/* No newline at the end. */
	assert_int_equal(parse_ok("remote last", r), 1);
	assert_string_equal(r[0].host, "last");
}

static void
test_bad_lines(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{ "remote x 0\n", 1 },		  { "remote x 65536\n", 1 },
		{ "remote x -1\n", 1 },		  { "client\nremote x 1x\n", 2 },
		{ "\n\nport 0\n", 3 },		  { "rport\n", 1 },
		{ "remote\n", 1 },		  { "remote x 01\n", 1 },
	};
	struct ovpn_remote r[OVPN_REMOTES_MAX];
	char long_host[400], text[600];
	unsigned line;
	size_t n;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		line = 0;
		assert_int_equal(ovpn_remotes_parse(bad[i].text, r, OVPN_REMOTES_MAX, &n, &line),
				 -EINVAL);
		assert_int_equal(line, bad[i].line);
	}
	memset(long_host, 'h', OVPN_HOST_MAX + 1);
	long_host[OVPN_HOST_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "remote %s\n", long_host);
	assert_int_equal(ovpn_remotes_parse(text, r, OVPN_REMOTES_MAX, &n, &line), -EINVAL);
	long_host[OVPN_HOST_MAX] = '\0';
	snprintf(text, sizeof(text), "remote %s\n", long_host);
	assert_int_equal(parse_ok(text, r), 1);
	assert_int_equal(strlen(r[0].host), OVPN_HOST_MAX);
	/* More remotes than the caller has room for. */
	assert_int_equal(ovpn_remotes_parse("remote a\nremote b\nremote c\n", r, 2, &n, &line),
			 -EINVAL);
	assert_int_equal(line, 3);
}

static void
test_clean(void **state)
{
	static const char text[] =
		"client\n"
		"remote vpn.example 1194\n"
		"\n"
		"dev tap\n"
		"  up /tmp/x.sh\n"
		"--down /tmp/y.sh\n"
		"plugin /tmp/evil.so\n"
		"management 127.0.0.1 7505\n"
		"management-hold\n"
		"setenv opt block-outside-dns\n"
		"setenv JAILSUP_RESOLV_CONF /home/x\n"
		"log /home/x/.bashrc\n"
		"user nobody\n"
		"config other.conf\n"
		"# up in a comment stays\n"
		"<connection>\n"
		"remote b.example 443\n"
		"</connection>\n"
		"<ca>\n"
		"up this-is-certificate-data\n"
		"</ca>\n"
		"verb 3";
	static const char want[] =
		"client\n"
		"# jailsup: dropped 'remote'\n"
		"\n"
		"# jailsup: dropped 'dev'\n"
		"# jailsup: dropped 'up'\n"
		"# jailsup: dropped '--down'\n"
		"# jailsup: dropped 'plugin'\n"
		"# jailsup: dropped 'management'\n"
		"# jailsup: dropped 'management-hold'\n"
		"setenv opt block-outside-dns\n"
		"# jailsup: dropped 'setenv'\n"
		"# jailsup: dropped 'log'\n"
		"# jailsup: dropped 'user'\n"
		"# jailsup: dropped 'config'\n"
		"# up in a comment stays\n"
		"# jailsup: dropped '<connection>'\n"
		"# jailsup: dropped 'remote'\n"
		"# jailsup: dropped '</connection>'\n"
		"<ca>\n"
		"up this-is-certificate-data\n"
		"</ca>\n"
		"verb 3";
	_cleanup_free_ char *out = NULL;

	(void) state;
	assert_int_equal(ovpn_clean(text, &out), 0);
	assert_string_equal(out, want);
	free(out);
	out = NULL;
	assert_int_equal(ovpn_clean("", &out), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_explicit),
		cmocka_unit_test(test_comments_blocks_and_none),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
