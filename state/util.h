/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers every part of jailsup uses: cleanup attributes so a resource
 * is released on every path out of a function, TAKE_FD()/TAKE_PTR() to hand
 * ownership on, NEG_ERRNO() to turn libc's -1/errno into our -errno
 * convention, and strict number parsers (never atoi() or sscanf()).
 */
#ifndef JAILSUP_UTIL_H
#define JAILSUP_UTIL_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)	  __attribute__((cleanup(f)))
#define _cleanup_free_	  _cleanup_(freep)
#define _cleanup_close_	  _cleanup_(closep)
#define _cleanup_fclose_  _cleanup_(fclosep)
#define _cleanup_strv_	  _cleanup_(strv_freep)
#define _unused_	  __attribute__((unused))
#define _noreturn_	  __attribute__((noreturn))
#define _printf_(a, b)	  __attribute__((format(printf, a, b)))
#define _warn_unused_	  __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define container_of(ptr, type, member) ((type *) ((char *) (ptr) - offsetof(type, member)))

/* Hands a resource on: returns its value and leaves the empty value behind,
 * so the cleanup attribute of the old owner does nothing. */
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_fd_;                                                                              \
	})
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p_ = (p);                                                           \
		(p) = NULL;                                                                        \
		_p_;                                                                               \
	})

/* For calls that return -1 and set errno (libc, libcap): the result, or -errno. */
#define NEG_ERRNO(expr)                                                                            \
	({                                                                                         \
		long _r_ = (long) (expr);                                                          \
		_r_ < 0 ? -errno : (int) _r_;                                                      \
	})

static inline bool
streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool
strstartswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline void
freep(void *p)
{
	free(*(void **) p);
}

/* Closes FD when it is open, keeping errno: cleanup must not clobber the
 * errno the caller is about to report. Returns -1, the empty value. */
static inline int
safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		(void) close(fd);
		errno = saved;
	}
	return -1;
}

static inline void
closep(int *fd)
{
	safe_close(*fd);
}

static inline void
fclosep(FILE **f)
{
	if (*f != NULL)
		(void) fclose(*f);
}

static inline void
closedirp(DIR **d)
{
	if (*d != NULL)
		(void) closedir(*d);
}

/* Frees P and returns NULL, the empty value: p = mfree(p). */
static inline void *
mfree(void *p)
{
	free(p);
	return NULL;
}

/* A NULL-terminated array of owned strings. */
char **strv_free(char **v);
/* strv_free() of a vector that may hold a secret: every string is wiped
 * (erase_secret()) before it is freed. */
char **strv_free_erase(char **v);
size_t strv_length(char *const *v);
/* Appends a copy of S; 0 or -ENOMEM (V is unchanged on failure). */
int strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);

static inline void
strv_freep(char ***v)
{
	strv_free(*v);
}

static inline void
strv_free_erasep(char ***v)
{
	strv_free_erase(*v);
}

/* Whole-string, range-checked parsers: no sign, no space, no trailing byte,
 * decimal only. Return 0 and set *ret, or -EINVAL / -ERANGE. */
int parse_u64(const char *s, uint64_t *ret);
int parse_pid(const char *s, pid_t *ret);
int parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);

/* In a child between fork() and execve(): every signal back to SIG_DFL,
 * then nothing blocked. In that order: with the mask cleared first, a
 * signal could still run the parent's handler (libev's) in the child. */
void reset_signals_for_exec(void);

/* fork() for a child that only prepares an execve(): FN(ARG) runs in a
 * child that shares our memory (clone CLONE_VM | CLONE_VFORK, on a stack of
 * its own, as glibc's posix_spawn() does) and we sleep until it has called
 * execve() or _exit(). No page tables are copied: 0.18 ms less than fork()
 * and execve() on the bench machine, for a 1 MiB parent. Every
 * signal is blocked across the clone, so no handler of ours can run in the
 * child on our memory; FN must call reset_signals_for_exec() first, touch
 * no heap and no state of ours, and never return. Its fd table is its own.
 * Returns the child's PID, or -errno. */
pid_t spawn_vfork(int (*fn)(void *), void *arg);

/* pipe2(FDS, O_CLOEXEC), then fork(): the child's PID (0 in the child), or
 * -errno with neither end left open. */
pid_t fork_with_pipe(int fds[2]);

/* Moves FDS[0..N) to FIRST, FIRST+1, … (inheritable), whatever numbers
 * they have now, targets included; originals outside the targets stay
 * open. Writes no memory but its own stack, so a spawn_vfork() child may
 * call it. At most FDS_MOVE_MAX fds. 0 or -errno. */
#define FDS_MOVE_MAX 8
int fds_move_to(const int *fds, size_t n, int first);

/* Writes all of BUF, retrying on EINTR and short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* A memfd NAME holding the LEN bytes of TEXT that nobody can change:
 * sealed against writes, growth, shrinking and new seals, and never
 * executable; its offset at the start, close-on-exec. The fd or -errno. */
int memfd_sealed(const char *name, const char *text, size_t len);

/* A sealed memfd NAME, as memfd_sealed(), holding a copy of the program
 * at PATH, for a jail to execute by its fd: what runs is a copy nobody
 * can change, and no process of the jail holds an fd of the host's file
 * (through /proc/PID/exe it could reopen that for writing when the user
 * owns it, and other jails run it too). PATH must be a regular file.
 * The fd or -errno. */
