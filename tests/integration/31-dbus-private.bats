#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A private session bus (docs/jail.md "A private session bus"): a jail
# whose profile has [dbus] own-private owns those names on a dbus-daemon of
# its own, so a jailed app never takes its application ID from the user's
# app of the same ID (a host `evince x.pdf` sent its file to the jailed
# evince, which could not see it). The bridge in the jail forwards what its
# rules allow to the jail's xdg-dbus-proxy, which still decides. Played
# with a real dbus-daemon of the test as the user's bus, python3-dbus
# apps on both sides, and the real xdg-document-portal.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers
load dbus-helpers

NAME=org.example.App

setup() {
	local tool
	for tool in dbus-daemon dbus-send xdg-dbus-proxy python3; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
	python3 -c 'import dbus, gi' 2>/dev/null ||
		fail "python3-dbus or python3-gi is not installed (scripts/packages.txt)"
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	# An app as GApplication is one: it owns its ID, or hands its file to
	# the instance that does (Open) and leaves. It says which side it is.
	cat >"$BATS_TEST_TMPDIR/app.py" <<'EOF'
import os
import sys
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
side, name, log = sys.argv[1], sys.argv[2], sys.argv[3]
bus = dbus.SessionBus()
if bus.request_name(name, dbus.bus.NAME_FLAG_DO_NOT_QUEUE) != 1:
    print(bus.call_blocking(name, "/org/example/App", "org.example.App", "Open", "s",
                            (sys.argv[4],)))
    sys.exit(0)


class App(dbus.service.Object):
    @dbus.service.method("org.example.App", in_signature="s", out_signature="s")
    def Open(self, f):
        with open(log, "a") as o:
            o.write(f + "\n")
        return side + " opened " + f


app = App(bus, "/org/example/App")
with open(log, "a") as o:
    o.write(sys.argv[4] + "\n")
open(log + ".up", "w").close()
GLib.MainLoop().run()
EOF
}

name_owned() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q true
}

teardown() {
	jail_teardown
	# The document portal's FUSE mount outlives a killed portal.
	fusermount3 -u -z "$XDG_RUNTIME_DIR/doc" 2>/dev/null || true
}

owner() {
	dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner "string:$1" | tr -d ' '
}

# private_pids NAME: the PIDs of the dbus-daemon and dbus-bridge of jail
# NAME: children of its dispatch (the jailer's child, PID 1 of the jail).
private_pids() {
	local jailer init p
	jailer=$(state_get "$1" jailer-pid) || return 1
	init=$(cut -d' ' -f1 "/proc/$jailer/task/$jailer/children") || return 1
	for p in $(cat "/proc/$init/task/$init/children"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		dbus-daemon | dbus-bridge) echo "$p" ;;
		esac
	done
	return 0
}

not() {
	! "$@"
}

two_pids() {
	[ "$(private_pids "$1" | wc -l)" -eq 2 ]
}

@test "own-private: the jailed twin owns the name on its own bus; the user's app keeps it and gets its calls" {
	local host_log=$BATS_TEST_TMPDIR/host.log host_owner
	bg python3 "$BATS_TEST_TMPDIR/app.py" host "$NAME" "$host_log" host.pdf
	wait_for_file "$host_log.up"
	host_owner=$(owner "$NAME")
	dbus_profile twin "[rights]" "allow = dbus" "[dbus]" "own-private = $NAME"

	bg jailsup run twin -c 'exec python3 -c "$1" jail "$2" "$HOME/log" first.pdf' sh \
		"$(cat "$BATS_TEST_TMPDIR/app.py")" "$NAME"
	wait_for_file "$(jail_home twin)/log.up"
	grep -qx first.pdf "$(jail_home twin)/log" || fail "the jailed app did not start"

	# The user's bus: the host app still owns the name, and a host
	# `evince outside.pdf` goes to it, not into the jail.
	[ "$(owner "$NAME")" = "$host_owner" ] || fail "owner $(owner "$NAME") is not $host_owner"
	run python3 "$BATS_TEST_TMPDIR/app.py" host "$NAME" "$host_log" outside.pdf
	assert_status 0
	assert_output_contains "host opened outside.pdf"
	! grep -q outside.pdf "$(jail_home twin)/log" || fail "the jail got the host's file"

	# A second run of the jail reaches the first instance, on the jail's bus.
	run jailsup run twin -c 'exec python3 -c "$1" jail "$2" "$HOME/log" second.pdf' sh \
		"$(cat "$BATS_TEST_TMPDIR/app.py")" "$NAME"
	assert_status 0
	assert_output_contains "jail opened second.pdf"
	grep -qx second.pdf "$(jail_home twin)/log" || fail "the first instance did not get it"
	! grep -q second.pdf "$host_log" || fail "the host app got the jail's file"
}

