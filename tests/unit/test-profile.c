/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of libjailprofile (ini-profiles/profile.h): the parser's
 * every refusal, hostile names at every entry point, name derivation, exe
 * resolution on a real filesystem (PATH search, symlinks kept as written,
 * loops, missing and non-executable files, an exe that vanishes, the
 * /shared/ rewrite for an exe in the home), the search path, first-start
 * profile creation, and the folders a jail may never be handed.
 *
 * Each test runs in a fresh mkdtemp() folder holding a fake home, XDG
 * folders and profile folders (profile-fixture.h); nothing outside it is
 * touched.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/* cmocka.h needs <setjmp.h>, <stdarg.h> and <stddef.h> before it: kept out
 * of clang-format's include sorting. */
/* clang-format off */
#include <cmocka.h>
/* clang-format on */

#include "ini-profiles/dbus-proxy.h"
#include "ini-profiles/profile.h"
#include "state/state.h"

#define FIXTURE_NAME "test-profile"
#include "tests/unit/profile-fixture.h"

static char *xprintf(const char *fmt, ...) _printf_(1, 2);
static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(r >= 0);
	return s;
}

static void
xmkdir(const char *path)
{
	assert_int_equal(mkdir(path, 0700), 0);
}

static void
make_exe(const char *path)
{
	write_file(path, "#!/bin/sh\nexit 0\n", 0755);
}

static char *
read_file(const char *path)
{
	_cleanup_close_ int fd = -1;
	char *text = NULL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read_all(fd, 1 << 20, &text, NULL), 0);
	return text;
}

/* The shared fixture, plus shipped profiles searched last and an empty
 * folder of its own as PATH (the user has no user folder yet). */
static int
setup(void **state)
{
	struct fx *fx;

	if (profile_fixture_setup(state) < 0)
		return -1;
	fx = *state;
	fx->shipped_dir = xjoin(fx->dir, "shipped-profiles");
	fx->bin = xjoin(fx->dir, "bin");
	xmkdir(fx->shipped_dir);
	xmkdir(fx->bin);
	fx->dirs[2] = fx->shipped_dir;
	fx->dirs[3] = NULL;
	fx->env.path = fx->bin;
	return 0;
}

/* --- parse helpers -------------------------------------------------------- */

static struct jail_profile *
parse_ok(struct fx *fx, const char *text)
{
	struct jail_profile *p = NULL;
	struct profile_error err = {};
	int r;

	r = profile_parse(text, "test", "/etc/jailsup/profiles/test.ini", &fx->env, &p, &err);
	if (r < 0)
		fail_msg("unexpected error %d: line %u: %s\n--- text:\n%s", r, err.line, err.msg,
		         text);
	assert_non_null(p);
	return p;
}

/* TEXT must fail with -EINVAL on LINE, with NEEDLE in the message. */
static void
parse_fails(struct fx *fx, const char *text, unsigned line, const char *needle)
{
	struct jail_profile *p = NULL;
	struct profile_error err = {};
	int r;

	r = profile_parse(text, "test", "/etc/jailsup/profiles/test.ini", &fx->env, &p, &err);
	if (r != -EINVAL)
		fail_msg("expected -EINVAL, got %d for:\n%s", r, text);
	assert_null(p);
	if (err.line != line || strstr(err.msg, needle) == NULL)
		fail_msg("expected line %u with '%s', got line %u: %s\n--- text:\n%s", line, needle,
		         err.line, err.msg, text);
}

/* "[jail]\nexec = /bin/sh\n" followed by REST, parsed, expected to fail on
 * LINE (counting the two lines in front) with NEEDLE. */
static void
body_fails(struct fx *fx, const char *rest, unsigned line, const char *needle)
{
	_cleanup_free_ char *text = xprintf("[jail]\nexec = /bin/sh\n%s", rest);

	parse_fails(fx, text, line, needle);
}

static struct jail_profile *
body_ok(struct fx *fx, const char *rest)
{
	_cleanup_free_ char *text = xprintf("[jail]\nexec = /bin/sh\n%s", rest);

	return parse_ok(fx, text);
}

/* Names that must never get through anywhere a name enters. */
static const char *const hostile_names[] = {
    "../x",
    "a/b",
    "a\nb",
    "x\x1b[31m",
    "\x7f",
    ".hidden",
    "-rf",
    "",
    "..",
    ".",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
    "a b",
    "a:b",
    "é",
};

/* --- enums ---------------------------------------------------------------- */

static void
test_jail_network_to_string_roundtrip(void **state)
{
	(void) state;
	for (int n = 0; n < _NETWORK_MAX; n++) {
		const char *s = jail_network_to_string((enum jail_network) n);

		assert_non_null(s);
		assert_int_equal(jail_network_from_string(s), n);
	}
	assert_null(jail_network_to_string(_NETWORK_MAX));
	assert_null(jail_network_to_string(_NETWORK_INVALID));
	assert_int_equal(jail_network_from_string("wifi"), _NETWORK_INVALID);
	assert_int_equal(jail_network_from_string("Pasta"), _NETWORK_INVALID);
	assert_int_equal(jail_network_from_string(NULL), _NETWORK_INVALID);
}

static void
test_right_to_string_each_bit(void **state)
{
	static const char *const names[] = {
	    "audio",    "x11",         "wayland", "gpu",         "camera",
	    "network",  "kde-session", "dbus",    "dbus-system", "notifications",
	    "io_uring", "userns",      "portals", "open-uri"};

	(void) state;
	assert_int_equal(ELEMENTSOF(names), _RIGHT_COUNT);
	for (unsigned i = 0; i < _RIGHT_COUNT; i++) {
		assert_string_equal(right_to_string(1u << i), names[i]);
		assert_int_equal(right_from_string(names[i]), 1u << i);
	}
	assert_null(right_to_string(0));
	assert_null(right_to_string(RIGHT_AUDIO | RIGHT_GPU));
	assert_null(right_to_string(1u << _RIGHT_COUNT));
	assert_int_equal(right_from_string("sound"), 0);
	assert_int_equal(right_from_string("Audio"), 0);
	assert_int_equal(right_from_string(""), 0);
	assert_int_equal(right_from_string(NULL), 0);
}

static void
test_profile_limit_to_string_roundtrip(void **state)
{
	(void) state;
	for (int l = 0; l < _LIMIT_MAX; l++)
		assert_int_equal(
		    profile_limit_from_string(profile_limit_to_string((enum profile_limit) l)), l);
	assert_null(profile_limit_to_string(_LIMIT_MAX));
	assert_int_equal(profile_limit_from_string("stack"), _LIMIT_INVALID);
}

/* --- profile_parse -------------------------------------------------------- */

/* Splits S and checks the words against the NULL-terminated WANT. */
static void
check_split(const char *s, const char *const *want)
{
	_cleanup_strv_ char **v = NULL;
	size_t i;

	assert_int_equal(profile_args_split(s, &v, NULL), 0);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[i]);
}

static void
test_profile_args_split_words(void **state)
{
	(void) state;
	check_split("--no-remote --foo", (const char *[]){"--no-remote", "--foo", NULL});
	check_split("  a \t b  ", (const char *[]){"a", "b", NULL});
	check_split("", (const char *[]){NULL});
	check_split(" \t ", (const char *[]){NULL});
	/* Quotes keep blanks; quoted parts join the word they touch. */
	check_split("--title \"two words\"", (const char *[]){"--title", "two words", NULL});
	check_split("--x='a b'c\"d e\"", (const char *[]){"--x=a bcd e", NULL});
	check_split("'it\"s' \"it's\"", (const char *[]){"it\"s", "it's", NULL});
	/* An empty quoted word is a word. */
	check_split("\"\" ''", (const char *[]){"", "", NULL});
	/* A backslash takes the next character, outside '…' only. */
	check_split("a\\ b \"q\\\"x\\\\\" '\\n'", (const char *[]){"a b", "q\"x\\", "\\n", NULL});
	/* Nothing is expanded. */
	check_split("$HOME ~ * `id` $(id)",
	            (const char *[]){"$HOME", "~", "*", "`id`", "$(id)", NULL});
}

static void
test_profile_args_split_errors(void **state)
{
	_cleanup_strv_ char **v = NULL;
	const char *why = NULL;

	(void) state;
	assert_int_equal(profile_args_split("--title \"two words", &v, &why), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(why, "never closed"));
	assert_int_equal(profile_args_split("'open", &v, &why), -EINVAL);
	assert_int_equal(profile_args_split("\"a\\\"", &v, &why), -EINVAL);
	assert_int_equal(profile_args_split("a\\", &v, &why), -EINVAL);
	assert_non_null(strstr(why, "escapes nothing"));
	assert_null(v);
}

static void
test_profile_parse_args(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *again = NULL;
	_cleanup_free_ char *dump = NULL;

	p = parse_ok(fx, "[jail]\nexec = /bin/sh\nargs = -a 'b c'\n");
	assert_string_equal(p->args, "-a 'b c'");
	assert_int_equal(profile_dump(p, &dump), 0);
	assert_non_null(strstr(dump, "\nargs = -a 'b c'\n"));
	again = parse_ok(fx, dump);
	assert_true(profile_equal(p, again));
	parse_fails(fx, "[jail]\nexec = /bin/sh\nargs = -a \"b\n", 3, "invalid value for 'args'");
	parse_fails(fx, "[jail]\nexec = /bin/sh\nargs = a\nargs = b\n", 4, "duplicate key 'args'");
	parse_fails(fx, "[jail]\nexec = /bin/sh\nargs =\n", 3, "empty value for 'args'");
	/* What the dump could not write back (found by fuzz-profile). */
	parse_fails(fx, "[jail]\nexec = /bin/sh\nargs =;x\n", 3, "';' may not start it");
}

static void
test_profile_parse_minimal(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = parse_ok(fx, "[jail]\nexec = /bin/sh\n");

	assert_string_equal(p->name, "test");
	assert_string_equal(p->source, "/etc/jailsup/profiles/test.ini");
	assert_string_equal(p->exec, "/bin/sh");
	assert_null(p->init_script);
	assert_null(p->vpn);
	assert_false(p->network_set);
	assert_false(p->secure);
	assert_false(p->autodelete);
	assert_int_equal(profile_rights(p), RIGHTS_DEFAULT);
	assert_int_equal(profile_network(p), NETWORK_PASTA);
	for (int l = 0; l < _LIMIT_MAX; l++)
		assert_false(p->limits[l].set);
}

static void
test_profile_parse_full(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *dl = xjoin(fx->home, "Downloads"), *music = xjoin(fx->home, "Music");

	p = parse_ok(fx,
	             "[jail]\n"
	             "exec = /usr/bin/firefox\n"
	             "init-script = firefox-init.sh\n"
	             "network = pasta\n"
	             "autodelete = false\n"
	             "secure = false\n"
	             "[rights]\n"
	             "allow = audio, gpu\n"
	             "deny = x11, kde-session\n"
	             "[dbus]\n"
	             "talk = org.freedesktop.portal.Desktop\n"
	             "own = org.mozilla.firefox.*\n"
	             "call = org.freedesktop.Notifications=org.freedesktop.Notifications.Notify@"
	             "/org/freedesktop/Notifications\n"
	             "[dbus-system]\n"
	             "see = org.freedesktop.UPower\n"
	             "[share]\n"
	             "rw = ~/Downloads\n"
	             "ro = ~/Music\n"
	             "[limits]\n"
	             "nofile = 4096\n"
	             "nproc = 512\n"
	             "as = 2G\n"
	             "[network]\n"
	             "forward = 8080\n");
	assert_string_equal(p->init_script, "/etc/jailsup/profiles/firefox-init.sh");
	assert_true(p->network_set);
	assert_int_equal(p->network, NETWORK_PASTA);
	assert_int_equal(p->allow, RIGHT_AUDIO | RIGHT_GPU);
	assert_int_equal(p->deny, RIGHT_X11 | RIGHT_KDE_SESSION);
	assert_int_equal(profile_rights(p), (RIGHTS_DEFAULT | RIGHT_GPU) & ~RIGHT_X11);
	assert_string_equal(p->dbus.talk[0], "org.freedesktop.portal.Desktop");
	assert_null(p->dbus.talk[1]);
	assert_string_equal(p->dbus.own[0], "org.mozilla.firefox.*");
	assert_non_null(p->dbus.call);
	assert_string_equal(p->dbus_system.see[0], "org.freedesktop.UPower");
	assert_int_equal(p->n_shares, 2);
	assert_string_equal(p->shares[0].path, dl);
	assert_true(p->shares[0].rw);
	assert_string_equal(p->shares[1].path, music);
	assert_false(p->shares[1].rw);
	assert_true(p->limits[LIMIT_NOFILE].set);
	assert_int_equal(p->limits[LIMIT_NOFILE].value, 4096);
	assert_int_equal(p->limits[LIMIT_AS].value, UINT64_C(2) << 30);
	assert_false(p->limits[LIMIT_CPU].set);
	assert_int_equal(p->n_forward, 1);
	assert_int_equal(p->forward[0], 8080);
}

