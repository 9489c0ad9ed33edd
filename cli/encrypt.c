/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * encrypt.h, the CLI's side: `jailsup new NAME --encrypt[=BACKEND]` makes
 * the encrypted home, and a START of an encrypted jail carries the password
 * the user was asked for. The supervisor does all the mounting of running
 * jails; only the one-time creation runs the backend here, with the
 * password on a pipe as in the supervisor.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cli/askpass.h"
#include "cli/client.h"
#include "cli/encrypt.h"
#include "cli/start.h"
#include "cli/verbs.h"
#include "ini-profiles/profile.h"
#include "state/exe-paths.h"
#include "state/log.h"
#include "state/state.h"

/* encfs makes a new volume only while mounting it: on this folder of the
 * data folder, unmounted again at once. */
#define ENCFS_NEW_MOUNT ".home.encfs-new"

static int
user_env(struct profile_env *env, struct profile_env_storage *storage)
{
	int r = profile_env_from_environ(env, storage, NULL);

	if (r < 0)
		return log_error_errno(r, "$HOME is not set to an absolute path");
	return 0;
}

static void
log_detect_error(int r, const char *name)
{
	log_error_errno(r, "unable to tell whether the home of jail '%s' is encrypted (its data "
			   "folder and home.gocryptfs/ or home.encfs/ must be directories of "
			   "yours, the folder mode 0700)",
			name);
}

int
crypt_request_password(const char *name, char ***fields)
{
	_cleanup_(profile_env_storage_done) struct profile_env_storage storage = {};
	_cleanup_(secret_freep) char *password = NULL;
	_cleanup_free_ char *prompt = NULL, *field = NULL;
	enum crypt_backend backend;
	struct profile_env env;
	int r;

	if (user_env(&env, &storage) < 0)
		return EXIT_JAILSUP_FAILED;
	r = crypt_backend_detect(env.xdg_data_home, name, &backend);
	if (r < 0)
		return log_detect_error(r, name), EXIT_JAILSUP_FAILED;
	if (backend == CRYPT_NONE)
		return 0;
	if (asprintf(&prompt, "Password of jail '%s' (%s): ", name,
		     crypt_backend_to_string(backend)) < 0)
		return EXIT_JAILSUP_FAILED;
	if (askpass(prompt, &password) < 0)
		return log_error("jail '%s' is encrypted and has no password: not started", name),
		       EXIT_JAILSUP_FAILED;
	/* Built by hand: asprintf() may grow its buffer by realloc(), leaving
	 * copies of the password in freed memory. */
	field = malloc(strlen(CRYPT_PASSWORD_FIELD "=") + strlen(password) + 1);
	if (field == NULL)
		return EXIT_JAILSUP_FAILED;
	stpcpy(stpcpy(field, CRYPT_PASSWORD_FIELD "="), password);
	r = strv_push(fields, field);
	erase_secret(field, strlen(field));
	return r < 0 ? EXIT_JAILSUP_FAILED : 0;
}

/* Asks for the new password twice; both must be the same. */
static int
ask_new_password(const char *name, enum crypt_backend backend, char **ret)
{
	_cleanup_(secret_freep) char *first = NULL, *second = NULL;
	_cleanup_free_ char *prompt = NULL;

	if (asprintf(&prompt, "New password of jail '%s' (%s): ", name,
		     crypt_backend_to_string(backend)) < 0)
		return -ENOMEM;
	if (askpass(prompt, &first) < 0 || askpass("The same password again: ", &second) < 0)
		return -ECANCELED;
	if (!streq(first, second))
		return log_error("the two passwords differ"), -EINVAL;
	*ret = TAKE_PTR(first);
	return 0;
}

static int
wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
init_gocryptfs(const char *cipher, const char *password)
{
	char *argv[] = { "gocryptfs", "-init", "-q", "-passfile", "/dev/stdin", "--", (char *) cipher,
			 NULL };
	pid_t pid;
	int r;

	/* Its messages (errors only, with -q) go to our stderr. */
	r = crypt_spawn(argv, password, STDERR_FILENO, &pid);
	if (r < 0)
		return r;
	r = wait_child(pid);
	if (r != 0)
		return log_error("gocryptfs -init failed (exit status %d)", r), -ECHILD;
	return 0;
}

/* encfs --standard makes the volume as it mounts it: run in the
 * foreground, wait for the mount, unmount, and it exits. */
