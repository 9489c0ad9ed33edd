/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where our own binaries and the helpers we run are: the siblings of our
 * binary in its prefix (the same layout in the build tree and installed),
 * and an executable on a $PATH-style list.
 */
#ifndef JAILSUP_STATE_EXE_PATHS_H
#define JAILSUP_STATE_EXE_PATHS_H

#include "state/util.h"

/* RELATIVE below the prefix our own binary is installed in: PREFIX/bin/
 * jailsup or PREFIX/libexec/jailsup/supervisor, the same layout in the
 * build tree and installed. */
int sibling_path(const char *relative, char **ret);

/* The supervisor's binary (supervisor-main.c), below that prefix. */
#define SUPERVISOR_BIN "libexec/jailsup/supervisor"

/* True when an executable NAME is in one of the folders of PATH (a
 * $PATH-style list). */
bool found_on_path(const char *name, const char *path);

/* The first executable NAME in the absolute folders of PATH, in *RET;
 * -ENOENT when there is none. */
int find_on_path(const char *name, const char *path, char **ret);

#endif
