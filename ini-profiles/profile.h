/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Jail profiles (docs/profiles.md): the INI schema, its parser (inih), the
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

/* [rights] clipboard: what the bridge between the user's display and the
 * jail's own X server carries (docs/profiles.md "[rights]"). */
enum profile_clipboard {
	CLIPBOARD_OFF,     /* no bridge: the jail's X server keeps its own */
	CLIPBOARD_TO_JAIL, /* what the user copies on the host can be pasted in the jail */
	CLIPBOARD_BOTH,    /* and what is copied in the jail can be pasted on the host */
	_CLIPBOARD_MAX,
	_CLIPBOARD_INVALID = -EINVAL,
};
const char *profile_clipboard_to_string(enum profile_clipboard c);
enum profile_clipboard profile_clipboard_from_string(const char *s);

/* Rights a profile grants (docs/profiles.md "[rights]"). */
enum {
	RIGHT_AUDIO = 1u << 0,         /* PulseAudio, PipeWire sockets, /dev/snd */
	RIGHT_X11 = 1u << 1,           /* the $DISPLAY socket and its Xauthority */
	RIGHT_WAYLAND = 1u << 2,       /* the $WAYLAND_DISPLAY socket */
	RIGHT_GPU = 1u << 3,           /* /dev/dri */
	RIGHT_CAMERA = 1u << 4,        /* /dev/video* */
	RIGHT_NETWORK = 1u << 5,       /* any network beyond loopback */
	RIGHT_KDE_SESSION = 1u << 6,   /* ICE socket, SESSION_MANAGER, session files */
	RIGHT_DBUS = 1u << 7,          /* the (filtered) session bus */
	RIGHT_DBUS_SYSTEM = 1u << 8,   /* the (filtered) system bus */
	RIGHT_NOTIFICATIONS = 1u << 9, /* Notify & co. on org.freedesktop.Notifications */
	RIGHT_IO_URING = 1u << 10,     /* io_uring_setup/enter/register (seccomp) */
	RIGHT_USERNS = 1u << 11,       /* nested user, PID, network, IPC namespaces (seccomp) */
	RIGHT_PORTALS = 1u << 12,      /* the desktop portals, as a sandboxed app */
	RIGHT_OPEN_URI = 1u << 13,     /* the OpenURI portal: links open on the host */
	_RIGHT_COUNT = 14,
	RIGHTS_ALL = (1u << 14) - 1,
	/* Convenient, not secure: what a jail gets when its profile is silent.
	 * The session bus is in because it is filtered: the jail
	 * talks to an xdg-dbus-proxy that shows it only what [dbus] and the
	 * notifications and portals rights allow, never the real bus. */
	RIGHTS_DEFAULT = RIGHT_AUDIO | RIGHT_X11 | RIGHT_WAYLAND | RIGHT_GPU | RIGHT_NETWORK |
	                 RIGHT_DBUS | RIGHT_NOTIFICATIONS | RIGHT_PORTALS | RIGHT_OPEN_URI,
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
enum profile_limit profile_limit_from_string(const char *s);
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
	/* [dbus] only: names the app owns for itself, on a bus private to its
	 * jail (docs/jail.md "A private session bus"); never given to the
	 * proxy, so never owned on the user's bus. */
	char **own_private;
};

struct jail_profile {
	char *name;	    /* the jail's name (from the file name or --profile) */
	char *source;	    /* the file it was loaded from, for messages; may be NULL */
	char *exec;	    /* as the user wrote it: a symlink stays a symlink */
	char *args;         /* [jail] args as written (profile_args_split() splits it), or NULL */
	char *init_script;  /* absolute (relative paths are from the profile's folder) */
	bool network_set;   /* `network =` was given */
	enum jail_network network;
	char *vpn;	    /* absolute; NAME.ovpn (OpenVPN) or NAME.conf (WireGuard) */
	bool autodelete;
	bool secure;
	unsigned allow;	    /* [rights] allow, as written */
	unsigned deny;	    /* [rights] deny, as written */
	/* [rights] x11 = host: the user's display itself, not the jail's own
	 * X server (the jail sees and can type into every window). */
	bool x11_host;
	bool clipboard_set; /* `clipboard =` was given */
	enum profile_clipboard clipboard;
	struct profile_dbus dbus;
	struct profile_dbus dbus_system;
	struct profile_share *shares;
	size_t n_shares;
	struct profile_limit_value limits[_LIMIT_MAX];
	uint16_t *forward; /* [network] forward ports */
	size_t n_forward;
};

