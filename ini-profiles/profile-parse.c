/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The profile parser: inih splits the text into sections and key = value
 * pairs, the handler below checks every key and value against the schema
 * of docs/profiles.md and fills a struct jail_profile. Also loading a profile
 * from a file and finding one in the search path.
 *
 * inih gives the handler no line number (Debian builds it with
 * INI_HANDLER_LINENO 0) and its line buffer is 200 bytes, beyond which it
 * would silently split a line in two. So we feed it ourselves, one line at
 * a time from the in-memory text: the reader counts lines, refuses
 * overlong lines and control characters before inih sees them, and checks
 * section headers (inih never reports a section without keys). Every error
 * therefore carries the exact line, and the first one by line wins.
 *
 * The parser is strict on purpose: an unknown key or section, a misspelt
 * right, a D-Bus rule the proxy would misread, a repeated scalar key, are
 * all errors with their line, never silence; a jail that quietly lacks a
 * deny the user believes in is worse than one that does not start.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>

#include "ini-profiles/profile-internal.h"
#include "state/state.h"

enum section_id {
	SECTION_JAIL,
	SECTION_RIGHTS,
	SECTION_DBUS,
	SECTION_DBUS_SYSTEM,
	SECTION_SHARE,
	SECTION_LIMITS,
	SECTION_NETWORK,
	_SECTION_MAX,
};

static const char *const section_names[_SECTION_MAX] = {
    [SECTION_JAIL] = "jail",       [SECTION_RIGHTS] = "rights",
    [SECTION_DBUS] = "dbus",       [SECTION_DBUS_SYSTEM] = "dbus-system",
    [SECTION_SHARE] = "share",     [SECTION_LIMITS] = "limits",
    [SECTION_NETWORK] = "network",
};

enum key_id {
	KEY_EXEC,
	KEY_ARGS,
	KEY_INIT_SCRIPT,
	KEY_NETWORK,
	KEY_VPN,
	KEY_AUTODELETE,
	KEY_SECURE,
	KEY_ALLOW,
	KEY_DENY,
	KEY_TALK,
	KEY_OWN,
	KEY_OWN_PRIVATE,
	KEY_SEE,
	KEY_CALL,
	KEY_BROADCAST,
	KEY_RW,
	KEY_RO,
	KEY_NOFILE,
	KEY_NPROC,
	KEY_CORE,
	KEY_AS,
	KEY_CPU,
	KEY_FORWARD,
	KEY_X11,
	KEY_CLIPBOARD,
	_KEY_MAX,
};

struct key_def {
	enum section_id section;
	const char *name;
	enum key_id id;
	bool list; /* may repeat and accumulates; else a repeat is an error */
};

static const struct key_def keys[] = {
    {SECTION_JAIL, "exec", KEY_EXEC, false},
    {SECTION_JAIL, "args", KEY_ARGS, false},
    {SECTION_JAIL, "init-script", KEY_INIT_SCRIPT, false},
    {SECTION_JAIL, "network", KEY_NETWORK, false},
    {SECTION_JAIL, "vpn", KEY_VPN, false},
    {SECTION_JAIL, "autodelete", KEY_AUTODELETE, false},
    {SECTION_JAIL, "secure", KEY_SECURE, false},
    {SECTION_RIGHTS, "allow", KEY_ALLOW, true},
    {SECTION_RIGHTS, "deny", KEY_DENY, true},
    {SECTION_DBUS, "talk", KEY_TALK, true},
    {SECTION_DBUS, "own", KEY_OWN, true},
    {SECTION_DBUS, "own-private", KEY_OWN_PRIVATE, true},
    {SECTION_DBUS, "see", KEY_SEE, true},
    {SECTION_DBUS, "call", KEY_CALL, true},
    {SECTION_DBUS, "broadcast", KEY_BROADCAST, true},
    {SECTION_DBUS_SYSTEM, "talk", KEY_TALK, true},
    {SECTION_DBUS_SYSTEM, "own", KEY_OWN, true},
    {SECTION_DBUS_SYSTEM, "see", KEY_SEE, true},
    {SECTION_DBUS_SYSTEM, "call", KEY_CALL, true},
    {SECTION_DBUS_SYSTEM, "broadcast", KEY_BROADCAST, true},
    {SECTION_SHARE, "rw", KEY_RW, true},
    {SECTION_SHARE, "ro", KEY_RO, true},
    {SECTION_LIMITS, "nofile", KEY_NOFILE, false},
    {SECTION_LIMITS, "nproc", KEY_NPROC, false},
    {SECTION_LIMITS, "core", KEY_CORE, false},
    {SECTION_LIMITS, "as", KEY_AS, false},
    {SECTION_LIMITS, "cpu", KEY_CPU, false},
    {SECTION_NETWORK, "forward", KEY_FORWARD, true},
    {SECTION_RIGHTS, "x11", KEY_X11, false},
    {SECTION_RIGHTS, "clipboard", KEY_CLIPBOARD, false},
};

/* What the reader hands inih for a section header it refused: no section
 * has this name, so the handler knows to skip the keys below it. */
#define SECTION_SKIPPED "?"

struct parser {
	/* The reader's side. */
	const char *next;  /* start of the next line of the text */
	unsigned line;     /* the line last handed to inih, 1-based */
	bool inih_has_key; /* mirrors inih's prev_name: an indented line continues that key */

	/* What is being built, and against what. */
	struct jail_profile *p;
	const struct profile_env *env;
	const char *source_dir; /* absolute folder of the profile file, or NULL */

	/* -EINVAL once an error is known, or -ENOMEM. Every error is kept,
	 * sorted by line (the first PROFILE_ERRORS_MAX of them; the rest
	 * counted): a user fixing a file sees all of its mistakes at once. */
	int error;
	struct profile_error_item errs[PROFILE_ERRORS_MAX];
	unsigned n_errs, n_dropped;
	bool line_refused; /* a whole line was replaced: what it held is unknown */
	bool at_end;       /* the checks of the whole file: their errors come last */

