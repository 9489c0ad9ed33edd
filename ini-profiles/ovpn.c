/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ini-profiles/ovpn.h"
#include "state/util.h"

/* The next blank-separated word of *P (openvpn's own quoting is not
 * needed for hosts, ports and protocols), or NULL. */
static const char *
next_word(const char **p, char *buf, size_t size)
{
	size_t len;

	*p += strspn(*p, " \t");
	len = strcspn(*p, " \t");
	if (len == 0 || len >= size)
		return len == 0 ? NULL : (*p += len, buf[0] = '\0', buf);
	memcpy(buf, *p, len);
	buf[len] = '\0';
	*p += len;
	return buf;
}

static bool
is_tcp(const char *proto)
{
	return strncmp(proto, "tcp", 3) == 0;
}

int
ovpn_remotes_parse(const char *text, struct ovpn_remote *out, size_t max, size_t *n,
		   unsigned *bad_line)
{
	unsigned default_port = 1194, line_no = 0;
	int have_tcp[OVPN_REMOTES_MAX];
	bool have_port[OVPN_REMOTES_MAX], default_tcp = false;
	char inline_tag[32] = "";

	*n = 0;
	if (max > OVPN_REMOTES_MAX)
		max = OVPN_REMOTES_MAX;
	for (const char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		char buf[512], key[32], host[OVPN_HOST_MAX + 1], port[16], proto[32];
		const char *p = buf;

		line_no++;
		snprintf(buf, sizeof(buf), "%.*s", (int) (len < sizeof(buf) ? len : sizeof(buf) - 1),
			 line);
		line += len + (line[len] == '\n');
		buf[strcspn(buf, "\r")] = '\0';
		if (next_word(&p, key, sizeof(key)) == NULL || key[0] == '#' || key[0] == ';')
			continue;
		/* Inline files: their content is no option. */
		if (inline_tag[0] != '\0') {
			if (key[0] == '<' && key[1] == '/' && strncmp(key + 2, inline_tag,
								      strlen(inline_tag)) == 0)
				inline_tag[0] = '\0';
			continue;
		}
		if (key[0] == '<' && key[1] != '/' && !streq(key, "<connection>")) {
			snprintf(inline_tag, sizeof(inline_tag), "%.*s", (int) strcspn(key + 1, ">"),
				 key + 1);
			continue;
		}
		if (streq(key, "port") || streq(key, "rport")) {
			if (next_word(&p, port, sizeof(port)) == NULL ||
			    parse_uint(port, 1, 65535, &default_port) < 0)
				goto bad;
		} else if (streq(key, "proto")) {
			if (next_word(&p, proto, sizeof(proto)) != NULL)
				default_tcp = is_tcp(proto);
		} else if (streq(key, "remote")) {
			struct ovpn_remote *r;
			unsigned v;

			if (*n >= max || next_word(&p, host, sizeof(host)) == NULL || host[0] == '\0')
				goto bad;
			r = &out[*n];
			*r = (struct ovpn_remote){};
			memcpy(r->host, host, strlen(host) + 1);
			have_port[*n] = next_word(&p, port, sizeof(port)) != NULL;
			if (have_port[*n]) {
				if (parse_uint(port, 1, 65535, &v) < 0)
					goto bad;
				r->port = (uint16_t) v;
			}
			have_tcp[*n] = -1;
			if (next_word(&p, proto, sizeof(proto)) != NULL)
				have_tcp[*n] = is_tcp(proto);
			(*n)++;
		}
	}
	for (size_t i = 0; i < *n; i++) {
		if (!have_port[i])
			out[i].port = (uint16_t) default_port;
		out[i].tcp = have_tcp[i] >= 0 ? have_tcp[i] : default_tcp;
	}
	return 0;
bad:
	*bad_line = line_no;
	return -EINVAL;
}

/* Directives a VPN jail's openvpn must not take from its .ovpn. */
static const char *const dropped_directives[] = {
	/* jailsup's own: the servers it routed, the device and mark of its
	 * kill switch, its script and the limits on scripts */
	"remote", "remote-random", "remote-random-hostname", "dev", "dev-type", "dev-node",
	"mark", "script-security", "iproute", "redirect-gateway",
	/* programs and plugins */
	"up", "down", "route-up", "route-pre-down", "ipchange", "tls-verify",
	"auth-user-pass-verify", "client-connect", "client-disconnect", "learn-address",
	"tls-crypt-v2-verify", "plugin",
	/* files written, users, processes, control ports, other configs */
	"log", "log-append", "status", "writepid", "tls-export-cert", "daemon", "chroot",
	"user", "group", "cd", "config", "management",
};

static bool
directive_dropped(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(dropped_directives); i++)
		if (streq(key, dropped_directives[i]))
			return true;
	/* management-client, management-hold, …; setenv (but `setenv opt`,
	 * which only marks an option as optional) could reach our script's
	 * variables. */
	return strncmp(key, "management-", strlen("management-")) == 0;
}

int
ovpn_clean(const char *text, char **ret)
{
	size_t size = strlen(text) + 1, at = 0;
	_cleanup_free_ char *out = NULL;
	char inline_tag[32] = "";
	bool in_connection = false;

	/* A dropped line becomes "# jailsup: dropped KEY" (at most 64 bytes
	 * of key): room for that on every line. */
	for (const char *p = text; *p != '\0'; p++)
		if (*p == '\n')
			size += 96;
	size += 96;
	out = malloc(size);
	if (out == NULL)
		return -ENOMEM;
	for (const char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		char head[128], key[64] = "", arg[16] = "";
		bool drop = false;

		/* Only this line: sscanf's blanks would skip a newline. */
		snprintf(head, sizeof(head), "%.*s", (int) (len < sizeof(head) ? len : sizeof(head) - 1),
			 line);
		(void) sscanf(head, " %63s %15s", key, arg);
		if (inline_tag[0] != '\0') {
			if (strncmp(key, "</", 2) == 0 &&
			    strncmp(key + 2, inline_tag, strlen(inline_tag)) == 0)
				inline_tag[0] = '\0';
		} else if (streq(key, "<connection>")) {
			in_connection = drop = true;
		} else if (in_connection) {
			drop = true;
			if (streq(key, "</connection>"))
				in_connection = false;
		} else if (key[0] == '<' && key[1] != '/') {
			snprintf(inline_tag, sizeof(inline_tag), "%.*s", (int) strcspn(key + 1, ">"),
				 key + 1);
		} else if (key[0] != '#' && key[0] != ';') {
			/* An option may also be written "--option" in a file. */
			const char *k = strncmp(key, "--", 2) == 0 ? key + 2 : key;

			drop = directive_dropped(k) || (streq(k, "setenv") && !streq(arg, "opt"));
		}
		if (drop)
			at += (size_t) snprintf(out + at, size - at, "# jailsup: dropped '%.40s'",
						key);
		else {
			memcpy(out + at, line, len);
			at += len;
		}
		line += len;
		if (*line == '\n') {
			out[at++] = '\n';
			line++;
		}
	}
	out[at] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}
