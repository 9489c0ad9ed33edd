/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * openvpn, a VPN jail's tunnel (docs/architecture.md §5, "The VPN"), once
 * pasta is ready. openvpn parses what a remote server sends, so it is
 * exec'd by a launcher child that resolves the .ovpn's servers on the
 * host, joins the jail's user and network namespaces with setns(), builds
 * the kill switch there (kill-switch.h) and then enters a sandbox of its
 * own (state/sandbox.h): a read-only view of what openvpn needs,
 * CAP_NET_ADMIN kept as an ambient capability (the jail's user is not root
 * in its namespace, so execve() would drop it otherwise) and nothing else,
 * no_new_privs, seccomp. Its route-up script's byte is the tunnel's
 * readiness; its end while the jail runs leaves the jail offline
 * (ops->vpn_lost).
 */
#include <sys/capability.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>

#include "ini-profiles/ovpn.h"
#include "state/exe-paths.h"
#include "state/jail-state.h"
#include "state/log.h"
#include "state/proc-id.h"
#include "state/sandbox.h"
#include "state/state.h"
#include "supervisor/helper.h"
#include "supervisor/kill-switch.h"
#include "supervisor/net-internal.h"
#include "supervisor/start-steps.h"
#include "supervisor/vpn-config.h"

#define VPN_REMOTES_MAX 16

/* The fds openvpn inherits. */
#define OPENVPN_FD_READY 3

/* Pushes each string of the NULL-terminated LIST. */
static int
push_all(char ***v, const char *const *list)
{
	int r = 0;

	for (; *list != NULL && r >= 0; list++)
		r = strv_push(v, *list);
	return r;
}

/* Every address the .ovpn's servers resolve to, resolved here, on the
 * host's network (in the jail, before the tunnel is up, there is no DNS).
 * Runs in the launcher child, where blocking is fine. */
