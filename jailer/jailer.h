/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jailer's private interface: struct jail_spec is everything the jail will
 * be, worked out and validated before anything is changed (describe, then do:
 * a bad profile dies before any step has half-built a jail); the steps in
 * rootfs.c, rights.c, caps.c and seccomp.c only carry it out and die, naming
 * the step, on failure.
 */
#ifndef JAILSUP_JAILER_H
#define JAILSUP_JAILER_H

#include <sys/types.h>

#include "ini-profiles/profile.h"
#include "state/crypt-home.h"
#include "state/util.h"

/* Where the filtered system bus appears in the jail (its /run is a tmpfs). */
#define JAIL_SYSTEM_BUS "/run/dbus/system_bus_socket"
/* Where the proxy's socket appears, below $XDG_RUNTIME_DIR, when the jail
 * has a private session bus. */
#define JAIL_HOST_BUS "jailsup-host-bus"

struct jail_socket {
	char *host; /* path on the host */
	char *jail; /* path in the jail */
};

struct jail_spec {
	char *name;
	char *state_path; /* $XDG_RUNTIME_DIR/jailsup/jails/NAME */
	int state_fd;
	struct jail_profile *profile;
	unsigned rights;
	enum jail_network network;
	struct exe_resolution exe;

	uid_t uid;
	gid_t gid;
	char *user;
	char *home;	   /* the user's $HOME: the private home appears there */
	char *data_home;   /* $XDG_DATA_HOME */
	char *home_src;	   /* $XDG_DATA_HOME/jailsup/jails/NAME/home, or for an
			    * encrypted home the backend's mount STATE_DIR/home */
	enum crypt_backend crypt; /* CRYPT_NONE, or the backend of home.BACKEND/ */
	char *runtime_dir; /* $XDG_RUNTIME_DIR: a private tmpfs at the same path */

	/* Sockets of granted rights; absent (NULL host) when denied or missing. */
	struct jail_socket x11;
	unsigned x11_display;	   /* the host's display number */
	unsigned x11_jail_display; /* the jail's: another with network = host (spec.c) */
	int x11_hold_fd;	   /* -1, or the empty abstract socket of that number */
	char *xauthority; /* the host's Xauthority file */
	char *host_name;  /* the host's hostname: its local Xauthority entries name it */
	struct jail_socket wayland;
	struct jail_socket pulse;
	struct jail_socket pipewire;
	struct jail_socket ice;
	struct jail_socket dbus;	 /* the proxy's socket in the state dir → $XDG_RUNTIME_DIR/bus */
	struct jail_socket dbus_system; /* → /run/dbus/system_bus_socket */
	/* [dbus] own-private with a proxy socket: the proxy is at
	 * JAIL_HOST_BUS instead, and dispatch starts a dbus-daemon of the
	 * jail's own at $XDG_RUNTIME_DIR/bus and the bridge between them
	 * (docs/jail.md "A private session bus"). */
	bool private_bus;
	struct jail_socket a11y; /* the accessibility bus's → $XDG_RUNTIME_DIR/at-spi-bus */
	char *session_manager;

	char **share_src; /* per [share] entry: its host path, symlinks resolved and
			   * checked; NULL when missing (the bind then fails, named) */

	int log_fd;  /* the state dir's log, O_APPEND: every message goes there too (the
	              * jailer's; the jail side's go through a pipe, main.c) */
	int home_fd; /* O_PATH fd of home_src, opened on the host side */
	int go_fd;   /* -1, or a pipe to wait on for the supervisor's go */
	char **env; /* dispatch's environment */
};

/* spec.c */
void jail_spec_build(struct jail_spec *spec, const char *state_path, int go_fd);

/* Looks up our user name (NSS) ahead of jail_spec_build(): the standby
 * jailer does it while it waits, off the start's path. */
void jail_spec_lookup_user(void);

