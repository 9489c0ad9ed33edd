/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* desktop-mime.h: default apps for file types and links, for `jailsup desktop`. */
#include "cli/desktop-mime.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "state/exe-paths.h"
#include "state/log.h"
#include "state/state.h"

#define MIMEAPPS      "mimeapps.list"
#define MIMEAPPS_MAX  (1024 * 1024)
#define DEFAULT_GROUP "[Default Applications]"
#define TOOL_OUT_MAX  (64 * 1024)
#define TOOL_TIMEOUT  10000 /* ms: a desktop tool that hangs must not hang us */
#define TOOL_BATCH    16    /* tools run side by side */
#define ID_CHARS      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+@-"
/* RFC 2045's token characters, as MIME type names use them. */
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-"

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A desktop tool we run: its PID and stdout, read to EOF. */
struct tool_run {
	pid_t pid;
	int fd; /* -1 once read to the end */
	char *out;
	size_t len, cap;
	int status; /* its exit status, or -errno (-ETIMEDOUT: killed) */
};

/* Starts PROG with ARGV, LC_ALL=C added to our environment (the desktop's
 * XDG_* variables decide what it answers, so they pass), stdin /dev/null,
 * stderr discarded, stdout to a pipe of T's. */
static int
tool_spawn(const char *prog, char *const argv[], struct tool_run *t)
{
	int fds[2], r;

	*t = (struct tool_run){.pid = -1, .fd = -1};
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	t->pid = fork();
	if (t->pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (t->pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0 || setenv("LC_ALL", "C", 1) < 0)
			_exit(127);
		execv(prog, argv);
		_exit(127);
	}
	close(fds[1]);
	t->fd = fds[0];
	return 0;
}

/* One read of T's stdout; closes it at EOF, on an error or past
 * TOOL_OUT_MAX (the status says which). */
static void
tool_read(struct tool_run *t)
{
	ssize_t n;

	if (t->len + 4096 + 1 > t->cap) {
		size_t cap = t->cap == 0 ? 8192 : t->cap * 2;
		char *nv = cap <= TOOL_OUT_MAX ? realloc(t->out, cap) : NULL;

		if (nv == NULL) {
			t->status = cap <= TOOL_OUT_MAX ? -ENOMEM : -EFBIG;
			t->fd = safe_close(t->fd);
			return;
		}
		t->out = nv;
		t->cap = cap;
	}
	n = read(t->fd, t->out + t->len, t->cap - t->len - 1);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		if (n < 0)
			t->status = -errno;
		t->fd = safe_close(t->fd);
		return;
	}
	t->len += (size_t) n;
	t->out[t->len] = '\0';
}

/* Reads every run's stdout to its end, within TOOL_TIMEOUT for them all,
 * then reaps them (a run still writing at the deadline is killed). */
