#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The clipboard bridge between the user's display and a jail's own X
# server (docs/jail.md "The clipboard bridge"; profile key `clipboard`).
# The host is a real Xvfb with a cookie, the jail's side is played from
# inside real jails with xclip and, for the hostile owner, python-xlib:
# text copied on the host is pasted in the jail (to-jail, both); text
# copied in the jail reaches the host only with both; a jail's selection
# that is huge, INCR or not text is refused without harming the bridge;
# the bridge runs confined and dies with the jail.

# $output, $status and $lines come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2030,SC2031,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers
load server-helpers

setup() {
	require_tools Xvfb Xephyr xauth mcookie xclip python3
	python3 -c 'import Xlib' 2>/dev/null || fail "python3-xlib is not installed"
	start_host_display
}

# clip_profile NAME [LINE]…: /bin/sh with the jail's own X server.
clip_profile() {
	local name=$1
	shift
	{
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n'
		printf '[rights]\nallow = x11\n'
		printf '%s\n' "$@"
	} | write_profile "$name"
}

# start_jail NAME: a jail that stays until the test ends.
start_jail() {
	bg jailsup run "$1" -c 'exec sleep 1000'
	wait_status "$1" running
}

bridges() {
	pgrep -u "$(id -u)" -x clipboard
}

no_bridge() {
	! bridges >/dev/null
}

# host_copy TEXT: TEXT on the host's CLIPBOARD, owned by an xclip of ours.
host_copy() {
	local f=$BATS_TEST_TMPDIR/host-copy.$RANDOM
	printf '%s' "$1" >"$f"
	[ -z "${HOST_XCLIP:-}" ] || kill "$HOST_XCLIP" 2>/dev/null || :
	bg xclip -quiet -selection clipboard -i "$f"
	HOST_XCLIP=$BG_PID
	wait_for host_paste_is "$1"
}

# host_uncopy: the host's CLIPBOARD has no owner any more.
host_uncopy() {
	kill "$HOST_XCLIP"
	HOST_XCLIP=
	wait_for host_paste_fails
}

host_paste_is() {
	[ "$(timeout 5 xclip -o -selection clipboard 2>/dev/null)" = "$1" ]
}

host_paste_fails() {
	! timeout 5 xclip -o -selection clipboard >/dev/null 2>&1
}

# jail_log NAME: what the jail's log says (the bridge's lines among it).
jail_log() {
	cat "$(state_dir "$1")/log"
}

# jail_paste NAME: the jail's CLIPBOARD, read in the jail.
jail_paste() {
	jailsup run "$1" -c 'timeout 5 xclip -o -selection clipboard' 2>/dev/null
}

jail_paste_is() {
	[ "$(jail_paste "$1")" = "$2" ]
}

jail_paste_fails() {
	! jail_paste "$1" >/dev/null
}

# jail_copy NAME TEXT: TEXT on the jail's CLIPBOARD, by an xclip in the
# jail (it stays there, serving it); TEXT is plain words.
jail_copy() {
	jailsup run "$1" -c "printf '%s' '$2' | xclip -selection clipboard -i >/dev/null 2>&1"
	wait_for jail_paste_is "$1" "$2"
}

# leaks_to_host NAME: the bridge is up (what the host copies is pasted in
# the jail, or, with off, the jail is running), the host's clipboard is
# then let go, the jail copies a secret: true when the host can paste it
# within 3 s. With both it takes milliseconds; the same steps must never
# succeed with to-jail or off.
leaks_to_host() {
	local name=$1 mode=$2
	host_copy "sync-$RANDOM"
	if [ "$mode" != off ]; then
		wait_for jail_paste_is "$name" "$(timeout 5 xclip -o -selection clipboard)"
	fi
	host_uncopy
	if [ "$mode" != off ]; then
		wait_for jail_paste_fails "$name"
	fi
	jail_copy "$name" JAILSECRET
	JAILSUP_WAIT_TIMEOUT=3 wait_for host_paste_is JAILSECRET 2>/dev/null
}

