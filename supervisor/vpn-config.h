/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's .ovpn and the files it names, as the supervisor takes them
 * before anything of the jail starts (docs/architecture.md "The VPN").
 * openvpn runs outside the jail, so each of them must be out of every
 * jail's reach (ini-profiles/trust.h), a regular file of the user's or
 * root's that nobody else may write, and the .ovpn must pass the allowlist
 * (ini-profiles/ovpn.h). Each file is opened here, once, without following
 * any symlink: what openvpn is given later is these open files, not their
 * paths again.
 */
#ifndef JAILSUP_SUPERVISOR_VPN_CONFIG_H
#define JAILSUP_SUPERVISOR_VPN_CONFIG_H

#include "ini-profiles/ovpn.h"
#include "ini-profiles/profile.h"

#define VPN_CONFIG_SIZE_MAX (1024 * 1024)

struct vpn_config {
	char *path;               /* the .ovpn, as the profile names it */
	char *text;               /* as read: its servers (ovpn_remotes_parse()) */
	struct ovpn_config clean; /* for openvpn, and the files it names */
	int fds[OVPN_FILES_MAX];  /* clean.files[i], open for reading */
};

/* Reads PATH (the `vpn` of a profile) and opens every file it names, with
 * ENV for the question of who can write them. Returns 0 and fills *RET
 * (free with vpn_config_done()); or -ENOENT (a file is missing), -EPERM (a
 * file a jail can write, or someone else), -EINVAL (a directive that is not
 * allowed, a file that is not a regular one), -errno, with *RET_MSG
 * (malloc'd) the one line for the user: which file, which line, whose
 * share, what to do. */
int vpn_config_load(const struct profile_env *env, const char *path, struct vpn_config *ret,
                    char **ret_msg);

void vpn_config_done(struct vpn_config *c);

#endif
