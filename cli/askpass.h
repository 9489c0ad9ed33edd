/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Asking the user for an encrypted home's password, in the CLI only: on the
 * terminal with echo off when there is one; otherwise through a program
 * that prints it on stdout, as ssh does with SSH_ASKPASS: $JAILSUP_ASKPASS,
 * then $SSH_ASKPASS, then systemd-ask-password. The password lives in one
 * buffer of ours, wiped before it is freed; it never reaches argv, the
 * environment, a file or a log.
 */
#ifndef JAILSUP_CLI_ASKPASS_H
#define JAILSUP_CLI_ASKPASS_H

#include "state/util.h"

/* Longest password taken, in bytes (gocryptfs reads at most 2048). */
#define ASKPASS_MAX 1024

/* Asks with PROMPT. Returns 0 and *ret (free with secret_free()), or after
 * saying why: -ECANCELED (the askpass program failed or printed nothing),
 * -EINVAL (empty, too long, or a NUL inside; a line ends it: the backends
 * read one line), -errno.
 * Ctrl-C at the terminal prompt restores the terminal, then acts as
 * Ctrl-C. */
int askpass(const char *prompt, char **ret);

/* Wipes and frees a password; returns NULL. */
char *secret_free(char *s);

static inline void
secret_freep(char **s)
{
	secret_free(*s);
}

#endif
