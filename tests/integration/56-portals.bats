#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The portals (docs/jail.md "Portals"): a jail is a sandboxed app for
# xdg-desktop-portal and the document portal, org.jailsup.NAME, told by the
# /.flatpak-info in the root of its bus connection (its xdg-dbus-proxy) and
# in its own root; what the user shares with it through the document
# portal appears at $XDG_RUNTIME_DIR/doc, and nothing else does. Played
# with the real xdg-document-portal, xdg-permission-store and
# xdg-desktop-portal (Debian 12) on a private session bus of the test.

# $output and $status come from bats' run; the scripts run in jails are
# single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

ID=org.jailsup.docs

setup() {
	local tool
	for tool in /usr/libexec/xdg-document-portal /usr/libexec/xdg-permission-store \
		/usr/libexec/xdg-desktop-portal /usr/libexec/xdg-desktop-portal-gtk fusermount3 \
		python3 Xvfb; do
		command -v "$tool" >/dev/null || fail "'$tool' is not installed (scripts/packages.txt)"
	done
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
	bg /usr/libexec/xdg-permission-store --replace
	bg /usr/libexec/xdg-document-portal --replace
	# Ready once its FUSE file system is mounted.
	wait_for mountpoint -q "$XDG_RUNTIME_DIR/doc"
	sh_profile docs
	cat >"$BATS_TEST_TMPDIR/docs.py" <<'EOF'
# docs.py add FILE | grant DOC APP | info DOC: the Documents API, as a
# file chooser or a file manager uses it.
import os
import sys
import dbus

bus = dbus.SessionBus()
docs = dbus.Interface(bus.get_object("org.freedesktop.portal.Documents",
                                     "/org/freedesktop/portal/documents"),
                      "org.freedesktop.portal.Documents")
if sys.argv[1] == "add":
    fd = os.open(sys.argv[2], os.O_PATH | os.O_CLOEXEC)
    print(docs.Add(dbus.types.UnixFd(fd), True, False))
elif sys.argv[1] == "grant":
    docs.GrantPermissions(sys.argv[2], sys.argv[3], ["read"])
elif sys.argv[1] == "info":
    path, apps = docs.Info(sys.argv[2])
    print(bytes(path).rstrip(b"\0").decode())
    for app, perms in apps.items():
        print(app, ",".join(perms))
EOF
}

teardown() {
	jail_teardown
	# The portal's FUSE mount outlives a killed portal: the test's runtime
	# dir must go.
	fusermount3 -u -z "$XDG_RUNTIME_DIR/doc" 2>/dev/null || true
}

docs() {
	python3 "$BATS_TEST_TMPDIR/docs.py" "$@"
}

name_up() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q true
}

@test "a file the user shares with the jail appears at \$XDG_RUNTIME_DIR/doc, and only that file" {
	local shared secret
	echo "for the jail" >"$BATS_TEST_TMPDIR/shared.txt"
	echo "not for the jail" >"$BATS_TEST_TMPDIR/secret.txt"
	shared=$(docs add "$BATS_TEST_TMPDIR/shared.txt")
	secret=$(docs add "$BATS_TEST_TMPDIR/secret.txt")
	docs grant "$shared" "$ID"

	run jailsup run docs -c 'ls "$XDG_RUNTIME_DIR/doc"; cat "$XDG_RUNTIME_DIR/doc/'"$shared"'/shared.txt"
		ls "$XDG_RUNTIME_DIR/doc/'"$secret"'" 2>&1 || echo "no secret"
		ls "$XDG_RUNTIME_DIR/doc/by-app" 2>&1 || echo "no other app"'
	assert_status 0
	[ "${lines[0]}" = "$shared" ] || fail "$output"
	[ "${lines[1]}" = "for the jail" ] || fail "$output"
	assert_output_contains "no secret" "no other app"
	[[ $output != *"not for the jail"* ]] || fail "$output"

	# Shared while the jail runs: there at once, as from a file chooser.
	bg jailsup run docs -c 'echo up >"$HOME/up"; exec sleep 600'
	wait_for_file "$(jail_home docs)/up"
	local late secret_late
	secret_late=$(docs add "$BATS_TEST_TMPDIR/secret.txt")
	echo "later" >"$BATS_TEST_TMPDIR/later.txt"
	late=$(docs add "$BATS_TEST_TMPDIR/later.txt")
	docs grant "$late" "$ID"
	run jailsup enter docs -- sh -c 'cat "$XDG_RUNTIME_DIR/doc/'"$late"'/later.txt"; ls "$XDG_RUNTIME_DIR/doc"'
	assert_status 0
	assert_output_contains "later" "$late"
	[[ $output != *"$secret_late"* ]] || [ "$secret_late" = "$shared" ] || fail "$output"
}

