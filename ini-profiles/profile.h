/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Jail profiles (DESIGN.md §6): the INI schema, its parser (inih), the
 * canonical dump, name derivation from an exe path, exe resolution at start
 * time, the profile search path and first-start profile creation.
 *
 * A profile is plain data; nothing here touches a jail. Every problem in a
 * file is reported as a line number plus a message, which the binaries
 * print as "path:line: message".
 */
#ifndef JAILSUP_PROFILE_H
#define JAILSUP_PROFILE_H

#include "state/util.h"

enum jail_network {
	NETWORK_NONE,  /* own network namespace, loopback only */
	NETWORK_PASTA, /* own namespace, user-mode networking through pasta */
	NETWORK_HOST,  /* the host's network namespace (weaker: abstract sockets) */
	NETWORK_VPN,   /* pasta carries only openvpn's transport */
	_NETWORK_MAX,
	_NETWORK_INVALID = -EINVAL,
};
const char *jail_network_to_string(enum jail_network n);
enum jail_network jail_network_from_string(const char *s);

/* Rights a profile grants (DESIGN.md §6). */
enum {
	RIGHT_AUDIO = 1u << 0,	       /* PulseAudio, PipeWire sockets, /dev/snd */
	RIGHT_X11 = 1u << 1,	       /* the $DISPLAY socket and its Xauthority */
	RIGHT_WAYLAND = 1u << 2,       /* the $WAYLAND_DISPLAY socket */
	RIGHT_GPU = 1u << 3,	       /* /dev/dri */
	RIGHT_CAMERA = 1u << 4,	       /* /dev/video* */
	RIGHT_NETWORK = 1u << 5,       /* any network beyond loopback */
	RIGHT_KDE_SESSION = 1u << 6,   /* ICE socket, SESSION_MANAGER, session files */
	RIGHT_DBUS = 1u << 7,	       /* the (filtered) session bus */
	RIGHT_DBUS_SYSTEM = 1u << 8,   /* the (filtered) system bus */
	RIGHT_NOTIFICATIONS = 1u << 9, /* Notify & co. on org.freedesktop.Notifications */
	_RIGHT_COUNT = 10,
	RIGHTS_ALL = (1u << 10) - 1,
	/* Convenient, not secure: what a jail gets when its profile is silent. */
	RIGHTS_DEFAULT = RIGHT_AUDIO | RIGHT_X11 | RIGHT_WAYLAND | RIGHT_GPU | RIGHT_NETWORK |
			 RIGHT_DBUS | RIGHT_NOTIFICATIONS,
	/* What `secure = true` starts from: Wayland clients cannot read each
	 * other's input, so it stays. */
	RIGHTS_SECURE = RIGHT_WAYLAND,
};
/* "audio", "x11", … for one bit; NULL for anything else. */
const char *right_to_string(unsigned right);
/* The bit of a right's name, or 0 when unknown. */
unsigned right_from_string(const char *s);

enum profile_limit {
	LIMIT_NOFILE,
	LIMIT_NPROC,
	LIMIT_CORE,
	LIMIT_AS,
	LIMIT_CPU,
	_LIMIT_MAX,
	_LIMIT_INVALID = -EINVAL,
};
const char *profile_limit_to_string(enum profile_limit l);
#define LIMIT_UNLIMITED UINT64_MAX

struct profile_limit_value {
	bool set;
	uint64_t value; /* LIMIT_UNLIMITED for "unlimited" */
};

struct profile_share {
	char *path; /* absolute, '~' and $XDG_* expanded, normalised */
	bool rw;
};

/* D-Bus rules in xdg-dbus-proxy's syntax, validated at parse time. */
struct profile_dbus {
	char **talk;	  /* NAME or NAME.* */
	char **own;
	char **see;
	char **call;	  /* NAME=[METHOD][@PATH] */
	char **broadcast; /* NAME=[METHOD][@PATH] */
};

struct jail_profile {
	char *name;	    /* the jail's name (from the file name or --profile) */
	char *source;	    /* the file it was loaded from, for messages; may be NULL */
	char *exec;	    /* as the user wrote it: a symlink stays a symlink */
	char *init_script;  /* absolute (relative paths are from the profile's folder) */
	bool network_set;   /* `network =` was given */
	enum jail_network network;
	char *vpn;	    /* absolute path of the .ovpn file */
	bool autodelete;
	bool secure;
	unsigned allow;	    /* [rights] allow, as written */
	unsigned deny;	    /* [rights] deny, as written */
	struct profile_dbus dbus;
	struct profile_dbus dbus_system;
	struct profile_share *shares;
	size_t n_shares;
	struct profile_limit_value limits[_LIMIT_MAX];
	uint16_t *forward; /* [network] forward ports */
	size_t n_forward;
};

/* Where paths in a profile point: the caller fills it from the environment
 * (profile_env_from_environ()) or, in tests, by hand. */
struct profile_env {
	const char *home;
	const char *xdg_config_home;
	const char *xdg_data_home;
	const char *xdg_runtime_dir;
	const char *path;		/* $PATH, for an exec without '/' */
	const char *const *search_dirs; /* profile folders, most important first */
};