@test "own-private, without it: the jailed twin takes nothing from the user's app, and the name stays refused on the user's bus" {
	# What the proxy gets: own-private names are not its --own, so an app
	# that reaches the proxy's socket itself still cannot own the name there.
	local host_log=$BATS_TEST_TMPDIR/host.log
	bg python3 "$BATS_TEST_TMPDIR/app.py" host "$NAME" "$host_log" host.pdf
	wait_for_file "$host_log.up"
	dbus_profile twin "[dbus]" "own-private = $NAME.*"
	run jailsup explain twin
	assert_status 0
	[[ $output != *"--own=$NAME"* ]] || fail "the proxy owns it: $output"
	run jailsup run twin -c 'dbus-send --bus="unix:path=$XDG_RUNTIME_DIR/jailsup-host-bus" --print-reply \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName \
		string:'"$NAME"'.Other uint32:4'
	[ "$status" -ne 0 ] || fail "the jail owned the name on the user's bus: $output"
	[[ $output == *org.freedesktop.DBus.Error.AccessDenied* ||
		$output == *org.freedesktop.DBus.Error.ServiceUnknown* ]] ||
		fail "not an access error: $output"
}

@test "own-private: the jail reaches what its rules allow through the bridge, and nothing else" {
	start_service "$BUS_ADDR" org.jailsup.Test org.jailsup.Hidden org.freedesktop.Notifications
	dbus_profile talker "[dbus]" "talk = org.jailsup.Test" "own-private = $NAME"
	run jailsup run talker -c 'dbus-send --session --print-reply --dest=org.jailsup.Test /org/jailsup/Test org.jailsup.Test.Ping'
	assert_status 0
	assert_output_contains "pong org.jailsup.Test"
	# The default notifications right, through the bridge: Notify passes
	# (a{sv}: python3-dbus), the history wipe on the same object does not.
	run jailsup run talker -c "$NOTIFY"
	assert_status 0
	assert_output_contains "id 42"
	run jailsup run talker -c 'dbus-send --session --print-reply --dest=org.freedesktop.Notifications /org/freedesktop/Notifications org.freedesktop.Notifications.ClearHistory'
	[ "$status" -ne 0 ] || fail "ClearHistory passed: $output"
	[[ $output != *"history wiped"* ]] || fail "ClearHistory ran: $output"
	# A name the rules do not give: not on the jail's bus, not reachable.
	run jailsup run talker -c 'dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames'
	assert_status 0
	assert_output_contains org.jailsup.Test org.freedesktop.Notifications
	[[ $output != *org.jailsup.Hidden* ]] || fail "the hidden name is listed: $output"
	run jailsup run talker -c 'dbus-send --session --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping'
	[ "$status" -ne 0 ] || fail "the hidden name answered: $output"
	[[ $output != *pong* ]] || fail "the hidden name answered: $output"
	# Nor straight through the proxy's socket, which the jail can reach.
	run jailsup run talker -c 'dbus-send --bus="unix:path=$XDG_RUNTIME_DIR/jailsup-host-bus" --print-reply --dest=org.jailsup.Hidden /org/jailsup/Test org.jailsup.Test.Ping'
	[ "$status" -ne 0 ] || fail "the hidden name answered through the proxy: $output"
	[[ $output != *pong* ]] || fail "the hidden name answered: $output"
}

