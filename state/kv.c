/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kv.h: the key=value format of the `state` file. A person may read it with
 * cat and a script with a one-line loop, so the format has no quoting,
 * comments or continuation lines; anything outside it is an error with a
 * line number, never guessed at. The writer checks the same rules, so
 * whatever we write we can read back unchanged.
 */
#include "state/kv.h"

#include "state/state.h"

static bool
key_char_valid(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && !first);
}

bool
kv_key_valid(const char *key)
{
	size_t n;

	if (key == NULL)
		return false;
	for (n = 0; key[n] != '\0'; n++)
		if (n >= KV_KEY_MAX || !key_char_valid(key[n], n == 0))
			return false;
	return n > 0;
}

bool
kv_value_valid(const char *value)
{
	return value != NULL && strpbrk(value, "\n\r") == NULL;
}

void
kv_list_done(struct kv_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->entries[i].key);
		free(l->entries[i].value);
	}
	free(l->entries);
	l->entries = NULL;
	l->n = 0;
	l->size = 0;
}

/* Most keys of a state file differ in their first byte: comparing it
 * first skips most strcmp() calls (`jailsup list` looks up a dozen keys
 * in each of 1000 files). */
static bool
key_eq(const char *a, const char *b)
{
	return a[0] == b[0] && streq(a, b);
}

const char *
kv_get(const struct kv_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (key_eq(l->entries[i].key, key))
			return l->entries[i].value;
	return NULL;
}

/* Appends an entry the caller has checked; takes *KEY and *VALUE (and
 * leaves NULL behind) on success only. */
static int
kv_append(struct kv_list *l, char **key, char **value)
{
	struct kv_entry *e;

	if (l->n >= KV_ENTRIES_MAX)
		return -E2BIG;
	/* Doubling: one allocation for a state file's dozen lines instead of
	 * one per line (`jailsup list` parses one file per jail). */
	if (l->n >= l->size) {
		size_t size = l->n < 8 ? 16 : 2 * l->n;

		e = reallocarray(l->entries, size, sizeof(*e));
		if (e == NULL)
			return -ENOMEM;
		l->entries = e;
		l->size = size;
	}
	l->entries[l->n++] = (struct kv_entry){.key = TAKE_PTR(*key), .value = TAKE_PTR(*value)};
	return 0;
}

/* One line of N bytes, without its newline. The checks run from the
 * cheapest to the most specific, so each bad line gets one clear error. */
static int
parse_line(struct kv_list *l, const char *p, size_t n)
{
	_cleanup_free_ char *k = NULL, *value = NULL;
	char key[KV_KEY_MAX + 1];
	const char *eq;
	size_t klen;

	if (n > KV_LINE_MAX)
		return -E2BIG;
	if (n == 0)
		return -EINVAL; /* a blank line: a truncated or hand-edited file */
	/* A NUL would cut the value short in C strings, and a '\r' would
	 * survive into it: both mean the file is not ours. */
	if (memchr(p, '\0', n) != NULL || memchr(p, '\r', n) != NULL)
		return -EINVAL;
	eq = memchr(p, '=', n);
	if (eq == NULL)
		return -EINVAL;
	klen = (size_t) (eq - p);
	if (klen == 0 || klen > KV_KEY_MAX)
		return -EINVAL;
	memcpy(key, p, klen);
	key[klen] = '\0';
	if (!kv_key_valid(key))
		return -EINVAL;
	if (kv_get(l, key) != NULL)
		return -EEXIST; /* which one would we believe? */
	if (l->n >= KV_ENTRIES_MAX)
		return -E2BIG;

	k = strdup(key);
	value = strndup(eq + 1, n - klen - 1);
	if (k == NULL || value == NULL)
		return -ENOMEM;
	return kv_append(l, &k, &value);
}

int
kv_parse(const char *buf, size_t len, struct kv_list *ret, unsigned *reterr_line)
{
	_cleanup_(kv_list_done) struct kv_list l = {};
	unsigned line = 0;
	size_t pos = 0;
	int r;

	while (pos < len) {
		const char *p = buf + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t) (nl - p) : len - pos;

		line++;
		r = parse_line(&l, p, n);
		if (r < 0) {
			if (reterr_line != NULL)
				*reterr_line = line;
			return r;
		}
		pos += n + (nl != NULL ? 1 : 0);
	}
	*ret = l;
	l = (struct kv_list){};
	return 0;
}

static bool
line_fits(const char *key, const char *value)
{
	return strlen(key) + 1 + strlen(value) <= KV_LINE_MAX;
}

int
kv_set(struct kv_list *l, const char *key, const char *value)
{
	_cleanup_free_ char *v = NULL, *k = NULL;

	if (!kv_key_valid(key) || !kv_value_valid(value))
		return -EINVAL;
	if (!line_fits(key, value))
		return -E2BIG;
	v = strdup(value);
	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		if (key_eq(l->entries[i].key, key)) {
			free(l->entries[i].value);
			l->entries[i].value = TAKE_PTR(v);
			return 0;
		}
	k = strdup(key);
	if (k == NULL)
		return -ENOMEM;
	return kv_append(l, &k, &v);
}

int
kv_format(const struct kv_list *l, char **ret, size_t *ret_len)
{
	char *buf, *p;
	size_t size = 0;

	if (l->n > KV_ENTRIES_MAX)
		return -E2BIG;
	for (size_t i = 0; i < l->n; i++) {
		const struct kv_entry *e = &l->entries[i];

		if (!kv_key_valid(e->key) || !kv_value_valid(e->value))
			return -EINVAL;
		if (!line_fits(e->key, e->value))
			return -E2BIG;
		for (size_t j = 0; j < i; j++)
			if (key_eq(l->entries[j].key, e->key))
				return -EEXIST;
		size += strlen(e->key) + 1 + strlen(e->value) + 1;
	}

	buf = malloc(size + 1);
	if (buf == NULL)
		return -ENOMEM;
	p = buf;
	for (size_t i = 0; i < l->n; i++)
		p = stpcpy(stpcpy(stpcpy(stpcpy(p, l->entries[i].key), "="), l->entries[i].value),
		           "\n");
	*p = '\0';
	*ret = buf;
	if (ret_len != NULL)
		*ret_len = size;
	return 0;
}

int
kv_read_at(int dir_fd, const char *name, struct kv_list *ret, unsigned *reterr_line)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = state_read_file(dir_fd, name, KV_FILE_MAX, &buf, &len);
	if (r < 0)
		return r;
	return kv_parse(buf, len, ret, reterr_line);
}

int
kv_write_at(int dir_fd, const char *name, const struct kv_list *l)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = kv_format(l, &buf, &len);
	if (r < 0)
		return r;
	return state_write_atomic(dir_fd, name, buf, len);
}
