/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jailer-standby.h: the one message that turns a standby jailer into the
 * jailer of a jail. It reuses dispatch.sock's RUN encoding, which already
 * carries an argv, an environment and fds and is decoded strictly.
 */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "state/dispatch-proto.h"
#include "state/jailer-standby.h"

int
jailer_standby_send(int sock, char *const *argv, char *const *envp, const int *fds,
		    size_t n_fds)
{
	_cleanup_free_ void *buf = NULL;
	size_t len;
	int r;

	if (n_fds > JAILER_STANDBY_MAX_FDS)
		return -EINVAL;
	r = dispatch_encode_run(argv, envp, "/", &buf, &len);
	if (r < 0)
		return r;
	return dispatch_send(sock, buf, len, fds, n_fds);
}

int
jailer_standby_send_ns(int sock, int user_fd, int net_fd)
{
	const int fds[] = {user_fd, net_fd};
	bool have = user_fd >= 0 && net_fd >= 0;

	return dispatch_send(sock, JAILER_STANDBY_NS_MSG, strlen(JAILER_STANDBY_NS_MSG),
	                     have ? fds : NULL, have ? ELEMENTSOF(fds) : 0);
}

int
jailer_standby_receive_ns(int sock, int ret_fds[2])
{
	int fds[2] = {-1, -1};
	char buf[sizeof(JAILER_STANDBY_NS_MSG)];
	size_t n_fds = 0;
	ssize_t n;

	n = dispatch_recv(sock, buf, sizeof(buf), fds, ELEMENTSOF(fds), &n_fds);
	if (n <= 0)
		return (int) n;
	if ((size_t) n == strlen(JAILER_STANDBY_NS_MSG) &&
	    memcmp(buf, JAILER_STANDBY_NS_MSG, (size_t) n) == 0) {
		if (n_fds == 0)
			return -ENOENT;
		if (n_fds == 2 && ioctl(fds[0], NS_GET_NSTYPE) == CLONE_NEWUSER &&
		    ioctl(fds[1], NS_GET_NSTYPE) == CLONE_NEWNET) {
			ret_fds[0] = fds[0];
			ret_fds[1] = fds[1];
			return 1;
		}
	}
	for (size_t i = 0; i < n_fds; i++)
		safe_close(fds[i]);
	return -EBADMSG;
}

int
jailer_standby_reserve_fds(void)
{
	for (int fd = JAILER_STANDBY_FD + 1; fd < JAILER_FIRST_FD + JAILER_STANDBY_MAX_FDS; fd++) {
		int got = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (got < 0)
			return -errno;
		if (got != fd) {
			safe_close(got);
			return -EBUSY;
		}
	}
	return 0;
}

/* Moves FDS (close-on-exec, above the reserved numbers) to JAILER_FIRST_FD
 * onwards, inheritable as an exec'd jailer would have found them; their
 * originals and the reserved numbers it does not need are closed. */
static int
place_fds(const int *fds, size_t n_fds)
{
	int first = JAILER_FIRST_FD, r;

	r = fds_move_to(fds, n_fds, first);
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i] < first || fds[i] >= first + (int) n_fds)
			safe_close(fds[i]);
	if (r < 0)
		return r;
	for (size_t i = n_fds; i < JAILER_STANDBY_MAX_FDS; i++)
		if (first + (int) i != JAILER_STANDBY_FD)
			safe_close(first + (int) i);
	return 0;
}

int
jailer_standby_receive(char ***ret_argv, char ***ret_envp)
{
	int fds[JAILER_STANDBY_MAX_FDS] = {-1, -1, -1};
	struct dispatch_run run = {};
	size_t n_fds = 0;
	char *buf;
	ssize_t n;
	int r;

	buf = malloc(DISPATCH_MSG_MAX);
	if (buf == NULL)
		return -ENOMEM;
	n = dispatch_recv(JAILER_STANDBY_FD, buf, DISPATCH_MSG_MAX, fds, ELEMENTSOF(fds), &n_fds);
	if (n <= 0) {
		free(buf);
		return n == 0 ? 1 : (int) n;
	}
	r = dispatch_decode_run(buf, (size_t) n, &run);
	if (r >= 0 && run.tty.mask != 0) {
		dispatch_run_done(&run);
		r = -EBADMSG; /* the supervisor asks for no pty here */
	}
	if (r < 0) {
		for (size_t i = 0; i < n_fds; i++)
			safe_close(fds[i]);
		free(buf);
		return r;
	}
	safe_close(JAILER_STANDBY_FD);
	r = place_fds(fds, n_fds);
	if (r < 0)
		return r;
	/* The strings live in BUF, which lives as long as we do. */
	*ret_argv = run.argv;
	*ret_envp = run.envp;
	return 0;
}
