/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key=value files (the `state` file of docs/architecture.md §3). Strict both
 * ways: the writer refuses what the parser would refuse, and the parser
 * refuses NUL bytes, lines without '=', bad keys, duplicate keys, blank lines
 * and overlong lines, reporting the 1-based line of the first problem.
 */
#ifndef JAILSUP_KV_H
#define JAILSUP_KV_H

#include "state/util.h"

#define KV_LINE_MAX    1024 /* bytes per line, newline excluded */
#define KV_KEY_MAX     64
#define KV_ENTRIES_MAX 128
#define KV_FILE_MAX    ((KV_LINE_MAX + 1) * KV_ENTRIES_MAX) /* newlines included */

struct kv_entry {
	char *key;
	char *value;
};

struct kv_list {
	struct kv_entry *entries;
	size_t n;
	size_t size; /* entries allocated (0: unknown, exactly n) */
};

/* A key is [a-z0-9][a-z0-9-]*, at most KV_KEY_MAX bytes. */
bool kv_key_valid(const char *key);
/* A value has no NUL, '\n' or '\r'. */
bool kv_value_valid(const char *value);

/* Parses LEN bytes of BUF (a final newline is optional). On failure
 * returns -EINVAL (bad line), -EEXIST (duplicate key), -E2BIG (line or
 * entry count over the limit) and sets *reterr_line when non-NULL. */
int kv_parse(const char *buf, size_t len, struct kv_list *ret, unsigned *reterr_line);

/* The value of KEY, or NULL. */
const char *kv_get(const struct kv_list *l, const char *key);

/* Sets KEY to VALUE, replacing an existing entry, keeping order.
 * -EINVAL for a bad key or value, -E2BIG past KV_ENTRIES_MAX or for a line
 * over KV_LINE_MAX, -ENOMEM. */
int kv_set(struct kv_list *l, const char *key, const char *value);

/* Formats L as "key=value\n" lines. *ret is NUL-terminated. Refuses a list
 * kv_parse() could not have produced (one built by hand): the errors of
 * kv_parse(), without a line. */
int kv_format(const struct kv_list *l, char **ret, size_t *ret_len);

/* Frees the entries; L itself may be on the stack. Safe on a zeroed list. */
void kv_list_done(struct kv_list *l);

/* state_read_file() + kv_parse(), and kv_format() + state_write_atomic(). */
int kv_read_at(int dir_fd, const char *name, struct kv_list *ret, unsigned *reterr_line);
int kv_write_at(int dir_fd, const char *name, const struct kv_list *l);

#endif