static void
test_profile_parse_unknown_section(void **state)
{
	struct fx *fx = *state;

	body_fails(fx, "[sound]\nvolume = 1\n", 3, "unknown section [sound]");
	/* inih never calls the handler for a section without keys: the
	 * reader has to catch it. */
	body_fails(fx, "\n[Jail]\n", 4, "unknown section [Jail]");
	body_fails(fx, "[ jail ]\n", 3, "unknown section [ jail ]");
	/* Control characters in a section name are refused before it is
	 * even looked at, so they never reach a message. */
	body_fails(fx, "[ja\x01il]\n", 3, "control character 0x01");
}

static void
test_profile_parse_unknown_key(void **state)
{
	struct fx *fx = *state;

	body_fails(fx, "foo = bar\n", 3, "unknown key 'foo' in section [jail]");
	body_fails(fx, "[rights]\nsecure = true\n", 4, "unknown key 'secure' in section [rights]");
	body_fails(fx, "Exec = /bin/sh\n", 3, "unknown key 'Exec'");
	body_fails(fx, "[limits]\nstack = 1\n", 4, "unknown key 'stack' in section [limits]");
}

static void
test_profile_parse_key_outside_section(void **state)
{
	struct fx *fx = *state;

	parse_fails(fx, "exec = /bin/sh\n[jail]\nexec = /bin/sh\n", 1,
	            "key 'exec' outside any section");
	parse_fails(fx, "; comment\n\nsecure = true\n", 3, "outside any section");
}

static void
test_profile_parse_duplicate_scalar(void **state)
{
	struct fx *fx = *state;

	body_fails(fx, "secure = true\nsecure = true\n", 4, "duplicate key 'secure'");
	body_fails(fx, "exec = /bin/bash\n", 3, "duplicate key 'exec'");
	/* A continuation line repeats the key: for a scalar, a duplicate. */
	body_fails(fx, "network = none\n  pasta\n", 4, "duplicate key 'network'");
	/* Across two [limits] sections, still the same key. */
	body_fails(fx, "[limits]\nnofile = 64\n[limits]\nnofile = 128\n", 6,
	           "duplicate key 'nofile'");
}

static void
test_profile_parse_list_keys_accumulate(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;

	p = body_ok(fx, "[rights]\n"
	                "allow = audio,\n"
	                "  gpu\n"
	                "allow = camera\n"
	                "[dbus]\n"
	                "talk = org.a.One\n"
	                "\torg.a.Two ,  org.a.Three\n"
	                "talk = org.a.One\n" /* repeated: kept once */
	                "[network]\n"
	                "forward = 443\n"
	                "forward = 80, 443\n");
	assert_int_equal(p->allow, RIGHT_AUDIO | RIGHT_GPU | RIGHT_CAMERA);
	assert_int_equal(strv_length(p->dbus.talk), 3);
	assert_string_equal(p->dbus.talk[1], "org.a.Two");
	assert_string_equal(p->dbus.talk[2], "org.a.Three");
	assert_int_equal(p->n_forward, 2);
	assert_int_equal(p->forward[0], 80);
	assert_int_equal(p->forward[1], 443);
}

static void
test_profile_parse_empty_items(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;

	body_fails(fx, "[rights]\nallow = audio,,gpu\n", 4, "empty item in 'allow'");
	body_fails(fx, "[rights]\nallow = ,audio\n", 4, "empty item in 'allow'");
	body_fails(fx, "[rights]\ndeny = audio, ,gpu\n", 4, "empty item in 'deny'");
	body_fails(fx, "[rights]\ndeny = ,\n", 4, "empty item in 'deny'");
	body_fails(fx, "[share]\nro =\n", 4, "empty item in 'ro'");
	body_fails(fx, "[network]\nforward = 80,,\n", 4, "empty item in 'forward'");
	body_fails(fx, "init-script =\n", 3, "empty value for 'init-script'");
	parse_fails(fx, "[jail]\nexec =   \n", 2, "empty value for 'exec'");
	/* One trailing comma is allowed, for lists over several lines. */
	p = body_ok(fx, "[rights]\nallow = audio,\n");
	assert_int_equal(p->allow, RIGHT_AUDIO);
}

static void
test_profile_parse_line_length(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *ok = NULL, *bad = NULL, *ok_text = NULL, *bad_text = NULL;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;

	/* A comment line of exactly PROFILE_LINE_MAX characters is fine,
	 * one more is refused (inih would split it and misparse the rest). */
	ok = calloc(1, PROFILE_LINE_MAX + 1);
	bad = calloc(1, PROFILE_LINE_MAX + 2);
	assert_non_null(ok);
	assert_non_null(bad);
	memset(ok, 'x', PROFILE_LINE_MAX);
	memset(bad, 'x', PROFILE_LINE_MAX + 1);
	ok[0] = bad[0] = ';';
	ok_text = xprintf("[jail]\nexec = /bin/sh\n%s\nsecure = true\n", ok);
	bad_text = xprintf("[jail]\nexec = /bin/sh\n%s\nsecure = true\n", bad);
	p = parse_ok(fx, ok_text);
	assert_true(p->secure);
	parse_fails(fx, bad_text, 3, "line too long (at most 198 characters)");
	/* An overlong key line: the error names it, not a later line. */
	bad[0] = 'k';
	bad[1] = '=';
	free(bad_text);
	bad_text = xprintf("[jail]\n%s\nexec = /bin/sh\n", bad);
	parse_fails(fx, bad_text, 2, "line too long");
}

static void
test_profile_parse_value_too_long(void **state)
{
	struct fx *fx = *state;
	char item[PROFILE_VALUE_MAX + 2];
	_cleanup_free_ char *text = NULL, *text2 = NULL;

	memset(item, 'a', sizeof(item) - 1);
	item[0] = '/';
	item[sizeof(item) - 1] = '\0';
	text = xprintf("[jail]\nexec = %s\n", item);
	parse_fails(fx, text, 2, "value of 'exec' too long (at most 180 characters)");
	text2 = xprintf("[jail]\nexec = /bin/sh\n[share]\nro = %s\n", item);
	parse_fails(fx, text2, 4, "item in 'ro' too long");
}

static void
test_profile_parse_control_characters(void **state)
{
	struct fx *fx = *state;

	parse_fails(fx, "[jail]\nexec = /bin/sh\x1b[2J\n", 2, "control character 0x1b");
	parse_fails(fx, "[jail]\nexec = /bin/sh\rsecure = true\n", 2, "control character 0x0d");
	parse_fails(fx, "[jail]\n; \x07 bell\nexec = /bin/sh\n", 2, "control character 0x07");
	parse_fails(fx, "[jail]\nexec = /bin/\x7fsh\n", 2, "control character 0x7f");
}

static void
test_profile_parse_crlf_and_bom(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;

	p = parse_ok(fx, "[jail]\r\nexec = /bin/sh\r\nsecure = yes\r\n");
	assert_string_equal(p->exec, "/bin/sh");
	assert_true(p->secure);
	q = parse_ok(fx, "\xef\xbb\xbf[jail]\nexec = /bin/sh\n");
	assert_string_equal(q->exec, "/bin/sh");
	/* Line numbers still count every line of a CRLF file. */
	parse_fails(fx, "[jail]\r\nexec = /bin/sh\r\n\r\nfoo = 1\r\n", 4, "unknown key 'foo'");
}

static void
test_profile_parse_syntax_errors(void **state)
{
	struct fx *fx = *state;

	body_fails(fx, "/usr/bin/firefox\n", 3, "expected 'key = value' or '[section]'");
	body_fails(fx, "[rights\nallow = audio\n", 3, "expected ']'");
	body_fails(fx, "[rights] allow = audio\n", 3, "unexpected text after ']'");
	body_fails(fx, "[rights];x\n", 3, "unexpected text after ']'");
	/* Text after ']' that is a comment is fine. */
	{
		_cleanup_(profile_freep) struct jail_profile *p =
		    body_ok(fx, "[rights] ; comment\nallow = audio\n");

		assert_int_equal(p->allow, RIGHT_AUDIO);
	}
	/* An indented line after a key continues it (inih, like Python's
	 * configparser): an indented section header is a value. */
	body_fails(fx, "[rights]\nallow = audio\n  [dbus]\n", 5, "unknown right '[dbus]'");
}

static void
test_profile_parse_missing_exec(void **state)
{
	struct fx *fx = *state;

	parse_fails(fx, "; nothing\n[jail]\nsecure = true\n", 2,
	            "missing required key 'exec' in section [jail]");
	parse_fails(fx, "[rights]\nallow = audio\n", 0, "missing required key 'exec'");
	parse_fails(fx, "", 0, "missing required key 'exec'");
	parse_fails(fx, "[jail]\nexec = ;x\n", 2, "empty value for 'exec'");
	parse_fails(fx, "[jail]\nexec =;x\n", 2, "'exec' must not start with ';'");
	parse_fails(fx, "[jail]\nexec = ~root/x\n", 2, "only '~' and '~/' are expanded");
	parse_fails(fx, "[jail]\nexec = $NOPE/x\n", 2, "unknown variable");
}

static void
test_profile_parse_booleans(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *word;
		bool value;
	} ok[] = {{"true", true},   {"yes", true}, {"1", true},
	          {"false", false}, {"no", false}, {"0", false}};
	static const char *const bad[] = {"maybe", "TRUE", "on", "off", "2", "y", "truee"};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *text =
		    xprintf("secure = %s\nautodelete = %s\n", ok[i].word, ok[i].word);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);

		assert_int_equal(p->secure, ok[i].value);
		assert_int_equal(p->autodelete, ok[i].value);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = xprintf("autodelete = %s\n", bad[i]);

		body_fails(fx, text, 3, "for 'autodelete' (expected true or false)");
	}
}

static void
test_profile_parse_network(void **state)
{
	struct fx *fx = *state;
	static const char *const words[] = {"none", "pasta", "host", "vpn"};

	for (int n = 0; n < 3; n++) {
		_cleanup_free_ char *text = xprintf("network = %s\n", words[n]);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);

		assert_true(p->network_set);
		assert_int_equal(p->network, n);
		assert_int_equal(profile_network(p), n);
	}
	body_fails(fx, "network = wifi\n", 3, "invalid value 'wifi' for 'network'");
	body_fails(fx, "network = Pasta\n", 3, "invalid value 'Pasta' for 'network'");
	body_fails(fx, "network = vpn\n", 3, "network = vpn needs 'vpn'");
}

static void
test_profile_parse_vpn(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL, *r = NULL;
	_cleanup_free_ char *ovpn = xjoin(fx->home, "vpn/work.ovpn");

	/* Relative to the profile's folder; implies network = vpn. */
	p = body_ok(fx, "vpn = work.ovpn\n");
	assert_string_equal(p->vpn, "/etc/jailsup/profiles/work.ovpn");
	assert_false(p->network_set);
	assert_int_equal(profile_network(p), NETWORK_VPN);
	q = body_ok(fx, "network = vpn\nvpn = ~/vpn/work.ovpn\n");
	assert_string_equal(q->vpn, ovpn);
	assert_int_equal(profile_network(q), NETWORK_VPN);
	/* secure = true denies the network right, not a tunnel the user
	 * names: never a silent jail without network. */
	r = body_ok(fx, "secure = true\nvpn = work.ovpn\n");
	assert_int_equal(profile_network(r), NETWORK_VPN);

	/* An explicit other network contradicts it, in either order. */
	body_fails(fx, "network = pasta\nvpn = a.ovpn\n", 4, "'vpn' contradicts network = pasta");
	body_fails(fx, "vpn = a.ovpn\nnetwork = host\n", 4, "network = host contradicts 'vpn'");
	body_fails(fx, "vpn = a.ovpn\nnetwork = none\n", 4, "network = none contradicts 'vpn'");
	body_fails(fx, "vpn = ../a.ovpn\n", 3, "'..' is not allowed");
}