	/* For duplicate scalar keys and the checks at the end. */
	unsigned jail_line;      /* the first [jail] header */
	unsigned seen[_KEY_MAX]; /* the line each scalar key was given on */
};

/* Quoting what a file or a caller gave us in a message: control bytes
 * become \xNN (a name may come from a command line and hold a newline or
 * an escape sequence meant for the terminal reading the log), and long
 * text is cut so the rest of the message survives. */
#define ESC_MAX 96
static const char *
esc(char buf[static ESC_MAX], const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		if (n + 8 >= ESC_MAX) {
			memcpy(buf + n, "...", 4);
			return buf;
		}
		if (c < 0x20 || c == 0x7f)
			n += (size_t) snprintf(buf + n, ESC_MAX - n, "\\x%02x", c);
		else
			buf[n++] = (char) c;
	}
	buf[n] = '\0';
	return buf;
}

static void _printf_(3, 0)
    error_set(struct profile_error *err, unsigned line, const char *fmt, va_list ap)
{
	err->line = line;
	(void) vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

/* Records an error at LINE, after those of earlier or the same lines;
 * the errors of the checks at the end (which name the line of [jail], say)
 * come after every line's. Past the bound only counted. */
static int _printf_(3, 4) fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
	struct profile_error_item item;
	unsigned at;
	va_list ap;

	if (ps->error == -ENOMEM)
		return -ENOMEM;
	ps->error = -EINVAL;
	for (at = ps->n_errs; !ps->at_end && at > 0 && ps->errs[at - 1].line > line; at--)
		;
	if (ps->n_errs == PROFILE_ERRORS_MAX) {
		ps->n_dropped++;
		if (at == PROFILE_ERRORS_MAX)
			return -EINVAL;
		ps->n_errs--; /* the last one makes room */
	}
	item.line = line;
	va_start(ap, fmt);
	(void) vsnprintf(item.msg, sizeof(item.msg), fmt, ap);
	va_end(ap);
	memmove(ps->errs + at + 1, ps->errs + at, (ps->n_errs - at) * sizeof(item));
	ps->errs[at] = item;
	ps->n_errs++;
	return -EINVAL;
}

static bool
has_error_on(const struct parser *ps, unsigned line)
{
	for (unsigned i = 0; i < ps->n_errs; i++)
		if (ps->errs[i].line == line)
			return true;
	return false;
}

static void
errors_get(const struct parser *ps, struct profile_error *ret)
{
	*ret = (struct profile_error){.line = ps->errs[0].line, .n_dropped = ps->n_dropped};
	memcpy(ret->msg, ps->errs[0].msg, sizeof(ret->msg));
	for (unsigned i = 1; i < ps->n_errs; i++)
		ret->more[ret->n_more++] = ps->errs[i];
}

int
profile_error_lines(const struct profile_error *err, const char *path, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	char *l;

	for (unsigned i = 0; i <= err->n_more && i < PROFILE_ERRORS_MAX; i++) {
		unsigned line = i == 0 ? err->line : err->more[i - 1].line;
		const char *msg = i == 0 ? err->msg : err->more[i - 1].msg;
		int n = line > 0 ? asprintf(&l, "%s:%u: %s", path, line, msg)
		                 : asprintf(&l, "%s: %s", path, msg);

		if (n < 0)
			return -ENOMEM;
		if (strv_push(&v, l) < 0)
			return free(l), -ENOMEM;
		free(l);
	}
	if (err->n_dropped > 0) {
		if (asprintf(&l, "%s: and %u more error%s", path, err->n_dropped,
		             err->n_dropped == 1 ? "" : "s") < 0)
			return -ENOMEM;
		if (strv_push(&v, l) < 0)
			return free(l), -ENOMEM;
		free(l);
	}
	*ret = TAKE_PTR(v);
	return 0;
}

static int
oom(struct parser *ps)
{
	ps->error = -ENOMEM;
	return -ENOMEM;
}

/* An error outside the parser (a bad name, an unreadable file). */
static int _printf_(4, 5)
    fail_early(struct profile_error *reterr, int r, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (reterr == NULL)
		return r;
	reterr->n_more = reterr->n_dropped = 0;
	va_start(ap, fmt);
	error_set(reterr, line, fmt, ap);
	va_end(ap);
	return r;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* inih's find_chars_or_comment() over S[0..LEN): the first of CHARS, or
 * an inline comment (';' after a blank), or LEN. */
static size_t
find_chars_or_comment(const char *s, size_t len, const char *chars)
{
	bool was_space = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (chars != NULL && strchr(chars, s[i]) != NULL)
			break;
		if (was_space && s[i] == ';')
			break;
		was_space = is_blank(s[i]);
	}
	return i;
}

static int
section_from_string(const char *s, size_t len)
{
	for (int i = 0; i < _SECTION_MAX; i++)
		if (strlen(section_names[i]) == len && strncmp(section_names[i], s, len) == 0)
			return i;
	return -1;
}

/* What inih does with a line, done first so that the errors inih would
 * not see or could not place get their line: overlong lines, control
 * characters, section headers (unknown, unterminated, trailing text), and
 * lines that are neither a key nor a section. */
