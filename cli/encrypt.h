/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLI's side of encrypted homes (docs/architecture.md §4a): making one
 * (`jailsup new --encrypt`) and asking for its password, which goes to the
 * supervisor in the START request; the supervisor mounts it
 * (supervisor/encrypt.h).
 */
#ifndef JAILSUP_CLI_ENCRYPT_H
#define JAILSUP_CLI_ENCRYPT_H

#include "state/crypt-home.h"

/* Pushes "password=…" onto *FIELDS when jail NAME has an encrypted home,
 * after asking the user (askpass.h). FIELDS must be freed with
 * strv_free_erase(). Returns 0, or an exit code after saying why. */
int crypt_request_password(const char *name, char ***fields);

/* jailsup new NAME --encrypt=BACKEND: makes home.BACKEND/ in the jail's
 * data folder, asking for the new password twice. Refuses a jail that
 * already has a home (plain or encrypted) and a backend that is not
 * installed. Returns 0, or an exit code after saying why. */
int crypt_create_home(const char *data_home, const char *name, enum crypt_backend backend);

/* Removes the home.BACKEND/ crypt_create_home() made (the profile could
 * not be written after all). */
void crypt_remove_home(const char *data_home, const char *name, enum crypt_backend backend);

#endif