/* What spec.c reads of the world beyond the state directory while it works
 * out a spec from profile.ini: the session's variables, and whether a
 * socket is there. The jailer's are getenv() and fstatat(); the fuzz
 * target's (tests/fuzz/fuzz-spec.c) a session it makes up. */
struct spec_host {
	const char *(*getenv)(const char *key);
	/* Whether PATH below DIR_FD (as fstatat() with FLAGS sees it) is a socket. */
	bool (*is_socket)(int dir_fd, const char *path, int flags);
	/* A free X display number for a jail on the host's network, its
	 * abstract name held by an fd in *RET_FD (spec.c). */
	unsigned (*hold_display)(int *ret_fd);
};

/* The part of jail_spec_build() that is a parser: TEXT, the state dir's
 * profile.ini, read as the profile of jail SPEC->name (SOURCE, its path,
 * for messages), and what follows from it and HOST alone: the rights, the
 * network, the socket of each granted right, dispatch's environment. Needs
 * SPEC->name, state_path, state_fd, user, home and runtime_dir set. Opens
 * nothing but through HOST and dies only out of memory (or if uname()
 * fails), so a fuzzer can call it. Returns 0, or -EINVAL with *RETERR
 * (line and message) for a bad profile, or -ENOMEM. */
int jail_spec_from_text(struct jail_spec *spec, const char *text, const char *source,
                        const struct profile_env *env, const struct spec_host *host,
                        struct profile_error *reterr);
/* Frees what SPEC holds and closes its fds. The jailer leaves by execve()
 * and needs none of it; the fuzz target frees each spec it makes. */
void jail_spec_done(struct jail_spec *spec);

/* encrypted-home.c: an O_PATH fd of the encrypted home's plaintext view, the
 * backend's FUSE mount on STATE_DIR/home; dies when it is not mounted (a
 * jail started without the supervisor, which mounts it), so an encrypted
 * jail never runs on an empty stand-in home. */
int open_crypt_home(const struct jail_spec *spec);

/* rootfs.c: builds the filesystem view in the new mount namespace below
 * NEWROOT (setup_rootfs()), and pivots into it (enter_rootfs()); the
 * rights' mounts happen in between, while the host is still visible under
 * OLDROOT. */
void setup_rootfs(const struct jail_spec *spec);
void enter_rootfs(void);

/* rights.c: what each granted right adds to the view, between
 * setup_rootfs() and enter_rootfs(). */
void apply_rights(const struct jail_spec *spec);

/* mount helpers shared by rootfs.c and rights.c; paths below NEWROOT. */
#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
enum bind_flags {
	BIND_RO = 1 << 0,	/* read-only, recursively */
	BIND_DEV = 1 << 1,	/* a device: keep dev, no exec */
	BIND_OPTIONAL = 1 << 2, /* a missing source is skipped, not fatal */
	BIND_UNTRUSTED = 1 << 3 /* the target lies where the jail can write */
};
/* Binds the host path SRC (seen at /oldroot/SRC) onto DST inside the jail,
 * creating the mount point. Returns 0, or -ENOENT for a missing optional
 * source; dies on anything else. */
int bind_into_jail(const char *src, const char *dst, unsigned flags);
/* The same with the source given as an fd opened on the host side. */
void bind_fd_into_jail(int src_fd, const char *what, const char *dst, unsigned flags);
/* A fresh tmpfs at DST inside the jail. */
void mount_tmpfs(const char *dst, mode_t mode);
/* mkdir -p of DST below /newroot with MODE for what it creates. */
void make_jail_dir(const char *dst, mode_t mode);

/* caps.c */
void set_rlimits(const struct jail_spec *spec);
void limit_nested_userns(const struct jail_spec *spec);
void drop_caps(void);
void set_no_new_privs(void);

/* landlock.c: the jail's Landlock domain, where the kernel can scope */
void enter_landlock_domain(void);

/* seccomp.c */
void load_seccomp(const struct jail_spec *spec);

#endif
