/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of libjailprofile share and nobody else may use: textual
 * path normalisation, the D-Bus rule validators and the check that a value
 * can be written back into an INI line unchanged. Never included outside
 * ini-profiles/.
 */
#ifndef JAILSUP_PROFILE_INTERNAL_H
#define JAILSUP_PROFILE_INTERNAL_H

#include "ini-profiles/profile.h"

/* Normalises the absolute path IN: "//" and "/./" collapse, a trailing '/'
 * goes. ".." is -EINVAL unless ALLOW_DOTDOT, then it drops the previous
 * component (textually, "/.." stays "/"). -EINVAL for a relative IN,
 * -ENAMETOOLONG beyond PATH_MAX. */
int profile_path_normalise(const char *in, bool allow_dotdot, char **ret);

/* profile_expand_path() with the reason for an -EINVAL, for messages. */
int profile_expand_path_full(const char *in, const struct profile_env *env, char **ret,
                             const char **reterr_reason);

/* A well-known D-Bus name, or a prefix of one ending in ".*", as
 * xdg-dbus-proxy accepts for --see/--talk/--own (never a unique ":1.2"). */
bool profile_dbus_name_pattern_valid(const char *s);

/* NAME=[METHOD][@PATH] for --call/--broadcast. On false, *reterr_reason
 * says which part is wrong. */
bool profile_dbus_rule_valid(const char *s, const char **reterr_reason);

/* The name of a bus service that runs programs outside the jail (the
 * Flatpak portal, systemd) which the name or "prefix.*" pattern in
 * S[0..LEN) would let a jail talk to, or NULL: talk and call rules never
 * may. */
const char *profile_dbus_pattern_escapes(const char *s, size_t len);

/* True when S can be written as "key = S" and inih hands back exactly S:
 * not empty, at most PROFILE_VALUE_MAX bytes, no control character, no
 * leading or trailing blank, no ';' at the start or after a blank (inih's
 * comment rules). LIST_ITEM also refuses ','. */
bool profile_value_representable(const char *s, bool list_item);

/* True when the absolute, normalised PATH is /proc, /sys, /dev or below
 * one of them: the kernel's views, never a program or a share. */
bool profile_path_kernel(const char *path);

/* Sorts P's shares by path, so a folder always comes before what is inside
 * it (the order they must be mounted in) and dumps are canonical. */
void profile_shares_sort(struct jail_profile *p);

#endif
