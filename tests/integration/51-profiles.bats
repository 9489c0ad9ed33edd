#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The shipped profiles (ini-profiles/profiles/, docs/profiles.md "The
# shipped profiles"): each one parses
# (also done by the unit test test-profile-golden) and starts a jail on
# this machine, and the rights it grants resolve here: a copy of each,
# with its exec pointed at a stand-in script, runs under the supervisor
# with a real X server, Wayland compositor, sound server and session bus
# of the test; the stand-in reports which sockets it finds, and that must
# match the rights `jailsup explain` says are in force. The apps
# themselves run in 53-browsers.bats and 57-real-apps.bats; here every
# profile is covered, those of apps Debian 12 does not package too.

# $output and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load server-helpers

setup() {
	require_tools Xvfb weston wayland-info pulseaudio pactl dbus-daemon xdg-dbus-proxy
}

# The folders shipped profiles share must exist, or the jail refuses to
# start (a missing share is an error, not a silent skip): made in the test
# user's home when missing, and removed afterwards.
make_shares() {
	local d
	for d in Downloads Documents Music Videos Pictures; do
		if [ ! -e "$HOME/$d" ]; then
			mkdir "$HOME/$d"
			remove_after "$HOME/$d"
		fi
	done
}

@test "every shipped profile starts a jail with a stand-in exe, and its rights resolve on this machine" {
	local f name got want right errors='' n=0
	make_shares
	start_xvfb
	start_weston
	start_pulse
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR

	STANDIN=$BATS_TEST_TMPDIR/bin/standin
	mkdir -p "${STANDIN%/*}"
	cat >"$STANDIN" <<'SH'
#!/bin/sh
has() { if eval "$2"; then echo "$1 yes"; else echo "$1 no"; fi; }
has x11 '[ -n "${DISPLAY:-}" ] && [ -S "/tmp/.X11-unix/X${DISPLAY#:}" ]'
has wayland '[ -n "${WAYLAND_DISPLAY:-}" ] && [ -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" ]'
has audio '[ -S "$XDG_RUNTIME_DIR/pulse/native" ]'
has dbus '[ -S "$XDG_RUNTIME_DIR/bus" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]'
has gpu '[ -e /dev/dri ]'
SH
	chmod +x "$STANDIN"

	for f in "$JAILSUP_BUILD"/share/jailsup/profiles/*.ini; do
		name=$(basename "$f" .ini)
		n=$((n + 1))
		sed "s|^exec = .*|exec = $STANDIN|" "$f" | write_profile "$name"
		grep -qx "exec = $STANDIN" "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini" ||
			fail "$name: no exec line replaced"
		run jailsup explain "$name"
		[ "$status" -eq 0 ] || fail "$name: explain failed: $output"
		want=$(awk '$1 ~ /^(x11|wayland|audio|dbus|gpu)$/ && NF == 3 { print $1, $2 }' <<<"$output")
		# A right granted while its host has no such device is skipped
		# quietly (docs/jail.md): this machine may have no GPU.
		[ -e /dev/dri ] || want=$(sed 's/^gpu yes$/gpu no/' <<<"$want")
		run jailsup run "$name"
		if [ "$status" -ne 0 ]; then
			errors+="$name: exit $status: $output"$'\n'
			continue
		fi
		got=$(grep -E '^(x11|wayland|audio|dbus|gpu) (yes|no)$' <<<"$output" | sort)
		want=$(sort <<<"$want")
		[ "$got" = "$want" ] || errors+="$name: rights in force:"$'\n'"$want"$'\n'"seen in the jail:"$'\n'"$got"$'\n'
	done
	[ "$n" -ge 20 ] || fail "only $n shipped profiles"
	[ -z "$errors" ] || fail "$errors"
}

@test "the shipped profiles cover the common desktop apps, with secure variants" {
	local p
	for p in firefox chromium thunderbird signal-desktop vlc mpv evince okular libreoffice \
		gimp inkscape keepassxc transmission-gtk qbittorrent firefox-secure vlc-secure \
		libreoffice-secure; do
		[ -f "$JAILSUP_BUILD/share/jailsup/profiles/$p.ini" ] || fail "no shipped profile '$p'"
	done
	for p in "$JAILSUP_BUILD"/share/jailsup/profiles/*-secure.ini \
		"$JAILSUP_BUILD/share/jailsup/profiles/keepassxc.ini"; do
		grep -qx 'secure = true' "$p" || fail "$p is not secure"
	done
}
