/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The helpers' sandbox (state/sandbox.h). The order is the jailer's, in
 * one process right before execve(): namespaces; every source opened as a
 * detached copy (open_tree) while the host's tree is still our view, so
 * symlinks on the way resolve as the host has them; a tmpfs root built
 * from those copies through fds, mount points walked without following a
 * symlink; pivot_root into it and the host detached; capabilities,
 * no_new_privs, and the seccomp filter last, so it never has to allow a
 * setup call. libseccomp compiles the filter, once per caller when it
 * keeps a sandbox_filter (the supervisor does: about a millisecond saved
 * at every spawn), else in the child.
 */
#include "state/sandbox.h"

#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>

#include "state/util.h"

/* Where the new root is built before the pivot: a directory every system
 * has. Our mount namespace is private by then, and the sources were all
 * opened before anything is mounted here, so hiding the host's /tmp is
 * harmless. */
#define BUILD_ROOT "/tmp"

/* System folders, plus the few nodes of /dev, plus the caller's binds. */
#define TREES_MAX 96

/* One thing to put into the new root: a detached copy of a source
 * (TREE >= 0), or a symlink to TARGET (the host's /lib64 of a merged-/usr
 * system, say). */
struct tree {
	int fd;
	const char *dst;
	char *target;
	bool is_dir;
	unsigned flags;
};

struct build {
	struct tree trees[TREES_MAX];
	size_t n;
	int root_fd;
	struct sandbox_error *err;
};

static void
cap_freep(cap_t *c)
{
	if (*c != NULL)
		(void) cap_free(*c);
}

static void
build_done(struct build *b)
{
	for (size_t i = 0; i < b->n; i++) {
		safe_close(b->trees[i].fd);
		free(b->trees[i].target);
	}
	b->n = 0;
	b->root_fd = safe_close(b->root_fd);
}

static int
fail(struct build *b, int r, const char *step, const char *path)
{
	if (b->err != NULL) {
		b->err->step = step;
		b->err->path = path;
	}
	return r;
}

/* An absolute path with no "." or ".." component and no empty one but
 * where slashes repeat. */
