/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Implementation of util.h: string vectors, strict number parsing, I/O
 * loops and unix sockets below a directory fd, which every part needs and
 * libc does not offer in a strict form.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>

#include "state/util.h"

char **
strv_free(char **v)
{
	if (v == NULL)
		return NULL;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
	return NULL;
}

char **
strv_free_erase(char **v)
{
	for (char **p = v; p != NULL && *p != NULL; p++)
		erase_secret(*p, strlen(*p));
	return strv_free(v);
}

size_t
strv_length(char *const *v)
{
	size_t n = 0;

	if (v == NULL)
		return 0;
	while (v[n] != NULL)
		n++;
	return n;
}

int
strv_push(char ***v, const char *s)
{
	size_t n = strv_length(*v);
	char *copy = strdup(s);
	char **nv;

	if (copy == NULL)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (nv == NULL) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

bool
strv_contains(char *const *v, const char *s)
{
	if (v == NULL)
		return false;
	for (; *v != NULL; v++)
		if (streq(*v, s))
			return true;
	return false;
}

int
parse_u64(const char *s, uint64_t *ret)
{
	uint64_t value = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	/* A leading zero is allowed only as the number zero itself, so "007"
	 * and "0x7" are both rejected rather than guessed at. */
	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	for (const char *p = s; *p != '\0'; p++) {
		unsigned digit;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		digit = (unsigned) (*p - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	*ret = value;
	return 0;
}

int
parse_pid(const char *s, pid_t *ret)
{
	uint64_t v;
	int r;

	r = parse_u64(s, &v);
	if (r < 0)
		return r;
	/* The kernel's PID_MAX_LIMIT is 2^22; 0 and 1 are never a jail's. */
	if (v < 1 || v > (1u << 22))
		return -ERANGE;
	*ret = (pid_t) v;
	return 0;
}

int
parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	uint64_t v;
	int r;

	r = parse_u64(s, &v);
	if (r < 0)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*ret = (unsigned) v;
	return 0;
}

void
reset_signals_for_exec(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		(void) signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Enough for execvpe()'s PATH walk and its argv copy for a script; the
 * page below it is a guard, so an overflow faults instead of writing into
 * a mapping of the parent's. */
#define SPAWN_STACK_SIZE (1024 * 1024)

pid_t
spawn_vfork(int (*fn)(void *), void *arg)
{
	size_t page = (size_t) sysconf(_SC_PAGESIZE);
	sigset_t all, old;
	char *stack;
	pid_t pid;
	int e;

	stack = mmap(NULL, SPAWN_STACK_SIZE + page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	if (mprotect(stack, page, PROT_NONE) < 0) {
		e = errno;
		(void) munmap(stack, SPAWN_STACK_SIZE + page);
		return -e;
	}
	sigfillset(&all);
	(void) sigprocmask(SIG_SETMASK, &all, &old);
	/* The stack grows down: its top is the end of the mapping. */
	pid = clone(fn, stack + SPAWN_STACK_SIZE + page, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
	e = errno;
	(void) sigprocmask(SIG_SETMASK, &old, NULL);
	(void) munmap(stack, SPAWN_STACK_SIZE + page);
	return pid < 0 ? -e : pid;
}

pid_t
fork_with_pipe(int fds[2])
{
	pid_t pid;
	int e;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		e = errno;
		fds[0] = safe_close(fds[0]);
		fds[1] = safe_close(fds[1]);
		return -e;
	}
	return pid;
}

int
fds_move_to(const int *fds, size_t n, int first)
{
	int high[FDS_MOVE_MAX];

	if (n > FDS_MOVE_MAX)
		return -EINVAL;
	/* First above every target: an fd may sit where another must go. */
	for (size_t i = 0; i < n; i++) {
		high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, first + (int) n);
		if (high[i] < 0)
			return -errno;
	}
	for (size_t i = 0; i < n; i++) {
		if (dup2(high[i], first + (int) i) < 0)
			return -errno;
		(void) close(high[i]);
	}
	return 0;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

int
read_all(int fd, size_t max, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, size = 0;
	int r;

	for (;;) {
		ssize_t n;

		if (size - len < 2) {
			size_t nsize = size == 0 ? 4096 : size * 2;
			char *nbuf;

			if (nsize > max + 2)
				nsize = max + 2;
			if (nsize <= size) {
				r = -EFBIG;
				goto fail;
			}
			/* Not realloc(): what we read may be a secret (a VPN
			 * file's key), and realloc() would free the old block
			 * unwiped. */
			nbuf = malloc(nsize);
			if (nbuf == NULL) {
				r = -ENOMEM;
				goto fail;
			}
			if (buf != NULL) {
				memcpy(nbuf, buf, len);
				explicit_bzero(buf, size);
				free(buf);
			}
			buf = nbuf;
			size = nsize;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t) n;
		if (len > max) {
			r = -EFBIG;
			goto fail;
		}
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len != NULL)
		*ret_len = len;
	return 0;

fail:
	if (buf != NULL) {
		explicit_bzero(buf, size);
		free(buf);
	}
	return r;
}

char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *r;

	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	if (asprintf(&r, "%.*s/%s", (int) la, a, b) < 0)
		return NULL;
	return r;
}

bool
path_is_below(const char *path, const char *dir)
{
	size_t ld = strlen(dir);

	while (ld > 1 && dir[ld - 1] == '/')
		ld--;
	if (ld == 1 && dir[0] == '/')
		return path[0] == '/';
	if (strncmp(path, dir, ld) != 0)
		return false;
	return path[ld] == '\0' || path[ld] == '/';
}

void
json_print_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The length of the valid UTF-8 sequence at S (at most LEN bytes) and its
 * code point, or 0 when it is not one: a stray continuation byte, a cut
 * sequence, an overlong form, a surrogate, or beyond U+10FFFF. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ret_cp = cp;
	return n;
}

/* The allow-list of text_escape_to(): what a terminal only draws. The
 * format characters left out would reorder or break the line on screen,
 * so a jail's text could appear in front of the mark that says whose it
 * is. */
static bool
code_point_shown(uint32_t cp, bool keep_newlines)
{
	if (cp == '\t')
		return true;
	if (cp == '\n')
		return keep_newlines;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return false;
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return false;
	return true;
}

size_t
text_escape_to(char *dst, const char *s, size_t len, bool keep_newlines)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *) s;
	size_t out = 0;

	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_decode(u + i, len - i, &cp);

		if (n > 0 && code_point_shown(cp, keep_newlines)) {
			memcpy(dst + out, u + i, n);
			out += n;
			i += n;
			continue;
		}
		/* Every byte of a refused sequence, or the one byte that
		 * starts no valid sequence: 4 bytes out per byte in. */
		for (size_t k = 0; k < (n > 0 ? n : 1); k++) {
			dst[out++] = '\\';
			dst[out++] = 'x';
			dst[out++] = hex[u[i + k] >> 4];
			dst[out++] = hex[u[i + k] & 0xf];
		}
		i += n > 0 ? n : 1;
	}
	return out;
}

