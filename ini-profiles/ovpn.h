/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What jailsup reads of a VPN jail's .ovpn file, and what it lets openvpn
 * read of it. openvpn runs outside the jail, with the power to run
 * programs and load code that its configuration names, so the .ovpn is
 * not passed on as it is: ovpn_clean() admits only the directives a
 * provider's client configuration needs (an allowlist), refuses the whole
 * file for anything else, and writes the admitted directives out again in
 * one plain form that openvpn cannot read otherwise than we did. The
 * supervisor also needs the servers before openvpn starts, to route the
 * jail to them alone and let only openvpn's transport through the kill
 * switch (supervisor/net.c): ovpn_remotes_parse().
 *
 * Both read the file as openvpn 2.6 does (options.c: parse_line(),
 * read_inline_file()): lines of at most 255 bytes, words split at blanks,
 * "…" with \\ \" and \<blank> escapes, '…' without any, '#' or ';' at the
 * start of a word ending the line, "--opt" as "opt", a UTF-8 BOM on line 1
 * ignored, and inline files <tag>…</tag> whose content is data, not
 * options, ending at the first line that starts with </tag>.
 */
#ifndef JAILSUP_OVPN_H
#define JAILSUP_OVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OVPN_REMOTES_MAX 16
#define OVPN_HOST_MAX    255
#define OVPN_FILES_MAX   16

/* The longest line (its bytes before the newline) jailsup reads or
 * writes. openvpn reads its configuration and inline files with fgets()
 * into 256 bytes, newline included, and takes the rest of a longer line as
 * a line of its own: in a .ovpn that rest could be any directive. */
#define OVPN_LINE_MAX 254

struct ovpn_remote {
	char host[OVPN_HOST_MAX + 1];
	uint16_t port;
	bool tcp;
};

/* The `remote HOST [PORT] [PROTO]` lines of TEXT (also inside
 * <connection> blocks; never inside inline files such as <ca>), their
 * port and protocol defaulting to the file's `port`/`rport` and `proto`
 * wherever those stand, else 1194 and UDP, as openvpn does. Returns 0 and
 * *N (possibly 0); -EINVAL with *BAD_LINE for a port that is not 1-65535,
 * a host longer than OVPN_HOST_MAX, more than MAX remotes, or a line
 * openvpn would not read as we do (see ovpn_clean()). */
int ovpn_remotes_parse(const char *text, struct ovpn_remote *out, size_t max, size_t *n,
                       unsigned *bad_line);

/* A file the configuration names (`ca FILE`, `auth-user-pass FILE`, …):
 * what openvpn would open, so what the supervisor must check and give it. */
struct ovpn_file {
	const char *directive; /* "ca", "tls-auth", … (static) */
	/* Absolute: a relative name is relative to DIR, as with openvpn's
	 * --cd DIR; without "." or ".." (taken by name, not through symlinks)
	 * or repeated slashes. */
	char *path;
	unsigned line;
};

struct ovpn_config {
	/* For openvpn: one line for each line of the file (so openvpn's line
	 * numbers are the file's), blank where the file had a comment or a
	 * directive jailsup decides itself (remote, <connection>, dev,
	 * redirect-gateway), else the admitted directive in plain form, its
	 * files named by their absolute paths, inline files as they were. */
	char *text;
	struct ovpn_file files[OVPN_FILES_MAX];
	size_t n_files;
};

struct ovpn_error {
	unsigned line; /* 1-based; 0: not tied to a line */
	char msg[256];
};

/* Checks the SIZE bytes of TEXT, a .ovpn in the folder DIR (absolute),
 * against the allowlist and fills *RET (free with ovpn_config_done()).
 * Returns 0; -EINVAL with *RETERR for the first line that is not allowed
 * or that openvpn could read otherwise than we do (a NUL byte, a control
 * character, a line longer than OVPN_LINE_MAX, bad quoting, more than 16
 * words, an inline file never closed or with text after its end tag), a
 * bad argument, more than OVPN_FILES_MAX files; -ENOMEM. Pure: touches no
 * file. A configuration that passes is written out so that cleaning it
 * again gives it back unchanged. */
int ovpn_clean(const char *text, size_t size, const char *dir, struct ovpn_config *ret,
               struct ovpn_error *reterr);

void ovpn_config_done(struct ovpn_config *c);

/* Whether openvpn may take directive NAME (without "--") from a jail's
 * configuration, as a line or as an inline file <NAME>. */
bool ovpn_directive_allowed(const char *name);

#endif
