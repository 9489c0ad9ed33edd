/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of cli/desktop-entry.c: the Desktop Entry reader (what
 * it keeps, what it refuses: the files are untrusted) and the Exec quoting
 * rules both ways, including the round trip join → split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "cli/desktop-entry.h"

static int
parse(const char *text, struct desktop_file **ret, unsigned *line)
{
	return desktop_file_parse(text, strlen(text), ret, line);
}

static void
test_desktop_file_parse_keeps_lines(void **state)
{
	_cleanup_(desktop_file_freep) struct desktop_file *f = NULL;
	const char *text = "# licence\n"
	                   "[Desktop Entry]\n"
	                   "Type=Application\n"
	                   "Name = Viewer\n"
	                   "Name[de_DE@euro]=Betrachter\n"
	                   "\n"
	                   "[Desktop Action new]\n"
	                   "Exec=viewer --new\n";

	(void) state;
	assert_int_equal(parse(text, &f, NULL), 0);
	assert_int_equal(f->n_lines, 8);
	assert_string_equal(f->lines[3].text, "Name = Viewer");
	assert_string_equal(desktop_file_get(f, "Desktop Entry", "Name"), "Viewer");
	assert_string_equal(desktop_file_get(f, "Desktop Entry", "Name[de_DE@euro]"), "Betrachter");
	assert_string_equal(desktop_file_get(f, "Desktop Action new", "Exec"), "viewer --new");
	assert_null(desktop_file_get(f, "Desktop Entry", "Exec"));
	assert_null(desktop_line_group(f, &f->lines[0]));
	assert_string_equal(desktop_line_group(f, &f->lines[7]), "Desktop Action new");
}

static void
test_desktop_file_parse_refuses(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
	    {"Type=Application\n[Desktop Entry]\n", 1}, /* entry before a group */
	    {"[Other]\nType=Application\n", 1},         /* first group not the main one */
	    {"[Desktop Entry]\nType=Application\nType=Link\n", 3},       /* duplicate key */
	    {"[Desktop Entry]\nType=Application\n[Desktop Entry]\n", 3}, /* duplicate group */
	    {"[Desktop Entry]\nType=Application\nBad Key=1\n", 3},
	    {"[Desktop Entry]\nType=Application\nName[]=x\n", 3},
	    {"[Desktop Entry]\nType=Application\nno equals sign\n", 3},
	    {"[Desktop Entry]\nType=Application\r\n", 2},            /* CR */
	    {"[Desktop Entry]\nType=Application\nName=a\033b\n", 3}, /* control character */
	    {"[Desktop Entry]\nType=Application\n[a]b]\n", 3},
	    {"[Desktop Entry]\nName=no type\n", 0},
	    {"", 0},
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct desktop_file *f = NULL;
		unsigned line = 99;

		assert_int_equal(parse(bad[i].text, &f, &line), -EINVAL);
		assert_null(f);
		assert_int_equal(line, bad[i].line);
	}
}

static void
test_desktop_file_parse_bounds(void **state)
{
	_cleanup_free_ char *text = NULL;
	struct desktop_file *f = NULL;
	const char *head = "[Desktop Entry]\nType=Application\nKeywords=";
	size_t n = strlen(head) + DESKTOP_LINE_MAX + 2;
	unsigned line = 0;

	(void) state;
	text = malloc(DESKTOP_FILE_MAX + 2);
	assert_non_null(text);
	/* One line just over the limit. */
	strcpy(text, head);
	memset(text + strlen(head), 'a', n - strlen(head) - 1);
	text[n - 1] = '\n';
	assert_int_equal(desktop_file_parse(text, n, &f, &line), -EINVAL);
	assert_int_equal(line, 3);
	/* A NUL byte is a control character like any other. */
	assert_int_equal(desktop_file_parse("[Desktop Entry]\nType=A\0pp\n", 26, &f, &line),
	                 -EINVAL);
	/* The whole file over its limit. */
	assert_int_equal(desktop_file_parse(text, DESKTOP_FILE_MAX + 1, &f, &line), -EFBIG);
	assert_null(f);
}

static void
assert_split(const char *raw, const char *const *want)
{
	_cleanup_strv_ char **v = NULL;
	size_t n = 0;

	assert_int_equal(desktop_exec_split(raw, &v), 0);
	for (; want[n] != NULL; n++) {
		assert_non_null(v[n]);
		assert_string_equal(v[n], want[n]);
	}
	assert_null(v[n]);
}

