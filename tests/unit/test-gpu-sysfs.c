/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of jailer/gpu-sysfs.c: the gpu right's /sys, copied from a
 * host sysfs laid out here as the kernel lays it out (relative links from
 * dev/char and class/ into devices/, a GPU's connectors with their EDID,
 * a network card, DMI ids, a virtio GPU below its PCI device). What libdrm
 * resolves must resolve in the copy, to the same values; nothing that
 * identifies the machine may be copied; a link leading out of devices/
 * is refused. The integration test (12-rights.bats) runs a real Mesa
 * client in a gpu jail and reads for the host's identifiers there.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* clang-format off: cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>
/* clang-format on */

#include "jailer/gpu-sysfs.h"
#include "state/util.h"

struct fixture {
	char dir[64];
	int fd;
	int host, jail; /* dir/host (the host's /sys), dir/jail (the jail's root) */
};

#define FIXTURE_NAME "test-gpu-sysfs"
#include "tests/unit/tmpdir-fixture.h"

/* mkdir -p of PATH below DIR_FD. */
static void
make_dirs(int dir_fd, const char *path)
{
	_cleanup_free_ char *copy = strdup(path);

	assert_non_null(copy);
	for (char *slash = copy; (slash = strchr(slash + 1, '/')) != NULL;) {
		*slash = '\0';
		assert_true(mkdirat(dir_fd, copy, 0755) == 0 || errno == EEXIST);
		*slash = '/';
	}
	assert_true(mkdirat(dir_fd, copy, 0755) == 0 || errno == EEXIST);
}

static void
plant_file(int dir_fd, const char *path, const char *content)
{
	_cleanup_free_ char *dir = strdup(path);

	assert_non_null(dir);
	*strrchr(dir, '/') = '\0';
	make_dirs(dir_fd, dir);
	write_file_at(dir_fd, path, content);
}

static void
plant_link(int dir_fd, const char *path, const char *target)
{
	_cleanup_free_ char *dir = strdup(path);

	assert_non_null(dir);
	*strrchr(dir, '/') = '\0';
	make_dirs(dir_fd, dir);
	assert_int_equal(symlinkat(target, dir_fd, path), 0);
}

#define IGPU   "devices/pci0000:00/0000:00:02.0"
#define VIRTIO "devices/pci0000:00/0000:00:04.0"
#define NIC    "devices/pci0000:00/0000:00:03.0"

/* A laptop's integrated GPU (card0 with a connector, renderD128), a
 * virtio GPU (card1), a network card, DMI ids and a tty. */
static void
plant_host_sysfs(int sys)
{
	static const char config[64] = {(char) 0x86, (char) 0x80, 0x49, (char) 0x9a};

	plant_link(sys, "dev/char/226:0", "../../" IGPU "/drm/card0");
	plant_link(sys, "dev/char/226:128", "../../" IGPU "/drm/renderD128");
	plant_link(sys, "dev/char/226:1", "../../" VIRTIO "/virtio3/drm/card1");
	plant_link(sys, "dev/char/4:0", "../../devices/virtual/tty/tty0");
	plant_link(sys, "class/net/eth0", "../../" NIC "/net/eth0");
	plant_link(sys, "class/drm/card0", "../../" IGPU "/drm/card0");

	plant_file(sys, IGPU "/vendor", "0x8086\n");
	plant_file(sys, IGPU "/device", "0x9a49\n");
	plant_file(sys, IGPU "/subsystem_vendor", "0x17aa\n");
	plant_file(sys, IGPU "/subsystem_device", "0x22d8\n");
	plant_file(sys, IGPU "/revision", "0x01\n");
	plant_file(sys, IGPU "/class", "0x030000\n");
	plant_file(sys, IGPU "/boot_vga", "1\n");
	plant_file(sys, IGPU "/uevent", "DRIVER=i915\nPCI_SLOT_NAME=0000:00:02.0\n");
	write_bytes_at(sys, IGPU "/config", config, sizeof(config));
	/* What amdgpu adds to its PCI device: the GPU's own serial. */
	plant_file(sys, IGPU "/serial_number", "SERIAL-OF-THE-GPU\n");
	plant_file(sys, IGPU "/unique_id", "UNIQUE-ID-OF-THE-GPU\n");
	plant_file(sys, IGPU "/power/runtime_status", "active\n");
	plant_link(sys, IGPU "/subsystem", "../../../bus/pci");
	plant_link(sys, IGPU "/driver", "../../../bus/pci/drivers/i915");
	plant_file(sys, IGPU "/drm/card0/dev", "226:0\n");
	plant_file(sys, IGPU "/drm/card0/uevent", "MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\n");
	plant_link(sys, IGPU "/drm/card0/device", "../../../0000:00:02.0");
	plant_link(sys, IGPU "/drm/card0/subsystem", "../../../../../class/drm");
	plant_file(sys, IGPU "/drm/card0/card0-eDP-1/edid", "EDID-WITH-THE-MONITOR-SERIAL");
	plant_file(sys, IGPU "/drm/renderD128/dev", "226:128\n");
	plant_file(sys, IGPU "/drm/renderD128/uevent", "MAJOR=226\nMINOR=128\n");
	plant_link(sys, IGPU "/drm/renderD128/device", "../../../0000:00:02.0");

	plant_file(sys, VIRTIO "/vendor", "0x1af4\n");
	plant_file(sys, VIRTIO "/device", "0x1050\n");
	plant_link(sys, VIRTIO "/subsystem", "../../../bus/pci");
	plant_file(sys, VIRTIO "/virtio3/vendor", "0x554d4551\n");
	plant_file(sys, VIRTIO "/virtio3/uevent", "DRIVER=virtio_gpu\n");
	plant_link(sys, VIRTIO "/virtio3/subsystem", "../../../../bus/virtio");
	plant_file(sys, VIRTIO "/virtio3/drm/card1/dev", "226:1\n");
	plant_link(sys, VIRTIO "/virtio3/drm/card1/device", "../../../virtio3");

	plant_file(sys, NIC "/vendor", "0x8086\n");
	plant_file(sys, NIC "/net/eth0/address", "02:fc:00:00:00:01\n");
	plant_file(sys, "devices/virtual/dmi/id/product_serial", "DMI-SERIAL\n");
	plant_file(sys, "devices/virtual/tty/tty0/dev", "4:0\n");
}

