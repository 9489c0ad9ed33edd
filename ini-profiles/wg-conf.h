/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What jailsup reads of a WireGuard jail's configuration: a file in
 * wg-quick's format ([Interface] and [Peer] sections of Key = Value lines,
 * '#' comments, keys in any case), checked against an allowlist of keys
 * and values, and what `wg setconf` is given of it (wg's own format: the
 * keys, the peers, no Address, DNS or MTU, which jailsup applies itself).
 *
 * wg-quick runs its PreUp/PostUp/PreDown/PostDown lines as shell on the
 * host; SaveConfig writes the file back; Table and FwMark steer routing
 * around the tunnel. None of that may come from a file whose author is
 * unknown, so every key not listed in docs/profiles.md refuses the whole
 * file, with its line. Values are parsed, not passed on: keys as wg's
 * 32-byte base64, addresses with inet_pton(), ports 1-65535.
 *
 * Keys are secrets: they never appear in an error message, and
 * wg_conf_done() and wg_text_free() wipe them.
 */
#ifndef JAILSUP_WG_CONF_H
#define JAILSUP_WG_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_KEY_LEN         32
#define WG_KEY_B64_LEN     44 /* "…=" */
#define WG_CONF_SIZE_MAX   (64 * 1024)
#define WG_LINE_MAX        4096
#define WG_ADDRESSES_MAX   16
#define WG_DNS_MAX         8
#define WG_PEERS_MAX       64
#define WG_ALLOWED_IPS_MAX 1024
#define WG_HOST_MAX        253 /* a DNS name */

struct wg_ip {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

struct wg_cidr {
	struct wg_ip ip;
	uint8_t prefix; /* 0-32 or 0-128 */
};

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t preshared_key[WG_KEY_LEN];
	bool has_preshared_key;
	/* An IPv4 or IPv6 address as text (without the [] of an IPv6
	 * Endpoint), or a DNS name the later start resolves. */
	char endpoint_host[WG_HOST_MAX + 1];
	uint16_t endpoint_port;
	struct wg_cidr *allowed_ips;
	size_t n_allowed_ips;
	uint16_t keepalive; /* seconds; 0: off */
	unsigned line;      /* of its [Peer] */
};

struct wg_conf {
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port; /* 0: wg picks one */
	struct wg_cidr addresses[WG_ADDRESSES_MAX];
	size_t n_addresses;
	struct wg_ip dns[WG_DNS_MAX];
	size_t n_dns;
	unsigned mtu; /* 0: not set */
	struct wg_peer *peers;
	size_t n_peers;
};

struct wg_error {
	unsigned line; /* 1-based; 0: not tied to a line */
	char msg[256];
};

enum {
	/* TEXT is in `wg setconf`'s format (what wg_conf_setconf() writes):
	 * no Address, DNS or MTU; Address is then not required. */
	WG_CONF_SETCONF = 1 << 0,
};

/* Parses the SIZE bytes of TEXT, a wg-quick file, and fills *RET (free
 * with wg_conf_done()). Returns 0; -EINVAL with *RETERR (when not NULL)
 * for the first line that is wrong: a key that is not allowed or given
 * twice, a bad value, a NUL or control byte, a line longer than
 * WG_LINE_MAX, a line outside a section, not exactly one [Interface], no
 * [Peer], no PrivateKey, Address, PublicKey, Endpoint or AllowedIPs where
 * they are needed, TEXT larger than WG_CONF_SIZE_MAX (line 0); -ENOMEM.
 * Pure: touches no file. The message never holds a value of the file. */
int wg_conf_parse(const char *text, size_t size, unsigned flags, struct wg_conf *ret,
                  struct wg_error *reterr);

/* Wipes the keys and frees what C holds; C is left empty. */
void wg_conf_done(struct wg_conf *c);

/* The text `wg setconf` reads for C ([Interface] PrivateKey, ListenPort;
 * each [Peer] PublicKey, PresharedKey, Endpoint, AllowedIPs,
 * PersistentKeepalive), in *RET: it holds the keys, so give it to wg on a
 * pipe or a sealed memfd, never in argv, and free it with wg_text_free().
 * Parsing it with WG_CONF_SETCONF gives C back, Address, DNS and MTU
 * aside. 0 or -ENOMEM. */
int wg_conf_setconf(const struct wg_conf *c, char **ret);

/* The same configuration as wg's cross-platform userspace API reads it on
 * an interface's control socket ("set=1", keys in hex, an empty line at
 * the end), with FWMARK (0: none) for the tunnel's own packets, which the
 * file may not set itself: jailsup gives wireguard-go its configuration
 * this way, a socket only it and jailsup can reach, never argv or a file.
 * Each Endpoint must be an address by then (a name would be resolved where
 * the tunnel runs). Free *RET with wg_text_free(). 0 or -ENOMEM. */
int wg_conf_uapi(const struct wg_conf *c, uint32_t fwmark, char **ret);

/* Wipes and frees TEXT (wg_conf_setconf()'s or wg_conf_uapi()'s); returns NULL. */
char *wg_text_free(char *text);

/* KEY in wg's base64 form (WG_KEY_B64_LEN characters and a NUL in OUT). */
void wg_key_to_base64(const uint8_t key[WG_KEY_LEN], char out[WG_KEY_B64_LEN + 1]);

/* Decodes S, which must be a key exactly as wg writes it (44 characters,
 * the last '=', no bits set that the encoding cannot carry), into KEY.
 * true, or false with KEY untouched. */
bool wg_key_from_base64(const char *s, uint8_t key[WG_KEY_LEN]);

#endif
