#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/install-test.sh BUILD [SANITIZE]: the suite "install" of tests/run-tests. Runs
# `make install` of BUILD into temporary DESTDIRs (PREFIX=/usr and
# PREFIX=/usr/local) and checks that binaries, shipped profiles, man pages,
# the bash completion and the login autostart files are in place and valid:
# the man pages render without warnings, the completion completes, the
# .desktop file passes desktop-file-validate, the systemd user unit passes
# `systemd-analyze verify --user` (a content check where systemd-analyze is
# missing), the jailer's AppArmor profile parses (apparmor_parser -Q). Run
# from the repository root; speaks TAP. Installs nothing
# outside its temporary directory. SANITIZE is the build's SANITIZE list,
# passed on to make so that an out-of-date file is rebuilt the same way.
set -u

[ $# -eq 1 ] || [ $# -eq 2 ] || {
	echo "usage: tests/install-test.sh BUILD [SANITIZE]" >&2
	exit 2
}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
build=$1
sanitize=${2:-}
case $build in
"$root"/*) build=${build#"$root"/} ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jailsup-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
d=$tmp/usr-prefix # DESTDIR of PREFIX=/usr
n=0
failed=0

# check NAME CMD…: one TAP result; CMD's output is shown when it fails.
check() {
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

check "make install PREFIX=/usr DESTDIR=… succeeds" \
	make --no-print-directory B="$build" SANITIZE="$sanitize" PREFIX=/usr DESTDIR="$d" install

# A file with this mode.
mode_is() {
	[ -f "$1" ] || {
		echo "missing: $1"
		return 1
	}
	[ "$(stat -c %a "$1")" = "$2" ] || {
		echo "$1: mode $(stat -c %a "$1"), not $2"
		return 1
	}
}

binaries() {
	mode_is "$d/usr/bin/jailsup" 755 &&
		mode_is "$d/usr/libexec/jailsup/jailer" 755 &&
		mode_is "$d/usr/libexec/jailsup/supervisor" 755 &&
		mode_is "$d/usr/libexec/jailsup/leak-check" 755 &&
		mode_is "$d/usr/libexec/jailsup/dbus-bridge" 755 &&
		"$d/usr/bin/jailsup" --version
}
check "binaries in bin/ and libexec/jailsup/" binaries

# The global functions of the objects of folder $1 that binary $2 holds
# (nm of both: none is the answer wanted).
foreign_functions() {
	local own other
	local -a objs=()
	local src
	# The objects of today's sources: an older build tree may hold others.
	for src in "$1"/*.c; do
		objs+=("$build/${src%.c}.o")
	done
	own=$(nm --defined-only -g "${objs[@]}" | awk '$2 == "T" && $3 != "main" { print $3 }' | sort -u)
	other=$(nm --defined-only "$2" | awk '$2 ~ /^[Tt]$/ { print $3 }' | sort -u)
	comm -12 <(printf '%s\n' "$own") <(printf '%s\n' "$other")
}

# Each binary links its own side only: the linker keeps what its main
# reaches (--gc-sections), so a function of the CLI's folder in the
# supervisor (or the other way round) would be one it calls.
own_side() {
	local out
	out=$(foreign_functions cli "$build/libexec/jailsup/supervisor")
	[ -z "$out" ] || {
		echo "the supervisor holds functions of cli/:" "$out"
		return 1
	}
	out=$(foreign_functions supervisor "$build/bin/jailsup")
	[ -z "$out" ] || {
		echo "the CLI holds functions of supervisor/:" "$out"
		return 1
	}
	# A function of the libraries that only one side calls is in that
	# side's binary alone.
	nm "$build/bin/jailsup" | grep -qw jail_find_jailer &&
		! nm "$build/libexec/jailsup/supervisor" | grep -qw jail_find_jailer &&
		nm "$build/libexec/jailsup/supervisor" | grep -qw state_remove_temps &&
		! nm "$build/bin/jailsup" | grep -qw state_remove_temps
}
check "the CLI and the supervisor each hold only the code they call" own_side

profiles() {
	local f
	for f in ini-profiles/profiles/*.ini; do
		mode_is "$d/usr/share/jailsup/profiles/${f##*/}" 644 || return 1
		cmp "$f" "$d/usr/share/jailsup/profiles/${f##*/}" || return 1
	done
}
check "shipped profiles in share/jailsup/profiles/" profiles

# The installed CLI finds its shipped profiles beside it.
finds_shipped() {
	local out rc=0
	out=$(HOME=$tmp XDG_CONFIG_HOME=$tmp/config "$d/usr/bin/jailsup" new demo --exec /bin/true 2>&1) ||
		rc=$?
	if [ "$rc" -ne 5 ] || [[ $out != *"$d/usr/share/jailsup/profiles/demo.ini"* ]]; then
		echo "jailsup new demo: status $rc: $out"
		return 1
	fi
}
check "the installed jailsup finds its shipped profiles" finds_shipped

