/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the trust walk (ini-profiles/trust.h): any path,
 * relative to a small tree made once with places, user symlinks, links
 * planted inside a place, loops and "..". Whatever trust_resolve()
 * answers must be true of the filesystem: a resolved path is canonical
 * (realpath() of it is itself: no symlink, ".", ".." or "//" left), the
 * answer 1 means a folder on the way (or the file) is a place, and 0
 * means none is. A walk never follows a link that lies inside a place.
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <sys/stat.h>

#include <assert.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>

#include "ini-profiles/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static struct trust_places places;

static void
make(const char *rel, const char *link_target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (link_target != NULL)
		assert(symlink(link_target, path) == 0);
	else if (rel[strlen(rel) - 1] == '/')
		assert(mkdir(path, 0700) == 0);
	else
		assert(close(open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == 0);
}

static void
add_place(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert(stat(path, &st) == 0);
	places.v = realloc(places.v, (places.n + 1) * sizeof(*places.v));
	assert(places.v != NULL);
	places.v[places.n++] = (struct trust_place){ .dev = st.st_dev, .ino = st.st_ino,
						     .path = strdup(path), .why = strdup("test") };
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void) st;
	(void) ftw;
	if (flag == FTW_DP)
		(void) rmdir(path);
	else
		(void) unlink(path);
	return 0;
}

static void
remove_tree(void)
{
	(void) nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
setup(void)
{
	char abs[PATH_MAX];

	strcpy(root, "/tmp/fuzz-trust-XXXXXX");
	assert(mkdtemp(root) != NULL);
	atexit(remove_tree);
	make("home/", NULL);
	make("home/Downloads/", NULL);
	make("home/Downloads/sub/", NULL);
	make("home/Downloads/sub/file", NULL);
	make("home/Downloads/file", NULL);
	make("home/secret/", NULL);
	make("home/secret/token", NULL);
	make("home/notes", NULL);
	make("home/data/", NULL);
	make("home/data/jails/", NULL);
	make("home/data/jails/x/", NULL);
	make("home/data/jails/x/home", NULL);
	/* Planted inside a place: never to be followed. */
	make("home/Downloads/rel-link", "../secret");
	snprintf(abs, sizeof(abs), "%s/home/secret", root);
	make("home/Downloads/abs-link", abs);
	make("home/Downloads/sub/up", "..");
	/* The user's own links, outside every place. */
	make("home/to-dl", "Downloads");
	make("home/to-secret", "secret");
	make("home/loop", "loop");
	make("home/up", "..");
	make("home/dangling", "nowhere");
	snprintf(abs, sizeof(abs), "%s/home/data", root);
	make("home/abs-data", abs);
	add_place("home/Downloads");
	add_place("home/data/jails");
	add_place("home/notes"); /* a file shared on its own */
}

static bool
is_place(const struct stat *st)
{
	for (size_t i = 0; i < places.n; i++)
		if (places.v[i].dev == st->st_dev && places.v[i].ino == st->st_ino)
			return true;
	return false;
}

/* Whether "/" or any prefix of RESOLVED (the whole too, when it exists)
 * is a place; asserts along the way that no prefix is a symlink. */
static bool
walk_has_place(const char *resolved)
{
	char prefix[PATH_MAX];
	struct stat st;
	bool hit = false;
	size_t len = strlen(resolved);

	assert(stat("/", &st) == 0);
	hit = is_place(&st);
	for (size_t i = 1; i <= len; i++) {
		if (resolved[i] != '/' && resolved[i] != '\0')
			continue;
		memcpy(prefix, resolved, i);
		prefix[i] = '\0';
		if (lstat(prefix, &st) < 0) {
			assert(i == len); /* only the last may not exist */
			continue;
		}
		assert(!S_ISLNK(st.st_mode));
		hit = hit || is_place(&st);
	}
	return hit;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *resolved = NULL, *where = NULL;
	char path[PATH_MAX + 64];
	int r;

	if (root[0] == '\0')
		setup();
	if (size > PATH_MAX - 64 || memchr(data, '\0', size) != NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/home/%.*s", root, (int) size, (const char *) data);

	r = trust_resolve(&places, path, &resolved, &where);
	if (r < 0) {
		assert(r == -ENOENT || r == -ELOOP || r == -ENOTDIR || r == -ENAMETOOLONG ||
		       r == -EACCES);
		assert(resolved == NULL);
		/* A refused link inside a place says where. */
		assert(where == NULL || r == -ELOOP);
		return 0;
	}
	assert(r == 0 || r == 1);
	assert(resolved[0] == '/');
	assert(strstr(resolved, "//") == NULL && strstr(resolved, "/./") == NULL &&
	       strstr(resolved, "/../") == NULL);
	assert((r == 1) == (where != NULL));
	if (r == 0) {
		_cleanup_free_ char *real = realpath(path, NULL);

		/* Outside every place, the walk is realpath(). */
		assert(real != NULL && streq(real, resolved));
		assert(!walk_has_place(resolved));
	} else {
		/* Once in a place, the walk stays "in" it even when ".." leads
		 * back out (the jail may rename folders under it meanwhile):
		 * a stricter answer, never a looser one. */
		assert(walk_has_place(resolved) || memmem(data, size, "..", 2) != NULL ||
		       memmem(data, size, "up", 2) != NULL);
	}
	return 0;
}
