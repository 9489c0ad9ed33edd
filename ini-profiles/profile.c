/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile model (profile.h): the words of the enums, freeing and
 * comparing profiles, the rights and network in force, and the environment
 * a profile's paths are expanded against. Parsing lives in
 * profile-parse.c, writing in profile-dump.c.
 */
#include <ctype.h>

#include "ini-profiles/profile-internal.h"

static const char *const network_names[_NETWORK_MAX] = {
    [NETWORK_NONE] = "none",
    [NETWORK_PASTA] = "pasta",
    [NETWORK_HOST] = "host",
    [NETWORK_VPN] = "vpn",
};

const char *
jail_network_to_string(enum jail_network n)
{
	if ((int) n < 0 || n >= _NETWORK_MAX)
		return NULL;
	return network_names[n];
}

enum jail_network
jail_network_from_string(const char *s)
{
	if (s == NULL)
		return _NETWORK_INVALID;
	for (int i = 0; i < _NETWORK_MAX; i++)
		if (streq(s, network_names[i]))
			return (enum jail_network) i;
	return _NETWORK_INVALID;
}

static const char *const clipboard_names[_CLIPBOARD_MAX] = {
    [CLIPBOARD_OFF] = "off",
    [CLIPBOARD_TO_JAIL] = "to-jail",
    [CLIPBOARD_BOTH] = "both",
};

const char *
profile_clipboard_to_string(enum profile_clipboard c)
{
	if ((int) c < 0 || c >= _CLIPBOARD_MAX)
		return NULL;
	return clipboard_names[c];
}

enum profile_clipboard
profile_clipboard_from_string(const char *s)
{
	if (s == NULL)
		return _CLIPBOARD_INVALID;
	for (int i = 0; i < _CLIPBOARD_MAX; i++)
		if (streq(s, clipboard_names[i]))
			return (enum profile_clipboard) i;
	return _CLIPBOARD_INVALID;
}

/* Indexed by bit number; the order is the order of dumps and messages. */
static const char *const right_names[_RIGHT_COUNT] = {
    "audio",    "x11",         "wayland", "gpu",         "camera",
    "network",  "kde-session", "dbus",    "dbus-system", "notifications",
    "io_uring", "userns",      "portals", "open-uri",
};

const char *
right_to_string(unsigned right)
{
	/* Exactly one known bit: a mask of several has no single name. */
	if (right == 0 || (right & (right - 1)) != 0 || (right & ~(unsigned) RIGHTS_ALL) != 0)
		return NULL;
	return right_names[__builtin_ctz(right)];
}

unsigned
right_from_string(const char *s)
{
	if (s == NULL)
		return 0;
	for (unsigned i = 0; i < _RIGHT_COUNT; i++)
		if (streq(s, right_names[i]))
			return 1u << i;
	return 0;
}

static const char *const limit_names[_LIMIT_MAX] = {
    [LIMIT_NOFILE] = "nofile", [LIMIT_NPROC] = "nproc", [LIMIT_CORE] = "core",
    [LIMIT_AS] = "as",         [LIMIT_CPU] = "cpu",
};

const char *
profile_limit_to_string(enum profile_limit l)
{
	if ((int) l < 0 || l >= _LIMIT_MAX)
		return NULL;
	return limit_names[l];
}

enum profile_limit
profile_limit_from_string(const char *s)
{
	if (s == NULL)
		return _LIMIT_INVALID;
	for (int i = 0; i < _LIMIT_MAX; i++)
		if (streq(s, limit_names[i]))
			return (enum profile_limit) i;
	return _LIMIT_INVALID;
}

static void
dbus_done(struct profile_dbus *d)
{
	d->talk = strv_free(d->talk);
	d->own = strv_free(d->own);
	d->see = strv_free(d->see);
	d->call = strv_free(d->call);
	d->broadcast = strv_free(d->broadcast);
	d->own_private = strv_free(d->own_private);
}

struct jail_profile *
profile_free(struct jail_profile *p)
{
	if (p == NULL)
		return NULL;
	free(p->name);
	free(p->source);
	free(p->exec);
	free(p->args);
	free(p->init_script);
	free(p->vpn);
	dbus_done(&p->dbus);
	dbus_done(&p->dbus_system);
	for (size_t i = 0; i < p->n_shares; i++)
		free(p->shares[i].path);
	free(p->shares);
	free(p->forward);
	free(p);
	return NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return streq(a, b);
}

