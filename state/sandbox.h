/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A sandbox for the helpers that parse what a jail (or a remote server)
 * sends: xdg-dbus-proxy reads every D-Bus message of a jail, openvpn every
 * packet of a VPN server. A bug in such a helper must not be a way out of
 * the jail, so the helper runs with a view and privileges of its own, the
 * way flatpak runs xdg-dbus-proxy under bwrap (docs/jail.md "Helpers run
 * confined"):
 *
 *   - its own user namespace (the user mapped to itself, setgroups denied),
 *     or the one the caller joined with setns() (openvpn: the jail's, where
 *     it keeps CAP_NET_ADMIN);
 *   - new mount, IPC, UTS and cgroup namespaces; a new network namespace
 *     when asked; a new PID namespace, where the helper is PID 1, when
 *     asked (sandbox_fork());
 *   - a fresh tmpfs root, read-only, holding read-only binds of /usr, the
 *     /bin, /sbin, /lib* links or folders and /etc/ld.so.cache (a program
 *     and its libraries), a minimal /dev (null zero full random urandom),
 *     then only the caller's binds: read-only unless marked writable
 *     (then noexec: what the helper writes, it cannot run); a private
 *     /tmp (noexec) and a /proc only when asked;
 *   - every capability dropped from every set but the caller's KEEP_CAPS,
 *     which stay effective and ambient (so they survive execve());
 *     no_new_privs; a seccomp filter (sandbox_seccomp_rules below).
 *
 * The sources are opened (and symlinks on their way resolved) in the
 * host's view, before anything of it is hidden; mount points in the new
 * root are walked without following a symlink. Linked from libjailstate.a
 * only by the binaries that call it: sandbox.o needs libseccomp, the rules
 * table (sandbox-rules.o) does not, so `jailsup explain` can print it.
 */
#ifndef JAILSUP_SANDBOX_H
#define JAILSUP_SANDBOX_H

#include <sys/types.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SANDBOX_BIND_RW = 1 << 0,     /* writable and noexec (default: read-only) */
	SANDBOX_BIND_TRY = 1 << 1,    /* skipped when the source does not exist */
	SANDBOX_BIND_DEV = 1 << 2,    /* a device node: not nodev (and noexec) */
	SANDBOX_BIND_VERIFY = 1 << 3, /* the source must be VERIFY_FD's file */
};

struct sandbox_bind {
	const char *src; /* absolute path on the host; symlinks are followed */
	const char *dst; /* absolute path in the sandbox, no "." or ".."; NULL: SRC */
	unsigned flags;  /* SANDBOX_BIND_* */
	/* With SANDBOX_BIND_VERIFY: an fd (O_PATH will do) of the file SRC
	 * must be, compared by device and inode once SRC is opened: a path
	 * that was swapped since the caller checked it is refused (-ESTALE). */
	int verify_fd;
};

struct sandbox_filter;

struct sandbox {
	const struct sandbox_bind *binds; /* after the system folders, in this order */
	size_t n_binds;
	/* false: the caller forked with sandbox_fork(), which made a new user
	 * namespace. true: the caller forked itself and joined a user
	 * namespace with setns() (it has CAP_SYS_ADMIN there), which we keep. */
	bool join_current_userns;
	bool new_netns; /* a network namespace with nothing in it, not even lo up */
	/* A PID namespace of its own, the helper its PID 1: it can name (kill,
	 * ptrace) no process outside. Needs sandbox_fork(), so not with
	 * join_current_userns. A PID 1 ignores every signal it has no handler
	 * for, SIGTERM too: end such a helper with SIGKILL. */
	bool new_pidns;
	bool proc;          /* a /proc of that PID namespace (needs new_pidns) */
	bool tmp;           /* a private tmpfs at /tmp */
	uint64_t keep_caps; /* bit N: capability N stays (effective, permitted, ambient) */
	const char *cwd;    /* in the sandbox, absolute; NULL: "/" */
	/* The seccomp filter, compiled ahead by sandbox_filter_new(); NULL:
	 * sandbox_enter() compiles it (libseccomp: about a millisecond). */
	const struct sandbox_filter *filter;
};

/* The compiled seccomp filter of every sandbox (sandbox_seccomp_rules as
 * BPF). Build it once, before forking, and hand it to each sandbox: the
 * child then only loads it. 0 or -errno. */
int sandbox_filter_new(struct sandbox_filter **ret);
struct sandbox_filter *sandbox_filter_free(struct sandbox_filter *f);

/* What failed: STEP, a fixed string ("bind", "pivot_root", "seccomp", …),
 * and the PATH it was about, or NULL. For the caller's one-line error. */
struct sandbox_error {
	const char *step;
	const char *path;
};

/* fork() for a sandbox that starts from the host (!join_current_userns):
 * the child is born in a new user namespace, already mapped (the user to
 * itself, setgroups denied), and with SB->new_pidns also in a new PID
 * namespace, where it is PID 1, so the parent gets the host PID of the
 * process that will become the helper — the one a pid file must record.
 * Returns like fork(): the child's PID, 0 in the child, or -errno (-EINVAL
 * with join_current_userns: such a caller forks by itself). The child goes
 * on with sandbox_enter(SB) and execve(). An undumpable caller's child is
 * dumpable while it writes its maps (an undumpable process cannot open
 * them): a caller keeps no secret in memory across sandbox_fork(). */
pid_t sandbox_fork(const struct sandbox *sb);

/* In the child, right before execve(): builds the sandbox SB describes and
 * enters it, cwd included. Returns 0, or -errno with *RETERR (may be NULL)
 * saying which step failed: -EINVAL for a bad SB, -ENOENT for a missing
 * source without SANDBOX_BIND_TRY, -ESTALE for a source that is not its
 * verify_fd's file, -ELOOP for a symlink on the way to a mount point, and
 * what the kernel said otherwise. On failure the process is half-built:
 * it must _exit(), never exec. On success only the caller's own fds (all
 * of ours are closed) and its dup2()s and close_range() remain before its
 * execve(): the seccomp filter is loaded and allows those. */
int sandbox_enter(const struct sandbox *sb, struct sandbox_error *reterr);

/* The seccomp filter of every sandbox: default allow, and these denied. */
enum sandbox_arg_check {
	SANDBOX_ARG_ANY,    /* every call */
	SANDBOX_ARG0_FLAG,  /* arg 0 has the bit VALUE set */
	SANDBOX_ARG1_LOW32, /* arg 1, low 32 bits, equals VALUE */
	SANDBOX_ARG0_NOT,   /* arg 0 is not VALUE */
	_SANDBOX_ARG_CHECK_MAX,
	_SANDBOX_ARG_CHECK_INVALID = -EINVAL,
};

struct sandbox_seccomp_rule {
	const char *syscall;
	int err; /* the errno it fails with */
	enum sandbox_arg_check check;
	uint64_t value;
	const char *label; /* "clone(CLONE_NEWUSER)", for people (`jailsup explain`) */
};

extern const struct sandbox_seccomp_rule sandbox_seccomp_rules[];
extern const size_t sandbox_n_seccomp_rules;

/* What every sandbox holds besides the caller's binds: the read-only
 * system folders (SANDBOX_SYSTEM_LINKS as the host has them: the same
 * symlinks on a merged-/usr system, else read-only folders; each only
 * when the host has it) and the nodes of /dev. NULL-terminated. */
extern const char *const sandbox_system_dirs[];
extern const char *const sandbox_system_links[];
extern const char *const sandbox_dev_nodes[];

#endif
