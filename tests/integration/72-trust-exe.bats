#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The trust boundary, played from inside real jails: nothing a jail can
# write decides what the host binds or runs at the jail's next start
# (docs/jail.md "The trust boundary"). Each test is an attack that got out
# before: an exe swapped for a symlink into a secret folder, a share
# reached through a planted symlink, a read-write share of a file the
# session runs at login, an init script another jail can write. What a jail
# plants in its own home cannot hang the next start either: a FIFO where a
# share's mount point goes fails it at once.

# $output, $status and $stderr come from bats' run; the scripts run in
# jails are single-quoted on purpose.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

teardown() {
	jail_teardown
}

jrun() {
	jailsup run --no-daemon "$@"
}

# A secret folder in the real home, as ~/Projects/secret was: a 0600 token
# and a script the attacker would like to have bound.
make_secret() {
	secret=$(home_tmpdir)
	echo "api-token-$RANDOM" >"$secret/api-token.txt"
	chmod 0600 "$secret/api-token.txt"
	printf '#!/bin/sh\necho DEPLOY RAN; ls "$(dirname "$0")"\n' >"$secret/deploy.sh"
	chmod 0755 "$secret/deploy.sh"
}

@test "an exe swapped for a symlink by its jail does not bind the link's folder at the next start" {
	local downloads
	make_secret
	downloads=$(home_tmpdir)
	printf '#!/bin/sh\nexec /bin/sh "$@"\n' >"$downloads/tool.sh"
	chmod 0755 "$downloads/tool.sh"
	write_profile tool <<EOF
[jail]
exec = $downloads/tool.sh
network = none
[share]
rw = $downloads
EOF
	# The app, inside its jail, replaces its own exe by a link to a file of
	# a folder it cannot see.
	run jrun tool -c 'ln -s "$1" "$2.new" && mv -f "$2.new" "$2" && echo SWAPPED' sh \
		"$secret/deploy.sh" "$downloads/tool.sh"
	assert_status 0
	assert_output_contains SWAPPED
	[ -L "$downloads/tool.sh" ] || fail "the jail could not plant the link"
	wait_jail_gone tool

	run --separate-stderr jrun tool -c 'echo APP RAN'
	assert_status 125
	[[ $output != *"DEPLOY RAN"* && $output != *api-token* ]] ||
		fail "the next start ran the link's target: $output"
	[[ $stderr == *"symlink"*"'$downloads'"* ]] || fail "stderr: $stderr"
	[[ $(grep -c . <<<"$stderr") -eq 1 ]] || fail "not one line: $stderr"
}

@test "an exe in another jail's read-write share is bound as that file alone, never its folder" {
	local downloads
	downloads=$(home_tmpdir)
	mkdir "$downloads/tools"
	printf '#!/bin/sh\nls -A "$(dirname "$0")"; echo DONE\n' >"$downloads/tools/tool.sh"
	chmod 0755 "$downloads/tools/tool.sh"
	echo private >"$downloads/tools/other-download.txt"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$downloads" |
		write_profile browser
	printf '[jail]\nexec = %s\nnetwork = none\n' "$downloads/tools/tool.sh" | write_profile tool
	run jrun tool
	assert_status 0
	assert_output_contains tool.sh DONE
	[[ $output != *other-download.txt* ]] || fail "the exe's folder was bound: $output"
	# The same exe where no jail writes: its folder, as before.
	rm "$XDG_CONFIG_HOME/jailsup/profiles/browser.ini"
	run jrun tool
	assert_status 0
	assert_output_contains tool.sh other-download.txt DONE
}

@test "a share reached through a symlink another jail planted is refused at the next start" {
	local downloads
	make_secret
	downloads=$(home_tmpdir)
	mkdir "$downloads/sub"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$downloads" |
		write_profile browser
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n' "$downloads/sub" |
		write_profile viewer
	run jrun viewer -c 'echo VIEWER RAN'
	assert_status 0
	# The browser jail swaps the folder the viewer is given for a link.
	run jrun browser -c 'rmdir "$1/sub" && ln -s "$2" "$1/sub" && echo PLANTED' sh \
		"$downloads" "$secret"
	assert_status 0
	assert_output_contains PLANTED
	[ -L "$downloads/sub" ] || fail "the jail could not plant the link"
	run --separate-stderr jrun viewer -c 'cat "$1"/api-token.txt; echo APP RAN' sh \
		"$downloads/sub"
	assert_status 125
	[[ $output != *api-token* && $output != *"APP RAN"* ]] || fail "the secret was bound: $output"
	[[ $stderr == *"'$downloads/sub'"*symlink*"'browser'"* ]] || fail "stderr: $stderr"
}

