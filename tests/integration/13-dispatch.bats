#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `jailsup run` behaves like the program it runs, so that scripts and
# launchers can call it in the program's place (jailsup(1), EXIT STATUS): its
# stdio is the app's, its exit status is the app's (128+N for signal N, 126
# not executable, 127 not found, 125 jailsup failed), and SIGINT and
# SIGTERM sent to it reach the app. Hostile or broken profiles fail with
# "path:line: message" and leave no jail. Runs back to back never fail.

# $output, $status, $lines and $stderr come from bats' run; the scripts
# run in jails are single-quoted on purpose; bg hands its stdin on.
# shellcheck disable=SC2016,SC2154,SC2217,SC2030,SC2031

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers

setup() {
	sh_profile app
}

jrun() {
	jailsup run --no-daemon "$@"
}

# No jail of NAME runs (or ever ran: no state dir at all is fine too).
assert_no_jail() {
	local d
	d=$(state_dir "$1")
	if [ -e "$d/iso-pipe" ] || [ -e "$d/dispatch.sock" ]; then
		fail "jail '$1' runs: $(ls -la "$d")"
	fi
}

# Nothing was left behind by a run that failed before its jail: no state
# dir, and no profile but the one of setup().
assert_nothing_made() {
	local -a made=()
	local f
	[ -z "$(ls -A "$XDG_RUNTIME_DIR/jailsup/jails" 2>/dev/null)" ] || fail "a state dir was made"
	for f in "$XDG_CONFIG_HOME"/jailsup/profiles/*; do
		[ "$f" = "$XDG_CONFIG_HOME/jailsup/profiles/app.ini" ] || made+=("$f")
	done
	[ "${#made[@]}" -eq 0 ] || fail "a profile was written: ${made[*]}"
}

@test "the exit status is the app's: a code, 128+N for a signal" {
	run jrun app -c 'exit 42'
	assert_status 42
	run jrun app -c 'exit 0'
	assert_status 0
	run jrun app -c 'kill -TERM $$'
	assert_status 143
	run jrun app -c 'kill -KILL $$'
	assert_status 137
	run jrun app -c 'kill -SEGV $$'
	assert_status 139
}

@test "stdin, stdout and stderr are the app's" {
	run bash -c 'echo hi | jailsup run --no-daemon /bin/cat'
	assert_status 0
	[ "$output" = hi ] || fail "cat printed '$output'"

	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/big"
	jrun app -c 'cat' <"$BATS_TEST_TMPDIR/big" >"$BATS_TEST_TMPDIR/big.out"
	cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/big.out"

	run --separate-stderr jrun app -c 'echo to-stdout; echo to-stderr >&2; exit 3'
	assert_status 3
	[ "$output" = to-stdout ] && [ "$stderr" = to-stderr ] ||
		fail "stdout '$output', stderr '$stderr'"
}

# start_waiting_app SCRIPT: runs SCRIPT (sh -c) in jail "app" in the
# background with SIGINT and SIGTERM at their defaults (a background job of
# a script ignores SIGINT, and jailsup, like any program, would inherit
# that); waits until it printed "ready". Sets APP_PID (the CLI's PID) and
# APP_OUT.
start_waiting_app() {
	APP_OUT=$BATS_TEST_TMPDIR/app.out
	bg env --default-signal=INT,TERM jailsup run --no-daemon app -c "$1" >"$APP_OUT" 2>&1
	APP_PID=$BG_PID
	wait_for grep -qx ready "$APP_OUT"
}

@test "SIGINT and SIGTERM sent to jailsup reach the app, which handles them" {
	local sig rc
	for sig in INT TERM; do
		# The app waits for a sleep of its own; its handler ends both.
			start_waiting_app "trap 'echo caught-$sig; kill \$!; exit 7' $sig; sleep 1000 & echo ready; wait \$!"
		kill -s "$sig" "$APP_PID"
		rc=0
		wait "$APP_PID" || rc=$?
		[ "$rc" -eq 7 ] || fail "SIG$sig: exit $rc; output: $(cat "$APP_OUT")"
		grep -qx "caught-$sig" "$APP_OUT" ||
			fail "SIG$sig: the app did not catch it: $(cat "$APP_OUT")"
		wait_jail_gone app
	done
}

@test "SIGINT, SIGTERM and SIGHUP sent to jailsup kill an app that does not handle them: 128+N" {
	local sig rc n
	for sig in INT TERM HUP; do
		start_waiting_app 'echo ready; exec sleep 1000'
		kill -s "$sig" "$APP_PID"
		rc=0
		wait "$APP_PID" || rc=$?
		n=$(kill -l "$sig")
		[ "$rc" -eq $((128 + n)) ] || fail "SIG$sig: exit $rc, not $((128 + n))"
		wait_jail_gone app
	done
}

@test "a missing exe: 127, a clear message, no jail and no profile left behind" {
	# Regression: the first run of a mistyped path wrote a profile for it.
	local exe=/nonexistent-$RANDOM/tool
	run -127 --separate-stderr jailsup run --no-daemon "$exe"
	[[ $stderr == *"unable to run '$exe'"*"No such file or directory"* ]] || fail "stderr: $stderr"
	assert_nothing_made

	# A profile whose exe went away.
	write_profile gone <<EOF
[jail]
exec = $exe
network = none
EOF
	run -127 --separate-stderr jailsup run --no-daemon gone
	[[ $stderr == *"'$exe'"*"No such file or directory"* ]] || fail "stderr: $stderr"
	assert_no_jail gone
}

@test "a missing or non-executable command in a running jail: 127 and 126 from enter" {
	local pid
	mkfifo "$BATS_TEST_TMPDIR/go"
	exec 4<>"$BATS_TEST_TMPDIR/go"
	bg jrun_bg_app
	pid=$BG_PID
	wait_for grep -qx ready "$BATS_TEST_TMPDIR/app.out"
	run -127 --separate-stderr jailsup enter app -- /nonexistent/cmd
	[[ $stderr == *"'/nonexistent/cmd'"*"No such file or directory"* ]] || fail "stderr: $stderr"
	run --separate-stderr jailsup enter app -- "$HOME/noexec"
	assert_status 126
	[[ $stderr == *"'$HOME/noexec'"*"Permission denied"* ]] || fail "stderr: $stderr"
	echo go >&4
	wait "$pid"
	exec 4>&-
	# Not running any more: enter says so (EXIT_NOT_RUNNING).
	wait_jail_gone app
	run --separate-stderr jailsup enter app -- true
	assert_status 4
	[[ $stderr == *"jail 'app' is not running"* ]] || fail "stderr: $stderr"
}

jrun_bg_app() {
	exec jailsup run --no-daemon app -c 'printf "#!/bin/sh\n" >"$HOME/noexec"; chmod 0644 "$HOME/noexec"; echo ready; read -r _' \
		<"$BATS_TEST_TMPDIR/go" >"$BATS_TEST_TMPDIR/app.out" 2>&1
}

@test "a non-executable file or a folder as the exe: 126, a clear message, no jail, no profile" {
	local f=$BATS_TEST_TMPDIR/noexec.sh
	printf '#!/bin/sh\necho ran\n' >"$f"
	chmod 0644 "$f"
	run --separate-stderr jailsup run --no-daemon "$f"
	assert_status 126
	[[ $stderr == *"unable to run '$f'"*"Permission denied"* ]] || fail "stderr: $stderr"
	run --separate-stderr jailsup run --no-daemon "$BATS_TEST_TMPDIR"
	assert_status 126
	assert_nothing_made
}

# assert_profile_refused NAME LINE TEXT: `jailsup run NAME` fails with 125,
# "PATH:LINE: …TEXT…" on stderr, and starts nothing.
assert_profile_refused() {
	local name=$1 line=$2 text=$3 path
	path=$XDG_CONFIG_HOME/jailsup/profiles/$name.ini
	run --separate-stderr jailsup run --no-daemon "$name" -c 'echo APP RAN'
	[ "$status" -eq 125 ] || fail "$name: exit $status, not 125; stderr: $stderr"
	[[ $stderr == *"$path:$line: "*"$text"* ]] || fail "$name: stderr is: $stderr"
	[[ $output != *"APP RAN"* ]] || fail "$name: the app ran"
	[ ! -e "$(state_dir "$name")" ] || fail "$name: a state dir was made"
}

@test "a profile with an unknown key, section or value: path:line on stderr, 125, no jail" {
	printf '[jail]\nexec = /bin/sh\nnetwork = none\nbogus = 1\n' | write_profile badkey
	assert_profile_refused badkey 4 "bogus"
	printf '[jail]\nexec = /bin/sh\n\n[nonsense]\nx = 1\n' | write_profile badsection
	assert_profile_refused badsection 4 "nonsense"
	printf '[jail]\nexec = /bin/sh\nnetwork = everywhere\n' | write_profile badnet
	assert_profile_refused badnet 3 "everywhere"
	printf '[jail]\nexec = /bin/sh\n[rights]\nallow = x11, root\n' | write_profile badright
	assert_profile_refused badright 4 "root"
	printf '[jail]\nexec = /bin/sh\n[limits]\nnofile = lots\n' | write_profile badlimit
	assert_profile_refused badlimit 4 "lots"
}

@test "a broken profile found for an exe is reported as path:line too" {
	# Regression: this case said "profile 'sh': line 4: …".
	printf '[jail]\nexec = /bin/sh\nnetwork = none\nbogus = 1\n' | write_profile sh
	run --separate-stderr jailsup run --no-daemon /bin/sh -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"$XDG_CONFIG_HOME/jailsup/profiles/sh.ini:4: "*bogus* ]] || fail "stderr: $stderr"
	[[ $output != *"APP RAN"* ]] || fail "the app ran"
}

@test "shares of jailsup's own folders, the autostart folder, the home or / are refused with path:line" {
	local target n=0
	mkdir -p "$XDG_DATA_HOME/jailsup/jails/other/home"
	for target in "rw = $XDG_CONFIG_HOME/jailsup" "ro = $XDG_CONFIG_HOME/jailsup/profiles" \
		"ro = $XDG_DATA_HOME/jailsup/jails/other/home" "rw = $XDG_RUNTIME_DIR/jailsup" \
		"rw = $XDG_CONFIG_HOME/autostart" "rw = ~/.config/autostart" "rw = ~" "ro = \$HOME" \
		"ro = /" "rw = $XDG_CONFIG_HOME"; do
		n=$((n + 1))
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\n%s\n' "$target" |
			write_profile "share$n"
		assert_profile_refused "share$n" 5 "refused"
	done
}

@test "shares of /proc, /sys or /dev, and an exe in /proc or relative, are refused with path:line" {
	local target n=0
	for target in "ro = /proc" "ro = /proc/1" "rw = /sys/class" "ro = /dev" "rw = /dev/kmsg"; do
		n=$((n + 1))
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\n%s\n' "$target" |
			write_profile "kshare$n"
		assert_profile_refused "kshare$n" 5 "/proc, /sys or /dev"
	done
	printf '[jail]\nexec = /proc/self/exe\nnetwork = none\n' | write_profile selfexe
	assert_profile_refused selfexe 2 "/proc, /sys or /dev"
	printf '[jail]\nexec = ../../bin/true\nnetwork = none\n' | write_profile relexe
	assert_profile_refused relexe 2 "must be an absolute path"
}

@test "a share that is a symlink to jailsup's own folders is refused when the jail starts" {
	local d link
	d=$(home_tmpdir)
	ln -s "$XDG_CONFIG_HOME/jailsup" "$d/abs-link"
	ln -s "$(realpath --relative-to="$d" "$XDG_CONFIG_HOME/jailsup")" "$d/rel-link"
	for link in abs-link rel-link; do
		printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nrw = %s\n' "$d/$link" |
			write_profile "sym-$link"
			run --separate-stderr jailsup run --no-daemon "sym-$link" -c 'echo APP RAN; : >"$1/profiles/evil.ini"' sh "$d/$link"
		assert_status 125
		[[ $output != *"APP RAN"* ]] || fail "$link: the app ran with the share"
		[[ $stderr == *"'$d/$link'"* ]] || fail "$link: stderr: $stderr"
		[ ! -e "$XDG_CONFIG_HOME/jailsup/profiles/evil.ini" ] || fail "$link: the jail wrote a profile"
		assert_no_jail "sym-$link"
	done
}

@test "a share through a symlink to an allowed folder is bound at the symlink's path" {
	# Regression: an absolute symlink was followed inside the jail's new
	# mount namespace, where it pointed into the scratch root: ENOENT.
	local d target
	d=$(home_tmpdir)
	target=$(home_tmpdir)
	echo shared-content >"$target/file"
	ln -s "$target" "$d/abs-link"
	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n' "$d/abs-link" |
		write_profile symok
	run jrun symok -c 'cat "$1/file"' sh "$d/abs-link"
	assert_status 0
	[ "$output" = shared-content ] || fail "$output"
}

@test "a missing init script or share fails the start with its path: 125, no jail" {
	# Regression: a jailer that died this early left the iso-pipe that
	# `run --no-daemon` made, so the jail looked as if it ran.
	printf '[jail]\nexec = /bin/sh\nnetwork = none\ninit-script = %s\n' "$BATS_TEST_TMPDIR/none.sh" |
		write_profile noinit
	run --separate-stderr jrun noinit -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"'$BATS_TEST_TMPDIR/none.sh'"*"No such file or directory"* ]] || fail "stderr: $stderr"
	[[ $output != *"APP RAN"* ]] || fail "the app ran"
	wait_jail_gone noinit
	assert_no_jail noinit

	printf '[jail]\nexec = /bin/sh\nnetwork = none\n[share]\nro = %s\n' "$BATS_TEST_TMPDIR/no-such-dir" |
		write_profile noshare
	run --separate-stderr jrun noshare -c 'echo APP RAN'
	assert_status 125
	[[ $stderr == *"'$BATS_TEST_TMPDIR/no-such-dir'"*"No such file or directory"* ]] || fail "stderr: $stderr"
	wait_jail_gone noshare
	assert_no_jail noshare
}

@test "runs back to back never fail, with or without the supervisor (the jail may be just ending)" {
	# Regression: a run that came while the previous app's jail was
	# leaving got EOF and exit 125 (about one back-to-back run in seven),
	# or had its new dispatch.sock unlinked by the old jailer.
	local i rc
	for i in $(seq 40); do
		rc=0
		jailsup run --no-daemon app -c 'exit 3' || rc=$?
		[ "$rc" -eq 3 ] || fail "--no-daemon run $i: exit $rc"
	done
	for i in $(seq 40); do
		rc=0
		jailsup run app -c 'exit 3' || rc=$?
		[ "$rc" -eq 3 ] || fail "run $i through the supervisor: exit $rc"
	done
}
