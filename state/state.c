/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * state.h: the state directory of docs/architecture.md §3. A jail's directory
 * is opened once and verified on the fd (a directory, ours, mode 0700);
 * everything below it is reached by *at() calls on single checked components
 * with O_NOFOLLOW, so a symlink, FIFO or foreign directory planted there is
 * refused instead of followed. state_rm_rf() is the one recursive walk: it
 * works on fds too, never follows a link and never crosses a mount.
 */
#include "state/state.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

static bool
char_is_alnum(char c)
{
	/* Not isalnum(): names must not depend on the locale. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
jail_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || !char_is_alnum(name[0]))
		return false;
	for (n = 1; name[n] != '\0'; n++) {
		if (n >= JAIL_NAME_MAX)
			return false;
		if (!char_is_alnum(name[n]) && name[n] != '.' && name[n] != '_' && name[n] != '-')
			return false;
	}
	return true;
}

bool
state_name_valid(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return false;
	if (streq(name, ".") || streq(name, ".."))
		return false;
	if (strnlen(name, NAME_MAX + 1) > NAME_MAX)
		return false;
	return strpbrk(name, "/\n") == NULL;
}

/* Our uid never changes (nothing here is setuid): asked once, not once
 * per jail of a listing. */
static uid_t
our_uid(void)
{
	static uid_t uid = (uid_t) -1;

	if (uid == (uid_t) -1)
		uid = getuid();
	return uid;
}

/* The checks of state_dir_open() on a directory's stat. The owner check
 * comes before the mode: a directory of another user is refused whatever
 * its mode. */
static int
dir_stat_verify(const struct stat *st)
{
	if (!S_ISDIR(st->st_mode))
		return -ENOTDIR;
	if (st->st_uid != our_uid())
		return -EPERM;
	if ((st->st_mode & 07777) != 0700)
		return -EPERM; /* not what we create: refuse it, never "repair" it */
	return 0;
}

static int
dir_fd_verify(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return dir_stat_verify(&st);
}

int
state_dir_open(int parent_fd, const char *name, int *ret_fd)
{
	_cleanup_close_ int path_fd = -1, fd = -1;
	int r;

	/* AT_FDCWD would make the result depend on the cwd; absolute paths go
	 * through state_dir_open_path(). */
	if (parent_fd < 0)
		return -EBADF;
	if (!state_name_valid(name))
		return -EINVAL;
	/* One open for reading, checked on the fd it gave: the inode we check
	 * is the one we keep, whatever is renamed in the parent meanwhile. A
	 * FIFO in its place fails O_DIRECTORY in the lookup, before any open
	 * could block. O_NOFOLLOW|O_DIRECTORY on a symlink gives ENOTDIR on
	 * Linux; map the ELOOP of other kernels. (Two calls fewer per jail
	 * than opening O_PATH first and "." below it: `jailsup list` does this
	 * for every jail.) */
	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		r = dir_fd_verify(fd);
		if (r < 0)
			return r;
		*ret_fd = TAKE_FD(fd);
		return 0;
	}
	if (errno != EACCES)
		return errno == ELOOP ? -ENOTDIR : -errno;
	/* Unreadable to us: O_PATH needs no read right, so the checks tell
	 * why (a directory with the wrong mode is -EPERM, not -EACCES). */
	path_fd = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (path_fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	r = dir_fd_verify(path_fd);
	if (r < 0)
		return r;
	return -EACCES; /* ours and 0700, yet not readable: an LSM said no */
}

int
state_dir_create(int parent_fd, const char *name, int *ret_fd, bool *ret_created)
{
	bool created = false;
	int r;

	if (parent_fd < 0)
		return -EBADF;
	if (!state_name_valid(name))
		return -EINVAL;
	if (mkdirat(parent_fd, name, 0700) >= 0) {
		created = true;
		/* The umask may have taken bits we need, and a setgid parent
		 * gives a new directory S_ISGID: set exactly the mode that
		 * state_dir_open() demands. AT_SYMLINK_NOFOLLOW makes glibc
		 * act on an O_PATH fd of the entry (via /proc/self/fd) and
		 * refuse a symlink swapped in since, with EOPNOTSUPP. */
		if (fchmodat(parent_fd, name, 0700, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			(void) unlinkat(parent_fd, name, AT_REMOVEDIR);
			return r;
		}
	} else if (errno != EEXIST)
		return -errno;

	/* EEXIST: an earlier run or a concurrent creator made it; either way
	 * it gets the same checks as a directory we only open. */
	r = state_dir_open(parent_fd, name, ret_fd);
	if (r < 0) {
		if (created)
			(void) unlinkat(parent_fd, name, AT_REMOVEDIR);
		return r;
	}
	if (ret_created != NULL)
		*ret_created = created;
	return 0;
}

int
state_dir_open_path(const char *path, bool create, int *ret_fd)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int parent_fd = -1;
	char *slash;
	size_t len;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	if (slash == copy + len - 1)
		return -EINVAL; /* "/" itself */

	*slash = '\0';
	/* The components before the last are the user's own XDG directories
	 * (docs/architecture.md §2), which no profile can share with a jail
	 * (docs/profiles.md "[share]"): trusted, so they may be symlinks. */
	parent_fd = open(slash == copy ? "/" : copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0)
		return -errno;
	if (create)
		return state_dir_create(parent_fd, slash + 1, ret_fd, NULL);
	return state_dir_open(parent_fd, slash + 1, ret_fd);
}

int
state_runtime_open(const char *runtime_dir, bool create, int *ret_root_fd, int *ret_jails_fd)
{
	_cleanup_close_ int runtime_fd = -1, root_fd = -1, jails_fd = -1;
	int r;

	/* The XDG base directory spec says to ignore a relative path. */
	if (runtime_dir == NULL || runtime_dir[0] != '/')
		return -EINVAL;
	runtime_fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (runtime_fd < 0)
		return -errno;
	if (create) {
		r = state_dir_create(runtime_fd, STATE_RUNTIME_SUBDIR, &root_fd, NULL);
		if (r < 0)
			return r;
		r = state_dir_create(root_fd, STATE_JAILS_SUBDIR, &jails_fd, NULL);
	} else {
		r = state_dir_open(runtime_fd, STATE_RUNTIME_SUBDIR, &root_fd);
		if (r < 0)
			return r;
		r = state_dir_open(root_fd, STATE_JAILS_SUBDIR, &jails_fd);
	}
	if (r < 0)
		return r;
	if (ret_root_fd != NULL)
		*ret_root_fd = TAKE_FD(root_fd);
	if (ret_jails_fd != NULL)
		*ret_jails_fd = TAKE_FD(jails_fd);
	return 0;
}

/* A regular file of SIZE bytes (fstat()) in one read(): asked for one
 * byte more, a read that returns exactly SIZE met the end, so the second
 * read that only sees EOF is saved (one call per state file `jailsup
 * list` reads). A file that changed meanwhile is read again
 * from the start, bounded by MAX as always. */
static int
read_sized(int fd, size_t size, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	ssize_t n;

	buf = malloc(size + 2);
	if (buf == NULL)
		return -ENOMEM;
	do
		n = read(fd, buf, size + 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t) n != size) {
		if (lseek(fd, 0, SEEK_SET) < 0)
			return -errno;
		return read_all(fd, max, ret, ret_len);
	}
	buf[size] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len != NULL)
		*ret_len = size;
	return 0;
}

