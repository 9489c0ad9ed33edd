/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch-proto.h: encoding and strict decoding of dispatch.sock messages.
 * The decoder runs inside PID 1 of a jail on bytes any process of the user
 * may send, so every length is checked before it is used, and a message
 * that is not exactly what it claims is refused whole.
 *
 * RUN layout after the header: u32 argc, u32 envc, u32 pty mask, with a
 * mask a struct termios and a struct winsize (CLI and dispatch ship
 * together: one ABI), then argc + envc + 1 NUL-terminated strings (argv,
 * env, cwd) filling the rest exactly.
 */
#include <sys/socket.h>

#include "state/dispatch-proto.h"

static void
header_init(struct dispatch_header *h, enum dispatch_msg_type type, size_t length)
{
	h->magic = DISPATCH_MAGIC;
	h->version = DISPATCH_VERSION;
	h->type = (uint16_t) type;
	h->length = (uint32_t) length;
}

bool
dispatch_env_passes(const char *kv)
{
	static const char *const keys[] = { "LANG", "LANGUAGE", "TERM", "COLORTERM", "TZ",
					    "NO_COLOR", "COLUMNS", "LINES" };
	size_t len = strcspn(kv, "=");

	if (strncmp(kv, "LC_", 3) == 0)
		return true;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (strlen(keys[i]) == len && strncmp(kv, keys[i], len) == 0)
			return true;
	return false;
}

int
dispatch_peek_type(const void *buf, size_t len)
{
	struct dispatch_header h;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != DISPATCH_MAGIC || h.version != DISPATCH_VERSION)
		return -EPROTO;
	if (h.length != len)
		return -EBADMSG;
	switch (h.type) {
	case DISPATCH_RUN:
	case DISPATCH_SIGNAL:
	case DISPATCH_STARTED:
	case DISPATCH_EXIT:
	case DISPATCH_PTY:
	case DISPATCH_STOPPED:
		return h.type;
	default:
		return -EBADMSG;
	}
}

size_t
dispatch_run_nfds(uint32_t mask)
{
	return (size_t) DISPATCH_RUN_NFDS - (size_t) __builtin_popcount(mask & DISPATCH_PTY_ALL);
}

#define TTY_WIRE_SIZE (sizeof(struct termios) + sizeof(struct winsize))

int
dispatch_encode_run(char *const *argv, char *const *envp, const char *cwd, void **ret,
		    size_t *ret_len)
{
	return dispatch_encode_run_tty(argv, envp, cwd, NULL, ret, ret_len);
}