static int
init_encfs(int data_fd, const char *data_path, const char *raw, const char *password)
{
	_cleanup_free_ char *mnt = path_join(data_path, ENCFS_NEW_MOUNT);
	char *argv[] = { "encfs", "-f", "--standard", "--stdinpass", "--", (char *) raw, mnt, NULL };
	_cleanup_close_ int pidfd = -1;
	pid_t pid;
	int r, k;

	if (mnt == NULL)
		return -ENOMEM;
	if (mkdirat(data_fd, ENCFS_NEW_MOUNT, 0700) < 0 && errno != EEXIST)
		return log_error_errno(-errno, "unable to create '%s'", mnt);
	/* Its chatter about the configuration goes nowhere. */
	r = crypt_spawn(argv, password, -1, &pid);
	if (r >= 0) {
		pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
		r = pidfd < 0 ? -errno : crypt_wait_mounted(data_fd, ENCFS_NEW_MOUNT, pidfd);
		if (r >= 0)
			r = crypt_fusermount_u(mnt, false);
		k = wait_child(pid);
		if (r >= 0 && k != 0)
			r = -ECHILD;
		if (r < 0)
			log_error("encfs could not create '%s' (exit status %d)", raw, k);
	} else
		log_error_errno(r, "unable to run encfs");
	(void) unlinkat(data_fd, ENCFS_NEW_MOUNT, AT_REMOVEDIR);
	return r;
}

int
crypt_create_home(const char *data_home, const char *name, enum crypt_backend backend)
{
	static const char *const homes[] = { "home", "home.gocryptfs", "home.encfs" };
	_cleanup_(secret_freep) char *password = NULL;
	_cleanup_free_ char *data_path = NULL, *cipher = NULL;
	_cleanup_close_ int data_fd = -1;
	const char *program = crypt_backend_to_string(backend);
	int r;

	if (asprintf(&data_path, "%s/%s/%s/%s", data_home, STATE_RUNTIME_SUBDIR,
		     STATE_JAILS_SUBDIR, name) < 0 ||
	    (cipher = path_join(data_path, crypt_backend_dir(backend))) == NULL)
		return EXIT_JAILSUP_FAILED;
	if (!found_on_path(program, getenv("PATH")))
		return log_error("%s is not installed (Debian: apt install %s)%s", program,
				 program,
				 backend == CRYPT_GOCRYPTFS ? ", or choose --encrypt=encfs" : ""),
		       EXIT_JAILSUP_FAILED;
	/* A home that exists stays as it is: an encrypted one beside it would
	 * hide it from the jail. */
	r = jail_data_dir_open(data_home, name, false, &data_fd);
	if (r < 0 && r != -ENOENT)
		return log_error_errno(r, "unable to open '%s'", data_path), EXIT_JAILSUP_FAILED;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(homes); i++) {
		struct stat st;

		if (fstatat(data_fd, homes[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			return log_error("jail '%s' already has a home, '%s/%s': refusing to put "
					 "an encrypted one beside it",
					 name, data_path, homes[i]),
			       EXIT_EXISTS;
	}
	data_fd = safe_close(data_fd);
	if (ask_new_password(name, backend, &password) < 0)
		return EXIT_NO_PASSWORD;
	r = jail_data_dir_open(data_home, name, true, &data_fd);
	if (r < 0)
		return log_error_errno(r, "unable to create '%s'", data_path), EXIT_JAILSUP_FAILED;
	if (mkdirat(data_fd, crypt_backend_dir(backend), 0700) < 0)
		return log_error_errno(-errno, "unable to create '%s'", cipher), EXIT_JAILSUP_FAILED;
	if (backend == CRYPT_GOCRYPTFS)
		r = init_gocryptfs(cipher, password);
	else
		r = init_encfs(data_fd, data_path, cipher, password);
	if (r < 0) {
		(void) state_rm_rf(data_fd, crypt_backend_dir(backend));
		return EXIT_JAILSUP_FAILED;
	}
	return 0;
}

void
crypt_remove_home(const char *data_home, const char *name, enum crypt_backend backend)
{
	_cleanup_close_ int data_fd = -1;

	if (jail_data_dir_open(data_home, name, false, &data_fd) >= 0)
		(void) state_rm_rf(data_fd, crypt_backend_dir(backend));
}
