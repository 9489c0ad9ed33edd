/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailsup desktop add NAME [--replace] [--entry ID] | remove NAME | list:
 * menu launchers for jailed apps, per user, no root
 * (docs/architecture.md §10).
 *
 * `add` finds the app's own desktop entry (desktop file ID, in the order
 * of $XDG_DATA_HOME then $XDG_DATA_DIRS, the first file of an ID winning as
 * in every launcher), matched by the program its Exec runs being the very
 * file (device and inode) of the profile's exe. It writes
 * $XDG_DATA_HOME/applications/jailsup-NAME--ENTRY.desktop (one per entry
 * a jail has a launcher of): the same file, Name
 * marked "(jailed)", each Exec wrapped as `JAILSUP run --profile NAME --
 * ARGS…` (field codes kept), DBusActivatable dropped (the launcher would
 * start the app by D-Bus, outside any jail). --replace also writes a
 * user-level override of the original (same desktop file ID, so it wins
 * over the system's) with NoDisplay=true and without MimeType, so neither
 * the menu nor a double-click starts the app unjailed, and makes the
 * launcher the default for each type the original opened (desktop-mime.c).
 *
 * Files we write carry X-Jailsup-Profile (the launcher) or
 * X-Jailsup-Override (the override) with the jail's name; a file without
 * that mark is not ours and is never replaced or removed. Every file is
 * written whole or not at all (state_write_atomic()), below a directory fd
 * opened O_NOFOLLOW. Nothing outside $XDG_DATA_HOME/applications is
 * written.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

#include "cli/client.h"
#include "cli/desktop-entry.h"
#include "cli/desktop-mime.h"
#include "cli/start.h"
#include "cli/verbs.h"
#include "ini-profiles/profile.h"
#include "ini-profiles/trust.h"
#include "state/log.h"
#include "state/state.h"

#define KEY_PROFILE  "X-Jailsup-Profile"  /* the launcher of jail NAME */
#define KEY_ENTRY    "X-Jailsup-Entry"    /* the desktop file ID it was made from */
#define KEY_REPLACES "X-Jailsup-Replaces" /* the ID hidden by --replace */
#define KEY_OVERRIDE "X-Jailsup-Override" /* an override hiding an app for jail NAME */
#define KEY_DEFAULTS "X-Jailsup-Defaults" /* types it took over, and what opened them */
#define JAILED_MARK  " (jailed)"
#define SCAN_DEPTH   3     /* subfolders of applications/ (kde4/, ...) */
#define SCAN_FILES   20000 /* files looked at in all, a bound on a hostile tree */

struct entry {
	char *id;   /* the desktop file ID */
	char *path; /* where it is, for messages */
	struct desktop_file *df;
	bool user; /* in $XDG_DATA_HOME: the user's own file */
};

struct scan {
	const char *name;      /* the jail */
	struct stat exe;       /* the profile's exe, resolved */
	const char *path;      /* $PATH, for bare program names */
	const char *want_id;   /* --entry, or NULL */
	char **seen;           /* IDs met so far: the first file of an ID wins */
	struct entry *matches; /* entries that run the exe */
	size_t n_matches;
	unsigned files;
};

static void
entry_done(struct entry *e)
{
	free(e->id);
	free(e->path);
	desktop_file_free(e->df);
}

static void
scan_done(struct scan *s)
{
	strv_free(s->seen);
	for (size_t i = 0; i < s->n_matches; i++)
		entry_done(&s->matches[i]);
	free(s->matches);
}

/* Desktop file IDs we put into file names and keys: the characters real
 * IDs use, no leading dot. Anything else (a newline, a quote) is a name
 * we would rather not handle. */
static bool
id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n <= strlen(".desktop") || n > NAME_MAX || id[0] == '.' || id[0] == '-' ||
	    !streq(id + n - strlen(".desktop"), ".desktop"))
		return false;
	return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+@-") ==
	       n;
}

/* True when PROG (as an Exec names it) is the file EXE: a path is
 * stat()ed (symlinks followed, so /usr/bin/firefox finds its target); a
 * bare name is looked up in PATH, the first hit deciding as in execvp(). */
static bool
program_is(const char *prog, const struct stat *exe, const char *path)
{
	_cleanup_free_ char *copy = NULL;
	struct stat st;
	char *save = NULL;

	if (strchr(prog, '/') != NULL)
		return stat(prog, &st) == 0 && st.st_dev == exe->st_dev && st.st_ino == exe->st_ino;
	copy = strdup(path != NULL ? path : "");
	if (copy == NULL)
		return false;
	for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;

		if (d[0] != '/')
			continue; /* relative PATH entries: as profile_resolve_exe() */
		p = path_join(d, prog);
		if (p != NULL && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			return st.st_dev == exe->st_dev && st.st_ino == exe->st_ino;
	}
	return false;
}

/* The index of the program in ARGV: 0, or past `env VAR=VALUE…`, whose
 * assignments cannot reach a jail (its environment is an allow-list).
 * -EINVAL when env has options, or no program follows. */
static int
program_index(char *const *argv)
{
	size_t i = 0;

	if (!streq(argv[0], "env") && !streq(argv[0], "/usr/bin/env") &&
	    !streq(argv[0], "/bin/env"))
		return 0;
	for (i = 1; argv[i] != NULL && strchr(argv[i], '=') != NULL; i++)
		if (argv[i][0] == '-' || argv[i][0] == '=')
			return -EINVAL;
	if (argv[i] == NULL || argv[i][0] == '-')
		return -EINVAL;
	return (int) i;
}

