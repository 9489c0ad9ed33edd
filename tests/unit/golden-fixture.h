/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the golden-file tests share (test-profile-golden.c,
 * test-profile-ovpn.c): their files are found below $JAILSUP_SRCDIR
 * (default ".": the tests run from the repository root), and each result
 * is compared with its NAME.expected, or written to it when
 * JAILSUP_GOLDEN_UPDATE=1 (review the diff before keeping it).
 *
 * Test-only and included by one test file each, so the functions are
 * static inline: a test that does not use one gets no warning for it.
 */
#ifndef JAILSUP_GOLDEN_FIXTURE_H
#define JAILSUP_GOLDEN_FIXTURE_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/util.h"

/* REL below the source tree; the caller frees it. */
static inline char *
src_path(const char *rel)
{
	const char *srcdir = getenv("JAILSUP_SRCDIR");
	char *p;

	if (srcdir == NULL || srcdir[0] == '\0')
		srcdir = ".";
	p = path_join(srcdir, rel);
	assert_non_null(p);
	return p;
}

/* The file's text (and its length in *RET_LEN unless NULL: it may hold a
 * NUL), or NULL when it does not exist. */
static inline char *
read_text(const char *path, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;

	if (fd < 0 && errno == ENOENT)
		return NULL;
	assert_true(fd >= 0);
	assert_int_equal(read_all(fd, 1 << 20, &text, ret_len), 0);
	return text;
}

/* OUT is what EXPECTED_PATH holds, or is written there under
 * JAILSUP_GOLDEN_UPDATE=1. */
static inline void
golden_check(const char *expected_path, const char *out)
{
	const char *update = getenv("JAILSUP_GOLDEN_UPDATE");
	_cleanup_free_ char *expected = NULL;

	if (update != NULL && streq(update, "1")) {
		_cleanup_close_ int fd =
		    open(expected_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		assert_true(fd >= 0);
		assert_int_equal(write_all(fd, out, strlen(out)), 0);
		return;
	}
	expected = read_text(expected_path, NULL);
	if (expected == NULL)
		fail_msg("%s is missing (JAILSUP_GOLDEN_UPDATE=1 writes it)", expected_path);
	if (!streq(expected, out))
		fail_msg("%s differs:\n--- expected\n%s--- got\n%s", expected_path, expected, out);
}

#endif
