#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/stage-build.sh BUILD DEST: copy what runs as the unprivileged test
# user into DEST (an empty directory), world-readable, because the checkout
# may sit where that user cannot read (/root/…). DEST gets the layout of
# BUILD, which is that of an installation, plus the integration tests:
#
#   DEST/bin/jailsup
#   DEST/libexec/jailsup/{supervisor,jailer,leak-check,dbus-bridge,vpn-script}
#   DEST/share/jailsup/profiles/*.ini
#   DEST/tests/helpers/*          (built helpers, e.g. try-syscall)
#   DEST/tests/integration/*      (the .bats files and helpers.bash)
#
# Run from the repository root. Directories missing in BUILD are created empty.
set -eu

[ $# -eq 2 ] || {
	echo "usage: tests/stage-build.sh BUILD DEST" >&2
	exit 2
}
build=$1
dest=$2

for d in bin libexec share tests/helpers; do
	mkdir -p "$dest/$d"
	if [ -d "$build/$d" ]; then
		cp -R "$build/$d/." "$dest/$d/"
	fi
done
mkdir -p "$dest/tests/integration"
cp -R tests/integration/. "$dest/tests/integration/"

chmod -R u+rwX,go+rX,go-w "$dest"
chmod 0755 "$dest"
