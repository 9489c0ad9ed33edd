/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * trust.h: the places jails can write, and paths walked against them.
 *
 * The walk does by hand what realpath() does, because realpath() cannot
 * tell where a symlink lies: one the user made in ~/bin is how an exe is
 * found, one a jail planted in ~/Downloads is an attack. Every step is an
 * openat() of one component below the fd of the folder before it, with
 * O_NOFOLLOW, so what is checked is what is walked.
 */
#include "ini-profiles/trust.h"

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "state/state.h"

/* As the kernel's limit on symlinks followed in one lookup. */
#define TRUST_SYMLINKS_MAX 40

void
trust_places_done(struct trust_places *places)
{
	if (places == NULL)
		return;
	for (size_t i = 0; i < places->n; i++) {
		free(places->v[i].path);
		free(places->v[i].why);
	}
	free(places->v);
	*places = (struct trust_places){};
}

static const struct trust_place *
place_of(const struct trust_places *places, const struct stat *st)
{
	for (size_t i = 0; places != NULL && i < places->n; i++)
		if (places->v[i].dev == st->st_dev && places->v[i].ino == st->st_ino)
			return &places->v[i];
	return NULL;
}

/* Adds PATH (symlinks followed: it is bound where it resolves to) when it
 * exists; a place known already keeps its first reason. */