static void
test_profile_parse_relative_paths_need_source(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	struct profile_error err = {};

	assert_int_equal(profile_parse("[jail]\nexec = /bin/sh\ninit-script = init.sh\n", "t", NULL,
	                               &fx->env, &p, &err),
	                 -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "needs the profile's own path"));
	/* A relative source is no better: its folder depends on the cwd. */
	assert_int_equal(profile_parse("[jail]\nexec = /bin/sh\nvpn = a.ovpn\n", "t", "rel/t.ini",
	                               &fx->env, &p, &err),
	                 -EINVAL);
	/* Absolute and ~ paths do not need it. */
	assert_int_equal(profile_parse("[jail]\nexec = /bin/sh\ninit-script = ~/init.sh\n", "t",
	                               NULL, &fx->env, &p, &err),
	                 0);
	assert_non_null(p->init_script);
	assert_null(p->source);
}

static void
test_profile_parse_rights(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;

	p = body_ok(fx, "[rights]\nallow = camera, dbus-system\ndeny = dbus, notifications\n");
	assert_int_equal(profile_rights(p), (RIGHTS_DEFAULT | RIGHT_CAMERA | RIGHT_DBUS_SYSTEM) &
	                                        ~(RIGHT_DBUS | RIGHT_NOTIFICATIONS));
	body_fails(fx, "[rights]\nallow = audio, sound\n", 4,
	           "unknown right 'sound' (known: audio, x11, wayland, gpu, camera, network, "
	           "kde-session, dbus, dbus-system, notifications, io_uring, userns, portals, open-uri)");
	body_fails(fx, "[rights]\ndeny = X11\n", 4, "unknown right 'X11'");
	body_fails(fx, "[rights]\nallow = audio gpu\n", 4, "unknown right 'audio gpu'");
	body_fails(fx, "[rights]\nallow = gpu\ndeny = gpu\n", 5,
	           "right 'gpu' is both allowed and denied");
	body_fails(fx, "[rights]\ndeny = gpu\nallow = camera,gpu\n", 5, "both allowed and denied");
	/* io_uring would make the sockets and set the options the userns
	 * filter refuses a nested root. */
	body_fails(fx, "[rights]\nallow = io_uring, userns\n", 4,
	           "rights 'io_uring' and 'userns' cannot go together");
	body_fails(fx, "[rights]\nallow = userns\nallow = io_uring\n", 5, "cannot go together");
}

static void
test_profile_parse_network_denied(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;

	body_fails(fx, "network = pasta\n[rights]\ndeny = network\n", 5,
	           "denying 'network' contradicts network = pasta");
	body_fails(fx, "network = host\n[rights]\ndeny = network\n", 5,
	           "contradicts network = host");
	parse_fails(fx, "[rights]\ndeny = network\n[jail]\nexec = /bin/sh\nnetwork = pasta\n", 5,
	            "network = pasta contradicts 'network' in [rights] deny");
	parse_fails(fx, "[rights]\ndeny = network\n[jail]\nexec = /bin/sh\nvpn = a.ovpn\n", 5,
	            "'vpn' contradicts 'network' in [rights] deny");
	body_fails(fx, "vpn = a.ovpn\n[rights]\ndeny = network\n", 5,
	           "denying 'network' contradicts 'vpn'");
	/* network = none and a denied network right agree. */
	p = body_ok(fx, "network = none\n[rights]\ndeny = network\n");
	assert_int_equal(profile_network(p), NETWORK_NONE);
}

static void
test_profile_parse_dbus_names(void **state)
{
	struct fx *fx = *state;
	static const char *const ok[] = {
	    "org.example.App",
	    "org.example.*",
	    "org.freedesktop.portal.Desktop",
	    "org.freedesktop.portal.Documents",
	    "org.freedesktop.Notifications",
	    "org.freedesktop.systemd1x",
	    "a.b",
	    "org_1.ex-ample.App",
	    "org.mpris.MediaPlayer2.firefox.*",
	    "_a.-b",
	};
	static const char *const bad[] = {
	    "org",
	    "org.*",
	    "*",
	    ".org.example",
	    "org.example.",
	    "org..example",
	    "org.1example",
	    ":1.42",
	    "org.example.App.**",
	    "org.ex ample",
	    "org.example.*.x",
	    "org.ex/ample",
	    "org.example.App*",
	    "org.exa=mple",
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *text = xprintf("[dbus]\ntalk = %s\n", ok[i]);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);

		assert_string_equal(p->dbus.talk[0], ok[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = xprintf("[dbus-system]\nown = %s\n", bad[i]);
		_cleanup_free_ char *needle = xprintf("invalid bus name '%s' in 'own'", bad[i]);

		body_fails(fx, text, 4, needle);
	}
}

/* Talking to a service that runs programs on the host would undo the
 * jail: such talk and call rules are refused, wildcards that cover one
 * too; seeing one, or any other rule, is not. */
static void
test_profile_parse_dbus_escapes(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *line, *name;
	} bad[] = {
		{ "talk = org.freedesktop.portal.*", "org.freedesktop.portal.Flatpak" },
		{ "talk = org.freedesktop.portal.Flatpak", "org.freedesktop.portal.Flatpak" },
		{ "talk = org.freedesktop.*", "org.freedesktop.portal.Flatpak" },
		{ "talk = org.freedesktop.Flatpak", "org.freedesktop.Flatpak" },
		{ "talk = org.freedesktop.systemd1", "org.freedesktop.systemd1" },
		{ "talk = org.freedesktop.systemd1.*", "org.freedesktop.systemd1" },
		{ "call = org.freedesktop.portal.Flatpak=*", "org.freedesktop.portal.Flatpak" },
		{ "call = org.freedesktop.*=org.x.Y.Z", "org.freedesktop.portal.Flatpak" },
	};
	static const char *const ok[] = {
		"see = org.freedesktop.systemd1",
		"own = org.freedesktop.portal.*",
		"broadcast = org.freedesktop.portal.*=@/org/freedesktop/portal/*",
		"talk = org.freedesktop.portal.Desktop",
		"talk = org.freedesktop.systemd",
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = xprintf("[dbus]\n%s\n", bad[i].line);
		_cleanup_free_ char *needle =
		    xprintf("would let the jail talk to %s, which runs programs", bad[i].name);

		body_fails(fx, text, 4, needle);
	}
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *text = xprintf("[dbus-system]\n%s\n", ok[i]);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);

		assert_non_null(p);
	}
}

/* [dbus] own-private: names, not rules; never also own; not in
 * [dbus-system] (the system bus has no private twin); kept through the dump
 * (the jailer reads the dump) and never given to the proxy. */
static void
test_profile_parse_own_private(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;
	_cleanup_strv_ char **rules = NULL;
	_cleanup_free_ char *dump = NULL;

	p = body_ok(fx, "[dbus]\nown-private = org.gnome.Evince, org.mozilla.firefox.*\n"
	                "own = org.mpris.MediaPlayer2.evince\n");
	assert_int_equal(strv_length(p->dbus.own_private), 2);
	assert_string_equal(p->dbus.own_private[1], "org.mozilla.firefox.*");
	assert_int_equal(profile_dump(p, &dump), 0);
	assert_non_null(strstr(dump, "own-private = org.gnome.Evince, org.mozilla.firefox.*\n"));
	q = parse_ok(fx, dump);
	assert_true(profile_equal(p, q));
	assert_int_equal(dbus_proxy_rules(&p->dbus, RIGHT_DBUS, &rules), 0);
	for (char **r = rules; *r != NULL; r++)
		if (strstr(*r, "Evince") != NULL || strstr(*r, "firefox") != NULL)
			fail_msg("an own-private name reaches the proxy: %s", *r);
	assert_true(strv_contains(rules, "--own=org.mpris.MediaPlayer2.evince"));

	body_fails(fx, "[dbus]\nown-private = org.gnome.Evince\nown = org.gnome.Evince\n", 5,
	           "'org.gnome.Evince' in 'own' overlaps 'org.gnome.Evince' in 'own-private'");
	body_fails(fx, "[dbus]\nown = org.gnome.Evince\nown-private = org.gnome.Evince\n", 5,
	           "'org.gnome.Evince' in 'own-private' overlaps 'org.gnome.Evince' in 'own'");
	/* Patterns cover every name they match, in both orders. */
	body_fails(fx, "[dbus]\nown-private = org.example.App\nown = org.example.*\n", 5,
	           "'org.example.*' in 'own' overlaps 'org.example.App' in 'own-private'");
	body_fails(fx, "[dbus]\nown = org.example.*\nown-private = org.example.App\n", 5,
	           "'org.example.App' in 'own-private' overlaps 'org.example.*' in 'own'");
	body_fails(fx, "[dbus]\nown = org.example.App.Sub\nown-private = org.example.*\n", 5,
	           "'org.example.*' in 'own-private' overlaps 'org.example.App.Sub' in 'own'");
	body_fails(fx, "[dbus]\nown = org.example.a.*\nown-private = org.example.*\n", 5,
	           "overlaps 'org.example.a.*' in 'own'");
	body_fails(fx, "[dbus]\nown = org.example.*\nown-private = org.example.a.*\n", 5,
	           "overlaps 'org.example.*' in 'own'");
	/* A common prefix that is not a whole element is no overlap. */
	profile_freep(&q);
	q = body_ok(fx, "[dbus]\nown = org.example.Apps.*\nown-private = org.example.App\n");
	assert_int_equal(strv_length(q->dbus.own), 1);
	body_fails(fx, "[dbus]\nown-private = :1.42\n", 4, "invalid bus name ':1.42'");
	body_fails(fx, "[dbus]\nown-private = org.*\n", 4, "invalid bus name 'org.*'");
	body_fails(fx, "[dbus-system]\nown-private = org.gnome.Evince\n", 4, "own-private");
}

static void
test_profile_parse_dbus_rules(void **state)
{
	struct fx *fx = *state;
	static const char *const ok[] = {
	    "org.example.A=",
	    "org.example.A=*",
	    "org.example.A=org.example.Iface.Method",
	    "org.example.A=org.example.Iface.*",
	    "org.example.A=@/org/example",
	    "org.example.A=@/org/example/*",
	    "org.example.A=@/",
	    "org.example.A=@/*",
	    "org.example.*=*@/org/x_1/*",
	    "org.freedesktop.Notifications=org.freedesktop.Notifications.Notify@"
	    "/org/freedesktop/Notifications",
	};
	static const struct {
		const char *rule, *why;
	} bad[] = {
	    {"org.example.A", "expected NAME=[METHOD][@PATH]"},
	    {"org=*", "invalid bus name before '='"},
	    {"=*", "invalid bus name before '='"},
	    {"org.example.A=Notify", "invalid method"},
	    {"org.example.A=*Notify", "invalid method"},
	    {"org.example.A=**", "invalid method"},
	    {"org.example.A=org.ex-ample.I.M", "invalid method"},
	    {"org.example.A=org.example.I.1M", "invalid method"},
	    {"org.example.A=org.example.I.", "invalid method"},
	    {"org.example.A=.M", "invalid method"},
	    {"org.example.A=org.example.I.M@", "invalid object path"},
	    {"org.example.A=@org/example", "invalid object path"},
	    {"org.example.A=@/org/example/", "invalid object path"},
	    {"org.example.A=@/org//example", "invalid object path"},
	    {"org.example.A=@//*", "invalid object path"},
	    {"org.example.A=@/org/ex-ample", "invalid object path"},
	    {"org.example.A=@/org/*/x", "invalid object path"},
	    {"org.example.A=@/a@/b", "invalid object path"},
	    {"org.example.A=org.example.I.M=x", "invalid method"},
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *text =
		    xprintf("[dbus]\ncall = %s\nbroadcast = %s\n", ok[i], ok[i]);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);

		assert_string_equal(p->dbus.call[0], ok[i]);
		assert_string_equal(p->dbus.broadcast[0], ok[i]);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = xprintf("[dbus]\nbroadcast = %s\n", bad[i].rule);
		_cleanup_free_ char *needle =
		    xprintf("invalid rule '%s' in 'broadcast': %s", bad[i].rule, bad[i].why);

		body_fails(fx, text, 4, needle);
	}
}

