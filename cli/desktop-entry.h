/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Desktop Entry files (the freedesktop.org Desktop Entry Specification
 * 1.5): a small, strict reader that keeps every line as it was, so that
 * `jailsup desktop add` can copy an app's own entry and change only the
 * lines it must; and the Exec key's quoting, both ways.
 *
 * The files come from $XDG_DATA_DIRS, which any package (or anyone who can
 * write there) fills: they are untrusted input. Everything is bounded
 * (file size, line length, lines), and anything the specification does not
 * allow, or that two readers could read two ways, is refused rather than
 * guessed at.
 */
#ifndef JAILSUP_CLI_DESKTOP_ENTRY_H
#define JAILSUP_CLI_DESKTOP_ENTRY_H

#include "state/util.h"

#define DESKTOP_FILE_MAX   (1024 * 1024) /* bytes in one file */
#define DESKTOP_LINE_MAX   (64 * 1024)   /* bytes in one line: LibreOffice's MimeType is ~5 KiB */
#define DESKTOP_ARGS_MAX   1024          /* arguments in one Exec value */
#define DESKTOP_MAIN_GROUP "Desktop Entry"

/* One line: a comment or blank (group and key NULL), a group header
 * (group set), or an entry (key and value set; value raw, escapes kept). */
struct desktop_line {
	char *text;         /* the line as read, without its line end */
	char *group;        /* a header: the group's name */
	char *key;          /* an entry: the key, with its [locale] if any */
	char *value;        /* an entry: the raw value */
	size_t group_index; /* the header this line belongs to (0: before the first) */
};

struct desktop_file {
	struct desktop_line *lines;
	size_t n_lines;
};

struct desktop_file *desktop_file_free(struct desktop_file *f);
static inline void
desktop_file_freep(struct desktop_file **f)
{
	*f = desktop_file_free(*f);
}

/* Parses TEXT (LEN bytes, need not be NUL-terminated). Refused, with
 * -EINVAL and the 1-based line in *reterr_line (0: the whole file): a NUL
 * byte or other control character but tab (a CRLF line end is refused
 * too: the specification says LF), a line over DESKTOP_LINE_MAX, a file
 * over DESKTOP_FILE_MAX (-EFBIG), an entry before the first group, a first
 * group other than [Desktop Entry], a malformed header or key, a group or
 * a key within a group given twice. -ENOMEM. */
int desktop_file_parse(const char *text, size_t len, struct desktop_file **ret,
                       unsigned *reterr_line);

/* The raw value of KEY (exact, locale included) in GROUP, or NULL. */
const char *desktop_file_get(const struct desktop_file *f, const char *group, const char *key);

/* The group a line belongs to (NULL before the first header). */
const char *desktop_line_group(const struct desktop_file *f, const struct desktop_line *l);

/* True when the raw boolean VALUE is "true". */
bool desktop_value_true(const char *value);

/* Splits a raw Exec value into arguments: first the escapes of a string
 * value (\s \n \t \r \\), then the quoting rules of Exec: blanks separate
 * arguments; an argument is either plain (no blank, no '"', '\'', '\\')
 * or wholly in double quotes, inside which only \" \` \$ \\ are escapes
 * (and are required for those four). Field codes (%f, %U, ...) and "%%"
 * are kept as they are, for the launcher to expand. -EINVAL for anything
 * else (an unclosed quote, a quote inside a plain argument, a lone
 * backslash, no argument at all, a newline or control character in an
 * argument), -E2BIG beyond DESKTOP_ARGS_MAX arguments. */
int desktop_exec_split(const char *raw, char ***ret);

/* The raw Exec value for ARGV (at least one argument): arguments holding a
 * character the specification reserves are double-quoted with \" \` \$ \\
 * escaped, then every backslash is doubled as a string value needs.
 * desktop_exec_split() of the result gives ARGV back. -EINVAL for an
 * empty argument list or an argument with a control character. */
int desktop_exec_join(char *const *argv, char **ret);

#endif
