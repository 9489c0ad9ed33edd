/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jail's filesystem view. As bubblewrap does, we first pivot into a
 * scratch tmpfs so the host's tree stays reachable at /oldroot while the
 * new root is assembled at /newroot, then pivot into /newroot and detach
 * everything of the host that was not bound in on purpose.
 *
 * Binds use open_tree()/move_mount() onto an fd of the mount point: a mount
 * point inside the jail's home (jail-writable storage) is reached component
 * by component with O_NOFOLLOW, so a symlink the jail planted there cannot
 * redirect the mount. Read-only is set with mount_setattr() recursively on
 * the detached tree, which also covers submounts and never clears flags the
 * host locked.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "jailer/jailer.h"
#include "state/log.h"
#include "state/state.h"

static int newroot_fd = -1; /* the new root's tmpfs, from its mount on */

/* Walks DST (absolute, inside the jail) below /newroot, creating missing
 * directories with MODE, never following a symlink. The last component is
 * created as a directory when LAST_IS_DIR, else as an empty file. Returns
 * an O_PATH fd of it. The walk starts at newroot_fd, which stays open. */
static int
open_mount_point(const char *dst, bool last_is_dir, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(dst);
	char *save = NULL, *comp, *next;
	int fd = newroot_fd;

	if (copy == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	comp = strtok_r(copy, "/", &save);
	if (comp == NULL)
		die(EXIT_PERMANENT, "refusing mount point '%s': the root itself", dst);
	while (comp != NULL) {
		int nfd;

		next = strtok_r(NULL, "/", &save);
		if (streq(comp, ".") || streq(comp, ".."))
			die(EXIT_PERMANENT, "refusing mount point '%s': '..' or '.' in the path", dst);
		if (next == NULL && !last_is_dir) {
			/* O_NONBLOCK: a FIFO planted here must fail below, not hang us. */
			nfd = openat(fd, comp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
				     0600);
			if (nfd < 0 && (errno == EISDIR || errno == ELOOP || errno == ENXIO ||
					errno == EACCES || errno == ETXTBSY))
				nfd = openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		} else {
			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST)
				die_errno(EXIT_TEMPORARY, -errno, "unable to create mount point '%s'",
					  dst);
			nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0)
			die_errno(EXIT_PERMANENT, -errno,
				  "unable to open mount point '%s' at '%s' (a symlink there is refused)",
				  dst, comp);
		if (fd != newroot_fd)
			safe_close(fd);
		fd = nfd;
		comp = next;
	}
	if (!last_is_dir) {
		struct stat st;

		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			die(EXIT_PERMANENT, "refusing mount point '%s': not a regular file", dst);
	}
	return fd;
}

void
make_jail_dir(const char *dst, mode_t mode)
{
	safe_close(open_mount_point(dst, true, mode));
}

static void
attach_tree(int tree, const char *what, const char *dst, bool is_dir, unsigned flags)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID };
	_cleanup_close_ int target = -1;

	if (flags & BIND_DEV)
		attr.attr_set |= MOUNT_ATTR_NOEXEC;
	else
		attr.attr_set |= MOUNT_ATTR_NODEV;
	if (flags & BIND_RO)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to set the flags of '%s' for '%s'", what,
			  dst);
	target = open_mount_point(dst, is_dir, 0755);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bind '%s' on '%s'", what, dst);
}

