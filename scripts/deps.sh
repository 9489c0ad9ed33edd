#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make deps: install every Debian package of scripts/packages.txt that is
# missing. A no-op (silent, fast: one dpkg-query) when all are installed; as
# root it installs the missing ones with apt-get; otherwise it prints the
# command to run and fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
list="$here/packages.txt"

# The package names: the first word of each line, comments and blanks dropped.
wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" | awk '{ print $1 }')

# One dpkg-query for all of them; unknown packages only print to stderr.
# shellcheck disable=SC2086 # word splitting of the package list is wanted
installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $wanted 2>/dev/null |
	awk '$1 == "ii" { print $2 }' || true)

installed=" $(echo "$installed" | tr '\n' ' ') "
missing=
for p in $wanted; do
	case $installed in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install --no-install-recommends $missing" >&2
	exit 1
fi

echo "deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
# shellcheck disable=SC2086 # one argument per package
apt-get install -y -q --no-install-recommends $missing </dev/null