char *
text_escape(const char *s, size_t len, bool keep_newlines)
{
	char *dst;
	size_t n;

	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	dst = malloc(TEXT_ESCAPE_MAX(len) + 1);
	if (dst == NULL)
		return NULL;
	n = text_escape_to(dst, s, len, keep_newlines);
	dst[n] = '\0';
	return dst;
}

int
text_write_escaped(int fd, const char *s)
{
	_cleanup_free_ char *e = text_escape(s, strlen(s), true);

	if (e == NULL)
		return -ENOMEM;
	return write_all(fd, e, strlen(e));
}

int
mkdir_parents(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = strdup(path);

	if (copy == NULL)
		return -ENOMEM;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U /* Linux 6.3; older kernels refuse it, then we go without */
#endif

/* No more changes to FD, and its offset back at the start. */
static int
memfd_seal(int fd)
{
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return 0;
}

int
memfd_sealed(const char *name, const char *text, size_t len)
{
	_cleanup_close_ int fd = -1;
	int r;

	/* Read, never executed: without a word on exec, kernels since 6.3
	 * complain in their log. */
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, len);
	if (r < 0)
		return r;
	r = memfd_seal(fd);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; older kernels refuse it, then we go without */
#endif

int
memfd_sealed_program(const char *name, const char *path)
{
	_cleanup_close_ int in = -1, fd = -1;
	char buf[65536];
	struct stat st;
	ssize_t n;
	int r;

	in = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (in < 0)
		return -errno;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		r = write_all(fd, buf, (size_t) n);
		if (r < 0)
			return r;
	}
	r = memfd_seal(fd);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

/* "unix:path=PATH" with PATH escaped as a D-Bus address value: every byte
 * but [-0-9A-Za-z_/.*] as %XX. What comes out has no XML metacharacter
 * either, so it goes into the bus's config as it is. NULL without memory. */
char *
dbus_unix_address(const char *path)
{
	static const char hex[] = "0123456789abcdef";
	static const char prefix[] = "unix:path=";
	char *a = malloc(sizeof(prefix) + 3 * strlen(path)), *o;

	if (a == NULL)
		return NULL;
	o = stpcpy(a, prefix);
	for (const unsigned char *s = (const unsigned char *) path; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_/.*", *s) != NULL)
			*o++ = (char) *s;
		else {
			*o++ = '%';
			*o++ = hex[*s >> 4];
			*o++ = hex[*s & 15];
		}
	}
	*o = '\0';
	return a;
}

int
unix_sockaddr(const char *path, bool abstract, struct sockaddr_un *ret, socklen_t *ret_len)
{
	size_t n = strlen(path), off = abstract ? 1 : 0;

	if (n + off >= sizeof(ret->sun_path))
		return -ENAMETOOLONG;
	*ret = (struct sockaddr_un){.sun_family = AF_UNIX};
	memcpy(ret->sun_path + off, path, n);
	*ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + off + n + !abstract);
	return 0;
}

