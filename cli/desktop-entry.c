/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * desktop-entry.h: a strict, line-preserving Desktop Entry reader and the
 * Exec quoting rules. Hand-written rather than GLib's GKeyFile: GKeyFile
 * rewrites a whole file when it saves one (and would pull GLib into a
 * binary that has no other use for it), and its Exec handling
 * (g_shell_parse_argv) follows the shell, which accepts more than the
 * specification and reads some of it differently. We need the exact
 * opposite: keep every line we do not change, and refuse what two
 * launchers could read two ways.
 */
#include "cli/desktop-entry.h"

#include <assert.h>

struct desktop_file *
desktop_file_free(struct desktop_file *f)
{
	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < f->n_lines; i++) {
		free(f->lines[i].text);
		free(f->lines[i].group);
		free(f->lines[i].key);
		free(f->lines[i].value);
	}
	free(f->lines);
	free(f);
	return NULL;
}

static bool
key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

static bool
locale_char(char c)
{
	return key_char(c) || c == '_' || c == '@' || c == '.';
}

/* "Key" or "Key[locale]", whole string. */
static bool
key_valid(const char *k, size_t n)
{
	size_t i = 0;

	while (i < n && key_char(k[i]))
		i++;
	if (i == 0)
		return false;
	if (i == n)
		return true;
	if (k[i] != '[' || k[n - 1] != ']' || n - i < 3)
		return false;
	for (i++; i < n - 1; i++)
		if (!locale_char(k[i]))
			return false;
	return true;
}

/* Parses one line L (NUL-terminated, no line end) into LINE. */
static int
parse_line(struct desktop_line *line, const char *l, size_t group_index)
{
	const char *eq, *v;
	size_t klen;

	line->group_index = group_index;
	line->text = strdup(l);
	if (line->text == NULL)
		return -ENOMEM;
	if (l[0] == '\0' || l[0] == '#')
		return 0;
	if (l[0] == '[') {
		size_t n = strlen(l);

		/* Any printable ASCII but '[' and ']' (the specification). */
		if (n < 3 || l[n - 1] != ']')
			return -EINVAL;
		for (size_t i = 1; i < n - 1; i++)
			if (l[i] == '[' || l[i] == ']')
				return -EINVAL;
		line->group = strndup(l + 1, n - 2);
		return line->group != NULL ? 0 : -ENOMEM;
	}
	if (group_index == 0)
		return -EINVAL; /* an entry before any group */
	eq = strchr(l, '=');
	if (eq == NULL)
		return -EINVAL;
	klen = (size_t) (eq - l);
	while (klen > 0 && l[klen - 1] == ' ')
		klen--;
	if (!key_valid(l, klen))
		return -EINVAL;
	for (v = eq + 1; *v == ' '; v++)
		;
	line->key = strndup(l, klen);
	line->value = strdup(v);
	return line->key != NULL && line->value != NULL ? 0 : -ENOMEM;
}

/* -EINVAL when LINE repeats a group, or a key of its group, among the N
 * lines before it. Quadratic, but bounded by DESKTOP_FILE_MAX; real files
 * have a few hundred lines. */
static int
check_duplicate(const struct desktop_file *f, size_t n, const struct desktop_line *line)
{
	for (size_t i = 0; i < n; i++) {
		const struct desktop_line *o = &f->lines[i];

		if (line->group != NULL && o->group != NULL && streq(o->group, line->group))
			return -EINVAL;
		if (line->key != NULL && o->key != NULL && o->group_index == line->group_index &&
		    streq(o->key, line->key))
			return -EINVAL;
	}
	return 0;
}

int
desktop_file_parse(const char *text, size_t len, struct desktop_file **ret, unsigned *reterr_line)
{
	_cleanup_(desktop_file_freep) struct desktop_file *f = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t n_alloc = 0, group_index = 0, start = 0;
	unsigned lineno = 0;
	int r;

	if (reterr_line != NULL)
		*reterr_line = 0;
	if (len > DESKTOP_FILE_MAX)
		return -EFBIG;
	f = calloc(1, sizeof(*f));
	buf = malloc(DESKTOP_LINE_MAX + 1);
	if (f == NULL || buf == NULL)
		return -ENOMEM;
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t n = nl != NULL ? (size_t) (nl - (text + start)) : len - start;
		struct desktop_line *line;

		lineno++;
		if (reterr_line != NULL)
			*reterr_line = lineno;
		if (n > DESKTOP_LINE_MAX)
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char) text[start + i];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return -EINVAL;
		}
		memcpy(buf, text + start, n);
		buf[n] = '\0';
		start += n + 1;
		if (f->n_lines == n_alloc) {
			struct desktop_line *nv;

			n_alloc = n_alloc == 0 ? 64 : n_alloc * 2;
			nv = reallocarray(f->lines, n_alloc, sizeof(*nv));
			if (nv == NULL)
				return -ENOMEM;
			f->lines = nv;
		}
		line = &f->lines[f->n_lines];
		memset(line, 0, sizeof(*line));
		if (buf[0] == '[') {
			/* The first group must be the main one (the specification). */
			if (group_index == 0 && !streq(buf, "[" DESKTOP_MAIN_GROUP "]"))
				return -EINVAL;
			group_index = f->n_lines + 1; /* 1-based: 0 is "before any group" */
		}
		r = parse_line(line, buf, group_index);
		f->n_lines++; /* counted even on error: its strings are freed with f */
		if (r < 0)
			return r;
		r = check_duplicate(f, f->n_lines - 1, line);
		if (r < 0)
			return r;
	}
	if (reterr_line != NULL)
		*reterr_line = 0;
	/* A required key; this also refuses a file with no group at all. */
	if (desktop_file_get(f, DESKTOP_MAIN_GROUP, "Type") == NULL)
		return -EINVAL;
	*ret = TAKE_PTR(f);
	return 0;
}