static int
check_line(struct parser *ps, const char *s, size_t len, size_t max)
{
	const char *start = s, *end = s + len, *sep;
	char buf[ESC_MAX];

	if (len > max)
		return fail(ps, ps->line, "line too long (at most %zu characters)", max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		/* A tab is a blank; '\r' only as the end of a CRLF line. */
		if ((c < 0x20 && c != '\t' && !(c == '\r' && i == len - 1)) || c == 0x7f)
			return fail(ps, ps->line, "control character 0x%02x in line", c);
	}

	if (ps->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		start += 3; /* inih skips a UTF-8 BOM */
	while (start < end && is_blank(*start))
		start++;
	while (end > start && is_blank(end[-1]))
		end--;
	if (start == end || *start == ';' || *start == '#')
		return 0;
	if (ps->inih_has_key && start > s)
		return 0; /* inih hands it to the handler as more of the last key */

	if (*start == '[') {
		size_t n = (size_t) (end - start - 1);
		size_t close = find_chars_or_comment(start + 1, n, "]");
		const char *rest, *t;
		_cleanup_free_ char *name = NULL;
		int id;

		if (close == n || start[1 + close] != ']')
			return fail(ps, ps->line, "expected ']' at the end of the section header");
		/* inih ignores what follows ']'; we allow only a comment,
		 * which needs a blank before its ';'. */
		rest = start + 1 + close + 1;
		for (t = rest; t < end && is_blank(*t); t++)
			;
		if (t < end && !(t > rest && *t == ';'))
			return fail(ps, ps->line, "unexpected text after ']'");
		id = section_from_string(start + 1, close);
		if (id < 0) {
			name = strndup(start + 1, close);
			if (name == NULL)
				return oom(ps);
			return fail(ps, ps->line,
			            "unknown section [%s] (known: jail, rights, dbus, "
			            "dbus-system, share, limits, network)",
			            esc(buf, name));
		}
		if (id == SECTION_JAIL && ps->jail_line == 0)
			ps->jail_line = ps->line;
		ps->inih_has_key = false; /* inih forgets the last key at a section */
		return 0;
	}

	/* inih splits at the first '=' or ':' (configparser's "key: value"),
	 * unless a comment comes first. */
	sep = start + find_chars_or_comment(start, (size_t) (end - start), "=:");
	if (sep == end || (*sep != '=' && *sep != ':'))
		return fail(ps, ps->line, "expected 'key = value' or '[section]'");
	return 0;
}

/* inih's ini_reader: hands over one line of the text with its '\n'. A
 * line check_line() refused is reported and replaced, so that the lines
 * after it are still read and their errors found too: a bad section
 * header by "[?]" (no section of that name exists: the keys below it are
 * skipped, not taken for keys of the section before), anything else by a
 * blank line. */
static char *
reader(char *buf, int num, void *stream)
{
	struct parser *ps = stream;
	const char *s = ps->next, *eol, *t;
	size_t len, max;

	if (ps->error == -ENOMEM || *s == '\0' || num < 5)
		return NULL;
	eol = strchrnul(s, '\n');
	len = (size_t) (eol - s);
	ps->next = *eol == '\n' ? eol + 1 : eol;
	ps->line++;

	/* Room for the line, '\n' and NUL. The '\n' matters: newer inih
	 * takes a full buffer without one as a truncated line and reads on
	 * to drop the rest, which would desynchronise our line count. */
	max = num >= 3 ? (size_t) num - 2 : 0;
	if (max > PROFILE_LINE_MAX)
		max = PROFILE_LINE_MAX;
	if (check_line(ps, s, len, max) < 0) {
		if (ps->error == -ENOMEM)
			return NULL;
		ps->line_refused = true;
		for (t = s; t < eol && is_blank(*t); t++)
			;
		if (t < eol && *t == '[') {
			ps->inih_has_key = false;
			return strcpy(buf, "[" SECTION_SKIPPED "]\n");
		}
		return strcpy(buf, "\n");
	}
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	return buf;
}

/* Why a path that expanded fine cannot be kept: the canonical dump must
 * read back the same, and inih strips trailing blanks and takes ';' after
 * a blank as a comment. */
static const char unrepresentable[] =
    "a component may not end in a blank, and ';' may not follow a blank";

static int
parse_bool(const char *s, bool *ret)
{
	if (streq(s, "true") || streq(s, "yes") || streq(s, "1")) {
		*ret = true;
		return 0;
	}
	if (streq(s, "false") || streq(s, "no") || streq(s, "0")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

/* A path value of [jail]: "~", "$VAR" and absolute paths as
 * profile_expand_path() says, other relative paths from the folder of the
 * profile file. */
static int
jail_path(struct parser *ps, const char *key, const char *value, char **ret)
{
	_cleanup_free_ char *joined = NULL, *out = NULL;
	const char *reason = NULL;
	char b1[ESC_MAX];
	int r;

	if (value[0] == '~' || value[0] == '$' || value[0] == '/') {
		r = profile_expand_path_full(value, ps->env, &out, &reason);
	} else {
		if (ps->source_dir == NULL)
			return fail(ps, ps->line,
			            "relative path '%s' for '%s' needs the profile's own path",
			            esc(b1, value), key);
		joined = path_join(ps->source_dir, value);
		if (joined == NULL)
			return oom(ps);
		r = profile_expand_path_full(joined, ps->env, &out, &reason);
	}
	if (r == -ENOMEM)
		return oom(ps);
	if (r < 0)
		return fail(ps, ps->line, "invalid path '%s' for '%s': %s", esc(b1, value), key,
		            reason != NULL ? reason : strerror(-r));
	if (strlen(out) > PROFILE_VALUE_MAX)
		return fail(ps, ps->line,
		            "path for '%s' too long after expansion (at most %d characters)", key,
		            PROFILE_VALUE_MAX);
	/* "a /" normalises to "a ": the dump could not write it back. */
	if (!profile_value_representable(out, false))
		return fail(ps, ps->line, "invalid path '%s' for '%s': %s", esc(b1, value), key,
		            unrepresentable);
	*ret = TAKE_PTR(out);
	return 0;
}

static const char *
rights_list(void)
{
	return "audio, x11, wayland, gpu, camera, network, kde-session, dbus, dbus-system, "
	       "notifications, io_uring, userns, portals, open-uri";
}

static int
handle_right(struct parser *ps, enum key_id id, const char *item)
{
	struct jail_profile *p = ps->p;
	unsigned bit = right_from_string(item);
	char b1[ESC_MAX];

	if (bit == 0)
		return fail(ps, ps->line, "unknown right '%s' (known: %s)", esc(b1, item),
		            rights_list());
	if (id == KEY_ALLOW) {
		if (p->deny & bit)
			return fail(ps, ps->line, "right '%s' is both allowed and denied", item);
		/* io_uring makes sockets and sets socket options by operations
		 * seccomp never sees: a nested root would get back the netlink,
		 * raw sockets and netfilter options the userns filter refuses. */
		if ((bit == RIGHT_IO_URING && (p->allow & RIGHT_USERNS)) ||
		    (bit == RIGHT_USERNS && (p->allow & RIGHT_IO_URING)))
			return fail(ps, ps->line,
			            "rights 'io_uring' and 'userns' cannot go together: io_uring "
			            "would give a nested namespace's root what the userns filter "
			            "refuses");
		p->allow |= bit;
		return 0;
	}
	if (p->allow & bit)
		return fail(ps, ps->line, "right '%s' is both allowed and denied", item);
	if (bit == RIGHT_NETWORK && p->network_set && p->network != NETWORK_NONE)
		return fail(ps, ps->line, "denying 'network' contradicts network = %s",
		            jail_network_to_string(p->network));
	if (bit == RIGHT_NETWORK && p->vpn != NULL)
		return fail(ps, ps->line, "denying 'network' contradicts 'vpn'");
	p->deny |= bit;
	return 0;
}

static int
push_unique(struct parser *ps, char ***v, const char *key, const char *item)
{
	if (strv_contains(*v, item))
		return 0;
	if (strv_length(*v) >= PROFILE_LIST_MAX)
		return fail(ps, ps->line, "too many items in '%s' (at most %d)", key,
		            PROFILE_LIST_MAX);
	if (strv_push(v, item) < 0)
		return oom(ps);
	return 0;
}

/* NAME or PREFIX.* into its name or prefix, and whether it is a prefix. */
static size_t
dbus_name_stem(const char *pattern, bool *ret_prefix)
{
	size_t len = strlen(pattern);

	*ret_prefix = len >= 2 && streq(pattern + len - 2, ".*");
	return *ret_prefix ? len - 2 : len;
}

/* The first of LIST that matches a name ITEM matches too, or NULL. */
static const char *
dbus_names_overlap(char **list, const char *item)
{
	bool ip, lp;
	size_t in = dbus_name_stem(item, &ip);

	for (char **p = list; p != NULL && *p != NULL; p++) {
		size_t ln = dbus_name_stem(*p, &lp);
		/* The shorter stem covers the longer one when it is a
		 * prefix pattern and the longer starts with it and a dot. */
		if (ln == in && strncmp(*p, item, in) == 0)
			return *p;
		if (lp && in > ln && strncmp(*p, item, ln) == 0 && item[ln] == '.')
			return *p;
		if (ip && ln > in && strncmp(*p, item, in) == 0 && (*p)[in] == '.')
			return *p;
	}
	return NULL;
}

static int
handle_dbus(struct parser *ps, enum section_id section, enum key_id id, const char *key,
            const char *item)
{
	struct profile_dbus *d = section == SECTION_DBUS ? &ps->p->dbus : &ps->p->dbus_system;
	const char *reason = NULL, *escape;
	char b1[ESC_MAX];
	char ***v;

	if (id == KEY_CALL || id == KEY_BROADCAST) {
		if (!profile_dbus_rule_valid(item, &reason))
			return fail(ps, ps->line, "invalid rule '%s' in '%s': %s", esc(b1, item),
			            key, reason);
		v = id == KEY_CALL ? &d->call : &d->broadcast;
		escape = id == KEY_CALL ? profile_dbus_pattern_escapes(item, strcspn(item, "="))
					: NULL;
	} else {
		if (!profile_dbus_name_pattern_valid(item))
			return fail(
			    ps, ps->line,
			    "invalid bus name '%s' in '%s' (expected a well-known name like "
			    "org.example.App, or a prefix like org.example.*)",
			    esc(b1, item), key);
		v = id == KEY_TALK          ? &d->talk
		    : id == KEY_OWN         ? &d->own
		    : id == KEY_OWN_PRIVATE ? &d->own_private
		                            : &d->see;
		escape = id == KEY_TALK ? profile_dbus_pattern_escapes(item, strlen(item)) : NULL;
		/* One name, one bus: owned on the user's bus or on the
		 * jail's own, never both (the proxy would let the jail own
		 * it on the user's bus, and the bridge would take it there).
		 * Patterns count for every name they match, in both orders. */
		if (id == KEY_OWN || id == KEY_OWN_PRIVATE) {
			char b2[ESC_MAX];
			const char *other =
			    dbus_names_overlap(id == KEY_OWN ? d->own_private : d->own, item);

			if (other != NULL)
				return fail(ps, ps->line,
				            "'%s' in '%s' overlaps '%s' in '%s': a name is owned "
				            "either on the user's bus or on the jail's own",
				            esc(b1, item), key, esc(b2, other),
				            id == KEY_OWN ? "own-private" : "own");
		}
	}
	if (escape != NULL)
		return fail(ps, ps->line,
		            "'%s' in '%s' would let the jail talk to %s, which runs programs "
		            "outside every jail: name the services it needs (the desktop "
		            "portals come with the portals right)",
		            esc(b1, item), key, escape);
	return push_unique(ps, v, key, item);
}

static int
handle_share(struct parser *ps, enum key_id id, const char *key, const char *item)
{
	struct jail_profile *p = ps->p;
	_cleanup_free_ char *path = NULL;
	const char *reason = NULL;
	struct profile_share *n;
	bool rw = id == KEY_RW;
	size_t count = 0;
	char b1[ESC_MAX];
	int r;

	r = profile_expand_path_full(item, ps->env, &path, &reason);
	if (r == -ENOMEM)
		return oom(ps);
	if (r < 0)
		return fail(ps, ps->line, "invalid path '%s' in '%s': %s", esc(b1, item), key,
		            reason != NULL ? reason : strerror(-r));
	if (strlen(path) > PROFILE_VALUE_MAX)
		return fail(ps, ps->line,
		            "path '%s' in '%s' too long after expansion (at most %d "
		            "characters)",
		            esc(b1, item), key, PROFILE_VALUE_MAX);
	if (!profile_value_representable(path, true))
		return fail(ps, ps->line, "invalid path '%s' in '%s': %s", esc(b1, item), key,
		            unrepresentable);
	r = profile_share_allowed(path, ps->env);
	if (r == -ENOMEM)
		return oom(ps);
	if (r < 0)
		return fail(ps, ps->line,
		            "sharing '%s' is refused: it is, holds or lies inside the whole home, "
		            "jailsup's own folders or the autostart folder, or lies in /proc, /sys "
		            "or /dev",
		            esc(b1, path));
	if (rw) {
		const char *what = NULL;

		r = profile_share_rw_allowed(path, ps->env, &what);
		if (r == -ENOMEM)
			return oom(ps);
		if (r < 0)
			return fail(ps, ps->line,
			            "sharing '%s' read-write is refused: it is, holds or lies inside "
			            "'%s', which your session reads or runs outside the jail (share it "
			            "with 'ro' instead)",
			            esc(b1, path), what != NULL ? what : "?");
	}
	for (size_t i = 0; i < p->n_shares; i++) {
		count += p->shares[i].rw == rw;
		if (!streq(p->shares[i].path, path))
			continue;
		if (p->shares[i].rw != rw)
			return fail(ps, ps->line, "'%s' is shared both read-write and read-only",
			            esc(b1, path));
		return 0; /* said twice: once is enough */
	}
	if (count >= PROFILE_LIST_MAX)
		return fail(ps, ps->line, "too many items in '%s' (at most %d)", key,
		            PROFILE_LIST_MAX);
	n = realloc(p->shares, (p->n_shares + 1) * sizeof(*n));
	if (n == NULL)
		return oom(ps);
	p->shares = n;
	p->shares[p->n_shares++] = (struct profile_share){.path = TAKE_PTR(path), .rw = rw};
	return 0;
}

static int
handle_forward(struct parser *ps, const char *item)
{
	struct jail_profile *p = ps->p;
	unsigned port;
	uint16_t *n;
	size_t at;
	char b1[ESC_MAX];

	if (parse_uint(item, 1, 65535, &port) < 0)
		return fail(ps, ps->line, "invalid port '%s' in 'forward' (expected 1 to 65535)",
		            esc(b1, item));
	/* Kept sorted and unique: the order of ports means nothing. */
	for (at = 0; at < p->n_forward && p->forward[at] < port; at++)
		;
	if (at < p->n_forward && p->forward[at] == port)
		return 0;
	if (p->n_forward >= PROFILE_LIST_MAX)
		return fail(ps, ps->line, "too many items in 'forward' (at most %d)",
		            PROFILE_LIST_MAX);
	n = realloc(p->forward, (p->n_forward + 1) * sizeof(*n));
	if (n == NULL)
		return oom(ps);
	p->forward = n;
	memmove(p->forward + at + 1, p->forward + at, (p->n_forward - at) * sizeof(*n));
	p->forward[at] = (uint16_t) port;
	p->n_forward++;
	return 0;
}

struct limit_rule {
	uint64_t min, max; /* max excludes LIMIT_UNLIMITED */
	bool unlimited;    /* "unlimited" is allowed */
	bool suffix;       /* K, M, G, T (powers of 1024) are allowed */
	const char *expected;
};

static const struct limit_rule limit_rules[_LIMIT_MAX] = {
    /* The kernel refuses more than fs.nr_open (1048576 by default), and
     * dispatch plus an app's stdio need a handful. */
    [LIMIT_NOFILE] = {16, 1048576, false, false, "a number from 16 to 1048576"},
    /* PID_MAX_LIMIT is 4194304; 0 processes would not even start dispatch. */
    [LIMIT_NPROC] = {1, 4194304, true, false, "a number from 1 to 4194304, or unlimited"},
    [LIMIT_CORE] = {0, UINT64_MAX - 1, true, true, "a size like 0, 512M or 2G, or unlimited"},
    /* Below a few MiB not even the dynamic loader and libc map. */
    [LIMIT_AS] = {16u << 20, UINT64_MAX - 1, true, true,
                  "a size of at least 16M, like 4G, or unlimited"},
    [LIMIT_CPU] = {1, UINT64_MAX - 1, true, false, "a number of seconds, or unlimited"},
};

static int
parse_limit(enum profile_limit l, const char *s, uint64_t *ret)
{
	const struct limit_rule *rule = &limit_rules[l];
	char digits[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (streq(s, "unlimited")) {
		if (!rule->unlimited)
			return -EINVAL;
		*ret = LIMIT_UNLIMITED;
		return 0;
	}
	if (n == 0 || n >= sizeof(digits))
		return -EINVAL;
	if (rule->suffix) {
		const char *units = "KMGT", *u = strchr(units, s[n - 1]);

		if (u != NULL && s[n - 1] != '\0') {
			shift = 10 * (unsigned) (u - units + 1);
			n--;
		}
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (parse_u64(digits, &v) < 0)
		return -EINVAL;
	if (shift > 0 && v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (v < rule->min || v > rule->max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static int
handle_scalar(struct parser *ps, enum key_id id, const char *key, const char *value)
{
	struct jail_profile *p = ps->p;
	const char *reason = NULL;
	char b1[ESC_MAX];
	bool b;
	int r;

	switch (id) {
	case KEY_EXEC:
		/* Kept as written, but "~/x" must be expandable now rather
		 * than fail at the first start. A leading ';' would read
		 * back as a comment from the canonical dump. */
		if (value[0] == ';')
			return fail(ps, ps->line, "'exec' must not start with ';'");
		/* A relative path would mean whatever folder the CLI was run
		 * in; `jailsup run ./tool` writes the absolute one. */
		if (strchr(value, '/') != NULL && strchr("/~$", value[0]) == NULL)
			return fail(ps, ps->line,
			            "'exec' must be an absolute path, '~/…', or a program name "
			            "found in $PATH, not '%s'",
			            esc(b1, value));
		/* /proc/self/exe would run whatever asks the jail to start. */
		if (profile_path_kernel(value))
			return fail(ps, ps->line,
			            "'exec' must not lie in /proc, /sys or /dev, not '%s'",
			            esc(b1, value));
		if (value[0] == '~' || value[0] == '$') {
			_cleanup_free_ char *x = NULL;

			r = profile_expand_path_full(value, ps->env, &x, &reason);
			if (r == -ENOMEM)
				return oom(ps);
			if (r < 0)
				return fail(ps, ps->line, "invalid path '%s' for 'exec': %s",
				            esc(b1, value), reason != NULL ? reason : strerror(-r));
		}
		p->exec = strdup(value);
		return p->exec == NULL ? oom(ps) : 0;
	case KEY_ARGS: {
		_cleanup_strv_ char **words = NULL;

		/* Split now only to find a quote left open: the CLI splits
		 * it again at each run, from the text kept as written. */
		r = profile_args_split(value, &words, &reason);
		if (r == -ENOMEM)
			return oom(ps);
		if (r < 0)
			return fail(ps, ps->line, "invalid value for 'args': %s", reason);
		/* Kept as written, so it must read back the same: no leading
		 * ';' (a comment there), none after a blank (write '\;'). */
		if (!profile_value_representable(value, false))
			return fail(ps, ps->line,
			            "invalid value for 'args': ';' may not start it or follow a "
			            "blank (write '\\;')");
		p->args = strdup(value);
		return p->args == NULL ? oom(ps) : 0;
	}
	case KEY_INIT_SCRIPT:
		return jail_path(ps, key, value, &p->init_script);
	case KEY_VPN:
		if (p->network_set && p->network != NETWORK_VPN)
			return fail(ps, ps->line,
			            "'vpn' contradicts network = %s (a vpn needs network = vpn)",
			            jail_network_to_string(p->network));
		if (p->deny & RIGHT_NETWORK)
			return fail(ps, ps->line, "'vpn' contradicts 'network' in [rights] deny");
		return jail_path(ps, key, value, &p->vpn);
	case KEY_NETWORK: {
		enum jail_network n = jail_network_from_string(value);

		if (n < 0)
			return fail(
			    ps, ps->line,
			    "invalid value '%s' for 'network' (expected none, pasta, host or vpn)",
			    esc(b1, value));
		if (p->vpn != NULL && n != NETWORK_VPN)
			return fail(ps, ps->line,
			            "network = %s contradicts 'vpn' (a vpn needs network = vpn)",
			            value);
		if (n != NETWORK_NONE && (p->deny & RIGHT_NETWORK))
			return fail(ps, ps->line,
			            "network = %s contradicts 'network' in [rights] deny", value);
		p->network = n;
		p->network_set = true;
		return 0;
	}
	case KEY_AUTODELETE:
	case KEY_SECURE:
		if (parse_bool(value, &b) < 0)
			return fail(ps, ps->line,
			            "invalid value '%s' for '%s' (expected true or false)",
			            esc(b1, value), key);
		if (id == KEY_SECURE)
			p->secure = b;
		else
			p->autodelete = b;
		return 0;
	case KEY_NOFILE:
	case KEY_NPROC:
	case KEY_CORE:
	case KEY_AS:
	case KEY_CPU: {
		enum profile_limit l = profile_limit_from_string(key);
		uint64_t v;

		if (l < 0 || parse_limit(l, value, &v) < 0)
			return fail(ps, ps->line, "invalid value '%s' for '%s' (expected %s)",
			            esc(b1, value), key, l < 0 ? "?" : limit_rules[l].expected);
		p->limits[l] = (struct profile_limit_value){.set = true, .value = v};
		return 0;
	}
	case KEY_X11:
		/* yes: the jail's own X server; host: the user's display itself. */
		if (!streq(value, "yes") && !streq(value, "host") && !streq(value, "no"))
			return fail(ps, ps->line,
			            "invalid value '%s' for 'x11' (expected yes, host or no)",
			            esc(b1, value));
		p->x11_host = streq(value, "host");
		return handle_right(ps, streq(value, "no") ? KEY_DENY : KEY_ALLOW, "x11");
	case KEY_CLIPBOARD: {
		/* The bridge between the user's display and the jail's own X
		 * server (supervisor/xserver.c, clipboard/). */
		enum profile_clipboard c = profile_clipboard_from_string(value);

		if (c < 0)
			return fail(
			    ps, ps->line,
			    "invalid value '%s' for 'clipboard' (expected off, to-jail or both)",
			    esc(b1, value));
		p->clipboard_set = true;
		p->clipboard = c;
		return 0;
	}
	case KEY_ALLOW:
	case KEY_DENY:
	case KEY_TALK:
	case KEY_OWN:
	case KEY_OWN_PRIVATE:
	case KEY_SEE:
	case KEY_CALL:
	case KEY_BROADCAST:
	case KEY_RW:
	case KEY_RO:
	case KEY_FORWARD:
	case _KEY_MAX:
		break;
	}
	return fail(ps, ps->line, "internal error: key '%s'", key);
}

static int
handle_item(struct parser *ps, const struct key_def *k, const char *item)
{
	switch (k->section) {
	case SECTION_RIGHTS:
		return handle_right(ps, k->id, item);
	case SECTION_DBUS:
	case SECTION_DBUS_SYSTEM:
		return handle_dbus(ps, k->section, k->id, k->name, item);
	case SECTION_SHARE:
		return handle_share(ps, k->id, k->name, item);
	case SECTION_NETWORK:
		return handle_forward(ps, item);
	case SECTION_JAIL:
	case SECTION_LIMITS:
	case _SECTION_MAX:
		break;
	}
	return fail(ps, ps->line, "internal error: key '%s'", k->name);
}

/* Splits a list value at ',' and hands each item, blanks trimmed, on. */
static int
handle_list(struct parser *ps, const struct key_def *k, const char *value)
{
	const char *s = value;

	for (;;) {
		const char *comma = strchrnul(s, ','), *a = s, *b = comma;
		char item[PROFILE_VALUE_MAX + 1];
		int r;

		while (a < b && is_blank(*a))
			a++;
		while (b > a && is_blank(b[-1]))
			b--;
		/* One trailing comma is fine: it lets a list go on over
		 * continuation lines as "a,\n  b". Any other empty item is a
		 * typo that would silently drop what was meant. */
		if (a == b && *comma == '\0' && s != value)
			return 0;
		if (a == b)
			return fail(ps, ps->line, "empty item in '%s'", k->name);
		if ((size_t) (b - a) > PROFILE_VALUE_MAX)
			return fail(ps, ps->line, "item in '%s' too long (at most %d characters)",
			            k->name, PROFILE_VALUE_MAX);
		memcpy(item, a, (size_t) (b - a));
		item[b - a] = '\0';
		r = handle_item(ps, k, item);
		if (r < 0)
			return r;
		if (*comma == '\0')
			return 0;
		s = comma + 1;
	}
}

static int
handle(struct parser *ps, const char *section, const char *name, const char *value)
{
	const struct key_def *k = NULL;
	char b1[ESC_MAX];
	int sid;

	if (section[0] == '\0')
		return fail(ps, ps->line, "key '%s' outside any section", esc(b1, name));
	/* The reader reported a bad header and replaced it by SECTION_SKIPPED:
	 * the keys below it are not checked further. */
	if (streq(section, SECTION_SKIPPED))
		return 0;
	sid = section_from_string(section, strlen(section));
	if (sid < 0)
		return fail(ps, ps->line, "unknown section [%s]", esc(b1, section));
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (keys[i].section == (enum section_id) sid && streq(keys[i].name, name)) {
			k = &keys[i];
			break;
		}
	if (k == NULL)
		return fail(ps, ps->line, "unknown key '%s' in section [%s]", esc(b1, name),
		            section);

	if (k->list)
		return handle_list(ps, k, value);
	if (ps->seen[k->id] != 0)
		return fail(ps, ps->line, "duplicate key '%s' (first given on line %u)", name,
		            ps->seen[k->id]);
	ps->seen[k->id] = ps->line;
	if (value[0] == '\0')
		return fail(ps, ps->line, "empty value for '%s'", name);
	if (strlen(value) > PROFILE_VALUE_MAX)
		return fail(ps, ps->line, "value of '%s' too long (at most %d characters)", name,
		            PROFILE_VALUE_MAX);
	return handle_scalar(ps, k->id, name, value);
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;

	/* inih keeps the key for continuation lines (as prev_name) whatever
	 * we answer; the reader needs to know it. */
	ps->inih_has_key = name[0] != '\0';
	/* Errors are recorded by line as they come; inih's own count of
	 * failed handlers is not needed, so every line is "handled". */
	if (ps->error != -ENOMEM)
		(void) handle(ps, section, name, value);
	return 1;
}

/* Checks that need the whole file. A key given with a bad value was
 * reported on its line: it is not "missing" as well, nor when a refused
 * line may have held it. */
static int
check_end(struct parser *ps)
{
	struct jail_profile *p = ps->p;

	ps->at_end = true;
	if (p->exec == NULL && ps->seen[KEY_EXEC] == 0 && !ps->line_refused)
		return fail(ps, ps->jail_line, "missing required key 'exec' in section [jail]");
	if (p->network_set && p->network == NETWORK_VPN && p->vpn == NULL &&
	    ps->seen[KEY_VPN] == 0 && !ps->line_refused)
		return fail(ps, ps->seen[KEY_NETWORK],
		            "network = vpn needs 'vpn' (the VPN configuration file: NAME.ovpn or "
		            "NAME.conf)");
	profile_shares_sort(p);
	return 0;
}

/* The text of line LINE of TEXT, for errors inih found on its own. */
static size_t
line_length(const char *text, unsigned line)
{
	const char *s = text;

	for (unsigned i = 1; i < line && *s != '\0'; i++) {
		s = strchrnul(s, '\n');
		if (*s == '\n')
			s++;
	}
	return (size_t) (strchrnul(s, '\n') - s);
}

int
profile_parse(const char *text, const char *name, const char *source, const struct profile_env *env,
              struct jail_profile **ret, struct profile_error *reterr)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *source_dir = NULL;
	struct parser ps = {};
	char b1[ESC_MAX];
	int r;

	if (text == NULL || env == NULL)
		return -EINVAL;
	if (!jail_name_valid(name))
		return fail_early(reterr, -EINVAL, 0, "invalid profile name '%s'",
		                  esc(b1, name != NULL ? name : "(null)"));
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->name = strdup(name);
	if (p->name == NULL)
		return -ENOMEM;
	if (source != NULL) {
		p->source = strdup(source);
		if (p->source == NULL)
			return -ENOMEM;
	}
	/* Relative paths in the file are relative to its folder, which only
	 * means something for an absolute source. */
	if (source != NULL && source[0] == '/') {
		r = profile_path_normalise(source, true, &source_dir);
		if (r == -ENOMEM)
			return r;
		if (r >= 0)
			*strrchr(source_dir, '/') = '\0';
		if (source_dir != NULL && source_dir[0] == '\0')
			strcpy(source_dir, "/");
	}

	ps = (struct parser){.next = text, .p = p, .env = env, .source_dir = source_dir};
	r = ini_parse_stream(reader, &ps, handler, &ps);
	if (r < 0 || ps.error == -ENOMEM)
		return -ENOMEM; /* inih's only failure of its own: -2, no memory */
	if (r > 0 && !has_error_on(&ps, (unsigned) r)) {
		/* inih saw something our reader let through. */
		ps.line_refused = true;
		if (line_length(text, (unsigned) r) > PROFILE_LINE_MAX)
			fail(&ps, (unsigned) r, "line too long (at most %d characters)",
			     PROFILE_LINE_MAX);
		else
			fail(&ps, (unsigned) r, "expected 'key = value' or '[section]'");
	}
	check_end(&ps);
	if (ps.error == -ENOMEM)
		return -ENOMEM;
	if (ps.error < 0) {
		if (reterr != NULL)
			errors_get(&ps, reterr);
		return ps.error;
	}
	*ret = TAKE_PTR(p);
	return 0;
}

int
profile_load_path(const char *path, const char *name, const struct profile_env *env,
                  struct jail_profile **ret, struct profile_error *reterr)
{
	_cleanup_free_ char *derived = NULL, *text = NULL, *source = NULL, *cwd = NULL;
	_cleanup_close_ int fd = -1;
	const char *base, *nul;
	struct stat st;
	char b1[ESC_MAX];
	size_t len;
	int r;

	if (path == NULL || path[0] == '\0')
		return fail_early(reterr, -EINVAL, 0, "empty profile path");
	if (name == NULL) {
		size_t n;

		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		n = strlen(base);
		if (n <= 4 || !streq(base + n - 4, ".ini"))
			return fail_early(reterr, -EINVAL, 0,
			                  "profile file name '%s' does not end in '.ini'",
			                  esc(b1, base));
		derived = strndup(base, n - 4);
		if (derived == NULL)
			return -ENOMEM;
		name = derived;
	}
	if (!jail_name_valid(name))
		return fail_early(reterr, -EINVAL, 0, "invalid profile name '%s'", esc(b1, name));

	/* O_NOFOLLOW: the file itself may not be a symlink (a planted link
	 * must not make us read, and then hand a jail, another file).
	 * O_NONBLOCK: a FIFO in its place must fail below, not hang us. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			return fail_early(reterr, r, 0, "unable to open: the file is a symlink");
		return fail_early(reterr, r, 0, "unable to open: %s", strerror(-r));
	}
	if (fstat(fd, &st) < 0)
		return fail_early(reterr, -errno, 0, "unable to stat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail_early(reterr, -EINVAL, 0, "not a regular file");
	if (st.st_size > PROFILE_FILE_MAX)
		return fail_early(reterr, -EFBIG, 0, "file too large (at most %d bytes)",
		                  PROFILE_FILE_MAX);
	r = read_all(fd, PROFILE_FILE_MAX, &text, &len);
	if (r == -EFBIG)
		return fail_early(reterr, r, 0, "file too large (at most %d bytes)",
		                  PROFILE_FILE_MAX);
	if (r < 0)
		return fail_early(reterr, r, 0, "unable to read: %s", strerror(-r));
	nul = memchr(text, '\0', len);
	if (nul != NULL) {
		unsigned line = 1;

		for (const char *s = text; s < nul; s++)
			line += *s == '\n';
		return fail_early(reterr, -EINVAL, line, "NUL byte in line");
	}

	if (path[0] != '/') {
		cwd = get_current_dir_name();
		if (cwd == NULL && errno == ENOMEM)
			return -ENOMEM;
	}
	r = profile_path_make_absolute(path, cwd, &source);
	if (r == -ENOMEM)
		return r;
	return profile_parse(text, name, r >= 0 ? source : NULL, env, ret, reterr);
}

int
profile_find(const struct profile_env *env, const char *name, char **ret_path)
{
	_cleanup_free_ char *file = NULL;

	if (!jail_name_valid(name))
		return -EINVAL;
	if (asprintf(&file, "%s.ini", name) < 0)
		return -ENOMEM;
	for (const char *const *d = env->search_dirs; d != NULL && *d != NULL; d++) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if ((*d)[0] != '/')
			continue; /* a relative folder would depend on the cwd */
		path = path_join(*d, file);
		if (path == NULL)
			return -ENOMEM;
		/* Anything by that name is a hit, even a symlink or a
		 * folder: loading it then fails loudly, where falling back
		 * to the next folder would silently run another policy. */
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return -errno;
		}
		*ret_path = TAKE_PTR(path);
		return 0;
	}
	return -ENOENT;
}

int
profile_find_and_load(const struct profile_env *env, const char *name, struct jail_profile **ret,
                      struct profile_error *reterr)
{
	_cleanup_free_ char *path = NULL;
	char b1[ESC_MAX];
	int r;

	if (!jail_name_valid(name))
		return fail_early(reterr, -EINVAL, 0, "invalid profile name '%s'",
		                  esc(b1, name != NULL ? name : "(null)"));
	r = profile_find(env, name, &path);
	if (r == -ENOENT)
		return fail_early(reterr, r, 0, "no profile named '%s'", name);
	if (r < 0)
		return fail_early(reterr, r, 0, "unable to look for profile '%s': %s", name,
		                  strerror(-r));
	return profile_load_path(path, name, env, ret, reterr);
}