# man PAGE SECTION WORD…: installed, renders without a warning, says WORDs.
man_page() {
	local f=$d/usr/share/man/man$2/$1.$2 text w
	mode_is "$f" 644 || return 1
	if ! text=$(MANWIDTH=80 man -l "$f" 2>"$tmp/man.err") || [ -s "$tmp/man.err" ]; then
		cat "$tmp/man.err"
		return 1
	fi
	if command -v groff >/dev/null && [ -n "$(groff -man -ww -z "$f" 2>&1)" ]; then
		groff -man -ww -z "$f"
		return 1
	fi
	shift 2
	for w in "$@"; do
		grep -qF -- "$w" <<<"$text" || {
			echo "$f does not say '$w'"
			return 1
		}
	done
}
check "man page jailsup(1): every verb, exit codes, files, JSON" \
	man_page jailsup 1 "jailsup run" "jailsup enter" "jailsup list" "jailsup kill" "jailsup new" \
	"jailsup daemon" "EXIT STATUS" JAILSUP_ASKPASS "iso-pipe" "jailer-start" '"encrypted"' \
	"dbus-proxy.pid" "100"
check "man page jailsup-profile(5): every section" \
	man_page jailsup-profile 5 "[jail]" "[rights]" "[dbus]" "[share]" "[limits]" "[network]" \
	"init-script" "autodelete"

completion=$d/usr/share/bash-completion/completions/jailsup
check "bash completion installed" mode_is "$completion" 644
check "bash completion is valid bash" bash -n "$completion"

# complete WORD…: what the completion offers for the command line WORD…
# (the last word is the one being completed), one per line, sorted.
complete_words() {
	# shellcheck disable=SC2034 # COMP_* are read by _jailsup
	(
		export XDG_CONFIG_HOME=$tmp/config XDG_RUNTIME_DIR=$tmp/run HOME=$tmp
		export PATH=$d/usr/bin:$PATH
		# shellcheck source=/dev/null
		source "$completion"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_jailsup jailsup "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort
	)
}

# expect WANT WORD…: the completion of WORD… is exactly WANT (lines).
expect() {
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || {
		echo "completing '$*': got"
		echo "$got"
		echo "want"
		echo "$want"
		return 1
	}
}