static int
setup(void **state)
{
	struct fixture *f;

	if (fixture_setup(state) < 0)
		return -1;
	f = *state;
	if (mkdirat(f->fd, "host", 0755) < 0 || mkdirat(f->fd, "jail", 0755) < 0)
		return -1;
	f->host = openat(f->fd, "host", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->jail = openat(f->fd, "jail", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return f->host >= 0 && f->jail >= 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	safe_close(f->host);
	safe_close(f->jail);
	return fixture_teardown(state);
}

/* realpath() of PATH below the fixture's DIR, relative to WHERE again. */
static char *
resolve(const struct fixture *f, const char *where, const char *path)
{
	char full[PATH_MAX], *real;
	size_t prefix;

	snprintf(full, sizeof(full), "%s/%s/%s", f->dir, where, path);
	real = realpath(full, NULL);
	if (real == NULL)
		return NULL;
	prefix = strlen(f->dir) + 1 + strlen(where) + 1;
	assert_true(strlen(real) >= prefix);
	memmove(real, real + prefix, strlen(real + prefix) + 1);
	return real;
}

static bool
exists_at(int dir_fd, const char *path)
{
	struct stat st;

	return fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void
test_gpu_sysfs_mirror_resolves_like_the_host(void **state)
{
	static const char *const ids[] = {"vendor",           "device",   "subsystem_vendor",
	                                  "subsystem_device", "revision", "class",
	                                  "boot_vga",         "uevent"};
	struct fixture *f = *state;
	struct stat st;

	plant_host_sysfs(f->host);
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), 3);

	/* libdrm's way: realpath of /sys/dev/char/M:m/device, then its files. */
	for (const char *const *node = (const char *const[]){"226:0", "226:128", NULL};
	     *node != NULL; node++) {
		char path[128];
		_cleanup_free_ char *host = NULL, *jail = NULL;

		snprintf(path, sizeof(path), "sys/dev/char/%s/device", *node);
		jail = resolve(f, "jail", path);
		host = resolve(f, "host", path + strlen("sys/"));
		assert_non_null(jail);
		assert_non_null(host);
		assert_string_equal(jail, "sys/" IGPU);
		assert_string_equal(host, IGPU);
	}
	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		char jpath[128], hpath[128];
		_cleanup_free_ char *want = NULL;

		snprintf(jpath, sizeof(jpath), "sys/dev/char/226:0/device/%s", ids[i]);
		snprintf(hpath, sizeof(hpath), IGPU "/%s", ids[i]);
		want = read_file_at(f->host, hpath);
		assert_file_content(f->jail, jpath, want);
		/* A copy, read-only, not a link to the host's file. */
		assert_int_equal(fstatat(f->jail, jpath, &st, 0), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0444);
	}
	/* config: binary, whole. */
	assert_int_equal(fstatat(f->jail, "sys/" IGPU "/config", &st, 0), 0);
	assert_int_equal(st.st_size, 64);
	assert_file_content(f->jail, "sys/dev/char/226:0/dev", "226:0\n");
	assert_file_content(f->jail, "sys/dev/char/226:128/uevent", "MAJOR=226\nMINOR=128\n");

	/* The subsystem's name (libdrm: readlink, basename) and the driver. */
	{
		char link[PATH_MAX];
		ssize_t n = readlinkat(f->jail, "sys/" IGPU "/subsystem", link, sizeof(link) - 1);

		assert_true(n > 0);
		link[n] = '\0';
		assert_string_equal(link, "../../../bus/pci");
		n = readlinkat(f->jail, "sys/" IGPU "/driver", link, sizeof(link) - 1);
		assert_true(n > 0);
		link[n] = '\0';
		assert_string_equal(link, "../../../bus/pci/drivers/i915");
	}
	/* The device's drm/ folder pairs card and render node. */
	assert_true(exists_at(f->jail, "sys/" IGPU "/drm/card0"));
	assert_true(exists_at(f->jail, "sys/" IGPU "/drm/renderD128"));
	/* Vulkan's device-select layer and /sys/class/drm. */
	{
		_cleanup_free_ char *bus = resolve(f, "jail", "sys/bus/pci/devices/0000:00:02.0");
		_cleanup_free_ char *cls = resolve(f, "jail", "sys/class/drm/renderD128");

		assert_non_null(bus);
		assert_string_equal(bus, "sys/" IGPU);
		assert_non_null(cls);
		assert_string_equal(cls, "sys/" IGPU "/drm/renderD128");
		assert_file_content(f->jail, "sys/bus/pci/devices/0000:00:02.0/boot_vga", "1\n");
	}
	/* A virtio GPU: its own folder, and the PCI device's ids above it. */
	{
		_cleanup_free_ char *dev = resolve(f, "jail", "sys/dev/char/226:1/device");

		assert_non_null(dev);
		assert_string_equal(dev, "sys/" VIRTIO "/virtio3");
		assert_file_content(f->jail, "sys/" VIRTIO "/vendor", "0x1af4\n");
		assert_file_content(f->jail, "sys/" VIRTIO "/device", "0x1050\n");
		assert_file_content(f->jail, "sys/bus/pci/devices/0000:00:04.0/vendor", "0x1af4\n");
	}
}

