#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Menu launchers (`jailsup desktop`, docs/architecture.md §10): an app's
# own desktop entry,
# found in $XDG_DATA_DIRS by the profile's exe, becomes
# $XDG_DATA_HOME/applications/jailsup-NAME--ENTRY.desktop with every Exec
# wrapped in `jailsup run --profile NAME --`; --replace hides the original
# with a user-level override and makes the launcher the default for the
# types the original opened; remove brings the original state back. Bad input
# loses nothing. The app is a stand-in script with a desktop entry of
# several Exec lines and field codes, in a data dir of the test.

# $output and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

APPS_ID=org.example.TestApp.desktop

setup() {
	command -v desktop-file-validate >/dev/null ||
		fail "'desktop-file-validate' is not installed (scripts/packages.txt)"
	APP=$BATS_TEST_TMPDIR/bin/testapp
	mkdir -p "$BATS_TEST_TMPDIR/bin" "$BATS_TEST_TMPDIR/share/applications"
	# In the jail: leaves its arguments in its (private) home.
	cat >"$APP" <<'EOF'
#!/bin/sh
printf '%s\n' "jail=$JAILSUP_JAIL" "$@" >"$HOME/launched"
EOF
	chmod +x "$APP"
	export XDG_DATA_DIRS=$BATS_TEST_TMPDIR/share
	ORIG=$XDG_DATA_DIRS/applications/$APPS_ID
	cat >"$ORIG" <<EOF
# A licence header, not copied.
[Desktop Entry]
Type=Application
Name=Test App
Name[de]=Testprogramm
GenericName=Tester
Comment=Tests things
Icon=org.example.TestApp
Exec=$APP --new-window %U
TryExec=$APP
Terminal=false
Categories=Utility;
MimeType=text/plain;image/png;
DBusActivatable=true
Actions=private;other;quoted;
StartupWMClass=testapp

[Desktop Action private]
Name=New private window
Exec=env TESTAPP_MODE=private $APP --private "--title=100%% sure" %f

[Desktop Action other]
Name=Another program
Exec=/bin/true %u

[Desktop Action quoted]
Name=Quoted
Exec=$APP "with \\\\\\\\back slash" "\\\\"quote\\\\" and \\\\\$HOME" %F
EOF
	desktop-file-validate "$ORIG" || fail "the test's own entry is not valid"
	# As a package's install does (dpkg's trigger): GLib finds the types of
	# a data dir's entries only in its index.
	update-desktop-database "$XDG_DATA_DIRS/applications"
	cp "$ORIG" "$BATS_TEST_TMPDIR/orig.copy"
	write_profile testapp <<EOF
[jail]
exec = $APP
network = none
EOF
	LAUNCHER=$XDG_DATA_HOME/applications/jailsup-testapp--org.example.TestApp.desktop
}

# fields FILE: "[GROUP] KEY=VALUE" per entry, in file order; comments and
# blank lines left out.
fields() {
	awk '/^#/ || /^$/ { next } /^\[/ { g = $0; next } { print g " " $0 }' "$1"
}

# tree DIR: every file below DIR with its content, for before/after checks.
tree() {
	(cd "$1" && find . -type f -o -type l | sort | while IFS= read -r f; do
		echo "== $f"
		if [ -L "$f" ]; then readlink "$f"; else cat "$f"; fi
	done)
}

