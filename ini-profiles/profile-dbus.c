/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Validation of the [dbus] and [dbus-system] rules, which are handed to
 * xdg-dbus-proxy as --see/--talk/--own=NAME and --call/--broadcast=
 * NAME=RULE. The proxy itself checks only --see/--talk/--own names (and
 * reads anything after a leading '*' of a RULE as "everything"), so a typo
 * in a call rule would silently widen or void the filter: we accept
 * exactly the syntax of its manual and the D-Bus specification's name
 * grammar, and nothing else.
 */
#include "ini-profiles/profile-internal.h"

#define DBUS_NAME_MAX 255

static bool
char_alpha_(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
char_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* S[0..LEN) as dot-separated elements: at least two, none empty, none
 * starting with a digit; HYPHEN allows '-' (bus names, not interfaces). */
static bool
dotted_valid(const char *s, size_t len, bool hyphen)
{
	size_t elements = 0, elen = 0;

	if (len == 0 || len > DBUS_NAME_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (elen == 0)
				return false;
			elements++;
			elen = 0;
			continue;
		}
		if (!(char_alpha_(c) || char_digit(c) || (hyphen && c == '-')))
			return false;
		if (elen == 0 && char_digit(c))
			return false;
		elen++;
	}
	return elements >= 2;
}

/* A pattern "org.example.App" or "org.example.*" in S[0..LEN). */
static bool
name_pattern_valid(const char *s, size_t len)
{
	if (len > 2 && s[len - 2] == '.' && s[len - 1] == '*')
		len -= 2;
	return dotted_valid(s, len, true);
}

bool
profile_dbus_name_pattern_valid(const char *s)
{
	return s != NULL && name_pattern_valid(s, strlen(s));
}

/* Names no jail may talk to, whatever its profile says: each one runs
 * programs on the host, outside every jail (the Flatpak portal's Spawn
 * sees a jail's proxied connection as an unsandboxed host app). */
static const char *const escape_names[] = {
	"org.freedesktop.portal.Flatpak",
	"org.freedesktop.Flatpak",
	"org.freedesktop.systemd1",
};

const char *
profile_dbus_pattern_escapes(const char *s, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(escape_names); i++) {
		const char *n = escape_names[i];

		/* "org.x.*" covers org.x and every name below it. */
		if (len > 2 && s[len - 2] == '.' && s[len - 1] == '*') {
			if (strncmp(n, s, len - 2) == 0 && (n[len - 2] == '.' || n[len - 2] == '\0'))
				return n;
		} else if (strlen(n) == len && strncmp(n, s, len) == 0)
			return n;
	}
	return NULL;
}

static bool
member_valid(const char *s, size_t len)
{
	if (len == 0 || len > DBUS_NAME_MAX || char_digit(s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!char_alpha_(s[i]) && !char_digit(s[i]))
			return false;
	return true;
}

/* "/", or "/a/b_c" (elements of [A-Za-z0-9_], no empty one, no trailing
 * '/'), in S[0..LEN). */
static bool
object_path_valid(const char *s, size_t len)
{
	if (len == 0 || s[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (s[len - 1] == '/')
		return false;
	for (size_t i = 1; i < len; i++) {
		if (s[i] == '/') {
			if (s[i - 1] == '/')
				return false;
			continue;
		}
		if (!char_alpha_(s[i]) && !char_digit(s[i]))
			return false;
	}
	return true;
}

/* METHOD: "*", "org.example.Iface.Member" or "org.example.Iface.*". */
static bool
method_valid(const char *s, size_t len)
{
	const char *dot;

	if (len == 1 && s[0] == '*')
		return true;
	dot = memrchr(s, '.', len);
	if (dot == NULL)
		return false;
	if (!dotted_valid(s, (size_t) (dot - s), false))
		return false;
	if ((size_t) (s + len - (dot + 1)) == 1 && dot[1] == '*')
		return true;
	return member_valid(dot + 1, (size_t) (s + len - (dot + 1)));
}

bool
profile_dbus_rule_valid(const char *s, const char **reterr_reason)
{
	const char *eq, *rule, *at;
	const char *reason;
	size_t mlen;

	eq = s != NULL ? strchr(s, '=') : NULL;
	if (eq == NULL) {
		reason = "expected NAME=[METHOD][@PATH]";
		goto invalid;
	}
	if (!name_pattern_valid(s, (size_t) (eq - s))) {
		reason = "invalid bus name before '='";
		goto invalid;
	}
	rule = eq + 1;
	at = strchr(rule, '@');
	mlen = at != NULL ? (size_t) (at - rule) : strlen(rule);
	if (mlen > 0 && !method_valid(rule, mlen)) {
		reason = "invalid method (expected INTERFACE.MEMBER, INTERFACE.* or *)";
		goto invalid;
	}
	if (at != NULL) {
		const char *path = at + 1;
		size_t plen = strlen(path);
		bool ok;

		/* A PATH ending in '/' '*' means that path and everything
		 * below it. The proxy cuts those two characters off, so "//"
		 * plus '*' would leave the prefix "/", which matches almost
		 * nothing: refused. */
		if (streq(path, "/*"))
			ok = true;
		else if (plen > 2 && path[plen - 2] == '/' && path[plen - 1] == '*')
			ok = plen - 2 > 1 && object_path_valid(path, plen - 2);
		else
			ok = object_path_valid(path, plen);
		if (!ok) {
			reason = "invalid object path after '@' (expected /a/b or /a/b/*)";
			goto invalid;
		}
	}
	return true;
invalid:
	if (reterr_reason != NULL)
		*reterr_reason = reason;
	return false;
}
