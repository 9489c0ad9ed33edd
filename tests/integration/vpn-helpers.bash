# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/vpn-helpers.bash: `load vpn-helpers` after `load
# helpers` and `load jail-helpers` in the tests of VPN jails (61-wireguard,
# 70-trust-vpn). It adds:
#
#   vpn_jail_profile NAME FILE     the profile NAME running /usr/bin/env
#                                  with `vpn = FILE`
#   assert_vpn_refused NAME WANT…  a start of jail NAME fails with one line
#                                  on stderr holding every WANT, then the
#                                  CLI's own "did not start"; no VPN helper
#                                  (openvpn, wireguard-go) nor pasta was
#                                  started for it, and $MARKER, when set,
#                                  was never created. $status is the start's.

# $output, $status and $stderr come from bats' run.
# shellcheck disable=SC2154

vpn_jail_profile() {
	printf '[jail]\nexec = /usr/bin/env\nvpn = %s\n' "$2" | write_profile "$1"
}

assert_vpn_refused() {
	local name=$1 first
	shift
	run --separate-stderr jailsup run "$name" -- true
	[ "$status" -ne 0 ] || fail "the jail started: $output"
	first=$(head -n 1 <<<"$stderr")
	for want in "$@"; do
		[[ $first == *"$want"* ]] || fail "the first line lacks '$want': $stderr"
	done
	[ "$(sed 1d <<<"$stderr")" = "jailsup: error: jail '$name' did not start" ] ||
		fail "more than the one line: $stderr"
	[ -z "${MARKER:-}" ] || [ ! -e "$MARKER" ] || fail "the marker '$MARKER' was created"
	! pgrep -u "$(id -u)" -x openvpn >/dev/null || fail "openvpn runs: $(pgrep -u "$(id -u)" -a -x openvpn)"
	! pgrep -u "$(id -u)" -f wireguard-go >/dev/null || fail "wireguard-go runs for a refused jail"
	! pgrep -u "$(id -u)" -x pasta >/dev/null || fail "pasta runs for a refused jail"
}
