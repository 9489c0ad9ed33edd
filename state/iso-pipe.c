/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iso-pipe.h: the FIFO through which a jail tells the supervisor that it
 * exists (docs/architecture.md §3, §4). The kernel closes the jailer's write
 * end when the jailer dies, however it dies, so EOF on the read end is the one
 * signal of a jail's end that cannot be lost. Both ends are opened without
 * blocking and checked on the fd: a regular file, a device or a FIFO of
 * another user put in its place is refused before anything is read or written.
 */
#include "state/iso-pipe.h"

#include <sys/stat.h>

#include <fcntl.h>

#include "state/state.h"

int
iso_pipe_create(int dir_fd)
{
	int r;

	if (mkfifoat(dir_fd, STATE_ISO_PIPE, 0600) < 0)
		return -errno;
	/* The umask may have taken bits from 0600; AT_SYMLINK_NOFOLLOW
	 * refuses a symlink swapped in since (EOPNOTSUPP). */
	if (fchmodat(dir_fd, STATE_ISO_PIPE, 0600, AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		(void) unlinkat(dir_fd, STATE_ISO_PIPE, 0);
		return r;
	}
	return 0;
}

static int
fifo_fd_verify(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISFIFO(st.st_mode) || st.st_uid != getuid())
		return -EINVAL;
	return 0;
}

int
iso_pipe_open_read(int dir_fd, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	int r;

	/* O_NONBLOCK: opening a FIFO's read end does not wait for a writer,
	 * and the supervisor's loop must never block on a read. It stays on. */
	fd = openat(dir_fd, STATE_ISO_PIPE,
	            O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = fifo_fd_verify(fd);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int
iso_pipe_open_write(int dir_fd, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	int flags, r;

	/* A blocking open of the write end would wait for a reader; with
	 * O_NONBLOCK it fails with ENXIO instead. Then O_RDWR, which on Linux
	 * never waits: the lines stay in the FIFO for a supervisor that opens
	 * the read end later. No O_TRUNC, so a regular file swapped in is not
	 * changed before the type check refuses it. */
	fd = openat(dir_fd, STATE_ISO_PIPE,
	            O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENXIO)
		fd = openat(dir_fd, STATE_ISO_PIPE,
		            O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = fifo_fd_verify(fd);
	if (r < 0)
		return r;
	/* Blocking from now on: a full pipe (a supervisor that stopped
	 * reading) must delay the jailer, not lose its messages. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* One write(): below PIPE_BUF the kernel never splits or interleaves it. */
static int
write_line(int fd, const char *line, size_t len)
{
	ssize_t n;

	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t) n != len)
		return -EIO;
	return 0;
}

static int
write_pid_line(int fd, const char *key, pid_t pid)
{
	char line[ISO_PIPE_LINE_MAX + 1];
	int n;

	if (pid <= 0)
		return -EINVAL;
	n = snprintf(line, sizeof(line), "%s=%d\n", key, (int) pid);
	return write_line(fd, line, (size_t) n);
}

int
iso_pipe_write_pid(int fd, pid_t pid)
{
	return write_pid_line(fd, "pid", pid);
}

int
iso_pipe_write_ns(int fd, pid_t pid)
{
	return write_pid_line(fd, "ns", pid);
}

int
iso_pipe_write_ready(int fd)
{
	return write_line(fd, "ready\n", strlen("ready\n"));
}

int
iso_msg_parse(const char *line, struct iso_msg *ret)
{
	pid_t pid;
	static const struct {
		const char *prefix;
		enum iso_msg_type type;
	} with_pid[] = { { "pid=", ISO_MSG_PID }, { "ns=", ISO_MSG_NS } };

	if (streq(line, "ready")) {
		*ret = (struct iso_msg){.type = ISO_MSG_READY};
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(with_pid); i++) {
		if (!strstartswith(line, with_pid[i].prefix))
			continue;
		if (parse_pid(line + strlen(with_pid[i].prefix), &pid) < 0)
			return -EBADMSG;
		*ret = (struct iso_msg){ .type = with_pid[i].type, .pid = pid };
		return 0;
	}
	return -EBADMSG;
}

/* Removes the first N bytes of R's buffer. */
static void
reader_consume(struct iso_pipe_reader *r, size_t n)
{
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
}

int
iso_pipe_read(struct iso_pipe_reader *r, int fd, struct iso_msg *ret_msg)
{
	for (;;) {
		char *nl = memchr(r->buf, '\n', r->len);
		ssize_t n;

		if (nl != NULL) {
			char line[ISO_PIPE_LINE_MAX + 1];
			size_t len = (size_t) (nl - r->buf);
			bool skip = r->discarding;

			r->discarding = false;
			if (!skip && len <= ISO_PIPE_LINE_MAX) {
				memcpy(line, r->buf, len);
				line[len] = '\0';
			}
			reader_consume(r, len + 1);
			if (skip)
				continue; /* the tail of a line already reported */
			if (len > ISO_PIPE_LINE_MAX)
				return -E2BIG;
			/* A NUL would hide the rest of the line from the parser. */
			if (memchr(line, '\0', len) != NULL)
				return -EBADMSG;
			if (iso_msg_parse(line, ret_msg) < 0)
				return -EBADMSG;
			return ISO_READ_MSG;
		}

		if (r->len > ISO_PIPE_LINE_MAX) {
			/* More than a line's worth and no newline: report the
			 * line once and drop what comes until its newline. */
			bool reported = r->discarding;

			r->len = 0;
			r->discarding = true;
			if (!reported)
				return -E2BIG;
		}

		n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return ISO_READ_AGAIN;
			return -errno;
		}
		if (n == 0) {
			r->len = 0;
			r->discarding = false;
			return ISO_READ_EOF;
		}
		r->len += (size_t) n;
	}
}