@test "desktop add: the app's entry, marked and every Exec wrapped with field codes kept; desktop-file-validate accepts it" {
	run jailsup desktop add testapp
	assert_status 0
	assert_output_contains "the action 'other' runs another program, leaving it out" \
		"'TESTAPP_MODE=private' is not passed into it"
	[ -f "$LAUNCHER" ] || fail "no $LAUNCHER"
	run desktop-file-validate "$LAUNCHER"
	assert_status 0
	[[ $output != *error* ]] || fail "$output"

	J=$JAILSUP_BUILD/bin/jailsup
	[ "$(readlink -f "$J")" = "$J" ] || J=$(readlink -f "$J")
	cat >"$BATS_TEST_TMPDIR/expected" <<EOF
[Desktop Entry] Type=Application
[Desktop Entry] Name=Test App (jailed)
[Desktop Entry] Name[de]=Testprogramm (jailed)
[Desktop Entry] GenericName=Tester
[Desktop Entry] Comment=Tests things
[Desktop Entry] Icon=org.example.TestApp
[Desktop Entry] Exec=$J run --profile testapp -- --new-window %U
[Desktop Entry] TryExec=$APP
[Desktop Entry] Terminal=false
[Desktop Entry] Categories=Utility;
[Desktop Entry] MimeType=text/plain;image/png;
[Desktop Entry] Actions=private;quoted;
[Desktop Entry] StartupWMClass=testapp
[Desktop Entry] X-Jailsup-Profile=testapp
[Desktop Entry] X-Jailsup-Entry=$APPS_ID
[Desktop Action private] Name=New private window
[Desktop Action private] Exec=$J run --profile testapp -- --private "--title=100%% sure" %f
[Desktop Action quoted] Name=Quoted
[Desktop Action quoted] Exec=$J run --profile testapp -- "with \\\\\\\\back slash" "\\\\"quote\\\\" and \\\\\$HOME" %F
EOF
	fields "$LAUNCHER" >"$BATS_TEST_TMPDIR/got"
	run diff -u "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got"
	assert_status 0
	# The original is untouched and not shadowed.
	[ ! -e "$XDG_DATA_HOME/applications/$APPS_ID" ] || fail "an override without --replace"

	run jailsup desktop list
	assert_status 0
	assert_output_contains "testapp" "jailsup-testapp--org.example.TestApp.desktop" "$APPS_ID"
}

@test "desktop add: the launcher's Exec runs the app in its jail, with the launcher's arguments" {
	command -v gio >/dev/null || fail "'gio' is not installed (libglib2.0-bin)"
	run jailsup desktop add testapp
	assert_status 0
	# gio expands the field codes as a desktop would and runs the Exec.
	run gio launch "$LAUNCHER" "/tmp/some file.txt"
	assert_status 0
	wait_for_file "$(jail_home testapp)/launched"
	wait_for grep -qx -- "/tmp/some file.txt" "$(jail_home testapp)/launched"
	run cat "$(jail_home testapp)/launched"
	assert_output_contains "jail=testapp" "--new-window"
}

@test "desktop add --replace hides the original for this user; remove restores the state before" {
	mkdir -p "$XDG_DATA_HOME/applications"
	echo "unrelated" >"$XDG_DATA_HOME/applications/mine.txt"
	tree "$XDG_DATA_HOME" >"$BATS_TEST_TMPDIR/before"

	run jailsup desktop add testapp --replace
	assert_status 0
	grep -qx "text/plain=$(basename "$LAUNCHER");" "$XDG_CONFIG_HOME/mimeapps.list" ||
		fail "$(cat "$XDG_CONFIG_HOME/mimeapps.list")"
	OVR=$XDG_DATA_HOME/applications/$APPS_ID
	[ -f "$OVR" ] || fail "no override at $OVR"
	run desktop-file-validate "$OVR"
	assert_status 0
	fields "$OVR" >"$BATS_TEST_TMPDIR/ovr"
	grep -qx '\[Desktop Entry\] NoDisplay=true' "$BATS_TEST_TMPDIR/ovr" || fail "$(cat "$OVR")"
	grep -qx '\[Desktop Entry\] X-Jailsup-Override=testapp' "$BATS_TEST_TMPDIR/ovr" || fail "$(cat "$OVR")"
	! grep -q 'MimeType' "$BATS_TEST_TMPDIR/ovr" || fail "the hidden original still handles types"
	# Everything else of the original is kept.
	grep -qx "\[Desktop Entry\] Exec=$APP --new-window %U" "$BATS_TEST_TMPDIR/ovr" || fail "$(cat "$OVR")"
	grep -qx "\[Desktop Entry\] X-Jailsup-Replaces=$APPS_ID" <(fields "$LAUNCHER") ||
		fail "$(cat "$LAUNCHER")"
	# The original itself is never written.
	cmp "$ORIG" "$BATS_TEST_TMPDIR/orig.copy" || fail "the original was changed"

	# Adding the same entry again needs --replace, and says so.
	cp "$LAUNCHER" "$BATS_TEST_TMPDIR/launcher"
	run jailsup desktop add testapp
	assert_status 5
	assert_output_contains "already has the launcher" "--replace writes it again"
	cmp "$LAUNCHER" "$BATS_TEST_TMPDIR/launcher" || fail "the launcher was changed"
	[ -e "$OVR" ] || fail "the override went"
	run jailsup desktop add testapp --replace
	assert_status 0

	run jailsup desktop remove testapp
	assert_status 0
	# The desktop's index of the folder is rebuilt, without the launcher.
	! grep -q jailsup "$XDG_DATA_HOME/applications/mimeinfo.cache" ||
		fail "$(cat "$XDG_DATA_HOME/applications/mimeinfo.cache")"
	rm "$XDG_DATA_HOME/applications/mimeinfo.cache"
	# The user had no mimeapps.list: add made one, remove takes it.
	[ ! -e "$XDG_CONFIG_HOME/mimeapps.list" ] || fail "$(cat "$XDG_CONFIG_HOME/mimeapps.list")"
	tree "$XDG_DATA_HOME" >"$BATS_TEST_TMPDIR/after"
	run diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_status 0
	run jailsup desktop remove testapp
	assert_status 3
	assert_output_contains "no launcher of jailsup for 'testapp'"
}