int memfd_sealed_program(const char *name, const char *path);

/* "unix:path=PATH" with PATH escaped as a D-Bus address value: every byte
 * but [-0-9A-Za-z_/.*] as %XX (so nothing an XML text needs escaped
 * either). NULL when out of memory. */
char *dbus_unix_address(const char *path);

/* Reads from FD until EOF, at most MAX bytes; more than that is -EFBIG.
 * The result is NUL-terminated (the NUL is not counted in *ret_len). No
 * copy of what was read is left behind in freed memory: it may be a secret. */
int read_all(int fd, size_t max, char **ret, size_t *ret_len);

/* In a process that has just entered a new user namespace: maps UID and
 * GID to themselves, so what it creates stays the user's; setgroups is
 * denied first (an unprivileged gid_map needs it). Allocates nothing: a
 * child of a raw clone() may call it. 0, or -errno and the file that
 * failed in *RETERR_PATH. */
int userns_map_self(uid_t uid, gid_t gid, const char **reterr_path);

/* The address of the unix socket PATH, or with ABSTRACT of the abstract
 * name PATH (a NUL first, none at the end, as X11 and D-Bus use them), and
 * in *RET_LEN its length for bind() and connect(). -ENAMETOOLONG rather
 * than a cut name, which would be another socket's. */
int unix_sockaddr(const char *path, bool abstract, struct sockaddr_un *ret, socklen_t *ret_len);

/* Unix sockets named below a directory fd: the address is
 * /proc/self/fd/DIR_FD/NAME, because the directory's own path (a state
 * directory below $XDG_RUNTIME_DIR) may exceed sun_path's 108 bytes, the
 * fd's never does. Every socket is close-on-exec; FLAGS may add
 * SOCK_NONBLOCK.
 *
 * unix_connect_at(): a socket of TYPE connected to NAME. The fd, or -errno:
 * -ENAMETOOLONG (the address does not fit), connect()'s -ENOENT or
 * -ECONNREFUSED (nobody listens), and with SOCK_NONBLOCK -EAGAIN (the
 * listener's backlog is full: try again). */
int unix_connect_at(int dir_fd, const char *name, int type, int flags);
/* unix_listen_at(): a socket of TYPE bound at NAME, created under umask
 * 0077 (mode 0700: only our user can connect), listening with
 * BACKLOG. NAME must not exist (-EADDRINUSE): removing a stale socket is
 * for the caller, who knows why it is stale. The fd or -errno. */
int unix_listen_at(int dir_fd, const char *name, int type, int flags, int backlog);
/* Accepts a connection on LISTEN_FD, close-on-exec and non-blocking, when
 * its peer runs as our uid (SO_PEERCRED: the uid at connect(), which the
 * peer cannot forge). The fd; -EPERM when the peer is another user (its
 * connection is closed, its uid in *RETERR_UID); or accept4()'s -errno
 * (-EAGAIN: none waiting; -EMFILE, -ENFILE: out of fds, the connection
 * still waits). */
int unix_accept_own(int listen_fd, uid_t *reterr_uid);

/* Overwrites a secret in a way the compiler may not optimise out. */
static inline void
erase_secret(void *p, size_t len)
{
	if (p != NULL)
		explicit_bzero(p, len);
}

/* mkdir -p PATH (absolute): each missing component with MODE. 0 or -errno. */
int mkdir_parents(const char *path, mode_t mode);

/* Joins paths with exactly one '/' between them; NULL on OOM. */
char *path_join(const char *a, const char *b);

/* True when PATH equals DIR or lies below it (textually: both must be
 * absolute and normalised). */
bool path_is_below(const char *path, const char *dir);

/* Text that came from a jail, made safe to show on a terminal: copies LEN
 * bytes of S to DST, each byte that could drive the terminal or disguise
 * the line written as the four characters \xHH. Kept as they are: tab,
 * newline (with KEEP_NEWLINES), printable ASCII, and valid UTF-8 from
 * U+00A0 on; escaped: every other control (C0, DEL, C1, so ESC and CSI in
 * either form, and CR), the bidi and line-breaking format characters
 * (U+061C, U+200E, U+200F, U+2028..U+202E, U+2066..U+2069), and every byte
 * that is not part of valid UTF-8 (a cut or overlong sequence, a
 * surrogate). A backslash stays a backslash, so escaping twice changes
 * nothing. DST has room for TEXT_ESCAPE_MAX(LEN) bytes; returns the number
 * written (no NUL). */
#define TEXT_ESCAPE_MAX(len) ((len) * 4)
size_t text_escape_to(char *dst, const char *s, size_t len, bool keep_newlines);
/* text_escape_to() into a new NUL-terminated string; NULL on OOM. */
char *text_escape(const char *s, size_t len, bool keep_newlines);
/* Writes S (NUL-terminated) escaped as above, newlines kept, to FD.
 * 0 or -errno. */
int text_write_escaped(int fd, const char *s);

/* Writes S to stdout as a JSON string: quotes, with '"', '\\' and control
 * characters escaped (the JSON outputs of `list` and `check`). */
void json_print_string(const char *s);

#endif
