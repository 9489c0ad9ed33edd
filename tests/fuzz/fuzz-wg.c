/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for a WireGuard jail's wg-quick file (ini-profiles/
 * wg-conf.c), whose keys and peers the host will hand to wg. Whatever the
 * bytes: a refusal says why, in one line, with a line number inside the
 * input (0 only for what is not tied to a line), and never shows a key (no
 * run of base64 characters longer than a key's name, and no 16 characters
 * of any key of the input but the name of a key); what is accepted has what a jail's
 * tunnel needs and survives the setconf round trip: wg_conf_setconf()'s
 * text parses back in wg's format to the same keys and peers and renders
 * to the same text, and holds nothing of wg-quick's own keys. What
 * wireguard-go's control socket gets (wg_conf_uapi()) is one "set"
 * command: lines of a known key, a value and nothing else, no control
 * byte, one public_key per peer, and its one empty line at the end (an
 * empty line earlier would end the command and start another).
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

#include "ini-profiles/wg-conf.h"
#include "state/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/* The names wg-conf.c's messages may hold, as it spells them. */
static const char key_names[] = "PrivateKey ListenPort Address DNS MTU PublicKey PresharedKey "
                                "Endpoint AllowedIPs PersistentKeepalive";

static size_t
count_lines(const uint8_t *s, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		n += s[i] == '\n';
	return n + (size > 0 && s[size - 1] != '\n');
}

/* MSG shows no key: no long base64 run, and no 16 characters of any key
 * of the input (every 44 bytes that decode as one). */
static void
check_message(const char *msg, const uint8_t *data, size_t size)
{
	uint8_t key[WG_KEY_LEN];
	char window[WG_KEY_B64_LEN + 1];
	size_t run = 0;

	assert(msg[0] != '\0' && strchr(msg, '\n') == NULL);
	for (const char *c = msg; *c != '\0'; c++) {
		run = strchr(b64_chars, *c) != NULL ? run + 1 : 0;
		assert(run <= 24);
	}
	for (size_t i = 0; i + WG_KEY_B64_LEN <= size; i++) {
		if (data[i + WG_KEY_B64_LEN - 1] != '=')
			continue;
		memcpy(window, data + i, WG_KEY_B64_LEN);
		window[WG_KEY_B64_LEN] = '\0';
		if (!wg_key_from_base64(window, key))
			continue;
		/* A piece that is also the name of a key may be in a message:
		 * as the name ("PersistentKeepalive must be…"). */
		for (size_t at = 0; at + 16 <= WG_KEY_B64_LEN; at++)
			assert(memmem(msg, strlen(msg), window + at, 16) == NULL ||
			       memmem(key_names, strlen(key_names), window + at, 16) != NULL);
	}
}

static void
check_uapi(const struct wg_conf *c)
{
	static const char *const keys[] = {"set",
	                                   "private_key",
	                                   "listen_port",
	                                   "fwmark",
	                                   "replace_peers",
	                                   "public_key",
	                                   "preshared_key",
	                                   "endpoint",
	                                   "persistent_keepalive_interval",
	                                   "replace_allowed_ips",
	                                   "allowed_ip",
	                                   NULL};
	char *text = NULL;
	size_t len, peers = 0;

	assert(wg_conf_uapi(c, 0x6a73, &text) == 0);
	len = strlen(text);
	assert(len > 2 && strncmp(text, "set=1\n", 6) == 0);
	assert(strstr(text, "\n\n") == text + len - 2);
	for (char *line = text; line < text + len - 1;) {
		char *end = strchr(line, '\n'), *eq = memchr(line, '=', (size_t) (end - line));
		bool known = false;

		assert(end != NULL && eq != NULL && eq + 1 < end);
		for (const char *k = line; k < end; k++)
			assert((unsigned char) *k > 0x20 && (unsigned char) *k < 0x7f);
		for (size_t i = 0; keys[i] != NULL && !known; i++)
			known = strlen(keys[i]) == (size_t) (eq - line) &&
			        strncmp(line, keys[i], (size_t) (eq - line)) == 0;
		assert(known);
		peers += strncmp(line, "public_key=", 11) == 0;
		line = end + 1;
	}
	assert(peers == c->n_peers);
	wg_text_free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_conf c = {}, again = {};
	struct wg_error err = {};
	char *text = NULL, *text2 = NULL;
	int r;

	r = wg_conf_parse((const char *) data, size, 0, &c, &err);
	if (r < 0) {
		assert(r == -EINVAL || r == -ENOMEM);
		if (r == -EINVAL) {
			assert(err.line <= count_lines(data, size));
			check_message(err.msg, data, size);
		}
		return 0;
	}
	assert(c.n_addresses >= 1 && c.n_addresses <= WG_ADDRESSES_MAX);
	assert(c.n_peers >= 1 && c.n_peers <= WG_PEERS_MAX);
	for (size_t i = 0; i < c.n_peers; i++) {
		assert(c.peers[i].endpoint_host[0] != '\0' && c.peers[i].endpoint_port > 0);
		assert(c.peers[i].n_allowed_ips >= 1);
	}

	assert(wg_conf_setconf(&c, &text) == 0);
	for (const char *k = text; *k != '\0'; k++)
		assert((unsigned char) *k >= 0x20 || *k == '\n');
	assert(strstr(text, "\nAddress") == NULL && strstr(text, "\nDNS") == NULL &&
	       strstr(text, "\nMTU") == NULL);
	r = wg_conf_parse(text, strlen(text), WG_CONF_SETCONF, &again, &err);
	assert(r == 0);
	assert(memcmp(again.private_key, c.private_key, WG_KEY_LEN) == 0);
	assert(again.listen_port == c.listen_port);
	assert(again.n_peers == c.n_peers);
	for (size_t i = 0; i < c.n_peers; i++) {
		const struct wg_peer *a = &c.peers[i], *b = &again.peers[i];

		assert(memcmp(a->public_key, b->public_key, WG_KEY_LEN) == 0);
		assert(a->has_preshared_key == b->has_preshared_key);
		assert(memcmp(a->preshared_key, b->preshared_key, WG_KEY_LEN) == 0);
		assert(a->endpoint_port == b->endpoint_port && a->keepalive == b->keepalive);
		assert(streq(a->endpoint_host, b->endpoint_host));
		assert(a->n_allowed_ips == b->n_allowed_ips);
		for (size_t j = 0; j < a->n_allowed_ips; j++) {
			const struct wg_cidr *x = &a->allowed_ips[j], *y = &b->allowed_ips[j];

			assert(x->ip.family == y->ip.family && x->prefix == y->prefix);
			assert(memcmp(x->ip.addr, y->ip.addr, sizeof(x->ip.addr)) == 0);
		}
	}
	assert(wg_conf_setconf(&again, &text2) == 0);
	assert(streq(text, text2));
	check_uapi(&c);
	text = wg_text_free(text);
	text2 = wg_text_free(text2);
	wg_conf_done(&again);
	wg_conf_done(&c);
	return 0;
}
