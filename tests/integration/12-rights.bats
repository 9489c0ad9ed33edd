#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Rights against real servers, each granted and denied (docs/jail.md
# "Rights"): x11 (Xvfb, with and without an Xauthority), wayland (headless
# weston), audio (pulseaudio), kde-session (an ICE socket and
# SESSION_MANAGER), and `secure = true`, which denies all of them but
# wayland. Every server runs as the test user on private sockets, started
# here and ended by the teardown. A granted right is shown by a real client
# talking to its server from inside the jail; a denied one by the socket
# and the variable being absent and the same client failing.

# $output, $status, $lines and $stderr come from bats' run; the scripts
# run in jails are single-quoted on purpose; bg hands its stdin on.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154,SC2217

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load server-helpers

setup() {
	# A missing server or client fails, naming what to install (make deps).
	require_tools Xvfb xdpyinfo xauth mcookie weston wayland-info pulseaudio pactl python3 glxinfo
}

# rights_profile NAME [KEY = VALUE]…: /bin/sh, no network, the lines given
# (under [jail] when they are jail keys, else under [rights]).
rights_profile() {
	local name=$1 line
	shift
	{
		echo "[jail]"
		echo "exec = /bin/sh"
		for line in "$@"; do
			case $line in
			network* | secure*) echo "$line" ;;
			esac
		done
		echo "[rights]"
		for line in "$@"; do
			case $line in
			allow* | deny* | x11*) echo "$line" ;;
			esac
		done
	} | write_profile "$name"
	grep -q '^network' "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini" ||
		sed -i 's/^exec = .*/&\nnetwork = none/' "$XDG_CONFIG_HOME/jailsup/profiles/$name.ini"
}

jrun() {
	jailsup run --no-daemon "$@"
}

# start_ice: a listening socket at /tmp/.ICE-unix/PID, as ksmserver has;
# it greets each client with "ice-ok". Exports SESSION_MANAGER as KDE
# sets it; ICE_SOCKET is the path.
start_ice() {
	local host
	if [ ! -d /tmp/.ICE-unix ]; then
		mkdir -m 1777 /tmp/.ICE-unix
		remove_after /tmp/.ICE-unix
	fi
	bg python3 -c '
import os, socket
path = "/tmp/.ICE-unix/%d" % os.getpid()
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b"ice-ok\n")
    c.close()'
	ICE_SOCKET=/tmp/.ICE-unix/$BG_PID
	remove_after "$ICE_SOCKET"
	wait_for test -S "$ICE_SOCKET"
	host=$(uname -n)
	export SESSION_MANAGER="local/$host:@$ICE_SOCKET,unix/$host:$ICE_SOCKET"
}

