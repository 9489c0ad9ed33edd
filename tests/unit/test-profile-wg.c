/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of ini-profiles/wg-conf.c: the allowlist of a WireGuard jail's
 * wg-quick file, the text `wg setconf` is given of it, and what
 * wireguard-go's control socket is given (wg_conf_uapi()).
 *
 * Golden files: every tests/unit/wg/NAME.conf is parsed and the result
 * compared with NAME.expected: "--- interface" with the addresses, DNS
 * servers and MTU jailsup applies itself, then "--- setconf" and wg's
 * text; or the error as "NAME.conf:LINE: message". The setconf text must
 * parse back (in wg's format) to itself, and no message may show a key.
 * JAILSUP_GOLDEN_UPDATE=1 rewrites the .expected files (review the diff).
 * The attack-*.conf files are what a jail's file may not do.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/wg-conf.h"
#include "state/util.h"
#include "tests/unit/golden-fixture.h"

#define PRIV "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define PUB  "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

/* A message that shows no key: no run of base64 characters longer than a
 * key's name. */
static void
assert_no_key_in(const char *msg)
{
	size_t run = 0;

	for (const char *c = msg; *c != '\0'; c++) {
		run = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
		             *c) != NULL
		          ? run + 1
		          : 0;
		if (run > 24)
			fail_msg("a key-like run in the message: %s", msg);
	}
}

/* The setconf text of C, which must parse back in wg's format to itself. */
static char *
setconf_round_trip(const struct wg_conf *c)
{
	struct wg_conf again = {};
	struct wg_error err = {};
	char *text = NULL, *text2 = NULL;

	assert_int_equal(wg_conf_setconf(c, &text), 0);
	if (wg_conf_parse(text, strlen(text), WG_CONF_SETCONF, &again, &err) < 0)
		fail_msg("setconf text refused at line %u: %s\n%s", err.line, err.msg, text);
	assert_int_equal(wg_conf_setconf(&again, &text2), 0);
	assert_string_equal(text, text2);
	assert_int_equal(again.n_peers, c->n_peers);
	assert_memory_equal(again.private_key, c->private_key, WG_KEY_LEN);
	wg_text_free(text2);
	wg_conf_done(&again);
	return text;
}

static void
assert_refused(const char *text, unsigned line, const char *msg)
{
	struct wg_conf c = {.mtu = 7};
	struct wg_error err = {};

	if (wg_conf_parse(text, strlen(text), 0, &c, &err) != -EINVAL)
		fail_msg("not refused: %s", text);
	assert_int_equal(c.mtu, 7); /* *ret untouched */
	if (err.line != line || strstr(err.msg, msg) == NULL)
		fail_msg("%.60s: got line %u '%s', want line %u '%s'", text, err.line, err.msg,
		         line, msg);
	assert_no_key_in(err.msg);
}

static void
test_key_base64(void **state)
{
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN];
	char s[WG_KEY_B64_LEN + 1];

	(void) state;
	for (size_t i = 0; i < WG_KEY_LEN; i++)
		key[i] = (uint8_t) (i * 37 + 11);
	wg_key_to_base64(key, s);
	assert_int_equal(strlen(s), WG_KEY_B64_LEN);
	assert_true(wg_key_from_base64(s, back));
	assert_memory_equal(key, back, WG_KEY_LEN);
	assert_true(wg_key_from_base64(PRIV, back));
	wg_key_to_base64(back, s);
	assert_string_equal(s, PRIV);
	/* Not wg's one spelling: too short, no '=', a bit past the key, a
	 * character outside the alphabet. */
	memset(back, 0xaa, sizeof(back));
	assert_false(wg_key_from_base64("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm=", back));
	assert_false(wg_key_from_base64("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA", back));
	assert_false(wg_key_from_base64("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=", back));
	assert_false(wg_key_from_base64("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3f-mk=", back));
	assert_false(wg_key_from_base64("", back));
	assert_int_equal(back[0], 0xaa);
}