@test "to-jail, the default: what the host copies is pasted in the jail, and nothing of the jail's reaches the host" {
	clip_profile cj
	start_jail cj
	host_copy "copied on the host ü"
	wait_for jail_paste_is cj "copied on the host ü" || fail "$(jail_log cj)"
	# A new copy replaces it at once.
	host_copy "a second copy"
	wait_for jail_paste_is cj "a second copy"
	# Only text: the targets offered are an allowlist.
	run jailsup run cj -c 'timeout 5 xclip -o -selection clipboard -t TARGETS'
	assert_status 0
	[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "TARGETS TEXT UTF8_STRING " ] ||
		fail "the targets offered in the jail: $output"
	run jailsup run cj -c 'timeout 5 xclip -o -selection clipboard -t image/png'
	[ "$status" -ne 0 ] || fail "an image target was served: $output"
	if leaks_to_host cj to-jail; then
		fail "with to-jail the jail's copy reached the host"
	fi
	[ "$(bridges | wc -l)" -eq 1 ] || fail "not one bridge: $(bridges)"
	run jailsup explain cj
	assert_output_contains "clipboard = to-jail: what you copy can be pasted in the jail"
}

@test "both: what the jail copies is pasted on the host, and the host's in the jail" {
	clip_profile cb "clipboard = both"
	start_jail cb
	host_copy "from the host"
	wait_for jail_paste_is cb "from the host" || fail "$(jail_log cb)"
	leaks_to_host cb both || fail "with both the jail's copy did not reach the host"
	jail_copy cb "second words"
	wait_for host_paste_is "second words"
	# And back again: the host's new copy wins in the jail.
	host_copy "the host again"
	wait_for jail_paste_is cb "the host again"
}

@test "off: no bridge runs; the jail pastes nothing of the host's and gives it nothing" {
	clip_profile co "clipboard = off"
	start_jail co
	host_copy "host secret"
	jail_paste_fails co || fail "the jail pasted the host's clipboard: $(jail_paste co)"
	no_bridge || fail "a bridge runs: $(bridges)"
	if leaks_to_host co off; then
		fail "with off the jail's copy reached the host"
	fi
	# The jail's own X server keeps its own clipboard.
	jail_paste_is co JAILSECRET || fail "the jail's own clipboard is lost"
	run jailsup explain co
	assert_output_contains "clipboard = off: none"
}

@test "secure = true with x11: the clipboard is off unless the profile asks" {
	write_profile cs <<EOF
[jail]
exec = /bin/sh
secure = true
network = none
[rights]
allow = x11
EOF
	start_jail cs
	host_copy "host secret"
	jail_paste_fails cs || fail "a secure jail pasted the host's clipboard"
	no_bridge || fail "a bridge runs: $(bridges)"
}

