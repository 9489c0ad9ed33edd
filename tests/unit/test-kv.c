/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of state/kv.c: every rule of the strict key=value parser has a
 * case that breaks it and checks the error and its line; the writer must
 * refuse the same things; and the file-level calls must not be redirected
 * by a symlink or blocked by a FIFO planted in place of the state file.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "state/kv.h"
#include "state/state.h"

/* --- fixture: a fresh directory per case ---------------------------------- */

struct fixture {
	char dir[64];
	int fd;
};

#define FIXTURE_NAME "test-kv"
#include "tests/unit/tmpdir-fixture.h"

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Parses the C string S (or LEN bytes of it) expecting the error R on LINE. */
static void
assert_parse_fails_len(const char *s, size_t len, int r, unsigned line)
{
	struct kv_list l = {.entries = (void *) 1, .n = 42};
	unsigned errline = 0;

	assert_int_equal(kv_parse(s, len, &l, &errline), r);
	assert_int_equal(errline, line);
	/* ret_* is written only on success. */
	assert_ptr_equal(l.entries, (void *) 1);
	assert_int_equal(l.n, 42);
	/* reterr_line may be NULL. */
	assert_int_equal(kv_parse(s, len, &l, NULL), r);
}

static void
assert_parse_fails(const char *s, int r, unsigned line)
{
	assert_parse_fails_len(s, strlen(s), r, line);
}

/* --- keys and values ----------------------------------------------------------- */

static void
test_kv_key_valid_good(void **state)
{
	_cleanup_free_ char *max = repeat('k', KV_KEY_MAX);

	(void) state;
	assert_true(kv_key_valid("name"));
	assert_true(kv_key_valid("jailer-pid"));
	assert_true(kv_key_valid("a"));
	assert_true(kv_key_valid("0"));
	assert_true(kv_key_valid("a-"));
	assert_true(kv_key_valid("x11"));
	assert_true(kv_key_valid(max));
}

static void
test_kv_key_valid_bad(void **state)
{
	_cleanup_free_ char *over = repeat('k', KV_KEY_MAX + 1);
	const char *bad[] = {"",    "-a",  "A",  "Name", "a_b",         "a b",
	                     "a=b", "a.b", " a", "a\n",  "caf\xc3\xa9", "a\r"};

	(void) state;
	assert_false(kv_key_valid(NULL));
	assert_false(kv_key_valid(over));
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_false(kv_key_valid(bad[i]));
}

static void
test_kv_value_valid(void **state)
{
	(void) state;
	assert_true(kv_value_valid(""));
	assert_true(kv_value_valid("x y=z \t"));
	assert_true(kv_value_valid("caf\xc3\xa9"));
	assert_false(kv_value_valid(NULL));
	assert_false(kv_value_valid("a\nb"));
	assert_false(kv_value_valid("a\rb"));
	assert_false(kv_value_valid("\n"));
}

/* --- kv_parse() ------------------------------------------------------------------- */

static void
test_kv_parse_ok(void **state)
{
	const char *s = "name=firefox\nstatus=running\nempty=\nweird=a=b c \t\n";
	_cleanup_(kv_list_done) struct kv_list l = {};
	unsigned errline = 77;

	(void) state;
	assert_int_equal(kv_parse(s, strlen(s), &l, &errline), 0);
	assert_int_equal(errline, 77);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.entries[0].key, "name");
	assert_string_equal(l.entries[0].value, "firefox");
	assert_string_equal(l.entries[1].key, "status");
	assert_string_equal(l.entries[2].key, "empty");
	assert_string_equal(l.entries[2].value, "");
	assert_string_equal(l.entries[3].key, "weird");
	assert_string_equal(l.entries[3].value, "a=b c \t");
}

static void
test_kv_parse_empty(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};

	(void) state;
	assert_int_equal(kv_parse("", 0, &l, NULL), 0);
	assert_int_equal(l.n, 0);
	assert_null(kv_get(&l, "a"));
}

