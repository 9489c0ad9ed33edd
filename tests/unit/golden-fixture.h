/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the golden-file tests share (test-profile-golden.c,
 * test-profile-ovpn.c, test-profile-wg.c): their files are found below $JAILSUP_SRCDIR
 * (default ".": the tests run from the repository root), and each result
 * is compared with its NAME.expected, or written to it when
 * JAILSUP_GOLDEN_UPDATE=1 (review the diff before keeping it).
 *
 * Test-only and included by one test file each, so the functions are
 * static inline: a test that does not use one gets no warning for it.
 */
#ifndef JAILSUP_GOLDEN_FIXTURE_H
#define JAILSUP_GOLDEN_FIXTURE_H

#include <dirent.h>
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

/* For every REL/NAME.EXT (EXT with its dot): OUTPUT(dir, file) compared
 * with NAME.expected (golden_check()). An attack-* file must be refused:
 * its output may not hold ACCEPTED, the mark of an accepted file. Every
 * .expected must have its source, and at least 10 files and 10 attacks
 * are found (a wrong directory fails, not passes). */
static inline void
golden_dir(const char *rel, const char *ext, char *(*output)(const char *dir, const char *file),
           const char *accepted)
{
	_cleanup_free_ char *dir = src_path(rel);
	size_t ext_len = strlen(ext);
	unsigned n = 0, attacks = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		fail_msg("unable to open '%s': %s (set JAILSUP_SRCDIR)", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		_cleanup_free_ char *out = NULL, *expected_path = NULL, *source = NULL;

		if (len > 9 && streq(de->d_name + len - 9, ".expected")) {
			assert_true(asprintf(&source, "%s/%.*s%s", dir, (int) len - 9, de->d_name,
			                     ext) > 0);
			if (access(source, F_OK) < 0)
				fail_msg("%s/%s has no %s", dir, de->d_name, ext);
			continue;
		}
		if (len <= ext_len || !streq(de->d_name + len - ext_len, ext))
			continue;
		n++;
		out = output(dir, de->d_name);
		if (strncmp(de->d_name, "attack-", 7) == 0) {
			/* An attack is refused, whatever the golden file says. */
			if (strstr(out, accepted) != NULL)
				fail_msg("%s was not refused:\n%s", de->d_name, out);
			attacks++;
		}
		assert_true(asprintf(&expected_path, "%s/%.*s.expected", dir, (int) (len - ext_len),
		                     de->d_name) > 0);
		golden_check(expected_path, out);
	}
	closedir(d);
	assert_true(n >= 10);
	assert_true(attacks >= 10);
}

#endif
