/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of cli/desktop-mime.c's edit of the user's mimeapps.list:
 * only the lines of the types taken over change, what was there comes
 * back, a value that is not ours to restore is left alone, and a record
 * read back from a launcher (which the user, or anything that writes their
 * applications folder, may have edited) writes nothing but desktop file
 * IDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include <sys/stat.h>

#include <fcntl.h>

#include "cli/desktop-mime.h"
#include "state/state.h"

#define L "jailsup-app--org.example.App.desktop"

static char path[] = "/tmp/test-desktop-mime.XXXXXX";

static int
tmp_dir(void)
{
	int fd;

	strcpy(path, "/tmp/test-desktop-mime.XXXXXX");
	assert_non_null(mkdtemp(path));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static void
put_file(int dir, const char *text)
{
	assert_int_equal(state_write_atomic(dir, "mimeapps.list", text, strlen(text)), 0);
}

static char *
get_file(int dir)
{
	char *text;
	size_t len;

	assert_int_equal(state_read_file(dir, "mimeapps.list", 1 << 20, &text, &len), 0);
	return text;
}

static void
cleanup_dir(int dir)
{
	(void) unlinkat(dir, "mimeapps.list", 0);
	close(dir);
	assert_int_equal(rmdir(path), 0);
}

static void
plan_and_write(int dir, char *const *types, const char *keep, char **record)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	assert_int_equal(mime_defaults_plan(dir, L, types, keep, record, &text, &len), 0);
	assert_int_equal(mime_defaults_write(dir, text, len), 0);
}

static void
test_types_split(void **state)
{
	_cleanup_strv_ char **v = NULL;

	(void) state;
	assert_int_equal(mime_types_split("text/plain;bad type;;x/;/y;a/b/c;image/png;"
	                                  "text/plain;x-scheme-handler/https;te\nxt/x;",
	                                  &v),
	                 0);
	assert_int_equal(strv_length(v), 3);
	assert_string_equal(v[0], "text/plain");
	assert_string_equal(v[1], "image/png");
	assert_string_equal(v[2], "x-scheme-handler/https");
}

static void
test_new_file_and_back(void **state)
{
	_cleanup_free_ char *record = NULL, *text = NULL;
	char *types[] = {"text/plain", "image/png", NULL};
	int dir = tmp_dir();

	(void) state;
	plan_and_write(dir, types, NULL, &record);
	assert_string_equal(record, "text/plain:;image/png:;");
	text = get_file(dir);
	assert_non_null(strstr(text, "[Default Applications]\n"));
	assert_non_null(strstr(text, "\ntext/plain=" L ";\n"));
	assert_non_null(strstr(text, "\nimage/png=" L ";\n"));
	/* The file was not there: it goes again. */
	assert_int_equal(mime_defaults_restore(dir, L, record), 0);
	assert_int_equal(faccessat(dir, "mimeapps.list", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	cleanup_dir(dir);
}

static void
test_other_lines_kept(void **state)
{
	static const char before[] = "# mine\n"
	                             "[Added Associations]\n"
	                             "text/plain=editor.desktop;\n"
	                             "\n"
	                             "[Default Applications]\n"
	                             "image/png=viewer.desktop;\n"
	                             "text/plain = editor.desktop;other.desktop;\n"
	                             "text/plainer=x.desktop;\n";
	_cleanup_free_ char *record = NULL, *text = NULL;
	char *types[] = {"text/plain", NULL};
	int dir = tmp_dir();

	(void) state;
	put_file(dir, before);
	plan_and_write(dir, types, NULL, &record);
	assert_string_equal(record, "text/plain:editor.desktop,other.desktop,;");
	text = get_file(dir);
	assert_string_equal(text, "# mine\n"
	                          "[Added Associations]\n"
	                          "text/plain=editor.desktop;\n"
	                          "\n"
	                          "[Default Applications]\n"
	                          "image/png=viewer.desktop;\n"
	                          "text/plain=" L ";\n"
	                          "text/plainer=x.desktop;\n");
	assert_int_equal(mime_defaults_restore(dir, L, record), 0);
	free(text);
	text = get_file(dir);
	/* The value comes back; the spaces around '=' do not. */
	assert_non_null(strstr(text, "\ntext/plain=editor.desktop;other.desktop;\n"));
	assert_non_null(strstr(text, "[Added Associations]\ntext/plain=editor.desktop;\n"));
	cleanup_dir(dir);
}

static void
test_not_ours_to_restore(void **state)
{
	_cleanup_free_ char *record = NULL, *text = NULL;
	char *types[] = {"text/plain", "image/png", NULL};
	int dir = tmp_dir();

	(void) state;
	/* A value that is not a list of IDs: left as it is, not recorded. */
	put_file(dir, "[Default Applications]\ntext/plain=/bin/sh -c x\n");
	plan_and_write(dir, types, NULL, &record);
	assert_string_equal(record, "image/png:;");
	text = get_file(dir);
	assert_non_null(strstr(text, "text/plain=/bin/sh -c x\n"));

	/* The user chose another app since: restore leaves it. */
	put_file(dir, "[Default Applications]\nimage/png=mine.desktop;\n");
	assert_int_equal(mime_defaults_restore(dir, L, "image/png:;"), 0);
	free(text);
	text = get_file(dir);
	assert_string_equal(text, "[Default Applications]\nimage/png=mine.desktop;\n");

	/* An edited record: a newline or a path never reaches the file. */
	put_file(dir, "[Default Applications]\nimage/png=" L ";\ntext/plain=" L ";\n");
	assert_int_equal(mime_defaults_restore(dir, L, "image/png:a\nb;text/plain:/bin/sh;"), 0);
	free(text);
	text = get_file(dir);
	assert_string_equal(text, "[Default Applications]\nimage/png=" L ";\ntext/plain=" L ";\n");
	cleanup_dir(dir);
}

static void
test_keep_earlier_record(void **state)
{
	_cleanup_free_ char *record = NULL;
	char *types[] = {"text/plain", NULL};
	int dir = tmp_dir();

	(void) state;
	/* Added again: the line is ours already; what was before it stands. */
	put_file(dir, "[Default Applications]\ntext/plain=" L ";\n");
	plan_and_write(dir, types, "text/plain:editor.desktop;", &record);
	assert_string_equal(record, "text/plain:editor.desktop;");
	cleanup_dir(dir);
}

static void
test_symlink_refused(void **state)
{
	_cleanup_free_ char *record = NULL, *text = NULL;
	char *types[] = {"text/plain", NULL};
	int dir = tmp_dir();
	size_t len;

	(void) state;
	assert_int_equal(symlinkat("/etc/passwd", dir, "mimeapps.list"), 0);
	assert_int_equal(mime_defaults_plan(dir, L, types, NULL, &record, &text, &len), -ELOOP);
	cleanup_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types_split),         cmocka_unit_test(test_new_file_and_back),
	    cmocka_unit_test(test_other_lines_kept),    cmocka_unit_test(test_not_ours_to_restore),
	    cmocka_unit_test(test_keep_earlier_record), cmocka_unit_test(test_symlink_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
