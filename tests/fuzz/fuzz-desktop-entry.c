/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the Desktop Entry reader and the Exec quoting of
 * supervisor/desktop-entry.c: `jailsup desktop add` reads files from
 * $XDG_DATA_DIRS, which anyone who installs a package fills. Any bytes must
 * be refused cleanly or read; every Exec that splits must join back into a
 * value that splits to the same arguments (what the launcher runs is what
 * we meant).
 */
/* The checks below are the point of the target: keep them in any build. */
#undef NDEBUG
#include <assert.h>

/* The CLI's file, compiled in: the fuzz rule builds the libraries' sources
 * only. tests/module.mk makes this target depend on it. */
#include "cli/desktop-entry.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const char *raw)
{
	_cleanup_strv_ char **v = NULL, **back = NULL;
	_cleanup_free_ char *joined = NULL;
	size_t i;

	if (desktop_exec_split(raw, &v) < 0)
		return;
	assert(v != NULL && v[0] != NULL);
	assert(desktop_exec_join(v, &joined) == 0);
	assert(desktop_exec_split(joined, &back) == 0);
	for (i = 0; v[i] != NULL; i++)
		assert(back[i] != NULL && streq(v[i], back[i]));
	assert(back[i] == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_(desktop_file_freep) struct desktop_file *f = NULL;
	_cleanup_free_ char *text = NULL;
	unsigned line = 0;
	int r;

	r = desktop_file_parse((const char *) data, size, &f, &line);
	if (r < 0) {
		assert(r == -EINVAL || r == -EFBIG || r == -ENOMEM);
		assert(f == NULL);
	} else {
		assert(desktop_file_get(f, DESKTOP_MAIN_GROUP, "Type") != NULL);
		for (size_t i = 0; i < f->n_lines; i++)
			if (f->lines[i].value != NULL)
				round_trip(f->lines[i].value);
	}
	/* The bytes as one Exec value, too. */
	text = strndup((const char *) data, size);
	if (text != NULL)
		round_trip(text);
	return 0;
}