/* FD's content, when it is a regular file of at most MAX bytes (and ours,
 * with OURS). */
static int
read_regular(int fd, bool ours, size_t max, char **ret, size_t *ret_len, struct stat *ret_st)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (ret_st != NULL)
		*ret_st = st;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (ours && st.st_uid != our_uid())
		return -EPERM;
	if ((uint64_t) st.st_size > max)
		return -EFBIG;
	if (st.st_size > 0)
		return read_sized(fd, (size_t) st.st_size, max, ret, ret_len);
	/* Still bounded: the file may grow between fstat() and read(). */
	return read_all(fd, max, ret, ret_len);
}

int
state_read_file(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;

	if (!state_name_valid(name))
		return -EINVAL;
	/* O_NONBLOCK: a FIFO swapped in for the file must fail the type check
	 * below, not block open() until some writer comes. */
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return read_regular(fd, false, max, ret, ret_len, NULL);
}

int
state_read_tail(int dir_fd, const char *name, off_t from, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0, skip = 0;
	off_t start;

	if (!state_name_valid(name) || from < 0)
		return -EINVAL;
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	start = st.st_size > from && (uint64_t) (st.st_size - from) > max ? st.st_size - (off_t) max
	                                                                  : from;
	buf = malloc(max + 1);
	if (buf == NULL)
		return -ENOMEM;
	/* At most MAX bytes, whatever the file grew to since fstat(). */
	while (len < max) {
		ssize_t n = pread(fd, buf + len, max - len, start + (off_t) len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t) n;
	}
	if (start > from) {
		char *nl = memchr(buf, '\n', len);

		if (nl != NULL)
			skip = (size_t) (nl + 1 - buf);
	}
	memmove(buf, buf + skip, len - skip);
	len -= skip;
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len != NULL)
		*ret_len = len;
	return 0;
}