static bool
path_valid(const char *p)
{
	if (p == NULL || p[0] != '/' || strlen(p) >= PATH_MAX)
		return false;
	for (const char *c = p; *c != '\0';) {
		size_t n;

		c += strspn(c, "/");
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

static int
check_sandbox(const struct sandbox *sb, struct build *b)
{
	if (sb->new_pidns && getpid() != 1)
		return fail(b, -EINVAL, "a PID namespace needs sandbox_fork()", NULL);
	if (sb->proc && !sb->new_pidns)
		return fail(b, -EINVAL, "a /proc needs a PID namespace", NULL);
	if (sb->cwd != NULL && !path_valid(sb->cwd))
		return fail(b, -EINVAL, "cwd", sb->cwd);
	if (sb->n_binds > 0 && sb->binds == NULL)
		return fail(b, -EINVAL, "binds", NULL);
	for (size_t i = 0; i < sb->n_binds; i++) {
		const struct sandbox_bind *s = &sb->binds[i];
		const char *dst = s->dst != NULL ? s->dst : s->src;

		if (!path_valid(s->src))
			return fail(b, -EINVAL, "bind source", s->src);
		if (!path_valid(dst) || streq(dst + strspn(dst, "/"), ""))
			return fail(b, -EINVAL, "bind destination", dst);
	}
	return 0;
}

/* Our own user namespace is mapped (sandbox_fork() wrote the maps in the
 * child): an empty uid_map means it could not, and nothing we would do
 * in such a namespace would be what the caller asked for. */
static int
check_mapped(struct build *b)
{
	_cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	char buf[64];
	ssize_t n;

	if (fd < 0)
		return fail(b, -errno, "uid map", "/proc/self/uid_map");
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return fail(b, -errno, "uid map", "/proc/self/uid_map");
	if (n == 0)
		return fail(b, -EPERM, "uid map (not written: was sandbox_fork() used?)", NULL);
	return 0;
}

pid_t
sandbox_fork(const struct sandbox *sb)
{
	unsigned long flags = CLONE_NEWUSER | SIGCHLD;
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t pid;

	if (sb->join_current_userns) {
		/* After the caller's setns(): it has CAP_SYS_ADMIN in that user
		 * namespace, which owns the new PID namespace, so the child
		 * may mount a /proc of it. Nothing to map. */
		if (!sb->new_pidns)
			return -EINVAL;
		pid = (pid_t) syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0UL);
		return pid < 0 ? -errno : pid;
	}
	if (sb->new_pidns)
		flags |= CLONE_NEWPID;
	/* The raw system call: fork() semantics (no CLONE_VM, the child on a
	 * copy of our stack), with namespaces glibc's fork() cannot ask for. */
	pid = (pid_t) syscall(SYS_clone, flags, NULL, NULL, NULL, 0UL);
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* An undumpable process's /proc files are root's, so it cannot
		 * open its own maps: dumpable for these writes only (the
		 * helper's execve() makes it dumpable anyway). */
		int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
		const char *path;

		if (dumpable == 0)
			(void) prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		/* Failure leaves the maps empty, and sandbox_enter() says so. */
		(void) userns_map_self(uid, gid, &path);
		if (dumpable == 0)
			(void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	return pid;
}

static struct tree *
add_tree(struct build *b, const char *dst, unsigned flags)
{
	struct tree *t;

	if (b->n == TREES_MAX)
		return NULL;
	t = &b->trees[b->n++];
	*t = (struct tree){.fd = -1, .dst = dst, .flags = flags};
	return t;
}

/* A detached copy of SRC (submounts included) for DST. -ENOENT with
 * SANDBOX_BIND_TRY is not an error: nothing is added. */
static int
open_source(struct build *b, const char *src, const char *dst, unsigned flags, int verify_fd)
{
	struct stat st, want;
	struct tree *t;
	int fd;

	fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0 && errno == ENOENT && (flags & SANDBOX_BIND_TRY))
		return 0;
	if (fd < 0)
		return fail(b, -errno, "open the bind source", src);
	if (fstat(fd, &st) < 0) {
		safe_close(fd);
		return fail(b, -errno, "stat the bind source", src);
	}
	if (flags & SANDBOX_BIND_VERIFY) {
		if (fstat(verify_fd, &want) < 0) {
			safe_close(fd);
			return fail(b, -errno, "stat verify_fd", src);
		}
		if (want.st_dev != st.st_dev || want.st_ino != st.st_ino) {
			safe_close(fd);
			return fail(b, -ESTALE, "the bind source changed", src);
		}
	}
	t = add_tree(b, dst, flags);
	if (t == NULL) {
		safe_close(fd);
		return fail(b, -E2BIG, "too many binds", src);
	}
	t->fd = fd;
	t->is_dir = S_ISDIR(st.st_mode);
	return 0;
}

/* The system folders and /dev nodes of sandbox-rules.c. */
static int
open_system(struct build *b)
{
	int r = 0;

	for (const char *const *p = sandbox_system_dirs; r >= 0 && *p != NULL; p++)
		r = open_source(b, *p, *p, SANDBOX_BIND_TRY, -1);
	for (const char *const *p = sandbox_system_links; r >= 0 && *p != NULL; p++) {
		char target[PATH_MAX];
		struct stat st;
		struct tree *t;
		ssize_t n;

		if (lstat(*p, &st) < 0)
			continue;
		if (!S_ISLNK(st.st_mode)) {
			r = open_source(b, *p, *p, SANDBOX_BIND_TRY, -1);
			continue;
		}
		n = readlink(*p, target, sizeof(target) - 1);
		if (n < 0)
			return fail(b, -errno, "read the link", *p);
		target[n] = '\0';
		t = add_tree(b, *p, 0);
		if (t == NULL)
			return fail(b, -E2BIG, "too many binds", *p);
		t->target = strdup(target);
		if (t->target == NULL)
			return fail(b, -ENOMEM, "read the link", *p);
	}
	for (const char *const *p = sandbox_dev_nodes; r >= 0 && *p != NULL; p++)
		r = open_source(b, *p, *p, SANDBOX_BIND_DEV | SANDBOX_BIND_RW | SANDBOX_BIND_TRY,
		                -1);
	return r;
}

/* Walks DST below the new root, creating what is missing (directories
 * 0755; the last component a directory when LAST_IS_DIR, else an empty
 * file), never following a symlink. Returns an O_PATH fd of it. */
static int
open_mount_point(struct build *b, const char *dst, bool last_is_dir)
{
	_cleanup_free_ char *copy = strdup(dst);
	_cleanup_close_ int fd = -1;
	char *save = NULL, *comp, *next;
	int dir = b->root_fd;

	if (copy == NULL)
		return fail(b, -ENOMEM, "mount point", dst);
	for (comp = strtok_r(copy, "/", &save); comp != NULL; comp = next) {
		int nfd;

		next = strtok_r(NULL, "/", &save);
		if (next == NULL && !last_is_dir) {
			/* O_NONBLOCK: a FIFO there must fail below, not hang us. */
			nfd =
			    openat(dir, comp,
			           O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
			if (nfd < 0 && (errno == EISDIR || errno == ENXIO || errno == EACCES ||
			                errno == ETXTBSY || errno == EROFS))
				nfd = openat(dir, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		} else {
			if (mkdirat(dir, comp, 0755) < 0 && errno != EEXIST)
				return fail(b, -errno, "create the mount point", dst);
			nfd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0) {
			struct stat st;
			int r = -errno;

			if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				r = -ELOOP;
			return fail(b, r, "open the mount point (a symlink there is refused)", dst);
		}
		safe_close(fd);
		fd = dir = nfd;
	}
	if (fd < 0)
		return fail(b, -EINVAL, "mount point", dst);
	if (!last_is_dir) {
		struct stat st;

		if (fstat(fd, &st) < 0)
			return fail(b, -errno, "open the mount point", dst);
		if (S_ISLNK(st.st_mode))
			return fail(b, -ELOOP, "open the mount point (a symlink there is refused)",
			            dst);
		if (S_ISDIR(st.st_mode))
			return fail(b, -EISDIR, "the mount point is a directory", dst);
	}
	return TAKE_FD(fd);
}

static int
attach(struct build *b, struct tree *t)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_NOSUID};
	_cleanup_close_ int target = -1;

	if (t->target != NULL) {
		_cleanup_free_ char *name = strdup(t->dst + 1);

		if (name == NULL)
			return fail(b, -ENOMEM, "symlink", t->dst);
		if (symlinkat(t->target, b->root_fd, name) < 0)
			return fail(b, -errno, "symlink", t->dst);
		return 0;
	}
	attr.attr_set |= (t->flags & SANDBOX_BIND_DEV) ? MOUNT_ATTR_NOEXEC : MOUNT_ATTR_NODEV;
	/* What the helper can write, it cannot run. */
	attr.attr_set |= (t->flags & SANDBOX_BIND_RW) ? MOUNT_ATTR_NOEXEC : MOUNT_ATTR_RDONLY;
	if (mount_setattr(t->fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return fail(b, -errno, "set the bind's flags", t->dst);
	target = open_mount_point(b, t->dst, t->is_dir);
	if (target < 0)
		return target;
	if (move_mount(t->fd, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return fail(b, -errno, "bind", t->dst);
	return 0;
}

/* A tmpfs at DST of the new root (a fixed, fresh directory: no walk). */
static int
mount_tmpfs(struct build *b, const char *dst, unsigned long flags, const char *opts)
{
	_cleanup_free_ char *path = path_join(BUILD_ROOT, dst);

	if (path == NULL)
		return fail(b, -ENOMEM, "tmpfs", dst);
	if (mkdirat(b->root_fd, dst + 1, 0755) < 0 && errno != EEXIST)
		return fail(b, -errno, "create the mount point", dst);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | flags, opts) < 0)
		return fail(b, -errno, "mount a tmpfs", dst);
	return 0;
}

static int
build_root(const struct sandbox *sb, struct build *b)
{
	static const char *const dev_links[][2] = {{"fd", "/proc/self/fd"},
	                                           {"stdin", "/proc/self/fd/0"},
	                                           {"stdout", "/proc/self/fd/1"},
	                                           {"stderr", "/proc/self/fd/2"}};
	_cleanup_close_ int dev_fd = -1;
	int r;

	if (mount("tmpfs", BUILD_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return fail(b, -errno, "mount the new root", BUILD_ROOT);
	b->root_fd = open(BUILD_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b->root_fd < 0)
		return fail(b, -errno, "open the new root", BUILD_ROOT);
	r = mount_tmpfs(b, "/dev", MS_NOEXEC, "mode=0755");
	if (r < 0)
		return r;
	dev_fd = open(BUILD_ROOT "/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev_fd < 0)
		return fail(b, -errno, "open", "/dev");
	for (size_t i = 0; i < ELEMENTSOF(dev_links); i++)
		if (symlinkat(dev_links[i][1], dev_fd, dev_links[i][0]) < 0)
			return fail(b, -errno, "symlink", dev_links[i][0]);
	if (sb->tmp) {
		r = mount_tmpfs(b, "/tmp", MS_NOEXEC, "mode=1777");
		if (r < 0)
			return r;
	}
	if (sb->proc) {
		if (mkdirat(b->root_fd, "proc", 0555) < 0)
			return fail(b, -errno, "create the mount point", "/proc");
		if (mount("proc", BUILD_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          NULL) < 0)
			return fail(b, -errno, "mount", "/proc");
	}
	for (size_t i = 0; i < b->n; i++) {
		r = attach(b, &b->trees[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Into the new root, and the host's tree let go: pivot_root(".", ".")
 * stacks the old root over the new one, and the detach takes it away. */
static int
pivot(struct build *b)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};

	if (fchdir(b->root_fd) < 0)
		return fail(b, -errno, "enter the new root", NULL);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail(b, -errno, "pivot_root", NULL);
	if (umount2(".", MNT_DETACH) < 0)
		return fail(b, -errno, "detach the host's root", NULL);
	if (chdir("/") < 0)
		return fail(b, -errno, "enter", "/");
	/* Nothing may add entries at the top, or in /dev. */
	if (mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		return fail(b, -errno, "make the root read-only", "/");
	if (mount_setattr(AT_FDCWD, "/dev", 0, &ro, sizeof(ro)) < 0)
		return fail(b, -errno, "make /dev read-only", "/dev");
	return 0;
}

/* Every capability goes from the bounding set, then every set holds KEEP
 * only, raised as ambient too: the helper is not root in its namespace,
 * so an execve() would drop what is not ambient. */
static int
set_caps(struct build *b, uint64_t keep)
{
	_cleanup_(cap_freep) cap_t c = NULL;
	/* The kernel's count (libcap asks it once), not our headers'. */
	int n_caps = cap_max_bits();
	int r;

	for (int cap = 0; cap < n_caps && cap < 64; cap++)
		if (!(keep & (UINT64_C(1) << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return fail(b, -errno, "drop from the bounding set", NULL);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail(b, -errno, "clear the ambient capabilities", NULL);
	c = cap_init();
	if (c == NULL)
		return fail(b, -ENOMEM, "capabilities", NULL);
	for (int cap = 0; cap < 64; cap++) {
		cap_value_t v = cap;

		if (!(keep & (UINT64_C(1) << cap)))
			continue;
		if (cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)
			return fail(b, -EINVAL, "capability to keep", NULL);
	}
	r = NEG_ERRNO(cap_set_proc(c));
	if (r < 0)
		return fail(b, r, "set the capabilities", NULL);
	for (int cap = 0; cap < 64; cap++)
		if ((keep & (UINT64_C(1) << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return fail(b, -errno, "raise an ambient capability", NULL);
	return 0;
}

static int
add_rule(scmp_filter_ctx ctx, const struct sandbox_seccomp_rule *rule, int nr)
{
	uint32_t action = SCMP_ACT_ERRNO((uint32_t) rule->err);

	switch (rule->check) {
	case SANDBOX_ARG_ANY:
		return seccomp_rule_add(ctx, action, nr, 0);
	case SANDBOX_ARG0_FLAG:
		return seccomp_rule_add(ctx, action, nr, 1,
		                        SCMP_A0(SCMP_CMP_MASKED_EQ, rule->value, rule->value));
	case SANDBOX_ARG1_LOW32:
		return seccomp_rule_add(ctx, action, nr, 1,
		                        SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, rule->value));
	case SANDBOX_ARG0_NOT:
		return seccomp_rule_add(ctx, action, nr, 1, SCMP_A0(SCMP_CMP_NE, rule->value));
	case _SANDBOX_ARG_CHECK_MAX:
	case _SANDBOX_ARG_CHECK_INVALID:
		break;
	}
	return -EINVAL;
}

static void
seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

struct sandbox_filter {
	struct sock_filter *insns;
	unsigned short len;
};

struct sandbox_filter *
sandbox_filter_free(struct sandbox_filter *f)
{
	if (f != NULL) {
		free(f->insns);
		free(f);
	}
	return NULL;
}

static void
sandbox_filter_freep(struct sandbox_filter **f)
{
	sandbox_filter_free(*f);
}

/* The deny table of sandbox-rules.c, for the native ABI and, on x86_64,
 * the 32-bit one; other ABIs (x32) are killed. libseccomp compiles it;
 * we keep the BPF it exports. */
int
sandbox_filter_new(struct sandbox_filter **ret)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	_cleanup_(sandbox_filter_freep) struct sandbox_filter *f = NULL;
	_cleanup_close_ int fd = -1;
	off_t size;
	int r;

	if (ctx == NULL)
		return -ENOMEM;
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	for (size_t i = 0; i < sandbox_n_seccomp_rules; i++) {
		const struct sandbox_seccomp_rule *rule = &sandbox_seccomp_rules[i];
		int nr = seccomp_syscall_resolve_name(rule->syscall);

		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		r = add_rule(ctx, rule, nr);
		if (r < 0)
			return r;
	}
	fd = memfd_create("sandbox-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	if (size == 0 || size % sizeof(struct sock_filter) != 0 ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	f->insns = malloc((size_t) size);
	if (f->insns == NULL)
		return -ENOMEM;
	if (pread(fd, f->insns, (size_t) size, 0) != size)
		return errno > 0 ? -errno : -EIO;
	f->len = (unsigned short) (size / sizeof(struct sock_filter));
	*ret = TAKE_PTR(f);
	return 0;
}

/* SB's filter, or one built now. no_new_privs is set already. */
static int
load_seccomp(const struct sandbox *sb, struct build *b)
{
	_cleanup_(sandbox_filter_freep) struct sandbox_filter *own = NULL;
	const struct sandbox_filter *f = sb->filter;
	struct sock_fprog prog;
	int r;

	if (f == NULL) {
		r = sandbox_filter_new(&own);
		if (r < 0)
			return fail(b, r, "build the seccomp filter", NULL);
		f = own;
	}
	prog = (struct sock_fprog){.len = f->len, .filter = f->insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return fail(b, -errno, "load the seccomp filter", NULL);
	return 0;
}

int
sandbox_enter(const struct sandbox *sb, struct sandbox_error *reterr)
{
	_cleanup_(build_done) struct build b = {.root_fd = -1, .err = reterr};
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	int r;

	r = check_sandbox(sb, &b);
	if (r >= 0 && !sb->join_current_userns)
		r = check_mapped(&b);
	if (r < 0)
		return r;
	if (sb->new_netns)
		flags |= CLONE_NEWNET;
	if (unshare(flags) < 0)
		return fail(&b, -errno, "unshare", NULL);
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail(&b, -errno, "make the mount tree private", NULL);

	r = open_system(&b);
	for (size_t i = 0; r >= 0 && i < sb->n_binds; i++) {
		const struct sandbox_bind *s = &sb->binds[i];

		r = open_source(&b, s->src, s->dst != NULL ? s->dst : s->src, s->flags,
		                s->verify_fd);
	}
	if (r >= 0)
		r = build_root(sb, &b);
	if (r >= 0)
		r = pivot(&b);
	if (r < 0)
		return r;
	build_done(&b);
	if (chdir(sb->cwd != NULL ? sb->cwd : "/") < 0)
		return fail(&b, -errno, "enter the working directory", sb->cwd);
	r = set_caps(&b, sb->keep_caps);
	if (r < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(&b, -errno, "set no_new_privs", NULL);
	return load_seccomp(sb, &b);
}
