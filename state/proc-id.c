/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proc-id.h: a PID plus its start time, so that the supervisor, which
 * outlives its jails and re-adopts them after a restart, never signals a
 * process that merely got a recycled PID. The start time comes from
 * /proc/PID/stat; signals go through a pidfd that is verified after it was
 * opened, which closes the window between "check" and "kill".
 */
#include "state/proc-id.h"

#include <sys/syscall.h>

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>

#include "state/state.h"

/* /proc/PID/stat is about 300 bytes; the comm in it at most 64. */
#define PROC_STAT_MAX 4096

/* Fields after the last ')': the state (field 3 overall) is the 1st, the
 * parent (field 4) the 2nd, the start time (field 22) the 20th. */
#define STAT_FIELD_STATE 1
#define STAT_FIELD_PPID  2
#define STAT_FIELD_START 20

struct proc_stat {
	char state;
	pid_t ppid; /* 0 for a process whose parent is outside its PID namespace */
	uint64_t start;
};

static int
parse_stat(const char *buf, struct proc_stat *ret)
{
	const char *p;
	struct proc_stat st = {};

	/* The comm (field 2) is "(...)" with whatever the process chose: only
	 * the last ')' surely ends it. */
	p = strrchr(buf, ')');
	if (p == NULL)
		return -EINVAL;
	p++;
	for (unsigned field = 1;; field++) {
		char tok[24];
		uint64_t v = 0;
		size_t n;

		if (*p != ' ')
			return -EINVAL;
		p++;
		n = strcspn(p, " \n");
		if (n == 0)
			return -EINVAL;
		if (field == STAT_FIELD_STATE) {
			if (n != 1)
				return -EINVAL;
			st.state = *p;
		} else if (field == STAT_FIELD_PPID || field == STAT_FIELD_START) {
			if (n >= sizeof(tok))
				return -EINVAL;
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (parse_u64(tok, &v) < 0)
				return -EINVAL;
		}
		if (field == STAT_FIELD_PPID) {
			if (v > INT32_MAX)
				return -EINVAL;
			st.ppid = (pid_t) v;
		} else if (field == STAT_FIELD_START) {
			st.start = v;
			*ret = st;
			return 0;
		}
		p += n;
	}
}

int
proc_stat_parse(const char *buf, char *ret_state, uint64_t *ret_start)
{
	struct proc_stat st;
	int r;

	r = parse_stat(buf, &st);
	if (r < 0)
		return r;
	if (ret_state != NULL)
		*ret_state = st.state;
	if (ret_start != NULL)
		*ret_start = st.start;
	return 0;
}

int
proc_stat_parse_start(const char *buf, uint64_t *ret)
{
	return proc_stat_parse(buf, NULL, ret);
}

static int
read_stat(int proc_fd, pid_t pid, struct proc_stat *ret)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	char path[sizeof("/proc//stat") + 12];
	size_t len;
	int r;

	if (pid <= 0)
		return -EINVAL;
	if (proc_fd >= 0) {
		snprintf(path, sizeof(path), "%d/stat", (int) pid);
		fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	r = read_all(fd, PROC_STAT_MAX, &buf, &len);
	if (r < 0)
		return r; /* ESRCH: it was reaped between open and read */
	if (strlen(buf) != len)
		return -EINVAL;
	return parse_stat(buf, ret);
}

int
proc_start_time(int proc_fd, pid_t pid, uint64_t *ret)
{
	struct proc_stat st;
	int r;

	r = read_stat(proc_fd, pid, &st);
	if (r < 0)
		return r;
	*ret = st.start;
	return 0;
}

int
proc_parent(int proc_fd, pid_t pid, pid_t *ret)
{
	struct proc_stat st;
	int r;

	r = read_stat(proc_fd, pid, &st);
	if (r < 0)
		return r;
	*ret = st.ppid;
	return 0;
}

int
proc_id_get(pid_t pid, struct proc_id *ret)
{
	uint64_t start;
	int r;

	r = proc_start_time(-1, pid, &start);
	if (r < 0)
		return r;
	*ret = (struct proc_id){.pid = pid, .start = start};
	return 0;
}

int
proc_id_format(const struct proc_id *id, char buf[static PROC_ID_STRLEN])
{
	return snprintf(buf, PROC_ID_STRLEN, "%d %" PRIu64 "\n", (int) id->pid, id->start);
}

int
proc_id_parse(const char *s, struct proc_id *ret)
{
	char buf[PROC_ID_STRLEN];
	uint64_t start;
	size_t n;
	char *sp;
	pid_t pid;
	int r;

	n = strnlen(s, sizeof(buf));
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* Exactly one space: parse_pid() and parse_u64() refuse any other
	 * byte around the numbers. */
	sp = strchr(buf, ' ');
	if (sp == NULL)
		return -EINVAL;
	*sp = '\0';
	r = parse_pid(buf, &pid);
	if (r < 0)
		return r;
	r = parse_u64(sp + 1, &start);
	if (r < 0)
		return r;
	*ret = (struct proc_id){.pid = pid, .start = start};
	return 0;
}

int
proc_id_read_at(int dir_fd, const char *name, struct proc_id *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = state_read_file(dir_fd, name, PROC_ID_STRLEN, &buf, &len);
	if (r < 0)
		return r;
	/* "1234 5\0junk" must not pass as "1234 5". */
	if (strlen(buf) != len)
		return -EINVAL;
	return proc_id_parse(buf, ret);
}

int
proc_id_write_at(int dir_fd, const char *name, const struct proc_id *id)
{
	char buf[PROC_ID_STRLEN];
	int n;

	if (id->pid <= 0)
		return -EINVAL;
	n = proc_id_format(id, buf);
	return state_write_atomic(dir_fd, name, buf, (size_t) n);
}

int
proc_id_alive(const struct proc_id *id)
{
	struct proc_stat st;
	int r;

	r = read_stat(-1, id->pid, &st);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	/* A zombie has done all it will: its parent just has not reaped it.
	 * 'X' (dead) is only ever seen in a race with the reaping. */
	if (st.state == 'Z' || st.state == 'X')
		return 0;
	return st.start == id->start;
}

int
proc_id_open_pidfd(const struct proc_id *id, int *ret_pidfd)
{
	_cleanup_close_ int pidfd = -1;
	uint64_t start;
	int r;

	if (id->pid <= 0)
		return -EINVAL;
	/* pidfd first, start time second: once we hold the pidfd, a recycled
	 * PID can no longer be the process we signal. If the process died
	 * and its PID was reused before we read the start time, the start
	 * time is the new process's and does not match. pidfds are always
	 * close-on-exec. */
	pidfd = (int) syscall(SYS_pidfd_open, id->pid, 0);
	if (pidfd < 0) {
		/* EINVAL: the PID is now a thread of another process, not a
		 * thread group leader; to us that is "gone". */
		if (errno == EINVAL)
			return -ESRCH;
		return -errno;
	}
	r = proc_start_time(-1, id->pid, &start);
	if (r < 0)
		return r;
	if (start != id->start)
		return -ESRCH;
	*ret_pidfd = TAKE_FD(pidfd);
	return 0;
}

int
proc_id_kill(const struct proc_id *id, int sig)
{
	_cleanup_close_ int pidfd = -1;
	int r;

	r = proc_id_open_pidfd(id, &pidfd);
	if (r < 0)
		return r;
	return NEG_ERRNO(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}
