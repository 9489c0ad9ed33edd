/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests of the profile parser: every tests/unit/profiles/NAME.ini
 * is parsed and the result compared with NAME.expected, which holds either
 * the canonical profile_dump() or every error, one a line, as
 * "NAME.ini:LINE: message" ("NAME.ini: message" when the error has no
 * line), as profile_error_lines() gives them. A parsed profile must
 * also read back from its own dump unchanged. The shipped profiles
 * (ini-profiles/profiles/) must parse.
 *
 * The examples of docs/profiles.md must parse too.
 *
 * The files are found below $JAILSUP_SRCDIR (default "."), so the test
 * runs from the repository root. JAILSUP_GOLDEN_UPDATE=1 rewrites the
 * .expected files instead of comparing: review the diff before keeping it.
 *
 * Profiles are parsed as if installed in /usr/share/jailsup/profiles, for
 * a user whose home is /home/user, so the output does not depend on the
 * checkout's location or on who runs the test.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* cmocka.h needs <setjmp.h>, <stdarg.h> and <stddef.h> before it: kept out
 * of clang-format's include sorting. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/profile.h"
#include "tests/unit/golden-fixture.h"

#define FAKE_PROFILE_DIR "/usr/share/jailsup/profiles"

static const char *const search_dirs[] = {NULL};
static const struct profile_env env = {
    .home = "/home/user",
    .xdg_config_home = "/home/user/.config",
    .xdg_data_home = "/home/user/.local/share",
    .xdg_runtime_dir = "/run/user/1000",
    .path = "/usr/bin:/bin",
    .search_dirs = search_dirs,
};

/* What the golden file should hold for FILE (NAME.ini in DIR). */
static char *
golden_output(const char *dir, const char *file)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *again = NULL;
	_cleanup_free_ char *path = NULL, *text = NULL, *name = NULL, *source = NULL, *dump = NULL,
	                    *redump = NULL;
	struct profile_error err = {};
	char *out = NULL;
	int r;

	path = path_join(dir, file);
	assert_non_null(path);
	text = read_text(path, NULL);
	assert_non_null(text);
	name = strndup(file, strlen(file) - 4);
	assert_non_null(name);
	source = path_join(FAKE_PROFILE_DIR, file);
	assert_non_null(source);

	r = profile_parse(text, name, source, &env, &p, &err);
	if (r < 0) {
		_cleanup_strv_ char **lines = NULL;
		size_t len = 0;

		assert_int_equal(r, -EINVAL);
		assert_int_equal(profile_error_lines(&err, file, &lines), 0);
		for (char **l = lines; *l != NULL; l++)
			len += strlen(*l) + 1;
		out = calloc(1, len + 1);
		assert_non_null(out);
		for (char **l = lines; *l != NULL; l++)
			strcat(strcat(out, *l), "\n");
		return out;
	}

	/* The dump reads back as the same profile, and dumps the same. */
	assert_int_equal(profile_dump(p, &dump), 0);
	r = profile_parse(dump, name, source, &env, &again, &err);
	if (r < 0)
		fail_msg("%s: its dump does not parse: line %u: %s\n%s", file, err.line, err.msg,
		         dump);
	assert_true(profile_equal(p, again));
	assert_int_equal(profile_dump(again, &redump), 0);
	assert_string_equal(dump, redump);
	return TAKE_PTR(dump);
}

static void
test_golden_file(void **state)
{
	const char *file = *state;
	_cleanup_free_ char *dir = src_path("tests/unit/profiles");
	_cleanup_free_ char *out = NULL, *expected_path = NULL;

	out = golden_output(dir, file);
	assert_true(
	    asprintf(&expected_path, "%s/%.*s.expected", dir, (int) strlen(file) - 4, file) > 0);
	golden_check(expected_path, out);
}

/* Every .expected has its .ini: a renamed test must not leave a stale
 * golden file that nothing checks. */
static void
test_golden_no_orphans(void **state)
{
	_cleanup_free_ char *dir = src_path("tests/unit/profiles");
	DIR *d;
	struct dirent *de;

	(void) state;
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *ini = NULL, *text = NULL;

		if (n <= 9 || !streq(de->d_name + n - 9, ".expected"))
			continue;
		assert_true(asprintf(&ini, "%s/%.*s.ini", dir, (int) n - 9, de->d_name) > 0);
		text = read_text(ini, NULL);
		if (text == NULL)
			fail_msg("%s/%s has no .ini", dir, de->d_name);
	}
	closedir(d);
}

/* The shipped profiles parse where they are, with their own folder for
 * relative paths, and survive a dump. */
