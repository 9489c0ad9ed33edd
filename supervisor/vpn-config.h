/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VPN jail's configuration and the files it names, as the supervisor
 * takes them before anything of the jail starts (docs/architecture.md "The
 * VPN"): a .ovpn for OpenVPN, or a .conf in wg-quick's format for
 * WireGuard, told apart by the name's suffix. The VPN is set up outside the
 * jail, so each file must be out of every jail's reach
 * (ini-profiles/trust.h), a regular file of the user's or root's that
 * nobody else may write, and must pass its allowlist (ini-profiles/ovpn.h,
 * ini-profiles/wg-conf.h). Each file is opened here, once, without
 * following any symlink: what openvpn is given later is these open files,
 * not their paths again (a .conf is read whole: it names no file).
 */
#ifndef JAILSUP_SUPERVISOR_VPN_CONFIG_H
#define JAILSUP_SUPERVISOR_VPN_CONFIG_H

#include <errno.h>

#include "ini-profiles/ovpn.h"
#include "ini-profiles/profile.h"
#include "ini-profiles/wg-conf.h"

#define VPN_CONFIG_SIZE_MAX (1024 * 1024)

enum vpn_kind {
	VPN_OPENVPN,   /* NAME.ovpn */
	VPN_WIREGUARD, /* NAME.conf, wg-quick's format */
	_VPN_KIND_MAX,
	_VPN_KIND_INVALID = -EINVAL,
};

/* The kind PATH's suffix names, or _VPN_KIND_INVALID. */
enum vpn_kind vpn_kind_from_path(const char *path);

struct vpn_config {
	enum vpn_kind kind;
	char *path;               /* the .ovpn or .conf, as the profile names it */
	char *text;               /* as read: its servers (ovpn_remotes_parse()) */
	struct ovpn_config clean; /* for openvpn, and the files it names */
	int fds[OVPN_FILES_MAX];  /* clean.files[i], open for reading */
	struct wg_conf wg;        /* VPN_WIREGUARD: the parsed .conf (text is then NULL) */
};

/* Reads PATH (the `vpn` of a profile) and opens every file it names, with
 * ENV for the question of who can write them. Returns 0 and fills *RET
 * (free with vpn_config_done()); or -ENOENT (a file is missing), -EPERM (a
 * file a jail can write, or someone else), -EINVAL (a name that is neither
 * .ovpn nor .conf, a directive or key that is not allowed, a file that is
 * not a regular one), -errno, with *RET_MSG
 * (malloc'd) the one line for the user: which file, which line, whose
 * share, what to do. */
int vpn_config_load(const struct profile_env *env, const char *path, struct vpn_config *ret,
                    char **ret_msg);

void vpn_config_done(struct vpn_config *c);

#endif