static int
place_add(struct trust_places *places, const char *path, const char *why)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	struct trust_place *v;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || place_of(places, &st) != NULL)
		return 0;
	v = realloc(places->v, (places->n + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	places->v = v;
	v = &places->v[places->n];
	*v = (struct trust_place){
	    .dev = st.st_dev, .ino = st.st_ino, .path = strdup(path), .why = strdup(why)};
	if (v->path == NULL || v->why == NULL) {
		free(v->path);
		free(v->why);
		return -ENOMEM;
	}
	places->n++;
	return 0;
}

static int
places_of_profile(struct trust_places *places, const struct jail_profile *p, const char *file)
{
	for (size_t i = 0; i < p->n_shares; i++) {
		_cleanup_free_ char *why = NULL;
		int r;

		if (!p->shares[i].rw)
			continue;
		if (asprintf(&why, "a read-write share of profile '%s' (%s)", p->name, file) < 0)
			return -ENOMEM;
		r = place_add(places, p->shares[i].path, why);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Every NAME.ini below DIR, or every NAME/profile.ini when IN_STATE_DIRS. */
static int
places_of_folder(struct trust_places *places, const char *dir, bool in_state_dirs,
                 const struct profile_env *env)
{
	_cleanup_(closedirp) DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		_cleanup_(profile_freep) struct jail_profile *p = NULL;
		_cleanup_free_ char *name = NULL, *file = NULL;
		struct profile_error err;
		size_t len = strlen(de->d_name);
		int r;

		if (in_state_dirs) {
			name = strdup(de->d_name);
			if (name == NULL)
				return -ENOMEM;
		} else {
			if (len <= 4 || !streq(de->d_name + len - 4, ".ini"))
				continue;
			name = strndup(de->d_name, len - 4);
			if (name == NULL)
				return -ENOMEM;
		}
		if (!jail_name_valid(name))
			continue;
		if (asprintf(&file, in_state_dirs ? "%s/%s/" STATE_PROFILE : "%s/%s.ini", dir,
		             name) < 0)
			return -ENOMEM;
		r = profile_load_path(file, name, env, &p, &err);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue; /* no jail runs it: it shares nothing */
		r = places_of_profile(places, p, file);
		if (r < 0)
			return r;
	}
	return 0;
}

int
trust_places_load(const struct profile_env *env, struct trust_places *ret)
{
	struct trust_places places = {};
	_cleanup_free_ char *data = NULL, *runtime = NULL, *state_dirs = NULL;
	int r = 0;

	if (env->xdg_data_home != NULL &&
	    asprintf(&data, "%s/jailsup/jails", env->xdg_data_home) < 0)
		return -ENOMEM;
	if (env->xdg_runtime_dir != NULL &&
	    (asprintf(&runtime, "%s/jailsup", env->xdg_runtime_dir) < 0 ||
	     asprintf(&state_dirs, "%s/jailsup/jails", env->xdg_runtime_dir) < 0))
		return -ENOMEM;
	if (data != NULL)
		r = place_add(&places, data, "where every jail's private home lives");
	if (r >= 0 && runtime != NULL)
		r = place_add(&places, runtime, "where the jails' state directories live");
	for (const char *const *d = env->search_dirs; r >= 0 && d != NULL && *d != NULL; d++)
		r = places_of_folder(&places, *d, false, env);
	if (r >= 0 && state_dirs != NULL)
		r = places_of_folder(&places, state_dirs, true, env);
	if (r < 0) {
		trust_places_done(&places);
		return r;
	}
	*ret = places;
	return 0;
}

struct walk {
	const struct trust_places *places; /* NULL: only find out whether the user can write */
	bool user_writable;
	const struct trust_place *inside; /* the first place the walk entered */
	char *resolved;                   /* "" stands for "/" */
	size_t len;
};

static int
resolved_push(struct walk *w, const char *name)
{
	size_t n = strlen(name);
	char *grown = realloc(w->resolved, w->len + n + 2);

	if (grown == NULL)
		return -ENOMEM;
	w->resolved = grown;
	w->resolved[w->len++] = '/';
	memcpy(w->resolved + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static void
resolved_pop(struct walk *w)
{
	while (w->len > 0 && w->resolved[w->len - 1] != '/')
		w->len--;
	if (w->len > 0)
		w->len--;
	w->resolved[w->len] = '\0';
}

static int
walk_reset(struct walk *w, int *cur)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	safe_close(*cur);
	*cur = fd;
	w->len = 0;
	w->resolved[0] = '\0';
	if (fstat(fd, &st) < 0)
		return -errno;
	if (w->inside == NULL)
		w->inside = place_of(w->places, &st);
	if (faccessat(fd, ".", W_OK, AT_EACCESS) == 0)
		w->user_writable = true;
	return 0;
}

/* REST becomes TARGET, then what was left of REST: "" or "/…" (so a
 * trailing slash after a link stays, and none is added). */
static int
rest_replace(char **rest, const char *target, const char *left)
{
	char *joined;

	if (asprintf(&joined, "%s%s", target, left) < 0)
		return -ENOMEM;
	free(*rest);
	*rest = joined;
	return 0;
}

static int
walk_path(struct walk *w, const char *path)
{
	_cleanup_free_ char *rest = strdup(path);
	_cleanup_close_ int cur = -1;
	unsigned symlinks = 0;
	const char *p;
	int r;

	if (rest == NULL)
		return -ENOMEM;
	w->resolved = calloc(1, 1);
	if (w->resolved == NULL)
		return -ENOMEM;
	r = walk_reset(w, &cur);
	if (r < 0)
		return r;
	p = rest;
	for (;;) {
		char name[NAME_MAX + 1];
		size_t n;
		bool last, slash;
		struct stat st;

		p += strspn(p, "/");
		if (*p == '\0')
			return 0;
		n = strcspn(p, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		last = p[strspn(p, "/")] == '\0';
		/* "file/" names a folder, as for the kernel. */
		slash = *p == '/';
		if (streq(name, "."))
			continue;
		if (streq(name, "..")) {
			int fd = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

			if (fd < 0)
				return -errno;
			safe_close(cur);
			cur = fd;
			resolved_pop(w);
			continue;
		}
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			/* What a jail may create is as good as written. */
			if (r == -ENOENT && last && w->inside != NULL)
				return resolved_push(w, name);
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len;

			/* Planted or not, a link inside a place is the jail's word. */
			if (w->inside != NULL || ++symlinks > TRUST_SYMLINKS_MAX)
				return -ELOOP;
			len = readlinkat(cur, name, target, sizeof(target) - 1);
			if (len < 0)
				return -errno;
			if (len == 0)
				return -ENOENT;
			target[len] = '\0';
			r = rest_replace(&rest, target, p);
			if (r < 0)
				return r;
			p = rest;
			if (target[0] == '/') {
				r = walk_reset(w, &cur);
				if (r < 0)
					return r;
			}
			continue;
		}
		if (faccessat(cur, name, W_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0)
			w->user_writable = true;
		r = resolved_push(w, name);
		if (r < 0)
			return r;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			struct stat got;

			if (fd < 0)
				return -errno;
			safe_close(cur);
			cur = fd;
			/* Swapped since the fstatat(): decide on what we hold. */
			if (fstat(cur, &got) < 0)
				return -errno;
			st = got;
		} else if (!last || slash)
			return -ENOTDIR;
		if (w->inside == NULL)
			w->inside = place_of(w->places, &st);
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
}

static int
walk_finish(struct walk *w, int r, char **ret_resolved, char **ret_where)
{
	_cleanup_free_ char *resolved = TAKE_PTR(w->resolved);

	if (r < 0 && !(r == -ELOOP && w->inside != NULL))
		return r;
	if (w->inside != NULL && ret_where != NULL &&
	    asprintf(ret_where, "'%s', %s", w->inside->path, w->inside->why) < 0)
		return -ENOMEM;
	if (r < 0)
		return r;
	if (ret_resolved != NULL) {
		*ret_resolved = resolved[0] == '\0' ? strdup("/") : TAKE_PTR(resolved);
		if (*ret_resolved == NULL) {
			if (w->inside != NULL && ret_where != NULL)
				*ret_where = mfree(*ret_where);
			return -ENOMEM;
		}
	}
	return w->inside != NULL;
}

int
trust_resolve(const struct trust_places *places, const char *path, char **ret_resolved,
              char **ret_where)
{
	struct walk w = {.places = places};

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	return walk_finish(&w, walk_path(&w, path), ret_resolved, ret_where);
}

int
trust_resolve_env(const struct profile_env *env, const char *path, char **ret_resolved,
                  char **ret_where)
{
	struct trust_places places = {};
	struct walk w = {};
	int r;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	r = walk_path(&w, path);
	if (r >= 0 && !w.user_writable)
		return walk_finish(&w, r, ret_resolved, ret_where);
	w.resolved = mfree(w.resolved);
	if (r < 0 && r != -ELOOP)
		return r;
	r = trust_places_load(env, &places);
	if (r < 0)
		return r;
	r = trust_resolve(&places, path, ret_resolved, ret_where);
	trust_places_done(&places);
	return r;
}

int
trust_path_jail_writable(const struct profile_env *env, const char *path, char **ret_where)
{
	return trust_resolve_env(env, path, NULL, ret_where);
}
