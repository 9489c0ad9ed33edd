#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The [jail] key `args` (docs/profiles.md): arguments the profile puts
# before the user's own. A real jail's app prints the argv it got, one
# word a line in brackets, so a blank or a quote inside a word shows; the
# profile's words come first, split with their quotes, then the user's
# from `jailsup run NAME -- ARGS…`, untouched.

bats_require_minimum_version 1.5.0

load helpers
load jail-helpers
load supervisor-helpers

# The app: /bin/sh running a small script that echoes its argv ($0 is the
# profile's third word, "prog").
args_profile() {
	write_profile "$1" <<EOF
[jail]
exec = /bin/sh
network = none
args = -c 'for a in "\$0" "\$@"; do printf "[%s]\\n" "\$a"; done' $2
EOF
}

@test "the app gets the profile's args, quotes applied, then the user's args untouched" {
	args_profile t "prog --no-remote --title \"two words\" 'it\"s' a\\ b \"\" \"\$HOME ~\""
	run jailsup run t -- "user arg" --last "'q'" ''
	assert_status 0
	local want
	want=$(printf '%s\n' '[prog]' '[--no-remote]' '[--title]' '[two words]' '[it"s]' '[a b]' \
		'[]' '[$HOME ~]' '[user arg]' '[--last]' "['q']" '[]')
	[ "$output" = "$want" ] || fail "argv in the jail:" "$output" "--- wanted:" "$want"
	# Without user args, the profile's alone.
	run jailsup run t
	assert_status 0
	[ "$(printf '%s\n' "$output" | tail -n1)" = '[$HOME ~]' ] || fail "argv: $output"
}

@test "explain shows the args as written and word by word" {
	args_profile t "prog \"two words\""
	run jailsup explain t
	assert_status 0
	assert_output_contains "args:    -c 'for a in"
	assert_output_contains "  arg 3  [prog]"
	assert_output_contains "  arg 4  [two words]"
}

@test "a quote left open in args: file:line error, nothing runs" {
	write_profile t <<'EOF'
[jail]
exec = /bin/sh
network = none
args = -c "echo ran
EOF
	run jailsup run t
	[ "$status" -ne 0 ] || fail "the run succeeded: $output"
	assert_output_contains "t.ini:4: invalid value for 'args': a \" quote is never closed"
	[[ "$output" != *ran* ]] || fail "the app ran: $output"
	[ ! -e "$(state_dir t)" ] || fail "a jail was started"
}
