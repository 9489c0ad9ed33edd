/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rights → what the jail sees. A granted right binds its socket or device
 * into the view (spec.c found them on the host); a denied right adds
 * nothing, so its socket, device and variable are simply absent. The X11
 * right also writes an Xauthority file holding only the cookies of the
 * granted display, never the user's whole file.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <glob.h>
#include <linux/openat2.h>

#include "ini-profiles/dbus-proxy.h"
#include "jailer/gpu-sysfs.h"
#include "jailer/jailer.h"
#include "state/log.h"
#include "state/state.h"

static void
bind_socket(const struct jail_socket *s)
{
	if (s->host != NULL)
		(void) bind_into_jail(s->host, s->jail, BIND_OPTIONAL);
}

/* What Mesa and libdrm read of the GPUs in sysfs, copied into a /sys of the
 * jail's own (gpu-sysfs.c): never the host's /sys/devices, where every
 * network card's MAC address and every disk's serial are. */
static void
mirror_gpu_sysfs(void)
{
	_cleanup_close_ int host_sys = -1, root = -1;
	int r;

	host_sys = open(OLDROOT "/sys", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	root = open(NEWROOT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (host_sys < 0 || root < 0) {
		log_debug("no /sys on the host: the GPUs' ids stay out of the jail");
		return;
	}
	r = gpu_sysfs_mirror(host_sys, root);
	if (r < 0)
		log_warn_errno(r, "unable to copy the GPUs' ids from /sys, ignoring");
	else
		log_debug("copied the sysfs ids of %d DRM nodes", r);
}

static void
bind_devices(const char *pattern)
{
	glob_t g = {};

	/* Matched on the host's /dev, seen at /oldroot/dev. */
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *dev = g.gl_pathv[i] + strlen(OLDROOT);

			(void) bind_into_jail(dev, dev, BIND_DEV | BIND_OPTIONAL);
		}
	}
	globfree(&g);
}

/* Reads one big-endian counted field of an Xauthority entry. */
static int
xauth_field(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **ret, uint16_t *ret_len)
{
	uint16_t n;

	if (*pos + 2 > len)
		return -EBADMSG;
	n = (uint16_t) (buf[*pos] << 8 | buf[*pos + 1]);
	if (*pos + 2 + n > len)
		return -EBADMSG;
	*ret = buf + *pos + 2;
	*ret_len = n;
	*pos += 2 + (size_t) n;
	return 0;
}

/* Xauthority families (X11/Xauth.h). */
#define XAUTH_FAMILY_LOCAL 256	  /* address: the hostname */
#define XAUTH_FAMILY_WILD  65535 /* any address */

/* Appends one counted field (u16 big-endian length, bytes) to OUT. */
static size_t
xauth_put(char *out, const void *field, uint16_t len)
{
	out[0] = (char) (len >> 8);
	out[1] = (char) (len & 0xff);
	memcpy(out + 2, field, len);
	return 2 + (size_t) len;
}

/* Copies the entries of the host's Xauthority for the local display
 * DISPLAY into the jail's runtime dir. The file format: entries of
 * family (u16), then address, number, name, data as (u16 length, bytes).
 * A local entry names the host's hostname, which the jail does not have
 * (it gets its own name): the copies are made FamilyWild, which libXau
 * matches whatever the hostname, as flatpak does, and carry the display
 * number the jail knows the display by. Entries of other hosts and of TCP
 * displays stay out. */