static void
test_gpu_sysfs_mirror_no_identifier(void **state)
{
	static const char *const absent[] = {
	    "sys/" IGPU "/serial_number",
	    "sys/" IGPU "/unique_id",
	    "sys/" IGPU "/power",
	    "sys/" IGPU "/drm/card0/card0-eDP-1",
	    "sys/" NIC,
	    "sys/class/net",
	    "sys/devices/virtual",
	    "sys/dev/char/4:0",
	};
	struct fixture *f = *state;

	plant_host_sysfs(f->host);
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), 3);
	for (size_t i = 0; i < ELEMENTSOF(absent); i++)
		if (exists_at(f->jail, absent[i]))
			fail_msg("'%s' was copied into the jail", absent[i]);
	/* devices/ holds the GPUs' PCI devices and nothing else. */
	{
		_cleanup_(closedirp) DIR *d = NULL;
		int fd =
		    openat(f->jail, "sys/devices/pci0000:00", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct dirent *e;
		unsigned n = 0;

		assert_true(fd >= 0);
		d = fdopendir(fd);
		assert_non_null(d);
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			assert_true(streq(e->d_name, "0000:00:02.0") ||
			            streq(e->d_name, "0000:00:04.0"));
			n++;
		}
		assert_int_equal(n, 2);
	}
}

static void
test_gpu_sysfs_mirror_no_gpu(void **state)
{
	struct fixture *f = *state;

	/* No dev/char at all (no sysfs), then a machine without DRM devices. */
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), 0);
	plant_link(f->host, "dev/char/4:0", "../../devices/virtual/tty/tty0");
	plant_file(f->host, "devices/virtual/tty/tty0/dev", "4:0\n");
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), 0);
	assert_false(exists_at(f->jail, "sys"));
}

/* A link that leads out of /sys, or out of devices/, is refused and
 * nothing is read through it. */
static void
test_gpu_sysfs_mirror_refuses_links_out(void **state)
{
	struct fixture *f = *state;

	plant_file(f->fd, "secret/vendor", "SECRET\n");
	plant_link(f->host, "dev/char/226:0", "../../../secret");
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), -EINVAL);
	assert_int_equal(unlinkat(f->host, "dev/char/226:0", 0), 0);

	plant_link(f->host, "dev/char/226:0", "/etc");
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), -EINVAL);
	assert_int_equal(unlinkat(f->host, "dev/char/226:0", 0), 0);

	plant_file(f->host, "class/x/vendor", "0x1\n");
	plant_link(f->host, "dev/char/226:0", "../../class/x");
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), -EINVAL);
	assert_int_equal(unlinkat(f->host, "dev/char/226:0", 0), 0);

	/* A device link out of devices/ from a good node. */
	plant_file(f->host, IGPU "/drm/card0/dev", "226:0\n");
	plant_link(f->host, IGPU "/drm/card0/device", "../../../../../../secret");
	plant_link(f->host, "dev/char/226:0", "../../" IGPU "/drm/card0");
	assert_int_equal(gpu_sysfs_mirror(f->host, f->jail), -EINVAL);
	assert_false(exists_at(f->jail, "sys/secret"));
	assert_false(exists_at(f->fd, "jail/secret"));
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_gpu_sysfs_mirror_resolves_like_the_host),
	    T(test_gpu_sysfs_mirror_no_identifier),
	    T(test_gpu_sysfs_mirror_no_gpu),
	    T(test_gpu_sysfs_mirror_refuses_links_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
