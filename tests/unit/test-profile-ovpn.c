/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of ini-profiles/ovpn.c: the servers a VPN jail's .ovpn names,
 * which the supervisor routes the jail to and lets through its kill switch,
 * and the allowlist of what openvpn may take from the file (ovpn_clean()).
 *
 * Golden files: every tests/unit/ovpn/NAME.ovpn is cleaned as a file in
 * /home/user/vpn and the result compared with NAME.expected: the cleaned
 * text, then "--- files" and one "LINE DIRECTIVE PATH" per named file; or
 * the error as "NAME.ovpn:LINE: message". A cleaned text must clean to
 * itself. JAILSUP_GOLDEN_UPDATE=1 rewrites the .expected files (review the
 * diff). The attack-*.ovpn files are the ways out of a jail this refuses.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/ovpn.h"
#include "state/util.h"
#include "tests/unit/golden-fixture.h"

#define OVPN_DIR "/home/user/vpn"

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

/* The words as openvpn splits them: quotes, "--", a comment after a word,
 * an inline file ending at a line that starts with its end tag. */
static void
test_remotes_as_openvpn_reads(void **state)
{
	struct ovpn_remote r[OVPN_REMOTES_MAX];

	(void) state;
	assert_int_equal(parse_ok("--remote \"a.example\" '443' tcp # x\n", r), 1);
	assert_string_equal(r[0].host, "a.example");
	assert_int_equal(r[0].port, 443);
	assert_true(r[0].tcp);
	assert_int_equal(parse_ok("<ca>\n  </ca>\nremote b\n", r), 1);
	assert_string_equal(r[0].host, "b");
	assert_int_equal(parse_ok("remote c;d\n", r), 1);
	assert_string_equal(r[0].host, "c;d");
}

static void
test_bad_lines(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
	    {"remote x 0\n", 1},
	    {"remote x 65536\n", 1},
	    {"remote x -1\n", 1},
	    {"client\nremote x 1x\n", 2},
	    {"\n\nport 0\n", 3},
	    {"rport\n", 1},
	    {"remote\n", 1},
	    {"remote x 01\n", 1},
	    {"remote \"x\n", 1},
	    {"client\n<ca>\n", 2},
	    {"remote x 1 udp extra\n", 1},
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
	/* A host longer than a line openvpn reads whole. */
	memset(long_host, 'h', 300);
	long_host[300] = '\0';
	snprintf(text, sizeof(text), "remote %s\n", long_host);
	assert_int_equal(ovpn_remotes_parse(text, r, OVPN_REMOTES_MAX, &n, &line), -EINVAL);
	long_host[OVPN_LINE_MAX - strlen("remote ")] = '\0';
	snprintf(text, sizeof(text), "remote %s\n", long_host);
	assert_int_equal(parse_ok(text, r), 1);
	assert_int_equal(strlen(r[0].host), OVPN_LINE_MAX - strlen("remote "));
	/* More remotes than the caller has room for. */
	assert_int_equal(ovpn_remotes_parse("remote a\nremote b\nremote c\n", r, 2, &n, &line),
	                 -EINVAL);
	assert_int_equal(line, 3);
}

/* --- ovpn_clean() ------------------------------------------------------------ */

/* TEXT cleaned (it must pass), and cleaned again to itself. */
static char *
clean_ok(const char *text, struct ovpn_config *c)
{
	struct ovpn_config again = {};
	struct ovpn_error err = {};
	int r;

	r = ovpn_clean(text, strlen(text), OVPN_DIR, c, &err);
	if (r < 0)
		fail_msg("refused at line %u: %s\n%s", err.line, err.msg, text);
	r = ovpn_clean(c->text, strlen(c->text), OVPN_DIR, &again, &err);
	if (r < 0)
		fail_msg("the cleaned text is refused at line %u: %s\n%s", err.line, err.msg,
		         c->text);
	assert_string_equal(again.text, c->text);
	assert_int_equal(again.n_files, c->n_files);
	ovpn_config_done(&again);
	return c->text;
}

static void
assert_refused(const char *text, size_t size, unsigned line, const char *msg)
{
	struct ovpn_config c = {.text = (char *) "untouched"};
	struct ovpn_error err = {};

	if (ovpn_clean(text, size, OVPN_DIR, &c, &err) != -EINVAL)
		fail_msg("not refused: %s", text);
	assert_string_equal(c.text, "untouched");
	if (err.line != line || strstr(err.msg, msg) == NULL)
		fail_msg("%.60s: got line %u '%s', want line %u '%s'", text, err.line, err.msg,
		         line, msg);
}