/* Sizes of the text form. inih (Debian's build) reads a line into 200
 * bytes; we hand it at most PROFILE_LINE_MAX characters plus '\n' and NUL,
 * and keep every value and list item short enough that profile_dump() can
 * always write it back on one line under that limit. */
#define PROFILE_LINE_MAX  198
#define PROFILE_VALUE_MAX 180
#define PROFILE_LIST_MAX  1024		/* items in one list key */
#define PROFILE_FILE_MAX  (256 * 1024) /* bytes in a profile file */

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

/* Fills ENV from getenv(), defaulting XDG_* as the spec says (unset, empty
 * or relative: ~/.config, ~/.local/share; XDG_RUNTIME_DIR has no default
 * and stays NULL), PATH defaulting to /usr/local/bin:/usr/bin:/bin, with
 * search dirs $XDG_CONFIG_HOME/jailsup/profiles, /etc/jailsup/profiles and
 * SHIPPED_DIR (may be NULL). Paths are normalised copies living in STORAGE
 * (free with profile_env_storage_done(), which tolerates being called
 * twice). -ENOENT when HOME is not set or not absolute. */
struct profile_env_storage {
	char *config_home, *data_home, *user_dir;
	const char *dirs[4];
	char *home, *runtime_dir, *path; /* copies: later setenv() cannot pull them away */
};
int profile_env_from_environ(struct profile_env *env, struct profile_env_storage *storage,
			     const char *shipped_dir);
void profile_env_storage_done(struct profile_env_storage *storage);

/* An error in a profile: the 1-based line (0: not tied to a line, e.g. the
 * file could not be read) and what is wrong. A file with several errors
 * has them all, in order of line: the first in line and msg, the next
 * ones (at most PROFILE_ERRORS_MAX in all) in more[], and the count of
 * those past that bound in n_dropped. Plain data: copied by assignment,
 * nothing to free. */
#define PROFILE_ERRORS_MAX 20
struct profile_error_item {
	unsigned line;
	char msg[256];
};
struct profile_error {
	unsigned line;
	char msg[256];
	unsigned n_more;    /* entries of more[] in use */
	unsigned n_dropped; /* errors past PROFILE_ERRORS_MAX, counted only */
	struct profile_error_item more[PROFILE_ERRORS_MAX - 1];
};

/* ERR as the lines a user reads, each "PATH:LINE: message" ("PATH:
 * message" for line 0), then "PATH: and N more errors" when some were
 * dropped. Returns 0 and sets *ret (a NULL-terminated, malloc'd string
 * list), or -ENOMEM. */
int profile_error_lines(const struct profile_error *err, const char *path, char ***ret);

/* Parses TEXT (NUL-terminated) as the profile NAME (which must pass
 * jail_name_valid()). SOURCE is the path used for relative init-script/vpn
 * paths (its folder) and is recorded; it may be NULL or relative, then
 * relative paths are an error. Pure: touches no file. Returns 0, or
 * -EINVAL with *reterr (may be NULL) filled with every error by line
 * (unknown section or key, bad value, duplicate scalar key, syntax error,
 * overlong line, contradiction; line 0 for a bad NAME), or -ENOMEM.
 * docs/profiles.md is the reference of the format. */
int profile_parse(const char *text, const char *name, const char *source,
		  const struct profile_env *env, struct jail_profile **ret,
		  struct profile_error *reterr);

/* Reads the file PATH (regular file, O_NOFOLLOW on the last component,
 * at most 256 KiB, no NUL byte) and parses it; the name is the file name
 * without ".ini" unless NAME is given. A relative PATH is made absolute
 * against the cwd for the recorded source. -ENOENT when missing, -ELOOP a
 * symlink, -EINVAL not a regular file (a FIFO fails without blocking), a
 * bad name or a bad profile, -EFBIG too large; *reterr says which. */
int profile_load_path(const char *path, const char *name, const struct profile_env *env,
		      struct jail_profile **ret, struct profile_error *reterr);