static void
test_profile_parse_shares(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *a = xjoin(fx->home, "a"), *ab = xjoin(fx->home, "a/b"),
	                    *fonts = xjoin(fx->data, "fonts"), *cfg = xjoin(fx->config, "app");

	p = body_ok(fx, "[share]\n"
	                "ro = ~/a/b, $XDG_DATA_HOME/fonts\n"
	                "rw = ${HOME}//a/./, ${XDG_CONFIG_HOME}/app\n"
	                "rw = ~/a\n");
	/* Sorted by path: a folder before what is inside it. */
	assert_int_equal(p->n_shares, 4);
	assert_string_equal(p->shares[0].path, cfg);
	assert_true(p->shares[0].rw);
	assert_string_equal(p->shares[1].path, fonts);
	assert_false(p->shares[1].rw);
	assert_string_equal(p->shares[2].path, a);
	assert_true(p->shares[2].rw);
	assert_string_equal(p->shares[3].path, ab);
	assert_false(p->shares[3].rw);

	body_fails(fx, "[share]\nrw = ~/x\nro = ~/x/\n", 5,
	           "is shared both read-write and read-only");
	body_fails(fx, "[share]\nrw = Downloads\n", 4, "not an absolute path");
	body_fails(fx, "[share]\nrw = ~/a/../b\n", 4, "'..' is not allowed");
	body_fails(fx, "[share]\nrw = $FOO/x\n", 4, "unknown variable");
	body_fails(fx, "[share]\nrw = $HOMEx\n", 4, "must be followed by '/'");
	body_fails(fx, "[share]\nrw = ${HOME\n", 4, "missing '}'");
	body_fails(fx, "[share]\nrw = ~user/x\n", 4, "only '~' and '~/' are expanded");
}

static void
test_profile_parse_share_refusals(void **state)
{
	struct fx *fx = *state;
	static const char *const refused[] = {
	    "/",
	    "~",
	    "$HOME",
	    "~/",
	    "/tmp",
	    "$XDG_CONFIG_HOME",
	    "~/.config",
	    "$XDG_CONFIG_HOME/jailsup",
	    "$XDG_CONFIG_HOME/jailsup/profiles/x.ini",
	    "$XDG_DATA_HOME/jailsup",
	    "~/.local",
	    "$XDG_DATA_HOME/jailsup/jails/x/home",
	    "$XDG_RUNTIME_DIR",
	    "${XDG_RUNTIME_DIR}/jailsup/jails/x",
	    "~/.config/autostart",
	    "~/.config/autostart/x.desktop",
	};

	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		_cleanup_free_ char *text = xprintf("[share]\nro = %s\n", refused[i]);

		body_fails(fx, text, 4, "is refused");
	}
}

static void
test_profile_parse_limits(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *key, *value;
		uint64_t expect;
	} ok[] = {
	    {"nofile", "16", 16},
	    {"nofile", "1048576", 1048576},
	    {"nproc", "1", 1},
	    {"nproc", "unlimited", LIMIT_UNLIMITED},
	    {"core", "0", 0},
	    {"core", "1K", 1024},
	    {"core", "3T", UINT64_C(3) << 40},
	    {"as", "16M", UINT64_C(16) << 20},
	    {"as", "4G", UINT64_C(4) << 30},
	    {"as", "unlimited", LIMIT_UNLIMITED},
	    {"cpu", "1", 1},
	    {"cpu", "18446744073709551614", UINT64_MAX - 1},
	};
	static const struct {
		const char *key, *value;
	} bad[] = {
	    {"nofile", "15"},
	    {"nofile", "1048577"},
	    {"nofile", "unlimited"},
	    {"nofile", "4K"},
	    {"nproc", "0"},
	    {"nproc", "4194305"},
	    {"nproc", "1M"},
	    {"core", "-1"},
	    {"core", "1k"},
	    {"core", "1KB"},
	    {"core", "K"},
	    {"core", "0x10"},
	    {"core", "16777216T"},
	    {"as", "15M"},
	    {"as", "1 G"},
	    {"cpu", "0"},
	    {"cpu", "18446744073709551615"},
	    {"cpu", "99999999999999999999"},
	    {"cpu", "010"},
	    {"cpu", "+5"},
	    {"cpu", "Unlimited"},
	};

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *text = xprintf("[limits]\n%s = %s\n", ok[i].key, ok[i].value);
		_cleanup_(profile_freep) struct jail_profile *p = body_ok(fx, text);
		enum profile_limit l = profile_limit_from_string(ok[i].key);

		assert_true(p->limits[l].set);
		assert_true(p->limits[l].value == ok[i].expect);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text =
		    xprintf("[limits]\n%s = %s\n", bad[i].key, bad[i].value);
		_cleanup_free_ char *needle =
		    xprintf("invalid value '%s' for '%s'", bad[i].value, bad[i].key);

		body_fails(fx, text, 4, needle);
	}
}

static void
test_profile_parse_forward(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	static const char *const bad[] = {"0", "65536", "http", "-1", "080", "1.5", "80 443"};

	p = body_ok(fx, "[network]\nforward = 65535, 1, 8080, 1\n");
	assert_int_equal(p->n_forward, 3);
	assert_int_equal(p->forward[0], 1);
	assert_int_equal(p->forward[1], 8080);
	assert_int_equal(p->forward[2], 65535);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_free_ char *text = xprintf("[network]\nforward = %s\n", bad[i]);

		body_fails(fx, text, 4, "invalid port");
	}
}

static void
test_profile_parse_list_cap(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	fputs("[jail]\nexec = /bin/sh\n[network]\n", f);
	for (unsigned port = 1; port <= PROFILE_LIST_MAX + 1; port++)
		fprintf(f, "forward = %u\n", port);
	assert_int_equal(fclose(f), 0);
	parse_fails(fx, text, 3 + PROFILE_LIST_MAX + 1, "too many items in 'forward'");
}

static void
test_profile_parse_first_error_wins(void **state)
{
	struct fx *fx = *state;

	/* The earliest line comes first, whatever kind each error is. */
	parse_fails(fx, "[jail]\nexec = /bin/sh\nsecure = perhaps\n[nope]\n", 3, "'perhaps'");
	parse_fails(fx, "[jail]\nbogus\nexec = /bin/sh\nsecure = perhaps\n", 2,
	            "expected 'key = value'");
	parse_fails(fx, "[nope]\n[jail]\n", 1, "unknown section [nope]");
	/* A line error comes before the checks at the end. */
	parse_fails(fx, "[jail]\nsecure = x\n", 2, "invalid value 'x'");
}

/* Every error of TEXT, as "LINE: message" lines. */
static char *
all_errors(struct fx *fx, const char *text)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_strv_ char **lines = NULL;
	struct profile_error err = {};
	char *out = NULL, *next;

	assert_int_equal(
	    profile_parse(text, "test", "/etc/jailsup/profiles/test.ini", &fx->env, &p, &err),
	    -EINVAL);
	assert_int_equal(profile_error_lines(&err, "t", &lines), 0);
	for (char **l = lines; *l != NULL; l++) {
		assert_true(asprintf(&next, "%s%s\n", out != NULL ? out : "", *l) > 0);
		free(out);
		out = next;
	}
	return out;
}

static void
test_profile_parse_every_error(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
	_cleanup_free_ char *many = NULL;
	FILE *f;
	size_t len;

	/* Each bad line once, in order, and the check at the end last. */
	a = all_errors(fx, "[jail]\nsecure = perhaps\nnetwork = wifi\n[limits]\nnofile = 1\n");
	assert_string_equal(a,
	                    "t:2: invalid value 'perhaps' for 'secure' (expected true or false)\n"
	                    "t:3: invalid value 'wifi' for 'network' (expected none, pasta, "
	                    "host or vpn)\n"
	                    "t:5: invalid value '1' for 'nofile' (expected a number from 16 "
	                    "to 1048576)\n"
	                    "t:1: missing required key 'exec' in section [jail]\n");
	/* The keys below an unknown or broken header are skipped, not taken
	 * for keys of the section before it (here: a duplicate exec). */
	b = all_errors(fx, "[jail]\nexec = /bin/sh\n[nope]\nexec = /bin/x\nsecure = 1\n"
	                   "[jail\nexec = /bin/y\n[limits]\nnofile = 1\n");
	assert_string_equal(b, "t:3: unknown section [nope] (known: jail, rights, dbus, "
	                       "dbus-system, share, limits, network)\n"
	                       "t:6: expected ']' at the end of the section header\n"
	                       "t:9: invalid value '1' for 'nofile' (expected a number from 16 "
	                       "to 1048576)\n");
	/* A bad value of exec is reported on its line, not as missing too;
	 * nor is exec missing when a refused line may have held it. */
	c = all_errors(fx, "[jail]\nexec = bin/sh\n");
	assert_string_equal(c, "t:2: 'exec' must be an absolute path, '~/…', or a program name "
	                       "found in $PATH, not 'bin/sh'\n");
	d = all_errors(fx, "[jail]\nexec = /bin/sh\x1b\n");
	assert_string_equal(d, "t:2: control character 0x1b in line\n");
	/* Keys outside any section: each one. */
	e = all_errors(fx, "a = 1\nb = 2\n[jail]\nexec = /bin/sh\n");
	assert_string_equal(e, "t:1: key 'a' outside any section\n"
	                       "t:2: key 'b' outside any section\n");

	/* Bounded: the first PROFILE_ERRORS_MAX, then a count of the rest. */
	f = open_memstream(&many, &len);
	assert_non_null(f);
	fputs("[jail]\nexec = /bin/sh\n", f);
	for (int i = 0; i < PROFILE_ERRORS_MAX + 5; i++)
		fprintf(f, "bad%d\n", i);
	assert_int_equal(fclose(f), 0);
	free(a);
	a = all_errors(fx, many);
	assert_non_null(strstr(a, "t:3: expected"));
	assert_non_null(strstr(a, "t:22: expected"));
	assert_null(strstr(a, "t:23:"));
	assert_non_null(strstr(a, "\nt: and 5 more errors\n"));
}

static void
test_profile_parse_hostile_names(void **state)
{
	struct fx *fx = *state;

	for (size_t i = 0; i < ELEMENTSOF(hostile_names); i++) {
		struct jail_profile *p = NULL;
		struct profile_error err = {};

		assert_int_equal(profile_parse("[jail]\nexec = /bin/sh\n", hostile_names[i], NULL,
		                               &fx->env, &p, &err),
		                 -EINVAL);
		assert_null(p);
		assert_int_equal(err.line, 0);
		assert_non_null(strstr(err.msg, "invalid profile name"));
		/* Never a raw control character in a message. */
		for (const char *c = err.msg; *c != '\0'; c++)
			assert_false((unsigned char) *c < 0x20 || *c == 0x7f);
	}
	{
		struct jail_profile *p = NULL;
		struct profile_error err = {};

		assert_int_equal(
		    profile_parse("[jail]\nexec = /bin/sh\n", NULL, NULL, &fx->env, &p, &err),
		    -EINVAL);
	}
}

/* --- profile_dump --------------------------------------------------------- */

static void
test_profile_dump_roundtrip(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;
	_cleanup_free_ char *dump = NULL, *dump2 = NULL;

	p = parse_ok(fx, "[jail]\nexec = ~/bin/x\ninit-script = i.sh\nnetwork = vpn\nvpn = v.ovpn\n"
	                 "secure = yes\n[rights]\nallow = network\ndeny = camera\n"
	                 "[dbus]\nsee = org.a.B\n[dbus-system]\ncall = org.a.B=*@/x/*\n"
	                 "[share]\nro = ~/Music\nrw = ~/Downloads\n[limits]\ncore = 0\n"
	                 "as = 1073741824\nnproc = unlimited\n[network]\nforward = 22\n");
	assert_int_equal(profile_dump(p, &dump), 0);
	q = parse_ok(fx, dump);
	assert_true(profile_equal(p, q));
	assert_int_equal(profile_dump(q, &dump2), 0);
	assert_string_equal(dump, dump2);
	assert_non_null(strstr(dump, "as = 1G\n"));
	assert_non_null(strstr(dump, "exec = ~/bin/x\n"));
	assert_non_null(strstr(dump, "secure = true\n"));
	/* Defaults are omitted, but never exec and the two booleans. */
	assert_null(strstr(dump, "nofile"));
}

/* x11 = yes | host | no: the right, and host kept through the dump (the
 * jailer reads the dump), a bad value and a contradiction refused. */