completion_works() {
	mkdir -p "$tmp/config/jailsup/profiles" "$tmp/run/jailsup/jails/up" \
		"$tmp/run/jailsup/jails/down"
	touch "$tmp/config/jailsup/profiles/mine.ini"
	mkfifo "$tmp/run/jailsup/jails/up/iso-pipe"
	local profiles
	profiles=$({
		echo mine
		for f in ini-profiles/profiles/*.ini; do basename "$f" .ini; done
	} | sort)
	expect $'--help\n--version\ncheck\ndaemon\ndesktop\nenter\nexplain\nkill\nlist\nnew\nrun' \
		jailsup '' &&
		expect $'--json' jailsup list --j &&
		expect "$profiles" jailsup run --profile '' &&
		expect $'--help\nadd\nlist\nremove' jailsup desktop '' &&
		expect $'--replace' jailsup desktop add mine --rep &&
		expect $'mine' jailsup desktop add mi &&
		expect $'--json' jailsup check --js &&
		expect $'mine' jailsup check mi &&
		expect $'mine' jailsup run mi &&
		expect $'--autodelete' jailsup run --auto &&
		expect $'up' jailsup kill '' &&
		expect $'--all' jailsup kill --a &&
		expect $'up' jailsup enter '' &&
		expect $'mine' jailsup explain mi &&
		expect $'--exec' jailsup new name --ex &&
		expect $'--encrypt\n--encrypt=encfs\n--encrypt=gocryptfs' jailsup new name --enc &&
		expect $'--foreground' jailsup daemon --f
}
check "bash completion: verbs, options, profiles, running jails" completion_works

desktop=$d/etc/xdg/autostart/jailsup.desktop
desktop_file() {
	local out
	mode_is "$desktop" 644 || return 1
	grep -qx 'Exec=jailsup daemon' "$desktop" || {
		echo "Exec is not 'jailsup daemon'"
		return 1
	}
	command -v desktop-file-validate >/dev/null || {
		echo "desktop-file-validate is missing (run 'make deps')"
		return 1
	}
	if ! out=$(desktop-file-validate "$desktop" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		return 1
	fi
}
check "autostart file in /etc/xdg/autostart, valid" desktop_file

unit=$d/usr/lib/systemd/user/jailsup.service
unit_file() {
	local out
	mode_is "$unit" 644 || return 1
	if ! { grep -qx 'ExecStart=/usr/bin/jailsup daemon --foreground' "$unit" &&
		! grep -q @ "$unit" &&
		grep -qx 'KillMode=process' "$unit" &&
		grep -qx 'SuccessExitStatus=100' "$unit" &&
		grep -qx 'WantedBy=default.target' "$unit"; }; then
		echo "unexpected content:"
		cat "$unit"
		return 1
	fi
	if ! command -v systemd-analyze >/dev/null; then
		return 0 # the content check above is all there is
	fi
	# verify checks that ExecStart exists: point it at the DESTDIR copy.
	mkdir -p "$tmp/verify" "$tmp/verify-run"
	chmod 0700 "$tmp/verify-run"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$d/usr/bin/|" "$unit" >"$tmp/verify/jailsup.service"
	if ! out=$(XDG_RUNTIME_DIR=$tmp/verify-run systemd-analyze verify --user --man=no \
		"$tmp/verify/jailsup.service" 2>&1) || [ -n "$out" ]; then
		echo "systemd-analyze verify: $out"
		return 1
	fi
}
check "systemd user unit in lib/systemd/user, verified" unit_file

check "make install PREFIX=/usr/local DESTDIR=… succeeds" \
	make --no-print-directory B="$build" SANITIZE="$sanitize" PREFIX=/usr/local DESTDIR="$tmp/local" install
local_layout() {
	if ! { mode_is "$tmp/local/usr/local/bin/jailsup" 755 &&
		mode_is "$tmp/local/usr/local/etc/xdg/autostart/jailsup.desktop" 644 &&
		mode_is "$tmp/local/usr/local/share/man/man1/jailsup.1" 644 &&
		mode_is "$tmp/local/usr/local/share/bash-completion/completions/jailsup" 644 &&
		grep -qx 'ExecStart=/usr/local/bin/jailsup daemon --foreground' \
			"$tmp/local/usr/local/lib/systemd/user/jailsup.service" &&
		[ "$(find "$tmp/local/etc" -type f)" = "$tmp/local/etc/apparmor.d/jailsup-jailer" ]; }; then
		find "$tmp/local" | sort
		return 1
	fi
}
check "PREFIX=/usr/local: everything below it, autostart in PREFIX/etc/xdg" local_layout

# The jailer's AppArmor profile: in /etc/apparmor.d whatever the PREFIX,
# naming the jailer where that PREFIX puts it, and accepted by this
# system's apparmor_parser (parse only: -Q, no cache: -K -T). AppArmor 4
# (abi/4.0 present) gets the profile with `userns,`; AppArmor 3 knows
# neither the rule nor abi 4.0 and gets it without them.
apparmor_profile() {
	local dest=$1 prefix=$2 f
	f=$dest/etc/apparmor.d/jailsup-jailer
	if ! { [ -d /etc/apparmor.d ] && command -v apparmor_parser >/dev/null; }; then
		echo "AppArmor is not installed (apparmor, scripts/packages.txt)"
		return 1
	fi
	mode_is "$f" 644 || return 1
	grep -qx "profile jailsup-jailer $prefix/libexec/jailsup/jailer flags=(unconfined) {" "$f" || {
		echo "$f does not name $prefix/libexec/jailsup/jailer:"
		cat "$f"
		return 1
	}
	if [ -e /etc/apparmor.d/abi/4.0 ]; then
		if ! { grep -qx 'abi <abi/4.0>,' "$f" && grep -qx '  userns,' "$f"; }; then
			echo "$f: AppArmor 4 without 'abi <abi/4.0>,' and 'userns,'"
			return 1
		fi
	else
		if ! grep -qx 'abi <abi/3.0>,' "$f" || grep -q '^ *userns,' "$f"; then
			echo "$f: AppArmor 3 with 'userns' or without 'abi <abi/3.0>,'"
			return 1
		fi
	fi
	apparmor_parser -Q -K -T "$f"
}
check "AppArmor profile of the jailer (PREFIX=/usr), parses" apparmor_profile "$d" /usr
check "AppArmor profile of the jailer (PREFIX=/usr/local), parses" apparmor_profile "$tmp/local" /usr/local

shell_clean() {
	command -v shellcheck >/dev/null || {
		echo "shellcheck is missing (run 'make deps')"
		return 1
	}
	shellcheck scripts/*.sh scripts/jailsup.bash-completion tests/install-test.sh
}
check "scripts are shellcheck-clean" shell_clean

echo "1..$n"
[ "$failed" -eq 0 ]