int
state_jail_read_file(int jails_fd, const char *jail, const char *name, size_t max, char **ret,
		     size_t *ret_len)
{
	return state_jail_read_file_stat(jails_fd, jail, name, max, ret, ret_len, NULL, NULL);
}

int
state_jail_read_file_stat(int jails_fd, const char *jail, const char *name, size_t max, char **ret,
			  size_t *ret_len, struct stat *ret_dir_st, struct stat *ret_st)
{
	struct open_how how = { .flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	char path[2 * (NAME_MAX + 1)];
	struct stat st;
	int fd, r;

	if (!state_name_valid(jail) || !state_name_valid(name))
		return -EINVAL;
	if (fstatat(jails_fd, jail, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	r = dir_stat_verify(&st);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", jail, name);
	fd = (int) syscall(SYS_openat2, jails_fd, path, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	/* The directory was checked by name, the file reached by path: a
	 * file of ours is at least one we (or root) wrote. */
	r = read_regular(fd, true, max, ret, ret_len, ret_st);
	safe_close(fd);
	if (r >= 0 && ret_dir_st != NULL)
		*ret_dir_st = st;
	return r;
}

/* Writers of one NAME must be serialised by the caller (the supervisor is
 * single-threaded): two writers would unlink each other's temp file. */
int
state_remove_temps(int dir_fd)
{
	_cleanup_(closedirp) DIR *dir = NULL;
	struct dirent *de;
	int fd, n = 0;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (dir == NULL) {
		safe_close(fd);
		return -errno;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' || len <= 5 || !streq(de->d_name + len - 4, ".tmp") ||
		    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
			continue;
		if (de->d_type == DT_UNKNOWN) {
			struct stat st;

			if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
		}
		if (unlinkat(dir_fd, de->d_name, 0) == 0)
			n++;
	}
	return n;
}

int
state_write_atomic(int dir_fd, const char *name, const void *data, size_t len)
{
	_cleanup_close_ int fd = -1;
	char tmp[NAME_MAX + 1];
	int r;

	if (!state_name_valid(name))
		return -EINVAL;
	if ((size_t) snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* A temp file left by a crash; if something else sits there (a
	 * directory), O_EXCL below fails and we say so. */
	if (unlinkat(dir_fd, tmp, 0) < 0 && errno != ENOENT && errno != EISDIR)
		return -errno;
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
	            0600);
	if (fd < 0)
		return -errno;
	/* The umask must not leave us a file we cannot read back. */
	r = NEG_ERRNO(fchmod(fd, 0600));
	if (r >= 0)
		r = write_all(fd, data, len);
	if (r >= 0)
		r = NEG_ERRNO(fsync(fd));
	/* renameat() replaces a symlink planted at NAME, not its target. */
	if (r >= 0)
		r = NEG_ERRNO(renameat(dir_fd, tmp, dir_fd, name));
	if (r < 0) {
		(void) unlinkat(dir_fd, tmp, 0);
		return r;
	}
	return 0;
}

/* Where a directory lives and whose it is, from statx() on an fd. st_dev
 * alone misses a bind mount of the same filesystem (a host directory bound
 * into a jail's tree), so the mount id is compared too. */
struct dir_info {
	uint64_t dev;
	uint64_t mnt_id; /* 0: the kernel did not report it */
	mode_t mode;
	uid_t uid;
};

static int
dir_info_fd(int fd, struct dir_info *ret)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	          STATX_TYPE | STATX_MODE | STATX_UID | STATX_MNT_ID, &stx) < 0)
		return -errno;
	ret->dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	ret->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	ret->mode = stx.stx_mode;
	ret->uid = stx.stx_uid;
	return 0;
}

static bool
dir_info_same_mount(const struct dir_info *a, const struct dir_info *b)
{
	if (a->dev != b->dev)
		return false;
	return a->mnt_id == 0 || b->mnt_id == 0 || a->mnt_id == b->mnt_id;
}

/* chmod() of what an O_PATH fd names: fchmod() refuses O_PATH fds, and
 * /proc/self/fd/N is the inode itself, not a path that can be swapped. */
static int
chmod_opath_fd(int fd, mode_t mode)
{
	char path[sizeof("/proc/self/fd/") + 12];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return NEG_ERRNO(chmod(path, mode));
}

/* One removal. Directories are entered through a chain of fds, never by
 * path and never through "..": whatever a concurrent writer renames, we
 * act only on inodes reached from the top by single O_NOFOLLOW steps. The
 * chain is at most STATE_RM_OPEN_MAX long; a directory deeper than that is
 * not entered but moved, by one rename, into the top itself, and removed
 * from there once the top's own entries are done. So any depth costs the
 * same fds and memory, and nothing ever leaves the tree: the place a deep
 * subtree waits in is the top, which goes last.
 *
 * A writer racing us (autodelete runs once every process of the jail is
 * gone, so there should be none) can at most rename a directory we are in
 * out of the tree, to some place it can write, and see us empty it there:
 * nothing it could not have deleted itself. It cannot make us follow a
 * link, leave the mount, or move anything but into the top we hold. */
struct rm_walk {
	struct dir_info mount; /* DIR_FD's: the one mount we delete in */
	uid_t uid;             /* ours: asked per removal, not cached (a caller may change it) */
	int top_fd;            /* NAME, open for the whole removal */
	uint64_t moved;        /* names RM_MOVED_FMT 0 … moved - 1 are taken in the top */
	bool no_noreplace;     /* the filesystem refused RENAME_NOREPLACE (NFS) */
	int error;             /* the first error: we go on after it */
};

#define RM_MOVED_FMT ".jailsup-rm-%" PRIu64

static void
rm_note(struct rm_walk *w, int r)
{
	if (r < 0 && w->error == 0)
		w->error = r;
}

/* The statx() of the directory FD: -EBUSY when it is the root of another
 * mount than the one we delete in. */
static int
rm_dir_info(const struct rm_walk *w, int fd, struct dir_info *ret)
{
	int r = dir_info_fd(fd, ret);

	if (r < 0)
		return r;
	return dir_info_same_mount(ret, &w->mount) ? 0 : -EBUSY;
}

/* Opens the directory NAME below PARENT_FD for listing and deleting in it.
 * -EBUSY when it is the root of another mount (a decrypted home, a bind
 * mount): then nothing of it is touched, its mode neither. -ENOTDIR when
 * it is not a directory (any more). Directories of ours without u+rwx get
 * it back first: apps make read-only trees (Go's module cache does), and a
 * jail may leave mode 0000 ones. */
static int
rm_open_dir(const struct rm_walk *w, int parent_fd, const char *name, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct dir_info info;
	int r;

	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES) {
		/* O_PATH needs no right on the directory: check it, give it
		 * u+rwx, then open it for reading through that fd, so the inode
		 * we read is the one we checked and changed. */
		_cleanup_close_ int path_fd =
		    openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (path_fd < 0)
			return errno == ELOOP ? -ENOTDIR : -errno;
		r = rm_dir_info(w, path_fd, &info);
		if (r < 0)
			return r;
		if (info.uid != w->uid)
			return -EACCES;
		r = chmod_opath_fd(path_fd, (info.mode & 07777) | 0700);
		if (r < 0)
			return r;
		fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	/* Checked on the fd, not on an earlier fstatat(): whatever is mounted
	 * here now is left alone. */
	r = rm_dir_info(w, fd, &info);
	if (r < 0)
		return r;
	/* Readable is not enough: deleting in it needs u+wx. */
	if ((info.mode & 0700) != 0700 && info.uid == w->uid) {
		r = NEG_ERRNO(fchmod(fd, (info.mode & 07777) | 0700));
		if (r < 0)
			return r;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Moves the directory NAME below PARENT_FD, too deep to be entered, into
 * the top as the next RM_MOVED_FMT name. The top is on the same mount, so
 * the whole subtree moves with one rename; a mount point cannot be renamed
 * (EBUSY), and one is refused before we try. */
static void
rm_move_to_top(struct rm_walk *w, int parent_fd, const char *name)
{
	_cleanup_close_ int fd = -1;
	struct dir_info info;
	char moved[sizeof(".jailsup-rm-") + 20];
	int r;

	fd = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP) {
			/* Swapped for a file or a link since it was listed. */
			if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
				rm_note(w, -errno);
		} else if (errno != ENOENT)
			rm_note(w, -errno);
		return;
	}
	r = rm_dir_info(w, fd, &info);
	/* A directory moved to another parent gets its ".." rewritten: the
	 * kernel wants write permission on it, not only on both parents. */
	if (r >= 0 && (info.mode & 0200) == 0 && info.uid == w->uid)
		r = chmod_opath_fd(fd, (info.mode & 07777) | 0700);
	if (r < 0) {
		rm_note(w, r);
		return;
	}
	for (;;) {
		snprintf(moved, sizeof(moved), RM_MOVED_FMT, w->moved);
		if (!w->no_noreplace)
			r = renameat2(parent_fd, name, w->top_fd, moved, RENAME_NOREPLACE);
		else
			r = renameat(parent_fd, name, w->top_fd, moved);
		if (r == 0) {
			w->moved++;
			return;
		}
		if (errno == EINVAL && !w->no_noreplace) {
			w->no_noreplace = true; /* NFS, some FUSE: plain rename */
			continue;
		}
		/* The name is taken (by the tree itself: an app may make any
		 * name): take the next one. What holds this one is removed
		 * with the other moved names, or was already. Without
		 * NOREPLACE an empty directory there is replaced, which loses
		 * nothing: it is in the top too. */
		if (errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR || errno == EISDIR) {
			w->moved++;
			continue;
		}
		if (errno != ENOENT)
			rm_note(w, -errno);
		return;
	}
}

static void rm_entry(struct rm_walk *w, int parent_fd, const char *name, unsigned char type,
                     unsigned depth);

/* Removes every entry of D, the directory at DEPTH below the top (0). */
static void
rm_scan(struct rm_walk *w, DIR *d, unsigned depth)
{
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rm_note(w, -errno);
			return;
		}
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		rm_entry(w, dirfd(d), de->d_name, de->d_type, depth + 1);
	}
}

