#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Without unprivileged user namespaces no jail can exist; jailsup must say
# so in one line with the fix, and exit with its own code (6). The fault is
# produced for real: inside a user namespace of the test's own, its root
# sets user.max_user_namespaces to 0, so every jail jailsup tries to build
# there fails with ENOSPC, as on a system where the sysctl is 0.

# $output and $status come from bats' run.
# shellcheck disable=SC2016,SC2154

bats_require_minimum_version 1.5.0

load helpers

@test "no user namespaces: one line with the cause and the fix, exit 6, with and without the supervisor" {
	run unshare --user --map-root-user sh -c '
		echo 0 >/proc/sys/user/max_user_namespaces || exit 99
		d=$(mktemp -d "$BATS_TEST_TMPDIR/ns.XXXXXX")
		export XDG_RUNTIME_DIR=$d/run XDG_CONFIG_HOME=$d/cfg XDG_DATA_HOME=$d/data HOME=$d/home
		mkdir -m 700 "$XDG_RUNTIME_DIR" "$HOME"
		jailsup run --no-daemon /bin/true; echo "direct=$?"
		jailsup run /bin/true; echo "daemon=$?"
		read -r pid _ <"$XDG_RUNTIME_DIR/jailsup/daemon.pid" && kill "$pid"
		true'
	[ "$status" -eq 0 ] || fail "the setup failed ($status): $output"
	assert_output_contains "direct=6"
	assert_output_contains "daemon=6"
	assert_output_contains "unprivileged user namespaces are not available"
	assert_output_contains "max_user_namespaces"
}

@test "with user namespaces, the same run works: the check above can fail" {
	run unshare --user --map-root-user sh -c '
		d=$(mktemp -d "$BATS_TEST_TMPDIR/ns.XXXXXX")
		export XDG_RUNTIME_DIR=$d/run XDG_CONFIG_HOME=$d/cfg XDG_DATA_HOME=$d/data HOME=$d/home
		mkdir -m 700 "$XDG_RUNTIME_DIR" "$HOME"
		jailsup run --no-daemon /bin/true; echo "direct=$?"'
	assert_output_contains "direct=0"
}
