#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# scripts/install-apparmor.sh PROFILE JAILER APPARMOR_DIR [ABI]: part of
# `make install`. Installs PROFILE (scripts/apparmor-jailer) as
# $DESTDIR$APPARMOR_DIR/jailsup-jailer for the jailer installed at JAILER,
# when this system has AppArmor (/etc/apparmor.d); then, without DESTDIR,
# as root and with apparmor_parser and an AppArmor kernel, loads it, or
# says how to.
#
# ABI is 4.0 or 3.0, else found out: 4.0 when this system's AppArmor has
# /etc/apparmor.d/abi/4.0. AppArmor 3 knows neither `abi <abi/4.0>` nor the
# `userns` rule (and has no user namespace restriction to lift): it gets
# the profile with `abi <abi/3.0>,` and without `userns,`, which parses.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: scripts/install-apparmor.sh PROFILE JAILER APPARMOR_DIR [ABI]" >&2
	exit 2
fi
src=$1
jailer=$2
dir=$3
abi=${4:-}
destdir=${DESTDIR:-}

if [ ! -d /etc/apparmor.d ] && [ ! -d "$destdir$dir" ]; then
	echo "install: no /etc/apparmor.d (AppArmor is not installed): no profile for the jailer"
	exit 0
fi
case $jailer in
/*) ;;
*)
	echo "install-apparmor.sh: the jailer's path '$jailer' is not absolute" >&2
	exit 2
	;;
esac
# The profile lets whatever runs at that path make user namespaces: a path
# a user could write (a PREFIX in a home) would lift AppArmor's restriction
# for any program that user puts there. Only a path of root's, each folder
# on the way too, gets it.
if [ -z "$destdir" ]; then
	p=$jailer
	while [ "$p" != / ]; do
		if [ -e "$p" ] || [ "$p" = "$jailer" ]; then
			if [ -e "$p" ] && { [ "$(stat -Lc %u "$p")" != 0 ] ||
				[ -n "$(find "$p" -maxdepth 0 -perm /022 ! -type l 2>/dev/null)" ]; }; then
				echo "install: '$p' is not root's alone: no AppArmor profile for the jailer at '$jailer'" >&2
				exit 0
			fi
		fi
		p=$(dirname "$p")
	done
fi
if [ -z "$abi" ]; then
	if [ -e /etc/apparmor.d/abi/4.0 ]; then
		abi=4.0
	else
		abi=3.0
	fi
fi
out=$destdir$dir/jailsup-jailer
install -d "$destdir$dir"
case $abi in
4.0) sed "s|@jailer@|$jailer|" "$src" >"$out.tmp" ;;
3.0) sed -e "s|@jailer@|$jailer|" -e 's|^abi <abi/4\.0>,$|abi <abi/3.0>,|' -e '/^  userns,$/d' \
	"$src" >"$out.tmp" ;;
*)
	echo "install-apparmor.sh: unknown AppArmor ABI '$abi' (4.0 or 3.0)" >&2
	exit 2
	;;
esac
chmod 0644 "$out.tmp"
mv -f "$out.tmp" "$out"
echo "install: AppArmor profile $out (abi $abi) for $jailer"

[ -z "$destdir" ] || exit 0
if [ "$(id -u)" -eq 0 ] && command -v apparmor_parser >/dev/null &&
	[ -d /sys/kernel/security/apparmor ]; then
	apparmor_parser -r "$out"
	echo "install: loaded it (apparmor_parser -r)"
else
	echo "install: not loaded (needs root, apparmor_parser and an AppArmor kernel):" \
		"sudo apparmor_parser -r $out"
fi