/* A socket of TYPE (close-on-exec, and FLAGS) and in *RET the address of
 * NAME below DIR_FD; -ENAMETOOLONG rather than a cut path, which would
 * name another socket. */
static int
unix_socket_at(int dir_fd, const char *name, int type, int flags, struct sockaddr_un *ret)
{
	int n, fd;

	*ret = (struct sockaddr_un){.sun_family = AF_UNIX};
	n = snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/%s", dir_fd, name);
	if (n < 0 || (size_t) n >= sizeof(ret->sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | flags, 0);
	return fd < 0 ? -errno : fd;
}

int
unix_connect_at(int dir_fd, const char *name, int type, int flags)
{
	struct sockaddr_un sa;
	_cleanup_close_ int fd = unix_socket_at(dir_fd, name, type, flags, &sa);

	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int
unix_listen_at(int dir_fd, const char *name, int type, int flags, int backlog)
{
	struct sockaddr_un sa;
	_cleanup_close_ int fd = unix_socket_at(dir_fd, name, type, flags, &sa);
	mode_t old_umask;
	int r;

	if (fd < 0)
		return fd;
	/* bind() creates the file with the umask applied, and no fchmod()
	 * reaches it before someone could connect. */
	old_umask = umask(0077);
	r = NEG_ERRNO(bind(fd, (struct sockaddr *) &sa, sizeof(sa)));
	umask(old_umask);
	if (r < 0)
		return r;
	if (listen(fd, backlog) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int
unix_accept_own(int listen_fd, uid_t *reterr_uid)
{
	_cleanup_close_ int fd = -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.uid != getuid()) {
		if (reterr_uid != NULL)
			*reterr_uid = cred.uid;
		return -EPERM;
	}
	return TAKE_FD(fd);
}

static int
write_proc_self(const char *path, const char *text, const char **reterr_path)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r;

	r = fd < 0 ? -errno : write_all(fd, text, strlen(text));
	if (r < 0)
		*reterr_path = path;
	return r;
}

int
userns_map_self(uid_t uid, gid_t gid, const char **reterr_path)
{
	char map[64];
	int r;

	r = write_proc_self("/proc/self/setgroups", "deny", reterr_path);
	if (r < 0)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) uid, (unsigned) uid);
	r = write_proc_self("/proc/self/uid_map", map, reterr_path);
	if (r < 0)
		return r;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned) gid, (unsigned) gid);
	return write_proc_self("/proc/self/gid_map", map, reterr_path);
}
