/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The trust boundary: can some jail write this path?
 *
 * Everything the host side reads to decide what it runs or binds (the
 * exe and its folder, a VPN configuration and every file it names, an
 * init script) asks this one question first. "A place a jail can write"
 * is every read-write share of every profile (the user's, the system's,
 * the shipped ones, and the resolved profile of every jail that runs),
 * every jail's private data (its home among it) and every state
 * directory. A yes is a refusal, or, where the caller can do without
 * trusting the file (an exe bound as that single file), a narrower use.
 *
 * Places are told apart by device and inode, not by path text, so a bind
 * mount or a second spelling of a shared folder is the same place. A path
 * is walked from '/' one component at a time: a symlink is followed only
 * while it lies outside every place (the user made it); once the walk is
 * inside a place, a symlink there is -ELOOP, never followed, since the
 * jail may have planted it to send the host elsewhere.
 */
#ifndef JAILSUP_TRUST_H
#define JAILSUP_TRUST_H

#include <sys/types.h>

#include "ini-profiles/profile.h"

struct trust_place {
	dev_t dev;
	ino_t ino;
	char *path; /* as found, for messages */
	char *why;  /* "a read-write share of profile 'browser'" */
};

struct trust_places {
	struct trust_place *v;
	size_t n;
};

/* Finds every place a jail can write, as ENV names the user's folders:
 * $XDG_DATA_HOME/jailsup/jails, $XDG_RUNTIME_DIR/jailsup, and each
 * existing read-write share of every profile in ENV's search dirs and of
 * every state directory's profile.ini. A profile that does not load has
 * no jail, and adds nothing. Returns 0 or -ENOMEM. */
int trust_places_load(const struct profile_env *env, struct trust_places *ret);
void trust_places_done(struct trust_places *places);

/* Resolves PATH (absolute) the way the kernel would, with the rule above
 * for symlinks, and says whether some jail can write it: 1 when PATH is
 * one of PLACES or lies below one (*ret_where, malloc'd, names the place
 * and why, e.g. "'/home/u/Downloads', a read-write share of profile
 * 'browser'"; also set on -ELOOP for a symlink inside a place), 0 when not. *ret_resolved (when
 * RET_RESOLVED is non-NULL) is the canonical path, with no symlink in it, set on 0 and 1. A PATH
 * that does not exist is -ENOENT, unless the folder it would be in is in
 * a place (a jail could create it): then 1 all the same. -ELOOP for a
 * symlink inside a place (or a loop), -EINVAL for a relative PATH,
 * -errno. */
int trust_resolve(const struct trust_places *places, const char *path, char **ret_resolved,
                  char **ret_where);

/* trust_resolve() with the places loaded only when they can matter: a
 * path whose every folder, and the file itself, the user cannot write is
 * out of every jail's reach (a jail runs as the user and has no
 * capability on the host), and no profile is read for it. On -ELOOP for
 * a symlink inside a place, *ret_where is set too. */
int trust_resolve_env(const struct profile_env *env, const char *path, char **ret_resolved,
                      char **ret_where);

/* trust_resolve_env() for one question: is PATH (or a symlink on the way
 * to it) where some jail can write? */
int trust_path_jail_writable(const struct profile_env *env, const char *path, char **ret_where);

#endif
