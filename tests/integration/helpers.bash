# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# tests/integration/helpers.bash: `load helpers` at the top of every .bats
# file. Loading it gives each test (bats sources the file anew for every
# test) a private environment, so jailsup finds nothing of other tests, of
# earlier runs or of the person running them:
#
#   XDG_RUNTIME_DIR   $BATS_TEST_TMPDIR/run, mode 0700: the control socket and
#                     the state directories (…/jailsup/jails/NAME/)
#   XDG_CONFIG_HOME   $BATS_TEST_TMPDIR/config: user profiles
#   XDG_DATA_HOME     $BATS_TEST_TMPDIR/data: the jails' private homes
#   XDG_CACHE_HOME, XDG_STATE_HOME   beside them
#   PATH              $JAILSUP_BUILD/bin first
#   DISPLAY, WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS, … unset: a test that
#                     needs a display, a bus or a sound server starts its own
#
# HOME stays the user's real home (the one in /etc/passwd), because jailsup
# knows "the host home" both from $HOME and from getpwuid() and the two must
# agree; a test that needs files there makes them with home_tmpdir, and they
# are removed after the test.
#
# In setup_file (where bats has no BATS_TEST_TMPDIR) the same is set up under
# $BATS_FILE_TMPDIR; the tests of the file still get their own directories.
#
# The runner (tests/run-tests) gives: JAILSUP_BUILD (the build, laid out like
# an installation: bin/jailsup, libexec/jailsup/, share/jailsup/profiles/,
# tests/helpers/), HOME, USER, LOGNAME, PATH, LANG, BATS_TEST_TIMEOUT, and
# under sanitizers JAILSUP_SANITIZE=1, ASAN_OPTIONS, UBSAN_OPTIONS.

# $output and $status are set by bats' run.
# shellcheck disable=SC2154

# jailsup_env DIR: the private environment of one test, under DIR.
jailsup_env() {
	local dir=$1

	if [ -z "${JAILSUP_BUILD:-}" ]; then
		echo "helpers: JAILSUP_BUILD is not set: run the tests with tests/run-tests" >&2
		return 1
	fi
	export XDG_RUNTIME_DIR=$dir/run
	export XDG_CONFIG_HOME=$dir/config
	export XDG_DATA_HOME=$dir/data
	export XDG_CACHE_HOME=$dir/cache
	export XDG_STATE_HOME=$dir/state
	mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 0700 "$XDG_RUNTIME_DIR"

	unset DISPLAY WAYLAND_DISPLAY XAUTHORITY DBUS_SESSION_BUS_ADDRESS \
		PULSE_SERVER SESSION_MANAGER XDG_SESSION_ID XDG_CURRENT_DESKTOP
	case ":$PATH:" in
	*":$JAILSUP_BUILD/bin:"*) ;;
	*) export PATH="$JAILSUP_BUILD/bin:$PATH" ;;
	esac
}

# fail MESSAGE…: fails the test, saying why.
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# _usec SECONDS: SECONDS (integer or decimal) in microseconds.
_usec() {
	local s=$1 i f=000000
	[[ $s =~ ^[0-9]+(\.[0-9]+)?$ ]] || return 1
	i=${s%%.*}
	if [[ $s == *.* ]]; then
		f=${s#*.}000000
		f=${f:0:6}
	fi
	echo $((10#$i * 1000000 + 10#$f))
}

# wait_for [--timeout S] CMD… [--timeout S]: runs CMD until it succeeds;
# fails the test, with CMD's last output, when it has not within S seconds
# (default $JAILSUP_WAIT_TIMEOUT or 10; three times that under sanitizers).
# For events with a deadline (a file appears, a process is gone), never as a
# stand-in for synchronisation.
wait_for() {
	local timeout=${JAILSUP_WAIT_TIMEOUT:-10} limit deadline out
	if [ "${1:-}" = --timeout ] && [ $# -ge 2 ]; then
		timeout=$2
		shift 2
	fi
	if [ $# -ge 2 ] && [ "${*: -2:1}" = --timeout ]; then
		timeout=${*: -1}
		set -- "${@:1:$#-2}"
	fi
	[ $# -gt 0 ] || fail "wait_for: no command" || return
	limit=$(_usec "$timeout") || fail "wait_for: bad timeout '$timeout'" || return
	if [ -n "${JAILSUP_SANITIZE:-}" ]; then
		limit=$((limit * 3))
	fi
	deadline=$((${EPOCHREALTIME/./} + limit))

	until "$@" >/dev/null 2>&1; do
		if [ "${EPOCHREALTIME/./}" -ge "$deadline" ]; then
			out=$("$@" 2>&1) && return 0
			fail "timed out after $timeout s waiting for: $*${out:+$'\n'$out}"
			return
		fi
		sleep 0.05
	done
}

_path_exists() {
	[ -e "$1" ] || [ -L "$1" ]
}

_path_gone() {
	! _path_exists "$1"
}

# wait_for_file PATH [--timeout S]: until PATH exists (any type; a FIFO or a
# socket too).
wait_for_file() {
	local path=$1
	shift
	wait_for "$@" _path_exists "$path"
}

# wait_for_gone PATH [--timeout S]: until PATH no longer exists.
wait_for_gone() {
	local path=$1
	shift
	wait_for "$@" _path_gone "$path"
}

# assert_output_contains STRING…: $output (of bats' run) contains each STRING.
assert_output_contains() {
	local s
	for s in "$@"; do
		if [[ $output != *"$s"* ]]; then
			fail "output does not contain '$s'; it is:"$'\n'"$output"
			return
		fi
	done
}

# assert_status N: $status (of bats' run) is N.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		fail "exit status $status, not $1; output:"$'\n'"$output"
		return
	fi
}

# home_tmpdir: prints a new empty directory inside the real $HOME, removed
# by jailsup_cleanup.
home_tmpdir() {
	local d
	d=$(mktemp -d "$HOME/jailsup-test.XXXXXX") || return
	echo "$d" >>"$BATS_TEST_TMPDIR/.home-dirs"
	echo "$d"
}

# jailsup_cleanup: what every test's teardown does. A .bats file that
# defines its own teardown() calls it.
jailsup_cleanup() {
	local d pid
	# Jails and the supervisor of this test's private runtime dir: end the
	# jails, then the supervisor (its daemon.pid holds "PID START").
	if [ -d "$XDG_RUNTIME_DIR/jailsup" ]; then
		jailsup kill --all >/dev/null 2>&1 || true
		if [ -f "$XDG_RUNTIME_DIR/jailsup/daemon.pid" ]; then
			read -r pid _ <"$XDG_RUNTIME_DIR/jailsup/daemon.pid" || pid=
			if [ -n "$pid" ]; then
				kill -TERM "$pid" 2>/dev/null || true
				wait_for --timeout 10 test ! -e "/proc/$pid" || kill -KILL "$pid" 2>/dev/null || true
			fi
		fi
	fi
	if [ -f "$BATS_TEST_TMPDIR/.home-dirs" ]; then
		while IFS= read -r d; do
			rm -rf "$d"
		done <"$BATS_TEST_TMPDIR/.home-dirs"
		rm -f "$BATS_TEST_TMPDIR/.home-dirs"
	fi
}

teardown() {
	jailsup_cleanup
}

if [ -n "${BATS_TEST_TMPDIR:-}" ]; then
	jailsup_env "$BATS_TEST_TMPDIR"
elif [ -n "${BATS_FILE_TMPDIR:-}" ]; then
	jailsup_env "$BATS_FILE_TMPDIR"
fi
