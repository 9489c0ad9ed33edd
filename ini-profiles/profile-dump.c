/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writing profiles: the canonical dump (what a jail's state directory
 * keeps as profile.ini and what the golden tests compare) and the profile
 * a first start creates.
 *
 * The dump is canonical: fixed section and key order, one spelling per
 * value, lists comma-joined and wrapped into repeated keys so no line
 * passes PROFILE_LINE_MAX (list keys accumulate, so that reads back the
 * same). Keys left at their default are omitted, except exec and the two
 * booleans, which are always written so the file says what it means.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>

#include "ini-profiles/profile-internal.h"
#include "state/state.h"

/* Writes one list key: "KEY = a, b, c", starting a new "KEY =" line when
 * the next item would pass the line limit. */
struct list_writer {
	FILE *f;
	const char *key;
	size_t col; /* length of the line so far; 0: none started */
};

static void
list_put(struct list_writer *w, const char *item)
{
	size_t len = strlen(item);

	if (w->col > 0 && w->col + 2 + len <= PROFILE_LINE_MAX) {
		fprintf(w->f, ", %s", item);
		w->col += 2 + len;
		return;
	}
	if (w->col > 0)
		fputc('\n', w->f);
	fprintf(w->f, "%s = %s", w->key, item);
	w->col = strlen(w->key) + 3 + len;
}

static void
list_end(struct list_writer *w)
{
	if (w->col > 0)
		fputc('\n', w->f);
	w->col = 0;
}

static void
put_strv(FILE *f, const char *key, char *const *v)
{
	struct list_writer w = {f, key, 0};

	for (; v != NULL && *v != NULL; v++)
		list_put(&w, *v);
	list_end(&w);
}

static bool
strv_representable(char *const *v)
{
	for (; v != NULL && *v != NULL; v++)
		if (!profile_value_representable(*v, true))
			return false;
	return true;
}

static bool
dbus_empty(const struct profile_dbus *d)
{
	return strv_length(d->talk) + strv_length(d->own) + strv_length(d->see) +
	           strv_length(d->call) + strv_length(d->broadcast) + strv_length(d->own_private) ==
	       0;
}

static bool
dbus_representable(const struct profile_dbus *d)
{
	return strv_representable(d->talk) && strv_representable(d->own) &&
	       strv_representable(d->see) && strv_representable(d->call) &&
	       strv_representable(d->broadcast) && strv_representable(d->own_private);
}

static void
put_dbus(FILE *f, const char *section, const struct profile_dbus *d)
{
	if (dbus_empty(d))
		return;
	fprintf(f, "\n[%s]\n", section);
	put_strv(f, "talk", d->talk);
	put_strv(f, "own", d->own);
	put_strv(f, "own-private", d->own_private);
	put_strv(f, "see", d->see);
	put_strv(f, "call", d->call);
	put_strv(f, "broadcast", d->broadcast);
}

static bool
path_representable(const char *path)
{
	return path != NULL && path[0] == '/' && profile_value_representable(path, false);
}

/* Can P be written so that it reads back the same? Only the shape of the
 * text is checked here; whether the values make sense is the parser's
 * word when the dump is read back. */
static bool
representable(const struct jail_profile *p)
{
	if (p->exec == NULL || !profile_value_representable(p->exec, false))
		return false;
	if (p->args != NULL && !profile_value_representable(p->args, false))
		return false;
	if (p->init_script != NULL && !path_representable(p->init_script))
		return false;
	if (p->vpn != NULL && !path_representable(p->vpn))
		return false;
	if (p->network_set && jail_network_to_string(p->network) == NULL)
		return false;
	if (p->clipboard_set && profile_clipboard_to_string(p->clipboard) == NULL)
		return false;
	if ((p->allow | p->deny) & ~(unsigned) RIGHTS_ALL)
		return false;
	if (!dbus_representable(&p->dbus) || !dbus_representable(&p->dbus_system))
		return false;
	for (size_t i = 0; i < p->n_shares; i++)
		if (!path_representable(p->shares[i].path) ||
		    !profile_value_representable(p->shares[i].path, true))
			return false;
	for (size_t i = 0; i < p->n_forward; i++)
		if (p->forward[i] == 0)
			return false;
	return true;
}

static void
put_rights(FILE *f, const char *key, unsigned mask)
{
	struct list_writer w = {f, key, 0};

	for (unsigned i = 0; i < _RIGHT_COUNT; i++)
		if (mask & (1u << i))
			list_put(&w, right_to_string(1u << i));
	list_end(&w);
}

static void
put_shares(FILE *f, const struct jail_profile *p, bool rw)
{
	struct list_writer w = {f, rw ? "rw" : "ro", 0};

	for (size_t i = 0; i < p->n_shares; i++)
		if (p->shares[i].rw == rw)
			list_put(&w, p->shares[i].path);
	list_end(&w);
}

static void
put_limit(FILE *f, enum profile_limit l, uint64_t v)
{
	static const char units[] = "KMGT";
	unsigned k = 0;

	if (v == LIMIT_UNLIMITED) {
		fprintf(f, "%s = unlimited\n", profile_limit_to_string(l));
		return;
	}
	/* Sizes with the largest exact unit: "4G", not "4294967296". */
	if (l == LIMIT_AS || l == LIMIT_CORE)
		while (k < 4 && v != 0 && (v & ((UINT64_C(1) << (10 * (k + 1))) - 1)) == 0)
			k++;
	if (k > 0)
		fprintf(f, "%s = %" PRIu64 "%c\n", profile_limit_to_string(l), v >> (10 * k),
		        units[k - 1]);
	else
		fprintf(f, "%s = %" PRIu64 "\n", profile_limit_to_string(l), v);
}