static void
test_desktop_exec_split_good(void **state)
{
	(void) state;
	assert_split("firefox %u", (const char *[]){"firefox", "%u", NULL});
	assert_split("  a\\sb  c ", (const char *[]){"a", "b", "c", NULL});
	/* Quoting, and the string escape applied first: \\\\ in the file is one
	 * backslash in the argument. */
	assert_split("app \"two words\" \"q\\\\\"x\" \"\\\\$HOME\" \"b\\\\\\\\s\"",
	             (const char *[]){"app", "two words", "q\"x", "$HOME", "b\\s", NULL});
	assert_split("app \"\" --x=100%%", (const char *[]){"app", "", "--x=100%%", NULL});
	assert_split("app >out ~", (const char *[]){"app", ">out", "~", NULL});
}

static void
test_desktop_exec_split_refuses(void **state)
{
	static const char *const bad[] = {
	    "",              /* no program */
	    "   ",           /* no program */
	    "app \"open",    /* unclosed quote */
	    "app a\"b\"",    /* quote inside a plain argument */
	    "app \"a\"b",    /* quoting not covering the argument */
	    "app 'single'",  /* shell quoting, not the specification's */
	    "app a\\\\b",    /* a backslash outside quotes */
	    "app \"$HOME\"", /* unescaped $ inside quotes */
	    "app \"\\\\x\"", /* an escape the quoting rules do not have */
	    "app \\q",       /* an escape strings do not have */
	    "app \"a\\nb\"", /* a newline inside an argument */
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char **v = NULL;

		assert_int_equal(desktop_exec_split(bad[i], &v), -EINVAL);
		assert_null(v);
	}
}

static void
test_desktop_exec_split_too_many(void **state)
{
	_cleanup_free_ char *raw = malloc(2 * (DESKTOP_ARGS_MAX + 1) + 1);
	char **v = NULL;

	(void) state;
	assert_non_null(raw);
	for (size_t i = 0; i <= DESKTOP_ARGS_MAX; i++)
		memcpy(raw + 2 * i, "a ", 2);
	raw[2 * (DESKTOP_ARGS_MAX + 1)] = '\0';
	assert_int_equal(desktop_exec_split(raw, &v), -E2BIG);
	assert_null(v);
}

static void
test_desktop_exec_join_round_trip(void **state)
{
	static const char *const args[] = {
	    "/opt/My Apps/jailsup",
	    "run",
	    "--profile",
	    "x",
	    "--",
	    "%U",
	    "plain",
	    "two words",
	    "q\"uote",
	    "back\\slash",
	    "$HOME",
	    "`cmd`",
	    "100%%",
	    "",
	    "a;b",
	};
	_cleanup_free_ char *raw = NULL;
	_cleanup_strv_ char **back = NULL;

	(void) state;
	assert_int_equal(desktop_exec_join((char **) (const char *[]){"a", "%f", NULL}, &raw), 0);
	assert_string_equal(raw, "a %f");
	free(raw);
	assert_int_equal(desktop_exec_join((char **) (const char *[]){"a b", "x\\y", NULL}, &raw),
	                 0);
	/* Quoted, the backslash escaped for the quoting, then both doubled. */
	assert_string_equal(raw, "\"a b\" \"x\\\\\\\\y\"");
	free(raw);

	{
		const char *v[ELEMENTSOF(args) + 1];

		memcpy(v, args, sizeof(args));
		v[ELEMENTSOF(args)] = NULL;
		assert_int_equal(desktop_exec_join((char **) v, &raw), 0);
		assert_int_equal(desktop_exec_split(raw, &back), 0);
		for (size_t i = 0; i < ELEMENTSOF(args); i++)
			assert_string_equal(back[i], args[i]);
		assert_null(back[ELEMENTSOF(args)]);
	}
	assert_int_equal(desktop_exec_join((char **) (const char *[]){"a\nb", NULL}, &raw),
	                 -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_desktop_file_parse_keeps_lines),
	    cmocka_unit_test(test_desktop_file_parse_refuses),
	    cmocka_unit_test(test_desktop_file_parse_bounds),
	    cmocka_unit_test(test_desktop_exec_split_good),
	    cmocka_unit_test(test_desktop_exec_split_refuses),
	    cmocka_unit_test(test_desktop_exec_split_too_many),
	    cmocka_unit_test(test_desktop_exec_join_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
