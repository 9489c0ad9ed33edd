/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exe-paths.h: where our sibling binaries and the helpers on $PATH are. */
#include <limits.h>

#include "state/exe-paths.h"

int
sibling_path(const char *relative, char **ret)
{
	static const char libexec[] = "/libexec/jailsup";
	char self[PATH_MAX], *slash;
	size_t len;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	/* Our folder, then the prefix above bin/ or libexec/jailsup/. */
	slash = strrchr(self, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	len = strlen(self);
	if (len >= sizeof(libexec) - 1 && streq(self + len - (sizeof(libexec) - 1), libexec))
		self[len - (sizeof(libexec) - 1)] = '\0';
	else {
		slash = strrchr(self, '/');
		if (slash == NULL)
			return -EINVAL;
		*slash = '\0';
	}
	if (asprintf(ret, "%s/%s", self, relative) < 0)
		return -ENOMEM;
	return 0;
}

int
find_on_path(const char *name, const char *path, char **ret)
{
	_cleanup_free_ char *copy = path != NULL ? strdup(path) : NULL;
	char *save = NULL;

	if (path != NULL && copy == NULL)
		return -ENOMEM;
	for (char *d = copy != NULL ? strtok_r(copy, ":", &save) : NULL; d != NULL;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;

		if (d[0] != '/')
			continue; /* a relative folder would depend on our cwd */
		p = path_join(d, name);
		if (p == NULL)
			return -ENOMEM;
		if (access(p, X_OK) == 0) {
			*ret = TAKE_PTR(p);
			return 0;
		}
	}
	return -ENOENT;
}

bool
found_on_path(const char *name, const char *path)
{
	_cleanup_free_ char *p = NULL;

	return find_on_path(name, path, &p) >= 0;
}