const char *
desktop_line_group(const struct desktop_file *f, const struct desktop_line *l)
{
	if (l->group_index == 0 || l->group_index > f->n_lines)
		return NULL;
	return f->lines[l->group_index - 1].group;
}

const char *
desktop_file_get(const struct desktop_file *f, const char *group, const char *key)
{
	for (size_t i = 0; i < f->n_lines; i++) {
		const struct desktop_line *l = &f->lines[i];
		const char *g;

		if (l->key == NULL || !streq(l->key, key))
			continue;
		g = desktop_line_group(f, l);
		if (g != NULL && streq(g, group))
			return l->value;
	}
	return NULL;
}

bool
desktop_value_true(const char *value)
{
	return value != NULL && streq(value, "true");
}

/* The escapes of a string value; any other backslash sequence is an error
 * (the specification defines only these five). */
static int
unescape(const char *raw, char **ret)
{
	_cleanup_free_ char *out = malloc(strlen(raw) + 1);
	char *o = out;

	if (out == NULL)
		return -ENOMEM;
	for (const char *p = raw; *p != '\0'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 's':
			*o++ = ' ';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case '\\':
			*o++ = '\\';
			break;
		default:
			return -EINVAL;
		}
	}
	*o = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int
desktop_exec_split(const char *raw, char ***ret)
{
	_cleanup_free_ char *s = NULL, *arg = NULL;
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;
	int r;

	r = unescape(raw, &s);
	if (r < 0)
		return r;
	arg = malloc(strlen(s) + 1);
	if (arg == NULL)
		return -ENOMEM;
	for (const char *p = s;;) {
		char *o = arg;

		while (blank(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return -EINVAL; /* unclosed */
				if (*p == '\\') {
					p++;
					if (*p != '"' && *p != '`' && *p != '$' && *p != '\\')
						return -EINVAL;
				} else if (*p == '`' || *p == '$')
					return -EINVAL; /* must be escaped inside quotes */
				*o++ = *p;
			}
			p++;
			if (*p != '\0' && !blank(*p))
				return -EINVAL; /* "a"b: quoting must cover the whole argument */
		} else {
			for (; *p != '\0' && !blank(*p); p++) {
				/* Shell-like readers (GLib) give these a meaning the
				 * specification does not: refuse the ambiguity. */
				if (*p == '"' || *p == '\'' || *p == '\\')
					return -EINVAL;
				*o++ = *p;
			}
		}
		*o = '\0';
		for (const char *c = arg; *c != '\0'; c++)
			if ((unsigned char) *c < 0x20 || *c == 0x7f)
				return -EINVAL;
		if (++n > DESKTOP_ARGS_MAX)
			return -E2BIG;
		r = strv_push(&v, arg);
		if (r < 0)
			return r;
	}
	if (n == 0)
		return -EINVAL;
	*ret = TAKE_PTR(v);
	return 0;
}

/* The characters the specification reserves: an argument holding one is
 * quoted. */
static bool
needs_quotes(const char *a)
{
	return a[0] == '\0' || strpbrk(a, " \t\n\"'\\><~|&;$*?#()`") != NULL;
}

int
desktop_exec_join(char *const *argv, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0, size = 1;
	char *o;

	if (argv == NULL || argv[0] == NULL)
		return -EINVAL;
	/* Worst case per character: quoting escape plus doubled backslashes
	 * (4 bytes for a backslash), plus quotes and a blank per argument. */
	for (char *const *a = argv; *a != NULL; a++)
		size += 4 * strlen(*a) + 3;
	out = malloc(size);
	if (out == NULL)
		return -ENOMEM;
	o = out;
	for (char *const *a = argv; *a != NULL; a++) {
		bool q = needs_quotes(*a);

		if (a != argv)
			*o++ = ' ';
		if (q)
			*o++ = '"';
		for (const char *c = *a; *c != '\0'; c++) {
			if ((unsigned char) *c < 0x20 || *c == 0x7f)
				return -EINVAL;
			if (q && (*c == '"' || *c == '`' || *c == '$' || *c == '\\')) {
				/* The quoting escape; a backslash is then doubled
				 * as every string value needs. */
				*o++ = '\\';
				*o++ = '\\';
			}
			if (*c == '\\') {
				*o++ = '\\';
				*o++ = '\\';
			} else
				*o++ = *c;
		}
		if (q)
			*o++ = '"';
	}
	*o = '\0';
	len = (size_t) (o - out);
	assert(len < size);
	*ret = TAKE_PTR(out);
	return 0;
}
