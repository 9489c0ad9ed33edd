/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which app opens a file or a link (the freedesktop.org MIME Applications
 * Associations specification), for `jailsup desktop`: asking GLib's `gio`
 * which entry is the default for a type, changing the user's own
 * $XDG_CONFIG_HOME/mimeapps.list line by line (every other line kept), and
 * having `update-desktop-database` index the user's applications folder.
 * The tools are the desktop's own: the answer is the one a file manager
 * gets, not our reading of the specification.
 */
#ifndef JAILSUP_CLI_DESKTOP_MIME_H
#define JAILSUP_CLI_DESKTOP_MIME_H

#include "state/util.h"

/* The desktop file ID `gio mime TYPE` names as the default for each of
 * TYPES, in *ret, one string per type ("": none, or gio could not say,
 * which is said); -ENOENT when gio is not installed. PATH is where to look
 * for gio. */
int mime_default_query(const char *path, char *const *types, char ***ret);

/* The types of the string list MIME_TYPES (a MimeType value), split and
 * checked; types that are not type/subtype of the allowed characters are
 * left out. */
int mime_types_split(const char *mime_types, char ***ret);

/* Plans making ID the default for each of TYPES in the mimeapps.list
 * below CONFIG_FD: the file's new text in *ret_text and *ret_len (written
 * by mime_defaults_write(), after the launcher that the record goes into),
 * and in *ret_record what was there, for mime_defaults_restore():
 * "TYPE:OLD;…", OLD the old value with its ';' as ',' (empty: there was
 * none). A type whose old value is not a list of desktop file IDs is left
 * alone (said). KEEP is an earlier record of the same launcher (may be
 * NULL): its old values stand for the types it has. A symlink at
 * mimeapps.list is refused (-ELOOP), as every file we replace. */
int mime_defaults_plan(int config_fd, const char *id, char *const *types, const char *keep,
                       char **ret_record, char **ret_text, size_t *ret_len);
int mime_defaults_write(int config_fd, const char *text, size_t len);

/* Undoes mime_defaults_plan() and _write() for launcher ID from RECORD: each type whose
 * default is still ID alone gets its old value back (or loses the line);
 * a type the user changed since is left alone. */
int mime_defaults_restore(int config_fd, const char *id, const char *record);

/* Runs `update-desktop-database -q APPS_DIR` so that launchers, the
 * desktop's and xdg-mime's caches, know the types of the entries there.
 * -ENOENT when the tool is not installed. */
int mime_database_update(const char *path, const char *apps_dir);

#endif
