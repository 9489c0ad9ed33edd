/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths in profiles: textual normalisation, "~" and $XDG_* expansion, and
 * the rule that a jail may never be handed jailsup's own folders (its
 * profiles, its state, its private homes) or the autostart folder: a jail
 * that can write its own policy, or a program started at the next login,
 * is no longer in a jail.
 *
 * Everything here is textual on purpose: a profile is parsed long before,
 * and often on another machine state than, the jail that uses it. Symlinks
 * are the mounting code's business (openat2() with RESOLVE_NO_SYMLINKS).
 */
#include <limits.h>

#include "ini-profiles/profile-internal.h"

int
profile_path_normalise(const char *in, bool allow_dotdot, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, n;
	const char *p = in;

	if (in == NULL || in[0] != '/')
		return -EINVAL;
	n = strlen(in);
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	out = malloc(n + 2);
	if (out == NULL)
		return -ENOMEM;

	/* OUT holds "/a/b" without a trailing '/', "" standing for "/". */
	while (*p != '\0') {
		const char *c;
		size_t clen;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		c = p;
		while (*p != '\0' && *p != '/')
			p++;
		clen = (size_t) (p - c);
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			if (!allow_dotdot)
				return -EINVAL;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' before the dropped component */
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, c, clen);
		len += clen;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

int
profile_path_make_absolute(const char *path, const char *cwd, char **ret)
{
	_cleanup_free_ char *joined = NULL;

	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	if (path[0] == '/')
		return profile_path_normalise(path, true, ret);
	if (cwd == NULL || cwd[0] != '/')
		return -EINVAL;
	joined = path_join(cwd, path);
	if (joined == NULL)
		return -ENOMEM;
	return profile_path_normalise(joined, true, ret);
}

/* The variables a profile path may start with. */
static const char *const variables[] = {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                                        "XDG_RUNTIME_DIR"};

static int
variable_index(const char *name, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(variables); i++)
		if (strlen(variables[i]) == len && strncmp(variables[i], name, len) == 0)
			return (int) i;
	return -1;
}

static const char *
variable_value(const struct profile_env *env, int index)
{
	switch (index) {
	case 0:
		return env->home;
	case 1:
		return env->xdg_config_home;
	case 2:
		return env->xdg_data_home;
	case 3:
		return env->xdg_runtime_dir;
	default:
		return NULL;
	}
}

int
profile_expand_path_full(const char *in, const struct profile_env *env, char **ret,
                         const char **reterr_reason)
{
	_cleanup_free_ char *joined = NULL;
	const char *base = NULL, *rest = in, *reason = NULL;
	int r;

	if (in == NULL || in[0] == '\0') {
		reason = "empty path";
		goto invalid;
	}
	if (in[0] == '~') {
		/* "~user" would need the password database and means another
		 * user's home: not something a profile names. */
		if (in[1] != '\0' && in[1] != '/') {
			reason = "only '~' and '~/' are expanded";
			goto invalid;
		}
		base = env->home;
		rest = in + 1;
		if (base == NULL) {
			reason = "$HOME is not set";
			goto invalid;
		}
	} else if (in[0] == '$') {
		const char *name = in + 1, *end;
		bool braced = in[1] == '{';
		int index;

		if (braced) {
			name++;
			end = strchr(name, '}');
			if (end == NULL) {
				reason = "missing '}'";
				goto invalid;
			}
			rest = end + 1;
		} else {
			end = name;
			while ((*end >= 'A' && *end <= 'Z') || *end == '_')
				end++;
			rest = end;
		}
		index = variable_index(name, (size_t) (end - name));
		if (index < 0) {
			reason =
			    "unknown variable (known: $HOME, $XDG_CONFIG_HOME, $XDG_DATA_HOME, "
			    "$XDG_RUNTIME_DIR)";
			goto invalid;
		}
		if (*rest != '\0' && *rest != '/') {
			reason = "a variable must be followed by '/' or end the path";
			goto invalid;
		}
		base = variable_value(env, index);
		if (base == NULL) {
			reason = "the variable is not set";
			goto invalid;
		}
	}

	if (base != NULL) {
		if (base[0] != '/') {
			reason = "the variable is not an absolute path";
			goto invalid;
		}
		if (asprintf(&joined, "%s%s", base, rest) < 0)
			return -ENOMEM;
	} else {
		joined = strdup(in);
		if (joined == NULL)
			return -ENOMEM;
	}
	if (joined[0] != '/') {
		reason = "not an absolute path";
		goto invalid;
	}
	r = profile_path_normalise(joined, false, ret);
	if (r == -EINVAL) {
		reason = "'..' is not allowed";
		goto invalid;
	}
	if (r == -ENAMETOOLONG && reterr_reason != NULL)
		*reterr_reason = "path too long";
	return r;
invalid:
	if (reterr_reason != NULL)
		*reterr_reason = reason;
	return -EINVAL;
}