@test "desktop add: bad input gets a clear error and loses nothing" {
	run jailsup desktop add nosuch
	assert_status 3
	assert_output_contains "no profile named 'nosuch'"

	run jailsup desktop add ../x
	assert_status 2
	run jailsup desktop add testapp --entry "../../etc/x.desktop"
	assert_status 2

	# A profile whose exe no entry runs.
	write_profile other <<EOF
[jail]
exec = /bin/true
EOF
	run jailsup desktop add other
	assert_status 3
	assert_output_contains "no desktop entry runs the profile's exe"

	# Something not ours where the launcher goes: a file, then a symlink.
	mkdir -p "$XDG_DATA_HOME/applications"
	printf '[Desktop Entry]\nType=Application\nName=Mine\nExec=/bin/true\n' >"$LAUNCHER"
	cp "$LAUNCHER" "$BATS_TEST_TMPDIR/mine"
	run jailsup desktop add testapp
	assert_status 5
	assert_output_contains "is not a launcher jailsup wrote"
	cmp "$LAUNCHER" "$BATS_TEST_TMPDIR/mine" || fail "the user's file was changed"
	rm "$LAUNCHER"
	ln -s "$BATS_TEST_TMPDIR/mine" "$LAUNCHER"
	run jailsup desktop add testapp
	assert_status 5
	[ -L "$LAUNCHER" ] || fail "the link was replaced"
	run jailsup desktop remove testapp
	assert_status 3
	[ -L "$LAUNCHER" ] || fail "remove took a file that is not ours"
	rm "$LAUNCHER"

	# A tweak of the user's own where --replace would write: it shadows the
	# system's entry, so it is the app's entry now, and not ours to hide.
	printf '[Desktop Entry]\nType=Application\nName=My tweak\nExec=%s\n' "$APP" \
		>"$XDG_DATA_HOME/applications/$APPS_ID"
	cp "$XDG_DATA_HOME/applications/$APPS_ID" "$BATS_TEST_TMPDIR/tweak"
	run jailsup desktop add testapp --replace
	assert_status 5
	assert_output_contains "is in your own applications folder"
	cmp "$XDG_DATA_HOME/applications/$APPS_ID" "$BATS_TEST_TMPDIR/tweak" || fail "changed"
	[ ! -e "$LAUNCHER" ] || fail "a launcher was written although the command failed"
}