/* Removes NAME below PARENT_FD, at DEPTH below the top; TYPE is what the
 * listing said it is (DT_UNKNOWN when the filesystem does not say). */
static void
rm_entry(struct rm_walk *w, int parent_fd, const char *name, unsigned char type, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = NULL;
	int fd, r;

	if (type != DT_DIR) {
		/* Files, FIFOs, sockets and symlinks alike: unlinkat() removes
		 * the entry, never what a link points to. It refuses a
		 * directory (EISDIR), which then goes the way of directories. */
		if (unlinkat(parent_fd, name, 0) == 0 || errno == ENOENT)
			return;
		if (errno != EISDIR) {
			rm_note(w, -errno);
			return;
		}
	}
	if (depth >= STATE_RM_OPEN_MAX) {
		rm_move_to_top(w, parent_fd, name);
		return;
	}
	r = rm_open_dir(w, parent_fd, name, &fd);
	if (r == -ENOTDIR) {
		/* Swapped for a file or a link since it was listed. */
		if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
			rm_note(w, -errno);
		return;
	}
	if (r < 0) {
		if (r != -ENOENT)
			rm_note(w, r);
		return;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		rm_note(w, -errno);
		safe_close(fd);
		return;
	}
	rm_scan(w, d, depth);
	(void) closedir(TAKE_PTR(d));
	/* Not empty when something below failed; that error is noted already. */
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rm_note(w, -errno);
}