/* Finds NAME.ini in ENV's search dirs (first hit wins) and loads it.
 * -ENOENT when no folder has it; -EINVAL for a bad NAME (reterr says so);
 * the errors of profile_load_path() for what it found. */
int profile_find_and_load(const struct profile_env *env, const char *name,
			  struct jail_profile **ret, struct profile_error *reterr);

/* The path of NAME.ini in the first search dir holding it; -ENOENT.
 * Anything by that name is a hit, even a symlink or a folder: loading it
 * then fails, rather than silently falling back to the next folder's
 * policy. Relative search dirs are skipped. -EINVAL for a bad NAME. */
int profile_find(const struct profile_env *env, const char *name, char **ret_path);

struct jail_profile *profile_free(struct jail_profile *p);
/* True when A and B describe the same jail: every field but source. */
bool profile_equal(const struct jail_profile *a, const struct jail_profile *b);
static inline void
profile_freep(struct jail_profile **p)
{
	*p = profile_free(*p);
}

/* The canonical INI text of P: sections and keys in a fixed order, lists
 * comma-separated (wrapped into repeated keys below PROFILE_LINE_MAX),
 * paths absolute, keys at their default omitted except exec, autodelete
 * and secure. Parsing it gives back an equal profile (profile_equal());
 * the state directory's profile.ini and the golden test files are this.
 * -EINVAL when a value set by code could not be read back (a newline, a
 * relative path, an overlong value, ...); whether values make sense is
 * checked when the dump is parsed. */
int profile_dump(const struct jail_profile *p, char **ret);

/* Splits S, the value of the `args` key, into words as docs/profiles.md
 * says (blanks separate words; '…' and "…" quote; a backslash outside
 * '…' takes the next character as it is; nothing is expanded). Returns 0
 * and sets *ret (a NULL-terminated, malloc'd list; empty for a value of
 * blanks), -EINVAL for a quote never closed or a trailing backslash,
 * -E2BIG beyond PROFILE_LIST_MAX words (*reterr_reason, when non-NULL,
 * says which), -ENOMEM. */
int profile_args_split(const char *s, char ***ret, const char **reterr_reason);

/* The rights in force: start from RIGHTS_SECURE when secure, else from
 * RIGHTS_DEFAULT; add allow; remove deny. */
unsigned profile_rights(const struct jail_profile *p);

/* The clipboard bridge in force: the `clipboard` key when given;
 * otherwise OFF with `secure = true` (profiles for untrusted content),
 * else TO_JAIL. Only a jail with its own X server has a bridge. */
enum profile_clipboard profile_clipboard(const struct jail_profile *p);

/* The network in force: the `network` key when given; otherwise NONE when
 * the network right is not in force, VPN when `vpn` is set, else PASTA. */
enum jail_network profile_network(const struct jail_profile *p);

/* The name for a jail of EXE (docs/profiles.md "Names from programs"): the
 * file name when EXE's folder is /bin, /usr/bin, /usr/local/bin or an sbin
 * twin; a bare name (no '/') names itself; otherwise built from the whole
 * path, components joined with '-' (relative paths are made absolute with
 * CWD, textually: symlinks are not resolved). Characters outside
 * [A-Za-z0-9._-] become '_', leading non-alphanumerics go; beyond 64
 * characters the last 55 are kept plus '-' and 8 hex digits of a hash of
 * the path. The result always passes jail_name_valid(); -EINVAL when
 * nothing usable is left, or EXE is relative without an absolute CWD. */
int profile_name_from_exe(const char *exe, const char *cwd, char **ret);

/* What to run, worked out at start time from the exec as written. */
struct exe_resolution {
	char *resolved;	  /* canonical host path, symlinks resolved */
	char *jail_path;  /* what to execve() inside the jail */
	char *bind_src;	  /* the exe's host folder to bind read-only, or NULL */
	char *bind_dst;	  /* where it appears in the jail ($HOME/shared/…), or NULL */
	bool bind_file;	  /* bind_src is the exe itself, not its folder (see below) */
};
void exe_resolution_done(struct exe_resolution *r);