static void
test_shipped_profile(void **state)
{
	const char *file = *state;
	_cleanup_free_ char *dir = src_path("ini-profiles/profiles"), *path = NULL, *dump = NULL;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *again = NULL;
	struct profile_error err = {};
	int r;

	path = path_join(dir, file);
	assert_non_null(path);
	r = profile_load_path(path, NULL, &env, &p, &err);
	if (r < 0)
		fail_msg("%s:%u: %s", path, err.line, err.msg);
	assert_int_equal(profile_dump(p, &dump), 0);
	assert_int_equal(profile_parse(dump, p->name, p->source, &env, &again, &err), 0);
	assert_true(profile_equal(p, again));
}

/* Every complete example in docs/profiles.md (an ```ini block with a
 * [jail] section) parses: the reference cannot drift from the parser. */
static void
test_docs_examples(void **state)
{
	_cleanup_free_ char *path = src_path("docs/profiles.md"), *doc = NULL;
	const char *s;
	unsigned n = 0;

	(void) state;
	doc = read_text(path, NULL);
	assert_non_null(doc);
	for (s = doc; (s = strstr(s, "```ini\n")) != NULL;) {
		_cleanup_(profile_freep) struct jail_profile *p = NULL;
		_cleanup_free_ char *block = NULL;
		struct profile_error err = {};
		const char *end;

		s += strlen("```ini\n");
		end = strstr(s, "```");
		assert_non_null(end);
		block = strndup(s, (size_t) (end - s));
		assert_non_null(block);
		s = end + 3;
		if (strstr(block, "[jail]") == NULL)
			continue;
		if (profile_parse(block, "example", FAKE_PROFILE_DIR "/example.ini", &env, &p,
		                  &err) < 0)
			fail_msg("docs/profiles.md example, line %u: %s\n%s", err.line, err.msg,
			         block);
		n++;
	}
	assert_true(n >= 5);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.ini file names of DIR, sorted. */
static char **
list_ini(const char *dir)
{
	char **names = NULL;
	DIR *d;
	struct dirent *de;

	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "unable to open '%s': %s (set JAILSUP_SRCDIR)\n", dir,
		        strerror(errno));
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 4 && streq(de->d_name + n - 4, ".ini") && de->d_name[0] != '.')
			if (strv_push(&names, de->d_name) < 0)
				exit(1);
	}
	closedir(d);
	if (names != NULL)
		qsort(names, strv_length(names), sizeof(char *), cmp_str);
	return names;
}

int
main(void)
{
	_cleanup_strv_ char **golden = NULL, **shipped = NULL, **names = NULL;
	_cleanup_free_ char *gdir = NULL, *sdir = NULL;
	_cleanup_free_ struct CMUnitTest *tests = NULL;
	size_t n = 0, ng, ns;
	const char *srcdir = getenv("JAILSUP_SRCDIR");

	gdir = path_join(srcdir != NULL && srcdir[0] != '\0' ? srcdir : ".", "tests/unit/profiles");
	sdir =
	    path_join(srcdir != NULL && srcdir[0] != '\0' ? srcdir : ".", "ini-profiles/profiles");
	if (gdir == NULL || sdir == NULL)
		return 1;
	golden = list_ini(gdir);
	shipped = list_ini(sdir);
	ng = strv_length(golden);
	ns = strv_length(shipped);
	if (ng == 0 || ns == 0) {
		fprintf(stderr, "no profiles found below '%s' or '%s'\n", gdir, sdir);
		return 1;
	}

	tests = calloc(ng + ns + 2, sizeof(*tests));
	if (tests == NULL)
		return 1;
	/* Test names: "test_golden_file(NAME.ini)", "test_shipped_profile(NAME.ini)". */
	for (size_t i = 0; i < ng + ns; i++) {
		_cleanup_free_ char *label = NULL;

		if (asprintf(&label, "%s(%s)", i < ng ? "test_golden_file" : "test_shipped_profile",
		             i < ng ? golden[i] : shipped[i - ng]) < 0 ||
		    strv_push(&names, label) < 0)
			return 1;
	}
	for (size_t i = 0; i < ng; i++)
		tests[n++] = (struct CMUnitTest){
		    .name = names[i],
		    .test_func = test_golden_file,
		    .initial_state = golden[i],
		};
	for (size_t i = 0; i < ns; i++)
		tests[n++] = (struct CMUnitTest){
		    .name = names[ng + i],
		    .test_func = test_shipped_profile,
		    .initial_state = shipped[i],
		};
	tests[n++] = (struct CMUnitTest){
	    .name = "test_golden_no_orphans",
	    .test_func = test_golden_no_orphans,
	};
	tests[n++] = (struct CMUnitTest){
	    .name = "test_docs_examples",
	    .test_func = test_docs_examples,
	};
	return _cmocka_run_group_tests("profile-golden", tests, n, NULL, NULL);
}