static void
test_profile_x11_key(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL, *y = NULL, *n = NULL;
	_cleanup_free_ char *dump = NULL;

	p = parse_ok(fx, "[jail]\nexec = /bin/sh\nsecure = true\n[rights]\nx11 = host\n");
	assert_true(p->x11_host);
	assert_true(profile_rights(p) & RIGHT_X11);
	assert_int_equal(profile_dump(p, &dump), 0);
	assert_non_null(strstr(dump, "x11 = host\n"));
	q = parse_ok(fx, dump);
	assert_true(profile_equal(p, q));
	y = parse_ok(fx, "[jail]\nexec = /bin/sh\nsecure = true\n[rights]\nx11 = yes\n");
	assert_false(y->x11_host);
	assert_true(profile_rights(y) & RIGHT_X11);
	assert_false(profile_equal(p, y));
	n = parse_ok(fx, "[jail]\nexec = /bin/sh\n[rights]\nx11 = no\n");
	assert_false(profile_rights(n) & RIGHT_X11);
	body_fails(fx, "[rights]\nx11 = maybe\n", 4,
	           "invalid value 'maybe' for 'x11' (expected yes, host or no)");
	body_fails(fx, "[rights]\ndeny = x11\nx11 = host\n", 5, "both allowed and denied");
	body_fails(fx, "[rights]\nx11 = yes\nx11 = host\n", 5, "duplicate key 'x11'");
}

/* clipboard = off | to-jail | both: to-jail when silent, off when silent
 * with secure = true; kept through the dump (the supervisor's copy); an
 * unknown value refused with its line. */
static void
test_profile_clipboard_key(void **state)
{
	static const struct {
		const char *body;
		enum profile_clipboard want;
	} cases[] = {
	    {"[jail]\nexec = /bin/sh\n", CLIPBOARD_TO_JAIL},
	    {"[jail]\nexec = /bin/sh\nsecure = true\n[rights]\nallow = x11\n", CLIPBOARD_OFF},
	    {"[jail]\nexec = /bin/sh\n[rights]\nclipboard = off\n", CLIPBOARD_OFF},
	    {"[jail]\nexec = /bin/sh\n[rights]\nclipboard = to-jail\n", CLIPBOARD_TO_JAIL},
	    {"[jail]\nexec = /bin/sh\nsecure = true\n[rights]\nclipboard = both\n", CLIPBOARD_BOTH},
	};
	struct fx *fx = *state;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;
		_cleanup_free_ char *dump = NULL;

		p = parse_ok(fx, cases[i].body);
		assert_int_equal(profile_clipboard(p), cases[i].want);
		assert_int_equal(profile_dump(p, &dump), 0);
		q = parse_ok(fx, dump);
		assert_true(profile_equal(p, q));
		assert_int_equal(profile_clipboard(q), cases[i].want);
	}
	body_fails(fx, "[rights]\nclipboard = on\n", 4,
	           "invalid value 'on' for 'clipboard' (expected off, to-jail or both)");
	body_fails(fx, "[rights]\nclipboard = off\nclipboard = both\n", 5,
	           "duplicate key 'clipboard'");
}

static void
test_profile_dump_minimal(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = parse_ok(fx, "[jail]\nexec=/bin/sh\n");
	_cleanup_free_ char *dump = NULL;

	assert_int_equal(profile_dump(p, &dump), 0);
	assert_string_equal(dump, "[jail]\nexec = /bin/sh\nautodelete = false\nsecure = false\n");
}

static void
test_profile_dump_wraps_long_lists(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;
	_cleanup_free_ char *text = NULL, *dump = NULL;
	size_t size = 0, longest = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	fputs("[jail]\nexec = /bin/sh\n[dbus]\n", f);
	for (int i = 0; i < 200; i++)
		fprintf(f, "talk = org.example.LongishServiceName%03d\n", i);
	fputs("[network]\n", f);
	for (int i = 1; i < 1000; i += 3)
		fprintf(f, "forward = %d\n", i);
	assert_int_equal(fclose(f), 0);

	p = parse_ok(fx, text);
	assert_int_equal(profile_dump(p, &dump), 0);
	for (const char *s = dump; *s != '\0';) {
		const char *eol = strchrnul(s, '\n');

		if ((size_t) (eol - s) > longest)
			longest = (size_t) (eol - s);
		s = *eol != '\0' ? eol + 1 : eol;
	}
	assert_true(longest <= PROFILE_LINE_MAX);
	assert_true(longest > PROFILE_LINE_MAX - 40); /* lines are filled, not one item each */
	q = parse_ok(fx, dump);
	assert_true(profile_equal(p, q));
}

static void
test_profile_dump_refuses_unrepresentable(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = parse_ok(fx, "[jail]\nexec = /bin/sh\n");
	char *dump = NULL, *saved;

	/* Values set by code, not by the parser, that could not read back. */
	saved = p->exec;
	p->exec = (char *) "/bin/sh\n[rights]\nallow = camera";
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->exec = (char *) "/bin/sh ; comment";
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->exec = (char *) " /bin/sh";
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->exec = NULL;
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->exec = saved;
	p->init_script = (char *) "relative.sh";
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->init_script = NULL;
	p->allow = 1u << 20;
	assert_int_equal(profile_dump(p, &dump), -EINVAL);
	p->allow = 0;
	assert_null(dump);
	assert_int_equal(profile_dump(p, &dump), 0);
	free(dump);
}

/* --- profile_rights / profile_network / profile_equal ---------------------- */

static void
test_profile_rights_secure(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;

	p = body_ok(fx, "secure = true\n");
	assert_int_equal(profile_rights(p), RIGHTS_SECURE);
	assert_int_equal(profile_rights(p), RIGHT_WAYLAND);
	assert_int_equal(profile_network(p), NETWORK_NONE);
	q = body_ok(fx, "secure = true\n[rights]\nallow = network, gpu\ndeny = wayland\n");
	assert_int_equal(profile_rights(q), RIGHT_NETWORK | RIGHT_GPU);
	assert_int_equal(profile_network(q), NETWORK_PASTA);
}

static void
test_profile_network_defaults(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *a = NULL, *b = NULL, *c = NULL, *d = NULL;

	a = body_ok(fx, "");
	assert_int_equal(profile_network(a), NETWORK_PASTA);
	b = body_ok(fx, "[rights]\ndeny = network\n");
	assert_int_equal(profile_network(b), NETWORK_NONE);
	c = body_ok(fx, "vpn = x.ovpn\n");
	assert_int_equal(profile_network(c), NETWORK_VPN);
	/* An explicit key wins over secure's default. */
	d = body_ok(fx, "secure = true\nnetwork = host\n");
	assert_int_equal(profile_network(d), NETWORK_HOST);
}

static void
test_profile_equal_fields(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *a = NULL, *b = NULL;

	a = body_ok(fx, "[limits]\nnofile = 64\n");
	b = body_ok(fx, "[limits]\nnofile = 64\n");
	assert_true(profile_equal(a, b));
	b->limits[LIMIT_NOFILE].value = 65;
	assert_false(profile_equal(a, b));
	b->limits[LIMIT_NOFILE].value = 64;
	b->secure = true;
	assert_false(profile_equal(a, b));
	b->secure = false;
	free(b->source);
	b->source = NULL; /* where it came from does not count */
	assert_true(profile_equal(a, b));
	assert_false(profile_equal(a, NULL));
	assert_true(profile_equal(NULL, NULL));
}

/* --- profile_load_path ---------------------------------------------------- */

static void
test_profile_load_path_ok(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "my-app.ini"), *init = NULL;
	struct profile_error err = {};

	write_file(path, "[jail]\nexec = /bin/sh\ninit-script = init.sh\n", 0644);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), 0);
	assert_string_equal(p->name, "my-app");
	assert_string_equal(p->source, path);
	init = xjoin(fx->etc_dir, "init.sh");
	assert_string_equal(p->init_script, init);
	/* NAME given: the file name does not matter. */
	assert_int_equal(profile_load_path(path, "other", &fx->env, &q, &err), 0);
	assert_string_equal(q->name, "other");
}

static void
test_profile_load_path_relative(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "rel.ini"), *init = NULL;
	struct profile_error err = {};

	write_file(path, "[jail]\nexec = /bin/sh\ninit-script = init.sh\n", 0644);
	assert_int_equal(chdir(fx->dir), 0);
	assert_int_equal(profile_load_path("etc-profiles/./rel.ini", NULL, &fx->env, &p, &err), 0);
	assert_string_equal(p->source, path); /* made absolute */
	init = xjoin(fx->etc_dir, "init.sh");
	assert_string_equal(p->init_script, init);
}

static void
test_profile_load_path_symlink(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *real = xjoin(fx->dir, "real.ini"), *link = xjoin(fx->etc_dir, "l.ini");
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	write_file(real, "[jail]\nexec = /bin/sh\n", 0644);
	assert_int_equal(symlink(real, link), 0);
	assert_int_equal(profile_load_path(link, NULL, &fx->env, &p, &err), -ELOOP);
	assert_null(p);
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.msg, "symlink"));
}

static void
test_profile_load_path_fifo(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "fifo.ini");
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	/* Opened O_NONBLOCK: no writer, yet this returns at once. */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_profile_load_path_directory(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "dir.ini");
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	xmkdir(path);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

static void
test_profile_load_path_too_large(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "big.ini"), *text = NULL;
	_cleanup_(profile_freep) struct jail_profile *ok = NULL;
	struct jail_profile *p = NULL;
	struct profile_error err = {};
	size_t n;

	/* Exactly PROFILE_FILE_MAX bytes of comments and a profile: fine. */
	text = malloc(PROFILE_FILE_MAX + 2);
	assert_non_null(text);
	strcpy(text, "[jail]\nexec = /bin/sh\n");
	n = strlen(text);
	while (n < PROFILE_FILE_MAX) {
		size_t line = PROFILE_FILE_MAX - n < 100 ? PROFILE_FILE_MAX - n : 100;

		memset(text + n, '#', line - 1);
		text[n + line - 1] = '\n';
		n += line;
	}
	text[n] = '\0';
	write_file(path, text, 0644);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &ok, &err), 0);
	/* One byte more is refused. */
	text[n] = '\n';
	text[n + 1] = '\0';
	write_file(path, text, 0644);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "file too large"));
}

static void
test_profile_load_path_nul_byte(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "nul.ini");
	_cleanup_close_ int fd = -1;
	struct jail_profile *p = NULL;
	struct profile_error err = {};
	static const char text[] = "[jail]\nexec = /bin/sh\nsecure = tr\0ue\n";

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, sizeof(text) - 1), 0);
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "NUL byte in line");
}

static void
test_profile_load_path_missing(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = xjoin(fx->etc_dir, "none.ini");
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -ENOENT);
	assert_int_equal(err.line, 0);
	/* The error detail is optional. */
	assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, NULL), -ENOENT);
}

static void
test_profile_load_path_hostile_names(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *good = xjoin(fx->etc_dir, "good.ini");
	static const char *const files[] = {".hidden.ini", "a b.ini", "-x.ini", "x\n.ini",
	                                    "noext",       "x.INI",   ".ini"};

	write_file(good, "[jail]\nexec = /bin/sh\n", 0644);
	/* A hostile NAME argument is refused even for a good file. */
	for (size_t i = 0; i < ELEMENTSOF(hostile_names); i++) {
		struct jail_profile *p = NULL;
		struct profile_error err = {};

		assert_int_equal(profile_load_path(good, hostile_names[i], &fx->env, &p, &err),
		                 -EINVAL);
		assert_null(p);
	}
	/* A name derived from a hostile file name too. */
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *path = xjoin(fx->etc_dir, files[i]);
		struct jail_profile *p = NULL;
		struct profile_error err = {};

		write_file(path, "[jail]\nexec = /bin/sh\n", 0644);
		assert_int_equal(profile_load_path(path, NULL, &fx->env, &p, &err), -EINVAL);
		assert_null(p);
	}
}

/* --- profile_find / profile_find_and_load ---------------------------------- */

static void
put_profile(const char *dir, const char *name, const char *exec)
{
	_cleanup_free_ char *file = xprintf("%s.ini", name), *path = xjoin(dir, file);
	_cleanup_free_ char *text = xprintf("[jail]\nexec = %s\n", exec);

	write_file(path, text, 0644);
}

