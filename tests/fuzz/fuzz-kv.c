/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the key=value parser of the `state` file (a file
 * that a restarted supervisor reads back, so it must survive any bytes).
 * Whatever kv_parse() accepts, kv_format() must write back byte for byte
 * (with the final newline the input may have left out), and that output
 * must parse to the same entries: the writer and the parser agree.
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

#include "state/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(kv_list_done) struct kv_list l = {}, back = {};
	_cleanup_free_ char *out = NULL;
	unsigned line = 0;
	size_t len;
	int r;

	r = kv_parse((const char *) data, size, &l, &line);
	if (r < 0) {
		assert(r == -EINVAL || r == -EEXIST || r == -E2BIG || r == -ENOMEM);
		assert(line >= 1);
		return 0;
	}
	assert(l.n <= KV_ENTRIES_MAX);

	r = kv_format(&l, &out, &len);
	assert(r == 0);
	assert(len == size || (len == size + 1 && size > 0 && data[size - 1] != '\n'));
	assert(memcmp(out, data, size) == 0);
	assert(out[len] == '\0');

	r = kv_parse(out, len, &back, NULL);
	assert(r == 0);
	assert(back.n == l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert(streq(back.entries[i].key, l.entries[i].key));
		assert(streq(back.entries[i].value, l.entries[i].value));
		assert(kv_get(&back, l.entries[i].key) == back.entries[i].value);
	}
	return 0;
}