/* Every directive of the allowlist, in each form it may take, and how
 * it is written for openvpn ("" when jailsup decides it itself). */
static void
test_clean_allowed(void **state)
{
	static const struct {
		const char *line, *out;
	} ok[] = {
	    {"client", "client"},
	    {"tls-client", "tls-client"},
	    {"pull", "pull"},
	    {"dev tun", ""},
	    {"dev tun3", ""},
	    {"dev-type tun", ""},
	    {"remote vpn.example 1194 udp", ""},
	    {"remote 2001:db8::1", ""},
	    {"proto tcp-client", "proto tcp-client"},
	    {"proto udp6", "proto udp6"},
	    {"port 443", "port 443"},
	    {"rport 1194", "rport 1194"},
	    {"remote-random", "remote-random"},
	    {"resolv-retry infinite", "resolv-retry infinite"},
	    {"resolv-retry 60", "resolv-retry 60"},
	    {"nobind", "nobind"},
	    {"float", "float"},
	    {"persist-key", "persist-key"},
	    {"persist-tun", "persist-tun"},
	    {"connect-retry 5", "connect-retry 5"},
	    {"connect-retry 5 300", "connect-retry 5 300"},
	    {"connect-retry-max 3", "connect-retry-max 3"},
	    {"connect-timeout 10", "connect-timeout 10"},
	    {"server-poll-timeout 4", "server-poll-timeout 4"},
	    {"explicit-exit-notify", "explicit-exit-notify"},
	    {"explicit-exit-notify 2", "explicit-exit-notify 2"},
	    {"redirect-gateway def1 bypass-dhcp", ""},
	    {"redirect-gateway", ""},
	    {"route-nopull", "route-nopull"},
	    {"tun-ipv6", ""},
	    {"ca ca.crt", "ca " OVPN_DIR "/ca.crt"},
	    {"cert /etc/c.crt", "cert /etc/c.crt"},
	    {"key k.key", "key " OVPN_DIR "/k.key"},
	    {"extra-certs x.pem", "extra-certs " OVPN_DIR "/x.pem"},
	    {"pkcs12 p.p12", "pkcs12 " OVPN_DIR "/p.p12"},
	    {"dh none", "dh none"},
	    {"dh dh.pem", "dh " OVPN_DIR "/dh.pem"},
	    {"crl-verify crl.pem", "crl-verify " OVPN_DIR "/crl.pem"},
	    {"tls-auth ta.key", "tls-auth " OVPN_DIR "/ta.key"},
	    {"tls-auth ta.key 1", "tls-auth " OVPN_DIR "/ta.key 1"},
	    {"tls-crypt tc.key", "tls-crypt " OVPN_DIR "/tc.key"},
	    {"tls-crypt-v2 tc2.key", "tls-crypt-v2 " OVPN_DIR "/tc2.key"},
	    {"tls-crypt-v2 tc2.key force-cookie", "tls-crypt-v2 " OVPN_DIR "/tc2.key force-cookie"},
	    {"key-direction 1", "key-direction 1"},
	    {"auth-user-pass login.txt", "auth-user-pass " OVPN_DIR "/login.txt"},
	    {"askpass pw.txt", "askpass " OVPN_DIR "/pw.txt"},
	    {"auth-nocache", "auth-nocache"},
	    {"auth-retry nointeract", "auth-retry nointeract"},
	    {"cipher AES-256-GCM", "cipher AES-256-GCM"},
	    {"data-ciphers AES-256-GCM:CHACHA20-POLY1305",
	     "data-ciphers AES-256-GCM:CHACHA20-POLY1305"},
	    {"data-ciphers-fallback AES-256-CBC", "data-ciphers-fallback AES-256-CBC"},
	    {"ncp-ciphers AES-256-GCM", "ncp-ciphers AES-256-GCM"},
	    {"auth SHA256", "auth SHA256"},
	    {"tls-version-min 1.2", "tls-version-min 1.2"},
	    {"tls-version-min 1.2 or-highest", "tls-version-min 1.2 or-highest"},
	    {"tls-version-max 1.3", "tls-version-max 1.3"},
	    {"tls-cipher TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384",
	     "tls-cipher TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384"},
	    {"tls-cipher DEFAULT:!aNULL", "tls-cipher \"DEFAULT:!aNULL\""},
	    {"tls-ciphersuites TLS_AES_256_GCM_SHA384", "tls-ciphersuites TLS_AES_256_GCM_SHA384"},
	    {"tls-groups X25519:prime256v1", "tls-groups X25519:prime256v1"},
	    {"remote-cert-tls server", "remote-cert-tls server"},
	    {"remote-cert-eku \"TLS Web Server Authentication\"",
	     "remote-cert-eku \"TLS Web Server Authentication\""},
	    {"ns-cert-type server", "ns-cert-type server"},
	    {"verify-x509-name vpn.example name", "verify-x509-name vpn.example name"},
	    {"verify-x509-name 'C=DE, CN=vpn'", "verify-x509-name \"C=DE, CN=vpn\""},
	    {"reneg-sec 0", "reneg-sec 0"},
	    {"reneg-sec 3600 600", "reneg-sec 3600 600"},
	    {"reneg-bytes 64000000", "reneg-bytes 64000000"},
	    {"reneg-pkts 1000", "reneg-pkts 1000"},
	    {"comp-lzo no", "comp-lzo no"},
	    {"compress", "compress"},
	    {"compress stub-v2", "compress stub-v2"},
	    {"keepalive 10 60", "keepalive 10 60"},
	    {"ping 10", "ping 10"},
	    {"ping-restart 60", "ping-restart 60"},
	    {"ping-exit 120", "ping-exit 120"},
	    {"ping-timer-rem", "ping-timer-rem"},
	    {"mssfix", "mssfix"},
	    {"mssfix 1450", "mssfix 1450"},
	    {"mssfix 1400 mtu", "mssfix 1400 mtu"},
	    {"fragment 1300", "fragment 1300"},
	    {"tun-mtu 1500", "tun-mtu 1500"},
	    {"tun-mtu-extra 32", "tun-mtu-extra 32"},
	    {"link-mtu 1542", "link-mtu 1542"},
	    {"sndbuf 393216", "sndbuf 393216"},
	    {"rcvbuf 0", "rcvbuf 0"},
	    {"fast-io", "fast-io"},
	    {"verb 3", "verb 3"},
	    {"mute 20", "mute 20"},
	    {"mute-replay-warnings", "mute-replay-warnings"},
	    /* Quoting, "--", comments, CRLF: the plain form. */
	    {"--verb 4", "verb 4"},
	    {"  verb\t\"5\"  # five", "verb 5"},
	    {"verb 6 ;six", "verb 6"},
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		struct ovpn_config c = {};
		_cleanup_free_ char *text = NULL, *want = NULL;

		assert_true(asprintf(&text, "%s\r\n", ok[i].line) > 0);
		assert_true(asprintf(&want, "%s\n", ok[i].out) > 0);
		clean_ok(text, &c);
		if (!streq(c.text, want))
			fail_msg("'%s' cleaned to '%s', want '%s'", ok[i].line, c.text, want);
		ovpn_config_done(&c);
	}
	/* A ';' inside a word is no comment: openvpn reads "6;" and fails. */
	assert_refused("verb 6;\n", 8, 1, "bad arguments to 'verb' (expected: verb N)");
}