int
state_rm_rf(int dir_fd, const char *name)
{
	_cleanup_(closedirp) DIR *top = NULL;
	struct rm_walk w = {};
	char moved[sizeof(".jailsup-rm-") + 20];
	int fd, r;

	if (!state_name_valid(name))
		return -EINVAL;
	/* The filesystem of DIR_FD is the only one we delete in: NAME itself
	 * being a mount point already counts as crossing. */
	r = dir_info_fd(dir_fd, &w.mount);
	if (r < 0)
		return r;
	w.uid = getuid();
	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	r = rm_open_dir(&w, dir_fd, name, &fd);
	if (r == -ENOENT)
		return 0;
	if (r == -ENOTDIR)
		return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	if (r < 0)
		return r;
	top = fdopendir(fd);
	if (top == NULL) {
		r = -errno;
		safe_close(fd);
		return r;
	}
	w.top_fd = dirfd(top);
	rm_scan(&w, top, 0);
	/* What was too deep waits in the top, in the order it was moved; each
	 * may move more there, so the bound is read anew at every turn. */
	for (uint64_t i = 0; i < w.moved; i++) {
		snprintf(moved, sizeof(moved), RM_MOVED_FMT, i);
		rm_entry(&w, w.top_fd, moved, DT_DIR, 1);
	}
	(void) closedir(TAKE_PTR(top));
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rm_note(&w, -errno);
	return w.error;
}

