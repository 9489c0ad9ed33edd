/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Exe resolution at start time (docs/profiles.md, `exec`): the profile keeps
 * exec as the user wrote it, a symlink staying a symlink, and every start
 * resolves it again, so an updated symlink (alternatives, a new version) is
 * picked up without touching the profile.
 *
 * The jail never sees the real home. An exe inside it is therefore made
 * visible by binding its folder read-only under $HOME/shared/ in the jail,
 * and the path to run is rewritten to match. An exe lying directly in
 * $HOME gets only its own file bound: binding its folder would hand the
 * jail the whole home.
 *
 * An exe where some jail can write (trust.h) is never trusted with more
 * than itself: a symlink there is not followed (the jail may have planted
 * it to have its next start bind a folder it could not see), and the file
 * is bound alone, never its folder. So no jail can make its next start
 * show it anything it could not see before.
 *
 * The result is a snapshot. The exe can be replaced or removed between
 * this call and the execve() in the jail; that race is accepted, as with
 * any exec: the jail execs the path it was given and reports ENOENT or
 * EACCES (exit 127 or 126) like a shell would.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>

#include "ini-profiles/profile-internal.h"
#include "ini-profiles/trust.h"

void
exe_resolution_done(struct exe_resolution *r)
{
	if (r == NULL)
		return;
	free(r->resolved);
	free(r->jail_path);
	free(r->bind_src);
	free(r->bind_dst);
	*r = (struct exe_resolution){};
}

/* 0 when PATH (symlinks followed) is a regular file we may execute. */
static int
check_exe(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	/* AT_EACCESS: the effective ids are what execve() checks. */
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : -errno;
	return 0;
}

/* execvp()'s search, minus its trap: an empty or relative entry of $PATH
 * would make the exe depend on whatever folder the CLI was started in. */
static int
search_path(const char *name, const char *path, char **ret)
{
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;
	int best = -ENOENT;

	if (path == NULL)
		return -ENOENT;
	copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *candidate = NULL;
		int r;

		if (dir[0] != '/')
			continue;
		candidate = path_join(dir, name);
		if (candidate == NULL)
			return -ENOMEM;
		r = check_exe(candidate);
		if (r == 0) {
			*ret = TAKE_PTR(candidate);
			return 0;
		}
		if (r == -ENOMEM)
			return r;
		/* Like execvp(): a file found but not executable outranks
		 * "not found" when nothing better turns up later. */
		if (r == -EACCES)
			best = r;
		else if (r == -ELOOP && best == -ENOENT)
			best = r;
	}
	return best;
}

/* The part of RESOLVED below HOME, when it is inside it (not HOME itself). */
static const char *
below_home(const char *resolved, const char *home)
{
	size_t n = strlen(home);

	if (streq(home, "/") || !path_is_below(resolved, home) || resolved[n] == '\0')
		return NULL;
	return resolved + n + 1;
}

/* SINGLE_FILE: bind the exe alone, even when it has a folder of its own
 * below $HOME. */
static int
rewrite_for_home(const char *resolved, const struct profile_env *env, bool single_file,
		 struct exe_resolution *res)
{
	_cleanup_free_ char *home = NULL, *real_home = NULL, *shared = NULL, *textual = NULL,
	                    *reldir = NULL;
	const char *rel, *slash;
	int r;

	if (env->home == NULL || env->home[0] != '/')
		return 0;
	r = profile_path_normalise(env->home, true, &home);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	/* RESOLVED is canonical; a home reached through a symlink (/home
	 * -> /usr/home) only matches in its canonical form. */
	real_home = realpath(home, NULL);
	rel = real_home != NULL ? below_home(resolved, real_home) : NULL;
	if (rel == NULL)
		rel = below_home(resolved, home);
	if (rel == NULL)
		return 0;

	/* The same folder as the user's environment spells it, for the
	 * textual policy check (it compares against $XDG_* as set). */
	textual = path_join(home, rel);
	if (textual == NULL)
		return -ENOMEM;
	slash = strrchr(rel, '/');
	if (slash != NULL && !single_file) {
		*strrchr(textual, '/') = '\0';
		r = profile_share_allowed(textual, env);
		if (r < 0)
			return r;
	}

	shared = path_join(home, "shared");
	if (shared == NULL)
		return -ENOMEM;
	if (slash == NULL || single_file) {
		/* Directly in $HOME (or where a jail writes): the file alone. */
		res->bind_file = true;
		res->bind_src = strdup(resolved);
		res->bind_dst = path_join(shared, rel);
		if (res->bind_src == NULL || res->bind_dst == NULL)
			return -ENOMEM;
		res->jail_path = strdup(res->bind_dst);
		return res->jail_path == NULL ? -ENOMEM : 0;
	}
	reldir = strndup(rel, (size_t) (slash - rel));
	if (reldir == NULL)
		return -ENOMEM;
	res->bind_src = strndup(resolved, (size_t) (strrchr(resolved, '/') - resolved));
	res->bind_dst = path_join(shared, reldir);
	if (res->bind_src == NULL || res->bind_dst == NULL)
		return -ENOMEM;
	res->jail_path = path_join(res->bind_dst, slash + 1);
	return res->jail_path == NULL ? -ENOMEM : 0;
}

int
profile_resolve_exe_full(const char *exec, const char *cwd, const struct profile_env *env,
                         struct exe_resolution *ret, char **reterr_why)
{
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};
	_cleanup_free_ char *candidate = NULL, *where = NULL;
	bool jail_writable;
	int r;

	if (exec == NULL || exec[0] == '\0')
		return -EINVAL;
	if (exec[0] == '~' || exec[0] == '$') {
		r = profile_expand_path(exec, env, &candidate);
		if (r < 0)
			return r;
	} else if (exec[0] == '/') {
		candidate = strdup(exec);
		if (candidate == NULL)
			return -ENOMEM;
	} else if (strchr(exec, '/') != NULL) {
		/* Not normalised textually: "link/../x" must mean what the
		 * kernel makes of it, which realpath() below works out. */
		if (cwd == NULL || cwd[0] != '/')
			return -EINVAL;
		candidate = path_join(cwd, exec);
		if (candidate == NULL)
			return -ENOMEM;
	} else {
		r = search_path(exec, env->path, &candidate);
		if (r < 0)
			return r;
	}

	r = trust_resolve_env(env, candidate, &res.resolved, &where);
	if (r == -ELOOP && where != NULL && reterr_why != NULL &&
	    asprintf(reterr_why,
	             "'%s' goes through a symlink in %s, which a jail can write: it is not "
	             "followed (a jail may have planted it); name the real file instead",
	             candidate, where) < 0)
		*reterr_why = NULL;
	if (r < 0)
		return r == -ENOTDIR ? -ENOENT : r;
	jail_writable = r > 0;
	if (profile_path_kernel(res.resolved))
		return -EPERM;
	r = check_exe(res.resolved);
	if (r < 0)
		return r;
	r = rewrite_for_home(res.resolved, env, jail_writable, &res);
	if (r < 0)
		return r;
	/* Outside $HOME the jailer binds such a file alone, at its own path. */
	res.bind_file = res.bind_file || jail_writable;
	if (res.jail_path == NULL) {
		res.jail_path = strdup(res.resolved);
		if (res.jail_path == NULL)
			return -ENOMEM;
	}
	*ret = res;
	res = (struct exe_resolution){};
	return 0;
}

int
profile_resolve_exe(const char *exec, const char *cwd, const struct profile_env *env,
                    struct exe_resolution *ret)
{
	return profile_resolve_exe_full(exec, cwd, env, ret, NULL);
}