int
profile_dump(const struct jail_profile *p, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	FILE *f;
	bool any;

	if (p == NULL || !representable(p))
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (f == NULL)
		return -ENOMEM;

	fprintf(f, "[jail]\nexec = %s\n", p->exec);
	if (p->args != NULL)
		fprintf(f, "args = %s\n", p->args);
	if (p->init_script != NULL)
		fprintf(f, "init-script = %s\n", p->init_script);
	if (p->network_set)
		fprintf(f, "network = %s\n", jail_network_to_string(p->network));
	if (p->vpn != NULL)
		fprintf(f, "vpn = %s\n", p->vpn);
	fprintf(f, "autodelete = %s\n", p->autodelete ? "true" : "false");
	fprintf(f, "secure = %s\n", p->secure ? "true" : "false");

	if (p->allow != 0 || p->deny != 0 || p->clipboard_set) {
		fputs("\n[rights]\n", f);
		put_rights(f, "allow", p->allow);
		put_rights(f, "deny", p->deny);
		if (p->x11_host)
			fputs("x11 = host\n", f);
		if (p->clipboard_set)
			fprintf(f, "clipboard = %s\n", profile_clipboard_to_string(p->clipboard));
	}
	put_dbus(f, "dbus", &p->dbus);
	put_dbus(f, "dbus-system", &p->dbus_system);
	if (p->n_shares > 0) {
		fputs("\n[share]\n", f);
		put_shares(f, p, true);
		put_shares(f, p, false);
	}
	any = false;
	for (int l = 0; l < _LIMIT_MAX; l++)
		any = any || p->limits[l].set;
	if (any) {
		fputs("\n[limits]\n", f);
		for (int l = 0; l < _LIMIT_MAX; l++)
			if (p->limits[l].set)
				put_limit(f, (enum profile_limit) l, p->limits[l].value);
	}
	if (p->n_forward > 0) {
		struct list_writer w = {f, "forward", 0};

		fputs("\n[network]\n", f);
		for (size_t i = 0; i < p->n_forward; i++) {
			char port[8];

			(void) snprintf(port, sizeof(port), "%u", (unsigned) p->forward[i]);
			list_put(&w, port);
		}
		list_end(&w);
	}

	if (ferror(f)) {
		(void) fclose(f);
		return -ENOMEM;
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

static int
write_new(int dir_fd, const char *file, const char *text)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	int r;

	/* Written aside and then linked into place: linkat() never replaces
	 * an existing file (the O_EXCL of the brief), and a concurrent
	 * reader sees the whole profile or none, never half of one. */
	for (int attempt = 0;; attempt++) {
		uint64_t rnd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -errno;
		(void) snprintf(tmp, sizeof(tmp), ".%s.%016" PRIx64 ".tmp", file, rnd);
		fd =
		    openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST || attempt >= 8)
			return -errno;
	}
	r = write_all(fd, text, strlen(text));
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && linkat(dir_fd, tmp, dir_fd, file, 0) < 0)
		r = -errno;
	(void) unlinkat(dir_fd, tmp, 0);
	return r;
}

int
profile_create(const struct profile_env *env, const char *name, const char *exec, bool secure,
               bool autodelete, char **ret_path)
{
	_cleanup_(profile_freep) struct jail_profile *check = NULL;
	_cleanup_free_ char *text = NULL, *dir = NULL, *file = NULL, *path = NULL;
	_cleanup_close_ int dir_fd = -1;
	struct profile_error err;
	int r;

	if (!jail_name_valid(name))
		return -EINVAL;
	if (exec == NULL || !profile_value_representable(exec, false))
		return -EINVAL;
	/* Relative with a '/': it would mean something else at each start,
	 * depending on where the CLI was run. */
	if (strchr(exec, '/') != NULL && exec[0] != '/' && exec[0] != '~' && exec[0] != '$')
		return -EINVAL;
	if (env->xdg_config_home == NULL || env->xdg_config_home[0] != '/')
		return -EINVAL;

	if (asprintf(&text,
	             "# Created by `jailsup run` on the first start of this program.\n"
	             "# Edit it freely; every key is described in docs/profiles.md.\n"
	             "# secure = true: every right denied but wayland (allow some below).\n"
	             "# autodelete = true: the jail, its home and this file are removed\n"
	             "# when its last app ends.\n"
	             "[jail]\n"
	             "exec = %s\n"
	             "secure = %s\n"
	             "autodelete = %s\n",
	             exec, secure ? "true" : "false", autodelete ? "true" : "false") < 0)
		return -ENOMEM;
	/* What we write must read back as what we were asked to record. */
	r = profile_parse(text, name, NULL, env, &check, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || !streq(check->exec, exec) || check->secure != secure ||
	    check->autodelete != autodelete)
		return -EINVAL;

	dir = path_join(env->xdg_config_home, "jailsup/profiles");
	if (asprintf(&file, "%s.ini", name) < 0)
		return -ENOMEM;
	if (dir == NULL)
		return -ENOMEM;
	path = path_join(dir, file);
	if (path == NULL)
		return -ENOMEM;
	/* Mode 0700 for what it creates (the XDG spec's mode for these
	 * folders); what exists already is left as it is. */
	r = mkdir_parents(dir, 0700);
	if (r < 0)
		return r;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	r = write_new(dir_fd, file, text);
	if (r < 0 && r != -EEXIST)
		return r;
	if (ret_path != NULL)
		*ret_path = TAKE_PTR(path);
	return r;
}
