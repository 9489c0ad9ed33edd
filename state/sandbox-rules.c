/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The system calls a sandboxed helper is denied (state/sandbox.h), one
 * comment per entry. Default allow, as in the jail's own filter
 * (jailer/gen/seccomp-gen.c), whose table this one extends: a helper is a
 * known program that needs none of these, and a deny table keeps working
 * when a library update makes it call something new. On top of the jail's
 * table: no namespace of any kind (the jail only refuses user namespaces),
 * no setns(), and none of the debugging calls: a helper has no business
 * with another process's memory.
 *
 * Also the system folders every sandbox holds. This file needs no
 * libseccomp: `jailsup explain` prints these tables.
 */
#include <sys/ioctl.h>
#include <sys/personality.h>

#include <linux/sched.h>

#include "state/sandbox.h"
#include "state/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME                                                                              \
	0x00000080 /* Linux 5.6: for unshare() only (in clone() it is the exit signal) */
#endif

const struct sandbox_seccomp_rule sandbox_seccomp_rules[] = {
    /* Pushing input into a terminal, or driving the Linux console
     * (CVE-2017-5226). Compared on the low 32 bits: the kernel reads an
     * unsigned int, so high bits must not let a TIOCSTI slip past. */
    {"ioctl", EPERM, SANDBOX_ARG1_LOW32, TIOCSTI, "ioctl(TIOCSTI)"},
    {"ioctl", EPERM, SANDBOX_ARG1_LOW32, TIOCLINUX, "ioctl(TIOCLINUX)"},
    /* No namespace of any kind: a new user namespace gives back every
     * capability inside it, and the others are kernel code written for
     * root. One rule per flag: any of them set is refused. */
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWUSER, "clone(CLONE_NEWUSER)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWNS, "clone(CLONE_NEWNS)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWPID, "clone(CLONE_NEWPID)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWNET, "clone(CLONE_NEWNET)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWIPC, "clone(CLONE_NEWIPC)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWUTS, "clone(CLONE_NEWUTS)"},
    {"clone", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWCGROUP, "clone(CLONE_NEWCGROUP)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWUSER, "unshare(CLONE_NEWUSER)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWNS, "unshare(CLONE_NEWNS)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWPID, "unshare(CLONE_NEWPID)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWNET, "unshare(CLONE_NEWNET)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWIPC, "unshare(CLONE_NEWIPC)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWUTS, "unshare(CLONE_NEWUTS)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWCGROUP, "unshare(CLONE_NEWCGROUP)"},
    {"unshare", EPERM, SANDBOX_ARG0_FLAG, CLONE_NEWTIME, "unshare(CLONE_NEWTIME)"},
    /* Joining another process's namespaces (the user's, another jail's). */
    {"setns", EPERM, SANDBOX_ARG_ANY, 0, "setns"},
    /* clone3 passes its flags in memory, where seccomp cannot look: ENOSYS
     * makes glibc fall back to clone, whose flags are checked above. */
    {"clone3", ENOSYS, SANDBOX_ARG_ANY, 0, "clone3 (ENOSYS)"},
    /* The mount API, old and new: the view is final. */
    {"mount", EPERM, SANDBOX_ARG_ANY, 0, "mount"},
    {"umount2", EPERM, SANDBOX_ARG_ANY, 0, "umount2"},
    {"pivot_root", EPERM, SANDBOX_ARG_ANY, 0, "pivot_root"},
    {"chroot", EPERM, SANDBOX_ARG_ANY, 0, "chroot"},
    {"fsopen", EPERM, SANDBOX_ARG_ANY, 0, "fsopen"},
    {"fsconfig", EPERM, SANDBOX_ARG_ANY, 0, "fsconfig"},
    {"fsmount", EPERM, SANDBOX_ARG_ANY, 0, "fsmount"},
    {"fspick", EPERM, SANDBOX_ARG_ANY, 0, "fspick"},
    {"move_mount", EPERM, SANDBOX_ARG_ANY, 0, "move_mount"},
    {"open_tree", EPERM, SANDBOX_ARG_ANY, 0, "open_tree"},
    {"mount_setattr", EPERM, SANDBOX_ARG_ANY, 0, "mount_setattr"},
    /* Another process's memory: no debugging, no reading or writing it,
     * no comparing its kernel objects. */
    {"ptrace", EPERM, SANDBOX_ARG_ANY, 0, "ptrace"},
    {"process_vm_readv", EPERM, SANDBOX_ARG_ANY, 0, "process_vm_readv"},
    {"process_vm_writev", EPERM, SANDBOX_ARG_ANY, 0, "process_vm_writev"},
    {"kcmp", EPERM, SANDBOX_ARG_ANY, 0, "kcmp"},
    /* The kernel keyring is not namespaced: the user's session keys. */
    {"keyctl", EPERM, SANDBOX_ARG_ANY, 0, "keyctl"},
    {"add_key", EPERM, SANDBOX_ARG_ANY, 0, "add_key"},
    {"request_key", EPERM, SANDBOX_ARG_ANY, 0, "request_key"},
    /* BPF programs and perf events: large kernel attack surface, and perf
     * observes other processes. */
    {"bpf", EPERM, SANDBOX_ARG_ANY, 0, "bpf"},
    {"perf_event_open", EPERM, SANDBOX_ARG_ANY, 0, "perf_event_open"},
    /* userfaultfd stalls kernel accesses at will (a tool for exploiting
     * kernel races); io_uring runs operations seccomp never sees. */
    {"userfaultfd", EPERM, SANDBOX_ARG_ANY, 0, "userfaultfd"},
    {"io_uring_setup", EPERM, SANDBOX_ARG_ANY, 0, "io_uring_setup"},
    {"io_uring_enter", EPERM, SANDBOX_ARG_ANY, 0, "io_uring_enter"},
    {"io_uring_register", EPERM, SANDBOX_ARG_ANY, 0, "io_uring_register"},
    /* Replacing the kernel or loading modules. */
    {"kexec_load", EPERM, SANDBOX_ARG_ANY, 0, "kexec_load"},
    {"kexec_file_load", EPERM, SANDBOX_ARG_ANY, 0, "kexec_file_load"},
    {"init_module", EPERM, SANDBOX_ARG_ANY, 0, "init_module"},
    {"finit_module", EPERM, SANDBOX_ARG_ANY, 0, "finit_module"},
    {"delete_module", EPERM, SANDBOX_ARG_ANY, 0, "delete_module"},
    /* Personalities other than Linux weaken ASLR or map page zero (the
     * query 0xffffffff too: one comparison per argument, as in flatpak). */
    {"personality", EPERM, SANDBOX_ARG0_NOT, PER_LINUX, "personality (but PER_LINUX)"},
    /* Host-wide state a helper never touches. */
    {"acct", EPERM, SANDBOX_ARG_ANY, 0, "acct"},
    {"swapon", EPERM, SANDBOX_ARG_ANY, 0, "swapon"},
    {"swapoff", EPERM, SANDBOX_ARG_ANY, 0, "swapoff"},
    {"reboot", EPERM, SANDBOX_ARG_ANY, 0, "reboot"},
    {"syslog", EPERM, SANDBOX_ARG_ANY, 0, "syslog"},
    {"quotactl", EPERM, SANDBOX_ARG_ANY, 0, "quotactl"},
    {"uselib", EPERM, SANDBOX_ARG_ANY, 0, "uselib"},
    {"iopl", EPERM, SANDBOX_ARG_ANY, 0, "iopl"},
    {"ioperm", EPERM, SANDBOX_ARG_ANY, 0, "ioperm"},
    {"vhangup", EPERM, SANDBOX_ARG_ANY, 0, "vhangup"},
    /* Opens files by handle, skipping the path walk and so the view. */
    {"open_by_handle_at", EPERM, SANDBOX_ARG_ANY, 0, "open_by_handle_at"},
    /* Old and obscure interfaces with a history of bugs. */
    {"lookup_dcookie", EPERM, SANDBOX_ARG_ANY, 0, "lookup_dcookie"},
    {"nfsservctl", EPERM, SANDBOX_ARG_ANY, 0, "nfsservctl"},
};

const size_t sandbox_n_seccomp_rules = ELEMENTSOF(sandbox_seccomp_rules);

/* A program and its libraries: the loader's cache is the one file of /etc
 * a dynamically linked program reads before main(). */
const char *const sandbox_system_dirs[] = {"/usr", "/etc/ld.so.cache", NULL};
const char *const sandbox_system_links[] = {"/bin",   "/sbin",   "/lib", "/lib32",
                                            "/lib64", "/libx32", NULL};
/* The harmless nodes: no tty (no terminal to drive), no shm, no pts. */
const char *const sandbox_dev_nodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                         "/dev/random", "/dev/urandom", NULL};