static void
test_kv_parse_missing_final_newline(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};

	(void) state;
	assert_int_equal(kv_parse("a=1\nb=2", 7, &l, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(kv_get(&l, "b"), "2");
	kv_list_done(&l);
	assert_int_equal(kv_parse("a=", 2, &l, NULL), 0);
	assert_string_equal(kv_get(&l, "a"), "");
}

static void
test_kv_parse_len_bounds(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};

	(void) state;
	/* Only LEN bytes count, whatever follows them. */
	assert_int_equal(kv_parse("a=1\nb=2\nGARBAGE", 8, &l, NULL), 0);
	assert_int_equal(l.n, 2);
}

static void
test_kv_parse_nul(void **state)
{
	(void) state;
	assert_parse_fails_len("a=1\nb=x\0y\n", 10, -EINVAL, 2);
	assert_parse_fails_len("a=1\n\0", 5, -EINVAL, 2);
	assert_parse_fails_len("\0a=1\n", 5, -EINVAL, 1);
	assert_parse_fails_len("a\0=1\n", 5, -EINVAL, 1);
}

static void
test_kv_parse_cr(void **state)
{
	(void) state;
	assert_parse_fails("a=1\r\n", -EINVAL, 1);
	assert_parse_fails("a=1\nb=2\r", -EINVAL, 2);
	assert_parse_fails("a=1\rb=2\n", -EINVAL, 1);
}

static void
test_kv_parse_duplicate(void **state)
{
	(void) state;
	assert_parse_fails("a=1\nb=2\na=3\n", -EEXIST, 3);
	assert_parse_fails("a=1\na=1\n", -EEXIST, 2);
}

static void
test_kv_parse_blank_line(void **state)
{
	(void) state;
	assert_parse_fails("\n", -EINVAL, 1);
	assert_parse_fails("a=1\n\nb=2\n", -EINVAL, 2);
	assert_parse_fails("a=1\n\n", -EINVAL, 2);
}

static void
test_kv_parse_overlong_line(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};
	_cleanup_free_ char *fits = NULL, *over = NULL, *value = repeat('v', KV_LINE_MAX - 2);

	(void) state;
	/* "a=" plus KV_LINE_MAX - 2 bytes is exactly the limit. */
	assert_true(asprintf(&fits, "x=1\na=%s\n", value) > 0);
	assert_int_equal(kv_parse(fits, strlen(fits), &l, NULL), 0);
	assert_int_equal(strlen(kv_get(&l, "a")), KV_LINE_MAX - 2);
	assert_true(asprintf(&over, "x=1\na=%sv\n", value) > 0);
	assert_parse_fails(over, -E2BIG, 2);
	/* Without a final newline the same. */
	over[strlen(over) - 1] = '\0';
	assert_parse_fails(over, -E2BIG, 2);
}

static void
test_kv_parse_no_equals(void **state)
{
	(void) state;
	assert_parse_fails("a=1\nnoequals\n", -EINVAL, 2);
	assert_parse_fails("a", -EINVAL, 1);
	assert_parse_fails("#comment\n", -EINVAL, 1);
}

static void
test_kv_parse_bad_key(void **state)
{
	_cleanup_free_ char *long_key = repeat('k', KV_KEY_MAX + 1), *line = NULL;
	const char *bad[] = {"=x\n",    "A=x\n",  "-a=x\n", "a b=x\n",
	                     "a_b=x\n", " a=x\n", "a =x\n", "\ta=x\n"};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_parse_fails(bad[i], -EINVAL, 1);
	assert_true(asprintf(&line, "ok=1\n%s=x\n", long_key) > 0);
	assert_parse_fails(line, -EINVAL, 2);
}

static char *
make_entries(unsigned n)
{
	char *buf = malloc(n * 16 + 1), *p = buf;

	assert_non_null(buf);
	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, "k%u=%u\n", i, i);
	*p = '\0';
	return buf;
}

