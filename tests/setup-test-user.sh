#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# As root, make this machine ready to run jails as an unprivileged user, the
# way a desktop is: the user $JAILSUP_TEST_USER (default jailsup-test) with
# its own home, its /run/user/UID, /dev/fuse and /dev/net/tun usable by users
# (as udev makes them), and unprivileged user namespaces on. Idempotent; used
# by tests/run-tests and scripts/demo.sh. Prints nothing on success; on
# failure one line saying what is wrong, and exits 1.
set -eu

user=${JAILSUP_TEST_USER:-jailsup-test}

die() {
	echo "setup-test-user: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root"

if ! id -u "$user" >/dev/null 2>&1; then
	useradd --create-home --user-group --shell /bin/bash \
		--comment "jailsup tests" "$user" ||
		die "unable to create the user '$user'"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
[ -d "$home" ] || die "the home of '$user', '$home', does not exist"

# What pam_systemd would create at login.
install -d -m 0755 /run/user
install -d -m 0700 -o "$uid" -g "$gid" "/run/user/$uid"
chown "$uid:$gid" "/run/user/$uid"
chmod 0700 "/run/user/$uid"

# What udev's default rules do on a desktop: fusermount3 and openvpn's tun
# device are usable by every user.
for dev in /dev/fuse /dev/net/tun; do
	if [ -c "$dev" ]; then
		chmod 0666 "$dev"
	fi
done

# Unprivileged user namespaces: a Debian-patched kernel has a switch for
# them; every kernel has a limit, which must not be 0.
if [ -e /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" != 1 ]; then
	sysctl -q -w kernel.unprivileged_userns_clone=1 >/dev/null ||
		die "unable to set kernel.unprivileged_userns_clone=1"
fi
if [ -e /proc/sys/user/max_user_namespaces ] &&
	[ "$(cat /proc/sys/user/max_user_namespaces)" -eq 0 ]; then
	sysctl -q -w user.max_user_namespaces=15000 >/dev/null ||
		die "unable to set user.max_user_namespaces above 0"
fi

# The proof: the user can create a user namespace.
if ! (cd / && runuser -u "$user" -- unshare --user --map-root-user true) >/dev/null 2>&1; then
	if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" != 0 ]; then
		die "unprivileged user namespaces are restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns=1); jails need them"
	fi
	die "the user '$user' cannot create a user namespace (unshare --user failed); jails need unprivileged user namespaces"
fi
