/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The protocol on a jail's dispatch.sock (SOCK_SEQPACKET): one message per
 * datagram, each starting with a fixed header. Shared by dispatch (PID 1 of
 * the jail, which must survive anything a client sends) and the CLI.
 *
 *   client → dispatch   RUN     argv, env, cwd, a pty mask (which of stdin,
 *                                stdout, stderr are the slave of a pty dispatch
 *                                makes, with the termios and window size it
 *                                starts with); the other stdio fds by
 *                                SCM_RIGHTS, in order: 3 minus the bits set
 *                       SIGNAL  a signal to relay to the app's process group
 *   dispatch → client   PTY     with a pty mask: the pty's master, 1 fd, sent
 *                                before STARTED; value = the pty's number
 *                       STARTED the app's PID (inside the jail)
 *                       STOPPED the app stopped (Ctrl-Z): value = the signal
 *                       EXIT    how the app ended: exit code, signal, or the
 *                                errno of a failed execve()
 *
 * Hard limits: a message is at most DISPATCH_MSG_MAX bytes, argv and env at
 * most DISPATCH_ARGS_MAX strings each; anything else is refused whole.
 */
#ifndef JAILSUP_DISPATCH_PROTO_H
#define JAILSUP_DISPATCH_PROTO_H

#include <sys/ioctl.h>

#include <termios.h>

#include "state/util.h"

#define DISPATCH_MAGIC	     0x4a534431u /* "JSD1" */
#define DISPATCH_VERSION     2           /* 2: the pty relay */
#define DISPATCH_MSG_MAX     (128 * 1024) /* below the default socket send buffer */
#define DISPATCH_ARGS_MAX    4096
#define DISPATCH_RUN_NFDS    3

enum dispatch_msg_type {
	DISPATCH_RUN = 1,
	DISPATCH_SIGNAL = 2,
	DISPATCH_STARTED = 3,
	DISPATCH_EXIT = 4,
	DISPATCH_PTY = 5,
	DISPATCH_STOPPED = 6,
};

/* RUN's pty mask: bit I set = stdio fd I is the pty's slave. */
#define DISPATCH_PTY_ALL 7u

enum dispatch_exit_kind {
	DISPATCH_EXITED = 0,	  /* value: the exit code */
	DISPATCH_SIGNALED = 1,	  /* value: the signal number */
	DISPATCH_EXEC_FAILED = 2, /* value: the errno of execve() */
	DISPATCH_REFUSED = 3,	  /* value: an errno; the request was refused */
};

struct dispatch_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length; /* of the whole message, header included */
};

/* What a pty starts with. MASK 0: no pty (termios and winsize unused and
 * not sent). */
struct dispatch_tty {
	uint32_t mask;
	struct termios termios;
	struct winsize winsize;
};

/* A decoded RUN request. The strings point into the message buffer. */
struct dispatch_run {
	char **argv; /* NULL-terminated, owned array of borrowed strings */
	char **envp; /* NULL-terminated, owned array of borrowed strings */
	const char *cwd;
	struct dispatch_tty tty; /* a copy */
};

/* How many fds come with a RUN of pty mask MASK. */
size_t dispatch_run_nfds(uint32_t mask);

/* Whether the "KEY=VALUE" KV of a requester's environment may enter the
 * jail: locale and terminal variables only. The CLI sends no others and
 * dispatch drops any others it gets. */
bool dispatch_env_passes(const char *kv);

/* Encodes a RUN request into a new buffer. -E2BIG past the limits,
 * -EINVAL a mask outside DISPATCH_PTY_ALL. TTY NULL: no pty. */
int dispatch_encode_run_tty(char *const *argv, char *const *envp, const char *cwd,
                            const struct dispatch_tty *tty, void **ret, size_t *ret_len);
int dispatch_encode_run(char *const *argv, char *const *envp, const char *cwd, void **ret,
			size_t *ret_len);
/* Decodes BUF (LEN bytes, as received: the datagram whole) as a RUN request.
 * -EBADMSG malformed, -EPROTO wrong magic or version, -E2BIG over a limit.
 * BUF must outlive *ret; free with dispatch_run_done(). */
int dispatch_decode_run(const void *buf, size_t len, struct dispatch_run *ret);
void dispatch_run_done(struct dispatch_run *r);

/* Small fixed messages: SIGNAL (value = signo), STARTED (value = pid),
 * EXIT (kind, value), PTY (value = pty number), STOPPED (value = signo). */
struct dispatch_small {
	struct dispatch_header hdr;
	uint32_t kind;
	int32_t value;
};
void dispatch_make_small(struct dispatch_small *m, enum dispatch_msg_type type, uint32_t kind,
			 int32_t value);
/* Validates a received message as a small message; returns its type,
 * or -EBADMSG / -EPROTO. */
int dispatch_decode_small(const void *buf, size_t len, struct dispatch_small *ret);

/* The type of any received message after checking magic, version and
 * length; -EBADMSG / -EPROTO. */
int dispatch_peek_type(const void *buf, size_t len);

/* Sends BUF with FDS attached (N_FDS may be 0). */
int dispatch_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);

/* Receives one datagram into BUF (SIZE bytes). Fds that came with it are
 * stored in FDS (at most MAX_FDS, all O_CLOEXEC) and counted in *ret_n_fds;
 * extra or truncated fds, or a truncated datagram, close them all and
 * return -EMSGSIZE. 0 on EOF (the peer closed), else the length. */
ssize_t dispatch_recv(int sock, void *buf, size_t size, int *fds, size_t max_fds,
		      size_t *ret_n_fds);

#endif