@test "a FIFO planted where a share's mount point goes fails the start, not hangs it" {
	local shared
	shared=$(home_tmpdir)
	echo data >"$shared/file"
	write_profile fifo <<EOF
[jail]
exec = /bin/sh
network = none

[share]
ro = $shared/file
EOF
	# The jail's own home is jail-writable: plant a FIFO at the mount point.
	# (umask 077: the data folders above the home must be 0700, as the
	# jailer makes them.)
	# The private home is mounted at $HOME: the mount point of $shared/file
	# lies at the same place below it.
	(umask 077 && mkdir -p "$(jail_home fifo)/${shared#"$HOME"/}")
	mkfifo "$(jail_home fifo)/${shared#"$HOME"/}/file"
	run -125 timeout 60 jailsup run --no-daemon fifo -c "cat $shared/file"
	assert_output_contains "not a regular file"
}

@test "read-write shares of files the session runs are refused with path:line; read-only is fine" {
	local target n=0 before path
	mkdir -p "$HOME/.ssh" "$HOME/.local/bin" "$HOME/.local/share/applications" \
		"$HOME/.config/systemd"
	[ -f "$HOME/.bashrc" ] || : >"$HOME/.bashrc"
	remove_after "$HOME/.ssh" "$HOME/.local/bin" "$HOME/.config/systemd"
	before=$(sha256sum "$HOME/.bashrc")
	for target in "~/.bashrc" "~/.profile" "~/.ssh" "~/.local/bin" "~/bin" \
		"~/.local/share/applications" "~/.config/systemd" "~/.gnupg" "~/.pam_environment" "~/.local"; do
		n=$((n + 1))
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$target" |
			write_profile "rw$n"
		path=$XDG_CONFIG_HOME/jailsup/profiles/rw$n.ini
		run --separate-stderr jrun "rw$n" -c 'echo evil >>~/.bashrc; echo APP RAN'
		[ "$status" -eq 125 ] || fail "$target: exit $status; stderr: $stderr"
		[[ $stderr == *"$path:5: "*"read-write is refused"* ]] || fail "$target: $stderr"
		[[ $output != *"APP RAN"* ]] || fail "$target: the app ran"
	done
	[ "$(sha256sum "$HOME/.bashrc")" = "$before" ] || fail "~/.bashrc was written"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = ~/.bashrc\n' |
		write_profile robashrc
	run jrun robashrc -c 'cat ~/.bashrc >/dev/null && echo READ; echo evil >>~/.bashrc || echo DENIED'
	assert_status 0
	assert_output_contains READ DENIED
	[ "$(sha256sum "$HOME/.bashrc")" = "$before" ] || fail "~/.bashrc was written"
}

@test "an init script that another jail can write is refused, and never runs" {
	local downloads
	downloads=$(home_tmpdir)
	echo 'touch ~/INIT-RAN' >"$downloads/init.sh"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$downloads" |
		write_profile browser
	printf '[jail]\nexec = /bin/sh\nnetwork = none\ninit-script = %s\n' "$downloads/init.sh" |
		write_profile victim
	run --separate-stderr jrun victim -c 'echo APP RAN'
	assert_status 125
	[[ $output != *"APP RAN"* ]] || fail "the app ran"
	[ ! -e "$(jail_home victim)/INIT-RAN" ] || fail "the init script ran"
	[[ $stderr == *"init script"*"'$downloads'"*"'browser'"* ]] || fail "stderr: $stderr"
	run jailsup explain victim
	assert_status 0
	assert_output_contains "init-script  $downloads/init.sh: REFUSED" "never shared read-write" \
		".bashrc" ".ssh"
	# Out of every jail's reach, the same script runs.
	rm "$XDG_CONFIG_HOME/jailsup/profiles/browser.ini"
	run jrun victim -c 'echo APP RAN'
	assert_status 0
	assert_output_contains "APP RAN"
	[ -e "$(jail_home victim)/INIT-RAN" ] || fail "the init script did not run"
}

@test "a desktop entry that a jail can write is refused as a launcher's source" {
	local share
	share=$(home_tmpdir)
	mkdir "$share/applications"
	printf '[Desktop Entry]\nType=Application\nName=Tool\nExec=/bin/sh -c true\n' \
		>"$share/applications/tool.desktop"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$share" |
		write_profile browser
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n' | write_profile tool
	XDG_DATA_DIRS=$share run --separate-stderr jailsup desktop add tool
	assert_status 125
	[[ $stderr == *"refusing the desktop entry '$share/applications/tool.desktop'"*"'browser'"* ]] ||
		fail "stderr: $stderr"
	[ ! -e "$XDG_DATA_HOME/applications/jailsup-tool--tool.desktop" ] || fail "a launcher was written"
	rm "$XDG_CONFIG_HOME/jailsup/profiles/browser.ini"
	XDG_DATA_DIRS=$share run jailsup desktop add tool
	assert_status 0
	[ -f "$XDG_DATA_HOME/applications/jailsup-tool--tool.desktop" ] || fail "no launcher: $output"
}
