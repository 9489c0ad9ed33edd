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
# supervisor and its standby jailers (none of the app's, no Xephyr, no
# proxy, no pasta but the net standby's), and `jailsup list` shows the
# jail as not running.
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
	start_xvfb -auth "$BATS_TEST_TMPDIR/server.auth" -screen 0 2560x1600x24
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
	# LibreOffice leaves its lock file beside a document when killed.
	remove_after "$f" "$dir/.~lock.${f##*/}#"
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

# new_processes: what ours lists that it did not at the first app_start
# ($BEFORE), but for the supervisor (by its pid file: a tether's command
# line is the supervisor's too), its standby jailer, its spare
# xdg-dbus-proxy (by its pid file) and its net standby (jailer, tether and
# pasta, once that pasta is ready: supervisor-helpers), which outlive a
# jail.
new_processes() {
	local sup spare=none standby_net _
	sup=$(daemon_pid 2>/dev/null) || sup=none
	read -r spare _ <"$XDG_RUNTIME_DIR/jailsup/dbus-proxy-spare/dbus-proxy.pid" 2>/dev/null || :
	standby_net=$(standby_net_pids 2>/dev/null | paste -sd '|') || :
	comm -13 "$BEFORE" <(ours) | grep -vE "^($sup  jailsup daemon|[0-9]+  jailer --standby)$" |
		grep -vE "^$spare  xdg-dbus-proxy " | grep -vE "^(${standby_net:-none})  " || :
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

# app_start PROFILE [ARGS…]: runs the shipped PROFILE with ARGS in the
# background, what it prints in $BATS_TEST_TMPDIR/PROFILE.log. The first
# start of a test records our processes ($BEFORE), for apps_down.
app_start() {
	local name=$1
	shift
	if [ -z "${BEFORE:-}" ]; then
		BEFORE=$BATS_TEST_TMPDIR/before
		ours >"$BEFORE"
	fi
	[ -f "$JAILSUP_BUILD/share/jailsup/profiles/$name.ini" ] || fail "no shipped profile $name"
	bg jailsup run "$name" "$@" >"$BATS_TEST_TMPDIR/$name.log" 2>&1
}

# at WIN X Y: the test display's window WIN is at X,Y.
at() {
	local X Y
	eval "$(xdotool getwindowgeometry --shell "$1" | grep -E '^[XY]=[0-9]+$')"
	[ "$X" = "$2" ] && [ "$Y" = "$3" ]
}

# app_place PROFILE SLOT: waits for the started PROFILE's Xephyr window
# on the test's display and moves it to the quarter SLOT, 0 to 3, of the
# 2560x1600 screen: with no window manager, every Xephyr window opens at
# the top left, and apps started side by side would cover one another.
# Sets XWIN_PROFILE (dashes as underscores).
app_place() {
	local name=$1 slot=$2 xwin x y
	wait_status "$name" running --timeout 60 || fail "$name did not start: $(cat "$BATS_TEST_TMPDIR/$name.log")"
	xwin=$(timeout 60 xdotool search --sync --name "^jail $name \(jailsup\)\$" | head -n 1)
	[ -n "$xwin" ] || fail "no Xephyr window of $name on the test's display"
	x=$((slot % 2 * 1280)) y=$((slot >= 2 ? 800 : 0))
	xdotool windowmove "$xwin" "$x" "$y"
	wait_for at "$xwin" "$x" "$y"
	printf -v "XWIN_${name//-/_}" '%s' "$xwin"
}

# app_window PROFILE TIMEOUT WINDOW: waits up to TIMEOUT s for the placed
# PROFILE's visible window whose title matches the regex WINDOW on the
# jail's display, and for a screenshot of its Xephyr window on ours with
# at least 16 colours.
app_window() {
	local name=$1 timeout=$2 window=$3 log=$BATS_TEST_TMPDIR/$1.log xwin_var xwin
	xwin_var=XWIN_${name//-/_}
	xwin=${!xwin_var}
	# The app's window, on the jail's own display. xdotool exits on an X
	# error when a window it looks at goes away meanwhile (a splash
	# screen): then it is asked again, within the same deadline.
	wait_for --timeout "$timeout" jailsup enter "$name" -- \
		timeout 20 xdotool search --sync --onlyvisible --name "$window" ||
		fail "no window '$window' of $name on its display; the app said:"$'\n'"$(cat "$log")"
	# The app's drawing, on the user's screen.
	wait_for --timeout "$timeout" colourful "$xwin" 16 ||
		fail "$name's screen stays blank: $(colours_of_window "$xwin") colours"$'\n'"$(cat "$log")"
}

# apps_down PROFILE…: `jailsup kill` of each, then nothing of the jails is
# left.
apps_down() {
	local name
	for name in "$@"; do
		run jailsup kill "$name"
		assert_status 0
	done
	for name in "$@"; do
		wait_jail_gone "$name" --timeout 20
	done
	wait_for --timeout 20 no_new_process || fail "left after $* were killed:"$'\n'"$(new_processes)"
	! xephyrs || fail "an Xephyr is left: $(xephyrs)"
	run jailsup list --json
	assert_status 0
	for name in "$@"; do
		jq -e --arg n "$name" 'all(.[]; .name != $n or (.status != "running" and .pid == null))' \
			<<<"$output" >/dev/null || fail "jailsup list still shows $name running: $output"
	done
}

# owned NAME…: each NAME has an owner on the test's session bus (the
# app's own names, through its jail's proxy).
bus_names() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.ListNames | grep -oE 'string "[^"]*"' | grep -v '"[:]'
}

owned() {
	local n names
	names=$(bus_names) || return
	for n in "$@"; do
		grep -qF "string \"$n\"" <<<"$names" || return
	done
}

# owned_in JAIL NAME…: each NAME has an owner on the bus of JAIL's apps
# (its own bus, for names its profile owns with own-private).
owned_in() {
	local jail=$1 n names
	shift
	names=$(jailsup enter "$jail" -- dbus-send --session --print-reply \
		--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames) || return
	for n in "$@"; do
		grep -qF "string \"$n\"" <<<"$names" || return
	done
}

# sink_input_of APP: pulseaudio has a stream whose application name
# matches APP (the app plays into the null sink).
sink_input_of() {
	pactl list sink-inputs | grep -qiE "application.name = \".*$1"
}

@test "viewers side by side: evince, okular, zathura open a PDF from ~/Documents, eog a PNG from ~/Pictures" {
	local pdf png
	pdf=$(in_share Documents pdf)
	png=$(in_share Pictures png)
	app_start evince "$pdf"
	app_start okular "$pdf"
	app_start zathura "$pdf"
	app_start eog "$png"
	app_place evince 0
	app_place okular 1
	app_place zathura 2
	app_place eog 3
	app_window evince 60 "jailsup-57"
	app_window okular 60 "jailsup-57"
	app_window zathura 60 "jailsup-57"
	app_window eog 60 "jailsup-57"
	# eog's application ID, owned on its jail's own bus (own-private), never
	# on the user's: a host eog keeps it. Evince is a non-unique app, and
	# its profile has no name to own.
	wait_for --timeout 30 owned_in eog org.gnome.eog || fail "not on eog's own bus"
	! owned org.gnome.eog || fail "the jailed eog owns org.gnome.eog on the user's bus"
	! owned org.gnome.Evince || fail "evince owns org.gnome.Evince"
	apps_down evince okular zathura eog
}

@test "painters side by side: gimp and krita open a PNG from ~/Pictures" {
	local png
	png=$(in_share Pictures png)
	app_start gimp "$png"
	app_start krita "$png"
	app_place gimp 0
	app_place krita 1
	app_window gimp 90 "jailsup-57"
	app_window krita 90 "jailsup-57"
	apps_down gimp krita
}

@test "office side by side: libreoffice Writer opens an RTF from ~/Documents, libreoffice-secure starts Writer with no share, inkscape opens an SVG from ~/Pictures" {
	local rtf svg
	rtf=$(in_share Documents rtf)
	svg=$(in_share Pictures svg)
	app_start libreoffice --writer "$rtf"
	app_start libreoffice-secure --writer
	app_start inkscape "$svg"
	app_place libreoffice 0
	app_place libreoffice-secure 1
	app_place inkscape 2
	app_window libreoffice 90 "jailsup-57.*LibreOffice Writer"
	app_window libreoffice-secure 90 "LibreOffice Writer"
	app_window inkscape 90 "jailsup-57.*Inkscape"
	apps_down libreoffice libreoffice-secure inkscape
}

@test "players side by side: mpv plays a video from ~/Videos, vlc and audacious a WAV from ~/Music into the sound server, rhythmbox starts" {
	local video wav
	video=$(in_share Videos y4m)
	wav=$(in_share Music wav)
	app_start mpv --loop-file=inf "$video"
	app_start vlc --loop "$wav"
	app_start audacious "$wav"
	app_start rhythmbox
	app_place mpv 0
	app_place vlc 1
	app_place audacious 2
	app_place rhythmbox 3
	app_window mpv 60 "jailsup-57"
	app_window vlc 60 "jailsup-57.*VLC"
	app_window audacious 60 "Audacious"
	app_window rhythmbox 60 "Rhythmbox"
	wait_for --timeout 30 sink_input_of vlc || fail "no stream of VLC: $(pactl list sink-inputs)"
	wait_for --timeout 30 sink_input_of audacious || fail "no stream of Audacious: $(pactl list sink-inputs)"
	# The names their profiles let them own: MPRIS on the user's bus (for
	# audacious through its jail's bridge), single instance on the jail's
	# own bus only (Rhythmbox's MPRIS is a plugin of rhythmbox-plugins, a
	# Recommends not installed here).
	wait_for --timeout 30 owned org.mpris.MediaPlayer2.vlc org.mpris.MediaPlayer2.audacious ||
		fail "on the bus: $(bus_names)"
	wait_for --timeout 30 owned_in audacious org.atheme.audacious || fail "not on audacious's own bus"
	wait_for --timeout 30 owned_in rhythmbox org.gnome.Rhythmbox3 || fail "not on rhythmbox's own bus"
	! owned org.atheme.audacious || fail "the jailed audacious owns its name on the user's bus"
	! owned org.gnome.Rhythmbox3 || fail "the jailed rhythmbox owns its name on the user's bus"
	apps_down mpv vlc audacious rhythmbox
}

@test "mail and chat side by side: thunderbird, claws-mail (its first-run wizard), telegram-desktop start" {
	make_shares Downloads
	app_start thunderbird
	app_start claws-mail
	app_start telegram-desktop
	app_place thunderbird 0
	app_place claws-mail 1
	app_place telegram-desktop 2
	app_window thunderbird 90 "Thunderbird"
	app_window claws-mail 90 "Claws Mail"
	app_window telegram-desktop 90 "Telegram"
	apps_down thunderbird claws-mail telegram-desktop
}

@test "the rest side by side: vlc-secure plays a WAV with no network and no bus; keepassxc, transmission-gtk, qbittorrent start" {
	local wav
	wav=$(in_share Music wav)
	make_shares Videos Downloads
	app_start vlc-secure --loop "$wav"
	app_start keepassxc
	app_start transmission-gtk
	app_start qbittorrent
	app_place vlc-secure 0
	app_place keepassxc 1
	app_place transmission-gtk 2
	app_place qbittorrent 3
	app_window vlc-secure 60 "jailsup-57.*VLC"
	app_window keepassxc 60 "KeePassXC"
	app_window transmission-gtk 60 "Transmission"
	# qBittorrent's first start asks to agree to its legal notice (the
	# default button): typed into the jail's display, it goes on to its
	# main window.
	app_window qbittorrent 60 "^Legal notice\$"
	jailsup enter qbittorrent -- xdotool search --name "^Legal notice\$" windowfocus --sync key Return
	wait_for --timeout 60 jailsup enter qbittorrent -- \
		timeout 20 xdotool search --sync --onlyvisible --name "^qBittorrent v"
	wait_for --timeout 30 sink_input_of vlc || fail "no stream of VLC: $(pactl list sink-inputs)"
	apps_down vlc-secure keepassxc transmission-gtk qbittorrent
}