static void
test_parse_minimal(void **state)
{
	static const char text[] = "[Interface]\nPrivateKey = " PRIV "\nAddress = 10.0.0.2\n"
	                           "[Peer]\nPublicKey = " PUB "\nEndpoint = 192.0.2.1:51820\n"
	                           "AllowedIPs = 0.0.0.0/0\n";
	struct wg_conf c = {};
	char *out;

	(void) state;
	assert_int_equal(wg_conf_parse(text, strlen(text), 0, &c, NULL), 0);
	assert_int_equal(c.n_addresses, 1);
	assert_int_equal(c.addresses[0].prefix, 32);
	assert_int_equal(c.n_peers, 1);
	assert_string_equal(c.peers[0].endpoint_host, "192.0.2.1");
	assert_int_equal(c.peers[0].endpoint_port, 51820);
	out = setconf_round_trip(&c);
	assert_string_equal(out, "[Interface]\nPrivateKey = " PRIV "\n\n[Peer]\nPublicKey = " PUB
	                         "\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 0.0.0.0/0\n");
	wg_text_free(out);
	/* The keys are gone once the struct is freed. */
	wg_conf_done(&c);
	for (size_t i = 0; i < sizeof(c); i++)
		assert_int_equal(((uint8_t *) &c)[i], 0);
}

static void
test_parse_refused(void **state)
{
	(void) state;
	assert_refused("", 0, "no [Interface] section");
	assert_refused("[Interface]\nPrivateKey = " PRIV "\nAddress = 10.0.0.2\n", 0, "no [Peer]");
	assert_refused("[Interface]\nPostUp = sh\n", 2,
	               "key 'PostUp' is not allowed in a jail's WireGuard config: wg-quick runs it "
	               "as a shell command on the host");
	assert_refused("[Interface]\npostup=sh\n", 2, "key 'postup' is not allowed");
	/* A key on a line of its own reads as a key name (it ends with
	 * '='): refused, and not shown. */
	assert_refused("[Interface]\n" PRIV "\n", 2, "not shown: it may be part of a secret");
	assert_refused("[Interface]\nAddress = 10.0.0.2\nhello\n", 3,
	               "a line that is neither a [section] nor 'Key = Value'");
	assert_refused("[Interface]\nyAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk = x\n", 2,
	               "not shown: it may be part of a secret");
	/* Nor the piece of a key wrapped onto a line of its own: it reads
	 * as a name of letters, and is no more shown. */
	assert_refused("[Interface]\nAddress = 10.0.0.2\nzQVRPISllRWgeopVE = x\n", 3,
	               "not shown: it may be part of a secret");
	assert_refused("[Interface]\nMTU = 1400\nmtu = 1400\n", 3, "'MTU' a second time");
	assert_refused("[Interface]\nPrivateKey = " PRIV "x\n", 2, "PrivateKey is not a key");
	assert_refused("[Interface]\nListenPort = 0\n", 2, "ListenPort must be");
	assert_refused("[Interface]\nListenPort = 1\nListenPort = 2\n", 3, "a second time");
	assert_refused("[Interface]\nAddress =\n", 2, "'Address' has no value");
	assert_refused("[Interface]\nEndpoint = a:1\n", 2, "'Endpoint' belongs in a [Peer]");
	assert_refused("[Interface]\n[Interface]\n", 2,
	               "a second [Interface] (the first is on "
	               "line 1)");
	assert_refused("[Interface]\nAddress = 10.0.0.2/32\nDNS = 10.0.0.1\xef\xbb\xbf\n", 3,
	               "DNS: not an IP address");
	assert_refused("\xef\xbb\xbf[Interface]\n", 1, "neither a [section]");
	/* In wg's format, wg-quick's keys are not there to be had. */
	{
		static const char setconf[] = "[Interface]\nPrivateKey = " PRIV "\nMTU = 1400\n";
		struct wg_conf c = {};
		struct wg_error err = {};

		assert_int_equal(wg_conf_parse(setconf, strlen(setconf), WG_CONF_SETCONF, &c, &err),
		                 -EINVAL);
		assert_int_equal(err.line, 3);
	}
}

