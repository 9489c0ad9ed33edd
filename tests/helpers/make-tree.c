/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make-tree DIR DEPTH OUTSIDE: run inside a jail, makes in DIR (which must
 * not exist) the tree an app can leave for autodelete to remove: a chain of
 * DEPTH directories "d", far beyond PATH_MAX and any fd budget, each level
 * holding names with a newline, of NAME_MAX bytes and of control and
 * non-UTF-8 bytes, a FIFO, a socket, a file of mode 0000, symlinks to
 * OUTSIDE (a host path: dangling here, real on the host), to OUTSIDE/secret
 * and to "..", and each level's directory left with an odd mode (0000,
 * 0100, 01000, …) once its child exists. DIR also holds the names the
 * removal moves deep subtrees to, taken first. Holds two fds at a time.
 * Prints "made DEPTH levels"; exit 1 with the failing step otherwise.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
check(int r, const char *what, unsigned level)
{
	if (r < 0) {
		fprintf(stderr, "make-tree: level %u: %s: %s\n", level, what, strerror(errno));
		exit(1);
	}
}

static void
file_at(int dir_fd, const char *name, mode_t mode, unsigned level)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	check(fd, name, level);
	check((int) write(fd, "x", 1), name, level);
	check(fchmod(fd, mode), name, level);
	close(fd);
}

static void
plant(int fd, const char *outside, const char *secret, unsigned level)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "sock"};
	char longest[NAME_MAX + 1];
	int sock;

	memset(longest, 'n', NAME_MAX);
	longest[NAME_MAX] = '\0';
	file_at(fd, "new\nline", 0600, level);
	file_at(fd, longest, 0600, level);
	file_at(fd, "\001\x7f\xff -rf *", 0600, level);
	file_at(fd, "mode0000", 0000, level);
	check(mkfifoat(fd, "fifo", 0600), "fifo", level);
	/* bind() takes a path: a short one, relative to the level. */
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	check(sock, "socket", level);
	check(fchdir(fd), "fchdir", level);
	check(bind(sock, (struct sockaddr *) &sa, sizeof(sa)), "bind", level);
	close(sock);
	check(symlinkat(outside, fd, "to-outside"), "to-outside", level);
	check(symlinkat(secret, fd, "to-secret"), "to-secret", level);
	check(symlinkat("..", fd, "up"), "up", level);
}

int
main(int argc, char **argv)
{
	static const mode_t modes[] = {0000, 0100, 0300, 0500, 01000, 0555, 02700, 0200};
	char secret[PATH_MAX];
	char *end;
	unsigned long depth;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: make-tree DIR DEPTH OUTSIDE\n");
		return 2;
	}
	errno = 0;
	depth = strtoul(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || depth == 0 || depth > 1000000) {
		fprintf(stderr, "make-tree: bad depth '%s'\n", argv[2]);
		return 2;
	}
	snprintf(secret, sizeof(secret), "%s/secret", argv[3]);

	check(mkdir(argv[1], 0700), argv[1], 0);
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	check(fd, argv[1], 0);
	/* The removal's own names for moved subtrees, taken by the app. */
	file_at(fd, ".jailsup-rm-0", 0000, 0);
	check(mkdirat(fd, ".jailsup-rm-1", 0700), ".jailsup-rm-1", 0);
	for (unsigned long i = 0; i < depth; i++) {
		int sub;

		plant(fd, argv[3], secret, (unsigned) i);
		check(mkdirat(fd, "d", 0700), "d", (unsigned) i);
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		check(sub, "d", (unsigned) i);
		/* DIR itself keeps its mode: the test looks for it by name. */
		if (i > 0)
			check(fchmod(fd, modes[i % (sizeof(modes) / sizeof(modes[0]))]), "chmod",
			      (unsigned) i);
		close(fd);
		fd = sub;
	}
	plant(fd, argv[3], secret, (unsigned) depth);
	check(fchmod(fd, 0000), "chmod", (unsigned) depth);
	close(fd);
	printf("made %lu levels\n", depth);
	return 0;
}