static int
vpn_remotes(const char *text, struct vpn_remote *out, size_t *n_out, unsigned *bad_line)
{
	struct ovpn_remote hosts[OVPN_REMOTES_MAX];
	size_t n_hosts;
	int r;

	r = ovpn_remotes_parse(text, hosts, ELEMENTSOF(hosts), &n_hosts, bad_line);
	if (r < 0)
		return r;
	*n_out = 0;
	for (size_t i = 0; i < n_hosts; i++) {
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
		int e = getaddrinfo(hosts[i].host, NULL, &hints, &res);

		if (e != 0) {
			dprintf(2, "jailsup: error: the VPN server '%s' does not resolve: %s\n",
				hosts[i].host, gai_strerror(e));
			continue;
		}
		for (struct addrinfo *ai = res; ai != NULL && *n_out < VPN_REMOTES_MAX;
		     ai = ai->ai_next) {
			struct vpn_remote *v = &out[*n_out];

			*v = (struct vpn_remote){ .family = ai->ai_family, .port = hosts[i].port,
						  .tcp = hosts[i].tcp };
			if (ai->ai_family == AF_INET)
				v->addr.v4 = ((struct sockaddr_in *) ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				v->addr.v6 = ((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;
			else
				continue;
			inet_ntop(v->family, &v->addr, v->text, sizeof(v->text));
			(*n_out)++;
		}
		freeaddrinfo(res);
	}
	return *n_out > 0 ? 0 : -EDESTADDRREQ;
}

struct openvpn_launch {
	const struct jail_net *n;
	const char *script;		     /* vpn-script, on the host */
	const struct sandbox_filter *filter; /* NULL: the child compiles it */
	int ready_fd;			     /* the write end of the ready pipe */
};

/* Where openvpn finds our script and the jail's resolv.conf in its
 * sandbox: the rest of the host is not there. */
#define SANDBOX_VPN_SCRIPT  "/run/jailsup/vpn-script"
#define SANDBOX_RESOLV_CONF "/run/jailsup/resolv.conf"

static int
openvpn_argv(const struct vpn_remote *remotes, size_t n_remotes, char ***ret)
{
	_cleanup_strv_ char **v = NULL;
	_cleanup_free_ char *fd = NULL;
	char mark[16];
	int r = 0;

	if (asprintf(&fd, "%d", OPENVPN_FD_READY) < 0)
		return -ENOMEM;
	snprintf(mark, sizeof(mark), "%u", NET_VPN_MARK);
	r = strv_push(&v, "openvpn");
	/* The resolved servers first: openvpn in the jail resolves no name. */
	for (size_t i = 0; r >= 0 && i < n_remotes; i++) {
		char port[8];

		snprintf(port, sizeof(port), "%u", (unsigned) remotes[i].port);
		r = push_all(&v, (const char *const[]){
			"--remote", remotes[i].text, port,
			remotes[i].tcp ? (remotes[i].family == AF_INET ? "tcp4-client" : "tcp6-client")
				       : (remotes[i].family == AF_INET ? "udp4" : "udp6"), NULL });
	}
	if (r >= 0)
		r = push_all(&v, (const char *const[]){
			/* The cleaned .ovpn, on our stdin; its files are
			 * named by absolute paths (ovpn.h). */
			"--config", "stdin",
			/* The names and mark the kill switch lets through. */
			"--dev", NET_TUN_IFNAME, "--dev-type", "tun", "--mark", mark,
			/* After the config: ours win. The tunnel is the default
			 * route whatever the server pushes (two /1 routes, as
			 * redirect-gateway def1 would, without its need of a
			 * default gateway to save, which we deleted). */
			"--disable-dco", "--pull-filter", "ignore", "redirect-gateway",
			/* Nor compression (VORACLE), which the .ovpn may have
			 * only as framing (ovpn.c). */
			"--allow-compression", "no",
			"--route", "0.0.0.0", "128.0.0.0", "--route", "128.0.0.0", "128.0.0.0",
			"--script-security", "2", "--up", SANDBOX_VPN_SCRIPT, "--down",
			SANDBOX_VPN_SCRIPT, "--route-up", SANDBOX_VPN_SCRIPT, "--setenv",
			"JAILSUP_RESOLV_CONF", SANDBOX_RESOLV_CONF,
			"--setenv", "JAILSUP_READY_FD", fd, NULL });
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

/* openvpn's sandbox (state/sandbox.h), entered in the jail's user
 * namespace, which owns its mount namespace: only what openvpn needs, read
 * only but for the tun device and the jail's resolv.conf, which our script
 * rewrites; /usr and the libraries, and of /etc only what OpenSSL and the
 * log's times read. Each file the .ovpn names is bound at the path the
 * cleaned .ovpn gives it, and must be the file the supervisor checked
 * (FILE_FDS, compared by device and inode). No home, no runtime dir, no /proc (its
 * configuration comes on stdin), only CAP_NET_ADMIN (in the jail's user
 * namespace), no_new_privs and the seccomp filter every helper gets; a
 * /tmp of its own. */
static int
enter_sandbox(const struct openvpn_launch *l, const int *file_fds, int resolv_fd,
	      struct sandbox_error *reterr)
{
	const struct vpn_config *vpn = &l->n->vpn;
	struct sandbox_bind binds[OVPN_FILES_MAX + 8];
	_cleanup_free_ char *resolv = NULL;
	size_t n = 0;

	if (asprintf(&resolv, "%s/%s", l->n->state_path, STATE_RESOLV_CONF) < 0)
		return -ENOMEM;
	binds[n++] = (struct sandbox_bind){ "/dev/net/tun", NULL, SANDBOX_BIND_RW | SANDBOX_BIND_DEV,
					    -1 };
	binds[n++] = (struct sandbox_bind){ l->script, SANDBOX_VPN_SCRIPT, 0, -1 };
	binds[n++] = (struct sandbox_bind){ resolv, SANDBOX_RESOLV_CONF,
					    SANDBOX_BIND_RW | SANDBOX_BIND_VERIFY, resolv_fd };
	binds[n++] = (struct sandbox_bind){ "/etc/ssl/openssl.cnf", NULL, SANDBOX_BIND_TRY, -1 };
	binds[n++] = (struct sandbox_bind){ "/etc/localtime", NULL, SANDBOX_BIND_TRY, -1 };
	/* By path (a bind's source must be in the sandbox's own mount
	 * namespace, which a file opened before it is not), and only when
	 * the path still leads to the very file the supervisor checked. */
	for (size_t i = 0; i < vpn->clean.n_files; i++)
		binds[n++] = (struct sandbox_bind){ vpn->clean.files[i].path, NULL,
						    SANDBOX_BIND_VERIFY, file_fds[i] };
	return sandbox_enter(&(struct sandbox){ .binds = binds,
						.n_binds = n,
						.join_current_userns = true,
						/* openvpn refuses to start without its
						 * --tmp-dir: an empty one of its own */
						.tmp = true,
						.keep_caps = UINT64_C(1) << CAP_NET_ADMIN,
						.filter = l->filter },
			     reterr);
}

/* The launcher child: reads the servers, joins the jail's namespaces,
 * builds the kill switch, enters openvpn's sandbox and becomes openvpn.
 * Every error goes to the jail's log (our stderr) and ends us before
 * openvpn ran: the supervisor sees the ready pipe close and fails the
 * start. The .ovpn and its files were checked and opened by the
 * supervisor (vpn-config.h): nothing is read again by path. */
static _noreturn_ void
openvpn_child(struct openvpn_launch *l)
{
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const struct vpn_config *vpn = &l->n->vpn;
	struct vpn_remote remotes[VPN_REMOTES_MAX];
	_cleanup_strv_ char **argv = NULL;
	struct sandbox_error err = {};
	int keep[OVPN_FILES_MAX + 1];
	size_t n_remotes = 0, n_keep = 0;
	unsigned bad_line = 0;
	int config, r;

	/* The files the supervisor opened, and the jail's resolv.conf (no
	 * link planted in the state dir is followed). */
	for (size_t i = 0; i < vpn->clean.n_files; i++)
		keep[n_keep++] = vpn->fds[i];
	keep[n_keep] = openat(l->n->dir_fd, STATE_RESOLV_CONF, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (keep[n_keep++] < 0)
		_exit(EXIT_TEMPORARY);
	net_child_stdio(l->n->dir_fd, l->n->ns_fds, l->ready_fd, keep, n_keep);
	r = vpn_remotes(vpn->text, remotes, &n_remotes, &bad_line);
	if (r == -EDESTADDRREQ) {
		dprintf(2, "jailsup: error: '%s' names no VPN server that resolves ('remote HOST "
			   "[PORT] [PROTO]')\n", vpn->path);
		_exit(EXIT_PERMANENT);
	}
	if (r < 0) {
		dprintf(2, "jailsup: error: %s:%u: a bad 'remote', 'port' or 'rport' line (or "
			   "more than %d servers)\n", vpn->path, bad_line, OVPN_REMOTES_MAX);
		_exit(EXIT_PERMANENT);
	}
	/* openvpn reads it as its stdin; nothing is written to disk. */
	config = memfd_sealed("openvpn.conf", vpn->clean.text, strlen(vpn->clean.text));
	if (config < 0) {
		dprintf(2, "jailsup: error: unable to prepare openvpn's configuration: %s\n",
			strerror(-config));
		_exit(EXIT_TEMPORARY);
	}
	if (setns(4, CLONE_NEWUSER) < 0 || setns(3, CLONE_NEWNET) < 0) {
		dprintf(2, "jailsup: error: unable to join the jail's namespaces: %s\n",
			strerror(errno));
		_exit(EXIT_TEMPORARY);
	}
	r = kill_switch_routes(remotes, &n_remotes);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to route the jail to its VPN server only: %s\n",
			strerror(-r));
		_exit(EXIT_TEMPORARY);
	}
	/* Routes alone do not hold (see kill_switch_nft()): no nftables, no
	 * VPN jail. */
	r = kill_switch_nft(remotes, n_remotes);
	if (r == -ENOPKG) {
		dprintf(2, "jailsup: error: a VPN jail's kill switch needs nftables "
			   "(libnftables.so.1: install the package nftables)\n");
		_exit(EXIT_PERMANENT);
	}
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to load the VPN's nftables rules\n");
		_exit(EXIT_TEMPORARY);
	}
	r = openvpn_argv(remotes, n_remotes, &argv);
	if (r < 0)
		_exit(EXIT_TEMPORARY);
	r = enter_sandbox(l, keep, keep[n_keep - 1], &err);
	if (r < 0) {
		dprintf(2, "jailsup: error: unable to confine openvpn (%s%s%s%s): %s\n", err.step,
			err.path != NULL ? " '" : "", err.path != NULL ? err.path : "",
			err.path != NULL ? "'" : "", strerror(-r));
		_exit(r == -ESTALE ? EXIT_PERMANENT : EXIT_TEMPORARY);
	}
	/* The namespaces are joined and the files bound: our fds make way for
	 * the configuration (stdin) and the ready pipe. */
	if (dup2(config, 0) < 0 || dup2(NET_CHILD_FD_EXTRA, OPENVPN_FD_READY) < 0)
		_exit(EXIT_TEMPORARY);
	(void) syscall(SYS_close_range, OPENVPN_FD_READY + 1, ~0u, 0);
	/* Nothing of the user's session (bus addresses, tokens in the
	 * environment) for a process that parses a server's packets. */
	execve("/usr/sbin/openvpn", argv, envp);
	execve("/usr/bin/openvpn", argv, envp);
	dprintf(2, "jailsup: error: unable to run 'openvpn': %s (install openvpn)\n",
		strerror(errno));
	_exit(127);
}

static void
openvpn_child_cb(void *data, int ready_fd)
{
	struct openvpn_launch *l = data;

	l->ready_fd = ready_fd;
	/* The tether records openvpn.pid: the helper's PID, not its own. */
	helper_tether(l->n->jailer_pidfd, -1, l->n->dir_fd, STATE_OPENVPN_PID);
	openvpn_child(l);
}

static int
start_openvpn(struct ev_loop *loop, struct jail_net *n)
{
	_cleanup_free_ char *script = NULL;
	struct openvpn_launch l = { .n = n };
	int ready_fd;
	pid_t pid;
	int r;

	if (n->jailer_pidfd < 0)
		return -ESRCH;
	r = sibling_path("libexec/jailsup/vpn-script", &script);
	if (r < 0)
		return r;
	l.script = script;
	l.filter = net_sandbox_filter();
	r = helper_spawn(n->dir_fd, NULL, openvpn_child_cb, &l, &pid, &ready_fd);
	if (r < 0)
		return r;
	/* The launcher has its copies of the .ovpn's files. */
	for (size_t i = 0; i < n->vpn.clean.n_files; i++)
		n->vpn.fds[i] = safe_close(n->vpn.fds[i]);
	return net_vpn_watch(loop, n, &net_openvpn, pid, ready_fd);
}

const struct net_helper net_openvpn = {
    .name = "openvpn",
    .start = start_openvpn,
    .stop = net_vpn_stop,
    .step_spawned = STEP_OPENVPN_SPAWNED,
    .step_up = STEP_TUNNEL_UP,
    .pid_file = STATE_OPENVPN_PID,
    .comm = "openvpn",
    .timeout_hint = "is the server reachable? openvpn's messages are above",
    .ready_byte = 'r', /* scripts/vpn-script */
};
