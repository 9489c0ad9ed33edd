#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every shipped profile whose app Debian 12 packages runs that app for
# real (scripts/packages.txt), in the profile as shipped, under the test's
# own servers: an Xvfb display with a cookie, the session bus and
# pulseaudio (with a null sink to play into). Each app gets the jail's own
# X server (the x11 right): its window is found on the jail's display
# (xdotool inside the jail, `jailsup enter`), Xephyr's window on the
# test's display, and a screenshot of that window must show more than a
# blank screen. A viewer or player opens a real file, made at test time
# (make-media.py) in the folder its profile shares. Then `jailsup kill`
# must leave nothing: no process the start made is left but the
# supervisor and its standby jailer (none of the app's, no Xephyr, no
# proxy), and `jailsup list` shows the jail as not running.
#
# The browsers are 53-browsers.bats; signal-desktop and element-desktop are
# not packaged by Debian 12 (51-profiles.bats still parses and starts them
# with a stand-in). Every wait is for an event with a deadline: a cold
# start of the heaviest apps (LibreOffice, GIMP, Krita) takes 10 to 30 s
# on two shared cores.

# $output and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load server-helpers
load supervisor-helpers

MEDIA=$BATS_TEST_DIRNAME/make-media.py

setup() {
	require_tools Xvfb Xephyr xauth mcookie xdotool xwd xwdtopnm pulseaudio pactl dbus-daemon \
		xdg-dbus-proxy jq python3
	COOKIE=$(mcookie)
	xauth -q -f "$BATS_TEST_TMPDIR/server.auth" add :0 . "$COOKIE"
	start_xvfb -auth "$BATS_TEST_TMPDIR/server.auth" -screen 0 1600x1000x24
	export XAUTHORITY=$BATS_TEST_TMPDIR/client.auth
	xauth -q add ":$XNUM" . "$COOKIE"
	start_pulse
	pactl load-module module-null-sink sink_name=jailsup57 >/dev/null
	start_bus session
	export DBUS_SESSION_BUS_ADDRESS=$BUS_ADDR
}

# in_share DIR KIND: a new file of KIND in ~/DIR (made, with DIR, when
# missing; both removed after the test); prints its path.
in_share() {
	local dir=$HOME/$1 f
	if [ ! -e "$dir" ]; then
		mkdir "$dir"
		remove_after "$dir"
	fi
	f=$dir/jailsup-57-$$-$BATS_TEST_NUMBER.$2
	remove_after "$f"
	python3 "$MEDIA" "$2" "$f"
	echo "$f"
}

# make_shares DIR…: the shared folders a profile names exist.
make_shares() {
	local d
	for d in "$@"; do
		if [ ! -e "$HOME/$d" ]; then
			mkdir "$HOME/$d"
			remove_after "$HOME/$d"
		fi
	done
}

# ours: our processes as "PID ARGS", but for the test's own shells and
# the tools listing them.
ours() {
	ps -u "$(id -u)" -o pid=,comm=,args= |
		awk '$2 !~ /^(bash|ps|awk|sort|comm|grep|bats.*)$/ { $2 = ""; print }' | sort
}

# new_processes: what ours lists that it did not at app_up's start
# ($BEFORE), but for the supervisor and its standby jailer, which outlive
# a jail.
new_processes() {
	comm -13 "$BEFORE" <(ours) | grep -vE '^[0-9]+  (jailsup daemon|jailer --standby)$' || :
}

no_new_process() {
	[ -z "$(new_processes)" ]
}

xephyrs() {
	pgrep -u "$(id -u)" -x Xephyr
}

# colours_of_window WIN: how many colours the test display's window WIN
# shows (a blank Xephyr screen has one or two).
colours_of_window() {
	xwd -id "$1" -silent | xwdtopnm 2>/dev/null | python3 -c '
import sys
data = sys.stdin.buffer.read()
parts = data.split(maxsplit=4)
w, h = int(parts[1]), int(parts[2])
px = parts[4][: w * h * 3]
print(len({px[i : i + 3] for i in range(0, len(px), 3)}))'
}

colourful() {
	[ "$(colours_of_window "$1")" -ge "$2" ]
}

# app_up PROFILE TIMEOUT WINDOW [ARGS…]: runs the shipped PROFILE with
# ARGS; waits up to TIMEOUT s for a visible window whose title matches the
# regex WINDOW on the jail's display, for Xephyr's window on ours and for
# a screenshot of it with at least 16 colours. Sets APP_LOG, what the app
# printed.
app_up() {
	local name=$1 timeout=$2 window=$3 xwin log=$BATS_TEST_TMPDIR/$1.log
	shift 3
	BEFORE=$BATS_TEST_TMPDIR/before
	ours >"$BEFORE"
	[ -f "$JAILSUP_BUILD/share/jailsup/profiles/$name.ini" ] || fail "no shipped profile $name"
	bg jailsup run "$name" "$@" >"$log" 2>&1
	wait_status "$name" running --timeout "$timeout" || fail "$name did not start: $(cat "$log")"
	# The app's window, on the jail's own display. xdotool exits on an X
	# error when a window it looks at goes away meanwhile (a splash
	# screen): then it is asked again, within the same deadline.
	wait_for --timeout "$timeout" jailsup enter "$name" -- \
		timeout 20 xdotool search --sync --onlyvisible --name "$window" ||
		fail "no window '$window' of $name on its display; the app said:"$'\n'"$(cat "$log")"
	# Xephyr's window on the test's display, and the app's drawing in it.
	xwin=$(timeout "$timeout" xdotool search --sync --name "^jail $name \(jailsup\)\$" | head -n 1)
	[ -n "$xwin" ] || fail "no Xephyr window of $name on the test's display"
	wait_for --timeout "$timeout" colourful "$xwin" 16 ||
		fail "$name's screen stays blank: $(colours_of_window "$xwin") colours"$'\n'"$(cat "$log")"
	APP_LOG=$log
}

