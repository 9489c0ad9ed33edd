/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clipboard bridge's checks of what it reads: the text a selection
 * owner gives (a jail's, with clipboard = both), and the nested server's
 * cookie file. Plain functions of a buffer, so that unit tests reach them.
 */
#ifndef JAILSUP_CLIPBOARD_TEXT_H
#define JAILSUP_CLIPBOARD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether BUF holds well-formed UTF-8 (no overlong form, no surrogate,
 * nothing past U+10FFFF, no truncated sequence) and no NUL, which would
 * cut the text short in a receiver that keeps C strings. */
bool clipboard_text_valid(const uint8_t *buf, size_t len);

struct clipboard_cookie {
	const uint8_t *name; /* "MIT-MAGIC-COOKIE-1" */
	uint16_t name_len;
	const uint8_t *data;
	uint16_t data_len;
};

/* The first entry of an Xauthority file's content BUF (family, address,
 * display number, name, data: counted fields, u16 big-endian lengths);
 * *RET points into BUF. 0, or -EBADMSG for a truncated or empty buffer. */
int clipboard_xauth_first(const uint8_t *buf, size_t len, struct clipboard_cookie *ret);

#endif
