/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `args` key of [jail]: arguments the profile puts before the user's
 * own. Its value is split the way a shell splits words, without anything
 * else a shell does: blanks separate words, '…' quotes everything up to
 * the next ', "…" quotes everything up to the next unescaped ", and a
 * backslash outside '…' takes the next character as it is. No variable,
 * '~', glob or command is expanded: what the profile says is what the
 * app gets, byte for byte.
 */
#include "ini-profiles/profile.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Reads one word from *S (not at a blank, not at the end) into WORD,
 * NUL-terminated, and moves *S past it. -EINVAL with *REASON set for a
 * quote never closed or a backslash at the end. */
static int
read_word(const char **s, char *word, const char **reason)
{
	const char *p = *s;
	size_t n = 0;

	while (*p != '\0' && !is_blank(*p)) {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (end == NULL)
				return *reason = "a ' quote is never closed", -EINVAL;
			memcpy(word + n, p + 1, (size_t) (end - p - 1));
			n += (size_t) (end - p - 1);
			p = end + 1;
		} else if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\0')
					return *reason = "a \" quote is never closed", -EINVAL;
				word[n++] = *p;
			}
			p++;
		} else if (*p == '\\') {
			if (p[1] == '\0')
				return *reason = "a '\\' at the end escapes nothing", -EINVAL;
			word[n++] = p[1];
			p += 2;
		} else
			word[n++] = *p++;
	}
	word[n] = '\0';
	*s = p;
	return 0;
}

int
profile_args_split(const char *s, char ***ret, const char **reterr_reason)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *word = NULL;
	const char *reason = NULL;
	size_t n = 0;
	int r;

	if (s == NULL)
		return -EINVAL;
	/* A word is never longer than the text it came from. */
	word = malloc(strlen(s) + 1);
	if (word == NULL)
		return -ENOMEM;
	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		r = read_word(&s, word, &reason);
		if (r == 0 && n >= PROFILE_LIST_MAX)
			reason = "too many arguments", r = -E2BIG;
		if (r < 0) {
			if (reterr_reason != NULL)
				*reterr_reason = reason;
			return r;
		}
		if (strv_push(&v, word) < 0)
			return -ENOMEM;
		n++;
	}
	if (v == NULL) {
		v = calloc(1, sizeof(char *));
		if (v == NULL)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}