# app_down PROFILE: `jailsup kill`, then nothing of the jail is left.
app_down() {
	local name=$1
	run jailsup kill "$name"
	assert_status 0
	wait_jail_gone "$name" --timeout 20
	wait_for --timeout 20 no_new_process || fail "left after $name was killed:"$'\n'"$(new_processes)"
	! xephyrs || fail "an Xephyr is left: $(xephyrs)"
	run jailsup list --json
	assert_status 0
	jq -e --arg n "$name" 'all(.[]; .name != $n or (.status != "running" and .pid == null))' \
		<<<"$output" >/dev/null || fail "jailsup list still shows $name running: $output"
}

# run_app PROFILE TIMEOUT WINDOW [ARGS…]: app_up, then app_down.
run_app() {
	app_up "$@"
	app_down "$1"
}

# sink_input_of APP: pulseaudio has a stream whose application name
# matches APP (the app plays into the null sink).
sink_input_of() {
	pactl list sink-inputs | grep -qiE "application.name = \".*$1"
}

@test "evince opens a PDF from ~/Documents (read-only share), in its secure profile" {
	local f
	f=$(in_share Documents pdf)
	run_app evince 60 "jailsup-57" "$f"
}

@test "okular opens a PDF from ~/Documents" {
	local f
	f=$(in_share Documents pdf)
	run_app okular 60 "jailsup-57" "$f"
}

@test "zathura opens a PDF from ~/Documents" {
	local f
	f=$(in_share Documents pdf)
	run_app zathura 60 "jailsup-57" "$f"
}

@test "eog shows a PNG from ~/Pictures" {
	local f
	f=$(in_share Pictures png)
	run_app eog 60 "jailsup-57" "$f"
}

@test "gimp opens a PNG from ~/Pictures" {
	local f
	f=$(in_share Pictures png)
	run_app gimp 80 "jailsup-57" "$f"
}

@test "inkscape opens an SVG from ~/Pictures" {
	local f
	f=$(in_share Pictures svg)
	run_app inkscape 80 "jailsup-57" "$f"
}

@test "krita opens a PNG from ~/Pictures" {
	local f
	f=$(in_share Pictures png)
	run_app krita 80 "jailsup-57" "$f"
}

@test "libreoffice (Writer) opens an RTF document from ~/Documents" {
	local f
	f=$(in_share Documents rtf)
	run_app libreoffice 80 "jailsup-57.*LibreOffice" --writer "$f"
}

@test "libreoffice-secure starts Writer with no share" {
	run_app libreoffice-secure 80 "LibreOffice" --writer
}

@test "mpv plays a video from ~/Videos in its window" {
	local f
	f=$(in_share Videos y4m)
	make_shares Music
	run_app mpv 60 "jailsup-57" --loop-file=inf "$f"
}

@test "vlc plays a WAV from ~/Music into the sound server" {
	local f
	f=$(in_share Music wav)
	make_shares Videos
	app_up vlc 60 "jailsup-57.*VLC" --loop "$f"
	wait_for --timeout 30 sink_input_of vlc || fail "no stream of VLC: $(pactl list sink-inputs)"
	app_down vlc
}

@test "vlc-secure plays a WAV from ~/Music with no network and no bus" {
	local f
	f=$(in_share Music wav)
	make_shares Videos
	app_up vlc-secure 60 "jailsup-57.*VLC" --loop "$f"
	wait_for --timeout 30 sink_input_of vlc || fail "no stream of VLC: $(pactl list sink-inputs)"
	app_down vlc-secure
}

@test "rhythmbox starts with ~/Music shared" {
	make_shares Music
	run_app rhythmbox 60 "Rhythmbox"
}

@test "audacious plays a WAV from ~/Music" {
	local f
	f=$(in_share Music wav)
	app_up audacious 60 "Audacious" "$f"
	wait_for --timeout 30 sink_input_of audacious || fail "no stream of Audacious: $(pactl list sink-inputs)"
	app_down audacious
}

@test "thunderbird starts" {
	make_shares Downloads
	run_app thunderbird 90 "Thunderbird"
}

@test "claws-mail starts (its first-run wizard)" {
	make_shares Downloads
	run_app claws-mail 60 "Claws Mail"
}

@test "telegram-desktop starts" {
	make_shares Downloads
	run_app telegram-desktop 60 "Telegram"
}

@test "keepassxc starts" {
	run_app keepassxc 60 "KeePassXC"
}

@test "transmission-gtk starts" {
	make_shares Downloads
	run_app transmission-gtk 60 "Transmission"
}

@test "qbittorrent starts: its legal notice, agreed to, then its main window" {
	make_shares Downloads
	app_up qbittorrent 60 "^Legal notice\$"
	# Its first start asks to agree (the default button): typed into the
	# jail's display, it goes on to its main window.
	jailsup enter qbittorrent -- xdotool search --name "^Legal notice\$" windowfocus --sync key Return
	wait_for --timeout 60 jailsup enter qbittorrent -- \
		timeout 20 xdotool search --sync --onlyvisible --name "^qBittorrent v"
	app_down qbittorrent
}