/* --- golden files ---------------------------------------------------------------- */

static char *
golden_output(const char *dir, const char *file)
{
	_cleanup_free_ char *path = path_join(dir, file), *text = NULL;
	struct wg_conf c = {};
	struct wg_error err = {};
	char *out = NULL, *setconf, ip[INET6_ADDRSTRLEN];
	size_t len, at = 0, size = 1 << 16;

	assert_non_null(path);
	text = read_text(path, &len);
	assert_non_null(text);
	if (wg_conf_parse(text, len, 0, &c, &err) < 0) {
		assert_no_key_in(err.msg);
		if (err.line > 0)
			assert_true(asprintf(&out, "%s:%u: %s\n", file, err.line, err.msg) > 0);
		else
			assert_true(asprintf(&out, "%s: %s\n", file, err.msg) > 0);
		return out;
	}
	setconf = setconf_round_trip(&c);
	out = malloc(size);
	assert_non_null(out);
	at += (size_t) snprintf(out + at, size - at, "--- interface\n");
	for (size_t i = 0; i < c.n_addresses; i++)
		at += (size_t) snprintf(
		    out + at, size - at, "address %s/%u\n",
		    inet_ntop(c.addresses[i].ip.family, c.addresses[i].ip.addr, ip, sizeof(ip)),
		    c.addresses[i].prefix);
	for (size_t i = 0; i < c.n_dns; i++)
		at += (size_t) snprintf(out + at, size - at, "dns %s\n",
		                        inet_ntop(c.dns[i].family, c.dns[i].addr, ip, sizeof(ip)));
	if (c.mtu > 0)
		at += (size_t) snprintf(out + at, size - at, "mtu %u\n", c.mtu);
	at += (size_t) snprintf(out + at, size - at, "--- setconf\n%s", setconf);
	assert_true(at < size);
	wg_text_free(setconf);
	wg_conf_done(&c);
	return out;
}

static void
test_golden(void **state)
{
	(void) state;
	golden_dir("tests/unit/wg", ".conf", golden_output, "--- setconf\n");
}

/* wireguard-go's control protocol: keys in hex, the mark jailsup sets,
 * each peer's settings replacing what it had, an empty line at the end. */
static void
test_uapi(void **state)
{
	static const char text[] = "[Interface]\nPrivateKey = " PRIV "\nAddress = 10.0.0.2\n"
	                           "ListenPort = 5000\n"
	                           "[Peer]\nPublicKey = " PUB "\nEndpoint = [2001:db8::1]:51820\n"
	                           "AllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n";
	struct wg_conf c = {};
	char *out = NULL;
	uint8_t priv[WG_KEY_LEN];
	char hex[2 * WG_KEY_LEN + 1];

	(void) state;
	assert_int_equal(wg_conf_parse(text, strlen(text), 0, &c, NULL), 0);
	assert_int_equal(wg_conf_uapi(&c, 0x6a73, &out), 0);
	assert_true(wg_key_from_base64(PRIV, priv));
	for (size_t i = 0; i < WG_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", priv[i]);
	assert_true(strncmp(out, "set=1\nprivate_key=", 18) == 0);
	assert_true(strncmp(out + 18, hex, 2 * WG_KEY_LEN) == 0);
	assert_non_null(strstr(out, "\nlisten_port=5000\nfwmark=27251\nreplace_peers=true\n"
	                            "public_key="));
	assert_non_null(strstr(out, "\nendpoint=[2001:db8::1]:51820\n"
	                            "persistent_keepalive_interval=25\nreplace_allowed_ips=true\n"
	                            "allowed_ip=0.0.0.0/0\nallowed_ip=::/0\n\n"));
	/* No base64 key: wireguard-go would refuse it, and it is not ours
	 * to show. */
	assert_null(strstr(out, PRIV));
	assert_string_equal(out + strlen(out) - 2, "\n\n");
	out = wg_text_free(out);
	wg_conf_done(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_base64),    cmocka_unit_test(test_parse_minimal),
	    cmocka_unit_test(test_parse_refused), cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_uapi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
