/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The name of a jail for an exe (docs/profiles.md "Names from programs"): a
 * jail is keyed by its name, never by its exe path, so `jailsup run
 * /usr/bin/firefox` and `jailsup run firefox` meet in the same jail, while
 * ~/src/tool and ~/bin/tool get jails of their own.
 *
 * The path is taken as written, made absolute and normalised, but never
 * symlink-resolved: /usr/bin/python3 stays "python3", not "python3.11".
 * Different paths can meet in one name ("a-b/c" and "a/b-c", or a file
 * name that only differs in characters we replace); callers that care
 * compare the found profile's exec with the one they were given.
 */
#include "ini-profiles/profile-internal.h"
#include "state/state.h"

/* Folders whose programs are named by their file name alone. */
static const char *const bin_dirs[] = {
    "/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin",
};

static bool
char_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* FNV-1a: stable across builds and machines, which is all a name needs;
 * nothing relies on it resisting a chosen collision (a collision only
 * makes two exes share a jail, which their profile's exec reveals). */
static uint32_t
hash32(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char) *s;
		h *= 16777619u;
	}
	return h;
}

int
profile_name_from_exe(const char *exe, const char *cwd, char **ret)
{
	_cleanup_free_ char *abs = NULL, *raw = NULL, *out = NULL;
	const char *start, *hashed;
	size_t len;
	int r;

	if (exe == NULL || exe[0] == '\0')
		return -EINVAL;

	if (strchr(exe, '/') == NULL) {
		/* A bare name, as found in $PATH: it names itself. */
		raw = strdup(exe);
		if (raw == NULL)
			return -ENOMEM;
		hashed = exe;
	} else {
		const char *slash, *file;
		bool in_bin = false;

		r = profile_path_make_absolute(exe, cwd, &abs);
		if (r < 0)
			return r;
		if (streq(abs, "/"))
			return -EINVAL;
		slash = strrchr(abs, '/');
		file = slash + 1;
		for (size_t i = 0; i < ELEMENTSOF(bin_dirs); i++)
			if (strlen(bin_dirs[i]) == (size_t) (slash - abs) &&
			    strncmp(abs, bin_dirs[i], (size_t) (slash - abs)) == 0)
				in_bin = true;
		raw = strdup(in_bin ? file : abs + 1);
		if (raw == NULL)
			return -ENOMEM;
		for (char *c = raw; *c != '\0'; c++)
			if (*c == '/')
				*c = '-';
		hashed = abs;
	}

	for (char *c = raw; *c != '\0'; c++)
		if (!char_alnum(*c) && *c != '.' && *c != '_' && *c != '-')
			*c = '_';
	/* A name starts with a letter or digit: no ".hidden", no "-option". */
	for (start = raw; *start != '\0' && !char_alnum(*start); start++)
		;
	if (*start == '\0')
		return -EINVAL;

	len = strlen(start);
	if (len <= JAIL_NAME_MAX) {
		out = strdup(start);
		if (out == NULL)
			return -ENOMEM;
	} else {
		/* Too long: the tail (the file name end, the most telling
		 * part) plus a hash of the whole path, so that two long
		 * paths ending alike still get different jails. */
		const char *tail = start + len - (JAIL_NAME_MAX - 9);

		while (*tail != '\0' && !char_alnum(*tail))
			tail++;
		if (asprintf(&out, "%s%s%08x", tail, *tail != '\0' ? "-" : "", hash32(hashed)) < 0)
			return -ENOMEM;
	}
	if (!jail_name_valid(out))
		return -EINVAL;
	*ret = TAKE_PTR(out);
	return 0;
}
