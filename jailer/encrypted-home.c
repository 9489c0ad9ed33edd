/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The home of an encrypted jail (docs/architecture.md §4a): the supervisor's
 * backend (gocryptfs or encfs) mounts the plaintext view on STATE_DIR/home
 * before it spawns us. We only take what is there, and refuse anything that is
 * not that mount: an empty directory in its place would give the jail a home
 * on the runtime tmpfs, and the user would lose what the app writes.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "jailer/jailer.h"
#include "state/log.h"
#include "state/state.h"

int
open_crypt_home(const struct jail_spec *spec)
{
	_cleanup_close_ int fd = -1;
	struct statfs sfs;
	struct stat st;
	int r;

	r = crypt_is_mount_point(spec->state_fd, STATE_HOME_MOUNT);
	if (r == 0)
		die(EXIT_PERMANENT,
		    "the home of jail '%s' is encrypted (%s) and not mounted: start it through the "
		    "supervisor (`jailsup run`, not --no-daemon), which asks for its password",
		    spec->name, crypt_backend_to_string(spec->crypt));
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to check the mount '%s'", spec->home_src);
	fd = openat(spec->state_fd, STATE_HOME_MOUNT,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open the home '%s'", spec->home_src);
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to check the home '%s'", spec->home_src);
	if (sfs.f_type != FUSE_SUPER_MAGIC)
		die(EXIT_PERMANENT, "'%s' is not the mount of a FUSE backend, refusing it",
		    spec->home_src);
	if (st.st_uid != getuid())
		die(EXIT_PERMANENT, "'%s' is not owned by us, refusing it", spec->home_src);
	return TAKE_FD(fd);
}