int
dispatch_encode_run_tty(char *const *argv, char *const *envp, const char *cwd,
                        const struct dispatch_tty *tty, void **ret, size_t *ret_len)
{
	size_t argc = strv_length(argv), envc = strv_length(envp);
	size_t len = sizeof(struct dispatch_header) + 3 * sizeof(uint32_t);
	uint32_t counts[3], mask = tty != NULL ? tty->mask : 0;
	char *buf, *p;

	if (argc < 1 || argc > DISPATCH_ARGS_MAX || envc > DISPATCH_ARGS_MAX || cwd == NULL)
		return -E2BIG;
	if (mask & ~DISPATCH_PTY_ALL)
		return -EINVAL;
	if (mask != 0)
		len += TTY_WIRE_SIZE;
	for (size_t i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		len += strlen(envp[i]) + 1;
	len += strlen(cwd) + 1;
	if (len > DISPATCH_MSG_MAX)
		return -E2BIG;

	buf = malloc(len);
	if (buf == NULL)
		return -ENOMEM;
	header_init((struct dispatch_header *) (void *) buf, DISPATCH_RUN, len);
	counts[0] = (uint32_t) argc;
	counts[1] = (uint32_t) envc;
	counts[2] = mask;
	p = buf + sizeof(struct dispatch_header);
	memcpy(p, counts, sizeof(counts));
	p += sizeof(counts);
	if (mask != 0) {
		memcpy(p, &tty->termios, sizeof(tty->termios));
		p += sizeof(tty->termios);
		memcpy(p, &tty->winsize, sizeof(tty->winsize));
		p += sizeof(tty->winsize);
	}
	for (size_t i = 0; i < argc; i++)
		p = stpcpy(p, argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		p = stpcpy(p, envp[i]) + 1;
	p = stpcpy(p, cwd) + 1;
	*ret = buf;
	*ret_len = len;
	return 0;
}

void
dispatch_run_done(struct dispatch_run *r)
{
	free(r->argv);
	free(r->envp);
	r->argv = r->envp = NULL;
	r->cwd = NULL;
}

int
dispatch_decode_run(const void *buf, size_t len, struct dispatch_run *ret)
{
	_cleanup_free_ char **argv = NULL;
	_cleanup_free_ char **envp = NULL;
	const char *p, *end = (const char *) buf + len;
	struct dispatch_tty tty = {};
	uint32_t counts[3];
	int r;

	r = dispatch_peek_type(buf, len);
	if (r < 0)
		return r;
	if (r != DISPATCH_RUN)
		return -EBADMSG;
	if (len < sizeof(struct dispatch_header) + sizeof(counts))
		return -EBADMSG;
	p = (const char *) buf + sizeof(struct dispatch_header);
	memcpy(counts, p, sizeof(counts));
	p += sizeof(counts);
	if (counts[0] < 1 || counts[0] > DISPATCH_ARGS_MAX || counts[1] > DISPATCH_ARGS_MAX)
		return -E2BIG;
	if (counts[2] & ~DISPATCH_PTY_ALL)
		return -EBADMSG;
	tty.mask = counts[2];
	if (tty.mask != 0) {
		if ((size_t) (end - p) < TTY_WIRE_SIZE)
			return -EBADMSG;
		memcpy(&tty.termios, p, sizeof(tty.termios));
		p += sizeof(tty.termios);
		memcpy(&tty.winsize, p, sizeof(tty.winsize));
		p += sizeof(tty.winsize);
	}

	argv = calloc(counts[0] + 1, sizeof(char *));
	envp = calloc(counts[1] + 1, sizeof(char *));
	if (argv == NULL || envp == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < counts[0] + counts[1] + 1; i++) {
		const char *nul;

		if (p >= end)
			return -EBADMSG;
		nul = memchr(p, '\0', (size_t) (end - p));
		if (nul == NULL)
			return -EBADMSG;
		if (i < counts[0])
			argv[i] = (char *) p;
		else if (i < counts[0] + counts[1])
			envp[i - counts[0]] = (char *) p;
		else
			ret->cwd = p;
		p = nul + 1;
	}
	if (p != end)
		return -EBADMSG; /* trailing bytes: not what the header claimed */
	if (argv[0][0] == '\0' || ret->cwd[0] != '/')
		return -EBADMSG;
	for (uint32_t i = 0; i < counts[1]; i++)
		if (strchr(envp[i], '=') == NULL || envp[i][0] == '=')
			return -EBADMSG;
	ret->argv = TAKE_PTR(argv);
	ret->envp = TAKE_PTR(envp);
	ret->tty = tty;
	return 0;
}

void
dispatch_make_small(struct dispatch_small *m, enum dispatch_msg_type type, uint32_t kind,
		    int32_t value)
{
	memset(m, 0, sizeof(*m));
	header_init(&m->hdr, type, sizeof(*m));
	m->kind = kind;
	m->value = value;
}

int
dispatch_decode_small(const void *buf, size_t len, struct dispatch_small *ret)
{
	int r = dispatch_peek_type(buf, len);

	if (r < 0)
		return r;
	if (r == DISPATCH_RUN || len != sizeof(*ret))
		return -EBADMSG;
	memcpy(ret, buf, sizeof(*ret));
	return r;
}

int
dispatch_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * DISPATCH_RUN_NFDS)];
	} control;
	struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (n_fds > DISPATCH_RUN_NFDS)
		return -EINVAL;
	if (n_fds > 0) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t) n != len)
		return -EMSGSIZE;
	return 0;
}

ssize_t
dispatch_recv(int sock, void *buf, size_t size, int *fds, size_t max_fds, size_t *ret_n_fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 16)];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	size_t n_fds = 0;
	bool bad = false;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	/* Take every fd that arrived, whatever else is wrong, so none leaks
	 * into PID 1's table. */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		size_t count;
		int tmp[16];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = true;
			continue;
		}
		count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (count > ELEMENTSOF(tmp))
			count = ELEMENTSOF(tmp);
		memcpy(tmp, CMSG_DATA(c), count * sizeof(int));
		for (size_t i = 0; i < count; i++) {
			if (n_fds < max_fds)
				fds[n_fds++] = tmp[i];
			else {
				safe_close(tmp[i]);
				bad = true;
			}
		}
	}
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		bad = true;
	if (bad) {
		for (size_t i = 0; i < n_fds; i++)
			safe_close(fds[i]);
		if (ret_n_fds != NULL)
			*ret_n_fds = 0;
		return -EMSGSIZE;
	}
	if (ret_n_fds != NULL)
		*ret_n_fds = n_fds;
	return n;
}