/* What runs code, writes files, reaches elsewhere or changes openvpn's
 * own rules, in each way of writing it: refused with its line. */
static void
test_clean_refused(void **state)
{
	static const char *const refused[] = {
	    "setenv opt plugin /home/u/Downloads/x.so",
	    "setenv opt tls-verify \"/bin/sh -c 'touch /tmp/x'\"",
	    "setenv CLIENT_CERT 0",
	    "setenv-safe X 1",
	    "plugin /x.so",
	    "--plugin /x.so",
	    "\"plugin\" /x.so",
	    "pkcs11-providers /x.so",
	    "pkcs11-id x",
	    "providers legacy default",
	    "provider-path /tmp",
	    "engine /x.so",
	    "up /bin/sh",
	    "down /bin/sh",
	    "route-up /bin/sh",
	    "route-pre-down /bin/sh",
	    "ipchange /bin/sh",
	    "tls-verify /bin/sh",
	    "tls-export-cert /tmp",
	    "learn-address /bin/sh",
	    "auth-user-pass-verify /bin/sh via-env",
	    "client-connect /bin/sh",
	    "script-security 2",
	    "http-proxy 127.0.0.1 3128 /home/u/.ssh/id_rsa",
	    "socks-proxy 127.0.0.1 1080 /home/u/.ssh/id_rsa",
	    "replay-persist /home/u/.bashrc",
	    "log /home/u/.bashrc",
	    "log-append /home/u/.bashrc",
	    "status /home/u/.bashrc",
	    "writepid /home/u/.bashrc",
	    "management 127.0.0.1 7505",
	    "management-hold",
	    "daemon",
	    "user nobody",
	    "group nogroup",
	    "chroot /tmp",
	    "cd /tmp",
	    "config /home/u/other.conf",
	    "tmp-dir /tmp",
	    "mark 1",
	    "dev-node /dev/net/tun",
	    "iproute /bin/sh",
	    "route 10.0.0.0 255.0.0.0 net_gateway",
	    "route-ipv6 ::/0",
	    "route-gateway 10.0.0.1",
	    "pull-filter accept redirect-gateway",
	    "allow-compression yes",
	    "ignore-unknown-option plugin",
	    "remote-random-hostname",
	    "static-challenge x 1",
	    "secret static.key",
	    "lport 53",
	    "local 127.0.0.1",
	    "ifconfig 10.0.0.2 255.255.255.0",
	    "dhcp-option DNS 10.0.0.1",
	    "echo x",
	    "Client",
	    "client2",
	    "-- client",
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		_cleanup_free_ char *text = NULL;

		assert_true(asprintf(&text, "client\n%s\n", refused[i]) > 0);
		assert_refused(text, strlen(text), 2, "is not allowed in a jail's VPN config");
	}
	/* Inline files of what is not allowed. */
	assert_refused("<plugin>\nx\n</plugin>\n", 21, 1, "directive '<plugin>' is not allowed");
	assert_refused("<secret>\nx\n</secret>\n", 21, 1, "directive '<secret>' is not allowed");
	assert_refused("<http-proxy-user-pass>\nu\n</http-proxy-user-pass>\n", 48, 1,
	               "directive '<http-proxy-user-pass>' is not allowed");
	/* In a <connection> block, only what openvpn takes there and we allow. */
	assert_refused("<connection>\nremote a\nhttp-proxy p 1\n</connection>\n", 50, 3,
	               "directive 'http-proxy' is not allowed");
	assert_refused("<connection>\nremote a\nverb 3\n</connection>\n", 42, 3,
	               "directive 'verb' is not allowed");
}