/* True when the raw Exec value runs the scan's exe. */
static bool
exec_matches(const struct scan *s, const char *raw)
{
	_cleanup_strv_ char **argv = NULL;
	int i;

	if (raw == NULL || desktop_exec_split(raw, &argv) < 0)
		return false;
	i = program_index(argv);
	return i >= 0 && program_is(argv[i], &s->exe, s->path);
}

static int
consider(struct scan *s, int dir_fd, const char *file, const char *id, const char *path, bool user)
{
	_cleanup_(desktop_file_freep) struct desktop_file *df = NULL;
	_cleanup_free_ char *text = NULL;
	const char *type;
	struct entry *nv;
	size_t len;
	unsigned line = 0;
	int r;

	if (strv_contains(s->seen, id))
		return 0; /* shadowed by a file of the same ID earlier in the path */
	r = state_read_file(dir_fd, file, DESKTOP_FILE_MAX, &text, &len);
	if (r >= 0)
		r = desktop_file_parse(text, len, &df, &line);
	if (r < 0) {
		log_debug("'%s/%s': not a desktop entry we read (line %u): %s, ignoring", path,
		          file, line, strerror(-r));
		return strv_push(&s->seen, id);
	}
	/* Our own override hides the original for the launcher, not for us:
	 * look further for the file it shadows. */
	if (desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_OVERRIDE) != NULL)
		return 0;
	r = strv_push(&s->seen, id);
	if (r < 0)
		return r;
	type = desktop_file_get(df, DESKTOP_MAIN_GROUP, "Type");
	if (type == NULL || !streq(type, "Application") ||
	    desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_PROFILE) != NULL ||
	    desktop_value_true(desktop_file_get(df, DESKTOP_MAIN_GROUP, "Hidden")))
		return 0;
	if (s->want_id != NULL ? !streq(s->want_id, id)
	                       : !exec_matches(s, desktop_file_get(df, DESKTOP_MAIN_GROUP, "Exec")))
		return 0;
	nv = reallocarray(s->matches, s->n_matches + 1, sizeof(*nv));
	if (nv == NULL)
		return -ENOMEM;
	s->matches = nv;
	nv[s->n_matches] = (struct entry){.user = user};
	nv[s->n_matches].df = TAKE_PTR(df);
	nv[s->n_matches].id = strdup(id);
	if (asprintf(&nv[s->n_matches].path, "%s/%s", path, file) < 0)
		nv[s->n_matches].path = NULL;
	s->n_matches++;
	return nv[s->n_matches - 1].id != NULL && nv[s->n_matches - 1].path != NULL ? 0 : -ENOMEM;
}

/* Walks one applications/ folder (DIR_FD, at PATH), IDs prefixed with
 * PREFIX (a subfolder "kde4/" gives "kde4-"). Entries are sorted, so the
 * result does not depend on the order a filesystem lists them in. */
static int
scan_dir(struct scan *s, int dir_fd, const char *path, const char *prefix, int depth, bool user)
{
	struct dirent **list = NULL;
	int n, r = 0;

	/* scandirat() needs a path: "." below a dir fd of our own. */
	n = scandirat(dir_fd, ".", &list, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		_cleanup_free_ char *id = NULL, *sub = NULL, *subpath = NULL;
		struct stat st;

		if (r < 0 || name[0] == '.' || ++s->files > SCAN_FILES)
			goto next;
		if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			goto next;
		if (asprintf(&id, "%s%s", prefix, name) < 0) {
			r = -ENOMEM;
			goto next;
		}
		if (S_ISDIR(st.st_mode) && depth < SCAN_DEPTH) {
			_cleanup_close_ int sub_fd =
			    openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub_fd >= 0 && asprintf(&sub, "%s-", id) >= 0 &&
			    asprintf(&subpath, "%s/%s", path, name) >= 0)
				r = scan_dir(s, sub_fd, subpath, sub, depth + 1, user);
		} else if (S_ISREG(st.st_mode) && id_valid(id))
			/* Symlinks are skipped too: packages install files. */
			r = consider(s, dir_fd, name, id, path, user);
	next:
		free(list[i]);
	}
	free(list);
	if (r == -ENOMEM)
		return r;
	return 0;
}

/* $XDG_DATA_HOME, then each absolute entry of $XDG_DATA_DIRS (default
 * /usr/local/share:/usr/share), as the Base Directory specification says. */
