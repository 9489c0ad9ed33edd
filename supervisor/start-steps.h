/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The steps of a jail's start in the supervisor, in their order, each a
 * point where the supervisor may die (docs/architecture.md §4, "A start
 * killed at any step" says what removes each one's leftovers then). The
 * fault-injection build (state/fault.h) dies at the step $JAILSUP_CRASH_AT
 * names, and `supervisor --list-steps` prints this table: a step added
 * here is covered by the crash test without touching it.
 */
#ifndef JAILSUP_SUPERVISOR_START_STEPS_H
#define JAILSUP_SUPERVISOR_START_STEPS_H

#include "state/fault.h"

#define START_STEPS(X)                                                                             \
	X(STEP_REQUEST, "request")		  /* START read, nothing made yet */              \
	X(STEP_STATE_DIR, "state-dir")		  /* the state directory exists */                \
	X(STEP_STATE_STARTING, "state-starting")  /* state says status=starting */               \
	X(STEP_PROFILE_WRITTEN, "profile-written") /* profile.ini */                              \
	X(STEP_ISO_PIPE, "iso-pipe")		  /* created, our read end open */                \
	X(STEP_NET_PREPARED, "net-prepared")	  /* the go pipe, resolv.conf */                  \
	X(STEP_KEEPER_FORKED, "keeper-forked")	  /* encrypted home: the keeper runs */           \
	X(STEP_PROXY_SPAWNED, "proxy-spawned")	  /* xdg-dbus-proxy runs, not ready */            \
	X(STEP_XSERVER_SPAWNED, "xserver-spawned") /* Xephyr runs under its tether, not ready */  \
	X(STEP_HOME_MOUNTED, "home-mounted")	  /* the keeper said the home is mounted */       \
	X(STEP_PROXY_READY, "proxy-ready")	  /* its sockets moved into the state dir */      \
	X(STEP_XSERVER_READY, "xserver-ready")	  /* its socket moved into the state dir */       \
	X(STEP_HANDOVER, "handover")		  /* the keeper knows the standby: provisional */ \
	X(STEP_JAILER_SPAWNED, "jailer-spawned")  /* the jailer has the start */                  \
	X(STEP_JAILER_RECORDED, "jailer-recorded") /* pid= read, state names the jailer */        \
	X(STEP_NAMESPACES, "namespaces")	  /* ns= read, the namespaces opened */           \
	X(STEP_PASTA_SPAWNED, "pasta-spawned")	  /* pasta runs under its tether */               \
	X(STEP_PASTA_READY, "pasta-ready")	  /* pasta daemonised, pasta.pid written */       \
	X(STEP_OPENVPN_SPAWNED, "openvpn-spawned") /* the launcher runs under its tether */       \
	X(STEP_TUNNEL_UP, "tunnel-up")		  /* openvpn's route-up byte came */              \
	X(STEP_WIREGUARD_SPAWNED, "wireguard-spawned") /* the launcher, under its tether */       \
	X(STEP_WIREGUARD_UP, "wireguard-up")	  /* configured, the link and routes up */        \
	X(STEP_GO_SENT, "go-sent")		  /* the jail runs its init script */             \
	X(STEP_READY, "ready")			  /* state says status=running */

FAULT_STEPS_DEFINE(start_step, start_step, START_STEPS)

#endif