@test "desktop add: hostile entries in the data dirs are skipped, not followed; two matches need --entry" {
	local d=$XDG_DATA_DIRS/applications
	# Overlong line, a NUL, shell quoting, no Exec, a symlink to the real
	# entry, an ID with a newline: none of them is taken.
	{
		printf '[Desktop Entry]\nType=Application\nName=Long\nExec=%s\nComment=' "$APP"
		head -c 70000 /dev/zero | tr '\0' a
		printf '\n'
	} >"$d/long.desktop"
	printf '[Desktop Entry]\nType=Application\nName=Nul\nExec=%s\0\n' "$APP" >"$d/nul.desktop"
	printf "[Desktop Entry]\nType=Application\nName=Sh\nExec=%s 'a b'\n" "$APP" >"$d/shell.desktop"
	printf '[Desktop Entry]\nType=Application\nName=NoExec\n' >"$d/noexec.desktop"
	ln -s "$ORIG" "$d/link.desktop"
	printf '[Desktop Entry]\nType=Application\nName=NL\nExec=%s\n' "$APP" >"$d/bad"$'\n'"name.desktop"
	run jailsup desktop add testapp
	assert_status 0
	grep -qx "X-Jailsup-Entry=$APPS_ID" "$LAUNCHER" || fail "$(cat "$LAUNCHER")"

	# A second, valid entry for the same exe: the user chooses.
	jailsup desktop remove testapp
	printf '[Desktop Entry]\nType=Application\nName=Second\nExec=%s %%f\n' "$APP" >"$d/second.desktop"
	run jailsup desktop add testapp
	assert_status 2
	assert_output_contains "choose one with --entry" "$APPS_ID" "second.desktop"
	[ ! -e "$LAUNCHER" ] || fail "a launcher was written"
	run jailsup desktop add testapp --entry second.desktop
	assert_status 0
	grep -qx "Name=Second (jailed)" "$XDG_DATA_HOME/applications/jailsup-testapp--second.desktop" ||
		fail "$(ls "$XDG_DATA_HOME/applications")"
}

# The MIME side, played with the desktop's own tools: gio (GLib, as file
# managers ask), xdg-mime and xdg-open (xdg-utils, as scripts and
# browsers ask). In this test only the test's data dir exists, so the
# original is the only app for text/plain; image/png is another app's
# by the user's choice.
@test "desktop add --replace: files the original opened open jailed (gio, xdg-mime, xdg-open); others stay; remove gives them back" {
	local cfg=$XDG_CONFIG_HOME/mimeapps.list
	command -v xdg-open >/dev/null || fail "'xdg-open' is not installed (xdg-utils)"
	printf '[Desktop Entry]\nType=Application\nName=Viewer\nExec=/bin/true %%f\nMimeType=image/png;\n' \
		>"$XDG_DATA_DIRS/applications/viewer.desktop"
	update-desktop-database "$XDG_DATA_DIRS/applications"
	mkdir -p "$XDG_CONFIG_HOME"
	printf '# mine\n[Default Applications]\nimage/png=viewer.desktop;\n\n[Added Associations]\ntext/x-c=viewer.desktop;\n' >"$cfg"
	cp "$cfg" "$BATS_TEST_TMPDIR/cfg.before"
	[ "$(xdg-mime query default text/plain)" = "$APPS_ID" ] || fail "the test's own setup"

	run jailsup desktop add testapp --replace
	assert_status 0
	assert_output_contains "open jailed (1 types)"
	L=$(basename "$LAUNCHER")
	run gio mime text/plain
	assert_output_contains "$L"
	[ "$(xdg-mime query default text/plain)" = "$L" ] || fail "$(cat "$cfg")"
	[ "$(xdg-mime query default image/png)" = viewer.desktop ] || fail "$(cat "$cfg")"
	# The user's file keeps every line of its own.
	grep -qx '# mine' "$cfg" && grep -qx 'text/x-c=viewer.desktop;' "$cfg" &&
		grep -qx 'image/png=viewer.desktop;' "$cfg" || fail "$(cat "$cfg")"
	grep -qx "X-Jailsup-Defaults=text/plain:;" "$LAUNCHER" || fail "$(cat "$LAUNCHER")"

	# A double-click, as a file manager or a browser's download does it
	# (xdg-open asks xdg-mime only on a desktop: with a display; the
	# generic way, which reads mimeapps.list as the specification says).
	echo hello >"$BATS_TEST_TMPDIR/note.txt"
	run env -u XDG_CURRENT_DESKTOP DISPLAY=:0 xdg-open "$BATS_TEST_TMPDIR/note.txt"
	assert_status 0
	wait_for_file "$(jail_home testapp)/launched"
	wait_for grep -qx -- "$BATS_TEST_TMPDIR/note.txt" "$(jail_home testapp)/launched"
	grep -qx "jail=testapp" "$(jail_home testapp)/launched" || fail "not jailed"

	run jailsup desktop remove testapp
	assert_status 0
	cmp "$cfg" "$BATS_TEST_TMPDIR/cfg.before" || fail "$(diff "$BATS_TEST_TMPDIR/cfg.before" "$cfg")"
	[ "$(xdg-mime query default text/plain)" = "$APPS_ID" ] || fail "not given back"
	run gio mime text/plain
	assert_output_contains "$APPS_ID"
}

