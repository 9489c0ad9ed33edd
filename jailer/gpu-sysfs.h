/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sysfs of the gpu right: what Mesa and libdrm read of the host's GPUs,
 * copied into the jail's own /sys, and nothing else of the host's /sys.
 */
#ifndef JAILSUP_GPU_SYSFS_H
#define JAILSUP_GPU_SYSFS_H

/* The major number of DRM devices (/dev/dri/card*, renderD*). */
#define DRM_MAJOR 226

/* Copies into JAIL_ROOT_FD's sys/ (created as needed) what Mesa and libdrm
 * read of each DRM device of HOST_SYS_FD (the host's /sys): the link
 * sys/dev/char/226:N, the node's folder with its dev and uevent files and
 * its device and subsystem links, the device's folder with its id files
 * (vendor, device, subsystem_vendor, subsystem_device, revision, class,
 * config, uevent, boot_vga) and its subsystem and driver links (for a
 * virtio GPU, the PCI device above it too), and the links of
 * sys/class/drm and sys/bus/pci/devices to them. Only these names, as
 * copies (the kernel's links are relative, so the copied tree resolves
 * within itself): a card's connectors (their EDID holds the monitor's
 * serial), a network card's address, a disk's serial, DMI ids are not
 * among them. Returns the number of DRM nodes copied (0 on a host without
 * any), or -errno (-EINVAL: a link of the host's sysfs leads outside
 * /sys/devices). */
int gpu_sysfs_mirror(int host_sys_fd, int jail_root_fd);

#endif
