# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Helpers of the D-Bus tests (30-dbus, 31-dbus-private): small services of
# python3-dbus on a bus of the test, and profiles of /bin/sh.

# start_service ADDR NAME…: the test service on the bus ADDR, owning each
# NAME. Every name gets /org/jailsup/Test with org.jailsup.Test.Ping →
# "pong NAME"; org.freedesktop.Notifications also gets the notification
# methods and ClearHistory (the clipboard manager's wipe) at
# /org/freedesktop/Notifications. Waits until every name is owned.
start_service() {
	local addr=$1 name
	shift
	cat >"$BATS_TEST_TMPDIR/service.py" <<'EOF'
import sys
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])


class Test(dbus.service.Object):
    def __init__(self, name):
        self.name = name
        dbus.service.Object.__init__(self, bus, "/org/jailsup/Test")

    @dbus.service.method("org.jailsup.Test", in_signature="", out_signature="s")
    def Ping(self):
        return "pong " + self.name


class Notifications(dbus.service.Object):
    IFACE = "org.freedesktop.Notifications"

    def __init__(self):
        dbus.service.Object.__init__(self, bus, "/org/freedesktop/Notifications")

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        return 42

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, id):
        pass

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("test", "jailsup", "1", "1.2")

    @dbus.service.method(IFACE, in_signature="", out_signature="s")
    def ClearHistory(self):
        return "history wiped"


keep = []
for name in sys.argv[2:]:
    keep.append(dbus.service.BusName(name, bus))
    if name == "org.freedesktop.Notifications":
        keep.append(Notifications())
    else:
        keep.append(Test(name))
GLib.MainLoop().run()
EOF
	# One object path serves every test name: the last Test object wins,
	# so each name gets its own connection.
	for name in "$@"; do
		bg python3 "$BATS_TEST_TMPDIR/service.py" "$addr" "$name"
	done
	for name in "$@"; do
		wait_for dbus-send --bus="$addr" --print-reply --dest=org.freedesktop.DBus \
			/org/freedesktop/DBus org.freedesktop.DBus.GetNameOwner "string:$name"
	done
}

# dbus_profile NAME [LINE…]: /bin/sh, no network, then LINEs (sections too).
dbus_profile() {
	local name=$1
	shift
	{
		echo "[jail]"
		echo "exec = /bin/sh"
		echo "network = none"
		printf '%s\n' "$@"
	} | write_profile "$name"
}

# A Notify call from the jail, which prints "id N" (dbus-send has no
# a{sv}: python3-dbus).
# shellcheck disable=SC2034 # for the tests
NOTIFY='/usr/bin/python3 -c "
import dbus
n = dbus.SessionBus().call_blocking(\"org.freedesktop.Notifications\", \"/org/freedesktop/Notifications\", \"org.freedesktop.Notifications\", \"Notify\", \"susssasa{sv}i\", (\"app\", 0, \"\", \"hi\", \"body\", [], {}, -1))
print(\"id\", n)
"'