static void
test_kv_parse_too_many_entries(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};
	_cleanup_free_ char *max = make_entries(KV_ENTRIES_MAX);
	_cleanup_free_ char *over = make_entries(KV_ENTRIES_MAX + 1);

	(void) state;
	assert_int_equal(kv_parse(max, strlen(max), &l, NULL), 0);
	assert_int_equal(l.n, KV_ENTRIES_MAX);
	assert_parse_fails(over, -E2BIG, KV_ENTRIES_MAX + 1);
}

/* --- kv_get() / kv_set() ----------------------------------------------------------- */

static void
test_kv_get_missing(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};

	(void) state;
	assert_int_equal(kv_parse("ab=1\n", 5, &l, NULL), 0);
	assert_null(kv_get(&l, "a"));
	assert_null(kv_get(&l, "abc"));
	assert_string_equal(kv_get(&l, "ab"), "1");
}

static void
test_kv_set_order(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};

	(void) state;
	assert_int_equal(kv_set(&l, "name", "firefox"), 0);
	assert_int_equal(kv_set(&l, "status", "starting"), 0);
	assert_int_equal(kv_set(&l, "jailer-pid", "42"), 0);
	assert_int_equal(kv_set(&l, "status", "running"), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.entries[0].key, "name");
	assert_string_equal(l.entries[1].key, "status");
	assert_string_equal(l.entries[1].value, "running");
	assert_string_equal(l.entries[2].key, "jailer-pid");
}

static void
test_kv_set_bad(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};
	_cleanup_free_ char *fits = repeat('v', KV_LINE_MAX - 2);
	_cleanup_free_ char *over = repeat('v', KV_LINE_MAX - 1);

	(void) state;
	assert_int_equal(kv_set(&l, "Bad", "x"), -EINVAL);
	assert_int_equal(kv_set(&l, "", "x"), -EINVAL);
	assert_int_equal(kv_set(&l, NULL, "x"), -EINVAL);
	assert_int_equal(kv_set(&l, "a", "x\ny"), -EINVAL);
	assert_int_equal(kv_set(&l, "a", "x\r"), -EINVAL);
	assert_int_equal(kv_set(&l, "a", NULL), -EINVAL);
	assert_int_equal(kv_set(&l, "a", over), -E2BIG);
	assert_int_equal(l.n, 0);
	assert_int_equal(kv_set(&l, "a", fits), 0);
	/* A failed replacement keeps the old value. */
	assert_int_equal(kv_set(&l, "a", "x\n"), -EINVAL);
	assert_string_equal(kv_get(&l, "a"), fits);
}

static void
test_kv_set_too_many(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {};
	char key[16];

	(void) state;
	for (unsigned i = 0; i < KV_ENTRIES_MAX; i++) {
		snprintf(key, sizeof(key), "k%u", i);
		assert_int_equal(kv_set(&l, key, "v"), 0);
	}
	assert_int_equal(kv_set(&l, "one-more", "v"), -E2BIG);
	/* Replacing is still fine at the limit. */
	assert_int_equal(kv_set(&l, "k0", "w"), 0);
	assert_int_equal(l.n, KV_ENTRIES_MAX);
}

/* --- kv_format() ---------------------------------------------------------------------- */

static void
test_kv_format_roundtrip(void **state)
{
	_cleanup_(kv_list_done) struct kv_list l = {}, back = {};
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	(void) state;
	assert_int_equal(kv_set(&l, "name", "firefox"), 0);
	assert_int_equal(kv_set(&l, "status", "running"), 0);
	assert_int_equal(kv_set(&l, "empty", ""), 0);
	assert_int_equal(kv_set(&l, "weird", "a=b c\t=\xc3\xa9"), 0);
	assert_int_equal(kv_format(&l, &buf, &len), 0);
	assert_string_equal(buf, "name=firefox\nstatus=running\nempty=\nweird=a=b c\t=\xc3\xa9\n");
	assert_int_equal(len, strlen(buf));

	assert_int_equal(kv_parse(buf, len, &back, NULL), 0);
	assert_int_equal(back.n, l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(back.entries[i].key, l.entries[i].key);
		assert_string_equal(back.entries[i].value, l.entries[i].value);
	}
}

