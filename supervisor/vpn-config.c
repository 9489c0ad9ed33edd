/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "supervisor/vpn-config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "ini-profiles/trust.h"
#include "state/util.h"

/* What a failed check of one file says: the file, how the .ovpn names it
 * (empty for the .ovpn itself), and what is wrong with it. */
struct named {
	const char *path;
	const char *how;    /* "the file 'ca.crt' that ... names (line 4, 'ca')" */
	const char *helper; /* "openvpn": what reads it outside the jails */
};

static int say(char **ret_msg, int r, const char *fmt, ...) _printf_(3, 4);
static int
say(char **ret_msg, int r, const char *fmt, ...)
{
	va_list ap;

	free(*ret_msg);
	va_start(ap, fmt);
	if (vasprintf(ret_msg, fmt, ap) < 0)
		*ret_msg = NULL;
	va_end(ap);
	return r;
}

/* Opens the file WHAT names for reading, when no jail can write it or a
 * folder on its way, and it is a regular file of ours (or root's) that
 * nobody else can write: openvpn, outside the jail, reads it. The path is
 * resolved by the trust walk (a symlink is followed only outside every
 * place a jail can write) and then opened with no symlink followed at all,
 * so nothing planted since can redirect the open. */
static int
open_trusted(const struct trust_places *places, const struct named *what, int *ret_fd,
             char **ret_msg)
{
	_cleanup_free_ char *resolved = NULL, *where = NULL;
	struct open_how how = {.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	r = trust_resolve(places, what->path, &resolved, &where);
	if (r == -ELOOP && where != NULL)
		return say(ret_msg, -EPERM,
		           "%s is reached through a symlink in %s, which a jail can write (and "
		           "may have planted it): %s runs outside the jails; name the file "
		           "where no jail can write",
		           what->how, where, what->helper);
	if (r < 0)
		return say(ret_msg, r, "%s: %s", what->how, strerror(-r));
	if (r > 0)
		return say(ret_msg, -EPERM,
		           "%s lies in %s, which a jail can write: %s runs outside the jails, "
		           "so a jail could make it run code of its own or send the tunnel "
		           "elsewhere; move the file where no jail can write",
		           what->how, where, what->helper);
	fd = (int) syscall(SYS_openat2, AT_FDCWD, resolved, &how, sizeof(how));
	if (fd < 0)
		return say(ret_msg, -errno, "%s: %s", what->how, strerror(errno));
	if (fstat(fd, &st) < 0)
		return say(ret_msg, -errno, "%s: %s", what->how, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return say(ret_msg, -EINVAL, "%s is not a regular file", what->how);
	if ((st.st_uid != getuid() && st.st_uid != 0) || (st.st_mode & 0022))
		return say(ret_msg, -EPERM,
		           "%s must be a regular file of yours (or root's) that nobody else can "
		           "write (%s runs it outside the jail)",
		           what->how, what->helper);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

enum vpn_kind
vpn_kind_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	/* A suffix of the file's name, not of a folder's; and a name that
	 * is more than its suffix. */
	if (dot == NULL || dot == path || strchr(dot, '/') != NULL || dot[-1] == '/')
		return _VPN_KIND_INVALID;
	if (streq(dot, ".ovpn"))
		return VPN_OPENVPN;
	if (streq(dot, ".conf"))
		return VPN_WIREGUARD;
	return _VPN_KIND_INVALID;
}

void
vpn_config_done(struct vpn_config *c)
{
	for (size_t i = 0; i < c->clean.n_files; i++)
		c->fds[i] = safe_close(c->fds[i]);
	ovpn_config_done(&c->clean);
	wg_conf_done(&c->wg);
	c->text = mfree(c->text);
	c->path = mfree(c->path);
}

/* The rest of vpn_config_load() for a WireGuard .conf: TEXT (LEN bytes)
 * parsed into C->wg. The text holds the private key: it is wiped here. */
static int
load_wg(const char *path, char *text, size_t len, struct vpn_config *c, char **ret_msg)
{
	struct wg_error err = {};
	const char *hint = "";
	int r;

	/* OpenVPN's own name for its files is NAME.conf too: such a file is
	 * told how to name it, not only what WireGuard misses in it. */
	if (strcasestr(text, "[Interface]") == NULL)
		hint = " (a .conf is read as WireGuard's wg-quick format: name an OpenVPN "
		       "configuration NAME.ovpn)";
	r = wg_conf_parse(text, len, 0, &c->wg, &err);
	erase_secret(text, len);
	if (r == -EINVAL && err.line > 0)
		return say(ret_msg, r, "%s:%u: %s%s", path, err.line, err.msg, hint);
	if (r == -EINVAL)
		return say(ret_msg, r, "%s: %s%s", path, err.msg, hint);
	return r;
}

int
vpn_config_load(const struct profile_env *env, const char *path, struct vpn_config *ret,
                char **ret_msg)
{
	_cleanup_free_ char *how = NULL, *dir = NULL, *text = NULL;
	_cleanup_(trust_places_done) struct trust_places places = {};
	_cleanup_close_ int fd = -1;
	struct vpn_config c = {};
	struct ovpn_error err = {};
	enum vpn_kind kind;
	size_t len;
	char *slash;
	int r;

	kind = vpn_kind_from_path(path);
	if (kind < 0)
		return say(ret_msg, -EINVAL,
		           "the VPN configuration '%s' must be named NAME.ovpn (OpenVPN) or "
		           "NAME.conf (WireGuard, in wg-quick's format)",
		           path);
	if (asprintf(&how, "the VPN configuration '%s'", path) < 0)
		return -ENOMEM;
	/* One look at every place a jail can write, for all the files. */
	r = trust_places_load(env, &places);
	if (r < 0)
		return say(ret_msg, r, "unable to find the places jails can write: %s", strerror(-r));
	r = open_trusted(&places,
	                 &(struct named){.path = path,
	                                 .how = how,
	                                 .helper = kind == VPN_WIREGUARD ? "WireGuard" : "openvpn"},
	                 &fd, ret_msg);
	if (r < 0)
		return r;
	r = read_all(fd, VPN_CONFIG_SIZE_MAX, &text, &len);
	if (r == -EFBIG)
		return say(ret_msg, r, "%s is larger than %d bytes", how, VPN_CONFIG_SIZE_MAX);
	if (r < 0)
		return say(ret_msg, r, "%s: %s", how, strerror(-r));
	if (kind == VPN_WIREGUARD) {
		c.kind = VPN_WIREGUARD;
		r = load_wg(path, text, len, &c, ret_msg);
		if (r < 0)
			return r;
		/* The text held the private key and was wiped: what the
		 * tunnel needs is C.wg, parsed and checked in full. */
		c.path = strdup(path);
		if (c.path == NULL) {
			vpn_config_done(&c);
			return -ENOMEM;
		}
		*ret = c;
		return 0;
	}
	/* Relative files are relative to the .ovpn's folder, as openvpn's
	 * --cd would make them. */
	dir = strdup(path);
	if (dir == NULL)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	r = ovpn_clean(text, len, dir, &c.clean, &err);
	if (r == -EINVAL && err.line > 0)
		return say(ret_msg, r, "%s:%u: %s", path, err.line, err.msg);
	if (r == -EINVAL)
		return say(ret_msg, r, "%s: %s", path, err.msg);
	if (r < 0)
		return r;
	for (size_t i = 0; i < OVPN_FILES_MAX; i++)
		c.fds[i] = -1;
	for (size_t i = 0; i < c.clean.n_files; i++) {
		const struct ovpn_file *f = &c.clean.files[i];
		_cleanup_free_ char *file_how = NULL;

		if (asprintf(&file_how, "the file '%s' that %s names (line %u, '%s')", f->path, how,
		             f->line, f->directive) < 0)
			r = -ENOMEM;
		else
			r = open_trusted(
			    &places,
			    &(struct named){.path = f->path, .how = file_how, .helper = "openvpn"},
			    &c.fds[i], ret_msg);
		if (r < 0) {
			vpn_config_done(&c);
			return r;
		}
	}
	c.path = strdup(path);
	if (c.path == NULL) {
		vpn_config_done(&c);
		return -ENOMEM;
	}
	c.text = TAKE_PTR(text);
	*ret = c;
	return 0;
}