/* Resolves EXEC (absolute, relative to CWD, "~/…" or "$HOME/…" as
 * profile_expand_path() says, or searched in ENV->path when it has no '/';
 * empty and relative $PATH entries are skipped): -ENOENT not found, -ELOOP
 * a symlink loop, -EACCES not an executable regular file, -EINVAL a bad
 * EXEC or a relative one without an absolute CWD. An exe inside ENV->home
 * is rewritten: its folder $HOME/X is bound read-only at $HOME/shared/X and
 * jail_path points there; an exe directly in $HOME binds only that file
 * (bind_file) at $HOME/shared/FILE, never the whole home; -EPERM when the
 * folder is one profile_share_allowed() refuses. jail_path is the resolved
 * file: keep argv[0] as the user wrote it (multi-call binaries need it).
 * This is a snapshot: the exe can vanish or change before the jail execs
 * it, so the exec must still handle ENOENT/EACCES (exit 127/126). */
int profile_resolve_exe(const char *exec, const char *cwd, const struct profile_env *env,
			struct exe_resolution *ret);
/* profile_resolve_exe(), and where the exe lies where some jail can write
 * (trust.h): its file is bound alone (bind_file), never its folder, and a
 * symlink there is -ELOOP, with *reterr_why (malloc'd, may stay NULL on
 * OOM) saying which and where, for the one line the user sees. */
int profile_resolve_exe_full(const char *exec, const char *cwd, const struct profile_env *env,
			     struct exe_resolution *ret, char **reterr_why);

/* Writes a new profile NAME for EXEC to the user's profile folder
 * ($XDG_CONFIG_HOME/jailsup/profiles, created 0700 when missing), recording
 * secure and autodelete. EXEC is written as given, so it must be absolute,
 * "~/…", or a bare name found in $PATH at each start: a relative path with
 * a '/' is -EINVAL (make it absolute with profile_path_make_absolute()
 * first); so is an EXEC that would not read back identically. The file
 * appears whole or not at all (written aside, then linked into place
 * without replacing anything): -EEXIST when one is there already, which a
 * racing first start treats as success. Sets *ret_path when non-NULL, on
 * success and also on -EEXIST (the existing file's path). */
int profile_create(const struct profile_env *env, const char *name, const char *exec,
		   bool secure, bool autodelete, char **ret_path);

/* Expands a leading "~" or "~/", and $HOME, $XDG_CONFIG_HOME,
 * $XDG_DATA_HOME, $XDG_RUNTIME_DIR (also as ${…}) at the start of IN,
 * then normalises ("//", "/./", and refuses "..": -EINVAL). The result is
 * absolute or -EINVAL. */
int profile_expand_path(const char *in, const struct profile_env *env, char **ret);

/* Makes PATH absolute against CWD (when it is relative) and normalises it
 * textually: "//" and "/./" collapse and ".." removes the previous
 * component. Symlinks are not resolved. -EINVAL for an empty PATH, or a
 * relative one with a NULL or relative CWD. */
int profile_path_make_absolute(const char *path, const char *cwd, char **ret);

/* 0 when PATH may be shared into a jail; -EPERM when it is, contains or
 * lies inside jailsup's own config, data or runtime folders or
 * ~/.config/autostart (a jail must never edit its own policy), or is the
 * whole home or "/". PATH must be absolute and normalised (-EINVAL). The
 * test is textual: whoever mounts PATH must check again on the resolved
 * path, as a symlink can point anywhere. */
int profile_share_allowed(const char *path, const struct profile_env *env);

/* profile_share_allowed(), and for a read-write share also: -EPERM when
 * PATH is, holds or lies inside a file or folder the user's session reads
 * or runs outside every jail (~/.bashrc, ~/.profile, ~/.ssh, ~/.local/bin,
 * ~/.config/systemd, ~/.local/share/applications, …; docs/profiles.md
 * lists them), with *reterr_what (may be NULL) that file, relative to its
 * base folder. Textual, like profile_share_allowed(). */
int profile_share_rw_allowed(const char *path, const struct profile_env *env,
			     const char **reterr_what);
/* The files and folders below $HOME that profile_share_rw_allowed()
 * protects (also below a moved $XDG_CONFIG_HOME and $XDG_DATA_HOME), for
 * `jailsup explain`: *RET_N of them. */
const char *const *profile_session_files(size_t *ret_n);

#endif