@test "own-private: a portal request's Response reaches the app on the path it computed from its own name" {
	# A stand-in for xdg-desktop-portal's FileChooser: the handle is
	# /org/freedesktop/portal/desktop/request/SENDER/TOKEN of its caller
	# (the bridge, on the user's bus), and Response comes on it, as the
	# portal documents; the results name the handle too.
	cat >"$BATS_TEST_TMPDIR/portal.py" <<'EOF'
import sys
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
REQ = "/org/freedesktop/portal/desktop/request/"


class Request(dbus.service.Object):
    @dbus.service.signal("org.freedesktop.portal.Request", signature="ua{sv}")
    def Response(self, code, results):
        pass


class Portal(dbus.service.Object):
    @dbus.service.method("org.freedesktop.portal.FileChooser", in_signature="ssa{sv}",
                         out_signature="o", sender_keyword="sender")
    def OpenFile(self, parent, title, options, sender):
        path = REQ + sender[1:].replace(".", "_") + "/" + options["handle_token"]
        req = Request(bus, path)
        GLib.timeout_add(200, lambda: req.Response(dbus.UInt32(0), {
            "uris": dbus.Array(["file:///picked.pdf"], signature="s"),
            "handle": dbus.String(path)}) and False)
        return dbus.ObjectPath(path)


name = dbus.service.BusName("org.freedesktop.portal.Desktop", bus)
portal = Portal(bus, "/org/freedesktop/portal/desktop")
GLib.MainLoop().run()
EOF
	cat >"$BATS_TEST_TMPDIR/client.py" <<'EOF'
import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
token = "jailsup_test_1"
mine = ("/org/freedesktop/portal/desktop/request/" +
        bus.get_unique_name()[1:].replace(".", "_") + "/" + token)
loop = GLib.MainLoop()


def response(code, results):
    print("response", int(code), results["uris"][0], results["handle"] == mine)
    loop.quit()


# Subscribed before the call, as the portal's documentation advises.
bus.add_signal_receiver(response, "Response", "org.freedesktop.portal.Request",
                        "org.freedesktop.portal.Desktop", mine)
portal = bus.get_object("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop")
handle = portal.OpenFile("", "pick", dbus.Dictionary({"handle_token": token}, signature="sv"),
                         dbus_interface="org.freedesktop.portal.FileChooser")
print("handle", handle == mine)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
EOF
	bg python3 "$BATS_TEST_TMPDIR/portal.py" "$BUS_ADDR"
	wait_for dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner string:org.freedesktop.portal.Desktop
	dbus_profile picker "[dbus]" "own-private = $NAME"
	run jailsup run picker -c 'exec python3 -c "$1"' sh "$(cat "$BATS_TEST_TMPDIR/client.py")"
	assert_status 0
	assert_output_contains "handle True" "response 0 file:///picked.pdf True"
}