@test "the portals know a call from inside the jail as the jail's app, through its proxy" {
	local doc dir=$BATS_TEST_TMPDIR/shared
	# A file the jail sees at the host's path (a read-only share), given to
	# the document portal from inside: the portal grants it to the caller's
	# app, which it can only know from the proxy's /.flatpak-info. (A file
	# of the jail's private home has another file at that path on the host:
	# the portal refuses it, rightly.)
	mkdir "$dir"
	echo mine >"$dir/mine.txt"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n' "$dir" | write_profile docs
	cat >"$dir/add.py" <<'PY'
import sys
import os
import dbus

docs = dbus.Interface(dbus.SessionBus().get_object("org.freedesktop.portal.Documents",
                                                   "/org/freedesktop/portal/documents"),
                      "org.freedesktop.portal.Documents")
print(docs.Add(dbus.types.UnixFd(os.open(sys.argv[1], os.O_RDONLY)), True, False))
PY
	run jailsup run docs -c 'python3 "$1/add.py" "$1/mine.txt"' sh "$dir"
	assert_status 0
	doc=${lines[-1]}
	run docs info "$doc"
	assert_status 0
	assert_output_contains "$dir/mine.txt" "$ID "
	# A host app adding a file grants it to no app at all.
	echo host >"$BATS_TEST_TMPDIR/host.txt"
	run docs info "$(docs add "$BATS_TEST_TMPDIR/host.txt")"
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
}

@test "the jail's /.flatpak-info names it and cannot be written, removed or replaced from inside" {
	run jailsup run docs -c 'cat /.flatpak-info
		echo "[Application]" >/.flatpak-info 2>/dev/null && echo WROTE
		echo "name=org.gnome.Evil" >>/.flatpak-info 2>/dev/null && echo APPENDED
		rm -f /.flatpak-info 2>/dev/null && echo REMOVED
		printf "[Application]\nname=x\n" >/tmp/fake; mv /tmp/fake /.flatpak-info 2>/dev/null && echo REPLACED
		chmod 666 /.flatpak-info 2>/dev/null && echo CHMOD
		grep -c "^name=" /.flatpak-info'
	assert_status 0
	assert_output_contains "name=$ID"
	for word in WROTE APPENDED REMOVED REPLACED CHMOD; do
		[[ $output != *$word* ]] || fail "$word: $output"
	done
	[ "${lines[-1]}" = 1 ] || fail "$output"
	# The state dir's copy, the source of both binds, is not the jail's to
	# reach.
	run jailsup run docs -c 'ls "$XDG_RUNTIME_DIR/jailsup" 2>&1 || echo "no state"'
	assert_output_contains "no state"
}

# portal_profile NAME DENY: a shell jail that may read the probe and is
# denied the rights DENY (x11 always: the probe needs no display).
portal_profile() {
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n[rights]\ndeny = x11%s\n' \
		"$BATS_TEST_TMPDIR/probe.py" "${2:+, $2}" | write_profile "$1"
}

@test "deny = portals: no /.flatpak-info, no documents, no portal calls; deny = open-uri stops only OpenURI" {
	cat >"$BATS_TEST_TMPDIR/probe.py" <<'PY'
import dbus

BLOCKED = ("org.freedesktop.DBus.Error.AccessDenied",
           "org.freedesktop.DBus.Error.ServiceUnknown",
           "org.freedesktop.DBus.Error.NameHasNoOwner")
try:
    portal = dbus.SessionBus().get_object("org.freedesktop.portal.Desktop",
                                          "/org/freedesktop/portal/desktop")
except dbus.DBusException as e:
    portal = e.get_dbus_name()  # the name is not seen at all
no_options = dbus.Dictionary({}, signature="sv")
# A scheme nothing handles: nothing opens, on the host or anywhere else.
for iface, method, args in (("org.freedesktop.portal.OpenURI", "OpenURI",
                             ("", "jailsup-test:nowhere", no_options)),
                            ("org.freedesktop.portal.FileChooser", "OpenFile",
                             ("", "t", no_options))):
    if isinstance(portal, str):
        print(method, "blocked", portal)
        continue
    try:
        portal.get_dbus_method(method, iface)(*args)
        print(method, "reached")
    except dbus.DBusException as e:
        # The proxy refuses with AccessDenied (a call not allowed) or as
        # if the name had no owner (a name not seen); any other error
        # comes from the portal itself.
        name = e.get_dbus_name()
        print(method, "blocked" if name in BLOCKED else "reached", name)
PY
	# The real portal and its GTK backend (whose dialogs need a display),
	# which it picks for a GNOME session.
	start_xvfb
	export XDG_CURRENT_DESKTOP=GNOME
	bg /usr/libexec/xdg-desktop-portal-gtk --replace
	wait_for name_up org.freedesktop.impl.portal.desktop.gtk
	bg /usr/libexec/xdg-desktop-portal --replace
	wait_for name_up org.freedesktop.portal.Desktop
	portal_profile docs ""
	portal_profile nouri open-uri
	portal_profile noportals portals

	run jailsup run docs -c 'python3 "$1"' sh "$BATS_TEST_TMPDIR/probe.py"
	assert_status 0
	assert_output_contains "OpenURI reached" "OpenFile reached"

	run jailsup run nouri -c 'python3 "$1"' sh "$BATS_TEST_TMPDIR/probe.py"
	assert_status 0
	assert_output_contains "OpenURI blocked" "OpenFile reached"

	run jailsup run noportals -c 'python3 "$1"
		test -e /.flatpak-info && echo "has info"
		test -e "$XDG_RUNTIME_DIR/doc" && echo "has doc"; true' sh "$BATS_TEST_TMPDIR/probe.py"
	assert_status 0
	assert_output_contains "OpenURI blocked" "OpenFile blocked"
	[[ $output != *"has info"* && $output != *"has doc"* ]] || fail "$output"
}