/* Allowed directives in forms that are not: a reason, or the usage. */
static void
test_clean_bad_arguments(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
	    {"comp-lzo", "only as 'comp-lzo no': compression"},
	    {"comp-lzo yes", "(VORACLE)"},
	    {"comp-lzo adaptive", "(VORACLE)"},
	    {"compress lz4", "only as 'compress [stub|stub-v2]'"},
	    {"compress lzo", "(VORACLE)"},
	    {"compress lz4-v2", "(VORACLE)"},
	    {"compress migrate", "(VORACLE)"},
	    {"auth-user-pass", "only as 'auth-user-pass FILE': openvpn has no terminal"},
	    {"auth-user-pass stdin", "openvpn has no terminal"},
	    {"askpass", "only as 'askpass FILE'"},
	    {"askpass stdin", "only as 'askpass FILE'"},
	    {"dev tap", "the jail's VPN is a tun device"},
	    {"dev null", "tun device"},
	    {"dev-type tap", "expected: dev-type tun"},
	    {"proto tcp-server", "expected: proto PROTO"},
	    {"remote", "expected: remote WORD [PORT] [PROTO]"},
	    {"remote a 0", "remote WORD [PORT]"},
	    {"remote a 1 udp x", "remote WORD"},
	    {"port 70000", "expected: port PORT"},
	    {"verb", "expected: verb N"},
	    {"verb -1", "expected: verb N"},
	    {"verb 3 4", "expected: verb N"},
	    {"client now", "bad arguments to 'client' (it takes none)"},
	    {"crl-verify crl dir", "expected: crl-verify FILE"},
	    {"ca", "expected: ca FILE"},
	    {"ca \"\"", "expected: ca FILE"},
	    {"tls-auth ta.key 2", "expected: tls-auth FILE [0|1]"},
	    {"key-direction 2", "expected: key-direction 0|1"},
	    {"remote-cert-tls client", "expected: remote-cert-tls server"},
	    {"auth-retry interact", "expected: auth-retry none|nointeract"},
	    {"tls-version-min 1.4", "expected: tls-version-min"},
	    {"keepalive 10", "expected: keepalive N N"},
	    {"mssfix 1400 huge", "expected: mssfix [N] [mtu|fixed]"},
	    {"cipher \"AES 256\"", "expected: cipher WORD"},
	};
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = NULL;

		assert_true(asprintf(&text, "client\n%s\n", bad[i].line) > 0);
		assert_refused(text, strlen(text), 2, bad[i].msg);
	}
}

