# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/server-helpers.bash: `load server-helpers` after
# `load jail-helpers` in the .bats files that need a desktop's servers. Each
# runs as the test user on private sockets, in the background (bg: the
# teardown ends it), and is ready when the function returns:
#
#   start_xvfb [ARGS…]   an X server on a free display; XNUM, DISPLAY
#   start_host_display   start_xvfb wanting a cookie (COOKIE); XAUTHORITY
#   start_weston         a headless Wayland compositor; WAYLAND_DISPLAY
#   start_pulse [SOCKET] pulseaudio (native protocol only); PULSE_SERVER
#                        when SOCKET is given
#   start_bus NAME [SOCKET]  a dbus-daemon on $BATS_TEST_TMPDIR/NAME.sock
#                        (or SOCKET) that allows everything (a jail's proxy
#                        is what filters); BUS_ADDR
#   require_tools TOOL…  fails the test, naming what to install, unless
#                        every TOOL is in $PATH

# start_xvfb [XVFB-ARGS…]: an X server on a free display; sets XNUM (the
# display number) and exports DISPLAY.
start_xvfb() {
	local numfile=$BATS_TEST_TMPDIR/xvfb.display
	: >"$numfile"
	bg Xvfb -displayfd 5 -nolisten tcp "$@" 5>"$numfile" >"$BATS_TEST_TMPDIR/xvfb.log" 2>&1
	wait_for test -s "$numfile"
	XNUM=$(cat "$numfile")
	[[ $XNUM =~ ^[0-9]+$ ]] || fail "Xvfb gave the display '$XNUM'"
	wait_for test -S "/tmp/.X11-unix/X$XNUM"
	export DISPLAY=":$XNUM"
}

# start_host_display: an Xvfb that wants a cookie (COOKIE), the user's
# display of the x11 tests; XAUTHORITY holds the cookie, DISPLAY names it.
start_host_display() {
	COOKIE=$(mcookie)
	xauth -q -f "$BATS_TEST_TMPDIR/server.auth" add :0 . "$COOKIE"
	start_xvfb -auth "$BATS_TEST_TMPDIR/server.auth" -screen 0 1024x768x24
	export XAUTHORITY=$BATS_TEST_TMPDIR/client.auth
	xauth -q add ":$XNUM" . "$COOKIE"
}

# start_weston: a headless compositor at $XDG_RUNTIME_DIR/wayland-jt;
# exports WAYLAND_DISPLAY.
start_weston() {
	bg weston --backend=headless-backend.so --socket=wayland-jt --idle-time=0 --no-config \
		>"$BATS_TEST_TMPDIR/weston.log" 2>&1
	export WAYLAND_DISPLAY=wayland-jt
	wait_for --timeout 20 wayland-info
}

# start_pulse [SOCKET]: pulseaudio with only its native protocol, at
# $XDG_RUNTIME_DIR/pulse/native or at SOCKET (then PULSE_SERVER names it).
start_pulse() {
	local args="auth-anonymous=1"
	if [ $# -gt 0 ]; then
		args="$args socket=$1"
		export PULSE_SERVER="unix:$1"
	fi
	bg pulseaudio --daemonize=no --exit-idle-time=-1 --use-pid-file=no --log-target=stderr \
		-n -L "module-native-protocol-unix $args" >"$BATS_TEST_TMPDIR/pulse.log" 2>&1
	wait_for --timeout 20 pactl info
}

# start_bus NAME [SOCKET]: a dbus-daemon on $BATS_TEST_TMPDIR/NAME.sock (or
# SOCKET) with a config of ours (everything allowed: the proxy is what
# filters); prints nothing, sets BUS_ADDR.
start_bus() {
	start_bus_listening "$1" "unix:path=${2:-$BATS_TEST_TMPDIR/$1.sock}"
	# shellcheck disable=SC2034 # for the caller
	BUS_ADDR="unix:path=${2:-$BATS_TEST_TMPDIR/$1.sock}"
}

# start_bus_listening NAME LISTEN: the same dbus-daemon listening on the
# D-Bus address LISTEN (unix:abstract=X, say); sets BUS_ADDR to the
# address it printed.
start_bus_listening() {
	local conf=$BATS_TEST_TMPDIR/$1.conf addr=$BATS_TEST_TMPDIR/$1.addr
	cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>$2</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
	: >"$addr"
	bg dbus-daemon --config-file="$conf" --nofork --print-address=5 5>"$addr"
	wait_for test -s "$addr"
	# shellcheck disable=SC2034 # for the caller
	BUS_ADDR=$(head -1 "$addr")
}

# listeners: an abstract unix socket (ABSTRACT) and a TCP port on the
# host's 127.0.0.1 (PORT), both of this test and listening.
listeners() {
	local portfile=$BATS_TEST_TMPDIR/port
	ABSTRACT=jailsup-test-$$-$RANDOM
	: >"$portfile"
	bg python3 -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX)
a.bind("\0" + sys.argv[1])
a.listen(8)
t = socket.socket()
t.bind(("127.0.0.1", 0))
t.listen(8)
with open(sys.argv[2], "w") as f:
    f.write(str(t.getsockname()[1]))
while True:
    time.sleep(3600)' "$ABSTRACT" "$portfile"
	wait_for test -s "$portfile"
	PORT=$(cat "$portfile")
}

require_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
}