int
bind_into_jail(const char *src, const char *dst, unsigned flags)
{
	_cleanup_free_ char *host = path_join(OLDROOT, src);
	_cleanup_close_ int tree = -1;
	struct stat st;

	if (host == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	if (stat(host, &st) < 0) {
		if (errno == ENOENT && (flags & BIND_OPTIONAL))
			return -ENOENT;
		die_errno(EXIT_PERMANENT, -errno, "unable to bind '%s' on '%s'", src, dst);
	}
	tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bind '%s' on '%s'", src, dst);
	attach_tree(tree, src, dst, S_ISDIR(st.st_mode), flags);
	return 0;
}

void
bind_fd_into_jail(int src_fd, const char *what, const char *dst, unsigned flags)
{
	_cleanup_close_ int tree = -1;
	struct stat st;

	if (fstat(src_fd, &st) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to stat '%s'", what);
	tree = open_tree(src_fd, "",
			 AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bind '%s' on '%s'", what, dst);
	attach_tree(tree, what, dst, S_ISDIR(st.st_mode), flags);
}

void
mount_tmpfs(const char *dst, mode_t mode)
{
	_cleanup_free_ char *path = path_join(NEWROOT, dst);
	char opts[64];

	if (path == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	make_jail_dir(dst, 0755);
	snprintf(opts, sizeof(opts), "mode=%04o", (unsigned) mode);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to mount a tmpfs on '%s'", dst);
}

static void
make_symlink(const char *target, const char *dst)
{
	_cleanup_free_ char *path = path_join(NEWROOT, dst);

	if (path == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	if (symlink(target, path) < 0 && errno != EEXIST)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create symlink '%s'", dst);
}

/* /usr, /etc and /opt read-only; /bin, /lib… as the host has them: the
 * same symlinks on a merged-/usr system, read-only binds otherwise. */
static void
setup_system_dirs(void)
{
	static const char *const dirs[] = { "/usr", "/etc", "/opt" };
	static const char *const links[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					     "/libx32" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
		(void) bind_into_jail(dirs[i], dirs[i], BIND_RO | BIND_OPTIONAL);
	for (size_t i = 0; i < ELEMENTSOF(links); i++) {
		_cleanup_free_ char *host = path_join(OLDROOT, links[i]);
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		if (host == NULL)
			die(EXIT_TEMPORARY, "out of memory");
		if (lstat(host, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(host, target, sizeof(target) - 1);
			if (n < 0)
				die_errno(EXIT_TEMPORARY, -errno, "unable to read link '%s'",
					  links[i]);
			target[n] = '\0';
			make_symlink(target, links[i]);
		} else if (S_ISDIR(st.st_mode))
			(void) bind_into_jail(links[i], links[i], BIND_RO);
	}
}

/* The jail's /proc, with what configures the kernel read-only, as bwrap
 * does: the sysctls of namespaces the jail owns would otherwise be a nested
 * root's to change (with the userns right: ping_group_range opens ICMP
 * sockets, the IPC limits of its own IPC namespace), and sysrq-trigger,
 * irq and bus are host-wide. */
static void
setup_proc(void)
{
	static const char *const ro[] = { "sys", "sysrq-trigger", "irq", "bus" };

	make_jail_dir("/proc", 0555);
	if (mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to mount '/proc'");
	for (size_t i = 0; i < ELEMENTSOF(ro); i++) {
		char path[64];

		snprintf(path, sizeof(path), NEWROOT "/proc/%s", ro[i]);
		if (access(path, F_OK) < 0)
			continue; /* not in this kernel's /proc */
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, path, NULL,
		          MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          NULL) < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to make '/proc/%s' read-only", ro[i]);
	}
}

/* A minimal /dev: the harmless nodes, a private devpts instance, shm. */
static void
setup_dev(void)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

	mount_tmpfs("/dev", 0755);
	for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
		_cleanup_free_ char *p = path_join("/dev", nodes[i]);

		if (p == NULL)
			die(EXIT_TEMPORARY, "out of memory");
		bind_into_jail(p, p, BIND_DEV);
	}
	make_jail_dir("/dev/pts", 0755);
	if (mount("devpts", NEWROOT "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=620") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to mount '/dev/pts'");
	make_symlink("pts/ptmx", "/dev/ptmx");
	mount_tmpfs("/dev/shm", 01777);
	make_symlink("/proc/self/fd", "/dev/fd");
	make_symlink("/proc/self/fd/0", "/dev/stdin");
	make_symlink("/proc/self/fd/1", "/dev/stdout");
	make_symlink("/proc/self/fd/2", "/dev/stderr");
	make_symlink("/proc/kcore", "/dev/core");
}

/* Private /tmp and /run; /var holds only what programs read from it. */
static void
setup_scratch(const struct jail_spec *spec)
{
	mount_tmpfs("/tmp", 01777);
	mount_tmpfs("/run", 0755);
	make_jail_dir("/run/lock", 01777);
	mount_tmpfs("/var", 0755);
	(void) bind_into_jail("/var/lib", "/var/lib", BIND_RO | BIND_OPTIONAL);
	(void) bind_into_jail("/var/cache", "/var/cache", BIND_RO | BIND_OPTIONAL);
	/* A directory, not a link to /tmp: a $XDG_RUNTIME_DIR or home below
	 * /var/tmp must be reachable without following a symlink. */
	make_jail_dir("/var/tmp", 01777);
	make_symlink("/run", "/var/run");
	make_symlink("/run/lock", "/var/lock");
	mount_tmpfs(spec->runtime_dir, 0700);
}

/* Binds the share whose host path SRC was resolved and checked (spec.c)
 * at DST. SRC has no symlink by construction: one there now was planted
 * since the check, to send the bind elsewhere, and is refused. */
static void
bind_share(const char *src, const char *dst, unsigned flags)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
	_cleanup_free_ char *host = path_join(OLDROOT, src);
	_cleanup_close_ int fd = -1;

	if (host == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	fd = (int) syscall(SYS_openat2, AT_FDCWD, host, &how, sizeof(how));
	if (fd < 0 && errno == ELOOP)
		die(EXIT_PERMANENT, "the share '%s' changed while the jail was built, refusing it",
		    src);
	if (fd < 0)
		die_errno(EXIT_PERMANENT, -errno, "unable to bind '%s' on '%s'", src, dst);
	bind_fd_into_jail(fd, src, dst, flags);
}

/* The private home, opened again through /oldroot: a mount of the
 * parent's namespace (the fd the jailer opened) cannot be cloned from
 * ours. The identity check makes sure it is the directory the jailer
 * created and checked, not something swapped in since. */
static void
setup_home(const struct jail_spec *spec)
{
	_cleanup_free_ char *path = path_join(OLDROOT, spec->home_src);
	_cleanup_close_ int fd = -1;
	struct stat want, got;

	if (path == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &got) < 0 || fstat(spec->home_fd, &want) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open the home '%s'", spec->home_src);
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino)
		die(EXIT_PERMANENT, "the home '%s' changed while the jail was built, refusing it",
		    spec->home_src);
	bind_fd_into_jail(fd, spec->home_src, spec->home, 0);
	/* exe.bind_src is the exe's resolved path (no symlink by construction). */
	if (spec->exe.bind_src != NULL)
		bind_share(spec->exe.bind_src, spec->exe.bind_dst, BIND_RO | BIND_UNTRUSTED);
	for (size_t i = 0; i < spec->profile->n_shares; i++) {
		const struct profile_share *s = &spec->profile->shares[i];
		unsigned flags = (s->rw ? 0 : BIND_RO) | BIND_UNTRUSTED;

		/* spec.c resolved every share or died naming it. */
		bind_share(spec->share_src[i], s->path, flags);
	}
}

/* Writes TEXT to a file of the scratch root (never visible in the jail
 * as such) and returns an O_PATH fd of it to bind. */
static int
scratch_file(const char *name, const char *text)
{
	_cleanup_free_ char *path = path_join("/", name);
	_cleanup_close_ int fd = -1;
	int r;

	if (path == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create '%s'", path);
	r = write_all(fd, text, strlen(text));
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to write '%s'", path);
	safe_close(fd);
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open '%s'", path);
	return TAKE_FD(fd);
}

/* LINK (a symlink's target, found in /etc) as an absolute path with "."
 * and ".." worked out, /var/run/ read as /run/; NULL on OOM. */
static char *
etc_link_target(const char *link)
{
	_cleanup_free_ char *joined = link[0] == '/' ? strdup(link) : path_join("/etc", link);
	char *out, *save = NULL;
	size_t len = 0;

	if (joined == NULL)
		return NULL;
	out = calloc(1, strlen(joined) + 2);
	if (out == NULL)
		return NULL;
	for (char *c = strtok_r(joined, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		if (streq(c, "."))
			continue;
		if (streq(c, "..")) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		out[len++] = '/';
		strcpy(out + len, c);
		len += strlen(c);
	}
	if (strstartswith(out, "/var/run/"))
		memmove(out, out + 4, strlen(out + 4) + 1);
	return out;
}

/* Puts SRC_FD over /etc/NAME of the jail. /etc is the host's, read-only:
 * a regular file there is bound over; a symlink into /run (systemd-
 * resolved's stub-resolv.conf, say), which would dangle in the jail's
 * private /run, gets its target created there and bound over instead. */
static void
override_etc_file(const char *name, int src_fd, bool required)
{
	_cleanup_free_ char *etc_path = path_join(NEWROOT "/etc", name);
	_cleanup_free_ char *jail_path = path_join("/etc", name);
	_cleanup_close_ int tree = -1, target = -1;
	char link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (etc_path == NULL || jail_path == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	if (lstat(etc_path, &st) < 0) {
		log_warn("the host has no '%s': the jail's is missing too", jail_path);
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(etc_path, link, sizeof(link) - 1);
		if (n < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to read the link '%s'", jail_path);
		link[n] = '\0';
		free(jail_path);
		jail_path = etc_link_target(link);
		if (jail_path == NULL)
			die(EXIT_TEMPORARY, "out of memory");
		/* Only the jail's own /run can take a file there; anywhere else
		 * the host's file would be what the jail reads. */
		if (!strstartswith(jail_path, "/run/")) {
			if (required)
				die(EXIT_PERMANENT, "/etc/%s links to '%s', outside /run: the jail's "
				    "own cannot be put there", name, link);
			log_warn("/etc/%s links to '%s', outside /run: left as it is", name, link);
			return;
		}
		target = open_mount_point(jail_path, false, 0755);
	} else if (S_ISREG(st.st_mode)) {
		target = open(etc_path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			die_errno(EXIT_TEMPORARY, -errno, "unable to open '%s'", jail_path);
	} else {
		log_warn("'%s' is not a regular file: left as it is", jail_path);
		return;
	}
	tree = open_tree(src_fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bind over '%s'", jail_path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH,
			  &(struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
			  sizeof(struct mount_attr)) < 0 ||
	    move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to bind over '%s'", jail_path);
}

/* A jail with its own network namespace resolves names only through the
 * DNS servers of its network (resolv.conf, which the supervisor writes in
 * the state dir and the VPN's scripts rewrite in place) and files: the
 * host's nsswitch may name resolve, mdns or myhostname, side channels to
 * host services that are absent here (the private /run has no nscd or
 * systemd-resolved socket, and 127.0.0.53 is the jail's own loopback). */
static void
setup_dns(const struct jail_spec *spec)
{
	static const char nsswitch[] =
		"# jailsup: names resolve through files and the jail's DNS servers only\n"
		"passwd: files\ngroup: files\nshadow: files\ngshadow: files\n"
		"hosts: files dns\nnetworks: files\n"
		"protocols: files\nservices: files\nethers: files\nrpc: files\n";
	_cleanup_close_ int nss_fd = -1, resolv_fd = -1;
	struct stat st;

	if (spec->network == NETWORK_HOST)
		return;
	nss_fd = scratch_file("jailsup-nsswitch.conf", nsswitch);
	override_etc_file("nsswitch.conf", nss_fd, spec->network != NETWORK_NONE);
	if (spec->network == NETWORK_NONE)
		resolv_fd = scratch_file("jailsup-resolv.conf",
					 "# jailsup: network = none, this jail has no DNS\n");
	else {
		/* Through /oldroot: a mount of the jailer's namespace (its
		 * state_fd) cannot be cloned from ours. */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
					.resolve = RESOLVE_NO_SYMLINKS };
		_cleanup_free_ char *dir = path_join(OLDROOT, spec->state_path);
		_cleanup_free_ char *path = dir != NULL ? path_join(dir, STATE_RESOLV_CONF) : NULL;

		if (path == NULL)
			die(EXIT_TEMPORARY, "out of memory");
		resolv_fd = (int) syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
		if (resolv_fd < 0 || fstat(resolv_fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_uid != spec->uid)
			die(EXIT_TEMPORARY, "the supervisor wrote no '%s' for this jail",
			    STATE_RESOLV_CONF);
	}
	override_etc_file("resolv.conf", resolv_fd, spec->network != NETWORK_NONE);
}

/* Switches to /newroot and lets go of the host: the scratch root, with
 * /oldroot under it, is stacked on top by pivot_root(".", ".") and then
 * detached as a whole. */
static void
pivot_into_newroot(void)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (chdir(NEWROOT) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to enter '%s'", NEWROOT);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to pivot into the new root");
	if (umount2(".", MNT_DETACH) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to detach the host's root");
	if (chdir("/") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to enter '/'");
	/* Nothing may create top-level entries: the root itself is read-only. */
	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to make '/' read-only");
}

void
setup_rootfs(const struct jail_spec *spec)
{
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to make the mount tree private");
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to mount the scratch tmpfs");
	if (mkdir("/tmp" NEWROOT, 0755) < 0 || mkdir("/tmp" OLDROOT, 0755) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create the scratch directories");
	if (syscall(SYS_pivot_root, "/tmp", "/tmp" OLDROOT) < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to pivot into the scratch tmpfs");
	if (chdir("/") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to enter '/'");
	if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to mount the new root");
	/* Every mount point is reached from here: opened once, not per bind. */
	newroot_fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (newroot_fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to open '%s'", NEWROOT);

	setup_system_dirs();
	setup_proc();
	setup_dev();
	setup_scratch(spec);
	setup_home(spec);
	setup_dns(spec);
}

void
enter_rootfs(void)
{
	newroot_fd = safe_close(newroot_fd);
	pivot_into_newroot();
}
