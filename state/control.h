/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control socket between the CLI and the supervisor:
 * $XDG_RUNTIME_DIR/jailsup/control, SOCK_SEQPACKET, one message per
 * datagram. A message is a header plus NUL-terminated "key=value" fields;
 * keys may repeat (env=…). The daemon decodes what any process of the user
 * sends, so every length is bounded and checked.
 *
 *   CLI → daemon   START   name=NAME, created-profile=0|1, env=K=V …,
 *                          password=… (an encrypted home's, encrypt.h)
 *   daemon → CLI   PROGRESS message=TEXT (what a start waits for: none, one or
 *                          many, then the REPLY; repeated while the wait lasts,
 *                          so a CLI that hears nothing for long knows the
 *                          supervisor is stopped or wedged)
 *   daemon → CLI   REPLY   status=ok | status=error, code=N, message=TEXT
 *                          (with ok, TEXT is empty or warnings, one a line:
 *                          what the jail started without)
 */
#ifndef JAILSUP_STATE_CONTROL_H
#define JAILSUP_STATE_CONTROL_H

#include "state/util.h"

#define CONTROL_MAGIC	   0x4a534331u /* "JSC1" */
#define CONTROL_VERSION	   1
#define CONTROL_MSG_MAX	   (64 * 1024)
#define CONTROL_FIELDS_MAX 512

enum control_type {
	CONTROL_START = 1,
	CONTROL_REPLY = 2,
	CONTROL_PROGRESS = 3,
};

/* How often the supervisor repeats a start's progress to the CLIs that
 * wait for it, and how long a CLI waits for a word from the supervisor
 * before it calls it stopped or wedged ($JAILSUP_ANSWER_TIMEOUT, seconds,
 * overrides the latter). The CLI's bound is many intervals: a loaded
 * machine may delay a few repeats. */
#define CONTROL_PROGRESS_INTERVAL 1.0
#define CONTROL_ANSWER_TIMEOUT_S  10

struct control_msg {
	enum control_type type;
	char **fields; /* NULL-terminated, borrowed from the buffer */
};

/* Encodes TYPE with FIELDS (a strv of "key=value", the key non-empty):
 * exactly what control_decode() reads back. -EINVAL an unknown TYPE or a
 * field without a key or '=', -E2BIG past limits. */
int control_encode(enum control_type type, char *const *fields, void **ret, size_t *ret_len);

/* Decodes a received datagram. -EPROTO wrong magic/version, -EBADMSG
 * malformed (a field without '=', trailing bytes, too many fields). BUF must
 * outlive *ret; free with control_msg_done(). */
int control_decode(const void *buf, size_t len, struct control_msg *ret);
void control_msg_done(struct control_msg *m);

/* Frees a receive buffer of CONTROL_MSG_MAX bytes, wiped first: a START
 * may carry a password (encrypt.h). */
static inline void
control_buf_freep(char **buf)
{
	if (*buf != NULL)
		erase_secret(*buf, CONTROL_MSG_MAX);
	free(*buf);
}

/* The value of the first field KEY, or NULL. */
const char *control_get(const struct control_msg *m, const char *key);

#endif