# The hostile owner: python-xlib in the jail owns CLIPBOARD and answers
# every request with MODE: a 1.2 MiB UTF8_STRING written straight into the
# property (appended in pieces, no INCR), an INCR reply, a PNG, or
# bytes that are not UTF-8. It touches HOME/owning once it owns.
hostile_owner() {
	local name=$1 mode=$2 home
	home=$(jail_home "$name")
	cat >"$home/hostile.py" <<'EOF'
import os, sys
from Xlib import X, display, xauth
from Xlib.protocol import event
from Xlib.support import connect

# python-xlib matches no FamilyWild entry, the jail's one cookie.
entry = xauth.Xauthority().entries[0]
connect.get_auth = lambda *args: (entry[3], entry[4])
mode = sys.argv[1]
d = display.Display()
w = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
clip = d.intern_atom("CLIPBOARD")
w.set_selection_owner(clip, X.CurrentTime)
d.sync()
open(os.path.expanduser("~/owning"), "w").close()
utf8 = d.intern_atom("UTF8_STRING")
while True:
    e = d.next_event()
    if e.type != X.SelectionRequest:
        continue
    prop = e.property or e.target
    r = e.requestor
    if mode == "huge":
        # Five requests of 240 KiB (no BIG-REQUESTS here): fast enough
        # to beat the bridge's 2 s, and over its 1 MiB.
        chunk = b"A" * (240 * 1024)
        r.change_property(prop, utf8, 8, chunk)
        for _ in range(4):
            r.change_property(prop, utf8, 8, chunk, X.PropModeAppend)
    elif mode == "incr":
        r.change_property(prop, d.intern_atom("INCR"), 32, [50 * 1024 * 1024])
    elif mode == "png":
        r.change_property(prop, d.intern_atom("image/png"), 8, b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    elif mode == "latin1":
        r.change_property(prop, utf8, 8, b"caf\xe9 \xff\xfe")
    ev = event.SelectionNotify(time=e.time, requestor=r, selection=e.selection,
                               target=e.target, property=prop)
    r.send_event(ev)
    d.flush()
EOF
	rm -f "$home/owning"
	bg jailsup run "$name" -c "exec python3 \"\$HOME/hostile.py\" $mode"
	wait_for_file "$home/owning"
}

@test "a jail's huge, INCR, image or non-UTF-8 selection is refused: the host gets nothing, the bridge lives on" {
	clip_profile ch "clipboard = both"
	start_jail ch
	jail_copy ch "first words"
	wait_for host_paste_is "first words" || fail "$(jail_log ch)"
	pid=$(bridges)
	[[ $pid =~ ^[0-9]+$ ]] || fail "not one bridge: '$pid'"
	for mode in huge incr png latin1; do
		hostile_owner ch "$mode"
		run --separate-stderr timeout 10 xclip -o -selection clipboard
		[ "$status" -ne 0 ] || fail "$mode: the host pasted ${#output} bytes"
		[ -z "$output" ] || fail "$mode: the host got: ${output:0:80}"
		kill "$BG_PID"
		_alive "$pid" || fail "$mode: the bridge is gone"
	done
	grep -q 'larger than 1 MiB' "$(state_dir ch)/log" || fail "no line for the huge one: $(cat "$(state_dir ch)/log")"
	# Still working, the same process.
	jail_copy ch "after the storm"
	wait_for host_paste_is "after the storm"
	[ "$(bridges)" = "$pid" ] || fail "the bridge was replaced: $(bridges)"
}

# A host owner that answers every UTF8_STRING request with "counted" and
# writes one line per request to COUNT.
host_counting_owner() {
	local count=$1
	cat >"$BATS_TEST_TMPDIR/counting.py" <<'EOF'
import sys
from Xlib import X, display
from Xlib.protocol import event

d = display.Display()
w = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
clip, utf8 = d.intern_atom("CLIPBOARD"), d.intern_atom("UTF8_STRING")
w.set_selection_owner(clip, X.CurrentTime)
d.sync()
while True:
    e = d.next_event()
    if e.type != X.SelectionRequest:
        continue
    prop = X.NONE
    if e.target == utf8:
        with open(sys.argv[1], "a") as f:
            f.write("request\n")
        prop = e.property or e.target
        e.requestor.change_property(prop, utf8, 8, b"counted")
    e.requestor.send_event(event.SelectionNotify(time=e.time, requestor=e.requestor,
        selection=e.selection, target=e.target, property=prop))
    d.flush()
EOF
	bg python3 "$BATS_TEST_TMPDIR/counting.py" "$count"
	wait_for host_paste_is counted
	: >"$count"
}

@test "a flood of pastes in the jail costs the host's owner one conversion" {
	clip_profile cf
	start_jail cf
	count=$BATS_TEST_TMPDIR/requests
	host_counting_owner "$count"
	wait_for jail_paste_is cf counted || fail "$(jail_log cf)"
	run jailsup run cf -c '
		for _ in $(seq 30); do timeout 5 xclip -o -selection clipboard; echo; done | sort | uniq -c'
	assert_status 0
	[ "$(echo "$output" | tr -s ' ')" = " 30 counted" ] || fail "the pastes gave: $output"
	[ "$(wc -l <"$count")" -eq 1 ] || fail "the host's owner was asked $(wc -l <"$count") times"
}

@test "the bridge runs confined: its own network and PID namespaces, no_new_privs, seccomp, no home" {
	clip_profile cc "clipboard = both"
	start_jail cc
	wait_for bridges || fail "$(cat "$(state_dir cc)/log")"
	pid=$(bridges)
	[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
		fail "the bridge is in the host's network namespace"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] ||
		fail "the bridge is in the host's PID namespace"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status" || fail "no no_new_privs"
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status" || fail "no seccomp filter"
	grep -q '^CapEff:[[:space:]]*0*$' "/proc/$pid/status" || fail "capabilities left"
	# Its root: nothing of the user's home or the jail's (only the two
	# displays' sockets and cookies are bound in).
	run grep -E " ($HOME|$XDG_DATA_HOME)(/| )" "/proc/$pid/mountinfo"
	[ "$status" -ne 0 ] || fail "the bridge sees: $output"
}

@test "the bridge dies with the jail: jailsup kill, and the jailer killed -9" {
	clip_profile cl
	start_jail cl
	wait_for bridges
	jailsup kill cl
	wait_for no_bridge

	start_jail cl
	wait_for bridges
	jailer=$(state_get cl jailer-pid)
	[[ $jailer =~ ^[0-9]+$ ]] || fail "no jailer recorded: '$jailer'"
	kill -KILL "$jailer"
	wait_for no_bridge
}

@test "clipboard = maybe is refused with its line" {
	clip_profile cbad "clipboard = maybe"
	run jailsup run cbad -c true
	[ "$status" -ne 0 ] || fail "started: $output"
	assert_output_contains "cbad.ini:6: invalid value 'maybe' for 'clipboard' (expected off, to-jail or both)"
}