static void
test_kv_format_empty(void **state)
{
	struct kv_list l = {};
	_cleanup_free_ char *buf = NULL;
	size_t len = 99;

	(void) state;
	assert_int_equal(kv_format(&l, &buf, &len), 0);
	assert_string_equal(buf, "");
	assert_int_equal(len, 0);
}

static void
test_kv_format_refuses(void **state)
{
	_cleanup_free_ char *over = repeat('v', KV_LINE_MAX);
	struct kv_entry e[2] = {};
	struct kv_list l = {.entries = e, .n = 2};
	char *buf = NULL;

	(void) state;
	/* Lists built by hand, bypassing kv_set(). */
	e[0] = (struct kv_entry){"a", "1"};
	e[1] = (struct kv_entry){"a", "2"};
	assert_int_equal(kv_format(&l, &buf, NULL), -EEXIST);
	e[1] = (struct kv_entry){"B", "2"};
	assert_int_equal(kv_format(&l, &buf, NULL), -EINVAL);
	e[1] = (struct kv_entry){"b", "2\nc=3"};
	assert_int_equal(kv_format(&l, &buf, NULL), -EINVAL);
	e[1] = (struct kv_entry){"b", "2\r"};
	assert_int_equal(kv_format(&l, &buf, NULL), -EINVAL);
	e[1] = (struct kv_entry){"b", over};
	assert_int_equal(kv_format(&l, &buf, NULL), -E2BIG);
	l.n = KV_ENTRIES_MAX + 1;
	assert_int_equal(kv_format(&l, &buf, NULL), -E2BIG);
	assert_null(buf);
}

static void
test_kv_list_done_zeroed(void **state)
{
	struct kv_list l = {};

	(void) state;
	kv_list_done(&l);
	kv_list_done(&l);
	kv_list_done(NULL);
	assert_int_equal(kv_set(&l, "a", "b"), 0);
	kv_list_done(&l);
	assert_null(l.entries);
	assert_int_equal(l.n, 0);
	kv_list_done(&l);
}

/* --- kv_read_at() / kv_write_at() ------------------------------------------------------- */

