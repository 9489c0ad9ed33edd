/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the profile parser. Any input may be refused, but
 * never crash, leak or trip the sanitizers; and a profile that parses must
 * survive its own canonical dump: parse(dump(p)) equals p, and dumping
 * that again gives the same text. A dump that does not read back would
 * mean the supervisor's profile.ini could start a jail other than the one
 * the user's profile describes.
 *
 * The same bytes also go through name derivation, whose every result must
 * be a valid jail name. Seeds: tests/fuzz/corpus/fuzz-profile/.
 */
#include <stdint.h>

#include "ini-profiles/profile.h"
#include "state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const search_dirs[] = {NULL};
static const struct profile_env env = {
    .home = "/home/user",
    .xdg_config_home = "/home/user/.config",
    .xdg_data_home = "/home/user/.local/share",
    .xdg_runtime_dir = "/run/user/1000",
    .path = "/usr/bin:/bin",
    .search_dirs = search_dirs,
};

static void
check_dump(const struct jail_profile *p)
{
	_cleanup_(profile_freep) struct jail_profile *again = NULL;
	_cleanup_free_ char *dump = NULL, *redump = NULL;
	struct profile_error err;

	if (profile_dump(p, &dump) < 0) {
		fprintf(stderr, "a parsed profile cannot be dumped\n");
		abort(); /* whatever parses must be writable */
	}
	if (profile_parse(dump, p->name, p->source, &env, &again, &err) < 0) {
		fprintf(stderr, "dump does not parse: line %u: %s\n%s", err.line, err.msg, dump);
		abort();
	}
	if (!profile_equal(p, again)) {
		fprintf(stderr, "dump reads back differently:\n%s", dump);
		abort();
	}
	if (profile_dump(again, &redump) < 0 || !streq(dump, redump)) {
		fprintf(stderr, "dump is not stable:\n%s---\n%s", dump, redump ? redump : "(null)");
		abort();
	}
}

static void
check_name(const char *text)
{
	_cleanup_free_ char *name = NULL;

	if (profile_name_from_exe(text, "/home/user/src", &name) == 0 && !jail_name_valid(name))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(profile_freep) struct jail_profile *p = NULL;
	_cleanup_free_ char *text = NULL;
	struct profile_error err;

	if (size > PROFILE_FILE_MAX)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	if (profile_parse(text, "fuzz", "/usr/share/jailsup/profiles/fuzz.ini", &env, &p, &err) ==
	    0)
		check_dump(p);
	else if (err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof(err.msg)) == NULL) {
		fprintf(stderr, "a refusal without a message\n");
		abort(); /* every refusal says why */
	}
	if (size < 1024)
		check_name(text);
	return 0;
}
