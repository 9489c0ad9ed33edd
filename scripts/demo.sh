#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make demo: scripts/demo.sh BUILD. Says what jailsup is, then runs a shell
# in a locked-down jail (`jailsup run --secure /bin/sh -c …`) and shows the
# same facts outside and inside it; then the life of a jail under the
# supervisor: a profile made with `jailsup new`, a program started in it,
# `jailsup list`, a second app joining the same jail, `jailsup kill`. Run as
# root, the jail runs as the
# unprivileged user jailsup-test (tests/setup-test-user.sh), from a
# world-readable copy of the build; jails are never run as root. Everything
# the demo creates (XDG directories, the jail's home) lives in temporary
# directories that are removed at the end.
set -eu

[ $# -eq 1 ] || {
	echo "usage: scripts/demo.sh BUILD" >&2
	exit 2
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$1
case $build in
/*) ;;
*) build=$root/$build ;;
esac

cat <<'TEXT'
jailsup runs desktop applications in per-user jails: each jail gets its own
namespaces, a private home, private /tmp and $XDG_RUNTIME_DIR, a seccomp
filter, no capabilities, and only the rights (audio, display, D-Bus names,
network, ...) its profile grants. It needs no setuid and no root: it uses
unprivileged user namespaces.

TEXT

jailsup=$build/bin/jailsup
if [ ! -x "$jailsup" ] || ! "$jailsup" --help 2>/dev/null | grep -q 'jailsup run'; then
	echo "the jail is not built yet: no '$jailsup' with a 'run' verb (see 'make')"
	exit 0
fi

# What the shell shows, outside the jail and inside it.
# shellcheck disable=SC2016 # expanded by that shell
show='
echo "  hostname:   $(uname -n)"
echo "  id:         $(id)"
echo "  PID 1:      $(cat /proc/1/comm)"
echo "  processes:  $(ls -d /proc/[0-9]* | wc -l)"
echo "  ls /:       $(ls / | tr "\n" " ")"
echo "  HOME:       $HOME, $(ls -A "$HOME" | wc -l) entries"
'

# The staged build (as root) in $work; the demo user's XDG directories in
# $xdg, under /tmp like the integration tests' ones.
work=$(mktemp -d /var/tmp/jailsup-demo.XXXXXX)
chmod 0755 "$work"
xdg=$(mktemp -d /tmp/jailsup-demo.XXXXXX)
bindir=
cleanup() {
	# End what the demo started: its jails, its supervisor, and anything
	# else still running from the demo's build (found by its executable);
	# then remove the demo's files.
	local p exe
	if [ -n "$bindir" ]; then
		js kill --all >/dev/null 2>&1 || true
		for p in /proc/[0-9]*; do
			exe=$(readlink "$p/exe" 2>/dev/null) || continue
			case $exe in
			"$bindir"/*) kill -TERM "${p#/proc/}" 2>/dev/null || true ;;
			esac
		done
	fi
	rm -rf "$work" "$xdg"
}
trap cleanup EXIT

if [ "$(id -u)" -eq 0 ]; then
	user=${JAILSUP_TEST_USER:-jailsup-test}
	tests/setup-test-user.sh
	tests/stage-build.sh "$build" "$work/build"
	jailsup=$work/build/bin/jailsup
	bindir=$work/build
	home=$(getent passwd "$user" | cut -d: -f6)
	as=(runuser -u "$user" --)
	echo "(run as root: the jail runs as the unprivileged user '$user')"
else
	user=$(id -un)
	home=$HOME
	bindir=$build
	as=()
fi
chown "$user" "$xdg"
install -d -m 0700 -o "$user" "$xdg/run" "$xdg/config" "$xdg/data"

envv=(HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8
	PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$xdg/run"
	XDG_CONFIG_HOME="$xdg/config" XDG_DATA_HOME="$xdg/data")

# js ARGS…: jailsup ARGS… as the demo user, in the demo's environment.
js() {
	(cd / && "${as[@]}" env -i "${envv[@]}" "$jailsup" "$@")
}

echo "Outside, as $user:"
(cd / && "${as[@]}" env -i "${envv[@]}" /bin/sh -c "$show") </dev/null
echo
echo "Inside: jailsup run --secure /bin/sh -c '...'"
status=0
(cd / && "${as[@]}" env -i "${envv[@]}" "$jailsup" run --secure /bin/sh -c "$show") </dev/null ||
	status=$?
echo
if [ "$status" -ne 0 ]; then
	echo "the jailed shell failed: exit status $status"
	exit "$status"
fi
echo "Same user, same machine: in the jail it is PID 1's world, with its own"
echo "hostname, its own root, an empty private home, and no capabilities."
echo

# --- a jail's life under the supervisor --------------------------------------

# The jail's state, by `jailsup list --json`, without jq.
jail_status() {
	js list --json 2>/dev/null | tr -d ' \n' | grep -o '"name":"demo-app","status":"[a-z]*"' |
		sed 's/.*"status":"//; s/"$//'
}

# wait_status STATUS: until the jail demo-app has it, 20 s at most.
wait_status() {
	for _ in $(seq 200); do
		[ "$(jail_status)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "the jail did not become '$1' (it is '$(jail_status)')"
	exit 1
}

say() {
	echo
	echo "\$ $*"
}

echo "A jail's life: one profile, one jail, every app of that name in it."
say jailsup new demo-app --exec /bin/sh
js new demo-app --exec /bin/sh
say "jailsup run demo-app -c 'sleep 600' &      # the first app starts the jail"
js run demo-app -c 'exec sleep 600' </dev/null >/dev/null 2>&1 &
first=$!
wait_status running
say jailsup list
js list
say "jailsup run demo-app -c 'ps -e -o pid,args'   # a second app, in the same jail"
# shellcheck disable=SC2016 # expanded in the jail
js run demo-app -c 'echo "(in jail $(uname -n))"; ps -e -o pid,args' </dev/null
say jailsup kill demo-app
js kill demo-app
wait "$first" 2>/dev/null || true
wait_status stopped
say jailsup list
js list
echo
echo "The second app saw the first one's sleep and PID 1 (dispatch), and nothing"
echo "of the host; kill ended every process in the jail."