/* What openvpn could read otherwise than we do. */
static void
test_clean_syntax(void **state)
{
	char text[600];

	(void) state;
	assert_refused("client\nverb 3\0plugin /x.so\n", 27, 2, "a NUL byte");
	assert_refused("client\nverb 3\rplugin /x.so\n", 27, 2, "a control character (byte 0x0d)");
	assert_refused("verb\v3\n", 7, 1, "control character (byte 0x0b)");
	assert_refused("verb 3\x1b\n", 8, 1, "byte 0x1b");
	assert_refused("verify-x509-name \"a\n", 20, 1, "a quote that is never closed");
	assert_refused("verify-x509-name 'a\n", 20, 1, "a quote that is never closed");
	assert_refused("verify-x509-name a\\b\n", 21, 1, "a backslash before 'b'");
	assert_refused("verify-x509-name a\\\n", 20, 1, "a backslash at the end");
	assert_refused("<ca>\nx\n", 7, 1, "'<ca>' is never closed by '</ca>'");
	assert_refused("<ca>\nx\n</ca> verb 3\n", 20, 3, "text after '</ca>'");
	assert_refused("<connection>\n<ca>\n</ca>\n</connection>\n", 37, 2,
	               "an inline file inside a <connection> block");
	snprintf(text, sizeof(text), "client\nverify-x509-name%s\n",
	         " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16");
	assert_refused(text, strlen(text), 2, "more than 16 words");
	/* An end tag is found as openvpn finds it: a prefix after blanks. */
	{
		struct ovpn_config c = {};

		clean_ok("<ca>\n </ca\n\t</ca>\t\n", &c);
		assert_string_equal(c.text, "<ca>\n </ca\n</ca>\n");
		ovpn_config_done(&c);
	}
}

/* Lines as long as openvpn reads whole, and one byte more. */
static void
test_clean_line_length(void **state)
{
	struct ovpn_config c = {};
	char text[1024], name[300];
	size_t n;

	(void) state;
	/* The longest line, its '\r' counted. */
	n = (size_t) snprintf(text, sizeof(text), "verb 3%*s\r\n", OVPN_LINE_MAX - 7, "");
	assert_int_equal(n, OVPN_LINE_MAX + 1);
	clean_ok(text, &c);
	ovpn_config_done(&c);
	n = (size_t) snprintf(text, sizeof(text), "verb 3%*s\r\n", OVPN_LINE_MAX - 6, "");
	assert_refused(text, n, 1, "a line longer than 254 bytes");
	/* In an inline file too: its rest would end the file early. */
	memset(name, 'A', OVPN_LINE_MAX);
	name[OVPN_LINE_MAX] = '\0';
	n = (size_t) snprintf(text, sizeof(text), "<ca>\n%s\n</ca>\n", name);
	clean_ok(text, &c);
	ovpn_config_done(&c);
	n = (size_t) snprintf(text, sizeof(text), "<ca>\n%sA</ca>\nplugin x\n</ca>\n", name);
	assert_refused(text, n, 2, "a line longer than 254 bytes");
	/* A file's full path may make the written line too long. */
	memset(name, 'f', 240);
	name[240] = '\0';
	n = (size_t) snprintf(text, sizeof(text), "ca %s\n", name);
	assert_refused(text, n, 1, "with its file named by its full path, is longer");
	n = (size_t) snprintf(text, sizeof(text), "ca /%s\n", name);
	clean_ok(text, &c);
	ovpn_config_done(&c);
}

