/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of clipboard/clipboard-text.c: the bridge's check of the text
 * a selection owner (a jail's, with clipboard = both) gives, every
 * malformed UTF-8 form refused, and its reader of the nested server's
 * cookie file, which never reads past a cut field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "clipboard/clipboard-text.h"
#include "state/util.h"

static bool
valid(const char *s, size_t len)
{
	return clipboard_text_valid((const uint8_t *) s, len);
}

#define VALID(s) valid((s), sizeof(s) - 1)

static void
test_clipboard_text_valid_accepts_text(void **state)
{
	(void) state;
	assert_true(VALID(""));
	assert_true(VALID("plain ASCII, tabs\tand\nnewlines"));
	assert_true(VALID("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")); /* é € 😀 */
	assert_true(VALID("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"));  /* the edges */
	assert_true(VALID("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));          /* U+10000, U+10FFFF */
	assert_true(VALID("\xed\x9f\xbf\xee\x80\x80"));                  /* around surrogates */
}

static void
test_clipboard_text_valid_refuses(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		const char *why;
	} bad[] = {
#define BAD(s, why) {(s), sizeof(s) - 1, (why)}
	    BAD("a\0b", "a NUL"),
	    BAD("caf\xe9", "Latin-1"),
	    BAD("\x80", "a lone continuation byte"),
	    BAD("\xc0\x80", "an overlong NUL"),
	    BAD("\xc1\xbf", "an overlong two-byte form"),
	    BAD("\xe0\x80\x80", "an overlong three-byte form"),
	    BAD("\xf0\x80\x80\x80", "an overlong four-byte form"),
	    BAD("\xed\xa0\x80", "a surrogate"),
	    BAD("\xf4\x90\x80\x80", "past U+10FFFF"),
	    BAD("\xf5\x80\x80\x80", "F5"),
	    BAD("\xff", "FF"),
	    BAD("\xe2\x82", "a sequence cut at the end"),
	    BAD("\xe2\x82x", "a sequence cut by ASCII"),
#undef BAD
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (valid(bad[i].s, bad[i].len))
			fail_msg("accepted %s", bad[i].why);
}

/* One FamilyWild entry as the supervisor writes it (xserver.c). */
static const uint8_t entry[] = {0xff, 0xff, 0,   0,   0,   1,   '0', 0,   18,  'M', 'I',
                                'T',  '-',  'M', 'A', 'G', 'I', 'C', '-', 'C', 'O', 'O',
                                'K',  'I',  'E', '-', '1', 0,   4,   1,   2,   3,   4};

static void
test_clipboard_xauth_first(void **state)
{
	struct clipboard_cookie c;

	(void) state;
	assert_int_equal(clipboard_xauth_first(entry, sizeof(entry), &c), 0);
	assert_int_equal(c.name_len, 18);
	assert_memory_equal(c.name, "MIT-MAGIC-COOKIE-1", 18);
	assert_int_equal(c.data_len, 4);
	assert_memory_equal(c.data, "\x01\x02\x03\x04", 4);
	/* Every cut of it is refused, none read past its end. */
	for (size_t len = 0; len < sizeof(entry); len++) {
		uint8_t *cut = malloc(len + 1);

		assert_non_null(cut);
		memcpy(cut, entry, len);
		if (clipboard_xauth_first(cut, len, &c) != -EBADMSG)
			fail_msg("a file cut at %zu bytes was accepted", len);
		free(cut);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clipboard_text_valid_accepts_text),
	    cmocka_unit_test(test_clipboard_text_valid_refuses),
	    cmocka_unit_test(test_clipboard_xauth_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