static void
test_kv_write_at_roundtrip(void **state)
{
	struct fixture *f = *state;
	_cleanup_(kv_list_done) struct kv_list l = {}, back = {};
	struct stat st;

	assert_int_equal(kv_set(&l, "name", "x"), 0);
	assert_int_equal(kv_set(&l, "status", "running"), 0);
	assert_int_equal(kv_write_at(f->fd, "state", &l), 0);
	assert_file_content(f->fd, "state", "name=x\nstatus=running\n");
	assert_int_equal(fstatat(f->fd, "state", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0600);
	assert_int_equal(kv_read_at(f->fd, "state", &back, NULL), 0);
	assert_string_equal(kv_get(&back, "status"), "running");
}

static void
test_kv_write_at_refuses(void **state)
{
	struct fixture *f = *state;
	struct kv_entry e[1] = {{"Bad", "x"}};
	struct kv_list l = {.entries = e, .n = 1};
	struct stat st;

	write_bytes_at(f->fd, "state", "a=1\n", 4);
	assert_int_equal(kv_write_at(f->fd, "state", &l), -EINVAL);
	assert_file_content(f->fd, "state", "a=1\n");
	assert_int_equal(fstatat(f->fd, ".state.tmp", &st, AT_SYMLINK_NOFOLLOW), -1);
}

static void
test_kv_write_at_symlink(void **state)
{
	struct fixture *f = *state;
	_cleanup_(kv_list_done) struct kv_list l = {};
	_cleanup_free_ char *target = NULL;
	struct stat st;

	write_bytes_at(f->fd, "outside", "do not touch\n", 13);
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, "state"), 0);
	assert_int_equal(kv_set(&l, "a", "1"), 0);
	assert_int_equal(kv_write_at(f->fd, "state", &l), 0);
	assert_int_equal(fstatat(f->fd, "state", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_file_content(f->fd, "state", "a=1\n");
	assert_file_content(f->fd, "outside", "do not touch\n");
}

static void
test_kv_read_at_symlink(void **state)
{
	struct fixture *f = *state;
	struct kv_list l = {};
	_cleanup_free_ char *target = NULL;

	/* A valid kv file outside: it must not be read through the link. */
	write_bytes_at(f->fd, "outside", "status=running\n", 15);
	assert_true(asprintf(&target, "%s/outside", f->dir) > 0);
	assert_int_equal(symlinkat(target, f->fd, "state"), 0);
	assert_int_equal(kv_read_at(f->fd, "state", &l, NULL), -ELOOP);
	assert_int_equal(l.n, 0);
}

static void
test_kv_read_at_fifo(void **state)
{
	struct fixture *f = *state;
	struct kv_list l = {};

	assert_int_equal(mkfifoat(f->fd, "state", 0600), 0);
	assert_int_equal(kv_read_at(f->fd, "state", &l, NULL), -EINVAL);
	assert_int_equal(l.n, 0);
}

static void
test_kv_read_at_errors(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *big = repeat('x', KV_FILE_MAX + 1);
	struct kv_list l = {};
	unsigned errline = 0;

	assert_int_equal(kv_read_at(f->fd, "missing", &l, NULL), -ENOENT);
	assert_int_equal(kv_read_at(f->fd, "../state", &l, NULL), -EINVAL);
	write_bytes_at(f->fd, "big", big, KV_FILE_MAX + 1);
	assert_int_equal(kv_read_at(f->fd, "big", &l, NULL), -EFBIG);
	write_bytes_at(f->fd, "bad", "a=1\nb\n", 6);
	assert_int_equal(kv_read_at(f->fd, "bad", &l, &errline), -EINVAL);
	assert_int_equal(errline, 2);
	assert_int_equal(l.n, 0);
}

static void
test_kv_read_at_largest(void **state)
{
	struct fixture *f = *state;
	_cleanup_(kv_list_done) struct kv_list l = {}, back = {};
	_cleanup_free_ char *value = repeat('v', KV_LINE_MAX - 5);
	char key[8];

	/* The largest list the writer accepts must read back. */
	for (unsigned i = 0; i < KV_ENTRIES_MAX; i++) {
		snprintf(key, sizeof(key), "k%03u", i);
		assert_int_equal(kv_set(&l, key, value), 0);
	}
	assert_int_equal(kv_write_at(f->fd, "state", &l), 0);
	assert_int_equal(kv_read_at(f->fd, "state", &back, NULL), 0);
	assert_int_equal(back.n, KV_ENTRIES_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
	    T(test_kv_key_valid_good),
	    T(test_kv_key_valid_bad),
	    T(test_kv_value_valid),
	    T(test_kv_parse_ok),
	    T(test_kv_parse_empty),
	    T(test_kv_parse_missing_final_newline),
	    T(test_kv_parse_len_bounds),
	    T(test_kv_parse_nul),
	    T(test_kv_parse_cr),
	    T(test_kv_parse_duplicate),
	    T(test_kv_parse_blank_line),
	    T(test_kv_parse_overlong_line),
	    T(test_kv_parse_no_equals),
	    T(test_kv_parse_bad_key),
	    T(test_kv_parse_too_many_entries),
	    T(test_kv_get_missing),
	    T(test_kv_set_order),
	    T(test_kv_set_bad),
	    T(test_kv_set_too_many),
	    T(test_kv_format_roundtrip),
	    T(test_kv_format_empty),
	    T(test_kv_format_refuses),
	    T(test_kv_list_done_zeroed),
	    T(test_kv_write_at_roundtrip),
	    T(test_kv_write_at_refuses),
	    T(test_kv_write_at_symlink),
	    T(test_kv_read_at_symlink),
	    T(test_kv_read_at_fifo),
	    T(test_kv_read_at_errors),
	    T(test_kv_read_at_largest),
#undef T
	};

	return cmocka_run_group_tests_name("test-kv", tests, NULL, NULL);
}