static int
data_dirs(const struct profile_env *env, char ***ret)
{
	const char *dirs = getenv("XDG_DATA_DIRS");
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *copy = NULL;
	char *save = NULL;

	if (strv_push(&v, env->xdg_data_home) < 0)
		return -ENOMEM;
	copy = strdup(dirs != NULL && dirs[0] != '\0' ? dirs : "/usr/local/share:/usr/share");
	if (copy == NULL)
		return -ENOMEM;
	for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save))
		if (d[0] == '/' && strv_push(&v, d) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static int
scan_all(struct scan *s, const struct profile_env *env)
{
	_cleanup_strv_ char **dirs = NULL;
	int r;

	r = data_dirs(env, &dirs);
	if (r < 0)
		return r;
	for (char **d = dirs; *d != NULL; d++) {
		_cleanup_free_ char *apps = path_join(*d, "applications");
		_cleanup_close_ int fd = -1;
		bool control = false;

		if (apps == NULL)
			return -ENOMEM;
		for (const char *c = apps; *c != '\0'; c++)
			control = control || (unsigned char) *c < 0x20;
		if (control)
			continue; /* its paths go into comments of the files we write */
		fd = open(apps, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = scan_dir(s, fd, apps, "", 0, d == dirs);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The entry to wrap among the matches: the only one shown in menus, else
 * the one named after the jail or the exe, else none (-EUCLEAN: the user
 * says which with --entry). */
static int
choose(const struct scan *s, const char *exe_path, const struct entry **ret)
{
	const struct entry *shown = NULL;
	size_t n_shown = 0;
	const char *base = strrchr(exe_path, '/');

	base = base != NULL ? base + 1 : exe_path;
	if (s->n_matches == 0)
		return -ENOENT;
	for (size_t i = 0; i < s->n_matches; i++) {
		const struct entry *e = &s->matches[i];
		_cleanup_free_ char *a = NULL, *b = NULL;

		if (desktop_value_true(desktop_file_get(e->df, DESKTOP_MAIN_GROUP, "NoDisplay")))
			continue;
		n_shown++;
		shown = e;
		if (asprintf(&a, "%s.desktop", s->name) < 0 || asprintf(&b, "%s.desktop", base) < 0)
			return -ENOMEM;
		if (streq(e->id, a) || streq(e->id, b)) {
			*ret = e;
			return 0;
		}
	}
	if (n_shown == 1 || (n_shown == 0 && s->n_matches == 1)) {
		*ret = shown != NULL ? shown : &s->matches[0];
		return 0;
	}
	return -EUCLEAN;
}

/* A match the user may be offered to choose: shown in menus, or any when
 * none is. */
static bool
offered(const struct scan *s, const struct entry *e)
{
	for (size_t i = 0; i < s->n_matches; i++)
		if (!desktop_value_true(
		        desktop_file_get(s->matches[i].df, DESKTOP_MAIN_GROUP, "NoDisplay")))
			return !desktop_value_true(
			    desktop_file_get(e->df, DESKTOP_MAIN_GROUP, "NoDisplay"));
	return true;
}

/* The raw value of an Exec wrapped for jail NAME, or -ENOENT when it runs
 * another program than the jail's (a Desktop Action may). */
static int
wrap_exec(const struct scan *s, const char *raw, const char *jailsup, char **ret)
{
	_cleanup_strv_ char **argv = NULL, **out = NULL;
	int i, r;

	r = desktop_exec_split(raw, &argv);
	if (r < 0)
		return r;
	i = program_index(argv);
	if (i < 0 || !program_is(argv[i], &s->exe, s->path))
		return -ENOENT;
	for (int k = 1; k < i; k++)
		log_warn("'%s': the jail's environment is an allow-list, '%s' is not passed "
		         "into it",
		         raw, argv[k]);
	if (strv_push(&out, jailsup) < 0 || strv_push(&out, "run") < 0 ||
	    strv_push(&out, "--profile") < 0 || strv_push(&out, s->name) < 0 ||
	    strv_push(&out, "--") < 0)
		return -ENOMEM;
	for (char **a = argv + i + 1; *a != NULL; a++)
		if (strv_push(&out, *a) < 0)
			return -ENOMEM;
	return desktop_exec_join(out, ret);
}

static bool
key_is(const struct desktop_line *l, const char *key)
{
	size_t n = strlen(key);

	/* "Name" and its translations "Name[de]". */
	return l->key != NULL && strncmp(l->key, key, n) == 0 &&
	       (l->key[n] == '\0' || l->key[n] == '[');
}

static bool
key_ours(const struct desktop_line *l)
{
	return l->key != NULL && strncmp(l->key, "X-Jailsup-", strlen("X-Jailsup-")) == 0;
}

/* The action groups ("Desktop Action X") whose Exec runs the jail's exe,
 * as "X" strings; the others are dropped, with a warning. */
static int
kept_actions(const struct scan *s, const struct entry *e, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	const char *prefix = "Desktop Action ";

	for (size_t i = 0; i < e->df->n_lines; i++) {
		const struct desktop_line *l = &e->df->lines[i];
		const char *act;

		if (l->group == NULL || !strstartswith(l->group, prefix))
			continue;
		act = l->group + strlen(prefix);
		if (exec_matches(s, desktop_file_get(e->df, l->group, "Exec"))) {
			if (strv_push(&v, act) < 0)
				return -ENOMEM;
		} else
			log_warn("'%s': the action '%s' runs another program, leaving it out",
			         e->path, act);
	}
	*ret = TAKE_PTR(v);
	return 0;
}

/* The Actions list of the main group, with only KEPT names. */
static int
actions_value(const char *raw, char *const *kept, char **ret)
{
	_cleanup_free_ char *copy = strdup(raw), *out = strdup("");
	char *save = NULL;

	if (copy == NULL || out == NULL)
		return -ENOMEM;
	for (char *a = strtok_r(copy, ";", &save); a != NULL; a = strtok_r(NULL, ";", &save)) {
		char *n;

		if (!strv_contains(kept, a))
			continue;
		if (asprintf(&n, "%s%s;", out, a) < 0)
			return -ENOMEM;
		free(out);
		out = n;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

/* Writes the lines of E into F, changed by the caller's rules: for each
 * main-group line, EDIT returns 1 (copy), 0 (drop) or writes its own and
 * returns 2; TAIL adds the keys that end the main group. Lines before the
 * first group (comments: a licence, usually) are not copied. */
struct transform {
	const struct scan *scan;
	const struct entry *entry;
	const char *jailsup;
	char **kept; /* actions kept */
	bool jailed; /* the launcher (else the override) */
	const char *replaces;
	const char *defaults; /* KEY_DEFAULTS's value, or NULL */
};

static int
emit_main_line(FILE *f, const struct transform *t, const struct desktop_line *l)
{
	_cleanup_free_ char *v = NULL;
	int r;

	if (l->key == NULL) /* a comment or a blank line */
		return fprintf(f, "%s\n", l->text) < 0 ? -EIO : 0;
	if (key_ours(l))
		return 0; /* ours are written anew by emit_main_tail() */
	if (!t->jailed) {
		/* The override: hidden, and no longer a handler of any type. */
		if (key_is(l, "NoDisplay") || key_is(l, "MimeType"))
			return 0;
		return fprintf(f, "%s\n", l->text) < 0 ? -EIO : 0;
	}
	if (key_is(l, "DBusActivatable") || key_is(l, "Hidden") || key_is(l, "NoDisplay"))
		return 0;
	if (key_is(l, "Name"))
		return fprintf(f, "%s=%s%s\n", l->key, l->value, JAILED_MARK) < 0 ? -EIO : 0;
	if (streq(l->key, "Exec")) {
		r = wrap_exec(t->scan, l->value, t->jailsup, &v);
		if (r < 0)
			return r;
		return fprintf(f, "Exec=%s\n", v) < 0 ? -EIO : 0;
	}
	if (streq(l->key, "Actions")) {
		r = actions_value(l->value, t->kept, &v);
		if (r < 0)
			return r;
		return v[0] == '\0' ? 0 : fprintf(f, "Actions=%s\n", v) < 0 ? -EIO : 0;
	}
	return fprintf(f, "%s\n", l->text) < 0 ? -EIO : 0;
}

/* Our keys at the end of the main group, then the BLANKS lines held back. */
static int
emit_main_tail(FILE *f, const struct transform *t, size_t blanks)
{
	int r;

	if (t->jailed) {
		r = fprintf(f, "%s=%s\n%s=%s\n", KEY_PROFILE, t->scan->name, KEY_ENTRY,
		            t->entry->id);
		if (r >= 0 && t->replaces != NULL)
			r = fprintf(f, "%s=%s\n", KEY_REPLACES, t->replaces);
		if (r >= 0 && t->defaults != NULL && t->defaults[0] != '\0')
			r = fprintf(f, "%s=%s\n", KEY_DEFAULTS, t->defaults);
	} else
		r = fprintf(f, "NoDisplay=true\n%s=%s\n", KEY_OVERRIDE, t->scan->name);
	for (; blanks > 0 && r >= 0; blanks--)
		r = fputc('\n', f);
	return r < 0 ? -EIO : 0;
}

static int
transform(const struct transform *t, char **ret, size_t *ret_len)
{
	const struct desktop_file *df = t->entry->df;
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	const char *prefix = "Desktop Action ";
	bool skipping = false, in_main = false;
	size_t len = 0, blanks = 0;
	int r = 0;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	if (t->jailed)
		fprintf(f,
		        "# Written by `jailsup desktop add %s` from '%s':\n"
		        "# every Exec runs in the jail '%s'. `jailsup desktop remove %s` "
		        "removes it.\n",
		        t->scan->name, t->entry->path, t->scan->name, t->scan->name);
	else
		fprintf(f,
		        "# Written by `jailsup desktop add %s --replace`: hides '%s' for this "
		        "user,\n# who runs it jailed. `jailsup desktop remove %s` brings it "
		        "back.\n",
		        t->scan->name, t->entry->path, t->scan->name);
	for (size_t i = 0; i < df->n_lines && r >= 0; i++) {
		const struct desktop_line *l = &df->lines[i];
		const char *g = desktop_line_group(df, l);

		if (g == NULL)
			continue;
		if (l->group != NULL) {
			if (in_main)
				r = emit_main_tail(f, t, blanks);
			in_main = streq(l->group, DESKTOP_MAIN_GROUP);
			skipping = t->jailed && strstartswith(l->group, prefix) &&
			           !strv_contains(t->kept, l->group + strlen(prefix));
			if (!skipping && r >= 0)
				r = fprintf(f, "%s\n", l->text) < 0 ? -EIO : 0;
			continue;
		}
		if (skipping)
			continue;
		if (in_main) {
			/* Our keys go before the blank lines that end the group. */
			if (l->text[0] == '\0') {
				blanks++;
				continue;
			}
			for (; blanks > 0 && r >= 0; blanks--)
				r = fputc('\n', f) == EOF ? -EIO : 0;
			if (r >= 0)
				r = emit_main_line(f, t, l);
		} else if (t->jailed && l->key != NULL && streq(l->key, "Exec") &&
		           strstartswith(g, prefix)) {
			_cleanup_free_ char *v = NULL;

			r = wrap_exec(t->scan, l->value, t->jailsup, &v);
			if (r >= 0)
				r = fprintf(f, "Exec=%s\n", v) < 0 ? -EIO : 0;
		} else
			r = fprintf(f, "%s\n", l->text) < 0 ? -EIO : 0;
	}
	if (r >= 0 && in_main)
		r = emit_main_tail(f, t, blanks);
	if (r < 0)
		return r;
	/* fclose() sets buf and len for the last time (it may move buf). */
	r = fclose(TAKE_PTR(f));
	if (r != 0)
		return -ENOMEM;
	*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

/* Opens $XDG_DATA_HOME/applications, creating it (and $XDG_DATA_HOME, 0700
 * as the Base Directory specification asks) when CREATE. */
static int
open_user_apps(const struct profile_env *env, bool create, int *ret_fd)
{
	_cleanup_free_ char *apps = path_join(env->xdg_data_home, "applications");
	_cleanup_close_ int fd = -1;

	if (apps == NULL)
		return -ENOMEM;
	if (create) {
		/* The parents are the user's own folders: mkdir -p. */
		for (char *p = apps + 1; (p = strchr(p, '/')) != NULL; p++) {
			*p = '\0';
			if (mkdir(apps, 0700) < 0 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
		if (mkdir(apps, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	fd = open(apps, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Reads FILE below DIR_FD as a desktop entry: 0 and *ret, -ENOENT when
 * missing, -EPERM when something is there that is not a desktop entry we
 * read (a symlink, a FIFO, a malformed file). */
static int
read_entry(int dir_fd, const char *file, struct desktop_file **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = state_read_file(dir_fd, file, DESKTOP_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0 || desktop_file_parse(text, len, ret, NULL) < 0)
		return -EPERM;
	return 0;
}

/* Like read_entry(), and -EPERM unless its KEY is NAME: a file of ours. */
static int
read_ours(int dir_fd, const char *file, const char *key, const char *name,
          struct desktop_file **ret)
{
	_cleanup_(desktop_file_freep) struct desktop_file *df = NULL;
	const char *v;
	int r;

	r = read_entry(dir_fd, file, &df);
	if (r < 0)
		return r;
	v = desktop_file_get(df, DESKTOP_MAIN_GROUP, key);
	if (v == NULL || !streq(v, name))
		return -EPERM;
	if (ret != NULL)
		*ret = TAKE_PTR(df);
	return 0;
}

static int
self_path(char **ret)
{
	char self[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	if (self[0] != '/' || strstr(self, " (deleted)") != NULL)
		return -ENOENT; /* replaced under us: a launcher must not name it */
	*ret = strdup(self);
	return *ret != NULL ? 0 : -ENOMEM;
}

static void
print_desktop_usage(FILE *f)
{
	fprintf(f, "usage: jailsup desktop add NAME [--replace] [--entry ID]\n"
	           "       jailsup desktop remove NAME [--entry ID]\n"
	           "       jailsup desktop list\n");
}

struct add_args {
	const char *name;
	const char *entry;
	bool replace;
};

static int
parse_add_args(int argc, char **argv, struct add_args *a)
{
	for (int i = 0; i < argc; i++) {
		if (streq(argv[i], "--replace"))
			a->replace = true;
		else if (streq(argv[i], "--entry") && i + 1 < argc)
			a->entry = argv[++i];
		else if (strstartswith(argv[i], "--entry="))
			a->entry = argv[i] + strlen("--entry=");
		else if (argv[i][0] == '-')
			return log_error("desktop add: unknown option '%s'", argv[i]), -EINVAL;
		else if (a->name == NULL)
			a->name = argv[i];
		else
			return log_error("desktop add: one NAME only ('%s' is extra)", argv[i]),
			       -EINVAL;
	}
	if (a->name == NULL)
		return log_error("desktop add: a profile NAME is needed"), -EINVAL;
	if (!jail_name_valid(a->name))
		return log_error("'%s' is not a valid jail name", a->name), -EINVAL;
	if (a->entry != NULL && !id_valid(a->entry))
		return log_error("'%s' is not a desktop file ID (like 'org.gnome.Evince.desktop')",
		                 a->entry),
		       -EINVAL;
	return 0;
}

/* ENV's search dirs point into STORAGE and *SHIPPED: the caller keeps both
 * as long as it uses ENV (the trust walk reads every profile folder). */
static int
load_profile(const char *name, struct profile_env *env, struct profile_env_storage *storage,
             char **shipped, struct jail_profile **ret)
{
	struct profile_error err = {};
	int r;

	r = cli_profile_env(env, storage, shipped);
	if (r < 0)
		return EXIT_JAILSUP_FAILED;
	r = profile_find_and_load(env, name, ret, &err);
	if (r == -ENOENT)
		return log_error("no profile named '%s' (see `jailsup new`)", name), EXIT_NO_JAIL;
	if (r < 0) {
		cli_log_profile_errors(env, name, &err);
		return EXIT_JAILSUP_FAILED;
	}
	return 0;
}

/* Calls FN for every desktop file directly in APPS_FD that is ours: KEY is
 * set to NAME, or to any jail name when NAME is NULL. */
static int
for_each_ours(int apps_fd, const char *key, const char *name,
              int (*fn)(int apps_fd, const char *file, struct desktop_file *df, void *userdata),
              void *userdata)
{
	struct dirent **list = NULL;
	int n, r = 0;

	n = scandirat(apps_fd, ".", &list, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		_cleanup_(desktop_file_freep) struct desktop_file *df = NULL;
		const char *file = list[i]->d_name, *v;

		if (r >= 0 && id_valid(file) && read_entry(apps_fd, file, &df) == 0) {
			v = desktop_file_get(df, DESKTOP_MAIN_GROUP, key);
			if (v != NULL && (name != NULL ? streq(v, name) : jail_name_valid(v)))
				r = fn(apps_fd, file, df, userdata);
		}
		free(list[i]);
	}
	free(list);
	return r;
}

struct launcher_find {
	const char *entry; /* the desktop file ID it was made from; NULL: any */
	char *file;        /* the first launcher found */
};

static int
launcher_match(int apps_fd _unused_, const char *file, struct desktop_file *df, void *userdata)
{
	struct launcher_find *f = userdata;
	const char *from = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_ENTRY);

	if (f->file != NULL || from == NULL || (f->entry != NULL && !streq(from, f->entry)))
		return 0;
	f->file = strdup(file);
	return f->file != NULL ? 0 : -ENOMEM;
}

/* The file name of jail NAME's launcher made from entry ENTRY_ID: the one
 * there is (launchers of older versions were named jailsup-NAME.desktop),
 * else jailsup-NAME--ID.desktop, so one jail has a launcher per entry
 * (LibreOffice's Writer, Calc and Impress) and adding one again gives the
 * same desktop file ID (a pinned launcher, a default app stay valid). */
static int
launcher_file(int apps_fd, const char *name, const char *entry_id, char **ret)
{
	struct launcher_find f = {.entry = entry_id};
	size_t n = strlen(entry_id) - strlen(".desktop");
	int r;

	r = for_each_ours(apps_fd, KEY_PROFILE, name, launcher_match, &f);
	if (r < 0) {
		free(f.file);
		return r;
	}
	if (f.file != NULL) {
		*ret = f.file;
		return 0;
	}
	if (asprintf(ret, "jailsup-%s--%.*s.desktop", name, (int) n, entry_id) < 0)
		return -ENOMEM;
	return id_valid(*ret) ? 0 : -ENAMETOOLONG;
}

/* $XDG_CONFIG_HOME, where mimeapps.list is; made (0700) when CREATE. */
static int
open_user_config(const struct profile_env *env, bool create, int *ret_fd)
{
	int fd;

	if (create && mkdir(env->xdg_config_home, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(env->xdg_config_home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* The types of E's MimeType that open with E itself, or with LAUNCHER
 * (ours, from an earlier --replace), as gio says: those the jailed app
 * takes over when it replaces E. Types E lists but another app opens stay
 * that app's. */
static int
defaults_of(const struct profile_env *env, const struct entry *e, const char *launcher, char ***ret)
{
	_cleanup_strv_ char **types = NULL, **mine = NULL, **defs = NULL;
	int r;

	r = mime_types_split(desktop_file_get(e->df, DESKTOP_MAIN_GROUP, "MimeType"), &types);
	if (r < 0)
		return r;
	if (types == NULL)
		return 0;
	r = mime_default_query(env->path, types, &defs);
	if (r == -ENOENT) {
		log_warn("'gio' (libglib2.0-bin) is not installed: which app opens the "
		         "types of '%s' is left as it is",
		         e->id);
		return 0;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; types[i] != NULL; i++)
		if ((streq(defs[i], e->id) || streq(defs[i], launcher)) &&
		    strv_push(&mine, types[i]) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(mine);
	return 0;
}

/* Has the desktop's index of the user's launchers (mimeinfo.cache)
 * rebuilt: launchers and xdg-mime read the types of our entries there. */
static void
update_database(const struct profile_env *env)
{
	_cleanup_free_ char *apps = path_join(env->xdg_data_home, "applications");
	int r;

	if (apps == NULL)
		return;
	r = mime_database_update(env->path, apps);
	if (r == -ENOENT)
		log_warn("'update-desktop-database' (desktop-file-utils) is not installed: "
		         "some launchers will not see the types of '%s' until it runs",
		         apps);
	else if (r < 0)
		log_warn_errno(r, "update-desktop-database failed on '%s'", apps);
}

static int
desktop_add(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(profile_freep) struct jail_profile *profile = NULL;
	_cleanup_(desktop_file_freep) struct desktop_file *old = NULL;
	_cleanup_free_ char *jailsup = NULL, *file = NULL, *text = NULL, *otext = NULL,
	                    *shipped = NULL, *record = NULL, *mtext = NULL;
	_cleanup_strv_ char **kept = NULL, **types = NULL, **now = NULL;
	_cleanup_close_ int apps = -1, config = -1;
	_cleanup_(scan_done) struct scan s = {};
	struct exe_resolution exe = {};
	const struct entry *e = NULL;
	const char *old_defaults = NULL;
	struct add_args a = {};
	struct profile_env env;
	size_t len, olen = 0, mlen = 0;
	int r;

	if (parse_add_args(argc, argv, &a) < 0)
		return EXIT_USAGE;
	r = load_profile(a.name, &env, &storage, &shipped, &profile);
	if (r != 0)
		return r;
	r = profile_resolve_exe(profile->exec, "/", &env, &exe);
	if (r >= 0 && stat(exe.resolved, &s.exe) < 0)
		r = -errno;
	if (r < 0) {
		exe_resolution_done(&exe);
		return log_error_errno(r, "the exe '%s' of profile '%s' is not installed",
		                       profile->exec, a.name),
		       EXIT_NOT_FOUND;
	}
	s.name = a.name;
	s.path = env.path;
	s.want_id = a.entry;
	r = self_path(&jailsup);
	if (r >= 0)
		r = scan_all(&s, &env);
	if (r >= 0)
		r = choose(&s, exe.resolved, &e);
	if (r == -ENOENT) {
		log_error("no desktop entry %s (looked in the applications/ folders of "
		          "$XDG_DATA_HOME and $XDG_DATA_DIRS)",
		          a.entry != NULL ? "has that ID" : "runs the profile's exe");
		exe_resolution_done(&exe);
		return EXIT_NO_JAIL;
	}
	if (r == -EUCLEAN) {
		log_error("several desktop entries run '%s'; choose one with --entry ID:",
		          exe.resolved);
		for (size_t i = 0; i < s.n_matches; i++)
			if (offered(&s, &s.matches[i]))
				fprintf(stderr, "  %s  (%s)\n", s.matches[i].id, s.matches[i].path);
		exe_resolution_done(&exe);
		return EXIT_USAGE;
	}
	exe_resolution_done(&exe);
	if (r < 0)
		return log_error_errno(r, "unable to look for desktop entries"),
		       EXIT_JAILSUP_FAILED;
	if (a.entry != NULL &&
	    !exec_matches(&s, desktop_file_get(e->df, DESKTOP_MAIN_GROUP, "Exec"))) {
		log_error("'%s' does not run the exe of profile '%s'", e->path, a.name);
		return EXIT_USAGE;
	}
	/* Its lines become the launcher's, arguments of the jailed app among
	 * them: an entry some jail could write is that jail's word. */
	{
		_cleanup_free_ char *where = NULL;

		r = trust_path_jail_writable(&env, e->path, &where);
		if (r > 0 || (r == -ELOOP && where != NULL))
			return log_error("refusing the desktop entry '%s': it lies in %s, which a "
			                 "jail can write",
			                 e->path, where),
			       EXIT_JAILSUP_FAILED;
		if (r < 0)
			return log_error_errno(r, "unable to read the desktop entry '%s'", e->path),
			       EXIT_JAILSUP_FAILED;
	}

	r = open_user_apps(&env, true, &apps);
	if (r < 0)
		return log_error_errno(r, "unable to open '%s/applications'", env.xdg_data_home),
		       EXIT_JAILSUP_FAILED;
	r = launcher_file(apps, a.name, e->id, &file);
	if (r < 0)
		return log_error_errno(r, "no launcher name for '%s' from '%s'", a.name, e->id),
		       EXIT_JAILSUP_FAILED;
	/* Decide everything before writing anything: lose nothing. */
	r = read_ours(apps, file, KEY_PROFILE, a.name, &old);
	if (r == -EPERM)
		return log_error("'%s/applications/%s' exists and is not a launcher jailsup wrote "
		                 "for '%s': leaving it alone",
		                 env.xdg_data_home, file, a.name),
		       EXIT_EXISTS;
	if (old != NULL && !a.replace)
		return log_error("'%s' already has the launcher '%s/applications/%s' made from "
		                 "'%s': --replace writes it again (and hides '%s'); "
		                 "`jailsup desktop remove %s --entry %s` removes it",
		                 a.name, env.xdg_data_home, file, e->id, e->id, a.name, e->id),
		       EXIT_EXISTS;
	if (old != NULL)
		old_defaults = desktop_file_get(old, DESKTOP_MAIN_GROUP, KEY_DEFAULTS);
	if (a.replace) {
		if (e->user)
			return log_error("'%s' is in your own applications folder: hide it "
			                 "yourself (NoDisplay=true), jailsup does not edit it",
			                 e->path),
			       EXIT_EXISTS;
		r = read_ours(apps, e->id, KEY_OVERRIDE, a.name, NULL);
		if (r == -EPERM)
			return log_error("'%s/applications/%s' exists and is not an override "
			                 "jailsup wrote for '%s': leaving it alone",
			                 env.xdg_data_home, e->id, a.name),
			       EXIT_EXISTS;
		/* Asked before the override hides E: after it, E opens nothing. */
		r = defaults_of(&env, e, file, &types);
		if (r < 0)
			return log_error_errno(
			           r, "unable to tell which app opens the types of '%s'", e->id),
			       EXIT_JAILSUP_FAILED;
		if (types != NULL) {
			r = open_user_config(&env, true, &config);
			if (r >= 0)
				r = mime_defaults_plan(config, file, types, old_defaults, &record,
				                       &mtext, &mlen);
			if (r < 0)
				return log_error_errno(r, "unable to read '%s/mimeapps.list'%s",
				                       env.xdg_config_home,
				                       r == -ELOOP
				                           ? " (a symlink: jailsup replaces "
				                             "only files)"
				                           : ""),
				       EXIT_JAILSUP_FAILED;
		}
	}

	r = kept_actions(&s, e, &kept);
	if (r >= 0)
		r = transform(&(struct transform){.scan = &s,
		                                  .entry = e,
		                                  .jailsup = jailsup,
		                                  .kept = kept,
		                                  .jailed = true,
		                                  .replaces = a.replace ? e->id : NULL,
		                                  .defaults = record},
		              &text, &len);
	if (r >= 0 && a.replace)
		r = transform(&(struct transform){.scan = &s, .entry = e}, &otext, &olen);
	if (r < 0)
		return log_error_errno(r, "unable to rewrite '%s'", e->path), EXIT_JAILSUP_FAILED;

	/* The launcher first: it holds the record of what mimeapps.list had. */
	r = state_write_atomic(apps, file, text, len);
	if (r < 0)
		return log_error_errno(r, "unable to write '%s/applications/%s'", env.xdg_data_home,
		                       file),
		       EXIT_JAILSUP_FAILED;
	printf("launcher '%s/applications/%s' written from '%s'\n", env.xdg_data_home, file,
	       e->path);
	if (a.replace) {
		r = state_write_atomic(apps, e->id, otext, olen);
		if (r < 0)
			return log_error_errno(r, "unable to write '%s/applications/%s'",
			                       env.xdg_data_home, e->id),
			       EXIT_JAILSUP_FAILED;
		printf("'%s' is hidden for you: the menu shows only the jailed one\n", e->id);
	}
	if (mtext != NULL) {
		r = mime_defaults_write(config, mtext, mlen);
		if (r < 0)
			return log_error_errno(r, "unable to write '%s/mimeapps.list'",
			                       env.xdg_config_home),
			       EXIT_JAILSUP_FAILED;
		printf("files and links '%s' opened now open jailed (%zu types)\n", e->id,
		       strv_length(types));
	}
	update_database(&env);
	/* A desktop's own list ($XDG_CURRENT_DESKTOP-mimeapps.list) comes
	 * before the user's mimeapps.list: say when it still decides. */
	if (types != NULL && mime_default_query(env.path, types, &now) >= 0)
		for (size_t i = 0; types[i] != NULL; i++)
			if (!streq(now[i], file))
				log_warn("'%s' still opens with '%s': a list of your desktop's "
				         "(*-mimeapps.list in $XDG_CONFIG_HOME) decides it",
				         types[i], now[i][0] != '\0' ? now[i] : "nothing");
	return 0;
}

struct remove_ctx {
	const char *entry; /* only the launcher made from this entry; NULL: all */
	int config_fd;     /* $XDG_CONFIG_HOME, or -1 */
	char **replaced;   /* the entries the removed launchers had hidden */
	unsigned n;
};

static int
remove_launcher(int apps_fd, const char *file, struct desktop_file *df, void *userdata)
{
	struct remove_ctx *c = userdata;
	const char *from = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_ENTRY);
	const char *defaults = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_DEFAULTS);
	const char *replaces = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_REPLACES);
	int r;

	if (c->entry != NULL && (from == NULL || !streq(from, c->entry)))
		return 0;
	/* What it opened goes back to what opened it before. */
	if (defaults != NULL && c->config_fd >= 0) {
		r = mime_defaults_restore(c->config_fd, file, defaults);
		if (r < 0)
			return log_error_errno(r,
			                       "unable to give the types of '%s' back in "
			                       "mimeapps.list; '%s' is kept",
			                       file, file);
	}
	if (replaces != NULL && strv_push(&c->replaced, replaces) < 0)
		return -ENOMEM;
	if (unlinkat(apps_fd, file, 0) < 0)
		return log_error_errno(-errno, "unable to remove '%s'", file);
	printf("removed '%s'\n", file);
	c->n++;
	return 0;
}

static int
remove_override_of(int apps_fd, const char *file, struct desktop_file *df _unused_, void *userdata)
{
	struct remove_ctx *c = userdata;

	if (c->entry != NULL && !strv_contains(c->replaced, file))
		return 0;
	if (unlinkat(apps_fd, file, 0) < 0)
		return log_error_errno(-errno, "unable to remove '%s'", file);
	printf("'%s' is shown again\n", file);
	c->n++;
	return 0;
}

static int
desktop_remove(int argc, char **argv)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_close_ int apps = -1, config = -1;
	struct remove_ctx c = {.config_fd = -1};
	const char *name = NULL;
	struct profile_env env;
	int r;

	for (int i = 0; i < argc; i++) {
		if (streq(argv[i], "--entry") && i + 1 < argc)
			c.entry = argv[++i];
		else if (strstartswith(argv[i], "--entry="))
			c.entry = argv[i] + strlen("--entry=");
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else {
			log_error("desktop remove: one NAME is needed, and at most --entry ID");
			return EXIT_USAGE;
		}
	}
	if (name == NULL) {
		log_error("desktop remove: one NAME is needed");
		return EXIT_USAGE;
	}
	if (!jail_name_valid(name)) {
		log_error("'%s' is not a valid jail name", name);
		return EXIT_USAGE;
	}
	if (c.entry != NULL && !id_valid(c.entry)) {
		log_error("'%s' is not a desktop file ID (like 'org.gnome.Evince.desktop')",
		          c.entry);
		return EXIT_USAGE;
	}
	/* No profile needed: its launcher may outlive it. */
	r = profile_env_from_environ(&env, &storage, NULL);
	if (r < 0)
		return log_error_errno(r, "$HOME is not set to an absolute path"),
		       EXIT_JAILSUP_FAILED;
	if (open_user_config(&env, false, &config) >= 0)
		c.config_fd = config;
	r = open_user_apps(&env, false, &apps);
	if (r >= 0)
		r = for_each_ours(apps, KEY_PROFILE, name, remove_launcher, &c);
	if (r >= 0)
		r = for_each_ours(apps, KEY_OVERRIDE, name, remove_override_of, &c);
	strv_free(c.replaced);
	if (r < 0 && r != -ENOENT)
		return EXIT_JAILSUP_FAILED;
	if (c.n == 0) {
		log_error("no launcher of jailsup for '%s'%s%s in '%s/applications'", name,
		          c.entry != NULL ? " from " : "", c.entry != NULL ? c.entry : "",
		          env.xdg_data_home);
		return EXIT_NO_JAIL;
	}
	update_database(&env);
	return 0;
}

static int
print_one(int apps_fd _unused_, const char *file, struct desktop_file *df, void *userdata _unused_)
{
	const char *from = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_ENTRY);
	const char *hides = desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_REPLACES);

	printf("%-24s %-36s %-32s %s\n", desktop_file_get(df, DESKTOP_MAIN_GROUP, KEY_PROFILE),
	       file, from != NULL ? from : "-", hides != NULL ? hides : "-");
	return 0;
}

static int
desktop_list(int argc, char **argv _unused_)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_close_ int apps = -1;
	struct profile_env env;
	int r;

	if (argc != 0) {
		log_error("desktop list: no argument expected");
		return EXIT_USAGE;
	}
	r = profile_env_from_environ(&env, &storage, NULL);
	if (r < 0)
		return log_error_errno(r, "$HOME is not set to an absolute path"),
		       EXIT_JAILSUP_FAILED;
	printf("%-24s %-36s %-32s %s\n", "JAIL", "LAUNCHER", "FROM", "HIDES");
	r = open_user_apps(&env, false, &apps);
	if (r == -ENOENT)
		return 0;
	if (r >= 0)
		r = for_each_ours(apps, KEY_PROFILE, NULL, print_one, NULL);
	if (r < 0)
		return log_error_errno(r, "unable to read '%s/applications'", env.xdg_data_home),
		       EXIT_JAILSUP_FAILED;
	return 0;
}

int
verb_desktop(int argc, char **argv)
{
	if (argc < 1 || streq(argv[0], "--help")) {
		print_desktop_usage(argc < 1 ? stderr : stdout);
		return argc < 1 ? EXIT_USAGE : 0;
	}
	if (streq(argv[0], "add"))
		return desktop_add(argc - 1, argv + 1);
	if (streq(argv[0], "remove"))
		return desktop_remove(argc - 1, argv + 1);
	if (streq(argv[0], "list"))
		return desktop_list(argc - 1, argv + 1);
	log_error("desktop: unknown action '%s' (add, remove or list)", argv[0]);
	return EXIT_USAGE;
}