static void
test_profile_find_order(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL, *q = NULL, *r = NULL;
	_cleanup_free_ char *path = NULL, *expect = NULL;
	struct profile_error err = {};

	assert_int_equal(mkdir(fx->config, 0700), 0);
	assert_int_equal(mkdir(path = xjoin(fx->config, "jailsup"), 0700), 0);
	free(TAKE_PTR(path));
	xmkdir(fx->user_dir);
	put_profile(fx->shipped_dir, "app", "/shipped");
	put_profile(fx->etc_dir, "app", "/etc");
	put_profile(fx->user_dir, "app", "/user");
	put_profile(fx->shipped_dir, "only-shipped", "/shipped");
	put_profile(fx->etc_dir, "sys", "/etc");
	put_profile(fx->shipped_dir, "sys", "/shipped");

	/* The user's copy wins over /etc and the shipped one. */
	assert_int_equal(profile_find(&fx->env, "app", &path), 0);
	expect = xjoin(fx->user_dir, "app.ini");
	assert_string_equal(path, expect);
	assert_int_equal(profile_find_and_load(&fx->env, "app", &p, &err), 0);
	assert_string_equal(p->exec, "/user");
	/* Then /etc over shipped. */
	assert_int_equal(profile_find_and_load(&fx->env, "sys", &q, &err), 0);
	assert_string_equal(q->exec, "/etc");
	assert_int_equal(profile_find_and_load(&fx->env, "only-shipped", &r, &err), 0);
	assert_string_equal(r->exec, "/shipped");
	free(path);
	path = NULL;
	assert_int_equal(profile_find(&fx->env, "nothing", &path), -ENOENT);
	assert_null(path);
}

static void
test_profile_find_missing_folders(void **state)
{
	struct fx *fx = *state;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	struct profile_error err = {};
	const char *dirs[] = {"relative/dir", "/nonexistent/jailsup", NULL, NULL};
	struct profile_env env = fx->env;

	/* No user folder yet (first run), a relative folder (skipped, it
	 * would depend on the cwd), a missing one: all just skipped. */
	dirs[2] = fx->shipped_dir;
	env.search_dirs = dirs;
	put_profile(fx->shipped_dir, "app", "/shipped");
	assert_int_equal(profile_find_and_load(&env, "app", &p, &err), 0);
	assert_string_equal(p->exec, "/shipped");
	env.search_dirs = NULL;
	assert_int_equal(profile_find_and_load(&env, "app", &p, &err), -ENOENT);
}

static void
test_profile_find_broken_user_copy_does_not_fall_back(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *cfg = xjoin(fx->config, "jailsup"), *link = NULL, *target = NULL;
	struct jail_profile *p = NULL;
	struct profile_error err = {};

	xmkdir(fx->config);
	xmkdir(cfg);
	xmkdir(fx->user_dir);
	put_profile(fx->etc_dir, "app", "/etc");
	target = xjoin(fx->dir, "elsewhere.ini");
	write_file(target, "[jail]\nexec = /elsewhere\n", 0644);
	link = xjoin(fx->user_dir, "app.ini");
	assert_int_equal(symlink(target, link), 0);
	/* The user's folder has something by that name: it is the one,
	 * and as a symlink it is refused rather than silently replaced by
	 * the /etc policy. */
	assert_int_equal(profile_find_and_load(&fx->env, "app", &p, &err), -ELOOP);
	assert_null(p);
}

static void
test_profile_find_hostile_names(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *planted = xjoin(fx->dir, "x.ini");

	/* A profile planted one folder up must not be reachable as "../x". */
	write_file(planted, "[jail]\nexec = /bin/sh\n", 0644);
	for (size_t i = 0; i < ELEMENTSOF(hostile_names); i++) {
		char *path = NULL;
		struct jail_profile *p = NULL;
		struct profile_error err = {};

		assert_int_equal(profile_find(&fx->env, hostile_names[i], &path), -EINVAL);
		assert_null(path);
		assert_int_equal(profile_find_and_load(&fx->env, hostile_names[i], &p, &err),
		                 -EINVAL);
		assert_null(p);
		assert_non_null(strstr(err.msg, "invalid profile name"));
		for (const char *c = err.msg; *c != '\0'; c++)
			assert_false((unsigned char) *c < 0x20);
	}
	assert_int_equal(profile_find(&fx->env, NULL, &(char *){NULL}), -EINVAL);
}

/* --- profile_create ------------------------------------------------------- */

static void
test_profile_create_records_flags(void **state)
{
	struct fx *fx = *state;
	static const bool combos[][2] = {
	    {false, false}, {true, false}, {false, true}, {true, true}};

	for (size_t i = 0; i < ELEMENTSOF(combos); i++) {
		_cleanup_free_ char *name = xprintf("app%zu", i), *path = NULL, *text = NULL;
		_cleanup_(profile_freep) struct jail_profile *p = NULL;
		struct profile_error err = {};

		assert_int_equal(profile_create(&fx->env, name, "/usr/bin/app", combos[i][0],
		                                combos[i][1], &path),
		                 0);
		text = read_file(path);
		assert_true(strstartswith(text, "# Created by `jailsup run` on the first start"));
		assert_int_equal(profile_find_and_load(&fx->env, name, &p, &err), 0);
		assert_string_equal(p->exec, "/usr/bin/app");
		assert_int_equal(p->secure, combos[i][0]);
		assert_int_equal(p->autodelete, combos[i][1]);
	}
}

static void
test_profile_create_refuses_overwrite(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *path = NULL, *path2 = NULL, *before = NULL, *after = NULL;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	struct profile_error err = {};

	assert_int_equal(profile_create(&fx->env, "app", "/usr/bin/one", true, false, &path), 0);
	before = read_file(path);
	assert_int_equal(profile_create(&fx->env, "app", "/usr/bin/two", false, true, &path2),
	                 -EEXIST);
	/* The path of the one there, for a racing first start. */
	assert_string_equal(path, path2);
	after = read_file(path);
	assert_string_equal(before, after);
	assert_int_equal(profile_find_and_load(&fx->env, "app", &p, &err), 0);
	assert_string_equal(p->exec, "/usr/bin/one");
}

static void
test_profile_create_folders(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *cfg = xjoin(fx->config, "jailsup");
	struct stat st;
	DIR *d;
	struct dirent *de;
	unsigned n = 0;

	/* Nothing exists yet: $XDG_CONFIG_HOME/jailsup/profiles is made 0700. */
	assert_int_equal(profile_create(&fx->env, "app", "app", false, false, NULL), 0);
	assert_int_equal(stat(cfg, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(fx->user_dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* No temporary file is left behind. */
	d = opendir(fx->user_dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		assert_string_equal(de->d_name, "app.ini");
		n++;
	}
	closedir(d);
	assert_int_equal(n, 1);
}

static void
test_profile_create_symlinked_folder(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *cfg = xjoin(fx->config, "jailsup"), *target = xjoin(fx->dir, "target"),
	                    *planted = NULL;
	struct stat st;

	/* profiles/ replaced by a symlink: nothing is written through it. */
	xmkdir(fx->config);
	xmkdir(cfg);
	xmkdir(target);
	assert_int_equal(symlink(target, fx->user_dir), 0);
	assert_true(profile_create(&fx->env, "app", "/bin/sh", false, false, NULL) < 0);
	planted = xjoin(target, "app.ini");
	assert_int_equal(stat(planted, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_profile_create_hostile_names(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *parent = xjoin(fx->config, "jailsup/x.ini");
	struct stat st;

	for (size_t i = 0; i < ELEMENTSOF(hostile_names); i++) {
		char *path = NULL;

		assert_int_equal(
		    profile_create(&fx->env, hostile_names[i], "/bin/sh", false, false, &path),
		    -EINVAL);
		assert_null(path);
	}
	assert_int_equal(profile_create(&fx->env, NULL, "/bin/sh", false, false, NULL), -EINVAL);
	/* "../x" wrote nothing next to the profiles folder either. */
	assert_int_equal(stat(parent, &st), -1);
}

static void
test_profile_create_bad_exec(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {
	    "",
	    "/bin/sh\n[rights]\nallow = camera",
	    " /bin/sh",
	    "/bin/sh ",
	    ";x",
	    "/a ;b",
	    "./relative/tool",
	    "bin/tool",
	    "/bin/\x1bsh",
	    "~root/x",
	    "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "a"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aa"
	    "aaaaaaa", /* 181 */
	};
	struct stat st;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(profile_create(&fx->env, "app", bad[i], false, false, NULL),
		                 -EINVAL);
	assert_int_equal(profile_create(&fx->env, "app", NULL, false, false, NULL), -EINVAL);
	assert_int_equal(stat(fx->user_dir, &st), -1); /* refused before touching anything */
	/* A bare name and "~/…" are fine: resolved at each start. */
	assert_int_equal(profile_create(&fx->env, "a1", "firefox", false, false, NULL), 0);
	assert_int_equal(profile_create(&fx->env, "a2", "~/bin/tool", false, false, NULL), 0);
}

/* --- profile_name_from_exe ------------------------------------------------ */

static void
name_is(const char *exe, const char *cwd, const char *expect)
{
	_cleanup_free_ char *name = NULL;
	int r = profile_name_from_exe(exe, cwd, &name);

	if (r < 0)
		fail_msg("'%s': error %d", exe, r);
	if (!streq(name, expect))
		fail_msg("'%s': expected '%s', got '%s'", exe, expect, name);
	assert_true(jail_name_valid(name));
}

static void
test_profile_name_from_exe_bin_dirs(void **state)
{
	(void) state;
	name_is("/usr/bin/firefox", NULL, "firefox");
	name_is("/bin/sh", NULL, "sh");
	name_is("/usr/local/bin/tool", NULL, "tool");
	name_is("/sbin/ip", NULL, "ip");
	name_is("/usr/sbin/nft", NULL, "nft");
	name_is("/usr/local/sbin/x", NULL, "x");
	name_is("//usr//bin/./firefox", NULL, "firefox");
	name_is("/usr/bin/python3.11", NULL, "python3.11");
	name_is("/usr/bin/7z", NULL, "7z");
	/* Textual, never symlink-resolved: the path as written decides. */
	name_is("/usr/lib/../bin/vim", NULL, "vim");
	name_is("bin/ls", "/usr", "ls");
	/* Not a bin folder. */
	name_is("/usr/bin/sub/tool", NULL, "usr-bin-sub-tool");
	name_is("/usr/binx/tool", NULL, "usr-binx-tool");
}

static void
test_profile_name_from_exe_path_built(void **state)
{
	(void) state;
	name_is("/opt/Foo Bar/run.sh", NULL, "opt-Foo_Bar-run.sh");
	name_is("/home/u/src/tool", NULL, "home-u-src-tool");
	name_is("./tool", "/home/u/src", "home-u-src-tool");
	name_is("../bin/tool", "/home/u/src", "home-u-bin-tool");
	name_is("tool", NULL, "tool"); /* a bare name names itself */
	name_is("fire fox", NULL, "fire_fox");
	name_is("/.hidden/x", NULL, "hidden-x");
	name_is("/usr/bin/.hidden", NULL, "hidden");
	name_is("/usr/bin/-rf", NULL, "rf");
	name_is("/usr/bin/x\ny", NULL, "x_y");
	name_is("/tmp/\x1b[31mred", NULL, "tmp-__31mred");
	name_is("/opt/é/x", NULL, "opt-__-x");
}

static void
test_profile_name_from_exe_long(void **state)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *pa = NULL, *pb = NULL, *pc = NULL;
	char dirs[200];

	(void) state;
	memset(dirs, 'd', sizeof(dirs) - 1);
	dirs[sizeof(dirs) - 1] = '\0';
	pa = xprintf("/opt/a%s/tool", dirs);
	pb = xprintf("/opt/b%s/tool", dirs);
	pc = xprintf("/usr/bin/%s", dirs);
	assert_int_equal(profile_name_from_exe(pa, NULL, &a), 0);
	assert_int_equal(profile_name_from_exe(pb, NULL, &b), 0);
	assert_int_equal(profile_name_from_exe(pc, NULL, &c), 0);
	/* At most 64, the tail kept, distinct thanks to the hash. */
	assert_true(strlen(a) <= JAIL_NAME_MAX);
	assert_true(strlen(c) <= JAIL_NAME_MAX);
	assert_true(jail_name_valid(a));
	assert_true(jail_name_valid(b));
	assert_true(jail_name_valid(c));
	assert_non_null(strstr(a, "dd-tool-"));
	assert_string_not_equal(a, b);
	/* Stable: the same path gives the same name every time. */
	free(b);
	b = NULL;
	assert_int_equal(profile_name_from_exe(pa, NULL, &b), 0);
	assert_string_equal(a, b);
	/* Exactly 64 characters: kept whole. */
	{
		_cleanup_free_ char *n = NULL, *p64 = NULL;
		char f[65];

		memset(f, 'f', 64);
		f[64] = '\0';
		p64 = xprintf("/usr/bin/%s", f);
		assert_int_equal(profile_name_from_exe(p64, NULL, &n), 0);
		assert_string_equal(n, f);
	}
}

static void
test_profile_name_from_exe_unusable(void **state)
{
	static const char *const bad[] = {"",  "/",   "//",  "/.",          "..",
	                                  ".", "...", "___", "/usr/bin/..."};
	char *name = NULL;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(profile_name_from_exe(bad[i], "/", &name), -EINVAL);
	assert_int_equal(profile_name_from_exe(NULL, NULL, &name), -EINVAL);
	/* A relative path needs an absolute cwd. */
	assert_int_equal(profile_name_from_exe("./x", NULL, &name), -EINVAL);
	assert_int_equal(profile_name_from_exe("./x", "rel", &name), -EINVAL);
	assert_null(name);
}

static void
test_profile_name_from_exe_hostile(void **state)
{
	(void) state;
	/* Every hostile name, as an exe, yields a valid name or -EINVAL,
	 * never one that escapes a folder. */
	for (size_t i = 0; i < ELEMENTSOF(hostile_names); i++) {
		_cleanup_free_ char *name = NULL;
		int r = profile_name_from_exe(hostile_names[i], "/home/u", &name);

		if (r < 0) {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		assert_true(jail_name_valid(name));
		assert_null(strchr(name, '/'));
	}
}

/* --- profile_resolve_exe -------------------------------------------------- */

static void
test_profile_resolve_exe_path_search(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *bin2 = xjoin(fx->dir, "bin2"), *t1 = xjoin(fx->bin, "tool"),
	                    *t2 = NULL, *path = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};
	struct profile_env env = fx->env;

	xmkdir(bin2);
	t2 = xjoin(bin2, "tool");
	make_exe(t2);
	path = xprintf("/nonexistent:%s:%s", fx->bin, bin2);
	env.path = path;
	/* Only in the second folder. */
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), 0);
	assert_string_equal(res.resolved, t2);
	assert_string_equal(res.jail_path, t2);
	assert_null(res.bind_src);
	exe_resolution_done(&res);
	/* In both: the first folder of $PATH wins. */
	make_exe(t1);
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), 0);
	assert_string_equal(res.resolved, t1);
	exe_resolution_done(&res);
	/* A non-executable first hit is skipped for an executable later one. */
	assert_int_equal(chmod(t1, 0644), 0);
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), 0);
	assert_string_equal(res.resolved, t2);
	exe_resolution_done(&res);
	/* Only non-executable ones: -EACCES, as execvp() says. */
	assert_int_equal(chmod(t2, 0644), 0);
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), -EACCES);
	assert_int_equal(profile_resolve_exe("missing", NULL, &env, &res), -ENOENT);
	env.path = NULL;
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), -ENOENT);
}

