/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jail-state.h: reading a jail's state file and checking the processes it
 * names. The kernel's /proc is the second source of truth: a PID is taken
 * for the jailer only when start time and command name both match.
 */
#include <fcntl.h>

#include "state/crypt-home.h"
#include "state/state.h"
#include "supervisor/jail-state.h"

static const char *const status_names[_JAIL_STATUS_MAX] = {
	[JAIL_STARTING] = "starting", [JAIL_RUNNING] = "running", [JAIL_DEGRADED] = "degraded",
	[JAIL_STOPPING] = "stopping", [JAIL_STOPPED] = "stopped", [JAIL_FAILED] = "failed",
};

const char *
jail_status_to_string(enum jail_status s)
{
	if (s < 0 || s >= _JAIL_STATUS_MAX)
		return NULL;
	return status_names[s];
}

enum jail_status
jail_status_from_string(const char *s)
{
	for (int i = 0; i < _JAIL_STATUS_MAX; i++)
		if (s != NULL && streq(s, status_names[i]))
			return (enum jail_status) i;
	return _JAIL_STATUS_INVALID;
}

int
jail_state_jailer(const struct kv_list *state, struct proc_id *ret)
{
	const char *pid = kv_get(state, STATE_KEY_JAILER_PID);
	const char *start = kv_get(state, STATE_KEY_JAILER_START);
	struct proc_id id;

	if (pid == NULL || start == NULL)
		return -ENOENT;
	if (parse_pid(pid, &id.pid) < 0 || parse_u64(start, &id.start) < 0)
		return -EINVAL;
	*ret = id;
	return 0;
}

static int
read_proc_file(pid_t pid, const char *what, char *buf, size_t size)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int) n;
}

int
proc_id_is(const struct proc_id *id, const char *comm)
{
	char buf[64];
	int r;

	r = proc_id_alive(id);
	if (r <= 0)
		return r;
	r = read_proc_file(id->pid, "comm", buf, sizeof(buf));
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	for (const char *c = comm; *c != '\0';) {
		size_t len = strcspn(c, "|");

		if (strlen(buf) == len && strncmp(buf, c, len) == 0)
			return 1;
		c += len + (c[len] == '|');
	}
	return 0;
}

/* 1 when the pid file FILE of jail NAME names a live process called COMM. */
static int
pid_file_alive(int jails_fd, const char *name, const char *file, const char *comm)
{
	_cleanup_free_ char *text = NULL;
	struct proc_id id;
	size_t len;
	int r;

	r = state_jail_read_file(jails_fd, name, file, PROC_ID_STRLEN, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0 || strlen(text) != len || proc_id_parse(text, &id) < 0)
		return 0; /* not a pid file we wrote: it names nobody */
	return proc_id_is(&id, comm);
}

int
jail_home_lingers(int jails_fd, const char *name, const struct kv_list *state)
{
	enum crypt_backend b = crypt_backend_from_string(kv_get(state, STATE_KEY_ENCRYPTED));
	int r;

	if (b < 0)
		return 0; /* "false": a plain home, nothing to release */
	r = crypt_home_mounted_below(jails_fd, name);
	if (r != 0)
		return 1;
	r = pid_file_alive(jails_fd, name, STATE_KEEPER_PID, KEEPER_COMM);
	if (r != 0)
		return 1;
	r = pid_file_alive(jails_fd, name, crypt_backend_pid_file(b), crypt_backend_to_string(b));
	return r != 0;
}

static int
first_child(pid_t pid, pid_t *ret)
{
	char path[64], buf[64];
	int r;

	snprintf(path, sizeof(path), "task/%d/children", (int) pid);
	r = read_proc_file(pid, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	buf[strcspn(buf, " \n")] = '\0';
	return parse_pid(buf, ret);
}

int
jail_count_apps(pid_t jailer)
{
	char path[64], buf[4096];
	pid_t init;
	int r, n = 0;

	r = first_child(jailer, &init);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "task/%d/children", (int) init);
	r = read_proc_file(init, path, buf, sizeof(buf));
	if (r < 0)
		return r;
	for (char *p = buf; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && (p == buf || p[-1] == ' '))
			n++;
	return n;
}