@test "own-private: the document portal still knows the jail as its app, and fds pass the bridge" {
	local doc tool dir=$BATS_TEST_TMPDIR/shared
	for tool in /usr/libexec/xdg-document-portal /usr/libexec/xdg-permission-store fusermount3; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
	bg /usr/libexec/xdg-permission-store --replace
	bg /usr/libexec/xdg-document-portal --replace
	wait_for mountpoint -q "$XDG_RUNTIME_DIR/doc"
	wait_for dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner string:org.freedesktop.portal.Documents
	mkdir "$dir"
	echo mine >"$dir/mine.txt"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n[dbus]\nown-private = %s\n' \
		"$dir" "$NAME" | write_profile docs
	run jailsup run docs -c 'exec python3 -c "
import os, sys, dbus
docs = dbus.Interface(dbus.SessionBus().get_object(\"org.freedesktop.portal.Documents\", \"/org/freedesktop/portal/documents\"), \"org.freedesktop.portal.Documents\")
print(docs.Add(dbus.types.UnixFd(os.open(sys.argv[1], os.O_RDONLY)), True, False))
" "$1/mine.txt"' sh "$dir"
	assert_status 0
	doc=${lines[-1]}
	run python3 -c '
import sys, dbus
docs = dbus.Interface(dbus.SessionBus().get_object("org.freedesktop.portal.Documents", "/org/freedesktop/portal/documents"), "org.freedesktop.portal.Documents")
path, apps = docs.Info(sys.argv[1])
print(bytes(path).rstrip(b"\0").decode())
for app in apps:
    print("app", app)
' "$doc"
	assert_status 0
	assert_output_contains "$dir/mine.txt" "app org.jailsup.docs"
}

@test "own-private with own: the desktop still sees the jail's MPRIS name, its calls and its signals" {
	local player=org.mpris.MediaPlayer2.example
	cat >"$BATS_TEST_TMPDIR/player.py" <<'EOF'
import sys
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
IFACE = "org.mpris.MediaPlayer2.Player"


class Player(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature="", out_signature="s")
    def Where(self):
        return "in the jail"

    @dbus.service.method(IFACE, in_signature="x", out_signature="")
    def Seek(self, offset):
        self.Seeked(offset)

    @dbus.service.signal(IFACE, signature="x")
    def Seeked(self, position):
        pass


names = [dbus.service.BusName(n, bus) for n in sys.argv[1:]]
player = Player(bus, "/org/mpris/MediaPlayer2")
GLib.MainLoop().run()
EOF
	cat >"$BATS_TEST_TMPDIR/desktop.py" <<'EOF'
import sys
import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
loop = GLib.MainLoop()
IFACE = "org.mpris.MediaPlayer2.Player"
player = bus.get_object(sys.argv[1], "/org/mpris/MediaPlayer2", introspect=False)
print(player.Where(dbus_interface=IFACE))


def seeked(position):
    print("seeked", int(position))
    loop.quit()


bus.add_signal_receiver(seeked, "Seeked", IFACE, sys.argv[1], "/org/mpris/MediaPlayer2")
player.Seek(dbus.Int64(42), dbus_interface=IFACE)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
EOF
	dbus_profile player "[dbus]" "own-private = $NAME" "own = $player"
	bg jailsup run player -c 'exec python3 -c "$1" "$2" "$3"' sh "$(cat "$BATS_TEST_TMPDIR/player.py")" \
		"$NAME" "$player"
	wait_for dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.GetNameOwner "string:$player"
	# The application ID stayed in the jail.
	! name_owned "$NAME" || fail "the jail's application ID is on the user's bus"
	run python3 "$BATS_TEST_TMPDIR/desktop.py" "$player"
	assert_status 0
	assert_output_contains "in the jail" "seeked 42"
	# Gone with the jail.
	jailsup kill player
	wait_jail_gone player
	wait_for not name_owned "$player"
}

@test "own-private: the jail's dbus-daemon and bridge live in the jail and end with it" {
	dbus_profile twin "[dbus]" "own-private = $NAME"
	bg jailsup run twin -c 'touch "$HOME/up"; exec sleep 600'
	wait_for_file "$(jail_home twin)/up"
	wait_for two_pids twin
	local pids
	pids=$(private_pids twin)
	# The session bus of the jail's apps is the jail's own.
	run jailsup enter twin -- sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS"; test -S "$XDG_RUNTIME_DIR/jailsup-host-bus" && echo proxy'
	assert_status 0
	assert_output_contains "unix:path=$XDG_RUNTIME_DIR/bus" proxy
	run jailsup kill twin
	wait_jail_gone twin
	local p
	for p in $pids; do
		wait_for_gone "/proc/$p/comm"
	done
	# They keep no jail alive: once its app is done, the jail ends.
	run jailsup run twin -c 'true'
	assert_status 0
	wait_jail_gone twin
}

@test "the shipped profiles give the proxy no application ID or remoting name, and keep their MPRIS names" {
	local pair profile name
	# Evince is a non-unique app: its profile owns no name at all.
	run jailsup explain evince
	assert_status 0
	[[ $output != *"org.gnome.Evince"* ]] || fail "evince: $output"
	for pair in eog=org.gnome.eog gimp=org.gimp.GIMP \
		inkscape=org.inkscape.Inkscape transmission-gtk=com.transmissionbt.* \
		rhythmbox=org.gnome.Rhythmbox3 audacious=org.atheme.audacious \
		firefox=org.mozilla.firefox.* firefox-esr=org.mozilla.firefox_esr.* \
		firefox-secure=org.mozilla.firefox.* thunderbird=org.mozilla.thunderbird.*; do
		profile=${pair%%=*} name=${pair#*=}
		run jailsup explain "$profile"
		assert_status 0
		[[ $output != *"--own=$name"* ]] || fail "$profile: the proxy owns $name for it"
		[[ $output == *"where its apps own:"*"  $name"$'\n'* ]] ||
			fail "$profile: $name is not on the jail's own bus: $output"
	done
	for pair in rhythmbox=org.mpris.MediaPlayer2.rhythmbox firefox=org.mpris.MediaPlayer2.firefox.*; do
		profile=${pair%%=*} name=${pair#*=}
		run jailsup explain "$profile"
		assert_output_contains "--own=$name"
	done
}

# The attack on the bridge's binary: from its /proc/PID/exe, an O_PATH fd
# that outlives the bridge, reopened for writing through /proc/self/fd
# once nothing runs it. With an install the user owns (PREFIX=~/.local,
# or a build tree), every own-private jail started after would run the
# attacker's code. The jail prints what it got; the binary must be
# unchanged and the next jail's bridge must still work.
BRIDGE_ATTACK='
import os, signal, sys, time
pid = [p for p in os.listdir("/proc") if p.isdigit() and
       open("/proc/%s/comm" % p).read().strip() == "dbus-bridge"][0]
try:
    fd = os.open("/proc/%s/exe" % pid, os.O_PATH)
except OSError as e:
    sys.exit("exe refused: %s" % e)
os.kill(int(pid), signal.SIGKILL)
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    try:
        if open("/proc/%s/stat" % pid).read().split(")")[1].split()[0] == "Z":
            break
    except OSError:
        break
    time.sleep(0.05)
try:
    w = os.open("/proc/self/fd/%d" % fd, os.O_WRONLY | os.O_TRUNC)
    os.write(w, open("/usr/bin/touch", "rb").read())
except OSError as e:
    sys.exit("write refused: %s" % e)
print("REWROTE the bridge")
'

@test "own-private: a jail cannot rewrite the bridge other jails run, even from an install the user owns" {
	local inst=$BATS_TEST_TMPDIR/inst
	mkdir -p "$inst"
	cp -R "$JAILSUP_BUILD/bin" "$JAILSUP_BUILD/libexec" "$JAILSUP_BUILD/share" "$inst/"
	[ -O "$inst/libexec/jailsup/dbus-bridge" ] || fail "the copied bridge is not the user's"
	cp "$inst/libexec/jailsup/dbus-bridge" "$BATS_TEST_TMPDIR/bridge.orig"
	export PATH="$inst/bin:$PATH"
	dbus_profile attacker "[dbus]" "own-private = $NAME"
	dbus_profile victim "[dbus]" "own-private = org.example.B"
	bg jailsup run attacker -c 'touch "$HOME/up"; exec sleep 600'
	wait_for_file "$(jail_home attacker)/up"
	wait_for two_pids attacker
	run jailsup enter attacker -- python3 -c "$BRIDGE_ATTACK"
	echo "attacker: $output"
	[[ $output != *REWROTE* ]] || fail "the jail rewrote the bridge: $output"
	cmp "$BATS_TEST_TMPDIR/bridge.orig" "$inst/libexec/jailsup/dbus-bridge" ||
		fail "the user's bridge changed"
	jailsup kill attacker
	wait_jail_gone attacker
	# The next jail runs the real bridge: its app owns its name.
	run jailsup run victim -c 'python3 -c "import dbus; print(\"owned\", dbus.SessionBus().request_name(\"org.example.B\", 4))"'
	assert_status 0
	assert_output_contains "owned 1"
}

@test "own-private: an own pattern that matches an own-private name is refused, with where" {
	# own = org.example.* would let the proxy, and the bridge, take
	# org.example.App on the user's bus.
	dbus_profile overlap "[dbus]" "own-private = $NAME" "own = org.example.*"
	run jailsup run overlap -c 'echo started'
	[ "$status" -ne 0 ] || fail "the profile was accepted"
	assert_output_contains "overlap.ini:6: 'org.example.*' in 'own' overlaps '$NAME' in 'own-private'"
	[[ $output != *started* ]] || fail "the jail started"
	dbus_profile overlap "[dbus]" "own = org.example.*" "own-private = $NAME"
	run jailsup run overlap -c 'echo started'
	[ "$status" -ne 0 ] || fail "the profile was accepted"
	assert_output_contains "overlap.ini:6: '$NAME' in 'own-private' overlaps 'org.example.*' in 'own'"
}

@test "own-private: the jail's dbus-daemon never comes from \$PATH, which leads into the jail's home" {
	dbus_profile twin "[dbus]" "own-private = $NAME"
	# The jail plants a dbus-daemon where a usual PATH looks first.
	run jailsup run twin -c 'mkdir -p "$HOME/.local/bin" &&
		printf "#!/bin/sh\ntouch \"\$HOME/planted-ran\"\nexec /usr/bin/dbus-daemon \"\$@\"\n" >"$HOME/.local/bin/dbus-daemon" &&
		chmod +x "$HOME/.local/bin/dbus-daemon" && echo planted'
	assert_status 0
	assert_output_contains planted
	wait_jail_gone twin
	jailsup_cleanup
	export PATH="$HOME/.local/bin:$PATH"
	run jailsup run twin -c 'echo "bus: $DBUS_SESSION_BUS_ADDRESS"'
	assert_status 0
	assert_output_contains "bus: unix:path="
	[ ! -e "$(jail_home twin)/planted-ran" ] || fail "the jail's own dbus-daemon ran as its bus"
}

@test "own-private: what the jail writes through the bus's stderr is marked as its bus's, never as its init script's" {
	dbus_profile twin "[dbus]" "own-private = $NAME"
	bg jailsup run twin -c 'touch "$HOME/up"; exec sleep 600'
	wait_for_file "$(jail_home twin)/up"
	wait_for two_pids twin
	run jailsup enter twin -- sh -c '
for p in /proc/[0-9]*; do
	c=$(cat "$p/comm" 2>/dev/null) || continue
	case $c in
	dbus-daemon | dbus-bridge)
		{ echo "forged-by-$c supervisor: jail ok" >"$p/fd/2"; } 2>/dev/null &&
			echo "wrote $c" || echo "refused $c" ;;
	esac
done'
	assert_status 0
	# The bridge is not dumpable: its fds are not the jail's to open.
	assert_output_contains "refused dbus-bridge" "wrote dbus-daemon"
	run jailsup kill twin
	wait_jail_gone twin
	run cat "$(state_dir twin)/log"
	[[ $output != *"init[twin]: forged-by"* ]] || fail "marked as the init script's: $output"
	assert_output_contains "bus[twin]: forged-by-dbus-daemon supervisor: jail ok"
}

@test "own-private: a runtime dir with spaces and punctuation still gets its private bus" {
	jailsup_cleanup
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run time,x=y;z%"
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 0700 "$XDG_RUNTIME_DIR"
	dbus_profile twin "[dbus]" "own-private = $NAME"
	run jailsup run twin -c 'python3 -c "import dbus; print(\"owned\", dbus.SessionBus().request_name(\"org.example.App\", 4))"'
	assert_status 0
	assert_output_contains "owned 1"
}

@test "own-private in a session with no bus: the jail starts on its own bus, its app owns its name there" {
	# The address names nothing: no session bus behind the proxy.
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$BATS_TEST_TMPDIR/no-bus"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[dbus]\nown-private = %s\n' "$NAME" |
		write_profile nobus
	run --separate-stderr jailsup run nobus -c "dbus-send --session --print-reply \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.RequestName \
		string:$NAME uint32:4"
	[ "$status" -eq 0 ] || fail "status $status: $stderr$output"
	[[ $output == *"uint32 1"* ]] || fail "not the primary owner on its own bus: $output"
	[[ $stderr != *"Failed to open connection"* ]] || fail "noise on stderr: $stderr"
	grep -q "bus\[nobus\]: dbus-bridge: the user's session bus is not reachable" \
		"$(state_dir nobus)/log" || fail "the log: $(cat "$(state_dir nobus)/log")"
}