int
profile_expand_path(const char *in, const struct profile_env *env, char **ret)
{
	return profile_expand_path_full(in, env, ret, NULL);
}

/* True when PATH and the folder BASE/SUB overlap: PATH is it, is inside
 * it, or holds it. */
static int
overlaps(const char *path, const char *base, const char *sub, bool *ret)
{
	_cleanup_free_ char *joined = NULL, *dir = NULL;
	int r;

	*ret = false;
	if (base == NULL || base[0] != '/')
		return 0; /* not set: nothing there to protect */
	joined = path_join(base, sub);
	if (joined == NULL)
		return -ENOMEM;
	r = profile_path_normalise(joined, true, &dir);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	*ret = path_is_below(path, dir) || path_is_below(dir, path);
	return 0;
}

bool
profile_path_kernel(const char *path)
{
	static const char *const kernel[] = { "/proc", "/sys", "/dev" };

	for (size_t i = 0; i < ELEMENTSOF(kernel); i++)
		if (path_is_below(path, kernel[i]))
			return true;
	return false;
}

int
profile_share_allowed(const char *path, const struct profile_env *env)
{
	_cleanup_free_ char *norm = NULL, *home = NULL;
	const struct {
		const char *base;
		const char *sub;
	} protected[] = {
	    {env->xdg_config_home, "jailsup"},   /* the profiles: the jail's policy */
	    {env->xdg_data_home, "jailsup"},     /* every jail's private home */
	    {env->xdg_runtime_dir, "jailsup"},   /* state dirs, control socket */
	    {env->xdg_config_home, "autostart"}, /* runs at the next login */
	    {env->home, ".config/autostart"},    /* the same when XDG_CONFIG_HOME moved */
	};
	int r;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	r = profile_path_normalise(path, false, &norm);
	if (r < 0)
		return r;
	if (!streq(norm, path))
		return -EINVAL; /* callers hand us expanded, normalised paths */
	/* The host's process table, sysfs and devices: the jail has its own,
	 * and a bind of the host's over them would be shown instead. */
	if (streq(path, "/") || profile_path_kernel(path))
		return -EPERM;
	if (env->home != NULL && env->home[0] == '/') {
		r = profile_path_normalise(env->home, true, &home);
		if (r == -ENOMEM)
			return r;
		/* The whole home, or a folder holding it: that is no jail. */
		if (r >= 0 && path_is_below(home, path))
			return -EPERM;
	}
	for (size_t i = 0; i < ELEMENTSOF(protected); i++) {
		bool hit;

		r = overlaps(path, protected[i].base, protected[i].sub, &hit);
		if (r < 0)
			return r;
		if (hit)
			return -EPERM;
	}
	return 0;
}

/* What the user's session reads or runs from the home, at login or later,
 * outside every jail: a jail that could write one of them would run code
 * on the host the next time the user logs in, opens a shell, starts a
 * service or uses a key. Read-only, most of them are fine to share. */
static const char *const session_files[] = {
	/* shells */
	".profile", ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".bash_aliases",
	".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".config/fish",
	/* X and desktop sessions */
	".xprofile", ".xsessionrc", ".xinitrc", ".xsession", ".pam_environment",
	".config/autostart", ".config/plasma-workspace", ".config/environment.d",
	/* user services and launchers (jailsup's own among them) */
	".config/systemd", ".local/share/systemd", ".local/share/dbus-1",
	".local/share/applications",
	/* programs found first in $PATH */
	".local/bin", "bin",
	/* keys and what decides whom they trust */
	".ssh", ".gnupg",
};

const char *const *
profile_session_files(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(session_files);
	return session_files;
}

/* The same folders where $XDG_CONFIG_HOME or $XDG_DATA_HOME moved them. */
static const char *const session_config_dirs[] = { "autostart", "plasma-workspace",
						    "environment.d", "systemd", "fish" };
static const char *const session_data_dirs[] = { "systemd", "dbus-1", "applications" };

int
profile_share_rw_allowed(const char *path, const struct profile_env *env,
			 const char **reterr_what)
{
	const struct {
		const char *base;
		const char *const *subs;
		size_t n;
	} groups[] = {
		{ env->home, session_files, ELEMENTSOF(session_files) },
		{ env->xdg_config_home, session_config_dirs, ELEMENTSOF(session_config_dirs) },
		{ env->xdg_data_home, session_data_dirs, ELEMENTSOF(session_data_dirs) },
	};
	int r;

	r = profile_share_allowed(path, env);
	if (r < 0)
		return r;
	for (size_t g = 0; g < ELEMENTSOF(groups); g++)
		for (size_t i = 0; i < groups[g].n; i++) {
			bool hit;

			r = overlaps(path, groups[g].base, groups[g].subs[i], &hit);
			if (r < 0)
				return r;
			if (hit) {
				if (reterr_what != NULL)
					*reterr_what = groups[g].subs[i];
				return -EPERM;
			}
		}
	return 0;
}
