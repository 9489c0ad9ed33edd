/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gpu right's sysfs. Mesa's loader and libdrm find a GPU's driver and
 * ids through sysfs (drmGetDevices2(): /sys/dev/char/226:N/device, resolved
 * with realpath(), then its vendor, device, subsystem_vendor,
 * subsystem_device and revision files, the uevent's PCI_SLOT_NAME, the
 * subsystem link's name, the device's drm/ folder listed to pair card and
 * render nodes; Vulkan's device-select layer reads
 * /sys/bus/pci/devices/SLOT/boot_vga). Binding /sys/devices for them showed
 * the jail every network card's MAC address, the disks' serial numbers and
 * the monitors' EDID: host identifiers that follow the user across jails.
 * So the jail gets a copy of exactly those files of the DRM devices, laid
 * out at the host's paths in a /sys of its own, and nothing else; copies,
 * not binds, because a dozen small files cost less to copy than to mount
 * and their values do not change while a device exists.
 *
 * Everything is reached through dir fds: HOST_SYS_FD is the host's /sys
 * (sysfs, written by the kernel alone), JAIL_ROOT_FD the jail's root while
 * it is built (a tmpfs nothing else writes yet).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>

#include "ini-profiles/profile.h"
#include "jailer/gpu-sysfs.h"
#include "state/util.h"

/* A sysfs attribute holds at most a page. */
#define ATTR_MAX 4096

/* The files of a DRM node's folder, and of its device's, that are copied. */
static const char *const node_files[] = {"dev", "uevent"};
static const char *const node_links[] = {"device", "subsystem"};
static const char *const device_files[] = {"vendor",           "device",   "subsystem_vendor",
                                           "subsystem_device", "revision", "class",
                                           "config",           "uevent",   "boot_vga"};
static const char *const device_links[] = {"subsystem", "driver"};

/* Resolves LINK, a symlink's target found in the folder DIR (both relative
 * to /sys), into *RET (malloc'd): a path relative to /sys. -EINVAL when it
 * leads out of /sys. */
static int
resolve_link(const char *dir, const char *link, char **ret)
{
	_cleanup_free_ char *cwd = path_join("/sys", dir), *path = NULL;
	int r;

	if (cwd == NULL)
		return -ENOMEM;
	r = profile_path_make_absolute(link, cwd, &path);
	if (r < 0)
		return r;
	if (!strstartswith(path, "/sys/"))
		return -EINVAL;
	*ret = strdup(path + strlen("/sys/"));
	return *ret != NULL ? 0 : -ENOMEM;
}

/* mkdir -p of PATH (relative) below ROOT_FD, never following a symlink;
 * returns an fd of it. */
static int
mkdir_below(int root_fd, const char *path, int *ret_fd)
{
	_cleanup_free_ char *copy = strdup(path);
	_cleanup_close_ int fd = -1;
	char *save = NULL;

	if (copy == NULL)
		return -ENOMEM;
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		int nfd;

		if (streq(c, ".") || streq(c, ".."))
			return -EINVAL;
		if (mkdirat(fd >= 0 ? fd : root_fd, c, 0755) < 0 && errno != EEXIST)
			return -errno;
		nfd = openat(fd >= 0 ? fd : root_fd, c,
		             O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0)
			return -errno;
		safe_close(fd);
		fd = nfd;
	}
	if (fd < 0)
		return -EINVAL;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* Copies the file NAME of the host's folder HOST_DIR_FD into DIR_FD, read
 * only; a file the host lacks is skipped, one copied before is kept. */
static int
copy_file(int host_dir_fd, int dir_fd, const char *name)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[ATTR_MAX];
	ssize_t n;

	/* O_NONBLOCK: nothing here may hang the start. */
	in = openat(host_dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return errno == ENOENT || errno == EACCES || errno == ELOOP ? 0 : -errno;
	n = read(in, buf, sizeof(buf));
	if (n < 0)
		return errno == EIO || errno == ENODEV ? 0 : -errno; /* no value now */
	out = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (out < 0)
		return errno == EEXIST ? 0 : -errno;
	return write_all(out, buf, (size_t) n);
}

/* Reads the link NAME of HOST_DIR_FD into TARGET; 0 when it is none. */
static int
read_link(int host_dir_fd, const char *name, char *target, size_t size)
{
	ssize_t n = readlinkat(host_dir_fd, name, target, size - 1);

	if (n < 0)
		return errno == ENOENT || errno == EINVAL ? 0 : -errno;
	if ((size_t) n >= size - 1)
		return -ENAMETOOLONG;
	target[n] = '\0';
	return 1;
}