@test "desktop add --replace: a default the user changed meanwhile is theirs; a symlinked mimeapps.list is refused" {
	local cfg=$XDG_CONFIG_HOME/mimeapps.list
	run jailsup desktop add testapp --replace
	assert_status 0
	# The user picks another app for text/plain; remove leaves that be.
	sed -i 's/^text\/plain=.*/text\/plain=mine.desktop;/' "$cfg"
	run jailsup desktop remove testapp
	assert_status 0
	grep -qx 'text/plain=mine.desktop;' "$cfg" || fail "$(cat "$cfg")"

	mv "$cfg" "$BATS_TEST_TMPDIR/real.list"
	ln -s "$BATS_TEST_TMPDIR/real.list" "$cfg"
	run jailsup desktop add testapp --replace
	assert_status 125
	assert_output_contains "mimeapps.list" "a symlink"
	[ ! -e "$LAUNCHER" ] || fail "a launcher was written although the command failed"
	[ -L "$cfg" ] || fail "the link was replaced"
}

@test "desktop add: one profile, several launchers (one per entry); list shows them; remove --entry takes one" {
	local d=$XDG_DATA_DIRS/applications
	printf '[Desktop Entry]\nType=Application\nName=Calc\nExec=%s --calc %%f\n' "$APP" >"$d/org.example.Calc.desktop"
	printf '[Desktop Entry]\nType=Application\nName=Hidden\nNoDisplay=true\nExec=%s --hidden\n' "$APP" >"$d/org.example.Hidden.desktop"
	# Three entries run the exe, two of them shown: the choice offers those.
	run jailsup desktop add testapp
	assert_status 2
	assert_output_contains "$APPS_ID" "org.example.Calc.desktop"
	[[ $output != *org.example.Hidden* ]] || fail "a NoDisplay entry was offered: $output"

	run jailsup desktop add testapp --entry "$APPS_ID"
	assert_status 0
	run jailsup desktop add testapp --entry org.example.Calc.desktop
	assert_status 0
	[ -f "$LAUNCHER" ] || fail "the first launcher went: $(ls "$XDG_DATA_HOME/applications")"
	CALC=$XDG_DATA_HOME/applications/jailsup-testapp--org.example.Calc.desktop
	grep -qx "Name=Calc (jailed)" "$CALC" || fail "$(cat "$CALC")"
	run jailsup desktop list
	assert_status 0
	assert_output_contains "jailsup-testapp--org.example.TestApp.desktop" "jailsup-testapp--org.example.Calc.desktop"

	run jailsup desktop remove testapp --entry org.example.Calc.desktop
	assert_status 0
	[ ! -e "$CALC" ] || fail "not removed"
	[ -f "$LAUNCHER" ] || fail "the other launcher went too"
	run jailsup desktop remove testapp --entry org.example.Calc.desktop
	assert_status 3
	run jailsup desktop remove testapp
	assert_status 0
	[ ! -e "$LAUNCHER" ] || fail "not removed"
}
