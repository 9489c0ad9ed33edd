/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `leak-check --vpn-probe NONCE ARGS…`: the jail's side of a VPN jail's
 * leak test, one line per way out tried (vpn-probe.c). ARGV holds what
 * follows NONCE. Returns the exit status. */
int vpn_probe_main(const char *nonce, int argc, char **argv);