/* Makes the link NAME → TARGET in DIR_FD, unless it is there already. */
static int
make_link(int dir_fd, const char *name, const char *target)
{
	if (symlinkat(target, dir_fd, name) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Copies FILES and LINKS of the host's folder PATH (relative to /sys,
 * below devices/) into the jail's sys/PATH; *RET_HOST is an fd of the
 * host's folder. */
static int
copy_folder(int host_sys_fd, int jail_sys_fd, const char *path, const char *const *files,
            size_t n_files, const char *const *links, size_t n_links, int *ret_host)
{
	_cleanup_close_ int host = -1, dir = -1;
	char target[PATH_MAX];
	int r;

	if (!strstartswith(path, "devices/"))
		return -EINVAL;
	host = openat(host_sys_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host < 0)
		return -errno;
	r = mkdir_below(jail_sys_fd, path, &dir);
	for (size_t i = 0; r >= 0 && i < n_files; i++)
		r = copy_file(host, dir, files[i]);
	for (size_t i = 0; r >= 0 && i < n_links; i++) {
		r = read_link(host, links[i], target, sizeof(target));
		if (r > 0)
			r = make_link(dir, links[i], target);
	}
	if (r < 0)
		return r;
	*ret_host = TAKE_FD(host);
	return 0;
}

/* A link in the jail's sys/DIR named NAME to PATH (relative to /sys), as
 * a relative link: DIR is DEPTH folders below sys/. */
static int
link_to(int jail_sys_fd, const char *dir, unsigned depth, const char *name, const char *path)
{
	_cleanup_close_ int fd = -1;
	char target[PATH_MAX];
	size_t len = 0;
	int r;

	for (unsigned i = 0; i < depth; i++) {
		if (len + 3 >= sizeof(target))
			return -ENAMETOOLONG;
		memcpy(target + len, "../", 3);
		len += 3;
	}
	if (len + strlen(path) + 1 > sizeof(target))
		return -ENAMETOOLONG;
	strcpy(target + len, path);
	r = mkdir_below(jail_sys_fd, dir, &fd);
	return r < 0 ? r : make_link(fd, name, target);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* The device folder DEVICE of a DRM node, and what points at it. */
static int
copy_device(int host_sys_fd, int jail_sys_fd, const char *device)
{
	_cleanup_close_ int host = -1;
	char subsystem[PATH_MAX];
	int r;

	r = copy_folder(host_sys_fd, jail_sys_fd, device, device_files, ELEMENTSOF(device_files),
	                device_links, ELEMENTSOF(device_links), &host);
	if (r < 0)
		return r;
	r = read_link(host, "subsystem", subsystem, sizeof(subsystem));
	if (r > 0 && streq(base_name(subsystem), "pci"))
		r = link_to(jail_sys_fd, "bus/pci/devices", 3, base_name(device), device);
	return r < 0 ? r : 0;
}

/* The DRM node whose link in /sys/dev/char is NAME → LINK. */
static int
copy_node(int host_sys_fd, int jail_sys_fd, const char *name, const char *link)
{
	_cleanup_close_ int host = -1, char_dir = -1;
	_cleanup_free_ char *node = NULL, *device = NULL;
	char device_link[PATH_MAX];
	int r;

	r = resolve_link("dev/char", link, &node);
	if (r < 0)
		return r;
	r = copy_folder(host_sys_fd, jail_sys_fd, node, node_files, ELEMENTSOF(node_files),
	                node_links, ELEMENTSOF(node_links), &host);
	if (r >= 0)
		r = mkdir_below(jail_sys_fd, "dev/char", &char_dir);
	if (r >= 0)
		r = make_link(char_dir, name, link);
	if (r >= 0)
		r = link_to(jail_sys_fd, "class/drm", 2, base_name(node), node);
	if (r >= 0)
		r = read_link(host, "device", device_link, sizeof(device_link));
	if (r <= 0)
		return r; /* a node without a device: nothing more to read */
	r = resolve_link(node, device_link, &device);
	if (r >= 0)
		r = copy_device(host_sys_fd, jail_sys_fd, device);
	/* libdrm reads the ids of a virtio GPU from the PCI device above it. */
	if (r >= 0 && strstartswith(base_name(device), "virtio") && strchr(device, '/') != NULL) {
		*strrchr(device, '/') = '\0';
		r = copy_device(host_sys_fd, jail_sys_fd, device);
	}
	return r;
}

int
gpu_sysfs_mirror(int host_sys_fd, int jail_root_fd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_close_ int jail_sys = -1;
	char prefix[16], link[PATH_MAX];
	struct dirent *e;
	int fd, n = 0, r;

	fd = openat(host_sys_fd, "dev/char", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		r = -errno;
		safe_close(fd);
		return r;
	}
	snprintf(prefix, sizeof(prefix), "%d:", DRM_MAJOR);
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (!strstartswith(e->d_name, prefix))
			continue;
		r = read_link(dirfd(d), e->d_name, link, sizeof(link));
		if (r <= 0)
			return r < 0 ? r : -EINVAL;
		if (jail_sys < 0) {
			r = mkdir_below(jail_root_fd, "sys", &jail_sys);
			if (r < 0)
				return r;
		}
		r = copy_node(host_sys_fd, jail_sys, e->d_name, link);
		if (r < 0)
			return r;
		n++;
	}
	return errno != 0 ? -errno : n;
}