static void
test_profile_resolve_exe_path_skips_relative(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *rel = xjoin(fx->dir, "rel"), *tool = NULL;
	struct exe_resolution res = {};
	struct profile_env env = fx->env;

	xmkdir(rel);
	tool = xjoin(rel, "tool");
	make_exe(tool);
	make_exe(tool);
	assert_int_equal(chdir(fx->dir), 0);
	/* "rel" and the empty entries would mean the cwd: never searched. */
	env.path = "rel::.:";
	assert_int_equal(profile_resolve_exe("tool", NULL, &env, &res), -ENOENT);
}

static void
test_profile_resolve_exe_relative(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *tool = xjoin(fx->bin, "tool");
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	make_exe(tool);
	assert_int_equal(profile_resolve_exe("./bin/tool", fx->dir, &fx->env, &res), 0);
	assert_string_equal(res.resolved, tool);
	exe_resolution_done(&res);
	assert_int_equal(profile_resolve_exe("bin/../bin/tool", fx->dir, &fx->env, &res), 0);
	assert_string_equal(res.resolved, tool);
	exe_resolution_done(&res);
	assert_int_equal(profile_resolve_exe("./bin/tool", NULL, &fx->env, &res), -EINVAL);
	assert_int_equal(profile_resolve_exe("./bin/tool", "relative", &fx->env, &res), -EINVAL);
	assert_int_equal(profile_resolve_exe("", fx->dir, &fx->env, &res), -EINVAL);
	assert_int_equal(profile_resolve_exe(NULL, fx->dir, &fx->env, &res), -EINVAL);
}

static void
test_profile_resolve_exe_symlink_kept_as_written(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *v1 = xjoin(fx->bin, "tool-1.0"), *v2 = xjoin(fx->bin, "tool-2.0"),
	                    *link = xjoin(fx->bin, "tool"), *text = NULL;
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	make_exe(v1);
	make_exe(v2);
	assert_int_equal(symlink("tool-1.0", link), 0);
	text = xprintf("[jail]\nexec = %s\n", link);
	p = parse_ok(fx, text);
	/* The profile keeps the symlink... */
	assert_string_equal(p->exec, link);
	/* ...each start resolves it... */
	assert_int_equal(profile_resolve_exe(p->exec, NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, v1);
	assert_string_equal(res.jail_path, v1);
	exe_resolution_done(&res);
	/* ...so an updated link is followed without touching the profile. */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("tool-2.0", link), 0);
	assert_int_equal(profile_resolve_exe(p->exec, NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, v2);
	assert_string_equal(p->exec, link);
}

static void
test_profile_resolve_exe_symlink_loop(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *a = xjoin(fx->bin, "a"), *b = xjoin(fx->bin, "b");
	struct exe_resolution res = {};

	assert_int_equal(symlink(b, a), 0);
	assert_int_equal(symlink(a, b), 0);
	assert_int_equal(profile_resolve_exe(a, NULL, &fx->env, &res), -ELOOP);
	/* Through $PATH as well. */
	assert_int_equal(profile_resolve_exe("a", NULL, &fx->env, &res), -ELOOP);
	assert_null(res.resolved);
}

static void
test_profile_resolve_exe_missing(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *missing = xjoin(fx->bin, "missing"), *file = xjoin(fx->bin, "file"),
	                    *through = xjoin(file, "x"), *dangling = xjoin(fx->bin, "dangling");
	struct exe_resolution res = {};

	assert_int_equal(profile_resolve_exe(missing, NULL, &fx->env, &res), -ENOENT);
	/* A file used as a folder: not found, not ENOTDIR. */
	make_exe(file);
	assert_int_equal(profile_resolve_exe(through, NULL, &fx->env, &res), -ENOENT);
	assert_int_equal(symlink(missing, dangling), 0);
	assert_int_equal(profile_resolve_exe(dangling, NULL, &fx->env, &res), -ENOENT);
}

static void
test_profile_resolve_exe_not_executable(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *plain = xjoin(fx->bin, "plain"), *dir = xjoin(fx->bin, "dir"),
	                    *fifo = xjoin(fx->bin, "fifo");
	struct exe_resolution res = {};

	write_file(plain, "data\n", 0644);
	assert_int_equal(profile_resolve_exe(plain, NULL, &fx->env, &res), -EACCES);
	xmkdir(dir);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(profile_resolve_exe(dir, NULL, &fx->env, &res), -EACCES);
	assert_int_equal(mkfifo(fifo, 0755), 0);
	assert_int_equal(profile_resolve_exe(fifo, NULL, &fx->env, &res), -EACCES);
}

/* The resolution is a snapshot: an exe removed after it (or replaced by
 * something else) is the exec's problem, which must report ENOENT (exit
 * 127) rather than run something stale. This documents the race. */
static void
test_profile_resolve_exe_vanishes_before_start(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *tool = xjoin(fx->bin, "tool");
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	make_exe(tool);
	assert_int_equal(profile_resolve_exe(tool, NULL, &fx->env, &res), 0);
	assert_int_equal(unlink(tool), 0);
	/* The stale resolution still names the path... */
	assert_string_equal(res.jail_path, tool);
	/* ...which no longer exists: the caller's execve() gets ENOENT. */
	assert_int_equal(access(res.jail_path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	/* And the next start finds out up front. */
	{
		struct exe_resolution again = {};

		assert_int_equal(profile_resolve_exe(tool, NULL, &fx->env, &again), -ENOENT);
	}
}

static void
test_profile_resolve_exe_under_home(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *apps = xjoin(fx->home, "apps"), *bin = xjoin(fx->home, "apps/bin"),
	                    *tool = xjoin(fx->home, "apps/bin/tool"), *dst = NULL, *jp = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	xmkdir(apps);
	xmkdir(bin);
	make_exe(tool);
	assert_int_equal(profile_resolve_exe("~/apps/bin/tool", NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, tool);
	assert_string_equal(res.bind_src, bin);
	dst = xjoin(fx->home, "shared/apps/bin");
	assert_string_equal(res.bind_dst, dst);
	jp = xjoin(dst, "tool");
	assert_string_equal(res.jail_path, jp);
	assert_false(res.bind_file);
}

static void
test_profile_resolve_exe_directly_in_home(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *tool = xjoin(fx->home, "tool"), *dst = xjoin(fx->home, "shared/tool");
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	make_exe(tool);
	assert_int_equal(profile_resolve_exe(tool, NULL, &fx->env, &res), 0);
	/* Never the whole home: just the file. */
	assert_true(res.bind_file);
	assert_string_equal(res.bind_src, tool);
	assert_string_equal(res.bind_dst, dst);
	assert_string_equal(res.jail_path, dst);
}

static void
test_profile_resolve_exe_symlink_into_home(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *bin = xjoin(fx->home, "bin"), *tool = xjoin(fx->home, "bin/tool"),
	                    *link = xjoin(fx->bin, "tool"),
	                    *jp = xjoin(fx->home, "shared/bin/tool");
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};

	xmkdir(bin);
	make_exe(tool);
	assert_int_equal(symlink(tool, link), 0);
	/* Written outside the home, resolved inside it: rewritten. */
	assert_int_equal(profile_resolve_exe(link, NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, tool);
	assert_string_equal(res.bind_src, bin);
	assert_string_equal(res.jail_path, jp);
}

static void
test_profile_resolve_exe_home_through_symlink(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *real = xjoin(fx->dir, "realhome"),
	                    *bin = xjoin(fx->dir, "realhome/bin"),
	                    *tool = xjoin(fx->dir, "realhome/bin/tool"),
	                    *home = xjoin(fx->dir, "linkhome"), *jp = NULL, *exe = NULL;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};
	struct profile_env env = fx->env;

	xmkdir(real);
	xmkdir(bin);
	make_exe(tool);
	assert_int_equal(symlink(real, home), 0);
	env.home = home;
	exe = xjoin(home, "bin/tool");
	assert_int_equal(profile_resolve_exe(exe, NULL, &env, &res), 0);
	/* $HOME as the jail knows it, the real folder as the host has it. */
	assert_string_equal(res.bind_src, bin);
	jp = xjoin(home, "shared/bin/tool");
	assert_string_equal(res.jail_path, jp);
}

static void
test_profile_resolve_exe_protected_folder(void **state)
{
	struct fx *fx = *state;
	_cleanup_free_ char *cfg = xjoin(fx->config, "jailsup"), *tool = NULL;
	struct exe_resolution res = {};

	xmkdir(fx->config);
	xmkdir(cfg);
	tool = xjoin(cfg, "tool");
	make_exe(tool);
	/* Binding its folder would show the jail its own policy. */
	assert_int_equal(profile_resolve_exe(tool, NULL, &fx->env, &res), -EPERM);
	assert_null(res.bind_src);
}

static void
test_profile_resolve_exe_outside_home(void **state)
{
	struct fx *fx = *state;
	_cleanup_(exe_resolution_done) struct exe_resolution res = {};
	_cleanup_free_ char *real = realpath("/bin/sh", NULL);

	assert_non_null(real);
	assert_int_equal(profile_resolve_exe("/bin/sh", NULL, &fx->env, &res), 0);
	assert_string_equal(res.resolved, real);
	assert_string_equal(res.jail_path, real);
	assert_null(res.bind_src);
	assert_null(res.bind_dst);
}

/* --- paths ---------------------------------------------------------------- */

static void
test_profile_expand_path_cases(void **state)
{
	static const struct profile_env env = {
	    .home = "/home/u",
	    .xdg_config_home = "/home/u/.config",
	    .xdg_data_home = "/data/u",
	    .xdg_runtime_dir = NULL,
	};
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"~", "/home/u"},
	    {"~/", "/home/u"},
	    {"~/x//y/./z/", "/home/u/x/y/z"},
	    {"$HOME", "/home/u"},
	    {"$HOME/x", "/home/u/x"},
	    {"${HOME}/x", "/home/u/x"},
	    {"$XDG_CONFIG_HOME/a", "/home/u/.config/a"},
	    {"${XDG_DATA_HOME}", "/data/u"},
	    {"/", "/"},
	    {"//", "/"},
	    {"/a/./b", "/a/b"},
	    {"/a/$HOME", "/a/$HOME"}, /* only at the start */
	    {"/~", "/~"},
	    {"/a/...", "/a/..."},
	};
	static const char *const bad[] = {
	    "",
	    "x",
	    "./x",
	    "~user",
	    "~user/x",
	    "$HOMEx",
	    "$home/x",
	    "$FOO",
	    "${FOO}/x",
	    "${HOME",
	    "$XDG_RUNTIME_DIR/x",
	    "/a/../b",
	    "/..",
	    "~/..",
	    "$",
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *out = NULL;

		if (profile_expand_path(ok[i].in, &env, &out) < 0)
			fail_msg("'%s' refused", ok[i].in);
		assert_string_equal(out, ok[i].out);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *out = NULL;

		if (profile_expand_path(bad[i], &env, &out) != -EINVAL)
			fail_msg("'%s' accepted as '%s'", bad[i], out);
		assert_null(out);
	}
	{
		char longp[PATH_MAX + 10], *out = NULL;

		memset(longp, 'a', sizeof(longp) - 1);
		longp[0] = '/';
		longp[sizeof(longp) - 1] = '\0';
		assert_int_equal(profile_expand_path(longp, &env, &out), -ENAMETOOLONG);
	}
}

static void
test_profile_path_make_absolute_cases(void **state)
{
	static const struct {
		const char *path, *cwd, *out;
	} ok[] = {
	    {"/a/b", NULL, "/a/b"},     {"x", "/c", "/c/x"},     {"../x", "/c/d", "/c/x"},
	    {"../../../x", "/c", "/x"}, {"./x/", "/c/", "/c/x"}, {"/a/b/..", NULL, "/a"},
	};
	char *out = NULL;

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_free_ char *o = NULL;

		assert_int_equal(profile_path_make_absolute(ok[i].path, ok[i].cwd, &o), 0);
		assert_string_equal(o, ok[i].out);
	}
	assert_int_equal(profile_path_make_absolute("x", NULL, &out), -EINVAL);
	assert_int_equal(profile_path_make_absolute("x", "rel", &out), -EINVAL);
	assert_int_equal(profile_path_make_absolute("", "/", &out), -EINVAL);
	assert_null(out);
}