static void
tool_collect(struct tool_run *runs, size_t n)
{
	int64_t deadline = now_ms() + TOOL_TIMEOUT;
	struct pollfd p[TOOL_BATCH];

	for (;;) {
		size_t k = 0;
		int64_t left = deadline - now_ms();

		for (size_t i = 0; i < n; i++)
			if (runs[i].fd >= 0)
				p[k++] = (struct pollfd){.fd = runs[i].fd, .events = POLLIN};
		if (k == 0 || left <= 0)
			break;
		if (poll(p, k, (int) left) < 0 && errno != EINTR)
			break;
		for (size_t i = 0, j = 0; i < n; i++)
			if (runs[i].fd >= 0 && (p[j++].revents & (POLLIN | POLLHUP | POLLERR)))
				tool_read(&runs[i]);
	}
	for (size_t i = 0; i < n; i++) {
		int status;

		if (runs[i].fd >= 0) {
			runs[i].status = -ETIMEDOUT;
			runs[i].fd = safe_close(runs[i].fd);
		}
		if (runs[i].pid <= 0)
			continue;
		if (runs[i].status < 0)
			(void) kill(runs[i].pid, SIGKILL); /* our own child, not yet reaped */
		while (waitpid(runs[i].pid, &status, 0) < 0 && errno == EINTR)
			;
		if (runs[i].status < 0)
			continue;
		runs[i].status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

static void
tool_done(struct tool_run *t)
{
	safe_close(t->fd);
	free(t->out);
}

static bool
id_chars_only(const char *s)
{
	return s[0] != '\0' && strspn(s, ID_CHARS) == strlen(s);
}

static bool
type_valid(const char *t)
{
	const char *slash = strchr(t, '/');
	size_t n = strlen(t);

	return slash != NULL && slash != t && slash[1] != '\0' && n < 256 &&
	       strspn(t, TOKEN_CHARS) == (size_t) (slash - t) &&
	       strspn(slash + 1, TOKEN_CHARS) == strlen(slash + 1);
}

int
mime_types_split(const char *mime_types, char ***ret)
{
	_cleanup_free_ char *copy = strdup(mime_types != NULL ? mime_types : "");
	_cleanup_strv_ char **v = NULL;
	char *save = NULL;

	if (copy == NULL)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ";", &save); t != NULL; t = strtok_r(NULL, ";", &save))
		if (type_valid(t) && !strv_contains(v, t) && strv_push(&v, t) < 0)
			return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

/* The ID in gio's answer for one type: "Default application for 'TYPE':
 * ID" (quotes as the locale has them), or "No default applications for
 * 'TYPE'": "" then. */
static int
gio_answer(char *out, char **ret)
{
	const char *prefix = "Default application for ";
	char *nl = strchr(out, '\n'), *id;

	if (nl != NULL)
		*nl = '\0';
	if (!strstartswith(out, prefix))
		return (*ret = strdup("")) != NULL ? 0 : -ENOMEM;
	id = strrchr(out, ' ');
	if (id == NULL || id[-1] != ':' || !id_chars_only(id + 1))
		return -EIO;
	return (*ret = strdup(id + 1)) != NULL ? 0 : -ENOMEM;
}

int
mime_default_query(const char *path, char *const *types, char ***ret)
{
	_cleanup_free_ char *gio = NULL;
	_cleanup_strv_ char **ids = NULL;
	size_t n = strv_length(types);
	int r;

	r = find_on_path("gio", path, &gio);
	if (r < 0)
		return r;
	/* A gio takes one type and tens of milliseconds to start: a batch at a
	 * time, side by side (LibreOffice Writer has 60 types). */
	for (size_t first = 0; first < n; first += TOOL_BATCH) {
		struct tool_run runs[TOOL_BATCH];
		size_t batch = n - first < TOOL_BATCH ? n - first : TOOL_BATCH;

		for (size_t i = 0; i < batch; i++) {
			char *argv[] = {"gio", "mime", types[first + i], NULL};

			if (tool_spawn(gio, argv, &runs[i]) < 0)
				runs[i].status = -EIO;
		}
		tool_collect(runs, batch);
		for (size_t i = 0; i < batch && r >= 0; i++) {
			_cleanup_free_ char *id = NULL;

			if (runs[i].status == 127) {
				r = -ENOENT;
				break;
			}
			if (runs[i].status != 0 || runs[i].out == NULL ||
			    gio_answer(runs[i].out, &id) < 0) {
				log_warn("gio did not say which app opens '%s': leaving it",
				         types[first + i]);
				id = strdup("");
			}
			if (id == NULL || strv_push(&ids, id) < 0)
				r = -ENOMEM;
		}
		for (size_t i = 0; i < batch; i++)
			tool_done(&runs[i]);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(ids);
	return 0;
}

int
mime_database_update(const char *path, const char *apps_dir)
{
	_cleanup_free_ char *prog = NULL;
	char *argv[] = {"update-desktop-database", "-q", (char *) apps_dir, NULL};
	struct tool_run t;
	int r;

	r = find_on_path("update-desktop-database", path, &prog);
	if (r < 0)
		return r;
	r = tool_spawn(prog, argv, &t);
	if (r < 0)
		return r;
	tool_collect(&t, 1);
	tool_done(&t);
	if (t.status < 0)
		return t.status;
	return t.status == 0 ? 0 : t.status == 127 ? -ENOENT : -EIO;
}

/* mimeapps.list as lines; the file is the user's, read as it is (its other
 * groups and keys, comments, blank lines, all kept byte for byte). */
struct mimeapps {
	char **lines;
	size_t n;
};

static void
mimeapps_done(struct mimeapps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->lines[i]);
	free(m->lines);
}

static int
mimeapps_read(int config_fd, struct mimeapps *m)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = state_read_file(config_fd, MIMEAPPS, MIMEAPPS_MAX, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (memchr(text, '\0', len) != NULL)
		return -EINVAL;
	for (char *p = text; *p != '\0';) {
		char *nl = strchr(p, '\n'), **nv;
		size_t n = nl != NULL ? (size_t) (nl - p) : strlen(p);

		nv = reallocarray(m->lines, m->n + 1, sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		m->lines = nv;
		m->lines[m->n] = strndup(p, n);
		if (m->lines[m->n] == NULL)
			return -ENOMEM;
		m->n++;
		p += n + (nl != NULL);
	}
	return 0;
}

/* The file's text, as it will be written. */
static int
mimeapps_text(const struct mimeapps *m, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t len = 0;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++)
		if (fprintf(f, "%s\n", m->lines[i]) < 0)
			return -ENOMEM;
	if (fclose(TAKE_PTR(f)) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int
mime_defaults_write(int config_fd, const char *text, size_t len)
{
	return state_write_atomic(config_fd, MIMEAPPS, text, len);
}

/* The line of key TYPE in [Default Applications] (spaces around '=' are
 * allowed, as in desktop entries), its value in *ret_value; -1 if none.
 * *ret_group: the group's header line, or -1. */
static ssize_t
mimeapps_find(const struct mimeapps *m, const char *type, ssize_t *ret_group,
              const char **ret_value)
{
	bool in = false;
	size_t tl = strlen(type);

	*ret_group = -1;
	for (size_t i = 0; i < m->n; i++) {
		const char *l = m->lines[i];

		if (l[0] == '[') {
			in = streq(l, DEFAULT_GROUP);
			if (in && *ret_group < 0)
				*ret_group = (ssize_t) i;
			continue;
		}
		if (!in || strncmp(l, type, tl) != 0)
			continue;
		l += tl;
		l += strspn(l, " \t");
		if (*l != '=')
			continue;
		*ret_value = l + 1 + strspn(l + 1, " \t");
		return (ssize_t) i;
	}
	return -1;
}

/* Inserts LINE (taken; NULL: out of memory) at AT. */
static int
mimeapps_insert(struct mimeapps *m, size_t at, char *line)
{
	char **nv = line != NULL ? reallocarray(m->lines, m->n + 1, sizeof(*nv)) : NULL;

	if (nv == NULL) {
		free(line);
		return -ENOMEM;
	}
	m->lines = nv;
	memmove(m->lines + at + 1, m->lines + at, (m->n - at) * sizeof(*nv));
	m->lines[at] = line;
	m->n++;
	return 0;
}

/* Sets TYPE=VALUE in [Default Applications] (VALUE NULL: removes the key),
 * creating the group at the end when needed. */
static int
mimeapps_put(struct mimeapps *m, const char *type, const char *value)
{
	ssize_t group, at;
	const char *old;
	char *line;
	int r;

	at = mimeapps_find(m, type, &group, &old);
	if (value == NULL) {
		if (at >= 0) {
			free(m->lines[at]);
			memmove(m->lines + at, m->lines + at + 1,
			        (m->n - (size_t) at - 1) * sizeof(*m->lines));
			m->n--;
		}
		return 0;
	}
	if (asprintf(&line, "%s=%s", type, value) < 0)
		return -ENOMEM;
	if (at >= 0) {
		free(m->lines[at]);
		m->lines[at] = line;
		return 0;
	}
	if (group < 0) {
		/* A new group at the end, after a blank line. */
		r = 0;
		if (m->n > 0 && m->lines[m->n - 1][0] != '\0')
			r = mimeapps_insert(m, m->n, strdup(""));
		if (r >= 0)
			r = mimeapps_insert(m, m->n, strdup(DEFAULT_GROUP));
		if (r < 0) {
			free(line);
			return r;
		}
		group = (ssize_t) m->n - 1;
	}
	return mimeapps_insert(m, (size_t) group + 1, line);
}

/* The old value recorded for TYPE in RECORD ("TYPE:OLD;…"), or NULL. */
static char *
record_lookup(const char *record, const char *type)
{
	_cleanup_free_ char *copy = strdup(record != NULL ? record : "");
	char *save = NULL;
	size_t tl = strlen(type);

	if (copy == NULL)
		return NULL;
	for (char *e = strtok_r(copy, ";", &save); e != NULL; e = strtok_r(NULL, ";", &save))
		if (strncmp(e, type, tl) == 0 && e[tl] == ':')
			return strdup(e + tl + 1);
	return NULL;
}

int
mime_defaults_plan(int config_fd, const char *id, char *const *types, const char *keep,
                   char **ret_record, char **ret_text, size_t *ret_len)
{
	_cleanup_(mimeapps_done) struct mimeapps m = {};
	_cleanup_free_ char *record = strdup(""), *ours = NULL;
	int r;

	if (record == NULL || asprintf(&ours, "%s;", id) < 0)
		return -ENOMEM;
	r = mimeapps_read(config_fd, &m);
	if (r < 0)
		return r;
	for (char *const *t = types; t != NULL && *t != NULL; t++) {
		_cleanup_free_ char *old = record_lookup(keep, *t), *entry = NULL;
		const char *value = NULL;
		ssize_t group;

		if (old == NULL) {
			if (mimeapps_find(&m, *t, &group, &value) < 0)
				value = "";
			/* Only a list of IDs is ours to give back later. */
			if (strspn(value, ID_CHARS ";") != strlen(value)) {
				log_warn("%s: the default for '%s' is '%s', not a list of "
				         "desktop entries: leaving it",
				         MIMEAPPS, *t, value);
				continue;
			}
			old = strdup(value);
			if (old == NULL)
				return -ENOMEM;
			for (char *c = old; *c != '\0'; c++)
				if (*c == ';')
					*c = ',';
		}
		r = mimeapps_put(&m, *t, ours);
		if (r < 0)
			return r;
		if (asprintf(&entry, "%s%s:%s;", record, *t, old) < 0)
			return -ENOMEM;
		free(record);
		record = TAKE_PTR(entry);
	}
	r = mimeapps_text(&m, ret_text, ret_len);
	if (r < 0)
		return r;
	*ret_record = TAKE_PTR(record);
	return 0;
}

int
mime_defaults_restore(int config_fd, const char *id, const char *record)
{
	_cleanup_(mimeapps_done) struct mimeapps m = {};
	_cleanup_free_ char *copy = strdup(record), *ours = NULL;
	char *save = NULL;
	bool changed = false;
	int r;

	if (copy == NULL || asprintf(&ours, "%s;", id) < 0)
		return -ENOMEM;
	r = mimeapps_read(config_fd, &m);
	if (r < 0)
		return r;
	for (char *e = strtok_r(copy, ";", &save); e != NULL; e = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(e, ':'), *old;
		const char *value;
		ssize_t group;

		if (colon == NULL)
			continue;
		*colon = '\0';
		old = colon + 1;
		if (!type_valid(e) || strspn(old, ID_CHARS ",") != strlen(old))
			continue; /* not a record of ours */
		if (mimeapps_find(&m, e, &group, &value) < 0 ||
		    (!streq(value, ours) && !streq(value, id)))
			continue; /* changed since: the user's choice now */
		for (char *c = old; *c != '\0'; c++)
			if (*c == ',')
				*c = ';';
		r = mimeapps_put(&m, e, old[0] != '\0' ? old : NULL);
		if (r < 0)
			return r;
		changed = true;
	}
	if (!changed)
		return 0;
	/* Nothing left but the group we made: as if the file never was. */
	{
		bool empty = true;

		for (size_t i = 0; i < m.n && empty; i++)
			empty = m.lines[i][0] == '\0' || streq(m.lines[i], DEFAULT_GROUP);
		if (empty)
			return unlinkat(config_fd, MIMEAPPS, 0) < 0 ? -errno : 0;
	}
	{
		_cleanup_free_ char *text = NULL;
		size_t len;

		r = mimeapps_text(&m, &text, &len);
		if (r >= 0)
			r = mime_defaults_write(config_fd, text, len);
	}
	return r;
}