static void
test_clean_files(void **state)
{
	struct ovpn_config c = {};
	char text[2048] = "";

	(void) state;
	clean_ok("ca ca.crt\n<cert>\nx\n</cert>\ndh none\n\nkey \"my key\"\n"
	         "auth-user-pass /abs/login\n<connection>\nremote a\n</connection>\n",
	         &c);
	assert_int_equal(c.n_files, 3);
	assert_string_equal(c.files[0].directive, "ca");
	assert_string_equal(c.files[0].path, OVPN_DIR "/ca.crt");
	assert_int_equal(c.files[0].line, 1);
	assert_string_equal(c.files[1].directive, "key");
	assert_string_equal(c.files[1].path, OVPN_DIR "/my key");
	assert_int_equal(c.files[1].line, 7);
	assert_string_equal(c.files[2].directive, "auth-user-pass");
	assert_string_equal(c.files[2].path, "/abs/login");
	assert_string_equal(c.text,
	                    "ca " OVPN_DIR "/ca.crt\n<cert>\nx\n</cert>\ndh none\n\nkey \"" OVPN_DIR
	                    "/my key\"\nauth-user-pass /abs/login\n\n\n\n");
	ovpn_config_done(&c);
	/* "." and ".." by name, repeated slashes: one plain absolute path. */
	clean_ok("ca ../keys/./ca.crt\ncert //etc//vpn/\nkey ../../../../k\n", &c);
	assert_int_equal(c.n_files, 3);
	assert_string_equal(c.files[0].path, "/home/user/keys/ca.crt");
	assert_string_equal(c.files[1].path, "/etc/vpn");
	assert_string_equal(c.files[2].path, "/k");
	assert_string_equal(c.text, "ca /home/user/keys/ca.crt\ncert /etc/vpn\nkey /k\n");
	ovpn_config_done(&c);
	/* A folder that is not absolute, or would break a line. */
	{
		struct ovpn_error err = {};

		assert_int_equal(ovpn_clean("ca x\n", 5, "rel", &c, &err), -EINVAL);
		assert_int_equal(ovpn_clean("ca x\n", 5, "/a\nplugin /x", &c, &err), -EINVAL);
		assert_int_equal(err.line, 0);
	}
	for (unsigned i = 0; i <= OVPN_FILES_MAX; i++)
		strcat(text, "ca x\n");
	assert_refused(text, strlen(text), OVPN_FILES_MAX + 1, "more than 16 files");
}

static void
test_directive_allowed(void **state)
{
	(void) state;
	assert_true(ovpn_directive_allowed("ca"));
	assert_true(ovpn_directive_allowed("remote"));
	assert_false(ovpn_directive_allowed("plugin"));
	assert_false(ovpn_directive_allowed("setenv"));
	assert_false(ovpn_directive_allowed("--ca"));
	assert_false(ovpn_directive_allowed(""));
}

/* --- golden files ---------------------------------------------------------------- */

static char *
golden_output(const char *dir, const char *file)
{
	_cleanup_free_ char *path = path_join(dir, file), *text = NULL;
	struct ovpn_config c = {};
	struct ovpn_error err = {};
	char *out = NULL;
	size_t len;

	assert_non_null(path);
	text = read_text(path, &len);
	assert_non_null(text);
	if (ovpn_clean(text, len, OVPN_DIR, &c, &err) < 0) {
		assert_true(asprintf(&out, "%s:%u: %s\n", file, err.line, err.msg) > 0);
		return out;
	}
	{
		struct ovpn_config again = {};

		/* The check of clean_ok(), on a text that may hold a NUL. */
		assert_int_equal(ovpn_clean(c.text, strlen(c.text), OVPN_DIR, &again, &err), 0);
		assert_string_equal(again.text, c.text);
		ovpn_config_done(&again);
	}
	out = strdup(c.text);
	assert_non_null(out);
	{
		_cleanup_free_ char *more = NULL;

		assert_true(asprintf(&more, "%s--- files\n", out) > 0);
		free(out);
		out = TAKE_PTR(more);
	}
	for (size_t i = 0; i < c.n_files; i++) {
		_cleanup_free_ char *more = NULL;

		assert_true(asprintf(&more, "%s%u %s %s\n", out, c.files[i].line,
		                     c.files[i].directive, c.files[i].path) > 0);
		free(out);
		out = TAKE_PTR(more);
	}
	ovpn_config_done(&c);
	return out;
}

static void
test_golden(void **state)
{
	(void) state;
	golden_dir("tests/unit/ovpn", ".ovpn", golden_output, "--- files\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_explicit),
	    cmocka_unit_test(test_comments_blocks_and_none),
	    cmocka_unit_test(test_remotes_as_openvpn_reads),
	    cmocka_unit_test(test_bad_lines),
	    cmocka_unit_test(test_clean_allowed),
	    cmocka_unit_test(test_clean_refused),
	    cmocka_unit_test(test_clean_bad_arguments),
	    cmocka_unit_test(test_clean_syntax),
	    cmocka_unit_test(test_clean_line_length),
	    cmocka_unit_test(test_clean_files),
	    cmocka_unit_test(test_directive_allowed),
	    cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