# A client for a unix socket, abstract ("@name") or not: prints
# "connected", with the server's greeting when the second argument is
# "greeting", or "refused: ERROR".
# shellcheck disable=SC2016
CONNECT='python3 -c "
import socket, sys
a = sys.argv[1]
a = \"\\0\" + a[1:] if a.startswith(\"@\") else a
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(a)
except OSError as e:
    print(\"refused:\", e.strerror)
    sys.exit(0)
if sys.argv[2:] == [\"greeting\"]:
    s.settimeout(5)
    print(\"connected\", s.recv(100).decode().strip())
else:
    print(\"connected\")
" "$@"'

# start_xvfb_cookie: an X server that wants the cookie COOKIE, and
# XAUTHORITY exported, a file of the client's holding it.
start_xvfb_cookie() {
	COOKIE=$(mcookie)
	xauth -q -f "$BATS_TEST_TMPDIR/server.auth" add :0 . "$COOKIE"
	start_xvfb -auth "$BATS_TEST_TMPDIR/server.auth"
	export XAUTHORITY=$BATS_TEST_TMPDIR/client.auth
	xauth -q add ":$XNUM" . "$COOKIE"
}

@test "x11 = host: xdpyinfo works through the socket and an Xauthority holding only that display's cookie" {
	# Regression: the jail's copy of a local cookie named the host's
	# hostname, the jail has its own: no cookie matched, every client of an
	# X server with authentication was refused.
	local cookie
	start_xvfb_cookie
	cookie=$COOKIE
	# The client's file has decoys too: another display, another host.
	xauth -q add ":$((XNUM + 1))" . "$(mcookie)"
	xauth -q add "otherhost/unix:$XNUM" . "$(mcookie)"
	# Without the cookie the server refuses: the Xauthority is needed.
	XAUTHORITY=/dev/null run xdpyinfo
	[ "$status" -ne 0 ] || fail "Xvfb accepts clients without a cookie"

	rights_profile xon "x11 = host"
	run jrun xon -c '
		echo "DISPLAY=$DISPLAY XAUTHORITY=$XAUTHORITY"
		[ -S "/tmp/.X11-unix/X$1" ] && echo "socket there"
		xauth list | awk "{ print \"cookie\", \$1, \$3 }"
		xdpyinfo | grep "^name of display"' sh "$XNUM"
	assert_status 0
	assert_output_contains "DISPLAY=:$XNUM XAUTHORITY=$XDG_RUNTIME_DIR/.Xauthority" "socket there" \
		"name of display:    :$XNUM"
	[ "$(grep -c '^cookie' <<<"$output")" -eq 1 ] || fail "cookies in the jail: $output"
	[[ $output == *"cookie "*":$XNUM $cookie"* ]] || fail "the display's cookie is missing: $output"
}

@test "x11 = host, display without Xauthority: xdpyinfo works" {
	start_xvfb
	unset XAUTHORITY
	rights_profile xon "x11 = host"
	run jrun xon -c 'xdpyinfo | grep "^name of display"'
	assert_status 0
	assert_output_contains "name of display:    :$XNUM"
}

@test "x11 denied: no socket, no DISPLAY, xdpyinfo fails, the abstract socket is out of reach, with network = host too" {
	start_xvfb
	# The host reaches the display through its abstract socket too.
	run sh -c "$CONNECT" sh "@/tmp/.X11-unix/X$XNUM"
	[[ $output == "connected"* ]] || fail "the host cannot reach @/tmp/.X11-unix/X$XNUM: $output"

	rights_profile xoff "deny = x11"
	run jrun xoff -c '
		echo "DISPLAY=[${DISPLAY:-}]"
		[ -e /tmp/.X11-unix ] && echo "X11 DIR THERE"
		DISPLAY=":$1" xdpyinfo >/dev/null 2>&1 && echo "XDPYINFO WORKED"
		sh -c "$2" sh "@/tmp/.X11-unix/X$1"' sh "$XNUM" "$CONNECT"
	assert_status 0
	assert_output_contains "DISPLAY=[]" "refused: Connection refused"
	[[ $output != *"X11 DIR THERE"* && $output != *"XDPYINFO WORKED"* ]] || fail "$output"

	# The same jail on the host's network shares the host's abstract
	# sockets: Landlock's scope refuses them (the kernel here has ABI 6 or
	# later; with an older one this reaches the display, as it did before).
	rights_profile xhost "deny = x11" "network = host"
	run jrun xhost -c '
		[ -e /tmp/.X11-unix ] && echo "X11 DIR THERE"
		sh -c "$2" sh "@/tmp/.X11-unix/X$1"
		DISPLAY=":$1" xdpyinfo >/dev/null 2>&1 && echo "XDPYINFO WORKED"
		echo end' sh "$XNUM" "$CONNECT"
	assert_status 0
	[ "$output" = "refused: Operation not permitted"$'\n'"end" ] || fail "network = host: $output"
}

@test "x11 = host with network = host: xdpyinfo works, at a display number whose abstract socket is empty" {
	start_xvfb_cookie
	rights_profile xhoston "x11 = host" "network = host"
	# xcb tries the abstract socket of the display first and gives up on
	# EPERM: the jail's display is one whose abstract name the jailer
	# holds empty, so xcb goes on to the socket file, the host's display.
	run jrun xhoston -c '
		n=${DISPLAY#:}
		[ "$n" != "$1" ] && echo "another number"
		[ -S "/tmp/.X11-unix/X$n" ] && echo "socket there"
		sh -c "$2" sh "@/tmp/.X11-unix/X$n"
		sh -c "$2" sh "@/tmp/.X11-unix/X$1"
		xauth list | awk "{ print \"cookie\", \$3 }"
		xdpyinfo | grep -c "^name of display"' sh "$XNUM" "$CONNECT"
	assert_status 0
	[ "$output" = "another number
socket there
refused: Connection refused
refused: Operation not permitted
cookie $COOKIE
1" ] || fail "$output"
}

@test "wayland granted: wayland-info works; denied: no socket, no WAYLAND_DISPLAY, wayland-info fails" {
	start_weston
	rights_profile won "allow = wayland"
	run jrun won -c '
		echo "WAYLAND_DISPLAY=$WAYLAND_DISPLAY"
		[ -S "$XDG_RUNTIME_DIR/wayland-jt" ] && echo "socket there"
		wayland-info | grep -c "interface: .wl_compositor."'
	assert_status 0
	[ "$output" = "WAYLAND_DISPLAY=wayland-jt"$'\n'"socket there"$'\n'1 ] || fail "$output"

	rights_profile woff "deny = wayland"
	run jrun woff -c '
		echo "WAYLAND_DISPLAY=[${WAYLAND_DISPLAY:-}]"
		echo "runtime [$(ls -A "$XDG_RUNTIME_DIR")]"
		WAYLAND_DISPLAY=wayland-jt wayland-info >/dev/null 2>&1 && echo "WAYLAND-INFO WORKED"
		:'
	assert_status 0
	[ "$output" = "WAYLAND_DISPLAY=[]"$'\n'"runtime []" ] || fail "$output"
}

@test "audio granted: pactl reaches pulseaudio; denied: no socket, pactl fails, nothing spawned" {
	start_pulse
	rights_profile aon "allow = audio"
	run jrun aon -c '[ -S "$XDG_RUNTIME_DIR/pulse/native" ] && echo "socket there"; pactl info'
	assert_status 0
	assert_output_contains "socket there" "Server String: $XDG_RUNTIME_DIR/pulse/native" \
		"Server Name: pulseaudio"

	rights_profile aoff "deny = audio"
	run jrun aoff -c '
		echo "runtime [$(ls -A "$XDG_RUNTIME_DIR")]"
		pactl info >/dev/null 2>&1 && echo "PACTL WORKED"
		pactl --server="unix:$XDG_RUNTIME_DIR/pulse/native" info >/dev/null 2>&1 && echo "PACTL WORKED"
		ps -e -o comm= | grep -x pulseaudio'
	[ "$status" -eq 1 ] || fail "status $status: $output"
	[ "$output" = "runtime []" ] || fail "$output"
}

@test "audio granted: a PULSE_SERVER socket elsewhere appears at the default path" {
	start_pulse "$BATS_TEST_TMPDIR/pa.sock"
	rights_profile aon "allow = audio"
	run jrun aon -c 'echo "PULSE_SERVER=[${PULSE_SERVER:-}]"; pactl info'
	assert_status 0
	assert_output_contains "PULSE_SERVER=[]" "Server String: $XDG_RUNTIME_DIR/pulse/native" \
		"Server Name: pulseaudio"
}

@test "kde-session granted: the ICE socket and SESSION_MANAGER; not granted: neither" {
	start_ice
	run sh -c "$CONNECT" sh "$ICE_SOCKET" greeting
	[ "$output" = "connected ice-ok" ] || fail "the host cannot reach the ICE server: $output"

	rights_profile kon "allow = kde-session"
	run jrun kon -c 'echo "SESSION_MANAGER=$SESSION_MANAGER"; sh -c "$2" sh "$1" greeting' sh \
		"$ICE_SOCKET" "$CONNECT"
	assert_status 0
	[ "$output" = "SESSION_MANAGER=unix/$(uname -n):$ICE_SOCKET"$'\n'"connected ice-ok" ] ||
		fail "$output"

	# kde-session is not a default right; deny it explicitly as well.
	local name
	rights_profile kdefault
	rights_profile koff "deny = kde-session"
	for name in kdefault koff; do
			run jrun "$name" -c '
			echo "SESSION_MANAGER=[${SESSION_MANAGER:-}]"
			[ -e /tmp/.ICE-unix ] && echo "ICE DIR THERE"
			sh -c "$2" sh "$1"' sh "$ICE_SOCKET" "$CONNECT"
		assert_status 0
		[ "$output" = "SESSION_MANAGER=[]"$'\n'"refused: No such file or directory" ] ||
			fail "$name: $output"
	done
}

@test "secure = true denies every right but wayland" {
	local cookie
	start_xvfb
	start_weston
	start_pulse
	start_ice
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$XDG_RUNTIME_DIR/bus"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"

	# The same servers, a jail that is not secure but grants them all:
	# everything is there, so the secure jail's view below means something.
	rights_profile all "allow = x11, wayland, audio, kde-session, dbus"
	# Through the supervisor: the bus is its xdg-dbus-proxy's, the only
	# session bus a jail ever gets (docs/jail.md "D-Bus").
	run jailsup run all -c '
		echo "runtime [$(ls -A "$XDG_RUNTIME_DIR" | tr "\n" " ")]"
		echo "tmp [$(ls -A /tmp | tr "\n" " ")]"
		env | grep -E "^(DISPLAY|WAYLAND_DISPLAY|SESSION_MANAGER|DBUS_SESSION_BUS_ADDRESS)=" | sort | cut -d= -f1'
	assert_status 0
	assert_output_contains "bus" "pulse" "wayland-jt" ".X11-unix" ".ICE-unix" \
		DBUS_SESSION_BUS_ADDRESS DISPLAY SESSION_MANAGER WAYLAND_DISPLAY

	rights_profile sec "secure = true"
	run jrun sec -c '
		echo "runtime [$(ls -A "$XDG_RUNTIME_DIR" | tr "\n" " ")]"
		echo "tmp [$(ls -A /tmp | grep -vx "$1" | tr "\n" " ")]"
		env | grep -E "^(DISPLAY|WAYLAND_DISPLAY|SESSION_MANAGER|DBUS_SESSION_BUS_ADDRESS|XAUTHORITY)=" | cut -d= -f1
		[ -e /dev/snd ] && echo "SND THERE"
		[ -e /dev/dri ] && echo "DRI THERE"
		[ -e /sys ] && echo "SYS THERE"
		pactl info >/dev/null 2>&1 && echo "PACTL WORKED"
		DISPLAY=":$2" xdpyinfo >/dev/null 2>&1 && echo "XDPYINFO WORKED"
		wayland-info | grep -c "interface: .wl_compositor."' sh "$(tmp_top)" "$XNUM"
	assert_status 0
	[ "$output" = "runtime [wayland-jt ]"$'\n'"tmp []"$'\n'"WAYLAND_DISPLAY"$'\n'1 ] ||
		fail "the secure jail: $output"
}

# The host's identifiers in sysfs, as their real paths (what a bind of
# /sys/devices would show at the same place): network cards' MAC
# addresses, disks' serials and WWIDs, monitors' EDID, DMI ids.
host_identifiers() {
	local f
	for f in /sys/class/net/*/address /sys/block/*/serial /sys/block/*/device/serial \
		/sys/block/*/device/wwid /sys/class/drm/*/edid /sys/class/dmi/id/*; do
		[ -f "$f" ] && [ -r "$f" ] && realpath "$f"
	done
}

@test "gpu: a Mesa client renders in the jail; no MAC address, disk serial, EDID or DMI id is readable" {
	local -a ids
	start_xvfb
	# The client on the host, for the renderer it finds (llvmpipe without
	# a GPU; the GPU's driver with one, which needs the sysfs ids below).
	run glxinfo -B
	assert_status 0
	local renderer
	renderer=$(grep -m1 "OpenGL renderer string" <<<"$output") || fail "glxinfo on the host: $output"

	rights_profile gpuon "allow = gpu" "x11 = host"
	run jrun gpuon -c 'glxinfo -B'
	assert_status 0
	assert_output_contains "$renderer" "direct rendering: Yes"

	# What the host has of each (lo's address at least): none is readable
	# in the jail, at its real path or through /sys/class.
	mapfile -t ids < <(host_identifiers)
	[ "${#ids[@]}" -gt 0 ] || fail "the host shows no identifier in /sys: the test proves nothing"
	run jrun gpuon -c '
		for f; do cat "$f" >/dev/null 2>&1 && echo "READ $f"; done
		for d in /sys/class/net /sys/class/dmi /sys/block /sys/devices/virtual \
			/sys/devices/system /sys/firmware; do
			[ -e "$d" ] && echo "THERE $d"
		done
		echo done' sh "${ids[@]}" /sys/class/net/lo/address
	assert_status 0
	[ "$output" = "done" ] || fail "the gpu jail reads host identifiers: $output"

	# The GPUs the host has: the jail reads their ids where libdrm looks.
	local node want
	for node in /sys/dev/char/226:*; do
		[ -e "$node/device/vendor" ] || continue
		want="$(cat "$node/device/vendor") $(cat "$node/device/device") $(cat "$node/dev")"
		run jrun gpuon -c 'd=$(realpath "$1/device"); echo "$(cat "$d/vendor") $(cat "$d/device") $(cat "$1/dev")"' sh "$node"
		assert_status 0
		[ "$output" = "$want" ] || fail "$node in the jail: '$output', not '$want'"
	done
}

# The first folder below /tmp of the test's XDG_RUNTIME_DIR, which the jail
# creates in its /tmp to mount its runtime dir there (empty otherwise).
tmp_top() {
	local rel
	case $XDG_RUNTIME_DIR in
	/tmp/*)
		rel=${XDG_RUNTIME_DIR#/tmp/}
		echo "${rel%%/*}"
		;;
	esac
}