static void
test_profile_share_allowed_refusals(void **state)
{
	static const struct profile_env env = {
	    .home = "/home/u",
	    .xdg_config_home = "/cfg/u",
	    .xdg_data_home = "/home/u/.local/share",
	    .xdg_runtime_dir = "/run/user/1000",
	};
	static const char *const refused[] = {
	    "/",
	    "/home",
	    "/home/u",
	    "/cfg",
	    "/cfg/u",
	    "/cfg/u/jailsup",
	    "/cfg/u/jailsup/profiles/x.ini",
	    "/cfg/u/autostart",
	    "/cfg/u/autostart/x.desktop",
	    "/home/u/.config",
	    "/home/u/.config/autostart",
	    "/home/u/.config/autostart/y",
	    "/home/u/.local",
	    "/home/u/.local/share",
	    "/home/u/.local/share/jailsup",
	    "/home/u/.local/share/jailsup/jails/x/home",
	    "/run",
	    "/run/user",
	    "/run/user/1000",
	    "/run/user/1000/jailsup/control",
	};
	static const char *const allowed[] = {
	    "/home/u/Downloads",
	    "/home/u/.config/app",
	    "/home/u/.local/share/fonts",
	    "/cfg/u/app",
	    "/srv",
	    "/home/user-other",
	    "/home/u2",
	    "/run/user/1000/pulse",
	    "/cfg/u/jailsup-other",
	    "/home/u/.config/autostartx",
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(refused); i++)
		if (profile_share_allowed(refused[i], &env) != -EPERM)
			fail_msg("'%s' allowed", refused[i]);
	for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
		if (profile_share_allowed(allowed[i], &env) != 0)
			fail_msg("'%s' refused", allowed[i]);
	/* Only expanded, normalised paths are judged. */
	assert_int_equal(profile_share_allowed("home/u/x", &env), -EINVAL);
	assert_int_equal(profile_share_allowed("/home/u/x/", &env), -EINVAL);
	assert_int_equal(profile_share_allowed("/home//u/x", &env), -EINVAL);
	assert_int_equal(profile_share_allowed("/home/u/../u/.config", &env), -EINVAL);
	assert_int_equal(profile_share_allowed(NULL, &env), -EINVAL);
}

static void
test_profile_share_allowed_without_runtime_dir(void **state)
{
	static const struct profile_env env = {
	    .home = "/home/u",
	    .xdg_config_home = "/home/u/.config",
	    .xdg_data_home = "/home/u/.local/share",
	};

	(void) state;
	assert_int_equal(profile_share_allowed("/run/user/1000", &env), 0);
	assert_int_equal(profile_share_allowed("/home/u/.config/jailsup", &env), -EPERM);
}

/* --- profile_env_from_environ --------------------------------------------- */

static void
test_profile_env_from_environ_defaults(void **state)
{
	struct profile_env env = {};
	struct profile_env_storage st = {};

	(void) state;
	assert_int_equal(setenv("HOME", "/home/t/", 1), 0);
	assert_int_equal(unsetenv("XDG_CONFIG_HOME"), 0);
	assert_int_equal(setenv("XDG_DATA_HOME", "relative/data", 1), 0); /* ignored, per XDG */
	assert_int_equal(unsetenv("XDG_RUNTIME_DIR"), 0);
	assert_int_equal(setenv("PATH", "/p1:/p2", 1), 0);
	assert_int_equal(profile_env_from_environ(&env, &st, "/usr/share/jailsup/profiles"), 0);
	assert_string_equal(env.home, "/home/t");
	assert_string_equal(env.xdg_config_home, "/home/t/.config");
	assert_string_equal(env.xdg_data_home, "/home/t/.local/share");
	assert_null(env.xdg_runtime_dir);
	assert_string_equal(env.path, "/p1:/p2");
	assert_string_equal(env.search_dirs[0], "/home/t/.config/jailsup/profiles");
	assert_string_equal(env.search_dirs[1], "/etc/jailsup/profiles");
	assert_string_equal(env.search_dirs[2], "/usr/share/jailsup/profiles");
	assert_null(env.search_dirs[3]);
	/* Copies: a later setenv() does not pull the strings away. */
	assert_int_equal(setenv("HOME", "/elsewhere", 1), 0);
	assert_string_equal(env.home, "/home/t");
	profile_env_storage_done(&st);
	profile_env_storage_done(&st); /* twice is harmless */
}

static void
test_profile_env_from_environ_xdg_set(void **state)
{
	struct profile_env env = {};
	struct profile_env_storage st = {};

	(void) state;
	assert_int_equal(setenv("HOME", "/home/t", 1), 0);
	assert_int_equal(setenv("XDG_CONFIG_HOME", "/cfg//t", 1), 0);
	assert_int_equal(setenv("XDG_DATA_HOME", "/data/t", 1), 0);
	assert_int_equal(setenv("XDG_RUNTIME_DIR", "/run/user/7", 1), 0);
	assert_int_equal(profile_env_from_environ(&env, &st, NULL), 0);
	assert_string_equal(env.xdg_config_home, "/cfg/t");
	assert_string_equal(env.xdg_data_home, "/data/t");
	assert_string_equal(env.xdg_runtime_dir, "/run/user/7");
	assert_string_equal(env.search_dirs[0], "/cfg/t/jailsup/profiles");
	assert_null(env.search_dirs[2]);
	profile_env_storage_done(&st);
}

static void
test_profile_env_from_environ_no_home(void **state)
{
	struct profile_env env = {};
	struct profile_env_storage st = {};

	(void) state;
	assert_int_equal(unsetenv("HOME"), 0);
	assert_int_equal(profile_env_from_environ(&env, &st, NULL), -ENOENT);
	assert_int_equal(setenv("HOME", "relative", 1), 0);
	assert_int_equal(profile_env_from_environ(&env, &st, NULL), -ENOENT);
	assert_int_equal(setenv("HOME", "", 1), 0);
	assert_int_equal(profile_env_from_environ(&env, &st, NULL), -ENOENT);
	assert_null(st.home);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, profile_fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_jail_network_to_string_roundtrip),
	    T(test_right_to_string_each_bit),
	    T(test_profile_limit_to_string_roundtrip),
	    T(test_profile_parse_minimal),
	    T(test_profile_args_split_words),
	    T(test_profile_args_split_errors),
	    T(test_profile_parse_args),
	    T(test_profile_x11_key),
	    T(test_profile_clipboard_key),
	    T(test_profile_parse_full),
	    T(test_profile_parse_unknown_section),
	    T(test_profile_parse_unknown_key),
	    T(test_profile_parse_key_outside_section),
	    T(test_profile_parse_every_error),
	    T(test_profile_parse_duplicate_scalar),
	    T(test_profile_parse_list_keys_accumulate),
	    T(test_profile_parse_empty_items),
	    T(test_profile_parse_line_length),
	    T(test_profile_parse_value_too_long),
	    T(test_profile_parse_control_characters),
	    T(test_profile_parse_crlf_and_bom),
	    T(test_profile_parse_syntax_errors),
	    T(test_profile_parse_missing_exec),
	    T(test_profile_parse_booleans),
	    T(test_profile_parse_network),
	    T(test_profile_parse_vpn),
	    T(test_profile_parse_relative_paths_need_source),
	    T(test_profile_parse_rights),
	    T(test_profile_parse_network_denied),
	    T(test_profile_parse_dbus_names),
	    T(test_profile_parse_dbus_escapes),
	    T(test_profile_parse_own_private),
	    T(test_profile_parse_dbus_rules),
	    T(test_profile_parse_shares),
	    T(test_profile_parse_share_refusals),
	    T(test_profile_parse_limits),
	    T(test_profile_parse_forward),
	    T(test_profile_parse_list_cap),
	    T(test_profile_parse_first_error_wins),
	    T(test_profile_parse_hostile_names),
	    T(test_profile_dump_roundtrip),
	    T(test_profile_dump_minimal),
	    T(test_profile_dump_wraps_long_lists),
	    T(test_profile_dump_refuses_unrepresentable),
	    T(test_profile_rights_secure),
	    T(test_profile_network_defaults),
	    T(test_profile_equal_fields),
	    T(test_profile_load_path_ok),
	    T(test_profile_load_path_relative),
	    T(test_profile_load_path_symlink),
	    T(test_profile_load_path_fifo),
	    T(test_profile_load_path_directory),
	    T(test_profile_load_path_too_large),
	    T(test_profile_load_path_nul_byte),
	    T(test_profile_load_path_missing),
	    T(test_profile_load_path_hostile_names),
	    T(test_profile_find_order),
	    T(test_profile_find_missing_folders),
	    T(test_profile_find_broken_user_copy_does_not_fall_back),
	    T(test_profile_find_hostile_names),
	    T(test_profile_create_records_flags),
	    T(test_profile_create_refuses_overwrite),
	    T(test_profile_create_folders),
	    T(test_profile_create_symlinked_folder),
	    T(test_profile_create_hostile_names),
	    T(test_profile_create_bad_exec),
	    T(test_profile_name_from_exe_bin_dirs),
	    T(test_profile_name_from_exe_path_built),
	    T(test_profile_name_from_exe_long),
	    T(test_profile_name_from_exe_unusable),
	    T(test_profile_name_from_exe_hostile),
	    T(test_profile_resolve_exe_path_search),
	    T(test_profile_resolve_exe_path_skips_relative),
	    T(test_profile_resolve_exe_relative),
	    T(test_profile_resolve_exe_symlink_kept_as_written),
	    T(test_profile_resolve_exe_symlink_loop),
	    T(test_profile_resolve_exe_missing),
	    T(test_profile_resolve_exe_not_executable),
	    T(test_profile_resolve_exe_vanishes_before_start),
	    T(test_profile_resolve_exe_under_home),
	    T(test_profile_resolve_exe_directly_in_home),
	    T(test_profile_resolve_exe_symlink_into_home),
	    T(test_profile_resolve_exe_home_through_symlink),
	    T(test_profile_resolve_exe_protected_folder),
	    T(test_profile_resolve_exe_outside_home),
	    T(test_profile_expand_path_cases),
	    T(test_profile_path_make_absolute_cases),
	    T(test_profile_share_allowed_refusals),
	    T(test_profile_share_allowed_without_runtime_dir),
	    T(test_profile_env_from_environ_defaults),
	    T(test_profile_env_from_environ_xdg_set),
	    T(test_profile_env_from_environ_no_home),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