static int
strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

int
state_list_jails(int jails_fd, char ***ret)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_strv_ char **names = NULL;
	size_t n = 0, size = 0;
	int fd, r;

	/* A new open file description: fdopendir() would otherwise share, and
	 * move, the offset of the caller's fd. */
	fd = openat(jails_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		r = -errno;
		safe_close(fd);
		return r;
	}
	for (;;) {
		struct dirent *de;
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				return -errno;
			break;
		}
		if (!jail_name_valid(de->d_name))
			continue;
		/* The listing's own type saves a stat per jail; file systems that
		 * do not fill it in say DT_UNKNOWN. Either way state_dir_open()
		 * checks the directory again before anything is read in it. */
		if (de->d_type == DT_DIR)
			goto push;
		if (de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we listed */
			return -errno;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
	push:
		/* Grown by doubling: strv_push() walks the list to its end at
		 * every call, quadratic for 1000 jails. */
		if (n + 1 >= size) {
			size_t nsize = size == 0 ? 64 : size * 2;
			char **nv = reallocarray(names, nsize, sizeof(char *));

			if (nv == NULL)
				return -ENOMEM;
			names = nv;
			size = nsize;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			return -ENOMEM;
		names[++n] = NULL;
	}
	if (names == NULL) {
		names = calloc(1, sizeof(char *));
		if (names == NULL)
			return -ENOMEM;
	}
	qsort(names, n, sizeof(char *), strcmp_ptr);
	*ret = TAKE_PTR(names);
	return 0;
}