static void
write_xauthority(const struct jail_spec *spec)
{
	_cleanup_free_ char *host = path_join(OLDROOT, spec->xauthority);
	_cleanup_free_ char *dst = NULL, *out = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0, pos = 0, out_len = 0;
	char want[16], jail_number[16];
	int r;

	if (host == NULL || asprintf(&dst, "%s%s/.Xauthority", NEWROOT, spec->runtime_dir) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	fd = open(host, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		log_debug("no Xauthority at '%s', the display may not need one", spec->xauthority);
		return;
	}
	r = read_all(fd, 1024 * 1024, &buf, &len);
	if (r < 0) {
		log_warn_errno(r, "unable to read '%s', ignoring", spec->xauthority);
		return;
	}
	/* An entry is at least 10 bytes; its number grows by 4 at the most. */
	out = malloc(2 * len + 16);
	if (out == NULL)
		die(EXIT_TEMPORARY, "out of memory");
	snprintf(want, sizeof(want), "%u", spec->x11_display);
	snprintf(jail_number, sizeof(jail_number), "%u", spec->x11_jail_display);
	while (pos < len) {
		const uint8_t *field[4] = { NULL };
		uint16_t flen[4] = { 0 }, family;
		bool local, whole = true;

		if (pos + 2 > len)
			break;
		family = (uint16_t) ((uint8_t) buf[pos] << 8 | (uint8_t) buf[pos + 1]);
		pos += 2;
		for (int i = 0; i < 4 && whole; i++)
			whole = xauth_field((const uint8_t *) buf, len, &pos, &field[i],
					    &flen[i]) >= 0;
		if (!whole) {
			log_warn("'%s' is truncated, keeping what came before", spec->xauthority);
			break;
		}
		/* field 0: the address, 1: the display number. */
		local = family == XAUTH_FAMILY_WILD ||
			(family == XAUTH_FAMILY_LOCAL && flen[0] == strlen(spec->host_name) &&
			 memcmp(field[0], spec->host_name, flen[0]) == 0);
		if (local && flen[1] == strlen(want) && memcmp(field[1], want, flen[1]) == 0) {
			out[out_len++] = (char) 0xff; /* FamilyWild */
			out[out_len++] = (char) 0xff;
			out_len += xauth_put(out + out_len, field[0], flen[0]);
			out_len += xauth_put(out + out_len, jail_number,
					     (uint16_t) strlen(jail_number));
			out_len += xauth_put(out + out_len, field[2], flen[2]);
			out_len += xauth_put(out + out_len, field[3], flen[3]);
		}
	}
	erase_secret(buf, len);
	safe_close(fd);
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die_errno(EXIT_TEMPORARY, -errno, "unable to create the jail's Xauthority");
	r = write_all(fd, out, out_len);
	erase_secret(out, out_len);
	if (r < 0)
		die_errno(EXIT_TEMPORARY, r, "unable to write the jail's Xauthority");
}

/* With the portals right (docs/jail.md "Portals"): the identity the
 * supervisor wrote for the portals at /.flatpak-info, read-only — GTK and
 * Qt then use the portals' file chooser, whose choices come back as paths
 * of the document portal — and the jail's own part of that portal, what
 * the user shared with it, at $XDG_RUNTIME_DIR/doc. Only the state dir's
 * regular file of ours, and only the app's folder of the document
 * portal's mount. */
static void
bind_portals(const struct jail_spec *spec)
{
	_cleanup_free_ char *info = NULL, *id = NULL, *doc = NULL, *runtime = NULL, *by_app = NULL,
	                    *jail_doc = NULL;
	_cleanup_close_ int fd = -1, doc_fd = -1, app_fd = -1;
	struct stat st, parent;

	/* By its path below the old root: a bind takes a file of this mount
	 * namespace, not one opened through the state dir's fd of the host's. */
	if (asprintf(&info, OLDROOT "%s/%s", spec->state_path, STATE_APP_INFO) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	fd = open(info, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid()) {
		log_debug(
		    "right 'portals' granted but no identity '%s' in the state dir, no portals",
		    STATE_APP_INFO);
		return;
	}
	bind_fd_into_jail(fd, "the jail's identity for the portals", DBUS_APP_INFO_PATH, BIND_RO);
	if (dbus_app_id(spec->name, &id) < 0 ||
	    asprintf(&doc, OLDROOT "%s/doc", spec->runtime_dir) < 0 ||
	    asprintf(&runtime, OLDROOT "%s", spec->runtime_dir) < 0 ||
	    asprintf(&by_app, "by-app/%s", id) < 0 ||
	    asprintf(&jail_doc, "%s/doc", spec->runtime_dir) < 0)
		die(EXIT_TEMPORARY, "out of memory");
	/* The document portal's file system: a mount of the user's own on the
	 * host's runtime dir (which only the user's host processes write; no
	 * jail can mount anything there). Its FUSE answers no statfs, so it is
	 * told by being a mount point. The app's folder is reached on it
	 * without a symlink and without leaving it; the portal makes the
	 * folder when it is first looked up. */
	doc_fd = open(doc, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (doc_fd < 0 || fstat(doc_fd, &st) < 0 || stat(runtime, &parent) < 0 ||
	    st.st_dev == parent.st_dev || st.st_uid != getuid()) {
		log_debug("no document portal at '%s/doc': no documents in the jail",
		          spec->runtime_dir);
		return;
	}
	app_fd = (int) syscall(SYS_openat2, doc_fd, by_app,
	                       &(struct open_how){.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                                          .resolve = RESOLVE_NO_SYMLINKS |
	                                                     RESOLVE_NO_MAGICLINKS |
	                                                     RESOLVE_NO_XDEV | RESOLVE_BENEATH},
	                       sizeof(struct open_how));
	if (app_fd < 0) {
		log_debug_errno(-errno, "the document portal has no folder for '%s'", id);
		return;
	}
	make_jail_dir(jail_doc, 0700);
	bind_fd_into_jail(app_fd, "the jail's documents", jail_doc, 0);
}

void
apply_rights(const struct jail_spec *spec)
{
	if (spec->x11.host != NULL) {
		make_jail_dir("/tmp/.X11-unix", 01777);
		bind_socket(&spec->x11);
		write_xauthority(spec);
	}
	bind_socket(&spec->wayland);
	if (spec->rights & RIGHT_AUDIO) {
		if (spec->pulse.host != NULL) {
			_cleanup_free_ char *dir = path_join(spec->runtime_dir, "pulse");

			if (dir == NULL)
				die(EXIT_TEMPORARY, "out of memory");
			make_jail_dir(dir, 0700);
		}
		bind_socket(&spec->pulse);
		bind_socket(&spec->pipewire);
		(void) bind_into_jail("/dev/snd", "/dev/snd", BIND_DEV | BIND_OPTIONAL);
	}
	if (spec->rights & RIGHT_GPU) {
		(void) bind_into_jail("/dev/dri", "/dev/dri", BIND_DEV | BIND_OPTIONAL);
		mirror_gpu_sysfs();
	}
	if (spec->rights & RIGHT_CAMERA)
		bind_devices(OLDROOT "/dev/video*");
	if (spec->ice.host != NULL) {
		make_jail_dir("/tmp/.ICE-unix", 01777);
		bind_socket(&spec->ice);
	}
	bind_socket(&spec->dbus);
	bind_socket(&spec->a11y);
	if (spec->dbus.host != NULL && (spec->rights & RIGHT_PORTALS))
		bind_portals(spec);
	if (spec->dbus_system.host != NULL) {
		make_jail_dir("/run/dbus", 0755);
		bind_socket(&spec->dbus_system);
	}
}