/* Fills ENV from getenv(), defaulting XDG_* as the spec says, with search
 * dirs $XDG_CONFIG_HOME/jailsup/profiles, /etc/jailsup/profiles and
 * SHIPPED_DIR. The strings live in STORAGE (free with
 * profile_env_storage_done()). -ENOENT when HOME is not set or not absolute. */
struct profile_env_storage {
	char *config_home, *data_home, *user_dir;
	const char *dirs[4];
};
int profile_env_from_environ(struct profile_env *env, struct profile_env_storage *storage,
			     const char *shipped_dir);
void profile_env_storage_done(struct profile_env_storage *storage);

/* An error in a profile: the 1-based line (0: not tied to a line, e.g. the
 * file could not be read) and what is wrong. */
struct profile_error {
	unsigned line;
	char msg[256];
};

/* Parses TEXT (NUL-terminated) as the profile NAME. SOURCE is the path used
 * for relative init-script/vpn paths (its folder) and is recorded; it may be
 * NULL, then relative paths are an error. Returns 0, or -EINVAL with
 * *reterr filled (unknown section or key, bad value, duplicate scalar key,
 * syntax error, overlong line), or -ENOMEM. */
int profile_parse(const char *text, const char *name, const char *source,
		  const struct profile_env *env, struct jail_profile **ret,
		  struct profile_error *reterr);

/* Reads the file PATH (regular file, O_NOFOLLOW on the last component,
 * at most 256 KiB) and parses it; the name is the file name without ".ini"
 * unless NAME is given. -ENOENT when missing. */
int profile_load_path(const char *path, const char *name, const struct profile_env *env,
		      struct jail_profile **ret, struct profile_error *reterr);

/* Finds NAME.ini in ENV's search dirs (first hit wins) and loads it.
 * -ENOENT when no folder has it; -EINVAL for a bad NAME (reterr says so). */
int profile_find_and_load(const struct profile_env *env, const char *name,
			  struct jail_profile **ret, struct profile_error *reterr);

/* The path of NAME.ini in the first search dir holding it; -ENOENT. */
int profile_find(const struct profile_env *env, const char *name, char **ret_path);

struct jail_profile *profile_free(struct jail_profile *p);
static inline void
profile_freep(struct jail_profile **p)
{
	*p = profile_free(*p);
}

/* The canonical INI text of P: every key, in a fixed order, lists
 * comma-separated, paths absolute. Parsing it gives back an equal profile;
 * the state directory's profile.ini and the golden test files are this. */
int profile_dump(const struct jail_profile *p, char **ret);

/* The rights in force: start from RIGHTS_SECURE when secure, else from
 * RIGHTS_DEFAULT; add allow; remove deny. */
unsigned profile_rights(const struct jail_profile *p);

/* The network in force: the `network` key when given; otherwise NONE when
 * the network right is not in force, VPN when `vpn` is set, else PASTA. */
enum jail_network profile_network(const struct jail_profile *p);

/* The name for a jail of EXE (DESIGN.md §6): the file name when EXE's folder
 * is /bin, /usr/bin, /usr/local/bin or an sbin twin; otherwise built from
 * the whole path (relative paths are made absolute with CWD). The result
 * always passes jail_name_valid(); -EINVAL when nothing usable is left. */
int profile_name_from_exe(const char *exe, const char *cwd, char **ret);

/* What to run, worked out at start time from the exec as written. */
struct exe_resolution {
	char *resolved;	  /* canonical host path, symlinks resolved */
	char *jail_path;  /* what to execve() inside the jail */
	char *bind_src;	  /* the exe's host folder to bind read-only, or NULL */
	char *bind_dst;	  /* where it appears in the jail ($HOME/shared/…), or NULL */
};
void exe_resolution_done(struct exe_resolution *r);

/* Resolves EXEC (absolute, relative to CWD, or searched in ENV->path when
 * it has no '/'): -ENOENT not found, -ELOOP a symlink loop, -EACCES not an
 * executable regular file. An exe inside ENV->home is rewritten: its folder
 * $HOME/X is bound read-only at $HOME/shared/X and jail_path points there. */
int profile_resolve_exe(const char *exec, const char *cwd, const struct profile_env *env,
			struct exe_resolution *ret);

/* Writes a new profile NAME for EXEC to the user's profile folder
 * ($XDG_CONFIG_HOME/jailsup/profiles, created 0700 when missing), recording
 * secure and autodelete. O_EXCL: -EEXIST when one is there already, which a
 * racing first start treats as success. Sets *ret_path when non-NULL. */
int profile_create(const struct profile_env *env, const char *name, const char *exec,
		   bool secure, bool autodelete, char **ret_path);

/* Expands a leading "~" or "~/", and $HOME, $XDG_CONFIG_HOME,
 * $XDG_DATA_HOME, $XDG_RUNTIME_DIR (also as ${…}) at the start of IN,
 * then normalises ("//", "/./", and refuses "..": -EINVAL). The result is
 * absolute or -EINVAL. */
int profile_expand_path(const char *in, const struct profile_env *env, char **ret);

/* 0 when PATH may be shared into a jail; -EPERM when it is, contains or
 * lies inside jailsup's own config, data or runtime folders or
 * ~/.config/autostart (a jail must never edit its own policy), or is the
 * whole home or "/". */
int profile_share_allowed(const char *path, const struct profile_env *env);

#endif