/* NULL and an empty vector are the same list. */
static bool
strv_eq(char *const *a, char *const *b)
{
	size_t n = strv_length(a);

	if (n != strv_length(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!streq(a[i], b[i]))
			return false;
	return true;
}

static bool
dbus_eq(const struct profile_dbus *a, const struct profile_dbus *b)
{
	return strv_eq(a->talk, b->talk) && strv_eq(a->own, b->own) && strv_eq(a->see, b->see) &&
	       strv_eq(a->call, b->call) && strv_eq(a->broadcast, b->broadcast) &&
	       strv_eq(a->own_private, b->own_private);
}

bool
profile_equal(const struct jail_profile *a, const struct jail_profile *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (!str_eq(a->name, b->name) || !str_eq(a->exec, b->exec) || !str_eq(a->args, b->args) ||
	    !str_eq(a->init_script, b->init_script) || !str_eq(a->vpn, b->vpn))
		return false;
	if (a->network_set != b->network_set || (a->network_set && a->network != b->network))
		return false;
	if (a->autodelete != b->autodelete || a->secure != b->secure || a->allow != b->allow ||
	    a->deny != b->deny || a->x11_host != b->x11_host)
		return false;
	if (a->clipboard_set != b->clipboard_set ||
	    (a->clipboard_set && a->clipboard != b->clipboard))
		return false;
	if (!dbus_eq(&a->dbus, &b->dbus) || !dbus_eq(&a->dbus_system, &b->dbus_system))
		return false;
	if (a->n_shares != b->n_shares)
		return false;
	for (size_t i = 0; i < a->n_shares; i++)
		if (a->shares[i].rw != b->shares[i].rw ||
		    !streq(a->shares[i].path, b->shares[i].path))
			return false;
	for (int i = 0; i < _LIMIT_MAX; i++) {
		if (a->limits[i].set != b->limits[i].set)
			return false;
		if (a->limits[i].set && a->limits[i].value != b->limits[i].value)
			return false;
	}
	if (a->n_forward != b->n_forward)
		return false;
	for (size_t i = 0; i < a->n_forward; i++)
		if (a->forward[i] != b->forward[i])
			return false;
	return true;
}

unsigned
profile_rights(const struct jail_profile *p)
{
	unsigned r = p->secure ? RIGHTS_SECURE : RIGHTS_DEFAULT;

	return ((r | p->allow) & ~p->deny) & RIGHTS_ALL;
}

enum profile_clipboard
profile_clipboard(const struct jail_profile *p)
{
	if (p->clipboard_set)
		return p->clipboard;
	return p->secure ? CLIPBOARD_OFF : CLIPBOARD_TO_JAIL;
}

enum jail_network
profile_network(const struct jail_profile *p)
{
	if (p->network_set)
		return p->network;
	/* 'vpn' implies network = vpn even where secure = true denies the
	 * network right: a user who names a tunnel wants it, never a silent
	 * jail without any network. */
	if (p->vpn != NULL)
		return NETWORK_VPN;
	if (!(profile_rights(p) & RIGHT_NETWORK))
		return NETWORK_NONE;
	return NETWORK_PASTA;
}

bool
profile_value_representable(const char *s, bool list_item)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return false;
	n = strlen(s);
	if (n > PROFILE_VALUE_MAX)
		return false;
	/* inih strips blanks around a value and would eat them. */
	if (isspace((unsigned char) s[0]) || isspace((unsigned char) s[n - 1]))
		return false;
	/* "key = ;x" reads back as an empty value: inih takes ';' after a
	 * blank as the start of a comment. */
	if (s[0] == ';')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
		if (c == ';' && isspace((unsigned char) s[i - 1]))
			return false;
		if (list_item && c == ',')
			return false;
	}
	return true;
}

static int
share_cmp(const void *a, const void *b)
{
	const struct profile_share *x = a, *y = b;

	return strcmp(x->path, y->path);
}

void
profile_shares_sort(struct jail_profile *p)
{
	/* Paths are unique within a profile (the parser refuses one shared
	 * both ways and drops repeats), so qsort's instability is harmless. */
	if (p->n_shares > 1)
		qsort(p->shares, p->n_shares, sizeof(p->shares[0]), share_cmp);
}

/* An absolute, normalised copy of getenv(NAME), or NULL when it is unset,
 * empty or relative: the XDG Base Directory spec says a relative value is
 * invalid and must be ignored. */
static int
env_dir(const char *name, char **ret)
{
	const char *v = getenv(name);
	int r;

	*ret = NULL;
	if (v == NULL || v[0] != '/')
		return 0;
	r = profile_path_normalise(v, true, ret);
	if (r == -EINVAL || r == -ENAMETOOLONG)
		return 0;
	return r;
}

void
profile_env_storage_done(struct profile_env_storage *storage)
{
	if (storage == NULL)
		return;
	free(storage->config_home);
	free(storage->data_home);
	free(storage->user_dir);
	free(storage->home);
	free(storage->runtime_dir);
	free(storage->path);
	*storage = (struct profile_env_storage){};
}

int
profile_env_from_environ(struct profile_env *env, struct profile_env_storage *storage,
                         const char *shipped_dir)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage s = {};
	const char *path;
	size_t n = 0;
	int r;

	r = env_dir("HOME", &s.home);
	if (r < 0)
		return r;
	if (s.home == NULL)
		return -ENOENT;
	r = env_dir("XDG_CONFIG_HOME", &s.config_home);
	if (r < 0)
		return r;
	if (s.config_home == NULL && (s.config_home = path_join(s.home, ".config")) == NULL)
		return -ENOMEM;
	r = env_dir("XDG_DATA_HOME", &s.data_home);
	if (r < 0)
		return r;
	if (s.data_home == NULL && (s.data_home = path_join(s.home, ".local/share")) == NULL)
		return -ENOMEM;
	/* No default: without XDG_RUNTIME_DIR there is no safe runtime dir,
	 * and the supervisor refuses to run; here it just stays NULL. */
	r = env_dir("XDG_RUNTIME_DIR", &s.runtime_dir);
	if (r < 0)
		return r;
	path = getenv("PATH");
	s.path = strdup(path != NULL ? path : "/usr/local/bin:/usr/bin:/bin");
	if (s.path == NULL)
		return -ENOMEM;
	s.user_dir = path_join(s.config_home, "jailsup/profiles");
	if (s.user_dir == NULL)
		return -ENOMEM;
	s.dirs[n++] = s.user_dir;
	s.dirs[n++] = "/etc/jailsup/profiles";
	if (shipped_dir != NULL)
		s.dirs[n++] = shipped_dir;
	s.dirs[n] = NULL;

	/* The strings move to STORAGE; S is emptied so its cleanup frees nothing. */
	*storage = s;
	s = (struct profile_env_storage){};
	*env = (struct profile_env){
	    .home = storage->home,
	    .xdg_config_home = storage->config_home,
	    .xdg_data_home = storage->data_home,
	    .xdg_runtime_dir = storage->runtime_dir,
	    .path = storage->path,
	    .search_dirs = storage->dirs,
	};
	return 0;
}
